//! Eligibility (the hard constraints on where one appointment may go) and the
//! cost of a placement (the objective of `model.md`). Shared by the optimiser,
//! the baselines, the report and the alternatives so they can never disagree.

use crate::model::{
    BacklogItem, Booking, Clinician, ContactStatus, Continuity, Outcome, Plan, Session, clinician_sees_type,
};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Why an appointment may not go in a session, in words for a practice manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ineligible {
    SessionCancelled,
    UnknownClinician,
    UnknownType,
    WrongRole,
    WrongMode,
    TypeModeNotAllowed,
    NotRequiredClinician,
    BeforeEarliestDate,
    OutsideHorizon,
    PatientUnavailable,
    DeclinedBefore,
    TooFewSlots,
}

impl Ineligible {
    pub fn describe(self) -> &'static str {
        match self {
            Ineligible::SessionCancelled => "the session is cancelled",
            Ineligible::UnknownClinician => "the session's clinician is not in the plan",
            Ineligible::UnknownType => "the appointment type is not in the catalogue",
            Ineligible::WrongRole => "the clinician's role does not see this type",
            Ineligible::WrongMode => "the session's mode does not suit the patient",
            Ineligible::TypeModeNotAllowed => "this type cannot be done in the session's mode",
            Ineligible::NotRequiredClinician => "the patient must see another clinician",
            Ineligible::BeforeEarliestDate => "before the patient's earliest date",
            Ineligible::OutsideHorizon => "outside the planning horizon",
            Ineligible::PatientUnavailable => "the patient cannot attend then",
            Ineligible::DeclinedBefore => "the patient already declined this session",
            Ineligible::TooFewSlots => "the session has fewer usable slots than the appointment needs",
        }
    }
}

/// Checks every per-placement hard constraint of `model.md` (constraint 2).
/// Capacity, one-per-day and caps depend on the other placements and are checked elsewhere.
pub fn check_eligible(plan: &Plan, item: &BacklogItem, session: &Session) -> Result<(), Ineligible> {
    if session.cancelled {
        return Err(Ineligible::SessionCancelled);
    }
    let clinician = plan.clinician(&session.clinician).ok_or(Ineligible::UnknownClinician)?;
    let kind = plan.appointment_type(&item.appointment_type).ok_or(Ineligible::UnknownType)?;
    if let Continuity::Required(required) = &item.continuity
        && required != &clinician.id
    {
        return Err(Ineligible::NotRequiredClinician);
    }
    if !clinician_sees_type(clinician, kind) {
        return Err(Ineligible::WrongRole);
    }
    if !item.mode.allows(session.mode) {
        return Err(Ineligible::WrongMode);
    }
    if !kind.modes.contains(&session.mode) {
        return Err(Ineligible::TypeModeNotAllowed);
    }
    if item.earliest_date.is_some_and(|d| session.date < d) {
        return Err(Ineligible::BeforeEarliestDate);
    }
    if plan.horizon.is_some_and(|h| !h.contains(session.date)) {
        return Err(Ineligible::OutsideHorizon);
    }
    if !item.can_attend(session.date, session.part) {
        return Err(Ineligible::PatientUnavailable);
    }
    if item.declined_sessions.iter().any(|s| s == &session.id) {
        return Err(Ineligible::DeclinedBefore);
    }
    if session.usable_slots(&plan.rules) < item.slots.max(1) {
        return Err(Ineligible::TooFewSlots);
    }
    Ok(())
}

pub fn is_eligible(plan: &Plan, item: &BacklogItem, session: &Session) -> bool {
    check_eligible(plan, item, session).is_ok()
}

/// The parts of cost(a, b), kept apart so explanations can name them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PlacementCost {
    /// Calendar days from the horizon start to the session date.
    pub wait_days: i64,
    /// Calendar days after the deadline (0 when on time).
    pub late_days: i64,
    /// Days before the deadline (negative when late); None when there is no deadline.
    pub slack_days: Option<i64>,
    pub continuity_missed: bool,
    pub preference_missed: bool,
    /// w x wait + L x w x late + C x continuity + P x preference.
    pub total: f64,
}

/// Start of the horizon, or the earliest session date when the plan has no horizon.
pub fn horizon_start(plan: &Plan) -> Option<NaiveDate> {
    plan.horizon.map(|h| h.start).or_else(|| plan.sessions.iter().map(|s| s.date).min())
}

