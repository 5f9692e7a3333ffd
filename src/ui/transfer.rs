//! File → Export…, File → Import… and File → New project from file…: the windows, and the
//! exports and imports running in the background.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use egui::Ui;

use super::dialogs::{FileDialogs, PROJECT_FILTER, Picked};
use crate::formats::{self, ExportOptions, ExportReport, Format, FormatError, OverlapPolicy};
use crate::model::Project;

/// What the transfer windows report to the app.
#[derive(Debug)]
pub enum TransferEvent {
    /// An export finished.
    Exported(PathBuf, Result<ExportReport, String>),
    /// An import wrote a new project: open it. The report says what was read another way and
    /// what could not be mapped.
    Imported(PathBuf, formats::ImportReport),
    /// Something failed before anything ran.
    Failed(String),
}

struct ExportJob {
    out: PathBuf,
    done: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
    handle: JoinHandle<Result<ExportReport, FormatError>>,
}

/// The export window.
pub struct ExportDialog {
    /// Shown.
    pub open: bool,
    format: Format,
    only_done: bool,
    boilerplate: bool,
    include_unresolved: bool,
    text_without_boilerplate: bool,
    overlap: OverlapPolicy,
    labels: BTreeMap<String, bool>,
    path: String,
    job: Option<ExportJob>,
}

impl Default for ExportDialog {
    fn default() -> Self {
        Self {
            open: false,
            format: Format::Jsonl,
            only_done: false,
            boilerplate: true,
            include_unresolved: false,
            text_without_boilerplate: false,
            overlap: OverlapPolicy::default(),
            labels: BTreeMap::new(),
            path: String::new(),
            job: None,
        }
    }
}

fn default_target(project_path: Option<&Path>, format: Format) -> String {
    let dir = project_path
        .and_then(Path::parent)
        .map(Path::to_owned)
        .unwrap_or_default();
    let stem = project_path
        .and_then(Path::file_stem)
        .map_or_else(|| "export".to_owned(), |s| s.to_string_lossy().into_owned());
    let name = if format.writes_folder() {
        format!("{stem}-{}", format.name())
    } else {
        format!("{stem}.{}", format.extension())
    };
    dir.join(name).display().to_string()
}

impl ExportDialog {
    /// Opens the window with the project's labels.
    pub fn show_for(&mut self, project: &Project, project_path: Option<&Path>) {
        self.open = true;
        self.labels = project
            .schema
            .labels
            .iter()
            .map(|l| {
                (
                    l.name.clone(),
                    self.labels.get(&l.name).copied().unwrap_or(true),
                )
            })
            .collect();
        if self.path.is_empty() {
            self.path = default_target(project_path, self.format);
        }
    }

