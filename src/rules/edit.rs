//! Edits a user makes to a plan by hand, each keeping every hard constraint:
//! moving a booking (then pinned, so a re-plan keeps it), pinning, recording
//! the outcome of contacting the patient (a declined booking returns to the
//! backlog and that session is not offered again), and a clinician's absence
//! (their sessions cancelled, the bookings in them freed for re-planning).

use super::cost::check_eligible;
use super::times::retime;
use super::usage::{Blocked, Usage};
use crate::model::{Booking, Change, ContactStatus, Outcome, Plan, UnplacedReason};
use chrono::{NaiveDate, NaiveTime};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EditError {
    #[error("appointment {0} is not in the backlog")]
    UnknownAppointment(String),
    #[error("session {0} is not in the plan")]
    UnknownSession(String),
    #[error("appointment {appointment} cannot go in session {session}: {reason}")]
    Ineligible { appointment: String, session: String, reason: String },
    #[error("session {session} has no usable slot left for appointment {appointment}")]
    SessionFull { appointment: String, session: String },
    #[error("the patient of appointment {appointment} already has an appointment on {date}")]
    PatientBusy { appointment: String, date: NaiveDate },
    #[error("{clinician} already has their daily cap of rebooked appointments on {date}")]
    DailyCap { clinician: String, date: NaiveDate },
    #[error("appointment {0} is not booked into a session")]
    NotPlaced(String),
    #[error("no appointment has the reference \"{0}\"; check it against the printed list")]
    UnknownCode(String),
    #[error("the reference \"{code}\" fits several appointments: {}; give more of it", candidates.join(", "))]
    AmbiguousCode { code: String, candidates: Vec<String> },
}

/// Moves an appointment into a session by hand and pins it there. The moved
/// booking's contact status is reset (the patient must hear of the new time);
/// both sessions are re-timed, keeping times patients were already told.
pub fn move_booking(plan: &mut Plan, appointment_id: &str, session_id: &str) -> Result<(), EditError> {
    let item = plan.backlog_item(appointment_id).ok_or_else(|| EditError::UnknownAppointment(appointment_id.into()))?;
    let session = plan.session(session_id).ok_or_else(|| EditError::UnknownSession(session_id.into()))?;
    check_eligible(plan, item, session).map_err(|why| EditError::Ineligible {
        appointment: appointment_id.into(),
        session: session_id.into(),
        reason: why.describe().into(),
    })?;
    let usage = Usage::of_bookings(plan, &plan.bookings, Some(appointment_id));
    let idx = usage.index(session_id).ok_or_else(|| EditError::UnknownSession(session_id.into()))?;
    match usage.check(item, idx) {
        Ok(()) => {}
        Err(Blocked::Full) => {
            return Err(EditError::SessionFull { appointment: appointment_id.into(), session: session_id.into() });
        }
        Err(Blocked::PatientBusy) => {
            return Err(EditError::PatientBusy { appointment: appointment_id.into(), date: session.date });
        }
        Err(Blocked::DailyCap) => {
            let clinician = plan.clinician(&session.clinician).map_or(session.clinician.clone(), |c| c.name.clone());
            return Err(EditError::DailyCap { clinician, date: session.date });
        }
    }
    let previous = plan.booking(appointment_id).and_then(Booking::session).map(str::to_string);
    let slot = booking_mut(plan, appointment_id);
    // Not pinned while re-timing, so it gets a free slot rather than keeping an old time.
    slot.outcome = Outcome::Placed { session: session_id.into(), time: NaiveTime::MIN };
    slot.pinned = false;
    slot.contact = ContactStatus::NotContacted;
    slot.explanation = "moved by hand".into();
    slot.changed = Some(Change::now());
    let affected: Vec<String> = previous.into_iter().chain([session_id.to_string()]).collect();
    retime_sessions(plan, &affected);
    booking_mut(plan, appointment_id).pinned = true;
    Ok(())
}

/// Pins or unpins a placed booking: a pinned booking never moves in a re-plan.
pub fn set_pinned(plan: &mut Plan, appointment_id: &str, pinned: bool) -> Result<(), EditError> {
    let booking = plan
        .bookings
        .iter_mut()
        .find(|b| b.appointment_id == appointment_id)
        .ok_or_else(|| EditError::UnknownAppointment(appointment_id.into()))?;
    if booking.session().is_none() {
        return Err(EditError::NotPlaced(appointment_id.into()));
    }
    booking.pinned = pinned;
    booking.changed = Some(Change::now());
    Ok(())
}

