//! Local search after rounding: moves badly placed items to cheaper sessions,
//! making room by moving other items out (ejections) while that lowers the cost.

use super::capacity_left::CapacityLeft;
use crate::scheduler::classes::ClassModel;
use crate::scheduler::lp::Shares;
use std::cell::OnceCell;

/// Local repair after rounding: moves the worst-placed item of each touched class
/// to a cheaper session, if need be first moving one item of another class out
/// of that session to a session with room (an ejection), while that lowers the cost.
pub(super) fn improve(
    model: &ClassModel,
    touched: &[usize],
    lp_values: &[Shares],
    counts: &mut [Vec<u32>],
    free: &mut CapacityLeft,
    stop: &dyn Fn() -> bool,
) {
    // Who is in each session (entries whose count fell to 0 are skipped when read).
    let mut in_session: Vec<Vec<(usize, usize)>> = vec![Vec::new(); model.capacity.len()];
    for (c, class) in model.classes.iter().enumerate() {
        for (e, edge) in class.edges.iter().enumerate() {
            if counts[c][e] > 0 {
                in_session[edge.session()].push((c, e));
            }
        }
    }
    let by_cost = CheapestFirst::new(model);
    let mut order = touched.to_vec();
    order.sort_by(|&a, &b| model.classes[b].unplaced_cost.total_cmp(&model.classes[a].unplaced_cost).then(a.cmp(&b)));
    for _pass in 0..2 {
        let mut improved = false;
        for &c in &order {
            if stop() {
                return;
            }
            let mut tries = model.classes[c].count();
            while tries > 0 && improve_one(model, &mut in_session, &by_cost, lp_values, c, counts, free) {
                improved = true;
                tries -= 1;
            }
        }
        if !improved {
            break;
        }
    }
}

/// Each class's edges cheapest first, for early exits in the ejection search;
/// worked out for a class when first asked (on a hub plan most classes never
/// are, and all of them took 8 bytes an edge).
struct CheapestFirst<'m> {
    model: &'m ClassModel,
    orders: Vec<OnceCell<Vec<usize>>>,
}

