//! Turning the bytes of an exported CSV into text, finding its separator and
//! matching its header to Rebook's canonical columns.

use super::ImportError;
use crate::model::name_key;
use std::collections::BTreeMap;

/// Files larger than this are refused: a 10,000-appointment export is about
/// 3 MB, and the limit keeps a wrong file from exhausting memory.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// More data rows than this are refused (a network hub has about 10,000).
pub const MAX_IMPORT_ROWS: usize = 200_000;

/// A value longer than this (in bytes) stops the import: no export field comes
/// near it, and it usually means an unclosed quote swallowed the rest of the file.
pub const MAX_FIELD_CHARS: usize = 10_000;

/// One canonical column: its name, whether a file must have it, and the other
/// header names clinical-system and spreadsheet exports use for it.
pub(crate) struct ColumnSpec {
    pub name: &'static str,
    pub required: bool,
    /// Written as people write them; compared through `name_key`.
    pub aliases: &'static [&'static str],
}

/// Decodes an export: UTF-8 with or without BOM, UTF-16 with BOM (Excel's
/// "Unicode text"), otherwise Windows-1252 (Excel on Windows "CSV").
pub(crate) fn decode(bytes: &[u8]) -> Result<String, ImportError> {
    decode_noting(bytes).map(|decoded| decoded.text)
}

/// A decoded export with what the decoding found worth saying.
pub(crate) struct Decoded {
    pub text: String,
    /// The lines read as Windows-1252, named.
    pub warnings: Vec<String>,
}

/// [`decode`], deciding the encoding line by line: a line that is valid
/// UTF-8 stays UTF-8 and any other line is Windows-1252, so one pasted row
/// cannot garble every accented name of an otherwise UTF-8 file. Says which
/// lines were converted.
pub(crate) fn decode_noting(bytes: &[u8]) -> Result<Decoded, ImportError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge { size: bytes.len(), max: MAX_IMPORT_BYTES });
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(ImportError::NotText(
            "it looks like an Excel workbook (.xlsx); open it in Excel and save it as \"CSV (comma delimited)\"".into(),
        ));
    }
    let mut warnings = Vec::new();
    let text = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom_length)) if encoding != encoding_rs::UTF_8 => {
            encoding.decode_without_bom_handling(&bytes[bom_length..]).0.into_owned()
        }
        bom => {
            let body = &bytes[bom.map_or(0, |(_, length)| length)..];
            match std::str::from_utf8(body) {
                Ok(text) => text.to_string(),
                Err(_) => {
                    let (text, converted, utf8_lines) = decode_by_line(body);
                    if utf8_lines == 0 {
                        // Excel's "CSV" on Windows, or a UTF-8 file with a stray
                        // byte: the bytes cannot tell, so the lines are named.
                        warnings.push(format!(
                            "{} not valid UTF-8 and {} read as Windows-1252 (as Excel saves \"CSV\" on Windows): \
                             check the accented letters there",
                            line_list(&converted),
                            if converted.len() == 1 { "was" } else { "were" }
                        ));
                    } else {
                        warnings.push(format!(
                            "{} not in UTF-8 like the rest of the file and {} read as Windows-1252: check the accented letters there",
                            line_list(&converted),
                            if converted.len() == 1 { "was" } else { "were" }
                        ));
                    }
                    text
                }
            }
        }
    };
    if text.contains('\0') {
        return Err(ImportError::NotText("it contains binary data (NUL bytes); export the data as CSV".into()));
    }
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(Decoded { text, warnings })
}

/// The text, the 1-based lines read as Windows-1252, and the number of lines
/// with non-ASCII UTF-8 (a UTF-8 byte sequence never holds a line break byte).
fn decode_by_line(bytes: &[u8]) -> (String, Vec<usize>, usize) {
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut converted = Vec::new();
    let mut utf8_lines = 0;
    for (index, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        match std::str::from_utf8(line) {
            Ok(valid) => {
                utf8_lines += usize::from(!valid.is_ascii());
                text.push_str(valid);
            }
            Err(_) => {
                converted.push(index + 1);
                text.push_str(&encoding_rs::WINDOWS_1252.decode_without_bom_handling(line).0);
            }
        }
    }
    (text, converted, utf8_lines)
}

