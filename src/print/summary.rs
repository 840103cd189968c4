//! The one-page summary for the partners' meeting: headline figures, the
//! figures by priority, capacity by day, and a burndown chart of the backlog.

use super::PrintError;
use super::call_list::{BAND_GRAY, FOOTER_TOP, HEADER_BOTTOM, TITLE, running_header};
use super::entries::entries;
use super::layout::{Align, CONTENT_WIDTH, Columns, MARGIN, Pages, Style};
use crate::model::Plan;
use crate::model::summary::PlanSummary;
use crate::scheduler::cost::horizon_start;
use chrono::NaiveDate;
use std::collections::BTreeMap;

const HEADING: Style = Style::bold(10.0);
const BODY: Style = Style::regular(8.5);
const BODY_BOLD: Style = Style::bold(8.5);
const SMALL: Style = Style::regular(7.0);

/// Figures for one priority class.
#[derive(Debug, Clone, PartialEq)]
struct PriorityRow {
    name: String,
    total: usize,
    placed: usize,
    /// % of the class placed by its deadline.
    within_target: f64,
    mean_wait: f64,
    late: usize,
}

/// Capacity and backlog for one day of the horizon.
#[derive(Debug, Clone, PartialEq)]
struct DayRow {
    date: NaiveDate,
    usable: u32,
    used: u32,
    /// Backlog items not yet seen at the end of the day.
    remaining: usize,
}

/// What the page shows, gathered from the plan and its bookings.
#[derive(Debug, Clone, PartialEq)]
struct Figures {
    total: usize,
    placed: usize,
    late: usize,
    priorities: Vec<PriorityRow>,
    days: Vec<DayRow>,
}

