//! The Capacity screen: who works when. A day x clinician grid of sessions
//! with their free slots, a form to add a session, the clinicians and roles,
//! and the share of each day's slots held back for on-the-day demand.

use super::dates;
use super::draft::{self, Draft, DraftAction};
use super::panel::{Panel, PanelContext, PanelEvent};
use crate::model::{Clinician, Mode, PartOfDay, Plan, Session, WeekdayReserve, parse, weekday_short};
use crate::rules::edit;
use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Section {
    #[default]
    Sessions,
    Clinicians,
    Reserve,
}

/// The clinicians-and-roles form, edited as one draft.
#[derive(Debug, Clone, PartialEq)]
struct Staff {
    clinicians: Vec<Clinician>,
    roles: Vec<String>,
}

/// The reserve form: the default fraction and per-weekday overrides.
#[derive(Debug, Clone, PartialEq)]
struct Reserve {
    default: f64,
    by_weekday: Vec<WeekdayReserve>,
}

/// The add-a-session form, as typed.
struct SessionForm {
    clinician: String,
    date: String,
    part: PartOfDay,
    start: String,
    slot_minutes: u32,
    free_slots: u32,
    mode: Mode,
}

impl Default for SessionForm {
    fn default() -> Self {
        SessionForm {
            clinician: String::new(),
            date: String::new(),
            part: PartOfDay::AM,
            start: "08:30".into(),
            slot_minutes: 10,
            free_slots: 6,
            mode: Mode::FaceToFace,
        }
    }
}

/// "Dr Patel off sick Tuesday": a clinician and a date range.
#[derive(Default)]
struct Absence {
    clinician: String,
    from: String,
    to: String,
}

/// A weekly pattern for one clinician, filled over the horizon.
struct Template {
    clinician: String,
    weekdays: [bool; 5],
    am: bool,
    pm: bool,
    slots: u32,
}

impl Default for Template {
    fn default() -> Self {
        Template { clinician: String::new(), weekdays: [true; 5], am: true, pm: true, slots: 12 }
    }
}

#[derive(Default)]
pub struct CapacityPanel {
    absence: Absence,
    template: Template,
    section: Section,
    /// Free-slot edits not yet committed (a drag in progress), by session id.
    pending_slots: BTreeMap<String, u32>,
    new_session: SessionForm,
    /// The sessions grid shows only this role's clinicians.
    role_filter: Option<String>,
    staff: Draft<Staff>,
    new_clinician: (String, String),
    new_role: String,
    reserve: Draft<Reserve>,
}

impl Panel for CapacityPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.section, Section::Sessions, "Sessions");
            ui.selectable_value(&mut self.section, Section::Clinicians, "Clinicians and roles");
            ui.selectable_value(&mut self.section, Section::Reserve, "Reserve");
        });
        ui.separator();
        match self.section {
            Section::Sessions => self.sessions_ui(ui, cx),
            Section::Clinicians => self.staff_ui(ui, cx),
            Section::Reserve => self.reserve_ui(ui, cx),
        }
    }
}

