//! `rebook import --backlog B.csv [--rota R.csv] [--plan BASE] --out PLAN`:
//! the CSV import of the app, for automation. What each column was read as,
//! every column ignored and every warning are printed on stderr; every
//! rejected row with its line and column, and each unmapped appointment type
//! once with its row count. With any row not taken nothing is written and the
//! exit code is non-zero, unless `--allow-rejects` says to keep the good rows.

use crate::io::csv_import::{
    BacklogPreview, ImportMapping, RotaOptions, RotaPreview, RowError, accept_backlog, accept_rota, add_new_types,
    parse_pair, preview_backlog_with, preview_rota_with, split_column_pairs,
};
use crate::io::plan_file;
use crate::model::{PLACEHOLDER_PRACTICE, Plan};
use anyhow::Context;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Cancelled appointments exported from the clinical system (CSV).
    #[arg(long)]
    pub backlog: Option<PathBuf>,
    /// Clinician sessions with free slots (CSV); imported before the backlog so
    /// its clinicians are known.
    #[arg(long)]
    pub rota: Option<PathBuf>,
    /// Plan to import into (its catalogue, rules, clinicians and sessions are
    /// kept); without it a new plan with the default catalogue is started.
    #[arg(long)]
    pub plan: Option<PathBuf>,
    /// The practice's name, as patients know it: it starts every SMS. Names a
    /// new plan, or renames the practice of --plan. Without it a new plan is
    /// "New practice", and the SMS export is refused until it is named.
    #[arg(long)]
    pub practice: Option<String>,
    /// The practice's ODS code (e.g. Y99999).
    #[arg(long)]
    pub ods_code: Option<String>,
    /// Map one of the practice's appointment or slot types to a catalogue
    /// type: --map-type "Smear=Cervical screening". Repeatable.
    #[arg(long = "map-type", value_name = "LOCAL=TYPE")]
    pub map_type: Vec<String>,
    /// Add one of the practice's types to the catalogue as a new type, seen
    /// and booked like a catalogue type: --new-type "Travel clinic=Vaccination". Repeatable.
    #[arg(long = "new-type", value_name = "LOCAL=LIKE")]
    pub new_type: Vec<String>,
    /// Read a column of the file as a field: --map "Session Holder=original_clinician";
    /// an empty field ignores the column. Repeatable; an entry naming a field
    /// the file kind does not have is not used for that file.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub map: Vec<String>,
    /// A mapping file saved by --save-mapping (columns and types); --map and
    /// --map-type entries win over it.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Save the mapping this import used (columns and types) for the next export.
    #[arg(long, value_name = "FILE")]
    pub save_mapping: Option<PathBuf>,
    /// Where to save the plan (.rebook.ron).
    #[arg(long)]
    pub out: PathBuf,
    /// Save the plan with the good rows even when some rows were rejected.
    #[arg(long)]
    pub allow_rejects: bool,
    /// Write the plan even if somebody else has it open.
    #[arg(long)]
    pub force: bool,
    /// Replace the plan already at --out (unless it is the --plan imported into, which is merged).
    #[arg(long)]
    pub overwrite: bool,
    /// Role of a rota clinician not in the plan, when the rota gives none
    /// (e.g. --role "SMITH, Anne (Dr)=GP"); repeat for each clinician.
    #[arg(long = "role", value_name = "NAME=ROLE")]
    pub roles: Vec<String>,
}

