//! Urgency looks the same on every screen and on paper (see
//! [`crate::model::urgency`]), with a legend wherever it is used.

use crate::model::Rules;
use crate::model::urgency::Urgency;
use egui::{Color32, RichText};

/// The colour of a priority (an unknown class is plain).
pub fn colour(visuals: &egui::Visuals, rules: &Rules, priority: &str) -> Option<Color32> {
    Urgency::of(rules, priority).rgb(visuals.dark_mode).map(|[r, g, b]| Color32::from_rgb(r, g, b))
}

/// `text` in its priority's colour (urgent ones also bold).
pub fn text(visuals: &egui::Visuals, rules: &Rules, priority: &str, text: impl Into<String>) -> RichText {
    let text = RichText::new(text);
    match colour(visuals, rules, priority) {
        Some(colour) if Urgency::of(rules, priority).bold() => text.color(colour).strong(),
        Some(colour) => text.color(colour),
        None => text,
    }
}

/// "Urgency: Urgent  Soon  Routine" in the colours the screen uses.
pub fn legend_ui(ui: &mut egui::Ui, rules: &Rules) {
    ui.horizontal(|ui| {
        ui.label("Urgency:");
        for class in &rules.priorities {
            ui.label(text(ui.visuals(), rules, &class.name, &class.name))
                .on_hover_text(format!("Target: seen within {} day(s)", class.target_days));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_most_urgent_classes_are_coloured_in_both_themes() {
        let rules = Rules::default();
        for visuals in [egui::Visuals::dark(), egui::Visuals::light()] {
            let most = colour(&visuals, &rules, &rules.priorities[0].name);
            let next = colour(&visuals, &rules, &rules.priorities[1].name);
            assert!(most.is_some() && next.is_some() && most != next);
            assert_eq!(colour(&visuals, &rules, &rules.priorities[2].name), None);
            assert_eq!(colour(&visuals, &rules, "not a class"), None);
        }
    }
}
