//! The menu bar and the keyboard shortcuts: both only push commands.

use super::command::{Command, Tab};
use super::document::Document;
use egui::{Key, KeyboardShortcut, Modifiers};
use std::path::PathBuf;

pub const NEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::N);
pub const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
pub const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
pub const SAVE_AS: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::S);
pub const UNDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
pub const REDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
pub const PRINT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::P);
pub const REDO_Y: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Y);
const TAB_KEYS: [Key; 6] = [Key::Num1, Key::Num2, Key::Num3, Key::Num4, Key::Num5, Key::Num6];

/// Turns this frame's shortcuts into commands. Undo/redo are left to a text
/// field that has focus, so Ctrl+Z inside a field undoes typing, not the plan.
pub fn shortcuts(ctx: &egui::Context, commands: &mut Vec<Command>) {
    let text_focus = ctx.memory(|m| m.focused().is_some()) && ctx.egui_wants_keyboard_input();
    ctx.input_mut(|input| {
        // Most specific first: Ctrl+Shift+S must not also read as Ctrl+S.
        if input.consume_shortcut(&SAVE_AS) {
            commands.push(Command::SaveAs);
        }
        if input.consume_shortcut(&SAVE) {
            commands.push(Command::Save);
        }
        if input.consume_shortcut(&OPEN) {
            commands.push(Command::Open);
        }
        if input.consume_shortcut(&PRINT) {
            commands.push(Command::Print);
        }
        if input.consume_shortcut(&NEW) {
            commands.push(Command::New);
        }
        // Ctrl+1 to Ctrl+6: the screens, in workflow order.
        for (tab, key) in Tab::ALL.into_iter().zip(TAB_KEYS) {
            if input.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, key)) {
                commands.push(Command::ShowTab(tab));
            }
        }
        if !text_focus {
            if input.consume_shortcut(&REDO) || input.consume_shortcut(&REDO_Y) {
                commands.push(Command::Redo);
            }
            if input.consume_shortcut(&UNDO) {
                commands.push(Command::Undo);
            }
        }
    });
}

pub fn ui(ui: &mut egui::Ui, doc: &Document, recent: &[PathBuf], commands: &mut Vec<Command>) {
    let ctx = ui.ctx().clone();
    let item = |ui: &mut egui::Ui, text: &str, shortcut: Option<&KeyboardShortcut>, enabled: bool| {
        let mut button = egui::Button::new(text);
        if let Some(shortcut) = shortcut {
            button = button.shortcut_text(ctx.format_shortcut(shortcut));
        }
        let clicked = ui.add_enabled(enabled, button).clicked();
        if clicked {
            ui.close();
        }
        clicked
    };
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if item(ui, "New plan", Some(&NEW), true) {
                commands.push(Command::New);
            }
            if item(ui, "Open...", Some(&OPEN), true) {
                commands.push(Command::Open);
            }
            ui.menu_button("Open recent", |ui| {
                if recent.is_empty() {
                    ui.label("No recent plans");
                }
                for path in recent {
                    if item(ui, &path.display().to_string(), None, true) {
                        commands.push(Command::OpenPath(path.clone()));
                    }
                }
            });
            ui.separator();
            if item(ui, "Save", Some(&SAVE), true) {
                commands.push(Command::Save);
            }
            if item(ui, "Save as...", Some(&SAVE_AS), true) {
                commands.push(Command::SaveAs);
            }
            if doc.is_encrypted() {
                if item(ui, "Change passphrase...", None, true) {
                    commands.push(Command::Protect);
                }
                if item(ui, "Remove passphrase", None, true) {
                    commands.push(Command::RemoveProtection);
                }
            } else if item(ui, "Protect with passphrase...", None, true) {
                commands.push(Command::Protect);
            }
            ui.separator();
            if item(ui, "Import backlog CSV...", None, true) {
                commands.push(Command::ImportBacklog);
            }
            if item(ui, "Import rota CSV...", None, true) {
                commands.push(Command::ImportRota);
            }
            if item(ui, "Import call outcomes CSV...", None, true) {
                commands.push(Command::ImportOutcomes);
            }
            if item(ui, "Print and export...", Some(&PRINT), true) {
                commands.push(Command::Print);
            }
            ui.separator();
            if item(ui, "Quit", None, true) {
                commands.push(Command::Quit);
            }
        });
        ui.menu_button("Edit", |ui| {
            // Named after the step: "Undo: mark A-000215 declined".
            let undo = doc.undo_label().map_or_else(|| "Undo".to_string(), |l| format!("Undo: {l}"));
            if item(ui, &undo, Some(&UNDO), doc.can_undo()) {
                commands.push(Command::Undo);
            }
            let redo = doc.redo_label().map_or_else(|| "Redo".to_string(), |l| format!("Redo: {l}"));
            if item(ui, &redo, Some(&REDO), doc.can_redo()) {
                commands.push(Command::Redo);
            }
        });
        ui.menu_button("View", |ui| {
            for (tab, key) in Tab::ALL.into_iter().zip(TAB_KEYS) {
                if item(ui, tab.label(), Some(&KeyboardShortcut::new(Modifiers::COMMAND, key)), true) {
                    commands.push(Command::ShowTab(tab));
                }
            }
            ui.separator();
            let mut privacy = super::privacy::is_on(&ctx);
            if ui.checkbox(&mut privacy, "Privacy mode (mask names and NHS numbers)").clicked() {
                commands.push(Command::TogglePrivacy);
                ui.close();
            }
            if item(ui, "History and audit trail...", None, true) {
                commands.push(Command::ShowAudit);
            }
            if item(ui, "Message log", None, true) {
                commands.push(Command::ToggleMessageLog);
            }
            ui.separator();
            ui.label("Theme");
            let current = ctx.options(|o| o.theme_preference);
            for theme in [egui::ThemePreference::System, egui::ThemePreference::Light, egui::ThemePreference::Dark] {
                if ui.radio(current == theme, super::theme::label(theme)).clicked() {
                    commands.push(Command::SetTheme(theme));
                    ui.close();
                }
            }
        });
    });
}
