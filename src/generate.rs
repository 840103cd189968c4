//! Synthetic outage plans: the committed CrowdStrike example and the benchmark
//! sizes of `model.md`, deterministic by seed (ChaCha8), with the CSVs a
//! practice's clinical system would export for them.
//!
//! Everything here is made up: patients have NHS numbers from the never-issued
//! 999 range, phone numbers from Ofcom's drama ranges, and invented names.

mod names;

use crate::io::csv_import::BACKLOG_COLUMNS;
use crate::model::nhs;
use crate::model::{
    BacklogItem, Clinician, Continuity, DaySpec, Horizon, Mode, ModeRequirement, Outage, PartOfDay, Patient, Plan,
    Practice, Session, Unavailability, default_roles,
};
use crate::rules::calendar::is_working_day;
use crate::rules::cost::check_eligible;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

/// What to generate. `example_config` and `benchmark_config` give the ones the
/// project uses; every field can be changed for other experiments.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratorConfig {
    /// Cancelled appointments in the backlog.
    pub items: usize,
    /// Clinicians on the rota, split across roles like a real practice.
    pub clinicians: usize,
    /// Working days of rebooking capacity from `horizon_start`.
    pub days: u32,
    pub seed: u64,
    pub practice_name: String,
    pub ods_code: String,
    /// When the clinical system went down.
    pub outage_start: NaiveDateTime,
    /// When it came back: appointments before this were cancelled, and only
    /// sessions after it offer rebooking capacity.
    pub outage_end: NaiveDateTime,
    pub outage_description: String,
    /// First day on which cancelled appointments may be rebooked.
    pub horizon_start: NaiveDate,
    /// Usable rebooking capacity as a fraction of the backlog's demand, per role
    /// (benchmarks: 0.8-1.1 so some work is late or unplaced). `None` gives each
    /// session 4-8 free slots, as in a real book with normal demand already booked.
    pub capacity_ratio: Option<f64>,
    /// Patients with two cancelled appointments: bloods, then a GP review at
    /// least a week later to discuss the results.
    pub paired_patients: usize,
    /// How varied the patients' restrictions are.
    pub shape: Shape,
}

/// The spread of patient restrictions in a generated backlog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shape {
    /// A single practice's backlog: continuity with GPs only, few restrictions
    /// (the committed example and the first benchmark family).
    #[default]
    Standard,
    /// A primary care network hub's: about 20 % of patients unavailable on some
    /// days or half-days, 5 % with an earliest date, 3 % with a see-by date, 10 %
    /// doubles, continuity preferred by about 40 % and required by 3 % across
    /// every role, so thousands of distinct appointment classes at 10,000 items.
    Hub,
}

impl Shape {
    pub fn name(self) -> &'static str {
        match self {
            Shape::Standard => "standard",
            Shape::Hub => "hub",
        }
    }
}

/// A generator shape name that is none of ours (as typed, trimmed and lower-cased).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown shape \"{0}\": use standard or hub")]
pub struct UnknownShape(pub String);

impl std::str::FromStr for Shape {
    type Err = UnknownShape;

    fn from_str(text: &str) -> Result<Shape, UnknownShape> {
        match text.trim().to_ascii_lowercase().as_str() {
            "standard" | "practice" => Ok(Shape::Standard),
            "hub" | "realistic" => Ok(Shape::Hub),
            other => Err(UnknownShape(other.to_string())),
        }
    }
}

/// When the morning and afternoon of a day begin, for the outage's reach.
const MORNING: NaiveTime = crate::const_time!(8, 0);
const AFTERNOON: NaiveTime = crate::const_time!(13, 30);

/// The committed example: the CrowdStrike outage of Friday 19 July 2024 at a
/// 10,000-patient practice (EMIS Web down all Friday and Monday morning).
pub fn example_config() -> GeneratorConfig {
    let friday = crate::const_date!(2024, 7, 19);
    let monday = crate::const_date!(2024, 7, 22);
    GeneratorConfig {
        items: 350,
        clinicians: 14,
        days: 10,
        seed: 19_072_024,
        practice_name: "Riverside Medical Practice".into(),
        ods_code: "Y99999".into(),
        outage_start: friday.and_time(crate::const_time!(5, 10)),
        outage_end: monday.and_time(crate::const_time!(12, 30)),
        outage_description: "CrowdStrike Falcon update: practice PCs stuck on a blue screen, EMIS Web unavailable \
            all Friday 19 July and Monday morning 22 July 2024. Emergencies seen on paper; booked \
            appointments cancelled."
            .into(),
        horizon_start: monday,
        capacity_ratio: None,
        paired_patients: 20,
        shape: Shape::Standard,
    }
}

