//! Call lists and the summary read back from the PDF: content, page count,
//! "Page x of y" on every page, masking, and PDF validity.
//! Text extraction uses poppler's `pdftotext` (apt-get install poppler-utils);
//! without it these tests check structure with lopdf only and say so.
#![allow(clippy::unwrap_used)]

use crate::common::{date, plan_with_bookings, tool_output};
use rebook::generate::{benchmark_config, generate};
use rebook::model::{ContactStatus, Outcome, Plan, nhs};
use rebook::print::{ListKind, PrintOptions, call_list_pdf, summary_pdf};
use rebook::scheduler::baseline::priority_greedy;
use std::path::PathBuf;

fn options(kind: ListKind) -> PrintOptions {
    PrintOptions { kind, mask_nhs: false, include_dob: true, printed_on: date(2024, 7, 20) }
}

/// The PDF parses, and qpdf (when installed) finds no damage. Returns the page count.
fn check_valid(pdf: &[u8]) -> usize {
    assert!(pdf.starts_with(b"%PDF-"));
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let pages = doc.get_pages().len();
    assert!(pages > 0);
    // A4 portrait on every page.
    for (_, id) in doc.get_pages() {
        let page = doc.get_dictionary(id).unwrap();
        let media: Vec<f32> =
            page.get(b"MediaBox").unwrap().as_array().unwrap().iter().map(|v| v.as_float().unwrap()).collect();
        assert!((media[2] - 595.28).abs() < 0.5 && (media[3] - 841.89).abs() < 0.5, "{media:?}");
    }
    // The fonts travel inside the file (subset TrueType from assets/fonts).
    let embedded = doc.objects.values().filter_map(|o| o.as_dict().ok()).filter(|d| {
        d.get(b"Type").and_then(|t| t.as_name()).is_ok_and(|n| n == b"FontDescriptor")
            && (d.has(b"FontFile2") || d.has(b"FontFile3"))
    });
    assert!(embedded.count() >= 1, "no embedded font");
    let (_dir, path) = write_temp(pdf);
    if let Some((ok, out)) = tool_output("qpdf", &["--check", path.to_str().unwrap()]) {
        assert!(ok, "qpdf --check failed:\n{out}");
    }
    pages
}

/// The PDF in a fresh temporary folder, removed when the guard drops.
fn write_temp(pdf: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.pdf");
    std::fs::write(&path, pdf).unwrap();
    (dir, path)
}

/// Text of each page, or None when pdftotext is missing.
fn pages_text(pdf: &[u8]) -> Option<Vec<String>> {
    let (_dir, path) = write_temp(pdf);
    let (ok, text) = tool_output("pdftotext", &["-layout", path.to_str().unwrap(), "-"])?;
    assert!(ok, "pdftotext failed");
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    Some(pages)
}

fn no_pdftotext() {
    eprintln!("pdftotext not installed (apt-get install poppler-utils): text checks skipped");
}

fn placed_ids(plan: &Plan) -> Vec<&str> {
    plan.bookings.iter().filter(|b| b.session().is_some()).map(|b| b.appointment_id.as_str()).collect()
}

#[test]
fn thousand_booking_list_has_every_patient_and_page_x_of_y_on_every_page() {
    let plan = plan_with_bookings(1000);
    let started = std::time::Instant::now();
    let pdf = call_list_pdf(&plan, &options(ListKind::ByDay)).unwrap();
    eprintln!("1,000-booking call list: {} bytes in {:?}", pdf.len(), started.elapsed());
    let count = check_valid(&pdf);
    assert!(count > 40, "{count} pages for 1,000 bookings");
    let Some(pages) = pages_text(&pdf) else { return no_pdftotext() };
    assert_eq!(pages.len(), count);
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains(&format!("Page {} of {count}", i + 1)), "page {} lacks its number", i + 1);
        assert!(page.contains("Riverside Medical Practice"), "page {} lacks the practice", i + 1);
        assert!(page.contains("Printed 20 Jul 2024"));
    }
    let all = pages.join("\n");
    for id in placed_ids(&plan) {
        assert!(all.contains(id), "{id} missing");
    }
    // The table header repeats on every page that continues the table.
    let unplaced = plan.bookings.len() - placed_ids(&plan).len();
    let first_still = pages.iter().position(|p| p.contains("Still to book")).unwrap();
    for (i, page) in pages.iter().enumerate() {
        if i < first_still {
            assert!(page.contains("Outcome (tick one)"), "page {} lacks the table header", i + 1);
        }
        if i >= first_still {
            assert!(page.contains("Why it is not booked"), "page {} lacks the unplaced header", i + 1);
        }
    }
    // Unplaced items are listed apart with their reason.
    assert!(all.contains(&format!("Still to book ({unplaced})")), "unplaced section missing");
    assert!(all.contains("no GP session with a free slot"));
    // Rows carry what the caller needs.
    let first = &plan.backlog[0];
    assert!(all.contains(&nhs::format(&first.patient.nhs_number)));
    assert!(all.contains("Mon 22 Jul 08:30"));
    assert!(all.contains("Dr A Patel"));
    assert!(all.contains("Confirmed") && all.contains("Declined") && all.contains("No answer"));
    assert!(all.contains("Needs an interpreter"));
    assert!(all.contains("Monday 22 July 2024"), "day band missing");
}

