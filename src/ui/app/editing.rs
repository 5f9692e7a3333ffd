//! Editing the open project: labels, links, fragments, spans placed again; every change an edit.

use super::MarginaliaApp;
use super::notifications::Level;
use crate::edit::{Edit, MergeKey};
use crate::model::Id;
use crate::text::ByteRange;

impl MarginaliaApp {
    /// Links the span `a` to the span `b` with the first relation type of the schema that allows
    /// their labels, in either direction (a claim to its source, whichever was picked first).
    pub(super) fn link(&mut self, a: Id, b: Id) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let id = ws.allocate_id();
        match crate::edit::build::link(ws.project(), self.doc, a, b, id) {
            Ok(edit) => {
                self.edit(edit, None);
                self.selected_span = Some(a);
            }
            Err(error @ crate::edit::build::IntentError::NoRelationType { .. }) => {
                self.notify(Level::Warning, error.to_string());
            }
            Err(error @ crate::edit::build::IntentError::AlreadyLinked) => {
                self.notify(Level::Info, error.to_string());
            }
            // The spans are gone (undone meanwhile): nothing to link.
            Err(_) => {}
        }
    }

    /// Adds `range` (trimmed) to the selected span's fragments, merging overlapping ones.
    pub(super) fn add_fragment(&mut self, range: ByteRange) {
        let Some(id) = self.selected_span else { return };
        let Some(ws) = &self.workspace else { return };
        // A selection of white space only adds nothing.
        if let Ok(edit) = crate::edit::build::add_fragment(ws.project(), self.doc, id, range) {
            self.edit(edit, None);
        }
    }

    /// Selects the span after (or before) the selected one in text order, round the end; with
    /// none selected, the first one after (or before) the text selection or the top. Shows it.
    pub(super) fn step_span(&mut self, forward: bool) {
        let Some(document) = self
            .workspace
            .as_ref()
            .and_then(|ws| ws.project().document(self.doc))
        else {
            return;
        };
        let count = document.annotations.len();
        if count == 0 {
            self.notify(Level::Info, "No span in this document yet");
            return;
        }
        // In link mode Tab moves the other end of the link, not the selection.
        let linking = self.link_from;
        let walked = if linking.is_some() {
            self.link_target.or(linking)
        } else {
            self.selected_span
        };
        let current = walked.and_then(|id| document.annotations.iter().position(|a| a.id == id));
        let next = match current {
            Some(i) if forward => (i + 1) % count,
            Some(i) => (i + count - 1) % count,
            None => {
                let from = self
                    .selection
                    .map_or(0, |s| s.start)
                    .max(self.text_view.caret().unwrap_or(0));
                let after = document
                    .annotations
                    .partition_point(|a| a.extent().start < from);
                if forward {
                    after % count
                } else {
                    (after + count - 1) % count
                }
            }
        };
        // A link never ends where it starts: step over its first end.
        let next = match document.annotations.get(next) {
            Some(a) if linking == Some(a.id) && count > 1 => {
                if forward {
                    (next + 1) % count
                } else {
                    (next + count - 1) % count
                }
            }
            _ => next,
        };
        let Some(annotation) = document.annotations.get(next) else {
            return;
        };
        let (id, start) = (annotation.id, annotation.extent().start);
        if linking.is_some() {
            self.link_target = Some(id);
        } else {
            self.selected_span = Some(id);
            self.selection = None;
            self.reveal_span = true;
        }
        self.text_view.scroll_to(start);
    }

    pub(super) fn show_document(&mut self, index: usize) {
        let Some(ws) = &self.workspace else { return };
        if index < ws.project().documents.len() && index != self.doc {
            self.doc = index;
            self.selection = None;
            self.selected_span = None;
            self.suggestion = None;
        }
    }

    pub(super) fn edit(&mut self, edit: Edit, merge: Option<String>) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let description = edit.describe();
        // The first change to a document still to do starts it.
        let edit = crate::edit::build::started(ws.project(), edit);
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

    /// After an undo or a redo: selects the span it brought back or changed, or the text of the
    /// span it took away, in its document.
    pub(super) fn restore_focus(&mut self, focus: Option<crate::edit::Focus>) {
        use crate::edit::Focus;
        let doc = match &focus {
            Some(Focus::Span { doc, .. } | Focus::Text { doc, .. } | Focus::Document(doc)) => *doc,
            None => return,
        };
        if doc != self.doc {
            self.show_document(doc);
        }
        match focus {
            Some(Focus::Span { id, .. }) => {
                self.selection = None;
                self.selected_span = Some(id);
                self.reveal_span = true;
            }
            Some(Focus::Text { range, .. }) => {
                self.selected_span = None;
                self.selection = Some(range);
            }
            Some(Focus::Document(_)) | None => {}
        }
    }

    pub(super) fn after_history_change(&mut self) {
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
        if let Some(index) = self.suggestion
            && index >= document.suggestions.len()
        {
            self.suggestion = document.suggestions.len().checked_sub(1);
        }
        self.refresh_label_drafts();
    }

    pub(super) fn refresh_label_drafts(&mut self) {
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

    pub(super) fn apply_label(&mut self, label: &str) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let doc = self.doc;
        let Some(document) = ws.project().document(doc) else {
            return;
        };
        if let Some(selection) = self.selection {
            let id = ws.allocate_id();
            match crate::edit::build::new_span(ws.project(), doc, selection, label, id) {
                Ok(edit) => {
                    self.edit(edit, None);
                    self.select_if_made(doc, id);
                }
                Err(error) => self.notify(Level::Info, error.to_string()),
            }
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
    pub(super) fn select_if_made(&mut self, doc: usize, id: Id) {
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
    pub(super) fn place_detached(&mut self, index: usize) {
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
}

/// `count` fresh ids of the workspace, reserved now: the edit builders take ids from a closure
/// while they read the project, which the workspace cannot lend at the same time. A spare id
/// would be refused by the edit, never reused.
pub(super) fn reserve(
    ws: &mut crate::workspace::Workspace,
    count: usize,
) -> std::vec::IntoIter<Id> {
    (0..count)
        .map(|_| ws.allocate_id())
        .collect::<Vec<_>>()
        .into_iter()
}
