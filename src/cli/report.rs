//! `rebook report PLAN [--json]`: the report of a solved plan beside the FIFO
//! and priority-greedy baselines, as a table or as JSON for automation.

use crate::io::plan_file;
use crate::report::compare;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The solved plan file (.rebook.ron).
    pub plan: PathBuf,
    /// Print JSON (stable keys) instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let plan = plan_file::load(&args.plan)?;
    if plan.bookings.is_empty() && !plan.backlog.is_empty() {
        anyhow::bail!("{} has no bookings yet: solve it first with `rebook solve`", args.plan.display());
    }
    let comparison = compare(&plan);
    let text = if args.json { serde_json::to_string_pretty(&comparison)? + "\n" } else { comparison.to_string() };
    // A reader that stops early (`| head`) is not an error.
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => return Err(err.into()),
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}
