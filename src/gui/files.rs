//! Choosing files. Native dialogs (rfd: the XDG portal or zenity on Linux) block,
//! so they run as a background task (`crate::task`, polled by the app each frame); where the platform has none, an in-window
//! path entry takes over. Tests inject answers through the same trait.

use crate::task::Task;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the chosen file is for; decides the dialog's title, filters and verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilePurpose {
    OpenPlan,
    SavePlanAs,
    ImportBacklog,
    ImportRota,
    ImportOutcomes,
    SavePdf,
    SaveCsv,
}

impl FilePurpose {
    pub fn title(self) -> &'static str {
        match self {
            FilePurpose::OpenPlan => "Open plan",
            FilePurpose::SavePlanAs => "Save plan as",
            FilePurpose::ImportBacklog => "Import cancelled appointments (CSV)",
            FilePurpose::ImportRota => "Import rota (CSV)",
            FilePurpose::ImportOutcomes => "Import call outcomes (CSV)",
            FilePurpose::SavePdf => "Save PDF",
            FilePurpose::SaveCsv => "Save CSV",
        }
    }

    fn is_save(self) -> bool {
        matches!(self, FilePurpose::SavePlanAs | FilePurpose::SavePdf | FilePurpose::SaveCsv)
    }

    fn filter(self) -> (&'static str, &'static [&'static str]) {
        match self {
            FilePurpose::OpenPlan | FilePurpose::SavePlanAs => ("Rebook plan", &["ron"]),
            FilePurpose::ImportBacklog | FilePurpose::ImportRota | FilePurpose::ImportOutcomes => {
                ("CSV file", &["csv", "txt"])
            }
            FilePurpose::SavePdf => ("PDF document", &["pdf"]),
            FilePurpose::SaveCsv => ("CSV file", &["csv"]),
        }
    }
}

/// A request for a file, answered later (`None` = the user cancelled).
#[derive(Debug, Clone, PartialEq)]
pub struct FileRequest {
    pub purpose: FilePurpose,
    /// Suggested file name or folder.
    pub suggested: Option<PathBuf>,
}

/// Something that can ask the user for a file without blocking the window.
pub trait FileChooser {
    fn request(&mut self, request: FileRequest);
    /// The answer to the pending request, once there is one.
    fn poll(&mut self) -> Option<(FileRequest, Option<PathBuf>)>;
    fn is_busy(&self) -> bool;
    /// Draws the chooser's own window, if it has one.
    fn ui(&mut self, _ctx: &egui::Context) {}
}

/// Picks the native dialogs where the desktop can show them, else the in-window entry.
pub fn default_chooser(ctx: &egui::Context) -> Box<dyn FileChooser> {
    if native_dialogs_available() {
        Box::new(NativeChooser::new(ctx.clone()))
    } else {
        Box::new(PathEntryChooser::default())
    }
}

/// On Linux rfd needs a desktop portal (over the session D-Bus) or zenity.
fn native_dialogs_available() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    let has_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
    let has_zenity = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join("zenity").is_file()));
    has_bus || has_zenity
}

/// rfd's dialogs as a background task. An answer of "cancelled" faster than a
/// person could click means no dialog could be shown: fall back to the path entry.
pub struct NativeChooser {
    ctx: egui::Context,
    pending: Option<(FileRequest, Instant, Task<Option<PathBuf>>)>,
    fallback: PathEntryChooser,
}

impl NativeChooser {
    pub fn new(ctx: egui::Context) -> NativeChooser {
        NativeChooser { ctx, pending: None, fallback: PathEntryChooser::default() }
    }
}

impl FileChooser for NativeChooser {
    fn request(&mut self, request: FileRequest) {
        if self.is_busy() {
            return;
        }
        let ctx = self.ctx.clone();
        let job = request.clone();
        let task = Task::spawn(
            "file-dialog",
            move || ctx.request_repaint(),
            move |_| {
                let (name, extensions) = job.purpose.filter();
                let mut dialog = rfd::FileDialog::new().set_title(job.purpose.title()).add_filter(name, extensions);
                if let Some(suggested) = &job.suggested
                    && suggested.is_dir()
                {
                    dialog = dialog.set_directory(suggested);
                } else if let Some(suggested) = &job.suggested {
                    if let Some(dir) = suggested.parent().filter(|d| d.is_dir()) {
                        dialog = dialog.set_directory(dir);
                    }
                    if let Some(file) = suggested.file_name() {
                        dialog = dialog.set_file_name(file.to_string_lossy());
                    }
                }
                if job.purpose.is_save() { dialog.save_file() } else { dialog.pick_file() }
            },
        );
        self.pending = Some((request, Instant::now(), task));
    }

