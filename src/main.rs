//! The `rebook` binary: the desktop app when run without a subcommand, the CLI otherwise.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = rebook::cli::Cli::parse();
    match rebook::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("rebook: {err:#}");
            ExitCode::FAILURE
        }
    }
}
