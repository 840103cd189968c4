//! Editing a copy: forms whose fields change together (rules, clinicians,
//! reserve) edit a draft and apply it as one undo step, so dragging a number
//! does not leave forty undo points and half-typed names never reach the plan.

/// What the user asked for with the draft's buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftAction {
    None,
    Apply,
    Discard,
}

/// A draft of `T`: `None` while it equals what the plan holds.
pub struct Draft<T> {
    value: Option<T>,
}

impl<T> Default for Draft<T> {
    fn default() -> Self {
        Draft { value: None }
    }
}

impl<T: Clone + PartialEq> Draft<T> {
    /// The value to show: the draft if there is one, else the plan's.
    pub fn current(&self, from_plan: &T) -> T {
        self.value.clone().unwrap_or_else(|| from_plan.clone())
    }

    /// Keeps `edited` as the draft, or drops the draft when it equals the plan.
    pub fn keep(&mut self, edited: T, from_plan: &T) {
        self.value = if edited == *from_plan { None } else { Some(edited) };
    }

    pub fn clear(&mut self) {
        self.value = None;
    }
}

/// "Apply changes" / "Discard changes", enabled only when there is something to apply.
pub fn buttons(ui: &mut egui::Ui, modified: bool, what: &str) -> DraftAction {
    let mut action = DraftAction::None;
    ui.horizontal(|ui| {
        if ui.add_enabled(modified, egui::Button::new(format!("Apply {what}"))).clicked() {
            action = DraftAction::Apply;
        }
        if ui.add_enabled(modified, egui::Button::new(format!("Discard {what} changes"))).clicked() {
            action = DraftAction::Discard;
        }
        if modified {
            ui.colored_label(ui.visuals().warn_fg_color, "Changes not applied yet");
        }
    });
    action
}

/// Gives a widget whose visible text is ambiguous ("Remove", "Up") its full
/// accessible name ("Remove Soon"), for screen readers and tests.
pub fn named(response: egui::Response, name: &str) -> egui::Response {
    response.ctx.accesskit_node_builder(response.id, |node| node.set_label(name));
    response
}

/// A one-line field as wide as its text (at least `min_width`). Inside a grid a
/// plain field is only as wide as its column already is, which squeezed names
/// to a few letters ("Dr P") in columns that start narrow.
pub fn fitted_text_edit(ui: &mut egui::Ui, text: &mut String, min_width: f32) -> egui::Response {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let text_width = ui.ctx().fonts_mut(|f| f.layout_no_wrap(text.clone(), font, egui::Color32::PLACEHOLDER).size().x);
    let width = (text_width + 2.0 * ui.spacing().button_padding.x + 8.0).max(min_width);
    let height = ui.spacing().interact_size.y;
    ui.add_sized([width, height], egui::TextEdit::singleline(text).desired_width(width))
}

/// A column heading of a fixed size that wraps onto a second line rather than
/// being cut (a justified layout would spread the letters of a wrapped name).
pub fn header_cell(ui: &mut egui::Ui, text: &str, size: [f32; 2]) -> egui::Response {
    let size = egui::Vec2::from(size);
    ui.allocate_ui_with_layout(size, egui::Layout::top_down(egui::Align::Center), |ui| {
        ui.set_min_size(size);
        ui.add(egui::Label::new(egui::RichText::new(text).strong()).wrap())
    })
    .inner
}
