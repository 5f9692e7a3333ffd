//! Right-to-left text (UAX #9, with the `unicode-bidi` crate).
//!
//! egui 0.37 shapes Arabic and Hebrew (harfrust joins the letters) but places every row left to
//! right: it cuts a text into runs by font face (a space is drawn with the text face, so every
//! Arabic word is a run of its own), places the runs left to right, and a right-to-left run comes
//! out of its shaper in visual order with its glyphs no longer one per character, which breaks
//! egui's own cursors on such a line. So a block with right-to-left text is laid out here:
//!
//! 1. each paragraph's levels (`BidiInfo`), and its runs of one level: left-to-right runs, laid
//!    out by egui as they are; right-to-left runs with their spaces and punctuation, shaped by
//!    harfrust with the script's shipped face to know each letter's advance; single graphemes
//!    for what the face lacks and for neutral characters drawn right to left (mirrored);
//! 2. the graphemes wrapped at `max_width` (after a space, else where the row is full);
//! 3. each row's pieces (a run's part on the row, at its level after rule L1) laid out by egui
//!    (a right-to-left piece with a family whose first face is its script's, so that it is one
//!    run shaped right to left, brackets mirrored) and put in visual order (rule L2);
//! 4. a galley that egui paints as any other, with one glyph per character in logical order at
//!    the place where it is drawn. A right-to-left paragraph's rows are aligned to the right.
//!
//! A [`Laid`] block answers the text view's questions (where a character is drawn, which one is
//! under the pointer, which rectangles a range covers) for both kinds of block: an egui galley's
//! rows go left to right, a reordered one's glyphs are looked up one by one.
//!
//! `layout` makes a block's rows (steps 1 to 4); `label` orders the words of a one-line label
//! for egui's own widgets.

use std::ops::Range;
use std::sync::Arc;

use egui::epaint::text::{Galley, Glyph, PlacedRow};
use egui::{Rect, pos2};
use unicode_bidi::{BidiClass, Level};

mod label;
mod layout;
#[cfg(test)]
mod tests;

pub(crate) use label::{visual, visual_sections};
pub(super) use layout::layout;

/// A block laid out: its galley and, when its rows were put in visual order here, whether each
/// character (in logical order) is drawn right to left.
#[derive(Clone)]
pub(super) struct Laid {
    pub galley: Arc<Galley>,
    pub rtl: Option<Arc<[bool]>>,
}

/// Whether a text needs its rows put in visual order: it has right-to-left characters (Hebrew,
/// Arabic, Arabic digits) or explicit direction marks.
pub(super) fn needs_reordering(text: &str) -> bool {
    use BidiClass::{AL, AN, FSI, LRE, LRI, LRO, R, RLE, RLI, RLO};
    !text.is_ascii()
        && text.chars().any(|c| {
            // Every right-to-left class and direction mark is at U+0590 or above.
            c >= '\u{590}'
                && matches!(
                    unicode_bidi::bidi_class(c),
                    R | AL | AN | RLE | RLO | RLI | LRE | LRO | LRI | FSI
                )
        })
}

/// Characters of the scripts harfrust shapes right to left (Hebrew, Arabic, Syriac, Thaana, N'Ko
/// and their presentation forms, and the historic scripts of the right-to-left planes).
fn rtl_script(c: char) -> bool {
    matches!(c as u32,
        0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
}

/// The mirrored form of a bracket drawn right to left (`Bidi_Mirroring_Glyph` of the common ones).
fn mirrored(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        '⁅' => '⁆',
        '⁆' => '⁅',
        _ => c,
    }
}

/// What egui is given to draw `slice` at `level`: its brackets mirrored when it is drawn right
/// to left on its own (a right-to-left run shaped whole is mirrored by the shaper).
fn shown(slice: &str, level: Level) -> String {
    if level.is_rtl() {
        slice.chars().map(mirrored).collect()
    } else {
        slice.to_owned()
    }
}

/// The script of a right-to-left run: which face shapes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Script {
    Arabic,
    Hebrew,
}

impl Script {
    /// The script of a run: Hebrew if its first right-to-left letter is, else Arabic (and the
    /// other scripts, which Noto Sans Arabic does not draw either way).
    fn of(text: &str) -> Self {
        match text.chars().find(|c| rtl_script(*c)) {
            Some('\u{0590}'..='\u{05ff}' | '\u{fb1d}'..='\u{fb4f}') => Self::Hebrew,
            _ => Self::Arabic,
        }
    }

    /// Its index in `fonts::RTL_FAMILIES`.
    pub fn index(self) -> usize {
        match self {
            Self::Arabic => 0,
            Self::Hebrew => 1,
        }
    }
}

/// How far `x` is from a glyph: 0 inside it, and the glyph that starts where another ends has
/// that point (a glyph covers `pos.x..max_x`, half open).
fn distance(glyph: &Glyph, x: f32) -> f32 {
    if x < glyph.pos.x {
        glyph.pos.x - x
    } else if x >= glyph.max_x() {
        x - glyph.max_x() + 1e-3
    } else {
        0.0
    }
}

impl Laid {
    /// A block laid out by egui as it is (no right-to-left text).
    pub fn plain(galley: Arc<Galley>) -> Self {
        Self { galley, rtl: None }
    }

