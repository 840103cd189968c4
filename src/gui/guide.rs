//! The next step for a new or unfinished plan, as a short checklist with a
//! button per step: 1 import the cancelled appointments, 2 import the rota,
//! 3 plan, 4 print the call lists.

use super::command::Command;
use crate::model::{AuditAction, Plan};

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub done: bool,
    pub title: &'static str,
    pub detail: &'static str,
    pub button: &'static str,
    pub command: Command,
}

pub fn steps(plan: &Plan) -> [Step; 4] {
    [
        Step {
            done: !plan.backlog.is_empty(),
            title: "Import the cancelled appointments",
            detail: "The CSV of appointments the outage cancelled, from the clinical system.",
            button: "Import cancelled appointments...",
            command: Command::ImportBacklog,
        },
        Step {
            done: !plan.sessions.is_empty(),
            title: "Import the rota",
            detail: "Who works when, with their free slots: it also matches the clinicians the appointments name.",
            button: "Import rota...",
            command: Command::ImportRota,
        },
        Step {
            done: plan.solve_info.is_some() || plan.bookings.iter().any(|b| b.session().is_some()),
            title: "Plan",
            detail: "Places every appointment into the free slots, most urgent first.",
            button: "Plan now",
            command: Command::Solve,
        },
        Step {
            done: plan.audit.iter().any(|e| e.action == AuditAction::Print),
            title: "Print the call lists",
            detail: "One list per day or per caller, to phone the patients with their new times.",
            button: "Print and export...",
            command: Command::Print,
        },
    ]
}

/// Appointments naming a clinician (original or wished-for) the plan does not have.
pub fn unmatched_clinicians(plan: &Plan) -> usize {
    let known = |id: &str| id.is_empty() || plan.clinician(id).is_some();
    plan.backlog
        .iter()
        .filter(|i| !known(&i.original_clinician) || i.continuity.clinician().is_some_and(|c| !known(c)))
        .count()
}

/// Whether the checklist has something to say: the plan is not yet planned.
pub fn is_needed(plan: &Plan) -> bool {
    steps(plan).iter().take(3).any(|s| !s.done)
}

/// The checklist as a card; returns the command of the step whose button was clicked.
pub fn ui(ui: &mut egui::Ui, plan: &Plan) -> Option<Command> {
    let steps = steps(plan);
    let mut clicked = None;
    let next = steps.iter().position(|s| !s.done);
    let unmatched = if steps[1].done { 0 } else { unmatched_clinicians(plan) };
    egui::Frame::group(ui.style()).inner_margin(10.0).show(ui, |ui| {
        let heading = next.and_then(|i| steps.get(i)).map_or_else(
            || "Getting started: all steps done".to_string(),
            |s| format!("Getting started: next, {}", s.title.to_lowercase()),
        );
        egui::CollapsingHeader::new(egui::RichText::new(heading).strong()).id_salt("guide").default_open(true).show(
            ui,
            |ui| {
                // One line per step (no grid: wrapped text in a grid column starts a word wide).
                for (i, step) in steps.iter().enumerate() {
                    let is_next = next == Some(i);
                    ui.horizontal(|ui| {
                        let text = egui::RichText::new(step.button);
                        let button = egui::Button::new(if is_next { text.strong() } else { text });
                        if ui.add_sized([250.0, ui.spacing().interact_size.y], button).clicked() {
                            clicked = Some(step.command.clone());
                        }
                        let title = egui::RichText::new(format!("{}. {}", i + 1, step.title));
                        ui.label(if is_next {
                            title.strong()
                        } else if step.done {
                            title.weak()
                        } else {
                            title
                        });
                        let mark = if step.done {
                            "Done"
                        } else if is_next {
                            "Next"
                        } else {
                            ""
                        };
                        if !mark.is_empty() {
                            ui.label(egui::RichText::new(mark).italics());
                        }
                        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
                        ui.label(egui::RichText::new(step.detail).weak());
                    });
                    // Not a problem to fix by hand: the next step fixes it.
                    if i == 1 && !step.done && unmatched > 0 {
                        ui.label(format!(
                            "{unmatched} appointment(s) name clinicians the plan does not have yet: import the rota \
                             to match these clinicians."
                        ));
                    }
                }
            },
        );
    });
    clicked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_plan_starts_at_step_one_and_a_planned_one_needs_no_guide() {
        use crate::test_plans::{item, small_plan};
        let plan = Plan::new("New practice");
        let done: Vec<bool> = steps(&plan).iter().map(|s| s.done).collect();
        assert_eq!(done, [false; 4]);
        assert!(is_needed(&plan));
        let mut waiting = plan.clone();
        waiting.backlog.push(item("A-000009", "GP routine", "Routine", (19, 9, 0)));
        waiting.backlog[0].original_clinician = "GP-NOBODY".into();
        assert_eq!(unmatched_clinicians(&waiting), 1);
        let mut plan = small_plan();
        plan.backlog.push(item("A-000001", "GP routine", "Routine", (19, 9, 0)));
        let done: Vec<bool> = steps(&plan).iter().map(|s| s.done).collect();
        assert_eq!(done, [true, true, false, false]);
        assert!(is_needed(&plan));
        plan.solve_info = Some(Default::default());
        assert!(!is_needed(&plan));
    }
}
