//! The optimiser: builds the class model, solves each component's LP
//! relaxation, repairs it into an integer plan, and hands the places back to
//! individual patients in original-appointment order.
//!
//! The LP value is a proven lower bound, so every solve reports how far from
//! optimal its plan can be (the gap).
//!
//! The steps live in `orchestrate`; `rounding` and `local_search` turn the LP
//! into whole places, `hand_back` gives them to patients, `worker` runs the LPs.

mod capacity_left;
mod hand_back;
mod local_search;
mod orchestrate;
mod rounding;
pub(crate) mod worker;

pub use super::solve_api::{Backend, Progress, SolveError, SolveOptions, SolveResult, SolveStats};
pub(crate) use orchestrate::solve_for_comparison;
pub use orchestrate::{apply_solution, greedy, solve};
