//! What the practice reads about a plan is true: every stated reason for a
//! late or unplaced appointment is checked against the plan itself, capacity
//! advice proposes the session the unplaced work needs, and a re-plan moves
//! few of the bookings already arranged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rebook::generate::{GeneratorConfig, benchmark_config, generate};
use rebook::model::{BacklogItem, Booking, Continuity, Outcome, Plan, Session};
use rebook::rules::cost::{check_eligible, deadline, horizon_start};
use rebook::scheduler::explain::{Cause, Explainer, Why};
use rebook::scheduler::{self, SolveOptions};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::AtomicBool;

fn solve(plan: &Plan) -> scheduler::SolveResult {
    scheduler::solve_and_explain(plan, &SolveOptions::default(), &mut |_| {}, &AtomicBool::new(false)).unwrap()
}

/// A small generated practice with too little capacity, so some work is late or unplaced.
fn tight(items: usize, seed: u64, ratio: f64) -> GeneratorConfig {
    GeneratorConfig { capacity_ratio: Some(ratio), ..benchmark_config(items, seed) }
}

/// Slots used per session by `bookings`, leaving out `skip`'s booking.
fn used_slots(plan: &Plan, bookings: &[Booking], skip: &str) -> HashMap<String, u32> {
    let items: HashMap<&str, &BacklogItem> = plan.backlog.iter().map(|i| (i.id.as_str(), i)).collect();
    let mut used = HashMap::new();
    for b in bookings.iter().filter(|b| b.appointment_id != skip) {
        if let (Some(s), Some(item)) = (b.session(), items.get(b.appointment_id.as_str())) {
            *used.entry(s.to_string()).or_insert(0) += item.slots.max(1);
        }
    }
    used
}

