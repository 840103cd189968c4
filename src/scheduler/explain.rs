//! Why each appointment is where it is, in words a practice manager understands:
//! "with usual clinician, 1 day before target", "3 days late: no earlier
//! telephone GP slot free (2 eligible sessions before the target, full with
//! 14 urgent appointments)", or for an unplaced one the binding reason: no
//! eligible session at all (saying which constraint rules them out) or the
//! eligible sessions full (saying how many, and with what).

use super::cost::{Ineligible, check_eligible, deadline, horizon_start, placement_cost};
use super::usage::{Blocked, EligibleIndex, Usage, base_item, base_signature, signature};
use crate::model::{BacklogItem, Booking, Continuity, ModeRequirement, Outcome, Plan, Session};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// Why an item a re-import no longer found is not planned.
pub const WITHDRAWN_REASON: &str = "no longer in the clinical system's list";

/// Fills `explanation` of every placed booking, and the reason of every
/// unplaced booking whose reason is empty (a reason set by an edit, such as
/// "declined ..." or "session cancelled ...", is kept).
pub fn explain_all(plan: &Plan, bookings: &mut [Booking]) {
    let mut explainer = Explainer::new(plan, bookings);
    for booking in bookings.iter_mut() {
        match &mut booking.outcome {
            Outcome::Placed { .. } => {
                if let Some(text) = explainer.placed(booking) {
                    booking.explanation = text;
                }
            }
            Outcome::Unplaced { reason } if reason.is_empty() && plan.is_withdrawn(&booking.appointment_id) => {
                *reason = WITHDRAWN_REASON.to_string();
                booking.explanation = WITHDRAWN_REASON.to_string();
            }
            Outcome::Unplaced { reason } if reason.is_empty() => {
                if let Some(text) = explainer.unplaced(&booking.appointment_id) {
                    *reason = text.clone();
                    booking.explanation = text;
                }
            }
            Outcome::Unplaced { reason } => booking.explanation = reason.clone(),
        }
    }
}

/// "Wed 24 Jul": how dates read in explanations and summaries.
pub fn day_label(date: NaiveDate) -> String {
    date.format("%a %-d %b").to_string()
}

/// "1 day", "3 days".
pub fn days(n: i64) -> String {
    if n == 1 { "1 day".to_string() } else { format!("{n} days") }
}

/// Explanations for one set of bookings; build once, ask for many.
pub struct Explainer<'p> {
    plan: &'p Plan,
    items: HashMap<&'p str, &'p BacklogItem>,
    usage: Usage<'p>,
    index: EligibleIndex<'p>,
    /// Appointments placed in each session (index into `plan.sessions`), counted by priority rank.
    occupant_ranks: Vec<BTreeMap<usize, usize>>,
    /// Lower-case priority name of each rank, as "full with 3 urgent appointments" says it.
    rank_names: BTreeMap<usize, String>,
    start: Option<NaiveDate>,
    no_session_cache: HashMap<String, String>,
}

