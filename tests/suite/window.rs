//! The window at a reception desk: rows selected by a click anywhere, light and
//! dark themes, undo that names its step, messages that fade while errors stay,
//! the privacy badge, the first-steps checklist and the path box.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::gui::{field, harness, item, placed_ids, setup, show_tab, solve_now};
use egui::accesskit::Role;
use egui::{Key, ThemePreference};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rebook::gui::{AppOptions, Command, FilePurpose, PathEntryChooser, RebookApp, ScriptedChooser, StartWith};
use rebook::io::plan_file;
use rebook::model::{ContactStatus, Continuity, Plan};

/// The usual window, stepping 1/60 s per frame (kittest's default of 1/4 s
/// is too slow for two clicks to make a double click).
fn fine_grained_harness(setup: &super::gui::Setup) -> Harness<'static, RebookApp> {
    let options = AppOptions {
        start: StartWith::File(setup.plan_path.clone()),
        chooser: Box::new(setup.chooser.clone()),
        recent_store: Some(setup.dir.join("config").join("recent.txt")),
        recovery: None,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1366.0, 768.0))
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(100_000)
        .build_eframe(move |_cc| RebookApp::new(options));
    harness.run();
    harness
}

fn selected(harness: &mut Harness<'static, RebookApp>) -> Option<String> {
    harness.state_mut().backlog_panel().0.selected().map(str::to_string)
}

/// Shows only this appointment's row, as a receptionist searching for it would.
fn search(harness: &mut Harness<'static, RebookApp>, text: &str) {
    harness.get_by_label("Clear filters").click();
    harness.run();
    harness.get_by_label("Search").focus();
    harness.get_by_label("Search").type_text(text);
    harness.run();
    // Leave the field, so the keys go to the table.
    harness.key_press(Key::Escape);
    harness.run();
}

#[test]
fn a_click_anywhere_on_a_row_selects_it_and_a_double_click_or_enter_edits() {
    let setup = setup(10);
    let mut harness = fine_grained_harness(&setup);
    let (second, third) = {
        let plan = harness.state().document().plan();
        (item(plan, "A00002").patient.name.clone(), item(plan, "A00003").patient.name.clone())
    };
    // The patient's name, not the id cell.
    search(&mut harness, "A00002");
    harness.get_by_label(&second).click();
    harness.run();
    assert_eq!(selected(&mut harness).as_deref(), Some("A00002"));
    assert!(!harness.state_mut().backlog_panel().0.is_editing());
    harness.get_by_label("Edit selected").click();
    harness.run();
    harness.get_by_label("Edit appointment A00002");
    harness.get_by_label("Cancel").click();
    harness.run();

    // A double click on another row's name opens its editor.
    search(&mut harness, "A00003");
    // Half a second after the last click elsewhere, or egui counts a triple click.
    harness.run_steps(30);
    harness.get_by_label(&third).click();
    harness.get_by_label(&third).click();
    harness.run();
    assert_eq!(selected(&mut harness).as_deref(), Some("A00003"));
    harness.get_by_label("Edit appointment A00003");
    harness.get_by_label("Cancel").click();
    harness.run();

    // Down moves the selection to the next row shown, Enter edits it.
    harness.get_by_label("Clear filters").click();
    harness.run();
    harness.key_press(Key::ArrowDown);
    harness.run();
    let next = selected(&mut harness).unwrap();
    let (panel, doc) = harness.state_mut().backlog_panel();
    let ids = panel.visible_ids(doc);
    let at = ids.iter().position(|id| id == "A00003").unwrap();
    assert_eq!(next, ids[at + 1]);
    harness.key_press(Key::Enter);
    harness.run();
    harness.get_by_label(&format!("Edit appointment {next}"));
}

#[test]
fn the_editor_takes_a_date_of_birth_and_refuses_one_in_the_future() {
    let setup = setup(5);
    let mut harness = harness(&setup);
    search(&mut harness, "A00003");
    harness.get_by_label("A00003").click();
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    let shown = item(harness.state().document().plan(), "A00003").patient.date_of_birth.unwrap();
    assert_eq!(
        field(&harness, "Date of birth").value().as_deref(),
        Some(shown.format("%d/%m/%Y").to_string().as_str())
    );
    field(&harness, "Date of birth").focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
    field(&harness, "Date of birth").type_text("01/01/2099");
    harness.get_by_label("Save appointment").click();
    harness.run();
    harness.get_by_label_contains("Date of birth: 01/01/2099 is in the future");
    field(&harness, "Date of birth").focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
    field(&harness, "Date of birth").type_text("14/02/1961");
    harness.get_by_label("Save appointment").click();
    harness.run();
    let saved = item(harness.state().document().plan(), "A00003").patient.date_of_birth;
    assert_eq!(saved, chrono::NaiveDate::from_ymd_opt(1961, 2, 14));
    // The continuity clinician's label sits before its choice.
    harness.get_by_label("A00003").click();
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    harness.get_by_label("Required").click();
    harness.run();
    // The editor's choice (the backlog's filter is a "Clinician" choice too), on top of the page.
    let choice = harness.query_all_by_role_and_label(Role::ComboBox, "Clinician").last().unwrap().rect();
    // The editor's own "Clinician" label (the backlog filter has one too), on the same line.
    let label = harness
        .query_all_by_role_and_label(Role::Label, "Clinician")
        .map(|n| n.rect())
        .find(|r| r.center().y > choice.top() && r.center().y < choice.bottom())
        .expect("a Clinician label beside the choice");
    assert!(label.right() <= choice.left(), "{label:?} then {choice:?}");
}

