//! Printed rebooking lists: call lists for the staff who phone patients and a
//! one-page summary for the partners, as A4 PDFs with the fonts embedded, and
//! sending them to a system printer (or the PDF viewer where there is none).

mod call_list;
pub mod layout;
mod meeting_summary;
mod system;

use chrono::NaiveDate;

pub use call_list::call_list_pdf;
pub use meeting_summary::summary_pdf;
pub use system::{list_printers, open_in_viewer, print_pdf_bytes, send_to_printer, write_temp_pdf};

/// Which patients a call list shows, and in what order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListKind {
    /// Grouped by day, then clinician, in appointment time order.
    #[default]
    ByDay,
    /// A-Z by patient name.
    ByPatient,
    /// Only patients not reached yet (not contacted, or no answer), by day.
    Uncontacted,
}

impl ListKind {
    pub const ALL: [ListKind; 3] = [ListKind::ByDay, ListKind::ByPatient, ListKind::Uncontacted];

    /// The list's title as printed in its header.
    pub fn title(self) -> &'static str {
        match self {
            ListKind::ByDay => "Call list by day and clinician",
            ListKind::ByPatient => "Call list A-Z by patient",
            ListKind::Uncontacted => "Call list: patients not reached yet",
        }
    }
}

/// What a printed call list shows: printouts carry only what the caller needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintOptions {
    pub kind: ListKind,
    /// Print only the last four digits of each NHS number.
    pub mask_nhs: bool,
    pub include_dob: bool,
    /// Date in the footer ("Printed 25 Nov 2026").
    pub printed_on: NaiveDate,
}

impl PrintOptions {
    pub fn new(kind: ListKind, printed_on: NaiveDate) -> PrintOptions {
        PrintOptions { kind, mask_nhs: false, include_dob: true, printed_on }
    }

    /// What the list holds, for the audit trail (no patient data):
    /// "call list by day (NHS numbers masked, no dates of birth)".
    pub fn describe(&self) -> String {
        let by = match self.kind {
            ListKind::ByDay => "by day",
            ListKind::ByPatient => "by patient",
            ListKind::Uncontacted => "of patients not reached",
        };
        let nhs = if self.mask_nhs { "NHS numbers masked" } else { "full NHS numbers" };
        let dob = if self.include_dob { "dates of birth" } else { "no dates of birth" };
        format!("call list {by} ({nhs}, {dob})")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("the embedded font could not be read (the program files may be damaged)")]
    Font,
    #[error("could not lay out the page: {0}")]
    Layout(&'static str),
    #[error("could not write the PDF: {0}")]
    Pdf(String),
    #[error("there is no printer called \"{0}\"; choose one of the printers listed, or save as PDF instead")]
    NoSuchPrinter(String),
    #[error("no printer is set up on this computer: save as PDF instead")]
    NoPrinter,
    #[error("lp is not installed, so Rebook cannot print directly: save as PDF instead")]
    LpMissing,
    #[error("the printer refused the job: {0}")]
    PrinterFailed(String),
    #[error("could not open the PDF in a viewer: {0}; save as PDF and open it yourself")]
    Viewer(String),
    #[error("could not write the temporary PDF {path}: {message}")]
    TempFile { path: std::path::PathBuf, message: String },
}
