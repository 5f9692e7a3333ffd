//! Re-anchoring spans when a document's text changed (corpus drift).
//!
//! The project file stores, beside each span's byte offsets, the text of each fragment and a little
//! context before the first fragment and after the last ([`context`]). When a document's file no
//! longer has the bytes the project recorded, [`reanchor`] looks for every span in the new text:
//!
//! - the same text at the same offsets, with the same context: **unchanged**;
//! - otherwise the fragment texts are searched in the new text: a single occurrence, or a single
//!   one whose context matches on both sides, or failing that on one side: **moved**;
//! - anything else (absent, or several equally good places): **unplaced**. Nothing is ever
//!   guessed: an unplaced span is kept verbatim and listed for the user ([`DetachedSpan`]).
//!
//! A discontinuous span moves as a block (all its fragments at the same distance from each other)
//! when it can; otherwise each fragment must be found on its own, uniquely, and in order.
//!
//! Line endings converted between CRLF and LF, and a BOM added or removed, are tolerated: context
//! is compared without `\r` and U+FEFF, and a fragment that crossed a line end is also searched with
//! the other line ending.
//!
//! Searching is one pass over the new text for each distinct needle prefix length (at most 16),
//! indexing where each fragment's first bytes occur; each span then only checks its own
//! candidates (`tests/drift.rs` re-anchors 5 000 spans on a deliberately repetitive 3 MB text and
//! prints the time it took).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

pub use crate::model::{Anchor, DetachedSpan};
use crate::text::ByteRange;

/// How many characters of context are stored before and after a span.
pub const CONTEXT_CHARS: usize = 24;

/// Where a span is in the new text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// At the same offsets as before.
    Unchanged,
    /// Found elsewhere: the new fragments.
    Moved(Vec<ByteRange>),
    /// Not placed, and why.
    Unplaced(Unplaced),
}

/// Why a span could not be placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unplaced {
    /// The project file did not record the span's text (written by an older Marginalia, or while
    /// the document was unreadable).
    NoText,
    /// A fragment's text is nowhere in the new text.
    Absent,
    /// The text occurs at several places that its context does not tell apart.
    Ambiguous(usize),
    /// The fragments were each found, but not in their order.
    OutOfOrder,
}

impl fmt::Display for Unplaced {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoText => f.write_str("the project file did not record its text"),
            Self::Absent => f.write_str("its text is no longer in the document"),
            Self::Ambiguous(n) => write!(
                f,
                "its text occurs {n} times and the context does not tell which"
            ),
            Self::OutOfOrder => f.write_str("its pieces are no longer in order"),
        }
    }
}

/// Where a detached span goes when the user selects `selection` of the current `text` to place
/// it again: when it had several fragments and the selection holds each of their old texts, in
/// order, those; otherwise the selection without its edge white space (`None` when only white
/// space is selected).
pub fn placement_in(
    span: &DetachedSpan,
    text: &str,
    selection: ByteRange,
) -> Option<Vec<ByteRange>> {
    let whole = crate::text::trim_range(text, selection)?;
    if span.texts.len() > 1 && span.texts.iter().all(|t| !t.is_empty()) {
        let mut fragments = Vec::with_capacity(span.texts.len());
        let mut from = whole.start;
        for old in &span.texts {
            let Some(found) = text
                .get(from..whole.end)
                .and_then(|rest| rest.find(old.as_str()))
            else {
                return Some(vec![whole]);
            };
            let start = from + found;
            fragments.push(ByteRange::new(start, start + old.len()));
            from = start + old.len();
        }
        return Some(fragments);
    }
    Some(vec![whole])
}

/// The context of a span in `text`: up to [`CONTEXT_CHARS`] characters before the first fragment
/// and after the last (empty when the fragments do not fit the text).
pub fn context(text: &str, fragments: &[ByteRange]) -> (String, String) {
    let (before, after) = context_slices(text, fragments);
    (before.to_owned(), after.to_owned())
}

