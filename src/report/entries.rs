//! Where each backlog item stands (placed where and when, late, or still to
//! book and why): the one reading of `plan.bookings` shared by the printed
//! lists and the CSV exports, so they can never disagree.

use crate::model::{BacklogItem, Booking, ContactStatus, Outcome, Plan, Session, UnplacedReason, nhs};
use crate::rules::cost::{deadline, horizon_start};
use chrono::{NaiveDate, NaiveTime};

/// A placed appointment: the session it went to and its start time.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub session: &'a Session,
    pub time: NaiveTime,
    /// Placed after its deadline (see-by date or target days of its priority).
    pub late: bool,
}

/// One backlog item with its outcome.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub item: &'a BacklogItem,
    pub booking: Option<&'a Booking>,
    pub placement: Option<Placement<'a>>,
    /// A re-import no longer found it in the clinical system's list.
    pub withdrawn: bool,
}

impl<'a> Entry<'a> {
    pub fn contact(&self) -> ContactStatus {
        self.booking.map_or(ContactStatus::NotContacted, |b| b.contact)
    }

    /// "placed", "late", "unplaced" or "withdrawn" (no longer in the clinical
    /// system's list), as the bookings CSV writes it.
    pub fn status(&self) -> &'static str {
        match self.placement {
            Some(p) if p.late => "late",
            Some(_) => "placed",
            None if self.withdrawn => "withdrawn",
            None => "unplaced",
        }
    }

    /// Why the item is not placed (empty when it is).
    pub fn reason(&self, plan: &Plan) -> String {
        if self.placement.is_some() {
            return String::new();
        }
        match self.booking.map(|b| &b.outcome) {
            _ if self.withdrawn => UnplacedReason::Withdrawn.describe(plan),
            None => "not planned yet: run the planner".to_string(),
            Some(Outcome::Unplaced { reason }) if !reason.is_explained() => "no suitable free slot".to_string(),
            Some(Outcome::Unplaced { reason }) => reason.describe(plan),
            Some(Outcome::Placed { session, .. }) if plan.session(session).is_none() => {
                format!("booked into session {session}, which is no longer in the plan")
            }
            Some(Outcome::Placed { .. }) => String::new(),
        }
    }

    pub fn date(&self) -> Option<NaiveDate> {
        self.placement.map(|p| p.session.date)
    }

    /// Display name of the new clinician (their id when the plan does not know them).
    pub fn clinician_name(&self, plan: &'a Plan) -> Option<&'a str> {
        self.placement.map(|p| plan.clinician(&p.session.clinician).map_or(p.session.clinician.as_str(), |c| &c.name))
    }
}

/// Every backlog item, in backlog order, with its booking and placement.
pub fn entries(plan: &Plan) -> Vec<Entry<'_>> {
    let start = horizon_start(plan);
    plan.backlog
        .iter()
        .map(|item| {
            let booking = plan.booking(&item.id);
            let placement = booking.and_then(|b| match &b.outcome {
                Outcome::Placed { session, time } => plan.session(session).map(|session| {
                    let due = start.and_then(|s| deadline(plan, item, s));
                    Placement { session, time: *time, late: due.is_some_and(|d| session.date > d) }
                }),
                Outcome::Unplaced { .. } => None,
            });
            Entry { item, booking, placement, withdrawn: plan.is_withdrawn(&item.id) }
        })
        .collect()
}

/// Display name of the original clinician, which may be an id or free text.
pub fn original_clinician<'a>(plan: &'a Plan, item: &'a BacklogItem) -> &'a str {
    plan.clinician(&item.original_clinician).map_or(item.original_clinician.as_str(), |c| c.name.as_str())
}

/// "Mon 15 Jul 10:00" (time left out when unknown).
pub fn short_date_time(date: NaiveDate, time: Option<NaiveTime>) -> String {
    match time {
        Some(t) => format!("{} {}", date.format("%a %-d %b"), t.format("%H:%M")),
        None => date.format("%a %-d %b").to_string(),
    }
}

/// NHS number as printed: spaced, or only its last four digits when masked.
pub fn printed_nhs_number(digits: &str, mask: bool) -> String {
    if mask { nhs::masked(digits) } else { nhs::format(digits) }
}
