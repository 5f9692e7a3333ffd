//! The application: its state and the order of a frame. The rest lives in files of their own:
//!
//! - `dispatch`: where actions and commands are applied, once a frame;
//! - `editing`: labels, links, fragments, spans placed again, each change an edit;
//! - `finding`: the find bar's actions, and labelling every hit after a preview;
//! - `keyboard`: selections made from the caret (the sentence, growing to clause or quote);
//! - `lifecycle`: new, open, save, reload, recovery, autosave, a folder loading;
//! - `modals`: the dialogs that ask before going on;
//! - `notifications`: toasts, and errors on stderr too;
//! - `palette`: the command palette, and which commands make sense now;
//! - `prefs`: the preferences, kept by eframe and never in project files;
//! - `recovering`: the unsaved work of an earlier session, restored or discarded;
//! - `reviewing`: comparing, agreement, adjudication, review comments;
//! - `side`: the panel on the right (review, suggestions, the selected span, the span list);
//! - `suggesting`: the suggesters on a thread, and each suggestion accepted or rejected;
//! - `views`: shortcuts, dropped files, the menu, the status bar, the centre, the windows.

use std::path::{Path, PathBuf};

use egui::Ui;

use super::dialogs::FileDialogs;
use super::panels;
use super::text_view::TextView;
use crate::model::Id;
use crate::text::ByteRange;
use crate::workspace::Workspace;

mod dispatch;
mod editing;
mod finding;
mod keyboard;
mod lifecycle;
mod modals;
mod notifications;
mod palette;
mod prefs;
mod recovering;
mod reviewing;
mod side;
mod suggesting;
mod transfers;
mod views;

use lifecycle::Loading;
use modals::{Modal, Pending};
use notifications::Toast;
pub use prefs::{MAX_POSITIONS, Prefs, ReadingPosition};
use recovering::recovery_lines;

/// What a view computes from the project, kept until the project changes: the key says which
/// state it was computed for (the workspace's generation, the history's revision, ...).
struct Cached<K, V> {
    key: Option<K>,
    value: V,
}

impl<K: PartialEq, V: Default> Default for Cached<K, V> {
    fn default() -> Self {
        Self {
            key: None,
            value: V::default(),
        }
    }
}

impl<K: PartialEq, V> Cached<K, V> {
    /// True when the value was computed for `key`.
    fn is_for(&self, key: &K) -> bool {
        self.key.as_ref() == Some(key)
    }

    /// Stores `value`, computed for `key`.
    fn set(&mut self, key: K, value: V) {
        self.key = Some(key);
        self.value = value;
    }
}

/// The workspace generation and history revision a document-list cache was made for.
type RevisionKey = (u64, u64);

/// The same, and the document a per-document cache was made for.
type DocumentKey = (u64, u64, usize);

