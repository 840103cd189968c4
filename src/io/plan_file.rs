//! Plan files: RON with a format version, atomic saves with a backup, and
//! errors that name the line and column. A plan may be sealed with a
//! passphrase (see [`crate::io::crypto`]); loading recognises that by the header.

use crate::io::crypto::{self, CryptoError, Passphrase};
use crate::io::limits;
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
    /// A value the planner cannot work with (a negative weight, a date in year -262143).
    #[error("{path} cannot be used: {why}")]
    OutOfRange { path: PathBuf, why: String },
    /// Refused before anything was written.
    #[error("{path} was not written: {why}")]
    NotSaved { path: PathBuf, why: String },
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
    if let Some((line, column, chars)) = limits::overlong_string(text) {
        return Err(PlanFileError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message: format!("a text value of {chars} characters; at most {} are allowed", limits::MAX_STRING_CHARS),
        });
    }
    let version: VersionOnly = options.from_str(text).map_err(syntax)?;
    if version.format_version < 1 {
        return Err(PlanFileError::OutOfRange {
            path: path.to_path_buf(),
            why: format!("format_version is {}; plan files start at version 1", version.format_version),
        });
    }
    if version.format_version > FORMAT_VERSION {
        return Err(PlanFileError::TooNew {
            path: path.to_path_buf(),
            found: version.format_version,
            supported: FORMAT_VERSION,
        });
    }
    // Format 1 is the first; later versions migrate older files here.
    let mut plan: Plan = options.from_str(text).map_err(syntax)?;
    if let Some(why) = limits::out_of_range(&plan) {
        return Err(PlanFileError::OutOfRange { path: path.to_path_buf(), why });
    }
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
    limits::open_regular(path).and_then(|f| f.take(64).read_to_end(&mut head)).map_err(io)?;
    Ok(crypto::is_encrypted(&head))
}

/// Reads a whole file, refusing one larger than any plan can be.
pub(crate) fn read_bounded(path: &Path) -> Result<Vec<u8>, PlanFileError> {
    let io = |source| PlanFileError::Io { path: path.to_path_buf(), error: source };
    let size = fs::metadata(path).map_err(io)?.len();
    if size > MAX_PLAN_BYTES {
        return Err(PlanFileError::TooLarge { path: path.to_path_buf(), size, max: MAX_PLAN_BYTES });
    }
    limits::read_regular_file(path, MAX_PLAN_BYTES).map_err(io)
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

/// The file a path names once symbolic links are followed (the link itself
/// and any linked folder), so that locks, temporary files and backups are
/// made beside the real file and a save never turns a link into a private copy.
/// A path that does not exist yet keeps its name in the resolved folder.
pub fn resolve(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    // A chain of links longer than the OS allows (40) is a loop: stop there.
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => match fs::read_link(&current) {
                Ok(target) => current = current.parent().map_or_else(|| target.clone(), |dir| dir.join(&target)),
                Err(_) => break,
            },
            _ => break,
        }
    }
    let dir = current.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match (dir.canonicalize(), current.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => current,
    }
}

/// `plan.rebook.ron` -> `plan.rebook.ron.lock`: where a plan's lock lives.
pub fn lock_path(plan: &Path) -> PathBuf {
    let mut name = plan.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    plan.with_file_name(name)
}

