//! Every integration test in one binary: each module is one area of the product.
//! One binary links the app once instead of once per file (see the README's set-up times).
mod audit;
mod collab;
mod common;
mod crash_safety;
mod csv_import;
mod encryption;
mod export;
mod generator;
// The window tests need the `gui` feature; `--no-default-features` builds without them.
#[cfg(feature = "gui")]
mod gui;
mod hostile_input;
mod layers;
mod plan_file;
mod print;
mod real_exports;
mod report;
mod rota_exports;
mod scheduler;
#[path = "../support/test_plans.rs"]
mod test_plans;
mod trust;
#[cfg(feature = "gui")]
mod window;