/// "line 4", "lines 4, 9 and 12", "lines 1, 2, ... (and 30 more)".
pub(crate) fn line_list(lines: &[usize]) -> String {
    const SHOWN: usize = 10;
    let shown: Vec<String> = lines.iter().take(SHOWN).map(usize::to_string).collect();
    match lines.len() {
        0 => "no line".into(),
        1 => format!("line {}", shown[0]),
        n if n <= SHOWN => format!("lines {} and {}", shown[..n - 1].join(", "), shown[n - 1]),
        n => format!("lines {} (and {} more)", shown.join(", "), n - SHOWN),
    }
}

/// Picks comma or semicolon from the header line (the first non-blank line),
/// counting separators outside quotes. Tab-separated and single-column files
/// are refused with a message saying how to re-export.
pub(crate) fn detect_separator(text: &str) -> Result<u8, ImportError> {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    // Excel's "sep=;" first line names the separator outright.
    if let Some(named) = excel_separator_line(header) {
        return match named {
            ',' => Ok(b','),
            ';' => Ok(b';'),
            other => Err(ImportError::WrongSeparator(format!(
                "the file says its separator is \"{}\"; Rebook reads comma- or semicolon-separated CSV",
                other.escape_default()
            ))),
        };
    }
    let (mut commas, mut semicolons, mut tabs, mut pipes) = (0, 0, 0, 0);
    let mut in_quotes = false;
    for c in header.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => commas += 1,
            ';' if !in_quotes => semicolons += 1,
            '\t' if !in_quotes => tabs += 1,
            '|' if !in_quotes => pipes += 1,
            _ => {}
        }
    }
    let shown: String = header.chars().take(80).collect();
    if tabs > commas && tabs > semicolons {
        return Err(ImportError::WrongSeparator(format!(
            "the columns are separated by tabs; Rebook reads comma- or semicolon-separated CSV. \
             Save the file from Excel as \"CSV (comma delimited)\". Header line: \"{}\"",
            shown.replace('\t', " ⇥ ")
        )));
    }
    if pipes > commas && pipes > semicolons {
        return Err(ImportError::WrongSeparator(format!(
            "the columns are separated by \"|\"; Rebook reads comma- or semicolon-separated CSV. Header line: \"{shown}\""
        )));
    }
    match (commas, semicolons) {
        (0, 0) => Err(ImportError::WrongSeparator(format!(
            "the header line has only one column (\"{shown}\"); Rebook reads comma- or semicolon-separated CSV \
             with one column per field"
        ))),
        (c, s) if s > c => Ok(b';'),
        _ => Ok(b','),
    }
}

/// The separator named by an Excel "sep=X" line.
fn excel_separator_line(line: &str) -> Option<char> {
    let line = line.trim_start_matches('\u{feff}').trim_end_matches(['\r', '\n']);
    let rest = line.get(..4).filter(|p| p.eq_ignore_ascii_case("sep="))?;
    let mut chars = line[rest.len()..].chars();
    let separator = chars.next()?;
    chars.next().is_none().then_some(separator)
}

/// How firmly a header was matched, so a user's choice beats a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    Alias,
    Canonical,
    Remembered,
    Override,
}

/// The header of a file matched to canonical columns.
#[derive(Debug, Clone)]
pub(crate) struct Mapping {
    /// Source headers in file order, trimmed.
    pub headers: Vec<String>,
    /// Canonical column -> index of the field holding it.
    pub index: BTreeMap<&'static str, usize>,
    /// Source header -> canonical column ("" for a column the user chose to ignore).
    pub shown: BTreeMap<String, String>,
    /// Columns of the file that give nothing, with sample values (filled by [`read_rows`]).
    pub ignored: Vec<super::IgnoredColumn>,
    /// Lines skipped above the header and below the data (filled by [`read_rows`]).
    pub notes: Vec<String>,
}

