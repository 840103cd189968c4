//! Capacity advice: which extra session (role, mode, day, AM/PM) would most
//! reduce lateness and unplaced work. The candidates come from the work that
//! is late or unplaced: for each role and mode it could use, every half-day
//! after the outage on a working day of the horizon is scored cheaply (the
//! struggling appointments it could take and what each would gain); the best
//! few of each need are then checked by really re-solving with the session
//! added, so the figures shown are measured, not guessed. When one session
//! cannot hold the work a role and mode lack, the whole day (AM and PM) is
//! offered too. The list is kept varied: one idea per clinician and day, at
//! most two per role and mode.

use super::solve::{SolveError, SolveOptions, solve_for_comparison};
use crate::model::{Booking, Clinician, Mode, PartOfDay, Plan, Session};
use crate::rules::cost::{check_eligible, deadline, horizon_start, placement_cost, unplaced_cost};
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How many of the best-scored candidates are re-solved to measure their real gain.
const CHECKED_CANDIDATES: usize = 10;
/// Advice kept per role and mode, so the list is not five copies of one idea.
const PER_NEED: usize = 2;
/// Length of an extra clinic: a new session is all free, three hours of the role's usual slots.
const CLINIC_MINUTES: u32 = 180;

#[derive(Debug, Clone, PartialEq)]
pub struct Advice {
    pub role: String,
    /// Clinician id the session is for (a "Locum <role>" id when no one of that role is free).
    pub clinician: String,
    pub date: NaiveDate,
    /// One half-day, or AM and PM when one session cannot hold the work.
    pub parts: Vec<PartOfDay>,
    pub mode: Mode,
    /// Free slots of each extra session (before the on-the-day reserve).
    pub slots: u32,
    /// Measured drop of the objective when the session is added and the plan re-solved.
    pub objective_gain: f64,
    pub more_within_target: u32,
    pub fewer_late: u32,
    pub fewer_unplaced: u32,
    /// What it fixes: "places 13 unplaced patients (Pharmacist medication review); 2 urgent patients no longer late".
    pub fixes: String,
    /// "one more face-to-face Pharmacist session with Joan Quinn on Tue 30 Jul AM (9 slots): places ...".
    pub summary: String,
}

impl Advice {
    /// A candidate session before re-solving has measured what it fixes.
    fn unmeasured(
        role: String,
        clinician: String,
        date: NaiveDate,
        parts: Vec<PartOfDay>,
        mode: Mode,
        slots: u32,
    ) -> Self {
        Advice {
            role,
            clinician,
            date,
            parts,
            mode,
            slots,
            objective_gain: 0.0,
            more_within_target: 0,
            fewer_late: 0,
            fewer_unplaced: 0,
            fixes: String::new(),
            summary: String::new(),
        }
    }
}

/// The session a role runs in a mode: slot length and clinic start times.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Clinic {
    slots: u32,
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

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

/// A new clinic of `role` in `mode`: the slot length its sessions in that mode
/// use (else any of its sessions, else 10 minutes), starting when its
/// earliest sessions of each part do (else 08:30 and 14:00).
fn clinic(plan: &Plan, role: &str, mode: Mode) -> Clinic {
    let sessions: Vec<&Session> = plan
        .sessions
        .iter()
        .filter(|s| !s.cancelled && plan.clinician(&s.clinician).is_some_and(|c| c.role.eq_ignore_ascii_case(role)))
        .collect();
    let slot_minutes = most_common(sessions.iter().filter(|s| s.mode == mode).map(|s| s.slot_minutes))
        .or_else(|| most_common(sessions.iter().map(|s| s.slot_minutes)))
        .unwrap_or(10)
        .max(1);
    let start = |part: PartOfDay, default: NaiveTime| {
        sessions.iter().filter(|s| s.part == part).map(|s| s.start).min().unwrap_or(default)
    };
    Clinic {
        slots: (CLINIC_MINUTES / slot_minutes).max(1),
        slot_minutes,
        start_am: start(PartOfDay::AM, hm(8, 30)),
        start_pm: start(PartOfDay::PM, hm(14, 0)),
    }
}

