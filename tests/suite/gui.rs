//! The desktop app driven headless with egui_kittest, through the same menus,
//! shortcuts and fields a practice manager uses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, NaiveTime};
use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rebook::gui::{AppOptions, Command, RebookApp, ScriptedChooser, StartWith, Tab};
use rebook::io::plan_file;
use rebook::io::recovery::RecoveryStore;
use rebook::model::{BacklogItem, Continuity, Horizon, Mode, ModeRequirement, PartOfDay, Patient, Plan, Session, nhs};
use std::path::{Path, PathBuf};

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 7, day).unwrap()
}

/// A small synthetic practice: four clinicians, a week of sessions and `items` cancelled appointments.
pub fn fixture_plan(items: usize) -> Plan {
    let mut plan = Plan::new("Riverside Surgery");
    plan.horizon = Some(Horizon { start: date(22), end: date(26) });
    for (id, name, role) in [
        ("GP-PATEL", "Dr A Patel", "GP"),
        ("GP-JONES", "Dr B Jones", "GP"),
        ("PN-SMITH", "Nurse C Smith", "Practice nurse"),
        ("HCA-BROWN", "D Brown", "HCA"),
    ] {
        plan.clinicians.push(crate::test_plans::clinician(id, name, role));
    }
    for day in 22..=26 {
        for c in ["GP-PATEL", "GP-JONES", "PN-SMITH", "HCA-BROWN"] {
            for part in [PartOfDay::AM, PartOfDay::PM] {
                let start = if part == PartOfDay::AM { (8, 30) } else { (14, 0) };
                plan.sessions.push(Session {
                    id: format!("{c}-2024-07-{day}-{}", part.label()),
                    clinician: c.into(),
                    date: date(day),
                    part,
                    start: NaiveTime::from_hms_opt(start.0, start.1, 0).unwrap(),
                    slot_minutes: 10,
                    free_slots: 6,
                    mode: Mode::FaceToFace,
                    slot_times: Vec::new(),
                    cancelled: false,
                });
            }
        }
    }
    let types = ["GP routine", "Nurse bloods", "Vaccination"];
    let clinicians = ["GP-PATEL", "GP-JONES", "PN-SMITH", "HCA-BROWN"];
    let surnames = ["SMITH", "KHAN", "JONES", "TAYLOR", "WILLIAMS", "NOWAK", "OKAFOR", "EVANS"];
    let kinds: Vec<String> = plan.appointment_types.iter().map(|t| t.name.clone()).collect();
    for (i, number) in nhs::test_numbers().take(items).enumerate() {
        let kind = types[i % types.len()];
        assert!(kinds.iter().any(|k| k == kind), "{kind} is in the default catalogue");
        plan.backlog.push(BacklogItem {
            id: format!("A{:05}", i + 1),
            patient: Patient {
                nhs_number: number,
                name: format!("{}, Pat{}", surnames[i % surnames.len()], i + 1),
                date_of_birth: NaiveDate::from_ymd_opt(
                    1950 + (i % 50) as i32,
                    1 + (i % 12) as u32,
                    1 + (i % 28) as u32,
                ),
                phone: format!("07700 9{:05}", i % 100_000),
                sms_consent: i % 3 != 0,
                deceased: false,
            },
            original_date: date(19),
            original_time: NaiveTime::from_hms_opt(8 + (i % 9) as u32, (i % 6) as u32 * 10, 0),
            original_clinician: clinicians[i % clinicians.len()].into(),
            appointment_type: kind.into(),
            slots: 1,
            priority: ["Urgent", "Soon", "Routine", "Routine"][i % 4].into(),
            mode: ModeRequirement::Any,
            continuity: if i % 5 == 0 { Continuity::Preferred("GP-PATEL".into()) } else { Continuity::None },
            unavailable: Vec::new(),
            preferred_part: None,
            earliest_date: None,
            see_by: None,
            notes: if i == 2 { "hearing impaired, call daughter".into() } else { String::new() },
            declined_sessions: Vec::new(),
        });
    }
    plan
}

pub struct Setup {
    _dir: tempfile::TempDir,
    pub dir: PathBuf,
    pub plan_path: PathBuf,
    pub chooser: ScriptedChooser,
}

