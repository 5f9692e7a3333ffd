//! The caret of the text view and its keys: arrows move it (Shift extends the selection, Ctrl by
//! word), ↑/↓ by laid-out row, Home/End to the line's ends, Ctrl+Home/End to the document's,
//! PageUp/PageDown and Space scroll a page and the caret follows; the view follows the caret.
//!
//! Each key costs a few blocks' layout at most, never work proportional to the document.

use egui::{Event, Key, Rect, Stroke, Ui, pos2, vec2};

use super::blocks::char_of_byte;
use super::{TextAction, TextView, ViewState};
use crate::text::{ByteRange, motion};
use crate::ui::theme;

/// What a key does to the caret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Motion {
    Left,
    Right,
    WordLeft,
    WordRight,
    Up,
    Down,
    LineStart,
    LineEnd,
    DocumentStart,
    DocumentEnd,
    PageUp,
    PageDown,
}

/// The text view's keys pressed this frame (taken from the input), each with whether it extends
/// the selection (Shift held).
fn take_keys(ui: &Ui) -> Vec<(Motion, bool)> {
    ui.input_mut(|input| {
        let mut taken = Vec::new();
        input.events.retain(|event| {
            let Event::Key {
                key,
                pressed: true,
                modifiers,
                ..
            } = event
            else {
                return true;
            };
            // Alt+arrows belong to commands (documents, growing the selection).
            if modifiers.alt || modifiers.mac_cmd && !modifiers.command {
                return true;
            }
            let command = modifiers.command || modifiers.ctrl;
            let motion = match (key, command) {
                (Key::ArrowLeft, false) => Motion::Left,
                (Key::ArrowRight, false) => Motion::Right,
                (Key::ArrowLeft, true) => Motion::WordLeft,
                (Key::ArrowRight, true) => Motion::WordRight,
                (Key::ArrowUp, false) => Motion::Up,
                (Key::ArrowDown, false) => Motion::Down,
                (Key::Home, false) => Motion::LineStart,
                (Key::End, false) => Motion::LineEnd,
                (Key::Home, true) => Motion::DocumentStart,
                (Key::End, true) => Motion::DocumentEnd,
                (Key::PageUp, false) => Motion::PageUp,
                (Key::PageDown, false) => Motion::PageDown,
                // Space pages down, Shift+Space up, as in a browser: they never select.
                (Key::Space, false) => {
                    taken.push((
                        if modifiers.shift {
                            Motion::PageUp
                        } else {
                            Motion::PageDown
                        },
                        false,
                    ));
                    return false;
                }
                _ => return true,
            };
            taken.push((motion, modifiers.shift));
            false
        });
        taken
    })
}

impl TextView {
    /// Where the caret is (a byte offset in the document), if it was placed.
    pub fn caret(&self) -> Option<usize> {
        self.caret
    }

    /// Places the caret at byte `offset` (none: hides it); the view follows it at the next frame.
    pub fn set_caret(&mut self, offset: Option<usize>) {
        self.caret = offset;
        self.goal_x = None;
        self.follow_caret = offset.is_some();
    }

    /// The part of the content in view at the last frame.
    fn view(&self) -> Rect {
        self.last_viewport.unwrap_or(Rect::ZERO)
    }

    /// The caret's rectangle in content coordinates (a zero-width rectangle of the row's height),
    /// laying out its block if needed.
    pub(super) fn caret_rect(&mut self, ui: &Ui, text: &str, offset: usize) -> Option<Rect> {
        let block = self.block_of(offset)?;
        let range = self.blocks.get(block)?.range;
        let laid = self.galley(ui, text, block)?;
        if self.tops_dirty {
            self.recompute_tops();
        }
        let rect = laid.caret_rect(char_of_byte(text, range, offset), true);
        let top = self.tops.get(block).copied()?;
        Some(rect.translate(vec2(0.0, top)))
    }

    /// The offset one laid-out row above or below `offset`, at the column the vertical moves
    /// started from.
    fn vertical(&mut self, ui: &Ui, text: &str, offset: usize, up: bool) -> usize {
        let Some(rect) = self.caret_rect(ui, text, offset) else {
            return motion::vertical(text, offset, up);
        };
        let x = *self.goal_x.get_or_insert(rect.min.x);
        let y = if up {
            rect.min.y - 0.5 * theme::LINE_HEIGHT
        } else {
            rect.max.y + 0.5 * theme::LINE_HEIGHT
        };
        if y < 0.0 {
            return 0;
        }
        if y >= self.total_height() {
            return text.len();
        }
        self.hit_content(ui, pos2(x, y)).unwrap_or(offset)
    }

    /// Applies the keys of this frame: moves the caret, changes the selection, scrolls.
    pub(super) fn keyboard(
        &mut self,
        ui: &Ui,
        text: &str,
        state: ViewState<'_>,
        selected_extent: Option<ByteRange>,
        actions: &mut Vec<TextAction>,
    ) {
        let keys = take_keys(ui);
        if keys.is_empty() {
            return;
        }
        // The arrows were the caret's this frame, not a move of egui's keyboard focus.
        ui.ctx()
            .memory_mut(|m| m.move_focus(egui::FocusDirection::None));
        let mut selection = state.selection;
        for (motion, extend) in keys {
            self.apply_motion(ui, text, motion, extend, &mut selection, selected_extent);
        }
        if selection != state.selection {
            actions.push(TextAction::Select(selection));
        }
    }

