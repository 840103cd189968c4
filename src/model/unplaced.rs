//! Why an appointment is not booked, kept in the plan file as data (dates,
//! clinician ids, counts) and put into words only where it is shown: the
//! window, printed lists, exports and the report all call
//! [`UnplacedReason::describe`], so a clinician's new name or a fix to the
//! wording reaches every saved plan.
//!
//! Plans saved before reasons were data hold them as text
//! (`Unplaced(reason: "no GP session ...")`); those still load, as
//! [`UnplacedReason::Other`], and read as they did.

use super::{DaySpec, Mode, ModeRequirement, PartOfDay, Plan, Unavailability};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

/// Why an appointment is not booked.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub enum UnplacedReason {
    /// Not looked at yet: the next solve (or `explain_all`) says why.
    #[default]
    NotExplained,
    /// No longer in the clinical system's list (a re-import set it aside).
    Withdrawn,
    /// The patient declined the session they were offered.
    DeclinedOffer { date: NaiveDate, part: PartOfDay },
    /// Its session was cancelled: the clinician (id) is absent.
    SessionCancelled { clinician: String },
    /// The clinical system changed these details, and the booking no longer fitted.
    DetailsChanged { fields: Vec<String> },
    /// Its type is not in the plan's catalogue.
    UnknownType { appointment_type: String },
    /// The type is never offered in the mode the patient needs.
    ModeNeverOffered { appointment_type: String, needs: ModeRequirement },
    /// The clinician (id) the patient must see does not see this type.
    RequiredDoesNotSee { clinician: String, appointment_type: String },
    /// The first constraint that leaves no session with room; `patient_limited`:
    /// the patient's own limits (earliest date, days they cannot attend,
    /// declined sessions) ruled out some of the sessions.
    NoRoom { patient_limited: bool, binding: Binding },
    /// Words saved by an older version of Rebook, shown as they were.
    Other(String),
}

/// As stored: the data, or the words of a plan saved before reasons were data.
#[derive(Deserialize)]
#[serde(untagged)]
enum Stored {
    #[serde(with = "UnplacedReason")]
    Data(UnplacedReason),
    Text(String),
}

impl Serialize for UnplacedReason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        UnplacedReason::serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for UnplacedReason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Stored::deserialize(deserializer)? {
            Stored::Data(reason) => reason,
            // An empty reason was how "not explained yet" used to be saved.
            Stored::Text(text) if text.trim().is_empty() => UnplacedReason::NotExplained,
            Stored::Text(text) => UnplacedReason::Other(text),
        })
    }
}

/// A session as named in words: date, part of the day and clinician (id).
/// A tuple, not a struct: a reason is stored without type names, so a plan
/// saved with words in their place still reads (see `Stored`).
pub type SessionRef = (NaiveDate, PartOfDay, String);

/// The first constraint, checked in the order a person would, that leaves no
/// running session for an appointment. `mode`: the one mode allowed, when only
/// one is; `roles`: those that see the type (or the type's name when none is
/// listed); `with`: the clinician (id) the patient must see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Binding {
    /// No session runs at all.
    NoSession,
    /// Every session is before the patient's earliest date.
    EarliestDate(NaiveDate),
    /// Every session left is on one of these days or half-days.
    CannotAttend(Vec<(DaySpec, Option<PartOfDay>)>),
    /// Every session left is one the patient declined.
    DeclinedAll,
    /// The required clinician (id) has no session left.
    RequiredClinician(String),
    /// No session left is in a mode the patient and the type allow.
    Mode { mode: Option<Mode>, with: Option<String> },
    /// No session left is with a clinician whose role sees the type.
    Role { mode: Option<Mode>, roles: Vec<String>, with: Option<String> },
    /// No session left has this many usable slots.
    TooSmall { mode: Option<Mode>, roles: Vec<String>, with: Option<String>, slots: u32 },
    /// This session could still take it (a re-plan would place it).
    Room(SessionRef),
    /// Every suitable session is full, or the patient or clinician is booked up
    /// that day: of `sessions` suitable ones, `full` have no room (the first
    /// named), holding `work` (priority class, appointments), most urgent first;
    /// `busy` are on a day the patient already has an appointment, `capped` at
    /// the clinician's daily cap.
    Full {
        mode: Option<Mode>,
        roles: Vec<String>,
        with: Option<String>,
        sessions: usize,
        full: usize,
        first_full: Option<SessionRef>,
        work: Vec<(String, usize)>,
        busy: usize,
        capped: usize,
    },
}

