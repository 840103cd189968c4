//! Privacy mode: for a screen that others can see (a reception desk), names
//! and NHS numbers are masked everywhere the window shows patients. The flag
//! lives in egui's memory so every panel reads it without extra plumbing.

use crate::model::{Patient, nhs};

fn id() -> egui::Id {
    egui::Id::unique("rebook-privacy-mode")
}

pub fn is_on(ctx: &egui::Context) -> bool {
    ctx.data(|d| d.get_temp::<bool>(id())).unwrap_or(false)
}

pub fn set(ctx: &egui::Context, on: bool) {
    ctx.data_mut(|d| d.insert_temp(id(), on));
}

/// The patient's name as shown: initials only in privacy mode ("SMITH, Jane" -> "S., J.").
pub fn name(ctx: &egui::Context, patient: &Patient) -> String {
    name_text(ctx, &patient.name)
}

/// A patient's name given as text (a merge conflict carries only that), shown as [`name`] shows it.
pub fn name_text(ctx: &egui::Context, name: &str) -> String {
    if is_on(ctx) { initials(name) } else { name.to_string() }
}

/// The NHS number as shown: spaced, or its last four digits in privacy mode.
pub fn nhs_number(ctx: &egui::Context, patient: &Patient) -> String {
    if is_on(ctx) { nhs::masked(&patient.nhs_number) } else { nhs::format(&patient.nhs_number) }
}

/// Initials of each part of a name, keeping the "SURNAME, First" shape.
pub fn initials(name: &str) -> String {
    let part = |text: &str| -> String {
        text.split_whitespace().filter_map(|w| w.chars().next()).map(|c| format!("{c}.")).collect::<Vec<_>>().join(" ")
    };
    match name.split_once(',') {
        Some((surname, first)) => format!("{}, {}", part(surname), part(first)),
        None => part(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_keep_the_shape_of_the_name() {
        assert_eq!(initials("SMITH, Jane"), "S., J.");
        assert_eq!(initials("Jane Ann Smith"), "J. A. S.");
        assert_eq!(initials(""), "");
    }

    #[test]
    fn privacy_mode_masks_names_and_numbers() {
        let ctx = egui::Context::default();
        let patient = Patient { nhs_number: "9990000018".into(), name: "SMITH, Jane".into(), ..Patient::default() };
        assert_eq!(name(&ctx, &patient), "SMITH, Jane");
        set(&ctx, true);
        assert_eq!(name(&ctx, &patient), "S., J.");
        assert_eq!(nhs_number(&ctx, &patient), "*** *** 0018");
    }
}
