//! Edits built from what the user means: "label this selection", "link these two spans", "add
//! this text to the span", "the next value of this attribute". As helix builds a `Transaction`
//! from a selection, these read the project, decide, and return the [`Edit`] to apply (or why
//! there is none); the fronts only say what was meant. Nothing here changes the project.

use std::collections::{BTreeMap, BTreeSet};

use super::{Edit, SuggestionChange};
use crate::model::{
    Annotation, Document, Id, Project, Provenance, Relation, Status, Timestamp, check_fragments,
};
use crate::search::Hit;
use crate::suggestion::{Rejection, Rule, Suggestion};
use crate::text::{ByteRange, Join, merge_ranges, trim_range};

/// Why no edit could be built from what was asked. Said to the user as it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IntentError {
    /// No document at that index.
    #[error("there is no document number {0}")]
    NoSuchDocument(usize),
    /// No span with that id in the document.
    #[error("there is no span {0} in this document")]
    NoSuchSpan(Id),
    /// The selection holds nothing but white space.
    #[error("The selection holds only white space")]
    OnlyWhiteSpace,
    /// No relation type of the schema links these labels, either way round.
    #[error("No relation type links a {first} to a {second}: see the schema")]
    NoRelationType {
        /// The label of the span picked first.
        first: String,
        /// The label of the other.
        second: String,
    },
    /// The two spans are linked already.
    #[error("These spans are already linked")]
    AlreadyLinked,
    /// There is nothing to label: every hit is labelled already or cannot be.
    #[error("There is nothing to label: every occurrence is labelled already or read-only")]
    NothingToLabel,
    /// The label is not in the schema.
    #[error("There is no label {0:?} in the schema")]
    UnknownLabel(String),
    /// The span is in several pieces: it has no one text to look for.
    #[error("This span is in several pieces: select one piece of text to find it elsewhere")]
    Discontinuous,
    /// The span has no such attribute in the schema.
    #[error("spans labelled {label:?} have no attribute {name:?}")]
    NoSuchAttribute {
        /// The span's label.
        label: String,
        /// The attribute.
        name: String,
    },
    /// No pending suggestion at that place in the document's list.
    #[error("there is no suggestion number {0} in this document")]
    NoSuchSuggestion(usize),
    /// The document's text is not the one its spans were made on.
    #[error("{0} is read-only: its text is not the one that was annotated")]
    ReadOnly(String),
    /// The label is not in the schema.
    #[error("there is no label {0:?} in the schema")]
    NoSuchLabel(String),
    /// No pending suggestion of the rule where it was asked for.
    #[error("no suggestion of the rule {0} is waiting")]
    NothingToAccept(String),
}

/// `edit`, and, when it is the first change to the annotations of a document still to do, the
/// document marked in progress with it (one undo step for both).
pub fn started(project: &Project, edit: Edit) -> Edit {
    match edit.annotated_document() {
        Some(doc)
            if project
                .document(doc)
                .is_some_and(|d| d.status == crate::model::Status::ToDo) =>
        {
            Edit::Batch(vec![
                edit,
                Edit::SetStatus {
                    doc,
                    status: crate::model::Status::InProgress,
                },
            ])
        }
        _ => edit,
    }
}

/// A new span labelled `label` over `selection` (its edge white space left out), made by the
/// project's annotator now. In a gold project, a span the adjudicator draws is gold, theirs.
pub fn new_span(
    project: &Project,
    doc: usize,
    selection: ByteRange,
    label: &str,
    id: Id,
) -> Result<Edit, IntentError> {
    let document = project
        .document(doc)
        .ok_or(IntentError::NoSuchDocument(doc))?;
    let range = trim_range(&document.text, selection).ok_or(IntentError::OnlyWhiteSpace)?;
    let annotation = Annotation {
        id,
        label: label.to_owned(),
        fragments: vec![range],
        annotator: project.annotator.clone(),
        note: String::new(),
        created: Timestamp::now(),
        attributes: BTreeMap::new(),
        suggested: None,
        provenance: project.is_gold().then(|| Provenance {
            annotators: Vec::new(),
            adjudicator: Some(project.annotator.clone()),
            unresolved: false,
        }),
    };
    Ok(Edit::AddAnnotation { doc, annotation })
}

/// A link between spans `a` and `b`, of the first relation type of the schema that allows their
/// labels, in either direction: a claim to its source, whichever of the two was picked first.
pub fn link(project: &Project, doc: usize, a: Id, b: Id, id: Id) -> Result<Edit, IntentError> {
    let document = project
        .document(doc)
        .ok_or(IntentError::NoSuchDocument(doc))?;
    let first = document.annotation(a).ok_or(IntentError::NoSuchSpan(a))?;
    let second = document.annotation(b).ok_or(IntentError::NoSuchSpan(b))?;
    let schema = &project.schema;
    let (kind, from, to) = schema
        .relations
        .iter()
        .find_map(|r| {
            r.allows(&first.label, &second.label)
                .then(|| (r.name.clone(), a, b))
        })
        .or_else(|| {
            schema.relations.iter().find_map(|r| {
                r.allows(&second.label, &first.label)
                    .then(|| (r.name.clone(), b, a))
            })
        })
        .ok_or_else(|| IntentError::NoRelationType {
            first: first.label.clone(),
            second: second.label.clone(),
        })?;
    if document
        .relations
        .iter()
        .any(|r| r.kind == kind && r.from == from && r.to == to)
    {
        return Err(IntentError::AlreadyLinked);
    }
    let relation = Relation {
        id,
        kind,
        from,
        to,
        annotator: project.annotator.clone(),
        created: Timestamp::now(),
    };
    Ok(Edit::AddRelation { doc, relation })
}

/// `range` (its edge white space left out) added to span `span`'s fragments: a discontinuous
/// span, fragments that overlap or touch merged into one.
pub fn add_fragment(
    project: &Project,
    doc: usize,
    span: Id,
    range: ByteRange,
) -> Result<Edit, IntentError> {
    let document = project
        .document(doc)
        .ok_or(IntentError::NoSuchDocument(doc))?;
    let annotation = document
        .annotation(span)
        .ok_or(IntentError::NoSuchSpan(span))?;
    let range = trim_range(&document.text, range).ok_or(IntentError::OnlyWhiteSpace)?;
    let mut fragments = annotation.fragments.clone();
    fragments.push(range);
    Ok(Edit::SetFragments {
        doc,
        id: span,
        fragments: merge_ranges(fragments, Join::OverlappingOrTouching),
    })
}