/// A benchmark instance of `model.md`'s scale: 300, 1,000, 3,000 or 10,000
/// items (other sizes are scaled between them; 30,000 is three hubs pooled).
/// Capacity is 80-110 % of demand, drawn from the seed, so some work ends up
/// late or unplaced.
pub fn benchmark_config(items: usize, seed: u64) -> GeneratorConfig {
    let (clinicians, days) = match items {
        0..=500 => (9, 10),
        501..=2000 => (15, 10),
        2001..=6000 => (25, 15),
        6001..=20_000 => (60, 20),
        _ => (180, 20),
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_cafe);
    let ratio = 0.8 + 0.3 * rng.random::<f64>();
    let mut config = example_config();
    if items > 20_000 {
        config.practice_name = "Riverside Integrated Care Board (three PCN hubs pooled)".into();
        config.ods_code = "U99998".into();
    } else if items > 6000 {
        config.practice_name = "Riverside Primary Care Network Hub".into();
        config.ods_code = "U99999".into();
    }
    GeneratorConfig {
        items,
        clinicians,
        days,
        seed,
        capacity_ratio: Some((ratio * 100.0).round() / 100.0),
        paired_patients: items * 20 / 350,
        ..config
    }
}

/// A benchmark instance in `shape`: the standard family above, or the hub
/// family with its spread of restrictions and a hub's rota (75 clinicians over
/// 20 working days at 10,000 items, 225 at 30,000).
pub fn shaped_config(items: usize, seed: u64, shape: Shape) -> GeneratorConfig {
    let config = benchmark_config(items, seed);
    match shape {
        Shape::Standard => config,
        // Fewer bloods-then-review pairs than a practice's list (their reviews carry an earliest date).
        Shape::Hub => {
            GeneratorConfig { clinicians: (items * 3 / 400).max(9), paired_patients: items * 10 / 350, shape, ..config }
        }
    }
}

/// Clinician roles in the order the generator uses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Gp,
    Anp,
    Nurse,
    Hca,
    Pharmacist,
}

impl Role {
    const ALL: [Role; 5] = [Role::Gp, Role::Anp, Role::Nurse, Role::Hca, Role::Pharmacist];

    /// Share of the clinicians on a practice's rota.
    fn staff_share(self) -> f64 {
        match self {
            Role::Gp => 0.42,
            Role::Anp => 0.11,
            Role::Nurse => 0.23,
            Role::Hca => 0.16,
            Role::Pharmacist => 0.08,
        }
    }

    /// Name in the default catalogue.
    fn name(self) -> String {
        let roles = default_roles();
        let index = Role::ALL.iter().position(|r| *r == self).unwrap_or(0);
        roles.get(index).cloned().unwrap_or_default()
    }

    /// Prefix of clinician ids, as the rota import derives it from the role name.
    fn id_prefix(self) -> &'static str {
        match self {
            Role::Gp => "GP",
            Role::Anp => "ANP",
            Role::Nurse => "NURSE",
            Role::Hca => "HCA",
            Role::Pharmacist => "PHARMACIST",
        }
    }

    fn slot_minutes(self) -> u32 {
        match self {
            Role::Gp | Role::Anp => 10,
            Role::Nurse | Role::Hca => 15,
            Role::Pharmacist => 20,
        }
    }

    /// Share of a clinician's sessions that are telephone sessions.
    fn telephone_share(self) -> f64 {
        match self {
            Role::Gp => 0.25,
            Role::Anp => 0.2,
            Role::Nurse | Role::Hca => 0.0,
            Role::Pharmacist => 0.5,
        }
    }
}

/// One generated clinician with their weekly working pattern.
struct Staff {
    clinician: Clinician,
    role: Role,
    /// Half-days worked each week (Mon AM .. Fri PM), with the session mode.
    pattern: Vec<(Weekday, PartOfDay, Mode)>,
}

impl Staff {
    fn works(&self, weekday: Weekday, part: PartOfDay) -> Option<Mode> {
        self.pattern.iter().find(|(w, p, _)| *w == weekday && *p == part).map(|(_, _, m)| *m)
    }
}

const WEEKDAYS: [Weekday; 5] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
const PARTS: [PartOfDay; 2] = [PartOfDay::AM, PartOfDay::PM];

fn pick<'a, T>(rng: &mut ChaCha8Rng, list: &'a [T]) -> &'a T {
    &list[rng.random_range(0..list.len())]
}

/// Index into `weights` drawn in proportion to them.
fn weighted(rng: &mut ChaCha8Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len().saturating_sub(1)
}

/// Splits `total` in proportion to `weights` (largest remainder); parts below
/// `min` are raised to it at the expense of the largest parts.
fn apportion(total: usize, weights: &[f64], min: usize) -> Vec<usize> {
    let sum: f64 = weights.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor())).then(a.cmp(b)));
    let assigned: usize = parts.iter().sum();
    for i in order.into_iter().cycle().take(total.saturating_sub(assigned)) {
        parts[i] += 1;
    }
    while let Some(short) = parts.iter().position(|p| *p < min) {
        let Some(largest) = (0..parts.len()).filter(|i| parts[*i] > min).max_by_key(|i| (parts[*i], usize::MAX - i))
        else {
            break;
        };
        parts[largest] -= 1;
        parts[short] += 1;
    }
    parts
}

/// The working days from `start`, skipping weekends and bank holidays.
fn working_days(start: NaiveDate, count: u32) -> Vec<NaiveDate> {
    let mut days = Vec::new();
    let mut day = start;
    while days.len() < count as usize {
        if is_working_day(day) {
            days.push(day);
        }
        day += Duration::days(1);
    }
    days
}

