//! Plan files: the unsaved-changes prompt, damaged files, encryption, autosave and recovery,
//! locks when a colleague has the plan open, and merging two windows' saves.

use super::*;

#[test]
fn asks_before_discarding_unsaved_changes() {
    let setup = setup(10);
    let mut harness = harness(&setup);
    add_to_notes(&mut harness, "A00002", "wheelchair user");
    assert!(harness.state().document().is_dirty());

    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run();
    assert_eq!(harness.state().pending_prompt(), Some(&Command::New));
    harness.get_by_label("Cancel").click();
    harness.run();
    assert_eq!(item(harness.state().document().plan(), "A00002").notes, "wheelchair user");

    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run();
    harness.get_by_label("Don't save").click();
    harness.run();
    let doc = harness.state().document();
    assert!(doc.plan().backlog.is_empty() && doc.path().is_none());
    assert_eq!(doc.title(), "Rebook — Untitled — New practice");
}

#[test]
fn save_answer_in_the_prompt_saves_then_opens() {
    let setup = setup(10);
    let other = setup.dir.join("other.rebook.ron");
    plan_file::save(&Plan::new("Other Practice"), &other).unwrap();
    let mut harness = harness(&setup);
    add_to_notes(&mut harness, "A00002", "needs interpreter");

    setup.chooser.answer_next(Some(other.clone()));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::O);
    harness.run();
    harness.get_by_label("Save").click();
    harness.run();
    // The edit reached the disk, then the dialog opened the other plan.
    assert_eq!(item(&plan_file::load(&setup.plan_path).unwrap(), "A00002").notes, "needs interpreter");
    harness.state_mut().send(Command::Open);
    harness.run();
    assert_eq!(harness.state().document().plan().practice.name, "Other Practice");
}

#[test]
fn a_damaged_file_is_reported_not_fatal() {
    let setup = setup(5);
    let broken = setup.dir.join("broken.rebook.ron");
    let text = std::fs::read_to_string(&setup.plan_path).unwrap();
    std::fs::write(&broken, &text[..text.len() / 2]).unwrap();
    let mut harness = harness(&setup);
    harness.state_mut().send(Command::OpenPath(broken));
    harness.run();
    let app = harness.state();
    let errors = app.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("broken.rebook.ron") && errors[0].contains("line"), "{}", errors[0]);
    // The plan on screen is untouched.
    assert_eq!(app.document().plan().backlog.len(), 5);
    harness.get_by_label_contains("Could not open the plan");
}

#[test]
fn an_encrypted_plan_asks_for_its_passphrase_and_stays_encrypted() {
    use rebook::io::crypto::Passphrase;
    let setup = setup(6);
    let sealed = setup.dir.join("secret.rebook.ron");
    let passphrase = Passphrase::with_work_factor("correct horse battery", 4);
    plan_file::save_with(&fixture_plan(6), &sealed, Some(&passphrase)).unwrap();
    let mut harness = harness(&setup);
    harness.state_mut().send(Command::OpenPath(sealed.clone()));
    harness.run();
    assert!(harness.state().is_asking_passphrase());
    // A wrong passphrase is refused and asked again; nothing is lost on screen.
    secret(&harness, "Passphrase").focus();
    secret(&harness, "Passphrase").type_text("wrong guess");
    harness.get_by_label("OK").click();
    settle(&mut harness);
    harness.get_by_label_contains("passphrase for");
    assert_eq!(harness.state().document().path(), Some(setup.plan_path.as_path()));
    secret(&harness, "Passphrase").focus();
    secret(&harness, "Passphrase").type_text("correct horse battery");
    harness.get_by_label("OK").click();
    settle(&mut harness);
    let app = harness.state();
    assert!(!app.is_asking_passphrase());
    assert_eq!(app.document().path(), Some(sealed.as_path()));
    assert!(app.document().is_encrypted());
    // Saving keeps it encrypted: no patient name in the file.
    let name = app.document().plan().backlog[0].patient.name.clone();
    harness.state_mut().send(Command::Save);
    settle(&mut harness);
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(plan_file::is_encrypted(&sealed).unwrap());
    assert!(!String::from_utf8_lossy(&bytes).contains(&name));
}