pub fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    if args.backlog.is_none() && args.rota.is_none() && (args.practice.is_none() || args.plan.is_none()) {
        anyhow::bail!(
            "nothing to import: give --backlog and/or --rota (or --plan with --practice to name the practice)"
        );
    }
    let mapping = given_mapping(args)?;
    let roles = role_entries(&args.roles)?;
    // Importing into the plan itself merges with colleagues' saves; any other
    // existing plan at --out is only replaced with --overwrite.
    let mut in_place = match &args.plan {
        Some(from) if super::shared::same_file(from, &args.out) => {
            Some(super::shared::open_plan(&args.out, None, args.force)?)
        }
        _ => {
            crate::io::plan_service::check_replace(&args.out, args.overwrite)?;
            None
        }
    };
    let base = match (&in_place, &args.plan) {
        (Some(changing), _) => Some(changing.base.clone()),
        (None, Some(path)) => Some(plan_file::load(path)?),
        (None, None) => None,
    };
    let mut plan = base.clone().unwrap_or_else(|| Plan::new(PLACEHOLDER_PRACTICE));
    if let Some(name) = &args.practice {
        plan.practice.name = name.trim().to_string();
    }
    if let Some(code) = &args.ods_code {
        plan.practice.ods_code = Some(code.trim().to_string()).filter(|c| !c.is_empty());
    }
    if plan.practice.is_placeholder() {
        eprintln!(
            "warning: the plan's practice is still called \"{}\": name it with --practice \"NAME\" before \
             exporting the SMS batch (the name starts every text).",
            plan.practice.name
        );
    }
    for (name, like) in add_new_types(&mut plan, &mapping.new_types).map_err(anyhow::Error::msg)? {
        eprintln!("added the appointment type \"{name}\" to the catalogue, seen and booked like {like}");
    }
    let mut used = ImportMapping {
        types: mapping.types.clone(),
        new_types: mapping.new_types.clone(),
        ..ImportMapping::default()
    };
    let mut not_taken = 0;
    if let Some(rota) = &args.rota {
        let bytes = read(rota)?;
        let options = RotaOptions { overrides: mapping.rota.clone(), roles: roles.clone() };
        let preview =
            preview_rota_with(&plan, &bytes, &options).with_context(|| format!("cannot import {}", rota.display()))?;
        report_rota(rota, &preview);
        not_taken += preview.rejected_rows();
        used.rota = preview.mapping.clone();
        accept_rota(&mut plan, preview);
    }
    if let Some(backlog) = &args.backlog {
        let bytes = read(backlog)?;
        let preview = preview_backlog_with(&plan, &bytes, &mapping.backlog, &mapping.types)
            .with_context(|| format!("cannot import {}", backlog.display()))?;
        report_backlog(backlog, &preview, &plan);
        not_taken += preview.rejected_rows();
        used.backlog = preview.mapping.clone();
        used.types.extend(preview.type_mapping.clone());
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
    }
    if let Some(path) = &args.save_mapping {
        used.save(path)?;
        println!("Saved the mapping to {} (use it next time with --mapping).", path.display());
    }

    if not_taken > 0 && !args.allow_rejects {
        eprintln!(
            "{not_taken} row(s) not taken: nothing saved. Correct them (or map their types), or pass \
             --allow-rejects to save the good rows."
        );
        return Ok(ExitCode::FAILURE);
    }
    match &mut in_place {
        Some(changing) => plan = super::shared::save_back(changing, &plan, args.force)?,
        None => {
            let insist = super::shared::insist(args.force);
            let took_over = crate::io::plan_service::write_new(&args.out, &plan, None, insist)
                .map_err(|e| super::shared::explain(e, args.force))?;
            if let Some(info) = took_over {
                super::shared::note_takeover(&args.out, &info, args.force);
            }
        }
    }
    println!(
        "Saved {}: {} appointments, {} clinicians, {} sessions{}.",
        args.out.display(),
        plan.backlog.len(),
        plan.clinicians.len(),
        plan.sessions.len(),
        if not_taken > 0 { format!(" ({not_taken} row(s) not taken left out)") } else { String::new() }
    );
    Ok(ExitCode::SUCCESS)
}

/// The mapping file, then `--map` and `--map-type` entries over it.
fn given_mapping(args: &ImportArgs) -> anyhow::Result<ImportMapping> {
    let mut mapping = match &args.mapping {
        Some(path) => ImportMapping::load(path)?,
        None => ImportMapping::default(),
    };
    let pairs = |list: &[String]| -> anyhow::Result<Vec<(String, String)>> {
        list.iter().map(|text| parse_pair(text).map_err(anyhow::Error::msg)).collect()
    };
    let (backlog, rota) = split_column_pairs(&pairs(&args.map)?).map_err(anyhow::Error::msg)?;
    let named = |flag: &str, list: &[String]| -> anyhow::Result<BTreeMap<String, String>> {
        let mut map = BTreeMap::new();
        for (local, target) in pairs(list)? {
            if target.is_empty() {
                anyhow::bail!("{flag} \"{local}=\": name the catalogue type after the =");
            }
            map.insert(local, target);
        }
        Ok(map)
    };
    let types = named("--map-type", &args.map_type)?;
    let new_types = named("--new-type", &args.new_type)?;
    mapping.extend(ImportMapping { backlog, rota, types, new_types });
    Ok(mapping)
}

