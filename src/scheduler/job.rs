//! Solving on a background thread for the GUI: progress over a channel,
//! cancellation through a shared flag, and a panic in the solver reported as
//! an error instead of taking the app down.

use super::solve::worker::panic_message;
use super::solve::{Progress, SolveError, SolveOptions, SolveResult, solve};
use crate::model::Plan;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};

/// What the background solve reports to the window.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    Progress(Progress),
    Finished(Result<SolveResult, SolveError>),
}

/// A solve running on its own thread; poll it every frame.
pub struct SolveJob {
    events: Receiver<JobEvent>,
    cancel: Arc<AtomicBool>,
    finished: bool,
}

impl SolveJob {
    /// Starts solving a copy of `plan`.
    pub fn spawn(plan: Plan, options: SolveOptions) -> SolveJob {
        let (sender, events) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancel);
        let worker = sender.clone();
        let spawned = std::thread::Builder::new().name("rebook-solve".into()).spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let progress_sender = worker.clone();
                let mut progress = move |p: Progress| {
                    let _ = progress_sender.send(JobEvent::Progress(p));
                };
                solve(&plan, &options, &mut progress, &flag)
            }));
            let result = outcome.unwrap_or_else(|panic| Err(SolveError::Solver(panic_message(&panic))));
            // The window may have dropped the job: then nobody is listening.
            let _ = worker.send(JobEvent::Finished(result));
        });
        if let Err(e) = spawned {
            let _ = sender.send(JobEvent::Finished(Err(SolveError::Solver(format!("could not start planning: {e}")))));
        }
        SolveJob { events, cancel, finished: false }
    }

    /// Everything reported since the last poll; never blocks.
    pub fn poll(&mut self) -> Vec<JobEvent> {
        let mut out = Vec::new();
        loop {
            match self.events.try_recv() {
                Ok(event) => {
                    self.finished |= matches!(event, JobEvent::Finished(_));
                    out.push(event);
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    if !self.finished {
                        self.finished = true;
                        out.push(JobEvent::Finished(Err(SolveError::Solver("planning stopped unexpectedly".into()))));
                    }
                    break;
                }
            }
        }
        out
    }

    /// Asks the solver to stop; it reports `SolveError::Cancelled` within a second.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// True once `Finished` has been returned by `poll`.
    pub fn is_finished(&self) -> bool {
        self.finished
    }
}
