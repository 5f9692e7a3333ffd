//! Three-way merge of two versions of one project file with their common ancestor: what
//! `marginalia merge-driver` does when git merges two branches that both changed a project.
//!
//! The merge works on the file's structure ([`ProjectFile`]), never on its lines, and reads no
//! text of the corpus: everything a version records (fragment texts, context, spans set aside,
//! suggestions) is carried over as it is. Spans and links are matched by id, documents by path.
//!
//! - What one side added is kept; what both added alike is kept once (same id and content, or
//!   the same label, fragments, note and attributes under two ids).
//! - What one side deleted and the other left as it was is deleted.
//! - A span changed on both sides, differently, is kept twice, as two unresolved candidates with
//!   their [`Provenance`] (the kind the adjudication panel rules on, see
//!   [`crate::review::adjudicate`]), each with the links its side gave it; a span changed on one
//!   side and deleted on the other is kept as one unresolved candidate, with its links. Both are
//!   reported as a [`Conflict`].
//! - Ids that the two sides gave to different things are renumbered on their side ("theirs"),
//!   with the links that use them.
//! - Anything else both sides changed differently (a link's type, a document's status, the
//!   schema) takes ours, or for the schema ours with what only theirs defines, and is noted.
//!
//! The result is checked as the loader checks a project (unique ids, links inside their
//! document) before it is returned: a merge never makes a broken file.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use super::errors::LoadError;
use super::format::{
    AnnotationFile, DetachedFile, DocumentFile, ProjectFile, RejectionFile, RelationFile,
    SuggestionFile, pretty_config,
};
use super::{FORMAT_VERSION, load};
use crate::corpus::CorpusError;
use crate::model::{Id, Provenance, Status};
use crate::schema::Schema;

/// One of the two versions being merged, as git names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The version of the branch being merged into (git's `%A`).
    Ours,
    /// The version of the branch being merged (git's `%B`).
    Theirs,
}

impl Side {
    /// "ours" or "theirs".
    pub const fn name(self) -> &'static str {
        match self {
            Self::Ours => "ours",
            Self::Theirs => "theirs",
        }
    }
}

/// A span the two versions disagree on, kept for someone to rule on (Review → Adjudicate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// The span changed differently on both sides: both versions are kept as unresolved
    /// candidates, ours under its id, theirs under a new one.
    Changed {
        /// The document.
        path: String,
        /// Our version.
        ours: Id,
        /// Their version.
        theirs: Id,
    },
    /// The span changed on one side and was deleted on the other: the changed version is kept as
    /// an unresolved candidate.
    ChangedAndDeleted {
        /// The document.
        path: String,
        /// The span kept.
        id: Id,
        /// The side that changed it (the other deleted it).
        changed: Side,
    },
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Changed { path, ours, theirs } => write!(
                f,
                "{path}: span {ours} was changed on both sides: kept as two unresolved candidates, \
                 {ours} (ours) and {theirs} (theirs)"
            ),
            Self::ChangedAndDeleted { path, id, changed } => {
                let other = match changed {
                    Side::Ours => Side::Theirs,
                    Side::Theirs => Side::Ours,
                };
                write!(
                    f,
                    "{path}: span {id} was changed on {} and deleted on {}: kept as an unresolved \
                     candidate",
                    changed.name(),
                    other.name()
                )
            }
        }
    }
}

/// An id of theirs given a new number because ours uses it for something else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Renumbered {
    /// The document.
    pub path: String,
    /// The id in their version.
    pub from: Id,
    /// The id in the merged project.
    pub to: Id,
}

/// What a three-way merge did, for the person who merges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Spans kept as unresolved candidates.
    pub conflicts: Vec<Conflict>,
    /// Ids of theirs renumbered (links follow their spans).
    pub renumbered: Vec<Renumbered>,
    /// Spans added by ours and by theirs that are in the result.
    pub added: [usize; 2],
    /// Spans deleted (on one side, untouched on the other, or on both).
    pub deleted: usize,
    /// Other decisions, in words: what took ours where both sides changed something.
    pub notes: Vec<String>,
}

impl MergeReport {
    /// The number of unresolved candidates the merge made.
    pub fn candidates(&self) -> usize {
        self.conflicts
            .iter()
            .map(|c| match c {
                Conflict::Changed { .. } => 2,
                Conflict::ChangedAndDeleted { .. } => 1,
            })
            .sum()
    }
}

