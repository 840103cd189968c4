//! The synthetic outage generator: determinism, the example's realism, the
//! committed example data staying in step with the generator, and round trips.
//!
//! After a deliberate change to the generator or the plan format, refresh the
//! committed example with `REBOOK_BLESS=1 cargo test --test generator`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Datelike, NaiveDate, Weekday};
use rebook::generate::{Shape, backlog_csv, benchmark_config, example_config, generate, rota_csv, shaped_config};
use rebook::io::plan_file;
use rebook::model::summary::problems;
use rebook::model::{Continuity, Mode, ModeRequirement, PartOfDay, Plan, nhs};
use rebook::rules::cost::check_eligible;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn backlog_text(plan: &rebook::model::Plan) -> String {
    String::from_utf8(backlog_csv(plan).unwrap()).unwrap()
}

fn rota_text(plan: &rebook::model::Plan) -> String {
    String::from_utf8(rota_csv(plan).unwrap()).unwrap()
}

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(path)
}

use crate::common::date as d;

fn share(count: usize, total: usize) -> f64 {
    count as f64 / total as f64
}

#[test]
fn same_seed_gives_identical_files_and_another_seed_differs() {
    for config in [example_config(), benchmark_config(300, 5)] {
        let a = generate(&config);
        let b = generate(&config);
        assert_eq!(plan_file::to_ron(&a).unwrap(), plan_file::to_ron(&b).unwrap());
        assert_eq!(backlog_text(&a), backlog_text(&b));
        assert_eq!(rota_text(&a), rota_text(&b));

        let mut other = config.clone();
        other.seed += 1;
        let c = generate(&other);
        assert_ne!(plan_file::to_ron(&a).unwrap(), plan_file::to_ron(&c).unwrap());
        assert_ne!(backlog_text(&a), backlog_text(&c));
        assert_ne!(rota_text(&a), rota_text(&c));
    }
}

