//! Keying in call outcomes from a printed list: type the reference printed on
//! the row (or its last digits), Enter, then C, D or N. Made for speed at a
//! reception desk with a pile of ticked sheets; each outcome is one undo step.

use super::dates;
use super::document::Document;
use super::panel::{Panel, PanelContext};
use super::privacy;
use crate::model::{ContactStatus, Outcome, Plan};
use crate::rules::edit;

/// Outcomes the keys stand for.
const KEYS: [(egui::Key, ContactStatus, &str); 3] = [
    (egui::Key::C, ContactStatus::Confirmed, "C  Confirmed"),
    (egui::Key::D, ContactStatus::Declined, "D  Declined"),
    (egui::Key::N, ContactStatus::NoAnswer, "N  No answer"),
];

/// Recorded lines kept on screen.
const LOG_LINES: usize = 12;

#[derive(Default)]
pub struct OutcomeEntryPanel {
    code: String,
    /// The appointment the typed reference names, once Enter was pressed.
    found: Option<String>,
    problem: Option<String>,
    /// What was recorded this session, newest first.
    log: Vec<String>,
    focus_code: bool,
}

impl OutcomeEntryPanel {
    /// The appointment waiting for its outcome key, if any.
    pub fn found(&self) -> Option<&str> {
        self.found.as_deref()
    }

    pub fn log(&self) -> &[String] {
        &self.log
    }

    fn record(&mut self, doc: &mut Document, id: &str, status: ContactStatus) {
        match doc.try_edit(|plan| edit::record_contact(plan, id, status)) {
            Ok(()) => {
                let name = doc.plan().backlog_item(id).map_or_else(String::new, |i| privacy::initials(&i.patient.name));
                self.log.insert(0, format!("{id} {name}: {}", status.label()));
                self.log.truncate(LOG_LINES);
                self.clear();
            }
            Err(e) => self.problem = Some(e.to_string()),
        }
    }

    fn clear(&mut self) {
        self.code.clear();
        self.found = None;
        self.focus_code = true;
    }
}

impl Panel for OutcomeEntryPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        ui.heading("Record call outcomes");
        // The example is a reference of this plan, as the call list prints it.
        let example = cx.doc.plan().backlog.first().map_or("A-000123", |i| i.id.as_str());
        let digits = example.trim_start_matches(|c: char| !c.is_ascii_digit()).trim_start_matches('0');
        let short = if digits.is_empty() || digits == example || !digits.chars().all(|c| c.is_ascii_digit()) {
            String::new()
        } else {
            format!(", or just {digits}")
        };
        ui.label(format!(
            "Type the reference printed on the call list (for example {example}{short}) and press Enter, then press \
             C (confirmed), D (declined: the appointment goes back to be re-planned) or N (no answer)."
        ));
        ui.add_space(6.0);
        let entered = ui
            .horizontal(|ui| {
                let label = ui.label("Reference");
                let field =
                    ui.add(egui::TextEdit::singleline(&mut self.code).desired_width(180.0)).labelled_by(label.id);
                if std::mem::take(&mut self.focus_code) {
                    field.request_focus();
                }
                if field.changed() {
                    self.found = None;
                    self.problem = None;
                }
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                enter || ui.button("Find").clicked()
            })
            .inner;
        if entered {
            match edit::find_by_code(cx.doc.plan(), &self.code) {
                Ok(id) => {
                    self.found = Some(id);
                    self.problem = None;
                }
                Err(e) => {
                    self.found = None;
                    self.problem = Some(e.to_string());
                    self.focus_code = true;
                }
            }
        }
        if let Some(problem) = &self.problem {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        let mut chosen = None;
        if let Some(id) = self.found.clone() {
            ui.add_space(4.0);
            ui.group(|ui| {
                ui.label(describe(ui.ctx(), cx.doc.plan(), &id));
                ui.horizontal(|ui| {
                    for (_, status, text) in KEYS {
                        if ui.button(text).clicked() {
                            chosen = Some(status);
                        }
                    }
                    if ui.button("Cancel").clicked() {
                        self.clear();
                    }
                });
            });
            // The keys work while no text field has the keyboard.
            if chosen.is_none() && !ui.ctx().egui_wants_keyboard_input() {
                chosen = ui.input_mut(|input| {
                    KEYS.iter().find(|(key, _, _)| input.consume_key(egui::Modifiers::NONE, *key)).map(|k| k.1)
                });
            }
            if let Some(status) = chosen {
                self.record(cx.doc, &id, status);
            }
        }
        if !self.log.is_empty() {
            ui.add_space(8.0);
            ui.strong("Recorded (Ctrl+Z undoes the last one)");
            for line in &self.log {
                ui.label(line);
            }
        }
    }
}

/// "A-000123 SMITH, Jane: Tue 23 Jul 09:20 with Dr A Patel (not contacted yet)".
fn describe(ctx: &egui::Context, plan: &Plan, id: &str) -> String {
    let Some(item) = plan.backlog_item(id) else { return id.to_string() };
    let name = privacy::name(ctx, &item.patient);
    let booking = plan.booking(id);
    let when = match booking.map(|b| &b.outcome) {
        Some(Outcome::Placed { session, time }) => plan.session(session).map_or_else(
            || "booked".to_string(),
            |s| {
                let clinician = plan.clinician(&s.clinician).map_or(s.clinician.as_str(), |c| c.name.as_str());
                format!("{} {} with {clinician}", dates::uk_day(s.date), time.format("%H:%M"))
            },
        ),
        Some(Outcome::Unplaced { .. }) | None => "not booked".to_string(),
    };
    let contact = booking.map_or(ContactStatus::NotContacted, |b| b.contact);
    format!("{id} {name}: {when} ({})", contact.label())
}
