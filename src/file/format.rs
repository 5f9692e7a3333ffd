//! The shape of the project file on disk (separate from the model) and the conversions both ways.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::anchor::{self, Anchor, DetachedSpan};
use crate::model::{
    Annotation, Document, Id, Project, Provenance, Relation, Status, TextState, Timestamp,
};
use crate::schema::Schema;
use crate::suggestion::{Rejection, Rule, SuggestedLink, Suggestion};
use crate::text::ByteRange;

use super::{FORMAT_VERSION, absolute, relative_path, write};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct ProjectFile<'a> {
    pub(super) format_version: u32,
    pub(super) annotator: String,
    pub(super) corpus: String,
    pub(super) schema: Schema,
    #[serde(borrow)]
    pub(super) documents: Vec<DocumentFile<'a>>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct DocumentFile<'a> {
    pub(super) path: String,
    pub(super) sha256: String,
    #[serde(default)]
    pub(super) status: Status,
    /// The document's metadata (title, url…), sorted by key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) metadata: crate::model::Metadata,
    /// The document attributes' values, sorted by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) attributes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(borrow)]
    pub(super) annotations: Vec<AnnotationFile<'a>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) relations: Vec<RelationFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(borrow)]
    pub(super) detached: Vec<DetachedFile<'a>>,
    /// Pending suggestions (see [`crate::suggest`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(borrow)]
    pub(super) suggestions: Vec<SuggestionFile<'a>>,
    /// Rejected suggestions, never offered again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(borrow)]
    pub(super) rejected: Vec<RejectionFile<'a>>,
}

/// A pending suggestion: the span it would make, the rule that made it, its score, its link.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct SuggestionFile<'a> {
    pub(super) label: String,
    #[serde(borrow)]
    pub(super) fragments: Vec<FragmentFile<'a>>,
    pub(super) rule: Rule,
    pub(super) score: f32,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub(super) link: Option<LinkFile<'a>>,
}

/// The link a suggestion comes with: its type and the other end, by label and fragments.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct LinkFile<'a> {
    pub(super) kind: String,
    pub(super) label: String,
    #[serde(borrow)]
    pub(super) fragments: Vec<FragmentFile<'a>>,
}

/// A rejected suggestion.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct RejectionFile<'a> {
    pub(super) label: String,
    #[serde(borrow)]
    pub(super) fragments: Vec<FragmentFile<'a>>,
    pub(super) rule: Rule,
}

/// A span that could not be placed on the document's current text (see [`crate::anchor`]).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct DetachedFile<'a> {
    #[serde(borrow)]
    pub(super) span: AnnotationFile<'a>,
    #[serde(default)]
    pub(super) reason: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) relations: Vec<RelationFile>,
}

/// A fragment: start and end byte offsets, and the text they cover (for people reading the file,
/// and to re-anchor spans when a document changes).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct FragmentFile<'a>(
    pub(super) usize,
    pub(super) usize,
    #[serde(default, borrow)] pub(super) Cow<'a, str>,
);

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct AnnotationFile<'a> {
    pub(super) id: Id,
    pub(super) label: String,
    #[serde(borrow)]
    pub(super) fragments: Vec<FragmentFile<'a>>,
    /// Context before the first fragment and after the last, to re-anchor the span.
    #[serde(default, borrow, skip_serializing_if = "is_empty")]
    pub(super) before: Cow<'a, str>,
    #[serde(default, borrow, skip_serializing_if = "is_empty")]
    pub(super) after: Cow<'a, str>,
    pub(super) annotator: String,
    pub(super) created: Timestamp,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(super) note: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) attributes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) provenance: Option<Provenance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) suggested: Option<Rule>,
}

#[allow(
    clippy::ptr_arg,
    reason = "serde's skip_serializing_if passes the field as it is"
)]
pub(super) fn is_empty(text: &Cow<'_, str>) -> bool {
    text.is_empty()
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct RelationFile {
    pub(super) id: Id,
    pub(super) kind: String,
    pub(super) from: Id,
    pub(super) to: Id,
    pub(super) annotator: String,
    pub(super) created: Timestamp,
}

/// How `ron` lays out a project file: one annotation or relation a line, for small, readable
/// diffs when projects live in git.
pub(super) fn pretty_config() -> ron::ser::PrettyConfig {
    ron::ser::PrettyConfig::new()
        .depth_limit(4)
        .indentor("  ".to_owned())
}

/// Serialises a project as the RON text of its file, with the corpus folder written relative to
/// `project_dir`.
///
/// The header goes through `ron`; the documents are written by hand ([`write`]), in the same
/// layout, on every core.
pub fn to_ron(project: &Project, project_dir: &Path) -> String {
    const EMPTY_LIST: &str = "documents: [],\n)";
    let header = ProjectFile {
        documents: Vec::new(),
        ..project_header(project, project_dir)
    };
    let Ok(mut text) = ron::ser::to_string_pretty(&header, pretty_config()) else {
        return to_ron_serde(project, project_dir);
    };
    if !project.documents.is_empty() {
        let Some(head) = text.strip_suffix(EMPTY_LIST) else {
            return to_ron_serde(project, project_dir);
        };
        let mut out = String::with_capacity(head.len() + 64);
        out.push_str(head);
        out.push_str("documents: [\n");
        write::documents(&mut out, &project.documents);
        out.push_str("  ],\n)");
        text = out;
    }
    text.push('\n');
    text
}

/// [`to_ron`] entirely through `ron`'s serializer: what the hand-written writer must equal (tests)
/// and is compared with (benchmarks).
#[doc(hidden)]
pub fn to_ron_serde(project: &Project, project_dir: &Path) -> String {
    let file = project_file(project, project_dir);
    let mut text = ron::ser::to_string_pretty(&file, pretty_config()).unwrap_or_default();
    text.push('\n');
    text
}

pub(super) fn project_header(project: &Project, project_dir: &Path) -> ProjectFile<'static> {
    ProjectFile {
        format_version: FORMAT_VERSION,
        annotator: project.annotator.clone(),
        corpus: relative_path(&absolute(project_dir), &absolute(&project.corpus_root)),
        schema: project.schema.clone(),
        documents: Vec::new(),
    }
}