/// Merges the project files `ours` and `theirs` with their common ancestor `base` (empty when
/// they have none: a file both branches added) and returns the merged file's text.
/// `path` names the file in messages. Fails, with nothing merged, when one of the three is not a
/// project file this build reads.
pub fn merge_three_way(
    base: &str,
    ours: &str,
    theirs: &str,
    path: &Path,
) -> Result<(String, MergeReport), LoadError> {
    let named = |side: &str| PathBuf::from(format!("{} ({side})", path.display()));
    let base_file = if base.trim_start_matches('\u{feff}').trim().is_empty() {
        None
    } else {
        Some(load::parse(base, &named("common ancestor"))?)
    };
    let ours_file = load::parse(ours, &named("ours"))?;
    let theirs_file = load::parse(theirs, &named("theirs"))?;
    for (file, side) in [
        (base_file.as_ref(), "common ancestor"),
        (Some(&ours_file), "ours"),
        (Some(&theirs_file), "theirs"),
    ] {
        if let Some(file) = file
            && file.format_version > FORMAT_VERSION
        {
            return Err(LoadError::Version {
                path: named(side),
                found: file.format_version,
            });
        }
    }
    let mut report = MergeReport::default();
    let merged = merge_files(base_file, ours_file, theirs_file, &mut report);
    let mut text =
        ron::ser::to_string_pretty(&merged, pretty_config()).map_err(|e| LoadError::Invalid {
            path: path.to_owned(),
            message: format!("the merged project could not be written: {e}"),
        })?;
    text.push('\n');
    // Checked as the loader checks it, without its texts.
    load_without_texts_from(&text, path).map_err(|e| LoadError::Invalid {
        path: path.to_owned(),
        message: format!("the merge would make a project that does not load ({e}); not merged"),
    })?;
    Ok((text, report))
}

/// Loads the project file at `path` without reading any text of its corpus: every document is
/// [`crate::model::TextState::Missing`], its spans as the file recorded them. For overviews of
/// many projects (a team folder) and for checking a file's structure.
pub fn load_without_texts(path: &Path) -> Result<crate::model::Project, LoadError> {
    let text = load::read_project_text(path)?;
    load_without_texts_from(&text, path)
}

fn load_without_texts_from(text: &str, path: &Path) -> Result<crate::model::Project, LoadError> {
    let file = load::parse(text, path)?;
    let dir = super::absolute(path)
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    let not_read = |_: &Path, relative: &str| {
        Err(CorpusError::Io {
            path: relative.into(),
            source: std::io::Error::other("not read"),
        })
    };
    load::from_file(file, path, &dir, not_read, |_| Ok(())).map(|(project, _)| project)
}

/// A span of a version: its entry, and why it is set aside when it is (detached).
#[derive(Debug, PartialEq)]
struct SpanEntry<'a> {
    file: AnnotationFile<'a>,
    detached: Option<String>,
}

/// A document of a version, by id.
#[derive(Debug, PartialEq, Default)]
struct Doc<'a> {
    sha256: String,
    status: Status,
    metadata: crate::model::Metadata,
    attributes: BTreeMap<String, String>,
    spans: BTreeMap<Id, SpanEntry<'a>>,
    relations: BTreeMap<Id, RelationFile>,
    suggestions: Vec<SuggestionFile<'a>>,
    rejected: Vec<RejectionFile<'a>>,
}

impl<'a> Doc<'a> {
    fn of(document: DocumentFile<'a>) -> (String, Self) {
        let mut doc = Self {
            sha256: document.sha256,
            status: document.status,
            metadata: document.metadata,
            attributes: document.attributes,
            suggestions: document.suggestions,
            rejected: document.rejected,
            ..Self::default()
        };
        for a in document.annotations {
            doc.spans.insert(
                a.id,
                SpanEntry {
                    file: a,
                    detached: None,
                },
            );
        }
        for r in document.relations {
            doc.relations.insert(r.id, r);
        }
        for d in document.detached {
            for r in d.relations {
                doc.relations.insert(r.id, r);
            }
            doc.spans.insert(
                d.span.id,
                SpanEntry {
                    file: d.span,
                    detached: Some(d.reason),
                },
            );
        }
        (document.path, doc)
    }

