//! The command-line interface: the same library as the window, for automation,
//! tests and benchmarks. One file per subcommand group.

mod bench;
mod check;
mod export;
mod generate;
mod import;
mod outcomes;
mod print;
mod protect;
mod report;
mod shared;
mod solve;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Rebook: rebook the appointments a GP practice cancelled during an IT outage.
///
/// Without a subcommand, opens the desktop app on FILE (or the example plan)
/// in a build with the window (the default).
#[derive(Debug, Parser)]
#[command(name = "rebook", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Plan file to open in the desktop app.
    pub file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a plan file and print a summary of it.
    Check(check::CheckArgs),
    /// Write a synthetic outage (the example or a benchmark size) as CSVs and a plan file.
    Generate(generate::GenerateArgs),
    /// Print the report of a solved plan beside the FIFO and priority-greedy baselines.
    Report(report::ReportArgs),
    /// Import a backlog CSV (and a rota CSV) into a plan file; lists every rejected row.
    // Boxed: its many options would make every command as large.
    Import(Box<import::ImportArgs>),
    /// Solve synthetic plans of several sizes and print timings, memory and quality.
    Bench(bench::BenchArgs),
    /// Print a call list (or the partners' summary) as an A4 PDF.
    Print(print::PrintArgs),
    /// Export bookings, the SMS batch or the call list as CSV.
    Export(export::ExportArgs),
    /// Plan the backlog into the sessions and write the solved plan.
    Solve(solve::SolveArgs),
    /// Suggest the extra sessions that would most reduce lateness and unplaced work.
    Advise(solve::AdviseArgs),
    /// Record contact outcomes from a CSV (reference and outcome per row), e.g. typed up from call lists.
    Outcomes(outcomes::OutcomesArgs),
    /// Show who saved the plan and what they changed, and who has it open now.
    History(outcomes::HistoryArgs),
    /// Encrypt a plan file with a passphrase, or remove the passphrase (--remove).
    Protect(protect::ProtectArgs),
}

/// Records in the plan file that patient data left it (printed or exported),
/// through the plan-file service: saved with the protection it had, merged
/// with any colleague's save meanwhile.
fn record_audit(
    plan: &mut crate::io::plan_service::ChangingPlan,
    action: crate::model::AuditAction,
    detail: String,
    force: bool,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let path = plan.path().display().to_string();
    plan.record_audit(crate::model::AuditEntry::now(action, detail))
        .map_err(|e| shared::explain(e, force))
        .with_context(|| format!("recording the {action} in the audit trail of {path}"))?;
    Ok(())
}

/// Runs the parsed subcommand; the exit code says whether it succeeded.
/// Without a subcommand there is nothing for the CLI to do: `main` opens the
/// window instead (the CLI never calls the GUI), so this refuses.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Check(args)) => check::run(&args),
        Some(Command::Generate(args)) => generate::run(&args),
        Some(Command::Report(args)) => report::run(&args),
        Some(Command::Import(args)) => import::run(&args),
        Some(Command::Bench(args)) => bench::run(&args),
        Some(Command::Print(args)) => print::run(&args),
        Some(Command::Export(args)) => export::run(&args),
        Some(Command::Solve(args)) => solve::run_solve(&args),
        Some(Command::Advise(args)) => solve::run_advise(&args),
        Some(Command::Outcomes(args)) => outcomes::run(&args),
        Some(Command::History(args)) => outcomes::run_history(&args),
        Some(Command::Protect(args)) => protect::run(&args),
        None => Err(anyhow::anyhow!("no subcommand given; run `rebook --help`")),
    }
}
