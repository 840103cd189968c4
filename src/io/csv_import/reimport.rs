//! Importing a newer backlog export into a plan that already has items: the
//! difference by appointment id. New ids are added; an id already in the plan
//! is an update that keeps its booking, pin and outcome (a booking the change
//! makes impossible is freed to be re-planned, unless confirmed or pinned);
//! an item missing from the new export (rebooked directly in the clinical
//! system) is flagged, not deleted, so it stops being planned and the user can
//! remove it later.

use super::BacklogPreview;
use crate::model::{
    BacklogItem, Booking, ContactStatus, Continuity, ModeRequirement, Outcome, PartOfDay, Plan, Unavailability,
    UnplacedReason,
};
use crate::rules::cost::check_eligible;
use chrono::{NaiveDate, NaiveTime};
use std::collections::{BTreeSet, HashMap};

/// An item the export changed, with what changed in words.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemUpdate {
    pub appointment_id: String,
    /// "priority Routine -> Urgent", "see-by 26/07/2024 -> 24/07/2024";
    /// patient details only by name ("phone changed").
    pub fields: Vec<String>,
}

/// What importing an export into a plan does, by appointment id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReimportDiff {
    /// Ids new to the plan.
    pub added: Vec<String>,
    pub changed: Vec<ItemUpdate>,
    pub unchanged: usize,
    /// In the plan but not in the export: flagged as no longer in the clinical system's list.
    pub vanished: Vec<String>,
    /// Flagged before, in the export again: planned again.
    pub returned: Vec<String>,
    /// False when the export has no appointment id column: nothing can be
    /// matched, every row is new and nothing is flagged.
    pub matched_by_id: bool,
    /// After accepting: bookings freed because the change made them impossible
    /// (or the item vanished), to be re-planned.
    pub freed: Vec<String>,
    /// After accepting: confirmed or pinned bookings kept although the change
    /// (or the item vanishing) makes them doubtful: to check by hand.
    pub kept_fixed: Vec<String>,
}

impl ReimportDiff {
    /// "3 new, 2 changed, 40 unchanged, 1 no longer in the clinical system's list".
    pub fn summary(&self) -> String {
        let mut parts = vec![format!("{} new", self.added.len())];
        if self.matched_by_id {
            parts.push(format!("{} changed", self.changed.len()));
            parts.push(format!("{} unchanged", self.unchanged));
            parts.push(format!("{} no longer in the clinical system's list", self.vanished.len()));
            if !self.returned.is_empty() {
                parts.push(format!("{} back in the list", self.returned.len()));
            }
        }
        let mut text = parts.join(", ");
        if !self.matched_by_id {
            text.push_str(" (the file has no appointment id column, so no row could be matched to the plan)");
        }
        if !self.freed.is_empty() {
            text.push_str(&format!("; {} booking(s) freed to be re-planned", self.freed.len()));
        }
        if !self.kept_fixed.is_empty() {
            text.push_str(&format!(
                "; {} confirmed or pinned booking(s) kept although their details changed or they left the list: check {}",
                self.kept_fixed.len(),
                self.kept_fixed.join(", ")
            ));
        }
        text
    }
}

/// What accepting `preview` into `plan` would add, change and flag. The plan is not changed.
pub fn reimport_diff(plan: &Plan, preview: &BacklogPreview) -> ReimportDiff {
    let has = columns_of(preview);
    let mut diff = ReimportDiff { matched_by_id: has("appointment_id"), ..ReimportDiff::default() };
    let index: HashMap<&str, &BacklogItem> = plan.backlog.iter().map(|i| (i.id.as_str(), i)).collect();
    for new in &preview.items {
        match index.get(new.id.as_str()) {
            None => diff.added.push(new.id.clone()),
            Some(old) => {
                let (_, fields) = updated(plan, old, new, &has);
                if plan.is_withdrawn(&old.id) {
                    diff.returned.push(old.id.clone());
                }
                if fields.is_empty() {
                    diff.unchanged += 1;
                } else {
                    diff.changed.push(ItemUpdate { appointment_id: old.id.clone(), fields });
                }
            }
        }
    }
    diff.vanished = vanished(plan, preview, diff.matched_by_id);
    diff
}

