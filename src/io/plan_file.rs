//! Plan files: RON with a format version, atomic saves with a backup, and
//! errors that name the line and column. A plan may be sealed with a
//! passphrase (see [`crate::io::crypto`]); loading recognises that by the header.

use crate::io::crypto::{self, CryptoError, Passphrase};
use crate::model::{FORMAT_VERSION, Plan};
use serde::Deserialize;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Files larger than this are refused before parsing: no real plan comes near it
/// (10,000 backlog items is about 15 MB), and it keeps a hostile file from
/// exhausting memory.
pub const MAX_PLAN_BYTES: u64 = 256 * 1024 * 1024;

/// RON nesting deeper than this is refused (a plan nests about 6 levels).
const MAX_NESTING: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("could not read or write {path}: {error}")]
    // Not named `source`: the message already carries the cause, and a
    // source would make anyhow print it a second time.
    Io { path: PathBuf, error: std::io::Error },
    #[error("{path}, line {line}, column {column}: {message}")]
    Syntax { path: PathBuf, line: usize, column: usize, message: String },
    #[error(
        "{path} was written by a newer version of Rebook (plan format {found}; this version reads up to {supported}). Please update Rebook to open it."
    )]
    TooNew { path: PathBuf, found: u32, supported: u32 },
    #[error("{path} is {size} bytes, larger than any plan file can be ({max} bytes); it is not a Rebook plan")]
    TooLarge { path: PathBuf, size: u64, max: u64 },
    #[error("could not write the plan: {0}")]
    Serialize(String),
    #[error("{path} is protected with a passphrase; enter the passphrase to open it")]
    NeedsPassphrase { path: PathBuf },
    #[error("the passphrase for {path} is wrong (or the file is damaged); check it and try again")]
    WrongPassphrase { path: PathBuf },
    #[error("{path} could not be decrypted: {source}")]
    Encrypted { path: PathBuf, source: CryptoError },
    #[error("could not encrypt the plan: {0}")]
    Encrypt(CryptoError),
}

