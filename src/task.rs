//! The one way Rebook runs work off the calling thread: a named thread whose
//! result (and any progress) comes back over a channel, polled without
//! blocking, with a cancel flag the work may look at. A panic in the work is
//! caught and comes back as an error, so it never takes the window down.
//! The window's tasks (`gui`) and the solver's job API (`scheduler::job`) are
//! both built on it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

/// Why a task gave no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    #[error("could not start: {0}")]
    NotStarted(String),
    #[error("stopped unexpectedly: {0}")]
    Panicked(String),
}

/// Called from the worker thread when there is news (a window repaints).
type Wake = Arc<dyn Fn() + Send + Sync>;

/// What the work sees: where to report progress and whether to stop.
pub struct Control<P> {
    progress: mpsc::Sender<P>,
    cancel: Arc<AtomicBool>,
    wake: Wake,
}

impl<P> Control<P> {
    pub fn report(&self, progress: P) {
        // The owner may have dropped the task: then nobody is listening.
        let _ = self.progress.send(progress);
        (self.wake)();
    }

    /// Set once the owner asked the work to stop.
    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.cancel
    }
}

/// Work running on its own thread; poll it every frame.
pub struct Task<T, P = ()> {
    done: mpsc::Receiver<Result<T, TaskError>>,
    progress: mpsc::Receiver<P>,
    cancel: Arc<AtomicBool>,
    finished: bool,
}

impl<T: Send + 'static, P: Send + 'static> Task<T, P> {
    /// Starts `work` on a thread called `name`; `wake` is called (on that
    /// thread) after each progress report and when the result is ready.
    pub fn spawn(
        name: &str,
        wake: impl Fn() + Send + Sync + 'static,
        work: impl FnOnce(&Control<P>) -> T + Send + 'static,
    ) -> Task<T, P> {
        let (done_sender, done) = mpsc::channel();
        let (progress_sender, progress) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let control = Control { progress: progress_sender, cancel: Arc::clone(&cancel), wake: Arc::new(wake) };
        let worker = done_sender.clone();
        let spawned = std::thread::Builder::new().name(name.to_string()).spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&control)));
            let _ = worker.send(outcome.map_err(|panic| TaskError::Panicked(panic_message(&panic))));
            (control.wake)();
        });
        if let Err(e) = spawned {
            let _ = done_sender.send(Err(TaskError::NotStarted(e.to_string())));
        }
        Task { done, progress, cancel, finished: false }
    }
}

impl<T, P> Task<T, P> {
    /// The result, once, when the work has finished; never blocks.
    /// Progress reported before the result is in `progress` first.
    pub fn poll(&mut self) -> Option<Result<T, TaskError>> {
        if self.finished {
            return None;
        }
        let result = match self.done.try_recv() {
            Ok(result) => result,
            Err(mpsc::TryRecvError::Empty) => return None,
            // Cannot happen short of the thread being killed: report it all the same.
            Err(mpsc::TryRecvError::Disconnected) => Err(TaskError::Panicked("the worker thread is gone".into())),
        };
        self.finished = true;
        Some(result)
    }

    /// Progress reported since the last call, oldest first. Read it after
    /// `poll`: once the result is in, every report made before it is here.
    pub fn progress(&mut self) -> Vec<P> {
        self.progress.try_iter().collect()
    }

    /// Asks the work to stop (it looks at `Control::cancel_flag`).
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// True once `poll` has returned the result.
    pub fn is_finished(&self) -> bool {
        self.finished
    }
}

/// The text of a caught panic.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "internal error".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait<T, P>(task: &mut Task<T, P>) -> Result<T, TaskError> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(result) = task.poll() {
                return result;
            }
            assert!(Instant::now() < deadline, "the task never finished");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn result_progress_and_cancel_come_back() {
        let woken = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let wakes = Arc::clone(&woken);
        let mut task: Task<u32, u32> = Task::spawn(
            "test",
            move || {
                wakes.fetch_add(1, Ordering::Relaxed);
            },
            |control| {
                control.report(1);
                control.report(2);
                while !control.cancel_flag().load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(1));
                }
                42
            },
        );
        task.cancel();
        assert_eq!(wait(&mut task), Ok(42));
        assert_eq!(task.progress(), vec![1, 2]);
        assert!(task.is_finished() && task.poll().is_none(), "the result comes once");
        assert_eq!(woken.load(Ordering::Relaxed), 3, "two reports and the result wake the owner");
    }

    #[test]
    fn a_panic_becomes_an_error() {
        let mut task: Task<(), ()> = Task::spawn("test", || {}, |_| panic!("index out of range"));
        assert_eq!(wait(&mut task), Err(TaskError::Panicked("index out of range".into())));
        let mut task: Task<(), ()> = Task::spawn("test", || {}, |_| std::panic::panic_any(7_u8));
        assert_eq!(wait(&mut task), Err(TaskError::Panicked("internal error".into())));
    }
}
