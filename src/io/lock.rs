//! A lock file beside a plan (`NAME.rebook.ron.lock`) saying who has it open,
//! so colleagues sharing a network drive know before they edit.
//!
//! It is a plain file created with `create_new`, which is atomic on local
//! disks and on SMB/Windows shares alike; OS advisory locks are not used
//! because they are unreliable across network shares. The holder refreshes it
//! every few minutes; one not refreshed for [`DEFAULT_STALE_AFTER`] (a crash,
//! a PC switched off) may be taken over. Each lock carries a unique token, so
//! a holder never removes a lock somebody else took over.
//!
//! Every change of an existing lock (a refresh, the "saving" mark, a takeover)
//! is made by whoever first creates the exclusive marker file
//! `NAME.lock.change-TOKEN.N` for that lock's token, and only if the lock still
//! holds that token when re-read: so of several processes taking over one
//! stale lock at once exactly one wins, and nobody takes a lock over while its
//! holder is writing the plan. [`lock_plan`] is the one policy for the
//! command line and the window.

use chrono::{DateTime, Local, Utc};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A lock not refreshed for this long is stale: its holder is gone.
pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(30 * 60);

/// How often a holder should call [`PlanLock::refresh`].
pub const REFRESH_EVERY: Duration = Duration::from_secs(3 * 60);

/// Lock files larger than this are not read: a real one is about 200 bytes.
const MAX_LOCK_BYTES: u64 = 64 * 1024;

/// A change marker left by a process that died on another computer is
/// ignored after this long (one on this computer as soon as its process ends).
const CHANGE_ABANDONED_AFTER: Duration = Duration::from_secs(60);
/// A "saving" mark older than this is ignored: no save takes so long.
const SAVING_STALE_AFTER: Duration = Duration::from_secs(120);
/// How long to wait for another process to finish changing the lock or saving.
const WAIT_AT_MOST: Duration = Duration::from_secs(30);

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
    /// Set while the holder is writing the plan (since `refreshed`): nobody
    /// takes the lock over then.
    pub saving: bool,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    saving: Option<DateTime<Utc>>,
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
        older_than(self.refreshed, now, stale_after) || self.process_ended()
    }

    /// On this machine, and its process is no longer running.
    fn process_ended(&self) -> bool {
        self.machine.eq_ignore_ascii_case(&crate::model::audit::machine_name())
            && !crate::io::process::process_alive(self.pid)
    }

    /// The holder is writing the plan right now (a mark that is not stale).
    fn is_saving(&self, now: DateTime<Local>) -> bool {
        self.saving && !older_than(self.refreshed, now, SAVING_STALE_AFTER) && !self.process_ended()
    }

    /// A lock this very process left (the same plan opened again in this window).
    pub fn is_this_process(&self) -> bool {
        self.pid == std::process::id() && self.machine == crate::model::audit::machine_name()
    }

    fn ours(&self, token: &str) -> bool {
        self.damaged.is_none() && *self.token == *token
    }
}

fn older_than(at: DateTime<Local>, now: DateTime<Local>, limit: Duration) -> bool {
    now.signed_duration_since(at).to_std().is_ok_and(|age| age > limit)
}

// The lock's name is one of the names beside a plan, kept with the others in
// plan_file so that module needs nothing from this one.
pub use crate::io::plan_file::lock_path;

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
        self.info.refreshed = Local::now();
        self.rewrite()
    }

    /// Marks the lock "saving" before the plan file is written, so nobody
    /// takes it over in the middle of the save; `Held` if it is no longer ours.
    pub fn begin_save(&mut self) -> Result<(), LockError> {
        self.info.refreshed = Local::now();
        self.info.saving = true;
        self.rewrite()
    }

    /// Clears the "saving" mark (after the save, whether it worked or not).
    pub fn end_save(&mut self) -> Result<(), LockError> {
        self.info.saving = false;
        self.rewrite()
    }

    /// `Ok` if the lock file still holds our lock; else `Held` with whose it is.
    pub fn check(&self) -> Result<(), LockError> {
        match read_lock(&self.path)? {
            Some(info) if info.ours(&self.info.token) => Ok(()),
            Some(info) => Err(LockError::Held(info)),
            None => Err(LockError::Io { path: self.path.clone(), error: std::io::ErrorKind::NotFound.into() }),
        }
    }

    /// Writes our lock info while nobody else changes the file.
    fn rewrite(&mut self) -> Result<(), LockError> {
        let bytes = encode(&self.info)?;
        let _guard = ChangeGuard::take(&self.path, &self.info.token)?;
        match read_lock(&self.path)? {
            Some(info) if !info.ours(&self.info.token) => Err(LockError::Held(info)),
            Some(_) => replace_file(&self.path, &bytes),
            None => match create_file(&self.path, &bytes)? {
                true => Ok(()),
                false => match read_lock(&self.path)? {
                    Some(info) if !info.ours(&self.info.token) => Err(LockError::Held(info)),
                    _ => Ok(()),
                },
            },
        }
    }

    /// Gives the lock up now (as dropping it does).
    pub fn release(self) {
        drop(self);
    }
}