pub fn setup(items: usize) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let plan_path = path.join("outage.rebook.ron");
    plan_file::save(&fixture_plan(items), &plan_path).unwrap();
    Setup { dir: path, _dir: dir, plan_path, chooser: ScriptedChooser::default() }
}

pub fn harness(setup: &Setup) -> Harness<'static, RebookApp> {
    let options = AppOptions {
        start: StartWith::File(setup.plan_path.clone()),
        chooser: Box::new(setup.chooser.clone()),
        recent_store: Some(setup.dir.join("config").join("recent.txt")),
        recovery: Some(RecoveryStore::in_dir(setup.dir.join("recovery"))),
    };
    let mut harness =
        Harness::builder().with_size(egui::vec2(1500.0, 900.0)).build_eframe(move |_cc| RebookApp::new(options));
    harness.run();
    harness
}

/// A text field by its label (a column header may carry the same words).
pub fn field<'h>(harness: &'h Harness<'static, RebookApp>, label: &'h str) -> egui_kittest::Node<'h> {
    harness
        .query_by_role_and_label(Role::TextInput, label)
        .unwrap_or_else(|| harness.get_by_role_and_label(Role::MultilineTextInput, label))
}

/// A passphrase field (masked input) by its label.
fn secret<'h>(harness: &'h Harness<'static, RebookApp>, label: &'h str) -> egui_kittest::Node<'h> {
    harness.get_by_role_and_label(Role::PasswordInput, label)
}

pub fn item<'a>(plan: &'a Plan, id: &str) -> &'a BacklogItem {
    plan.backlog_item(id).unwrap()
}

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

fn open_editor_for(harness: &mut Harness<'static, RebookApp>, id: &str) {
    harness.get_by_label("Search").focus();
    harness.get_by_label("Search").type_text(id);
    harness.run();
    harness.get_by_label(id).click();
    harness.run();
    harness.get_by_label("Edit selected").click();
    harness.run();
}

/// Types into an appointment's notes through the editor and saves the edit.
fn add_to_notes(harness: &mut Harness<'static, RebookApp>, id: &str, text: &str) {
    open_editor_for(harness, id);
    field(harness, "Notes").focus();
    field(harness, "Notes").type_text(text);
    harness.get_by_label("Save appointment").click();
    harness.run();
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

/// The backlog table stays smooth at 10,000 rows: frame time measured while scrolling.
#[test]
fn ten_thousand_rows_scroll_smoothly() {
    let setup = setup(10_000);
    let mut harness = harness(&setup);
    assert!(harness.state().errors().is_empty(), "{:?}", harness.state().errors());
    let (panel, doc) = harness.state_mut().backlog_panel();
    assert_eq!(panel.visible_ids(doc).len(), 10_000);
    let frames = 30;
    let started = std::time::Instant::now();
    let table = harness.get_by_label("A00001").rect().center();
    for _ in 0..frames {
        harness.hover_at(table);
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -600.0),
            modifiers: Modifiers::NONE,
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
        });
        harness.step();
    }
    let per_frame = started.elapsed() / frames;
    assert!(harness.query_by_label("A00001").is_none(), "the table scrolled away from the first row");
    eprintln!("backlog with 10,000 rows: {per_frame:?} per frame");
    // Generous for unoptimised test builds on a shared 2-core machine; release is far below.
    assert!(per_frame.as_millis() < 250, "{per_frame:?} per frame");
}

