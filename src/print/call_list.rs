//! The call list: one block per rebooked patient with what the caller reads
//! out and tick boxes to record the answer, then the items still to book.

use super::layout::{
    Align, CONTENT_WIDTH, Canvas, Columns, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, Pages, Style, key_lines, shrink_to_fit,
    text_width, wrap, wrap_all,
};
use super::{ListKind, PrintError, PrintOptions};
use crate::model::urgency::Urgency;
use crate::model::{ContactStatus, Plan, Rules};
use crate::report::entries::{Entry, entries, original_clinician, printed_nhs_number, short_date_time};
use chrono::NaiveDate;

pub(super) const TITLE: Style = Style::bold(13.0);
const HEADING: Style = Style::bold(9.0);
const BODY: Style = Style::regular(8.0);
const BODY_BOLD: Style = Style::bold(8.0);
const SMALL: Style = Style::regular(7.0);
const SMALL_BOLD: Style = Style::bold(7.0);
const LEGEND: Style = Style::regular(6.5);
const LEGEND_BOLD: Style = Style::bold(6.5);
/// Light enough to print as a pale grey band on any laser printer.
pub(super) const BAND_GRAY: u8 = 225;

/// Running header height (practice, title) and footer position.
pub(super) const HEADER_BOTTOM: f32 = MARGIN + 30.0;
pub(super) const FOOTER_TOP: f32 = PAGE_HEIGHT - MARGIN - 14.0;

/// Builds the call list PDF for `plan`.
pub fn call_list_pdf(plan: &Plan, options: &PrintOptions) -> Result<Vec<u8>, PrintError> {
    let all = entries(plan);
    let groups = groups(plan, &all, options.kind);
    let unplaced: Vec<&Entry> = all.iter().filter(|e| e.placement.is_none() && !e.withdrawn).collect();
    let listed: usize = groups.iter().map(|g| g.entries.len()).sum();

    let mut pages = Pages::new(HEADER_BOTTOM + 6.0, FOOTER_TOP - 4.0);
    let table = CallTable::new(options.include_dob);
    let urgent = groups
        .iter()
        .flat_map(|g| &g.entries)
        .filter(|e| Urgency::of(&plan.rules, &e.item.priority) == Urgency::Most)
        .count();
    let urgent = match plan.rules.priorities.first() {
        Some(class) if urgent > 0 => format!(" ({urgent} {}, marked {})", class.name, marker(&class.name)),
        _ => String::new(),
    };
    let summary = format!(
        "{listed} appointment{}{urgent} to confirm by phone; {} still to book. Tick one box per patient and write \
         the outcome; enter it in Rebook by the reference.",
        if listed == 1 { "" } else { "s" },
        unplaced.len()
    );
    for line in wrap_all(&summary, CONTENT_WIDTH, BODY) {
        pages.line_of_text(BODY, &line);
    }
    pages.y += 4.0;
    if groups.is_empty() {
        pages.line_of_text(HEADING, "Nobody to call.");
        pages.y += 6.0;
    } else {
        table.header(&mut pages);
    }
    for group in &groups {
        if !pages.fits(band_height() + table.row_height(0)) {
            pages.new_page();
            table.header(&mut pages);
        }
        band(&mut pages, &group.title);
        for entry in &group.entries {
            table.row(&mut pages, plan, entry, options, &group.title);
        }
    }
    still_to_book(&mut pages, plan, &unplaced, options);

    let title = options.kind.title();
    let practice = plan.practice.name.clone();
    let printed = options.printed_on;
    pages.finish(&format!("{practice}: {title}"), |page, n, total| {
        running_header(page, &practice, title, printed, n, total);
        urgency_legend(page, &plan.rules);
    })
}

/// The word that marks a row of the most urgent class on paper: its name in capitals ("URGENT").
fn marker(class: &str) -> String {
    class.trim().to_uppercase()
}

/// Width of the coloured bar in the left margin beside an urgent row.
const BAR_WIDTH: f32 = 3.5;

/// The bar beside a row of `urgency` (none for a plain one), in the margin.
fn urgency_bar(page: &mut Canvas, urgency: Urgency, top: f32, height: f32) {
    if let Some(rgb) = urgency.rgb(false) {
        let width = if urgency == Urgency::Most { BAR_WIDTH } else { BAR_WIDTH * 0.6 };
        page.bar(MARGIN - BAR_WIDTH - 2.0, top + 1.0, width, height - 2.0, rgb);
    }
}

