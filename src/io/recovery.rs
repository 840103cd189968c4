//! Recovery files: the open plan autosaved to the user's data folder, so that
//! after a crash or power cut the next start can offer it back.
//!
//! One file per plan (named from a hash of the plan's path, or `untitled-PID`
//! for a plan never saved). Each starts with one JSON line saying which plan
//! it belongs to and when it was written, then the plan file itself: RON, or
//! age ciphertext when the plan is encrypted, so a recovery file is never less
//! protected than its plan. Written atomically, like plan files.

use crate::io::crypto::Passphrase;
use crate::io::plan_file::{self, MAX_PLAN_BYTES, PlanFileError};
use crate::model::Plan;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

const EXTENSION: &str = "recovery";
/// The header line is short; anything longer is not one of ours.
const MAX_HEADER_BYTES: u64 = 16 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    #[error("could not use the recovery folder {path}: {error}")]
    // Not named `source`: the message already carries the cause, and a
    // source would make anyhow print it a second time.
    Io { path: PathBuf, error: std::io::Error },
    #[error("{path} is not a Rebook recovery file")]
    NotRecovery { path: PathBuf },
    #[error(transparent)]
    Plan(#[from] PlanFileError),
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    /// The plan file this recovers; `None` for a plan never saved.
    plan: Option<PathBuf>,
    saved: DateTime<Utc>,
    encrypted: bool,
    /// The process that wrote it and its computer: while that process runs,
    /// the work is not lost and is not offered to another copy of Rebook.
    #[serde(default)]
    pid: Option<u32>,
    #[serde(default)]
    machine: Option<String>,
}

impl Header {
    /// Written by a copy of Rebook still running on this computer (not this one).
    fn writer_running(&self) -> bool {
        match (self.pid, &self.machine) {
            (Some(pid), Some(machine)) => {
                pid != std::process::id()
                    && machine.eq_ignore_ascii_case(&crate::model::audit::machine_name())
                    && crate::io::process::process_alive(pid)
            }
            _ => false,
        }
    }
}

/// A recovery file found at start-up that holds newer work than its plan file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recoverable {
    /// The recovery file itself (pass it to [`RecoveryStore::load`] / [`RecoveryStore::discard_file`]).
    pub file: PathBuf,
    /// The plan it belongs to, or `None` for a plan that was never saved.
    pub plan_path: Option<PathBuf>,
    /// When the autosave was written.
    pub saved: DateTime<Utc>,
    /// Whether opening it needs the plan's passphrase.
    pub encrypted: bool,
}

/// The folder recovery files live in.
#[derive(Debug, Clone)]
pub struct RecoveryStore {
    dir: PathBuf,
}

