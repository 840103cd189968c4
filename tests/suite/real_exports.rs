//! Backlog files shaped like real practice exports (tests/fixtures/exports/):
//! each imports with its mapping and every field of several rows is checked;
//! the command line says what it mapped, what it ignored and every warning.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::plan_with_bookings;
use chrono::{NaiveDate, NaiveTime};
use rebook::io::csv_import::{BacklogPreview, ImportMapping, accept_backlog, preview_backlog, preview_backlog_with};
use rebook::model::{BacklogItem, Continuity, ModeRequirement, Plan, nhs};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports").join(name)
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

fn mapping(name: &str) -> ImportMapping {
    ImportMapping::load(&fixture(name)).unwrap()
}

fn nhs_no(n: usize) -> String {
    nhs::test_numbers().nth(n).unwrap()
}

use crate::common::date as d;

fn t(h: u32, m: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(h, m, 0)
}

fn plan() -> Plan {
    Plan::new("Riverside Medical Practice")
}

fn import(file: &str, mapping: &ImportMapping) -> BacklogPreview {
    preview_backlog_with(&plan(), &bytes(file), &mapping.backlog, &mapping.types).unwrap()
}

fn item<'a>(preview: &'a BacklogPreview, id: &str) -> &'a BacklogItem {
    preview.items.iter().find(|i| i.id == id).unwrap_or_else(|| panic!("{id} not imported: {:?}", preview.rejected))
}

/// Every field the issue lists, in one comparison so a failure shows them all.
#[allow(clippy::too_many_arguments)]
fn check(
    item: &BacklogItem,
    name: &str,
    nhs_number: &str,
    phone: &str,
    when: (NaiveDate, Option<NaiveTime>),
    clinician: &str,
    kind: &str,
    priority: &str,
    mode: ModeRequirement,
    notes: &str,
    consent: bool,
) {
    let got = (
        item.patient.name.as_str(),
        item.patient.nhs_number.as_str(),
        item.patient.phone.as_str(),
        (item.original_date, item.original_time),
        item.original_clinician.as_str(),
        item.appointment_type.as_str(),
        item.priority.as_str(),
        item.mode,
        item.notes.as_str(),
        item.patient.sms_consent,
    );
    let want = (name, nhs_number, phone, when, clinician, kind, priority, mode, notes, consent);
    assert_eq!(got, want, "{}", item.id);
}

fn ignored(preview: &BacklogPreview) -> Vec<&str> {
    preview.ignored.iter().map(|c| c.header.as_str()).collect()
}

