//! Edits a user makes to a plan by hand, each keeping every hard constraint:
//! moving a booking (then pinned, so a re-plan keeps it), pinning, recording
//! the outcome of contacting the patient (a declined booking returns to the
//! backlog and that session is not offered again), and a clinician's absence
//! (their sessions cancelled, the bookings in them freed for re-planning).

use super::calendar::unique_session_id;
use super::cost::check_eligible;
use super::times::retime;
use super::usage::{Blocked, Usage};
use crate::model::{Booking, Change, Clinician, ContactStatus, Outcome, Plan, Session, StartNotInPart, UnplacedReason};
use chrono::{NaiveDate, NaiveTime, Timelike};
use std::collections::{BTreeMap, BTreeSet};
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
    #[error("clinician {0} is not in the plan")]
    UnknownClinician(String),
    #[error("{} is before {}", to.format("%d/%m/%Y"), from.format("%d/%m/%Y"))]
    EndsBeforeStart { from: NaiveDate, to: NaiveDate },
    #[error("{} is outside the planning horizon", .0.format("%a %d/%m/%Y"))]
    OutsideHorizon(NaiveDate),
    #[error(transparent)]
    StartNotInPart(#[from] StartNotInPart),
    #[error("{slots} slot(s) of {minutes} minutes from {} run past midnight", start.format("%H:%M"))]
    PastMidnight { start: NaiveTime, slots: u32, minutes: u32 },
    #[error("session {session} has {bookings} booking(s) in it; move or unbook them before removing it")]
    SessionInUse { session: String, bookings: usize },
    #[error(
        "session {session} has {booked} slot(s) booked but would keep only {usable} usable; move or unbook some first"
    )]
    SessionOverbooked { session: String, booked: u32, usable: u32 },
    #[error("{name} has {sessions} session(s) and {patients} patient(s) asking for them; remove those first")]
    ClinicianInUse { name: String, sessions: usize, patients: usize },
    #[error("role {role} is used by {clinicians} clinician(s) and {types} appointment type(s)")]
    RoleInUse { role: String, clinicians: usize, types: usize },
    #[error("every clinician needs a name")]
    ClinicianUnnamed,
    #[error("two clinicians are called {0}; the import could not tell them apart")]
    SameClinicianName(String),
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
pub fn cancel_sessions(plan: &mut Plan, clinician: &str, from: NaiveDate, to: NaiveDate) -> Result<Absence, EditError> {
    if plan.clinician(clinician).is_none() {
        return Err(EditError::UnknownClinician(clinician.into()));
    }
    if to < from {
        return Err(EditError::EndsBeforeStart { from, to });
    }
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
    Ok(absence)
}

/// Adds a session for a clinician of the plan on a day of its horizon, its
/// start in its part of the day and its slots ending by midnight. Returns its
/// id, made here whatever `new` carries: "GP-PATEL-2024-07-25-PM" ("-2" for
/// a second one that half-day).
pub fn add_session(plan: &mut Plan, mut new: Session) -> Result<String, EditError> {
    if plan.clinician(&new.clinician).is_none() {
        return Err(EditError::UnknownClinician(new.clinician));
    }
    if plan.horizon.is_some_and(|h| !h.contains(new.date)) {
        return Err(EditError::OutsideHorizon(new.date));
    }
    new.part.check_start(new.start)?;
    check_ends_by_midnight(new.start, new.free_slots, new.slot_minutes)?;
    let mut taken: BTreeSet<String> = plan.sessions.iter().map(|s| s.id.clone()).collect();
    let id = unique_session_id(&mut taken, &new.clinician, new.date, new.part);
    new.id = id.clone();
    plan.sessions.push(new);
    Ok(id)
}

/// Removes a session nobody is booked into (an absence cancels booked ones instead).
pub fn remove_session(plan: &mut Plan, session_id: &str) -> Result<(), EditError> {
    if plan.session(session_id).is_none() {
        return Err(EditError::UnknownSession(session_id.into()));
    }
    let bookings = plan.bookings.iter().filter(|b| b.session() == Some(session_id)).count();
    if bookings > 0 {
        return Err(EditError::SessionInUse { session: session_id.into(), bookings });
    }
    plan.sessions.retain(|s| s.id != session_id);
    Ok(())
}

