//! The app's small settings, kept in the user's configuration folder (see
//! [`crate::io::folders`]): the recently opened plans (`recent.txt`, one path
//! a line, so the app can reopen the last plan on start) and the light/dark
//! choice (`theme.txt`, beside it). Read within a size cap and written
//! atomically, like every other file Rebook keeps; a missing, unreadable or
//! damaged settings file only means the defaults.

use crate::io::folders::{self, Folder};
use crate::io::limits::read_regular_file;
use crate::io::plan_file::{PlanFileError, replace_atomically};
use std::path::{Path, PathBuf};

const MAX_RECENT: usize = 8;
/// Eight paths and a word: anything larger is not ours and is ignored.
pub const MAX_SETTINGS_BYTES: u64 = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("could not create {path}: {error}")]
    // Not named `source`: the message already carries the cause (as in recovery).
    CreateFolder { path: PathBuf, error: std::io::Error },
    #[error(transparent)]
    Write(#[from] PlanFileError),
}

/// `<config dir>/rebook/recent.txt`, where the app keeps its recent plans.
pub fn default_recent_store() -> Option<PathBuf> {
    folders::rebook_folder(Folder::Config).map(|dir| dir.join("recent.txt"))
}

/// The theme file beside the recent-files list.
pub fn theme_store_beside(recent_store: Option<&Path>) -> Option<PathBuf> {
    recent_store.map(|p| p.with_file_name("theme.txt"))
}

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
            .and_then(read_text)
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
    pub fn add(&mut self, path: &Path) -> Result<(), SettingsError> {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        self.paths.retain(|p| *p != path);
        self.paths.insert(0, path);
        self.paths.truncate(MAX_RECENT);
        self.write()
    }

    pub fn remove(&mut self, path: &Path) -> Result<(), SettingsError> {
        self.paths.retain(|p| p != path);
        self.write()
    }

    fn write(&self) -> Result<(), SettingsError> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        let mut text = String::new();
        for p in &self.paths {
            text.push_str(&p.to_string_lossy());
            text.push('\n');
        }
        write_text(store, &text)
    }
}

/// Light, dark, or whatever the desktop uses. The window maps it to its own type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    /// The word stored in the theme file.
    pub fn name(self) -> &'static str {
        match self {
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
            ThemeChoice::System => "system",
        }
    }

    /// Anything but `light` or `dark` follows the system.
    pub fn parse(text: &str) -> ThemeChoice {
        match text.trim() {
            "light" => ThemeChoice::Light,
            "dark" => ThemeChoice::Dark,
            _ => ThemeChoice::System,
        }
    }
}

/// The remembered theme; the system's when there is none.
pub fn load_theme(store: Option<&Path>) -> ThemeChoice {
    store.and_then(read_text).map_or(ThemeChoice::System, |text| ThemeChoice::parse(&text))
}

pub fn save_theme(store: Option<&Path>, theme: ThemeChoice) -> Result<(), SettingsError> {
    match store {
        Some(path) => write_text(path, theme.name()),
        None => Ok(()),
    }
}

fn read_text(path: &Path) -> Option<String> {
    let bytes = read_regular_file(path, MAX_SETTINGS_BYTES).ok()?;
    String::from_utf8(bytes).ok()
}

fn write_text(path: &Path, text: &str) -> Result<(), SettingsError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|error| SettingsError::CreateFolder { path: dir.to_path_buf(), error })?;
    }
    Ok(replace_atomically(path, text.as_bytes())?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keeps_most_recent_first_without_duplicates_and_persists() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("cfg").join("recent.txt");
        let a = dir.path().join("a.rebook.ron");
        let b = dir.path().join("b.rebook.ron");
        for p in [&a, &b] {
            std::fs::write(p, "x").unwrap();
        }
        let mut recent = RecentFiles::load(Some(store.clone()));
        recent.add(&a).unwrap();
        recent.add(&b).unwrap();
        recent.add(&a).unwrap();
        let again = RecentFiles::load(Some(store.clone()));
        assert_eq!(again.paths().len(), 2);
        assert!(again.paths()[0].ends_with("a.rebook.ron"));
        assert!(again.last_existing().is_some_and(|p| p.ends_with("a.rebook.ron")));
        recent.remove(&recent.paths()[0].clone()).unwrap();
        assert_eq!(RecentFiles::load(Some(store)).paths().len(), 1);
    }

    #[test]
    fn the_list_keeps_only_the_most_recent_eight() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("recent.txt");
        let mut recent = RecentFiles::load(Some(store.clone()));
        for i in 0..12 {
            recent.add(&dir.path().join(format!("{i}.rebook.ron"))).unwrap();
        }
        let again = RecentFiles::load(Some(store));
        assert_eq!(again.paths().len(), MAX_RECENT);
        assert!(again.paths()[0].ends_with("11.rebook.ron"));
    }

    #[test]
    fn an_oversized_or_special_settings_file_is_ignored_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("recent.txt");
        let line = format!("{}\n", dir.path().join("p.rebook.ron").display());
        std::fs::write(&store, line.repeat(usize::try_from(MAX_SETTINGS_BYTES).unwrap() / line.len() + 1)).unwrap();
        assert!(RecentFiles::load(Some(store.clone())).paths().is_empty());
        std::fs::write(&store, "dark").unwrap();
        assert_eq!(load_theme(Some(&store)), ThemeChoice::Dark);
        // A folder where the file should be is not an error, just the default.
        assert_eq!(load_theme(Some(dir.path())), ThemeChoice::System);
    }

    #[test]
    fn the_theme_choice_round_trips_and_anything_else_follows_the_system() {
        let dir = tempfile::tempdir().unwrap();
        let store = theme_store_beside(Some(&dir.path().join("cfg").join("recent.txt")));
        assert!(store.as_deref().is_some_and(|p| p.ends_with("cfg/theme.txt")));
        assert_eq!(load_theme(store.as_deref()), ThemeChoice::System);
        for theme in [ThemeChoice::Light, ThemeChoice::Dark, ThemeChoice::System] {
            save_theme(store.as_deref(), theme).unwrap();
            assert_eq!(load_theme(store.as_deref()), theme);
        }
        assert_eq!(ThemeChoice::parse("purple"), ThemeChoice::System);
        assert!(save_theme(None, ThemeChoice::Dark).is_ok());
    }
}
