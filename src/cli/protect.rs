//! `rebook protect PLAN`: encrypt a plan file with a passphrase (or, with
//! `--remove`, write it plain again), as File > Protect with passphrase does
//! in the window.

use crate::io::crypto::MIN_PASSPHRASE_CHARS;
use crate::io::plan_file;
use crate::model::{HistoryEntry, history};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ProtectArgs {
    /// The plan file (.rebook.ron).
    pub plan: PathBuf,
    /// File whose first line is the passphrase (or set REBOOK_PASSPHRASE):
    /// the new one, and the one that opens the file if it is already encrypted.
    #[arg(long)]
    pub passphrase_file: Option<PathBuf>,
    /// Remove the protection: write the plan unencrypted.
    #[arg(long)]
    pub remove: bool,
    /// Write the plan even if somebody else has it open.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &ProtectArgs) -> anyhow::Result<ExitCode> {
    let Some(passphrase) = super::check::passphrase(args.passphrase_file.as_deref())? else {
        anyhow::bail!("a passphrase is needed: give --passphrase-file FILE or set REBOOK_PASSPHRASE");
    };
    if !args.remove && passphrase.char_count() < MIN_PASSPHRASE_CHARS {
        anyhow::bail!("use a passphrase of at least {MIN_PASSPHRASE_CHARS} characters");
    }
    let mut changing = super::shared::open_plan(&args.plan, Some(passphrase.clone()), args.force)?;
    let (protection, what) =
        if args.remove { (None, "passphrase removed") } else { (Some(passphrase), "protected with a passphrase") };
    let mut plan = changing.base.clone();
    history::append(&mut plan, HistoryEntry::now(what));
    changing.set_protection(protection);
    super::shared::save_back(&mut changing, &plan, args.force)?;
    // Temporary files of saves killed earlier may hold the plan in plain text.
    let removed = plan_file::remove_leftover_temps(&args.plan);
    if removed > 0 {
        println!("Removed {removed} temporary file(s) left beside it by interrupted saves.");
    }
    println!("{}: {what}.", args.plan.display());
    Ok(ExitCode::SUCCESS)
}