impl<'m> CheapestFirst<'m> {
    fn new(model: &'m ClassModel) -> CheapestFirst<'m> {
        CheapestFirst { model, orders: (0..model.classes.len()).map(|_| OnceCell::new()).collect() }
    }

    fn of(&self, c: usize) -> &[usize] {
        self.orders[c].get_or_init(|| {
            let class = &self.model.classes[c];
            let mut order: Vec<usize> = (0..class.edges.len()).collect();
            order.sort_by(|&a, &b| class.edges[a].cost().total_cmp(&class.edges[b].cost()).then(a.cmp(&b)));
            order
        })
    }
}

/// Full sessions tried per move (each needs a search for items to move out).
const EJECTION_SEARCHES: usize = 2_000;

/// An ejection: one item of `class` moves from edge `from` to edge `to`
/// (`None` = unplaced: an ejection may leave the item out).
#[derive(Debug, Clone, Copy)]
struct Ejection {
    class: usize,
    from: Option<usize>,
    to: Option<usize>,
}

impl Ejection {
    /// The move that takes this one back.
    fn reversed(self) -> Ejection {
        Ejection { class: self.class, from: self.to, to: self.from }
    }
}

/// One improving move for the worst-placed item of class `c`; false when none exists.
/// A full session can be opened by moving up to two other items out of it.
fn improve_one(
    model: &ClassModel,
    in_session: &mut [Vec<(usize, usize)>],
    by_cost: &CheapestFirst<'_>,
    lp_values: &[Shares],
    c: usize,
    counts: &mut [Vec<u32>],
    free: &mut CapacityLeft,
) -> bool {
    let class = &model.classes[c];
    let placed: u32 = counts[c].iter().sum();
    // The worst current unit: unplaced if any, else the most expensive placed one.
    let current: Option<usize> = if (placed as usize) < class.count() {
        None
    } else {
        (0..class.edges.len())
            .filter(|&e| counts[c][e] > 0)
            .max_by(|&a, &b| class.edges[a].cost().total_cmp(&class.edges[b].cost()).then(b.cmp(&a)))
    };
    let current_cost = current.map_or(class.unplaced_cost, |e| class.edges[e].cost());
    if let Some(e) = current {
        free.release(model, class, class.edges[e].session(), 1);
        counts[c][e] -= 1;
    }
    let mut best: Option<(f64, usize, Vec<Ejection>)> = None;
    let mut searches = 0;
    // Sessions where the LP put more of this class than it has first, then all cheapest first.
    let mut lp_first: Vec<usize> = lp_values
        .get(c)
        .map(|x| x.iter().filter(|&&(e, x)| x > f64::from(counts[c][e]) + 1e-6).map(|&(e, _)| e).collect())
        .unwrap_or_default();
    lp_first.sort_by(|&a, &b| class.edges[a].cost().total_cmp(&class.edges[b].cost()).then(a.cmp(&b)));
    let preferred = lp_first.len();
    for (rank, &e) in lp_first.iter().chain(by_cost.of(c)).enumerate() {
        let edge = class.edges[e];
        let direct = edge.cost() - current_cost;
        if direct >= -1e-9 || best.as_ref().is_some_and(|b| direct >= b.0) {
            // Past the LP's sessions edges come cheapest first: nothing later can do better.
            if rank < preferred {
                continue;
            }
            break;
        }
        if free.room(model, class, edge.session(), 1) == 0 {
            if searches == EJECTION_SEARCHES {
                continue;
            }
            searches += 1;
        }
        let mut ejected: Vec<Ejection> = Vec::new();
        let mut total = direct;
        while free.room(model, class, edge.session(), 1) == 0 && ejected.len() < 2 {
            let Some((delta, ejection)) = best_ejection(model, in_session, by_cost, c, edge.session(), counts, free)
            else {
                break;
            };
            apply_ejection(model, ejection, counts, free, in_session);
            ejected.push(ejection);
            total += delta;
        }
        if free.room(model, class, edge.session(), 1) >= 1 && total < -1e-9 && best.as_ref().is_none_or(|b| total < b.0)
        {
            best = Some((total, e, ejected.clone()));
        }
        for &ejection in ejected.iter().rev() {
            undo_ejection(model, ejection, counts, free, in_session);
        }
    }
    if let Some((_, e, ejected)) = best {
        for &ejection in &ejected {
            apply_ejection(model, ejection, counts, free, in_session);
        }
        if free.room(model, class, class.edges[e].session(), 1) >= 1 {
            free.take(model, class, class.edges[e].session(), 1);
            add_one(in_session, model, c, e, counts);
            return true;
        }
        for &ejection in ejected.iter().rev() {
            undo_ejection(model, ejection, counts, free, in_session);
        }
    }
    if let Some(e) = current {
        free.take(model, class, class.edges[e].session(), 1);
        add_one(in_session, model, c, e, counts);
    }
    false
}

/// The cheapest way to make room for class `c` in `session`: move the patient's
/// own appointment of that day elsewhere when the one-a-day rule blocks, else
/// move one item out of the session to a session with room or to unplaced.
fn best_ejection(
    model: &ClassModel,
    in_session: &[Vec<(usize, usize)>],
    by_cost: &CheapestFirst<'_>,
    c: usize,
    session: usize,
    counts: &[Vec<u32>],
    free: &mut CapacityLeft,
) -> Option<(f64, Ejection)> {
    let date = model.session_dates[session];
    let blocked_by_patient = model.classes[c].patient.is_some_and(|p| free.patient_days.contains(&(p, date)));
    let same_patient: Vec<(usize, usize)> = match model.classes[c].patient {
        Some(p) if blocked_by_patient => model.patient_classes[p]
            .iter()
            .flat_map(|&c2| {
                model.classes[c2]
                    .edges
                    .iter()
                    .enumerate()
                    .filter(move |(_, e)| model.session_dates[e.session()] == date)
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
        let from = other.edges[e2].session();
        let leave = other.unplaced_cost - other.edges[e2].cost();
        if best.is_none_or(|b| leave < b.0) {
            best = Some((leave, Ejection { class: c2, from: Some(e2), to: None }));
        }
        free.release(model, other, from, 1);
        if free.open.len() < other.edges.len() {
            // Few sessions have room: look only at those (edges are in session order).
            for &s3 in &free.open {
                let Ok(e3) = other.edges.binary_search_by_key(&s3, |e| e.session()) else { continue };
                let delta = other.edges[e3].cost() - other.edges[e2].cost();
                if e3 != e2 && s3 != session && best.is_none_or(|b| delta < b.0) && free.room(model, other, s3, 1) >= 1
                {
                    best = Some((delta, Ejection { class: c2, from: Some(e2), to: Some(e3) }));
                }
            }
        } else {
            for &e3 in by_cost.of(c2) {
                let to = other.edges[e3];
                let delta = to.cost() - other.edges[e2].cost();
                if best.is_some_and(|b| delta >= b.0) {
                    break;
                }
                if e3 != e2 && to.session() != session && free.room(model, other, to.session(), 1) >= 1 {
                    best = Some((delta, Ejection { class: c2, from: Some(e2), to: Some(e3) }));
                    break;
                }
            }
        }
        free.take(model, other, from, 1);
    }
    best
}

/// One more item of class `c` on its edge `e`, noted among the session's occupants.
fn add_one(in_session: &mut [Vec<(usize, usize)>], model: &ClassModel, c: usize, e: usize, counts: &mut [Vec<u32>]) {
    if counts[c][e] == 0 {
        let list = &mut in_session[model.classes[c].edges[e].session()];
        if !list.contains(&(c, e)) {
            list.push((c, e));
        }
    }
    counts[c][e] += 1;
}

fn apply_ejection(
    model: &ClassModel,
    Ejection { class: c2, from, to }: Ejection,
    counts: &mut [Vec<u32>],
    free: &mut CapacityLeft,
    in_session: &mut [Vec<(usize, usize)>],
) {
    let other = &model.classes[c2];
    if let Some(from) = from {
        free.release(model, other, other.edges[from].session(), 1);
        counts[c2][from] -= 1;
    }
    if let Some(to) = to {
        free.take(model, other, other.edges[to].session(), 1);
        add_one(in_session, model, c2, to, counts);
    }
}

fn undo_ejection(
    model: &ClassModel,
    ejection: Ejection,
    counts: &mut [Vec<u32>],
    free: &mut CapacityLeft,
    in_session: &mut [Vec<(usize, usize)>],
) {
    apply_ejection(model, ejection.reversed(), counts, free, in_session);
}