pub(super) fn project_file<'a>(project: &'a Project, project_dir: &Path) -> ProjectFile<'a> {
    ProjectFile {
        documents: project.documents.iter().map(document_file).collect(),
        ..project_header(project, project_dir)
    }
}

/// What the file records beside a span to re-anchor it (the text of each fragment, the context
/// before and after): taken from the document's text when it is current; when the text could not
/// be read, what the file recorded when it was read ([`TextState::Missing`]), as long as the
/// span's fragments are still those it was recorded for; otherwise nothing.
#[derive(Clone, Copy)]
pub(super) enum SpanText<'d> {
    Text(&'d str),
    Recorded(&'d Anchor),
    Unknown,
}

impl<'d> SpanText<'d> {
    pub(super) fn of(document: &'d Document, a: &Annotation) -> Self {
        match &document.text_state {
            TextState::Current => Self::Text(&document.text),
            TextState::Missing { recorded, .. } => recorded
                .get(&a.id)
                .filter(|anchor| {
                    anchor.fragments.len() == a.fragments.len()
                        && anchor
                            .fragments
                            .iter()
                            .zip(&a.fragments)
                            .all(|((range, _), f)| range == f)
                })
                .map_or(Self::Unknown, Self::Recorded),
            TextState::Changed { .. } => Self::Unknown,
        }
    }

    /// The text of fragment `i`, `f`.
    pub(super) fn fragment(self, i: usize, f: &ByteRange) -> &'d str {
        match self {
            Self::Text(text) => f.slice(text),
            Self::Recorded(anchor) => anchor.fragments.get(i).map_or("", |(_, t)| t.as_str()),
            Self::Unknown => "",
        }
    }

    /// The context before the first of `fragments` and after the last.
    pub(super) fn context(self, fragments: &[ByteRange]) -> (&'d str, &'d str) {
        match self {
            Self::Text(text) => anchor::context_slices(text, fragments),
            Self::Recorded(anchor) => (&anchor.before, &anchor.after),
            Self::Unknown => ("", ""),
        }
    }
}

pub(super) fn document_file(document: &Document) -> DocumentFile<'_> {
    DocumentFile {
        path: document.path.clone(),
        sha256: document.hash.clone(),
        status: document.status,
        metadata: document.metadata.clone(),
        attributes: document.attributes.clone(),
        annotations: document
            .annotations
            .iter()
            .map(|a| {
                let known = SpanText::of(document, a);
                let (before, after) = known.context(&a.fragments);
                let texts: Vec<&str> = a
                    .fragments
                    .iter()
                    .enumerate()
                    .map(|(i, f)| known.fragment(i, f))
                    .collect();
                annotation_file(a, &texts, before, after)
            })
            .collect(),
        relations: document.relations.iter().map(relation_file).collect(),
        detached: document
            .detached
            .iter()
            .map(|d| {
                let texts: Vec<&str> = d.texts.iter().map(String::as_str).collect();
                DetachedFile {
                    span: annotation_file(&d.annotation, &texts, &d.before, &d.after),
                    reason: d.reason.clone(),
                    relations: d.relations.iter().map(relation_file).collect(),
                }
            })
            .collect(),
        suggestions: document
            .suggestions
            .iter()
            .map(|s| suggestion_file(document, s))
            .collect(),
        rejected: document
            .rejected
            .iter()
            .map(|r| rejection_file(document, r))
            .collect(),
    }
}

/// The fragments of a suggestion or a rejection as the file writes them: with the text they
/// cover when the document's text is current, without otherwise.
pub(super) fn fragment_files<'d>(
    document: &'d Document,
    fragments: &[ByteRange],
) -> Vec<FragmentFile<'d>> {
    fragments
        .iter()
        .map(|f| FragmentFile(f.start, f.end, Cow::Borrowed(suggestion_text(document, f))))
        .collect()
}

