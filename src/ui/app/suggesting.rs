//! Suggestions in the app: the suggesters run on a thread, what they find is offered as one
//! edit, and each suggestion is walked, accepted or rejected as an edit too (all undoable).

use std::sync::mpsc;

use super::MarginaliaApp;
use super::editing::reserve;
use super::modals::{Choice, Modal};
use super::notifications::Level;
use crate::model::Id;
use crate::suggest::{Rule, Suggestion};
use crate::ui::suggestions::SuggestAction;

/// Ids reserved for accepting one suggestion: its span, its link's other end, the link.
const IDS_PER_SUGGESTION: usize = 3;

/// The suggesters at work on a copy of the project.
pub(super) struct Suggesting {
    found: mpsc::Receiver<Vec<Vec<Suggestion>>>,
    /// The workspace they work for: a result for another project is dropped.
    generation: u64,
}

impl MarginaliaApp {
    /// True when keys act on the suggestion shown: one is shown and no span or text is
    /// selected (then Enter, X and Backspace keep their usual meaning).
    pub(super) fn is_suggesting(&self) -> bool {
        self.selected_span.is_none()
            && self.selection.is_none()
            && self.current_suggestion().is_some()
    }

    /// The suggestion shown, if it still exists.
    pub(super) fn current_suggestion(&self) -> Option<&Suggestion> {
        let index = self.suggestion?;
        self.workspace
            .as_ref()?
            .project()
            .document(self.doc)?
            .suggestions
            .get(index)
    }

    /// Starts the suggesters ticked on a copy of the project, on a thread.
    pub(super) fn run_suggesters(&mut self) {
        let Some(ws) = &self.workspace else { return };
        if self.suggesting.is_some() {
            return;
        }
        let which = self.suggest_panel.suggesters();
        if which.is_empty() {
            self.notify(Level::Info, "Tick at least one suggester");
            return;
        }
        let project = ws.project().clone();
        let (send, found) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("suggesters".to_owned())
            .spawn(move || {
                // The app may be gone by the time they finish: nothing to tell then.
                let _sent = send.send(crate::suggest::run(&project, &which));
            });
        match spawned {
            Ok(_) => {
                self.suggesting = Some(Suggesting {
                    found,
                    generation: self.stats_generation,
                });
            }
            Err(error) => {
                self.error(&anyhow::Error::new(error).context("cannot start the suggesters"));
            }
        }
    }

