//! Rotas as clinical systems export them (tests/fixtures/exports/*rota*):
//! an EMIS-shaped session list, a SystmOne-shaped Windows-1252 rota and a
//! slot-level list, imported without hand edits. Synthetic clinicians only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, NaiveTime};
use rebook::io::csv_import::{
    RotaOptions, RotaPreview, RotaShape, accept_backlog, accept_rota, preview_backlog, preview_rota, preview_rota_with,
};
use rebook::io::plan_file;
use rebook::model::{Mode, PartOfDay, Plan, Session, nhs};
use std::collections::BTreeMap;
use std::process::Command;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap()
}

fn fixture_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports").join(name)
}

use crate::test_plans::clinician;

/// A practice whose plan already knows two GPs, named the plan's way.
fn plan_with_gps() -> Plan {
    let mut plan = Plan::new("Riverside Medical Practice");
    plan.clinicians.push(clinician("GP-SMITH", "Dr A Smith", "GP"));
    plan.clinicians.push(clinician("GP-OKAFOR", "Dr C Okafor", "GP"));
    plan
}

/// Headers of the columns the import reported as ignored.
fn ignored(preview: &RotaPreview) -> Vec<&str> {
    preview.ignored.iter().map(|c| c.header.as_str()).collect()
}

fn roles(entries: &[(&str, &str)]) -> RotaOptions {
    RotaOptions {
        overrides: BTreeMap::new(),
        roles: entries.iter().map(|(n, r)| (n.to_string(), r.to_string())).collect(),
    }
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

use crate::common::date as d;

/// Every field of a session that the import decides, with the clinician's role.
type Fields = (String, String, NaiveDate, PartOfDay, NaiveTime, u32, u32, Mode);

fn fields(plan: &Plan, preview: &RotaPreview, s: &Session) -> Fields {
    let who = plan.clinician(&s.clinician).or_else(|| preview.new_clinicians.iter().find(|c| c.id == s.clinician));
    let role = who.map(|c| c.role.clone()).unwrap_or_default();
    (s.clinician.clone(), role, s.date, s.part, s.start, s.slot_minutes, s.slot_count(), s.mode)
}

#[allow(clippy::too_many_arguments)]
fn row(
    id: &str,
    role: &str,
    date: NaiveDate,
    part: PartOfDay,
    start: NaiveTime,
    minutes: u32,
    free: u32,
    mode: Mode,
) -> Fields {
    (id.into(), role.into(), date, part, start, minutes, free, mode)
}

use Mode::{FaceToFace as F2F, Telephone as Tel};
use PartOfDay::{AM, PM};

#[test]
fn emis_session_list_matches_names_and_takes_roles_from_titles() {
    let plan = plan_with_gps();
    let preview = preview_rota_with(&plan, &fixture("emis_rota_sessions.csv"), &roles(&[("Sam Reed", "ANP")])).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    assert_eq!(preview.shape, RotaShape::Sessions);
    assert_eq!(preview.total_rows, 8);
    let got: Vec<Fields> = preview.sessions.iter().map(|s| fields(&plan, &preview, s)).collect();
    let (mon, tue, sat) = (d(2024, 7, 22), d(2024, 7, 23), d(2024, 7, 27));
    assert_eq!(
        got,
        [
            row("GP-SMITH", "GP", mon, AM, t(8, 30), 10, 4, F2F),
            row("GP-SMITH", "GP", mon, PM, t(14, 0), 10, 6, Tel),
            row("GP-OKAFOR", "GP", mon, AM, t(8, 30), 15, 3, F2F),
            row("NURSE-HUGHES", "Practice nurse", mon, AM, t(9, 0), 15, 5, F2F),
            row("GP-SMITH", "GP", tue, PM, t(14, 0), 10, 2, F2F),
            row("ANP-REED", "ANP", tue, AM, t(8, 30), 15, 7, F2F),
            row("GP-OKAFOR", "GP", tue, PM, t(14, 0), 15, 2, Tel),
            row("GP-SMITH", "GP", sat, AM, t(9, 0), 10, 9, F2F),
        ]
    );
    // "SMITH, Anne (Dr)" and "OKAFOR, Chidi (Dr)" are the plan's GPs: only the nurse and the ANP are new.
    let new: Vec<(&str, &str, &str)> =
        preview.new_clinicians.iter().map(|c| (c.id.as_str(), c.name.as_str(), c.role.as_str())).collect();
    assert_eq!(new, [("NURSE-HUGHES", "Sister Bethan Hughes", "Practice nurse"), ("ANP-REED", "Mr Sam Reed", "ANP")]);
    assert_eq!(
        ignored(&preview),
        ["Location", "End Time", "Total Slots", "Booked Slots", "Embargoed Slots"],
        "every column is read or reported"
    );
    assert_eq!(preview.mapping.get("Session Holder").map(String::as_str), Some("clinician"));
    assert_eq!(preview.mapping.get("Slot Duration (mins)").map(String::as_str), Some("slot_minutes"));
    assert_eq!(preview.mapping.get("Session Name").map(String::as_str), Some("session_type"));
    let notes = preview.notes.join("\n");
    assert!(notes.contains("role taken from the title: Sister Bethan Hughes: Practice nurse"), "{notes}");
    assert!(notes.contains("line 8: video sessions are planned as telephone"), "{notes}");
    let warnings: Vec<String> = preview.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings, ["line 9, date: Sat 27/07/2024 is a weekend day"]);
}

