//! Bounds on everything Rebook reads: only ordinary files (a named pipe or a
//! device would hang a read or never end), never more bytes than the kind of
//! file can hold, no string value longer than a person could type, and the
//! numbers of a plan within the ranges the planner can work with. A plan that
//! breaks a bound is refused on load (and so by `rebook check`) and never saved.

use crate::model::{DaySpec, Plan};
use chrono::NaiveDate;
use std::fs;
use std::io::Read;
use std::path::Path;

/// Longest string value in a plan file (a name, a note, an id), as for CSV values.
pub const MAX_STRING_CHARS: usize = 10_000;

/// Dates a plan may hold: a date of birth may be a century back, a horizon
/// is this decade; outside these the file is damaged or hostile.
pub const FIRST_DATE: (i32, u32, u32) = (1900, 1, 1);
pub const LAST_DATE: (i32, u32, u32) = (2199, 12, 31);
/// Longest horizon, in days (the planner works through every day of it).
pub const MAX_HORIZON_DAYS: i64 = 3 * 366;
/// Slots a session, or minutes a slot, may have: one day's worth.
pub const MAX_SLOTS: u32 = 24 * 60;
/// Largest penalty weight; real ones are 1 to 1,000.
pub const MAX_WEIGHT: f64 = 1e9;
/// Longest target, in days.
pub const MAX_TARGET_DAYS: u32 = 3660;

/// Reads the whole of an ordinary file of at most `max` bytes. A named pipe,
/// a device or a folder is refused before it is opened, so `/dev/zero` or a
/// FIFO with no writer never hangs or fills memory.
pub fn read_regular_file(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let size = file.metadata()?.len();
    if size > max {
        return Err(too_large(size, max));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large(bytes.len() as u64, max));
    }
    Ok(bytes)
}

/// Opens an ordinary file for reading; anything else is refused (checked
/// before opening, since opening a FIFO blocks, and again on the open file).
pub fn open_regular(path: &Path) -> std::io::Result<fs::File> {
    refuse_special(&fs::metadata(path)?.file_type())?;
    let file = fs::File::open(path)?;
    refuse_special(&file.metadata()?.file_type())?;
    Ok(file)
}

fn refuse_special(kind: &fs::FileType) -> std::io::Result<()> {
    if kind.is_file() {
        return Ok(());
    }
    let what = if kind.is_dir() { "a folder" } else { special_kind(kind).unwrap_or("not an ordinary file") };
    Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{what}, not an ordinary file: it was not read")))
}

#[cfg(unix)]
fn special_kind(kind: &fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        Some("a named pipe (FIFO)")
    } else if kind.is_char_device() || kind.is_block_device() {
        Some("a device")
    } else if kind.is_socket() {
        Some("a socket")
    } else {
        None
    }
}

#[cfg(not(unix))]
fn special_kind(_kind: &fs::FileType) -> Option<&'static str> {
    None
}

fn too_large(size: u64, max: u64) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::FileTooLarge,
        format!("{size} bytes or more, larger than such a file can be ({max} bytes): it was not read"),
    )
}

/// The first string literal in RON `text` longer than [`MAX_STRING_CHARS`]:
/// (line, column, length in characters). Scanned before parsing, so a
/// hostile 20 MB name is refused without being built.
pub fn overlong_string(text: &str) -> Option<(usize, usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                let (end, chars) = quoted_end(text, i + 1);
                if chars > MAX_STRING_CHARS {
                    return Some(position(text, start, chars));
                }
                i = end;
            }
            // Raw strings r"..." and r#"..."#: no escapes inside.
            b'r' if matches!(bytes.get(i + 1), Some(b'"' | b'#')) && (i == 0 || !is_ident(bytes[i - 1])) => {
                let hashes = bytes[i + 1..].iter().take_while(|b| **b == b'#').count();
                let open = i + 1 + hashes;
                if bytes.get(open) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                let body = &text[open + 1..];
                let len = body.find(&close).unwrap_or(body.len());
                let chars = body[..len].chars().count();
                if chars > MAX_STRING_CHARS {
                    return Some(position(text, i, chars));
                }
                i = open + 1 + len + close.len();
            }
            // A comment may hold a quote that opens nothing.
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            _ => i += 1,
        }
    }
    None
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Where the quoted string starting at `from` (after its quote) ends, and its length in characters.
fn quoted_end(text: &str, from: usize) -> (usize, usize) {
    let mut chars = 0;
    let mut escaped = false;
    for (offset, c) in text[from..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return (from + offset + 1, chars),
            _ => {}
        }
        if !escaped {
            chars += 1;
        }
    }
    (text.len(), chars)
}

fn position(text: &str, offset: usize, chars: usize) -> (usize, usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column, chars)
}

