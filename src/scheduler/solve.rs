//! The optimiser: builds the class model, solves each component's LP
//! relaxation, repairs it into an integer plan, and hands the places back to
//! individual patients in original-appointment order.
//!
//! The LP value is a proven lower bound, so every solve reports how far from
//! optimal its plan can be (the gap).

use super::classes::{Class, ClassModel, Component};
use super::cost;
use super::lp::{self, ComponentLp, Relaxation};
use crate::model::{Booking, ContactStatus, Outcome, Plan, SolveInfo};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Which LP solver runs the relaxation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// Pure Rust (microlp): builds anywhere with cargo alone.
    #[default]
    Default,
    /// HiGHS, an outside LP solver (needs the `highs` cargo feature); not measured faster than the default here.
    Highs,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Default => "microlp",
            Backend::Highs => "highs",
        }
    }

    /// Whether this build can use the backend.
    pub fn available(self) -> bool {
        match self {
            Backend::Default => true,
            Backend::Highs => cfg!(feature = "highs"),
        }
    }
}

impl std::str::FromStr for Backend {
    type Err = String;

    fn from_str(text: &str) -> Result<Backend, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "default" | "microlp" => Ok(Backend::Default),
            "highs" => Ok(Backend::Highs),
            other => Err(format!("unknown solver backend \"{other}\": use default or highs")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SolveOptions {
    pub backend: Backend,
    /// Stop after this long and return the best plan found, with its gap.
    pub time_limit: Option<Duration>,
}

/// What the solver is doing, for a progress bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub message: String,
    /// 0.0 to 1.0.
    pub fraction: f32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SolveStats {
    pub build_ms: f64,
    pub solve_ms: f64,
    pub variables: usize,
    pub constraints: usize,
    pub components: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SolveResult {
    /// One booking per backlog item, in backlog order.
    pub bookings: Vec<Booking>,
    pub info: SolveInfo,
    pub stats: SolveStats,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolveError {
    #[error("the plan has no sessions: add clinician sessions (the rota) before planning")]
    NoSessions,
    #[error("no backlog: there are no cancelled appointments to rebook")]
    NoBacklog,
    #[error(
        "the HiGHS solver is not built into this copy of Rebook: rebuild with `cargo build --release --features highs`, or use the default solver"
    )]
    BackendMissing,
    #[error("planning was cancelled")]
    Cancelled,
    #[error("the solver failed: {0}")]
    Solver(String),
}

/// Solves `plan`: every backlog item gets a booking (placed or unplaced).
/// Pinned and confirmed bookings stay; communicated ones move only when it pays M.
/// `cancel` is checked at least every 50 ms; a time limit returns the best plan so far.
pub fn solve(
    plan: &Plan,
    options: &SolveOptions,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<SolveResult, SolveError> {
    if !options.backend.available() {
        return Err(SolveError::BackendMissing);
    }
    if plan.backlog.is_empty() {
        return Err(SolveError::NoBacklog);
    }
    if plan.sessions.iter().all(|s| s.cancelled) {
        return Err(SolveError::NoSessions);
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(SolveError::Cancelled);
    }
    let deadline = options.time_limit.map(|limit| Instant::now() + limit);
    let started = Instant::now();
    progress(Progress { message: "Grouping appointments and sessions".into(), fraction: 0.0 });
    let model = Arc::new(ClassModel::build(plan));
    let build_ms = started.elapsed().as_secs_f64() * 1e3;

    let solve_started = Instant::now();
    let mut counts = empty_counts(&model);
    let mut usage = Usage::new(&model);
    let mut component_bounds = vec![0.0; model.components.len()];
    let mut stats = SolveStats { build_ms, components: model.components.len(), ..SolveStats::default() };
    let mut stopped_early = false;
    // Classes the rounding may have placed worse than their LP share: repaired at the end.
    // Each class's share of its LP optimum: the repair works on classes that got less.
    let mut lp_cost: Vec<Option<f64>> = vec![None; model.classes.len()];
    let mut lp_values: Vec<Vec<f64>> = vec![Vec::new(); model.classes.len()];
    let total_edges = model.edge_count().max(1) as f32;
    let mut done_edges = 0usize;
    let mut to_fill: Vec<usize> = Vec::new();
    // The parts' LPs run on worker threads, as many at once as there are cores;
    // their results are used in part order so the plan does not depend on timing.
    let mut pool = LpPool::start(&model, options.backend)?;
    for (k, component) in model.components.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(SolveError::Cancelled);
        }
        let size: usize = component.classes.iter().map(|&c| model.classes[c].edges.len()).sum();
        progress(Progress {
            message: format!("Solving part {} of {} ({} choices)", k + 1, model.components.len(), size),
            fraction: 0.05 + 0.9 * done_edges as f32 / total_edges,
        });
        done_edges += size;
        let lp = if stopped_early || deadline.is_some_and(|d| Instant::now() >= d) {
            stopped_early = true;
            None
        } else {
            match pool.wait(k, deadline, cancel)? {
                Some(lp) => Some(lp),
                None => {
                    stopped_early = true;
                    None
                }
            }
        };
        match &lp {
            Some(lp) => {
                stats.variables += lp.variables;
                stats.constraints += lp.constraints;
                component_bounds[k] = lp.objective;
                let singles = if lp::uses_flow(&model, component) && options.backend == Backend::Default {
                    round_flow(&model, component, lp, &mut counts, &mut usage)
                } else {
                    round_down(&model, component, lp, &mut counts, &mut usage);
                    None
                };
                // Filled after every part is rounded (below): the room an appointment's LP
                // place left while its patient was busy that day is kept for swaps first.
                to_fill.push(k);
                let shares = component
                    .classes
                    .iter()
                    .zip(&lp.placed)
                    .chain(singles.iter().flat_map(|(part, lp)| part.classes.iter().zip(&lp.placed)));
                for (&c, values) in shares {
                    let class = &model.classes[c];
                    let placed: f64 = values.iter().sum();
                    let used: f64 = class.edges.iter().zip(values).map(|(e, x)| e.cost * x).sum();
                    lp_cost[c] = Some(used + class.unplaced_cost * (class.count() as f64 - placed).max(0.0));
                    lp_values[c].clone_from(values);
                }
            }
            None => {
                component_bounds[k] = capacity_free_bound(&model, component);
                fill_greedily(&model, component, &mut counts, &mut usage);
            }
        }
    }
    let stop = || cancel.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d);
    if !stopped_early {
        // A patient's appointments in different parts may have been given the same day:
        // the later one moves first, while the room of its LP place is still free.
        let busy: Vec<usize> = (0..model.classes.len())
            .filter(|&c| {
                model.classes[c].patient.is_some()
                    && lp_cost[c].is_some_and(|lp| one_class_cost(&model, c, &counts) > lp + 1e-6)
            })
            .collect();
        improve(&model, &busy, &lp_values, &mut counts, &mut usage, &stop);
    }
    for &k in &to_fill {
        fill_greedily(&model, &model.components[k], &mut counts, &mut usage);
    }
    if !stopped_early {
        progress(Progress { message: "Repairing the rounded plan".into(), fraction: 0.95 });
        let touched: Vec<usize> = (0..model.classes.len())
            .filter(|&c| lp_cost[c].is_some_and(|lp| one_class_cost(&model, c, &counts) > lp + 1e-6))
            .collect();
        improve(&model, &touched, &lp_values, &mut counts, &mut usage, &stop);
        if cancel.load(Ordering::Relaxed) {
            return Err(SolveError::Cancelled);
        }
        stopped_early |= deadline.is_some_and(|d| Instant::now() >= d);
        // Small parts the rounding left above their bound: solve them exactly.
        for (k, component) in model.components.iter().enumerate() {
            let items: usize = component.classes.iter().map(|&c| model.classes[c].count()).sum();
            if items > EXACT_ITEMS || class_cost(&model, component, &counts) <= component_bounds[k] + 1e-6 {
                continue;
            }
            let Some(exact) = run_lp(&model, k, options.backend, Relaxation::Integer(EXACT_TIME), deadline, cancel)?
            else {
                stopped_early = true;
                break;
            };
            if exact.proven_integer {
                component_bounds[k] = component_bounds[k].max(exact.objective);
            }
            adopt_if_better(&model, component, &exact, &mut counts, &mut usage);
        }
    }
    // Never worse than placing greedily.
    let mut greedy_counts = empty_counts(&model);
    let mut greedy_usage = Usage::new(&model);
    for component in &model.components {
        fill_greedily(&model, component, &mut greedy_counts, &mut greedy_usage);
    }
    let total = |counts: &[Vec<u32>]| model.components.iter().map(|c| class_cost(&model, c, counts)).sum::<f64>();
    if total(&greedy_counts) < total(&counts) - 1e-9 {
        counts = greedy_counts;
    }
    let mut bound = model.fixed_cost + component_bounds.iter().sum::<f64>();
    // Classes with no eligible session at all are in no component: always unplaced.
    bound +=
        model.classes.iter().filter(|c| c.edges.is_empty()).map(|c| c.unplaced_cost * c.count() as f64).sum::<f64>();
    progress(Progress { message: "Giving appointment times".into(), fraction: 0.96 });
    let mut bookings = hand_back(plan, &model, &counts);
    progress(Progress { message: "Explaining the bookings".into(), fraction: 0.97 });
    super::explain::explain_all(plan, &mut bookings);
    let objective = cost::objective(plan, &bookings, &plan.bookings);
    let bound = bound.min(objective);
    stats.solve_ms = solve_started.elapsed().as_secs_f64() * 1e3;
    let moved = count_moved(&plan.bookings, &bookings);
    let info = SolveInfo {
        backend: options.backend.name().to_string(),
        objective,
        bound,
        gap: (objective - bound) / objective.abs().max(1.0),
        moved,
        stopped_early,
    };
    progress(Progress { message: "Done".into(), fraction: 1.0 });
    Ok(SolveResult { bookings, info, stats })
}

