//! Reading the values people type into the window and clinical systems write
//! into CSV cells: dates, times, the days a patient cannot attend, parts of
//! the day, modes, priorities, yes/no and counts. CSV import and every editor
//! in the window call these, so a text is accepted or refused the same way
//! everywhere. A refusal is a [`ParseError`] whose message says what was wrong
//! and how to write it; CSV import adds the line and column, the window shows
//! it beside the field.

use super::{DaySpec, Mode, ModeRequirement, PartOfDay, PriorityClass, Rules, Unavailability};
use chrono::{NaiveDate, NaiveTime, Weekday};

/// Years outside this range are typing or export mistakes ("05/03/26" read as
/// the year 0026), not real dates of birth or appointments.
const FIRST_PLAUSIBLE_YEAR: i32 = 1900;
const LAST_PLAUSIBLE_YEAR: i32 = 2100;

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// Why a typed value could not be read, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("a date is needed here (dd/mm/yyyy)")]
    MissingDate,
    #[error("\"{0}\" is not a date: type it as dd/mm/yyyy, for example 23/07/2024")]
    NotADate(String),
    #[error("\"{0}\": write the year with four digits (dd/mm/yyyy)")]
    ShortYear(String),
    #[error("\"{text}\": the year {year} is not plausible")]
    ImplausibleYear { text: String, year: String },
    #[error("\"{text}\": there is no month {month}")]
    NoSuchMonth { text: String, month: u32 },
    #[error("\"{0}\" is not a real date (no such day)")]
    NoSuchDay(String),
    #[error("\"{0}\" is not a time: type it as hh:mm, for example 09:20")]
    NotATime(String),
    #[error("\"{0}\" is not a time of day")]
    NoSuchTime(String),
    #[error("\"{0}\" is not a date and time: expected a date, then hh:mm")]
    NotADateTime(String),
    #[error("\"{0}\" is not a yes/no value: write Y or N")]
    NotYesNo(String),
    #[error("\"{text}\" is not a whole number of {what}")]
    NotACount { text: String, what: String },
    #[error("{value} {what} is out of range ({min} to {max})")]
    OutOfRange { value: u32, what: String, min: u32, max: u32 },
    #[error("unknown mode \"{0}\": write F2F, Telephone or Any")]
    UnknownMode(String),
    #[error("unknown mode \"{0}\": write F2F or Telephone")]
    UnknownSessionMode(String),
    #[error("\"{0}\" is not a part of the day: write AM or PM")]
    NotAPartOfDay(String),
    #[error("\"{0}\" is neither a weekday (Mon-Sun) nor a date (dd/mm/yyyy), optionally followed by AM or PM")]
    UnknownDay(String),
    #[error("\"{entry}\": {reason}")]
    BadDayInList { entry: String, reason: Box<ParseError> },
    #[error("\"{0}\" is not a slot length: write minutes, e.g. 10 or \"10 mins\"")]
    NotASlotLength(String),
    #[error(
        "unknown slot status \"{0}\": Free or Available count as free slots; Booked, Embargoed, Reserved or Blocked do not"
    )]
    NotASlotStatus(String),
    #[error("\"{0}\" is not an outcome: write Confirmed (C), Declined (D), No answer (N) or Notified")]
    NotAnOutcome(String),
    #[error("unknown priority \"{text}\"; use one of: {known}")]
    UnknownPriority { text: String, known: String },
    #[error("the plan has no priority classes; add them in the rules first")]
    NoPriorities,
}

/// A date as dd/mm/yyyy (also d/m/yyyy, with `-` or `.`), yyyy-mm-dd, or
/// dd-Mon-yyyy ("19-Jul-2024", "19 Jul 2024"), optionally followed by a time
/// as spreadsheets and clinical systems add ("19/07/2024 00:00",
/// "2024-07-19T09:30:00"), which is dropped.
pub fn date(text: &str) -> Result<NaiveDate, ParseError> {
    date_time(text).map(|(day, _)| day).map_err(|e| match e {
        ParseError::NotADateTime(text) => ParseError::NotADate(text),
        other => other,
    })
}

/// An optional date field: empty means none.
pub fn optional_date(text: &str) -> Result<Option<NaiveDate>, ParseError> {
    if text.trim().is_empty() { Ok(None) } else { date(text).map(Some) }
}