/// Is `clinician` free on that half-day (no running session of theirs)?
fn is_free(plan: &Plan, clinician: &str, date: NaiveDate, part: PartOfDay) -> bool {
    !plan.sessions.iter().any(|s| !s.cancelled && s.clinician == clinician && s.date == date && s.part == part)
}

/// The clinician of `role` free on all those half-days with the fewest sessions, if any.
fn free_clinician<'a>(plan: &'a Plan, role: &str, date: NaiveDate, parts: &[PartOfDay]) -> Option<&'a Clinician> {
    plan.clinicians
        .iter()
        .filter(|c| c.role.eq_ignore_ascii_case(role))
        .filter(|c| parts.iter().all(|&p| is_free(plan, &c.id, date, p)))
        .min_by_key(|c| (plan.sessions.iter().filter(|s| s.clinician == c.id && !s.cancelled).count(), c.id.clone()))
}

fn locum_id(role: &str) -> String {
    let key: String = role.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("LOCUM-{}", key.to_ascii_uppercase())
}

fn locum(role: &str, id: &str) -> Clinician {
    Clinician {
        id: id.to_string(),
        name: format!("Locum {role}"),
        role: role.to_string(),
        extra_types: Vec::new(),
        excluded_types: Vec::new(),
        daily_cap: None,
    }
}

/// The clinician for a session of `role` on those half-days: one of the role
/// who is free, else a locum of the role that is free then (added to the plan).
fn clinician_for(plan: &mut Plan, role: &str, date: NaiveDate, parts: &[PartOfDay]) -> String {
    if let Some(c) = free_clinician(plan, role, date, parts) {
        return c.id.clone();
    }
    let base = locum_id(role);
    let mut id = base.clone();
    let mut n = 2;
    while plan.clinician(&id).is_some() && !parts.iter().all(|&p| is_free(plan, &id, date, p)) {
        id = format!("{base}-{n}");
        n += 1;
    }
    if plan.clinician(&id).is_none() {
        plan.clinicians.push(locum(role, &id));
    }
    id
}

/// The sessions of an advice, without adding them (ids unique in `plan`).
fn advised_sessions(plan: &Plan, advice: &Advice, clinician: &str) -> Vec<Session> {
    let clinic = clinic(plan, &advice.role, advice.mode);
    advice
        .parts
        .iter()
        .map(|&part| {
            let base = format!("{clinician}-{}-{}", advice.date.format("%Y-%m-%d"), part.label());
            let mut id = base.clone();
            let mut n = 2;
            while plan.session(&id).is_some() {
                id = format!("{base}-{n}");
                n += 1;
            }
            Session {
                id,
                clinician: clinician.to_string(),
                date: advice.date,
                part,
                start: if part == PartOfDay::AM { clinic.start_am } else { clinic.start_pm },
                slot_minutes: clinic.slot_minutes,
                free_slots: advice.slots,
                mode: advice.mode,
                slot_times: Vec::new(),
                cancelled: false,
            }
        })
        .collect()
}

/// Adds the advised session(s) to the plan: for the advised clinician when
/// they are still free then, else the clinician of that role with the fewest
/// sessions who is, else a new "Locum <role>". Returns the first session's id.
pub fn add_advised_session(plan: &mut Plan, advice: &Advice) -> String {
    let advised = plan.clinician(&advice.clinician);
    let clinician = match advised {
        Some(c)
            if c.role.eq_ignore_ascii_case(&advice.role)
                && advice.parts.iter().all(|&p| is_free(plan, &c.id, advice.date, p)) =>
        {
            c.id.clone()
        }
        // A locum the advice was measured with, not yet in the plan.
        None if advice.clinician.starts_with(&locum_id(&advice.role)) => {
            plan.clinicians.push(locum(&advice.role, &advice.clinician));
            advice.clinician.clone()
        }
        _ => clinician_for(plan, &advice.role, advice.date, &advice.parts),
    };
    let sessions = advised_sessions(plan, advice, &clinician);
    let first = sessions.first().map(|s| s.id.clone()).unwrap_or_default();
    plan.sessions.extend(sessions);
    plan.normalise();
    first
}

