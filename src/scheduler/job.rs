//! Solving in the background: the library's job API over the one task
//! mechanism (`crate::task`): progress as it comes, cancellation through the
//! task's flag, and a panic in the solver reported as an error instead of
//! taking the caller down.

use super::solve::{Progress, SolveError, SolveOptions, SolveResult};
use super::solve_and_explain;
use crate::model::Plan;
use crate::task::Task;

/// What the background solve reports.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    Progress(Progress),
    Finished(Result<SolveResult, SolveError>),
}

/// A solve running on its own thread; poll it every frame.
pub struct SolveJob {
    task: Task<Result<SolveResult, SolveError>, Progress>,
}

impl SolveJob {
    /// Starts solving a copy of `plan`.
    pub fn spawn(plan: Plan, options: SolveOptions) -> SolveJob {
        SolveJob::spawn_waking(plan, options, || {})
    }

    /// As `spawn`; `wake` is called (from the solver's thread) on each piece of news.
    pub fn spawn_waking(plan: Plan, options: SolveOptions, wake: impl Fn() + Send + Sync + 'static) -> SolveJob {
        let task = Task::spawn("rebook-solve", wake, move |control| {
            let mut progress = |p: Progress| control.report(p);
            solve_and_explain(&plan, &options, &mut progress, control.cancel_flag())
        });
        SolveJob { task }
    }

    /// Everything reported since the last poll; never blocks.
    pub fn poll(&mut self) -> Vec<JobEvent> {
        let finished = self.task.poll();
        let mut out: Vec<JobEvent> = self.task.progress().into_iter().map(JobEvent::Progress).collect();
        if let Some(result) = finished {
            out.push(JobEvent::Finished(result.unwrap_or_else(|e| Err(SolveError::Solver(e.to_string())))));
        }
        out
    }

    /// Asks the solver to stop; it reports `SolveError::Cancelled` within a second.
    pub fn cancel(&self) {
        self.task.cancel();
    }

    /// True once `Finished` has been returned by `poll`.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}
