//! The backlog file: one row per cancelled appointment.

use super::columns::{self, ColumnSpec, Row};
use super::{BacklogPreview, ImportError, ReimportDiff, RowError, RowProblems, values};
use crate::model::{BacklogItem, Continuity, Patient, Plan, nhs};
use std::collections::{BTreeMap, BTreeSet};

const SPECS: &[ColumnSpec] = &[
    ColumnSpec {
        name: "appointment_id",
        required: false,
        aliases: &["Appt ID", "Appointment ID", "Appointment Ref", "Booking ID", "Slot ID", "ID", "Ref", "Reference"],
    },
    ColumnSpec { name: "nhs_number", required: true, aliases: &["NHS No", "NHS Number", "NHS", "NHS Num", "NHS No."] },
    ColumnSpec {
        name: "patient_name",
        required: true,
        aliases: &["Name", "Patient", "Patient Name", "Full Name", "Patient Full Name"],
    },
    ColumnSpec { name: "forename", required: false, aliases: &["First Name", "Given Name", "Forenames", "Firstname"] },
    ColumnSpec { name: "surname", required: false, aliases: &["Last Name", "Family Name", "Lastname"] },
    ColumnSpec { name: "date_of_birth", required: false, aliases: &["DOB", "Date of Birth", "Birth Date", "Born"] },
    ColumnSpec {
        name: "phone",
        required: false,
        aliases: &[
            "Telephone",
            "Tel",
            "Mobile",
            "Phone Number",
            "Mobile Number",
            "Contact Number",
            "Tel No",
            "Mobile No",
        ],
    },
    ColumnSpec {
        name: "sms_consent",
        required: false,
        aliases: &["SMS", "SMS OK", "Consent SMS", "Text Consent", "SMS Consent"],
    },
    ColumnSpec {
        name: "original_date",
        required: true,
        aliases: &["Appt Date", "Appointment Date", "Date", "Slot Date", "Session Date", "Booked Date"],
    },
    ColumnSpec {
        name: "original_time",
        required: false,
        aliases: &["Appt Time", "Appointment Time", "Time", "Start Time", "Slot Time", "Start"],
    },
    ColumnSpec {
        name: "original_clinician",
        required: false,
        aliases: &[
            "Clinician",
            "Clinician Name",
            "Staff",
            "Staff Name",
            "Practitioner",
            "Booked With",
            "HCP",
            "Doctor",
        ],
    },
    ColumnSpec {
        name: "appointment_type",
        required: true,
        aliases: &["Appt Type", "Slot Type", "Type", "Session Type", "Appointment Type", "Slot Type Name"],
    },
    ColumnSpec {
        name: "slots",
        required: false,
        aliases: &["Slot Count", "No of Slots", "Num Slots", "Number of Slots"],
    },
    ColumnSpec { name: "priority", required: false, aliases: &["Urgency", "Clinical Priority", "Triage"] },
    ColumnSpec {
        name: "mode",
        required: false,
        aliases: &["Delivery Mode", "Consultation Mode", "Consultation Type", "Contact Mode"],
    },
    ColumnSpec { name: "continuity", required: false, aliases: &["Continuity of Care"] },
    ColumnSpec {
        name: "continuity_clinician",
        required: false,
        aliases: &["Preferred Clinician", "Continuity With", "Usual Clinician"],
    },
    ColumnSpec {
        name: "unavailable",
        required: false,
        aliases: &["Not Available", "Unavailability", "Cannot Attend", "Unavailable Days"],
    },
    ColumnSpec { name: "preferred_part", required: false, aliases: &["Preferred Time", "AM/PM", "Prefers"] },
    ColumnSpec { name: "earliest_date", required: false, aliases: &["Earliest", "Not Before", "Earliest Date"] },
    ColumnSpec { name: "see_by", required: false, aliases: &["See By Date", "Deadline", "Latest Date", "Book By"] },
    ColumnSpec {
        name: "notes",
        required: false,
        aliases: &["Note", "Comments", "Comment", "Appointment Notes", "Slot Notes"],
    },
    ColumnSpec { name: "deceased", required: false, aliases: &["Deceased Flag", "Died"] },
];

/// Canonical backlog columns in the order the import screen lists them.
pub const BACKLOG_COLUMNS: &[&str] = &[
    "appointment_id",
    "nhs_number",
    "patient_name",
    "forename",
    "surname",
    "date_of_birth",
    "phone",
    "sms_consent",
    "original_date",
    "original_time",
    "original_clinician",
    "appointment_type",
    "slots",
    "priority",
    "mode",
    "continuity",
    "continuity_clinician",
    "unavailable",
    "preferred_part",
    "earliest_date",
    "see_by",
    "notes",
    "deceased",
];

