//! Names an edit for the Undo and Redo menu items: "mark A-000215 declined",
//! "move A-000215", "edit rules". Worked out from the plan before and after,
//! so every panel's edits are named without each one having to say.

use crate::model::{Booking, ContactStatus, Outcome, Plan, describe_changes};
use std::collections::{BTreeSet, HashMap};

pub fn describe(before: &Plan, after: &Plan) -> String {
    if after.solve_info.is_some() && before.solve_info != after.solve_info {
        let had_bookings = before.bookings.iter().any(|b| b.session().is_some());
        return if had_bookings { "re-plan".into() } else { "plan the backlog".into() };
    }
    if let Some(label) = one_appointment(before, after) {
        return label;
    }
    // Only this part of the plan changed: `restore` puts `before`'s part back into a copy of `after`.
    let only = |restore: &dyn Fn(&mut Plan)| {
        let mut copy = after.clone();
        restore(&mut copy);
        copy == *before
    };
    if only(&|p| p.rules = before.rules.clone()) {
        return "edit rules".into();
    }
    if only(&|p| {
        p.clinicians = before.clinicians.clone();
        p.roles = before.roles.clone();
    }) {
        return "edit clinicians and roles".into();
    }
    if only(&|p| p.sessions = before.sessions.clone()) {
        let changed = after.sessions.iter().filter(|s| !before.sessions.contains(s)).count();
        let removed = before.sessions.iter().filter(|s| after.session(&s.id).is_none()).count();
        return match (changed, removed) {
            (0, n) => format!("remove {n} session(s)"),
            (n, 0) if after.sessions.len() > before.sessions.len() => format!("add {n} session(s)"),
            (n, 0) => format!("change {n} session(s)"),
            (a, r) => format!("change {a} and remove {r} session(s)"),
        };
    }
    describe_changes(before, after)
}

/// An edit that touched exactly one appointment (or its booking), named after it.
fn one_appointment(before: &Plan, after: &Plan) -> Option<String> {
    let ids: BTreeSet<&str> = before.backlog.iter().chain(&after.backlog).map(|i| i.id.as_str()).collect();
    let (old_items, new_items) = (before.items_by_id(), after.items_by_id());
    let (old_bookings, new_bookings): (HashMap<&str, &Booking>, HashMap<&str, &Booking>) =
        (before.bookings_by_id(), after.bookings_by_id());
    // Bookings only re-timed within their session follow from the edit (a freed slot closes up).
    let retimed = |a: Option<&&Booking>, b: Option<&&Booking>| match (a, b) {
        (Some(a), Some(b)) => match (&a.outcome, &b.outcome) {
            (Outcome::Placed { session: x, .. }, Outcome::Placed { session: y, .. }) => {
                x == y && Booking { outcome: b.outcome.clone(), ..(*a).clone() } == **b
            }
            _ => false,
        },
        _ => false,
    };
    let mut changed = ids.into_iter().filter(|id| {
        let (a, b) = (old_bookings.get(id), new_bookings.get(id));
        old_items.get(id) != new_items.get(id) || (a != b && !retimed(a, b))
    });
    let id = changed.next()?;
    if changed.next().is_some() {
        return None;
    }
    // Anything else changed too (sessions, rules): not a one-appointment edit.
    let rest = |p: &Plan| Plan { backlog: Vec::new(), bookings: Vec::new(), ..p.clone() };
    if rest(before) != rest(after) {
        return None;
    }
    let (b, a) = (old_bookings.get(id).copied(), new_bookings.get(id).copied());
    let contact = |x: Option<&Booking>| x.map_or(ContactStatus::NotContacted, |b| b.contact);
    let pinned = |x: Option<&Booking>| x.is_some_and(|b| b.pinned);
    let session = |x: Option<&Booking>| x.and_then(Booking::session).map(str::to_string);
    // What happened to the booking names the step first: a decline also notes the declined session on the item.
    let label = match (old_items.get(id), new_items.get(id)) {
        (None, Some(_)) => format!("add {id}"),
        (Some(_), None) => format!("remove {id}"),
        _ if contact(a) != contact(b) => format!("mark {id} {}", contact(a).label().to_lowercase()),
        _ if session(a) != session(b) => match session(a) {
            Some(_) => format!("move {id}"),
            None => format!("unbook {id}"),
        },
        _ if pinned(a) != pinned(b) => {
            if pinned(a) {
                format!("pin {id}")
            } else {
                format!("unpin {id}")
            }
        }
        (Some(old), Some(new)) if old != new => {
            let notes_only = crate::model::BacklogItem { notes: new.notes.clone(), ..(*old).clone() } == **new;
            if notes_only { format!("edit the notes of {id}") } else { format!("edit {id}") }
        }
        _ => format!("change the booking of {id}"),
    };
    Some(label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_plans::{item, small_plan, t};

    #[test]
    fn names_one_appointment_edits_after_the_appointment() {
        let mut before = small_plan();
        before.backlog.push(item("A-000215", "GP routine", "Routine", (19, 9, 0)));
        before.bookings.push(Booking {
            appointment_id: "A-000215".into(),
            outcome: Outcome::Placed { session: before.sessions[0].id.clone(), time: t(9, 0) },
            pinned: false,
            contact: ContactStatus::NotContacted,
            explanation: String::new(),
            changed: None,
        });
        let mut after = before.clone();
        if let Some(b) = after.bookings.last_mut() {
            b.contact = ContactStatus::Declined;
        }
        assert_eq!(describe(&before, &after), "mark A-000215 declined");
        let mut after = before.clone();
        if let Some(b) = after.bookings.last_mut() {
            b.pinned = true;
        }
        assert_eq!(describe(&before, &after), "pin A-000215");
        let mut after = before.clone();
        if let Some(i) = after.backlog.last_mut() {
            i.notes = "call daughter".into();
        }
        assert_eq!(describe(&before, &after), "edit the notes of A-000215");
        let mut after = before.clone();
        after.backlog.retain(|i| i.id != "A-000215");
        after.bookings.retain(|b| b.appointment_id != "A-000215");
        assert_eq!(describe(&before, &after), "remove A-000215");
        let mut after = before.clone();
        after.rules.reserve = 0.5;
        assert_eq!(describe(&before, &after), "edit rules");
        let mut after = before.clone();
        after.sessions[0].free_slots += 1;
        assert_eq!(describe(&before, &after), "change 1 session(s)");
    }
}
