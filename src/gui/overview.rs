//! The Overview screen: the report's figures for this plan beside the FIFO and
//! greedy baselines, a burndown of the backlog by day, capacity used against
//! usable by day, and capacity advice with a one-click "add this session".

use super::command::Command;
use super::dates;
use super::document::Document;
use super::panel::{Panel, PanelContext, PanelEvent};
use crate::report::{Comparison, Report, compare};
use crate::scheduler::Advice;
use egui_plot::{Bar, BarChart, Legend, Line, Plot};

#[derive(Default)]
pub struct OverviewPanel {
    comparison: Option<(u64, Comparison)>,
    /// The advice last worked out (in the background, by the app).
    pub advice: AdviceState,
    /// Set by the app each frame: advice for this plan is being worked out.
    pub advice_running: bool,
}

#[derive(Default)]
pub enum AdviceState {
    #[default]
    NotAsked,
    /// Advice for the plan at this revision (when it started, not when it arrived).
    Ready(u64, Vec<Advice>),
    Failed(String),
}

impl OverviewPanel {
    /// The comparison for the current plan (computed once per revision).
    pub fn comparison(&mut self, doc: &Document) -> &Comparison {
        if self.comparison.as_ref().is_some_and(|(rev, _)| *rev != doc.revision()) {
            self.comparison = None;
        }
        &self.comparison.get_or_insert_with(|| (doc.revision(), compare(doc.plan()))).1
    }

    fn advice_ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        let running = self.advice_running;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!running, egui::Button::new("Find sessions that would help"))
                .on_hover_text("Tries extra sessions and re-plans with each; takes a little while")
                .clicked()
            {
                cx.send(PanelEvent::Command(Command::Advise));
            }
            if running {
                ui.add(egui::Spinner::new());
                ui.label("Trying extra sessions...");
            }
        });
        let mut add = None;
        match &self.advice {
            AdviceState::NotAsked => {}
            AdviceState::Failed(e) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("No advice: {e}."));
            }
            AdviceState::Ready(revision, list) => {
                if *revision != cx.doc.revision() {
                    ui.label("The plan changed since this advice; ask again for up-to-date figures.");
                }
                if list.is_empty() {
                    ui.label("No extra session would improve this plan.");
                }
                for (i, advice) in list.iter().enumerate() {
                    ui.horizontal(|ui| {
                        let button = super::draft::named(
                            ui.button("Add this session"),
                            &format!("Add advised session {}", i + 1),
                        );
                        if button.clicked() {
                            add = Some(advice.clone());
                        }
                        ui.label(crate::scheduler::explain::capitalise(&advice.summary));
                    });
                }
            }
        }
        if let Some(advice) = add {
            // Re-planned with the session on a copy; the Plan screen previews it before anything changes.
            cx.send(PanelEvent::Command(Command::AddSession(Box::new(advice))));
        }
    }
}

impl Panel for OverviewPanel {
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>) {
        let comparison = self.comparison(cx.doc).clone();
        egui::ScrollArea::vertical().id_salt("overview-scroll").show(ui, |ui| {
            ui.heading("Rebook against the usual ways");
            if !cx.doc.plan().bookings.iter().any(|b| b.session().is_some()) {
                ui.label("No plan yet: the Rebook column fills in once the Plan screen has solved.");
            }
            figures_grid(ui, &comparison);
            ui.add_space(8.0);
            ui.columns(2, |columns| {
                columns[0].strong("Backlog remaining at the end of each day");
                burndown(&mut columns[0], &comparison);
                columns[1].strong("Rebooked slots used and usable, by day");
                capacity(&mut columns[1], &comparison.rebook);
            });
            ui.add_space(8.0);
            ui.heading("Capacity advice");
            self.advice_ui(ui, cx);
        });
    }
}

fn percent(value: f64) -> String {
    format!("{value:.0} %")
}

/// One row of the comparison: a label and the figure for each plan.
type Row = (String, [String; 3]);

