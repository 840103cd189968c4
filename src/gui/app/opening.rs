//! Opening and saving the plan file: the passphrase of an encrypted plan,
//! the lock that tells colleagues who has it open, merging with their saves,
//! and recovering work autosaved before a crash. Every read and write of the
//! plan file or its lock runs as a background task, encrypted or not (key
//! stretching costs about a second, and a plan on a slow network share can
//! take longer): the window keeps drawing "Opening…" and takes no input meanwhile.

use super::RebookApp;
use crate::gui::autosave::{self, Recovered, RecoveryChoice};
use crate::gui::document::{Document, SaveError, SavedFile};
use crate::gui::passphrase::{PassphraseAnswer, PassphraseDialog, PassphrasePurpose};
use crate::gui::sharing::{self, LockChoice};
use crate::gui::tasks::{Kind, OpenedFile, Work};
use crate::io::crypto::Passphrase;
use crate::io::lock::{LockError, PlanLock};
use crate::io::plan_file::PlanFileError;
use crate::io::plan_service::{self, Insist, Locked};
use crate::io::recovery::{Recoverable, RecoveryError};
use std::path::{Path, PathBuf};

/// Reads a plan file and takes its lock by the library's one lock policy (a
/// stale lock, or one this window left, is taken over); any thread.
fn open_file(path: PathBuf, passphrase: Option<Passphrase>) -> Work {
    let result = Document::open_with(&path, passphrase).map(|doc| {
        let lock = plan_service::lock_plan(&path, Insist::IfFree);
        Box::new(OpenedFile { doc, lock })
    });
    let missing = result.is_err() && !path.exists();
    Work::Opened { path, result, missing }
}

impl RebookApp {
    pub(super) fn open_path(&mut self, path: &Path) {
        self.open_path_with(path, None);
    }

    /// Opens a plan in the background; a plain plan is the same task without a passphrase.
    pub(super) fn open_path_with(&mut self, path: &Path, passphrase: Option<Passphrase>) {
        let path = path.to_path_buf();
        let doing = format!("Opening {}", display_name(&path));
        self.tasks.spawn(Kind::Open, self.doc.stamp(), doing, move |_| open_file(path, passphrase));
    }

    /// A plan file was read (or could not be): show it, or say why not.
    pub(super) fn opened(&mut self, path: &Path, result: Result<OpenedFile, PlanFileError>, missing: bool) {
        match result {
            Err(PlanFileError::NeedsPassphrase { .. }) => {
                self.passphrase = Some(PassphraseDialog::new(PassphrasePurpose::Open(path.to_path_buf())));
            }
            Err(e @ PlanFileError::WrongPassphrase { .. }) => {
                let dialog = PassphraseDialog::new(PassphrasePurpose::Open(path.to_path_buf()));
                self.passphrase = Some(dialog.retry(format!("{e}.")));
            }
            Ok(OpenedFile { doc, lock }) => self.lock_and_show(doc, path, lock),
            Err(e) => {
                if missing {
                    let _ = self.recent.remove(path);
                }
                self.error(format!("Could not open the plan: {e}"));
            }
        }
    }

    /// Shows an opened plan with the lock the open took; if a colleague has
    /// it open, asks first whether to open it read-only or take it over.
    fn lock_and_show(&mut self, mut doc: Document, path: &Path, lock: Result<Locked, LockError>) {
        let note = match lock {
            Ok(Locked { lock, took_over }) => {
                doc.attach_lock(lock);
                took_over.filter(|info| !info.is_this_process()).map(|info| {
                    format!("Opened {}; took over a lock left behind ({}).", path.display(), info.describe())
                })
            }
            Err(LockError::Held(info)) => {
                self.lock_prompt = Some((doc, info));
                return;
            }
            Err(e) => return self.open_read_only(doc, path, &e.to_string()),
        };
        self.show_opened(doc, path, note);
    }

    pub(super) fn open_read_only(&mut self, mut doc: Document, path: &Path, why: &str) {
        doc.set_read_only();
        self.show_opened(doc, path, Some(format!("Opened {} read-only: {why}.", path.display())));
    }

    pub(super) fn show_opened(&mut self, doc: Document, path: &Path, note: Option<String>) {
        self.replace_document(doc);
        if let Err(e) = self.recent.add(path) {
            self.error(format!("Could not remember {} in the recent plans: {e}", path.display()));
        }
        self.info(note.unwrap_or_else(|| format!("Opened {}.", path.display())));
    }

