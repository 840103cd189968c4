//! The Backlog screen: every cancelled appointment in a virtualised table
//! (smooth at 10,000 rows), filtered and sorted, with add, edit and remove.

use super::dates;
use super::document::Document;
use super::item_editor::{EditorState, ItemEditor};
use super::panel::{Panel, PanelContext, PanelEvent};
use super::privacy;
use crate::model::{BacklogItem, Booking, ContactStatus, Continuity, Outcome, Plan};
use egui_extras::{Column, TableBuilder};
use std::cmp::Ordering;
use std::collections::HashMap;

/// Where an appointment stands, as the backlog's status column and filter show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemStatus {
    NotPlanned,
    Booked,
    Notified,
    Confirmed,
    NoAnswer,
    Declined,
    Unplaced,
    /// No longer in the clinical system's list (a re-import): not planned.
    SetAside,
}

impl ItemStatus {
    pub const ALL: [ItemStatus; 8] = [
        ItemStatus::NotPlanned,
        ItemStatus::Booked,
        ItemStatus::Notified,
        ItemStatus::Confirmed,
        ItemStatus::NoAnswer,
        ItemStatus::Declined,
        ItemStatus::Unplaced,
        ItemStatus::SetAside,
    ];

    pub fn of(plan: &Plan, item: &BacklogItem, booking: Option<&Booking>) -> ItemStatus {
        if plan.is_set_aside(&item.id) {
            return ItemStatus::SetAside;
        }
        let Some(booking) = booking else {
            return ItemStatus::NotPlanned;
        };
        match (&booking.outcome, booking.contact) {
            (_, ContactStatus::Declined) => ItemStatus::Declined,
            (Outcome::Unplaced { .. }, _) => ItemStatus::Unplaced,
            (Outcome::Placed { .. }, ContactStatus::Confirmed) => ItemStatus::Confirmed,
            (Outcome::Placed { .. }, ContactStatus::NoAnswer) => ItemStatus::NoAnswer,
            (Outcome::Placed { .. }, ContactStatus::Notified) => ItemStatus::Notified,
            (Outcome::Placed { .. }, ContactStatus::NotContacted) => ItemStatus::Booked,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::NotPlanned => "Not planned",
            ItemStatus::Booked => "Booked",
            ItemStatus::Notified => "Notified",
            ItemStatus::Confirmed => "Confirmed",
            ItemStatus::NoAnswer => "No answer",
            ItemStatus::Declined => "Declined",
            ItemStatus::Unplaced => "Unplaced",
            ItemStatus::SetAside => "Set aside",
        }
    }
}

/// What the table shows; every field empty/None shows everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BacklogFilter {
    /// Matches id, patient name, NHS number (spaces ignored) and notes.
    pub search: String,
    pub priority: Option<String>,
    pub appointment_type: Option<String>,
    /// Clinician id: the original clinician, the continuity clinician or the booked one.
    pub clinician: Option<String>,
    pub status: Option<ItemStatus>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortColumn {
    Id,
    Patient,
    Priority,
    Type,
    Original,
    Clinician,
    SeeBy,
    Status,
    Booked,
}

/// Per-revision facts about the plan the table needs for every row.
struct Index {
    revision: u64,
    /// Backlog position -> booking position.
    booking: Vec<Option<usize>>,
    clinician_names: HashMap<String, String>,
    /// Session id -> (date, clinician id).
    sessions: HashMap<String, (chrono::NaiveDate, String)>,
}

impl Index {
    fn build(doc: &Document) -> Index {
        let plan = doc.plan();
        let by_id: HashMap<&str, usize> =
            plan.bookings.iter().enumerate().map(|(i, b)| (b.appointment_id.as_str(), i)).collect();
        Index {
            revision: doc.revision(),
            booking: plan.backlog.iter().map(|item| by_id.get(item.id.as_str()).copied()).collect(),
            clinician_names: plan.clinicians.iter().map(|c| (c.id.clone(), c.name.clone())).collect(),
            sessions: plan.sessions.iter().map(|s| (s.id.clone(), (s.date, s.clinician.clone()))).collect(),
        }
    }

