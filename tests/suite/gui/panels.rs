//! One screen at a time, without the app: a panel is drawn on a document and
//! what it changed (the document) and reported (its events) is checked.

use super::*;
use rebook::gui::{
    BacklogPanel, CapacityPanel, Document, OutcomeEntryPanel, OverviewPanel, Panel, PanelContext, PanelEvent,
    PlanPanel, RulesPanel, SummaryPanel,
};
use rebook::model::{Booking, ContactStatus, Outcome};
use rebook::scheduler::Progress;

/// A panel on its own document, and every event it sent so far.
struct Bench<P> {
    panel: P,
    doc: Document,
    events: Vec<PanelEvent>,
}

fn bench<P: Panel + 'static>(panel: P, plan: Plan) -> Harness<'static, Bench<P>> {
    let bench = Bench { panel, doc: Document::new(plan, None), events: Vec::new() };
    let mut harness = Harness::builder().with_size(egui::vec2(1400.0, 900.0)).build_ui_state(
        |ui, bench: &mut Bench<P>| {
            let mut cx = PanelContext::new(&mut bench.doc);
            bench.panel.ui(ui, &mut cx);
            bench.events.extend(cx.into_events());
        },
        bench,
    );
    harness.run();
    harness
}

/// The fixture with two appointments booked into Dr Patel's Tuesday afternoon.
fn booked_plan() -> Plan {
    let mut plan = fixture_plan(10);
    for id in ["A00001", "A00004"] {
        plan.bookings.push(Booking {
            appointment_id: id.into(),
            outcome: Outcome::Placed {
                session: "GP-PATEL-2024-07-23-PM".into(),
                time: NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
            },
            pinned: false,
            contact: ContactStatus::NotContacted,
            explanation: String::new(),
            changed: None,
        });
    }
    plan
}

fn free_slots(harness: &Harness<'static, Bench<CapacityPanel>>) -> Option<u32> {
    harness.state().doc.plan().session("GP-PATEL-2024-07-23-PM").map(|s| s.free_slots)
}

#[test]
fn capacity_refuses_to_shrink_a_session_below_its_bookings() {
    let mut harness = bench(CapacityPanel::default(), booked_plan());
    let cell = "Dr A Patel 23/07/2024 PM free slots";
    // 3 free slots leave 2 usable after the 20 % reserve: room for both bookings.
    harness.get_by_label(cell).set_value_accesskit(3.0);
    harness.run();
    assert_eq!(free_slots(&harness), Some(3));
    assert!(harness.state().events.is_empty(), "{:?}", harness.state().events);

    harness.get_by_label(cell).set_value_accesskit(2.0);
    harness.run();
    assert_eq!(free_slots(&harness), Some(3), "refused");
    assert_eq!(
        harness.state().events,
        [PanelEvent::Error(
            "Free slots: session GP-PATEL-2024-07-23-PM has 2 slot(s) booked but would keep only 1 usable; move or \
             unbook some first."
                .into()
        )]
    );
}

#[test]
fn capacity_reports_an_absence_as_news_and_changes_the_document() {
    let mut harness = bench(CapacityPanel::default(), booked_plan());
    harness.get_by_label("Mark a clinician absent").click();
    harness.run();
    choose(&mut harness, "Absent clinician", "Dr A Patel");
    harness.get_by_role_and_label(Role::TextInput, "From").focus();
    harness.get_by_role_and_label(Role::TextInput, "From").type_text("23/07/2024");
    harness.get_by_label("Mark absent").click();
    harness.run();
    let state = harness.state();
    assert_eq!(
        state.events,
        [PanelEvent::Info(
            "Dr A Patel absent Tue 23/07/2024 to Tue 23/07/2024: 2 session(s) cancelled, 2 booking(s) freed; re-plan \
             to place them."
                .into()
        )]
    );
    assert!(state.doc.plan().bookings.iter().all(|b| b.session().is_none()));
    assert!(state.doc.can_undo(), "one undo step");
}

#[test]
fn plan_panel_asks_the_app_to_solve_or_cancel() {
    let mut harness = bench(PlanPanel::default(), fixture_plan(10));
    harness.get_by_label("Solve").click();
    harness.run();
    assert_eq!(harness.state().events, [PanelEvent::Command(Command::Solve)]);
    assert!(!harness.state().doc.is_dirty(), "the panel only asks; the app solves");

    harness.state_mut().events.clear();
    harness.state_mut().panel.solving = Some(Progress { message: "Planning".into(), fraction: 0.5 });
    // The spinner keeps asking for frames: step rather than run until still.
    harness.run_steps(2);
    harness.get_by_label("Cancel planning").click();
    harness.run_steps(2);
    assert_eq!(harness.state().events, [PanelEvent::Command(Command::CancelSolve)]);
}

#[test]
fn rules_panel_reports_each_problem_and_applies_valid_rules() {
    let mut harness = bench(RulesPanel::default(), fixture_plan(10));
    harness.get_by_label("Remove Soon").click();
    harness.run();
    harness.get_by_label("Apply rules").click();
    harness.run();
    let state = harness.state();
    assert!(!state.events.is_empty());
    assert!(
        state.events.iter().all(|e| matches!(e, PanelEvent::Error(text) if text.contains("priority \"Soon\""))),
        "{:?}",
        state.events
    );
    assert!(!state.doc.is_dirty(), "nothing applied");

    harness.get_by_label("Discard rules changes").click();
    harness.run();
    harness.state_mut().events.clear();
    harness.get_by_label("L: late, per day").set_value_accesskit(25.0);
    harness.run();
    harness.get_by_label("Apply rules").click();
    harness.run();
    assert!(harness.state().events.is_empty(), "{:?}", harness.state().events);
    assert_eq!(harness.state().doc.plan().rules.late_penalty, 25.0);
}

#[test]
fn overview_and_summary_draw_alone_and_the_overview_asks_for_advice() {
    let summary = bench(SummaryPanel::default(), fixture_plan(10));
    summary.get_by_label("Capacity by day");
    assert!(summary.state().events.is_empty());

    let mut harness = bench(OverviewPanel::default(), fixture_plan(10));
    harness.get_by_label("Find sessions that would help").click();
    harness.run();
    assert_eq!(harness.state().events, [PanelEvent::Command(Command::Advise)]);
}

#[test]
fn backlog_panel_passes_on_the_guide_s_next_step() {
    let mut harness = bench(BacklogPanel::default(), fixture_plan(10));
    // Appointments and rota are in, nothing planned: the next step plans.
    harness.get_by_label("Plan now").click();
    harness.run();
    assert_eq!(harness.state().events, [PanelEvent::Command(Command::Solve)]);
}

#[test]
fn call_outcomes_change_the_document_and_send_nothing() {
    let mut harness = bench(OutcomeEntryPanel::default(), booked_plan());
    harness.get_by_role_and_label(Role::TextInput, "Reference").focus();
    harness.get_by_role_and_label(Role::TextInput, "Reference").type_text("4");
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().panel.found(), Some("A00004"));
    harness.key_press(Key::C);
    harness.run();
    let state = harness.state();
    assert_eq!(state.doc.plan().booking("A00004").map(|b| b.contact), Some(ContactStatus::Confirmed));
    assert!(state.events.is_empty(), "{:?}", state.events);
}
