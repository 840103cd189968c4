//! The scheduler: places the backlog into session capacity.

pub mod alternatives;
pub mod baseline;
pub mod check;
pub mod cost;
pub mod edit;
pub mod explain;
#[doc(hidden)]
pub mod test_plans;
pub mod times;
pub mod usage;
