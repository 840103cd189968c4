//! The figures the planner reports (`model.md`, "What the planner reports"),
//! for the plan's own bookings and, side by side, for the FIFO and
//! priority-greedy baselines on the same input.
//!
//! Percentages count every appointment of the group as the denominator, so
//! an unplaced appointment counts as not seen within target; a group with no
//! appointments reports 100 % (nothing was missed).

pub mod entries;

use crate::model::{BacklogItem, Booking, ContactStatus, Outcome, Plan, Session};
use crate::rules::cost::{deadline, horizon_start, objective};
use crate::scheduler::baseline::{fifo, priority_greedy};
use crate::scheduler::explain::{Explainer, day_label};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

/// Chance a patient misses a rebooked appointment, by lead time (days from the
/// horizon start to the appointment). Published NHS figures: about 1.9 % same
/// day, 5 % next day, 6.8 % at 2-7 days, 8.2-8.9 % beyond a week
/// (`docs/mission.md`, "Domain facts"); rounded as 2 %, 5 %, 7 % and 8.5 %.
pub const DNA_SAME_DAY: f64 = 0.02;
pub const DNA_NEXT_DAY: f64 = 0.05;
pub const DNA_WITHIN_WEEK: f64 = 0.07;
pub const DNA_BEYOND_WEEK: f64 = 0.085;

/// The DNA rate for an appointment `lead_days` after the horizon start.
pub fn dna_rate(lead_days: i64) -> f64 {
    match lead_days {
        i64::MIN..=0 => DNA_SAME_DAY,
        1 => DNA_NEXT_DAY,
        2..=7 => DNA_WITHIN_WEEK,
        _ => DNA_BEYOND_WEEK,
    }
}

