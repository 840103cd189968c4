//! The Overview screen: the baselines, and capacity advice worked out in the background.

use super::*;

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
