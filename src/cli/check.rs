//! `rebook check PLAN`: validate a plan file and summarise it.

use crate::io::plan_file;
use crate::model::summary::PlanSummary;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The plan file (.rebook.ron).
    pub plan: PathBuf,
}

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let plan = plan_file::load(&args.plan)?;
    let summary = PlanSummary::of(&plan);
    print!("{summary}");
    if summary.problems.is_empty() {
        println!("OK: {} is a valid plan.", args.plan.display());
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{} problem(s) found in {}.", summary.problems.len(), args.plan.display());
        Ok(ExitCode::FAILURE)
    }
}
