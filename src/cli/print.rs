//! `rebook print PLAN --out LIST.pdf`: a call list or the partners' summary as PDF,
//! optionally sent to a CUPS printer as well.

use crate::io::plan_file::write_atomically;
use crate::io::plan_service;
use crate::model::AuditAction;
use crate::print::{self, ListKind, PrintOptions};
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    /// Grouped by day, then clinician.
    Day,
    /// A-Z by patient name.
    Patient,
    /// Only patients not reached yet.
    Uncontacted,
}

#[derive(Debug, clap::Args)]
pub struct PrintArgs {
    /// The plan file (.rebook.ron).
    pub plan: PathBuf,
    /// Where to save the PDF.
    #[arg(long)]
    pub out: PathBuf,
    /// How the call list is ordered.
    #[arg(long, value_enum, default_value = "day")]
    pub by: By,
    /// Print only the last four digits of NHS numbers.
    #[arg(long)]
    pub mask: bool,
    /// Leave dates of birth out.
    #[arg(long)]
    pub no_dob: bool,
    /// Print the one-page summary for the partners instead of a call list.
    #[arg(long)]
    pub summary: bool,
    /// Also send the PDF to this printer (see `lpstat -e`).
    #[arg(long)]
    pub printer: Option<String>,
    /// Record the print in the plan even if somebody else has it open.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &PrintArgs) -> anyhow::Result<ExitCode> {
    let passphrase = super::check::passphrase(None)?;
    plan_service::check_output(&args.out, &args.plan)?;
    let mut changing = super::shared::open_plan(&args.plan, passphrase, args.force)?;
    let plan = changing.base.clone();
    let today = chrono::Local::now().date_naive();
    let options = (!args.summary).then(|| {
        let kind = match args.by {
            By::Day => ListKind::ByDay,
            By::Patient => ListKind::ByPatient,
            By::Uncontacted => ListKind::Uncontacted,
        };
        PrintOptions { kind, mask_nhs: args.mask, include_dob: !args.no_dob, printed_on: today }
    });
    let pdf = match &options {
        None => print::summary_pdf(&plan, today)?,
        Some(options) => print::call_list_pdf(&plan, options)?,
    };
    write_atomically(&args.out, &pdf).with_context(|| format!("saving {}", args.out.display()))?;
    println!("Saved {} ({} bytes).", args.out.display(), pdf.len());
    super::record_audit(&mut changing, AuditAction::Print, audit_detail(args, options.as_ref()), args.force)?;
    if let Some(printer) = &args.printer {
        print::send_to_printer(&args.out, Some(printer))?;
        println!("Sent to printer {printer}.");
        let detail = format!("{} sent to printer {printer}", args.out.display());
        super::record_audit(&mut changing, AuditAction::Print, detail, args.force)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What was printed, for the audit trail (no patient data).
fn audit_detail(args: &PrintArgs, options: Option<&PrintOptions>) -> String {
    let what = options.map_or_else(|| "partners' summary".to_string(), PrintOptions::describe);
    format!("{what} to {}", args.out.display())
}
