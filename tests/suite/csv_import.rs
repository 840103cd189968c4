//! CSV import of the backlog and the rota: every error class with its line and
//! column, encodings, separators, header aliases and overrides, rota creation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveTime, Weekday};
use rebook::io::csv_import::{
    self, BACKLOG_COLUMNS, ImportError, ROTA_COLUMNS, RowError, accept_backlog, accept_rota, preview_backlog,
    preview_rota,
};
use rebook::model::{Continuity, DaySpec, Horizon, ModeRequirement, PartOfDay, Plan, Unavailability, nhs};
use std::collections::BTreeMap;

/// The n-th synthetic NHS number, written with spaces as people do.
fn nhs_no(n: usize) -> String {
    nhs::format(&nhs::test_numbers().nth(n).unwrap())
}

fn none() -> BTreeMap<String, String> {
    BTreeMap::new()
}

use crate::common::date as d;

fn plan_with_patel() -> Plan {
    let mut plan = Plan::new("Riverside Medical Practice");
    plan.clinicians.push(crate::test_plans::clinician("GP-PATEL", "Dr A Patel", "GP"));
    plan
}

const HEADER: &str = "appointment_id,nhs_number,patient_name,date_of_birth,phone,sms_consent,original_date,original_time,\
original_clinician,appointment_type,slots,priority,mode,continuity,unavailable,earliest_date,see_by,notes";

fn good_row(id: &str, n: usize) -> String {
    format!(
        "{id},{},\"SMITH, Jane\",02/03/1957,07700 900123,Y,19/07/2024,09:20,Dr A Patel,GP routine,,Routine,F2F,Preferred,\"Mon AM; Fri\",24/07/2024,26/07/2024,fasting bloods",
        nhs_no(n)
    )
}

fn errors_at(rejected: &[RowError], line: usize) -> Vec<(String, String)> {
    rejected.iter().filter(|e| e.line == line).map(|e| (e.column.clone(), e.reason.clone())).collect()
}