/// Attribute `name` of span `span` moved to its next value in the schema's order: the first
/// when it has none, none after the last.
pub fn cycle_attribute(
    project: &Project,
    doc: usize,
    span: Id,
    name: &str,
) -> Result<Edit, IntentError> {
    let document = project
        .document(doc)
        .ok_or(IntentError::NoSuchDocument(doc))?;
    let annotation = document
        .annotation(span)
        .ok_or(IntentError::NoSuchSpan(span))?;
    let def = project
        .schema
        .attributes_of(&annotation.label)
        .find(|a| a.name == name)
        .ok_or_else(|| IntentError::NoSuchAttribute {
            label: annotation.label.clone(),
            name: name.to_owned(),
        })?;
    let value = match annotation.attributes.get(name) {
        None => def.values.first().cloned(),
        Some(current) => def
            .values
            .iter()
            .position(|v| v == current)
            .and_then(|i| def.values.get(i + 1))
            .cloned(),
    };
    Ok(Edit::SetAttribute {
        doc,
        id: span,
        name: name.to_owned(),
        value,
    })
}

/// New pending suggestions: each document's become those of `found` (one list per document, in
/// the order of `project.documents`) that [`filtered`] keeps: none identical to
/// an existing span or to a rejection, none twice, sorted. The previous pending suggestions of
/// those documents are replaced (a document past the end of `found`, or not editable, keeps its
/// own); rejections stay. One undo step, which may be empty when nothing changes.
pub fn offer(project: &Project, found: Vec<Vec<Suggestion>>) -> Edit {
    let edits = project
        .documents
        .iter()
        .enumerate()
        .zip(found)
        .filter(|((_, document), _)| document.is_editable())
        .filter_map(|((doc, document), found)| {
            let suggestions = filtered(document, found);
            (suggestions != document.suggestions).then(|| Edit::SetSuggestions {
                doc,
                suggestions,
                rejected: document.rejected.clone(),
                change: SuggestionChange::Offered,
            })
        })
        .collect();
    Edit::Batch(edits)
}

/// Accepts pending suggestion `index` of document `doc`: its span (labelled `label` when given,
/// the label's key relabelling it, else as suggested), carrying the rule that suggested it
/// ([`Annotation::suggested`]); and, when it comes with a link, the link, to the existing span
/// at its other end or, failing one, to the pending suggestion there (accepted with it). A link
/// whose other end is neither, or that the schema does not allow between the labels, is left
/// out. What is accepted leaves the pending list; a document still to do is marked in progress.
/// One undo step.
pub fn accept(
    project: &Project,
    doc: usize,
    index: usize,
    label: Option<&str>,
    next_id: impl FnMut() -> Id,
) -> Result<Edit, IntentError> {
    let document = suggestions_of(project, doc)?;
    if index >= document.suggestions.len() {
        return Err(IntentError::NoSuchSuggestion(index));
    }
    let mut accepting = Accepting::new(project, doc, document, next_id);
    accepting.accept(index, label)?;
    Ok(started(project, accepting.finish()))
}

/// Rejects pending suggestion `index` of document `doc`: it leaves the pending list for the
/// document's rejections, and is never offered again (nor is the same label over the same
/// text, whatever rule finds it); links of other pending suggestions to it are dropped. One
/// undo step.
pub fn reject(project: &Project, doc: usize, index: usize) -> Result<Edit, IntentError> {
    let document = suggestions_of(project, doc)?;
    let rejected = document
        .suggestions
        .get(index)
        .ok_or(IntentError::NoSuchSuggestion(index))?;
    let rejection = Rejection::of(rejected);
    let suggestions = document
        .suggestions
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != index)
        .map(|(_, s)| {
            let mut s = s.clone();
            if s.link
                .as_ref()
                .is_some_and(|l| l.label == rejection.label && l.fragments == rejection.fragments)
            {
                s.link = None;
            }
            s
        })
        .collect();
    let mut all_rejected = document.rejected.clone();
    all_rejected.push(rejection);
    Ok(Edit::SetSuggestions {
        doc,
        suggestions,
        rejected: all_rejected,
        change: SuggestionChange::Rejected,
    })
}

/// How many pending suggestions of `rule` wait in document `doc`, or in the whole project when
/// `doc` is `None`: what "accept all from this rule" says before it does it.
pub fn count_rule(project: &Project, rule: &Rule, doc: Option<usize>) -> usize {
    in_scope(project, doc)
        .map(|(_, d)| d.suggestions.iter().filter(|s| s.rule == *rule).count())
        .sum()
}

/// Accepts every pending suggestion of `rule` in document `doc`, or in every editable document
/// when `doc` is `None`, each as [`accept`] does (with its link, and the link's other end when
/// it is a pending suggestion); documents still to do are marked in progress. Returns how many
/// suggestions of the rule were accepted (what [`count_rule`] counted: the other ends of their
/// links come in addition) and the edit, one undo step.
pub fn accept_rule(
    project: &Project,
    rule: &Rule,
    doc: Option<usize>,
    mut next_id: impl FnMut() -> Id,
) -> Result<(usize, Edit), IntentError> {
    if let Some(doc) = doc {
        suggestions_of(project, doc)?;
    }
    let mut edits = Vec::new();
    let mut statuses = Vec::new();
    let mut count = 0;
    for (doc, document) in in_scope(project, doc) {
        if !document.is_editable() {
            continue;
        }
        let of_rule: Vec<usize> = (0..document.suggestions.len())
            .filter(|&i| document.suggestions.get(i).is_some_and(|s| s.rule == *rule))
            .collect();
        if of_rule.is_empty() {
            continue;
        }
        let mut accepting = Accepting::new(project, doc, document, &mut next_id);
        for index in of_rule {
            // A suggestion of the rule may have been accepted already, as the end of a link.
            if !accepting.taken.contains(&index) {
                accepting.accept(index, None)?;
                count += 1;
            }
        }
        edits.push(accepting.finish());
        if document.status == Status::ToDo {
            statuses.push(Edit::SetStatus {
                doc,
                status: Status::InProgress,
            });
        }
    }
    if edits.is_empty() {
        return Err(IntentError::NothingToAccept(rule.to_string()));
    }
    edits.extend(statuses);
    Ok((count, Edit::Batch(edits)))
}

/// The documents `doc` names (one, or all when `None`), with their index.
fn in_scope(project: &Project, doc: Option<usize>) -> impl Iterator<Item = (usize, &Document)> {
    project
        .documents
        .iter()
        .enumerate()
        .filter(move |(i, _)| doc.is_none_or(|d| d == *i))
}

/// Document `doc`, when its suggestions may be accepted or rejected.
fn suggestions_of(project: &Project, doc: usize) -> Result<&Document, IntentError> {
    let document = project
        .document(doc)
        .ok_or(IntentError::NoSuchDocument(doc))?;
    if !document.is_editable() {
        return Err(IntentError::ReadOnly(document.path.clone()));
    }
    Ok(document)
}

/// Suggestions of one document being accepted: the spans and links they make, and which of the
/// pending list they take.
struct Accepting<'p, F> {
    project: &'p Project,
    doc: usize,
    document: &'p Document,
    next_id: F,
    /// Indices of the pending suggestions accepted.
    taken: BTreeSet<usize>,
    /// The spans made, and those found already there, by label and fragments.
    spans: BTreeMap<(String, Vec<crate::text::ByteRange>), Id>,
    edits: Vec<Edit>,
    links: Vec<Edit>,
}