/// Checks a stated cause against the plan with nothing but the plan's own
/// data and `check_eligible`: every claim about the sessions up to the date
/// must hold.
fn verify(plan: &Plan, bookings: &[Booking], item: &BacklogItem, why: &Why) -> Result<(), String> {
    let sessions: HashMap<&str, &Session> = plan.sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    let window: Vec<&Session> = plan
        .sessions
        .iter()
        .filter(|s| !s.cancelled && plan.horizon.is_none_or(|h| h.contains(s.date)))
        .filter(|s| why.until.is_none_or(|u| s.date <= u))
        .collect();
    let patient_ok = |s: &Session| {
        item.earliest_date.is_none_or(|e| s.date >= e)
            && item.can_attend(s.date, s.part)
            && !item.declined_sessions.contains(&s.id)
    };
    let required = match &item.continuity {
        Continuity::Required(c) => Some(c.as_str()),
        _ => None,
    };
    let kind = plan.appointment_type(&item.appointment_type).ok_or("unknown type")?;
    let mode_ok = |s: &Session| item.mode.allows(s.mode) && kind.modes.contains(&s.mode);
    let role_ok = |s: &Session| plan.clinician(&s.clinician).is_some_and(|c| plan.clinician_sees(c, &kind.name));
    let none = |f: &dyn Fn(&Session) -> bool| !window.iter().any(|s| f(s));
    let limited = window.iter().any(|s| !patient_ok(s));
    let check = |ok: bool, what: &str| if ok { Ok(()) } else { Err(format!("{what} is false for {why:?}")) };
    match &why.cause {
        Cause::NoSession => check(window.is_empty(), "no session"),
        Cause::EarliestDate(e) => check(
            item.earliest_date == Some(*e) && !window.is_empty() && window.iter().all(|s| s.date < *e),
            "earliest date",
        ),
        Cause::Unavailable => check(
            window.iter().any(|s| item.earliest_date.is_none_or(|e| s.date >= e))
                && none(&|s| item.earliest_date.is_none_or(|e| s.date >= e) && item.can_attend(s.date, s.part)),
            "cannot attend",
        ),
        Cause::Declined => check(none(&patient_ok), "declined"),
        Cause::RequiredClinician(c) => {
            check(required == Some(c.as_str()) && none(&|s| patient_ok(s) && s.clinician == *c), "required clinician")?;
            check(why.patient_limited == limited, "patient limits")
        }
        Cause::Mode => {
            check(none(&|s| patient_ok(s) && required.is_none_or(|c| c == s.clinician) && mode_ok(s)), "mode")?;
            check(why.patient_limited == limited, "patient limits")
        }
        Cause::Role => {
            check(
                none(&|s| patient_ok(s) && required.is_none_or(|c| c == s.clinician) && mode_ok(s) && role_ok(s)),
                "role",
            )?;
            check(why.patient_limited == limited, "patient limits")
        }
        Cause::TooSmall => check(none(&|s| check_eligible(plan, item, s).is_ok()), "too small"),
        Cause::Room(_) | Cause::Full(_) if why.patient_limited != limited => check(false, "patient limits"),
        Cause::Room(i) => {
            let s = &plan.sessions[*i];
            let used = used_slots(plan, bookings, &item.id);
            let free = s.usable_slots(&plan.rules).saturating_sub(used.get(&s.id).copied().unwrap_or(0));
            check(
                window.iter().any(|w| w.id == s.id)
                    && check_eligible(plan, item, s).is_ok()
                    && free >= item.slots.max(1),
                "room",
            )
        }
        Cause::Full(crowded) => {
            let eligible: BTreeSet<&str> =
                window.iter().filter(|s| check_eligible(plan, item, s).is_ok()).map(|s| s.id.as_str()).collect();
            let named: BTreeSet<&str> = crowded.sessions.iter().map(|&i| plan.sessions[i].id.as_str()).collect();
            check(!eligible.is_empty() && eligible == named, "the eligible sessions")?;
            let used = used_slots(plan, bookings, &item.id);
            let items: HashMap<&str, &BacklogItem> = plan.backlog.iter().map(|i| (i.id.as_str(), i)).collect();
            let patient_days: BTreeSet<chrono::NaiveDate> = bookings
                .iter()
                .filter(|b| b.appointment_id != item.id)
                .filter(|b| {
                    items
                        .get(b.appointment_id.as_str())
                        .is_some_and(|i| i.patient.nhs_number == item.patient.nhs_number)
                })
                .filter_map(|b| b.session().and_then(|s| sessions.get(s)).map(|s| s.date))
                .collect();
            let mut full = Vec::new();
            let mut busy = 0;
            for id in &eligible {
                let s = sessions[id];
                let free = s.usable_slots(&plan.rules).saturating_sub(used.get(*id).copied().unwrap_or(0));
                if free < item.slots.max(1) {
                    full.push(s.id.as_str());
                } else if patient_days.contains(&s.date) {
                    busy += 1;
                }
            }
            let stated: BTreeSet<&str> = crowded.full.iter().map(|&i| plan.sessions[i].id.as_str()).collect();
            check(stated == full.iter().copied().collect(), "the full sessions")?;
            check(crowded.busy == busy && full.len() + busy + crowded.capped == eligible.len(), "busy or capped")?;
            // The work that fills them, counted from the bookings.
            let mut by_rank: BTreeMap<usize, usize> = BTreeMap::new();
            for b in bookings {
                if b.session().is_some_and(|s| full.contains(&s))
                    && let Some(other) = items.get(b.appointment_id.as_str())
                {
                    *by_rank.entry(plan.rules.priority_rank(&other.priority)).or_insert(0) += 1;
                }
            }
            check(crowded.by_rank == by_rank.into_iter().collect::<Vec<_>>(), "the work in the full sessions")
        }
    }
}

