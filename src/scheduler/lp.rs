//! The LP relaxation of one component of the class model, in good_lp.
//!
//! Variables: for each (class, eligible session) the number of the class's
//! items placed there, and per class the number left unplaced. Rows: every
//! item placed or unplaced; session capacity in slots (doubles count 2);
//! at most one appointment per patient per day (patients with several items);
//! clinician daily caps. Its optimum is a lower bound on any integer plan.

use super::classes::{ClassModel, Component};
use super::flow::Network;
use super::solve_api::{Backend, SolveError};
use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, variable};
use std::collections::{BTreeMap, HashMap};

/// One class's LP values: (edge index, value) for each edge whose value is not
/// zero, in edge order. Sparse because a class has up to thousands of eligible
/// sessions but an optimum uses a few: dense values were a third of the memory
/// of a 30,000-item solve.
pub type Shares = Vec<(usize, f64)>;

/// The non-zero values of one class's dense edge values, as `Shares`.
pub fn shares_of(dense: &[f64]) -> Shares {
    dense.iter().enumerate().filter(|(_, x)| **x != 0.0).map(|(e, &x)| (e, x)).collect()
}

/// The LP optimum of one component.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentLp {
    /// Per class of the component (same order), the edge variables that are not zero.
    pub placed: Vec<Shares>,
    /// LP objective: a lower bound on the component's part of the objective.
    pub objective: f64,
    pub variables: usize,
    pub constraints: usize,
    /// True when this is an integer solution proven optimal (small components only).
    pub proven_integer: bool,
    /// A proven lower bound on the component's part of the objective: the LP
    /// optimum, or for an integer solve the branch and bound's best bound
    /// (minus infinity when it proved none).
    pub bound: f64,
    /// False when an integer search stopped at its time limit rather than by
    /// proving its plan optimal or within its gap: then what it found depends on
    /// the machine's speed.
    pub finished: bool,
}

/// How to solve a component.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Relaxation {
    /// The LP relaxation: fast at any size, a lower bound.
    Linear,
    /// Integer variables by branch and bound, within the time limit, stopping once
    /// the plan found is within `gap` (relative) of the search's proven bound: only
    /// for components small enough for the LP solver.
    Integer { limit: std::time::Duration, gap: f32 },
}

/// Components with more choices than this use the network simplex in the default build
/// (measured: microlp solves 15,000 in about 0.3 s here; its vertex solutions also
/// round better than the simplex's, so it is kept wherever it is fast enough).
pub const FLOW_EDGES: usize = 15_000;

/// Whether the default build solves this component as a min-cost flow: when it is
/// too large for microlp to be fast.
pub fn uses_flow(model: &ClassModel, component: &Component) -> bool {
    let edges: usize = component.classes.iter().map(|&c| model.classes[c].edges.len()).sum();
    edges > FLOW_EDGES
}

/// The transportation relaxation of `component` (side rows dropped), by network simplex.
///
/// The network is kept small by the cost structure: every session of one half-day
/// costs a class the same, but for continuity and a communicated booking. So for
/// each half-day a class reaches a shared "hub" node (one per distinct set of
/// sessions) at the dearest cost of that set, and has direct arcs only to the
/// sessions that cost it less. Any flow maps to class-session values of no higher
/// cost, and every class-session solution is a flow of the same cost, so the
/// optimum is exactly the LP's.
///
/// It is in fact a little tighter, and still a valid bound: appointments of n > 1
/// slots reach a session through a gate that holds a multiple of n (a session with
/// 5 free slots takes at most two doubles in any real plan, never 2.5).
/// None when the simplex gives up (the caller uses the LP solver). `capacity` is
/// the slots free in each session (by plan index).
pub fn solve_component_flow(model: &ClassModel, component: &Component, capacity: &[u32]) -> Option<ComponentLp> {
    let mut first = true;
    flow_with_parity_prices(model, component, capacity, &mut |_| std::mem::take(&mut first).then_some(0.0))
}