#[test]
fn emis_report_imports_with_its_mapping_file() {
    let preview = import("emis_backlog.csv", &mapping("emis.mapping.ron"));
    assert!(preview.rejected.is_empty() && preview.unknown_types.is_empty(), "{:?}", preview.rejected);
    assert_eq!((preview.total_rows, preview.items.len()), (12, 12));
    let july = |day| d(2024, 7, day);
    check(
        item(&preview, "E-1001"),
        "O'NEILL, Siân (Miss)",
        &nhs_no(0),
        "07700 900101",
        (july(19), t(9, 30)),
        "HUGHES, Bethan (Sister)",
        "Cervical screening",
        "Routine",
        ModeRequirement::Any,
        "Routine smear recall",
        true,
    );
    let urgent = item(&preview, "E-1003");
    check(
        urgent,
        "JONES, Olivia (Mrs)",
        &nhs_no(2),
        "07700 900103",
        (july(19), t(8, 30)),
        "SMITH, Anne (Dr)",
        "GP urgent",
        "Urgent",
        ModeRequirement::Any,
        &urgent.notes,
        false,
    );
    assert!(urgent.notes.starts_with("Chest pain on exertion") && urgent.notes.len() > 120);
    check(
        item(&preview, "E-1009"),
        "NGUYEN, Li (Mr)",
        &nhs_no(7),
        "",
        (july(22), t(9, 20)),
        "SMITH, Anne (Dr)",
        "GP routine",
        "Routine",
        ModeRequirement::Telephone,
        "Phone review of results",
        false,
    );
    let double = item(&preview, "E-1007");
    assert_eq!((double.appointment_type.as_str(), double.slots), ("GP double", 2));
    assert_eq!(item(&preview, "E-1004").priority, "Urgent", "On the Day is GP urgent, whose default is Urgent");
    assert_eq!(item(&preview, "E-1005").appointment_type, "Pharmacist medication review");
    // Usual GP gives a continuity preference.
    assert_eq!(item(&preview, "E-1006").continuity, Continuity::Preferred("SMITH, Anne (Dr)".into()));
    assert_eq!(item(&preview, "E-1004").continuity, Continuity::None);

    // A recorded no wins over a yes on another row of the same patient.
    assert!(!item(&preview, "E-1002").patient.sms_consent);
    assert!(!item(&preview, "E-1008").patient.sms_consent);
    let conflict: Vec<_> = preview.warnings.iter().filter(|w| w.column == "sms_consent").collect();
    assert_eq!(conflict.len(), 1, "{:?}", preview.warnings);
    assert!(conflict[0].reason.contains("line 3") && conflict[0].reason.contains("line 9"), "{}", conflict[0]);

    assert_eq!(ignored(&preview), ["Session Name"]);
    assert_eq!(preview.ignored[0].samples, ["Nurse Clinic", "GP Morning Surgery", "Pharmacist Clinic"]);
    assert_eq!(preview.mapping.get("Session Holder").map(String::as_str), Some("original_clinician"));
    assert_eq!(preview.mapping.get("Usual GP").map(String::as_str), Some("continuity_clinician"));
    assert_eq!(preview.file_warnings.len(), 1, "{:?}", preview.file_warnings);
    assert!(preview.file_warnings[0].starts_with("No priority column"), "{:?}", preview.file_warnings);
}

#[test]
fn unknown_types_are_listed_once_each_with_a_suggestion() {
    let preview = preview_backlog(&plan(), &bytes("emis_backlog.csv"), &BTreeMap::new()).unwrap();
    assert!(preview.rejected.is_empty(), "not one error per row: {:?}", preview.rejected);
    assert!(preview.items.is_empty());
    assert_eq!(preview.rejected_rows(), 12);
    let listed: Vec<(&str, usize, Option<&str>)> =
        preview.unknown_types.iter().map(|u| (u.name.as_str(), u.lines.len(), u.suggestion.as_deref())).collect();
    assert_eq!(
        listed,
        [
            ("GP 10 min", 3, Some("GP routine")),
            ("Bloods", 2, Some("Nurse bloods")),
            ("Urgent GP", 2, Some("GP urgent")),
            ("Double Appt", 1, Some("GP double")),
            ("GP Telephone", 1, Some("GP routine")),
            ("Med Review", 1, Some("Pharmacist medication review")),
            ("On the Day", 1, Some("GP urgent")),
            ("Smear", 1, Some("Cervical screening")),
        ]
    );
}

#[test]
fn a_type_mapping_is_remembered_in_the_plan_for_the_next_export() {
    let mut plan = plan();
    let given = mapping("emis.mapping.ron");
    let preview = preview_backlog_with(&plan, &bytes("emis_backlog.csv"), &given.backlog, &given.types).unwrap();
    assert_eq!(preview.type_mapping, given.types, "every mapping entry was used by the file");
    accept_backlog(&mut plan, preview);
    assert_eq!(plan.import_types, given.types);
    let again = preview_backlog(&plan, &bytes("emis_backlog.csv"), &BTreeMap::new()).unwrap();
    assert!(again.unknown_types.is_empty(), "{:?}", again.unknown_types);
    assert_eq!(again.items.len(), 12);
    // Saved and loaded with the plan.
    let text = rebook::io::plan_file::to_ron(&plan).unwrap();
    assert!(text.contains("import_types"));
    assert!(!rebook::io::plan_file::to_ron(&Plan::new("x")).unwrap().contains("import_types"));
}