/// A piece of the urgency legend: a bar, or a run of text.
enum Piece {
    Bar(f32, [u8; 3]),
    Text(String, Style, Option<[u8; 3]>),
}

impl Piece {
    fn width(&self) -> f32 {
        match self {
            Piece::Bar(..) => BAR_WIDTH + 2.0,
            Piece::Text(text, style, _) => text_width(text, *style),
        }
    }
}

/// The legend's pieces; the target days only when `days` (they are left out
/// when the practice's class names make the line too long).
fn legend_pieces(rules: &Rules, days: bool) -> Vec<Piece> {
    let text = |text: String, style: Style, rgb: Option<[u8; 3]>| Piece::Text(text, style, rgb);
    let mut pieces = vec![text("Urgency, as on screen: ".into(), LEGEND_BOLD, None)];
    for (rank, class) in rules.priorities.iter().enumerate() {
        let urgency = Urgency::of_rank(rank);
        let within = if days {
            format!(" (within {} day{})", class.target_days, if class.target_days == 1 { "" } else { "s" })
        } else {
            String::new()
        };
        match urgency.rgb(false) {
            Some(rgb) if urgency == Urgency::Most => {
                pieces.push(Piece::Bar(BAR_WIDTH, rgb));
                pieces.push(text(format!("{} ", marker(&class.name)), LEGEND_BOLD, Some(rgb)));
                pieces.push(text(class.name.clone(), LEGEND_BOLD, Some(rgb)));
                pieces.push(text(format!("{within}: bar, mark and row in bold"), LEGEND, None));
            }
            Some(rgb) => {
                pieces.push(Piece::Bar(BAR_WIDTH * 0.6, rgb));
                pieces.push(text(class.name.clone(), LEGEND, Some(rgb)));
                pieces.push(text(format!("{within}: thin bar"), LEGEND, None));
            }
            None => {
                pieces.push(text(class.name.clone(), LEGEND, None));
                pieces.push(text(format!("{within}: no mark"), LEGEND, None));
            }
        }
        if rank + 1 < rules.priorities.len() {
            pieces.push(text("   ·   ".into(), LEGEND, None));
        }
    }
    pieces
}

/// One line under the title on every page saying how urgency is marked, in
/// the screen's colours and words: "Urgency: ▌URGENT Urgent: bar, mark and
/// row in bold · ▌Soon: thin bar · Routine: no mark".
fn urgency_legend(page: &mut Canvas, rules: &Rules) {
    if rules.priorities.is_empty() {
        return;
    }
    let width = |pieces: &[Piece]| pieces.iter().map(Piece::width).sum::<f32>();
    let mut pieces = legend_pieces(rules, true);
    if width(&pieces) > CONTENT_WIDTH {
        pieces = legend_pieces(rules, false);
    }
    // Still too long (many long class names): smaller, down to a readable minimum.
    let scale = (CONTENT_WIDTH / width(&pieces)).clamp(5.0 / LEGEND.size, 1.0);
    let baseline = HEADER_BOTTOM - 4.0;
    let mut x = MARGIN;
    for piece in &pieces {
        match piece {
            Piece::Bar(w, rgb) => page.bar(x, baseline - LEGEND.size, *w, LEGEND.size + 2.0, *rgb),
            Piece::Text(text, style, rgb) => {
                let style = Style { size: style.size * scale, ..*style };
                // Drawn trimmed, so leading spaces only move the pen.
                let lead = text.len() - text.trim_start().len();
                let at = x + text_width(&text[..lead], style);
                page.text_in(
                    at,
                    baseline,
                    (MARGIN + CONTENT_WIDTH - at).max(0.0),
                    style,
                    Align::Left,
                    &text[lead..],
                    *rgb,
                );
            }
        }
        x += match piece {
            Piece::Bar(..) => piece.width(),
            Piece::Text(text, style, _) => text_width(text, Style { size: style.size * scale, ..*style }),
        };
    }
}

