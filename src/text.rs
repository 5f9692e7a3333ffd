//! Offsets in document text.
//!
//! Inside Marginalia every offset is a byte offset into the document's text (a Rust `&str`, the
//! same index egui's `LayoutSection::byte_range` uses) and every span is a half-open byte range
//! whose ends lie on `char` boundaries. Formats that count Unicode code points (JSONL, brat,
//! Label Studio, doccano) convert at the edge with [`CodePointIndex`]. Caret motions and
//! selections grown from the keyboard live in [`motion`].

use std::ops::Range;

use serde::{Deserialize, Serialize};

pub mod motion;

/// A half-open byte range `[start, end)` in a document's text.
///
/// A `ByteRange` says nothing by itself about char boundaries: [`ByteRange::check`] does, against
/// the text it is meant for. Every range stored in a project went through that check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ByteRange {
    /// First byte of the range.
    pub start: usize,
    /// One past the last byte of the range.
    pub end: usize,
}

/// Why a byte range does not fit a text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// The range is empty or reversed.
    #[error("the range {start}..{end} is empty or reversed")]
    Empty {
        /// Start of the range.
        start: usize,
        /// End of the range.
        end: usize,
    },
    /// The range ends past the end of the text.
    #[error("the range {start}..{end} ends past the end of the text ({len} bytes)")]
    OutOfBounds {
        /// Start of the range.
        start: usize,
        /// End of the range.
        end: usize,
        /// Length of the text in bytes.
        len: usize,
    },
    /// One end of the range falls inside a multi-byte character.
    #[error("byte {offset} falls inside a character (the range {start}..{end})")]
    NotCharBoundary {
        /// The offending offset.
        offset: usize,
        /// Start of the range.
        start: usize,
        /// End of the range.
        end: usize,
    },
}

impl ByteRange {
    /// A range from `start` to `end`, unchecked.
    #[inline]
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// Length in bytes.
    #[inline]
    pub const fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True when the range covers no byte.
    #[inline]
    pub const fn is_empty(self) -> bool {
        self.end <= self.start
    }

    /// The range as a `std` range.
    #[inline]
    pub const fn as_range(self) -> Range<usize> {
        self.start..self.end
    }

    /// True when the two ranges share at least one byte.
    #[inline]
    pub const fn overlaps(self, other: Self) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// True when `offset` lies inside the range.
    #[inline]
    pub const fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// Checks that the range is non-empty, inside `text` and on char boundaries.
    pub fn check(self, text: &str) -> Result<Self, RangeError> {
        let Self { start, end } = self;
        if end <= start {
            return Err(RangeError::Empty { start, end });
        }
        if end > text.len() {
            return Err(RangeError::OutOfBounds {
                start,
                end,
                len: text.len(),
            });
        }
        for offset in [start, end] {
            if !text.is_char_boundary(offset) {
                return Err(RangeError::NotCharBoundary { offset, start, end });
            }
        }
        Ok(self)
    }

    /// The text the range covers, or `""` when it does not fit `text`.
    pub fn slice(self, text: &str) -> &str {
        text.get(self.as_range()).unwrap_or_default()
    }
}

impl From<Range<usize>> for ByteRange {
    fn from(range: Range<usize>) -> Self {
        Self::new(range.start, range.end)
    }
}

impl std::fmt::Display for ByteRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// Shrinks `range` so that it neither starts nor ends with white space.
///
/// Returns `None` when nothing but white space is left. The result stays on char boundaries.
pub fn trim_range(text: &str, range: ByteRange) -> Option<ByteRange> {
    let slice = text.get(range.as_range())?;
    let leading = slice.len() - slice.trim_start().len();
    let trailing = slice.len() - slice.trim_end().len();
    let trimmed = ByteRange::new(range.start + leading, range.end.saturating_sub(trailing));
    (!trimmed.is_empty()).then_some(trimmed)
}

/// Which ranges [`merge_ranges`] joins into one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Join {
    /// Ranges that share a byte (`3..6` and `5..8` become `3..8`); ranges that only meet, `3..5`
    /// and `5..8`, stay apart.
    Overlapping,
    /// Ranges that share a byte or meet end to start (`3..5` and `5..8` become `3..8`).
    OverlappingOrTouching,
}

