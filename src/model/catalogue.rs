//! The default catalogue a new plan starts with: the roles and appointment
//! types of a typical English GP practice, named as clinical-system exports name them,
//! and the suggestions that map a practice's own slot-type names onto a catalogue.

use super::{AppointmentType, Mode, name_key};

pub const GP: &str = "GP";
pub const ANP: &str = "ANP";
pub const NURSE: &str = "Practice nurse";
pub const HCA: &str = "HCA";
pub const PHARMACIST: &str = "Pharmacist";

/// The practice name of a plan nobody has named yet: never sent to patients
/// (the SMS export refuses a plan that still has it).
pub const PLACEHOLDER_PRACTICE: &str = "New practice";

pub fn default_roles() -> Vec<String> {
    [GP, ANP, NURSE, HCA, PHARMACIST].iter().map(|r| r.to_string()).collect()
}

pub fn default_appointment_types() -> Vec<AppointmentType> {
    use Mode::{FaceToFace as F, Telephone as T};
    let t = |name: &str, roles: &[&str], slots: u32, modes: &[Mode]| AppointmentType {
        name: name.to_string(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        default_slots: slots,
        modes: modes.to_vec(),
        default_priority: None,
    };
    let with_priority = |mut kind: AppointmentType, priority: &str| {
        kind.default_priority = Some(priority.to_string());
        kind
    };
    vec![
        t("GP routine", &[GP], 1, &[F, T]),
        with_priority(t("GP urgent", &[GP, ANP], 1, &[F, T]), "Urgent"),
        t("GP review", &[GP], 1, &[F, T]),
        t("GP double", &[GP], 2, &[F]),
        with_priority(t("Minor illness", &[ANP, GP], 1, &[F, T]), "Soon"),
        t("Nurse bloods", &[NURSE, HCA], 1, &[F]),
        t("Nurse chronic disease review", &[NURSE], 2, &[F]),
        t("Cervical screening", &[NURSE], 1, &[F]),
        t("Vaccination", &[NURSE, HCA], 1, &[F]),
        t("Wound dressing", &[NURSE], 1, &[F]),
        t("HCA blood pressure", &[HCA, NURSE], 1, &[F]),
        t("Pharmacist medication review", &[PHARMACIST], 1, &[F, T]),
    ]
}

/// Why a practice's own type could not be added to the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypeLikeError {
    #[error("a new appointment type needs a name")]
    NoName,
    #[error("\"{like}\" is not a type of the plan's catalogue; choose one of: {known}")]
    UnknownModel { like: String, known: String },
}

/// A new catalogue type for a practice's own slot type that no catalogue
/// type means: named `name`, seen and booked like `like` (its roles, slots,
/// modes and default priority).
pub fn type_like(types: &[AppointmentType], name: &str, like: &str) -> Result<AppointmentType, TypeLikeError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(TypeLikeError::NoName);
    }
    let model = types.iter().find(|t| name_key(&t.name) == name_key(like)).ok_or_else(|| {
        let known: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
        TypeLikeError::UnknownModel { like: like.to_string(), known: known.join(", ") }
    })?;
    Ok(AppointmentType { name: name.to_string(), ..model.clone() })
}

/// Words practices use in their own slot-type names, and the default
/// catalogue type they mean. Checked in order, so the more specific phrase
/// ("blood pressure", "med review") comes before the word it contains.
const KEYWORDS: &[(&[&str], &str)] = &[
    (&["smear", "smears", "cervical", "cytology", "ccs", "pap"], "Cervical screening"),
    (&["blood pressure", "bp", "bp check", "hypertension"], "HCA blood pressure"),
    (&["bloods", "blood", "blood test", "phlebotomy", "phleb", "venepuncture", "inr"], "Nurse bloods"),
    (
        &["med review", "meds review", "medication review", "medicines review", "smr", "pharmacist", "pharmacy"],
        "Pharmacist medication review",
    ),
    (&["urgent", "emergency", "on the day", "otd", "same day", "sameday", "acute", "duty", "triage"], "GP urgent"),
    (&["double", "dbl", "20 min", "20 mins", "20min", "extended"], "GP double"),
    (&["minor illness", "minor illnesses", "minor ailment", "minor ailments", "anp"], "Minor illness"),
    (
        &["vaccination", "vaccine", "vacc", "vaccs", "immunisation", "immunisations", "imms", "flu", "covid", "jab"],
        "Vaccination",
    ),
    (&["wound", "dressing", "dressings", "suture", "sutures", "stitches", "ulcer"], "Wound dressing"),
    (
        &["chronic", "asthma", "copd", "diabetes", "diabetic", "ltc", "long term", "annual review", "chd"],
        "Nurse chronic disease review",
    ),
    (&["review", "follow up", "followup", "results"], "GP review"),
    (&["routine", "gp", "10 min", "10 mins", "book on the day", "pre bookable", "prebook", "doctor"], "GP routine"),
];

