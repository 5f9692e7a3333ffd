//! spaCy's `DocBin` (`.spacy`): what `spacy train` reads, loaded with
//! `DocBin().from_disk(path).get_docs(nlp.vocab)` and no model installed.
//!
//! The file is zlib-compressed msgpack, laid out as spaCy's `DocBin.to_bytes`
//! (`spacy/tokens/_serialize.py`, version "0.1") writes it:
//!
//! - `attrs`: `[ORTH, ENT_IOB, ENT_TYPE]`; `tokens`: one row of three `uint64` a token, little
//!   endian (a string is its id in spaCy's `StringStore`: its reserved symbol number, else the
//!   `MurmurHash64A` of its UTF-8 with seed 1, [`string_id`]); `spaces`: one byte a token (1 when
//!   a space follows it); `lengths`: tokens a document, `int32`; `strings`: every token text and
//!   label, sorted; `cats`, `flags`, `span_groups` and `user_data` one a document.
//! - Each document's text is its whole text (BOM and `\r` kept): tokens are the CoNLL tokens
//!   (UAX #29 word segments, [`super::conll`]), cut at every fragment's edges, with the white
//!   space between them as tokens of their own, except a single space after a word, which is the
//!   word's `spaces` flag (as spaCy's tokenizer does), unless a fragment starts on it or ends
//!   right after it. Every fragment thus starts and ends on token boundaries.
//! - `doc.spans["marginalia"]` holds every span with its label, one span a fragment (a
//!   discontinuous span gives several), overlaps allowed, in text order; the group is there, empty,
//!   for a document without spans.
//! - `doc.ents` holds the fragments that do not overlap: where they do, the label that comes
//!   first in the schema wins (then the earlier, longer fragment); tokens outside them are `O`.
//!   The report counts, by label, the fragments left out of `doc.ents`.
//! - `doc.cats`: each document attribute with a list of values gives `NAME=VALUE` 1.0 for the
//!   document's value and 0.0 for its other values (what spaCy's exclusive `textcat` trains on);
//!   a free-text attribute gives `NAME=VALUE` 1.0. An attribute the document has no value for
//!   gives nothing (missing, not negative).
//! - `doc.user_data`: `{"id": the jsonl id, "meta": the document's metadata}`.

mod symbols;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;

use serde::Serialize;

use super::{ExportDoc, ExportReport, FormatError, Progress};
use crate::file::AtomicFile;
use crate::schema::Schema;
use crate::text::{ByteRange, CodePointIndex};

/// The key of the span group holding every span: `doc.spans["marginalia"]`.
pub const SPAN_GROUP: &str = "marginalia";

/// spaCy's attribute ids (`spacy/attrs.pxd`).
const ORTH: u64 = 65;
/// The IOB code of a token's entity.
const ENT_IOB: u64 = 77;
/// The label of a token's entity.
const ENT_TYPE: u64 = 78;
/// The columns of `tokens`, in order.
const ATTRS: [u64; 3] = [ORTH, ENT_IOB, ENT_TYPE];

/// `ENT_IOB` values (`Token.iob_strings()`: "", "I", "O", "B").
const IOB_INSIDE: u64 = 1;
/// Outside any entity.
const IOB_OUTSIDE: u64 = 2;
/// The first token of an entity.
const IOB_BEGIN: u64 = 3;

