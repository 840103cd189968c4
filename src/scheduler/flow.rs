//! A network simplex for the transportation part of the LP, the fast path of
//! the default (pure Rust) build on large components.
//!
//! Measured in slots, the LP relaxation without its side rows (one appointment
//! per patient per day, clinician caps) is a min-cost flow: each class sends
//! `slots x count` units to sessions (capacity = free usable slots) or to
//! "unplaced"; a class's cost per slot is its cost per item divided by its
//! slots. Dropping side rows only relaxes the LP, so its optimum is still a
//! valid lower bound; the repair then enforces every rule.

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

/// A min-cost flow problem: nodes with supplies (positive) or demands (negative).
pub struct Network {
    supply: Vec<f64>,
    arcs: Vec<Arc>,
}

impl Network {
    pub fn new(nodes: usize) -> Network {
        Network { supply: vec![0.0; nodes], arcs: Vec::new() }
    }

    pub fn set_supply(&mut self, node: usize, supply: f64) {
        self.supply[node] = supply;
    }

    /// Adds an arc and returns its index (for reading its flow after solving).
    pub fn add_arc(&mut self, from: usize, to: usize, cap: f64, cost: f64) -> usize {
        self.arcs.push(Arc { from, to, cap, cost, flow: 0.0 });
        self.arcs.len() - 1
    }

