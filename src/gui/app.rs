//! The application: one document, the panels that show it, the commands that
//! change it, and the messages that tell the user what happened.

use super::autosave::{Autosave, AutosaveWrite};
use super::backlog::BacklogPanel;
use super::capacity::CapacityPanel;
use super::command::{Command, Tab};
use super::document::Document;
use super::files::{FileChooser, FilePurpose, FileRequest};
use super::history_window;
use super::import::{ImportDialog, ImportKind};
use super::menu;
pub use super::messages::Message;
use super::messages::Messages;
use super::outcome_entry::OutcomeEntryPanel;
use super::overview::{AdviceState, OverviewPanel};
use super::panel::{Panel, PanelContext, PanelEvent};
use super::passphrase::{PassphraseDialog, PassphrasePurpose};
use super::plan_view::{PlanPanel, SolveOutcome};
use super::print_dialog::{FileAudit, PrintAction, PrintDialog};
use super::rules::RulesPanel;
use super::sharing;
use super::solved::{Applied, ReadyPlan};
use super::summary_panel::SummaryPanel;
use super::tasks::{self, Finished, Kind, Tasks, Work};
use crate::io::lock::LockInfo;
use crate::io::plan_file;
use crate::io::recovery::{Recoverable, RecoveryStore};
use crate::io::settings::RecentFiles;
use crate::model::merge::Conflict;
use crate::model::{AuditAction, AuditEntry};
use crate::scheduler::{Advice, SolveError, SolveOptions, add_advised_session, advise, solve_and_explain};
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
    messages: Messages,
    /// Where the theme choice is remembered, and a choice to apply on the next frame.
    theme_store: Option<PathBuf>,
    theme_to_apply: Option<egui::ThemePreference>,
    /// The summary side panel: shown or hidden by the user, else shown on wide windows only.
    show_summary: Option<bool>,
    window_width: f32,
    chooser: Box<dyn FileChooser>,
    recent: RecentFiles,
    import: Option<ImportDialog>,
    print: Option<PrintDialog>,
    /// Bytes waiting for the file dialog to say where to write them, and what
    /// they are for the audit trail.
    pending_write: Option<(Vec<u8>, FileAudit)>,
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
    /// Everything running in the background, polled every frame.
    tasks: Tasks,
    /// Conflicts of the last merge with a colleague's save, shown until dismissed.
    conflicts: Vec<Conflict>,
}

mod opening;

impl RebookApp {
    pub fn new(options: AppOptions) -> RebookApp {
        let theme_store = super::theme::store_beside(options.recent_store.as_deref());
        let theme = super::theme::load(theme_store.as_deref());
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
            messages: Messages::default(),
            theme_store,
            theme_to_apply: Some(theme),
            show_summary: None,
            window_width: 0.0,
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
            tasks: Tasks::default(),
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

    /// The window's title as last set (file, unsaved marker, privacy mode).
    pub fn window_title(&self) -> &str {
        &self.shown_title
    }

    /// Every message of this session (the log), oldest first.
    pub fn messages(&self) -> &[Message] {
        self.messages.all()
    }

    /// Errors on screen: they stay until dismissed.
    pub fn errors(&self) -> Vec<&str> {
        self.messages.errors()
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
        self.tasks.is_running(Kind::Solve)
    }

    /// No background task is running (planning, advice, opening, saving, autosave, lock refresh).
    pub fn is_idle(&self) -> bool {
        self.tasks.is_idle()
    }

    /// "Opening plan.rebook.ron" while a plan is opened, saved or closed in
    /// the background (the window keeps drawing; the plan cannot be changed).
    pub fn holding_document(&self) -> Option<&str> {
        self.tasks.holding_document()
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
    }

    fn replace_document(&mut self, doc: Document) {
        let old = std::mem::replace(&mut self.doc, doc);
        if old.lock_handle().is_some() {
            // Dropping it removes its lock file, on a network share perhaps.
            let doing = format!("Closing {}", old.file_name());
            self.tasks.spawn(Kind::Close, self.doc.stamp(), doing, move |_| {
                drop(old);
                Work::Closed
            });
        }
        self.backlog = BacklogPanel::default();
        self.capacity = CapacityPanel::default();
        self.rules = RulesPanel::default();
        // Results of work on the old plan are set aside when they arrive (their stamp is another document's).
        self.tasks.cancel(Kind::Solve);
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
                let label = self.doc.undo_label().map(str::to_string);
                match label {
                    Some(label) if self.doc.undo() => self.info(format!("Undone: {label}.")),
                    _ => self.info("Nothing to undo.".to_string()),
                }
            }
            Command::Redo => {
                let label = self.doc.redo_label().map(str::to_string);
                match label {
                    Some(label) if self.doc.redo() => self.info(format!("Redone: {label}.")),
                    _ => self.info("Nothing to redo.".to_string()),
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
                self.start_solve(None);
            }
            Command::AddSession(advice) => {
                self.tab = Tab::Plan;
                self.start_solve(Some(*advice));
            }
            Command::CancelSolve => self.tasks.cancel(Kind::Solve),
            Command::Advise => self.start_advice(),
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
            Command::SetTheme(theme) => {
                ctx.set_theme(theme);
                let note = match theme {
                    egui::ThemePreference::System => "The window follows the system's light or dark theme.",
                    egui::ThemePreference::Light => "Light theme.",
                    egui::ThemePreference::Dark => "Dark theme.",
                };
                match super::theme::save(self.theme_store.as_deref(), theme) {
                    Ok(()) => self.info(note.to_string()),
                    Err(e) => self.error(format!("{note} It could not be remembered for next time: {e}")),
                }
            }
            Command::ToggleMessageLog => self.messages.toggle_log(),
        }
    }

