//! Hostile input: huge, long, malformed or deeply nested files are refused or
//! read with a clear error, in bounded time and memory, never a crash.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rebook::io::csv_import::{self, ImportError, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS};
use rebook::io::plan_file::{self, MAX_PLAN_BYTES, PlanFileError};
use rebook::model::Plan;
use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::time::{Duration, Instant};

const HEADER: &str = "appointment_id,nhs_number,patient_name,original_date,appointment_type\n";

fn plan() -> Plan {
    rebook::generate::generate(&rebook::generate::example_config())
}

/// Runs `f`, failing if it takes longer than `limit` (debug builds included).
fn within<T>(limit: Duration, what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let result = f();
    let took = start.elapsed();
    assert!(took < limit, "{what} took {took:?}, more than {limit:?}");
    eprintln!("{what}: {took:?}");
    result
}

#[test]
fn a_100_mb_csv_is_refused_before_reading_or_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.csv");
    // Sparse: 100 MB on paper, nothing on disk.
    fs::File::create(&path).unwrap().set_len(100 * 1024 * 1024).unwrap();
    let err = within(Duration::from_secs(1), "read_file 100 MB", || csv_import::read_file(&path)).unwrap_err();
    assert!(matches!(err, ImportError::TooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("split the file"));

    let bytes = vec![b'a'; 100 * 1024 * 1024];
    let err = within(Duration::from_secs(1), "preview 100 MB", || {
        csv_import::preview_backlog(&plan(), &bytes, &BTreeMap::new())
    })
    .unwrap_err();
    assert_eq!(err, ImportError::TooLarge { size: bytes.len(), max: MAX_IMPORT_BYTES });
}

#[test]
fn a_million_rows_are_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("million.csv");
    let mut out = BufWriter::new(fs::File::create(&path).unwrap());
    out.write_all(HEADER.as_bytes()).unwrap();
    for i in 0..1_000_000 {
        writeln!(out, "A{i},9990000018,X,1/7/24,GP").unwrap();
    }
    drop(out);
    let bytes = csv_import::read_file(&path).unwrap();
    assert!(bytes.len() < MAX_IMPORT_BYTES, "the size limit must not hide the row limit");
    let err = within(Duration::from_secs(60), "preview 1M rows", || {
        csv_import::preview_backlog(&plan(), &bytes, &BTreeMap::new())
    })
    .unwrap_err();
    assert_eq!(err, ImportError::TooManyRows { max: MAX_IMPORT_ROWS });
    assert!(err.to_string().contains("split the file"));
}

#[test]
fn a_very_long_field_is_refused_with_its_line() {
    let mut text = String::from(HEADER);
    text.push_str("A1,9990000018,\"SMITH, Jane\",19/07/2024,GP routine\n");
    // An unclosed quote swallows the rest of the file into one value.
    text.push_str("A2,9990000018,\"JONES, Tom,19/07/2024,GP routine\n");
    for i in 0..200_000 {
        text.push_str(&format!("A{i},9990000018,X,19/07/2024,GP routine\n"));
    }
    for bytes in [text.into_bytes(), format!("{HEADER}A1,{},X,19/07/2024,GP\n", "9".repeat(30_000_000)).into_bytes()] {
        let err = within(Duration::from_secs(20), "preview long field", || {
            csv_import::preview_backlog(&plan(), &bytes, &BTreeMap::new())
        })
        .unwrap_err();
        assert!(matches!(err, ImportError::FieldTooLong { line: 2 | 3, .. }), "{err:?}");
        assert!(err.to_string().contains("characters"), "{err}");
    }
    let rota = format!("clinician,role,date,part,free_slots\n{},GP,22/07/2024,AM,10\n", "Dr ".repeat(1_000_000));
    let err = csv_import::preview_rota(&plan(), rota.as_bytes(), &BTreeMap::new()).unwrap_err();
    assert!(matches!(err, ImportError::FieldTooLong { line: 2, .. }), "{err:?}");
}