/// The Marginalia app.
pub struct MarginaliaApp {
    prefs: Prefs,
    workspace: Option<Workspace>,
    doc: usize,
    selection: Option<ByteRange>,
    selected_span: Option<Id>,
    note_draft: String,
    focus_note: bool,
    /// Scroll the span list to the selected span at the next frame.
    reveal_span: bool,
    /// Link mode: the span a link starts from, waiting for a click on the other end.
    link_from: Option<Id>,
    /// In link mode, the other end chosen with Tab (Enter links to it).
    link_target: Option<Id>,
    /// A colleague's project compared with this one.
    comparison: Option<super::review::Comparison>,
    /// The agreement window.
    agreement: super::adjudication::AgreementView,
    /// Review → Team….
    team: super::team::TeamWindow,
    /// Review → Statistics… is shown.
    statistics_open: bool,
    /// Its statistics, for the revision they were computed on (only while it is shown).
    statistics: Cached<RevisionKey, crate::review::statistics::Statistics>,
    /// What `team.ron` assigns the open project's annotator (the document list's order).
    assignment: Option<super::team::Assignment>,
    /// In a gold project: the place in dispute being ruled on.
    place: Option<super::adjudication::Place>,
    /// The comment being written on a colleague's span.
    comment_draft: Option<(Id, String)>,
    /// Colleagues' comments on the open project's spans.
    reviews: Vec<crate::review::comments::Review>,
    /// When (egui time) unsaved changes last went to the recovery file.
    last_recovery: f64,
    /// The document list's statistics, for (workspace generation, history revision).
    doc_stats: Cached<RevisionKey, Vec<panels::DocStats>>,
    /// The adjudication panel's data (a gold project only), for the same key as `doc_stats`.
    gold: Option<super::adjudication::Gold>,
    /// Counts the workspaces opened, so that cached views never outlive their project.
    stats_generation: u64,
    /// The shipped fonts are installed (on the first frame).
    fonts_installed: bool,
    /// Links per span of the current document, for (generation, revision, document).
    span_links: Cached<DocumentKey, std::collections::HashMap<Id, usize>>,
    /// A corpus folder being read in the background.
    loading: Option<Loading>,
    text_view: TextView,
    /// The pending suggestion shown (an index in the document's suggestions).
    suggestion: Option<usize>,
    /// The suggesters at work.
    suggesting: Option<suggesting::Suggesting>,
    /// Which suggesters run.
    suggest_panel: super::suggestions::SuggestPanel,
    /// Pending suggestions per rule (here, in all), for (generation, revision, document).
    rule_counts:
        Cached<DocumentKey, std::collections::BTreeMap<crate::suggest::Rule, (usize, usize)>>,
    /// The find bar (Ctrl+F, Ctrl+Shift+F) and its hits.
    find: super::find::FindBar,
    /// The command palette (Ctrl+K, Ctrl+Shift+P).
    palette: super::palette::CommandPalette,
    modal: Option<Modal>,
    labels_open: bool,
    label_drafts: Vec<(String, String)>,
    export: super::transfer::ExportDialog,
    import: super::transfer::ImportDialog,
    toasts: Vec<Toast>,
    dialogs: Box<dyn FileDialogs>,
    allow_close: bool,
    quit_requested: bool,
    title: String,
    /// Where the snapshots of projects never saved go (none: they are not snapshotted).
    recovery_dir: Option<PathBuf>,
}

impl MarginaliaApp {
    /// The app with these preferences and dialogs, and no project open.
    pub fn new(prefs: Prefs, dialogs: Box<dyn FileDialogs>) -> Self {
        Self {
            prefs,
            workspace: None,
            doc: 0,
            selection: None,
            selected_span: None,
            note_draft: String::new(),
            focus_note: false,
            reveal_span: false,
            link_from: None,
            link_target: None,
            comparison: None,
            agreement: super::adjudication::AgreementView::default(),
            team: super::team::TeamWindow::default(),
            statistics_open: false,
            statistics: Cached::default(),
            assignment: None,
            place: None,
            comment_draft: None,
            reviews: Vec::new(),
            last_recovery: 0.0,
            doc_stats: Cached::default(),
            gold: None,
            stats_generation: 0,
            fonts_installed: false,
            span_links: Cached::default(),
            loading: None,
            text_view: TextView::default(),
            suggestion: None,
            suggesting: None,
            suggest_panel: super::suggestions::SuggestPanel::default(),
            rule_counts: Cached::default(),
            find: super::find::FindBar::default(),
            palette: super::palette::CommandPalette::default(),
            modal: None,
            labels_open: false,
            label_drafts: Vec::new(),
            export: super::transfer::ExportDialog::default(),
            import: super::transfer::ImportDialog::default(),
            toasts: Vec::new(),
            dialogs,
            allow_close: false,
            quit_requested: false,
            title: String::new(),
            recovery_dir: None,
        }
    }

    /// The app with `project` open (errors become notifications, as when opened from the menu).
    /// Projects never saved are snapshotted in [`crate::recovery::default_dir`].
    pub fn with_project(
        prefs: Prefs,
        dialogs: Box<dyn FileDialogs>,
        project: Option<&Path>,
    ) -> Self {
        Self::starting(prefs, dialogs, project, crate::recovery::default_dir())
    }