/// `MurmurHash64A` (Austin Appleby's, as the `murmurhash` package spaCy uses builds it on a
/// little-endian machine): `hash64(key, len(key), seed)`.
pub fn murmurhash64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut blocks = key.chunks_exact(8);
    for block in &mut blocks {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(block);
        let mut k = u64::from_le_bytes(bytes);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (i, &byte) in tail.iter().enumerate() {
            h ^= u64::from(byte) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// spaCy's `hash_string`: `MurmurHash64A` of the UTF-8, seed 1.
pub fn hash_string(string: &str) -> u64 {
    murmurhash64a(string.as_bytes(), 1)
}

/// The id of `string` in spaCy's `StringStore` (`get_string_id`): 0 for the empty string, the
/// symbol's number for a reserved symbol (`PERSON`, `ORG`, `LOC`…), else [`hash_string`].
pub fn string_id(string: &str) -> u64 {
    if string.is_empty() {
        return 0;
    }
    symbols::SYMBOLS
        .binary_search_by(|(name, _)| (*name).cmp(string))
        .ok()
        .and_then(|i| symbols::SYMBOLS.get(i))
        .map_or_else(|| hash_string(string), |(_, id)| *id)
}

/// Bytes that msgpack writes as `bin` (Python `bytes`), not as a list of numbers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Bin<'a>(&'a [u8]);

impl Serialize for Bin<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// The msgpack of a `DocBin`, field by field as `DocBin.to_bytes` writes them.
#[derive(Serialize)]
struct DocBinOut<'a> {
    version: &'a str,
    attrs: [u64; 3],
    tokens: Bin<'a>,
    spaces: Bin<'a>,
    lengths: Bin<'a>,
    strings: Vec<&'a str>,
    cats: Vec<&'a BTreeMap<String, f64>>,
    flags: Vec<Flags>,
    span_groups: Vec<Bin<'a>>,
    user_data: Vec<Bin<'a>>,
}

/// A document's `flags`.
#[derive(Serialize)]
struct Flags {
    has_unknown_spaces: bool,
}

/// A `SpanGroup.to_bytes`.
#[derive(Serialize)]
struct SpanGroupOut<'a> {
    name: &'a str,
    attrs: BTreeMap<String, String>,
    spans: Vec<Bin<'a>>,
}

/// A document's `user_data`.
#[derive(Serialize)]
struct UserData<'a> {
    id: &'a str,
    meta: &'a crate::model::Metadata,
}

/// A token: its text (without the space after it) and whether a space follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Its bytes in the text.
    pub range: ByteRange,
    /// True when one space (U+0020) follows it, which is not part of any token.
    pub space: bool,
}

/// The tokens of `text` for spaCy, cut at every offset of `cuts` (sorted), whose spaces keep
/// every range of `fragments` on token boundaries; their texts and spaces rebuild `text`.
pub fn tokenize(text: &str, fragments: &[ByteRange]) -> Vec<Token> {
    let mut cuts: Vec<usize> = fragments.iter().flat_map(|f| [f.start, f.end]).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let starts: BTreeSet<usize> = fragments.iter().map(|f| f.start).collect();
    let ends: BTreeSet<usize> = fragments.iter().map(|f| f.end).collect();
    // Words and the blank stretches between them, in order.
    let mut pieces: Vec<(ByteRange, bool)> = Vec::new();
    let mut at = 0;
    for word in super::conll::tokenize(text) {
        if at < word.start {
            pieces.push((ByteRange::new(at, word.start), true));
        }
        pieces.push((word, false));
        at = word.end;
    }
    if at < text.len() {
        pieces.push((ByteRange::new(at, text.len()), true));
    }
    let mut tokens: Vec<Token> = Vec::with_capacity(pieces.len());
    let mut blank: Vec<bool> = Vec::with_capacity(pieces.len());
    let mut next_cut = 0;
    for (piece, is_blank) in pieces {
        // Cut the piece at the fragment edges strictly inside it.
        let mut from = piece.start;
        while let Some(&cut) = cuts.get(next_cut) {
            if cut >= piece.end {
                break;
            }
            next_cut += 1;
            if cut > from {
                tokens.push(Token {
                    range: ByteRange::new(from, cut),
                    space: false,
                });
                blank.push(is_blank);
                from = cut;
            }
        }
        let mut rest = ByteRange::new(from, piece.end);
        // A single space after a word is the word's `spaces` flag, when no fragment starts on
        // it or ends right after it.
        if is_blank
            && text.as_bytes().get(rest.start) == Some(&b' ')
            && !starts.contains(&rest.start)
            && !ends.contains(&(rest.start + 1))
            && blank.last() == Some(&false)
            && let Some(word) = tokens.last_mut()
            && word.range.end == rest.start
            && !word.space
        {
            word.space = true;
            rest = ByteRange::new(rest.start + 1, rest.end);
        }
        if rest.start < rest.end {
            tokens.push(Token {
                range: rest,
                space: false,
            });
            blank.push(is_blank);
        }
    }
    tokens
}

