//! Where am I: a scroll bar wide enough to grab, marks beside it showing where the spans are
//! dense, and the position in the document (line and percentage) for the status bar.
//!
//! The marks are counted once per (document, revision, height bucket): each span goes to one of
//! [`DENSITY_BINS`] bins along the text's height, by the top of the block it starts in. Painting
//! them is then proportional to the bins, never to the document.

use std::collections::BTreeMap;

use egui::{Color32, Rect, Ui, pos2};

use super::TextView;
use crate::model::Document;
use crate::schema::Schema;
use crate::ui::theme;

/// How many bins along the text's height the density marks are counted in.
pub const DENSITY_BINS: usize = 200;

/// Width of the scroll bar (points): wide enough to grab.
const BAR_WIDTH: f32 = 12.0;
/// Room between the text's area and the bar (points): the density marks are drawn in it.
const BAR_MARGIN: f32 = 7.0;
/// The handle is never shorter than this (points), even in a novel.
const HANDLE_MIN: f32 = 32.0;

/// A mark beside the scroll bar: the spans that start in one bin along the text's height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DensityMark {
    /// The bin: 0 at the top of the text, [`DENSITY_BINS`] − 1 at the bottom.
    pub bin: usize,
    /// How many spans start in it.
    pub count: usize,
    /// The colour of the label most of them have (the first such label by name on a tie).
    pub color: Color32,
}

/// Where the view is in its document, as shown at the last frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViewPosition {
    /// The first byte of the first block in view.
    pub offset: usize,
    /// The line (paragraph) it is on, from 1.
    pub line: usize,
    /// How many lines the document has.
    pub lines: usize,
    /// How far down the document the view is scrolled, from 0 (top) to 100 (bottom, or all of
    /// the text in view).
    pub percent: u8,
}

impl ViewPosition {
    /// The position as the status bar shows it: "¶ 120 of 800 · 42 %".
    pub fn label(&self) -> String {
        format!("¶ {} of {} · {} %", self.line, self.lines, self.percent)
    }
}

/// The density marks and what they were counted for.
#[derive(Default)]
pub(super) struct Density {
    /// Document index, revision and height bucket the marks were counted at.
    key: Option<(usize, u64, i32)>,
    marks: Vec<DensityMark>,
    computations: u64,
}

impl Density {
    /// Forgets the marks (another text is shown).
    pub(super) fn reset(&mut self) {
        self.key = None;
    }
}

/// The total height in steps of about 1.4 %: the marks are counted again only when the heights
/// (estimated until the blocks are laid out) have moved that much.
fn height_bucket(total: f32) -> i32 {
    (total.max(1.0).log2() * 50.0).round() as i32
}

impl TextView {
    /// The text view's scroll bar: solid (it takes its own room, the text never runs under it),
    /// always shown (the text's width does not change with the document) and wide.
    pub fn scroll_style() -> egui::style::ScrollStyle {
        egui::style::ScrollStyle {
            bar_width: BAR_WIDTH,
            bar_inner_margin: BAR_MARGIN,
            bar_outer_margin: 1.0,
            handle_min_length: HANDLE_MIN,
            ..egui::style::ScrollStyle::solid()
        }
    }

    /// The density marks beside the scroll bar, top to bottom, only bins with spans.
    pub fn density(&self) -> &[DensityMark] {
        &self.density.marks
    }

    /// How many times the density marks were counted since this view was made (they are
    /// counted again only when the document, its revision or its height changed).
    pub fn density_computations(&self) -> u64 {
        self.density.computations
    }

    /// The scroll bar's rectangle on screen at the last frame (the part that can be grabbed).
    pub fn scroll_bar_rect(&self) -> Option<Rect> {
        self.bar_rect
    }

    /// Where the view was in `document` at the last frame; `None` when it did not show it.
    pub fn position(&self, document: &Document) -> Option<ViewPosition> {
        let shown = self.text.as_ref()?;
        if !std::sync::Arc::ptr_eq(shown, &document.text) {
            return None;
        }
        self.position
    }