/// Replaces the plan's bookings with the solved ones and records the solve figures.
pub fn apply_solution(plan: &mut Plan, result: SolveResult) {
    plan.bookings = result.bookings;
    plan.solve_info = Some(result.info);
    plan.normalise();
}

/// A plan built without any LP: classes in priority order, each item in its cheapest
/// free eligible session. The fallback when time runs out, and a yardstick in tests.
pub fn greedy(plan: &Plan) -> Vec<Booking> {
    let model = ClassModel::build(plan);
    let mut counts = empty_counts(&model);
    let mut usage = Usage::new(&model);
    for component in &model.components {
        fill_greedily(&model, component, &mut counts, &mut usage);
    }
    hand_back(plan, &model, &counts)
}

/// Components with at most this many items are solved exactly when rounding left a gap.
const EXACT_ITEMS: usize = super::classes::LINK_PATIENTS_UP_TO;
/// Time allowed for one exact solve of a small component.
const EXACT_TIME: Duration = Duration::from_secs(2);

fn empty_counts(model: &ClassModel) -> Vec<Vec<u32>> {
    model.classes.iter().map(|c| vec![0; c.edges.len()]).collect()
}

/// The component's part of the objective for integer counts.
fn class_cost(model: &ClassModel, component: &Component, counts: &[Vec<u32>]) -> f64 {
    component.classes.iter().map(|&c| one_class_cost(model, c, counts)).sum()
}

