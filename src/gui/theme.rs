//! Light or dark: the window follows the desktop's choice unless the user
//! picks one in View, and the pick is remembered beside the recent-files list.

use egui::ThemePreference;
use std::path::{Path, PathBuf};

/// The theme file beside the recent-files list.
pub fn store_beside(recent_store: Option<&Path>) -> Option<PathBuf> {
    recent_store.map(|p| p.with_file_name("theme.txt"))
}

pub fn load(store: Option<&Path>) -> ThemePreference {
    store.and_then(|p| std::fs::read_to_string(p).ok()).map_or(ThemePreference::System, |text| parse(&text))
}

pub fn save(store: Option<&Path>, theme: ThemePreference) -> std::io::Result<()> {
    let Some(path) = store else { return Ok(()) };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, name(theme))
}

pub fn name(theme: ThemePreference) -> &'static str {
    match theme {
        ThemePreference::Light => "light",
        ThemePreference::Dark => "dark",
        ThemePreference::System => "system",
    }
}

/// What the View menu calls each choice.
pub fn label(theme: ThemePreference) -> &'static str {
    match theme {
        ThemePreference::System => "Follow the system",
        ThemePreference::Light => "Light",
        ThemePreference::Dark => "Dark",
    }
}

fn parse(text: &str) -> ThemePreference {
    match text.trim() {
        "light" => ThemePreference::Light,
        "dark" => ThemePreference::Dark,
        _ => ThemePreference::System,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choice_round_trips_and_anything_else_follows_the_system() {
        let dir = std::env::temp_dir().join(format!("rebook-theme-{}", std::process::id()));
        let store = store_beside(Some(&dir.join("recent.txt")));
        assert_eq!(load(store.as_deref()), ThemePreference::System);
        for theme in [ThemePreference::Light, ThemePreference::Dark, ThemePreference::System] {
            assert!(save(store.as_deref(), theme).is_ok());
            assert_eq!(load(store.as_deref()), theme);
        }
        assert_eq!(parse("purple"), ThemePreference::System);
        let _ = std::fs::remove_dir_all(dir);
    }
}
