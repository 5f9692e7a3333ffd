//! Comparing the work of several annotators on the same corpus.
//!
//! - [`align`] matches the documents of several projects by content hash (their paths may
//!   differ), and reports documents that only some projects have and paths whose hashes differ.
//! - [`diff`] pairs the spans of one document between two annotators and classifies each pair.
//! - [`agreement`] computes agreement measures (F1, Cohen's κ, Krippendorff's α and αu).
//! - [`adjudicate`] merges projects into a gold project and applies the adjudicator's rulings.
//! - [`inline`] finds where two versions of a span's text differ, to show them inline.
//! - [`report`] prints an agreement report as a table, CSV or JSON.
//!
//! # Span diff rules
//!
//! Two spans *overlap* when their fragments share at least one byte. The pairing is one-to-one
//! and is built in four stages; each stage only sees the spans no earlier stage paired:
//!
//! 1. [`DiffKind::Match`]: same fragments and same label.
//! 2. [`DiffKind::LabelDisagreement`]: same fragments, another label.
//! 3. [`DiffKind::BoundaryDisagreement`]: same label, overlapping, other fragments.
//! 4. [`DiffKind::LabelAndBoundaryDisagreement`]: another label, overlapping, other fragments.
//! 5. What is left is [`DiffKind::OnlyIn`] its side.
//!
//! Stages 1 and 2 pair equal fragment lists in text order. Stages 3 and 4 are greedy: of all
//! candidate pairs, the one sharing the most bytes is taken first (ties: earlier span of A, then
//! earlier span of B). The entries come out in text order (by the earliest start of the spans
//! of the entry, then A's span, then B's span), so the result is deterministic.

pub mod adjudicate;
pub mod agreement;
pub mod comments;
pub mod inline;
pub mod report;
pub mod statistics;

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Annotation, Document, Project};
use crate::text::ByteRange;

/// A labelled span, as the review sees it: a label and its fragments (sorted, disjoint).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The label.
    pub label: String,
    /// Byte ranges, sorted and disjoint, at least one.
    pub fragments: Vec<ByteRange>,
}

impl Span {
    /// A span of one fragment.
    pub fn new(label: &str, start: usize, end: usize) -> Self {
        Self {
            label: label.to_owned(),
            fragments: vec![ByteRange::new(start, end)],
        }
    }

    /// The range from the start of the first fragment to the end of the last.
    pub fn extent(&self) -> ByteRange {
        match (self.fragments.first(), self.fragments.last()) {
            (Some(first), Some(last)) => ByteRange::new(first.start, last.end),
            _ => ByteRange::new(0, 0),
        }
    }

    /// Bytes covered by fragments of both spans.
    pub fn shared_bytes(&self, other: &Self) -> usize {
        let mut shared = 0;
        for a in &self.fragments {
            for b in &other.fragments {
                shared += a.end.min(b.end).saturating_sub(a.start.max(b.start));
            }
        }
        shared
    }

    /// True when the two spans share at least one byte.
    pub fn overlaps(&self, other: &Self) -> bool {
        self.extent().overlaps(other.extent()) && self.shared_bytes(other) > 0
    }

    /// Bytes covered by the fragments.
    pub fn covered(&self) -> usize {
        self.fragments.iter().map(|f| f.len()).sum()
    }

    fn order_key(&self) -> (usize, std::cmp::Reverse<usize>, &[ByteRange], &str) {
        let extent = self.extent();
        (
            extent.start,
            std::cmp::Reverse(extent.end),
            &self.fragments,
            &self.label,
        )
    }
}

impl From<&Annotation> for Span {
    fn from(annotation: &Annotation) -> Self {
        Self {
            label: annotation.label.clone(),
            fragments: annotation.fragments.clone(),
        }
    }
}

/// The spans of a document, in the order of its annotations: span `i` is
/// `document.annotations[i]`, so the indices of a [`diff`] of `spans_of` lead back to the
/// annotations (and their ids).
pub fn spans_of(document: &Document) -> Vec<Span> {
    document.annotations.iter().map(Span::from).collect()
}

