//! The CSV exports: bookings for re-entry, the SMS batch and the call list.
//! SMS and calls partition the placed patients exactly, and a recorded SMS
//! refusal (or a death) is honoured by every export.
#![allow(clippy::unwrap_used)]

use crate::common::{plan_with_bookings, tool_output};
use proptest::prelude::*;
use rebook::export::{BOOKINGS_COLUMNS, CALLS_COLUMNS, SMS_COLUMNS, bookings_csv, calls_csv, sms_csv};
use rebook::model::{ContactStatus, Outcome, Plan};
use std::collections::BTreeMap;

fn read(bytes: &[u8]) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader
        .records()
        .map(|r| headers.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect())
        .collect();
    (headers, rows)
}

/// (NHS number, date, time) of each row: identifies one placed appointment.
fn keys(rows: &[BTreeMap<String, String>]) -> Vec<(String, String, String)> {
    let mut keys: Vec<_> =
        rows.iter().map(|r| (r["NHS number"].clone(), r["Date"].clone(), r["Time"].clone())).collect();
    keys.sort();
    keys
}

fn placed_keys(plan: &Plan) -> Vec<(String, String, String)> {
    let mut keys: Vec<_> = plan
        .backlog
        .iter()
        .filter_map(|item| {
            let b = plan.booking(&item.id)?;
            let Outcome::Placed { session, time } = &b.outcome else { return None };
            let s = plan.session(session)?;
            Some((
                item.patient.nhs_number.clone(),
                s.date.format("%d/%m/%Y").to_string(),
                time.format("%H:%M").to_string(),
            ))
        })
        .collect();
    keys.sort();
    keys
}

fn assert_partition(plan: &Plan) {
    let (_, sms) = read(&sms_csv(plan).unwrap());
    let (_, calls) = read(&calls_csv(plan).unwrap());
    let mut both = keys(&sms);
    both.extend(keys(&calls));
    both.sort();
    assert_eq!(both, placed_keys(plan), "SMS + calls must be exactly the placed appointments");
    for row in &sms {
        let item = plan.backlog.iter().find(|b| b.patient.nhs_number == row["NHS number"]).unwrap();
        assert!(item.patient.sms_consent, "{} declined SMS but is in the SMS file", item.id);
        assert!(!item.patient.deceased, "{} is deceased but is in the SMS file", item.id);
        assert!(!row["Date of Birth"].is_empty(), "{} has no date of birth to match on", item.id);
    }
}

#[test]
fn sms_and_calls_partition_the_placed_patients() {
    let plan = plan_with_bookings(1000);
    assert_partition(&plan);
    let (headers, sms) = read(&sms_csv(&plan).unwrap());
    assert_eq!(headers, SMS_COLUMNS);
    let (headers, calls) = read(&calls_csv(&plan).unwrap());
    assert_eq!(headers, CALLS_COLUMNS);
    assert!(sms.len() > 300 && calls.len() > 300, "{} SMS, {} calls", sms.len(), calls.len());
    for row in &sms {
        let mobile = &row["Mobile"];
        assert!(mobile.len() == 11 && mobile.starts_with("07"), "{mobile}");
    }
    for row in &calls {
        assert!(!row["Why not by SMS"].is_empty());
    }
}

#[test]
fn a_patient_who_declined_sms_never_appears_in_the_sms_file() {
    let mut plan = plan_with_bookings(50);
    // Patient 5 (a valid mobile, placed, not contacted) declines SMS consent.
    let who = plan.backlog.iter().position(|b| b.id == "A0005").unwrap();
    let nhs_number = plan.backlog[who].patient.nhs_number.clone();
    let (_, before) = read(&sms_csv(&plan).unwrap());
    assert!(before.iter().any(|r| r["NHS number"] == nhs_number), "set-up: A0005 is texted while consenting");
    plan.backlog[who].patient.sms_consent = false;
    let sms = String::from_utf8(sms_csv(&plan).unwrap()).unwrap();
    assert!(!sms.contains(&nhs_number));
    assert!(!sms.contains(&plan.backlog[who].patient.phone.replace(' ', "")));
    let (_, calls) = read(&calls_csv(&plan).unwrap());
    let row = calls.iter().find(|r| r["NHS number"] == nhs_number).unwrap();
    assert_eq!(row["Why not by SMS"], "no SMS consent recorded");
    assert_partition(&plan);
}

#[test]
fn sms_message_names_practice_time_clinician_and_mode() {
    let plan = plan_with_bookings(20);
    let (_, sms) = read(&sms_csv(&plan).unwrap());
    let first = sms.iter().find(|r| r["NHS number"] == plan.backlog[1].patient.nhs_number).unwrap();
    assert_eq!(first["Mobile"], "07700900001");
    assert_eq!(first["First name"], "Jane");
    assert_eq!(first["Date of Birth"], "02/02/1941");
    assert_eq!(first["Place"], "Riverside Medical Practice");
    assert_eq!(
        first["Message"],
        "Riverside Medical Practice: your appointment is rebooked to Mon 22 Jul 08:40 with Dr A Patel \
         (face-to-face). Reply or call to change."
    );
    // Confirmed patients need no text; they stay on the call list as confirmed.
    let confirmed = &plan.backlog[0];
    assert_eq!(plan.bookings[0].contact, ContactStatus::Confirmed);
    assert!(!sms.iter().any(|r| r["NHS number"] == confirmed.patient.nhs_number));
}

