//! `rebook bench [--sizes 300,1000,3000,10000] [--backend default|highs]`:
//! solves synthetic plans of each size, each in its own child process so the
//! peak memory figure (VmHWM) belongs to that size alone, and prints a table.

use crate::model::nhs::test_numbers;
use crate::model::{
    BacklogItem, Clinician, Continuity, DaySpec, Horizon, Mode, ModeRequirement, PartOfDay, Patient, Plan, Session,
    Unavailability,
};
use crate::scheduler::{self, Backend, SolveOptions};
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Backlog sizes to solve, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "300,1000,3000,10000")]
    pub sizes: Vec<usize>,
    /// LP solver: default (pure Rust) or highs (needs the `highs` feature).
    #[arg(long, default_value = "default")]
    pub backend: Backend,
    /// Seed of the synthetic plans.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Run one size in this process and print its row (used by the parent run).
    #[arg(long, hide = true)]
    pub child: bool,
}

pub fn run(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    if args.child {
        for &size in &args.sizes {
            println!("{}", measure(size, args.seed, args.backend)?);
        }
        return Ok(ExitCode::SUCCESS);
    }
    println!("backend: {}  (each size in its own process; times in ms)", args.backend.name());
    println!(
        "{:>6} {:>8} {:>6} {:>8} {:>8} {:>8} {:>8} {:>12} {:>12} {:>7} {:>12} {:>7}",
        "items",
        "classes",
        "parts",
        "build",
        "solve",
        "total",
        "peak MB",
        "objective",
        "bound",
        "gap %",
        "greedy obj",
        "urgent%"
    );
    let exe = std::env::current_exe()?;
    for &size in &args.sizes {
        let output = std::process::Command::new(&exe)
            .args(["bench", "--child", "--sizes", &size.to_string(), "--seed", &args.seed.to_string()])
            .args(["--backend", if args.backend == Backend::Highs { "highs" } else { "default" }])
            .output()?;
        if !output.status.success() {
            anyhow::bail!("size {size} failed: {}", String::from_utf8_lossy(&output.stderr).trim());
        }
        print!("{}", String::from_utf8_lossy(&output.stdout));
    }
    Ok(ExitCode::SUCCESS)
}

/// Solves one synthetic plan and formats its row of the table.
fn measure(size: usize, seed: u64, backend: Backend) -> anyhow::Result<String> {
    let plan = synthetic_plan(size, seed);
    let started = Instant::now();
    let options = SolveOptions { backend, time_limit: None };
    let result = scheduler::solve(&plan, &options, &mut |_| {}, &AtomicBool::new(false))?;
    let total_ms = started.elapsed().as_secs_f64() * 1e3;
    let greedy = scheduler::greedy(&plan);
    let greedy_objective = scheduler::cost::objective(&plan, &greedy, &plan.bookings);
    let urgent = urgent_within_target(&plan, &result.bookings);
    let classes = scheduler::classes::ClassModel::build(&plan).classes.len();
    Ok(format!(
        "{:>6} {:>8} {:>6} {:>8.0} {:>8.0} {:>8.0} {:>8.1} {:>12.1} {:>12.1} {:>7.3} {:>12.1} {:>7.1}",
        size,
        classes,
        result.stats.components,
        result.stats.build_ms,
        result.stats.solve_ms,
        total_ms,
        peak_memory_mb().unwrap_or(f64::NAN),
        result.info.objective,
        result.info.bound,
        result.info.gap * 100.0,
        greedy_objective,
        urgent,
    ))
}

/// Percentage of the most urgent priority placed on or before its deadline.
fn urgent_within_target(plan: &Plan, bookings: &[crate::model::Booking]) -> f64 {
    let Some(urgent) = plan.rules.priorities.first() else { return f64::NAN };
    let start = scheduler::cost::horizon_start(plan);
    let mut total = 0;
    let mut within = 0;
    for (item, booking) in plan.backlog.iter().zip(bookings) {
        if !item.priority.eq_ignore_ascii_case(&urgent.name) {
            continue;
        }
        total += 1;
        if let Some(session) = booking.session().and_then(|s| plan.session(s))
            && let Some(start) = start
            && scheduler::cost::deadline(plan, item, start).is_none_or(|d| session.date <= d)
        {
            within += 1;
        }
    }
    if total == 0 { 100.0 } else { 100.0 * f64::from(within) / f64::from(total) }
}

