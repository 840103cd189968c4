//! The rota file, in either shape clinical systems export: one row per
//! session (a clinician's half-day with its count of free slots), or one row
//! per slot with its status, which is made into morning and afternoon sessions
//! from the free slots only.

use super::clinician_names::{ClinicianMatch, NameParts, match_clinician};
use super::columns::{self, ColumnSpec, Row};
use super::{ImportError, RotaPreview, RowError, RowProblems};
use crate::model::{Clinician, Continuity, Horizon, Mode, PartOfDay, Plan, Session, name_key, parse, same_name};
use crate::rules::calendar::{is_working_day, unique_session_id};
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use std::collections::{BTreeMap, BTreeSet};

const SPECS: &[ColumnSpec] = &[
    ColumnSpec {
        name: "clinician",
        required: true,
        aliases: &[
            "Session Holder",
            "Clinician Name",
            "Staff",
            "Staff Name",
            "Staff Member",
            "Name",
            "Practitioner",
            "HCP",
            "User",
            "Holder",
        ],
    },
    ColumnSpec {
        name: "role",
        required: false,
        aliases: &[
            "Staff Role",
            "Job Role",
            "Staff Group",
            "Job Title",
            "Staff Type",
            "Clinician Role",
            "Clinician Type",
            "Profession",
        ],
    },
    // Required unless the start times carry the date ("22 Jul 2024 09:00:00").
    ColumnSpec {
        name: "date",
        required: false,
        aliases: &["Session Date", "Day", "Rota Date", "Slot Date", "Appointment Date", "Appt Date"],
    },
    ColumnSpec { name: "part", required: false, aliases: &["Session", "AM/PM", "Part of Day", "Half Day"] },
    ColumnSpec {
        name: "start",
        required: false,
        aliases: &[
            "Start Time",
            "Start",
            "Session Start",
            "Session Start Time",
            "Slot Start",
            "Slot Start Time",
            "Slot Time",
            "From",
            "Time",
            "Appointment Time",
            "Appt Time",
        ],
    },
    ColumnSpec {
        name: "slot_minutes",
        required: false,
        aliases: &[
            "Slot Length",
            "Slot Length (mins)",
            "Slot Mins",
            "Slot Duration",
            "Slot Duration (mins)",
            "Slot Duration (minutes)",
            "Minutes",
            "Duration",
            "Duration (mins)",
            "Slot Minutes",
            "Length",
            "Slot Size",
        ],
    },
    // Required for session rows; a file without it is read as one row per slot.
    ColumnSpec {
        name: "free_slots",
        required: false,
        aliases: &[
            "Free",
            "Slots",
            "Available",
            "Available Slots",
            "Free Slot Count",
            "Free Slots",
            "Slots Available",
            "Slots Free",
            "Unbooked Slots",
            "Number of Free Slots",
        ],
    },
    ColumnSpec {
        name: "mode",
        required: false,
        aliases: &["Session Mode", "Consultation Mode", "Delivery Mode", "Consultation Type", "Contact Type"],
    },
    ColumnSpec {
        name: "session_type",
        required: false,
        aliases: &[
            "Rota",
            "Rota Type",
            "Rota Name",
            "Session Name",
            "Session Type",
            "Session Description",
            "Slot Type",
            "Slot Type Name",
            "Appointment Type",
            "Appt Type",
            "Type",
            "Clinic",
            "Clinic Type",
        ],
    },
    ColumnSpec {
        name: "status",
        required: false,
        aliases: &["Slot Status", "Appointment Status", "Appt Status", "Booking Status", "Availability", "State"],
    },
];

/// Canonical rota columns in the order the import screen lists them.
pub const ROTA_COLUMNS: &[&str] =
    &["clinician", "role", "date", "part", "start", "slot_minutes", "free_slots", "mode", "session_type", "status"];

/// Slot length when the rota does not say.
const DEFAULT_SLOT_MINUTES: u32 = 10;

/// How the rows of a rota file give capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotaShape {
    /// One row per session with its count of free slots (a `free_slots` column).
    Sessions,
    /// One row per slot (a start time and no `free_slots` column); the free
    /// ones are counted into morning and afternoon sessions.
    Slots,
}

impl RotaShape {
    fn of(mapping: &columns::Mapping) -> RotaShape {
        if mapping.has("free_slots") || !mapping.has("start") { RotaShape::Sessions } else { RotaShape::Slots }
    }
}

/// What the user chose for a rota beyond the file itself.
#[derive(Debug, Clone, Default)]
pub struct RotaOptions {
    /// Source header -> canonical column, as for [`preview_rota`].
    pub overrides: BTreeMap<String, String>,
    /// Clinician name (in any form the file writes it) -> role, for clinicians
    /// not in the plan. Comes before a role column and the title.
    pub roles: BTreeMap<String, String>,
}

fn default_start(part: PartOfDay) -> NaiveTime {
    match part {
        PartOfDay::AM => NaiveTime::from_hms_opt(8, 30, 0),
        PartOfDay::PM => NaiveTime::from_hms_opt(14, 0, 0),
    }
    .unwrap_or(NaiveTime::MIN)
}

/// [`preview_rota_with`] with only column overrides.
pub fn preview_rota(
    plan: &Plan,
    bytes: &[u8],
    overrides: &BTreeMap<String, String>,
) -> Result<RotaPreview, ImportError> {
    preview_rota_with(plan, bytes, &RotaOptions { overrides: overrides.clone(), roles: BTreeMap::new() })
}

