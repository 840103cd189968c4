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

// ---------------------------------------------------------------- outputs never clobber plans

fn cli(args: &[&str]) -> anyhow::Result<std::process::ExitCode> {
    use clap::Parser;
    let argv = std::iter::once("rebook").chain(args.iter().copied());
    rebook::cli::run(rebook::cli::Cli::parse_from(argv))
}

/// A solved plan with history, saved at `dir/name`; returns its path and bytes.
fn shared_plan(dir: &std::path::Path, name: &str) -> (std::path::PathBuf, Vec<u8>) {
    let path = dir.join(name);
    let mut plan = crate::common::plan_with_bookings(20);
    plan.history.push(rebook::model::HistoryEntry::now("50 outcomes recorded"));
    plan_file::save(&plan, &path).unwrap();
    let bytes = fs::read(&path).unwrap();
    (path, bytes)
}

/// A colleague's live lock (another computer, refreshed now) beside `plan`.
fn colleague_lock(plan: &std::path::Path) {
    let now = chrono::Utc::now().to_rfc3339();
    let json = format!(
        r#"{{"user":"jsmith","machine":"RECEPTION-2","pid":4242,"since":"{now}","refreshed":"{now}","token":"theirs"}}"#
    );
    fs::write(rebook::io::lock::lock_path(plan), json).unwrap();
}

#[test]
fn export_and_print_never_replace_a_plan() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, bytes) = shared_plan(dir.path(), "p.rebook.ron");
    let (other, other_bytes) = shared_plan(dir.path(), "other.rebook.ron");
    let p = plan.to_str().unwrap();
    for out in [&plan, &other] {
        let o = out.to_str().unwrap();
        for args in [vec!["export", "calls", p, "--out", o], vec!["print", p, "--out", o]] {
            let err = cli(&args).unwrap_err().to_string();
            assert!(err.contains("was not written"), "{args:?}: {err}");
            assert!(err.contains("plan"), "{err}");
        }
    }
    assert_eq!(fs::read(&plan).unwrap(), bytes, "the plan is untouched");
    assert_eq!(fs::read(&other).unwrap(), other_bytes);
    // Through a link to the plan, too.
    #[cfg(unix)]
    {
        let link = dir.path().join("calls.csv");
        std::os::unix::fs::symlink(&plan, &link).unwrap();
        assert!(cli(&["export", "calls", p, "--out", link.to_str().unwrap()]).is_err());
        assert_eq!(fs::read(&plan).unwrap(), bytes);
    }
    // An ordinary export is written, without a backup of the previous one.
    let csv = dir.path().join("calls-out.csv");
    for _ in 0..2 {
        assert_eq!(
            cli(&["export", "calls", p, "--out", csv.to_str().unwrap()]).unwrap(),
            std::process::ExitCode::SUCCESS
        );
    }
    assert!(!plan_file::backup_path(&csv).exists(), "no .bak for exports");
}

#[test]
fn import_solve_and_generate_replace_a_plan_only_with_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let (existing, bytes) = shared_plan(dir.path(), "existing.rebook.ron");
    let e = existing.to_str().unwrap();
    let (source, _) = shared_plan(dir.path(), "source.rebook.ron");
    let s = source.to_str().unwrap();
    let backlog = dir.path().join("backlog.csv");
    let example = rebook::generate::generate(&rebook::generate::example_config());
    fs::write(&backlog, rebook::generate::backlog_csv(&example).unwrap()).unwrap();
    let b = backlog.to_str().unwrap();
    let rota = dir.path().join("rota.csv");
    fs::write(&rota, rebook::generate::rota_csv(&example).unwrap()).unwrap();
    let r = rota.to_str().unwrap();

    let refused = |args: &[&str]| {
        let err = cli(args).unwrap_err().to_string();
        assert!(err.contains("--overwrite"), "{args:?}: {err}");
        assert_eq!(fs::read(&existing).unwrap(), bytes, "{args:?} replaced the plan");
    };
    refused(&["import", "--rota", r, "--backlog", b, "--out", e]);
    refused(&["solve", s, "--out", e]);

    let gen_dir = dir.path().join("gen");
    fs::create_dir(&gen_dir).unwrap();
    let generated = gen_dir.join("plan.rebook.ron");
    fs::copy(&existing, &generated).unwrap();
    let err = cli(&["generate", "--out", gen_dir.to_str().unwrap()]).unwrap_err().to_string();
    assert!(err.contains("--overwrite"), "{err}");
    assert_eq!(fs::read(&generated).unwrap(), bytes);
    // A colleague has it open: not replaced even with --overwrite.
    colleague_lock(&generated);
    let err = format!("{:#}", cli(&["generate", "--overwrite", "--out", gen_dir.to_str().unwrap()]).unwrap_err());
    assert!(err.contains("open by jsmith"), "{err}");
    assert_eq!(fs::read(&generated).unwrap(), bytes);
    fs::remove_file(rebook::io::lock::lock_path(&generated)).unwrap();
    assert!(cli(&["generate", "--overwrite", "--out", gen_dir.to_str().unwrap()]).is_ok());
    assert_ne!(fs::read(&generated).unwrap(), bytes);

    // Honour a colleague's lock on the target of --out too.
    colleague_lock(&existing);
    let err = cli(&["solve", s, "--out", e, "--overwrite"]).unwrap_err().to_string();
    assert!(err.contains("open by jsmith"), "{err}");
    assert_eq!(fs::read(&existing).unwrap(), bytes);
    fs::remove_file(rebook::io::lock::lock_path(&existing)).unwrap();
    assert!(cli(&["solve", s, "--out", e, "--overwrite"]).is_ok());
    let imported = cli(&["import", "--rota", r, "--backlog", b, "--out", e, "--overwrite"]).unwrap();
    assert_eq!(imported, std::process::ExitCode::SUCCESS);
    assert_eq!(plan_file::load(&existing).unwrap().backlog.len(), example.backlog.len());
}

