//! The recently opened plans, kept in a small text file (one path a line) in the
//! user's configuration folder so the app can reopen the last plan on start.

use crate::io::plan_file::write_atomically;
use std::path::{Path, PathBuf};

const MAX_RECENT: usize = 8;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct RecentFiles {
    paths: Vec<PathBuf>,
    /// Where the list is stored; `None` keeps it in memory only (tests).
    store: Option<PathBuf>,
}

impl RecentFiles {
    /// Reads the list from `store` (a missing or unreadable file is an empty list).
    pub fn load(store: Option<PathBuf>) -> RecentFiles {
        let paths = store
            .as_deref()
            .and_then(|s| std::fs::read_to_string(s).ok())
            .map(|text| text.lines().filter(|l| !l.trim().is_empty()).map(PathBuf::from).take(MAX_RECENT).collect())
            .unwrap_or_default();
        RecentFiles { paths, store }
    }

    /// Most recent first.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// The most recent plan that still exists.
    pub fn last_existing(&self) -> Option<&Path> {
        self.paths.iter().map(PathBuf::as_path).find(|p| p.is_file())
    }

    /// Moves `path` to the front and writes the list. Failing to remember a
    /// recent file is not worth interrupting the user for, so errors are returned
    /// for the caller to show but leave the list updated in memory.
    pub fn add(&mut self, path: &Path) -> Result<(), String> {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.paths.retain(|p| *p != path);
        self.paths.insert(0, path);
        self.paths.truncate(MAX_RECENT);
        self.write()
    }

    pub fn remove(&mut self, path: &Path) -> Result<(), String> {
        self.paths.retain(|p| p != path);
        self.write()
    }

    fn write(&self) -> Result<(), String> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        if let Some(dir) = store.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        }
        let mut text = String::new();
        for p in &self.paths {
            text.push_str(&p.to_string_lossy());
            text.push('\n');
        }
        write_atomically(store, text.as_bytes()).map_err(|e| e.to_string())
    }
}

/// `<config dir>/rebook/recent.txt`: XDG_CONFIG_HOME or ~/.config on Linux,
/// Application Support on macOS, %APPDATA% on Windows.
pub fn default_store() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).map(PathBuf::from).filter(|p| p.is_absolute());
    let base = if cfg!(windows) {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        std::env::home_dir().map(|h| h.join("Library").join("Application Support"))
    } else {
        env("XDG_CONFIG_HOME").or_else(|| std::env::home_dir().map(|h| h.join(".config")))
    };
    base.map(|b| b.join("rebook").join("recent.txt"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_most_recent_first_without_duplicates_and_persists() {
        let dir = tempfile::tempdir().ok();
        let Some(dir) = dir else { return };
        let store = dir.path().join("cfg").join("recent.txt");
        let a = dir.path().join("a.rebook.ron");
        let b = dir.path().join("b.rebook.ron");
        for p in [&a, &b] {
            assert!(std::fs::write(p, "x").is_ok());
        }
        let mut recent = RecentFiles::load(Some(store.clone()));
        assert!(recent.add(&a).is_ok() && recent.add(&b).is_ok() && recent.add(&a).is_ok());
        let again = RecentFiles::load(Some(store));
        assert_eq!(again.paths().len(), 2);
        assert!(again.paths()[0].ends_with("a.rebook.ron"));
        assert!(again.last_existing().is_some_and(|p| p.ends_with("a.rebook.ron")));
    }
}