/// Per appointment of a solved plan: None when unplaced, else whether it is within target.
fn on_time(plan: &Plan, bookings: &[Booking]) -> HashMap<String, Option<bool>> {
    let start = horizon_start(plan);
    let items = plan.items_by_id();
    bookings
        .iter()
        .filter(|b| !plan.is_set_aside(&b.appointment_id))
        .filter_map(|b| {
            let item = items.get(b.appointment_id.as_str())?;
            let placed = b
                .session()
                .and_then(|s| plan.session(s))
                .map(|s| start.and_then(|st| deadline(plan, item, st)).is_none_or(|d| s.date <= d));
            Some((b.appointment_id.clone(), placed))
        })
        .collect()
}

/// The half-days on which an extra session can run: working days of the
/// horizon (weekdays with sessions, never before the first of them), each
/// half-day starting after the outage ended.
fn half_days(plan: &Plan, start_am: NaiveTime, start_pm: NaiveTime) -> Vec<(NaiveDate, PartOfDay)> {
    let mut days: Vec<NaiveDate> = plan
        .sessions
        .iter()
        .filter(|s| !s.cancelled && !matches!(s.date.weekday(), Weekday::Sat | Weekday::Sun))
        .filter(|s| plan.horizon.is_none_or(|h| h.contains(s.date)))
        .map(|s| s.date)
        .collect();
    days.sort();
    days.dedup();
    let after_outage =
        |date: NaiveDate, start: NaiveTime| plan.outage.end.is_none_or(|end| date.and_time(start) >= end);
    days.into_iter()
        .flat_map(|d| [(d, PartOfDay::AM, start_am), (d, PartOfDay::PM, start_pm)])
        .filter(|&(d, _, start)| after_outage(d, start))
        .map(|(d, p, _)| (d, p))
        .collect()
}

/// A role and mode some late or unplaced work could use.
type Need = (String, Mode);

/// One extra session (or day) to try.
#[derive(Debug, Clone)]
struct Candidate {
    need: Need,
    clinician: String,
    date: NaiveDate,
    parts: Vec<PartOfDay>,
    slots: u32,
    estimate: f64,
}