#[test]
fn example_looks_like_the_crowdstrike_outage_at_a_practice() {
    let plan = generate(&example_config());
    assert!(problems(&plan).is_empty(), "{:?}", problems(&plan));
    assert_eq!(plan.practice.name, "Riverside Medical Practice");
    assert_eq!(plan.outage.start.map(|s| s.date()), Some(d(2024, 7, 19)));
    let horizon = plan.horizon.unwrap();
    assert_eq!((horizon.start, horizon.end), (d(2024, 7, 22), d(2024, 8, 2)));

    // 12-15 clinicians: 5-6 GPs, 1-2 ANPs, 3 nurses, 2 HCAs, 1 pharmacist.
    let mut roles: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &plan.clinicians {
        *roles.entry(c.role.as_str()).or_default() += 1;
    }
    assert!((12..=15).contains(&plan.clinicians.len()));
    assert!((5..=6).contains(&roles["GP"]), "{roles:?}");
    assert!((1..=2).contains(&roles["ANP"]), "{roles:?}");
    assert_eq!((roles["Practice nurse"], roles["HCA"], roles["Pharmacist"]), (3, 2, 1), "{roles:?}");
    assert!(plan.clinicians.iter().filter(|c| c.role == "GP").all(|c| c.name.starts_with("Dr ")));

    // Cancelled on Friday 19 July and Monday morning 22 July.
    let n = plan.backlog.len();
    assert!((330..=370).contains(&n));
    for item in &plan.backlog {
        let morning = item.original_time.is_some_and(|t| PartOfDay::of_time(t) == PartOfDay::AM);
        assert!(item.original_date == d(2024, 7, 19) || (item.original_date == d(2024, 7, 22) && morning));
        assert!(plan.appointment_type(&item.appointment_type).is_some());
    }

    let count = |f: &dyn Fn(&rebook::model::BacklogItem) -> bool| plan.backlog.iter().filter(|i| f(i)).count();
    let urgent = share(count(&|i| i.priority == "Urgent"), n);
    let soon = share(count(&|i| i.priority == "Soon"), n);
    assert!((0.05..=0.11).contains(&urgent), "urgent {urgent}");
    assert!((0.20..=0.30).contains(&soon), "soon {soon}");

    let gp_work: Vec<_> =
        plan.backlog.iter().filter(|i| plan.clinician(&i.original_clinician).is_some_and(|c| c.role == "GP")).collect();
    let preferred = gp_work.iter().filter(|i| matches!(i.continuity, Continuity::Preferred(_))).count();
    let required = gp_work.iter().filter(|i| matches!(i.continuity, Continuity::Required(_))).count();
    assert!((0.2..=0.4).contains(&share(preferred, gp_work.len())), "preferred {preferred}/{}", gp_work.len());
    assert!(required >= 1 && share(required, gp_work.len()) <= 0.07, "required {required}");
    for item in &plan.backlog {
        if let Some(c) = item.continuity.clinician() {
            assert_eq!(c, item.original_clinician, "continuity is with the clinician they were booked with");
        }
    }

    let doubles = count(&|i| i.slots == 2 && i.appointment_type.starts_with("GP"));
    assert!(doubles >= 5, "doubles {doubles}");
    let unavailable = share(count(&|i| !i.unavailable.is_empty()), n);
    assert!((0.08..=0.22).contains(&unavailable), "unavailable {unavailable}");
    assert!(count(&|i| i.see_by.is_some()) >= 5);
    assert!(count(&|i| !i.notes.is_empty()) >= 50);

    let f2f = share(count(&|i| i.mode == ModeRequirement::FaceToFace), n);
    let tel = share(count(&|i| i.mode == ModeRequirement::Telephone), n);
    assert!((0.55..=0.72).contains(&f2f), "f2f {f2f}");
    assert!((0.18..=0.32).contains(&tel), "telephone {tel}");

    // Patients: valid 999-range NHS numbers, one person per number, Ofcom drama phone ranges.
    let mut people: BTreeMap<&str, (&str, Option<NaiveDate>)> = BTreeMap::new();
    for item in &plan.backlog {
        let p = &item.patient;
        assert!(p.nhs_number.starts_with("999") && nhs::parse(&p.nhs_number).is_ok(), "{}", p.nhs_number);
        let person = people.entry(&p.nhs_number).or_insert((&p.name, p.date_of_birth));
        assert_eq!(*person, (p.name.as_str(), p.date_of_birth), "one NHS number, one patient");
        assert!(p.name.contains(", "), "SURNAME, First: {}", p.name);
        assert!(
            p.phone.is_empty() || p.phone.starts_with("07700 900") || p.phone.starts_with("01632 960"),
            "{}",
            p.phone
        );
        if p.sms_consent {
            assert!(!p.phone.is_empty());
        }
    }
    let consent = share(count(&|i| i.patient.sms_consent), n);
    assert!((0.6..=0.8).contains(&consent), "sms consent {consent}");

    // About 20 patients with bloods first and a GP review at least a week later.
    let mut by_patient: BTreeMap<&str, Vec<&rebook::model::BacklogItem>> = BTreeMap::new();
    for item in &plan.backlog {
        by_patient.entry(&item.patient.nhs_number).or_default().push(item);
    }
    let pairs: Vec<_> = by_patient.values().filter(|items| items.len() == 2).collect();
    assert!((15..=25).contains(&pairs.len()), "pairs {}", pairs.len());
    for pair in pairs {
        let bloods = pair.iter().find(|i| i.appointment_type == "Nurse bloods").expect("bloods");
        let review = pair.iter().find(|i| i.appointment_type == "GP review").expect("review");
        assert!(bloods.earliest_date.is_none_or(|e| e < d(2024, 7, 29)));
        assert!(review.earliest_date.is_some_and(|e| e >= d(2024, 7, 29)));
    }

    // Sessions: the two working weeks from Monday 22 July, Monday morning lost to the outage.
    let mut dates = BTreeSet::new();
    for s in &plan.sessions {
        assert!(horizon.contains(s.date) && !matches!(s.date.weekday(), Weekday::Sat | Weekday::Sun));
        assert!(!(s.date == d(2024, 7, 22) && s.part == PartOfDay::AM));
        assert_eq!(PartOfDay::of_time(s.start), s.part);
        assert!((4..=8).contains(&s.free_slots), "{}", s.free_slots);
        let role = &plan.clinician(&s.clinician).unwrap().role;
        let expected = match role.as_str() {
            "GP" | "ANP" => 10,
            "Practice nurse" | "HCA" => 15,
            _ => s.slot_minutes,
        };
        assert_eq!(s.slot_minutes, expected, "{}", s.id);
        dates.insert(s.date);
    }
    assert_eq!(dates.len(), 10);
    let telephone = plan.sessions.iter().filter(|s| s.mode == Mode::Telephone).count();
    assert!(telephone > 0 && share(telephone, plan.sessions.len()) < 0.35);
    let per_clinician: BTreeMap<&str, usize> = plan.sessions.iter().fold(BTreeMap::new(), |mut m, s| {
        *m.entry(s.clinician.as_str()).or_default() += 1;
        m
    });
    assert!(per_clinician.values().any(|n| *n <= 12), "some part-timers: {per_clinician:?}");
}