#[test]
fn a_mapping_to_a_type_the_catalogue_lacks_is_refused_naming_it() {
    let types: BTreeMap<String, String> = [("Smear".to_string(), "Smears".to_string())].into();
    let err = preview_backlog_with(&plan(), &bytes("emis_backlog.csv"), &BTreeMap::new(), &types).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("\"Smears\"") && text.contains("Cervical screening"), "{text}");
}

#[test]
fn systmone_windows_1252_with_a_date_time_column_and_a_telephone_flag() {
    let preview = import("systmone_backlog.csv", &mapping("systmone.mapping.ron"));
    assert!(preview.rejected.is_empty() && preview.unknown_types.is_empty(), "{:?}", preview.rejected);
    assert_eq!(preview.items.len(), 8);
    let ids: Vec<&str> = preview.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids[0], "IMP-0001", "no id column: ids are made up");
    check(
        &preview.items[0],
        "O'BRIEN, Zoë",
        &nhs_no(11),
        "07700 900201",
        (d(2024, 7, 19), t(9, 30)),
        "Dr Anne Smith",
        "GP urgent",
        "Urgent",
        ModeRequirement::Telephone,
        "Cough, fever",
        false,
    );
    check(
        &preview.items[1],
        "MÜLLER, Jürgen",
        &nhs_no(12),
        "07700 900202",
        (d(2024, 7, 19), t(10, 10)),
        "Dr Priya Nair",
        "GP routine",
        "Routine",
        ModeRequirement::FaceToFace,
        "Back pain",
        false,
    );
    check(
        &preview.items[2],
        "NÍ BHRIAIN, Siobhán",
        &nhs_no(13),
        "07700 900203",
        (d(2024, 7, 19), t(8, 45)),
        "Zoe Adams",
        "Nurse bloods",
        "Routine",
        ModeRequirement::FaceToFace,
        "Thyroid function",
        true,
    );
    assert_eq!(preview.items[5].original_time, t(9, 0));
    assert_eq!(preview.items[5].mode, ModeRequirement::Telephone);
    assert!(preview.file_warnings.iter().any(|w| w.contains("Windows-1252")), "{:?}", preview.file_warnings);
    assert_eq!(ignored(&preview), ["Rota"]);
    assert!(preview.warnings.iter().any(|w| w.column == "sms_consent" && w.line == 2), "{:?}", preview.warnings);
    assert!(preview.file_warnings.iter().any(|w| w.starts_with("No appointment id column")));
}

#[test]
fn a_consent_column_under_another_name_is_a_warning_not_a_silent_no() {
    let preview = preview_backlog(&plan(), &bytes("systmone_backlog.csv"), &BTreeMap::new()).unwrap();
    assert!(
        preview.file_warnings.iter().any(|w| w.starts_with("No SMS consent column")),
        "{:?}",
        preview.file_warnings
    );
    assert!(ignored(&preview).contains(&"SMS Consent (latest)"));
    let consent = preview.ignored.iter().find(|c| c.header == "SMS Consent (latest)").unwrap();
    assert_eq!(consent.samples, ["Y", "N"]);
}