    /// [`MarginaliaApp::with_project`], with the snapshots of projects never saved in
    /// `recovery_dir` (none: they are not snapshotted). At the start, the app offers back the
    /// unsaved work that a crashed session left there, or beside a recent project.
    pub fn starting(
        prefs: Prefs,
        dialogs: Box<dyn FileDialogs>,
        project: Option<&Path>,
        recovery_dir: Option<PathBuf>,
    ) -> Self {
        let mut app = Self::new(prefs, dialogs);
        app.recovery_dir = recovery_dir;
        if let Some(path) = project {
            app.open_now(path);
        }
        // After a crash, offer the unsaved work of a recent project even when another one opens.
        if app.modal.is_none() {
            let open = app
                .workspace
                .as_ref()
                .and_then(Workspace::path)
                .map(Path::to_owned);
            let found = app
                .prefs
                .recent
                .iter()
                .filter(|p| Some(p.as_path()) != open.as_deref())
                .find_map(|p| {
                    // Warned about when that project is opened.
                    let mut lines = recovery_lines(&app.prefs, p).ok().flatten()?;
                    lines.push("Restore opens that project with these changes.".to_owned());
                    Some((p.clone(), lines))
                });
            if let Some((project, lines)) = found {
                app.modal = Some(Modal::Recover {
                    project,
                    untitled: false,
                    lines,
                });
            }
        }
        if app.modal.is_none() {
            app.offer_untitled_recovery();
        }
        app
    }

    /// The open project, if any.
    pub fn workspace(&self) -> Option<&Workspace> {
        self.workspace.as_ref()
    }

    /// The preferences.
    pub fn prefs(&self) -> &Prefs {
        &self.prefs
    }

    /// The index of the document shown.
    pub fn current_document(&self) -> usize {
        self.doc
    }

    /// The text selection.
    pub fn selection(&self) -> Option<ByteRange> {
        self.selection
    }

    /// The selected span.
    pub fn selected_span(&self) -> Option<Id> {
        self.selected_span
    }

    /// In link mode (after `L`), the span Tab chose as the other end of the link.
    pub fn link_target(&self) -> Option<Id> {
        self.link_target.filter(|_| self.link_from.is_some())
    }

    /// The comparison with a colleague's project, if any.
    pub fn comparison(&self) -> Option<&super::review::Comparison> {
        self.comparison.as_ref()
    }

    /// The team window (tests wait on it with [`super::team::TeamWindow::wait`]).
    pub fn team_window(&mut self) -> &mut super::team::TeamWindow {
        &mut self.team
    }

    /// The statistics the Statistics window shows, once it was opened.
    pub fn statistics(&self) -> Option<&crate::review::statistics::Statistics> {
        self.statistics.key.as_ref().map(|_| &self.statistics.value)
    }

    /// The agreement window's state (its report once computed).
    pub fn agreement(&self) -> &super::adjudication::AgreementView {
        &self.agreement
    }

    /// The place in dispute being ruled on, in a gold project.
    pub fn place(&self) -> Option<&super::adjudication::Place> {
        self.place.as_ref()
    }

    /// Colleagues' review comments on the open project.
    pub fn reviews(&self) -> &[crate::review::comments::Review] {
        &self.reviews
    }

    /// The pending suggestion shown: its index in the current document's suggestions.
    pub fn suggestion_shown(&self) -> Option<usize> {
        self.suggestion
    }

    /// True while the suggesters are at work.
    pub fn is_suggesting_running(&self) -> bool {
        self.suggesting.is_some()
    }

    /// The find bar: its query, hits and the hit shown.
    pub fn find_bar(&self) -> &super::find::FindBar {
        &self.find
    }

    /// The text view (for screen positions of characters).
    pub fn text_view(&self) -> &TextView {
        &self.text_view
    }

    /// The notifications on screen, oldest first.
    pub fn notifications(&self) -> Vec<String> {
        self.toasts.iter().map(|t| t.text.clone()).collect()
    }

    /// The window title: the project's name, with a dot when there are unsaved changes.
    pub fn window_title(&self) -> String {
        match &self.workspace {
            Some(ws) => format!(
                "{}{} — Marginalia",
                if ws.is_dirty() { "● " } else { "" },
                ws.display_name()
            ),
            None => "Marginalia".to_owned(),
        }
    }

    /// True when the app asked to quit and nothing stops it.
    pub fn quit_requested(&self) -> bool {
        self.quit_requested
    }