impl Figures {
    fn of(plan: &Plan) -> Figures {
        let all = entries(plan);
        let start = horizon_start(plan);
        let summary = PlanSummary::of(plan);
        let mut priorities = Vec::new();
        for (name, total) in &summary.by_priority {
            let class: Vec<_> = all.iter().filter(|e| &e.item.priority == name).collect();
            let placed: Vec<_> = class.iter().filter_map(|e| e.placement).collect();
            let late = placed.iter().filter(|p| p.late).count();
            let waits: Vec<i64> =
                placed.iter().map(|p| start.map_or(0, |s| (p.session.date - s).num_days().max(0))).collect();
            priorities.push(PriorityRow {
                name: name.clone(),
                total: *total,
                placed: placed.len(),
                within_target: percent(placed.len() - late, *total),
                mean_wait: if waits.is_empty() { 0.0 } else { waits.iter().sum::<i64>() as f64 / waits.len() as f64 },
                late,
            });
        }
        let mut used: BTreeMap<NaiveDate, (u32, usize)> = BTreeMap::new();
        for entry in &all {
            if let Some(p) = entry.placement {
                let day = used.entry(p.session.date).or_default();
                day.0 += entry.item.slots.max(1);
                day.1 += 1;
            }
        }
        let mut remaining = all.len();
        let days = summary
            .capacity_by_day
            .iter()
            .map(|(date, _free, usable)| {
                let (slots, seen) = used.get(date).copied().unwrap_or_default();
                remaining = remaining.saturating_sub(seen);
                DayRow { date: *date, usable: *usable, used: slots, remaining }
            })
            .collect();
        let placed = all.iter().filter(|e| e.placement.is_some()).count();
        let late = all.iter().filter(|e| e.placement.is_some_and(|p| p.late)).count();
        Figures { total: all.len(), placed, late, priorities, days }
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 { 100.0 } else { 100.0 * part as f64 / whole as f64 }
}

/// Builds the one-page summary PDF.
pub fn summary_pdf(plan: &Plan, printed_on: NaiveDate) -> Result<Vec<u8>, PrintError> {
    let figures = Figures::of(plan);
    let mut pages = Pages::new(HEADER_BOTTOM + 8.0, FOOTER_TOP - 4.0);

    // Headline.
    let unplaced = figures.total - figures.placed;
    let headline = [
        ("Cancelled appointments", figures.total.to_string()),
        ("Rebooked", format!("{} ({:.0}%)", figures.placed, percent(figures.placed, figures.total))),
        ("Rebooked after their target date", figures.late.to_string()),
        ("Still to book", unplaced.to_string()),
    ];
    let clear_day = figures.days.iter().find(|d| d.remaining == unplaced).map(|d| d.date);
    let cols = Columns::new(&[1.0, 1.0, 1.0, 1.0]);
    let y = pages.y;
    for (i, (label, value)) in headline.iter().enumerate() {
        pages.page().text(cols.x(i), y + SMALL.size, cols.width(i), SMALL, Align::Left, label);
        pages.page().text(cols.x(i), y + SMALL.line_height() + TITLE.size, cols.width(i), TITLE, Align::Left, value);
    }
    pages.y += SMALL.line_height() + TITLE.line_height() + 6.0;
    let mut notes = Vec::new();
    if let Some(h) = plan.horizon {
        notes.push(format!("Planning from {} to {}.", h.start.format("%a %-d %b %Y"), h.end.format("%a %-d %b %Y")));
    }
    if let Some(day) = clear_day.filter(|_| figures.placed > 0) {
        notes.push(format!("Every placeable appointment is booked by {}.", day.format("%a %-d %b")));
    }
    if let Some(info) = &plan.solve_info {
        notes.push(format!(
            "Plan score {:.0} (lower is better; proven within {:.1}% of the best possible).",
            info.objective,
            info.gap * 100.0
        ));
    }
    for note in notes {
        pages.line_of_text(BODY, &note);
    }
    pages.y += 8.0;

    priority_table(&mut pages, &figures);
    pages.y += 10.0;
    let chart_height = 210.0;
    burndown(&mut pages, &figures, chart_height);
    pages.y += 10.0;
    audit_trail(&mut pages, plan);
    day_table(&mut pages, &figures);

    let practice = plan.practice.name.clone();
    let title = "Rebooking summary";
    pages.finish(&format!("{practice}: {title}"), |page, n, total| {
        running_header(page, &practice, title, printed_on, n, total)
    })
}

fn section(pages: &mut Pages, title: &str) {
    pages.line_of_text(HEADING, title);
    pages.y += 3.0;
}

/// A simple table: a grey header row, then rows; returns nothing, moves the cursor.
fn table(pages: &mut Pages, weights: &[f32], header: &[&str], rows: &[Vec<String>]) {
    let cols = Columns::new(weights);
    let lh = BODY.line_height() + 2.0;
    let y = pages.y;
    pages.page().rect(MARGIN, y, CONTENT_WIDTH, lh, Some(BAND_GRAY), None);
    for (i, name) in header.iter().enumerate() {
        let align = if i == 0 { Align::Left } else { Align::Right };
        pages.page().text(cols.x(i), y + lh - 3.5, cols.width(i), BODY_BOLD, align, name);
    }
    pages.y += lh;
    for row in rows {
        let y = pages.y;
        for (i, cell) in row.iter().enumerate() {
            let align = if i == 0 { Align::Left } else { Align::Right };
            pages.page().text(cols.x(i), y + lh - 3.5, cols.width(i), BODY, align, cell);
        }
        pages.page().line((MARGIN, y + lh), (MARGIN + CONTENT_WIDTH, y + lh), 0.3);
        pages.y += lh;
    }
}

fn priority_table(pages: &mut Pages, figures: &Figures) {
    section(pages, "By priority");
    let rows: Vec<Vec<String>> = figures
        .priorities
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.total.to_string(),
                p.placed.to_string(),
                format!("{:.0}%", p.within_target),
                format!("{:.1} days", p.mean_wait),
                p.late.to_string(),
                (p.total - p.placed).to_string(),
            ]
        })
        .collect();
    let header = ["Priority", "Cancelled", "Rebooked", "Within target", "Mean wait", "Late", "Still to book"];
    table(pages, &[2.0, 1.0, 1.0, 1.2, 1.2, 0.8, 1.2], &header, &rows);
}

/// Usable capacity, slots used and the backlog left at the end of each day.
fn day_table(pages: &mut Pages, figures: &Figures) {
    section(pages, "Capacity by day");
    // Two side-by-side halves keep three weeks of days on the one page.
    let half = figures.days.len().div_ceil(2);
    let row = |d: &DayRow| {
        vec![d.date.format("%a %-d %b").to_string(), d.usable.to_string(), d.used.to_string(), d.remaining.to_string()]
    };
    let rows: Vec<Vec<String>> = (0..half)
        .map(|i| {
            let mut cells = figures.days.get(i).map(row).unwrap_or_default();
            cells.extend(figures.days.get(i + half).map(row).unwrap_or_else(|| vec![String::new(); 4]));
            cells
        })
        .collect();
    let header = ["Day", "Usable slots", "Used", "Left", "Day", "Usable slots", "Used", "Left"];
    let fit = ((pages.bottom - pages.y) / (BODY.line_height() + 2.0)) as usize;
    let shown = rows.len().min(fit.saturating_sub(2));
    table(pages, &[1.6, 1.0, 0.8, 0.8, 1.6, 1.0, 0.8, 0.8], &header, &rows[..shown]);
    if shown < rows.len() {
        let more = format!("… and {} more days (see the app's report).", 2 * (rows.len() - shown));
        pages.y += 2.0;
        pages.line_of_text(SMALL, &more);
    }
}