/// The figures about patients beside the baselines; how the optimiser scored
/// each plan goes under a collapsed "Details".
fn figures_grid(ui: &mut egui::Ui, c: &Comparison) {
    let reports = [&c.rebook, &c.fifo, &c.greedy];
    let row = |name: String, value: &dyn Fn(&Report) -> String| -> Row { (name, reports.map(value)) };
    let mut rows = vec![row("Patients placed".into(), &|r| format!("{} of {}", r.placed, r.total))];
    for name in c.rebook.priorities.iter().map(|p| p.name.clone()) {
        let of = |r: &Report| r.priorities.iter().find(|p| p.name == name).cloned();
        rows.push(row(format!("{name} within target"), &|r| {
            of(r).map_or_else(String::new, |p| {
                format!("{} (late {}, unplaced {})", percent(p.within_target), p.late, p.total - p.placed)
            })
        }));
        rows.push(row(format!("{name}: days waited"), &|r| {
            of(r).map_or_else(String::new, |p| format!("{:.1} on average, at most {}", p.mean_wait, p.max_wait))
        }));
    }
    rows.push(row("Routine within 7 days".into(), &|r| percent(r.routine_within_7)));
    rows.push(row("Routine within 14 days".into(), &|r| percent(r.routine_within_14)));
    rows.push(row("Usual clinician kept".into(), &|r| percent(r.continuity_kept)));
    rows.push(row("Bookings moved".into(), &|r| r.moved.to_string()));
    rows.push(row("Expected did-not-attends".into(), &|r| format!("{:.1}", r.expected_dna)));
    grid(ui, "figures", &rows);
    let details = [
        row("Plan score (lower is better)".into(), &|r| format!("{:.0}", r.objective)),
        row("Lower bound".into(), &|r| r.bound.map_or_else(|| "-".into(), |b| format!("{b:.0}"))),
        row("Gap to the best possible".into(), &|r| {
            r.gap.map_or_else(|| "-".into(), |g| format!("{:.2} %", g * 100.0))
        }),
    ];
    egui::CollapsingHeader::new("Details").id_salt("overview-details").default_open(false).show(ui, |ui| {
        grid(ui, "figure-details", &details);
    });
}

fn grid(ui: &mut egui::Ui, id: &str, rows: &[Row]) {
    egui::Grid::new(id).striped(true).num_columns(4).spacing([24.0, 4.0]).min_col_width(120.0).show(ui, |ui| {
        ui.strong("");
        for name in ["Rebook", "First come, first served", "Most urgent first"] {
            ui.strong(name);
        }
        ui.end_row();
        for (name, values) in rows {
            ui.label(name);
            for value in values {
                ui.label(value);
            }
            ui.end_row();
        }
    });
}

/// x = day number in the report; the axis shows the date.
fn day_axis(report: &Report) -> impl Fn(egui_plot::GridMark, &std::ops::RangeInclusive<f64>) -> String + use<> {
    let days: Vec<String> = report.days.iter().map(|d| d.date.format("%a %d/%m").to_string()).collect();
    move |mark, _| {
        let i = mark.value.round();
        if (mark.value - i).abs() > 1e-6 || i < 0.0 {
            return String::new();
        }
        days.get(i as usize).cloned().unwrap_or_default()
    }
}

/// One grid line per day, and a label under each while they fit (every 2nd,
/// 5th or 7th day on a long horizon), instead of the plot's decimal steps
/// that labelled only the first day.
fn day_marks(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    // The plot's default minimum grid spacing is 8 points: this is one point in days.
    let days_per_point = input.base_step_size / 8.0;
    let label_step =
        [1.0, 2.0, 5.0, 7.0, 14.0, 28.0].into_iter().find(|step| step / days_per_point >= 84.0).unwrap_or(56.0);
    let (first, last) = (input.bounds.0.ceil().max(0.0), input.bounds.1.floor());
    let mut marks = Vec::new();
    let mut day = first;
    while day <= last && marks.len() < 1_000 {
        // Labelled days carry the wide step (their labels show); the others draw only a faint line.
        let step_size = if (day % label_step).abs() < 1e-9 { label_step } else { 1.0 };
        marks.push(egui_plot::GridMark { value: day, step_size });
        day += 1.0;
    }
    marks
}

fn burndown(ui: &mut egui::Ui, c: &Comparison) {
    let line = |name: &str, r: &Report| {
        let points: Vec<[f64; 2]> = r.days.iter().enumerate().map(|(i, d)| [i as f64, d.remaining as f64]).collect();
        Line::new(name.to_string(), points)
    };
    let (rebook, fifo, greedy) =
        (line("Rebook", &c.rebook), line("First come, first served", &c.fifo), line("Most urgent first", &c.greedy));
    Plot::new("burndown")
        .height(260.0)
        .legend(Legend::default())
        .x_grid_spacer(day_marks)
        .x_axis_formatter(day_axis(&c.rebook))
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.line(rebook);
            plot.line(fifo);
            plot.line(greedy);
        });
    if let (Some(first), Some(last)) = (c.rebook.days.first(), c.rebook.days.last()) {
        ui.small(format!("{} to {}", dates::uk_day(first.date), dates::uk_day(last.date)));
    }
}

fn capacity(ui: &mut egui::Ui, report: &Report) {
    let usable: Vec<Bar> =
        report.days.iter().enumerate().map(|(i, d)| Bar::new(i as f64 - 0.2, f64::from(d.usable)).width(0.4)).collect();
    let used: Vec<Bar> =
        report.days.iter().enumerate().map(|(i, d)| Bar::new(i as f64 + 0.2, f64::from(d.used)).width(0.4)).collect();
    Plot::new("capacity-chart")
        .height(260.0)
        .legend(Legend::default())
        .x_grid_spacer(day_marks)
        .x_axis_formatter(day_axis(report))
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("Usable", usable));
            plot.bar_chart(BarChart::new("Used", used));
        });
}