/// Reads a rota export against the plan; the plan is not changed.
///
/// Clinicians are matched by id or name, also written another way ("SMITH,
/// Anne (Dr)" is "Dr A Smith"); others are created, with the role the user
/// gave, else the row's role (through the names rotas use for the standard
/// ones), else their title ("Dr": GP). A session row needs a part of the day
/// or a start time (each gives the other: 08:30 / 14:00 by default); a slot row
/// needs its start time, and counts only when its status says it is free.
/// Slot length defaults to 10 minutes (from the slot times in a slot list),
/// mode to face-to-face unless the mode or session type says telephone or video.
pub fn preview_rota_with(plan: &Plan, bytes: &[u8], options: &RotaOptions) -> Result<RotaPreview, ImportError> {
    let decoded = columns::decode_noting(bytes)?;
    let text = decoded.text;
    let mut clinicians = Clinicians::new(plan, &options.roles);
    let mut taken_session_ids: BTreeSet<String> = plan.sessions.iter().map(|s| s.id.clone()).collect();
    let mut seen: BTreeMap<SessionKey, Option<usize>> = plan.sessions.iter().map(|s| (key_of(s), None)).collect();
    // Each session with the first line it comes from.
    let mut sessions: Vec<(usize, Session)> = Vec::new();
    let mut slots: Vec<Slot> = Vec::new();
    let mut rejected = Vec::new();
    let mut warnings = Vec::new();
    let mut tally = Tally::default();

    let check_header = |mapping: &columns::Mapping| {
        for spec in SPECS.iter().filter(|s| s.required) {
            if !mapping.has(spec.name) {
                return Err(columns::missing(spec.name, SPECS, mapping));
            }
        }
        if !mapping.has("date") && !mapping.has("start") {
            return Err(columns::missing("date", SPECS, mapping));
        }
        if mapping.has("free_slots") && !mapping.has("part") && !mapping.has("start") {
            return Err(columns::missing("part", SPECS, mapping));
        }
        if !mapping.has("free_slots") && !mapping.has("start") {
            // Neither a session list (free slots) nor a slot list (start times).
            return Err(columns::missing("free_slots", SPECS, mapping));
        }
        Ok(())
    };
    let (mut mapping, total_rows) =
        columns::read_rows(&text, SPECS, &plan.import_mapping, &options.overrides, check_header, |row| {
            let mut problems = RowProblems::new(row.line);
            if let Some(reason) = columns::extra_fields_reason(row) {
                problems.add("row", reason);
                rejected.append(&mut problems.list);
                return;
            }
            let clinician = clinicians.of_row(row, &mut problems, &mut warnings);
            match RotaShape::of(row.mapping) {
                RotaShape::Sessions => {
                    let session = read_session(row, &mut problems, &mut tally);
                    if let Some((clinician, session)) = problems.settle(clinician.zip(session)) {
                        let Some(mut session) = session else {
                            tally.not_free.push(row.line);
                            return;
                        };
                        session.clinician = clinician;
                        match seen.get(&key_of(&session)) {
                            Some(Some(line)) => {
                                problems.add("row", format!("the same session is already on line {line}"))
                            }
                            Some(None) => problems.add("row", "the plan already has this session"),
                            None => {
                                warn_about(plan, &session, row.line, &mut warnings);
                                seen.insert(key_of(&session), Some(row.line));
                                session.id = unique_session_id(
                                    &mut taken_session_ids,
                                    &session.clinician,
                                    session.date,
                                    session.part,
                                );
                                sessions.push((row.line, session));
                            }
                        }
                    }
                }
                RotaShape::Slots => {
                    let slot = read_slot(row, &mut problems, &mut tally);
                    if let Some((clinician, mut slot)) = problems.settle(clinician.zip(slot)) {
                        if !slot.free {
                            tally.not_free.push(row.line);
                        }
                        slot.clinician = clinician;
                        slots.push(slot);
                    }
                }
            }
            rejected.append(&mut problems.list);
        })?;

    let shape = RotaShape::of(&mapping);
    let mut notes = std::mem::take(&mut mapping.notes);
    if shape == RotaShape::Slots {
        let made = sessions_from_slots(plan, slots, &mut seen, &mut taken_session_ids, &mut rejected, &mut warnings);
        let free: u32 = made.iter().map(|(_, s)| s.slot_count()).sum();
        notes.push(format!(
            "one row per slot: {free} free slot(s) made into {} session(s); {} slot(s) not free (booked, embargoed, reserved or blocked) not counted",
            made.len(),
            tally.not_free.len()
        ));
        if !mapping.has("status") {
            notes.push("the file has no slot status column: every slot listed is taken as free".into());
        } else if !tally.no_status.is_empty() {
            notes.push(format!("{} with no status taken as free", columns::line_list(&tally.no_status)));
        }
        sessions.extend(made);
    } else if !tally.not_free.is_empty() {
        notes.push(format!(
            "{}: the status says the session is not free; not counted",
            columns::line_list(&tally.not_free)
        ));
    }
    rejected.sort_by_key(|e| e.line);
    if !tally.video.is_empty() {
        notes.push(format!(
            "{}: video sessions are planned as telephone (remote) sessions, never as face-to-face",
            columns::line_list(&tally.video)
        ));
    }
    if !tally.mixed.is_empty() {
        notes.push(format!(
            "{}: the session type names both telephone and face-to-face; planned as face-to-face",
            columns::line_list(&tally.mixed)
        ));
    }

    // A clinician created by rows that were all rejected or not free offers nothing: drop them.
    let mut new_clinicians = clinicians.new;
    new_clinicians.retain(|c| sessions.iter().any(|(_, s)| s.clinician == c.id));
    if !clinicians.from_title.is_empty() {
        let kept: Vec<String> = clinicians
            .from_title
            .iter()
            .filter(|(name, _)| new_clinicians.iter().any(|c| &c.name == name))
            .map(|(name, role)| format!("{name}: {role}"))
            .collect();
        if !kept.is_empty() {
            notes.push(format!("role taken from the title: {}", kept.join(", ")));
        }
    }
    let unused: Vec<String> =
        options.roles.keys().filter(|k| !clinicians.used_roles.contains(*k)).map(|k| format!("\"{k}\"")).collect();
    if !unused.is_empty() {
        notes.push(format!(
            "the roles given for {} were not needed: no new clinician of the file has that name",
            unused.join(", ")
        ));
    }
    warn_about_new_roles(plan, &new_clinicians, &sessions, &mut warnings);
    warnings.sort_by_key(|w| w.line);
    let sessions = sessions.into_iter().map(|(_, s)| s).collect();

    Ok(RotaPreview {
        mapping: mapping.shown,
        headers: mapping.headers,
        new_clinicians,
        sessions,
        rejected,
        warnings,
        total_rows,
        shape,
        ignored: mapping.ignored,
        notes,
        file_warnings: decoded.warnings,
        not_free_rows: tally.not_free.len(),
    })
}