/// Every late or unplaced appointment of a solved plan: its cause holds in the
/// plan, and its written reason says that cause. Returns how many were checked.
fn check_every_reason(plan: &Plan, bookings: &[Booking]) -> usize {
    let mut explainer = Explainer::new(plan, bookings);
    let start = horizon_start(plan).unwrap();
    let mut checked = 0;
    for booking in bookings {
        let item = plan.backlog_item(&booking.appointment_id).unwrap();
        let late = booking
            .session()
            .and_then(|s| plan.session(s))
            .is_some_and(|s| deadline(plan, item, start).is_some_and(|d| s.date > d));
        let Some(why) = explainer.cause(booking) else {
            assert!(!late && booking.session().is_some(), "no cause for {}", item.id);
            continue;
        };
        assert!(late || booking.session().is_none(), "a cause for {} which is on time", item.id);
        if let Err(e) = verify(plan, bookings, item, &why) {
            panic!("{}: {e}", item.id);
        }
        let words = explainer.words(item, &why);
        let written = match &booking.outcome {
            Outcome::Unplaced { reason } => reason.describe(plan).to_lowercase(),
            Outcome::Placed { .. } => booking.explanation.to_lowercase(),
        };
        assert!(written.contains(&words.to_lowercase()), "{}: \"{written}\" does not say \"{words}\"", item.id);
        checked += 1;
    }
    checked
}

#[test]
fn every_reason_on_generated_plans_is_true() {
    let mut checked = 0;
    let mut causes = BTreeSet::new();
    for (seed, ratio) in [(1, 0.7), (2, 0.8), (3, 0.9), (4, 0.6), (5, 1.0), (6, 0.75)] {
        let plan = generate(&tight(150, seed, ratio));
        let result = solve(&plan);
        checked += check_every_reason(&plan, &result.bookings);
        let mut explainer = Explainer::new(&plan, &result.bookings);
        for b in &result.bookings {
            if let Some(why) = explainer.cause(b) {
                causes.insert(format!("{:?}", why.cause).chars().take_while(|c| c.is_alphabetic()).collect::<String>());
            }
        }
    }
    assert!(checked > 20, "only {checked} late or unplaced appointments were checked");
    // The generated plans exercise the patient's limits as well as capacity.
    assert!(causes.contains("Full") && causes.len() >= 3, "{causes:?}");
}

fn example() -> Plan {
    rebook::io::plan_file::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/example.rebook.ron")))
        .unwrap()
}

#[test]
fn the_first_advice_on_the_example_places_the_face_to_face_pharmacist_reviews() {
    use rebook::model::{Mode, ModeRequirement};
    let plan = example();
    let base = solve(&plan);
    let unplaced = base
        .bookings
        .iter()
        .filter(|b| b.session().is_none())
        .filter_map(|b| plan.backlog_item(&b.appointment_id))
        .filter(|i| i.appointment_type == "Pharmacist medication review" && i.mode == ModeRequirement::FaceToFace)
        .count();
    assert_eq!(unplaced, 13);
    let advice = scheduler::advise(&plan, &SolveOptions::default(), 5).unwrap();
    let first = &advice[0];
    assert_eq!(
        (first.role.as_str(), first.mode, first.fewer_unplaced),
        ("Pharmacist", Mode::FaceToFace, 13),
        "{first:#?}"
    );
    assert!(first.fixes.starts_with("places 13 unplaced patients (Pharmacist medication review)"), "{}", first.fixes);
    // Adding it and re-planning really places them.
    let mut with = plan.clone();
    scheduler::add_advised_session(&mut with, first);
    let after = solve(&with);
    assert_eq!(after.bookings.iter().filter(|b| b.session().is_none()).count(), 0);
    assert!((base.info.objective - after.info.objective - first.objective_gain).abs() < 1e-6);
}

#[test]
fn the_example_names_the_earliest_date_not_the_rota() {
    let plan = example();
    let result = solve(&plan);
    check_every_reason(&plan, &result.bookings);
    let away = result.bookings.iter().find(|b| b.appointment_id == "A-000215").unwrap();
    assert!(
        away.explanation.contains("the patient's earliest date is Fri 26 Jul, after the target (Tue 23 Jul)"),
        "{}",
        away.explanation
    );
}

