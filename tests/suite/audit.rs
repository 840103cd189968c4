//! The audit trail: `rebook print` and `rebook export` record who sent what where.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use rebook::io::crypto::Passphrase;
use rebook::io::plan_file;
use rebook::model::AuditAction;
use std::process::Command;

fn rebook(args: &[&str], user: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rebook"))
        .args(args)
        .env("USER", user)
        .env("USERNAME", user)
        .env("REBOOK_PASSPHRASE", "audit pass")
        .output()
        .unwrap()
}

#[test]
fn print_and_export_are_recorded_with_user_and_detail() {
    let dir = tempfile::tempdir().unwrap();
    let plan_path = dir.path().join("plan.rebook.ron");
    plan_file::save(&common::plan_with_bookings(20), &plan_path).unwrap();
    let p = plan_path.to_str().unwrap();
    let csv = dir.path().join("sms.csv");
    let pdf = dir.path().join("calls.pdf");
    let out = rebook(&["export", "sms", p, "--out", csv.to_str().unwrap()], "mwilson");
    assert!(out.status.success(), "{out:?}");
    let out = rebook(&["print", p, "--out", pdf.to_str().unwrap(), "--mask", "--no-dob"], "reception2");
    assert!(out.status.success(), "{out:?}");

    let plan = plan_file::load(&plan_path).unwrap();
    assert_eq!(plan.audit.len(), 2, "{:?}", plan.audit);
    let (export, print) = (&plan.audit[0], &plan.audit[1]);
    assert_eq!((export.action, export.user.as_str()), (AuditAction::Export, "mwilson"));
    assert!(export.detail.starts_with("SMS batch CSV, ") && export.detail.ends_with("sms.csv"), "{}", export.detail);
    assert_eq!((print.action, print.user.as_str()), (AuditAction::Print, "reception2"));
    assert!(print.detail.contains("call list by day (NHS numbers masked, no dates of birth)"), "{}", print.detail);
    assert!(export.when <= print.when);
    // The plan is still plain: recording did not encrypt it with the env passphrase.
    assert!(!plan_file::is_encrypted(&plan_path).unwrap());
}

#[test]
fn an_encrypted_plan_stays_encrypted_when_the_export_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let plan_path = dir.path().join("plan.rebook.ron");
    let pass = Passphrase::with_work_factor("audit pass", 10);
    plan_file::save_with(&common::plan_with_bookings(10), &plan_path, Some(&pass)).unwrap();
    let csv = dir.path().join("bookings.csv");
    let out = rebook(&["export", "bookings", plan_path.to_str().unwrap(), "--out", csv.to_str().unwrap()], "pm");
    assert!(out.status.success(), "{out:?}");
    assert!(plan_file::is_encrypted(&plan_path).unwrap());
    let plan = plan_file::load_with(&plan_path, Some(&pass)).unwrap();
    assert_eq!(plan.audit.len(), 1);
    assert!(plan.audit[0].detail.starts_with("bookings CSV, 10 rows"), "{}", plan.audit[0].detail);
}