/// Reads a CSV, refusing one too large to import before reading it.
fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    crate::io::csv_import::read_file(path).with_context(|| format!("could not import {}", path.display()))
}

/// What each column was read as, and every column ignored (with samples).
fn report_columns(path: &Path, mapping: &BTreeMap<String, String>, ignored: &[crate::io::csv_import::IgnoredColumn]) {
    let file = path.display();
    let read: Vec<String> =
        mapping.iter().filter(|(_, c)| !c.is_empty()).map(|(h, c)| format!("\"{h}\" -> {c}")).collect();
    eprintln!("{file}: columns read: {}", if read.is_empty() { "none".into() } else { read.join(", ") });
    for column in ignored {
        let samples: Vec<String> = column.samples.iter().map(|v| format!("\"{v}\"")).collect();
        eprintln!(
            "{file}: column \"{}\" ignored{}",
            column.header,
            if samples.is_empty() { " (empty)".to_string() } else { format!(", e.g. {}", samples.join(", ")) }
        );
    }
}

/// Notes, warnings and rejected rows, each as `FILE ...` on stderr.
fn report_lines(path: &Path, notes: &[String], file_warnings: &[String], warnings: &[RowError], rejected: &[RowError]) {
    let file = path.display();
    for note in notes {
        eprintln!("{file}: note: {note}");
    }
    for warning in file_warnings {
        eprintln!("{file}: warning: {warning}");
    }
    for warning in warnings {
        eprintln!("{file} warning: {warning}");
    }
    for error in rejected {
        eprintln!("{file} {error}");
    }
}

fn report_rota(path: &Path, preview: &RotaPreview) {
    report_columns(path, &preview.mapping, &preview.ignored);
    report_lines(path, &preview.notes, &preview.file_warnings, &preview.warnings, &preview.rejected);
    println!(
        "{}: {} of {} rows read: {} sessions, {} new clinicians.",
        path.display(),
        preview.total_rows - preview.rejected_rows(),
        preview.total_rows,
        preview.sessions.len(),
        preview.new_clinicians.len()
    );
}

/// `--role "NAME=Role"` entries; the name may be written in any form the rota uses.
fn role_entries(entries: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    let mut roles = BTreeMap::new();
    for entry in entries {
        match entry.split_once('=') {
            Some((name, role)) if !name.trim().is_empty() && !role.trim().is_empty() => {
                roles.insert(name.trim().to_string(), role.trim().to_string());
            }
            _ => anyhow::bail!(
                "--role \"{entry}\": write the clinician's name, =, and the role, e.g. --role \"Dr A Smith=GP\""
            ),
        }
    }
    Ok(roles)
}

fn report_backlog(path: &Path, preview: &BacklogPreview, plan: &Plan) {
    let file = path.display();
    report_columns(path, &preview.mapping, &preview.ignored);
    for (local, target) in &preview.type_mapping {
        eprintln!("{file}: type \"{local}\" read as {target}");
    }
    report_lines(path, &preview.notes, &preview.file_warnings, &preview.warnings, &preview.rejected);
    if !preview.unknown_types.is_empty() {
        let rows: usize = preview.unknown_types.iter().map(|t| t.lines.len()).sum();
        eprintln!(
            "{file}: {} appointment type(s) on {rows} row(s) are not in the plan's catalogue; map each one with \
             --map-type \"NAME=Catalogue type\", or add it with --new-type \"NAME=Like type\" (or a --mapping file):",
            preview.unknown_types.len()
        );
        for unknown in &preview.unknown_types {
            let suggestion =
                unknown.suggestion.as_ref().map_or_else(|| "no suggestion".to_string(), |s| format!("suggested: {s}"));
            eprintln!(
                "  \"{}\": {} row(s), from line {}; {suggestion}",
                unknown.name,
                unknown.lines.len(),
                unknown.lines.first().copied().unwrap_or(0)
            );
        }
        let catalogue: Vec<&str> = plan.appointment_types.iter().map(|t| t.name.as_str()).collect();
        eprintln!("  the plan's catalogue: {}", catalogue.join(", "));
    }
    let not_taken = preview.rejected_rows();
    println!(
        "{file}: {} of {} rows read: {} appointments.",
        preview.total_rows - not_taken,
        preview.total_rows,
        preview.items.len()
    );
}
