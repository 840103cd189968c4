//! The backlog file: one row per cancelled appointment.

use super::columns::{self, ColumnSpec, Row};
use super::{BacklogPreview, ImportError, ReimportDiff, RowError, RowProblems, UnknownType, match_clinician, values};
use crate::model::{AppointmentType, BacklogItem, Continuity, ModeRequirement, Patient, Plan, nhs, parse};
use std::collections::{BTreeMap, BTreeSet};

const SPECS: &[ColumnSpec] = &[
    ColumnSpec {
        name: "appointment_id",
        required: false,
        aliases: &[
            "Appt ID",
            "Appointment ID",
            "Appointment Ref",
            "Appointment Reference",
            "Appt Ref",
            "Booking ID",
            "Booking Ref",
            "Slot ID",
            "ID",
            "Ref",
            "Reference",
        ],
    },
    ColumnSpec { name: "nhs_number", required: true, aliases: &["NHS No", "NHS Number", "NHS", "NHS Num", "NHS No."] },
    ColumnSpec {
        name: "patient_name",
        required: true,
        aliases: &["Name", "Patient", "Patient Name", "Full Name", "Patient Full Name"],
    },
    ColumnSpec {
        name: "forename",
        required: false,
        aliases: &["Forename", "First Name", "Given Name", "Forenames", "Firstname", "First Names"],
    },
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
            "Mobile Telephone",
            "Mobile Phone",
            "Mobile Tel",
            "Telecom Number",
            "Telephone Number",
            "Contact Telephone",
        ],
    },
    ColumnSpec {
        name: "sms_consent",
        required: false,
        aliases: &[
            "SMS",
            "SMS OK",
            "Consent SMS",
            "Text Consent",
            "Text OK",
            "Texts OK",
            "SMS Allowed",
            "Consent to SMS",
            "SMS Consent Given",
            "Text Message Consent",
            "Accepts SMS",
        ],
    },
    ColumnSpec {
        name: "original_date",
        required: true,
        aliases: &["Appt Date", "Appointment Date", "Date", "Slot Date", "Session Date", "Booked Date"],
    },
    ColumnSpec {
        name: "original_time",
        required: false,
        aliases: &[
            "Appt Time",
            "Appointment Time",
            "Time",
            "Start Time",
            "Slot Time",
            "Start",
            "Appointment Start Time",
            "Appointment Start",
            "Slot Start Time",
            "Start Date Time",
            "Appointment Date Time",
        ],
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
            "Session Holder",
            "Book Owner",
            "Booked Clinician",
            "Seen By",
            "Staff Member",
            "Appointment With",
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
        aliases: &["Delivery Mode", "Consultation Mode", "Consultation Type", "Contact Mode", "Contact Type"],
    },
    ColumnSpec {
        name: "telephone_appointment",
        required: false,
        aliases: &["Telephone Appt", "Phone Appointment", "Tel Appt", "Is Telephone", "Telephone Consultation"],
    },
    ColumnSpec { name: "continuity", required: false, aliases: &["Continuity of Care"] },
    ColumnSpec {
        name: "continuity_clinician",
        required: false,
        aliases: &[
            "Preferred Clinician",
            "Continuity With",
            "Usual Clinician",
            "Usual GP",
            "Named GP",
            "Registered GP",
        ],
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
        aliases: &[
            "Note",
            "Comments",
            "Comment",
            "Appointment Notes",
            "Slot Notes",
            "Reason",
            "Appointment Reason",
            "Reason for Appointment",
            "Booking Notes",
            "Booking Reason",
        ],
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
    "telephone_appointment",
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
/// "SURNAME, Forename". Without a priority value, an item gets its type's
/// default priority, else the most urgent class when its type's name says
/// "urgent", else the least urgent class.
pub fn preview_backlog(
    plan: &Plan,
    bytes: &[u8],
    overrides: &BTreeMap<String, String>,
) -> Result<BacklogPreview, ImportError> {
    preview_backlog_with(plan, bytes, overrides, &BTreeMap::new())
}

/// [`preview_backlog`] with a type mapping: the practice's own type names
/// (as exported, matched ignoring case and spaces) to catalogue types. It
/// comes before the catalogue's own names and the types the plan remembers.
/// Types still unknown are listed once each in `unknown_types` with a suggestion.
pub fn preview_backlog_with(
    plan: &Plan,
    bytes: &[u8],
    overrides: &BTreeMap<String, String>,
    type_mapping: &BTreeMap<String, String>,
) -> Result<BacklogPreview, ImportError> {
    let decoded = columns::decode_noting(bytes)?;
    let types = TypeResolver::new(plan, type_mapping)?;
    let mut taken_ids: BTreeSet<String> = plan.backlog.iter().map(|b| b.id.clone()).collect();
    let mut first_line_of_id: BTreeMap<String, usize> = BTreeMap::new();
    let mut items = Vec::new();
    let mut rejected = Vec::new();
    let mut warnings = Vec::new();
    let mut first_line_of_appointment = BTreeMap::new();
    let mut rejected_ids = Vec::new();
    let mut unknown: BTreeMap<String, UnknownType> = BTreeMap::new();
    let mut used_types: BTreeMap<String, String> = BTreeMap::new();
    let mut repaired_phones: Vec<(usize, String, String)> = Vec::new();
    let mut consents: BTreeMap<String, (Vec<usize>, Vec<usize>)> = BTreeMap::new();

    let check_header = |mapping: &columns::Mapping| {
        for spec in SPECS.iter().filter(|s| s.required) {
            let alternative = (spec.name == "patient_name" && mapping.has("surname"))
                || (spec.name == "original_date" && mapping.has("original_time"));
            if !mapping.has(spec.name) && !alternative {
                return Err(columns::missing(spec.name, SPECS, mapping));
            }
        }
        Ok(())
    };
    let (mapping, total_rows) =
        columns::read_rows(&decoded.text, SPECS, &plan.import_mapping, overrides, check_header, |row| {
            let mut problems = RowProblems::new(row.line);
            let mut found = TypeFound::default();
            let item = read_item(plan, row, &types, &mut found, &mut problems);
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
            if let Some((local, target)) = found.mapped {
                used_types.entry(local).or_insert(target);
            }
            if let Some(local) = found.unknown {
                let entry = unknown.entry(crate::model::name_key(&local)).or_insert_with(|| UnknownType {
                    suggestion: crate::model::suggest_type(&local, &plan.appointment_types),
                    name: local.clone(),
                    lines: Vec::new(),
                });
                entry.lines.push(row.line);
                if problems.list.is_empty() {
                    // Held for the type mapping, listed once with its type rather than as a rejected row.
                    rejected_ids.extend(row.get("appointment_id").map(str::to_string));
                    return;
                }
                problems.add("appointment_type", format!("\"{local}\" is not mapped to a catalogue type"));
            }
            match problems.settle(item) {
                Some(item) => {
                    warn_about(plan, &item, row.line, &mut first_line_of_appointment, &mut warnings);
                    if let Some(written) = row.get("phone") {
                        match read_phone(written) {
                            PhoneCell::Repaired(phone) => repaired_phones.push((row.line, written.to_string(), phone)),
                            PhoneCell::Refused(reason) => {
                                warnings.push(RowError { line: row.line, column: "phone".into(), reason });
                            }
                            PhoneCell::Good(_) => {}
                        }
                    }
                    if row.get("sms_consent").is_some() {
                        let (yes, no) = consents.entry(item.patient.nhs_number.clone()).or_default();
                        if item.patient.sms_consent { yes.push(row.line) } else { no.push(row.line) }
                    }
                    items.push(item);
                }
                None => {
                    rejected.append(&mut problems.list);
                    rejected_ids.extend(row.get("appointment_id").map(str::to_string));
                }
            }
        })?;

    // A recorded "no" to SMS wins over a "yes" on another row of the same patient.
    for (nhs_number, (yes, no)) in consents.iter().filter(|(_, (yes, no))| !yes.is_empty() && !no.is_empty()) {
        for item in items.iter_mut().filter(|i| &i.patient.nhs_number == nhs_number) {
            item.patient.sms_consent = false;
        }
        warnings.push(RowError {
            line: yes[0],
            column: "sms_consent".into(),
            reason: format!(
                "SMS consent is yes on {} but no on {} for NHS number {}: a recorded no wins, no SMS for this patient",
                columns::line_list(yes),
                columns::line_list(no),
                nhs::format(nhs_number)
            ),
        });
    }
    warnings.sort();

    // Ids for rows without one, avoiding every id in the file and the plan.
    taken_ids.extend(first_line_of_id.into_keys());
    let mut next = 1;
    for item in items.iter_mut().filter(|i| i.id.is_empty()) {
        item.id = fresh_id(&mut taken_ids, &mut next);
    }

    let mut file_warnings = decoded.warnings;
    file_warnings.extend(missing_column_warnings(plan, &mapping));
    if let Some((line, before, after)) = repaired_phones.first() {
        file_warnings.push(format!(
            "{} phone number(s) had lost their leading 0 (Excel drops it) and were repaired, \
             e.g. line {line}: \"{before}\" -> \"{after}\"",
            repaired_phones.len()
        ));
    }
    let notes = mapping.notes;
    let mut unknown_types: Vec<UnknownType> = unknown.into_values().collect();
    unknown_types.sort_by(|a, b| b.lines.len().cmp(&a.lines.len()).then_with(|| a.name.cmp(&b.name)));

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
        unknown_types,
        type_mapping: used_types,
        ignored: mapping.ignored,
        notes,
        file_warnings,
    })
}