/// The date part of a cell and the rest (a time, or empty).
fn split_date(text: &str) -> (String, String) {
    let words: Vec<&str> = text.split_whitespace().collect();
    // "19 Jul 2024" has spaces inside the date; anything else after a space is a time.
    if words.len() >= 3 && words[1].chars().all(char::is_alphabetic) {
        return (words[..3].join("-"), words[3..].join(" "));
    }
    let first = words.first().copied().unwrap_or("");
    let rest = words.get(1..).map(|w| w.join(" ")).unwrap_or_default();
    // ISO date-time "2024-07-19T00:00:00".
    match first.split_once('T').filter(|(d, _)| d.len() == 10) {
        Some((day, time)) if rest.is_empty() => (day.to_string(), time.to_string()),
        _ => (first.to_string(), rest),
    }
}

/// The date alone (no time after it).
fn plain_date(text: &str, core: &str) -> Result<NaiveDate, ParseError> {
    let bad = || ParseError::NotADate(text.trim().to_string());
    let pieces: Vec<&str> = core.split(['/', '-', '.']).collect();
    if pieces.len() != 3 || pieces.iter().any(|p| p.is_empty()) {
        return Err(bad());
    }
    let number = |p: &str| p.parse::<u32>().ok();
    let (year_text, month, day) = if pieces[0].len() == 4 {
        (pieces[0], number(pieces[1]), number(pieces[2]))
    } else {
        let month = number(pieces[1]).or_else(|| {
            let name = pieces[1].to_lowercase();
            MONTHS.iter().position(|m| name.starts_with(m) && name.len() >= 3).map(|i| i as u32 + 1)
        });
        (pieces[2], month, number(pieces[0]))
    };
    let (Some(month), Some(day)) = (month, day) else {
        return Err(bad());
    };
    if year_text.len() != 4 {
        return Err(ParseError::ShortYear(text.trim().to_string()));
    }
    let year: i32 = year_text.parse().map_err(|_| bad())?;
    if !(FIRST_PLAUSIBLE_YEAR..=LAST_PLAUSIBLE_YEAR).contains(&year) {
        return Err(ParseError::ImplausibleYear { text: text.trim().to_string(), year: year_text.to_string() });
    }
    if !(1..=12).contains(&month) {
        return Err(ParseError::NoSuchMonth { text: text.trim().to_string(), month });
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| ParseError::NoSuchDay(text.trim().to_string()))
}

/// A date with an optional time in the same cell ("19 Jul 2024 09:30:00",
/// "19/07/2024 9:30am", "2024-07-19T09:30:00"); a midnight time is taken as
/// no time (spreadsheets add 00:00 to plain dates).
pub fn date_time(text: &str) -> Result<(NaiveDate, Option<NaiveTime>), ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::MissingDate);
    }
    let (core, rest) = split_date(text);
    let day = plain_date(text, &core)?;
    if rest.is_empty() {
        return Ok((day, None));
    }
    let at = time(&rest).map_err(|_| ParseError::NotADateTime(text.trim().to_string()))?;
    Ok((day, (at != NaiveTime::MIN).then_some(at)))
}

/// A time as 09:20, 9:20, 09:20:00, 0920, 9.20 or with am/pm ("2:30 pm").
pub fn time(text: &str) -> Result<NaiveTime, ParseError> {
    let bad = || ParseError::NotATime(text.trim().to_string());
    let lower = text.trim().to_lowercase();
    let (clock, pm) = if let Some(rest) = lower.strip_suffix("pm") {
        (rest.trim(), Some(true))
    } else if let Some(rest) = lower.strip_suffix("am") {
        (rest.trim(), Some(false))
    } else {
        (lower.as_str(), None)
    };
    let pieces: Vec<&str> = if clock.contains([':', '.']) {
        clock.split([':', '.']).collect()
    } else if clock.len() == 4 && clock.bytes().all(|b| b.is_ascii_digit()) {
        // Digits only, so the split falls between characters ("1ø5" is four bytes too).
        vec![&clock[..2], &clock[2..]]
    } else if pm.is_some() && clock.len() <= 2 {
        vec![clock, "0"]
    } else {
        return Err(bad());
    };
    let numbers: Option<Vec<u32>> = pieces.iter().map(|p| p.parse().ok()).collect();
    let numbers = numbers.ok_or_else(bad)?;
    let (mut hour, minute, second) = match numbers.as_slice() {
        [h, m] => (*h, *m, 0),
        [h, m, s] => (*h, *m, *s),
        _ => return Err(bad()),
    };
    match pm {
        Some(true) if (1..12).contains(&hour) => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        Some(_) if !(1..=12).contains(&hour) => return Err(bad()),
        _ => {}
    }
    NaiveTime::from_hms_opt(hour, minute, second).ok_or_else(|| ParseError::NoSuchTime(text.trim().to_string()))
}

