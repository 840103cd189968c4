//! Messages as toasts in the window's corner: news fades after a few seconds,
//! errors stay until dismissed. They are ordinary labels (screen readers and
//! tests find them), and the session's messages stay readable in the log.

use std::time::Duration;

/// One thing the app told the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub is_error: bool,
    pub text: String,
}

/// Seconds a piece of news stays, the last of them fading out.
const SHOW_FOR: f64 = 6.0;
const FADE_FOR: f64 = 1.0;
/// Toasts on screen at most of each kind; older errors wait in the log.
const MAX_TOASTS: usize = 3;
/// Messages kept in the log.
const MAX_LOG: usize = 200;

#[derive(Debug, Clone, Copy, Default)]
struct Shown {
    /// Input time when the toast first appeared.
    since: Option<f64>,
    dismissed: bool,
}

#[derive(Default)]
pub struct Messages {
    log: Vec<Message>,
    shown: Vec<Shown>,
    log_open: bool,
}

impl Messages {
    pub fn push(&mut self, message: Message) {
        self.log.push(message);
        self.shown.push(Shown::default());
        if self.log.len() > MAX_LOG {
            self.log.remove(0);
            self.shown.remove(0);
        }
    }

    /// Every message of the session still in the log, oldest first.
    pub fn all(&self) -> &[Message] {
        &self.log
    }

    /// Errors not yet dismissed.
    pub fn errors(&self) -> Vec<&str> {
        self.log
            .iter()
            .zip(&self.shown)
            .filter(|(m, s)| m.is_error && !s.dismissed)
            .map(|(m, _)| m.text.as_str())
            .collect()
    }

    pub fn toggle_log(&mut self) {
        self.log_open = !self.log_open;
    }

    fn is_live(&self, i: usize, now: f64) -> bool {
        let (Some(message), Some(shown)) = (self.log.get(i), self.shown.get(i)) else { return false };
        !shown.dismissed && (message.is_error || shown.since.is_none_or(|since| now - since < SHOW_FOR))
    }

    /// Draws the toasts (and the log window when open).
    pub fn ui(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        let live: Vec<usize> = (0..self.log.len()).filter(|&i| self.is_live(i, now)).collect();
        let errors: Vec<usize> = live.iter().copied().filter(|&i| self.log[i].is_error).collect();
        let news: Vec<usize> = live.iter().copied().filter(|&i| !self.log[i].is_error).collect();
        let hidden_errors = errors.len().saturating_sub(MAX_TOASTS);
        let shown: Vec<usize> =
            errors.iter().skip(hidden_errors).chain(news.iter().rev().take(MAX_TOASTS).rev()).copied().collect();
        let mut dismiss = Vec::new();
        let mut next_repaint: Option<f64> = None;
        if !shown.is_empty() {
            egui::Area::new(egui::Id::unique("rebook-toasts"))
                .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-14.0, -14.0))
                .order(egui::Order::Foreground)
                .show(ctx, |ui| {
                    ui.set_max_width(440.0);
                    if hidden_errors > 0 {
                        ui.horizontal(|ui| {
                            ui.label(format!("{hidden_errors} earlier error(s) in the message log"));
                            if ui.button("Dismiss all errors").clicked() {
                                dismiss.extend(errors.iter().copied());
                            }
                        });
                    }
                    for &i in &shown {
                        let message = &self.log[i];
                        let since = *self.shown[i].since.get_or_insert(now);
                        let age = now - since;
                        let opacity =
                            if message.is_error { 1.0 } else { ((SHOW_FOR - age) / FADE_FOR).clamp(0.0, 1.0) };
                        if !message.is_error {
                            let fade_starts = SHOW_FOR - FADE_FOR - age;
                            let wait = if fade_starts > 0.0 { fade_starts } else { 0.05 };
                            next_repaint = Some(next_repaint.map_or(wait, |w: f64| w.min(wait)));
                        }
                        let response = ui
                            .scope(|ui| {
                                ui.multiply_opacity(opacity as f32);
                                toast_ui(ui, message)
                            })
                            .inner;
                        if response.dismissed {
                            dismiss.push(i);
                        }
                        if response.hovered && !message.is_error {
                            // Reading it: keep it a little longer.
                            self.shown[i].since = Some(now - (SHOW_FOR - FADE_FOR - 2.0).min(age));
                        }
                        ui.add_space(6.0);
                    }
                });
        }
        for i in dismiss {
            if let Some(shown) = self.shown.get_mut(i) {
                shown.dismissed = true;
            }
        }
        if let Some(wait) = next_repaint {
            ctx.request_repaint_after(Duration::from_secs_f64(wait.max(0.02)));
        }
        self.log_ui(ctx);
    }

    fn log_ui(&mut self, ctx: &egui::Context) {
        let mut open = self.log_open;
        let mut clear = false;
        egui::Window::new("Message log").open(&mut open).default_size([520.0, 320.0]).show(ctx, |ui| {
            if self.log.is_empty() {
                ui.label("No messages yet.");
            }
            if ui.button("Clear the log").clicked() {
                clear = true;
            }
            egui::ScrollArea::vertical().id_salt("message-log").show(ui, |ui| {
                for message in self.log.iter().rev() {
                    if message.is_error {
                        ui.colored_label(ui.visuals().error_fg_color, &message.text);
                    } else {
                        ui.label(&message.text);
                    }
                    ui.separator();
                }
            });
        });
        self.log_open = open;
        if clear {
            self.log.clear();
            self.shown.clear();
        }
    }
}

struct ToastResponse {
    dismissed: bool,
    hovered: bool,
}

fn toast_ui(ui: &mut egui::Ui, message: &Message) -> ToastResponse {
    let visuals = ui.visuals();
    let (stroke, fill) = if message.is_error {
        (egui::Stroke::new(2.0, visuals.error_fg_color), visuals.extreme_bg_color)
    } else {
        (egui::Stroke::new(1.0, visuals.widgets.noninteractive.bg_stroke.color), visuals.window_fill)
    };
    let mut dismissed = false;
    let frame = egui::Frame::popup(ui.style()).fill(fill).stroke(stroke).inner_margin(10.0).show(ui, |ui| {
        ui.set_width(ui.available_width().min(420.0));
        ui.horizontal(|ui| {
            if message.is_error {
                ui.colored_label(ui.visuals().error_fg_color, egui::RichText::new("Error").strong());
            }
            ui.add(egui::Label::new(&message.text).wrap());
        });
        if message.is_error && ui.button("Dismiss").clicked() {
            dismissed = true;
        }
    });
    ToastResponse { dismissed, hovered: frame.response.contains_pointer() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(is_error: bool, text: &str) -> Message {
        Message { is_error, text: text.into() }
    }

    #[test]
    fn news_expires_errors_stay_and_the_log_is_bounded() {
        let mut messages = Messages::default();
        messages.push(message(false, "saved"));
        messages.push(message(true, "could not print"));
        messages.shown[0].since = Some(0.0);
        messages.shown[1].since = Some(0.0);
        assert!(messages.is_live(0, SHOW_FOR - 0.1) && !messages.is_live(0, SHOW_FOR + 0.1));
        assert!(messages.is_live(1, 1_000.0), "an error stays until dismissed");
        assert_eq!(messages.errors(), ["could not print"]);
        messages.shown[1].dismissed = true;
        assert!(messages.errors().is_empty());
        for i in 0..MAX_LOG + 5 {
            messages.push(message(false, &i.to_string()));
        }
        assert_eq!(messages.all().len(), MAX_LOG);
        assert_eq!(messages.shown.len(), MAX_LOG);
    }
}