#[test]
fn invalid_utf8_never_crashes() {
    // Not UTF-8: read as Windows-1252, so the name survives as "Zoë".
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(b"A1,9990000018,\"ZO\xcbL, Zo\xeb\",19/07/2024,GP routine\n");
    let preview = csv_import::preview_backlog(&plan(), &bytes, &BTreeMap::new()).unwrap();
    assert_eq!(preview.items.len() + preview.rejected_rows(), 1);
    assert!(preview.items.iter().any(|i| i.patient.name.contains("Zoë")), "{preview:?}");

    // Arbitrary bytes: an error or a preview, never a panic.
    let mut state = 0x1234_5678_u64;
    for _ in 0..200 {
        let junk: Vec<u8> = (0..2000)
            .map(|_| {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                (state >> 56) as u8
            })
            .collect();
        let _ = csv_import::preview_backlog(&plan(), &junk, &BTreeMap::new());
        let _ = csv_import::preview_rota(&plan(), &junk, &BTreeMap::new());
        let _ = plan_file::parse_bytes(junk, std::path::Path::new("junk"), None);
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rebook.ron");
    let mut text = plan_file::to_ron(&Plan::new("P")).unwrap().into_bytes();
    text.splice(20..20, *b"\xff\xfe");
    fs::write(&path, text).unwrap();
    let err = plan_file::load(&path).unwrap_err();
    assert!(matches!(err, PlanFileError::Syntax { line: 2, .. }), "{err:?}");
    assert!(err.to_string().contains("UTF-8"), "{err}");
}

#[test]
fn deeply_nested_or_huge_plan_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested.rebook.ron");
    for nested in ["[".repeat(1_000_000), "Some(".repeat(1_000_000), "(a:".repeat(300_000)] {
        fs::write(&path, format!("Plan(format_version: 1, practice: {nested}")).unwrap();
        let err = within(Duration::from_secs(5), "nested RON", || plan_file::load(&path)).unwrap_err();
        assert!(err.to_string().contains("nested too deeply"), "{err}");
    }
    let huge = dir.path().join("huge.rebook.ron");
    fs::File::create(&huge).unwrap().set_len(MAX_PLAN_BYTES + 1).unwrap();
    let err = within(Duration::from_secs(1), "huge plan", || plan_file::load(&huge)).unwrap_err();
    assert!(matches!(err, PlanFileError::TooLarge { .. }), "{err:?}");
    // A plan that is one enormous string is bounded by the size limit, and reads.
    let mut plan = Plan::new("P");
    plan.practice.name = "N".repeat(20_000_000);
    plan_file::save(&plan, &path).unwrap();
    assert_eq!(within(Duration::from_secs(20), "20 MB name", || plan_file::load(&path)).unwrap(), plan);
}

/// Found by fuzzing (fuzz/run.sh, rota_csv): a time of four bytes that are not
/// four digits ("1ø5") was split inside a character and panicked.
#[test]
fn a_time_with_a_multibyte_character_is_a_row_error() {
    let rota = "clinician,role,date,part,start,slot_minutes,free_slots\n\
                Dr A Patel,GP,22/07/2024,AM,1ø5,10,6\n\
                Dr A Patel,GP,22/07/2024,PM,14:00,10,6\n";
    let preview = csv_import::preview_rota(&plan(), rota.as_bytes(), &BTreeMap::new()).unwrap();
    assert_eq!(preview.sessions.len(), 1);
    assert_eq!((preview.rejected[0].line, preview.rejected[0].column.as_str()), (2, "start"));
    let backlog = format!("{}original_time\n", HEADER.trim_end().to_string() + ",");
    let backlog = format!("{backlog}A1,9990000018,\"LEE, Ann\",19/07/2024,GP routine,1ø5\n");
    let preview = csv_import::preview_backlog(&plan(), backlog.as_bytes(), &BTreeMap::new()).unwrap();
    assert_eq!(preview.rejected_rows(), 1, "{:?}", preview.rejected);
}