impl CapacityPanel {
    fn sessions_ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        egui::CollapsingHeader::new("Add a session").id_salt("add-session").show(ui, |ui| {
            if let Some(new) = self.new_session_ui(ui, cx) {
                match cx.doc.try_edit(|plan| edit::add_session(plan, new)) {
                    Ok(_) => self.new_session.date.clear(),
                    Err(e) => cx.send(PanelEvent::Error(format!("Add a session: {e}."))),
                }
            }
        });
        egui::CollapsingHeader::new("Mark a clinician absent").id_salt("absence").show(ui, |ui| {
            self.absence_ui(ui, cx);
        });
        egui::CollapsingHeader::new("Weekly template").id_salt("template").show(ui, |ui| {
            self.template_ui(ui, cx);
        });
        let plan = cx.doc.plan();
        let days = days_of(plan);
        if plan.clinicians.is_empty() || days.is_empty() {
            ui.label("No sessions yet: add clinicians, then their sessions.");
            return;
        }
        let mut by_cell: BTreeMap<(NaiveDate, &str), Vec<&Session>> = BTreeMap::new();
        for s in &plan.sessions {
            by_cell.entry((s.date, s.clinician.as_str())).or_default().push(s);
        }
        for list in by_cell.values_mut() {
            list.sort_by_key(|s| (s.part, s.start));
        }
        let mut remove = None;
        let mut focused_here = false;
        ui.horizontal_wrapped(|ui| {
            ui.label("Free slots per session (drag or type). Right-click a session to remove it.");
            ui.separator();
            let label = ui.label("Show");
            egui::ComboBox::from_id_salt("sessions-role")
                .selected_text(self.role_filter.as_deref().unwrap_or("All roles"))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.role_filter, None, "All roles");
                    for role in &plan.roles {
                        ui.selectable_value(&mut self.role_filter, Some(role.clone()), role);
                    }
                })
                .response
                .labelled_by(label.id);
        });
        let shown: Vec<&Clinician> = plan
            .clinicians
            .iter()
            .filter(|c| self.role_filter.as_ref().is_none_or(|r| c.role.eq_ignore_ascii_case(r)))
            .collect();
        // Every row is one line high, so the frozen Day column and the
        // clinicians' columns (scrolling sideways) stay level.
        let row_height = ui.spacing().interact_size.y;
        let header_height = 2.0 * egui::TextStyle::Body.resolve(ui.style()).size + 8.0;
        let column_width = 104.0;
        egui::ScrollArea::vertical().id_salt("sessions-grid").auto_shrink(false).show(ui, |ui| {
            ui.horizontal_top(|ui| {
                egui::Grid::new("sessions-days").striped(true).spacing([10.0, 4.0]).min_row_height(row_height).show(
                    ui,
                    |ui| {
                        ui.add_sized([96.0, header_height], egui::Label::new(egui::RichText::new("Day").strong()));
                        ui.end_row();
                        for day in &days {
                            ui.label(dates::uk_day(*day));
                            ui.end_row();
                        }
                    },
                );
                egui::ScrollArea::horizontal().id_salt("sessions-grid-columns").auto_shrink([false, true]).show(
                    ui,
                    |ui| {
                        ui.spacing_mut().interact_size.x = 30.0;
                        egui::Grid::new("sessions")
                            .striped(true)
                            .spacing([10.0, 4.0])
                            .min_row_height(row_height)
                            .min_col_width(column_width)
                            .show(ui, |ui| {
                                for c in &shown {
                                    // Names wrap onto a second line rather than being cut.
                                    draft::header_cell(ui, &c.name, [column_width, header_height])
                                        .on_hover_text(format!("{} ({})", c.id, c.role));
                                }
                                ui.end_row();
                                for day in &days {
                                    for c in &shown {
                                        ui.horizontal(|ui| {
                                            ui.spacing_mut().item_spacing.x = 3.0;
                                            for s in by_cell
                                                .get(&(*day, c.id.as_str()))
                                                .map(Vec::as_slice)
                                                .unwrap_or_default()
                                            {
                                                let name = format!(
                                                    "{} {} {} free slots",
                                                    c.name,
                                                    dates::uk(*day),
                                                    s.part.label()
                                                );
                                                let help = format!(
                                                    "{} {} from {}, {}-minute slots, {}",
                                                    s.part.label(),
                                                    s.mode.label(),
                                                    s.start.format("%H:%M"),
                                                    s.slot_minutes,
                                                    if s.cancelled { "cancelled" } else { "running" }
                                                );
                                                ui.small(s.part.label());
                                                let response = if s.cancelled {
                                                    ui.label("off").on_hover_text(help)
                                                } else if !s.slot_times.is_empty() {
                                                    ui.label(s.slot_count().to_string())
                                                        .on_hover_text(format!("{help}; listed slot times"))
                                                } else {
                                                    let mut value =
                                                        self.pending_slots.get(&s.id).copied().unwrap_or(s.free_slots);
                                                    let response =
                                                        ui.add(egui::DragValue::new(&mut value).range(0..=60));
                                                    // Named for screen readers and tests: "Dr A Patel 22/07/2024 AM free slots".
                                                    ui.ctx().accesskit_node_builder(response.id, |node| {
                                                        node.set_label(name.as_str())
                                                    });
                                                    let response = response.on_hover_text(help);
                                                    if response.changed() {
                                                        self.pending_slots.insert(s.id.clone(), value);
                                                    }
                                                    focused_here |= response.has_focus() || response.dragged();
                                                    response
                                                };
                                                response.context_menu(|ui| {
                                                    if ui.button("Remove session").clicked() {
                                                        remove = Some(s.id.clone());
                                                        ui.close();
                                                    }
                                                });
                                            }
                                        });
                                    }
                                    ui.end_row();
                                }
                            });
                    },
                );
            });
        });
        // Commit the free-slot edits once the drag or typing is over: one undo step.
        let pointer_down = ui.input(|i| i.pointer.any_down());
        if !self.pending_slots.is_empty() && !focused_here && !pointer_down {
            let pending = std::mem::take(&mut self.pending_slots);
            if let Err(e) = cx.doc.try_edit(|plan| edit::set_free_slots(plan, &pending)) {
                cx.send(PanelEvent::Error(format!("Free slots: {e}.")));
            }
        }
        if let Some(id) = remove
            && let Err(e) = cx.doc.try_edit(|plan| edit::remove_session(plan, &id))
        {
            cx.send(PanelEvent::Error(format!("Remove session: {e}.")));
        }
    }

    fn absence_ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        let plan = cx.doc.plan();
        ui.label("Cancels their sessions in the range; bookings in them return to the backlog for re-planning.");
        ui.horizontal(|ui| {
            clinician_choice(ui, "Absent clinician", "absence-clinician", &mut self.absence.clinician, plan);
            let label = ui.label("From");
            ui.add(egui::TextEdit::singleline(&mut self.absence.from).hint_text("dd/mm/yyyy").desired_width(90.0))
                .labelled_by(label.id);
            let label = ui.label("To");
            ui.add(egui::TextEdit::singleline(&mut self.absence.to).hint_text("same day").desired_width(90.0))
                .labelled_by(label.id);
        });
        if !ui.button("Mark absent").clicked() {
            return;
        }
        let from = parse::date(&self.absence.from);
        let to = if self.absence.to.trim().is_empty() { from.clone() } else { parse::date(&self.absence.to) };
        let name = plan.clinician(&self.absence.clinician).map_or_else(String::new, |c| c.name.clone());
        let (from, to) = match (self.absence.clinician.is_empty(), from, to) {
            (true, _, _) => return cx.send(PanelEvent::Error("Mark absent: choose the clinician.".into())),
            (_, Err(e), _) | (_, _, Err(e)) => return cx.send(PanelEvent::Error(format!("Mark absent: {e}"))),
            (false, Ok(from), Ok(to)) => (from, to),
        };
        let id = self.absence.clinician.clone();
        match cx.doc.try_edit(|p| edit::cancel_sessions(p, &id, from, to)) {
            Err(e) => cx.send(PanelEvent::Error(format!("Mark absent: {e}."))),
            Ok(absence) => {
                cx.send(PanelEvent::Info(format!(
                    "{name} absent {} to {}: {} session(s) cancelled, {} booking(s) freed; re-plan to place them.",
                    dates::uk_day(from),
                    dates::uk_day(to),
                    absence.sessions,
                    absence.freed
                )));
                // Patients promised a time must hear of it: never silent.
                if let Some(warning) = absence.warning(&|n| super::privacy::name_text(ui.ctx(), n)) {
                    cx.send(PanelEvent::Error(format!("{warning}.")));
                }
            }
        }
    }

    fn template_ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        let plan = cx.doc.plan();
        ui.label("Adds the clinician's usual sessions on every working day of the horizon (weekends and bank holidays skipped).");
        ui.horizontal(|ui| {
            clinician_choice(ui, "Template clinician", "template-clinician", &mut self.template.clinician, plan);
            for (i, day) in ["Mon", "Tue", "Wed", "Thu", "Fri"].iter().enumerate() {
                ui.checkbox(&mut self.template.weekdays[i], *day);
            }
            ui.checkbox(&mut self.template.am, "AM");
            ui.checkbox(&mut self.template.pm, "PM");
            let label = ui.label("Free slots each");
            ui.add(egui::DragValue::new(&mut self.template.slots).range(1..=60)).labelled_by(label.id);
        });
        if !ui.button("Fill the horizon").clicked() {
            return;
        }
        if self.template.clinician.is_empty() {
            return cx.send(PanelEvent::Error("Weekly template: choose a clinician.".into()));
        }
        let weekdays = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
        let template = crate::rules::calendar::WeeklyTemplate {
            clinician: self.template.clinician.clone(),
            weekdays: weekdays.iter().zip(self.template.weekdays).filter(|(_, on)| *on).map(|(w, _)| *w).collect(),
            parts: [(PartOfDay::AM, self.template.am), (PartOfDay::PM, self.template.pm)]
                .into_iter()
                .filter(|(_, on)| *on)
                .map(|(p, _)| p)
                .collect(),
            start_am: crate::const_time!(8, 30),
            start_pm: crate::const_time!(14, 0),
            slot_minutes: 10,
            free_slots: self.template.slots,
            mode: Mode::FaceToFace,
        };
        match cx.doc.try_edit(|p| crate::rules::calendar::apply_template(p, &template)) {
            Ok(added) => cx.send(PanelEvent::Info(format!("Weekly template: {added} session(s) added."))),
            Err(e) => cx.send(PanelEvent::Error(format!("Weekly template: {e}."))),
        }
    }

    /// The form; when Add is pressed and what was typed reads, the session to add.
    fn new_session_ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) -> Option<Session> {
        let plan = cx.doc.plan();
        let form = &mut self.new_session;
        let mut add = false;
        egui::Grid::new("new-session").num_columns(2).show(ui, |ui| {
            let label = ui.label("Clinician");
            let shown = plan.clinician(&form.clinician).map_or("Choose", |c| c.name.as_str()).to_string();
            egui::ComboBox::from_id_salt("new-session-clinician")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    for c in &plan.clinicians {
                        ui.selectable_value(&mut form.clinician, c.id.clone(), &c.name);
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Session date");
            ui.add(egui::TextEdit::singleline(&mut form.date).hint_text("dd/mm/yyyy")).labelled_by(label.id);
            ui.end_row();
            ui.label("Part of day");
            ui.horizontal(|ui| {
                ui.radio_value(&mut form.part, PartOfDay::AM, "Morning");
                ui.radio_value(&mut form.part, PartOfDay::PM, "Afternoon");
            });
            ui.end_row();
            let label = ui.label("Starts at");
            ui.add(egui::TextEdit::singleline(&mut form.start).hint_text("hh:mm")).labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Slot length (minutes)");
            ui.add(egui::DragValue::new(&mut form.slot_minutes).range(5..=60)).labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Free slots");
            ui.add(egui::DragValue::new(&mut form.free_slots).range(1..=60)).labelled_by(label.id);
            ui.end_row();
            ui.label("Mode");
            ui.horizontal(|ui| {
                for mode in Mode::ALL {
                    ui.radio_value(&mut form.mode, mode, mode.label());
                }
            });
            ui.end_row();
            add = ui.button("Add session").clicked();
            ui.end_row();
        });
        if !add {
            return None;
        }
        let date = parse::date(&form.date);
        let start = parse::time(&form.start);
        let (false, Ok(date), Ok(start)) = (form.clinician.is_empty(), &date, &start) else {
            if form.clinician.is_empty() {
                cx.send(PanelEvent::Error("Add a session: choose the clinician.".into()));
            }
            if let Err(e) = &date {
                cx.send(PanelEvent::Error(format!("Add a session: {e}")));
            }
            if let Err(e) = &start {
                cx.send(PanelEvent::Error(format!("Add a session: {e}")));
            }
            return None;
        };
        // The id is made when it is added.
        Some(Session {
            id: String::new(),
            clinician: form.clinician.clone(),
            date: *date,
            part: form.part,
            start: *start,
            slot_minutes: form.slot_minutes,
            free_slots: form.free_slots,
            mode: form.mode,
            slot_times: Vec::new(),
            cancelled: false,
        })
    }

    fn staff_ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        let plan = cx.doc.plan();
        let from_plan = Staff { clinicians: plan.clinicians.clone(), roles: plan.roles.clone() };
        let mut staff = self.staff.current(&from_plan);
        let mut remove_clinician = None;
        let mut remove_role = None;
        egui::ScrollArea::vertical().id_salt("staff-scroll").show(ui, |ui| {
            ui.heading("Clinicians");
            egui::Grid::new("clinicians").num_columns(5).striped(true).spacing([12.0, 4.0]).show(ui, |ui| {
                for h in ["Id", "Name", "Role", "Daily cap", ""] {
                    ui.strong(h);
                }
                ui.end_row();
                let roles = staff.roles.clone();
                for (i, c) in staff.clinicians.iter_mut().enumerate() {
                    ui.label(&c.id);
                    draft::fitted_text_edit(ui, &mut c.name, 180.0).on_hover_text(format!("Name of {}", c.id));
                    egui::ComboBox::from_id_salt(("role", i))
                        .selected_text(&c.role)
                        .show_ui(ui, |ui| {
                            for r in &roles {
                                ui.selectable_value(&mut c.role, r.clone(), r);
                            }
                        })
                        .response
                        .on_hover_text(format!("Role of {}", c.id));
                    ui.horizontal(|ui| {
                        let mut capped = c.daily_cap.is_some();
                        draft::named(ui.checkbox(&mut capped, ""), &format!("Own daily cap for {}", c.id));
                        match (capped, c.daily_cap) {
                            (true, None) => c.daily_cap = Some(25),
                            (false, Some(_)) => c.daily_cap = None,
                            _ => {}
                        }
                        if let Some(cap) = &mut c.daily_cap {
                            ui.add(egui::DragValue::new(cap).range(1..=200))
                                .on_hover_text(format!("Daily cap of {}", c.id));
                        }
                    });
                    if draft::named(ui.button("Remove"), &format!("Remove {}", c.id)).clicked() {
                        remove_clinician = Some(i);
                    }
                    ui.end_row();
                }
            });
            ui.horizontal(|ui| {
                let label = ui.label("New clinician's name");
                ui.add(egui::TextEdit::singleline(&mut self.new_clinician.0).hint_text("Dr A Patel"))
                    .labelled_by(label.id);
                let role_label = ui.label("New clinician's role");
                let shown =
                    if self.new_clinician.1.is_empty() { "Choose".to_string() } else { self.new_clinician.1.clone() };
                egui::ComboBox::from_id_salt("new-clinician-role")
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        for r in &staff.roles {
                            ui.selectable_value(&mut self.new_clinician.1, r.clone(), r);
                        }
                    })
                    .response
                    .labelled_by(role_label.id);
                if ui.button("Add clinician").clicked() {
                    let (name, role) = (self.new_clinician.0.trim().to_string(), self.new_clinician.1.clone());
                    if name.is_empty() || role.is_empty() {
                        cx.send(PanelEvent::Error("Add clinician: type a name and choose a role.".into()));
                    } else {
                        let mut taken = staff.clinicians.iter().map(|c| c.id.clone()).collect();
                        let id = crate::io::csv_import::clinician_id(&mut taken, &name, &role);
                        staff.clinicians.push(Clinician {
                            id,
                            name,
                            role,
                            extra_types: Vec::new(),
                            excluded_types: Vec::new(),
                            daily_cap: None,
                        });
                        self.new_clinician.0.clear();
                    }
                }
            });
            ui.add_space(8.0);
            ui.heading("Roles");
            ui.horizontal_wrapped(|ui| {
                for (i, r) in staff.roles.iter().enumerate() {
                    ui.label(r);
                    if draft::named(ui.small_button("Remove"), &format!("Remove role {r}")).clicked() {
                        remove_role = Some(i);
                    }
                    ui.separator();
                }
            });
            ui.horizontal(|ui| {
                let label = ui.label("New role");
                ui.add(egui::TextEdit::singleline(&mut self.new_role)).labelled_by(label.id);
                if ui.button("Add role").clicked() {
                    let role = self.new_role.trim().to_string();
                    if role.is_empty() || staff.roles.iter().any(|r| r.eq_ignore_ascii_case(&role)) {
                        cx.send(PanelEvent::Error(format!("Add role: \"{role}\" is empty or already a role.")));
                    } else {
                        staff.roles.push(role);
                        self.new_role.clear();
                    }
                }
            });
            if let Some(i) = remove_clinician {
                match edit::check_clinician_removable(cx.doc.plan(), &staff.clinicians[i].id) {
                    Ok(()) => {
                        staff.clinicians.remove(i);
                    }
                    Err(e) => cx.send(PanelEvent::Error(format!("Remove clinician: {e}."))),
                }
            }
            if let Some(i) = remove_role {
                match edit::check_role_removable(cx.doc.plan(), &staff.clinicians, &staff.roles[i]) {
                    Ok(()) => {
                        staff.roles.remove(i);
                    }
                    Err(e) => cx.send(PanelEvent::Error(format!("Remove role: {e}."))),
                }
            }
            ui.separator();
            match draft::buttons(ui, staff != from_plan, "clinicians and roles") {
                DraftAction::Apply => {
                    let (clinicians, roles) = (staff.clinicians.clone(), staff.roles.clone());
                    match cx.doc.try_edit(|plan| edit::set_staff(plan, clinicians, roles)) {
                        Ok(()) => {
                            self.staff.clear();
                            return;
                        }
                        Err(e) => cx.send(PanelEvent::Error(format!("Clinicians: {e}."))),
                    }
                }
                DraftAction::Discard => {
                    self.staff.clear();
                    return;
                }
                DraftAction::None => {}
            }
            self.staff.keep(staff.clone(), &from_plan);
        });
    }

    fn reserve_ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        let rules = &cx.doc.plan().rules;
        let from_plan = Reserve { default: rules.reserve, by_weekday: rules.reserve_by_weekday.clone() };
        let mut reserve = self.reserve.current(&from_plan);
        ui.label("Share of each session's free slots held back for on-the-day demand.");
        ui.horizontal(|ui| {
            let label = ui.label("Every day");
            let mut percent = reserve.default * 100.0;
            ui.add(egui::Slider::new(&mut percent, 0.0..=100.0).suffix(" %").step_by(1.0)).labelled_by(label.id);
            reserve.default = percent / 100.0;
        });
        ui.label("Different on some weekdays (Mondays are usually busiest):");
        egui::Grid::new("reserve-weekdays").num_columns(2).show(ui, |ui| {
            for weekday in [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat] {
                let position = reserve.by_weekday.iter().position(|r| r.weekday == weekday);
                let mut own = position.is_some();
                ui.checkbox(&mut own, weekday_short(weekday));
                match (own, position) {
                    (true, None) => reserve.by_weekday.push(WeekdayReserve { weekday, fraction: reserve.default }),
                    (false, Some(i)) => {
                        reserve.by_weekday.remove(i);
                    }
                    _ => {}
                }
                if let Some(r) = reserve.by_weekday.iter_mut().find(|r| r.weekday == weekday) {
                    let mut percent = r.fraction * 100.0;
                    ui.add(egui::Slider::new(&mut percent, 0.0..=100.0).suffix(" %").step_by(1.0))
                        .on_hover_text(format!("Reserve on {}", weekday_short(weekday)));
                    r.fraction = percent / 100.0;
                } else {
                    ui.label("");
                }
                ui.end_row();
            }
        });
        reserve.by_weekday.sort_by_key(|r| r.weekday.num_days_from_monday());
        ui.separator();
        match draft::buttons(ui, reserve != from_plan, "reserve") {
            DraftAction::Apply => {
                cx.doc.edit(|plan| {
                    plan.rules.reserve = reserve.default;
                    plan.rules.reserve_by_weekday = reserve.by_weekday;
                });
                self.reserve.clear();
            }
            DraftAction::Discard => self.reserve.clear(),
            DraftAction::None => self.reserve.keep(reserve, &from_plan),
        }
    }
}

fn clinician_choice(ui: &mut egui::Ui, label: &str, id: &str, value: &mut String, plan: &Plan) {
    let label = ui.label(label);
    let shown = plan.clinician(value).map_or("Choose", |c| c.name.as_str()).to_string();
    egui::ComboBox::from_id_salt(id)
        .selected_text(shown)
        .show_ui(ui, |ui| {
            for c in &plan.clinicians {
                ui.selectable_value(value, c.id.clone(), &c.name);
            }
        })
        .response
        .labelled_by(label.id);
}

/// The days the grid shows: the horizon's weekdays, plus any day with a session.
fn days_of(plan: &Plan) -> Vec<NaiveDate> {
    let mut days: BTreeSet<NaiveDate> = plan.sessions.iter().map(|s| s.date).collect();
    if let Some(h) = plan.horizon {
        let mut day = h.start;
        while day <= h.end && days.len() < 400 {
            if day.weekday().num_days_from_monday() < 5 {
                days.insert(day);
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
    }
    days.into_iter().collect()
}
