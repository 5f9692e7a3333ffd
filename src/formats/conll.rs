//! CoNLL: one token a line with IOB2 tags, `-DOCSTART-` between documents.
//!
//! The file is tab-separated. Each document starts with a `-DOCSTART-` line (with an `O` in each
//! tag column) and a blank line; its tokens follow one a line, sentences separated by a blank
//! line.
//!
//! - Tokens are the word segments of Unicode (UAX #29, `split_word_bound_indices`) without
//!   their white space (and BOM): an emoji sequence, a word with combining marks or an Arabic
//!   word is one token. Sentences are UAX #29 sentences, also cut at every line break; a sentence
//!   is never empty.
//! - A token belongs to a span when they share at least one byte; spans that start or end inside
//!   a token are counted in the report.
//! - Tags are IOB2. A discontinuous span is tagged fragment by fragment: the first token of each
//!   fragment is `B-`.
//! - A sentence break never falls inside a span (where a fragment covers the tokens on both
//!   sides): such sentences are written as one, so that every sentence is valid IOB2 on its own
//!   (no sentence starts with `I-`), as strict readers (NLTK, seqeval) require.
//! - [`OverlapPolicy::ColumnPerLabel`]: one tag column a label, in schema order (the report
//!   names them; the file has no header line, which CoNLL readers would take for a token);
//!   within a column, where two spans of that label overlap, the earlier (longer) one keeps the
//!   shared tokens.
//! - [`OverlapPolicy::Priority`]: one tag column; where spans overlap, the label that comes first
//!   in the schema keeps the shared tokens.
//!
//! Every span that does not appear whole is counted in the report, by label.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;

use unicode_segmentation::UnicodeSegmentation as _;

use super::{ExportDoc, ExportReport, FormatError, OverlapPolicy, Progress};
use crate::file::AtomicFile;
use crate::model::Annotation;
use crate::schema::Schema;
use crate::text::ByteRange;

/// The first line of every document.
const DOCSTART: &str = "-DOCSTART-";

