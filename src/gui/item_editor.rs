//! The dialog that adds or edits one backlog item, validating every field
//! before anything changes in the plan.

use super::dates;
use crate::model::{BacklogItem, Continuity, ModeRequirement, PartOfDay, Patient, Plan, Unavailability, nhs, parse};

/// Where the editor stands after a frame.
pub enum EditorState {
    Open,
    Cancelled,
    Saved(Box<EditorOutcome>),
}

/// A validated item ready to go into the plan.
pub struct EditorOutcome {
    pub item: BacklogItem,
    /// Id of the item it replaces; `None` adds a new one.
    pub replaces: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ContinuityKind {
    None,
    Preferred,
    Required,
}

pub struct ItemEditor {
    replaces: Option<String>,
    draft: BacklogItem,
    id: String,
    nhs_number: String,
    date_of_birth: String,
    original_date: String,
    see_by: String,
    earliest: String,
    unavailable: String,
    continuity: ContinuityKind,
    continuity_clinician: String,
    /// (field, problem) from the last save attempt, shown beside each field.
    errors: Vec<(&'static str, FieldError)>,
}

impl ItemEditor {
    pub fn new_item(plan: &Plan) -> ItemEditor {
        let today = chrono::Local::now().date_naive();
        let id = (1..).map(|n| format!("NEW-{n:04}")).find(|id| plan.backlog_item(id).is_none()).unwrap_or_default();
        let item = BacklogItem {
            id,
            patient: Patient::default(),
            original_date: plan.outage.start.map_or(today, |s| s.date()),
            original_time: None,
            original_clinician: String::new(),
            appointment_type: plan.appointment_types.first().map(|t| t.name.clone()).unwrap_or_default(),
            slots: plan.appointment_types.first().map_or(1, |t| t.default_slots.max(1)),
            priority: plan.rules.priorities.last().map(|p| p.name.clone()).unwrap_or_default(),
            mode: ModeRequirement::Any,
            continuity: Continuity::None,
            unavailable: Vec::new(),
            preferred_part: None,
            earliest_date: None,
            see_by: None,
            notes: String::new(),
            declined_sessions: Vec::new(),
        };
        let mut editor = ItemEditor::edit_item(plan, &item);
        editor.replaces = None;
        editor
    }

    pub fn edit_item(_plan: &Plan, item: &BacklogItem) -> ItemEditor {
        let (continuity, continuity_clinician) = match &item.continuity {
            Continuity::None => (ContinuityKind::None, String::new()),
            Continuity::Preferred(c) => (ContinuityKind::Preferred, c.clone()),
            Continuity::Required(c) => (ContinuityKind::Required, c.clone()),
        };
        ItemEditor {
            replaces: Some(item.id.clone()),
            draft: item.clone(),
            id: item.id.clone(),
            nhs_number: nhs::format(&item.patient.nhs_number),
            date_of_birth: dates::uk_opt(item.patient.date_of_birth),
            original_date: dates::uk(item.original_date),
            see_by: dates::uk_opt(item.see_by),
            earliest: dates::uk_opt(item.earliest_date),
            unavailable: item.unavailable.iter().map(Unavailability::label).collect::<Vec<_>>().join(", "),
            continuity,
            continuity_clinician,
            errors: Vec::new(),
        }
    }