#[test]
fn bookings_csv_has_one_row_per_backlog_item_with_status() {
    let plan = plan_with_bookings(300);
    let (headers, rows) = read(&bookings_csv(&plan).unwrap());
    assert_eq!(headers, BOOKINGS_COLUMNS);
    assert_eq!(rows.len(), plan.backlog.len());
    for (row, item) in rows.iter().zip(&plan.backlog) {
        assert_eq!(row["Ref"], item.id);
        assert_eq!(row["NHS number"], item.patient.nhs_number);
        let placed = plan.booking(&item.id).and_then(|b| b.session()).is_some();
        match row["Status"].as_str() {
            "placed" | "late" => assert!(placed && !row["New date"].is_empty() && row["Reason"].is_empty()),
            "unplaced" => assert!(!placed && row["New date"].is_empty() && !row["Reason"].is_empty()),
            other => panic!("status {other}"),
        }
    }
    // Urgent items placed after their day-1 target are late.
    assert!(rows.iter().any(|r| r["Status"] == "late" && r["Priority"] == "Urgent"));
    assert!(rows.iter().any(|r| r["Status"] == "placed"));
    assert_eq!(rows[0]["Original clinician"], "Dr Locum Smith");
    assert_eq!(rows[1]["Original clinician"], "Dr A Patel");
    assert_eq!(rows[1]["Contact status"], "No answer");
}

#[test]
fn an_unsolved_plan_exports_every_item_as_unplaced_and_nobody_to_text() {
    let mut plan = plan_with_bookings(10);
    plan.bookings.clear();
    let (_, rows) = read(&bookings_csv(&plan).unwrap());
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().all(|r| r["Status"] == "unplaced" && r["Reason"].contains("not planned")));
    assert_eq!(read(&sms_csv(&plan).unwrap()).1.len(), 0);
    assert_eq!(read(&calls_csv(&plan).unwrap()).1.len(), 0);
}

#[test]
fn cli_exports_and_prints() {
    let dir = tempfile::tempdir().unwrap();
    let plan_path = dir.path().join("plan.rebook.ron");
    rebook::io::plan_file::save(&plan_with_bookings(40), &plan_path).unwrap();
    let exe = env!("CARGO_BIN_EXE_rebook");
    for what in ["bookings", "sms", "calls"] {
        let out = dir.path().join(format!("{what}.csv"));
        let (ok, stdout) =
            tool_output(exe, &["export", what, plan_path.to_str().unwrap(), "--out", out.to_str().unwrap()]).unwrap();
        assert!(ok && stdout.contains("Saved"), "{stdout}");
        assert!(std::fs::metadata(&out).unwrap().len() > 100);
    }
    let pdf = dir.path().join("list.pdf");
    let args =
        ["print", plan_path.to_str().unwrap(), "--out", pdf.to_str().unwrap(), "--by", "patient", "--mask", "--no-dob"];
    let (ok, stdout) = tool_output(exe, &args).unwrap();
    assert!(ok, "{stdout}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let args = ["print", plan_path.to_str().unwrap(), "--out", pdf.to_str().unwrap(), "--printer", "No-Such-Printer"];
    let output = std::process::Command::new(exe).args(args).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Without CUPS's `lp` the message says so; with it, it names the missing printer.
    let lp_installed = std::process::Command::new("lp").arg("--help").output().is_ok();
    let expected = if lp_installed { "no printer called \"No-Such-Printer\"" } else { "lp is not installed" };
    assert!(stderr.contains(expected), "{stderr}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Whatever the mix of consent, death, phone numbers and contact states, SMS
    /// and calls partition the placed appointments, and no refusal is texted.
    #[test]
    fn partition_holds_for_any_mix(
        flags in prop::collection::vec((any::<bool>(), prop::bool::weighted(0.1), 0u8..6, 0u8..5, prop::bool::weighted(0.1)), 40)
    ) {
        let mut plan = plan_with_bookings(40);
        let phones = ["07700 900123", "+447700900124", "01632 960000", "", "0770090012", "+33 612345678"];
        for ((item, booking), (consent, deceased, phone, contact, no_dob)) in plan.backlog.iter_mut().zip(plan.bookings.iter_mut()).zip(flags) {
            item.patient.sms_consent = consent;
            if no_dob {
                item.patient.date_of_birth = None;
            }
            item.patient.deceased = deceased;
            item.patient.phone = phones[usize::from(phone)].to_string();
            booking.contact = ContactStatus::ALL[usize::from(contact)];
        }
        assert_partition(&plan);
    }
}

#[test]
fn generated_practice_partitions_and_honours_refusals() {
    let mut plan = rebook::generate::generate(&rebook::generate::benchmark_config(1000, 3));
    plan.bookings = rebook::scheduler::baseline::priority_greedy(&plan);
    assert_partition(&plan);
    let refused: Vec<&str> =
        plan.backlog.iter().filter(|b| !b.patient.sms_consent).map(|b| b.patient.nhs_number.as_str()).collect();
    assert!(!refused.is_empty(), "the generator should include patients without SMS consent");
    let sms = String::from_utf8(sms_csv(&plan).unwrap()).unwrap();
    for nhs_number in refused {
        assert!(!sms.contains(nhs_number), "{nhs_number} refused SMS but is in the batch");
    }
    let (_, rows) = read(&bookings_csv(&plan).unwrap());
    assert_eq!(rows.len(), 1000);
}