impl<'p, F: FnMut() -> Id> Accepting<'p, F> {
    fn new(project: &'p Project, doc: usize, document: &'p Document, next_id: F) -> Self {
        Self {
            project,
            doc,
            document,
            next_id,
            taken: BTreeSet::new(),
            spans: BTreeMap::new(),
            edits: Vec::new(),
            links: Vec::new(),
        }
    }

    /// The id of the span `label` over `fragments`: one of the document, one made here, or
    /// `None`.
    fn existing(&self, label: &str, fragments: &[crate::text::ByteRange]) -> Option<Id> {
        self.spans
            .get(&(label.to_owned(), fragments.to_vec()))
            .copied()
            .or_else(|| {
                self.document
                    .annotations_in(crate::text::ByteRange::new(
                        fragments.first().map_or(0, |f| f.start),
                        fragments.last().map_or(0, |f| f.end),
                    ))
                    .find(|a| a.label == label && a.fragments == fragments)
                    .map(|a| a.id)
            })
    }

    /// The span of pending suggestion `index`, labelled `label` (or as suggested): made, or
    /// found already there. Its id.
    fn span(&mut self, index: usize, label: Option<&str>) -> Result<Id, IntentError> {
        let suggestion = self
            .document
            .suggestions
            .get(index)
            .ok_or(IntentError::NoSuchSuggestion(index))?;
        let label = label.unwrap_or(&suggestion.label);
        if self.project.schema.label(label).is_none() {
            return Err(IntentError::NoSuchLabel(label.to_owned()));
        }
        self.taken.insert(index);
        if let Some(id) = self.existing(label, &suggestion.fragments) {
            return Ok(id);
        }
        let id = (self.next_id)();
        let annotation = Annotation {
            id,
            label: label.to_owned(),
            fragments: suggestion.fragments.clone(),
            annotator: self.project.annotator.clone(),
            note: String::new(),
            created: Timestamp::now(),
            attributes: BTreeMap::new(),
            provenance: self.project.is_gold().then(|| Provenance {
                annotators: Vec::new(),
                adjudicator: Some(self.project.annotator.clone()),
                unresolved: false,
            }),
            suggested: Some(suggestion.rule.clone()),
        };
        self.spans
            .insert((annotation.label.clone(), annotation.fragments.clone()), id);
        self.edits.push(Edit::AddAnnotation {
            doc: self.doc,
            annotation,
        });
        Ok(id)
    }

    /// Accepts pending suggestion `index` and its link.
    fn accept(&mut self, index: usize, label: Option<&str>) -> Result<(), IntentError> {
        let from = self.span(index, label)?;
        let Some(suggestion) = self.document.suggestions.get(index) else {
            return Ok(());
        };
        let Some(link) = &suggestion.link else {
            return Ok(());
        };
        let from_label = label.unwrap_or(&suggestion.label);
        let Some(def) = self.project.schema.relation(&link.kind) else {
            return Ok(());
        };
        // Which way the schema allows the link, if at all: nothing else is accepted otherwise.
        let forward = if def.allows(from_label, &link.label) {
            true
        } else if def.allows(&link.label, from_label) {
            false
        } else {
            return Ok(());
        };
        // The other end: a span there already (or made here), else its pending suggestion.
        let to = if let Some(id) = self.existing(&link.label, &link.fragments) {
            id
        } else {
            let pending = self
                .document
                .suggestions
                .iter()
                .enumerate()
                .position(|(i, s)| {
                    i != index
                        && !self.taken.contains(&i)
                        && s.is_span(&link.label, &link.fragments)
                });
            let Some(other) = pending else {
                return Ok(());
            };
            if self.project.schema.label(&link.label).is_none() {
                return Ok(());
            }
            self.span(other, None)?
        };
        let (from, to) = if forward { (from, to) } else { (to, from) };
        let linked = self
            .document
            .relations
            .iter()
            .any(|r| r.kind == link.kind && r.from == from && r.to == to)
            || self.links.iter().any(|e| {
                matches!(e, Edit::AddRelation { relation, .. }
                    if relation.kind == link.kind && relation.from == from && relation.to == to)
            });
        if from != to && !linked {
            self.links.push(Edit::AddRelation {
                doc: self.doc,
                relation: Relation {
                    id: (self.next_id)(),
                    kind: link.kind.clone(),
                    from,
                    to,
                    annotator: self.project.annotator.clone(),
                    created: Timestamp::now(),
                },
            });
        }
        Ok(())
    }

    /// The spans, then the links, then the pending list without what was accepted.
    fn finish(self) -> Edit {
        let suggestions: Vec<Suggestion> = self
            .document
            .suggestions
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.taken.contains(i))
            .map(|(_, s)| s.clone())
            .collect();
        let mut edits = self.edits;
        edits.extend(self.links);
        edits.push(Edit::SetSuggestions {
            doc: self.doc,
            suggestions,
            rejected: self.document.rejected.clone(),
            change: SuggestionChange::Accepted(self.taken.len()),
        });
        Edit::Batch(edits)
    }
}

/// What of `found` may be offered in `document`: the suggestions whose fragments fit its text,
/// minus those identical (same label, same fragments) to one of its spans or to one of its
/// rejections, each span once (of suggestions of the same span, the one with the highest score,
/// then one with a link, then the first rule), sorted by [`Suggestion::sort_key`]. A link whose
/// other end was rejected is left out of its suggestion (the span itself is still offered).
/// Nothing for a document that is not editable.
pub fn filtered(document: &Document, found: Vec<Suggestion>) -> Vec<Suggestion> {
    if !document.is_editable() {
        return Vec::new();
    }
    let existing: BTreeSet<(&str, &[ByteRange])> = document
        .annotations
        .iter()
        .map(|a| (a.label.as_str(), a.fragments.as_slice()))
        .collect();
    let rejected: BTreeSet<(&str, &[ByteRange])> = document
        .rejected
        .iter()
        .map(|r| (r.label.as_str(), r.fragments.as_slice()))
        .collect();
    let mut kept: Vec<Suggestion> = found
        .into_iter()
        .filter(|s| {
            let key = (s.label.as_str(), s.fragments.as_slice());
            !existing.contains(&key)
                && !rejected.contains(&key)
                && check_fragments(&document.text, &s.fragments).is_ok()
        })
        .map(|mut s| {
            if s.link.as_ref().is_some_and(|l| {
                rejected.contains(&(l.label.as_str(), l.fragments.as_slice()))
                    || check_fragments(&document.text, &l.fragments).is_err()
            }) {
                s.link = None;
            }
            s
        })
        .collect();
    kept.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| a.link.is_none().cmp(&b.link.is_none()))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.link.cmp(&b.link))
    });
    kept.dedup_by(|later, first| later.is_span(&first.label, &first.fragments));
    kept
}

