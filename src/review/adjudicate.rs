//! Gold projects: several annotators' projects merged under a [`Policy`], and the adjudicator's
//! rulings on what the policy left unresolved.
//!
//! A gold project is an ordinary project whose spans carry a [`Provenance`]: the annotators who
//! had the span (same label, same fragments), who ruled on it, and whether it is still
//! *unresolved*, a candidate the annotators disagree on. [`merge`] builds one; [`groups`] finds
//! the places still in dispute (overlapping unresolved candidates); [`rule`] turns a ruling into
//! an [`Edit`], so that rulings are undone and redone like any change.
//!
//! # Policies
//!
//! Two spans of different annotators *conflict* when the span [`super::diff`] of the two pairs
//! them as a label or boundary disagreement. A span only one annotator has conflicts with nothing.
//!
//! - [`Policy::Intersection`]: a span every annotator of the document has is accepted; every
//!   other span is an unresolved candidate. Nothing enters the gold project unreviewed unless all
//!   agree. This is what Review → Adjudicate starts from.
//! - [`Policy::Union`]: every span is kept; the spans in conflict are unresolved candidates, the
//!   others (agreed, or added by one annotator where the others have nothing) are accepted.
//! - [`Policy::Majority`] (three annotators or more): a span more than half the annotators have
//!   is accepted; a span in conflict with an accepted span is outvoted and dropped; a span that
//!   exactly half have, or in conflict with other candidates, is unresolved; a span fewer than half
//!   have and in conflict with nothing is dropped (the majority saw nothing there).
//!
//! A link is kept when both its ends are in the gold project and it passes the policy like a
//! span (union: anyone's; intersection: everyone's; majority: more than half), or when one of its
//! ends is still unresolved (the ruling on the span decides the link: deleting a span deletes its
//! links).

use std::collections::{BTreeMap, BTreeSet};

use super::{Span, align, annotator_names, diff, spans_of};
use crate::anchor::{Anchor, DetachedSpan};
use crate::edit::Edit;
use crate::model::{Annotation, Document, Id, Project, Provenance, Relation, Status, TextState};
use crate::schema::Schema;

/// What a merge accepts without a ruling (see the module documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Policy {
    /// Spans every annotator has.
    #[default]
    Intersection,
    /// Every span not in conflict.
    Union,
    /// Spans more than half the annotators have.
    Majority,
}

impl Policy {
    /// All policies.
    pub const ALL: [Self; 3] = [Self::Intersection, Self::Union, Self::Majority];

    /// The name on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Intersection => "intersection",
            Self::Union => "union",
            Self::Majority => "majority",
        }
    }

    /// One sentence for menus and tooltips.
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Intersection => {
                "Accept the spans every annotator has; everything else waits for a ruling"
            }
            Self::Union => {
                "Accept every span nobody contradicts; label and boundary disagreements wait for a \
                 ruling"
            }
            Self::Majority => {
                "Accept the spans more than half the annotators have, drop what they outvote; ties \
                 and disputes wait for a ruling"
            }
        }
    }
}

/// Why projects cannot be merged.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MergeError {
    /// Fewer than two projects.
    #[error("merging needs at least two projects")]
    TooFew,
    /// Majority with two projects.
    #[error(
        "the majority policy needs at least three projects (got {0}); with two, use union or \
         intersection"
    )]
    MajorityNeedsThree(usize),
    /// No document in common.
    #[error("the projects have no document in common (documents are matched by content)")]
    NothingShared,
}

/// What a merge did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeSummary {
    /// The annotators, one a project (made unique with " (2)"… when names repeat).
    pub annotators: Vec<String>,
    /// Documents in the gold project.
    pub documents: usize,
    /// Spans accepted by the policy.
    pub accepted: usize,
    /// Candidate spans left unresolved.
    pub unresolved: usize,
    /// Places in dispute: groups of overlapping unresolved candidates (see [`groups`]).
    pub disputes: usize,
    /// Spans dropped by the majority policy.
    pub dropped: usize,
    /// Spans set aside (detached: not placed on the current text) in the gold project, one for
    /// each distinct span that some annotator's project had set aside.
    pub detached: usize,
    /// Links in the gold project.
    pub links: usize,
    /// Documents only some projects have (their path).
    pub partial: Vec<String>,
    /// Paths whose text differs between projects.
    pub mismatches: Vec<String>,
}