/// A missing column that changes the outcome is said, not silently defaulted.
fn missing_column_warnings(plan: &Plan, mapping: &columns::Mapping) -> Vec<String> {
    let mut list = Vec::new();
    if !mapping.has("sms_consent") {
        list.push(
            "No SMS consent column: every patient is taken as not consenting and goes on the call list. \
             If the file has one under another name, map it to sms_consent (--map \"COLUMN=sms_consent\")."
                .to_string(),
        );
    }
    if !mapping.has("phone") {
        list.push(
            "No phone column: nobody can be sent an SMS and the call list has no numbers. \
             If the file has one under another name, map it to phone."
                .to_string(),
        );
    }
    if !mapping.has("appointment_id") {
        list.push(
            "No appointment id column: ids are made up (IMP-0001...), so a newer export of the same list \
             cannot be matched to these appointments."
                .to_string(),
        );
    }
    if !mapping.has("priority") {
        let defaults: Vec<String> = plan
            .appointment_types
            .iter()
            .filter_map(|t| t.default_priority.as_ref().map(|p| format!("{} {p}", t.name)))
            .collect();
        let least = plan.rules.priorities.last().map_or("the least urgent class", |p| p.name.as_str());
        list.push(format!(
            "No priority column: each appointment takes its type's priority ({}), otherwise {least}.",
            if defaults.is_empty() { "none set".to_string() } else { defaults.join(", ") }
        ));
    }
    list
}