#[test]
fn every_generated_item_fits_some_session() {
    for config in [example_config(), benchmark_config(300, 2), benchmark_config(1000, 3)] {
        let plan = generate(&config);
        let stuck: Vec<&str> = plan
            .backlog
            .iter()
            .filter(|item| !plan.sessions.iter().any(|s| check_eligible(&plan, item, s).is_ok()))
            .map(|item| item.id.as_str())
            .collect();
        assert!(stuck.is_empty(), "no eligible session for {stuck:?}");
    }
}

#[test]
fn benchmark_capacity_is_close_to_demand() {
    for (items, clinicians, days) in [(300, 9, 10), (1000, 15, 10), (3000, 25, 15)] {
        let config = benchmark_config(items, 11);
        let plan = generate(&config);
        assert!(problems(&plan).is_empty());
        assert_eq!(plan.backlog.len(), items);
        assert_eq!(plan.clinicians.len(), clinicians);
        assert_eq!(plan.sessions.iter().map(|s| s.date).collect::<BTreeSet<_>>().len(), days);
        let demand: u32 = plan.backlog.iter().map(|i| i.slots).sum();
        let usable: u32 = plan.sessions.iter().map(|s| s.usable_slots(&plan.rules)).sum();
        let ratio = f64::from(usable) / f64::from(demand);
        let wanted = config.capacity_ratio.unwrap();
        assert!((0.8..=1.1).contains(&wanted));
        assert!((ratio - wanted).abs() < 0.05, "{items}: usable/demand {ratio:.3}, wanted {wanted}");
    }
}