/// Everything the report shows for one set of bookings. Field order is the JSON key order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub total: usize,
    pub placed: usize,
    /// One per priority class, most urgent first (unknown classes last).
    pub priorities: Vec<PriorityFigures>,
    /// % of routine appointments placed within 7 days of the horizon start.
    pub routine_within_7: f64,
    /// % of routine appointments placed within 14 days of the horizon start.
    pub routine_within_14: f64,
    /// % of placed "preferred continuity" appointments placed with that clinician.
    pub continuity_kept: f64,
    /// Expected number of did-not-attends among the placed appointments.
    pub expected_dna: f64,
    /// Burndown: one per date with sessions or bookings.
    pub days: Vec<DayFigures>,
    /// Late and unplaced appointments with their reasons.
    pub problems: Vec<Problem>,
    pub objective: f64,
    /// Lower bound proven by the solver (the plan's own bookings only).
    pub bound: Option<f64>,
    pub gap: Option<f64>,
    /// Bookings moved: by the last re-plan (the plan's own), or, for a
    /// baseline, bookings already told to the patient that it places elsewhere.
    pub moved: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriorityFigures {
    pub name: String,
    pub total: usize,
    pub placed: usize,
    /// % of this class placed on or before its deadline.
    pub within_target: f64,
    /// Mean days from the horizon start to the appointment, over those placed.
    pub mean_wait: f64,
    pub max_wait: i64,
    /// Placed after the deadline.
    pub late: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayFigures {
    pub date: NaiveDate,
    /// Usable slots of the day's sessions after the reserve.
    pub usable: u32,
    /// Slots taken by rebooked appointments.
    pub used: u32,
    /// Appointments still waiting at the end of the day (unplaced ones never leave).
    pub remaining: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ProblemKind {
    Unplaced,
    Late,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub appointment_id: String,
    pub kind: ProblemKind,
    pub reason: String,
}

/// The plan's own figures beside the two baselines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub rebook: Report,
    pub fifo: Report,
    pub greedy: Report,
}

/// Figures of `plan.bookings`, with bound, gap and moves of the last solve.
pub fn report(plan: &Plan) -> Report {
    let mut figures = report_for(plan, &plan.bookings);
    if let Some(info) = &plan.solve_info {
        figures.bound = Some(info.bound);
        figures.gap = Some(info.gap);
        figures.moved = info.moved;
    }
    figures
}

/// Figures of any set of bookings for the plan's backlog and sessions.
pub fn report_for(plan: &Plan, bookings: &[Booking]) -> Report {
    let start = horizon_start(plan);
    let sessions: HashMap<&str, &Session> = plan.sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    let by_item: HashMap<&str, &Booking> = bookings.iter().map(|b| (b.appointment_id.as_str(), b)).collect();
    let placed_in = |item: &BacklogItem| -> Option<&Session> {
        by_item.get(item.id.as_str()).and_then(|b| b.session()).and_then(|s| sessions.get(s).copied())
    };
    let wait = |session: &Session| start.map_or(0, |s| (session.date - s).num_days().max(0));

    let mut classes: BTreeMap<(usize, String), ClassTally> = BTreeMap::new();
    let routine = plan.rules.priority("Routine").or(plan.rules.priorities.last()).map(|p| p.name.clone());
    let (mut routine_total, mut routine_7, mut routine_14) = (0usize, 0usize, 0usize);
    let (mut preferred_placed, mut preferred_kept) = (0usize, 0usize);
    let mut expected_dna = 0.0;
    let mut placed_dates: Vec<NaiveDate> = Vec::new();
    let mut used_by_day: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    let mut problems: Vec<(ProblemKind, usize, &BacklogItem)> = Vec::new();

    let mut counted = 0usize;
    for item in &plan.backlog {
        // No longer in the clinical system's list and not booked here: not work to do.
        if plan.is_withdrawn(&item.id) && placed_in(item).is_none() {
            continue;
        }
        counted += 1;
        let rank = plan.rules.priority_rank(&item.priority);
        let name = plan.rules.priority(&item.priority).map_or_else(|| item.priority.clone(), |p| p.name.clone());
        let class = classes.entry((rank, name.clone())).or_default();
        class.total += 1;
        let is_routine = routine.as_deref() == Some(name.as_str());
        routine_total += usize::from(is_routine);
        let Some(session) = placed_in(item) else {
            problems.push((ProblemKind::Unplaced, rank, item));
            continue;
        };
        let days = wait(session);
        class.placed += 1;
        class.wait_sum += days;
        class.max_wait = class.max_wait.max(days);
        let due = start.and_then(|s| deadline(plan, item, s));
        if due.is_none_or(|d| session.date <= d) {
            class.within += 1;
        } else {
            class.late += 1;
            problems.push((ProblemKind::Late, rank, item));
        }
        if is_routine {
            routine_7 += usize::from(days <= 7);
            routine_14 += usize::from(days <= 14);
        }
        if let crate::model::Continuity::Preferred(c) = &item.continuity {
            preferred_placed += 1;
            preferred_kept += usize::from(*c == session.clinician);
        }
        expected_dna += dna_rate(days);
        placed_dates.push(session.date);
        *used_by_day.entry(session.date).or_default() += crate::rules::usage::slots_needed(item);
    }

    let mut usable_by_day: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    for session in &plan.sessions {
        if plan.horizon.is_none_or(|h| h.contains(session.date)) || used_by_day.contains_key(&session.date) {
            *usable_by_day.entry(session.date).or_default() += session.usable_slots(&plan.rules);
        }
    }
    placed_dates.sort();
    let dates: BTreeSet<NaiveDate> = usable_by_day.keys().chain(used_by_day.keys()).copied().collect();
    let days = dates
        .into_iter()
        .map(|date| DayFigures {
            date,
            usable: usable_by_day.get(&date).copied().unwrap_or(0),
            used: used_by_day.get(&date).copied().unwrap_or(0),
            remaining: counted - placed_dates.partition_point(|d| *d <= date),
        })
        .collect();

    problems.sort_by(|a, b| (a.0, a.1, a.2.original_key()).cmp(&(b.0, b.1, b.2.original_key())));
    let mut explainer: Option<Explainer> = None;
    let problems = problems
        .into_iter()
        .map(|(kind, _, item)| {
            let booking = by_item.get(item.id.as_str()).copied();
            let written = match booking.map(|b| &b.outcome) {
                Some(Outcome::Unplaced { reason }) if reason.is_explained() => reason.describe(plan),
                Some(Outcome::Placed { .. }) => booking.map(|b| b.explanation.clone()).unwrap_or_default(),
                _ => String::new(),
            };
            let reason = if written.is_empty() {
                let explainer = explainer.get_or_insert_with(|| Explainer::new(plan, bookings));
                match booking {
                    Some(b) if b.session().is_some() => explainer.placed(b),
                    _ => explainer.unplaced(&item.id).map(|reason| reason.describe(plan)),
                }
                .unwrap_or_default()
            } else {
                written
            };
            Problem { appointment_id: item.id.clone(), kind, reason }
        })
        .collect();

    let moved = moved_from_told(plan, bookings);
    let placed = classes.values().map(|c| c.placed).sum();
    Report {
        total: counted,
        placed,
        priorities: classes
            .into_iter()
            .map(|((_, name), c)| PriorityFigures {
                name,
                total: c.total,
                placed: c.placed,
                within_target: percent(c.within, c.total),
                mean_wait: if c.placed == 0 { 0.0 } else { c.wait_sum as f64 / c.placed as f64 },
                max_wait: c.max_wait,
                late: c.late,
            })
            .collect(),
        routine_within_7: percent(routine_7, routine_total),
        routine_within_14: percent(routine_14, routine_total),
        continuity_kept: percent(preferred_kept, preferred_placed),
        expected_dna,
        days,
        problems,
        objective: objective(plan, bookings, &plan.bookings),
        bound: None,
        gap: None,
        moved,
    }
}

/// The plan beside FIFO and priority-greedy on the same input.
pub fn compare(plan: &Plan) -> Comparison {
    Comparison {
        rebook: report(plan),
        fifo: report_for(plan, &fifo(plan)),
        greedy: report_for(plan, &priority_greedy(plan)),
    }
}

/// What applying a re-plan would change, for the preview the window shows
/// before anything changes: "12 patients would move, 3 of them already told;
/// 2 urgent no longer late".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplanPreview {
    /// Bookings that would change session or time, or be left unplaced.
    pub moved: u32,
    /// Of those, the patient was already told (notified or confirmed).
    pub told: u32,
    pub placed_before: usize,
    pub placed_after: usize,
    /// Per priority class (most urgent first): late before and within target after.
    pub no_longer_late: Vec<(String, usize)>,
    /// Per priority class: within target before and late (or unplaced) after.
    pub newly_late: Vec<(String, usize)>,
    /// Pinned or confirmed bookings that would move (their session was cancelled
    /// or removed): (appointment id, patient name, "pinned" or "confirmed").
    pub promises_moved: Vec<(String, String, &'static str)>,
}

/// The preview of replacing `before`'s bookings by `after`'s (the same plan
/// re-planned, perhaps with a session added).
pub fn replan_preview(before: &Plan, after: &Plan) -> ReplanPreview {
    let moves = crate::rules::cost::moves(&before.bookings, &after.bookings);
    let within = |plan: &Plan| -> HashMap<String, bool> {
        let start = horizon_start(plan);
        let items = plan.items_by_id();
        plan.bookings
            .iter()
            .filter_map(|b| {
                let item = items.get(b.appointment_id.as_str())?;
                let session = b.session().and_then(|s| plan.session(s))?;
                let on_time = start.and_then(|st| deadline(plan, item, st)).is_none_or(|d| session.date <= d);
                Some((b.appointment_id.clone(), on_time))
            })
            .collect()
    };
    let (was, now) = (within(before), within(after));
    let mut better: BTreeMap<(usize, String), usize> = BTreeMap::new();
    let mut worse: BTreeMap<(usize, String), usize> = BTreeMap::new();
    for item in &before.backlog {
        let class = (before.rules.priority_rank(&item.priority), item.priority.to_lowercase());
        match (was.get(&item.id), now.get(&item.id)) {
            (Some(false), Some(true)) => *better.entry(class).or_default() += 1,
            (Some(true), Some(false) | None) => *worse.entry(class).or_default() += 1,
            _ => {}
        }
    }
    let after_bookings = after.bookings_by_id();
    let promises_moved = before
        .bookings
        .iter()
        .filter(|b| {
            b.is_fixed() && after_bookings.get(b.appointment_id.as_str()).is_none_or(|a| a.outcome != b.outcome)
        })
        .map(|b| {
            let name = before.backlog_item(&b.appointment_id).map(|i| i.patient.name.clone()).unwrap_or_default();
            (b.appointment_id.clone(), name, if b.pinned { "pinned" } else { "confirmed" })
        })
        .collect();
    let placed = |plan: &Plan| plan.bookings.iter().filter(|b| b.session().is_some()).count();
    ReplanPreview {
        moved: moves.moved,
        told: moves.told,
        placed_before: placed(before),
        placed_after: placed(after),
        no_longer_late: better.into_iter().map(|((_, name), n)| (name, n)).collect(),
        newly_late: worse.into_iter().map(|((_, name), n)| (name, n)).collect(),
        promises_moved,
    }
}

impl ReplanPreview {
    /// "12 patients would move, 3 of them already told; 4 more placed; 2 urgent no longer late".
    pub fn summary(&self) -> String {
        let patients = |n: usize| if n == 1 { "patient" } else { "patients" };
        let mut parts = vec![match (self.moved, self.told) {
            (0, _) => "No booked patient would move".to_string(),
            (n, 0) => format!("{n} {} would move, none of them told yet", patients(n as usize)),
            (n, t) => format!("{n} {} would move, {t} of them already told", patients(n as usize)),
        }];
        match self.placed_after.cmp(&self.placed_before) {
            std::cmp::Ordering::Greater => {
                parts.push(format!("{} more placed", self.placed_after - self.placed_before))
            }
            std::cmp::Ordering::Less => parts.push(format!("{} fewer placed", self.placed_before - self.placed_after)),
            std::cmp::Ordering::Equal => {}
        }
        for (name, n) in &self.no_longer_late {
            parts.push(format!("{n} {name} no longer late"));
        }
        for (name, n) in &self.newly_late {
            parts.push(format!("{n} {name} would be late"));
        }
        parts.join("; ")
    }
}

#[derive(Debug, Default)]
struct ClassTally {
    total: usize,
    placed: usize,
    within: usize,
    late: usize,
    wait_sum: i64,
    max_wait: i64,
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 { 100.0 } else { 100.0 * part as f64 / whole as f64 }
}

/// Bookings the patient was told of (notified or confirmed in `plan.bookings`)
/// that `bookings` places elsewhere or leaves unplaced.
fn moved_from_told(plan: &Plan, bookings: &[Booking]) -> u32 {
    let now: HashMap<&str, Option<&str>> = bookings.iter().map(|b| (b.appointment_id.as_str(), b.session())).collect();
    let moved = plan
        .bookings
        .iter()
        .filter(|b| b.contact.is_communicated() || b.contact == ContactStatus::Confirmed)
        .filter(|b| b.session().is_some() && now.get(b.appointment_id.as_str()).copied().flatten() != b.session())
        .count();
    u32::try_from(moved).unwrap_or(u32::MAX)
}

/// Problems listed in the text report; the JSON has them all.
const TEXT_PROBLEMS: usize = 40;

/// The comparison as text for the terminal: the figures about patients
/// first (beside the baselines), the plan's burndown and problems, then the
/// details of how the optimiser scored it.
pub fn render_text(comparison: &Comparison) -> String {
    let reports = [&comparison.rebook, &comparison.fifo, &comparison.greedy];
    let mut rows: Vec<(String, [String; 3])> = Vec::new();
    let mut details: Vec<(String, [String; 3])> = Vec::new();
    let mut row = |label: String, value: &dyn Fn(&Report) -> String| {
        rows.push((label, reports.map(value)));
    };
    row("Placed".into(), &|r| format!("{}/{}", r.placed, r.total));
    for (i, class) in comparison.rebook.priorities.iter().enumerate() {
        let at = move |r: &Report| r.priorities.get(i).cloned();
        let name = &class.name;
        row(format!("{name}: within target"), &|r| at(r).map(|p| pct(p.within_target)).unwrap_or_default());
        row(format!("{name}: late / unplaced"), &|r| {
            at(r).map(|p| format!("{} / {}", p.late, p.total - p.placed)).unwrap_or_default()
        });
        row(format!("{name}: days waited, mean / max"), &|r| {
            at(r).map(|p| format!("{:.1} / {}", p.mean_wait, p.max_wait)).unwrap_or_default()
        });
    }
    row("Routine within 7 days".into(), &|r| pct(r.routine_within_7));
    row("Routine within 14 days".into(), &|r| pct(r.routine_within_14));
    row("Usual clinician kept".into(), &|r| pct(r.continuity_kept));
    row("Bookings moved".into(), &|r| r.moved.to_string());
    row("Expected did-not-attends".into(), &|r| format!("{:.1}", r.expected_dna));
    let mut detail = |label: String, value: &dyn Fn(&Report) -> String| {
        details.push((label, reports.map(value)));
    };
    detail("Objective (lower is better)".into(), &|r| format!("{:.0}", r.objective));
    detail("Lower bound / gap".into(), &|r| match (r.bound, r.gap) {
        (Some(b), Some(g)) => format!("{b:.0} / {:.2}%", g * 100.0),
        _ => "-".into(),
    });

    let width = rows.iter().chain(&details).map(|(l, _)| l.len()).max().unwrap_or(0);
    let col = rows.iter().chain(&details).flat_map(|(_, v)| v.iter().map(String::len)).max().unwrap_or(0).max(8);
    let mut out = String::new();
    let table = |out: &mut String, rows: &[(String, [String; 3])]| {
        let _ = writeln!(out, "{:width$}  {:>col$}  {:>col$}  {:>col$}", "", "Rebook", "FIFO", "Greedy");
        for (label, [a, b, c]) in rows {
            let _ = writeln!(out, "{label:width$}  {a:>col$}  {b:>col$}  {c:>col$}");
        }
    };
    let rebook = &comparison.rebook;
    let _ = writeln!(out, "Patients");
    table(&mut out, &rows);
    let _ = writeln!(out, "\nBy day (Rebook): usable, used, still waiting at end of day");
    for day in &rebook.days {
        let _ = writeln!(out, "  {:<11} {:>5} {:>5} {:>6}", day_label(day.date), day.usable, day.used, day.remaining);
    }
    if !rebook.problems.is_empty() {
        let _ = writeln!(out, "\nProblems (Rebook): {}", rebook.problems.len());
        for p in rebook.problems.iter().take(TEXT_PROBLEMS) {
            let kind = match p.kind {
                ProblemKind::Unplaced => "unplaced",
                ProblemKind::Late => "late",
            };
            let _ = writeln!(out, "  {} {kind}: {}", p.appointment_id, p.reason);
        }
        if rebook.problems.len() > TEXT_PROBLEMS {
            let _ = writeln!(out, "  ... and {} more (all of them with --json)", rebook.problems.len() - TEXT_PROBLEMS);
        }
    }
    let _ = writeln!(out, "\nDetails: how the optimiser scored the plans");
    table(&mut out, &details);
    out
}

impl std::fmt::Display for Comparison {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&render_text(self))
    }
}

fn pct(value: f64) -> String {
    format!("{value:.1}%")
}