fn make_staff(rng: &mut ChaCha8Rng, count: usize) -> Vec<Staff> {
    let shares: Vec<f64> = Role::ALL.iter().map(|r| r.staff_share()).collect();
    let per_role = apportion(count.max(Role::ALL.len()), &shares, 1);
    let mut surnames: Vec<&str> = names::CLINICIAN_SURNAMES.to_vec();
    let mut staff = Vec::new();
    let mut serial = 0usize;
    for (role, n) in Role::ALL.iter().zip(per_role) {
        for k in 0..n {
            // Surnames are drawn without replacement so ids never collide; a hub
            // larger than the list numbers the rest.
            let surname = if surnames.is_empty() {
                serial += 1;
                format!("Locum{serial}")
            } else {
                surnames.remove(rng.random_range(0..surnames.len())).to_string()
            };
            let female = rng.random_bool(if *role == Role::Gp { 0.55 } else { 0.85 });
            let first = if female { pick(rng, names::FEMALE_FIRST) } else { pick(rng, names::MALE_FIRST) };
            let name = match role {
                Role::Gp => format!("Dr {} {surname}", &first[..1]),
                _ => format!("{first} {surname}"),
            };
            let id_surname: String =
                surname.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect();
            // The first of each role works full time; others may be part-timers.
            let part_time = k > 0 && rng.random_bool(0.35);
            let sessions_a_week = if part_time { rng.random_range(4..=6) } else { rng.random_range(8..=10) };
            let mut halves: Vec<(Weekday, PartOfDay)> =
                WEEKDAYS.iter().flat_map(|w| PARTS.iter().map(move |p| (*w, *p))).collect();
            while halves.len() > sessions_a_week {
                // Part-timers drop whole days first, like real contracts.
                let index = rng.random_range(0..halves.len());
                let (day, _) = halves[index];
                if part_time && halves.len() - sessions_a_week >= 2 {
                    halves.retain(|(w, _)| *w != day);
                } else {
                    halves.remove(index);
                }
            }
            let pattern = halves
                .into_iter()
                .map(|(w, p)| {
                    let mode = if rng.random_bool(role.telephone_share()) { Mode::Telephone } else { Mode::FaceToFace };
                    (w, p, mode)
                })
                .collect();
            staff.push(Staff {
                clinician: Clinician {
                    id: format!("{}-{id_surname}", role.id_prefix()),
                    name,
                    role: role.name(),
                    extra_types: Vec::new(),
                    excluded_types: Vec::new(),
                    daily_cap: None,
                },
                role: *role,
                pattern,
            });
        }
    }
    // Every role needs face-to-face capacity for face-to-face-only work.
    for role in Role::ALL {
        let has_f2f = staff.iter().any(|s| s.role == role && s.pattern.iter().any(|(_, _, m)| *m == Mode::FaceToFace));
        if !has_f2f && let Some(first) = staff.iter_mut().find(|s| s.role == role) {
            for entry in first.pattern.iter_mut().step_by(2) {
                entry.2 = Mode::FaceToFace;
            }
        }
    }
    staff
}

/// How a generated appointment was chosen: its home role and type.
struct Draft {
    item: BacklogItem,
    role: Role,
}

/// (type, weight) by role for non-urgent work.
fn types_for(role: Role) -> &'static [(&'static str, f64)] {
    match role {
        Role::Gp => &[("GP routine", 0.6), ("GP review", 0.35), ("GP double", 0.05)],
        Role::Anp => &[("Minor illness", 1.0)],
        Role::Nurse => &[
            ("Nurse chronic disease review", 0.3),
            ("Cervical screening", 0.2),
            ("Nurse bloods", 0.2),
            ("Vaccination", 0.15),
            ("Wound dressing", 0.15),
        ],
        Role::Hca => &[("Nurse bloods", 0.55), ("HCA blood pressure", 0.3), ("Vaccination", 0.15)],
        Role::Pharmacist => &[("Pharmacist medication review", 1.0)],
    }
}

fn notes_for(type_name: &str) -> &'static [&'static str] {
    match type_name {
        "Nurse bloods" => &["fasting bloods", "INR check", "HbA1c and lipids", "needle phobic - prefers to lie down"],
        "GP review" => &["review of blood results", "follow-up after A&E attendance", "review of new medication"],
        "GP routine" => &["ongoing back pain", "fit note renewal", "mole check"],
        "GP urgent" => &["chest infection not improving", "worsening abdominal pain", "child with high fever"],
        "Minor illness" => &["sore throat 5 days", "earache", "UTI symptoms"],
        "Nurse chronic disease review" => &["annual asthma review", "diabetes review - bring meter", "COPD review"],
        "Cervical screening" => &["recall letter sent", "previous inadequate sample"],
        "Vaccination" => &["shingles vaccine", "B12 injection due", "12-month immunisations", "pneumococcal"],
        "Wound dressing" => &["post-op wound check", "leg ulcer dressing", "removal of sutures"],
        "HCA blood pressure" => &["home readings high", "new hypertension check"],
        "Pharmacist medication review" => &["structured medication review", "polypharmacy - 10+ items"],
        _ => &[],
    }
}

