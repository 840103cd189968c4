//! An independent checker of the hard constraints of `model.md`, used by tests
//! of every placer (optimiser, baselines, edits): it says what is broken, one
//! sentence per violation, naming the appointment and session.
//!
//! It counts slots, patient-days and clinician-days itself rather than with
//! `usage::Usage`, so a mistake there cannot hide from it.

use super::cost::check_eligible;
use crate::model::nhs::{PatientKey, patient_key};
use crate::model::{BacklogItem, Booking, Outcome, Plan, Session};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// Every hard constraint `bookings` break in `plan` (empty when all hold):
/// at most one booking per appointment; known appointment and session;
/// eligibility (`check_eligible`); usable capacity; one appointment per patient
/// per day (by the digits of the NHS number, or by appointment when it has none); clinicians'
/// daily caps; pinned and confirmed bookings of `plan.bookings` unmoved; each
/// time a slot start of its session, with no two appointments sharing a slot.
pub fn violations(plan: &Plan, bookings: &[Booking]) -> Vec<String> {
    let mut out = Vec::new();
    let items: HashMap<&str, &BacklogItem> = plan.backlog.iter().map(|b| (b.id.as_str(), b)).collect();
    let sessions: HashMap<&str, &Session> = plan.sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut used: BTreeMap<&str, u32> = BTreeMap::new();
    let mut patient_days: BTreeMap<(PatientKey<'_>, NaiveDate), Vec<&str>> = BTreeMap::new();
    let mut clinician_days: BTreeMap<(&str, NaiveDate), u32> = BTreeMap::new();
    // Per session: (slot index, appointment) of every slot taken, for overlaps.
    let mut taken: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();

    for booking in bookings {
        let id = booking.appointment_id.as_str();
        *seen.entry(id).or_default() += 1;
        if seen[id] == 2 {
            out.push(format!("appointment {id} has more than one booking"));
        }
        let Some(item) = items.get(id) else {
            out.push(format!("booking for unknown appointment {id}"));
            continue;
        };
        let Outcome::Placed { session: session_id, time } = &booking.outcome else { continue };
        let Some(session) = sessions.get(session_id.as_str()) else {
            out.push(format!("appointment {id} is placed in unknown session {session_id}"));
            continue;
        };
        if let Err(why) = check_eligible(plan, item, session) {
            out.push(format!("appointment {id} in session {session_id}: {}", why.describe()));
        }
        let slots = item.slots.max(1);
        *used.entry(session.id.as_str()).or_default() += slots;
        // Who is the same patient is the model's rule (`nhs::patient_key`), shared with the optimiser.
        let same_day = patient_days.entry((patient_key(item), session.date)).or_default();
        if let Some(other) = same_day.first() {
            out.push(format!("appointment {id}: the patient already has appointment {other} on {}", session.date));
        }
        same_day.push(id);
        let count = clinician_days.entry((session.clinician.as_str(), session.date)).or_default();
        *count += 1;
        let cap = plan.clinician(&session.clinician).and_then(|c| plan.daily_cap(c));
        if cap.is_some_and(|cap| *count > cap) {
            out.push(format!(
                "appointment {id}: clinician {} is over their daily cap on {}",
                session.clinician, session.date
            ));
        }
        let starts = session.slot_starts();
        match starts.iter().position(|s| s == time) {
            Some(first) => {
                let count = slots as usize;
                if first + count > starts.len() {
                    out.push(format!("appointment {id} at {time} runs past the last slot of session {session_id}"));
                }
                taken.entry(session.id.as_str()).or_default().extend((first..first + count).map(|k| (k, id)));
            }
            None => out.push(format!("appointment {id} at {time} is not at a slot start of session {session_id}")),
        }
    }

    for (session_id, slots) in &used {
        let usable = sessions.get(session_id).map_or(0, |s| s.usable_slots(&plan.rules));
        if *slots > usable {
            out.push(format!("session {session_id} is over-full: {slots} slots used of {usable} usable"));
        }
    }
    for (session_id, mut list) in taken {
        list.sort();
        for pair in list.windows(2) {
            if pair[0].0 == pair[1].0 {
                let at = sessions.get(session_id).and_then(|s| s.slot_starts().get(pair[0].0).copied());
                out.push(format!(
                    "appointments {} and {} share the slot at {} in session {session_id}",
                    pair[0].1,
                    pair[1].1,
                    at.map(|t| t.to_string()).unwrap_or_default(),
                ));
            }
        }
    }

    let now: HashMap<&str, Option<&str>> = bookings.iter().map(|b| (b.appointment_id.as_str(), b.session())).collect();
    // A fixed booking whose session was cancelled must move (the solver frees it too).
    let live = |b: &&Booking| b.session().and_then(|s| plan.session(s)).is_some_and(|s| !s.cancelled);
    for fixed in plan.bookings.iter().filter(|b| b.is_fixed()).filter(live) {
        let id = fixed.appointment_id.as_str();
        if now.get(id).copied().flatten() != fixed.session() {
            out.push(format!("appointment {id} is pinned or confirmed but was moved"));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{ContactStatus, Mode, PartOfDay};
    use crate::test_plans::{item, number_patients, session, small_plan, t};

    fn placed(id: &str, session: &str, time: chrono::NaiveTime) -> Booking {
        Booking {
            appointment_id: id.into(),
            outcome: Outcome::Placed { session: session.into(), time },
            pinned: false,
            contact: ContactStatus::NotContacted,
            explanation: String::new(),
            changed: None,
        }
    }

    #[test]
    fn a_valid_set_has_no_violations() {
        let mut plan = small_plan();
        plan.backlog =
            vec![item("A", "GP routine", "Routine", (1, 9, 0)), item("B", "GP routine", "Routine", (1, 9, 0))];
        number_patients(&mut plan);
        let bookings = vec![placed("A", "S1", t(9, 0)), placed("B", "S1", t(9, 10))];
        assert_eq!(violations(&plan, &bookings), Vec::<String>::new());
    }

    #[test]
    fn finds_each_kind_of_violation() {
        let mut plan = small_plan();
        plan.sessions.push(session("N1", "NURSE-KAUR", 22, PartOfDay::PM, 5, Mode::FaceToFace));
        plan.sessions[0].free_slots = 2; // 1 usable
        plan.backlog = vec![
            item("A", "GP routine", "Routine", (1, 9, 0)),
            item("B", "GP routine", "Routine", (1, 9, 0)),
            item("C", "GP routine", "Routine", (1, 9, 0)),
        ];
        number_patients(&mut plan);
        plan.backlog[2].patient.nhs_number = plan.backlog[1].patient.nhs_number.clone();
        let bookings = vec![
            placed("A", "S1", t(9, 0)),
            placed("B", "S1", t(9, 0)),
            placed("C", "N1", t(14, 0)),
            placed("A", "S1", t(9, 5)),
        ];
        let found = violations(&plan, &bookings).join("\n");
        assert!(found.contains("A has more than one booking"), "{found}");
        assert!(found.contains("C in session N1: the clinician's role does not see this type"), "{found}");
        assert!(found.contains("C: the patient already has appointment B on 2024-07-22"), "{found}");
        assert!(found.contains("session S1 is over-full"), "{found}");
        assert!(found.contains("share the slot at 09:00:00"), "{found}");
        assert!(found.contains("at 09:05:00 is not at a slot start"), "{found}");
    }

    #[test]
    fn pinned_bookings_must_not_move_and_caps_hold() {
        let mut plan = small_plan();
        plan.sessions.push(session("S2", "GP-PATEL", 22, PartOfDay::PM, 10, Mode::FaceToFace));
        plan.clinicians[0].daily_cap = Some(1);
        plan.backlog =
            vec![item("A", "GP routine", "Routine", (1, 9, 0)), item("B", "GP routine", "Routine", (1, 9, 0))];
        number_patients(&mut plan);
        plan.bookings = vec![Booking { pinned: true, ..placed("A", "S1", t(9, 0)) }];
        let found = violations(&plan, &[placed("A", "S2", t(14, 0)), placed("B", "S1", t(9, 0))]).join("\n");
        assert!(found.contains("A is pinned or confirmed but was moved"), "{found}");
        assert!(found.contains("B: clinician GP-PATEL is over their daily cap"), "{found}");
    }
}
