//! The optimiser's promises: no hard constraint broken, never worse than a
//! first-fit, optimal on tiny plans, fixed bookings stay, re-plans move only
//! what they must, and the same plan always gives the same saved file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rebook::io::plan_file;
use rebook::model::nhs::test_numbers;
use rebook::model::{
    BacklogItem, Booking, Clinician, ContactStatus, Continuity, DaySpec, Horizon, Mode, ModeRequirement, Outcome,
    PartOfDay, Patient, Plan, Session, Unavailability,
};
use rebook::rules::cost::{check_eligible, objective};
use rebook::scheduler::{self, SolveError, SolveOptions};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::AtomicBool;

fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 7, 22).unwrap() + chrono::Duration::days(i64::from(n))
}

fn clinician(id: &str, role: &str) -> Clinician {
    crate::test_plans::clinician(id, &format!("{role} {id}"), role)
}

fn session(id: &str, clinician: &str, d: u32, part: PartOfDay, free_slots: u32, mode: Mode) -> Session {
    Session {
        id: id.into(),
        clinician: clinician.into(),
        date: day(d),
        part,
        start: NaiveTime::from_hms_opt(if part == PartOfDay::AM { 9 } else { 14 }, 0, 0).unwrap(),
        slot_minutes: 10,
        free_slots,
        mode,
        slot_times: vec![],
        cancelled: false,
    }
}

fn item(id: &str, kind: &str, slots: u32, priority: &str, nhs: &str, order: u32) -> BacklogItem {
    BacklogItem {
        id: id.into(),
        patient: Patient { nhs_number: nhs.into(), name: format!("TEST, Patient {id}"), ..Patient::default() },
        original_date: NaiveDate::from_ymd_opt(2024, 7, 15).unwrap(),
        original_time: NaiveTime::from_hms_opt(8 + order / 6, 10 * (order % 6), 0),
        original_clinician: String::new(),
        appointment_type: kind.into(),
        slots,
        priority: priority.into(),
        mode: ModeRequirement::Any,
        continuity: Continuity::None,
        unavailable: vec![],
        preferred_part: None,
        earliest_date: None,
        see_by: None,
        notes: String::new(),
        declined_sessions: vec![],
    }
}

fn base_plan() -> Plan {
    let mut plan = Plan::new("Test Surgery");
    plan.horizon = Some(Horizon { start: day(0), end: day(4) });
    plan.clinicians = vec![clinician("GP1", "GP"), clinician("GP2", "GP"), clinician("N1", "Practice nurse")];
    plan
}

/// A random small plan: up to `max_items` items and `max_sessions` sessions, with
/// repeated patients, doubles, modes, continuity, unavailability, caps and cancellations.
fn random_plan(seed: u64, max_items: usize, max_sessions: usize) -> Plan {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut plan = base_plan();
    let clinicians = ["GP1", "GP2", "N1"];
    for s in 0..rng.random_range(1..=max_sessions) {
        let part = if rng.random_bool(0.5) { PartOfDay::AM } else { PartOfDay::PM };
        let mode = if rng.random_bool(0.3) { Mode::Telephone } else { Mode::FaceToFace };
        let mut sess = session(
            &format!("S{s}"),
            clinicians[rng.random_range(0..3)],
            rng.random_range(0..3),
            part,
            rng.random_range(1..=5),
            mode,
        );
        sess.cancelled = s > 0 && rng.random_bool(0.1);
        plan.sessions.push(sess);
    }
    if rng.random_bool(0.3) {
        plan.rules.clinician_daily_cap = Some(rng.random_range(1..=3));
    }
    let numbers: Vec<String> = test_numbers().take(8).collect();
    let n = rng.random_range(1..=max_items);
    let kinds = [("GP routine", 1), ("GP double", 2), ("Nurse bloods", 1), ("GP urgent", 1)];
    let priorities = ["Urgent", "Soon", "Routine"];
    for i in 0..n {
        let (kind, slots) = kinds[rng.random_range(0..kinds.len())];
        let nhs = &numbers[rng.random_range(0..(n / 2 + 1).min(numbers.len()))];
        let mut it = item(&format!("A{i}"), kind, slots, priorities[rng.random_range(0..3)], nhs, i as u32);
        it.mode =
            [ModeRequirement::Any, ModeRequirement::FaceToFace, ModeRequirement::Telephone][rng.random_range(0..3)];
        it.continuity = match rng.random_range(0..6) {
            0 => Continuity::Preferred("GP1".into()),
            1 => Continuity::Required("GP2".into()),
            _ => Continuity::None,
        };
        if rng.random_bool(0.2) {
            let weekday = [Weekday::Mon, Weekday::Tue, Weekday::Wed][rng.random_range(0..3)];
            let part = [None, Some(PartOfDay::AM), Some(PartOfDay::PM)][rng.random_range(0..3)];
            it.unavailable.push(Unavailability { day: DaySpec::Weekday(weekday), part });
        }
        if rng.random_bool(0.2) {
            it.preferred_part = Some(PartOfDay::PM);
        }
        if rng.random_bool(0.1) {
            it.earliest_date = Some(day(1));
        }
        if rng.random_bool(0.1) {
            it.see_by = Some(day(rng.random_range(0..3)));
        }
        plan.backlog.push(it);
    }
    plan
}

