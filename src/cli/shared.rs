//! Writing a plan file that colleagues may have open: every command goes
//! through the library's plan-file service ([`crate::io::plan_service`]):
//! one lock policy (a colleague's live lock is refused unless `--force`),
//! saves merged with what a colleague saved meanwhile, and outputs that
//! never replace a plan.

use crate::io::crypto::Passphrase;
use crate::io::plan_service::{ChangingPlan, Insist, LockInfo, ServiceError, SharedSave};
use crate::model::Plan;
use std::path::Path;

/// `--force` as the service's lock policy.
pub(crate) fn insist(force: bool) -> Insist {
    if force { Insist::Always } else { Insist::IfFree }
}

/// Takes the lock of the plan at `path` and loads it. A stale lock is taken
/// over with a note; a colleague's live one only with `force`.
pub(crate) fn open_plan(path: &Path, passphrase: Option<Passphrase>, force: bool) -> anyhow::Result<ChangingPlan> {
    let plan = ChangingPlan::open(path, passphrase, insist(force)).map_err(|e| explain(e, force))?;
    if let Some(info) = &plan.took_over {
        note_takeover(path, info, force);
    }
    Ok(plan)
}

/// Says on stderr whose lock was taken over.
pub(crate) fn note_takeover(path: &Path, info: &LockInfo, force: bool) {
    let why = if !force || info.is_stale(chrono::Local::now(), crate::io::lock::DEFAULT_STALE_AFTER) {
        "a stale lock"
    } else {
        "the lock (--force)"
    };
    eprintln!("{}: taking over {why} (it was {}).", path.display(), info.describe());
}

/// Saves `ours` back, merged with any colleague's save, and says what was merged.
pub(crate) fn save_back(plan: &mut ChangingPlan, ours: &Plan, force: bool) -> anyhow::Result<Plan> {
    let saved: SharedSave = plan.save(ours).map_err(|e| explain(e, force))?;
    if let Some(report) = &saved.merge {
        println!("{}", report.summary());
        for conflict in &report.conflicts {
            println!("  {conflict}");
        }
    }
    Ok(saved.plan)
}

/// A service error in the words of the command line.
pub(crate) fn explain(error: ServiceError, force: bool) -> anyhow::Error {
    match error {
        ServiceError::Held { path, holder } if !force => anyhow::anyhow!(
            "{} is {}: it was not written. Wait until it is closed there, or pass --force to write it anyway",
            path.display(),
            holder.describe()
        ),
        other => other.into(),
    }
}

/// Whether two paths name the same file once links are followed (the second may not exist yet).
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    crate::io::plan_file::resolve(a) == crate::io::plan_file::resolve(b)
}
