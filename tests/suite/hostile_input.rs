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
    // A plan that is one enormous string is refused with where the string starts
    // (values are at most 10,000 characters, as the README says), and never saved.
    let mut plan = Plan::new("P");
    plan.practice.name = "N".repeat(20_000_000);
    assert!(plan_file::save(&plan, &path).is_err());
    fs::write(&path, plan_file::to_ron(&plan).unwrap()).unwrap();
    let err = within(Duration::from_secs(5), "20 MB name", || plan_file::load(&path)).unwrap_err();
    let PlanFileError::Syntax { line, .. } = &err else { panic!("{err}") };
    assert!(*line >= 3, "{err}");
    assert!(err.to_string().contains("a text value of 20000000 characters"), "{err}");
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

// ---------------------------------------------------------------- the command line, hostile

/// Runs the release CLI with `env` set, killing it (and failing) after 20 s.
fn rebook_bounded(args: &[&str], env: &[(&str, Option<&str>)]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rebook"));
    command.args(args).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    for (name, value) in env {
        match value {
            Some(v) => command.env(name, v),
            None => command.env_remove(name),
        };
    }
    let mut child = command.spawn().unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("rebook {args:?} did not end within 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
fn mkfifo(path: &std::path::Path) -> bool {
    std::process::Command::new("mkfifo").arg(path).status().is_ok_and(|s| s.success())
}

/// A plan whose text has `from` replaced by `to` (bypassing the saver's checks).
fn edited_plan(dir: &std::path::Path, name: &str, from: &str, to: &str) -> std::path::PathBuf {
    let text = plan_file::to_ron(&plan()).unwrap();
    assert!(text.contains(from), "{from}");
    let path = dir.join(name);
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path
}

/// What is given, the command line, its environment, and what the message must say.
type Case<'a> = (&'a str, Vec<String>, Vec<(&'a str, Option<&'a str>)>, &'a str);

/// Each hostile input gives a clear message and a failing exit, quickly, and
/// changes nothing on disk.
#[cfg(unix)]
#[test]
fn hostile_command_line_inputs_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = d.join("good.rebook.ron");
    plan_file::save(&plan(), &good).unwrap();
    let g = good.to_str().unwrap().to_string();
    let fifo = d.join("fifo");
    assert!(mkfifo(&fifo), "mkfifo");
    let f = fifo.to_str().unwrap().to_string();
    let free = plan().sessions[0].free_slots;
    let slots = |n: &str| {
        edited_plan(d, &format!("slots{n}.rebook.ron"), &format!("free_slots: {free},"), &format!("free_slots: {n},"))
    };
    let rule = |name: &str, value: &str| {
        let text = plan_file::to_ron(&plan()).unwrap();
        let line = text.lines().find(|l| l.trim_start().starts_with(&format!("{name}:"))).unwrap().trim().to_string();
        edited_plan(d, &format!("{name}-{value}.rebook.ron"), &line, &format!("{name}: {value},"))
    };
    let first_weight = {
        let text = plan_file::to_ron(&plan()).unwrap();
        text.lines().find(|l| l.trim_start().starts_with("weight:")).unwrap().trim().to_string()
    };
    let horizon = {
        let mut p = plan();
        p.horizon = Some(rebook::model::Horizon { start: chrono::NaiveDate::MIN, end: chrono::NaiveDate::MIN });
        let path = d.join("ancient.rebook.ron");
        fs::write(&path, plan_file::to_ron(&p).unwrap()).unwrap();
        path
    };
    let version0 = edited_plan(d, "v0.rebook.ron", "format_version: 1,", "format_version: 0,");
    let s = |p: std::path::PathBuf| p.to_str().unwrap().to_string();

    let cases: Vec<Case> = vec![
        ("a device as the plan", vec!["check".into(), "/dev/zero".into()], vec![], "a device"),
        ("a FIFO as the plan", vec!["check".into(), f.clone()], vec![], "named pipe"),
        (
            "a FIFO as the passphrase file",
            vec!["check".into(), g.clone(), "--passphrase-file".into(), f.clone()],
            vec![],
            "named pipe",
        ),
        (
            "a device as the passphrase file",
            vec!["check".into(), g.clone(), "--passphrase-file".into(), "/dev/zero".into()],
            vec![],
            "a device",
        ),
        (
            "a FIFO as the outcomes CSV",
            vec!["outcomes".into(), g.clone(), "--from".into(), f.clone()],
            vec![],
            "named pipe",
        ),
        (
            "a device as the backlog CSV",
            vec!["import".into(), "--backlog".into(), "/dev/zero".into(), "--out".into(), s(d.join("new.rebook.ron"))],
            vec![],
            "a device",
        ),
        (
            "--time-limit 1e20",
            vec!["solve".into(), g.clone(), "--time-limit".into(), "1e20".into()],
            vec![],
            "--time-limit must be",
        ),
        (
            "--time-limit NaN",
            vec!["solve".into(), g.clone(), "--time-limit".into(), "NaN".into()],
            vec![],
            "--time-limit must be",
        ),
        ("--time-limit -1", vec!["solve".into(), g.clone(), "--time-limit=-1".into()], vec![], "--time-limit must be"),
        (
            "--size 2^64-1",
            vec!["generate".into(), "--size".into(), "18446744073709551615".into(), "--out".into(), s(d.join("gen"))],
            vec![],
            "--size must be at most",
        ),
        ("free_slots 4000000000", vec!["check".into(), s(slots("4000000000"))], vec![], "free slots; at most 1440"),
        (
            "free_slots 4000000000 solved",
            vec!["solve".into(), s(slots("4000000000"))],
            vec![],
            "free slots; at most 1440",
        ),
        (
            "free_slots 4000000000 advised",
            vec!["advise".into(), s(slots("4000000000"))],
            vec![],
            "free slots; at most 1440",
        ),
        ("reserve NaN", vec!["check".into(), s(rule("reserve", "NaN"))], vec![], "the reserve is NaN"),
        ("reserve 1.5", vec!["check".into(), s(rule("reserve", "1.5"))], vec![], "the reserve is 1.5"),
        ("reserve -0.2", vec!["check".into(), s(rule("reserve", "-0.2"))], vec![], "the reserve is -0.2"),
        ("late_penalty inf", vec!["solve".into(), s(rule("late_penalty", "inf"))], vec![], "late_penalty is inf"),
        (
            "weight NaN",
            vec!["check".into(), s(edited_plan(d, "wnan.rebook.ron", &first_weight, "weight: NaN,"))],
            vec![],
            "has weight NaN",
        ),
        (
            "weight -5",
            vec!["check".into(), s(edited_plan(d, "wneg.rebook.ron", &first_weight, "weight: -5.0,"))],
            vec![],
            "has weight -5",
        ),
        ("a horizon in year -262143", vec!["check".into(), s(horizon)], vec![], "the horizon start is"),
        ("format version 0", vec!["check".into(), s(version0)], vec![], "format_version is 0"),
    ];
    for (what, args, env, expected) in cases {
        let before: Vec<(std::path::PathBuf, Vec<u8>)> = fs::read_dir(d)
            .unwrap()
            .flatten()
            .filter(|e| e.file_type().unwrap().is_file())
            .map(|e| (e.path(), fs::read(e.path()).unwrap()))
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let started = Instant::now();
        let out = rebook_bounded(&args, &env);
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{what}: succeeded");
        assert!(stderr.contains(expected), "{what}: expected \"{expected}\" in: {stderr}");
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        assert!(took < Duration::from_secs(10), "{what} took {took:?}");
        for (path, bytes) in before {
            assert_eq!(fs::read(&path).unwrap(), bytes, "{what} changed {}", path.display());
        }
        let leftovers: Vec<String> = fs::read_dir(d)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".lock") || n.contains(".tmp-") || n == "gen" || n == "new.rebook.ron")
            .collect();
        assert!(leftovers.is_empty(), "{what} left {leftovers:?}");
        eprintln!("{what}: {took:?}");
    }
}

