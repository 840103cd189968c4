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
    // Holding the lock, nobody else writes between this load and the save.
    let _lock = super::shared::lock_plan(&args.plan, args.force)?;
    let mut plan = plan_file::load_with(&args.plan, Some(&passphrase))?;
    let (protection, what) =
        if args.remove { (None, "passphrase removed") } else { (Some(&passphrase), "protected with a passphrase") };
    history::append(&mut plan, HistoryEntry::now(what));
    plan_file::save_with(&plan, &args.plan, protection)?;
    println!("{}: {what}.", args.plan.display());
    Ok(ExitCode::SUCCESS)
}
