//! Urgency looks the same on every screen: the most urgent priority class in
//! red, the next in amber, the rest plain, with a legend wherever it is used.
//! Problems (late, not placed) are marked apart from this, so red always
//! means "urgent patient", never "something is wrong".

use crate::model::Rules;
use egui::{Color32, RichText};

/// The colour of a priority class by rank (0 = most urgent), if it has one.
pub fn rank_colour(visuals: &egui::Visuals, rank: usize) -> Option<Color32> {
    let dark = visuals.dark_mode;
    match rank {
        0 => Some(if dark { Color32::from_rgb(255, 120, 120) } else { Color32::from_rgb(185, 0, 0) }),
        1 => Some(if dark { Color32::from_rgb(245, 190, 80) } else { Color32::from_rgb(150, 85, 0) }),
        _ => None,
    }
}

pub fn colour(visuals: &egui::Visuals, rules: &Rules, priority: &str) -> Option<Color32> {
    // An unknown class is plain.
    rules.priority(priority)?;
    rank_colour(visuals, rules.priority_rank(priority))
}

/// `text` in its priority's colour (urgent ones also bold).
pub fn text(visuals: &egui::Visuals, rules: &Rules, priority: &str, text: impl Into<String>) -> RichText {
    let text = RichText::new(text);
    match colour(visuals, rules, priority) {
        Some(colour) if rules.priority_rank(priority) == 0 => text.color(colour).strong(),
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