/// Practice and title at the top, print date and "Page x of y" at the bottom.
pub(super) fn running_header(
    page: &mut Canvas,
    practice: &str,
    title: &str,
    printed: NaiveDate,
    n: usize,
    total: usize,
) {
    let half = CONTENT_WIDTH / 2.0;
    page.text(MARGIN, MARGIN + TITLE.size, half + 40.0, TITLE, Align::Left, practice);
    page.text(MARGIN + half - 40.0, MARGIN + TITLE.size, half + 40.0, HEADING, Align::Right, title);
    page.line((MARGIN, HEADER_BOTTOM), (PAGE_WIDTH - MARGIN, HEADER_BOTTOM), 1.0);
    page.line((MARGIN, FOOTER_TOP), (PAGE_WIDTH - MARGIN, FOOTER_TOP), 0.5);
    let baseline = FOOTER_TOP + 4.0 + SMALL.size;
    let left = format!(
        "Printed {}. Confidential: contains patient details; keep secure and shred after use.",
        printed.format("%-d %b %Y")
    );
    page.text(MARGIN, baseline, CONTENT_WIDTH - 70.0, SMALL, Align::Left, &left);
    page.text(PAGE_WIDTH - MARGIN - 70.0, baseline, 70.0, BODY, Align::Right, &format!("Page {n} of {total}"));
}

struct Group<'a> {
    title: String,
    entries: Vec<Entry<'a>>,
}

/// Placed entries of the list, grouped and ordered as the list kind says.
fn groups<'a>(plan: &'a Plan, all: &[Entry<'a>], kind: ListKind) -> Vec<Group<'a>> {
    let mut placed: Vec<Entry<'a>> = all
        .iter()
        .filter(|e| e.placement.is_some())
        .filter(|e| {
            kind != ListKind::Uncontacted
                || matches!(e.contact(), ContactStatus::NotContacted | ContactStatus::NoAnswer)
        })
        .copied()
        .collect();
    let mut groups: Vec<Group<'a>> = Vec::new();
    match kind {
        ListKind::ByDay | ListKind::Uncontacted => {
            placed.sort_by_key(|e| {
                let p = e.placement.map(|p| (p.session.date, p.time));
                (p.map(|p| p.0), e.clinician_name(plan).unwrap_or(""), p.map(|p| p.1), e.item.id.as_str())
            });
            for entry in placed {
                let Some(p) = entry.placement else { continue };
                let role = plan.clinician(&p.session.clinician).map(|c| format!(" ({})", c.role)).unwrap_or_default();
                let title = format!(
                    "{}  ·  {}{role}",
                    p.session.date.format("%A %-d %B %Y"),
                    entry.clinician_name(plan).unwrap_or("")
                );
                push_grouped(&mut groups, title, entry);
            }
        }
        ListKind::ByPatient => {
            // Same name: one patient's appointments together (by NHS number), earliest first.
            placed.sort_by_key(|e| {
                let when = e.placement.map(|p| (p.session.date, p.time));
                (e.item.patient.name.to_lowercase(), e.item.patient.nhs_number.as_str(), when, e.item.id.as_str())
            });
            for entry in placed {
                let initial = entry.item.patient.name.trim().chars().next().map_or('?', |c| c.to_ascii_uppercase());
                push_grouped(&mut groups, format!("{initial}"), entry);
            }
        }
    }
    groups
}

fn push_grouped<'a>(groups: &mut Vec<Group<'a>>, title: String, entry: Entry<'a>) {
    match groups.last_mut() {
        Some(g) if g.title == title => g.entries.push(entry),
        _ => groups.push(Group { title, entries: vec![entry] }),
    }
}

fn band_height() -> f32 {
    HEADING.line_height() + 6.0
}

/// A grey band naming the group (day and clinician, or letter).
fn band(pages: &mut Pages, title: &str) {
    let y = pages.y;
    let h = band_height();
    pages.page().rect(MARGIN, y, CONTENT_WIDTH, h, Some(BAND_GRAY), None);
    pages.page().text(MARGIN + 4.0, y + h - 4.5, CONTENT_WIDTH - 8.0, HEADING, Align::Left, title);
    pages.y += h;
}

/// The call list table: its columns and how one patient's block is drawn.
struct CallTable {
    cols: Columns,
    lines: usize,
}

const REF: usize = 0;
const PATIENT: usize = 1;
const NEW: usize = 2;
const WAS: usize = 3;
const OUTCOME: usize = 4;

impl CallTable {
    fn new(include_dob: bool) -> CallTable {
        CallTable { cols: Columns::new(&[52.0, 126.0, 106.0, 129.0, 110.0]), lines: if include_dob { 4 } else { 3 } }
    }

    fn row_height(&self, lines: usize) -> f32 {
        lines.max(self.lines) as f32 * BODY.line_height() + 7.0
    }