fn solve(plan: &Plan) -> scheduler::SolveResult {
    scheduler::solve_and_explain(plan, &SolveOptions::default(), &mut |_| {}, &AtomicBool::new(false)).unwrap()
}

fn patient_of(plan: &Plan, id: &str) -> String {
    plan.backlog_item(id).unwrap().patient.nhs_number.clone()
}

/// Every hard constraint of model.md, checked from scratch on the bookings, and
/// by the shared independent checker.
fn assert_hard_constraints(plan: &Plan, bookings: &[Booking]) {
    let broken = rebook::rules::check::violations(plan, bookings);
    assert!(broken.is_empty(), "{broken:#?}");
    assert_eq!(bookings.len(), plan.backlog.len(), "one booking per backlog item");
    let ids: BTreeSet<&str> = bookings.iter().map(|b| b.appointment_id.as_str()).collect();
    assert_eq!(ids.len(), bookings.len(), "each appointment at most once");
    let fixed_before: BTreeMap<&str, &Booking> =
        plan.bookings.iter().filter(|b| b.is_fixed()).map(|b| (b.appointment_id.as_str(), b)).collect();
    let mut used: BTreeMap<&str, u32> = BTreeMap::new();
    let mut patient_days: BTreeSet<(String, NaiveDate)> = BTreeSet::new();
    let mut clinician_days: BTreeMap<(String, NaiveDate), u32> = BTreeMap::new();
    for b in bookings {
        if let Some(before) = fixed_before.get(b.appointment_id.as_str())
            && plan.session(before.session().unwrap()).is_some_and(|s| !s.cancelled)
        {
            let kept = (&b.outcome, b.pinned, b.contact) == (&before.outcome, before.pinned, before.contact);
            assert!(kept, "fixed booking {} moved or changed: {b:?} was {before:?}", b.appointment_id);
        }
        let Some(session_id) = b.session() else { continue };
        let session = plan.session(session_id).unwrap();
        let item = plan.backlog_item(&b.appointment_id).unwrap();
        if !fixed_before.contains_key(item.id.as_str()) {
            assert_eq!(check_eligible(plan, item, session), Ok(()), "{} in {}", item.id, session.id);
        }
        *used.entry(session_id).or_default() += item.slots.max(1);
        assert!(
            patient_days.insert((patient_of(plan, &item.id), session.date)),
            "patient of {} twice on {}",
            item.id,
            session.date
        );
        *clinician_days.entry((session.clinician.clone(), session.date)).or_default() += 1;
        if let Outcome::Placed { time, .. } = b.outcome {
            assert!(session.slot_starts().contains(&time) || session.slot_starts().is_empty());
        }
    }
    for (id, slots) in used {
        let session = plan.session(id).unwrap();
        assert!(slots <= session.usable_slots(&plan.rules), "session {id} over capacity: {slots}");
    }
    for ((clinician, date), n) in clinician_days {
        if let Some(cap) = plan.daily_cap(plan.clinician(&clinician).unwrap()) {
            assert!(n <= cap, "{clinician} has {n} > cap {cap} on {date}");
        }
    }
}