/// Y/N, yes/no, true/false, 1/0; an empty cell is no.
pub fn yes_no(text: &str) -> Result<bool, ParseError> {
    match text.trim().to_lowercase().as_str() {
        "" | "n" | "no" | "false" | "0" | "f" => Ok(false),
        "y" | "yes" | "true" | "1" | "t" => Ok(true),
        _ => Err(ParseError::NotYesNo(text.trim().to_string())),
    }
}

/// A whole number within `range`, named `what` in the reason.
pub fn count(text: &str, range: std::ops::RangeInclusive<u32>, what: &str) -> Result<u32, ParseError> {
    let value: u32 = text
        .trim()
        .parse()
        .map_err(|_| ParseError::NotACount { text: text.trim().to_string(), what: what.to_string() })?;
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(ParseError::OutOfRange { value, what: what.to_string(), min: *range.start(), max: *range.end() })
    }
}

/// The mode a word or a session or slot type's name says: "F2F", "Face to
/// Face (Surgery)", "Telephone", "GP Telephone Consultation", "tel".
pub fn mode_of(text: &str) -> Option<Mode> {
    let key = super::name_key(text);
    match key.as_str() {
        "f2f" | "facetoface" | "inperson" | "surgery" | "ftf" => return Some(Mode::FaceToFace),
        "tel" | "telephone" | "phone" | "telephoneappointment" | "phonecall" | "tc" => return Some(Mode::Telephone),
        _ => {}
    }
    let words: Vec<String> = text.to_lowercase().split(|c: char| !c.is_alphanumeric()).map(str::to_string).collect();
    let has = |w: &str| words.iter().any(|word| word == w);
    if key.contains("telephone") || has("phone") || has("tel") || has("tc") {
        Some(Mode::Telephone)
    } else if key.contains("facetoface") || has("f2f") || has("surgery") {
        Some(Mode::FaceToFace)
    } else {
        None
    }
}

/// The mode a patient needs: F2F / Telephone / Any (empty is Any).
pub fn mode_requirement(text: &str) -> Result<ModeRequirement, ParseError> {
    if text.trim().is_empty() || super::name_key(text) == "any" {
        return Ok(ModeRequirement::Any);
    }
    match mode_of(text) {
        Some(Mode::FaceToFace) => Ok(ModeRequirement::FaceToFace),
        Some(Mode::Telephone) => Ok(ModeRequirement::Telephone),
        None => Err(ParseError::UnknownMode(text.trim().to_string())),
    }
}

/// The mode of a session: F2F or Telephone.
pub fn session_mode(text: &str) -> Result<Mode, ParseError> {
    mode_of(text).ok_or_else(|| ParseError::UnknownSessionMode(text.trim().to_string()))
}

/// AM / PM, also "morning" / "afternoon".
pub fn part_of_day(text: &str) -> Result<PartOfDay, ParseError> {
    part_word(text).ok_or_else(|| ParseError::NotAPartOfDay(text.trim().to_string()))
}

fn part_word(text: &str) -> Option<PartOfDay> {
    match text.trim().to_lowercase().as_str() {
        "am" | "a.m." | "morning" | "mornings" | "morn" => Some(PartOfDay::AM),
        "pm" | "p.m." | "afternoon" | "afternoons" | "evening" | "evenings" => Some(PartOfDay::PM),
        _ => None,
    }
}