#[test]
fn vision_split_names_and_twelve_hour_times() {
    let preview = import("vision_backlog.csv", &mapping("vision.mapping.ron"));
    assert!(preview.rejected.is_empty() && preview.unknown_types.is_empty(), "{:?}", preview.rejected);
    assert_eq!(preview.items.len(), 7);
    check(
        &preview.items[0],
        "ROBERTS, Hannah",
        &nhs_no(18),
        "07700 900301",
        (d(2024, 7, 19), t(9, 30)),
        "Dr A Smith",
        "GP routine",
        "Soon",
        ModeRequirement::Any,
        "Migraine",
        true,
    );
    check(
        &preview.items[1],
        "THOMAS, Gareth",
        &nhs_no(19),
        "07700 900302",
        (d(2024, 7, 19), t(14, 10)),
        "Dr A Smith",
        "GP routine",
        "Routine",
        ModeRequirement::Any,
        "",
        false,
    );
    check(
        &preview.items[3],
        "MORGAN, Eleri",
        &nhs_no(21),
        "07700 900304",
        (d(2024, 7, 19), t(11, 20)),
        "Sister B Hughes",
        "Vaccination",
        "Soon",
        ModeRequirement::Any,
        "8 week immunisations",
        true,
    );
    assert_eq!(preview.items[4].original_time, t(12, 0), "12:00pm is noon");
    assert_eq!(preview.items[5].appointment_type, "Nurse bloods", "a catalogue name needs no mapping");
    assert!(preview.ignored.is_empty());
}

#[test]
fn accurx_list_with_types_mapped_on_the_command_line() {
    let mut given = ImportMapping::default();
    for (local, target) in [
        ("Flu Jab", "Vaccination"),
        ("Covid Booster", "Vaccination"),
        ("Asthma Review", "Nurse chronic disease review"),
    ] {
        given.types.insert(local.into(), target.into());
    }
    let preview = import("accurx_backlog.csv", &given);
    assert!(preview.rejected.is_empty() && preview.unknown_types.is_empty(), "{:?}", preview.rejected);
    assert_eq!(preview.items.len(), 5);
    check(
        &preview.items[0],
        "COLE, Margaret",
        &nhs_no(25),
        "07700 900401",
        (d(2024, 7, 19), t(9, 0)),
        "Nurse B Hughes",
        "Vaccination",
        "Routine",
        ModeRequirement::Any,
        "",
        true,
    );
    check(
        &preview.items[2],
        "SHAH, Sunita",
        &nhs_no(27),
        "07700 900403",
        (d(2024, 7, 19), t(9, 10)),
        "Nurse B Hughes",
        "Vaccination",
        "Routine",
        ModeRequirement::Any,
        "",
        true,
    );
    assert_eq!(preview.items[3].appointment_type, "Nurse chronic disease review");
    assert_eq!(preview.items[3].slots, 2);
    assert!(!preview.items[1].patient.sms_consent && !preview.items[4].patient.sms_consent);
    assert_eq!(preview.items[0].patient.date_of_birth, Some(d(1950, 1, 31)));
    let warned: Vec<&str> = preview.file_warnings.iter().map(|w| w.split(':').next().unwrap()).collect();
    assert_eq!(warned, ["No appointment id column", "No priority column"]);
}

#[test]
fn excel_round_trip_damage_is_repaired_or_explained() {
    let preview = import("excel_backlog.csv", &ImportMapping::default());
    assert_eq!(preview.total_rows, 6, "title lines and the total line are not rows");
    assert!(preview.notes.iter().any(|n| n.contains("Skipped 2 line(s) above the header")), "{:?}", preview.notes);
    assert!(preview.notes.iter().any(|n| n.contains("Total: 6")), "{:?}", preview.notes);
    // The NHS number Excel turned into 9.99E+09 is refused, naming Excel and the way out.
    assert_eq!(preview.rejected.len(), 1, "{:?}", preview.rejected);
    let refused = &preview.rejected[0];
    assert_eq!((refused.line, refused.column.as_str()), (6, "nhs_number"));
    assert!(refused.reason.contains("Excel") && refused.reason.contains("Text"), "{refused}");
    check(
        item(&preview, "X-01"),
        "ADAMS, Ruth",
        &nhs_no(30),
        "07700 900501",
        (d(2024, 7, 19), t(9, 30)),
        "Dr A Smith",
        "GP routine",
        "Routine",
        ModeRequirement::Any,
        "",
        true,
    );
    check(
        item(&preview, "X-04"),
        "DIXON, Joe",
        &nhs_no(32),
        "01632 960504",
        (d(2024, 7, 19), t(10, 0)),
        "Dr C Okafor",
        "GP review",
        "Soon",
        ModeRequirement::Any,
        "",
        true,
    );
    assert!(!item(&preview, "X-02").patient.sms_consent, "FALSE");
    assert_eq!(item(&preview, "X-05").patient.phone, "07700 900505");
    assert_eq!(item(&preview, "X-01").patient.date_of_birth, Some(d(1970, 3, 8)));
    let repaired: Vec<&String> = preview.file_warnings.iter().filter(|w| w.contains("leading 0")).collect();
    assert_eq!(repaired.len(), 1, "{:?}", preview.file_warnings);
    assert!(repaired[0].starts_with("4 phone number(s)"), "{}", repaired[0]);
    assert!(preview.ignored.is_empty(), "trailing empty columns are not reported: {:?}", preview.ignored);
}

