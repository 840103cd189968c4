//! The application: one document, the panels that show it, the commands that
//! change it, and the messages that tell the user what happened.

use super::autosave::Autosave;
use super::backlog::BacklogPanel;
use super::capacity::CapacityPanel;
use super::command::{Command, Tab};
use super::document::Document;
use super::files::{FileChooser, FilePurpose, FileRequest};
use super::import::{ImportDialog, ImportKind};
use super::menu;
use super::outcome_entry::OutcomeEntryPanel;
use super::overview::OverviewPanel;
use super::passphrase::{PassphraseAnswer, PassphraseDialog, PassphrasePurpose};
use super::plan_view::{PlanPanel, SolveOutcome};
use super::print_dialog::{PrintAction, PrintDialog};
use super::recent::RecentFiles;
use super::rules::RulesPanel;
use super::summary::SummaryPanel;
use crate::io::crypto::Passphrase;
use crate::io::lock::{self, LockError, LockInfo};
use crate::io::plan_file::{self, PlanFileError};
use crate::io::recovery::{Recoverable, RecoveryStore};
use crate::model::merge::{Conflict, Side};
use crate::model::{AuditAction, AuditEntry};
use std::path::{Path, PathBuf};

/// Which plan the window opens with.
#[derive(Debug, Clone, PartialEq)]
pub enum StartWith {
    /// This file (`rebook FILE`).
    File(PathBuf),
    /// The last plan opened, else the example plan, else a new plan.
    LastOrExample,
    /// A new plan from the default catalogue.
    NewPlan,
}

pub struct AppOptions {
    pub start: StartWith,
    pub chooser: Box<dyn FileChooser>,
    /// Where the recent-files list lives; `None` keeps it in memory.
    pub recent_store: Option<PathBuf>,
    /// Where autosaves go and crashed sessions are found; `None` turns autosave off.
    pub recovery: Option<RecoveryStore>,
}

/// A line in the message bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub is_error: bool,
    pub text: String,
}

/// Messages kept on screen at most; older ones scroll away.
const MAX_MESSAGES: usize = 4;

pub struct RebookApp {
    doc: Document,
    tab: Tab,
    backlog: BacklogPanel,
    capacity: CapacityPanel,
    rules: RulesPanel,
    plan_view: PlanPanel,
    overview: OverviewPanel,
    summary: SummaryPanel,
    commands: Vec<Command>,
    messages: Vec<Message>,
    chooser: Box<dyn FileChooser>,
    recent: RecentFiles,
    import: Option<ImportDialog>,
    print: Option<PrintDialog>,
    /// Bytes waiting for the file dialog to say where to write them, and what
    /// they are for the audit trail.
    pending_write: Option<(Vec<u8>, (AuditAction, String))>,
    /// A command waiting for the answer to "save changes first?".
    prompt: Option<Command>,
    /// Run after the next successful save (the "Save" answer to the prompt).
    after_save: Option<Command>,
    discard_confirmed: bool,
    allow_close: bool,
    shown_title: String,
    autosave: Autosave,
    passphrase: Option<PassphraseDialog>,
    /// Unsaved work found at start-up, offered one at a time.
    recoverable: Vec<Recoverable>,
    show_audit: bool,
    calls: OutcomeEntryPanel,
    /// A plan that someone else has open, waiting for "read-only or take over".
    lock_prompt: Option<(Document, LockInfo)>,
    last_lock_refresh: std::time::Instant,
    /// Conflicts of the last merge with a colleague's save, shown until dismissed.
    conflicts: Vec<Conflict>,
}

/// How often our lock's time is rewritten (well inside `lock::DEFAULT_STALE_AFTER`).
const LOCK_REFRESH: std::time::Duration = std::time::Duration::from_secs(5 * 60);