    /// The document as the file writes it: spans in text order, links with their spans.
    fn into_file(self, path: String) -> DocumentFile<'a> {
        let placed: BTreeSet<Id> = self
            .spans
            .iter()
            .filter(|(_, s)| s.detached.is_none())
            .map(|(id, _)| *id)
            .collect();
        let mut annotations = Vec::new();
        let mut detached: BTreeMap<Id, DetachedFile<'a>> = BTreeMap::new();
        for (id, span) in self.spans {
            match span.detached {
                None => annotations.push(span.file),
                Some(reason) => {
                    detached.insert(
                        id,
                        DetachedFile {
                            span: span.file,
                            reason,
                            relations: Vec::new(),
                        },
                    );
                }
            }
        }
        annotations.sort_by_key(|a| {
            let start = a.fragments.first().map_or(0, |f| f.0);
            let end = a.fragments.last().map_or(0, |f| f.1);
            (start, std::cmp::Reverse(end), a.id)
        });
        let mut relations = Vec::new();
        for (_, relation) in self.relations {
            if placed.contains(&relation.from) && placed.contains(&relation.to) {
                relations.push(relation);
                continue;
            }
            let end = if placed.contains(&relation.from) {
                relation.to
            } else {
                relation.from
            };
            if let Some(span) = detached.get_mut(&end) {
                span.relations.push(relation);
            }
        }
        DocumentFile {
            path,
            sha256: self.sha256,
            status: self.status,
            metadata: self.metadata,
            attributes: self.attributes,
            annotations,
            relations,
            detached: detached.into_values().collect(),
            suggestions: self.suggestions,
            rejected: self.rejected,
        }
    }

    fn ids(&self) -> impl Iterator<Item = Id> + '_ {
        self.spans.keys().chain(self.relations.keys()).copied()
    }
}

/// A version of the project, documents by path.
struct Version<'a> {
    format: u32,
    annotator: String,
    corpus: String,
    schema: Schema,
    documents: BTreeMap<String, Doc<'a>>,
}

impl<'a> Version<'a> {
    fn of(file: ProjectFile<'a>) -> Self {
        Self {
            format: file.format_version,
            annotator: file.annotator,
            corpus: file.corpus,
            schema: file.schema,
            documents: file.documents.into_iter().map(Doc::of).collect(),
        }
    }

    fn ids(&self) -> BTreeSet<Id> {
        self.documents.values().flat_map(Doc::ids).collect()
    }
}

/// What a value became on both sides, three-way.
enum Pick<T> {
    /// Agreed, or changed on one side only.
    Clean(T),
    /// Changed differently on both sides: ours, theirs.
    Both(T, T),
}

fn pick<T: PartialEq>(base: Option<&T>, ours: T, theirs: T) -> Pick<T> {
    if ours == theirs || base == Some(&theirs) {
        Pick::Clean(ours)
    } else if base == Some(&ours) {
        Pick::Clean(theirs)
    } else {
        Pick::Both(ours, theirs)
    }
}

/// A document's metadata (or its document attributes) merged key by key: a key changed (or
/// added, or removed) on one side only takes that side's value; changed differently on both,
/// ours, and the key is in the returned list.
fn merge_metadata<V: Clone + PartialEq>(
    base: &BTreeMap<String, V>,
    mut ours: BTreeMap<String, V>,
    mut theirs: BTreeMap<String, V>,
) -> (BTreeMap<String, V>, Vec<String>) {
    let keys: std::collections::BTreeSet<String> = base
        .keys()
        .chain(ours.keys())
        .chain(theirs.keys())
        .cloned()
        .collect();
    let mut both = Vec::new();
    let merged = keys
        .into_iter()
        .filter_map(|key| {
            let value = match pick(
                Some(&base.get(&key).cloned()),
                ours.remove(&key),
                theirs.remove(&key),
            ) {
                Pick::Clean(value) => value,
                Pick::Both(value, _) => {
                    both.push(key.clone());
                    value
                }
            };
            value.map(|v| (key, v))
        })
        .collect();
    (merged, both)
}