    fn booking<'p>(&self, plan: &'p Plan, row: usize) -> Option<&'p Booking> {
        self.booking.get(row).copied().flatten().and_then(|b| plan.bookings.get(b))
    }

    fn clinician_name<'a>(&'a self, id_or_text: &'a str) -> &'a str {
        self.clinician_names.get(id_or_text).map_or(id_or_text, String::as_str)
    }

    fn booked_session(&self, booking: Option<&Booking>) -> Option<&(chrono::NaiveDate, String)> {
        booking.and_then(Booking::session).and_then(|s| self.sessions.get(s))
    }
}

pub struct BacklogPanel {
    pub filter: BacklogFilter,
    sort: SortColumn,
    ascending: bool,
    index: Option<Index>,
    /// Backlog positions shown, in display order.
    view: Vec<usize>,
    view_key: Option<(u64, BacklogFilter, SortColumn, bool)>,
    selected: Option<String>,
    editor: Option<ItemEditor>,
    /// A row the keyboard moved to, scrolled into view on the next frame.
    scroll_to: Option<usize>,
}

impl Default for BacklogPanel {
    fn default() -> Self {
        BacklogPanel {
            filter: BacklogFilter::default(),
            sort: SortColumn::Original,
            ascending: true,
            index: None,
            view: Vec::new(),
            view_key: None,
            selected: None,
            editor: None,
            scroll_to: None,
        }
    }
}

impl BacklogPanel {
    /// Ids of the rows the table shows, in order (for tests and printing what is on screen).
    pub fn visible_ids(&mut self, doc: &Document) -> Vec<String> {
        self.refresh(doc);
        self.view.iter().filter_map(|&i| doc.plan().backlog.get(i)).map(|b| b.id.clone()).collect()
    }

    pub fn is_editing(&self) -> bool {
        self.editor.is_some()
    }

