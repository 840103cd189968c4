//! The plan-file service: the one way the command line and the window open,
//! lock, save (merging a colleague's work), audit and replace a plan file,
//! and the checks that keep outputs from ever clobbering a plan.
//!
//! - Locking follows one policy ([`lock::lock_plan`]): a free or stale lock is
//!   taken (a stale one atomically, so one contender wins), a colleague's live
//!   lock only when the user insists (`--force`, "Take over").
//! - Saving ([`save_shared`]) marks the lock "saving", merges with the file on
//!   disk, and re-checks lock and file just before the rename.
//! - A command that insists keeps its work when its lock is taken from it:
//!   it takes the lock back and merges again ([`ChangingPlan::save`]).
//! - Recovery files are in [`crate::io::recovery`]; a window's autosave is
//!   offered back only once the process that wrote it has ended.

use crate::io::crypto::Passphrase;
pub use crate::io::lock::{Insist, LockInfo, Locked, lock_plan};
use crate::io::lock::{LockError, PlanLock};
use crate::io::plan_file::{self, PlanFileError};
pub use crate::io::shared_save::{Keys, SharedSave, SharedSaveError, save_replacing, save_shared};
use crate::model::{AuditEntry, Plan};
use std::path::{Path, PathBuf};

/// How often a command that insists takes its lock back after losing it mid-save.
const MAX_RETAKES: usize = 50;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    File(#[from] PlanFileError),
    #[error(transparent)]
    Save(#[from] SharedSaveError),
    /// Somebody else has the plan open; nothing was written.
    #[error("{} is {}: it was not written", .path.display(), .holder.describe())]
    Held { path: PathBuf, holder: Box<LockInfo> },
    #[error("{0}")]
    Lock(LockError),
}

impl ServiceError {
    fn from_lock(path: &Path, error: LockError) -> ServiceError {
        match error {
            LockError::Held(holder) => ServiceError::Held { path: path.to_path_buf(), holder: Box::new(holder) },
            other => ServiceError::Lock(other),
        }
    }
}

/// Loads a plan file and tells whether it is encrypted (its saves must stay so).
pub fn load(path: &Path, passphrase: Option<&Passphrase>) -> Result<(Plan, bool), PlanFileError> {
    let plan = plan_file::load_with(path, passphrase)?;
    let encrypted = plan_file::is_encrypted(path)?;
    Ok((plan, encrypted))
}

/// A plan a command is changing: its lock held, the plan as loaded (the base
/// of the merge), and how it is protected.
#[derive(Debug)]
pub struct ChangingPlan {
    path: PathBuf,
    lock: PlanLock,
    insist: Insist,
    /// What is on disk as far as we know: the base of the next merge.
    pub base: Plan,
    /// The lock this command took over (to say so), if any.
    pub took_over: Option<LockInfo>,
    /// Opens the file on disk (if it is encrypted).
    passphrase: Option<Passphrase>,
    /// Seals the saves: the file's own protection unless changed.
    protection: Option<Passphrase>,
}

impl ChangingPlan {
    /// Takes the plan's lock (by the one policy), then loads it.
    pub fn open(path: &Path, passphrase: Option<Passphrase>, insist: Insist) -> Result<ChangingPlan, ServiceError> {
        let Locked { lock, took_over } = lock_plan(path, insist).map_err(|e| ServiceError::from_lock(path, e))?;
        let (base, encrypted) = load(path, passphrase.as_ref())?;
        let protection = passphrase.clone().filter(|_| encrypted);
        Ok(ChangingPlan { path: path.to_path_buf(), lock, insist, base, took_over, passphrase, protection })
    }

    /// Seals the next saves with this passphrase, or writes them plain with `None`.
    pub fn set_protection(&mut self, passphrase: Option<Passphrase>) {
        self.protection = passphrase;
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Saves `ours` (the base with this command's changes), merged with
    /// whatever colleagues saved meanwhile, in the file's protection. If the
    /// lock was taken from us and we insist, it is taken back and merged
    /// again; otherwise nothing is written and the error says who has it.
    /// The base becomes what is now on disk.
    pub fn save(&mut self, ours: &Plan) -> Result<SharedSave, ServiceError> {
        let keys = Keys { read: self.passphrase.as_ref(), write: self.protection.as_ref() };
        let saved = save_merged(&self.path, &self.base, ours, keys, &mut self.lock, self.insist)?;
        self.base = saved.plan.clone();
        if self.protection.is_some() {
            self.passphrase = self.protection.clone();
        }
        Ok(saved)
    }

    /// Records in the plan file that patient data left it (printed, exported).
    pub fn record_audit(&mut self, entry: AuditEntry) -> Result<SharedSave, ServiceError> {
        let mut ours = self.base.clone();
        ours.audit.push(entry);
        self.save(&ours)
    }
}

/// Saves `ours` to `path` merged with colleagues' saves ([`save_shared`]).
/// If the lock was taken from us meanwhile: with [`Insist::Always`] (the
/// user insisted, or accepted merging when they took the plan over) it is
/// taken back and the save merges again, so nothing either side recorded is
/// lost; otherwise nothing is written and the error says who has the plan.
pub fn save_merged(
    path: &Path,
    base: &Plan,
    ours: &Plan,
    keys: Keys<'_>,
    lock: &mut PlanLock,
    insist: Insist,
) -> Result<SharedSave, ServiceError> {
    for _ in 0..MAX_RETAKES {
        let error = match save_shared(path, base, ours, keys, lock) {
            Ok(saved) => return Ok(saved),
            Err(error) => error,
        };
        match error.lost_to() {
            Some(_) if insist == Insist::Always => {
                *lock = lock_plan(path, Insist::Always).map_err(|e| ServiceError::from_lock(path, e))?.lock;
            }
            Some(holder) => {
                return Err(ServiceError::Held { path: path.to_path_buf(), holder: Box::new(holder.clone()) });
            }
            None => return Err(error.into()),
        }
    }
    Err(ServiceError::Lock(LockError::Io {
        path: path.to_path_buf(),
        error: std::io::Error::new(std::io::ErrorKind::TimedOut, "the lock kept being taken over; try again"),
    }))
}

/// Refuses an output path (an export, a PDF) that is the plan itself or any
/// plan file (by content, after following links): outputs never replace plans.
pub fn check_output(out: &Path, plan: &Path) -> Result<(), PlanFileError> {
    if plan_file::resolve(out) == plan_file::resolve(plan) {
        return Err(PlanFileError::NotSaved {
            path: out.to_path_buf(),
            why: format!("it is the plan {} itself; choose another file name", plan.display()),
        });
    }
    if plan_file::looks_like_plan(out) {
        return Err(PlanFileError::NotSaved {
            path: out.to_path_buf(),
            why: "it is a Rebook plan, and an export or print never replaces a plan; choose another file name"
                .to_string(),
        });
    }
    Ok(())
}

/// Refuses to replace an existing plan file unless the user said `--overwrite`.
pub fn check_replace(out: &Path, overwrite: bool) -> Result<(), PlanFileError> {
    if !overwrite && plan_file::resolve(out).exists() && plan_file::looks_like_plan(out) {
        return Err(PlanFileError::NotSaved {
            path: out.to_path_buf(),
            why: "a plan already exists there (with its outcomes and history); pass --overwrite to replace it, \
                  or choose another file name"
                .to_string(),
        });
    }
    Ok(())
}

/// Writes a whole new plan to `out` (a new file, or one the user chose to
/// replace), holding its lock by the one policy for the time of the write.
pub fn write_new(
    out: &Path,
    plan: &Plan,
    passphrase: Option<&Passphrase>,
    insist: Insist,
) -> Result<Option<LockInfo>, ServiceError> {
    let Locked { mut lock, took_over } = lock_plan(out, insist).map_err(|e| ServiceError::from_lock(out, e))?;
    save_replacing(out, plan, passphrase, &mut lock)?;
    Ok(took_over)
}
