//! `rebook check PLAN`: validate a plan file and summarise it.

use crate::io::crypto::Passphrase;
use crate::io::plan_file;
use crate::model::summary::PlanSummary;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The plan file (.rebook.ron).
    pub plan: PathBuf,
    /// File whose first line is the passphrase of an encrypted plan
    /// (or set REBOOK_PASSPHRASE).
    #[arg(long)]
    pub passphrase_file: Option<PathBuf>,
}

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let passphrase = passphrase(args.passphrase_file.as_deref())?;
    let plan = plan_file::load_with(&args.plan, passphrase.as_ref()).map_err(|e| match e {
        plan_file::PlanFileError::NeedsPassphrase { .. } => {
            anyhow::anyhow!("{e} (give --passphrase-file FILE or set REBOOK_PASSPHRASE)")
        }
        other => other.into(),
    })?;
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

/// The passphrase for an encrypted plan, from `--passphrase-file` or the
/// `REBOOK_PASSPHRASE` environment variable (never from the command line,
/// where other users could see it in the process list).
pub(crate) fn passphrase(file: Option<&Path>) -> anyhow::Result<Option<Passphrase>> {
    if let Some(file) = file {
        let pass =
            Passphrase::from_file(file).with_context(|| format!("reading the passphrase from {}", file.display()))?;
        return Ok(Some(pass));
    }
    Ok(std::env::var("REBOOK_PASSPHRASE").ok().filter(|p| !p.is_empty()).map(|p| Passphrase::new(&p)))
}
