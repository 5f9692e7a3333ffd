//! The in-memory project: documents with their text, annotations and relations.
//!
//! Nothing here touches the disk (see [`crate::file`] and [`crate::corpus`]) or the GUI. The
//! project is changed only through [`crate::edit::Edit`], so that every change can be undone.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::schema::Schema;
pub use crate::suggestion::Rejection;
use crate::text::ByteRange;

/// Identifies an annotation or a relation within a project. Never reused within a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(pub u64);

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A point in time, to the second, written as RFC 3339 UTC (`"2026-11-21T19:43:15Z"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        Self(time::OffsetDateTime::now_utc().unix_timestamp())
    }
}

impl Timestamp {
    /// `YYYY-MM-DDTHH:MM:SSZ` for a year from 0 to 9999 (what [`fmt::Display`] writes), the
    /// digits put in place directly after `time`'s conversion to a date: writing a large project
    /// formats 100,000 of them, three times faster than through a format description.
    fn canonical(self) -> Option<[u8; 20]> {
        let time = time::OffsetDateTime::from_unix_timestamp(self.0).ok()?;
        let (year, month, day) = time.to_calendar_date();
        let year = u32::try_from(year).ok().filter(|year| *year <= 9999)?;
        let (hour, minute, second) = time.to_hms();
        let mut text = *b"0000-00-00T00:00:00Z";
        for (at, width, value) in [
            (0, 4, year),
            (5, 2, u32::from(u8::from(month))),
            (8, 2, u32::from(day)),
            (11, 2, u32::from(hour)),
            (14, 2, u32::from(minute)),
            (17, 2, u32::from(second)),
        ] {
            let mut value = value;
            for digit in text.get_mut(at..at + width)?.iter_mut().rev() {
                *digit = b'0' + (value % 10) as u8;
                value /= 10;
            }
        }
        Some(text)
    }

    /// Reads `YYYY-MM-DDTHH:MM:SSZ` directly (what Marginalia writes): a hundred thousand spans
    /// load faster than through a general RFC 3339 parser. `None` for anything else, a date or
    /// a time that does not exist included.
    pub(crate) fn parse_canonical(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() != 20
            || b.get(4) != Some(&b'-')
            || b.get(7) != Some(&b'-')
            || b.get(10) != Some(&b'T')
            || b.get(13) != Some(&b':')
            || b.get(16) != Some(&b':')
            || b.get(19) != Some(&b'Z')
        {
            return None;
        }
        let number = |from: usize, to: usize| -> Option<u16> {
            b.get(from..to)?.iter().try_fold(0u16, |n, &d| {
                d.is_ascii_digit().then(|| n * 10 + u16::from(d - b'0'))
            })
        };
        let small = |from: usize| number(from, from + 2).and_then(|n| u8::try_from(n).ok());
        let month = time::Month::try_from(small(5)?).ok()?;
        let date =
            time::Date::from_calendar_date(i32::from(number(0, 4)?), month, small(8)?).ok()?;
        let clock = time::Time::from_hms(small(11)?, small(14)?, small(17)?).ok()?;
        Some(Self(date.with_time(clock).assume_utc().unix_timestamp()))
    }

    /// Appends what [`fmt::Display`] writes, without going through `fmt` in the common case (a
    /// year from 0 to 9999).
    pub(crate) fn push_to(self, out: &mut String) {
        if let Some(text) = self.canonical() {
            out.push_str(std::str::from_utf8(&text).unwrap_or_default());
        } else {
            use fmt::Write as _;
            let _ = write!(out, "{self}");
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(text) = self.canonical() {
            return f.write_str(std::str::from_utf8(&text).unwrap_or_default());
        }
        let format =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        match time::OffsetDateTime::from_unix_timestamp(self.0).map(|t| t.format(&format)) {
            Ok(Ok(text)) => f.write_str(&text),
            _ => write!(f, "@{}", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 time such as \"2026-11-21T19:43:15Z\"")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Timestamp, E> {
                if let Some(time) = Timestamp::parse_canonical(text) {
                    return Ok(time);
                }
                time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                    .map(|t| Timestamp(t.unix_timestamp()))
                    .map_err(|e| E::custom(format!("{text:?} is not an RFC 3339 time: {e}")))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// Where an annotator is with a document.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum Status {
    /// Not started.
    #[default]
    ToDo,
    /// Started.
    InProgress,
    /// Finished.
    Done,
}

impl Status {
    /// All statuses, in workflow order.
    pub const ALL: [Self; 3] = [Self::ToDo, Self::InProgress, Self::Done];

    /// The status as the user reads it.
    pub const fn label(self) -> &'static str {
        match self {
            Self::ToDo => "to do",
            Self::InProgress => "in progress",
            Self::Done => "done",
        }
    }
}

/// A labelled span of text: one or more fragments (more than one makes a discontinuous span).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    /// Identity within the project.
    pub id: Id,
    /// Name of the label in the schema.
    pub label: String,
    /// Byte ranges on char boundaries, sorted and disjoint, at least one.
    pub fragments: Vec<ByteRange>,
    /// Who made it.
    pub annotator: String,
    /// Free text.
    pub note: String,
    /// When it was made.
    pub created: Timestamp,
    /// Attribute values by attribute name (see [`crate::schema::AttributeDef`]).
    pub attributes: BTreeMap<String, String>,
    /// In a gold project made by adjudication or merging: where the span comes from.
    pub provenance: Option<Provenance>,
    /// The rule that suggested the span, when it was accepted from a suggestion (see
    /// [`crate::suggest`]). Unlike `provenance`, it does not make a project a gold project.
    pub suggested: Option<crate::suggestion::Rule>,
}

/// Where a span of a gold project comes from (see [`crate::review::adjudicate`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The annotators whose projects had this span with the same label and fragments, sorted.
    pub annotators: Vec<String>,
    /// Who ruled on the span, when an adjudicator did (not for spans merged automatically).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjudicator: Option<String>,
    /// The annotators disagree here and nobody has ruled yet: a candidate, not yet gold.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unresolved: bool,
}

impl Annotation {
    /// True when the span is an unresolved candidate of a gold project: the annotators disagree
    /// on it and nobody has ruled yet ([`Provenance::unresolved`]).
    pub fn is_unresolved(&self) -> bool {
        self.provenance.as_ref().is_some_and(|p| p.unresolved)
    }

    /// The range from the start of the first fragment to the end of the last.
    pub fn extent(&self) -> ByteRange {
        match (self.fragments.first(), self.fragments.last()) {
            (Some(first), Some(last)) => ByteRange::new(first.start, last.end),
            _ => ByteRange::new(0, 0),
        }
    }

    /// The order of annotations in a document: by start, longer first, then by id.
    pub fn sort_key(&self) -> (usize, std::cmp::Reverse<usize>, Id) {
        let extent = self.extent();
        (extent.start, std::cmp::Reverse(extent.end), self.id)
    }

    /// The covered text, fragments joined by " … ".
    pub fn text(&self, text: &str) -> String {
        crate::text::fragments_text(text, &self.fragments)
    }

    /// True when one of the fragments contains the byte `offset`.
    pub fn covers(&self, offset: usize) -> bool {
        self.fragments.iter().any(|f| f.contains(offset))
    }
}

/// Why a list of fragments is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FragmentError {
    /// No fragment at all.
    #[error("a span needs at least one fragment")]
    None,
    /// A fragment does not fit the text.
    #[error(transparent)]
    Range(#[from] crate::text::RangeError),
    /// Fragments overlap or are out of order.
    #[error("fragments {0} and {1} overlap or are out of order")]
    Unordered(ByteRange, ByteRange),
}

/// Checks that `fragments` are valid for `text`: at least one, each on char boundaries, sorted
/// and disjoint.
pub fn check_fragments(text: &str, fragments: &[ByteRange]) -> Result<(), FragmentError> {
    if fragments.is_empty() {
        return Err(FragmentError::None);
    }
    for fragment in fragments {
        fragment.check(text)?;
    }
    for pair in fragments.windows(2) {
        if let [a, b] = pair
            && a.end > b.start
        {
            return Err(FragmentError::Unordered(*a, *b));
        }
    }
    Ok(())
}

/// A typed link between two annotations of the same document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relation {
    /// Identity within the project.
    pub id: Id,
    /// Name of the relation type in the schema.
    pub kind: String,
    /// The annotation the link starts from (a claim).
    pub from: Id,
    /// The annotation the link goes to (its source).
    pub to: Id,
    /// Who made it.
    pub annotator: String,
    /// When it was made.
    pub created: Timestamp,
}

/// How the text of a document compares with what the project recorded.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum TextState {
    /// The text is the one annotated.
    #[default]
    Current,
    /// The file's bytes changed since the project recorded them: the spans may no longer fit, so
    /// the document is read-only until they are re-anchored.
    Changed {
        /// Hash of the file as it is now.
        actual_hash: String,
    },
    /// The file could not be read: the document is read-only and its annotations are kept.
    Missing {
        /// Why.
        reason: String,
        /// What the project file recorded of each span's text (fragment texts and context), by
        /// span id: what re-anchors the spans when the file comes back changed. Saving writes it
        /// back as it was read, since there is no text to take it from.
        recorded: BTreeMap<Id, Anchor>,
    },
}

/// A span made on an older text, as the project file recorded it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Anchor {
    /// Each fragment: its byte range in the old text and the text it covered there.
    pub fragments: Vec<(ByteRange, String)>,
    /// Up to [`crate::anchor::CONTEXT_CHARS`] characters before the first fragment, in the old text.
    pub before: String,
    /// Up to [`crate::anchor::CONTEXT_CHARS`] characters after the last fragment, in the old text.
    pub after: String,
}

/// A span that could not be placed on its document's current text: kept verbatim (so that nothing
/// is ever lost), saved in the project file under its document, and listed to the user until they
/// place it again or delete it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetachedSpan {
    /// The annotation as it was; its fragments are offsets in the old text.
    pub annotation: Annotation,
    /// The text each fragment covered in the old text (empty when unknown).
    pub texts: Vec<String>,
    /// Context before the first fragment, in the old text.
    pub before: String,
    /// Context after the last fragment, in the old text.
    pub after: String,
    /// Why it could not be placed, for the user.
    pub reason: String,
    /// The relations that touched it, kept with it (a relation between two detached spans is kept
    /// with the one it starts from).
    pub relations: Vec<Relation>,
}

impl DetachedSpan {
    /// The old text of the span, fragments joined by " … ".
    pub fn text(&self) -> String {
        self.texts.join(" … ")
    }

    /// Where the span started in the old text.
    pub fn old_start(&self) -> usize {
        self.annotation.extent().start
    }
}

/// A document's metadata: JSON values (strings mostly; numbers and the like as the source had
/// them) by key, sorted so that project files and exports diff cleanly.
pub type Metadata = BTreeMap<String, serde_json::Value>;

/// One document of the corpus with its annotations.
#[derive(Clone, Debug, Default)]
pub struct Document {
    /// Path relative to the corpus folder, with `/` separators.
    pub path: String,
    /// SHA-256 of the file's bytes when the project recorded it, in hexadecimal.
    pub hash: String,
    /// The decoded text (UTF-8 or, failing that, Windows-1252), BOM and CRLF kept as they are.
    pub text: Arc<str>,
    /// The encoding the text was decoded from, when it was not UTF-8.
    pub decoded_from: Option<&'static str>,
    /// Whether the text is the one annotated.
    pub text_state: TextState,
    /// The annotator's progress.
    pub status: Status,
    /// What the source said of the document (title, url, date, outlet…): kept from imports
    /// (doccano's extra keys, Label Studio's `data`, jsonl `meta`, CSV columns), shown read-only
    /// above the text and written back by the exports. Sorted by key.
    pub metadata: Metadata,
    /// The values of the schema's document attributes (genre, to-check…) the analyst set, by
    /// attribute name (see [`crate::schema::DocAttributeDef`]). Sorted.
    pub attributes: BTreeMap<String, String>,
    /// Annotations in text order (see [`Annotation::sort_key`]).
    pub annotations: Vec<Annotation>,
    /// Relations, sorted by id.
    pub relations: Vec<Relation>,
    /// Spans that could not be placed again after the text changed, kept verbatim (see
    /// [`crate::anchor`]); sorted by id.
    pub detached: Vec<DetachedSpan>,
    /// Suggestions waiting for the analyst to accept or reject them, sorted by position
    /// ([`crate::suggest::Suggestion::sort_key`]); none identical to a span of `annotations` or
    /// to a rejection.
    pub suggestions: Vec<crate::suggestion::Suggestion>,
    /// Suggestions the analyst rejected: never offered again in this document. Sorted
    /// ([`Rejection::sort_key`]).
    pub rejected: Vec<Rejection>,
    /// A cache that makes [`Document::annotations_in`] and [`Document::annotations_at`] fast on
    /// documents with many spans. Leave it at its default: it is built on the first query and
    /// dropped by the methods that change `annotations` ([`Document::annotations_changed`]). Code
    /// that changes the extents of `annotations` by hand calls `annotations_changed` after.
    pub span_index: SpanIndex,
}

/// Annotations per block of the [`SpanIndex`]: a query skips a whole block when no span of it
/// reaches the range.
const BLOCK: usize = 32;

/// A lazily built index of annotation extents: the start and end of each annotation's extent in
/// the order of `Document::annotations`, and the largest end of each block of [`BLOCK`]
/// annotations. A query is a binary search on the starts plus one comparison per block before
/// it, then a scan of the blocks that reach the range: a few microseconds on 20,000 spans where a
/// scan of every span costs a hundred times more.
#[derive(Clone, Default)]
pub struct SpanIndex(OnceLock<Extents>);

impl fmt::Debug for SpanIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.get() {
            Some(extents) => write!(f, "SpanIndex({} spans)", extents.starts.len()),
            None => f.write_str("SpanIndex(not built)"),
        }
    }
}

#[derive(Clone)]
struct Extents {
    /// What the index was built from: the length and the buffer of the annotations vector. When
    /// either differs, the annotations changed behind the index's back and it is not used.
    len: usize,
    buffer: usize,
    /// Whether the starts are sorted (they are unless someone filled `annotations` by hand).
    sorted: bool,
    starts: Vec<usize>,
    ends: Vec<usize>,
    block_max_end: Vec<usize>,
}

impl Extents {
    fn build(annotations: &[Annotation]) -> Self {
        let (starts, ends): (Vec<usize>, Vec<usize>) = annotations
            .iter()
            .map(|a| {
                let extent = a.extent();
                (extent.start, extent.end)
            })
            .unzip();
        let block_max_end = ends
            .chunks(BLOCK)
            .map(|block| block.iter().copied().max().unwrap_or(0))
            .collect();
        Self {
            len: annotations.len(),
            buffer: annotations.as_ptr().addr(),
            sorted: starts.is_sorted(),
            starts,
            ends,
            block_max_end,
        }
    }

    fn fits(&self, annotations: &[Annotation]) -> bool {
        self.len == annotations.len() && self.buffer == annotations.as_ptr().addr()
    }

    /// Indices of the annotations whose extent overlaps `range`, in order.
    fn overlapping(&self, range: ByteRange) -> impl Iterator<Item = usize> + '_ {
        let limit = if self.sorted {
            self.starts.partition_point(|&s| s < range.end)
        } else {
            self.starts.len()
        };
        self.block_max_end
            .iter()
            .take(limit.div_ceil(BLOCK))
            .enumerate()
            .filter(move |&(_, &max_end)| max_end > range.start)
            .flat_map(move |(block, _)| block * BLOCK..((block + 1) * BLOCK).min(limit))
            .filter(move |&i| {
                self.starts.get(i).is_some_and(|&s| s < range.end)
                    && self.ends.get(i).is_some_and(|&e| e > range.start)
            })
    }
}

impl Document {
    /// True when the document may be annotated: its text is the one the spans were made on.
    pub fn is_editable(&self) -> bool {
        self.text_state == TextState::Current
    }

    /// The annotation with this id.
    pub fn annotation(&self, id: Id) -> Option<&Annotation> {
        self.annotations.iter().find(|a| a.id == id)
    }

    /// The relation with this id.
    pub fn relation(&self, id: Id) -> Option<&Relation> {
        self.relations.iter().find(|r| r.id == id)
    }

    /// How many annotations carry each label.
    pub fn counts_by_label(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for annotation in &self.annotations {
            *counts.entry(annotation.label.as_str()).or_default() += 1;
        }
        counts
    }

    /// Annotations that cover the byte `offset`, innermost (shortest) first.
    pub fn annotations_at(&self, offset: usize) -> Vec<&Annotation> {
        let mut found: Vec<&Annotation> = self
            .annotations_in(ByteRange::new(offset, offset.saturating_add(1)))
            .filter(|a| a.covers(offset))
            .collect();
        found.sort_by_key(|a| (a.extent().len(), a.id));
        found
    }

    /// Annotations whose extent overlaps `range`, in text order. Fast on long documents (see
    /// [`SpanIndex`]).
    pub fn annotations_in(&self, range: ByteRange) -> impl Iterator<Item = &Annotation> {
        let annotations = &self.annotations;
        let extents = self
            .span_index
            .0
            .get_or_init(|| Extents::build(annotations));
        let found: Vec<&Annotation> = if extents.fits(annotations) {
            extents
                .overlapping(range)
                .filter_map(|i| annotations.get(i))
                .collect()
        } else {
            // Changed without `annotations_changed`: an index of the current spans, for this
            // query only.
            let extents = Extents::build(annotations);
            extents
                .overlapping(range)
                .filter_map(|i| annotations.get(i))
                .collect()
        };
        found.into_iter()
    }

    /// Drops the span index; call after changing `annotations` other than through the methods
    /// of [`Document`] and [`crate::edit::Edit`] (a change of their number is noticed anyway).
    pub fn annotations_changed(&mut self) {
        self.span_index = SpanIndex::default();
    }

    /// Inserts an annotation at its place in text order.
    pub(crate) fn insert_annotation(&mut self, annotation: Annotation) {
        let key = annotation.sort_key();
        let at = self.annotations.partition_point(|a| a.sort_key() < key);
        self.annotations.insert(at, annotation);
        self.annotations_changed();
    }

    /// Restores text order after an annotation's fragments changed.
    pub(crate) fn resort(&mut self) {
        self.annotations.sort_by_key(Annotation::sort_key);
        self.annotations_changed();
    }
}

/// A project: the corpus, the schema, and one annotator's work on it.
#[derive(Clone, Debug)]
pub struct Project {
    /// The annotator who owns this file; new annotations carry this name.
    pub annotator: String,
    /// The corpus folder, as an absolute path.
    pub corpus_root: PathBuf,
    /// Labels, relation types and attributes.
    pub schema: Schema,
    /// The documents, sorted by path.
    pub documents: Vec<Document>,
    /// The next free id.
    pub(crate) next_id: u64,
    /// Every id in use is below this one (ids allocated but not used yet may be above it): what
    /// lets an edit check a fresh id without looking through the documents. [`Project::new`]
    /// sets it and the edits raise it, so documents filled by hand go through `Project::new`.
    pub(crate) ids_below: u64,
}

impl Default for Project {
    /// An empty project with the default schema, numbering ids as [`Project::new`] does.
    fn default() -> Self {
        Self::new(String::new(), PathBuf::new(), Schema::default(), Vec::new())
    }
}

impl Project {
    /// A project over `documents` (sorted here by path).
    pub fn new(
        annotator: String,
        corpus_root: PathBuf,
        schema: Schema,
        mut documents: Vec<Document>,
    ) -> Self {
        documents.sort_by(|a, b| a.path.cmp(&b.path));
        let mut project = Self {
            annotator,
            corpus_root,
            schema,
            documents,
            next_id: 1,
            ids_below: 1,
        };
        project.next_id = project.max_id() + 1;
        project.ids_below = project.next_id;
        project
    }

    /// A fresh id for a new annotation or relation.
    pub fn allocate_id(&mut self) -> Id {
        let id = Id(self.next_id);
        self.next_id += 1;
        id
    }

    fn max_id(&self) -> u64 {
        self.documents
            .iter()
            .flat_map(|d| {
                d.annotations
                    .iter()
                    .map(|a| a.id.0)
                    .chain(d.relations.iter().map(|r| r.id.0))
                    .chain(d.detached.iter().flat_map(|s| {
                        std::iter::once(s.annotation.id.0).chain(s.relations.iter().map(|r| r.id.0))
                    }))
            })
            .max()
            .unwrap_or(0)
    }

    /// True for a gold project, made by merging annotators' projects: its spans carry
    /// provenance (see [`crate::review::adjudicate`]).
    pub fn is_gold(&self) -> bool {
        self.documents
            .iter()
            .flat_map(|d| &d.annotations)
            .any(|a| a.provenance.is_some())
    }

    /// The document at `index`.
    pub fn document(&self, index: usize) -> Option<&Document> {
        self.documents.get(index)
    }

    /// Number of annotations in the whole project.
    pub fn annotation_count(&self) -> usize {
        self.documents.iter().map(|d| d.annotations.len()).sum()
    }

    /// How many annotations carry each label, over the whole project.
    pub fn counts_by_label(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for document in &self.documents {
            for (label, n) in document.counts_by_label() {
                *counts.entry(label).or_default() += n;
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annotation(id: u64, start: usize, end: usize) -> Annotation {
        Annotation {
            id: Id(id),
            label: "claim".into(),
            fragments: vec![ByteRange::new(start, end)],
            annotator: "a".into(),
            note: String::new(),
            created: Timestamp(0),
            attributes: BTreeMap::new(),
            provenance: None,
            suggested: None,
        }
    }

    proptest::proptest! {
        /// The fast timestamp writer writes what `Display` writes, years 0 to 9999 and beyond.
        #[test]
        fn timestamps_are_pushed_as_displayed(seconds in -80_000_000_000i64..300_000_000_000) {
            let mut pushed = String::new();
            Timestamp(seconds).push_to(&mut pushed);
            proptest::prop_assert_eq!(pushed, Timestamp(seconds).to_string());
        }
    }

    /// `Project::default()` hands out the same ids as a new empty project: from 1, never 0,
    /// and an edit's fresh-id check knows every id given (`ids_below` past them).
    #[test]
    fn k_a_default_project_numbers_ids_as_a_new_one() {
        let mut new = Project::new(String::new(), PathBuf::new(), Schema::default(), Vec::new());
        let mut default = Project::default();
        let from_new: Vec<Id> = (0..3).map(|_| new.allocate_id()).collect();
        let from_default: Vec<Id> = (0..3).map(|_| default.allocate_id()).collect();
        assert_eq!(from_default, from_new);
        assert_eq!(from_default.first(), Some(&Id(1)));
        assert_eq!(default.ids_below, new.ids_below);
    }

    /// The direct reader takes leap days only in leap years and refuses dates and times that do
    /// not exist; the writer covers years 0 to 9999 directly and leaves the others to `time`.
    #[test]
    fn k_timestamps_know_leap_days_and_the_ends_of_the_years_written() {
        let read = Timestamp::parse_canonical;
        for leap in [
            "2024-02-29T12:00:00Z",
            "2000-02-29T00:00:00Z",
            "0000-02-29T00:00:00Z",
        ] {
            let time = read(leap).unwrap();
            assert_eq!(time.to_string(), leap);
        }
        for wrong in [
            "2023-02-29T12:00:00Z",
            "1900-02-29T12:00:00Z",
            "2025-04-31T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-00-10T00:00:00Z",
            "2025-01-00T00:00:00Z",
            "2025-01-01T24:00:00Z",
            "2025-01-01T23:60:00Z",
            "2025-01-01T23:59:60Z",
            "2025-01-01 23:59:59Z",
            "2025-01-01T23:59:5éZ",
        ] {
            assert_eq!(read(wrong), None, "{wrong}");
        }
        let first = Timestamp(-62_167_219_200);
        assert_eq!(first.to_string(), "0000-01-01T00:00:00Z");
        assert_eq!(read("0000-01-01T00:00:00Z"), Some(first));
        let last = Timestamp(253_402_300_799);
        assert_eq!(last.to_string(), "9999-12-31T23:59:59Z");
        assert_eq!(read("9999-12-31T23:59:59Z"), Some(last));
        assert_eq!(Timestamp(first.0 - 1).to_string(), "-0001-12-31T23:59:59Z");
        assert_eq!(Timestamp(last.0 + 1).to_string(), "@253402300800");
        let mut pushed = String::new();
        Timestamp(last.0 + 1).push_to(&mut pushed);
        assert_eq!(pushed, "@253402300800");
    }

    #[test]
    fn timestamps_read_and_write_rfc3339() {
        let t = Timestamp(1_763_754_195);
        assert_eq!(t.to_string(), "2025-11-21T19:43:15Z");
        let back: Timestamp = ron::from_str("\"2025-11-21T19:43:15Z\"").unwrap();
        assert_eq!(back, t);
        assert!(ron::from_str::<Timestamp>("\"yesterday\"").is_err());
    }

    #[test]
    fn annotations_stay_in_text_order_and_nested_ones_are_found_innermost_first() {
        let mut doc = Document::default();
        doc.insert_annotation(annotation(3, 10, 20));
        doc.insert_annotation(annotation(1, 0, 30));
        doc.insert_annotation(annotation(2, 12, 15));
        let order: Vec<u64> = doc.annotations.iter().map(|a| a.id.0).collect();
        assert_eq!(order, [1, 3, 2]);
        let at: Vec<u64> = doc.annotations_at(13).iter().map(|a| a.id.0).collect();
        assert_eq!(at, [2, 3, 1]);
        let inside: Vec<u64> = doc
            .annotations_in(ByteRange::new(21, 40))
            .map(|a| a.id.0)
            .collect();
        assert_eq!(inside, [1]);
    }

    #[test]
    fn fragments_must_be_sorted_disjoint_and_on_boundaries() {
        let text = "Pyongyang et Moscou";
        let r = ByteRange::new;
        assert_eq!(check_fragments(text, &[r(0, 9), r(13, 19)]), Ok(()));
        assert_eq!(check_fragments(text, &[]), Err(FragmentError::None));
        assert!(matches!(
            check_fragments(text, &[r(13, 19), r(0, 9)]),
            Err(FragmentError::Unordered(..))
        ));
        assert!(matches!(
            check_fragments(text, &[r(0, 9), r(5, 12)]),
            Err(FragmentError::Unordered(..))
        ));
        assert!(matches!(
            check_fragments(text, &[r(0, 99)]),
            Err(FragmentError::Range(_))
        ));
    }

    proptest::proptest! {
        /// The indexed lookups give what a scan of every span gives: random spans (nested,
        /// overlapping, discontinuous, many per block), random ranges, after inserts, removals
        /// through edits and changes made by hand to the vector.
        #[test]
        fn indexed_lookups_match_a_full_scan(
            spans in proptest::collection::vec((0usize..500, 0usize..120, 0usize..3), 0..200),
            queries in proptest::collection::vec((0usize..700, 0usize..100), 1..20),
            removed in proptest::collection::vec(0usize..200, 0..10),
        ) {
            fn naive(doc: &Document, range: ByteRange) -> Vec<Id> {
                doc.annotations
                    .iter()
                    .filter(|a| a.extent().start < range.end && a.extent().end > range.start)
                    .map(|a| a.id)
                    .collect()
            }
            fn check(doc: &Document, queries: &[(usize, usize)]) -> Result<(), proptest::test_runner::TestCaseError> {
                for &(start, len) in queries {
                    let range = ByteRange::new(start, start + len);
                    let fast: Vec<Id> = doc.annotations_in(range).map(|a| a.id).collect();
                    proptest::prop_assert_eq!(fast, naive(doc, range));
                    let at: Vec<Id> = doc.annotations_at(start).iter().map(|a| a.id).collect();
                    let mut expected: Vec<&Annotation> =
                        doc.annotations.iter().filter(|a| a.covers(start)).collect();
                    expected.sort_by_key(|a| (a.extent().len(), a.id));
                    let expected: Vec<Id> = expected.iter().map(|a| a.id).collect();
                    proptest::prop_assert_eq!(at, expected);
                }
                Ok(())
            }
            let mut doc = Document::default();
            for (i, &(start, len, parts)) in spans.iter().enumerate() {
                let mut a = annotation(i as u64 + 1, start, start + len + 1);
                if parts > 0 {
                    // A discontinuous span: a gap in the middle of the extent.
                    a.fragments = vec![
                        ByteRange::new(start, start + 1),
                        ByteRange::new(start + 2 + len, start + 3 + len + parts),
                    ];
                }
                doc.insert_annotation(a);
                if i % 50 == 0 {
                    check(&doc, &queries)?;
                }
            }
            check(&doc, &queries)?;
            // Removals by hand: the length changes, the index notices.
            for r in &removed {
                if *r < doc.annotations.len() {
                    doc.annotations.remove(*r);
                }
            }
            check(&doc, &queries)?;
            // A change of extents by hand, then resort: the index is rebuilt.
            if let Some(first) = doc.annotations.first_mut() {
                first.fragments = vec![ByteRange::new(600, 650)];
            }
            doc.resort();
            check(&doc, &queries)?;
        }
    }

    proptest::proptest! {
        /// The direct reading and writing of times agree with the `time` crate's RFC 3339.
        #[test]
        fn timestamps_agree_with_the_time_crate(seconds in -62_135_596_800i64..253_402_300_799) {
            let format = time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            );
            let expected = time::OffsetDateTime::from_unix_timestamp(seconds)
                .unwrap()
                .format(&format)
                .unwrap();
            let written = Timestamp(seconds).to_string();
            proptest::prop_assert_eq!(&written, &expected);
            proptest::prop_assert_eq!(Timestamp::parse_canonical(&written), Some(Timestamp(seconds)));
            let back: Timestamp = ron::from_str(&format!("{written:?}")).unwrap();
            proptest::prop_assert_eq!(back, Timestamp(seconds));
        }

        /// Anything the direct reader accepts, `time` reads the same; what it refuses, `time`
        /// decides.
        #[test]
        fn canonical_parsing_never_disagrees(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z") {
            let general = time::OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
                .ok()
                .map(|t| Timestamp(t.unix_timestamp()));
            if let Some(fast) = Timestamp::parse_canonical(&text) {
                proptest::prop_assert_eq!(Some(fast), general);
            }
        }
    }
}
