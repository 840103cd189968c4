//! Everything the user can ask the app to do, as values: menus, shortcuts and
//! panels push commands, and the app carries them out once per frame.

use std::path::PathBuf;

/// The screens of the app, in workflow order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Backlog,
    Capacity,
    Rules,
    Plan,
    /// Keying in call outcomes from the printed lists.
    Calls,
    Overview,
}

impl Tab {
    pub const ALL: [Tab; 6] = [Tab::Backlog, Tab::Capacity, Tab::Rules, Tab::Plan, Tab::Calls, Tab::Overview];

    pub fn label(self) -> &'static str {
        match self {
            Tab::Backlog => "Backlog",
            Tab::Capacity => "Capacity",
            Tab::Rules => "Rules",
            Tab::Plan => "Plan",
            Tab::Calls => "Call outcomes",
            Tab::Overview => "Overview",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// A new plan from the default catalogue.
    New,
    /// Ask for a plan file to open.
    Open,
    /// Open this plan file.
    OpenPath(PathBuf),
    /// Save to the current file (or ask where, for a new plan).
    Save,
    /// Ask where to save, then save there.
    SaveAs,
    SaveTo(PathBuf),
    /// Ask for a backlog CSV, then preview it.
    ImportBacklog,
    ImportRota,
    /// Preview this CSV (nothing changes until accepted).
    ImportBacklogFrom(PathBuf),
    ImportRotaFrom(PathBuf),
    /// Ask for a CSV of call outcomes a colleague filled in, then preview it.
    ImportOutcomes,
    ImportOutcomesFrom(PathBuf),
    /// Open the print and export dialog.
    Print,
    Undo,
    Redo,
    ShowTab(Tab),
    /// Work out, in the background, which extra sessions would help.
    Advise,
    /// Plan (or re-plan) the backlog in the background.
    Solve,
    /// Re-plan with an advised extra session added; previewed before it changes anything.
    AddSession(Box<crate::scheduler::Advice>),
    CancelSolve,
    /// Close the window (asks first when there are unsaved changes).
    Quit,
    /// Ask for a passphrase to encrypt the plan with from the next save on.
    Protect,
    /// Save the plan unencrypted from the next save on.
    RemoveProtection,
    /// Mask names and NHS numbers on screen, or show them again.
    TogglePrivacy,
    /// Show who printed or exported what.
    ShowAudit,
    /// Light, dark or follow the desktop.
    SetTheme(egui::ThemePreference),
    /// Show or hide the log of this session's messages.
    ToggleMessageLog,
}

impl Command {
    /// Commands that replace or close the document lose unsaved changes.
    pub fn discards_document(&self) -> bool {
        matches!(self, Command::New | Command::Open | Command::OpenPath(_) | Command::Quit)
    }
}