    /// Takes what the suggesters found, when they are done, and offers it (one undo).
    pub(super) fn poll_suggesters(&mut self, ctx: &egui::Context) {
        let Some(suggesting) = &self.suggesting else {
            return;
        };
        let found = match suggesting.found.try_recv() {
            Ok(found) => found,
            Err(mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(50));
                return;
            }
            Err(mpsc::TryRecvError::Disconnected) => {
                self.suggesting = None;
                self.notify(
                    Level::Error,
                    "The suggesters stopped without an answer (see the terminal)",
                );
                return;
            }
        };
        let generation = suggesting.generation;
        self.suggesting = None;
        let Some(ws) = &self.workspace else { return };
        if generation != self.stats_generation {
            return;
        }
        let edit = crate::edit::build::offer(ws.project(), found);
        self.edit(edit, None);
        let Some(ws) = &self.workspace else { return };
        let project = ws.project();
        let documents = project
            .documents
            .iter()
            .filter(|d| !d.suggestions.is_empty())
            .count();
        let total: usize = project.documents.iter().map(|d| d.suggestions.len()).sum();
        let here = project
            .document(self.doc)
            .map_or(0, |d| d.suggestions.len());
        self.notify(
            Level::Info,
            format!(
                "{total} suggestion(s) in {documents} document(s), {here} in this one: Tab walks them"
            ),
        );
        self.suggestion = (here > 0).then_some(0);
        self.scroll_to_suggestion();
    }

    fn scroll_to_suggestion(&mut self) {
        if let Some(start) = self.current_suggestion().map(|s| s.extent().start) {
            self.text_view.scroll_to(start);
        }
    }

    pub(super) fn suggest_action(&mut self, action: SuggestAction) {
        match action {
            SuggestAction::Run => self.run_suggesters(),
            SuggestAction::Show(index) => {
                self.show_suggestion(index);
            }
            SuggestAction::Accept(index) => self.accept_suggestion(index, None),
            SuggestAction::Reject(index) => self.reject_suggestion(index),
            SuggestAction::AcceptRule { rule, corpus } => self.preview_accept_rule(&rule, corpus),
        }
    }

    fn show_suggestion(&mut self, index: usize) {
        self.suggestion = Some(index);
        self.selection = None;
        self.selected_span = None;
        self.link_from = None;
        self.scroll_to_suggestion();
    }

    /// The next (or previous) pending suggestion of the document, round the end.
    pub(super) fn step_suggestion(&mut self, forward: bool) {
        let count = self
            .workspace
            .as_ref()
            .and_then(|ws| ws.project().document(self.doc))
            .map_or(0, |d| d.suggestions.len());
        if count == 0 {
            self.suggestion = None;
            self.notify(
                Level::Info,
                "No suggestion in this document: Suggest spans (Ctrl+G) finds some",
            );
            return;
        }
        let next = match self.suggestion.filter(|i| *i < count) {
            Some(i) if forward => (i + 1) % count,
            Some(i) => (i + count - 1) % count,
            None if forward => 0,
            None => count - 1,
        };
        self.show_suggestion(next);
    }

    /// Accepts suggestion `index` of the document (as `label` when given: a label's key), with
    /// its link; the next one is shown.
    pub(super) fn accept_suggestion(&mut self, index: usize, label: Option<&str>) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let mut ids = reserve(ws, IDS_PER_SUGGESTION);
        let built = crate::edit::build::accept(ws.project(), self.doc, index, label, || {
            ids.next().unwrap_or(Id(u64::MAX))
        });
        match built {
            Ok(edit) => {
                self.edit(edit, None);
                self.after_suggestion_change(index);
            }
            Err(error) => self.notify(Level::Warning, error.to_string()),
        }
    }

    /// Rejects suggestion `index` of the document: it is remembered and not offered again.
    pub(super) fn reject_suggestion(&mut self, index: usize) {
        let Some(ws) = &self.workspace else { return };
        // Other suggestions linked to this one lose their link with it: say so, rather than
        // let them be accepted later without a word.
        let linked = ws
            .project()
            .document(self.doc)
            .and_then(|document| {
                let rejected = document.suggestions.get(index)?;
                Some(
                    document
                        .suggestions
                        .iter()
                        .filter(|s| {
                            s.link
                                .as_ref()
                                .is_some_and(|l| rejected.is_span(&l.label, &l.fragments))
                        })
                        .count(),
                )
            })
            .unwrap_or(0);
        match crate::edit::build::reject(ws.project(), self.doc, index) {
            Ok(edit) => {
                self.edit(edit, None);
                self.after_suggestion_change(index);
                if linked > 0 {
                    self.notify(
                        Level::Info,
                        format!(
                            "Rejected. {linked} suggestion(s) linked to it lose that link: accepted, they come without a link"
                        ),
                    );
                }
            }
            Err(error) => self.notify(Level::Warning, error.to_string()),
        }
    }

    /// After one suggestion left the list: the one that took its place is shown (none when the
    /// list is empty).
    fn after_suggestion_change(&mut self, index: usize) {
        self.selection = None;
        self.selected_span = None;
        let count = self
            .workspace
            .as_ref()
            .and_then(|ws| ws.project().document(self.doc))
            .map_or(0, |d| d.suggestions.len());
        self.suggestion = (count > 0).then(|| index.min(count - 1));
        self.scroll_to_suggestion();
    }

    /// Asks before accepting every pending suggestion of `rule`, with the count.
    fn preview_accept_rule(&mut self, rule: &Rule, corpus: bool) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let doc = (!corpus).then_some(self.doc);
        let count = crate::edit::build::count_rule(ws.project(), rule, doc);
        if count == 0 {
            self.notify(Level::Info, format!("No pending suggestion of {rule}"));
            return;
        }
        let mut ids = reserve(ws, count * IDS_PER_SUGGESTION);
        let built = crate::edit::build::accept_rule(ws.project(), rule, doc, || {
            ids.next().unwrap_or(Id(u64::MAX))
        });
        match built {
            Ok((accepted, edit)) => {
                let place = if corpus {
                    "in the whole corpus"
                } else {
                    "in this document"
                };
                self.modal = Some(Modal::Confirm {
                    heading: format!("Accept every suggestion of {rule}?"),
                    lines: vec![
                        format!("{accepted} suggestion(s) {place} become spans, with their links."),
                        "One undo (Ctrl+Z) takes them back.".to_owned(),
                    ],
                    choices: vec![Choice {
                        text: format!("Accept {accepted}"),
                        edit,
                    }],
                });
            }
            Err(error) => self.notify(Level::Warning, error.to_string()),
        }
    }
}