/// Finds the catalogue type of a row's local type name.
struct TypeResolver<'a> {
    plan: &'a Plan,
    /// name_key(local) -> (local as the user wrote it, catalogue type name).
    given: BTreeMap<String, (String, String)>,
}

/// What the type lookup of one row found besides the type.
#[derive(Default)]
struct TypeFound {
    /// (local name as in the file, catalogue type) when a mapping gave the type.
    mapped: Option<(String, String)>,
    /// The local name when nothing gave a type.
    unknown: Option<String>,
}

impl<'a> TypeResolver<'a> {
    /// Checks that every mapping names a type of the plan's catalogue.
    fn new(plan: &'a Plan, mapping: &BTreeMap<String, String>) -> Result<Self, ImportError> {
        let mut given = BTreeMap::new();
        for (local, target) in mapping {
            let Some(kind) = plan.appointment_type(target) else {
                return Err(ImportError::UnknownTypeTarget {
                    local: local.clone(),
                    target: target.clone(),
                    known: plan.appointment_types.iter().map(|t| t.name.clone()).collect(),
                });
            };
            given.insert(crate::model::name_key(local), (local.clone(), kind.name.clone()));
        }
        Ok(TypeResolver { plan, given })
    }

    /// The user's mapping, then the catalogue's own names, then the plan's memory.
    fn resolve(&self, local: &str, found: &mut TypeFound) -> Option<&'a AppointmentType> {
        let key = crate::model::name_key(local);
        if let Some((_, target)) = self.given.get(&key) {
            found.mapped = Some((local.to_string(), target.clone()));
            return self.plan.appointment_type(target);
        }
        if let Some(kind) = self.plan.appointment_type(local) {
            return Some(kind);
        }
        let remembered = self.plan.import_types.iter().find(|(known, _)| crate::model::name_key(known) == key);
        if let Some(kind) = remembered.and_then(|(_, target)| self.plan.appointment_type(target)) {
            found.mapped = Some((local.to_string(), kind.name.clone()));
            return Some(kind);
        }
        found.unknown = Some(local.to_string());
        None
    }
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
    // A name that matched nobody stays as written (the rota may come later); say so, with the closest names.
    let unmatched = |name: &str| {
        (!plan.clinicians.is_empty() && !name.is_empty() && plan.clinician(name).is_none())
            .then(|| match_clinician(&plan.clinicians, name).problem(name))
            .flatten()
    };
    if let Some(problem) = unmatched(&item.original_clinician) {
        warn("original_clinician", format!("{problem}; kept as written"));
    }
    if let Continuity::Preferred(name) = &item.continuity
        && *name != item.original_clinician
        && let Some(problem) = unmatched(name)
    {
        warn("continuity_clinician", format!("{problem}; kept as written, so the preference cannot be met yet"));
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
    super::remember_types(plan, preview.type_mapping);
    diff
}