fn one_class_cost(model: &ClassModel, c: usize, counts: &[Vec<u32>]) -> f64 {
    let class = &model.classes[c];
    let placed: u32 = counts[c].iter().sum();
    let used: f64 = class.edges.iter().zip(&counts[c]).map(|(e, &n)| e.cost * f64::from(n)).sum();
    used + class.unplaced_cost * (class.count() as f64 - f64::from(placed))
}

/// Replaces a component's counts by an exact integer solution when it is cheaper
/// and still fits the rules shared with other parts (patients' other appointments).
fn adopt_if_better(
    model: &ClassModel,
    component: &Component,
    exact: &ComponentLp,
    counts: &mut [Vec<u32>],
    usage: &mut Usage,
) {
    let before: Vec<Vec<u32>> = component.classes.iter().map(|&c| counts[c].clone()).collect();
    let old_cost = class_cost(model, component, counts);
    for &c in &component.classes {
        for (e, edge) in model.classes[c].edges.iter().enumerate() {
            usage.release(model, &model.classes[c], edge.session, counts[c][e]);
            counts[c][e] = 0;
        }
    }
    let mut fits = true;
    for (k, &c) in component.classes.iter().enumerate() {
        let class = &model.classes[c];
        for (e, edge) in class.edges.iter().enumerate() {
            let wanted = exact.placed[k][e].round() as u32;
            let n = usage.room(model, class, edge.session, wanted);
            fits &= n == wanted;
            usage.take(model, class, edge.session, n);
            counts[c][e] = n;
        }
    }
    if fits && class_cost(model, component, counts) < old_cost - 1e-9 {
        return;
    }
    // Put the previous counts back: release everything first, then take.
    for &c in &component.classes {
        for (e, edge) in model.classes[c].edges.iter().enumerate() {
            usage.release(model, &model.classes[c], edge.session, counts[c][e]);
        }
    }
    for (k, &c) in component.classes.iter().enumerate() {
        for (e, edge) in model.classes[c].edges.iter().enumerate() {
            usage.take(model, &model.classes[c], edge.session, before[k][e]);
        }
        counts[c].clone_from(&before[k]);
    }
}

