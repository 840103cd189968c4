//! Working days in England and Wales, and the weekly session template that
//! fills a plan's horizon with capacity on working days only.

use crate::model::{Mode, PartOfDay, Plan, Session};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use std::collections::BTreeSet;
use thiserror::Error;

/// The bank holidays of England and Wales in `year`, as the days actually off
/// (a Christmas on a Saturday gives Monday 27 and Tuesday 28 December), sorted.
///
/// Follows the Banking and Financial Dealings Act 1971 pattern plus the
/// royal proclamations that moved or added days since 1995. Years before 1971
/// or after the last proclamation known to this build get the regular pattern.
pub fn bank_holidays_england_wales(year: i32) -> Vec<NaiveDate> {
    let mut days = BTreeSet::new();
    let Some(jan1) = NaiveDate::from_ymd_opt(year, 1, 1) else {
        return Vec::new();
    };
    days.insert(next_weekday_on_or_after(jan1));

    if let Some(easter) = easter_sunday(year) {
        days.insert(easter - Duration::days(2));
        days.insert(easter + Duration::days(1));
    }

    // Early May bank holiday, moved for VE Day anniversaries in 1995 and 2020.
    match year {
        1995 | 2020 => days.extend(NaiveDate::from_ymd_opt(year, 5, 8)),
        _ => days.extend(NaiveDate::from_weekday_of_month_opt(year, 5, Weekday::Mon, 1)),
    }

    // Spring bank holiday, moved for the jubilees.
    match year {
        2002 => days.extend([(6, 3), (6, 4)].iter().filter_map(|&(m, d)| NaiveDate::from_ymd_opt(year, m, d))),
        2012 => days.extend([(6, 4), (6, 5)].iter().filter_map(|&(m, d)| NaiveDate::from_ymd_opt(year, m, d))),
        2022 => days.extend([(6, 2), (6, 3)].iter().filter_map(|&(m, d)| NaiveDate::from_ymd_opt(year, m, d))),
        _ => days.extend(last_weekday_of_month(year, 5, Weekday::Mon)),
    }

    days.extend(last_weekday_of_month(year, 8, Weekday::Mon));

    // Christmas and Boxing Day: a day falling on a weekend is replaced by the
    // next weekday not already a holiday.
    for day in [25, 26] {
        let Some(date) = NaiveDate::from_ymd_opt(year, 12, day) else { continue };
        let mut observed = date;
        while is_weekend(observed) || days.contains(&observed) {
            observed += Duration::days(1);
        }
        days.insert(observed);
    }

    // One-off days by proclamation.
    let one_offs: &[(i32, u32, u32)] = &[
        (1999, 12, 31), // Millennium
        (2011, 4, 29),  // Royal wedding
        (2022, 9, 19),  // State funeral of Queen Elizabeth II
        (2023, 5, 8),   // Coronation of King Charles III
    ];
    days.extend(
        one_offs.iter().filter(|(y, _, _)| *y == year).filter_map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
    );

    days.into_iter().collect()
}

/// Monday to Friday and not a bank holiday in England and Wales.
pub fn is_working_day(date: NaiveDate) -> bool {
    !is_weekend(date) && !bank_holidays_england_wales(date.year()).contains(&date)
}

/// A clinician's regular week ("Dr Patel: Mon-Fri AM and PM, 18 x 10 min, F2F"),
/// laid over the plan's horizon by [`apply_template`].
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklyTemplate {
    /// Clinician id.
    pub clinician: String,
    pub weekdays: Vec<Weekday>,
    pub parts: Vec<PartOfDay>,
    pub start_am: NaiveTime,
    pub start_pm: NaiveTime,
    pub slot_minutes: u32,
    pub free_slots: u32,
    pub mode: Mode,
}

/// Why a weekly template cannot be laid over a plan.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TemplateError {
    #[error("the plan has no horizon to fill")]
    NoHorizon,
    #[error("clinician {0} is not in the plan")]
    UnknownClinician(String),
}