/// Up to `max` extra sessions that would most reduce lateness and unplaced work,
/// best first, each with its gain measured by re-solving.
pub fn advise(plan: &Plan, options: &SolveOptions, max: usize) -> Result<Vec<Advice>, SolveError> {
    let base = solve_for_comparison(plan, options)?;
    let before = on_time(plan, &base.bookings);

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

    // What the struggling work needs: each role (with a clinician in the plan)
    // that sees its type, in each mode it allows; and how many slots of each.
    let mut roles: Vec<&str> = plan.clinicians.iter().map(|c| c.role.as_str()).collect();
    roles.sort_unstable();
    roles.dedup();
    let mut demand: BTreeMap<Need, u32> = BTreeMap::new();
    for &(i, _) in &struggling {
        let item = &plan.backlog[i];
        let Some(kind) = plan.appointment_type(&item.appointment_type) else { continue };
        for role in &roles {
            let sees = plan.clinicians.iter().any(|c| c.role == *role && plan.clinician_sees(c, &kind.name));
            for mode in Mode::ALL.into_iter().filter(|m| sees && item.mode.allows(*m) && kind.modes.contains(m)) {
                *demand.entry((role.to_string(), mode)).or_insert(0) += item.slots.max(1);
            }
        }
    }

    // Score every half-day (and whole day, when one session cannot hold the
    // need) of every need, against a copy with the clinicians it would use.
    let mut scratch = plan.clone();
    let mut candidates: Vec<Candidate> = Vec::new();
    for ((role, mode), &needed) in &demand {
        let clinic = clinic(plan, role, *mode);
        let reserve = plan.rules.reserve.clamp(0.0, 1.0);
        let usable = (f64::from(clinic.slots) * (1.0 - reserve) + 1e-9).floor() as u32;
        let halves = half_days(plan, clinic.start_am, clinic.start_pm);
        let mut shapes: Vec<(NaiveDate, Vec<PartOfDay>)> = halves.iter().map(|&(d, p)| (d, vec![p])).collect();
        if needed > usable {
            for &(d, _) in halves.iter().filter(|(_, p)| *p == PartOfDay::AM) {
                if halves.contains(&(d, PartOfDay::PM)) {
                    shapes.push((d, vec![PartOfDay::AM, PartOfDay::PM]));
                }
            }
        }
        for (date, parts) in shapes {
            let clinician = clinician_for(&mut scratch, role, date, &parts);
            let advice = Advice::unmeasured(role.clone(), clinician.clone(), date, parts.clone(), *mode, clinic.slots);
            let trial = advised_sessions(&scratch, &advice, &clinician);
            let estimate = estimated_gain(&scratch, &struggling, &trial);
            if estimate > 0.0 {
                candidates.push(Candidate {
                    need: (role.clone(), *mode),
                    clinician,
                    date,
                    parts,
                    slots: clinic.slots,
                    estimate,
                });
            }
        }
    }

    // Measure the best of each need in turn, so every need gets a real try.
    let mut by_need: BTreeMap<Need, Vec<Candidate>> = BTreeMap::new();
    for c in candidates {
        by_need.entry(c.need.clone()).or_default().push(c);
    }
    for list in by_need.values_mut() {
        list.sort_by(|a, b| b.estimate.total_cmp(&a.estimate).then((a.date, &a.parts).cmp(&(b.date, &b.parts))));
        // One candidate per date in a need: the next try is another day.
        let mut dates = BTreeSet::new();
        list.retain(|c| dates.insert(c.date));
    }
    let mut needs: Vec<(f64, Need)> =
        by_need.iter().map(|(n, l)| (l.first().map_or(0.0, |c| c.estimate), n.clone())).collect();
    needs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let limit = CHECKED_CANDIDATES.max(max + 2);
    let mut chosen: Vec<Candidate> = Vec::new();
    for round in 0..=PER_NEED {
        for (_, need) in &needs {
            if let Some(c) = by_need.get(need).and_then(|list| list.get(round))
                && chosen.len() < limit
            {
                chosen.push(c.clone());
            }
        }
    }

    let mut measured = Vec::new();
    for c in chosen {
        let mut advice = Advice::unmeasured(c.need.0.clone(), c.clinician, c.date, c.parts, c.need.1, c.slots);
        let mut with_session = plan.clone();
        add_advised_session(&mut with_session, &advice);
        let result = solve_for_comparison(&with_session, options)?;
        advice.objective_gain = base.info.objective - result.info.objective;
        if advice.objective_gain <= 1e-6 {
            continue;
        }
        let after = on_time(&with_session, &result.bookings);
        let count = |m: &HashMap<String, Option<bool>>, f: &dyn Fn(Option<bool>) -> bool| {
            m.values().filter(|v| f(**v)).count() as u32
        };
        advice.more_within_target =
            count(&after, &|v| v == Some(true)).saturating_sub(count(&before, &|v| v == Some(true)));
        advice.fewer_late = count(&before, &|v| v == Some(false)).saturating_sub(count(&after, &|v| v == Some(false)));
        advice.fewer_unplaced = count(&before, &|v| v.is_none()).saturating_sub(count(&after, &|v| v.is_none()));
        advice.fixes = fixes(plan, &before, &after);
        advice.summary = summary(&with_session, &advice);
        measured.push(advice);
    }
    measured.sort_by(|a, b| {
        b.objective_gain
            .total_cmp(&a.objective_gain)
            .then((a.date, &a.parts, &a.role).cmp(&(b.date, &b.parts, &b.role)))
    });
    // Varied: one idea per clinician and day, at most PER_NEED per role and mode.
    let mut days = BTreeSet::new();
    let mut per_need: BTreeMap<Need, usize> = BTreeMap::new();
    measured.retain(|a| {
        let n = per_need.entry((a.role.clone(), a.mode)).or_insert(0);
        *n += 1;
        days.insert((a.clinician.clone(), a.date)) && *n <= PER_NEED
    });
    measured.truncate(max);
    Ok(measured)
}