/// What annotating every hit of a search with a label would do ("Annotate all"): the hits to
/// label, and how many are left out and why, for the preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnotateAll {
    /// The label to give.
    pub label: String,
    /// The hits to label, sorted, disjoint within a document, their edge white space left out.
    pub hits: Vec<Hit>,
    /// Hits left out in documents that can be edited: covered already by a span of the label,
    /// only white space (or off the text), or overlapping a hit planned before them.
    pub covered: usize,
    /// Hits left out because their document cannot be edited (its text changed on disk) or is
    /// not in the project.
    pub read_only: usize,
}

impl AnnotateAll {
    /// How many hits each document gets: `(doc, count)`, sorted by doc.
    pub fn per_document(&self) -> Vec<(usize, usize)> {
        let mut counts: Vec<(usize, usize)> = Vec::new();
        for hit in &self.hits {
            match counts.last_mut() {
                Some((doc, count)) if *doc == hit.doc => *count += 1,
                _ => counts.push((hit.doc, 1)),
            }
        }
        counts
    }

    /// True when there is nothing to label.
    pub fn is_empty(&self) -> bool {
        self.hits.is_empty()
    }
}

/// What annotating every hit with `label` would do.
///
/// Left out, and counted in [`AnnotateAll::covered`]: a hit covered by a span of `label` (one
/// fragment of a span with that label contains the whole hit, its edge white space left out: a
/// span "le Kremlin" covers the hit "Kremlin"; a span that only overlaps the hit does not), a hit
/// that is only white space, and a hit that repeats or overlaps one kept before it (the first
/// in text order is kept). Counted in [`AnnotateAll::read_only`]: the hits in documents that
/// cannot be edited ([`crate::model::Document::is_editable`]) or do not exist. The hits kept
/// are trimmed of edge white space, as [`new_span`] trims a selection.
pub fn plan_annotate_all(project: &Project, label: &str, hits: &[Hit]) -> AnnotateAll {
    let mut sorted = hits.to_vec();
    sorted.sort_unstable();
    let mut plan = AnnotateAll {
        label: label.to_owned(),
        hits: Vec::with_capacity(sorted.len()),
        covered: 0,
        read_only: 0,
    };
    for hit in sorted {
        let Some(document) = project.document(hit.doc).filter(|d| d.is_editable()) else {
            plan.read_only += 1;
            continue;
        };
        let Some(range) = hit
            .range
            .check(&document.text)
            .ok()
            .and_then(|range| trim_range(&document.text, range))
        else {
            plan.covered += 1;
            continue;
        };
        let overlaps_planned = plan
            .hits
            .last()
            .is_some_and(|last| last.doc == hit.doc && last.range.overlaps(range));
        let labelled = || {
            document.annotations_in(range).any(|a| {
                a.label == label
                    && a.fragments
                        .iter()
                        .any(|f| f.start <= range.start && range.end <= f.end)
            })
        };
        if overlaps_planned || labelled() {
            plan.covered += 1;
        } else {
            plan.hits.push(Hit {
                doc: hit.doc,
                range,
            });
        }
    }
    plan
}

/// One edit (a Batch: one undo) adding a span per planned hit, made by the project's annotator
/// now (in a gold project, gold and theirs, as [`new_span`] makes it), each document still to
/// do marked in progress with it (as [`started`] does for one change). Ids from `next_id`, one
/// per hit in the plan's order.
///
/// The spans come first in the batch, then the status changes, so that the edit is told as "add
/// claim" for one hit. A plan made before the project changed may no longer apply: applying the
/// edit then fails as a whole and changes nothing.
pub fn annotate_all(
    project: &Project,
    plan: &AnnotateAll,
    mut next_id: impl FnMut() -> Id,
) -> Result<Edit, IntentError> {
    if plan.is_empty() {
        return Err(IntentError::NothingToLabel);
    }
    if project.schema.label(&plan.label).is_none() {
        return Err(IntentError::UnknownLabel(plan.label.clone()));
    }
    let created = Timestamp::now();
    let provenance = project.is_gold().then(|| Provenance {
        annotators: Vec::new(),
        adjudicator: Some(project.annotator.clone()),
        unresolved: false,
    });
    let mut to_start = std::collections::BTreeSet::new();
    let mut edits = Vec::with_capacity(plan.hits.len() + 1);
    for hit in &plan.hits {
        let document = project
            .document(hit.doc)
            .ok_or(IntentError::NoSuchDocument(hit.doc))?;
        if document.status == crate::model::Status::ToDo {
            to_start.insert(hit.doc);
        }
        edits.push(Edit::AddAnnotation {
            doc: hit.doc,
            annotation: Annotation {
                id: next_id(),
                label: plan.label.clone(),
                fragments: vec![hit.range],
                annotator: project.annotator.clone(),
                note: String::new(),
                created,
                attributes: BTreeMap::new(),
                provenance: provenance.clone(),
                suggested: None,
            },
        });
    }
    edits.extend(to_start.into_iter().map(|doc| Edit::SetStatus {
        doc,
        status: crate::model::Status::InProgress,
    }));
    Ok(Edit::Batch(edits))
}