    /// True while an export runs.
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    /// Draws the window; returns an event when an export ends.
    pub fn ui(
        &mut self,
        ui: &Ui,
        project: &Project,
        project_path: Option<&Path>,
        dialogs: &mut dyn FileDialogs,
    ) -> Option<TransferEvent> {
        let finished = self.poll();
        if !self.open {
            return finished;
        }
        let mut event = finished;
        let mut open = self.open;
        egui::Window::new("Export").open(&mut open).default_width(420.0).show(ui.ctx(), |ui| {
            let running = self.job.is_some();
            ui.add_enabled_ui(!running, |ui| {
                ui.horizontal(|ui| {
                    let name = ui.label("Format:");
                    let before = self.format;
                    egui::ComboBox::from_id_salt("export-format")
                        .selected_text(self.format.name())
                        .show_ui(ui, |ui| {
                            for format in Format::ALL {
                                ui.selectable_value(&mut self.format, format, format.name());
                            }
                        })
                        .response
                        .labelled_by(name.id);
                    if before != self.format {
                        self.path = default_target(project_path, self.format);
                    }
                });
                ui.label(explain(self.format)).on_hover_text("Offsets count Unicode code points of the raw text (BOM and CR included), half-open.");
                ui.checkbox(&mut self.only_done, "Only documents marked done");
                ui.checkbox(&mut self.boilerplate, "Include boilerplate spans");
                // A gold project's candidates in dispute stay out of a dataset unless asked for.
                let unresolved = project.documents.iter().flat_map(|d| &d.annotations).filter(|a| a.is_unresolved()).count();
                if unresolved > 0 {
                    let marked = if matches!(self.format, Format::Jsonl | Format::Csv) { "marked as unresolved" } else { "as ordinary spans: this format cannot mark them" };
                    ui.checkbox(&mut self.include_unresolved, format!("Include the {unresolved} unresolved candidate span(s) ({marked})"))
                        .on_hover_text("Spans the annotators disagree on and nobody has ruled on yet (Review → Adjudicate). Left out, a training set holds no side of a dispute.");
                }
                if self.format == Format::Jsonl {
                    ui.checkbox(&mut self.text_without_boilerplate, "Cut boilerplate out of the text (re-offset the other spans)");
                }
                if self.format == Format::Conll {
                    ui.horizontal(|ui| {
                        ui.label("Overlapping spans:");
                        ui.radio_value(&mut self.overlap, OverlapPolicy::ColumnPerLabel, "one column a label");
                        ui.radio_value(&mut self.overlap, OverlapPolicy::Priority, "schema order wins");
                    });
                }
                ui.horizontal_wrapped(|ui| {
                    ui.label("Labels:");
                    for (label, on) in &mut self.labels {
                        ui.checkbox(on, label.as_str());
                    }
                });
                ui.horizontal(|ui| {
                    let name = ui.label(if self.format.writes_folder() { "Folder:" } else { "File:" });
                    ui.add(egui::TextEdit::singleline(&mut self.path).id_salt("export-path").desired_width(260.0)).labelled_by(name.id);
                    if ui.button("Browse…").clicked() {
                        let picked = if self.format.writes_folder() {
                            dialogs.pick_folder("Export into folder")
                        } else {
                            let suggested = Path::new(&self.path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                            let folder = Path::new(&self.path).parent().filter(|p| p.is_dir());
                            dialogs.save_file("Export to", folder, &suggested, None)
                        };
                        match picked {
                            Picked::Path(path) => self.path = path.display().to_string(),
                            Picked::Cancelled => {}
                            Picked::Unavailable => event = Some(TransferEvent::Failed("No file dialog can open here: type the path in the field.".to_owned())),
                        }
                    }
                });
                if ui.button("Export").clicked() {
                    event = self.start(project, project_path).or(event.take());
                }
            });
            if let Some(job) = &self.job {
                let (done, total) = (job.done.load(Ordering::Relaxed), job.total.load(Ordering::Relaxed).max(1));
                ui.add(egui::ProgressBar::new(done as f32 / total as f32).text(format!("{done}/{total} documents")).show_percentage());
                ui.ctx().request_repaint_after(Duration::from_millis(50));
            }
        });
        self.open = open || self.job.is_some();
        event
    }

    fn start(&mut self, project: &Project, project_path: Option<&Path>) -> Option<TransferEvent> {
        let out = PathBuf::from(self.path.trim());
        if out.as_os_str().is_empty() {
            return Some(TransferEvent::Failed(
                "Choose where to export first.".to_owned(),
            ));
        }
        let selected: std::collections::BTreeSet<String> = self
            .labels
            .iter()
            .filter(|(_, on)| **on)
            .map(|(l, _)| l.clone())
            .collect();
        let options = ExportOptions {
            only_done: self.only_done,
            labels: (selected.len() < self.labels.len()).then_some(selected),
            boilerplate: self.boilerplate,
            text_without_boilerplate: self.text_without_boilerplate && self.format == Format::Jsonl,
            overlap: self.overlap,
            include_unresolved: self.include_unresolved
                && project
                    .documents
                    .iter()
                    .flat_map(|d| &d.annotations)
                    .any(crate::model::Annotation::is_unresolved),
        };
        let (done, total) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(project.documents.len())),
        );
        let (job_done, job_total) = (done.clone(), total.clone());
        let project = project.clone();
        let source = project_path.map(Path::to_owned);
        let format = self.format;
        let target = out.clone();
        // Whole or not at all, and never over the project file or one of its texts.
        let handle = std::thread::spawn(move || {
            formats::export_from(
                &project,
                source.as_deref(),
                format,
                &options,
                &target,
                &mut |n, of| {
                    job_done.store(n, Ordering::Relaxed);
                    job_total.store(of, Ordering::Relaxed);
                },
            )
        });
        self.job = Some(ExportJob {
            out,
            done,
            total,
            handle,
        });
        None
    }

    fn poll(&mut self) -> Option<TransferEvent> {
        if !self.job.as_ref().is_some_and(|j| j.handle.is_finished()) {
            return None;
        }
        let job = self.job.take()?;
        let result = match job.handle.join() {
            Ok(result) => result.map_err(|e| format!("{:#}", anyhow::Error::new(e))),
            Err(_) => Err("the export stopped unexpectedly".to_owned()),
        };
        if result.is_ok() {
            self.open = false;
        }
        Some(TransferEvent::Exported(job.out, result))
    }

    /// Waits for a running export to end (tests, and quitting).
    pub fn wait(&mut self) -> Option<TransferEvent> {
        while self.job.as_ref().is_some_and(|j| !j.handle.is_finished()) {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.poll()
    }
}

