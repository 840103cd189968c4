//! Several people on one plan on a shared drive (issue 7): the lock beside the
//! plan, the merge on save, the history, re-importing a newer backlog export,
//! and outcomes entered by the reference printed on the call lists.
//! All patients are synthetic (NHS numbers from the 999 range).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chrono::TimeZone;
use rebook::io::csv_import::{accept_backlog, accept_outcomes, preview_backlog, preview_outcomes, reimport_diff};
use rebook::io::lock::{self, DEFAULT_STALE_AFTER, LockError};
use rebook::io::plan_file;
use rebook::io::shared_save::{Keys, SharedSaveError, save_shared};
use rebook::model::audit::{machine_name, os_user};
use rebook::model::merge::{ConflictKind, Side, merge};
use rebook::model::{Change, ContactStatus, Outcome, Plan, UnplacedReason, describe_changes};
use rebook::rules::edit::{self, EditError};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn at(minute: u32) -> Option<Change> {
    Some(Change { at: chrono::Utc.with_ymd_and_hms(2024, 7, 22, 10, minute, 0).unwrap(), by: "tester".into() })
}

fn saved_plan(dir: &Path, n: usize) -> (std::path::PathBuf, Plan) {
    let path = dir.join("riverside.rebook.ron");
    let mut plan = common::plan_with_bookings(n);
    plan.normalise();
    plan_file::save(&plan, &path).unwrap();
    (path.clone(), plan_file::load(&path).unwrap())
}

fn contact(plan: &Plan, id: &str) -> ContactStatus {
    plan.booking(id).map(|b| b.contact).unwrap_or_default()
}

// ---------------------------------------------------------------- lock

#[test]
fn a_second_opener_is_told_who_has_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("p.rebook.ron");
    let first = lock::acquire(&plan).unwrap();
    assert!(lock::lock_path(&plan).ends_with("p.rebook.ron.lock"));
    match lock::acquire(&plan) {
        Err(LockError::Held(info)) => {
            assert_eq!(info.user, os_user());
            assert_eq!(info.machine, machine_name());
            assert_eq!(info.pid, std::process::id());
            assert!(!info.is_stale(chrono::Local::now(), DEFAULT_STALE_AFTER));
            let text = info.describe();
            assert!(text.starts_with(&format!("open by {} on {} since ", os_user(), machine_name())), "{text}");
        }
        other => panic!("expected Held, got {other:?}"),
    }
    assert_eq!(lock::inspect(&plan).unwrap().map(|i| i.user), Some(os_user()));
    first.release();
    assert!(!lock::lock_path(&plan).exists());
    assert!(lock::inspect(&plan).unwrap().is_none());
    assert!(lock::acquire(&plan).is_ok());
}

#[test]
fn a_stale_lock_is_recognised_and_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("p.rebook.ron");
    let two_hours_ago = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    let json = format!(
        r#"{{"user":"jsmith","machine":"RECEPTION-2","pid":4242,"since":"{two_hours_ago}","refreshed":"{two_hours_ago}","token":"theirs"}}"#
    );
    std::fs::write(lock::lock_path(&plan), json).unwrap();
    let Err(LockError::Held(info)) = lock::acquire(&plan) else { panic!("the old lock is still there") };
    assert_eq!((info.user.as_str(), info.machine.as_str(), info.pid), ("jsmith", "RECEPTION-2", 4242));
    assert!(info.is_stale(chrono::Local::now(), DEFAULT_STALE_AFTER));
    assert!(!info.is_stale(chrono::Local::now(), std::time::Duration::from_secs(3 * 3600)));
    let mut ours = lock::take_over(&plan, &info).unwrap();
    assert_eq!(lock::inspect(&plan).unwrap().map(|i| i.user), Some(os_user()));
    ours.refresh().unwrap();
    drop(ours);
    assert!(!lock::lock_path(&plan).exists());
}

#[cfg(target_os = "linux")]
#[test]
fn a_lock_of_an_ended_process_on_this_machine_is_stale() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("p.rebook.ron");
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let now = chrono::Utc::now().to_rfc3339();
    let json = format!(
        r#"{{"user":"me","machine":"{}","pid":{dead},"since":"{now}","refreshed":"{now}","token":"t"}}"#,
        machine_name()
    );
    std::fs::write(lock::lock_path(&plan), json).unwrap();
    let info = lock::inspect(&plan).unwrap().unwrap();
    assert!(info.is_stale(chrono::Local::now(), DEFAULT_STALE_AFTER));
}

