//! Reading and writing files: plan files, CSV imports.

pub mod crypto;
pub mod csv_import;
pub mod limits;
pub mod lock;
pub mod plan_file;
pub mod plan_service;
pub mod recovery;
pub mod shared_save;