/// Rows read but set aside, by line, for the notes of the preview.
#[derive(Default)]
struct Tally {
    /// Slots (or sessions) whose status says they are not free.
    not_free: Vec<usize>,
    /// Slots with an empty status, taken as free.
    no_status: Vec<usize>,
    /// Video sessions, planned as telephone.
    video: Vec<usize>,
    /// Session types naming both telephone and face-to-face.
    mixed: Vec<usize>,
}

/// Sessions that import but that the planner may not use as the user expects.
fn warn_about(plan: &Plan, session: &Session, line: usize, warnings: &mut Vec<RowError>) {
    let date = session.date.format("%a %d/%m/%Y");
    let mut warn = |reason: String| warnings.push(RowError { line, column: "date".into(), reason });
    if matches!(session.date.weekday(), Weekday::Sat | Weekday::Sun) {
        warn(format!("{date} is a weekend day"));
    } else if !is_working_day(session.date) {
        warn(format!("{date} is a bank holiday in England and Wales"));
    }
    if let Some(horizon) = plan.horizon
        && !horizon.contains(session.date)
    {
        warn(format!(
            "{date} is outside the plan's dates ({} to {}); the planner will not use this session",
            horizon.start.format("%d/%m/%Y"),
            horizon.end.format("%d/%m/%Y")
        ));
    }
}

/// A new clinician with a role no appointment type lists sees nobody: say so,
/// with the types that no session (old or new) can serve after this import.
fn warn_about_new_roles(plan: &Plan, new: &[Clinician], sessions: &[(usize, Session)], warnings: &mut Vec<RowError>) {
    let known = |role: &str| plan.roles.iter().any(|r| same_name(r, role));
    let mut unknown: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for clinician in new.iter().filter(|c| !known(&c.role)) {
        unknown.entry(clinician.role.as_str()).or_default().push(clinician.name.as_str());
    }
    if unknown.is_empty() {
        return;
    }
    let clinician = |id: &str| plan.clinician(id).or_else(|| new.iter().find(|c| c.id == id));
    let can_serve = |c: &Clinician, type_name: &str, roles: &[String]| {
        let by_role =
            roles.iter().any(|r| same_name(r, &c.role)) || c.extra_types.iter().any(|t| same_name(t, type_name));
        by_role && !c.excluded_types.iter().any(|t| same_name(t, type_name))
    };
    let unserved: Vec<&str> = plan
        .appointment_types
        .iter()
        .filter(|t| {
            !plan
                .sessions
                .iter()
                .filter(|s| !s.cancelled)
                .chain(sessions.iter().map(|(_, s)| s))
                .any(|s| clinician(&s.clinician).is_some_and(|c| can_serve(c, &t.name, &t.roles)))
        })
        .map(|t| t.name.as_str())
        .collect();
    let roles: Vec<&str> = plan.roles.iter().map(String::as_str).collect();
    for (role, names) in unknown {
        let line = sessions
            .iter()
            .filter(|(_, s)| new.iter().any(|c| c.id == s.clinician && c.role == role))
            .map(|(line, _)| *line)
            .min()
            .unwrap_or(0);
        let served = if unserved.is_empty() {
            String::new()
        } else {
            format!("; no session can now serve: {}", unserved.join(", "))
        };
        warnings.push(RowError {
            line,
            column: "role".into(),
            reason: format!(
                "\"{role}\" (for {}) is not a role of the plan, so no appointment type is seen in their sessions{served}. \
                 If it is one of {}, give it as the role (on the command line: --role \"NAME=Role\")",
                names.join(", "),
                roles.join(", ")
            ),
        });
    }
}

/// What makes two sessions the same one, so a repeated rota row is not double capacity.
type SessionKey = (String, NaiveDate, PartOfDay, NaiveTime, Mode);

fn key_of(s: &Session) -> SessionKey {
    (s.clinician.clone(), s.date, s.part, s.start, s.mode)
}

/// Adds the previewed clinicians (and their roles) and sessions, sets the
/// horizon from the first to the last session date when the plan has none,
/// links backlog items that name a clinician by name to the clinician's id,
/// and remembers the column mapping.
pub fn accept_rota(plan: &mut Plan, preview: RotaPreview) {
    for clinician in preview.new_clinicians {
        if plan.clinician(&clinician.id).is_some() {
            continue;
        }
        if !plan.roles.iter().any(|r| r.eq_ignore_ascii_case(&clinician.role)) {
            plan.roles.push(clinician.role.clone());
        }
        plan.clinicians.push(clinician);
    }
    let mut taken: BTreeSet<String> = plan.sessions.iter().map(|s| s.id.clone()).collect();
    for mut session in preview.sessions {
        if taken.contains(&session.id) {
            session.id = unique_session_id(&mut taken, &session.clinician, session.date, session.part);
        } else {
            taken.insert(session.id.clone());
        }
        plan.sessions.push(session);
    }
    if plan.horizon.is_none() {
        let first = plan.sessions.iter().map(|s| s.date).min();
        let last = plan.sessions.iter().map(|s| s.date).max();
        if let (Some(start), Some(end)) = (first, last) {
            plan.horizon = Some(Horizon { start, end });
        }
    }
    link_backlog_clinicians(plan);
    super::remember_mapping(plan, preview.mapping);
    plan.normalise();
}

