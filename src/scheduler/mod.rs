//! The scheduler: places the backlog into session capacity.

pub mod advice;
pub mod alternatives;
pub mod baseline;
pub mod classes;
pub mod explain;
pub mod flow;
pub mod job;
pub mod lp;
pub mod solve;
pub mod solve_api;

pub use advice::{Advice, add_advised_session, advise};
pub use job::{JobEvent, SolveJob};
pub use solve::{Backend, Progress, SolveError, SolveOptions, SolveResult, SolveStats, apply_solution, greedy, solve};

use std::sync::atomic::AtomicBool;

/// Solves, then explains every booking from the finished plan: what the
/// window's planning job and `rebook solve` run. The optimiser (`solve`) writes
/// no words, so advice, which solves many trial plans and compares only their
/// figures, does not pay for explaining them.
pub fn solve_and_explain(
    plan: &crate::model::Plan,
    options: &SolveOptions,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<SolveResult, SolveError> {
    let mut result = solve(plan, options, &mut |p| progress(Progress { fraction: p.fraction * 0.95, ..p }), cancel)?;
    progress(Progress { message: "Explaining the bookings".into(), fraction: 0.97 });
    explain::explain_all(plan, &mut result.bookings);
    progress(Progress { message: "Done".into(), fraction: 1.0 });
    Ok(result)
}
