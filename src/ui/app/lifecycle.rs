//! The life of a project in the window: new, open, save, reload, autosave, loading (the
//! unsaved work of an earlier session: `recovering`).

use super::MarginaliaApp;
use super::modals::{Modal, PathPurpose, Pending};
use super::notifications::Level;
use super::recovering::recovery_lines;
use crate::file::Severity;
use crate::ui::dialogs::{PROJECT_FILTER, Picked};
use crate::ui::text_view::TextView;
use crate::workspace::Workspace;
use anyhow::Context as _;
use std::path::{Path, PathBuf};

/// A corpus folder being read on another thread for a new project.
pub(super) struct Loading {
    pub(super) folder: PathBuf,
    pub(super) annotator: String,
    pub(super) progress: std::sync::Arc<crate::corpus::Progress>,
    pub(super) thread:
        std::thread::JoinHandle<Result<crate::corpus::Folder, crate::corpus::CorpusError>>,
}

/// Where Save As proposes to save `ws`: the project's folder, or for a project never saved the
/// folder above its corpus (projects sit beside their corpus), and `<annotator>.ron`.
pub(super) fn proposed_save_as(ws: &Workspace) -> (PathBuf, String) {
    let project = ws.project();
    let folder = ws.path().and_then(Path::parent).map_or_else(
        || {
            let corpus = crate::file::absolute(&project.corpus_root);
            corpus.parent().map_or(corpus.clone(), Path::to_owned)
        },
        Path::to_owned,
    );
    // A name that is a file name on every system.
    let stem: String = project
        .annotator
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let stem = stem.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let stem = if stem.is_empty() { "project" } else { stem };
    (folder, format!("{stem}.ron"))
}

/// Folders larger than this are read on another thread, with a progress bar; smaller ones take
/// a few tens of milliseconds and are read at once.
pub(super) const BACKGROUND_BYTES: u64 = 16 << 20;

impl MarginaliaApp {
    /// Runs `next`, asking first when it would lose unsaved changes.
    pub(super) fn guard(&mut self, ctx: &egui::Context, next: Pending) {
        // Every pending step replaces or closes the project.
        if self.is_dirty() && !self.allow_close {
            self.modal = Some(Modal::Unsaved { then: next });
        } else {
            self.continue_with(ctx, next);
        }
    }

    pub(super) fn continue_with(&mut self, ctx: &egui::Context, next: Pending) {
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
            Pending::OpenThenCompare(first, second) => {
                self.open_now(&first);
                let opened = self
                    .workspace
                    .as_ref()
                    .and_then(Workspace::path)
                    .map(Path::to_owned);
                if opened.as_deref() == Some(crate::file::absolute(&first).as_path()) {
                    self.comparison = None;
                    self.compare_now(&second);
                }
            }
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

    pub(super) fn ask_annotator(&mut self, folder: PathBuf) {
        let name = crate::workspace::annotator_or_default(&self.prefs.annotator);
        self.modal = Some(Modal::Annotator { folder, name });
    }

    pub(super) fn new_project_now(&mut self, folder: &Path, annotator: &str) {
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
    pub(super) fn loading_ui(&mut self, ctx: &egui::Context) {
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

    pub(super) fn new_project_done(
        &mut self,
        folder: &Path,
        annotator: &str,
        result: Result<Workspace, crate::corpus::CorpusError>,
    ) {
        match result.with_context(|| format!("cannot start a project on {}", folder.display())) {
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
            Err(error) => self.open_error(&error),
        }
    }

    pub(super) fn open_now(&mut self, path: &Path) {
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
        match opened {
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
            // It names the file already.
            Err(error @ crate::file::LoadError::NotAProject { .. }) => {
                self.open_error(&anyhow::Error::new(error));
            }
            Err(error) => {
                let error =
                    anyhow::Error::new(error).context(format!("cannot open {}", path.display()));
                self.open_error(&error);
            }
        }
    }

    pub(super) fn set_workspace(&mut self, ws: Workspace) {
        self.clear_open_errors();
        self.reviews.clear();
        self.assignment = ws
            .path()
            .and_then(|path| crate::ui::team::assignment_of(path, ws.project()));
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
        // Where the user left this project, or the top of its first document: never the scroll
        // offset of the project shown before.
        let (doc, offset) = ws
            .path()
            .and_then(|path| self.prefs.position(path))
            .and_then(|p| {
                let doc = ws
                    .project()
                    .documents
                    .iter()
                    .position(|d| d.path == p.document)?;
                Some((doc, p.offset))
            })
            .unwrap_or((0, 0));
        self.workspace = Some(ws);
        self.stats_generation += 1;
        self.comparison = None;
        self.agreement = crate::ui::adjudication::AgreementView::default();
        self.place = None;
        self.comment_draft = None;
        self.doc = doc;
        self.selection = None;
        self.selected_span = None;
        self.text_view = TextView::default();
        self.text_view.scroll_to(offset);
        self.refresh_label_drafts();
    }

    /// Remembers where the user is in a saved project (in the preferences), once the text view
    /// has shown the current document.
    pub(super) fn note_position(&mut self) {
        let Some(ws) = &self.workspace else { return };
        let Some(path) = ws.path() else { return };
        let Some(document) = ws.project().document(self.doc) else {
            return;
        };
        if let Some(offset) = self.text_view.reading_offset(document) {
            self.prefs.note_position(path, &document.path, offset);
        }
    }

    /// Saves; returns true when the project is saved.
    pub(super) fn save(&mut self) -> bool {
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
    pub(super) fn save_overwriting(&mut self) {
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
    pub(super) fn reload(&mut self) {
        let Some(path) = self
            .workspace
            .as_ref()
            .and_then(|ws| ws.path().map(Path::to_owned))
        else {
            return;
        };
        let doc = self.doc;
        if let Some(ws) = &mut self.workspace
            && let Err(error) = ws.remove_recovery()
        {
            let error = anyhow::Error::new(error).context("cannot delete the unsaved changes");
            self.error(&error);
        }
        self.allow_close = true;
        self.open_now(&path);
        self.allow_close = false;
        self.show_document(doc);
    }

    /// Every few seconds, unsaved changes of a saved project go to its recovery file.
    pub(super) fn autosave(&mut self, ctx: &egui::Context) {
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

    pub(super) fn save_as_dialog(&mut self) -> bool {
        let Some(ws) = &self.workspace else {
            return false;
        };
        let (folder, name) = proposed_save_as(ws);
        match self
            .dialogs
            .save_file("Save project as", Some(&folder), &name, PROJECT_FILTER)
        {
            Picked::Path(path) => self.save_as(&path),
            Picked::Cancelled => false,
            Picked::Unavailable => {
                self.modal = Some(Modal::Path {
                    purpose: PathPurpose::SaveAs,
                    text: folder.join(name).display().to_string(),
                });
                false
            }
        }
    }

    pub(super) fn save_as(&mut self, path: &Path) -> bool {
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
