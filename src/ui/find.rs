//! The find bar (Ctrl+F in the document, Ctrl+Shift+F in the whole corpus) and the list of the
//! corpus's hits. The search runs on its own thread ([`crate::search::Search`]); the bar shows
//! its progress and never waits for it.

use egui::{Key, RichText, Ui};

use super::theme;
use crate::model::Project;
use crate::search::{self, Hit, Matcher, Mode, Progress, Query, Search};
use crate::text::ByteRange;

/// Characters of context shown either side of a hit in the corpus results.
const CONTEXT_CHARS: usize = 40;

/// What the user asked of the find bar this frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FindAction {
    /// Show hit number `n` (in [`FindBar::hits`]).
    Show(usize),
    /// Show the next hit.
    Next,
    /// Show the previous hit.
    Previous,
    /// Label every hit with this label (after a preview).
    AnnotateAll(String),
    /// Close the bar.
    Close,
}

/// What a set of hits was searched for: hits are searched again when it changes.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Searched {
    query: Query,
    /// The document searched, or `None` for the whole corpus.
    doc: Option<usize>,
    /// The workspace generation (another project means other texts).
    generation: u64,
}

/// The find bar's state.
#[derive(Default)]
pub struct FindBar {
    /// Shown.
    pub open: bool,
    /// Searching the whole corpus rather than the document shown.
    pub corpus: bool,
    /// What is searched for.
    pub query: Query,
    /// Put the cursor in the search field at the next frame.
    pub focus: bool,
    /// The hits found so far, in document order then text order.
    pub hits: Vec<Hit>,
    /// The hit shown, an index in `hits`.
    pub current: Option<usize>,
    /// Documents searched so far, of how many.
    pub progress: Progress,
    /// The search is over (every document searched).
    pub finished: bool,
    /// Why the query cannot be searched (a bad regular expression…).
    pub error: Option<String>,
    running: Option<Search>,
    searched: Option<Searched>,
    /// Jump to the first hit when it arrives (a new search of the document shown).
    jump_to_first: bool,
}

impl FindBar {
    /// Opens the bar on the document shown (`corpus` false) or the whole corpus, the cursor in
    /// its field; `text` (the selected text) becomes the query when there is one.
    pub fn open(&mut self, corpus: bool, text: Option<String>) {
        self.open = true;
        self.corpus = corpus;
        self.focus = true;
        if let Some(text) = text.filter(|t| !t.trim().is_empty() && !t.contains('\n')) {
            self.query.text = text;
        }
    }

    /// Closes the bar and stops its search.
    pub fn close(&mut self) {
        self.open = false;
        if let Some(search) = &mut self.running {
            search.cancel();
        }
        self.running = None;
        self.searched = None;
        self.hits.clear();
        self.current = None;
        self.error = None;
    }

    /// True while a search is running.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// The hits in document `doc`, as ranges: a slice of [`FindBar::hits`] (sorted by document).
    pub fn hits_in(&self, doc: usize) -> &[Hit] {
        let start = self.hits.partition_point(|h| h.doc < doc);
        let end = self.hits.partition_point(|h| h.doc <= doc);
        self.hits.get(start..end).unwrap_or_default()
    }

    /// The hit shown, if any.
    pub fn current_hit(&self) -> Option<Hit> {
        self.hits.get(self.current?).copied()
    }

    /// Starts a new search when the query, the scope or the project changed, and collects what
    /// the running search found since the last frame. Returns the hit to show when a new search
    /// of the document found its first hit.
    pub fn update(&mut self, project: &Project, doc: usize, generation: u64) -> Option<Hit> {
        if !self.open {
            return None;
        }
        let wanted = Searched {
            query: self.query.clone(),
            doc: (!self.corpus).then_some(doc),
            generation,
        };
        if self.searched.as_ref() != Some(&wanted) {
            self.start(project, wanted);
        }
        let search = self.running.as_mut()?;
        let (found, progress, finished) = search.poll();
        self.hits.extend(found);
        self.progress = progress;
        if finished {
            self.finished = true;
            self.running = None;
            // Chunks may finish out of order on several threads.
            self.hits.sort_unstable();
            self.hits.dedup();
        }
        if self.jump_to_first && !self.hits.is_empty() {
            self.jump_to_first = false;
            self.current = Some(0);
            return self.hits.first().copied();
        }
        None
    }

