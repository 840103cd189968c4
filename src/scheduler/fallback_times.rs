//! Start times inside each session until `times.rs` (report helper) lands:
//! fixed and unmoved bookings keep their time, then the most urgent first,
//! then original-appointment order, each on the first free run of slots it needs.

use crate::model::{Outcome, Plan};
use chrono::NaiveTime;
use std::collections::BTreeMap;

pub fn assign_start_times(plan: &Plan, placements: &BTreeMap<String, String>) -> BTreeMap<String, NaiveTime> {
    let mut per_session: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let index: BTreeMap<&str, usize> = plan.backlog.iter().enumerate().map(|(i, b)| (b.id.as_str(), i)).collect();
    for (id, session) in placements {
        if let Some(&i) = index.get(id.as_str()) {
            per_session.entry(session.as_str()).or_default().push(i);
        }
    }
    let kept: BTreeMap<&str, NaiveTime> = plan
        .bookings
        .iter()
        .filter_map(|b| match &b.outcome {
            Outcome::Placed { session, time } if placements.get(&b.appointment_id) == Some(session) => {
                Some((b.appointment_id.as_str(), *time))
            }
            _ => None,
        })
        .collect();
    let mut times = BTreeMap::new();
    for (session_id, mut items) in per_session {
        let Some(session) = plan.session(session_id) else { continue };
        let starts = session.slot_starts();
        let mut used = vec![false; starts.len()];
        items.sort_by(|&a, &b| {
            let (x, y) = (&plan.backlog[a], &plan.backlog[b]);
            (plan.rules.priority_rank(&x.priority), x.original_key())
                .cmp(&(plan.rules.priority_rank(&y.priority), y.original_key()))
        });
        let mut rest = Vec::new();
        for i in items {
            let item = &plan.backlog[i];
            match kept.get(item.id.as_str()).and_then(|t| starts.iter().position(|s| s == t)) {
                Some(p) => {
                    for u in used.iter_mut().skip(p).take(item.slots.max(1) as usize) {
                        *u = true;
                    }
                    times.insert(item.id.clone(), starts[p]);
                }
                None => rest.push(i),
            }
        }
        for i in rest {
            let item = &plan.backlog[i];
            let need = item.slots.max(1) as usize;
            let run = (0..starts.len()).find(|&p| p + need <= starts.len() && used[p..p + need].iter().all(|u| !u));
            let p = run.or_else(|| used.iter().position(|u| !u)).unwrap_or(0);
            for u in used.iter_mut().skip(p).take(need) {
                *u = true;
            }
            times.insert(item.id.clone(), starts.get(p).copied().unwrap_or(session.start));
        }
    }
    times
}