#[test]
fn theme_follows_the_system_until_chosen_in_view_and_is_remembered() {
    let setup = setup(3);
    let mut harness = harness(&setup);
    assert_eq!(harness.ctx.options(|o| o.theme_preference), ThemePreference::System);
    harness.get_by_label("View").click();
    harness.run();
    harness.get_by_role_and_label(Role::RadioButton, "Light").click();
    harness.run();
    assert_eq!(harness.ctx.options(|o| o.theme_preference), ThemePreference::Light);
    assert_eq!(harness.ctx.theme(), egui::Theme::Light);
    assert!(harness.state().messages().iter().any(|m| m.text == "Light theme."));
    // A new window starts in the chosen theme.
    drop(harness);
    let mut again = super::gui::harness(&setup);
    again.run();
    assert_eq!(again.ctx.options(|o| o.theme_preference), ThemePreference::Light);
    again.state_mut().send(Command::SetTheme(ThemePreference::Dark));
    again.run();
    assert_eq!(again.ctx.theme(), egui::Theme::Dark);
}

#[test]
fn undo_and_redo_name_the_step_and_a_message_confirms_it() {
    let setup = setup(12);
    let mut harness = harness(&setup);
    solve_now(&mut harness);
    let id = placed_ids(&harness)[0].clone();
    show_tab(&mut harness, "Call outcomes");
    field(&harness, "Reference").focus();
    field(&harness, "Reference").type_text(&id);
    harness.key_press(Key::Enter);
    harness.run();
    harness.key_press(Key::D);
    harness.run();
    assert_eq!(harness.state().document().plan().booking(&id).unwrap().contact, ContactStatus::Declined);
    assert_eq!(harness.state().document().undo_label(), Some(format!("mark {id} declined").as_str()));

    harness.get_by_label("Edit").click();
    harness.run();
    harness.get_by_label_contains(&format!("Undo: mark {id} declined")).click();
    harness.run();
    assert_ne!(harness.state().document().plan().booking(&id).unwrap().contact, ContactStatus::Declined);
    let confirm = format!("Undone: mark {id} declined.");
    assert!(harness.state().messages().iter().any(|m| m.text == confirm));
    harness.get_by_label(&confirm);
    harness.get_by_label("Edit").click();
    harness.run();
    harness.get_by_label_contains(&format!("Redo: mark {id} declined")).click();
    harness.run();
    assert_eq!(harness.state().document().plan().booking(&id).unwrap().contact, ContactStatus::Declined);
    harness.get_by_label(&format!("Redone: mark {id} declined."));
}

#[test]
fn news_fades_away_but_errors_stay_until_dismissed() {
    let setup = setup(3);
    let mut harness = harness(&setup);
    harness.state_mut().send(Command::ImportBacklogFrom(setup.dir.join("missing.csv")));
    harness.state_mut().send(Command::TogglePrivacy);
    harness.run();
    let news = "Privacy mode: names and NHS numbers are masked on screen.";
    harness.get_by_label(news);
    let error = harness.state().errors()[0].to_string();
    assert!(error.contains("missing.csv"), "{error}");
    // Seven seconds later (kittest steps a quarter of a second) the news is gone
    // from the screen (kept in the log), the error is not.
    harness.run_steps(7 * 4);
    assert!(harness.query_by_label(news).is_none());
    assert!(harness.state().messages().iter().any(|m| m.text == news));
    harness.get_by_label_contains("missing.csv");
    harness.get_by_label("Dismiss").click();
    harness.run();
    assert!(harness.state().errors().is_empty());
    assert!(harness.query_by_label_contains("missing.csv").is_none());
    assert!(harness.state().messages().iter().any(|m| m.is_error && m.text == error), "still in the log");
}

#[test]
fn privacy_mode_shows_in_the_title_and_as_a_badge_that_turns_it_off() {
    let setup = setup(3);
    let mut harness = harness(&setup);
    assert!(harness.query_by_label("Privacy mode on").is_none());
    harness.state_mut().send(Command::TogglePrivacy);
    harness.run();
    assert!(harness.state().window_title().ends_with("PRIVACY MODE"), "{}", harness.state().window_title());
    harness.get_by_label("Privacy mode on").click();
    harness.run();
    assert!(harness.query_by_label("Privacy mode on").is_none());
    assert!(!harness.state().window_title().contains("PRIVACY"));
}