/// Every other occurrence of the text of span `id` in document `doc` (scope: this document, or
/// all documents when `corpus`), as hits in text order.
///
/// The match is the span's text exactly: case and accents matter, and no white space is
/// skipped. Where the span starts a word (its first character is a word character and the one
/// before it in its document is not), an occurrence must start a word too; likewise at its end.
/// So a span "Kremlin" finds "Kremlin" and "Kremlin's" but not "Kremlinologue", and a span
/// "Krem" drawn inside "Kremlin" finds "Krem" inside words. The span's own range is left out;
/// occurrences already labelled are not (see [`plan_annotate_all`]). A span in several pieces
/// has no one text and is refused ([`IntentError::Discontinuous`]).
pub fn occurrences_of_span(
    project: &Project,
    doc: usize,
    id: Id,
    corpus: bool,
) -> Result<Vec<Hit>, IntentError> {
    use crate::search::is_word_char;
    let document = project
        .document(doc)
        .ok_or(IntentError::NoSuchDocument(doc))?;
    let annotation = document.annotation(id).ok_or(IntentError::NoSuchSpan(id))?;
    let [range] = annotation.fragments.as_slice() else {
        return Err(IntentError::Discontinuous);
    };
    let text = document
        .text
        .get(range.as_range())
        .filter(|t| !t.trim().is_empty())
        .ok_or(IntentError::OnlyWhiteSpace)?;
    let before = document
        .text
        .get(..range.start)
        .and_then(|s| s.chars().next_back());
    let after = document
        .text
        .get(range.end..)
        .and_then(|s| s.chars().next());
    let word_start =
        text.chars().next().is_some_and(is_word_char) && !before.is_some_and(is_word_char);
    let word_end =
        text.chars().next_back().is_some_and(is_word_char) && !after.is_some_and(is_word_char);
    let matcher = crate::search::Matcher::exact(text, word_start, word_end)
        .map_err(|_| IntentError::OnlyWhiteSpace)?;
    let texts: Vec<(usize, std::sync::Arc<str>)> = if corpus {
        project
            .documents
            .iter()
            .enumerate()
            .map(|(i, d)| (i, d.text.clone()))
            .collect()
    } else {
        vec![(doc, document.text.clone())]
    };
    let mut hits = Vec::new();
    let never = std::sync::atomic::AtomicBool::new(false);
    crate::search::search_documents(&texts, &matcher, &never, |found, _| hits.extend(found));
    hits.retain(|hit| !(hit.doc == doc && hit.range == *range));
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::tests::project;
    use crate::suggestion::Rule;

    fn phrase(p: &Project, text: &str) -> ByteRange {
        let start = p.documents[0].text.find(text).unwrap();
        ByteRange::new(start, start + text.len())
    }

    fn apply(p: &mut Project, edit: Edit) {
        edit.apply(p).unwrap();
    }

    #[test]
    fn the_first_change_to_a_document_to_do_starts_it_and_one_undo_reverts_both() {
        let mut p = project();
        let mut history = crate::edit::History::default();
        let span = new_span(&p, 0, phrase(&p, "Poutine"), "source", Id(1)).unwrap();
        let edit = started(&p, span);
        assert_eq!(edit.describe(), "add source");
        history.apply(&mut p, edit).unwrap();
        assert_eq!(p.documents[0].status, crate::model::Status::InProgress);
        // Once started, a change is only the change.
        let next = new_span(&p, 0, phrase(&p, "déclaré"), "claim", Id(2)).unwrap();
        assert!(matches!(started(&p, next), Edit::AddAnnotation { .. }));
        history.undo(&mut p).unwrap();
        assert_eq!(p.documents[0].status, crate::model::Status::ToDo);
        assert!(p.documents[0].annotations.is_empty());
        // A status change does not start anything itself.
        let done = Edit::SetStatus {
            doc: 0,
            status: crate::model::Status::Done,
        };
        assert_eq!(started(&p, done.clone()), done);
    }

    #[test]
    fn a_new_span_leaves_edge_white_space_out_and_is_gold_in_a_gold_project() {
        let mut p = project();
        let mut around = phrase(&p, " a déclaré ");
        let edit = new_span(&p, 0, around, "claim", Id(1)).unwrap();
        let Edit::AddAnnotation { annotation, .. } = &edit else {
            panic!("{edit:?}")
        };
        assert_eq!(annotation.fragments, vec![phrase(&p, "a déclaré")]);
        assert_eq!(annotation.annotator, "alice");
        assert!(annotation.provenance.is_none());
        apply(&mut p, edit);
        // Once a span carries provenance, the project is a gold project.
        p.documents[0].annotations[0].provenance = Some(Provenance::default());
        around = phrase(&p, "Poutine");
        let Edit::AddAnnotation { annotation, .. } =
            new_span(&p, 0, around, "source", Id(2)).unwrap()
        else {
            panic!()
        };
        let provenance = annotation.provenance.unwrap();
        assert_eq!(provenance.adjudicator.as_deref(), Some("alice"));
        assert!(!provenance.unresolved);
        assert_eq!(
            new_span(&p, 0, ByteRange::new(0, 0), "claim", Id(3)),
            Err(IntentError::OnlyWhiteSpace)
        );
    }

    #[test]
    fn a_link_goes_from_the_claim_to_the_source_whichever_is_picked_first() {
        let mut p = project();
        let claim = new_span(
            &p,
            0,
            phrase(&p, "« Vos soldats se sont battus »"),
            "claim",
            Id(1),
        );
        apply(&mut p, claim.unwrap());
        let source = new_span(&p, 0, phrase(&p, "Poutine"), "source", Id(2));
        apply(&mut p, source.unwrap());
        let Edit::AddRelation { relation, .. } = link(&p, 0, Id(2), Id(1), Id(3)).unwrap() else {
            panic!()
        };
        assert_eq!((relation.from, relation.to), (Id(1), Id(2)));
        assert_eq!(relation.kind, "attributed-to");
        let edit = link(&p, 0, Id(1), Id(2), Id(3)).unwrap();
        apply(&mut p, edit);
        assert_eq!(
            link(&p, 0, Id(2), Id(1), Id(4)),
            Err(IntentError::AlreadyLinked)
        );
        let other = new_span(&p, 0, phrase(&p, "déclaré"), "claim", Id(5));
        apply(&mut p, other.unwrap());
        assert_eq!(
            link(&p, 0, Id(1), Id(5), Id(6)),
            Err(IntentError::NoRelationType {
                first: "claim".into(),
                second: "claim".into()
            })
        );
    }

    #[test]
    fn fragments_that_overlap_merge_and_attributes_cycle_to_none() {
        let mut p = project();
        let span = new_span(&p, 0, phrase(&p, "« Vos soldats"), "claim", Id(1));
        apply(&mut p, span.unwrap());
        let overlapping = phrase(&p, "soldats se sont battus »");
        let edit = add_fragment(&p, 0, Id(1), overlapping).unwrap();
        let Edit::SetFragments { fragments, .. } = &edit else {
            panic!()
        };
        assert_eq!(
            fragments,
            &vec![phrase(&p, "« Vos soldats se sont battus »")]
        );
        let apart = add_fragment(&p, 0, Id(1), phrase(&p, "Poutine")).unwrap();
        let Edit::SetFragments { fragments, .. } = &apart else {
            panic!()
        };
        assert_eq!(fragments.len(), 2);
        // Every value of the schema in order, then none again.
        let values: Vec<String> = p
            .schema
            .attributes_of("claim")
            .find(|a| a.name == "stance")
            .unwrap()
            .values
            .clone();
        let mut seen = Vec::new();
        for _ in 0..=values.len() {
            let edit = cycle_attribute(&p, 0, Id(1), "stance").unwrap();
            let Edit::SetAttribute { value, .. } = &edit else {
                panic!()
            };
            seen.push(value.clone());
            apply(&mut p, edit);
        }
        let mut expected: Vec<Option<String>> = values.into_iter().map(Some).collect();
        expected.push(None);
        assert_eq!(seen, expected);
        assert!(matches!(
            cycle_attribute(&p, 0, Id(1), "colour"),
            Err(IntentError::NoSuchAttribute { .. })
        ));
    }

    fn rule(name: &str) -> Rule {
        Rule {
            suggester: crate::suggestion::Suggester::Patterns,
            rule: name.to_owned(),
        }
    }

    fn suggestion(p: &Project, label: &str, text: &str, rule_name: &str) -> Suggestion {
        Suggestion {
            label: label.to_owned(),
            fragments: vec![phrase(p, text)],
            rule: rule(rule_name),
            score: 0.9,
            link: None,
        }
    }

    /// A claim (the quote, linked to its source) and its source (Poutine), both pending.
    fn quote_and_source(p: &Project) -> Vec<Suggestion> {
        let mut claim = suggestion(p, "claim", "« Vos soldats se sont battus »", "quote « »");
        claim.link = Some(crate::suggestion::SuggestedLink {
            kind: "attributed-to".into(),
            label: "source".into(),
            fragments: vec![phrase(p, "Poutine")],
        });
        vec![
            claim,
            suggestion(p, "source", "Poutine", "dictionary: Poutine"),
        ]
    }

    fn ids(from: u64) -> impl FnMut() -> Id {
        let mut next = from;
        move || {
            next += 1;
            Id(next)
        }
    }

    #[test]
    fn i_offer_leaves_out_existing_spans_rejections_and_duplicates_in_one_undo() {
        let mut p = project();
        let span = new_span(&p, 0, phrase(&p, "Poutine"), "source", Id(1)).unwrap();
        let edit = span;
        apply(&mut p, edit);
        let rejection = Rejection::of(&suggestion(&p, "claim", "déclaré", "x"));
        p.documents[0].rejected.push(rejection);
        let mut weaker = suggestion(&p, "claim", "« Vos soldats", "weak");
        weaker.score = 0.2;
        let found = vec![vec![
            // Identical to the existing span: left out.
            suggestion(&p, "source", "Poutine", "dictionary: Poutine"),
            // The same text under another label is another span: offered.
            suggestion(&p, "claim", "Poutine", "regex"),
            // Rejected before (by another rule): left out.
            suggestion(&p, "claim", "déclaré", "another rule"),
            // Twice the same span: the higher score is kept.
            weaker,
            suggestion(&p, "claim", "« Vos soldats", "strong"),
            suggestion(&p, "boilerplate", "العربية e\u{301}", "arabic"),
        ]];
        let mut history = crate::edit::History::default();
        let edit = offer(&p, found);
        assert_eq!(edit.describe(), "offer suggestions");
        history.apply(&mut p, edit).unwrap();
        let pending: Vec<(&str, &str, &str)> = p.documents[0]
            .suggestions
            .iter()
            .map(|s| {
                (
                    s.label.as_str(),
                    s.fragments[0].slice(&p.documents[0].text),
                    s.rule.rule.as_str(),
                )
            })
            .collect();
        assert_eq!(
            pending,
            [
                ("claim", "« Vos soldats", "strong"),
                ("claim", "Poutine", "regex"),
                ("boilerplate", "العربية e\u{301}", "arabic"),
            ]
        );
        // Offering the same again changes nothing.
        let again = offer(&p, vec![p.documents[0].suggestions.clone()]);
        assert_eq!(again, Edit::Batch(Vec::new()));
        history.undo(&mut p).unwrap();
        assert!(p.documents[0].suggestions.is_empty());
        assert_eq!(p.documents[0].rejected.len(), 1);
    }

    #[test]
    fn i_accept_with_a_link_makes_both_spans_and_the_link_in_one_undo() {
        let mut p = project();
        let edit = offer(&p, vec![quote_and_source(&p)]);
        apply(&mut p, edit);
        let mut history = crate::edit::History::default();
        let edit = accept(&p, 0, 0, None, ids(10)).unwrap();
        // The claim, and the source its link brings.
        assert_eq!(edit.describe(), "accept 2 suggestions");
        history.apply(&mut p, edit).unwrap();
        let doc = &p.documents[0];
        assert!(doc.suggestions.is_empty(), "{:?}", doc.suggestions);
        assert_eq!(doc.status, Status::InProgress);
        let spans: Vec<(&str, &str, Option<&str>)> = doc
            .annotations
            .iter()
            .map(|a| {
                (
                    a.label.as_str(),
                    a.fragments[0].slice(&doc.text),
                    a.suggested.as_ref().map(|r| r.rule.as_str()),
                )
            })
            .collect();
        assert_eq!(
            spans,
            [
                ("claim", "« Vos soldats se sont battus »", Some("quote « »")),
                ("source", "Poutine", Some("dictionary: Poutine")),
            ]
        );
        let claim = doc.annotations[0].id;
        let source = doc.annotations[1].id;
        assert_eq!(doc.relations.len(), 1);
        assert_eq!(
            (doc.relations[0].from, doc.relations[0].to),
            (claim, source)
        );
        // A suggested span is no gold span.
        assert!(!p.is_gold());
        assert_eq!(
            history.undo_description().as_deref(),
            Some("accept 2 suggestions")
        );
        history.undo(&mut p).unwrap();
        let doc = &p.documents[0];
        assert!(doc.annotations.is_empty() && doc.relations.is_empty());
        assert_eq!(doc.suggestions.len(), 2);
        assert_eq!(doc.status, Status::ToDo);
        history.redo(&mut p).unwrap();
        assert_eq!(p.documents[0].annotations.len(), 2);
        assert_eq!(p.documents[0].relations.len(), 1);
    }

    #[test]
    fn i_accept_links_to_an_existing_span_and_the_label_key_relabels() {
        let mut p = project();
        let span = new_span(&p, 0, phrase(&p, "Poutine"), "source", Id(1)).unwrap();
        let edit = span;
        apply(&mut p, edit);
        let edit = offer(&p, vec![quote_and_source(&p)]);
        apply(&mut p, edit);
        // The source suggestion was the existing span: only the claim is pending.
        assert_eq!(p.documents[0].suggestions.len(), 1);
        let edit = accept(&p, 0, 0, None, ids(10)).unwrap();
        apply(&mut p, edit);
        let doc = &p.documents[0];
        assert_eq!(doc.annotations.len(), 2);
        assert_eq!(doc.relations[0].to, Id(1));
        // Relabelled on acceptance: the link the schema no longer allows is left out.
        let mut p = project();
        let edit = offer(&p, vec![quote_and_source(&p)]);
        apply(&mut p, edit);
        let edit = accept(&p, 0, 0, Some("boilerplate"), ids(10)).unwrap();
        apply(&mut p, edit);
        let doc = &p.documents[0];
        assert_eq!(doc.annotations.len(), 1);
        assert_eq!(doc.annotations[0].label, "boilerplate");
        assert_eq!(doc.suggestions.len(), 1);
        assert!(doc.relations.is_empty());
        assert_eq!(
            accept(&p, 0, 0, Some("person"), ids(20)),
            Err(IntentError::NoSuchLabel("person".into()))
        );
        assert_eq!(
            accept(&p, 0, 5, None, ids(20)),
            Err(IntentError::NoSuchSuggestion(5))
        );
    }

    #[test]
    fn i_a_rejected_suggestion_is_never_offered_again() {
        let mut p = project();
        let edit = offer(&p, vec![quote_and_source(&p)]);
        apply(&mut p, edit);
        let mut history = crate::edit::History::default();
        // Reject the source: the claim's link to it goes too.
        let edit = reject(&p, 0, 1).unwrap();
        assert_eq!(edit.describe(), "reject suggestion");
        history.apply(&mut p, edit).unwrap();
        let doc = &p.documents[0];
        assert_eq!(doc.suggestions.len(), 1);
        assert!(doc.suggestions[0].link.is_none());
        assert_eq!(doc.rejected.len(), 1);
        assert_eq!(doc.rejected[0].rule.rule, "dictionary: Poutine");
        // Offered again, by the same rule or another, it is left out.
        let mut other = suggestion(&p, "source", "Poutine", "recurring");
        other.rule.suggester = crate::suggestion::Suggester::Recurring;
        let edit = offer(&p, vec![[quote_and_source(&p), vec![other]].concat()]);
        apply(&mut p, edit);
        let doc = &p.documents[0];
        assert_eq!(doc.suggestions.len(), 1);
        assert_eq!(doc.suggestions[0].label, "claim");
        assert!(doc.suggestions[0].link.is_none());
        // Undo gives it back, pending.
        let mut p = project();
        let edit = offer(&p, vec![quote_and_source(&p)]);
        apply(&mut p, edit);
        let mut history = crate::edit::History::default();
        let edit = reject(&p, 0, 1).unwrap();
        history.apply(&mut p, edit).unwrap();
        history.undo(&mut p).unwrap();
        assert_eq!(p.documents[0].suggestions, quote_and_source(&p));
        assert!(p.documents[0].rejected.is_empty());
    }

    #[test]
    fn i_accept_all_from_a_rule_counts_first_and_brings_the_ends_of_links() {
        let mut p = project();
        let mut found = quote_and_source(&p);
        let mut second = suggestion(&p, "claim", "a déclaré", "quote « »");
        second.link = found[0].link.clone();
        found.push(second);
        found.push(suggestion(&p, "claim", "Vos soldats", "other"));
        let edit = offer(&p, vec![found]);
        apply(&mut p, edit);
        let quote = rule("quote « »");
        assert_eq!(count_rule(&p, &quote, None), 2);
        assert_eq!(count_rule(&p, &quote, Some(0)), 2);
        assert_eq!(count_rule(&p, &rule("nothing"), None), 0);
        let mut history = crate::edit::History::default();
        let (count, edit) = accept_rule(&p, &quote, None, ids(10)).unwrap();
        assert_eq!(count, 2);
        // Two claims and the source both link to: three spans.
        assert_eq!(edit.describe(), "accept 3 suggestions");
        history.apply(&mut p, edit).unwrap();
        let doc = &p.documents[0];
        assert_eq!(doc.annotations.len(), 3);
        assert_eq!(doc.relations.len(), 2);
        assert_eq!(doc.suggestions.len(), 1);
        assert_eq!(doc.status, Status::InProgress);
        history.undo(&mut p).unwrap();
        assert!(p.documents[0].annotations.is_empty());
        assert_eq!(p.documents[0].suggestions.len(), 4);
        assert!(matches!(
            accept_rule(&p, &rule("nothing"), None, ids(10)),
            Err(IntentError::NothingToAccept(_))
        ));
    }

    /// Three documents: two to annotate (accents, CRLF, emoji, a BOM, Arabic), one read-only.
    fn corpus() -> Project {
        use crate::model::{Document, TextState};
        let doc = |path: &str, text: &str| Document {
            path: path.into(),
            text: std::sync::Arc::from(text),
            ..Document::default()
        };
        let mut changed = doc("c.txt", "L'État 😀 et l'État encore.");
        changed.text_state = TextState::Changed {
            actual_hash: "0".into(),
        };
        Project::new(
            "alice".into(),
            "/c".into(),
            crate::schema::Schema::default(),
            vec![
                doc(
                    "a.txt",
                    "\u{feff}L'État 😀 a dit :\r\n« l'Etat paiera », selon l'e\u{301}tat العربية.",
                ),
                doc("b.txt", "Étatique ? Non : ÉTAT, État\r\n"),
                changed,
            ],
        )
    }

    fn search(p: &Project, text: &str) -> Vec<Hit> {
        use crate::search::{Matcher, Mode, Query};
        let matcher = Matcher::new(&Query {
            text: text.into(),
            mode: Mode::WholeWord,
            ..Query::default()
        })
        .unwrap();
        p.documents
            .iter()
            .enumerate()
            .flat_map(|(doc, d)| {
                matcher
                    .find(&d.text)
                    .into_iter()
                    .map(move |range| Hit { doc, range })
            })
            .collect()
    }

    fn ids_from(first: u64) -> impl FnMut() -> Id {
        let mut next = first;
        move || {
            next += 1;
            Id(next - 1)
        }
    }

    #[test]
    fn i_annotate_all_labels_every_hit_in_one_edit_and_one_undo_removes_exactly_them() {
        let mut p = corpus();
        // A span of another label where a hit is: it stays, and the hit is labelled anyway.
        let start = p.documents[1].text.find("ÉTAT").unwrap();
        let claim = new_span(&p, 1, ByteRange::new(start, start + 12), "claim", Id(1)).unwrap();
        assert_eq!(claim_text(&p, &claim), "ÉTAT, État");
        // Drawn as the app draws it: document 1 is in progress already.
        let claim = started(&p, claim);
        apply(&mut p, claim);
        let before: Vec<_> = p.documents.iter().map(|d| d.annotations.clone()).collect();
        let hits = search(&p, "etat");
        assert_eq!(hits.len(), 7);
        let plan = plan_annotate_all(&p, "source", &hits);
        assert_eq!(plan.per_document(), vec![(0, 3), (1, 2)]);
        assert_eq!((plan.covered, plan.read_only), (0, 2));
        let texts: Vec<&str> = plan
            .hits
            .iter()
            .map(|h| h.range.slice(&p.documents[h.doc].text))
            .collect();
        assert_eq!(texts, vec!["État", "Etat", "e\u{301}tat", "ÉTAT", "État"]);
        let edit = annotate_all(&p, &plan, ids_from(100)).unwrap();
        let Edit::Batch(edits) = &edit else {
            panic!("{edit:?}")
        };
        // Five spans and one status change: document 0's.
        assert_eq!(edits.len(), 6);
        assert_eq!(
            edits[5],
            Edit::SetStatus {
                doc: 0,
                status: crate::model::Status::InProgress
            }
        );
        let inverse = edit.apply(&mut p).unwrap();
        let sources: Vec<(usize, ByteRange, Id)> = p
            .documents
            .iter()
            .enumerate()
            .flat_map(|(doc, d)| {
                d.annotations
                    .iter()
                    .filter(|a| a.label == "source")
                    .map(move |a| (doc, a.fragments[0], a.id))
            })
            .collect();
        let expected: Vec<(usize, ByteRange, Id)> = plan
            .hits
            .iter()
            .zip(100..)
            .map(|(h, id)| (h.doc, h.range, Id(id)))
            .collect();
        assert_eq!(sources, expected);
        assert!(
            p.documents[0]
                .annotations
                .iter()
                .all(|a| a.annotator == "alice")
        );
        // Both documents to do are in progress; the one already started stays so.
        assert_eq!(p.documents[0].status, crate::model::Status::InProgress);
        assert_eq!(p.documents[1].status, crate::model::Status::InProgress);
        assert_eq!(p.documents[2].status, crate::model::Status::ToDo);
        // One undo: the spans added go, nothing else does, and the statuses come back.
        inverse.apply(&mut p).unwrap();
        let after: Vec<_> = p.documents.iter().map(|d| d.annotations.clone()).collect();
        assert_eq!(after, before);
        assert_eq!(p.documents[0].status, crate::model::Status::ToDo);
        assert_eq!(p.documents[1].status, crate::model::Status::InProgress);
        // A single hit is told as the span it adds.
        let one = AnnotateAll {
            hits: plan.hits[..1].to_vec(),
            ..plan.clone()
        };
        assert_eq!(
            annotate_all(&p, &one, ids_from(200)).unwrap().describe(),
            "add source"
        );
    }

    #[test]
    fn i_hits_covered_by_a_span_of_the_label_are_left_out() {
        let mut p = corpus();
        let text = p.documents[0].text.clone();
        let find = |needle: &str| {
            let start = text.find(needle).unwrap();
            ByteRange::new(start, start + needle.len())
        };
        // "L'État" covers the hit "État"; a span over "Etat paiera" covers "Etat"; "e\u{301}" only
        // overlaps "e\u{301}tat", which is labelled.
        for (i, phrase) in ["L'État", "Etat paiera", "l'e\u{301}"]
            .into_iter()
            .enumerate()
        {
            let span = new_span(&p, 0, find(phrase), "source", Id(i as u64 + 1)).unwrap();
            apply(&mut p, span);
        }
        // A span of another label covering a hit does not count.
        let all = ByteRange::new(0, p.documents[1].text.len());
        let claim = new_span(&p, 1, all, "claim", Id(9)).unwrap();
        apply(&mut p, claim);
        let mut hits = search(&p, "etat");
        // A hit twice, and one with white space around it, trimmed.
        hits.push(hits[0]);
        let ws = find(" l'e\u{301}tat ");
        hits.push(Hit {
            doc: 0,
            range: ByteRange::new(ws.start + 3, ws.end),
        });
        hits.push(Hit {
            doc: 1,
            range: ByteRange::new(30, 32),
        });
        let plan = plan_annotate_all(&p, "source", &hits);
        let texts: Vec<&str> = plan
            .hits
            .iter()
            .map(|h| h.range.slice(&p.documents[h.doc].text))
            .collect();
        assert_eq!(texts, vec!["e\u{301}tat", "ÉTAT", "État"]);
        // Covered: "État", "Etat", the repeated hit, the trimmed repeat of "e\u{301}tat", the
        // white space; the read-only document's two.
        assert_eq!((plan.covered, plan.read_only), (5, 2));
        assert_eq!(plan.hits.len(), 3);
        // Nothing left to label is said so.
        let none = plan_annotate_all(&p, "source", &[]);
        assert!(none.is_empty());
        assert_eq!(
            annotate_all(&p, &none, ids_from(100)),
            Err(IntentError::NothingToLabel)
        );
        assert_eq!(
            annotate_all(
                &p,
                &AnnotateAll {
                    label: "colour".into(),
                    ..plan
                },
                ids_from(100)
            ),
            Err(IntentError::UnknownLabel("colour".into()))
        );
    }

    #[test]
    fn i_read_only_documents_are_left_out_and_gold_projects_get_gold_spans() {
        let mut p = corpus();
        let hits = search(&p, "etat");
        let plan = plan_annotate_all(&p, "source", &hits);
        assert!(plan.hits.iter().all(|h| h.doc != 2));
        assert_eq!(plan.read_only, 2);
        // Hits of a document that is not there are counted as read-only too.
        let ghost = plan_annotate_all(
            &p,
            "source",
            &[Hit {
                doc: 7,
                range: ByteRange::new(0, 1),
            }],
        );
        assert_eq!((ghost.hits.len(), ghost.read_only), (0, 1));
        // In a gold project the spans are gold, the adjudicator's.
        let gold = Annotation {
            provenance: Some(Provenance::default()),
            ..new_annotation(&p)
        };
        p.documents[1].annotations.push(gold);
        let Edit::Batch(edits) = annotate_all(&p, &plan, ids_from(100)).unwrap() else {
            panic!()
        };
        let Edit::AddAnnotation { annotation, .. } = &edits[0] else {
            panic!()
        };
        let provenance = annotation.provenance.as_ref().unwrap();
        assert_eq!(provenance.adjudicator.as_deref(), Some("alice"));
    }

    fn claim_text(p: &Project, edit: &Edit) -> String {
        let Edit::AddAnnotation { doc, annotation } = edit else {
            panic!("{edit:?}")
        };
        annotation.text(&p.documents[*doc].text)
    }

    fn new_annotation(p: &Project) -> Annotation {
        let Edit::AddAnnotation { annotation, .. } =
            new_span(p, 1, ByteRange::new(0, 3), "claim", Id(50)).unwrap()
        else {
            panic!()
        };
        annotation
    }

    #[test]
    fn i_occurrences_of_a_span_are_its_exact_text_on_whole_words_where_it_is_one() {
        let mut p = corpus();
        // "État" in "L'État" of document 1: a whole word, case and accents matter.
        let start = p.documents[1].text.rfind("État").unwrap();
        let range = ByteRange::new(start, start + "État".len());
        let span = new_span(&p, 1, range, "source", Id(1)).unwrap();
        apply(&mut p, span);
        let here = occurrences_of_span(&p, 1, Id(1), false).unwrap();
        // Not "Étatique" (not a whole word), not "ÉTAT" (case), not itself.
        assert!(here.is_empty(), "{here:?}");
        let everywhere = occurrences_of_span(&p, 1, Id(1), true).unwrap();
        let found: Vec<(usize, &str)> = everywhere
            .iter()
            .map(|h| (h.doc, h.range.slice(&p.documents[h.doc].text)))
            .collect();
        assert_eq!(found, vec![(0, "État"), (2, "État"), (2, "État")]);
        // A span drawn inside a word finds the text inside words.
        let inside = new_span(&p, 1, ByteRange::new(0, 5), "claim", Id(2)).unwrap();
        assert_eq!(claim_text(&p, &inside), "État");
        apply(&mut p, inside);
        let inside = occurrences_of_span(&p, 1, Id(2), true).unwrap();
        assert_eq!(inside.len(), 4, "{inside:?}");
        // Then the plan leaves the read-only ones out.
        let plan = plan_annotate_all(&p, "source", &everywhere);
        assert_eq!((plan.hits.len(), plan.read_only), (1, 2));
        assert_eq!(
            occurrences_of_span(&p, 1, Id(9), false),
            Err(IntentError::NoSuchSpan(Id(9)))
        );
        let apart = add_fragment(&p, 1, Id(1), ByteRange::new(0, 3)).unwrap();
        apply(&mut p, apart);
        assert_eq!(
            occurrences_of_span(&p, 1, Id(1), false),
            Err(IntentError::Discontinuous)
        );
    }
}