    fn start(&mut self, project: &Project, wanted: Searched) {
        if let Some(search) = &mut self.running {
            search.cancel();
        }
        self.running = None;
        self.hits.clear();
        self.current = None;
        self.finished = false;
        self.error = None;
        self.jump_to_first = wanted.doc.is_some();
        let texts: Vec<(usize, std::sync::Arc<str>)> = project
            .documents
            .iter()
            .enumerate()
            .filter(|(i, _)| wanted.doc.is_none_or(|d| d == *i))
            .map(|(i, d)| (i, d.text.clone()))
            .collect();
        self.progress = Progress {
            done: 0,
            total: texts.len(),
        };
        if self.query.text.is_empty() {
            self.finished = true;
        } else {
            match Matcher::new(&self.query) {
                Ok(matcher) => self.running = Some(Search::start(texts, matcher)),
                Err(error) => {
                    self.error = Some(error.to_string());
                    self.finished = true;
                }
            }
        }
        self.searched = Some(wanted);
    }

    /// Moves to the next (or previous) hit, from the current one or, with none, from the first
    /// hit at or after `from` (a document and an offset in it). Returns it.
    pub fn step(&mut self, forward: bool, from: (usize, usize)) -> Option<Hit> {
        let count = self.hits.len();
        if count == 0 {
            return None;
        }
        let next = match self.current {
            Some(current) if forward => (current + 1) % count,
            Some(current) => (current + count - 1) % count,
            None => {
                let after = self.hits.partition_point(|h| (h.doc, h.range.start) < from);
                if forward {
                    after % count
                } else {
                    (after + count - 1) % count
                }
            }
        };
        self.current = Some(next);
        self.hits.get(next).copied()
    }

