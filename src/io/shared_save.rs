//! Saving a plan that colleagues may have saved meanwhile (a shared drive):
//! what is on disk is read first and, if somebody changed it since we loaded
//! it, merged with ours (see [`crate::model::merge`]) instead of overwritten.
//! Each save adds a line to the plan's history.

use crate::io::crypto::Passphrase;
use crate::io::plan_file::{self, PlanFileError};
use crate::model::history::{self, HistoryEntry};
use crate::model::merge::{MergeReport, merge};
use crate::model::{Plan, describe_changes};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum SharedSaveError {
    #[error(transparent)]
    File(#[from] PlanFileError),
    /// The file on disk cannot be read, so a colleague's work in it could not
    /// be merged: nothing was written.
    #[error(
        "{path} on disk cannot be read, so it was not overwritten (someone else's changes may be in it): {error}. Nothing was saved; use Save as to keep your work in another file"
    )]
    DamagedOnDisk { path: PathBuf, error: PlanFileError },
}

/// The outcome of a shared save.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedSave {
    /// What is now on disk: the base for the next save.
    pub plan: Plan,
    /// Set when a colleague's save was merged in.
    pub merge: Option<MergeReport>,
}

/// Saves `ours` to `path`, where `base` is the plan as loaded from (or last
/// saved to) that file. When the file on disk differs from `base`, the two are
/// merged; either way a history entry describing our changes is appended, the
/// plan is normalised and saved atomically (encrypted with `passphrase` if
/// given). An encrypted file on disk is read with the same passphrase.
pub fn save_shared(
    path: &Path,
    base: &Plan,
    ours: &Plan,
    passphrase: Option<&Passphrase>,
) -> Result<SharedSave, SharedSaveError> {
    let on_disk = read_on_disk(path, passphrase)?;
    let mut normal_base = base.clone();
    normal_base.normalise();
    let (mut plan, report) = match on_disk {
        Some(disk) if disk != normal_base => {
            let merged = merge(&normal_base, ours, &disk);
            (merged.plan, Some(merged.report))
        }
        _ => (ours.clone(), None),
    };
    let mut summary = describe_changes(&normal_base, ours);
    if let Some(report) = &report {
        summary = if summary == "no changes" { report.summary() } else { format!("{summary}; {}", report.summary()) };
    }
    if summary != "no changes" {
        history::append(&mut plan, HistoryEntry::now(summary));
    }
    plan.normalise();
    plan_file::save_with(&plan, path, passphrase)?;
    Ok(SharedSave { plan, merge: report })
}

/// The plan on disk, `None` when there is no file yet.
fn read_on_disk(path: &Path, passphrase: Option<&Passphrase>) -> Result<Option<Plan>, SharedSaveError> {
    if !path.exists() {
        return Ok(None);
    }
    match plan_file::load_with(path, passphrase) {
        Ok(mut plan) => {
            plan.normalise();
            Ok(Some(plan))
        }
        Err(PlanFileError::Io { error, .. }) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(
            error @ (PlanFileError::Syntax { .. } | PlanFileError::TooLarge { .. } | PlanFileError::Encrypted { .. }),
        ) => Err(SharedSaveError::DamagedOnDisk { path: path.to_path_buf(), error }),
        Err(other) => Err(SharedSaveError::File(other)),
    }
}