/// Sorts spans in text order (start, longer first, fragments, label).
pub fn sort_spans(spans: &mut [Span]) {
    spans.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
}

/// The annotators' names, one a project, made unique with " (2)", " (3)"… when names repeat.
pub fn annotator_names(projects: &[&Project]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for project in projects {
        let mut name = project.annotator.clone();
        let mut n = 1;
        while names.contains(&name) {
            n += 1;
            name = format!("{} ({n})", project.annotator);
        }
        names.push(name);
    }
    names
}

// ---------------------------------------------------------------------------------------------
// Matching documents.

/// One document of the corpus, as found in each project.
#[derive(Clone, Debug)]
pub struct AlignedDocument<'a> {
    /// SHA-256 of the document's file.
    pub hash: String,
    /// The path in the first project that has the document.
    pub path: String,
    /// The document in each project (in the order the projects were given), `None` when the
    /// project does not have it.
    pub documents: Vec<Option<&'a Document>>,
}

impl AlignedDocument<'_> {
    /// True when every project has the document.
    pub fn in_all(&self) -> bool {
        self.documents.iter().all(Option::is_some)
    }

    /// The text of the document: from the first project whose text is the one annotated
    /// (see [`Document::is_editable`]), else from the first project that has the document.
    pub fn text(&self) -> &str {
        self.documents
            .iter()
            .flatten()
            .find(|d| d.is_editable() && !d.text.is_empty())
            .or_else(|| self.documents.iter().flatten().next())
            .map_or("", |d| &d.text)
    }
}

/// A path whose document has different hashes in different projects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashMismatch {
    /// The path.
    pub path: String,
    /// The hash in each project (`None` when the project has no document at that path).
    pub hashes: Vec<Option<String>>,
}

/// The documents of several projects matched by content hash.
#[derive(Clone, Debug, Default)]
pub struct Alignment<'a> {
    /// Every document of any project, in the order of the first project that has it (by path).
    pub documents: Vec<AlignedDocument<'a>>,
    /// Paths with different hashes in different projects (sorted by path).
    pub mismatches: Vec<HashMismatch>,
}

impl<'a> Alignment<'a> {
    /// Documents that only some projects have.
    pub fn partial(&self) -> impl Iterator<Item = &AlignedDocument<'a>> {
        self.documents.iter().filter(|d| !d.in_all())
    }
}

/// Matches the documents of `projects` by hash (the hash the project recorded for the file).
///
/// When one project holds two documents with the same hash (duplicate files), the first (by
/// path) is matched and the others are kept as documents of their own.
pub fn align<'a>(projects: &[&'a Project]) -> Alignment<'a> {
    let mut documents: Vec<AlignedDocument<'a>> = Vec::new();
    let mut by_hash: BTreeMap<&str, usize> = BTreeMap::new();
    for (p, project) in projects.iter().enumerate() {
        for document in &project.documents {
            let slot = by_hash.get(document.hash.as_str()).copied().filter(|&i| {
                documents
                    .get(i)
                    .and_then(|d| d.documents.get(p))
                    .is_some_and(Option::is_none)
            });
            let index = if let Some(index) = slot {
                index
            } else {
                documents.push(AlignedDocument {
                    hash: document.hash.clone(),
                    path: document.path.clone(),
                    documents: vec![None; projects.len()],
                });
                let index = documents.len() - 1;
                by_hash.entry(&document.hash).or_insert(index);
                index
            };
            if let Some(cell) = documents
                .get_mut(index)
                .and_then(|d| d.documents.get_mut(p))
            {
                *cell = Some(document);
            }
        }
    }
    let mut paths: BTreeMap<&str, Vec<Option<String>>> = BTreeMap::new();
    for (p, project) in projects.iter().enumerate() {
        for document in &project.documents {
            let hashes = paths
                .entry(&document.path)
                .or_insert_with(|| vec![None; projects.len()]);
            if let Some(cell) = hashes.get_mut(p) {
                *cell = Some(document.hash.clone());
            }
        }
    }
    let mismatches = paths
        .into_iter()
        .filter(|(_, hashes)| {
            let seen: BTreeSet<&String> = hashes.iter().flatten().collect();
            seen.len() > 1
        })
        .map(|(path, hashes)| HashMismatch {
            path: path.to_owned(),
            hashes,
        })
        .collect();
    Alignment {
        documents,
        mismatches,
    }
}

