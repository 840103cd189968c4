//! The Rules screen: priority classes (weight, target days), the penalties
//! L C P U M S of the objective, the daily cap, and a reset to the defaults.

use super::draft::{self, Draft, DraftAction};
use super::panel::{Panel, PanelContext, PanelEvent};
use crate::model::{PriorityClass, Rules};

#[derive(Default)]
pub struct RulesPanel {
    draft: Draft<Rules>,
}

impl Panel for RulesPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        let plan_rules = cx.doc.plan().rules.clone();
        let mut rules = self.draft.current(&plan_rules);
        egui::ScrollArea::vertical().id_salt("rules-scroll").show(ui, |ui| {
            ui.heading("Priority classes");
            ui.label("Most urgent first. Lateness costs the weight times L per day past the target.");
            priorities_ui(ui, &mut rules.priorities);
            ui.add_space(8.0);
            ui.heading("Penalties");
            egui::Grid::new("rules-penalties").num_columns(3).spacing([12.0, 6.0]).show(ui, |ui| {
                penalty(
                    ui,
                    "L: late, per day",
                    &mut rules.late_penalty,
                    "Times the priority weight, per day past the target",
                );
                penalty(
                    ui,
                    "C: other clinician",
                    &mut rules.continuity_penalty,
                    "When a patient who prefers a clinician sees another",
                );
                penalty(
                    ui,
                    "P: preference missed",
                    &mut rules.preference_penalty,
                    "When a morning/afternoon preference is not met",
                );
                penalty(
                    ui,
                    "U: left unplaced",
                    &mut rules.unplaced_penalty,
                    "Times the priority weight, for an appointment not placed at all",
                );
                penalty(
                    ui,
                    "M: moved after telling",
                    &mut rules.move_penalty,
                    "For moving a booking the patient was already told about",
                );
                penalty(
                    ui,
                    "S: any booking moved",
                    &mut rules.booking_move_penalty,
                    "For moving any booking when re-planning, so patients move only for a real gain",
                );
            });
            ui.add_space(8.0);
            ui.heading("Safe working");
            ui.horizontal(|ui| {
                let mut capped = rules.clinician_daily_cap.is_some();
                ui.checkbox(&mut capped, "Cap rebooked appointments per clinician per day");
                match (capped, rules.clinician_daily_cap) {
                    (true, None) => rules.clinician_daily_cap = Some(25),
                    (false, Some(_)) => rules.clinician_daily_cap = None,
                    _ => {}
                }
                if let Some(cap) = &mut rules.clinician_daily_cap {
                    let label = ui.label("Daily cap");
                    ui.add(egui::DragValue::new(cap).range(1..=200)).labelled_by(label.id);
                }
            });
            ui.label("The reserve for on-the-day demand is set on the Capacity screen.");
            ui.add_space(8.0);
            if ui
                .button("Reset rules to defaults")
                .on_hover_text("Priorities Urgent/Soon/Routine, and the penalties of the model")
                .clicked()
            {
                let reserve = (rules.reserve, rules.reserve_by_weekday.clone());
                rules = Rules::default();
                // The reserve belongs to the capacity screen: a rules reset leaves it alone.
                (rules.reserve, rules.reserve_by_weekday) = reserve;
            }
            ui.separator();
            let action = draft::buttons(ui, rules != plan_rules, "rules");
            match action {
                DraftAction::Apply => match rules.validate(cx.doc.plan()) {
                    Ok(()) => {
                        cx.doc.edit(|plan| plan.rules = rules.clone());
                        self.draft.clear();
                        return;
                    }
                    Err(problems) => {
                        for problem in problems {
                            cx.send(PanelEvent::Error(problem));
                        }
                    }
                },
                DraftAction::Discard => {
                    self.draft.clear();
                    return;
                }
                DraftAction::None => {}
            }
            self.draft.keep(rules.clone(), &plan_rules);
        });
    }
}

fn priorities_ui(ui: &mut egui::Ui, priorities: &mut Vec<PriorityClass>) {
    let mut swap = None;
    let mut remove = None;
    egui::Grid::new("rules-priorities").num_columns(5).striped(true).spacing([12.0, 6.0]).show(ui, |ui| {
        ui.strong("Name");
        ui.strong("Weight");
        ui.strong("Target (days)");
        ui.label("");
        ui.label("");
        ui.end_row();
        let count = priorities.len();
        for (i, class) in priorities.iter_mut().enumerate() {
            let name = class.name.clone();
            draft::fitted_text_edit(ui, &mut class.name, 140.0)
                .on_hover_text(format!("Name of priority class {}", i + 1));
            ui.add(egui::DragValue::new(&mut class.weight).range(0.1..=1000.0).speed(0.1))
                .on_hover_text(format!("Weight of {name}"));
            ui.add(egui::DragValue::new(&mut class.target_days).range(0..=90))
                .on_hover_text(format!("Target days of {name}"));
            ui.horizontal(|ui| {
                if draft::named(ui.add_enabled(i > 0, egui::Button::new("Up")), &format!("Make {name} more urgent"))
                    .clicked()
                {
                    swap = Some(i - 1);
                }
                if draft::named(
                    ui.add_enabled(i + 1 < count, egui::Button::new("Down")),
                    &format!("Make {name} less urgent"),
                )
                .clicked()
                {
                    swap = Some(i);
                }
            });
            if draft::named(ui.add_enabled(count > 1, egui::Button::new("Remove")), &format!("Remove {name}")).clicked()
            {
                remove = Some(i);
            }
            ui.end_row();
        }
    });
    if let Some(i) = swap {
        priorities.swap(i, i + 1);
    }
    if let Some(i) = remove {
        priorities.remove(i);
    }
    if ui.button("Add priority class").clicked() {
        let name =
            (1..).map(|n| format!("Class {n}")).find(|n| !priorities.iter().any(|p| &p.name == n)).unwrap_or_default();
        priorities.push(PriorityClass { name, weight: 1.0, target_days: 28 });
    }
}

fn penalty(ui: &mut egui::Ui, label: &str, value: &mut f64, help: &str) {
    let label = ui.label(label);
    ui.add(egui::DragValue::new(value).range(0.0..=100_000.0).speed(0.5)).labelled_by(label.id);
    ui.label(help);
    ui.end_row();
}