#[test]
fn hub_shape_has_a_hubs_spread_of_restrictions() {
    let config = shaped_config(3000, 4, Shape::Hub);
    assert_eq!(shaped_config(3000, 4, Shape::Standard), benchmark_config(3000, 4), "the standard shape is unchanged");
    let plan = generate(&config);
    assert_eq!(plan_file::to_ron(&plan).unwrap(), plan_file::to_ron(&generate(&config)).unwrap(), "deterministic");
    assert!(problems(&plan).is_empty(), "{:?}", problems(&plan));
    assert_eq!((plan.backlog.len(), plan.clinicians.len()), (3000, 22));
    let n = plan.backlog.len();
    let count =
        |f: &dyn Fn(&rebook::model::BacklogItem) -> bool| share(plan.backlog.iter().filter(|i| f(i)).count(), n);
    let within = |name: &str, value: f64, low: f64, high: f64| {
        assert!((low..=high).contains(&value), "{name}: {value:.3} not in {low}..{high}");
    };
    within("unavailable", count(&|i| !i.unavailable.is_empty()), 0.16, 0.24);
    within("earliest date", count(&|i| i.earliest_date.is_some()), 0.03, 0.07);
    within("see-by date", count(&|i| i.see_by.is_some()), 0.015, 0.045);
    within("doubles", count(&|i| i.slots > 1), 0.07, 0.13);
    within("continuity preferred", count(&|i| matches!(i.continuity, Continuity::Preferred(_))), 0.33, 0.47);
    within("continuity required", count(&|i| matches!(i.continuity, Continuity::Required(_))), 0.015, 0.045);
    let roles: BTreeSet<&str> = plan
        .backlog
        .iter()
        .filter(|i| matches!(i.continuity, Continuity::Preferred(_)))
        .filter_map(|i| plan.clinician(&i.original_clinician).map(|c| c.role.as_str()))
        .collect();
    assert!(roles.len() >= 4, "continuity with several roles: {roles:?}");
    let modes: BTreeSet<ModeRequirement> = plan.backlog.iter().map(|i| i.mode).collect();
    assert_eq!(modes.len(), 3);
    // More distinct appointment classes than the standard shape of the same size.
    let classes = |plan: &Plan| rebook::scheduler::classes::ClassModel::build(plan).classes.len();
    let standard = classes(&generate(&benchmark_config(3000, 4)));
    let hub = classes(&plan);
    assert!(hub > 1000 && hub > standard, "hub {hub} classes, standard {standard}");
    assert!(plan.backlog.iter().all(|item| plan.sessions.iter().any(|s| check_eligible(&plan, item, s).is_ok())));
}

/// Rewrites the committed example when REBOOK_BLESS=1, else compares with it.
fn committed(path: &Path, fresh: &str) {
    if std::env::var_os("REBOOK_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, fresh).unwrap();
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == fresh,
        "{} is out of date with the generator; run `REBOOK_BLESS=1 cargo test --test generator`",
        path.display()
    );
}

#[test]
fn committed_example_matches_the_generator() {
    let plan = generate(&example_config());
    committed(&data("example.rebook.ron"), &plan_file::to_ron(&plan).unwrap());
    committed(&data("crowdstrike-2024-07-19/backlog.csv"), &backlog_text(&plan));
    committed(&data("crowdstrike-2024-07-19/rota.csv"), &rota_text(&plan));
    let loaded = plan_file::load(&data("example.rebook.ron")).unwrap();
    assert_eq!(loaded, plan);
}

#[test]
fn example_round_trips_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_file::load(&data("example.rebook.ron")).unwrap();
    let first = dir.path().join("first.rebook.ron");
    plan_file::save(&plan, &first).unwrap();
    let again: Plan = plan_file::load(&first).unwrap();
    assert_eq!(again, plan);
    let second = dir.path().join("second.rebook.ron");
    plan_file::save(&again, &second).unwrap();
    assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(&second).unwrap());
    assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(data("example.rebook.ron")).unwrap());
}

/// Runs the command line in-process (the binary in a shared target directory
/// may belong to another checkout).
fn rebook_cli(args: &[&str], out: &Path) -> std::process::ExitCode {
    use clap::Parser;
    let mut argv: Vec<String> = std::iter::once("rebook").chain(args.iter().copied()).map(String::from).collect();
    argv.push("--out".into());
    argv.push(out.display().to_string());
    rebook::cli::run(rebook::cli::Cli::parse_from(argv)).unwrap()
}

