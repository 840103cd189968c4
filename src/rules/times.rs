//! Concrete start times inside each session.
//!
//! The optimiser and the baselines decide the session; this gives each patient
//! a time: bookings the patient was already told of (pinned, confirmed or
//! notified, still in the same session) keep their time; then any other
//! booking still in its session keeps its time when that slot is still free
//! (a booking moves when its time changes); then urgent appointments go
//! earliest in the session, then the rest in original appointment order. A double takes consecutive slots; listed free slot times
//! (a fragmented book) are respected.

use super::usage::slots_needed;
use crate::model::{BacklogItem, Booking, Outcome, Plan, Session};
use chrono::NaiveTime;
use std::collections::{BTreeMap, HashMap};

/// Start time for every appointment in `placements` (appointment id -> session id)
/// whose session exists in the plan.
pub fn assign_start_times(plan: &Plan, placements: &BTreeMap<String, String>) -> BTreeMap<String, NaiveTime> {
    let items: HashMap<&str, &BacklogItem> = plan.backlog.iter().map(|b| (b.id.as_str(), b)).collect();
    let sessions: HashMap<&str, &Session> = plan.sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    let told: HashMap<&str, NaiveTime> = plan
        .bookings
        .iter()
        .filter(|b| keeps_time(b))
        .filter_map(|b| match &b.outcome {
            Outcome::Placed { session, time } if placements.get(&b.appointment_id) == Some(session) => {
                Some((b.appointment_id.as_str(), *time))
            }
            _ => None,
        })
        .collect();

    // Every other earlier booking: its session and time.
    let earlier: HashMap<&str, (&str, NaiveTime)> = plan
        .bookings
        .iter()
        .filter_map(|b| match &b.outcome {
            Outcome::Placed { session, time } => Some((b.appointment_id.as_str(), (session.as_str(), *time))),
            Outcome::Unplaced { .. } => None,
        })
        .collect();

    let mut by_session: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (appointment, session) in placements {
        by_session.entry(session.as_str()).or_default().push(appointment.as_str());
    }

    let mut times = BTreeMap::new();
    for (session_id, appointments) in by_session {
        let Some(session) = sessions.get(session_id) else { continue };
        let mut book = SlotBook::new(session);
        let slots_of = |id: &str| items.get(id).map_or(1, |i| slots_needed(i));
        let (fixed, mut rest): (Vec<&str>, Vec<&str>) = appointments.into_iter().partition(|id| told.contains_key(id));
        for id in fixed {
            let time = told[id];
            book.occupy_at(time, slots_of(id));
            times.insert(id.to_string(), time);
        }
        rest.sort_by(|a, b| order_key(plan, items.get(a).copied(), a).cmp(&order_key(plan, items.get(b).copied(), b)));
        let mut others = Vec::new();
        for id in rest {
            match earlier.get(id).filter(|(s, _)| *s == session_id) {
                Some((_, time)) if book.try_occupy(*time, slots_of(id)) => {
                    times.insert(id.to_string(), *time);
                }
                _ => others.push(id),
            }
        }
        for id in others {
            times.insert(id.to_string(), book.take(slots_of(id)));
        }
    }
    times
}

/// The patient was told this time (or it was fixed by hand): a re-timing keeps it.
pub fn keeps_time(booking: &Booking) -> bool {
    booking.is_fixed() || booking.contact.is_communicated()
}