    fn is_dirty(&self) -> bool {
        self.workspace.as_ref().is_some_and(Workspace::is_dirty)
    }

    /// Called when the window is asked to close: returns false (and asks the user) when there
    /// are unsaved changes.
    pub fn may_close(&mut self) -> bool {
        if self.allow_close || !self.is_dirty() {
            return true;
        }
        self.modal = Some(Modal::Unsaved {
            then: Pending::Quit,
        });
        false
    }

    /// Draws one frame and applies what the user did.
    pub fn ui(&mut self, ui: &mut Ui) {
        if !self.fonts_installed {
            // On the first frame, before any text is laid out: the harness of the GUI tests has
            // no earlier hook, and the window's first frame is the same.
            super::fonts::install(ui.ctx());
            self.fonts_installed = true;
        }
        let mut actions = Vec::new();
        self.update_find();
        if self.find.is_running() {
            ui.ctx().request_repaint();
        }
        if self.modal.is_none() {
            self.shortcuts(ui, &mut actions);
        }
        // Before the views: the palette takes its keys (arrows, Enter, Escape) first.
        self.palette_ui(ui, &mut actions);
        Self::dropped_files(ui, &mut actions);
        egui::Panel::top("menu").show(ui, |ui| self.menu_ui(ui, &mut actions));
        // The caches of this revision, before the status bar shows the place k of N.
        if let Some(ws) = &self.workspace {
            let key = (self.stats_generation, ws.history().revision());
            if !self.doc_stats.is_for(&key) {
                self.doc_stats.set(key, panels::doc_stats(ws.project()));
                self.gold = super::adjudication::Gold::of(ws.project());
            }
            if self.statistics_open && !self.statistics.is_for(&key) {
                self.statistics
                    .set(key, crate::review::statistics::of(ws.project()));
            }
        }
        egui::Panel::bottom("status").show(ui, |ui| self.status_ui(ui));
        if let Some(ws) = &self.workspace {
            let project = ws.project();
            egui::Panel::left("documents")
                .resizable(true)
                .default_size(280.0)
                .show(ui, |ui| {
                    actions.extend(panels::doc_list_ui(
                        ui,
                        project,
                        &self.doc_stats.value,
                        self.doc,
                        self.assignment.as_ref(),
                    ));
                });
        }
        if self.workspace.is_some() {
            self.right_panel_ui(ui, &mut actions);
        }
        if let Some(ws) = self
            .workspace
            .as_ref()
            .filter(|_| self.find.open && self.find.corpus)
        {
            egui::Panel::bottom("find-results")
                .resizable(true)
                .default_size(200.0)
                .show(ui, |ui| {
                    actions.extend(
                        self.find
                            .results_ui(ui, ws.project())
                            .map(super::action::Action::Find),
                    );
                });
        }
        egui::CentralPanel::default().show(ui, |ui| self.central_ui(ui, &mut actions));
        let answer = self.modal_ui(ui);
        self.labels_window(ui, &mut actions);
        self.statistics_window(ui);
        if self.agreement.open
            && super::adjudication::agreement_window(ui.ctx(), &mut self.agreement)
        {
            self.compute_agreement();
        }
        self.transfer_windows(ui, &mut actions);
        self.toasts_ui(ui);
        for action in actions {
            self.apply(ui.ctx(), action);
        }
        if let Some(answer) = answer {
            self.answer(ui.ctx(), answer);
        }
        self.sync_note_draft(ui);
        self.poll_suggesters(ui.ctx());
        self.autosave(ui.ctx());
        self.note_position();
        self.loading_ui(ui.ctx());
        self.prefs.zoom = ui.ctx().zoom_factor();
        let title = self.window_title();
        if title != self.title {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    fn sync_note_draft(&mut self, ui: &Ui) {
        // While the user types in a field, the field's text is the truth.
        if ui.ctx().egui_wants_keyboard_input() {
            return;
        }
        let note = self
            .selected_span
            .and_then(|id| {
                self.workspace
                    .as_ref()?
                    .project()
                    .document(self.doc)?
                    .annotation(id)
            })
            .map(|a| a.note.clone())
            .unwrap_or_default();
        self.note_draft = note;
    }
}
