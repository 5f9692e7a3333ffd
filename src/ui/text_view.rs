//! The document text with its spans: wrapped, highlighted, selectable with the mouse.
//!
//! The text is split into blocks (lines, and long lines cut at white space). Only the blocks in
//! view are laid out; their galleys are cached by block and wrap width and hold only the text, so
//! adding or changing a span never lays anything out again: highlights are painted from the
//! galleys' row geometry each frame. Blocks are positioned by cumulative heights, estimated until
//! a block is first laid out. When those heights change (a block measured, the width changed),
//! the view is anchored on the block at its top, so that nothing on screen moves.
//!
//! A caret (see `caret`) takes the keyboard: motions, selections grown from it, pages.

use std::collections::HashMap;
use std::sync::Arc;

use egui::{FontId, Galley, Pos2, Rect, Sense, Ui, vec2};

use super::theme;
use crate::model::{Document, Id};
use crate::schema::Schema;
use crate::text::ByteRange;

/// Two presses closer than this in time (seconds) and space (points) make a double-click.
const DOUBLE_CLICK_SECS: f64 = 0.35;
const DOUBLE_CLICK_DISTANCE: f32 = 6.0;

mod access;
mod bidi;
pub(crate) use bidi::{visual, visual_sections};
mod blocks;
mod caret;
mod interact;
mod paint;
mod scroll;

use bidi::Laid;
use blocks::{assign_lanes, byte_of_char, char_of_byte, split_blocks};
pub use scroll::{DENSITY_BINS, DensityMark, ViewPosition};

/// Lines longer than this many bytes are cut into several blocks (at white space).
const MAX_BLOCK_BYTES: usize = 2_000;

/// The text is laid out again for a new width only when it changed by more than this (points):
/// a side panel a few points wider must not re-wrap a whole novel and move what is on screen.
const WIDTH_SLACK: f32 = 12.0;

/// What the user did in the text view this frame.
#[derive(Clone, Debug, PartialEq)]
pub enum TextAction {
    /// The text selection changed (`None`: cleared).
    Select(Option<ByteRange>),
    /// A span was clicked.
    SelectSpan(Id),
    /// Ctrl+drag over this range with a span selected: add it to the span as a fragment.
    AddFragment(ByteRange),
}

/// What the text view needs to know of the app's state.
#[derive(Clone, Copy, Debug)]
pub struct ViewState<'a> {
    /// The current text selection.
    pub selection: Option<ByteRange>,
    /// The selected span.
    pub selected_span: Option<Id>,
    /// Changes whenever the project changes (the history revision).
    pub revision: u64,
    /// The label schema.
    pub schema: &'a Schema,
    /// A colleague's version of the document, drawn over this one when reviewing.
    pub other: Option<&'a Document>,
    /// Ranges to outline: the difference under review.
    pub highlight: &'a [ByteRange],
    /// The search's hits in this document, sorted (see [`crate::ui::find`]).
    pub search_hits: &'a [crate::search::Hit],
    /// The hit shown, outlined.
    pub current_hit: Option<ByteRange>,
    /// The document's pending suggestions, drawn as dashed outlines in their label's colour.
    pub suggestions: &'a [crate::suggest::Suggestion],
    /// The suggestion shown (an index in `suggestions`), drawn stronger.
    pub current_suggestion: Option<usize>,
}

#[derive(Clone, Debug)]
struct Block {
    /// The block's text in the document (without its line break).
    range: ByteRange,
    /// The line it is part of (from 0).
    line: usize,
}

/// A block as laid out and placed on screen during the last frame.
#[derive(Clone)]
struct Placed {
    block: usize,
    origin: Pos2,
    laid: Laid,
}