#[test]
fn a_new_plan_shows_the_next_steps_and_unknown_clinicians_wait_for_the_rota() {
    let setup = setup(3);
    let mut harness = harness(&setup);
    // A plan with appointments but no rota: step 2 is next, and the clinicians they name wait for it.
    let mut plan: Plan = plan_file::load(&setup.plan_path).unwrap();
    plan.sessions.clear();
    plan.clinicians.clear();
    for item in &mut plan.backlog {
        item.continuity = Continuity::Preferred("GP-PATEL".into());
    }
    let no_rota = setup.dir.join("no-rota.rebook.ron");
    plan_file::save(&plan, &no_rota).unwrap();
    harness.state_mut().send(Command::OpenPath(no_rota));
    harness.run();
    harness.get_by_label("Getting started: next, import the rota");
    // Said by the checklist and by the summary panel.
    assert!(harness.query_all_by_label_contains("import the rota to match these clinicians").count() >= 1);
    assert!(harness.query_by_label_contains("asks for unknown clinician").is_none());

    harness.state_mut().send(Command::New);
    harness.run();
    harness.get_by_label("Getting started: next, import the cancelled appointments");
    setup.chooser.answer_next(None);
    harness.get_by_label("Import cancelled appointments...").click();
    harness.run();
    let requests = setup.chooser.requests();
    assert_eq!(requests.last().map(|r| r.purpose), Some(FilePurpose::ImportBacklog));
    // Once planned, the checklist steps aside.
    harness.state_mut().send(Command::OpenPath(setup.plan_path.clone()));
    harness.run();
    solve_now(&mut harness);
    show_tab(&mut harness, "Backlog");
    assert!(harness.query_by_label_contains("Getting started").is_none());
}

#[test]
fn clinician_and_priority_names_are_not_cut_to_a_few_letters() {
    let setup = setup(3);
    let mut harness = harness(&setup);
    show_tab(&mut harness, "Capacity");
    harness.get_by_label("Clinicians and roles").click();
    harness.run();
    harness.run();
    let width_of = |h: &Harness<'static, RebookApp>, value: &str| {
        h.get_all_by_role(Role::TextInput).find(|n| n.value().as_deref() == Some(value)).map(|n| n.rect().width())
    };
    let name = width_of(&harness, "Nurse C Smith").expect("the name field");
    assert!(name >= 120.0, "{name}");
    show_tab(&mut harness, "Rules");
    harness.run();
    let priority = width_of(&harness, "Routine").expect("the priority name field");
    assert!(priority >= 100.0, "{priority}");
}

#[test]
fn the_path_box_takes_the_keyboard_at_once_and_proposes_the_plans_folder() {
    let setup = setup(5);
    let options = AppOptions {
        start: StartWith::File(setup.plan_path.clone()),
        chooser: Box::new(PathEntryChooser::default()),
        recent_store: Some(setup.dir.join("config").join("recent.txt")),
        recovery: None,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1366.0, 768.0))
        .with_max_steps(100_000)
        .build_eframe(move |_cc| RebookApp::new(options));
    harness.run();
    harness.state_mut().send(Command::Print);
    harness.run();
    harness.get_by_label("Export SMS CSV...").click();
    harness.run();
    let path = field(&harness, "File path");
    assert!(path.is_focused(), "the path box has the keyboard");
    assert_eq!(path.value(), Some(setup.dir.join("sms.csv").display().to_string()));
    // Typing goes straight in: change the name and save.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
    let target = setup.dir.join("texts.csv");
    field(&harness, "File path").type_text(&target.display().to_string());
    harness.key_press(Key::Enter);
    harness.run();
    assert!(harness.state().errors().is_empty(), "{:?}", harness.state().errors());
    assert!(target.is_file());
}

#[test]
fn scripted_chooser_is_offered_full_paths_for_a_plan_never_saved() {
    let chooser = ScriptedChooser::default();
    let options = AppOptions {
        start: StartWith::NewPlan,
        chooser: Box::new(chooser.clone()),
        recent_store: None,
        recovery: None,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1366.0, 768.0))
        .with_max_steps(100_000)
        .build_eframe(move |_cc| RebookApp::new(options));
    harness.run();
    harness.state_mut().send(Command::SaveAs);
    harness.run();
    let request = chooser.requests().pop().unwrap();
    let suggested = request.suggested.unwrap();
    assert!(suggested.is_absolute(), "{}", suggested.display());
    assert!(suggested.ends_with("plan.rebook.ron"));
}

#[test]
fn the_calendar_shows_one_role_at_a_time_with_an_urgency_legend() {
    let setup = setup(24);
    let mut harness = harness(&setup);
    solve_now(&mut harness);
    show_tab(&mut harness, "Plan");
    harness.get_by_label("Urgency:");
    harness.get_by_label("Dr A Patel");
    harness.get_by_role_and_label(Role::ComboBox, "Role").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Practice nurse").click();
    harness.run();
    assert!(harness.query_by_label("Dr A Patel").is_none(), "only the nurses' column");
    harness.get_by_label("Nurse C Smith");
    harness.get_by_label("Show everyone").click();
    harness.run();
    harness.get_by_label("Dr A Patel");
}