/// Reception's way: original order, first session (by date) with room.
fn fifo_first_fit(plan: &Plan) -> Vec<Booking> {
    let mut order: Vec<&BacklogItem> = plan.backlog.iter().collect();
    order.sort_by(|a, b| a.original_key().cmp(&b.original_key()));
    let mut sessions: Vec<&Session> = plan.sessions.iter().collect();
    sessions.sort_by_key(|s| (s.date, s.part, s.id.clone()));
    let mut room: BTreeMap<&str, u32> =
        plan.sessions.iter().map(|s| (s.id.as_str(), s.usable_slots(&plan.rules))).collect();
    let mut days: BTreeSet<(String, NaiveDate)> = BTreeSet::new();
    let mut per_clinician: BTreeMap<(String, NaiveDate), u32> = BTreeMap::new();
    let mut placed: BTreeMap<&str, &str> = BTreeMap::new();
    for item in order {
        for s in &sessions {
            let cap_ok = plan
                .daily_cap(plan.clinician(&s.clinician).unwrap())
                .is_none_or(|c| per_clinician.get(&(s.clinician.clone(), s.date)).copied().unwrap_or(0) < c);
            if check_eligible(plan, item, s).is_ok()
                && room[s.id.as_str()] >= item.slots.max(1)
                && !days.contains(&(item.patient.nhs_number.clone(), s.date))
                && cap_ok
            {
                *room.get_mut(s.id.as_str()).unwrap() -= item.slots.max(1);
                days.insert((item.patient.nhs_number.clone(), s.date));
                *per_clinician.entry((s.clinician.clone(), s.date)).or_default() += 1;
                placed.insert(&item.id, &s.id);
                break;
            }
        }
    }
    bookings_from(plan, &placed)
}

fn bookings_from(plan: &Plan, placed: &BTreeMap<&str, &str>) -> Vec<Booking> {
    plan.backlog
        .iter()
        .map(|i| Booking {
            appointment_id: i.id.clone(),
            outcome: match placed.get(i.id.as_str()) {
                Some(s) => Outcome::Placed { session: s.to_string(), time: NaiveTime::MIN },
                None => Outcome::Unplaced { reason: Default::default() },
            },
            pinned: false,
            contact: ContactStatus::NotContacted,
            explanation: String::new(),
            changed: None,
        })
        .collect()
}

/// The true optimum by trying every assignment (tiny plans only).
fn brute_force_optimum(plan: &Plan) -> f64 {
    let n = plan.backlog.len();
    let options = plan.sessions.len() + 1;
    let mut best = f64::INFINITY;
    let mut choice = vec![0usize; n];
    loop {
        let mut placed: BTreeMap<&str, &str> = BTreeMap::new();
        for (i, &c) in choice.iter().enumerate() {
            if c < plan.sessions.len() {
                placed.insert(&plan.backlog[i].id, &plan.sessions[c].id);
            }
        }
        if feasible(plan, &placed) {
            best = best.min(objective(plan, &bookings_from(plan, &placed), &plan.bookings));
        }
        let mut k = 0;
        loop {
            if k == n {
                return best;
            }
            choice[k] += 1;
            if choice[k] < options {
                break;
            }
            choice[k] = 0;
            k += 1;
        }
    }
}

