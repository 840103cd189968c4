//! The two simple baselines the report sets beside the optimiser, on the same
//! input and under the same hard constraints:
//! - *FIFO*: what reception does by hand: appointments in original order, each
//!   into the first eligible session with room (earliest date, AM before PM,
//!   earliest free time);
//! - *priority-greedy*: most urgent first, then earliest deadline, then
//!   original order, each into the first eligible session with room.
//!
//! Pinned and confirmed bookings stay where they are and take capacity first;
//! bookings the patient was told of stay too where they still fit, so the
//! comparison is of the same work.

use crate::model::{BacklogItem, Booking, Outcome, Plan};
use crate::rules::cost::{deadline, horizon_start, is_eligible};
use crate::rules::times::assign_start_times;
use crate::rules::usage::{EligibleIndex, Usage};
use chrono::NaiveTime;
use std::collections::{BTreeMap, HashMap};

/// FIFO: original appointment order, first free eligible slot.
pub fn fifo(plan: &Plan) -> Vec<Booking> {
    let mut order: Vec<&BacklogItem> = plan.backlog.iter().collect();
    order.sort_by(|a, b| a.original_key().cmp(&b.original_key()));
    place_in_order(plan, &order)
}

/// Priority-greedy: urgent first, then earliest deadline, then original order.
pub fn priority_greedy(plan: &Plan) -> Vec<Booking> {
    let start = horizon_start(plan);
    let mut order: Vec<(usize, Option<chrono::NaiveDate>, &BacklogItem)> = plan
        .backlog
        .iter()
        .map(|item| (plan.rules.priority_rank(&item.priority), start.and_then(|s| deadline(plan, item, s)), item))
        .collect();
    order.sort_by(|a, b| (a.0, a.1, a.2.original_key()).cmp(&(b.0, b.1, b.2.original_key())));
    place_in_order(plan, &order.into_iter().map(|(_, _, item)| item).collect::<Vec<_>>())
}

/// Places `order` one by one into the first session with room, after the
/// fixed bookings; returns one booking per backlog item, in backlog order,
/// timed. Not explained: the report explains only the baselines' late and
/// unplaced appointments, which is all it shows of them (explaining every
/// booking was a third of a hub solve).
fn place_in_order(plan: &Plan, order: &[&BacklogItem]) -> Vec<Booking> {
    let items: HashMap<&str, &BacklogItem> = plan.backlog.iter().map(|b| (b.id.as_str(), b)).collect();
    let mut usage = Usage::new(plan);
    let mut index = EligibleIndex::new(plan);
    let mut kept: HashMap<&str, &Booking> = HashMap::new();
    let mut placements: BTreeMap<String, String> = BTreeMap::new();

    // Like with like: what the practice has already arranged stays, as in the
    // plan compared with: pinned and confirmed bookings first, then bookings
    // the patient was told of, where they still fit. Declined sessions and
    // withdrawn items are the backlog's own, so every baseline sees them too.
    let told = plan.bookings.iter().filter(|b| !b.is_fixed() && b.contact.is_communicated());
    for booking in plan.bookings.iter().filter(|b| b.is_fixed()).chain(told) {
        let id = booking.appointment_id.as_str();
        if let (Some(item), Some(idx)) = (items.get(id), booking.session().and_then(|s| usage.index(s)))
            && !kept.contains_key(id)
            && !usage.session(idx).cancelled
            && (booking.is_fixed() || (is_eligible(plan, item, usage.session(idx)) && usage.check(item, idx).is_ok()))
        {
            usage.add(item, idx);
            kept.insert(id, booking);
            placements.insert(id.to_string(), usage.session(idx).id.clone());
        }
    }

    for item in order.iter().filter(|i| !kept.contains_key(i.id.as_str()) && !plan.is_withdrawn(&i.id)) {
        let eligible = index.eligible(item);
        if let Some(idx) = first_free(&usage, item, &eligible) {
            usage.add(item, idx);
            placements.insert(item.id.clone(), usage.session(idx).id.clone());
        }
    }

    let times = assign_start_times(plan, &placements);
    let bookings: Vec<Booking> = plan
        .backlog
        .iter()
        .map(|item| {
            let previous = kept.get(item.id.as_str());
            let outcome = match (placements.get(&item.id), times.get(&item.id)) {
                (Some(session), Some(time)) => Outcome::Placed { session: session.clone(), time: *time },
                _ => Outcome::Unplaced { reason: crate::model::UnplacedReason::NotExplained },
            };
            Booking {
                appointment_id: item.id.clone(),
                outcome,
                pinned: previous.is_some_and(|b| b.pinned),
                contact: previous.map(|b| b.contact).unwrap_or_default(),
                explanation: String::new(),
                changed: None,
            }
        })
        .collect();
    bookings
}

/// The first session of `eligible` (chronological) with room for `item`: the
/// earliest date and part of day with any room, then the one whose next free
/// slot is earliest.
fn first_free(usage: &Usage, item: &BacklogItem, eligible: &[usize]) -> Option<usize> {
    let mut best: Option<(usize, NaiveTime)> = None;
    for &idx in eligible {
        let session = usage.session(idx);
        if let Some((chosen, _)) = best {
            let chosen = usage.session(chosen);
            if (session.date, session.part) != (chosen.date, chosen.part) {
                break;
            }
        }
        if usage.check(item, idx).is_err() {
            continue;
        }
        let next = next_free_time(usage, idx);
        if best.is_none_or(|(_, time)| next < time) {
            best = Some((idx, next));
        }
    }
    best.map(|(idx, _)| idx)
}