/// The text of a suggestion's or a rejection's fragment `f`, when the document's text is the
/// one it was made on; empty otherwise.
pub(super) fn suggestion_text<'d>(document: &'d Document, f: &ByteRange) -> &'d str {
    match document.text_state {
        TextState::Current => f.slice(&document.text),
        TextState::Changed { .. } | TextState::Missing { .. } => "",
    }
}

pub(super) fn suggestion_file<'d>(document: &'d Document, s: &Suggestion) -> SuggestionFile<'d> {
    SuggestionFile {
        label: s.label.clone(),
        fragments: fragment_files(document, &s.fragments),
        rule: s.rule.clone(),
        score: s.score,
        link: s.link.as_ref().map(|l| LinkFile {
            kind: l.kind.clone(),
            label: l.label.clone(),
            fragments: fragment_files(document, &l.fragments),
        }),
    }
}

pub(super) fn rejection_file<'d>(document: &'d Document, r: &Rejection) -> RejectionFile<'d> {
    RejectionFile {
        label: r.label.clone(),
        fragments: fragment_files(document, &r.fragments),
        rule: r.rule.clone(),
    }
}

/// The byte ranges of fragments read from the file.
pub(super) fn ranges_of(fragments: &[FragmentFile<'_>]) -> Vec<ByteRange> {
    fragments
        .iter()
        .map(|FragmentFile(start, end, _)| ByteRange::new(*start, *end))
        .collect()
}

/// The suggestion a file entry describes.
pub(super) fn suggestion_of(s: &SuggestionFile<'_>) -> Suggestion {
    Suggestion {
        label: s.label.clone(),
        fragments: ranges_of(&s.fragments),
        rule: s.rule.clone(),
        score: s.score,
        link: s.link.as_ref().map(|l| SuggestedLink {
            kind: l.kind.clone(),
            label: l.label.clone(),
            fragments: ranges_of(&l.fragments),
        }),
    }
}

/// The rejection a file entry describes.
pub(super) fn rejection_of(r: &RejectionFile<'_>) -> Rejection {
    Rejection {
        label: r.label.clone(),
        fragments: ranges_of(&r.fragments),
        rule: r.rule.clone(),
    }
}

pub(super) fn annotation_file<'a>(
    a: &Annotation,
    texts: &[&'a str],
    before: &'a str,
    after: &'a str,
) -> AnnotationFile<'a> {
    AnnotationFile {
        id: a.id,
        label: a.label.clone(),
        fragments: a
            .fragments
            .iter()
            .enumerate()
            .map(|(i, f)| {
                FragmentFile(
                    f.start,
                    f.end,
                    Cow::Borrowed(texts.get(i).copied().unwrap_or_default()),
                )
            })
            .collect(),
        before: Cow::Borrowed(before),
        after: Cow::Borrowed(after),
        annotator: a.annotator.clone(),
        created: a.created,
        note: a.note.clone(),
        attributes: a.attributes.clone(),
        provenance: a.provenance.clone(),
        suggested: a.suggested.clone(),
    }
}

pub(super) fn relation_file(r: &Relation) -> RelationFile {
    RelationFile {
        id: r.id,
        kind: r.kind.clone(),
        from: r.from,
        to: r.to,
        annotator: r.annotator.clone(),
        created: r.created,
    }
}

/// The annotation a file entry describes, and what is known of it to re-anchor it.
pub(super) fn annotation_of(mut a: AnnotationFile<'_>) -> (Annotation, Anchor) {
    let anchor = Anchor {
        fragments: std::mem::take(&mut a.fragments)
            .into_iter()
            .map(|FragmentFile(start, end, text)| (ByteRange::new(start, end), text.into_owned()))
            .collect(),
        before: std::mem::take(&mut a.before).into_owned(),
        after: std::mem::take(&mut a.after).into_owned(),
    };
    let mut annotation = annotation_only(a);
    annotation.fragments = anchor.fragments.iter().map(|(r, _)| *r).collect();
    (annotation, anchor)
}

/// The annotation a file entry describes, when its text is as it was saved.
pub(super) fn annotation_only(a: AnnotationFile<'_>) -> Annotation {
    Annotation {
        id: a.id,
        label: a.label,
        fragments: a
            .fragments
            .iter()
            .map(|FragmentFile(start, end, _)| ByteRange::new(*start, *end))
            .collect(),
        annotator: a.annotator,
        note: a.note,
        created: a.created,
        attributes: a.attributes,
        provenance: a.provenance,
        suggested: a.suggested,
    }
}

pub(super) fn relation_of(r: RelationFile) -> Relation {
    Relation {
        id: r.id,
        kind: r.kind,
        from: r.from,
        to: r.to,
        annotator: r.annotator,
        created: r.created,
    }
}

pub(super) fn detached(annotation: Annotation, anchor: Anchor, reason: String) -> DetachedSpan {
    DetachedSpan {
        annotation,
        texts: anchor.fragments.into_iter().map(|(_, t)| t).collect(),
        before: anchor.before,
        after: anchor.after,
        reason,
        relations: Vec::new(),
    }
}
