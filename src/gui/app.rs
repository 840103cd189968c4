//! The application: one document, the panels that show it, the commands that
//! change it, and the messages that tell the user what happened.

use super::autosave::Autosave;
use super::backlog::BacklogPanel;
use super::capacity::CapacityPanel;
use super::command::{Command, Tab};
use super::document::Document;
use super::files::{FileChooser, FilePurpose, FileRequest};
use super::history_window;
use super::import::{ImportDialog, ImportKind};
use super::menu;
use super::outcome_entry::OutcomeEntryPanel;
use super::overview::OverviewPanel;
use super::passphrase::{PassphraseDialog, PassphrasePurpose};
use super::plan_view::{PlanPanel, SolveOutcome};
use super::print_dialog::{PrintAction, PrintDialog};
use super::recent::RecentFiles;
use super::rules::RulesPanel;
use super::sharing;
use super::summary::SummaryPanel;
use crate::io::lock::LockInfo;
use crate::io::plan_file;
use crate::io::recovery::{Recoverable, RecoveryStore};
use crate::model::merge::Conflict;
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

mod opening;

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
            Command::AddSession(advice) => {
                self.tab = Tab::Plan;
                self.plan_view.start_solve_with(&self.doc, Some(*advice));
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
        if self.last_lock_refresh.elapsed() >= crate::io::lock::REFRESH_EVERY {
            self.last_lock_refresh = std::time::Instant::now();
            if let Err(e) = self.doc.refresh_lock() {
                self.error(format!("{e}: this window is now read-only; use Save as to keep your changes."));
            }
        }
        ctx.request_repaint_after(crate::io::lock::REFRESH_EVERY);
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
        if !self.conflicts.is_empty() && !sharing::conflicts_ui(&ctx, &self.conflicts) {
            self.conflicts.clear();
        }
        self.passphrase_ui(&ctx);
        if self.show_audit {
            history_window::ui(&ctx, self.doc.plan(), &mut self.show_audit);
        }
        self.chooser.ui(&ctx);
        self.run_commands(&ctx);
    }
}
