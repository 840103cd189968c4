//! `rebook outcomes PLAN --from FILE.csv`: records what patients said, typed
//! up from the printed call lists (reference and outcome per row), and
//! `rebook history PLAN`: who saved what, and who has the plan open now.

use crate::io::csv_import::{accept_outcomes, preview_outcomes};
use crate::io::{lock, plan_file};
use crate::model::ContactStatus;
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct OutcomesArgs {
    /// The plan file (.rebook.ron).
    pub plan: PathBuf,
    /// CSV with columns appointment_id (or id, code, ref) and outcome (or status):
    /// Confirmed / C, Declined / D, No answer / N, Notified.
    #[arg(long)]
    pub from: PathBuf,
    /// Record the good rows even when some rows were rejected.
    #[arg(long)]
    pub allow_rejects: bool,
    /// Write the plan even if somebody else has it open.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The plan file (.rebook.ron).
    pub plan: PathBuf,
}

pub fn run(args: &OutcomesArgs) -> anyhow::Result<ExitCode> {
    let passphrase = super::check::passphrase(None)?;
    let mut changing = super::shared::open_plan(&args.plan, passphrase, args.force)?;
    let base = changing.base.clone();
    let bytes = crate::io::csv_import::read_file(&args.from)
        .with_context(|| format!("could not read {}", args.from.display()))?;
    let preview = preview_outcomes(&base, &bytes).with_context(|| format!("cannot import {}", args.from.display()))?;
    for error in &preview.rejected {
        eprintln!("{} {error}", args.from.display());
    }
    let rejected = preview.rejected_rows();
    if rejected > 0 && !args.allow_rejects {
        eprintln!(
            "{rejected} row(s) rejected: nothing recorded. Correct them, or pass --allow-rejects to record the good rows."
        );
        return Ok(ExitCode::FAILURE);
    }
    let count = |status: ContactStatus| preview.rows.iter().filter(|r| r.status == status).count();
    let tally: Vec<String> = ContactStatus::ALL
        .iter()
        .map(|&s| (s, count(s)))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.label().to_lowercase()))
        .collect();
    let mut plan = base.clone();
    let recorded = accept_outcomes(&mut plan, preview);
    super::shared::save_back(&mut changing, &plan, args.force)?;
    println!(
        "Recorded {recorded} outcome(s) in {}{}.",
        args.plan.display(),
        if tally.is_empty() { String::new() } else { format!(": {}", tally.join(", ")) }
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run_history(args: &HistoryArgs) -> anyhow::Result<ExitCode> {
    let passphrase = super::check::passphrase(None)?;
    let plan = plan_file::load_with(&args.plan, passphrase.as_ref())?;
    if plan.history.is_empty() {
        println!("No saves recorded in {} yet.", args.plan.display());
    }
    for entry in &plan.history {
        println!("{entry}");
    }
    match lock::inspect(&args.plan)? {
        Some(info) if info.is_stale(chrono::Local::now(), lock::DEFAULT_STALE_AFTER) => {
            println!("A stale lock is left beside it ({}).", info.describe());
        }
        Some(info) => println!("Now {}.", info.describe()),
        None => {}
    }
    Ok(ExitCode::SUCCESS)
}