/// A lower bound on `component`'s cost at least as strong as its flow relaxation:
/// the slot parity cut (see `slot_parity_cut`), which the flow cannot hold as a
/// row, moved into the objective with a price (Lagrangian relaxation). For any
/// price >= 0 the relaxed optimum is a proven bound; a few prices are tried by
/// bisection on the cut's violation, up to `highest`, and the best bound is kept.
/// `start` is the flow bound already known (price 0).
pub fn flow_parity_bound(model: &ClassModel, component: &Component, start: f64, highest: f64, tries: usize) -> f64 {
    let Some(parity) = Parity::of(model, component) else { return start };
    let mut best = start;
    let (mut low, mut high) = (0.0, highest);
    let mut price = highest / 2.0;
    let mut left = tries;
    flow_with_parity_prices(model, component, &model.capacity, &mut |solved| {
        if let Some(lp) = solved {
            // The relaxed objective: flow cost + price x (the cut's left side - its right side).
            best = best.max(lp.objective + price * (parity.several_total - parity.right));
            // Above 0 the cut is still broken at this price: a higher price may bound better.
            if parity.violation(model, component, lp) > 1e-9 {
                low = price;
            } else {
                high = price;
            }
            price = (low + high) / 2.0;
        }
        left = left.checked_sub(1)?;
        Some(price)
    });
    best
}

/// Where pricing the slot parity cut can raise the flow bound of `component`
/// whose flow optimum is `lp`: None when that optimum keeps the cut (then no
/// price does better: the bound is concave in the price and falls from 0), else
/// the highest price worth trying, the largest cost per half of leaving out an
/// appointment of several slots that the flow split.
pub fn parity_price_limit(model: &ClassModel, component: &Component, lp: &ComponentLp) -> Option<f64> {
    let parity = Parity::of(model, component)?;
    if parity.violation(model, component, lp) <= 1e-9 {
        return None;
    }
    component
        .classes
        .iter()
        .zip(&lp.placed)
        .filter(|(c, shares)| model.classes[**c].slots > 1 && shares.iter().any(|&(_, x)| (x - x.round()).abs() > 1e-9))
        .map(|(&c, _)| model.classes[c].unplaced_cost / f64::from(model.classes[c].slots / 2))
        .reduce(f64::max)
}

/// The slot parity cut's constants for one component.
struct Parity {
    /// Its right side, floor((C - N) / 2).
    right: f64,
    /// sum(floor(slots / 2) x count) over appointments of several slots.
    several_total: f64,
}

impl Parity {
    fn of(model: &ClassModel, component: &Component) -> Option<Parity> {
        if component.classes.iter().all(|&c| model.classes[c].slots <= 1) {
            return None;
        }
        let free: i64 = component.sessions.iter().map(|&s| i64::from(model.capacity[s])).sum();
        let mut singles = 0i64;
        let mut several_total = 0.0;
        for &c in &component.classes {
            let class = &model.classes[c];
            if class.slots <= 1 {
                singles += i64::try_from(class.count()).unwrap_or(i64::MAX);
            } else {
                several_total += f64::from(class.slots / 2) * class.count() as f64;
            }
        }
        let right = (free - singles).div_euclid(2) as f64;
        // With room for every appointment of several slots the cut can never bind.
        (several_total > right).then_some(Parity { right, several_total })
    }

    /// How far the component's values `lp` break the cut (its left side less its right side).
    fn violation(&self, model: &ClassModel, component: &Component, lp: &ComponentLp) -> f64 {
        let mut left = 0.0;
        for (&c, shares) in component.classes.iter().zip(&lp.placed) {
            let class = &model.classes[c];
            let placed: f64 = shares.iter().map(|&(_, x)| x).sum();
            if class.slots <= 1 {
                left -= class.count() as f64 - placed;
            } else {
                left += f64::from(class.slots / 2) * placed;
            }
        }
        left - self.right
    }
}

