//! The scheduler: places the backlog into session capacity.

pub mod advice;
pub mod classes;
pub mod cost;
mod fallback_times;
pub mod flow;
pub mod job;
pub mod lp;
pub mod solve;

pub use advice::{Advice, add_advised_session, advise};
pub use job::{JobEvent, SolveJob};
pub use solve::{Backend, Progress, SolveError, SolveOptions, SolveResult, SolveStats, apply_solution, greedy, solve};
