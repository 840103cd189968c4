//! The call list: one block per rebooked patient with what the caller reads
//! out and tick boxes to record the answer, then the items still to book.

use super::entries::{Entry, entries, original_clinician, printed_nhs_number, short_date_time};
use super::layout::{
    Align, CONTENT_WIDTH, Canvas, Columns, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, Pages, Style, key_lines, wrap,
};
use super::{ListKind, PrintError, PrintOptions};
use crate::model::{ContactStatus, Plan};
use chrono::NaiveDate;

pub(super) const TITLE: Style = Style::bold(13.0);
const HEADING: Style = Style::bold(9.0);
const BODY: Style = Style::regular(8.0);
const BODY_BOLD: Style = Style::bold(8.0);
const SMALL: Style = Style::regular(7.0);
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
    let summary = format!(
        "{listed} appointment{} to confirm by phone; {} still to book. Tick one box per patient and write the outcome; \
         enter it in Rebook by the reference.",
        if listed == 1 { "" } else { "s" },
        unplaced.len()
    );
    pages.line_of_text(BODY, &summary);
    pages.y += 4.0;
    if groups.is_empty() {
        pages.line_of_text(HEADING, "Nobody to call.");
        pages.y += 6.0;
    } else {
        table.header(&mut pages);
    }
    for group in &groups {
        if !pages.fits(band_height() + table.row_height()) {
            pages.new_page();
            table.header(&mut pages);
        }
        band(&mut pages, &group.title);
        for entry in &group.entries {
            if !pages.fits(table.row_height()) {
                pages.new_page();
                table.header(&mut pages);
                band(&mut pages, &format!("{} (continued)", group.title));
            }
            table.row(&mut pages, plan, entry, options);
        }
    }
    still_to_book(&mut pages, plan, &unplaced, options);

    let title = options.kind.title();
    let practice = plan.practice.name.clone();
    let printed = options.printed_on;
    pages.finish(&format!("{practice}: {title}"), |page, n, total| {
        running_header(page, &practice, title, printed, n, total)
    })
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

    fn row_height(&self) -> f32 {
        self.lines as f32 * BODY.line_height() + 7.0
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

    fn row(&self, pages: &mut Pages, plan: &Plan, entry: &Entry, options: &PrintOptions) {
        let Some(placement) = entry.placement else { return };
        let item = entry.item;
        let cols = &self.cols;
        let lh = BODY.line_height();
        let top = pages.y;
        let first = top + 3.0 + BODY.size;
        let line = |i: usize| first + i as f32 * lh;
        let page = pages.page();

        let contact = entry.contact();
        let mut labels = Vec::new();
        if contact != ContactStatus::NotContacted {
            labels.push(contact.label());
        }
        if placement.late {
            labels.push("LATE");
        }
        reference_cell(page, cols, line(0), lh, &item.id, &labels, self.lines);

        let patient = &item.patient;
        let mut patient_lines = vec![
            (BODY_BOLD, patient.name.clone()),
            (BODY, format!("NHS {}", printed_nhs_number(&patient.nhs_number, options.mask_nhs))),
        ];
        if options.include_dob {
            let dob = patient.date_of_birth.map_or("not recorded".to_string(), |d| d.format("%d/%m/%Y").to_string());
            patient_lines.push((BODY, format!("DOB {dob}")));
        }
        let phone = if patient.phone.trim().is_empty() { "no number recorded" } else { patient.phone.as_str() };
        patient_lines.push((BODY, format!("Tel {phone}")));
        for (i, (style, text)) in patient_lines.iter().enumerate() {
            page.text(cols.x(PATIENT), line(i), cols.width(PATIENT), *style, Align::Left, text);
        }

        let session = placement.session;
        let new_lines = [
            (BODY_BOLD, short_date_time(session.date, Some(placement.time))),
            (BODY, entry.clinician_name(plan).unwrap_or("").to_string()),
            (BODY, format!("{}, {}", session.mode.label(), item.priority)),
        ];
        for (i, (style, text)) in new_lines.iter().enumerate() {
            page.text(cols.x(NEW), line(i), cols.width(NEW), *style, Align::Left, text);
        }

        let was = format!(
            "Was {} {}",
            short_date_time(item.original_date, item.original_time),
            original_clinician(plan, item)
        );
        page.text(cols.x(WAS), line(0), cols.width(WAS), BODY, Align::Left, &was);
        let note = if item.notes.trim().is_empty() {
            item.appointment_type.clone()
        } else {
            format!("{}. {}", item.appointment_type, item.notes.trim())
        };
        for (i, text) in wrap(&note, cols.width(WAS), BODY, self.lines - 1).iter().enumerate() {
            page.text(cols.x(WAS), line(i + 1), cols.width(WAS), BODY, Align::Left, text);
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

        let bottom = top + self.row_height();
        page.line((MARGIN, bottom), (MARGIN + CONTENT_WIDTH, bottom), 0.4);
        pages.y = bottom;
    }
}

/// The reference (whole, over several lines if need be) and status labels
/// under it, within `max_lines` lines of the first column.
fn reference_cell(page: &mut Canvas, cols: &Columns, first: f32, lh: f32, id: &str, labels: &[&str], max_lines: usize) {
    let (style, lines) = key_lines(id, cols.width(REF), BODY_BOLD);
    let key_lh = if lines.len() > 1 { style.line_height() } else { lh };
    for (i, text) in lines.iter().enumerate() {
        page.text(cols.x(REF), first + i as f32 * key_lh, cols.width(REF), style, Align::Left, text);
    }
    let used = ((lines.len() as f32 * key_lh) / lh).ceil() as usize;
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
        reference_cell(page, &cols, line(0), lh, &item.id, &[], 3);
        page.text(cols.x(1), line(0), cols.width(1), BODY_BOLD, Align::Left, &item.patient.name);
        let nhs = format!("NHS {}", printed_nhs_number(&item.patient.nhs_number, options.mask_nhs));
        page.text(cols.x(1), line(1), cols.width(1), BODY, Align::Left, &nhs);
        page.text(cols.x(1), line(2), cols.width(1), BODY, Align::Left, &format!("Tel {}", item.patient.phone));
        page.text(cols.x(2), line(0), cols.width(2), BODY_BOLD, Align::Left, &item.priority);
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