    /// Each row with the chars (indices in the block) it holds.
    fn rows(&self) -> impl Iterator<Item = (&PlacedRow, Range<usize>)> {
        let mut start = 0;
        self.galley.rows.iter().map(move |row| {
            let end = start + row.char_count_including_newline().0;
            let range = start..end;
            start = end;
            (row, range)
        })
    }

    /// The char index (in the block) at a position relative to the galley.
    pub fn char_at(&self, pos: egui::Vec2) -> usize {
        let Some(rtl) = &self.rtl else {
            return self.galley.cursor_from_pos(pos).index.0;
        };
        let mut best: Option<(f32, &PlacedRow, Range<usize>)> = None;
        for (row, chars) in self.rows() {
            let rect = row.rect();
            let distance = if pos.y < rect.min.y {
                rect.min.y - pos.y
            } else {
                (pos.y - rect.max.y).max(0.0)
            };
            if best.as_ref().is_none_or(|(d, _, _)| distance < *d) {
                best = Some((distance, row, chars));
            }
        }
        let Some((_, row, chars)) = best else {
            return 0;
        };
        let x = pos.x - row.pos.x;
        let glyphs = &row.row.glyphs;
        let nearest = glyphs
            .iter()
            .enumerate()
            .filter(|(_, g)| g.advance_width > 0.0)
            .min_by(|(_, a), (_, b)| distance(a, x).total_cmp(&distance(b, x)));
        let Some((i, glyph)) = nearest else {
            return chars.start;
        };
        let drawn_rtl = rtl.get(chars.start + i).copied().unwrap_or(false);
        let middle = glyph.pos.x + glyph.advance_width / 2.0;
        let after = if drawn_rtl { x < middle } else { x >= middle };
        let mut index = i;
        if after {
            index += 1;
            // Past the characters drawn with this one (a grapheme's marks).
            while glyphs.get(index).is_some_and(|g| g.advance_width == 0.0) {
                index += 1;
            }
        }
        chars.start + index.min(glyphs.len())
    }

    /// The caret's rectangle (zero width, the row's height) before char `index`; at a wrap,
    /// at the start of the next row when `prefer_next_row` (a reordered block's always is).
    pub fn caret_rect(&self, index: usize, prefer_next_row: bool) -> Rect {
        let Some(rtl) = &self.rtl else {
            return self.galley.pos_from_cursor(egui::text::CCursor {
                index: egui::text::CharIndex(index),
                prefer_next_row,
            });
        };
        let count = rtl.len();
        let mut last = None;
        for (row, chars) in self.rows() {
            last = Some((row, chars.clone()));
            if index < chars.end || (index == count && chars.end == count) {
                let glyphs = &row.row.glyphs;
                let local = index - chars.start.min(index);
                let x = if let Some(glyph) = glyphs.get(local) {
                    if rtl.get(index).copied().unwrap_or(false) {
                        glyph.max_x()
                    } else {
                        glyph.pos.x
                    }
                } else if let Some(glyph) = local.checked_sub(1).and_then(|i| glyphs.get(i)) {
                    if rtl.get(index - 1).copied().unwrap_or(false) {
                        glyph.pos.x
                    } else {
                        glyph.max_x()
                    }
                } else {
                    0.0
                };
                let rect = row.rect();
                return Rect::from_min_max(
                    pos2(row.pos.x + x, rect.min.y),
                    pos2(row.pos.x + x, rect.max.y),
                );
            }
        }
        last.map_or(Rect::ZERO, |(row, _)| {
            let rect = row.rect();
            Rect::from_min_max(rect.left_top(), rect.left_bottom())
        })
    }

    /// The rectangles (relative to the galley) that chars `first..last` of the block cover.
    pub fn range_rects(&self, first: usize, last: usize) -> Vec<Rect> {
        let mut rects = Vec::new();
        for (row, chars) in self.rows() {
            let (a, b) = (first.max(chars.start), last.min(chars.end));
            if a < b {
                let rect = row.rect();
                if self.rtl.is_some() {
                    let mut spans: Vec<(f32, f32)> = row
                        .row
                        .glyphs
                        .get(a - chars.start..(b - chars.start).min(row.row.glyphs.len()))
                        .unwrap_or_default()
                        .iter()
                        .filter(|g| g.advance_width > 0.0)
                        .map(|g| (g.pos.x, g.max_x()))
                        .collect();
                    spans.sort_by(|x, y| x.0.total_cmp(&y.0));
                    let mut merged: Vec<(f32, f32)> = Vec::new();
                    for (x0, x1) in spans {
                        match merged.last_mut() {
                            Some(last) if x0 <= last.1 + 1.0 => last.1 = last.1.max(x1),
                            _ => merged.push((x0, x1)),
                        }
                    }
                    for (x0, x1) in merged {
                        rects.push(Rect::from_min_max(
                            pos2(row.pos.x + x0, rect.min.y),
                            pos2(row.pos.x + x1, rect.max.y),
                        ));
                    }
                } else {
                    let x0 = row.row.x_offset(egui::text::CharIndex(a - chars.start));
                    let x1 = row.row.x_offset(egui::text::CharIndex(b - chars.start));
                    rects.push(Rect::from_min_max(
                        pos2(row.pos.x + x0, rect.min.y),
                        pos2(row.pos.x + x1, rect.max.y),
                    ));
                }
            }
            if chars.start >= last {
                break;
            }
        }
        rects
    }
}
