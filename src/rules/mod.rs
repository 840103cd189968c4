//! The practice's rules, below the optimiser: where an appointment may go and
//! what a placement costs (`cost`), who is booked where and when (`usage`,
//! `times`), the checker of a finished plan (`check`), the edits a user makes
//! by hand (`edit`), and working days with the weekly session template
//! (`calendar`). The scheduler, the file formats and the screens all use these,
//! so a rule is written once.

pub mod calendar;
pub mod check;
pub mod cost;
pub mod edit;
pub mod times;
pub mod usage;
