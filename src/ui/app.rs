//! The application: state, the frame, and the one place where actions are applied.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use egui::{Key, RichText, Ui};
use serde::{Deserialize, Serialize};

use super::action::Action;
use super::command::Command;
use super::dialogs::{FileDialogs, PROJECT_FILTER, Picked};
use super::panels;
use super::text_view::{TextAction, TextView, ViewState};
use super::theme;
use crate::edit::{Edit, MergeKey};
use crate::file::Severity;
use crate::model::{Annotation, Id, Status, Timestamp};
use crate::text::{ByteRange, trim_range};
use crate::workspace::Workspace;

/// Preferences, kept by eframe's storage and never in project files.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// `Some(true)` dark, `Some(false)` light, `None` follow the system.
    pub dark_mode: Option<bool>,
    /// UI zoom factor.
    pub zoom: f32,
    /// Recently opened project files, newest first.
    pub recent: Vec<PathBuf>,
    /// The annotator name last used for a new project.
    pub annotator: String,
    /// Project files allowed to read their texts from a corpus folder outside their folder and
    /// the folder above (asked once): the project file and the corpus folder's real path.
    pub trusted_corpora: std::collections::BTreeMap<PathBuf, PathBuf>,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            dark_mode: None,
            zoom: 1.0,
            recent: Vec::new(),
            annotator: String::new(),
            trusted_corpora: std::collections::BTreeMap::new(),
        }
    }
}

const MAX_RECENT: usize = 10;

impl Prefs {
    /// Whether the user allowed the project file at `project` to read its texts from `corpus`.
    pub fn trusts(&self, project: &Path, corpus: &Path) -> bool {
        self.trusted_corpora
            .get(&crate::file::absolute(project))
            .is_some_and(|c| c == corpus)
    }

    fn trust(&mut self, project: &Path, corpus: &Path) {
        self.trusted_corpora
            .insert(crate::file::absolute(project), corpus.to_owned());
    }

    fn remember(&mut self, path: &Path) {
        let path = crate::file::absolute(path);
        self.recent.retain(|p| *p != path);
        self.recent.insert(0, path);
        self.recent.truncate(MAX_RECENT);
    }
}

#[derive(Clone, Debug)]
enum Pending {
    OpenDialog,
    Open(PathBuf),
    NewFromFolderDialog,
    NewFromFolder(PathBuf),
    Quit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PathPurpose {
    Open,
    NewFromFolder,
    SaveAs,
    Compare,
}

#[derive(Clone, Debug)]
enum Modal {
    Unsaved {
        then: Pending,
    },
    /// The project file changed on disk since it was opened or saved.
    Conflict {
        change: String,
    },
    /// Unsaved changes of an earlier session were found beside the project (`untitled`: in
    /// `project`, the recovery file of a project that was never saved).
    Recover {
        project: PathBuf,
        untitled: bool,
        lines: Vec<String>,
    },
    Path {
        purpose: PathPurpose,
        text: String,
    },
    Annotator {
        folder: PathBuf,
        name: String,
    },
    /// A project file whose corpus folder lies outside its folder and the folder above: asked
    /// once per project before any text is read.
    ForeignCorpus {
        project: PathBuf,
        corpus: PathBuf,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Info,
    Warning,
    Error,
}

#[derive(Clone, Debug)]
struct Toast {
    level: Level,
    text: String,
    shown_at: Instant,
}

/// A corpus folder being read on another thread for a new project.
struct Loading {
    folder: PathBuf,
    annotator: String,
    progress: std::sync::Arc<crate::corpus::Progress>,
    thread: std::thread::JoinHandle<Result<crate::corpus::Folder, crate::corpus::CorpusError>>,
}

/// What the unsaved changes found beside the project file at `project` would bring back, if there
/// are some. A snapshot that names a corpus folder outside the project's folder (and the folder
/// above) that the user has not allowed for this project is not read further: a snapshot is a
/// file like any other, and may come from someone else (a shared folder, a git repository).
fn recovery_lines(prefs: &Prefs, project: &Path) -> Result<Option<Vec<String>>, String> {
    let Some(recovery) = crate::recovery::find(project).ok().flatten() else {
        return Ok(None);
    };
    if let Some(corpus) = crate::file::corpus_outside_of(project, recovery.corpus_root())
        && !prefs.trusts(project, &corpus)
    {
        return Err(format!(
            "{} holds unsaved changes that read their texts from {}, outside the project's \
             folder: they are not offered (delete that file, or open the project once to allow \
             that folder)",
            recovery.file().display(),
            corpus.display()
        ));
    }
    Ok(Some(
        recovery.summary().map(|s| s.lines()).unwrap_or_default(),
    ))
}

/// Folders larger than this are read on another thread, with a progress bar; smaller ones take
/// a few tens of milliseconds and are read at once.
const BACKGROUND_BYTES: u64 = 16 << 20;

/// Links per span of the current document, cached for (generation, revision, document).
type SpanLinks = (
    Option<(u64, u64, usize)>,
    std::collections::HashMap<Id, usize>,
);

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
    /// A colleague's project compared with this one.
    comparison: Option<super::review::Comparison>,
    /// The agreement window.
    agreement: super::adjudication::AgreementView,
    /// In a gold project: the place in dispute being ruled on.
    place: Option<super::adjudication::Place>,
    /// The comment being written on a colleague's span.
    comment_draft: Option<(Id, String)>,
    /// Colleagues' comments on the open project's spans.
    reviews: Vec<crate::review::comments::Review>,
    /// When (egui time) unsaved changes last went to the recovery file.
    last_recovery: f64,
    /// The document list's statistics, for (workspace generation, history revision).
    doc_stats: (Option<(u64, u64)>, Vec<panels::DocStats>),
    /// The adjudication panel's data (a gold project only), for the same key as `doc_stats`.
    gold: Option<super::adjudication::Gold>,
    /// Counts the workspaces opened, so that cached views never outlive their project.
    stats_generation: u64,
    /// Links per span of the current document, for (generation, revision, document).
    span_links: SpanLinks,
    /// A corpus folder being read in the background.
    loading: Option<Loading>,
    text_view: TextView,
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
            comparison: None,
            agreement: super::adjudication::AgreementView::default(),
            place: None,
            comment_draft: None,
            reviews: Vec::new(),
            last_recovery: 0.0,
            doc_stats: (None, Vec::new()),
            gold: None,
            stats_generation: 0,
            span_links: (None, std::collections::HashMap::new()),
            loading: None,
            text_view: TextView::default(),
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

