//! The rota file: one row per clinician session with free slots.

use super::columns::{self, ColumnSpec, Row};
use super::{ImportError, RotaPreview, RowError, RowProblems, values};
use crate::io::calendar::{is_working_day, unique_session_id};
use crate::model::{Clinician, Continuity, Horizon, Mode, PartOfDay, Plan, Session, name_key};
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use std::collections::{BTreeMap, BTreeSet};

const SPECS: &[ColumnSpec] = &[
    ColumnSpec {
        name: "clinician",
        required: true,
        aliases: &["Clinician Name", "Staff", "Staff Name", "Name", "Practitioner", "HCP", "User"],
    },
    ColumnSpec { name: "role", required: false, aliases: &["Staff Role", "Job Role", "Staff Group", "Job Title"] },
    ColumnSpec { name: "date", required: true, aliases: &["Session Date", "Day", "Rota Date"] },
    ColumnSpec { name: "part", required: false, aliases: &["Session", "AM/PM", "Part of Day", "Half Day"] },
    ColumnSpec { name: "start", required: false, aliases: &["Start Time", "Session Start", "From", "Time"] },
    ColumnSpec {
        name: "slot_minutes",
        required: false,
        aliases: &["Slot Length", "Slot Mins", "Slot Duration", "Minutes", "Duration", "Slot Minutes"],
    },
    ColumnSpec {
        name: "free_slots",
        required: true,
        aliases: &["Free", "Slots", "Available", "Available Slots", "Free Slot Count", "Free Slots"],
    },
    ColumnSpec { name: "mode", required: false, aliases: &["Session Mode", "Consultation Mode", "Delivery Mode"] },
];

/// Canonical rota columns in the order the import screen lists them.
pub const ROTA_COLUMNS: &[&str] = &["clinician", "role", "date", "part", "start", "slot_minutes", "free_slots", "mode"];

/// Slot length when the rota does not say.
const DEFAULT_SLOT_MINUTES: u32 = 10;

fn default_start(part: PartOfDay) -> NaiveTime {
    match part {
        PartOfDay::AM => NaiveTime::from_hms_opt(8, 30, 0),
        PartOfDay::PM => NaiveTime::from_hms_opt(14, 0, 0),
    }
    .unwrap_or(NaiveTime::MIN)
}