    pub(super) fn lock_prompt_ui(&mut self, ctx: &egui::Context) {
        let Some((doc, info)) = &self.lock_prompt else { return };
        let Some(choice) = sharing::lock_prompt_ui(ctx, &doc.file_name(), info) else { return };
        let Some((doc, info)) = self.lock_prompt.take() else { return };
        let Some(path) = doc.path().map(Path::to_path_buf) else { return };
        let holder = info.describe();
        match choice {
            LockChoice::ReadOnly => self.open_read_only(doc, &path, &format!("it is {holder}")),
            LockChoice::TakeOver => {
                let doing = format!("Taking over {}", display_name(&path));
                self.tasks.spawn(Kind::Open, self.doc.stamp(), doing, move |_| {
                    let result = plan_service::lock_plan(&path, Insist::Always);
                    Work::TookOver { doc: Box::new(doc), holder, result }
                });
            }
            LockChoice::Cancel => self.info(format!("{} was not opened.", path.display())),
        }
    }

    /// "Take over" came back: the plan opens with the lock, or read-only if it could not be had.
    pub(super) fn took_over(&mut self, mut doc: Document, holder: &str, result: Result<Locked, LockError>) {
        let Some(path) = doc.path().map(Path::to_path_buf) else { return };
        match result {
            Ok(Locked { lock, .. }) => {
                doc.attach_lock(lock);
                self.show_opened(doc, &path, Some(format!("Took over {} ({holder}).", path.display())));
            }
            Err(e) => self.open_read_only(doc, &path, &e.to_string()),
        }
    }

    /// Saves in the background; a plain plan is the same task without a passphrase.
    pub(super) fn save_to(&mut self, path: PathBuf) {
        let path = with_plan_extension(path);
        let previous = self.doc.path().map(Path::to_path_buf);
        let work = self.doc.prepare_save(&path);
        let doing = format!("Saving {}", display_name(&path));
        self.tasks.spawn(Kind::Save, self.doc.stamp(), doing, move |_| Work::Saved {
            previous,
            result: work.run().map(Box::new),
        });
    }

    /// A save finished (or failed): take it into the document and say so.
    pub(super) fn saved(&mut self, previous: Option<PathBuf>, result: Result<SavedFile, SaveError>) {
        match result {
            Ok(file) => {
                let path = file.path().to_path_buf();
                if let Some(report) = self.doc.finish_save(file) {
                    self.info(report.summary());
                    self.conflicts = report.conflicts;
                    // A colleague's booking taken into a plan re-planned here
                    // may now share a slot or overfill a session.
                    let plan = self.doc.plan();
                    let clashes = crate::rules::check::violations(plan, &plan.bookings);
                    if let Some(first) = clashes.first() {
                        self.error(format!(
                            "After merging, {} booking problem(s) need a re-plan (press Solve), for example: {first}",
                            clashes.len()
                        ));
                    }
                }
                for saved in [previous.as_deref(), Some(path.as_path())] {
                    if let Some(problem) = self.autosave.discard(saved) {
                        self.error(problem);
                    }
                }
                if let Err(e) = self.recent.add(&path) {
                    self.error(format!("Could not remember {} in the recent plans: {e}", path.display()));
                }
                self.info(format!("Saved {}.", path.display()));
                if let Some(next) = self.after_save.take() {
                    self.commands.push(next);
                }
            }
            Err(e) => {
                self.after_save = None;
                self.error(format!("Could not save the plan: {e}"));
            }
        }
    }

    /// The user chose to lose the unsaved changes: the autosave goes too, but
    /// the record of what was printed or exported is still written to the file,
    /// in the background. Commands wait for it, so the document is replaced
    /// only once its audit trail is on disk.
    pub(super) fn discard_changes(&mut self) {
        match self.doc.prepare_audit_save() {
            Ok(None) => {}
            Ok(Some(work)) => {
                let doing = format!("Writing the audit trail to {}", display_name(work.path()));
                self.tasks.spawn(Kind::Save, self.doc.stamp(), doing, move |_| Work::AuditSaved(work.run()));
            }
            Err(e) => self.audit_saved(Err(e)),
        }
        if let Some(problem) = self.autosave.discard(self.doc.path()) {
            self.error(problem);
        }
    }