#[test]
fn masking_removes_full_nhs_numbers_and_no_dob_removes_dates_of_birth() {
    let plan = plan_with_bookings(120);
    let opts = PrintOptions { mask_nhs: true, include_dob: false, ..options(ListKind::ByDay) };
    let pdf = call_list_pdf(&plan, &opts).unwrap();
    check_valid(&pdf);
    let Some(pages) = pages_text(&pdf) else { return no_pdftotext() };
    let all = pages.join("\n");
    let squashed: String = all.chars().filter(|c| !c.is_whitespace()).collect();
    for item in &plan.backlog {
        let digits = &item.patient.nhs_number;
        assert!(!squashed.contains(digits.as_str()), "full NHS number {digits} printed");
        assert!(!squashed.contains(&digits[..6]), "first six digits of {digits} printed");
    }
    assert!(all.contains(&nhs::masked(&plan.backlog[0].patient.nhs_number)));
    assert!(!all.contains("DOB"));
    // Unmasked, the same list does carry them.
    let pdf = call_list_pdf(&plan, &options(ListKind::ByDay)).unwrap();
    let all = pages_text(&pdf).unwrap().join("\n");
    assert!(all.contains(&nhs::format(&plan.backlog[0].patient.nhs_number)));
    assert!(all.contains("DOB 01/01/1940"));
}

#[test]
fn by_patient_list_is_alphabetical() {
    let plan = plan_with_bookings(60);
    let pdf = call_list_pdf(&plan, &options(ListKind::ByPatient)).unwrap();
    check_valid(&pdf);
    let Some(pages) = pages_text(&pdf) else { return no_pdftotext() };
    let all = pages.join("\n");
    let mut names: Vec<String> = plan
        .backlog
        .iter()
        .filter(|b| placed_ids(&plan).contains(&b.id.as_str()))
        .map(|b| b.patient.name.clone())
        .collect();
    names.sort_by_key(|n| n.to_lowercase());
    names.dedup();
    let positions: Vec<usize> = names.iter().map(|n| all.find(n.as_str()).unwrap_or_else(|| panic!("{n}"))).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "not A-Z: {names:?}");
    assert!(all.contains("Call list A-Z by patient"));
}

#[test]
fn uncontacted_list_leaves_out_patients_already_reached() {
    let plan = plan_with_bookings(200);
    let pdf = call_list_pdf(&plan, &options(ListKind::Uncontacted)).unwrap();
    check_valid(&pdf);
    let Some(pages) = pages_text(&pdf) else { return no_pdftotext() };
    let all = pages.join("\n");
    for booking in &plan.backlog.iter().zip(&plan.bookings).collect::<Vec<_>>() {
        let (item, b) = booking;
        if !matches!(b.outcome, Outcome::Placed { .. }) {
            continue;
        }
        let listed = all.contains(&format!(" {} ", item.id)) || all.contains(&format!("\n{} ", item.id));
        let should = matches!(b.contact, ContactStatus::NotContacted | ContactStatus::NoAnswer);
        assert_eq!(listed, should, "{} ({:?})", item.id, b.contact);
    }
}

#[test]
fn empty_plan_prints_a_valid_list_and_summary() {
    let plan = Plan::new("Empty Surgery");
    let pdf = call_list_pdf(&plan, &options(ListKind::ByDay)).unwrap();
    assert_eq!(check_valid(&pdf), 1);
    let pdf = summary_pdf(&plan, date(2024, 7, 20)).unwrap();
    assert_eq!(check_valid(&pdf), 1);
    if let Some(pages) = pages_text(&pdf) {
        assert!(pages[0].contains("Page 1 of 1"));
    }
}

