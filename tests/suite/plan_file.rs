//! Plan files: round trips, damaged files, newer versions, atomic saves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rebook::io::plan_file::{self, PlanFileError};
use rebook::model::{FORMAT_VERSION, Plan};
use std::fs;

fn sample_plan() -> Plan {
    let mut plan = Plan::new("Riverside Medical Practice");
    plan.practice.ods_code = Some("Y99999".into());
    plan
}

#[test]
fn load_save_load_is_byte_stable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rebook.ron");
    plan_file::save(&sample_plan(), &path).unwrap();
    let first = fs::read(&path).unwrap();
    let loaded = plan_file::load(&path).unwrap();
    assert_eq!(loaded, sample_plan());
    plan_file::save(&loaded, &path).unwrap();
    assert_eq!(fs::read(&path).unwrap(), first);
}

#[test]
fn file_starts_with_the_format_version_and_is_readable() {
    let text = plan_file::to_ron(&sample_plan()).unwrap();
    let first_field = text.lines().nth(1).unwrap().trim();
    assert_eq!(first_field, format!("format_version: {FORMAT_VERSION},"));
    assert!(text.contains("name: \"Riverside Medical Practice\""));
}

#[test]
fn saving_keeps_the_previous_file_as_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rebook.ron");
    let mut plan = sample_plan();
    plan_file::save(&plan, &path).unwrap();
    plan.practice.name = "Renamed".into();
    plan_file::save(&plan, &path).unwrap();
    let backup = plan_file::load(&plan_file::backup_path(&path)).unwrap();
    assert_eq!(backup.practice.name, "Riverside Medical Practice");
    assert_eq!(plan_file::load(&path).unwrap().practice.name, "Renamed");
    // No temporary files are left behind.
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn truncated_file_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.rebook.ron");
    let text = plan_file::to_ron(&sample_plan()).unwrap();
    fs::write(&path, &text[..text.len() / 2]).unwrap();
    let err = plan_file::load(&path).unwrap_err();
    let PlanFileError::Syntax { line, column, .. } = &err else { panic!("{err}") };
    assert!(*line > 1 && *column >= 1, "{err}");
    assert!(err.to_string().contains(&format!("line {line}, column {column}")), "{err}");
}

#[test]
fn garbage_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.ron");
    fs::write(&path, "this is not a plan at all {{{").unwrap();
    let err = plan_file::load(&path).unwrap_err();
    assert!(matches!(err, PlanFileError::Syntax { line: 1, .. }), "{err}");
    let binary = dir.path().join("binary.ron");
    fs::write(&binary, [0x50u8, 0x4b, 0x03, 0x04, 0xff, 0xfe, 0x00]).unwrap();
    let err = plan_file::load(&binary).unwrap_err();
    assert!(err.to_string().contains("not text"), "{err}");
}

#[test]
fn wrong_field_type_names_where() {
    let text = plan_file::to_ron(&sample_plan()).unwrap().replace("reserve: 0.2,", "reserve: \"lots\",");
    let err = plan_file::parse_plan(&text, std::path::Path::new("edited.ron")).unwrap_err();
    let PlanFileError::Syntax { line, .. } = &err else { panic!("{err}") };
    let expected_line = text.lines().position(|l| l.contains("reserve: \"lots\"")).unwrap() + 1;
    assert_eq!(*line, expected_line, "{err}");
}

#[test]
fn newer_version_is_refused_with_a_clear_message() {
    let text = plan_file::to_ron(&sample_plan())
        .unwrap()
        .replace(&format!("format_version: {FORMAT_VERSION},"), "format_version: 99,");
    let err = plan_file::parse_plan(&text, std::path::Path::new("new.ron")).unwrap_err();
    assert!(matches!(err, PlanFileError::TooNew { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("newer version of Rebook"));
}

#[test]
fn deeply_nested_input_is_refused_not_a_crash() {
    let text = format!("Plan(format_version: 1, practice: {}{})", "[".repeat(100_000), "]".repeat(100_000));
    let err = plan_file::parse_plan(&text, std::path::Path::new("deep.ron")).unwrap_err();
    assert!(matches!(err, PlanFileError::Syntax { .. }), "{err}");
}

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let err = plan_file::load(std::path::Path::new("/nonexistent/dir/plan.rebook.ron")).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/dir/plan.rebook.ron"), "{err}");
}