    /// Counts the spans of `document` into bins, when the document, revision or height bucket
    /// changed since the last count.
    pub(super) fn update_density(
        &mut self,
        doc_index: usize,
        document: &Document,
        revision: u64,
        schema: &Schema,
    ) {
        let total = self.total_height();
        let key = (doc_index, revision, height_bucket(total));
        if self.density.key == Some(key) {
            return;
        }
        self.density.key = Some(key);
        self.density.computations += 1;
        let mut bins: BTreeMap<usize, BTreeMap<&str, usize>> = BTreeMap::new();
        for annotation in &document.annotations {
            let Some(block) = self.block_of(annotation.extent().start) else {
                continue;
            };
            let top = self.tops.get(block).copied().unwrap_or(0.0);
            let bin = if total > 0.0 {
                ((top / total * DENSITY_BINS as f32) as usize).min(DENSITY_BINS - 1)
            } else {
                0
            };
            *bins
                .entry(bin)
                .or_default()
                .entry(annotation.label.as_str())
                .or_default() += 1;
        }
        self.density.marks = bins
            .into_iter()
            .filter_map(|(bin, labels)| {
                let count = labels.values().sum();
                // The most frequent label; on a tie the first by name (max_by_key keeps the last).
                let (label, _) = labels
                    .iter()
                    .rev()
                    .max_by_key(|(_, n)| **n)
                    .map(|(l, n)| (*l, *n))?;
                Some(DensityMark {
                    bin,
                    count,
                    color: theme::color_of(schema, label),
                })
            })
            .collect();
    }

    /// Paints the density marks in the margin between the text's area (`inner`) and the bar, and
    /// remembers where the bar is.
    pub(super) fn paint_density(&mut self, ui: &Ui, inner: Rect) {
        self.bar_rect = Some(Rect::from_x_y_ranges(
            inner.max.x + BAR_MARGIN..=inner.max.x + BAR_MARGIN + BAR_WIDTH,
            inner.y_range(),
        ));
        let painter = ui.painter();
        let x0 = inner.max.x + 1.5;
        let x1 = inner.max.x + BAR_MARGIN - 1.5;
        let step = inner.height() / DENSITY_BINS as f32;
        let most = self
            .density
            .marks
            .iter()
            .map(|m| m.count)
            .max()
            .unwrap_or(1)
            .max(1);
        for mark in &self.density.marks {
            let y0 = inner.min.y + mark.bin as f32 * step;
            let strength = 0.35 + 0.65 * (mark.count as f32 / most as f32);
            painter.rect_filled(
                Rect::from_min_max(pos2(x0, y0), pos2(x1, y0 + step.max(2.0))),
                0.0,
                mark.color.gamma_multiply(strength),
            );
        }
    }

    /// Notes where the view is (`offset`: the scroll offset, `max_offset`: the largest one), and
    /// asks for another frame when that changed, so that the status bar (drawn before the text)
    /// shows it.
    pub(super) fn update_position(&mut self, ui: &Ui, offset: f32, max_offset: f32) {
        let block = self.block_at_y(self.view_top);
        let Some(first) = self.blocks.get(block) else {
            self.position = None;
            return;
        };
        let percent = if max_offset <= 0.5 {
            100
        } else {
            (offset / max_offset * 100.0).round().clamp(0.0, 100.0) as u8
        };
        let position = ViewPosition {
            offset: first.range.start,
            line: first.line + 1,
            lines: self.blocks.last().map_or(1, |b| b.line + 1),
            percent,
        };
        if self.position != Some(position) {
            self.position = Some(position);
            ui.ctx().request_repaint();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_height_bucket_moves_only_when_the_height_moves_by_about_a_percent() {
        for total in [500.0_f32, 10_000.0, 123_456.0, 2_000_000.0] {
            // A few blocks measured (0.3 %): at most the next bucket.
            assert!(height_bucket(total * 1.003) - height_bucket(total) <= 1);
            // Heights 3 % off: another bucket, the marks are counted again.
            assert!(height_bucket(total * 1.03) > height_bucket(total));
        }
        assert_eq!(height_bucket(0.0), height_bucket(-5.0));
    }

    #[test]
    fn the_position_reads_as_a_paragraph_and_a_percentage() {
        let position = ViewPosition {
            offset: 10,
            line: 120,
            lines: 800,
            percent: 42,
        };
        assert_eq!(position.label(), "¶ 120 of 800 · 42 %");
    }
}