#[test]
fn summary_is_one_page_with_figures_and_burndown() {
    let plan = plan_with_bookings(1000);
    let pdf = summary_pdf(&plan, date(2024, 7, 20)).unwrap();
    assert_eq!(check_valid(&pdf), 1);
    let Some(pages) = pages_text(&pdf) else { return no_pdftotext() };
    let text = &pages[0];
    assert!(text.contains("Rebooking summary"));
    assert!(text.contains("Page 1 of 1"));
    assert!(text.contains("1000"), "total missing");
    let placed = placed_ids(&plan).len();
    let figure = format!("{placed} ({:.0}%)", 100.0 * placed as f64 / 1000.0);
    assert!(text.contains(&figure), "placed figure {figure} missing:\n{text}");
    assert!(text.contains("Burndown"));
    assert!(text.contains("Compared with booking by hand"));
    assert!(text.contains("First come, first served") && text.contains("Most urgent first"));
    assert!(text.contains("Routine within 14 days"));
    for name in ["Urgent", "Soon", "Routine"] {
        assert!(text.contains(name));
    }
    assert!(text.contains("Mon 22 Jul"));
    assert!(!text.contains("Printed and exported"), "no audit trail yet");
}

#[test]
fn summary_shows_the_newest_audit_entries_on_its_one_page() {
    use rebook::model::{AuditAction, AuditEntry};
    let mut plan = plan_with_bookings(1000);
    for i in 0..8 {
        let mut entry = AuditEntry::now(AuditAction::Export, format!("SMS batch CSV, {i} rows, to sms{i}.csv"));
        entry.user = format!("user{i}");
        plan.audit.push(entry);
    }
    let pdf = summary_pdf(&plan, date(2024, 7, 20)).unwrap();
    assert_eq!(check_valid(&pdf), 1);
    let Some(pages) = pages_text(&pdf) else { return no_pdftotext() };
    let text = &pages[0];
    assert!(text.contains("Printed and exported (the last 5 of 8)"), "{text}");
    assert!(text.contains("user7 exported SMS batch CSV, 7 rows, to sms7.csv"), "{text}");
    assert!(text.contains("user3 exported") && !text.contains("user2 exported"), "{text}");
}

#[test]
fn hostile_text_does_not_break_the_layout() {
    let mut plan = plan_with_bookings(5);
    plan.backlog[0].patient.name = "=CMD()|' ".repeat(40) + "\n\t\u{0}end";
    plan.backlog[1].notes = "x".repeat(5000);
    plan.backlog[2].patient.name = "李小龍 🙂 Ωμέγα".into();
    plan.practice.name = "P".repeat(300);
    // A long reference is shrunk, never cut: reception keys outcomes by it.
    let long_ref = "EMIS-APPT-000123456789";
    plan.backlog[3].id = long_ref.into();
    plan.bookings[3].appointment_id = long_ref.into();
    let pdf = call_list_pdf(&plan, &options(ListKind::ByPatient)).unwrap();
    check_valid(&pdf);
    let (_dir, path) = write_temp(&pdf);
    if let Some((_, raw)) = tool_output("pdftotext", &["-raw", path.to_str().unwrap(), "-"]) {
        // Broken over lines in its column, but whole and in order.
        let squashed: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(squashed.contains(long_ref), "{raw}");
    }
}

/// Opt-in: with a CUPS printer named in REBOOK_TEST_PRINTER (e.g. a cups-pdf
/// virtual printer), a call list is sent with `lp` and the job completes.
#[test]
fn prints_to_the_cups_printer_named_in_rebook_test_printer() {
    let Ok(printer) = std::env::var("REBOOK_TEST_PRINTER") else {
        eprintln!("REBOOK_TEST_PRINTER not set: printing to CUPS not tried");
        return;
    };
    assert!(rebook::print::list_printers().contains(&printer), "{printer} not in lpstat -e");
    let pdf = call_list_pdf(&plan_with_bookings(30), &options(ListKind::ByDay)).unwrap();
    let path = rebook::print::write_temp_pdf(&pdf, "rebook-cups-test").unwrap();
    let completed_jobs = || {
        tool_output("lpstat", &["-W", "completed", "-o", &printer])
            .map_or(0, |(_, out)| out.lines().filter(|l| l.starts_with(&format!("{printer}-"))).count())
    };
    let before = completed_jobs();
    rebook::print::send_to_printer(&path, Some(&printer)).unwrap();
    let completed = (0..60).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(500));
        completed_jobs() > before
    });
    assert!(completed, "the job did not complete on {printer}");
    let _ = std::fs::remove_file(path);
}