#[test]
fn protecting_a_plan_encrypts_its_next_save() {
    let setup = setup(4);
    let mut harness = harness(&setup);
    harness.state_mut().send(Command::Protect);
    harness.run();
    secret(&harness, "Passphrase").focus();
    secret(&harness, "Passphrase").type_text("short");
    harness.run();
    harness.get_by_label_contains("at least 8 characters");
    secret(&harness, "Passphrase").focus();
    secret(&harness, "Passphrase").type_text(" but longer");
    secret(&harness, "Repeat passphrase").focus();
    secret(&harness, "Repeat passphrase").type_text("short but longer");
    harness.get_by_label("OK").click();
    harness.run();
    assert!(harness.state().document().is_dirty(), "the protection is an unsaved change");
    harness.state_mut().send(Command::Save);
    settle(&mut harness);
    assert!(!harness.state().document().is_dirty());
    assert!(harness.state().errors().is_empty(), "{:?}", harness.state().errors());
    assert!(plan_file::is_encrypted(&setup.plan_path).unwrap());
    assert!(matches!(plan_file::load(&setup.plan_path), Err(plan_file::PlanFileError::NeedsPassphrase { .. })));
}

#[test]
fn unsaved_work_is_autosaved_and_offered_back_after_a_crash() {
    let setup = setup(8);
    {
        let mut harness = harness(&setup);
        add_to_notes(&mut harness, "A00004", "hearing aid");
        // A solve autosaves at once (the minute's timer does the same for edits).
        solve_now(&mut harness);
        for _ in 0..50 {
            harness.step();
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        // The window is dropped here without saving: a crash.
    }
    let store = RecoveryStore::in_dir(setup.dir.join("recovery"));
    assert_eq!(store.find_recovery().unwrap().len(), 1);
    let mut harness = harness(&setup);
    harness.get_by_label("Recover unsaved work?");
    harness.get_by_label("Recover").click();
    harness.run();
    let doc = harness.state().document();
    assert_eq!(item(doc.plan(), "A00004").notes, "hearing aid");
    assert!(!doc.plan().bookings.is_empty(), "the solve was recovered too");
    assert!(doc.is_dirty(), "recovered work still needs saving");
    assert!(!doc.is_read_only());
    assert!(rebook::io::lock::inspect(&setup.plan_path).unwrap().is_some(), "the plan is locked again");
    harness.state_mut().send(Command::Save);
    harness.run();
    assert_eq!(item(&plan_file::load(&setup.plan_path).unwrap(), "A00004").notes, "hearing aid");
    assert!(store.find_recovery().unwrap().is_empty(), "a save removes the autosave");
}

/// A lock file as a colleague's Rebook on another computer writes it.
fn colleague_lock(plan: &std::path::Path, refreshed_minutes_ago: i64) {
    let now = chrono::Utc::now();
    let since = now - chrono::Duration::minutes(refreshed_minutes_ago + 5);
    let refreshed = now - chrono::Duration::minutes(refreshed_minutes_ago);
    let json = format!(
        r#"{{"user":"jsmith","machine":"RECEPTION-2","pid":4242,"since":"{}","refreshed":"{}","token":"colleague"}}"#,
        since.to_rfc3339(),
        refreshed.to_rfc3339()
    );
    std::fs::write(rebook::io::lock::lock_path(plan), json).unwrap();
}

#[test]
fn a_plan_open_elsewhere_opens_read_only_and_a_stale_lock_is_taken_over() {
    use rebook::io::lock;
    let setup = setup(6);
    let other = setup.dir.join("shared.rebook.ron");
    plan_file::save(&fixture_plan(6), &other).unwrap();
    colleague_lock(&other, 1);
    let mut harness = harness(&setup);
    harness.state_mut().send(Command::OpenPath(other.clone()));
    harness.run();
    assert_eq!(harness.state().lock_prompt().map(|i| i.user.as_str()), Some("jsmith"));
    harness.get_by_label_contains("open by jsmith on RECEPTION-2 since");
    harness.get_by_label("Open read-only").click();
    harness.run();
    let doc = harness.state().document();
    assert_eq!(doc.path(), Some(other.as_path()));
    assert!(doc.is_read_only());
    assert!(doc.title().contains("[read-only]"), "{}", doc.title());
    // Saving over their file is refused; their lock is untouched.
    harness.state_mut().send(Command::Save);
    harness.run();
    assert!(harness.state().errors().iter().any(|e| e.contains("read-only")), "{:?}", harness.state().errors());
    assert_eq!(lock::inspect(&other).unwrap().map(|i| i.user), Some("jsmith".to_string()));

    // A lock not refreshed for two hours is left over from a crash: taken over
    // without asking, by the same policy as the command line.
    colleague_lock(&other, 120);
    harness.state_mut().send(Command::OpenPath(other.clone()));
    harness.run();
    assert!(harness.state().lock_prompt().is_none());
    let doc = harness.state().document();
    assert!(!doc.is_read_only());
    let holder = lock::inspect(&other).unwrap().unwrap();
    assert_eq!(holder.pid, std::process::id());
    // Closing the plan (a new one) releases the lock.
    harness.state_mut().send(Command::New);
    harness.run();
    assert_eq!(lock::inspect(&other).unwrap(), None);
}

#[test]
fn two_windows_saving_one_plan_merge_their_outcomes_instead_of_overwriting() {
    use rebook::model::ContactStatus;
    let setup = setup(12);
    // The manager plans and saves; then a receptionist opens the same file.
    let mut manager = harness(&setup);
    solve_now(&mut manager);
    manager.state_mut().send(Command::Save);
    manager.run();
    let mut reception = harness(&setup);
    let placed = placed_ids(&reception);
    let (a, b, c) = (placed[0].clone(), placed[1].clone(), placed[2].clone());
    let record = |h: &mut Harness<'static, RebookApp>, id: &str, key: Key| {
        show_tab(h, "Call outcomes");
        field(h, "Reference").focus();
        field(h, "Reference").type_text(id);
        h.key_press(Key::Enter);
        h.run();
        h.key_press(key);
        h.run();
    };
    // Both record outcomes; both touch `c`, the receptionist later.
    record(&mut manager, &a, Key::C);
    record(&mut manager, &c, Key::C);
    manager.state_mut().send(Command::Save);
    manager.run();
    std::thread::sleep(std::time::Duration::from_millis(20));
    record(&mut reception, &b, Key::N);
    record(&mut reception, &c, Key::N);
    reception.state_mut().send(Command::Save);
    reception.run();
    let app = reception.state();
    assert!(app.errors().is_empty(), "{:?}", app.errors());
    let on_disk = plan_file::load(&setup.plan_path).unwrap();
    let contact = |id: &str| on_disk.booking(id).unwrap().contact;
    assert_eq!(contact(&a), ContactStatus::Confirmed, "the manager's outcome was not lost");
    assert_eq!(contact(&b), ContactStatus::NoAnswer);
    assert_eq!(contact(&c), ContactStatus::NoAnswer, "the newer change wins");
    assert_eq!(app.conflicts().len(), 1, "{:?}", app.conflicts());
    assert_eq!(app.conflicts()[0].appointment_id, c);
    assert_eq!(app.document().plan(), &on_disk, "the window shows what is on disk");
    // Each save is in the history.
    assert!(on_disk.history.len() >= 3, "{:?}", on_disk.history);
    reception.state_mut().send(Command::ShowAudit);
    reception.run();
    reception.get_by_label("Saves");
}