impl Drop for PlanLock {
    fn drop(&mut self) {
        let Ok(guard) = ChangeGuard::take(&self.path, &self.info.token) else { return };
        if let Ok(Some(info)) = read_lock(&self.path)
            && info.ours(&self.info.token)
        {
            let _ = fs::remove_file(&self.path);
        }
        drop(guard);
        // The lock is gone or somebody else's: no change of ours can be pending.
        ChangeGuard::clear(&self.path, &self.info.token);
    }
}

/// Takes the lock of `plan`, or `Held` with who has it (even a stale lock:
/// see [`lock_plan`] for the policy that decides whether to take it over).
pub fn acquire(plan: &Path) -> Result<PlanLock, LockError> {
    let path = lock_path(&crate::io::plan_file::resolve(plan));
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

/// Takes over the lock `expected` (as read from the file) and nobody else's:
/// of several processes doing so at once exactly one wins, the others get
/// `Held` with the winner. A lock whose holder is in the middle of a save
/// is waited for; a lock released meanwhile is simply acquired.
pub fn take_over(plan: &Path, expected: &LockInfo) -> Result<PlanLock, LockError> {
    let path = lock_path(&crate::io::plan_file::resolve(plan));
    let deadline = Instant::now() + WAIT_AT_MOST;
    loop {
        let guard = ChangeGuard::take(&path, &expected.token)?;
        let current = read_lock(&path)?;
        match current {
            None => {
                drop(guard);
                return acquire(plan);
            }
            // Changed since it was read (taken over, or released and taken): not ours to take.
            Some(other) if other.token != expected.token || other.damaged.is_some() != expected.damaged.is_some() => {
                return Err(LockError::Held(other));
            }
            Some(other) if other.is_saving(Local::now()) => {
                drop(guard);
                if Instant::now() > deadline {
                    return Err(LockError::Held(other));
                }
                pause();
            }
            Some(_) => {
                let info = new_info();
                replace_file(&path, &encode(&info)?)?;
                drop(guard);
                ChangeGuard::clear(&path, &expected.token);
                return Ok(PlanLock { path, info });
            }
        }
    }
}

/// How a command asks for a plan's lock: the one policy of the CLI and the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insist {
    /// Take it only if free, left by a process that has ended, not refreshed
    /// for [`DEFAULT_STALE_AFTER`], damaged, or left by this very process.
    IfFree,
    /// Take it even from a colleague who has it open (`--force`, "Take over").
    Always,
}

/// The lock taken, and whose lock it replaced (to say so), if any.
#[derive(Debug)]
pub struct Locked {
    pub lock: PlanLock,
    pub took_over: Option<LockInfo>,
}

/// The lock policy, written once: takes the lock of `plan`; a stale lock (or
/// with [`Insist::Always`] anybody's) is taken over atomically, so of several
/// processes trying at once exactly one holds it. Otherwise `Held` says who has it.
pub fn lock_plan(plan: &Path, insist: Insist) -> Result<Locked, LockError> {
    let deadline = Instant::now() + WAIT_AT_MOST;
    loop {
        let info = match acquire(plan) {
            Ok(lock) => return Ok(Locked { lock, took_over: None }),
            Err(LockError::Held(info)) => info,
            Err(other) => return Err(other),
        };
        let may_take =
            insist == Insist::Always || info.is_this_process() || info.is_stale(Local::now(), DEFAULT_STALE_AFTER);
        if !may_take {
            return Err(LockError::Held(info));
        }
        match take_over(plan, &info) {
            Ok(lock) => return Ok(Locked { lock, took_over: Some(info) }),
            // Somebody else was quicker: judge their lock afresh.
            Err(LockError::Held(_)) if Instant::now() < deadline => pause(),
            Err(other) => return Err(other),
        }
    }
}