    /// Shows the dialog; says whether it is still open, cancelled or saved.
    pub fn ui(&mut self, ctx: &egui::Context, plan: &Plan) -> EditorState {
        let mut result = EditorState::Open;
        let title = match &self.replaces {
            Some(id) => format!("Edit appointment {id}"),
            None => "Add appointment".to_string(),
        };
        egui::Modal::new(egui::Id::unique("item-editor")).show(ctx, |ui| {
            ui.heading(&title);
            egui::Grid::new("item-editor-grid").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
                if self.replaces.is_none() {
                    text_row(
                        ui,
                        "Appointment id",
                        &mut self.id,
                        "for example A-000123",
                        problem(&self.errors, "Appointment id"),
                    );
                }
                // Editing an existing patient's details needs them on screen;
                // in privacy mode they stay hidden (a new item needs them typed).
                if super::privacy::is_on(ctx) && self.replaces.is_some() {
                    ui.label("Patient");
                    ui.label(format!(
                        "{} (hidden: privacy mode is on)",
                        super::privacy::name(ctx, &self.draft.patient)
                    ));
                    ui.end_row();
                } else {
                    text_row(
                        ui,
                        "Patient name",
                        &mut self.draft.patient.name,
                        "SURNAME, First name",
                        problem(&self.errors, "Patient name"),
                    );
                    text_row(
                        ui,
                        "NHS number",
                        &mut self.nhs_number,
                        "10 digits, spaces allowed",
                        problem(&self.errors, "NHS number"),
                    );
                    text_row(
                        ui,
                        "Date of birth",
                        &mut self.date_of_birth,
                        "dd/mm/yyyy",
                        problem(&self.errors, "Date of birth"),
                    );
                    text_row(
                        ui,
                        "Phone",
                        &mut self.draft.patient.phone,
                        "as the clinical system has it",
                        problem(&self.errors, "Phone"),
                    );
                }
                ui.label("");
                ui.checkbox(&mut self.draft.patient.sms_consent, "Consents to SMS");
                ui.end_row();
                text_row(
                    ui,
                    "Original date",
                    &mut self.original_date,
                    "dd/mm/yyyy",
                    problem(&self.errors, "Original date"),
                );

                let label = ui.label("Priority");
                egui::ComboBox::new("edit-priority", "")
                    .selected_text(&self.draft.priority)
                    .show_ui(ui, |ui| {
                        for p in &plan.rules.priorities {
                            ui.selectable_value(&mut self.draft.priority, p.name.clone(), &p.name);
                        }
                    })
                    .response
                    .labelled_by(label.id);
                problem_label(ui, problem(&self.errors, "Priority"));
                ui.end_row();

                let label = ui.label("Type");
                let before = self.draft.appointment_type.clone();
                egui::ComboBox::new("edit-type", "")
                    .selected_text(&self.draft.appointment_type)
                    .show_ui(ui, |ui| {
                        for t in &plan.appointment_types {
                            ui.selectable_value(&mut self.draft.appointment_type, t.name.clone(), &t.name);
                        }
                    })
                    .response
                    .labelled_by(label.id);
                if before != self.draft.appointment_type
                    && let Some(kind) = plan.appointment_type(&self.draft.appointment_type)
                {
                    self.draft.slots = kind.default_slots.max(1);
                }
                problem_label(ui, problem(&self.errors, "Type"));
                ui.end_row();

                let label = ui.label("Slots");
                ui.add(egui::DragValue::new(&mut self.draft.slots).range(1..=6)).labelled_by(label.id);
                ui.end_row();

                let label = ui.label("Mode");
                egui::ComboBox::new("edit-mode", "")
                    .selected_text(self.draft.mode.label())
                    .show_ui(ui, |ui| {
                        for m in [ModeRequirement::Any, ModeRequirement::FaceToFace, ModeRequirement::Telephone] {
                            ui.selectable_value(&mut self.draft.mode, m, m.label());
                        }
                    })
                    .response
                    .labelled_by(label.id);
                ui.end_row();

                ui.label("Continuity");
                ui.horizontal(|ui| {
                    for (kind, text) in [
                        (ContinuityKind::None, "None"),
                        (ContinuityKind::Preferred, "Preferred"),
                        (ContinuityKind::Required, "Required"),
                    ] {
                        ui.radio_value(&mut self.continuity, kind, text);
                    }
                    if self.continuity != ContinuityKind::None {
                        let shown = plan
                            .clinician(&self.continuity_clinician)
                            .map_or("Choose a clinician", |c| c.name.as_str())
                            .to_string();
                        // The label before the choice, as every other field has it.
                        let label = ui.label("Clinician");
                        egui::ComboBox::from_id_salt("edit-continuity-clinician")
                            .selected_text(shown)
                            .show_ui(ui, |ui| {
                                for c in &plan.clinicians {
                                    ui.selectable_value(&mut self.continuity_clinician, c.id.clone(), &c.name);
                                }
                            })
                            .response
                            .labelled_by(label.id);
                    }
                    problem_label(ui, problem(&self.errors, "Continuity"));
                });
                ui.end_row();

                ui.label("Prefers");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut self.draft.preferred_part, None, "Any time");
                    ui.radio_value(&mut self.draft.preferred_part, Some(PartOfDay::AM), "Mornings");
                    ui.radio_value(&mut self.draft.preferred_part, Some(PartOfDay::PM), "Afternoons");
                });
                ui.end_row();