fn merge_files<'a>(
    base: Option<ProjectFile<'a>>,
    ours: ProjectFile<'a>,
    theirs: ProjectFile<'a>,
    report: &mut MergeReport,
) -> ProjectFile<'a> {
    let base = base.map(Version::of);
    let ours = Version::of(ours);
    let mut theirs = Version::of(theirs);
    let mut next = base
        .iter()
        .map(Version::ids)
        .chain([ours.ids(), theirs.ids()])
        .filter_map(|ids| ids.last().copied())
        .map(|id| id.0)
        .max()
        .unwrap_or(0)
        + 1;
    renumber_theirs(base.as_ref(), &ours, &mut theirs, &mut next, report);
    let annotator = match pick(
        base.as_ref().map(|b| &b.annotator),
        ours.annotator,
        theirs.annotator,
    ) {
        Pick::Clean(name) => name,
        Pick::Both(ours, theirs) => {
            report.notes.push(format!(
                "the project's annotator was changed on both sides: ours ({ours}) kept, not theirs \
                 ({theirs})"
            ));
            ours
        }
    };
    let corpus = match pick(base.as_ref().map(|b| &b.corpus), ours.corpus, theirs.corpus) {
        Pick::Clean(corpus) => corpus,
        Pick::Both(ours, theirs) => {
            report.notes.push(format!(
                "the corpus folder was changed on both sides: ours ({ours}) kept, not theirs \
                 ({theirs})"
            ));
            ours
        }
    };
    let schema = match pick(base.as_ref().map(|b| &b.schema), ours.schema, theirs.schema) {
        Pick::Clean(schema) => schema,
        Pick::Both(ours, theirs) => {
            report.notes.push(
                "the schema was changed on both sides: ours kept, with the labels, link types and \
                 attributes only theirs defines"
                    .to_owned(),
            );
            schema_union(ours, theirs)
        }
    };
    let mut base_docs = base.map(|b| b.documents).unwrap_or_default();
    let mut ours_docs = ours.documents;
    let mut theirs_docs = theirs.documents;
    let paths: BTreeSet<String> = base_docs
        .keys()
        .chain(ours_docs.keys())
        .chain(theirs_docs.keys())
        .cloned()
        .collect();
    let mut documents: Vec<(String, Doc<'a>)> = Vec::new();
    for path in paths {
        let o = base_docs.remove(&path);
        let a = ours_docs.remove(&path);
        let b = theirs_docs.remove(&path);
        if let Some(doc) = merge_document(&path, o, a, b, &mut next, report) {
            documents.push((path, doc));
        }
    }
    unique_ids(&mut documents, &mut next, report);
    ProjectFile {
        format_version: ours.format.max(theirs.format),
        annotator,
        corpus,
        schema,
        documents: documents
            .into_iter()
            .map(|(path, doc)| doc.into_file(path))
            .collect(),
    }
}

/// Ours, with the labels, link types, attributes and patterns that only theirs defines.
fn schema_union(mut ours: Schema, theirs: Schema) -> Schema {
    for label in theirs.labels {
        if ours.label(&label.name).is_none() {
            let mut label = label;
            if ours.labels.iter().any(|l| l.key == label.key) {
                label.key = String::new();
            }
            ours.labels.push(label);
        }
    }
    for relation in theirs.relations {
        if ours.relation(&relation.name).is_none() {
            ours.relations.push(relation);
        }
    }
    for attribute in theirs.attributes {
        if !ours
            .attributes
            .iter()
            .any(|a| a.label == attribute.label && a.name == attribute.name)
        {
            ours.attributes.push(attribute);
        }
    }
    for pattern in theirs.patterns {
        if !ours.patterns.contains(&pattern) {
            ours.patterns.push(pattern);
        }
    }
    ours
}