/// A backlog imported before the rota keeps clinician names as exported;
/// once the clinicians exist, replace the names by their ids (also names
/// written another way, "SMITH, Anne (Dr)" for "Dr A Smith").
fn link_backlog_clinicians(plan: &mut Plan) {
    let resolve = |plan: &Plan, text: &str| -> Option<String> {
        if plan.clinician(text).is_some() {
            None
        } else {
            match_clinician(&plan.clinicians, text).found().map(|c| c.id.clone())
        }
    };
    for i in 0..plan.backlog.len() {
        if let Some(id) = resolve(plan, &plan.backlog[i].original_clinician) {
            plan.backlog[i].original_clinician = id;
        }
        let linked = match &plan.backlog[i].continuity {
            Continuity::Preferred(name) => resolve(plan, name).map(Continuity::Preferred),
            Continuity::Required(name) => resolve(plan, name).map(Continuity::Required),
            Continuity::None => None,
        };
        if let Some(continuity) = linked {
            plan.backlog[i].continuity = continuity;
        }
    }
}

/// The clinicians of a rota: the plan's, and those the file adds.
struct Clinicians<'a> {
    plan: &'a Plan,
    /// The roles the user gave, as clinicians so names match in any form.
    given_roles: Vec<Clinician>,
    /// Keys of `given_roles` that named a new clinician.
    used_roles: BTreeSet<String>,
    new: Vec<Clinician>,
    taken_ids: BTreeSet<String>,
    /// Each name as written that was matched or created: its clinician id.
    resolved: BTreeMap<String, String>,
    /// Names as written with no role: the first line that lacked it.
    no_role: BTreeMap<String, usize>,
    /// New clinicians' names and the role their title gave.
    from_title: Vec<(String, String)>,
}

impl<'a> Clinicians<'a> {
    fn new(plan: &'a Plan, roles: &BTreeMap<String, String>) -> Self {
        let given_roles = roles
            .iter()
            .map(|(name, role)| Clinician {
                id: name.clone(),
                name: name.clone(),
                role: role.clone(),
                extra_types: Vec::new(),
                excluded_types: Vec::new(),
                daily_cap: None,
            })
            .collect();
        Clinicians {
            plan,
            given_roles,
            used_roles: BTreeSet::new(),
            new: Vec::new(),
            taken_ids: plan.clinicians.iter().map(|c| c.id.clone()).collect(),
            resolved: BTreeMap::new(),
            no_role: BTreeMap::new(),
            from_title: Vec::new(),
        }
    }

    /// The clinician id of a row: a plan clinician, one already created by an
    /// earlier row, or a new one. Two clinicians who both fit the name are not
    /// guessed between; a new one whose name is close to a plan clinician's is
    /// a warning (a typing mistake would otherwise add a second clinician).
    fn of_row(&mut self, row: &Row<'_>, problems: &mut RowProblems, warnings: &mut Vec<RowError>) -> Option<String> {
        let Some(name) = row.get("clinician") else {
            problems.add("clinician", "the clinician is missing");
            return None;
        };
        if let Some(id) = self.resolved.get(name) {
            return Some(id.clone());
        }
        let parts = NameParts::parse(name);
        if parts.surname_key().is_empty() {
            problems.add("clinician", format!("\"{name}\" is not a clinician's name"));
            return None;
        }
        let found = match_clinician(self.plan.clinicians.iter().chain(&self.new), name);
        let close = match &found {
            ClinicianMatch::Found(c) => {
                let id = c.id.clone();
                self.resolved.insert(name.to_string(), id.clone());
                return Some(id);
            }
            ClinicianMatch::Ambiguous(_) => {
                problems.add("clinician", found.problem(name).unwrap_or_default());
                return None;
            }
            ClinicianMatch::Unknown { closest } => (!closest.is_empty()).then(|| found.problem(name)).flatten(),
        };
        let role = self.role_of(name, &parts, row, problems)?;
        let display = plan_name(name, &parts);
        let id = clinician_id(&mut self.taken_ids, &display, &role);
        if let Some(close) = close {
            warnings.push(RowError {
                line: row.line,
                column: "clinician".into(),
                reason: format!("{close}; added as a new clinician ({display}, {role})"),
            });
        }
        self.new.push(Clinician {
            id: id.clone(),
            name: display,
            role,
            extra_types: Vec::new(),
            excluded_types: Vec::new(),
            daily_cap: None,
        });
        self.resolved.insert(name.to_string(), id.clone());
        Some(id)
    }

