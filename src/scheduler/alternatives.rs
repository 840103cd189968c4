//! The best other sessions an appointment could move to, for an informed
//! manual move: each eligible, with room after everyone else's bookings, and
//! respecting one appointment per patient per day and the daily caps; ranked
//! by the change in cost against where it is now.

use super::explain::{day_label, days};
use crate::model::{Booking, ContactStatus, Continuity, PartOfDay, Plan};
use crate::rules::cost::{move_cost, placement_cost, unplaced_cost};
use crate::rules::times::assign_start_times;
use crate::rules::usage::{EligibleIndex, Usage};
use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alternative {
    pub session_id: String,
    pub date: NaiveDate,
    pub part: PartOfDay,
    /// Clinician display name.
    pub clinician: String,
    /// The time the appointment would get in that session.
    pub time: NaiveTime,
    /// Objective change if moved there (negative = better).
    pub cost_change: f64,
    /// "Wed 24 Jul AM, Dr A Patel: 2 days sooner, with the usual clinician; better overall".
    pub summary: String,
}

/// Up to `n` other sessions for `appointment_id`, cheapest first (ties: earlier
/// session first). Empty for an unknown appointment.
pub fn alternatives(plan: &Plan, appointment_id: &str, n: usize) -> Vec<Alternative> {
    let Some(item) = plan.backlog_item(appointment_id) else { return Vec::new() };
    let booking = plan.booking(appointment_id);
    let current = booking.and_then(Booking::session).and_then(|s| plan.session(s));
    let current_cost = current.map_or_else(|| unplaced_cost(plan, item), |s| placement_cost(plan, item, s).total);
    // Moving an existing booking costs what a re-plan would charge (S, and M when told).
    let move_cost = booking.map_or(0.0, |b| move_cost(plan, b));
    let usage = Usage::of_bookings(plan, &plan.bookings, Some(appointment_id));
    let mut index = EligibleIndex::new(plan);

    let mut found: Vec<(f64, usize)> = index
        .eligible(item)
        .iter()
        .copied()
        .filter(|&i| Some(plan.sessions[i].id.as_str()) != current.map(|s| s.id.as_str()))
        .filter(|&i| usage.check(item, i).is_ok())
        .map(|i| (placement_cost(plan, item, &plan.sessions[i]).total + move_cost - current_cost, i))
        .collect();
    // Eligible lists are chronological, so a stable sort keeps earlier sessions first on ties.
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    found.truncate(n);

    found
        .into_iter()
        .map(|(change, i)| {
            let session = &plan.sessions[i];
            let clinician =
                plan.clinician(&session.clinician).map_or_else(|| session.clinician.clone(), |c| c.name.clone());
            let mut what = vec![match current {
                None => "places it".to_string(),
                Some(now) => match (session.date - now.date).num_days() {
                    0 => "same day".to_string(),
                    d if d < 0 => format!("{} sooner", days(-d)),
                    d => format!("{} later", days(d)),
                },
            }];
            let there = placement_cost(plan, item, session);
            let here = current.map(|s| placement_cost(plan, item, s));
            if there.late_days > 0 {
                what.push(format!("{} late", days(there.late_days)));
            } else if here.is_some_and(|h| h.late_days > 0) {
                what.push("within target".to_string());
            }
            match (here.map(|h| h.continuity_missed), there.continuity_missed) {
                (Some(true) | None, false) if matches!(item.continuity, Continuity::Preferred(_)) => {
                    what.push("with the usual clinician".to_string());
                }
                (Some(false), true) => what.push("not with the usual clinician".to_string()),
                _ => {}
            }
            if let Some(part) = item.preferred_part {
                match (here.map(|h| h.preference_missed), there.preference_missed) {
                    (Some(true), false) => what.push(format!("in the preferred {}", part.label())),
                    (Some(false), true) => what.push(format!("not in the preferred {}", part.label())),
                    _ => {}
                }
            }
            if current.is_some() && booking.is_some_and(|b| b.contact == ContactStatus::Confirmed) {
                what.push("the patient confirmed the current time".to_string());
            } else if current.is_some() && booking.is_some_and(|b| b.contact.is_communicated()) {
                what.push("the patient was told the current time".to_string());
            }
            let overall = if change < -1e-9 {
                "; better overall"
            } else if change > 1e-9 {
                "; worse overall"
            } else {
                "; as good"
            };
            Alternative {
                session_id: session.id.clone(),
                date: session.date,
                part: session.part,
                time: time_in(plan, appointment_id, &session.id),
                summary: format!(
                    "{} {}, {clinician}: {}{overall}",
                    day_label(session.date),
                    session.part.label(),
                    what.join(", ")
                ),
                clinician,
                cost_change: change,
            }
        })
        .collect()
}

