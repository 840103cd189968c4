//! Matching a clinician's name as an export writes it ("SMITH, Anne (Dr)",
//! "Dr Anne Smith", "DR A SMITH") to the plan's clinicians ("Dr A Smith").
//!
//! An exact id or name wins; otherwise surname and first initial decide, with
//! titles, case and punctuation ignored. Two clinicians who both fit are never
//! guessed between, and a name that fits nobody comes with the closest names
//! so the warning can say who was probably meant.

use crate::model::{Clinician, name_key};

/// Words that are titles, not names (compared lower-case, without dots).
const TITLES: &[&str] =
    &["dr", "doctor", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "nurse", "sister", "sr"];

/// Words that belong to the surname that follows them ("van der Berg").
const SURNAME_PARTICLES: &[&str] =
    &["van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "la", "le", "al", "el", "bin", "st"];

/// Fewer than this (Jaro-Winkler on surnames) is not "close" enough to suggest.
const CLOSE_ENOUGH: f64 = 0.75;
/// Suggestions in a warning.
const MAX_CLOSEST: usize = 3;

/// The parts of a person's name that identify them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameParts {
    /// Lower-case title without dots ("dr"), when one was written.
    pub title: Option<String>,
    /// Given names as written, titles removed ("Anne", "A.").
    pub given: Vec<String>,
    /// Surname words as written ("SMITH", "van der Berg").
    pub surname: Vec<String>,
}

impl NameParts {
    /// "SMITH, Anne (Dr)", "Dr Anne Smith", "DR A. SMITH", "SMITH Anne", "Anne Smith".
    /// Parenthesised words other than a title ("(Locum)") are not part of the name.
    pub fn parse(text: &str) -> NameParts {
        let mut title = None;
        let mut plain = String::new();
        let mut rest = text;
        // Split "(...)" groups off, keeping a title found inside one.
        while let Some(open) = rest.find('(') {
            plain.push_str(&rest[..open]);
            plain.push(' ');
            let inner_and_after = &rest[open + 1..];
            let close = inner_and_after.find(')').unwrap_or(inner_and_after.len());
            for word in inner_and_after[..close].split_whitespace() {
                if let Some(t) = title_of(word) {
                    title.get_or_insert(t);
                }
            }
            rest = inner_and_after.get(close + 1..).unwrap_or("");
        }
        plain.push_str(rest);

        let mut take_words = |part: &str| -> Vec<String> {
            part.split_whitespace()
                .filter(|w| match title_of(w) {
                    Some(t) => {
                        title.get_or_insert(t);
                        false
                    }
                    None => !word_key(w).is_empty(),
                })
                .map(str::to_string)
                .collect()
        };
        let (given, surname) = if let Some((surname, given)) = plain.split_once(',') {
            (take_words(given), take_words(surname))
        } else {
            let words = take_words(&plain);
            split_surname(words)
        };
        NameParts { title, given, surname }
    }

    /// Surname compared without case, spaces or punctuation ("obrien").
    pub fn surname_key(&self) -> String {
        self.surname.iter().map(|w| word_key(w)).collect()
    }

    /// First letter of the first given name, lower-case.
    pub fn initial(&self) -> Option<char> {
        self.given.first().and_then(|w| word_key(w).chars().next())
    }

    /// The first given name when written out in full ("anne"), not as an initial ("A.", "A").
    fn first_name_key(&self) -> Option<String> {
        let word = self.given.first()?;
        let key = word_key(word);
        (key.chars().count() > 1 && !word.contains('.')).then_some(key)
    }