/// Peak resident memory of this process (Linux), in MB.
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// A synthetic practice of the shape in the engineering notes: clinicians and
/// days grow with the backlog (300: 8 x 10 days ... 10,000: 60 x 20 days),
/// capacity about 80-110 % of demand, 10 % doubles, continuity, availability.
pub fn synthetic_plan(size: usize, seed: u64) -> Plan {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (size as u64).wrapping_mul(0x9E37_79B9));
    let (clinician_count, days) = match size {
        0..=500 => (8, 10),
        501..=1500 => (15, 10),
        1501..=5000 => (25, 15),
        _ => (60, 20),
    };
    let mut plan = Plan::new("Synthetic Medical Centre");
    let start = NaiveDate::from_ymd_opt(2024, 7, 22).unwrap_or(NaiveDate::MIN);
    let mut dates = Vec::new();
    let mut date = start;
    while dates.len() < days {
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            dates.push(date);
        }
        date = date.succ_opt().unwrap_or(date);
    }
    plan.horizon = Some(Horizon { start, end: *dates.last().unwrap_or(&start) });
    let roles = ["GP", "GP", "GP", "GP", "ANP", "Practice nurse", "Practice nurse", "HCA", "Pharmacist", "GP"];
    for i in 0..clinician_count {
        let role = roles[i % roles.len()];
        plan.clinicians.push(Clinician {
            id: format!("C{i:02}"),
            name: format!("{role} {i}"),
            role: role.to_string(),
            extra_types: Vec::new(),
            excluded_types: Vec::new(),
            daily_cap: None,
        });
    }
    // Demand per role decides the slot supply; items first so capacity can match them.
    let types: Vec<(&str, u32)> = vec![
        ("GP routine", 30),
        ("GP review", 15),
        ("GP urgent", 8),
        ("GP double", 5),
        ("Minor illness", 8),
        ("Nurse bloods", 10),
        ("Nurse chronic disease review", 5),
        ("Cervical screening", 4),
        ("Vaccination", 4),
        ("HCA blood pressure", 5),
        ("Pharmacist medication review", 6),
    ];
    let weight_total: u32 = types.iter().map(|t| t.1).sum();
    let mut numbers = test_numbers();
    let mut previous_patient: Option<Patient> = None;
    for i in 0..size {
        let mut pick = rng.random_range(0..weight_total);
        let kind = types.iter().find(|t| {
            if pick < t.1 {
                true
            } else {
                pick -= t.1;
                false
            }
        });
        let kind = kind.map_or("GP routine", |t| t.0);
        let slots = plan.appointment_type(kind).map_or(1, |t| t.default_slots);
        let priority = match rng.random_range(0..100) {
            0..15 => "Urgent",
            15..40 => "Soon",
            _ => "Routine",
        };
        let patient = match (&previous_patient, rng.random_range(0..100)) {
            (Some(p), 0..5) => p.clone(),
            _ => Patient {
                nhs_number: numbers.next().unwrap_or_default(),
                name: format!("PATIENT, Test {i}"),
                date_of_birth: NaiveDate::from_ymd_opt(
                    1940 + (i % 70) as i32,
                    1 + (i % 12) as u32,
                    1 + (i % 28) as u32,
                ),
                phone: format!("07700 9{:05}", i % 100_000),
                sms_consent: i % 3 != 0,
                deceased: false,
            },
        };
        previous_patient = Some(patient.clone());
        let eligible: Vec<&Clinician> = plan.clinicians.iter().filter(|c| plan.clinician_sees(c, kind)).collect();
        let continuity = match (rng.random_range(0..100), eligible.is_empty()) {
            (0..20, false) => Continuity::Preferred(eligible[rng.random_range(0..eligible.len())].id.clone()),
            (20..23, false) => Continuity::Required(eligible[rng.random_range(0..eligible.len())].id.clone()),
            _ => Continuity::None,
        };
        let modes = plan.appointment_type(kind).map(|t| t.modes.clone()).unwrap_or_default();
        let mode = match rng.random_range(0..100) {
            0..10 if modes.contains(&Mode::Telephone) => ModeRequirement::Telephone,
            10..25 => ModeRequirement::FaceToFace,
            _ => ModeRequirement::Any,
        };
        let unavailable = if rng.random_range(0..100) < 10 {
            let weekday =
                [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri][rng.random_range(0..5)];
            let part = [None, Some(PartOfDay::AM), Some(PartOfDay::PM)][rng.random_range(0..3)];
            vec![Unavailability { day: DaySpec::Weekday(weekday), part }]
        } else {
            Vec::new()
        };
        let preferred_part = if rng.random_range(0..100) < 15 {
            Some([PartOfDay::AM, PartOfDay::PM][rng.random_range(0..2)])
        } else {
            None
        };
        let earliest_date =
            if rng.random_range(0..100) < 5 { Some(dates[rng.random_range(0..dates.len())]) } else { None };
        let original_date = start - chrono::Duration::days(rng.random_range(1..6));
        plan.backlog.push(BacklogItem {
            id: format!("A{i:05}"),
            patient,
            original_date,
            original_time: NaiveTime::from_hms_opt(8 + rng.random_range(0..10), 10 * rng.random_range(0..6), 0),
            original_clinician: String::new(),
            appointment_type: kind.to_string(),
            slots,
            priority: priority.to_string(),
            mode,
            continuity,
            unavailable,
            preferred_part,
            earliest_date,
            see_by: None,
            notes: String::new(),
            declined_sessions: Vec::new(),
        });
    }
    // Sessions: every clinician, most half-days, sized so capacity is 80-110 % of demand.
    let demand_slots: u32 = plan.backlog.iter().map(|b| b.slots).sum();
    let half_days = (clinician_count * dates.len() * 2) as f64 * 0.85;
    let ratio = rng.random_range(0.8..1.1);
    let usable_per_session = f64::from(demand_slots) * ratio / half_days;
    let free_slots = ((usable_per_session / 0.8).round() as u32).max(2);
    for clinician in plan.clinicians.clone() {
        for &date in &dates {
            for part in [PartOfDay::AM, PartOfDay::PM] {
                if rng.random_range(0..100) >= 85 {
                    continue;
                }
                let mode = if rng.random_range(0..100) < 25 { Mode::Telephone } else { Mode::FaceToFace };
                let start_time = if part == PartOfDay::AM { (8, 30) } else { (14, 0) };
                plan.sessions.push(Session {
                    id: format!("{}-{}-{}", clinician.id, date.format("%Y-%m-%d"), part.label()),
                    clinician: clinician.id.clone(),
                    date,
                    part,
                    start: NaiveTime::from_hms_opt(start_time.0, start_time.1, 0).unwrap_or(NaiveTime::MIN),
                    slot_minutes: 10,
                    free_slots: free_slots + rng.random_range(0..3),
                    mode,
                    slot_times: Vec::new(),
                    cancelled: false,
                });
            }
        }
    }
    plan.normalise();
    plan
}
