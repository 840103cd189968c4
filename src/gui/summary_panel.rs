//! The side panel: the plan at a glance (model::summary::PlanSummary), cached
//! per document revision so a 10,000-item plan costs nothing per frame.

use super::dates;
use super::document::Document;
use super::panel::{Panel, PanelContext};
use crate::model::summary::PlanSummary;

#[derive(Default)]
pub struct SummaryPanel {
    cached: Option<(u64, PlanSummary)>,
}

impl SummaryPanel {
    pub fn summary(&mut self, doc: &Document) -> &PlanSummary {
        if self.cached.as_ref().is_some_and(|(rev, _)| *rev != doc.revision()) {
            self.cached = None;
        }
        &self.cached.get_or_insert_with(|| (doc.revision(), PlanSummary::of(doc.plan()))).1
    }

    /// Takes a summary worked out off the window's thread (by a solve) for the document at `revision`.
    pub fn prime(&mut self, revision: u64, summary: PlanSummary) {
        self.cached = Some((revision, summary));
    }
}

impl Panel for SummaryPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        let summary = self.summary(cx.doc);
        ui.heading("Summary");
        ui.label(&summary.practice);
        egui::ScrollArea::vertical().id_salt("summary-scroll").show(ui, |ui| {
            egui::Grid::new("summary-totals").num_columns(2).striped(true).show(ui, |ui| {
                let set_aside = (summary.set_aside > 0).then_some(("Set aside", summary.set_aside));
                for (name, value) in [
                    Some(("Appointments", summary.backlog)),
                    Some(("Placed", summary.placed)),
                    set_aside,
                    Some(("Clinicians", summary.clinicians)),
                    Some(("Sessions", summary.sessions)),
                ]
                .into_iter()
                .flatten()
                {
                    ui.label(name);
                    ui.label(value.to_string());
                    ui.end_row();
                }
            });
            ui.separator();
            ui.strong("By priority");
            counts_grid(ui, "summary-priority", &summary.by_priority);
            ui.separator();
            ui.strong("By type");
            counts_grid(ui, "summary-type", &summary.by_type);
            ui.separator();
            ui.strong("Capacity by day");
            if summary.capacity_by_day.is_empty() {
                ui.label("No sessions yet.");
            } else {
                egui::Grid::new("summary-capacity").num_columns(3).striped(true).show(ui, |ui| {
                    ui.label("Day");
                    ui.label("Free").on_hover_text("Free slots in the day's sessions");
                    ui.label("Usable").on_hover_text("Free slots left after the reserve for on-the-day demand");
                    ui.end_row();
                    for (date, free, usable) in &summary.capacity_by_day {
                        ui.label(dates::uk_day(*date));
                        ui.label(free.to_string());
                        ui.label(usable.to_string());
                        ui.end_row();
                    }
                });
            }
            ui.separator();
            // Before the rota is in, clinicians the appointments name are not
            // errors yet: the next step matches them.
            let waiting_for_rota = cx.doc.plan().sessions.is_empty();
            let (later, problems): (Vec<&String>, Vec<&String>) =
                summary.problems.iter().partition(|p| waiting_for_rota && p.contains("unknown clinician"));
            if !later.is_empty() {
                ui.strong(format!("Clinicians to match ({})", later.len()));
                ui.label(format!(
                    "{} appointment(s) name clinicians the plan does not have yet: import the rota to match these \
                     clinicians.",
                    later.len()
                ));
            }
            if problems.is_empty() {
                ui.label("No problems found.");
            } else {
                ui.strong(format!("Problems ({})", problems.len()));
                for problem in problems.iter().take(200) {
                    ui.colored_label(ui.visuals().error_fg_color, *problem);
                }
                if problems.len() > 200 {
                    ui.label(format!("and {} more", problems.len() - 200));
                }
            }
        });
    }
}

fn counts_grid(ui: &mut egui::Ui, id: &str, counts: &[(String, usize)]) {
    if counts.is_empty() {
        ui.label("None.");
        return;
    }
    egui::Grid::new(id).num_columns(2).striped(true).show(ui, |ui| {
        for (name, count) in counts {
            ui.label(name);
            ui.label(count.to_string());
            ui.end_row();
        }
    });
}
