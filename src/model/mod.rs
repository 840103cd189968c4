//! The plan document: everything a practice manager opens, edits and saves.
//!
//! This module has no GUI or solver dependency; the scheduler, file formats,
//! printing and the GUI all work on these types.

pub mod audit;
mod catalogue;
pub mod history;
pub mod merge;
pub mod nhs;
pub mod parse;
pub mod summary;
pub mod unplaced;
pub mod urgency;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use audit::{AuditAction, AuditEntry};
pub use catalogue::{
    PLACEHOLDER_PRACTICE, TypeLikeError, default_appointment_types, default_roles, suggest_type, type_like,
};
pub use history::{Change, HistoryEntry, describe_changes};
pub use unplaced::UnplacedReason;

/// A date written in the source, checked when the program is built: a
/// mistyped constant is a build error rather than a silent 1 Jan 1970.
#[macro_export]
macro_rules! const_date {
    ($y:expr, $m:expr, $d:expr) => {
        const {
            match chrono::NaiveDate::from_ymd_opt($y, $m, $d) {
                Some(date) => date,
                None => panic!("no such date"),
            }
        }
    };
}

/// A time of day written in the source, checked when the program is built.
#[macro_export]
macro_rules! const_time {
    ($h:expr, $m:expr) => {
        const {
            match chrono::NaiveTime::from_hms_opt($h, $m, 0) {
                Some(time) => time,
                None => panic!("no such time"),
            }
        }
    };
}

/// A date for unit tests (integration tests have `common::date`).
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) fn test_date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Version of the plan file format written by this build. Bump it (and add a
/// migration in `io::plan_file`) whenever the meaning of a saved field changes.
pub const FORMAT_VERSION: u32 = 1;

/// One whole recovery plan: the document the user opens and saves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Always first in the file so a newer file can be refused before parsing the rest.
    pub format_version: u32,
    pub practice: Practice,
    pub outage: Outage,
    /// First and last date on which rebooked appointments may be placed.
    #[serde(default)]
    pub horizon: Option<Horizon>,
    /// Clinician roles known to the practice (GP, ANP, Practice nurse, ...).
    pub roles: Vec<String>,
    pub appointment_types: Vec<AppointmentType>,
    pub clinicians: Vec<Clinician>,
    pub sessions: Vec<Session>,
    pub backlog: Vec<BacklogItem>,
    pub rules: Rules,
    /// Outcome of the last solve or manual edits: at most one per backlog item.
    #[serde(default)]
    pub bookings: Vec<Booking>,
    /// Figures of the last solve (objective, bound, gap), kept so reports can
    /// be printed without re-solving.
    #[serde(default)]
    pub solve_info: Option<SolveInfo>,
    /// CSV column mapping remembered from the last import: source header (as
    /// written in the file) to canonical column name.
    #[serde(default)]
    pub import_mapping: BTreeMap<String, String>,
    /// Appointment types remembered from imports: the practice's own slot-type
    /// name (as exported) to the catalogue type it was mapped to. Left out when empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub import_types: BTreeMap<String, String>,
    /// Who printed or exported what, and when (oldest first). Left out of
    /// files that have none, so plans written before it stay byte-identical.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit: Vec<AuditEntry>,
    /// Who saved what, and when (oldest first), so colleagues sharing the
    /// file can see what changed. Left out when empty, like `audit`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
    /// Backlog items a re-import no longer found in the clinical system's list
    /// (rebooked there directly), by id, with the date of that import. They are
    /// not planned and not counted as work still to do. Kept beside the
    /// backlog rather than in each item so files without any stay unchanged.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub withdrawn: BTreeMap<String, NaiveDate>,
    /// When and by whom each item's notes were last edited by hand, by id:
    /// when two colleagues edit the same notes, the newer edit wins a merge.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub notes_changed: BTreeMap<String, Change>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Practice {
    pub name: String,
    /// NHS Organisation Data Service code, e.g. "Y99999".
    #[serde(default)]
    pub ods_code: Option<String>,
}

