//! Who is where: the slots, patient-days and clinician-days a set of bookings
//! uses (hard constraints 3 and 4 of `model.md`), and a cached index of the
//! sessions each appointment may use (constraint 2, via `cost::check_eligible`).
//!
//! Shared by the checker, the baselines, explanations, alternatives and edits so
//! they all count capacity the same way and stay fast at hub scale.

use super::cost::check_eligible;
use crate::model::nhs::{PatientKey, patient_key};
use crate::model::{BacklogItem, Booking, Plan, Session};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Slots an appointment takes (a double takes 2; 0 is treated as 1, like `check_eligible`).
pub fn slots_needed(item: &BacklogItem) -> u32 {
    item.slots.max(1)
}

/// Why a session that suits an appointment still cannot take it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Blocked {
    /// Fewer usable slots left than the appointment needs.
    Full,
    /// The patient already has a rebooked appointment that day.
    PatientBusy,
    /// The clinician reached their cap of rebooked appointments that day.
    DailyCap,
}

/// Slots used per session, appointments per patient-day and per clinician-day.
#[derive(Debug, Clone)]
pub struct Usage<'p> {
    plan: &'p Plan,
    position: HashMap<&'p str, usize>,
    usable: Vec<u32>,
    used: Vec<u32>,
    patient_days: HashMap<(PatientKey<'p>, NaiveDate), u32>,
    clinician_days: HashMap<(&'p str, NaiveDate), u32>,
    caps: HashMap<&'p str, Option<u32>>,
}

impl<'p> Usage<'p> {
    /// An empty plan: every session with all its usable slots free.
    pub fn new(plan: &'p Plan) -> Usage<'p> {
        Usage {
            plan,
            position: plan.sessions.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect(),
            usable: plan.sessions.iter().map(|s| s.usable_slots(&plan.rules)).collect(),
            used: vec![0; plan.sessions.len()],
            patient_days: HashMap::new(),
            clinician_days: HashMap::new(),
            caps: plan.clinicians.iter().map(|c| (c.id.as_str(), plan.daily_cap(c))).collect(),
        }
    }

    /// The usage of every placed booking (except `skip`'s), whose item and session exist.
    pub fn of_bookings(plan: &'p Plan, bookings: &[Booking], skip: Option<&str>) -> Usage<'p> {
        let mut usage = Usage::new(plan);
        let items: HashMap<&str, &BacklogItem> = plan.backlog.iter().map(|b| (b.id.as_str(), b)).collect();
        for booking in bookings.iter().filter(|b| Some(b.appointment_id.as_str()) != skip) {
            if let (Some(item), Some(idx)) =
                (items.get(booking.appointment_id.as_str()), booking.session().and_then(|s| usage.index(s)))
            {
                usage.add(item, idx);
            }
        }
        usage
    }

    pub fn index(&self, session_id: &str) -> Option<usize> {
        self.position.get(session_id).copied()
    }

    pub fn session(&self, idx: usize) -> &'p Session {
        &self.plan.sessions[idx]
    }

    pub fn usable(&self, idx: usize) -> u32 {
        self.usable[idx]
    }

    pub fn used(&self, idx: usize) -> u32 {
        self.used[idx]
    }

    /// Usable slots still free (0 when over-full).
    pub fn free(&self, idx: usize) -> u32 {
        self.usable[idx].saturating_sub(self.used[idx])
    }

    /// Whether `item` fits in session `idx` next to everything already added.
    /// Eligibility (constraint 2) is not checked here: use `check_eligible`.
    pub fn check(&self, item: &BacklogItem, idx: usize) -> Result<(), Blocked> {
        let session = self.session(idx);
        if self.free(idx) < slots_needed(item) {
            return Err(Blocked::Full);
        }
        if self.patient_days.get(&(patient_key(item), session.date)).copied().unwrap_or(0) > 0 {
            return Err(Blocked::PatientBusy);
        }
        if let Some(Some(cap)) = self.caps.get(session.clinician.as_str())
            && self.clinician_days.get(&(session.clinician.as_str(), session.date)).copied().unwrap_or(0) >= *cap
        {
            return Err(Blocked::DailyCap);
        }
        Ok(())
    }

    pub fn add(&mut self, item: &'p BacklogItem, idx: usize) {
        let session = self.session(idx);
        self.used[idx] += slots_needed(item);
        *self.patient_days.entry((patient_key(item), session.date)).or_default() += 1;
        *self.clinician_days.entry((session.clinician.as_str(), session.date)).or_default() += 1;
    }

    pub fn remove(&mut self, item: &'p BacklogItem, idx: usize) {
        let session = self.session(idx);
        self.used[idx] = self.used[idx].saturating_sub(slots_needed(item));
        if let Some(n) = self.patient_days.get_mut(&(patient_key(item), session.date)) {
            *n = n.saturating_sub(1);
        }
        if let Some(n) = self.clinician_days.get_mut(&(session.clinician.as_str(), session.date)) {
            *n = n.saturating_sub(1);
        }
    }

    /// Appointments the patient of `item` has on `date` (including `item` itself if added).
    pub fn patient_count(&self, item: &BacklogItem, date: NaiveDate) -> u32 {
        self.patient_days.get(&(patient_key(item), date)).copied().unwrap_or(0)
    }

    /// Rebooked appointments of a clinician on a date, and their cap if any.
    pub fn clinician_count(&self, clinician: &str, date: NaiveDate) -> (u32, Option<u32>) {
        let n = self.clinician_days.get(&(clinician, date)).copied().unwrap_or(0);
        (n, self.caps.get(clinician).copied().flatten())
    }
}

/// A key equal for appointments alike in every field `check_eligible` reads,
/// so they share one eligible-session list (and one "no session" explanation).
pub fn signature(item: &BacklogItem) -> String {
    let required = match &item.continuity {
        crate::model::Continuity::Required(c) => Some(c.as_str()),
        _ => None,
    };
    format!(
        "{}|{:?}|{:?}|{:?}|{:?}|{:?}|{}",
        crate::model::name_key(&item.appointment_type),
        item.mode,
        required,
        item.unavailable,
        item.earliest_date,
        item.declined_sessions,
        slots_needed(item)
    )
}

/// The part of `signature` shared by appointments of one type, mode, required
/// clinician and size.
pub fn base_signature(item: &BacklogItem) -> String {
    let required = match &item.continuity {
        crate::model::Continuity::Required(c) => Some(c.as_str()),
        _ => None,
    };
    format!("{}|{:?}|{:?}|{}", crate::model::name_key(&item.appointment_type), item.mode, required, slots_needed(item))
}

/// `item` without its earliest date, unavailability and declined sessions:
/// the conditions `EligibleIndex` applies on top of the shared base list.
pub fn base_item(item: &BacklogItem) -> BacklogItem {
    let mut base = item.clone();
    base.unavailable.clear();
    base.earliest_date = None;
    base.declined_sessions.clear();
    base
}

/// Session indexes (into `plan.sessions`) in the order reception reads the book:
/// date, AM before PM, start time, then clinician and id for determinism.
pub fn chronological(plan: &Plan) -> Vec<usize> {
    let mut order: Vec<usize> = (0..plan.sessions.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&plan.sessions[a], &plan.sessions[b]);
        (a.date, a.part, a.start, &a.clinician, &a.id).cmp(&(b.date, b.part, b.start, &b.clinician, &b.id))
    });
    order
}

