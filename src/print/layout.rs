//! A small page-layout helper over krilla: pages are first recorded as lists
//! of drawing operations (so the total page count is known before anything is
//! written, for "Page x of y"), text is measured with the embedded font's
//! advance widths, and long fields are truncated or wrapped to their column.

use super::PrintError;
use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke, StrokeDash};
use krilla::text::{Font, TextDirection};
use std::sync::OnceLock;

/// A4 portrait, in PDF points (1/72 inch).
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
/// 12.7 mm: inside the unprintable border of every office printer.
pub const MARGIN: f32 = 36.0;
pub const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

static REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansCondensed.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansCondensed-Bold.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// Font size and weight of a run of text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub size: f32,
    pub weight: Weight,
}

impl Style {
    pub const fn regular(size: f32) -> Style {
        Style { size, weight: Weight::Regular }
    }

    pub const fn bold(size: f32) -> Style {
        Style { size, weight: Weight::Bold }
    }

    /// Baseline-to-baseline distance for this size.
    pub fn line_height(self) -> f32 {
        self.size * 1.22
    }
}

/// Advance widths of one embedded font, for measuring text before it is drawn.
struct Metrics {
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
}

impl Metrics {
    fn parse(data: &'static [u8]) -> Option<Metrics> {
        let face = ttf_parser::Face::parse(data, 0).ok()?;
        let units_per_em = f32::from(face.units_per_em());
        Some(Metrics { face, units_per_em })
    }

    fn advance(&self, c: char) -> f32 {
        let glyph = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        f32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0)) / self.units_per_em
    }
}

fn metrics(weight: Weight) -> Result<&'static Metrics, PrintError> {
    static REGULAR: OnceLock<Option<Metrics>> = OnceLock::new();
    static BOLD: OnceLock<Option<Metrics>> = OnceLock::new();
    let (cell, data) = match weight {
        Weight::Regular => (&REGULAR, REGULAR_TTF),
        Weight::Bold => (&BOLD, BOLD_TTF),
    };
    cell.get_or_init(|| Metrics::parse(data)).as_ref().ok_or(PrintError::Font)
}

/// Width of `text` in points.
pub fn text_width(text: &str, style: Style) -> f32 {
    match metrics(style.weight) {
        Ok(m) => text.chars().map(|c| m.advance(c)).sum::<f32>() * style.size,
        // Without metrics, a generous estimate keeps text inside its column.
        Err(_) => text.chars().count() as f32 * style.size * 0.6,
    }
}

/// Control characters (a newline typed into a note) would draw as boxes.
pub fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// The longest prefix of `text` that fits `width`, with "…" when cut.
pub fn fit(text: &str, width: f32, style: Style) -> String {
    let text = clean(text);
    if text_width(&text, style) <= width {
        return text;
    }
    let ellipsis = "…";
    let budget = width - text_width(ellipsis, style);
    let mut out = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let w = text_width(c.encode_utf8(&mut [0; 4]), style);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    format!("{}{ellipsis}", out.trim_end())
}

/// `style` made smaller, down to `min_size`, until `text` fits `width`.
pub fn shrink_to_fit(text: &str, width: f32, style: Style, min_size: f32) -> Style {
    let natural = text_width(&clean(text), style);
    if natural <= width || natural <= 0.0 {
        return style;
    }
    Style { size: (style.size * width / natural).max(min_size), ..style }
}

/// Smallest size a key (an appointment reference) is printed at.
pub const MIN_KEY_SIZE: f32 = 6.5;

/// A key that must never be cut (reception types it back in): shrunk to fit
/// one line, or when still too long broken between characters over several
/// lines. Returns the style and the lines.
pub fn key_lines(text: &str, width: f32, style: Style) -> (Style, Vec<String>) {
    let text = clean(text);
    let style = shrink_to_fit(&text, width, style, MIN_KEY_SIZE);
    let mut lines = vec![String::new()];
    for c in text.chars() {
        let last = lines.len() - 1;
        let mut candidate = lines[last].clone();
        candidate.push(c);
        if text_width(&candidate, style) > width && !lines[last].is_empty() {
            lines.push(c.to_string());
        } else {
            lines[last] = candidate;
        }
    }
    (style, lines)
}

