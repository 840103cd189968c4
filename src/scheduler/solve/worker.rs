//! The solver's worker threads: the LP relaxations of every part on a small pool,
//! and single LPs on a thread of their own, so that cancellation and the time
//! limit take effect while microlp (which cannot be interrupted) works.

use crate::scheduler::classes::ClassModel;
use crate::scheduler::lp::{self, ComponentLp, Relaxation};
use crate::scheduler::solve_api::{Backend, SolveError};
use crate::task::panic_message;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Runs one component's LP on a worker thread so cancellation and the time limit
/// take effect while microlp (which cannot be interrupted) works. `None` = out of time.
/// `start`: a known plan of the part, for an integer solve to begin from.
pub(super) fn run_lp(
    model: &Arc<ClassModel>,
    index: usize,
    backend: Backend,
    relaxation: Relaxation,
    start: Option<Vec<Vec<u32>>>,
    deadline: Option<Instant>,
    cancel: &AtomicBool,
) -> Result<Option<ComponentLp>, SolveError> {
    let (sender, receiver) = mpsc::channel();
    let shared = Arc::clone(model);
    std::thread::Builder::new()
        .name("rebook-lp".into())
        .spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                lp::solve_component(&shared, &shared.components[index], backend, relaxation, start.as_deref())
            }));
            let outcome = outcome.unwrap_or_else(|panic| Err(SolveError::Solver(panic_message(&panic))));
            // The receiver is gone when the solve was cancelled or timed out: nothing to do.
            let _ = sender.send(outcome);
        })
        .map_err(|e| SolveError::Solver(format!("could not start the solver thread: {e}")))?;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(SolveError::Cancelled);
        }
        let Some(wait) = poll_wait(deadline) else {
            return Ok(None);
        };
        match receiver.recv_timeout(wait) {
            Ok(outcome) => return outcome.map(Some),
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(SolveError::Solver("the solver thread stopped unexpectedly".into()));
            }
        }
    }
}

/// The LP relaxations of every part, solved by a few worker threads in part order.
pub(super) struct LpPool {
    results: mpsc::Receiver<(usize, Result<ComponentLp, SolveError>)>,
    early: BTreeMap<usize, Result<ComponentLp, SolveError>>,
    /// Tells the workers to take no further part (set when the pool is dropped).
    stop: Arc<AtomicBool>,
}

impl LpPool {
    pub(super) fn start(model: &Arc<ClassModel>, backend: Backend) -> Result<LpPool, SolveError> {
        let (sender, results) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        for _ in 0..cores.clamp(1, 4).min(model.components.len()) {
            let (model, sender, stop, next) = (Arc::clone(model), sender.clone(), Arc::clone(&stop), Arc::clone(&next));
            std::thread::Builder::new()
                .name("rebook-lp".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(component) = model.components.get(k) else { break };
                        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            lp::solve_component(&model, component, backend, Relaxation::Linear, None)
                        }));
                        let outcome = outcome.unwrap_or_else(|panic| Err(SolveError::Solver(panic_message(&panic))));
                        // Nobody listens when the solve was cancelled or timed out.
                        if sender.send((k, outcome)).is_err() {
                            break;
                        }
                    }
                })
                .map_err(|e| SolveError::Solver(format!("could not start the solver thread: {e}")))?;
        }
        Ok(LpPool { results, early: BTreeMap::new(), stop })
    }

    /// Part `k`'s LP; `None` when the deadline passed first.
    pub(super) fn wait(
        &mut self,
        k: usize,
        deadline: Option<Instant>,
        cancel: &AtomicBool,
    ) -> Result<Option<ComponentLp>, SolveError> {
        loop {
            if let Some(outcome) = self.early.remove(&k) {
                return outcome.map(Some);
            }
            if cancel.load(Ordering::Relaxed) {
                return Err(SolveError::Cancelled);
            }
            let Some(wait) = poll_wait(deadline) else {
                return Ok(None);
            };
            match self.results.recv_timeout(wait) {
                Ok((j, outcome)) => {
                    self.early.insert(j, outcome);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(SolveError::Solver("the solver thread stopped unexpectedly".into()));
                }
            }
        }
    }
}

impl Drop for LpPool {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// How long to wait for a solver thread before looking at the cancel flag
/// again: at most 50 ms, or `None` once the deadline has passed.
fn poll_wait(deadline: Option<Instant>) -> Option<Duration> {
    let step = Duration::from_millis(50);
    match deadline {
        Some(d) => d.checked_duration_since(Instant::now()).map(|left| left.min(step)),
        None => Some(step),
    }
}