/// Writes a CoNLL file to `out` (committed by the caller).
pub fn export(
    docs: &[ExportDoc<'_>],
    schema: &Schema,
    overlap: OverlapPolicy,
    out: &mut AtomicFile,
    progress: Progress<'_>,
) -> Result<ExportReport, FormatError> {
    let labels = label_order(docs, schema);
    let tag_names: BTreeMap<&str, String> =
        labels.iter().map(|l| (l.as_str(), tag_name(l))).collect();
    let mut file = String::new();
    let mut report = ExportReport::default();
    let width = match overlap {
        OverlapPolicy::ColumnPerLabel => {
            // No header line in the file: CoNLL readers (NLTK's among them) take any line for
            // a token. The report says which column is which.
            let columns: Vec<&str> = labels
                .iter()
                .filter_map(|l| tag_names.get(l.as_str()))
                .map(String::as_str)
                .collect();
            report.notes.push(format!(
                "columns: token, then one tag column a label: {}",
                columns.join(", ")
            ));
            labels.len()
        }
        OverlapPolicy::Priority => 1,
    };
    let priority: BTreeMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let mut stats = Stats::default();
    for (i, doc) in docs.iter().enumerate() {
        let text = &*doc.document.text;
        let tokens = tokenize(text);
        let columns: Vec<Column> = match overlap {
            OverlapPolicy::ColumnPerLabel => labels
                .iter()
                .map(|label| {
                    Column::tag(
                        &tokens,
                        doc.annotations
                            .iter()
                            .copied()
                            .filter(|a| a.label == *label),
                        &mut stats,
                    )
                })
                .collect(),
            OverlapPolicy::Priority => {
                let mut spans = doc.annotations.clone();
                // Stable: within a label, text order (earlier, then longer, first) decides.
                spans.sort_by_key(|a| {
                    priority
                        .get(a.label.as_str())
                        .copied()
                        .unwrap_or(usize::MAX)
                });
                vec![Column::tag(&tokens, spans.into_iter(), &mut stats)]
            }
        };
        file.push_str(DOCSTART);
        for _ in 0..width {
            file.push_str("\tO");
        }
        file.push_str("\n\n");
        let joined = inside_spans(&tokens, doc.annotations.iter().copied());
        let (sentences, kept_whole) = sentences(text, &tokens, &joined);
        stats.kept_whole += kept_whole;
        for sentence in sentences {
            for t in sentence {
                let Some(token) = tokens.get(t) else { continue };
                file.push_str(token.slice(text));
                for column in &columns {
                    file.push('\t');
                    match column.tags.get(t).copied().flatten() {
                        Some(owner) => {
                            let label = column
                                .spans
                                .get(owner.span)
                                .map_or("", |a| a.label.as_str());
                            file.push_str(if owner.begin { "B-" } else { "I-" });
                            file.push_str(tag_names.get(label).map_or(label, String::as_str));
                        }
                        None => file.push('O'),
                    }
                }
                file.push('\n');
            }
            file.push('\n');
        }
        stats.relations += doc.relations.len();
        stats.notes += doc
            .annotations
            .iter()
            .filter(|a| !a.note.trim().is_empty())
            .count();
        stats.attributes += doc
            .annotations
            .iter()
            .map(|a| a.attributes.len())
            .sum::<usize>();
        report.spans += columns.iter().map(|c| c.written).sum::<usize>();
        report.documents += 1;
        progress(i + 1, docs.len());
    }
    let path = out.path().to_owned();
    out.write_all(file.as_bytes())
        .map_err(FormatError::write(&path))?;
    report.notes.extend(
        tag_names
            .iter()
            .filter(|(label, tag)| **label != tag.as_str())
            .map(|(label, tag)| {
                format!(
                    "label {label:?} written as {tag:?}: CoNLL columns are separated by white space"
                )
            }),
    );
    report.notes.extend(stats.notes(overlap));
    Ok(report)
}

/// Labels in schema order, then the labels met that the schema does not list, sorted.
fn label_order(docs: &[ExportDoc<'_>], schema: &Schema) -> Vec<String> {
    let mut labels: Vec<String> = schema.labels.iter().map(|l| l.name.clone()).collect();
    let met: BTreeSet<&str> = docs
        .iter()
        .flat_map(|d| d.annotations.iter().map(|a| a.label.as_str()))
        .collect();
    for label in met {
        if !labels.iter().any(|l| l == label) {
            labels.push(label.to_owned());
        }
    }
    labels
}

/// A label as a tag: white space (which separates columns) becomes `_`.
fn tag_name(label: &str) -> String {
    label
        .chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

/// Characters that never belong to a token: white space, and the BOM.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// The tokens of `text`: its UAX #29 word segments, cut at (and without) white space and BOM.
///
/// Shared with [`crate::review::agreement`], whose token-level measures use the same tokens as
/// the CoNLL export.
///
/// Fast path: stretches of simple characters (printable ASCII, Latin letters, typographic
/// quotes and dashes) between ASCII white space are segmented by a small state machine
/// ([`simple_words`]); the rest goes through unicode-segmentation. The tokens are the same as
/// segmenting the whole text (see the comment inside, and the property tests in
/// `review::agreement`).
pub(crate) fn tokenize(text: &str) -> Vec<ByteRange> {
    // The text is cut into stretches of non-white-space characters bounded by ASCII white space
    // (tab, LF, VT, FF, CR, space) or the ends of the text. A stretch of simple characters only
    // (see `Simple::of`: printable ASCII; the Latin letters U+00C0–U+024F but × and ÷, which
    // are ALetter; ‘ ’, which are MidNumLet; « » “ ” – —, which are Other) is segmented by
    // `simple_words`, a state machine for the word rules these characters can meet; everything
    // between two such stretches (white space included) goes through unicode-segmentation as
    // before. The tokens are the same as segmenting the whole text (a property test checks it),
    // because every cut lies between an ASCII white space character `w` and a simple character
    // `x` (in either order), and UAX #29 always breaks there and looks no further across it.
    // (A cut between white space and any other character would not do: a space absorbs a
    // following combining mark by WB4, and WB3d keeps a space with a following U+3000.)
    //
    // - WB3–WB3b: `w` is CR, LF or Newline (`\v`, `\f`): break after it (WB3a) and before it
    //   (WB3b); CR × LF does not apply, `x` being neither.
    // - WB3c (ZWJ × Extended_Pictographic): neither `w` nor `x` is a ZWJ or a pictograph.
    // - WB3d (WSegSpace × WSegSpace): `x` is not a space.
    // - WB4 (X (Extend | Format | ZWJ)* → X): `x` and `w` are none of these, so nothing is
    //   absorbed across the cut and the context rules see `w` itself.
    // - WB5–WB13b join only letters, digits, `_`, and a middle character (`.` `'` `’` `‘` `:`
    //   `,` `;`) between two letters or two digits (no Hebrew or Katakana is simple); `w` is
    //   none of them (tab is Other, space WSegSpace), so no rule joins `x` to `w`, and no rule
    //   looking two characters back or ahead from inside a stretch sees past `w`, as it would
    //   have to be a middle character to be looked through.
    // - WB15–WB16 (regional indicators) count indicators, which are not simple.
    //
    // Hence WB999: a boundary; each side can be segmented on its own.
    let bytes = text.as_bytes();
    let mut tokens = Vec::with_capacity(text.len() / 4);
    let mut classes: Vec<(usize, Simple)> = Vec::new();
    // The text not segmented yet: from right after the last fast stretch, when a stretch that
    // needs unicode-segmentation has been met since (white space alone gives no token).
    let mut pending: Option<usize> = None;
    let mut after_fast = 0;
    let mut at = 0;
    while at < bytes.len() {
        // Skip ASCII white space, then take the stretch up to the next one (ASCII bytes never
        // occur inside a multi-byte character, so both ends are char boundaries).
        let Some(start) = bytes
            .get(at..)
            .and_then(|rest| rest.iter().position(|&b| !is_ascii_blank(b)))
            .map(|i| at + i)
        else {
            break;
        };
        let end = bytes
            .get(start..)
            .and_then(|rest| rest.iter().position(|&b| is_ascii_blank(b)))
            .map_or(bytes.len(), |i| start + i);
        classes.clear();
        // Letters, digits and `_` only (most words): one segment, by WB5, WB8–WB10, WB13a–b.
        let mut one_word = true;
        let simple = text.get(start..end).is_some_and(|stretch| {
            stretch.char_indices().all(|(offset, c)| {
                Simple::of(c).is_some_and(|class| {
                    one_word &= class.joins_words();
                    classes.push((start + offset, class));
                    true
                })
            })
        });
        if simple {
            if let Some(from) = pending.take() {
                segment_words(text, from, start, &mut tokens);
            }
            if one_word {
                tokens.push(ByteRange::new(start, end));
            } else {
                simple_words(&classes, end, &mut tokens);
            }
            after_fast = end;
        } else {
            pending.get_or_insert(after_fast);
        }
        at = end;
    }
    if let Some(from) = pending {
        segment_words(text, from, text.len(), &mut tokens);
    }
    tokens
}

/// ASCII white space as [`char::is_whitespace`] sees it: tab, LF, VT, FF, CR and space.
fn is_ascii_blank(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// The tokens of `text` by unicode-segmentation throughout: what [`tokenize`] gives, without
/// its fast path. The reference of the tokenizer's property tests and of the review benchmark.
#[doc(hidden)]
pub fn tokenize_without_fast_path(text: &str) -> Vec<ByteRange> {
    let mut tokens = Vec::new();
    segment_words(text, 0, text.len(), &mut tokens);
    tokens
}

/// The tokens of `text[from..to]` by unicode-segmentation (`from` and `to` are word boundaries
/// of the whole text), appended to `tokens`.
fn segment_words(text: &str, from: usize, to: usize, tokens: &mut Vec<ByteRange>) {
    let Some(slice) = text.get(from..to) else {
        return;
    };
    for (start, word) in slice.split_word_bound_indices() {
        let start = from + start;
        let mut run: Option<usize> = None;
        for (offset, c) in word.char_indices() {
            if is_blank(c) {
                if let Some(begin) = run.take() {
                    tokens.push(ByteRange::new(begin, start + offset));
                }
            } else if run.is_none() {
                run = Some(start + offset);
            }
        }
        if let Some(begin) = run {
            tokens.push(ByteRange::new(begin, start + word.len()));
        }
    }
}

/// The UAX #29 word property of a simple character, as far as the word rules tell them apart.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Simple {
    /// `ALetter`.
    Letter,
    /// `Numeric`.
    Digit,
    /// `ExtendNumLet` (`_`): WB13a–b join it to letters, digits and itself.
    Underscore,
    /// A character that can join two letters (WB6–WB7: `MidLetter` `:`; `MidNumLet` `.` `‘`
    /// `’`; `Single_Quote` `'`) and/or two digits (WB11–WB12: `MidNum` `,` `;`; `MidNumLet`;
    /// `Single_Quote`).
    Middle {
        /// Joins two letters.
        letters: bool,
        /// Joins two digits.
        digits: bool,
    },
    /// Any other simple character: breaks on both sides (WB999).
    Other,
}

impl Simple {
    /// The class of `c`, `None` when `c` is not simple (white space included).
    fn of(c: char) -> Option<Self> {
        Some(match c {
            'A'..='Z' | 'a'..='z' => Self::Letter,
            // Latin-1 letters, Latin Extended-A and -B: all `ALetter`.
            '\u{c0}'..='\u{24f}' if c != '×' && c != '÷' => Self::Letter,
            '0'..='9' => Self::Digit,
            '_' => Self::Underscore,
            '.' | '\'' | '‘' | '’' => Self::Middle {
                letters: true,
                digits: true,
            },
            ':' => Self::Middle {
                letters: true,
                digits: false,
            },
            ',' | ';' => Self::Middle {
                letters: false,
                digits: true,
            },
            '!'..='~' | '«' | '»' | '“' | '”' | '–' | '—' => Self::Other,
            _ => return None,
        })
    }

    fn joins_words(self) -> bool {
        matches!(self, Self::Letter | Self::Digit | Self::Underscore)
    }
}

/// Whether a middle character joins `before` and `after` (WB6–WB7, WB11–WB12): two letters
/// for `MidLetter` and `MidNumLetQ`, two digits for `MidNum` and `MidNumLetQ`.
fn joined_by_middle(before: Simple, middle: Simple, after: Simple) -> bool {
    let Simple::Middle { letters, digits } = middle else {
        return false;
    };
    (letters && before == Simple::Letter && after == Simple::Letter)
        || (digits && before == Simple::Digit && after == Simple::Digit)
}

/// The UAX #29 word segments of a stretch of simple characters bounded by white space or the
/// ends of the text, given as (byte offset, class) of each character, the stretch ending at
/// byte `end`; appended to `tokens`.
fn simple_words(classes: &[(usize, Simple)], end: usize, tokens: &mut Vec<ByteRange>) {
    let Some(&(mut start, _)) = classes.first() else {
        return;
    };
    for (i, pair) in classes.windows(2).enumerate() {
        let &[(_, prev), (at, cur)] = pair else {
            continue;
        };
        let joined = if prev.joins_words() && cur.joins_words() {
            true
        } else if prev.joins_words() {
            // WB6 / WB12: a middle character joins what precedes it when it is followed by
            // the same kind of character.
            classes
                .get(i + 2)
                .is_some_and(|&(_, after)| joined_by_middle(prev, cur, after))
        } else if cur.joins_words() {
            // WB7 / WB11: and what follows it, when it is preceded by the same kind.
            i.checked_sub(1)
                .and_then(|j| classes.get(j))
                .is_some_and(|&(_, before)| joined_by_middle(before, prev, cur))
        } else {
            false
        };
        if !joined {
            tokens.push(ByteRange::new(start, at));
            start = at;
        }
    }
    tokens.push(ByteRange::new(start, end));
}

/// For each pair of neighbouring tokens (`i`, `i + 1`), whether a fragment of one of `spans`
/// covers both: no sentence break may fall between them.
fn inside_spans<'a>(
    tokens: &[ByteRange],
    spans: impl Iterator<Item = &'a Annotation>,
) -> Vec<bool> {
    // How many fragments open (+1) and close (-1) at each gap; a running sum tells how many
    // cover a gap.
    let gaps = tokens.len().saturating_sub(1);
    let mut delta = vec![0_isize; gaps + 1];
    for fragment in spans.flat_map(|a| a.fragments.iter()) {
        // The tokens the fragment touches, as `Column::tag` finds them: `first..last`.
        let first = tokens.partition_point(|t| t.end <= fragment.start);
        let last = tokens.partition_point(|t| t.start < fragment.end);
        // Gaps `first..last - 1` lie between two of its tokens.
        if first + 1 < last {
            if let Some(d) = delta.get_mut(first) {
                *d += 1;
            }
            if let Some(d) = delta.get_mut(last - 1) {
                *d -= 1;
            }
        }
    }
    let mut open = 0;
    delta
        .iter()
        .take(gaps)
        .map(|d| {
            open += d;
            open > 0
        })
        .collect()
}

/// The sentences of `text` as ranges of token indices, none empty: UAX #29 sentences, also cut
/// wherever a line break lies between two tokens, but never between two tokens that `joined`
/// (from [`inside_spans`]) marks as inside one span: a span always lies in one sentence, so each
/// sentence is valid IOB2 on its own. Also returns how many breaks were not made for that.
fn sentences(
    text: &str,
    tokens: &[ByteRange],
    joined: &[bool],
) -> (Vec<std::ops::Range<usize>>, usize) {
    let starts: Vec<usize> = text
        .split_sentence_bound_indices()
        .map(|(start, _)| start)
        .collect();
    let sentence_of = |token: &ByteRange| starts.partition_point(|&s| s <= token.start);
    let mut sentences = Vec::new();
    let mut kept_whole = 0;
    let mut begin = 0;
    for (i, pair) in tokens.windows(2).enumerate() {
        if let [a, b] = pair {
            let gap = text.get(a.end..b.start).unwrap_or_default();
            if sentence_of(a) != sentence_of(b)
                || gap.contains(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}'])
            {
                if joined.get(i).copied().unwrap_or(false) {
                    kept_whole += 1;
                } else {
                    sentences.push(begin..i + 1);
                    begin = i + 1;
                }
            }
        }
    }
    if begin < tokens.len() {
        sentences.push(begin..tokens.len());
    }
    (sentences, kept_whole)
}

/// Which span tags a token, and whether the token begins a chunk.
#[derive(Clone, Copy)]
struct Owner {
    /// Index in [`Column::spans`].
    span: usize,
    begin: bool,
}

/// One tag column of one document.
struct Column<'a> {
    /// The spans written in this column, in the order they were placed.
    spans: Vec<&'a Annotation>,
    /// For each token, the span that tags it.
    tags: Vec<Option<Owner>>,
    /// Spans that tag at least one token.
    written: usize,
}

impl<'a> Column<'a> {
    /// Places `spans` in order: a token already taken stays with the span that took it. The
    /// first token of each fragment, and of each run of tokens a span keeps, is `B-`.
    fn tag(
        tokens: &[ByteRange],
        spans: impl Iterator<Item = &'a Annotation>,
        stats: &mut Stats,
    ) -> Self {
        let mut column = Self {
            spans: Vec::new(),
            tags: vec![None; tokens.len()],
            written: 0,
        };
        for annotation in spans {
            let me = column.spans.len();
            column.spans.push(annotation);
            if annotation.fragments.len() > 1 {
                stats.discontinuous += 1;
            }
            let mut off_boundary = false;
            let mut covered = 0;
            let mut kept = 0;
            let mut winners: BTreeSet<&str> = BTreeSet::new();
            for fragment in &annotation.fragments {
                let first = tokens.partition_point(|t| t.end <= fragment.start);
                let last = tokens.partition_point(|t| t.start < fragment.end);
                if let (Some(a), Some(b)) = (
                    tokens.get(first),
                    last.checked_sub(1).and_then(|l| tokens.get(l)),
                ) && first < last
                    && (a.start < fragment.start || b.end > fragment.end)
                {
                    off_boundary = true;
                }
                let mut previous: Option<usize> = None;
                for t in first..last {
                    let Some(slot) = column.tags.get_mut(t) else {
                        continue;
                    };
                    match *slot {
                        Some(owner) if owner.span == me => {}
                        Some(owner) => {
                            covered += 1;
                            winners.insert(
                                column
                                    .spans
                                    .get(owner.span)
                                    .map_or("", |a| a.label.as_str()),
                            );
                        }
                        None => {
                            covered += 1;
                            kept += 1;
                            *slot = Some(Owner {
                                span: me,
                                begin: previous.is_none_or(|p| p + 1 != t),
                            });
                            previous = Some(t);
                        }
                    }
                }
            }
            if off_boundary {
                stats.off_boundary += 1;
            }
            if kept > 0 {
                column.written += 1;
            }
            let label = annotation.label.clone();
            if covered == 0 {
                *stats.no_token.entry(label).or_default() += 1;
            } else if kept < covered {
                let to_other = winners.iter().any(|w| *w != annotation.label);
                let losses = if to_other {
                    &mut stats.lost_to_other
                } else {
                    &mut stats.lost_to_same
                };
                let entry = losses.entry(label).or_default();
                entry.0 += 1;
                if kept == 0 {
                    entry.1 += 1;
                }
            }
        }
        column
    }
}

/// What the export could not write whole, for the report.
#[derive(Default)]
struct Stats {
    /// Spans that start or end inside a token.
    off_boundary: usize,
    /// Discontinuous spans.
    discontinuous: usize,
    /// By label: spans that lost tokens to a span of another label (how many, how many entirely).
    lost_to_other: BTreeMap<String, (usize, usize)>,
    /// By label: spans that lost tokens to an overlapping span of the same label.
    lost_to_same: BTreeMap<String, (usize, usize)>,
    /// By label: spans that cover no token (only white space).
    no_token: BTreeMap<String, usize>,
    /// Sentence breaks not made because a span covers both sides.
    kept_whole: usize,
    relations: usize,
    notes: usize,
    attributes: usize,
}

impl Stats {
    fn notes(&self, overlap: OverlapPolicy) -> Vec<String> {
        let entirely = |all: usize| {
            if all > 0 {
                format!(" ({all} of them entirely)")
            } else {
                String::new()
            }
        };
        let mut notes = Vec::new();
        for (label, (count, all)) in &self.lost_to_other {
            let to = match overlap {
                OverlapPolicy::Priority => "higher-priority labels",
                OverlapPolicy::ColumnPerLabel => "other labels",
            };
            notes.push(format!(
                "{count} {label} span(s) lost tokens to {to}{}",
                entirely(*all)
            ));
        }
        for (label, (count, all)) in &self.lost_to_same {
            notes.push(format!(
                "{count} {label} span(s) lost tokens to an earlier overlapping {label} span{}",
                entirely(*all)
            ));
        }
        for (label, count) in &self.no_token {
            notes.push(format!(
                "{count} {label} span(s) cover no token (only white space): not written"
            ));
        }
        if self.off_boundary > 0 {
            notes.push(format!(
                "{} span(s) start or end inside a token: the whole token is tagged",
                self.off_boundary
            ));
        }
        if self.discontinuous > 0 {
            notes.push(format!(
                "{} discontinuous span(s): each fragment is tagged as a chunk of its own (B- on its first token)",
                self.discontinuous
            ));
        }
        if self.kept_whole > 0 {
            notes.push(format!(
                "{} sentence break(s) fall inside a span and were not made: a span stays in one sentence",
                self.kept_whole
            ));
        }
        let mut left_out = Vec::new();
        for (count, what) in [
            (self.relations, "relation(s)"),
            (self.notes, "note(s)"),
            (self.attributes, "attribute value(s)"),
        ] {
            if count > 0 {
                left_out.push(format!("{count} {what}"));
            }
        }
        if !left_out.is_empty() {
            notes.push(format!(
                "{} not written: CoNLL has no place for them",
                left_out.join(", ")
            ));
        }
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::tests::{to_file, torture_project};
    use crate::formats::{ExportOptions, select};
    use crate::model::{Project, Timestamp};

    /// A token line: the token and its tags.
    type Line = (String, Vec<String>);

    /// Exports `project` with `overlap` and returns the file and the report.
    fn export_project(project: &Project, overlap: OverlapPolicy) -> (String, ExportReport) {
        let (docs, _) = select(project, &ExportOptions::default());
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.conll");
        let mut calls = Vec::new();
        let report = to_file(&out, |file| {
            export(&docs, &project.schema, overlap, file, &mut |done, total| {
                calls.push((done, total));
            })
        })
        .unwrap();
        assert_eq!(
            calls,
            (1..=docs.len())
                .map(|i| (i, docs.len()))
                .collect::<Vec<_>>()
        );
        (std::fs::read_to_string(out).unwrap(), report)
    }

    /// Reads a file back: documents → sentences → token lines, checking the layout on the way.
    fn parse(file: &str, width: usize) -> Vec<Vec<Vec<Line>>> {
        let mut lines = file.lines().peekable();
        let mut docs: Vec<Vec<Vec<Line>>> = Vec::new();
        let mut sentence: Vec<Line> = Vec::new();
        while let Some(line) = lines.next() {
            if line.is_empty() {
                if !sentence.is_empty() {
                    docs.last_mut()
                        .expect("a sentence before -DOCSTART-")
                        .push(std::mem::take(&mut sentence));
                }
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), width + 1, "{line:?}");
            if fields[0] == DOCSTART {
                assert!(sentence.is_empty(), "a sentence ends with a blank line");
                assert!(fields[1..].iter().all(|t| *t == "O"), "{line:?}");
                assert_eq!(lines.next(), Some(""), "a blank line follows -DOCSTART-");
                docs.push(Vec::new());
                continue;
            }
            assert!(
                !fields[0].is_empty() && !fields[0].contains(char::is_whitespace),
                "{line:?}"
            );
            sentence.push((
                fields[0].to_owned(),
                fields[1..].iter().map(|t| (*t).to_owned()).collect(),
            ));
        }
        assert!(sentence.is_empty(), "the file ends with a blank line");
        docs
    }

    /// Checks IOB2 in every column: an `I-X` follows a `B-X` or an `I-X` of the same sentence.
    fn assert_iob2(docs: &[Vec<Vec<Line>>]) {
        for sentence in docs.iter().flatten() {
            let width = sentence.first().map_or(0, |(_, tags)| tags.len());
            for column in 0..width {
                let mut previous = "O";
                for (token, tags) in sentence {
                    let tag = tags[column].as_str();
                    assert!(
                        tag == "O" || tag.starts_with("B-") || tag.starts_with("I-"),
                        "{tag}"
                    );
                    if let Some(label) = tag.strip_prefix("I-") {
                        assert!(
                            previous == format!("B-{label}") || previous == format!("I-{label}"),
                            "{token}: {tag} after {previous}"
                        );
                    }
                    previous = tag;
                }
            }
        }
    }

    /// The tags of the token sequence `words` in `sentence`.
    fn tags_of<'a>(doc: &'a [Vec<Line>], words: &[&str]) -> Vec<&'a [String]> {
        for sentence in doc {
            for start in 0..sentence.len() {
                let found = sentence[start..]
                    .iter()
                    .take(words.len())
                    .map(|(t, _)| t.as_str())
                    .eq(words.iter().copied());
                if found {
                    return sentence[start..start + words.len()]
                        .iter()
                        .map(|(_, tags)| tags.as_slice())
                        .collect();
                }
            }
        }
        panic!("{words:?} not found");
    }

    #[test]
    fn column_per_label_keeps_every_tag_of_nested_spans() {
        let (file, report) = export_project(&torture_project(), OverlapPolicy::ColumnPerLabel);
        assert!(file.starts_with("-DOCSTART-\tO\tO\tO\n\n"), "{file}");
        let docs = parse(&file, 3);
        assert_iob2(&docs);
        assert_eq!(docs.len(), 3, "one -DOCSTART- a document");
        assert_eq!(file.matches(DOCSTART).count(), 3);
        assert!(
            docs[2].is_empty(),
            "the empty document is its -DOCSTART- alone"
        );
        assert!(file.ends_with("-DOCSTART-\tO\tO\tO\n\n"), "{file:?}");
        // The quote: B-claim then I-claim.
        let quote = tags_of(
            &docs[0],
            &["«", "Vos", "soldats", "se", "sont", "battus", "»"],
        );
        let claim: Vec<&str> = quote.iter().map(|t| t[0].as_str()).collect();
        assert_eq!(
            claim,
            [
                "B-claim", "I-claim", "I-claim", "I-claim", "I-claim", "I-claim", "I-claim"
            ]
        );
        // Nested: the claim "Le Kremlin 😀 a dit" holds the source "Le Kremlin".
        let nested = tags_of(&docs[0], &["Le", "Kremlin", "😀", "a", "dit"]);
        assert_eq!(nested[0], ["B-claim", "B-source", "O"]);
        assert_eq!(nested[1], ["I-claim", "I-source", "O"]);
        assert_eq!(nested[2], ["I-claim", "O", "O"]);
        let end = tags_of(&docs[0], &["Poutine", "."]);
        assert_eq!(end[0], ["O", "B-source", "B-boilerplate"]);
        assert_eq!(end[1], ["O", "O", "I-boilerplate"]);
        // Sentences: the first line is one, the second another.
        assert_eq!(docs[0].len(), 2, "{:?}", docs[0]);
        assert_eq!(docs[0][0][0].0, "Le", "the BOM is no token");
        assert!(
            !report.notes.iter().any(|n| n.contains("lost tokens")),
            "{:?}",
            report.notes
        );
        assert_eq!((report.documents, report.spans), (3, 8));
        assert!(
            report
                .notes
                .iter()
                .any(|n| n == "1 relation(s), 4 note(s) not written: CoNLL has no place for them"),
            "{:?}",
            report.notes
        );
    }

    #[test]
    fn emoji_arabic_and_combining_marks_are_single_tokens_and_fragments_begin_chunks() {
        let (file, report) = export_project(&torture_project(), OverlapPolicy::ColumnPerLabel);
        let docs = parse(&file, 3);
        let tokens: Vec<&str> = docs[1].iter().flatten().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            tokens,
            [
                "قال",
                "المتحدث",
                "إن",
                "e\u{301}te\u{301}",
                "👩\u{200d}👩\u{200d}👧",
                "fin"
            ]
        );
        assert!(docs[0].iter().flatten().any(|(t, _)| t == "😀"));
        // The discontinuous claim: each fragment begins a chunk.
        let claim: Vec<&str> = docs[1]
            .iter()
            .flatten()
            .map(|(_, tags)| tags[0].as_str())
            .collect();
        assert_eq!(claim, ["B-claim", "O", "O", "B-claim", "O", "O"]);
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.starts_with("1 discontinuous span(s)")),
            "{:?}",
            report.notes
        );
        let boilerplate: Vec<&str> = docs[1]
            .iter()
            .flatten()
            .map(|(_, tags)| tags[2].as_str())
            .collect();
        assert_eq!(
            boilerplate,
            ["O", "O", "O", "O", "B-boilerplate", "I-boilerplate"]
        );
    }

    #[test]
    fn priority_keeps_the_first_label_of_the_schema_and_counts_the_losers() {
        let (file, report) = export_project(&torture_project(), OverlapPolicy::Priority);
        assert!(file.starts_with("-DOCSTART-\tO\n\n"), "{file}");
        let docs = parse(&file, 1);
        assert_iob2(&docs);
        let quote = tags_of(
            &docs[0],
            &["«", "Vos", "soldats", "se", "sont", "battus", "»"],
        );
        assert_eq!(
            quote.iter().map(|t| t[0].as_str()).collect::<Vec<_>>(),
            [
                "B-claim", "I-claim", "I-claim", "I-claim", "I-claim", "I-claim", "I-claim"
            ]
        );
        let nested = tags_of(&docs[0], &["Le", "Kremlin", "😀", "a", "dit"]);
        assert_eq!(
            nested.iter().map(|t| t[0].as_str()).collect::<Vec<_>>(),
            ["B-claim", "I-claim", "I-claim", "I-claim", "I-claim"]
        );
        // source beats boilerplate on "Poutine"; the boilerplate keeps its ".", a chunk of its own.
        let end = tags_of(&docs[0], &["Poutine", "."]);
        assert_eq!(
            end.iter().map(|t| t[0].as_str()).collect::<Vec<_>>(),
            ["B-source", "B-boilerplate"]
        );
        assert!(
            report.notes.contains(
                &"1 source span(s) lost tokens to higher-priority labels (1 of them entirely)"
                    .to_owned()
            ),
            "{:?}",
            report.notes
        );
        assert!(
            report.notes.contains(
                &"1 boilerplate span(s) lost tokens to higher-priority labels".to_owned()
            ),
            "{:?}",
            report.notes
        );
        assert_eq!(
            report.spans, 7,
            "the source inside the claim is not written"
        );
    }

    fn add(project: &mut Project, doc: usize, label: &str, phrase: &str) {
        let text = project.documents[doc].text.clone();
        let start = text.find(phrase).unwrap();
        let id = project.allocate_id();
        let annotation = Annotation {
            id,
            label: label.into(),
            fragments: vec![ByteRange::new(start, start + phrase.len())],
            annotator: "zoé".into(),
            note: String::new(),
            created: Timestamp(0),
            attributes: BTreeMap::new(),
            suggested: None,
            provenance: None,
        };
        crate::edit::Edit::AddAnnotation { doc, annotation }
            .apply(project)
            .unwrap();
    }

    #[test]
    fn same_label_overlaps_and_spans_inside_tokens_are_counted() {
        let mut project = torture_project();
        project.schema.labels.push(crate::schema::LabelDef {
            name: "fact check".into(),
            color: crate::schema::PALETTE[3],
            key: String::new(),
            description: String::new(),
        });
        add(&mut project, 0, "claim", "Kremlin 😀");
        add(&mut project, 0, "claim", "a dit");
        add(&mut project, 1, "source", "fi");
        add(&mut project, 1, "fact check", "المت");
        for overlap in [OverlapPolicy::ColumnPerLabel, OverlapPolicy::Priority] {
            let (file, report) = export_project(&project, overlap);
            let width = if overlap == OverlapPolicy::Priority {
                1
            } else {
                4
            };
            let docs = parse(&file, width);
            assert_iob2(&docs);
            assert!(
                report.notes.contains(&"2 claim span(s) lost tokens to an earlier overlapping claim span (2 of them entirely)".to_owned()),
                "{overlap:?} {:?}",
                report.notes
            );
            assert!(
                report.notes.contains(
                    &"2 span(s) start or end inside a token: the whole token is tagged".to_owned()
                ),
                "{:?}",
                report.notes
            );
            assert!(report.notes.contains(&"label \"fact check\" written as \"fact_check\": CoNLL columns are separated by white space".to_owned()), "{:?}", report.notes);
            let fin = docs[1].iter().flatten().find(|(t, _)| t == "fin").unwrap();
            let arabic = docs[1]
                .iter()
                .flatten()
                .find(|(t, _)| t == "المتحدث")
                .unwrap();
            if overlap == OverlapPolicy::ColumnPerLabel {
                assert!(
                    report.notes.contains(
                        &"columns: token, then one tag column a label: claim, source, boilerplate, fact_check"
                            .to_owned()
                    ),
                    "{:?}",
                    report.notes
                );
                assert_eq!(fin.1, ["O", "B-source", "I-boilerplate", "O"]);
                assert_eq!(arabic.1, ["O", "B-source", "O", "B-fact_check"]);
            } else {
                assert_eq!(fin.1, ["B-source"], "source outranks boilerplate");
                assert_eq!(arabic.1, ["B-source"]);
                assert!(report.notes.contains(&"1 fact check span(s) lost tokens to higher-priority labels (1 of them entirely)".to_owned()), "{:?}", report.notes);
            }
        }
    }

    #[test]
    fn tokens_and_sentences_never_hold_white_space_or_come_out_empty() {
        let text = "\u{feff}  Un.\r\n\r\n Deux  trois ́ 😀!\n";
        let tokens: Vec<&str> = tokenize(text).iter().map(|t| t.slice(text)).collect();
        assert_eq!(tokens, ["Un", ".", "Deux", "trois", "\u{301}", "😀", "!"]);
        let tokens = tokenize(text);
        let lengths: Vec<usize> = sentences(text, &tokens, &[])
            .0
            .iter()
            .map(ExactSizeIterator::len)
            .collect();
        assert_eq!(lengths, [2, 5]);
        assert_eq!(sentences("", &[], &[]), (Vec::new(), 0));
    }

    /// A project of one document a text, each with its spans as (label, phrase); a phrase is
    /// found at its first occurrence.
    fn project_of(texts: &[(&str, &[(&str, &str)])]) -> Project {
        let documents = texts
            .iter()
            .enumerate()
            .map(|(i, (text, _))| crate::model::Document {
                path: format!("{i}.txt"),
                hash: crate::corpus::sha256_hex(text.as_bytes()),
                text: std::sync::Arc::from(*text),
                ..crate::model::Document::default()
            })
            .collect();
        let mut project = Project::new(
            "zoé".into(),
            "/corpus".into(),
            crate::schema::Schema::default(),
            documents,
        );
        for (doc, (_, spans)) in texts.iter().enumerate() {
            for (label, phrase) in *spans {
                add(&mut project, doc, label, phrase);
            }
        }
        project
    }

    /// The sentences of a file as lists of tokens, documents run together.
    fn sentence_tokens(docs: &[Vec<Vec<Line>>]) -> Vec<Vec<&str>> {
        docs.iter()
            .flatten()
            .map(|s| s.iter().map(|(t, _)| t.as_str()).collect())
            .collect()
    }

    /// Issue H 4: the sentence splitter cut after the abbreviation in "M. Venot" and at line
    /// breaks inside a span, so that a sentence started with `I-source`, which strict readers
    /// (NLTK, seqeval) reject. A break now never falls inside a span; outside spans, sentences
    /// are cut as before.
    #[test]
    fn h_conll_never_breaks_a_sentence_inside_a_span() {
        let project = project_of(&[
            (
                "Selon M. Venot, le texte est prêt. Puis E. Macron parle.\nFin.",
                &[("source", "M. Venot"), ("source", "E. Macron parle.\nFin")],
            ),
            (
                "Il a dit « oui\r\net non » hier.\r\nAutre ligne.\nDernière\nligne.",
                &[("claim", "« oui\r\net non »"), ("claim", "Dernière\nligne")],
            ),
        ]);
        for overlap in [OverlapPolicy::ColumnPerLabel, OverlapPolicy::Priority] {
            let (file, report) = export_project(&project, overlap);
            let width = if overlap == OverlapPolicy::Priority {
                1
            } else {
                3
            };
            let docs = parse(&file, width);
            assert_iob2(&docs);
            for sentence in docs.iter().flatten() {
                assert!(
                    sentence[0].1.iter().all(|t| !t.starts_with("I-")),
                    "{overlap:?}: a sentence starts inside a span: {sentence:?}"
                );
            }
            assert_eq!(
                sentence_tokens(&docs),
                [
                    vec![
                        "Selon", "M", ".", "Venot", ",", "le", "texte", "est", "prêt", "."
                    ],
                    vec!["Puis", "E", ".", "Macron", "parle", ".", "Fin", "."],
                    vec!["Il", "a", "dit", "«", "oui", "et", "non", "»", "hier", "."],
                    vec!["Autre", "ligne", "."],
                    vec!["Dernière", "ligne", "."],
                ],
                "{overlap:?}"
            );
            let venot = tags_of(&docs[0], &["M", ".", "Venot"]);
            let column = usize::from(overlap == OverlapPolicy::ColumnPerLabel);
            assert_eq!(
                venot.iter().map(|t| t[column].as_str()).collect::<Vec<_>>(),
                ["B-source", "I-source", "I-source"]
            );
            assert!(
                report.notes.contains(
                    &"5 sentence break(s) fall inside a span and were not made: a span stays in one sentence"
                        .to_owned()
                ),
                "{overlap:?} {:?}",
                report.notes
            );
        }
    }

    /// Issue H 4: a `# columns:` line is read as a token row by NLTK's `ConllCorpusReader`
    /// ("Inconsistent number of columns"): the file starts with `-DOCSTART-`, the report names
    /// the columns.
    #[test]
    fn h_conll_writes_no_columns_comment_by_default() {
        for overlap in [OverlapPolicy::ColumnPerLabel, OverlapPolicy::Priority] {
            let (file, report) = export_project(&torture_project(), overlap);
            assert!(file.starts_with(DOCSTART), "{overlap:?}: {file}");
            assert!(
                file.lines().all(|l| !l.starts_with('#')),
                "{overlap:?}: {file}"
            );
            let named = report.notes.contains(
                &"columns: token, then one tag column a label: claim, source, boilerplate"
                    .to_owned(),
            );
            assert_eq!(
                named,
                overlap == OverlapPolicy::ColumnPerLabel,
                "{overlap:?} {:?}",
                report.notes
            );
        }
    }

    /// Gaps inside a fragment are joined, whatever the number of tokens the fragment covers;
    /// gaps at its edges and between fragments of a discontinuous span are not.
    #[test]
    fn inside_spans_marks_the_gaps_between_the_tokens_of_a_fragment() {
        let text = "a b c d e f";
        let tokens = tokenize(text);
        let span = |fragments: &[(usize, usize)]| Annotation {
            id: crate::model::Id(1),
            label: "x".into(),
            fragments: fragments
                .iter()
                .map(|&(s, e)| ByteRange::new(s, e))
                .collect(),
            annotator: String::new(),
            note: String::new(),
            created: Timestamp(0),
            attributes: BTreeMap::new(),
            suggested: None,
            provenance: None,
        };
        // "a b" and "e f" (a discontinuous span), "c" alone, and a span inside "d".
        let spans = [span(&[(0, 3), (8, 11)]), span(&[(4, 5)]), span(&[(6, 7)])];
        assert_eq!(
            inside_spans(&tokens, spans.iter()),
            [true, false, false, false, true]
        );
        assert!(inside_spans(&[], spans.iter()).is_empty());
        // A fragment from the middle of "a" to the middle of "c": its tokens are a, b, c.
        let text = "ab cd ef";
        let spans = [span(&[(1, 4)])];
        assert_eq!(inside_spans(&tokenize(text), spans.iter()), [true, false]);
    }
}