fn feasible(plan: &Plan, placed: &BTreeMap<&str, &str>) -> bool {
    let mut used: BTreeMap<&str, u32> = BTreeMap::new();
    let mut days = BTreeSet::new();
    let mut per_clinician: BTreeMap<(String, NaiveDate), u32> = BTreeMap::new();
    for (id, s) in placed {
        let item = plan.backlog_item(id).unwrap();
        let session = plan.session(s).unwrap();
        if check_eligible(plan, item, session).is_err() || !days.insert((item.patient.nhs_number.clone(), session.date))
        {
            return false;
        }
        *used.entry(s).or_default() += item.slots.max(1);
        *per_clinician.entry((session.clinician.clone(), session.date)).or_default() += 1;
    }
    used.iter().all(|(s, n)| *n <= plan.session(s).unwrap().usable_slots(&plan.rules))
        && per_clinician
            .iter()
            .all(|((c, _), n)| plan.daily_cap(plan.clinician(c).unwrap()).is_none_or(|cap| *n <= cap))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn no_hard_constraint_broken_and_never_worse_than_first_fit(seed in any::<u64>()) {
        let plan = random_plan(seed, 14, 8);
        let result = solve(&plan);
        assert_hard_constraints(&plan, &result.bookings);
        let fifo = objective(&plan, &fifo_first_fit(&plan), &plan.bookings);
        prop_assert!(result.info.objective <= fifo + 1e-6, "objective {} worse than first-fit {}", result.info.objective, fifo);
        let greedy = objective(&plan, &scheduler::greedy(&plan), &plan.bookings);
        prop_assert!(result.info.objective <= greedy + 1e-6);
        for baseline in [scheduler::baseline::fifo(&plan), scheduler::baseline::priority_greedy(&plan)] {
            let value = objective(&plan, &baseline, &plan.bookings);
            prop_assert!(result.info.objective <= value + 1e-6, "objective {} worse than a baseline {}", result.info.objective, value);
        }
        prop_assert!(result.bookings.iter().all(|b| !b.explanation.is_empty()), "every booking explained");
        prop_assert!(result.info.bound <= result.info.objective + 1e-6);
        prop_assert!((objective(&plan, &result.bookings, &plan.bookings) - result.info.objective).abs() < 1e-6);
    }

    #[test]
    fn tiny_plans_reach_the_brute_force_optimum(seed in any::<u64>()) {
        let plan = random_plan(seed, 6, 4);
        let result = solve(&plan);
        let best = brute_force_optimum(&plan);
        prop_assert!((result.info.objective - best).abs() < 1e-6, "solver {} vs optimum {}", result.info.objective, best);
    }

    #[test]
    fn pinned_and_confirmed_bookings_never_move(seed in any::<u64>()) {
        let mut plan = random_plan(seed, 12, 8);
        let first = solve(&plan);
        scheduler::apply_solution(&mut plan, first);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for b in &mut plan.bookings {
            match rng.random_range(0..4) {
                0 => b.pinned = true,
                1 => b.contact = ContactStatus::Confirmed,
                2 => b.contact = ContactStatus::Notified,
                _ => {}
            }
        }
        // A change that forces a re-plan: a new urgent item.
        let mut extra = item("NEW", "GP urgent", 1, "Urgent", &test_numbers().nth(9).unwrap(), 50);
        extra.original_date = day(0);
        plan.backlog.push(extra);
        let again = solve(&plan);
        assert_hard_constraints(&plan, &again.bookings);
    }

    #[test]
    fn same_plan_gives_byte_identical_solved_file(seed in any::<u64>()) {
        let plan = random_plan(seed, 14, 8);
        let mut a = plan.clone();
        let mut b = plan.clone();
        scheduler::apply_solution(&mut a, solve(&plan));
        scheduler::apply_solution(&mut b, solve(&plan));
        prop_assert_eq!(plan_file::to_ron(&a).unwrap(), plan_file::to_ron(&b).unwrap());
    }
}

/// Two GPs, four days, ten routine patients booked and told; then GP2 is off sick.
#[test]
fn replan_after_cancelled_sessions_moves_only_what_it_must() {
    let mut plan = base_plan();
    for d in 0..4 {
        plan.sessions.push(session(&format!("GP1-{d}"), "GP1", d, PartOfDay::AM, 5, Mode::FaceToFace));
        plan.sessions.push(session(&format!("GP2-{d}"), "GP2", d, PartOfDay::AM, 5, Mode::FaceToFace));
    }
    let numbers: Vec<String> = test_numbers().take(10).collect();
    for (i, nhs) in numbers.iter().enumerate() {
        plan.backlog.push(item(&format!("A{i}"), "GP routine", 1, "Routine", nhs, i as u32));
    }
    let first = solve(&plan);
    assert_eq!(first.bookings.iter().filter(|b| b.session().is_some()).count(), 10);
    scheduler::apply_solution(&mut plan, first);
    for b in &mut plan.bookings {
        b.contact = ContactStatus::Notified;
    }
    let in_gp2 = plan.bookings.iter().filter(|b| b.session().is_some_and(|s| s.starts_with("GP2"))).count();
    assert!(in_gp2 > 0, "the first plan uses both GPs");
    for s in plan.sessions.iter_mut().filter(|s| s.clinician == "GP2") {
        s.cancelled = true;
    }
    let again = solve(&plan);
    assert_hard_constraints(&plan, &again.bookings);
    assert_eq!(again.info.moved as usize, in_gp2, "only GP2's patients move");
    assert!(again.bookings.iter().all(|b| b.session().is_some_and(|s| s.starts_with("GP1"))));
}

