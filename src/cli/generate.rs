//! `rebook generate`: writes a synthetic outage (the example or a benchmark
//! size) as the CSVs a practice would export and the plan file they make.

use crate::generate::{backlog_csv, benchmark_config, example_config, generate, rota_csv};
use crate::io::plan_file;
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Backlog size: 300, 1000, 3000 or 10000 for the benchmark sizes (others
    /// are scaled between them); 0 gives the CrowdStrike example.
    #[arg(long, default_value_t = 0)]
    pub size: usize,
    /// Random seed; the same seed always gives the same files.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Generate the committed CrowdStrike example (same as --size 0).
    #[arg(long, conflicts_with = "size")]
    pub example: bool,
    /// Directory for backlog.csv, rota.csv and plan.rebook.ron (created if missing).
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let mut config = if args.example || args.size == 0 {
        example_config()
    } else {
        benchmark_config(args.size, args.seed.unwrap_or(1))
    };
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    let plan = generate(&config);
    std::fs::create_dir_all(&args.out).with_context(|| format!("could not create {}", args.out.display()))?;
    plan_file::write_atomically(&args.out.join("backlog.csv"), backlog_csv(&plan).as_bytes())?;
    plan_file::write_atomically(&args.out.join("rota.csv"), rota_csv(&plan).as_bytes())?;
    let plan_path = args.out.join("plan.rebook.ron");
    plan_file::save(&plan, &plan_path)?;
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