impl Practice {
    /// Still the name a new plan starts with (or none): not fit for patients' texts.
    pub fn is_placeholder(&self) -> bool {
        let name = self.name.trim();
        name.is_empty() || name.eq_ignore_ascii_case(PLACEHOLDER_PRACTICE)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Outage {
    #[serde(default)]
    pub start: Option<NaiveDateTime>,
    #[serde(default)]
    pub end: Option<NaiveDateTime>,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Horizon {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Horizon {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// How an appointment is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Mode {
    FaceToFace,
    Telephone,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::FaceToFace, Mode::Telephone];

    pub fn label(self) -> &'static str {
        match self {
            Mode::FaceToFace => "Face-to-face",
            Mode::Telephone => "Telephone",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Mode::FaceToFace => "F2F",
            Mode::Telephone => "Tel",
        }
    }
}

/// The mode a patient needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub enum ModeRequirement {
    #[default]
    Any,
    FaceToFace,
    Telephone,
}

impl ModeRequirement {
    pub fn allows(self, mode: Mode) -> bool {
        match self {
            ModeRequirement::Any => true,
            ModeRequirement::FaceToFace => mode == Mode::FaceToFace,
            ModeRequirement::Telephone => mode == Mode::Telephone,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ModeRequirement::Any => "Any",
            ModeRequirement::FaceToFace => "Face-to-face",
            ModeRequirement::Telephone => "Telephone",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PartOfDay {
    AM,
    PM,
}

impl PartOfDay {
    pub fn label(self) -> &'static str {
        match self {
            PartOfDay::AM => "AM",
            PartOfDay::PM => "PM",
        }
    }

    /// In words: "morning" or "afternoon".
    pub fn name(self) -> &'static str {
        match self {
            PartOfDay::AM => "morning",
            PartOfDay::PM => "afternoon",
        }
    }

    /// Morning sessions start before 12:30; anything later is an afternoon.
    pub fn of_time(time: NaiveTime) -> PartOfDay {
        if time < crate::const_time!(12, 30) { PartOfDay::AM } else { PartOfDay::PM }
    }

    /// A session of this part of the day may start at `start` only if it falls in it
    /// (the one rule for the rota import and a session added by hand).
    pub fn check_start(self, start: NaiveTime) -> Result<(), StartNotInPart> {
        if PartOfDay::of_time(start) == self { Ok(()) } else { Err(StartNotInPart { start, part: self }) }
    }
}

/// A session's start in the other half of the day from the one it is given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a session starting at {} is in the {}, not the {}",
    start.format("%H:%M"),
    PartOfDay::of_time(*start).name(),
    part.name()
)]
pub struct StartNotInPart {
    pub start: NaiveTime,
    pub part: PartOfDay,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentType {
    pub name: String,
    /// Roles whose clinicians may see this type.
    pub roles: Vec<String>,
    /// Slots taken by default (a double appointment takes 2).
    pub default_slots: u32,
    /// Modes this type may be delivered in.
    pub modes: Vec<Mode>,
    /// Priority class of an imported appointment of this type when the export
    /// has no priority column (GP urgent -> Urgent); `None`: the least urgent class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_priority: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clinician {
    /// Short stable id, e.g. "GP-PATEL".
    pub id: String,
    /// Display name, e.g. "Dr A Patel".
    pub name: String,
    pub role: String,
    /// Types this clinician sees beyond what their role gives.
    #[serde(default)]
    pub extra_types: Vec<String>,
    /// Types of their role this clinician does not see.
    #[serde(default)]
    pub excluded_types: Vec<String>,
    /// Cap on rebooked appointments a day (safe-working limit); overrides the rules' cap.
    #[serde(default)]
    pub daily_cap: Option<u32>,
}

/// A block of clinician capacity: one clinician, one half-day, one mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Stable id, e.g. "GP-PATEL-2024-07-22-AM".
    pub id: String,
    /// Clinician id.
    pub clinician: String,
    pub date: NaiveDate,
    pub part: PartOfDay,
    pub start: NaiveTime,
    pub slot_minutes: u32,
    pub free_slots: u32,
    pub mode: Mode,
    /// Start times of the free slots when the book is fragmented; empty means
    /// the free slots run on from `start`.
    #[serde(default)]
    pub slot_times: Vec<NaiveTime>,
    /// Cancelled (clinician off sick, session dropped): kept so bookings in it
    /// can be shown and freed, but offers no capacity.
    #[serde(default)]
    pub cancelled: bool,
}

