//! The window's background work, in one place: every task the app starts
//! (opening, saving or closing a plan, taking over its lock, reading an
//! import, writing an export, planning, capacity advice, autosave, the lock
//! refresh) is owned by the app and polled once per frame in
//! `logic()`, whatever screen is showing. Each is stamped with the document
//! and revision it started from, so the app can tell a result that no longer
//! fits the plan from one it may apply; a panic in a task comes back as an
//! error message.

use super::autosave::Recovered;
use super::document::{Document, SaveError, SavedFile, SharedLock, Stamp};
use super::import::ImportDialog;
use super::print_dialog::FileAudit;
use super::solved::ReadyPlan;
use crate::io::crypto::Passphrase;
use crate::io::csv_import::ImportError;
use crate::io::lock::{LockError, Locked, PlanLock};
use crate::io::plan_file::PlanFileError;
use crate::io::recovery::{Recoverable, RecoveryError};
use crate::scheduler::{Advice, Progress, SolveError};
use crate::task::{Control, Task, TaskError};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// What a task is doing (the app starts one solve, autosave or lock refresh at a time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Open,
    Save,
    /// The plan that was replaced, dropped with its lock file.
    Close,
    /// Big values the window let go of, dropped off its thread.
    Discard,
    Solve,
    Advice,
    Autosave,
    LockRefresh,
}

impl Kind {
    /// Opening, saving and closing own the document while they run: nothing
    /// else may change it (input waits, and other tasks' results are taken
    /// afterwards), and quitting waits for them.
    pub fn holds_document(self) -> bool {
        matches!(self, Kind::Open | Kind::Save | Kind::Close)
    }
}

/// What a finished task hands back.
pub enum Work {
    Opened {
        path: PathBuf,
        result: Result<Box<OpenedFile>, PlanFileError>,
        /// The file was not there (it leaves the recent plans).
        missing: bool,
    },
    /// "Take over" in the open-elsewhere prompt: the lock taken from `holder` (or not).
    TookOver {
        doc: Box<Document>,
        holder: String,
        result: Result<Locked, LockError>,
    },
    /// The plan that was replaced is gone, and its lock file with it.
    Closed,
    Discarded,
    Saved {
        previous: Option<PathBuf>,
        result: Result<Box<SavedFile>, SaveError>,
    },
    /// A CSV read and previewed against the plan, for the import dialog.
    ImportRead(Result<Box<ImportDialog>, ImportError>),
    /// A PDF or CSV written where the user chose, and how it goes into the audit trail.
    Exported {
        path: PathBuf,
        audit: FileAudit,
        result: Result<(), PlanFileError>,
    },
    /// The audit trail of a "Don't save" written into the plan file (with
    /// the lock taken for it, if the plan had none).
    AuditSaved(Result<Option<PlanLock>, SaveError>),
    Solved {
        add: Option<Advice>,
        result: Result<Box<ReadyPlan>, SolveError>,
    },
    Advice(Result<Vec<Advice>, SolveError>),
    Recovered {
        found: Recoverable,
        passphrase: Option<Passphrase>,
        result: Result<Box<Recovered>, RecoveryError>,
    },
    /// `generation` is the autosave's when the write started (see `Autosave`).
    Autosaved {
        generation: u64,
        replaces: Option<PathBuf>,
        result: Result<PathBuf, RecoveryError>,
    },
    LockRefreshed {
        lock: SharedLock,
        result: Result<(), LockError>,
    },
}

/// A plan file read, and its lock taken by the one policy (or why not), off
/// the window's thread: both may be slow on a network share.
pub struct OpenedFile {
    pub doc: Document,
    pub lock: Result<Locked, LockError>,
}

/// A task's end, for the app to act on.
pub struct Finished {
    pub kind: Kind,
    /// The document and revision the task started from.
    pub stamp: Stamp,
    /// What it was doing, for messages ("Saving plan.rebook.ron").
    pub doing: String,
    pub result: Result<Work, TaskError>,
}

impl Finished {
    /// The message for a task that gave no result.
    pub fn failure(doing: &str, error: &TaskError) -> String {
        format!("{doing} {error}. Nothing was changed.")
    }
}

struct Running {
    kind: Kind,
    stamp: Stamp,
    doing: String,
    progress: Progress,
    task: Task<Work, Progress>,
}

#[derive(Default)]
pub struct Tasks {
    running: Vec<Running>,
    /// The window to repaint when a task has news (known from the first
    /// frame on; shared so that a task started before it, such as the plan
    /// opened at start-up, wakes it too).
    ctx: Arc<OnceLock<egui::Context>>,
}

impl Tasks {
    /// Tasks wake this window when they report or end.
    pub fn attach(&mut self, ctx: &egui::Context) {
        let _ = self.ctx.set(ctx.clone());
    }