/// Reads a backlog export against the plan: matches its columns, checks every
/// value and lists every row it cannot take. The plan is not changed.
///
/// `patient_name` may instead come from `surname` (+ `forename`), written
/// "SURNAME, Forename". Without a priority value, an item gets the most urgent
/// class when its type's name says "urgent", else the least urgent class.
pub fn preview_backlog(
    plan: &Plan,
    bytes: &[u8],
    overrides: &BTreeMap<String, String>,
) -> Result<BacklogPreview, ImportError> {
    let text = columns::decode(bytes)?;
    let mut taken_ids: BTreeSet<String> = plan.backlog.iter().map(|b| b.id.clone()).collect();
    let mut first_line_of_id: BTreeMap<String, usize> = BTreeMap::new();
    let mut items = Vec::new();
    let mut rejected = Vec::new();
    let mut warnings = Vec::new();
    let mut first_line_of_appointment = BTreeMap::new();
    let mut rejected_ids = Vec::new();

    let check_header = |mapping: &columns::Mapping| {
        for spec in SPECS.iter().filter(|s| s.required) {
            let alternative = spec.name == "patient_name" && mapping.has("surname");
            if !mapping.has(spec.name) && !alternative {
                return Err(columns::missing(spec.name, SPECS, mapping));
            }
        }
        Ok(())
    };
    let (mapping, total_rows) =
        columns::read_rows(&text, SPECS, &plan.import_mapping, overrides, check_header, |row| {
            let mut problems = RowProblems::new(row.line);
            let item = read_item(plan, row, &mut problems);
            // Ids must be unique across the whole file, rejected rows included,
            // so fixing a rejected row later cannot create a duplicate. An id
            // already in the plan is an update (a newer export), not a duplicate.
            if let Some(id) = row.get("appointment_id") {
                if let Some(first) = first_line_of_id.get(id) {
                    problems.add("appointment_id", format!("duplicate id \"{id}\": already used on line {first}"));
                } else {
                    first_line_of_id.insert(id.to_string(), row.line);
                }
            }
            match problems.settle(item) {
                Some(item) => {
                    warn_about(plan, &item, row.line, &mut first_line_of_appointment, &mut warnings);
                    items.push(item);
                }
                None => {
                    rejected.append(&mut problems.list);
                    rejected_ids.extend(row.get("appointment_id").map(str::to_string));
                }
            }
        })?;

    // Ids for rows without one, avoiding every id in the file and the plan.
    taken_ids.extend(first_line_of_id.into_keys());
    let mut next = 1;
    for item in items.iter_mut().filter(|i| i.id.is_empty()) {
        item.id = fresh_id(&mut taken_ids, &mut next);
    }

    let set_aside_missing = items.iter().map(|i| &i.id).chain(&rejected_ids).any(|id| plan.backlog_item(id).is_some());
    Ok(BacklogPreview {
        mapping: mapping.shown,
        headers: mapping.headers,
        items,
        rejected,
        rejected_ids,
        warnings,
        total_rows,
        set_aside_missing,
    })
}

/// What identifies one booked appointment, to spot an export listing it twice.
type AppointmentKey = (String, chrono::NaiveDate, Option<chrono::NaiveTime>, String);

/// Notes on a good row the user should see before accepting.
fn warn_about(
    plan: &Plan,
    item: &BacklogItem,
    line: usize,
    first_line_of_appointment: &mut BTreeMap<AppointmentKey, usize>,
    warnings: &mut Vec<RowError>,
) {
    let mut warn = |column: &str, reason: String| {
        warnings.push(RowError { line, column: column.to_string(), reason });
    };
    let key = (item.patient.nhs_number.clone(), item.original_date, item.original_time, item.appointment_type.clone());
    if let Some(first) = first_line_of_appointment.get(&key) {
        warn(
            "nhs_number",
            format!("same patient, date, time and type as line {first}: is this appointment listed twice?"),
        );
    } else {
        first_line_of_appointment.insert(key, line);
    }
    if item.patient.deceased {
        warn(
            "deceased",
            format!("{} is recorded as deceased: check before offering a new appointment", item.patient.name),
        );
    }
    if !plan.clinicians.is_empty()
        && !item.original_clinician.is_empty()
        && plan.clinician(&item.original_clinician).is_none()
    {
        warn(
            "original_clinician",
            format!("\"{}\" is not a clinician in the plan; kept as written", item.original_clinician),
        );
    }
}

fn fresh_id(taken: &mut BTreeSet<String>, next: &mut usize) -> String {
    loop {
        let id = format!("IMP-{:04}", *next);
        *next += 1;
        if taken.insert(id.clone()) {
            return id;
        }
    }
}

