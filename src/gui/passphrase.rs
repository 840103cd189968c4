//! Asking for a passphrase: to open an encrypted plan or recovery file, or to
//! protect the open plan with one. The text never leaves this dialog except as
//! a [`Passphrase`] (a secret that is zeroed when dropped and never printed).

use crate::io::crypto::Passphrase;
use crate::io::recovery::Recoverable;
use std::path::PathBuf;

use crate::io::crypto::MIN_PASSPHRASE_CHARS as MIN_LENGTH;

#[derive(Debug, Clone)]
pub enum PassphrasePurpose {
    /// Open this encrypted plan file.
    Open(PathBuf),
    /// Recover this encrypted autosave.
    Recover(Recoverable),
    /// Protect the open plan from its next save on.
    Protect,
}

/// What the user answered.
pub enum PassphraseAnswer {
    Cancel,
    Entered(PassphrasePurpose, Passphrase),
}

pub struct PassphraseDialog {
    purpose: PassphrasePurpose,
    text: String,
    repeat: String,
    /// Shown under the fields: a wrong passphrase, a mismatch.
    pub error: Option<String>,
}

impl PassphraseDialog {
    pub fn new(purpose: PassphrasePurpose) -> Self {
        PassphraseDialog { purpose, text: String::new(), repeat: String::new(), error: None }
    }

    /// A wrong passphrase: ask again, keeping the dialog open.
    pub fn retry(mut self, error: String) -> Self {
        self.error = Some(error);
        self.text.clear();
        self.repeat.clear();
        self
    }

    fn problem(&self) -> Option<String> {
        match self.purpose {
            PassphrasePurpose::Protect if self.text.chars().count() < MIN_LENGTH => {
                Some(format!("Use at least {MIN_LENGTH} characters."))
            }
            PassphrasePurpose::Protect if self.text != self.repeat => Some("The two entries differ.".into()),
            _ if self.text.is_empty() => Some("Type the passphrase.".into()),
            _ => None,
        }
    }

    pub fn ui(&mut self, ctx: &egui::Context) -> Option<PassphraseAnswer> {
        let mut answer = None;
        egui::Modal::new(egui::Id::unique("passphrase-dialog")).show(ctx, |ui| {
            let (heading, explanation) = match &self.purpose {
                PassphrasePurpose::Open(path) => {
                    ("Passphrase", format!("{} is protected with a passphrase.", path.display()))
                }
                PassphrasePurpose::Recover(_) => {
                    ("Passphrase", "The unsaved work is protected with the plan's passphrase.".to_string())
                }
                PassphrasePurpose::Protect => (
                    "Protect with a passphrase",
                    "From the next save on, the plan file, its backup and its autosaves are encrypted. \
                     Nobody can open them without the passphrase, and it cannot be recovered if forgotten."
                        .to_string(),
                ),
            };
            ui.heading(heading);
            ui.label(explanation);
            let entered = passphrase_field(ui, "Passphrase", &mut self.text);
            let mut entered_repeat = false;
            if matches!(self.purpose, PassphrasePurpose::Protect) {
                entered_repeat = passphrase_field(ui, "Repeat passphrase", &mut self.repeat);
            }
            let problem = self.problem();
            if let Some(error) = &self.error {
                ui.colored_label(ui.visuals().error_fg_color, error);
            } else if let Some(problem) = &problem
                && !self.text.is_empty()
            {
                ui.colored_label(ui.visuals().warn_fg_color, problem);
            }
            ui.horizontal(|ui| {
                let ok = ui.add_enabled(problem.is_none(), egui::Button::new("OK")).clicked();
                if (ok || entered || entered_repeat) && problem.is_none() {
                    answer = Some(PassphraseAnswer::Entered(self.purpose.clone(), Passphrase::new(&self.text)));
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(PassphraseAnswer::Cancel);
                }
            });
        });
        if answer.is_some() {
            self.text.clear();
            self.repeat.clear();
            self.error = None;
        }
        answer
    }
}

/// A masked single-line field; true when Enter was pressed in it.
fn passphrase_field(ui: &mut egui::Ui, label: &str, text: &mut String) -> bool {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        let edit = ui.add(egui::TextEdit::singleline(text).password(true).desired_width(260.0)).labelled_by(label.id);
        edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
    })
    .inner
}