#[test]
fn a_good_row_imports_with_every_field() {
    let plan = plan_with_patel();
    let csv = format!("{HEADER}\n{}\n", good_row("A-000123", 0));
    let preview = preview_backlog(&plan, csv.as_bytes(), &none()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    assert_eq!(preview.total_rows, 1);
    let item = &preview.items[0];
    assert_eq!(item.id, "A-000123");
    assert_eq!(item.patient.nhs_number, nhs::test_numbers().next().unwrap());
    assert_eq!(item.patient.name, "SMITH, Jane");
    assert_eq!(item.patient.date_of_birth, Some(d(1957, 3, 2)));
    assert!(item.patient.sms_consent);
    assert_eq!(item.original_date, d(2024, 7, 19));
    assert_eq!(item.original_time, NaiveTime::from_hms_opt(9, 20, 0));
    assert_eq!(item.original_clinician, "GP-PATEL");
    assert_eq!((item.appointment_type.as_str(), item.slots, item.priority.as_str()), ("GP routine", 1, "Routine"));
    assert_eq!(item.mode, ModeRequirement::FaceToFace);
    assert_eq!(item.continuity, Continuity::Preferred("GP-PATEL".into()));
    assert_eq!(
        item.unavailable,
        vec![
            Unavailability { day: DaySpec::Weekday(Weekday::Mon), part: Some(PartOfDay::AM) },
            Unavailability { day: DaySpec::Weekday(Weekday::Fri), part: None },
        ]
    );
    assert_eq!((item.earliest_date, item.see_by), (Some(d(2024, 7, 24)), Some(d(2024, 7, 26))));
    assert_eq!(item.notes, "fasting bloods");
}

#[test]
fn bad_rows_are_reported_with_line_column_and_reason_and_the_rest_imports() {
    let plan = plan_with_patel();
    let mut lines = vec![HEADER.to_string()];
    lines.push(good_row("A-1", 0)); // line 2
    lines.push(good_row("A-2", 1).replace("19/07/2024", "31/02/2024")); // line 3: bad date
    lines.push(good_row("A-3", 2).replace(&nhs_no(2), "987 654 4321")); // line 4: published number failing the check
    lines.push(good_row("A-4", 3).replace("GP routine", "Chiropody")); // line 5: unknown type
    lines.push(good_row("A-1", 4)); // line 6: duplicate id
    lines.push(good_row("A-6", 5).replace("19/07/2024", "19/07/0024")); // line 7: implausible year
    lines.push(good_row("A-7", 6).replace(&nhs_no(6), "12345")); // line 8: wrong length
    lines.push(good_row("A-8", 7)); // line 9
    let csv = lines.join("\n");
    let preview = preview_backlog(&plan, csv.as_bytes(), &none()).unwrap();

    assert_eq!(preview.total_rows, 8);
    assert_eq!(preview.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["A-1", "A-8"]);
    assert_eq!(preview.rejected_rows(), 6);
    assert_eq!(
        errors_at(&preview.rejected, 3),
        [("original_date".to_string(), "\"31/02/2024\" is not a real date (no such day)".to_string())]
    );
    let nhs = errors_at(&preview.rejected, 4);
    assert_eq!(nhs.len(), 1);
    assert_eq!(nhs[0].0, "nhs_number");
    assert!(nhs[0].1.contains("987 654 4321") && nhs[0].1.contains("check"), "{}", nhs[0].1);
    // An unknown type is listed once with its lines, not as a row error repeating the catalogue.
    assert!(errors_at(&preview.rejected, 5).is_empty());
    let unknown = &preview.unknown_types;
    assert_eq!((unknown.len(), unknown[0].name.as_str(), unknown[0].lines.as_slice()), (1, "Chiropody", &[5][..]));
    assert_eq!(
        errors_at(&preview.rejected, 6),
        [("appointment_id".to_string(), "duplicate id \"A-1\": already used on line 2".to_string())]
    );
    let year = errors_at(&preview.rejected, 7);
    assert_eq!(year[0].0, "original_date");
    assert!(year[0].1.contains("0024 is not plausible"), "{}", year[0].1);
    let length = errors_at(&preview.rejected, 8);
    assert_eq!(length[0].0, "nhs_number");
    assert!(length[0].1.contains("10 digits"), "{}", length[0].1);
}

#[test]
fn duplicate_ids_against_the_plan_and_generated_ids() {
    let mut plan = plan_with_patel();
    let first = format!("{HEADER}\n{}\n", good_row("A-1", 0));
    let preview = preview_backlog(&plan, first.as_bytes(), &none()).unwrap();
    accept_backlog(&mut plan, preview);
    assert_eq!(plan.backlog.len(), 1);

    // Same id again: an update of the item already in the plan (a newer export),
    // not a duplicate. Rows without an id get IMP-0001..., skipping ids in the file.
    let second = format!("{HEADER}\n{}\n{}\n{}\n", good_row("A-1", 1), good_row("", 2), good_row("IMP-0001", 3));
    let preview = preview_backlog(&plan, second.as_bytes(), &none()).unwrap();
    assert!(errors_at(&preview.rejected, 2).is_empty(), "{:?}", preview.rejected);
    let ids: Vec<&str> = preview.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["A-1", "IMP-0002", "IMP-0001"]);
    let diff = rebook::io::csv_import::reimport_diff(&plan, &preview);
    assert_eq!(diff.added, ["IMP-0002", "IMP-0001"]);
    assert_eq!(diff.changed.len(), 1);
    assert_eq!(diff.changed[0].fields, ["NHS number changed"]);

    // A duplicate of a rejected row is still a duplicate.
    let third =
        format!("{HEADER}\n{}\n{}\n", good_row("B-9", 4).replace("19/07/2024", "40/07/2024"), good_row("B-9", 5));
    let preview = preview_backlog(&plan, third.as_bytes(), &none()).unwrap();
    assert!(preview.items.is_empty());
    assert_eq!(errors_at(&preview.rejected, 2)[0].0, "original_date");
    assert_eq!(
        errors_at(&preview.rejected, 3),
        [("appointment_id".to_string(), "duplicate id \"B-9\": already used on line 2".to_string())]
    );
}

#[test]
fn several_problems_in_one_row_are_all_listed() {
    let plan = plan_with_patel();
    let row =
        good_row("A-1", 0).replace("02/03/1957", "1957").replace("Routine", "Whenever").replace(",Y,", ",perhaps,");
    let preview = preview_backlog(&plan, format!("{HEADER}\n{row}").as_bytes(), &none()).unwrap();
    let columns: Vec<String> = errors_at(&preview.rejected, 2).into_iter().map(|(c, _)| c).collect();
    assert_eq!(columns, ["date_of_birth", "sms_consent", "priority"]);
    assert_eq!(preview.rejected_rows(), 1);
    assert!(preview.items.is_empty());
}

#[test]
fn missing_required_column_names_it_and_lists_the_headers() {
    let plan = Plan::new("P");
    let csv = "Patient,Appt Date,Slot Type\nSMITH Jane,19/07/2024,GP routine\n";
    let err = preview_backlog(&plan, csv.as_bytes(), &none()).unwrap_err();
    match &err {
        ImportError::MissingColumn { column, found, .. } => {
            assert_eq!(column, "nhs_number");
            assert_eq!(found, &["Patient", "Appt Date", "Slot Type"]);
        }
        other => panic!("unexpected {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("\"nhs_number\"") && message.contains("\"Appt Date\""), "{message}");
}

