//! The LP relaxation of one component of the class model, in good_lp.
//!
//! Variables: for each (class, eligible session) the number of the class's
//! items placed there, and per class the number left unplaced. Rows: every
//! item placed or unplaced; session capacity in slots (doubles count 2);
//! at most one appointment per patient per day (patients with several items);
//! clinician daily caps. Its optimum is a lower bound on any integer plan.

use super::classes::{ClassModel, Component};
use super::flow::Network;
use super::solve::{Backend, SolveError};
use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, variable};
use std::collections::BTreeMap;

/// The LP optimum of one component.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentLp {
    /// Per class of the component (same order), the value of each edge variable.
    pub placed: Vec<Vec<f64>>,
    /// LP objective: a lower bound on the component's part of the objective.
    pub objective: f64,
    pub variables: usize,
    pub constraints: usize,
    /// True when this is an integer solution proven optimal (small components only).
    pub proven_integer: bool,
}

/// How to solve a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relaxation {
    /// The LP relaxation: fast at any size, a lower bound.
    Linear,
    /// Integer variables by branch and bound, within the time limit: only for small components.
    Integer(std::time::Duration),
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
/// Starts from each class's cheapest sessions and adds any session whose reduced
/// cost shows it could help (column generation), so the optimum is over every
/// eligible session. None when the simplex gives up (the caller uses the LP solver).
pub fn solve_component_flow(model: &ClassModel, component: &Component) -> Option<ComponentLp> {
    let k = component.classes.len();
    let session_node: BTreeMap<usize, usize> =
        component.sessions.iter().enumerate().map(|(i, &s)| (s, k + i)).collect();
    let sink = k + component.sessions.len();
    let mean_capacity = (component.sessions.iter().map(|&s| f64::from(model.capacity[s])).sum::<f64>()
        / component.sessions.len().max(1) as f64)
        .max(1.0);
    // Start with enough of the cheapest sessions to hold each class three times over.
    let active: Vec<Vec<bool>> = component
        .classes
        .iter()
        .map(|&c| {
            let class = &model.classes[c];
            let need = f64::from(class.slots) * class.count() as f64 / mean_capacity;
            let keep = ((3.0 * need).ceil() as usize).max(START_EDGES);
            let mut order: Vec<usize> = (0..class.edges.len()).collect();
            order.sort_by(|&a, &b| class.edges[a].cost.total_cmp(&class.edges[b].cost).then(a.cmp(&b)));
            let mut on = vec![false; class.edges.len()];
            for &e in order.iter().take(keep) {
                on[e] = true;
            }
            on
        })
        .collect();
    let mut net = Network::new(sink + 1);
    let mut total = 0.0;
    let mut edge_arcs: Vec<Vec<Option<usize>>> = Vec::with_capacity(k);
    for (i, &c) in component.classes.iter().enumerate() {
        let class = &model.classes[c];
        let slots = f64::from(class.slots);
        let supply = slots * class.count() as f64;
        total += supply;
        net.set_supply(i, supply);
        let arcs = class
            .edges
            .iter()
            .zip(&active[i])
            .map(|(e, &on)| {
                let node = session_node.get(&e.session).copied().unwrap_or(sink);
                on.then(|| net.add_arc(i, node, supply, e.cost / slots))
            })
            .collect();
        net.add_arc(i, sink, supply, class.unplaced_cost / slots);
        edge_arcs.push(arcs);
    }
    for (&s, &node) in &session_node {
        net.add_arc(node, sink, f64::from(model.capacity[s]), 0.0);
    }
    net.set_supply(sink, -total);
    let all_edges: usize = component.classes.iter().map(|&c| model.classes[c].edges.len()).sum();
    let pivot_limit = 100 * (all_edges + k + component.sessions.len()) + 10_000;
    for _round in 0..MAX_ROUNDS {
        let solution = net.solve(pivot_limit)?;
        // Price the sessions left out; the most promising few per class join, and the
        // simplex resumes from where it stopped.
        let mut added = 0;
        for (i, &c) in component.classes.iter().enumerate() {
            let class = &model.classes[c];
            let slots = f64::from(class.slots);
            let supply = slots * class.count() as f64;
            let mut priced: Vec<(f64, usize)> = class
                .edges
                .iter()
                .enumerate()
                .filter(|(e, _)| edge_arcs[i][*e].is_none())
                .filter_map(|(e, edge)| {
                    let node = session_node.get(&edge.session).copied().unwrap_or(sink);
                    let reduced = edge.cost / slots + solution.potentials[i] - solution.potentials[node];
                    (reduced < -1e-9).then_some((reduced, e))
                })
                .collect();
            priced.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for &(_, e) in priced.iter().take(START_EDGES) {
                let edge = class.edges[e];
                let node = session_node.get(&edge.session).copied().unwrap_or(sink);
                edge_arcs[i][e] = Some(net.add_arc(i, node, supply, edge.cost / slots));
                added += 1;
            }
        }
        if added == 0 {
            let placed = component
                .classes
                .iter()
                .zip(&edge_arcs)
                .map(|(&c, arcs)| {
                    let slots = f64::from(model.classes[c].slots);
                    arcs.iter().map(|a| a.map_or(0.0, |a| solution.flows[a] / slots)).collect()
                })
                .collect();
            let variables = edge_arcs.iter().flatten().flatten().count() + k + component.sessions.len();
            return Some(ComponentLp {
                placed,
                objective: solution.cost,
                variables,
                constraints: k + component.sessions.len(),
                proven_integer: false,
            });
        }
    }
    None
}