/// One document, ready to be joined to the others.
#[derive(Debug, Default)]
struct DocOut<'a> {
    /// `tokens` rows, as bytes.
    tokens: Vec<u8>,
    /// `spaces`, a byte a token.
    spaces: Vec<u8>,
    /// The number of tokens.
    length: i32,
    /// Token texts and labels.
    strings: BTreeSet<&'a str>,
    /// `doc.cats`.
    cats: BTreeMap<String, f64>,
    /// `SpanGroups.to_bytes`.
    span_groups: Vec<u8>,
    /// The msgpack of `doc.user_data`.
    user_data: Vec<u8>,
    /// Fragments written in the span group.
    fragments: usize,
    /// Discontinuous spans written a fragment at a time.
    discontinuous: usize,
    /// Fragments that could not be placed on tokens (none: the tokens are cut at their edges).
    unplaced: usize,
    /// Fragments left out of `doc.ents`, by label.
    not_in_ents: BTreeMap<&'a str, usize>,
    /// Attribute values that the schema does not list, by attribute.
    unlisted: BTreeMap<&'a str, usize>,
}

/// Writes a `DocBin` to `out` (committed by the caller).
pub fn export(
    docs: &[ExportDoc<'_>],
    schema: &Schema,
    out: &mut AtomicFile,
    progress: Progress<'_>,
) -> Result<ExportReport, FormatError> {
    let path = out.path().to_owned();
    let too_large = |message: String| FormatError::write(&path)(std::io::Error::other(message));
    let ranks = label_ranks(docs, schema);
    let mut outs: Vec<DocOut<'_>> = Vec::with_capacity(docs.len());
    super::in_parallel(
        docs,
        |doc| document(doc, schema, &ranks),
        |finished, results| {
            for result in results {
                outs.push(result.map_err(&too_large)?);
            }
            progress(finished, docs.len());
            Ok(())
        },
    )?;
    let mut report = ExportReport {
        documents: docs.len(),
        spans: docs.iter().map(|d| d.annotations.len()).sum(),
        relations: 0,
        notes: Vec::new(),
    };
    let mut tokens = Vec::new();
    let mut spaces = Vec::new();
    let mut lengths = Vec::with_capacity(outs.len() * 4);
    let mut strings: BTreeSet<&str> = BTreeSet::new();
    let mut not_in_ents: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unlisted: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut fragments, mut discontinuous, mut unplaced) = (0, 0, 0);
    for doc in &mut outs {
        tokens.append(&mut doc.tokens);
        spaces.append(&mut doc.spaces);
        lengths.extend_from_slice(&doc.length.to_le_bytes());
        strings.append(&mut doc.strings);
        for (label, n) in &doc.not_in_ents {
            *not_in_ents.entry(label).or_default() += n;
        }
        for (name, n) in &doc.unlisted {
            *unlisted.entry(name).or_default() += n;
        }
        fragments += doc.fragments;
        discontinuous += doc.discontinuous;
        unplaced += doc.unplaced;
    }
    let bin = DocBinOut {
        version: "0.1",
        attrs: ATTRS,
        tokens: Bin(&tokens),
        spaces: Bin(&spaces),
        lengths: Bin(&lengths),
        strings: strings.into_iter().collect(),
        cats: outs.iter().map(|d| &d.cats).collect(),
        flags: outs
            .iter()
            .map(|_| Flags {
                has_unknown_spaces: false,
            })
            .collect(),
        span_groups: outs.iter().map(|d| Bin(&d.span_groups)).collect(),
        user_data: outs.iter().map(|d| Bin(&d.user_data)).collect(),
    };
    let msgpack = rmp_serde::to_vec_named(&bin).map_err(|e| too_large(e.to_string()))?;
    let mut zlib = flate2::write::ZlibEncoder::new(&mut *out, flate2::Compression::default());
    zlib.write_all(&msgpack)
        .and_then(|()| zlib.finish().map(|_| ()))
        .map_err(FormatError::write(&path))?;
    report.notes.push(format!(
        "{fragments} fragment(s) in doc.spans[{SPAN_GROUP:?}], overlaps kept"
    ));
    if unplaced > 0 {
        report.notes.push(format!(
            "{unplaced} fragment(s) empty or outside the text: not written"
        ));
    }
    if discontinuous > 0 {
        report.notes.push(format!(
            "{discontinuous} discontinuous span(s) written as one span a fragment"
        ));
    }
    for (label, n) in not_in_ents {
        report.notes.push(format!(
            "{n} {label} fragment(s) not in doc.ents: they overlap a label that comes first in \
             the schema or an earlier fragment (they are in doc.spans[{SPAN_GROUP:?}])"
        ));
    }
    let mut left_out = Vec::new();
    for (count, what) in [
        (docs.iter().map(|d| d.relations.len()).sum(), "relation(s)"),
        (
            docs.iter()
                .flat_map(|d| &d.annotations)
                .filter(|a| !a.note.trim().is_empty())
                .count(),
            "note(s)",
        ),
        (
            docs.iter()
                .flat_map(|d| &d.annotations)
                .map(|a| a.attributes.len())
                .sum::<usize>(),
            "span attribute value(s)",
        ),
    ] {
        if count > 0 {
            left_out.push(format!("{count} {what}"));
        }
    }
    if !left_out.is_empty() {
        report.notes.push(format!(
            "{} not written: a DocBin has no place for them (the jsonl export keeps them)",
            left_out.join(", ")
        ));
    }
    for (name, n) in unlisted {
        report.notes.push(format!(
            "{n} document(s) have a value of {name} that the schema does not list: doc.cats \
             has it as 1.0 beside the listed values"
        ));
    }
    Ok(report)
}

