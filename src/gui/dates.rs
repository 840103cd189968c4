//! UK-style dates for the window: the practice reads "Tue 23/07/2024", never
//! ISO. Parsing accepts what people type (23/07/2024, 23/7/24 is refused on
//! purpose, 2024-07-23 from pasted files).

use chrono::NaiveDate;

/// "23/07/2024".
pub fn uk(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// "Tue 23/07/2024".
pub fn uk_day(date: NaiveDate) -> String {
    date.format("%a %d/%m/%Y").to_string()
}

/// "23/07/2024" or an empty string.
pub fn uk_opt(date: Option<NaiveDate>) -> String {
    date.map(uk).unwrap_or_default()
}

/// Reads a date typed as dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy) or
/// yyyy-mm-dd. Two-digit years are refused rather than read as the year 0024.
pub fn parse_uk(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    let bad = || format!("\"{text}\" is not a date: type it as dd/mm/yyyy, for example 23/07/2024");
    if text.is_empty() {
        return Err("a date is needed here (dd/mm/yyyy)".to_string());
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date);
    }
    let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
    let [day, month, year] = parts.as_slice() else {
        return Err(bad());
    };
    if year.len() != 4 {
        return Err(format!("\"{text}\": write the year in full (for example 23/07/2024)"));
    }
    let number = |s: &str| s.parse::<u32>().map_err(|_| bad());
    let year = year.parse::<i32>().map_err(|_| bad())?;
    NaiveDate::from_ymd_opt(year, number(month)?, number(day)?).ok_or_else(|| format!("\"{text}\" is not a real date"))
}

/// An optional date field: empty means none.
pub fn parse_uk_opt(text: &str) -> Result<Option<NaiveDate>, String> {
    if text.trim().is_empty() { Ok(None) } else { parse_uk(text).map(Some) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_uk_dates() {
        let date = NaiveDate::from_ymd_opt(2024, 7, 23);
        assert_eq!(date.map(uk_day).as_deref(), Some("Tue 23/07/2024"));
        assert_eq!(parse_uk("23/07/2024").ok(), date);
        assert_eq!(parse_uk(" 23/7/2024 ").ok(), date);
        assert_eq!(parse_uk("2024-07-23").ok(), date);
        assert_eq!(parse_uk("23.07.2024").ok(), date);
        assert!(parse_uk("23/07/24").is_err_and(|e| e.contains("year in full")));
        assert!(parse_uk("31/02/2024").is_err_and(|e| e.contains("not a real date")));
        assert!(parse_uk("next tuesday").is_err());
        assert_eq!(parse_uk_opt("  "), Ok(None));
    }
}