    /// The column headings, repeated at the top of every page of the table.
    fn header(&self, pages: &mut Pages) {
        let h = HEADING.line_height() + 5.0;
        let y = pages.y;
        let page = pages.page();
        page.rect(MARGIN, y, CONTENT_WIDTH, h, Some(200), Some(0.5));
        let names = ["Ref", "Patient", "New appointment", "Was / note", "Outcome (tick one)"];
        for (i, name) in names.iter().enumerate() {
            page.text(self.cols.x(i), y + h - 4.0, self.cols.width(i), HEADING, Align::Left, name);
        }
        pages.y += h;
    }

    /// On a new page: the headings and the group's band again.
    fn continue_on_new_page(&self, pages: &mut Pages, group: &str) {
        pages.new_page();
        self.header(pages);
        band(pages, &format!("{group} (continued)"));
    }

    /// One patient's block. The "Was / note" column is never cut: a long note
    /// makes the row taller, and one taller than a page goes on over the next.
    fn row(&self, pages: &mut Pages, plan: &Plan, entry: &Entry, options: &PrintOptions, group: &str) {
        let Some(placement) = entry.placement else { return };
        let item = entry.item;
        let urgency = Urgency::of(&plan.rules, &item.priority);
        // The most urgent rows are bold throughout, as on screen.
        let (body, body_bold) = if urgency.bold() { (BODY_BOLD, BODY_BOLD) } else { (BODY, BODY_BOLD) };
        let was = format!(
            "Was {} {}",
            short_date_time(item.original_date, item.original_time),
            original_clinician(plan, item)
        );
        let note = if item.notes.trim().is_empty() {
            item.appointment_type.clone()
        } else {
            format!("{}. {}", item.appointment_type, item.notes.trim())
        };
        let mut was_lines = wrap_all(&was, self.cols.width(WAS), body);
        was_lines.extend(wrap_all(&note, self.cols.width(WAS), body));

        let lh = BODY.line_height();
        let room = |pages: &Pages| ((pages.bottom - pages.y - 7.0) / lh).floor().max(0.0) as usize;
        let needed = was_lines.len().max(self.lines);
        let header_and_band = HEADING.line_height() + 5.0 + band_height();
        let fresh_room = ((pages.bottom - pages.top - header_and_band - 7.0) / lh).floor().max(0.0) as usize;
        // A new page when the row would fit there whole (or not even its fixed cells fit here).
        if room(pages) < self.lines || (room(pages) < needed && needed <= fresh_room) {
            self.continue_on_new_page(pages, group);
        }
        // What fits on this page (at least the fixed cells); the rest follows.
        let first = was_lines.len().min(room(pages).max(self.lines));
        let (here, mut rest) = was_lines.split_at(first);
        let top = pages.y;
        let height = self.row_height(here.len());
        let line = |i: usize| top + 3.0 + BODY.size + i as f32 * lh;
        let cols = &self.cols;
        let page = pages.page();
        urgency_bar(page, urgency, top, height);

        let contact = entry.contact();
        let mut labels = Vec::new();
        if contact != ContactStatus::NotContacted {
            labels.push(contact.label());
        }
        if placement.late {
            labels.push("LATE");
        }
        let mark = match (urgency, urgency.rgb(false)) {
            (Urgency::Most, Some(rgb)) => Some((marker(&item.priority), rgb)),
            _ => None,
        };
        reference_cell(page, cols, line(0), lh, &item.id, mark.as_ref(), &labels, here.len().max(self.lines));

        let patient = &item.patient;
        let mut patient_lines = vec![
            (BODY_BOLD, patient.name.clone()),
            (body, format!("NHS {}", printed_nhs_number(&patient.nhs_number, options.mask_nhs))),
        ];
        if options.include_dob {
            let dob = patient.date_of_birth.map_or("not recorded".to_string(), |d| d.format("%d/%m/%Y").to_string());
            patient_lines.push((body, format!("DOB {dob}")));
        }
        let phone = if patient.phone.trim().is_empty() { "no number recorded" } else { patient.phone.as_str() };
        patient_lines.push((body, format!("Tel {phone}")));
        for (i, (style, text)) in patient_lines.iter().enumerate() {
            page.text(cols.x(PATIENT), line(i), cols.width(PATIENT), *style, Align::Left, text);
        }

        let session = placement.session;
        page.text(
            cols.x(NEW),
            line(0),
            cols.width(NEW),
            body_bold,
            Align::Left,
            &short_date_time(session.date, Some(placement.time)),
        );
        page.text(cols.x(NEW), line(1), cols.width(NEW), body, Align::Left, entry.clinician_name(plan).unwrap_or(""));
        // The priority in its screen colour after the mode.
        let mode = format!("{}, ", session.mode.label());
        page.text(cols.x(NEW), line(2), cols.width(NEW), body, Align::Left, &mode);
        let after = text_width(&mode, body);
        let rgb = urgency.rgb(false);
        page.text_in(cols.x(NEW) + after, line(2), cols.width(NEW) - after, body, Align::Left, &item.priority, rgb);

        for (i, text) in here.iter().enumerate() {
            page.text(cols.x(WAS), line(i), cols.width(WAS), body, Align::Left, text);
        }

        let boxes = [
            ("Confirmed", contact == ContactStatus::Confirmed),
            ("Declined", contact == ContactStatus::Declined),
            ("No answer", contact == ContactStatus::NoAnswer),
        ];
        let mut right = 0.0f32;
        for (i, (label, ticked)) in boxes.iter().enumerate() {
            right = right.max(page.tick_box(cols.x(OUTCOME), line(i), label, BODY, *ticked));
        }
        // Space to write the new time or a message: a rule to write on.
        let write_from = right + 6.0;
        let write_to = cols.x(OUTCOME) + cols.width(OUTCOME);
        if write_to - write_from > 10.0 {
            page.text(write_from, line(0), write_to - write_from, SMALL, Align::Left, "Notes");
            page.polyline(vec![(write_from, line(2) + 1.0), (write_to, line(2) + 1.0)], 0.4, 120, true);
        }
        let bottom = top + height;
        page.line((MARGIN, bottom), (MARGIN + CONTENT_WIDTH, bottom), 0.4);
        pages.y = bottom;

        // A note longer than a page: the rest under the same reference on the next pages.
        while !rest.is_empty() {
            self.continue_on_new_page(pages, group);
            let take = rest.len().min(room(pages).max(1));
            let (here, left) = rest.split_at(take);
            rest = left;
            let top = pages.y;
            let height = here.len() as f32 * lh + 7.0;
            let line = |i: usize| top + 3.0 + BODY.size + i as f32 * lh;
            let page = pages.page();
            urgency_bar(page, urgency, top, height);
            reference_cell(page, cols, line(0), lh, &item.id, mark.as_ref(), &["(continued)"], here.len().max(2));
            page.text(cols.x(PATIENT), line(0), cols.width(PATIENT), BODY_BOLD, Align::Left, &patient.name);
            for (i, text) in here.iter().enumerate() {
                page.text(cols.x(WAS), line(i), cols.width(WAS), body, Align::Left, text);
            }
            let bottom = top + height;
            page.line((MARGIN, bottom), (MARGIN + CONTENT_WIDTH, bottom), 0.4);
            pages.y = bottom;
        }
    }
}