/// Each label's rank for `doc.ents`: schema order, then the labels met that the schema does not
/// list, sorted.
fn label_ranks<'a>(docs: &[ExportDoc<'a>], schema: &'a Schema) -> BTreeMap<&'a str, usize> {
    let mut ranks: BTreeMap<&str, usize> = BTreeMap::new();
    for label in &schema.labels {
        let next = ranks.len();
        ranks.entry(label.name.as_str()).or_insert(next);
    }
    let met: BTreeSet<&str> = docs
        .iter()
        .flat_map(|d| d.annotations.iter().map(|a| a.label.as_str()))
        .collect();
    for label in met {
        let next = ranks.len();
        ranks.entry(label).or_insert(next);
    }
    ranks
}

/// A fragment placed on the tokens.
#[derive(Clone, Copy, Debug)]
struct Placed<'a> {
    label: &'a str,
    /// First token.
    start: usize,
    /// Past the last token.
    end: usize,
    /// Code points.
    start_char: i32,
    /// Code points.
    end_char: i32,
}

/// One document's part of the `DocBin`; `Err` says what does not fit spaCy's integers.
fn document<'a>(
    doc: &ExportDoc<'a>,
    schema: &Schema,
    ranks: &BTreeMap<&str, usize>,
) -> Result<DocOut<'a>, String> {
    let text: &'a str = &doc.document.text;
    let mut out = DocOut::default();
    let fragments: Vec<ByteRange> = doc
        .annotations
        .iter()
        .flat_map(|a| a.fragments.iter().copied())
        .filter(|f| f.start < f.end && f.end <= text.len())
        .collect();
    let tokens = tokenize(text, &fragments);
    out.length = i32::try_from(tokens.len())
        .map_err(|_| format!("{} has too many tokens for spaCy", doc.document.path))?;
    let index = CodePointIndex::new(text);
    let char_of = |byte: usize| {
        i32::try_from(index.char_of_byte(byte))
            .map_err(|_| format!("{} is too long for spaCy", doc.document.path))
    };
    let token_starts: Vec<usize> = tokens.iter().map(|t| t.range.start).collect();
    let token_ends: Vec<usize> = tokens.iter().map(|t| t.range.end).collect();
    let mut placed: Vec<Placed<'a>> = Vec::new();
    for annotation in &doc.annotations {
        if annotation.fragments.len() > 1 {
            out.discontinuous += 1;
        }
        for fragment in &annotation.fragments {
            let start = token_starts.binary_search(&fragment.start).ok();
            let end = token_ends.binary_search(&fragment.end).ok();
            // Always found: the tokens are cut at every fragment edge.
            let (Some(start), Some(end)) = (start, end) else {
                out.unplaced += 1;
                continue;
            };
            placed.push(Placed {
                label: &annotation.label,
                start,
                end: end + 1,
                start_char: char_of(fragment.start)?,
                end_char: char_of(fragment.end)?,
            });
            out.strings.insert(&annotation.label);
        }
    }
    out.fragments = placed.len();
    // The entities: by label rank, then text order (stable sort).
    let mut by_rank: Vec<&Placed<'a>> = placed.iter().collect();
    by_rank.sort_by_key(|p| ranks.get(p.label).copied().unwrap_or(usize::MAX));
    let mut taken = vec![false; tokens.len()];
    let mut ents: Vec<&Placed<'a>> = Vec::new();
    for p in by_rank {
        let free = taken
            .get(p.start..p.end)
            .is_some_and(|t| t.iter().all(|&x| !x));
        if free {
            taken
                .get_mut(p.start..p.end)
                .into_iter()
                .flatten()
                .for_each(|x| *x = true);
            ents.push(p);
        } else {
            *out.not_in_ents.entry(p.label).or_default() += 1;
        }
    }
    let mut iob = vec![(IOB_OUTSIDE, 0); tokens.len()];
    for ent in ents {
        let label = string_id(ent.label);
        for (i, slot) in iob
            .get_mut(ent.start..ent.end)
            .into_iter()
            .flatten()
            .enumerate()
        {
            *slot = (if i == 0 { IOB_BEGIN } else { IOB_INSIDE }, label);
        }
    }
    out.tokens.reserve(tokens.len() * 24);
    out.spaces.reserve(tokens.len());
    for (token, (iob, label)) in tokens.iter().zip(iob) {
        let word = token.range.slice(text);
        out.strings.insert(word);
        for value in [string_id(word), iob, label] {
            out.tokens.extend_from_slice(&value.to_le_bytes());
        }
        out.spaces.push(u8::from(token.space));
    }
    // The span group: `struct.pack(">QQQllll", id, kb_id, label, start, end, start_char,
    // end_char)` a span.
    let mut spans: Vec<Vec<u8>> = Vec::with_capacity(placed.len());
    for p in &placed {
        let mut bytes = Vec::with_capacity(40);
        bytes.extend_from_slice(&0u64.to_be_bytes());
        bytes.extend_from_slice(&0u64.to_be_bytes());
        bytes.extend_from_slice(&string_id(p.label).to_be_bytes());
        let start = i32::try_from(p.start).map_err(|e| e.to_string())?;
        let end = i32::try_from(p.end).map_err(|e| e.to_string())?;
        for value in [start, end, p.start_char, p.end_char] {
            bytes.extend_from_slice(&value.to_be_bytes());
        }
        spans.push(bytes);
    }
    let group = SpanGroupOut {
        name: SPAN_GROUP,
        attrs: BTreeMap::new(),
        spans: spans.iter().map(|s| Bin(s)).collect(),
    };
    let group = rmp_serde::to_vec_named(&group).map_err(|e| e.to_string())?;
    let groups: BTreeMap<Bin<'_>, [&str; 1]> =
        std::iter::once((Bin(&group), [SPAN_GROUP])).collect();
    out.span_groups = rmp_serde::to_vec_named(&groups).map_err(|e| e.to_string())?;
    out.cats = cats(doc, schema, &mut out.unlisted);
    let user_data = UserData {
        id: doc.name(),
        meta: &doc.document.metadata,
    };
    out.user_data = rmp_serde::to_vec_named(&user_data).map_err(|e| e.to_string())?;
    Ok(out)
}