#[test]
fn dropping_a_lost_lock_leaves_the_new_holder_alone() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("p.rebook.ron");
    let mut first = lock::acquire(&plan).unwrap();
    let second = lock::take_over(&plan, first.info()).unwrap();
    assert!(matches!(first.refresh(), Err(LockError::Held(_))), "the first holder learns it lost the lock");
    drop(first);
    assert!(lock::lock_path(&plan).exists(), "the first holder must not remove the second one's lock");
    drop(second);
    assert!(!lock::lock_path(&plan).exists());
}

#[test]
fn a_damaged_lock_file_is_stale_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("p.rebook.ron");
    std::fs::write(lock::lock_path(&plan), "\u{0}\u{1}garbage{").unwrap();
    let Err(LockError::Held(info)) = lock::acquire(&plan) else { panic!("a damaged lock is not silently replaced") };
    assert!(info.damaged.is_some());
    assert!(info.is_stale(chrono::Local::now(), DEFAULT_STALE_AFTER));
    assert!(info.describe().contains("damaged lock file"), "{}", info.describe());
    assert!(lock::take_over(&plan, &info).is_ok());
}

// ---------------------------------------------------------------- merge

#[test]
fn disjoint_edits_of_two_editors_are_both_kept() {
    let mut base = common::plan_with_bookings(30);
    base.normalise();
    let mut ours = base.clone();
    edit::record_contact(&mut ours, "A0004", ContactStatus::Confirmed).unwrap();
    edit::set_notes(&mut ours, "A0008", "hearing loop").unwrap();
    let mut theirs = base.clone();
    edit::record_contact(&mut theirs, "A0005", ContactStatus::NoAnswer).unwrap();
    edit::record_contact(&mut theirs, "A0006", ContactStatus::Declined).unwrap();
    edit::set_pinned(&mut theirs, "A0007", true).unwrap();
    edit::set_notes(&mut theirs, "A0009", "prefers mornings").unwrap();
    theirs.backlog.push(rebook::model::BacklogItem { id: "NEW-1".into(), ..theirs.backlog[0].clone() });

    let merged = merge(&base, &ours, &theirs);
    let plan = &merged.plan;
    assert_eq!(contact(plan, "A0004"), ContactStatus::Confirmed);
    assert_eq!(contact(plan, "A0005"), ContactStatus::NoAnswer);
    assert_eq!(contact(plan, "A0006"), ContactStatus::Declined);
    assert!(plan.booking("A0006").unwrap().session().is_none(), "their decline freed the booking");
    assert_eq!(plan.backlog_item("A0006").unwrap().declined_sessions.len(), 1);
    assert!(plan.booking("A0007").unwrap().pinned);
    assert_eq!(plan.backlog_item("A0008").unwrap().notes, "hearing loop");
    assert_eq!(plan.backlog_item("A0009").unwrap().notes, "prefers mornings");
    assert!(plan.backlog_item("NEW-1").is_some());
    let r = &merged.report;
    assert_eq!((r.outcomes, r.pins, r.notes, r.items_added), (2, 1, 1, 1));
    assert!(r.conflicts.is_empty(), "{:?}", r.conflicts);
    assert!(r.summary().contains("2 outcomes, 1 pin, 1 note, 1 item added"), "{}", r.summary());
}

