//! Small hand-built plans for tests, so every test states its case in a few
//! lines. Never shipped: the library includes this file only under
//! `cfg(test)` for its unit tests, and the integration suite includes it too.
//!
//! The week starts Mon 22 Jul 2024; the horizon runs to Fri 9 Aug 2024.
//! Patients get synthetic NHS numbers from the 999 range.

use chrono::{NaiveDate, NaiveTime};
use rebook::model::nhs::test_numbers;
use rebook::model::{BacklogItem, Clinician, Horizon, Mode, PartOfDay, Patient, Plan, Session};

pub fn d(day_of_july_2024: u32) -> NaiveDate {
    let base = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap_or(NaiveDate::MIN);
    base + chrono::Duration::days(i64::from(day_of_july_2024) - 1)
}

pub fn t(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN)
}

pub fn clinician(id: &str, name: &str, role: &str) -> Clinician {
    Clinician {
        id: id.into(),
        name: name.into(),
        role: role.into(),
        extra_types: Vec::new(),
        excluded_types: Vec::new(),
        daily_cap: None,
    }
}

/// A session of 10-minute slots starting 09:00 (AM) or 14:00 (PM).
pub fn session(id: &str, clinician: &str, day: u32, part: PartOfDay, free_slots: u32, mode: Mode) -> Session {
    Session {
        id: id.into(),
        clinician: clinician.into(),
        date: d(day),
        part,
        start: if part == PartOfDay::AM { t(9, 0) } else { t(14, 0) },
        slot_minutes: 10,
        free_slots,
        mode,
        slot_times: Vec::new(),
        cancelled: false,
    }
}

/// A single-slot appointment, originally on `original` = (day of July 2024, hour, minute).
/// The NHS number is left empty: call `number_patients` to give each a distinct one.
pub fn item(id: &str, kind: &str, priority: &str, original: (u32, u32, u32)) -> BacklogItem {
    BacklogItem {
        id: id.into(),
        patient: Patient { name: format!("TEST, Patient {id}"), ..Patient::default() },
        original_date: d(original.0),
        original_time: Some(t(original.1, original.2)),
        original_clinician: String::new(),
        appointment_type: kind.into(),
        slots: 1,
        priority: priority.into(),
        mode: Default::default(),
        continuity: Default::default(),
        unavailable: Vec::new(),
        preferred_part: None,
        earliest_date: None,
        see_by: None,
        notes: String::new(),
        declined_sessions: Vec::new(),
    }
}

/// Gives every backlog item without an NHS number its own synthetic one.
pub fn number_patients(plan: &mut Plan) {
    let mut numbers = test_numbers();
    for item in plan.backlog.iter_mut().filter(|i| i.patient.nhs_number.is_empty()) {
        item.patient.nhs_number = numbers.next().unwrap_or_default();
    }
}

/// Two GPs (Dr A Patel, Dr B Jones) and a nurse (Nurse C Kaur); horizon 22 Jul - 9 Aug 2024;
/// one session S1: Dr Patel, Mon 22 Jul AM, 10 face-to-face slots (8 usable after the 20 % reserve).
/// No backlog.
pub fn small_plan() -> Plan {
    let mut plan = Plan::new("Test Surgery");
    plan.horizon = Some(Horizon { start: d(22), end: d(40) });
    plan.clinicians = vec![
        clinician("GP-PATEL", "Dr A Patel", "GP"),
        clinician("GP-JONES", "Dr B Jones", "GP"),
        clinician("NURSE-KAUR", "Nurse C Kaur", "Practice nurse"),
    ];
    plan.sessions = vec![session("S1", "GP-PATEL", 22, PartOfDay::AM, 10, Mode::FaceToFace)];
    plan
}
