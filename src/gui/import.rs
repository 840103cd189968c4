//! The import preview: what a CSV export will add, with its column mapping
//! (auto-detected, editable, every unused column shown with sample values),
//! the practice's own appointment types to map (each once, with a suggested
//! catalogue type), and every row that will be rejected with its line,
//! column and reason. Nothing changes in the plan until Accept. The body
//! scrolls and the buttons stay at the bottom, so it fits any screen.

use super::document::Document;
use crate::io::csv_import::{
    BACKLOG_COLUMNS, BacklogPreview, ImportError, OUTCOME_COLUMNS, OutcomePreview, ROTA_COLUMNS, ReimportDiff,
    RotaPreview, RowError, UnknownType, accept_backlog, accept_outcomes, accept_rota, add_new_types,
    preview_backlog_with, preview_outcomes, preview_rota, reimport_diff,
};
use crate::model::Plan;
use std::collections::{BTreeMap, BTreeSet};
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
    Backlog(Box<BacklogPreview>, ReimportDiff),
    Rota(RotaPreview),
    Outcomes(OutcomePreview),
}

pub struct ImportDialog {
    kind: ImportKind,
    path: PathBuf,
    bytes: Vec<u8>,
    /// Source header -> canonical column, as the user set them.
    overrides: BTreeMap<String, String>,
    /// Local appointment type -> catalogue type, as the user applied them.
    types: BTreeMap<String, String>,
    /// Local types added to the catalogue as new types -> the type they are like.
    new_types: BTreeMap<String, String>,
    /// The drop-down choice for each unknown local type, preselected with the
    /// suggestion; applied with "Use these types". "" leaves its rows out.
    type_choices: BTreeMap<String, String>,
    /// Unknown local types to add as their own type, like their choice.
    own_types: BTreeSet<String>,
    /// The practice's name and ODS code, asked while the plan has none.
    practice: String,
    ods_code: String,
    preview: Result<Preview, ImportError>,
}

impl ImportDialog {
    /// Reads the file and previews it against the plan (with the plan's remembered mapping).
    pub fn open(kind: ImportKind, path: PathBuf, plan: &Plan) -> Result<ImportDialog, ImportError> {
        let bytes = crate::io::csv_import::read_file(&path)?;
        let overrides = BTreeMap::new();
        let types = BTreeMap::new();
        let new_types = BTreeMap::new();
        let preview = run_preview(kind, plan, &bytes, &overrides, &types, &new_types);
        let practice = if plan.practice.is_placeholder() { String::new() } else { plan.practice.name.clone() };
        let ods_code = plan.practice.ods_code.clone().unwrap_or_default();
        let mut dialog = ImportDialog {
            kind,
            path,
            bytes,
            overrides,
            types,
            new_types,
            type_choices: BTreeMap::new(),
            own_types: BTreeSet::new(),
            practice,
            ods_code,
            preview,
        };
        dialog.preselect_types();
        Ok(dialog)
    }

    pub fn rejected(&self) -> &[RowError] {
        match &self.preview {
            Ok(Preview::Backlog(p, _)) => &p.rejected,
            Ok(Preview::Rota(p)) => &p.rejected,
            Ok(Preview::Outcomes(p)) => &p.rejected,
            Err(_) => &[],
        }
    }

    /// For a backlog import: the local types not in the catalogue, each once.
    pub fn unknown_types(&self) -> &[UnknownType] {
        match &self.preview {
            Ok(Preview::Backlog(p, _)) => &p.unknown_types,
            _ => &[],
        }
    }

    /// For a backlog import: what it adds, changes and flags in the plan.
    pub fn reimport(&self) -> Option<&ReimportDiff> {
        match &self.preview {
            Ok(Preview::Backlog(_, diff)) => Some(diff),
            _ => None,
        }
    }

