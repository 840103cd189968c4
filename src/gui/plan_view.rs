//! The Plan screen: solve in the background (progress, cancel), the result as
//! a day x clinician calendar and as a patient list, and per booking its
//! explanation, pin/unpin, contact outcome and a move to a ranked alternative.

use super::command::Command;
use super::dates;
use super::document::Document;
use super::document::{ReplacedPlan, Stamp};
use super::panel::{Panel, PanelContext, PanelEvent};
use super::privacy;
use super::solved::{Applied, Leftovers, Problems, ReadyPlan};
use crate::model::{Booking, ContactStatus, Outcome};
use crate::report::{Problem, ProblemKind, ReplanPreview};
use crate::rules::edit;
use crate::scheduler::alternatives::{Alternative, alternatives};
use crate::scheduler::{Advice, Progress, SolveError};
use egui_extras::{Column, TableBuilder};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum View {
    #[default]
    Calendar,
    Patients,
}

/// A re-plan waiting for Apply or Cancel: what it would change, and the
/// plan it would give (nothing changes until Apply).
struct Pending {
    revision: u64,
    add: Option<Advice>,
    ready: Box<ReadyPlan>,
    preview: ReplanPreview,
}

#[derive(Default)]
pub struct PlanPanel {
    view: View,
    /// Set by the app each frame: the progress of the solve running in the background.
    pub solving: Option<Progress>,
    /// The report of the plan (late and unplaced appointments by id), per document revision.
    problems: Option<(u64, Problems)>,
    selected: Option<String>,
    only_problems: bool,
    /// Alternatives for the selected appointment at a revision.
    alternatives: Option<(u64, String, Vec<Alternative>)>,
    pending: Option<Pending>,
    /// Which clinicians the calendar shows.
    calendar: super::calendar::CalendarFilter,
}

/// What happened to a solve, for the message bar.
pub enum SolveOutcome {
    /// The message, and the summary of the plan applied (for the summary panel).
    Applied(String, Box<Applied>),
    Failed(String),
}

