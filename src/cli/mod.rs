//! The command-line interface: the same library as the window, for automation,
//! tests and benchmarks. One file per subcommand group.

mod check;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Rebook: rebook the appointments a GP practice cancelled during an IT outage.
///
/// Without a subcommand, opens the desktop app on FILE (or the example plan).
#[derive(Debug, Parser)]
#[command(name = "rebook", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Plan file to open in the desktop app.
    pub file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a plan file and print a summary of it.
    Check(check::CheckArgs),
}

/// Runs the parsed command line; the exit code says whether it succeeded.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Check(args)) => check::run(&args),
        None => {
            crate::gui::run(cli.file)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