/// A lock file that is a FIFO or a device is a damaged lock: reported (and
/// taken over) at once, never read.
#[cfg(unix)]
#[test]
fn a_lock_file_that_is_a_fifo_or_device_is_damaged_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rebook.ron");
    plan_file::save(&plan(), &path).unwrap();
    let lock = rebook::io::lock::lock_path(&path);
    assert!(mkfifo(&lock));
    let out = rebook_bounded(&["history", path.to_str().unwrap()], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("damaged lock file") && stdout.contains("named pipe"), "{stdout}");
    fs::remove_file(&lock).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &lock).unwrap();
    let out = rebook_bounded(&["history", path.to_str().unwrap()], &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("a device"), "{out:?}");
}

/// $USER with a newline or terminal escapes cannot forge a history line;
/// with $USER unset the account name is used.
#[cfg(unix)]
#[test]
fn user_and_machine_names_are_cleaned_and_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rebook.ron");
    plan_file::save(&common_plan(), &path).unwrap();
    let csv = dir.path().join("o.csv");
    fs::write(&csv, "appointment_id,outcome\nA0004,C\n").unwrap();
    let p = path.to_str().unwrap();
    let forged = "eve\n01/01/2024 09:00 admin on PC: 0 outcomes\u{1b}[2J";
    let out = rebook_bounded(
        &["outcomes", p, "--from", csv.to_str().unwrap()],
        &[("USER", Some(forged)), ("HOSTNAME", Some("PC\r\nFAKE")), ("USERNAME", None), ("LOGNAME", None)],
    );
    assert!(out.status.success(), "{out:?}");
    let saved = plan_file::load(&path).unwrap();
    let entry = saved.history.last().unwrap();
    assert!(!entry.user.contains(['\n', '\u{1b}']) && !entry.machine.contains(['\r', '\n']), "{entry:?}");
    let history = rebook_bounded(&["history", p], &[]);
    assert_eq!(String::from_utf8_lossy(&history.stdout).lines().count(), saved.history.len(), "one line a save");

    fs::write(&csv, "appointment_id,outcome\nA0005,C\n").unwrap();
    let out = rebook_bounded(
        &["outcomes", p, "--from", csv.to_str().unwrap()],
        &[("USER", None), ("USERNAME", None), ("LOGNAME", None)],
    );
    assert!(out.status.success(), "{out:?}");
    let user = plan_file::load(&path).unwrap().history.last().unwrap().user.clone();
    // Where the account has a name (whoami finds it), it is the one recorded.
    if let Some((true, whoami)) = crate::common::tool_output("whoami", &[]) {
        assert_eq!(user, whoami.trim());
    }
}