    /// Plans a copy of the plan in the background; the window stays responsive.
    fn start_solve(&mut self, add: Option<Advice>) {
        if self.tasks.is_running(Kind::Solve) {
            return;
        }
        self.plan_view.solve_started();
        let before = self.doc.plan().clone();
        self.tasks.spawn(Kind::Solve, self.doc.stamp(), "Planning".into(), move |control| {
            // A copy, with an advised session added for "Add this session": the
            // plan itself changes only when the result is applied.
            let mut plan = before.clone();
            if let Some(advice) = &add {
                add_advised_session(&mut plan, advice);
            }
            let mut progress = |p| control.report(p);
            let result = solve_and_explain(&plan, &SolveOptions::default(), &mut progress, control.cancel_flag());
            // What the window shows of the new plan is made here too, not in the frame that applies it.
            let result = result.map(|solved| Box::new(ReadyPlan::build(before, plan, add.is_some(), solved)));
            Work::Solved { add, result }
        });
    }

    /// Tries extra sessions in the background (it takes a while); the advice
    /// comes back whichever screen is showing.
    fn start_advice(&mut self) {
        if self.tasks.is_running_for(Kind::Advice, self.doc.stamp()) {
            return;
        }
        let plan = self.doc.plan().clone();
        let doing = "Finding sessions that would help".to_string();
        self.tasks.spawn(Kind::Advice, self.doc.stamp(), doing, move |_| {
            Work::Advice(advise(&plan, &SolveOptions::default(), 5))
        });
    }

    /// Writes the recovery file in the background, or at once when `inline`
    /// and the write is quick (no key stretching).
    pub(super) fn start_autosave(&mut self, write: AutosaveWrite, inline: bool) {
        let (generation, replaces) = (write.generation, write.replaces.clone());
        if inline && !write.is_slow() {
            let result = write.run();
            if let Some(problem) = self.autosave.finished(generation, replaces, result) {
                self.error(problem);
            }
            return;
        }
        self.tasks.spawn(Kind::Autosave, self.doc.stamp(), "Autosaving".into(), move |_| Work::Autosaved {
            generation,
            replaces,
            result: write.run(),
        });
    }