/// Who holds the lock of `plan`, if anybody.
pub fn inspect(plan: &Path) -> Result<Option<LockInfo>, LockError> {
    read_lock(&lock_path(&crate::io::plan_file::resolve(plan)))
}

/// A short, slightly random pause between attempts, so contenders do not stay in step.
fn pause() {
    std::thread::sleep(Duration::from_millis(5 + rand::random::<u64>() % 20));
}

/// Exclusive right to change one lock (the lock with a given token): a file
/// `NAME.lock.change-TOKEN.N` created exclusively. Whoever changes the lock
/// (its holder refreshing it, a contender taking it over) holds this first,
/// then re-reads the lock, so no two changes of the same lock interleave.
/// A marker left by a process that died is passed over (the next N is used).
struct ChangeGuard {
    path: PathBuf,
}

/// Slots tried before giving up: each abandoned marker moves the next change to the next one.
const CHANGE_SLOTS: usize = 8;

impl ChangeGuard {
    fn slot(lock: &Path, token: &str, n: usize) -> PathBuf {
        let mut name = lock.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        // Tokens are hex digits and dashes: safe in a file name.
        let token: String = token.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        name.push(format!(".change-{token}.{n}"));
        lock.with_file_name(name)
    }

    fn take(lock: &Path, token: &str) -> Result<ChangeGuard, LockError> {
        let deadline = Instant::now() + WAIT_AT_MOST;
        let bytes = encode(&new_info())?;
        loop {
            for n in 0..CHANGE_SLOTS {
                let path = Self::slot(lock, token, n);
                if create_file(&path, &bytes)? {
                    return Ok(ChangeGuard { path });
                }
                if !Self::abandoned(&path) {
                    break;
                }
            }
            if Instant::now() > deadline {
                return Err(LockError::Io {
                    path: lock.to_path_buf(),
                    error: std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "another Rebook kept changing the lock; try again",
                    ),
                });
            }
            pause();
        }
    }

    /// Left by a process that ended (on this computer) or long ago.
    fn abandoned(path: &Path) -> bool {
        match read_lock(path) {
            Ok(Some(info)) if info.damaged.is_none() => {
                info.process_ended() || older_than(info.since, Local::now(), CHANGE_ABANDONED_AFTER)
            }
            Ok(Some(_)) => fs::metadata(path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_none_or(|age| age > CHANGE_ABANDONED_AFTER),
            // Gone meanwhile: the next attempt will find the slot free.
            Ok(None) => false,
            Err(_) => false,
        }
    }

    /// Removes every marker of a lock that no longer exists or changed hands.
    fn clear(lock: &Path, token: &str) {
        for n in 0..CHANGE_SLOTS {
            let _ = fs::remove_file(Self::slot(lock, token, n));
        }
    }
}