    pub(super) fn audit_saved(&mut self, result: Result<Option<PlanLock>, SaveError>) {
        match result {
            Ok(lock) => self.doc.audit_saved(lock),
            Err(e) => self.error(format!("Could not write the audit trail to the plan file: {e}")),
        }
    }

    pub(super) fn passphrase_ui(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.passphrase else { return };
        let Some(answer) = dialog.ui(ctx) else { return };
        self.passphrase = None;
        let PassphraseAnswer::Entered(purpose, passphrase) = answer else { return };
        match purpose {
            PassphrasePurpose::Open(path) => self.open_path_with(&path, Some(passphrase)),
            PassphrasePurpose::Recover(found) => self.recover(found, Some(passphrase)),
            PassphrasePurpose::Protect => {
                self.doc.set_passphrase(Some(passphrase));
                self.info("The plan will be encrypted with the passphrase when it is saved.".into());
            }
        }
    }

    /// Opens unsaved work from an autosave as the document (still unsaved),
    /// read back in the background (encrypted or not: the plan file it
    /// belongs to may be on a network share).
    pub(super) fn recover(&mut self, found: Recoverable, passphrase: Option<Passphrase>) {
        let Some(store) = self.autosave.store().cloned() else { return };
        if found.encrypted && passphrase.is_none() {
            self.passphrase = Some(PassphraseDialog::new(PassphrasePurpose::Recover(found)));
            return;
        }
        self.tasks.spawn(Kind::Open, self.doc.stamp(), "Recovering the unsaved work".into(), move |_| {
            let result = autosave::read_back(&store, &found, passphrase.as_ref()).map(Box::new);
            Work::Recovered { found, passphrase, result }
        });
    }

    /// Unsaved work was read back (or could not be): it becomes the document, still unsaved.
    pub(super) fn recovered(
        &mut self,
        found: Recoverable,
        passphrase: Option<Passphrase>,
        result: Result<Recovered, RecoveryError>,
    ) {
        match result {
            Ok(Recovered { plan, on_disk, lock }) => {
                let mut doc = Document::recovered(plan, found.plan_path.clone(), on_disk, passphrase);
                match lock {
                    Some(Ok(lock)) => doc.attach_lock(lock),
                    Some(Err(e)) => {
                        doc.set_read_only();
                        self.error(format!("The recovered work is read-only: {e}. Use Save as to keep it."));
                    }
                    None => {}
                }
                self.replace_document(doc);
                // This session's autosave takes over from the old file at once,
                // so a second crash before the next autosave loses nothing.
                if let Some(write) = self.autosave.write_now(&self.doc, Some(found.file.clone())) {
                    self.start_autosave(write, true);
                }
                self.info("Recovered the unsaved work. Save it to keep it.".into());
            }
            Err(RecoveryError::Plan(PlanFileError::WrongPassphrase { .. })) => {
                let dialog = PassphraseDialog::new(PassphrasePurpose::Recover(found));
                self.passphrase = Some(dialog.retry("The passphrase is wrong; try again.".into()));
            }
            Err(e) => {
                self.error(format!("Could not recover the unsaved work: {e}"));
            }
        }
    }

    pub(super) fn recovery_ui(&mut self, ctx: &egui::Context) {
        // The plan being opened may ask for its passphrase first.
        if self.passphrase.is_some() || self.prompt.is_some() || self.tasks.holding_document().is_some() {
            return;
        }
        let Some(found) = self.recoverable.first().cloned() else { return };
        let Some(choice) = autosave::recovery_offer_ui(ctx, &found) else { return };
        self.recoverable.retain(|r| r.file != found.file);
        match choice {
            RecoveryChoice::Recover => self.recover(found, None),
            RecoveryChoice::Discard => {
                if let Some(store) = self.autosave.store()
                    && let Err(e) = store.discard_file(&found.file)
                {
                    self.error(format!("Could not delete the autosaved changes: {e}"));
                }
            }
            RecoveryChoice::Later => {}
        }
    }
}

/// Plans are saved as `.rebook.ron`; a name typed without an extension gets it.
fn with_plan_extension(path: PathBuf) -> PathBuf {
    if path.extension().is_some() {
        path
    } else {
        let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".rebook.ron");
        path.with_file_name(name)
    }
}

pub(super) fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}