/// Ages suited to the type (screening, vaccines and reviews have their own groups).
fn age_for(rng: &mut ChaCha8Rng, type_name: &str) -> (u32, Option<bool>) {
    match type_name {
        "Cervical screening" => (rng.random_range(25..=64), Some(true)),
        "Nurse chronic disease review" => (rng.random_range(35..=90), None),
        "Pharmacist medication review" => (rng.random_range(60..=95), None),
        "Vaccination" if rng.random_bool(0.35) => (rng.random_range(0..=5), None),
        "Vaccination" => (rng.random_range(65..=90), None),
        "HCA blood pressure" => (rng.random_range(40..=85), None),
        _ => {
            let band = weighted(rng, &[0.15, 0.30, 0.28, 0.27]);
            let range = [(0, 17), (18, 44), (45, 64), (65, 95)][band];
            (rng.random_range(range.0..=range.1), None)
        }
    }
}

/// Hands out patients: unique 999-range NHS numbers, names, births and phones.
struct PatientMaker {
    numbers: Box<dyn Iterator<Item = String>>,
}

impl PatientMaker {
    fn new() -> PatientMaker {
        PatientMaker { numbers: Box::new(nhs::test_numbers()) }
    }

    fn make(&mut self, rng: &mut ChaCha8Rng, type_name: &str, on: NaiveDate) -> Patient {
        // Skip a few numbers each time so a list does not read as a sequence.
        let skip = rng.random_range(0..12);
        let nhs_number = self.numbers.nth(skip).unwrap_or_default();
        let (age, female) = age_for(rng, type_name);
        let female = female.unwrap_or_else(|| rng.random_bool(0.52));
        let first = if female { pick(rng, names::FEMALE_FIRST) } else { pick(rng, names::MALE_FIRST) };
        let surname = pick(rng, names::SURNAMES);
        // `age` completed years on the appointment day, born on any day of that year of life.
        let days_old = i64::from(age) * 365 + i64::from(age / 4) + rng.random_range(0..365);
        let born = on - Duration::days(days_old);
        let (phone, sms_consent) = match weighted(rng, &[0.85, 0.12, 0.03]) {
            0 => (format!("07700 900{:03}", rng.random_range(0..1000)), rng.random_bool(0.82)),
            1 => (format!("01632 960{:03}", rng.random_range(0..1000)), rng.random_bool(0.1)),
            _ => (String::new(), false),
        };
        Patient {
            nhs_number,
            name: format!("{}, {first}", surname.to_uppercase()),
            date_of_birth: Some(born),
            phone,
            sms_consent,
            deceased: false,
        }
    }
}

/// Generates a whole plan (no bookings) from the config.
pub fn generate(config: &GeneratorConfig) -> Plan {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut plan = Plan::new(&config.practice_name);
    plan.practice = Practice { name: config.practice_name.clone(), ods_code: Some(config.ods_code.clone()) };
    plan.outage = Outage {
        start: Some(config.outage_start),
        end: Some(config.outage_end),
        description: config.outage_description.clone(),
    };
    let days = working_days(config.horizon_start, config.days.max(1));
    plan.horizon =
        Some(Horizon { start: config.horizon_start, end: days.last().copied().unwrap_or(config.horizon_start) });

    let staff = make_staff(&mut rng, config.clinicians);
    let drafts = make_backlog(&mut rng, config, &staff);
    plan.clinicians = staff.iter().map(|s| s.clinician.clone()).collect();
    plan.sessions = make_sessions(&mut rng, config, &staff, &drafts, &days, &plan);
    plan.backlog = drafts.into_iter().map(|d| d.item).collect();
    make_every_item_placeable(&mut plan);
    plan.normalise();
    plan
}

/// Days and half-days on which the system was down and appointments were cancelled.
fn outage_half_days(config: &GeneratorConfig) -> Vec<(NaiveDate, PartOfDay)> {
    let mut out = Vec::new();
    let mut day = config.outage_start.date();
    while day <= config.outage_end.date() {
        if is_working_day(day) {
            for part in PARTS {
                let begins = day.and_time(if part == PartOfDay::AM { MORNING } else { AFTERNOON });
                if begins < config.outage_end {
                    out.push((day, part));
                }
            }
        }
        day += Duration::days(1);
    }
    if out.is_empty() {
        out.push((config.outage_start.date(), PartOfDay::AM));
    }
    out
}

fn part_start(part: PartOfDay) -> NaiveTime {
    match part {
        PartOfDay::AM => crate::const_time!(8, 30),
        PartOfDay::PM => crate::const_time!(14, 0),
    }
}