/// "Mon", "Tues", "Wednesday", "Fridays".
pub fn weekday(text: &str) -> Option<Weekday> {
    let word = text.trim().to_lowercase();
    let word = word.strip_suffix('s').filter(|w| w.ends_with("day")).unwrap_or(&word);
    Some(match word {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tues" | "tuesday" => Weekday::Tue,
        "wed" | "weds" | "wednesday" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        "sat" | "saturday" => Weekday::Sat,
        "sun" | "sunday" => Weekday::Sun,
        _ => return None,
    })
}

/// "Mon AM; Fri; 23/07/2024 PM, Wednesday afternoons": weekdays or dates,
/// each optionally with a part of the day, separated by `;` or `,`; the same
/// entry twice is kept once.
pub fn unavailable(text: &str) -> Result<Vec<Unavailability>, ParseError> {
    let mut list = Vec::new();
    for entry in text.split([';', ',']).map(str::trim).filter(|e| !e.is_empty()) {
        let words: Vec<&str> = entry.split_whitespace().collect();
        let (day_words, part) = match words.split_last() {
            Some((last, rest)) if !rest.is_empty() && part_word(last).is_some() => (rest, part_word(last)),
            _ => (words.as_slice(), None),
        };
        let day_text = day_words.join(" ");
        let day = match weekday(&day_text) {
            Some(w) => DaySpec::Weekday(w),
            None if day_text.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                DaySpec::Date(date(&day_text).map_err(|reason| ParseError::BadDayInList {
                    entry: entry.to_string(),
                    reason: Box::new(reason),
                })?)
            }
            None => return Err(ParseError::UnknownDay(entry.to_string())),
        };
        let item = Unavailability { day, part };
        if !list.contains(&item) {
            list.push(item);
        }
    }
    Ok(list)
}