/// The state of the text view of one document: blocks, heights, galley cache, drag state.
#[derive(Default)]
pub struct TextView {
    /// The document shown (its text pointer): blocks are rebuilt when it changes.
    text: Option<Arc<str>>,
    blocks: Vec<Block>,
    heights: Vec<f32>,
    measured: Vec<bool>,
    tops: Vec<f32>,
    tops_dirty: bool,
    galleys: HashMap<usize, Laid>,
    layout_key: Option<(u32, u32, bool)>,
    placed: Vec<Placed>,
    /// Underline lane of each annotation, with the revision they were computed at.
    lanes: HashMap<Id, usize>,
    /// Where each annotation is in `Document::annotations`, built with the lanes.
    positions: HashMap<Id, usize>,
    /// The relations (indices) that touch each annotation, built with the lanes.
    relations_of: HashMap<Id, Vec<usize>>,
    lanes_key: Option<(usize, u64)>,
    drag_anchor: Option<usize>,
    /// Where the last click on a span landed, to cycle through overlapping spans.
    last_span_click: Option<(usize, Id)>,
    scroll_to: Option<usize>,
    content_origin: Pos2,
    /// Time and place of the last press, to detect double-clicks.
    last_press: Option<(f64, Pos2)>,
    /// A double-click selected a word: ignore the rest of that press.
    word_select: bool,
    /// A Ctrl+drag is adding a fragment to the selected span.
    adding_fragment: bool,
    /// The range that drag covers so far.
    fragment_range: Option<ByteRange>,
    /// The top of the view in the last frame, in the content's coordinates.
    view_top: f32,
    /// The caret (a byte offset), placed by a click or the keyboard.
    caret: Option<usize>,
    /// The x (content coordinates) that ↑/↓ keep while they move the caret row by row.
    goal_x: Option<f32>,
    /// Bring the caret into view at the next frame.
    follow_caret: bool,
    /// The part of the content in view at the last frame (content coordinates).
    last_viewport: Option<Rect>,
    /// The scroll offset at the end of the last frame.
    last_offset: f32,
    /// A scroll offset asked by the keyboard (pages), for the next frame.
    pending_offset: Option<f32>,
    /// The block at the top of the view at the last frame, with the top it was drawn at: when
    /// heights above it change, the view moves with it so that the text stays put.
    anchor: Option<(usize, f32)>,
    /// Marks of span density beside the scroll bar.
    density: scroll::Density,
    /// The scroll bar on screen at the last frame.
    bar_rect: Option<Rect>,
    /// Where the view was at the last frame.
    position: Option<ViewPosition>,
}

impl TextView {
    /// Scrolls to the byte `offset` at the next frame.
    pub fn scroll_to(&mut self, offset: usize) {
        self.scroll_to = Some(offset);
    }

    /// Where the reading is, as shown in the last frame: the first byte of the block (a line, or
    /// a part of a long line) that [`TextView::scroll_to`] would put where it is now, so that
    /// `scroll_to(reading_offset)` shows the same place again. `None` when the last frame did not
    /// show `document`.
    pub fn reading_offset(&self, document: &Document) -> Option<usize> {
        /// How far below the top of the view `scroll_to` puts its offset (as in [`TextView::ui`]).
        const SCROLL_TO_MARGIN: f32 = 80.0;
        let shown = self.text.as_ref()?;
        if !Arc::ptr_eq(shown, &document.text) || self.placed.is_empty() {
            return None;
        }
        let block = self.block_at_y(self.view_top + SCROLL_TO_MARGIN);
        self.blocks.get(block).map(|b| b.range.start)
    }

    /// The paths of the links drawn in the last frame (for tests: they never cross text).
    pub fn link_paths_in(&self, document: &Document) -> Vec<Vec<Pos2>> {
        self.link_paths(document, None)
            .into_iter()
            .map(|(path, _)| path)
            .collect()
    }

    /// The screen rectangles of the text rows laid out in the last frame, each as tall as a line
    /// ([`theme::LINE_HEIGHT`]) with its glyphs centred in it.
    pub fn row_rects(&self) -> Vec<Rect> {
        self.placed
            .iter()
            .flat_map(|placed| {
                placed
                    .laid
                    .galley
                    .rows
                    .iter()
                    .map(move |row| row.rect().translate(placed.origin.to_vec2()))
            })
            .collect()
    }