impl RecoveryStore {
    /// A store in an explicit folder (tests, or a portable install).
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The store in the user's data folder, or `None` when the environment
    /// names no home folder at all.
    pub fn user_default() -> Option<Self> {
        default_dir().map(Self::in_dir)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the plan at `plan_path` (or this process's untitled plan) is autosaved.
    pub fn recovery_path(&self, plan_path: Option<&Path>) -> PathBuf {
        let name = match plan_path {
            Some(path) => {
                let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
                format!("plan-{:016x}.{EXTENSION}", fnv1a(absolute.as_os_str().as_encoded_bytes()))
            }
            None => format!("untitled-{}.{EXTENSION}", std::process::id()),
        };
        self.dir.join(name)
    }

    /// Autosaves `plan` (encrypted with `passphrase` when the plan is) and
    /// returns the recovery file written.
    pub fn autosave(
        &self,
        plan: &Plan,
        plan_path: Option<&Path>,
        passphrase: Option<&Passphrase>,
    ) -> Result<PathBuf, RecoveryError> {
        create_private_dir(&self.dir).map_err(|source| RecoveryError::Io { path: self.dir.clone(), error: source })?;
        let header = Header {
            plan: plan_path.map(|p| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())),
            saved: Utc::now(),
            encrypted: passphrase.is_some(),
            pid: Some(std::process::id()),
            machine: Some(crate::model::audit::machine_name()),
        };
        let text = plan_file::to_ron(plan)?;
        let payload = match passphrase {
            Some(pass) => crate::io::crypto::encrypt(text.as_bytes(), pass, false).map_err(PlanFileError::Encrypt)?,
            None => text.into_bytes(),
        };
        let mut bytes = serde_json::to_vec(&header).map_err(|e| PlanFileError::Serialize(e.to_string()))?;
        bytes.push(b'\n');
        bytes.extend_from_slice(&payload);
        let file = self.recovery_path(plan_path);
        plan_file::replace_atomically(&file, &bytes)?;
        Ok(file)
    }

    /// Recovery files holding work newer than their plan file (or belonging to
    /// a plan never saved), newest first, of copies of Rebook that are no
    /// longer running (another window's live work is not offered). Files that
    /// are not ours are skipped.
    pub fn find_recovery(&self) -> Result<Vec<Recoverable>, RecoveryError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
            Err(source) => return Err(RecoveryError::Io { path: self.dir.clone(), error: source }),
        };
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let file = entry.path();
            if file.extension().is_none_or(|e| e != EXTENSION) {
                continue;
            }
            let Ok(header) = read_header(&file) else { continue };
            if header.writer_running() {
                continue;
            }
            if let Some(plan_path) = &header.plan
                && let Ok(modified) = fs::metadata(plan_path).and_then(|m| m.modified())
                && DateTime::<Utc>::from(modified) >= header.saved
            {
                continue;
            }
            found.push(Recoverable { file, plan_path: header.plan, saved: header.saved, encrypted: header.encrypted });
        }
        found.sort_by(|a, b| b.saved.cmp(&a.saved).then_with(|| a.file.cmp(&b.file)));
        Ok(found)
    }

    /// Reads the plan kept in a recovery file.
    pub fn load(&self, file: &Path, passphrase: Option<&Passphrase>) -> Result<Plan, RecoveryError> {
        let io = |source| RecoveryError::Io { path: file.to_path_buf(), error: source };
        let mut reader = BufReader::new(crate::io::limits::open_regular(file).map_err(io)?);
        let mut line = Vec::new();
        (&mut reader).take(MAX_HEADER_BYTES).read_until(b'\n', &mut line).map_err(io)?;
        if serde_json::from_slice::<Header>(&line).is_err() {
            return Err(RecoveryError::NotRecovery { path: file.to_path_buf() });
        }
        let mut payload = Vec::new();
        reader.take(MAX_PLAN_BYTES + 1).read_to_end(&mut payload).map_err(io)?;
        if payload.len() as u64 > MAX_PLAN_BYTES {
            return Err(RecoveryError::NotRecovery { path: file.to_path_buf() });
        }
        Ok(plan_file::parse_bytes(payload, file, passphrase)?)
    }

    /// Removes the recovery file of a plan (after a save, or when the user
    /// declines to recover it). Removing one that does not exist is fine.
    pub fn discard(&self, plan_path: Option<&Path>) -> Result<(), RecoveryError> {
        self.discard_file(&self.recovery_path(plan_path))
    }

    /// Removes one recovery file, as listed by [`RecoveryStore::find_recovery`].
    pub fn discard_file(&self, file: &Path) -> Result<(), RecoveryError> {
        match fs::remove_file(file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(RecoveryError::Io { path: file.to_path_buf(), error: e })
            }
            _ => Ok(()),
        }
    }
}

