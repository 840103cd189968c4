//! The `rebook` binary: the desktop app when run without a subcommand, the CLI otherwise.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = rebook::cli::Cli::parse();
    match rebook::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("rebook: {err:#}");
            ExitCode::FAILURE
        }
    }
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
