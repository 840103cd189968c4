//! CSV imports: the preview, the type mapping, and a newer export setting items aside.

use super::*;

#[test]
fn import_preview_shows_the_bad_row_and_changes_nothing_until_accepted() {
    let setup = setup(5);
    let csv = setup.dir.join("cancelled.csv");
    let good: Vec<String> = nhs::test_numbers().skip(900).take(2).map(|n| nhs::format(&n)).collect();
    std::fs::write(
        &csv,
        format!(
            "Appt ID,NHS number,Patient name,Original date,Clinician,Appointment type,Priority\n\
             B1,{},\"LEE, Ann\",19/07/2024,Dr A Patel,GP routine,Routine\n\
             B2,987 654 4321,\"ROE, Ben\",19/07/2024,Dr A Patel,GP routine,Routine\n\
             B3,{},\"DOE, Cat\",19/07/2024,Nurse C Smith,Nurse bloods,Soon\n",
            good[0], good[1]
        ),
    )
    .unwrap();
    let mut harness = harness(&setup);
    setup.chooser.answer_next(Some(csv));
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Import backlog CSV...").click();
    harness.run();
    let app = harness.state();
    assert!(app.errors().is_empty(), "{:?}", app.errors());
    let rejected = app.import_dialog().expect("the preview is open").rejected().to_vec();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0].line, 3);
    assert!(rejected[0].column.to_lowercase().contains("nhs"), "{rejected:?}");
    assert_eq!(app.document().plan().backlog.len(), 5, "nothing changes before Accept");
    harness.get_by_label_contains("3 rows read");
    harness.get_by_label("Accept 2 rows").click();
    harness.run();
    let plan = harness.state().document().plan();
    assert_eq!(plan.backlog.len(), 7);
    assert!(
        plan.backlog_item("B1").is_some() && plan.backlog_item("B3").is_some() && plan.backlog_item("B2").is_none()
    );
    assert!(plan.withdrawn.is_empty(), "another list sets nothing aside");
    // One undo takes the whole import back.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().document().plan().backlog.len(), 5);
}

#[test]
fn import_preview_maps_each_local_type_once_and_keeps_its_buttons_on_a_small_screen() {
    let setup = setup(5);
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports/emis_backlog.csv");
    let mut harness = harness(&setup);
    harness.set_size(egui::vec2(760.0, 480.0));
    setup.chooser.answer_next(Some(csv));
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Import backlog CSV...").click();
    harness.run();
    let unknown = harness.state().import_dialog().expect("the preview is open").unknown_types().to_vec();
    assert_eq!(unknown.len(), 8, "each local type once: {unknown:?}");
    assert!(harness.state().import_dialog().unwrap().rejected().is_empty(), "not one error per row");
    // The long reason wraps, the body scrolls, and Accept and Cancel stay on screen.
    for button in ["Accept 0 rows", "Cancel import"] {
        let rect = harness.get_by_label(button).rect();
        assert!(rect.max.y <= 480.0 && rect.max.x <= 760.0, "{button} at {rect:?}");
    }
    // Each drop-down starts on the suggestion; one click uses them all.
    harness.get_by_label("Use these types (8)").scroll_to_me();
    harness.run();
    harness.get_by_label("Use these types (8)").click();
    harness.run();
    assert!(harness.state().import_dialog().unwrap().unknown_types().is_empty());
    harness.get_by_label("Accept 12 rows").click();
    harness.run();
    let plan = harness.state().document().plan();
    assert_eq!(plan.backlog.len(), 17);
    assert_eq!(plan.import_types.get("Smear").map(String::as_str), Some("Cervical screening"));
    assert_eq!(item(plan, "E-1003").priority, "Urgent", "Urgent GP was mapped to GP urgent");
}

#[test]
fn a_newer_export_sets_aside_what_it_no_longer_lists() {
    let setup = setup(6);
    let plan = fixture_plan(6);
    // The same list exported again without A00006.
    let mut csv = String::from("Appt ID,NHS number,Patient name,Original date,Clinician,Appointment type,Priority\n");
    for item in plan.backlog.iter().filter(|i| i.id != "A00006") {
        csv.push_str(&format!(
            "{},{},\"{}\",{},{},{},{}\n",
            item.id,
            item.patient.nhs_number,
            item.patient.name,
            item.original_date.format("%d/%m/%Y"),
            item.original_clinician,
            item.appointment_type,
            item.priority
        ));
    }
    let path = setup.dir.join("newer.csv");
    std::fs::write(&path, csv).unwrap();
    let mut harness = harness(&setup);
    harness.state_mut().send(Command::ImportBacklogFrom(path));
    harness.run();
    let diff = harness.state().import_dialog().unwrap().reimport().unwrap().clone();
    assert_eq!(diff.vanished, ["A00006"]);
    harness.get_by_label_contains("No longer in the clinical system's list (1)");
    // Untick: the file is not the whole list; tick again: it is.
    let newer = "This file is a newer export of the same list: set aside the appointments missing from it";
    harness.get_by_label(newer).click();
    harness.run();
    assert!(harness.state().import_dialog().unwrap().reimport().unwrap().vanished.is_empty());
    harness.get_by_label(newer).click();
    harness.run();
    harness.get_by_label("Accept 5 rows").click();
    harness.run();
    let doc = harness.state().document();
    assert!(doc.plan().is_set_aside("A00006"));
    // In the table's status column and in the summary.
    assert_eq!(harness.query_all_by_label("Set aside").count(), 2);
    let (panel, doc) = harness.state_mut().backlog_panel();
    assert_eq!(panel.visible_ids(doc).len(), 6, "still listed, for the user to check and remove");
}