/// The schemas of `projects` together: the first, then labels, link types and attributes only
/// the others define (a label whose key is taken comes without a key).
fn merged_schema(projects: &[&Project]) -> Schema {
    let mut schema = projects
        .first()
        .map(|p| p.schema.clone())
        .unwrap_or_default();
    for project in projects.iter().skip(1) {
        for label in &project.schema.labels {
            if schema.label(&label.name).is_none() {
                let mut label = label.clone();
                let index = schema.labels.len();
                if schema.check_label(index, &label).is_err() {
                    label.key = String::new();
                }
                if schema.check_label(index, &label).is_ok() {
                    schema.labels.push(label);
                }
            }
        }
        for relation in &project.schema.relations {
            if schema.relation(&relation.name).is_none() {
                schema.relations.push(relation.clone());
            }
        }
        for attribute in &project.schema.attributes {
            if !schema
                .attributes
                .iter()
                .any(|a| a.label == attribute.label && a.name == attribute.name)
            {
                schema.attributes.push(attribute.clone());
            }
        }
    }
    schema
}

/// One distinct span of a document over all annotators.
struct Candidate<'a> {
    /// Projects (indices) that have it.
    holders: BTreeSet<usize>,
    /// The first annotation found with it: attributes, note and date come from there.
    source: &'a Annotation,
    /// What a project whose text is missing recorded of it, to re-anchor it (see
    /// [`TextState::Missing`]).
    recorded: Option<&'a Anchor>,
    /// Spans of other annotators it conflicts with.
    conflicts: BTreeSet<Span>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accepted,
    Unresolved,
    Dropped,
}

fn verdict(
    policy: Policy,
    voters: usize,
    span: &Span,
    candidates: &BTreeMap<Span, Candidate<'_>>,
) -> Verdict {
    let Some(candidate) = candidates.get(span) else {
        return Verdict::Dropped;
    };
    let held = candidate.holders.len();
    match policy {
        Policy::Intersection if held == voters => Verdict::Accepted,
        Policy::Union if candidate.conflicts.is_empty() => Verdict::Accepted,
        Policy::Intersection | Policy::Union => Verdict::Unresolved,
        Policy::Majority => {
            let majority = |held: usize| 2 * held > voters;
            if majority(held) {
                Verdict::Accepted
            } else if candidate.conflicts.iter().any(|other| {
                candidates
                    .get(other)
                    .is_some_and(|c| majority(c.holders.len()))
            }) {
                Verdict::Dropped
            } else if 2 * held == voters || !candidate.conflicts.is_empty() {
                Verdict::Unresolved
            } else {
                Verdict::Dropped
            }
        }
    }
}

/// The metadata key under which a gold document keeps what each annotator gave a document
/// attribute they disagree on (`"disputed:genre"`): the adjudicator sees it above the text and
/// sets the value.
pub const DISPUTED_PREFIX: &str = "disputed:";

/// The document attributes of a gold document: a value every annotator who has the document
/// gave is taken; where they differ (or some gave none), the attribute is left unset and the
/// values are kept in the metadata as `disputed:NAME` (annotator → value, `null` for none).
fn document_attributes(gold: &mut Document, present: &[(usize, &Document)], names: &[String]) {
    let attributes: BTreeSet<&String> = present
        .iter()
        .flat_map(|(_, d)| d.attributes.keys())
        .collect();
    for name in attributes {
        let values: Vec<(usize, Option<&String>)> = present
            .iter()
            .map(|(p, d)| (*p, d.attributes.get(name)))
            .collect();
        let first = values.first().and_then(|(_, v)| *v);
        if let Some(value) = first
            && values.iter().all(|(_, v)| *v == Some(value))
        {
            gold.attributes.insert(name.clone(), value.clone());
            continue;
        }
        let votes: serde_json::Map<String, serde_json::Value> = values
            .iter()
            .map(|(p, v)| {
                (
                    names.get(*p).cloned().unwrap_or_default(),
                    v.map_or(serde_json::Value::Null, |v| {
                        serde_json::Value::String(v.clone())
                    }),
                )
            })
            .collect();
        gold.metadata.insert(
            format!("{DISPUTED_PREFIX}{name}"),
            serde_json::Value::Object(votes),
        );
    }
}