    /// The role of a clinician the plan does not have: given by the user,
    /// else the row's, else from the title; the plan's spelling when known.
    fn role_of(&mut self, name: &str, parts: &NameParts, row: &Row<'_>, problems: &mut RowProblems) -> Option<String> {
        if let Some(given) = match_clinician(&self.given_roles, name).found() {
            self.used_roles.insert(given.id.clone());
            return Some(canonical_role(self.plan, &given.role));
        }
        if let Some(text) = row.get("role") {
            return Some(canonical_role(self.plan, text));
        }
        let by_title = match parts.title.as_deref() {
            Some("dr" | "doctor") => Some("GP"),
            Some("nurse" | "sister" | "sr") => Some("Practice nurse"),
            _ => None,
        };
        if let Some(role) = by_title.map(|r| canonical_role(self.plan, r)) {
            let display = plan_name(name, parts);
            if !self.from_title.iter().any(|(n, _)| n == &display) {
                self.from_title.push((display, role.clone()));
            }
            return Some(role);
        }
        match self.no_role.get(name) {
            Some(first) => problems.add("role", format!("no role for \"{name}\" (see line {first})")),
            None => {
                self.no_role.insert(name.to_string(), row.line);
                problems.add(
                    "role",
                    format!(
                        "\"{name}\" is not a clinician in the plan and the file gives no role: give one \
                         (on the command line: --role \"{name}=Role\"; the plan's roles: {})",
                        self.plan.roles.join(", ")
                    ),
                );
            }
        }
        None
    }
}

