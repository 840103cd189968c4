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