#[test]
fn utf8_with_bom_and_rebooks_own_columns() {
    let preview = import("bom_backlog.csv", &ImportMapping::default());
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    check(
        item(&preview, "B-1"),
        "ÅSTRÖM, Ingrid",
        &nhs_no(35),
        "07700 900601",
        (d(2024, 7, 19), t(9, 0)),
        "Dr A Smith",
        "GP routine",
        "Routine",
        ModeRequirement::FaceToFace,
        "Prefers mornings",
        true,
    );
    check(
        item(&preview, "B-2"),
        "NGUYỄN, Thị",
        &nhs_no(36),
        "07700 900602",
        (d(2024, 7, 19), t(9, 10)),
        "Dr A Smith",
        "Minor illness",
        "Soon",
        ModeRequirement::Telephone,
        "Sore throat",
        false,
    );
    assert!(preview.file_warnings.is_empty() && preview.notes.is_empty(), "{:?}", preview.file_warnings);
}

#[test]
fn one_windows_1252_line_does_not_garble_the_utf8_lines() {
    let preview = import("mixed_backlog.csv", &ImportMapping::default());
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    let names: Vec<&str> = preview.items.iter().map(|i| i.patient.name.as_str()).collect();
    assert_eq!(names, ["JONES, Siân", "MÜLLER, Jürgen", "ZIELIŃSKA, Zoë"]);
    assert_eq!(preview.items[0].notes, "Café meeting");
    assert_eq!(preview.items[2].priority, "Urgent", "GP urgent's default priority");
    let encoding: Vec<&String> = preview.file_warnings.iter().filter(|w| w.contains("Windows-1252")).collect();
    assert_eq!(encoding.len(), 1, "{:?}", preview.file_warnings);
    assert!(encoding[0].starts_with("line 3 "), "{}", encoding[0]);
}

#[test]
fn semicolon_separated_with_dotted_dates() {
    let preview = import("semicolon_backlog.csv", &ImportMapping::default());
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    check(
        item(&preview, "S-1"),
        "DUBOIS, Claire",
        &nhs_no(41),
        "07700 900801",
        (d(2024, 7, 19), t(9, 0)),
        "Dr A Smith",
        "GP routine",
        "Routine",
        ModeRequirement::Any,
        "Review; bring diary",
        true,
    );
    check(
        item(&preview, "S-2"),
        "GARCÍA, José",
        &nhs_no(42),
        "07700 900802",
        (d(2024, 7, 19), t(9, 10)),
        "Dr A Smith",
        "GP urgent",
        "Urgent",
        ModeRequirement::Any,
        "Chest infection",
        false,
    );
    assert_eq!(item(&preview, "S-1").patient.date_of_birth, Some(d(1980, 5, 5)));
}

fn rebook(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_rebook")).args(args).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (output.status.success(), text(&output.stdout), text(&output.stderr))
}