/// [`context`] without copying: slices of `text`.
pub fn context_slices<'t>(text: &'t str, fragments: &[ByteRange]) -> (&'t str, &'t str) {
    let (Some(first), Some(last)) = (fragments.first(), fragments.last()) else {
        return ("", "");
    };
    let (Some(head), Some(tail)) = (text.get(..first.start), text.get(last.end..)) else {
        return ("", "");
    };
    let start = head
        .char_indices()
        .rev()
        .take(CONTEXT_CHARS)
        .last()
        .map_or(head.len(), |(i, _)| i);
    let end = tail
        .char_indices()
        .nth(CONTEXT_CHARS)
        .map_or(tail.len(), |(i, _)| i);
    (
        head.get(start..).unwrap_or_default(),
        tail.get(..end).unwrap_or_default(),
    )
}

/// Finds each of `anchors` in `new_text` (see the module documentation). The result has one
/// placement per anchor, in order.
pub fn reanchor(new_text: &str, anchors: &[Anchor]) -> Vec<Placement> {
    let mut needles: Vec<&str> = Vec::new();
    let mut variants: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for anchor in anchors {
        for (_, text) in &anchor.fragments {
            if !text.is_empty() {
                needles.push(text);
                variants
                    .entry(text)
                    .or_insert_with(|| line_end_variants(text));
            }
        }
    }
    for list in variants.values() {
        needles.extend(list.iter().map(String::as_str));
    }
    let index = Index::new(new_text, &needles);
    anchors
        .iter()
        .map(|anchor| place(new_text, &index, &variants, anchor))
        .collect()
}

/// The fragment text with its line ends converted, when it has any: CRLF to LF and LF to CRLF.
fn line_end_variants(text: &str) -> Vec<String> {
    if !text.contains('\n') {
        return Vec::new();
    }
    let lf = text.replace("\r\n", "\n");
    let crlf = lf.replace('\n', "\r\n");
    [lf, crlf].into_iter().filter(|v| v != text).collect()
}

fn place(
    text: &str,
    index: &Index<'_>,
    variants: &BTreeMap<&str, Vec<String>>,
    anchor: &Anchor,
) -> Placement {
    let old: Vec<ByteRange> = anchor.fragments.iter().map(|(r, _)| *r).collect();
    let (Some(first), Some(last_old)) = (anchor.fragments.first(), old.last()) else {
        return Placement::Unplaced(Unplaced::NoText);
    };
    if anchor.fragments.iter().any(|(_, t)| t.is_empty()) {
        return Placement::Unplaced(Unplaced::NoText);
    }
    let before = normalized(&anchor.before);
    let after = normalized(&anchor.after);
    // Fast path: same text at the same offsets, context agreeing.
    let same_text = anchor
        .fragments
        .iter()
        .all(|(range, t)| text.get(range.as_range()) == Some(t.as_str()));
    if same_text
        && (before.is_empty() || before_matches(text, first.0.start, &before))
        && (after.is_empty() || after_matches(text, last_old.end, &after))
    {
        return Placement::Unchanged;
    }
    let outcome = |fragments: Vec<ByteRange>| {
        if fragments == old {
            Placement::Unchanged
        } else {
            Placement::Moved(fragments)
        }
    };
    // The span as a block: every fragment at the same distance from the first as before.
    let blocks: Vec<Vec<ByteRange>> = index
        .find(&first.1)
        .into_iter()
        .filter_map(|start| {
            anchor
                .fragments
                .iter()
                .map(|(range, t)| {
                    let s = range.start.checked_sub(first.0.start)?.checked_add(start)?;
                    let r = ByteRange::new(s, s.checked_add(t.len())?);
                    (text.get(r.as_range()) == Some(t.as_str())).then_some(r)
                })
                .collect()
        })
        .collect();
    let block_ends: Vec<ByteRange> = blocks
        .iter()
        .filter_map(|b| Some(ByteRange::new(b.first()?.start, b.last()?.end)))
        .collect();
    match choose(text, &block_ends, &before, &after) {
        Ok(i) => {
            if let Some(block) = blocks.get(i) {
                return outcome(block.clone());
            }
        }
        Err(Unplaced::Ambiguous(n)) => return Placement::Unplaced(Unplaced::Ambiguous(n)),
        Err(_) => {}
    }
    // Each fragment on its own (and with its line ends converted).
    let count = anchor.fragments.len();
    let mut placed = Vec::with_capacity(count.min(64));
    for (k, (_, t)) in anchor.fragments.iter().enumerate() {
        let mut candidates: Vec<ByteRange> = index
            .find(t)
            .into_iter()
            .map(|s| ByteRange::new(s, s + t.len()))
            .collect();
        if candidates.is_empty() {
            for v in variants.get(t.as_str()).into_iter().flatten() {
                candidates.extend(
                    index
                        .find(v)
                        .into_iter()
                        .map(|s| ByteRange::new(s, s + v.len())),
                );
            }
        }
        let b = if k == 0 { before.as_str() } else { "" };
        let a = if k + 1 == count { after.as_str() } else { "" };
        match choose(text, &candidates, b, a) {
            Ok(i) => placed.extend(candidates.get(i).copied()),
            Err(why) => return Placement::Unplaced(why),
        }
    }
    if placed
        .windows(2)
        .any(|w| matches!(w, [x, y] if x.end > y.start))
    {
        return Placement::Unplaced(Unplaced::OutOfOrder);
    }
    outcome(placed)
}

