//! CSV import of the cancelled-appointment backlog and of the rota, as
//! clinical systems and spreadsheets export them (see docs/formats.md).
//!
//! Import is two steps so nothing changes until the user has seen the result:
//! `preview_*` reads the file against the plan and lists every row it cannot
//! take (line, column, reason); `accept_*` adds the good rows to the plan.

mod backlog;
mod clinician_names;
mod columns;
mod mapping;
mod outcomes;
mod reimport;
mod rota;
mod values;

use crate::model::{BacklogItem, Clinician, Session};
use std::collections::BTreeMap;

pub use backlog::{BACKLOG_COLUMNS, accept_backlog, accept_backlog_on, preview_backlog, preview_backlog_with};
pub use clinician_names::{ClinicianMatch, NameParts, match_clinician};
pub use columns::{MAX_FIELD_CHARS, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS};
pub use mapping::{ColumnMap, ImportMapping, MappingError, add_new_types, parse_pair, split_column_pairs};
pub use outcomes::{OUTCOME_COLUMNS, OutcomePreview, OutcomeRow, accept_outcomes, parse_outcome, preview_outcomes};
pub use reimport::{ItemUpdate, ReimportDiff, reimport_diff};
pub use rota::{ROTA_COLUMNS, RotaOptions, RotaShape, accept_rota, clinician_id, preview_rota, preview_rota_with};

/// A problem that stops the whole file from being read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty: there is no header row and no data")]
    Empty,
    #[error("the file is {size} bytes, more than the {max} bytes Rebook imports; export fewer rows or split the file")]
    TooLarge { size: usize, max: usize },
    #[error("the file has more than {max} rows, more than Rebook imports at once; split the file")]
    TooManyRows { max: usize },
    #[error("this is not a CSV text file: {0}")]
    NotText(String),
    #[error("{0}")]
    WrongSeparator(String),
    #[error(
        "the file has no \"{column}\" column{}; the columns found are: {}. Map one of them to \"{column}\"",
        if also_accepted.is_empty() { String::new() } else { format!(" (also recognised as: {})", also_accepted.join(", ")) },
        if found.is_empty() { "(none)".to_string() } else { found.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(", ") }
    )]
    MissingColumn { column: String, also_accepted: Vec<String>, found: Vec<String> },
    #[error("the columns \"{first}\" and \"{second}\" both give \"{column}\"; map one of them to something else")]
    DuplicateColumn { column: String, first: String, second: String },
    #[error("the column \"{header}\" is mapped to \"{column}\", which Rebook does not know; choose one of: {}", known.join(", "))]
    UnknownColumn { header: String, column: String, known: Vec<String> },
    #[error("line {line}: the CSV cannot be read: {message}")]
    Csv { line: usize, message: String },
    #[error(
        "line {line}: a value is {chars} characters long, more than any field of an export ({max}); a quote (\") may be missing its closing quote"
    )]
    FieldTooLong { line: usize, chars: usize, max: usize },
    #[error("could not read {path}: {message}")]
    Unreadable { path: String, message: String },
    #[error(
        "the type mapping \"{local}={target}\" names \"{target}\", which is not a type of the plan's catalogue; choose one of: {}",
        known.join(", ")
    )]
    UnknownTypeTarget { local: String, target: String, known: Vec<String> },
}

/// A column of the file that gives nothing: not recognised, or set to be ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredColumn {
    /// As written in the file ("(column 7, no header)" when blank).
    pub header: String,
    /// Up to three distinct values from it, to help decide what it is.
    pub samples: Vec<String>,
}

/// An appointment type of the file that is not in the plan's catalogue and
/// not mapped: listed once with the rows naming it, not once per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownType {
    /// As first written in the file, e.g. "Smear".
    pub name: String,
    /// Lines of the rows naming it (all of them; `lines.len()` is the row count).
    pub lines: Vec<usize>,
    /// The catalogue type it most likely means (see [`crate::model::suggest_type`]).
    pub suggestion: Option<String>,
}

/// Reads a file to import, refusing one larger than [`MAX_IMPORT_BYTES`]
/// before reading it, so a wrong file cannot exhaust memory.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>, ImportError> {
    use std::io::Read;
    let unreadable =
        |e: std::io::Error| ImportError::Unreadable { path: path.display().to_string(), message: e.to_string() };
    // Only an ordinary file: a FIFO or a device would hang or never end.
    let file = crate::io::limits::open_regular(path).map_err(unreadable)?;
    let size = file.metadata().map_err(unreadable)?.len();
    let max = MAX_IMPORT_BYTES as u64;
    if size > max {
        return Err(ImportError::TooLarge { size: usize::try_from(size).unwrap_or(usize::MAX), max: MAX_IMPORT_BYTES });
    }
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge { size: bytes.len(), max: MAX_IMPORT_BYTES });
    }
    Ok(bytes)
}

/// One value of one row that could not be taken. A row may have several.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RowError {
    /// 1-based line of the file where the row starts (the header is line 1).
    pub line: usize,
    /// Canonical column name, e.g. "nhs_number"; "row" for the row as a whole.
    pub column: String,
    /// In plain words, e.g. `"31/02/2024" is not a real date (no such day)`.
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, {}: {}", self.line, self.column, self.reason)
    }
}