/// The flow relaxation with the slot parity cut priced per unit of its left side:
/// with placed = count - unplaced, a price makes leaving an item out `price` (a
/// single) or `price x floor(slots / 2)` cheaper; the constant part is the
/// caller's. Price 0 is the plain flow relaxation. `next_price` is asked for the
/// first price (with None), then after each solve for the next (None: stop); each
/// solve starts from the last one's optimum. Returns the last solve's optimum.
fn flow_with_parity_prices(
    model: &ClassModel,
    component: &Component,
    capacity: &[u32],
    next_price: &mut dyn FnMut(Option<&ComponentLp>) -> Option<f64>,
) -> Option<ComponentLp> {
    let k = component.classes.len();
    // Only this component's sessions are ever looked up; the others stay NONE.
    let mut session_node = vec![super::flow::NONE; model.capacity.len()];
    for (i, &s) in component.sessions.iter().enumerate() {
        session_node[s] = k + i;
    }
    let first_hub = k + component.sessions.len();
    // Hubs, keyed by the size of appointment and their sessions (in session order within one half-day).
    let mut hub_index: HashMap<(u32, Vec<usize>), usize> = HashMap::new();
    let mut hub_sessions: Vec<(u32, Vec<usize>)> = Vec::new();
    // Gates for appointments of several slots, by (slots, session).
    let mut gates: BTreeMap<(u32, usize), usize> = BTreeMap::new();
    // Arcs to add, decided before the network exists (its node count depends on the hubs).
    let mut direct: Vec<(usize, usize, usize, f64)> = Vec::new(); // (class pos, edge, session, cost per slot)
    let mut via_hub: Vec<(usize, usize, usize, f64)> = Vec::new(); // (class pos, hub, first edge in order, cost per slot)
    for (i, &c) in component.classes.iter().enumerate() {
        let class = &model.classes[c];
        let slots = f64::from(class.slots);
        let order = half_day_order(model, c);
        let mut from = 0;
        while from < order.len() {
            let half = model.session_halves[class.edges[order[from]].session()];
            let mut to = from + 1;
            while to < order.len() && model.session_halves[class.edges[order[to]].session()] == half {
                to += 1;
            }
            let group = &order[from..to];
            if class.slots > 1 {
                for &e in group {
                    let next = gates.len();
                    gates.entry((class.slots, class.edges[e].session())).or_insert(next);
                }
            }
            if group.len() == 1 {
                let e = group[0];
                direct.push((i, e, class.edges[e].session(), class.edges[e].cost() / slots));
            } else {
                let dearest = group.iter().map(|&e| class.edges[e].cost()).fold(f64::MIN, f64::max);
                for &e in group {
                    if class.edges[e].cost() < dearest - 1e-9 {
                        direct.push((i, e, class.edges[e].session(), class.edges[e].cost() / slots));
                    }
                }
                let key = (class.slots.max(1), group.iter().map(|&e| class.edges[e].session()).collect());
                let hub = match hub_index.get(&key) {
                    Some(&h) => h,
                    None => {
                        hub_sessions.push(key.clone());
                        hub_index.insert(key, hub_sessions.len() - 1);
                        hub_sessions.len() - 1
                    }
                };
                via_hub.push((i, hub, from, dearest / slots));
            }
            from = to;
        }
    }
    drop(hub_index);
    let first_gate = first_hub + hub_sessions.len();
    let sink = first_gate + gates.len();
    // Where a class of `slots` enters session `s`: its gate, or the session itself.
    let entry = |slots: u32, s: usize| gates.get(&(slots, s)).map_or(session_node[s], |g| first_gate + g);
    let mut net = Network::new(sink + 1);
    let mut unplaced_arcs = Vec::with_capacity(k);
    let mut total = 0.0;
    let mut supplies = Vec::with_capacity(k);
    for (i, &c) in component.classes.iter().enumerate() {
        let class = &model.classes[c];
        let slots = f64::from(class.slots);
        let supply = slots * class.count() as f64;
        supplies.push(supply);
        total += supply;
        net.set_supply(i, supply);
        unplaced_arcs.push(net.add_arc(i, sink, supply, class.unplaced_cost / slots));
    }
    net.set_supply(sink, -total);
    let direct_arcs: Vec<usize> = direct
        .iter()
        .map(|&(i, _, s, cost)| net.add_arc(i, entry(model.classes[component.classes[i]].slots, s), supplies[i], cost))
        .collect();
    let hub_arcs: Vec<usize> =
        via_hub.iter().map(|&(i, hub, _, cost)| net.add_arc(i, first_hub + hub, supplies[i], cost)).collect();
    let hub_out: Vec<Vec<usize>> = hub_sessions
        .iter()
        .enumerate()
        .map(|(h, (slots, sessions))| {
            sessions
                .iter()
                .map(|&s| net.add_arc(first_hub + h, entry(*slots, s), f64::from(capacity[s]), 0.0))
                .collect()
        })
        .collect();
    for (&(slots, s), &g) in &gates {
        let whole = f64::from(capacity[s] / slots * slots);
        net.add_arc(first_gate + g, session_node[s], whole, 0.0);
    }
    for &s in &component.sessions {
        net.add_arc(session_node[s], sink, f64::from(capacity[s]), 0.0);
    }
    let arcs = direct_arcs.len() + hub_arcs.len() + hub_out.iter().map(Vec::len).sum::<usize>();
    let max_pivots = 100 * (arcs + k + component.sessions.len()) + 10_000;
    let mut last = None;
    let mut price = next_price(None)?;
    loop {
        for (&a, &c) in unplaced_arcs.iter().zip(&component.classes) {
            let class = &model.classes[c];
            let discount = if class.slots <= 1 { price } else { price * f64::from(class.slots / 2) };
            net.set_cost(a, (class.unplaced_cost - discount) / f64::from(class.slots));
        }
        let Some(solution) = net.solve(max_pivots) else { return last };

        // Back to (class, session) values: direct arcs as they are, each hub's inflow
        // shared out over its outflow in order (any split costs the same or less).
        // Collected as (edge, slots) pieces, then summed per edge in the order found.
        let mut pieces: Vec<Vec<(usize, f64)>> = vec![Vec::new(); k];
        for (&(i, e, _, _), &a) in direct.iter().zip(&direct_arcs) {
            if solution.flows[a] != 0.0 {
                pieces[i].push((e, solution.flows[a]));
            }
        }
        let mut inflow: Vec<Vec<(usize, usize, f64)>> = vec![Vec::new(); hub_sessions.len()];
        for (&(i, hub, first, _), &a) in via_hub.iter().zip(&hub_arcs) {
            if solution.flows[a] > 1e-9 {
                inflow[hub].push((i, first, solution.flows[a]));
            }
        }
        for (hub, mut incoming) in inflow.into_iter().enumerate() {
            let sessions = &hub_sessions[hub].1;
            let mut room: Vec<f64> = hub_out[hub].iter().map(|&a| solution.flows[a]).collect();
            // Doubles first and in whole appointments where a session's share allows, so
            // that rounding down loses as little as possible; then whatever is left.
            incoming.sort_by_key(|&(i, _, _)| std::cmp::Reverse(model.classes[component.classes[i]].slots));
            for whole in [true, false] {
                for (i, _, left) in &mut incoming {
                    let class = &model.classes[component.classes[*i]];
                    let slots = f64::from(class.slots);
                    for (p, r) in room.iter_mut().enumerate() {
                        if *left <= 1e-9 {
                            break;
                        }
                        let mut take = left.min(*r);
                        if whole {
                            take = (take / slots + 1e-9).floor() * slots;
                        }
                        if take > 1e-9 {
                            // The class's edge to the hub's p-th session (edges are in session order).
                            let e = class.edges.partition_point(|edge| edge.session() < sessions[p]);
                            pieces[*i].push((e, take));
                            *left -= take;
                            *r -= take;
                        }
                    }
                }
            }
        }
        let placed: Vec<Shares> = pieces
            .into_iter()
            .zip(&component.classes)
            .map(|(mut row, &c)| {
                let slots = f64::from(model.classes[c].slots);
                // Stable: pieces of one edge keep their order, so the sums are as found.
                row.sort_by_key(|&(e, _)| e);
                let mut summed: Shares = Vec::with_capacity(row.len());
                for (e, x) in row {
                    match summed.last_mut() {
                        Some((last, total)) if *last == e => *total += x,
                        _ => summed.push((e, 0.0 + x)),
                    }
                }
                summed.retain(|&(_, x)| x != 0.0);
                for (_, x) in &mut summed {
                    *x /= slots;
                }
                summed
            })
            .collect();
        let lp = ComponentLp {
            placed,
            objective: solution.cost,
            variables: arcs + k + component.sessions.len(),
            constraints: k + component.sessions.len() + hub_sessions.len(),
            proven_integer: false,
            bound: solution.cost,
            finished: true,
        };
        match next_price(Some(&lp)) {
            Some(next) => {
                price = next;
                last = Some(lp);
            }
            None => return Some(lp),
        }
    }
}

