//! Selections made from the keyboard: the sentence at the caret, and the selection grown to the
//! clause, the quote, the sentence, the line around it. A label's key then makes the span.

use super::MarginaliaApp;
use super::notifications::Level;
use crate::text::{ByteRange, motion};

impl MarginaliaApp {
    /// The document's text, and where a keyboard selection starts from: the selection, else the
    /// selected span, else the caret (an empty range).
    fn keyboard_base(&self) -> Option<(std::sync::Arc<str>, ByteRange)> {
        let document = self.workspace.as_ref()?.project().document(self.doc)?;
        let base = self
            .selection
            .or_else(|| {
                self.selected_span
                    .and_then(|id| document.annotation(id))
                    .map(crate::model::Annotation::extent)
            })
            .or_else(|| self.text_view.caret().map(|c| ByteRange::new(c, c)))?;
        Some((document.text.clone(), base))
    }

    fn select_from_keyboard(&mut self, range: ByteRange) {
        self.link_from = None;
        self.selected_span = None;
        self.selection = Some(range);
        self.text_view.set_caret(Some(range.end));
    }

    /// Selects the sentence at the caret (or at the start of the selection or selected span).
    pub(super) fn select_sentence(&mut self) {
        let Some((text, base)) = self.keyboard_base() else {
            self.notify(
                Level::Info,
                "Click in the text first: the caret says which sentence",
            );
            return;
        };
        let at = if self.selection.is_some() || self.selected_span.is_some() {
            base.start
        } else {
            self.text_view.caret().unwrap_or(base.start)
        };
        if let Some(sentence) = motion::sentence_at(&text, at) {
            self.select_from_keyboard(sentence);
        }
    }

    /// Grows the selection (or the selected span's extent, or the caret) to the next unit out.
    pub(super) fn grow_selection(&mut self) {
        let Some((text, base)) = self.keyboard_base() else {
            self.notify(Level::Info, "Click in the text first, or select some text");
            return;
        };
        if let Some(grown) = motion::grow(&text, base) {
            self.select_from_keyboard(grown);
        }
    }
}