/// Every role and mode that unplaced work lacks capacity for (all its eligible
/// sessions full), as (roles that see its type, modes it allows).
fn starved_needs(plan: &Plan, bookings: &[Booking]) -> Vec<(String, BTreeSet<String>, BTreeSet<rebook::model::Mode>)> {
    let mut explainer = Explainer::new(plan, bookings);
    let mut needs = Vec::new();
    for b in bookings.iter().filter(|b| b.session().is_none()) {
        let Some(why) = explainer.cause(b) else { continue };
        if !matches!(why.cause, Cause::Full(_)) {
            continue;
        }
        let item = plan.backlog_item(&b.appointment_id).unwrap();
        let kind = plan.appointment_type(&item.appointment_type).unwrap();
        let roles: BTreeSet<String> =
            plan.clinicians.iter().filter(|c| plan.clinician_sees(c, &kind.name)).map(|c| c.role.clone()).collect();
        let modes =
            rebook::model::Mode::ALL.into_iter().filter(|m| item.mode.allows(*m) && kind.modes.contains(m)).collect();
        needs.push((item.id.clone(), roles, modes));
    }
    needs
}

#[test]
fn advice_proposes_the_role_and_mode_unplaced_work_lacks() {
    let mut starved = 0;
    for (seed, ratio) in [(11, 0.6), (12, 0.7), (13, 0.8)] {
        let plan = generate(&tight(150, seed, ratio));
        let base = solve(&plan);
        let needs = starved_needs(&plan, &base.bookings);
        if needs.is_empty() {
            continue;
        }
        starved += needs.len();
        let advice = scheduler::advise(&plan, &SolveOptions::default(), 8).unwrap();
        for (id, roles, modes) in &needs {
            assert!(
                advice.iter().any(|a| roles.contains(&a.role) && modes.contains(&a.mode)),
                "{id} needs a {roles:?} session in {modes:?}; advice: {:#?}",
                advice.iter().map(|a| &a.summary).collect::<Vec<_>>()
            );
        }
        // Never during the outage, never before the first day with sessions, one idea per clinician and day.
        let first = plan.sessions.iter().map(|s| s.date).min().unwrap();
        let mut days = BTreeSet::new();
        for a in &advice {
            assert!(a.date >= first && plan.horizon.unwrap().contains(a.date), "{a:?}");
            assert!(days.insert((a.clinician.clone(), a.date)), "two ideas for one clinician and day: {a:?}");
            let start = if a.parts[0] == rebook::model::PartOfDay::AM { 8 } else { 13 };
            let starts = a.date.and_hms_opt(start, 0, 0).unwrap();
            assert!(plan.outage.end.is_none_or(|end| starts + chrono::Duration::hours(1) >= end), "{a:?}");
            assert!(!a.fixes.is_empty() && a.objective_gain > 0.0, "{a:?}");
        }
    }
    assert!(starved > 0, "the generated plans left no work unplaced for lack of capacity");
}

#[test]
fn ten_declines_in_a_thousand_move_few_other_bookings() {
    use rebook::model::ContactStatus;
    use rebook::rules::edit::record_contact;
    let mut plan = generate(&benchmark_config(1000, 7));
    let first = solve(&plan);
    scheduler::apply_solution(&mut plan, first);
    let placed: Vec<String> =
        plan.bookings.iter().filter(|b| b.session().is_some()).map(|b| b.appointment_id.clone()).collect();
    let declined: Vec<String> = placed.iter().step_by(placed.len() / 10).take(10).cloned().collect();
    for id in &declined {
        record_contact(&mut plan, id, ContactStatus::Declined).unwrap();
    }
    let again = solve(&plan);
    let moves = rebook::rules::cost::moves(&plan.bookings, &again.bookings);
    assert_eq!(again.info.moved, moves.moved, "the report counts what moved");
    // The declined ones were unplaced before the re-plan, so every move counted is another patient's.
    eprintln!("10 declines in 1,000: {} other bookings moved ({} told)", moves.moved, moves.told);
    assert!(moves.moved <= 10, "{} other bookings moved", moves.moved);
    let replaced =
        declined.iter().filter(|id| again.bookings.iter().any(|b| &b.appointment_id == *id && b.session().is_some()));
    assert!(replaced.count() >= 5, "most declined patients are offered another time");
}