impl Mapping {
    pub fn has(&self, column: &str) -> bool {
        self.index.contains_key(column)
    }
}

/// Matches headers to columns: the user's overrides first, then the mapping
/// remembered in the plan, then canonical names and aliases (case, spaces and
/// `_` ignored). Overrides and remembered entries naming a column of the other
/// import kind are not applied here (one plan remembers both kinds).
pub(crate) fn map_headers(
    headers: &[String],
    specs: &[ColumnSpec],
    remembered: &BTreeMap<String, String>,
    overrides: &BTreeMap<String, String>,
) -> Result<Mapping, ImportError> {
    let lookup = |table: &BTreeMap<String, String>, header: &str| -> Option<String> {
        table.get(header).cloned().or_else(|| {
            let key = name_key(header);
            table.iter().find(|(source, _)| name_key(source) == key).map(|(_, target)| target.clone())
        })
    };
    let canonical_of = |target: &str| -> Option<&'static str> {
        let key = name_key(target);
        specs.iter().find(|s| name_key(s.name) == key).map(|s| s.name)
    };

    let mut chosen: BTreeMap<&'static str, (usize, Strength)> = BTreeMap::new();
    let mut shown = BTreeMap::new();
    for (field, header) in headers.iter().enumerate() {
        let candidate: Option<(&'static str, Strength)> = if let Some(target) = lookup(overrides, header) {
            if target.trim().is_empty() || name_key(&target) == "ignore" {
                shown.insert(header.clone(), String::new());
                continue;
            }
            let Some(column) = canonical_of(&target) else {
                return Err(ImportError::UnknownColumn {
                    header: header.clone(),
                    column: target,
                    known: specs.iter().map(|s| s.name.to_string()).collect(),
                });
            };
            Some((column, Strength::Override))
        } else if let Some(column) = lookup(remembered, header).as_deref().and_then(canonical_of) {
            Some((column, Strength::Remembered))
        } else {
            let key = name_key(header);
            specs.iter().find(|s| name_key(s.name) == key).map(|s| (s.name, Strength::Canonical)).or_else(|| {
                specs.iter().find(|s| s.aliases.iter().any(|a| name_key(a) == key)).map(|s| (s.name, Strength::Alias))
            })
        };
        let Some((column, strength)) = candidate else { continue };
        match chosen.get(column) {
            Some(&(other, other_strength)) if other_strength >= strength => {
                if strength >= Strength::Canonical && strength == other_strength {
                    return Err(ImportError::DuplicateColumn {
                        column: column.to_string(),
                        first: headers[other].clone(),
                        second: header.clone(),
                    });
                }
            }
            _ => {
                chosen.insert(column, (field, strength));
            }
        }
    }

    for (&column, &(field, _)) in &chosen {
        shown.insert(headers[field].clone(), column.to_string());
    }
    let index = chosen.into_iter().map(|(column, (field, _))| (column, field)).collect();
    Ok(Mapping { headers: headers.to_vec(), index, shown, ignored: Vec::new(), notes: Vec::new() })
}

/// Checks a column table: each header key names one column only, and the
/// public list of names is the table's (used by the tests of each import kind).
#[cfg(test)]
pub(crate) fn assert_specs_consistent(specs: &[ColumnSpec], public: &[&str]) {
    let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
    assert_eq!(names, public);
    let mut owner: BTreeMap<String, &str> = BTreeMap::new();
    for spec in specs {
        for key in std::iter::once(spec.name).chain(spec.aliases.iter().copied()).map(name_key) {
            let previous = owner.insert(key.clone(), spec.name);
            assert!(previous.is_none_or(|p| p == spec.name), "\"{key}\" names both {previous:?} and {}", spec.name);
        }
    }
}

