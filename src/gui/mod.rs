//! The desktop app: a thin egui layer over the library. One document with
//! undo, one file per screen (each a `Panel` reporting back by events),
//! commands drained once per frame; no scheduling or file logic lives here.

mod app;
mod autosave;
mod backlog;
mod calendar;
mod capacity;
mod command;
pub mod dates;
mod document;
mod draft;
mod files;
mod guide;
mod history_window;
mod import;
mod item_editor;
mod menu;
mod messages;
mod outcome_entry;
mod overview;
mod panel;
mod passphrase;
mod plan_view;
mod print_dialog;
pub mod privacy;
mod rules;
mod sharing;
mod solved;
mod step_label;
mod summary_panel;
mod tasks;
mod theme;
mod urgency;

pub use crate::io::settings::RecentFiles;
pub use app::{AppOptions, Message, RebookApp, StartWith};
pub use backlog::{BacklogFilter, BacklogPanel, ItemStatus};
pub use capacity::CapacityPanel;
pub use command::{Command, Tab};
pub use document::Document;
pub use files::{FileChooser, FilePurpose, FileRequest, NativeChooser, PathEntryChooser, ScriptedChooser};
pub use import::{ImportDialog, ImportKind};
pub use outcome_entry::OutcomeEntryPanel;
pub use overview::OverviewPanel;
pub use panel::{Panel, PanelContext, PanelEvent};
pub use plan_view::PlanPanel;
pub use rules::RulesPanel;
pub use summary_panel::SummaryPanel;

use std::path::PathBuf;

/// The example outage plan shipped in `data/`: beside the working directory
/// (an installed copy) or in the source tree (`cargo run`).
pub fn example_plan_path() -> Option<PathBuf> {
    let relative = PathBuf::from("data").join("example.rebook.ron");
    [relative.clone(), PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(&relative)].into_iter().find(|p| p.is_file())
}

/// Opens the window on `file`, or on the last plan / the example when `None`.
pub fn run(file: Option<PathBuf>) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Rebook")
            .with_app_id("rebook")
            .with_inner_size([1400.0, 860.0])
            .with_min_inner_size([800.0, 500.0]),
        ..eframe::NativeOptions::default()
    };
    let start = file.map_or(StartWith::LastOrExample, StartWith::File);
    eframe::run_native(
        "Rebook",
        options,
        Box::new(move |cc| {
            let chooser = files::default_chooser(&cc.egui_ctx);
            Ok(Box::new(RebookApp::new(AppOptions {
                start,
                chooser,
                recent_store: crate::io::settings::default_recent_store(),
                recovery: crate::io::recovery::RecoveryStore::user_default(),
            })))
        }),
    )
    .map_err(|e| anyhow::anyhow!("could not open the window: {e}"))
}