/// Sets the free slots of sessions (id -> slots), all or none. A session may
/// not shrink below the slots its bookings take (after the reserve), nor run
/// past midnight; growing one that is already over-full is allowed.
pub fn set_free_slots(plan: &mut Plan, slots: &BTreeMap<String, u32>) -> Result<(), EditError> {
    let usage = Usage::of_bookings(plan, &plan.bookings, None);
    for (id, &free_slots) in slots {
        let idx = usage.index(id).ok_or_else(|| EditError::UnknownSession(id.clone()))?;
        let session = usage.session(idx);
        if session.slot_times.is_empty() {
            check_ends_by_midnight(session.start, free_slots, session.slot_minutes)?;
        }
        let resized = Session { free_slots, ..session.clone() };
        let usable = resized.usable_slots(&plan.rules);
        let booked = usage.used(idx);
        if free_slots < session.free_slots && usable < booked {
            return Err(EditError::SessionOverbooked { session: id.clone(), booked, usable });
        }
    }
    for session in &mut plan.sessions {
        if let Some(&free_slots) = slots.get(&session.id) {
            session.free_slots = free_slots;
        }
    }
    Ok(())
}

fn check_ends_by_midnight(start: NaiveTime, slots: u32, minutes: u32) -> Result<(), EditError> {
    let end = u64::from(start.num_seconds_from_midnight() / 60) + u64::from(slots) * u64::from(minutes);
    if end > 24 * 60 {
        return Err(EditError::PastMidnight { start, slots, minutes });
    }
    Ok(())
}

/// Whether a clinician may leave the plan: not while they hold sessions
/// (cancelled ones included: their bookings' history names them) or patients
/// ask for them.
pub fn check_clinician_removable(plan: &Plan, clinician_id: &str) -> Result<(), EditError> {
    let sessions = plan.sessions.iter().filter(|s| s.clinician == clinician_id).count();
    let patients = plan.backlog.iter().filter(|b| b.continuity.clinician() == Some(clinician_id)).count();
    if sessions > 0 || patients > 0 {
        let name = plan.clinician(clinician_id).map_or(clinician_id, |c| c.name.as_str()).to_string();
        return Err(EditError::ClinicianInUse { name, sessions, patients });
    }
    Ok(())
}

/// Whether a role may go: not while one of `clinicians` (the list being
/// edited) has it or an appointment type of the plan is seen by it.
pub fn check_role_removable(plan: &Plan, clinicians: &[Clinician], role: &str) -> Result<(), EditError> {
    let users = clinicians.iter().filter(|c| c.role.eq_ignore_ascii_case(role)).count();
    let types = plan.appointment_types.iter().filter(|t| t.roles.iter().any(|r| r.eq_ignore_ascii_case(role))).count();
    if users > 0 || types > 0 {
        return Err(EditError::RoleInUse { role: role.into(), clinicians: users, types });
    }
    Ok(())
}