    /// The appointment whose row is selected.
    pub fn selected(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    /// Up and Down move the selection, Enter edits it (unless a field has the keyboard).
    fn keyboard(&mut self, ui: &egui::Ui, doc: &Document) {
        let ctx = ui.ctx();
        if self.editor.is_some() || ctx.text_edit_focused() || ctx.any_popup_open() || self.view.is_empty() {
            return;
        }
        let (up, down, enter) = ui.input(|i| {
            (i.key_pressed(egui::Key::ArrowUp), i.key_pressed(egui::Key::ArrowDown), i.key_pressed(egui::Key::Enter))
        });
        let plan = doc.plan();
        let position = self
            .selected
            .as_deref()
            .and_then(|id| self.view.iter().position(|&i| plan.backlog.get(i).is_some_and(|b| b.id == id)));
        let target = match (up, down, position) {
            (true, _, Some(p)) => Some(p.saturating_sub(1)),
            (_, true, Some(p)) => Some((p + 1).min(self.view.len() - 1)),
            (true, _, None) | (_, true, None) => Some(0),
            _ => None,
        };
        if let Some(row) = target
            && let Some(item) = self.view.get(row).and_then(|&i| plan.backlog.get(i))
        {
            self.selected = Some(item.id.clone());
            self.scroll_to = Some(row);
        }
        if enter && let Some(item) = self.selected.as_deref().and_then(|id| plan.backlog_item(id)) {
            self.editor = Some(ItemEditor::edit_item(plan, item));
        }
    }

    fn refresh(&mut self, doc: &Document) {
        if self.index.as_ref().is_none_or(|i| i.revision != doc.revision()) {
            self.index = Some(Index::build(doc));
        }
        let key = (doc.revision(), self.filter.clone(), self.sort, self.ascending);
        if self.view_key.as_ref() == Some(&key) {
            return;
        }
        let Some(index) = &self.index else { return };
        let plan = doc.plan();
        let mut view: Vec<usize> = (0..plan.backlog.len()).filter(|&i| matches(plan, index, i, &self.filter)).collect();
        view.sort_by(|&a, &b| {
            let order = compare(plan, index, self.sort, a, b);
            let order = if self.ascending { order } else { order.reverse() };
            order.then_with(|| plan.backlog[a].original_key().cmp(&plan.backlog[b].original_key()))
        });
        self.view = view;
        self.view_key = Some(key);
    }

    fn filter_bar(&mut self, ui: &mut egui::Ui, plan: &Plan) {
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Search");
            ui.add(
                egui::TextEdit::singleline(&mut self.filter.search)
                    .hint_text("name, NHS number, id, notes")
                    .desired_width(200.0),
            )
            .labelled_by(label.id);
            let priorities: Vec<(String, String)> =
                plan.rules.priorities.iter().map(|p| (p.name.clone(), p.name.clone())).collect();
            choice(ui, "Priority", &mut self.filter.priority, &priorities);
            let types: Vec<(String, String)> =
                plan.appointment_types.iter().map(|t| (t.name.clone(), t.name.clone())).collect();
            choice(ui, "Type", &mut self.filter.appointment_type, &types);
            let clinicians: Vec<(String, String)> =
                plan.clinicians.iter().map(|c| (c.id.clone(), c.name.clone())).collect();
            choice(ui, "Clinician", &mut self.filter.clinician, &clinicians);
            let selected = self.filter.status.map_or("Any", ItemStatus::label);
            let label = ui.label("Status");
            egui::ComboBox::from_id_salt("filter-status")
                .selected_text(selected)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.status, None, "Any");
                    for status in ItemStatus::ALL {
                        ui.selectable_value(&mut self.filter.status, Some(status), status.label());
                    }
                })
                .response
                .labelled_by(label.id);
            if ui.button("Clear filters").clicked() {
                self.filter = BacklogFilter::default();
            }
        });
    }

    fn table(&mut self, ui: &mut egui::Ui, doc: &mut Document) {
        let Some(index) = &self.index else { return };
        let plan = doc.plan();
        let mut clicked_sort = None;
        let mut select = None;
        let mut open_editor = None;
        let text_height = egui::TextStyle::Body.resolve(ui.style()).size.max(ui.spacing().interact_size.y);
        let headers: [(&str, Option<SortColumn>); 12] = [
            ("ID", Some(SortColumn::Id)),
            ("Patient", Some(SortColumn::Patient)),
            ("NHS number", None),
            ("Priority", Some(SortColumn::Priority)),
            ("Type", Some(SortColumn::Type)),
            ("Slots", None),
            ("Original", Some(SortColumn::Original)),
            ("Clinician", Some(SortColumn::Clinician)),
            ("See by", Some(SortColumn::SeeBy)),
            ("Status", Some(SortColumn::Status)),
            ("Booked", Some(SortColumn::Booked)),
            ("Notes", None),
        ];
        let mut table = TableBuilder::new(ui).id_salt("backlog-table").striped(true).resizable(true);
        if let Some(row) = self.scroll_to.take() {
            table = table.scroll_to_row(row, None);
        }
        table
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::initial(80.0).at_least(50.0))
            .column(Column::initial(150.0).at_least(80.0).clip(true))
            .column(Column::initial(95.0))
            .column(Column::initial(60.0))
            .column(Column::initial(140.0).clip(true))
            .column(Column::initial(35.0))
            .column(Column::initial(130.0))
            .column(Column::initial(150.0).clip(true))
            .column(Column::initial(80.0))
            .column(Column::initial(85.0))
            .column(Column::initial(170.0).clip(true))
            .column(Column::remainder().at_least(80.0).clip(true))
            .header(text_height + 4.0, |mut header| {
                for (name, column) in headers {
                    header.col(|ui| match column {
                        Some(column) => {
                            let arrow = match (self.sort == column, self.ascending) {
                                (true, true) => " ^",
                                (true, false) => " v",
                                (false, _) => "",
                            };
                            let button = ui.add(
                                egui::Button::new(egui::RichText::new(format!("{name}{arrow}")).strong()).frame(false),
                            );
                            if button.on_hover_text(format!("Sort by {name}")).clicked() {
                                clicked_sort = Some(column);
                            }
                        }
                        None => {
                            ui.strong(name);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(text_height, self.view.len(), |mut row| {
                    let Some(&i) = self.view.get(row.index()) else { return };
                    let Some(item) = plan.backlog.get(i) else { return };
                    let booking = index.booking(plan, i);
                    let is_selected = self.selected.as_deref() == Some(item.id.as_str());
                    let mut hit = RowHit::default();
                    row.set_selected(is_selected);
                    row.col(|ui| {
                        hit.add(ui);
                        ui.label(&item.id);
                    });
                    row.col(|ui| {
                        hit.add(ui);
                        ui.label(privacy::name(ui.ctx(), &item.patient));
                    });
                    row.col(|ui| {
                        hit.add(ui);
                        ui.label(privacy::nhs_number(ui.ctx(), &item.patient));
                    });
                    row.col(|ui| {
                        hit.add(ui);
                        ui.label(super::urgency::text(ui.visuals(), &plan.rules, &item.priority, &item.priority));
                    });
                    row.col(|ui| {
                        hit.add(ui);
                        ui.label(&item.appointment_type);
                    });
                    row.col(|ui| {
                        hit.add(ui);
                        ui.label(item.slots.to_string());
                    });
                    row.col(|ui| {
                        hit.add(ui);
                        let mut text = dates::uk_day(item.original_date);
                        if let Some(t) = item.original_time {
                            text.push_str(&t.format(" %H:%M").to_string());
                        }
                        ui.label(text);
                    });
                    row.col(|ui| {
                        hit.add(ui);
                        let name = index.clinician_name(&item.original_clinician);
                        let wish = match &item.continuity {
                            Continuity::None => None,
                            Continuity::Preferred(c) => Some(("prefers", c)),
                            Continuity::Required(c) => Some(("must see", c)),
                        };
                        match wish {
                            Some((how, c)) if *c == item.original_clinician => ui.label(format!("{name} ({how})")),
                            Some((how, c)) => ui.label(format!("{name}; {how} {}", index.clinician_name(c))),
                            None => ui.label(name),
                        };
                    });
                    row.col(|ui| {
                        hit.add(ui);
                        ui.label(dates::uk_opt(item.see_by));
                    });
                    row.col(|ui| {
                        hit.add(ui);
                        let status = ItemStatus::of(plan, item, booking);
                        let text = status.label();
                        match (status, booking.map(|b| &b.outcome)) {
                            (ItemStatus::SetAside, _) => {
                                ui.weak(text).on_hover_text(
                                    "No longer in the clinical system's list (rebooked there?): not planned. \
                                     Remove it once checked.",
                                );
                            }
                            (ItemStatus::Unplaced | ItemStatus::Declined, Some(Outcome::Unplaced { reason })) => {
                                ui.colored_label(ui.visuals().error_fg_color, text)
                                    .on_hover_text(reason.describe(plan));
                            }
                            _ => {
                                ui.label(text);
                            }
                        }
                    });
                    row.col(|ui| {
                        hit.add(ui);
                        if let (Some(Outcome::Placed { time, .. }), Some((date, clinician))) =
                            (booking.map(|b| &b.outcome), index.booked_session(booking))
                        {
                            ui.label(format!(
                                "{} {} {}",
                                dates::uk_day(*date),
                                time.format("%H:%M"),
                                index.clinician_name(clinician)
                            ));
                        }
                    });
                    row.col(|ui| {
                        hit.add(ui);
                        ui.label(&item.notes);
                    });
                    if hit.clicked {
                        select = Some(item.id.clone());
                    }
                    if hit.double_clicked {
                        open_editor = Some(item.id.clone());
                    }
                });
            });
        if let Some(column) = clicked_sort {
            if self.sort == column {
                self.ascending = !self.ascending;
            } else {
                self.sort = column;
                self.ascending = true;
            }
        }
        if let Some(id) = select {
            self.selected = Some(id);
        }
        if let Some(id) = open_editor
            && let Some(item) = doc.plan().backlog_item(&id)
        {
            self.editor = Some(ItemEditor::edit_item(doc.plan(), item));
        }
    }
}

impl Panel for BacklogPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        if super::guide::is_needed(cx.doc.plan()) {
            if let Some(command) = super::guide::ui(ui, cx.doc.plan()) {
                cx.send(PanelEvent::Command(command));
            }
            ui.add_space(4.0);
        }
        self.refresh(cx.doc);
        self.filter_bar(ui, cx.doc.plan());
        ui.horizontal(|ui| {
            if ui.button("Add appointment").clicked() {
                self.editor = Some(ItemEditor::new_item(cx.doc.plan()));
            }
            let selected_item = self.selected.as_ref().and_then(|id| cx.doc.plan().backlog_item(id)).cloned();
            if ui.add_enabled(selected_item.is_some(), egui::Button::new("Edit selected")).clicked()
                && let Some(item) = &selected_item
            {
                self.editor = Some(ItemEditor::edit_item(cx.doc.plan(), item));
            }
            if ui.add_enabled(selected_item.is_some(), egui::Button::new("Remove selected")).clicked()
                && let Some(item) = &selected_item
            {
                let id = item.id.clone();
                cx.doc.edit(|plan| {
                    plan.backlog.retain(|b| b.id != id);
                    plan.bookings.retain(|b| b.appointment_id != id);
                });
                self.selected = None;
            }
            ui.separator();
            ui.label(format!("{} of {} appointments", self.view.len(), cx.doc.plan().backlog.len()));
            ui.separator();
            super::urgency::legend_ui(ui, &cx.doc.plan().rules);
        });
        ui.separator();
        self.keyboard(ui, cx.doc);
        ui.scope(|ui| {
            // Plain labels, so a click anywhere on a row selects it instead of selecting text.
            ui.style_mut().interaction.selectable_labels = false;
            self.table(ui, cx.doc);
        });
        if let Some(editor) = &mut self.editor {
            match editor.ui(ui.ctx(), cx.doc.plan()) {
                EditorState::Open => {}
                EditorState::Cancelled => self.editor = None,
                EditorState::Saved(outcome) => {
                    let outcome = *outcome;
                    let id = outcome.item.id.clone();
                    match outcome.replaces {
                        Some(old_id) => cx.doc.edit(|plan| {
                            let notes = outcome.item.notes.clone();
                            if let Some(slot) = plan.backlog.iter_mut().find(|b| b.id == old_id) {
                                // Notes go through the edit that timestamps them, so a merge
                                // with a colleague's save keeps the newer notes.
                                let mut item = outcome.item;
                                item.notes = std::mem::take(&mut slot.notes);
                                *slot = item;
                            }
                            let _ = crate::rules::edit::set_notes(plan, &id, &notes);
                        }),
                        None => cx.doc.edit(|plan| plan.backlog.push(outcome.item)),
                    }
                    if cx.doc.plan().backlog_item(&id).is_none() {
                        cx.send(PanelEvent::Error(format!(
                            "Appointment {id} could not be saved: it is no longer in the plan."
                        )));
                    }
                    self.selected = Some(id);
                    self.editor = None;
                }
            }
        }
    }
}

