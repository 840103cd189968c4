//! What every screen of the window has in common: it is drawn with the
//! document to show and change, and it reports back in one way, by events the
//! app reads after the frame. A panel never reaches into the app, so each one
//! can be drawn and tested on its own.

use super::command::Command;
use super::document::Document;
use super::solved::Applied;

/// What a panel tells the app.
#[derive(Debug, Clone, PartialEq)]
pub enum PanelEvent {
    /// Something for the app to do, as a menu item or shortcut would ask.
    Command(Command),
    /// News for the message bar.
    Info(String),
    /// A problem for the message bar: it stays until dismissed.
    Error(String),
    /// A re-plan replaced the plan: news for the message bar, and what the
    /// worker made ready with it (the summary, the autosave's copy, the old
    /// plan to drop off the window's thread).
    PlanApplied(String, Box<Applied>),
}

/// What a panel is drawn with: the document, and the outbox for its events.
pub struct PanelContext<'a> {
    pub doc: &'a mut Document,
    events: Vec<PanelEvent>,
}

impl<'a> PanelContext<'a> {
    pub fn new(doc: &'a mut Document) -> PanelContext<'a> {
        PanelContext { doc, events: Vec::new() }
    }

    pub fn send(&mut self, event: PanelEvent) {
        self.events.push(event);
    }

    /// What the panel sent, oldest first.
    pub fn into_events(self) -> Vec<PanelEvent> {
        self.events
    }
}

/// A screen of the window (a tab, or the summary beside them).
pub trait Panel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>);
}