/// The error for a required column the mapping lacks.
pub(crate) fn missing(column: &'static str, specs: &[ColumnSpec], mapping: &Mapping) -> ImportError {
    let aliases = specs.iter().find(|s| s.name == column).map(|s| s.aliases).unwrap_or(&[]);
    ImportError::MissingColumn {
        column: column.to_string(),
        also_accepted: aliases.iter().take(6).map(|a| a.to_string()).collect(),
        found: mapping.headers.clone(),
    }
}

/// The fields of one data row, looked up by canonical column.
pub(crate) struct Row<'a> {
    /// 1-based line of the file where the row starts.
    pub line: usize,
    pub record: &'a csv::StringRecord,
    pub mapping: &'a Mapping,
}

impl Row<'_> {
    /// The trimmed value of a column; `None` when the column is absent or the cell empty.
    pub fn get(&self, column: &str) -> Option<&str> {
        let field = *self.mapping.index.get(column)?;
        let value = self.record.get(field)?.trim();
        (!value.is_empty()).then_some(value)
    }
}

/// Non-empty records read before choosing the header: a report title above
/// the header is skipped when a later line within these is clearly the header.
const HEADER_SEARCH_LINES: usize = 20;

/// Sample values kept for each ignored column.
const SAMPLES: usize = 3;

/// Reads the file row by row, calling `each` for every non-blank data row,
/// without holding all rows in memory. Returns the mapping and the number of data rows.
///
/// The header is the first line naming at least two known columns (title
/// lines above it are skipped, with a note), else the first non-blank line.
/// Total and footer lines ("Total: 80") are skipped with a note. Every column
/// that gives nothing is listed in `Mapping::ignored` with sample values.
pub(crate) fn read_rows(
    text: &str,
    specs: &[ColumnSpec],
    remembered: &BTreeMap<String, String>,
    overrides: &BTreeMap<String, String>,
    mut check_header: impl FnMut(&Mapping) -> Result<(), ImportError>,
    mut each: impl FnMut(&Row<'_>),
) -> Result<(Mapping, usize), ImportError> {
    let separator = detect_separator(text)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .flexible(true)
        .has_headers(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let csv_error = |e: csv::Error| ImportError::Csv {
        line: e.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX)),
        message: e.to_string(),
    };

    let mut lines = LineCounter { text: text.as_bytes(), offset: 0, line: 1 };
    let mut line_of = |record: &csv::StringRecord| -> Result<usize, ImportError> {
        let offset = record.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let line = lines.line_at(offset);
        let chars = record.iter().map(str::len).max().unwrap_or(0);
        if chars > MAX_FIELD_CHARS {
            return Err(ImportError::FieldTooLong { line, chars, max: MAX_FIELD_CHARS });
        }
        Ok(line)
    };

    // The first non-blank records, to find the header among them.
    let mut leading: Vec<(usize, csv::StringRecord)> = Vec::new();
    let mut first = true;
    while leading.len() < HEADER_SEARCH_LINES && reader.read_record(&mut record).map_err(csv_error)? {
        let line = line_of(&record)?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let sep_line = record.get(0).is_some_and(|f| f.len() <= 5 && f.to_ascii_lowercase().starts_with("sep="));
        if std::mem::take(&mut first) && sep_line {
            continue;
        }
        leading.push((line, record.clone()));
    }
    let header_texts = |record: &csv::StringRecord| -> Vec<String> {
        record.iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_string()).collect()
    };
    let looks_like_header = |record: &csv::StringRecord| {
        let named = record.iter().filter(|f| !f.is_empty()).count();
        // A header that does not map cleanly still names columns: take it and report the problem.
        named >= 2
            && map_headers(&header_texts(record), specs, remembered, overrides).ok().is_none_or(|m| m.index.len() >= 2)
    };
    let header_at = leading.iter().position(|(_, r)| looks_like_header(r)).unwrap_or(0);
    let Some((_, header_record)) = leading.get(header_at) else { return Err(ImportError::Empty) };
    let headers = header_texts(header_record);
    let mut mapping = map_headers(&headers, specs, remembered, overrides)?;
    check_header(&mapping)?;
    if header_at > 0 {
        let (first_line, first_title) = &leading[0];
        mapping.notes.push(format!(
            "Skipped {header_at} line(s) above the header (a report title?), from line {first_line}: \"{}\"",
            shown_record(first_title)
        ));
    }

    let mapped: Vec<usize> = mapping.index.values().copied().collect();
    let width = headers.len();
    let mut samples: Vec<Vec<String>> = vec![Vec::new(); width];
    let mut footers: Vec<(usize, String)> = Vec::new();
    let mut rows = 0;
    let mut take = |line: usize, record: &csv::StringRecord, mapping: &Mapping| -> Result<(), ImportError> {
        if let Some(footer) = footer_text(record) {
            footers.push((line, footer));
            return Ok(());
        }
        rows += 1;
        if rows > MAX_IMPORT_ROWS {
            return Err(ImportError::TooManyRows { max: MAX_IMPORT_ROWS });
        }
        for (field, value) in record.iter().enumerate().take(width) {
            let list = &mut samples[field];
            if !value.is_empty() && list.len() < SAMPLES && !mapped.contains(&field) && !list.iter().any(|v| v == value)
            {
                list.push(value.to_string());
            }
        }
        each(&Row { line, record, mapping });
        Ok(())
    };
    for (line, record) in &leading[header_at + 1..] {
        take(*line, record, &mapping)?;
    }
    while reader.read_record(&mut record).map_err(csv_error)? {
        let line = line_of(&record)?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        take(line, &record, &mapping)?;
    }

    if let Some((line, text)) = footers.first() {
        mapping.notes.push(format!(
            "Skipped {} line(s) that are totals or report footers, not appointments: line {line} \"{text}\"",
            footers.len()
        ));
    }
    for (field, header) in headers.iter().enumerate() {
        let values = std::mem::take(&mut samples[field]);
        if mapped.contains(&field) || (header.is_empty() && values.is_empty()) {
            continue;
        }
        let header = if header.is_empty() { format!("(column {}, no header)", field + 1) } else { header.clone() };
        mapping.ignored.push(super::IgnoredColumn { header, samples: values });
    }
    Ok((mapping, rows))
}

