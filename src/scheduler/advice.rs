//! Capacity advice: which one extra session (role, day, AM/PM) would most
//! reduce lateness and unplaced work. Every half-day of every role is scored
//! cheaply (the late or unplaced appointments it could take, and how much each
//! would gain), then the best few are checked by really re-solving with the
//! session added, so the figures shown are measured, not guessed.

use super::cost::{check_eligible, deadline, horizon_start, placement_cost, unplaced_cost};
use super::solve::{SolveError, SolveOptions, SolveResult, solve};
use crate::model::{Booking, Clinician, Mode, PartOfDay, Plan, Session, weekday_short};
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

/// How many of the best-scored candidates are re-solved to measure their real gain.
const CHECKED_CANDIDATES: usize = 8;

#[derive(Debug, Clone, PartialEq)]
pub struct Advice {
    pub role: String,
    pub date: NaiveDate,
    pub part: PartOfDay,
    pub mode: Mode,
    /// Free slots of the extra session (before the on-the-day reserve).
    pub slots: u32,
    /// Measured drop of the objective when the session is added and the plan re-solved.
    pub objective_gain: f64,
    pub more_within_target: u32,
    pub fewer_late: u32,
    pub fewer_unplaced: u32,
    /// E.g. "one more GP session on Tue 23 Jul AM (12 slots): 9 more urgent patients seen within target".
    pub summary: String,
}

/// The session a role usually runs: its most common size, mode, slot length and start time.
#[derive(Debug, Clone, PartialEq)]
struct TypicalSession {
    slots: u32,
    mode: Mode,
    slot_minutes: u32,
    start_am: NaiveTime,
    start_pm: NaiveTime,
}

fn most_common<T: Ord + Copy>(values: impl Iterator<Item = T>) -> Option<T> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    // Highest count; among equals the smallest value, so the choice is stable.
    counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(v, _)| v)
}

fn typical_session(plan: &Plan, role: &str) -> Option<TypicalSession> {
    let sessions: Vec<&Session> = plan
        .sessions
        .iter()
        .filter(|s| !s.cancelled && plan.clinician(&s.clinician).is_some_and(|c| c.role.eq_ignore_ascii_case(role)))
        .collect();
    let start = |part: PartOfDay, default: (u32, u32)| {
        most_common(sessions.iter().filter(|s| s.part == part).map(|s| s.start))
            .unwrap_or_else(|| NaiveTime::from_hms_opt(default.0, default.1, 0).unwrap_or(NaiveTime::MIN))
    };
    Some(TypicalSession {
        slots: most_common(sessions.iter().map(|s| s.slot_count()))?,
        mode: most_common(sessions.iter().map(|s| s.mode))?,
        slot_minutes: most_common(sessions.iter().map(|s| s.slot_minutes))?,
        start_am: start(PartOfDay::AM, (8, 30)),
        start_pm: start(PartOfDay::PM, (14, 0)),
    })
}

/// The clinician of `role` free that half-day with the fewest sessions, if any.
fn free_clinician<'a>(plan: &'a Plan, role: &str, date: NaiveDate, part: PartOfDay) -> Option<&'a Clinician> {
    plan.clinicians
        .iter()
        .filter(|c| c.role.eq_ignore_ascii_case(role))
        .filter(|c| {
            !plan.sessions.iter().any(|s| !s.cancelled && s.clinician == c.id && s.date == date && s.part == part)
        })
        .min_by_key(|c| (plan.sessions.iter().filter(|s| s.clinician == c.id && !s.cancelled).count(), c.id.clone()))
}

fn locum_id(role: &str) -> String {
    let key: String = role.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("LOCUM-{}", key.to_ascii_uppercase())
}

