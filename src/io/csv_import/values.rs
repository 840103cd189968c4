//! Parsing the values people and clinical systems write into CSV cells.
//! Each parser returns the reason in plain words when a value cannot be read.

use crate::model::{DaySpec, Mode, ModeRequirement, PartOfDay, Unavailability};
use chrono::{NaiveDate, NaiveTime, Weekday};

/// Years outside this range are typing or export mistakes ("05/03/26" read as
/// the year 0026), not real dates of birth or appointments.
const FIRST_PLAUSIBLE_YEAR: i32 = 1900;
const LAST_PLAUSIBLE_YEAR: i32 = 2100;

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// A date as dd/mm/yyyy (also with `-` or `.`), yyyy-mm-dd, or dd-Mon-yyyy
/// ("19-Jul-2024", "19 Jul 2024"), optionally followed by a midnight time as
/// spreadsheets add ("19/07/2024 00:00").
pub(crate) fn date(text: &str) -> Result<NaiveDate, String> {
    let bad = |why: &str| format!("bad date \"{text}\": {why}");
    let words: Vec<&str> = text.split_whitespace().collect();
    // "19 Jul 2024" has spaces inside the date; anything else after a space is a time.
    let core: String = if words.len() >= 3 && words[1].chars().all(char::is_alphabetic) {
        words[..3].join("-")
    } else {
        let first = words.first().copied().unwrap_or("");
        // ISO date-time "2024-07-19T00:00:00".
        first.split_once('T').filter(|(d, _)| d.len() == 10).map_or(first, |(d, _)| d).to_string()
    };
    let pieces: Vec<&str> = core.split(['/', '-', '.']).collect();
    if pieces.len() != 3 || pieces.iter().any(|p| p.is_empty()) {
        return Err(bad("expected dd/mm/yyyy or yyyy-mm-dd"));
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
        return Err(bad("expected dd/mm/yyyy or yyyy-mm-dd"));
    };
    if year_text.len() != 4 {
        return Err(bad("write the year with four digits (dd/mm/yyyy)"));
    }
    let year: i32 = year_text.parse().map_err(|_| bad("expected dd/mm/yyyy or yyyy-mm-dd"))?;
    if !(FIRST_PLAUSIBLE_YEAR..=LAST_PLAUSIBLE_YEAR).contains(&year) {
        return Err(bad(&format!("the year {year_text} is not plausible")));
    }
    if !(1..=12).contains(&month) {
        return Err(bad(&format!("there is no month {month}")));
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| bad("no such day"))
}

/// A date with an optional time in the same cell ("19 Jul 2024 09:30:00",
/// "19/07/2024 9:30am", "2024-07-19T09:30:00"); a midnight time is taken as
/// no time (spreadsheets add 00:00 to plain dates).
pub(crate) fn date_time(text: &str) -> Result<(NaiveDate, Option<NaiveTime>), String> {
    let day = date(text)?;
    let words: Vec<&str> = text.split_whitespace().collect();
    let rest = if words.len() >= 3 && words[1].chars().all(char::is_alphabetic) {
        words[3..].join(" ")
    } else if let Some((_, time)) = words.first().and_then(|w| w.split_once('T')).filter(|(d, _)| d.len() == 10) {
        time.to_string()
    } else {
        words.get(1..).map(|w| w.join(" ")).unwrap_or_default()
    };
    if rest.is_empty() {
        return Ok((day, None));
    }
    let at = time(&rest).map_err(|_| format!("bad date and time \"{text}\": expected a date, then hh:mm"))?;
    Ok((day, (at != NaiveTime::MIN).then_some(at)))
}

/// Whether a cell holds a number Excel rewrote in scientific notation
/// ("9.99E+09"): its digits are lost and cannot be recovered from the file.
pub(crate) fn is_scientific(text: &str) -> bool {
    let text = text.trim();
    text.contains(['e', 'E']) && text.contains('+') && text.parse::<f64>().is_ok()
}

/// A phone number as read from an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phone {
    AsWritten(String),
    /// Ten digits starting 1, 2, 3 or 7: a UK number whose leading 0 a
    /// spreadsheet dropped, given back ("7700900490" -> "07700900490").
    Repaired(String),
    /// In scientific notation: digits lost.
    Damaged,
}

pub(crate) fn phone(text: &str) -> Phone {
    if is_scientific(text) {
        return Phone::Damaged;
    }
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let lost_zero = digits.len() == 10
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(digits.as_bytes()[0], b'1' | b'2' | b'3' | b'7');
    if lost_zero { Phone::Repaired(format!("0{digits}")) } else { Phone::AsWritten(text.to_string()) }
}

/// A time as 09:20, 9:20, 09:20:00, 0920, 9.20 or with am/pm ("2:30 pm").
pub(crate) fn time(text: &str) -> Result<NaiveTime, String> {
    let bad = || format!("bad time \"{text}\": expected hh:mm, e.g. 09:20");
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
    NaiveTime::from_hms_opt(hour, minute, second).ok_or_else(|| format!("bad time \"{text}\": no such time of day"))
}

