//! The Rules screen: a draft of the rules, applied when valid, and the reset.

use super::*;

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