                text_row(
                    ui,
                    "Cannot attend",
                    &mut self.unavailable,
                    "e.g. Mon, Fri PM, 25/07/2024 AM",
                    problem(&self.errors, "Cannot attend"),
                );
                hint_row(ui, "Days or dates separated by commas, each optionally AM or PM.");
                text_row(
                    ui,
                    "Earliest date",
                    &mut self.earliest,
                    "dd/mm/yyyy, or empty",
                    problem(&self.errors, "Earliest date"),
                );
                text_row(ui, "See by", &mut self.see_by, "dd/mm/yyyy, or empty", problem(&self.errors, "See by"));
                hint_row(ui, "Empty dates: as soon as possible, by the priority's target.");

                let label = ui.label("Notes");
                ui.add(egui::TextEdit::multiline(&mut self.draft.notes).desired_rows(2)).labelled_by(label.id);
                ui.end_row();
            });
            if !self.errors.is_empty() {
                let n = self.errors.len();
                let what = if n == 1 { "1 problem" } else { "problems" };
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Not saved: {what} shown beside the fields above."),
                );
            }
            ui.horizontal(|ui| {
                if ui.button("Save appointment").clicked() {
                    match self.validate(plan) {
                        Ok(item) => {
                            result =
                                EditorState::Saved(Box::new(EditorOutcome { item, replaces: self.replaces.clone() }))
                        }
                        Err(errors) => self.errors = errors,
                    }
                }
                if ui.button("Cancel").clicked() {
                    result = EditorState::Cancelled;
                }
            });
        });
        result
    }

    /// Checks every field; all problems are reported together.
    fn validate(&self, plan: &Plan) -> Result<BacklogItem, Vec<(&'static str, FieldError)>> {
        let mut errors = Vec::new();
        let mut item = self.draft.clone();
        let mut field = |name: &'static str, result: Result<(), FieldError>| {
            if let Err(e) = result {
                errors.push((name, e));
            }
        };
        if self.replaces.is_none() {
            item.id = self.id.trim().to_string();
            field(
                "Appointment id",
                if item.id.is_empty() {
                    Err(FieldError::Missing("an id"))
                } else if plan.backlog_item(&item.id).is_some() {
                    Err(FieldError::IdTaken(item.id.clone()))
                } else {
                    Ok(())
                },
            );
        }
        item.patient.name = item.patient.name.trim().to_string();
        field("Patient name", if item.patient.name.is_empty() { Err(FieldError::Missing("a name")) } else { Ok(()) });
        field("NHS number", nhs::parse(&self.nhs_number).map(|n| item.patient.nhs_number = n).map_err(Into::into));
        field("Original date", parse::date(&self.original_date).map(|d| item.original_date = d).map_err(Into::into));
        field(
            "Date of birth",
            parse::optional_date(&self.date_of_birth).map_err(FieldError::from).and_then(|d| {
                let today = chrono::Local::now().date_naive();
                match d {
                    Some(d) if d > today => Err(FieldError::BornInFuture(d)),
                    Some(d) if today.years_since(d).is_some_and(|age| age > 130) => Err(FieldError::OverAge(d)),
                    _ => {
                        item.patient.date_of_birth = d;
                        Ok(())
                    }
                }
            }),
        );
        field(
            "Earliest date",
            parse::optional_date(&self.earliest).map(|d| item.earliest_date = d).map_err(Into::into),
        );
        field("See by", parse::optional_date(&self.see_by).map(|d| item.see_by = d).map_err(Into::into));
        field("Cannot attend", parse::unavailable(&self.unavailable).map(|u| item.unavailable = u).map_err(Into::into));
        if let (Some(earliest), Some(see_by)) = (item.earliest_date, item.see_by)
            && see_by < earliest
        {
            field("See by", Err(FieldError::SeeByBeforeEarliest { see_by, earliest }));
        }
        field(
            "Priority",
            if plan.rules.priority(&item.priority).is_some() { Ok(()) } else { Err(FieldError::Choose("a priority")) },
        );
        field(
            "Type",
            if plan.appointment_type(&item.appointment_type).is_some() {
                Ok(())
            } else {
                Err(FieldError::Choose("a type"))
            },
        );
        item.continuity = match self.continuity {
            ContinuityKind::None => Continuity::None,
            kind => {
                let id = self.continuity_clinician.clone();
                if plan.clinician(&id).is_none() {
                    field("Continuity", Err(FieldError::Choose("the clinician the patient should see")));
                }
                if kind == ContinuityKind::Preferred { Continuity::Preferred(id) } else { Continuity::Required(id) }
            }
        };
        if errors.is_empty() { Ok(item) } else { Err(errors) }
    }
}