impl PlanPanel {
    pub fn selected(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    pub fn select(&mut self, appointment_id: &str) {
        self.selected = Some(appointment_id.to_string());
    }

    /// A new solve starts: the re-plan waiting for Apply, if any, gives way to it.
    pub fn solve_started(&mut self) {
        self.pending = None;
    }

    /// A re-plan is waiting for Apply or Cancel.
    pub fn has_preview(&self) -> bool {
        self.pending.is_some()
    }

    /// A solve started from the document at `started` finished: a first plan
    /// is applied, a re-plan previewed; a result for a plan edited meanwhile
    /// is set aside. The plan and all it takes to show it were made ready on
    /// the worker: an applied plan's summary comes back with the outcome.
    pub fn solved(
        &mut self,
        doc: &mut Document,
        started: Stamp,
        add: Option<Advice>,
        result: Result<Box<ReadyPlan>, SolveError>,
    ) -> Option<SolveOutcome> {
        Some(match result {
            Err(e) => SolveOutcome::Failed(format!("Planning did not finish: {e}.")),
            Ok(_) if doc.stamp() != started => SolveOutcome::Failed(
                "The plan was edited while planning, so the result was set aside: press Solve again.".into(),
            ),
            Ok(mut ready) => match ready.preview.take() {
                // A first plan moves nobody: nothing to preview.
                None => {
                    let (text, applied) = self.apply(doc, *ready, false);
                    SolveOutcome::Applied(text, Box::new(applied))
                }
                Some(preview) => {
                    self.pending = Some(Pending { revision: started.revision, add, ready, preview });
                    return None;
                }
            },
        })
    }

    /// Replaces the plan by the re-planned one and takes in what was derived
    /// from it; returns the message for the bar and the plan's summary.
    fn apply(&mut self, doc: &mut Document, ready: ReadyPlan, replan: bool) -> (String, Applied) {
        let ReadyPlan { after, undo_before, undo_after, differ, label, problems, summary, autosave_copy, .. } = ready;
        let old_plan = doc.replace_plan(ReplacedPlan {
            plan: after,
            undo_before: &undo_before,
            undo_after: &undo_after,
            differ,
            label,
        });
        let old_problems = self.problems.replace((doc.revision(), problems)).map(|(_, problems)| problems);
        let leftovers = Leftovers(vec![old_plan, undo_before, undo_after], old_problems);
        let plan = doc.plan();
        let placed = plan.bookings.iter().filter(|b| b.session().is_some()).count();
        let info = plan.solve_info.clone().unwrap_or_default();
        let mut text = format!("Planned: {placed} of {} appointments placed", plan.backlog.len());
        if replan {
            text.push_str(&format!("; {} booking(s) moved by the re-plan", info.moved));
        }
        if info.stopped_early {
            text.push_str(&format!(" (stopped early, within {:.1} % of the best possible)", info.gap * 100.0));
        }
        text.push('.');
        (text, Applied { revision: doc.revision(), summary, autosave_copy, leftovers })
    }

    /// The re-plan waiting for Apply or Cancel: what it would change, any
    /// promised booking it must move, and the two buttons.
    fn preview_ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        let Some(pending) = &self.pending else { return };
        let stale = pending.revision != cx.doc.revision();
        let mut choice = None;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            let what = match &pending.add {
                Some(advice) => format!("Adding {}", advice.summary.split(':').next().unwrap_or_default()),
                None => "Re-planning".to_string(),
            };
            ui.strong(format!("{what} would change the plan: nothing changes until you apply it."));
            ui.label(pending.preview.summary());
            if !pending.preview.promises_moved.is_empty() {
                let names: Vec<String> = pending
                    .preview
                    .promises_moved
                    .iter()
                    .map(|(id, name, was)| format!("{} ({id}, {was})", privacy::name_text(ui.ctx(), name)))
                    .collect();
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!(
                        "These patients were promised their time and would move, their session having gone: {}. Call them.",
                        names.join(", ")
                    ),
                );
            }
            if stale {
                ui.colored_label(ui.visuals().warn_fg_color, "The plan was edited since: re-plan again to apply.");
            }
            ui.horizontal(|ui| {
                if ui.add_enabled(!stale, egui::Button::new("Apply re-plan")).clicked() {
                    choice = Some(true);
                }
                if ui.button("Cancel re-plan").clicked() {
                    choice = Some(false);
                }
            });
        });
        match choice {
            Some(true) => {
                if let Some(pending) = self.pending.take() {
                    let (text, applied) = self.apply(cx.doc, *pending.ready, true);
                    cx.send(PanelEvent::PlanApplied(text, Box::new(applied)));
                }
            }
            Some(false) => self.pending = None,
            None => {}
        }
    }

    fn problems(&mut self, doc: &Document) -> &HashMap<String, Problem> {
        &self.report(doc).by_id
    }

    fn report(&mut self, doc: &Document) -> &Problems {
        if self.problems.as_ref().is_some_and(|(revision, _)| *revision != doc.revision()) {
            self.problems = None;
        }
        &self.problems.get_or_insert_with(|| (doc.revision(), Problems::of(doc.plan()))).1
    }

    /// The plan in words about patients: placed, late by priority, days waited,
    /// moved, usual clinician kept; the optimiser's figures under "Details".
    fn headline_ui(&mut self, ui: &mut egui::Ui, doc: &Document) {
        if !doc.plan().bookings.iter().any(|b| b.session().is_some()) {
            return;
        }
        let info = doc.plan().solve_info.clone();
        let r = &self.report(doc).report;
        let late: Vec<String> = r
            .priorities
            .iter()
            .filter(|p| p.late > 0)
            .map(|p| format!("{} {}", p.late, p.name.to_lowercase()))
            .collect();
        let waited: usize = r.priorities.iter().map(|p| p.placed).sum();
        let mean_wait = if waited == 0 {
            0.0
        } else {
            r.priorities.iter().map(|p| p.mean_wait * p.placed as f64).sum::<f64>() / waited as f64
        };
        ui.horizontal_wrapped(|ui| {
            ui.strong(format!("{} of {} patients placed", r.placed, r.total));
            ui.separator();
            ui.label(if late.is_empty() { "nobody late".to_string() } else { format!("late: {}", late.join(", ")) });
            ui.separator();
            ui.label(format!("{mean_wait:.1} days waited on average"));
            if info.is_some() {
                ui.separator();
                ui.label(format!("{} moved by the last re-plan", r.moved));
            }
            ui.separator();
            ui.label(format!("usual clinician kept for {:.0} %", r.continuity_kept));
        });
        if let Some(info) = info {
            egui::CollapsingHeader::new("Details").id_salt("plan-details").default_open(false).show(ui, |ui| {
                ui.label(format!(
                    "Plan score {:.0} (lower is better); lower bound {:.0}; within {:.2} % of the best possible{}.",
                    info.objective,
                    info.bound,
                    info.gap * 100.0,
                    if info.stopped_early { " (stopped early)" } else { "" }
                ));
            });
        }
    }

    fn toolbar(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        ui.horizontal(|ui| {
            if let Some(progress) = &self.solving {
                ui.add(egui::Spinner::new());
                ui.add(egui::ProgressBar::new(progress.fraction).desired_width(260.0).text(progress.message.clone()));
                if ui.button("Cancel planning").clicked() {
                    cx.send(PanelEvent::Command(Command::CancelSolve));
                }
            } else {
                let placed = cx.doc.plan().bookings.iter().any(|b| b.session().is_some());
                let verb = if placed { "Re-plan" } else { "Solve" };
                if ui.button(verb).on_hover_text("Confirmed and pinned bookings stay where they are").clicked() {
                    cx.send(PanelEvent::Command(Command::Solve));
                }
            }
            ui.separator();
            ui.selectable_value(&mut self.view, View::Calendar, "Calendar");
            ui.selectable_value(&mut self.view, View::Patients, "Patient list");
        });
        self.headline_ui(ui, cx.doc);
    }

    fn calendar_ui(&mut self, ui: &mut egui::Ui, doc: &Document) {
        let problems: HashMap<String, ProblemKind> =
            self.problems(doc).iter().map(|(k, p)| (k.clone(), p.kind)).collect();
        let selected = self.selected.as_deref();
        if let Some(id) = super::calendar::ui(ui, doc.plan(), &problems, selected, &mut self.calendar) {
            self.selected = Some(id);
        }
    }

    fn patients_ui(&mut self, ui: &mut egui::Ui, doc: &Document) {
        ui.checkbox(&mut self.only_problems, "Only late and unplaced");
        // The cached report is borrowed while the rows are drawn, not copied: at
        // hub scale a copy of it, or a booking found by a scan per row, cost a
        // frame 170 ms.
        self.report(doc);
        let Some((_, Problems { by_id: problems, .. })) = &self.problems else { return };
        let plan = doc.plan();
        let sessions: HashMap<&str, &crate::model::Session> =
            plan.sessions.iter().map(|s| (s.id.as_str(), s)).collect();
        let names: HashMap<&str, &str> = plan.clinicians.iter().map(|c| (c.id.as_str(), c.name.as_str())).collect();
        let bookings = plan.bookings_by_id();
        let rows: Vec<(&crate::model::BacklogItem, Option<&Booking>)> = plan
            .backlog
            .iter()
            .map(|item| (item, bookings.get(item.id.as_str()).copied()))
            .filter(|(item, _)| !self.only_problems || problems.contains_key(&item.id))
            .collect();
        let mut clicked = None;
        let height = egui::TextStyle::Body.resolve(ui.style()).size.max(ui.spacing().interact_size.y);
        TableBuilder::new(ui)
            .id_salt("patients-table")
            .striped(true)
            .resizable(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::initial(85.0))
            .column(Column::initial(160.0).clip(true))
            .column(Column::initial(65.0))
            .column(Column::initial(140.0).clip(true))
            .column(Column::initial(190.0).clip(true))
            .column(Column::initial(95.0))
            .column(Column::remainder().clip(true))
            .header(height + 4.0, |mut header| {
                for h in ["ID", "Patient", "Priority", "Type", "Booked", "Contact", "Why / problem"] {
                    header.col(|ui| {
                        ui.strong(h);
                    });
                }
            })
            .body(|body| {
                body.rows(height, rows.len(), |mut row| {
                    let Some((item, booking)) = rows.get(row.index()) else { return };
                    let selected = self.selected.as_deref() == Some(item.id.as_str());
                    row.set_selected(selected);
                    // A click anywhere on the row selects it (the id cell is a button of its own).
                    let mut hit = super::backlog::RowHit::default();
                    row.col(|ui| {
                        if ui.selectable_label(selected, &item.id).clicked() {
                            clicked = Some(item.id.clone());
                        }
                    });
                    row.col(|ui| {
                        ui.label(privacy::name(ui.ctx(), &item.patient));
                        hit.add(ui);
                    });
                    row.col(|ui| {
                        ui.label(super::urgency::text(ui.visuals(), &plan.rules, &item.priority, &item.priority));
                        hit.add(ui);
                    });
                    row.col(|ui| {
                        ui.label(&item.appointment_type);
                        hit.add(ui);
                    });
                    row.col(|ui| {
                        if let Some(Outcome::Placed { session, time }) = booking.map(|b| &b.outcome)
                            && let Some(s) = sessions.get(session.as_str())
                        {
                            let who = names.get(s.clinician.as_str()).copied().unwrap_or("");
                            let pin = if booking.is_some_and(|b| b.pinned) { " [pinned]" } else { "" };
                            ui.label(format!("{} {} {who}{pin}", dates::uk_day(s.date), time.format("%H:%M")));
                        }
                        hit.add(ui);
                    });
                    row.col(|ui| {
                        ui.label(booking.map_or("", |b| b.contact.label()));
                        hit.add(ui);
                    });
                    row.col(|ui| {
                        match problems.get(&item.id) {
                            Some(p) => {
                                let kind = if p.kind == ProblemKind::Late { "Late" } else { "Unplaced" };
                                ui.colored_label(ui.visuals().error_fg_color, format!("{kind}: {}", p.reason));
                            }
                            None => {
                                ui.label(booking.map_or("", |b| b.explanation.as_str()));
                            }
                        }
                        hit.add(ui);
                    });
                    if hit.clicked {
                        clicked = Some(item.id.clone());
                    }
                });
            });
        if clicked.is_some() {
            self.selected = clicked;
        }
    }

    fn details_ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        let Some(id) = self.selected.clone() else {
            ui.label("Select a booking to see why it is there, pin it, record the patient's answer or move it.");
            return;
        };
        let problem = self.problems(cx.doc).get(&id).cloned();
        let plan = cx.doc.plan();
        let (Some(item), booking) = (plan.backlog_item(&id), plan.booking(&id)) else {
            self.selected = None;
            return;
        };
        ui.heading(format!("{} {}", item.id, privacy::name(ui.ctx(), &item.patient)));
        ui.label(format!("{}, {}, {} slot(s)", item.appointment_type, item.priority, item.slots));
        patient_limits_ui(ui, plan, item);
        if let Some(b) = booking {
            match &b.outcome {
                Outcome::Placed { session, time } => {
                    let at = plan.session(session).map_or_else(
                        || session.clone(),
                        |s| {
                            let who = plan.clinician(&s.clinician).map_or(s.clinician.as_str(), |c| c.name.as_str());
                            format!(
                                "{} {} with {who} ({})",
                                dates::uk_day(s.date),
                                time.format("%H:%M"),
                                s.mode.label()
                            )
                        },
                    );
                    ui.strong(at);
                }
                Outcome::Unplaced { reason } => {
                    let reason = reason.describe(plan);
                    ui.colored_label(ui.visuals().error_fg_color, format!("Not placed: {reason}"));
                }
            }
            // The reason once: in red when late (an unplaced one says it above).
            if b.session().is_some() && !b.explanation.is_empty() {
                let why = format!("Why: {}", b.explanation);
                if problem.as_ref().is_some_and(|p| p.kind == ProblemKind::Late) {
                    ui.colored_label(ui.visuals().error_fg_color, why);
                } else {
                    ui.label(why);
                }
            }
            ui.label(format!("Contact: {}", b.contact.label()));
        }
        ui.separator();
        let placed = booking.is_some_and(|b| b.session().is_some());
        let pinned = booking.is_some_and(|b| b.pinned);
        let mut result: Option<Result<(), edit::EditError>> = None;
        ui.horizontal_wrapped(|ui| {
            let pin_text = if pinned { "Unpin" } else { "Pin" };
            if ui
                .add_enabled(placed, egui::Button::new(pin_text))
                .on_hover_text("A pinned booking stays put when re-planning")
                .clicked()
            {
                result = Some(cx.doc.try_edit(|p| edit::set_pinned(p, &id, !pinned)));
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.label("Patient says:");
            for status in
                [ContactStatus::Confirmed, ContactStatus::Declined, ContactStatus::NoAnswer, ContactStatus::Notified]
            {
                if ui.add_enabled(placed, egui::Button::new(status.label())).clicked() {
                    result = Some(cx.doc.try_edit(|p| edit::record_contact(p, &id, status)));
                }
            }
        });
        if let Some(Err(e)) = result {
            cx.send(PanelEvent::Error(format!("Could not change {id}: {e}.")));
        }
        ui.separator();
        ui.strong("Move to");
        let revision = cx.doc.revision();
        if self.alternatives.as_ref().is_none_or(|(rev, aid, _)| *rev != revision || *aid != id) {
            self.alternatives = Some((revision, id.clone(), alternatives(cx.doc.plan(), &id, 8)));
        }
        let options = self.alternatives.as_ref().map(|(_, _, a)| a.clone()).unwrap_or_default();
        if options.is_empty() {
            ui.label("No other session has room for this appointment.");
        }
        let mut move_to = None;
        egui::ScrollArea::vertical().id_salt("alternatives").show(ui, |ui| {
            for alt in &options {
                ui.horizontal(|ui| {
                    let response = super::draft::named(ui.button("Move"), &format!("Move to {}", alt.session_id));
                    if response.clicked() {
                        move_to = Some(alt.session_id.clone());
                    }
                    ui.label(&alt.summary);
                });
            }
        });
        if let Some(session) = move_to
            && let Err(e) = cx.doc.try_edit(|p| edit::move_booking(p, &id, &session))
        {
            cx.send(PanelEvent::Error(format!("Could not move {id}: {e}.")));
        }
    }
}

