//! The order of the optimiser's steps: build the class model, solve each part's
//! LP on the workers, round, repair, solve small parts exactly, keep the greedy
//! plan when it is better, and hand the places back to patients.

use super::capacity_left::CapacityLeft;
use super::hand_back::hand_back;
use super::local_search::improve;
use super::rounding::{
    adopt_if_better, class_cost, empty_counts, fill_greedily, one_class_cost, round_down, round_flow,
};
use super::worker::{LpPool, run_lp};
use crate::model::{Booking, Plan, SolveInfo};
use crate::rules::cost;
use crate::scheduler::classes::{ClassModel, Component};
use crate::scheduler::lp::{self, Relaxation};
use crate::scheduler::solve_api::{Backend, Progress, SolveError, SolveOptions, SolveResult, SolveStats};
use crate::task::panic_message;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Solves `plan`: every backlog item gets a booking (placed or unplaced).
/// Pinned and confirmed bookings stay; communicated ones move only when it pays M.
/// `cancel` is checked at least every 50 ms; a time limit returns the best plan so far.
/// Writes no explanations: `scheduler::solve_and_explain` adds them from the finished plan.
pub fn solve(
    plan: &Plan,
    options: &SolveOptions,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<SolveResult, SolveError> {
    solve_bounded(plan, options, progress, cancel, Bound::Tightened)
}

/// `solve` for callers that compare objectives only (advice's trial plans): the
/// same plan, with the bound left as the relaxations give it (no parity pricing).
pub(crate) fn solve_for_comparison(plan: &Plan, options: &SolveOptions) -> Result<SolveResult, SolveError> {
    solve_bounded(plan, options, &mut |_| {}, &AtomicBool::new(false), Bound::AsRelaxed)
}

/// How much work the reported bound gets after the repair.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// Flow parts' bounds are raised by pricing the slot parity cut.
    Tightened,
    /// Left as the relaxations give it: the plan is the same, only the gap is wider.
    AsRelaxed,
}

