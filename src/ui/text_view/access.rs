//! What the text view tells screen readers (AccessKit): the document's text as the value of a
//! document node named after the document, and as its description the selection and the spans
//! under the caret (or the selected span), each with its label, note, attributes and links.

use std::fmt::Write as _;

use egui::{Response, Ui, accesskit};

use super::{TextView, ViewState};
use crate::model::{Annotation, Document};

/// Up to this many bytes, the node's value is the whole text; beyond, the text of the lines on
/// screen (a screen reader reads what is shown, and a novel is not copied every frame).
const WHOLE_TEXT_UP_TO: usize = 256 * 1024;

/// The longest excerpt of a span or a selection quoted in the description, in characters.
const QUOTE_CHARS: usize = 120;

impl TextView {
    /// Fills the AccessKit node of the text view's `response` (only when AccessKit is on: a
    /// screen reader or the GUI tests asked for it).
    pub(super) fn describe(
        &self,
        ui: &Ui,
        response: &Response,
        document: &Document,
        state: ViewState<'_>,
    ) {
        let text = &document.text;
        let value = || {
            if text.len() <= WHOLE_TEXT_UP_TO {
                text.to_string()
            } else {
                self.placed
                    .iter()
                    .filter_map(|p| self.blocks.get(p.block))
                    .map(|b| b.range.slice(text))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        };
        let caret = self.caret.or(state.selection.map(|s| s.end));
        ui.ctx().accesskit_node_builder(response.id, |node| {
            node.set_role(accesskit::Role::Document);
            node.set_label(format!("Document text: {}", document.path));
            node.set_value(value());
            let description = describe(document, state, caret);
            if !description.is_empty() {
                node.set_description(description);
            }
        });
    }
}

/// The selection, then the spans at the caret (the selected span first), as sentences.
pub fn describe(document: &Document, state: ViewState<'_>, caret: Option<usize>) -> String {
    let text = &document.text;
    let mut parts = Vec::new();
    if let Some(selection) = state.selection.filter(|s| !s.is_empty()) {
        parts.push(format!(
            "Selected: “{}”.",
            quoted(selection.slice(text).trim())
        ));
    }
    let selected = state.selected_span.and_then(|id| document.annotation(id));
    let mut spans: Vec<&Annotation> = selected.into_iter().collect();
    if let Some(offset) = caret {
        spans.extend(
            document
                .annotations
                .iter()
                .filter(|a| a.covers(offset) && Some(a.id) != state.selected_span),
        );
    }
    for span in spans {
        parts.push(span_sentence(
            document,
            span,
            Some(span.id) == state.selected_span,
        ));
    }
    parts.join(" ")
}

/// "Selected span: claim “…”, note: …, stance: denies, attributed-to source “…”."
fn span_sentence(document: &Document, span: &Annotation, selected: bool) -> String {
    let text = &document.text;
    let mut sentence = format!(
        "{}: {} “{}”",
        if selected { "Selected span" } else { "Span" },
        span.label,
        quoted(&span.text(text))
    );
    if !span.note.is_empty() {
        sentence.push_str(", note: ");
        sentence.push_str(&span.note);
    }
    for (name, value) in &span.attributes {
        sentence.push_str(", ");
        sentence.push_str(name);
        sentence.push_str(": ");
        sentence.push_str(value);
    }
    for relation in &document.relations {
        let (direction, other) = if relation.from == span.id {
            ("", relation.to)
        } else if relation.to == span.id {
            ("from ", relation.from)
        } else {
            continue;
        };
        if let Some(other) = document.annotation(other) {
            let _ = write!(
                sentence,
                ", {} {direction}{} “{}”",
                relation.kind,
                other.label,
                quoted(&other.text(text))
            );
        }
    }
    sentence.push('.');
    sentence
}

/// `text`, cut to [`QUOTE_CHARS`] characters with an ellipsis.
fn quoted(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((at, _)) => format!("{}…", text.get(..at).unwrap_or(text)),
        None => text.to_owned(),
    }
}