    /// Starts what is due in the background: the autosave and the lock refresh
    /// (a lock file on a slow network share must not stall the window).
    fn start_due_tasks(&mut self, ctx: &egui::Context) {
        if !self.tasks.is_running(Kind::Autosave)
            && let Some(write) = self.autosave.tick(ctx, &self.doc)
        {
            self.start_autosave(write, false);
        }
        if self.last_lock_refresh.elapsed() >= crate::io::lock::REFRESH_EVERY
            && !self.tasks.is_running(Kind::LockRefresh)
        {
            self.last_lock_refresh = std::time::Instant::now();
            if let Some(lock) = self.doc.lock_handle() {
                let doing = "Refreshing the plan's lock".to_string();
                self.tasks.spawn(Kind::LockRefresh, self.doc.stamp(), doing, move |_| {
                    let result = lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner).refresh();
                    Work::LockRefreshed { lock, result }
                });
            }
        }
        ctx.request_repaint_after(crate::io::lock::REFRESH_EVERY);
    }

    /// A solved plan was applied: what its worker made ready goes to the
    /// summary and the autosave, and what it replaced is dropped in the background.
    fn plan_applied(&mut self, text: String, applied: Applied) {
        let Applied { revision, summary, autosave_copy, leftovers } = applied;
        self.summary.prime(revision, summary);
        let current = self.doc.revision() == revision && self.doc.is_dirty();
        let write = if current && !self.tasks.is_running(Kind::Autosave) {
            self.autosave.write_copy(&self.doc, autosave_copy, None)
        } else {
            None
        };
        match write {
            Some(write) => self.start_autosave(write, false),
            // One is being written (or the plan moved on): the next tick writes the plan after it.
            None => self.autosave.request(),
        }
        self.tasks.spawn(Kind::Discard, self.doc.stamp(), "Letting go of the old plan".into(), move |_| {
            drop(leftovers);
            Work::Discarded
        });
        self.info(text);
    }

    /// Acts on a finished task. Results are checked against the plan they
    /// were worked out from: one for a plan changed meanwhile is not applied.
    fn task_finished(&mut self, finished: Finished) {
        let Finished { kind, stamp, doing, result } = finished;
        let work = match result {
            Ok(work) => work,
            Err(e) => {
                if kind == Kind::Save {
                    self.after_save = None;
                }
                if kind == Kind::Advice && stamp.document == self.doc.stamp().document {
                    self.overview.advice = AdviceState::Failed(e.to_string());
                }
                return self.error(Finished::failure(&doing, &e));
            }
        };
        match work {
            Work::Opened { path, result, missing } => self.opened(&path, result.map(|opened| *opened), missing),
            Work::TookOver { doc, holder, result } => self.took_over(*doc, &holder, result),
            Work::Closed | Work::Discarded => {}
            // Commands wait for this task, so the preview is of the plan on screen.
            Work::ImportRead(Ok(dialog)) => self.import = Some(*dialog),
            Work::ImportRead(Err(e)) => self.error(format!("Could not import: {e}")),
            // Commands wait for this task, so the plan is still the one exported from.
            Work::Exported { path, audit: FileAudit { action, what }, result } => match result {
                Ok(()) => {
                    self.doc.record_audit(AuditEntry::now(action, format!("{what} to {}", path.display())));
                    self.info(format!("Saved {}.", path.display()));
                }
                Err(e) => self.error(format!("Could not save: {e}")),
            },
            Work::Saved { previous, result } => self.saved(previous, result.map(|file| *file)),
            // Commands wait for this task, so the plan is still the one it wrote for.
            Work::AuditSaved(Ok(_)) if stamp.document != self.doc.stamp().document => {}
            Work::AuditSaved(result) => self.audit_saved(result),
            Work::Solved { add, result } => {
                // The solve of a plan no longer open is dropped without a word.
                if stamp.document == self.doc.stamp().document {
                    match self.plan_view.solved(&mut self.doc, stamp, add, result) {
                        Some(SolveOutcome::Applied(text, applied)) => self.plan_applied(text, *applied),
                        Some(SolveOutcome::Failed(text)) => self.error(text),
                        None => {}
                    }
                }
            }
            Work::Advice(result) => self.advice_arrived(stamp, result),
            Work::Recovered { found, passphrase, result } => {
                self.recovered(found, passphrase, result.map(|work| *work))
            }
            Work::Autosaved { generation, replaces, result } => {
                if let Some(problem) = self.autosave.finished(generation, replaces, result) {
                    self.error(problem);
                }
            }
            Work::LockRefreshed { lock, result } => {
                if let Err(e) = self.doc.lock_refreshed(&lock, result) {
                    self.error(format!("{e}: this window is now read-only; use Save as to keep your changes."));
                }
            }
        }
    }

    fn advice_arrived(&mut self, started: super::document::Stamp, result: Result<Vec<Advice>, SolveError>) {
        let now = self.doc.stamp();
        if started.document != now.document {
            return;
        }
        if started != now {
            self.overview.advice = AdviceState::NotAsked;
            self.info(
                "The plan changed while extra sessions were tried, so that advice was set aside: ask again.".into(),
            );
            return;
        }
        self.overview.advice = match result {
            Ok(list) => {
                if self.tab != Tab::Overview {
                    self.info(format!("Capacity advice is ready on the Overview screen ({} session(s)).", list.len()));
                }
                AdviceState::Ready(started.revision, list)
            }
            Err(e) => AdviceState::Failed(e.to_string()),
        };
    }

    fn ask_for_file(&mut self, purpose: FilePurpose) {
        if self.chooser.is_busy() {
            self.info("A file dialog is already open.".to_string());
            return;
        }
        let suggested = match purpose {
            FilePurpose::SavePlanAs => Some(match self.doc.path() {
                Some(path) => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
                None => self.plan_folder().join("plan.rebook.ron"),
            }),
            FilePurpose::OpenPlan
            | FilePurpose::ImportBacklog
            | FilePurpose::ImportRota
            | FilePurpose::ImportOutcomes => Some(self.plan_folder()),
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
                let Some((bytes, audit)) = self.pending_write.take() else { return };
                // An export may go to a network share too: written in the background.
                let doing = format!("Saving {}", opening::display_name(&path));
                self.tasks.spawn(Kind::Save, self.doc.stamp(), doing, move |_| {
                    let result = plan_file::write_atomically(&path, &bytes);
                    Work::Exported { path, audit, result }
                });
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
                self.chooser.request(FileRequest { purpose, suggested: Some(self.plan_folder().join(file_name)) });
            }
        }
    }

    /// Where files are proposed: the plan's folder as a full path; for a plan
    /// not saved yet, the user's Documents folder (or home, or the working folder).
    fn plan_folder(&self) -> PathBuf {
        let folder = self
            .doc
            .path()
            .and_then(Path::parent)
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .or_else(|| {
                std::env::home_dir().map(|home| {
                    let documents = home.join("Documents");
                    if documents.is_dir() { documents } else { home }
                })
            })
            .unwrap_or_else(|| PathBuf::from("."));
        std::path::absolute(&folder).unwrap_or(folder)
    }

    /// Reads and previews the file in the background (it may be on a share,
    /// and a large export takes a while to check against the plan).
    fn open_import(&mut self, kind: ImportKind, path: PathBuf) {
        let plan = self.doc.plan().clone();
        let doing = format!("Reading {}", opening::display_name(&path));
        self.tasks.spawn(Kind::Open, self.doc.stamp(), doing, move |_| {
            Work::ImportRead(ImportDialog::open(kind, path, &plan).map(Box::new))
        });
    }

    /// The import preview on screen, if any.
    pub fn import_dialog(&self) -> Option<&ImportDialog> {
        self.import.as_ref()
    }

    fn run_commands(&mut self, ctx: &egui::Context) {
        // An open or save in the background holds the document: commands wait for it.
        if self.tasks.holding_document().is_some() {
            return;
        }
        // Commands may queue more (a save that unblocks an open); bound the loop.
        for _ in 0..8 {
            if self.tasks.holding_document().is_some() {
                break;
            }
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

    /// Acts on what a panel reported.
    fn panel_event(&mut self, event: PanelEvent) {
        match event {
            PanelEvent::Command(command) => self.commands.push(command),
            PanelEvent::Info(text) => self.info(text),
            PanelEvent::Error(text) => self.error(text),
            PanelEvent::PlanApplied(text, applied) => self.plan_applied(text, *applied),
        }
    }

    /// A 1366-pixel practice PC needs the room for the tables: the summary starts hidden there.
    fn summary_shown(&self) -> bool {
        self.show_summary.unwrap_or(self.window_width >= 1500.0)
    }

    /// The screens' tabs, and on the right what the user must not miss:
    /// privacy mode, a read-only plan, and the message log.
    fn tab_bar_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            for tab in Tab::ALL {
                if ui.selectable_label(self.tab == tab, tab.label()).clicked() {
                    self.commands.push(Command::ShowTab(tab));
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let shown = self.summary_shown();
                if ui.selectable_label(shown, "Summary").on_hover_text("Show or hide the summary panel").clicked() {
                    self.show_summary = Some(!shown);
                }
                let count = self.messages.all().len();
                if ui.small_button(format!("Messages ({count})")).on_hover_text("This session's messages").clicked() {
                    self.commands.push(Command::ToggleMessageLog);
                }
                if super::privacy::is_on(ui.ctx()) && privacy_badge(ui).clicked() {
                    self.commands.push(Command::TogglePrivacy);
                }
                if self.doc.is_read_only() {
                    badge(ui, "Read-only", egui::Color32::from_rgb(150, 90, 0))
                        .on_hover_text("Someone else had this plan open: use Save as to keep your changes.");
                }
            });
        });
    }
}