/// Y/N, yes/no, true/false, 1/0; an empty cell is no.
pub(crate) fn yes_no(text: &str) -> Result<bool, String> {
    match text.trim().to_lowercase().as_str() {
        "" | "n" | "no" | "false" | "0" | "f" => Ok(false),
        "y" | "yes" | "true" | "1" | "t" => Ok(true),
        _ => Err(format!("\"{text}\" is not a yes/no value: write Y or N")),
    }
}

/// A whole number within `range`, named `what` in the reason.
pub(crate) fn count(text: &str, range: std::ops::RangeInclusive<u32>, what: &str) -> Result<u32, String> {
    let value: u32 = text.trim().parse().map_err(|_| format!("\"{text}\" is not a whole number of {what}"))?;
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} {what} is out of range ({} to {})", range.start(), range.end()))
    }
}

/// The mode a word or a session or slot type's name says: "F2F", "Face to
/// Face (Surgery)", "Telephone", "GP Telephone Consultation", "tel".
pub(crate) fn mode_of(text: &str) -> Option<Mode> {
    let key = crate::model::name_key(text);
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
pub(crate) fn mode_requirement(text: &str) -> Result<ModeRequirement, String> {
    if text.trim().is_empty() || crate::model::name_key(text) == "any" {
        return Ok(ModeRequirement::Any);
    }
    match mode_of(text) {
        Some(Mode::FaceToFace) => Ok(ModeRequirement::FaceToFace),
        Some(Mode::Telephone) => Ok(ModeRequirement::Telephone),
        None => Err(format!("unknown mode \"{text}\": write F2F, Telephone or Any")),
    }
}

/// The mode of a session: F2F or Telephone.
pub(crate) fn session_mode(text: &str) -> Result<Mode, String> {
    mode_of(text).ok_or_else(|| format!("unknown mode \"{text}\": write F2F or Telephone"))
}

/// AM / PM, also "morning" / "afternoon".
pub(crate) fn part_of_day(text: &str) -> Result<PartOfDay, String> {
    part_word(text).ok_or_else(|| format!("\"{text}\" is not a part of the day: write AM or PM"))
}

fn part_word(text: &str) -> Option<PartOfDay> {
    match text.trim().to_lowercase().as_str() {
        "am" | "a.m." | "morning" | "mornings" | "morn" => Some(PartOfDay::AM),
        "pm" | "p.m." | "afternoon" | "afternoons" | "evening" | "evenings" => Some(PartOfDay::PM),
        _ => None,
    }
}

fn weekday_word(text: &str) -> Option<Weekday> {
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

/// "Mon AM; Fri; 23/07/2024 PM": weekdays or dates, each optionally with a
/// part of the day, separated by `;` or `,`.
pub(crate) fn unavailable(text: &str) -> Result<Vec<Unavailability>, String> {
    let mut list = Vec::new();
    for entry in text.split([';', ',']).map(str::trim).filter(|e| !e.is_empty()) {
        let words: Vec<&str> = entry.split_whitespace().collect();
        let (day_words, part) = match words.split_last() {
            Some((last, rest)) if !rest.is_empty() && part_word(last).is_some() => (rest, part_word(last)),
            _ => (words.as_slice(), None),
        };
        let day_text = day_words.join(" ");
        let day = match weekday_word(&day_text) {
            Some(w) => DaySpec::Weekday(w),
            None if day_text.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                DaySpec::Date(date(&day_text).map_err(|why| format!("bad unavailable entry \"{entry}\": {why}"))?)
            }
            None => {
                return Err(format!(
                    "bad unavailable entry \"{entry}\": expected a weekday (Mon-Sun) or a date, optionally followed by AM or PM"
                ));
            }
        };
        let item = Unavailability { day, part };
        if !list.contains(&item) {
            list.push(item);
        }
    }
    Ok(list)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_in_the_usual_forms() {
        for text in ["19/07/2024", "19-07-2024", "19.07.2024", "2024-07-19", "19-Jul-2024", "19 July 2024", "19/7/2024"]
        {
            assert_eq!(date(text), Ok(d(2024, 7, 19)), "{text}");
        }
        for text in ["01-OCT-2024", "1 Oct 2024", "2024-10-01"] {
            assert_eq!(date(text), Ok(d(2024, 10, 1)), "{text}");
        }
        assert_eq!(date("19/07/2024 00:00"), Ok(d(2024, 7, 19)));
        assert_eq!(date("2024-07-19T00:00:00"), Ok(d(2024, 7, 19)));
    }

    #[test]
    fn bad_dates_say_why() {
        assert_eq!(date("31/02/2024").unwrap_err(), "bad date \"31/02/2024\": no such day");
        assert!(date("05/03/26").unwrap_err().contains("four digits"));
        assert!(date("05/03/0026").unwrap_err().contains("0026 is not plausible"));
        assert!(date("12/13/2024").unwrap_err().contains("no month 13"));
        assert!(date("yesterday").unwrap_err().contains("expected dd/mm/yyyy"));
    }

    #[test]
    fn times() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert_eq!(time("09:20"), Ok(t(9, 20)));
        assert_eq!(time("9.20"), Ok(t(9, 20)));
        assert_eq!(time("0920"), Ok(t(9, 20)));
        assert_eq!(time("14:00:00"), Ok(t(14, 0)));
        assert_eq!(time("2:30 pm"), Ok(t(14, 30)));
        assert_eq!(time("12:15am"), Ok(t(0, 15)));
        assert!(time("25:00").is_err());
        assert!(time("soon").is_err());
        // Found by fuzzing the rota import: four bytes that are not four digits.
        assert!(time("1ø5").is_err());
        assert!(time("ø5pm").is_err());
    }

    #[test]
    fn date_times_in_one_cell() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert_eq!(date_time("19 Jul 2024 09:30:00"), Ok((d(2024, 7, 19), Some(t(9, 30)))));
        assert_eq!(date_time("19/07/2024 9:30am"), Ok((d(2024, 7, 19), Some(t(9, 30)))));
        assert_eq!(date_time("19/07/2024 2:10 pm"), Ok((d(2024, 7, 19), Some(t(14, 10)))));
        assert_eq!(date_time("2024-07-19T09:30:00"), Ok((d(2024, 7, 19), Some(t(9, 30)))));
        assert_eq!(date_time("19/07/2024 00:00"), Ok((d(2024, 7, 19), None)));
        assert_eq!(date_time("19-Jul-2024"), Ok((d(2024, 7, 19), None)));
        assert_eq!(date_time("19-OCT-2024"), Ok((d(2024, 10, 19), None)));
        assert!(date_time("19/07/2024 soon").unwrap_err().contains("date and time"));
    }

    #[test]
    fn excel_damage() {
        assert!(is_scientific("9.99E+09") && is_scientific("9.99999E+9"));
        assert!(!is_scientific("999 000 0018") && !is_scientific("Ellis+1"));
        assert_eq!(phone("7700900490"), Phone::Repaired("07700900490".into()));
        assert_eq!(phone("1632960123"), Phone::Repaired("01632960123".into()));
        assert_eq!(phone("07700 900490"), Phone::AsWritten("07700 900490".into()));
        assert_eq!(phone("447700900490"), Phone::AsWritten("447700900490".into()));
        assert_eq!(phone("7.7009E+09"), Phone::Damaged);
    }

    #[test]
    fn modes_from_type_names() {
        assert_eq!(mode_of("Face to Face (Surgery)"), Some(Mode::FaceToFace));
        assert_eq!(mode_of("GP Telephone Consultation"), Some(Mode::Telephone));
        assert_eq!(mode_of("Tel Review"), Some(Mode::Telephone));
        assert_eq!(mode_of("Smear"), None);
        assert_eq!(mode_of("Hotel"), None);
    }

    #[test]
    fn modes_parts_and_flags() {
        assert_eq!(mode_requirement("Face to face"), Ok(ModeRequirement::FaceToFace));
        assert_eq!(mode_requirement("tel"), Ok(ModeRequirement::Telephone));
        assert_eq!(mode_requirement(""), Ok(ModeRequirement::Any));
        assert!(mode_requirement("video").is_err());
        assert_eq!(session_mode("F2F"), Ok(Mode::FaceToFace));
        assert!(session_mode("Any").is_err());
        assert_eq!(part_of_day("Morning"), Ok(PartOfDay::AM));
        assert_eq!(yes_no("Yes"), Ok(true));
        assert_eq!(yes_no(""), Ok(false));
        assert!(yes_no("maybe").is_err());
        assert_eq!(count("2", 1..=12, "slots"), Ok(2));
        assert!(count("0", 1..=12, "slots").is_err());
    }

    #[test]
    fn unavailable_lists() {
        let list = unavailable("Mon AM; Fri; 23/07/2024 PM, Wednesday afternoons").unwrap();
        assert_eq!(
            list,
            vec![
                Unavailability { day: DaySpec::Weekday(Weekday::Mon), part: Some(PartOfDay::AM) },
                Unavailability { day: DaySpec::Weekday(Weekday::Fri), part: None },
                Unavailability { day: DaySpec::Date(d(2024, 7, 23)), part: Some(PartOfDay::PM) },
                Unavailability { day: DaySpec::Weekday(Weekday::Wed), part: Some(PartOfDay::PM) },
            ]
        );
        assert!(unavailable("Moon AM").unwrap_err().contains("Moon AM"));
        assert!(unavailable("31/02/2024").unwrap_err().contains("no such day"));
        assert_eq!(unavailable(" ; ").unwrap(), vec![]);
    }
}
