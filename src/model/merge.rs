//! Three-way merge of a plan two colleagues edited at the same time, so that
//! saving never silently overwrites a colleague's work.
//!
//! `base` is the plan as this editor loaded (or last saved) it, `ours` the plan
//! being saved, `theirs` what a colleague saved to the file meanwhile. The
//! result starts from `ours` (our solve, rules and sessions stand) and brings
//! in what theirs changed that ours did not: contact outcomes and pins of
//! bookings (the whole booking, as an outcome refers to its placement), notes,
//! other item details from a re-import, and items only they added. Where both
//! changed the same thing differently, the newer edit by hand wins and the
//! pair is listed, so nobody's work disappears unseen. Pure: no IO.

use super::first_by_key;
use super::{Booking, ContactStatus, Plan};
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq)]
pub struct MergeResult {
    pub plan: Plan,
    pub report: MergeReport,
}

/// Which side's edit a merge kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Ours,
    Theirs,
}

/// What both sides changed differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind {
    /// Contact status or pin of the booking.
    Booking,
    Notes,
    /// Other details of the item (type, priority, dates...); ours is kept.
    Details,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub appointment_id: String,
    pub patient: String,
    pub kind: ConflictKind,
    /// What each side had, in words ("Confirmed, pinned", "notes: fasting").
    pub ours: String,
    pub theirs: String,
    pub kept: Side,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kept = match self.kept {
            Side::Ours => "yours kept",
            Side::Theirs => "theirs kept",
        };
        write!(f, "{} ({}): you had {}, they had {}; {kept}", self.patient, self.appointment_id, self.ours, self.theirs)
    }
}

/// What a merge brought in from theirs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MergeReport {
    /// Users whose saves were merged in (from theirs' history since base, and their edits).
    pub theirs_by: Vec<String>,
    /// Bookings whose contact outcome was taken from theirs.
    pub outcomes: usize,
    /// Bookings whose pin (only) was taken from theirs.
    pub pins: usize,
    pub notes: usize,
    /// Items whose other details (a colleague's re-import) were taken from theirs.
    pub items_updated: usize,
    pub items_added: usize,
    /// Items theirs flagged as no longer in the clinical system's list.
    pub withdrawn: usize,
    pub conflicts: Vec<Conflict>,
}

impl MergeReport {
    /// Whether anything at all came from theirs or clashed.
    pub fn is_empty(&self) -> bool {
        self.outcomes + self.pins + self.notes + self.items_updated + self.items_added + self.withdrawn == 0
            && self.conflicts.is_empty()
    }

    /// "Merged with changes saved by jsmith: 5 outcomes, 1 note; 2 conflicts, newer kept".
    pub fn summary(&self) -> String {
        let who = if self.theirs_by.is_empty() { "a colleague".to_string() } else { self.theirs_by.join(", ") };
        let mut parts = Vec::new();
        let mut add = |n: usize, one: &str, many: &str| {
            if n > 0 {
                parts.push(format!("{n} {}", if n == 1 { one } else { many }));
            }
        };
        add(self.outcomes, "outcome", "outcomes");
        add(self.pins, "pin", "pins");
        add(self.notes, "note", "notes");
        add(self.items_added, "item added", "items added");
        add(self.items_updated, "item updated", "items updated");
        add(self.withdrawn, "item no longer in the clinical system", "items no longer in the clinical system");
        let taken = if parts.is_empty() { "nothing new to bring in".to_string() } else { parts.join(", ") };
        let conflicts = match self.conflicts.len() {
            0 => String::new(),
            1 => "; 1 conflict, newer kept".to_string(),
            n => format!("; {n} conflicts, newer kept"),
        };
        format!("Merged with changes saved by {who}: {taken}{conflicts}")
    }
}