// ---------------------------------------------------------------------------------------------
// Span diff.

/// Which of the two annotators of a diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The first (reference).
    A,
    /// The second.
    B,
}

/// How a span of one annotator relates to the other annotator's spans (see the module rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DiffKind {
    /// Same fragments, same label.
    Match,
    /// Same fragments, another label.
    LabelDisagreement,
    /// Same label, overlapping, other fragments.
    BoundaryDisagreement,
    /// Another label, overlapping, other fragments.
    LabelAndBoundaryDisagreement,
    /// No span of the other side overlaps it that is not paired already.
    OnlyIn(Side),
}

impl DiffKind {
    /// A short name for reports.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Match => "match",
            Self::LabelDisagreement => "label",
            Self::BoundaryDisagreement => "boundary",
            Self::LabelAndBoundaryDisagreement => "label+boundary",
            Self::OnlyIn(Side::A) => "only A",
            Self::OnlyIn(Side::B) => "only B",
        }
    }
}

/// One entry of a diff: a pair of spans, or a span of one side alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiffEntry {
    /// The classification.
    pub kind: DiffKind,
    /// Index of A's span (in the spans given to [`diff`]).
    pub a: Option<usize>,
    /// Index of B's span.
    pub b: Option<usize>,
}

/// The diff of one document between two annotators.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// The entries in text order.
    pub entries: Vec<DiffEntry>,
}

impl Diff {
    /// Entries that are not [`DiffKind::Match`].
    pub fn differences(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.kind != DiffKind::Match)
            .count()
    }

    /// How many entries of each kind.
    pub fn counts(&self) -> BTreeMap<DiffKind, usize> {
        let mut counts = BTreeMap::new();
        for entry in &self.entries {
            *counts.entry(entry.kind).or_default() += 1;
        }
        counts
    }
}