/// The time the appointment would get if added to the session's current bookings.
fn time_in(plan: &Plan, appointment_id: &str, session_id: &str) -> NaiveTime {
    let mut placements: BTreeMap<String, String> = plan
        .bookings
        .iter()
        .filter(|b| b.appointment_id != appointment_id && b.session() == Some(session_id))
        .map(|b| (b.appointment_id.clone(), session_id.to_string()))
        .collect();
    placements.insert(appointment_id.to_string(), session_id.to_string());
    assign_start_times(plan, &placements).get(appointment_id).copied().unwrap_or(NaiveTime::MIN)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{Continuity, Mode, Outcome};
    use crate::test_plans::{item, number_patients, session, small_plan, t};

    #[test]
    fn ranked_by_cost_change_and_respecting_capacity() {
        let mut plan = small_plan();
        plan.sessions[0].free_slots = 2; // 1 usable: taken by X
        plan.sessions.push(session("S2", "GP-JONES", 23, PartOfDay::AM, 10, Mode::FaceToFace));
        plan.sessions.push(session("S3", "GP-PATEL", 24, PartOfDay::PM, 10, Mode::FaceToFace));
        plan.sessions.push(session("S4", "GP-JONES", 29, PartOfDay::AM, 10, Mode::FaceToFace));
        plan.sessions.push(session("N1", "NURSE-KAUR", 23, PartOfDay::AM, 10, Mode::FaceToFace));
        let mut a = item("A", "GP routine", "Routine", (1, 9, 0));
        a.continuity = Continuity::Preferred("GP-PATEL".into());
        plan.backlog = vec![a, item("X", "GP routine", "Routine", (1, 9, 0))];
        number_patients(&mut plan);
        let at = |id: &str, s: &str| Booking {
            appointment_id: id.into(),
            outcome: Outcome::Placed { session: s.into(), time: t(9, 0) },
            pinned: false,
            contact: Default::default(),
            explanation: String::new(),
            changed: None,
        };
        plan.bookings = vec![at("A", "S4"), at("X", "S1")];
        let found = alternatives(&plan, "A", 5);
        // Now: S4 (Mon 29 Jul, wait 7, not with Dr Patel: 7 + 3 = 10).
        // S2: wait 1 + 3 = 4 -> -6; S3: wait 2 with Dr Patel -> -8. S1 is full, N1 is a nurse.
        let ids: Vec<&str> = found.iter().map(|a| a.session_id.as_str()).collect();
        assert_eq!(ids, ["S3", "S2"]);
        // Moving an existing booking costs S = 5 on top.
        assert_eq!(found[0].cost_change, -3.0);
        assert_eq!(found[0].time, t(14, 0));
        assert_eq!(
            found[0].summary,
            "Wed 24 Jul PM, Dr A Patel: 5 days sooner, with the usual clinician; better overall"
        );
        assert_eq!(found[1].summary, "Tue 23 Jul AM, Dr B Jones: 6 days sooner; better overall");
        assert!(found.windows(2).all(|w| w[0].cost_change <= w[1].cost_change));
        assert_eq!(alternatives(&plan, "A", 1).len(), 1);
        assert!(alternatives(&plan, "nobody", 5).is_empty());
    }
}