/// What a backlog file would add to the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct BacklogPreview {
    /// Source header -> canonical column; "" for a column the user chose to ignore.
    /// Headers Rebook did not recognise are absent (see `headers`).
    pub mapping: BTreeMap<String, String>,
    /// Every header of the file in order, for the mapping editor.
    pub headers: Vec<String>,
    /// Rows to add, and rows whose id is already in the plan (updates: see [`reimport_diff`]).
    pub items: Vec<BacklogItem>,
    /// Sorted by line; a row with several problems has several entries.
    pub rejected: Vec<RowError>,
    /// Appointment ids of rejected rows: still in the export, so a re-import
    /// does not take them as gone from the clinical system's list.
    pub rejected_ids: Vec<String>,
    /// Rows that import but deserve a look (a repeated appointment, a
    /// deceased patient, a clinician the plan does not know), sorted by line.
    pub warnings: Vec<RowError>,
    /// Data rows in the file (blank rows not counted).
    pub total_rows: usize,
    /// Whether accepting sets aside the plan's appointments missing from the
    /// file, taking it as a newer export of the same list. On when the file
    /// shares an appointment id with the plan; off for a file that shares none
    /// (another list, e.g. Monday's cancellations after Friday's). The user may change it.
    pub set_aside_missing: bool,
    /// Local appointment types the plan does not know, most rows first. Their
    /// rows are not imported (nor in `rejected` when that is their only problem).
    pub unknown_types: Vec<UnknownType>,
    /// The type mapping this file used (local name as written -> catalogue
    /// type), from the user's mapping or the plan's memory: remembered on accept.
    pub type_mapping: BTreeMap<String, String>,
    /// Columns of the file that give nothing, with sample values.
    pub ignored: Vec<IgnoredColumn>,
    /// What the reading did that the user should know (lines skipped, encoding).
    pub notes: Vec<String>,
    /// What changes the outcome unless looked at: a missing consent, phone,
    /// id or priority column, lines in another encoding, repaired phone numbers.
    pub file_warnings: Vec<String>,
}

impl BacklogPreview {
    /// Number of distinct rows that will not be imported: rejected rows and
    /// rows of an unmapped type.
    pub fn rejected_rows(&self) -> usize {
        let mut lines: Vec<usize> = self.rejected.iter().map(|e| e.line).collect();
        lines.extend(self.unknown_types.iter().flat_map(|t| t.lines.iter().copied()));
        lines.sort_unstable();
        lines.dedup();
        lines.len()
    }
}

/// What a rota file would add to the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct RotaPreview {
    /// Source header -> canonical column; "" for a column the user chose to ignore.
    pub mapping: BTreeMap<String, String>,
    pub headers: Vec<String>,
    /// Clinicians named in the file but not in the plan, created with the file's role.
    pub new_clinicians: Vec<Clinician>,
    pub sessions: Vec<Session>,
    pub rejected: Vec<RowError>,
    /// Sessions that import but deserve a look (on a weekend or bank holiday,
    /// outside the plan's horizon), sorted by line.
    pub warnings: Vec<RowError>,
    pub total_rows: usize,
    /// One row per session, or one row per slot made into sessions.
    pub shape: rota::RotaShape,
    /// Columns of the file that give nothing, with sample values.
    pub ignored: Vec<IgnoredColumn>,
    /// About the file as a whole: lines skipped, slots counted and not
    /// counted, roles taken from titles, video sessions planned as telephone.
    pub notes: Vec<String>,
    /// About the file as a whole and worth a look (lines in another encoding).
    pub file_warnings: Vec<String>,
    /// Rows read whose status says booked, embargoed, reserved or blocked: no capacity.
    pub not_free_rows: usize,
}

impl RotaPreview {
    /// Number of distinct rows that will not be imported.
    pub fn rejected_rows(&self) -> usize {
        distinct_lines(&self.rejected)
    }
}

/// Keeps the headers the file used for next time. Ignored columns are not
/// remembered: one plan remembers backlog and rota headers together, and
/// "ignore Date" for one must not hide "Date" in the other.
fn remember_mapping(plan: &mut crate::model::Plan, mapping: BTreeMap<String, String>) {
    plan.import_mapping.extend(mapping.into_iter().filter(|(_, column)| !column.is_empty()));
}

/// Keeps the appointment types mapped for next time (keyed as written).
fn remember_types(plan: &mut crate::model::Plan, types: BTreeMap<String, String>) {
    for (local, target) in types {
        let key = crate::model::name_key(&local);
        plan.import_types.retain(|known, _| crate::model::name_key(known) != key);
        plan.import_types.insert(local, target);
    }
}

fn distinct_lines(errors: &[RowError]) -> usize {
    let mut lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    lines.dedup();
    lines.len()
}

/// Collects the problems of one row while its values are read.
struct RowProblems {
    line: usize,
    list: Vec<RowError>,
}

impl RowProblems {
    fn new(line: usize) -> Self {
        RowProblems { line, list: Vec::new() }
    }

    fn add(&mut self, column: &str, reason: impl Into<String>) {
        self.list.push(RowError { line: self.line, column: column.to_string(), reason: reason.into() });
    }

    /// The row's value when it has no problems. Guarantees that a row giving
    /// no value has at least one problem listed, so no row is dropped silently.
    fn settle<T>(&mut self, value: Option<T>) -> Option<T> {
        match value {
            Some(value) if self.list.is_empty() => Some(value),
            _ => {
                if self.list.is_empty() {
                    self.add("row", "this row could not be read");
                }
                None
            }
        }
    }

    /// The value, or `None` with the reason recorded.
    fn take<T, E: std::fmt::Display>(&mut self, column: &str, result: Result<T, E>) -> Option<T> {
        result.map_err(|reason| self.add(column, reason.to_string())).ok()
    }
}
