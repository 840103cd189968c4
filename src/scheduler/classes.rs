//! The aggregated model: interchangeable backlog items grouped into classes
//! (same eligible sessions, same cost in each, same slots and unplaced cost),
//! remaining session capacity after fixed bookings, the few side rows
//! (one appointment per patient per day, clinician daily caps), and the
//! independent components the optimiser solves one by one.
//!
//! Eligibility and cost come only from `cost.rs`; this module decides which
//! items share a row and computes each row once.

use crate::model::nhs::{PatientKey, patient_key};
use crate::model::{Booking, Plan, name_key};
use crate::rules::cost::{move_cost, placement_cost, unplaced_cost};
use crate::rules::usage::EligibleIndex;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// One eligible (class, session) pair and the cost of one item of the class there.
/// Packed to 12 bytes: a hub plan of 30,000 items has about 15 million edges.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C, packed(4))]
pub struct Edge {
    session: u32,
    cost: f64,
}

impl Edge {
    pub fn new(session: usize, cost: f64) -> Edge {
        // Plans have far fewer than 4 billion sessions (the plan file could not hold them).
        Edge { session: u32::try_from(session).unwrap_or(u32::MAX), cost }
    }

    /// The session's index in the plan.
    pub fn session(self) -> usize {
        self.session as usize
    }

    /// The cost of one item of the class in this session.
    pub fn cost(self) -> f64 {
        self.cost
    }
}

/// Interchangeable items: any of them may be swapped without changing the objective.
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    /// Backlog indices in original-appointment order (the hand-back order).
    pub items: Vec<usize>,
    pub slots: u32,
    /// Cost of leaving one item unplaced (U x w, plus its move cost when it was booked).
    pub unplaced_cost: f64,
    /// Eligible sessions, in plan order.
    pub edges: Vec<Edge>,
    /// Patient group index when the patient has several movable items (then
    /// this class holds exactly one item and is subject to the per-day rule).
    pub patient: Option<usize>,
}

impl Class {
    pub fn count(&self) -> usize {
        self.items.len()
    }
}

/// Clinician daily cap on rebooked appointments, over that clinician's sessions of one day.
#[derive(Debug, Clone, PartialEq)]
pub struct CapRow {
    pub sessions: Vec<usize>,
    /// Appointments still allowed after the fixed bookings of that day.
    pub limit: u32,
}

/// One independent part of the problem: no class of it can use a session of another.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Component {
    pub classes: Vec<usize>,
    pub sessions: Vec<usize>,
    pub cap_rows: Vec<usize>,
    /// Patient groups with several classes in this component (per-day rows apply).
    pub patients: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClassModel {
    pub classes: Vec<Class>,
    /// Usable slots per plan session left after fixed bookings.
    pub capacity: Vec<u32>,
    /// Session dates, by plan index (for the per-day rule).
    pub session_dates: Vec<NaiveDate>,
    /// Half-day of each session, numbered in date order (sessions of one half-day
    /// cost a class the same but for continuity and a communicated booking).
    pub session_halves: Vec<u32>,
    /// Cap row of each session, when a daily cap applies to its clinician.
    pub session_cap_row: Vec<Option<usize>>,
    pub cap_rows: Vec<CapRow>,
    /// Class indices of each patient with several movable items.
    pub patient_classes: Vec<Vec<usize>>,
    /// Fixed bookings (pinned or confirmed) that stay: (backlog index, session index).
    pub fixed: Vec<(usize, usize)>,
    /// Sum of the placement costs of the fixed bookings (a constant of the objective).
    pub fixed_cost: f64,
    pub components: Vec<Component>,
}

/// Plans with at most this many movable items keep a patient's appointments in one part.
pub const LINK_PATIENTS_UP_TO: usize = 40;

/// Everything about an item that its eligibility and cost row depend on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RowKey {
    /// Set for items whose patient has several movable items: they never share a class.
    own: Option<usize>,
    kind: String,
    priority: String,
    slots: u32,
    mode: crate::model::ModeRequirement,
    continuity: String,
    continuity_kind: &'static str,
    unavailable: Vec<String>,
    preferred_part: Option<crate::model::PartOfDay>,
    earliest: Option<NaiveDate>,
    see_by: Option<NaiveDate>,
    declined: Vec<String>,
    /// Session an existing booking is in, and what moving it away costs (S, plus M when told).
    previous: Option<(usize, u64)>,
    /// Days the patient already has a fixed booking.
    busy_days: Vec<NaiveDate>,
}

