//! The hand-back: class counts become one booking per backlog item, with times.

use crate::model::{Booking, ContactStatus, Outcome, Plan};
use crate::scheduler::classes::ClassModel;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Turns class counts into one booking per backlog item: within a class the
/// earliest original appointment gets the cheapest place.
pub(super) fn hand_back(plan: &Plan, model: &ClassModel, counts: &[Vec<u32>]) -> Vec<Booking> {
    let previous: BTreeMap<&str, &Booking> = plan.bookings.iter().map(|b| (b.appointment_id.as_str(), b)).collect();
    let mut placement: Vec<Option<usize>> = vec![None; plan.backlog.len()];
    for (c, class) in model.classes.iter().enumerate() {
        let mut places: Vec<(f64, NaiveDate, usize)> = Vec::new();
        for (e, edge) in class.edges.iter().enumerate() {
            for _ in 0..counts[c][e] {
                places.push((edge.cost(), model.session_dates[edge.session()], edge.session()));
            }
        }
        places.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        for (&item, place) in class.items.iter().zip(places) {
            placement[item] = Some(place.2);
        }
    }
    let fixed: BTreeMap<usize, usize> = model.fixed.iter().copied().collect();
    let mut by_session: BTreeMap<String, String> = BTreeMap::new();
    for (i, item) in plan.backlog.iter().enumerate() {
        if let Some(s) = fixed.get(&i).copied().or(placement[i]) {
            by_session.insert(item.id.clone(), plan.sessions[s].id.clone());
        }
    }
    let times = crate::rules::times::assign_start_times(plan, &by_session);
    plan.backlog
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let before = previous.get(item.id.as_str()).copied();
            if fixed.contains_key(&i)
                && let Some(booking) = before
            {
                return booking.clone();
            }
            match (by_session.get(&item.id), times.get(&item.id)) {
                (Some(session), Some(time)) => {
                    let same = before.filter(|b| b.session() == Some(session.as_str()));
                    Booking {
                        appointment_id: item.id.clone(),
                        outcome: Outcome::Placed { session: session.clone(), time: *time },
                        pinned: false,
                        contact: same.map_or(ContactStatus::NotContacted, |b| b.contact),
                        explanation: String::new(),
                        // The user's record of that contact stays with it; a solve sets none.
                        changed: same.and_then(|b| b.changed.clone()),
                    }
                }
                // The reason is written by `explain_all`, which names the binding constraint.
                _ => Booking {
                    appointment_id: item.id.clone(),
                    outcome: Outcome::Unplaced { reason: crate::model::UnplacedReason::NotExplained },
                    pinned: false,
                    contact: ContactStatus::NotContacted,
                    explanation: String::new(),
                    changed: None,
                },
            }
        })
        .collect()
}