/// Gives new ids to what theirs added under an id that ours (or the ancestor) uses for something
/// else: spans (their links follow), then links.
fn renumber_theirs(
    base: Option<&Version<'_>>,
    ours: &Version<'_>,
    theirs: &mut Version<'_>,
    next: &mut u64,
    report: &mut MergeReport,
) {
    let mut taken: BTreeSet<Id> = ours.ids();
    if let Some(base) = base {
        taken.extend(base.ids());
    }
    for (path, doc) in &mut theirs.documents {
        let base_doc = base.and_then(|b| b.documents.get(path));
        let ours_doc = ours.documents.get(path);
        let mut moved: BTreeMap<Id, Id> = BTreeMap::new();
        let span_ids: Vec<Id> = doc.spans.keys().copied().collect();
        for id in span_ids {
            let new = base_doc.is_none_or(|b| !b.spans.contains_key(&id));
            let same = ours_doc.and_then(|d| d.spans.get(&id)) == doc.spans.get(&id);
            if new && !same && taken.contains(&id) {
                let to = Id(*next);
                *next += 1;
                if let Some(mut span) = doc.spans.remove(&id) {
                    span.file.id = to;
                    doc.spans.insert(to, span);
                }
                moved.insert(id, to);
                report.renumbered.push(Renumbered {
                    path: path.clone(),
                    from: id,
                    to,
                });
            }
        }
        for relation in doc.relations.values_mut() {
            for end in [&mut relation.from, &mut relation.to] {
                if let Some(to) = moved.get(end) {
                    *end = *to;
                }
            }
        }
        let relation_ids: Vec<Id> = doc.relations.keys().copied().collect();
        for id in relation_ids {
            let new = base_doc.is_none_or(|b| !b.relations.contains_key(&id));
            let same = ours_doc.and_then(|d| d.relations.get(&id)) == doc.relations.get(&id);
            if new && !same && taken.contains(&id) {
                let to = Id(*next);
                *next += 1;
                if let Some(mut relation) = doc.relations.remove(&id) {
                    relation.id = to;
                    doc.relations.insert(to, relation);
                }
                report.renumbered.push(Renumbered {
                    path: path.clone(),
                    from: id,
                    to,
                });
            }
        }
    }
}

/// The span as an unresolved candidate of `side`.
fn candidate(mut span: SpanEntry<'_>, side: Side) -> SpanEntry<'_> {
    let annotators = match span.file.provenance.take() {
        Some(p) if !p.annotators.is_empty() => p.annotators,
        _ => vec![format!("{} ({})", span.file.annotator, side.name())],
    };
    span.file.provenance = Some(Provenance {
        annotators,
        adjudicator: None,
        unresolved: true,
    });
    span
}

/// True when two spans added on each side are the same span: label, fragments, note,
/// attributes, provenance and rule alike, both placed.
fn same_addition(a: &SpanEntry<'_>, b: &SpanEntry<'_>) -> bool {
    let ranges = |s: &SpanEntry<'_>| -> Vec<(usize, usize)> {
        s.file.fragments.iter().map(|f| (f.0, f.1)).collect()
    };
    a.detached.is_none()
        && b.detached.is_none()
        && a.file.label == b.file.label
        && ranges(a) == ranges(b)
        && a.file.note == b.file.note
        && a.file.attributes == b.file.attributes
        && a.file.provenance == b.file.provenance
        && a.file.suggested == b.file.suggested
}

