//! The `rebook` binary: the desktop app when run without a subcommand (in a
//! build with the `gui` feature), the CLI otherwise.

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = rebook::cli::Cli::parse();
    let result = if cli.command.is_some() { rebook::cli::run(cli) } else { open_window(cli.file) };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("rebook: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Opens the window on `file`, or on the last plan / the example when `None`.
#[cfg(feature = "gui")]
fn open_window(file: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    rebook::gui::run(file)?;
    Ok(ExitCode::SUCCESS)
}

/// A headless build (`--no-default-features`) has only the subcommands; say so
/// rather than exit quietly, so a script that expected the window fails.
#[cfg(not(feature = "gui"))]
fn open_window(_file: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    Err(anyhow::anyhow!("this build has no window; run `rebook --help`"))
}

/// `rebook report PLAN | head` closes stdout early; Rust's `print!` then
/// panics. End quietly instead, as command-line tools do on SIGPIPE.
fn quiet_on_closed_pipe() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default_hook(info);
    }));
}
