//! `rebook generate`: writes a synthetic outage (the example or a benchmark
//! size) as the CSVs a practice would export and the plan file they make.

use crate::generate::{Shape, backlog_csv, example_config, generate, rota_csv, shaped_config};
use crate::io::{plan_file, plan_service};
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Backlog size: 300, 1000, 3000, 10000 or 30000 for the benchmark sizes
    /// (others are scaled between them); 0 gives the CrowdStrike example.
    #[arg(long, default_value_t = 0)]
    pub size: usize,
    /// Spread of patient restrictions: standard (a practice's) or hub (a PCN hub's
    /// variety: thousands of distinct appointment classes at 10,000 items).
    #[arg(long, default_value = "standard")]
    pub shape: Shape,
    /// Random seed; the same seed always gives the same files.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Generate the committed CrowdStrike example (same as --size 0).
    #[arg(long, conflicts_with = "size")]
    pub example: bool,
    /// Directory for backlog.csv, rota.csv and plan.rebook.ron (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace a plan.rebook.ron already in the directory.
    #[arg(long)]
    pub overwrite: bool,
}

/// The largest backlog generated: a hub of several practices is 10,000 to 50,000.
pub const MAX_SIZE: usize = 500_000;

pub fn run(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    if args.size > MAX_SIZE {
        anyhow::bail!("--size must be at most {MAX_SIZE} appointments, not {}", args.size);
    }
    let plan_path = args.out.join("plan.rebook.ron");
    plan_service::check_replace(&plan_path, args.overwrite)?;
    let mut config = if args.example || args.size == 0 {
        example_config()
    } else {
        shaped_config(args.size, args.seed.unwrap_or(1), args.shape)
    };
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    let plan = generate(&config);
    std::fs::create_dir_all(&args.out).with_context(|| format!("could not create {}", args.out.display()))?;
    // A plan a colleague has open there is never replaced.
    let mut locked = plan_service::lock_plan(&plan_path, plan_service::Insist::IfFree)
        .with_context(|| format!("{} was not replaced", plan_path.display()))?;
    plan_file::write_atomically(&args.out.join("backlog.csv"), &backlog_csv(&plan)?)?;
    plan_file::write_atomically(&args.out.join("rota.csv"), &rota_csv(&plan)?)?;
    plan_service::save_replacing(&plan_path, &plan, None, &mut locked.lock)?;
    println!(
        "{}: {} appointments, {} clinicians, {} sessions (seed {}) written to {}",
        plan.practice.name,
        plan.backlog.len(),
        plan.clinicians.len(),
        plan.sessions.len(),
        config.seed,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
