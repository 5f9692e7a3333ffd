//! The mouse on the text view: presses, drags, double-clicks, clicks on spans (cycling through
//! overlapping ones) and the hover card.

use egui::Ui;

use super::paint::hover_card;
use super::{DOUBLE_CLICK_DISTANCE, DOUBLE_CLICK_SECS, TextAction, TextView, ViewState};
use crate::model::Document;
use crate::text::{ByteRange, word_at};

impl TextView {
    pub(super) fn interact(
        &mut self,
        ui: &Ui,
        response: &egui::Response,
        document: &Document,
        state: ViewState<'_>,
        actions: &mut Vec<TextAction>,
    ) {
        let shift = ui.input(|i| i.modifiers.shift);
        // Double-click selects a word. Detected at the second press, as editors do, so that
        // the press is not mistaken for the start of a drag.
        let (pressed, released, now) = ui.input(|i| {
            (
                i.pointer.primary_pressed(),
                i.pointer.primary_released(),
                i.time,
            )
        });
        if pressed
            && response.hovered()
            && let Some(pos) = ui.input(|i| i.pointer.press_origin())
        {
            let double = self.last_press.is_some_and(|(at, p)| {
                now - at < DOUBLE_CLICK_SECS && p.distance(pos) < DOUBLE_CLICK_DISTANCE
            });
            self.last_press = if double { None } else { Some((now, pos)) };
            if double {
                self.word_select = true;
                self.drag_anchor = None;
                if let Some(offset) = self.hit(ui, pos) {
                    let text = &document.text;
                    let word = word_at(text, offset).or_else(|| {
                        offset
                            .checked_sub(1)
                            .and_then(|o| word_at(text, crate::text::floor_char_boundary(text, o)))
                    });
                    if let Some(word) = word {
                        self.caret = Some(word.end);
                        actions.push(TextAction::Select(Some(word)));
                    }
                }
            }
        }
        if self.word_select {
            if released {
                self.word_select = false;
            }
            return;
        }
        if response.drag_started() {
            let press = ui
                .input(|i| i.pointer.press_origin())
                .or_else(|| response.interact_pointer_pos());
            let command = ui.input(|i| i.modifiers.command);
            self.adding_fragment = command && state.selected_span.is_some();
            self.fragment_range = None;
            if let Some(offset) = press.and_then(|p| self.hit(ui, p)) {
                let anchor = match (shift, state.selection) {
                    (true, Some(sel)) if offset >= sel.start => sel.start,
                    (true, Some(sel)) => sel.end,
                    _ => offset,
                };
                self.drag_anchor = Some(anchor);
            }
        }
        if response.dragged()
            && let (Some(anchor), Some(pos)) = (self.drag_anchor, response.interact_pointer_pos())
            && let Some(offset) = self.hit(ui, pos)
        {
            let range = ByteRange::new(anchor.min(offset), anchor.max(offset));
            let selection = (!range.is_empty()).then_some(range);
            self.caret = Some(offset);
            self.goal_x = None;
            if self.adding_fragment {
                self.fragment_range = selection;
            } else if selection != state.selection {
                actions.push(TextAction::Select(selection));
            }
        }
        if response.drag_stopped() {
            self.drag_anchor = None;
            if std::mem::take(&mut self.adding_fragment)
                && let Some(range) = self.fragment_range.take()
            {
                actions.push(TextAction::AddFragment(range));
            }
        }
        if response.clicked()
            && let Some(offset) = response
                .interact_pointer_pos()
                .and_then(|p| self.hit(ui, p))
        {
            // A click places the caret, on plain text as on a span.
            self.caret = Some(offset);
            self.goal_x = None;
            if shift
                && let Some(sel) = state.selection.or_else(|| {
                    state
                        .selected_span
                        .and_then(|id| document.annotation(id))
                        .map(crate::model::Annotation::extent)
                })
            {
                let range = ByteRange::new(sel.start.min(offset), sel.end.max(offset));
                actions.push(TextAction::Select(Some(range)));
                return;
            }
            let spans = document.annotations_at(offset);
            if spans.is_empty() {
                self.last_span_click = None;
                actions.push(TextAction::Select(None));
                return;
            }
            // A second click on the same spot selects the next span out.
            let next = match self.last_span_click {
                Some((at, id))
                    if at == offset
                        || spans
                            .iter()
                            .any(|a| a.id == id && Some(id) == state.selected_span) =>
                {
                    let i = spans
                        .iter()
                        .position(|a| a.id == id)
                        .map_or(0, |i| (i + 1) % spans.len());
                    spans.get(i)
                }
                _ => spans.first(),
            };
            if let Some(annotation) = next {
                self.last_span_click = Some((offset, annotation.id));
                actions.push(TextAction::SelectSpan(annotation.id));
            }
        }
        if response.hovered()
            && self.drag_anchor.is_none()
            && let Some(pos) = response.hover_pos()
            && let Some(offset) = self.hit(ui, pos)
        {
            let spans = document.annotations_at(offset);
            if !spans.is_empty() {
                response.clone().on_hover_ui_at_pointer(|ui| {
                    for annotation in spans {
                        hover_card(ui, annotation, state.schema);
                    }
                });
            }
        }
    }
}