/// The first number or date of `plan` outside what the planner can work
/// with, in a sentence naming the item and field; `None` when all are in range.
pub fn out_of_range(plan: &Plan) -> Option<String> {
    let first = date(FIRST_DATE);
    let last = date(LAST_DATE);
    let bad_date = |d: NaiveDate| !(first..=last).contains(&d);
    let date_msg = |what: String, d: NaiveDate| {
        format!("{what} is {d}, outside {} to {}", first.format("%d/%m/%Y"), last.format("%d/%m/%Y"))
    };
    let bad_weight = |w: f64| !(w.is_finite() && (0.0..=MAX_WEIGHT).contains(&w));
    let bad_fraction = |f: f64| !(f.is_finite() && (0.0..=1.0).contains(&f));

    if plan.format_version < 1 {
        return Some(format!("format_version is {}; plan files start at version 1", plan.format_version));
    }
    if let Some(h) = plan.horizon {
        for (what, d) in [("the horizon start", h.start), ("the horizon end", h.end)] {
            if bad_date(d) {
                return Some(date_msg(what.to_string(), d));
            }
        }
        let days = h.end.signed_duration_since(h.start).num_days();
        if days > MAX_HORIZON_DAYS {
            return Some(format!("the horizon is {days} days long; at most {MAX_HORIZON_DAYS} can be planned"));
        }
    }
    let rules = &plan.rules;
    for p in &rules.priorities {
        if bad_weight(p.weight) {
            return Some(format!(
                "priority \"{}\" has weight {}; it must be a number from 0 to {MAX_WEIGHT}",
                p.name, p.weight
            ));
        }
        if p.target_days > MAX_TARGET_DAYS {
            return Some(format!(
                "priority \"{}\" has target_days {}; at most {MAX_TARGET_DAYS}",
                p.name, p.target_days
            ));
        }
    }
    if bad_fraction(rules.reserve) {
        return Some(format!("the reserve is {}; it must be a fraction from 0 to 1", rules.reserve));
    }
    for r in &rules.reserve_by_weekday {
        if bad_fraction(r.fraction) {
            return Some(format!("the reserve for {} is {}; it must be a fraction from 0 to 1", r.weekday, r.fraction));
        }
    }
    let penalties = [
        ("late_penalty", rules.late_penalty),
        ("continuity_penalty", rules.continuity_penalty),
        ("preference_penalty", rules.preference_penalty),
        ("unplaced_penalty", rules.unplaced_penalty),
        ("move_penalty", rules.move_penalty),
    ];
    for (name, value) in penalties {
        if bad_weight(value) {
            return Some(format!("the rule {name} is {value}; it must be a number from 0 to {MAX_WEIGHT}"));
        }
    }
    for t in &plan.appointment_types {
        if t.default_slots > MAX_SLOTS {
            return Some(format!(
                "appointment type \"{}\" takes {} slots; at most {MAX_SLOTS}",
                t.name, t.default_slots
            ));
        }
    }
    for s in &plan.sessions {
        if s.slot_minutes > MAX_SLOTS {
            return Some(format!("session {} has slot_minutes {}; at most {MAX_SLOTS}", s.id, s.slot_minutes));
        }
        if s.free_slots > MAX_SLOTS || s.slot_times.len() > MAX_SLOTS as usize {
            return Some(format!(
                "session {} has {} free slots; at most {MAX_SLOTS}",
                s.id,
                s.free_slots.max(u32::try_from(s.slot_times.len()).unwrap_or(u32::MAX))
            ));
        }
        if bad_date(s.date) {
            return Some(date_msg(format!("the date of session {}", s.id), s.date));
        }
    }
    for item in &plan.backlog {
        if item.slots > MAX_SLOTS {
            return Some(format!("appointment {} needs {} slots; at most {MAX_SLOTS}", item.id, item.slots));
        }
        let dates = [
            ("original date", Some(item.original_date)),
            ("earliest date", item.earliest_date),
            ("see-by date", item.see_by),
            ("date of birth", item.patient.date_of_birth),
        ];
        for (what, d) in dates {
            if let Some(d) = d.filter(|d| bad_date(*d)) {
                return Some(date_msg(format!("the {what} of appointment {}", item.id), d));
            }
        }
        for u in &item.unavailable {
            if let DaySpec::Date(d) = u.day
                && bad_date(d)
            {
                return Some(date_msg(format!("a day appointment {} cannot attend", item.id), d));
            }
        }
    }
    None
}

fn date((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn finds_overlong_strings_with_their_position() {
        let long = "x".repeat(MAX_STRING_CHARS + 1);
        let ok = "y".repeat(MAX_STRING_CHARS);
        assert_eq!(overlong_string(&format!("Plan(a: \"{ok}\")")), None);
        assert_eq!(overlong_string(&format!("Plan(\n  a: \"q\\\"\",\n  b: \"{long}\")")), Some((3, 6, long.len())));
        assert_eq!(overlong_string(&format!("(a: r#\"{long}\"#)")), Some((1, 5, long.len())));
        assert_eq!(overlong_string("(a: r#None, b: \"ok\") // \" unclosed"), None);
    }

    #[test]
    fn numbers_out_of_range_are_named() {
        let mut plan = Plan::new("P");
        assert_eq!(out_of_range(&plan), None);
        plan.rules.reserve = f64::NAN;
        assert!(out_of_range(&plan).unwrap().contains("reserve"));
        plan.rules.reserve = 0.2;
        plan.rules.priorities[0].weight = -1.0;
        assert!(out_of_range(&plan).unwrap().contains("weight -1"));
        plan.rules.priorities[0].weight = 1.0;
        plan.format_version = 0;
        assert!(out_of_range(&plan).unwrap().contains("format_version"));
    }

    #[test]
    fn special_files_are_refused_at_once() {
        let dir = std::env::temp_dir();
        let err = read_regular_file(&dir, 10).unwrap_err();
        assert!(err.to_string().contains("folder"), "{err}");
        if Path::new("/dev/zero").exists() {
            let err = read_regular_file(Path::new("/dev/zero"), 10).unwrap_err();
            assert!(err.to_string().contains("device"), "{err}");
        }
    }
}
