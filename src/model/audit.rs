//! The audit trail: who printed or exported patient data from a plan, and when.
//! Kept in the plan itself so it travels with the data it describes.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditAction {
    /// A call list or summary was printed or saved as PDF.
    Print,
    /// Bookings, the SMS batch or the call list was exported as CSV.
    Export,
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AuditAction::Print => "printed",
            AuditAction::Export => "exported",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Local time on the computer that did it.
    pub when: NaiveDateTime,
    /// The operating-system user ($USER, or %USERNAME% on Windows).
    pub user: String,
    pub action: AuditAction,
    /// What went where, e.g. "call list by day (NHS numbers masked) to calls.pdf".
    /// Never patient data.
    pub detail: String,
}

impl AuditEntry {
    /// An entry for now, by the user logged in to this computer.
    pub fn now(action: AuditAction, detail: impl Into<String>) -> Self {
        use chrono::SubsecRound;
        Self {
            when: chrono::Local::now().naive_local().trunc_subsecs(0),
            user: os_user(),
            action,
            detail: detail.into(),
        }
    }
}

impl std::fmt::Display for AuditEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {} {}", self.when.format("%d/%m/%Y %H:%M"), self.user, self.action, self.detail)
    }
}

/// Longest user or computer name kept (real ones are far shorter).
const MAX_NAME_CHARS: usize = 64;

/// The operating-system user name: $USER (%USERNAME% on Windows), else the
/// account the process runs as, else "unknown user". Control characters are
/// removed, so a name can never forge a line of the history or the audit trail.
pub fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .chain(account_name())
        .map(|user| clean_name(&user))
        .find(|user| !user.is_empty())
        .unwrap_or_else(|| "unknown user".to_string())
}

/// The computer's name (%COMPUTERNAME% on Windows, $HOSTNAME or /etc/hostname
/// elsewhere), cleaned like [`os_user`], or "unknown" when none can be found.
pub fn machine_name() -> String {
    ["COMPUTERNAME", "HOSTNAME"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .chain(std::fs::read_to_string("/etc/hostname").ok())
        .map(|name| clean_name(&name))
        .find(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// A name as shown in locks, history and audit lines: control characters
/// (newlines, terminal escapes) dropped, trimmed, at most 64 characters.
pub fn clean_name(name: &str) -> String {
    let kept: String = name.chars().filter(|c| !c.is_control()).take(MAX_NAME_CHARS).collect();
    kept.trim().to_string()
}

/// The name of the account this process runs as, from /etc/passwd (Unix).
#[cfg(unix)]
fn account_name() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's user; the home folder is a fallback.
    let uid = std::fs::metadata("/proc/self").map(|m| m.uid()).ok()?;
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == uid).then(|| name.to_string())
    })
}

#[cfg(not(unix))]
fn account_name() -> Option<String> {
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn entries_name_user_action_and_detail() {
        let entry = AuditEntry::now(AuditAction::Export, "SMS batch CSV, 12 rows, to sms.csv");
        assert_eq!(entry.user, os_user());
        assert!(!entry.user.is_empty());
        let shown = entry.to_string();
        assert!(shown.contains(" exported SMS batch CSV, 12 rows, to sms.csv"), "{shown}");
        let ron = ron::to_string(&entry).unwrap();
        assert_eq!(ron::from_str::<AuditEntry>(&ron).unwrap(), entry);
    }

    #[test]
    fn names_lose_control_characters() {
        assert_eq!(clean_name("eve\n01/01/2024 admin exported"), "eve01/01/2024 admin exported");
        assert_eq!(clean_name("\u{1b}[31mred\u{1b}[0m "), "[31mred[0m");
        assert_eq!(clean_name(&"x".repeat(500)).len(), 64);
    }
}