impl eframe::App for RebookApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.tasks.attach(ctx);
        self.poll_chooser(ctx);
        for finished in self.tasks.poll() {
            self.task_finished(finished);
        }
        if ctx.input(|i| i.viewport().close_requested()) && !self.allow_close {
            if self.tasks.holding_document().is_some() {
                // Closing waits for the save (or open) to finish, then asks as usual.
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.commands.push(Command::Quit);
            } else if self.doc.is_dirty() {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.prompt = Some(Command::Quit);
            }
        }
        if self.tasks.holding_document().is_some() {
            // Keep drawing "Opening…" until the file work ends (its end wakes
            // the window too, but it is polled here, one frame at a time).
            ctx.request_repaint();
        }
        self.start_due_tasks(ctx);
        self.plan_view.solving = self.tasks.progress(Kind::Solve).cloned();
        self.overview.advice_running = self.tasks.is_running_for(Kind::Advice, self.doc.stamp());
        if let Some(theme) = self.theme_to_apply.take() {
            ctx.set_theme(theme);
        }
        let mut title = self.doc.title();
        if super::privacy::is_on(ctx) {
            title.push_str(" — PRIVACY MODE");
        }
        if title != self.shown_title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.shown_title = title;
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.window_width = ui.max_rect().width();
        menu::shortcuts(&ctx, &mut self.commands);
        egui::Panel::top("menu-bar").show(ui, |ui| {
            menu::ui(ui, &self.doc, self.recent.paths(), &mut self.commands);
        });
        egui::Panel::top("tab-bar").show(ui, |ui| self.tab_bar_ui(ui));
        let show_summary = self.summary_shown();
        let mut cx = PanelContext::new(&mut self.doc);
        if show_summary {
            egui::Panel::right("summary-panel").resizable(true).default_size(270.0).show(ui, |ui| {
                self.summary.ui(ui, &mut cx);
            });
        }
        let tab: &mut dyn Panel = match self.tab {
            Tab::Backlog => &mut self.backlog,
            Tab::Capacity => &mut self.capacity,
            Tab::Rules => &mut self.rules,
            Tab::Plan => &mut self.plan_view,
            Tab::Calls => &mut self.calls,
            Tab::Overview => &mut self.overview,
        };
        egui::CentralPanel::default().show(ui, |ui| tab.ui(ui, &mut cx));
        for event in cx.into_events() {
            self.panel_event(event);
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
        if let Some(doing) = self.tasks.holding_document() {
            tasks::holding_ui(&ctx, doing);
        }
        self.messages.ui(&ctx);
        self.run_commands(&ctx);
    }
}

/// A filled label that stands out in light and dark themes alike.
fn badge(ui: &mut egui::Ui, text: &str, fill: egui::Color32) -> egui::Response {
    ui.add(egui::Button::new(egui::RichText::new(text).strong().color(egui::Color32::WHITE)).fill(fill))
}

fn privacy_badge(ui: &mut egui::Ui) -> egui::Response {
    badge(ui, "Privacy mode on", egui::Color32::from_rgb(128, 40, 150))
        .on_hover_text("Names and NHS numbers are masked on screen. Click to show them again.")
}