/// The backlog still to be seen at the end of each day (line), with the
/// appointments booked each day (grey bars), drawn as PDF paths.
fn burndown(pages: &mut Pages, figures: &Figures, height: f32) {
    section(pages, "Burndown: appointments still waiting at the end of each day");
    let top = pages.y;
    let left = MARGIN + 34.0;
    let right = MARGIN + CONTENT_WIDTH - 6.0;
    let bottom = top + height - 22.0;
    let plot_top = top + 6.0;
    let page = pages.page();
    let max = figures.total.max(1);
    let y_of = |value: usize| bottom - (bottom - plot_top) * value as f32 / max as f32;

    // Axes and horizontal grid with labels.
    let step = nice_step(max);
    let mut v = 0;
    while v <= max {
        let y = y_of(v);
        page.polyline(vec![(left, y), (right, y)], 0.3, 170, v != 0);
        page.text(MARGIN, y + 2.5, 30.0, SMALL, Align::Right, &v.to_string());
        v += step;
    }
    page.line((left, plot_top), (left, bottom), 0.8);
    page.line((left, bottom), (right, bottom), 0.8);

    let n = figures.days.len();
    if n == 0 {
        page.text(
            left + 6.0,
            (plot_top + bottom) / 2.0,
            right - left - 12.0,
            BODY,
            Align::Centre,
            "No sessions in the plan yet.",
        );
        pages.y = top + height;
        return;
    }
    let slot = (right - left) / (n as f32 + 1.0);
    let x_of = |i: usize| left + slot * i as f32;
    // Booked each day: grey bars (the drop of the line).
    let mut before = figures.total;
    for (i, day) in figures.days.iter().enumerate() {
        let booked = before.saturating_sub(day.remaining);
        before = day.remaining;
        let bar = (slot * 0.5).min(14.0);
        let x = x_of(i + 1) - bar / 2.0;
        if booked > 0 {
            page.rect(x, y_of(booked), bar, bottom - y_of(booked), Some(190), None);
        }
    }
    // Remaining: black line with square markers, starting from the whole backlog.
    let mut points = vec![(x_of(0), y_of(figures.total))];
    points.extend(figures.days.iter().enumerate().map(|(i, d)| (x_of(i + 1), y_of(d.remaining))));
    page.polyline(points.clone(), 1.6, 0, false);
    for (x, y) in points.iter().skip(1) {
        page.rect(x - 1.8, y - 1.8, 3.6, 3.6, Some(0), None);
    }
    // Day labels under the axis, thinned to stay legible.
    let every = (n / 12).max(1);
    page.text(x_of(0) - 14.0, bottom + 9.0, 28.0, SMALL, Align::Centre, "Start");
    for (i, day) in figures.days.iter().enumerate().filter(|(i, _)| i % every == 0) {
        page.text(x_of(i + 1) - 18.0, bottom + 9.0, 36.0, SMALL, Align::Centre, &day.date.format("%-d %b").to_string());
    }
    // Legend.
    let legend_y = bottom + 19.0;
    page.polyline(vec![(left, legend_y - 2.5), (left + 16.0, legend_y - 2.5)], 1.6, 0, false);
    page.text(left + 20.0, legend_y, 150.0, SMALL, Align::Left, "Appointments still waiting");
    page.rect(left + 170.0, legend_y - 6.0, 8.0, 6.0, Some(190), None);
    page.text(left + 182.0, legend_y, 150.0, SMALL, Align::Left, "Booked that day");
    pages.y = top + height;
}

/// Entries of the audit trail shown on the page (the newest); the app shows all.
const AUDIT_LINES: usize = 5;

/// Who printed or exported this plan's patient data, and when (the newest entries).
fn audit_trail(pages: &mut Pages, plan: &Plan) {
    if plan.audit.is_empty() {
        return;
    }
    let shown = plan.audit.len().min(AUDIT_LINES);
    let title = if shown < plan.audit.len() {
        format!("Printed and exported (the last {shown} of {})", plan.audit.len())
    } else {
        "Printed and exported".to_string()
    };
    section(pages, &title);
    for entry in plan.audit.iter().rev().take(shown) {
        let line: String = entry.to_string().chars().take(130).collect();
        pages.line_of_text(SMALL, &line);
    }
    pages.y += 8.0;
}

/// A round grid step giving about five lines up to `max`.
fn nice_step(max: usize) -> usize {
    let raw = (max as f64 / 5.0).max(1.0);
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(raw);
    step as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_steps_are_round() {
        assert_eq!(nice_step(1000), 200);
        assert_eq!(nice_step(7), 2);
        assert_eq!(nice_step(0), 1);
        assert_eq!(nice_step(340), 100);
    }
}