/// Runs one component's LP on a worker thread so cancellation and the time limit
/// take effect while microlp (which cannot be interrupted) works. `None` = out of time.
fn run_lp(
    model: &Arc<ClassModel>,
    index: usize,
    backend: Backend,
    relaxation: Relaxation,
    deadline: Option<Instant>,
    cancel: &AtomicBool,
) -> Result<Option<ComponentLp>, SolveError> {
    let (sender, receiver) = mpsc::channel();
    let shared = Arc::clone(model);
    std::thread::Builder::new()
        .name("rebook-lp".into())
        .spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                lp::solve_component(&shared, &shared.components[index], backend, relaxation)
            }));
            let outcome = outcome.unwrap_or_else(|panic| Err(SolveError::Solver(panic_message(&panic))));
            // The receiver is gone when the solve was cancelled or timed out: nothing to do.
            let _ = sender.send(outcome);
        })
        .map_err(|e| SolveError::Solver(format!("could not start the solver thread: {e}")))?;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(SolveError::Cancelled);
        }
        let Some(wait) = poll_wait(deadline) else {
            return Ok(None);
        };
        match receiver.recv_timeout(wait) {
            Ok(outcome) => return outcome.map(Some),
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(SolveError::Solver("the solver thread stopped unexpectedly".into()));
            }
        }
    }
}

/// The LP relaxations of every part, solved by a few worker threads in part order.
struct LpPool {
    results: mpsc::Receiver<(usize, Result<ComponentLp, SolveError>)>,
    early: BTreeMap<usize, Result<ComponentLp, SolveError>>,
    /// Tells the workers to take no further part (set when the pool is dropped).
    stop: Arc<AtomicBool>,
}

impl LpPool {
    fn start(model: &Arc<ClassModel>, backend: Backend) -> Result<LpPool, SolveError> {
        let (sender, results) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        for _ in 0..cores.clamp(1, 4).min(model.components.len()) {
            let (model, sender, stop, next) = (Arc::clone(model), sender.clone(), Arc::clone(&stop), Arc::clone(&next));
            std::thread::Builder::new()
                .name("rebook-lp".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(component) = model.components.get(k) else { break };
                        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            lp::solve_component(&model, component, backend, Relaxation::Linear)
                        }));
                        let outcome = outcome.unwrap_or_else(|panic| Err(SolveError::Solver(panic_message(&panic))));
                        // Nobody listens when the solve was cancelled or timed out.
                        if sender.send((k, outcome)).is_err() {
                            break;
                        }
                    }
                })
                .map_err(|e| SolveError::Solver(format!("could not start the solver thread: {e}")))?;
        }
        Ok(LpPool { results, early: BTreeMap::new(), stop })
    }

    /// Part `k`'s LP; `None` when the deadline passed first.
    fn wait(
        &mut self,
        k: usize,
        deadline: Option<Instant>,
        cancel: &AtomicBool,
    ) -> Result<Option<ComponentLp>, SolveError> {
        loop {
            if let Some(outcome) = self.early.remove(&k) {
                return outcome.map(Some);
            }
            if cancel.load(Ordering::Relaxed) {
                return Err(SolveError::Cancelled);
            }
            let Some(wait) = poll_wait(deadline) else {
                return Ok(None);
            };
            match self.results.recv_timeout(wait) {
                Ok((j, outcome)) => {
                    self.early.insert(j, outcome);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(SolveError::Solver("the solver thread stopped unexpectedly".into()));
                }
            }
        }
    }
}

impl Drop for LpPool {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

pub(crate) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "internal error".to_string())
}

/// A lower bound for a component whose LP was not solved: every item at its
/// cheapest option as if sessions had no capacity limit.
fn capacity_free_bound(model: &ClassModel, component: &Component) -> f64 {
    component
        .classes
        .iter()
        .map(|&c| {
            let class = &model.classes[c];
            let cheapest = class.edges.iter().map(|e| e.cost).fold(class.unplaced_cost, f64::min);
            cheapest * class.count() as f64
        })
        .sum()
}

/// Capacity left while turning counts into a plan: slots per session,
/// appointments per capped clinician-day, and the days each patient is booked.
struct Usage {
    slots: Vec<u32>,
    /// Sessions with at least one free slot, for quick searches when most are full.
    open: BTreeSet<usize>,
    cap_rows: Vec<u32>,
    patient_days: BTreeSet<(usize, NaiveDate)>,
}

impl Usage {
    fn new(model: &ClassModel) -> Usage {
        Usage {
            open: (0..model.capacity.len()).filter(|&s| model.capacity[s] > 0).collect(),
            slots: model.capacity.clone(),
            cap_rows: model.cap_rows.iter().map(|r| r.limit).collect(),
            patient_days: BTreeSet::new(),
        }
    }