impl<'p> Explainer<'p> {
    pub fn new(plan: &'p Plan, bookings: &[Booking]) -> Explainer<'p> {
        let items: HashMap<&str, &BacklogItem> = plan.backlog.iter().map(|b| (b.id.as_str(), b)).collect();
        let usage = Usage::of_bookings(plan, bookings, None);
        let mut occupant_ranks = vec![BTreeMap::new(); plan.sessions.len()];
        let mut rank_names = BTreeMap::new();
        for booking in bookings {
            if let (Some(item), Some(idx)) =
                (items.get(booking.appointment_id.as_str()), booking.session().and_then(|s| usage.index(s)))
            {
                let rank = plan.rules.priority_rank(&item.priority);
                *occupant_ranks[idx].entry(rank).or_insert(0) += 1;
                rank_names.entry(rank).or_insert_with(|| item.priority.to_lowercase());
            }
        }
        Explainer {
            plan,
            items,
            usage,
            index: EligibleIndex::new(plan),
            occupant_ranks,
            rank_names,
            start: horizon_start(plan),
            no_session_cache: HashMap::new(),
        }
    }

    /// Why a placed booking is where it is; None when the booking is not placed
    /// or names an unknown appointment or session.
    pub fn placed(&mut self, booking: &Booking) -> Option<String> {
        let item = *self.items.get(booking.appointment_id.as_str())?;
        let idx = self.usage.index(booking.session()?)?;
        let plan = self.plan;
        let session = &plan.sessions[idx];
        let cost = placement_cost(plan, item, session);
        let mut parts = Vec::new();
        if booking.pinned {
            parts.push("pinned by hand".to_string());
        } else if booking.contact == crate::model::ContactStatus::Confirmed {
            parts.push("confirmed by the patient".to_string());
        }
        // Judge the alternatives without this appointment's own slot.
        self.usage.remove(item, idx);
        match &item.continuity {
            Continuity::Required(c) => parts.push(format!("with {} (required)", self.clinician_name(c))),
            Continuity::Preferred(c) if *c == session.clinician => parts.push("with usual clinician".to_string()),
            Continuity::Preferred(c) => parts.push(self.continuity_missed(item, c, session)),
            Continuity::None => {}
        }
        match cost.slack_days {
            Some(slack) if slack > 0 => parts.push(format!("{} before target", days(slack))),
            Some(0) => parts.push("on the target day".to_string()),
            Some(slack) => parts.push(format!("{} late: {}", days(-slack), self.why_late(item))),
            None => {}
        }
        if cost.preference_missed
            && let Some(part) = item.preferred_part
        {
            parts.push(format!("not in the preferred {}", part.label()));
        }
        self.usage.add(item, idx);
        if parts.is_empty() {
            parts.push(format!("with {}", self.clinician_name(&session.clinician)));
        }
        Some(capitalise(&parts.join(", ")))
    }

    /// The binding reason an appointment could not be placed; None for an unknown id.
    pub fn unplaced(&mut self, appointment_id: &str) -> Option<String> {
        let item = *self.items.get(appointment_id)?;
        let plan = self.plan;
        if plan.appointment_type(&item.appointment_type).is_none() {
            return Some(format!("Appointment type \"{}\" is not in the catalogue", item.appointment_type));
        }
        if let Some(kind) = plan.appointment_type(&item.appointment_type)
            && !kind.modes.iter().any(|m| item.mode.allows(*m))
        {
            return Some(format!(
                "{} is never done {}, but the patient needs {}: change the mode or the type",
                kind.name,
                if item.mode == ModeRequirement::Telephone { "by telephone" } else { "face-to-face" },
                item.mode.label().to_lowercase()
            ));
        }
        let eligible = self.index.eligible(item);
        if eligible.is_empty() {
            return Some(capitalise(&self.no_session_at_all(item)));
        }
        if let Some(&free) = eligible.iter().find(|&&i| self.usage.check(item, i).is_ok()) {
            return Some(format!(
                "Not placed although {} still has room: re-plan to place it",
                self.session_words(&plan.sessions[free])
            ));
        }
        let mut parts = Vec::new();
        if let Some(deadline) = self.deadline(item)
            && !eligible.iter().any(|&i| plan.sessions[i].date <= deadline)
        {
            parts.push(format!("no {} before {}", self.need(item), self.target_words(item)));
        }
        parts.push(self.blocked_summary(item, &eligible, "eligible sessions"));
        Some(capitalise(&parts.join("; ")))
    }

    /// Why a late appointment could not go earlier.
    fn why_late(&mut self, item: &BacklogItem) -> String {
        let plan = self.plan;
        let Some(deadline) = self.deadline(item) else { return String::new() };
        let eligible = self.index.eligible(item);
        let before: Vec<usize> = eligible.iter().copied().filter(|&i| plan.sessions[i].date <= deadline).collect();
        if before.is_empty() {
            return format!("no {} before {}", self.need(item), self.target_words(item));
        }
        if let Some(&free) = before.iter().find(|&&i| self.usage.check(item, i).is_ok()) {
            return format!("{} still has room", self.session_words(&plan.sessions[free]));
        }
        format!(
            "no earlier {} slot free ({})",
            self.need_kind(item),
            self.blocked_summary(item, &before, "eligible sessions before the target")
        )
    }

    /// "not with Dr A Patel (preferred): ..." and why not.
    fn continuity_missed(&mut self, item: &BacklogItem, preferred: &str, placed: &Session) -> String {
        let plan = self.plan;
        let name = self.clinician_name(preferred);
        let eligible = self.index.eligible(item);
        let theirs: Vec<usize> =
            eligible.iter().copied().filter(|&i| plan.sessions[i].clinician == preferred).collect();
        let why = if theirs.is_empty() {
            "none of their sessions suit this appointment".to_string()
        } else {
            let deadline = self.deadline(item);
            let first_free = theirs.iter().find(|&&i| self.usage.check(item, i).is_ok()).map(|&i| &plan.sessions[i]);
            match first_free {
                None => "none of their sessions has room".to_string(),
                Some(free) if deadline.is_some_and(|d| free.date > d) && placed.date <= free.date => {
                    format!("none of their sessions free before the target (first free {})", day_label(free.date))
                }
                Some(free) if free.date > placed.date => {
                    let later = (free.date - placed.date).num_days();
                    format!("their first free session is {}, {} later", day_label(free.date), days(later))
                }
                Some(free) => format!("they had room on {}", day_label(free.date)),
            }
        };
        format!("not with {name} (preferred): {why}")
    }

    /// No session at all suits the item: say which constraint rules them out.
    fn no_session_at_all(&mut self, item: &BacklogItem) -> String {
        let base = self.index.base_list(item);
        // With no base session the patient's own limits do not matter: cache per base.
        let key = if base.is_empty() { base_signature(item) } else { signature(item) };
        if let Some(text) = self.no_session_cache.get(&key) {
            return text.clone();
        }
        let plan = self.plan;
        let mut counted: BTreeMap<Ineligible, usize> = BTreeMap::new();
        let (suitable, what) = if base.is_empty() {
            let seers = self.index.seers(item);
            let required = match &item.continuity {
                Continuity::Required(c) => Some(c.as_str()),
                _ => None,
            };
            let probe = base_item(item);
            let mut suitable = 0;
            // Sessions of clinicians who could never see it are not worth naming.
            for session in &plan.sessions {
                if seers.contains(session.clinician.as_str()) && required.is_none_or(|c| c == session.clinician) {
                    suitable += 1;
                    if let Err(reason) = check_eligible(plan, &probe, session) {
                        *counted.entry(reason).or_default() += 1;
                    }
                }
            }
            if let Some(c) = required
                && !seers.contains(c)
            {
                let text = format!("{} (required) does not see {}", self.clinician_name(c), item.appointment_type);
                self.no_session_cache.insert(key, text.clone());
                return text;
            }
            (suitable, self.roles(item))
        } else {
            for &i in base.iter() {
                if let Err(reason) = check_eligible(plan, item, &plan.sessions[i]) {
                    *counted.entry(reason).or_default() += 1;
                }
            }
            (base.len(), format!("otherwise suitable {}", self.roles(item)))
        };
        let text = if suitable == 0 {
            match &item.continuity {
                Continuity::Required(c) => format!("{} (required) has no session in the plan", self.clinician_name(c)),
                _ => format!("no {} session in the plan", self.roles(item)),
            }
        } else {
            let mut counted: Vec<(Ineligible, usize)> = counted.into_iter().collect();
            counted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let listed: Vec<String> =
                counted.iter().map(|(r, n)| format!("{n} {}", ineligible_words(*r, item))).collect();
            format!(
                "no {} the patient can use: of {suitable} {what} {}, {}",
                self.need(item),
                if suitable == 1 { "session" } else { "sessions" },
                listed.join(", ")
            )
        };
        self.no_session_cache.insert(key, text.clone());
        text
    }

    /// "3 eligible sessions all full with 14 urgent and 6 soon appointments; 1 more on a day the patient is already booked".
    fn blocked_summary(&self, item: &BacklogItem, sessions: &[usize], what: &str) -> String {
        let mut by_reason: BTreeMap<Blocked, Vec<usize>> = BTreeMap::new();
        for &i in sessions {
            if let Err(why) = self.usage.check(item, i) {
                by_reason.entry(why).or_default().push(i);
            }
        }
        let mut parts = Vec::new();
        if let Some(full) = by_reason.get(&Blocked::Full) {
            let mut ranks: BTreeMap<usize, usize> = BTreeMap::new();
            for (rank, n) in full.iter().flat_map(|&i| &self.occupant_ranks[i]) {
                *ranks.entry(*rank).or_insert(0) += n;
            }
            let work: Vec<String> = ranks.iter().map(|(rank, n)| format!("{n} {}", self.rank_names[rank])).collect();
            let all = if full.len() == sessions.len() { "all " } else { "" };
            let mut text = if full.len() == 1 {
                format!("{} is full", self.session_words(&self.plan.sessions[full[0]]))
            } else {
                format!("{} {what} {all}full", full.len())
            };
            if work.is_empty() {
                text.push_str(" (no usable slots left)");
            } else {
                let total: usize = ranks.values().sum();
                let noun = if total == 1 { "appointment" } else { "appointments" };
                text.push_str(&format!(" with {} {noun}", join_and(&work)));
            }
            parts.push(text);
        }
        if let Some(busy) = by_reason.get(&Blocked::PatientBusy) {
            parts.push(format!(
                "{} on {} the patient already has an appointment",
                busy.len(),
                if busy.len() == 1 { "a day" } else { "days" }
            ));
        }
        if let Some(capped) = by_reason.get(&Blocked::DailyCap) {
            parts.push(format!("{} at the clinician's daily cap", capped.len()));
        }
        parts.join("; ")
    }

    fn deadline(&self, item: &BacklogItem) -> Option<NaiveDate> {
        self.start.and_then(|s| deadline(self.plan, item, s))
    }

    /// "the see-by date (Fri 26 Jul)" or "the target (Tue 23 Jul)".
    fn target_words(&self, item: &BacklogItem) -> String {
        let date = self.deadline(item).map(|d| format!(" ({})", day_label(d))).unwrap_or_default();
        if item.see_by.is_some() { format!("the see-by date{date}") } else { format!("the target{date}") }
    }

    /// "telephone GP session", "Practice nurse or HCA session with Dr A Patel".
    fn need(&self, item: &BacklogItem) -> String {
        let mut text = format!("{} session", self.need_kind(item));
        if let Continuity::Required(c) = &item.continuity {
            text.push_str(&format!(" with {}", self.clinician_name(c)));
        }
        text
    }

    /// "telephone GP", "face-to-face Practice nurse or HCA".
    fn need_kind(&self, item: &BacklogItem) -> String {
        let mode = match item.mode {
            ModeRequirement::Any => "",
            ModeRequirement::FaceToFace => "face-to-face ",
            ModeRequirement::Telephone => "telephone ",
        };
        format!("{mode}{}", self.roles(item))
    }

    fn roles(&self, item: &BacklogItem) -> String {
        match self.plan.appointment_type(&item.appointment_type) {
            Some(kind) if !kind.roles.is_empty() => kind.roles.join(" or "),
            _ => item.appointment_type.clone(),
        }
    }

    /// "Mon 22 Jul AM with Dr A Patel".
    fn session_words(&self, session: &Session) -> String {
        format!("{} {} with {}", day_label(session.date), session.part.label(), self.clinician_name(&session.clinician))
    }

    fn clinician_name(&self, id: &str) -> String {
        self.plan.clinician(id).map_or_else(|| id.to_string(), |c| c.name.clone())
    }
}

/// How many sessions one constraint rules out, as the end of "N ...".
fn ineligible_words(reason: Ineligible, item: &BacklogItem) -> &'static str {
    match reason {
        Ineligible::SessionCancelled => "cancelled",
        Ineligible::WrongMode => match item.mode {
            ModeRequirement::Telephone => "face-to-face only",
            _ => "telephone only",
        },
        Ineligible::TypeModeNotAllowed => "in a mode this type cannot use",
        Ineligible::BeforeEarliestDate => "before the earliest date",
        Ineligible::OutsideHorizon => "outside the horizon",
        Ineligible::PatientUnavailable => "when the patient cannot attend",
        Ineligible::DeclinedBefore => "already declined",
        Ineligible::TooFewSlots => "too short for the appointment",
        Ineligible::UnknownClinician | Ineligible::UnknownType | Ineligible::WrongRole => "unsuitable",
        Ineligible::NotRequiredClinician => "with another clinician",
    }
}