    /// Written the way the plan shows names: "Dr Anne Smith" (an all-capitals
    /// word becomes "Smith"; other words keep the export's spelling).
    pub fn display(&self) -> String {
        let title = self.title.as_deref().map(|t| {
            let mut chars = t.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        });
        title
            .into_iter()
            .chain(self.given.iter().chain(&self.surname).map(|w| capitalised(w)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// "Dr", "DR.", "dr" -> "dr"; `None` for a word that is not a title.
fn title_of(word: &str) -> Option<String> {
    let key = word_key(word);
    TITLES.contains(&key.as_str()).then_some(key)
}

/// Lower-case letters and digits of a word: "O'Brien" -> "obrien", "A." -> "a".
fn word_key(word: &str) -> String {
    word.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn is_all_capitals(word: &str) -> bool {
    word.chars().any(char::is_alphabetic) && !word.chars().any(char::is_lowercase)
}

/// Given names and surname of a name written without a comma: the surname is
/// last ("Anne Smith", "Jan van der Berg"), unless it is the one word in
/// capitals before mixed-case given names ("SMITH Anne", as some lists write it).
fn split_surname(words: Vec<String>) -> (Vec<String>, Vec<String>) {
    let capitals_first = words.len() >= 2
        && words[0].chars().filter(|c| c.is_alphabetic()).count() > 1
        && is_all_capitals(&words[0])
        && words[1..].iter().all(|w| !is_all_capitals(w));
    if capitals_first {
        return (words[1..].to_vec(), words[..1].to_vec());
    }
    let mut start = words.len().saturating_sub(1);
    while start > 1 && SURNAME_PARTICLES.contains(&word_key(&words[start - 1]).as_str()) {
        start -= 1;
    }
    (words[..start].to_vec(), words[start..].to_vec())
}

/// "SMITH" -> "Smith", "O'BRIEN" -> "O'Brien"; a word with any lower-case
/// letter, or a single letter ("A."), is kept as written.
fn capitalised(word: &str) -> String {
    if !is_all_capitals(word) || word.chars().filter(|c| c.is_alphabetic()).count() < 2 {
        return word.to_string();
    }
    let mut out = String::with_capacity(word.len());
    let mut start_of_part = true;
    for c in word.chars() {
        if start_of_part {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start_of_part = !c.is_alphabetic();
    }
    out
}

/// Titles that say what someone is, so "Dr Smith" is not taken for "Nurse Smith".
fn titles_conflict(a: &NameParts, b: &NameParts) -> bool {
    let kind = |t: &str| match t {
        "dr" | "doctor" | "prof" | "professor" => 1,
        "nurse" | "sister" | "sr" => 2,
        _ => 0,
    };
    match (a.title.as_deref().map(kind), b.title.as_deref().map(kind)) {
        (Some(x), Some(y)) => x != 0 && y != 0 && x != y,
        _ => false,
    }
}

/// The first given names do not rule each other out: same initial, and the
/// same name when both are written in full ("Anne" is not "Alan").
fn given_names_agree(a: &NameParts, b: &NameParts) -> bool {
    match (a.initial(), b.initial()) {
        (Some(x), Some(y)) if x == y => match (a.first_name_key(), b.first_name_key()) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        },
        _ => false,
    }
}

/// What a name written in an export refers to.
#[derive(Debug, Clone, PartialEq)]
pub enum ClinicianMatch<'a> {
    /// One clinician: by id, by name as written, or by surname and initial.
    Found(&'a Clinician),
    /// Several clinicians fit; the import does not guess between them.
    Ambiguous(Vec<&'a Clinician>),
    /// Nobody fits; the closest names, best first (may be empty).
    Unknown { closest: Vec<&'a Clinician> },
}

impl<'a> ClinicianMatch<'a> {
    pub fn found(&self) -> Option<&'a Clinician> {
        match self {
            ClinicianMatch::Found(c) => Some(c),
            _ => None,
        }
    }

    /// A sentence for a warning or row error about `text`, or `None` when it matched.
    /// "\"Dr Z Smyth\" is not a clinician in the plan (closest: Dr A Smith (GP-SMITH))".
    pub fn problem(&self, text: &str) -> Option<String> {
        let named = |list: &[&Clinician]| list.iter().map(|c| format!("{} ({})", c.name, c.id)).collect::<Vec<_>>();
        match self {
            ClinicianMatch::Found(_) => None,
            ClinicianMatch::Ambiguous(list) => Some(format!(
                "\"{text}\" could be any of {}; write the clinician's id or full name as the plan has it",
                named(list).join(", ")
            )),
            ClinicianMatch::Unknown { closest } if closest.is_empty() => {
                Some(format!("\"{text}\" is not a clinician in the plan"))
            }
            ClinicianMatch::Unknown { closest } => {
                Some(format!("\"{text}\" is not a clinician in the plan (closest: {})", named(closest).join(", ")))
            }
        }
    }
}

/// Finds the clinician `text` names: an exact id (case-insensitive) or name
/// (as `Plan::find_clinician` compares them) first; then surname and first
/// initial, titles and punctuation ignored. A name without given names
/// ("Dr Smith") matches the only clinician with that surname whose title does
/// not say otherwise.
pub fn match_clinician<'a>(clinicians: impl IntoIterator<Item = &'a Clinician>, text: &str) -> ClinicianMatch<'a> {
    let clinicians: Vec<&Clinician> = clinicians.into_iter().collect();
    let text = text.trim();
    if text.is_empty() {
        return ClinicianMatch::Unknown { closest: Vec::new() };
    }
    if let Some(by_id) = clinicians.iter().find(|c| c.id.eq_ignore_ascii_case(text)) {
        return ClinicianMatch::Found(by_id);
    }
    let key = name_key(text);
    let exact: Vec<&Clinician> = clinicians.iter().copied().filter(|c| name_key(&c.name) == key).collect();
    match exact.len() {
        0 => {}
        1 => return ClinicianMatch::Found(exact[0]),
        _ => return ClinicianMatch::Ambiguous(exact),
    }

    let wanted = NameParts::parse(text);
    let surname = wanted.surname_key();
    if surname.is_empty() {
        return ClinicianMatch::Unknown { closest: Vec::new() };
    }
    let parsed: Vec<(&Clinician, NameParts)> = clinicians.iter().map(|c| (*c, NameParts::parse(&c.name))).collect();
    let same_surname: Vec<&(&Clinician, NameParts)> =
        parsed.iter().filter(|(_, p)| p.surname_key() == surname && !titles_conflict(p, &wanted)).collect();
    let fits: Vec<&Clinician> = if wanted.initial().is_none() || same_surname.iter().any(|(_, p)| p.initial().is_none())
    {
        // One side gives no initial: only a surname nobody else has is safe.
        if same_surname.len() == 1 { vec![same_surname[0].0] } else { same_surname.iter().map(|(c, _)| *c).collect() }
    } else {
        same_surname.iter().filter(|(_, p)| given_names_agree(p, &wanted)).map(|(c, _)| *c).collect()
    };
    // "Dr Alan Smith" is the plan's "Dr Alan Smith" rather than its "Dr A Smith".
    let same_first_name: Vec<&Clinician> = match wanted.first_name_key() {
        Some(first) if fits.len() > 1 => fits
            .iter()
            .copied()
            .filter(|c| NameParts::parse(&c.name).first_name_key().as_deref() == Some(first.as_str()))
            .collect(),
        _ => Vec::new(),
    };
    if same_first_name.len() == 1 {
        return ClinicianMatch::Found(same_first_name[0]);
    }
    match fits.len() {
        1 => ClinicianMatch::Found(fits[0]),
        0 => ClinicianMatch::Unknown { closest: closest(&parsed, &wanted) },
        _ => ClinicianMatch::Ambiguous(fits),
    }
}

/// Clinicians whose surname looks like the wanted one, best first.
fn closest<'a>(parsed: &[(&'a Clinician, NameParts)], wanted: &NameParts) -> Vec<&'a Clinician> {
    let surname = wanted.surname_key();
    let mut scored: Vec<(f64, &Clinician)> = parsed
        .iter()
        .map(|(c, p)| {
            let mut score = strsim::jaro_winkler(&p.surname_key(), &surname);
            if p.initial().is_some() && p.initial() == wanted.initial() {
                score += 0.05;
            }
            (score, *c)
        })
        .filter(|(score, _)| *score >= CLOSE_ENOUGH)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    scored.into_iter().take(MAX_CLOSEST).map(|(_, c)| c).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn clinician(id: &str, name: &str) -> Clinician {
        Clinician {
            id: id.into(),
            name: name.into(),
            role: "GP".into(),
            extra_types: vec![],
            excluded_types: vec![],
            daily_cap: None,
        }
    }

