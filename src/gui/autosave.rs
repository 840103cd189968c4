//! Autosaving the open plan to a recovery file (every minute while there are
//! unsaved changes, and after every solve), so a crash or power cut loses at
//! most a minute of work. The write runs as one of the app's background tasks:
//! an encrypted plan costs about a second of key stretching, which must not
//! freeze the window.

use super::document::{self, Document, SaveError};
use crate::io::crypto::Passphrase;
use crate::io::lock::PlanLock;
use crate::io::plan_file;
use crate::io::recovery::{Recoverable, RecoveryError, RecoveryStore};
use crate::model::Plan;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const INTERVAL: Duration = Duration::from_secs(60);

pub struct Autosave {
    store: Option<RecoveryStore>,
    /// Revision of the document last written (or being written).
    saved_revision: Option<u64>,
    last_write: Instant,
    /// Set by `request`: write at the next tick whatever the interval.
    requested: bool,
    /// Bumped by `discard`: a write started before it lands on a file that is
    /// no longer wanted, and is removed when it comes back.
    generation: u64,
}

/// One autosave write, to run in the background.
pub struct AutosaveWrite {
    store: RecoveryStore,
    plan: Plan,
    path: Option<PathBuf>,
    passphrase: Option<Passphrase>,
    pub generation: u64,
    /// An older recovery file this write takes over from (removed once it is written).
    pub replaces: Option<PathBuf>,
}

impl AutosaveWrite {
    /// Whether writing costs key stretching (about a second).
    pub fn is_slow(&self) -> bool {
        self.passphrase.is_some()
    }

    /// Writes the recovery file; any thread. Returns where it went.
    pub fn run(self) -> Result<PathBuf, RecoveryError> {
        self.store.autosave(&self.plan, self.path.as_deref(), self.passphrase.as_ref())
    }
}

impl Autosave {
    /// `None` turns autosave off (tests that do not exercise it).
    pub fn new(store: Option<RecoveryStore>) -> Self {
        Autosave { store, saved_revision: None, last_write: Instant::now(), requested: false, generation: 0 }
    }

    pub fn store(&self) -> Option<&RecoveryStore> {
        self.store.as_ref()
    }

    /// Autosave at the next tick (after a solve).
    pub fn request(&mut self) {
        self.requested = true;
    }

    /// Called every frame while no write is running: the write to start, when one is due.
    pub fn tick(&mut self, ctx: &egui::Context, doc: &Document) -> Option<AutosaveWrite> {
        self.store.as_ref()?;
        if !doc.is_dirty() || self.saved_revision == Some(doc.revision()) {
            self.requested = false;
            return None;
        }
        let due = self.requested || self.last_write.elapsed() >= INTERVAL;
        if !due {
            ctx.request_repaint_after(INTERVAL.saturating_sub(self.last_write.elapsed()));
            return None;
        }
        self.requested = false;
        self.write_now(doc, None)
    }

    /// A write of the document now, whatever the timer says (recovered work
    /// takes over from `replaces`, the file it came from).
    pub fn write_now(&mut self, doc: &Document, replaces: Option<PathBuf>) -> Option<AutosaveWrite> {
        self.store.as_ref()?;
        self.write_copy(doc, doc.plan().clone(), replaces)
    }

    /// A write of `plan`, a copy of the document's plan made elsewhere (a
    /// solve's worker makes one, so the window need not copy 10,000 items).
    pub fn write_copy(&mut self, doc: &Document, plan: Plan, replaces: Option<PathBuf>) -> Option<AutosaveWrite> {
        let store = self.store.as_ref()?;
        self.last_write = Instant::now();
        self.saved_revision = Some(doc.revision());
        Some(AutosaveWrite {
            store: store.clone(),
            plan,
            path: doc.path().map(Path::to_path_buf),
            passphrase: doc.passphrase().cloned(),
            generation: self.generation,
            replaces,
        })
    }

    /// A write came back. Returns an error message for the user when it failed.
    pub fn finished(
        &mut self,
        generation: u64,
        replaces: Option<PathBuf>,
        result: Result<PathBuf, RecoveryError>,
    ) -> Option<String> {
        let store = self.store.as_ref()?;
        let written = match result {
            Ok(written) => written,
            Err(e) => return Some(format!("Could not autosave the plan for recovery: {e}")),
        };
        // Saved or discarded meanwhile: this recovery file is not wanted either.
        let unwanted = (generation != self.generation).then_some(&written);
        let problems: Vec<String> = replaces
            .iter()
            .filter(|old| **old != written)
            .chain(unwanted)
            .filter_map(|file| store.discard_file(file).err())
            .map(|e| e.to_string())
            .collect();
        (!problems.is_empty()).then(|| format!("Could not remove the recovery file: {}", problems.join("; ")))
    }

    /// The plan was saved, or its changes deliberately discarded: its recovery
    /// file (and an untitled one of this process) is no longer needed.
    pub fn discard(&mut self, path: Option<&Path>) -> Option<String> {
        self.generation += 1;
        self.saved_revision = None;
        let store = self.store.as_ref()?;
        let mut targets = vec![None];
        if path.is_some() {
            targets.push(path);
        }
        let problems: Vec<String> =
            targets.into_iter().filter_map(|t| store.discard(t).err()).map(|e| e.to_string()).collect();
        (!problems.is_empty()).then(|| format!("Could not remove the recovery file: {}", problems.join("; ")))
    }
}

/// Unsaved work read back from an autosave, with the plan file as it is now
/// and the plan's lock (so colleagues see it is open here again).
pub struct Recovered {
    pub plan: Plan,
    pub on_disk: Option<Plan>,
    pub lock: Option<Result<PlanLock, SaveError>>,
}

/// Reads `found` back; any thread (an encrypted autosave costs key stretching, twice).
pub fn read_back(
    store: &RecoveryStore,
    found: &Recoverable,
    passphrase: Option<&Passphrase>,
) -> Result<Recovered, RecoveryError> {
    let plan = store.load(&found.file, passphrase)?;
    let on_disk = found.plan_path.as_deref().and_then(|p| plan_file::load_with(p, passphrase).ok());
    let lock = found.plan_path.as_deref().filter(|p| p.exists()).map(document::lock_for_saving);
    Ok(Recovered { plan, on_disk, lock })
}

/// The answer to "recover unsaved work?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryChoice {
    Recover,
    /// Delete the autosave.
    Discard,
    /// Keep the autosave and ask again at the next start.
    Later,
}

/// Offers back the work an earlier session autosaved but never saved.
pub fn recovery_offer_ui(ctx: &egui::Context, found: &Recoverable) -> Option<RecoveryChoice> {
    let what = found
        .plan_path
        .as_deref()
        .map_or_else(|| "a plan that was never saved".to_string(), |p| p.display().to_string());
    let when = found.saved.with_timezone(&chrono::Local).format("%d/%m/%Y %H:%M");
    let mut choice = None;
    egui::Modal::new(egui::Id::unique("recovery-offer")).show(ctx, |ui| {
        ui.heading("Recover unsaved work?");
        ui.label(format!("Rebook closed without saving changes to {what}. They were autosaved at {when}."));
        ui.horizontal(|ui| {
            if ui.button("Recover").clicked() {
                choice = Some(RecoveryChoice::Recover);
            }
            if ui.button("Discard").on_hover_text("Delete the autosaved changes").clicked() {
                choice = Some(RecoveryChoice::Discard);
            }
            if ui.button("Later").on_hover_text("Keep the autosave and ask again next time").clicked() {
                choice = Some(RecoveryChoice::Later);
            }
        });
    });
    choice
}