/// Reads a plan from text. `path` is only used in messages.
pub fn parse_plan(text: &str, path: &Path) -> Result<Plan, PlanFileError> {
    let syntax = |e: ron::error::SpannedError| PlanFileError::Syntax {
        path: path.to_path_buf(),
        line: e.span.start.line,
        column: e.span.start.col,
        message: describe(&e.code),
    };
    let options = ron::Options::default().with_recursion_limit(MAX_NESTING);
    // Named like the plan so RON's struct-name check accepts `Plan(...)`.
    #[derive(Deserialize)]
    #[serde(rename = "Plan")]
    struct VersionOnly {
        format_version: u32,
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let version: VersionOnly = options.from_str(text).map_err(syntax)?;
    if version.format_version > FORMAT_VERSION {
        return Err(PlanFileError::TooNew {
            path: path.to_path_buf(),
            found: version.format_version,
            supported: FORMAT_VERSION,
        });
    }
    // Format 1 is the first; later versions migrate older files here.
    let mut plan: Plan = options.from_str(text).map_err(syntax)?;
    plan.format_version = FORMAT_VERSION;
    Ok(plan)
}

fn describe(code: &ron::error::Error) -> String {
    use ron::error::Error as E;
    match code {
        E::Eof => "the file ends too early (is it truncated?)".to_string(),
        E::ExceededRecursionLimit => "nested too deeply to be a plan file".to_string(),
        other => other.to_string(),
    }
}

/// Renders a plan as RON. The output is stable: the same plan gives the same bytes.
pub fn to_ron(plan: &Plan) -> Result<String, PlanFileError> {
    let config = ron::ser::PrettyConfig::new()
        .depth_limit(8)
        .indentor("  ".to_string())
        .struct_names(true)
        .separate_tuple_members(false)
        .enumerate_arrays(false)
        .new_line("\n".to_string());
    let mut text = ron::ser::to_string_pretty(plan, config).map_err(|e| PlanFileError::Serialize(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// Loads a plain plan file; an encrypted one gives [`PlanFileError::NeedsPassphrase`].
pub fn load(path: &Path) -> Result<Plan, PlanFileError> {
    load_with(path, None)
}

/// Loads a plan file, decrypting it with `passphrase` if it is encrypted.
/// A plain file opens whether or not a passphrase is given.
pub fn load_with(path: &Path, passphrase: Option<&Passphrase>) -> Result<Plan, PlanFileError> {
    let bytes = read_bounded(path)?;
    parse_bytes(bytes, path, passphrase)
}

/// Whether the file at `path` is encrypted, so the caller can ask for the
/// passphrase before loading it.
pub fn is_encrypted(path: &Path) -> Result<bool, PlanFileError> {
    let io = |source| PlanFileError::Io { path: path.to_path_buf(), error: source };
    let mut head = Vec::with_capacity(64);
    fs::File::open(path).and_then(|f| f.take(64).read_to_end(&mut head)).map_err(io)?;
    Ok(crypto::is_encrypted(&head))
}

/// Reads a whole file, refusing one larger than any plan can be.
pub(crate) fn read_bounded(path: &Path) -> Result<Vec<u8>, PlanFileError> {
    let io = |source| PlanFileError::Io { path: path.to_path_buf(), error: source };
    let size = fs::metadata(path).map_err(io)?.len();
    if size > MAX_PLAN_BYTES {
        return Err(PlanFileError::TooLarge { path: path.to_path_buf(), size, max: MAX_PLAN_BYTES });
    }
    fs::read(path).map_err(io)
}

/// Parses the bytes of a plan file, plain or encrypted. `path` is only used in messages.
pub fn parse_bytes(bytes: Vec<u8>, path: &Path, passphrase: Option<&Passphrase>) -> Result<Plan, PlanFileError> {
    let bytes = if crypto::is_encrypted(&bytes) {
        let Some(passphrase) = passphrase else {
            return Err(PlanFileError::NeedsPassphrase { path: path.to_path_buf() });
        };
        crypto::decrypt(&bytes, passphrase, MAX_PLAN_BYTES).map_err(|e| match e {
            CryptoError::WrongPassphrase => PlanFileError::WrongPassphrase { path: path.to_path_buf() },
            source => PlanFileError::Encrypted { path: path.to_path_buf(), source },
        })?
    } else {
        bytes
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(&e.as_bytes()[..e.utf8_error().valid_up_to()]);
        PlanFileError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message: "not text (invalid UTF-8): this is not a Rebook plan file".to_string(),
        }
    })?;
    parse_plan(&text, path)
}

fn line_col(prefix: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(prefix);
    let line = text.matches('\n').count() + 1;
    let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Path of the backup kept beside a plan: `plan.rebook.ron` -> `plan.rebook.ron.bak`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".bak");
    path.with_file_name(name)
}

/// Saves a plan atomically: writes a temporary file beside it, flushes it to
/// disk, keeps the previous file as `.bak`, then renames the new one into place.
/// A crash at any point leaves either the old or the new plan intact.
pub fn save(plan: &Plan, path: &Path) -> Result<(), PlanFileError> {
    save_with(plan, path, None)
}

/// Saves a plan, encrypted with `passphrase` if one is given (ASCII-armoured
/// age). Nothing plain reaches the disk then: the temporary file holds
/// ciphertext, and a plain previous version is encrypted before it becomes
/// the backup.
pub fn save_with(plan: &Plan, path: &Path, passphrase: Option<&Passphrase>) -> Result<(), PlanFileError> {
    let text = to_ron(plan)?;
    let Some(passphrase) = passphrase else {
        return write_atomically(path, text.as_bytes());
    };
    let sealed = crypto::encrypt(text.as_bytes(), passphrase, true).map_err(PlanFileError::Encrypt)?;
    match fs::read(path) {
        Ok(previous) if !crypto::is_encrypted(&previous) => {
            let sealed_previous = crypto::encrypt(&previous, passphrase, true).map_err(PlanFileError::Encrypt)?;
            replace_atomically(&backup_path(path), &sealed_previous)?;
            replace_atomically(path, &sealed)
        }
        _ => write_atomically(path, &sealed),
    }
}

/// Writes bytes to `path` through a temporary file and a rename, keeping a
/// backup of the previous file. Shared by plan saves and exports.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), PlanFileError> {
    write_file(path, bytes, true)
}

/// Like [`write_atomically`] but keeps no backup (recovery files, sealed backups).
pub fn replace_atomically(path: &Path, bytes: &[u8]) -> Result<(), PlanFileError> {
    write_file(path, bytes, false)
}

fn write_file(path: &Path, bytes: &[u8], keep_backup: bool) -> Result<(), PlanFileError> {
    let io = |source| PlanFileError::Io { path: path.to_path_buf(), error: source };
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp_name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = dir.join(tmp_name);
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        if keep_backup && path.exists() {
            // A hard link keeps the old file reachable as the backup without a
            // moment where `path` is missing; fall back to a copy where links fail.
            let backup = backup_path(path);
            let _ = fs::remove_file(&backup);
            if fs::hard_link(path, &backup).is_err() {
                fs::copy(path, &backup)?;
            }
        }
        fs::rename(&tmp, path)?;
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_plan_round_trips_byte_for_byte() {
        let plan = Plan::new("Test Practice");
        let text = to_ron(&plan).unwrap_or_default();
        let back = parse_plan(&text, Path::new("t.ron"));
        assert!(matches!(&back, Ok(p) if *p == plan), "{back:?}");
        let again = back.ok().map(|p| to_ron(&p).unwrap_or_default());
        assert_eq!(again.as_deref(), Some(text.as_str()));
    }
}
