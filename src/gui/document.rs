//! The one document the window edits: the plan, where it lives on disk, the
//! last saved state (for the unsaved-changes marker) and undo/redo of every edit.

use crate::io::plan_file::{self, PlanFileError};
use crate::model::Plan;
use egui::util::undoer::{Settings, Undoer};
use std::path::{Path, PathBuf};

/// Undo points kept: each is a whole plan (about 1.5 MB per 1,000 items).
const MAX_UNDOS: usize = 40;

pub struct Document {
    plan: Plan,
    path: Option<PathBuf>,
    /// The plan as last loaded or saved; the document is dirty when it differs.
    saved: Plan,
    dirty: bool,
    undoer: Undoer<Plan>,
    /// Bumped on every change so panels can cache what they derive from the plan.
    revision: u64,
}

impl Document {
    pub fn new(plan: Plan, path: Option<PathBuf>) -> Document {
        let mut undoer = Undoer::with_settings(Settings { max_undos: MAX_UNDOS, ..Settings::default() });
        undoer.add_undo(&plan);
        Document { saved: plan.clone(), plan, path, dirty: false, undoer, revision: 0 }
    }

    /// A new plan from the default catalogue, not yet saved anywhere.
    pub fn untitled() -> Document {
        Document::new(Plan::new("New practice"), None)
    }

    pub fn open(path: &Path) -> Result<Document, PlanFileError> {
        let plan = plan_file::load(path)?;
        Ok(Document::new(plan, Some(path.to_path_buf())))
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Applies one user edit as one undo step. Returns what the edit returned.
    pub fn edit<R>(&mut self, change: impl FnOnce(&mut Plan) -> R) -> R {
        let before = self.plan.clone();
        let result = change(&mut self.plan);
        if self.plan != before {
            self.undoer.add_undo(&before);
            // feed_state drops the redo branch (a new edit after an undo), add_undo seals the step.
            self.undoer.feed_state(0.0, &self.plan);
            self.undoer.add_undo(&self.plan);
            self.changed();
        }
        result
    }

    /// Applies an edit that may be refused: on `Err` the plan is left untouched.
    pub fn try_edit<R, E>(&mut self, change: impl FnOnce(&mut Plan) -> Result<R, E>) -> Result<R, E> {
        let mut draft = self.plan.clone();
        let result = change(&mut draft)?;
        self.edit(|plan| *plan = draft);
        Ok(result)
    }

    pub fn can_undo(&self) -> bool {
        self.undoer.has_undo(&self.plan)
    }

    pub fn can_redo(&self) -> bool {
        self.undoer.has_redo(&self.plan)
    }

    pub fn undo(&mut self) -> bool {
        match self.undoer.undo(&self.plan) {
            Some(state) => {
                self.plan = state.clone();
                self.changed();
                true
            }
            None => false,
        }
    }

    pub fn redo(&mut self) -> bool {
        match self.undoer.redo(&self.plan) {
            Some(state) => {
                self.plan = state.clone();
                self.changed();
                true
            }
            None => false,
        }
    }

    /// Saves to `path` (atomically, keeping a backup) and makes it the document's file.
    pub fn save_as(&mut self, path: &Path) -> Result<(), PlanFileError> {
        let mut plan = self.plan.clone();
        plan.normalise();
        plan_file::save(&plan, path)?;
        if plan != self.plan {
            // Keep what is on screen identical to what is on disk.
            self.edit(|p| *p = plan);
        }
        self.saved = self.plan.clone();
        self.path = Some(path.to_path_buf());
        self.dirty = false;
        self.revision += 1;
        Ok(())
    }

    /// "plan.rebook.ron", or "Untitled" for a plan never saved.
    pub fn file_name(&self) -> String {
        self.path
            .as_deref()
            .and_then(Path::file_name)
            .map_or_else(|| "Untitled".to_string(), |n| n.to_string_lossy().into_owned())
    }

    /// The window title: "Rebook — file[ *] — practice".
    pub fn title(&self) -> String {
        let marker = if self.dirty { " *" } else { "" };
        format!("Rebook — {}{marker} — {}", self.file_name(), self.plan.practice.name)
    }

    fn changed(&mut self) {
        self.revision += 1;
        self.dirty = self.plan != self.saved;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_undo_redo_and_dirty_marker() {
        let mut doc = Document::new(Plan::new("Practice A"), None);
        assert!(!doc.is_dirty() && !doc.can_undo());
        doc.edit(|p| p.practice.name = "Practice B".into());
        doc.edit(|p| p.rules.reserve = 0.3);
        assert!(doc.is_dirty());
        assert_eq!(doc.title(), "Rebook — Untitled * — Practice B");
        assert!(doc.undo());
        assert_eq!(doc.plan().rules.reserve, 0.2);
        assert!(doc.undo());
        assert_eq!(doc.plan().practice.name, "Practice A");
        assert!(!doc.is_dirty(), "back at the saved state");
        assert!(doc.redo());
        assert_eq!(doc.plan().practice.name, "Practice B");
        // A new edit after an undo drops the redo branch.
        doc.edit(|p| p.rules.late_penalty = 5.0);
        assert!(!doc.redo());
        assert_eq!(doc.plan().rules.reserve, 0.2);
        let refused: Result<(), &str> = doc.try_edit(|p| {
            p.rules.reserve = 0.9;
            Err("no")
        });
        assert!(refused.is_err());
        assert_eq!(doc.plan().rules.reserve, 0.2);
    }
}
