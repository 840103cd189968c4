//! From the LP's fractional shares to whole counts per class and session:
//! rounding, greedy filling, and adopting an exact solution of a small part.

use super::capacity_left::CapacityLeft;
use crate::scheduler::classes::{ClassModel, Component};
use crate::scheduler::lp::{self, ComponentLp};

pub(super) fn empty_counts(model: &ClassModel) -> Vec<Vec<u32>> {
    model.classes.iter().map(|c| vec![0; c.edges.len()]).collect()
}

/// The component's part of the objective for integer counts.
pub(super) fn class_cost(model: &ClassModel, component: &Component, counts: &[Vec<u32>]) -> f64 {
    component.classes.iter().map(|&c| one_class_cost(model, c, counts)).sum()
}

pub(super) fn one_class_cost(model: &ClassModel, c: usize, counts: &[Vec<u32>]) -> f64 {
    let class = &model.classes[c];
    let placed: u32 = counts[c].iter().sum();
    let used: f64 = class.edges.iter().zip(&counts[c]).map(|(e, &n)| e.cost() * f64::from(n)).sum();
    used + class.unplaced_cost * (class.count() as f64 - f64::from(placed))
}

/// Replaces a component's counts by an exact integer solution when it is cheaper
/// and still fits the rules shared with other parts (patients' other appointments).
pub(super) fn adopt_if_better(
    model: &ClassModel,
    component: &Component,
    exact: &ComponentLp,
    counts: &mut [Vec<u32>],
    free: &mut CapacityLeft,
) {
    let before: Vec<Vec<u32>> = component.classes.iter().map(|&c| counts[c].clone()).collect();
    let old_cost = class_cost(model, component, counts);
    for &c in &component.classes {
        for (e, edge) in model.classes[c].edges.iter().enumerate() {
            free.release(model, &model.classes[c], edge.session(), counts[c][e]);
            counts[c][e] = 0;
        }
    }
    let mut fits = true;
    for (k, &c) in component.classes.iter().enumerate() {
        let class = &model.classes[c];
        for &(e, x) in &exact.placed[k] {
            let edge = class.edges[e];
            let wanted = x.round() as u32;
            let n = free.room(model, class, edge.session(), wanted);
            fits &= n == wanted;
            free.take(model, class, edge.session(), n);
            counts[c][e] = n;
        }
    }
    if fits && class_cost(model, component, counts) < old_cost - 1e-9 {
        return;
    }
    // Put the previous counts back: release everything first, then take.
    for &c in &component.classes {
        for (e, edge) in model.classes[c].edges.iter().enumerate() {
            free.release(model, &model.classes[c], edge.session(), counts[c][e]);
        }
    }
    for (k, &c) in component.classes.iter().enumerate() {
        for (e, edge) in model.classes[c].edges.iter().enumerate() {
            free.take(model, &model.classes[c], edge.session(), before[k][e]);
        }
        counts[c].clone_from(&before[k]);
    }
}

/// Rounds a min-cost-flow optimum: its single-slot classes are whole already, but
/// doubles may be split over sessions (in slots the flow cannot tell). Doubles
/// keep their whole appointments, then take a split one where the session still
/// has room for doubles; the single-slot classes are then solved again in the
/// room left (a flow: whole numbers) and kept. Returns that second part and its
/// LP, whose shares are the singles' yardstick for the repair.
pub(super) fn round_flow(
    model: &ClassModel,
    component: &Component,
    lp: &ComponentLp,
    counts: &mut [Vec<u32>],
    free: &mut CapacityLeft,
) -> Option<(Component, ComponentLp)> {
    let doubles: Vec<usize> =
        (0..component.classes.len()).filter(|&k| model.classes[component.classes[k]].slots > 1).collect();
    let mut split: Vec<(f64, f64, usize, usize)> = Vec::new();
    let mut left: Vec<u32> = vec![0; component.classes.len()];
    for &k in &doubles {
        let c = component.classes[k];
        let class = &model.classes[c];
        left[k] = u32::try_from(class.count()).unwrap_or(u32::MAX);
        for &(e, x) in &lp.placed[k] {
            let edge = class.edges[e];
            let whole = ((x + 1e-6).floor() as u32).min(left[k]);
            let n = free.room(model, class, edge.session(), whole);
            free.take(model, class, edge.session(), n);
            counts[c][e] += n;
            left[k] -= n;
            if x - f64::from(whole) > 1e-6 {
                split.push((-(x - f64::from(whole)), edge.cost(), k, e));
            }
        }
    }
    // The largest split shares first, cheapest first among equals.
    split.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)).then(a.3.cmp(&b.3)));
    for (_, _, k, e) in split {
        let c = component.classes[k];
        let class = &model.classes[c];
        if left[k] > 0 && free.room(model, class, class.edges[e].session(), 1) == 1 {
            free.take(model, class, class.edges[e].session(), 1);
            counts[c][e] += 1;
            left[k] -= 1;
        }
    }
    // A double the LP mostly placed but whose shares found no room: its cheapest session
    // that still has room for doubles (the singles are solved again around it).
    for &k in &doubles {
        let c = component.classes[k];
        let class = &model.classes[c];
        let share: f64 = lp.placed[k].iter().map(|&(_, x)| x).sum();
        let placed = u32::try_from(class.count()).unwrap_or(u32::MAX) - left[k];
        let mut missing = ((share + 0.5 - 1e-6).floor() as u32).saturating_sub(placed).min(left[k]);
        if missing == 0 {
            continue;
        }
        let mut order: Vec<usize> = (0..class.edges.len()).collect();
        order.sort_by(|&a, &b| class.edges[a].cost().total_cmp(&class.edges[b].cost()).then(a.cmp(&b)));
        for e in order {
            let n = free.room(model, class, class.edges[e].session(), missing);
            free.take(model, class, class.edges[e].session(), n);
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
        round_down(model, component, lp, counts, free);
        return None;
    }
    let Some(again) = lp::solve_component_flow(model, &part, &free.slots) else {
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
        round_down(model, &part, &view, counts, free);
        return None;
    };
    round_down(model, &part, &again, counts, free);
    Some((part, again))
}

/// Keeps the integer part of the LP solution (always feasible: it only takes less room).
pub(super) fn round_down(
    model: &ClassModel,
    component: &Component,
    lp: &ComponentLp,
    counts: &mut [Vec<u32>],
    free: &mut CapacityLeft,
) {
    for (k, &c) in component.classes.iter().enumerate() {
        let class = &model.classes[c];
        let mut left = u32::try_from(class.count()).unwrap_or(u32::MAX);
        for &(e, x) in &lp.placed[k] {
            let edge = class.edges[e];
            let wanted = ((x + 1e-6).floor() as u32).min(left);
            let n = free.room(model, class, edge.session(), wanted);
            free.take(model, class, edge.session(), n);
            counts[c][e] += n;
            left -= n;
        }
    }
}

/// Places every item still unplaced, most costly to leave out first, each in the
/// cheapest session that still has room, when that beats leaving it unplaced.
pub(super) fn fill_greedily(
    model: &ClassModel,
    component: &Component,
    counts: &mut [Vec<u32>],
    free: &mut CapacityLeft,
) {
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
        edges.sort_by(|&a, &b| class.edges[a].cost().total_cmp(&class.edges[b].cost()).then(a.cmp(&b)));
        for e in edges {
            let edge = class.edges[e];
            if left == 0 || edge.cost() >= class.unplaced_cost {
                break;
            }
            let n = free.room(model, class, edge.session(), left);
            free.take(model, class, edge.session(), n);
            counts[c][e] += n;
            left -= n;
        }
    }
}