/// A cut on the slots of the whole component that no integer plan violates but
/// the LP often does when capacity is tight: it puts half a double appointment
/// into the one slot left over.
///
/// Summing the session rows, the singles placed plus the slots of the others
/// placed fit the component's free slots C. Singles placed are their count N
/// less those unplaced (U), so `sum(slots x placed) - U <= C - N` over the
/// appointments of several slots. Halved and rounded down (every variable is
/// a whole number in any plan): `sum(floor(slots / 2) x placed) - U <= floor((C - N) / 2)`.
/// When capacity is tight, all singles placed and C - N odd, this leaves no
/// room for the half. None when the component has no appointment of several slots.
fn slot_parity_cut(
    model: &ClassModel,
    component: &Component,
    edge_vars: &[Vec<Variable>],
    unplaced_vars: &[Variable],
) -> Option<good_lp::Constraint> {
    let parity = Parity::of(model, component)?;
    let mut row = Expression::default();
    for (k, &c) in component.classes.iter().enumerate() {
        let class = &model.classes[c];
        if class.slots <= 1 {
            row.add_mul(-1.0, unplaced_vars[k]);
        } else {
            for &x in &edge_vars[k] {
                row.add_mul(f64::from(class.slots / 2), x);
            }
        }
    }
    Some(row.leq(parity.right))
}

