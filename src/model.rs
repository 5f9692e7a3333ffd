//! The in-memory project: documents with their text, annotations and relations.
//!
//! Nothing here touches the disk (see [`crate::file`] and [`crate::corpus`]) or the GUI. The
//! project is changed only through [`crate::edit::Edit`], so that every change can be undone.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::schema::Schema;
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

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
        let text = String::deserialize(deserializer)?;
        time::OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
            .map(|t| Self(t.unix_timestamp()))
            .map_err(|e| serde::de::Error::custom(format!("{text:?} is not an RFC 3339 time: {e}")))
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
        let parts: Vec<&str> = self.fragments.iter().map(|f| f.slice(text)).collect();
        parts.join(" … ")
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
    },
}

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
    /// Annotations in text order (see [`Annotation::sort_key`]).
    pub annotations: Vec<Annotation>,
    /// Relations, sorted by id.
    pub relations: Vec<Relation>,
    /// Spans that could not be placed again after the text changed, kept verbatim (see
    /// [`crate::anchor`]); sorted by id.
    pub detached: Vec<crate::anchor::DetachedSpan>,
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
        let end = self
            .annotations
            .partition_point(|a| a.extent().start <= offset);
        let mut found: Vec<&Annotation> = self
            .annotations
            .iter()
            .take(end)
            .filter(|a| a.covers(offset))
            .collect();
        found.sort_by_key(|a| (a.extent().len(), a.id));
        found
    }

    /// Annotations whose extent overlaps `range`, in text order.
    pub fn annotations_in(&self, range: ByteRange) -> impl Iterator<Item = &Annotation> {
        let end = self
            .annotations
            .partition_point(|a| a.extent().start < range.end);
        self.annotations
            .iter()
            .take(end)
            .filter(move |a| a.extent().end > range.start)
    }

    /// Inserts an annotation at its place in text order.
    pub(crate) fn insert_annotation(&mut self, annotation: Annotation) {
        let key = annotation.sort_key();
        let at = self.annotations.partition_point(|a| a.sort_key() < key);
        self.annotations.insert(at, annotation);
    }

    /// Restores text order after an annotation's fragments changed.
    pub(crate) fn resort(&mut self) {
        self.annotations.sort_by_key(Annotation::sort_key);
    }
}

/// A project: the corpus, the schema, and one annotator's work on it.
#[derive(Clone, Debug, Default)]
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
        };
        project.next_id = project.max_id() + 1;
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
        }
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
}