fn make_backlog(rng: &mut ChaCha8Rng, config: &GeneratorConfig, staff: &[Staff]) -> Vec<Draft> {
    let mut book = OriginalBook { config, staff, halves: outage_half_days(config), taken: BTreeSet::new() };
    let mut patients = PatientMaker::new();
    let mut drafts = Vec::new();
    let paired = config.paired_patients.min(config.items / 2);
    let review_from = config.horizon_start + Duration::days(7);

    for _ in 0..paired {
        let bloods_role = if rng.random_bool(0.6) { Role::Hca } else { Role::Nurse };
        let mut bloods = draft_item(rng, &mut book, bloods_role, "Nurse bloods", "Routine");
        bloods.item.notes = "bloods before GP review".into();
        bloods.item.earliest_date = None;
        let patient = patients.make(rng, "GP review", bloods.item.original_date);
        bloods.item.patient = patient.clone();
        let mut review = draft_item(rng, &mut book, Role::Gp, "GP review", "Routine");
        review.item.patient = patient;
        // One person: the same days they cannot come, the same preference.
        review.item.unavailable = bloods.item.unavailable.clone();
        review.item.preferred_part = bloods.item.preferred_part;
        review.item.earliest_date = Some(review_from);
        review.item.see_by = review.item.see_by.filter(|s| *s > review_from);
        review.item.notes = "review of blood results".into();
        drafts.push(bloods);
        drafts.push(review);
    }
    for _ in 0..config.items.saturating_sub(2 * paired) {
        let priority = ["Urgent", "Soon", "Routine"][weighted(rng, &[0.08, 0.25, 0.67])];
        let (role, type_name) = if priority == "Urgent" {
            match weighted(rng, &[0.6, 0.3, 0.1]) {
                0 => (Role::Gp, if rng.random_bool(0.7) { "GP urgent" } else { "GP routine" }),
                1 => (Role::Anp, if rng.random_bool(0.5) { "GP urgent" } else { "Minor illness" }),
                _ => (Role::Nurse, "Wound dressing"),
            }
        } else {
            let role = Role::ALL[weighted(rng, &[0.42, 0.08, 0.25, 0.15, 0.10])];
            let types = types_for(role);
            let weights: Vec<f64> = types.iter().map(|(_, w)| *w).collect();
            (role, types[weighted(rng, &weights)].0)
        };
        let mut draft = draft_item(rng, &mut book, role, type_name, priority);
        draft.item.patient = patients.make(rng, type_name, draft.item.original_date);
        drafts.push(draft);
    }
    // An export lists appointments in book order; ids follow it.
    drafts.sort_by(|a, b| {
        (a.item.original_date, a.item.original_time, &a.item.original_clinician).cmp(&(
            b.item.original_date,
            b.item.original_time,
            &b.item.original_clinician,
        ))
    });
    for (n, draft) in drafts.iter_mut().enumerate() {
        draft.item.id = format!("A-{:06}", n + 1);
    }
    drafts
}

/// The appointment book of the outage days, to give each cancelled
/// appointment a slot of its own in its clinician's book.
struct OriginalBook<'a> {
    config: &'a GeneratorConfig,
    staff: &'a [Staff],
    halves: Vec<(NaiveDate, PartOfDay)>,
    taken: BTreeSet<(String, NaiveDate, NaiveTime)>,
}

impl OriginalBook<'_> {
    /// A slot of someone of `role` working in an outage half-day, not yet
    /// given to another appointment (after many tries a hub's crowded book
    /// may share one).
    fn free_slot(&mut self, rng: &mut ChaCha8Rng, role: Role) -> (NaiveDate, String, NaiveTime) {
        let minutes = role.slot_minutes();
        let mut attempt = 0;
        loop {
            let (day, part) = *pick(rng, &self.halves);
            let working: Vec<&Staff> =
                self.staff.iter().filter(|s| s.role == role && s.works(day.weekday(), part).is_some()).collect();
            let clinician = if working.is_empty() {
                self.staff.iter().find(|s| s.role == role)
            } else {
                Some(*pick(rng, &working))
            };
            let slot = rng.random_range(0..(210 / minutes));
            let time = part_start(part) + Duration::minutes(i64::from(slot * minutes));
            let id = clinician.map(|c| c.clinician.id.clone()).unwrap_or_default();
            attempt += 1;
            if self.taken.insert((id.clone(), day, time)) || attempt >= 30 {
                return (day, id, time);
            }
        }
    }
}