fn common_plan() -> Plan {
    crate::common::plan_with_bookings(20)
}

/// A passphrase file saved by Notepad (a byte-order mark, CRLF) opens what
/// the same typed passphrase protects.
#[test]
fn a_notepad_passphrase_file_matches_the_typed_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rebook.ron");
    let typed = rebook::io::crypto::Passphrase::with_work_factor("correct horse battery", 4);
    plan_file::save_with(&plan(), &path, Some(&typed)).unwrap();
    let file = dir.path().join("pass.txt");
    fs::write(&file, "\u{feff}correct horse battery\r\n").unwrap();
    let from_file = rebook::io::crypto::Passphrase::from_file(&file).unwrap();
    assert!(plan_file::load_with(&path, Some(&from_file)).is_ok());
    // Found by fuzzing: a file saved again by a tool that adds a mark each time has two.
    fs::write(&file, "\u{feff}\u{feff}correct horse battery\r\n").unwrap();
    let from_file = rebook::io::crypto::Passphrase::from_file(&file).unwrap();
    assert!(plan_file::load_with(&path, Some(&from_file)).is_ok());
}

/// Phone numbers (and every other text cell) that a spreadsheet would run are
/// defused in every export.
#[test]
fn formula_phones_are_defused_in_every_export() {
    let mut plan = common_plan();
    let attacks = ["=HYPERLINK(\"http://x\",\"y\")", "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1-cmd", "\t=1"];
    for (item, attack) in plan.backlog.iter_mut().zip(attacks.iter().cycle()) {
        item.patient.phone = attack.to_string();
        item.patient.sms_consent = false;
    }
    for csv in [
        rebook::export::bookings_csv(&plan).unwrap(),
        rebook::export::calls_csv(&plan).unwrap(),
        rebook::export::sms_csv(&plan).unwrap(),
    ] {
        let mut reader = ::csv::Reader::from_reader(csv.as_slice());
        for row in reader.records() {
            for cell in row.unwrap().iter() {
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']) || cell.starts_with("+44"), "{cell}");
            }
        }
    }
}

#[test]
fn formula_phones_in_an_import_are_left_out_with_a_warning_and_reach_no_export() {
    let mut plan = plan();
    let attacks = ["=HYPERLINK(\"http://x.test\",\"ring\")", "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1-cmd", "-2+3"];
    let mut csv =
        "appointment_id,nhs_number,patient_name,phone,sms_consent,original_date,appointment_type\n".to_string();
    for (n, attack) in attacks.iter().enumerate() {
        let nhs = rebook::model::nhs::test_numbers().nth(n).unwrap();
        csv.push_str(&format!("X{n},{nhs},\"DOE, Sam\",\"{}\",Y,19/07/2024,GP routine\n", attack.replace('"', "\"\"")));
    }
    let preview = csv_import::preview_backlog(&plan, csv.as_bytes(), &BTreeMap::new()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    assert_eq!(preview.items.len(), attacks.len());
    assert!(preview.items.iter().all(|i| i.patient.phone.is_empty()));
    let lines: Vec<usize> = preview.warnings.iter().filter(|w| w.column == "phone").map(|w| w.line).collect();
    assert_eq!(lines, [2, 3, 4, 5, 6]);
    csv_import::accept_backlog(&mut plan, preview);
    for export in [
        rebook::export::bookings_csv(&plan).unwrap(),
        rebook::export::calls_csv(&plan).unwrap(),
        rebook::export::sms_csv(&plan).unwrap(),
    ] {
        let text = String::from_utf8(export).unwrap();
        assert!(!text.contains("HYPERLINK") && !text.contains("calc") && !text.contains("SUM("), "{text}");
    }
}
