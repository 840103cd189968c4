//! The outcomes file: what patients said when phoned, typed up from the
//! printed call lists (or a spreadsheet reception kept), one row per call:
//! the reference printed on the list and the outcome.

use super::columns::{self, ColumnSpec};
use super::{ImportError, RowError, RowProblems};
use crate::model::parse::ParseError;
use crate::model::{ContactStatus, Plan};
use crate::rules::edit::{EditError, find_by_code, record_contact};
use std::collections::BTreeMap;

const SPECS: &[ColumnSpec] = &[
    ColumnSpec {
        name: "appointment_id",
        required: true,
        aliases: &["ID", "Code", "Ref", "Reference", "Appt ID", "Appointment ID", "Appointment Ref", "Booking ID"],
    },
    ColumnSpec {
        name: "outcome",
        required: true,
        aliases: &["Status", "Result", "Contact", "Contact Status", "Contact Outcome", "Call Outcome"],
    },
];

/// Canonical outcome columns in the order the import screen lists them.
pub const OUTCOME_COLUMNS: &[&str] = &["appointment_id", "outcome"];

/// One outcome the file would record.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRow {
    pub line: usize,
    /// The appointment id the row's reference matched.
    pub appointment_id: String,
    pub patient: String,
    pub status: ContactStatus,
}

/// What an outcomes file would record.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomePreview {
    pub mapping: BTreeMap<String, String>,
    pub headers: Vec<String>,
    pub rows: Vec<OutcomeRow>,
    /// Unknown or ambiguous references, unreadable outcomes, appointments not booked.
    pub rejected: Vec<RowError>,
    pub total_rows: usize,
}

impl OutcomePreview {
    /// Number of distinct rows that will not be recorded.
    pub fn rejected_rows(&self) -> usize {
        super::distinct_lines(&self.rejected)
    }
}

/// Reads an outcome as people write it: Confirmed / C / Yes, Declined / D,
/// No answer / N / NA, Notified (message left, SMS sent), Not contacted.
pub fn parse_outcome(text: &str) -> Result<ContactStatus, ParseError> {
    let key = crate::model::name_key(text);
    Ok(match key.as_str() {
        "confirmed" | "confirm" | "c" | "yes" | "y" | "ok" | "booked" => ContactStatus::Confirmed,
        "declined" | "decline" | "d" | "refused" | "cancel" | "cancelled" => ContactStatus::Declined,
        "noanswer" | "n" | "na" | "nr" | "noreply" | "noresponse" | "unanswered" => ContactStatus::NoAnswer,
        "notified" | "messageleft" | "leftmessage" | "voicemail" | "smssent" | "texted" => ContactStatus::Notified,
        "notcontacted" | "none" => ContactStatus::NotContacted,
        _ => return Err(ParseError::NotAnOutcome(text.trim().to_string())),
    })
}

/// Reads an outcomes file against the plan. Each reference must match one
/// booked appointment (exactly, or as the unique end of its id, as on the
/// printed list); everything else is a row error. The plan is not changed.
pub fn preview_outcomes(plan: &Plan, bytes: &[u8]) -> Result<OutcomePreview, ImportError> {
    let text = columns::decode(bytes)?;
    let none = BTreeMap::new();
    let mut rows: Vec<OutcomeRow> = Vec::new();
    let mut rejected = Vec::new();
    let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
    let check_header = |mapping: &columns::Mapping| {
        for spec in SPECS.iter().filter(|s| s.required) {
            if !mapping.has(spec.name) {
                return Err(columns::missing(spec.name, SPECS, mapping));
            }
        }
        Ok(())
    };
    let (mapping, total_rows) = columns::read_rows(&text, SPECS, &none, &none, check_header, |row| {
        let mut problems = RowProblems::new(row.line);
        if let Some(reason) = columns::extra_fields_reason(row) {
            problems.add("row", reason);
        }
        let id = match row.get("appointment_id") {
            None => {
                problems.add("appointment_id", "the reference is missing");
                None
            }
            Some(code) => match find_by_code(plan, code) {
                Ok(id) => Some(id),
                Err(e) => {
                    problems.add("appointment_id", e.to_string());
                    None
                }
            },
        };
        let status = match row.get("outcome") {
            None => {
                problems.add("outcome", "the outcome is missing");
                None
            }
            Some(text) => problems.take("outcome", parse_outcome(text)),
        };
        if let Some(id) = &id {
            if let Some(first) = first_line.get(id) {
                problems.add("appointment_id", format!("{id} already has an outcome on line {first}"));
            } else {
                first_line.insert(id.clone(), row.line);
            }
            if plan.booking(id).and_then(|b| b.session()).is_none() {
                problems.add("appointment_id", EditError::NotPlaced(id.clone()).to_string());
            }
        }
        let row_value = match (id, status) {
            (Some(appointment_id), Some(status)) => Some(OutcomeRow {
                line: row.line,
                patient: plan.backlog_item(&appointment_id).map(|i| i.patient.name.clone()).unwrap_or_default(),
                appointment_id,
                status,
            }),
            _ => None,
        };
        match problems.settle(row_value) {
            Some(value) => rows.push(value),
            None => rejected.append(&mut problems.list),
        }
    })?;
    rejected.sort();
    Ok(OutcomePreview { mapping: mapping.shown, headers: mapping.headers, rows, rejected, total_rows })
}

/// Records the previewed outcomes through [`record_contact`] (a declined
/// booking returns to the backlog). Returns how many were recorded; a row
/// whose booking changed since the preview is skipped.
pub fn accept_outcomes(plan: &mut Plan, preview: OutcomePreview) -> usize {
    preview.rows.iter().filter(|row| record_contact(plan, &row.appointment_id, row.status).is_ok()).count()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn column_table_is_consistent() {
        columns::assert_specs_consistent(SPECS, OUTCOME_COLUMNS);
    }

    #[test]
    fn outcomes_as_people_write_them() {
        assert_eq!(parse_outcome("C"), Ok(ContactStatus::Confirmed));
        assert_eq!(parse_outcome(" No answer "), Ok(ContactStatus::NoAnswer));
        assert_eq!(parse_outcome("NA"), Ok(ContactStatus::NoAnswer));
        assert_eq!(parse_outcome("d"), Ok(ContactStatus::Declined));
        assert_eq!(parse_outcome("Notified"), Ok(ContactStatus::Notified));
        assert!(parse_outcome("maybe").unwrap_err().to_string().contains("Confirmed (C)"));
    }
}