/// Word-wraps `text` into at most `max_lines` lines of `width`; the last line
/// is truncated with "…" when the text does not fit.
pub fn wrap(text: &str, width: f32, style: Style, max_lines: usize) -> Vec<String> {
    let text = clean(text);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut words = text.split_whitespace().peekable();
    while let Some(word) = words.next() {
        let candidate = if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
        if text_width(&candidate, style) <= width || current.is_empty() && lines.len() + 1 == max_lines {
            current = candidate;
            continue;
        }
        if current.is_empty() {
            // A single word wider than the column: cut it.
            lines.push(fit(word, width, style));
        } else {
            lines.push(std::mem::take(&mut current));
            current = word.to_string();
        }
        if lines.len() + 1 == max_lines {
            let rest: Vec<&str> = std::iter::once(current.as_str()).chain(words.by_ref()).collect();
            current = rest.join(" ");
            break;
        }
    }
    if !current.is_empty() && lines.len() < max_lines {
        lines.push(fit(&current, width, style));
    }
    lines.truncate(max_lines.max(1));
    lines
}

/// Word-wraps all of `text` into lines of `width`, however many it takes:
/// for text that must never be cut (a note the caller reads out). A word
/// wider than the column is broken between characters.
pub fn wrap_all(text: &str, width: f32, style: Style) -> Vec<String> {
    let text = clean(text);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
        if text_width(&candidate, style) <= width {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        for c in word.chars() {
            current.push(c);
            if text_width(&current, style) > width && current.chars().count() > 1 {
                current.pop();
                lines.push(std::mem::replace(&mut current, c.to_string()));
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
    Centre,
}

/// One recorded drawing operation. Coordinates from the top-left corner, y down.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    Text {
        x: f32,
        baseline: f32,
        style: Style,
        text: String,
        rgb: Option<[u8; 3]>,
    },
    Line {
        points: Vec<(f32, f32)>,
        width: f32,
        gray: u8,
        dashed: bool,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<u8>,
        stroke: Option<f32>,
    },
    /// A rectangle filled with a colour (an urgency mark).
    Bar {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        rgb: [u8; 3],
    },
}

/// One page's drawing operations.
#[derive(Debug, Clone, Default)]
pub struct Canvas {
    ops: Vec<Op>,
}

impl Canvas {
    /// Draws `text` (cleaned, truncated to `width`) on `baseline`, aligned within [x, x + width].
    pub fn text(&mut self, x: f32, baseline: f32, width: f32, style: Style, align: Align, text: &str) {
        self.text_in(x, baseline, width, style, align, text, None);
    }

    /// [`Canvas::text`] in a colour (black when `None`).
    #[allow(clippy::too_many_arguments)]
    pub fn text_in(
        &mut self,
        x: f32,
        baseline: f32,
        width: f32,
        style: Style,
        align: Align,
        text: &str,
        rgb: Option<[u8; 3]>,
    ) {
        let text = fit(text, width, style);
        if text.is_empty() {
            return;
        }
        let w = text_width(&text, style);
        let x = match align {
            Align::Left => x,
            Align::Right => x + width - w,
            Align::Centre => x + (width - w) / 2.0,
        };
        self.ops.push(Op::Text { x, baseline, style, text, rgb });
    }

    pub fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32) {
        self.ops.push(Op::Line { points: vec![from, to], width, gray: 0, dashed: false });
    }

    /// A polyline in a shade of grey (0 black - 255 white), solid or dashed.
    pub fn polyline(&mut self, points: Vec<(f32, f32)>, width: f32, gray: u8, dashed: bool) {
        if points.len() >= 2 {
            self.ops.push(Op::Line { points, width, gray, dashed });
        }
    }

    /// A rectangle, filled with a grey and/or outlined in black.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Option<u8>, stroke: Option<f32>) {
        self.ops.push(Op::Rect { x, y, w, h, fill, stroke });
    }

    /// A rectangle filled with a colour (prints as a dark grey in black and white).
    pub fn bar(&mut self, x: f32, y: f32, w: f32, h: f32, rgb: [u8; 3]) {
        self.ops.push(Op::Bar { x, y, w, h, rgb });
    }

    /// An empty tick box with its label; `ticked` draws a cross in it.
    pub fn tick_box(&mut self, x: f32, baseline: f32, label: &str, style: Style, ticked: bool) -> f32 {
        let side = style.size;
        let top = baseline - side * 0.85;
        self.rect(x, top, side, side, None, Some(0.8));
        if ticked {
            self.line((x + 1.5, top + 1.5), (x + side - 1.5, top + side - 1.5), 1.0);
            self.line((x + side - 1.5, top + 1.5), (x + 1.5, top + side - 1.5), 1.0);
        }
        let label_x = x + side + 3.0;
        let w = text_width(label, style);
        self.ops.push(Op::Text { x: label_x, baseline, style, text: label.to_string(), rgb: None });
        label_x + w
    }
}