    fn found<'a>(list: &'a [Clinician], text: &str) -> Option<&'a str> {
        match_clinician(list, text).found().map(|c| c.id.as_str())
    }

    #[test]
    fn parses_the_forms_exports_use() {
        let p = NameParts::parse("SMITH, Anne (Dr)");
        assert_eq!(
            (p.title.as_deref(), p.given.clone(), p.surname.clone()),
            (Some("dr"), vec!["Anne".to_string()], vec!["SMITH".to_string()])
        );
        assert_eq!(p.display(), "Dr Anne Smith");
        assert_eq!(NameParts::parse("DR A. SMITH").display(), "Dr A. Smith");
        assert_eq!(NameParts::parse("Dr Jan van der Berg").surname_key(), "vanderberg");
        assert_eq!(NameParts::parse("VAN DER BERG, Jan").surname_key(), "vanderberg");
        assert_eq!(NameParts::parse("O'BRIEN, Zoë (Sister)").display(), "Sister Zoë O'Brien");
        assert_eq!(NameParts::parse("SMITH Anne").surname_key(), "smith");
        assert_eq!(NameParts::parse("Smith-Jones, A (Locum)").display(), "A Smith-Jones");
        assert_eq!(NameParts::parse("Sam Reed").display(), "Sam Reed");
        assert_eq!(NameParts::parse("  ").surname_key(), "");
    }

    #[test]
    fn other_forms_match_dr_a_smith() {
        let list = [clinician("GP-SMITH", "Dr A Smith"), clinician("GP-OKAFOR", "Dr C Okafor")];
        for text in
            ["SMITH, Anne (Dr)", "Dr Anne Smith", "Dr A. Smith", "DR A SMITH", "smith, a", "Anne Smith", "gp-smith"]
        {
            assert_eq!(found(&list, text), Some("GP-SMITH"), "{text}");
        }
        assert_eq!(found(&list, "Dr Smith"), Some("GP-SMITH"), "the only Smith");
        assert_eq!(found(&list, "Dr B Smith"), None, "another initial is another person");
        assert_eq!(found(&list, "Nurse Smith"), None, "a nurse is not the doctor");
    }

    #[test]
    fn full_names_must_agree_when_both_are_written() {
        let list = [clinician("GP-SMITH", "Dr Anne Smith")];
        assert_eq!(found(&list, "SMITH, Anne (Dr)"), Some("GP-SMITH"));
        assert_eq!(found(&list, "Dr A Smith"), Some("GP-SMITH"));
        assert_eq!(found(&list, "Dr Alan Smith"), None);
    }

    #[test]
    fn two_who_fit_are_not_guessed() {
        let list = [clinician("GP-SMITH", "Dr A Smith"), clinician("GP-SMITH-A", "Dr Alan Smith")];
        let m = match_clinician(&list, "SMITH, A (Dr)");
        assert!(matches!(&m, ClinicianMatch::Ambiguous(l) if l.len() == 2), "{m:?}");
        assert!(m.problem("SMITH, A (Dr)").unwrap().contains("GP-SMITH-A"));
        // Written in full, the one with that first name.
        assert_eq!(found(&list, "Dr Alan Smith"), Some("GP-SMITH-A"));
        assert_eq!(found(&list, "SMITH, Alan (Dr)"), Some("GP-SMITH-A"));
        assert_eq!(found(&list, "Dr Adam Smith"), Some("GP-SMITH"), "not Alan");
        // Two clinicians with the very same name.
        let twins = [clinician("GP-SMITH", "Dr A Smith"), clinician("GP-SMITH-2", "Dr A Smith")];
        assert!(matches!(match_clinician(&twins, "Dr A Smith"), ClinicianMatch::Ambiguous(_)));
        assert_eq!(found(&twins, "GP-SMITH-2"), Some("GP-SMITH-2"), "an id is exact");
        assert!(matches!(match_clinician(&twins, "Dr Smith"), ClinicianMatch::Ambiguous(_)));
    }

    #[test]
    fn unknown_names_come_with_the_closest() {
        let list = [
            clinician("GP-SMITH", "Dr A Smith"),
            clinician("GP-OKAFOR", "Dr C Okafor"),
            clinician("PN-HUGHES", "Nurse B Hughes"),
        ];
        let m = match_clinician(&list, "Dr A Smyth");
        let ClinicianMatch::Unknown { closest } = &m else { panic!("{m:?}") };
        assert_eq!(closest.first().map(|c| c.id.as_str()), Some("GP-SMITH"));
        assert!(!closest.iter().any(|c| c.id == "PN-HUGHES"), "{closest:?}");
        assert_eq!(
            m.problem("Dr A Smyth").unwrap(),
            "\"Dr A Smyth\" is not a clinician in the plan (closest: Dr A Smith (GP-SMITH))"
        );
        let nobody = match_clinician(&list, "Dr Q Zebedee");
        assert_eq!(nobody, ClinicianMatch::Unknown { closest: vec![] });
        assert_eq!(nobody.problem("Dr Q Zebedee").unwrap(), "\"Dr Q Zebedee\" is not a clinician in the plan");
        assert_eq!(match_clinician(&list, ""), ClinicianMatch::Unknown { closest: vec![] });
        assert_eq!(match_clinician(&list, "(Dr)"), ClinicianMatch::Unknown { closest: vec![] });
    }
}