fn solve_bounded(
    plan: &Plan,
    options: &SolveOptions,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
    wanted: Bound,
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
    // The parts' LPs run on worker threads, as many at once as there are cores;
    // their results are used in part order so the plan does not depend on timing.
    let mut pool = LpPool::start(&model, options.backend)?;
    let mut counts = empty_counts(&model);
    let mut free = CapacityLeft::new(&model);
    let mut component_bounds = vec![0.0; model.components.len()];
    // Per part solved as a flow: how high a price of the slot parity cut may raise its bound.
    let mut parity_limits: Vec<Option<f64>> = vec![None; model.components.len()];
    let mut stats = SolveStats { build_ms, components: model.components.len(), ..SolveStats::default() };
    let mut stopped_early = false;
    // Classes the rounding may have placed worse than their LP share: repaired at the end.
    // Each class's share of its LP optimum: the repair works on classes that got less.
    let mut lp_cost: Vec<Option<f64>> = vec![None; model.classes.len()];
    let mut lp_values: Vec<lp::Shares> = vec![Vec::new(); model.classes.len()];
    let total_edges = model.edge_count().max(1) as f32;
    let mut done_edges = 0usize;
    let mut to_fill: Vec<usize> = Vec::new();
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
        match lp {
            Some(lp) => {
                stats.variables += lp.variables;
                stats.constraints += lp.constraints;
                component_bounds[k] = lp.objective;
                if lp::uses_flow(&model, component) && options.backend == Backend::Default {
                    parity_limits[k] = lp::parity_price_limit(&model, component, &lp);
                }
                let singles = if lp::uses_flow(&model, component) && options.backend == Backend::Default {
                    round_flow(&model, component, &lp, &mut counts, &mut free)
                } else {
                    round_down(&model, component, &lp, &mut counts, &mut free);
                    None
                };
                // Filled after every part is rounded (below): the room an appointment's LP
                // place left while its patient was busy that day is kept for swaps first.
                to_fill.push(k);
                // The shares are moved, not copied: on a hub plan they are the largest
                // thing the solve holds besides the model.
                let shares = component
                    .classes
                    .iter()
                    .copied()
                    .zip(lp.placed)
                    .chain(singles.into_iter().flat_map(|(part, lp)| part.classes.into_iter().zip(lp.placed)));
                for (c, values) in shares {
                    let class = &model.classes[c];
                    let placed: f64 = values.iter().map(|&(_, x)| x).sum();
                    let used: f64 = values.iter().map(|&(e, x)| class.edges[e].cost() * x).sum();
                    lp_cost[c] = Some(used + class.unplaced_cost * (class.count() as f64 - placed).max(0.0));
                    lp_values[c] = values;
                }
            }
            None => {
                component_bounds[k] = capacity_free_bound(&model, component);
                fill_greedily(&model, component, &mut counts, &mut free);
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
        improve(&model, &busy, &lp_values, &mut counts, &mut free, &stop);
    }
    for &k in &to_fill {
        fill_greedily(&model, &model.components[k], &mut counts, &mut free);
    }
    // Flow parts whose bound the parity pricing may raise: (part, bound, highest price).
    let mut to_price: Vec<(usize, f64, f64)> = Vec::new();
    if !stopped_early {
        progress(Progress { message: "Repairing the rounded plan".into(), fraction: 0.95 });
        let touched: Vec<usize> = (0..model.classes.len())
            .filter(|&c| lp_cost[c].is_some_and(|lp| one_class_cost(&model, c, &counts) > lp + 1e-6))
            .collect();
        improve(&model, &touched, &lp_values, &mut counts, &mut free, &stop);
        if cancel.load(Ordering::Relaxed) {
            return Err(SolveError::Cancelled);
        }
        stopped_early |= deadline.is_some_and(|d| Instant::now() >= d);
        // Parts the rounding left above their bound. A flow part gets the slot parity
        // cut priced into its bound (the flow cannot hold it as a row). A part small
        // enough for the LP solver gets a branch and bound from the plan found: tiny
        // parts to optimality, the others until the plan is proven within half of
        // CLOSE_GAP or time is up. Every bound so found is proven, so it replaces a
        // weaker one.
        for (k, component) in model.components.iter().enumerate() {
            if cancel.load(Ordering::Relaxed) {
                return Err(SolveError::Cancelled);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                stopped_early = true;
                break;
            }
            let items: usize = component.classes.iter().map(|&c| model.classes[c].count()).sum();
            let cost = class_cost(&model, component, &counts);
            if cost <= component_bounds[k] + 1e-6 {
                continue;
            }
            if let Some(highest) = parity_limits[k]
                && wanted == Bound::Tightened
                && (cost - component_bounds[k]) / cost.abs().max(1.0) > CLOSE_GAP
            {
                to_price.push((k, component_bounds[k], highest));
                continue;
            }
            let relaxation = if items <= EXACT_ITEMS {
                Relaxation::Integer { limit: EXACT_TIME, gap: 0.0 }
            } else if options.backend == Backend::Default
                && !lp::uses_flow(&model, component)
                && (cost - component_bounds[k]) / cost.abs().max(1.0) > CLOSE_GAP
            {
                Relaxation::Integer { limit: CLOSE_TIME, gap: (CLOSE_GAP / 2.0) as f32 }
            } else {
                continue;
            };
            let start = component.classes.iter().map(|&c| counts[c].clone()).collect();
            let Some(exact) = run_lp(&model, k, options.backend, relaxation, Some(start), deadline, cancel)? else {
                stopped_early = true;
                break;
            };
            // A search cut short by its time limit found what this machine had time
            // for: keeping it would make the saved plan depend on the machine's speed.
            if !exact.finished {
                continue;
            }
            component_bounds[k] = component_bounds[k].max(exact.bound);
            adopt_if_better(&model, component, &exact, &mut counts, &mut free);
        }
    }
    // Never worse than placing greedily. The LP values are dropped first: on a hub
    // plan they and two sets of counts (4 bytes an edge each) were the peak.
    drop((lp_values, lp_cost, free));
    let total = |counts: &[Vec<u32>]| model.components.iter().map(|c| class_cost(&model, c, counts)).sum::<f64>();
    let greedy = greedy_counts(&model);
    if total(&greedy) < total(&counts) - 1e-9 {
        counts = greedy;
    }
    progress(Progress { message: "Giving appointment times".into(), fraction: 0.96 });
    // The parity pricing only raises bounds, so it runs beside the hand-back.
    let bookings = if to_price.is_empty() {
        hand_back(plan, &model, &counts)
    } else {
        let (bookings, priced) = std::thread::scope(|scope| {
            let pricing = std::thread::Builder::new().name("rebook-bound".into()).spawn_scoped(scope, || {
                to_price
                    .iter()
                    .map(|&(k, start, highest)| {
                        (k, lp::flow_parity_bound(&model, &model.components[k], start, highest, PARITY_PRICES))
                    })
                    .collect::<Vec<_>>()
            });
            let bookings = hand_back(plan, &model, &counts);
            (bookings, pricing.map(|thread| thread.join()))
        });
        let priced = priced
            .map_err(|e| SolveError::Solver(format!("could not start the solver thread: {e}")))?
            .map_err(|panic| SolveError::Solver(panic_message(&panic)))?;
        for (k, bound) in priced {
            component_bounds[k] = bound;
        }
        bookings
    };
    let mut bound = model.fixed_cost + component_bounds.iter().sum::<f64>();
    // Classes with no eligible session at all are in no component: always unplaced.
    bound +=
        model.classes.iter().filter(|c| c.edges.is_empty()).map(|c| c.unplaced_cost * c.count() as f64).sum::<f64>();
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
    hand_back(plan, &model, &greedy_counts(&model))
}

/// The greedy plan's counts.
fn greedy_counts(model: &ClassModel) -> Vec<Vec<u32>> {
    let mut counts = empty_counts(model);
    let mut free = CapacityLeft::new(model);
    for component in &model.components {
        fill_greedily(model, component, &mut counts, &mut free);
    }
    counts
}

/// Components with at most this many items are solved exactly when rounding left a gap.
const EXACT_ITEMS: usize = crate::scheduler::classes::LINK_PATIENTS_UP_TO;
/// Time allowed for one exact solve of a small component.
const EXACT_TIME: Duration = Duration::from_secs(2);
/// Relative gap above which a part's bound is worked on after the repair: the
/// parity cut priced for a flow part, branch and bound for an LP part (which
/// stops once its plan is proven within half of this).
const CLOSE_GAP: f64 = 1e-3;
/// Prices of the slot parity cut tried on a part solved as a flow.
const PARITY_PRICES: usize = 8;
/// Time allowed for the branch and bound of one such part.
const CLOSE_TIME: Duration = Duration::from_secs(1);

/// A lower bound for a component whose LP was not solved: every item at its
/// cheapest option as if sessions had no capacity limit.
fn capacity_free_bound(model: &ClassModel, component: &Component) -> f64 {
    component
        .classes
        .iter()
        .map(|&c| {
            let class = &model.classes[c];
            let cheapest = class.edges.iter().map(|e| e.cost()).fold(class.unplaced_cost, f64::min);
            cheapest * class.count() as f64
        })
        .sum()
}

/// Bookings that were placed before and are now elsewhere, at another time, or unplaced.
fn count_moved(before: &[Booking], after: &[Booking]) -> u32 {
    cost::moves(before, after).moved
}
