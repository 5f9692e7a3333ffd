//! Labels (a span's text in a list, a search hit's context) with their right-to-left words in
//! the order egui should place them.

use std::ops::Range;

use unicode_bidi::{BidiInfo, Level};
use unicode_segmentation::UnicodeSegmentation as _;

use super::{needs_reordering, rtl_script, shown};

/// How `visual` cuts a label: into words of right-to-left letters, runs of left-to-right
/// characters, and single graphemes (spaces, neutral characters, right-to-left digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Single,
    Run,
    RtlWord,
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
    std::borrow::Cow::Owned(
        visual_pieces(text, &[])
            .into_iter()
            .map(|(_, s)| s)
            .collect(),
    )
}

/// As [`visual`], for a label drawn in parts: `mark` (bytes of `text`, a search hit in its
/// context) is drawn apart. The parts in visual order, each with whether it is in `mark`.
pub(crate) fn visual_sections(text: &str, mark: Range<usize>) -> Vec<(String, bool)> {
    let pieces = if needs_reordering(text) {
        visual_pieces(text, &[mark.start, mark.end])
    } else {
        [0..mark.start, mark.clone(), mark.end..text.len()]
            .into_iter()
            .map(|r| (r.clone(), text.get(r).unwrap_or_default().to_owned()))
            .collect()
    };
    let mut sections: Vec<(String, bool)> = Vec::new();
    for (range, shown) in pieces {
        if shown.is_empty() {
            continue;
        }
        let marked = range.start >= mark.start && range.end <= mark.end && !mark.is_empty();
        match sections.last_mut() {
            Some((last, last_marked)) if *last_marked == marked => last.push_str(&shown),
            _ => sections.push((shown, marked)),
        }
    }
    sections
}

/// The pieces of a one-line `text` in visual order, also cut at the byte offsets `cuts`: the
/// bytes of each, and what egui is given for it (mirrored when a neutral drawn right to left).
fn visual_pieces(text: &str, cuts: &[usize]) -> Vec<(Range<usize>, String)> {
    let info = BidiInfo::new(text, None);
    let mut out = Vec::new();
    for paragraph in &info.paragraphs {
        let mut pieces = Vec::new();
        for (range, kind, space) in cut(text, paragraph.range.clone(), &info.levels) {
            let mut start = range.start;
            for &at in cuts {
                if at > start && at < range.end && text.is_char_boundary(at) {
                    pieces.push((start..at, kind, space));
                    start = at;
                }
            }
            pieces.push((start..range.end, kind, space));
        }
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
            let drawn = if *kind == Kind::Single {
                shown(piece, *level)
            } else {
                piece.to_owned()
            };
            out.push((range.clone(), drawn));
        }
    }
    out
}