/// What the extra sessions could gain if they took the struggling appointments
/// they suit best, as many as their usable slots allow.
fn estimated_gain(plan: &Plan, struggling: &[(usize, f64)], sessions: &[Session]) -> f64 {
    let mut room: Vec<u32> = sessions.iter().map(|s| s.usable_slots(&plan.rules)).collect();
    let mut gains: Vec<(f64, usize, u32)> = Vec::new();
    for &(i, now) in struggling {
        let item = &plan.backlog[i];
        // Its best place among the new sessions.
        let best = sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| check_eligible(plan, item, s).is_ok())
            .map(|(k, s)| (now - placement_cost(plan, item, s).total, k))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((gain, k)) = best
            && gain > 0.0
        {
            gains.push((gain, k, item.slots.max(1)));
        }
    }
    gains.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut total = 0.0;
    for (gain, k, slots) in gains {
        if slots <= room[k] {
            room[k] -= slots;
            total += gain;
        }
    }
    total
}

/// "places 13 unplaced patients (Pharmacist medication review); 2 urgent patients no longer late".
fn fixes(plan: &Plan, before: &HashMap<String, Option<bool>>, after: &HashMap<String, Option<bool>>) -> String {
    let items = plan.items_by_id();
    let mut placed_types: BTreeMap<&str, u32> = BTreeMap::new();
    let mut no_longer_late: BTreeMap<usize, u32> = BTreeMap::new();
    for (id, was) in before {
        let Some(item) = items.get(id.as_str()) else { continue };
        let now = after.get(id).copied().flatten();
        match (was, now) {
            (None, Some(_)) => *placed_types.entry(item.appointment_type.as_str()).or_insert(0) += 1,
            (Some(false), Some(true)) => {
                *no_longer_late.entry(plan.rules.priority_rank(&item.priority)).or_insert(0) += 1
            }
            _ => {}
        }
    }
    let patients = |n: u32| if n == 1 { "patient" } else { "patients" };
    let mut parts = Vec::new();
    let placed: u32 = placed_types.values().sum();
    if placed > 0 {
        let types: Vec<String> = if placed_types.len() == 1 {
            placed_types.keys().map(|t| t.to_string()).collect()
        } else {
            placed_types.iter().map(|(t, n)| format!("{n} {t}")).collect()
        };
        parts.push(format!("places {placed} unplaced {} ({})", patients(placed), types.join(", ")));
    }
    for (rank, n) in no_longer_late {
        let name = plan.rules.priorities.get(rank).map_or_else(|| "other".to_string(), |p| p.name.to_lowercase());
        parts.push(format!("{n} {name} {} no longer late", patients(n)));
    }
    if parts.is_empty() {
        parts.push("patients seen sooner".to_string());
    }
    parts.join("; ")
}

/// "one more face-to-face Pharmacist session with Joan Quinn on Tue 30 Jul AM (9 slots): places ...".
fn summary(plan: &Plan, advice: &Advice) -> String {
    let date = format!("{} {}", crate::model::weekday_short(advice.date.weekday()), advice.date.format("%-d %b"));
    let who = plan.clinician(&advice.clinician).map_or_else(|| advice.clinician.clone(), |c| c.name.clone());
    let mode = advice.mode.label().to_lowercase();
    let head = match advice.parts.as_slice() {
        [part] => format!(
            "one more {mode} {} session with {who} on {date} {} ({} slots)",
            advice.role,
            part.label(),
            advice.slots
        ),
        _ => format!("a {mode} {} day with {who} on {date}, AM and PM ({} slots each)", advice.role, advice.slots),
    };
    format!("{head}: {}", advice.fixes)
}