/// One cancelled appointment of `role`'s work (patient filled in by the caller).
fn draft_item(rng: &mut ChaCha8Rng, book: &mut OriginalBook<'_>, role: Role, type_name: &str, priority: &str) -> Draft {
    let (day, clinician_id, time) = book.free_slot(rng, role);
    let config = book.config;

    let kinds = crate::model::default_appointment_types();
    let kind = kinds.iter().find(|t| t.name == type_name);
    let default_slots = kind.map_or(1, |t| t.default_slots);
    let telephone_possible = kind.is_some_and(|t| t.modes.contains(&Mode::Telephone));
    let slots = if matches!(type_name, "GP review" | "GP routine") && rng.random_bool(0.1) { 2 } else { default_slots };
    let mode = if telephone_possible {
        [ModeRequirement::Telephone, ModeRequirement::FaceToFace, ModeRequirement::Any]
            [weighted(rng, &[0.45, 0.4, 0.15])]
    } else if rng.random_bool(0.92) {
        ModeRequirement::FaceToFace
    } else {
        ModeRequirement::Any
    };
    let continuity = if role == Role::Gp && !clinician_id.is_empty() {
        match weighted(rng, &[0.03, 0.30, 0.67]) {
            0 => Continuity::Required(clinician_id.clone()),
            1 => Continuity::Preferred(clinician_id.clone()),
            _ => Continuity::None,
        }
    } else {
        Continuity::None
    };
    let mut unavailable = Vec::new();
    if rng.random_bool(0.15) {
        for _ in 0..rng.random_range(1..=2) {
            let entry = Unavailability {
                day: DaySpec::Weekday(*pick(rng, &WEEKDAYS)),
                part: [Some(PartOfDay::AM), Some(PartOfDay::PM), None][weighted(rng, &[0.4, 0.3, 0.3])],
            };
            if !unavailable.contains(&entry) {
                unavailable.push(entry);
            }
        }
    }
    let preferred_part = if rng.random_bool(0.1) {
        Some(if rng.random_bool(0.5) { PartOfDay::AM } else { PartOfDay::PM })
    } else {
        None
    };
    let working_day_after = |n: i64| working_day_after(config, n);
    let see_by = (priority != "Urgent" && rng.random_bool(0.08)).then(|| working_day_after(rng.random_range(2..=9)));
    let mut notes = String::new();
    let earliest_date = if rng.random_bool(0.03) {
        let back = working_day_after(rng.random_range(3..=8));
        notes = format!("away until {}", back.format("%d/%m/%Y"));
        Some(back)
    } else {
        None
    };
    let see_by = see_by.filter(|s| earliest_date.is_none_or(|e| e < *s));
    if notes.is_empty() && rng.random_bool(0.3) {
        let pool = if rng.random_bool(0.3) { names::GENERAL_NOTES } else { notes_for(type_name) };
        if !pool.is_empty() {
            notes = pick(rng, pool).to_string();
        }
    }
    let mut draft = Draft {
        item: BacklogItem {
            id: String::new(),
            patient: Patient::default(),
            original_date: day,
            original_time: Some(time),
            original_clinician: clinician_id,
            appointment_type: type_name.to_string(),
            slots,
            priority: priority.to_string(),
            mode,
            continuity,
            unavailable,
            preferred_part,
            earliest_date,
            see_by,
            notes,
            declined_sessions: Vec::new(),
        },
        role,
    };
    if config.shape == Shape::Hub {
        hub_restrictions(rng, config, &mut draft);
    }
    draft
}

/// The working day `n` calendar days after the horizon start (or the next one).
fn working_day_after(config: &GeneratorConfig, n: i64) -> NaiveDate {
    let mut d = config.horizon_start + Duration::days(n);
    while !is_working_day(d) {
        d += Duration::days(1);
    }
    d
}

/// Redraws a draft's restrictions with the hub shape's spread (see `Shape::Hub`).
/// The standard draws above stay as they are so the standard shape never changes.
fn hub_restrictions(rng: &mut ChaCha8Rng, config: &GeneratorConfig, draft: &mut Draft) {
    let item = &mut draft.item;
    let kinds = crate::model::default_appointment_types();
    let kind = kinds.iter().find(|t| t.name == item.appointment_type);
    let default_slots = kind.map_or(1, |t| t.default_slots);
    let telephone_possible = kind.is_some_and(|t| t.modes.contains(&Mode::Telephone));
    // About 10 % doubles in all: the double types plus single types booked as doubles.
    item.slots = if default_slots == 1 && rng.random_bool(0.03) { 2 } else { default_slots };
    item.mode = if telephone_possible {
        [ModeRequirement::Telephone, ModeRequirement::FaceToFace, ModeRequirement::Any]
            [weighted(rng, &[0.35, 0.45, 0.2])]
    } else if rng.random_bool(0.9) {
        ModeRequirement::FaceToFace
    } else {
        ModeRequirement::Any
    };
    // Continuity with the clinician of the cancelled appointment, in every role
    // but the HCAs' (bloods and blood pressure go to whoever is free).
    item.continuity = if draft.role != Role::Hca && !item.original_clinician.is_empty() {
        match weighted(rng, &[0.035, 0.46, 0.505]) {
            0 => Continuity::Required(item.original_clinician.clone()),
            1 => Continuity::Preferred(item.original_clinician.clone()),
            _ => Continuity::None,
        }
    } else {
        Continuity::None
    };
    // About 20 % cannot come on some weekdays or half-days, or on particular dates.
    item.unavailable.clear();
    if rng.random_bool(0.2) {
        for _ in 0..rng.random_range(1..=3) {
            let day = if rng.random_bool(0.7) {
                DaySpec::Weekday(*pick(rng, &WEEKDAYS))
            } else {
                DaySpec::Date(working_day_after(config, rng.random_range(0..=27)))
            };
            let entry = Unavailability {
                day,
                part: [Some(PartOfDay::AM), Some(PartOfDay::PM), None][weighted(rng, &[0.4, 0.3, 0.3])],
            };
            if !item.unavailable.contains(&entry) {
                item.unavailable.push(entry);
            }
        }
    }
    item.preferred_part =
        rng.random_bool(0.1).then(|| if rng.random_bool(0.5) { PartOfDay::AM } else { PartOfDay::PM });
    let earliest = rng.random_bool(0.025).then(|| working_day_after(config, rng.random_range(1..=12)));
    if let Some(back) = earliest {
        item.notes = format!("away until {}", back.format("%d/%m/%Y"));
    } else if item.notes.starts_with("away until") {
        item.notes.clear();
    }
    item.earliest_date = earliest;
    item.see_by = (item.priority != "Urgent" && rng.random_bool(0.03))
        .then(|| working_day_after(config, rng.random_range(2..=12)))
        .filter(|s| earliest.is_none_or(|e| e < *s));
}