/// Merges `projects` (matched by document content) into a gold project owned by `adjudicator`.
pub fn merge(
    projects: &[&Project],
    policy: Policy,
    adjudicator: &str,
) -> Result<(Project, MergeSummary), MergeError> {
    if projects.len() < 2 {
        return Err(MergeError::TooFew);
    }
    if policy == Policy::Majority && projects.len() < 3 {
        return Err(MergeError::MajorityNeedsThree(projects.len()));
    }
    let names = annotator_names(projects);
    let alignment = align(projects);
    if !alignment
        .documents
        .iter()
        .any(|d| d.documents.iter().filter(|x| x.is_some()).count() >= 2)
    {
        return Err(MergeError::NothingShared);
    }
    let mut summary = MergeSummary {
        annotators: names.clone(),
        partial: alignment.partial().map(|d| d.path.clone()).collect(),
        mismatches: alignment
            .mismatches
            .iter()
            .map(|m| m.path.clone())
            .collect(),
        ..MergeSummary::default()
    };
    let mut next_id = 1u64;
    let mut documents = Vec::with_capacity(alignment.documents.len());
    for aligned in &alignment.documents {
        let present: Vec<(usize, &Document)> = aligned
            .documents
            .iter()
            .enumerate()
            .filter_map(|(p, d)| d.map(|d| (p, d)))
            .collect();
        let Some(&(_, base)) = present
            .iter()
            .find(|(_, d)| d.is_editable())
            .or_else(|| present.first())
        else {
            continue;
        };
        let voters = present.len();
        // Distinct spans and who has them.
        let mut candidates: BTreeMap<Span, Candidate<'_>> = BTreeMap::new();
        for &(p, document) in &present {
            let recorded = match &document.text_state {
                TextState::Missing { recorded, .. } => Some(recorded),
                _ => None,
            };
            for annotation in &document.annotations {
                let candidate =
                    candidates
                        .entry(Span::from(annotation))
                        .or_insert_with(|| Candidate {
                            holders: BTreeSet::new(),
                            source: annotation,
                            recorded: None,
                            conflicts: BTreeSet::new(),
                        });
                candidate.holders.insert(p);
                if candidate.recorded.is_none() {
                    candidate.recorded = recorded.and_then(|r| r.get(&annotation.id));
                }
            }
        }
        // Conflicts, from the pairwise diffs.
        for (i, &(_, doc_a)) in present.iter().enumerate() {
            for &(_, doc_b) in present.iter().skip(i + 1) {
                let (spans_a, spans_b) = (spans_of(doc_a), spans_of(doc_b));
                for entry in diff(&spans_a, &spans_b).entries {
                    use super::DiffKind as K;
                    if !matches!(
                        entry.kind,
                        K::LabelDisagreement
                            | K::BoundaryDisagreement
                            | K::LabelAndBoundaryDisagreement
                    ) {
                        continue;
                    }
                    let (Some(a), Some(b)) = (
                        entry.a.and_then(|x| spans_a.get(x)),
                        entry.b.and_then(|x| spans_b.get(x)),
                    ) else {
                        continue;
                    };
                    if let Some(c) = candidates.get_mut(a) {
                        c.conflicts.insert(b.clone());
                    }
                    if let Some(c) = candidates.get_mut(b) {
                        c.conflicts.insert(a.clone());
                    }
                }
            }
        }
        let verdicts: BTreeMap<&Span, Verdict> = candidates
            .keys()
            .map(|span| (span, verdict(policy, voters, span, &candidates)))
            .collect();
        let mut gold = Document {
            path: base.path.clone(),
            hash: base.hash.clone(),
            text: base.text.clone(),
            decoded_from: base.decoded_from,
            text_state: match &base.text_state {
                // Filled below, under the gold project's ids.
                TextState::Missing { reason, .. } => TextState::Missing {
                    reason: reason.clone(),
                    recorded: BTreeMap::new(),
                },
                other => other.clone(),
            },
            status: Status::ToDo,
            metadata: base.metadata.clone(),
            attributes: BTreeMap::new(),
            annotations: Vec::new(),
            relations: Vec::new(),
            detached: Vec::new(),
            suggestions: Vec::new(),
            rejected: Vec::new(),
            span_index: crate::model::SpanIndex::default(),
        };
        document_attributes(&mut gold, &present, &names);
        let mut ids: BTreeMap<&Span, Id> = BTreeMap::new();
        for (span, candidate) in &candidates {
            let verdict = verdicts.get(span).copied().unwrap_or(Verdict::Dropped);
            if verdict == Verdict::Dropped {
                summary.dropped += 1;
                continue;
            }
            let id = Id(next_id);
            next_id += 1;
            ids.insert(span, id);
            let unresolved = verdict == Verdict::Unresolved;
            if unresolved {
                summary.unresolved += 1;
            } else {
                summary.accepted += 1;
            }
            let mut annotators: Vec<String> = candidate
                .holders
                .iter()
                .filter_map(|&p| names.get(p).cloned())
                .collect();
            annotators.sort();
            if let (TextState::Missing { recorded, .. }, Some(anchor)) =
                (&mut gold.text_state, candidate.recorded)
            {
                recorded.insert(id, anchor.clone());
            }
            gold.annotations.push(Annotation {
                id,
                provenance: Some(Provenance {
                    annotators,
                    adjudicator: None,
                    unresolved,
                }),
                ..candidate.source.clone()
            });
        }
        gold.annotations.sort_by_key(Annotation::sort_key);
        // Links.
        let mut links: BTreeMap<(String, &Span, &Span), (BTreeSet<usize>, &Relation)> =
            BTreeMap::new();
        let spans_by_id: Vec<BTreeMap<Id, Span>> = present
            .iter()
            .map(|(_, d)| {
                d.annotations
                    .iter()
                    .map(|a| (a.id, Span::from(a)))
                    .collect()
            })
            .collect();
        for ((p, document), by_id) in present.iter().zip(&spans_by_id) {
            for relation in &document.relations {
                let (Some(from), Some(to)) = (by_id.get(&relation.from), by_id.get(&relation.to))
                else {
                    continue;
                };
                let (Some((from, _)), Some((to, _))) =
                    (ids.get_key_value(from), ids.get_key_value(to))
                else {
                    continue;
                };
                links
                    .entry((relation.kind.clone(), *from, *to))
                    .or_insert_with(|| (BTreeSet::new(), relation))
                    .0
                    .insert(*p);
            }
        }
        for ((_, from, to), (holders, relation)) in links {
            let open = [from, to]
                .iter()
                .any(|s| verdicts.get(*s) == Some(&Verdict::Unresolved));
            let passes = match policy {
                Policy::Union => true,
                Policy::Intersection => holders.len() == voters,
                Policy::Majority => 2 * holders.len() > voters,
            };
            let (Some(&from), Some(&to)) = (ids.get(from), ids.get(to)) else {
                continue;
            };
            if passes || open {
                gold.relations.push(Relation {
                    id: Id(next_id),
                    from,
                    to,
                    ..relation.clone()
                });
                next_id += 1;
            }
        }
        gold.detached = set_aside(&present, &names, &spans_by_id, &ids, &mut next_id);
        summary.detached += gold.detached.len();
        summary.links += gold.relations.len()
            + gold
                .detached
                .iter()
                .map(|d| d.relations.len())
                .sum::<usize>();
        summary.disputes += groups(&gold).len();
        documents.push(gold);
    }
    summary.documents = documents.len();
    let corpus_root = projects
        .first()
        .map(|p| p.corpus_root.clone())
        .unwrap_or_default();
    let project = Project::new(
        adjudicator.to_owned(),
        corpus_root,
        merged_schema(projects),
        documents,
    );
    Ok((project, summary))
}