#[cfg(unix)]
#[test]
fn a_plan_reached_through_a_link_is_the_shared_plan() {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    fs::create_dir(&share).unwrap();
    let (real, _) = shared_plan(&share, "outage.rebook.ron");
    let link = dir.path().join("Desktop shortcut.rebook.ron");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let csv = dir.path().join("ticks.csv");
    fs::write(&csv, "appointment_id,outcome\nA0004,C\nA0005,C\n").unwrap();
    let args = ["outcomes", link.to_str().unwrap(), "--from", csv.to_str().unwrap()];

    // The real file's lock is honoured through the link.
    colleague_lock(&real);
    let err = cli(&args).unwrap_err().to_string();
    assert!(err.contains("open by jsmith"), "{err}");
    fs::remove_file(rebook::io::lock::lock_path(&real)).unwrap();

    assert_eq!(cli(&args).unwrap(), std::process::ExitCode::SUCCESS);
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is still a link");
    let shared = plan_file::load(&real).unwrap();
    assert_eq!(shared.booking("A0004").unwrap().contact, rebook::model::ContactStatus::Confirmed);
    assert!(plan_file::backup_path(&real).exists(), "the backup is beside the real file");
    assert!(!plan_file::backup_path(&link).exists());
    assert!(!rebook::io::lock::lock_path(&link).exists());
}

#[cfg(unix)]
#[test]
fn a_planted_temp_link_is_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rebook.ron");
    plan_file::save(&sample_plan(), &path).unwrap();
    let victim = dir.path().join("victim.txt");
    fs::write(&victim, "keep me").unwrap();
    // The name earlier releases used for this process's temporary file.
    let planted = dir.path().join(format!("p.rebook.ron.tmp-{}", std::process::id()));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    let mut plan = sample_plan();
    plan.practice.name = "Renamed".into();
    plan_file::save(&plan, &path).unwrap();
    assert_eq!(fs::read_to_string(&victim).unwrap(), "keep me");
    assert_eq!(plan_file::load(&path).unwrap().practice.name, "Renamed");
    assert!(!fs::symlink_metadata(&path).unwrap().file_type().is_symlink());
}

#[cfg(unix)]
#[test]
fn saving_keeps_the_mode_of_the_plan() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rebook.ron");
    for mode in [0o600, 0o660, 0o640] {
        plan_file::save(&sample_plan(), &path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        plan_file::save(&sample_plan(), &path).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, mode, "{mode:o}");
    }
}

