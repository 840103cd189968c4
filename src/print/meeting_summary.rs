//! The one-page summary for the partners' meeting: the report's headline
//! figures, the plan beside first-come-first-served and priority-first
//! booking, figures by priority, a burndown chart and capacity by day.

use super::PrintError;
use super::call_list::{BAND_GRAY, FOOTER_TOP, HEADER_BOTTOM, TITLE, running_header};
use super::layout::{Align, CONTENT_WIDTH, Columns, MARGIN, Pages, Style};
use crate::model::Plan;
use crate::report::{Comparison, DayFigures, Report, compare};
use chrono::NaiveDate;

const HEADING: Style = Style::bold(10.0);
const BODY: Style = Style::regular(8.5);
const BODY_BOLD: Style = Style::bold(8.5);
const SMALL: Style = Style::regular(7.0);

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 { 100.0 } else { 100.0 * part as f64 / whole as f64 }
}

/// Builds the one-page summary PDF.
pub fn summary_pdf(plan: &Plan, printed_on: NaiveDate) -> Result<Vec<u8>, PrintError> {
    let comparison = compare(plan);
    let report = &comparison.rebook;
    let mut pages = Pages::new(HEADER_BOTTOM + 8.0, FOOTER_TOP - 4.0);

    let unplaced = report.total - report.placed;
    let late: usize = report.priorities.iter().map(|p| p.late).sum();
    let headline = [
        ("Cancelled appointments", report.total.to_string()),
        ("Rebooked", format!("{} ({:.0}%)", report.placed, percent(report.placed, report.total))),
        ("Booked after target date", late.to_string()),
        ("Still to book", unplaced.to_string()),
        ("Expected did-not-attends", format!("{:.0}", report.expected_dna)),
    ];
    let cols = Columns::new(&[1.0; 5]);
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
    let clear_day = report.days.iter().find(|d| d.remaining == unplaced).map(|d| d.date);
    if let Some(day) = clear_day.filter(|_| report.placed > 0) {
        notes.push(format!("Every appointment that can be placed is booked by {}.", day.format("%a %-d %b")));
    }
    let late_by: Vec<String> = report
        .priorities
        .iter()
        .filter(|p| p.late > 0)
        .map(|p| format!("{} {}", p.late, p.name.to_lowercase()))
        .collect();
    if !late_by.is_empty() {
        notes.push(format!("Booked after their target date: {}.", late_by.join(", ")));
    }
    if plan.solve_info.is_some() {
        notes.push(format!(
            "{} booking(s) moved by the last re-plan; usual clinician kept for {:.0}% of the patients who prefer one.",
            report.moved, report.continuity_kept
        ));
    }
    for note in notes {
        pages.line_of_text(BODY, &note);
    }
    pages.y += 8.0;

    comparison_table(&mut pages, &comparison);
    pages.y += 10.0;
    priority_table(&mut pages, report);
    pages.y += 10.0;
    burndown(&mut pages, &comparison, 200.0);
    pages.y += 10.0;
    // How the optimiser scored it, for whoever asks: after the figures about patients.
    if let (Some(gap), Some(bound)) = (report.gap, report.bound) {
        pages.line_of_text(
            SMALL,
            &format!(
                "Details: plan score {:.0} (lower is better), lower bound {bound:.0}, proven within {:.1}% of the best possible.",
                report.objective,
                gap * 100.0
            ),
        );
        pages.y += 6.0;
    }
    audit_trail(&mut pages, plan);
    day_table(&mut pages, report);

    let practice = plan.practice.name.clone();
    let title = "Rebooking summary";
    pages.finish(&format!("{practice}: {title}"), |page, n, total| {
        running_header(page, &practice, title, printed_on, n, total)
    })
}

/// The plan's figures beside what booking by hand would have given.
fn comparison_table(pages: &mut Pages, comparison: &Comparison) {
    section(pages, "Compared with booking by hand");
    let reports = [&comparison.rebook, &comparison.fifo, &comparison.greedy];
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |label: String, value: &dyn Fn(&Report) -> String| {
        let mut cells = vec![label];
        cells.extend(reports.iter().map(|r| value(r)));
        rows.push(cells);
    };
    row("Rebooked".into(), &|r| r.placed.to_string());
    for (i, p) in comparison.rebook.priorities.iter().enumerate() {
        row(format!("{} seen within target", p.name), &|r| {
            r.priorities.get(i).map_or(String::new(), |q| format!("{:.0}%", q.within_target))
        });
    }
    row("Routine within 7 days".into(), &|r| format!("{:.0}%", r.routine_within_7));
    row("Routine within 14 days".into(), &|r| format!("{:.0}%", r.routine_within_14));
    row("Usual clinician kept (when preferred)".into(), &|r| format!("{:.0}%", r.continuity_kept));
    row("Expected did-not-attends".into(), &|r| format!("{:.0}", r.expected_dna));
    let header = ["", "This plan", "First come, first served", "Most urgent first"];
    table(pages, &[2.4, 1.0, 1.4, 1.2], &header, &rows);
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

fn priority_table(pages: &mut Pages, report: &Report) {
    section(pages, "By priority");
    let rows: Vec<Vec<String>> = report
        .priorities
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.total.to_string(),
                p.placed.to_string(),
                format!("{:.0}%", p.within_target),
                format!("{:.1} days", p.mean_wait),
                format!("{} days", p.max_wait),
                p.late.to_string(),
                (p.total - p.placed).to_string(),
            ]
        })
        .collect();
    let header =
        ["Priority", "Cancelled", "Rebooked", "Within target", "Mean wait", "Longest", "Late", "Still to book"];
    table(pages, &[2.0, 1.0, 1.0, 1.2, 1.1, 1.1, 0.8, 1.2], &header, &rows);
}