    /// Each character drawn in the last frame (with a width: not a mark or a joiner drawn with
    /// the one before) as its byte offset, the character its glyph draws and the rectangle the
    /// glyph takes on screen, in the order of the text (for tests: right-to-left text is drawn
    /// in another order).
    pub fn drawn_chars(&self) -> Vec<(usize, char, Rect)> {
        let Some(text) = self.text.as_deref() else {
            return Vec::new();
        };
        let mut drawn = Vec::new();
        for placed in &self.placed {
            let Some(range) = self.blocks.get(placed.block).map(|b| b.range) else {
                continue;
            };
            let mut offsets = range
                .slice(text)
                .char_indices()
                .map(|(i, _)| range.start + i);
            for row in &placed.laid.galley.rows {
                let rect = row.rect();
                for glyph in &row.row.glyphs {
                    let Some(offset) = offsets.next() else { break };
                    if glyph.advance_width > 0.0 {
                        drawn.push((
                            offset,
                            glyph.chr,
                            Rect::from_min_max(
                                placed.origin + vec2(row.pos.x + glyph.pos.x, rect.min.y),
                                placed.origin + vec2(row.pos.x + glyph.max_x(), rect.max.y),
                            ),
                        ));
                    }
                }
                if row.ends_with_newline {
                    offsets.next();
                }
            }
        }
        drawn
    }

    /// The rectangles the highlight of `range` (document bytes) covers on screen in the last
    /// frame, as the spans' fills are painted.
    pub fn range_screen_rects(&self, range: ByteRange) -> Vec<Rect> {
        let Some(text) = self.text.as_deref() else {
            return Vec::new();
        };
        self.placed
            .iter()
            .filter_map(|placed| {
                let block = self.blocks.get(placed.block)?.range;
                Some(paint::range_rects(text, block, range, placed))
            })
            .flatten()
            .collect()
    }

    /// The screen position of the character boundary at byte `offset`, as laid out in the last
    /// frame (where the caret stands before the character: its left edge, or its right edge
    /// when it is drawn right to left; at mid height of its row); `None` when not in view.
    pub fn screen_pos(&self, offset: usize) -> Option<Pos2> {
        let text = self.text.as_deref()?;
        self.placed.iter().find_map(|placed| {
            let range = self.blocks.get(placed.block)?.range;
            if offset < range.start || offset > range.end {
                return None;
            }
            let char_index = char_of_byte(text, range, offset);
            let rect = placed.laid.caret_rect(char_index, false);
            Some(placed.origin + vec2(rect.min.x, rect.center().y))
        })
    }

