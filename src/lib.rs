//! Rebook: rebooking the appointments a GP practice cancelled during an IT outage.
//!
//! The library holds everything but the window: the plan model, file formats,
//! CSV import, the example generator, the scheduler and printing. The GUI
//! (`gui`, only with the `gui` feature, on by default) and the CLI (`cli`) are
//! thin layers over it.

pub mod cli;
pub mod export;
pub mod generate;
#[cfg(feature = "gui")]
pub mod gui;
pub mod io;
pub mod model;
pub mod print;
pub mod report;
pub mod rules;
pub mod scheduler;
pub mod task;

// Lets the shared test fixtures name the library `rebook::` both here and in
// the integration suite, which includes the same file.
extern crate self as rebook;
#[cfg(test)]
#[path = "../tests/support/test_plans.rs"]
pub(crate) mod test_plans;