/// Key stretching (about a second for a real passphrase) runs in the
/// background: the window keeps drawing "Opening…" and the plan on screen is
/// untouched until the encrypted plan is unlocked.
#[test]
fn an_encrypted_plan_opens_in_the_background_while_the_window_keeps_drawing() {
    use rebook::io::crypto::Passphrase;
    let setup = setup(6);
    let sealed = setup.dir.join("secret.rebook.ron");
    // 2^16 rounds: long enough to span several frames.
    let passphrase = Passphrase::with_work_factor("correct horse battery", 16);
    plan_file::save_with(&fixture_plan(9), &sealed, Some(&passphrase)).unwrap();
    let mut harness = harness(&setup);
    harness.state_mut().send(Command::OpenPath(sealed.clone()));
    harness.run();
    secret(&harness, "Passphrase").focus();
    secret(&harness, "Passphrase").type_text("correct horse battery");
    harness.get_by_label("OK").click();
    harness.step();
    assert_eq!(harness.state().holding_document(), Some("Opening secret.rebook.ron"));
    // Input meanwhile waits: an undo asked for now must not reach the old plan or the new one.
    harness.state_mut().send(Command::Undo);
    let mut frames = 0;
    let started = std::time::Instant::now();
    let deadline = started + std::time::Duration::from_secs(60);
    while harness.state().holding_document().is_some() {
        assert!(std::time::Instant::now() < deadline, "the plan never opened");
        harness.step();
        frames += 1;
        if frames == 1 {
            harness.get_by_label("Opening secret.rebook.ron…");
            assert_eq!(harness.state().document().plan().backlog.len(), 6, "the old plan stays until then");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    eprintln!("encrypted open (2^16 scrypt) took {:?}; {frames} frames drawn meanwhile", started.elapsed());
    assert!(frames >= 2, "the window drew {frames} frame(s) while the plan was unlocked");
    settle(&mut harness);
    let doc = harness.state().document();
    assert_eq!(doc.path(), Some(sealed.as_path()));
    assert_eq!(doc.plan().backlog.len(), 9);
    assert!(doc.is_encrypted() && !doc.is_dirty());
    assert!(harness.state().errors().is_empty(), "{:?}", harness.state().errors());
}

/// An encrypted autosave is read back (key stretching twice: the autosave and
/// the plan file) in the background, and this session's autosave takes over.
#[test]
fn encrypted_unsaved_work_is_recovered_in_the_background() {
    use rebook::io::crypto::Passphrase;
    let setup = setup(5);
    let passphrase = Passphrase::with_work_factor("correct horse battery", 14);
    plan_file::save_with(&fixture_plan(5), &setup.plan_path, Some(&passphrase)).unwrap();
    let store = RecoveryStore::in_dir(setup.dir.join("recovery"));
    let mut edited = fixture_plan(5);
    edited.backlog[0].notes = "hearing aid".into();
    let crashed = store.autosave(&edited, Some(&setup.plan_path), Some(&passphrase)).unwrap();
    let mut harness = harness(&setup);
    // The plan itself asks for its passphrase first; the offer to recover waits behind it.
    assert!(harness.state().is_asking_passphrase());
    harness.get_by_label("Cancel").click();
    harness.run();
    harness.get_by_label("Recover").click();
    harness.run();
    secret(&harness, "Passphrase").focus();
    secret(&harness, "Passphrase").type_text("correct horse battery");
    harness.get_by_label("OK").click();
    harness.step();
    assert_eq!(harness.state().holding_document(), Some("Recovering the unsaved work"));
    settle(&mut harness);
    let doc = harness.state().document();
    assert_eq!(item(doc.plan(), "A00001").notes, "hearing aid");
    assert!(doc.is_dirty() && doc.is_encrypted() && !doc.is_read_only());
    assert!(harness.state().errors().is_empty(), "{:?}", harness.state().errors());
    let found = store.find_recovery().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].encrypted);
    if found[0].file != crashed {
        assert!(!crashed.exists(), "the old autosave was replaced");
    }
}