/// Class `c`'s edge indices sorted by (half-day, session): the order in which the
/// flow network groups them.
fn half_day_order(model: &ClassModel, c: usize) -> Vec<usize> {
    let class = &model.classes[c];
    let mut order: Vec<usize> = (0..class.edges.len()).collect();
    order.sort_unstable_by_key(|&e| (model.session_halves[class.edges[e].session()], class.edges[e].session()));
    order
}

/// Builds and solves the LP relaxation of `component`.
pub fn solve_component(
    model: &ClassModel,
    component: &Component,
    backend: Backend,
    relaxation: Relaxation,
    start: Option<&[Vec<u32>]>,
) -> Result<ComponentLp, SolveError> {
    if backend == Backend::Default
        && relaxation == Relaxation::Linear
        && uses_flow(model, component)
        && let Some(lp) = solve_component_flow(model, component, &model.capacity)
    {
        return Ok(lp);
    }
    solve_component_good_lp(model, component, backend, relaxation, start)
}

/// The LP (or, for small parts, the integer program) of `component` with all
/// its rows, in good_lp. `start`, a known integer plan of the component (counts
/// per class and edge, in component order), is where the integer search of the
/// default backend begins.
pub fn solve_component_good_lp(
    model: &ClassModel,
    component: &Component,
    backend: Backend,
    relaxation: Relaxation,
    start: Option<&[Vec<u32>]>,
) -> Result<ComponentLp, SolveError> {
    let integer = matches!(relaxation, Relaxation::Integer { .. });
    let with_kind = |v: good_lp::variable::VariableDefinition| if integer { v.integer() } else { v };
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::with_capacity(model.edge_count().min(1 << 20));
    let mut edge_vars: Vec<Vec<Variable>> = Vec::with_capacity(component.classes.len());
    let mut unplaced_vars = Vec::with_capacity(component.classes.len());
    for &c in &component.classes {
        let class = &model.classes[c];
        let n = class.count() as f64;
        let row: Vec<Variable> = class
            .edges
            .iter()
            .map(|e| {
                let x = vars.add(with_kind(variable().min(0.0).max(n)));
                objective.add_mul(e.cost(), x);
                x
            })
            .collect();
        let u = vars.add(with_kind(variable().min(0.0).max(n)));
        objective.add_mul(class.unplaced_cost, u);
        edge_vars.push(row);
        unplaced_vars.push(u);
    }
    let variables = vars.len();
    let mut constraints = Vec::new();

    // Every item of a class is either placed somewhere or left unplaced.
    let mut per_session: BTreeMap<usize, Expression> = BTreeMap::new();
    let mut per_cap_row: BTreeMap<usize, Expression> = BTreeMap::new();
    // Appointments of n > 1 slots per session: at most floor(free / n) of them (a valid
    // cut where free slots are not a multiple of n; it tightens the bound).
    let mut per_gate: BTreeMap<(u32, usize), Expression> = BTreeMap::new();
    for (k, &c) in component.classes.iter().enumerate() {
        let class = &model.classes[c];
        let mut all = Expression::with_capacity(class.edges.len() + 1);
        for (e, &x) in class.edges.iter().zip(&edge_vars[k]) {
            all.add_mul(1.0, x);
            if class.slots > 1 && !model.capacity[e.session()].is_multiple_of(class.slots) {
                per_gate.entry((class.slots, e.session())).or_default().add_mul(1.0, x);
            }
            per_session.entry(e.session()).or_default().add_mul(f64::from(class.slots), x);
            if let Some(r) = model.session_cap_row[e.session()] {
                per_cap_row.entry(r).or_default().add_mul(1.0, x);
            }
        }
        all.add_mul(1.0, unplaced_vars[k]);
        constraints.push(all.eq(class.count() as f64));
    }
    // Session capacity, in slots, after fixed bookings.
    for (s, used) in per_session {
        constraints.push(used.leq(f64::from(model.capacity[s])));
    }
    for ((slots, s), used) in per_gate {
        constraints.push(used.leq(f64::from(model.capacity[s] / slots)));
    }
    // Clinician daily caps, in appointments.
    for (r, used) in per_cap_row {
        constraints.push(used.leq(f64::from(model.cap_rows[r].limit)));
    }
    if let Some(parity) = slot_parity_cut(model, component, &edge_vars, &unplaced_vars) {
        constraints.push(parity);
    }
    // One appointment per patient per day, for patients with several items.
    let position: BTreeMap<usize, usize> = component.classes.iter().enumerate().map(|(k, &c)| (c, k)).collect();
    for &p in &component.patients {
        let mut by_day: BTreeMap<chrono::NaiveDate, Expression> = BTreeMap::new();
        let mut classes_on_day: BTreeMap<chrono::NaiveDate, std::collections::BTreeSet<usize>> = BTreeMap::new();
        for &c in &model.patient_classes[p] {
            let Some(&k) = position.get(&c) else { continue };
            for (e, &x) in model.classes[c].edges.iter().zip(&edge_vars[k]) {
                let date = model.session_dates[e.session()];
                by_day.entry(date).or_default().add_mul(1.0, x);
                classes_on_day.entry(date).or_default().insert(c);
            }
        }
        for (date, expr) in by_day {
            if classes_on_day.get(&date).is_some_and(|set| set.len() > 1) {
                constraints.push(expr.leq(1.0));
            }
        }
    }
    let n_constraints = constraints.len();
    let problem = vars.minimise(objective.clone());

    let values = |solution: &dyn Fn(Variable) -> f64| -> (Vec<Shares>, f64) {
        let dense: Vec<Vec<f64>> =
            edge_vars.iter().map(|row| row.iter().map(|&x| solution(x).max(0.0)).collect()).collect();
        let mut total = 0.0;
        for (k, &c) in component.classes.iter().enumerate() {
            let class = &model.classes[c];
            total += class.edges.iter().zip(&dense[k]).map(|(e, v)| e.cost() * v).sum::<f64>();
            total += class.unplaced_cost * solution(unplaced_vars[k]).max(0.0);
        }
        (dense.iter().map(|row| shares_of(row)).collect(), total)
    };

    // The start as values of every variable: its counts, and the rest unplaced.
    let initial: Vec<(Variable, f64)> = start
        .into_iter()
        .flat_map(|counts| {
            component.classes.iter().zip(counts).enumerate().flat_map(|(k, (&c, row))| {
                let placed: u32 = row.iter().sum();
                let left = model.classes[c].count() as f64 - f64::from(placed);
                edge_vars[k].iter().zip(row).map(|(&x, &n)| (x, f64::from(n))).chain([(unplaced_vars[k], left)])
            })
        })
        .collect();
    let (placed, objective_value, optimal, best_bound, finished) = match backend {
        Backend::Default => {
            let mut model = problem.using(good_lp::microlp);
            if let Relaxation::Integer { limit, gap } = relaxation {
                model = good_lp::WithTimeLimit::with_time_limit(model, limit.as_secs_f64());
                if gap > 0.0 {
                    model = good_lp::WithMipGap::with_mip_gap(model, gap)
                        .map_err(|e| SolveError::Solver(format!("{e:?}")))?;
                }
                if !initial.is_empty() {
                    model = good_lp::WithInitialSolution::with_initial_solution(model, initial);
                }
            }
            for c in constraints {
                model.add_constraint(c);
            }
            let solution = model.solve().map_err(|e| SolveError::Solver(e.to_string()))?;
            let status = solution.status();
            let optimal = matches!(status, good_lp::solvers::SolutionStatus::Optimal);
            let finished = optimal || matches!(status, good_lp::solvers::SolutionStatus::GapLimit);
            let (placed, objective) = values(&|x| solution.value(x));
            let best_bound = solution.into_inner().stats().best_bound;
            (placed, objective, optimal, best_bound, finished)
        }
        Backend::Highs => {
            let (placed, objective, optimal) = solve_highs(problem, constraints, &values, relaxation)?;
            (placed, objective, optimal, None, optimal || !integer)
        }
    };
    let bound = match (integer, optimal) {
        (false, _) | (true, true) => objective_value,
        (true, false) => best_bound.unwrap_or(f64::NEG_INFINITY),
    };
    Ok(ComponentLp {
        placed,
        objective: objective_value,
        variables,
        constraints: n_constraints,
        proven_integer: integer && optimal,
        bound,
        finished,
    })
}