/// Merges one document's three versions (any may be missing).
fn merge_document<'a>(
    path: &str,
    base: Option<Doc<'a>>,
    ours: Option<Doc<'a>>,
    theirs: Option<Doc<'a>>,
    next: &mut u64,
    report: &mut MergeReport,
) -> Option<Doc<'a>> {
    let (ours, theirs) = match (base.as_ref(), ours, theirs) {
        (_, Some(ours), Some(theirs)) => (ours, theirs),
        (Some(base), Some(kept), None) | (Some(base), None, Some(kept)) => {
            if *base == kept {
                report.deleted += base.spans.len();
                return None;
            }
            report.notes.push(format!(
                "{path} was removed from the project on one side and changed on the other: kept"
            ));
            return Some(kept);
        }
        (None, Some(added), None) | (None, None, Some(added)) => return Some(added),
        (_, None, None) => {
            report.deleted += base.map_or(0, |b| b.spans.len());
            return None;
        }
    };
    let base = base.unwrap_or_default();
    let spans_changed = [ours.spans != base.spans, theirs.spans != base.spans];
    let ours_relations = ours.relations;
    let mut theirs_relations = theirs.relations;
    let ours_spans = ours.spans;
    let mut theirs_spans = theirs.spans;
    // Spans both sides added alike under two ids: theirs is ours.
    let mut same: BTreeMap<Id, Id> = BTreeMap::new();
    let added_by_ours: Vec<(&Id, &SpanEntry<'_>)> = ours_spans
        .iter()
        .filter(|(id, _)| !base.spans.contains_key(id))
        .collect();
    for (id, span) in &theirs_spans {
        if base.spans.contains_key(id) || ours_spans.contains_key(id) {
            continue;
        }
        if let Some((ours_id, _)) = added_by_ours.iter().find(|(_, o)| same_addition(o, span)) {
            same.insert(*id, **ours_id);
        }
    }
    for id in same.keys() {
        theirs_spans.remove(id);
    }
    for relation in theirs_relations.values_mut() {
        for end in [&mut relation.from, &mut relation.to] {
            if let Some(to) = same.get(end) {
                *end = *to;
            }
        }
    }
    let ids: BTreeSet<Id> = base
        .spans
        .keys()
        .chain(ours_spans.keys())
        .chain(theirs_spans.keys())
        .copied()
        .collect();
    // What each side had, to give candidates their links.
    let theirs_had: BTreeSet<Id> = theirs_spans.keys().copied().collect();
    let ours_had: BTreeSet<Id> = ours_spans.keys().copied().collect();
    let mut ours_spans = ours_spans;
    let mut spans: BTreeMap<Id, SpanEntry<'a>> = BTreeMap::new();
    // Ours' id → theirs' candidate id, for spans changed on both sides.
    let mut split: BTreeMap<Id, Id> = BTreeMap::new();
    for id in ids {
        let o = base.spans.get(&id);
        let a = ours_spans.remove(&id);
        let b = theirs_spans.remove(&id);
        match (o, a, b) {
            (_, Some(a), Some(b)) => match pick(o, a, b) {
                Pick::Clean(span) => {
                    spans.insert(id, span);
                }
                Pick::Both(a, mut b) => {
                    let to = Id(*next);
                    *next += 1;
                    b.file.id = to;
                    spans.insert(id, candidate(a, Side::Ours));
                    spans.insert(to, candidate(b, Side::Theirs));
                    split.insert(id, to);
                    report.conflicts.push(Conflict::Changed {
                        path: path.to_owned(),
                        ours: id,
                        theirs: to,
                    });
                }
            },
            (Some(o), Some(kept), None) | (Some(o), None, Some(kept)) => {
                if *o == kept {
                    report.deleted += 1;
                } else {
                    let changed = if ours_had.contains(&id) {
                        Side::Ours
                    } else {
                        Side::Theirs
                    };
                    spans.insert(id, candidate(kept, changed));
                    report.conflicts.push(Conflict::ChangedAndDeleted {
                        path: path.to_owned(),
                        id,
                        changed,
                    });
                }
            }
            (None, Some(added), None) => {
                report.added[0] += 1;
                spans.insert(id, added);
            }
            (None, None, Some(added)) => {
                report.added[1] += 1;
                spans.insert(id, added);
            }
            (Some(_), None, None) => report.deleted += 1,
            (None, None, None) => {}
        }
    }
    let relations = merge_relations(
        path,
        &base.relations,
        ours_relations,
        theirs_relations,
        &spans,
        [&ours_had, &theirs_had],
        &split,
        next,
        report,
    );
    let sha256 = document_hash(
        path,
        &base,
        [&ours.sha256, &theirs.sha256],
        spans_changed,
        report,
    );
    let status = match pick(Some(&base.status), ours.status, theirs.status) {
        Pick::Clean(status) => status,
        Pick::Both(a, b) => a.max(b),
    };
    let (metadata, _) = merge_metadata(&base.metadata, ours.metadata, theirs.metadata);
    let (attributes, both) = merge_metadata(&base.attributes, ours.attributes, theirs.attributes);
    for name in both {
        report.notes.push(format!(
            "{path}: the document attribute {name:?} was set differently on both sides: ours kept"
        ));
    }
    Some(Doc {
        sha256,
        status,
        metadata,
        attributes,
        spans,
        relations,
        suggestions: merge_list(&base.suggestions, ours.suggestions, theirs.suggestions),
        rejected: merge_list(&base.rejected, ours.rejected, theirs.rejected),
    })
}