/// Reads one row into an item; `None` (with the problems recorded) when a
/// required value is missing or unreadable. The id is left empty when absent.
fn read_item(
    plan: &Plan,
    row: &Row<'_>,
    types: &TypeResolver<'_>,
    found: &mut TypeFound,
    problems: &mut RowProblems,
) -> Option<BacklogItem> {
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
        if values::is_scientific(&text) {
            problems.add(
                "nhs_number",
                format!(
                    "NHS number \"{text}\" was turned into a number by Excel, which dropped its digits; export the \
                     list again from the clinical system and open it in Excel with Data > From Text/CSV, setting \
                     the NHS number column to Text (or import the export directly, without saving it in Excel)"
                ),
            );
            return None;
        }
        problems.take("nhs_number", nhs::parse(&text).map_err(|e| format!("NHS number \"{text}\": {e}")))
    });
    let name = patient_name(row, problems);
    let date_of_birth = row.get("date_of_birth").and_then(|t| problems.take("date_of_birth", parse::date(t)));
    let sms_consent =
        problems.take("sms_consent", parse::yes_no(row.get("sms_consent").unwrap_or(""))).unwrap_or(false);
    let deceased = problems.take("deceased", parse::yes_no(row.get("deceased").unwrap_or(""))).unwrap_or(false);
    let (original_date, original_time) = original_date_time(row, problems);
    let original_clinician =
        row.get("original_clinician").map(|t| clinician_id(plan, t).unwrap_or_else(|| t.to_string()));

    let local_type = required(problems, "appointment_type", "the appointment type");
    let appointment_type = local_type.as_deref().and_then(|text| types.resolve(text, found)).cloned();
    let slots = match (row.get("slots"), &appointment_type) {
        (Some(text), _) => problems.take("slots", parse::count(text, 1..=12, "slots")),
        (None, Some(kind)) => Some(kind.default_slots),
        (None, None) => None,
    };
    let priority = match row.get("priority") {
        Some(text) => problems.take("priority", parse::priority(&plan.rules, text)).map(|class| class.name.clone()),
        None => {
            let class = default_priority(plan, appointment_type.as_ref());
            if class.is_none() {
                problems.add("priority", parse::ParseError::NoPriorities.to_string());
            }
            class
        }
    };
    let mode = mode(row, local_type.as_deref(), appointment_type.as_ref(), problems);
    let continuity = continuity(plan, row, original_clinician.as_deref(), problems);
    let unavailable = row.get("unavailable").and_then(|t| problems.take("unavailable", parse::unavailable(t)));
    let preferred_part = row.get("preferred_part").and_then(|t| problems.take("preferred_part", parse::part_of_day(t)));
    let earliest_date = row.get("earliest_date").and_then(|t| problems.take("earliest_date", parse::date(t)));
    let see_by = row.get("see_by").and_then(|t| problems.take("see_by", parse::date(t)));
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
            phone: match row.get("phone").map(read_phone) {
                Some(PhoneCell::Good(phone) | PhoneCell::Repaired(phone)) => phone,
                Some(PhoneCell::Refused(_)) | None => String::new(),
            },
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

