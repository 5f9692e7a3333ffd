//! Right-to-left text (UAX #9, with the `unicode-bidi` crate).
//!
//! egui 0.37 shapes Arabic and Hebrew (harfrust joins the letters) but places every row left to
//! right, and a right-to-left run comes out of its shaper in visual order with its glyphs no
//! longer one per character, which breaks egui's own cursors on such a line. So a block with
//! right-to-left text is laid out here: cut into pieces that egui shapes well (a right-to-left
//! word, a left-to-right run of words, one space or one neutral character), wrapped, each row's
//! pieces put in visual order (rules L1 and L2), and assembled into a galley that egui paints as
//! any other, with one glyph per character in logical order at the place where it is drawn.
//! A right-to-left paragraph's rows are aligned to the right.
//!
//! A [`Laid`] block answers the text view's questions (where a character is drawn, which one is
//! under the pointer, which rectangles a range covers) for both kinds of block: an egui galley's
//! rows go left to right, a reordered one's glyphs are looked up one by one.

use std::ops::Range;
use std::sync::Arc;

use egui::epaint::text::{Galley, Glyph, PlacedRow, Row};
use egui::{Pos2, Rect, pos2, vec2};
use unicode_bidi::{BidiClass, BidiInfo, Level};
use unicode_segmentation::UnicodeSegmentation as _;

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
            matches!(
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

/// How a piece is shaped and where its characters are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// One grapheme (a space, a neutral character, a right-to-left digit...).
    Single,
    /// Left-to-right characters: egui's glyphs are one per character, left to right.
    Run,
    /// A right-to-left word: shaped whole; its graphemes' places are measured from its prefixes.
    RtlWord,
}

struct Piece {
    /// Bytes of the block.
    range: Range<usize>,
    space: bool,
    galley: Arc<Galley>,
    /// The left edge (in the piece) and width of each character, in logical order.
    chars: Vec<(f32, f32)>,
}