/// Reads a rota export against the plan. Clinicians are matched by id or name;
/// unknown ones are created with the row's role (required for them). A row
/// needs a part of the day or a start time (each gives the other: 08:30 / 14:00
/// by default). Slot length defaults to 10 minutes, mode to face-to-face.
/// The plan is not changed.
pub fn preview_rota(
    plan: &Plan,
    bytes: &[u8],
    overrides: &BTreeMap<String, String>,
) -> Result<RotaPreview, ImportError> {
    let text = columns::decode(bytes)?;
    let mut new_clinicians: Vec<Clinician> = Vec::new();
    let mut taken_clinician_ids: BTreeSet<String> = plan.clinicians.iter().map(|c| c.id.clone()).collect();
    let mut taken_session_ids: BTreeSet<String> = plan.sessions.iter().map(|s| s.id.clone()).collect();
    let mut seen: BTreeMap<SessionKey, Option<usize>> = plan.sessions.iter().map(|s| (key_of(s), None)).collect();
    let mut sessions = Vec::new();
    let mut rejected = Vec::new();
    let mut warnings = Vec::new();

    let check_header = |mapping: &columns::Mapping| {
        for spec in SPECS.iter().filter(|s| s.required) {
            if !mapping.has(spec.name) {
                return Err(columns::missing(spec.name, SPECS, mapping));
            }
        }
        if !mapping.has("part") && !mapping.has("start") {
            return Err(columns::missing("part", SPECS, mapping));
        }
        Ok(())
    };
    let (mapping, total_rows) =
        columns::read_rows(&text, SPECS, &plan.import_mapping, overrides, check_header, |row| {
            let mut problems = RowProblems::new(row.line);
            if let Some(reason) = columns::extra_fields_reason(row) {
                problems.add("row", reason);
                rejected.append(&mut problems.list);
                return;
            }
            let clinician = clinician_of(plan, row, &mut new_clinicians, &mut taken_clinician_ids, &mut problems);
            let session = read_session(row, &mut problems);
            if let Some((clinician, mut session)) = problems.settle(clinician.zip(session)) {
                session.clinician = clinician;
                match seen.get(&key_of(&session)) {
                    Some(Some(line)) => problems.add("row", format!("the same session is already on line {line}")),
                    Some(None) => problems.add("row", "the plan already has this session"),
                    None => {
                        warn_about(plan, &session, row.line, &mut warnings);
                        seen.insert(key_of(&session), Some(row.line));
                        session.id =
                            unique_session_id(&mut taken_session_ids, &session.clinician, session.date, session.part);
                        sessions.push(session);
                    }
                }
            }
            rejected.append(&mut problems.list);
        })?;

    // A clinician created by a row that was then rejected offers nothing: drop them.
    new_clinicians.retain(|c| sessions.iter().any(|s| s.clinician == c.id));
    Ok(RotaPreview {
        mapping: mapping.shown,
        headers: mapping.headers,
        new_clinicians,
        sessions,
        rejected,
        warnings,
        total_rows,
    })
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
/// once the clinicians exist, replace the names by their ids.
fn link_backlog_clinicians(plan: &mut Plan) {
    let resolve = |plan: &Plan, text: &str| -> Option<String> {
        if plan.clinician(text).is_some() { None } else { plan.find_clinician(text).map(|c| c.id.clone()) }
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

/// The clinician id of a row: a plan clinician, one already created by an
/// earlier row, or a new one made with the row's role.
fn clinician_of(
    plan: &Plan,
    row: &Row<'_>,
    new_clinicians: &mut Vec<Clinician>,
    taken_ids: &mut BTreeSet<String>,
    problems: &mut RowProblems,
) -> Option<String> {
    let Some(name) = row.get("clinician") else {
        problems.add("clinician", "the clinician is missing");
        return None;
    };
    if let Some(known) = plan.find_clinician(name) {
        return Some(known.id.clone());
    }
    let key = name_key(name);
    if let Some(created) = new_clinicians.iter().find(|c| name_key(&c.name) == key || c.id.eq_ignore_ascii_case(name)) {
        return Some(created.id.clone());
    }
    let Some(role_text) = row.get("role") else {
        problems
            .add("role", format!("\"{name}\" is not a clinician in the plan; give their role so they can be added"));
        return None;
    };
    let role = canonical_role(plan, role_text);
    let id = clinician_id(taken_ids, name, &role);
    new_clinicians.push(Clinician {
        id: id.clone(),
        name: name.to_string(),
        role,
        extra_types: Vec::new(),
        excluded_types: Vec::new(),
        daily_cap: None,
    });
    Some(id)
}

/// The plan's spelling of a role, also for the names rotas use for the
/// standard ones ("Salaried GP", "Nurse", "Healthcare assistant"); otherwise
/// the text as written (a new role).
fn canonical_role(plan: &Plan, text: &str) -> String {
    let key = name_key(text);
    if let Some(role) = plan.roles.iter().find(|r| name_key(r) == key) {
        return role.clone();
    }
    let standard = match key.as_str() {
        "doctor"
        | "gppartner"
        | "partner"
        | "salariedgp"
        | "locumgp"
        | "locum"
        | "gpregistrar"
        | "generalpractitioner" => "gp",
        "nurse" | "pn" | "treatmentroomnurse" => "practicenurse",
        "advancednursepractitioner" | "nursepractitioner" | "np" => "anp",
        "healthcareassistant" | "healthcaresupportworker" | "hcsw" => "hca",
        "clinicalpharmacist" | "pharm" => "pharmacist",
        _ => "",
    };
    plan.roles
        .iter()
        .find(|r| !standard.is_empty() && name_key(r) == standard)
        .cloned()
        .unwrap_or_else(|| text.trim().to_string())
}

/// "Dr A Patel" with role GP -> "GP-PATEL"; "GP-PATEL-A", then "-2"... when taken.
fn clinician_id(taken: &mut BTreeSet<String>, name: &str, role: &str) -> String {
    let upper_word =
        |w: &str| -> String { w.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect() };
    let prefix =
        role.split_whitespace().last().map(upper_word).filter(|p| !p.is_empty()).unwrap_or_else(|| "STAFF".into());
    const TITLES: &[&str] = &["DR", "MR", "MRS", "MS", "MISS", "MX", "PROF", "NURSE", "SISTER"];
    let words: Vec<String> =
        name.split_whitespace().map(upper_word).filter(|w| !w.is_empty() && !TITLES.contains(&w.as_str())).collect();
    let surname = words.last().cloned().unwrap_or_else(|| "X".into());
    let initials: String = words.iter().take(words.len().saturating_sub(1)).filter_map(|w| w.chars().next()).collect();
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

/// The session of a row, without clinician or id yet.
fn read_session(row: &Row<'_>, problems: &mut RowProblems) -> Option<Session> {
    let date = match row.get("date") {
        Some(text) => problems.take("date", values::date(text)),
        None => {
            problems.add("date", "the session date is missing");
            None
        }
    };
    let part = row.get("part").and_then(|t| problems.take("part", values::part_of_day(t)));
    let start = row.get("start").and_then(|t| problems.take("start", values::time(t)));
    let (part, start) = match (part, start) {
        (Some(part), Some(start)) if PartOfDay::of_time(start) != part => {
            problems.add(
                "start",
                format!(
                    "start {} is in the {}, but the part of the day says {}",
                    start.format("%H:%M"),
                    day_half(start),
                    part.label()
                ),
            );
            return None;
        }
        (Some(part), Some(start)) => (part, start),
        (Some(part), None) => (part, default_start(part)),
        (None, Some(start)) => (PartOfDay::of_time(start), start),
        (None, None) => {
            if row.get("part").is_none() && row.get("start").is_none() {
                let column = if row.mapping.has("part") { "part" } else { "start" };
                problems.add(column, "the part of the day (AM/PM) or the start time is missing");
            }
            return None;
        }
    };
    let slot_minutes = match row.get("slot_minutes") {
        Some(text) => problems.take("slot_minutes", values::count(text, 1..=240, "minutes")),
        None => Some(DEFAULT_SLOT_MINUTES),
    };
    let free_slots = match row.get("free_slots") {
        Some(text) => problems.take("free_slots", values::count(text, 0..=500, "free slots")),
        None => {
            problems.add("free_slots", "the number of free slots is missing");
            None
        }
    };
    let mode = match row.get("mode") {
        Some(text) => problems.take("mode", values::session_mode(text)),
        None => Some(Mode::FaceToFace),
    };
    Some(Session {
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
    })
}

fn day_half(time: NaiveTime) -> &'static str {
    match PartOfDay::of_time(time) {
        PartOfDay::AM => "morning",
        PartOfDay::PM => "afternoon",
    }
}

#[cfg(test)]
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
    }

    #[test]
    fn role_names_rotas_use() {
        let plan = Plan::new("Test");
        assert_eq!(canonical_role(&plan, "Salaried GP"), "GP");
        assert_eq!(canonical_role(&plan, "nurse"), "Practice nurse");
        assert_eq!(canonical_role(&plan, "practice_nurse"), "Practice nurse");
        assert_eq!(canonical_role(&plan, "Physiotherapist"), "Physiotherapist");
    }
}