/// Below this Jaro-Winkler similarity a catalogue name is not offered.
const SIMILAR_ENOUGH: f64 = 0.85;

/// The catalogue type a practice's own type name most likely means: a known
/// word or phrase in it ("Smear" -> Cervical screening, "On the Day" -> GP
/// urgent), else the most similar catalogue name. Only names in `types` are
/// suggested; `None` when nothing is close.
pub fn suggest_type(local: &str, types: &[AppointmentType]) -> Option<String> {
    if let Some(exact) = types.iter().find(|t| name_key(&t.name) == name_key(local)) {
        return Some(exact.name.clone());
    }
    let words: String = local.to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    let padded = format!(" {} ", words.split_whitespace().collect::<Vec<_>>().join(" "));
    let in_catalogue = |name: &str| types.iter().find(|t| t.name.eq_ignore_ascii_case(name)).map(|t| t.name.clone());
    for (phrases, target) in KEYWORDS {
        if phrases.iter().any(|p| padded.contains(&format!(" {p} ")))
            && let Some(name) = in_catalogue(target)
        {
            return Some(name);
        }
    }
    let key = name_key(local);
    types
        .iter()
        .map(|t| (strsim::jaro_winkler(&key, &name_key(&t.name)), &t.name))
        .filter(|(score, _)| *score >= SIMILAR_ENOUGH)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name.clone())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_type_names_known_roles_and_modes() {
        let roles = default_roles();
        let priorities: Vec<String> = super::super::Rules::default().priorities.into_iter().map(|p| p.name).collect();
        for t in default_appointment_types() {
            assert!(!t.roles.is_empty() && !t.modes.is_empty(), "{}", t.name);
            assert!(t.roles.iter().all(|r| roles.contains(r)), "{}", t.name);
            assert!(t.default_slots >= 1);
            assert!(t.default_priority.as_ref().is_none_or(|p| priorities.contains(p)), "{}", t.name);
        }
    }

    #[test]
    fn every_keyword_target_is_in_the_default_catalogue() {
        let types = default_appointment_types();
        for (_, target) in KEYWORDS {
            assert!(types.iter().any(|t| t.name == *target), "{target}");
        }
    }

    #[test]
    fn suggests_from_the_words_practices_use() {
        let types = default_appointment_types();
        let cases = [
            ("Smear", "Cervical screening"),
            ("Bloods", "Nurse bloods"),
            ("Phlebotomy", "Nurse bloods"),
            ("Blood Test", "Nurse bloods"),
            ("BP check", "HCA blood pressure"),
            ("Urgent GP", "GP urgent"),
            ("Emergency", "GP urgent"),
            ("On the Day", "GP urgent"),
            ("Med Review", "Pharmacist medication review"),
            ("Double Appt", "GP double"),
            ("GP 10 min", "GP routine"),
            ("Flu Clinic", "Vaccination"),
            ("Dressings", "Wound dressing"),
            ("Asthma Review", "Nurse chronic disease review"),
            ("Minor Illness ANP", "Minor illness"),
            ("gp_routine", "GP routine"),
            ("Nurse blods", "Nurse bloods"),
        ];
        for (local, expected) in cases {
            assert_eq!(suggest_type(local, &types).as_deref(), Some(expected), "{local}");
        }
        assert_eq!(suggest_type("Xylophone lessons", &types), None);
    }

    #[test]
    fn a_new_type_is_served_like_its_model() {
        let types = default_appointment_types();
        let travel = type_like(&types, " Travel clinic ", "vaccination").unwrap();
        assert_eq!(travel.name, "Travel clinic");
        assert_eq!((travel.roles, travel.modes), (vec![NURSE.to_string(), HCA.to_string()], vec![Mode::FaceToFace]));
        assert!(type_like(&types, "Travel clinic", "Astrology").unwrap_err().to_string().contains("GP routine"));
        assert!(type_like(&types, " ", "Vaccination").is_err());
    }

    #[test]
    fn suggests_only_types_the_plan_has() {
        let types: Vec<AppointmentType> =
            default_appointment_types().into_iter().filter(|t| t.name != "Cervical screening").collect();
        assert_ne!(suggest_type("Smear", &types).as_deref(), Some("Cervical screening"));
    }
}