/// Applies the preview as [`reimport_diff`] describes it, on `today`'s date for the flags.
pub(crate) fn apply(plan: &mut Plan, preview: &BacklogPreview, today: NaiveDate) -> ReimportDiff {
    let mut diff = reimport_diff(plan, preview);
    let has = columns_of(preview);
    let positions: HashMap<String, usize> = plan.backlog.iter().enumerate().map(|(n, i)| (i.id.clone(), n)).collect();
    for new in &preview.items {
        let Some(&position) = positions.get(&new.id) else { continue };
        let (item, fields) = updated(plan, &plan.backlog[position], new, &has);
        plan.withdrawn.remove(&new.id);
        if fields.is_empty() {
            continue;
        }
        plan.backlog[position] = item;
        let reason = UnplacedReason::DetailsChanged { fields };
        free_if_impossible(plan, &new.id, &reason, &mut diff);
    }
    for id in &diff.vanished {
        plan.withdrawn.insert(id.clone(), today);
        match plan.booking(id) {
            Some(b) if b.is_fixed() => diff.kept_fixed.push(id.clone()),
            Some(b) if b.session().is_some() => {
                free(plan, id, &UnplacedReason::Withdrawn);
                diff.freed.push(id.clone());
            }
            Some(_) => free(plan, id, &UnplacedReason::Withdrawn),
            None => {}
        }
    }
    diff
}

/// Canonical columns the export has, so a field it lacks is never wiped.
fn columns_of(preview: &BacklogPreview) -> impl Fn(&str) -> bool + '_ {
    move |column: &str| preview.mapping.values().any(|c| c == column)
}

/// Items of the plan not in the export, when the export is taken as a newer
/// version of the plan's list (`set_aside_missing`). Items added by hand in Rebook (ids
/// "NEW-...") were never in the clinical system's list and are not flagged.
fn vanished(plan: &Plan, preview: &BacklogPreview, matched_by_id: bool) -> Vec<String> {
    if !matched_by_id || !preview.set_aside_missing {
        return Vec::new();
    }
    let in_file: BTreeSet<&str> =
        preview.items.iter().map(|i| i.id.as_str()).chain(preview.rejected_ids.iter().map(String::as_str)).collect();
    plan.backlog
        .iter()
        .filter(|i| !in_file.contains(i.id.as_str()) && !plan.is_withdrawn(&i.id) && !i.id.starts_with("NEW-"))
        .map(|i| i.id.clone())
        .collect()
}

/// A booking the updated item can no longer have is freed, unless fixed.
fn free_if_impossible(plan: &mut Plan, id: &str, reason: &UnplacedReason, diff: &mut ReimportDiff) {
    let Some(booking) = plan.booking(id) else { return };
    let Some(session) = booking.session().and_then(|s| plan.session(s)) else { return };
    let Some(item) = plan.backlog_item(id) else { return };
    if check_eligible(plan, item, session).is_ok() {
        return;
    }
    if booking.is_fixed() {
        diff.kept_fixed.push(id.to_string());
    } else {
        free(plan, id, reason);
        diff.freed.push(id.to_string());
    }
}

fn free(plan: &mut Plan, id: &str, reason: &UnplacedReason) {
    let explanation = reason.describe(plan);
    if let Some(booking) = plan.bookings.iter_mut().find(|b| b.appointment_id == id) {
        let told = booking.session().is_some();
        *booking = Booking {
            outcome: Outcome::Unplaced { reason: reason.clone() },
            explanation,
            pinned: false,
            contact: if told { ContactStatus::NotContacted } else { booking.contact },
            ..booking.clone()
        };
    }
}

