//! CSV exports of a plan's outcome: every booking for re-entry into the
//! clinical system, the SMS batch (only patients who consented, with a UK
//! mobile and a date of birth, alive, placed and not yet answered) and the call list of every
//! other placed patient, so nobody falls through and no recorded SMS refusal
//! is ever overridden.

use crate::model::{ContactStatus, Mode, Patient, Plan};
use crate::report::entries::{Entry, entries, original_clinician, short_date_time};
use chrono::NaiveDate;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not write the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("could not finish the CSV: {0}")]
    Finish(String),
    #[error(
        "the plan's practice is still called \"{0}\", and the practice name starts every SMS: name the practice \
         first (on the command line: rebook import --plan PLAN --practice \"NAME\" --out PLAN; in the window: \
         the practice name asked when importing)"
    )]
    NoPracticeName(String),
}

/// Columns of the bookings CSV, in order.
pub const BOOKINGS_COLUMNS: &[&str] = &[
    "Ref",
    "NHS number",
    "Name",
    "Phone",
    "Priority",
    "Type",
    "Original date",
    "Original time",
    "Original clinician",
    "New date",
    "New time",
    "New clinician",
    "Mode",
    "Status",
    "Contact status",
    "Reason",
];

/// Columns of the SMS batch: batch-messaging tools key patients by "NHS number" and "Date of Birth".
pub const SMS_COLUMNS: &[&str] =
    &["NHS number", "Date of Birth", "Mobile", "First name", "Date", "Time", "Clinician", "Place", "Message"];

/// Columns of the call list CSV.
pub const CALLS_COLUMNS: &[&str] = &[
    "Ref",
    "NHS number",
    "Name",
    "Date of Birth",
    "Phone",
    "Date",
    "Time",
    "Clinician",
    "Mode",
    "Priority",
    "Contact status",
    "Why not by SMS",
];

/// A UK mobile number as ten digits after the 0 ("07700900123"), from
/// "07700 900123", "+44 7700 900123" or "447700900123"; None for anything else.
pub fn uk_mobile(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.')).collect();
    let national = if let Some(rest) = digits.strip_prefix("+44") {
        format!("0{rest}")
    } else if let Some(rest) = digits.strip_prefix("0044") {
        format!("0{rest}")
    } else if digits.len() == 12 && digits.starts_with("447") {
        format!("0{}", &digits[2..])
    } else {
        digits
    };
    (national.len() == 11 && national.starts_with("07") && national.chars().all(|c| c.is_ascii_digit()))
        .then_some(national)
}

/// Why a placed appointment cannot go in the SMS batch; None when it can.
pub fn sms_exclusion(entry: &Entry) -> Option<&'static str> {
    let patient = &entry.item.patient;
    if entry.placement.is_none() {
        return Some("not booked");
    }
    if patient.deceased {
        return Some("patient recorded as deceased: do not contact, cancel the booking");
    }
    if patient.phone.trim().is_empty() {
        return Some("no phone number recorded: write to the patient");
    }
    if !patient.sms_consent {
        return Some("no SMS consent recorded");
    }
    if uk_mobile(&patient.phone).is_none() {
        return Some("no valid UK mobile number");
    }
    if patient.date_of_birth.is_none() {
        // Batch-messaging tools match patients on NHS number and date of birth.
        return Some("no date of birth recorded (the SMS tool needs it)");
    }
    match entry.contact() {
        ContactStatus::Confirmed => Some("already confirmed"),
        ContactStatus::Declined => Some("declined this booking"),
        _ => None,
    }
}

/// A cell that a spreadsheet would run as a formula (starting with =, +, -,
/// @, a tab or a carriage return) gets a leading apostrophe; other control
/// characters become spaces. Names and notes come from outside.
fn text_cell(text: &str) -> String {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let text: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if formula { format!("'{text}") } else { text }
}

/// A phone or NHS number: kept as written when it is only digits, spaces and
/// `+()-.` (so "+44 7700 900123" keeps its "+": such a cell cannot call
/// anything), otherwise neutralised like any text (`=HYPERLINK(...)` typed
/// into the phone field of the clinical system).
fn number_cell(text: &str) -> String {
    let plain = text.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-' | '.'));
    if plain && !text.starts_with('-') { text.to_string() } else { text_cell(text) }
}

fn uk_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

fn date_of_birth(patient: &Patient) -> String {
    patient.date_of_birth.map(uk_date).unwrap_or_default()
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, ExportError> {
    writer.into_inner().map_err(|e| ExportError::Finish(e.error().to_string()))
}

/// One row per backlog item, in backlog order, for re-entry into the clinical system.
/// Data rows of an exported CSV (lines after the header), for messages and the audit trail.
pub fn data_rows(csv: &[u8]) -> usize {
    csv.iter().filter(|b| **b == b'\n').count().saturating_sub(1)
}

pub fn bookings_csv(plan: &Plan) -> Result<Vec<u8>, ExportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(BOOKINGS_COLUMNS)?;
    for entry in entries(plan) {
        let item = entry.item;
        let (new_date, new_time, new_clinician, mode) = match entry.placement {
            Some(p) => (
                uk_date(p.session.date),
                p.time.format("%H:%M").to_string(),
                entry.clinician_name(plan).unwrap_or("").to_string(),
                p.session.mode.label().to_string(),
            ),
            None => Default::default(),
        };
        writer.write_record([
            text_cell(&item.id),
            number_cell(&item.patient.nhs_number),
            text_cell(&item.patient.name),
            number_cell(&item.patient.phone),
            text_cell(&item.priority),
            text_cell(&item.appointment_type),
            uk_date(item.original_date),
            item.original_time.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
            text_cell(original_clinician(plan, item)),
            new_date,
            new_time,
            text_cell(&new_clinician),
            mode,
            entry.status().to_string(),
            entry.contact().label().to_string(),
            text_cell(&entry.reason(plan)),
        ])?;
    }
    finish(writer)
}