/// Picks the one candidate that the context designates, or says why none can be picked.
fn choose(
    text: &str,
    candidates: &[ByteRange],
    before: &str,
    after: &str,
) -> Result<usize, Unplaced> {
    match candidates {
        [] => return Err(Unplaced::Absent),
        [_] => return Ok(0),
        _ => {}
    }
    let sides: Vec<(bool, bool)> = candidates
        .iter()
        .map(|c| {
            (
                !before.is_empty() && before_matches(text, c.start, before),
                !after.is_empty() && after_matches(text, c.end, after),
            )
        })
        .collect();
    let only = |keep: &dyn Fn(&(bool, bool)) -> bool| {
        let mut found = sides.iter().enumerate().filter(|(_, s)| keep(s));
        match (found.next(), found.next()) {
            (Some((i, _)), None) => Some(Ok(i)),
            (Some(_), Some(_)) => Some(Err(Unplaced::Ambiguous(candidates.len()))),
            _ => None,
        }
    };
    only(&|s| s.0 && s.1)
        .or_else(|| only(&|s| s.0 || s.1))
        .unwrap_or(Err(Unplaced::Ambiguous(candidates.len())))
}

/// Context as it is compared: without carriage returns and byte order marks.
fn normalized(context: &str) -> String {
    context.chars().filter(|c| !ignored(*c)).collect()
}

fn ignored(c: char) -> bool {
    c == '\r' || c == '\u{feff}'
}

/// True when the text before `at` ends with `context` (both normalised).
fn before_matches(text: &str, at: usize, context: &str) -> bool {
    let Some(head) = text.get(..at) else {
        return false;
    };
    let mut have = head.chars().rev().filter(|c| !ignored(*c));
    context.chars().rev().all(|c| have.next() == Some(c))
}

/// True when the text after `at` starts with `context` (both normalised).
fn after_matches(text: &str, at: usize, context: &str) -> bool {
    let Some(tail) = text.get(at..) else {
        return false;
    };
    let mut have = tail.chars().filter(|c| !ignored(*c));
    context.chars().all(|c| have.next() == Some(c))
}

/// Where needles may start in a text: for each needle prefix of up to 16 bytes, the offsets where
/// it occurs, found in one pass a prefix length.
struct Index<'t> {
    text: &'t str,
    /// By prefix length − 1: prefix (as a number) → offsets.
    positions: Vec<HashMap<u128, Vec<usize>>>,
    /// Prefixes so frequent that their offsets were not all kept: needles starting with them are
    /// searched directly.
    crowded: HashSet<(usize, u128)>,
}

/// Offsets kept for one prefix before falling back to a direct search.
const MAX_POSITIONS: usize = 1 << 16;
const PREFIX: usize = 16;

fn prefix_key(bytes: &[u8]) -> u128 {
    bytes.iter().fold(0, |k, &b| (k << 8) | u128::from(b))
}

