//! The Plan screen's calendar: a day x clinician grid of bookings. The Day
//! column stays put while the clinicians scroll sideways, columns share the
//! width (a role or one clinician can be picked to see fewer, wider ones),
//! and urgent patients are coloured as everywhere else, with a legend.

use super::{dates, privacy, urgency};
use crate::model::{BacklogItem, Booking, ContactStatus, Outcome, Plan, Session};
use crate::report::ProblemKind;
use chrono::{NaiveDate, NaiveTime};
use std::collections::{BTreeMap, HashMap};

/// Which clinicians the calendar shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CalendarFilter {
    pub role: Option<String>,
    /// Clinician id.
    pub clinician: Option<String>,
}

const DAY_WIDTH: f32 = 110.0;
const MIN_COLUMN: f32 = 150.0;
const MAX_COLUMN: f32 = 280.0;

/// Draws the calendar; returns the appointment whose booking was clicked.
pub fn ui(
    ui: &mut egui::Ui,
    plan: &Plan,
    problems: &HashMap<String, ProblemKind>,
    selected: Option<&str>,
    filter: &mut CalendarFilter,
) -> Option<String> {
    let items: HashMap<&str, &BacklogItem> = plan.backlog.iter().map(|b| (b.id.as_str(), b)).collect();
    let sessions: HashMap<&str, &Session> = plan.sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    // (day, clinician) -> bookings in time order.
    let mut cells: BTreeMap<(NaiveDate, &str), Vec<(&Booking, NaiveTime)>> = BTreeMap::new();
    for b in &plan.bookings {
        if let Outcome::Placed { session, time } = &b.outcome
            && let Some(s) = sessions.get(session.as_str())
        {
            cells.entry((s.date, s.clinician.as_str())).or_default().push((b, *time));
        }
    }
    for list in cells.values_mut() {
        list.sort_by_key(|(b, t)| (*t, b.appointment_id.clone()));
    }
    filter_bar(ui, plan, filter);
    legend(ui, plan);
    let clinicians: Vec<(&str, &str)> = plan
        .clinicians
        .iter()
        .filter(|c| filter.role.as_ref().is_none_or(|r| c.role.eq_ignore_ascii_case(r)))
        .filter(|c| filter.clinician.as_ref().is_none_or(|id| *id == c.id))
        .filter(|c| cells.keys().any(|(_, k)| *k == c.id))
        .map(|c| (c.id.as_str(), c.name.as_str()))
        .collect();
    let mut days: Vec<NaiveDate> = cells.keys().map(|(d, _)| *d).collect();
    days.dedup();
    if clinicians.is_empty() {
        ui.label("No bookings for the clinicians chosen.");
        return None;
    }
    let spacing = 8.0;
    let line = ui.spacing().interact_size.y;
    let gap = ui.spacing().item_spacing.y;
    let header_height = 2.0 * egui::TextStyle::Body.resolve(ui.style()).size + 8.0;
    // Share the width between the columns shown; past the minimum, scroll sideways.
    let free = ui.available_width() - DAY_WIDTH - 2.0 * spacing - 16.0;
    let column = (free / clinicians.len() as f32 - spacing).clamp(MIN_COLUMN, MAX_COLUMN);
    // Each day's row is as tall as its fullest cell, in both halves of the grid.
    let heights: Vec<f32> = days
        .iter()
        .map(|day| {
            let most = clinicians.iter().map(|(c, _)| cells.get(&(*day, *c)).map_or(0, Vec::len)).max().unwrap_or(0);
            let n = most.max(1) as f32;
            n * line + (n - 1.0) * gap
        })
        .collect();
    let mut clicked = None;
    egui::ScrollArea::vertical().id_salt("calendar").auto_shrink(false).show(ui, |ui| {
        ui.horizontal_top(|ui| {
            egui::Grid::new("calendar-days").striped(true).spacing([spacing, 4.0]).show(ui, |ui| {
                ui.add_sized([DAY_WIDTH, header_height], egui::Label::new(egui::RichText::new("Day").strong()));
                ui.end_row();
                for (day, height) in days.iter().zip(&heights) {
                    ui.allocate_ui_with_layout(
                        egui::vec2(DAY_WIDTH, *height),
                        egui::Layout::top_down(egui::Align::Min),
                        |ui| {
                            ui.set_min_size(egui::vec2(DAY_WIDTH, *height));
                            ui.label(dates::uk_day(*day));
                        },
                    );
                    ui.end_row();
                }
            });
            egui::ScrollArea::horizontal().id_salt("calendar-columns").auto_shrink([false, true]).show(ui, |ui| {
                egui::Grid::new("calendar-grid").striped(true).spacing([spacing, 4.0]).min_col_width(column).show(
                    ui,
                    |ui| {
                        for (id, name) in &clinicians {
                            super::draft::header_cell(ui, name, [column, header_height]).on_hover_text(*id);
                        }
                        ui.end_row();
                        for (day, height) in days.iter().zip(&heights) {
                            for (c, _) in &clinicians {
                                ui.vertical(|ui| {
                                    ui.set_min_size(egui::vec2(column, *height));
                                    ui.set_max_width(column);
                                    let list = cells.get(&(*day, *c)).map(Vec::as_slice).unwrap_or_default();
                                    for (b, time) in list {
                                        let item = items.get(b.appointment_id.as_str()).copied();
                                        let text = booking_text(ui, plan, item, b, *time, problems);
                                        let is_selected = selected == Some(b.appointment_id.as_str());
                                        let response = ui.add(egui::Button::selectable(is_selected, text).truncate());
                                        let response =
                                            super::draft::named(response, &format!("Booking {}", b.appointment_id));
                                        if response.clicked() {
                                            clicked = Some(b.appointment_id.clone());
                                        }
                                    }
                                });
                            }
                            ui.end_row();
                        }
                    },
                );
            });
        });
    });
    clicked
}