/// cost(a, b) of `model.md` for placing `item` in `session`.
pub fn placement_cost(plan: &Plan, item: &BacklogItem, session: &Session) -> PlacementCost {
    let rules = &plan.rules;
    let w = rules.weight(&item.priority);
    let start = horizon_start(plan).unwrap_or(session.date);
    let wait_days = (session.date - start).num_days().max(0);
    let deadline = deadline(plan, item, start);
    let slack_days = deadline.map(|d| (d - session.date).num_days());
    let late_days = slack_days.map_or(0, |s| (-s).max(0));
    let continuity_missed = matches!(&item.continuity, Continuity::Preferred(c) if c != &session.clinician);
    let preference_missed = item.preferred_part.is_some_and(|p| p != session.part);
    let total = w * wait_days as f64
        + rules.late_penalty * w * late_days as f64
        + if continuity_missed { rules.continuity_penalty } else { 0.0 }
        + if preference_missed { rules.preference_penalty } else { 0.0 };
    PlacementCost { wait_days, late_days, slack_days, continuity_missed, preference_missed, total }
}

/// deadline(a): the see-by date if given, else horizon start + the priority's target days.
pub fn deadline(plan: &Plan, item: &BacklogItem, horizon_start: NaiveDate) -> Option<NaiveDate> {
    if item.see_by.is_some() {
        return item.see_by;
    }
    let days = plan.rules.priority(&item.priority).map_or(14, |p| p.target_days);
    horizon_start.checked_add_days(chrono::Days::new(u64::from(days)))
}

/// Cost of leaving `item` unplaced: U x w(a).
pub fn unplaced_cost(plan: &Plan, item: &BacklogItem) -> f64 {
    plan.rules.unplaced_penalty * plan.rules.weight(&item.priority)
}

/// What moving an existing booking away costs in a re-plan: S for any
/// placed booking, plus M when the patient was told of it. Pinned and
/// confirmed bookings never move, so they have no price.
pub fn move_cost(plan: &Plan, before: &Booking) -> f64 {
    if before.session().is_none() || before.is_fixed() {
        return 0.0;
    }
    let told = if before.contact.is_communicated() { plan.rules.move_penalty } else { 0.0 };
    plan.rules.booking_move_penalty + told
}

/// Total objective of a set of bookings (the plan's own when `bookings` is
/// `plan.bookings`): placement costs, unplaced costs, and the move cost of
/// each booking of `previous` (in a session still in the plan) that is now
/// elsewhere or unplaced.
pub fn objective(plan: &Plan, bookings: &[Booking], previous: &[Booking]) -> f64 {
    let sessions: HashMap<&str, &Session> = plan.sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    let now: HashMap<&str, Option<&str>> = bookings.iter().map(|b| (b.appointment_id.as_str(), b.session())).collect();
    let mut before: HashMap<&str, &Booking> = HashMap::new();
    for b in previous.iter().filter(|b| b.session().is_some_and(|s| sessions.contains_key(s))) {
        before.entry(b.appointment_id.as_str()).or_insert(b);
    }
    let mut total = 0.0;
    for item in &plan.backlog {
        let session_id = now.get(item.id.as_str()).copied().flatten();
        total += match session_id.and_then(|id| sessions.get(id)) {
            Some(session) => placement_cost(plan, item, session).total,
            // No longer in the clinical system's list: not work to do.
            None if plan.is_withdrawn(&item.id) => 0.0,
            None => unplaced_cost(plan, item),
        };
        if let Some(old) = before.get(item.id.as_str())
            && old.session() != session_id
        {
            total += move_cost(plan, old);
        }
    }
    total
}

/// Bookings a new set of bookings moves, compared with the ones before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Moves {
    /// Placed before, now in another session, at another time, or unplaced.
    pub moved: u32,
    /// Of those, the patient had been told (notified or confirmed).
    pub told: u32,
}

/// Counts the bookings of `before` that `after` moves: a booking moves when
/// its session (so date or clinician) or its time changes, or it is unplaced.
pub fn moves(before: &[Booking], after: &[Booking]) -> Moves {
    let now: HashMap<&str, &Outcome> = after.iter().map(|b| (b.appointment_id.as_str(), &b.outcome)).collect();
    let mut moves = Moves::default();
    for b in before.iter().filter(|b| b.session().is_some()) {
        if now.get(b.appointment_id.as_str()).is_some_and(|o| **o != b.outcome) {
            moves.moved += 1;
            moves.told += u32::from(b.contact.is_communicated() || b.contact == ContactStatus::Confirmed);
        }
    }
    moves
}

/// The clinician of a session, when the plan knows them.
pub fn session_clinician<'a>(plan: &'a Plan, session: &Session) -> Option<&'a Clinician> {
    plan.clinician(&session.clinician)
}
