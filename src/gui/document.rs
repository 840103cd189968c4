//! The one document the window edits: the plan, where it lives on disk, the
//! last saved state (for the unsaved-changes marker) and undo/redo of every edit.

use crate::io::crypto::Passphrase;
use crate::io::lock::{LockError, PlanLock};
use crate::io::plan_file::{self, PlanFileError};
use crate::io::plan_service::{self, Insist, Keys};
use crate::io::shared_save::SharedSaveError;
use crate::model::merge::MergeReport;
use crate::model::{AuditEntry, HistoryEntry, Plan, describe_changes, history};
use egui::util::undoer::{Settings, Undoer};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Undo points kept: each is a whole plan (about 1.5 MB per 1,000 items).
const MAX_UNDOS: usize = 40;

/// Our lock on the plan file, shared with a background refresh or save
/// (which may be writing it on a slow network share meanwhile).
pub type SharedLock = Arc<Mutex<PlanLock>>;

/// A whole new plan for `Document::replace_plan`, with its undo states.
pub struct ReplacedPlan<'a> {
    pub plan: Plan,
    pub undo_before: &'a Plan,
    pub undo_after: &'a Plan,
    /// The undo states differ (else only the trails changed).
    pub differ: bool,
    pub label: &'a str,
}

/// Which document, at which revision, something was derived from: a result
/// that comes back with another stamp is out of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub document: u64,
    pub revision: u64,
}

/// Every document gets its own number, so that revisions of two plans opened
/// one after the other are never mistaken for each other.
static NEXT_DOCUMENT: AtomicU64 = AtomicU64::new(1);

pub struct Document {
    id: u64,
    plan: Plan,
    path: Option<PathBuf>,
    /// The plan as last loaded or saved; the document is dirty when it differs.
    saved: Plan,
    dirty: bool,
    undoer: Undoer<Plan>,
    /// What each undo and redo step did, newest last ("mark A-000215 declined").
    undo_labels: Vec<String>,
    redo_labels: Vec<String>,
    /// Bumped on every change so panels can cache what they derive from the plan.
    revision: u64,
    /// Saves (and autosaves) are encrypted with this when set.
    passphrase: Option<Passphrase>,
    /// The passphrase was set or removed since the last save.
    protection_changed: bool,
    /// Audit entries recorded since the plan was loaded or saved. The trail is
    /// kept outside undo: undoing an edit must not erase the record of a print.
    unsaved_audit: Vec<AuditEntry>,
    /// Our lock beside the plan file, so colleagues see who has it open.
    lock: Option<SharedLock>,
    /// Opened while someone else had it: saving to the same file is refused.
    read_only: bool,
}