    /// Each new unknown type's drop-down starts on the suggested catalogue type.
    fn preselect_types(&mut self) {
        let unknown: Vec<(String, String)> =
            self.unknown_types().iter().map(|t| (t.name.clone(), t.suggestion.clone().unwrap_or_default())).collect();
        for (name, suggestion) in unknown {
            self.type_choices.entry(name).or_insert(suggestion);
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
        // Fits any screen: the body scrolls, the buttons stay at the bottom.
        let screen = ctx.content_rect();
        let width = (screen.width() - 60.0).clamp(280.0, 900.0);
        let body_height = (screen.height() - 170.0).max(80.0);
        egui::Modal::new(egui::Id::unique("import-preview")).show(ctx, |ui| {
            ui.set_max_width(width);
            ui.heading(format!(
                "{title}: {}",
                self.path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
            ));
            let good = match &self.preview {
                Ok(Preview::Backlog(p, _)) => p.items.len(),
                Ok(Preview::Rota(p)) => p.sessions.len(),
                Ok(Preview::Outcomes(p)) => p.rows.len(),
                Err(_) => 0,
            };
            egui::ScrollArea::vertical().id_salt("import-body").max_height(body_height).show(ui, |ui| {
                ui.set_width(width);
                remap |= self.body_ui(ui, doc);
            });
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
            self.preview =
                run_preview(self.kind, doc.plan(), &self.bytes, &self.overrides, &self.types, &self.new_types);
            self.preselect_types();
        }
        match close? {
            false => Some("Import cancelled: nothing was changed.".into()),
            true => {
                let preview = std::mem::replace(&mut self.preview, Err(ImportError::Empty));
                let practice = self.practice.trim().to_string();
                let ods_code = self.ods_code.trim().to_string();
                let new_types = self.new_types.clone();
                let name_practice = move |plan: &mut Plan| {
                    // The new types were checked against this catalogue by the preview.
                    let _ = add_new_types(plan, &new_types);
                    if !practice.is_empty() {
                        plan.practice.name = practice;
                    }
                    if !ods_code.is_empty() {
                        plan.practice.ods_code = Some(ods_code);
                    }
                };
                Some(match preview {
                    Ok(Preview::Backlog(p, _)) => {
                        let skipped = p.rejected_rows();
                        let diff = doc.edit(|plan| {
                            name_practice(plan);
                            accept_backlog(plan, *p)
                        });
                        format!("Imported the backlog: {} ({skipped} rows not taken).", diff.summary())
                    }
                    Ok(Preview::Outcomes(p)) => {
                        let skipped = p.rejected.len();
                        let n = doc.edit(|plan| accept_outcomes(plan, p));
                        format!("Recorded {n} call outcomes ({skipped} rows rejected).")
                    }
                    Ok(Preview::Rota(p)) => {
                        let n = p.sessions.len();
                        doc.edit(|plan| {
                            name_practice(plan);
                            accept_rota(plan, p);
                        });
                        format!("Imported {n} sessions.")
                    }
                    Err(e) => format!("Nothing imported: {e}."),
                })
            }
        }
    }

    /// Everything above the buttons; true when the mapping changed and the file must be read again.
    fn body_ui(&mut self, ui: &mut egui::Ui, doc: &Document) -> bool {
        let mut remap = false;
        let warn = ui.visuals().warn_fg_color;
        let (mapping, headers, summary) = match &self.preview {
            Ok(Preview::Backlog(p, diff)) => (
                p.mapping.clone(),
                p.headers.clone(),
                format!(
                    "{} rows read: {}; {} row(s) not taken{}.",
                    p.total_rows,
                    if doc.plan().backlog.is_empty() {
                        format!("{} appointments will be added", p.items.len())
                    } else {
                        diff.summary()
                    },
                    p.rejected_rows(),
                    match p.unknown_types.iter().map(|t| t.lines.len()).sum::<usize>() {
                        0 => String::new(),
                        waiting => format!(" ({waiting} wait for their type to be mapped, below)"),
                    }
                ),
            ),
            Ok(Preview::Rota(p)) => (
                p.mapping.clone(),
                p.headers.clone(),
                format!(
                    "{} rows read: {} sessions and {} new clinicians will be added; {} row(s) rejected.",
                    p.total_rows,
                    p.sessions.len(),
                    p.new_clinicians.len(),
                    p.rejected_rows()
                ),
            ),
            Ok(Preview::Outcomes(p)) => (
                p.mapping.clone(),
                p.headers.clone(),
                format!(
                    "{} rows read: {} outcomes will be recorded; {} row(s) rejected.",
                    p.total_rows,
                    p.rows.len(),
                    p.rejected.len()
                ),
            ),
            Err(e) => {
                let error = ui.visuals().error_fg_color;
                wrapped(ui, format!("This file cannot be imported: {e}."), Some(error));
                (BTreeMap::new(), Vec::new(), String::new())
            }
        };
        if !summary.is_empty() {
            wrapped(ui, summary, None);
        }
        if self.kind != ImportKind::Outcomes && doc.plan().practice.is_placeholder() {
            ui.add_space(4.0);
            ui.strong("The practice");
            wrapped(
                ui,
                "Its name starts every SMS and heads the call lists; the SMS export waits for it.".into(),
                None,
            );
            ui.horizontal(|ui| {
                let label = ui.label("Name:");
                ui.text_edit_singleline(&mut self.practice).labelled_by(label.id);
                let label = ui.label("ODS code:");
                ui.add(egui::TextEdit::singleline(&mut self.ods_code).desired_width(80.0)).labelled_by(label.id);
            });
        }
        if let Ok(Preview::Backlog(preview, _)) = &self.preview {
            for note in &preview.notes {
                wrapped(ui, note.clone(), None);
            }
            for warning in &preview.file_warnings {
                wrapped(ui, format!("Warning: {warning}"), Some(warn));
            }
        }
        remap |= self.types_ui(ui, doc.plan());
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
        remap |= self.columns_ui(ui, mapping, headers);
        let (warnings, rejected) = match &self.preview {
            Ok(Preview::Backlog(p, _)) => (p.warnings.as_slice(), p.rejected.as_slice()),
            Ok(Preview::Rota(p)) => (p.warnings.as_slice(), p.rejected.as_slice()),
            Ok(Preview::Outcomes(p)) => (&[][..], p.rejected.as_slice()),
            Err(_) => (&[][..], &[][..]),
        };
        // A few warnings are shown open: each deserves a look before Accept.
        row_list(ui, &format!("To check ({})", warnings.len()), warnings, Some(warn), warnings.len() <= 20);
        row_list(ui, &format!("Rejected rows ({})", rejected.len()), rejected, None, true);
        remap
    }

    /// Each unknown local type once, with its row count and a drop-down of the catalogue.
    fn types_ui(&mut self, ui: &mut egui::Ui, plan: &Plan) -> bool {
        let unknown: Vec<(String, usize)> =
            self.unknown_types().iter().map(|t| (t.name.clone(), t.lines.len())).collect();
        if unknown.is_empty() {
            return false;
        }
        ui.add_space(4.0);
        ui.strong(format!("Appointment types to map ({})", unknown.len()));
        wrapped(
            ui,
            "The practice's own type names: choose the catalogue type each one means, or add it as a new type like one. Rows of a type left out are not imported. The choice is remembered in the plan.".into(),
            None,
        );
        egui::Grid::new("import-types").num_columns(4).striped(true).show(ui, |ui| {
            for (name, rows) in &unknown {
                let label = ui.label(name);
                ui.label(format!("{rows} row(s)"));
                let choice = self.type_choices.entry(name.clone()).or_default();
                let shown = if choice.is_empty() { "(leave out)".to_string() } else { choice.clone() };
                egui::ComboBox::from_id_salt(("type", name))
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(choice, String::new(), "(leave out)");
                        for kind in &plan.appointment_types {
                            ui.selectable_value(choice, kind.name.clone(), &kind.name);
                        }
                    })
                    .response
                    .labelled_by(label.id);
                let mut own = self.own_types.contains(name);
                let toggle = ui.checkbox(&mut own, "as a new type like it").on_hover_text(
                    "Adds the practice's name to the catalogue as its own type, seen and booked like the type chosen",
                );
                if toggle.changed() && !self.own_types.remove(name) {
                    self.own_types.insert(name.clone());
                }
                ui.end_row();
            }
        });
        let chosen: BTreeMap<String, String> = unknown
            .iter()
            .filter_map(|(name, _)| {
                self.type_choices.get(name).filter(|c| !c.is_empty()).map(|c| (name.clone(), c.clone()))
            })
            .collect();
        let use_them =
            ui.add_enabled(!chosen.is_empty(), egui::Button::new(format!("Use these types ({})", chosen.len())));
        if use_them.clicked() {
            for (name, target) in chosen {
                if self.own_types.contains(&name) {
                    self.new_types.insert(name, target);
                } else {
                    self.types.insert(name, target);
                }
            }
            return true;
        }
        false
    }