impl Session {
    /// Start times of every free slot, in order.
    pub fn slot_starts(&self) -> Vec<NaiveTime> {
        if !self.slot_times.is_empty() {
            let mut times = self.slot_times.clone();
            times.sort();
            return times;
        }
        (0..self.free_slots).map(|i| self.start + chrono::Duration::minutes(i64::from(i * self.slot_minutes))).collect()
    }

    /// Number of free slots, taking a listed slot set as authoritative.
    pub fn slot_count(&self) -> u32 {
        if self.slot_times.is_empty() {
            self.free_slots
        } else {
            u32::try_from(self.slot_times.len()).unwrap_or(u32::MAX)
        }
    }

    /// Slots the planner may fill after holding back the reserve for on-the-day demand.
    pub fn usable_slots(&self, rules: &Rules) -> u32 {
        if self.cancelled {
            return 0;
        }
        let reserve = rules.reserve_for(self.date.weekday()).clamp(0.0, 1.0);
        let usable = (f64::from(self.slot_count()) * (1.0 - reserve) + 1e-9).floor();
        usable as u32
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Patient {
    /// Ten digits, no spaces.
    pub nhs_number: String,
    /// As the clinical system writes it, e.g. "SMITH, Jane".
    pub name: String,
    #[serde(default)]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default)]
    pub phone: String,
    /// The patient agreed to be contacted by SMS (SNOMED 699237001, latest code wins).
    #[serde(default)]
    pub sms_consent: bool,
    #[serde(default)]
    pub deceased: bool,
}

impl Patient {
    /// First name from "SURNAME, First" or "First Surname".
    pub fn first_name(&self) -> &str {
        let name = self.name.trim();
        match name.split_once(',') {
            Some((_, rest)) => rest.split_whitespace().next().unwrap_or(""),
            None => name.split_whitespace().next().unwrap_or(""),
        }
    }
}

/// Whether the patient should or must see a particular clinician.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Continuity {
    /// Any suitable clinician. Written `Anyone` in plan files, because RON
    /// would otherwise print `r#None` to tell it from `Option::None`.
    #[default]
    #[serde(rename = "Anyone", alias = "None")]
    None,
    /// Clinician id the patient would rather see.
    Preferred(String),
    /// Clinician id the patient must see.
    Required(String),
}

impl Continuity {
    pub fn clinician(&self) -> Option<&str> {
        match self {
            Continuity::None => None,
            Continuity::Preferred(c) | Continuity::Required(c) => Some(c),
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Continuity::None => "None",
            Continuity::Preferred(_) => "Preferred",
            Continuity::Required(_) => "Required",
        }
    }
}

/// A day or half-day the patient cannot attend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unavailability {
    pub day: DaySpec,
    /// `None` means the whole day.
    #[serde(default)]
    pub part: Option<PartOfDay>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DaySpec {
    /// Every such weekday.
    Weekday(Weekday),
    /// One calendar date.
    Date(NaiveDate),
}

impl Unavailability {
    pub fn blocks(&self, date: NaiveDate, part: PartOfDay) -> bool {
        let day_matches = match self.day {
            DaySpec::Weekday(w) => date.weekday() == w,
            DaySpec::Date(d) => date == d,
        };
        day_matches && self.part.is_none_or(|p| p == part)
    }

    /// "Mon AM", "Fri", "23/07/2024 PM".
    pub fn label(&self) -> String {
        let day = match self.day {
            DaySpec::Weekday(w) => weekday_short(w).to_string(),
            DaySpec::Date(d) => d.format("%d/%m/%Y").to_string(),
        };
        match self.part {
            Some(p) => format!("{day} {}", p.label()),
            None => day,
        }
    }
}

pub fn weekday_short(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "Mon",
        Weekday::Tue => "Tue",
        Weekday::Wed => "Wed",
        Weekday::Thu => "Thu",
        Weekday::Fri => "Fri",
        Weekday::Sat => "Sat",
        Weekday::Sun => "Sun",
    }
}

