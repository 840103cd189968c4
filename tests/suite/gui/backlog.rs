//! The Backlog screen: the table, its filters and sort, adding, editing and removing appointments.

use super::*;

#[test]
fn opens_the_plan_with_its_title_summary_and_backlog() {
    let setup = setup(40);
    let mut harness = harness(&setup);
    let app = harness.state();
    assert!(app.errors().is_empty(), "{:?}", app.errors());
    assert_eq!(app.document().title(), "Rebook — outage.rebook.ron — Riverside Surgery");
    assert_eq!(app.tab(), Tab::Backlog);
    // The summary panel and the table are on screen.
    harness.get_by_label("Capacity by day");
    harness.get_by_label("A00001");
    harness.get_by_label("40 of 40 appointments");
    let (panel, doc) = harness.state_mut().backlog_panel();
    assert_eq!(panel.visible_ids(doc).len(), 40);
    // The file went into the recent list.
    assert!(harness.state().recent_files()[0].ends_with("outage.rebook.ron"));
}

#[test]
fn filters_the_backlog_by_search_and_sorts_by_column() {
    let setup = setup(40);
    let mut harness = harness(&setup);
    harness.get_by_label("Search").focus();
    harness.get_by_label("Search").type_text("khan");
    harness.run();
    let (panel, doc) = harness.state_mut().backlog_panel();
    let ids = panel.visible_ids(doc);
    assert_eq!(ids.len(), 5, "{ids:?}");
    assert!(ids.iter().all(|id| item(doc.plan(), id).patient.name.starts_with("KHAN")));
    harness.get_by_label("5 of 40 appointments");

    // Search by NHS number digits, spaces allowed.
    let number = nhs::format(&item(harness.state().document().plan(), "A00007").patient.nhs_number);
    harness.get_by_label("Clear filters").click();
    harness.run();
    harness.get_by_label("Search").focus();
    harness.get_by_label("Search").type_text(&number);
    harness.run();
    let (panel, doc) = harness.state_mut().backlog_panel();
    assert_eq!(panel.visible_ids(doc), ["A00007"]);

    // Sorting by priority puts the urgent ones first.
    harness.get_by_label("Clear filters").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Priority").click();
    harness.run();
    let (panel, doc) = harness.state_mut().backlog_panel();
    let ids = panel.visible_ids(doc);
    let priorities: Vec<&str> = ids.iter().map(|id| item(doc.plan(), id).priority.as_str()).collect();
    assert_eq!(&priorities[..10], ["Urgent"; 10]);
    assert_eq!(priorities.last(), Some(&"Routine"));
}

#[test]
fn edit_with_validation_then_undo_redo_save_as_and_reopen_identically() {
    let setup = setup(40);
    let mut harness = harness(&setup);
    open_editor_for(&mut harness, "A00003");
    harness.get_by_label("Edit appointment A00003");

    // An impossible see-by date is refused and nothing changes.
    field(&harness, "See by").focus();
    field(&harness, "See by").type_text("31/02/2024");
    harness.get_by_label("Save appointment").click();
    harness.run();
    harness.get_by_label_contains("not a real date");
    assert!(!harness.state().document().is_dirty());

    // Fix it: select-all then type the right date.
    field(&harness, "See by").focus();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    field(&harness, "See by").type_text("30/07/2024");
    harness.get_by_label("Save appointment").click();
    harness.run();
    let doc = harness.state().document();
    assert_eq!(item(doc.plan(), "A00003").see_by, Some(date(30)));
    assert!(doc.is_dirty());
    assert_eq!(doc.title(), "Rebook — outage.rebook.ron * — Riverside Surgery");

    // Ctrl+Z undoes the edit (and the document is clean again), Ctrl+Shift+Z redoes it.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(item(harness.state().document().plan(), "A00003").see_by, None);
    assert!(!harness.state().document().is_dirty());
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    harness.run();
    assert_eq!(item(harness.state().document().plan(), "A00003").see_by, Some(date(30)));

    // Save as (Ctrl+Shift+S) to a new file chosen in the dialog.
    let copy = setup.dir.join("copy");
    setup.chooser.answer_next(Some(copy.clone()));
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::S);
    harness.run();
    let saved = setup.dir.join("copy.rebook.ron");
    let app = harness.state();
    assert!(app.errors().is_empty(), "{:?}", app.errors());
    assert_eq!(app.document().path(), Some(saved.as_path()));
    assert!(!app.document().is_dirty());
    assert_eq!(app.document().title(), "Rebook — copy.rebook.ron — Riverside Surgery");
    let on_screen = app.document().plan().clone();

    // Reopen it: identical plan, and identical bytes when saved again.
    assert_eq!(plan_file::load(&saved).unwrap(), on_screen);
    harness.state_mut().send(Command::New);
    harness.run();
    harness.state_mut().send(Command::OpenPath(saved.clone()));
    harness.run();
    assert_eq!(harness.state().document().plan(), &on_screen);
    let bytes = std::fs::read(&saved).unwrap();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run();
    assert_eq!(std::fs::read(&saved).unwrap(), bytes);
}