    fn poll(&mut self) -> Option<(FileRequest, Option<PathBuf>)> {
        if let Some(answer) = self.fallback.poll() {
            return Some(answer);
        }
        let (request, started, task) = self.pending.as_mut()?;
        // A dialog that could not start or crashed counts as cancelled; the
        // path entry takes over when that happens at once.
        let answer = task.poll()?.unwrap_or(None);
        let request = request.clone();
        let instant_cancel = answer.is_none() && started.elapsed() < Duration::from_millis(150);
        self.pending = None;
        if instant_cancel {
            self.fallback.request(request);
            return None;
        }
        Some((request, answer))
    }

    fn is_busy(&self) -> bool {
        self.pending.is_some() || self.fallback.is_busy()
    }

    fn ui(&mut self, ctx: &egui::Context) {
        self.fallback.ui(ctx);
    }
}

/// An in-window dialog where the user types or pastes a path.
#[derive(Default)]
pub struct PathEntryChooser {
    open: Option<(FileRequest, String)>,
    answer: Option<(FileRequest, Option<PathBuf>)>,
    /// The field takes the keyboard when the dialog first shows.
    focus_pending: bool,
}

impl FileChooser for PathEntryChooser {
    fn request(&mut self, request: FileRequest) {
        // A folder ends with a separator, so the user types just the file's name.
        let text = request.suggested.as_ref().map_or_else(String::new, |p| {
            if p.is_dir() { p.join("").display().to_string() } else { p.display().to_string() }
        });
        self.open = Some((request, text));
        self.focus_pending = true;
    }

    fn poll(&mut self) -> Option<(FileRequest, Option<PathBuf>)> {
        self.answer.take()
    }

    fn is_busy(&self) -> bool {
        self.open.is_some()
    }

    fn ui(&mut self, ctx: &egui::Context) {
        let Some((request, text)) = &mut self.open else {
            return;
        };
        let mut done: Option<Option<PathBuf>> = None;
        egui::Modal::new(egui::Id::unique("path-entry")).show(ctx, |ui| {
            ui.heading(request.purpose.title());
            ui.label("No file dialog is available on this desktop: type or paste the file's full path.");
            let label = ui.label("File path");
            let edit = ui.add(egui::TextEdit::singleline(text).desired_width(480.0)).labelled_by(label.id);
            // Asked for until it holds: on the first frame the dialog that opened
            // this one (Print and export) may still be the top modal and keep the keyboard.
            if self.focus_pending {
                if edit.has_focus() {
                    self.focus_pending = false;
                } else {
                    edit.request_focus();
                }
            }
            let entered = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let path = PathBuf::from(text.trim());
            let problem = if text.trim().is_empty() {
                Some("Type a path.".to_string())
            } else if !request.purpose.is_save() && !path.is_file() {
                Some(format!("There is no file at {}.", path.display()))
            } else if request.purpose.is_save() && !path.parent().is_none_or(|d| d.as_os_str().is_empty() || d.is_dir())
            {
                Some("That folder does not exist.".to_string())
            } else {
                None
            };
            if let Some(problem) = &problem {
                ui.colored_label(ui.visuals().warn_fg_color, problem);
            }
            ui.horizontal(|ui| {
                let verb = if request.purpose.is_save() { "Save" } else { "Open" };
                if (ui.add_enabled(problem.is_none(), egui::Button::new(verb)).clicked() || entered)
                    && problem.is_none()
                {
                    done = Some(Some(path.clone()));
                }
                if ui.button("Cancel").clicked() {
                    done = Some(None);
                }
            });
        });
        if let Some(answer) = done
            && let Some((request, _)) = self.open.take()
        {
            self.answer = Some((request, answer));
        }
    }
}

/// Answers requests from a queue the caller fills: for tests and scripted runs.
/// Clones share the queue, so a test keeps one to push answers while the app owns another.
#[derive(Default, Clone)]
pub struct ScriptedChooser {
    answers: Arc<Mutex<VecDeque<Option<PathBuf>>>>,
    requests: Arc<Mutex<Vec<FileRequest>>>,
    answered: Option<(FileRequest, Option<PathBuf>)>,
}

impl ScriptedChooser {
    /// The next request gets this answer (`None` = the user cancelled).
    pub fn answer_next(&self, answer: Option<PathBuf>) {
        if let Ok(mut answers) = self.answers.lock() {
            answers.push_back(answer);
        }
    }

    /// Every request made so far, in order.
    pub fn requests(&self) -> Vec<FileRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl FileChooser for ScriptedChooser {
    fn request(&mut self, request: FileRequest) {
        if let Ok(mut requests) = self.requests.lock() {
            requests.push(request.clone());
        }
        let answer = self.answers.lock().ok().and_then(|mut a| a.pop_front()).flatten();
        self.answered = Some((request, answer));
    }

    fn poll(&mut self) -> Option<(FileRequest, Option<PathBuf>)> {
        self.answered.take()
    }

    fn is_busy(&self) -> bool {
        self.answered.is_some()
    }
}