/// Takes the previewed file into the plan and remembers the column mapping:
/// new ids are added; ids already in the plan update their items, keeping
/// bookings, pins and outcomes; items the file no longer lists are flagged
/// (see [`super::reimport_diff`]). Returns what was done.
pub fn accept_backlog(plan: &mut Plan, preview: BacklogPreview) -> ReimportDiff {
    accept_backlog_on(plan, preview, chrono::Local::now().date_naive())
}

/// [`accept_backlog`] with the date recorded on flagged items given.
pub fn accept_backlog_on(plan: &mut Plan, preview: BacklogPreview, today: chrono::NaiveDate) -> ReimportDiff {
    let diff = super::reimport::apply(plan, &preview, today);
    let mut taken: BTreeSet<String> = plan.backlog.iter().map(|b| b.id.clone()).collect();
    let updates = taken.clone();
    let mut next = 1;
    for mut item in preview.items {
        if updates.contains(&item.id) {
            continue; // an update, applied above
        }
        if !taken.insert(item.id.clone()) {
            item.id = fresh_id(&mut taken, &mut next);
        }
        plan.backlog.push(item);
    }
    super::remember_mapping(plan, preview.mapping);
    diff
}

/// Reads one row into an item; `None` (with the problems recorded) when a
/// required value is missing or unreadable. The id is left empty when absent.
fn read_item(plan: &Plan, row: &Row<'_>, problems: &mut RowProblems) -> Option<BacklogItem> {
    if let Some(reason) = columns::extra_fields_reason(row) {
        problems.add("row", reason);
        return None;
    }
    let required = |problems: &mut RowProblems, column: &str, what: &str| -> Option<String> {
        let value = row.get(column).map(str::to_string);
        if value.is_none() {
            problems.add(column, format!("{what} is missing"));
        }
        value
    };

    let id = row.get("appointment_id").unwrap_or("").to_string();
    let nhs_number = required(problems, "nhs_number", "the NHS number").and_then(|text| {
        problems.take("nhs_number", nhs::parse(&text).map_err(|e| format!("NHS number \"{text}\": {e}")))
    });
    let name = patient_name(row, problems);
    let date_of_birth = row.get("date_of_birth").and_then(|t| problems.take("date_of_birth", values::date(t)));
    let sms_consent =
        problems.take("sms_consent", values::yes_no(row.get("sms_consent").unwrap_or(""))).unwrap_or(false);
    let deceased = problems.take("deceased", values::yes_no(row.get("deceased").unwrap_or(""))).unwrap_or(false);
    let original_date = required(problems, "original_date", "the original appointment date")
        .and_then(|t| problems.take("original_date", values::date(&t)));
    let original_time = row.get("original_time").and_then(|t| problems.take("original_time", values::time(t)));
    let original_clinician =
        row.get("original_clinician").map(|t| plan.find_clinician(t).map_or_else(|| t.to_string(), |c| c.id.clone()));

    let appointment_type = required(problems, "appointment_type", "the appointment type").and_then(|text| {
        let found = plan.appointment_type(&text).cloned();
        if found.is_none() {
            let known: Vec<&str> = plan.appointment_types.iter().map(|t| t.name.as_str()).collect();
            problems.add(
                "appointment_type",
                format!("unknown appointment type \"{text}\"; the plan knows: {}", known.join(", ")),
            );
        }
        found
    });
    let slots = match (row.get("slots"), &appointment_type) {
        (Some(text), _) => problems.take("slots", values::count(text, 1..=12, "slots")),
        (None, Some(kind)) => Some(kind.default_slots),
        (None, None) => None,
    };
    let priority = match row.get("priority") {
        Some(text) => match plan.rules.priority(text) {
            Some(class) => Some(class.name.clone()),
            None => {
                let known: Vec<&str> = plan.rules.priorities.iter().map(|p| p.name.as_str()).collect();
                problems.add("priority", format!("unknown priority \"{text}\"; use one of: {}", known.join(", ")));
                None
            }
        },
        None => {
            let class = default_priority(plan, appointment_type.as_ref().map(|t| t.name.as_str()));
            if class.is_none() {
                problems.add("priority", "the plan has no priority classes; add them in the rules first");
            }
            class
        }
    };
    let mode = problems.take("mode", values::mode_requirement(row.get("mode").unwrap_or("")));
    if let (Some(mode), Some(kind)) = (mode, &appointment_type)
        && !kind.modes.iter().any(|m| mode.allows(*m))
    {
        let allowed: Vec<&str> = kind.modes.iter().map(|m| m.label()).collect();
        problems.add(
            "mode",
            format!("{} is offered only as {}, not {}", kind.name, allowed.join(" or "), mode.label().to_lowercase()),
        );
    }
    let continuity = continuity(plan, row, original_clinician.as_deref(), problems);
    let unavailable = row.get("unavailable").and_then(|t| problems.take("unavailable", values::unavailable(t)));
    let preferred_part =
        row.get("preferred_part").and_then(|t| problems.take("preferred_part", values::part_of_day(t)));
    let earliest_date = row.get("earliest_date").and_then(|t| problems.take("earliest_date", values::date(t)));
    let see_by = row.get("see_by").and_then(|t| problems.take("see_by", values::date(t)));
    if let (Some(earliest), Some(see_by)) = (earliest_date, see_by)
        && see_by < earliest
    {
        problems.add(
            "see_by",
            format!(
                "see-by date {} is before the earliest date {}",
                see_by.format("%d/%m/%Y"),
                earliest.format("%d/%m/%Y")
            ),
        );
    }
    if let (Some(born), Some(original)) = (date_of_birth, original_date)
        && born > original
    {
        problems
            .add("date_of_birth", format!("date of birth {} is after the appointment date", born.format("%d/%m/%Y")));
    }

    Some(BacklogItem {
        id,
        patient: Patient {
            nhs_number: nhs_number?,
            name: name?,
            date_of_birth,
            phone: row.get("phone").unwrap_or("").to_string(),
            sms_consent,
            deceased,
        },
        original_date: original_date?,
        original_time,
        original_clinician: original_clinician.unwrap_or_default(),
        appointment_type: appointment_type?.name,
        slots: slots?,
        priority: priority?,
        mode: mode?,
        continuity: continuity?,
        unavailable: unavailable.unwrap_or_default(),
        preferred_part,
        earliest_date,
        see_by,
        notes: row.get("notes").unwrap_or("").to_string(),
        declined_sessions: Vec::new(),
    })
}