/// A new clinician's name as the plan shows it: "SMITH, Anne (Dr)" and
/// "DR A SMITH" become "Dr Anne Smith" and "Dr A Smith"; a name already
/// written that way is kept as it is.
fn plan_name(text: &str, parts: &NameParts) -> String {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    let all_capitals = letters > 1 && !text.chars().any(char::is_lowercase);
    if text.contains([',', '(']) || all_capitals {
        parts.display()
    } else {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// The plan's spelling of a role, also for the names rotas use for the
/// standard ones ("General Medical Practitioner", "Sister", "Healthcare
/// assistant"); otherwise the text as written (a new role).
fn canonical_role(plan: &Plan, text: &str) -> String {
    let key = name_key(text);
    if let Some(role) = plan.roles.iter().find(|r| name_key(r) == key) {
        return role.clone();
    }
    let standard = standard_role(text);
    plan.roles
        .iter()
        .find(|r| !standard.is_empty() && name_key(r) == standard)
        .cloned()
        .unwrap_or_else(|| text.trim().to_string())
}

/// The `name_key` of the standard role a rota's job title means, or "".
fn standard_role(text: &str) -> &'static str {
    let key = name_key(text);
    let exact = match key.as_str() {
        "doctor"
        | "gppartner"
        | "partner"
        | "salariedgp"
        | "locumgp"
        | "locum"
        | "gpregistrar"
        | "registrar"
        | "generalpractitioner"
        | "generalmedicalpractitioner"
        | "gpretainer"
        | "gp(salaried)"
        | "gp(locum)"
        | "gp(partner)" => "gp",
        "nurse" | "pn" | "treatmentroomnurse" | "sister" | "seniorpracticenurse" | "practicesister" => "practicenurse",
        "advancednursepractitioner" | "nursepractitioner" | "np" | "advancedclinicalpractitioner" => "anp",
        "healthcareassistant" | "healthcaresupportworker" | "hcsw" => "hca",
        "clinicalpharmacist" | "pharm" | "practicepharmacist" => "pharmacist",
        _ => "",
    };
    if !exact.is_empty() {
        return exact;
    }
    // Longer titles: "Senior Practice Nurse", "GP Partner (Dr)", "Health Care Assistant".
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let has = |w: &str| words.contains(&w);
    if has("gp") || (has("general") && has("practitioner")) {
        "gp"
    } else if has("anp") || (has("advanced") && has("practitioner")) {
        "anp"
    } else if has("hca") || (has("assistant") && (has("healthcare") || has("care"))) {
        "hca"
    } else if has("pharmacist") {
        "pharmacist"
    } else if has("nurse") || has("sister") {
        "practicenurse"
    } else {
        ""
    }
}

/// "Dr A Patel" with role GP -> "GP-PATEL"; "GP-PATEL-A", then "-2"... when taken.
/// Records the id in `taken`. The one rule for new clinicians' ids: the
/// Capacity screen uses it too.
pub fn clinician_id(taken: &mut BTreeSet<String>, name: &str, role: &str) -> String {
    let upper_word =
        |w: &str| -> String { w.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect() };
    let prefix =
        role.split_whitespace().last().map(upper_word).filter(|p| !p.is_empty()).unwrap_or_else(|| "STAFF".into());
    let parts = NameParts::parse(name);
    let surname: String = parts.surname.iter().map(|w| upper_word(w)).collect();
    let surname = if surname.is_empty() { "X".to_string() } else { surname };
    let initials: String = parts.given.iter().filter_map(|w| upper_word(w).chars().next()).collect();
    let mut candidates = vec![format!("{prefix}-{surname}")];
    if !initials.is_empty() {
        candidates.push(format!("{prefix}-{surname}-{initials}"));
    }
    for candidate in &candidates {
        if !taken.contains(candidate) {
            taken.insert(candidate.clone());
            return candidate.clone();
        }
    }
    let base = candidates[0].clone();
    let mut n = 2;
    loop {
        let id = format!("{base}-{n}");
        if taken.insert(id.clone()) {
            return id;
        }
        n += 1;
    }
}

/// The part of the day and start of a row: each gives the other.
fn part_and_start(row: &Row<'_>, problems: &mut RowProblems) -> Option<(PartOfDay, NaiveTime)> {
    let part = row.get("part").and_then(|t| problems.take("part", parse::part_of_day(t)));
    let start = row.get("start").and_then(|t| problems.take("start", start_of(t).map(|(_, time)| time)));
    match (part, start) {
        (Some(part), Some(start)) => match part.check_start(start) {
            Ok(()) => Some((part, start)),
            Err(wrong) => {
                problems.add("start", wrong.to_string());
                None
            }
        },
        (Some(part), None) if row.get("start").is_none() => Some((part, default_start(part))),
        (None, Some(start)) if row.get("part").is_none() => Some((PartOfDay::of_time(start), start)),
        _ => {
            if row.get("part").is_none() && row.get("start").is_none() {
                let column = if row.mapping.has("part") { "part" } else { "start" };
                problems.add(column, "the part of the day (AM/PM) or the start time is missing");
            }
            None
        }
    }
}

/// The session of a session row, without clinician or id yet; `Some(None)`
/// when its status says it is not free.
fn read_session(row: &Row<'_>, problems: &mut RowProblems, tally: &mut Tally) -> Option<Option<Session>> {
    let date = read_date(row, problems);
    let part_start = part_and_start(row, problems);
    let slot_minutes = match row.get("slot_minutes") {
        Some(text) => problems.take("slot_minutes", minutes(text)),
        None => Some(DEFAULT_SLOT_MINUTES),
    };
    let free_slots = match row.get("free_slots") {
        Some(text) => problems.take("free_slots", parse::count(text, 0..=500, "free slots")),
        None => {
            problems.add("free_slots", "the number of free slots is missing");
            None
        }
    };
    let mode = row_mode(row, problems, tally);
    let free = match row.get("status") {
        Some(text) => problems.take("status", slot_status(text))?,
        None => true,
    };
    let (part, start) = part_start?;
    let session = Session {
        id: String::new(),
        clinician: String::new(),
        date: date?,
        part,
        start,
        slot_minutes: slot_minutes?,
        free_slots: free_slots?,
        mode: mode?,
        slot_times: Vec::new(),
        cancelled: false,
    };
    Some(free.then_some(session))
}

/// The date of a row: its date column, else the date its start time carries.
fn read_date(row: &Row<'_>, problems: &mut RowProblems) -> Option<NaiveDate> {
    let from_start = row.get("start").and_then(|t| start_of(t).ok()).and_then(|(date, _)| date);
    match (row.get("date"), from_start) {
        (Some(text), Some(other)) => {
            let date = problems.take("date", parse::date(text))?;
            if other != date {
                problems.add(
                    "start",
                    format!(
                        "the start is on {}, but the date says {}",
                        other.format("%d/%m/%Y"),
                        date.format("%d/%m/%Y")
                    ),
                );
                return None;
            }
            Some(date)
        }
        (Some(text), None) => problems.take("date", parse::date(text)),
        (None, Some(date)) => Some(date),
        (None, None) => {
            let column = if row.mapping.has("date") { "date" } else { "start" };
            problems.add(column, "the session date is missing");
            None
        }
    }
}

/// A start cell, which may carry the date as well, as some exports write it
/// ("22 Jul 2024 09:00:00", "22/07/2024 9:00 am", "2024-07-22T09:00"):
/// the date when there is one, and the time.
fn start_of(text: &str) -> Result<(Option<NaiveDate>, NaiveTime), parse::ParseError> {
    match (parse::time(text), parse::date_time(text)) {
        (Ok(time), _) => Ok((None, time)),
        (Err(_), Ok((date, Some(time)))) => Ok((Some(date), time)),
        (Err(reason), _) => Err(reason),
    }
}

/// One row of a slot list.
struct Slot {
    line: usize,
    clinician: String,
    date: NaiveDate,
    part: PartOfDay,
    start: NaiveTime,
    /// `None` when the file does not say (worked out from the slot times).
    minutes: Option<u32>,
    mode: Mode,
    free: bool,
}

/// A slot row, without its clinician yet.
fn read_slot(row: &Row<'_>, problems: &mut RowProblems, tally: &mut Tally) -> Option<Slot> {
    let date = read_date(row, problems);
    let part_start = if row.get("start").is_none() {
        problems.add("start", "the slot's start time is missing");
        None
    } else {
        part_and_start(row, problems)
    };
    let minutes = row.get("slot_minutes").map(|text| problems.take("slot_minutes", minutes(text)));
    let mode = row_mode(row, problems, tally);
    let free = match row.get("status") {
        Some(text) => problems.take("status", slot_status(text)),
        None => {
            if row.mapping.has("status") {
                tally.no_status.push(row.line);
            }
            Some(true)
        }
    };
    let (part, start) = part_start?;
    Some(Slot {
        line: row.line,
        clinician: String::new(),
        date: date?,
        part,
        start,
        minutes: minutes.flatten(),
        mode: mode?,
        free: free?,
    })
}

/// Morning and afternoon sessions from the slots of a slot list: one per
/// clinician, date, part of the day, mode and slot length with any free slot.
/// The free slots' times are kept when they do not run on from the first.
fn sessions_from_slots(
    plan: &Plan,
    slots: Vec<Slot>,
    seen: &mut BTreeMap<SessionKey, Option<usize>>,
    taken_ids: &mut BTreeSet<String>,
    rejected: &mut Vec<RowError>,
    warnings: &mut Vec<RowError>,
) -> Vec<(usize, Session)> {
    type GroupKey = (String, NaiveDate, PartOfDay, Mode, Option<u32>);
    let mut groups: BTreeMap<GroupKey, Vec<Slot>> = BTreeMap::new();
    for slot in slots {
        groups.entry((slot.clinician.clone(), slot.date, slot.part, slot.mode, slot.minutes)).or_default().push(slot);
    }
    let mut made: Vec<(usize, Session)> = Vec::new();
    for ((clinician, date, part, mode, minutes), mut group) in groups {
        group.sort_by_key(|s| (s.start, s.line));
        let slot_minutes = minutes.unwrap_or_else(|| smallest_gap(&group));
        let mut free: Vec<&Slot> = Vec::new();
        for slot in group.iter().filter(|s| s.free) {
            match free.last() {
                Some(last) if last.start == slot.start => warnings.push(RowError {
                    line: slot.line,
                    column: "start".into(),
                    reason: format!(
                        "the slot at {} is also on line {}; counted once",
                        slot.start.format("%H:%M"),
                        last.line
                    ),
                }),
                _ => free.push(slot),
            }
        }
        let Some(first) = free.first() else { continue };
        let start = first.start;
        let runs_on = free.iter().enumerate().all(|(i, s)| {
            let offset = i64::try_from(i).unwrap_or(i64::MAX).saturating_mul(i64::from(slot_minutes));
            chrono::TimeDelta::try_minutes(offset).map(|step| start.overflowing_add_signed(step).0) == Some(s.start)
        });
        let first_line = group.iter().map(|s| s.line).min().unwrap_or(0);
        let mut session = Session {
            id: String::new(),
            clinician,
            date,
            part,
            start,
            slot_minutes,
            free_slots: u32::try_from(free.len()).unwrap_or(u32::MAX),
            mode,
            slot_times: if runs_on { Vec::new() } else { free.iter().map(|s| s.start).collect() },
            cancelled: false,
        };
        if seen.get(&key_of(&session)).is_some() {
            // Only the plan's sessions can be seen already: each group is one key.
            // The free slots are refused; the others are counted as not free already.
            for line in group.iter().filter(|s| s.free).map(|s| s.line) {
                rejected.push(RowError {
                    line,
                    column: "row".into(),
                    reason: format!("the plan already has this session (its slots start at {})", start.format("%H:%M")),
                });
            }
            continue;
        }
        warn_about(plan, &session, first_line, warnings);
        seen.insert(key_of(&session), Some(first_line));
        session.id = unique_session_id(taken_ids, &session.clinician, session.date, session.part);
        made.push((first_line, session));
    }
    made.sort_by_key(|(line, _)| *line);
    made
}

/// The slot length of a list without one: the smallest step between slot
/// times (booked ones included), else the default.
fn smallest_gap(sorted: &[Slot]) -> u32 {
    sorted
        .windows(2)
        .filter_map(|w| u32::try_from((w[1].start - w[0].start).num_minutes()).ok())
        .filter(|m| (1..=240).contains(m))
        .min()
        .unwrap_or(DEFAULT_SLOT_MINUTES)
}

/// A slot length: "10", "10 mins", "10 min", "10m", "10 minutes", "1 hour", "0:10".
fn minutes(text: &str) -> Result<u32, parse::ParseError> {
    let bad = || parse::ParseError::NotASlotLength(text.trim().to_string());
    let lower = text.trim().to_lowercase();
    let total = if let Some((hours, mins)) = lower.split_once(':') {
        let hours: u32 = hours.trim().parse().map_err(|_| bad())?;
        let mins: u32 = mins.trim().parse().map_err(|_| bad())?;
        hours.checked_mul(60).and_then(|h| h.checked_add(mins)).ok_or_else(bad)?
    } else {
        let digits = lower.find(|c: char| !c.is_ascii_digit()).unwrap_or(lower.len());
        let (number, unit) = lower.split_at(digits);
        let number: u32 = number.parse().map_err(|_| bad())?;
        let factor = match unit.trim().trim_end_matches('.') {
            "" | "m" | "min" | "mins" | "minute" | "minutes" | "mns" => 1,
            "h" | "hr" | "hrs" | "hour" | "hours" => 60,
            _ => return Err(bad()),
        };
        number.checked_mul(factor).ok_or_else(bad)?
    };
    parse::count(&total.to_string(), 1..=240, "minutes")
}

/// Whether a slot's status makes it free to book: free/available count;
/// booked, embargoed, reserved, blocked and the like do not.
fn slot_status(text: &str) -> Result<bool, parse::ParseError> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    const NOT_FREE: &[&str] = &[
        "not",
        "booked",
        "embargoed",
        "embargo",
        "reserved",
        "blocked",
        "unavailable",
        "locked",
        "held",
        "taken",
        "arrived",
        "attended",
        "seen",
        "dna",
        "finished",
        "completed",
        "cancelled",
        "canceled",
        "closed",
        "full",
    ];
    const FREE: &[&str] = &["free", "available", "unbooked", "open", "vacant", "bookable", "empty", "slot"];
    if has(NOT_FREE) {
        Ok(false)
    } else if has(FREE) {
        Ok(true)
    } else {
        Err(parse::ParseError::NotASlotStatus(text.trim().to_string()))
    }
}

