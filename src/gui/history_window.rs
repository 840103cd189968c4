//! Who saved the plan and what changed, and who printed or exported patient
//! data from it: both travel in the plan file.

use crate::model::Plan;

/// Shows the window while `open`; the close button clears it.
pub fn ui(ctx: &egui::Context, plan: &Plan, open: &mut bool) {
    egui::Window::new("History and audit trail").open(open).default_size([600.0, 420.0]).show(ctx, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            section(
                ui,
                "Saves",
                "Who saved the plan and what changed, newest first.",
                "No saves recorded yet.",
                plan.history.iter().rev().map(ToString::to_string),
            );
            ui.separator();
            section(
                ui,
                "Audit trail",
                "Who printed or exported patient data from this plan, newest first.",
                "Nothing has been printed or exported from this plan.",
                plan.audit.iter().rev().map(ToString::to_string),
            );
        });
    });
}

fn section(ui: &mut egui::Ui, title: &str, about: &str, none: &str, lines: impl Iterator<Item = String>) {
    ui.strong(title);
    ui.label(about);
    let mut any = false;
    for line in lines {
        ui.label(line);
        any = true;
    }
    if !any {
        ui.label(none);
    }
}