/// Replaces the clinicians and roles. Every clinician needs a name no other
/// has (imports match clinicians by name); a clinician or role dropped from
/// the lists must be removable.
pub fn set_staff(plan: &mut Plan, clinicians: Vec<Clinician>, roles: Vec<String>) -> Result<(), EditError> {
    let mut names = BTreeSet::new();
    for c in &clinicians {
        let name = c.name.trim();
        if name.is_empty() {
            return Err(EditError::ClinicianUnnamed);
        }
        if !names.insert(name.to_lowercase()) {
            return Err(EditError::SameClinicianName(name.into()));
        }
    }
    for old in plan.clinicians.iter().filter(|old| !clinicians.iter().any(|c| c.id == old.id)) {
        check_clinician_removable(plan, &old.id)?;
    }
    for old in plan.roles.iter().filter(|old| !roles.iter().any(|r| r.eq_ignore_ascii_case(old))) {
        check_role_removable(plan, &clinicians, old)?;
    }
    plan.clinicians = clinicians;
    plan.roles = roles;
    Ok(())
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
        let absence = cancel_sessions(&mut plan, "GP-PATEL", d(22), d(26)).unwrap();
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
        assert_eq!(cancel_sessions(&mut plan, "GP-PATEL", d(22), d(26)), Ok(Absence::default()));
    }

    #[test]
    fn absence_needs_a_known_clinician_and_dates_in_order() {
        let mut plan = plan_with_two();
        let err = cancel_sessions(&mut plan, "GP-PATEL", d(26), d(22)).unwrap_err();
        assert_eq!(err.to_string(), "22/07/2024 is before 26/07/2024");
        assert_eq!(
            cancel_sessions(&mut plan, "GP-NOBODY", d(22), d(26)),
            Err(EditError::UnknownClinician("GP-NOBODY".into()))
        );
        assert!(plan.sessions.iter().all(|s| !s.cancelled));
    }

    fn new_session(clinician: &str, day: u32, part: PartOfDay, start: NaiveTime) -> Session {
        Session {
            id: String::new(),
            clinician: clinician.into(),
            date: d(day),
            part,
            start,
            slot_minutes: 10,
            free_slots: 6,
            mode: Mode::FaceToFace,
            slot_times: Vec::new(),
            cancelled: false,
        }
    }

    #[test]
    fn added_sessions_get_unique_ids_and_must_fit_the_horizon_and_the_day() {
        let mut plan = small_plan();
        let id = add_session(&mut plan, new_session("GP-PATEL", 25, PartOfDay::PM, t(15, 0))).unwrap();
        assert_eq!(id, "GP-PATEL-2024-07-25-PM");
        let again = add_session(&mut plan, new_session("GP-PATEL", 25, PartOfDay::PM, t(16, 0))).unwrap();
        assert_eq!(again, "GP-PATEL-2024-07-25-PM-2");
        assert_eq!(plan.session(&again).map(|s| (s.start, s.free_slots)), Some((t(16, 0), 6)));

        let refused = [
            (new_session("GP-NOBODY", 25, PartOfDay::AM, t(9, 0)), "clinician GP-NOBODY is not in the plan"),
            (new_session("GP-PATEL", 45, PartOfDay::AM, t(9, 0)), "Wed 14/08/2024 is outside the planning horizon"),
            (
                new_session("GP-PATEL", 25, PartOfDay::PM, t(8, 30)),
                "a session starting at 08:30 is in the morning, not the afternoon",
            ),
            (
                Session { free_slots: 60, slot_minutes: 60, ..new_session("GP-PATEL", 25, PartOfDay::PM, t(14, 0)) },
                "60 slot(s) of 60 minutes from 14:00 run past midnight",
            ),
        ];
        for (new, reason) in refused {
            assert_eq!(add_session(&mut plan, new).unwrap_err().to_string(), reason);
        }
        assert_eq!(plan.sessions.len(), 3);
    }

    #[test]
    fn a_booked_session_is_neither_removed_nor_shrunk_below_its_bookings() {
        let mut plan = plan_with_two();
        let err = remove_session(&mut plan, "S2").unwrap_err();
        assert_eq!(err.to_string(), "session S2 has 1 booking(s) in it; move or unbook them before removing it");
        remove_session(&mut plan, "N1").unwrap();
        assert!(plan.session("N1").is_none());
        assert!(matches!(remove_session(&mut plan, "N1"), Err(EditError::UnknownSession(_))));

        // S1 holds A (one slot): 2 free slots leave 1 usable after the 20 % reserve, 1 leaves none.
        set_free_slots(&mut plan, &BTreeMap::from([("S1".to_string(), 2)])).unwrap();
        assert_eq!(plan.session("S1").map(|s| s.free_slots), Some(2));
        let both = BTreeMap::from([("S1".to_string(), 1), ("S2".to_string(), 4)]);
        let err = set_free_slots(&mut plan, &both).unwrap_err();
        assert_eq!(
            err.to_string(),
            "session S1 has 1 slot(s) booked but would keep only 0 usable; move or unbook some first"
        );
        assert_eq!(plan.session("S2").map(|s| s.free_slots), Some(10), "all or nothing");
        // Growing an over-full session is fine, even if it stays over-full.
        plan.rules.reserve = 1.0;
        set_free_slots(&mut plan, &BTreeMap::from([("S1".to_string(), 3)])).unwrap();
        set_free_slots(&mut plan, &BTreeMap::from([("S2".to_string(), 0)])).unwrap_err();
    }

    #[test]
    fn staff_in_use_stays_and_names_must_tell_clinicians_apart() {
        let mut plan = plan_with_two();
        plan.backlog[1].continuity = crate::model::Continuity::Preferred("GP-JONES".into());
        let err = check_clinician_removable(&plan, "GP-JONES").unwrap_err();
        assert_eq!(err.to_string(), "Dr B Jones has 1 session(s) and 1 patient(s) asking for them; remove those first");
        let (clinicians, roles) = (plan.clinicians.clone(), plan.roles.clone());
        let err = check_role_removable(&plan, &clinicians, "GP").unwrap_err();
        assert!(matches!(err, EditError::RoleInUse { clinicians: 2, .. }), "{err}");

        let without_jones: Vec<Clinician> = clinicians.iter().filter(|c| c.id != "GP-JONES").cloned().collect();
        assert!(matches!(set_staff(&mut plan, without_jones, roles.clone()), Err(EditError::ClinicianInUse { .. })));
        let mut twins = clinicians.clone();
        twins[1].name = " dr a patel ".into();
        assert_eq!(
            set_staff(&mut plan, twins, roles.clone()).unwrap_err().to_string(),
            "two clinicians are called dr a patel; the import could not tell them apart"
        );
        let mut unnamed = clinicians.clone();
        unnamed[0].name = " ".into();
        assert_eq!(set_staff(&mut plan, unnamed, roles.clone()), Err(EditError::ClinicianUnnamed));

        let mut renamed = clinicians;
        renamed[0].name = "Dr A Patel-Shah".into();
        set_staff(&mut plan, renamed, roles).unwrap();
        assert_eq!(plan.clinicians[0].name, "Dr A Patel-Shah");
    }
}