/// `ranges` sorted, those that overlap (or, with [`Join::OverlappingOrTouching`], also those that
/// touch) joined into one: the fragments of a span, the union of several spans.
///
/// Each range of the result starts where one of `ranges` starts and ends where one ends, and the
/// result covers the same bytes as `ranges`. An empty range is kept as it is unless it falls
/// inside (or, when joining touching ranges, at the edge of) another: drop empty ranges first if
/// they mean nothing.
pub fn merge_ranges(ranges: impl IntoIterator<Item = ByteRange>, join: Join) -> Vec<ByteRange> {
    let mut sorted: Vec<ByteRange> = ranges.into_iter().collect();
    sorted.sort();
    let mut merged: Vec<ByteRange> = Vec::with_capacity(sorted.len());
    for range in sorted {
        match merged.last_mut() {
            Some(last)
                if range.start < last.end
                    || (join == Join::OverlappingOrTouching && range.start == last.end) =>
            {
                last.end = last.end.max(range.end);
            }
            _ => merged.push(range),
        }
    }
    merged
}

/// The largest char boundary of `text` at or before `offset` (clamped to the text).
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The byte range of the word (in the Unicode sense, UAX #29) at `offset`.
///
/// Used by double-click. Returns `None` on white space or past the end of the text.
pub fn word_at(text: &str, offset: usize) -> Option<ByteRange> {
    use unicode_segmentation::UnicodeSegmentation as _;
    text.split_word_bound_indices()
        .map(|(start, word)| ByteRange::new(start, start + word.len()))
        .find(|range| range.contains(offset))
        .filter(|range| !range.slice(text).trim().is_empty())
}

/// Converts byte offsets of one text into Unicode code point offsets, and back.
///
/// Built once per document (O(n)); each conversion is then a binary search over the multi-byte
/// characters only, so pure ASCII text costs nothing.
#[derive(Clone, Debug, Default)]
pub struct CodePointIndex {
    /// For each character longer than one byte: its code point offset, its byte offset, and the
    /// extra bytes (beyond one a character) of all wide characters up to and including it.
    wide: Vec<WideChar>,
    len_bytes: usize,
    len_chars: usize,
}

#[derive(Clone, Copy, Debug)]
struct WideChar {
    char_offset: usize,
    byte_offset: usize,
    extra_through: usize,
}

impl CodePointIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut wide = Vec::new();
        let mut extra = 0;
        let mut len_chars = 0;
        for (char_offset, (byte_offset, ch)) in text.char_indices().enumerate() {
            len_chars = char_offset + 1;
            if ch.len_utf8() > 1 {
                extra += ch.len_utf8() - 1;
                wide.push(WideChar {
                    char_offset,
                    byte_offset,
                    extra_through: extra,
                });
            }
        }
        Self {
            wide,
            len_bytes: text.len(),
            len_chars,
        }
    }

    /// Length of the text in code points.
    pub fn len_chars(&self) -> usize {
        self.len_chars
    }

    /// The code point offset of a byte offset that lies on a char boundary (clamped to the text).
    pub fn char_of_byte(&self, byte: usize) -> usize {
        let byte = byte.min(self.len_bytes);
        let before = self.wide.partition_point(|w| w.byte_offset < byte);
        let extra = before
            .checked_sub(1)
            .and_then(|i| self.wide.get(i))
            .map_or(0, |w| w.extra_through);
        byte - extra
    }

    /// The byte offset of a code point offset, or `None` past the end of the text.
    pub fn byte_of_char(&self, char_offset: usize) -> Option<usize> {
        if char_offset > self.len_chars {
            return None;
        }
        let before = self.wide.partition_point(|w| w.char_offset < char_offset);
        let extra = before
            .checked_sub(1)
            .and_then(|i| self.wide.get(i))
            .map_or(0, |w| w.extra_through);
        Some(char_offset + extra)
    }
}