#[test]
fn conflicting_edits_keep_the_newer_and_list_both() {
    let mut base = common::plan_with_bookings(30);
    base.normalise();
    let mut ours = base.clone();
    let mut theirs = base.clone();
    // A0004: we confirmed at 10:05, they recorded no answer at 10:09: theirs wins.
    edit::record_contact(&mut ours, "A0004", ContactStatus::Confirmed).unwrap();
    ours.bookings.iter_mut().find(|b| b.appointment_id == "A0004").unwrap().changed = at(5);
    edit::record_contact(&mut theirs, "A0004", ContactStatus::NoAnswer).unwrap();
    theirs.bookings.iter_mut().find(|b| b.appointment_id == "A0004").unwrap().changed = at(9);
    // A0005: we are newer.
    edit::record_contact(&mut ours, "A0005", ContactStatus::Declined).unwrap();
    ours.bookings.iter_mut().find(|b| b.appointment_id == "A0005").unwrap().changed = at(20);
    edit::record_contact(&mut theirs, "A0005", ContactStatus::Confirmed).unwrap();
    theirs.bookings.iter_mut().find(|b| b.appointment_id == "A0005").unwrap().changed = at(1);
    // Notes of A0008: theirs newer.
    edit::set_notes(&mut ours, "A0008", "ours").unwrap();
    ours.notes_changed.insert("A0008".into(), at(2).unwrap());
    edit::set_notes(&mut theirs, "A0008", "theirs").unwrap();
    theirs.notes_changed.insert("A0008".into(), at(3).unwrap());

    let merged = merge(&base, &ours, &theirs);
    assert_eq!(contact(&merged.plan, "A0004"), ContactStatus::NoAnswer);
    assert_eq!(contact(&merged.plan, "A0005"), ContactStatus::Declined);
    assert_eq!(merged.plan.backlog_item("A0008").unwrap().notes, "theirs");
    let conflicts: Vec<(&str, ConflictKind, Side)> =
        merged.report.conflicts.iter().map(|c| (c.appointment_id.as_str(), c.kind, c.kept)).collect();
    assert_eq!(
        conflicts,
        [
            ("A0004", ConflictKind::Booking, Side::Theirs),
            ("A0005", ConflictKind::Booking, Side::Ours),
            ("A0008", ConflictKind::Notes, Side::Theirs)
        ]
    );
    let first = &merged.report.conflicts[0];
    assert_eq!((first.ours.as_str(), first.theirs.as_str()), ("Confirmed", "No answer"));
    assert_eq!(first.patient, base.backlog_item("A0004").unwrap().patient.name);
    assert!(merged.report.summary().ends_with("3 conflicts, newer kept"), "{}", merged.report.summary());
    // Nothing lost: every item of either side is still there.
    let ids = |p: &Plan| p.backlog.iter().map(|i| i.id.clone()).collect::<BTreeSet<_>>();
    assert_eq!(ids(&merged.plan), ids(&base));
    assert_eq!(merged.plan.bookings.len(), base.bookings.len());
}

// ---------------------------------------------------------------- save_shared and history

#[test]
fn two_editors_saving_in_turn_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, loaded) = saved_plan(dir.path(), 30);
    let base_a = loaded.clone();
    let base_b = loaded;
    let mut lock = lock::acquire(&path).unwrap();

    let mut a = base_a.clone();
    edit::record_contact(&mut a, "A0004", ContactStatus::Confirmed).unwrap();
    edit::record_contact(&mut a, "A0005", ContactStatus::NoAnswer).unwrap();
    let saved_a = save_shared(&path, &base_a, &a, Keys::same(None), &mut lock).unwrap();
    assert!(saved_a.merge.is_none(), "nobody saved in between");
    assert_eq!(saved_a.plan.history.len(), 1);
    let entry = &saved_a.plan.history[0];
    assert_eq!((entry.user.as_str(), entry.machine.as_str()), (os_user().as_str(), machine_name().as_str()));
    assert_eq!(entry.summary, "2 outcomes recorded");
    assert_eq!(plan_file::load(&path).unwrap(), saved_a.plan);

    // B loaded before A saved; B's save merges A's outcomes in.
    let mut b = base_b.clone();
    edit::record_contact(&mut b, "A0007", ContactStatus::Confirmed).unwrap();
    edit::set_notes(&mut b, "A0004", "call after 3pm").unwrap();
    let saved_b = save_shared(&path, &base_b, &b, Keys::same(None), &mut lock).unwrap();
    let report = saved_b.merge.as_ref().expect("A's save was merged");
    assert_eq!(report.outcomes, 2);
    let on_disk = plan_file::load(&path).unwrap();
    assert_eq!(on_disk, saved_b.plan);
    for (id, status) in
        [("A0004", ContactStatus::Confirmed), ("A0005", ContactStatus::NoAnswer), ("A0007", ContactStatus::Confirmed)]
    {
        assert_eq!(contact(&on_disk, id), status, "{id}");
    }
    assert_eq!(on_disk.backlog_item("A0004").unwrap().notes, "call after 3pm");
    assert_eq!(on_disk.history.len(), 2);
    assert!(on_disk.history[1].summary.starts_with("1 outcome recorded, 1 note edited; Merged with changes saved by"));

    // A saves again from what it saved: B's work comes in too.
    let mut a2 = saved_a.plan.clone();
    edit::set_pinned(&mut a2, "A0009", true).unwrap();
    let saved_a2 = save_shared(&path, &saved_a.plan, &a2, Keys::same(None), &mut lock).unwrap();
    assert!(saved_a2.merge.is_some());
    assert_eq!(contact(&saved_a2.plan, "A0007"), ContactStatus::Confirmed);
    assert!(saved_a2.plan.booking("A0009").unwrap().pinned);
    assert_eq!(saved_a2.plan.history.len(), 3);

    // Saving with no changes and nobody else's: no history line.
    let again = save_shared(&path, &saved_a2.plan, &saved_a2.plan, Keys::same(None), &mut lock).unwrap();
    assert_eq!(again.plan.history.len(), 3);
}