/// Adds the advised session to the plan: for the clinician of that role with the
/// fewest sessions who is free that half-day, else a new "Locum <role>". Returns its id.
pub fn add_advised_session(plan: &mut Plan, advice: &Advice) -> String {
    let typical = typical_session(plan, &advice.role);
    let clinician_id = match free_clinician(plan, &advice.role, advice.date, advice.part) {
        Some(c) => c.id.clone(),
        None => {
            let base = locum_id(&advice.role);
            let mut id = base.clone();
            let mut n = 2;
            while plan.clinician(&id).is_some() {
                id = format!("{base}-{n}");
                n += 1;
            }
            plan.clinicians.push(Clinician {
                id: id.clone(),
                name: format!("Locum {}", advice.role),
                role: advice.role.clone(),
                extra_types: Vec::new(),
                excluded_types: Vec::new(),
                daily_cap: None,
            });
            id
        }
    };
    let base = format!("{clinician_id}-{}-{}", advice.date.format("%Y-%m-%d"), advice.part.label());
    let mut id = base.clone();
    let mut n = 2;
    while plan.session(&id).is_some() {
        id = format!("{base}-{n}");
        n += 1;
    }
    let start = match (&typical, advice.part) {
        (Some(t), PartOfDay::AM) => t.start_am,
        (Some(t), PartOfDay::PM) => t.start_pm,
        (None, PartOfDay::AM) => NaiveTime::from_hms_opt(8, 30, 0).unwrap_or(NaiveTime::MIN),
        (None, PartOfDay::PM) => NaiveTime::from_hms_opt(14, 0, 0).unwrap_or(NaiveTime::MIN),
    };
    plan.sessions.push(Session {
        id: id.clone(),
        clinician: clinician_id,
        date: advice.date,
        part: advice.part,
        start,
        slot_minutes: typical.map_or(10, |t| t.slot_minutes),
        free_slots: advice.slots,
        mode: advice.mode,
        slot_times: Vec::new(),
        cancelled: false,
    });
    plan.normalise();
    id
}

/// Figures of one solved plan that advice compares.
#[derive(Debug, Clone, Copy, Default)]
struct Figures {
    within_target: u32,
    /// Within target, per priority rank (0 = most urgent).
    within_by_rank: [u32; 8],
    late: u32,
    unplaced: u32,
}

fn figures(plan: &Plan, bookings: &[Booking]) -> Figures {
    let mut f = Figures::default();
    let start = horizon_start(plan);
    let items: BTreeMap<&str, usize> = plan.backlog.iter().enumerate().map(|(i, b)| (b.id.as_str(), i)).collect();
    for booking in bookings {
        let Some(&i) = items.get(booking.appointment_id.as_str()) else { continue };
        let item = &plan.backlog[i];
        match booking.session().and_then(|s| plan.session(s)) {
            Some(session) => {
                let on_time = start.and_then(|st| deadline(plan, item, st)).is_none_or(|d| session.date <= d);
                if on_time {
                    f.within_target += 1;
                    let rank = plan.rules.priority_rank(&item.priority).min(7);
                    f.within_by_rank[rank] += 1;
                } else {
                    f.late += 1;
                }
            }
            None => f.unplaced += 1,
        }
    }
    f
}

/// The working days of the horizon: weekdays on which the practice runs any session.
fn working_days(plan: &Plan) -> Vec<NaiveDate> {
    let mut days: Vec<NaiveDate> = plan
        .sessions
        .iter()
        .filter(|s| !matches!(s.date.weekday(), Weekday::Sat | Weekday::Sun))
        .filter(|s| plan.horizon.is_none_or(|h| h.contains(s.date)))
        .map(|s| s.date)
        .collect();
    days.sort();
    days.dedup();
    days
}