/// A phone cell as imported. A phone is optional, so a bad one does not
/// drop the row: it is left empty with a warning (the patient is then phoned
/// from the clinical record or written to), as for a phone Excel damaged.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PhoneCell {
    /// A UK number, written the usual way ("07700 900123").
    Good(String),
    /// A UK number whose leading 0 a spreadsheet dropped, given back.
    Repaired(String),
    /// Left empty; why, for the warning.
    Refused(String),
}

fn read_phone(written: &str) -> PhoneCell {
    let repaired = match values::phone(written) {
        values::Phone::Damaged => {
            return PhoneCell::Refused(format!(
                "phone \"{written}\" was turned into a number by Excel and lost its digits: \
                 left empty, so this patient is phoned from the clinical record"
            ));
        }
        values::Phone::Repaired(phone) => Some(phone),
        values::Phone::AsWritten(_) => None,
    };
    match uk_phone(repaired.as_deref().unwrap_or(written)) {
        Ok(phone) if repaired.is_some() => PhoneCell::Repaired(phone),
        Ok(phone) => PhoneCell::Good(phone),
        Err(why) => {
            // Shown in quotes, cut short: the cell may be a long formula.
            let shown: String = written.chars().take(40).collect();
            let more = if written.chars().count() > 40 { "..." } else { "" };
            PhoneCell::Refused(format!(
                "phone \"{shown}{more}\" {why}: left empty, so this patient is phoned from the clinical record"
            ))
        }
    }
}

/// A UK phone number, mobile or landline, as "07700 900123", "020 7946 0123"
/// or "0113 496 0123": from the 0 form or +44 / 0044 / 44 with spaces, dashes,
/// dots or brackets, "+44 (0)20 ..." included. Anything else is refused with
/// the reason: letters and formulas (`=HYPERLINK(...)`) never reach a list or
/// an export, and a number too short or too long would only be misdialled.
fn uk_phone(text: &str) -> Result<String, &'static str> {
    let text = text.trim();
    let mut digits = String::new();
    for (i, c) in text.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => digits.push('+'),
            '-' | '\u{2013}' | '.' | '(' | ')' => {}
            c if c.is_whitespace() => {}
            _ => return Err("is not a phone number (only digits, spaces, dashes, brackets and a leading + are taken)"),
        }
    }
    let national = if let Some(rest) = digits.strip_prefix("+44").or_else(|| digits.strip_prefix("0044")) {
        // "+44 (0)20 ...": the bracketed 0 of the national form is dropped.
        let rest = rest.strip_prefix('0').unwrap_or(rest);
        format!("0{rest}")
    } else if digits.starts_with('+') || digits.starts_with("00") {
        return Err("is not a UK number; only UK numbers are taken");
    } else if digits.len() == 12 && digits.starts_with("44") {
        format!("0{}", &digits[2..])
    } else {
        digits
    };
    if !national.starts_with('0') {
        return Err("does not start with 0 or +44 as a UK number does");
    }
    // UK numbers are 11 digits with the 0; a few old area codes have 10.
    match national.len() {
        0..=9 => return Err("is too short for a UK number (11 digits with the leading 0)"),
        10 if !national.starts_with("01") && !national.starts_with("0800") => {
            return Err("is too short for a UK number (11 digits with the leading 0)");
        }
        10 | 11 => {}
        _ => return Err("is too long for a UK number (11 digits with the leading 0)"),
    }
    if !matches!(national.as_bytes()[1], b'1' | b'2' | b'3' | b'5' | b'7' | b'8' | b'9') {
        return Err("is not a UK number (UK numbers start 01, 02, 03, 05, 07, 08 or 09)");
    }
    Ok(group_uk(&national))
}