    /// How many more items of `class` fit in `session` (at most `wanted`).
    fn room(&self, model: &ClassModel, class: &Class, session: usize, wanted: u32) -> u32 {
        let mut room = (self.slots[session] / class.slots).min(wanted);
        if let Some(r) = model.session_cap_row[session] {
            room = room.min(self.cap_rows[r]);
        }
        if let Some(p) = class.patient
            && self.patient_days.contains(&(p, model.session_dates[session]))
        {
            room = 0;
        }
        room
    }

    fn release(&mut self, model: &ClassModel, class: &Class, session: usize, n: u32) {
        self.slots[session] += class.slots * n;
        if self.slots[session] > 0 {
            self.open.insert(session);
        }
        if let Some(r) = model.session_cap_row[session] {
            self.cap_rows[r] += n;
        }
        if let Some(p) = class.patient
            && n > 0
        {
            self.patient_days.remove(&(p, model.session_dates[session]));
        }
    }

    fn take(&mut self, model: &ClassModel, class: &Class, session: usize, n: u32) {
        self.slots[session] -= class.slots * n;
        if self.slots[session] == 0 {
            self.open.remove(&session);
        }
        if let Some(r) = model.session_cap_row[session] {
            self.cap_rows[r] -= n;
        }
        if let Some(p) = class.patient
            && n > 0
        {
            self.patient_days.insert((p, model.session_dates[session]));
        }
    }
}

/// Rounds a min-cost-flow optimum: its single-slot classes are whole already, but
/// doubles may be split over sessions (in slots the flow cannot tell). Doubles
/// keep their whole appointments, then take a split one where the session still
/// has room for doubles; the single-slot classes are then solved again in the
/// room left (a flow: whole numbers) and kept. Returns that second part and its
/// LP, whose shares are the singles' yardstick for the repair.
fn round_flow(
    model: &ClassModel,
    component: &Component,
    lp: &ComponentLp,
    counts: &mut [Vec<u32>],
    usage: &mut Usage,
) -> Option<(Component, ComponentLp)> {
    let doubles: Vec<usize> =
        (0..component.classes.len()).filter(|&k| model.classes[component.classes[k]].slots > 1).collect();
    let mut split: Vec<(f64, f64, usize, usize)> = Vec::new();
    let mut left: Vec<u32> = vec![0; component.classes.len()];
    for &k in &doubles {
        let c = component.classes[k];
        let class = &model.classes[c];
        left[k] = u32::try_from(class.count()).unwrap_or(u32::MAX);
        for (e, edge) in class.edges.iter().enumerate() {
            let x = lp.placed[k][e];
            let whole = ((x + 1e-6).floor() as u32).min(left[k]);
            let n = usage.room(model, class, edge.session, whole);
            usage.take(model, class, edge.session, n);
            counts[c][e] += n;
            left[k] -= n;
            if x - f64::from(whole) > 1e-6 {
                split.push((-(x - f64::from(whole)), edge.cost, k, e));
            }
        }
    }
    // The largest split shares first, cheapest first among equals.
    split.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)).then(a.3.cmp(&b.3)));
    for (_, _, k, e) in split {
        let c = component.classes[k];
        let class = &model.classes[c];
        if left[k] > 0 && usage.room(model, class, class.edges[e].session, 1) == 1 {
            usage.take(model, class, class.edges[e].session, 1);
            counts[c][e] += 1;
            left[k] -= 1;
        }
    }
    // A double the LP mostly placed but whose shares found no room: its cheapest session
    // that still has room for doubles (the singles are solved again around it).
    for &k in &doubles {
        let c = component.classes[k];
        let class = &model.classes[c];
        let share: f64 = lp.placed[k].iter().sum();
        let placed = u32::try_from(class.count()).unwrap_or(u32::MAX) - left[k];
        let mut missing = ((share + 0.5 - 1e-6).floor() as u32).saturating_sub(placed).min(left[k]);
        if missing == 0 {
            continue;
        }
        let mut order: Vec<usize> = (0..class.edges.len()).collect();
        order.sort_by(|&a, &b| class.edges[a].cost.total_cmp(&class.edges[b].cost).then(a.cmp(&b)));
        for e in order {
            let n = usage.room(model, class, class.edges[e].session, missing);
            usage.take(model, class, class.edges[e].session, n);
            counts[c][e] += n;
            missing -= n;
            if missing == 0 {
                break;
            }
        }
    }
    let part = Component {
        classes: component.classes.iter().copied().filter(|&c| model.classes[c].slots <= 1).collect(),
        ..component.clone()
    };
    if doubles.is_empty() || part.classes.is_empty() {
        round_down(model, component, lp, counts, usage);
        return None;
    }
    let Some(again) = lp::solve_component_flow(model, &part, &usage.slots) else {
        // Keep the singles' first shares (rounded down) when the second solve gives up.
        let view = ComponentLp {
            placed: component
                .classes
                .iter()
                .zip(&lp.placed)
                .filter(|(c, _)| model.classes[**c].slots <= 1)
                .map(|(_, p)| p.clone())
                .collect(),
            ..lp.clone()
        };
        round_down(model, &part, &view, counts, usage);
        return None;
    };
    round_down(model, &part, &again, counts, usage);
    Some((part, again))
}

