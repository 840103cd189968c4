//! Print and export: call lists for the staff who phone patients (printed or
//! saved as PDF, with only what the caller needs), the summary PDF, and the
//! CSV exports for the clinical system and the SMS service.

use crate::export;
use crate::model::{AuditAction, Plan};
use crate::print::{self, ListKind, PrintOptions};

/// What the dialog asks the app to do.
/// How a file written from this dialog goes into the audit trail:
/// printed or exported, and what it is ("bookings CSV, 350 rows").
#[derive(Debug, Clone)]
pub struct FileAudit {
    pub action: AuditAction,
    pub what: String,
}

pub enum PrintAction {
    /// Ask where to save these bytes (a PDF or a CSV), suggesting this file name.
    Save {
        bytes: Vec<u8>,
        file_name: String,
        is_pdf: bool,
        /// What it is, for the audit trail once it is saved.
        audit: FileAudit,
    },
    /// Sent to a printer (or opened in the viewer): tell the user, and record it.
    Printed {
        message: String,
        audit: String,
    },
    Error(String),
}

pub struct PrintDialog {
    kind: ListKind,
    mask_nhs: bool,
    include_dob: bool,
    /// The CUPS printers, asked for once when the dialog first shows.
    printers: Option<Vec<String>>,
    /// The chosen printer; None prints to the system default.
    printer: Option<String>,
}

impl Default for PrintDialog {
    fn default() -> Self {
        PrintDialog { kind: ListKind::ByDay, mask_nhs: true, include_dob: false, printers: None, printer: None }
    }
}

impl PrintDialog {
    /// Shows the dialog. Returns whether it stays open, and an action if one was chosen.
    pub fn ui(&mut self, ctx: &egui::Context, plan: &Plan) -> (bool, Option<PrintAction>) {
        let mut open = true;
        let mut action = None;
        let today = chrono::Local::now().date_naive();
        egui::Modal::new(egui::Id::unique("print-dialog")).show(ctx, |ui| {
            ui.heading("Print and export");
            ui.strong("Call list");
            for kind in ListKind::ALL {
                ui.radio_value(&mut self.kind, kind, kind.title());
            }
            ui.checkbox(&mut self.mask_nhs, "Show only the last 4 digits of NHS numbers");
            ui.checkbox(&mut self.include_dob, "Include dates of birth");
            let options = PrintOptions {
                kind: self.kind,
                mask_nhs: self.mask_nhs,
                include_dob: self.include_dob,
                printed_on: today,
            };
            let printers = self.printers.get_or_insert_with(print::list_printers);
            ui.horizontal(|ui| {
                let label = ui.label("Printer");
                egui::ComboBox::from_id_salt("printer-choice")
                    .selected_text(self.printer.as_deref().unwrap_or("System default"))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.printer, None, "System default");
                        for name in printers.iter() {
                            ui.selectable_value(&mut self.printer, Some(name.clone()), name);
                        }
                    })
                    .response
                    .labelled_by(label.id);
            });
            ui.horizontal(|ui| {
                if ui.button("Print call list").clicked() {
                    action = Some(
                        match print::call_list_pdf(plan, &options)
                            .and_then(|pdf| print::print_pdf_bytes(&pdf, "call-list", self.printer.as_deref()))
                        {
                            Ok(note) => PrintAction::Printed {
                                message: note.unwrap_or_else(|| "The call list was sent to the printer.".into()),
                                audit: format!(
                                    "{} to printer {}",
                                    options.describe(),
                                    self.printer.as_deref().unwrap_or("(system default)")
                                ),
                            },
                            Err(e) => PrintAction::Error(format!("Could not print the call list: {e}.")),
                        },
                    );
                }
                if ui.button("Save call list as PDF...").clicked() {
                    action = Some(match print::call_list_pdf(plan, &options) {
                        Ok(bytes) => PrintAction::Save {
                            bytes,
                            file_name: "call-list.pdf".into(),
                            is_pdf: true,
                            audit: FileAudit { action: AuditAction::Print, what: options.describe() },
                        },
                        Err(e) => PrintAction::Error(format!("Could not make the call list: {e}.")),
                    });
                }
            });
            ui.separator();
            ui.strong("Summary and exports");
            ui.horizontal_wrapped(|ui| {
                if ui.button("Save summary as PDF...").clicked() {
                    action = Some(match print::summary_pdf(plan, today) {
                        Ok(bytes) => PrintAction::Save {
                            bytes,
                            file_name: "summary.pdf".into(),
                            is_pdf: true,
                            audit: FileAudit { action: AuditAction::Print, what: "partners' summary".into() },
                        },
                        Err(e) => PrintAction::Error(format!("Could not make the summary: {e}.")),
                    });
                }
                let csv = |result: Result<Vec<u8>, export::ExportError>, name: &str| match result {
                    Ok(bytes) => {
                        let rows = export::data_rows(&bytes);
                        let audit = FileAudit { action: AuditAction::Export, what: format!("{name}, {rows} rows") };
                        PrintAction::Save { bytes, file_name: name.into(), is_pdf: false, audit }
                    }
                    Err(e) => PrintAction::Error(format!("Could not make {name}: {e}.")),
                };
                if ui
                    .button("Export bookings CSV...")
                    .on_hover_text("For entering the bookings into the clinical system")
                    .clicked()
                {
                    action = Some(csv(export::bookings_csv(plan), "bookings.csv"));
                }
                if ui
                    .button("Export SMS CSV...")
                    .on_hover_text("For the batch-messaging service; leaves out patients without SMS consent")
                    .clicked()
                {
                    action = Some(csv(export::sms_csv(plan), "sms.csv"));
                }
                if ui.button("Export calls CSV...").on_hover_text("Patients to phone").clicked() {
                    action = Some(csv(export::calls_csv(plan), "calls.csv"));
                }
            });
            ui.separator();
            if ui.button("Close").clicked() {
                open = false;
            }
        });
        if action.is_some() {
            open = false;
        }
        (open, action)
    }
}