/// The spans that the projects of `present` set aside (detached: not placed on their current
/// text), for the gold project: one for each distinct span (label, old fragments and their
/// texts), with the annotators who had it, unresolved (nobody has ruled on it), under a new id.
/// The links that touched them are kept with them when their other end is in the gold project
/// (`placed` maps each project's span ids to spans, `ids` those spans to gold ids).
fn set_aside(
    present: &[(usize, &Document)],
    names: &[String],
    placed: &[BTreeMap<Id, Span>],
    ids: &BTreeMap<&Span, Id>,
    next_id: &mut u64,
) -> Vec<DetachedSpan> {
    // A span set aside: its label and old fragments, and the texts they covered.
    type Key<'a> = (Span, &'a [String]);
    let mut distinct: BTreeMap<Key<'_>, (BTreeSet<usize>, &DetachedSpan)> = BTreeMap::new();
    for &(p, document) in present {
        for span in &document.detached {
            distinct
                .entry((Span::from(&span.annotation), span.texts.as_slice()))
                .or_insert_with(|| (BTreeSet::new(), span))
                .0
                .insert(p);
        }
    }
    let mut gold: Vec<DetachedSpan> = Vec::with_capacity(distinct.len());
    // The gold id of each (project, id) of a span set aside.
    let mut gold_ids: BTreeMap<(usize, Id), Id> = BTreeMap::new();
    let key_of: BTreeMap<(usize, Id), Key<'_>> = present
        .iter()
        .flat_map(|&(p, document)| {
            document.detached.iter().map(move |d| {
                (
                    (p, d.annotation.id),
                    (Span::from(&d.annotation), d.texts.as_slice()),
                )
            })
        })
        .collect();
    let mut by_key: BTreeMap<Key<'_>, Id> = BTreeMap::new();
    for (key, (holders, span)) in &distinct {
        let id = Id(*next_id);
        *next_id += 1;
        by_key.insert(key.clone(), id);
        let mut annotators: Vec<String> = holders
            .iter()
            .filter_map(|&p| names.get(p).cloned())
            .collect();
        annotators.sort();
        gold.push(DetachedSpan {
            annotation: Annotation {
                id,
                provenance: Some(Provenance {
                    annotators,
                    adjudicator: None,
                    unresolved: true,
                }),
                ..span.annotation.clone()
            },
            relations: Vec::new(),
            ..(*span).clone()
        });
    }
    for (&(p, old), key) in &key_of {
        if let Some(&id) = by_key.get(key) {
            gold_ids.insert((p, old), id);
        }
    }
    // Links: each one once (same type and ends), kept with its end set aside (the start when
    // both are, as the loader does).
    let mut links: BTreeMap<(Id, String, Id, Id), &Relation> = BTreeMap::new();
    for (i, &(p, document)) in present.iter().enumerate() {
        let gold_id = |id: Id| {
            gold_ids.get(&(p, id)).copied().or_else(|| {
                placed
                    .get(i)
                    .and_then(|by_id| by_id.get(&id))
                    .and_then(|span| ids.get(span).copied())
            })
        };
        for relation in document.detached.iter().flat_map(|d| &d.relations) {
            let (Some(from), Some(to)) = (gold_id(relation.from), gold_id(relation.to)) else {
                continue;
            };
            let aside = if gold_ids.contains_key(&(p, relation.from)) {
                from
            } else {
                to
            };
            links
                .entry((aside, relation.kind.clone(), from, to))
                .or_insert(relation);
        }
    }
    for ((aside, _, from, to), relation) in links {
        if let Ok(i) = gold.binary_search_by_key(&aside, |d| d.annotation.id)
            && let Some(span) = gold.get_mut(i)
        {
            span.relations.push(Relation {
                id: Id(*next_id),
                from,
                to,
                ..relation.clone()
            });
            *next_id += 1;
        }
    }
    gold
}

