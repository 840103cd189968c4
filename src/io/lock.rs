//! A lock file beside a plan (`NAME.rebook.ron.lock`) saying who has it open,
//! so colleagues sharing a network drive know before they edit.
//!
//! It is a plain file created with `create_new`, which is atomic on local
//! disks and on SMB/Windows shares alike; OS advisory locks are not used
//! because they are unreliable across network shares. The holder refreshes it
//! every few minutes; one not refreshed for [`DEFAULT_STALE_AFTER`] (a crash,
//! a PC switched off) may be taken over. Each lock carries a unique token, so
//! a holder never removes a lock somebody else took over.

use chrono::{DateTime, Local, Utc};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A lock not refreshed for this long is stale: its holder is gone.
pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(30 * 60);

/// How often a holder should call [`PlanLock::refresh`].
pub const REFRESH_EVERY: Duration = Duration::from_secs(3 * 60);

/// Lock files larger than this are not read: a real one is about 200 bytes.
const MAX_LOCK_BYTES: u64 = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Somebody else holds the lock (or took it over from us).
    #[error("the plan is {}", .0.describe())]
    Held(LockInfo),
    #[error("could not use the lock file {path}: {error}")]
    Io { path: PathBuf, error: std::io::Error },
}

/// Who holds a lock, as read from its file.
#[derive(Debug, Clone, PartialEq)]
pub struct LockInfo {
    pub user: String,
    pub machine: String,
    pub pid: u32,
    pub since: DateTime<Local>,
    pub refreshed: DateTime<Local>,
    token: Box<str>,
    /// Set when the file could not be read as a lock: why. Such a lock is stale.
    pub damaged: Option<Box<str>>,
}

/// The lock file's contents (JSON).
#[derive(Debug, Serialize, Deserialize)]
struct LockFile {
    user: String,
    machine: String,
    pid: u32,
    since: DateTime<Utc>,
    refreshed: DateTime<Utc>,
    token: String,
}

impl LockInfo {
    /// "open by jsmith on RECEPTION-2 since 09:12" (with the date when not today).
    pub fn describe(&self) -> String {
        if let Some(why) = &self.damaged {
            return format!("marked open by a damaged lock file ({why}); it can safely be taken over");
        }
        let today = Local::now().date_naive();
        let since = if self.since.date_naive() == today {
            self.since.format("%H:%M").to_string()
        } else {
            self.since.format("%d/%m/%Y %H:%M").to_string()
        };
        format!("open by {} on {} since {since}", self.user, self.machine)
    }

    /// Whether the holder is gone: not refreshed for `stale_after`, or on this
    /// machine and its process has ended (checked on Linux only; elsewhere age alone).
    pub fn is_stale(&self, now: DateTime<Local>, stale_after: Duration) -> bool {
        if self.damaged.is_some() {
            return true;
        }
        let age = now.signed_duration_since(self.refreshed);
        if age.to_std().is_ok_and(|age| age > stale_after) {
            return true;
        }
        self.machine.eq_ignore_ascii_case(&crate::model::audit::machine_name()) && !process_alive(self.pid)
    }

    /// A lock this very process left (the same plan opened again in this window).
    pub fn is_this_process(&self) -> bool {
        self.pid == std::process::id() && self.machine == crate::model::audit::machine_name()
    }

    fn ours(&self, token: &str) -> bool {
        self.damaged.is_none() && *self.token == *token
    }
}

