//! Editing the open project: labels, links, fragments, spans placed again; every change an edit.

use super::MarginaliaApp;
use super::notifications::Level;
use crate::edit::{Edit, MergeKey};
use crate::model::{Annotation, Id, Timestamp};
use crate::text::{ByteRange, trim_range};

impl MarginaliaApp {
    /// Links the span `a` to the span `b` with the first relation type of the schema that allows
    /// their labels, in either direction (a claim to its source, whichever was picked first).
    pub(super) fn link(&mut self, a: Id, b: Id) {
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
    pub(super) fn add_fragment(&mut self, range: ByteRange) {
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
        let merged = crate::text::merge_ranges(fragments, crate::text::Join::OverlappingOrTouching);
        self.edit(
            Edit::SetFragments {
                doc: self.doc,
                id,
                fragments: merged,
            },
            None,
        );
    }

    pub(super) fn show_document(&mut self, index: usize) {
        let Some(ws) = &self.workspace else { return };
        if index < ws.project().documents.len() && index != self.doc {
            self.doc = index;
            self.selection = None;
            self.selected_span = None;
        }
    }

    pub(super) fn edit(&mut self, edit: Edit, merge: Option<String>) {
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
                provenance: crate::ui::adjudication::is_gold(ws.project()).then(|| {
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
