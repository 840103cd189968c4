//! A plan at a glance: counts by priority and type, capacity by day, and the
//! problems that make a plan inconsistent (dangling references, duplicates).
//! Shown by `rebook check` and the app's summary panel.

use super::{Outcome, Plan};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanSummary {
    pub practice: String,
    pub backlog: usize,
    pub clinicians: usize,
    pub sessions: usize,
    pub placed: usize,
    /// Items a re-import no longer found in the clinical system's list: not planned.
    pub set_aside: usize,
    /// (priority, count) in the rules' urgency order, then unknown classes.
    pub by_priority: Vec<(String, usize)>,
    /// (type, count), by name.
    pub by_type: Vec<(String, usize)>,
    /// (date, free slots, usable slots after the reserve).
    pub capacity_by_day: Vec<(NaiveDate, u32, u32)>,
    pub problems: Vec<String>,
}

impl PlanSummary {
    pub fn of(plan: &Plan) -> PlanSummary {
        let mut by_priority: BTreeMap<(usize, String), usize> = BTreeMap::new();
        let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
        for item in &plan.backlog {
            *by_priority.entry((plan.rules.priority_rank(&item.priority), item.priority.clone())).or_default() += 1;
            *by_type.entry(item.appointment_type.clone()).or_default() += 1;
        }
        let mut capacity: BTreeMap<NaiveDate, (u32, u32)> = BTreeMap::new();
        for s in plan.sessions.iter().filter(|s| !s.cancelled) {
            let day = capacity.entry(s.date).or_default();
            day.0 += s.slot_count();
            day.1 += s.usable_slots(&plan.rules);
        }
        PlanSummary {
            practice: plan.practice.name.clone(),
            backlog: plan.backlog.len(),
            clinicians: plan.clinicians.len(),
            sessions: plan.sessions.len(),
            placed: plan.bookings.iter().filter(|b| b.session().is_some()).count(),
            set_aside: plan.backlog.iter().filter(|b| plan.is_set_aside(&b.id)).count(),
            by_priority: by_priority.into_iter().map(|((_, name), n)| (name, n)).collect(),
            by_type: by_type.into_iter().collect(),
            capacity_by_day: capacity.into_iter().map(|(d, (free, usable))| (d, free, usable)).collect(),
            problems: problems(plan),
        }
    }
}

/// Everything that makes a plan inconsistent, each in a sentence naming the item.
pub fn problems(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    let mut duplicates = |kind: &str, ids: &mut dyn Iterator<Item = &str>| {
        let mut seen = BTreeSet::new();
        for id in ids {
            if !seen.insert(id) {
                out.push(format!("{kind} id {id} is used more than once"));
            }
        }
    };
    duplicates("clinician", &mut plan.clinicians.iter().map(|c| c.id.as_str()));
    duplicates("session", &mut plan.sessions.iter().map(|s| s.id.as_str()));
    duplicates("appointment", &mut plan.backlog.iter().map(|b| b.id.as_str()));
    duplicates("booking for appointment", &mut plan.bookings.iter().map(|b| b.appointment_id.as_str()));

    let clinicians: BTreeSet<&str> = plan.clinicians.iter().map(|c| c.id.as_str()).collect();
    let sessions: BTreeSet<&str> = plan.sessions.iter().map(|s| s.id.as_str()).collect();
    let items: BTreeSet<&str> = plan.backlog.iter().map(|b| b.id.as_str()).collect();
    if let Some(h) = plan.horizon
        && h.end < h.start
    {
        out.push(format!("the horizon ends ({}) before it starts ({})", h.end, h.start));
    }
    for c in &plan.clinicians {
        if !plan.roles.iter().any(|r| r.eq_ignore_ascii_case(&c.role)) {
            out.push(format!("clinician {} has role \"{}\", which is not in the plan's roles", c.id, c.role));
        }
    }
    for s in &plan.sessions {
        if !clinicians.contains(s.clinician.as_str()) {
            out.push(format!("session {} belongs to unknown clinician {}", s.id, s.clinician));
        }
        if s.slot_minutes == 0 {
            out.push(format!("session {} has slots of 0 minutes", s.id));
        }
    }
    for item in &plan.backlog {
        if plan.appointment_type(&item.appointment_type).is_none() {
            out.push(format!("appointment {} has unknown type \"{}\"", item.id, item.appointment_type));
        }
        if plan.rules.priority(&item.priority).is_none() {
            out.push(format!("appointment {} has unknown priority \"{}\"", item.id, item.priority));
        }
        if let Some(c) = item.continuity.clinician()
            && !clinicians.contains(c)
        {
            out.push(format!("appointment {} asks for unknown clinician {}", item.id, c));
        }
        if item.slots == 0 {
            out.push(format!("appointment {} needs 0 slots", item.id));
        }
        if super::nhs::parse(&item.patient.nhs_number).is_err() {
            out.push(format!("appointment {} has an invalid NHS number", item.id));
        }
    }
    for b in &plan.bookings {
        if !items.contains(b.appointment_id.as_str()) {
            out.push(format!("a booking refers to unknown appointment {}", b.appointment_id));
        }
        if let Outcome::Placed { session, .. } = &b.outcome
            && !sessions.contains(session.as_str())
        {
            out.push(format!("appointment {} is booked into unknown session {}", b.appointment_id, session));
        }
    }
    out
}

impl fmt::Display for PlanSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Practice: {}", self.practice)?;
        writeln!(
            f,
            "Backlog: {} appointments ({} placed); {} clinicians; {} sessions",
            self.backlog, self.placed, self.clinicians, self.sessions
        )?;
        if self.set_aside > 0 {
            writeln!(f, "Set aside: {} no longer in the clinical system's list (not planned)", self.set_aside)?;
        }
        let list =
            |pairs: &[(String, usize)]| pairs.iter().map(|(n, c)| format!("{n} {c}")).collect::<Vec<_>>().join(", ");
        writeln!(f, "By priority: {}", list(&self.by_priority))?;
        writeln!(f, "By type: {}", list(&self.by_type))?;
        writeln!(f, "Capacity by day (free / usable after reserve):")?;
        for (date, free, usable) in &self.capacity_by_day {
            writeln!(f, "  {}  {free:>4} / {usable:>4}", date.format("%a %d/%m/%Y"))?;
        }
        for p in &self.problems {
            writeln!(f, "Problem: {p}")?;
        }
        Ok(())
    }
}