/// True when the annotation is an unresolved candidate.
pub fn is_unresolved(annotation: &Annotation) -> bool {
    annotation.provenance.as_ref().is_some_and(|p| p.unresolved)
}

/// The places of a document still in dispute: groups of unresolved candidates whose extents
/// overlap (transitively), each in text order, the groups in text order.
pub fn groups(document: &Document) -> Vec<Vec<Id>> {
    let mut found: Vec<Vec<Id>> = Vec::new();
    let mut reach = 0usize;
    for annotation in document.annotations.iter().filter(|a| is_unresolved(a)) {
        let extent = annotation.extent();
        match found.last_mut() {
            Some(group) if extent.start < reach => {
                group.push(annotation.id);
                reach = reach.max(extent.end);
            }
            _ => {
                found.push(vec![annotation.id]);
                reach = extent.end;
            }
        }
    }
    found
}

/// Places in dispute over the whole project.
pub fn dispute_count(project: &Project) -> usize {
    project.documents.iter().map(|d| groups(d).len()).sum()
}

/// The adjudicator's decision on one place in dispute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ruling {
    /// Keep the version of this annotator (the candidates they had); drop the rest. When the
    /// annotator had nothing here, nothing is kept.
    Side(String),
    /// Keep every candidate.
    All,
    /// Keep none.
    Neither,
    /// Keep exactly these candidates.
    Keep(Vec<Id>),
}

/// The edit that carries out `ruling` on the candidates `group` of document `doc`: kept
/// candidates become gold (ruled by `adjudicator`), the others are deleted with their links.
/// `None` when the group holds no candidate of that document.
pub fn rule(
    project: &Project,
    doc: usize,
    group: &[Id],
    ruling: &Ruling,
    adjudicator: &str,
) -> Option<Edit> {
    let document = project.document(doc)?;
    let candidates: Vec<&Annotation> = group
        .iter()
        .filter_map(|&id| document.annotation(id))
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let keep = |a: &Annotation| match ruling {
        Ruling::Side(name) => a
            .provenance
            .as_ref()
            .is_some_and(|p| p.annotators.contains(name)),
        Ruling::All => true,
        Ruling::Neither => false,
        Ruling::Keep(ids) => ids.contains(&a.id),
    };
    let edits = candidates
        .into_iter()
        .map(|a| {
            if keep(a) {
                Edit::SetProvenance {
                    doc,
                    id: a.id,
                    provenance: Some(Provenance {
                        annotators: a
                            .provenance
                            .as_ref()
                            .map(|p| p.annotators.clone())
                            .unwrap_or_default(),
                        adjudicator: Some(adjudicator.to_owned()),
                        unresolved: false,
                    }),
                }
            } else {
                Edit::RemoveAnnotation { doc, id: a.id }
            }
        })
        .collect();
    Some(Edit::Batch(edits))
}

// Walking through the places in dispute of a gold project.

/// A place in dispute: overlapping unresolved candidates of one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// Document index.
    pub doc: usize,
    /// The candidates, in text order.
    pub ids: Vec<Id>,
}

/// Every place in dispute, in corpus order.
pub fn places(project: &Project) -> Vec<Place> {
    project
        .documents
        .iter()
        .enumerate()
        .flat_map(|(doc, d)| groups(d).into_iter().map(move |ids| Place { doc, ids }))
        .collect()
}