/// (own item when it may not share, patient group, slots, unplaced cost bits,
/// (session, cost bits) per edge): equal keys share a class.
type ClassKey = (Option<usize>, Option<usize>, u32, u64, Vec<(usize, u64)>);

impl RowKey {
    /// The part of the key eligibility depends on (cost-only fields cleared).
    fn eligibility_only(&self) -> RowKey {
        RowKey {
            own: None,
            priority: String::new(),
            continuity: if self.continuity_kind == "Required" { self.continuity.clone() } else { String::new() },
            continuity_kind: if self.continuity_kind == "Required" { "Required" } else { "" },
            preferred_part: None,
            see_by: None,
            previous: None,
            ..self.clone()
        }
    }
}

/// A fixed booking must still sit in a live session of the plan to be kept.
fn fixed_session(plan: &Plan, index: &BTreeMap<&str, usize>, booking: &Booking) -> Option<usize> {
    if !booking.is_fixed() {
        return None;
    }
    let s = *index.get(booking.session()?)?;
    (!plan.sessions[s].cancelled).then_some(s)
}

impl ClassModel {
    /// Builds the aggregated model of `plan`, taking `plan.bookings` as the
    /// situation before this solve (fixed and communicated bookings).
    pub fn build(plan: &Plan) -> ClassModel {
        let session_index: BTreeMap<&str, usize> =
            plan.sessions.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
        let item_index: BTreeMap<&str, usize> =
            plan.backlog.iter().enumerate().map(|(i, b)| (b.id.as_str(), i)).collect();
        let mut capacity: Vec<u32> = plan.sessions.iter().map(|s| s.usable_slots(&plan.rules)).collect();
        let session_dates: Vec<NaiveDate> = plan.sessions.iter().map(|s| s.date).collect();
        let halves: BTreeSet<(NaiveDate, crate::model::PartOfDay)> =
            plan.sessions.iter().map(|s| (s.date, s.part)).collect();
        let halves: BTreeMap<(NaiveDate, crate::model::PartOfDay), u32> =
            halves.into_iter().enumerate().map(|(i, h)| (h, u32::try_from(i).unwrap_or(u32::MAX))).collect();
        let session_halves: Vec<u32> = plan.sessions.iter().map(|s| halves[&(s.date, s.part)]).collect();

        // Fixed bookings stay and use capacity first; any other costs `cost::move_cost` to move.
        let mut fixed = Vec::new();
        let mut fixed_item = vec![false; plan.backlog.len()];
        let mut previous: Vec<Option<(usize, u64)>> = vec![None; plan.backlog.len()];
        let mut seen = BTreeSet::new();
        for booking in &plan.bookings {
            let Some(&i) = item_index.get(booking.appointment_id.as_str()) else { continue };
            if !seen.insert(i) {
                continue;
            }
            if let Some(s) = fixed_session(plan, &session_index, booking) {
                fixed.push((i, s));
                fixed_item[i] = true;
                let slots = plan.backlog[i].slots.max(1);
                capacity[s] = capacity[s].saturating_sub(slots);
            } else if let Some(s) = booking.session().and_then(|id| session_index.get(id))
                && move_cost(plan, booking) > 0.0
            {
                previous[i] = Some((*s, move_cost(plan, booking).to_bits()));
            }
        }
        fixed.sort_unstable();
        let fixed_cost =
            fixed.iter().map(|&(i, s)| placement_cost(plan, &plan.backlog[i], &plan.sessions[s]).total).sum();

        // Patients: days already taken by fixed bookings, and who has several movable items.
        let mut busy: BTreeMap<PatientKey<'_>, BTreeSet<NaiveDate>> = BTreeMap::new();
        for &(i, s) in &fixed {
            busy.entry(patient_key(&plan.backlog[i])).or_default().insert(session_dates[s]);
        }
        // Items no longer in the clinical system's list are not planned (unless held by a fixed booking).
        let planned: Vec<bool> =
            plan.backlog.iter().enumerate().map(|(i, b)| !fixed_item[i] && !plan.is_withdrawn(&b.id)).collect();
        let mut movable_per_patient: BTreeMap<PatientKey<'_>, Vec<usize>> = BTreeMap::new();
        for (i, item) in plan.backlog.iter().enumerate().filter(|(i, _)| planned[*i]) {
            movable_per_patient.entry(patient_key(item)).or_default().push(i);
        }
        let mut patient_of_item: BTreeMap<usize, usize> = BTreeMap::new();
        let mut patient_count = 0;
        for items in movable_per_patient.values().filter(|v| v.len() > 1) {
            for &i in items {
                patient_of_item.insert(i, patient_count);
            }
            patient_count += 1;
        }

        // Group items by everything their row depends on, in original-appointment order.
        let mut order: Vec<usize> = (0..plan.backlog.len()).filter(|&i| planned[i]).collect();
        order.sort_by(|&a, &b| plan.backlog[a].original_key().cmp(&plan.backlog[b].original_key()));
        let mut groups: BTreeMap<RowKey, Vec<usize>> = BTreeMap::new();
        for &i in &order {
            let item = &plan.backlog[i];
            let mut declined = item.declined_sessions.clone();
            declined.sort();
            let key = RowKey {
                own: patient_of_item.get(&i).map(|_| i),
                kind: name_key(&item.appointment_type),
                priority: item.priority.to_lowercase(),
                slots: item.slots.max(1),
                mode: item.mode,
                continuity: item.continuity.clinician().unwrap_or("").to_string(),
                continuity_kind: item.continuity.label(),
                unavailable: {
                    let mut u: Vec<String> = item.unavailable.iter().map(|u| format!("{u:?}")).collect();
                    u.sort();
                    u
                },
                preferred_part: item.preferred_part,
                earliest: item.earliest_date,
                see_by: item.see_by,
                declined,
                previous: previous[i],
                busy_days: busy.get(&patient_key(item)).map(|d| d.iter().copied().collect()).unwrap_or_default(),
            };
            groups.entry(key).or_default().push(i);
        }

        let clinician_index: BTreeMap<&str, usize> =
            plan.clinicians.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
        let session_clinician: Vec<Option<usize>> =
            plan.sessions.iter().map(|s| clinician_index.get(s.clinician.as_str()).copied()).collect();

        // One row per group; groups with identical rows merge into one class.
        // Groups differing only in cost (priority, see-by, preferences) share their eligible sessions,
        // which come from the index the baselines and explanations use (`check_eligible` decides).
        let mut index = EligibleIndex::new(plan);
        // Session indices as u32: on a hub plan these lists are held all at once.
        let mut eligible_cache: BTreeMap<RowKey, Vec<u32>> = BTreeMap::new();
        let mut rows: BTreeMap<ClassKey, Vec<usize>> = BTreeMap::new();
        for (key, members) in &groups {
            let first = &plan.backlog[members[0]];
            let eligible = eligible_cache.entry(key.eligibility_only()).or_insert_with(|| {
                let mut list: Vec<u32> = index
                    .eligible(first)
                    .iter()
                    .copied()
                    .filter(|&s| capacity[s] >= key.slots && key.busy_days.binary_search(&session_dates[s]).is_err())
                    .map(|s| u32::try_from(s).unwrap_or(u32::MAX))
                    .collect();
                list.sort_unstable();
                list
            });
            let mut edges = Vec::with_capacity(eligible.len());
            for s in eligible.iter().map(|&s| s as usize) {
                let session = &plan.sessions[s];
                let mut cost = placement_cost(plan, first, session).total;
                if let Some((before, moving)) = key.previous
                    && before != s
                {
                    cost += f64::from_bits(moving);
                }
                edges.push((s, cost.to_bits()));
            }
            let mut unplaced = unplaced_cost(plan, first);
            if let Some((_, moving)) = key.previous {
                unplaced += f64::from_bits(moving);
            }
            let patient = key.own.and_then(|i| patient_of_item.get(&i).copied());
            rows.entry((key.own, patient, key.slots, unplaced.to_bits(), edges)).or_default().extend(members);
        }
        let mut classes: Vec<Class> = rows
            .into_iter()
            .map(|((_, patient, slots, unplaced, edges), mut items)| {
                items.sort_by(|&a, &b| plan.backlog[a].original_key().cmp(&plan.backlog[b].original_key()));
                Class {
                    items,
                    slots,
                    unplaced_cost: f64::from_bits(unplaced),
                    edges: edges.into_iter().map(|(session, cost)| Edge::new(session, f64::from_bits(cost))).collect(),
                    patient,
                }
            })
            .collect();
        // Canonical class order: by first item in original order.
        classes.sort_by(|a, b| plan.backlog[a.items[0]].original_key().cmp(&plan.backlog[b.items[0]].original_key()));
        let mut patient_classes = vec![Vec::new(); patient_count];
        for (c, class) in classes.iter().enumerate() {
            if let Some(p) = class.patient {
                patient_classes[p].push(c);
            }
        }

        // Clinician daily caps, after the fixed bookings of each day.
        let mut cap_rows = Vec::new();
        let mut session_cap_row = vec![None; plan.sessions.len()];
        let mut by_day: BTreeMap<(usize, NaiveDate), Vec<usize>> = BTreeMap::new();
        for (s, c) in session_clinician.iter().enumerate() {
            if let Some(c) = c
                && plan.daily_cap(&plan.clinicians[*c]).is_some()
            {
                by_day.entry((*c, session_dates[s])).or_default().push(s);
            }
        }
        for ((c, _), sessions) in by_day {
            let cap = plan.daily_cap(&plan.clinicians[c]).unwrap_or(u32::MAX);
            let used = fixed.iter().filter(|(_, s)| sessions.contains(s)).count();
            let limit = cap.saturating_sub(u32::try_from(used).unwrap_or(u32::MAX));
            for &s in &sessions {
                session_cap_row[s] = Some(cap_rows.len());
            }
            cap_rows.push(CapRow { sessions, limit });
        }

        let mut model = ClassModel {
            classes,
            capacity,
            session_dates,
            session_halves,
            session_cap_row,
            cap_rows,
            patient_classes,
            fixed,
            fixed_cost,
            components: Vec::new(),
        };
        model.components = model.find_components();
        model
    }