fn read_header(file: &Path) -> std::io::Result<Header> {
    let mut line = Vec::new();
    BufReader::new(crate::io::limits::open_regular(file)?).take(MAX_HEADER_BYTES).read_until(b'\n', &mut line)?;
    serde_json::from_slice(&line).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// The user's data folder for Rebook's recovery files: `recovery` in the
/// Rebook data folder (see [`crate::io::folders`]).
pub fn default_dir() -> Option<PathBuf> {
    crate::io::folders::rebook_folder(crate::io::folders::Folder::Data).map(|dir| dir.join("recovery"))
}

/// Creates the folder readable by this user only (it holds patient data).
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// FNV-1a: a hash that stays the same across Rust versions, so a plan keeps
/// its recovery file name between runs.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| (hash ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn plan(name: &str) -> Plan {
        Plan::new(name)
    }

    #[test]
    fn autosave_then_find_then_load_then_discard() {
        let dir = tempfile::tempdir().unwrap();
        let store = RecoveryStore::in_dir(dir.path().join("recovery"));
        assert_eq!(store.find_recovery().unwrap(), vec![]);
        let plan_path = dir.path().join("p.rebook.ron");
        plan_file::save(&plan("Old"), &plan_path).unwrap();
        // The plan file is older than the autosave.
        let old = fs::File::options().write(true).open(&plan_path).unwrap();
        old.set_modified(SystemTime::now() - Duration::from_secs(60)).unwrap();

        let file = store.autosave(&plan("Newer"), Some(&plan_path), None).unwrap();
        assert_eq!(file, store.recovery_path(Some(&plan_path)));
        let found = store.find_recovery().unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].plan_path.as_deref(), Some(std::path::absolute(&plan_path).unwrap().as_path()));
        assert!(!found[0].encrypted);
        assert_eq!(store.load(&found[0].file, None).unwrap().practice.name, "Newer");

        store.discard(Some(&plan_path)).unwrap();
        assert_eq!(store.find_recovery().unwrap(), vec![]);
        store.discard(Some(&plan_path)).unwrap();
    }

    #[test]
    fn a_plan_saved_after_its_autosave_is_not_offered() {
        let dir = tempfile::tempdir().unwrap();
        let store = RecoveryStore::in_dir(dir.path());
        let plan_path = dir.path().join("p.rebook.ron");
        store.autosave(&plan("A"), Some(&plan_path), None).unwrap();
        assert_eq!(store.find_recovery().unwrap().len(), 1, "plan file missing: offer the autosave");
        plan_file::save(&plan("A"), &plan_path).unwrap();
        let f = fs::File::options().write(true).open(&plan_path).unwrap();
        f.set_modified(SystemTime::now() + Duration::from_secs(5)).unwrap();
        assert_eq!(store.find_recovery().unwrap(), vec![]);
    }

    #[test]
    fn untitled_plans_are_offered_and_encrypted_ones_stay_encrypted() {
        let dir = tempfile::tempdir().unwrap();
        let store = RecoveryStore::in_dir(dir.path());
        let pass = Passphrase::with_work_factor("pw", 4);
        let mut secret = plan("Secret Surgery");
        secret.practice.name = "Secret Surgery".into();
        let file = store.autosave(&secret, None, Some(&pass)).unwrap();
        assert!(file.file_name().unwrap().to_string_lossy().starts_with("untitled-"));
        let bytes = fs::read(&file).unwrap();
        assert!(!bytes.windows(6).any(|w| w == b"Secret"));
        let found = store.find_recovery().unwrap();
        assert!(found[0].encrypted && found[0].plan_path.is_none());
        assert!(matches!(store.load(&file, None), Err(RecoveryError::Plan(PlanFileError::NeedsPassphrase { .. }))));
        assert_eq!(store.load(&file, Some(&pass)).unwrap().practice.name, "Secret Surgery");
    }

    #[test]
    fn the_work_of_a_copy_still_running_is_not_offered() {
        let dir = tempfile::tempdir().unwrap();
        let store = RecoveryStore::in_dir(dir.path());
        let file = store.autosave(&plan("Live"), None, None).unwrap();
        // Rewrite the header as if another process wrote it: first a running one, then an ended one.
        let text = fs::read_to_string(&file).unwrap();
        let (head, body) = text.split_once('\n').unwrap();
        let mut header: Header = serde_json::from_str(head).unwrap();
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        header.pid = Some(child.id());
        fs::write(&file, format!("{}\n{body}", serde_json::to_string(&header).unwrap())).unwrap();
        if cfg!(target_os = "linux") {
            assert_eq!(store.find_recovery().unwrap(), vec![], "the other copy is still running");
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(store.find_recovery().unwrap().len(), 1, "its process ended: offer it");
    }

    #[test]
    fn foreign_files_are_ignored_and_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = RecoveryStore::in_dir(dir.path());
        fs::write(dir.path().join("junk.recovery"), b"not json\nPlan()").unwrap();
        fs::write(dir.path().join("notes.txt"), b"{}\n").unwrap();
        assert_eq!(store.find_recovery().unwrap(), vec![]);
        assert!(matches!(store.load(&dir.path().join("junk.recovery"), None), Err(RecoveryError::NotRecovery { .. })));
    }

    #[test]
    fn different_plans_get_different_files_and_names_are_stable() {
        let store = RecoveryStore::in_dir("/r");
        let a = store.recovery_path(Some(Path::new("/plans/a.rebook.ron")));
        let b = store.recovery_path(Some(Path::new("/plans/b.rebook.ron")));
        assert_ne!(a, b);
        assert_eq!(a, store.recovery_path(Some(Path::new("/plans/a.rebook.ron"))));
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