/// Merges `theirs` into `ours` against their common `base` (see the module comment).
pub fn merge(base: &Plan, ours: &Plan, theirs: &Plan) -> MergeResult {
    let mut plan = ours.clone();
    let mut report = MergeReport::default();
    let mut who: BTreeSet<String> = BTreeSet::new();
    for entry in theirs.history.iter().filter(|e| !base.history.contains(e)) {
        who.insert(entry.user.clone());
    }

    // Looked up once per item: indexed, so a hub's 10,000 items stay linear.
    let (base_items, base_bookings, their_bookings) =
        (base.items_by_id(), base.bookings_by_id(), theirs.bookings_by_id());
    let ours_items = ours.items_by_id();
    // Positions in `plan` (a copy of ours). Items and bookings are only ever
    // appended below, so these stay right.
    let our_positions = first_by_key(ours.backlog.iter().enumerate().map(|(n, i)| (i.id.as_str(), n)));
    let our_booking_positions =
        first_by_key(ours.bookings.iter().enumerate().map(|(n, b)| (b.appointment_id.as_str(), n)));
    for their_item in &theirs.backlog {
        let id = their_item.id.as_str();
        let Some(&base_item) = base_items.get(id) else {
            if !ours_items.contains_key(id) {
                add_their_item(&mut plan, theirs, id);
                report.items_added += 1;
            }
            continue;
        };
        let Some(&our_index) = our_positions.get(id) else {
            // We removed it on purpose; their edits to it do not bring it back.
            continue;
        };
        let patient = their_item.patient.name.clone();

        // Notes: newer hand edit wins.
        let our_notes = plan.backlog[our_index].notes.clone();
        if their_item.notes != base_item.notes && their_item.notes != our_notes {
            let theirs_newer = newer(plan.notes_changed.get(id), theirs.notes_changed.get(id));
            if our_notes != base_item.notes {
                report.conflicts.push(Conflict {
                    appointment_id: id.to_string(),
                    patient: patient.clone(),
                    kind: ConflictKind::Notes,
                    ours: format!("notes \"{our_notes}\""),
                    theirs: format!("notes \"{}\"", their_item.notes),
                    kept: if theirs_newer { Side::Theirs } else { Side::Ours },
                });
            }
            if our_notes == base_item.notes || theirs_newer {
                plan.backlog[our_index].notes.clone_from(&their_item.notes);
                set_or_remove(&mut plan.notes_changed, id, theirs.notes_changed.get(id));
                if our_notes == base_item.notes {
                    report.notes += 1;
                }
                if let Some(change) = theirs.notes_changed.get(id) {
                    who.insert(change.by.clone());
                }
            }
        }

        // Other details (a colleague's re-import): taken when ours kept base's.
        let details = |item: &super::BacklogItem| super::BacklogItem {
            notes: String::new(),
            declined_sessions: Vec::new(),
            ..item.clone()
        };
        let (their_details, base_details) = (details(their_item), details(base_item));
        let our_details = details(&plan.backlog[our_index]);
        if their_details != base_details && their_details != our_details {
            if our_details == base_details {
                let kept_notes = std::mem::take(&mut plan.backlog[our_index].notes);
                let kept_declined = std::mem::take(&mut plan.backlog[our_index].declined_sessions);
                plan.backlog[our_index] =
                    super::BacklogItem { notes: kept_notes, declined_sessions: kept_declined, ..their_item.clone() };
                report.items_updated += 1;
            } else {
                report.conflicts.push(Conflict {
                    appointment_id: id.to_string(),
                    patient: patient.clone(),
                    kind: ConflictKind::Details,
                    ours: "edited the details".to_string(),
                    theirs: "edited the details".to_string(),
                    kept: Side::Ours,
                });
            }
        }

        // Withdrawn flag from their re-import.
        let (base_w, their_w) = (base.withdrawn.get(id), theirs.withdrawn.get(id));
        if base_w != their_w && plan.withdrawn.get(id) == base_w {
            set_or_remove(&mut plan.withdrawn, id, their_w);
            if their_w.is_some() {
                report.withdrawn += 1;
            }
        }

        // Booking: contact outcome and pin, the newer hand edit winning.
        let o = our_booking_positions.get(id).and_then(|&n| plan.bookings.get(n)).cloned();
        let (b, t) = (base_bookings.get(id).copied(), their_bookings.get(id).copied());
        let state = |x: Option<&Booking>| x.map(|b| (b.contact, b.pinned));
        if state(t) == state(b) || state(t) == state(o.as_ref()) {
            continue;
        }
        let ours_changed = state(o.as_ref()) != state(b);
        let theirs_newer = newer(o.as_ref().and_then(|x| x.changed.as_ref()), t.and_then(|x| x.changed.as_ref()));
        if ours_changed {
            report.conflicts.push(Conflict {
                appointment_id: id.to_string(),
                patient: patient.clone(),
                kind: ConflictKind::Booking,
                ours: describe_booking(o.as_ref()),
                theirs: describe_booking(t),
                kept: if theirs_newer { Side::Theirs } else { Side::Ours },
            });
        }
        if ours_changed && !theirs_newer {
            continue;
        }
        let Some(t) = t else { continue };
        if !ours_changed {
            if state(Some(t)).map(|s| s.0) != state(b).map(|s| s.0) {
                report.outcomes += 1;
            } else {
                report.pins += 1;
            }
        }
        if let Some(change) = &t.changed {
            who.insert(change.by.clone());
        }
        take_their_booking(&mut plan, t);
        // A decline they recorded is not offered again here either.
        let declined = &their_item.declined_sessions;
        let ours_declined = &mut plan.backlog[our_index].declined_sessions;
        for session in declined {
            if !ours_declined.contains(session) {
                ours_declined.push(session.clone());
            }
        }
    }

    // Nothing of the trail is lost: their saves, prints and exports are kept too.
    let mut history = theirs.history.clone();
    history.extend(plan.history.iter().filter(|e| !theirs.history.contains(e)).cloned());
    history.sort_by_key(|e| e.at);
    plan.history = history;
    let mut audit = theirs.audit.clone();
    audit.extend(plan.audit.iter().filter(|e| !theirs.audit.contains(e)).cloned());
    audit.sort_by_key(|e| e.when);
    plan.audit = audit;

    who.remove(&super::audit::os_user());
    if who.is_empty() {
        // Our own user saving from another window or computer.
        who.extend(theirs.history.iter().filter(|e| !base.history.contains(e)).map(|e| e.user.clone()));
    }
    report.theirs_by = who.into_iter().collect();
    plan.normalise();
    MergeResult { plan, report }
}

