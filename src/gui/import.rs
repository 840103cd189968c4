//! The import preview: what a CSV export will add, with its column mapping
//! (auto-detected, editable) and every row that will be rejected with its
//! line, column and reason. Nothing changes in the plan until Accept.

use super::document::Document;
use crate::io::csv_import::{
    BACKLOG_COLUMNS, BacklogPreview, ImportError, OUTCOME_COLUMNS, OutcomePreview, ROTA_COLUMNS, ReimportDiff,
    RotaPreview, RowError, accept_backlog, accept_outcomes, accept_rota, preview_backlog, preview_outcomes,
    preview_rota, reimport_diff,
};
use crate::model::Plan;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Backlog,
    Rota,
    /// Call outcomes keyed in by a colleague (appointment id and outcome).
    Outcomes,
}

enum Preview {
    /// With what it adds, changes and flags in a plan that already has items.
    Backlog(BacklogPreview, ReimportDiff),
    Rota(RotaPreview),
    Outcomes(OutcomePreview),
}

pub struct ImportDialog {
    kind: ImportKind,
    path: PathBuf,
    bytes: Vec<u8>,
    /// Source header -> canonical column, as the user set them.
    overrides: BTreeMap<String, String>,
    preview: Result<Preview, ImportError>,
}

impl ImportDialog {
    /// Reads the file and previews it against the plan (with the plan's remembered mapping).
    pub fn open(kind: ImportKind, path: PathBuf, plan: &Plan) -> Result<ImportDialog, String> {
        let bytes = std::fs::read(&path).map_err(|e| format!("Could not read {}: {e}", path.display()))?;
        let overrides = plan.import_mapping.clone();
        let preview = run_preview(kind, plan, &bytes, &overrides);
        Ok(ImportDialog { kind, path, bytes, overrides, preview })
    }

    pub fn rejected(&self) -> &[RowError] {
        match &self.preview {
            Ok(Preview::Backlog(p, _)) => &p.rejected,
            Ok(Preview::Rota(p)) => &p.rejected,
            Ok(Preview::Outcomes(p)) => &p.rejected,
            Err(_) => &[],
        }
    }

    /// For a backlog import: what it adds, changes and flags in the plan.
    pub fn reimport(&self) -> Option<&ReimportDiff> {
        match &self.preview {
            Ok(Preview::Backlog(_, diff)) => Some(diff),
            _ => None,
        }
    }