/// The reference (whole, over several lines if need be), the urgency mark
/// ("URGENT", bold in its colour) and status labels under it, within
/// `max_lines` lines of the first column.
#[allow(clippy::too_many_arguments)]
fn reference_cell(
    page: &mut Canvas,
    cols: &Columns,
    first: f32,
    lh: f32,
    id: &str,
    mark: Option<&(String, [u8; 3])>,
    labels: &[&str],
    max_lines: usize,
) {
    let (style, lines) = key_lines(id, cols.width(REF), BODY_BOLD);
    let key_lh = if lines.len() > 1 { style.line_height() } else { lh };
    for (i, text) in lines.iter().enumerate() {
        page.text(cols.x(REF), first + i as f32 * key_lh, cols.width(REF), style, Align::Left, text);
    }
    let mut used = ((lines.len() as f32 * key_lh) / lh).ceil() as usize;
    if let Some((word, rgb)) = mark {
        // Never cut: a long class name is printed smaller.
        let style = shrink_to_fit(word, cols.width(REF), SMALL_BOLD, 5.0);
        page.text_in(cols.x(REF), first + used as f32 * lh, cols.width(REF), style, Align::Left, word, Some(*rgb));
        used += 1;
    }
    for (i, label) in labels.iter().enumerate().filter(|(i, _)| used + i < max_lines) {
        page.text(cols.x(REF), first + (used + i) as f32 * lh, cols.width(REF), SMALL, Align::Left, label);
    }
}