/// Up to `max` extra sessions that would most reduce lateness and unplaced work,
/// best first, each with its gain measured by re-solving.
pub fn advise(plan: &Plan, options: &SolveOptions, max: usize) -> Result<Vec<Advice>, SolveError> {
    let never = AtomicBool::new(false);
    let base = solve(plan, options, &mut |_| {}, &never)?;
    let base_figures = figures(plan, &base.bookings);

    // Late or unplaced appointments and what each costs now.
    let sessions: BTreeMap<&str, &Session> = plan.sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    let struggling: Vec<(usize, f64)> = plan
        .backlog
        .iter()
        .enumerate()
        .zip(&base.bookings)
        .filter(|((_, item), b)| !b.is_fixed() && b.appointment_id == item.id && !plan.is_withdrawn(&item.id))
        .filter_map(|((i, item), b)| match b.session().and_then(|s| sessions.get(s)) {
            None => Some((i, unplaced_cost(plan, item))),
            Some(s) => {
                let cost = placement_cost(plan, item, s);
                (cost.late_days > 0).then_some((i, cost.total))
            }
        })
        .collect();
    if struggling.is_empty() {
        return Ok(Vec::new());
    }

    // A copy with a locum of every role, so any candidate has a clinician to check eligibility against.
    let mut scratch = plan.clone();
    let mut roles: Vec<String> = plan.clinicians.iter().map(|c| c.role.clone()).collect();
    roles.sort();
    roles.dedup();
    let mut candidates: Vec<(f64, Advice)> = Vec::new();
    for role in &roles {
        let Some(typical) = typical_session(plan, role) else { continue };
        for &date in &working_days(plan) {
            for part in [PartOfDay::AM, PartOfDay::PM] {
                let clinician = match free_clinician(plan, role, date, part) {
                    Some(c) => c.id.clone(),
                    None => {
                        let id = locum_id(role);
                        if scratch.clinician(&id).is_none() {
                            scratch.clinicians.push(Clinician {
                                id: id.clone(),
                                name: format!("Locum {role}"),
                                role: role.clone(),
                                extra_types: Vec::new(),
                                excluded_types: Vec::new(),
                                daily_cap: None,
                            });
                        }
                        id
                    }
                };
                let session = Session {
                    id: format!("advice-{clinician}-{date}-{}", part.label()),
                    clinician,
                    date,
                    part,
                    start: if part == PartOfDay::AM { typical.start_am } else { typical.start_pm },
                    slot_minutes: typical.slot_minutes,
                    free_slots: typical.slots,
                    mode: typical.mode,
                    slot_times: Vec::new(),
                    cancelled: false,
                };
                let estimate = estimated_gain(&scratch, &struggling, &session);
                if estimate > 0.0 {
                    let advice = Advice {
                        role: role.clone(),
                        date,
                        part,
                        mode: typical.mode,
                        slots: typical.slots,
                        objective_gain: 0.0,
                        more_within_target: 0,
                        fewer_late: 0,
                        fewer_unplaced: 0,
                        summary: String::new(),
                    };
                    candidates.push((estimate, advice));
                }
            }
        }
    }
    candidates.sort_by(|a, b| {
        b.0.total_cmp(&a.0).then((a.1.date, a.1.part, &a.1.role).cmp(&(b.1.date, b.1.part, &b.1.role)))
    });

    let mut measured = Vec::new();
    for (_, mut advice) in candidates.into_iter().take(CHECKED_CANDIDATES.max(max)) {
        let mut with_session = plan.clone();
        add_advised_session(&mut with_session, &advice);
        let result: SolveResult = solve(&with_session, options, &mut |_| {}, &never)?;
        let after = figures(&with_session, &result.bookings);
        advice.objective_gain = base.info.objective - result.info.objective;
        if advice.objective_gain <= 1e-6 {
            continue;
        }
        advice.more_within_target = after.within_target.saturating_sub(base_figures.within_target);
        advice.fewer_late = base_figures.late.saturating_sub(after.late);
        advice.fewer_unplaced = base_figures.unplaced.saturating_sub(after.unplaced);
        advice.summary = summary(plan, &advice, &base_figures, &after);
        measured.push(advice);
    }
    measured.sort_by(|a, b| {
        b.objective_gain.total_cmp(&a.objective_gain).then((a.date, a.part, &a.role).cmp(&(b.date, b.part, &b.role)))
    });
    measured.truncate(max);
    Ok(measured)
}

/// What the session could gain if it took the struggling appointments it suits
/// best, as many as its usable slots allow.
fn estimated_gain(plan: &Plan, struggling: &[(usize, f64)], session: &Session) -> f64 {
    let mut gains: Vec<(f64, u32)> = struggling
        .iter()
        .filter_map(|&(i, now)| {
            let item = &plan.backlog[i];
            check_eligible(plan, item, session).ok()?;
            let gain = now - placement_cost(plan, item, session).total;
            (gain > 0.0).then_some((gain, item.slots.max(1)))
        })
        .collect();
    gains.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut room = session.usable_slots(&plan.rules);
    let mut total = 0.0;
    for (gain, slots) in gains {
        if slots <= room {
            room -= slots;
            total += gain;
        }
    }
    total
}

fn summary(plan: &Plan, advice: &Advice, before: &Figures, after: &Figures) -> String {
    let date = format!("{} {}", weekday_short(advice.date.weekday()), advice.date.format("%-d %b"));
    let head = format!("one more {} session on {date} {} ({} slots)", advice.role, advice.part.label(), advice.slots);
    let gained_rank =
        (0..plan.rules.priorities.len().min(8)).find(|&r| after.within_by_rank[r] > before.within_by_rank[r]);
    let plural = |n: u32| if n == 1 { "patient" } else { "patients" };
    let what = match gained_rank {
        Some(r) => {
            let n = after.within_by_rank[r] - before.within_by_rank[r];
            format!("{n} more {} {} seen within target", plan.rules.priorities[r].name.to_lowercase(), plural(n))
        }
        None if advice.fewer_unplaced > 0 => {
            format!("{} more {} booked", advice.fewer_unplaced, plural(advice.fewer_unplaced))
        }
        None if advice.fewer_late > 0 => format!("{} fewer late", advice.fewer_late),
        None => format!("shorter waits (objective {:.0} lower)", advice.objective_gain),
    };
    format!("{head}: {what}")
}