type Values<'a> = dyn Fn(&dyn Fn(Variable) -> f64) -> (Vec<Shares>, f64) + 'a;

#[cfg(feature = "highs")]
fn solve_highs(
    problem: good_lp::variable::UnsolvedProblem,
    constraints: Vec<good_lp::Constraint>,
    values: &Values<'_>,
    relaxation: Relaxation,
) -> Result<(Vec<Shares>, f64, bool), SolveError> {
    let mut model = problem.using(good_lp::solvers::highs::highs);
    model.set_verbose(false);
    if let Relaxation::Integer { limit, .. } = relaxation {
        model = model.set_time_limit(limit.as_secs_f64());
    }
    for c in constraints {
        model.add_constraint(c);
    }
    let solution = model.solve().map_err(|e| SolveError::Solver(e.to_string()))?;
    let optimal = matches!(solution.status(), good_lp::solvers::SolutionStatus::Optimal);
    let (placed, objective) = values(&|x| solution.value(x));
    Ok((placed, objective, optimal))
}

#[cfg(not(feature = "highs"))]
fn solve_highs(
    _problem: good_lp::variable::UnsolvedProblem,
    _constraints: Vec<good_lp::Constraint>,
    _values: &Values<'_>,
    _relaxation: Relaxation,
) -> Result<(Vec<Shares>, f64, bool), SolveError> {
    Err(SolveError::BackendMissing)
}