#[test]
fn doubles_need_two_slots_and_urgent_goes_first() {
    let mut plan = base_plan();
    // 3 usable slots (4 x 0.8 = 3.2), one session only.
    plan.sessions.push(session("S", "GP1", 0, PartOfDay::AM, 4, Mode::FaceToFace));
    let numbers: Vec<String> = test_numbers().take(3).collect();
    plan.backlog.push(item("R", "GP double", 2, "Routine", &numbers[0], 0));
    plan.backlog.push(item("U", "GP double", 2, "Urgent", &numbers[1], 1));
    plan.backlog.push(item("S1", "GP routine", 1, "Soon", &numbers[2], 2));
    let result = solve(&plan);
    assert_hard_constraints(&plan, &result.bookings);
    let placed: BTreeSet<&str> =
        result.bookings.iter().filter(|b| b.session().is_some()).map(|b| b.appointment_id.as_str()).collect();
    assert_eq!(placed, BTreeSet::from(["U", "S1"]));
    assert_eq!(result.info.gap, 0.0);
}

/// "999 000 0018" and "9990000018" are one patient to the optimiser's model
/// and to the checker alike: never two appointments on one day.
#[test]
fn one_patient_however_the_nhs_number_is_written() {
    let mut plan = base_plan();
    plan.sessions.push(session("MON", "GP1", 0, PartOfDay::AM, 10, Mode::FaceToFace));
    plan.sessions.push(session("TUE", "GP1", 1, PartOfDay::AM, 10, Mode::FaceToFace));
    plan.backlog.push(item("A", "GP routine", 1, "Urgent", " 999 000 0018", 0));
    plan.backlog.push(item("B", "GP routine", 1, "Urgent", "9990000018", 1));
    let result = solve(&plan);
    let days: BTreeSet<NaiveDate> =
        result.bookings.iter().filter_map(|b| b.session()).map(|s| plan.session(s).unwrap().date).collect();
    assert_eq!(days, BTreeSet::from([day(0), day(1)]), "{:#?}", result.bookings);
    assert_eq!(rebook::rules::check::violations(&plan, &result.bookings), Vec::<String>::new());

    let at = |id: &str, minute: u32| Booking {
        appointment_id: id.into(),
        outcome: Outcome::Placed { session: "MON".into(), time: NaiveTime::from_hms_opt(9, minute, 0).unwrap() },
        pinned: false,
        contact: ContactStatus::NotContacted,
        explanation: String::new(),
        changed: None,
    };
    let broken = rebook::rules::check::violations(&plan, &[at("A", 0), at("B", 10)]);
    assert_eq!(broken, ["appointment B: the patient already has appointment A on 2024-07-22"]);
}

#[test]
fn empty_plans_give_clear_errors() {
    let plan = base_plan();
    let err = scheduler::solve(&plan, &SolveOptions::default(), &mut |_| {}, &AtomicBool::new(false)).unwrap_err();
    assert_eq!(err, SolveError::NoBacklog);
    let mut plan = base_plan();
    plan.backlog.push(item("A", "GP routine", 1, "Routine", "9990000018", 0));
    let err = scheduler::solve(&plan, &SolveOptions::default(), &mut |_| {}, &AtomicBool::new(false)).unwrap_err();
    assert_eq!(err, SolveError::NoSessions);
    assert!(err.to_string().contains("no sessions"));
}