/// What is wrong with one field of the editor (shown beside it).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
enum FieldError {
    #[error("{0} is needed")]
    Missing(&'static str),
    #[error("choose {0}")]
    Choose(&'static str),
    #[error("{0} is already used by another appointment")]
    IdTaken(String),
    #[error(transparent)]
    Nhs(#[from] nhs::NhsNumberError),
    #[error(transparent)]
    Parse(#[from] parse::ParseError),
    #[error("{} is in the future", dates::uk(*.0))]
    BornInFuture(chrono::NaiveDate),
    #[error("{} would make the patient over 130", dates::uk(*.0))]
    OverAge(chrono::NaiveDate),
    #[error("{} is before the earliest date {}", dates::uk(*see_by), dates::uk(*earliest))]
    SeeByBeforeEarliest { see_by: chrono::NaiveDate, earliest: chrono::NaiveDate },
}

/// A label on the left, the field on the right, then a hint of what to type
/// (beside the field, not inside it: a field's placeholder would become its name).
/// A problem from the last save attempt is shown beside the field, after the hint.
fn text_row(ui: &mut egui::Ui, label: &str, text: &mut String, hint: &str, problem: Option<String>) {
    let label = ui.label(label);
    ui.horizontal(|ui| {
        ui.add(egui::TextEdit::singleline(text).desired_width(260.0)).labelled_by(label.id);
        ui.label(egui::RichText::new(hint).weak());
        problem_label(ui, problem);
    });
    ui.end_row();
}

/// The problem of one field, "See by: ...", in the error colour; named with
/// its field so it reads on its own to a screen reader.
fn problem_label(ui: &mut egui::Ui, problem: Option<String>) {
    if let Some(problem) = problem {
        ui.colored_label(ui.visuals().error_fg_color, problem);
    }
}

/// "Field: problem" for `field`, if the last save attempt found one.
fn problem(errors: &[(&'static str, FieldError)], field: &str) -> Option<String> {
    let found: Vec<String> = errors.iter().filter(|(f, _)| *f == field).map(|(_, e)| e.to_string()).collect();
    (!found.is_empty()).then(|| format!("{field}: {}", found.join("; ")))
}

/// A line of help under a field, at the body text size.
fn hint_row(ui: &mut egui::Ui, hint: &str) {
    ui.label("");
    ui.label(egui::RichText::new(hint).weak());
    ui.end_row();
}