/// A value as the change list writes it.
trait Shown {
    fn shown(&self) -> String;
}

impl Shown for String {
    fn shown(&self) -> String {
        if self.is_empty() { "(none)".to_string() } else { self.clone() }
    }
}
impl Shown for u32 {
    fn shown(&self) -> String {
        self.to_string()
    }
}
impl Shown for bool {
    fn shown(&self) -> String {
        if *self { "yes" } else { "no" }.to_string()
    }
}
impl Shown for NaiveDate {
    fn shown(&self) -> String {
        self.format("%d/%m/%Y").to_string()
    }
}
impl Shown for NaiveTime {
    fn shown(&self) -> String {
        self.format("%H:%M").to_string()
    }
}
impl Shown for PartOfDay {
    fn shown(&self) -> String {
        self.label().to_string()
    }
}
impl Shown for ModeRequirement {
    fn shown(&self) -> String {
        self.label().to_string()
    }
}
impl Shown for Continuity {
    fn shown(&self) -> String {
        match self.clinician() {
            Some(c) => format!("{} ({c})", self.label()),
            None => self.label().to_string(),
        }
    }
}
impl Shown for Vec<Unavailability> {
    fn shown(&self) -> String {
        if self.is_empty() {
            "(none)".to_string()
        } else {
            self.iter().map(|u| u.label()).collect::<Vec<_>>().join("; ")
        }
    }
}
impl<T: Shown> Shown for Option<T> {
    fn shown(&self) -> String {
        self.as_ref().map_or_else(|| "(none)".to_string(), Shown::shown)
    }
}

/// `old` with the export's values for every column the export has, and what changed.
/// Notes edited by hand in Rebook are kept.
fn updated(
    plan: &Plan,
    old: &BacklogItem,
    new: &BacklogItem,
    has: &dyn Fn(&str) -> bool,
) -> (BacklogItem, Vec<String>) {
    let mut out = old.clone();
    let mut fields = Vec::new();
    let any = |columns: &[&str]| columns.iter().any(|c| has(c));
    // Values shown: what the planner works with. Patient details: named only.
    macro_rules! field {
        (private $columns:expr, $label:expr, $($path:ident).+) => {
            if any($columns) && old.$($path).+ != new.$($path).+ {
                fields.push(format!("{} changed", $label));
                out.$($path).+ = new.$($path).+.clone();
            }
        };
        ($columns:expr, $label:expr, $($path:ident).+) => {
            if any($columns) && old.$($path).+ != new.$($path).+ {
                fields.push(format!("{} {} -> {}", $label, old.$($path).+.shown(), new.$($path).+.shown()));
                out.$($path).+ = new.$($path).+.clone();
            }
        };
    }
    field!(private & ["nhs_number"], "NHS number", patient.nhs_number);
    field!(private & ["patient_name", "surname"], "name", patient.name);
    field!(private & ["date_of_birth"], "date of birth", patient.date_of_birth);
    field!(private & ["phone"], "phone", patient.phone);
    field!(&["sms_consent"], "SMS consent", patient.sms_consent);
    field!(&["deceased"], "deceased", patient.deceased);
    field!(&["original_date"], "original date", original_date);
    field!(&["original_time"], "original time", original_time);
    field!(&["original_clinician"], "original clinician", original_clinician);
    field!(&["appointment_type"], "type", appointment_type);
    field!(&["slots", "appointment_type"], "slots", slots);
    field!(&["priority"], "priority", priority);
    field!(&["mode"], "mode", mode);
    field!(&["continuity"], "continuity", continuity);
    field!(&["unavailable"], "cannot attend", unavailable);
    field!(&["preferred_part"], "prefers", preferred_part);
    field!(&["earliest_date"], "earliest", earliest_date);
    field!(&["see_by"], "see-by", see_by);
    if !plan.notes_changed.contains_key(&old.id) {
        field!(private & ["notes"], "notes", notes);
    }
    (out, fields)
}