/// Which sessions each appointment may use, cached per eligibility signature
/// (appointments alike in every field `check_eligible` reads share one list).
pub struct EligibleIndex<'p> {
    plan: &'p Plan,
    order: Vec<usize>,
    seers: HashMap<String, Rc<HashSet<&'p str>>>,
    base: HashMap<String, Rc<[usize]>>,
    cache: HashMap<String, Rc<[usize]>>,
}

impl<'p> EligibleIndex<'p> {
    pub fn new(plan: &'p Plan) -> EligibleIndex<'p> {
        EligibleIndex {
            plan,
            order: chronological(plan),
            seers: HashMap::new(),
            base: HashMap::new(),
            cache: HashMap::new(),
        }
    }

    /// Every session index `item` is eligible for, in chronological order.
    pub fn eligible(&mut self, item: &BacklogItem) -> Rc<[usize]> {
        let key = signature(item);
        if let Some(list) = self.cache.get(&key) {
            return list.clone();
        }
        let base = self.base_list(item);
        let list: Rc<[usize]> =
            if item.unavailable.is_empty() && item.earliest_date.is_none() && item.declined_sessions.is_empty() {
                base
            } else {
                // What `check_eligible` checks beyond the base item: earliest date,
                // attendance and declined sessions, with the same model helpers.
                let sessions = &self.plan.sessions;
                base.iter()
                    .copied()
                    .filter(|&i| {
                        let s = &sessions[i];
                        item.earliest_date.is_none_or(|d| s.date >= d)
                            && item.can_attend(s.date, s.part)
                            && !item.declined_sessions.contains(&s.id)
                    })
                    .collect()
            };
        self.cache.insert(key, list.clone());
        list
    }

    /// Sessions eligible for `base_item(item)`: shared by all appointments of
    /// one type, mode, required clinician and size; decided by `check_eligible`.
    pub fn base_list(&mut self, item: &BacklogItem) -> Rc<[usize]> {
        let required = match &item.continuity {
            crate::model::Continuity::Required(c) => Some(c.as_str()),
            _ => None,
        };
        let key = base_signature(item);
        if let Some(list) = self.base.get(&key) {
            return list.clone();
        }
        let base_item = base_item(item);
        let seers = self.seers(item);
        let plan = self.plan;
        let list: Rc<[usize]> = self
            .order
            .iter()
            .copied()
            .filter(|&i| {
                let s = &plan.sessions[i];
                // Cheap necessary conditions first; `check_eligible` has the final word.
                !s.cancelled
                    && item.mode.allows(s.mode)
                    && seers.contains(s.clinician.as_str())
                    && required.is_none_or(|c| c == s.clinician)
                    && check_eligible(plan, &base_item, s).is_ok()
            })
            .collect();
        self.base.insert(key, list.clone());
        list
    }

    /// Ids of the clinicians who may see `item`'s appointment type.
    pub fn seers(&mut self, item: &BacklogItem) -> Rc<HashSet<&'p str>> {
        let plan = self.plan;
        self.seers
            .entry(crate::model::name_key(&item.appointment_type))
            .or_insert_with(|| {
                Rc::new(
                    plan.clinicians
                        .iter()
                        .filter(|c| plan.clinician_sees(c, &item.appointment_type))
                        .map(|c| c.id.as_str())
                        .collect(),
                )
            })
            .clone()
    }

    /// Session indexes in chronological order.
    pub fn order(&self) -> &[usize] {
        &self.order
    }
}