#[test]
fn a_damaged_file_on_disk_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let (path, base) = saved_plan(dir.path(), 10);
    std::fs::write(&path, "Plan(format_version: 1, practice: (name: \"x\"").unwrap();
    let mut ours = base.clone();
    edit::record_contact(&mut ours, "A0002", ContactStatus::Confirmed).unwrap();
    let mut lock = lock::acquire(&path).unwrap();
    let err = save_shared(&path, &base, &ours, Keys::same(None), &mut lock).unwrap_err();
    assert!(matches!(err, SharedSaveError::DamagedOnDisk { .. }), "{err:?}");
    assert!(err.to_string().contains("was not overwritten"), "{err}");
    assert!(std::fs::read_to_string(&path).unwrap().ends_with("(name: \"x\""));
}

#[test]
fn an_encrypted_plan_is_merged_and_stays_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sealed.rebook.ron");
    let pass = rebook::io::crypto::Passphrase::with_work_factor("shared drive pass", 10);
    let mut plan = common::plan_with_bookings(10);
    plan.normalise();
    plan_file::save_with(&plan, &path, Some(&pass)).unwrap();
    let base = plan_file::load_with(&path, Some(&pass)).unwrap();
    let mut lock = lock::acquire(&path).unwrap();
    let mut a = base.clone();
    edit::record_contact(&mut a, "A0002", ContactStatus::Confirmed).unwrap();
    save_shared(&path, &base, &a, Keys::same(Some(&pass)), &mut lock).unwrap();
    let mut b = base.clone();
    edit::record_contact(&mut b, "A0003", ContactStatus::Confirmed).unwrap();
    let saved = save_shared(&path, &base, &b, Keys::same(Some(&pass)), &mut lock).unwrap();
    assert!(saved.merge.is_some());
    assert!(plan_file::is_encrypted(&path).unwrap());
    let on_disk = plan_file::load_with(&path, Some(&pass)).unwrap();
    assert_eq!(contact(&on_disk, "A0002"), ContactStatus::Confirmed);
    assert_eq!(contact(&on_disk, "A0003"), ContactStatus::Confirmed);
}

#[test]
fn describe_changes_counts_in_plain_words() {
    let mut before = common::plan_with_bookings(30);
    before.normalise();
    let mut after = before.clone();
    assert_eq!(describe_changes(&before, &after), "no changes");
    for id in ["A0004", "A0005"] {
        edit::record_contact(&mut after, id, ContactStatus::Confirmed).unwrap();
    }
    edit::move_booking(&mut after, "A0006", "GP-OKAFOR-2024-07-23-AM").unwrap();
    assert_eq!(describe_changes(&before, &after), "2 outcomes recorded, 1 booking moved, 1 pinned");
}

// ---------------------------------------------------------------- re-import

/// The backlog of a plan as the clinical system would export it.
fn export_csv(plan: &Plan, edit_row: impl Fn(&mut Vec<String>)) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "appointment_id",
        "nhs_number",
        "patient_name",
        "original_date",
        "original_time",
        "original_clinician",
        "appointment_type",
        "priority",
    ];
    writer.write_record(header).unwrap();
    for item in &plan.backlog {
        let mut row = vec![
            item.id.clone(),
            item.patient.nhs_number.clone(),
            item.patient.name.clone(),
            item.original_date.format("%d/%m/%Y").to_string(),
            item.original_time.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
            item.original_clinician.clone(),
            item.appointment_type.clone(),
            item.priority.clone(),
        ];
        edit_row(&mut row);
        if !row.is_empty() {
            writer.write_record(&row).unwrap();
        }
    }
    writer.into_inner().unwrap()
}