/// Start of the first slot not yet used in session `idx` (slots fill from the start).
fn next_free_time(usage: &Usage, idx: usize) -> NaiveTime {
    let session = usage.session(idx);
    let used = usage.used(idx);
    if session.slot_times.is_empty() {
        session.start + chrono::Duration::minutes(i64::from(used) * i64::from(session.slot_minutes))
    } else {
        session.slot_starts().get(used as usize).copied().unwrap_or(session.start)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{ContactStatus, Mode, PartOfDay};
    use crate::rules::check::violations;
    use crate::test_plans::{item, number_patients, session, small_plan, t};

    /// Two GP sessions Mon AM (S1, 8 usable) and Tue AM (S2, 1 usable); 9 routine then 1 urgent.
    fn crowded() -> Plan {
        let mut plan = small_plan();
        plan.sessions.push(session("S2", "GP-JONES", 23, PartOfDay::AM, 2, Mode::FaceToFace));
        plan.backlog = (0..9).map(|i| item(&format!("R{i}"), "GP routine", "Routine", (1, 9, i))).collect();
        plan.backlog.push(item("U", "GP urgent", "Urgent", (2, 9, 0)));
        number_patients(&mut plan);
        plan
    }

    fn session_of<'a>(bookings: &'a [Booking], id: &str) -> Option<&'a str> {
        bookings.iter().find(|b| b.appointment_id == id).and_then(|b| b.session())
    }

    #[test]
    fn fifo_fills_in_original_order_and_urgent_loses_out() {
        let plan = crowded();
        let bookings = fifo(&plan);
        assert_eq!(bookings.len(), 10);
        assert_eq!(violations(&plan, &bookings), Vec::<String>::new());
        assert!((0..8).all(|i| session_of(&bookings, &format!("R{i}")) == Some("S1")));
        assert_eq!(session_of(&bookings, "R8"), Some("S2"));
        assert_eq!(session_of(&bookings, "U"), None);
        // A baseline writes no words; the report explains what it shows, from the plan.
        let unplaced = bookings.iter().find(|b| b.appointment_id == "U").unwrap();
        assert!(matches!(&unplaced.outcome, Outcome::Unplaced { reason } if !reason.is_explained()));
        let why = crate::scheduler::explain::Explainer::new(&plan, &bookings).unplaced("U").unwrap().describe(&plan);
        assert!(why.contains("full"), "{why}");
    }

    #[test]
    fn greedy_puts_urgent_first() {
        let plan = crowded();
        let bookings = priority_greedy(&plan);
        assert_eq!(violations(&plan, &bookings), Vec::<String>::new());
        assert_eq!(session_of(&bookings, "U"), Some("S1"));
        let urgent = bookings.iter().find(|b| b.appointment_id == "U").unwrap();
        assert!(matches!(urgent.outcome, Outcome::Placed { time, .. } if time == t(9, 0)));
        assert_eq!(session_of(&bookings, "R8"), None);
    }

    #[test]
    fn told_bookings_stay_and_cancelled_sessions_keep_nothing() {
        let mut plan = crowded();
        let booking = |id: &str, session: &str, contact: ContactStatus, pinned: bool| Booking {
            appointment_id: id.into(),
            outcome: Outcome::Placed { session: session.into(), time: t(9, 0) },
            pinned,
            contact,
            explanation: String::new(),
            changed: None,
        };
        // R8 was told of Tuesday; R0 is pinned on Monday, but Monday is then cancelled.
        plan.bookings = vec![
            booking("R8", "S2", ContactStatus::Notified, false),
            booking("R0", "S1", ContactStatus::NotContacted, true),
        ];
        plan.sessions[0].cancelled = true;
        for bookings in [fifo(&plan), priority_greedy(&plan)] {
            assert_eq!(violations(&plan, &bookings), Vec::<String>::new());
            assert_eq!(session_of(&bookings, "R8"), Some("S2"), "the told patient keeps their time");
            assert_eq!(session_of(&bookings, "R0"), None, "nothing stays in a cancelled session");
        }
    }

    #[test]
    fn fixed_bookings_stay_and_one_per_patient_per_day_holds() {
        let mut plan = crowded();
        plan.backlog[1].patient.nhs_number = plan.backlog[0].patient.nhs_number.clone();
        plan.bookings = vec![Booking {
            appointment_id: "R5".into(),
            outcome: Outcome::Placed { session: "S2".into(), time: t(9, 0) },
            pinned: false,
            contact: ContactStatus::Confirmed,
            explanation: String::new(),
            changed: None,
        }];
        let bookings = fifo(&plan);
        assert_eq!(violations(&plan, &bookings), Vec::<String>::new());
        assert_eq!(session_of(&bookings, "R5"), Some("S2"));
        // R1 is R0's patient: not on Monday again, and Tuesday's one slot is taken by R5.
        assert_eq!(session_of(&bookings, "R1"), None);
    }
}