fn explain(format: Format) -> &'static str {
    match format {
        Format::Jsonl => {
            "One JSON line a document, spans with code point offsets, metadata in meta, document attributes and cats: loads in spaCy and Hugging Face datasets."
        }
        Format::Doccano => {
            "doccano's JSONL (entities, relations, Comments; document attributes as cats, metadata beside the text)."
        }
        Format::Brat => "A brat folder: .txt and .ann a document, and annotation.conf.",
        Format::Conll => "Tokens with IOB2 tags, -DOCSTART- between documents.",
        Format::LabelStudio => {
            "A folder with Label Studio tasks (tasks.json) and the labelling config (config.xml)."
        }
        Format::Csv => {
            "One span a row (RFC 4180), with the document's meta.KEY and attr.NAME columns."
        }
        Format::Spacy => {
            "spaCy's DocBin (.spacy) for spacy train: every span in doc.spans, the ones that do not overlap in doc.ents, document attributes in doc.cats."
        }
    }
}

/// What the import window reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// Another tool's annotations.
    Format(Format),
    /// A corpus in one file: a CSV, TSV, JSON or JSONL file with one document a row
    /// ([`formats::rows`]).
    Rows,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Self::Format(format) => format.name(),
            Self::Rows => "corpus file (one document a row)",
        }
    }
}

struct ImportJob {
    output: PathBuf,
    handle: JoinHandle<Result<formats::ImportReport, String>>,
}

/// The import window (File → Import… and File → New project from file…).
pub struct ImportDialog {
    /// Shown.
    pub open: bool,
    source: Source,
    input: String,
    output: String,
    annotator: String,
    text_field: String,
    id_field: String,
    job: Option<ImportJob>,
}

impl Default for ImportDialog {
    fn default() -> Self {
        Self {
            open: false,
            source: Source::Format(Format::Brat),
            input: String::new(),
            output: String::new(),
            annotator: String::new(),
            text_field: String::new(),
            id_field: String::new(),
            job: None,
        }
    }
}

impl ImportDialog {
    /// Opens the window, with `annotator` as the default owner; `rows` opens it on a corpus file
    /// (File → New project from file…).
    pub fn show_for(&mut self, annotator: &str, rows: bool) {
        self.open = true;
        if rows {
            self.source = Source::Rows;
        } else if self.source == Source::Rows {
            self.source = Source::Format(Format::Brat);
        }
        if self.annotator.is_empty() {
            annotator.clone_into(&mut self.annotator);
        }
    }