#[test]
fn the_import_command_says_what_it_mapped_ignored_and_warned() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.rebook.ron");
    let backlog = fixture("emis_backlog.csv");
    let (ok, stdout, stderr) = rebook(&[
        "import",
        "--backlog",
        backlog.to_str().unwrap(),
        "--mapping",
        fixture("emis.mapping.ron").to_str().unwrap(),
        "--practice",
        "Riverside Medical Practice",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stdout}\n{stderr}");
    for expected in [
        "\"Full Name\" -> patient_name",
        "\"Session Holder\" -> original_clinician",
        "\"Appointment Start Time\" -> original_time",
        "\"Text OK\" -> sms_consent",
        "column \"Session Name\" ignored, e.g. \"Nurse Clinic\"",
        "type \"Smear\" read as Cervical screening",
        "warning: No priority column",
        "warning: line 3, sms_consent: SMS consent is yes",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
    assert!(stdout.contains("12 of 12 rows read"), "{stdout}");
    let plan = rebook::io::plan_file::load(&out).unwrap();
    assert_eq!(plan.practice.name, "Riverside Medical Practice");
    assert_eq!(plan.backlog.len(), 12);
}

#[test]
fn the_import_command_lists_each_unknown_type_once_and_saves_the_mapping_used() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.rebook.ron");
    let backlog = fixture("emis_backlog.csv");
    let backlog = backlog.to_str().unwrap();
    let (ok, _, stderr) = rebook(&["import", "--backlog", backlog, "--out", out.to_str().unwrap()]);
    assert!(!ok && !out.exists());
    assert_eq!(stderr.matches("\"GP 10 min\": 3 row(s)").count(), 1, "{stderr}");
    assert!(stderr.contains("\"Smear\": 1 row(s), from line 2; suggested: Cervical screening"), "{stderr}");
    assert_eq!(stderr.matches("Nurse chronic disease review, Cervical").count(), 1, "the catalogue once: {stderr}");

    let saved = dir.path().join("practice.mapping.ron");
    let mut args = vec!["import", "--backlog", backlog, "--save-mapping", saved.to_str().unwrap()];
    let given = mapping("emis.mapping.ron");
    let flags: Vec<String> = given.types.iter().map(|(l, t)| format!("{l}={t}")).collect();
    for flag in &flags {
        args.extend(["--map-type", flag.as_str()]);
    }
    args.extend(["--map", "Session Name=", "--map", "Session Holder=clinician", "--out", out.to_str().unwrap()]);
    let (ok, stdout, stderr) = rebook(&args);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stderr.contains("warning: the plan's practice is still called \"New practice\""), "{stderr}");
    let written = ImportMapping::load(&saved).unwrap();
    assert_eq!(written.types, given.types);
    assert_eq!(written.backlog.get("Session Name").map(String::as_str), Some(""));
    assert_eq!(written.backlog.get("Session Holder").map(String::as_str), Some("original_clinician"));

    // A --map naming no field of either file kind is refused before anything is read.
    let (ok, _, stderr) =
        rebook(&["import", "--backlog", backlog, "--map", "X=shoe_size", "--out", out.to_str().unwrap()]);
    assert!(!ok && stderr.contains("shoe_size"), "{stderr}");
}

#[test]
fn the_sms_export_waits_for_the_practice_name() {
    let mut plan = plan_with_bookings(20);
    plan.practice.name = rebook::model::PLACEHOLDER_PRACTICE.into();
    let err = rebook::export::sms_csv(&plan).unwrap_err().to_string();
    assert!(err.contains("New practice") && err.contains("--practice"), "{err}");
    plan.practice.name = "Riverside Medical Practice".into();
    assert!(rebook::export::sms_csv(&plan).is_ok());
}