/// Keeps the integer part of the LP solution (always feasible: it only lowers usage).
fn round_down(model: &ClassModel, component: &Component, lp: &ComponentLp, counts: &mut [Vec<u32>], usage: &mut Usage) {
    for (k, &c) in component.classes.iter().enumerate() {
        let class = &model.classes[c];
        let mut left = u32::try_from(class.count()).unwrap_or(u32::MAX);
        for (e, edge) in class.edges.iter().enumerate() {
            let wanted = ((lp.placed[k][e] + 1e-6).floor() as u32).min(left);
            let n = usage.room(model, class, edge.session, wanted);
            usage.take(model, class, edge.session, n);
            counts[c][e] += n;
            left -= n;
        }
    }
}

/// Places every item still unplaced, most costly to leave out first, each in the
/// cheapest session that still has room, when that beats leaving it unplaced.
fn fill_greedily(model: &ClassModel, component: &Component, counts: &mut [Vec<u32>], usage: &mut Usage) {
    let mut order: Vec<usize> = component.classes.clone();
    order.sort_by(|&a, &b| model.classes[b].unplaced_cost.total_cmp(&model.classes[a].unplaced_cost).then(a.cmp(&b)));
    for c in order {
        let class = &model.classes[c];
        let placed: u32 = counts[c].iter().sum();
        let mut left = u32::try_from(class.count()).unwrap_or(u32::MAX).saturating_sub(placed);
        if left == 0 {
            continue;
        }
        let mut edges: Vec<usize> = (0..class.edges.len()).collect();
        edges.sort_by(|&a, &b| class.edges[a].cost.total_cmp(&class.edges[b].cost).then(a.cmp(&b)));
        for e in edges {
            let edge = class.edges[e];
            if left == 0 || edge.cost >= class.unplaced_cost {
                break;
            }
            let n = usage.room(model, class, edge.session, left);
            usage.take(model, class, edge.session, n);
            counts[c][e] += n;
            left -= n;
        }
    }
}

/// Local repair after rounding: moves the worst-placed item of each touched class
/// to a cheaper session, if need be first moving one item of another class out
/// of that session to a session with room (an ejection), while that lowers the cost.
fn improve(
    model: &ClassModel,
    touched: &[usize],
    lp_values: &[Vec<f64>],
    counts: &mut [Vec<u32>],
    usage: &mut Usage,
    stop: &dyn Fn() -> bool,
) {
    // Who is in each session (entries whose count fell to 0 are skipped when read).
    let mut in_session: Vec<Vec<(usize, usize)>> = vec![Vec::new(); model.capacity.len()];
    for (c, class) in model.classes.iter().enumerate() {
        for (e, edge) in class.edges.iter().enumerate() {
            if counts[c][e] > 0 {
                in_session[edge.session].push((c, e));
            }
        }
    }
    // Each class's edges cheapest first, for early exits in the ejection search.
    let by_cost: Vec<Vec<usize>> = model
        .classes
        .iter()
        .map(|class| {
            let mut order: Vec<usize> = (0..class.edges.len()).collect();
            order.sort_by(|&a, &b| class.edges[a].cost.total_cmp(&class.edges[b].cost).then(a.cmp(&b)));
            order
        })
        .collect();
    let mut order = touched.to_vec();
    order.sort_by(|&a, &b| model.classes[b].unplaced_cost.total_cmp(&model.classes[a].unplaced_cost).then(a.cmp(&b)));
    for _pass in 0..2 {
        let mut improved = false;
        for &c in &order {
            if stop() {
                return;
            }
            let mut tries = model.classes[c].count();
            while tries > 0 && improve_one(model, &mut in_session, &by_cost, lp_values, c, counts, usage) {
                improved = true;
                tries -= 1;
            }
        }
        if !improved {
            break;
        }
    }
}

/// Full sessions tried per move (each needs a search for items to move out).
const EJECTION_SEARCHES: usize = 2_000;

/// An ejection: one item of class `.0` moves from its edge `.1` to edge `.2`.
type Ejection = (usize, usize, usize);