    /// Solves to optimality; returns the flow of every arc and the total cost,
    /// or None when supplies cannot be met (artificial flow left) or the
    /// iteration limit is hit.
    pub fn solve(mut self, max_pivots: usize) -> Option<(Vec<f64>, f64)> {
        let n = self.supply.len();
        let root = n;
        let real_arcs = self.arcs.len();
        let max_cost = self.arcs.iter().map(|a| a.cost.abs()).fold(0.0, f64::max);
        let artificial = (max_cost + 1.0) * (n as f64 + 1.0);
        let total: f64 = self.supply.iter().filter(|s| **s > 0.0).sum::<f64>() + 1.0;

        let mut parent = vec![usize::MAX; n + 1];
        let mut pred = vec![usize::MAX; n + 1];
        let mut potential = vec![0.0; n + 1];
        let mut depth = vec![0usize; n + 1];
        let mut first_child = vec![usize::MAX; n + 1];
        let mut next_sibling = vec![usize::MAX; n + 1];
        let mut prev_sibling = vec![usize::MAX; n + 1];
        let mut state = vec![State::Lower; real_arcs];

        // Strongly feasible start: every node hangs from an artificial root.
        for v in 0..n {
            let b = self.supply[v];
            let arc = if b > 0.0 {
                self.arcs.push(Arc { from: v, to: root, cap: total, cost: artificial, flow: b });
                potential[v] = -artificial;
                self.arcs.len() - 1
            } else {
                let cost = if b < 0.0 { artificial } else { 0.0 };
                self.arcs.push(Arc { from: root, to: v, cap: total, cost, flow: -b });
                potential[v] = cost;
                self.arcs.len() - 1
            };
            state.push(State::Tree);
            parent[v] = root;
            pred[v] = arc;
            depth[v] = 1;
            next_sibling[v] = first_child[root];
            if first_child[root] != usize::MAX {
                prev_sibling[first_child[root]] = v;
            }
            first_child[root] = v;
        }

        let arc_count = self.arcs.len();
        let block = ((arc_count as f64).sqrt() as usize).max(10);
        let mut next_arc = 0usize;
        let reduced = |arcs: &[Arc], potential: &[f64], a: usize| {
            let arc = &arcs[a];
            arc.cost + potential[arc.from] - potential[arc.to]
        };
        let mut pivots = 0usize;
        loop {
            // Block search for the entering arc: the most violating arc in the first block that has one.
            let mut entering = usize::MAX;
            let mut best = -EPS;
            let mut scanned = 0usize;
            let mut in_block = 0usize;
            while scanned < arc_count {
                let a = next_arc;
                next_arc = (next_arc + 1) % arc_count;
                scanned += 1;
                in_block += 1;
                let violation = match state[a] {
                    State::Tree => 0.0,
                    State::Lower => reduced(&self.arcs, &potential, a),
                    State::Upper => -reduced(&self.arcs, &potential, a),
                };
                if violation < best {
                    best = violation;
                    entering = a;
                }
                if in_block >= block {
                    if entering != usize::MAX {
                        break;
                    }
                    in_block = 0;
                }
            }
            if entering == usize::MAX {
                break;
            }
            pivots += 1;
            if pivots > max_pivots {
                return None;
            }
            let arc = self.arcs[entering];
            let (first, second) = if state[entering] == State::Lower { (arc.from, arc.to) } else { (arc.to, arc.from) };
            // The join: lowest common ancestor of both ends.
            let (mut u, mut v) = (first, second);
            while u != v {
                if depth[u] >= depth[v] {
                    u = parent[u];
                } else {
                    v = parent[v];
                }
            }
            let join = u;
            // Leaving arc: the first blocking arc on the cycle, strongly feasible ties.
            let mut delta = arc.cap;
            let mut out_node = usize::MAX;
            let mut out_side = 0;
            let mut w = first;
            while w != join {
                let e = pred[w];
                let down = self.arcs[e].to == w;
                let d = if down { self.arcs[e].cap - self.arcs[e].flow } else { self.arcs[e].flow };
                if d < delta {
                    delta = d;
                    out_node = w;
                    out_side = 1;
                }
                w = parent[w];
            }
            let mut w = second;
            while w != join {
                let e = pred[w];
                let up = self.arcs[e].from == w;
                let d = if up { self.arcs[e].cap - self.arcs[e].flow } else { self.arcs[e].flow };
                if d <= delta {
                    delta = d;
                    out_node = w;
                    out_side = 2;
                }
                w = parent[w];
            }
            // Push delta around the cycle.
            if delta > 0.0 {
                let signed = if state[entering] == State::Lower { delta } else { -delta };
                self.arcs[entering].flow += signed;
                let mut w = first;
                while w != join {
                    let e = pred[w];
                    if self.arcs[e].to == w {
                        self.arcs[e].flow += delta;
                    } else {
                        self.arcs[e].flow -= delta;
                    }
                    w = parent[w];
                }
                let mut w = second;
                while w != join {
                    let e = pred[w];
                    if self.arcs[e].from == w {
                        self.arcs[e].flow += delta;
                    } else {
                        self.arcs[e].flow -= delta;
                    }
                    w = parent[w];
                }
            }
            if out_side == 0 {
                // The entering arc itself blocks: it just changes bound.
                state[entering] = if state[entering] == State::Lower { State::Upper } else { State::Lower };
                continue;
            }
            // Replace the leaving arc by the entering one and re-hang the cut subtree.
            let leaving = pred[out_node];
            state[leaving] = if self.arcs[leaving].flow <= EPS { State::Lower } else { State::Upper };
            state[entering] = State::Tree;
            let (new_root, attach_to) = if out_side == 1 { (first, second) } else { (second, first) };
            // Path from new_root up to out_node, re-pointed downward.
            let mut path = vec![new_root];
            while *path.last().unwrap_or(&out_node) != out_node {
                let last = *path.last().unwrap_or(&out_node);
                path.push(parent[last]);
            }
            let mut new_parent = attach_to;
            let mut new_pred = entering;
            for &node in &path {
                let old_parent = parent[node];
                let old_pred = pred[node];
                // Detach from the old parent's child list.
                if prev_sibling[node] != usize::MAX {
                    next_sibling[prev_sibling[node]] = next_sibling[node];
                } else if old_parent != usize::MAX {
                    first_child[old_parent] = next_sibling[node];
                }
                if next_sibling[node] != usize::MAX {
                    prev_sibling[next_sibling[node]] = prev_sibling[node];
                }
                // Attach under the new parent.
                parent[node] = new_parent;
                pred[node] = new_pred;
                prev_sibling[node] = usize::MAX;
                next_sibling[node] = first_child[new_parent];
                if first_child[new_parent] != usize::MAX {
                    prev_sibling[first_child[new_parent]] = node;
                }
                first_child[new_parent] = node;
                new_parent = node;
                new_pred = old_pred;
                let _ = old_parent;
            }
            // Potentials and depths of the re-hung subtree.
            let mut stack = vec![new_root];
            while let Some(node) = stack.pop() {
                let e = pred[node];
                let p = parent[node];
                let a = &self.arcs[e];
                potential[node] = if a.from == node { potential[p] - a.cost } else { potential[p] + a.cost };
                depth[node] = depth[p] + 1;
                let mut child = first_child[node];
                while child != usize::MAX {
                    stack.push(child);
                    child = next_sibling[child];
                }
            }
        }
        // Any flow left on an artificial arc means the supplies could not be met.
        if self.arcs[real_arcs..].iter().any(|a| a.flow > 1e-7) {
            return None;
        }
        let flows: Vec<f64> = self.arcs[..real_arcs].iter().map(|a| a.flow).collect();
        let cost = self.arcs[..real_arcs].iter().map(|a| a.flow * a.cost).sum();
        Some((flows, cost))
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
        let (flows, cost) = net.solve(1000).unwrap_or_default();
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