/// Usable capacity, slots used and the backlog left at the end of each day.
fn day_table(pages: &mut Pages, report: &Report) {
    section(pages, "Capacity by day");
    // Two side-by-side halves keep three weeks of days on the one page.
    let half = report.days.len().div_ceil(2);
    let row = |d: &DayFigures| {
        vec![d.date.format("%a %-d %b").to_string(), d.usable.to_string(), d.used.to_string(), d.remaining.to_string()]
    };
    let rows: Vec<Vec<String>> = (0..half)
        .map(|i| {
            let mut cells = report.days.get(i).map(row).unwrap_or_default();
            cells.extend(report.days.get(i + half).map(row).unwrap_or_else(|| vec![String::new(); 4]));
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

/// The backlog still waiting at the end of each day: this plan (black line,
/// with the appointments booked each day as grey bars) and first come, first
/// served (dashed grey line), drawn as PDF paths.
fn burndown(pages: &mut Pages, comparison: &Comparison, height: f32) {
    section(pages, "Burndown: appointments still waiting at the end of each day");
    let report = &comparison.rebook;
    let top = pages.y;
    let left = MARGIN + 34.0;
    let right = MARGIN + CONTENT_WIDTH - 6.0;
    let bottom = top + height - 22.0;
    let plot_top = top + 6.0;
    let page = pages.page();
    let max = report.total.max(1);
    let y_of = |value: usize| bottom - (bottom - plot_top) * value.min(max) as f32 / max as f32;

    // Horizontal grid with labels, then the axes.
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

    let days = &report.days;
    let n = days.len();
    if n == 0 {
        let middle = (plot_top + bottom) / 2.0;
        page.text(left + 6.0, middle, right - left - 12.0, BODY, Align::Centre, "No sessions in the plan yet.");
        pages.y = top + height;
        return;
    }
    let slot = (right - left) / (n as f32 + 1.0);
    let x_of = |i: usize| left + slot * i as f32;
    let mut before = report.total;
    for (i, day) in days.iter().enumerate() {
        let booked = before.saturating_sub(day.remaining);
        before = day.remaining;
        let bar = (slot * 0.5).min(14.0);
        if booked > 0 {
            page.rect(x_of(i + 1) - bar / 2.0, y_of(booked), bar, bottom - y_of(booked), Some(190), None);
        }
    }
    // First come, first served on the same days (its last figure carried over a missing date).
    let mut fifo_left = comparison.fifo.total;
    let mut fifo = vec![(x_of(0), y_of(comparison.fifo.total))];
    for (i, day) in days.iter().enumerate() {
        if let Some(f) = comparison.fifo.days.iter().find(|f| f.date == day.date) {
            fifo_left = f.remaining;
        }
        fifo.push((x_of(i + 1), y_of(fifo_left)));
    }
    page.polyline(fifo, 1.2, 110, true);
    let mut points = vec![(x_of(0), y_of(report.total))];
    points.extend(days.iter().enumerate().map(|(i, d)| (x_of(i + 1), y_of(d.remaining))));
    page.polyline(points.clone(), 1.6, 0, false);
    for (x, y) in points.iter().skip(1) {
        page.rect(x - 1.8, y - 1.8, 3.6, 3.6, Some(0), None);
    }
    // Day labels under the axis, thinned to stay legible.
    let every = (n / 12).max(1);
    page.text(x_of(0) - 14.0, bottom + 9.0, 28.0, SMALL, Align::Centre, "Start");
    for (i, day) in days.iter().enumerate().filter(|(i, _)| i % every == 0) {
        page.text(x_of(i + 1) - 18.0, bottom + 9.0, 36.0, SMALL, Align::Centre, &day.date.format("%-d %b").to_string());
    }
    let legend_y = bottom + 19.0;
    page.polyline(vec![(left, legend_y - 2.5), (left + 16.0, legend_y - 2.5)], 1.6, 0, false);
    page.text(left + 20.0, legend_y, 120.0, SMALL, Align::Left, "Still waiting with this plan");
    page.polyline(vec![(left + 140.0, legend_y - 2.5), (left + 156.0, legend_y - 2.5)], 1.2, 110, true);
    page.text(left + 160.0, legend_y, 150.0, SMALL, Align::Left, "First come, first served");
    page.rect(left + 290.0, legend_y - 6.0, 8.0, 6.0, Some(190), None);
    page.text(left + 302.0, legend_y, 150.0, SMALL, Align::Left, "Booked that day (this plan)");
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