/// Pairs the spans `a` and `b` of one document (see the module rules).
pub fn diff(a: &[Span], b: &[Span]) -> Diff {
    let mut used_a = vec![false; a.len()];
    let mut used_b = vec![false; b.len()];
    let mut entries = Vec::new();
    let mut order_a: Vec<usize> = (0..a.len()).collect();
    let mut order_b: Vec<usize> = (0..b.len()).collect();
    order_a.sort_by(|&i, &j| match (a.get(i), a.get(j)) {
        (Some(x), Some(y)) => x.order_key().cmp(&y.order_key()).then(i.cmp(&j)),
        _ => i.cmp(&j),
    });
    order_b.sort_by(|&i, &j| match (b.get(i), b.get(j)) {
        (Some(x), Some(y)) => x.order_key().cmp(&y.order_key()).then(i.cmp(&j)),
        _ => i.cmp(&j),
    });
    // Stages 1 and 2: equal fragments.
    for same_label in [true, false] {
        for &i in &order_a {
            let Some(span_a) = a.get(i) else { continue };
            if used_a.get(i).copied().unwrap_or(true) {
                continue;
            }
            let found = order_b.iter().copied().find(|&j| {
                !used_b.get(j).copied().unwrap_or(true)
                    && b.get(j).is_some_and(|span_b| {
                        span_b.fragments == span_a.fragments
                            && (span_b.label == span_a.label) == same_label
                    })
            });
            if let Some(j) = found {
                mark(&mut used_a, i);
                mark(&mut used_b, j);
                entries.push(DiffEntry {
                    kind: if same_label {
                        DiffKind::Match
                    } else {
                        DiffKind::LabelDisagreement
                    },
                    a: Some(i),
                    b: Some(j),
                });
            }
        }
    }
    // Stages 3 and 4: overlaps, largest first.
    for same_label in [true, false] {
        let mut candidates: Vec<(usize, usize, usize, usize, usize)> = Vec::new();
        for (rank_a, &i) in order_a.iter().enumerate() {
            let Some(span_a) = a.get(i) else { continue };
            if used_a.get(i).copied().unwrap_or(true) {
                continue;
            }
            for (rank_b, &j) in order_b.iter().enumerate() {
                let Some(span_b) = b.get(j) else { continue };
                if used_b.get(j).copied().unwrap_or(true)
                    || (span_a.label == span_b.label) != same_label
                {
                    continue;
                }
                let shared = span_a.shared_bytes(span_b);
                if shared > 0 {
                    candidates.push((shared, rank_a, rank_b, i, j));
                }
            }
        }
        candidates.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
        for (_, _, _, i, j) in candidates {
            if used_a.get(i).copied().unwrap_or(true) || used_b.get(j).copied().unwrap_or(true) {
                continue;
            }
            mark(&mut used_a, i);
            mark(&mut used_b, j);
            entries.push(DiffEntry {
                kind: if same_label {
                    DiffKind::BoundaryDisagreement
                } else {
                    DiffKind::LabelAndBoundaryDisagreement
                },
                a: Some(i),
                b: Some(j),
            });
        }
    }
    for (i, used) in used_a.iter().enumerate() {
        if !used {
            entries.push(DiffEntry {
                kind: DiffKind::OnlyIn(Side::A),
                a: Some(i),
                b: None,
            });
        }
    }
    for (j, used) in used_b.iter().enumerate() {
        if !used {
            entries.push(DiffEntry {
                kind: DiffKind::OnlyIn(Side::B),
                a: None,
                b: Some(j),
            });
        }
    }
    let ranks = |order: &[usize]| {
        let mut ranks = vec![0; order.len()];
        for (rank, &index) in order.iter().enumerate() {
            if let Some(cell) = ranks.get_mut(index) {
                *cell = rank;
            }
        }
        ranks
    };
    let (place_a, place_b) = (ranks(&order_a), ranks(&order_b));
    let key = |e: &DiffEntry| {
        let start_a = e.a.and_then(|i| a.get(i)).map(|s| s.extent().start);
        let start_b = e.b.and_then(|j| b.get(j)).map(|s| s.extent().start);
        let start = match (start_a, start_b) {
            (Some(x), Some(y)) => x.min(y),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => 0,
        };
        let rank_a = e.a.and_then(|i| place_a.get(i).copied());
        let rank_b = e.b.and_then(|j| place_b.get(j).copied());
        (start, rank_a, rank_b)
    };
    entries.sort_by_key(key);
    Diff { entries }
}

fn mark(used: &mut [bool], index: usize) {
    if let Some(cell) = used.get_mut(index) {
        *cell = true;
    }
}

/// The diff of one document two projects share.
#[derive(Clone, Debug, Default)]
pub struct DocumentDiff {
    /// The document's path in A.
    pub path: String,
    /// The document's hash (the same in both projects).
    pub hash: String,
    /// The diff; span indices are annotation indices of the document in A and in B.
    pub diff: Diff,
}

/// The diff of every document two projects share, and the corpus totals.
#[derive(Clone, Debug, Default)]
pub struct CorpusDiff {
    /// Per document shared by both projects, in A's order.
    pub documents: Vec<DocumentDiff>,
}

impl CorpusDiff {
    /// Differences over the corpus.
    pub fn differences(&self) -> usize {
        self.documents.iter().map(|d| d.diff.differences()).sum()
    }