#[test]
fn wrong_separator_empty_file_and_non_csv_are_clear_errors() {
    let plan = Plan::new("P");
    let tabs = format!("{}\n", HEADER.replace(',', "\t"));
    let err = preview_backlog(&plan, tabs.as_bytes(), &none()).unwrap_err();
    assert!(matches!(&err, ImportError::WrongSeparator(m) if m.contains("tabs")), "{err}");
    let single = "NHS number only\n9990000018\n";
    let err = preview_backlog(&plan, single.as_bytes(), &none()).unwrap_err();
    assert!(matches!(&err, ImportError::WrongSeparator(m) if m.contains("one column")), "{err}");
    assert_eq!(preview_backlog(&plan, b"", &none()).unwrap_err(), ImportError::Empty);
    assert_eq!(preview_backlog(&plan, b"\r\n\r\n", &none()).unwrap_err(), ImportError::Empty);
    assert!(matches!(preview_backlog(&plan, b"PK\x03\x04\x14\x00", &none()), Err(ImportError::NotText(_))));
    assert!(matches!(preview_rota(&plan, b"", &none()), Err(ImportError::Empty)));
}

#[test]
fn header_only_file_imports_nothing_without_error() {
    let preview = preview_backlog(&Plan::new("P"), HEADER.as_bytes(), &none()).unwrap();
    assert_eq!((preview.total_rows, preview.items.len(), preview.rejected.len()), (0, 0, 0));
}