#[test]
fn every_corpus_file_imports_from_the_command_line_saying_what_it_did() {
    let dir = tempfile::tempdir().unwrap();
    let accurx = ["--map-type", "Flu Jab=Vaccination", "--map-type", "Covid Booster=Vaccination"];
    let asthma = ["--map-type", "Asthma Review=Nurse chronic disease review"];
    let cases: Vec<(&str, Vec<&str>, bool)> = vec![
        ("emis_backlog.csv", vec!["--mapping", "emis.mapping.ron"], true),
        ("systmone_backlog.csv", vec!["--mapping", "systmone.mapping.ron"], true),
        ("vision_backlog.csv", vec!["--mapping", "vision.mapping.ron"], true),
        ("accurx_backlog.csv", accurx.iter().chain(&asthma).copied().collect(), true),
        // The row with an NHS number Excel destroyed is rejected: exit 1 unless allowed.
        ("excel_backlog.csv", vec![], false),
        ("bom_backlog.csv", vec![], true),
        ("mixed_backlog.csv", vec![], true),
        ("semicolon_backlog.csv", vec![], true),
    ];
    for (file, extra, clean) in cases {
        let out = dir.path().join(format!("{file}.rebook.ron"));
        let backlog = fixture(file);
        let extra: Vec<String> = extra
            .iter()
            .map(|a| if a.ends_with(".ron") { fixture(a).display().to_string() } else { a.to_string() })
            .collect();
        let mut args =
            vec!["import", "--backlog", backlog.to_str().unwrap(), "--practice", "Riverside Medical Practice"];
        args.extend(extra.iter().map(String::as_str));
        args.extend(["--out", out.to_str().unwrap()]);
        let (ok, stdout, stderr) = rebook(&args);
        assert_eq!(ok, clean, "{file}:\n{stdout}\n{stderr}");
        assert!(stderr.contains(&format!("{}: columns read: ", backlog.display())), "{file}: {stderr}");
        assert!(!stderr.contains("not in the plan's catalogue"), "{file}: {stderr}");
        let preview_mapping = match file {
            "emis_backlog.csv" => mapping("emis.mapping.ron"),
            "systmone_backlog.csv" => mapping("systmone.mapping.ron"),
            "vision_backlog.csv" => mapping("vision.mapping.ron"),
            _ => ImportMapping::default(),
        };
        // Every file-level warning and every row warning of the preview is on stderr.
        let mut types = preview_mapping.types.clone();
        for pair in extra.chunks(2).filter(|p| p[0] == "--map-type") {
            let (local, target) = pair[1].split_once('=').unwrap();
            types.insert(local.into(), target.into());
        }
        let preview = preview_backlog_with(&plan(), &bytes(file), &preview_mapping.backlog, &types).unwrap();
        for warning in &preview.file_warnings {
            assert!(stderr.contains(&format!("warning: {warning}")), "{file}: {warning} missing in\n{stderr}");
        }
        for warning in &preview.warnings {
            assert!(stderr.contains(&format!("warning: {warning}")), "{file}: {warning} missing in\n{stderr}");
        }
        for column in &preview.ignored {
            assert!(stderr.contains(&format!("column \"{}\" ignored", column.header)), "{file}: {stderr}");
        }
        if !clean {
            assert!(stderr.contains("Excel") && !out.exists(), "{file}: {stderr}");
            let (ok, _, _) = rebook(&[args.as_slice(), &["--allow-rejects"]].concat());
            assert!(ok && out.exists(), "{file} with --allow-rejects");
        }
    }
}