    /// Entries of each kind over the corpus.
    pub fn counts(&self) -> BTreeMap<DiffKind, usize> {
        let mut counts = BTreeMap::new();
        for document in &self.documents {
            for (kind, n) in document.diff.counts() {
                *counts.entry(kind).or_default() += n;
            }
        }
        counts
    }
}

/// Diffs every document that both `a` and `b` have (matched by hash). The span indices of each
/// diff are indices into the `annotations` of the document in `a` and in `b` (see [`spans_of`]).
pub fn diff_projects(a: &Project, b: &Project) -> CorpusDiff {
    let alignment = align(&[a, b]);
    let documents = alignment
        .documents
        .iter()
        .filter_map(|d| match d.documents.as_slice() {
            [Some(da), Some(db)] => Some(DocumentDiff {
                path: d.path.clone(),
                hash: d.hash.clone(),
                diff: diff(&spans_of(da), &spans_of(db)),
            }),
            _ => None,
        })
        .collect();
    CorpusDiff { documents }
}

/// How the links of two annotators agree: a link agrees when the other annotator has a link of
/// the same type between the same two spans (both ends matched: same fragments, same label).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkCounts {
    /// Links of the first annotator.
    pub a: usize,
    /// Links of the second annotator.
    pub b: usize,
    /// Links of the first annotator that the second has too.
    pub agreed: usize,
}

impl LinkCounts {
    /// F1 of the agreed links (Dice): `2 × agreed / (a + b)`; undefined (NaN) without links.
    pub fn f1(self) -> f64 {
        let total = self.a + self.b;
        if total == 0 {
            f64::NAN
        } else {
            2.0 * self.agreed as f64 / total as f64
        }
    }

    /// Adds another document's counts.
    pub fn add(&mut self, other: Self) {
        self.a += other.a;
        self.b += other.b;
        self.agreed += other.agreed;
    }
}

/// Compares the links of two annotators' versions of one document.
pub fn link_agreement(a: &Document, b: &Document) -> LinkCounts {
    let matched: Vec<(usize, usize)> = diff(&spans_of(a), &spans_of(b))
        .entries
        .iter()
        .filter(|e| e.kind == DiffKind::Match)
        .filter_map(|e| Some((e.a?, e.b?)))
        .collect();
    links_of(&matched, a, b)
}