/// Adds the template's sessions on every working day of the plan's horizon,
/// skipping weekends, bank holidays and half-days where the clinician already
/// has a session (cancelled ones included, so an absence is not undone).
/// Returns how many sessions were added.
pub fn apply_template(plan: &mut Plan, template: &WeeklyTemplate) -> Result<usize, TemplateError> {
    let Some(horizon) = plan.horizon else { return Err(TemplateError::NoHorizon) };
    if plan.clinician(&template.clinician).is_none() {
        return Err(TemplateError::UnknownClinician(template.clinician.clone()));
    }
    let mut taken: BTreeSet<String> = plan.sessions.iter().map(|s| s.id.clone()).collect();
    let occupied: BTreeSet<(NaiveDate, PartOfDay)> =
        plan.sessions.iter().filter(|s| s.clinician == template.clinician).map(|s| (s.date, s.part)).collect();
    let mut parts = template.parts.clone();
    parts.sort();
    parts.dedup();

    let mut added = 0;
    let mut date = horizon.start;
    while date <= horizon.end {
        if template.weekdays.contains(&date.weekday()) && is_working_day(date) {
            for &part in &parts {
                if occupied.contains(&(date, part)) {
                    continue;
                }
                let id = unique_session_id(&mut taken, &template.clinician, date, part);
                let start = match part {
                    PartOfDay::AM => template.start_am,
                    PartOfDay::PM => template.start_pm,
                };
                plan.sessions.push(Session {
                    id,
                    clinician: template.clinician.clone(),
                    date,
                    part,
                    start,
                    slot_minutes: template.slot_minutes,
                    free_slots: template.free_slots,
                    mode: template.mode,
                    slot_times: Vec::new(),
                    cancelled: false,
                });
                added += 1;
            }
        }
        date += Duration::days(1);
    }
    if added > 0 {
        plan.normalise();
    }
    Ok(added)
}

/// A session id "<CLINICIAN>-<yyyy-mm-dd>-<AM|PM>", with "-2", "-3"... when a
/// clinician has more than one session in a half-day. Records the id in `taken`.
pub fn unique_session_id(taken: &mut BTreeSet<String>, clinician: &str, date: NaiveDate, part: PartOfDay) -> String {
    let base = format!("{clinician}-{}-{}", date.format("%Y-%m-%d"), part.label());
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn next_weekday_on_or_after(date: NaiveDate) -> NaiveDate {
    let mut day = date;
    while is_weekend(day) {
        day += Duration::days(1);
    }
    day
}

fn last_weekday_of_month(year: i32, month: u32, weekday: Weekday) -> Option<NaiveDate> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }?;
    let mut day = first_of_next - Duration::days(1);
    while day.weekday() != weekday {
        day -= Duration::days(1);
    }
    Some(day)
}

