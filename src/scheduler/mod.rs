//! The scheduler: places the backlog into session capacity.

pub mod cost;
