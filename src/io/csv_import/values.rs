//! What spreadsheets do to cells of a clinical-system export (numbers in
//! scientific notation, phone numbers without their leading zero). Typed
//! values (dates, times, modes, ...) are read by `model::parse`, shared with
//! the window.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