/// Records what the patient said. Declined: the booking becomes unplaced
/// ("declined Tue 23/07/2024 AM"), unpinned, and the session is added to the
/// item's declined sessions so a re-plan does not offer it again.
pub fn record_contact(plan: &mut Plan, appointment_id: &str, status: ContactStatus) -> Result<(), EditError> {
    let session_id = plan
        .booking(appointment_id)
        .ok_or_else(|| EditError::UnknownAppointment(appointment_id.into()))?
        .session()
        .map(str::to_string)
        .ok_or_else(|| EditError::NotPlaced(appointment_id.into()))?;
    if status == ContactStatus::Declined {
        let reason = plan.session(&session_id).map_or_else(
            || UnplacedReason::Other(format!("declined {session_id}")),
            |s| UnplacedReason::DeclinedOffer { date: s.date, part: s.part },
        );
        let explanation = reason.describe(plan);
        if let Some(item) = plan.backlog.iter_mut().find(|i| i.id == appointment_id)
            && !item.declined_sessions.contains(&session_id)
        {
            item.declined_sessions.push(session_id.clone());
        }
        let booking = booking_mut(plan, appointment_id);
        booking.outcome = Outcome::Unplaced { reason };
        booking.explanation = explanation;
        booking.pinned = false;
        booking.contact = ContactStatus::Declined;
        booking.changed = Some(Change::now());
        retime_sessions(plan, &[session_id]);
    } else {
        let booking = booking_mut(plan, appointment_id);
        booking.contact = status;
        booking.changed = Some(Change::now());
    }
    Ok(())
}

/// Replaces an item's notes, recording who edited them and when, so a merge
/// with a colleague's save keeps the newer notes.
pub fn set_notes(plan: &mut Plan, appointment_id: &str, notes: &str) -> Result<(), EditError> {
    let item = plan
        .backlog
        .iter_mut()
        .find(|i| i.id == appointment_id)
        .ok_or_else(|| EditError::UnknownAppointment(appointment_id.into()))?;
    if item.notes != notes {
        item.notes = notes.to_string();
        plan.notes_changed.insert(appointment_id.to_string(), Change::now());
    }
    Ok(())
}

/// Records an outcome ticked on a printed call list by the reference printed
/// beside the patient: "A-000123", "a000123" or just "123" when that number is
/// unique. Returns what was recorded, e.g. "SMITH, Jane (A-000123): Confirmed".
pub fn record_outcome_by_code(plan: &mut Plan, code: &str, status: ContactStatus) -> Result<String, EditError> {
    let id = find_by_code(plan, code)?;
    record_contact(plan, &id, status)?;
    let name = plan.backlog_item(&id).map(|i| i.patient.name.clone()).unwrap_or_default();
    let what = match status {
        ContactStatus::Declined => "Declined: back in the backlog for the next re-plan".to_string(),
        other => other.label().to_string(),
    };
    Ok(format!("{name} ({id}): {what}"))
}

/// The appointment id a typed reference means: the same id ignoring case,
/// spaces and dashes, or else the only id ending in it. A number matches a
/// whole number only ("123" finds A-000123 but not A-001123).
pub fn find_by_code(plan: &Plan, code: &str) -> Result<String, EditError> {
    let key = code_key(code);
    if key.is_empty() {
        return Err(EditError::UnknownCode(code.trim().to_string()));
    }
    if let Some(item) = plan.backlog.iter().find(|i| code_key(&i.id) == key) {
        return Ok(item.id.clone());
    }
    let starts_with_digit = key.starts_with(|c: char| c.is_ascii_digit());
    let matches: Vec<&crate::model::BacklogItem> = plan
        .backlog
        .iter()
        .filter(|i| {
            let id = code_key(&i.id);
            let Some(head) = id.strip_suffix(key.as_str()) else { return false };
            // The digits just before the match must be leading zeros of the same number.
            !starts_with_digit || head.chars().rev().take_while(char::is_ascii_digit).all(|c| c == '0')
        })
        .collect();
    match matches.as_slice() {
        [] => Err(EditError::UnknownCode(code.trim().to_string())),
        [one] => Ok(one.id.clone()),
        many => Err(EditError::AmbiguousCode {
            code: code.trim().to_string(),
            candidates: many.iter().take(8).map(|i| format!("{} ({})", i.id, i.patient.name)).collect(),
        }),
    }
}

/// A reference as people type it: upper case, without spaces, dashes, dots, `_` or `/`.
fn code_key(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, ' ' | '-' | '_' | '.' | '/' | '\t')).flat_map(char::to_uppercase).collect()
}

/// What a clinician's absence did to the plan.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Absence {
    /// Sessions cancelled.
    pub sessions: usize,
    /// Bookings freed for re-planning.
    pub freed: usize,
    /// Freed bookings that were pinned or confirmed: those patients were
    /// promised this time, so each needs a call.
    pub promised: Vec<FreedPromise>,
}

