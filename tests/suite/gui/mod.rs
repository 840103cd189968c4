//! The desktop app driven headless with egui_kittest, through the same menus,
//! shortcuts and fields a practice manager uses: one file per feature, the
//! fixture and the helpers to drive the window here. `panels` draws one
//! screen on its own, without the app around it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backlog;
mod calls;
mod capacity;
mod files;
mod import;
mod overview;
mod panels;
mod plan;
mod print;
mod rules;

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
    // Opening and saving run in the background; the window keeps stepping
    // until they end, which may take more than kittest's default four frames.
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1500.0, 900.0))
        .with_max_steps(100_000)
        .build_eframe(move |_cc| RebookApp::new(options));
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

pub fn show_tab(harness: &mut Harness<'static, RebookApp>, tab: &str) {
    harness.get_by_role_and_label(Role::Button, tab).click();
    harness.run();
}

/// Opens the drop-down labelled `combo` and picks `option` in it (in the app or a panel drawn alone).
pub fn choose<State>(harness: &mut Harness<'_, State>, combo: &str, option: &str) {
    harness.get_by_label(combo).click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, option).click();
    harness.run();
}

/// The time per frame of `frames` mouse-wheel scrolls down at `at`.
pub fn scroll_frames(harness: &mut Harness<'static, RebookApp>, at: egui::Pos2, frames: u32) -> std::time::Duration {
    let started = std::time::Instant::now();
    for _ in 0..frames {
        harness.hover_at(at);
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -600.0),
            modifiers: Modifiers::NONE,
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
        });
        harness.step();
    }
    started.elapsed() / frames
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