fn make_sessions(
    rng: &mut ChaCha8Rng,
    config: &GeneratorConfig,
    staff: &[Staff],
    drafts: &[Draft],
    days: &[NaiveDate],
    plan: &Plan,
) -> Vec<Session> {
    let mut sessions = Vec::new();
    for day in days {
        for part in PARTS {
            let begins = day.and_time(if part == PartOfDay::AM { MORNING } else { AFTERNOON });
            if begins < config.outage_end {
                continue;
            }
            for person in staff {
                let Some(mode) = person.works(day.weekday(), part) else { continue };
                let minutes = person.role.slot_minutes();
                // The book is mostly taken by normal demand; the free run starts
                // part-way through the session.
                let booked_before = rng.random_range(0..=(90 / minutes));
                let start = part_start(part) + Duration::minutes(i64::from(booked_before * minutes));
                sessions.push(Session {
                    id: format!("{}-{}-{}", person.clinician.id, day.format("%Y-%m-%d"), part.label()),
                    clinician: person.clinician.id.clone(),
                    date: *day,
                    part,
                    start,
                    slot_minutes: minutes,
                    free_slots: rng.random_range(4..=8),
                    mode,
                    slot_times: Vec::new(),
                    cancelled: false,
                });
            }
        }
    }
    if let Some(ratio) = config.capacity_ratio {
        scale_capacity(rng, &mut sessions, staff, drafts, ratio, plan);
    }
    sessions
}

/// Sets free slots so each role's usable capacity is `ratio` x the slots its work needs.
fn scale_capacity(
    rng: &mut ChaCha8Rng,
    sessions: &mut [Session],
    staff: &[Staff],
    drafts: &[Draft],
    ratio: f64,
    plan: &Plan,
) {
    for role in Role::ALL {
        let demand: u32 = drafts.iter().filter(|d| d.role == role).map(|d| d.item.slots).sum();
        let target = (f64::from(demand) * ratio).round() as usize;
        let ids: Vec<&str> = staff.iter().filter(|s| s.role == role).map(|s| s.clinician.id.as_str()).collect();
        let mine: Vec<usize> = (0..sessions.len()).filter(|i| ids.contains(&sessions[*i].clinician.as_str())).collect();
        if mine.is_empty() {
            continue;
        }
        let weights: Vec<f64> = mine.iter().map(|_| rng.random_range(0.6..1.4)).collect();
        let usable = apportion(target.max(mine.len()), &weights, 1);
        for (index, wanted) in mine.into_iter().zip(usable) {
            // Smallest free count whose usable part (after the reserve) reaches the share.
            let session = &mut sessions[index];
            session.free_slots = wanted as u32;
            while session.usable_slots(&plan.rules) < wanted as u32 {
                session.free_slots += 1;
            }
        }
    }
}

/// Relaxes the few generated items that no session could take (a part-timer
/// required on their day off, a telephone need with no telephone session...),
/// so every item in a generated plan is placeable in principle.
fn make_every_item_placeable(plan: &mut Plan) {
    let placeable =
        |plan: &Plan, item: &BacklogItem| plan.sessions.iter().any(|s| check_eligible(plan, item, s).is_ok());
    for index in 0..plan.backlog.len() {
        let relaxations: [fn(&mut BacklogItem); 5] = [
            |i| i.unavailable.clear(),
            |i| i.mode = ModeRequirement::Any,
            |i| {
                if let Continuity::Required(c) = &i.continuity {
                    i.continuity = Continuity::Preferred(c.clone());
                }
            },
            |i| i.earliest_date = None,
            |i| i.slots = 1,
        ];
        for relax in relaxations {
            if placeable(plan, &plan.backlog[index]) {
                break;
            }
            relax(&mut plan.backlog[index]);
        }
    }
}

/// Quotes a CSV field when it holds a separator, quote or line break.
/// Writes a header and rows as CSV into memory (the csv crate quotes as needed).
fn csv_bytes(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(&row)?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

fn dmy(date: Option<NaiveDate>) -> String {
    date.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()
}

/// The import's canonical backlog columns that a clinical system's export
/// has no separate use for: the generated export writes every other one.
const NOT_IN_BACKLOG_EXPORT: &[&str] =
    &["forename", "surname", "telephone_appointment", "continuity_clinician", "deceased"];

/// Columns of the backlog export, in `formats.md`'s canonical names.
pub fn backlog_export_columns() -> Vec<&'static str> {
    BACKLOG_COLUMNS.iter().copied().filter(|c| !NOT_IN_BACKLOG_EXPORT.contains(c)).collect()
}