impl Panel for PlanPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        self.toolbar(ui, cx);
        self.preview_ui(ui, cx);
        ui.separator();
        if cx.doc.plan().bookings.is_empty() {
            ui.label("No plan yet: press Solve to place the backlog into the sessions.");
            return;
        }
        egui::Panel::right("booking-details").resizable(true).default_size(380.0).show(ui, |ui| {
            self.details_ui(ui, cx);
        });
        egui::CentralPanel::default().show(ui, |ui| match self.view {
            View::Calendar => self.calendar_ui(ui, cx.doc),
            View::Patients => self.patients_ui(ui, cx.doc),
        });
    }
}

/// What the patient asked for or cannot do, so staff can check a reason
/// against it: earliest date, see-by date, days they cannot attend, mode,
/// clinician, preferred part of day, sessions declined and the notes.
fn patient_limits_ui(ui: &mut egui::Ui, plan: &crate::model::Plan, item: &crate::model::BacklogItem) {
    let mut rows: Vec<(&str, String)> = Vec::new();
    if let Some(date) = item.earliest_date {
        rows.push(("Not before", dates::uk_day(date)));
    }
    if let Some(date) = item.see_by {
        rows.push(("See by", dates::uk_day(date)));
    }
    if !item.unavailable.is_empty() {
        let days: Vec<String> = item.unavailable.iter().map(crate::model::Unavailability::label).collect();
        rows.push(("Cannot attend", days.join(", ")));
    }
    if item.mode != crate::model::ModeRequirement::Any {
        rows.push(("Needs", item.mode.label().to_string()));
    }
    let name = |id: &str| plan.clinician(id).map_or_else(|| id.to_string(), |c| c.name.clone());
    match &item.continuity {
        crate::model::Continuity::Required(c) => rows.push(("Must see", name(c))),
        crate::model::Continuity::Preferred(c) => rows.push(("Usual clinician", name(c))),
        crate::model::Continuity::None => {}
    }
    if let Some(part) = item.preferred_part {
        rows.push(("Prefers", part.label().to_string()));
    }
    if !item.declined_sessions.is_empty() {
        let declined: Vec<String> = item
            .declined_sessions
            .iter()
            .map(|id| {
                plan.session(id).map_or_else(|| id.clone(), |s| format!("{} {}", dates::uk_day(s.date), s.part.label()))
            })
            .collect();
        rows.push(("Declined", declined.join(", ")));
    }
    if !item.notes.trim().is_empty() {
        rows.push(("Notes", item.notes.trim().to_string()));
    }
    if rows.is_empty() {
        ui.weak("No limits: any suitable clinician, any day.");
        return;
    }
    egui::Grid::new("patient-limits").num_columns(2).spacing([8.0, 2.0]).show(ui, |ui| {
        for (label, value) in rows {
            ui.weak(label);
            ui.add(egui::Label::new(value).wrap());
            ui.end_row();
        }
    });
}
