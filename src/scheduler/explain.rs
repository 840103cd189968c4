//! Why each appointment is where it is, in words a practice manager understands:
//! "with usual clinician, 1 day before target", or for a late or unplaced one
//! the binding cause, found by checking the constraints in order against the
//! sessions that run by its target (or at all, when unplaced): the patient's
//! earliest date, the days they cannot attend, sessions they declined, a
//! required clinician, the mode, the role, the session size, and only then
//! the capacity, saying what work fills it ("3 days late: the patient's
//! earliest date is Fri 26 Jul, after the target (Tue 23 Jul)").
//!
//! [`Why`] is the cause as data, so tests can check each stated cause against
//! the plan itself.

use crate::model::unplaced::{Binding, UnplacedReason};
use crate::model::{BacklogItem, Booking, Continuity, Mode, Outcome, Plan, Session};
use crate::rules::cost::{deadline, horizon_start, placement_cost};
use crate::rules::usage::{Blocked, EligibleIndex, Usage, signature};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

pub use crate::model::unplaced::{capitalise, day_label};

/// Fills `explanation` of every placed booking, and the reason of every
/// unplaced booking not explained yet (a reason set by an edit, such as
/// a declined offer or a cancelled session, is kept).
pub fn explain_all(plan: &Plan, bookings: &mut [Booking]) {
    let mut explainer = Explainer::new(plan, bookings);
    for booking in bookings.iter_mut() {
        match &mut booking.outcome {
            Outcome::Placed { .. } => {
                if let Some(text) = explainer.placed(booking) {
                    booking.explanation = text;
                }
            }
            Outcome::Unplaced { reason } if !reason.is_explained() && plan.is_withdrawn(&booking.appointment_id) => {
                *reason = UnplacedReason::Withdrawn;
                booking.explanation = reason.describe(plan);
            }
            Outcome::Unplaced { reason } if !reason.is_explained() => {
                if let Some(found) = explainer.unplaced(&booking.appointment_id) {
                    booking.explanation = found.describe(plan);
                    *reason = found;
                }
            }
            Outcome::Unplaced { reason } => booking.explanation = reason.describe(plan),
        }
    }
}

/// "1 day", "3 days".
pub fn days(n: i64) -> String {
    if n == 1 { "1 day".to_string() } else { format!("{n} days") }
}

/// The binding cause of a late or unplaced appointment, as data.
#[derive(Debug, Clone, PartialEq)]
pub struct Why {
    /// The date it should have been seen by; None for an unplaced one (any date).
    pub until: Option<NaiveDate>,
    /// The patient's own limits (earliest date, days they cannot attend,
    /// declined sessions) ruled out some of the sessions up to `until`.
    pub patient_limited: bool,
    pub cause: Cause,
}

/// The first constraint, checked in this order, that leaves no running
/// session (in the horizon, up to `until`) for the appointment.
#[derive(Debug, Clone, PartialEq)]
pub enum Cause {
    /// No session runs at all.
    NoSession,
    /// Every session is before the patient's earliest date.
    EarliestDate(NaiveDate),
    /// Every session left is on a day or half-day the patient cannot attend.
    Unavailable,
    /// Every session left is one the patient declined.
    Declined,
    /// The required clinician (id) has no session left.
    RequiredClinician(String),
    /// No session left is in a mode the patient and the type allow.
    Mode,
    /// No session left is with a clinician whose role sees the type.
    Role,
    /// No session left has enough usable slots for the appointment.
    TooSmall,
    /// This eligible session (index into `plan.sessions`) could still take it.
    Room(usize),
    /// Every eligible session is full, or the patient or clinician is booked up that day.
    Full(Crowded),
}

/// The eligible sessions up to `until` and what stops each taking the appointment.
#[derive(Debug, Clone, PartialEq)]
pub struct Crowded {
    /// Every eligible session (index into `plan.sessions`), chronological.
    pub sessions: Vec<usize>,
    /// Those with fewer free usable slots than the appointment needs.
    pub full: Vec<usize>,
    /// Appointments booked in the full sessions, by priority rank (0 = most urgent).
    pub by_rank: Vec<(usize, usize)>,
    /// Sessions on a day the patient already has an appointment.
    pub busy: usize,
    /// Sessions whose clinician is at their daily cap.
    pub capped: usize,
}