/// True for the characters a terminal acts on or that reorder what it shows: the C0 controls
/// (line ends and tabs included), DEL, the C1 controls, the bidirectional marks, embeddings,
/// overrides and isolates (U+202E turns the rest of a line around), and the line and paragraph
/// separators.
pub fn is_terminal_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{61c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `text` made safe to print on a terminal: every [`is_terminal_control`] character is written
/// as Rust writes it in a string literal (`\n`, `\t`, `\r`, `\u{1b}`, `\u{202e}`), so that a
/// string from a file can neither move the cursor, recolour or retitle the terminal, reorder the
/// line, nor start a line of its own (a label holding "\nno problems: the project is sound").
/// Everything else, backslashes included, is left as it is: text already escaped stays the same.
/// The command line passes every string of a project through this before printing it.
pub fn escape_for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    use std::fmt::Write as _;
    if !text.chars().any(is_terminal_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_terminal_control(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The text of `fragments` in `text`, joined by " … ": what a span (or a suggested one) covers.
pub fn fragments_text(text: &str, fragments: &[ByteRange]) -> String {
    let parts: Vec<&str> = fragments.iter().map(|f| f.slice(text)).collect();
    parts.join(" … ")
}

/// `text` on one line (control characters, line breaks among them, shown as spaces), cut after
/// `max_chars` characters with "…": what a list row or a panel shows of a span or a note.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= max_chars {
        flat
    } else {
        let mut cut: String = flat.chars().take(max_chars).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn g_terminal_escaping_leaves_no_control_and_keeps_the_rest() {
        assert_eq!(escape_for_terminal("Zoé « 😀 » a\\n"), "Zoé « 😀 » a\\n");
        assert!(matches!(
            escape_for_terminal("claim"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(
            escape_for_terminal(
                "x\nno problems\r\t\u{1b}[2J\u{7f}\u{9b}\u{202e}\u{2067}\u{200f}\u{2028}\0"
            ),
            "x\\nno problems\\r\\t\\u{1b}[2J\\u{7f}\\u{9b}\\u{202e}\\u{2067}\\u{200f}\\u{2028}\\u{0}"
        );
        // Escaping twice changes nothing more.
        let once = escape_for_terminal("a\u{1b}b\n");
        assert_eq!(escape_for_terminal(&once), once);
    }

    #[test]
    fn check_rejects_ranges_inside_characters() {
        let text = "é😀a";
        assert!(ByteRange::new(0, 2).check(text).is_ok());
        assert!(matches!(
            ByteRange::new(1, 2).check(text),
            Err(RangeError::NotCharBoundary { offset: 1, .. })
        ));
        assert!(matches!(
            ByteRange::new(2, 5).check(text),
            Err(RangeError::NotCharBoundary { offset: 5, .. })
        ));
        assert!(matches!(
            ByteRange::new(3, 3).check(text),
            Err(RangeError::Empty { .. })
        ));
        assert!(matches!(
            ByteRange::new(0, 99).check(text),
            Err(RangeError::OutOfBounds { .. })
        ));
        assert_eq!(
            ByteRange::new(2, 6).check(text).map(|r| r.slice(text)),
            Ok("😀")
        );
    }

    #[test]
    fn trim_range_drops_surrounding_white_space() {
        let text = "  Le Kremlin\r\n";
        let trimmed = trim_range(text, ByteRange::new(0, text.len()));
        assert_eq!(trimmed.map(|r| r.slice(text)), Some("Le Kremlin"));
        assert_eq!(trim_range(text, ByteRange::new(0, 2)), None);
    }

    #[test]
    fn word_at_finds_accented_words() {
        let text = "l'armée nord-coréenne";
        let at = text.find("coré").unwrap();
        assert_eq!(word_at(text, at).map(|r| r.slice(text)), Some("coréenne"));
        assert_eq!(word_at(text, text.find(' ').unwrap()), None);
    }

    #[test]
    fn code_points_of_hard_text() {
        let text = "\u{feff}Kim a dit « 😀 »\r\nالعربية e\u{301}";
        let index = CodePointIndex::new(text);
        assert_eq!(index.len_chars(), text.chars().count());
        for (char_offset, (byte, _)) in text.char_indices().enumerate() {
            assert_eq!(index.char_of_byte(byte), char_offset, "byte {byte}");
            assert_eq!(
                index.byte_of_char(char_offset),
                Some(byte),
                "char {char_offset}"
            );
        }
        assert_eq!(index.byte_of_char(index.len_chars()), Some(text.len()));
        assert_eq!(index.char_of_byte(text.len()), index.len_chars());
        assert_eq!(index.byte_of_char(index.len_chars() + 1), None);
    }

    fn r(start: usize, end: usize) -> ByteRange {
        ByteRange::new(start, end)
    }

    #[test]
    fn k_merge_ranges_joins_overlapping_and_touching_only_when_asked() {
        let ranges = [r(10, 12), r(3, 6), r(5, 8), r(8, 9), r(4, 5)];
        assert_eq!(
            merge_ranges(ranges, Join::Overlapping),
            vec![r(3, 8), r(8, 9), r(10, 12)]
        );
        assert_eq!(
            merge_ranges(ranges, Join::OverlappingOrTouching),
            vec![r(3, 9), r(10, 12)]
        );
        assert_eq!(merge_ranges([], Join::Overlapping), vec![]);
        // The same range twice is one; a range inside another disappears into it.
        assert_eq!(
            merge_ranges([r(2, 4), r(2, 4), r(0, 9)], Join::Overlapping),
            vec![r(0, 9)]
        );
        // Empty ranges: absorbed inside (or, touching, at the edge of) another, kept otherwise.
        assert_eq!(
            merge_ranges([r(0, 4), r(2, 2), r(4, 4), r(6, 6)], Join::Overlapping),
            vec![r(0, 4), r(4, 4), r(6, 6)]
        );
        assert_eq!(
            merge_ranges(
                [r(0, 4), r(2, 2), r(4, 4), r(6, 6)],
                Join::OverlappingOrTouching
            ),
            vec![r(0, 4), r(6, 6)]
        );
    }

    proptest! {
        #[test]
        fn k_merge_ranges_covers_the_same_bytes_sorted_and_apart(
            pairs in proptest::collection::vec((0usize..40, 1usize..8), 0..12),
            touching in any::<bool>(),
        ) {
            let join = if touching { Join::OverlappingOrTouching } else { Join::Overlapping };
            let ranges: Vec<ByteRange> = pairs.iter().map(|&(s, len)| r(s, s + len)).collect();
            let merged = merge_ranges(ranges.clone(), join);
            let covered = |set: &[ByteRange], b: usize| set.iter().any(|x| x.contains(b));
            for b in 0..50 {
                prop_assert_eq!(covered(&ranges, b), covered(&merged, b), "byte {}", b);
            }
            for pair in merged.windows(2) {
                match join {
                    Join::Overlapping => prop_assert!(pair[0].end <= pair[1].start, "{:?}", merged),
                    Join::OverlappingOrTouching => prop_assert!(pair[0].end < pair[1].start, "{:?}", merged),
                }
            }
            for range in &merged {
                prop_assert!(ranges.iter().any(|x| x.start == range.start));
                prop_assert!(ranges.iter().any(|x| x.end == range.end));
            }
            prop_assert!(merged.len() <= ranges.len());
            // Merging again changes nothing.
            prop_assert_eq!(merge_ranges(merged.clone(), join), merged);
        }

        #[test]
        fn code_point_index_matches_char_indices(text in "\\PC{0,40}") {
            let index = CodePointIndex::new(&text);
            let mut boundaries: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            boundaries.push(text.len());
            for (char_offset, byte) in boundaries.into_iter().enumerate() {
                prop_assert_eq!(index.char_of_byte(byte), char_offset);
                prop_assert_eq!(index.byte_of_char(char_offset), Some(byte));
            }
        }

        #[test]
        fn trimmed_and_word_ranges_stay_on_char_boundaries(text in "\\PC{1,30}", a in 0usize..120, b in 0usize..120) {
            let (a, b) = (floor_char_boundary(&text, a.min(b)), floor_char_boundary(&text, a.max(b)));
            if let Some(range) = trim_range(&text, ByteRange::new(a, b)) {
                prop_assert!(range.check(&text).is_ok());
            }
            if let Some(range) = word_at(&text, a) {
                prop_assert!(range.check(&text).is_ok());
            }
        }
    }
}