impl RebookApp {
    pub fn new(options: AppOptions) -> RebookApp {
        let recent = RecentFiles::load(options.recent_store);
        let mut app = RebookApp {
            doc: Document::untitled(),
            tab: Tab::Backlog,
            backlog: BacklogPanel::default(),
            capacity: CapacityPanel::default(),
            rules: RulesPanel::default(),
            plan_view: PlanPanel::default(),
            overview: OverviewPanel::default(),
            summary: SummaryPanel::default(),
            commands: Vec::new(),
            messages: Vec::new(),
            chooser: options.chooser,
            recent,
            import: None,
            print: None,
            pending_write: None,
            prompt: None,
            after_save: None,
            discard_confirmed: false,
            allow_close: false,
            shown_title: String::new(),
            autosave: Autosave::new(options.recovery),
            passphrase: None,
            recoverable: Vec::new(),
            show_audit: false,
            calls: OutcomeEntryPanel::default(),
            lock_prompt: None,
            last_lock_refresh: std::time::Instant::now(),
            conflicts: Vec::new(),
        };
        if let Some(store) = app.autosave.store() {
            match store.find_recovery() {
                Ok(found) => app.recoverable = found,
                Err(e) => app.error(format!("Could not look for unsaved work to recover: {e}")),
            }
        }
        let start = match options.start {
            StartWith::File(path) => Some(path),
            StartWith::LastOrExample => {
                app.recent.last_existing().map(Path::to_path_buf).or_else(super::example_plan_path)
            }
            StartWith::NewPlan => None,
        };
        if let Some(path) = start {
            app.open_path(&path);
        }
        app
    }

    pub fn document(&self) -> &Document {
        &self.doc
    }

    pub fn tab(&self) -> Tab {
        self.tab
    }

    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    pub fn errors(&self) -> Vec<&str> {
        self.messages.iter().filter(|m| m.is_error).map(|m| m.text.as_str()).collect()
    }

    /// The command waiting for "save changes first?", if the prompt is showing.
    pub fn pending_prompt(&self) -> Option<&Command> {
        self.prompt.as_ref()
    }

    pub fn backlog_panel(&mut self) -> (&mut BacklogPanel, &Document) {
        (&mut self.backlog, &self.doc)
    }

    pub fn plan_panel(&mut self) -> &mut PlanPanel {
        &mut self.plan_view
    }

    pub fn is_solving(&self) -> bool {
        self.plan_view.is_solving()
    }

    pub fn recent_files(&self) -> &[PathBuf] {
        self.recent.paths()
    }

    /// Unsaved work from an earlier session still waiting for "recover or discard".
    pub fn recoverable(&self) -> &[Recoverable] {
        &self.recoverable
    }

    /// Whether the passphrase dialog is showing.
    pub fn is_asking_passphrase(&self) -> bool {
        self.passphrase.is_some()
    }

    /// Queues a command, as a menu item or shortcut would.
    pub fn send(&mut self, command: Command) {
        self.commands.push(command);
    }

    fn info(&mut self, text: String) {
        self.push_message(Message { is_error: false, text });
    }

    fn error(&mut self, text: String) {
        self.push_message(Message { is_error: true, text });
    }

    fn push_message(&mut self, message: Message) {
        self.messages.push(message);
        if self.messages.len() > MAX_MESSAGES {
            self.messages.remove(0);
        }
    }

    fn replace_document(&mut self, doc: Document) {
        self.doc = doc;
        self.backlog = BacklogPanel::default();
        self.capacity = CapacityPanel::default();
        self.rules = RulesPanel::default();
        self.plan_view.cancel_solve();
        self.plan_view = PlanPanel::default();
        self.overview = OverviewPanel::default();
        self.summary = SummaryPanel::default();
        self.calls = OutcomeEntryPanel::default();
        self.conflicts.clear();
        self.last_lock_refresh = std::time::Instant::now();
    }

    /// Opened while someone else had the plan: the question on screen, if any.
    pub fn lock_prompt(&self) -> Option<&LockInfo> {
        self.lock_prompt.as_ref().map(|(_, info)| info)
    }