/// A record's non-empty fields joined, shortened for a message.
fn shown_record(record: &csv::StringRecord) -> String {
    let text = record.iter().filter(|f| !f.is_empty()).collect::<Vec<_>>().join(" ");
    let short: String = text.chars().take(60).collect();
    if short.len() < text.len() { format!("{short}...") } else { short }
}

/// The text of a total or footer line under the data ("Total: 80",
/// "Count,80", "End of report"): a line of one or two values starting so.
fn footer_text(record: &csv::StringRecord) -> Option<String> {
    const STARTS: &[&str] =
        &["total", "grand total", "count", "number of", "end of report", "report end", "printed", "report run"];
    let values: Vec<&str> = record.iter().filter(|f| !f.is_empty()).collect();
    let first = values.first()?.to_lowercase();
    (values.len() <= 2 && STARTS.iter().any(|s| first.starts_with(s))).then(|| shown_record(record))
}

/// Physical line numbers of record starts. The csv crate's own line count
/// is off after blank lines and with CRLF, and its byte position may point at
/// the line break before a record, so count from the bytes ourselves.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl LineCounter<'_> {
    /// The 1-based line of the record whose reported start is `offset`
    /// (offsets only grow, so counting is linear over the file).
    fn line_at(&mut self, offset: usize) -> usize {
        let mut start = offset.min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start >= self.offset {
            self.line += self.text[self.offset..start].iter().filter(|&&b| b == b'\n').count();
            self.offset = start;
        }
        self.line
    }
}