/// Whether the file at `path` is (or may be) a Rebook plan: it reads as one,
/// is encrypted (a protected plan), or has a lock beside it. Outputs never replace such a file.
pub fn looks_like_plan(path: &Path) -> bool {
    let path = resolve(path);
    if lock_path(&path).exists() {
        return true;
    }
    let mut head = Vec::with_capacity(4096);
    let Ok(file) = limits::open_regular(&path) else { return false };
    if file.take(4096).read_to_end(&mut head).is_err() {
        return false;
    }
    if crypto::is_encrypted(&head) {
        return true;
    }
    let text = String::from_utf8_lossy(&head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with("Plan(") || (text.starts_with('(') && text.contains("format_version"))
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
    prepare_save(plan, path, passphrase)?.commit()
}

/// A plan (or other file) written and flushed to a temporary file beside its
/// destination, ready to be renamed into place by [`PreparedWrite::commit`].
/// Dropped without committing, the temporary file is removed.
#[derive(Debug)]
pub struct PreparedWrite {
    /// The destination with links followed.
    target: PathBuf,
    /// The path as the caller gave it, for messages.
    shown: PathBuf,
    tmp: Option<PathBuf>,
    backup: Backup,
}

#[derive(Debug)]
enum Backup {
    None,
    /// A hard link to (or copy of) the file being replaced.
    Previous,
    /// These bytes: the plain previous plan, encrypted.
    Sealed(Vec<u8>),
}

impl PreparedWrite {
    /// The file that the commit replaces (links followed).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The temporary file holding the new bytes (until the commit).
    pub fn temp_path(&self) -> Option<&Path> {
        self.tmp.as_deref()
    }

    /// Keeps the backup, then renames the temporary file over the destination.
    pub fn commit(mut self) -> Result<(), PlanFileError> {
        let io = |error| PlanFileError::Io { path: self.shown.clone(), error };
        let Some(tmp) = self.tmp.clone() else { return Ok(()) };
        match std::mem::replace(&mut self.backup, Backup::None) {
            Backup::None => {}
            Backup::Previous if self.target.exists() => {
                // A hard link keeps the old file reachable as the backup without a
                // moment where the plan is missing; fall back to a copy where links fail.
                let backup = backup_path(&self.target);
                let _ = fs::remove_file(&backup);
                if fs::hard_link(&self.target, &backup).is_err() {
                    fs::copy(&self.target, &backup).map_err(io)?;
                }
            }
            Backup::Previous => {}
            Backup::Sealed(bytes) => write_file(&backup_path(&self.target), &self.shown, &bytes, false)?,
        }
        fs::rename(&tmp, &self.target).map_err(io)?;
        self.tmp = None;
        if let Ok(dir) = fs::File::open(folder_of(&self.target)) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Drop for PreparedWrite {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// Renders, checks and writes a plan to a temporary file beside `path`
/// (encrypted with `passphrase` if given), ready to [`PreparedWrite::commit`].
/// A plan the loader would refuse (too large, a value too long, a number out
/// of range) is refused here, so nothing is saved that cannot be opened again.
pub fn prepare_save(plan: &Plan, path: &Path, passphrase: Option<&Passphrase>) -> Result<PreparedWrite, PlanFileError> {
    let text = to_ron(plan)?;
    check_loadable(plan, &text, path)?;
    let Some(passphrase) = passphrase else {
        return prepare_write(path, text.as_bytes(), true);
    };
    let sealed = crypto::encrypt(text.as_bytes(), passphrase, true).map_err(PlanFileError::Encrypt)?;
    too_large(path, sealed.len() as u64)?;
    let mut prepared = prepare_write(path, &sealed, true)?;
    if let Ok(previous) = limits::read_regular_file(&prepared.target, MAX_PLAN_BYTES)
        && !crypto::is_encrypted(&previous)
    {
        let sealed_previous = crypto::encrypt(&previous, passphrase, true).map_err(PlanFileError::Encrypt)?;
        prepared.backup = Backup::Sealed(sealed_previous);
    }
    Ok(prepared)
}

/// What the loader would say of this plan and its rendering, as an error.
fn check_loadable(plan: &Plan, text: &str, path: &Path) -> Result<(), PlanFileError> {
    too_large(path, text.len() as u64)?;
    if let Some((line, column, chars)) = limits::overlong_string(text) {
        return Err(PlanFileError::NotSaved {
            path: path.to_path_buf(),
            why: format!(
                "a text value of {chars} characters (line {line}, column {column} of the file) is longer than the {} allowed",
                limits::MAX_STRING_CHARS
            ),
        });
    }
    if let Some(why) = limits::out_of_range(plan) {
        return Err(PlanFileError::NotSaved { path: path.to_path_buf(), why });
    }
    Ok(())
}

fn too_large(path: &Path, size: u64) -> Result<(), PlanFileError> {
    if size > MAX_PLAN_BYTES {
        return Err(PlanFileError::NotSaved {
            path: path.to_path_buf(),
            why: format!("it would be {size} bytes, more than a plan file can be ({MAX_PLAN_BYTES} bytes)"),
        });
    }
    Ok(())
}

/// Writes an output (an export, a PDF, a settings file) through a temporary
/// file and a rename, without a backup. It never replaces a plan file: a
/// plan's path given by mistake is refused and the plan left as it was.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), PlanFileError> {
    if looks_like_plan(path) {
        return Err(PlanFileError::NotSaved {
            path: path.to_path_buf(),
            why: "that file is a Rebook plan, and an export or print never replaces a plan; \
                  the plan was left as it was. Choose another file name"
                .to_string(),
        });
    }
    write_file(path, path, bytes, false)
}

/// Replaces a file through a temporary file and a rename, without a backup
/// and without looking at what it replaces (lock and recovery files).
pub fn replace_atomically(path: &Path, bytes: &[u8]) -> Result<(), PlanFileError> {
    write_file(path, path, bytes, false)
}

/// Writes the bytes of a plan file as a save does (temporary file, backup,
/// rename), refusing more than the loader reads.
pub fn save_bytes(path: &Path, bytes: &[u8]) -> Result<(), PlanFileError> {
    too_large(path, bytes.len() as u64)?;
    prepare_write(path, bytes, true)?.commit()
}

fn write_file(path: &Path, shown: &Path, bytes: &[u8], keep_backup: bool) -> Result<(), PlanFileError> {
    let mut prepared = prepare_write(path, bytes, keep_backup)?;
    prepared.shown = shown.to_path_buf();
    prepared.commit()
}

/// Writes `bytes` to a new temporary file beside `path` (links followed):
/// created exclusively under a random name, so a planted file or link of that
/// name is never followed, with the mode (and on Unix the owner and group) of
/// the file it will replace. Leftovers of saves killed earlier are removed first.
pub fn prepare_write(path: &Path, bytes: &[u8], keep_backup: bool) -> Result<PreparedWrite, PlanFileError> {
    let io = |error| PlanFileError::Io { path: path.to_path_buf(), error };
    let target = resolve(path);
    remove_leftover_temps(&target);
    let original = fs::metadata(&target).ok().filter(fs::Metadata::is_file);
    let (tmp, mut file) = create_temp(&target).map_err(io)?;
    let mut prepared = PreparedWrite {
        target,
        shown: path.to_path_buf(),
        tmp: Some(tmp),
        backup: if keep_backup { Backup::Previous } else { Backup::None },
    };
    if let Some(original) = &original {
        keep_mode_and_owner(&file, original);
    }
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(io)?;
    drop(file);
    // The target moved on under us (it became a folder): fail before the rename.
    if fs::metadata(&prepared.target).is_ok_and(|m| m.is_dir()) {
        prepared.backup = Backup::None;
        return Err(io(std::io::Error::new(std::io::ErrorKind::IsADirectory, "it is a folder")));
    }
    Ok(prepared)
}

fn folder_of(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// "plan.rebook.ron.tmp-": what every temporary file of `target` starts with.
fn temp_prefix(target: &Path) -> String {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!("{name}.tmp-")
}

/// `PREFIX<machine>-<pid>-<random>`: the machine and process tell a later
/// save whether the writer is gone; the random part makes the name unguessable.
fn create_temp(target: &Path) -> std::io::Result<(PathBuf, fs::File)> {
    let prefix = temp_prefix(target);
    let machine = machine_tag();
    let mut last = std::io::Error::from(std::io::ErrorKind::AlreadyExists);
    for _ in 0..16 {
        let name = format!("{prefix}{machine:08x}-{}-{:016x}", std::process::id(), rand::random::<u64>());
        let tmp = folder_of(target).join(name);
        // create_new is O_CREAT|O_EXCL: it fails on any existing name, a link included.
        match fs::OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// This computer's name, hashed to eight hex digits for temporary file names.
fn machine_tag() -> u32 {
    let name = crate::model::audit::machine_name();
    name.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// A temporary file older than this is a leftover whoever wrote it: no save takes an hour.
const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Removes temporary files of `path` left by saves that were killed (their
/// process on this computer has ended, or they are over an hour old): they
/// may hold a plain copy of the plan. Returns how many were removed.
pub fn remove_leftover_temps(path: &Path) -> usize {
    let target = resolve(path);
    let prefix = temp_prefix(&target);
    let Ok(entries) = fs::read_dir(folder_of(&target)) else { return 0 };
    let ours = machine_tag();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else { continue };
        let parts: Vec<&str> = rest.split('-').collect();
        // This release writes MACHINE-PID-RANDOM; earlier ones wrote PID alone.
        let (machine, pid) = match parts.as_slice() {
            [machine, pid, _] => (u32::from_str_radix(machine, 16).ok(), pid.parse::<u32>().ok()),
            [pid] => (Some(ours), pid.parse::<u32>().ok()),
            _ => continue,
        };
        let Some(pid) = pid else { continue };
        let Ok(meta) = entry.path().symlink_metadata() else { continue };
        let old = meta.modified().ok().and_then(|m| m.elapsed().ok()).is_some_and(|age| age > LEFTOVER_AGE);
        let dead = machine == Some(ours) && pid != std::process::id() && !crate::io::process::process_alive(pid);
        if (old || dead) && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Gives the new file the mode of the one it replaces (a 0600 or group-shared
/// 0660 plan keeps it) and, where allowed, its owner and group. On Windows
/// the new file takes the folder's inherited permissions, as the old one did.
#[cfg(unix)]
fn keep_mode_and_owner(file: &fs::File, original: &fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    // Only root may give a file away; the group may be set by a member of it.
    if std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid())).is_err() {
        let _ = std::os::unix::fs::fchown(file, None, Some(original.gid()));
    }
    let _ = file.set_permissions(original.permissions());
}

#[cfg(not(unix))]
fn keep_mode_and_owner(_file: &fs::File, _original: &fs::Metadata) {}

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