/// One cancelled appointment waiting to be rebooked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacklogItem {
    pub id: String,
    pub patient: Patient,
    pub original_date: NaiveDate,
    #[serde(default)]
    pub original_time: Option<NaiveTime>,
    /// Clinician id when the name matched a known clinician, else the text as exported.
    #[serde(default)]
    pub original_clinician: String,
    /// Name of an appointment type in the plan's catalogue.
    pub appointment_type: String,
    pub slots: u32,
    /// Name of a priority class in the plan's rules.
    pub priority: String,
    #[serde(default)]
    pub mode: ModeRequirement,
    #[serde(default)]
    pub continuity: Continuity,
    #[serde(default)]
    pub unavailable: Vec<Unavailability>,
    /// Soft preference for mornings or afternoons (penalty P when not met).
    #[serde(default)]
    pub preferred_part: Option<PartOfDay>,
    #[serde(default)]
    pub earliest_date: Option<NaiveDate>,
    #[serde(default)]
    pub see_by: Option<NaiveDate>,
    #[serde(default)]
    pub notes: String,
    /// Sessions the patient already declined; a re-plan does not offer them again.
    #[serde(default)]
    pub declined_sessions: Vec<String>,
}

impl BacklogItem {
    /// Sort key for "original appointment order", the deterministic tie-break.
    pub fn original_key(&self) -> (NaiveDate, NaiveTime, &str) {
        (self.original_date, self.original_time.unwrap_or(NaiveTime::MIN), self.id.as_str())
    }

    pub fn can_attend(&self, date: NaiveDate, part: PartOfDay) -> bool {
        !self.unavailable.iter().any(|u| u.blocks(date, part))
    }
}

/// A priority class: how much lateness matters and how soon it must be seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorityClass {
    pub name: String,
    pub weight: f64,
    pub target_days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekdayReserve {
    pub weekday: Weekday,
    /// Fraction of free slots held back, 0.0-1.0.
    pub fraction: f64,
}

/// The planning rules and penalty weights of `model.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    /// Most urgent first; the order is the urgency order.
    pub priorities: Vec<PriorityClass>,
    /// Fraction of each session's free slots held back for on-the-day demand.
    pub reserve: f64,
    /// Per-weekday overrides of `reserve`.
    #[serde(default)]
    pub reserve_by_weekday: Vec<WeekdayReserve>,
    /// L: multiplier of the priority weight per day late.
    pub late_penalty: f64,
    /// C: cost of placing a "preferred continuity" patient with another clinician.
    pub continuity_penalty: f64,
    /// P: cost of not meeting a soft preference (e.g. morning/afternoon).
    pub preference_penalty: f64,
    /// U: multiplier of the priority weight for leaving an appointment unplaced.
    pub unplaced_penalty: f64,
    /// M: cost of moving a booking already communicated to the patient.
    pub move_penalty: f64,
    /// S: cost of moving any existing booking in a re-plan (on top of M for
    /// told ones), so a re-plan moves a patient only for a real gain.
    /// Left out of the file at its default, so plans written before it stay byte-identical.
    #[serde(default = "default_booking_move_penalty", skip_serializing_if = "is_default_booking_move_penalty")]
    pub booking_move_penalty: f64,
    /// Cap on rebooked appointments per clinician per day (None = no cap).
    #[serde(default)]
    pub clinician_daily_cap: Option<u32>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            priorities: vec![
                PriorityClass { name: "Urgent".into(), weight: 10.0, target_days: 1 },
                PriorityClass { name: "Soon".into(), weight: 3.0, target_days: 7 },
                PriorityClass { name: "Routine".into(), weight: 1.0, target_days: 14 },
            ],
            reserve: 0.20,
            reserve_by_weekday: Vec::new(),
            late_penalty: 10.0,
            continuity_penalty: 3.0,
            preference_penalty: 2.0,
            unplaced_penalty: 1000.0,
            move_penalty: 50.0,
            booking_move_penalty: default_booking_move_penalty(),
            clinician_daily_cap: None,
        }
    }
}

