//! Reading and writing files: plan files, CSV imports, the app's settings.

pub mod crypto;
pub mod csv_import;
pub mod folders;
pub mod limits;
pub mod lock;
pub mod plan_file;
pub mod plan_service;
pub mod process;
pub mod recovery;
pub mod settings;
pub mod shared_save;