/// "09:20 SMITH, Jane" in the patient's urgency colour; bold once confirmed.
fn booking_text(
    ui: &egui::Ui,
    plan: &Plan,
    item: Option<&BacklogItem>,
    booking: &Booking,
    time: NaiveTime,
    problems: &HashMap<String, ProblemKind>,
) -> egui::RichText {
    let who = item.map_or_else(String::new, |i| privacy::name(ui.ctx(), &i.patient));
    let late = problems.get(&booking.appointment_id) == Some(&ProblemKind::Late);
    let text = format!(
        "{} {who}{}{}",
        time.format("%H:%M"),
        if booking.pinned { " [pinned]" } else { "" },
        if late { " (late)" } else { "" }
    );
    let priority = item.map_or("", |i| i.priority.as_str());
    let text = urgency::text(ui.visuals(), &plan.rules, priority, text);
    let text = if booking.contact == ContactStatus::Confirmed { text.strong() } else { text };
    if late { text.italics() } else { text }
}

fn filter_bar(ui: &mut egui::Ui, plan: &Plan, filter: &mut CalendarFilter) {
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Role");
        egui::ComboBox::from_id_salt("calendar-role")
            .selected_text(filter.role.as_deref().unwrap_or("All roles"))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.role, None, "All roles");
                for role in &plan.roles {
                    ui.selectable_value(&mut filter.role, Some(role.clone()), role);
                }
            })
            .response
            .labelled_by(label.id);
        let label = ui.label("Clinician");
        let shown = filter.clinician.as_deref().and_then(|id| plan.clinician(id)).map_or("All", |c| c.name.as_str());
        egui::ComboBox::from_id_salt("calendar-clinician")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.clinician, None, "All");
                for c in &plan.clinicians {
                    if filter.role.as_ref().is_none_or(|r| c.role.eq_ignore_ascii_case(r)) {
                        ui.selectable_value(&mut filter.clinician, Some(c.id.clone()), &c.name);
                    }
                }
            })
            .response
            .labelled_by(label.id);
        if (filter.role.is_some() || filter.clinician.is_some()) && ui.button("Show everyone").clicked() {
            *filter = CalendarFilter::default();
        }
    });
}

fn legend(ui: &mut egui::Ui, plan: &Plan) {
    ui.horizontal_wrapped(|ui| {
        urgency::legend_ui(ui, &plan.rules);
        ui.separator();
        ui.label(egui::RichText::new("Bold: confirmed").strong());
        ui.label(egui::RichText::new("(late): after its target date").italics());
        ui.label("[pinned]: stays where it is on a re-plan");
    });
}
