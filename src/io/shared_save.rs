//! Saving a plan that colleagues may have saved meanwhile (a shared drive):
//! what is on disk is read first and, if somebody changed it since we loaded
//! it, merged with ours (see [`crate::model::merge`]) instead of overwritten.
//! Each save adds a line to the plan's history.

use crate::io::crypto::Passphrase;
use crate::io::lock::{LockError, LockInfo, PlanLock};
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
    /// Our lock was taken over (or could not be read): nothing was written.
    #[error("{path} was not saved: {error}")]
    Lock { path: PathBuf, error: Box<LockError> },
    /// Somebody kept replacing the file faster than it could be merged.
    #[error("{path} was not saved: it kept changing on disk while being merged; try again")]
    KeptChanging { path: PathBuf },
}

impl SharedSaveError {
    /// The lock was lost to this holder: nothing was written.
    pub fn lost_to(&self) -> Option<&LockInfo> {
        match self {
            SharedSaveError::Lock { error, .. } => match error.as_ref() {
                LockError::Held(info) => Some(info),
                LockError::Io { .. } => None,
            },
            _ => None,
        }
    }
}

/// Merges tried before giving up when the file keeps changing under us.
const MAX_ATTEMPTS: usize = 8;

/// The outcome of a shared save.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedSave {
    /// What is now on disk: the base for the next save.
    pub plan: Plan,
    /// Set when a colleague's save was merged in.
    pub merge: Option<MergeReport>,
}

/// Saves `ours` to `path`, where `base` is the plan as loaded from (or last
/// saved to) that file, holding `lock` (the plan's lock). When the file on
/// disk differs from `base`, the two are merged; either way a history entry
/// describing our changes is appended, the plan is normalised and saved
/// atomically (encrypted with `keys.write` if given). An encrypted file on
/// disk is read with `keys.read`.
///
/// The lock is marked "saving" throughout, so nobody takes it over meanwhile;
/// just before the rename the lock is checked to be still ours and the file on
/// disk to be the one merged with, else it is read and merged again.
pub fn save_shared(
    path: &Path,
    base: &Plan,
    ours: &Plan,
    keys: Keys<'_>,
    lock: &mut PlanLock,
) -> Result<SharedSave, SharedSaveError> {
    let lost = |error| SharedSaveError::Lock { path: path.to_path_buf(), error: Box::new(error) };
    lock.begin_save().map_err(lost)?;
    let result = merge_and_write(path, base, ours, keys, lock);
    // Best effort: a mark left behind goes stale on its own.
    let _ = lock.end_save();
    result
}

/// The passphrase that opens the file on disk, and the one to seal the save
/// with (`None`: saved plain). They differ when the protection changes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Keys<'a> {
    pub read: Option<&'a Passphrase>,
    pub write: Option<&'a Passphrase>,
}

impl<'a> Keys<'a> {
    /// The same passphrase (or none) to read and to write.
    pub fn same(passphrase: Option<&'a Passphrase>) -> Keys<'a> {
        Keys { read: passphrase, write: passphrase }
    }
}

fn merge_and_write(
    path: &Path,
    base: &Plan,
    ours: &Plan,
    keys: Keys<'_>,
    lock: &PlanLock,
) -> Result<SharedSave, SharedSaveError> {
    let mut normal_base = base.clone();
    normal_base.normalise();
    for _ in 0..MAX_ATTEMPTS {
        let before = fingerprint(path);
        let on_disk = read_on_disk(path, keys.read.or(keys.write))?;
        let (mut plan, report) = match on_disk {
            Some(disk) if disk != normal_base => {
                let merged = merge(&normal_base, ours, &disk);
                (merged.plan, Some(merged.report))
            }
            _ => (ours.clone(), None),
        };
        let mut summary = describe_changes(&normal_base, ours);
        if let Some(report) = &report {
            summary =
                if summary == "no changes" { report.summary() } else { format!("{summary}; {}", report.summary()) };
        }
        if summary != "no changes" {
            history::append(&mut plan, HistoryEntry::now(summary));
        }
        plan.normalise();
        let prepared = plan_file::prepare_save(&plan, path, keys.write)?;
        lock.check().map_err(|error| SharedSaveError::Lock { path: path.to_path_buf(), error: Box::new(error) })?;
        if fingerprint(path) != before {
            // Somebody replaced the file since it was read: merge with theirs.
            continue;
        }
        prepared.commit()?;
        return Ok(SharedSave { plan, merge: report });
    }
    Err(SharedSaveError::KeptChanging { path: path.to_path_buf() })
}

/// Writes `plan` over whatever is at `path` (a new file, or one the user
/// chose to replace), holding `lock`: marked "saving" while it writes, and
/// checked to be still ours just before the rename.
pub fn save_replacing(
    path: &Path,
    plan: &Plan,
    passphrase: Option<&Passphrase>,
    lock: &mut PlanLock,
) -> Result<(), SharedSaveError> {
    let lost = |error| SharedSaveError::Lock { path: path.to_path_buf(), error: Box::new(error) };
    lock.begin_save().map_err(lost)?;
    let result = (|| -> Result<(), SharedSaveError> {
        let prepared = plan_file::prepare_save(plan, path, passphrase)?;
        lock.check().map_err(lost)?;
        prepared.commit()?;
        Ok(())
    })();
    let _ = lock.end_save();
    result
}

/// What identifies one version of a file: replacing it (a rename) or
/// writing it changes this. `None` when there is no file.
fn fingerprint(path: &Path) -> Option<(u64, Option<std::time::SystemTime>, u64, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let (dev, ino) = {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    };
    #[cfg(not(unix))]
    let (dev, ino) = (0, 0);
    Some((meta.len(), meta.modified().ok(), dev, ino))
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
            error @ (PlanFileError::Syntax { .. }
            | PlanFileError::TooLarge { .. }
            | PlanFileError::Encrypted { .. }
            | PlanFileError::OutOfRange { .. }),
        ) => Err(SharedSaveError::DamagedOnDisk { path: path.to_path_buf(), error }),
        Err(other) => Err(SharedSaveError::File(other)),
    }
}