#[test]
fn cancelled_before_start_reports_cancelled() {
    let plan = random_plan(7, 10, 6);
    let err = scheduler::solve(&plan, &SolveOptions::default(), &mut |_| {}, &AtomicBool::new(true)).unwrap_err();
    assert_eq!(err, SolveError::Cancelled);
}

#[cfg(not(feature = "highs"))]
#[test]
fn highs_without_the_feature_says_how_to_get_it() {
    let plan = random_plan(3, 5, 3);
    let options = SolveOptions { backend: scheduler::Backend::Highs, time_limit: None };
    let err = scheduler::solve(&plan, &options, &mut |_| {}, &AtomicBool::new(false)).unwrap_err();
    assert!(err.to_string().contains("--features highs"));
}

#[test]
fn background_job_reports_progress_and_result() {
    let plan = random_plan(11, 14, 8);
    let mut job = scheduler::SolveJob::spawn(plan.clone(), SolveOptions::default());
    let mut events = Vec::new();
    let started = std::time::Instant::now();
    while !job.is_finished() && started.elapsed().as_secs() < 30 {
        events.extend(job.poll());
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(events.iter().any(|e| matches!(e, scheduler::JobEvent::Progress(_))));
    match events.last() {
        Some(scheduler::JobEvent::Finished(Ok(result))) => {
            let direct = solve(&plan);
            assert_eq!((&result.bookings, &result.info), (&direct.bookings, &direct.info));
        }
        other => panic!("unexpected last event {other:?}"),
    }
}

#[test]
fn advice_measures_a_real_gain_and_adds_the_session() {
    let mut plan = base_plan();
    plan.sessions.push(session("GP1-0", "GP1", 0, PartOfDay::AM, 5, Mode::FaceToFace));
    plan.sessions.push(session("GP1-3", "GP1", 3, PartOfDay::AM, 5, Mode::FaceToFace));
    let numbers: Vec<String> = test_numbers().take(8).collect();
    for (i, nhs) in numbers.iter().enumerate() {
        plan.backlog.push(item(&format!("U{i}"), "GP urgent", 1, "Urgent", nhs, i as u32));
    }
    let advice = scheduler::advise(&plan, &SolveOptions::default(), 3).unwrap();
    assert!(!advice.is_empty());
    let best = &advice[0];
    assert!(best.objective_gain > 0.0);
    assert_eq!(best.role, "GP");
    assert!(best.date <= day(1), "an early session helps urgent work most: {best:?}");
    assert!(best.summary.starts_with("one more face-to-face GP session with"), "{}", best.summary);
    assert!(best.summary.contains("urgent patients no longer late"), "{}", best.summary);
    let before = solve(&plan).info.objective;
    let id = scheduler::add_advised_session(&mut plan, best);
    let added = plan.session(&id).unwrap();
    assert_eq!((added.date, added.part, added.date.weekday() != Weekday::Sat), (best.date, best.parts[0], true));
    assert_eq!(added.clinician, "GP2", "the GP with fewest sessions who is free");
    let after = solve(&plan).info.objective;
    assert!((before - after - best.objective_gain).abs() < 1e-6);
}

#[test]
fn network_simplex_matches_the_lp_solver() {
    use rebook::scheduler::classes::ClassModel;
    use rebook::scheduler::lp::{Relaxation, solve_component_flow, solve_component_good_lp};
    for seed in 0..20 {
        let mut plan = random_plan(seed, 40, 12);
        plan.rules.clinician_daily_cap = None;
        let model = ClassModel::build(&plan);
        for component in &model.components {
            let flow = solve_component_flow(&model, component, &model.capacity).expect("flow solves");
            let lp = solve_component_good_lp(&model, component, scheduler::Backend::Default, Relaxation::Linear, None)
                .unwrap();
            // The LP solver also has the slot parity cut, which tightens it only
            // where appointments of several slots share the sessions.
            let all_single = component.classes.iter().all(|&c| model.classes[c].slots <= 1);
            if component.patients.is_empty() && all_single {
                assert!(
                    (flow.objective - lp.objective).abs() < 1e-6,
                    "seed {seed}: flow {} lp {}",
                    flow.objective,
                    lp.objective
                );
            } else {
                assert!(flow.objective <= lp.objective + 1e-6, "the flow relaxes the LP");
            }
        }
    }
}

#[test]
fn time_limit_returns_a_valid_plan_marked_stopped_early() {
    let plan = random_plan(5, 14, 8);
    let options = SolveOptions { time_limit: Some(std::time::Duration::ZERO), ..SolveOptions::default() };
    let result = scheduler::solve(&plan, &options, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert!(result.info.stopped_early);
    assert_hard_constraints(&plan, &result.bookings);
    assert!(result.info.bound <= result.info.objective + 1e-9);
}

#[test]
fn cancelling_a_job_finishes_it_within_a_second() {
    let mut plan = base_plan();
    let numbers: Vec<String> = test_numbers().take(400).collect();
    for d in 0..5 {
        for (c, who) in ["GP1", "GP2"].iter().enumerate() {
            plan.sessions.push(session(&format!("{who}-{d}"), who, d, PartOfDay::AM, 20 + c as u32, Mode::FaceToFace));
        }
    }
    for (i, nhs) in numbers.iter().enumerate() {
        let mut it = item(&format!("A{i}"), "GP routine", 1, ["Urgent", "Soon", "Routine"][i % 3], nhs, i as u32);
        it.preferred_part = if i % 2 == 0 { Some(PartOfDay::PM) } else { None };
        plan.backlog.push(it);
    }
    let mut job = scheduler::SolveJob::spawn(plan, SolveOptions::default());
    job.cancel();
    let cancelled_at = std::time::Instant::now();
    let mut last = None;
    while last.is_none() && cancelled_at.elapsed().as_secs_f64() < 1.0 {
        last = job.poll().into_iter().find_map(|e| match e {
            scheduler::JobEvent::Finished(result) => Some(result),
            scheduler::JobEvent::Progress(_) => None,
        });
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    match last {
        Some(Err(e)) => assert_eq!(e, SolveError::Cancelled),
        Some(Ok(_)) => {} // it had already finished: nothing left to cancel
        None => panic!("the job did not stop within a second of cancelling"),
    }
}

/// One session of 4 free slots for a single and two doubles: any real plan leaves
/// one double (or the single) out, but the plain LP fits the single and one and
/// a half doubles. The slot parity cut makes the LP's bound the true optimum, and
/// priced into the flow relaxation it raises that bound too, never above it.
#[test]
fn slot_parity_cut_closes_the_half_double() {
    use rebook::scheduler::classes::ClassModel;
    use rebook::scheduler::lp::{
        Relaxation, flow_parity_bound, parity_price_limit, solve_component_flow, solve_component_good_lp,
    };
    let mut plan = base_plan();
    plan.rules.reserve = 0.0;
    plan.sessions.push(session("S0", "GP1", 0, PartOfDay::AM, 4, Mode::FaceToFace));
    let numbers: Vec<String> = test_numbers().take(3).collect();
    plan.backlog.push(item("A0", "GP routine", 1, "Routine", &numbers[0], 0));
    plan.backlog.push(item("A1", "GP double", 2, "Routine", &numbers[1], 1));
    plan.backlog.push(item("A2", "GP double", 2, "Routine", &numbers[2], 2));
    let optimum = solve(&plan).info.objective;
    let model = ClassModel::build(&plan);
    let component = &model.components[0];
    let lp = solve_component_good_lp(&model, component, scheduler::Backend::Default, Relaxation::Linear, None).unwrap();
    assert!((lp.objective - optimum).abs() < 1e-6, "LP {} optimum {optimum}", lp.objective);
    let flow = solve_component_flow(&model, component, &model.capacity).expect("flow solves");
    assert!(flow.objective < optimum - 100.0, "the flow alone puts half a double in: {}", flow.objective);
    let highest = parity_price_limit(&model, component, &flow).expect("the flow breaks the cut");
    let priced = flow_parity_bound(&model, component, flow.objective, highest, 8);
    assert!(priced > flow.objective + 100.0 && priced <= optimum + 1e-6, "priced {priced} optimum {optimum}");
}