#[test]
fn adds_and_removes_appointments() {
    let setup = setup(10);
    let mut harness = harness(&setup);
    harness.get_by_label("Add appointment").click();
    harness.run();
    field(&harness, "Patient name").focus();
    field(&harness, "Patient name").type_text("GREEN, Alex");
    let number = nhs::test_numbers().nth(500).unwrap();
    field(&harness, "NHS number").focus();
    field(&harness, "NHS number").type_text(&number);
    harness.get_by_label("Save appointment").click();
    harness.run();
    let plan = harness.state().document().plan();
    assert_eq!(plan.backlog.len(), 11);
    let added = plan.backlog.last().unwrap();
    assert_eq!((added.id.as_str(), added.patient.name.as_str()), ("NEW-0001", "GREEN, Alex"));
    assert_eq!(added.patient.nhs_number, number);

    // A bad NHS number is refused with the reason.
    harness.get_by_label("Add appointment").click();
    harness.run();
    field(&harness, "Patient name").focus();
    field(&harness, "Patient name").type_text("GREY, Sam");
    field(&harness, "NHS number").focus();
    field(&harness, "NHS number").type_text("987 654 4321");
    harness.get_by_label("Save appointment").click();
    harness.run();
    harness.get_by_label_contains("NHS number:");
    harness.get_by_label("Cancel").click();
    harness.run();
    assert_eq!(harness.state().document().plan().backlog.len(), 11);

    open_editor_for(&mut harness, "A00004");
    harness.get_by_label("Cancel").click();
    harness.run();
    harness.get_by_label("Remove selected").click();
    harness.run();
    let plan = harness.state().document().plan();
    assert_eq!(plan.backlog.len(), 10);
    assert!(plan.backlog_item("A00004").is_none());
}

/// The backlog table stays smooth at 10,000 rows: frame time measured while scrolling.
#[test]
fn ten_thousand_rows_scroll_smoothly() {
    let setup = setup(10_000);
    let mut harness = harness(&setup);
    assert!(harness.state().errors().is_empty(), "{:?}", harness.state().errors());
    let (panel, doc) = harness.state_mut().backlog_panel();
    assert_eq!(panel.visible_ids(doc).len(), 10_000);
    let table = harness.get_by_label("A00001").rect().center();
    let per_frame = scroll_frames(&mut harness, table, 30);
    assert!(harness.query_by_label("A00001").is_none(), "the table scrolled away from the first row");
    eprintln!("backlog with 10,000 rows: {per_frame:?} per frame");
    // Generous for unoptimised test builds on a shared 2-core machine; release is far below.
    assert!(per_frame.as_millis() < 250, "{per_frame:?} per frame");
}