impl Piece {
    fn width(&self) -> f32 {
        self.galley.rows.first().map_or(0.0, |r| r.row.size.x)
    }
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

/// Cuts `text[range]` (one paragraph) into pieces, in logical order.
fn cut(text: &str, range: Range<usize>, levels: &[Level]) -> Vec<(Range<usize>, Kind, bool)> {
    let mut pieces: Vec<(Range<usize>, Kind, bool)> = Vec::new();
    let Some(paragraph) = text.get(range.clone()) else {
        return pieces;
    };
    for (offset, grapheme) in paragraph.grapheme_indices(true) {
        let start = range.start + offset;
        let end = start + grapheme.len();
        let first = grapheme.chars().next().unwrap_or(' ');
        let level = levels.get(start).copied().unwrap_or_else(Level::ltr);
        let space = first.is_whitespace();
        let kind = if space {
            Kind::Single
        } else if rtl_script(first) || first == '\u{200c}' || first == '\u{200d}' {
            if level.is_rtl() {
                Kind::RtlWord
            } else {
                Kind::Single
            }
        } else if level.is_rtl() {
            Kind::Single
        } else {
            Kind::Run
        };
        if let Some((last, last_kind, _)) = pieces.last_mut()
            && kind != Kind::Single
            && *last_kind == kind
            && levels.get(last.start) == Some(&level)
        {
            last.end = end;
            continue;
        }
        pieces.push((start..end, kind, space));
    }
    pieces
}

/// Measures a piece: its galley (for `Single` pieces drawn right to left, mirrored) and where
/// each character is.
fn measure_piece(
    text: &str,
    range: Range<usize>,
    kind: Kind,
    space: bool,
    rtl: bool,
    measure: &mut dyn FnMut(&str) -> Arc<Galley>,
) -> Piece {
    let slice = text.get(range.clone()).unwrap_or_default();
    let shown: String = if rtl && kind == Kind::Single {
        slice.chars().map(mirrored).collect()
    } else {
        slice.to_owned()
    };
    let galley = measure(&shown);
    let width = galley.rows.first().map_or(0.0, |r| r.row.size.x);
    let count = slice.chars().count();
    let mut chars = Vec::with_capacity(count);
    let glyphs = galley.rows.first().map(|r| r.row.glyphs.as_slice());
    match (kind, glyphs) {
        (Kind::Run, Some(glyphs)) if glyphs.len() == count => {
            for (i, glyph) in glyphs.iter().enumerate() {
                let next = glyphs.get(i + 1).map_or(width, |g| g.pos.x);
                chars.push((glyph.pos.x, (next - glyph.pos.x).max(0.0)));
            }
        }
        _ => {
            // Grapheme by grapheme: each takes what its prefix adds (a right-to-left word's
            // letters change shape with their neighbours; the prefix keeps them joined).
            let mut before = 0.0_f32;
            let mut prefix = String::new();
            let graphemes: Vec<&str> = slice.graphemes(true).collect();
            for (i, grapheme) in graphemes.iter().enumerate() {
                let after = if i + 1 == graphemes.len() {
                    width
                } else {
                    prefix.push_str(grapheme);
                    // A joiner after the prefix keeps its last letter in the form it has in
                    // the word (initial or medial, not final).
                    let joined = if rtl {
                        format!("{prefix}\u{200d}")
                    } else {
                        prefix.clone()
                    };
                    measure(&joined)
                        .rows
                        .first()
                        .map_or(before, |r| r.row.size.x)
                        .clamp(before, width)
                };
                let (left, grapheme_width) = if rtl {
                    (width - after, after - before)
                } else {
                    (before, after - before)
                };
                // The first character takes the grapheme; the others stand at its trailing
                // edge, as egui puts them.
                let trailing = if rtl { left } else { left + grapheme_width };
                for (j, _) in grapheme.chars().enumerate() {
                    chars.push(if j == 0 {
                        (left, grapheme_width)
                    } else {
                        (trailing, 0.0)
                    });
                }
                before = after;
            }
        }
    }
    Piece {
        range,
        space,
        galley,
        chars,
    }
}

/// Lays out a block with right-to-left text, wrapped at `max_width`: `measure` lays out a
/// string on one row with the block's format. `None` when egui gave nothing to build on.
pub(super) fn layout(
    text: &str,
    max_width: f32,
    measure: &mut dyn FnMut(&str) -> Arc<Galley>,
) -> Option<Laid> {
    let info = BidiInfo::new(text, None);
    let template = measure(text);
    let template_row = template.rows.first()?.row.clone();
    let template_glyph = template_row.glyphs.first().copied()?;
    let row_height = template_row.size.y;
    let mut rows: Vec<PlacedRow> = Vec::new();
    let mut rtl: Vec<bool> = Vec::with_capacity(text.len());
    let mut widest = 0.0_f32;
    let mut glyph_count = 0;
    let (mut vertices, mut indices) = (0, 0);
    let mut mesh_bounds = Rect::NOTHING;
    let paragraphs: Vec<_> = if info.paragraphs.is_empty() {
        Vec::new()
    } else {
        info.paragraphs.clone()
    };
    for paragraph in &paragraphs {
        let cuts = cut(text, paragraph.range.clone(), &info.levels);
        let pieces: Vec<Piece> = cuts
            .into_iter()
            .map(|(range, kind, space)| {
                let level = info.levels.get(range.start).copied();
                let drawn_rtl = level.is_some_and(|l| l.is_rtl());
                measure_piece(text, range, kind, space, drawn_rtl, measure)
            })
            .collect();
        for line in wrap(&pieces, max_width) {
            let (Some(first), Some(last)) = (pieces.get(line.start), pieces.get(line.end - 1))
            else {
                continue;
            };
            let line_bytes = first.range.start..last.range.end;
            let levels = info.reordered_levels(paragraph, line_bytes);
            let piece_levels: Vec<Level> = (line.clone())
                .filter_map(|i| pieces.get(i))
                .map(|p| {
                    levels
                        .get(p.range.start)
                        .copied()
                        .unwrap_or(paragraph.level)
                })
                .collect();
            let order = BidiInfo::reorder_visual(&piece_levels);
            let width: f32 = line
                .clone()
                .filter_map(|i| pieces.get(i))
                .map(Piece::width)
                .sum();
            let mut x = if paragraph.level.is_rtl() && max_width.is_finite() {
                (max_width - width).max(0.0)
            } else {
                0.0
            };
            // Where each piece of the line is drawn, then the row: glyphs in logical order.
            let mut lefts = vec![0.0_f32; line.len()];
            let mut mesh = egui::epaint::Mesh::default();
            for &visual in &order {
                let Some(piece) = pieces.get(line.start + visual) else {
                    continue;
                };
                if let Some(slot) = lefts.get_mut(visual) {
                    *slot = x;
                }
                if let Some(row) = piece.galley.rows.first() {
                    let mut part = row.row.visuals.mesh.clone();
                    part.translate(vec2(x + row.pos.x, 0.0));
                    mesh.append(part);
                }
                x += piece.width();
            }
            let mut glyphs: Vec<Glyph> = Vec::new();
            for (i, piece) in pieces
                .get(line.clone())
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let left = lefts.get(i).copied().unwrap_or(0.0);
                let drawn_rtl = piece_levels.get(i).is_some_and(Level::is_rtl);
                let source = piece.galley.rows.first().and_then(|r| r.row.glyphs.first());
                let chars = text.get(piece.range.clone()).unwrap_or_default().chars();
                for (c, &(at, advance)) in chars.zip(&piece.chars) {
                    let mut glyph = *source.unwrap_or(&template_glyph);
                    glyph.chr = c;
                    glyph.pos = pos2(left + at, glyph.pos.y);
                    glyph.advance_width = advance;
                    glyph.is_color = false;
                    glyph.first_vertex = 0;
                    glyphs.push(glyph);
                    rtl.push(drawn_rtl);
                }
            }
            let top = rows.len() as f32 * row_height;
            let row_width = if paragraph.level.is_rtl() && max_width.is_finite() {
                x.max(width)
            } else {
                width
            };
            widest = widest.max(row_width);
            let bounds = mesh.calc_bounds();
            if bounds.is_positive() {
                mesh_bounds = mesh_bounds.union(bounds.translate(vec2(0.0, top)));
            }
            vertices += mesh.vertices.len();
            indices += mesh.indices.len();
            let mut row: Row = (*template_row).clone();
            row.size = vec2(row_width, row_height);
            row.visuals.glyph_vertex_range = 0..mesh.vertices.len();
            row.visuals.mesh_bounds = bounds;
            row.visuals.mesh = mesh;
            row.visuals.glyph_index_start = glyph_count;
            glyph_count += glyphs.len();
            row.glyphs = glyphs;
            rows.push(PlacedRow {
                pos: pos2(0.0, top),
                row: Arc::new(row),
                ends_with_newline: false,
            });
        }
    }
    if rows.is_empty() || rtl.len() != text.chars().count() {
        return None;
    }
    let mut galley: Galley = (*template).clone();
    galley.rect = Rect::from_min_size(Pos2::ZERO, vec2(widest, rows.len() as f32 * row_height));
    galley.mesh_bounds = mesh_bounds;
    galley.num_vertices = vertices;
    galley.num_indices = indices;
    galley.rows = rows;
    Some(Laid {
        galley: Arc::new(galley),
        rtl: Some(rtl.into()),
    })
}

