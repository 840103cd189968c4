//! `rebook export bookings|sms|calls PLAN --out FILE.csv`.

use crate::export;
use crate::io::plan_file::write_atomically;
use crate::io::plan_service;
use crate::model::AuditAction;
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    /// One row per backlog item, for re-entry into the clinical system.
    Bookings,
    /// The SMS batch: only patients who consented, with a UK mobile.
    Sms,
    /// Every other placed patient, to phone.
    Calls,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// What to export.
    #[arg(value_enum)]
    pub what: What,
    /// The plan file (.rebook.ron).
    pub plan: PathBuf,
    /// Where to save the CSV.
    #[arg(long)]
    pub out: PathBuf,
    /// Record the export in the plan even if somebody else has it open.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let passphrase = super::check::passphrase(None)?;
    plan_service::check_output(&args.out, &args.plan)?;
    let mut plan = super::shared::open_plan(&args.plan, passphrase, args.force)?;
    let bytes = match args.what {
        What::Bookings => export::bookings_csv(&plan.base)?,
        What::Sms => export::sms_csv(&plan.base)?,
        What::Calls => export::calls_csv(&plan.base)?,
    };
    write_atomically(&args.out, &bytes).with_context(|| format!("saving {}", args.out.display()))?;
    let rows = export::data_rows(&bytes);
    println!("Saved {} ({rows} rows).", args.out.display());
    let what = match args.what {
        What::Bookings => "bookings CSV",
        What::Sms => "SMS batch CSV",
        What::Calls => "call list CSV",
    };
    let detail = format!("{what}, {rows} rows, to {}", args.out.display());
    super::record_audit(&mut plan, AuditAction::Export, detail, args.force)?;
    Ok(ExitCode::SUCCESS)
}
