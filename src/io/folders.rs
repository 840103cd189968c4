//! The user's folders for Rebook, worked out in one place for every platform:
//! settings (the recent plans, the theme) in the configuration folder,
//! recovery files in the data folder.
//!
//! | platform | configuration                         | data                                   |
//! |----------|---------------------------------------|----------------------------------------|
//! | Windows  | `%APPDATA%\rebook`                    | `%APPDATA%\rebook`                     |
//! | macOS    | `~/Library/Application Support/rebook`| `~/Library/Application Support/rebook` |
//! | others   | `$XDG_CONFIG_HOME/rebook` (`~/.config`) | `$XDG_DATA_HOME/rebook` (`~/.local/share`) |

use std::ffi::OsString;
use std::path::PathBuf;

/// Which of the user's folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// Small settings the user chose.
    Config,
    /// Files Rebook writes for itself (recovery files).
    Data,
}

/// `<the user's folder of that kind>/rebook`; `None` when the environment
/// names no usable folder (then nothing is remembered between runs).
pub fn rebook_folder(kind: Folder) -> Option<PathBuf> {
    base(kind, |name| std::env::var_os(name), std::env::home_dir()).map(|b| b.join("rebook"))
}

/// The platform rule, with the environment passed in so it can be tested.
/// Only absolute paths count: a relative one would follow the working folder.
fn base(kind: Folder, var: impl Fn(&str) -> Option<OsString>, home: Option<PathBuf>) -> Option<PathBuf> {
    let var = |name: &str| var(name).map(PathBuf::from).filter(|p| p.is_absolute());
    let home = home.filter(|h| h.is_absolute());
    if cfg!(windows) {
        var("APPDATA")
    } else if cfg!(target_os = "macos") {
        home.map(|h| h.join("Library").join("Application Support"))
    } else {
        match kind {
            Folder::Config => var("XDG_CONFIG_HOME").or_else(|| home.map(|h| h.join(".config"))),
            Folder::Data => var("XDG_DATA_HOME").or_else(|| home.map(|h| h.join(".local").join("share"))),
        }
    }
}

#[cfg(all(test, unix, not(target_os = "macos")))]
mod tests {
    use super::*;

    #[test]
    fn xdg_folders_win_and_home_is_the_fallback_and_relative_paths_are_ignored() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| OsString::from(v))
        };
        let home = Some(PathBuf::from("/home/pat"));
        let set = env(&[("XDG_CONFIG_HOME", "/cfg"), ("XDG_DATA_HOME", "/data")]);
        assert_eq!(base(Folder::Config, set, home.clone()), Some(PathBuf::from("/cfg")));
        assert_eq!(base(Folder::Data, set, home.clone()), Some(PathBuf::from("/data")));
        let relative = env(&[("XDG_CONFIG_HOME", "cfg"), ("XDG_DATA_HOME", "")]);
        assert_eq!(base(Folder::Config, relative, home.clone()), Some(PathBuf::from("/home/pat/.config")));
        assert_eq!(base(Folder::Data, relative, home), Some(PathBuf::from("/home/pat/.local/share")));
        assert_eq!(base(Folder::Config, relative, Some(PathBuf::from("home"))), None);
        assert_eq!(base(Folder::Data, env(&[]), None), None);
    }
}