/// The hash the merged document records: the text both sides record, or the one of the side
/// that changed it when the other changed no span. Otherwise the spans of one side may have been
/// made on the other's text: the ancestor's hash is kept (ours when there is none), so that
/// loading finds the text changed and places every span again (see [`crate::anchor`]).
fn document_hash(
    path: &str,
    base: &Doc<'_>,
    [ours, theirs]: [&String; 2],
    [ours_spans_changed, theirs_spans_changed]: [bool; 2],
    report: &mut MergeReport,
) -> String {
    if ours == theirs {
        return ours.clone();
    }
    let known = !base.sha256.is_empty();
    if known && *theirs == base.sha256 && !theirs_spans_changed {
        return ours.clone();
    }
    if known && *ours == base.sha256 && !ours_spans_changed {
        return theirs.clone();
    }
    report.notes.push(format!(
        "{path}: the two sides annotated different texts of the document: its spans will be \
         placed again on its text when the project is opened"
    ));
    if known {
        base.sha256.clone()
    } else {
        ours.clone()
    }
}

/// Merges the links of one document, three-way by id, given the merged spans.
#[allow(
    clippy::too_many_arguments,
    reason = "one step of merge_document, which owns all of these"
)]
fn merge_relations(
    path: &str,
    base: &BTreeMap<Id, RelationFile>,
    mut ours: BTreeMap<Id, RelationFile>,
    mut theirs: BTreeMap<Id, RelationFile>,
    spans: &BTreeMap<Id, SpanEntry<'_>>,
    [ours_had, theirs_had]: [&BTreeSet<Id>; 2],
    split: &BTreeMap<Id, Id>,
    next: &mut u64,
    report: &mut MergeReport,
) -> BTreeMap<Id, RelationFile> {
    // Their links to a span changed on both sides go to their candidate: those only theirs has
    // move; those both have are copied.
    let ours_ids: BTreeSet<Id> = ours.keys().copied().collect();
    let theirs_copy: Vec<RelationFile> = theirs
        .values()
        .filter(|r| split.contains_key(&r.from) || split.contains_key(&r.to))
        .map(|r| RelationFile {
            id: r.id,
            kind: r.kind.clone(),
            from: split.get(&r.from).copied().unwrap_or(r.from),
            to: split.get(&r.to).copied().unwrap_or(r.to),
            annotator: r.annotator.clone(),
            created: r.created,
        })
        .collect();
    let ids: BTreeSet<Id> = base
        .keys()
        .chain(ours.keys())
        .chain(theirs.keys())
        .copied()
        .collect();
    let both_ends = |r: &RelationFile| spans.contains_key(&r.from) && spans.contains_key(&r.to);
    let mut relations: BTreeMap<Id, RelationFile> = BTreeMap::new();
    for id in ids {
        let o = base.get(&id);
        let a = ours.remove(&id);
        let b = theirs.remove(&id);
        let kept = match (o, a, b) {
            (_, Some(a), Some(b)) => match pick(o, a, b) {
                Pick::Clean(r) => Some(r),
                Pick::Both(a, _) => {
                    report.notes.push(format!(
                        "{path}: link {id} was changed on both sides: ours kept"
                    ));
                    Some(a)
                }
            },
            // Deleted on the other side. Kept when changed, or when it went only because the
            // other side deleted one of its spans, which the merge keeps.
            (Some(o), Some(kept), None) => {
                let span_gone = !theirs_had.contains(&o.from) || !theirs_had.contains(&o.to);
                (*o != kept || span_gone).then_some(kept)
            }
            (Some(o), None, Some(kept)) => {
                let span_gone = !ours_had.contains(&o.from) || !ours_had.contains(&o.to);
                (*o != kept || span_gone).then_some(kept)
            }
            (None, Some(added), None) | (None, None, Some(added)) => Some(added),
            (_, None, None) => None,
        };
        if let Some(relation) = kept {
            if both_ends(&relation) {
                relations.insert(id, relation);
            } else if o != Some(&relation) {
                // (One that is as it was goes with its span silently.)
                report.notes.push(format!(
                    "{path}: link {id} was dropped: one of its spans was deleted on the other side"
                ));
            }
        }
    }
    for copy in theirs_copy {
        if !both_ends(&copy) {
            continue;
        }
        if ours_ids.contains(&copy.id) {
            // Ours has it too, on our candidate: theirs gets a copy.
            let id = Id(*next);
            *next += 1;
            relations.insert(id, RelationFile { id, ..copy });
        } else if relations.contains_key(&copy.id) {
            relations.insert(copy.id, copy);
        }
    }
    // What both added alike, once.
    let mut seen: BTreeSet<(String, Id, Id)> = BTreeSet::new();
    relations.retain(|_, r| seen.insert((r.kind.clone(), r.from, r.to)));
    relations
}