    /// Splits classes and sessions into parts linked by eligibility, patients or caps.
    fn find_components(&self) -> Vec<Component> {
        let n_classes = self.classes.len();
        let n = n_classes + self.capacity.len();
        let mut sets = UnionFind::new(n);
        for (c, class) in self.classes.iter().enumerate() {
            for e in &class.edges {
                sets.union(c, n_classes + e.session());
            }
        }
        // On large plans patients do not link parts: dropping their per-day rows
        // there only relaxes the LP (its bound stays valid) and the repair enforces
        // the rule. Small plans keep them so their parts can be solved exactly.
        let movable: usize = self.classes.iter().map(Class::count).sum();
        if movable <= LINK_PATIENTS_UP_TO {
            for classes in &self.patient_classes {
                for pair in classes.windows(2) {
                    sets.union(pair[0], pair[1]);
                }
            }
        }
        for row in &self.cap_rows {
            for pair in row.sessions.windows(2) {
                sets.union(n_classes + pair[0], n_classes + pair[1]);
            }
        }
        let mut by_root: BTreeMap<usize, Component> = BTreeMap::new();
        for (c, class) in self.classes.iter().enumerate() {
            if !class.edges.is_empty() {
                by_root.entry(sets.find(c)).or_default().classes.push(c);
            }
        }
        for s in 0..self.capacity.len() {
            let root = sets.find(n_classes + s);
            if let Some(component) = by_root.get_mut(&root) {
                component.sessions.push(s);
            }
        }
        for (r, row) in self.cap_rows.iter().enumerate() {
            if let Some(component) = row.sessions.first().and_then(|&s| by_root.get_mut(&sets.find(n_classes + s))) {
                component.cap_rows.push(r);
            }
        }
        for (p, classes) in self.patient_classes.iter().enumerate() {
            let mut per_root: BTreeMap<usize, usize> = BTreeMap::new();
            for &c in classes.iter().filter(|&&c| !self.classes[c].edges.is_empty()) {
                *per_root.entry(sets.find(c)).or_default() += 1;
            }
            for (root, n) in per_root {
                if let Some(component) = by_root.get_mut(&root)
                    && n > 1
                {
                    component.patients.push(p);
                }
            }
        }
        let mut components: Vec<Component> = by_root.into_values().collect();
        components.sort_by_key(|c| c.classes[0]);
        components
    }

    /// Number of (class, session) variables over all components.
    pub fn edge_count(&self) -> usize {
        self.classes.iter().map(|c| c.edges.len()).sum()
    }
}

/// Disjoint sets with path halving, for finding components.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind { parent: (0..n).collect() }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller root wins so the result does not depend on call order.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}
