//! Light or dark: the window follows the desktop's choice unless the user
//! picks one in View, and the pick is remembered beside the recent-files list
//! (the file itself is the library's: [`crate::io::settings`]).

use crate::io::settings::{self, SettingsError, ThemeChoice};
use egui::ThemePreference;
use std::path::{Path, PathBuf};

/// The theme file beside the recent-files list.
pub fn store_beside(recent_store: Option<&Path>) -> Option<PathBuf> {
    settings::theme_store_beside(recent_store)
}

pub fn load(store: Option<&Path>) -> ThemePreference {
    to_egui(settings::load_theme(store))
}

pub fn save(store: Option<&Path>, theme: ThemePreference) -> Result<(), SettingsError> {
    settings::save_theme(store, from_egui(theme))
}

/// What the View menu calls each choice.
pub fn label(theme: ThemePreference) -> &'static str {
    match theme {
        ThemePreference::System => "Follow the system",
        ThemePreference::Light => "Light",
        ThemePreference::Dark => "Dark",
    }
}

fn to_egui(theme: ThemeChoice) -> ThemePreference {
    match theme {
        ThemeChoice::System => ThemePreference::System,
        ThemeChoice::Light => ThemePreference::Light,
        ThemeChoice::Dark => ThemePreference::Dark,
    }
}

fn from_egui(theme: ThemePreference) -> ThemeChoice {
    match theme {
        ThemePreference::System => ThemeChoice::System,
        ThemePreference::Light => ThemeChoice::Light,
        ThemePreference::Dark => ThemeChoice::Dark,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_maps_both_ways() {
        for theme in [ThemePreference::System, ThemePreference::Light, ThemePreference::Dark] {
            assert_eq!(to_egui(from_egui(theme)), theme);
        }
        assert_ne!(from_egui(ThemePreference::Light), from_egui(ThemePreference::Dark));
    }
}