impl Drop for ChangeGuard {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

fn new_info() -> LockInfo {
    let now = Local::now();
    LockInfo {
        user: crate::model::audit::os_user(),
        machine: crate::model::audit::machine_name(),
        pid: std::process::id(),
        since: now,
        refreshed: now,
        saving: false,
        token: new_token().into(),
        damaged: None,
    }
}

/// A token no other lock has: random, with the process and the time.
fn new_token() -> String {
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    format!("{:016x}-{}-{nanos:x}", rand::random::<u64>(), std::process::id())
}

fn damaged(why: &str) -> LockInfo {
    let epoch = DateTime::<Utc>::UNIX_EPOCH.with_timezone(&Local);
    LockInfo {
        user: "unknown".into(),
        machine: "unknown".into(),
        pid: 0,
        since: epoch,
        refreshed: epoch,
        saving: false,
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
        saving: info.saving.then(|| info.refreshed.with_timezone(&Utc)),
        token: info.token.to_string(),
    };
    let mut bytes = serde_json::to_vec_pretty(&file)
        .map_err(|e| LockError::Io { path: PathBuf::new(), error: std::io::Error::other(e.to_string()) })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Reads a lock file's bytes; what is not a lock is a damaged lock, never an error.
pub fn decode(bytes: &[u8]) -> LockInfo {
    match serde_json::from_slice::<LockFile>(bytes) {
        Ok(file) => LockInfo {
            user: crate::model::audit::clean_name(&file.user),
            machine: crate::model::audit::clean_name(&file.machine),
            pid: file.pid,
            since: file.since.with_timezone(&Local),
            refreshed: file.refreshed.with_timezone(&Local),
            saving: file.saving.is_some(),
            token: file.token.into(),
            damaged: None,
        },
        Err(_) if bytes.iter().all(u8::is_ascii_whitespace) => damaged("it is empty"),
        Err(e) => damaged(&format!("not a Rebook lock: {e}")),
    }
}

/// The lock at `path`, `None` when there is none. A lock file is written
/// whole before it appears (see [`create_file`]), but one made by an older
/// release may still be empty for a moment: it is read again briefly before being called damaged.
fn read_lock(path: &Path) -> Result<Option<LockInfo>, LockError> {
    let io = |error| LockError::Io { path: path.to_path_buf(), error };
    for attempt in 0..5 {
        let bytes = match crate::io::limits::read_regular_file(path, MAX_LOCK_BYTES) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::FileTooLarge | std::io::ErrorKind::InvalidInput) => {
                return Ok(Some(damaged(&e.to_string())));
            }
            Err(e) => return Err(io(e)),
        };
        if !bytes.is_empty() || attempt == 4 {
            return Ok(Some(decode(&bytes)));
        }
        std::thread::sleep(Duration::from_millis(40));
    }
    Ok(Some(damaged("it is empty")))
}

/// Creates the file, whole, only if it does not exist; `false` when it does.
/// The bytes go to a temporary file first and appear under `path` by a hard
/// link, which fails if `path` exists: nobody ever reads a half-written lock.
/// Where hard links are not supported, an exclusive create and a write.
fn create_file(path: &Path, bytes: &[u8]) -> Result<bool, LockError> {
    let io = |error| LockError::Io { path: path.to_path_buf(), error };
    let prepared = crate::io::plan_file::prepare_write(path, bytes, false).map_err(|e| plan_error(path, e))?;
    let tmp = prepared.temp_path().map(Path::to_path_buf);
    if let Some(tmp) = tmp {
        match fs::hard_link(&tmp, path) {
            Ok(()) => return Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
            Err(_) => {}
        }
    }
    drop(prepared);
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
    crate::io::plan_file::replace_atomically(path, bytes).map_err(|e| plan_error(path, e))
}

fn plan_error(path: &Path, e: crate::io::plan_file::PlanFileError) -> LockError {
    match e {
        crate::io::plan_file::PlanFileError::Io { path, error } => LockError::Io { path, error },
        other => LockError::Io { path: path.to_path_buf(), error: std::io::Error::other(other.to_string()) },
    }
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

    proptest::proptest! {
        /// The lock-file fuzz target's property, on every test run: any bytes
        /// read as a lock or a damaged (stale) lock, with clean names.
        #[test]
        fn any_bytes_read_as_a_lock_or_a_damaged_one(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let info = decode(&bytes);
            proptest::prop_assert!(!info.describe().is_empty());
            proptest::prop_assert!(info.damaged.is_none() || info.is_stale(Local::now(), DEFAULT_STALE_AFTER));
            proptest::prop_assert!(!info.user.chars().any(char::is_control));
        }

        #[test]
        fn lock_json_with_any_names_reads_back_clean(user in ".{0,80}", machine in ".{0,80}") {
            let now = Utc::now().to_rfc3339();
            let json = serde_json::json!({"user": user, "machine": machine, "pid": 1, "since": now, "refreshed": now, "token": "t"});
            let info = decode(json.to_string().as_bytes());
            proptest::prop_assert!(info.damaged.is_none());
            proptest::prop_assert!(!info.user.chars().chain(info.machine.chars()).any(char::is_control));
        }
    }
}