/// The next (or previous) place after `current`, wrapping around; the first one in or after
/// document `doc` when there is no current place.
pub fn step(
    project: &Project,
    current: Option<&Place>,
    doc: usize,
    forward: bool,
) -> Option<Place> {
    let all = places(project);
    if all.is_empty() {
        return None;
    }
    let at = current.and_then(|c| position(&all, c));
    let index = match (at, forward) {
        (Some(i), true) => (i + 1) % all.len(),
        (Some(i), false) => (i + all.len() - 1) % all.len(),
        (None, true) => all.iter().position(|p| p.doc >= doc).unwrap_or(0),
        (None, false) => all
            .iter()
            .rposition(|p| p.doc <= doc)
            .unwrap_or(all.len() - 1),
    };
    all.get(index).cloned()
}

/// Where `place` is among `all` (matched by document and first candidate), for "place k of N".
pub fn position(all: &[Place], place: &Place) -> Option<usize> {
    all.iter()
        .position(|p| p.doc == place.doc && p.ids.first() == place.ids.first())
}

/// The place to show once the place that was at `index` (in corpus order) has been ruled on:
/// the one that took its index, which was the next, or the first when it was the last. A
/// ruling settles its whole place and no other, so the places after it move up by one.
pub fn after_ruling(project: &Project, index: usize) -> Option<Place> {
    let all = places(project);
    all.get(index).or_else(|| all.first()).cloned()
}

/// The place that holds the span `id` of document `doc`.
pub fn place_of(project: &Project, doc: usize, id: Id) -> Option<Place> {
    let document = project.document(doc)?;
    groups(document)
        .into_iter()
        .find(|ids| ids.contains(&id))
        .map(|ids| Place { doc, ids })
}

