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

/// The operating-system user name, or "unknown user" when the environment has none.
pub fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .map(|user| user.trim().to_string())
        .find(|user| !user.is_empty())
        .unwrap_or_else(|| "unknown user".to_string())
}

/// The computer's name (%COMPUTERNAME% on Windows, $HOSTNAME or /etc/hostname
/// elsewhere), or "unknown" when none can be found.
pub fn machine_name() -> String {
    ["COMPUTERNAME", "HOSTNAME"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .chain(std::fs::read_to_string("/etc/hostname").ok())
        .map(|name| name.trim().to_string())
        .find(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
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
}
