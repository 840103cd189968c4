//! UK-style dates for the window: the practice reads "Tue 23/07/2024", never
//! ISO. What people type is read by `model::parse`, as CSV import reads it.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_uk_dates_that_read_back() {
        let date = crate::model::test_date(2024, 7, 23);
        assert_eq!(uk_day(date), "Tue 23/07/2024");
        assert_eq!(uk_opt(Some(date)), "23/07/2024");
        assert_eq!(uk_opt(None), "");
        assert_eq!(crate::model::parse::date(&uk(date)), Ok(date));
    }
}