/// The items that could not be placed, with the reason, so someone can book them by hand.
fn still_to_book(pages: &mut Pages, plan: &Plan, unplaced: &[&Entry], options: &PrintOptions) {
    if unplaced.is_empty() {
        return;
    }
    let cols = Columns::new(&[52.0, 126.0, 106.0, 239.0]);
    let lh = BODY.line_height();
    let row_h = 3.0 * lh + 7.0;
    let title_h = TITLE.line_height() + 8.0;
    let header = |pages: &mut Pages| {
        let h = HEADING.line_height() + 5.0;
        let y = pages.y;
        let page = pages.page();
        page.rect(MARGIN, y, CONTENT_WIDTH, h, Some(200), Some(0.5));
        for (i, name) in ["Ref", "Patient", "Appointment", "Why it is not booked"].iter().enumerate() {
            page.text(cols.x(i), y + h - 4.0, cols.width(i), HEADING, Align::Left, name);
        }
        pages.y += h;
    };
    if !pages.fits(title_h + 20.0 + row_h) {
        pages.new_page();
    } else {
        pages.y += 10.0;
    }
    let heading = format!("Still to book ({})", unplaced.len());
    pages.line_of_text(TITLE, &heading);
    pages.y += title_h - TITLE.line_height();
    header(pages);
    let mut sorted: Vec<&&Entry> = unplaced.iter().collect();
    sorted.sort_by_key(|e| (plan.rules.priority_rank(&e.item.priority), e.item.original_key()));
    for entry in sorted {
        if !pages.fits(row_h) {
            pages.new_page();
            pages.line_of_text(HEADING, "Still to book (continued)");
            pages.y += 4.0;
            header(pages);
        }
        let item = entry.item;
        let top = pages.y;
        let line = |i: usize| top + 3.0 + BODY.size + i as f32 * lh;
        let page = pages.page();
        let urgency = Urgency::of(&plan.rules, &item.priority);
        urgency_bar(page, urgency, top, row_h);
        let mark = match (urgency, urgency.rgb(false)) {
            (Urgency::Most, Some(rgb)) => Some((marker(&item.priority), rgb)),
            _ => None,
        };
        reference_cell(page, &cols, line(0), lh, &item.id, mark.as_ref(), &[], 3);
        page.text(cols.x(1), line(0), cols.width(1), BODY_BOLD, Align::Left, &item.patient.name);
        let nhs = format!("NHS {}", printed_nhs_number(&item.patient.nhs_number, options.mask_nhs));
        page.text(cols.x(1), line(1), cols.width(1), BODY, Align::Left, &nhs);
        page.text(cols.x(1), line(2), cols.width(1), BODY, Align::Left, &format!("Tel {}", item.patient.phone));
        page.text_in(cols.x(2), line(0), cols.width(2), BODY_BOLD, Align::Left, &item.priority, urgency.rgb(false));
        page.text(cols.x(2), line(1), cols.width(2), BODY, Align::Left, &item.appointment_type);
        let was = format!("Was {}", short_date_time(item.original_date, item.original_time));
        page.text(cols.x(2), line(2), cols.width(2), BODY, Align::Left, &was);
        for (i, text) in wrap(&entry.reason(plan), cols.width(3), BODY, 3).iter().enumerate() {
            page.text(cols.x(3), line(i), cols.width(3), BODY, Align::Left, text);
        }
        let bottom = top + row_h;
        page.line((MARGIN, bottom), (MARGIN + CONTENT_WIDTH, bottom), 0.4);
        pages.y = bottom;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PriorityClass;

    fn width(pieces: &[Piece]) -> f32 {
        pieces.iter().map(Piece::width).sum()
    }

    #[test]
    fn the_legend_names_every_class_and_fits_the_line() {
        let rules = Rules::default();
        let pieces = legend_pieces(&rules, true);
        assert!(width(&pieces) <= CONTENT_WIDTH, "the default legend fits with its target days");
        let words: Vec<&str> =
            pieces.iter().filter_map(|p| if let Piece::Text(t, ..) = p { Some(t.as_str()) } else { None }).collect();
        let line = words.concat();
        assert!(line.contains("URGENT Urgent (within 1 day)") && line.contains("Soon") && line.contains("Routine"));

        let mut long = rules.clone();
        long.priorities = (1..=5)
            .map(|i| PriorityClass { name: format!("Clinically urgent group {i}"), weight: 1.0, target_days: 3 })
            .collect();
        assert!(width(&legend_pieces(&long, true)) > CONTENT_WIDTH);
        assert!(width(&legend_pieces(&long, false)) < width(&legend_pieces(&long, true)));
    }
}
