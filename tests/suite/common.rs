//! A synthetic plan with solved bookings, for the print and export tests:
//! varied consent, phones, contact states and notes, all patients synthetic
//! (NHS numbers from the never-issued 999 range).
#![allow(dead_code, clippy::unwrap_used)]

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use rebook::model::nhs;
use rebook::model::{BacklogItem, Booking, ContactStatus, Horizon, Mode, Outcome, PartOfDay, Patient, Plan, Session};

pub const SURNAMES: &[&str] = &[
    "SMITH",
    "JONES",
    "TAYLOR",
    "BROWN",
    "WILLIAMS",
    "WILSON",
    "JOHNSON",
    "DAVIES",
    "PATEL",
    "WRIGHT",
    "KHAN",
    "EVANS",
    "THOMAS",
    "ROBERTS",
    "O'NEILL",
    "NGUYEN",
    "ZIELINSKA",
    "ÅSTRÖM",
];
pub const FIRST: &[&str] = &["Jane", "Amir", "Olivia", "George", "Priya", "Tom", "Zofia", "Kwame", "Siân", "Li"];

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A plan of `n` backlog items over three working weeks from Mon 22 Jul 2024;
/// every 13th item is left unplaced, the rest are placed in turn into sessions.
pub fn plan_with_bookings(n: usize) -> Plan {
    let mut plan = Plan::new("Riverside Medical Practice");
    let start = date(2024, 7, 22);
    plan.horizon = Some(Horizon { start, end: start + Duration::days(18) });
    let clinicians = [
        ("GP-PATEL", "Dr A Patel", "GP"),
        ("GP-OKAFOR", "Dr C Okafor", "GP"),
        ("ANP-REED", "Sam Reed", "ANP"),
        ("PN-HUGHES", "Nurse B Hughes", "Practice nurse"),
    ];
    for (id, name, role) in clinicians {
        plan.clinicians.push(crate::test_plans::clinician(id, name, role));
    }
    for day in 0..19 {
        let d = start + Duration::days(day);
        if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        for (id, _, _) in clinicians {
            for (part, hour) in [(PartOfDay::AM, 8), (PartOfDay::PM, 14)] {
                let mode = if id == "GP-OKAFOR" && part == PartOfDay::PM { Mode::Telephone } else { Mode::FaceToFace };
                plan.sessions.push(Session {
                    id: format!("{id}-{d}-{}", part.label()),
                    clinician: id.into(),
                    date: d,
                    part,
                    start: NaiveTime::from_hms_opt(hour, 30, 0).unwrap(),
                    slot_minutes: 10,
                    free_slots: 18,
                    mode,
                    slot_times: vec![],
                    cancelled: false,
                });
            }
        }
    }
    let numbers: Vec<String> = nhs::test_numbers().take(n).collect();
    let mut used: std::collections::BTreeMap<String, u32> = Default::default();
    let sessions = plan.sessions.clone();
    let mut next_session = 0usize;
    for (i, nhs_number) in numbers.into_iter().enumerate() {
        let phone = match i % 6 {
            0 => format!("07700 9{:05}", i % 100_000),
            1 => format!("+44 7700 9{:05}", i % 100_000),
            2 => format!("01632 9{:05}", i % 100_000),
            3 => String::new(),
            _ => format!("0770090{:04}", i % 10_000),
        };
        let notes = match i % 9 {
            0 => "Needs an interpreter (Polish); hard of hearing, please speak slowly and confirm by letter as well"
                .into(),
            4 => "Wheelchair user".into(),
            _ => String::new(),
        };
        let priority = ["Urgent", "Soon", "Routine", "Routine"][i % 4];
        let item = BacklogItem {
            id: format!("A{:04}", i + 1),
            patient: Patient {
                nhs_number,
                name: format!("{}, {}", SURNAMES[i % SURNAMES.len()], FIRST[(i / 3) % FIRST.len()]),
                date_of_birth: Some(date(1940 + (i % 70) as i32, 1 + (i % 12) as u32, 1 + (i % 28) as u32)),
                phone,
                sms_consent: i % 7 != 0,
                deceased: i % 97 == 5,
            },
            original_date: date(2024, 7, 19),
            original_time: NaiveTime::from_hms_opt(8 + (i % 9) as u32, 10 * (i % 6) as u32, 0),
            original_clinician: if i % 5 == 0 { "Dr Locum Smith".into() } else { "GP-PATEL".into() },
            appointment_type: "GP routine".into(),
            slots: 1,
            priority: priority.into(),
            mode: Default::default(),
            continuity: Default::default(),
            unavailable: vec![],
            preferred_part: None,
            earliest_date: None,
            see_by: None,
            notes,
            declined_sessions: vec![],
        };
        let contact = match i % 10 {
            0 => ContactStatus::Confirmed,
            1 => ContactStatus::NoAnswer,
            2 => ContactStatus::Notified,
            _ => ContactStatus::NotContacted,
        };
        let outcome = if i % 13 == 12 {
            Outcome::Unplaced {
                reason: rebook::model::UnplacedReason::Other(
                    "no GP session with a free slot before the see-by date".into(),
                ),
            }
        } else {
            // Next session with room (18 slots, 20% reserve leaves 14).
            loop {
                let s = &sessions[next_session % sessions.len()];
                let n = used.entry(s.id.clone()).or_default();
                if *n < 14 {
                    let time = s.start + Duration::minutes(i64::from(*n) * 10);
                    *n += 1;
                    break Outcome::Placed { session: s.id.clone(), time };
                }
                next_session += 1;
            }
        };
        plan.bookings.push(Booking {
            appointment_id: item.id.clone(),
            outcome,
            pinned: false,
            contact,
            explanation: String::new(),
            changed: None,
        });
        plan.backlog.push(item);
    }
    plan
}

/// Runs a tool on a file and returns its stdout, or None when the tool is not installed.
pub fn tool_output(tool: &str, args: &[&str]) -> Option<(bool, String)> {
    let output = std::process::Command::new(tool).args(args).output().ok()?;
    Some((output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned()))
}