#[test]
fn reimport_adds_updates_and_flags_keeping_bookings() {
    let mut plan = common::plan_with_bookings(30);
    plan.normalise();
    let same = export_csv(&plan, |_| {});
    let preview = preview_backlog(&plan, &same, &BTreeMap::new()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    let diff = reimport_diff(&plan, &preview);
    assert_eq!((diff.added.len(), diff.changed.len(), diff.unchanged, diff.vanished.len()), (0, 0, 30, 0));

    edit::set_pinned(&mut plan, "A0003", true).unwrap();
    let before = plan.clone();
    let newer = export_csv(&plan, |row| match row[0].as_str() {
        "A0003" => row[7] = "Urgent".into(), // Routine -> Urgent: booking kept
        "A0004" | "A0001" => row[6] = "Nurse bloods".into(), // GP session no longer fits
        "A0010" => row.clear(),              // rebooked in the clinical system
        _ => {}
    });
    let mut newer = String::from_utf8(newer).unwrap();
    let patient = rebook::model::nhs::test_numbers().nth(200).unwrap();
    newer.push_str(&format!("B-0001,{patient},\"NEWMAN, Nia\",19/07/2024,11:00,GP-PATEL,GP routine,Soon\n"));
    let preview = preview_backlog(&plan, newer.as_bytes(), &BTreeMap::new()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    let diff = reimport_diff(&plan, &preview);
    assert_eq!(diff.added, ["B-0001"]);
    assert_eq!(diff.vanished, ["A0010"]);
    assert_eq!(diff.unchanged, 26);
    let changed: Vec<(&str, Vec<String>)> =
        diff.changed.iter().map(|c| (c.appointment_id.as_str(), c.fields.clone())).collect();
    assert_eq!(
        changed,
        [
            ("A0001", vec!["type GP routine -> Nurse bloods".to_string()]),
            ("A0003", vec!["priority Routine -> Urgent".to_string()]),
            ("A0004", vec!["type GP routine -> Nurse bloods".to_string()]),
        ]
    );
    assert!(diff.summary().starts_with("1 new, 3 changed, 26 unchanged, 1 no longer in the clinical system's list"));

    let applied = accept_backlog(&mut plan, preview);
    assert_eq!(plan.backlog.len(), 31);
    // A0003: updated, booking, pin and outcome kept.
    assert_eq!(plan.backlog_item("A0003").unwrap().priority, "Urgent");
    assert_eq!(plan.booking("A0003"), before.booking("A0003"));
    // A0004 (not contacted) freed to be re-planned; A0001 (confirmed) kept and named.
    assert!(plan.booking("A0004").unwrap().session().is_none());
    assert_eq!(applied.freed, ["A0004", "A0010"]);
    assert_eq!(applied.kept_fixed, ["A0001"]);
    assert_eq!(plan.booking("A0001"), before.booking("A0001"));
    assert!(applied.summary().contains("check A0001"), "{}", applied.summary());
    // Notes the export does not carry are kept.
    assert_eq!(plan.backlog_item("A0001").unwrap().notes, before.backlog_item("A0001").unwrap().notes);
    // A0010: flagged, freed, not planned and not counted as work to do.
    assert!(plan.is_withdrawn("A0010"));
    let withdrawn = Outcome::Unplaced { reason: UnplacedReason::Withdrawn };
    assert_eq!(plan.booking("A0010").unwrap().outcome, withdrawn);
    let solved = rebook::scheduler::solve_and_explain(
        &plan,
        &Default::default(),
        &mut |_| {},
        &std::sync::atomic::AtomicBool::new(false),
    )
    .unwrap();
    rebook::scheduler::apply_solution(&mut plan, solved);
    assert_eq!(plan.booking("A0010").unwrap().outcome, withdrawn);
    assert!(plan.booking("B-0001").unwrap().session().is_some(), "the new item is planned");
    let report = rebook::report::report(&plan);
    assert_eq!(report.total, 30, "the withdrawn item is not work still to do");
    assert!(report.problems.iter().all(|p| p.appointment_id != "A0010"));
    let bookings = String::from_utf8(rebook::export::bookings_csv(&plan).unwrap()).unwrap();
    let line = bookings.lines().find(|l| l.starts_with("A0010,")).unwrap();
    assert!(line.contains(",withdrawn,") && line.contains("no longer in the clinical system's list"), "{line}");
    // Still saved byte-stably, and the flag survives a round trip.
    let text = plan_file::to_ron(&plan).unwrap();
    assert_eq!(plan_file::parse_plan(&text, Path::new("t")).unwrap().withdrawn, plan.withdrawn);

    // In the next export again: planned again.
    let back = export_csv(&before, |_| {});
    let preview = preview_backlog(&plan, &back, &BTreeMap::new()).unwrap();
    let diff = accept_backlog(&mut plan, preview);
    assert_eq!(diff.returned, ["A0010"]);
    assert!(!plan.is_withdrawn("A0010"));
}

#[test]
fn an_export_without_ids_flags_nothing() {
    let mut plan = common::plan_with_bookings(10);
    plan.normalise();
    let csv = String::from_utf8(export_csv(&plan, |_| {})).unwrap();
    let without_ids: String = csv.lines().map(|l| l.split_once(',').unwrap().1.to_string() + "\n").collect();
    let preview = preview_backlog(&plan, without_ids.as_bytes(), &BTreeMap::new()).unwrap();
    let diff = reimport_diff(&plan, &preview);
    assert!(!diff.matched_by_id);
    assert!(diff.vanished.is_empty());
    assert_eq!(diff.added.len(), 10);
    assert!(diff.summary().contains("no appointment id column"), "{}", diff.summary());
}

#[test]
fn another_list_sets_nothing_aside_and_the_user_can_say_so_for_a_newer_one() {
    let mut plan = common::plan_with_bookings(10);
    plan.normalise();
    // Monday's cancellations after Friday's: no id in common, so an additional list.
    let mut monday = Plan::new("x");
    monday.backlog = plan.backlog.iter().take(3).cloned().collect();
    for (n, item) in monday.backlog.iter_mut().enumerate() {
        item.id = format!("MON-{n}");
    }
    let preview = preview_backlog(&plan, &export_csv(&monday, |_| {}), &BTreeMap::new()).unwrap();
    assert!(!preview.set_aside_missing);
    let diff = reimport_diff(&plan, &preview);
    assert_eq!((diff.added.len(), diff.vanished.len()), (3, 0));
    accept_backlog(&mut plan, preview);
    assert_eq!(plan.backlog.len(), 13);
    assert!(plan.withdrawn.is_empty());

    // A newer export of the same list without two items: set aside by default...
    let mut newer = plan.clone();
    newer.backlog.retain(|i| i.id != "A0002" && i.id != "A0005");
    let preview = preview_backlog(&plan, &export_csv(&newer, |_| {}), &BTreeMap::new()).unwrap();
    assert!(preview.set_aside_missing);
    assert_eq!(reimport_diff(&plan, &preview).vanished, ["A0002", "A0005"]);
    // ...unless the user says the file is not the whole list.
    let mut partial = preview.clone();
    partial.set_aside_missing = false;
    assert!(reimport_diff(&plan, &partial).vanished.is_empty());
    accept_backlog(&mut plan, partial);
    assert!(plan.withdrawn.is_empty());
}

// ---------------------------------------------------------------- outcomes from paper

#[test]
fn outcomes_by_the_printed_reference() {
    let mut plan = common::plan_with_bookings(30);
    plan.normalise();
    let name = plan.backlog_item("A0004").unwrap().patient.name.clone();
    let said = edit::record_outcome_by_code(&mut plan, "a-0004", ContactStatus::Confirmed).unwrap();
    assert_eq!(said, format!("{name} (A0004): Confirmed"));
    // A unique number: "5" is A0005 (A0015 and A0025 are other numbers).
    edit::record_outcome_by_code(&mut plan, " 5 ", ContactStatus::NoAnswer).unwrap();
    assert_eq!(contact(&plan, "A0005"), ContactStatus::NoAnswer);
    assert_eq!(contact(&plan, "A0015"), common::plan_with_bookings(30).booking("A0015").unwrap().contact);

    // Two ids ending in the same number: refused, naming both.
    for id in [&mut plan.backlog[10].id, &mut plan.bookings[10].appointment_id] {
        *id = "B0006".into();
    }
    let err = edit::record_outcome_by_code(&mut plan, "0006", ContactStatus::Confirmed).unwrap_err();
    let EditError::AmbiguousCode { candidates, .. } = &err else { panic!("{err:?}") };
    assert_eq!(candidates.len(), 2);
    assert!(err.to_string().contains("A0006 (") && err.to_string().contains("B0006 ("), "{err}");
    assert!(matches!(
        edit::record_outcome_by_code(&mut plan, "Z-999", ContactStatus::Confirmed),
        Err(EditError::UnknownCode(_))
    ));
    let said = edit::record_outcome_by_code(&mut plan, "B0006", ContactStatus::Declined).unwrap();
    assert!(said.ends_with("Declined: back in the backlog for the next re-plan"), "{said}");
    assert!(plan.booking("B0006").unwrap().session().is_none());
    assert!(plan.booking("B0006").unwrap().changed.is_some(), "a hand edit records its time");
}

#[test]
fn outcomes_csv_applies_good_rows_and_reports_bad_ones() {
    let mut plan = common::plan_with_bookings(30);
    plan.normalise();
    let csv = "Ref;Result\nA0004;C\n\nA0005;Declined\nZZ-9;C\nA0006;maybe\nA0004;N\n";
    let preview = preview_outcomes(&plan, csv.as_bytes()).unwrap();
    assert_eq!(preview.total_rows, 5);
    assert_eq!(preview.rows.iter().map(|r| r.appointment_id.as_str()).collect::<Vec<_>>(), ["A0004", "A0005"]);
    let errors: Vec<(usize, &str)> = preview.rejected.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(errors, [(5, "appointment_id"), (6, "outcome"), (7, "appointment_id")]);
    assert!(preview.rejected[0].to_string().starts_with("line 5, appointment_id: no appointment has the reference"));
    assert!(preview.rejected[2].reason.contains("already has an outcome on line 2"), "{}", preview.rejected[2]);
    assert_eq!(accept_outcomes(&mut plan, preview), 2);
    assert_eq!(contact(&plan, "A0004"), ContactStatus::Confirmed);
    assert_eq!(contact(&plan, "A0005"), ContactStatus::Declined);
    assert!(plan.booking("A0005").unwrap().session().is_none(), "a declined booking returns to the backlog");
    assert!(preview_outcomes(&plan, b"name,phone\nx,y\n").is_err(), "the columns are required");
}

// ---------------------------------------------------------------- command line

fn cli(args: &[&str]) -> anyhow::Result<std::process::ExitCode> {
    use clap::Parser;
    let argv = std::iter::once("rebook").chain(args.iter().copied());
    rebook::cli::run(rebook::cli::Cli::parse_from(argv))
}

#[test]
fn cli_outcomes_and_history_respect_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = saved_plan(dir.path(), 20);
    let p = path.to_str().unwrap();
    let csv = dir.path().join("ticks.csv");
    std::fs::write(&csv, "code,outcome\nA0004,C\nA0005,no answer\nQ1,C\n").unwrap();
    let from = csv.to_str().unwrap();

    assert_eq!(cli(&["outcomes", p, "--from", from]).unwrap(), std::process::ExitCode::FAILURE);
    assert!(plan_file::load(&path).unwrap().history.is_empty(), "nothing recorded with a rejected row");

    // A colleague on another computer has the plan open: refused unless --force.
    let now = chrono::Utc::now().to_rfc3339();
    std::fs::write(
        lock::lock_path(&path),
        format!(
            r#"{{"user":"jsmith","machine":"RECEPTION-2","pid":4242,"since":"{now}","refreshed":"{now}","token":"t"}}"#
        ),
    )
    .unwrap();
    let err = cli(&["outcomes", p, "--from", from, "--allow-rejects"]).unwrap_err();
    assert!(err.to_string().contains("is open by jsmith on RECEPTION-2"), "{err}");
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(
        cli(&["outcomes", p, "--from", from, "--allow-rejects", "--force"]).unwrap(),
        std::process::ExitCode::SUCCESS
    );

    let plan = plan_file::load(&path).unwrap();
    assert_eq!(contact(&plan, "A0004"), ContactStatus::Confirmed);
    assert_eq!(contact(&plan, "A0005"), ContactStatus::NoAnswer);
    assert_eq!(plan.history.len(), 1);
    assert_eq!(plan.history[0].summary, "2 outcomes recorded");
    assert!(!lock::lock_path(&path).exists(), "the command gave its lock up");
    assert_eq!(cli(&["history", p]).unwrap(), std::process::ExitCode::SUCCESS);

    // Solving in place goes through the same path and keeps the history.
    assert_eq!(cli(&["solve", p]).unwrap(), std::process::ExitCode::SUCCESS);
    let solved = plan_file::load(&path).unwrap();
    assert_eq!(solved.history.len(), 2);
    assert!(solved.history[1].summary.starts_with("re-planned"), "{}", solved.history[1].summary);
    assert_eq!(contact(&solved, "A0004"), ContactStatus::Confirmed);
}

// ---------------------------------------------------------------- many writers at once

/// A lock file as left by a process of this computer that has ended.
fn write_dead_lock(plan: &Path) {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let now = chrono::Utc::now().to_rfc3339();
    let json = format!(
        r#"{{"user":"gone","machine":"{}","pid":{dead},"since":"{now}","refreshed":"{now}","token":"dead-{dead}"}}"#,
        machine_name()
    );
    std::fs::write(lock::lock_path(plan), json).unwrap();
}

/// `processes` copies of `rebook outcomes PLAN --from aN.csv` started together,
/// each recording its own appointments, for `rounds` rounds. Every outcome a
/// process reported as recorded is in the file at the end; a process that
/// could not record says so on stderr and exits non-zero. Returns how many
/// processes recorded.
fn record_at_once(processes: usize, force: bool, stale_lock: bool, rounds: usize) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let (path, plan) = saved_plan(dir.path(), 200);
    // Appointments booked and not yet contacted: recording one is a visible change.
    let free: Vec<String> = plan
        .bookings
        .iter()
        .filter(|b| b.session().is_some() && b.contact == ContactStatus::NotContacted)
        .map(|b| b.appointment_id.clone())
        .collect();
    let per_process = 3;
    assert!(free.len() >= processes * per_process * rounds, "{} free appointments", free.len());
    let mut ids = free.into_iter();
    let mut recorded_processes = 0;
    let mut recorded: Vec<String> = Vec::new();
    for round in 0..rounds {
        if stale_lock {
            write_dead_lock(&path);
        }
        let mut children = Vec::new();
        for p in 0..processes {
            let mine: Vec<String> = ids.by_ref().take(per_process).collect();
            let csv = dir.path().join(format!("a{round}-{p}.csv"));
            let rows: String = mine.iter().map(|id| format!("{id},C\n")).collect();
            std::fs::write(&csv, format!("appointment_id,outcome\n{rows}")).unwrap();
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rebook"));
            command.args(["outcomes", path.to_str().unwrap(), "--from", csv.to_str().unwrap()]);
            if force {
                command.arg("--force");
            }
            command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
            children.push((mine, command.spawn().unwrap()));
        }
        for (mine, child) in children {
            let out = child.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            if out.status.success() {
                assert!(stdout.contains("Recorded 3 outcome(s)"), "{stdout}");
                recorded.extend(mine);
                recorded_processes += 1;
            } else {
                assert!(!stdout.contains("Recorded"), "a failed process said it recorded: {stdout}");
                assert!(stderr.contains("was not written") || stderr.contains("not saved"), "{stderr}");
            }
        }
        let on_disk = plan_file::load(&path).unwrap();
        for id in &recorded {
            assert_eq!(contact(&on_disk, id), ContactStatus::Confirmed, "{id} was reported recorded but is lost");
        }
        assert!(!lock::lock_path(&path).exists(), "every command gave its lock up");
        let litter: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".change-") || n.contains(".tmp-"))
            .collect();
        assert!(litter.is_empty(), "left behind: {litter:?}");
    }
    recorded_processes
}