    /// Draws the bar; returns what the user asked.
    pub fn ui(&mut self, ui: &mut Ui, project: &Project, can_label: bool) -> Vec<FindAction> {
        let mut actions = Vec::new();
        ui.horizontal_wrapped(|ui| {
            ui.label(if self.corpus {
                "Find in corpus:"
            } else {
                "Find:"
            });
            let field = ui.add(
                egui::TextEdit::singleline(&mut self.query.text)
                    .id_salt("find-field")
                    .hint_text("word, phrase or regex")
                    .desired_width(260.0),
            );
            if std::mem::take(&mut self.focus) {
                field.request_focus();
            }
            if field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                actions.push(if ui.input(|i| i.modifiers.shift) {
                    FindAction::Previous
                } else {
                    FindAction::Next
                });
                // Enter walks the hits: the cursor stays in the field.
                field.request_focus();
            }
            // egui drops the field's focus on Escape before the field sees it.
            if field.lost_focus() && ui.input(|i| i.key_pressed(Key::Escape)) {
                actions.push(FindAction::Close);
            }
            let mut whole = self.query.mode == Mode::WholeWord;
            let mut regex = self.query.mode == Mode::Regex;
            if ui
                .toggle_value(&mut whole, "Whole word")
                .on_hover_text("Only hits that are whole words")
                .changed()
            {
                self.query.mode = if whole { Mode::WholeWord } else { Mode::Plain };
            }
            if ui
                .toggle_value(&mut regex, ".* Regex")
                .on_hover_text("The text is a regular expression (Rust's regex syntax)")
                .changed()
            {
                self.query.mode = if regex { Mode::Regex } else { Mode::Plain };
            }
            ui.toggle_value(&mut self.query.match_case, "Aa Match case")
                .on_hover_text("Upper and lower case differ (off: \"etat\" finds \"ETAT\")");
            ui.toggle_value(&mut self.query.match_accents, "é Match accents")
                .on_hover_text("Accents differ (off: \"etat\" finds \"État\" and \"état\")");
            ui.separator();
            ui.selectable_value(&mut self.corpus, false, "This document")
                .on_hover_text("Search the document shown (Ctrl+F)");
            ui.selectable_value(&mut self.corpus, true, "Whole corpus")
                .on_hover_text("Search every document (Ctrl+Shift+F)");
            ui.separator();
            self.count_ui(ui);
            if ui
                .add_enabled(!self.hits.is_empty(), egui::Button::new("Previous"))
                .on_hover_text("Previous hit (Shift+Enter, Shift+F3)")
                .clicked()
            {
                actions.push(FindAction::Previous);
            }
            if ui
                .add_enabled(!self.hits.is_empty(), egui::Button::new("Next"))
                .on_hover_text("Next hit (Enter, F3)")
                .clicked()
            {
                actions.push(FindAction::Next);
            }
            if ui
                .button("Close")
                .on_hover_text("Close the find bar (Esc)")
                .clicked()
            {
                actions.push(FindAction::Close);
            }
        });
        if !self.hits.is_empty() && self.finished {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("Label all {} hit(s) as:", self.hits.len()));
                for label in &project.schema.labels {
                    let button = egui::Button::new(
                        RichText::new(&label.name)
                            .color(theme::label_text(label.color, ui.visuals().dark_mode)),
                    );
                    if ui
                        .add_enabled(can_label, button)
                        .on_hover_text(
                            "Shows how many hits would be labelled, and where, before doing it",
                        )
                        .clicked()
                    {
                        actions.push(FindAction::AnnotateAll(label.name.clone()));
                    }
                }
            });
        }
        actions
    }

    fn count_ui(&self, ui: &mut Ui) {
        if let Some(error) = &self.error {
            ui.colored_label(theme::ERROR, error);
            return;
        }
        if self.query.text.is_empty() {
            return;
        }
        let count = self.hits.len();
        let text = match (self.current, self.finished) {
            (_, true) if count == 0 => "no hit".to_owned(),
            (Some(current), true) => format!("{} of {count}", current + 1),
            (None, true) => format!("{count} hit(s)"),
            (_, false) => format!(
                "{count} hit(s) so far, {} of {} document(s) searched…",
                self.progress.done, self.progress.total
            ),
        };
        if count == 0 && self.finished {
            ui.colored_label(theme::WARNING, text);
        } else {
            ui.label(text);
        }
    }

    /// The corpus's hits, one row each with its document and context; only the rows in view are
    /// laid out. Returns the hit clicked.
    pub fn results_ui(&self, ui: &mut Ui, project: &Project) -> Option<FindAction> {
        let mut action = None;
        ui.horizontal(|ui| {
            ui.heading("Hits");
            let documents = {
                let mut docs: Vec<usize> = self.hits.iter().map(|h| h.doc).collect();
                docs.dedup();
                docs.len()
            };
            ui.weak(format!("{} in {documents} document(s)", self.hits.len()));
        });
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        egui::ScrollArea::vertical()
            .id_salt("find-results")
            .auto_shrink([false, false])
            .show_rows(ui, row_height, self.hits.len(), |ui, rows| {
                for index in rows {
                    let Some(hit) = self.hits.get(index) else {
                        continue;
                    };
                    let Some(document) = project.document(hit.doc) else {
                        continue;
                    };
                    let context = search::context(&document.text, hit.range, CONTEXT_CHARS);
                    let mut job = egui::text::LayoutJob::default();
                    let body = egui::TextFormat {
                        color: ui.visuals().text_color(),
                        ..Default::default()
                    };
                    job.append(
                        &format!("{}  ", document.path),
                        0.0,
                        egui::TextFormat {
                            color: ui.visuals().weak_text_color(),
                            ..Default::default()
                        },
                    );
                    // Right-to-left words in visual order, the hit in its place among them.
                    let line = format!("{}{}{}", context.before, context.hit, context.after);
                    let hit = context.before.len()..context.before.len() + context.hit.len();
                    for (section, marked) in crate::ui::text_view::visual_sections(&line, hit) {
                        let format = if marked {
                            egui::TextFormat {
                                background: theme::search_hit(ui.visuals().dark_mode),
                                ..body.clone()
                            }
                        } else {
                            body.clone()
                        };
                        job.append(&section, 0.0, format);
                    }
                    job.wrap.max_rows = 1;
                    let selected = self.current == Some(index);
                    if ui.add(egui::Button::selectable(selected, job)).clicked() {
                        action = Some(FindAction::Show(index));
                    }
                }
            });
        action
    }
}

/// The ranges of `hits` (sorted) that reach `visible`: the hits a frame paints.
pub fn ranges_in(hits: &[Hit], visible: ByteRange) -> impl Iterator<Item = ByteRange> + '_ {
    let start = hits.partition_point(|h| h.range.end <= visible.start);
    hits.get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(move |h| h.range.start < visible.end)
        .map(|h| h.range)
}
