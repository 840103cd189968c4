//! A network simplex for the transportation part of the LP, the fast path of
//! the default (pure Rust) build on large components.
//!
//! Measured in slots, the LP relaxation without its side rows (one appointment
//! per patient per day, clinician caps) is a min-cost flow: each class sends
//! `slots x count` units to sessions (capacity = free usable slots) or to
//! "unplaced"; a class's cost per slot is its cost per item divided by its
//! slots. Dropping side rows only relaxes the LP, so its optimum is still a
//! valid lower bound; the repair then enforces every rule.

/// "No node" or "no arc" in the spanning tree's index arrays (a root's parent,
/// a leaf's first child, no entering arc yet): a plain index keeps the arrays
/// flat and the pivot loop fast.
pub(crate) const NONE: usize = usize::MAX;

/// An optimal flow with its duals.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlowSolution {
    pub flows: Vec<f64>,
    pub cost: f64,
    pub potentials: Vec<f64>,
}

/// One arc of the network.
#[derive(Debug, Clone, Copy)]
struct Arc {
    from: usize,
    to: usize,
    cap: f64,
    cost: f64,
    flow: f64,
}

const EPS: f64 = 1e-9;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Tree,
    Lower,
    Upper,
}

/// The spanning tree of the network simplex, kept between solves so arcs can be
/// added (column generation) and the solve resumed from the last optimum.
struct Tree {
    parent: Vec<usize>,
    pred: Vec<usize>,
    potential: Vec<f64>,
    depth: Vec<usize>,
    first_child: Vec<usize>,
    next_sibling: Vec<usize>,
    prev_sibling: Vec<usize>,
    state: Vec<State>,
    next_arc: usize,
    /// Artificial arcs (root links) are `first_artificial..first_artificial + nodes`.
    first_artificial: usize,
}

/// A min-cost flow problem: nodes with supplies (positive) or demands (negative).
pub struct Network {
    supply: Vec<f64>,
    arcs: Vec<Arc>,
    tree: Option<Tree>,
    /// An arc's cost changed since the last solve: its tree's potentials are out of date.
    repriced: bool,
}

impl Network {
    pub fn new(nodes: usize) -> Network {
        Network { supply: vec![0.0; nodes], arcs: Vec::new(), tree: None, repriced: false }
    }

    /// Changes an arc's cost; the next solve starts from the last optimum (still a
    /// feasible flow) with its potentials worked out again.
    pub fn set_cost(&mut self, arc: usize, cost: f64) {
        if self.arcs[arc].cost != cost {
            self.arcs[arc].cost = cost;
            self.repriced = true;
        }
    }

    /// Supplies can only be set before the first solve.
    pub fn set_supply(&mut self, node: usize, supply: f64) {
        self.supply[node] = supply;
    }

    /// Adds an arc (also after a solve: it starts at zero flow) and returns its index.
    pub fn add_arc(&mut self, from: usize, to: usize, cap: f64, cost: f64) -> usize {
        self.arcs.push(Arc { from, to, cap, cost, flow: 0.0 });
        if let Some(tree) = &mut self.tree {
            tree.state.push(State::Lower);
        }
        self.arcs.len() - 1
    }

    /// Strongly feasible start: every node hangs from an artificial root.
    fn start(&mut self) -> Tree {
        let n = self.supply.len();
        let root = n;
        let max_cost = self.arcs.iter().map(|a| a.cost.abs()).fold(0.0, f64::max);
        let artificial = (max_cost + 1.0) * (n as f64 + 1.0);
        let total: f64 = self.supply.iter().filter(|s| **s > 0.0).sum::<f64>() + 1.0;
        let mut t = Tree {
            parent: vec![NONE; n + 1],
            pred: vec![NONE; n + 1],
            potential: vec![0.0; n + 1],
            depth: vec![0; n + 1],
            first_child: vec![NONE; n + 1],
            next_sibling: vec![NONE; n + 1],
            prev_sibling: vec![NONE; n + 1],
            state: vec![State::Lower; self.arcs.len()],
            next_arc: 0,
            first_artificial: self.arcs.len(),
        };
        for v in 0..n {
            let b = self.supply[v];
            if b > 0.0 {
                self.arcs.push(Arc { from: v, to: root, cap: total, cost: artificial, flow: b });
                t.potential[v] = -artificial;
            } else {
                let cost = if b < 0.0 { artificial } else { 0.0 };
                self.arcs.push(Arc { from: root, to: v, cap: total, cost, flow: -b });
                t.potential[v] = cost;
            }
            t.state.push(State::Tree);
            t.parent[v] = root;
            t.pred[v] = self.arcs.len() - 1;
            t.depth[v] = 1;
            t.next_sibling[v] = t.first_child[root];
            if t.first_child[root] != NONE {
                t.prev_sibling[t.first_child[root]] = v;
            }
            t.first_child[root] = v;
        }
        t
    }