/// A row with more non-empty fields than the header has columns usually means
/// a comma inside an unquoted value, which shifts every later column.
pub(crate) fn extra_fields_reason(row: &Row<'_>) -> Option<String> {
    let width = row.mapping.headers.len();
    let extra = row.record.iter().skip(width).any(|f| !f.is_empty());
    extra.then(|| {
        format!(
            "this row has {} fields but the header has {width} columns; a value with a comma in it (like \"SMITH, Jane\") must be in double quotes",
            row.record.len()
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SPECS: &[ColumnSpec] = &[
        ColumnSpec { name: "nhs_number", required: true, aliases: &["NHS No", "NHS"] },
        ColumnSpec { name: "original_date", required: true, aliases: &["Appt Date", "Date"] },
    ];

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn decodes_utf8_bom_utf16_and_cp1252() {
        assert_eq!(decode("\u{feff}a,b".as_bytes()).unwrap(), "a,b");
        assert_eq!(decode(b"Zo\xeb,x").unwrap(), "Zoë,x");
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("a,ë".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(decode(&utf16).unwrap(), "a,ë");
        assert!(matches!(decode(b"  \r\n "), Err(ImportError::Empty)));
        assert!(matches!(decode(b"PK\x03\x04rest"), Err(ImportError::NotText(_))));
    }

    #[test]
    fn separators() {
        assert_eq!(detect_separator("a,b;c,d\n").unwrap(), b',');
        assert_eq!(detect_separator("\"a,b\";c;d\n1,2;3").unwrap(), b';');
        assert!(matches!(detect_separator("a\tb\tc\n"), Err(ImportError::WrongSeparator(m)) if m.contains("tabs")));
        assert!(
            matches!(detect_separator("just one\n"), Err(ImportError::WrongSeparator(m)) if m.contains("one column"))
        );
        assert_eq!(detect_separator("sep=;\na,b\n").unwrap(), b';');
        assert_eq!(detect_separator("SEP=,\r\na;b\n").unwrap(), b',');
        assert!(matches!(detect_separator("sep=\t\na\tb\n"), Err(ImportError::WrongSeparator(_))));
    }

    #[test]
    fn header_matching_strengths() {
        let none = BTreeMap::new();
        let m = map_headers(&headers(&["NHS_No", "appt date"]), SPECS, &none, &none).unwrap();
        assert_eq!(m.index.get("nhs_number"), Some(&0));
        assert_eq!(m.index.get("original_date"), Some(&1));
        // Canonical name beats alias, whichever comes first.
        let m = map_headers(&headers(&["Date", "Original Date"]), SPECS, &none, &none).unwrap();
        assert_eq!(m.index.get("original_date"), Some(&1));
        // Override beats canonical; "" ignores a column.
        let overrides: BTreeMap<String, String> =
            [("Booked".to_string(), "original_date".to_string()), ("NHS".to_string(), String::new())].into();
        let m = map_headers(&headers(&["NHS", "Original Date", "Booked"]), SPECS, &none, &overrides).unwrap();
        assert_eq!(m.index.get("original_date"), Some(&2));
        assert!(!m.has("nhs_number"));
        assert_eq!(m.shown.get("NHS").map(String::as_str), Some(""));
        // Remembered entries for columns of another import kind are not applied.
        let remembered: BTreeMap<String, String> = [("Date".to_string(), "date".to_string())].into();
        let m = map_headers(&headers(&["Date"]), SPECS, &remembered, &none).unwrap();
        assert_eq!(m.index.get("original_date"), Some(&0));
    }

    #[test]
    fn conflicting_columns_and_unknown_override_are_errors() {
        let none = BTreeMap::new();
        let err = map_headers(&headers(&["NHS Number", "nhs_number"]), SPECS, &none, &none).unwrap_err();
        assert!(matches!(err, ImportError::DuplicateColumn { .. }));
        let overrides: BTreeMap<String, String> = [("X".to_string(), "shoe size".to_string())].into();
        let err = map_headers(&headers(&["X"]), SPECS, &none, &overrides).unwrap_err();
        assert!(err.to_string().contains("shoe size"), "{err}");
    }
}