    fn apply_motion(
        &mut self,
        ui: &Ui,
        text: &str,
        motion: Motion,
        extend: bool,
        selection: &mut Option<ByteRange>,
        selected_extent: Option<ByteRange>,
    ) {
        let page = (self.view().height() - 2.0 * theme::LINE_HEIGHT).max(theme::LINE_HEIGHT);
        let paging = matches!(motion, Motion::PageUp | Motion::PageDown);
        let placed = self
            .caret
            .or_else(|| selection.map(|s| s.end))
            .or_else(|| selected_extent.map(|s| s.end));
        let caret = match placed {
            Some(caret) => caret.min(text.len()),
            // No caret yet: paging only scrolls, other keys start at the top of the view.
            None if paging => {
                self.scroll_by(if motion == Motion::PageUp {
                    -page
                } else {
                    page
                });
                return;
            }
            None => self
                .hit_content(
                    ui,
                    pos2(0.0, self.view().min.y.max(0.0) + theme::LINE_HEIGHT * 0.5),
                )
                .unwrap_or(0),
        };
        let anchor = match *selection {
            Some(s) if caret == s.start => s.end,
            Some(s) => s.start,
            None => caret,
        };
        let collapse = !extend && selection.is_some_and(|s| !s.is_empty());
        if !matches!(motion, Motion::Up | Motion::Down) {
            self.goal_x = None;
        }
        let moved = match motion {
            Motion::Left if collapse => selection.map_or(caret, |s| s.start),
            Motion::Right if collapse => selection.map_or(caret, |s| s.end),
            Motion::Left => motion::previous_grapheme(text, caret),
            Motion::Right => motion::next_grapheme(text, caret),
            Motion::WordLeft => motion::previous_word_start(text, caret),
            Motion::WordRight => motion::next_word_end(text, caret),
            Motion::Up => self.vertical(ui, text, caret, true),
            Motion::Down => self.vertical(ui, text, caret, false),
            Motion::LineStart => motion::line_start(text, caret),
            Motion::LineEnd => motion::line_end(text, caret),
            Motion::DocumentStart => 0,
            Motion::DocumentEnd => text.len(),
            Motion::PageUp | Motion::PageDown => {
                let delta = if motion == Motion::PageUp {
                    -page
                } else {
                    page
                };
                let moved = self.scroll_by(delta);
                // The page shown next, measured now, so that the caret lands where it will be
                // drawn.
                let to = self.pending_offset.unwrap_or(self.last_offset);
                self.measure(ui, text, to, to + self.view().height());
                // The caret keeps its place on screen.
                self.caret_rect(ui, text, caret)
                    .and_then(|rect| self.hit_content(ui, rect.center() + vec2(0.0, moved)))
                    .unwrap_or(caret)
            }
        };
        self.caret = Some(moved);
        self.follow_caret = !paging;
        *selection = if extend {
            let range = ByteRange::new(anchor.min(moved), anchor.max(moved));
            (!range.is_empty()).then_some(range)
        } else {
            None
        };
    }

    /// Lays out the blocks from content height `from` to `to` (a page at most), so that their
    /// heights are measured.
    fn measure(&mut self, ui: &Ui, text: &str, from: f32, to: f32) {
        let mut block = self.block_at_y(from);
        let mut y = self.tops.get(block).copied().unwrap_or(0.0);
        while block < self.blocks.len() && y <= to {
            let _galley = self.galley(ui, text, block);
            y += self
                .heights
                .get(block)
                .copied()
                .unwrap_or(theme::LINE_HEIGHT);
            block += 1;
        }
        if self.tops_dirty {
            self.recompute_tops();
        }
    }

    /// Scrolls the view by `delta` points at the next frame, within the content; returns the
    /// distance it will move.
    fn scroll_by(&mut self, delta: f32) -> f32 {
        let from = self.pending_offset.unwrap_or(self.last_offset);
        let max = (self.total_height() - self.view().height()).max(0.0);
        let to = (from + delta).clamp(0.0, max);
        self.pending_offset = Some(to);
        to - from
    }

    /// The scroll offset that brings the caret into view (after a key moved it), if it is not.
    pub(super) fn follow(&mut self, ui: &Ui, text: &str) -> Option<f32> {
        if !std::mem::take(&mut self.follow_caret) {
            return None;
        }
        let rect = self.caret_rect(ui, text, self.caret?)?;
        // The text starts 4 points below the top of the content.
        let (top, bottom) = (rect.min.y + 4.0, rect.max.y + 4.0);
        let view = self.view();
        let margin = theme::LINE_HEIGHT * 0.5;
        if top < view.min.y + margin {
            Some((top - margin).max(0.0))
        } else if bottom > view.max.y - margin {
            Some(bottom - view.height() + margin)
        } else {
            None
        }
    }

    /// Where the caret is drawn on screen (a zero-width rectangle of its row's height), as laid
    /// out in the last frame; `None` without a caret or when it is not in view.
    pub fn caret_screen_rect(&self) -> Option<Rect> {
        let caret = self.caret?;
        let text = self.text.as_deref()?;
        let (placed, range) = self.placed.iter().find_map(|p| {
            let range = self.blocks.get(p.block)?.range;
            (range.start <= caret && caret <= range.end).then_some((p, range))
        })?;
        let rect = placed
            .laid
            .caret_rect(char_of_byte(text, range, caret), true);
        Some(rect.translate(placed.origin.to_vec2()))
    }

    /// Draws the caret, when it is in a block on screen.
    pub(super) fn paint_caret(&self, ui: &Ui) {
        let Some(rect) = self.caret_screen_rect() else {
            return;
        };
        ui.painter().line_segment(
            [rect.left_top(), rect.left_bottom()],
            Stroke::new(1.5, ui.visuals().text_color()),
        );
    }
}
