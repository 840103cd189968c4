//! The Capacity screen: the sessions grid, adding sessions and clinicians, absences, templates, the reserve.

use super::*;

#[test]
fn capacity_grid_edits_free_slots_as_one_undo_step() {
    let setup = setup(10);
    let mut harness = harness(&setup);
    show_tab(&mut harness, "Capacity");
    assert_eq!(harness.state().tab(), Tab::Capacity);
    let cell = "Dr A Patel 23/07/2024 PM free slots";
    harness.get_by_label(cell).set_value_accesskit(9.0);
    harness.run();
    let session = |h: &Harness<'static, RebookApp>| {
        h.state().document().plan().session("GP-PATEL-2024-07-23-PM").map(|s| s.free_slots)
    };
    assert_eq!(session(&harness), Some(9));
    assert!(harness.state().document().is_dirty());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(session(&harness), Some(6));
}

#[test]
fn capacity_adds_sessions_and_clinicians() {
    let setup = setup(10);
    let mut harness = harness(&setup);
    show_tab(&mut harness, "Capacity");
    harness.get_by_label("Add a session").click();
    harness.run();
    choose(&mut harness, "Clinician", "Nurse C Smith");
    field(&harness, "Session date").focus();
    field(&harness, "Session date").type_text("25/07/2024");
    harness.get_by_label("Afternoon").click();
    field(&harness, "Starts at").focus();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    field(&harness, "Starts at").type_text("15:00");
    harness.get_by_label("Add session").click();
    harness.run();
    let app = harness.state();
    assert!(app.errors().is_empty(), "{:?}", app.errors());
    let added = app.document().plan().session("PN-SMITH-2024-07-25-PM-2").expect("a second afternoon session");
    assert_eq!(added.start, NaiveTime::from_hms_opt(15, 0, 0).unwrap());
    assert_eq!(added.free_slots, 6);

    // A date outside the horizon is refused with the reason.
    field(&harness, "Session date").focus();
    field(&harness, "Session date").type_text("25/09/2024");
    harness.get_by_label("Add session").click();
    harness.run();
    assert!(harness.state().errors().iter().any(|e| e.contains("outside the planning horizon")));

    // Clinicians: add one and apply the draft in one step.
    harness.get_by_label("Clinicians and roles").click();
    harness.run();
    field(&harness, "New clinician's name").focus();
    field(&harness, "New clinician's name").type_text("Dr E Okafor");
    choose(&mut harness, "New clinician's role", "GP");
    harness.get_by_label("Add clinician").click();
    harness.run();
    assert!(harness.state().document().plan().clinician("GP-OKAFOR").is_none(), "not applied yet");
    harness.get_by_label("GP-OKAFOR");
    harness.get_by_label("Apply clinicians and roles").click();
    harness.run();
    assert_eq!(harness.state().errors().len(), 1, "only the horizon error: {:?}", harness.state().errors());
    let plan = harness.state().document().plan();
    assert_eq!(plan.clinician("GP-OKAFOR").map(|c| c.name.as_str()), Some("Dr E Okafor"));

    // A clinician with sessions cannot be removed.
    harness.get_by_label("Remove GP-PATEL").click();
    harness.run();
    assert!(harness.state().errors().iter().any(|e| e.contains("Dr A Patel has 10 session(s)")));
}

#[test]
fn reserve_per_weekday() {
    let setup = setup(10);
    let mut harness = harness(&setup);
    show_tab(&mut harness, "Capacity");
    harness.get_by_label("Reserve").click();
    harness.run();
    harness.get_by_label("Mon").click();
    harness.run();
    harness.get_by_label("Reserve on Mon").set_value_accesskit(35.0);
    harness.run();
    harness.get_by_label("Apply reserve").click();
    harness.run();
    let rules = &harness.state().document().plan().rules;
    assert_eq!(rules.reserve_by_weekday.len(), 1);
    assert!((rules.reserve_for(chrono::Weekday::Mon) - 0.35).abs() < 1e-9);
    assert!((rules.reserve_for(chrono::Weekday::Tue) - 0.20).abs() < 1e-9);
}

#[test]
fn absence_frees_bookings_and_template_fills_the_horizon() {
    let setup = setup(40);
    let mut harness = harness(&setup);
    solve_now(&mut harness);
    let patel_booked = |h: &Harness<'static, RebookApp>| {
        let plan = h.state().document().plan();
        plan.bookings
            .iter()
            .filter_map(|b| b.session())
            .filter(|s| plan.session(s).is_some_and(|s| s.clinician == "GP-PATEL" && s.date == date(22)))
            .count()
    };
    assert!(patel_booked(&harness) > 0, "the fixture books Dr Patel on Monday");
    show_tab(&mut harness, "Capacity");
    harness.get_by_label("Mark a clinician absent").click();
    harness.run();
    choose(&mut harness, "Absent clinician", "Dr A Patel");
    field(&harness, "From").focus();
    field(&harness, "From").type_text("22/07/2024");
    harness.get_by_label("Mark absent").click();
    harness.run();
    assert_eq!(patel_booked(&harness), 0);
    let app = harness.state();
    assert!(
        app.messages()
            .iter()
            .any(|m| m.text.contains("Dr A Patel absent") && m.text.contains("2 session(s) cancelled"))
    );
    let plan = app.document().plan();
    assert!(plan.sessions.iter().filter(|s| s.clinician == "GP-PATEL" && s.date == date(22)).all(|s| s.cancelled));

    // A new clinician's weekly template fills the working days of the horizon.
    let mut plan = plan.clone();
    plan.clinicians.push(crate::test_plans::clinician("GP-NEW", "Dr N New", "GP"));
    let path = setup.dir.join("with-new.rebook.ron");
    plan_file::save(&plan, &path).unwrap();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run();
    harness.state_mut().send(Command::OpenPath(path));
    harness.run();
    harness.get_by_label("Weekly template").click();
    harness.run();
    choose(&mut harness, "Template clinician", "Dr N New");
    harness.get_by_label("Fill the horizon").click();
    harness.run();
    let added = harness.state().document().plan().sessions.iter().filter(|s| s.clinician == "GP-NEW").count();
    assert_eq!(added, 10, "five working days, morning and afternoon");
}