/// Why a save did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error(
        "{0} was opened read-only because someone else had it open; use Save as to keep your changes in another file"
    )]
    ReadOnly(String),
    #[error("{path} was not saved: {error}")]
    Locked { path: PathBuf, error: Box<LockError> },
    #[error(
        "{0} is open read-only, so the record of {1} print(s) or export(s) was not written to it; save a copy with Save as to keep it"
    )]
    AuditNotWritten(String, usize),
    #[error(transparent)]
    Shared(#[from] SharedSaveError),
    #[error(transparent)]
    Service(#[from] plan_service::ServiceError),
    #[error(transparent)]
    File(#[from] PlanFileError),
}

impl Document {
    pub fn new(plan: Plan, path: Option<PathBuf>) -> Document {
        let mut undoer = Undoer::with_settings(Settings { max_undos: MAX_UNDOS, ..Settings::default() });
        undoer.add_undo(&*without_trails(&plan));
        Document {
            id: NEXT_DOCUMENT.fetch_add(1, Ordering::Relaxed),
            saved: plan.clone(),
            plan,
            path,
            dirty: false,
            undoer,
            undo_labels: Vec::new(),
            redo_labels: Vec::new(),
            revision: 0,
            passphrase: None,
            protection_changed: false,
            unsaved_audit: Vec::new(),
            lock: None,
            read_only: false,
        }
    }

    /// Work recovered from an autosave: `plan` is newer than `on_disk`, the
    /// plan file as it is now (if it still exists), so it starts out unsaved.
    pub fn recovered(
        plan: Plan,
        path: Option<PathBuf>,
        on_disk: Option<Plan>,
        passphrase: Option<Passphrase>,
    ) -> Document {
        let mut doc = Document::new(plan, path);
        doc.saved = on_disk.unwrap_or_else(|| Plan::new(""));
        doc.passphrase = passphrase;
        doc.changed();
        doc
    }

    /// A new plan from the default catalogue, not yet saved anywhere.
    pub fn untitled() -> Document {
        Document::new(Plan::new("New practice"), None)
    }

    pub fn open(path: &Path) -> Result<Document, PlanFileError> {
        Document::open_with(path, None)
    }

    /// Opens a plan file; an encrypted one needs its passphrase, which the
    /// document then keeps so that its saves stay encrypted.
    pub fn open_with(path: &Path, passphrase: Option<Passphrase>) -> Result<Document, PlanFileError> {
        let (plan, encrypted) = plan_service::load(path, passphrase.as_ref())?;
        let mut doc = Document::new(plan, Some(path.to_path_buf()));
        doc.passphrase = passphrase.filter(|_| encrypted);
        Ok(doc)
    }

    /// Keeps our lock on the plan file (released when the document goes).
    pub fn attach_lock(&mut self, lock: PlanLock) {
        self.lock = Some(Arc::new(Mutex::new(lock)));
        self.read_only = false;
    }

    /// Our lock, for a refresh in the background.
    pub fn lock_handle(&self) -> Option<SharedLock> {
        self.lock.clone()
    }

    /// Opened while a colleague had it open: look, but save elsewhere.
    pub fn set_read_only(&mut self) {
        self.lock = None;
        self.read_only = true;
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// What a refresh of `lock` (done in the background) means for this document:
    /// if someone took the plan over meanwhile, it becomes read-only and the
    /// error says who has it now. A refresh of a lock this document no longer
    /// holds (another plan was opened meanwhile) is ignored.
    pub fn lock_refreshed(&mut self, lock: &SharedLock, result: Result<(), LockError>) -> Result<(), LockError> {
        if !self.lock.as_ref().is_some_and(|ours| Arc::ptr_eq(ours, lock)) {
            return Ok(());
        }
        match result {
            Err(e @ LockError::Held(_)) => {
                // Dropping our handle leaves their lock alone: it is no longer ours.
                self.set_read_only();
                Err(e)
            }
            other => other,
        }
    }

    pub fn passphrase(&self) -> Option<&Passphrase> {
        self.passphrase.as_ref()
    }

    pub fn is_encrypted(&self) -> bool {
        self.passphrase.is_some()
    }

    /// Protects the plan with a passphrase (or removes it with `None`) from the next save on.
    pub fn set_passphrase(&mut self, passphrase: Option<Passphrase>) {
        self.protection_changed = true;
        self.passphrase = passphrase;
        self.changed();
    }

    /// Records that patient data left the plan (printed, exported). Not an
    /// undoable edit: the entry survives undo and redo.
    pub fn record_audit(&mut self, entry: AuditEntry) {
        self.plan.audit.push(entry.clone());
        self.unsaved_audit.push(entry);
        self.changed();
    }

    /// Prepares writing the audit entries of this session into the plan file
    /// on disk without the other unsaved edits: for "Don't save", so that
    /// discarding work never discards the record of what was printed or
    /// exported. `None` when there is nothing to write. Through the plan-file
    /// service, holding the lock; a document opened read-only never writes the
    /// file (the error says what was not recorded).
    pub fn prepare_audit_save(&self) -> Result<Option<AuditWork>, SaveError> {
        let Some(path) = self.path.clone() else { return Ok(None) };
        if self.unsaved_audit.is_empty() {
            return Ok(None);
        }
        if self.read_only {
            return Err(SaveError::AuditNotWritten(self.file_name(), self.unsaved_audit.len()));
        }
        let mut ours = self.saved.clone();
        ours.audit.extend(self.unsaved_audit.iter().cloned());
        Ok(Some(AuditWork {
            path,
            lock: self.lock.clone(),
            saved: self.saved.clone(),
            ours,
            passphrase: self.passphrase.clone(),
        }))
    }

    /// The audit entries reached the file (`lock` is the one taken to write them, if any).
    pub fn audit_saved(&mut self, lock: Option<PlanLock>) {
        if let Some(lock) = lock {
            self.attach_lock(lock);
        }
        self.unsaved_audit.clear();
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty || self.protection_changed
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// This document at this revision, to stamp work started from it.
    pub fn stamp(&self) -> Stamp {
        Stamp { document: self.id, revision: self.revision }
    }

    /// Applies one user edit as one undo step. Returns what the edit returned.
    pub fn edit<R>(&mut self, change: impl FnOnce(&mut Plan) -> R) -> R {
        let before = self.plan.clone();
        let result = change(&mut self.plan);
        if self.plan != before {
            let was = without_trails(&before);
            let after = without_trails(&self.plan);
            let differ = was != after;
            if differ {
                self.undo_labels.push(super::step_label::describe(&was, &after));
                if self.undo_labels.len() > MAX_UNDOS {
                    self.undo_labels.remove(0);
                }
                self.redo_labels.clear();
            }
            push_undo_step(&mut self.undoer, &was, &after, differ);
            self.changed();
        }
        result
    }

    /// Replaces the whole plan as one undo step, with the undo states and
    /// label made off the window's thread (see `solved::ReadyPlan`): a
    /// 10,000-item plan costs tens of milliseconds to copy.
    /// Returns the plan it replaced (for the caller to drop off the window's thread).
    pub fn replace_plan(&mut self, replaced: ReplacedPlan<'_>) -> Plan {
        let ReplacedPlan { plan, undo_before, undo_after, differ, label } = replaced;
        let old = std::mem::replace(&mut self.plan, plan);
        if differ {
            self.undo_labels.push(label.to_string());
            if self.undo_labels.len() > MAX_UNDOS {
                self.undo_labels.remove(0);
            }
            self.redo_labels.clear();
        }
        push_undo_step(&mut self.undoer, undo_before, undo_after, differ);
        self.changed();
        old
    }

    /// Applies an edit that may be refused: on `Err` the plan is left untouched.
    pub fn try_edit<R, E>(&mut self, change: impl FnOnce(&mut Plan) -> Result<R, E>) -> Result<R, E> {
        let mut draft = self.plan.clone();
        let result = change(&mut draft)?;
        self.edit(|plan| *plan = draft);
        Ok(result)
    }

    pub fn can_undo(&self) -> bool {
        self.undoer.has_undo(&*without_trails(&self.plan))
    }

    pub fn can_redo(&self) -> bool {
        self.undoer.has_redo(&*without_trails(&self.plan))
    }

    /// What Undo would take back, e.g. "mark A-000215 declined".
    pub fn undo_label(&self) -> Option<&str> {
        self.can_undo().then(|| self.undo_labels.last().map_or("last edit", String::as_str))
    }

    /// What Redo would do again.
    pub fn redo_label(&self) -> Option<&str> {
        self.can_redo().then(|| self.redo_labels.last().map_or("last edit", String::as_str))
    }

    pub fn undo(&mut self) -> bool {
        let current = without_trails(&self.plan);
        match self.undoer.undo(&current).cloned() {
            Some(state) => {
                if let Some(label) = self.undo_labels.pop() {
                    self.redo_labels.push(label);
                }
                self.restore(state);
                true
            }
            None => false,
        }
    }

    pub fn redo(&mut self) -> bool {
        let current = without_trails(&self.plan);
        match self.undoer.redo(&current).cloned() {
            Some(state) => {
                if let Some(label) = self.redo_labels.pop() {
                    self.undo_labels.push(label);
                }
                self.restore(state);
                true
            }
            None => false,
        }
    }

    /// An undo state, with the audit trail as it is now (undo never removes entries).
    fn restore(&mut self, mut state: Plan) {
        state.audit = std::mem::take(&mut self.plan.audit);
        state.history = std::mem::take(&mut self.plan.history);
        self.plan = state;
        self.changed();
    }

    /// Saves to `path` (atomically, keeping a backup) and makes it the document's file.
    /// Saving back to the file it came from merges what colleagues saved there
    /// meanwhile (returned as the report); saving elsewhere takes that file's lock.
    pub fn save_as(&mut self, path: &Path) -> Result<Option<MergeReport>, SaveError> {
        let saved = self.prepare_save(path).run()?;
        Ok(self.finish_save(saved))
    }

    /// What a save to `path` needs, taken from the document, so the writing
    /// (key stretching, locking and merging on a share) can run in the
    /// background. Whether it goes back to the document's own file is worked
    /// out there too: following links on a share is file work.
    pub fn prepare_save(&self, path: &Path) -> SaveWork {
        SaveWork {
            path: path.to_path_buf(),
            current: self.path.clone(),
            read_only: self.read_only,
            lock: self.lock.clone(),
            saved: self.saved.clone(),
            ours: self.plan.clone(),
            passphrase: self.passphrase.clone(),
            started: self.stamp(),
        }
    }

    /// Takes in a save that `prepare_save` started. Returns the merge with
    /// colleagues' work, if any. An edit made while the save ran stays on
    /// screen, unsaved, on top of what was written.
    pub fn finish_save(&mut self, done: SavedFile) -> Option<MergeReport> {
        let SavedFile { path, plan, merge, new_lock, started } = done;
        let unchanged = started == self.stamp();
        if unchanged && plan != self.plan {
            // Keep what is on screen identical to what is on disk (merged work
            // comes in as one undoable step).
            self.edit(|p| *p = plan.clone());
        }
        self.saved = plan;
        self.path = Some(path);
        if let Some(lock) = new_lock {
            self.attach_lock(lock);
        }
        if unchanged {
            self.protection_changed = false;
        }
        self.unsaved_audit.clear();
        self.changed();
        merge
    }

    /// "plan.rebook.ron", or "Untitled" for a plan never saved.
    pub fn file_name(&self) -> String {
        self.path
            .as_deref()
            .and_then(Path::file_name)
            .map_or_else(|| "Untitled".to_string(), |n| n.to_string_lossy().into_owned())
    }

    /// The window title: "Rebook — file[ *] — practice".
    pub fn title(&self) -> String {
        let marker = if self.is_dirty() { " *" } else { "" };
        let read_only = if self.read_only { " [read-only]" } else { "" };
        format!("Rebook — {}{marker}{read_only} — {}", self.file_name(), self.plan.practice.name)
    }

    fn changed(&mut self) {
        self.revision += 1;
        self.dirty = self.plan != self.saved;
    }
}

/// The audit entries of a "Don't save" on their way into the plan file.
pub struct AuditWork {
    path: PathBuf,
    /// The document's lock; without one, the file's lock is taken for the write.
    lock: Option<SharedLock>,
    saved: Plan,
    /// The plan as last saved, with this session's audit entries.
    ours: Plan,
    passphrase: Option<Passphrase>,
}

impl AuditWork {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Merges the entries into the file; any thread. Returns the lock taken
    /// for it when the document held none. A file gone meanwhile is left gone.
    pub fn run(self) -> Result<Option<PlanLock>, SaveError> {
        let AuditWork { path, lock, saved, ours, passphrase } = self;
        if !path.exists() {
            return Ok(None);
        }
        let mut fresh = if lock.is_some() { None } else { Some(lock_for_saving(&path)?) };
        let mut guard = lock.as_ref().map(|l| l.lock().unwrap_or_else(PoisonError::into_inner));
        let Some(held) = fresh.as_mut().or(guard.as_deref_mut()) else {
            return Err(SaveError::ReadOnly(display_name(&path)));
        };
        let encrypted = plan_file::is_encrypted(&path)?;
        let keys = Keys { read: passphrase.as_ref(), write: passphrase.as_ref().filter(|_| encrypted) };
        plan_service::save_merged(&path, &saved, &ours, keys, held, Insist::Always)?;
        drop(guard);
        Ok(fresh)
    }
}

/// A save on its way to disk: everything it needs, and nothing of the window.
pub struct SaveWork {
    path: PathBuf,
    /// The document's file: a save back to it is merged with colleagues' saves.
    current: Option<PathBuf>,
    /// Opened while a colleague had it: not saved back to its own file.
    read_only: bool,
    /// The document's lock (used when saving back to its own file).
    lock: Option<SharedLock>,
    /// The plan as last saved (the base of a merge).
    saved: Plan,
    /// The plan when the save started: what is written, normalised (merged with colleagues' saves).
    ours: Plan,
    passphrase: Option<Passphrase>,
    started: Stamp,
}

/// A save that reached the disk, for `Document::finish_save`.
pub struct SavedFile {
    path: PathBuf,
    /// What the file now holds.
    plan: Plan,
    merge: Option<MergeReport>,
    /// The lock of a new file.
    new_lock: Option<PlanLock>,
    started: Stamp,
}

impl SavedFile {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl SaveWork {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the file; any thread.
    pub fn run(self) -> Result<SavedFile, SaveError> {
        let SaveWork { path, current, read_only, lock, saved, mut ours, passphrase, started } = self;
        let same_file = current.as_deref().is_some_and(|p| plan_file::resolve(p) == plan_file::resolve(&path));
        if same_file && read_only {
            return Err(SaveError::ReadOnly(current.as_deref().map_or_else(String::new, display_name)));
        }
        let lock = lock.filter(|_| same_file);
        ours.normalise();
        let mut new_lock = if lock.is_some() { None } else { Some(lock_for_saving(&path)?) };
        let (plan, merge) = match (same_file, new_lock.as_mut(), lock) {
            (true, fresh, held) => {
                let mut guard = held.as_ref().map(|l| l.lock().unwrap_or_else(PoisonError::into_inner));
                let Some(lock) = fresh.or(guard.as_deref_mut()) else {
                    return Err(SaveError::ReadOnly(display_name(&path)));
                };
                // A colleague who took the plan over was told that both saves
                // merge: if they hold it now, it is taken back for this save.
                let keys = Keys::same(passphrase.as_ref());
                let done = plan_service::save_merged(&path, &saved, &ours, keys, lock, Insist::Always)?;
                (done.plan, done.merge)
            }
            (false, Some(lock), _) => {
                // A new file (or one the user chose to replace): nothing to merge with.
                let summary = describe_changes(&saved, &ours);
                history::append(&mut ours, HistoryEntry::now(format!("saved as {}; {summary}", display_name(&path))));
                plan_service::save_replacing(&path, &ours, passphrase.as_ref(), lock)?;
                (ours, None)
            }
            (false, None, _) => return Err(SaveError::ReadOnly(display_name(&path))),
        };
        Ok(SavedFile { path, plan, merge, new_lock, started })
    }
}

/// Takes the lock of a file about to be written by the one lock policy:
/// refused while a colleague holds it; a stale lock, or one left by this very
/// process (a plan reopened), is taken over.
pub fn lock_for_saving(path: &Path) -> Result<PlanLock, SaveError> {
    plan_service::lock_plan(path, Insist::IfFree)
        .map(|locked| locked.lock)
        .map_err(|error| SaveError::Locked { path: path.to_path_buf(), error: Box::new(error) })
}

fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Records `before` -> `after` (undo states) as one undo step; when they
/// `differ`, the redo branch goes, as after any new edit.
fn push_undo_step(undoer: &mut Undoer<Plan>, before: &Plan, after: &Plan, differ: bool) {
    undoer.add_undo(before);
    if differ {
        // A redo asked from a state other than the last undo point drops the
        // redo branch without copying the plan (feed_state would copy it).
        let _ = undoer.redo(after);
    }
    undoer.add_undo(after);
}

/// Undo states leave the audit trail and the save history out: undoing an
/// edit must never remove the record of a print or of a save.
fn without_trails(plan: &Plan) -> std::borrow::Cow<'_, Plan> {
    if plan.audit.is_empty() && plan.history.is_empty() {
        std::borrow::Cow::Borrowed(plan)
    } else {
        let mut copy = plan.clone();
        copy.audit.clear();
        copy.history.clear();
        std::borrow::Cow::Owned(copy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_undo_redo_and_dirty_marker() {
        let mut doc = Document::new(Plan::new("Practice A"), None);
        assert!(!doc.is_dirty() && !doc.can_undo());
        doc.edit(|p| p.practice.name = "Practice B".into());
        doc.edit(|p| p.rules.reserve = 0.3);
        assert!(doc.is_dirty());
        assert_eq!(doc.title(), "Rebook — Untitled * — Practice B");
        assert_eq!(doc.undo_label(), Some("edit rules"));
        assert!(doc.undo());
        assert_eq!(doc.redo_label(), Some("edit rules"));
        assert_eq!(doc.plan().rules.reserve, 0.2);
        assert!(doc.undo());
        assert_eq!(doc.plan().practice.name, "Practice A");
        assert!(!doc.is_dirty(), "back at the saved state");
        assert!(doc.redo());
        assert_eq!(doc.plan().practice.name, "Practice B");
        // A new edit after an undo drops the redo branch.
        doc.edit(|p| p.rules.late_penalty = 5.0);
        assert!(!doc.redo());
        assert_eq!(doc.plan().rules.reserve, 0.2);
        let refused: Result<(), &str> = doc.try_edit(|p| {
            p.rules.reserve = 0.9;
            Err("no")
        });
        assert!(refused.is_err());
        assert_eq!(doc.plan().rules.reserve, 0.2);
    }

    #[test]
    fn audit_entries_survive_undo_and_are_not_undo_steps() {
        use crate::model::AuditAction;
        let mut doc = Document::new(Plan::new("Practice A"), None);
        doc.edit(|p| p.rules.reserve = 0.3);
        doc.record_audit(AuditEntry::now(AuditAction::Print, "call list to printer"));
        assert!(doc.is_dirty());
        assert!(doc.undo());
        assert_eq!(doc.plan().rules.reserve, 0.2);
        assert_eq!(doc.plan().audit.len(), 1, "undo keeps the record of the print");
        assert!(!doc.can_undo(), "the audit entry is not an undo step");
        assert!(doc.redo());
        assert_eq!((doc.plan().rules.reserve, doc.plan().audit.len()), (0.3, 1));
    }
}