/// The patient's name from `patient_name`, or "SURNAME, Forename" from the split columns.
fn patient_name(row: &Row<'_>, problems: &mut RowProblems) -> Option<String> {
    if let Some(name) = row.get("patient_name") {
        return Some(name.to_string());
    }
    match (row.get("surname"), row.get("forename")) {
        (Some(surname), Some(forename)) => Some(format!("{}, {forename}", surname.to_uppercase())),
        (Some(surname), None) => Some(surname.to_uppercase()),
        _ => {
            let column = if row.mapping.has("patient_name") { "patient_name" } else { "surname" };
            problems.add(column, "the patient's name is missing");
            None
        }
    }
}

fn default_priority(plan: &Plan, type_name: Option<&str>) -> Option<String> {
    let urgent = type_name.is_some_and(|t| t.to_lowercase().contains("urgent"));
    let class = if urgent { plan.rules.priorities.first() } else { plan.rules.priorities.last() };
    class.map(|c| c.name.clone())
}

/// Continuity None / Preferred / Required, with the `continuity_clinician`
/// column or else the original clinician. A required clinician must be in the
/// plan when the plan has clinicians; a preferred one may have left.
fn continuity(
    plan: &Plan,
    row: &Row<'_>,
    original_clinician: Option<&str>,
    problems: &mut RowProblems,
) -> Option<Continuity> {
    let text = row.get("continuity").unwrap_or("none");
    let kind = crate::model::name_key(text);
    if matches!(kind.as_str(), "none" | "no" | "n") {
        return Some(Continuity::None);
    }
    let required = match kind.as_str() {
        "preferred" | "prefer" | "p" => false,
        "required" | "require" | "must" | "r" => true,
        _ => {
            problems.add("continuity", format!("\"{text}\" is not a continuity: write None, Preferred or Required"));
            return None;
        }
    };
    let (column, named) = match row.get("continuity_clinician") {
        Some(name) => ("continuity_clinician", Some(name)),
        None => ("original_clinician", original_clinician),
    };
    let Some(named) = named else {
        problems.add(
            "continuity",
            format!("continuity {text} needs a clinician: fill original_clinician or continuity_clinician"),
        );
        return None;
    };
    let clinician = match plan.find_clinician(named) {
        Some(c) => c.id.clone(),
        None if required && !plan.clinicians.is_empty() => {
            problems.add(
                column,
                format!("unknown clinician \"{named}\" required for continuity; add them to the rota first"),
            );
            return None;
        }
        None => named.to_string(),
    };
    Some(if required { Continuity::Required(clinician) } else { Continuity::Preferred(clinician) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_table_is_consistent() {
        columns::assert_specs_consistent(SPECS, BACKLOG_COLUMNS);
    }
}