#[test]
fn generate_command_writes_the_three_files() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(rebook_cli(&["generate", "--size", "300", "--seed", "4"], dir.path()), std::process::ExitCode::SUCCESS);
    let expected = generate(&benchmark_config(300, 4));
    assert_eq!(plan_file::load(&dir.path().join("plan.rebook.ron")).unwrap(), expected);
    assert_eq!(std::fs::read_to_string(dir.path().join("backlog.csv")).unwrap(), backlog_text(&expected));
    assert_eq!(std::fs::read_to_string(dir.path().join("rota.csv")).unwrap(), rota_text(&expected));

    let example = dir.path().join("example");
    assert_eq!(rebook_cli(&["generate", "--example"], &example), std::process::ExitCode::SUCCESS);
    assert_eq!(plan_file::load(&example.join("plan.rebook.ron")).unwrap(), generate(&example_config()));
}

#[test]
fn importing_the_example_csvs_reproduces_the_example_plan() {
    use rebook::io::csv_import::{accept_backlog, accept_rota, preview_backlog, preview_rota};
    let example = generate(&example_config());
    let none = BTreeMap::new();
    let mut plan = Plan::new(&example.practice.name);
    let rota = preview_rota(&plan, rota_text(&example).as_bytes(), &none).unwrap();
    assert!(rota.rejected.is_empty(), "{:?}", rota.rejected);
    accept_rota(&mut plan, rota);
    let backlog = preview_backlog(&plan, backlog_text(&example).as_bytes(), &none).unwrap();
    assert!(backlog.rejected.is_empty(), "{:?}", backlog.rejected);
    accept_backlog(&mut plan, backlog);

    assert_eq!(plan.horizon, example.horizon);
    assert_eq!(plan.sessions, example.sessions);
    assert_eq!(plan.backlog, example.backlog);
    let by_id = |p: &Plan| {
        let mut list = p.clinicians.clone();
        list.sort_by(|a, b| a.id.cmp(&b.id));
        list
    };
    assert_eq!(by_id(&plan), by_id(&example));
}

#[test]
fn import_command_refuses_rejected_rows_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let example = generate(&example_config());
    let rota = dir.path().join("rota.csv");
    std::fs::write(&rota, rota_text(&example)).unwrap();
    // Break the check digit of the first patient's NHS number (line 2 of the file).
    let good = backlog_text(&example);
    let first = nhs::format(&example.backlog[0].patient.nhs_number);
    let last = first.chars().last().unwrap().to_digit(10).unwrap();
    let broken = format!("{}{}", &first[..first.len() - 1], (last + 1) % 10);
    let backlog = dir.path().join("backlog.csv");
    std::fs::write(&backlog, good.replacen(&first, &broken, 1)).unwrap();

    let import = |extra: &[&str], out: &Path| {
        use clap::Parser;
        let mut argv = vec!["rebook".to_string(), "import".into(), "--rota".into(), rota.display().to_string()];
        argv.extend(["--backlog".to_string(), backlog.display().to_string()]);
        argv.extend(extra.iter().map(|s| s.to_string()));
        argv.extend(["--out".to_string(), out.display().to_string()]);
        rebook::cli::run(rebook::cli::Cli::parse_from(argv)).unwrap()
    };
    let refused = dir.path().join("refused.rebook.ron");
    assert_eq!(import(&[], &refused), std::process::ExitCode::FAILURE);
    assert!(!refused.exists(), "nothing is saved when a row is rejected");

    let allowed = dir.path().join("allowed.rebook.ron");
    assert_eq!(import(&["--allow-rejects"], &allowed), std::process::ExitCode::SUCCESS);
    let plan = plan_file::load(&allowed).unwrap();
    assert_eq!(plan.backlog.len(), example.backlog.len() - 1);
    assert!(plan.backlog_item(&example.backlog[0].id).is_none());
    assert_eq!(plan.practice.name, rebook::model::PLACEHOLDER_PRACTICE, "named with --practice, not after the file");

    std::fs::write(&backlog, good).unwrap();
    let clean = dir.path().join("clean.rebook.ron");
    assert_eq!(import(&[], &clean), std::process::ExitCode::SUCCESS);
    assert_eq!(plan_file::load(&clean).unwrap().backlog, example.backlog);
}
