//! The print dialog, the audit trail of prints and exports, and privacy mode.

use super::*;

#[test]
fn exports_and_saves_pdfs_through_the_print_dialog() {
    let setup = setup(20);
    let mut harness = harness(&setup);
    solve_now(&mut harness);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::P);
    harness.run();
    let csv = setup.dir.join("bookings.csv");
    setup.chooser.answer_next(Some(csv.clone()));
    harness.get_by_label("Export bookings CSV...").click();
    harness.run();
    assert!(harness.state().errors().is_empty(), "{:?}", harness.state().errors());
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 21, "a header and one line per booking");

    harness.key_press_modifiers(Modifiers::COMMAND, Key::P);
    harness.run();
    let pdf = setup.dir.join("calls.pdf");
    setup.chooser.answer_next(Some(pdf.clone()));
    harness.get_by_label("Save call list as PDF...").click();
    harness.run();
    assert!(harness.state().errors().is_empty(), "{:?}", harness.state().errors());
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
}

#[test]
fn privacy_mode_masks_patients_on_screen() {
    let setup = setup(5);
    let mut harness = harness(&setup);
    let patient = item(harness.state().document().plan(), "A00001").patient.clone();
    harness.get_by_label(&patient.name);
    harness.state_mut().send(Command::TogglePrivacy);
    harness.run();
    assert!(harness.query_by_label(&patient.name).is_none());
    assert!(harness.query_by_label(&nhs::format(&patient.nhs_number)).is_none());
    let masked = nhs::masked(&patient.nhs_number);
    assert!(harness.query_all_by_label(&masked).count() >= 1);
}

#[test]
fn prints_and_exports_are_recorded_in_the_audit_trail_and_survive_dont_save() {
    let setup = setup(10);
    let mut harness = harness(&setup);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::P);
    harness.run();
    let csv = setup.dir.join("sms.csv");
    setup.chooser.answer_next(Some(csv.clone()));
    harness.get_by_label("Export SMS CSV...").click();
    harness.run();
    let audit = &harness.state().document().plan().audit;
    assert_eq!(audit.len(), 1);
    assert!(audit[0].detail.starts_with("sms.csv") && audit[0].detail.ends_with("sms.csv"), "{}", audit[0].detail);
    harness.state_mut().send(Command::ShowAudit);
    harness.run();
    harness.get_by_label("Audit trail");
    // Undo does not remove the entry; discarding the changes still writes it to the file.
    harness.state_mut().send(Command::Undo);
    harness.run();
    assert_eq!(harness.state().document().plan().audit.len(), 1);
    harness.state_mut().send(Command::New);
    harness.run();
    harness.get_by_label("Don't save").click();
    harness.run();
    let on_disk = plan_file::load(&setup.plan_path).unwrap();
    assert_eq!(on_disk.audit.len(), 1, "the export is recorded in the plan file");
}