/// One improving move for the worst-placed item of class `c`; false when none exists.
/// A full session can be opened by moving up to two other items out of it.
fn improve_one(
    model: &ClassModel,
    in_session: &mut [Vec<(usize, usize)>],
    by_cost: &[Vec<usize>],
    lp_values: &[Vec<f64>],
    c: usize,
    counts: &mut [Vec<u32>],
    usage: &mut Usage,
) -> bool {
    let class = &model.classes[c];
    let placed: u32 = counts[c].iter().sum();
    // The worst current unit: unplaced if any, else the most expensive placed one.
    let current: Option<usize> = if (placed as usize) < class.count() {
        None
    } else {
        (0..class.edges.len())
            .filter(|&e| counts[c][e] > 0)
            .max_by(|&a, &b| class.edges[a].cost.total_cmp(&class.edges[b].cost).then(b.cmp(&a)))
    };
    let current_cost = current.map_or(class.unplaced_cost, |e| class.edges[e].cost);
    if let Some(e) = current {
        usage.release(model, class, class.edges[e].session, 1);
        counts[c][e] -= 1;
    }
    let mut best: Option<(f64, usize, Vec<Ejection>)> = None;
    let mut searches = 0;
    // Sessions where the LP put more of this class than it has first, then all cheapest first.
    let lp_first: Vec<usize> = lp_values
        .get(c)
        .filter(|x| !x.is_empty())
        .map(|x| by_cost[c].iter().copied().filter(|&e| x[e] > f64::from(counts[c][e]) + 1e-6).collect())
        .unwrap_or_default();
    let preferred = lp_first.len();
    for (rank, &e) in lp_first.iter().chain(&by_cost[c]).enumerate() {
        let edge = class.edges[e];
        let direct = edge.cost - current_cost;
        if direct >= -1e-9 || best.as_ref().is_some_and(|b| direct >= b.0) {
            // Past the LP's sessions edges come cheapest first: nothing later can do better.
            if rank < preferred {
                continue;
            }
            break;
        }
        if usage.room(model, class, edge.session, 1) == 0 {
            if searches == EJECTION_SEARCHES {
                continue;
            }
            searches += 1;
        }
        let mut ejected: Vec<Ejection> = Vec::new();
        let mut total = direct;
        while usage.room(model, class, edge.session, 1) == 0 && ejected.len() < 2 {
            let Some((delta, ejection)) = best_ejection(model, in_session, by_cost, c, edge.session, counts, usage)
            else {
                break;
            };
            apply_ejection(model, ejection, counts, usage, in_session);
            ejected.push(ejection);
            total += delta;
        }
        if usage.room(model, class, edge.session, 1) >= 1 && total < -1e-9 && best.as_ref().is_none_or(|b| total < b.0)
        {
            best = Some((total, e, ejected.clone()));
        }
        for &ejection in ejected.iter().rev() {
            undo_ejection(model, ejection, counts, usage, in_session);
        }
    }
    if let Some((_, e, ejected)) = best {
        for &ejection in &ejected {
            apply_ejection(model, ejection, counts, usage, in_session);
        }
        if usage.room(model, class, class.edges[e].session, 1) >= 1 {
            usage.take(model, class, class.edges[e].session, 1);
            add_one(in_session, model, c, e, counts);
            return true;
        }
        for &ejection in ejected.iter().rev() {
            undo_ejection(model, ejection, counts, usage, in_session);
        }
    }
    if let Some(e) = current {
        usage.take(model, class, class.edges[e].session, 1);
        add_one(in_session, model, c, e, counts);
    }
    false
}

/// Marks an ejection that leaves the moved item unplaced.
const UNPLACED: usize = usize::MAX;