impl<'t> Index<'t> {
    fn new(text: &'t str, needles: &[&str]) -> Self {
        let mut wanted: Vec<HashSet<u128>> = vec![HashSet::new(); PREFIX];
        for needle in needles {
            let len = needle.len().min(PREFIX);
            if let (Some(set), Some(prefix)) = (
                len.checked_sub(1).and_then(|l| wanted.get_mut(l)),
                needle.as_bytes().get(..len),
            ) {
                set.insert(prefix_key(prefix));
            }
        }
        let mut positions = vec![HashMap::new(); PREFIX];
        let mut crowded = HashSet::new();
        for (l, (keys, found)) in wanted.iter().zip(positions.iter_mut()).enumerate() {
            if keys.is_empty() {
                continue;
            }
            let len = l + 1;
            // A quick filter before the hash map: one bit for each possible 16-bit hash.
            let mut filter = vec![0u64; 1 << 10];
            let bit = |k: u128| {
                (((k >> 64) as u64 ^ k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48) as usize
            };
            for &k in keys {
                if let Some(word) = filter.get_mut(bit(k) >> 6) {
                    *word |= 1 << (bit(k) & 63);
                }
            }
            let mask = if len == PREFIX {
                u128::MAX
            } else {
                (1u128 << (8 * len)) - 1
            };
            let mut key = 0u128;
            for (i, &byte) in text.as_bytes().iter().enumerate() {
                key = ((key << 8) | u128::from(byte)) & mask;
                if i + 1 < len
                    || filter
                        .get(bit(key) >> 6)
                        .is_none_or(|w| w & (1 << (bit(key) & 63)) == 0)
                    || !keys.contains(&key)
                {
                    continue;
                }
                let list: &mut Vec<usize> = found.entry(key).or_default();
                if list.len() < MAX_POSITIONS {
                    list.push(i + 1 - len);
                } else {
                    crowded.insert((len, key));
                }
            }
        }
        Self {
            text,
            positions,
            crowded,
        }
    }

    /// Every offset where `needle` occurs in the text (overlapping occurrences included).
    fn find(&self, needle: &str) -> Vec<usize> {
        let len = needle.len().min(PREFIX);
        let Some(prefix) = needle.as_bytes().get(..len).filter(|p| !p.is_empty()) else {
            return Vec::new();
        };
        let key = prefix_key(prefix);
        if self.crowded.contains(&(len, key)) {
            let mut found = Vec::new();
            let mut from = 0;
            while let Some(at) = self.text.get(from..).and_then(|rest| rest.find(needle)) {
                found.push(from + at);
                // Overlapping occurrences: go on from the next character.
                from += at + needle.chars().next().map_or(1, char::len_utf8);
            }
            return found;
        }
        let bytes = self.text.as_bytes();
        self.positions
            .get(len - 1)
            .and_then(|map| map.get(&key))
            .map(|list| {
                list.iter()
                    .copied()
                    .filter(|&s| {
                        s.checked_add(needle.len())
                            .and_then(|e| bytes.get(s..e))
                            .is_some_and(|b| b == needle.as_bytes())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn anchor_in(text: &str, fragments: &[&str]) -> Anchor {
        let mut from = 0;
        let ranges: Vec<ByteRange> = fragments
            .iter()
            .map(|f| {
                let start = from + text[from..].find(f).unwrap();
                from = start + f.len();
                ByteRange::new(start, from)
            })
            .collect();
        let (before, after) = context(text, &ranges);
        Anchor {
            fragments: ranges
                .iter()
                .zip(fragments)
                .map(|(r, f)| (*r, (*f).to_owned()))
                .collect(),
            before,
            after,
        }
    }

    fn placed_text(text: &str, placement: &Placement, anchor: &Anchor) -> Vec<String> {
        let ranges: Vec<ByteRange> = match placement {
            Placement::Unchanged => anchor.fragments.iter().map(|(r, _)| *r).collect(),
            Placement::Moved(r) => r.clone(),
            Placement::Unplaced(_) => Vec::new(),
        };
        ranges.iter().map(|r| r.slice(text).to_owned()).collect()
    }

    #[test]
    fn context_takes_up_to_24_characters_on_char_boundaries() {
        let text =
            "ééééééééééééééééééééééééééééé[X]😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀";
        let start = text.find('[').unwrap();
        let (before, after) = context(text, &[ByteRange::new(start, start + 3)]);
        assert_eq!(before.chars().count(), 24);
        assert_eq!(after.chars().count(), 24);
        assert!(before.chars().all(|c| c == 'é'));
        let (before, after) = context("abc", &[ByteRange::new(0, 3)]);
        assert_eq!((before.as_str(), after.as_str()), ("", ""));
        assert_eq!(
            context("abc", &[ByteRange::new(0, 9)]),
            (String::new(), String::new())
        );
    }

    #[test]
    fn unchanged_moved_and_unplaced() {
        let old = "Le ministre a dit que la guerre est finie. Selon l'AFP, rien ne change.";
        let spans = [
            anchor_in(old, &["la guerre est finie"]),
            anchor_in(old, &["l'AFP"]),
            anchor_in(old, &["Le ministre", "finie"]),
        ];
        // Appended text: all unchanged.
        let new = format!("{old} Fin.");
        assert!(
            reanchor(&new, &spans)
                .iter()
                .all(|p| *p == Placement::Unchanged)
        );
        // Words inserted at the start: all moved, to their text.
        let new = format!("Hier, {old}");
        let placements = reanchor(&new, &spans);
        for (p, a) in placements.iter().zip(&spans) {
            assert!(matches!(p, Placement::Moved(_)), "{p:?}");
            let want: Vec<String> = a.fragments.iter().map(|(_, t)| t.clone()).collect();
            assert_eq!(placed_text(&new, p, a), want);
        }
        // A span's text edited: that one is unplaced, the others moved or unchanged.
        let new = old.replace("l'AFP", "Reuters");
        let placements = reanchor(&new, &spans);
        assert_eq!(placements[0], Placement::Unchanged);
        assert_eq!(placements[1], Placement::Unplaced(Unplaced::Absent));
        assert_eq!(placements[2], Placement::Unchanged);
    }

    #[test]
    fn repeated_text_is_placed_by_its_context_or_not_at_all() {
        let old = "Au nord, il pleut. Au sud, il fait beau et chaud.";
        let span = anchor_in(old, &["il pleut"]);
        // A second "il pleut" with another context: the context tells them apart.
        let new = format!("Ailleurs aussi il pleut souvent. {old}");
        let p = reanchor(&new, std::slice::from_ref(&span));
        assert_eq!(placed_text(&new, &p[0], &span), ["il pleut"]);
        assert!(
            matches!(&p[0], Placement::Moved(r) if r[0].start == new.find("Au nord, il pleut").unwrap() + 9)
        );
        // Both occurrences lost their context: ambiguous, never guessed.
        let new = "Il dit: il pleut. Elle dit: il pleut.";
        let p = reanchor(new, std::slice::from_ref(&span));
        assert_eq!(p[0], Placement::Unplaced(Unplaced::Ambiguous(2)));
        // Same text at the same offset but the context changed and another occurrence exists:
        // unplaced rather than guessed.
        let new = "Au nyd, il pleut. Au syd, il pleut et chaud.";
        let p = reanchor(new, std::slice::from_ref(&span));
        assert!(matches!(p[0], Placement::Unplaced(_)), "{:?}", p[0]);
    }

    #[test]
    fn line_ends_and_bom_changes_are_tolerated() {
        let old = "\u{feff}Titre\r\nLe ministre a dit:\r\nla paix.\r\nFin.\r\n";
        let spans = [
            anchor_in(old, &["Le ministre"]),
            anchor_in(old, &["dit:\r\nla paix"]),
            anchor_in(old, &["Fin."]),
        ];
        let new = old.replace("\r\n", "\n").replace('\u{feff}', "");
        let placements = reanchor(&new, &spans);
        assert_eq!(
            placed_text(&new, &placements[0], &spans[0]),
            ["Le ministre"]
        );
        assert_eq!(
            placed_text(&new, &placements[1], &spans[1]),
            ["dit:\nla paix"]
        );
        assert_eq!(placed_text(&new, &placements[2], &spans[2]), ["Fin."]);
    }

    #[test]
    fn discontinuous_spans_need_every_fragment_in_order() {
        let old = "Kim a dit, selon Moscou, que tout va bien.";
        let span = anchor_in(old, &["Kim a dit", "que tout va bien"]);
        let new = "Hier Kim a dit, selon Pékin et Moscou, que tout va bien.";
        let p = reanchor(new, std::slice::from_ref(&span));
        assert_eq!(
            placed_text(new, &p[0], &span),
            ["Kim a dit", "que tout va bien"]
        );
        let new = "Que tout va bien, Kim a dit.";
        let p = reanchor(new, std::slice::from_ref(&span));
        assert!(matches!(p[0], Placement::Unplaced(_)), "{:?}", p[0]);
        let new = "Kim a dit, selon Moscou.";
        let p = reanchor(new, std::slice::from_ref(&span));
        assert_eq!(p[0], Placement::Unplaced(Unplaced::Absent));
    }

    #[test]
    fn spans_without_text_are_never_placed() {
        let anchor = Anchor {
            fragments: vec![(ByteRange::new(0, 3), String::new())],
            ..Anchor::default()
        };
        assert_eq!(
            reanchor("abc", &[anchor, Anchor::default()]),
            [
                Placement::Unplaced(Unplaced::NoText),
                Placement::Unplaced(Unplaced::NoText)
            ]
        );
    }

    #[test]
    fn crowded_prefixes_are_still_found_exactly() {
        let text = format!("{}needle{}", "a".repeat(MAX_POSITIONS + 10), "a".repeat(5));
        let index = Index::new(&text, &["a", "aaaaaaaaaneedle", "aaneedle"]);
        assert_eq!(index.find("a").len(), MAX_POSITIONS + 15);
        assert_eq!(index.find("aaneedle"), [MAX_POSITIONS + 8]);
        assert_eq!(index.find("aaaaaaaaaneedle"), [MAX_POSITIONS + 1]);
    }

    proptest! {
        /// Whatever the edit, a placed span covers exactly its old text (never shifted silently),
        /// and a span whose text is unique in the new text with intact context is placed.
        #[test]
        fn placed_spans_cover_their_text(
            words in proptest::collection::vec("[a-cé😀 ]{1,6}", 2..30),
            picks in proptest::collection::vec((0usize..30, 1usize..4), 1..8),
            insert_at in 0usize..30,
            inserted in "[a-cé😀 \r\n]{0,12}",
        ) {
            let old: String = words.concat();
            let mut anchors = Vec::new();
            for (at, n) in picks {
                let start = words.iter().take(at % words.len()).map(String::len).sum::<usize>();
                let end = start + words.iter().skip(at % words.len()).take(n).map(String::len).sum::<usize>();
                let range = ByteRange::new(start, end);
                let (before, after) = context(&old, &[range]);
                anchors.push(Anchor { fragments: vec![(range, range.slice(&old).to_owned())], before, after });
            }
            let cut = words.iter().take(insert_at % words.len()).map(String::len).sum::<usize>();
            let new = format!("{}{inserted}{}", &old[..cut], &old[cut..]);
            for (placement, anchor) in reanchor(&new, &anchors).iter().zip(&anchors) {
                let want = &anchor.fragments[0].1;
                match placement {
                    Placement::Unchanged => prop_assert_eq!(anchor.fragments[0].0.slice(&new), want.as_str()),
                    Placement::Moved(r) => {
                        prop_assert_eq!(r.len(), 1);
                        prop_assert!(r[0].check(&new).is_ok());
                        let got = r[0].slice(&new);
                        prop_assert!(got == want || got.replace("\r\n", "\n") == want.replace("\r\n", "\n") , "{:?} vs {:?}", got, want);
                    }
                    Placement::Unplaced(_) => {
                        // Unplaced only when the text is not there exactly once.
                        let occurrences = (0..new.len())
                            .filter(|&i| new.get(i..).is_some_and(|rest| rest.starts_with(want.as_str())))
                            .count();
                        prop_assert!(occurrences != 1, "{:?} is once in {:?}", want, new);
                    }
                }
            }
        }
    }
}