impl UnplacedReason {
    /// In words a practice manager understands, the same in the window, on
    /// paper, in exports and in the report (empty when not explained yet).
    pub fn describe(&self, plan: &Plan) -> String {
        match self {
            UnplacedReason::NotExplained => String::new(),
            UnplacedReason::Withdrawn => "no longer in the clinical system's list".to_string(),
            UnplacedReason::DeclinedOffer { date, part } => {
                format!("declined {} {}", date.format("%a %d/%m/%Y"), part.label())
            }
            UnplacedReason::SessionCancelled { clinician } => {
                format!("session cancelled: {} absent", clinician_name(plan, clinician))
            }
            UnplacedReason::DetailsChanged { fields } => {
                format!("details changed in the clinical system ({}): to be re-planned", fields.join("; "))
            }
            UnplacedReason::UnknownType { appointment_type } => {
                format!("Appointment type \"{appointment_type}\" is not in the catalogue")
            }
            UnplacedReason::ModeNeverOffered { appointment_type, needs } => format!(
                "{appointment_type} is never done {}, but the patient needs {}: change the mode or the type",
                if *needs == ModeRequirement::Telephone { "by telephone" } else { "face-to-face" },
                needs.label().to_lowercase()
            ),
            UnplacedReason::RequiredDoesNotSee { clinician, appointment_type } => {
                format!("{} (required) does not see {appointment_type}", clinician_name(plan, clinician))
            }
            UnplacedReason::NoRoom { patient_limited, binding } => {
                let mut text = capitalise(&binding.words(plan, *patient_limited, None));
                if matches!(binding, Binding::Room(_)) {
                    text.push_str(": re-plan to place it");
                }
                text
            }
            UnplacedReason::Other(text) => text.clone(),
        }
    }

    pub fn is_explained(&self) -> bool {
        *self != UnplacedReason::NotExplained
    }
}

impl Binding {
    /// The cause in words, without a leading capital. `target` names the date
    /// the appointment should have been seen by ("the target (Tue 23 Jul)")
    /// for a late one; `None` for an unplaced one (any date in the plan).
    pub fn words(&self, plan: &Plan, patient_limited: bool, target: Option<&str>) -> String {
        let by = match target {
            Some(target) => format!("by {target}"),
            None => "in the plan".to_string(),
        };
        let can = if patient_limited { " the patient can attend" } else { "" };
        let with = |clinician: &Option<String>| {
            clinician.as_deref().map(|c| format!(" with {}", clinician_name(plan, c))).unwrap_or_default()
        };
        let kind = |mode: &Option<Mode>, roles: &[String]| format!("{}{}", mode_word(*mode), roles.join(" or "));
        match self {
            Binding::NoSession => match target {
                Some(_) => format!("no session runs {by}"),
                None => "no session runs in the horizon".to_string(),
            },
            Binding::EarliestDate(earliest) => match target {
                Some(target) => format!("the patient's earliest date is {}, after {target}", day_label(*earliest)),
                None => format!("the patient's earliest date is {}, after the last session", day_label(*earliest)),
            },
            Binding::CannotAttend(days) => {
                let days: Vec<String> = days.iter().map(|&(day, part)| Unavailability { day, part }.label()).collect();
                format!("every session {by} is when the patient cannot attend ({})", days.join(", "))
            }
            Binding::DeclinedAll => format!("the patient declined every session they could attend {by}"),
            Binding::RequiredClinician(c) => {
                format!("{} (required) has no session{can} {by}", clinician_name(plan, c))
            }
            Binding::Mode { mode, with: required } => {
                format!("no {} session{}{can} {by}", mode_word(*mode).trim_end(), with(required))
            }
            Binding::Role { mode, roles, with: required } => {
                format!("no {} session{}{can} {by}", kind(mode, roles), with(required))
            }
            Binding::TooSmall { mode, roles, with: required, slots } => format!(
                "every {} session{}{can} {by} has fewer than {slots} usable {} after the reserve",
                kind(mode, roles),
                with(required),
                if *slots == 1 { "slot" } else { "slots" }
            ),
            Binding::Room(session) => format!("{} still has room", session_words(plan, session)),
            Binding::Full { mode, roles, with: required, sessions, full, first_full, work, busy, capped } => {
                let what = format!("{} session{}{can} {by}", kind(mode, roles), with(required));
                let first = first_full.as_ref().map(|s| session_words(plan, s)).unwrap_or_default();
                crowded_words(&what, *sessions, *full, &first, work, *busy, *capped)
            }
        }
    }
}