/// "Don't save" on an encrypted plan writes the record of an export into the
/// file in the background; the new plan waits until it is on disk.
#[test]
fn dont_save_on_an_encrypted_plan_writes_its_audit_trail_in_the_background() {
    use rebook::io::crypto::Passphrase;
    let setup = setup(6);
    let passphrase = Passphrase::with_work_factor("correct horse battery", 14);
    plan_file::save_with(&fixture_plan(6), &setup.plan_path, Some(&passphrase)).unwrap();
    let mut harness = harness(&setup);
    secret(&harness, "Passphrase").focus();
    secret(&harness, "Passphrase").type_text("correct horse battery");
    harness.get_by_label("OK").click();
    settle(&mut harness);
    assert!(harness.state().document().is_encrypted());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::P);
    harness.run();
    setup.chooser.answer_next(Some(setup.dir.join("sms.csv")));
    harness.get_by_label("Export SMS CSV...").click();
    harness.run();
    harness.state_mut().send(Command::New);
    harness.run();
    harness.get_by_label("Don't save").click();
    harness.step();
    assert_eq!(harness.state().holding_document(), Some("Writing the audit trail to outage.rebook.ron"));
    assert_eq!(harness.state().document().path(), Some(setup.plan_path.as_path()), "the new plan waits");
    settle(&mut harness);
    assert!(harness.state().errors().is_empty(), "{:?}", harness.state().errors());
    assert!(harness.state().document().path().is_none(), "then the new plan comes");
    let on_disk = plan_file::load_with(&setup.plan_path, Some(&passphrase)).unwrap();
    assert_eq!(on_disk.audit.len(), 1, "the export is recorded in the encrypted file");
}