/// S of `model.md`: 5, enough that a re-plan does not move a patient to break a tie.
fn default_booking_move_penalty() -> f64 {
    5.0
}

fn is_default_booking_move_penalty(value: &f64) -> bool {
    *value == default_booking_move_penalty()
}

impl Rules {
    /// Rules the scheduler can use: named, distinct, positive weights, and every
    /// appointment's priority still defined.
    pub fn validate(&self, plan: &Plan) -> Result<(), Vec<String>> {
        let rules = self;
        let mut problems = Vec::new();
        let mut orphans: BTreeMap<&str, usize> = BTreeMap::new();
        for item in &plan.backlog {
            if rules.priority(&item.priority).is_none() {
                *orphans.entry(item.priority.as_str()).or_default() += 1;
            }
        }
        for (name, count) in orphans {
            problems.push(format!(
                "Rules: {count} appointment(s) have priority \"{name}\", which these rules no longer define; keep the class or change those appointments first."
            ));
        }
        if rules.priorities.is_empty() {
            problems.push("Rules: at least one priority class is needed.".to_string());
        }
        for (i, p) in rules.priorities.iter().enumerate() {
            if p.name.trim().is_empty() {
                problems.push(format!("Rules: priority class {} has no name.", i + 1));
            } else if rules.priorities[..i].iter().any(|q| q.name.trim().eq_ignore_ascii_case(p.name.trim())) {
                problems.push(format!("Rules: the priority name \"{}\" is used twice.", p.name.trim()));
            }
            if p.weight <= 0.0 || !p.weight.is_finite() {
                problems.push(format!("Rules: the weight of {} must be more than 0.", p.name));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }

    pub fn reserve_for(&self, weekday: Weekday) -> f64 {
        self.reserve_by_weekday.iter().find(|r| r.weekday == weekday).map_or(self.reserve, |r| r.fraction)
    }

    /// Priority class by name, case-insensitively.
    pub fn priority(&self, name: &str) -> Option<&PriorityClass> {
        self.priorities.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Position in the urgency order (0 = most urgent); unknown classes rank last.
    pub fn priority_rank(&self, name: &str) -> usize {
        self.priorities.iter().position(|p| p.name.eq_ignore_ascii_case(name)).unwrap_or(self.priorities.len())
    }

    /// Weight w(a) of a priority; unknown classes weigh like the least urgent one.
    pub fn weight(&self, name: &str) -> f64 {
        self.priority(name).or(self.priorities.last()).map_or(1.0, |p| p.weight)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub enum ContactStatus {
    #[default]
    NotContacted,
    /// Told of the new time (message left, SMS sent) but not yet confirmed.
    Notified,
    Confirmed,
    Declined,
    NoAnswer,
}

impl ContactStatus {
    pub const ALL: [ContactStatus; 5] = [
        ContactStatus::NotContacted,
        ContactStatus::Notified,
        ContactStatus::Confirmed,
        ContactStatus::Declined,
        ContactStatus::NoAnswer,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ContactStatus::NotContacted => "Not contacted",
            ContactStatus::Notified => "Notified",
            ContactStatus::Confirmed => "Confirmed",
            ContactStatus::Declined => "Declined",
            ContactStatus::NoAnswer => "No answer",
        }
    }

    /// The patient has been told of this booking, so moving it has a cost.
    pub fn is_communicated(self) -> bool {
        matches!(self, ContactStatus::Notified)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    Placed {
        session: String,
        time: NaiveTime,
    },
    /// Why, as data (see `unplaced`); plans saved with the reason in words still load.
    Unplaced {
        reason: UnplacedReason,
    },
}

/// The outcome for one backlog item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booking {
    pub appointment_id: String,
    pub outcome: Outcome,
    #[serde(default)]
    pub pinned: bool,
    #[serde(default)]
    pub contact: ContactStatus,
    /// Why it is where it is, in words a practice manager understands.
    #[serde(default)]
    pub explanation: String,
    /// The last edit by hand of its contact status or pin (never set by a
    /// solve): when two colleagues edit the same booking, the newer one wins a merge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<Change>,
}

impl Booking {
    pub fn session(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Placed { session, .. } => Some(session),
            Outcome::Unplaced { .. } => None,
        }
    }

    /// Pinned and confirmed bookings never move in a re-plan.
    pub fn is_fixed(&self) -> bool {
        self.session().is_some() && (self.pinned || self.contact == ContactStatus::Confirmed)
    }
}

/// Figures of the last solve, saved with the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SolveInfo {
    pub backend: String,
    pub objective: f64,
    /// Lower bound proven by the LP relaxation.
    pub bound: f64,
    /// (objective - bound) / max(1, |objective|).
    pub gap: f64,
    /// Bookings that moved compared with the plan before this solve.
    pub moved: u32,
    /// True when the solve stopped on its time limit or was cancelled.
    #[serde(default)]
    pub stopped_early: bool,
}

impl Plan {
    /// A new, empty plan with the default catalogue of roles, types and rules.
    pub fn new(practice_name: &str) -> Plan {
        Plan {
            format_version: FORMAT_VERSION,
            practice: Practice { name: practice_name.to_string(), ods_code: None },
            outage: Outage::default(),
            horizon: None,
            roles: default_roles(),
            appointment_types: default_appointment_types(),
            clinicians: Vec::new(),
            sessions: Vec::new(),
            backlog: Vec::new(),
            rules: Rules::default(),
            bookings: Vec::new(),
            solve_info: None,
            import_mapping: BTreeMap::new(),
            import_types: BTreeMap::new(),
            audit: Vec::new(),
            history: Vec::new(),
            withdrawn: BTreeMap::new(),
            notes_changed: BTreeMap::new(),
        }
    }

    /// Whether a re-import found this item no longer in the clinical system's list.
    pub fn is_withdrawn(&self, appointment_id: &str) -> bool {
        self.withdrawn.contains_key(appointment_id)
    }

    /// A withdrawn item that is not held in place by a fixed booking: it is
    /// left out of planning, of the work still to do and of the figures.
    pub fn is_set_aside(&self, appointment_id: &str) -> bool {
        self.is_withdrawn(appointment_id) && !self.booking(appointment_id).is_some_and(Booking::is_fixed)
    }

    pub fn clinician(&self, id: &str) -> Option<&Clinician> {
        self.clinicians.iter().find(|c| c.id == id)
    }

    /// Clinician by id or display name (case-insensitive, ignoring spaces and dots).
    pub fn find_clinician(&self, text: &str) -> Option<&Clinician> {
        let key = name_key(text);
        if key.is_empty() {
            return None;
        }
        self.clinicians
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(text.trim()))
            .or_else(|| self.clinicians.iter().find(|c| name_key(&c.name) == key))
    }

    pub fn appointment_type(&self, name: &str) -> Option<&AppointmentType> {
        self.appointment_types.iter().find(|t| same_name(&t.name, name))
    }

    pub fn session(&self, id: &str) -> Option<&Session> {
        self.sessions.iter().find(|s| s.id == id)
    }

    pub fn backlog_item(&self, id: &str) -> Option<&BacklogItem> {
        self.backlog.iter().find(|b| b.id == id)
    }

    pub fn booking(&self, appointment_id: &str) -> Option<&Booking> {
        self.bookings.iter().find(|b| b.appointment_id == appointment_id)
    }

    /// Backlog items by id, for code that looks up every item (a lookup per
    /// item with [`Plan::backlog_item`] is quadratic at hub scale). Like it,
    /// the first of a repeated id wins.
    pub fn items_by_id(&self) -> std::collections::HashMap<&str, &BacklogItem> {
        first_by_key(self.backlog.iter().map(|i| (i.id.as_str(), i)))
    }

    /// Bookings by appointment id, like [`Plan::items_by_id`].
    pub fn bookings_by_id(&self) -> std::collections::HashMap<&str, &Booking> {
        first_by_key(self.bookings.iter().map(|b| (b.appointment_id.as_str(), b)))
    }

    /// May this clinician see this appointment type (role, extras and exclusions)?
    pub fn clinician_sees(&self, clinician: &Clinician, type_name: &str) -> bool {
        match self.appointment_type(type_name) {
            Some(kind) => clinician_sees_type(clinician, kind),
            // A type missing from the catalogue is seen only by a clinician who lists it.
            None => {
                !clinician.excluded_types.iter().any(|t| same_name(t, type_name))
                    && clinician.extra_types.iter().any(|t| same_name(t, type_name))
            }
        }
    }

    /// The daily cap for a clinician: their own, else the rules' one.
    pub fn daily_cap(&self, clinician: &Clinician) -> Option<u32> {
        clinician.daily_cap.or(self.rules.clinician_daily_cap)
    }

    /// Sorts sessions and backlog into their canonical order so saved files are stable.
    pub fn normalise(&mut self) {
        self.sessions.sort_by(|a, b| {
            (a.date, a.part, &a.clinician, a.start, &a.id).cmp(&(b.date, b.part, &b.clinician, b.start, &b.id))
        });
        let order: BTreeMap<&str, usize> = self.backlog.iter().enumerate().map(|(i, b)| (b.id.as_str(), i)).collect();
        let mut bookings = std::mem::take(&mut self.bookings);
        // Bookings of items no longer in the backlog go last.
        bookings.sort_by_key(|b| order.get(b.appointment_id.as_str()).map_or((1, 0), |&i| (0, i)));
        self.bookings = bookings;
        // Records of items removed since (by hand or by id edits) go with them.
        self.withdrawn.retain(|id, _| order.contains_key(id.as_str()));
        self.notes_changed.retain(|id, _| order.contains_key(id.as_str()));
    }
}

/// A map keeping the first value of each key, as a linear search would find it.
pub(crate) fn first_by_key<'a, V>(pairs: impl Iterator<Item = (&'a str, V)>) -> std::collections::HashMap<&'a str, V> {
    let mut map = std::collections::HashMap::new();
    for (key, value) in pairs {
        map.entry(key).or_insert(value);
    }
    map
}

