//! Capacity left while turning class counts into a plan.

use crate::scheduler::classes::{Class, ClassModel};
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// Capacity left while turning counts into a plan: slots per session,
/// appointments per capped clinician-day, and the days each patient is booked.
pub(super) struct CapacityLeft {
    pub(super) slots: Vec<u32>,
    /// Sessions with at least one free slot, for quick searches when most are full.
    pub(super) open: BTreeSet<usize>,
    cap_rows: Vec<u32>,
    pub(super) patient_days: BTreeSet<(usize, NaiveDate)>,
}

impl CapacityLeft {
    pub(super) fn new(model: &ClassModel) -> CapacityLeft {
        CapacityLeft {
            open: (0..model.capacity.len()).filter(|&s| model.capacity[s] > 0).collect(),
            slots: model.capacity.clone(),
            cap_rows: model.cap_rows.iter().map(|r| r.limit).collect(),
            patient_days: BTreeSet::new(),
        }
    }

    /// How many more items of `class` fit in `session` (at most `wanted`).
    pub(super) fn room(&self, model: &ClassModel, class: &Class, session: usize, wanted: u32) -> u32 {
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

    pub(super) fn release(&mut self, model: &ClassModel, class: &Class, session: usize, n: u32) {
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

    pub(super) fn take(&mut self, model: &ClassModel, class: &Class, session: usize, n: u32) {
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