/// The sessions left after every constraint and whether the patient's limits
/// ruled any out, or the cause that left none.
type Funnel = Result<(Rc<[usize]>, bool), (Cause, bool)>;

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
    funnel_cache: HashMap<(String, Option<NaiveDate>), Funnel>,
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
            funnel_cache: HashMap::new(),
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

    /// The binding cause of a late or unplaced booking, as data; None when it
    /// is on time, withdrawn, of an unknown item, or can never be placed at all
    /// (type not in the catalogue, a mode the type never uses).
    pub fn cause(&mut self, booking: &Booking) -> Option<Why> {
        let item = *self.items.get(booking.appointment_id.as_str())?;
        match booking.session() {
            None if self.plan.is_withdrawn(&item.id) || self.never_possible(item).is_some() => None,
            None => Some(self.why(item, None)),
            Some(session) => {
                let idx = self.usage.index(session)?;
                let deadline = self.deadline(item)?;
                if self.plan.sessions[idx].date <= deadline {
                    return None;
                }
                self.usage.remove(item, idx);
                let why = self.why(item, Some(deadline));
                self.usage.add(item, idx);
                Some(why)
            }
        }
    }

    /// The binding reason an appointment could not be placed, as data; None for an unknown id.
    pub fn unplaced(&mut self, appointment_id: &str) -> Option<UnplacedReason> {
        let item = *self.items.get(appointment_id)?;
        if let Some(reason) = self.never_possible(item) {
            return Some(reason);
        }
        let why = self.why(item, None);
        Some(UnplacedReason::NoRoom { patient_limited: why.patient_limited, binding: self.binding(item, &why) })
    }

    /// Why `item` is not in a session dated on or before `until` (any date when
    /// None): the first constraint, in the order a person would check them,
    /// that rules out every such session, else what fills the ones left.
    /// A placed item should be taken out of the usage first (see `placed`).
    pub fn why(&mut self, item: &BacklogItem, until: Option<NaiveDate>) -> Why {
        let key = (signature(item), until);
        let funnel = match self.funnel_cache.get(&key) {
            Some(f) => f.clone(),
            None => {
                let f = self.funnel(item, until);
                self.funnel_cache.insert(key, f.clone());
                f
            }
        };
        let (left, patient_limited) = match funnel {
            Err((cause, patient_limited)) => return Why { until, patient_limited, cause },
            Ok(found) => found,
        };
        if let Some(&free) = left.iter().find(|&&i| self.usage.check(item, i).is_ok()) {
            return Why { until, patient_limited, cause: Cause::Room(free) };
        }
        let mut full = Vec::new();
        let (mut busy, mut capped) = (0, 0);
        let mut by_rank: BTreeMap<usize, usize> = BTreeMap::new();
        for &i in left.iter() {
            match self.usage.check(item, i) {
                Err(Blocked::Full) => {
                    full.push(i);
                    for (rank, n) in &self.occupant_ranks[i] {
                        *by_rank.entry(*rank).or_insert(0) += n;
                    }
                }
                Err(Blocked::PatientBusy) => busy += 1,
                Err(Blocked::DailyCap) => capped += 1,
                Ok(()) => {}
            }
        }
        Why {
            until,
            patient_limited,
            cause: Cause::Full(Crowded {
                sessions: left.to_vec(),
                full,
                by_rank: by_rank.into_iter().collect(),
                busy,
                capped,
            }),
        }
    }

    /// The constraints in order over the running sessions up to `until`: the
    /// cause that leaves none, or the sessions left (chronological) and whether
    /// the patient's own limits ruled any out.
    fn funnel(&mut self, item: &BacklogItem, until: Option<NaiveDate>) -> Funnel {
        let plan = self.plan;
        let mut left: Vec<usize> = self
            .index
            .order()
            .iter()
            .copied()
            .filter(|&i| {
                let s = &plan.sessions[i];
                !s.cancelled && plan.horizon.is_none_or(|h| h.contains(s.date)) && until.is_none_or(|u| s.date <= u)
            })
            .collect();
        if left.is_empty() {
            return Err((Cause::NoSession, false));
        }
        let window = left.len();
        let step = |left: &mut Vec<usize>, keep: &dyn Fn(&Session) -> bool| {
            left.retain(|&i| keep(&plan.sessions[i]));
            left.is_empty()
        };
        if let Some(earliest) = item.earliest_date
            && step(&mut left, &|s| s.date >= earliest)
        {
            return Err((Cause::EarliestDate(earliest), true));
        }
        if step(&mut left, &|s| item.can_attend(s.date, s.part)) {
            return Err((Cause::Unavailable, true));
        }
        if step(&mut left, &|s| !item.declined_sessions.contains(&s.id)) {
            return Err((Cause::Declined, true));
        }
        let limited = left.len() < window;
        if let Continuity::Required(c) = &item.continuity
            && step(&mut left, &|s| s.clinician == *c)
        {
            return Err((Cause::RequiredClinician(c.clone()), limited));
        }
        let modes = plan.appointment_type(&item.appointment_type).map(|t| t.modes.clone()).unwrap_or_default();
        if step(&mut left, &|s| item.mode.allows(s.mode) && modes.contains(&s.mode)) {
            return Err((Cause::Mode, limited));
        }
        let seers = self.index.seers(item);
        if step(&mut left, &|s| seers.contains(s.clinician.as_str())) {
            return Err((Cause::Role, limited));
        }
        let slots = item.slots.max(1);
        if step(&mut left, &|s| s.usable_slots(&plan.rules) >= slots) {
            return Err((Cause::TooSmall, limited));
        }
        // `check_eligible` has the final word (nothing above should differ from
        // it), through the index that caches its verdicts per kind of appointment.
        let mut eligible = vec![false; plan.sessions.len()];
        for &i in self.index.eligible(item).iter() {
            eligible[i] = true;
        }
        left.retain(|&i| eligible[i]);
        if left.is_empty() {
            return Err((Cause::Role, limited));
        }
        Ok((left.into(), limited))
    }

    /// The cause in words, without a leading capital: "no telephone GP session by the target (Tue 23 Jul)".
    pub fn words(&self, item: &BacklogItem, why: &Why) -> String {
        let target = why.until.map(|_| self.target_words(item));
        self.binding(item, why).words(self.plan, why.patient_limited, target.as_deref())
    }

    /// The cause as the data a plan keeps: sessions named by date, part and
    /// clinician rather than by position, priority classes by name.
    pub fn binding(&self, item: &BacklogItem, why: &Why) -> Binding {
        let plan = self.plan;
        let with = match &item.continuity {
            Continuity::Required(c) => Some(c.clone()),
            _ => None,
        };
        let (mode, roles) = (self.only_mode(item), self.roles(item));
        let session = |i: usize| {
            let s = &plan.sessions[i];
            (s.date, s.part, s.clinician.clone())
        };
        match &why.cause {
            Cause::NoSession => Binding::NoSession,
            Cause::EarliestDate(earliest) => Binding::EarliestDate(*earliest),
            Cause::Unavailable => Binding::CannotAttend(item.unavailable.iter().map(|u| (u.day, u.part)).collect()),
            Cause::Declined => Binding::DeclinedAll,
            Cause::RequiredClinician(c) => Binding::RequiredClinician(c.clone()),
            Cause::Mode => Binding::Mode { mode, with },
            Cause::Role => Binding::Role { mode, roles, with },
            Cause::TooSmall => Binding::TooSmall { mode, roles, with, slots: item.slots.max(1) },
            Cause::Room(i) => Binding::Room(session(*i)),
            Cause::Full(crowded) => Binding::Full {
                mode,
                roles,
                with,
                sessions: crowded.sessions.len(),
                full: crowded.full.len(),
                first_full: crowded.full.first().map(|&i| session(i)),
                work: crowded.by_rank.iter().map(|(rank, n)| (self.rank_name(*rank), *n)).collect(),
                busy: crowded.busy,
                capped: crowded.capped,
            },
        }
    }

    /// A reason no placement can ever work (the type or mode itself), before any session is looked at.
    fn never_possible(&self, item: &BacklogItem) -> Option<UnplacedReason> {
        let Some(kind) = self.plan.appointment_type(&item.appointment_type) else {
            return Some(UnplacedReason::UnknownType { appointment_type: item.appointment_type.clone() });
        };
        if !kind.modes.iter().any(|m| item.mode.allows(*m)) {
            return Some(UnplacedReason::ModeNeverOffered { appointment_type: kind.name.clone(), needs: item.mode });
        }
        if let Continuity::Required(c) = &item.continuity
            && let Some(clinician) = self.plan.clinician(c)
            && !self.plan.clinician_sees(clinician, &kind.name)
        {
            return Some(UnplacedReason::RequiredDoesNotSee {
                clinician: c.clone(),
                appointment_type: item.appointment_type.clone(),
            });
        }
        None
    }

    /// Why a late appointment could not go by its deadline.
    fn why_late(&mut self, item: &BacklogItem) -> String {
        let Some(deadline) = self.deadline(item) else { return String::new() };
        let why = self.why(item, Some(deadline));
        self.words(item, &why)
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

    fn deadline(&self, item: &BacklogItem) -> Option<NaiveDate> {
        self.start.and_then(|s| deadline(self.plan, item, s))
    }

    /// "the see-by date (Fri 26 Jul)" or "the target (Tue 23 Jul)".
    fn target_words(&self, item: &BacklogItem) -> String {
        let date = self.deadline(item).map(|d| format!(" ({})", day_label(d))).unwrap_or_default();
        if item.see_by.is_some() { format!("the see-by date{date}") } else { format!("the target{date}") }
    }

    /// The one mode the patient and the type allow, when only one is.
    fn only_mode(&self, item: &BacklogItem) -> Option<Mode> {
        let modes = self.plan.appointment_type(&item.appointment_type).map(|t| t.modes.clone()).unwrap_or_default();
        let allowed: Vec<Mode> = Mode::ALL.into_iter().filter(|m| item.mode.allows(*m) && modes.contains(m)).collect();
        match allowed.as_slice() {
            [only] => Some(*only),
            _ => None,
        }
    }

    /// "urgent", as "full with 3 urgent appointments" says it.
    fn rank_name(&self, rank: usize) -> String {
        self.rank_names.get(&rank).cloned().unwrap_or_else(|| "other".to_string())
    }

    /// Roles that see the type, or the type's name when it lists none.
    fn roles(&self, item: &BacklogItem) -> Vec<String> {
        match self.plan.appointment_type(&item.appointment_type) {
            Some(kind) if !kind.roles.is_empty() => kind.roles.clone(),
            _ => vec![item.appointment_type.clone()],
        }
    }

    fn clinician_name(&self, id: &str) -> String {
        self.plan.clinician(id).map_or_else(|| id.to_string(), |c| c.name.clone())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{Mode, ModeRequirement, PartOfDay};
    use crate::test_plans::{item, number_patients, session, small_plan, t};

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
        Booking { outcome: Outcome::Unplaced { reason: UnplacedReason::NotExplained }, ..placed(id, "") }
    }

    fn reason(b: &Booking) -> &str {
        &b.explanation
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
        assert_eq!(reason(&bookings[0]), "No telephone GP session in the plan");

        plan.sessions.push(session("S2", "GP-JONES", 23, PartOfDay::PM, 10, Mode::Telephone));
        plan.backlog[0].unavailable.push(crate::model::Unavailability {
            day: crate::model::DaySpec::Weekday(chrono::Weekday::Tue),
            part: Some(PartOfDay::PM),
        });
        let mut bookings = vec![unplaced("R")];
        explain_all(&plan, &mut bookings);
        assert_eq!(reason(&bookings[0]), "No telephone GP session the patient can attend in the plan");
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
        assert_eq!(reason(&bookings[2]), "The 2 GP sessions in the plan are all full with 2 urgent appointments");
        assert_eq!(bookings[0].explanation, "1 day before target");
        assert_eq!(
            bookings[1].explanation,
            "7 days late: the only GP or ANP session by the target (Tue 23 Jul), \
             Mon 22 Jul AM with Dr A Patel, is full with 1 urgent appointment"
        );
    }

    #[test]
    fn the_patients_own_limits_come_before_the_rota() {
        // Telephone GP sessions run before the target, but the patient is away until Fri 26 Jul.
        let mut plan = small_plan();
        plan.sessions.push(session("T1", "GP-JONES", 22, PartOfDay::PM, 10, Mode::Telephone));
        plan.sessions.push(session("T2", "GP-JONES", 23, PartOfDay::AM, 10, Mode::Telephone));
        plan.sessions.push(session("T3", "GP-JONES", 26, PartOfDay::AM, 10, Mode::Telephone));
        let mut away = item("A", "GP routine", "Urgent", (1, 9, 0));
        away.mode = ModeRequirement::Telephone;
        away.earliest_date = Some(crate::test_plans::d(26));
        away.notes = "away until 26/07/2024".into();
        let mut tuesdays = item("B", "GP routine", "Urgent", (1, 9, 0));
        tuesdays.mode = ModeRequirement::Telephone;
        tuesdays.unavailable = vec![crate::model::Unavailability {
            day: crate::model::DaySpec::Weekday(chrono::Weekday::Mon),
            part: None,
        }];
        plan.backlog = vec![away, tuesdays];
        number_patients(&mut plan);
        let mut bookings = vec![placed("A", "T3"), placed("B", "T3")];
        explain_all(&plan, &mut bookings);
        assert_eq!(
            bookings[0].explanation,
            "3 days late: the patient's earliest date is Fri 26 Jul, after the target (Tue 23 Jul)"
        );
        // Not Monday: T2 is the one telephone session left, and it has room.
        assert_eq!(bookings[1].explanation, "3 days late: Tue 23 Jul AM with Dr B Jones still has room");
        plan.sessions.retain(|s| s.id != "T2");
        let mut bookings = vec![placed("A", "T3"), placed("B", "T3")];
        explain_all(&plan, &mut bookings);
        assert_eq!(
            bookings[1].explanation,
            "3 days late: every session by the target (Tue 23 Jul) is when the patient cannot attend (Mon)"
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
            Booking {
                outcome: Outcome::Unplaced { reason: UnplacedReason::Other("declined 23/07/2024".into()) },
                ..placed("D", "")
            },
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