    /// Offers the unsaved work of a project that was never saved, left by a session that ended
    /// without saving or discarding it (the oldest first; one at a time).
    fn offer_untitled_recovery(&mut self) {
        let Some(dir) = &self.recovery_dir else {
            return;
        };
        let mut unreadable = Vec::new();
        let mut offer = None;
        for found in crate::recovery::list_untitled(dir) {
            match found {
                Ok(recovery) if crate::recovery::written_by_another_live_window(&recovery) => {}
                Ok(recovery) => {
                    let mut lines = recovery.summary().map(|s| s.lines()).unwrap_or_default();
                    lines.push(
                        "Restore opens them as an untitled project: save it to keep them."
                            .to_owned(),
                    );
                    offer = Some((recovery.file().to_owned(), lines));
                    break;
                }
                Err(error) => unreadable.push(error),
            }
        }
        for error in unreadable {
            let error = anyhow::Error::new(error).context("cannot read the unsaved work found");
            self.notify(Level::Warning, format!("{error:#}"));
        }
        if let Some((project, lines)) = offer {
            self.modal = Some(Modal::Recover {
                project,
                untitled: true,
                lines,
            });
        }
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

    /// The comparison with a colleague's project, if any.
    pub fn comparison(&self) -> Option<&super::review::Comparison> {
        self.comparison.as_ref()
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

    fn notify(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        if level == Level::Error {
            eprintln!("marginalia: {}", crate::text::escape_for_terminal(&text));
        }
        self.toasts.push(Toast {
            level,
            text,
            shown_at: Instant::now(),
        });
    }

    fn error(&mut self, error: &anyhow::Error) {
        self.notify(Level::Error, format!("{error:#}"));
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
        let mut actions = Vec::new();
        if self.modal.is_none() {
            self.shortcuts(ui, &mut actions);
        }
        Self::dropped_files(ui, &mut actions);
        egui::Panel::top("menu").show(ui, |ui| self.menu_ui(ui, &mut actions));
        egui::Panel::bottom("status").show(ui, |ui| self.status_ui(ui));
        if let Some(ws) = &self.workspace {
            let project = ws.project();
            egui::Panel::left("documents")
                .resizable(true)
                .default_size(280.0)
                .show(ui, |ui| {
                    let key = (self.stats_generation, ws.history().revision());
                    if self.doc_stats.0 != Some(key) {
                        self.doc_stats = (Some(key), panels::doc_stats(project));
                        self.gold = super::adjudication::Gold::of(project);
                    }
                    actions.extend(panels::doc_list_ui(
                        ui,
                        project,
                        &self.doc_stats.1,
                        self.doc,
                    ));
                });
            egui::Panel::right("spans")
                .resizable(true)
                .default_size(330.0)
                .show(ui, |ui| {
                    if let Some(document) = project.document(self.doc) {
                        if let Some(gold) = &self.gold {
                            actions.extend(super::adjudication::gold_ui(
                                ui,
                                gold,
                                project,
                                self.doc,
                                self.place.as_ref(),
                            ));
                        }
                        if let Some(comparison) = &self.comparison {
                            actions.extend(super::review::review_ui(
                                ui,
                                comparison,
                                document,
                                &mut self.comment_draft,
                            ));
                            ui.separator();
                        }
                        actions.extend(super::review::comments_ui(
                            ui,
                            &self.reviews,
                            project,
                            self.doc,
                        ));
                        actions.extend(panels::detached_ui(ui, document, self.selection.is_some()));
                        if let Some(annotation) =
                            self.selected_span.and_then(|id| document.annotation(id))
                        {
                            if let Some((text, color)) =
                                super::adjudication::provenance_text(annotation)
                            {
                                ui.colored_label(color, text);
                            }
                            let focus = std::mem::take(&mut self.focus_note);
                            actions.extend(panels::selected_span_ui(
                                ui,
                                project,
                                self.doc,
                                annotation,
                                &mut self.note_draft,
                                focus,
                            ));
                            ui.separator();
                        }
                        let key = (self.stats_generation, ws.history().revision(), self.doc);
                        if self.span_links.0 != Some(key) {
                            self.span_links = (Some(key), panels::link_counts(document));
                        }
                        actions.extend(panels::span_list_ui(
                            ui,
                            project,
                            document,
                            self.selected_span,
                            std::mem::take(&mut self.reveal_span),
                            &self.span_links.1,
                        ));
                    }
                });
        }
        egui::CentralPanel::default().show(ui, |ui| self.central_ui(ui, &mut actions));
        self.modal_ui(ui);
        self.labels_window(ui, &mut actions);
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
        self.sync_note_draft(ui);
        self.autosave(ui.ctx());
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

    fn shortcuts(&self, ui: &Ui, actions: &mut Vec<Action>) {
        let typing = ui.ctx().egui_wants_keyboard_input();
        // The most specific shortcuts first, so that Ctrl+Shift+Z is not taken for Ctrl+Z.
        let mut shortcuts: Vec<(Command, egui::KeyboardShortcut)> = Command::ALL
            .into_iter()
            .flat_map(|c| c.shortcuts().into_iter().map(move |s| (c, s)))
            .collect();
        shortcuts.sort_by_key(|(_, s)| std::cmp::Reverse(modifier_count(s.modifiers)));
        ui.input_mut(|input| {
            for (command, shortcut) in shortcuts {
                if typing
                    && (command.is_plain_key() || matches!(command, Command::Undo | Command::Redo))
                {
                    continue;
                }
                if input.consume_shortcut(&shortcut) {
                    actions.push(Action::Command(command));
                }
            }
            if typing {
                return;
            }
            if let Some(ws) = &self.workspace {
                let selected = self
                    .selected_span
                    .and_then(|id| ws.project().document(self.doc)?.annotation(id));
                for attribute in selected
                    .iter()
                    .flat_map(|a| ws.project().schema.attributes_of(&a.label))
                {
                    if let Some(key) = Key::from_name(&attribute.key.to_uppercase())
                        && input.consume_key(egui::Modifiers::NONE, key)
                    {
                        actions.push(Action::CycleAttribute(attribute.name.clone()));
                    }
                }
                for label in &ws.project().schema.labels {
                    if let Some(key) = Key::from_name(&label.key.to_uppercase())
                        && input.consume_key(egui::Modifiers::NONE, key)
                    {
                        actions.push(Action::ApplyLabel(label.name.clone()));
                    }
                }
            }
        });
    }

    fn dropped_files(ui: &Ui, actions: &mut Vec<Action>) {
        let dropped: Vec<PathBuf> = ui.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if let Some(path) = dropped.into_iter().next() {
            actions.push(if path.is_dir() {
                Action::NewFromFolder(path)
            } else {
                Action::OpenProject(path)
            });
        }
        let hovering = ui.input(|i| !i.raw.hovered_files.is_empty());
        if hovering {
            let rect = ui.ctx().content_rect();
            let painter = ui.ctx().layer_painter(egui::LayerId::new(
                egui::Order::Foreground,
                egui::Id::unique("drop"),
            ));
            painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(160));
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "Drop a project (.ron) to open it, or a folder to start a project",
                egui::FontId::proportional(20.0),
                egui::Color32::WHITE,
            );
        }
    }

    fn menu_item(ui: &mut Ui, command: Command, enabled: bool, actions: &mut Vec<Action>) {
        Self::menu_item_text(ui, command, command.text().to_owned(), enabled, actions);
    }

    /// A menu button for `command` with its shortcut, under a text of its own.
    fn menu_item_text(
        ui: &mut Ui,
        command: Command,
        text: String,
        enabled: bool,
        actions: &mut Vec<Action>,
    ) {
        let shortcut = command
            .shortcuts()
            .first()
            .map(|s| ui.ctx().format_shortcut(s))
            .unwrap_or_default();
        if ui
            .add_enabled(enabled, egui::Button::new(text).shortcut_text(shortcut))
            .clicked()
        {
            actions.push(Action::Command(command));
        }
    }

    fn menu_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let has_project = self.workspace.is_some();
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                Self::menu_item(ui, Command::NewFromFolder, true, actions);
                Self::menu_item(ui, Command::Open, true, actions);
                ui.menu_button("Open Recent", |ui| {
                    if self.prefs.recent.is_empty() {
                        ui.weak("No recent project");
                    }
                    for path in &self.prefs.recent {
                        if ui.button(path.display().to_string()).clicked() {
                            actions.push(Action::OpenProject(path.clone()));
                        }
                    }
                });
                ui.separator();
                Self::menu_item(ui, Command::Save, has_project, actions);
                Self::menu_item(ui, Command::SaveAs, has_project, actions);
                ui.separator();
                Self::menu_item(ui, Command::Import, true, actions);
                Self::menu_item(ui, Command::Export, has_project, actions);
                ui.separator();
                Self::menu_item(ui, Command::Quit, true, actions);
            });
            ui.menu_button("Edit", |ui| {
                let history = self.workspace.as_ref().map(Workspace::history);
                let undo = history.and_then(crate::edit::History::undo_description);
                let redo = history.and_then(crate::edit::History::redo_description);
                let undo_text = undo.map_or_else(|| "Undo".to_owned(), |d| format!("Undo {d}"));
                Self::menu_item_text(
                    ui,
                    Command::Undo,
                    undo_text,
                    history.is_some_and(|h| h.undo_description().is_some()),
                    actions,
                );
                let redo_text = redo.map_or_else(|| "Redo".to_owned(), |d| format!("Redo {d}"));
                Self::menu_item_text(
                    ui,
                    Command::Redo,
                    redo_text,
                    history.is_some_and(|h| h.redo_description().is_some()),
                    actions,
                );
                ui.separator();
                Self::menu_item(
                    ui,
                    Command::DeleteSpan,
                    self.selected_span.is_some(),
                    actions,
                );
                Self::menu_item(ui, Command::EditNote, self.selected_span.is_some(), actions);
                Self::menu_item(ui, Command::Link, self.selected_span.is_some(), actions);
                Self::menu_item(ui, Command::ClearSelection, true, actions);
                ui.separator();
                Self::menu_item(ui, Command::EditLabels, has_project, actions);
            });
            ui.menu_button("Document", |ui| {
                Self::menu_item(ui, Command::NextDocument, has_project, actions);
                Self::menu_item(ui, Command::PreviousDocument, has_project, actions);
                Self::menu_item(ui, Command::DoneAndNext, has_project, actions);
            });
            ui.menu_button("Review", |ui| {
                Self::menu_item(ui, Command::Compare, has_project, actions);
                Self::menu_item(
                    ui,
                    Command::NextDifference,
                    self.comparison.is_some(),
                    actions,
                );
                Self::menu_item(
                    ui,
                    Command::PreviousDifference,
                    self.comparison.is_some(),
                    actions,
                );
                ui.separator();
                Self::menu_item(ui, Command::Agreement, self.comparison.is_some(), actions);
                ui.add_enabled_ui(self.comparison.is_some(), |ui| {
                    ui.menu_button("Adjudicate into a gold project", |ui| {
                        for policy in crate::review::adjudicate::Policy::ALL {
                            if ui
                                .button(format!("Start from {}", policy.name()))
                                .on_hover_text(policy.describe())
                                .clicked()
                            {
                                actions.push(Action::Adjudicate(policy));
                            }
                        }
                    });
                });
            });
            ui.menu_button("View", |ui| {
                Self::menu_item(ui, Command::ToggleTheme, true, actions);
                ui.weak("Zoom: Ctrl + / Ctrl - / Ctrl 0");
            });
        });
    }

    fn status_ui(&self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let Some(ws) = &self.workspace else {
                ui.label("No project open: File > Open… or New project from folder…");
                return;
            };
            let project = ws.project();
            ui.label(format!(
                "{} · annotator {}",
                ws.display_name(),
                project.annotator
            ));
            if let Some(document) = project.document(self.doc) {
                ui.separator();
                ui.label(format!(
                    "document {}/{}",
                    self.doc + 1,
                    project.documents.len()
                ));
                if let Some(selection) = self.selection {
                    ui.separator();
                    let chars = selection.slice(&document.text).chars().count();
                    ui.label(format!(
                        "selected {chars} character(s): press a label's key"
                    ));
                }
            }
            if self.link_from.is_some() {
                ui.separator();
                ui.colored_label(
                    theme::WARNING,
                    "Link: click the span at the other end (Esc cancels)",
                );
            }
            if ws.is_dirty() {
                ui.separator();
                ui.colored_label(theme::WARNING, "unsaved changes");
            }
        });
    }

    fn central_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let Some(ws) = &self.workspace else {
            ui.centered_and_justified(|ui| {
                ui.label(RichText::new("Open a project (Ctrl+O) or start one from a folder of .txt files (Ctrl+N).\nYou can also drop a project file or a folder here.").size(18.0));
            });
            return;
        };
        let project = ws.project();
        let Some(document) = project.document(self.doc) else {
            ui.label("This project has no document.");
            return;
        };
        let can_apply =
            document.is_editable() && (self.selection.is_some() || self.selected_span.is_some());
        actions.extend(panels::palette_ui(ui, project, can_apply));
        ui.horizontal(|ui| {
            ui.strong(&document.path);
            ui.weak(format!(
                "· {} · {} span(s)",
                document.status.label(),
                document.annotations.len()
            ));
        });
        match &document.text_state {
            crate::model::TextState::Current => {}
            crate::model::TextState::Changed { .. } => {
                ui.colored_label(theme::ERROR, "Warning: This file changed since it was annotated. Its spans are kept in the project but hidden, and the document is read-only.");
            }
            crate::model::TextState::Missing { reason, .. } => {
                ui.colored_label(theme::ERROR, format!("Warning: This file cannot be read ({reason}). Its spans are kept; the document is read-only."));
            }
        }
        if let Some(encoding) = document.decoded_from {
            ui.colored_label(
                theme::WARNING,
                format!(
                    "Warning: {} is not UTF-8: it was decoded as {encoding}. Check its accents.",
                    document.path
                ),
            );
        }
        ui.separator();
        let other = self
            .comparison
            .as_ref()
            .and_then(|c| c.other_document(&document.path));
        let mut highlight = self
            .comparison
            .as_ref()
            .map(|c| c.current_ranges(document))
            .unwrap_or_default();
        if let Some(place) = self.place.as_ref().filter(|p| p.doc == self.doc) {
            highlight.extend(
                place
                    .ids
                    .iter()
                    .filter_map(|id| document.annotation(*id))
                    .flat_map(|a| a.fragments.iter().copied()),
            );
        }
        let state = ViewState {
            selection: self.selection,
            selected_span: self.selected_span,
            revision: ws.history().revision(),
            schema: &project.schema,
            other,
            highlight: &highlight,
        };
        let shown = if document.is_editable() {
            document
        } else {
            &crate::model::Document {
                text: document.text.clone(),
                ..Default::default()
            }
        };
        for action in self.text_view.ui(ui, self.doc, shown, state) {
            actions.push(match action {
                TextAction::Select(range) => Action::Select(range),
                TextAction::SelectSpan(id) => Action::SelectSpan { id, scroll: false },
                TextAction::AddFragment(range) => Action::AddFragment(range),
            });
        }
    }

    fn modal_ui(&mut self, ui: &Ui) {
        let Some(modal) = self.modal.clone() else {
            return;
        };
        let ctx = ui.ctx();
        let mut close = false;
        match modal {
            Modal::Conflict { change } => {
                egui::Modal::new(egui::Id::unique("conflict")).show(ctx, |ui| {
                    ui.heading("The project changed on disk");
                    ui.label(change);
                    ui.label("Saving now would overwrite that version. What do you want to do?");
                    ui.horizontal(|ui| {
                        if ui
                            .button("Reload from disk")
                            .on_hover_text("Drop your unsaved changes and open the version on disk")
                            .clicked()
                        {
                            close = true;
                            self.reload();
                        }
                        if ui
                            .button("Overwrite")
                            .on_hover_text("Replace the version on disk with yours (it stays in the .bak backup)")
                            .clicked()
                        {
                            close = true;
                            self.save_overwriting();
                        }
                        if ui.button("Save As…").clicked() {
                            close = true;
                            let _saved = self.save_as_dialog();
                        }
                        if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape))
                        {
                            close = true;
                        }
                    });
                });
            }
            Modal::Recover {
                project,
                untitled,
                lines,
            } => {
                let mut restore = None;
                egui::Modal::new(egui::Id::unique("recover")).show(ctx, |ui| {
                    ui.heading("Unsaved work found");
                    ui.label(if untitled {
                        "Marginalia closed without saving a project that was never saved. \
                         These changes can be restored:"
                            .to_owned()
                    } else {
                        format!(
                            "Marginalia closed without saving {}. These changes can be restored:",
                            project.display()
                        )
                    });
                    egui::ScrollArea::vertical()
                        .max_height(240.0)
                        .show(ui, |ui| {
                            for line in &lines {
                                ui.label(line);
                            }
                        });
                    ui.horizontal(|ui| {
                        if ui.button("Restore").clicked() {
                            restore = Some(true);
                        }
                        if ui
                            .button("Discard")
                            .on_hover_text(
                                "Delete the recovered changes and keep the saved project",
                            )
                            .clicked()
                        {
                            restore = Some(false);
                        }
                    });
                });
                // Closed before acting: discarding may offer the next snapshot found.
                if let Some(restore) = restore {
                    self.modal = None;
                    self.recover(&project, untitled, restore);
                }
                return;
            }
            Modal::ForeignCorpus { project, corpus } => {
                let mut open = None;
                egui::Modal::new(egui::Id::unique("foreign corpus")).show(ctx, |ui| {
                    ui.heading("Texts from another folder");
                    ui.label(format!(
                        "This project reads its texts from {}. Open it?",
                        corpus.display()
                    ));
                    ui.weak(format!(
                        "{} names a corpus folder outside its own folder and the folder above. \
                         A project file from someone else could make Marginalia read (and \
                         export) files you did not mean to share. Your answer is remembered \
                         for this project.",
                        project.display()
                    ));
                    ui.horizontal(|ui| {
                        if ui.button("Open it").clicked() {
                            open = Some(true);
                        }
                        if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape))
                        {
                            open = Some(false);
                        }
                    });
                });
                if let Some(open) = open {
                    self.modal = None;
                    if open {
                        self.prefs.trust(&project, &corpus);
                        self.open_now(&project);
                    }
                }
                return;
            }
            Modal::Unsaved { then } => {
                let name = self
                    .workspace
                    .as_ref()
                    .map(Workspace::display_name)
                    .unwrap_or_default();
                egui::Modal::new(egui::Id::unique("unsaved")).show(ctx, |ui| {
                    ui.heading("Unsaved changes");
                    ui.label(format!("Save the changes to {name} first?"));
                    ui.horizontal(|ui| {
                        if ui.button("Save").clicked() {
                            close = true;
                            if self.save() {
                                self.continue_with(ctx, then.clone());
                            }
                        }
                        if ui.button("Discard changes").clicked() {
                            close = true;
                            if let Some(ws) = &mut self.workspace
                                && let Err(error) = ws.discard_changes()
                            {
                                self.error(&anyhow::Error::new(error));
                            }
                            self.allow_close = true;
                            self.continue_with(ctx, then.clone());
                        }
                        if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape))
                        {
                            close = true;
                        }
                    });
                });
            }
            Modal::Path { purpose, mut text } => {
                let (title, hint) = match purpose {
                    PathPurpose::Open => ("Open project", "/path/to/project.ron"),
                    PathPurpose::NewFromFolder => {
                        ("New project from folder", "/path/to/corpus folder")
                    }
                    PathPurpose::SaveAs => ("Save project as", "/path/to/project.ron"),
                    PathPurpose::Compare => (
                        "Compare with a colleague's project",
                        "/path/to/colleague.ron",
                    ),
                };
                let mut submit = false;
                egui::Modal::new(egui::Id::unique("path-prompt")).show(ctx, |ui| {
                    ui.heading(title);
                    ui.label("No file dialog could be opened here. Type the path:");
                    let response = ui.add(
                        egui::TextEdit::singleline(&mut text)
                            .id_salt("path-field")
                            .hint_text(hint)
                            .desired_width(420.0),
                    );
                    if !response.has_focus() && text.is_empty() {
                        response.request_focus();
                    }
                    submit = response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                    ui.horizontal(|ui| {
                        submit |= ui.button("OK").clicked();
                        if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape))
                        {
                            close = true;
                        }
                    });
                });
                if close {
                    self.modal = None;
                    return;
                }
                if submit && !text.trim().is_empty() {
                    let path = expand_home(text.trim());
                    self.modal = None;
                    match purpose {
                        PathPurpose::Open => self.open_now(&path),
                        PathPurpose::Compare => self.compare_now(&path),
                        PathPurpose::NewFromFolder => self.ask_annotator(path),
                        PathPurpose::SaveAs => {
                            let _saved = self.save_as(&path);
                        }
                    }
                    return;
                }
                self.modal = Some(Modal::Path { purpose, text });
                return;
            }
            Modal::Annotator { folder, mut name } => {
                let mut submit = false;
                egui::Modal::new(egui::Id::unique("annotator")).show(ctx, |ui| {
                    ui.heading("New project");
                    ui.label(format!("Corpus: {}", folder.display()));
                    let prompt = ui.label("Your name, as it will appear on your annotations:");
                    let response = ui
                        .add(
                            egui::TextEdit::singleline(&mut name)
                                .id_salt("annotator-field")
                                .hint_text("your name")
                                .desired_width(300.0),
                        )
                        .labelled_by(prompt.id);
                    submit = response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                    ui.horizontal(|ui| {
                        submit |= ui
                            .add_enabled(
                                !name.trim().is_empty(),
                                egui::Button::new("Create project"),
                            )
                            .clicked();
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                });
                if close {
                    self.modal = None;
                    return;
                }
                if submit && !name.trim().is_empty() {
                    self.modal = None;
                    self.new_project_now(&folder, name.trim());
                    return;
                }
                self.modal = Some(Modal::Annotator { folder, name });
                return;
            }
        }
        if close
            && matches!(
                self.modal,
                Some(Modal::Unsaved { .. } | Modal::Conflict { .. } | Modal::Recover { .. })
            )
        {
            self.modal = None;
        }
    }

    fn transfer_windows(&mut self, ui: &Ui, actions: &mut Vec<Action>) {
        let Self {
            export,
            import,
            workspace,
            dialogs,
            ..
        } = self;
        let mut events = Vec::new();
        if let Some(ws) = workspace {
            events.extend(export.ui(ui, ws.project(), ws.path(), dialogs.as_mut()));
        }
        events.extend(import.ui(ui, dialogs.as_mut()));
        for event in events {
            self.transfer_event(event, actions);
        }
    }

    fn transfer_event(&mut self, event: super::transfer::TransferEvent, actions: &mut Vec<Action>) {
        /// Import problems shown as notifications; the rest go to the terminal.
        const SHOWN: usize = 5;
        use super::transfer::TransferEvent;
        match event {
            TransferEvent::Exported(path, Ok(report)) => {
                self.notify(
                    Level::Info,
                    format!(
                        "Exported {} document(s), {} span(s), {} link(s) to {}",
                        report.documents,
                        report.spans,
                        report.relations,
                        path.display()
                    ),
                );
                for note in report.notes {
                    self.notify(Level::Warning, note);
                }
            }
            TransferEvent::Exported(path, Err(error)) => {
                self.notify(
                    Level::Error,
                    format!("Export to {} failed: {error}", path.display()),
                );
            }
            TransferEvent::Imported(path, report) => {
                for line in &report {
                    eprintln!("marginalia: not imported: {line}");
                }
                for line in report.iter().take(SHOWN) {
                    self.notify(Level::Warning, format!("Not imported: {line}"));
                }
                if report.len() > SHOWN {
                    self.notify(
                        Level::Warning,
                        format!(
                            "… and {} more item(s) not imported (listed on the terminal)",
                            report.len() - SHOWN
                        ),
                    );
                }
                actions.push(Action::OpenProject(path));
            }
            TransferEvent::Failed(error) => self.notify(Level::Error, error),
        }
    }

    /// Waits for a running export to finish and reports it (tests, and quitting).
    pub fn finish_export(&mut self) {
        if let Some(event) = self.export.wait() {
            let mut actions = Vec::new();
            self.transfer_event(event, &mut actions);
        }
    }

    fn labels_window(&mut self, ui: &Ui, actions: &mut Vec<Action>) {
        let Some(ws) = &self.workspace else { return };
        let mut open = self.labels_open;
        egui::Window::new("Labels")
            .open(&mut open)
            .default_width(460.0)
            .show(ui.ctx(), |ui| {
                ui.label("Each label's guideline is shown as the tooltip of its palette button.");
                ui.separator();
                actions.extend(panels::labels_ui(ui, ws.project(), &mut self.label_drafts));
            });
        self.labels_open = open;
    }

    fn toasts_ui(&mut self, ui: &Ui) {
        let now = Instant::now();
        self.toasts.retain(|t| {
            let life = match t.level {
                Level::Info => Duration::from_secs(4),
                Level::Warning => Duration::from_secs(10),
                Level::Error => Duration::from_secs(30),
            };
            now.duration_since(t.shown_at) < life
        });
        if self.toasts.is_empty() {
            return;
        }
        ui.ctx().request_repaint_after(Duration::from_millis(500));
        let mut dismissed = None;
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-12.0, -36.0))
            .order(egui::Order::Foreground)
            .show(ui.ctx(), |ui| {
                for (index, toast) in self.toasts.iter().enumerate() {
                    let color = match toast.level {
                        Level::Info => ui.visuals().text_color(),
                        Level::Warning => theme::WARNING,
                        Level::Error => theme::ERROR,
                    };
                    egui::Frame::popup(ui.style()).show(ui, |ui| {
                        ui.set_max_width(480.0);
                        ui.horizontal(|ui| {
                            ui.colored_label(color, &toast.text);
                            if ui.small_button("x").on_hover_text("Dismiss").clicked() {
                                dismissed = Some(index);
                            }
                        });
                    });
                }
            });
        if let Some(index) = dismissed {
            self.toasts.remove(index);
        }
    }

    /// Applies one action.
    pub fn apply(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::Command(command) => self.run_command(ctx, command),
            Action::OpenDocument(index) => self.show_document(index),
            Action::Edit(edit) => self.edit(edit, None),
            Action::EditMerging(edit, key) => self.edit(edit, Some(key)),
            Action::ApplyLabel(label) => self.apply_label(&label),
            Action::SelectSpan { id, .. } if self.link_from.is_some_and(|from| from != id) => {
                if let Some(from) = self.link_from.take() {
                    self.link(from, id);
                }
            }
            Action::SelectSpan { id, scroll } => {
                self.link_from = None;
                self.selected_span = Some(id);
                self.selection = None;
                self.reveal_span = !scroll;
                if scroll
                    && let Some(annotation) = self
                        .workspace
                        .as_ref()
                        .and_then(|ws| ws.project().document(self.doc)?.annotation(id))
                {
                    self.text_view.scroll_to(annotation.extent().start);
                }
            }
            Action::AddFragment(range) => self.add_fragment(range),
            Action::PlaceDetached(index) => self.place_detached(index),
            Action::CycleAttribute(name) => {
                let next = self.selected_span.and_then(|id| {
                    let project = self.workspace.as_ref()?.project();
                    let annotation = project.document(self.doc)?.annotation(id)?;
                    let def = project
                        .schema
                        .attributes_of(&annotation.label)
                        .find(|a| a.name == name)?;
                    let next = match annotation.attributes.get(&name) {
                        None => def.values.first().cloned(),
                        Some(current) => def
                            .values
                            .iter()
                            .position(|v| v == current)
                            .and_then(|i| def.values.get(i + 1))
                            .cloned(),
                    };
                    Some((id, next))
                });
                if let Some((id, value)) = next {
                    self.edit(
                        Edit::SetAttribute {
                            doc: self.doc,
                            id,
                            name,
                            value,
                        },
                        None,
                    );
                }
            }
            Action::RemoveFragment { id, index } => {
                let fragments = self
                    .workspace
                    .as_ref()
                    .and_then(|ws| ws.project().document(self.doc)?.annotation(id))
                    .map(|a| {
                        let mut fragments = a.fragments.clone();
                        if index < fragments.len() && fragments.len() > 1 {
                            fragments.remove(index);
                        }
                        fragments
                    });
                if let Some(fragments) = fragments {
                    self.edit(
                        Edit::SetFragments {
                            doc: self.doc,
                            id,
                            fragments,
                        },
                        None,
                    );
                }
            }
            Action::Select(range) => {
                self.link_from = None;
                self.selection = range;
                if range.is_some() {
                    self.selected_span = None;
                }
            }
            Action::SetNote { id, note } => {
                let edit = Edit::SetNote {
                    doc: self.doc,
                    id,
                    note,
                };
                self.edit(edit, Some(format!("note-{}", id.0)));
            }
            Action::CompareWith(path) => self.compare_now(&path),
            Action::CloseComparison => self.comparison = None,
            Action::ShowDifference(d, e) => {
                let path = self.comparison.as_mut().and_then(|c| {
                    c.current = Some((d, e));
                    c.diff.documents.get(d).map(|doc| doc.path.clone())
                });
                if let Some(path) = path {
                    self.show_current_difference(&path);
                }
            }
            Action::OpenProject(path) => self.guard(ctx, Pending::Open(path)),
            Action::NewFromFolder(path) => self.guard(ctx, Pending::NewFromFolder(path)),
            Action::ShowColleague(index) => {
                if let (Some(comparison), Some(ws)) = (&mut self.comparison, &self.workspace) {
                    comparison.show(ws.project(), index);
                }
            }
            Action::Adjudicate(policy) => self.adjudicate(policy),
            Action::Rule(ruling) => self.rule(&ruling),
            Action::StartComment(id) => self.comment_draft = Some((id, String::new())),
            Action::CancelComment => self.comment_draft = None,
            Action::AddComment { path, span, text } => self.add_comment(&path, span, &text),
        }
    }

    /// Computes the agreement of the open project and the compared ones, for the window.
    fn compute_agreement(&mut self) {
        let (Some(ws), Some(comparison)) = (&self.workspace, &self.comparison) else {
            self.agreement.report = None;
            return;
        };
        let projects = comparison.projects(ws.project());
        self.agreement.report = Some(crate::review::agreement::compare(
            &projects,
            self.agreement.by(),
        ));
    }

    /// Merges the open project and the compared ones into a new, unsaved gold project.
    fn adjudicate(&mut self, policy: crate::review::adjudicate::Policy) {
        let (Some(ws), Some(comparison)) = (&self.workspace, &self.comparison) else {
            self.notify(
                Level::Info,
                "Compare with a colleague's project first (Review > Compare with…)",
            );
            return;
        };
        if self.is_dirty() {
            self.notify(
                Level::Warning,
                "Save your project first (Ctrl+S): the gold project replaces it in the window",
            );
            return;
        }
        let projects = comparison.projects(ws.project());
        let adjudicator = ws.project().annotator.clone();
        match crate::review::adjudicate::merge(&projects, policy, &adjudicator)
            .context("cannot start the adjudication")
        {
            Ok((gold, summary)) => {
                self.set_workspace(Workspace::new_unsaved(gold));
                self.notify(
                    Level::Info,
                    format!(
                        "Gold project of {} ({} policy): {} span(s) accepted, {} place(s) to rule on. Press n for the first, then A, B, H (both) or X (neither). Save it with Ctrl+Shift+S.",
                        summary.annotators.join(", "),
                        policy.name(),
                        summary.accepted,
                        summary.disputes
                    ),
                );
            }
            Err(error) => self.error(&error),
        }
    }

    /// Rules on the current place in dispute (or the one of the selected span, or the first of
    /// the document), then moves to the next place.
    fn rule(&mut self, ruling: &crate::review::adjudicate::Ruling) {
        let Some(ws) = &self.workspace else { return };
        let project = ws.project();
        let place = self
            .place
            .clone()
            .filter(|p| {
                p.ids.iter().any(|id| {
                    project
                        .document(p.doc)
                        .and_then(|d| d.annotation(*id))
                        .is_some()
                })
            })
            .or_else(|| {
                self.selected_span
                    .and_then(|id| super::adjudication::place_of(project, self.doc, id))
            })
            .or_else(|| super::adjudication::step(project, None, self.doc, true));
        let Some(place) = place else {
            self.notify(Level::Info, "Nothing to rule on here");
            return;
        };
        let adjudicator = project.annotator.clone();
        let Some(edit) =
            crate::review::adjudicate::rule(project, place.doc, &place.ids, ruling, &adjudicator)
        else {
            return;
        };
        self.edit(edit, None);
        self.selected_span = None;
        let next = self
            .workspace
            .as_ref()
            .and_then(|ws| super::adjudication::step(ws.project(), None, place.doc, true));
        self.go_to_place(next);
    }

    /// Shows a place in dispute.
    fn go_to_place(&mut self, place: Option<super::adjudication::Place>) {
        let Some(place) = place else {
            self.place = None;
            return;
        };
        self.show_document(place.doc);
        self.place = Some(place.clone());
        let start = self.workspace.as_ref().and_then(|ws| {
            let document = ws.project().document(place.doc)?;
            place
                .ids
                .iter()
                .filter_map(|id| document.annotation(*id))
                .map(|a| a.extent().start)
                .min()
        });
        if let Some(start) = start {
            self.text_view.scroll_to(start);
        }
    }

    /// Saves a comment on the compared colleague's span.
    fn add_comment(&mut self, path: &str, span: Id, text: &str) {
        let Some(comparison) = &mut self.comparison else {
            return;
        };
        let Some(hash) = comparison
            .diff
            .documents
            .iter()
            .find(|x| x.path == path)
            .map(|x| x.hash.clone())
        else {
            return;
        };
        let Some(colleague) = comparison.others.get_mut(comparison.shown) else {
            return;
        };
        let Some(document) = colleague.project.documents.iter().find(|d| d.hash == hash) else {
            return;
        };
        let Some(annotation) = document.annotation(span) else {
            return;
        };
        let author = colleague.review.reviewer.clone();
        let comment = crate::review::comments::Comment::on(document, annotation, &author, text);
        colleague.review.comments.push(comment);
        let saved = crate::review::comments::write(&colleague.review, &colleague.path)
            .context("cannot save the review comment");
        match saved {
            Ok(()) => {
                let file = colleague.review.path.display().to_string();
                self.comment_draft = None;
                self.notify(Level::Info, format!("Comment saved in {file}"));
            }
            Err(error) => {
                colleague.review.comments.pop();
                self.error(&error);
            }
        }
    }

    fn run_command(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::NewFromFolder => self.guard(ctx, Pending::NewFromFolderDialog),
            Command::Open => self.guard(ctx, Pending::OpenDialog),
            Command::Save => {
                let _saved = self.save();
            }
            Command::SaveAs => {
                let _saved = self.save_as_dialog();
            }
            Command::Quit => self.guard(ctx, Pending::Quit),
            Command::Export => {
                if let Some(ws) = &self.workspace {
                    self.export.show_for(ws.project(), ws.path());
                }
            }
            Command::Import => {
                let annotator = if self.prefs.annotator.is_empty() {
                    crate::cli::default_annotator()
                } else {
                    self.prefs.annotator.clone()
                };
                self.import.show_for(&annotator);
            }
            Command::Undo | Command::Redo => {
                let Some(ws) = &mut self.workspace else {
                    return;
                };
                let result = if command == Command::Undo {
                    ws.undo()
                } else {
                    ws.redo()
                };
                match result {
                    Ok(true) => self.after_history_change(),
                    Ok(false) => self.notify(
                        Level::Info,
                        if command == Command::Undo {
                            "Nothing to undo"
                        } else {
                            "Nothing to redo"
                        },
                    ),
                    Err(error) => {
                        self.error(&anyhow::Error::new(error).context("cannot undo or redo"));
                    }
                }
            }
            Command::DeleteSpan => {
                if let Some(id) = self.selected_span.take() {
                    self.edit(Edit::RemoveAnnotation { doc: self.doc, id }, None);
                }
            }
            Command::ClearSelection => {
                if self.link_from.take().is_none() {
                    self.selection = None;
                    self.selected_span = None;
                }
            }
            Command::Link => {
                if let Some(id) = self.selected_span {
                    self.link_from = Some(id);
                } else {
                    self.notify(
                        Level::Info,
                        "Select a claim or a source first, then press L and click the other end",
                    );
                }
            }
            Command::EditNote => {
                if self.selected_span.is_some() {
                    self.focus_note = true;
                }
            }
            Command::EditLabels => {
                self.labels_open = true;
                self.refresh_label_drafts();
            }
            Command::NextDocument => self.show_document(self.doc + 1),
            Command::PreviousDocument => self.show_document(self.doc.saturating_sub(1)),
            Command::DoneAndNext => {
                if self.workspace.is_some() {
                    self.edit(
                        Edit::SetStatus {
                            doc: self.doc,
                            status: Status::Done,
                        },
                        None,
                    );
                    self.show_document(self.doc + 1);
                }
            }
            Command::Compare => match self
                .dialogs
                .open_file("Compare with a colleague's project", PROJECT_FILTER)
            {
                Picked::Path(path) => self.compare_now(&path),
                Picked::Cancelled => {}
                Picked::Unavailable => {
                    self.modal = Some(Modal::Path {
                        purpose: PathPurpose::Compare,
                        text: String::new(),
                    });
                }
            },
            Command::Agreement => {
                if self.comparison.is_none() {
                    self.notify(
                        Level::Info,
                        "Compare with a colleague's project first (Review > Compare with…)",
                    );
                } else {
                    self.compute_agreement();
                    self.agreement.open = true;
                }
            }
            Command::KeepA | Command::KeepB | Command::KeepBoth | Command::KeepNeither => {
                use crate::review::adjudicate::Ruling;
                let Some(ws) = &self.workspace else { return };
                if !super::adjudication::is_gold(ws.project()) {
                    return;
                }
                let names = super::adjudication::annotators(ws.project());
                let ruling = match command {
                    Command::KeepA => names.first().cloned().map(Ruling::Side),
                    Command::KeepB => names.get(1).cloned().map(Ruling::Side),
                    Command::KeepBoth => Some(Ruling::All),
                    _ => Some(Ruling::Neither),
                };
                if let Some(ruling) = ruling {
                    self.rule(&ruling);
                }
            }
            Command::NextDifference | Command::PreviousDifference
                if self.comparison.is_none()
                    && self
                        .workspace
                        .as_ref()
                        .is_some_and(|ws| super::adjudication::is_gold(ws.project())) =>
            {
                let forward = command == Command::NextDifference;
                let next = self.workspace.as_ref().and_then(|ws| {
                    super::adjudication::step(ws.project(), self.place.as_ref(), self.doc, forward)
                });
                if next.is_none() {
                    self.notify(Level::Info, "Nothing left to rule on: every span is gold");
                }
                self.go_to_place(next);
            }
            Command::NextDifference | Command::PreviousDifference => {
                let forward = command == Command::NextDifference;
                match self.comparison.as_mut().map(|c| c.step(forward)) {
                    Some(Some(path)) => self.show_current_difference(&path),
                    Some(None) => {
                        self.notify(Level::Info, "No difference: you agree on everything");
                    }
                    None => self.notify(
                        Level::Info,
                        "Compare with a colleague's project first (Review > Compare with…)",
                    ),
                }
            }
            Command::ToggleTheme => {
                let dark = ctx.theme() != egui::Theme::Dark;
                self.prefs.dark_mode = Some(dark);
                ctx.set_theme(if dark {
                    egui::Theme::Dark
                } else {
                    egui::Theme::Light
                });
            }
        }
    }

    /// Links the span `a` to the span `b` with the first relation type of the schema that allows
    /// their labels, in either direction (a claim to its source, whichever was picked first).
    fn link(&mut self, a: Id, b: Id) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let Some(document) = ws.project().document(self.doc) else {
            return;
        };
        let (Some(first), Some(second)) = (document.annotation(a), document.annotation(b)) else {
            return;
        };
        let schema = &ws.project().schema;
        let found = schema
            .relations
            .iter()
            .find_map(|r| {
                r.allows(&first.label, &second.label)
                    .then(|| (r.name.clone(), a, b))
            })
            .or_else(|| {
                schema.relations.iter().find_map(|r| {
                    r.allows(&second.label, &first.label)
                        .then(|| (r.name.clone(), b, a))
                })
            });
        let Some((kind, from, to)) = found else {
            let message = format!(
                "No relation type links a {} to a {}: see the schema",
                first.label, second.label
            );
            self.notify(Level::Warning, message);
            return;
        };
        if document
            .relations
            .iter()
            .any(|r| r.kind == kind && r.from == from && r.to == to)
        {
            self.notify(Level::Info, "These spans are already linked");
            return;
        }
        let relation = crate::model::Relation {
            id: ws.allocate_id(),
            kind,
            from,
            to,
            annotator: ws.project().annotator.clone(),
            created: Timestamp::now(),
        };
        self.edit(
            Edit::AddRelation {
                doc: self.doc,
                relation,
            },
            None,
        );
        self.selected_span = Some(a);
    }

    /// Adds `range` (trimmed) to the selected span's fragments, merging overlapping ones.
    fn add_fragment(&mut self, range: ByteRange) {
        let Some(id) = self.selected_span else { return };
        let Some(document) = self
            .workspace
            .as_ref()
            .and_then(|ws| ws.project().document(self.doc))
        else {
            return;
        };
        let (Some(annotation), Some(range)) =
            (document.annotation(id), trim_range(&document.text, range))
        else {
            return;
        };
        let mut fragments = annotation.fragments.clone();
        fragments.push(range);
        fragments.sort();
        let mut merged: Vec<ByteRange> = Vec::with_capacity(fragments.len());
        for fragment in fragments {
            match merged.last_mut() {
                Some(last) if fragment.start <= last.end => last.end = last.end.max(fragment.end),
                _ => merged.push(fragment),
            }
        }
        self.edit(
            Edit::SetFragments {
                doc: self.doc,
                id,
                fragments: merged,
            },
            None,
        );
    }

    fn show_document(&mut self, index: usize) {
        let Some(ws) = &self.workspace else { return };
        if index < ws.project().documents.len() && index != self.doc {
            self.doc = index;
            self.selection = None;
            self.selected_span = None;
        }
    }

    fn edit(&mut self, edit: Edit, merge: Option<String>) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let description = edit.describe();
        let result = match merge {
            Some(key) => ws.apply_merging(edit, MergeKey(key)),
            None => ws.apply(edit),
        };
        match result {
            Ok(()) => self.after_history_change(),
            Err(error) => {
                self.error(&anyhow::Error::new(error).context(format!("cannot {description}")));
            }
        }
    }

    /// Opens a colleague's project and compares it with the open one.
    fn compare_now(&mut self, path: &Path) {
        let Some(ws) = &self.workspace else { return };
        match Workspace::open(path)
            .with_context(|| format!("cannot compare with {}", path.display()))
        {
            Ok(other) => {
                let reviewer = ws.project().annotator.clone();
                let other_path = other.path().map_or_else(|| path.to_owned(), Path::to_owned);
                if let Some(comparison) = &mut self.comparison {
                    comparison.add(ws.project(), other.project().clone(), other_path, &reviewer);
                    let names: Vec<String> = comparison
                        .others
                        .iter()
                        .map(|c| c.project.annotator.clone())
                        .collect();
                    let text = format!(
                        "Comparing with {}: {} difference(s) with {}. Agreement… covers everyone.",
                        names.join(", "),
                        comparison.diff.differences(),
                        comparison.name
                    );
                    self.notify(Level::Info, text);
                    return;
                }
                let mut comparison = super::review::Comparison::new(
                    ws.project(),
                    other.project().clone(),
                    other_path,
                    &reviewer,
                );
                let (shared, differences) = (
                    comparison.diff.documents.len(),
                    comparison.diff.differences(),
                );
                if shared == 0 {
                    self.notify(Level::Warning, format!("{} shares no document with this project (documents are matched by content)", path.display()));
                    return;
                }
                let name = comparison.name.clone();
                comparison.current = None;
                self.comparison = Some(comparison);
                self.notify(Level::Info, format!("Comparing with {name}: {differences} difference(s) in {shared} document(s). Press n for the first."));
            }
            Err(error) => self.error(&error),
        }
    }

    /// Shows the document of the comparison's current difference and scrolls to it.
    fn show_current_difference(&mut self, path: &str) {
        let Some(index) = self
            .workspace
            .as_ref()
            .and_then(|ws| ws.project().documents.iter().position(|d| d.path == path))
        else {
            return;
        };
        self.show_document(index);
        let Some(ws) = &self.workspace else { return };
        let start = ws
            .project()
            .document(index)
            .and_then(|d| self.comparison.as_ref()?.current_ranges(d).first().copied())
            .map(|r| r.start);
        if let Some(start) = start {
            self.text_view.scroll_to(start);
        }
    }

    fn after_history_change(&mut self) {
        if let (Some(comparison), Some(ws)) = (&mut self.comparison, &self.workspace) {
            comparison.refresh(ws.project());
        }
        let Some(ws) = &self.workspace else { return };
        let Some(document) = ws.project().document(self.doc) else {
            return;
        };
        if let Some(id) = self.selected_span
            && document.annotation(id).is_none()
        {
            self.selected_span = None;
        }
        self.refresh_label_drafts();
    }

    fn refresh_label_drafts(&mut self) {
        if let Some(ws) = &self.workspace {
            self.label_drafts = ws
                .project()
                .schema
                .labels
                .iter()
                .map(|l| (l.name.clone(), l.key.clone()))
                .collect();
        }
    }

    fn apply_label(&mut self, label: &str) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let doc = self.doc;
        let Some(document) = ws.project().document(doc) else {
            return;
        };
        if let Some(selection) = self.selection {
            let Some(range) = trim_range(&document.text, selection) else {
                self.notify(Level::Info, "The selection holds only white space");
                return;
            };
            let id = ws.allocate_id();
            let annotation = Annotation {
                id,
                label: label.to_owned(),
                fragments: vec![range],
                annotator: ws.project().annotator.clone(),
                note: String::new(),
                created: Timestamp::now(),
                attributes: std::collections::BTreeMap::new(),
                // In a gold project, a span the adjudicator draws is gold, theirs.
                provenance: super::adjudication::is_gold(ws.project()).then(|| {
                    crate::model::Provenance {
                        annotators: Vec::new(),
                        adjudicator: Some(ws.project().annotator.clone()),
                        unresolved: false,
                    }
                }),
            };
            self.edit(Edit::AddAnnotation { doc, annotation }, None);
            self.select_if_made(doc, id);
        } else if let Some(id) = self.selected_span {
            if document.annotation(id).is_some_and(|a| a.label != label) {
                self.edit(
                    Edit::SetLabel {
                        doc,
                        id,
                        label: label.to_owned(),
                    },
                    None,
                );
            }
        } else {
            self.notify(Level::Info, "Select some text first (drag, or double-click a word), or click a span to relabel it");
        }
    }

    /// Selects span `id` of document `doc` once an edit made it (and drops the text selection
    /// it was made from); nothing when the edit was refused.
    fn select_if_made(&mut self, doc: usize, id: Id) {
        if self
            .workspace
            .as_ref()
            .and_then(|ws| ws.project().document(doc)?.annotation(id))
            .is_some()
        {
            self.selection = None;
            self.selected_span = Some(id);
            self.reveal_span = true;
        }
    }

    /// Places detached span `index` of the document on the text selection.
    fn place_detached(&mut self, index: usize) {
        let Some(ws) = &self.workspace else {
            return;
        };
        let doc = self.doc;
        let Some(document) = ws.project().document(doc) else {
            return;
        };
        let (Some(selection), Some(span)) = (self.selection, document.detached.get(index)) else {
            self.notify(
                Level::Info,
                "Select where the span belongs in the text first, then Place here",
            );
            return;
        };
        let Some(fragments) = crate::anchor::placement_in(span, &document.text, selection) else {
            self.notify(Level::Info, "The selection holds only white space");
            return;
        };
        let id = span.annotation.id;
        self.edit(
            Edit::PlaceDetached {
                doc,
                index,
                fragments,
            },
            None,
        );
        self.select_if_made(doc, id);
    }

    /// Runs `next`, asking first when it would lose unsaved changes.
    fn guard(&mut self, ctx: &egui::Context, next: Pending) {
        // Every pending step replaces or closes the project.
        if self.is_dirty() && !self.allow_close {
            self.modal = Some(Modal::Unsaved { then: next });
        } else {
            self.continue_with(ctx, next);
        }
    }

    fn continue_with(&mut self, ctx: &egui::Context, next: Pending) {
        match next {
            Pending::OpenDialog => match self.dialogs.open_file("Open project", PROJECT_FILTER) {
                Picked::Path(path) => self.open_now(&path),
                Picked::Cancelled => {}
                Picked::Unavailable => {
                    self.modal = Some(Modal::Path {
                        purpose: PathPurpose::Open,
                        text: String::new(),
                    });
                }
            },
            Pending::Open(path) => self.open_now(&path),
            Pending::NewFromFolderDialog => match self
                .dialogs
                .pick_folder("New project: choose the corpus folder")
            {
                Picked::Path(path) => self.ask_annotator(path),
                Picked::Cancelled => {}
                Picked::Unavailable => {
                    self.modal = Some(Modal::Path {
                        purpose: PathPurpose::NewFromFolder,
                        text: String::new(),
                    });
                }
            },
            Pending::NewFromFolder(path) => self.ask_annotator(path),
            Pending::Quit => {
                self.allow_close = true;
                self.quit_requested = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
        // Once the step ran, later closes ask again.
        if !self.quit_requested {
            self.allow_close = false;
        }
    }

    fn ask_annotator(&mut self, folder: PathBuf) {
        let name = if self.prefs.annotator.is_empty() {
            crate::cli::default_annotator()
        } else {
            self.prefs.annotator.clone()
        };
        self.modal = Some(Modal::Annotator { folder, name });
    }

    fn new_project_now(&mut self, folder: &Path, annotator: &str) {
        if self.loading.is_some() {
            self.notify(Level::Info, "A corpus folder is already being read");
            return;
        }
        let bytes: u64 = crate::corpus::list_texts(folder)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| std::fs::metadata(folder.join(p)).ok())
            .map(|m| m.len())
            .sum();
        if bytes > BACKGROUND_BYTES {
            let progress = std::sync::Arc::new(crate::corpus::Progress::default());
            let (root, shared) = (folder.to_owned(), progress.clone());
            let spawned = std::thread::Builder::new()
                .name("corpus".to_owned())
                .spawn(move || crate::corpus::read_folder_with(&root, &shared));
            match spawned {
                Ok(thread) => {
                    self.loading = Some(Loading {
                        folder: folder.to_owned(),
                        annotator: annotator.to_owned(),
                        progress,
                        thread,
                    });
                    return;
                }
                Err(error) => {
                    let error =
                        anyhow::Error::new(error).context("cannot start reading the folder");
                    self.error(&error);
                    return;
                }
            }
        }
        self.new_project_done(folder, annotator, Workspace::from_folder(folder, annotator));
    }

    /// The progress window of a folder read in the background; takes the project when it is read.
    fn loading_ui(&mut self, ctx: &egui::Context) {
        let Some(loading) = &self.loading else { return };
        if loading.thread.is_finished() {
            let Some(loading) = self.loading.take() else {
                return;
            };
            let result = match loading.thread.join() {
                Ok(Ok(documents)) => Ok(Workspace::from_documents(
                    &loading.folder,
                    &loading.annotator,
                    documents,
                )),
                Ok(Err(crate::corpus::CorpusError::Cancelled)) => {
                    self.notify(Level::Info, "Opening the folder was cancelled");
                    return;
                }
                Ok(Err(error)) => Err(error),
                Err(_) => {
                    self.notify(Level::Error, "Reading the folder failed unexpectedly");
                    return;
                }
            };
            self.new_project_done(&loading.folder, &loading.annotator, result);
            return;
        }
        let progress = &loading.progress;
        let (done, total) = (
            progress
                .files_done
                .load(std::sync::atomic::Ordering::Relaxed),
            progress
                .files_total
                .load(std::sync::atomic::Ordering::Relaxed),
        );
        let mb = |b: u64| b as f64 / f64::from(1u32 << 20);
        let (bytes_done, bytes_total) = (
            progress
                .bytes_done
                .load(std::sync::atomic::Ordering::Relaxed),
            progress
                .bytes_total
                .load(std::sync::atomic::Ordering::Relaxed),
        );
        let mut cancel = false;
        egui::Window::new("Opening the corpus")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
            .show(ctx, |ui| {
                ui.label(loading.folder.display().to_string());
                ui.add(
                    egui::ProgressBar::new(progress.fraction())
                        .show_percentage()
                        .desired_width(360.0),
                );
                ui.label(format!(
                    "{done} of {total} files, {:.0} of {:.0} MB",
                    mb(bytes_done),
                    mb(bytes_total)
                ));
                if ui.button("Cancel").clicked() {
                    cancel = true;
                }
            });
        if cancel {
            progress.cancel();
        }
        ctx.request_repaint_after(std::time::Duration::from_millis(50));
    }

    fn new_project_done(
        &mut self,
        folder: &Path,
        annotator: &str,
        result: Result<Workspace, crate::corpus::CorpusError>,
    ) {
        match result
            .with_context(|| format!("cannot start a project on {}", folder.display()))
            .with_context(|| format!("cannot start a project on {}", folder.display()))
        {
            Ok(ws) => {
                annotator.clone_into(&mut self.prefs.annotator);
                let warnings: Vec<String> = ws.problems().iter().map(ToString::to_string).collect();
                let count = ws.project().documents.len();
                self.set_workspace(ws);
                self.notify(
                    Level::Info,
                    format!("New project with {count} document(s). Save it with Ctrl+S."),
                );
                for warning in warnings {
                    self.notify(Level::Warning, warning);
                }
            }
            Err(error) => self.error(&error),
        }
    }

    fn open_now(&mut self, path: &Path) {
        let opened = Workspace::open_confirming(path, |corpus| self.prefs.trusts(path, corpus));
        let opened = match opened {
            Err(crate::file::LoadError::CorpusOutside { path, corpus }) => {
                // A project file from elsewhere names a corpus folder elsewhere: nothing is read
                // before the user says so.
                self.modal = Some(Modal::ForeignCorpus {
                    project: path,
                    corpus,
                });
                return;
            }
            other => other,
        };
        // Read once the project is open: a corpus elsewhere is read only once the user agreed.
        let recovered = recovery_lines(&self.prefs, path).unwrap_or_else(|warning| {
            self.notify(Level::Warning, warning);
            None
        });
        match opened.with_context(|| format!("cannot open {}", path.display())) {
            Ok(ws) => {
                if let Some(lines) = recovered {
                    self.modal = Some(Modal::Recover {
                        project: path.to_owned(),
                        untitled: false,
                        lines,
                    });
                }
                self.prefs.remember(path);
                let problems: Vec<(Severity, String)> = ws
                    .problems()
                    .iter()
                    .map(|p| (p.severity(), p.to_string()))
                    .collect();
                self.set_workspace(ws);
                for (severity, text) in problems {
                    self.notify(
                        if severity == Severity::Error {
                            Level::Error
                        } else {
                            Level::Warning
                        },
                        text,
                    );
                }
            }
            Err(error) => self.error(&error),
        }
    }

    fn set_workspace(&mut self, ws: Workspace) {
        self.reviews.clear();
        if let Some(path) = ws.path() {
            let (reviews, errors) = crate::review::comments::read_all(path);
            self.reviews = reviews;
            for error in errors {
                self.error(&anyhow::Error::new(error));
            }
            let count: usize = self.reviews.iter().map(|r| r.comments.len()).sum();
            if count > 0 {
                let names: Vec<&str> = self.reviews.iter().map(|r| r.reviewer.as_str()).collect();
                let text = format!(
                    "{count} review comment(s) from {} on your spans: see Review comments beside the text",
                    names.join(", ")
                );
                self.notify(Level::Info, text);
            }
        }
        self.workspace = Some(ws);
        self.stats_generation += 1;
        self.comparison = None;
        self.agreement = super::adjudication::AgreementView::default();
        self.place = None;
        self.comment_draft = None;
        self.doc = 0;
        self.selection = None;
        self.selected_span = None;
        self.text_view = TextView::default();
        self.refresh_label_drafts();
    }

    /// Saves; returns true when the project is saved.
    fn save(&mut self) -> bool {
        let Some(ws) = &mut self.workspace else {
            return false;
        };
        match ws.save() {
            Ok(true) => {
                let name = ws.display_name();
                self.notify(Level::Info, format!("Saved {name}"));
                true
            }
            Ok(false) => self.save_as_dialog(),
            Err(crate::workspace::WorkspaceSaveError::Conflict(conflict)) => {
                self.modal = Some(Modal::Conflict {
                    change: conflict.to_string(),
                });
                false
            }
            Err(error) => {
                self.error(&anyhow::Error::new(error));
                false
            }
        }
    }

    /// Saves over a project file that changed on disk (the user chose to).
    fn save_overwriting(&mut self) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        match ws.save_overwriting() {
            Ok(_) => {
                let name = ws.display_name();
                self.notify(
                    Level::Info,
                    format!("Saved {name} over the version on disk"),
                );
            }
            Err(error) => self.error(&anyhow::Error::new(error)),
        }
    }

    /// Re-reads the project from disk, dropping unsaved changes (the user chose to).
    fn reload(&mut self) {
        let Some(path) = self
            .workspace
            .as_ref()
            .and_then(|ws| ws.path().map(Path::to_owned))
        else {
            return;
        };
        let doc = self.doc;
        if let Some(ws) = &mut self.workspace {
            let _ = ws.remove_recovery();
        }
        self.allow_close = true;
        self.open_now(&path);
        self.allow_close = false;
        self.show_document(doc);
    }

    /// Restores (or discards) the recovery snapshot of the project at `project` (`untitled`:
    /// the snapshot file of a project never saved).
    fn recover(&mut self, project: &Path, untitled: bool, restore: bool) {
        let found = if untitled {
            crate::recovery::read_file(project).map(Some)
        } else {
            crate::recovery::find(project)
        }
        .context("cannot read the recovered changes");
        let recovery = match found {
            Ok(Some(recovery)) => recovery,
            Ok(None) => return,
            Err(error) => return self.error(&error),
        };
        if !restore {
            if let Err(error) = recovery
                .discard()
                .context("cannot delete the recovered changes")
            {
                self.error(&error);
            }
            // The next snapshot left by an earlier session, if any.
            if self.modal.is_none() {
                self.offer_untitled_recovery();
            }
            return;
        }
        match recovery
            .restore_despite_corpus_changes()
            .context("cannot restore the recovered changes")
        {
            Ok(ws) => {
                self.set_workspace(ws);
                self.notify(
                    Level::Info,
                    "Changes restored. They are not saved yet: save (Ctrl+S) to keep them.",
                );
            }
            Err(error) => self.error(&error),
        }
    }

    /// Every few seconds, unsaved changes of a saved project go to its recovery file.
    fn autosave(&mut self, ctx: &egui::Context) {
        const EVERY: f64 = 3.0;
        let Some(ws) = &mut self.workspace else {
            return;
        };
        if !ws.is_dirty() || self.modal.is_some() {
            return;
        }
        // A project never saved goes to the data folder, or nowhere when there is none.
        let untitled = match (ws.path(), &self.recovery_dir) {
            (Some(_), dir) => dir.clone().unwrap_or_else(std::env::temp_dir),
            (None, Some(dir)) => dir.clone(),
            (None, None) => return,
        };
        ctx.request_repaint_after(std::time::Duration::from_secs_f64(EVERY));
        let now = ctx.input(|i| i.time);
        if now - self.last_recovery < EVERY {
            return;
        }
        self.last_recovery = now;
        if let Err(error) = ws.write_recovery_in_background(&untitled) {
            let error = anyhow::Error::new(error).context("cannot write the recovery file");
            self.error(&error);
        }
    }

    fn save_as_dialog(&mut self) -> bool {
        let Some(ws) = &self.workspace else {
            return false;
        };
        let suggested = ws.path().and_then(Path::file_name).map_or_else(
            || "project.ron".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        match self
            .dialogs
            .save_file("Save project as", &suggested, PROJECT_FILTER)
        {
            Picked::Path(path) => self.save_as(&path),
            Picked::Cancelled => false,
            Picked::Unavailable => {
                let text = ws
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                self.modal = Some(Modal::Path {
                    purpose: PathPurpose::SaveAs,
                    text,
                });
                false
            }
        }
    }

    fn save_as(&mut self, path: &Path) -> bool {
        let path = if path.extension().is_none() {
            path.with_extension("ron")
        } else {
            path.to_owned()
        };
        let Some(ws) = &mut self.workspace else {
            return false;
        };
        match ws.save_as(&path) {
            Ok(()) => {
                self.prefs.remember(&path);
                self.notify(Level::Info, format!("Saved {}", path.display()));
                true
            }
            Err(error) => {
                self.error(&anyhow::Error::new(error));
                false
            }
        }
    }
}

fn modifier_count(modifiers: egui::Modifiers) -> usize {
    [
        modifiers.alt,
        modifiers.ctrl || modifiers.command || modifiers.mac_cmd,
        modifiers.shift,
    ]
    .into_iter()
    .filter(|m| *m)
    .count()
}

fn expand_home(text: &str) -> PathBuf {
    match (text.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(text),
    }
}