/// A pinned or confirmed booking an absence freed.
#[derive(Debug, Clone, PartialEq)]
pub struct FreedPromise {
    pub appointment_id: String,
    pub patient: String,
    /// "pinned", "confirmed" or "pinned and confirmed".
    pub was: &'static str,
    /// "Tue 23/07/2024 09:10".
    pub when: String,
}

impl Absence {
    /// "2 bookings patients were promised are freed and need a call: SMITH, Jane
    /// (A-000123, confirmed, Tue 23/07/2024 09:10), ..."; None when there are none.
    /// `name` shows a patient's name (the window masks it in privacy mode).
    pub fn warning(&self, name: &dyn Fn(&str) -> String) -> Option<String> {
        if self.promised.is_empty() {
            return None;
        }
        let list: Vec<String> = self
            .promised
            .iter()
            .map(|p| format!("{} ({}, {}, {})", name(&p.patient), p.appointment_id, p.was, p.when))
            .collect();
        let n = self.promised.len();
        Some(format!(
            "{n} {} the patient was promised {} freed and {} a call: {}",
            if n == 1 { "booking" } else { "bookings" },
            if n == 1 { "is" } else { "are" },
            if n == 1 { "needs" } else { "need" },
            list.join(", ")
        ))
    }
}

/// A clinician's absence from `from` to `to` (inclusive): their sessions are
/// cancelled and every booking in them becomes unplaced ("session cancelled:
/// Dr A Patel absent"), unpinned, ready for a re-plan. Pinned and confirmed
/// ones among them are listed, so the window can name them in a warning.
pub fn cancel_sessions(plan: &mut Plan, clinician: &str, from: NaiveDate, to: NaiveDate) -> Absence {
    let mut cancelled = Vec::new();
    for session in plan.sessions.iter_mut() {
        if session.clinician == clinician && from <= session.date && session.date <= to && !session.cancelled {
            session.cancelled = true;
            cancelled.push((session.id.clone(), session.date));
        }
    }
    let reason = UnplacedReason::SessionCancelled { clinician: clinician.to_string() };
    let explanation = reason.describe(plan);
    let mut absence = Absence { sessions: cancelled.len(), ..Absence::default() };
    let patients: std::collections::HashMap<String, String> =
        plan.backlog.iter().map(|i| (i.id.clone(), i.patient.name.clone())).collect();
    for booking in plan.bookings.iter_mut() {
        let Outcome::Placed { session, time } = &booking.outcome else { continue };
        let Some((_, date)) = cancelled.iter().find(|(c, _)| c == session) else { continue };
        let confirmed = booking.contact == ContactStatus::Confirmed;
        if booking.pinned || confirmed {
            absence.promised.push(FreedPromise {
                appointment_id: booking.appointment_id.clone(),
                patient: patients.get(&booking.appointment_id).cloned().unwrap_or_default(),
                was: match (booking.pinned, confirmed) {
                    (true, true) => "pinned and confirmed",
                    (true, false) => "pinned",
                    _ => "confirmed",
                },
                when: format!("{} {}", date.format("%a %d/%m/%Y"), time.format("%H:%M")),
            });
        }
        absence.freed += 1;
        booking.outcome = Outcome::Unplaced { reason: reason.clone() };
        booking.explanation = explanation.clone();
        booking.pinned = false;
    }
    absence
}

/// The booking of an appointment, created unplaced if the plan has none yet.
fn booking_mut<'a>(plan: &'a mut Plan, appointment_id: &str) -> &'a mut Booking {
    let position = match plan.bookings.iter().position(|b| b.appointment_id == appointment_id) {
        Some(position) => position,
        None => {
            plan.bookings.push(Booking {
                appointment_id: appointment_id.into(),
                outcome: Outcome::Unplaced { reason: UnplacedReason::NotExplained },
                pinned: false,
                contact: ContactStatus::NotContacted,
                explanation: String::new(),
                changed: None,
            });
            plan.bookings.len() - 1
        }
    };
    &mut plan.bookings[position]
}