/// Cheapest sessions each class starts with in the network simplex.
const START_EDGES: usize = 8;
/// Pricing rounds before the network simplex gives the component to the LP solver.
const MAX_ROUNDS: usize = 200;

/// Builds and solves the LP relaxation of `component`.
pub fn solve_component(
    model: &ClassModel,
    component: &Component,
    backend: Backend,
    relaxation: Relaxation,
) -> Result<ComponentLp, SolveError> {
    if backend == Backend::Default
        && relaxation == Relaxation::Linear
        && uses_flow(model, component)
        && let Some(lp) = solve_component_flow(model, component)
    {
        return Ok(lp);
    }
    solve_component_good_lp(model, component, backend, relaxation)
}

/// The LP (or, for small parts, the integer program) of `component` with all its rows, in good_lp.
pub fn solve_component_good_lp(
    model: &ClassModel,
    component: &Component,
    backend: Backend,
    relaxation: Relaxation,
) -> Result<ComponentLp, SolveError> {
    let integer = matches!(relaxation, Relaxation::Integer(_));
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
                objective.add_mul(e.cost, x);
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
    for (k, &c) in component.classes.iter().enumerate() {
        let class = &model.classes[c];
        let mut all = Expression::with_capacity(class.edges.len() + 1);
        for (e, &x) in class.edges.iter().zip(&edge_vars[k]) {
            all.add_mul(1.0, x);
            per_session.entry(e.session).or_default().add_mul(f64::from(class.slots), x);
            if let Some(r) = model.session_cap_row[e.session] {
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
    // Clinician daily caps, in appointments.
    for (r, used) in per_cap_row {
        constraints.push(used.leq(f64::from(model.cap_rows[r].limit)));
    }
    // One appointment per patient per day, for patients with several items.
    let position: BTreeMap<usize, usize> = component.classes.iter().enumerate().map(|(k, &c)| (c, k)).collect();
    for &p in &component.patients {
        let mut by_day: BTreeMap<chrono::NaiveDate, Expression> = BTreeMap::new();
        let mut classes_on_day: BTreeMap<chrono::NaiveDate, std::collections::BTreeSet<usize>> = BTreeMap::new();
        for &c in &model.patient_classes[p] {
            let Some(&k) = position.get(&c) else { continue };
            for (e, &x) in model.classes[c].edges.iter().zip(&edge_vars[k]) {
                let date = model.session_dates[e.session];
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

    let values = |solution: &dyn Fn(Variable) -> f64| -> (Vec<Vec<f64>>, f64) {
        let placed: Vec<Vec<f64>> =
            edge_vars.iter().map(|row| row.iter().map(|&x| solution(x).max(0.0)).collect()).collect();
        let mut total = 0.0;
        for (k, &c) in component.classes.iter().enumerate() {
            let class = &model.classes[c];
            total += class.edges.iter().zip(&placed[k]).map(|(e, v)| e.cost * v).sum::<f64>();
            total += class.unplaced_cost * solution(unplaced_vars[k]).max(0.0);
        }
        (placed, total)
    };

    let (placed, objective_value, optimal) = match backend {
        Backend::Default => {
            let mut model = problem.using(good_lp::microlp);
            if let Relaxation::Integer(limit) = relaxation {
                model = good_lp::WithTimeLimit::with_time_limit(model, limit.as_secs_f64());
            }
            for c in constraints {
                model.add_constraint(c);
            }
            let solution = model.solve().map_err(|e| SolveError::Solver(e.to_string()))?;
            let optimal = matches!(solution.status(), good_lp::solvers::SolutionStatus::Optimal);
            let (placed, objective) = values(&|x| solution.value(x));
            (placed, objective, optimal)
        }
        Backend::Highs => solve_highs(problem, constraints, &values, relaxation)?,
    };
    Ok(ComponentLp {
        placed,
        objective: objective_value,
        variables,
        constraints: n_constraints,
        proven_integer: integer && optimal,
    })
}

type Values<'a> = dyn Fn(&dyn Fn(Variable) -> f64) -> (Vec<Vec<f64>>, f64) + 'a;

#[cfg(feature = "highs")]
fn solve_highs(
    problem: good_lp::variable::UnsolvedProblem,
    constraints: Vec<good_lp::Constraint>,
    values: &Values<'_>,
    relaxation: Relaxation,
) -> Result<(Vec<Vec<f64>>, f64, bool), SolveError> {
    let mut model = problem.using(good_lp::solvers::highs::highs);
    model.set_verbose(false);
    if let Relaxation::Integer(limit) = relaxation {
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
) -> Result<(Vec<Vec<f64>>, f64, bool), SolveError> {
    Err(SolveError::BackendMissing)
}