/// Urgent first, then original appointment order; unknown ids last, by id.
fn order_key<'a>(
    plan: &Plan,
    item: Option<&'a BacklogItem>,
    id: &'a str,
) -> (bool, (chrono::NaiveDate, NaiveTime, &'a str)) {
    match item {
        Some(item) => (plan.rules.priority_rank(&item.priority) != 0, item.original_key()),
        None => (true, (chrono::NaiveDate::MAX, NaiveTime::MIN, id)),
    }
}

/// Which of a session's slot starts are taken.
struct SlotBook {
    starts: Vec<NaiveTime>,
    minutes: i64,
    taken: Vec<bool>,
    fallback: NaiveTime,
}

impl SlotBook {
    fn new(session: &Session) -> SlotBook {
        let starts = session.slot_starts();
        SlotBook {
            taken: vec![false; starts.len()],
            starts,
            minutes: i64::from(session.slot_minutes),
            fallback: session.start,
        }
    }

    /// Marks every slot overlapping [time, time + n slots) as taken.
    fn occupy_at(&mut self, time: NaiveTime, n: u32) {
        let end = time + chrono::Duration::minutes(self.minutes * i64::from(n.max(1)));
        for (i, start) in self.starts.iter().enumerate() {
            let slot_end = *start + chrono::Duration::minutes(self.minutes.max(1));
            if *start < end && time < slot_end {
                self.taken[i] = true;
            }
        }
    }

    /// Takes the `n` slots that run on from `time` when it is a slot start and
    /// they are all free; false (nothing taken) otherwise.
    fn try_occupy(&mut self, time: NaiveTime, n: u32) -> bool {
        let n = n.max(1) as usize;
        let Some(i) = self.starts.iter().position(|s| *s == time) else { return false };
        let fits = i + n <= self.starts.len()
            && (i..i + n).all(|k| !self.taken[k])
            && (1..n).all(|k| self.starts[i + k] == time + chrono::Duration::minutes(self.minutes * k as i64));
        if fits {
            self.taken[i..i + n].iter_mut().for_each(|t| *t = true);
        }
        fits
    }

    /// Takes the first `n` free slots that run on without a gap; failing that
    /// (a fragmented book), the first `n` free neighbouring slots in the list;
    /// failing that, the first free slot. Returns the start time.
    fn take(&mut self, n: u32) -> NaiveTime {
        let n = n.max(1) as usize;
        let len = self.starts.len();
        let free_run = |i: usize| i + n <= len && (i..i + n).all(|k| !self.taken[k]);
        let contiguous = |i: usize| {
            (1..n).all(|k| self.starts[i + k] == self.starts[i] + chrono::Duration::minutes(self.minutes * k as i64))
        };
        let chosen = (0..len)
            .find(|&i| free_run(i) && contiguous(i))
            .or_else(|| (0..len).find(|&i| free_run(i)))
            .map(|i| (i, n))
            .or_else(|| (0..len).find(|&i| !self.taken[i]).map(|i| (i, 1)));
        match chosen {
            Some((i, count)) => {
                self.taken[i..i + count].iter_mut().for_each(|t| *t = true);
                self.starts[i]
            }
            None => self.starts.first().copied().unwrap_or(self.fallback),
        }
    }
}

/// Re-times every booking placed in the given sessions (all sessions when
/// `only` is None), writing the times into `bookings`.
pub fn retime(plan: &Plan, bookings: &mut [Booking], only: Option<&[&str]>) {
    let placements: BTreeMap<String, String> = bookings
        .iter()
        .filter_map(|b| b.session().map(|s| (b.appointment_id.clone(), s.to_string())))
        .filter(|(_, s)| only.is_none_or(|list| list.contains(&s.as_str())))
        .collect();
    let times = assign_start_times(plan, &placements);
    for booking in bookings.iter_mut() {
        if let (Outcome::Placed { time, .. }, Some(new)) = (&mut booking.outcome, times.get(&booking.appointment_id)) {
            *time = *new;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::test_plans::{item, small_plan, t};

    fn place(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(a, s)| (a.to_string(), s.to_string())).collect()
    }

    #[test]
    fn urgent_first_then_original_order() {
        let mut plan = small_plan();
        plan.backlog = vec![
            item("A", "GP routine", "Routine", (22, 9, 0)),
            item("B", "GP routine", "Urgent", (23, 9, 0)),
            item("C", "GP routine", "Soon", (19, 8, 0)),
        ];
        let times = assign_start_times(&plan, &place(&[("A", "S1"), ("B", "S1"), ("C", "S1")]));
        assert_eq!(times["B"], t(9, 0));
        assert_eq!(times["C"], t(9, 10));
        assert_eq!(times["A"], t(9, 20));
    }

    #[test]
    fn doubles_take_consecutive_slots_and_listed_times_are_respected() {
        let mut plan = small_plan();
        plan.sessions[0].slot_times = vec![t(9, 0), t(9, 30), t(9, 40), t(10, 0)];
        plan.backlog =
            vec![item("A", "GP routine", "Urgent", (22, 9, 0)), item("D", "GP routine", "Routine", (1, 9, 0))];
        plan.backlog[1].slots = 2;
        let times = assign_start_times(&plan, &place(&[("A", "S1"), ("D", "S1")]));
        assert_eq!(times["A"], t(9, 0));
        // 09:30 and 09:40 run on; 09:00 is taken and 10:00 has no neighbour.
        assert_eq!(times["D"], t(9, 30));
    }

    #[test]
    fn fixed_bookings_keep_their_time() {
        let mut plan = small_plan();
        plan.backlog =
            vec![item("A", "GP routine", "Urgent", (22, 9, 0)), item("P", "GP routine", "Routine", (1, 9, 0))];
        plan.bookings = vec![Booking {
            appointment_id: "P".into(),
            outcome: Outcome::Placed { session: "S1".into(), time: t(9, 0) },
            pinned: true,
            contact: Default::default(),
            explanation: String::new(),
            changed: None,
        }];
        let times = assign_start_times(&plan, &place(&[("A", "S1"), ("P", "S1")]));
        assert_eq!(times["P"], t(9, 0));
        assert_eq!(times["A"], t(9, 10));
    }
}