fn retime_sessions(plan: &mut Plan, sessions: &[String]) {
    let only: Vec<&str> = sessions.iter().map(String::as_str).collect();
    let mut bookings = std::mem::take(&mut plan.bookings);
    retime(plan, &mut bookings, Some(&only));
    plan.bookings = bookings;
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{Mode, PartOfDay};
    use crate::rules::check::violations;
    use crate::test_plans::{d, item, number_patients, session, small_plan, t};

    fn plan_with_two() -> Plan {
        let mut plan = small_plan();
        plan.sessions.push(session("S2", "GP-JONES", 23, PartOfDay::AM, 10, Mode::FaceToFace));
        plan.sessions.push(session("N1", "NURSE-KAUR", 23, PartOfDay::AM, 10, Mode::FaceToFace));
        plan.backlog = vec![item("A", "GP routine", "Routine", (1, 9, 0)), item("B", "GP urgent", "Urgent", (1, 9, 0))];
        number_patients(&mut plan);
        plan.bookings = vec![
            Booking {
                appointment_id: "A".into(),
                outcome: Outcome::Placed { session: "S1".into(), time: t(9, 0) },
                pinned: false,
                contact: ContactStatus::NotContacted,
                explanation: String::new(),
                changed: None,
            },
            Booking {
                appointment_id: "B".into(),
                outcome: Outcome::Placed { session: "S2".into(), time: t(9, 0) },
                pinned: false,
                contact: ContactStatus::Notified,
                explanation: String::new(),
                changed: None,
            },
        ];
        plan
    }

    #[test]
    fn move_checks_constraints_pins_and_retimes() {
        let mut plan = plan_with_two();
        let err = move_booking(&mut plan, "A", "N1").unwrap_err();
        assert_eq!(
            err.to_string(),
            "appointment A cannot go in session N1: the clinician's role does not see this type"
        );
        move_booking(&mut plan, "A", "S2").unwrap();
        let a = plan.booking("A").unwrap();
        assert!(a.pinned);
        // B was told 09:00 and keeps it; A gets the next slot.
        assert_eq!(a.outcome, Outcome::Placed { session: "S2".into(), time: t(9, 10) });
        assert_eq!(violations(&plan, &plan.bookings), Vec::<String>::new());
        assert!(matches!(move_booking(&mut plan, "A", "nowhere"), Err(EditError::UnknownSession(_))));
    }

    #[test]
    fn move_refuses_full_sessions_and_busy_patients() {
        let mut plan = plan_with_two();
        plan.sessions[1].free_slots = 2; // S2: its one usable slot is B's
        assert!(matches!(move_booking(&mut plan, "A", "S2"), Err(EditError::SessionFull { .. })));
        plan.sessions[1].free_slots = 10;
        plan.backlog[0].patient.nhs_number = plan.backlog[1].patient.nhs_number.clone();
        assert!(matches!(move_booking(&mut plan, "A", "S2"), Err(EditError::PatientBusy { .. })));
    }

    #[test]
    fn declined_returns_to_the_backlog_and_is_not_offered_again() {
        let mut plan = plan_with_two();
        set_pinned(&mut plan, "A", true).unwrap();
        record_contact(&mut plan, "A", ContactStatus::Declined).unwrap();
        let a = plan.booking("A").unwrap();
        assert_eq!(
            a.outcome,
            Outcome::Unplaced {
                reason: UnplacedReason::DeclinedOffer { date: d(22), part: crate::model::PartOfDay::AM }
            }
        );
        assert_eq!(a.explanation, "declined Mon 22/07/2024 AM");
        assert!(!a.pinned);
        assert_eq!(plan.backlog[0].declined_sessions, ["S1"]);
        assert!(matches!(set_pinned(&mut plan, "A", true), Err(EditError::NotPlaced(_))));
        let err = move_booking(&mut plan, "A", "S1").unwrap_err();
        assert!(err.to_string().contains("already declined"), "{err}");
        record_contact(&mut plan, "B", ContactStatus::Confirmed).unwrap();
        assert!(plan.booking("B").unwrap().is_fixed());
    }

    #[test]
    fn absence_cancels_sessions_and_frees_their_bookings() {
        let mut plan = plan_with_two();
        set_pinned(&mut plan, "A", true).unwrap();
        let absence = cancel_sessions(&mut plan, "GP-PATEL", d(22), d(26));
        assert_eq!((absence.sessions, absence.freed), (1, 1));
        let warning = absence.warning(&|name| name.to_string()).unwrap();
        assert_eq!(
            warning,
            "1 booking the patient was promised is freed and needs a call: TEST, Patient A (A, pinned, Mon 22/07/2024 09:00)"
        );
        assert!(plan.sessions[0].cancelled);
        let a = plan.booking("A").unwrap();
        assert_eq!(
            a.outcome,
            Outcome::Unplaced { reason: UnplacedReason::SessionCancelled { clinician: "GP-PATEL".into() } }
        );
        assert_eq!(a.explanation, "session cancelled: Dr A Patel absent");
        assert!(!a.pinned);
        assert_eq!(plan.booking("B").unwrap().session(), Some("S2"));
        assert_eq!(cancel_sessions(&mut plan, "GP-PATEL", d(22), d(26)), Absence::default());
    }
}