#[test]
fn a_local_type_can_be_added_as_a_new_type_like_a_catalogue_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.rebook.ron");
    let saved = dir.path().join("accurx.mapping.ron");
    let backlog = fixture("accurx_backlog.csv");
    let (ok, stdout, stderr) = rebook(&[
        "import",
        "--backlog",
        backlog.to_str().unwrap(),
        "--new-type",
        "Flu Jab=Vaccination",
        "--map-type",
        "Covid Booster=Vaccination",
        "--map-type",
        "Asthma Review=Nurse chronic disease review",
        "--save-mapping",
        saved.to_str().unwrap(),
        "--practice",
        "Riverside Medical Practice",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("added the appointment type \"Flu Jab\" to the catalogue, seen and booked like Vaccination")
    );
    let plan = rebook::io::plan_file::load(&out).unwrap();
    let flu = plan.appointment_type("Flu Jab").unwrap();
    assert_eq!(flu.roles, plan.appointment_type("Vaccination").unwrap().roles);
    let typed: Vec<&str> = plan.backlog.iter().map(|i| i.appointment_type.as_str()).collect();
    assert_eq!(
        typed,
        ["Flu Jab", "Flu Jab", "Vaccination", "Nurse chronic disease review", "Nurse chronic disease review"]
    );
    let written = ImportMapping::load(&saved).unwrap();
    assert_eq!(written.new_types.get("Flu Jab").map(String::as_str), Some("Vaccination"));

    // Into a plan without that type, the saved mapping adds it again.
    let next = dir.path().join("next.rebook.ron");
    let (ok, _, stderr) = rebook(&[
        "import",
        "--backlog",
        backlog.to_str().unwrap(),
        "--mapping",
        saved.to_str().unwrap(),
        "--practice",
        "Riverside Medical Practice",
        "--out",
        next.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(rebook::io::plan_file::load(&next).unwrap().appointment_type("Flu Jab").is_some());
}

#[test]
fn the_practice_is_named_on_the_command_line_without_importing_again() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.rebook.ron");
    let backlog = fixture("bom_backlog.csv");
    let (ok, _, stderr) = rebook(&["import", "--backlog", backlog.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert!(rebook::io::plan_file::load(&out).unwrap().practice.is_placeholder());
    let plan = out.to_str().unwrap();
    let (ok, _, stderr) =
        rebook(&["import", "--plan", plan, "--practice", "Riverside", "--ods-code", "Y99999", "--out", plan]);
    assert!(ok, "{stderr}");
    let named = rebook::io::plan_file::load(&out).unwrap();
    assert_eq!((named.practice.name.as_str(), named.practice.ods_code.as_deref()), ("Riverside", Some("Y99999")));
    assert_eq!(named.backlog.len(), 3, "the backlog is kept");
    let (ok, _, stderr) = rebook(&["import", "--out", plan]);
    assert!(!ok && stderr.contains("nothing to import"), "{stderr}");
}

#[test]
fn the_readme_example_imports_an_emis_pair_with_clinicians_matched_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("riverside.rebook.ron");
    let (rota, backlog, map) =
        (fixture("emis_rota_sessions.csv"), fixture("emis_backlog.csv"), fixture("emis.mapping.ron"));
    let (ok, stdout, stderr) = rebook(&[
        "import",
        "--rota",
        rota.to_str().unwrap(),
        "--backlog",
        backlog.to_str().unwrap(),
        "--mapping",
        map.to_str().unwrap(),
        "--role",
        "REED, Sam=ANP",
        "--practice",
        "Riverside Medical Practice",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stdout}\n{stderr}");
    let plan = rebook::io::plan_file::load(&out).unwrap();
    let item = |id: &str| plan.backlog_item(id).unwrap();
    let name_of = |id: &str| plan.clinician(&item(id).original_clinician).map(|c| c.name.clone());
    // "HUGHES, Bethan (Sister)" in both files, "SMITH, Anne (Dr)" as session holder and usual GP.
    assert!(name_of("E-1001").is_some_and(|n| n.contains("Hughes")), "{:?}", item("E-1001").original_clinician);
    assert!(name_of("E-1003").is_some_and(|n| n.contains("Smith")), "{:?}", item("E-1003").original_clinician);
    let usual = item("E-1006").continuity.clinician().unwrap().to_string();
    assert!(plan.clinician(&usual).is_some_and(|c| c.name.contains("Smith")), "{usual}");
    // The pharmacist is not in the rota: kept as written, with a warning.
    assert_eq!(item("E-1005").original_clinician, "KHAN, Imran (Mr)");
    assert!(stderr.contains("\"KHAN, Imran (Mr)\" is not a clinician in the plan"), "{stderr}");
}