    /// Potentials from the tree arcs' costs, down from the root (whose potential is 0).
    fn recompute_potentials(&self, t: &mut Tree) {
        let root = self.supply.len();
        t.potential[root] = 0.0;
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            let mut child = t.first_child[node];
            while child != NONE {
                let a = &self.arcs[t.pred[child]];
                t.potential[child] =
                    if a.from == child { t.potential[node] - a.cost } else { t.potential[node] + a.cost };
                stack.push(child);
                child = t.next_sibling[child];
            }
        }
    }

    /// Solves to optimality (resuming from the last solve when arcs were added);
    /// returns the flow of every arc (by the index `add_arc` gave), the total
    /// cost and the node potentials (optimal duals: an arc u->v with
    /// cost + p[u] - p[v] < 0 would improve the solution), or None when supplies
    /// cannot be met (artificial flow left) or `max_pivots` is exceeded.
    pub fn solve(&mut self, max_pivots: usize) -> Option<FlowSolution> {
        let n = self.supply.len();
        let mut t = match self.tree.take() {
            Some(mut tree) => {
                if self.repriced {
                    self.recompute_potentials(&mut tree);
                }
                tree
            }
            None => self.start(),
        };
        self.repriced = false;
        let arc_count = self.arcs.len();
        let block = ((arc_count as f64).sqrt() as usize).max(10);
        let reduced = |arcs: &[Arc], potential: &[f64], a: usize| {
            let arc = &arcs[a];
            arc.cost + potential[arc.from] - potential[arc.to]
        };
        let mut pivots = 0usize;
        // Reused by every pivot: the path re-pointed and the subtree walked.
        let mut path: Vec<usize> = Vec::new();
        let mut stack: Vec<usize> = Vec::new();
        loop {
            // Block search for the entering arc: the most violating arc in the first block that has one.
            let mut entering = NONE;
            let mut best = -EPS;
            let mut scanned = 0usize;
            let mut in_block = 0usize;
            while scanned < arc_count {
                let a = t.next_arc;
                t.next_arc = (t.next_arc + 1) % arc_count;
                scanned += 1;
                in_block += 1;
                let violation = match t.state[a] {
                    State::Tree => 0.0,
                    State::Lower => reduced(&self.arcs, &t.potential, a),
                    State::Upper => -reduced(&self.arcs, &t.potential, a),
                };
                if violation < best {
                    best = violation;
                    entering = a;
                }
                if in_block >= block {
                    if entering != NONE {
                        break;
                    }
                    in_block = 0;
                }
            }
            if entering == NONE {
                break;
            }
            pivots += 1;
            if pivots > max_pivots {
                return None;
            }
            let arc = self.arcs[entering];
            let (first, second) =
                if t.state[entering] == State::Lower { (arc.from, arc.to) } else { (arc.to, arc.from) };
            // The join: lowest common ancestor of both ends.
            let (mut u, mut v) = (first, second);
            while u != v {
                if t.depth[u] >= t.depth[v] {
                    u = t.parent[u];
                } else {
                    v = t.parent[v];
                }
            }
            let join = u;
            // Leaving arc: the first blocking arc on the cycle, strongly feasible ties.
            let mut delta = arc.cap;
            let mut out_node = NONE;
            let mut out_side = 0;
            let mut w = first;
            while w != join {
                let e = t.pred[w];
                let down = self.arcs[e].to == w;
                let d = if down { self.arcs[e].cap - self.arcs[e].flow } else { self.arcs[e].flow };
                if d < delta {
                    delta = d;
                    out_node = w;
                    out_side = 1;
                }
                w = t.parent[w];
            }
            let mut w = second;
            while w != join {
                let e = t.pred[w];
                let up = self.arcs[e].from == w;
                let d = if up { self.arcs[e].cap - self.arcs[e].flow } else { self.arcs[e].flow };
                if d <= delta {
                    delta = d;
                    out_node = w;
                    out_side = 2;
                }
                w = t.parent[w];
            }
            // Push delta around the cycle.
            if delta > 0.0 {
                let signed = if t.state[entering] == State::Lower { delta } else { -delta };
                self.arcs[entering].flow += signed;
                let mut w = first;
                while w != join {
                    let e = t.pred[w];
                    if self.arcs[e].to == w {
                        self.arcs[e].flow += delta;
                    } else {
                        self.arcs[e].flow -= delta;
                    }
                    w = t.parent[w];
                }
                let mut w = second;
                while w != join {
                    let e = t.pred[w];
                    if self.arcs[e].from == w {
                        self.arcs[e].flow += delta;
                    } else {
                        self.arcs[e].flow -= delta;
                    }
                    w = t.parent[w];
                }
            }
            if out_side == 0 {
                // The entering arc itself blocks: it just changes bound.
                t.state[entering] = if t.state[entering] == State::Lower { State::Upper } else { State::Lower };
                continue;
            }
            // Replace the leaving arc by the entering one and re-hang the cut subtree.
            let leaving = t.pred[out_node];
            t.state[leaving] = if self.arcs[leaving].flow <= EPS { State::Lower } else { State::Upper };
            t.state[entering] = State::Tree;
            let (new_root, attach_to) = if out_side == 1 { (first, second) } else { (second, first) };
            // Path from new_root up to out_node, re-pointed downward.
            path.clear();
            path.push(new_root);
            while *path.last().unwrap_or(&out_node) != out_node {
                let last = *path.last().unwrap_or(&out_node);
                path.push(t.parent[last]);
            }
            let mut new_parent = attach_to;
            let mut new_pred = entering;
            for &node in &path {
                let old_parent = t.parent[node];
                let old_pred = t.pred[node];
                // Detach from the old parent's child list.
                if t.prev_sibling[node] != NONE {
                    t.next_sibling[t.prev_sibling[node]] = t.next_sibling[node];
                } else if old_parent != NONE {
                    t.first_child[old_parent] = t.next_sibling[node];
                }
                if t.next_sibling[node] != NONE {
                    t.prev_sibling[t.next_sibling[node]] = t.prev_sibling[node];
                }
                // Attach under the new parent.
                t.parent[node] = new_parent;
                t.pred[node] = new_pred;
                t.prev_sibling[node] = NONE;
                t.next_sibling[node] = t.first_child[new_parent];
                if t.first_child[new_parent] != NONE {
                    t.prev_sibling[t.first_child[new_parent]] = node;
                }
                t.first_child[new_parent] = node;
                new_parent = node;
                new_pred = old_pred;
                let _ = old_parent;
            }
            // Potentials and depths of the re-hung subtree. Its nodes are joined by the
            // same tree arcs as before, so their potentials all move by the same amount:
            // what the entering arc asks of the new root's.
            let a = &self.arcs[entering];
            let hung =
                if a.from == new_root { t.potential[attach_to] - a.cost } else { t.potential[attach_to] + a.cost };
            let shift = hung - t.potential[new_root];
            stack.clear();
            stack.push(new_root);
            while let Some(node) = stack.pop() {
                t.potential[node] += shift;
                t.depth[node] = t.depth[t.parent[node]] + 1;
                let mut child = t.first_child[node];
                while child != NONE {
                    stack.push(child);
                    child = t.next_sibling[child];
                }
            }
        }
        let artificial = t.first_artificial..t.first_artificial + n;
        if self.arcs[artificial.clone()].iter().any(|a| a.flow > 1e-7) {
            return None;
        }
        let flows: Vec<f64> =
            self.arcs.iter().enumerate().map(|(i, a)| if artificial.contains(&i) { 0.0 } else { a.flow }).collect();
        let cost = flows.iter().zip(&self.arcs).map(|(f, a)| f * a.cost).sum();
        let potentials = t.potential[..n].to_vec();
        self.tree = Some(t);
        Some(FlowSolution { flows, cost, potentials })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transportation_optimum() {
        // Two sources (3 and 2 units), two sinks (capacity 2 and 4) feeding a sink node.
        let mut net = Network::new(5);
        net.set_supply(0, 3.0);
        net.set_supply(1, 2.0);
        net.set_supply(4, -5.0);
        let a = net.add_arc(0, 2, 3.0, 1.0);
        let b = net.add_arc(0, 3, 3.0, 4.0);
        let c = net.add_arc(1, 2, 2.0, 2.0);
        let d = net.add_arc(1, 3, 2.0, 3.0);
        net.add_arc(2, 4, 2.0, 0.0);
        net.add_arc(3, 4, 4.0, 0.0);
        let FlowSolution { flows, cost, .. } = net.solve(1000).unwrap_or_default();
        // Best: source 0 -> sink 2 (2 units) and sink 3 (1), source 1 -> sink 3 (2): 2 + 4 + 6 = 12.
        assert!((cost - 12.0).abs() < 1e-9, "cost {cost}");
        assert_eq!((flows[a], flows[b], flows[c], flows[d]), (2.0, 1.0, 0.0, 2.0));
    }

    #[test]
    fn infeasible_supplies_are_reported() {
        let mut net = Network::new(2);
        net.set_supply(0, 3.0);
        net.set_supply(1, -3.0);
        net.add_arc(0, 1, 2.0, 1.0);
        assert!(net.solve(1000).is_none());
    }
}