/// How the links of two versions of a document agree, given the pairs of annotations (indices
/// into `a`'s and `b`'s) their span diff matched: a link agrees when the other version has a
/// link of the same type between the matched ends.
pub(crate) fn links_of(matched: &[(usize, usize)], a: &Document, b: &Document) -> LinkCounts {
    let agreed = if a.relations.is_empty() || b.relations.is_empty() {
        0
    } else {
        let matched: BTreeMap<crate::model::Id, crate::model::Id> = matched
            .iter()
            .filter_map(|&(i, j)| Some((a.annotations.get(i)?.id, b.annotations.get(j)?.id)))
            .collect();
        a.relations
            .iter()
            .filter(|r| match (matched.get(&r.from), matched.get(&r.to)) {
                (Some(from), Some(to)) => b
                    .relations
                    .iter()
                    .any(|s| s.kind == r.kind && s.from == *from && s.to == *to),
                _ => false,
            })
            .count()
    };
    LinkCounts {
        a: a.relations.len(),
        b: b.relations.len(),
        agreed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_agrees_only_when_both_ends_and_the_type_agree() {
        let texts = "Selon l'AFP, Kim a parlé.";
        let make = |claim_label: &str| {
            let doc = Document {
                path: "a.txt".into(),
                text: std::sync::Arc::from(texts),
                ..Document::default()
            };
            let mut project = Project::new(
                "x".into(),
                "/c".into(),
                crate::schema::Schema::default(),
                vec![doc],
            );
            let add = |project: &mut Project, label: &str, phrase: &str| {
                let start = texts.find(phrase).unwrap();
                let id = project.allocate_id();
                let annotation = Annotation {
                    id,
                    label: label.into(),
                    fragments: vec![ByteRange::new(start, start + phrase.len())],
                    annotator: "x".into(),
                    note: String::new(),
                    created: crate::model::Timestamp(0),
                    attributes: BTreeMap::new(),
                    suggested: None,
                    provenance: None,
                };
                crate::edit::Edit::AddAnnotation { doc: 0, annotation }
                    .apply(project)
                    .unwrap();
                id
            };
            let source = add(&mut project, "source", "l'AFP");
            let claim = add(&mut project, claim_label, "Kim a parlé");
            if claim_label == "claim" {
                let relation = crate::model::Relation {
                    id: project.allocate_id(),
                    kind: "attributed-to".into(),
                    from: claim,
                    to: source,
                    annotator: "x".into(),
                    created: crate::model::Timestamp(0),
                };
                crate::edit::Edit::AddRelation { doc: 0, relation }
                    .apply(&mut project)
                    .unwrap();
            }
            project
        };
        let (a, b) = (make("claim"), make("claim"));
        let same = link_agreement(&a.documents[0], &b.documents[0]);
        assert_eq!(
            same,
            LinkCounts {
                a: 1,
                b: 1,
                agreed: 1
            }
        );
        assert!((same.f1() - 1.0).abs() < 1e-12);
        let other = make("boilerplate");
        let none = link_agreement(&a.documents[0], &other.documents[0]);
        assert_eq!(
            none,
            LinkCounts {
                a: 1,
                b: 0,
                agreed: 0
            }
        );
        assert!(none.f1().abs() < 1e-12);
        assert!(
            link_agreement(&other.documents[0], &other.documents[0])
                .f1()
                .is_nan()
        );
    }

    fn span(label: &str, start: usize, end: usize) -> Span {
        Span::new(label, start, end)
    }

    fn kinds(d: &Diff) -> Vec<(DiffKind, Option<usize>, Option<usize>)> {
        d.entries.iter().map(|e| (e.kind, e.a, e.b)).collect()
    }

    #[test]
    fn every_kind_in_text_order() {
        let a = vec![
            span("claim", 0, 10),
            span("source", 20, 25),
            span("claim", 30, 40),
            span("claim", 50, 60),
            span("source", 70, 75),
        ];
        let b = vec![
            span("claim", 0, 10),
            span("claim", 20, 25),
            span("claim", 32, 40),
            span("source", 55, 65),
            span("source", 80, 85),
        ];
        let d = diff(&a, &b);
        assert_eq!(
            kinds(&d),
            vec![
                (DiffKind::Match, Some(0), Some(0)),
                (DiffKind::LabelDisagreement, Some(1), Some(1)),
                (DiffKind::BoundaryDisagreement, Some(2), Some(2)),
                (DiffKind::LabelAndBoundaryDisagreement, Some(3), Some(3)),
                (DiffKind::OnlyIn(Side::A), Some(4), None),
                (DiffKind::OnlyIn(Side::B), None, Some(4)),
            ]
        );
        assert_eq!(d.differences(), 5);
    }

    #[test]
    fn greedy_pairs_the_largest_overlap_first_and_one_to_one() {
        // B's long span overlaps both of A's; the larger overlap wins, the other is alone.
        let a = vec![span("claim", 0, 4), span("claim", 5, 20)];
        let b = vec![span("claim", 2, 18)];
        let d = diff(&a, &b);
        assert_eq!(
            kinds(&d),
            vec![
                (DiffKind::OnlyIn(Side::A), Some(0), None),
                (DiffKind::BoundaryDisagreement, Some(1), Some(0)),
            ]
        );
    }

    #[test]
    fn same_label_boundary_beats_other_label_overlap() {
        let a = vec![span("claim", 0, 10)];
        let b = vec![span("source", 0, 9), span("claim", 5, 12)];
        let d = diff(&a, &b);
        assert_eq!(
            kinds(&d),
            vec![
                (DiffKind::OnlyIn(Side::B), None, Some(0)),
                (DiffKind::BoundaryDisagreement, Some(0), Some(1)),
            ]
        );
    }

    #[test]
    fn discontinuous_spans_overlap_only_through_their_fragments() {
        let a = vec![Span {
            label: "claim".into(),
            fragments: vec![ByteRange::new(0, 3), ByteRange::new(10, 13)],
        }];
        let b = vec![span("claim", 4, 8)];
        let d = diff(&a, &b);
        assert_eq!(d.differences(), 2);
        assert!(
            d.entries
                .iter()
                .all(|e| matches!(e.kind, DiffKind::OnlyIn(_)))
        );
    }

    #[test]
    fn identical_and_empty_sides() {
        let a = vec![span("claim", 0, 3), span("claim", 0, 3)];
        assert_eq!(diff(&a, &a).differences(), 0);
        assert_eq!(diff(&a, &[]).differences(), 2);
        assert_eq!(diff(&[], &[]).entries, vec![]);
    }

    #[test]
    fn documents_match_by_hash_whatever_their_path() {
        let doc = |path: &str, hash: &str| Document {
            path: path.into(),
            hash: hash.into(),
            ..Document::default()
        };
        let p1 = Project::new(
            "a".into(),
            "/c".into(),
            crate::schema::Schema::default(),
            vec![doc("x.txt", "h1"), doc("y.txt", "h2"), doc("z.txt", "h3")],
        );
        let p2 = Project::new(
            "b".into(),
            "/d".into(),
            crate::schema::Schema::default(),
            vec![doc("renamed.txt", "h1"), doc("y.txt", "h9")],
        );
        let alignment = align(&[&p1, &p2]);
        assert_eq!(alignment.documents.len(), 4);
        let first = &alignment.documents[0];
        assert!(first.in_all());
        assert_eq!(first.documents[1].unwrap().path, "renamed.txt");
        let partial: Vec<&str> = alignment.partial().map(|d| d.path.as_str()).collect();
        assert_eq!(partial, vec!["y.txt", "z.txt", "y.txt"]);
        assert_eq!(
            alignment.mismatches,
            vec![HashMismatch {
                path: "y.txt".into(),
                hashes: vec![Some("h2".into()), Some("h9".into())],
            }]
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn spans() -> impl Strategy<Value = Vec<Span>> {
            prop::collection::vec(
                (0usize..3, 0usize..40, 1usize..10).prop_map(|(label, start, len)| {
                    Span::new(
                        ["claim", "source", "boilerplate"][label],
                        start,
                        start + len,
                    )
                }),
                0..12,
            )
        }

        proptest! {
            #[test]
            fn every_span_is_in_exactly_one_entry(a in spans(), b in spans()) {
                let d = diff(&a, &b);
                let mut seen_a = vec![0; a.len()];
                let mut seen_b = vec![0; b.len()];
                for e in &d.entries {
                    if let Some(i) = e.a { seen_a[i] += 1; }
                    if let Some(j) = e.b { seen_b[j] += 1; }
                    if let (Some(i), Some(j)) = (e.a, e.b) {
                        let (x, y) = (&a[i], &b[j]);
                        prop_assert!(x.overlaps(y));
                        let kind = match (x.fragments == y.fragments, x.label == y.label) {
                            (true, true) => DiffKind::Match,
                            (true, false) => DiffKind::LabelDisagreement,
                            (false, true) => DiffKind::BoundaryDisagreement,
                            (false, false) => DiffKind::LabelAndBoundaryDisagreement,
                        };
                        prop_assert_eq!(e.kind, kind);
                    }
                }
                prop_assert!(seen_a.iter().all(|&n| n == 1));
                prop_assert!(seen_b.iter().all(|&n| n == 1));
                // Swapping the sides swaps the kinds and keeps the counts.
                let swapped = diff(&b, &a);
                prop_assert_eq!(swapped.differences(), d.differences());
                prop_assert_eq!(diff(&a, &a).differences(), 0);
            }
        }
    }
}