/// Whether their edit is newer than ours; an edit without a time is the oldest,
/// and on a tie ours (the save being made) wins.
fn newer(ours: Option<&super::Change>, theirs: Option<&super::Change>) -> bool {
    match (ours, theirs) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(o), Some(t)) => t.at > o.at,
    }
}

fn set_or_remove<V: Clone>(map: &mut std::collections::BTreeMap<String, V>, id: &str, value: Option<&V>) {
    match value {
        Some(v) => {
            map.insert(id.to_string(), v.clone());
        }
        None => {
            map.remove(id);
        }
    }
}

fn describe_booking(booking: Option<&Booking>) -> String {
    match booking {
        None => "no booking".to_string(),
        Some(b) => {
            let mut text = b.contact.label().to_string();
            if b.pinned {
                text.push_str(", pinned");
            }
            if b.session().is_none() && b.contact != ContactStatus::Declined {
                text.push_str(", not placed");
            }
            text
        }
    }
}

fn take_their_booking(plan: &mut Plan, theirs: &Booking) {
    match plan.bookings.iter_mut().find(|b| b.appointment_id == theirs.appointment_id) {
        Some(ours) => *ours = theirs.clone(),
        None => plan.bookings.push(theirs.clone()),
    }
}

/// An item only they have (a colleague imported new cancellations), with its
/// booking and records.
fn add_their_item(plan: &mut Plan, theirs: &Plan, id: &str) {
    let Some(item) = theirs.backlog_item(id) else { return };
    plan.backlog.push(item.clone());
    if let Some(booking) = theirs.booking(id) {
        take_their_booking(plan, booking);
    }
    if let Some(date) = theirs.withdrawn.get(id) {
        plan.withdrawn.insert(id.to_string(), *date);
    }
    if let Some(change) = theirs.notes_changed.get(id) {
        plan.notes_changed.insert(id.to_string(), change.clone());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{Change, Outcome};
    use crate::test_plans::{item, small_plan, t};
    use chrono::TimeZone;

    fn base() -> Plan {
        let mut plan = small_plan();
        plan.backlog = ["A", "B", "C"].iter().map(|id| item(id, "GP routine", "Routine", (1, 9, 0))).collect();
        plan.bookings = plan
            .backlog
            .iter()
            .map(|i| Booking {
                appointment_id: i.id.clone(),
                outcome: Outcome::Placed { session: "S1".into(), time: t(9, 0) },
                pinned: false,
                contact: ContactStatus::NotContacted,
                explanation: String::new(),
                changed: None,
            })
            .collect();
        plan
    }

    fn change(minute: u32, by: &str) -> Option<Change> {
        Some(Change { at: chrono::Utc.with_ymd_and_hms(2024, 7, 22, 9, minute, 0).unwrap(), by: by.into() })
    }

    #[test]
    fn disjoint_edits_are_both_kept() {
        let base = base();
        let mut ours = base.clone();
        ours.bookings[0].contact = ContactStatus::Confirmed;
        let mut theirs = base.clone();
        theirs.bookings[1].contact = ContactStatus::NoAnswer;
        theirs.bookings[1].changed = change(5, "jsmith");
        theirs.bookings[2].pinned = true;
        theirs.backlog[2].notes = "interpreter".into();
        let merged = merge(&base, &ours, &theirs);
        assert_eq!(merged.plan.bookings[0].contact, ContactStatus::Confirmed);
        assert_eq!(merged.plan.bookings[1].contact, ContactStatus::NoAnswer);
        assert!(merged.plan.bookings[2].pinned);
        assert_eq!(merged.plan.backlog[2].notes, "interpreter");
        let r = &merged.report;
        assert_eq!((r.outcomes, r.pins, r.notes, r.conflicts.len()), (1, 1, 1, 0));
        assert_eq!(r.summary(), "Merged with changes saved by jsmith: 1 outcome, 1 pin, 1 note");
    }

    #[test]
    fn the_newer_edit_wins_a_conflict() {
        let base = base();
        let mut ours = base.clone();
        ours.bookings[0].contact = ContactStatus::Confirmed;
        ours.bookings[0].changed = change(10, "me");
        ours.bookings[1].contact = ContactStatus::Confirmed;
        ours.bookings[1].changed = change(1, "me");
        let mut theirs = base.clone();
        theirs.bookings[0].contact = ContactStatus::NoAnswer;
        theirs.bookings[0].changed = change(5, "jsmith");
        theirs.bookings[1].contact = ContactStatus::NoAnswer;
        theirs.bookings[1].changed = change(5, "jsmith");
        let merged = merge(&base, &ours, &theirs);
        assert_eq!(merged.plan.bookings[0].contact, ContactStatus::Confirmed);
        assert_eq!(merged.plan.bookings[1].contact, ContactStatus::NoAnswer);
        let kept: Vec<Side> = merged.report.conflicts.iter().map(|c| c.kept).collect();
        assert_eq!(kept, [Side::Ours, Side::Theirs]);
        assert!(merged.report.summary().ends_with("; 2 conflicts, newer kept"), "{}", merged.report.summary());
    }
}