/// A list merged three-way as a set: what a side added is kept, what a side removed is removed.
fn merge_list<T: fmt::Debug>(base: &[T], ours: Vec<T>, theirs: Vec<T>) -> Vec<T> {
    let key = |x: &T| format!("{x:?}");
    let base: BTreeSet<String> = base.iter().map(key).collect();
    let theirs_keys: BTreeSet<String> = theirs.iter().map(key).collect();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::with_capacity(ours.len());
    for x in ours {
        let k = key(&x);
        if (!base.contains(&k) || theirs_keys.contains(&k)) && seen.insert(k) {
            out.push(x);
        }
    }
    for x in theirs {
        let k = key(&x);
        if !base.contains(&k) && seen.insert(k) {
            out.push(x);
        }
    }
    out
}

/// Makes every id unique over the project, in case a side reused an id the ancestor had for
/// something else: a later document's span or link that repeats an id gets a new one.
fn unique_ids(documents: &mut [(String, Doc<'_>)], next: &mut u64, report: &mut MergeReport) {
    let mut seen: BTreeSet<Id> = BTreeSet::new();
    for (path, doc) in documents {
        let mut moved: BTreeMap<Id, Id> = BTreeMap::new();
        for id in doc.spans.keys() {
            if seen.contains(id) {
                moved.insert(*id, Id(*next));
                *next += 1;
            }
        }
        for (from, to) in &moved {
            if let Some(mut span) = doc.spans.remove(from) {
                span.file.id = *to;
                doc.spans.insert(*to, span);
            }
            report.renumbered.push(Renumbered {
                path: path.clone(),
                from: *from,
                to: *to,
            });
        }
        seen.extend(doc.spans.keys().copied());
        let relations = std::mem::take(&mut doc.relations);
        for (id, mut relation) in relations {
            for end in [&mut relation.from, &mut relation.to] {
                if let Some(to) = moved.get(end) {
                    *end = *to;
                }
            }
            if !seen.insert(id) {
                let to = Id(*next);
                *next += 1;
                seen.insert(to);
                relation.id = to;
                report.renumbered.push(Renumbered {
                    path: path.clone(),
                    from: id,
                    to,
                });
            }
            doc.relations.insert(relation.id, relation);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::merge_metadata;
    use serde_json::json;

    /// Metadata merges key by key: one side's change wins over the ancestor, both sides'
    /// different changes keep ours, a key removed on one side and untouched on the other goes.
    #[test]
    fn l_metadata_merges_key_by_key() {
        let map =
            |v: serde_json::Value| -> crate::model::Metadata { serde_json::from_value(v).unwrap() };
        let base = map(json!({"title": "T", "url": "u", "gone": 1, "both": "b"}));
        let ours = map(json!({"title": "T", "url": "u2", "both": "o"}));
        let theirs = map(json!({"title": "T2", "url": "u", "gone": 1, "both": "t", "new": [1]}));
        let merged = (
            map(json!({"title": "T2", "url": "u2", "both": "o", "new": [1]})),
            vec!["both".to_owned()],
        );
        assert_eq!(merge_metadata(&base, ours, theirs), merged);
    }

    /// Document attributes merge the same way; a value set differently on both sides keeps
    /// ours and is named, so that the merge reports it.
    #[test]
    fn l_document_attributes_merge_key_by_key() {
        let map = |pairs: &[(&str, &str)]| -> std::collections::BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let base = map(&[("genre", "news")]);
        let ours = map(&[("genre", "opinion"), ("to-check", "yes")]);
        let theirs = map(&[("genre", "press-release")]);
        assert_eq!(
            merge_metadata(&base, ours, theirs),
            (
                map(&[("genre", "opinion"), ("to-check", "yes")]),
                vec!["genre".to_owned()]
            )
        );
    }
}
