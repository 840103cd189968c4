//! What colleagues sharing one plan file need to see of each other's work:
//! who last changed a booking or a note by hand (so a merge can keep the newer
//! edit), and a history of saves in plain words.

use super::{Booking, ContactStatus, Plan};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Saves kept in a plan's history; older ones are dropped first.
pub const MAX_HISTORY: usize = 500;

/// One edit by hand: when, and by which operating-system user.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Change {
    pub at: DateTime<Utc>,
    pub by: String,
}

impl Change {
    /// An edit made now by the user logged in to this computer.
    pub fn now() -> Change {
        Change { at: Utc::now().trunc_subsecs(0), by: super::audit::os_user() }
    }
}

/// One save of the plan file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub user: String,
    pub machine: String,
    /// What the save changed, e.g. "12 outcomes recorded, 2 items added". Never patient data.
    pub summary: String,
}

impl HistoryEntry {
    /// An entry for a save made now on this computer.
    pub fn now(summary: impl Into<String>) -> HistoryEntry {
        HistoryEntry {
            at: Utc::now().trunc_subsecs(0),
            user: super::audit::os_user(),
            machine: super::audit::machine_name(),
            summary: summary.into(),
        }
    }
}

impl std::fmt::Display for HistoryEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let local = self.at.with_timezone(&chrono::Local);
        write!(f, "{} {} on {}: {}", local.format("%d/%m/%Y %H:%M"), self.user, self.machine, self.summary)
    }
}

/// Appends an entry, keeping at most [`MAX_HISTORY`] (the newest).
pub fn append(plan: &mut Plan, entry: HistoryEntry) {
    plan.history.push(entry);
    let excess = plan.history.len().saturating_sub(MAX_HISTORY);
    plan.history.drain(..excess);
}

/// What changed from `before` to `after`, in plain words: "re-planned, 12
/// outcomes recorded, 3 bookings moved, 2 items added, 1 pinned"; "no changes"
/// when nothing did. Counts only, never patient data.
pub fn describe_changes(before: &Plan, after: &Plan) -> String {
    let mut parts: Vec<String> = Vec::new();
    let before_ids: BTreeSet<&str> = before.backlog.iter().map(|i| i.id.as_str()).collect();
    let after_ids: BTreeSet<&str> = after.backlog.iter().map(|i| i.id.as_str()).collect();

    let (mut outcomes, mut moved, mut placed, mut freed, mut pinned, mut unpinned) = (0, 0, 0, 0, 0, 0);
    let (mut notes, mut updated) = (0, 0);
    let (old_items, old_bookings, new_bookings) =
        (before.items_by_id(), before.bookings_by_id(), after.bookings_by_id());
    for item in &after.backlog {
        let Some(&old) = old_items.get(item.id.as_str()) else { continue };
        if old.notes != item.notes {
            notes += 1;
        }
        let same_otherwise = super::BacklogItem {
            notes: item.notes.clone(),
            declined_sessions: item.declined_sessions.clone(),
            ..old.clone()
        } == *item;
        if !same_otherwise {
            updated += 1;
        }
        let (b, a) = (old_bookings.get(item.id.as_str()).copied(), new_bookings.get(item.id.as_str()).copied());
        let contact = |x: Option<&Booking>| x.map_or(ContactStatus::NotContacted, |b| b.contact);
        let session = |x: Option<&Booking>| x.and_then(Booking::session).map(str::to_string);
        let pin = |x: Option<&Booking>| x.is_some_and(|b| b.pinned);
        let declined = contact(a) == ContactStatus::Declined;
        if contact(a) != contact(b) && contact(a) != ContactStatus::NotContacted {
            outcomes += 1;
        }
        match (session(b), session(a)) {
            (Some(x), Some(y)) if x != y => moved += 1,
            (None, Some(_)) => placed += 1,
            (Some(_), None) if !declined => freed += 1,
            _ => {}
        }
        if pin(a) && !pin(b) {
            pinned += 1;
        } else if pin(b) && !pin(a) && !declined {
            unpinned += 1;
        }
    }
    if before.solve_info != after.solve_info && after.solve_info.is_some() {
        parts.push("re-planned".to_string());
    }
    let mut add = |n: usize, one: &str, many: &str| {
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    };
    add(outcomes, "outcome recorded", "outcomes recorded");
    add(moved, "booking moved", "bookings moved");
    add(placed, "booking placed", "bookings placed");
    add(freed, "booking freed", "bookings freed");
    add(pinned, "pinned", "pinned");
    add(unpinned, "unpinned", "unpinned");
    add(after_ids.difference(&before_ids).count(), "item added", "items added");
    add(before_ids.difference(&after_ids).count(), "item removed", "items removed");
    add(updated, "item updated", "items updated");
    add(notes, "note edited", "notes edited");
    let newly_withdrawn = after.withdrawn.keys().filter(|id| !before.withdrawn.contains_key(*id)).count();
    add(newly_withdrawn, "item no longer in the clinical system", "items no longer in the clinical system");
    let session_changes = after.sessions.iter().filter(|s| !before.sessions.contains(s)).count()
        + before.sessions.iter().filter(|s| after.session(&s.id).is_none()).count();
    add(session_changes, "session changed", "sessions changed");
    let prints = after.audit.iter().filter(|e| !before.audit.contains(e)).count();
    add(prints, "print or export recorded", "prints or exports recorded");
    if before.clinicians != after.clinicians {
        parts.push("clinicians changed".to_string());
    }
    if before.rules != after.rules {
        parts.push("rules changed".to_string());
    }
    if parts.is_empty() {
        let other = Plan { history: before.history.clone(), ..after.clone() } != *before;
        return if other { "details changed".to_string() } else { "no changes".to_string() };
    }
    parts.join(", ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{Outcome, Plan};
    use crate::test_plans::{item, small_plan, t};

    fn booked(id: &str) -> Booking {
        Booking {
            appointment_id: id.into(),
            outcome: Outcome::Placed { session: "S1".into(), time: t(9, 0) },
            pinned: false,
            contact: ContactStatus::NotContacted,
            explanation: String::new(),
            changed: None,
        }
    }

    #[test]
    fn counts_each_kind_of_change() {
        let mut before: Plan = small_plan();
        before.backlog =
            vec![item("A", "GP routine", "Routine", (1, 9, 0)), item("B", "GP routine", "Routine", (1, 9, 10))];
        before.bookings = vec![booked("A"), booked("B")];
        assert_eq!(describe_changes(&before, &before), "no changes");
        let mut after = before.clone();
        after.bookings[0].contact = ContactStatus::Confirmed;
        after.bookings[1].pinned = true;
        after.backlog[1].notes = "wheelchair".into();
        after.backlog.push(item("C", "GP routine", "Routine", (1, 9, 20)));
        assert_eq!(describe_changes(&before, &after), "1 outcome recorded, 1 pinned, 1 item added, 1 note edited");
    }

    #[test]
    fn history_keeps_the_newest_entries() {
        let mut plan = small_plan();
        for n in 0..MAX_HISTORY + 3 {
            append(&mut plan, HistoryEntry::now(format!("save {n}")));
        }
        assert_eq!(plan.history.len(), MAX_HISTORY);
        assert_eq!(plan.history[0].summary, "save 3");
    }
}
