//! The dialogs of working together on one plan: "this plan is in use" when
//! a colleague has it open, and the conflicts of merging with their save.

use super::privacy;
use crate::io::lock::{self, LockInfo};
use crate::model::merge::{Conflict, Side};

/// What the user chose for a plan somebody else has open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockChoice {
    ReadOnly,
    TakeOver,
    Cancel,
}

/// Asks whether to open `file` read-only or take it over from the lock's holder.
pub fn lock_prompt_ui(ctx: &egui::Context, file: &str, info: &LockInfo) -> Option<LockChoice> {
    let stale = info.is_stale(chrono::Local::now(), lock::DEFAULT_STALE_AFTER);
    let mut choice = None;
    egui::Modal::new(egui::Id::unique("lock-prompt")).show(ctx, |ui| {
        ui.heading("This plan is in use");
        ui.label(format!("{file} is {}.", info.describe()));
        if stale {
            ui.label("That looks left over from a crash or a computer switched off: taking it over is safe.");
        } else {
            ui.label(
                "Open it read-only to look and print, or take it over if they have finished. \
                 If both of you save, Rebook merges the outcomes and notes, but it is better to agree who edits.",
            );
        }
        ui.horizontal(|ui| {
            if ui.button("Open read-only").clicked() {
                choice = Some(LockChoice::ReadOnly);
            }
            if ui.button(if stale { "Take over" } else { "Take over anyway" }).clicked() {
                choice = Some(LockChoice::TakeOver);
            }
            if ui.button("Cancel").clicked() {
                choice = Some(LockChoice::Cancel);
            }
        });
    });
    choice
}

/// Lists where both sides changed the same appointment; false once dismissed.
pub fn conflicts_ui(ctx: &egui::Context, conflicts: &[Conflict]) -> bool {
    let mut open = true;
    egui::Window::new("Merged with a colleague's save").open(&mut open).default_size([640.0, 300.0]).show(ctx, |ui| {
        ui.label(
            "Someone else saved this plan while you had it open. Their changes are merged in; \
             where you both changed the same appointment, the newer change was kept:",
        );
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("merge-conflicts").num_columns(4).striped(true).show(ui, |ui| {
                for heading in ["Appointment", "Yours", "Theirs", "Kept"] {
                    ui.strong(heading);
                }
                ui.end_row();
                for c in conflicts {
                    ui.label(format!("{} {}", c.appointment_id, privacy::name_text(ctx, &c.patient)));
                    ui.label(&c.ours);
                    ui.label(&c.theirs);
                    ui.label(match c.kept {
                        Side::Ours => "Yours",
                        Side::Theirs => "Theirs",
                    });
                    ui.end_row();
                }
            });
        });
    });
    open
}
