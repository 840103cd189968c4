//! NHS numbers: ten digits with a Modulus 11 check digit.

use super::BacklogItem;
use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NhsNumberError {
    WrongLength(usize),
    NotDigits,
    /// The check calculation gives 10, which no valid number has.
    CheckIsTen,
    WrongCheckDigit {
        expected: u32,
        found: u32,
    },
}

impl fmt::Display for NhsNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NhsNumberError::WrongLength(n) => write!(f, "an NHS number has 10 digits, found {n}"),
            NhsNumberError::NotDigits => write!(f, "an NHS number may contain only digits and spaces"),
            NhsNumberError::CheckIsTen => write!(f, "not a valid NHS number (check digit would be 10)"),
            NhsNumberError::WrongCheckDigit { expected, found } => {
                write!(f, "failed the NHS number check: last digit should be {expected}, not {found}")
            }
        }
    }
}

impl std::error::Error for NhsNumberError {}

/// The check digit for the first nine digits (weights 10..2; 11 -> 0; 10 -> invalid).
pub fn check_digit(first_nine: &[u32]) -> Option<u32> {
    let sum: u32 = first_nine.iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c),
    }
}

/// Validates an NHS number (spaces and dashes allowed) and returns its ten digits.
pub fn parse(text: &str) -> Result<String, NhsNumberError> {
    let cleaned: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if !cleaned.chars().all(|c| c.is_ascii_digit()) {
        return Err(NhsNumberError::NotDigits);
    }
    if cleaned.len() != 10 {
        return Err(NhsNumberError::WrongLength(cleaned.len()));
    }
    let digits: Vec<u32> = cleaned.chars().filter_map(|c| c.to_digit(10)).collect();
    let expected = check_digit(&digits[..9]).ok_or(NhsNumberError::CheckIsTen)?;
    if expected != digits[9] {
        return Err(NhsNumberError::WrongCheckDigit { expected, found: digits[9] });
    }
    Ok(cleaned)
}

/// Who a patient is, wherever "the same patient" matters (one appointment per
/// patient per day, in the optimiser and in the checker alike): the digits of
/// the NHS number, so "999 000 0018" and "9990000018" are one patient; with no
/// number, the appointment itself, so two people without numbers are never
/// taken for one (and an id that looks like a number never meets a real one).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PatientKey<'a> {
    Nhs(Cow<'a, str>),
    Appointment(&'a str),
}

/// The patient of a backlog item (see [`PatientKey`]).
pub fn patient_key(item: &BacklogItem) -> PatientKey<'_> {
    key_of(&item.patient.nhs_number, &item.id)
}

/// The patient with this NHS number (as written), booked as `appointment_id`.
pub fn key_of<'a>(nhs_number: &'a str, appointment_id: &'a str) -> PatientKey<'a> {
    if nhs_number.bytes().all(|b| b.is_ascii_digit()) {
        // Stored numbers are already bare digits: no copy on the optimiser's hot path.
        if nhs_number.is_empty() {
            PatientKey::Appointment(appointment_id)
        } else {
            PatientKey::Nhs(Cow::Borrowed(nhs_number))
        }
    } else {
        let digits: String = nhs_number.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() { PatientKey::Appointment(appointment_id) } else { PatientKey::Nhs(Cow::Owned(digits)) }
    }
}

/// "9990000018" -> "999 000 0018", the way NHS numbers are written.
pub fn format(digits: &str) -> String {
    if digits.len() == 10 && digits.is_ascii() {
        format!("{} {} {}", &digits[..3], &digits[3..6], &digits[6..])
    } else {
        digits.to_string()
    }
}

/// "*** *** 0018": only the last four digits, for printouts seen by others.
pub fn masked(digits: &str) -> String {
    let tail: String = digits.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("*** *** {tail}")
}

/// Valid NHS numbers from the never-issued 999 range, in ascending order
/// (bodies whose check digit would be 10 are skipped): for synthetic patients.
pub fn test_numbers() -> impl Iterator<Item = String> {
    (0..1_000_000u32).filter_map(|n| {
        let body = format!("999{n:06}");
        let digits: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect();
        check_digit(&digits).map(|c| format!("{body}{c}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_numbers_with_spaces() {
        assert_eq!(parse("943 476 5919").as_deref(), Ok("9434765919"));
        assert_eq!(parse("9990000026").as_deref(), Ok("9990000026"));
    }

    #[test]
    fn rejects_published_examples_that_fail_the_check() {
        assert!(matches!(parse("987 654 4321"), Err(NhsNumberError::WrongCheckDigit { .. })));
        assert!(parse("999 123 4560").is_err());
    }

    #[test]
    fn rejects_wrong_length_letters_and_check_ten() {
        assert_eq!(parse("123"), Err(NhsNumberError::WrongLength(3)));
        assert_eq!(parse("99900A0018"), Err(NhsNumberError::NotDigits));
        // 999000001x: sum = 9*10+9*9+9*8+0+0+0+0+0+1*2 = 245; 245 % 11 = 3; 11-3 = 8.
        assert_eq!(check_digit(&[9, 9, 9, 0, 0, 0, 0, 0, 1]), Some(8));
        // A body whose check would be 10 is never valid.
        let ten = (0..1000)
            .map(|n| format!("999{n:06}"))
            .find(|b| check_digit(&b.chars().filter_map(|c| c.to_digit(10)).collect::<Vec<_>>()).is_none())
            .map(|b| format!("{b}0"));
        let ten = ten.unwrap_or_default();
        assert_eq!(parse(&ten), Err(NhsNumberError::CheckIsTen));
    }

    #[test]
    fn test_numbers_are_valid_and_in_the_999_range() {
        let numbers: Vec<String> = test_numbers().take(2000).collect();
        for number in &numbers {
            assert!(number.starts_with("999"));
            assert_eq!(parse(number).as_deref(), Ok(number.as_str()));
        }
        let mut unique = numbers.clone();
        unique.dedup();
        assert_eq!(unique.len(), numbers.len());
    }

    #[test]
    fn one_patient_however_the_number_is_written() {
        assert_eq!(key_of(" 999 000 0018", "A"), key_of("9990000018", "B"));
        assert_eq!(key_of("999-000-0018", "A"), PatientKey::Nhs(Cow::Borrowed("9990000018")));
        assert_ne!(key_of("9990000018", "A"), key_of("9990000026", "A"));
        // Without a number each appointment is its own patient, even with an id made of digits.
        assert_eq!(key_of("", "X"), PatientKey::Appointment("X"));
        assert_ne!(key_of("", "X"), key_of("  ", "Y"));
        assert_ne!(key_of("", "9990000018"), key_of("9990000018", "B"));
    }

    #[test]
    fn formats_and_masks() {
        assert_eq!(format("9990000018"), "999 000 0018");
        assert_eq!(masked("9990000018"), "*** *** 0018");
    }
}