    /// True while an import runs.
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    /// Draws the window; returns an event when an import ended.
    pub fn ui(&mut self, ui: &Ui, dialogs: &mut dyn FileDialogs) -> Option<TransferEvent> {
        let mut event = self.poll();
        if !self.open {
            return event;
        }
        let mut open = self.open;
        let title = if self.source == Source::Rows {
            "New project from file"
        } else {
            "Import"
        };
        egui::Window::new(title).open(&mut open).default_width(420.0).show(ui.ctx(), |ui| {
            ui.add_enabled_ui(self.job.is_none(), |ui| {
                ui.horizontal(|ui| {
                    let name = ui.label("Format:");
                    egui::ComboBox::from_id_salt("import-format")
                        .selected_text(self.source.name())
                        .show_ui(ui, |ui| {
                            for format in Format::ALL.into_iter().filter(|f| f.can_import()) {
                                ui.selectable_value(&mut self.source, Source::Format(format), format.name());
                            }
                            ui.selectable_value(&mut self.source, Source::Rows, Source::Rows.name());
                        })
                        .response
                        .labelled_by(name.id);
                });
                ui.weak(match self.source {
                    Source::Rows => "One article a row (CSV, TSV, JSON or JSONL): each text goes into a corpus folder beside the new project, the other columns are kept as the document's metadata.",
                    Source::Format(_) => "Texts go into a corpus folder beside the new project; what cannot be mapped is listed, never dropped.",
                });
                let mut browse = |ui: &mut Ui, label: &str, value: &mut String, folder: bool, save: bool| {
                    ui.horizontal(|ui| {
                        let name = ui.label(label);
                        ui.add(egui::TextEdit::singleline(value).desired_width(240.0)).labelled_by(name.id);
                        if ui.button("Browse…").clicked() {
                            let picked = match (folder, save) {
                                (true, _) => dialogs.pick_folder(label),
                                (false, true) => dialogs.save_file(label, None, "imported.ron", PROJECT_FILTER),
                                (false, false) => dialogs.open_file(label, None),
                            };
                            match picked {
                                Picked::Path(path) => *value = path.display().to_string(),
                                Picked::Cancelled => {}
                                Picked::Unavailable => event = Some(TransferEvent::Failed("No file dialog can open here: type the path in the field.".to_owned())),
                            }
                        }
                    });
                };
                let folder_input = self.source == Source::Format(Format::Brat);
                browse(ui, if folder_input { "brat folder:" } else { "File:" }, &mut self.input, folder_input, false);
                browse(ui, "New project:", &mut self.output, false, true);
                if self.source == Source::Rows {
                    ui.horizontal(|ui| {
                        let name = ui.label("Text column:");
                        ui.add(egui::TextEdit::singleline(&mut self.text_field).hint_text("text").desired_width(120.0)).labelled_by(name.id);
                        let name = ui.label("Id column:");
                        ui.add(egui::TextEdit::singleline(&mut self.id_field).hint_text("id").desired_width(120.0)).labelled_by(name.id);
                    });
                }
                ui.horizontal(|ui| {
                    let name = ui.label("Annotator:");
                    ui.add(egui::TextEdit::singleline(&mut self.annotator).desired_width(160.0)).labelled_by(name.id);
                });
                let label = if self.source == Source::Rows { "Create" } else { "Import" };
                if ui.button(label).clicked() {
                    match self.start() {
                        Ok(()) => {}
                        Err(error) => event = Some(TransferEvent::Failed(error)),
                    }
                }
            });
            if self.job.is_some() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Importing…");
                });
                ui.ctx().request_repaint_after(Duration::from_millis(50));
            }
        });
        self.open =
            (open || self.job.is_some()) && !matches!(event, Some(TransferEvent::Imported(..)));
        event
    }

    /// Checks the fields, then runs the import on a thread.
    fn start(&mut self) -> Result<(), String> {
        let (input, output) = (
            PathBuf::from(self.input.trim()),
            PathBuf::from(self.output.trim()),
        );
        if input.as_os_str().is_empty() || output.as_os_str().is_empty() {
            return Err("Give the file to import and the project to create.".to_owned());
        }
        let output = if output.extension().is_none() {
            output.with_extension("ron")
        } else {
            output
        };
        if output.exists() {
            return Err(format!(
                "{} already exists: choose another name",
                output.display()
            ));
        }
        let stem = output.file_stem().map_or_else(
            || "imported".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        );
        let corpus = output.with_file_name(format!("{stem}-corpus"));
        // Never over the file or folder being imported.
        let inputs = [if input.is_dir() {
            crate::file::Input::folder(&input, "the folder being imported")
        } else {
            crate::file::Input::file(&input, "the file being imported")
        }];
        crate::file::refuse_inputs(&output, false, &inputs)
            .and_then(|()| crate::file::refuse_inputs(&corpus, true, &inputs))
            .map_err(|error| format!("{:#}", anyhow::Error::new(error)))?;
        let source = self.source;
        let columns = formats::rows::RowColumns {
            text: Some(self.text_field.trim().to_owned()).filter(|s| !s.is_empty()),
            id: Some(self.id_field.trim().to_owned()).filter(|s| !s.is_empty()),
        };
        let annotator = self.annotator.trim().to_owned();
        let target = output.clone();
        // All or nothing: the texts (never replacing one), then the project file.
        let handle = std::thread::spawn(move || {
            let imported = match source {
                Source::Format(format) => formats::import(format, &input),
                Source::Rows => formats::rows::read(&input, &columns),
            };
            imported
                .and_then(|imported| {
                    formats::import_project_reported(imported, &target, &corpus, &annotator, false)
                })
                .map(|(_, report)| report)
                .map_err(|e| {
                    format!(
                        "{:#}",
                        anyhow::Error::new(e).context(format!("cannot import {}", input.display()))
                    )
                })
        });
        self.job = Some(ImportJob { output, handle });
        Ok(())
    }

    fn poll(&mut self) -> Option<TransferEvent> {
        if !self.job.as_ref().is_some_and(|j| j.handle.is_finished()) {
            return None;
        }
        let job = self.job.take()?;
        let result = job
            .handle
            .join()
            .unwrap_or_else(|_| Err("the import stopped unexpectedly".to_owned()));
        Some(match result {
            Ok(report) => TransferEvent::Imported(job.output, report),
            Err(error) => TransferEvent::Failed(error),
        })
    }

    /// Waits for a running import to end (tests); the next frame reports it.
    pub fn wait(&self) {
        while self.job.as_ref().is_some_and(|j| !j.handle.is_finished()) {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}