/// Spaced as the number is read out: "07700 900123", "020 7946 0123",
/// "0113 496 0123", "0300 123 4567", "01632 960123".
fn group_uk(national: &str) -> String {
    let split = |cuts: &[usize]| {
        let mut out = String::new();
        let mut from = 0;
        for &to in cuts.iter().chain(std::iter::once(&national.len())) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&national[from..to]);
            from = to;
        }
        out
    };
    let b = national.as_bytes();
    match (national.len(), b[1], b[2], b[3]) {
        (11, b'2', _, _) => split(&[3, 7]),
        (11, b'1', _, b'1') | (11, b'1', b'1', _) | (11, b'3' | b'8' | b'9', _, _) => split(&[4, 7]),
        (10, b'8', _, _) => split(&[4, 7]),
        _ => split(&[5]),
    }
}

/// The original date and time: from their own columns, or from one
/// date-time cell in either ("19 Jul 2024 09:30:00" under "Start").
fn original_date_time(
    row: &Row<'_>,
    problems: &mut RowProblems,
) -> (Option<chrono::NaiveDate>, Option<chrono::NaiveTime>) {
    let time_cell = row.get("original_time");
    let (date, time_in_date) = match row.get("original_date") {
        Some(text) => match problems.take("original_date", parse::date_time(text)) {
            Some((date, time)) => (Some(date), time),
            None => (None, None),
        },
        None => match time_cell.map(parse::date_time) {
            Some(Ok((date, _))) => (Some(date), None),
            _ => {
                let column = if row.mapping.has("original_date") { "original_date" } else { "original_time" };
                problems.add(column, "the original appointment date is missing");
                (None, None)
            }
        },
    };
    let time = match time_cell {
        Some(text) => match parse::time(text) {
            Ok(time) => Some(time),
            Err(reason) => match parse::date_time(text) {
                Ok((_, time)) => time,
                Err(_) => {
                    problems.add("original_time", reason.to_string());
                    None
                }
            },
        },
        None => time_in_date,
    };
    (date, time)
}

/// The mode the patient needs: the `mode` column, else a Y/N `telephone_appointment`
/// column, else what the practice's type name says ("GP Telephone"), else any.
/// A mode the type is not offered in is a problem.
fn mode(
    row: &Row<'_>,
    local_type: Option<&str>,
    kind: Option<&AppointmentType>,
    problems: &mut RowProblems,
) -> Option<ModeRequirement> {
    let from_flag = |flag: bool| if flag { ModeRequirement::Telephone } else { ModeRequirement::FaceToFace };
    let mode = match (row.get("mode"), row.get("telephone_appointment")) {
        (Some(text), _) => problems.take("mode", parse::mode_requirement(text))?,
        (None, Some(flag)) => from_flag(problems.take("telephone_appointment", parse::yes_no(flag))?),
        (None, None) => {
            let named = local_type.and_then(parse::mode_of).map(|m| from_flag(m == crate::model::Mode::Telephone));
            // Only a hint: dropped when the catalogue type is not offered that way.
            named.filter(|m| kind.is_none_or(|k| k.modes.iter().any(|x| m.allows(*x)))).unwrap_or_default()
        }
    };
    if let Some(kind) = kind
        && !kind.modes.iter().any(|m| mode.allows(*m))
    {
        let allowed: Vec<&str> = kind.modes.iter().map(|m| m.label()).collect();
        let column = if row.get("mode").is_some() { "mode" } else { "telephone_appointment" };
        problems.add(
            column,
            format!("{} is offered only as {}, not {}", kind.name, allowed.join(" or "), mode.label().to_lowercase()),
        );
        return None;
    }
    Some(mode)
}