#[test]
fn concurrent_forced_writers_lose_no_reported_outcome() {
    for n in [2, 4, 8] {
        let recorded = record_at_once(n, true, false, 3);
        // Every forced writer takes the lock in turn: all of them record.
        assert_eq!(recorded, 3 * n, "{n} processes");
    }
}

#[test]
fn concurrent_writers_over_a_stale_lock_lose_no_reported_outcome() {
    for n in [2, 4, 8] {
        let recorded = record_at_once(n, false, true, 3);
        assert!(recorded >= 3, "at least one writer a round takes the stale lock over ({recorded} of {})", 3 * n);
    }
    // Forced and over a stale lock at once.
    record_at_once(4, true, true, 2);
}

#[test]
fn of_many_taking_over_one_stale_lock_exactly_one_wins() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("p.rebook.ron");
    for _ in 0..20 {
        write_dead_lock(&plan);
        let stale = lock::inspect(&plan).unwrap().unwrap();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
        let winners: Vec<_> = (0..8)
            .map(|_| {
                let (plan, stale, barrier) = (plan.clone(), stale.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    lock::take_over(&plan, &stale).ok()
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .filter_map(|t| t.join().unwrap())
            .collect();
        assert_eq!(winners.len(), 1, "exactly one contender holds the lock");
        assert!(winners[0].check().is_ok());
        drop(winners);
        assert!(!lock::lock_path(&plan).exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert!(leftovers.is_empty(), "no marker files left: {leftovers:?}");
    }
}

#[test]
fn a_lock_is_not_taken_over_while_its_holder_saves() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = saved_plan(dir.path(), 10);
    let mut holder = lock::acquire(&path).unwrap();
    holder.begin_save().unwrap();
    let info = lock::inspect(&path).unwrap().unwrap();
    assert!(info.saving);
    let path2 = path.clone();
    let taker = std::thread::spawn(move || {
        let started = std::time::Instant::now();
        let taken = lock::lock_plan(&path2, lock::Insist::Always).unwrap();
        (started.elapsed(), taken)
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(holder.check().is_ok(), "still ours while saving");
    holder.end_save().unwrap();
    let (waited, taken) = taker.join().unwrap();
    assert!(waited >= std::time::Duration::from_millis(250), "the taker waited for the save: {waited:?}");
    assert!(matches!(holder.check(), Err(LockError::Held(_))), "taken over once the save was done");
    assert!(taken.took_over.is_some());
}