/// "Mon 22 Jul AM with Dr A Patel".
pub fn session_words(plan: &Plan, (date, part, clinician): &SessionRef) -> String {
    format!("{} {} with {}", day_label(*date), part.label(), clinician_name(plan, clinician))
}

/// "the 3 telephone GP sessions ... are full with 14 urgent and 6 soon
/// appointments; 1 session is on a day the patient already has an appointment".
fn crowded_words(
    what: &str,
    sessions: usize,
    full: usize,
    first: &str,
    work: &[(String, usize)],
    busy: usize,
    capped: usize,
) -> String {
    let mut parts = Vec::new();
    let all = full == sessions;
    if full > 0 {
        let mut text = match (full, all) {
            (1, true) => format!("the only {what}, {first}, is full"),
            (1, false) => format!("{first} is full"),
            (n, true) => format!("the {n} {} are all full", what.replacen(" session", " sessions", 1)),
            (n, false) => format!("{n} of the {sessions} {} are full", what.replacen(" session", " sessions", 1)),
        };
        if work.is_empty() {
            text.push_str(" (no usable slots left)");
        } else {
            let listed: Vec<String> = work.iter().map(|(class, n)| format!("{n} {class}")).collect();
            let total: usize = work.iter().map(|(_, n)| n).sum();
            let noun = if total == 1 { "appointment" } else { "appointments" };
            text.push_str(&format!(" with {} {noun}", join_and(&listed)));
        }
        parts.push(text);
    }
    let lead = |n: usize| if full == 0 && n == sessions { "all " } else { "" };
    if busy > 0 {
        parts.push(format!(
            "{}{busy} {} on {} the patient already has an appointment",
            lead(busy),
            if busy == 1 { "session is" } else { "sessions are" },
            if busy == 1 { "a day" } else { "days" }
        ));
    }
    if capped > 0 {
        parts.push(format!(
            "{}{capped} {} at the clinician's daily cap",
            lead(capped),
            if capped == 1 { "session is" } else { "sessions are" }
        ));
    }
    parts.join("; ")
}

/// "telephone " when only that mode is allowed, "" when either is.
fn mode_word(mode: Option<Mode>) -> &'static str {
    match mode {
        Some(Mode::FaceToFace) => "face-to-face ",
        Some(Mode::Telephone) => "telephone ",
        None => "",
    }
}

fn clinician_name(plan: &Plan, id: &str) -> String {
    plan.clinician(id).map_or_else(|| id.to_string(), |c| c.name.clone())
}

/// "Wed 24 Jul": how dates read in explanations and summaries.
pub fn day_label(date: NaiveDate) -> String {
    date.format("%a %-d %b").to_string()
}