/// The id of the clinician a name in the export means, written in any of the
/// forms exports use ("SMITH, Anne (Dr)" is "Dr A Smith"); `None` when it is
/// nobody, or could be several.
fn clinician_id(plan: &Plan, text: &str) -> Option<String> {
    match_clinician(&plan.clinicians, text).found().map(|c| c.id.clone())
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

/// The type's default priority, else the most urgent class for a type named
/// "urgent", else the least urgent class.
fn default_priority(plan: &Plan, kind: Option<&AppointmentType>) -> Option<String> {
    if let Some(class) = kind.and_then(|k| k.default_priority.as_deref()).and_then(|p| plan.rules.priority(p)) {
        return Some(class.name.clone());
    }
    let urgent = kind.is_some_and(|t| t.name.to_lowercase().contains("urgent"));
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
    // A usual or preferred clinician given without a continuity column is a preference.
    let implied = if row.get("continuity_clinician").is_some() { "preferred" } else { "none" };
    let text = row.get("continuity").unwrap_or(implied);
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
    let clinician = match clinician_id(plan, named) {
        Some(id) => id,
        None if required && !plan.clinicians.is_empty() => {
            let why = match_clinician(&plan.clinicians, named).problem(named).unwrap_or_default();
            problems.add(column, format!("{why}, and continuity with them is required; add them to the rota first"));
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

    #[test]
    fn uk_phones_are_taken_in_every_usual_form_and_spaced_the_usual_way() {
        for (written, spaced) in [
            ("07700 900123", "07700 900123"),
            ("07700900123", "07700 900123"),
            ("+44 7700 900123", "07700 900123"),
            ("+44 (0)7700 900-123", "07700 900123"),
            ("0044 7700 900123", "07700 900123"),
            ("447700900123", "07700 900123"),
            ("(020) 7946 0123", "020 7946 0123"),
            ("+44 20 7946 0123", "020 7946 0123"),
            ("0113-496-0123", "0113 496 0123"),
            ("0161 496 0123", "0161 496 0123"),
            ("03001234567", "0300 123 4567"),
            ("01632 960123", "01632 960123"),
            ("016977 2345", "01697 72345"),
            ("0800 123 456", "0800 123 456"),
        ] {
            assert_eq!(uk_phone(written), Ok(spaced.to_string()), "{written}");
        }
    }

    #[test]
    fn anything_but_a_uk_phone_is_refused_with_the_reason() {
        for (written, why) in [
            ("=HYPERLINK(\"http://x\",\"call\")", "not a phone number"),
            ("=cmd|' /C calc'!A0", "not a phone number"),
            ("@SUM(1+1)", "not a phone number"),
            ("+447700900123+", "not a phone number"),
            ("07700 9OO123", "not a phone number"),
            ("ext 123", "not a phone number"),
            ("0770090", "too short"),
            ("077009001234", "too long"),
            ("07700 900123 07700 900124", "too long"),
            ("0612345678", "too short"),
            ("06123456789", "start 01"),
            ("7700900123", "start with 0"),
            ("+33 1 23 45 67 89", "not a UK number"),
            ("+", "not a UK number"),
        ] {
            let Err(err) = uk_phone(written) else { panic!("{written} is taken") };
            assert!(err.contains(why), "{written}: {err}");
        }
    }

    #[test]
    fn a_refused_phone_names_the_cell_cut_short() {
        let formula = format!("=HYPERLINK(\"{}\")", "x".repeat(200));
        let PhoneCell::Refused(reason) = read_phone(&formula) else { panic!("a formula is refused") };
        assert!(reason.starts_with("phone \"=HYPERLINK(") && !reason.contains(&"x".repeat(41)), "{reason}");
        assert_eq!(read_phone("7700900123"), PhoneCell::Repaired("07700 900123".into()));
        assert!(matches!(read_phone("7.7009E+09"), PhoneCell::Refused(r) if r.contains("Excel")));
    }
}