/// Key for matching names typed by people: lower case, without spaces, dots, `_` or `-`.
pub fn name_key(text: &str) -> String {
    name_key_chars(text).collect()
}

/// May this clinician see this catalogue type: [`Plan::clinician_sees`] once
/// the type is looked up (eligibility checks call it millions of times).
pub fn clinician_sees_type(clinician: &Clinician, kind: &AppointmentType) -> bool {
    if clinician.excluded_types.iter().any(|t| same_name(t, &kind.name)) {
        return false;
    }
    if clinician.extra_types.iter().any(|t| same_name(t, &kind.name)) {
        return true;
    }
    kind.roles.iter().any(|r| r.eq_ignore_ascii_case(&clinician.role))
}

/// `name_key(a) == name_key(b)` without allocating: eligibility checks call it
/// millions of times at hub scale, so identical and plain-ASCII names skip the
/// Unicode lower-casing.
pub fn same_name(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if a.is_ascii() && b.is_ascii() {
        return ascii_name_key(a).eq(ascii_name_key(b));
    }
    name_key_chars(a).eq(name_key_chars(b))
}

/// [`name_key_chars`] for ASCII text, byte by byte.
fn ascii_name_key(text: &str) -> impl Iterator<Item = u8> + '_ {
    text.bytes().filter(|c| !matches!(c, b' ' | b'.' | b'_' | b'-' | b'\t')).map(|c| c.to_ascii_lowercase())
}

fn name_key_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(|c| !matches!(c, ' ' | '.' | '_' | '-' | '\t')).flat_map(char::to_lowercase)
}

#[cfg(test)]
mod rules_tests {
    use super::*;

    #[test]
    fn rules_validation_names_each_problem() {
        let plan = Plan::new("P");
        assert_eq!(Rules::default().validate(&plan), Ok(()));
        let mut rules = Rules::default();
        rules.priorities[1].name = "urgent".into();
        rules.priorities[2].weight = 0.0;
        let problems = rules.validate(&plan).err().unwrap_or_default();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("used twice"));
        assert!(problems[1].contains("weight of Routine"));
    }
}