/// One of the plan's priority classes, by name in any case.
pub fn priority<'r>(rules: &'r Rules, text: &str) -> Result<&'r PriorityClass, ParseError> {
    if rules.priorities.is_empty() {
        return Err(ParseError::NoPriorities);
    }
    rules.priority(text.trim()).ok_or_else(|| ParseError::UnknownPriority {
        text: text.trim().to_string(),
        known: rules.priorities.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::test_date as d;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    /// Every form either the window or CSV import has ever taken, and what it means.
    #[test]
    fn accepted_dates() {
        let table: &[(&str, NaiveDate)] = &[
            ("23/07/2024", d(2024, 7, 23)),
            (" 23/7/2024 ", d(2024, 7, 23)),
            ("23-07-2024", d(2024, 7, 23)),
            ("23.07.2024", d(2024, 7, 23)),
            ("2024-07-23", d(2024, 7, 23)),
            ("2024-7-23", d(2024, 7, 23)),
            ("23-Jul-2024", d(2024, 7, 23)),
            ("23 July 2024", d(2024, 7, 23)),
            ("01-OCT-2024", d(2024, 10, 1)),
            ("1 Oct 2024", d(2024, 10, 1)),
            ("23/07/2024 00:00", d(2024, 7, 23)),
            ("1959-07-01 00:00:00", d(1959, 7, 1)),
            ("2024-07-23T00:00:00", d(2024, 7, 23)),
            ("19/07/2024 12:05", d(2024, 7, 19)),
            ("19 Jul 2024 09:30:00", d(2024, 7, 19)),
        ];
        for (text, want) in table {
            assert_eq!(date(text), Ok(*want), "{text:?}");
        }
    }

    #[test]
    fn refused_dates_say_why() {
        let table: &[(&str, &str)] = &[
            ("", "a date is needed here (dd/mm/yyyy)"),
            ("   ", "a date is needed here (dd/mm/yyyy)"),
            ("31/02/2024", "\"31/02/2024\" is not a real date (no such day)"),
            ("05/03/26", "\"05/03/26\": write the year with four digits (dd/mm/yyyy)"),
            ("23/07/24", "\"23/07/24\": write the year with four digits (dd/mm/yyyy)"),
            ("05/03/0026", "\"05/03/0026\": the year 0026 is not plausible"),
            ("12/13/2024", "\"12/13/2024\": there is no month 13"),
            ("yesterday", "\"yesterday\" is not a date: type it as dd/mm/yyyy, for example 23/07/2024"),
            ("next tuesday", "\"next tuesday\" is not a date: type it as dd/mm/yyyy, for example 23/07/2024"),
            ("23/07/2024 PM", "\"23/07/2024 PM\" is not a date: type it as dd/mm/yyyy, for example 23/07/2024"),
            ("23//2024", "\"23//2024\" is not a date: type it as dd/mm/yyyy, for example 23/07/2024"),
        ];
        for (text, why) in table {
            assert_eq!(date(text).map_err(|e| e.to_string()), Err(why.to_string()), "{text:?}");
        }
        assert_eq!(optional_date("  "), Ok(None));
        assert_eq!(optional_date("23/07/2024"), Ok(Some(d(2024, 7, 23))));
    }

    #[test]
    fn times_and_date_times() {
        let accepted: &[(&str, NaiveTime)] = &[
            ("09:20", t(9, 20)),
            ("9:20", t(9, 20)),
            ("9.20", t(9, 20)),
            ("0920", t(9, 20)),
            ("14:00:00", t(14, 0)),
            ("2:30 pm", t(14, 30)),
            ("9:30am", t(9, 30)),
            ("12:15am", t(0, 15)),
            ("3pm", t(15, 0)),
        ];
        for (text, want) in accepted {
            assert_eq!(time(text), Ok(*want), "{text:?}");
        }
        let refused: &[(&str, &str)] = &[
            ("25:00", "\"25:00\" is not a time of day"),
            ("soon", "\"soon\" is not a time: type it as hh:mm, for example 09:20"),
            ("13pm", "\"13pm\" is not a time: type it as hh:mm, for example 09:20"),
            // Found by fuzzing the rota import: four bytes that are not four digits.
            ("1ø5", "\"1ø5\" is not a time: type it as hh:mm, for example 09:20"),
            ("ø5pm", "\"ø5pm\" is not a time: type it as hh:mm, for example 09:20"),
        ];
        for (text, why) in refused {
            assert_eq!(time(text).map_err(|e| e.to_string()), Err(why.to_string()), "{text:?}");
        }
        assert_eq!(date_time("19 Jul 2024 09:30:00"), Ok((d(2024, 7, 19), Some(t(9, 30)))));
        assert_eq!(date_time("19/07/2024 9:30am"), Ok((d(2024, 7, 19), Some(t(9, 30)))));
        assert_eq!(date_time("19/07/2024 2:10 pm"), Ok((d(2024, 7, 19), Some(t(14, 10)))));
        assert_eq!(date_time("2024-07-19T09:30:00"), Ok((d(2024, 7, 19), Some(t(9, 30)))));
        assert_eq!(date_time("19/07/2024 00:00"), Ok((d(2024, 7, 19), None)));
        assert_eq!(date_time("19-OCT-2024"), Ok((d(2024, 10, 19), None)));
        assert_eq!(
            date_time("19/07/2024 soon").map_err(|e| e.to_string()),
            Err("\"19/07/2024 soon\" is not a date and time: expected a date, then hh:mm".to_string())
        );
    }

    #[test]
    fn unavailability_lists() {
        use DaySpec::{Date, Weekday as W};
        let u = |day, part| Unavailability { day, part };
        let accepted: &[(&str, Vec<Unavailability>)] = &[
            ("", vec![]),
            (" ; ", vec![]),
            ("Mon", vec![u(W(Weekday::Mon), None)]),
            (
                "mon, fri pm; 25/07/2024 AM",
                vec![
                    u(W(Weekday::Mon), None),
                    u(W(Weekday::Fri), Some(PartOfDay::PM)),
                    u(Date(d(2024, 7, 25)), Some(PartOfDay::AM)),
                ],
            ),
            (
                "Mon AM; Fri; 23/07/2024 PM, Wednesday afternoons",
                vec![
                    u(W(Weekday::Mon), Some(PartOfDay::AM)),
                    u(W(Weekday::Fri), None),
                    u(Date(d(2024, 7, 23)), Some(PartOfDay::PM)),
                    u(W(Weekday::Wed), Some(PartOfDay::PM)),
                ],
            ),
            (
                "Tues morning, Thurs, Sundays",
                vec![u(W(Weekday::Tue), Some(PartOfDay::AM)), u(W(Weekday::Thu), None), u(W(Weekday::Sun), None)],
            ),
            ("19 Jul 2024 PM", vec![u(Date(d(2024, 7, 19)), Some(PartOfDay::PM))]),
            ("Fri, fri", vec![u(W(Weekday::Fri), None)]),
        ];
        for (text, want) in accepted {
            assert_eq!(unavailable(text).as_ref(), Ok(want), "{text:?}");
        }
        let refused: &[(&str, &str)] = &[
            (
                "Mon XX",
                "\"Mon XX\" is neither a weekday (Mon-Sun) nor a date (dd/mm/yyyy), optionally followed by AM or PM",
            ),
            (
                "Moon AM",
                "\"Moon AM\" is neither a weekday (Mon-Sun) nor a date (dd/mm/yyyy), optionally followed by AM or PM",
            ),
            (
                "someday",
                "\"someday\" is neither a weekday (Mon-Sun) nor a date (dd/mm/yyyy), optionally followed by AM or PM",
            ),
            ("Mon; 31/02/2024", "\"31/02/2024\": \"31/02/2024\" is not a real date (no such day)"),
        ];
        for (text, why) in refused {
            assert_eq!(unavailable(text).map_err(|e| e.to_string()), Err(why.to_string()), "{text:?}");
        }
        // Every list reads back from its own labels, as the editor shows them.
        let list = unavailable("Mon AM; Fri; 23/07/2024 PM").unwrap();
        let labels = list.iter().map(Unavailability::label).collect::<Vec<_>>().join(", ");
        assert_eq!(unavailable(&labels), Ok(list));
    }

    #[test]
    fn modes_parts_flags_counts_and_priorities() {
        assert_eq!(mode_of("Face to Face (Surgery)"), Some(Mode::FaceToFace));
        assert_eq!(mode_of("GP Telephone Consultation"), Some(Mode::Telephone));
        assert_eq!(mode_of("Tel Review"), Some(Mode::Telephone));
        assert_eq!(mode_of("Smear"), None);
        assert_eq!(mode_of("Hotel"), None);
        assert_eq!(mode_requirement("Face to face"), Ok(ModeRequirement::FaceToFace));
        assert_eq!(mode_requirement("tel"), Ok(ModeRequirement::Telephone));
        assert_eq!(mode_requirement(""), Ok(ModeRequirement::Any));
        assert_eq!(mode_requirement("ANY"), Ok(ModeRequirement::Any));
        assert_eq!(mode_requirement("video"), Err(ParseError::UnknownMode("video".into())));
        assert_eq!(session_mode("F2F"), Ok(Mode::FaceToFace));
        assert_eq!(session_mode("Any"), Err(ParseError::UnknownSessionMode("Any".into())));
        assert_eq!(part_of_day("Morning"), Ok(PartOfDay::AM));
        assert_eq!(part_of_day("p.m."), Ok(PartOfDay::PM));
        assert!(part_of_day("noon").is_err());
        for (text, want) in [("Yes", true), ("Y", true), ("TRUE", true), ("1", true), ("", false), ("n", false)] {
            assert_eq!(yes_no(text), Ok(want), "{text:?}");
        }
        assert_eq!(
            yes_no("maybe").map_err(|e| e.to_string()),
            Err("\"maybe\" is not a yes/no value: write Y or N".into())
        );
        assert_eq!(count(" 2 ", 1..=12, "slots"), Ok(2));
        assert_eq!(
            count("0", 1..=12, "slots").map_err(|e| e.to_string()),
            Err("0 slots is out of range (1 to 12)".into())
        );
        assert_eq!(
            count("two", 1..=12, "slots").map_err(|e| e.to_string()),
            Err("\"two\" is not a whole number of slots".into())
        );
        let rules = Rules::default();
        assert_eq!(priority(&rules, " urgent ").map(|p| p.name.as_str()), Ok("Urgent"));
        assert_eq!(
            priority(&rules, "Asap").map_err(|e| e.to_string()),
            Err("unknown priority \"Asap\"; use one of: Urgent, Soon, Routine".into())
        );
        let none = Rules { priorities: Vec::new(), ..Rules::default() };
        assert_eq!(priority(&none, "Urgent"), Err(ParseError::NoPriorities));
    }
}
