//! The scheduler: places the backlog into session capacity.

pub mod check;
pub mod cost;
#[doc(hidden)]
pub mod test_plans;
pub mod times;
pub mod usage;