/// Horizontal slices of the content width: columns of a table.
#[derive(Debug, Clone)]
pub struct Columns {
    edges: Vec<f32>,
}

/// Padding inside a table cell.
pub const CELL_PAD: f32 = 3.0;

impl Columns {
    /// Columns with these relative widths, filling the content width.
    pub fn new(weights: &[f32]) -> Columns {
        let total: f32 = weights.iter().sum::<f32>().max(f32::EPSILON);
        let mut edges = vec![MARGIN];
        let mut x = MARGIN;
        for w in weights {
            x += CONTENT_WIDTH * w / total;
            edges.push(x);
        }
        Columns { edges }
    }

    /// Left edge of the text in column `i`.
    pub fn x(&self, i: usize) -> f32 {
        self.edges.get(i).copied().unwrap_or(MARGIN) + CELL_PAD
    }

    /// Width available to text in column `i`.
    pub fn width(&self, i: usize) -> f32 {
        match (self.edges.get(i), self.edges.get(i + 1)) {
            (Some(a), Some(b)) => b - a - 2.0 * CELL_PAD,
            _ => 0.0,
        }
    }

    pub fn len(&self) -> usize {
        self.edges.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Pages being laid out, with a vertical cursor on the current one.
#[derive(Debug, Clone)]
pub struct Pages {
    pages: Vec<Canvas>,
    /// Top of the free space on the current page.
    pub y: f32,
    /// Where content starts on a new page (below the running header).
    pub top: f32,
    /// Content must end above this (the running footer is below).
    pub bottom: f32,
}

impl Pages {
    pub fn new(top: f32, bottom: f32) -> Pages {
        Pages { pages: vec![Canvas::default()], y: top, top, bottom }
    }

    /// The page being drawn on.
    pub fn page(&mut self) -> &mut Canvas {
        if self.pages.is_empty() {
            self.pages.push(Canvas::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub fn new_page(&mut self) {
        self.pages.push(Canvas::default());
        self.y = self.top;
    }

    /// Writes one full-width line of text at the cursor and moves below it.
    pub fn line_of_text(&mut self, style: Style, text: &str) {
        let baseline = self.y + style.size;
        self.page().text(MARGIN, baseline, CONTENT_WIDTH, style, Align::Left, text);
        self.y += style.line_height();
    }

    /// Is there room for `height` more points on this page?
    pub fn fits(&self, height: f32) -> bool {
        self.y + height <= self.bottom
    }

    pub fn count(&self) -> usize {
        self.pages.len()
    }

    /// Adds the running header and footer (which may say "Page x of y") to
    /// every page and writes the PDF.
    pub fn finish(
        mut self,
        title: &str,
        mut decorate: impl FnMut(&mut Canvas, usize, usize),
    ) -> Result<Vec<u8>, PrintError> {
        let total = self.pages.len();
        for (i, page) in self.pages.iter_mut().enumerate() {
            decorate(page, i + 1, total);
        }
        render(&self.pages, title)
    }
}

fn font(weight: Weight) -> Result<Font, PrintError> {
    static REGULAR: OnceLock<Option<Font>> = OnceLock::new();
    static BOLD: OnceLock<Option<Font>> = OnceLock::new();
    let (cell, data) = match weight {
        Weight::Regular => (&REGULAR, REGULAR_TTF),
        Weight::Bold => (&BOLD, BOLD_TTF),
    };
    cell.get_or_init(|| Font::new(data.into(), 0)).clone().ok_or(PrintError::Font)
}

fn render(pages: &[Canvas], title: &str) -> Result<Vec<u8>, PrintError> {
    let regular = font(Weight::Regular)?;
    let bold = font(Weight::Bold)?;
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or(PrintError::Layout("A4 page size"))?;
    let mut document = Document::new();
    document.set_metadata(Metadata::new().title(title.to_string()).creator("Rebook".to_string()));
    for canvas in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in &canvas.ops {
            match op {
                Op::Text { x, baseline, style, text, rgb } => {
                    let font = if style.weight == Weight::Bold { bold.clone() } else { regular.clone() };
                    surface.set_stroke(None);
                    surface.set_fill(Some(match rgb {
                        Some([r, g, b]) => {
                            Fill { paint: krilla::color::rgb::Color::new(*r, *g, *b).into(), ..Fill::default() }
                        }
                        None => Fill::default(),
                    }));
                    surface.draw_text(
                        Point::from_xy(*x, *baseline),
                        font,
                        style.size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Line { points, width, gray, dashed } => {
                    let mut builder = PathBuilder::new();
                    for (i, (x, y)) in points.iter().enumerate() {
                        if i == 0 { builder.move_to(*x, *y) } else { builder.line_to(*x, *y) }
                    }
                    if let Some(path) = builder.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: krilla::color::luma::Color::new(*gray).into(),
                            width: *width,
                            dash: dashed.then(|| StrokeDash { array: vec![3.0, 2.0], offset: 0.0 }),
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Op::Bar { x, y, w, h, rgb: [r, g, b] } => {
                    let mut builder = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                        builder.push_rect(rect);
                    }
                    if let Some(path) = builder.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill {
                            paint: krilla::color::rgb::Color::new(*r, *g, *b).into(),
                            ..Fill::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Op::Rect { x, y, w, h, fill, stroke } => {
                    let mut builder = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                        builder.push_rect(rect);
                    }
                    if let Some(path) = builder.finish() {
                        surface.set_fill(
                            fill.map(|g| Fill { paint: krilla::color::luma::Color::new(g).into(), ..Fill::default() }),
                        );
                        surface.set_stroke(stroke.map(|width| Stroke { width, ..Stroke::default() }));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PrintError::Pdf(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: Style = Style::regular(9.0);

    #[test]
    fn measures_wider_text_as_wider() {
        assert!(text_width("WWWW", BODY) > text_width("iiii", BODY));
        assert!(text_width("abc", Style::regular(18.0)) > 1.9 * text_width("abc", BODY));
        assert_eq!(text_width("", BODY), 0.0);
    }

    #[test]
    fn fit_keeps_short_text_and_cuts_long_text() {
        assert_eq!(fit("Dr A Patel", 200.0, BODY), "Dr A Patel");
        let cut = fit("A very long note about the patient's hearing and transport", 60.0, BODY);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(text_width(&cut, BODY) <= 60.0);
        assert_eq!(fit("line\nbreak", 200.0, BODY), "line break");
    }

    #[test]
    fn wrap_respects_width_and_line_limit() {
        let text = "Needs an interpreter (Polish); prefers mornings; husband drives; call after 10am please";
        let lines = wrap(text, 90.0, BODY, 2);
        assert_eq!(lines.len(), 2);
        for line in &lines {
            assert!(text_width(line, BODY) <= 90.0, "{line}");
        }
        assert!(lines[1].ends_with('…'));
        let all = wrap(text, 1000.0, BODY, 3);
        assert_eq!(all, vec![text.to_string()]);
        assert!(wrap("", 100.0, BODY, 2).is_empty());
    }

    #[test]
    fn wrap_all_keeps_every_word_within_the_width() {
        let text = "Needs an interpreter (Polish); prefers mornings; husband drives; call after 10am please \
                    https://example.test/a-very-long-link-that-is-wider-than-any-column-of-the-list";
        let lines = wrap_all(text, 90.0, BODY);
        assert!(lines.len() > 3, "{lines:?}");
        for line in &lines {
            assert!(text_width(line, BODY) <= 90.0, "{line}");
            assert!(!line.contains('…'), "{line}");
        }
        let words: String = text.split_whitespace().collect();
        assert_eq!(lines.concat().replace(' ', ""), words, "nothing is lost");
        assert!(wrap_all("", 90.0, BODY).is_empty());
        assert_eq!(wrap_all("a\nb", 90.0, BODY), ["a b"]);
    }

    #[test]
    fn keys_are_shrunk_or_broken_but_never_cut() {
        assert_eq!(shrink_to_fit("A1", 40.0, BODY, 5.0), BODY);
        let small = shrink_to_fit("A-000000352", 40.0, BODY, 5.0);
        assert!(small.size < BODY.size && text_width("A-000000352", small) <= 40.01);
        assert_eq!(shrink_to_fit(&"X".repeat(80), 40.0, BODY, 5.0).size, 5.0);
        assert_eq!(key_lines("A0001", 40.0, BODY), (BODY, vec!["A0001".to_string()]));
        let long = "EMIS-APPT-000123456789-XYZ";
        let (style, lines) = key_lines(long, 40.0, BODY);
        assert_eq!(style.size, MIN_KEY_SIZE);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), long);
        assert!(lines.iter().all(|l| text_width(l, style) <= 40.0));
    }

    #[test]
    fn columns_fill_the_content_width() {
        let cols = Columns::new(&[1.0, 3.0]);
        assert_eq!(cols.len(), 2);
        let total = cols.width(0) + cols.width(1) + 4.0 * CELL_PAD;
        assert!((total - CONTENT_WIDTH).abs() < 0.01);
        assert!(cols.x(1) > cols.x(0) + cols.width(0));
    }
}