/// A generated 1,000-item practice, booked most-urgent-first: every placed
/// appointment is on the list once, with its time, and the pages are numbered.
#[test]
fn generated_thousand_item_plan_prints_every_booking() {
    let mut plan = generate(&benchmark_config(1000, 7));
    plan.bookings = priority_greedy(&plan);
    let placed = placed_ids(&plan).len();
    assert!(placed > 600, "{placed} placed");
    let opts = PrintOptions { mask_nhs: true, ..options(ListKind::ByDay) };
    let pdf = call_list_pdf(&plan, &opts).unwrap();
    let count = check_valid(&pdf);
    let summary = summary_pdf(&plan, date(2024, 7, 20)).unwrap();
    assert_eq!(check_valid(&summary), 1);
    let Some(pages) = pages_text(&pdf) else { return no_pdftotext() };
    assert_eq!(pages.len(), count);
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains(&format!("Page {} of {count}", i + 1)));
    }
    let all = pages.join("\n");
    for id in placed_ids(&plan) {
        assert_eq!(all.matches(&format!("{id} ")).count(), 1, "{id} should be listed once");
    }
    let squashed: String = all.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        plan.backlog.iter().all(|b| !squashed.contains(&b.patient.nhs_number)),
        "an NHS number was printed in full"
    );
}

#[test]
fn urgent_rows_are_marked_with_a_legend_on_every_page_and_notes_are_never_cut() {
    let mut plan = plan_with_bookings(40);
    // A note of a few lines, and one longer than a page: both printed whole.
    let medium = "Needs an interpreter (Polish); hard of hearing, please speak slowly; daughter Anna on 07700 900999 \
                  arranges transport, call her first; prefers the afternoon; wheelchair access needed at the side door";
    plan.backlog[1].notes = medium.into();
    let words: Vec<String> = (1..=500).map(|i| format!("w{i:04}")).collect();
    plan.backlog[2].notes = words.join(" ");
    let pdf = call_list_pdf(&plan, &options(ListKind::ByDay)).unwrap();
    let count = check_valid(&pdf);
    let Some(pages) = pages_text(&pdf) else { return no_pdftotext() };
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains("Urgency, as on screen"), "page {} lacks the legend", i + 1);
        assert!(page.contains("URGENT Urgent") && page.contains("Soon") && page.contains("Routine"), "{page}");
    }
    let all = pages.join("\n");
    assert!(!all.contains('…'), "something was cut");
    let urgent = plan.backlog.iter().filter(|b| b.priority == "Urgent").count();
    assert!(all.contains("Urgent, marked URGENT"), "the summary counts the urgent rows");

    // The line under an urgent row's reference says URGENT; no other row's does.
    let lines: Vec<&str> = all.lines().collect();
    let mut marked = 0;
    for id in placed_ids(&plan) {
        let item = plan.backlog_item(id).unwrap();
        let at = lines.iter().position(|l| l.trim_start().starts_with(id)).unwrap_or_else(|| panic!("{id} missing"));
        let under = lines[at + 1].trim_start();
        if item.priority == "Urgent" {
            assert!(under.starts_with("URGENT"), "{id} is urgent but not marked:\n{}\n{}", lines[at], lines[at + 1]);
            marked += 1;
        } else {
            assert!(!under.starts_with("URGENT"), "{id} is {} but marked", item.priority);
        }
    }
    assert!(marked > 0 && marked <= urgent, "{marked} of {urgent}");

    // Every word of both notes, in order, nothing cut.
    let (_dir, path) = write_temp(&pdf);
    let (_, raw) = tool_output("pdftotext", &["-raw", path.to_str().unwrap(), "-"]).unwrap();
    let squashed: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let medium_squashed: String = medium.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(squashed.contains(&medium_squashed), "the note is not whole");
    let mut from = 0;
    for word in &words {
        let found = raw[from..].find(word.as_str()).unwrap_or_else(|| panic!("{word} missing or out of order"));
        from += found + word.len();
    }
    assert!(count >= 2 && all.contains("(continued)"), "the long note goes on over the next page");
}