/// Clicks anywhere on a row, cell by cell: the cells' labels do not take
/// clicks (nor select text), so the whole row acts as one target.
#[derive(Default)]
pub(super) struct RowHit {
    pub clicked: bool,
    pub double_clicked: bool,
}

impl RowHit {
    /// Call once per cell; after its contents when they take clicks (selectable
    /// labels), so that it lies on top of them.
    pub fn add(&mut self, ui: &mut egui::Ui) {
        // Not focusable: Tab should not stop at every cell, and screen readers read the labels.
        let sense = egui::Sense::click() - egui::Sense::FOCUSABLE;
        let response = ui.interact(ui.max_rect(), ui.scope_id().with("row-hit"), sense);
        self.clicked |= response.clicked();
        // A click just before (on a filter, say) can make a quick double click count as a triple.
        self.double_clicked |= response.double_clicked() || response.triple_clicked();
    }
}

/// A combo box choosing one value or "Any"; options are (value, shown text).
fn choice(ui: &mut egui::Ui, label: &str, value: &mut Option<String>, options: &[(String, String)]) {
    let shown = value
        .as_ref()
        .map(|v| options.iter().find(|(o, _)| o == v).map_or(v.as_str(), |(_, text)| text.as_str()))
        .unwrap_or("Any");
    let label_response = ui.label(label);
    egui::ComboBox::from_id_salt(format!("filter-{label}"))
        .selected_text(shown)
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, "Any");
            for (option, text) in options {
                ui.selectable_value(value, Some(option.clone()), text);
            }
        })
        .response
        .labelled_by(label_response.id);
}