/// `doc.cats` of a document: see the module's documentation. Values that the schema does not
/// list are counted in `unlisted`, by attribute.
fn cats<'a>(
    doc: &ExportDoc<'a>,
    schema: &Schema,
    unlisted: &mut BTreeMap<&'a str, usize>,
) -> BTreeMap<String, f64> {
    let mut cats = BTreeMap::new();
    for (name, value) in &doc.document.attributes {
        if value.is_empty() {
            continue;
        }
        if let Some(def) = schema.document_attribute(name)
            && !def.is_free_text()
        {
            for listed in &def.values {
                let score = if listed == value { 1.0 } else { 0.0 };
                cats.insert(format!("{name}={listed}"), score);
            }
            if !def.values.contains(value) {
                *unlisted.entry(name.as_str()).or_default() += 1;
            }
        }
        cats.insert(format!("{name}={value}"), 1.0);
    }
    cats
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `SYMBOLS` is sorted by string, for the binary search.
    #[test]
    fn h_spacy_symbols_are_sorted() {
        assert!(
            symbols::SYMBOLS
                .windows(2)
                .all(|w| w.first().map(|a| a.0) < w.get(1).map(|b| b.0))
        );
    }

    /// The hard cases by hand: a fragment that starts on the space after a word, one that ends
    /// on it, one inside a word, CRLF, a BOM and double spaces.
    #[test]
    fn h_spacy_tokens_put_fragment_edges_on_token_edges() {
        let text = "\u{feff}Le Kremlin  a dit\r\nhier";
        let at = |s: &str| text.find(s).unwrap_or_default();
        let fragments = [
            ByteRange::new(at(" Kremlin"), at("  a")),
            ByteRange::new(at("Le"), at(" Kremlin") + 1),
            ByteRange::new(at("emlin"), at("emlin") + 2),
        ];
        let words: Vec<(&str, bool)> = tokenize(text, &fragments)
            .iter()
            .map(|t| (t.range.slice(text), t.space))
            .collect();
        assert_eq!(
            words,
            [
                ("\u{feff}", false),
                ("Le", false),
                (" ", false),
                ("Kr", false),
                ("em", false),
                ("lin", true),
                (" ", false),
                ("a", true),
                ("dit", false),
                ("\r\n", false),
                ("hier", false),
            ]
        );
    }

    proptest! {
        /// Whatever the text and the fragments, the tokens (never empty) and their spaces rebuild
        /// the text, and every fragment starts at a token's start and ends at a token's end.
        #[test]
        fn h_spacy_tokens_rebuild_the_text_and_hold_every_fragment(
            text in "[a \u{301}é😀\r\n\t«»,.\u{5d0}\u{feff}-]{0,40}",
            cuts in proptest::collection::vec((0usize..60, 0usize..60), 0..6),
        ) {
            let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let fragments: Vec<ByteRange> = cuts
                .iter()
                .filter_map(|&(a, b)| {
                    let (a, b) = (*bounds.get(a % bounds.len())?, *bounds.get(b % bounds.len())?);
                    (a < b).then(|| ByteRange::new(a, b))
                })
                .collect();
            let tokens = tokenize(&text, &fragments);
            let mut rebuilt = String::new();
            for t in &tokens {
                prop_assert!(t.range.start < t.range.end);
                prop_assert_eq!(t.range.start, rebuilt.len());
                rebuilt.push_str(t.range.slice(&text));
                if t.space {
                    rebuilt.push(' ');
                }
            }
            prop_assert_eq!(&rebuilt, &text);
            for f in &fragments {
                prop_assert!(tokens.iter().any(|t| t.range.start == f.start), "{:?}", f);
                prop_assert!(tokens.iter().any(|t| t.range.end == f.end), "{:?}", f);
            }
        }
    }
}