    /// Shows `document` and returns what the user did.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        doc_index: usize,
        document: &Document,
        state: ViewState<'_>,
    ) -> Vec<TextAction> {
        // A wide, solid scroll bar (for this view only): the text keeps a margin before it.
        let scroll_style =
            std::mem::replace(&mut ui.style_mut().spacing.scroll, Self::scroll_style());
        let actions = self.view_ui(ui, doc_index, document, state);
        ui.style_mut().spacing.scroll = scroll_style;
        actions
    }

    fn view_ui(
        &mut self,
        ui: &mut Ui,
        doc_index: usize,
        document: &Document,
        state: ViewState<'_>,
    ) -> Vec<TextAction> {
        self.prepare(ui, doc_index, document, state);
        let mut actions = Vec::new();
        let text = document.text.clone();
        if !ui.ctx().egui_wants_keyboard_input() && self.last_viewport.is_some() {
            let selected = state
                .selected_span
                .and_then(|id| document.annotation(id))
                .map(crate::model::Annotation::extent);
            self.keyboard(ui, &text, state, selected, &mut actions);
            if self.tops_dirty {
                self.recompute_tops();
            }
        }
        let mut scroll_area = egui::ScrollArea::vertical()
            .id_salt("text-view")
            .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
            .auto_shrink([false, false]);
        // What the app asks first, then the keys, then the caret; else the view keeps its text.
        let follow = self.follow(ui, &text);
        let jump = self.scroll_to.take().and_then(|offset| {
            let block = self.block_of(offset)?;
            let top = self.tops.get(block).copied().unwrap_or(0.0);
            Some((top - 80.0).max(0.0))
        });
        let anchored = self.anchor.and_then(|(block, drawn_at)| {
            let top = self.tops.get(block).copied()?;
            ((top - drawn_at).abs() > 0.01).then(|| (self.last_offset + top - drawn_at).max(0.0))
        });
        if let Some(offset) = jump.or(self.pending_offset.take()).or(follow).or(anchored) {
            scroll_area = scroll_area.vertical_scroll_offset(offset);
        }
        let output = scroll_area.show_viewport(ui, |ui, viewport| {
            self.last_viewport = Some(viewport);
            self.viewport_ui(ui, viewport, document, state, &mut actions);
        });
        self.last_offset = output.state.clamped_offset().y;
        self.update_density(doc_index, document, state.revision, state.schema);
        self.paint_density(ui, output.inner_rect);
        let max_offset = output.content_size.y - output.inner_rect.height();
        self.update_position(ui, self.last_offset, max_offset);
        if self.tops_dirty {
            ui.ctx().request_repaint();
        }
        actions
    }

    fn prepare(&mut self, ui: &Ui, doc_index: usize, document: &Document, state: ViewState<'_>) {
        let same_text = self
            .text
            .as_ref()
            .is_some_and(|t| Arc::ptr_eq(t, &document.text));
        if !same_text {
            self.text = Some(document.text.clone());
            self.blocks = split_blocks(&document.text);
            self.heights = vec![theme::LINE_HEIGHT; self.blocks.len()];
            self.measured = vec![false; self.blocks.len()];
            self.galleys.clear();
            self.tops_dirty = true;
            self.drag_anchor = None;
            self.lanes_key = None;
            self.caret = None;
            self.anchor = None;
            self.last_viewport = None;
            self.density.reset();
        }
        let bar = ui.spacing().scroll.allocated_width();
        let mut width = (ui.available_width() - 24.0 - bar).max(100.0);
        if let Some((old, zoom, dark)) = self.layout_key {
            let old = f32::from_bits(old);
            if (old - width).abs() <= WIDTH_SLACK
                && zoom == ui.ctx().zoom_factor().to_bits()
                && dark == ui.visuals().dark_mode
            {
                width = old;
            }
        }
        let key = (
            width.to_bits(),
            ui.ctx().zoom_factor().to_bits(),
            ui.visuals().dark_mode,
        );
        if self.layout_key != Some(key) {
            self.layout_key = Some(key);
            self.galleys.clear();
            self.measured.iter_mut().for_each(|m| *m = false);
            // Re-estimate heights for the new width.
            let chars_per_row = (width / (theme::TEXT_SIZE * 0.48)).max(10.0);
            for (height, block) in self.heights.iter_mut().zip(&self.blocks) {
                let rows = (block.range.len() as f32 / chars_per_row).ceil().max(1.0);
                *height = rows * theme::LINE_HEIGHT;
            }
            self.tops_dirty = true;
        }
        if self.lanes_key != Some((doc_index, state.revision)) {
            self.lanes_key = Some((doc_index, state.revision));
            self.lanes = assign_lanes(document);
            self.positions = document
                .annotations
                .iter()
                .enumerate()
                .map(|(i, a)| (a.id, i))
                .collect();
            self.relations_of.clear();
            for (i, relation) in document.relations.iter().enumerate() {
                self.relations_of.entry(relation.from).or_default().push(i);
                if relation.to != relation.from {
                    self.relations_of.entry(relation.to).or_default().push(i);
                }
            }
        }
        if self.tops_dirty {
            self.recompute_tops();
        }
    }

    fn recompute_tops(&mut self) {
        let mut top = 0.0;
        self.tops.clear();
        for height in &self.heights {
            self.tops.push(top);
            top += height;
        }
        self.tops.push(top);
        self.tops_dirty = false;
    }

    fn total_height(&self) -> f32 {
        self.tops.last().copied().unwrap_or(0.0)
    }

    fn block_of(&self, offset: usize) -> Option<usize> {
        let at = self.blocks.partition_point(|b| b.range.end < offset);
        (at < self.blocks.len()).then_some(at)
    }

    fn block_at_y(&self, y: f32) -> usize {
        let at = self.tops.partition_point(|top| *top <= y);
        at.saturating_sub(1)
            .min(self.blocks.len().saturating_sub(1))
    }

    /// The layout of a block (laid out now if it is not cached): egui's galley, or for a block
    /// with right-to-left text, rows in visual order (see [`bidi`]).
    fn galley(&mut self, ui: &Ui, text: &str, block: usize) -> Option<Laid> {
        if let Some(laid) = self.galleys.get(&block) {
            return Some(laid.clone());
        }
        let range = self.blocks.get(block)?.range;
        let width = f32::from_bits(self.layout_key?.0);
        let block_text = range.slice(text);
        let format = egui::TextFormat {
            font_id: FontId::proportional(theme::TEXT_SIZE),
            color: ui.visuals().text_color(),
            line_height: Some(theme::LINE_HEIGHT),
            ..Default::default()
        };
        let painter = ui.painter();
        let lay_out = |text: &str, max_width: f32, family: Option<bidi::Script>| -> Arc<Galley> {
            let mut format = format.clone();
            if let Some(script) = family
                && let Some(name) = super::fonts::RTL_FAMILIES.get(script.index())
            {
                format.font_id.family = egui::FontFamily::Name((*name).into());
            }
            let mut job = egui::text::LayoutJob::single_section(text.to_owned(), format);
            job.wrap.max_width = max_width;
            painter.layout_job(job)
        };
        let reordered = bidi::needs_reordering(block_text)
            .then(|| {
                bidi::layout(
                    block_text,
                    width,
                    theme::TEXT_SIZE,
                    super::fonts::has_rtl_families(ui.ctx()),
                    &mut |s, script| lay_out(s, f32::INFINITY, script),
                )
            })
            .flatten();
        let laid = reordered.unwrap_or_else(|| Laid::plain(lay_out(block_text, width, None)));
        let galley = &laid.galley;
        let height = galley.size().y.max(theme::LINE_HEIGHT);
        if let (Some(h), Some(m)) = (self.heights.get_mut(block), self.measured.get_mut(block)) {
            if (*h - height).abs() > 0.5 {
                *h = height;
                self.tops_dirty = true;
            }
            *m = true;
        }
        if self.galleys.len() > 4_000 {
            self.galleys.clear();
        }
        self.galleys.insert(block, laid.clone());
        Some(laid)
    }

    fn viewport_ui(
        &mut self,
        ui: &mut Ui,
        viewport: Rect,
        document: &Document,
        state: ViewState<'_>,
        actions: &mut Vec<TextAction>,
    ) {
        let text = document.text.clone();
        self.view_top = viewport.min.y;
        let total = self.total_height();
        let (content, response) = ui.allocate_exact_size(
            vec2(ui.available_width(), total.max(viewport.height())),
            Sense::click_and_drag(),
        );
        self.content_origin = content.min + vec2(8.0, 4.0);
        let origin = self.content_origin;

        // Lay out and place the visible blocks.
        self.placed.clear();
        if !self.blocks.is_empty() {
            let first = self.block_at_y(viewport.min.y - 4.0);
            let mut block = first;
            // Each block goes right below the one before as measured now, so that a block whose
            // estimated height was wrong never overlaps or shifts the ones after it.
            let mut top = self.tops.get(first).copied().unwrap_or(0.0);
            while block < self.blocks.len() && top <= viewport.max.y {
                if let Some(laid) = self.galley(ui, &text, block) {
                    self.placed.push(Placed {
                        block,
                        origin: origin + vec2(0.0, top),
                        laid,
                    });
                }
                top += self
                    .heights
                    .get(block)
                    .copied()
                    .unwrap_or(theme::LINE_HEIGHT);
                block += 1;
            }
        }

        self.anchor = self
            .placed
            .first()
            .map(|p| (p.block, self.tops.get(p.block).copied().unwrap_or(0.0)));
        self.paint(ui, document, state);
        self.paint_caret(ui);
        self.interact(ui, &response, document, state, actions);
        self.describe(ui, &response, document, state);
        if self.tops_dirty {
            self.recompute_tops();
            // The total height changed: one more frame with the scroll area sized to it.
            ui.ctx().request_repaint();
        }
    }

    /// The byte offset at a screen position, laying out the block under it if needed.
    fn hit(&mut self, ui: &Ui, pos: Pos2) -> Option<usize> {
        let origin = self.content_origin;
        self.hit_content(ui, Pos2::ZERO + (pos - origin))
    }

    /// The byte offset at a position relative to the text's origin (content coordinates, as the
    /// blocks' tops), laying out the block there if needed.
    fn hit_content(&mut self, ui: &Ui, pos: Pos2) -> Option<usize> {
        let text = self.text.clone()?;
        let block = self.block_at_y(pos.y);
        let range = self.blocks.get(block)?.range;
        let laid = self.galley(ui, &text, block)?;
        let top = self.tops.get(block).copied().unwrap_or(0.0);
        let index = laid.char_at(pos - Pos2::new(0.0, top));
        Some(byte_of_char(&text, range, index))
    }
}
