//! Autosaving the open plan to a recovery file (every minute while there are
//! unsaved changes, and after every solve), so a crash or power cut loses at
//! most a minute of work. Writing runs on a worker thread: an encrypted plan
//! costs about a second of key stretching, which must not freeze the window.

use super::document::Document;
use crate::io::recovery::{Recoverable, RecoveryStore};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const INTERVAL: Duration = Duration::from_secs(60);

pub struct Autosave {
    store: Option<RecoveryStore>,
    /// Revision of the document last written (or being written).
    saved_revision: Option<u64>,
    last_write: Instant,
    /// Set by `request`: write at the next tick whatever the interval.
    requested: bool,
    worker: Option<mpsc::Receiver<Result<PathBuf, String>>>,
}

impl Autosave {
    /// `None` turns autosave off (tests that do not exercise it).
    pub fn new(store: Option<RecoveryStore>) -> Self {
        Autosave { store, saved_revision: None, last_write: Instant::now(), requested: false, worker: None }
    }

    pub fn store(&self) -> Option<&RecoveryStore> {
        self.store.as_ref()
    }

    /// Autosave at the next tick (after a solve).
    pub fn request(&mut self) {
        self.requested = true;
    }

    /// Called every frame: collects a finished write and starts a new one when
    /// due. Returns an error message for the user when a write failed.
    pub fn tick(&mut self, ctx: &egui::Context, doc: &Document) -> Option<String> {
        let mut failure = None;
        if let Some(worker) = &self.worker {
            match worker.try_recv() {
                Ok(Ok(_)) => self.worker = None,
                Ok(Err(e)) => {
                    self.worker = None;
                    failure = Some(format!("Could not autosave the plan for recovery: {e}"));
                }
                Err(mpsc::TryRecvError::Empty) => return None,
                Err(mpsc::TryRecvError::Disconnected) => self.worker = None,
            }
        }
        let Some(store) = &self.store else { return failure };
        if !doc.is_dirty() || self.saved_revision == Some(doc.revision()) {
            self.requested = false;
            return failure;
        }
        let due = self.requested || self.last_write.elapsed() >= INTERVAL;
        if !due {
            ctx.request_repaint_after(INTERVAL.saturating_sub(self.last_write.elapsed()));
            return failure;
        }
        self.requested = false;
        self.last_write = Instant::now();
        self.saved_revision = Some(doc.revision());
        let (tx, rx) = mpsc::channel();
        let store = store.clone();
        let plan = doc.plan().clone();
        let path = doc.path().map(Path::to_path_buf);
        let passphrase = doc.passphrase().cloned();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new().name("autosave".into()).spawn(move || {
            let result = store.autosave(&plan, path.as_deref(), passphrase.as_ref()).map_err(|e| e.to_string());
            let _ = tx.send(result);
            ctx.request_repaint();
        });
        match spawned {
            Ok(_) => self.worker = Some(rx),
            Err(e) => failure = Some(format!("Could not autosave the plan for recovery: {e}")),
        }
        failure
    }

    /// Waits for a write in progress (so a discard does not race it).
    fn finish(&mut self) {
        if let Some(worker) = self.worker.take() {
            let _ = worker.recv_timeout(Duration::from_secs(10));
        }
    }

    /// The plan was saved, or its changes deliberately discarded: its recovery
    /// file (and an untitled one of this process) is no longer needed.
    pub fn discard(&mut self, path: Option<&Path>) -> Option<String> {
        self.finish();
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