/// A plain plan is read, and its lock taken, in the background too (as on a
/// slow network share): the window keeps drawing "Opening…", input waits,
/// and the plan on screen is untouched until the new one is in. Saving goes
/// the same way.
#[test]
fn a_plain_plan_opens_in_the_background_while_the_window_keeps_drawing() {
    use rebook::io::lock;
    let setup = setup(6);
    let big = setup.dir.join("big.rebook.ron");
    plan_file::save(&fixture_plan(3_000), &big).unwrap();
    let mut harness = harness(&setup);
    harness.state_mut().send(Command::OpenPath(big.clone()));
    harness.step();
    assert_eq!(harness.state().holding_document(), Some("Opening big.rebook.ron"));
    harness.state_mut().send(Command::Undo);
    let mut frames = 0;
    let started = std::time::Instant::now();
    let deadline = started + std::time::Duration::from_secs(60);
    while harness.state().holding_document() == Some("Opening big.rebook.ron") {
        assert!(std::time::Instant::now() < deadline, "the plan never opened");
        harness.step();
        frames += 1;
        if frames == 1 {
            harness.get_by_label("Opening big.rebook.ron…");
            assert_eq!(harness.state().document().plan().backlog.len(), 6, "the old plan stays until then");
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    eprintln!("plain open of 3,000 items took {:?}; {frames} frames drawn meanwhile", started.elapsed());
    assert!(frames >= 2, "the window drew {frames} frame(s) while the plan was read");
    settle(&mut harness);
    let doc = harness.state().document();
    assert_eq!(doc.path(), Some(big.as_path()));
    assert_eq!(doc.plan().backlog.len(), 3_000);
    assert!(!doc.is_encrypted() && !doc.is_dirty() && !doc.is_read_only());
    assert!(harness.state().errors().is_empty(), "{:?}", harness.state().errors());
    assert_eq!(lock::inspect(&big).unwrap().map(|i| i.pid), Some(std::process::id()), "the lock was taken");
    assert_eq!(lock::inspect(&setup.plan_path).unwrap(), None, "the old plan's lock was released");

    add_to_notes(&mut harness, "A00002", "hard of hearing");
    harness.state_mut().send(Command::Save);
    harness.step();
    assert_eq!(harness.state().holding_document(), Some("Saving big.rebook.ron"));
    settle(&mut harness);
    assert!(!harness.state().document().is_dirty());
    assert_eq!(item(&plan_file::load(&big).unwrap(), "A00002").notes, "hard of hearing");
}
