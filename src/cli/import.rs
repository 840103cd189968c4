//! `rebook import --backlog B.csv [--rota R.csv] [--plan BASE] --out PLAN`:
//! the CSV import of the app, for automation. Every rejected row is printed
//! with its line and column; with any rejected row nothing is written and the
//! exit code is non-zero, unless `--allow-rejects` says to keep the good rows.

use crate::io::csv_import::{RowError, accept_backlog, accept_rota, preview_backlog, preview_rota};
use crate::io::plan_file;
use crate::model::Plan;
use anyhow::Context;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Cancelled appointments exported from the clinical system (CSV).
    #[arg(long)]
    pub backlog: PathBuf,
    /// Clinician sessions with free slots (CSV); imported before the backlog so
    /// its clinicians are known.
    #[arg(long)]
    pub rota: Option<PathBuf>,
    /// Plan to import into (its catalogue, rules, clinicians and sessions are
    /// kept); without it a new plan with the default catalogue is started.
    #[arg(long)]
    pub plan: Option<PathBuf>,
    /// Practice name for a new plan (default: the output file's name).
    #[arg(long)]
    pub practice: Option<String>,
    /// Where to save the plan (.rebook.ron).
    #[arg(long)]
    pub out: PathBuf,
    /// Save the plan with the good rows even when some rows were rejected.
    #[arg(long)]
    pub allow_rejects: bool,
    /// Write the plan even if somebody else has it open.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let _lock = super::shared::lock_plan(&args.out, args.force)?;
    let base = match &args.plan {
        Some(path) => Some(plan_file::load(path)?),
        None => None,
    };
    let mut plan = base.clone().unwrap_or_else(|| Plan::new(&practice_name(args)));
    let none = BTreeMap::new();
    let mut rejected_rows = 0;
    if let Some(rota) = &args.rota {
        let bytes = read(rota)?;
        let preview =
            preview_rota(&plan, &bytes, &none).with_context(|| format!("cannot import {}", rota.display()))?;
        report(rota, &preview.rejected);
        rejected_rows += preview.rejected_rows();
        println!(
            "{}: {} of {} rows read: {} sessions, {} new clinicians.",
            rota.display(),
            preview.total_rows - preview.rejected_rows(),
            preview.total_rows,
            preview.sessions.len(),
            preview.new_clinicians.len()
        );
        accept_rota(&mut plan, preview);
    }
    let bytes = read(&args.backlog)?;
    let preview =
        preview_backlog(&plan, &bytes, &none).with_context(|| format!("cannot import {}", args.backlog.display()))?;
    report(&args.backlog, &preview.rejected);
    rejected_rows += preview.rejected_rows();
    println!(
        "{}: {} of {} rows read: {} appointments.",
        args.backlog.display(),
        preview.total_rows - preview.rejected_rows(),
        preview.total_rows,
        preview.items.len()
    );
    let diff = accept_backlog(&mut plan, preview);
    if base.as_ref().is_some_and(|b| !b.backlog.is_empty()) {
        println!("Compared with the plan: {}.", diff.summary());
        for change in &diff.changed {
            println!("  {}: {}", change.appointment_id, change.fields.join("; "));
        }
        if !diff.vanished.is_empty() {
            println!("  No longer in the clinical system's list (not planned): {}", diff.vanished.join(", "));
        }
    }

    if rejected_rows > 0 && !args.allow_rejects {
        eprintln!(
            "{rejected_rows} row(s) rejected: nothing saved. Correct them, or pass --allow-rejects to save the good rows."
        );
        return Ok(ExitCode::FAILURE);
    }
    match (&base, &args.plan) {
        (Some(base), Some(from)) if super::shared::same_file(from, &args.out) => {
            plan = super::shared::save_back(&args.out, base, &plan, None)?;
        }
        _ => plan_file::save(&plan, &args.out)?,
    }
    println!(
        "Saved {}: {} appointments, {} clinicians, {} sessions{}.",
        args.out.display(),
        plan.backlog.len(),
        plan.clinicians.len(),
        plan.sessions.len(),
        if rejected_rows > 0 { format!(" ({rejected_rows} rejected row(s) left out)") } else { String::new() }
    );
    Ok(ExitCode::SUCCESS)
}

/// Reads a CSV, refusing one too large to import before reading it.
fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    crate::io::csv_import::read_file(path).with_context(|| format!("could not import {}", path.display()))
}

/// "backlog.csv line 4, nhs_number: failed the NHS number check ..." on stderr.
fn report(path: &Path, rejected: &[RowError]) {
    for error in rejected {
        eprintln!("{} {error}", path.display());
    }
}

/// "riverside.rebook.ron" -> "riverside".
fn practice_name(args: &ImportArgs) -> String {
    if let Some(name) = &args.practice {
        return name.clone();
    }
    let file = args.out.file_name().and_then(|n| n.to_str()).unwrap_or("Imported plan");
    let stem = file.strip_suffix(".rebook.ron").or_else(|| file.strip_suffix(".ron")).unwrap_or(file);
    stem.to_string()
}
