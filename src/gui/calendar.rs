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
/// Space between the calendar's rows.
const ROW_GAP: f32 = 4.0;

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
    egui::ScrollArea::vertical().id_salt("calendar").auto_shrink(false).show_viewport(ui, |ui, viewport| {
        // Only the days in view are laid out (a 10,000-booking plan has
        // thousands of rows); the rest is room of the same height.
        let (shown, above, below) = visible_days(&heights, header_height + ROW_GAP, viewport);
        let shown_days = || days[shown.clone()].iter().zip(&heights[shown.clone()]);
        let room = |ui: &mut egui::Ui, width: f32, height: f32| {
            if height > 0.0 {
                ui.allocate_space(egui::vec2(width, height));
                ui.end_row();
            }
        };
        ui.horizontal_top(|ui| {
            egui::Grid::new("calendar-days").striped(true).spacing([spacing, ROW_GAP]).show(ui, |ui| {
                ui.add_sized([DAY_WIDTH, header_height], egui::Label::new(egui::RichText::new("Day").strong()));
                ui.end_row();
                room(ui, DAY_WIDTH, above);
                for (day, height) in shown_days() {
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
                room(ui, DAY_WIDTH, below);
            });
            let columns = egui::ScrollArea::horizontal().id_salt("calendar-columns").auto_shrink([false, true]);
            columns.show_viewport(ui, |ui, across| {
                // Likewise sideways: the clinicians scrolled out of view get room, not bookings.
                let in_view = |i: usize| {
                    let left = i as f32 * (column + spacing);
                    left + column >= across.min.x && left <= across.max.x
                };
                egui::Grid::new("calendar-grid").striped(true).spacing([spacing, ROW_GAP]).min_col_width(column).show(
                    ui,
                    |ui| {
                        for (id, name) in &clinicians {
                            super::draft::header_cell(ui, name, [column, header_height]).on_hover_text(*id);
                        }
                        ui.end_row();
                        room(ui, column, above);
                        for (day, height) in shown_days() {
                            for (i, (c, _)) in clinicians.iter().enumerate() {
                                if !in_view(i) {
                                    ui.allocate_space(egui::vec2(column, *height));
                                    continue;
                                }
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
                        room(ui, column, below);
                    },
                );
            });
        });
    });
    clicked
}

/// The days that meet `viewport` (the visible part of the calendar, from the
/// top of its header), with the room the days left out take above and below
/// them. Days start at `top`; each row is its height plus `ROW_GAP`. The
/// first day shown is odd unless it is the first (header row 0, room row 1):
/// so each day keeps its stripe as the calendar scrolls.
fn visible_days(heights: &[f32], top: f32, viewport: egui::Rect) -> (std::ops::Range<usize>, f32, f32) {
    let tops: Vec<f32> = heights
        .iter()
        .scan(top, |y, h| {
            let this = *y;
            *y += h + ROW_GAP;
            Some(this)
        })
        .collect();
    let end_of_days = tops.last().zip(heights.last()).map_or(top, |(t, h)| t + h + ROW_GAP);
    let first = tops.iter().zip(heights).position(|(t, h)| t + h >= viewport.min.y).unwrap_or(heights.len());
    let first = if first > 0 && first < heights.len() && first % 2 == 0 { first - 1 } else { first };
    let end = tops.iter().position(|t| *t > viewport.max.y).unwrap_or(heights.len()).max(first);
    let start_of = |day: usize| tops.get(day).copied().unwrap_or(end_of_days);
    // The room row brings its own gap.
    let above = (start_of(first) - top - ROW_GAP).max(0.0);
    let below = (end_of_days - start_of(end) - ROW_GAP).max(0.0);
    (first..end, above, below)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn viewport(top: f32, bottom: f32) -> egui::Rect {
        egui::Rect::from_min_max(egui::pos2(0.0, top), egui::pos2(800.0, bottom))
    }

    #[test]
    fn only_the_days_in_view_are_laid_out_and_the_rest_keeps_its_room() {
        let heights = [40.0, 100.0, 20.0, 60.0, 80.0, 20.0];
        let top = 30.0;
        let total: f32 = heights.iter().map(|h| h + ROW_GAP).sum();
        // All in view: every day, no room.
        assert_eq!(visible_days(&heights, top, viewport(0.0, 1000.0)), (0..6, 0.0, 0.0));
        // Scrolled to the middle: day 2 first would put it on an odd row, so
        // day 1 starts (each day keeps its stripe); the rooms and the days
        // shown add up to the whole height.
        let (shown, above, below) = visible_days(&heights, top, viewport(180.0, 260.0));
        assert_eq!(shown, 1..4);
        let laid_out: f32 = heights[shown.clone()].iter().map(|h| h + ROW_GAP).sum();
        assert_eq!(above + ROW_GAP + laid_out + below + ROW_GAP, total);
        // Past the end: nothing to lay out beyond the last day.
        let (shown, above, below) = visible_days(&heights, top, viewport(5000.0, 5600.0));
        assert_eq!((shown, above + ROW_GAP, below), (6..6, total, 0.0));
    }
}