/// How a session type or mode names its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ModeWords {
    FaceToFace,
    Telephone,
    Video,
    /// Both remote and face-to-face words ("Tel / F2F").
    Mixed,
}

/// The delivery a free text names: "Telephone Triage", "Tel", "Face to Face
/// (Surgery)", "Video consultation"; `None` when it names none.
fn mode_words(text: &str) -> Option<ModeWords> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let any = |test: &dyn Fn(&str) -> bool| words.iter().any(|w| test(w));
    let phone = any(&|w| {
        w.starts_with("telephon")
            || matches!(w, "tel" | "tele" | "phone" | "phones" | "phonecall" | "tc" | "call" | "calls" | "callback")
    });
    let video = any(&|w| w.starts_with("video"));
    let in_person = any(&|w| matches!(w, "f2f" | "ftf" | "face" | "facetoface" | "person"));
    let surgery = any(&|w| matches!(w, "surgery" | "clinic"));
    match (phone || video, in_person) {
        (true, true) => Some(ModeWords::Mixed),
        (true, false) if phone => Some(ModeWords::Telephone),
        (true, false) => Some(ModeWords::Video),
        (false, true) => Some(ModeWords::FaceToFace),
        (false, false) => surgery.then_some(ModeWords::FaceToFace),
    }
}

