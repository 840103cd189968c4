//! Encryption at rest: sealed plan files, their backups, and `rebook check`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use rebook::io::crypto::{self, Passphrase};
use rebook::io::plan_file::{self, PlanFileError};
use std::fs;
use std::process::Command;

/// Low scrypt cost so debug tests stay fast; real saves use about a second.
fn pass(text: &str) -> Passphrase {
    Passphrase::with_work_factor(text, 10)
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn encrypted_file_holds_no_patient_name_and_opens_only_with_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rebook.ron");
    let plan = common::plan_with_bookings(40);
    let name = plan.backlog[0].patient.name.clone();
    let nhs = plan.backlog[0].patient.nhs_number.clone();
    plan_file::save_with(&plan, &path, Some(&pass("correct horse"))).unwrap();

    let bytes = fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
    assert!(!contains(&bytes, &name), "patient name {name} found in the encrypted file");
    assert!(!contains(&bytes, &nhs));
    assert!(!contains(&bytes, "Riverside"));

    assert!(plan_file::is_encrypted(&path).unwrap());
    assert!(matches!(plan_file::load(&path), Err(PlanFileError::NeedsPassphrase { .. })));
    let wrong = plan_file::load_with(&path, Some(&pass("wrong horse")));
    assert!(matches!(wrong, Err(PlanFileError::WrongPassphrase { .. })), "{wrong:?}");
    assert!(wrong.unwrap_err().to_string().contains("passphrase"));
    assert_eq!(plan_file::load_with(&path, Some(&pass("correct horse"))).unwrap(), plan);
}

#[test]
fn binary_age_files_open_too_and_plain_files_ignore_a_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let plan = common::plan_with_bookings(5);
    let text = plan_file::to_ron(&plan).unwrap();
    let binary = dir.path().join("b.rebook.ron");
    fs::write(&binary, crypto::encrypt(text.as_bytes(), &pass("p"), false).unwrap()).unwrap();
    assert!(fs::read(&binary).unwrap().starts_with(b"age-encryption.org/v1"));
    assert_eq!(plan_file::load_with(&binary, Some(&pass("p"))).unwrap(), plan);

    let plain = dir.path().join("plain.rebook.ron");
    plan_file::save(&plan, &plain).unwrap();
    assert_eq!(plan_file::load_with(&plain, Some(&pass("p"))).unwrap(), plan);
    assert!(!plan_file::is_encrypted(&plain).unwrap());
}

#[test]
fn encrypting_a_plain_plan_leaves_no_plain_backup_or_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rebook.ron");
    let mut plan = common::plan_with_bookings(10);
    let name = plan.backlog[0].patient.name.clone();
    plan_file::save(&plan, &path).unwrap();
    plan_file::save(&plan, &path).unwrap(); // a plain backup exists now too
    plan.practice.name = "Renamed".into();
    plan_file::save_with(&plan, &path, Some(&pass("s3cret"))).unwrap();

    for entry in fs::read_dir(dir.path()).unwrap() {
        let entry = entry.unwrap();
        let bytes = fs::read(entry.path()).unwrap();
        assert!(!contains(&bytes, &name), "{} holds patient data in plain text", entry.path().display());
    }
    let backup = plan_file::backup_path(&path);
    let old = plan_file::load_with(&backup, Some(&pass("s3cret"))).unwrap();
    assert_eq!(old.practice.name, "Riverside Medical Practice");
    // Saving again keeps the (encrypted) previous version as the backup.
    plan.practice.name = "Renamed again".into();
    plan_file::save_with(&plan, &path, Some(&pass("s3cret"))).unwrap();
    assert_eq!(plan_file::load_with(&backup, Some(&pass("s3cret"))).unwrap().practice.name, "Renamed");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn damaged_encrypted_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rebook.ron");
    plan_file::save_with(&common::plan_with_bookings(10), &path, Some(&pass("p"))).unwrap();
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = plan_file::load_with(&path, Some(&pass("p"))).unwrap_err();
    assert!(matches!(err, PlanFileError::Encrypted { .. }), "{err:?}");
    assert!(err.to_string().contains("damaged"), "{err}");
}

#[test]
fn check_needs_the_passphrase_for_an_encrypted_plan() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rebook.ron");
    plan_file::save_with(&common::plan_with_bookings(10), &path, Some(&pass("open sesame"))).unwrap();
    let rebook = env!("CARGO_BIN_EXE_rebook");

    let out = Command::new(rebook).arg("check").arg(&path).env_remove("REBOOK_PASSPHRASE").output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("protected with a passphrase"), "{stderr}");

    let file = dir.path().join("pass.txt");
    fs::write(&file, "open sesame\n").unwrap();
    let out = Command::new(rebook).arg("check").arg(&path).arg("--passphrase-file").arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("10"), "{stdout}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("passphrase"));

    let out = Command::new(rebook).arg("check").arg(&path).env("REBOOK_PASSPHRASE", "nope").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("passphrase"));
    let out = Command::new(rebook).arg("check").arg(&path).env("REBOOK_PASSPHRASE", "open sesame").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Riverside"), "{out:?}");
}

#[test]
fn rebook_protect_encrypts_a_plan_and_remove_makes_it_plain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rebook.ron");
    let plan = common::plan_with_bookings(8);
    let name = plan.backlog[0].patient.name.clone();
    plan_file::save(&plan, &path).unwrap();
    let rebook = env!("CARGO_BIN_EXE_rebook");
    let protect = |passphrase: &str, remove: bool| {
        let mut command = Command::new(rebook);
        command.arg("protect").arg(&path).env("REBOOK_PASSPHRASE", passphrase);
        if remove {
            command.arg("--remove");
        }
        command.output().unwrap()
    };
    let out = protect("short", false);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("at least 8"), "{out:?}");
    assert!(!plan_file::is_encrypted(&path).unwrap(), "a refused passphrase changes nothing");

    assert!(protect("a long passphrase", false).status.success());
    let bytes = fs::read(&path).unwrap();
    assert!(plan_file::is_encrypted(&path).unwrap() && !contains(&bytes, &name));
    assert!(!contains(&fs::read(plan_file::backup_path(&path)).unwrap(), &name), "the backup is sealed too");
    assert!(matches!(plan_file::load(&path), Err(PlanFileError::NeedsPassphrase { .. })));

    assert!(!protect("the wrong passphrase", true).status.success());
    assert!(protect("a long passphrase", true).status.success());
    let back = plan_file::load(&path).unwrap();
    assert_eq!(back.backlog, plan.backlog);
    assert!(!rebook::io::lock::lock_path(&path).exists(), "the lock went with the command");
}