#[test]
fn a_new_clinician_with_neither_role_nor_title_is_asked_for() {
    let preview = preview_rota(&plan_with_gps(), &fixture("emis_rota_sessions.csv"), &BTreeMap::new()).unwrap();
    let rejected: Vec<(usize, &str)> = preview.rejected.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(rejected, [(7, "role")]);
    assert!(preview.rejected[0].reason.contains("--role \"REED, Sam (Mr)=Role\""), "{}", preview.rejected[0].reason);
    assert_eq!(preview.sessions.len(), 7);
    assert!(!preview.new_clinicians.iter().any(|c| c.name.contains("Reed")));
}

#[test]
fn systmone_rota_in_windows_1252_with_job_titles_and_units() {
    let plan = plan_with_gps();
    let preview = preview_rota(&plan, &fixture("systmone_rota.csv"), &BTreeMap::new()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    assert!(preview.warnings.is_empty(), "{:?}", preview.warnings);
    let got: Vec<Fields> = preview.sessions.iter().map(|s| fields(&plan, &preview, s)).collect();
    let (mon, tue, wed) = (d(2024, 7, 22), d(2024, 7, 23), d(2024, 7, 24));
    assert_eq!(
        got,
        [
            row("GP-SMITH", "GP", mon, AM, t(8, 0), 10, 8, Tel),
            row("GP-NAIR", "GP", mon, AM, t(9, 0), 10, 6, F2F),
            row("NURSE-OBRIEN", "Practice nurse", mon, PM, t(13, 30), 15, 9, F2F),
            row("ANP-MENSAH", "ANP", tue, PM, t(14, 0), 10, 7, Tel),
            row("HCA-CHEN", "HCA", tue, AM, t(8, 30), 10, 12, F2F),
            row("PHARMACIST-WRIGHT", "Pharmacist", tue, PM, t(13, 0), 20, 5, Tel),
            row("GP-NAIR", "GP", wed, PM, t(14, 0), 10, 10, F2F),
        ]
    );
    // Job titles become the plan's roles, so no new role is made up.
    let names: Vec<(&str, &str)> = preview.new_clinicians.iter().map(|c| (c.name.as_str(), c.role.as_str())).collect();
    assert_eq!(
        names,
        [
            ("Dr Priya Nair", "GP"),
            ("Zoë O'Brien", "Practice nurse"),
            ("Kwame Mensah", "ANP"),
            ("Li Chen", "HCA"),
            ("Tom Wright", "Pharmacist")
        ]
    );
    assert_eq!(ignored(&preview), ["End"]);
    let mut after = plan.clone();
    accept_rota(&mut after, preview);
    assert_eq!(after.roles, plan.roles, "no role was added");
}

#[test]
fn slot_list_counts_only_the_free_slots() {
    let plan = plan_with_gps();
    let preview = preview_rota(&plan, &fixture("slot_list_rota.csv"), &BTreeMap::new()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    assert_eq!(preview.shape, RotaShape::Slots);
    assert_eq!(preview.total_rows, 17);
    // Booked, embargoed, reserved and blocked slots: read, not counted.
    assert_eq!(preview.not_free_rows, 6);
    let got: Vec<Fields> = preview.sessions.iter().map(|s| fields(&plan, &preview, s)).collect();
    let (mon, tue) = (d(2024, 7, 22), d(2024, 7, 23));
    assert_eq!(
        got,
        [
            row("GP-SMITH", "GP", mon, AM, t(8, 40), 10, 3, F2F),
            row("GP-SMITH", "GP", mon, PM, t(14, 0), 10, 3, Tel),
            row("GP-OKAFOR", "GP", mon, AM, t(9, 0), 15, 3, F2F),
            row("NURSE-HUGHES", "Practice nurse", tue, PM, t(13, 30), 15, 2, F2F),
        ]
    );
    // The embargoed 09:00 and blocked 09:30 leave gaps: the free slots keep their times.
    assert_eq!(preview.sessions[0].slot_times, [t(8, 40), t(8, 50), t(9, 10)]);
    assert_eq!(preview.sessions[0].slot_starts(), [t(8, 40), t(8, 50), t(9, 10)]);
    assert_eq!(preview.sessions[2].slot_starts(), [t(9, 0), t(9, 15), t(9, 45)]);
    // Free slots that run on need no list.
    assert!(preview.sessions[1].slot_times.is_empty());
    assert_eq!(preview.sessions[1].free_slots, 3);
    // Dr Okafor's Tuesday is fully booked: no session at all.
    assert!(!preview.sessions.iter().any(|s| s.clinician == "GP-OKAFOR" && s.date == tue));
    assert!(
        preview.notes[0].contains("11 free slot(s) made into 4 session(s); 6 slot(s) not free"),
        "{:?}",
        preview.notes
    );
    assert!(ignored(&preview).is_empty());
}

#[test]
fn a_slot_list_without_lengths_takes_them_from_the_times() {
    let csv = "Date,Start Time,Clinician,Type,Status\n\
               22/07/2024,09:00,Dr A Smith,Telephone,Free\n\
               22/07/2024,09:15,Dr A Smith,Telephone,Booked\n\
               22/07/2024,09:30,Dr A Smith,Telephone,Free\n\
               22/07/2024,09:30,Dr A Smith,Telephone,Free\n\
               22/07/2024,09:45,Dr A Smith,Telephone,Sold\n";
    let preview = preview_rota(&plan_with_gps(), csv.as_bytes(), &BTreeMap::new()).unwrap();
    assert_eq!(preview.sessions.len(), 1);
    let s = &preview.sessions[0];
    assert_eq!((s.slot_minutes, s.slot_starts(), s.mode), (15, vec![t(9, 0), t(9, 30)], Tel));
    let warnings: Vec<(usize, &str)> = preview.warnings.iter().map(|w| (w.line, w.column.as_str())).collect();
    assert_eq!(warnings, [(5, "start")], "a slot listed twice is counted once");
    let rejected: Vec<(usize, &str)> = preview.rejected.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(rejected, [(6, "status")], "an unknown status is not guessed");
    assert!(preview.rejected[0].reason.contains("\"Sold\""));
}

#[test]
fn start_times_that_carry_the_date_need_no_date_column() {
    let csv = "Start,Duration,Staff,Slot type,Status\n\
               22 Jul 2024 09:00:00,10 mins,Dr Anne Smith,Telephone,Available\n\
               22 Jul 2024 09:10:00,10 mins,Dr Anne Smith,Telephone,Booked\n\
               23 Jul 2024 2:00 pm,10 mins,Dr Anne Smith,Telephone,Available\n";
    let plan = plan_with_gps();
    let preview = preview_rota(&plan, csv.as_bytes(), &BTreeMap::new()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    let got: Vec<Fields> = preview.sessions.iter().map(|s| fields(&plan, &preview, s)).collect();
    assert_eq!(
        got,
        [
            row("GP-SMITH", "GP", d(2024, 7, 22), AM, t(9, 0), 10, 1, Tel),
            row("GP-SMITH", "GP", d(2024, 7, 23), PM, t(14, 0), 10, 1, Tel),
        ]
    );
}

#[test]
fn names_written_another_way_do_not_make_a_second_clinician() {
    let mut plan = plan_with_gps();
    // A backlog imported first names its clinicians as the export writes them.
    let backlog = format!(
        "nhs_number,patient_name,original_date,appointment_type,original_clinician\n{},\"JONES, Amir\",19/07/2024,GP routine,\"SMITH, Anne (Dr)\"\n",
        nhs::format(&nhs::test_numbers().next().unwrap())
    );
    let preview = preview_backlog(&plan, backlog.as_bytes(), &BTreeMap::new()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    accept_backlog(&mut plan, preview);

    let emis = preview_rota_with(&plan, &fixture("emis_rota_sessions.csv"), &roles(&[("REED, Sam", "ANP")])).unwrap();
    accept_rota(&mut plan, emis);
    let systmone = preview_rota(&plan, &fixture("systmone_rota.csv"), &BTreeMap::new()).unwrap();
    assert!(systmone.rejected.is_empty(), "{:?}", systmone.rejected);
    accept_rota(&mut plan, systmone);
    let slots = preview_rota(&plan, &fixture("slot_list_rota.csv"), &BTreeMap::new()).unwrap();
    assert!(slots.new_clinicians.is_empty(), "{:?}", slots.new_clinicians);
    // Dr Smith's Monday telephone afternoon is the EMIS one again: its free slots are not added twice.
    let rejected: Vec<usize> = slots.rejected.iter().map(|e| e.line).collect();
    assert_eq!(rejected, [7, 8, 9]);
    assert!(slots.rejected[0].reason.contains("the plan already has this session"));
    accept_rota(&mut plan, slots);

    let mut ids: Vec<&str> = plan.clinicians.iter().map(|c| c.id.as_str()).collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "ANP-MENSAH",
            "ANP-REED",
            "GP-NAIR",
            "GP-OKAFOR",
            "GP-SMITH",
            "HCA-CHEN",
            "NURSE-HUGHES",
            "NURSE-OBRIEN",
            "PHARMACIST-WRIGHT"
        ]
    );
    assert_eq!(plan.backlog[0].original_clinician, "GP-SMITH", "linked once the rota is in");
    // A telephone session stays telephone in the plan.
    let smith_monday_pm: Vec<Mode> = plan
        .sessions
        .iter()
        .filter(|s| s.clinician == "GP-SMITH" && s.date == d(2024, 7, 22) && s.part == PM)
        .map(|s| s.mode)
        .collect();
    assert_eq!(smith_monday_pm, [Tel]);
}

#[test]
fn two_clinicians_who_fit_a_name_are_not_guessed() {
    let mut plan = plan_with_gps();
    plan.clinicians.push(clinician("GP-SMITH-A", "Dr Alan Smith", "GP"));
    let csv = "Session Date,Session Holder,Start Time,Available Slots\n\
               22/07/2024,\"SMITH, A (Dr)\",08:30,4\n\
               22/07/2024,\"SMITH, Alan (Dr)\",14:00,5\n\
               22/07/2024,Dr A Smyth,14:00,5\n";
    let preview = preview_rota(&plan, csv.as_bytes(), &BTreeMap::new()).unwrap();
    assert_eq!(preview.rejected.len(), 1, "{:?}", preview.rejected);
    assert_eq!((preview.rejected[0].line, preview.rejected[0].column.as_str()), (2, "clinician"));
    assert!(preview.rejected[0].reason.contains("could be any of"), "{}", preview.rejected[0].reason);
    assert_eq!(preview.sessions[0].clinician, "GP-SMITH-A");
    // A name close to a plan clinician's is added, with a warning naming the closest.
    assert_eq!(preview.new_clinicians.len(), 1);
    let warning = &preview.warnings[0];
    assert_eq!((warning.line, warning.column.as_str()), (4, "clinician"));
    assert!(warning.reason.contains("closest: Dr A Smith (GP-SMITH)"), "{}", warning.reason);
}

#[test]
fn an_unknown_role_names_the_types_no_session_can_serve() {
    let plan = Plan::new("Riverside Medical Practice");
    let csv = "Date,Staff,Staff role,Start,Free slots\n\
               22/07/2024,Dr Anne Smith,Physician,08:30,10\n\
               22/07/2024,Zoë O'Brien,Practice Nurse,09:00,10\n";
    let preview = preview_rota(&plan, csv.as_bytes(), &BTreeMap::new()).unwrap();
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    let roles: Vec<(usize, &str)> =
        preview.warnings.iter().filter(|w| w.column == "role").map(|w| (w.line, w.reason.as_str())).collect();
    assert_eq!(roles.len(), 1, "{:?}", preview.warnings);
    assert_eq!(roles[0].0, 2);
    let reason = roles[0].1;
    assert!(reason.contains("\"Physician\" (for Dr Anne Smith) is not a role of the plan"), "{reason}");
    assert!(reason.contains("GP routine") && reason.contains("Pharmacist medication review"), "{reason}");
    assert!(!reason.contains("Cervical screening"), "the nurse serves it: {reason}");
    // Given as a role the plan knows, the warning goes.
    let fixed = preview_rota_with(&plan, csv.as_bytes(), &roles_of("Dr A Smith", "GP")).unwrap();
    assert!(fixed.warnings.is_empty(), "{:?}", fixed.warnings);
    assert_eq!(fixed.new_clinicians[0].role, "GP");
}

fn roles_of(name: &str, role: &str) -> RotaOptions {
    roles(&[(name, role)])
}

#[test]
fn import_command_prints_mapping_ignored_columns_notes_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.rebook.ron");
    plan_file::save(&plan_with_gps(), &base).unwrap();
    let backlog = dir.path().join("backlog.csv");
    std::fs::write(
        &backlog,
        format!(
            "nhs_number,patient_name,original_date,appointment_type\n{},\"JONES, Amir\",19/07/2024,GP routine\n",
            nhs::format(&nhs::test_numbers().next().unwrap())
        ),
    )
    .unwrap();
    let out = dir.path().join("out.rebook.ron");
    let run = |extra: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rebook"));
        cmd.arg("import").arg("--rota").arg(fixture_path("emis_rota_sessions.csv"));
        cmd.arg("--backlog").arg(&backlog).arg("--plan").arg(&base).arg("--out").arg(&out);
        cmd.args(extra).output().unwrap()
    };

    let output = run(&["--role", "REED, Sam=ANP"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("\"Session Holder\" -> clinician"), "{stderr}");
    for column in ["Location", "End Time", "Total Slots", "Booked Slots", "Embargoed Slots"] {
        assert!(stderr.contains(&format!("column \"{column}\" ignored, e.g. ")), "{column}: {stderr}");
    }
    assert!(stderr.contains("column \"Location\" ignored, e.g. \"Main Surgery\", \"Treatment Room\""), "{stderr}");
    assert!(stderr.contains("video sessions are planned as telephone"), "{stderr}");
    assert!(stderr.contains("warning: line 9, date: Sat 27/07/2024 is a weekend day"), "{stderr}");
    let plan = plan_file::load(&out).unwrap();
    assert_eq!(plan.clinicians.len(), 4);
    assert_eq!(plan.clinician("ANP-REED").map(|c| c.role.as_str()), Some("ANP"));

    // Without the role, the clinician's rows are refused with how to give it.
    std::fs::remove_file(&out).unwrap();
    let output = run(&[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("line 7, role:") && stderr.contains("--role"), "{stderr}");
    assert!(!out.exists());
    // A --role that is not NAME=Role is refused before anything is read.
    let output = run(&["--role", "REED"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--role \"REED\""));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("22/07/2024".to_string()),
            Just("31/02/2024".to_string()),
            Just("09:00".to_string()),
            Just("09:10".to_string()),
            Just("14:00".to_string()),
            Just("10 mins".to_string()),
            Just("Dr A Smith".to_string()),
            Just("\"SMITH, Anne (Dr)\"".to_string()),
            Just("Pat Newman".to_string()),
            Just("Telephone".to_string()),
            Just("Video".to_string()),
            Just("Available".to_string()),
            Just("Booked".to_string()),
            Just("Sold".to_string()),
            "[a-zA-Z0-9 :/.-]{0,10}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// In a slot list every row is a free slot of a session, a slot
        /// listed twice (warned), a slot that is not free, or a listed problem.
        #[test]
        fn no_slot_row_is_dropped_silently(rows in prop::collection::vec(prop::collection::vec(cell(), 0..7), 0..30)) {
            let mut csv = String::from("Date,Start Time,Slot Duration,Clinician,Slot Type,Status\n");
            for row in &rows {
                csv.push_str(&row.join(","));
                csv.push('\n');
            }
            let preview = preview_rota(&plan_with_gps(), csv.as_bytes(), &BTreeMap::new()).unwrap();
            prop_assert_eq!(preview.shape, RotaShape::Slots);
            let free: u32 = preview.sessions.iter().map(Session::slot_count).sum();
            let twice = preview.warnings.iter().filter(|w| w.reason.contains("counted once")).count();
            prop_assert_eq!(
                free as usize + twice + preview.not_free_rows + preview.rejected_rows(),
                preview.total_rows
            );
        }
    }
}