/// The annotators a gold project was merged from, sorted: A is the first, B the second.
pub fn annotators(project: &Project) -> Vec<String> {
    let mut names: Vec<String> = project
        .documents
        .iter()
        .flat_map(|d| &d.annotations)
        .filter_map(|a| a.provenance.as_ref())
        .flat_map(|p| p.annotators.iter().cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;
    use crate::text::ByteRange;
    use std::sync::Arc;

    const TEXT: &str = "Le Kremlin a démenti. Selon Reuters, l'armée avance vers Kiev.";

    fn project(annotator: &str, spans: &[(&str, usize, usize)]) -> Project {
        let annotations = spans
            .iter()
            .enumerate()
            .map(|(i, &(label, start, end))| Annotation {
                id: Id(i as u64 + 1),
                label: label.into(),
                fragments: vec![ByteRange::new(start, end)],
                annotator: annotator.into(),
                note: String::new(),
                created: Timestamp(0),
                attributes: BTreeMap::new(),
                suggested: None,
                provenance: None,
            })
            .collect();
        let mut document = Document {
            path: "a.txt".into(),
            hash: "h".into(),
            text: Arc::from(TEXT),
            annotations,
            ..Document::default()
        };
        document.annotations.sort_by_key(Annotation::sort_key);
        Project::new(
            annotator.into(),
            "/corpus".into(),
            Schema::default(),
            vec![document],
        )
    }

    fn summary_of(doc: &Document) -> Vec<(String, usize, usize, Vec<String>, bool)> {
        doc.annotations
            .iter()
            .map(|a| {
                let p = a.provenance.clone().unwrap();
                (
                    a.label.clone(),
                    a.fragments[0].start,
                    a.fragments[0].end,
                    p.annotators,
                    p.unresolved,
                )
            })
            .collect()
    }

    // "Le Kremlin" 0..10, "Le Kremlin a démenti." 0..22, "Reuters" 29..36, "Selon Reuters" 23..36
    fn two() -> (Project, Project) {
        let a = project(
            "ana",
            &[("claim", 0, 22), ("source", 29, 36), ("claim", 38, 64)],
        );
        let b = project(
            "ben",
            &[
                ("claim", 0, 22),
                ("source", 23, 36),
                ("boilerplate", 38, 64),
            ],
        );
        (a, b)
    }

    #[test]
    fn intersection_accepts_agreement_and_leaves_every_difference_to_rule_on() {
        let (a, b) = two();
        let (gold, summary) = merge(&[&a, &b], Policy::Intersection, "chloé").unwrap();
        assert_eq!(gold.annotator, "chloé");
        let doc = &gold.documents[0];
        assert_eq!(
            summary_of(doc)[0],
            (
                "claim".into(),
                0,
                22,
                vec!["ana".into(), "ben".into()],
                false
            )
        );
        assert_eq!(summary.accepted, 1);
        assert_eq!(summary.unresolved, 4);
        assert_eq!(summary.disputes, 2, "{:?}", summary_of(doc));
        assert_eq!(dispute_count(&gold), 2);
    }

    #[test]
    fn places_are_walked_forward_and_back_wrapping_around() {
        let (a, b) = two();
        let (gold, _) = merge(&[&a, &b], Policy::Intersection, "chloé").unwrap();
        let all = places(&gold);
        assert_eq!(all.len(), 2);
        assert_eq!(annotators(&gold), ["ana", "ben"]);
        let first = step(&gold, None, 0, true).unwrap();
        assert_eq!(first, all[0]);
        let second = step(&gold, Some(&first), 0, true).unwrap();
        assert_eq!(second, all[1]);
        assert_eq!(
            step(&gold, Some(&second), 0, true).unwrap(),
            all[0],
            "wraps"
        );
        assert_eq!(
            step(&gold, Some(&first), 0, false).unwrap(),
            all[1],
            "wraps back"
        );
        assert_eq!(step(&gold, None, 0, false).unwrap(), all[1]);
        let id = all[1].ids[0];
        assert_eq!(place_of(&gold, 0, id), Some(all[1].clone()));
        assert_eq!(
            step(&a, None, 0, true),
            None,
            "no place outside a gold project"
        );
    }

    // Three places: "Le Kremlin" 0..10 and 3..10, "Selon Reuters" 23..36 and 29..36, the
    // last sentence 38..64 under two labels.
    fn three_places() -> Project {
        let a = project(
            "ana",
            &[("source", 0, 10), ("source", 29, 36), ("claim", 38, 64)],
        );
        let b = project(
            "ben",
            &[
                ("source", 3, 10),
                ("source", 23, 36),
                ("boilerplate", 38, 64),
            ],
        );
        merge(&[&a, &b], Policy::Intersection, "chloé").unwrap().0
    }

    #[test]
    fn a_ruling_moves_on_to_the_place_after_it_not_back_to_the_first() {
        let gold = three_places();
        let all = places(&gold);
        assert_eq!(all.len(), 3);
        assert_eq!(position(&all, &all[1]), Some(1));
        // Rule on the middle place: the next one is the third, not the first of the document.
        let edit = rule(&gold, 0, &all[1].ids, &Ruling::Neither, "chloé").unwrap();
        let mut after = gold.clone();
        edit.apply(&mut after).unwrap();
        assert_eq!(places(&after).len(), 2);
        assert_eq!(after_ruling(&after, 1), Some(all[2].clone()));
        // From there, the next place wraps to the first: nothing is skipped.
        let next = step(&after, after_ruling(&after, 1).as_ref(), 0, true);
        assert_eq!(next, Some(all[0].clone()));
        // Ruling on the last place goes back to the first left.
        let edit = rule(&after, 0, &all[2].ids, &Ruling::All, "chloé").unwrap();
        edit.apply(&mut after).unwrap();
        assert_eq!(after_ruling(&after, 1), Some(all[0].clone()));
        let edit = rule(&after, 0, &all[0].ids, &Ruling::All, "chloé").unwrap();
        edit.apply(&mut after).unwrap();
        assert_eq!(after_ruling(&after, 0), None, "nothing left");
    }

    #[test]
    fn union_accepts_what_nobody_contradicts() {
        let (a, mut b) = two();
        // ben also marks something ana left alone.
        let mut extra = b.documents[0].annotations[0].clone();
        extra.id = Id(99);
        extra.label = "source".into();
        extra.fragments = vec![ByteRange::new(3, 10)];
        b.documents[0].annotations.push(extra);
        b.documents[0].annotations.sort_by_key(Annotation::sort_key);
        let (gold, summary) = merge(&[&a, &b], Policy::Union, "chloé").unwrap();
        let rows = summary_of(&gold.documents[0]);
        assert!(rows.contains(&("source".into(), 3, 10, vec!["ben".into()], false)));
        assert!(rows.contains(&("source".into(), 29, 36, vec!["ana".into()], true)));
        assert_eq!(summary.accepted, 2);
        assert_eq!(summary.unresolved, 4);
    }

    #[test]
    fn majority_accepts_two_of_three_and_drops_what_it_outvotes() {
        let a = project("ana", &[("claim", 0, 22), ("source", 29, 36)]);
        let b = project("ben", &[("claim", 0, 22), ("source", 23, 36)]);
        let c = project(
            "cat",
            &[("claim", 0, 10), ("source", 29, 36), ("claim", 38, 64)],
        );
        let (gold, summary) = merge(&[&a, &b, &c], Policy::Majority, "chloé").unwrap();
        let rows = summary_of(&gold.documents[0]);
        assert_eq!(
            rows,
            vec![
                (
                    "claim".into(),
                    0,
                    22,
                    vec!["ana".into(), "ben".into()],
                    false
                ),
                (
                    "source".into(),
                    29,
                    36,
                    vec!["ana".into(), "cat".into()],
                    false
                ),
            ]
        );
        // cat's 0..10 and ben's 23..36 are outvoted; cat's lone claim: the majority saw nothing.
        assert_eq!(summary.dropped, 3);
        assert_eq!(summary.disputes, 0);
        assert_eq!(
            merge(&[&a, &b], Policy::Majority, "x").unwrap_err(),
            MergeError::MajorityNeedsThree(2)
        );
        assert_eq!(
            merge(&[&a], Policy::Union, "x").unwrap_err(),
            MergeError::TooFew
        );
    }

    #[test]
    fn rulings_keep_a_side_both_or_neither_and_undo() {
        let (a, b) = two();
        let (mut gold, _) = merge(&[&a, &b], Policy::Intersection, "chloé").unwrap();
        let before = gold.documents[0].annotations.clone();
        let places = groups(&gold.documents[0]);
        assert_eq!(places.len(), 2);
        // Keep ben's source.
        let edit = rule(&gold, 0, &places[0], &Ruling::Side("ben".into()), "chloé").unwrap();
        edit.apply(&mut gold).unwrap();
        let rows = summary_of(&gold.documents[0]);
        assert!(rows.contains(&("source".into(), 23, 36, vec!["ben".into()], false)));
        assert!(!rows.iter().any(|r| r.1 == 29));
        let ruled = gold.documents[0]
            .annotations
            .iter()
            .find(|a| a.fragments[0].start == 23)
            .unwrap();
        assert_eq!(
            ruled.provenance.as_ref().unwrap().adjudicator.as_deref(),
            Some("chloé")
        );
        assert_eq!(dispute_count(&gold), 1);
        // Neither on the last place.
        let places = groups(&gold.documents[0]);
        let edit = rule(&gold, 0, &places[0], &Ruling::Neither, "chloé").unwrap();
        edit.apply(&mut gold).unwrap();
        assert_eq!(dispute_count(&gold), 0);
        assert_eq!(gold.documents[0].annotations.len(), 2);
        // Undoing the first ruling is exact.
        let mut undo_gold = merge(&[&a, &b], Policy::Intersection, "chloé").unwrap().0;
        let edit = rule(
            &undo_gold,
            0,
            &groups(&undo_gold.documents[0])[0],
            &Ruling::All,
            "c",
        )
        .unwrap();
        let inverse_all = edit.apply(&mut undo_gold).unwrap();
        assert_eq!(dispute_count(&undo_gold), 1);
        inverse_all.apply(&mut undo_gold).unwrap();
        assert_eq!(undo_gold.documents[0].annotations, before);
    }

    #[test]
    fn links_follow_the_policy_and_the_rulings() {
        let mut a = project("ana", &[("claim", 38, 64), ("source", 29, 36)]);
        let mut b = project("ben", &[("claim", 38, 64), ("source", 23, 36)]);
        for (p, from, to) in [(&mut a, 1, 2), (&mut b, 1, 2)] {
            let ids: Vec<Id> = p.documents[0].annotations.iter().map(|x| x.id).collect();
            assert!(ids.contains(&Id(from)) && ids.contains(&Id(to)));
            p.documents[0].relations.push(Relation {
                id: Id(10),
                kind: "attributed-to".into(),
                from: Id(from),
                to: Id(to),
                annotator: p.annotator.clone(),
                created: Timestamp(0),
            });
        }
        let (mut gold, summary) = merge(&[&a, &b], Policy::Intersection, "chloé").unwrap();
        // The claim is agreed; each source is a candidate with its annotator's link.
        assert_eq!(summary.links, 2);
        let place = groups(&gold.documents[0]).remove(0);
        rule(&gold, 0, &place, &Ruling::Side("ana".into()), "chloé")
            .unwrap()
            .apply(&mut gold)
            .unwrap();
        let doc = &gold.documents[0];
        assert_eq!(doc.relations.len(), 1);
        let to = doc.annotation(doc.relations[0].to).unwrap();
        assert_eq!(to.fragments[0], ByteRange::new(29, 36));
    }

    #[test]
    fn identical_projects_merge_without_dispute() {
        let (a, _) = two();
        let mut a2 = a.clone();
        a2.annotator = "ana".into();
        for policy in [Policy::Intersection, Policy::Union] {
            let (gold, summary) = merge(&[&a, &a2], policy, "x").unwrap();
            assert_eq!(summary.annotators, ["ana", "ana (2)"]);
            assert_eq!(summary.disputes, 0);
            assert_eq!(gold.documents[0].annotations.len(), 3);
        }
    }
}
