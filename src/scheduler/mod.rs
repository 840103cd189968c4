//! The scheduler: places the backlog into session capacity.

pub mod classes;
pub mod cost;
mod fallback_times;
pub mod lp;
pub mod solve;

pub use solve::{Backend, Progress, SolveError, SolveOptions, SolveResult, SolveStats, apply_solution, greedy, solve};