/// Western (Gregorian) Easter Sunday by the anonymous Gregorian computus
/// (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::Horizon;

    use crate::model::test_date as d;

    #[test]
    fn bank_holidays_2024() {
        let expected: Vec<NaiveDate> = [(1, 1), (3, 29), (4, 1), (5, 6), (5, 27), (8, 26), (12, 25), (12, 26)]
            .iter()
            .map(|&(m, day)| d(2024, m, day))
            .collect();
        assert_eq!(bank_holidays_england_wales(2024), expected);
    }

    #[test]
    fn weekend_christmas_and_new_year_get_substitutes() {
        // 2021: Christmas Saturday, Boxing Day Sunday -> Mon 27 and Tue 28.
        let h2021 = bank_holidays_england_wales(2021);
        assert!(h2021.contains(&d(2021, 12, 27)) && h2021.contains(&d(2021, 12, 28)));
        assert!(!h2021.contains(&d(2021, 12, 25)) && !h2021.contains(&d(2021, 12, 26)));
        // 2022: New Year's Day Saturday -> Mon 3 Jan; Christmas Sunday -> Boxing Mon 26, substitute Tue 27.
        let h2022 = bank_holidays_england_wales(2022);
        assert!(h2022.contains(&d(2022, 1, 3)));
        assert!(h2022.contains(&d(2022, 12, 26)) && h2022.contains(&d(2022, 12, 27)));
        // 2020: Boxing Day Saturday -> Mon 28.
        assert!(bank_holidays_england_wales(2020).contains(&d(2020, 12, 28)));
        // 2023: New Year's Day Sunday -> Mon 2 Jan.
        assert!(bank_holidays_england_wales(2023).contains(&d(2023, 1, 2)));
    }

    #[test]
    fn one_off_days() {
        let h2020 = bank_holidays_england_wales(2020);
        assert!(h2020.contains(&d(2020, 5, 8)) && !h2020.contains(&d(2020, 5, 4)));
        let h2022 = bank_holidays_england_wales(2022);
        for day in [d(2022, 6, 2), d(2022, 6, 3), d(2022, 9, 19)] {
            assert!(h2022.contains(&day), "{day}");
        }
        assert!(!h2022.contains(&d(2022, 5, 30)));
        let h2023 = bank_holidays_england_wales(2023);
        assert!(h2023.contains(&d(2023, 5, 1)) && h2023.contains(&d(2023, 5, 8)));
        assert_eq!(bank_holidays_england_wales(2025).len(), 8);
    }

    #[test]
    fn easter_dates() {
        assert_eq!(easter_sunday(2024), Some(d(2024, 3, 31)));
        assert_eq!(easter_sunday(2025), Some(d(2025, 4, 20)));
        assert_eq!(easter_sunday(2038), Some(d(2038, 4, 25)));
        assert_eq!(easter_sunday(2008), Some(d(2008, 3, 23)));
    }

    #[test]
    fn working_days() {
        assert!(is_working_day(d(2024, 7, 22)));
        assert!(!is_working_day(d(2024, 7, 20)));
        assert!(!is_working_day(d(2024, 8, 26)));
    }

    fn plan_with_patel(start: NaiveDate, end: NaiveDate) -> Plan {
        let mut plan = Plan::new("Test");
        plan.horizon = Some(Horizon { start, end });
        plan.clinicians.push(crate::test_plans::clinician("GP-PATEL", "Dr A Patel", "GP"));
        plan
    }

    fn template(weekdays: Vec<Weekday>, parts: Vec<PartOfDay>) -> WeeklyTemplate {
        WeeklyTemplate {
            clinician: "GP-PATEL".into(),
            weekdays,
            parts,
            start_am: NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
            start_pm: NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
            slot_minutes: 10,
            free_slots: 18,
            mode: Mode::FaceToFace,
        }
    }

    #[test]
    fn template_skips_weekends_bank_holidays_and_existing_sessions() {
        // Mon 19 Aug - Fri 30 Aug 2024: 10 weekdays, Mon 26 Aug a bank holiday.
        let mut plan = plan_with_patel(d(2024, 8, 19), d(2024, 8, 30));
        let weekdays = vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
        let t = template(weekdays.clone(), vec![PartOfDay::AM]);
        assert_eq!(apply_template(&mut plan, &t), Ok(9));
        assert!(plan.sessions.iter().all(|s| s.date != d(2024, 8, 26) && is_working_day(s.date)));
        assert!(plan.session("GP-PATEL-2024-08-19-AM").is_some());
        // Again: every half-day is taken now, so nothing more; PM adds 9 more.
        assert_eq!(apply_template(&mut plan, &t), Ok(0));
        assert_eq!(apply_template(&mut plan, &template(weekdays, vec![PartOfDay::AM, PartOfDay::PM])), Ok(9));
        let pm = plan.session("GP-PATEL-2024-08-20-PM").unwrap();
        assert_eq!((pm.start, pm.free_slots, pm.slot_minutes), (NaiveTime::from_hms_opt(14, 0, 0).unwrap(), 18, 10));
    }

    #[test]
    fn template_needs_a_horizon_and_a_known_clinician() {
        let mut plan = plan_with_patel(d(2024, 7, 22), d(2024, 7, 26));
        plan.horizon = None;
        assert_eq!(
            apply_template(&mut plan, &template(vec![Weekday::Mon], vec![PartOfDay::AM])),
            Err(TemplateError::NoHorizon)
        );
        let mut plan = plan_with_patel(d(2024, 7, 22), d(2024, 7, 26));
        let mut t = template(vec![Weekday::Mon], vec![PartOfDay::AM]);
        t.clinician = "GP-NOBODY".into();
        assert_eq!(apply_template(&mut plan, &t), Err(TemplateError::UnknownClinician("GP-NOBODY".into())));
        assert!(plan.sessions.is_empty());
    }

    #[test]
    fn session_ids_get_a_suffix_when_taken() {
        let mut taken = BTreeSet::new();
        let a = unique_session_id(&mut taken, "GP-X", d(2024, 7, 22), PartOfDay::AM);
        let b = unique_session_id(&mut taken, "GP-X", d(2024, 7, 22), PartOfDay::AM);
        assert_eq!((a.as_str(), b.as_str()), ("GP-X-2024-07-22-AM", "GP-X-2024-07-22-AM-2"));
    }
}