fn matches(plan: &Plan, index: &Index, i: usize, filter: &BacklogFilter) -> bool {
    let Some(item) = plan.backlog.get(i) else { return false };
    if filter.priority.as_ref().is_some_and(|p| !item.priority.eq_ignore_ascii_case(p)) {
        return false;
    }
    if filter.appointment_type.as_ref().is_some_and(|t| !item.appointment_type.eq_ignore_ascii_case(t)) {
        return false;
    }
    let booking = index.booking(plan, i);
    if filter.status.is_some_and(|s| ItemStatus::of(plan, item, booking) != s) {
        return false;
    }
    if let Some(clinician) = &filter.clinician {
        let booked = index.booked_session(booking).map(|(_, c)| c.as_str());
        let hit = item.original_clinician == *clinician
            || item.continuity.clinician() == Some(clinician.as_str())
            || booked == Some(clinician.as_str());
        if !hit {
            return false;
        }
    }
    search_matches(item, &filter.search)
}

/// Every word typed must appear in the id, name, NHS number or notes (case-insensitive).
fn search_matches(item: &BacklogItem, search: &str) -> bool {
    let search = search.trim();
    if search.is_empty() {
        return true;
    }
    let haystack =
        format!("{} {} {} {}", item.id, item.patient.name, item.patient.nhs_number, item.notes).to_lowercase();
    let digits: String = search.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() >= 3 && digits.chars().all(|c| c.is_ascii_digit()) {
        return item.patient.nhs_number.contains(&digits) || haystack.contains(&digits);
    }
    search.to_lowercase().split_whitespace().all(|word| haystack.contains(word))
}