/// The mode of a row: its mode column, else its session type, else
/// face-to-face. Video is remote, so it is planned as telephone.
fn row_mode(row: &Row<'_>, problems: &mut RowProblems, tally: &mut Tally) -> Option<Mode> {
    let words = match (row.get("mode"), row.get("session_type")) {
        (Some(text), _) => match parse::session_mode(text) {
            Ok(mode) => return Some(mode),
            Err(reason) => match mode_words(text) {
                Some(words) => words,
                None => {
                    problems.add("mode", format!("{reason} (or Video)"));
                    return None;
                }
            },
        },
        (None, Some(text)) => match mode_words(text) {
            Some(words) => words,
            None => return Some(Mode::FaceToFace),
        },
        (None, None) => return Some(Mode::FaceToFace),
    };
    Some(match words {
        ModeWords::FaceToFace => Mode::FaceToFace,
        ModeWords::Telephone => Mode::Telephone,
        ModeWords::Video => {
            tally.video.push(row.line);
            Mode::Telephone
        }
        ModeWords::Mixed => {
            tally.mixed.push(row.line);
            Mode::FaceToFace
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn column_table_is_consistent() {
        columns::assert_specs_consistent(SPECS, ROTA_COLUMNS);
    }

    #[test]
    fn clinician_ids_from_names() {
        let mut taken = BTreeSet::new();
        assert_eq!(clinician_id(&mut taken, "Dr A Patel", "GP"), "GP-PATEL");
        assert_eq!(clinician_id(&mut taken, "Dr B Patel", "GP"), "GP-PATEL-B");
        assert_eq!(clinician_id(&mut taken, "Dr B Patel", "GP"), "GP-PATEL-2");
        assert_eq!(clinician_id(&mut taken, "Sister Zoë O'Brien", "Practice nurse"), "NURSE-OBRIEN");
        assert_eq!(clinician_id(&mut taken, "SMITH, Anne (Dr)", "GP"), "GP-SMITH");
    }

    #[test]
    fn role_names_rotas_use() {
        let plan = Plan::new("Test");
        for (text, role) in [
            ("Salaried GP", "GP"),
            ("General Medical Practitioner", "GP"),
            ("GP Partner", "GP"),
            ("Locum GP", "GP"),
            ("nurse", "Practice nurse"),
            ("practice_nurse", "Practice nurse"),
            ("Sister", "Practice nurse"),
            ("Senior Practice Nurse", "Practice nurse"),
            ("Advanced Nurse Practitioner", "ANP"),
            ("Healthcare Assistant", "HCA"),
            ("Health Care Assistant", "HCA"),
            ("HCA", "HCA"),
            ("Clinical Pharmacist", "Pharmacist"),
            ("Physiotherapist", "Physiotherapist"),
        ] {
            assert_eq!(canonical_role(&plan, text), role, "{text}");
        }
    }

    #[test]
    fn slot_lengths_with_units() {
        for text in ["10", "10 mins", "10 min", "10m", "10 minutes", "10 Mins.", "0:10"] {
            assert_eq!(minutes(text), Ok(10), "{text}");
        }
        assert_eq!(minutes("1 hour"), Ok(60));
        assert!(minutes("ten").unwrap_err().to_string().contains("\"ten\" is not a slot length"));
        assert!(minutes("10 days").is_err());
        assert!(minutes("0").is_err());
        assert!(minutes("999 mins").unwrap_err().to_string().contains("out of range"));
        assert!(minutes("99999999999").is_err());
    }

    #[test]
    fn slot_statuses() {
        for text in ["Free", "available", "Unbooked", "Available - Routine"] {
            assert_eq!(slot_status(text), Ok(true), "{text}");
        }
        for text in ["Booked", "Embargoed", "Reserved", "Blocked", "Not available", "Unavailable", "Booked (Arrived)"] {
            assert_eq!(slot_status(text), Ok(false), "{text}");
        }
        assert!(slot_status("Maybe").unwrap_err().to_string().contains("\"Maybe\""));
    }

    #[test]
    fn modes_from_session_types() {
        assert_eq!(mode_words("Telephone Triage"), Some(ModeWords::Telephone));
        assert_eq!(mode_words("GP Tel Consults"), Some(ModeWords::Telephone));
        assert_eq!(mode_words("Face to Face (Surgery)"), Some(ModeWords::FaceToFace));
        assert_eq!(mode_words("Video consultation"), Some(ModeWords::Video));
        assert_eq!(mode_words("Tel / F2F"), Some(ModeWords::Mixed));
        assert_eq!(mode_words("Telephone clinic"), Some(ModeWords::Telephone));
        assert_eq!(mode_words("Nurse Clinic"), Some(ModeWords::FaceToFace));
        assert_eq!(mode_words("Routine"), None);
    }

    #[test]
    fn names_of_new_clinicians() {
        let name = |t: &str| plan_name(t, &NameParts::parse(t));
        assert_eq!(name("SMITH, Anne (Dr)"), "Dr Anne Smith");
        assert_eq!(name("DR A SMITH"), "Dr A Smith");
        assert_eq!(name("Evie  Cartwright"), "Evie Cartwright");
        assert_eq!(name("Dr. A Patel"), "Dr. A Patel");
    }

    #[test]
    fn start_cells_with_dates() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let day = NaiveDate::from_ymd_opt(2024, 7, 22);
        assert_eq!(start_of("09:00"), Ok((None, t(9, 0))));
        assert_eq!(start_of("2:30 pm"), Ok((None, t(14, 30))));
        assert_eq!(start_of("22 Jul 2024 09:00:00"), Ok((day, t(9, 0))));
        assert_eq!(start_of("22/07/2024 2:30 pm"), Ok((day, t(14, 30))));
        assert_eq!(start_of("2024-07-22T09:00"), Ok((day, t(9, 0))));
        assert_eq!(start_of("soon"), Err(parse::ParseError::NotATime("soon".into())));
    }
}
