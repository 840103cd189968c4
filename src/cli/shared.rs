//! Writing a plan file that colleagues may have open: every command that
//! writes a plan in place takes its lock first (refusing one somebody else
//! holds, unless `--force`) and saves through [`save_shared`], so a colleague's
//! save in the meantime is merged rather than overwritten.

use crate::io::crypto::Passphrase;
use crate::io::lock::{self, DEFAULT_STALE_AFTER, LockError, PlanLock};
use crate::io::plan_file;
use crate::io::shared_save::save_shared;
use crate::model::Plan;
use std::path::Path;

/// Takes the lock of the plan at `path` for this command. A stale lock (its
/// holder gone) is taken over with a note; a live one only with `force`.
pub(crate) fn lock_plan(path: &Path, force: bool) -> anyhow::Result<PlanLock> {
    match lock::acquire(path) {
        Ok(held) => Ok(held),
        Err(LockError::Held(info)) if info.is_stale(chrono::Local::now(), DEFAULT_STALE_AFTER) => {
            eprintln!("{}: taking over a stale lock (it was {}).", path.display(), info.describe());
            Ok(lock::take_over(path)?)
        }
        Err(LockError::Held(info)) if force => {
            eprintln!("{}: --force: taking over the lock (it was {}).", path.display(), info.describe());
            Ok(lock::take_over(path)?)
        }
        Err(LockError::Held(info)) => anyhow::bail!(
            "{} is {}: it was not written. Wait until it is closed there, or pass --force to write it anyway",
            path.display(),
            info.describe()
        ),
        Err(other) => Err(other.into()),
    }
}

/// Saves `ours` back to `path`, which `base` was loaded from, merging what a
/// colleague saved meanwhile and saying so. Keeps the file's protection: it is
/// encrypted with `passphrase` only if it was encrypted. Returns what is now on disk.
pub(crate) fn save_back(
    path: &Path,
    base: &Plan,
    ours: &Plan,
    passphrase: Option<&Passphrase>,
) -> anyhow::Result<Plan> {
    let encrypted = path.exists() && plan_file::is_encrypted(path)?;
    let saved = save_shared(path, base, ours, passphrase.filter(|_| encrypted))?;
    if let Some(report) = &saved.merge {
        println!("{}", report.summary());
        for conflict in &report.conflicts {
            println!("  {conflict}");
        }
    }
    Ok(saved.plan)
}

/// Whether two paths name the same file (the second may not exist yet).
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