pub fn show_tab(harness: &mut Harness<'static, RebookApp>, tab: &str) {
    harness.get_by_role_and_label(Role::Button, tab).click();
    harness.run();
}

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
    harness.get_by_label("Clinician").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Nurse C Smith").click();
    harness.run();
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
    harness.get_by_label("New clinician's role").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "GP").click();
    harness.run();
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
fn rules_apply_validate_and_reset() {
    let setup = setup(10);
    let mut harness = harness(&setup);
    show_tab(&mut harness, "Rules");
    harness.get_by_label("L: late, per day").set_value_accesskit(25.0);
    harness.run();
    assert_eq!(harness.state().document().plan().rules.late_penalty, 10.0, "a draft until applied");
    harness.get_by_label("Apply rules").click();
    harness.run();
    assert_eq!(harness.state().document().plan().rules.late_penalty, 25.0);

    // Removing a class that appointments use is refused, naming them.
    harness.get_by_label("Remove Soon").click();
    harness.run();
    harness.get_by_label("Apply rules").click();
    harness.run();
    let errors = harness.state().errors().join("\n");
    assert!(errors.contains("priority \"Soon\""), "{errors}");
    assert_eq!(harness.state().document().plan().rules.priorities.len(), 3);
    harness.get_by_label("Discard rules changes").click();
    harness.run();

    harness.get_by_label("Reset rules to defaults").click();
    harness.run();
    harness.get_by_label("Apply rules").click();
    harness.run();
    assert_eq!(harness.state().document().plan().rules, rebook::model::Rules::default());
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

/// Steps the window until the background solve has finished (the UI keeps drawing meanwhile).
pub fn wait_for_solve(harness: &mut Harness<'static, RebookApp>) -> Vec<std::time::Duration> {
    let mut frames = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while harness.state().is_solving() {
        assert!(std::time::Instant::now() < deadline, "the solve did not finish");
        let started = std::time::Instant::now();
        harness.step();
        frames.push(started.elapsed());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    harness.run_steps(3);
    frames
}

/// Steps the window until no background task runs (an encrypted open or
/// save, advice, autosave), then until it is still.
pub fn settle(harness: &mut Harness<'static, RebookApp>) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    // Commands sent from the test run (and may start a task) on this first frame.
    harness.step();
    while !harness.state().is_idle() {
        assert!(std::time::Instant::now() < deadline, "the background work did not finish");
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    harness.run();
}

/// Plans the backlog from the menu's command and waits for the result.
pub fn solve_now(harness: &mut Harness<'static, RebookApp>) {
    harness.state_mut().send(Command::Solve);
    harness.step();
    wait_for_solve(harness);
}

/// Appointments with a booking in a session, in plan order.
pub fn placed_ids(harness: &Harness<'static, RebookApp>) -> Vec<String> {
    let plan = harness.state().document().plan();
    plan.bookings.iter().filter(|b| b.session().is_some()).map(|b| b.appointment_id.clone()).collect()
}

fn booked_session(harness: &Harness<'static, RebookApp>, id: &str) -> Option<String> {
    harness.state().document().plan().booking(id).and_then(|b| b.session()).map(str::to_string)
}

#[test]
fn solve_pin_move_decline_replan_undo_and_save() {
    let setup = setup(40);
    let mut harness = harness(&setup);
    show_tab(&mut harness, "Plan");
    harness.get_by_label("Solve").click();
    harness.step();
    assert!(harness.state().is_solving());
    wait_for_solve(&mut harness);
    let app = harness.state();
    assert!(app.errors().is_empty(), "{:?}", app.errors());
    let plan = app.document().plan();
    let placed = plan.bookings.iter().filter(|b| b.session().is_some()).count();
    assert_eq!(placed, 40, "a week of sessions holds 40 appointments");
    assert!(plan.bookings.iter().all(|b| !b.explanation.is_empty()), "every booking explains itself");
    assert!(app.messages().iter().any(|m| m.text.starts_with("Planned: 40 of 40")));

    // Pin one booking from the patient list.
    harness.get_by_label("Patient list").click();
    harness.run();
    harness.get_by_label("A00001").click();
    harness.run();
    harness.get_by_label("Pin").click();
    harness.run();
    let pinned_at = booked_session(&harness, "A00001").unwrap();
    assert!(harness.state().document().plan().booking("A00001").unwrap().pinned);

    // Move another to its best alternative.
    harness.get_by_label("A00002").click();
    harness.run();
    let before = booked_session(&harness, "A00002").unwrap();
    let target = rebook::scheduler::alternatives::alternatives(harness.state().document().plan(), "A00002", 8)
        .first()
        .map(|a| a.session_id.clone())
        .expect("an alternative session");
    harness.get_by_label(&format!("Move to {target}")).click();
    harness.run();
    assert_eq!(booked_session(&harness, "A00002").as_deref(), Some(target.as_str()));
    assert_ne!(before, target);

    // The patient of A00003 declines: it returns to the backlog.
    harness.get_by_label("A00003").click();
    harness.run();
    let declined = booked_session(&harness, "A00003").unwrap();
    harness.get_by_label("Declined").click();
    harness.run();
    assert_eq!(booked_session(&harness, "A00003"), None);

    // Re-plan: previewed first, then applied: the pinned one stays, the declined one goes elsewhere.
    harness.get_by_label("Re-plan").click();
    harness.step();
    wait_for_solve(&mut harness);
    assert_eq!(booked_session(&harness, "A00003"), None, "nothing changes before Apply");
    assert!(harness.query_by_label_contains("would move").is_some(), "the preview says who would move");
    harness.get_by_label("Apply re-plan").click();
    // The applied plan's message and autosave repaint for a few frames.
    harness.run_steps(8);
    assert!(harness.state().errors().is_empty(), "{:?}", harness.state().errors());
    assert_eq!(booked_session(&harness, "A00001").as_deref(), Some(pinned_at.as_str()));
    let again = booked_session(&harness, "A00003").expect("re-placed");
    assert_ne!(again, declined);
    assert!(harness.state().messages().iter().any(|m| m.text.contains("moved by the re-plan")));

    // Undo the re-plan: A00003 is unplaced again.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(booked_session(&harness, "A00003"), None);

    // Save and reopen identically.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run();
    let on_screen = harness.state().document().plan().clone();
    assert_eq!(plan_file::load(&setup.plan_path).unwrap(), on_screen);
}

#[test]
fn overview_compares_with_baselines_and_adds_advised_sessions() {
    // More work than a week of sessions can hold, so advice has something to offer.
    let setup = setup(300);
    let mut harness = harness(&setup);
    solve_now(&mut harness);
    show_tab(&mut harness, "Overview");
    harness.get_by_label("Routine within 7 days");
    let placed = harness.state().document().plan().bookings.iter().filter(|b| b.session().is_some()).count();
    assert!(placed < 300, "the fixture is over capacity");
    assert!(harness.query_all_by_label(&format!("{placed} of 300")).next().is_some());

    let sessions = harness.state().document().plan().sessions.len();
    harness.get_by_label("Find sessions that would help").click();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while harness.query_by_label("Add advised session 1").is_none() {
        assert!(std::time::Instant::now() < deadline, "no advice came");
        assert!(harness.query_by_label_contains("No advice").is_none());
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    harness.get_by_label("Add advised session 1").click();
    harness.step();
    harness.step();
    // A small plan may already be re-planned by now: solving, or its preview shown.
    assert!(
        harness.state().is_solving() || harness.state_mut().plan_panel().has_preview(),
        "adding a session re-plans"
    );
    wait_for_solve(&mut harness);
    assert_eq!(harness.state().document().plan().sessions.len(), sessions, "previewed: nothing changes yet");
    assert!(harness.query_by_label_contains("more placed").is_some(), "the preview says what it gains");
    harness.get_by_label("Apply re-plan").click();
    // The applied plan's message and autosave repaint for a few frames.
    harness.run_steps(8);
    assert_eq!(harness.state().document().plan().sessions.len(), sessions + 1);
    let now = harness.state().document().plan().bookings.iter().filter(|b| b.session().is_some()).count();
    assert!(now > placed, "{now} placed after adding the session, {placed} before");
}

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
    harness.get_by_label("Absent clinician").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Dr A Patel").click();
    harness.run();
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
    harness.get_by_label("Template clinician").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Dr N New").click();
    harness.run();
    harness.get_by_label("Fill the horizon").click();
    harness.run();
    let added = harness.state().document().plan().sessions.iter().filter(|s| s.clinician == "GP-NEW").count();
    assert_eq!(added, 10, "five working days, morning and afternoon");
}

/// The window keeps drawing while 10,000 appointments are planned in the background.
/// Slow in debug builds: run with `cargo test --release --test gui -- --ignored`.
#[test]
#[ignore = "a 10,000-item solve; run in release"]
fn frames_stay_fast_during_a_ten_thousand_item_solve() {
    let setup = setup(1);
    // The generator's benchmark hub: 10,000 items over a realistic rota.
    plan_file::save(&rebook::generate::generate(&rebook::generate::benchmark_config(10_000, 7)), &setup.plan_path)
        .unwrap();
    let mut harness = harness(&setup);
    show_tab(&mut harness, "Plan");
    harness.get_by_label("Solve").click();
    harness.step();
    let started = std::time::Instant::now();
    let mut frames = wait_for_solve(&mut harness);
    let solve = started.elapsed();
    assert!(harness.state().errors().is_empty(), "{:?}", harness.state().errors());
    frames.sort();
    let worst = frames.last().copied().unwrap_or_default();
    let median = frames.get(frames.len() / 2).copied().unwrap_or_default();
    eprintln!(
        "10,000-item solve took {solve:?}; {} frames meanwhile, median {median:?}, worst {worst:?}",
        frames.len()
    );
    assert!(frames.len() > 5, "the window kept drawing");
    assert!(median.as_millis() < 100, "median frame {median:?}");
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
fn call_outcomes_are_keyed_in_by_reference_then_c_d_or_n() {
    let setup = setup(12);
    let mut harness = harness(&setup);
    solve_now(&mut harness);
    let placed = placed_ids(&harness);
    assert!(placed.len() >= 2);
    show_tab(&mut harness, "Call outcomes");
    // The number alone is enough when it is unique: "A00003" -> "3".
    let first = &placed[0];
    field(&harness, "Reference").focus();
    field(&harness, "Reference").type_text(first.trim_start_matches(|c: char| !c.is_ascii_digit() || c == '0'));
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().calls_panel().found(), Some(first.as_str()));
    harness.key_press(Key::C);
    harness.run();
    let contact = |h: &Harness<'static, RebookApp>, id: &str| h.state().document().plan().booking(id).unwrap().contact;
    assert_eq!(contact(&harness, first), rebook::model::ContactStatus::Confirmed);
    // The field is ready for the next one; D declines (back to the backlog).
    let second = &placed[1];
    field(&harness, "Reference").type_text(second);
    harness.key_press(Key::Enter);
    harness.run();
    harness.key_press(Key::D);
    harness.run();
    assert_eq!(contact(&harness, second), rebook::model::ContactStatus::Declined);
    assert!(harness.state().document().plan().booking(second).unwrap().session().is_none());
    assert_eq!(harness.state().calls_panel().log().len(), 2);
    // An unknown reference says so and records nothing.
    field(&harness, "Reference").type_text("ZZZ999");
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().calls_panel().found(), None);
    harness.get_by_label_contains("ZZZ999");
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

/// Advice worked out for a plan that was edited meanwhile is not applied:
/// the user is told it was set aside.
#[test]
fn advice_for_a_plan_edited_meanwhile_is_set_aside() {
    let setup = setup(40);
    let mut harness = harness(&setup);
    add_to_notes(&mut harness, "A00002", "prefers mornings");
    // The advice starts from this revision; the undo right after changes the plan.
    harness.state_mut().send(Command::Advise);
    harness.state_mut().send(Command::Undo);
    harness.step();
    assert!(!harness.state().is_idle(), "the advice runs in the background");
    settle(&mut harness);
    let messages: Vec<String> = harness.state().messages().iter().map(|m| m.text.clone()).collect();
    assert!(messages.iter().any(|m| m.contains("set aside")), "{messages:?}");
    assert!(!messages.iter().any(|m| m.contains("advice is ready")), "{messages:?}");
    show_tab(&mut harness, "Overview");
    assert!(harness.query_by_label("Add advised session 1").is_none());
    assert!(harness.query_by_label("No extra session would improve this plan.").is_none());
}

/// Advice keeps being worked out, and is taken in, while another screen shows.
#[test]
fn advice_arrives_while_its_screen_is_not_showing() {
    let setup = setup(300);
    let mut harness = harness(&setup);
    solve_now(&mut harness);
    show_tab(&mut harness, "Overview");
    harness.get_by_label("Find sessions that would help").click();
    harness.step();
    show_tab(&mut harness, "Backlog");
    settle(&mut harness);
    assert_eq!(harness.state().tab(), Tab::Backlog);
    let messages: Vec<String> = harness.state().messages().iter().map(|m| m.text.clone()).collect();
    assert!(messages.iter().any(|m| m.contains("Capacity advice is ready")), "{messages:?}");
    show_tab(&mut harness, "Overview");
    harness.get_by_label("Add advised session 1");
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
