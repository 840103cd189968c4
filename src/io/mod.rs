//! Reading and writing files: plan files, CSV imports.

pub mod plan_file;