/// A one-line text (a label: a span's text in a list, a search hit's context) with its
/// right-to-left runs put in visual order for egui, which shapes each right-to-left word itself
/// (its letters in the text's order) but places the words and the marks between them left to
/// right: the words of each run are given in reverse, its brackets mirrored. Text without
/// right-to-left characters is returned as it is. For display only: copying the result would
/// copy the visual order.
pub(crate) fn visual(text: &str) -> std::borrow::Cow<'_, str> {
    if !needs_reordering(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    let info = BidiInfo::new(text, None);
    let mut out = String::with_capacity(text.len());
    for paragraph in &info.paragraphs {
        let pieces = cut(text, paragraph.range.clone(), &info.levels);
        let levels = info.reordered_levels(paragraph, paragraph.range.clone());
        let piece_levels: Vec<Level> = pieces
            .iter()
            .map(|(range, _, _)| levels.get(range.start).copied().unwrap_or(paragraph.level))
            .collect();
        for index in BidiInfo::reorder_visual(&piece_levels) {
            let (Some((range, kind, _)), Some(level)) =
                (pieces.get(index), piece_levels.get(index))
            else {
                continue;
            };
            let piece = text.get(range.clone()).unwrap_or_default();
            if level.is_rtl() && *kind == Kind::Single {
                out.extend(piece.chars().map(mirrored));
            } else {
                out.push_str(piece);
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Cuts a paragraph's pieces into rows no wider than `max_width` where white space allows:
/// after a space; a piece wider than a row gets a row of its own. Spaces at a row's end hang.
fn wrap(pieces: &[Piece], max_width: f32) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut x = 0.0;
    let mut last_break = None;
    for (i, piece) in pieces.iter().enumerate() {
        let width = piece.width();
        if !piece.space && x + width > max_width && i > start {
            let cut = last_break.filter(|&b| b > start).unwrap_or(i);
            lines.push(start..cut);
            start = cut;
            x = pieces
                .get(cut..i)
                .unwrap_or_default()
                .iter()
                .map(Piece::width)
                .sum();
            last_break = None;
        }
        x += width;
        if piece.space {
            last_break = Some(i + 1);
        }
    }
    if start < pieces.len() || lines.is_empty() {
        lines.push(start..pieces.len().max(start));
    }
    lines.retain(|l| !l.is_empty());
    lines
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

#[cfg(test)]
mod tests {
    use super::*;
    use egui::epaint::text::{Fonts, LayoutJob, TextFormat, TextOptions};
    use egui::{Color32, FontId};

    /// Lays out `text` wrapped at `width` with the shipped fonts, as the text view does.
    fn lay_out(text: &str, width: f32) -> Laid {
        let mut fonts = Fonts::new(TextOptions::default(), crate::ui::fonts::definitions());
        let mut measure = |s: &str| {
            let mut job = LayoutJob::single_section(
                s.to_owned(),
                TextFormat {
                    font_id: FontId::proportional(16.0),
                    color: Color32::WHITE,
                    line_height: Some(22.0),
                    ..Default::default()
                },
            );
            job.wrap.max_width = f32::INFINITY;
            fonts.with_pixels_per_point(1.0).layout_job(job)
        };
        layout(text, width, &mut measure).expect("a reordered layout")
    }

    /// Each character's glyph (logical order): its char, rectangle and row.
    fn glyphs(laid: &Laid) -> Vec<(char, Rect, usize)> {
        laid.galley
            .rows
            .iter()
            .enumerate()
            .flat_map(|(r, row)| {
                row.row.glyphs.iter().map(move |g| {
                    let rect = row.rect();
                    let x = row.pos.x + g.pos.x;
                    (
                        g.chr,
                        Rect::from_min_max(
                            pos2(x, rect.min.y),
                            pos2(x + g.advance_width, rect.max.y),
                        ),
                        r,
                    )
                })
            })
            .collect()
    }

    const ARABIC: &str = "قال المتحدث باسم الكرملين إن الجنود قاتلوا، بحسب وكالة تاس (TASS).";

    #[test]
    fn m_the_galley_positions_of_an_arabic_line_go_right_to_left() {
        let laid = lay_out(ARABIC, 2_000.0);
        let glyphs = glyphs(&laid);
        assert_eq!(
            glyphs.len(),
            ARABIC.chars().count(),
            "one glyph per character"
        );
        assert_eq!(laid.galley.rows.len(), 1);
        // Each Arabic letter with a width is drawn left of the one before it.
        let letters: Vec<&(char, Rect, usize)> = glyphs
            .iter()
            .filter(|(c, r, _)| rtl_script(*c) && r.width() > 0.0)
            .collect();
        assert!(letters.len() > 40);
        for pair in letters.windows(2) {
            assert!(
                pair[1].1.max.x <= pair[0].1.min.x + 0.5,
                "{:?} after {:?} is not drawn to its left",
                pair[1],
                pair[0]
            );
        }
        // A right-to-left paragraph ends at the right margin, its first letter at the right.
        assert!((glyphs[0].1.max.x - 2_000.0).abs() < 0.5, "{:?}", glyphs[0]);
        // The Latin word quoted in it keeps its order, and its parentheses face it.
        let tass = ARABIC.chars().position(|c| c == 'T').unwrap();
        for i in tass..tass + 3 {
            assert!(glyphs[i].1.max.x <= glyphs[i + 1].1.min.x + 0.5);
        }
        let (open, close) = (glyphs[tass - 1], glyphs[tass + 4]);
        assert!(
            open.1.min.x >= glyphs[tass + 3].1.max.x - 0.5,
            "( right of TASS"
        );
        assert!(
            close.1.max.x <= glyphs[tass].1.min.x + 0.5,
            ") left of TASS"
        );
        // The full stop ends the sentence: on the far left.
        let stop = glyphs.last().unwrap();
        assert_eq!(stop.0, '.');
        assert!(glyphs.iter().all(|g| g.1.min.x >= stop.1.min.x - 0.5));
    }

    #[test]
    fn m_a_french_sentence_quoting_arabic_keeps_its_order() {
        let text = "Il a dit « سلام عليكم » hier, 2024.";
        let laid = lay_out(text, 2_000.0);
        let glyphs = glyphs(&laid);
        let x = |needle: &str| {
            let i = text[..text.find(needle).unwrap()].chars().count();
            glyphs[i].1
        };
        // French runs left to right from the left margin.
        assert!(x("Il").min.x < 1.0);
        assert!(x("dit").min.x < x("«").min.x);
        assert!(x("«").max.x <= x("سلام").min.x + 0.5 || x("«").max.x <= x("عليكم").min.x + 0.5);
        // The quoted phrase reads right to left: its first word is to the right of its second.
        assert!(x("سلام").min.x > x("عليكم").max.x - 0.5);
        assert!(x("»").min.x >= x("سلام").max.x - 0.5);
        assert!(x("hier").min.x > x("»").min.x);
        assert!(x("2024").min.x > x("hier").min.x);
    }

    #[test]
    fn m_hit_testing_and_carets_map_back_to_logical_offsets() {
        let text = "Le porte-parole : قال المتحدث باسم الكرملين (TASS), puis שלום עולם 42 fin.";
        for width in [2_000.0, 260.0] {
            let laid = lay_out(text, width);
            let glyphs = glyphs(&laid);
            let rtl = laid.rtl.clone().unwrap();
            for (i, (c, rect, _)) in glyphs.iter().enumerate() {
                if rect.width() < 2.0 {
                    continue;
                }
                // A pointer on the leading half of a character is before it; on the trailing
                // half, after it (past any marks drawn with it).
                let (leading, trailing) = if rtl[i] {
                    (rect.max.x - 0.5, rect.min.x + 0.5)
                } else {
                    (rect.min.x + 0.5, rect.max.x - 0.5)
                };
                let y = rect.center().y;
                assert_eq!(
                    laid.char_at(vec2(leading, y)),
                    i,
                    "{c:?} at {i}, width {width}"
                );
                let after = laid.char_at(vec2(trailing, y));
                assert!(after > i, "{c:?} at {i}: {after}");
                // The caret before a character stands at its leading edge.
                let caret = laid.caret_rect(i, true);
                let edge = if rtl[i] { rect.max.x } else { rect.min.x };
                assert!((caret.min.x - edge).abs() < 0.01, "{c:?} at {i}");
                assert!((caret.center().y - y).abs() < 0.01);
            }
            // The rectangles of a range cover its characters' glyphs and no other.
            let word = text.find("المتحدث").unwrap();
            let first = text[..word].chars().count();
            let last = first + "المتحدث باسم".chars().count();
            let rects = laid.range_rects(first, last);
            for (i, (_, rect, _)) in glyphs.iter().enumerate() {
                if rect.width() < 1.0 {
                    continue;
                }
                let covered = rects.iter().any(|r| r.contains(rect.center()));
                assert_eq!(
                    covered,
                    (first..last).contains(&i),
                    "char {i}, width {width}"
                );
            }
        }
    }

    #[test]
    fn m_a_long_right_to_left_paragraph_wraps_at_spaces_and_aligns_right() {
        let text = ARABIC.repeat(6);
        let laid = lay_out(&text, 300.0);
        assert!(laid.galley.rows.len() > 5);
        assert_eq!(glyphs(&laid).len(), text.chars().count());
        let mut start = 0;
        for row in &laid.galley.rows {
            let glyphs = &row.row.glyphs;
            let drawn: Vec<_> = glyphs.iter().filter(|g| g.advance_width > 0.0).collect();
            let right = drawn.iter().map(|g| g.max_x()).fold(0.0, f32::max);
            let left = drawn.iter().map(|g| g.pos.x).fold(f32::INFINITY, f32::min);
            assert!(right <= 300.5 && left >= -0.5, "{left}..{right}");
            // Rows break after a space, never inside a word.
            start += glyphs.len();
            if start < text.chars().count() {
                assert_eq!(glyphs.last().map(|g| g.chr), Some(' '));
            }
            // Each row but the last is aligned on the right margin.
            if start < text.chars().count() {
                let first_letter = glyphs
                    .iter()
                    .find(|g| g.advance_width > 0.0 && g.chr != ' ');
                assert!(first_letter.is_some_and(|g| (g.max_x() - 300.0).abs() < 0.5));
            }
        }
    }

    #[test]
    fn m_a_label_with_arabic_gives_egui_its_words_in_visual_order() {
        assert_eq!(visual("Le Kremlin"), "Le Kremlin");
        // Each word keeps its letters (egui's shaper draws them right to left), the words of
        // the run come in reverse, and a bracket drawn right to left is mirrored.
        assert_eq!(visual("المتحدث باسم الكرملين"), "الكرملين باسم المتحدث");
        assert_eq!(visual("وكالة تاس (TASS)"), "(TASS) تاس وكالة");
        assert_eq!(visual("Read more: الأخبار اليوم"), "Read more: اليوم الأخبار");
        assert_eq!(visual("« שלום עכשיו »"), "« עכשיו שלום »");
        // What egui then draws, with the shipped fonts, reads right to left.
        let mut fonts = Fonts::new(TextOptions::default(), crate::ui::fonts::definitions());
        let text = "قال المتحدث باسم الكرملين";
        let galley = fonts
            .with_pixels_per_point(1.0)
            .layout_job(LayoutJob::simple_singleline(
                visual(text).into_owned(),
                FontId::proportional(16.0),
                Color32::WHITE,
            ));
        // The first word's first letter (the only qaf) is drawn right of every other glyph.
        let glyphs = &galley.rows[0].row.glyphs;
        let qaf = glyphs.iter().find(|g| g.chr == 'ق').unwrap();
        assert!(
            glyphs
                .iter()
                .filter(|g| g.advance_width > 0.0 && g.chr != 'ق')
                .all(|g| g.pos.x < qaf.pos.x)
        );
    }

    #[test]
    fn m_only_text_with_right_to_left_characters_is_reordered() {
        assert!(!needs_reordering(
            "Le Kremlin a dit « non ». Ёлка, Ελλάδα, e\u{301}, 😀"
        ));
        assert!(needs_reordering("La équipe écrit سلام ici"));
        assert!(needs_reordering("שלום"));
        assert!(needs_reordering("chiffres ١٢٣"));
        assert!(needs_reordering("\u{202e}override"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn m_any_mixed_line_has_one_glyph_per_char_and_hits_land_on_boundaries(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "سلام", "عليكم", "לא", "שלום", "Kim", "é", "e\u{301}", " ", "  ", "(", ")", "«",
                "»", ".", "،", "42", "١٢٣", "😀", "🇫🇷", "\u{200f}", "\u{202b}", "\u{202c}", "لا",
                "بِسْمِ", "\t",
            ]), 1..24),
            width in 40.0_f32..600.0,
        ) {
            let text: String = parts.concat();
            let laid = {
                let mut fonts =
                    Fonts::new(TextOptions::default(), crate::ui::fonts::definitions());
                let mut measure = |s: &str| {
                    let job = LayoutJob::simple_singleline(
                        s.to_owned(),
                        FontId::proportional(16.0),
                        Color32::WHITE,
                    );
                    fonts.with_pixels_per_point(1.0).layout_job(job)
                };
                layout(&text, width, &mut measure)
            };
            proptest::prop_assert!(laid.is_some(), "no layout for {:?}", text);
            let Some(laid) = laid else { return Ok(()) };
            let count = text.chars().count();
            let glyphs = glyphs(&laid);
            proptest::prop_assert_eq!(glyphs.len(), count);
            let boundaries: Vec<usize> = (0..=count).collect();
            for (_, rect, _) in &glyphs {
                for x in [rect.min.x - 3.0, rect.center().x, rect.max.x + 3.0] {
                    let at = laid.char_at(vec2(x, rect.center().y));
                    proptest::prop_assert!(boundaries.contains(&at));
                }
            }
            for i in 0..=count {
                let caret = laid.caret_rect(i, true);
                proptest::prop_assert!(caret.min.x.is_finite() && caret.min.y.is_finite());
            }
            let rects = laid.range_rects(0, count);
            proptest::prop_assert!(rects.iter().all(Rect::is_finite));
        }
    }
}