/// The cheapest way to make room for class `c` in `session`: move the patient's
/// own appointment of that day elsewhere when the one-a-day rule blocks, else
/// move one item out of the session to a session with room or to unplaced.
fn best_ejection(
    model: &ClassModel,
    in_session: &[Vec<(usize, usize)>],
    by_cost: &[Vec<usize>],
    c: usize,
    session: usize,
    counts: &[Vec<u32>],
    usage: &mut Usage,
) -> Option<(f64, Ejection)> {
    let date = model.session_dates[session];
    let blocked_by_patient = model.classes[c].patient.is_some_and(|p| usage.patient_days.contains(&(p, date)));
    let same_patient: Vec<(usize, usize)> = match model.classes[c].patient {
        Some(p) if blocked_by_patient => model.patient_classes[p]
            .iter()
            .flat_map(|&c2| {
                model.classes[c2]
                    .edges
                    .iter()
                    .enumerate()
                    .filter(move |(_, e)| model.session_dates[e.session] == date)
                    .map(move |(e2, _)| (c2, e2))
            })
            .collect(),
        _ => Vec::new(),
    };
    let candidates = if blocked_by_patient { &same_patient } else { &in_session[session] };
    let mut best: Option<(f64, Ejection)> = None;
    for &(c2, e2) in candidates {
        if c2 == c || counts[c2][e2] == 0 {
            continue;
        }
        let other = &model.classes[c2];
        let from = other.edges[e2].session;
        let leave = other.unplaced_cost - other.edges[e2].cost;
        if best.is_none_or(|b| leave < b.0) {
            best = Some((leave, (c2, e2, UNPLACED)));
        }
        usage.release(model, other, from, 1);
        if usage.open.len() < by_cost[c2].len() {
            // Few sessions have room: look only at those (edges are in session order).
            for &s3 in &usage.open {
                let Ok(e3) = other.edges.binary_search_by_key(&s3, |e| e.session) else { continue };
                let delta = other.edges[e3].cost - other.edges[e2].cost;
                if e3 != e2 && s3 != session && best.is_none_or(|b| delta < b.0) && usage.room(model, other, s3, 1) >= 1
                {
                    best = Some((delta, (c2, e2, e3)));
                }
            }
        } else {
            for &e3 in &by_cost[c2] {
                let to = other.edges[e3];
                let delta = to.cost - other.edges[e2].cost;
                if best.is_some_and(|b| delta >= b.0) {
                    break;
                }
                if e3 != e2 && to.session != session && usage.room(model, other, to.session, 1) >= 1 {
                    best = Some((delta, (c2, e2, e3)));
                    break;
                }
            }
        }
        usage.take(model, other, from, 1);
    }
    best
}

/// One more item of class `c` on its edge `e`, noted among the session's occupants.
fn add_one(in_session: &mut [Vec<(usize, usize)>], model: &ClassModel, c: usize, e: usize, counts: &mut [Vec<u32>]) {
    if counts[c][e] == 0 {
        let list = &mut in_session[model.classes[c].edges[e].session];
        if !list.contains(&(c, e)) {
            list.push((c, e));
        }
    }
    counts[c][e] += 1;
}

fn apply_ejection(
    model: &ClassModel,
    (c2, from, to): Ejection,
    counts: &mut [Vec<u32>],
    usage: &mut Usage,
    in_session: &mut [Vec<(usize, usize)>],
) {
    let other = &model.classes[c2];
    if from != UNPLACED {
        usage.release(model, other, other.edges[from].session, 1);
        counts[c2][from] -= 1;
    }
    if to != UNPLACED {
        usage.take(model, other, other.edges[to].session, 1);
        add_one(in_session, model, c2, to, counts);
    }
}

fn undo_ejection(
    model: &ClassModel,
    (c2, from, to): Ejection,
    counts: &mut [Vec<u32>],
    usage: &mut Usage,
    in_session: &mut [Vec<(usize, usize)>],
) {
    apply_ejection(model, (c2, to, from), counts, usage, in_session);
}

/// Turns class counts into one booking per backlog item: within a class the
/// earliest original appointment gets the cheapest place.
fn hand_back(plan: &Plan, model: &ClassModel, counts: &[Vec<u32>]) -> Vec<Booking> {
    let previous: BTreeMap<&str, &Booking> = plan.bookings.iter().map(|b| (b.appointment_id.as_str(), b)).collect();
    let mut placement: Vec<Option<usize>> = vec![None; plan.backlog.len()];
    for (c, class) in model.classes.iter().enumerate() {
        let mut places: Vec<(f64, NaiveDate, usize)> = Vec::new();
        for (e, edge) in class.edges.iter().enumerate() {
            for _ in 0..counts[c][e] {
                places.push((edge.cost, model.session_dates[edge.session], edge.session));
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
    let times = super::times::assign_start_times(plan, &by_session);
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
                    outcome: Outcome::Unplaced { reason: String::new() },
                    pinned: false,
                    contact: ContactStatus::NotContacted,
                    explanation: String::new(),
                    changed: None,
                },
            }
        })
        .collect()
}

/// Bookings that were placed before and are now elsewhere, at another time, or unplaced.
fn count_moved(before: &[Booking], after: &[Booking]) -> u32 {
    cost::moves(before, after).moved
}

/// How long to wait for a solver thread before looking at the cancel flag
/// again: at most 50 ms, or `None` once the deadline has passed.
fn poll_wait(deadline: Option<Instant>) -> Option<Duration> {
    let step = Duration::from_millis(50);
    match deadline {
        Some(d) => d.checked_duration_since(Instant::now()).map(|left| left.min(step)),
        None => Some(step),
    }
}