#[test]
fn bom_semicolons_and_crlf() {
    let plan = plan_with_patel();
    let semicolons = |row: String| row.replace(',', ";").replace("SMITH; Jane", "SMITH, Jane");
    let rows = [semicolons(HEADER.to_string()), semicolons(good_row("A-1", 0)), semicolons(good_row("A-2", 1))];
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(rows.join("\r\n").into_bytes());
    bytes.extend(b"\r\n");
    let preview = preview_backlog(&plan, &bytes, &none()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    assert_eq!(preview.items.len(), 2);
    assert_eq!(preview.mapping.get("appointment_id").map(String::as_str), Some("appointment_id"));
    // The quoted name with a comma survives the semicolon file; notes carry no stray \r.
    assert_eq!(preview.items[1].patient.name, "SMITH, Jane");
    assert_eq!(preview.items[1].notes, "fasting bloods");
}

#[test]
fn line_numbers_count_physical_lines_with_blank_and_multiline_rows() {
    let plan = plan_with_patel();
    let multiline = good_row("A-2", 1).replace("fasting bloods", "\"line one\nline two\"");
    let bad = good_row("A-3", 2).replace("GP routine", "Astrology");
    let csv = format!("{HEADER}\r\n{}\r\n\r\n{multiline}\r\n{bad}\r\n,,,,,,\r\n", good_row("A-1", 0));
    let preview = preview_backlog(&plan, csv.as_bytes(), &none()).unwrap();
    assert_eq!(preview.total_rows, 3, "blank and all-empty rows are not data");
    assert_eq!(preview.items[1].notes, "line one\nline two");
    // header 1, A-1 2, blank 3, multiline 4-5, row of an unknown type 6.
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    assert_eq!(preview.unknown_types[0].lines, [6]);
}

#[test]
fn excel_sep_line_is_honoured_and_lines_still_count() {
    let plan = plan_with_patel();
    let bad = good_row("A-2", 1).replace("19/07/2024", "32/07/2024");
    let csv = format!("sep=,\n{HEADER}\n{}\n{bad}\n", good_row("A-1", 0));
    let preview = preview_backlog(&plan, csv.as_bytes(), &none()).unwrap();
    assert_eq!(preview.items.len(), 1);
    assert_eq!((preview.rejected[0].line, preview.rejected[0].column.as_str()), (4, "original_date"));
}

#[test]
fn windows_1252_names_are_read() {
    let plan = plan_with_patel();
    let mut bytes = format!("{HEADER}\n").into_bytes();
    bytes.extend(good_row("A-1", 0).replace("SMITH, Jane", "BRONTË, Zoë").into_bytes());
    // Re-encode the row in Windows-1252 (ë and Ë are single bytes there).
    let text = String::from_utf8(bytes).unwrap();
    let (cp1252, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&cp1252).is_err(), "the test file must not be valid UTF-8");
    let preview = preview_backlog(&plan, &cp1252, &none()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    assert_eq!(preview.items[0].patient.name, "BRONTË, Zoë");
    assert_eq!(preview.items[0].patient.first_name(), "Zoë");
}

#[test]
fn clinical_system_headers_are_recognised() {
    let plan = plan_with_patel();
    let csv = format!(
        "NHS No,Surname,Forename,DOB,Appt Date,Appt Time,Clinician,Slot Type,Urgency,Mobile,Usual Clinician,Continuity\n\
         {},Brown,Amira,1980-11-30,2024-07-19,14:10,dr a patel,Nurse bloods,soon,07700 900456,,None\n\
         {},Green,Li,01/01/1990,19/07/2024,08:30,Dr Somebody Else,GP urgent,,,,\n",
        nhs_no(0),
        nhs_no(1)
    );
    let preview = preview_backlog(&plan, csv.as_bytes(), &none()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    for (header, column) in
        [("NHS No", "nhs_number"), ("Appt Date", "original_date"), ("Slot Type", "appointment_type")]
    {
        assert_eq!(preview.mapping.get(header).map(String::as_str), Some(column), "{header}");
    }
    let [a, b] = preview.items.as_slice() else { panic!("two items") };
    assert_eq!(a.patient.name, "BROWN, Amira");
    assert_eq!((a.original_clinician.as_str(), a.priority.as_str()), ("GP-PATEL", "Soon"));
    assert_eq!(a.patient.phone, "07700 900456");
    // Unknown clinicians keep the exported text; "GP urgent" without a priority is urgent.
    assert_eq!((b.original_clinician.as_str(), b.priority.as_str()), ("Dr Somebody Else", "Urgent"));
    assert_eq!(a.id, "IMP-0001");
}

#[test]
fn user_overrides_map_and_ignore_columns_and_are_remembered() {
    let mut plan = plan_with_patel();
    let csv = format!(
        "Booking,Patient NHS,Patient,Seen,Kind,Date\nB-1,{},\"SMITH, Jane\",19/07/2024,GP review,01/01/2000\n",
        nhs_no(0)
    );
    // Without overrides "Patient NHS" is unknown.
    let err = preview_backlog(&plan, csv.as_bytes(), &none()).unwrap_err();
    assert!(matches!(&err, ImportError::MissingColumn { column, .. } if column == "nhs_number"), "{err}");

    let overrides: BTreeMap<String, String> = [
        ("Booking", "appointment_id"),
        ("patient nhs", "nhs_number"),
        ("Seen", "original_date"),
        ("Kind", "appointment_type"),
        ("Date", ""),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let preview = preview_backlog(&plan, csv.as_bytes(), &overrides).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    assert_eq!(preview.items[0].id, "B-1");
    assert_eq!(preview.items[0].original_date, d(2024, 7, 19));
    assert_eq!(preview.mapping.get("Date").map(String::as_str), Some(""));
    assert_eq!(preview.headers, ["Booking", "Patient NHS", "Patient", "Seen", "Kind", "Date"]);
    accept_backlog(&mut plan, preview);
    assert_eq!(plan.import_mapping.get("Patient NHS").map(String::as_str), Some("nhs_number"));
    assert!(!plan.import_mapping.contains_key("Date"), "ignored columns are not remembered");

    // The next file with the same headers imports without overrides.
    let again = csv.replace("B-1", "B-2").replace(&nhs_no(0), &nhs_no(1));
    let preview = preview_backlog(&plan, again.as_bytes(), &none()).unwrap();
    assert_eq!(preview.items.len(), 1);
    assert_eq!(preview.items[0].original_date, d(2024, 7, 19));

    // An override naming no known column is refused.
    let bad: BTreeMap<String, String> = [("Kind".to_string(), "shoe size".to_string())].into();
    assert!(matches!(preview_backlog(&plan, csv.as_bytes(), &bad), Err(ImportError::UnknownColumn { .. })));
}

#[test]
fn continuity_modes_and_optional_columns() {
    let plan = plan_with_patel();
    let header = "nhs_number,patient_name,original_date,appointment_type,mode,continuity,continuity_clinician,original_clinician,preferred_part,deceased,slots";
    let rows = [
        "NHS,A,19/07/2024,GP double,,Required,GP-PATEL,,PM,N,", // 2: ok
        "NHS,B,19/07/2024,Nurse bloods,Telephone,,,,,,",        // 3: bloods cannot be by phone
        "NHS,C,19/07/2024,GP routine,,Required,Dr Nobody,,,,",  // 4: unknown required clinician
        "NHS,D,19/07/2024,GP routine,,Preferred,,,,,",          // 5: preferred without clinician
        "NHS,E,19/07/2024,GP routine,Any,sometimes,,,,Y,3",     // 6: bad continuity
        "NHS,F,19/07/2024,GP routine,,,,Dr Gone,morning,yes,0", // 7: 0 slots
    ];
    let body: Vec<String> = rows.iter().enumerate().map(|(i, r)| r.replacen("NHS", &nhs_no(i), 1)).collect();
    let csv = format!("{header}\n{}\n", body.join("\n"));
    let preview = preview_backlog(&plan, csv.as_bytes(), &none()).unwrap();
    let a = &preview.items[0];
    assert_eq!(a.continuity, Continuity::Required("GP-PATEL".into()));
    assert_eq!((a.slots, a.preferred_part), (2, Some(PartOfDay::PM)));
    assert_eq!(errors_at(&preview.rejected, 3)[0].0, "mode");
    assert!(errors_at(&preview.rejected, 3)[0].1.contains("Nurse bloods is offered only as Face-to-face"));
    assert_eq!(errors_at(&preview.rejected, 4)[0].0, "continuity_clinician");
    assert_eq!(errors_at(&preview.rejected, 5)[0].0, "continuity");
    assert_eq!(errors_at(&preview.rejected, 6)[0].0, "continuity");
    assert_eq!(errors_at(&preview.rejected, 7)[0].0, "slots");
    assert_eq!(preview.items.len(), 1);
}

#[test]
fn warnings_flag_good_rows_worth_a_look() {
    let plan = plan_with_patel();
    let repeat = good_row("A-2", 0); // same patient, date, time and type as A-1
    let deceased = good_row("A-3", 1).replace("Dr A Patel", "Dr Locum");
    let csv = format!("{HEADER},deceased\n{},N\n{repeat},N\n{deceased},Y\n", good_row("A-1", 0));
    let preview = preview_backlog(&plan, csv.as_bytes(), &none()).unwrap();
    assert_eq!(preview.items.len(), 3, "{:?}", preview.rejected);
    let warnings: Vec<(usize, &str)> = preview.warnings.iter().map(|w| (w.line, w.column.as_str())).collect();
    assert_eq!(warnings, [(3, "nhs_number"), (4, "deceased"), (4, "original_clinician")]);
    assert!(preview.warnings[0].reason.contains("line 2"));
    assert!(preview.items[2].patient.deceased);
}

#[test]
fn rota_warns_about_weekends_bank_holidays_and_dates_outside_the_plan() {
    let mut plan = plan_with_patel();
    plan.horizon = Some(Horizon { start: d(2024, 8, 19), end: d(2024, 8, 30) });
    let rota = "clinician,date,part,free_slots\n\
                Dr A Patel,23/08/2024,AM,10\n\
                Dr A Patel,24/08/2024,AM,10\n\
                Dr A Patel,26/08/2024,AM,10\n\
                Dr A Patel,02/09/2024,AM,10\n";
    let preview = preview_rota(&plan, rota.as_bytes(), &none()).unwrap();
    assert_eq!(preview.sessions.len(), 4);
    let warnings: Vec<(usize, &str)> = preview.warnings.iter().map(|w| (w.line, w.reason.as_str())).collect();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert_eq!(warnings[0], (3, "Sat 24/08/2024 is a weekend day"));
    assert_eq!(warnings[1], (4, "Mon 26/08/2024 is a bank holiday in England and Wales"));
    assert!(warnings[2].0 == 5 && warnings[2].1.contains("outside the plan's dates (19/08/2024 to 30/08/2024)"));
}

#[test]
fn unquoted_comma_in_a_value_is_reported_not_shifted() {
    let plan = plan_with_patel();
    let row = good_row("A-1", 0).replace("\"SMITH, Jane\"", "SMITH, Jane");
    let preview = preview_backlog(&plan, format!("{HEADER}\n{row}").as_bytes(), &none()).unwrap();
    assert!(preview.items.is_empty());
    assert_eq!(preview.rejected[0].column, "row");
    assert!(preview.rejected[0].reason.contains("double quotes"));
}

#[test]
fn size_and_row_limits() {
    let plan = Plan::new("P");
    let huge = vec![b'a'; csv_import::MAX_IMPORT_BYTES + 1];
    assert!(matches!(preview_backlog(&plan, &huge, &none()), Err(ImportError::TooLarge { .. })));
    let mut many = String::from("clinician,date,part,free_slots\n");
    for _ in 0..=csv_import::MAX_IMPORT_ROWS {
        many.push_str("x\n");
    }
    let err = preview_rota(&plan, many.as_bytes(), &none()).unwrap_err();
    assert!(matches!(err, ImportError::TooManyRows { .. }));
    assert!(err.to_string().contains("split the file"));
}

#[test]
fn canonical_column_lists_match_what_the_import_reads() {
    assert!(BACKLOG_COLUMNS.contains(&"nhs_number") && BACKLOG_COLUMNS.contains(&"deceased"));
    assert_eq!(
        ROTA_COLUMNS,
        ["clinician", "role", "date", "part", "start", "slot_minutes", "free_slots", "mode", "session_type", "status"]
    );
    // Every canonical name is accepted as its own header.
    let header = BACKLOG_COLUMNS.join(",");
    let preview = preview_backlog(&Plan::new("P"), header.as_bytes(), &none()).unwrap();
    assert_eq!(preview.mapping.len(), BACKLOG_COLUMNS.len());
    let header = ROTA_COLUMNS.join(";");
    let preview = preview_rota(&Plan::new("P"), header.as_bytes(), &none()).unwrap();
    assert_eq!(preview.mapping.len(), ROTA_COLUMNS.len());
}

const ROTA: &str = "Clinician,Role,Date,Part,Start,Slot Length,Free Slots,Mode\n\
Dr A Patel,GP,22/07/2024,AM,08:30,10,14,F2F\n\
Dr B Okafor,Salaried GP,22/07/2024,PM,,15,12,Telephone\n\
Sister Zoë Hughes,Nurse,23/07/2024,,09:00,15,10,\n\
Dr B Okafor,,24/07/2024,AM,,10,18,F2F\n\
Dr A Patel,GP,22/07/2024,AM,08:30,10,14,F2F\n\
Chris New,,25/07/2024,AM,,10,10,F2F\n\
Pat Physio,Physiotherapist,26/07/2024,AM,13:00,20,6,F2F\n";

#[test]
fn rota_import_creates_clinicians_sessions_and_horizon() {
    let mut plan = plan_with_patel();
    // A backlog imported before the rota names its clinician by name.
    let backlog = format!(
        "nhs_number,patient_name,original_date,appointment_type,original_clinician,continuity\n{},X,19/07/2024,GP review,Dr B Okafor,Preferred\n",
        nhs_no(0)
    );
    let preview = preview_backlog(&plan, backlog.as_bytes(), &none()).unwrap();
    accept_backlog(&mut plan, preview);
    assert_eq!(plan.backlog[0].original_clinician, "Dr B Okafor");

    let preview = preview_rota(&plan, ROTA.as_bytes(), &none()).unwrap();
    assert_eq!(preview.total_rows, 7);
    let rejected: Vec<(usize, &str)> = preview.rejected.iter().map(|e| (e.line, e.column.as_str())).collect();
    // line 6 repeats line 2; Chris New has no role or title; the physio's 13:00 start is not AM.
    assert_eq!(rejected, [(6, "row"), (7, "role"), (8, "start")]);
    assert!(preview.rejected[0].reason.contains("plan already has") || preview.rejected[0].reason.contains("line 2"));
    let names: Vec<(&str, &str, &str)> =
        preview.new_clinicians.iter().map(|c| (c.id.as_str(), c.name.as_str(), c.role.as_str())).collect();
    assert_eq!(names, [("GP-OKAFOR", "Dr B Okafor", "GP"), ("NURSE-HUGHES", "Sister Zoë Hughes", "Practice nurse")]);
    let ids: Vec<&str> = preview.sessions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        ["GP-PATEL-2024-07-22-AM", "GP-OKAFOR-2024-07-22-PM", "NURSE-HUGHES-2024-07-23-AM", "GP-OKAFOR-2024-07-24-AM"]
    );
    let okafor_pm = &preview.sessions[1];
    assert_eq!(
        (okafor_pm.start, okafor_pm.slot_minutes, okafor_pm.free_slots),
        (NaiveTime::from_hms_opt(14, 0, 0).unwrap(), 15, 12)
    );
    assert_eq!(preview.sessions[2].part, PartOfDay::AM);

    assert!(plan.horizon.is_none());
    accept_rota(&mut plan, preview);
    assert_eq!(plan.horizon, Some(Horizon { start: d(2024, 7, 22), end: d(2024, 7, 24) }));
    assert_eq!(plan.clinicians.len(), 3);
    assert_eq!(plan.sessions.len(), 4);
    assert_eq!(plan.backlog[0].original_clinician, "GP-OKAFOR");
    assert_eq!(plan.backlog[0].continuity, Continuity::Preferred("GP-OKAFOR".into()));
    assert_eq!(plan.import_mapping.get("Slot Length").map(String::as_str), Some("slot_minutes"));

    // Importing the same rota again adds nothing: every session is already there.
    let again = preview_rota(&plan, ROTA.as_bytes(), &none()).unwrap();
    assert!(again.sessions.is_empty() && again.new_clinicians.is_empty());
    assert!(again.rejected.iter().any(|e| e.line == 2 && e.reason.contains("plan already has")));
}

#[test]
fn rota_keeps_an_existing_horizon_and_adds_unknown_roles() {
    let mut plan = plan_with_patel();
    let horizon = Horizon { start: d(2024, 7, 22), end: d(2024, 8, 2) };
    plan.horizon = Some(horizon);
    let rota = "clinician;role;date;start;free_slots\nPat Physio;Physiotherapist;26/07/2024;09:00;6\n";
    let preview = preview_rota(&plan, rota.as_bytes(), &none()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    accept_rota(&mut plan, preview);
    assert_eq!(plan.horizon, Some(horizon));
    assert!(plan.roles.iter().any(|r| r == "Physiotherapist"));
    assert_eq!(plan.clinician("PHYSIOTHERAPIST-PHYSIO").map(|c| c.role.as_str()), Some("Physiotherapist"));
}

#[test]
fn rota_missing_columns_and_bad_values() {
    let plan = plan_with_patel();
    let err = preview_rota(&plan, b"clinician,date,free_slots\nDr A Patel,22/07/2024,10\n", &none()).unwrap_err();
    assert!(matches!(&err, ImportError::MissingColumn { column, .. } if column == "part"), "{err}");
    let rota = "clinician,date,part,free_slots,mode,slot_minutes\n\
                Dr A Patel,22/13/2024,AM,10,F2F,10\n\
                Dr A Patel,23/07/2024,noon,10,F2F,10\n\
                Dr A Patel,24/07/2024,AM,lots,F2F,10\n\
                Dr A Patel,25/07/2024,AM,10,Carrier pigeon,10\n\
                Dr A Patel,26/07/2024,AM,10,F2F,0\n";
    let preview = preview_rota(&plan, rota.as_bytes(), &none()).unwrap();
    let rejected: Vec<(usize, &str)> = preview.rejected.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(rejected, [(2, "date"), (3, "part"), (4, "free_slots"), (5, "mode"), (6, "slot_minutes")]);
    assert!(preview.sessions.is_empty());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Cell values mixing good and bad ones of every column.
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("19/07/2024".to_string()),
            Just("31/02/2024".to_string()),
            Just("GP routine".to_string()),
            Just("Astrology".to_string()),
            Just("Urgent".to_string()),
            Just("Preferred".to_string()),
            Just("Dr A Patel".to_string()),
            Just("987 654 4321".to_string()),
            (0usize..50).prop_map(nhs_no),
            Just("\"SMITH, Jane\"".to_string()),
            Just("A-1".to_string()),
            "[a-zA-Z0-9 ;:/.-]{0,12}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Every data row is either imported or listed with a reason.
        #[test]
        fn no_row_is_dropped_silently(rows in prop::collection::vec(prop::collection::vec(cell(), 0..22), 0..25)) {
            let mut csv = format!("{HEADER}\n");
            for row in &rows {
                csv.push_str(&row.join(","));
                csv.push('\n');
            }
            let plan = plan_with_patel();
            let preview = preview_backlog(&plan, csv.as_bytes(), &none()).unwrap();
            prop_assert_eq!(preview.items.len() + preview.rejected_rows(), preview.total_rows);
            for error in &preview.rejected {
                prop_assert!(error.line >= 2 && !error.reason.is_empty());
                prop_assert!(error.column == "row" || BACKLOG_COLUMNS.contains(&error.column.as_str()), "{}", error.column);
            }
        }

        /// The same for the rota: each row is a session, a repeat, or a listed problem.
        #[test]
        fn no_rota_row_is_dropped_silently(rows in prop::collection::vec(prop::collection::vec(
            prop_oneof![cell(), Just("AM".to_string()), Just("14:00".to_string()), Just("10".to_string()), Just("GP".to_string())],
            0..10), 0..25)) {
            let mut csv = format!("{}\n", ROTA_COLUMNS.join(","));
            for row in &rows {
                csv.push_str(&row.join(","));
                csv.push('\n');
            }
            let preview = preview_rota(&plan_with_patel(), csv.as_bytes(), &none()).unwrap();
            prop_assert_eq!(preview.sessions.len() + preview.rejected_rows() + preview.not_free_rows, preview.total_rows);
        }

        /// Any bytes at all give a preview or an error, never a panic.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let plan = plan_with_patel();
            let _ = preview_backlog(&plan, &bytes, &none());
            let _ = preview_rota(&plan, &bytes, &none());
        }
    }
}

#[test]
fn a_phone_excel_wrote_in_scientific_notation_is_left_empty_with_a_warning() {
    let plan = plan_with_patel();
    let csv = format!("{HEADER}\n{}\n", good_row("A-1", 0).replace("07700 900123", "7.7009E+09"));
    let preview = preview_backlog(&plan, csv.as_bytes(), &none()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    assert_eq!(preview.items[0].patient.phone, "");
    let warned = errors_at(&preview.warnings, 2);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert_eq!(warned[0].0, "phone");
    assert!(warned[0].1.contains("7.7009E+09") && warned[0].1.contains("Excel"), "{}", warned[0].1);
}

#[test]
fn a_header_that_maps_too_little_is_still_the_header_when_no_later_line_is_better() {
    // One recognised column and data below: the first line stays the header and the
    // missing columns are named, rather than a data row taken for the header.
    let csv = format!("Foo,Bar,NHS number\nx,y,{}\n", nhs_no(0));
    let err = preview_backlog(&plan_with_patel(), csv.as_bytes(), &none()).unwrap_err();
    assert!(matches!(&err, ImportError::MissingColumn { found, .. } if found[0] == "Foo"), "{err}");
}

#[test]
fn one_invalid_byte_is_a_warning_naming_its_line_and_only_that_line_is_windows_1252() {
    let plan = plan_with_patel();
    // An ASCII file with one stray byte (0xE9, "é" in Windows-1252) in the notes of line 4.
    let mut bytes = format!("{HEADER}\n{}\n{}\n", good_row("A-1", 0), good_row("A-2", 1)).into_bytes();
    bytes.extend(
        good_row("A-3", 2)
            .replace("fasting bloods", "Caf?")
            .into_bytes()
            .into_iter()
            .map(|b| if b == b'?' { 0xE9 } else { b }),
    );
    bytes.extend(format!("\n{}\n", good_row("A-4", 3)).into_bytes());
    let preview = preview_backlog(&plan, &bytes, &none()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    assert_eq!(preview.items.len(), 4);
    assert_eq!(preview.items[2].notes, "Café");
    let encoding: Vec<&String> = preview.file_warnings.iter().filter(|w| w.contains("Windows-1252")).collect();
    assert_eq!(encoding.len(), 1, "{:?}", preview.file_warnings);
    assert!(encoding[0].starts_with("line 4 not valid UTF-8"), "{}", encoding[0]);
    assert!(preview.notes.iter().all(|n| !n.contains("Windows-1252")), "{:?}", preview.notes);

    // With UTF-8 names elsewhere, those lines stay UTF-8 and only line 4 is converted.
    let text = String::from_utf8_lossy(&bytes).replace("SMITH, Jane", "BRONTË, Zoë");
    let mut mixed = text.into_bytes();
    let at = mixed.windows(6).position(|w| w == "Caf\u{FFFD}".as_bytes()).unwrap();
    mixed.splice(at + 3..at + 6, [0xE9]);
    let preview = preview_backlog(&plan, &mixed, &none()).unwrap();
    let names: Vec<&str> = preview.items.iter().map(|i| i.patient.name.as_str()).collect();
    assert_eq!(names[0], "BRONTË, Zoë");
    assert_eq!(names[3], "BRONTË, Zoë");
    // Line 4 is read as Windows-1252 as a whole, its own "Ë" included: the warning says to check it.
    assert_eq!(preview.items[2].notes, "Café");
    let encoding: Vec<&String> = preview.file_warnings.iter().filter(|w| w.contains("Windows-1252")).collect();
    assert_eq!(encoding.len(), 1, "{:?}", preview.file_warnings);
    assert!(encoding[0].starts_with("line 4 "), "{}", encoding[0]);
}

#[test]
fn phones_are_validated_a_bad_one_is_a_warning_with_line_and_column_and_the_row_still_imports() {
    let plan = plan_with_patel();
    let phones = [
        "+44 (0)7700 900-456",                    // line 2: taken, spaced as usual
        "(020) 7946 0123",                        // line 3: a landline
        "=HYPERLINK(\"http://x.test\",\"ring\")", // line 4: a formula
        "call after 10",                          // line 5: words
        "07700 9001",                             // line 6: too short
        "07700 900123 4",                         // line 7: too long
    ];
    let rows: Vec<String> = phones
        .iter()
        .enumerate()
        .map(|(n, phone)| {
            let quoted = format!("\"{}\"", phone.replace('"', "\"\""));
            good_row(&format!("A-{n}"), n).replace("07700 900123", &quoted)
        })
        .collect();
    let csv = format!("{HEADER}\n{}\n", rows.join("\n"));
    let preview = preview_backlog(&plan, csv.as_bytes(), &none()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    let got: Vec<&str> = preview.items.iter().map(|i| i.patient.phone.as_str()).collect();
    assert_eq!(got, ["07700 900456", "020 7946 0123", "", "", "", ""]);
    for (line, why) in [(4, "not a phone number"), (5, "not a phone number"), (6, "too short"), (7, "too long")] {
        let warned = errors_at(&preview.warnings, line);
        assert_eq!(warned.len(), 1, "line {line}: {warned:?}");
        assert_eq!(warned[0].0, "phone");
        assert!(warned[0].1.contains(why) && warned[0].1.contains("left empty"), "line {line}: {}", warned[0].1);
    }
    assert!(errors_at(&preview.warnings, 2).is_empty() && errors_at(&preview.warnings, 3).is_empty());
    // The warning is printed as "line 4, phone: ..." like every other field problem.
    let shown = preview.warnings.iter().find(|w| w.line == 4).unwrap().to_string();
    assert!(shown.starts_with("line 4, phone: phone \"=HYPERLINK("), "{shown}");
}