    pub fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }

    pub fn calls_panel(&self) -> &OutcomeEntryPanel {
        &self.calls
    }

    fn open_path(&mut self, path: &Path) {
        self.open_path_with(path, None);
    }

    fn open_path_with(&mut self, path: &Path, passphrase: Option<Passphrase>) {
        match Document::open_with(path, passphrase) {
            Err(PlanFileError::NeedsPassphrase { .. }) => {
                self.passphrase = Some(PassphraseDialog::new(PassphrasePurpose::Open(path.to_path_buf())));
            }
            Err(e @ PlanFileError::WrongPassphrase { .. }) => {
                let dialog = PassphraseDialog::new(PassphrasePurpose::Open(path.to_path_buf()));
                self.passphrase = Some(dialog.retry(format!("{e}.")));
            }
            Ok(doc) => self.lock_and_show(doc, path),
            Err(e) => {
                if !path.exists() {
                    let _ = self.recent.remove(path);
                }
                self.error(format!("Could not open the plan: {e}"));
            }
        }
    }

    /// Takes the plan's lock and shows it; if a colleague has it open, asks
    /// first whether to open it read-only or take it over.
    fn lock_and_show(&mut self, mut doc: Document, path: &Path) {
        match lock::acquire(path) {
            Ok(lock) => doc.attach_lock(lock),
            Err(LockError::Held(info)) if super::document::is_this_process(&info) => match lock::take_over(path) {
                Ok(lock) => doc.attach_lock(lock),
                Err(e) => return self.open_read_only(doc, path, &e.to_string()),
            },
            // Left by this user's own session on this computer that ended
            // without closing (a crash, a power cut): nobody else to ask.
            Err(LockError::Held(info))
                if info.is_stale(chrono::Local::now(), lock::DEFAULT_STALE_AFTER)
                    && info.machine == crate::model::audit::machine_name()
                    && info.user == crate::model::audit::os_user() =>
            {
                match lock::take_over(path) {
                    Ok(lock) => doc.attach_lock(lock),
                    Err(e) => return self.open_read_only(doc, path, &e.to_string()),
                }
            }
            Err(LockError::Held(info)) => {
                self.lock_prompt = Some((doc, info));
                return;
            }
            Err(e) => return self.open_read_only(doc, path, &e.to_string()),
        }
        self.show_opened(doc, path, None);
    }

    fn open_read_only(&mut self, mut doc: Document, path: &Path, why: &str) {
        doc.set_read_only();
        self.show_opened(doc, path, Some(format!("Opened {} read-only: {why}.", path.display())));
    }

    fn show_opened(&mut self, doc: Document, path: &Path, note: Option<String>) {
        self.replace_document(doc);
        if let Err(e) = self.recent.add(path) {
            self.error(format!("Could not remember {} in the recent plans: {e}", path.display()));
        }
        self.info(note.unwrap_or_else(|| format!("Opened {}.", path.display())));
    }

    fn lock_prompt_ui(&mut self, ctx: &egui::Context) {
        let Some((_, info)) = &self.lock_prompt else { return };
        let stale = info.is_stale(chrono::Local::now(), lock::DEFAULT_STALE_AFTER);
        let describe = info.describe();
        let file = self.lock_prompt.as_ref().map_or_else(String::new, |(doc, _)| doc.file_name());
        let mut choice = None;
        egui::Modal::new(egui::Id::unique("lock-prompt")).show(ctx, |ui| {
            ui.heading("This plan is in use");
            ui.label(format!("{file} is {describe}."));
            if stale {
                ui.label("That looks left over from a crash or a computer switched off: taking it over is safe.");
            } else {
                ui.label(
                    "Open it read-only to look and print, or take it over if they have finished. \
                     If both of you save, Rebook merges the outcomes and notes, but it is better to agree who edits.",
                );
            }
            ui.horizontal(|ui| {
                if ui.button("Open read-only").clicked() {
                    choice = Some(1);
                }
                let take = if stale { "Take over" } else { "Take over anyway" };
                if ui.button(take).clicked() {
                    choice = Some(2);
                }
                if ui.button("Cancel").clicked() {
                    choice = Some(0);
                }
            });
        });
        let Some(choice) = choice else { return };
        let Some((doc, _)) = self.lock_prompt.take() else { return };
        let Some(path) = doc.path().map(Path::to_path_buf) else { return };
        match choice {
            1 => self.open_read_only(doc, &path, &format!("it is {describe}")),
            2 => match lock::take_over(&path) {
                Ok(lock) => {
                    let mut doc = doc;
                    doc.attach_lock(lock);
                    self.show_opened(doc, &path, Some(format!("Took over {} ({describe}).", path.display())));
                }
                Err(e) => self.open_read_only(doc, &path, &e.to_string()),
            },
            _ => self.info(format!("{} was not opened.", path.display())),
        }
    }

    fn conflicts_ui(&mut self, ctx: &egui::Context) {
        if self.conflicts.is_empty() {
            return;
        }
        let mut open = true;
        egui::Window::new("Merged with a colleague's save").open(&mut open).default_size([640.0, 300.0]).show(
            ctx,
            |ui| {
                ui.label(
                    "Someone else saved this plan while you had it open. Their changes are merged in; \
                     where you both changed the same appointment, the newer change was kept:",
                );
                egui::ScrollArea::vertical().show(ui, |ui| {
                    egui::Grid::new("merge-conflicts").num_columns(4).striped(true).show(ui, |ui| {
                        ui.strong("Appointment");
                        ui.strong("Yours");
                        ui.strong("Theirs");
                        ui.strong("Kept");
                        ui.end_row();
                        for c in &self.conflicts {
                            let patient = if super::privacy::is_on(ctx) {
                                super::privacy::initials(&c.patient)
                            } else {
                                c.patient.clone()
                            };
                            ui.label(format!("{} {patient}", c.appointment_id));
                            ui.label(&c.ours);
                            ui.label(&c.theirs);
                            ui.label(match c.kept {
                                Side::Ours => "Yours",
                                Side::Theirs => "Theirs",
                            });
                            ui.end_row();
                        }
                    });
                });
            },
        );
        if !open {
            self.conflicts.clear();
        }
    }

    fn save_to(&mut self, path: PathBuf) {
        let path = with_plan_extension(path);
        let previous = self.doc.path().map(Path::to_path_buf);
        match self.doc.save_as(&path) {
            Ok(merge) => {
                if let Some(report) = merge {
                    self.info(report.summary());
                    self.conflicts = report.conflicts;
                }
                for saved in [previous.as_deref(), Some(path.as_path())] {
                    if let Some(problem) = self.autosave.discard(saved) {
                        self.error(problem);
                    }
                }
                if let Err(e) = self.recent.add(&path) {
                    self.error(format!("Could not remember {} in the recent plans: {e}", path.display()));
                }
                self.info(format!("Saved {}.", path.display()));
                if let Some(next) = self.after_save.take() {
                    self.commands.push(next);
                }
            }
            Err(e) => {
                self.after_save = None;
                self.error(format!("Could not save the plan: {e}"));
            }
        }
    }

    fn execute(&mut self, command: Command, ctx: &egui::Context) {
        if command.discards_document() && self.doc.is_dirty() && !self.discard_confirmed {
            self.prompt = Some(command);
            return;
        }
        self.discard_confirmed = false;
        match command {
            Command::New => {
                self.replace_document(Document::untitled());
                self.info("New plan with the default catalogue of roles and appointment types.".to_string());
            }
            Command::Open => self.ask_for_file(FilePurpose::OpenPlan),
            Command::OpenPath(path) => self.open_path(&path),
            Command::Save => match self.doc.path().map(Path::to_path_buf) {
                Some(path) => self.save_to(path),
                None => self.ask_for_file(FilePurpose::SavePlanAs),
            },
            Command::SaveAs => self.ask_for_file(FilePurpose::SavePlanAs),
            Command::SaveTo(path) => self.save_to(path),
            Command::Undo => {
                if !self.doc.undo() {
                    self.info("Nothing to undo.".to_string());
                }
            }
            Command::Redo => {
                if !self.doc.redo() {
                    self.info("Nothing to redo.".to_string());
                }
            }
            Command::ImportBacklog => self.ask_for_file(FilePurpose::ImportBacklog),
            Command::ImportRota => self.ask_for_file(FilePurpose::ImportRota),
            Command::ImportBacklogFrom(path) => self.open_import(ImportKind::Backlog, path),
            Command::ImportRotaFrom(path) => self.open_import(ImportKind::Rota, path),
            Command::ImportOutcomes => self.ask_for_file(FilePurpose::ImportOutcomes),
            Command::ImportOutcomesFrom(path) => self.open_import(ImportKind::Outcomes, path),
            Command::Print => self.print = Some(PrintDialog::default()),
            Command::ShowTab(tab) => self.tab = tab,
            Command::Solve => {
                self.tab = Tab::Plan;
                self.plan_view.start_solve(&self.doc);
            }
            Command::CancelSolve => self.plan_view.cancel_solve(),
            Command::Quit => {
                self.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            Command::Protect => self.passphrase = Some(PassphraseDialog::new(PassphrasePurpose::Protect)),
            Command::RemoveProtection => {
                self.doc.set_passphrase(None);
                self.info(
                    "The passphrase is removed from the next save on: the file will be readable without it.".into(),
                );
            }
            Command::TogglePrivacy => {
                let on = !super::privacy::is_on(ctx);
                super::privacy::set(ctx, on);
                self.info(if on {
                    "Privacy mode: names and NHS numbers are masked on screen.".into()
                } else {
                    "Privacy mode off: names and NHS numbers are shown.".into()
                });
            }
            Command::ShowAudit => self.show_audit = true,
        }
    }

    /// The user chose to lose the unsaved changes: the autosave goes too, but
    /// the record of what was printed or exported is still written to the file.
    fn discard_changes(&mut self) {
        if let Err(e) = self.doc.save_audit_only() {
            self.error(format!("Could not write the audit trail to the plan file: {e}"));
        }
        if let Some(problem) = self.autosave.discard(self.doc.path()) {
            self.error(problem);
        }
    }

    fn passphrase_ui(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.passphrase else { return };
        let Some(answer) = dialog.ui(ctx) else { return };
        self.passphrase = None;
        let PassphraseAnswer::Entered(purpose, passphrase) = answer else { return };
        match purpose {
            PassphrasePurpose::Open(path) => self.open_path_with(&path, Some(passphrase)),
            PassphrasePurpose::Recover(found) => self.recover(found, Some(passphrase)),
            PassphrasePurpose::Protect => {
                self.doc.set_passphrase(Some(passphrase));
                self.info("The plan will be encrypted with the passphrase when it is saved.".into());
            }
        }
    }

    /// Opens unsaved work from an autosave as the document (still unsaved).
    fn recover(&mut self, found: Recoverable, passphrase: Option<Passphrase>) {
        let Some(store) = self.autosave.store().cloned() else { return };
        if found.encrypted && passphrase.is_none() {
            self.passphrase = Some(PassphraseDialog::new(PassphrasePurpose::Recover(found)));
            return;
        }
        match store.load(&found.file, passphrase.as_ref()) {
            Ok(plan) => {
                let on_disk =
                    found.plan_path.as_deref().and_then(|p| plan_file::load_with(p, passphrase.as_ref()).ok());
                self.replace_document(Document::recovered(plan, found.plan_path.clone(), on_disk, passphrase));
                self.recoverable.retain(|r| r.file != found.file);
                // This session's autosave takes over from the old file at once,
                // so a second crash before the next autosave loses nothing.
                let doc = &self.doc;
                match store.autosave(doc.plan(), doc.path(), doc.passphrase()) {
                    Ok(written) if written != found.file => {
                        let _ = store.discard_file(&found.file);
                    }
                    Ok(_) => {}
                    Err(e) => self.error(format!("Could not autosave the recovered work: {e}")),
                }
                self.info("Recovered the unsaved work. Save it to keep it.".into());
            }
            Err(crate::io::recovery::RecoveryError::Plan(PlanFileError::WrongPassphrase { .. })) => {
                let dialog = PassphraseDialog::new(PassphrasePurpose::Recover(found));
                self.passphrase = Some(dialog.retry("The passphrase is wrong; try again.".into()));
            }
            Err(e) => {
                self.recoverable.retain(|r| r.file != found.file);
                self.error(format!("Could not recover the unsaved work: {e}"));
            }
        }
    }

    fn recovery_ui(&mut self, ctx: &egui::Context) {
        if self.passphrase.is_some() || self.prompt.is_some() {
            return;
        }
        let Some(found) = self.recoverable.first().cloned() else { return };
        let what = found
            .plan_path
            .as_deref()
            .map_or_else(|| "a plan that was never saved".to_string(), |p| p.display().to_string());
        let when = found.saved.with_timezone(&chrono::Local).format("%d/%m/%Y %H:%M");
        egui::Modal::new(egui::Id::unique("recovery-offer")).show(ctx, |ui| {
            ui.heading("Recover unsaved work?");
            ui.label(format!("Rebook closed without saving changes to {what}. They were autosaved at {when}."));
            ui.horizontal(|ui| {
                if ui.button("Recover").clicked() {
                    self.recover(found.clone(), None);
                }
                if ui.button("Discard").on_hover_text("Delete the autosaved changes").clicked() {
                    self.recoverable.retain(|r| r.file != found.file);
                    if let Some(store) = self.autosave.store()
                        && let Err(e) = store.discard_file(&found.file)
                    {
                        self.error(format!("Could not delete the autosaved changes: {e}"));
                    }
                }
                if ui.button("Later").on_hover_text("Keep the autosave and ask again next time").clicked() {
                    self.recoverable.retain(|r| r.file != found.file);
                }
            });
        });
    }

    fn audit_ui(&mut self, ctx: &egui::Context) {
        let mut open = self.show_audit;
        egui::Window::new("History and audit trail").open(&mut open).default_size([600.0, 420.0]).show(ctx, |ui| {
            let plan = self.doc.plan();
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.strong("Saves");
                ui.label("Who saved the plan and what changed, newest first.");
                if plan.history.is_empty() {
                    ui.label("No saves recorded yet.");
                }
                for entry in plan.history.iter().rev() {
                    ui.label(entry.to_string());
                }
                ui.separator();
                ui.strong("Audit trail");
                ui.label("Who printed or exported patient data from this plan, newest first.");
                if plan.audit.is_empty() {
                    ui.label("Nothing has been printed or exported from this plan.");
                }
                for entry in plan.audit.iter().rev() {
                    ui.label(entry.to_string());
                }
            });
        });
        self.show_audit = open;
    }

    fn ask_for_file(&mut self, purpose: FilePurpose) {
        if self.chooser.is_busy() {
            self.info("A file dialog is already open.".to_string());
            return;
        }
        let suggested = match purpose {
            FilePurpose::SavePlanAs => {
                Some(self.doc.path().map_or_else(|| PathBuf::from("plan.rebook.ron"), Path::to_path_buf))
            }
            FilePurpose::OpenPlan
            | FilePurpose::ImportBacklog
            | FilePurpose::ImportRota
            | FilePurpose::ImportOutcomes => self.doc.path().and_then(Path::parent).map(Path::to_path_buf),
            FilePurpose::SavePdf | FilePurpose::SaveCsv => None,
        };
        self.chooser.request(FileRequest { purpose, suggested });
    }

    fn poll_chooser(&mut self, ctx: &egui::Context) {
        let Some((request, answer)) = self.chooser.poll() else { return };
        ctx.request_repaint();
        let Some(path) = answer else {
            // Cancelled: whatever waited on a save is off too.
            self.after_save = None;
            self.pending_write = None;
            return;
        };
        match request.purpose {
            // The unsaved-changes question was answered before the dialog opened.
            FilePurpose::OpenPlan => self.open_path(&path),
            FilePurpose::SavePlanAs => self.save_to(path),
            FilePurpose::ImportBacklog => self.open_import(ImportKind::Backlog, path),
            FilePurpose::ImportRota => self.open_import(ImportKind::Rota, path),
            FilePurpose::ImportOutcomes => self.open_import(ImportKind::Outcomes, path),
            FilePurpose::SavePdf | FilePurpose::SaveCsv => {
                let Some((bytes, (action, what))) = self.pending_write.take() else { return };
                match plan_file::write_atomically(&path, &bytes) {
                    Ok(()) => {
                        self.doc.record_audit(AuditEntry::now(action, format!("{what} to {}", path.display())));
                        self.info(format!("Saved {}.", path.display()));
                    }
                    Err(e) => self.error(format!("Could not save: {e}")),
                }
            }
        }
    }

    fn print_action(&mut self, action: PrintAction) {
        match action {
            PrintAction::Printed { message, audit } => {
                self.doc.record_audit(AuditEntry::now(AuditAction::Print, audit));
                self.info(message);
            }
            PrintAction::Error(text) => self.error(text),
            PrintAction::Save { bytes, file_name, is_pdf, audit } => {
                if self.chooser.is_busy() {
                    self.info("A file dialog is already open.".to_string());
                    return;
                }
                self.pending_write = Some((bytes, audit));
                let purpose = if is_pdf { FilePurpose::SavePdf } else { FilePurpose::SaveCsv };
                let folder = self.doc.path().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
                self.chooser.request(FileRequest { purpose, suggested: Some(folder.join(file_name)) });
            }
        }
    }

    fn open_import(&mut self, kind: ImportKind, path: PathBuf) {
        match ImportDialog::open(kind, path, self.doc.plan()) {
            Ok(dialog) => self.import = Some(dialog),
            Err(e) => self.error(e),
        }
    }

    /// The import preview on screen, if any.
    pub fn import_dialog(&self) -> Option<&ImportDialog> {
        self.import.as_ref()
    }

    fn run_commands(&mut self, ctx: &egui::Context) {
        // Commands may queue more (a save that unblocks an open); bound the loop.
        for _ in 0..8 {
            if self.commands.is_empty() {
                break;
            }
            for command in std::mem::take(&mut self.commands) {
                self.execute(command, ctx);
            }
            // What the command changed is drawn on the next frame.
            ctx.request_repaint();
        }
    }

    fn prompt_ui(&mut self, ctx: &egui::Context) {
        let Some(pending) = self.prompt.clone() else { return };
        let verb = match pending {
            Command::New => "starting a new plan",
            Command::Quit => "closing",
            _ => "opening another plan",
        };
        let name = self.doc.file_name();
        egui::Modal::new(egui::Id::unique("unsaved-prompt")).show(ctx, |ui| {
            ui.heading("Unsaved changes");
            ui.label(format!("{name} has changes that are not saved. Save them before {verb}?"));
            ui.horizontal(|ui| {
                if ui.button("Save").clicked() {
                    self.prompt = None;
                    self.after_save = Some(pending.clone());
                    self.commands.push(Command::Save);
                }
                if ui.button("Don't save").clicked() {
                    self.prompt = None;
                    self.discard_confirmed = true;
                    self.discard_changes();
                    self.commands.insert(0, pending.clone());
                }
                if ui.button("Cancel").clicked() {
                    self.prompt = None;
                }
            });
        });
    }

    fn messages_ui(&mut self, ui: &mut egui::Ui) {
        let mut dismiss = None;
        for (i, message) in self.messages.iter().enumerate().rev() {
            ui.horizontal(|ui| {
                if ui.small_button("Dismiss").clicked() {
                    dismiss = Some(i);
                }
                if message.is_error {
                    ui.colored_label(ui.visuals().error_fg_color, &message.text);
                } else {
                    ui.label(&message.text);
                }
            });
        }
        if let Some(i) = dismiss {
            self.messages.remove(i);
        }
    }
}