/// The short text sent to the patient.
pub fn sms_message(plan: &Plan, entry: &Entry) -> String {
    let Some(p) = entry.placement else { return String::new() };
    let mode = match p.session.mode {
        Mode::FaceToFace => "face-to-face",
        Mode::Telephone => "telephone: we will call you",
    };
    format!(
        "{}: your appointment is rebooked to {} with {} ({mode}). Reply or call to change.",
        plan.practice.name.trim(),
        short_date_time(p.session.date, Some(p.time)),
        entry.clinician_name(plan).unwrap_or("a clinician")
    )
}

/// Placed appointments in date and time order (the order the lists are worked in).
fn placed_in_order(plan: &Plan) -> Vec<Entry<'_>> {
    let mut placed: Vec<Entry> = entries(plan).into_iter().filter(|e| e.placement.is_some()).collect();
    placed.sort_by_key(|e| (e.placement.map(|p| (p.session.date, p.time)), e.item.id.clone()));
    placed
}

/// The SMS batch: only placed patients who may be texted (see `sms_exclusion`);
/// refused while the practice has no real name (it starts every text).
pub fn sms_csv(plan: &Plan) -> Result<Vec<u8>, ExportError> {
    if plan.practice.is_placeholder() {
        return Err(ExportError::NoPracticeName(plan.practice.name.clone()));
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(SMS_COLUMNS)?;
    for entry in placed_in_order(plan).iter().filter(|e| sms_exclusion(e).is_none()) {
        let (Some(p), Some(mobile)) = (entry.placement, uk_mobile(&entry.item.patient.phone)) else { continue };
        let patient = &entry.item.patient;
        let place = match p.session.mode {
            Mode::FaceToFace => plan.practice.name.clone(),
            Mode::Telephone => "Telephone".to_string(),
        };
        writer.write_record([
            number_cell(&patient.nhs_number),
            date_of_birth(patient),
            mobile,
            text_cell(patient.first_name()),
            uk_date(p.session.date),
            p.time.format("%H:%M").to_string(),
            text_cell(entry.clinician_name(plan).unwrap_or("")),
            text_cell(&place),
            text_cell(&sms_message(plan, entry)),
        ])?;
    }
    finish(writer)
}

/// The call list: every placed patient who is not in the SMS batch, with why.
pub fn calls_csv(plan: &Plan) -> Result<Vec<u8>, ExportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CALLS_COLUMNS)?;
    for entry in placed_in_order(plan) {
        let (Some(p), Some(why)) = (entry.placement, sms_exclusion(&entry)) else { continue };
        let item = entry.item;
        writer.write_record([
            text_cell(&item.id),
            number_cell(&item.patient.nhs_number),
            text_cell(&item.patient.name),
            date_of_birth(&item.patient),
            number_cell(&item.patient.phone),
            uk_date(p.session.date),
            p.time.format("%H:%M").to_string(),
            text_cell(entry.clinician_name(plan).unwrap_or("")),
            p.session.mode.label().to_string(),
            text_cell(&item.priority),
            entry.contact().label().to_string(),
            why.to_string(),
        ])?;
    }
    finish(writer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_uk_mobiles_only() {
        assert_eq!(uk_mobile("07700 900123").as_deref(), Some("07700900123"));
        assert_eq!(uk_mobile("+44 7700 900123").as_deref(), Some("07700900123"));
        assert_eq!(uk_mobile("447700900123").as_deref(), Some("07700900123"));
        assert_eq!(uk_mobile("0044 (7700) 900-123").as_deref(), Some("07700900123"));
        assert_eq!(uk_mobile("01632 960123"), None, "landline");
        assert_eq!(uk_mobile("0770090012"), None, "10 digits");
        assert_eq!(uk_mobile("077009001234"), None, "12 digits");
        assert_eq!(uk_mobile("+33 612345678"), None);
        assert_eq!(uk_mobile(""), None);
        assert_eq!(uk_mobile("07700 9OO123"), None, "letters");
    }

    #[test]
    fn formula_like_text_is_defused() {
        assert_eq!(text_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text_cell("SMITH, Jane"), "SMITH, Jane");
        assert_eq!(text_cell("line\nbreak"), "line break");
        assert_eq!(text_cell("\t=1+1"), "' =1+1");
        assert_eq!(text_cell("\r@SUM(A1)"), "' @SUM(A1)");
    }

    #[test]
    fn phones_keep_their_plus_but_formulas_are_defused() {
        assert_eq!(number_cell("+44 7700 900123"), "+44 7700 900123");
        assert_eq!(number_cell("(01632) 960-123"), "(01632) 960-123");
        assert_eq!(number_cell("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(number_cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(number_cell("@SUM(1+1)"), "'@SUM(1+1)");
        assert_eq!(number_cell("-1+1"), "'-1+1");
        assert_eq!(number_cell("+1 -cmd"), "'+1 -cmd");
    }
}