    /// Starts `work` in the background; the window repaints when it reports or ends.
    pub fn spawn(
        &mut self,
        kind: Kind,
        stamp: Stamp,
        doing: String,
        work: impl FnOnce(&Control<Progress>) -> Work + Send + 'static,
    ) {
        let ctx = Arc::clone(&self.ctx);
        let wake = move || {
            if let Some(ctx) = ctx.get() {
                ctx.request_repaint();
            }
        };
        let task = Task::spawn(&format!("rebook-{kind:?}").to_lowercase(), wake, work);
        let progress = Progress { message: "Starting".into(), fraction: 0.0 };
        self.running.push(Running { kind, stamp, doing, progress, task });
    }

    /// Takes every task that has finished. While a task that holds the
    /// document runs, the others' results wait for it (they may change the plan).
    pub fn poll(&mut self) -> Vec<Finished> {
        let holding = self.running.iter().any(|r| r.kind.holds_document());
        let mut finished = Vec::new();
        let mut still = Vec::new();
        for mut running in std::mem::take(&mut self.running) {
            if holding && !running.kind.holds_document() {
                still.push(running);
                continue;
            }
            let result = running.task.poll();
            if let Some(progress) = running.task.progress().pop() {
                running.progress = progress;
            }
            match result {
                Some(result) => {
                    finished.push(Finished { kind: running.kind, stamp: running.stamp, doing: running.doing, result })
                }
                None => still.push(running),
            }
        }
        self.running = still;
        finished
    }

    pub fn is_running(&self, kind: Kind) -> bool {
        self.running.iter().any(|r| r.kind == kind)
    }

    /// Whether anything at all is running.
    pub fn is_idle(&self) -> bool {
        self.running.is_empty()
    }

    /// Started from this document (at any revision) and still running.
    pub fn is_running_for(&self, kind: Kind, stamp: Stamp) -> bool {
        self.running.iter().any(|r| r.kind == kind && r.stamp.document == stamp.document)
    }

    /// The last progress a running task of `kind` reported.
    pub fn progress(&self, kind: Kind) -> Option<&Progress> {
        self.running.iter().find(|r| r.kind == kind).map(|r| &r.progress)
    }

    /// The open, save or close running now, as "Opening plan.rebook.ron".
    pub fn holding_document(&self) -> Option<&str> {
        self.running.iter().find(|r| r.kind.holds_document()).map(|r| r.doing.as_str())
    }

    /// Asks every task of `kind` to stop (those that look at the flag do).
    pub fn cancel(&self, kind: Kind) {
        self.running.iter().filter(|r| r.kind == kind).for_each(|r| r.task.cancel());
    }
}

/// The window's "Opening…" or "Saving…" while a task holds the document: a
/// modal, so no click or key reaches the plan meanwhile.
pub fn holding_ui(ctx: &egui::Context, doing: &str) {
    egui::Modal::new(egui::Id::unique("task-holding-document")).show(ctx, |ui| {
        ui.horizontal(|ui| {
            ui.add(egui::Spinner::new());
            ui.label(format!("{doing}…"));
        });
        ui.small("A file on a network drive, or a plan protected with a passphrase, takes a moment.");
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait(tasks: &mut Tasks) -> Vec<Finished> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let done = tasks.poll();
            if !done.is_empty() {
                return done;
            }
            assert!(Instant::now() < deadline, "no task finished");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_panicking_task_comes_back_as_an_error_message() {
        let doc = Document::untitled();
        let mut tasks = Tasks::default();
        tasks.spawn(Kind::Advice, doc.stamp(), "Finding sessions that would help".into(), |_| {
            panic!("index out of bounds: the len is 3 but the index is 7")
        });
        assert!(tasks.is_running(Kind::Advice));
        let done = wait(&mut tasks);
        assert!(tasks.is_idle());
        let Err(error) = &done[0].result else { panic!("the panic was not caught") };
        assert_eq!(
            Finished::failure(&done[0].doing, error),
            "Finding sessions that would help stopped unexpectedly: index out of bounds: the len is 3 but the \
             index is 7. Nothing was changed."
        );
    }

    #[test]
    fn while_a_save_runs_other_results_wait() {
        let doc = Document::untitled();
        let mut tasks = Tasks::default();
        let (release, gate) = std::sync::mpsc::channel::<()>();
        tasks.spawn(Kind::Save, doc.stamp(), "Saving".into(), move |_| {
            let _ = gate.recv();
            Work::Advice(Ok(Vec::new()))
        });
        tasks.spawn(Kind::Advice, doc.stamp(), "Advice".into(), |_| Work::Advice(Ok(Vec::new())));
        std::thread::sleep(Duration::from_millis(50));
        assert!(tasks.poll().is_empty(), "the advice waits for the save");
        assert_eq!(tasks.holding_document(), Some("Saving"));
        let _ = release.send(());
        let mut kinds: Vec<Kind> = wait(&mut tasks).iter().map(|f| f.kind).collect();
        kinds.extend(tasks.poll().iter().map(|f| f.kind));
        assert_eq!(kinds.first(), Some(&Kind::Save));
        if kinds.len() == 1 {
            kinds.extend(wait(&mut tasks).iter().map(|f| f.kind));
        }
        assert_eq!(kinds, vec![Kind::Save, Kind::Advice]);
    }
}