fn compare(plan: &Plan, index: &Index, column: SortColumn, a: usize, b: usize) -> Ordering {
    let (x, y) = (&plan.backlog[a], &plan.backlog[b]);
    match column {
        SortColumn::Id => x.id.cmp(&y.id),
        SortColumn::Patient => x.patient.name.to_lowercase().cmp(&y.patient.name.to_lowercase()),
        SortColumn::Priority => plan.rules.priority_rank(&x.priority).cmp(&plan.rules.priority_rank(&y.priority)),
        SortColumn::Type => x.appointment_type.cmp(&y.appointment_type),
        SortColumn::Original => x.original_key().cmp(&y.original_key()),
        SortColumn::Clinician => {
            index.clinician_name(&x.original_clinician).cmp(index.clinician_name(&y.original_clinician))
        }
        // Items without a see-by date sort last.
        SortColumn::SeeBy => (x.see_by.is_none(), x.see_by).cmp(&(y.see_by.is_none(), y.see_by)),
        SortColumn::Status => {
            ItemStatus::of(plan, x, index.booking(plan, a)).cmp(&ItemStatus::of(plan, y, index.booking(plan, b)))
        }
        SortColumn::Booked => {
            let when = |i: usize| {
                let booking = index.booking(plan, i);
                let time = booking.and_then(|b| match &b.outcome {
                    Outcome::Placed { time, .. } => Some(*time),
                    Outcome::Unplaced { .. } => None,
                });
                (
                    index.booked_session(booking).map(|(d, _)| *d).is_none(),
                    index.booked_session(booking).map(|(d, _)| *d),
                    time,
                )
            };
            when(a).cmp(&when(b))
        }
    }
}