/// "a", "a and b", "a, b and c".
fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn capitalise(text: &str) -> String {
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
    use crate::model::{Mode, PartOfDay};
    use crate::scheduler::test_plans::{item, number_patients, session, small_plan, t};

    fn placed(id: &str, session: &str) -> Booking {
        Booking {
            appointment_id: id.into(),
            outcome: Outcome::Placed { session: session.into(), time: t(9, 0) },
            pinned: false,
            contact: Default::default(),
            explanation: String::new(),
            changed: None,
        }
    }

    fn unplaced(id: &str) -> Booking {
        Booking { outcome: Outcome::Unplaced { reason: String::new() }, ..placed(id, "") }
    }

    fn reason(b: &Booking) -> &str {
        match &b.outcome {
            Outcome::Unplaced { reason } => reason,
            Outcome::Placed { .. } => "",
        }
    }

    #[test]
    fn no_eligible_session_names_the_constraint() {
        let mut plan = small_plan();
        plan.sessions.push(session("N1", "NURSE-KAUR", 23, PartOfDay::AM, 10, Mode::Telephone));
        let mut review = item("R", "GP review", "Soon", (1, 9, 0));
        review.mode = ModeRequirement::Telephone;
        plan.backlog = vec![review];
        number_patients(&mut plan);
        let mut bookings = vec![unplaced("R")];
        explain_all(&plan, &mut bookings);
        assert_eq!(
            reason(&bookings[0]),
            "No telephone GP session the patient can use: of 1 GP session, 1 face-to-face only"
        );

        plan.sessions.push(session("S2", "GP-JONES", 23, PartOfDay::PM, 10, Mode::Telephone));
        plan.backlog[0].unavailable.push(crate::model::Unavailability {
            day: crate::model::DaySpec::Weekday(chrono::Weekday::Tue),
            part: Some(PartOfDay::PM),
        });
        let mut bookings = vec![unplaced("R")];
        explain_all(&plan, &mut bookings);
        assert_eq!(
            reason(&bookings[0]),
            "No telephone GP session the patient can use: \
             of 1 otherwise suitable GP session, 1 when the patient cannot attend"
        );
    }

    #[test]
    fn a_mode_the_type_never_uses_is_named() {
        let mut plan = small_plan();
        let mut bloods = item("B", "Nurse bloods", "Soon", (1, 9, 0));
        bloods.mode = ModeRequirement::Telephone;
        plan.backlog = vec![bloods];
        let mut bookings = vec![unplaced("B")];
        explain_all(&plan, &mut bookings);
        assert_eq!(
            reason(&bookings[0]),
            "Nurse bloods is never done by telephone, but the patient needs telephone: change the mode or the type"
        );
    }

    #[test]
    fn a_required_clinician_is_named() {
        let mut plan = small_plan();
        let mut bloods = item("B", "Nurse bloods", "Soon", (1, 9, 0));
        bloods.continuity = Continuity::Required("GP-PATEL".into());
        let mut review = item("R", "GP review", "Soon", (1, 9, 0));
        review.continuity = Continuity::Required("GP-JONES".into());
        plan.backlog = vec![bloods, review];
        let mut bookings = vec![unplaced("B"), unplaced("R")];
        explain_all(&plan, &mut bookings);
        assert_eq!(reason(&bookings[0]), "Dr A Patel (required) does not see Nurse bloods");
        assert_eq!(reason(&bookings[1]), "Dr B Jones (required) has no session in the plan");
    }

    #[test]
    fn full_sessions_are_counted_with_their_work() {
        let mut plan = small_plan();
        plan.sessions[0].free_slots = 2; // 1 usable
        plan.sessions.push(session("S2", "GP-JONES", 30, PartOfDay::AM, 2, Mode::FaceToFace));
        plan.backlog = vec![
            item("U1", "GP urgent", "Urgent", (1, 9, 0)),
            item("U2", "GP urgent", "Urgent", (1, 9, 0)),
            item("R", "GP routine", "Urgent", (1, 9, 0)),
        ];
        number_patients(&mut plan);
        let mut bookings = vec![placed("U1", "S1"), placed("U2", "S2"), unplaced("R")];
        explain_all(&plan, &mut bookings);
        assert_eq!(reason(&bookings[2]), "2 eligible sessions all full with 2 urgent appointments");
        assert_eq!(bookings[0].explanation, "1 day before target");
        assert_eq!(
            bookings[1].explanation,
            "7 days late: no earlier GP or ANP slot free \
             (Mon 22 Jul AM with Dr A Patel is full with 1 urgent appointment)"
        );
    }

    #[test]
    fn continuity_and_edit_reasons() {
        let mut plan = small_plan();
        plan.sessions.push(session("S2", "GP-JONES", 22, PartOfDay::PM, 10, Mode::FaceToFace));
        plan.sessions.push(session("S3", "GP-PATEL", 25, PartOfDay::AM, 10, Mode::FaceToFace));
        plan.sessions[0].free_slots = 1; // no usable slot
        let mut r = item("R", "GP routine", "Routine", (1, 9, 0));
        r.continuity = Continuity::Preferred("GP-PATEL".into());
        let mut s = item("S", "GP routine", "Routine", (1, 9, 0));
        s.continuity = Continuity::Preferred("GP-JONES".into());
        let mut u = item("U", "GP urgent", "Urgent", (1, 9, 0));
        u.continuity = Continuity::Preferred("GP-PATEL".into());
        plan.backlog = vec![r, s, item("D", "GP routine", "Routine", (1, 9, 0)), u];
        number_patients(&mut plan);
        let mut bookings = vec![
            placed("R", "S2"),
            placed("S", "S2"),
            placed("U", "S2"),
            Booking { outcome: Outcome::Unplaced { reason: "declined 23/07/2024".into() }, ..placed("D", "") },
        ];
        explain_all(&plan, &mut bookings);
        assert_eq!(
            bookings[0].explanation,
            "Not with Dr A Patel (preferred): their first free session is Thu 25 Jul, 3 days later, 14 days before target"
        );
        assert_eq!(bookings[1].explanation, "With usual clinician, 14 days before target");
        assert_eq!(
            bookings[2].explanation,
            "Not with Dr A Patel (preferred): none of their sessions free before the target (first free Thu 25 Jul), \
             1 day before target"
        );
        assert_eq!(reason(&bookings[3]), "declined 23/07/2024");
    }
}