#[cfg(target_os = "linux")]
fn process_alive(pid: u32) -> bool {
    // Without /proc (a sandbox) nothing can be told: assume alive.
    !Path::new("/proc/self").exists() || Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_alive(_pid: u32) -> bool {
    true
}

/// `plan.rebook.ron` -> `plan.rebook.ron.lock`.
pub fn lock_path(plan: &Path) -> PathBuf {
    let mut name = plan.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    plan.with_file_name(name)
}

/// The lock of a plan held by this process; dropping it removes the lock file
/// if it is still ours.
#[derive(Debug)]
pub struct PlanLock {
    path: PathBuf,
    info: LockInfo,
}

impl PlanLock {
    /// Who we are in the lock file.
    pub fn info(&self) -> &LockInfo {
        &self.info
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes a fresh "refreshed" time. If the file now holds somebody else's
    /// lock (they took it over), returns `Held` with theirs: we lost it.
    /// A lock file that disappeared is created again.
    pub fn refresh(&mut self) -> Result<(), LockError> {
        match read_lock(&self.path)? {
            Some(info) if !info.ours(&self.info.token) => Err(LockError::Held(info)),
            Some(_) => {
                self.info.refreshed = Local::now();
                replace_file(&self.path, &encode(&self.info)?)
            }
            None => {
                self.info.refreshed = Local::now();
                match create_file(&self.path, &encode(&self.info)?)? {
                    true => Ok(()),
                    false => match read_lock(&self.path)? {
                        Some(info) if !info.ours(&self.info.token) => Err(LockError::Held(info)),
                        _ => Ok(()),
                    },
                }
            }
        }
    }

    /// Gives the lock up now (as dropping it does).
    pub fn release(self) {
        drop(self);
    }
}

impl Drop for PlanLock {
    fn drop(&mut self) {
        if let Ok(Some(info)) = read_lock(&self.path)
            && info.ours(&self.info.token)
        {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Takes the lock of `plan`, or `Held` with who has it (even a stale lock:
/// the caller decides, with [`LockInfo::is_stale`], whether to [`take_over`]).
pub fn acquire(plan: &Path) -> Result<PlanLock, LockError> {
    let path = lock_path(plan);
    let info = new_info();
    if create_file(&path, &encode(&info)?)? {
        return Ok(PlanLock { path, info });
    }
    match read_lock(&path)? {
        Some(other) => Err(LockError::Held(other)),
        // Removed between our attempt and the read: try once more.
        None => {
            if create_file(&path, &encode(&info)?)? {
                Ok(PlanLock { path, info })
            } else {
                let other = read_lock(&path)?.unwrap_or_else(|| damaged("it vanished while being read"));
                Err(LockError::Held(other))
            }
        }
    }
}

/// Takes the lock whoever holds it: for a stale lock, or when the user insists.
pub fn take_over(plan: &Path) -> Result<PlanLock, LockError> {
    let path = lock_path(plan);
    let info = new_info();
    replace_file(&path, &encode(&info)?)?;
    match read_lock(&path)? {
        Some(now) if now.ours(&info.token) => Ok(PlanLock { path, info }),
        Some(other) => Err(LockError::Held(other)),
        None => Err(LockError::Io {
            path,
            error: std::io::Error::new(std::io::ErrorKind::NotFound, "the lock file vanished as it was written"),
        }),
    }
}

/// Who holds the lock of `plan`, if anybody.
pub fn inspect(plan: &Path) -> Result<Option<LockInfo>, LockError> {
    read_lock(&lock_path(plan))
}

fn new_info() -> LockInfo {
    let now = Local::now();
    LockInfo {
        user: crate::model::audit::os_user(),
        machine: crate::model::audit::machine_name(),
        pid: std::process::id(),
        since: now,
        refreshed: now,
        token: new_token().into(),
        damaged: None,
    }
}

/// A token no other lock has: the process, the time and a per-process random key.
fn new_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    hasher.write_i64(nanos);
    hasher.write_u32(std::process::id());
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    format!("{:016x}-{}-{nanos:x}", hasher.finish(), std::process::id())
}

fn damaged(why: &str) -> LockInfo {
    let epoch = DateTime::<Utc>::UNIX_EPOCH.with_timezone(&Local);
    LockInfo {
        user: "unknown".into(),
        machine: "unknown".into(),
        pid: 0,
        since: epoch,
        refreshed: epoch,
        token: Box::from(""),
        damaged: Some(why.into()),
    }
}

fn encode(info: &LockInfo) -> Result<Vec<u8>, LockError> {
    let file = LockFile {
        user: info.user.clone(),
        machine: info.machine.clone(),
        pid: info.pid,
        since: info.since.with_timezone(&Utc),
        refreshed: info.refreshed.with_timezone(&Utc),
        token: info.token.to_string(),
    };
    let mut bytes = serde_json::to_vec_pretty(&file)
        .map_err(|e| LockError::Io { path: PathBuf::new(), error: std::io::Error::other(e.to_string()) })?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn decode(bytes: &[u8]) -> LockInfo {
    match serde_json::from_slice::<LockFile>(bytes) {
        Ok(file) => LockInfo {
            user: file.user,
            machine: file.machine,
            pid: file.pid,
            since: file.since.with_timezone(&Local),
            refreshed: file.refreshed.with_timezone(&Local),
            token: file.token.into(),
            damaged: None,
        },
        Err(_) if bytes.iter().all(u8::is_ascii_whitespace) => damaged("it is empty"),
        Err(e) => damaged(&format!("not a Rebook lock: {e}")),
    }
}

/// The lock at `path`, `None` when there is none. A file just created by
/// another process may still be empty: it is read again briefly before being
/// called damaged.
fn read_lock(path: &Path) -> Result<Option<LockInfo>, LockError> {
    let io = |error| LockError::Io { path: path.to_path_buf(), error };
    for attempt in 0..5 {
        let bytes = match fs::metadata(path) {
            Ok(meta) if meta.len() > MAX_LOCK_BYTES => {
                return Ok(Some(damaged(&format!("{} bytes, far too large", meta.len()))));
            }
            Ok(_) => match fs::read(path) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io(e)),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        if !bytes.is_empty() || attempt == 4 {
            return Ok(Some(decode(&bytes)));
        }
        std::thread::sleep(Duration::from_millis(40));
    }
    Ok(Some(damaged("it is empty")))
}

/// Creates the file only if it does not exist; `false` when it does.
fn create_file(path: &Path, bytes: &[u8]) -> Result<bool, LockError> {
    let io = |error| LockError::Io { path: path.to_path_buf(), error };
    match fs::OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(mut file) => {
            file.write_all(bytes).and_then(|()| file.sync_all()).map_err(io)?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(io(e)),
    }
}

/// Replaces the file whole (temporary file and rename), so a reader never sees half of it.
fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), LockError> {
    crate::io::plan_file::replace_atomically(path, bytes).map_err(|e| match e {
        crate::io::plan_file::PlanFileError::Io { path, error } => LockError::Io { path, error },
        other => LockError::Io { path: path.to_path_buf(), error: std::io::Error::other(other.to_string()) },
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn describes_holder_and_date_when_not_today() {
        let mut info = new_info();
        info.user = "jsmith".into();
        info.machine = "RECEPTION-2".into();
        let text = info.describe();
        assert!(text.starts_with("open by jsmith on RECEPTION-2 since "), "{text}");
        assert!(!text.contains('/'), "{text}");
        info.since -= chrono::Duration::days(3);
        assert!(info.describe().contains('/'), "{}", info.describe());
    }

    #[test]
    fn age_and_damage_make_a_lock_stale() {
        let mut info = new_info();
        let now = Local::now();
        assert!(!info.is_stale(now, DEFAULT_STALE_AFTER));
        info.refreshed = now - chrono::Duration::minutes(31);
        assert!(info.is_stale(now, DEFAULT_STALE_AFTER));
        assert!(decode(b"{ not json").is_stale(now, DEFAULT_STALE_AFTER));
        assert!(decode(b"").describe().contains("empty"));
    }

    #[test]
    fn tokens_differ() {
        assert_ne!(new_token(), new_token());
    }
}