    /// Each column of the file and what it is read as; open when a column gives nothing.
    fn columns_ui(&mut self, ui: &mut egui::Ui, mapping: BTreeMap<String, String>, headers: Vec<String>) -> bool {
        let mut remap = false;
        let ignored: BTreeMap<String, Vec<String>> = match &self.preview {
            Ok(Preview::Backlog(p, _)) => p.ignored.iter().map(|c| (c.header.clone(), c.samples.clone())).collect(),
            _ => headers
                .iter()
                .filter(|h| !h.is_empty() && mapping.get(*h).is_none_or(String::is_empty))
                .map(|h| (h.clone(), Vec::new()))
                .collect(),
        };
        let title = if ignored.is_empty() {
            "Column mapping".to_string()
        } else {
            format!("Column mapping ({} column(s) not used)", ignored.len())
        };
        egui::CollapsingHeader::new(title).id_salt("import-columns").default_open(!ignored.is_empty()).show(ui, |ui| {
            wrapped(
                ui,
                "Each column of the file and what Rebook reads it as. Change one if it was guessed wrong.".into(),
                None,
            );
            let canonical = match self.kind {
                ImportKind::Backlog => BACKLOG_COLUMNS,
                ImportKind::Rota => ROTA_COLUMNS,
                ImportKind::Outcomes => OUTCOME_COLUMNS,
            };
            let headers = if headers.is_empty() { self.overrides.keys().cloned().collect() } else { headers };
            let warn = ui.visuals().warn_fg_color;
            egui::Grid::new("import-mapping").num_columns(3).striped(true).show(ui, |ui| {
                for header in headers.iter().filter(|h| !h.is_empty()) {
                    let label = ui.label(header);
                    let current = self.overrides.get(header).or_else(|| mapping.get(header)).cloned();
                    let mut chosen = current.clone();
                    let shown = match current.as_deref() {
                        None => "(not used)".to_string(),
                        Some("") => "(ignored)".to_string(),
                        Some(column) => column.to_string(),
                    };
                    egui::ComboBox::from_id_salt(("map", header))
                        .selected_text(shown)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut chosen, Some(String::new()), "(ignored)");
                            for column in canonical {
                                ui.selectable_value(&mut chosen, Some((*column).to_string()), *column);
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    match ignored.get(header) {
                        Some(samples) if samples.is_empty() => ui.colored_label(warn, "not used (empty)"),
                        Some(samples) => ui.colored_label(warn, format!("not used, e.g. {}", samples.join(" | "))),
                        None => ui.label(""),
                    };
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
        remap
    }
}

/// A label that wraps to the dialog's width, in `color` when given.
fn wrapped(ui: &mut egui::Ui, text: String, color: Option<egui::Color32>) {
    let text = match color {
        Some(color) => egui::RichText::new(text).color(color),
        None => egui::RichText::new(text),
    };
    ui.add(egui::Label::new(text).wrap());
}

/// "line 4, nhs_number: reason" lines under a heading, long reasons wrapped.
fn row_list(ui: &mut egui::Ui, title: &str, rows: &[RowError], color: Option<egui::Color32>, open: bool) {
    if rows.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(title).id_salt(title.split(' ').next()).default_open(open).show(ui, |ui| {
        for row in rows.iter().take(1000) {
            wrapped(ui, row.to_string(), color);
        }
        if rows.len() > 1000 {
            ui.label(format!("... and {} more", rows.len() - 1000));
        }
    });
}

fn run_preview(
    kind: ImportKind,
    plan: &Plan,
    bytes: &[u8],
    overrides: &BTreeMap<String, String>,
    types: &BTreeMap<String, String>,
    new_types: &BTreeMap<String, String>,
) -> Result<Preview, ImportError> {
    match kind {
        ImportKind::Backlog => {
            // New types are read against the catalogue they will join on Accept.
            let with_new_types = (!new_types.is_empty()).then(|| {
                let mut plan = plan.clone();
                let _ = add_new_types(&mut plan, new_types);
                plan
            });
            let plan = with_new_types.as_ref().unwrap_or(plan);
            preview_backlog_with(plan, bytes, overrides, types).map(|p| {
                let diff = reimport_diff(plan, &p);
                Preview::Backlog(Box::new(p), diff)
            })
        }
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