/// Plans are saved as `.rebook.ron`; a name typed without an extension gets it.
fn with_plan_extension(path: PathBuf) -> PathBuf {
    if path.extension().is_some() {
        path
    } else {
        let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".rebook.ron");
        path.with_file_name(name)
    }
}

impl eframe::App for RebookApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll_chooser(ctx);
        match self.plan_view.poll(ctx, &mut self.doc) {
            Some(SolveOutcome::Applied(text)) => {
                self.autosave.request();
                self.info(text);
            }
            Some(SolveOutcome::Failed(text)) => self.error(text),
            None => {}
        }
        if ctx.input(|i| i.viewport().close_requested()) && self.doc.is_dirty() && !self.allow_close {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.prompt = Some(Command::Quit);
        }
        if let Some(problem) = self.autosave.tick(ctx, &self.doc) {
            self.error(problem);
        }
        if self.last_lock_refresh.elapsed() >= LOCK_REFRESH {
            self.last_lock_refresh = std::time::Instant::now();
            if let Err(e) = self.doc.refresh_lock() {
                self.error(format!("{e}: this window is now read-only; use Save as to keep your changes."));
            }
        }
        ctx.request_repaint_after(LOCK_REFRESH);
        let title = self.doc.title();
        if title != self.shown_title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.shown_title = title;
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        menu::shortcuts(&ctx, &mut self.commands);
        egui::Panel::top("menu-bar").show(ui, |ui| {
            menu::ui(ui, &self.doc, self.recent.paths(), &mut self.commands);
        });
        egui::Panel::top("tab-bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                for tab in Tab::ALL {
                    if ui.selectable_label(self.tab == tab, tab.label()).clicked() {
                        self.commands.push(Command::ShowTab(tab));
                    }
                }
            });
        });
        if !self.messages.is_empty() {
            egui::Panel::bottom("message-bar").resizable(false).show(ui, |ui| self.messages_ui(ui));
        }
        egui::Panel::right("summary-panel").resizable(true).default_size(270.0).show(ui, |ui| {
            self.summary.ui(ui, &self.doc);
        });
        let mut errors = Vec::new();
        egui::CentralPanel::default().show(ui, |ui| match self.tab {
            Tab::Backlog => self.backlog.ui(ui, &mut self.doc, &mut errors),
            Tab::Capacity => self.capacity.ui(ui, &mut self.doc, &mut errors),
            Tab::Rules => self.rules.ui(ui, &mut self.doc, &mut errors),
            Tab::Plan => self.plan_view.ui(ui, &mut self.doc, &mut errors),
            Tab::Calls => self.calls.ui(ui, &mut self.doc),
            Tab::Overview => self.overview.ui(ui, &mut self.doc, &mut self.commands),
        });
        for e in errors {
            self.error(e);
        }
        for note in std::mem::take(&mut self.capacity.notes) {
            self.info(note);
        }
        if let Some(dialog) = &mut self.import
            && let Some(message) = dialog.ui(&ctx, &mut self.doc)
        {
            self.import = None;
            self.info(message);
        }
        if let Some(dialog) = &mut self.print {
            let (open, action) = dialog.ui(&ctx, self.doc.plan());
            if !open {
                self.print = None;
            }
            if let Some(action) = action {
                self.print_action(action);
            }
        }
        self.prompt_ui(&ctx);
        self.recovery_ui(&ctx);
        self.lock_prompt_ui(&ctx);
        self.conflicts_ui(&ctx);
        self.passphrase_ui(&ctx);
        self.audit_ui(&ctx);
        self.chooser.ui(&ctx);
        self.run_commands(&ctx);
    }
}