#[test]
fn temporary_files_of_killed_saves_are_cleaned_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rebook.ron");
    plan_file::save(&sample_plan(), &path).unwrap();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let legacy = dir.path().join(format!("p.rebook.ron.tmp-{dead}"));
    fs::write(&legacy, "SMITH, Jane 9990000018").unwrap();
    // From another computer, two hours old.
    let old = dir.path().join("p.rebook.ron.tmp-0badc0de-17-00000000000000ff");
    fs::write(&old, "SMITH, Jane 9990000018").unwrap();
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    fs::File::options().write(true).open(&old).unwrap().set_modified(two_hours_ago).unwrap();
    // A live save on another computer is left alone.
    let live = dir.path().join("p.rebook.ron.tmp-0badc0de-18-00000000000000fe");
    fs::write(&live, "in progress").unwrap();
    plan_file::save(&sample_plan(), &path).unwrap();
    if cfg!(target_os = "linux") {
        assert!(!legacy.exists(), "a dead process's temporary file is removed");
    }
    assert!(!old.exists(), "an hour-old temporary file is removed");
    assert!(live.exists());
    // `protect` cleans them too.
    fs::write(&old, "again").unwrap();
    fs::File::options().write(true).open(&old).unwrap().set_modified(two_hours_ago).unwrap();
    assert_eq!(plan_file::remove_leftover_temps(&path), 1);
}

#[test]
fn nothing_is_saved_that_could_not_be_loaded_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rebook.ron");
    plan_file::save(&sample_plan(), &path).unwrap();
    let before = fs::read(&path).unwrap();
    let mut long = sample_plan();
    long.practice.name = "x".repeat(20_000);
    let err = plan_file::save(&long, &path).unwrap_err();
    assert!(err.to_string().contains("longer than the 10000 allowed"), "{err}");
    let mut nan = sample_plan();
    nan.rules.reserve = f64::NAN;
    let err = plan_file::save(&nan, &path).unwrap_err();
    assert!(err.to_string().contains("reserve"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before);
    let names: Vec<String> =
        fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.contains(".tmp-")), "no temporary file left: {names:?}");
}

/// A plan saved before unplaced reasons were data holds them as words: it
/// still opens, shows those words, and saves again stably; a new plan keeps
/// its reasons as data through a save and a load.
#[test]
fn old_plans_with_reasons_in_words_open_and_new_reasons_round_trip() {
    use rebook::model::unplaced::Binding;
    use rebook::model::{Booking, Outcome, UnplacedReason};
    let empty = plan_file::to_ron(&Plan::new("Riverside Surgery")).unwrap();
    assert!(empty.contains("bookings: [],"), "{empty}");
    let old = empty.replace(
        "bookings: [],",
        r#"bookings: [
        (
            appointment_id: "A0001",
            outcome: Unplaced(
                reason: "no GP session with a free slot before the see-by date",
            ),
            explanation: "no GP session with a free slot before the see-by date",
        ),
        (
            appointment_id: "A0002",
            outcome: Unplaced(reason: ""),
        ),
    ],"#,
    );
    let plan = plan_file::parse_plan(&old, std::path::Path::new("old.rebook.ron")).unwrap();
    let words = "no GP session with a free slot before the see-by date";
    assert_eq!(plan.bookings[0].outcome, Outcome::Unplaced { reason: UnplacedReason::Other(words.into()) });
    assert_eq!(plan.bookings[1].outcome, Outcome::Unplaced { reason: UnplacedReason::NotExplained });
    let Outcome::Unplaced { reason } = &plan.bookings[0].outcome else { unreachable!() };
    assert_eq!(reason.describe(&plan), words);
    let saved = plan_file::to_ron(&plan).unwrap();
    let again = plan_file::parse_plan(&saved, std::path::Path::new("old.rebook.ron")).unwrap();
    assert_eq!((&again, plan_file::to_ron(&again).unwrap()), (&plan, saved));

    let mut new = Plan::new("Riverside Surgery");
    new.bookings.push(Booking {
        appointment_id: "A0003".into(),
        outcome: Outcome::Unplaced {
            reason: UnplacedReason::NoRoom {
                patient_limited: true,
                binding: Binding::Full {
                    mode: Some(rebook::model::Mode::Telephone),
                    roles: vec!["GP".into()],
                    with: Some("GP-PATEL".into()),
                    sessions: 3,
                    full: 2,
                    first_full: Some((
                        chrono::NaiveDate::from_ymd_opt(2024, 7, 22).unwrap(),
                        rebook::model::PartOfDay::AM,
                        "GP-PATEL".into(),
                    )),
                    work: vec![("urgent".into(), 2)],
                    busy: 1,
                    capped: 0,
                },
            },
        },
        pinned: false,
        contact: Default::default(),
        explanation: String::new(),
        changed: None,
    });
    let text = plan_file::to_ron(&new).unwrap();
    assert!(text.contains("reason: NoRoom(") && !text.contains("reason: \""), "{text}");
    let back = plan_file::parse_plan(&text, std::path::Path::new("new.rebook.ron")).unwrap();
    assert_eq!((&back, plan_file::to_ron(&back).unwrap()), (&new, text));
}