    /// Shows the dialog; returns `Some(message)` once it closes (accepted or cancelled).
    pub fn ui(&mut self, ctx: &egui::Context, doc: &mut Document) -> Option<String> {
        let mut close = None;
        let mut remap = false;
        let title = match self.kind {
            ImportKind::Backlog => "Import backlog",
            ImportKind::Rota => "Import rota",
            ImportKind::Outcomes => "Import call outcomes",
        };
        egui::Modal::new(egui::Id::unique("import-preview")).show(ctx, |ui| {
            ui.set_max_width(900.0);
            ui.heading(format!(
                "{title}: {}",
                self.path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
            ));
            let (mapping, headers, total, good, summary) = match &self.preview {
                Ok(Preview::Backlog(p, diff)) => (
                    p.mapping.clone(),
                    p.headers.clone(),
                    p.total_rows,
                    p.items.len(),
                    if doc.plan().backlog.is_empty() {
                        format!("{} appointments will be added", p.items.len())
                    } else {
                        diff.summary()
                    },
                ),
                Ok(Preview::Rota(p)) => (
                    p.mapping.clone(),
                    p.headers.clone(),
                    p.total_rows,
                    p.sessions.len(),
                    format!(
                        "{} sessions and {} new clinicians will be added",
                        p.sessions.len(),
                        p.new_clinicians.len()
                    ),
                ),
                Ok(Preview::Outcomes(p)) => (
                    p.mapping.clone(),
                    p.headers.clone(),
                    p.total_rows,
                    p.rows.len(),
                    format!("{} outcomes will be recorded", p.rows.len()),
                ),
                Err(e) => {
                    ui.colored_label(ui.visuals().error_fg_color, format!("This file cannot be imported: {e}."));
                    (BTreeMap::new(), Vec::new(), 0, 0, String::new())
                }
            };
            if self.preview.is_ok() {
                ui.label(format!("{total} rows read: {summary}; {} row(s) rejected.", self.rejected().len()));
            }
            if let Ok(Preview::Backlog(preview, diff)) = &mut self.preview
                && !doc.plan().backlog.is_empty()
            {
                if diff.matched_by_id {
                    let choice = ui.checkbox(
                        &mut preview.set_aside_missing,
                        "This file is a newer export of the same list: set aside the appointments missing from it",
                    );
                    if choice.changed() {
                        *diff = reimport_diff(doc.plan(), preview);
                    }
                }
                reimport_ui(ui, doc.plan(), diff);
            }
            ui.collapsing("Column mapping", |ui| {
                ui.label("Each column of the file and what Rebook reads it as. Change one if it was guessed wrong.");
                let canonical = match self.kind {
                    ImportKind::Backlog => BACKLOG_COLUMNS,
                    ImportKind::Rota => ROTA_COLUMNS,
                    ImportKind::Outcomes => OUTCOME_COLUMNS,
                };
                let headers = if headers.is_empty() { self.overrides.keys().cloned().collect() } else { headers };
                egui::Grid::new("import-mapping").num_columns(2).striped(true).show(ui, |ui| {
                    for header in &headers {
                        let label = ui.label(header);
                        let current = self.overrides.get(header).or_else(|| mapping.get(header)).cloned();
                        let mut chosen = current.clone();
                        egui::ComboBox::from_id_salt(("map", header))
                            .selected_text(current.clone().unwrap_or_else(|| "(not used)".into()))
                            .show_ui(ui, |ui| {
                                for column in canonical {
                                    ui.selectable_value(&mut chosen, Some((*column).to_string()), *column);
                                }
                            })
                            .response
                            .labelled_by(label.id);
                        if chosen != current
                            && let Some(column) = chosen
                        {
                            self.overrides.insert(header.clone(), column);
                            remap = true;
                        }
                        ui.end_row();
                    }
                });
            });
            let rejected = self.rejected();
            if !rejected.is_empty() {
                ui.strong(format!("Rejected rows ({})", rejected.len()));
                egui::ScrollArea::vertical().id_salt("rejected").max_height(260.0).show(ui, |ui| {
                    egui::Grid::new("rejected-rows").num_columns(3).striped(true).show(ui, |ui| {
                        ui.strong("Line");
                        ui.strong("Column");
                        ui.strong("Reason");
                        ui.end_row();
                        for row in rejected.iter().take(1000) {
                            ui.label(row.line.to_string());
                            ui.label(&row.column);
                            ui.label(&row.reason);
                            ui.end_row();
                        }
                    });
                });
            }
            ui.separator();
            ui.horizontal(|ui| {
                let accept =
                    ui.add_enabled(self.preview.is_ok() && good > 0, egui::Button::new(format!("Accept {good} rows")));
                if accept.clicked() {
                    close = Some(true);
                }
                if ui.button("Cancel import").clicked() {
                    close = Some(false);
                }
            });
        });
        if remap {
            self.preview = run_preview(self.kind, doc.plan(), &self.bytes, &self.overrides);
        }
        match close? {
            false => Some("Import cancelled: nothing was changed.".into()),
            true => {
                let preview = std::mem::replace(&mut self.preview, Err(ImportError::Empty));
                let rejected = self.rejected().len();
                Some(match preview {
                    Ok(Preview::Backlog(p, _)) => {
                        let skipped = p.rejected.len().max(rejected);
                        let diff = doc.edit(|plan| accept_backlog(plan, p));
                        format!("Imported the backlog: {} ({skipped} rows rejected).", diff.summary())
                    }
                    Ok(Preview::Outcomes(p)) => {
                        let skipped = p.rejected.len().max(rejected);
                        let n = doc.edit(|plan| accept_outcomes(plan, p));
                        format!("Recorded {n} call outcomes ({skipped} rows rejected).")
                    }
                    Ok(Preview::Rota(p)) => {
                        let n = p.sessions.len();
                        doc.edit(|plan| accept_rota(plan, p));
                        format!("Imported {n} sessions.")
                    }
                    Err(e) => format!("Nothing imported: {e}."),
                })
            }
        }
    }
}

fn run_preview(
    kind: ImportKind,
    plan: &Plan,
    bytes: &[u8],
    overrides: &BTreeMap<String, String>,
) -> Result<Preview, ImportError> {
    match kind {
        ImportKind::Backlog => preview_backlog(plan, bytes, overrides).map(|p| {
            let diff = reimport_diff(plan, &p);
            Preview::Backlog(p, diff)
        }),
        ImportKind::Rota => preview_rota(plan, bytes, overrides).map(Preview::Rota),
        // The outcome columns are few and fixed (id and outcome), found by their usual names.
        ImportKind::Outcomes => preview_outcomes(plan, bytes).map(Preview::Outcomes),
    }
}

/// Lists of what a re-import adds, changes and flags, so nothing changes unseen.
fn reimport_ui(ui: &mut egui::Ui, plan: &Plan, diff: &ReimportDiff) {
    let ctx = ui.ctx().clone();
    let name = |id: &str| plan.backlog_item(id).map_or_else(String::new, |i| super::privacy::name(&ctx, &i.patient));
    let list = |ui: &mut egui::Ui, title: String, lines: Vec<String>| {
        if lines.is_empty() {
            return;
        }
        ui.collapsing(&title, |ui| {
            egui::ScrollArea::vertical().id_salt(("reimport", title.clone())).max_height(160.0).show(ui, |ui| {
                for line in lines.iter().take(1000) {
                    ui.label(line);
                }
            });
        });
    };
    list(ui, format!("New appointments ({})", diff.added.len()), diff.added.clone());
    list(
        ui,
        format!("Changed ({})", diff.changed.len()),
        diff.changed
            .iter()
            .map(|c| format!("{} {}: {}", c.appointment_id, name(&c.appointment_id), c.fields.join("; ")))
            .collect(),
    );
    list(
        ui,
        format!("No longer in the clinical system's list ({}): set aside, not planned", diff.vanished.len()),
        diff.vanished.iter().map(|id| format!("{id} {}", name(id))).collect(),
    );
    list(
        ui,
        format!("Back in the list ({})", diff.returned.len()),
        diff.returned.iter().map(|id| format!("{id} {}", name(id))).collect(),
    );
}
