//! Keying in call outcomes from a printed list.

use super::*;

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