/// "a", "a and b", "a, b and c".
pub fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The text with its first letter in upper case.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{Booking, Outcome, test_date};

    fn booking_with(reason: UnplacedReason) -> Booking {
        Booking {
            appointment_id: "A1".into(),
            outcome: Outcome::Unplaced { reason },
            pinned: false,
            contact: Default::default(),
            explanation: String::new(),
            changed: None,
        }
    }

    /// A plan saved before reasons were data: its words load and read as before;
    /// an empty reason is "not explained yet".
    #[test]
    fn old_plan_files_with_reasons_in_words_still_load() {
        let old = r#"[
            (appointment_id: "A1", outcome: Unplaced(reason: "no GP session with a free slot before the see-by date")),
            (appointment_id: "A2", outcome: Unplaced(reason: "")),
            (appointment_id: "A3", outcome: Unplaced(reason: "declined Mon 22/07/2024 AM"), contact: Declined),
        ]"#;
        let bookings: Vec<Booking> = ron::from_str(old).unwrap();
        let plan = Plan::new("P");
        let reasons: Vec<UnplacedReason> = bookings
            .iter()
            .map(|b| match &b.outcome {
                Outcome::Unplaced { reason } => reason.clone(),
                Outcome::Placed { .. } => panic!("placed"),
            })
            .collect();
        assert_eq!(
            reasons,
            [
                UnplacedReason::Other("no GP session with a free slot before the see-by date".into()),
                UnplacedReason::NotExplained,
                UnplacedReason::Other("declined Mon 22/07/2024 AM".into()),
            ]
        );
        assert_eq!(reasons[0].describe(&plan), "no GP session with a free slot before the see-by date");
    }

    #[test]
    fn new_reasons_round_trip_as_data() {
        let session: SessionRef = (test_date(2024, 7, 22), PartOfDay::AM, "GP-PATEL".into());
        let roles = vec!["GP".to_string(), "ANP".to_string()];
        let no_room = |binding| UnplacedReason::NoRoom { patient_limited: true, binding };
        let reasons = [
            UnplacedReason::NotExplained,
            UnplacedReason::Withdrawn,
            UnplacedReason::DeclinedOffer { date: test_date(2024, 7, 22), part: PartOfDay::PM },
            UnplacedReason::SessionCancelled { clinician: "GP-PATEL".into() },
            UnplacedReason::DetailsChanged { fields: vec!["type".into(), "mode".into()] },
            UnplacedReason::UnknownType { appointment_type: "Chiropody".into() },
            UnplacedReason::ModeNeverOffered {
                appointment_type: "Nurse bloods".into(),
                needs: ModeRequirement::Telephone,
            },
            UnplacedReason::RequiredDoesNotSee { clinician: "GP-PATEL".into(), appointment_type: "Smear".into() },
            no_room(Binding::NoSession),
            no_room(Binding::EarliestDate(test_date(2024, 7, 26))),
            no_room(Binding::CannotAttend(vec![
                (DaySpec::Weekday(chrono::Weekday::Mon), None),
                (DaySpec::Date(test_date(2024, 7, 23)), Some(PartOfDay::PM)),
            ])),
            no_room(Binding::DeclinedAll),
            no_room(Binding::RequiredClinician("GP-PATEL".into())),
            no_room(Binding::Mode { mode: Some(Mode::Telephone), with: Some("GP-PATEL".into()) }),
            no_room(Binding::Role { mode: None, roles: roles.clone(), with: None }),
            no_room(Binding::TooSmall { mode: None, roles: roles.clone(), with: None, slots: 2 }),
            no_room(Binding::Room(session.clone())),
            no_room(Binding::Full {
                mode: Some(Mode::Telephone),
                roles,
                with: None,
                sessions: 2,
                full: 2,
                first_full: Some(session),
                work: vec![("urgent".into(), 2)],
                busy: 1,
                capped: 0,
            }),
            UnplacedReason::Other("as an older version wrote it".into()),
        ];
        // As the plan file writes: with struct names.
        let config = ron::ser::PrettyConfig::default().struct_names(true);
        for reason in reasons {
            let booking = booking_with(reason);
            let text = ron::ser::to_string_pretty(&booking, config.clone()).unwrap();
            assert!(!text.contains("reason: \""), "saved as data, not words: {text}");
            let back: Booking = ron::from_str(&text).unwrap();
            assert_eq!(back, booking, "{text}");
        }
    }

    #[test]
    fn reasons_read_in_words_with_the_plans_names() {
        let mut plan = Plan::new("P");
        plan.clinicians.push(crate::test_plans::clinician("GP-PATEL", "Dr A Patel", "GP"));
        let session: SessionRef = (test_date(2024, 7, 22), PartOfDay::AM, "GP-PATEL".into());
        let full = UnplacedReason::NoRoom {
            patient_limited: false,
            binding: Binding::Full {
                mode: Some(Mode::Telephone),
                roles: vec!["GP".into()],
                with: None,
                sessions: 2,
                full: 2,
                first_full: Some(session.clone()),
                work: vec![("urgent".into(), 2)],
                busy: 0,
                capped: 0,
            },
        };
        assert_eq!(
            full.describe(&plan),
            "The 2 telephone GP sessions in the plan are all full with 2 urgent appointments"
        );
        let room = UnplacedReason::NoRoom { patient_limited: false, binding: Binding::Room(session) };
        assert_eq!(room.describe(&plan), "Mon 22 Jul AM with Dr A Patel still has room: re-plan to place it");
        let cancelled = UnplacedReason::SessionCancelled { clinician: "GP-PATEL".into() };
        assert_eq!(cancelled.describe(&plan), "session cancelled: Dr A Patel absent");
        let declined = UnplacedReason::DeclinedOffer { date: test_date(2024, 7, 22), part: PartOfDay::AM };
        assert_eq!(declined.describe(&plan), "declined Mon 22/07/2024 AM");
        assert_eq!(UnplacedReason::Withdrawn.describe(&plan), "no longer in the clinical system's list");
        assert_eq!(UnplacedReason::NotExplained.describe(&plan), "");
    }
}