/// The backlog as a clinical system's export of cancelled appointments:
/// dd/mm/yyyy dates, NHS numbers as "999 000 0018", clinicians by name.
pub fn backlog_csv(plan: &Plan) -> Result<Vec<u8>, csv::Error> {
    let clinician_name = |id: &str| plan.clinician(id).map_or_else(|| id.to_string(), |c| c.name.clone());
    let rows = plan.backlog.iter().map(|item| {
        let mode = match item.mode {
            ModeRequirement::Any => "Any",
            ModeRequirement::FaceToFace => "F2F",
            ModeRequirement::Telephone => "Telephone",
        };
        vec![
            item.id.clone(),
            nhs::format(&item.patient.nhs_number),
            item.patient.name.clone(),
            dmy(item.patient.date_of_birth),
            item.patient.phone.clone(),
            if item.patient.sms_consent { "Y" } else { "N" }.to_string(),
            dmy(Some(item.original_date)),
            item.original_time.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
            clinician_name(&item.original_clinician),
            item.appointment_type.clone(),
            item.slots.to_string(),
            item.priority.clone(),
            mode.to_string(),
            item.continuity.label().to_string(),
            item.unavailable.iter().map(Unavailability::label).collect::<Vec<_>>().join("; "),
            item.preferred_part.map(|p| p.label().to_string()).unwrap_or_default(),
            dmy(item.earliest_date),
            dmy(item.see_by),
            item.notes.clone(),
        ]
    });
    csv_bytes(&backlog_export_columns(), rows)
}

/// Columns of the rota export, in `formats.md`'s canonical names.
pub const ROTA_EXPORT_COLUMNS: &[&str] =
    &["clinician", "role", "date", "part", "start", "slot_minutes", "free_slots", "mode"];

/// The sessions as the rota a practice would type or export: one row per session.
pub fn rota_csv(plan: &Plan) -> Result<Vec<u8>, csv::Error> {
    let rows = plan.sessions.iter().map(|session| {
        let clinician = plan.clinician(&session.clinician);
        vec![
            clinician.map_or_else(|| session.clinician.clone(), |c| c.name.clone()),
            clinician.map(|c| c.role.clone()).unwrap_or_default(),
            dmy(Some(session.date)),
            session.part.label().to_string(),
            session.start.format("%H:%M").to_string(),
            session.slot_minutes.to_string(),
            session.slot_count().to_string(),
            match session.mode {
                Mode::FaceToFace => "F2F",
                Mode::Telephone => "Telephone",
            }
            .to_string(),
        ]
    });
    csv_bytes(ROTA_EXPORT_COLUMNS, rows)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn shape_names_parse_and_an_unknown_one_is_a_typed_error() {
        assert_eq!(" Hub ".parse::<Shape>(), Ok(Shape::Hub));
        assert_eq!("practice".parse::<Shape>(), Ok(Shape::Standard));
        let error = "Huge".parse::<Shape>().unwrap_err();
        assert_eq!(error, UnknownShape("huge".into()));
        assert_eq!(error.to_string(), "unknown shape \"huge\": use standard or hub");
        let backend = "simplex".parse::<crate::scheduler::Backend>().unwrap_err();
        assert_eq!(backend, crate::scheduler::solve_api::UnknownBackend("simplex".into()));
    }

    #[test]
    fn apportion_is_exact_and_respects_the_minimum() {
        assert_eq!(apportion(14, &[0.42, 0.11, 0.23, 0.16, 0.08], 1), vec![6, 2, 3, 2, 1]);
        assert_eq!(apportion(9, &[0.42, 0.11, 0.23, 0.16, 0.08], 1).iter().sum::<usize>(), 9);
        assert!(apportion(5, &[1.0, 1.0, 1.0, 1.0, 1.0], 1).iter().all(|n| *n == 1));
    }

    #[test]
    fn working_days_skip_weekends() {
        let days = working_days(crate::model::test_date(2024, 7, 22), 10);
        assert_eq!(days.len(), 10);
        assert_eq!(days.last(), Some(&crate::model::test_date(2024, 8, 2)));
        assert!(days.iter().all(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)));
        // August bank holiday 2024 (Monday 26th) is skipped.
        let days = working_days(crate::model::test_date(2024, 8, 19), 6);
        assert_eq!(days[5], crate::model::test_date(2024, 8, 27));
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        let csv = csv_bytes(&["a", "b", "c"], [vec!["SMITH, Jane".into(), "say \"hi\"".into(), "GP routine".into()]])
            .unwrap();
        assert_eq!(String::from_utf8(csv).unwrap(), "a,b,c\n\"SMITH, Jane\",\"say \"\"hi\"\"\",GP routine\n");
    }

    #[test]
    fn outage_covers_friday_and_monday_morning() {
        let halves = outage_half_days(&example_config());
        assert_eq!(
            halves,
            vec![
                (crate::model::test_date(2024, 7, 19), PartOfDay::AM),
                (crate::model::test_date(2024, 7, 19), PartOfDay::PM),
                (crate::model::test_date(2024, 7, 22), PartOfDay::AM)
            ]
        );
    }

    #[test]
    fn benchmark_sizes_scale_clinicians_and_days() {
        let sizes: Vec<(usize, usize, u32)> = [300, 1000, 3000, 10_000]
            .iter()
            .map(|n| benchmark_config(*n, 1))
            .map(|c| (c.items, c.clinicians, c.days))
            .collect();
        assert_eq!(sizes, vec![(300, 9, 10), (1000, 15, 10), (3000, 25, 15), (10_000, 60, 20)]);
        let ratio = benchmark_config(1000, 7).capacity_ratio.unwrap();
        assert!((0.8..=1.1).contains(&ratio));
    }
}
