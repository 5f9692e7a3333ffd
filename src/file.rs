//! Project files: RON on disk, read whole or not at all, written atomically.
//!
//! The file shape is separate from the in-memory model ([`crate::model`]) so that either can
//! change without the other. See the README's "Project file" section for the format.
//!
//! Saving never leaves a partial file: see [`replace_with_backup`] and `docs/safety-save.md`.
//! Other outputs (exports, merged and imported projects) are written the same way, whole or not
//! at all, and never over their own inputs: see [`AtomicFile`], [`AtomicFolder`] and
//! [`refuse_inputs`].

mod output;

pub use output::{AtomicFile, AtomicFolder, Input, OutputError, real_path, refuse_inputs};

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::anchor::{self, Anchor, DetachedSpan, Placement};
use crate::corpus::{self, CorpusError};
use crate::model::{
    Annotation, Document, Id, Project, Provenance, Relation, Status, TextState, Timestamp,
};
use crate::schema::{LabelDef, Rgb, Schema};
use crate::text::ByteRange;

/// The project file format this build writes, and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// Why a project file could not be loaded. Nothing is loaded when this happens.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The project file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid project file.
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        /// The project file.
        path: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What is wrong there.
        message: String,
    },
    /// The file was written by a newer Marginalia.
    #[error(
        "{path} has format version {found}; this Marginalia reads up to version {FORMAT_VERSION}: please update"
    )]
    Version {
        /// The project file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
    },
    /// The file parses but contradicts itself.
    #[error("{path}: {message}")]
    Invalid {
        /// The project file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The project file's corpus folder lies outside the folder of the project file and that
    /// folder's parent, and the caller of [`load_confirming`] did not allow reading it. Nothing
    /// was read from it.
    #[error(
        "{path} reads its texts from {corpus}, outside the folder of the project file and the \
         folder above it: it was not opened"
    )]
    CorpusOutside {
        /// The project file.
        path: PathBuf,
        /// The real path of its corpus folder.
        corpus: PathBuf,
    },
    /// A document path leads outside the corpus folder or names a file that is not a corpus
    /// text, or the corpus cannot be listed.
    #[error("{path}: the corpus")]
    Corpus {
        /// The project file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: CorpusError,
    },
}

/// Why a project could not be saved. The file on disk is then unchanged.
#[derive(Debug, thiserror::Error)]
#[error("cannot save {path}")]
pub struct SaveError {
    /// The project file.
    pub path: PathBuf,
    /// The cause.
    #[source]
    pub source: std::io::Error,
}

/// Something worth telling the user about a loaded project. The project is usable, but only a
/// project without [`Severity::Error`] problems is sound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A document was not UTF-8 and was decoded from another encoding.
    Decoded {
        /// Document path.
        path: String,
        /// The encoding used.
        encoding: &'static str,
    },
    /// A document's text no longer matches the hash the project recorded: its spans were looked
    /// for in the new text (see [`crate::anchor`]) and the document now records the new hash. The
    /// project changed in memory and needs saving ([`Problem::changes_project`]). Spans that
    /// could not be placed are reported by a [`Problem::Unplaced`] of the same document.
    Reanchored {
        /// Document path.
        path: String,
        /// Spans found elsewhere in the new text.
        moved: usize,
        /// Spans still at their offsets.
        unchanged: usize,
    },
    /// A document has spans that could not be placed on its current text: they are kept aside,
    /// verbatim ([`crate::model::Document::detached`]), not shown in the text, until the user
    /// places or deletes them.
    Unplaced {
        /// Document path.
        path: String,
        /// The spans, by id.
        spans: Vec<UnplacedSpan>,
    },
    /// A document's file could not be read.
    Missing {
        /// Document path.
        path: String,
        /// Why.
        reason: String,
    },
    /// A file of the corpus folder a new project was made from was left out: it could not be
    /// read (see [`corpus::read_folder`]).
    Skipped {
        /// Its path in the folder (a name that is not UTF-8 shown with U+FFFD).
        path: String,
        /// Why, in words.
        reason: String,
    },
    /// Annotations use a label that the schema lacked; it was added.
    UnknownLabel {
        /// The label.
        label: String,
        /// How many annotations use it.
        count: usize,
    },
    /// The project file has a field this Marginalia does not know (a typo, or a newer version's
    /// addition): it was ignored, and saving the project drops it.
    UnknownField {
        /// The document it is in, when it is in one.
        document: Option<String>,
        /// What holds it: "span 12", "relation 3", "label 2 of the schema"...
        within: String,
        /// The field, with the path to it inside what holds it (`provenance.reviewer`).
        field: String,
    },
    /// A link whose type the schema does not define, or that links labels its type does not
    /// allow.
    RelationOutsideSchema {
        /// Document path.
        path: String,
        /// The relation.
        id: Id,
        /// Its type.
        kind: String,
        /// The labels at its start and end, when its type is defined but does not allow them.
        labels: Option<(String, String)>,
    },
    /// A span's attribute that the schema does not define for the span's label, or a value the
    /// schema does not allow.
    AttributeOutsideSchema {
        /// Document path.
        path: String,
        /// The span.
        id: Id,
        /// The span's label.
        label: String,
        /// The attribute.
        name: String,
        /// Its value.
        value: String,
        /// The values the schema allows, or `None` when it defines no such attribute for the
        /// label.
        allowed: Option<Vec<String>>,
    },
    /// The schema defines a label, a link type or an attribute twice.
    DuplicateInSchema {
        /// What: "label", "link type", "attribute".
        what: &'static str,
        /// Its name (`label.name` for an attribute).
        name: String,
    },
}

/// A span that could not be placed on its document's changed text, as a [`Problem`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnplacedSpan {
    /// Its id.
    pub id: Id,
    /// Its label.
    pub label: String,
    /// The text it covered (fragments joined by " … ").
    pub text: String,
    /// Where it started in the old text, in bytes.
    pub old_start: usize,
    /// Why it could not be placed.
    pub reason: String,
}

impl UnplacedSpan {
    fn of(span: &DetachedSpan) -> Self {
        Self {
            id: span.annotation.id,
            label: span.annotation.label.clone(),
            text: span.text(),
            old_start: span.old_start(),
            reason: span.reason.clone(),
        }
    }
}

/// How serious a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing; the project is sound.
    Warning,
    /// The project is not sound.
    Error,
}

impl Problem {
    /// How serious it is.
    ///
    /// An error makes `check` fail; in the app it is shown as an error. Neither refuses the
    /// project: only a document whose text is missing or changed is read-only, by its
    /// [`TextState`], whatever the problems say.
    pub fn severity(&self) -> Severity {
        match self {
            Self::Decoded { .. } | Self::Reanchored { .. } | Self::Skipped { .. } => {
                Severity::Warning
            }
            Self::Unplaced { .. }
            | Self::Missing { .. }
            | Self::UnknownLabel { .. }
            | Self::UnknownField { .. }
            | Self::RelationOutsideSchema { .. }
            | Self::AttributeOutsideSchema { .. }
            | Self::DuplicateInSchema { .. } => Severity::Error,
        }
    }

    /// True when loading changed the project (spans re-anchored, a new hash recorded): the
    /// project then needs saving, and [`crate::workspace::Workspace::open`] marks it unsaved.
    pub fn changes_project(&self) -> bool {
        matches!(self, Self::Reanchored { .. })
    }

    /// The problem as [`fmt::Display`] writes it, with every string of the project in it passed
    /// through [`crate::text::escape_for_terminal`]: what the command line prints.
    pub fn for_terminal(&self) -> impl fmt::Display + '_ {
        struct ForTerminal<'a>(&'a Problem);
        impl fmt::Display for ForTerminal<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.write(f, crate::text::escape_for_terminal)
            }
        }
        ForTerminal(self)
    }

    /// Writes the problem, each string of the project through `shown`.
    fn write(&self, f: &mut fmt::Formatter<'_>, shown: fn(&str) -> Cow<'_, str>) -> fmt::Result {
        let quoted = |s: &str| shown(&format!("{s:?}")).into_owned();
        match self {
            Self::Decoded { path, encoding } => {
                write!(
                    f,
                    "{} is not UTF-8: it was decoded as {encoding}; check its accents",
                    shown(path)
                )
            }
            Self::Reanchored {
                path,
                moved,
                unchanged,
            } => write!(
                f,
                "{} changed since it was annotated: {moved} span(s) moved to where their text \
                 now is, {unchanged} unchanged; save the project to keep this",
                shown(path)
            ),
            Self::Unplaced { path, spans } => {
                write!(
                    f,
                    "{}: {} span(s) could not be placed on its current text; they are kept \
                     aside, not shown, until you place or delete them:",
                    shown(path),
                    spans.len()
                )?;
                for span in spans {
                    write!(
                        f,
                        "\n  - {} {} {} (at byte {} of the old text): {}",
                        span.id,
                        shown(&span.label),
                        quoted(&span.text),
                        span.old_start,
                        shown(&span.reason)
                    )?;
                }
                Ok(())
            }
            Self::Missing { path, reason } => {
                write!(
                    f,
                    "{} cannot be read ({}): its spans are kept, the document is read-only",
                    shown(path),
                    shown(reason)
                )
            }
            Self::Skipped { path, reason } => {
                write!(f, "{path} was left out of the project: {reason}")
            }
            Self::UnknownLabel { label, count } => write!(
                f,
                "{count} span(s) use the label {}, which the schema lacked: it was added",
                quoted(label)
            ),
            Self::UnknownField {
                document,
                within,
                field,
            } => {
                if let Some(document) = document {
                    write!(f, "{}: ", shown(document))?;
                }
                write!(
                    f,
                    "{}: the field {} is not one this Marginalia knows: it was ignored, and \
                     saving the project drops it",
                    shown(within),
                    quoted(field)
                )
            }
            Self::RelationOutsideSchema {
                path,
                id,
                kind,
                labels: None,
            } => write!(
                f,
                "{}: relation {id} is of the type {}, which the schema does not define",
                shown(path),
                quoted(kind)
            ),
            Self::RelationOutsideSchema {
                path,
                id,
                kind,
                labels: Some((from, to)),
            } => write!(
                f,
                "{}: relation {id} links a {} to a {}, which the schema's {} links do not allow",
                shown(path),
                quoted(from),
                quoted(to),
                quoted(kind)
            ),
            Self::AttributeOutsideSchema {
                path,
                id,
                label,
                name,
                value,
                allowed,
            } => {
                write!(
                    f,
                    "{}: span {id} ({}) has {} = {}, ",
                    shown(path),
                    quoted(label),
                    quoted(name),
                    quoted(value)
                )?;
                match allowed {
                    None => write!(
                        f,
                        "an attribute the schema does not define for {} spans",
                        quoted(label)
                    ),
                    Some(values) => {
                        let values: Vec<String> = values.iter().map(|v| quoted(v)).collect();
                        write!(
                            f,
                            "a value the schema does not allow (it allows {})",
                            values.join(", ")
                        )
                    }
                }
            }
            Self::DuplicateInSchema { what, name } => write!(
                f,
                "the schema defines the {what} {} twice: only the first is used",
                quoted(name)
            ),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, |s| Cow::Borrowed(s))
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct ProjectFile<'a> {
    format_version: u32,
    annotator: String,
    corpus: String,
    schema: Schema,
    #[serde(borrow)]
    documents: Vec<DocumentFile<'a>>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct DocumentFile<'a> {
    path: String,
    sha256: String,
    #[serde(default)]
    status: Status,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(borrow)]
    annotations: Vec<AnnotationFile<'a>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    relations: Vec<RelationFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(borrow)]
    detached: Vec<DetachedFile<'a>>,
}

/// A span that could not be placed on the document's current text (see [`crate::anchor`]).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct DetachedFile<'a> {
    #[serde(borrow)]
    span: AnnotationFile<'a>,
    #[serde(default)]
    reason: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    relations: Vec<RelationFile>,
}

/// A fragment: start and end byte offsets, and the text they cover (for people reading the file,
/// and to re-anchor spans when a document changes).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct FragmentFile<'a>(usize, usize, #[serde(default, borrow)] Cow<'a, str>);

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct AnnotationFile<'a> {
    id: Id,
    label: String,
    #[serde(borrow)]
    fragments: Vec<FragmentFile<'a>>,
    /// Context before the first fragment and after the last, to re-anchor the span.
    #[serde(default, borrow, skip_serializing_if = "is_empty")]
    before: Cow<'a, str>,
    #[serde(default, borrow, skip_serializing_if = "is_empty")]
    after: Cow<'a, str>,
    annotator: String,
    created: Timestamp,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    note: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provenance: Option<Provenance>,
}

#[allow(
    clippy::ptr_arg,
    reason = "serde's skip_serializing_if passes the field as it is"
)]
fn is_empty(text: &Cow<'_, str>) -> bool {
    text.is_empty()
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct RelationFile {
    id: Id,
    kind: String,
    from: Id,
    to: Id,
    annotator: String,
    created: Timestamp,
}

/// The path of `target` relative to the folder `base`, with `/` separators; absolute when the two
/// share no root.
pub fn relative_path(base: &Path, target: &Path) -> String {
    let base: Vec<Component> = base.components().collect();
    let target_parts: Vec<Component> = target.components().collect();
    let common = base
        .iter()
        .zip(&target_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return target.to_string_lossy().into_owned();
    }
    let mut parts: Vec<String> = base.iter().skip(common).map(|_| "..".to_owned()).collect();
    parts.extend(
        target_parts
            .iter()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// An absolute, normalised version of `path` (resolving links when it exists).
pub fn absolute(path: &Path) -> PathBuf {
    path.canonicalize()
        .unwrap_or_else(|_| std::path::absolute(path).unwrap_or_else(|_| path.to_owned()))
}

mod batch;
mod read;
mod write;

pub use batch::{Lock, WriteMode, WrittenFiles, lock_beside, lock_path, write_files};

/// How `ron` lays out a project file: one annotation or relation a line, for small, readable
/// diffs when projects live in git.
fn pretty_config() -> ron::ser::PrettyConfig {
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

fn project_header(project: &Project, project_dir: &Path) -> ProjectFile<'static> {
    ProjectFile {
        format_version: FORMAT_VERSION,
        annotator: project.annotator.clone(),
        corpus: relative_path(&absolute(project_dir), &absolute(&project.corpus_root)),
        schema: project.schema.clone(),
        documents: Vec::new(),
    }
}

fn project_file<'a>(project: &'a Project, project_dir: &Path) -> ProjectFile<'a> {
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
enum SpanText<'d> {
    Text(&'d str),
    Recorded(&'d Anchor),
    Unknown,
}

impl<'d> SpanText<'d> {
    fn of(document: &'d Document, a: &Annotation) -> Self {
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
    fn fragment(self, i: usize, f: &ByteRange) -> &'d str {
        match self {
            Self::Text(text) => f.slice(text),
            Self::Recorded(anchor) => anchor.fragments.get(i).map_or("", |(_, t)| t.as_str()),
            Self::Unknown => "",
        }
    }

    /// The context before the first of `fragments` and after the last.
    fn context(self, fragments: &[ByteRange]) -> (&'d str, &'d str) {
        match self {
            Self::Text(text) => anchor::context_slices(text, fragments),
            Self::Recorded(anchor) => (&anchor.before, &anchor.after),
            Self::Unknown => ("", ""),
        }
    }
}

fn document_file(document: &Document) -> DocumentFile<'_> {
    DocumentFile {
        path: document.path.clone(),
        sha256: document.hash.clone(),
        status: document.status,
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
    }
}

fn annotation_file<'a>(
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
    }
}

fn relation_file(r: &Relation) -> RelationFile {
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
fn annotation_of(mut a: AnnotationFile<'_>) -> (Annotation, Anchor) {
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
fn annotation_only(a: AnnotationFile<'_>) -> Annotation {
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
    }
}

fn relation_of(r: RelationFile) -> Relation {
    Relation {
        id: r.id,
        kind: r.kind,
        from: r.from,
        to: r.to,
        annotator: r.annotator,
        created: r.created,
    }
}

fn detached(annotation: Annotation, anchor: Anchor, reason: String) -> DetachedSpan {
    DetachedSpan {
        annotation,
        texts: anchor.fragments.into_iter().map(|(_, t)| t).collect(),
        before: anchor.before,
        after: anchor.after,
        reason,
        relations: Vec::new(),
    }
}

/// What a project file held when it was last read or written: lets a workspace notice that
/// another program (a `git pull`, another window) changed the file since.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStamp {
    /// SHA-256 of the file's bytes, in hexadecimal.
    pub sha256: String,
    /// The file's length in bytes.
    pub len: u64,
    /// The file's modification time, when known.
    pub modified: Option<SystemTime>,
}

impl FileStamp {
    /// The stamp of `bytes`, with the length and modification time of `metadata`.
    pub fn new(bytes: &[u8], metadata: Option<&std::fs::Metadata>) -> Self {
        Self {
            sha256: corpus::sha256_hex(bytes),
            len: bytes.len() as u64,
            modified: metadata.and_then(|m| m.modified().ok()),
        }
    }

    /// Reads the file at `path` whole and stamps it; `Ok(None)` when there is no file there. A
    /// FIFO, a device or a file over the size limit ([`corpus::max_file_bytes`]) is an error, not
    /// read (see [`corpus::open_regular`]).
    pub fn read(path: &Path) -> std::io::Result<Option<Self>> {
        let bytes = match corpus::read_limited(path, corpus::max_file_bytes()) {
            Ok(bytes) => bytes,
            Err(CorpusError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                return Ok(None);
            }
            Err(CorpusError::Io { source, .. }) => return Err(source),
            Err(other) => return Err(std::io::Error::other(other)),
        };
        let metadata = std::fs::metadata(path).ok();
        Ok(Some(Self::new(&bytes, metadata.as_ref())))
    }

    /// True when `metadata` has this stamp's length and modification time: the cheap check that
    /// the file is unchanged. False when the modification time is unknown.
    pub fn same_metadata(&self, metadata: &std::fs::Metadata) -> bool {
        self.len == metadata.len()
            && self.modified.is_some()
            && self.modified == metadata.modified().ok()
    }
}

/// How long a temporary file left by an interrupted save is kept before a later save of the same
/// file deletes it. Much longer than any save takes, so that a save in progress in another
/// process never loses its temporary file.
pub const STALE_TEMPORARY: Duration = Duration::from_mins(15);

/// The backup of the project file at `path`: `name.ron.bak` beside it. Each save over an existing
/// project file first makes the previous version the backup.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    path.with_file_name(name)
}

/// The folder of `path` (`.` for a bare file name) and its file name.
fn split(path: &Path) -> (&Path, String) {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (dir, name)
}

/// Creates a new temporary file for `name` in `dir`: `.name.tmp-PID-N` (see [`create_unique`]).
fn create_temporary(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    create_unique(dir, name, |temp| {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(temp)
    })
}

/// Creates something new (`create`: a file, a folder) for `name` in `dir` under a temporary
/// name, `.name.tmp-PID-N`, unique between processes (the process id) and between writes of one
/// process (a counter); something of that name already there (left by a killed process whose id
/// was reused) is never opened: `create` must fail with `AlreadyExists` then.
fn create_unique<T>(
    dir: &Path,
    name: &str,
    create: impl Fn(&Path) -> std::io::Result<T>,
) -> std::io::Result<(PathBuf, T)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut last_error = None;
    for _ in 0..64 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.tmp-{}-{n}", std::process::id()));
        match create(&temp) {
            Ok(created) => return Ok((temp, created)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                last_error = Some(error);
            }
            Err(error) => return Err(error),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::ErrorKind::AlreadyExists.into()))
}

/// Writes `contents` to a new temporary file beside `path`, with the permissions of the file at
/// `path` when there is one, and flushes it to disk. Returns the file, to rename into place, and
/// its stamp.
fn write_temporary(path: &Path, contents: &[u8]) -> std::io::Result<(AtomicFile, FileStamp)> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(contents)?;
    // The modification time survives the rename: it is the stamp of the file to be.
    let metadata = file.sync()?;
    Ok((file, FileStamp::new(contents, Some(&metadata))))
}

/// A flushed temporary file beside `path` holding `contents`, with the permissions of the file at
/// `path` when there is one: its path and the open file, for the batch writer to put in place.
fn write_flushed(path: &Path, contents: &[u8]) -> std::io::Result<(PathBuf, std::fs::File)> {
    let (dir, name) = split(path);
    let (temp, mut file) = create_temporary(dir, &name)?;
    let result = (|| {
        file.write_all(contents)?;
        if let Ok(existing) = std::fs::metadata(path) {
            file.set_permissions(existing.permissions())?;
        }
        file.sync_all()
    })();
    match result {
        Ok(()) => Ok((temp, file)),
        Err(error) => {
            drop(file);
            let _ = std::fs::remove_file(&temp);
            Err(error)
        }
    }
}

/// Flushes a folder's entries (renames, links) to disk. Some file systems cannot; the rename is
/// then as durable as they make it, which a crash of the program does not affect.
fn sync_dir(dir: &Path) {
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
}

/// Writes `contents` to `path` atomically: a temporary file in the same folder, flushed to disk,
/// then renamed over the target, and the folder flushed. A crash at any point leaves either the
/// old file or the new one, complete. No backup is kept (see [`save`] for project files).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), SaveError> {
    let error = |source| SaveError {
        path: path.to_owned(),
        source,
    };
    let (file, _) = write_temporary(path, contents).map_err(error)?;
    file.rename_into_place().map_err(error)
}

/// Makes the current file at `path`, if any, its backup ([`backup_path`]) without ever leaving an
/// incomplete backup: a hard link (or, where links are not supported, a flushed copy) to a
/// temporary name, renamed over the old backup.
fn make_backup(path: &Path) -> std::io::Result<()> {
    let backup = backup_path(path);
    let (dir, name) = split(&backup);
    let (temp, file) = create_temporary(dir, &name)?;
    drop(file);
    std::fs::remove_file(&temp)?;
    let linked = match std::fs::hard_link(path, &temp) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(_) => std::fs::copy(path, &temp).and_then(|_| std::fs::File::open(&temp)?.sync_all()),
    };
    let result = linked.and_then(|()| std::fs::rename(&temp, &backup));
    // When the old backup already was a link to the same file (a save interrupted between the
    // backup and the rename), the rename does nothing and the temporary name remains.
    let _ = std::fs::remove_file(&temp);
    result
}

/// Deletes the temporary files that interrupted saves of `path` (and of its backup and recovery
/// files) left beside it, and the temporary folders of interrupted folder exports, once older
/// than [`STALE_TEMPORARY`]. Younger ones may belong to a save in progress in another process and
/// are left alone; nothing ever reads them.
pub fn remove_stale_temporaries(path: &Path) {
    let (dir, name) = split(path);
    let prefix = format!(".{name}.");
    let hidden_prefix = format!("..{name}.");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let ours = (file_name.starts_with(&prefix) || file_name.starts_with(&hidden_prefix))
            && file_name.contains(".tmp-");
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMPORARY);
        if ours && stale {
            // Never through a link: a link is deleted as a file.
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                let _ = std::fs::remove_dir_all(entry.path());
            } else {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Writes `contents` as the project file `path`: the temporary file is written and flushed first,
/// then the current file (if any) becomes the backup, then the temporary is renamed over `path`
/// and the folder flushed. At every instant `path` holds the old or the new version, complete, and
/// the backup the one before or the old version. Returns the stamp of what was written.
pub fn replace_with_backup(path: &Path, contents: &[u8]) -> Result<FileStamp, SaveError> {
    let error = |source| SaveError {
        path: path.to_owned(),
        source,
    };
    remove_stale_temporaries(path);
    let (file, stamp) = write_temporary(path, contents).map_err(error)?;
    // On failure the temporary file is deleted as `file` is dropped.
    make_backup(path)
        .and_then(|()| file.rename_into_place())
        .map_err(error)?;
    Ok(stamp)
}

/// Saves `project` to `path` atomically, keeping the previous file as its backup (see
/// [`replace_with_backup`]).
pub fn save(project: &Project, path: &Path) -> Result<(), SaveError> {
    save_stamped(project, path).map(|_| ())
}

/// Like [`save`], and returns the stamp of the written file.
pub fn save_stamped(project: &Project, path: &Path) -> Result<FileStamp, SaveError> {
    let dir = absolute(path)
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    replace_with_backup(path, to_ron(project, &dir).as_bytes())
}

/// Saves `project` as the new file `path` (flushed, put in place, its folder flushed), failing
/// with [`std::io::ErrorKind::AlreadyExists`] rather than replace a file there, even one that
/// appears while it is written. For commands that must not replace a project by accident.
pub fn save_new(project: &Project, path: &Path) -> Result<(), SaveError> {
    let dir = absolute(path)
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    let contents = to_ron(project, &dir);
    write_files(
        split(path).0,
        &[(path.to_owned(), contents.as_bytes(), WriteMode::New)],
    )?
    .keep();
    Ok(())
}

/// Loads the project file at `path` and its corpus.
pub fn load(path: &Path) -> Result<(Project, Vec<Problem>), LoadError> {
    load_stamped(path).map(|(project, problems, _)| (project, problems))
}

/// [`load`], with the stamp of the bytes it read: what a later save compares the file on disk
/// with. The stamp is computed on another thread while the project is parsed.
pub fn load_stamped(path: &Path) -> Result<(Project, Vec<Problem>, FileStamp), LoadError> {
    load_confirming(path, |_| true)
}

/// [`load_stamped`], asking before it reads texts from a corpus folder that lies outside the
/// folder of the project file and that folder's parent (see [`corpus_outside_of`]): a project
/// file from someone else chooses its own corpus, `/etc` say. `allow` is called with the real
/// path of that corpus once the project file is parsed and before any text is read, and only
/// when it lies outside; when it answers `false`, nothing is read and the error is
/// [`LoadError::CorpusOutside`].
pub fn load_confirming(
    path: &Path,
    allow: impl FnOnce(&Path) -> bool,
) -> Result<(Project, Vec<Problem>, FileStamp), LoadError> {
    // Before reading: a change made while the file is read shows as other metadata, and is then
    // checked by its hash.
    let metadata = std::fs::metadata(path).ok();
    let text = read_project_text(path)?;
    let dir = absolute(path)
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    // Every document is in the same corpus folder: its real path is looked up once.
    let real_root = std::sync::OnceLock::new();
    let read = |root: &Path, relative: &str| {
        let real_root = real_root.get_or_init(|| root.canonicalize().ok());
        let file = corpus::resolve_in(root, real_root.as_deref(), relative)?;
        corpus::read_document(&file)
    };
    let check = |corpus_root: &Path| match corpus_outside_of(path, corpus_root) {
        Some(corpus) if !allow(&corpus) => Err(LoadError::CorpusOutside {
            path: path.to_owned(),
            corpus,
        }),
        _ => Ok(()),
    };
    // The stamp is of the bytes on disk, a byte-order mark included.
    let stamp = || FileStamp::new(text.as_bytes(), metadata.as_ref());
    std::thread::scope(|scope| {
        let stamping = std::thread::Builder::new().spawn_scoped(scope, stamp);
        let (file, unknown) = parse_noting(&text, path)?;
        let (project, mut problems) = from_file(file, path, &dir, read, check)?;
        problems.extend(unknown);
        let stamp = match stamping {
            Ok(stamping) => stamping.join().unwrap_or_else(|_| stamp()),
            Err(_) => stamp(),
        };
        Ok((project, problems, stamp))
    })
}

/// The real path of the corpus folder of the project file at `path` when it lies outside the
/// folder of the project file and that folder's parent (see [`corpus_outside_of`]); `None` when
/// it lies inside. Reads and parses the project file, but no text: for asking the user before
/// opening it. ([`load_confirming`] asks as it opens, without parsing the file twice.)
pub fn corpus_outside(path: &Path) -> Result<Option<PathBuf>, LoadError> {
    let text = read_project_text(path)?;
    let file = parse(&text, path)?;
    let dir = absolute(path)
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    Ok(corpus_outside_of(path, &absolute(&dir.join(file.corpus))))
}

/// The real path of `corpus_root` when it lies outside the folder that holds the project file
/// `project_path` and that folder's parent; `None` when it lies inside. The usual layouts are
/// inside: `team/ana.ron` over `team/corpus`, `projects/x.ron` over `assets/corpus`. Links are
/// followed; a folder that does not exist is compared by its path, `..` resolved.
pub fn corpus_outside_of(project_path: &Path, corpus_root: &Path) -> Option<PathBuf> {
    let project_dir = absolute(project_path).parent().map(Path::to_owned)?;
    let base = project_dir.parent().unwrap_or(&project_dir);
    let base = normalized(&absolute(base));
    let corpus = normalized(&absolute(corpus_root));
    (!corpus.starts_with(&base)).then_some(corpus)
}

/// `path` with `.` and `..` parts resolved by their names (for a path that does not exist, so
/// that [`absolute`] could not ask for its real path).
fn normalized(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Reads a project file's text: a regular file within the size limit, not empty, not binary,
/// UTF-8.
fn read_project_text(path: &Path) -> Result<String, LoadError> {
    let text = corpus::read_text(path).map_err(|error| match error {
        CorpusError::Io { source, .. } => LoadError::Io {
            path: path.to_owned(),
            source,
        },
        CorpusError::EmptyFile(_) => LoadError::Invalid {
            path: path.to_owned(),
            message: "the file is empty: it is not a project file".to_owned(),
        },
        CorpusError::Binary(_) => LoadError::Invalid {
            path: path.to_owned(),
            message: "the file looks like a binary file, not a project file (RON text)".to_owned(),
        },
        CorpusError::NotAFile { kind, .. } => LoadError::Invalid {
            path: path.to_owned(),
            message: format!("this is {kind}, not a regular file: it is not a project file"),
        },
        other => LoadError::Invalid {
            path: path.to_owned(),
            message: other.to_string(),
        },
    })?;
    text.map_err(|e| {
        let (line, column) = corpus::utf8_error_position(&e);
        LoadError::Syntax {
            path: path.to_owned(),
            line,
            column,
            message: "the file is not UTF-8 text (a project file is always UTF-8)".to_owned(),
        }
    })
}

/// A project file's structure read from its text: by the fast reader, or by `ron` when the fast
/// reader gives up. A byte-order mark at the start (some Windows editors write one) is skipped.
fn parse<'a>(text: &'a str, path: &Path) -> Result<ProjectFile<'a>, LoadError> {
    parse_noting(text, path).map(|(file, _)| file)
}

/// [`parse`], with a problem for each field of the file that Marginalia does not know (which is
/// ignored, and lost at the next save).
fn parse_noting<'a>(
    text: &'a str,
    path: &Path,
) -> Result<(ProjectFile<'a>, Vec<Problem>), LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The fast reader gives up on unknown fields: only `ron` can meet them, and names them.
    let (file, unknown) = match read::project(text) {
        Some(file) => (file, Vec::new()),
        None => parse_with_ron_noting(text, path)?,
    };
    let unknown = unknown
        .iter()
        .map(|field| unknown_field(&file, field))
        .collect();
    Ok((file, unknown))
}

/// Parses a project's RON text. `read` reads a document given the corpus root and its relative
/// path; `path` names the file in messages; relative corpus paths are resolved from `project_dir`.
pub fn from_ron(
    text: &str,
    path: &Path,
    project_dir: &Path,
    read: impl Fn(&Path, &str) -> Result<corpus::DocumentText, CorpusError> + Sync,
) -> Result<(Project, Vec<Problem>), LoadError> {
    let (file, unknown) = parse_noting(text, path)?;
    let (project, mut problems) = from_file(file, path, project_dir, read, |_| Ok(()))?;
    problems.extend(unknown);
    Ok((project, problems))
}

/// [`from_ron`] with `ron`'s deserializer alone, without the fast reader: only for benchmarks, to
/// show what the fast reader saves.
#[doc(hidden)]
pub fn from_ron_serde(
    text: &str,
    path: &Path,
    project_dir: &Path,
    read: impl Fn(&Path, &str) -> Result<corpus::DocumentText, CorpusError> + Sync,
) -> Result<(Project, Vec<Problem>), LoadError> {
    from_file(parse_with_ron(text, path)?, path, project_dir, read, |_| {
        Ok(())
    })
}

/// Reads a project file with `ron`'s deserializer: all of RON, and errors with line and column.
fn parse_with_ron<'a>(text: &'a str, path: &Path) -> Result<ProjectFile<'a>, LoadError> {
    parse_with_ron_noting(text, path).map(|(file, _)| file)
}

/// [`parse_with_ron`], and where each field is that the file has and [`ProjectFile`] does not
/// (which `ron` skips).
fn parse_with_ron_noting<'a>(
    text: &'a str,
    path: &Path,
) -> Result<(ProjectFile<'a>, Vec<Vec<Step>>), LoadError> {
    ron_noting_unknown(text).map_err(|e| LoadError::Syntax {
        path: path.to_owned(),
        line: e.span.start.line,
        column: e.span.start.col,
        message: e.code.to_string(),
    })
}

/// One step of the way to a value inside a file: a field of a struct, or an item of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Field(String),
    Item(usize),
}

/// Reads `text` with `ron` into a `T`, with the way to every field that `T` does not have and
/// `ron` skipped.
fn ron_noting_unknown<'a, T: Deserialize<'a>>(
    text: &'a str,
) -> Result<(T, Vec<Vec<Step>>), ron::error::SpannedError> {
    struct Noting<'u, T>(&'u mut Vec<Vec<Step>>, std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::DeserializeSeed<'de> for Noting<'_, T> {
        type Value = T;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
            serde_ignored::deserialize(d, |path| {
                let mut steps = Vec::new();
                steps_to(&path, &mut steps);
                self.0.push(steps);
            })
        }
    }
    fn steps_to(path: &serde_ignored::Path<'_>, steps: &mut Vec<Step>) {
        use serde_ignored::Path as P;
        match path {
            P::Root => {}
            P::Seq { parent, index } => {
                steps_to(parent, steps);
                steps.push(Step::Item(*index));
            }
            P::Map { parent, key } => {
                steps_to(parent, steps);
                steps.push(Step::Field(key.clone()));
            }
            P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
                steps_to(parent, steps);
            }
        }
    }
    let mut unknown = Vec::new();
    let value = ron::Options::default()
        .from_str_seed(text, Noting(&mut unknown, std::marker::PhantomData))?;
    Ok((value, unknown))
}

/// The [`Problem::UnknownField`] of the field at `steps` in `file`: the document, span or
/// relation that holds it, by path and id.
fn unknown_field(file: &ProjectFile<'_>, steps: &[Step]) -> Problem {
    let (document, within, rest) = if let Some((index, inner)) = entry(steps, "documents") {
        let doc = file.documents.get(index);
        let (within, rest) = within_document(doc, inner);
        (doc.map(|d| d.path.clone()), within, rest)
    } else if let Some(inner) = field(steps, "schema") {
        let (within, rest) = within_schema(&file.schema, inner);
        (None, within, rest)
    } else {
        (None, "the project".to_owned(), steps)
    };
    let field = rest
        .iter()
        .map(|step| match step {
            Step::Field(name) => name.clone(),
            Step::Item(index) => index.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".");
    Problem::UnknownField {
        document,
        within,
        field,
    }
}

/// The index and the steps after it when `steps` starts with item `index` of the list `name`.
fn entry<'s>(steps: &'s [Step], name: &str) -> Option<(usize, &'s [Step])> {
    match steps {
        [Step::Field(list), Step::Item(index), rest @ ..] if list == name => Some((*index, rest)),
        _ => None,
    }
}

/// The steps after the field `name` when `steps` starts with it.
fn field<'s>(steps: &'s [Step], name: &str) -> Option<&'s [Step]> {
    match steps {
        [Step::Field(first), rest @ ..] if first == name => Some(rest),
        _ => None,
    }
}

/// What holds the field at `steps` inside the document `doc`, and the steps left to it.
fn within_document<'s>(doc: Option<&DocumentFile<'_>>, steps: &'s [Step]) -> (String, &'s [Step]) {
    let span = |a: Option<&AnnotationFile<'_>>| {
        a.map_or_else(|| "a span".to_owned(), |a| format!("span {}", a.id))
    };
    let relation = |r: Option<&RelationFile>| {
        r.map_or_else(|| "a relation".to_owned(), |r| format!("relation {}", r.id))
    };
    if let Some((index, rest)) = entry(steps, "annotations") {
        (span(doc.and_then(|d| d.annotations.get(index))), rest)
    } else if let Some((index, rest)) = entry(steps, "relations") {
        (relation(doc.and_then(|d| d.relations.get(index))), rest)
    } else if let Some((index, inner)) = entry(steps, "detached") {
        let aside = doc.and_then(|d| d.detached.get(index));
        if let Some((link, rest)) = entry(inner, "relations") {
            (relation(aside.and_then(|d| d.relations.get(link))), rest)
        } else {
            let rest = field(inner, "span").unwrap_or(inner);
            (
                format!("{} (set aside)", span(aside.map(|d| &d.span))),
                rest,
            )
        }
    } else {
        ("the document".to_owned(), steps)
    }
}

/// What holds the field at `steps` inside the schema, and the steps left to it.
fn within_schema<'s>(schema: &Schema, steps: &'s [Step]) -> (String, &'s [Step]) {
    let named = |what: &str, index: usize, name: Option<String>| {
        let name = name.map(|n| format!(" ({n:?})")).unwrap_or_default();
        format!("{what} {} of the schema{name}", index + 1)
    };
    if let Some((index, rest)) = entry(steps, "labels") {
        let name = schema.labels.get(index).map(|l| l.name.clone());
        (named("label", index, name), rest)
    } else if let Some((index, rest)) = entry(steps, "relations") {
        let name = schema.relations.get(index).map(|r| r.name.clone());
        (named("link type", index, name), rest)
    } else if let Some((index, rest)) = entry(steps, "attributes") {
        let name = schema
            .attributes
            .get(index)
            .map(|a| format!("{}.{}", a.label, a.name));
        (named("attribute", index, name), rest)
    } else {
        ("the schema".to_owned(), steps)
    }
}

/// The project file's structure written as compact JSON instead of RON: only for benchmarks, to
/// compare RON's speed with `serde_json` on the same data (`benches/project.rs`).
#[doc(hidden)]
pub fn to_json(project: &Project, project_dir: &Path) -> String {
    serde_json::to_string(&project_file(project, project_dir)).unwrap_or_default()
}

/// Reads what [`to_json`] wrote, with the same checks as [`from_ron`]: only for benchmarks.
#[doc(hidden)]
pub fn from_json(
    text: &str,
    path: &Path,
    project_dir: &Path,
    read: impl Fn(&Path, &str) -> Result<corpus::DocumentText, CorpusError> + Sync,
) -> Result<(Project, Vec<Problem>), LoadError> {
    let file: ProjectFile<'_> = serde_json::from_str(text).map_err(|e| LoadError::Syntax {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    from_file(file, path, project_dir, read, |_| Ok(()))
}

/// Builds the project from a parsed file: checks, corpus reading, problems. The documents are
/// read, checked and built on all cores.
fn from_file(
    file: ProjectFile<'_>,
    path: &Path,
    project_dir: &Path,
    read: impl Fn(&Path, &str) -> Result<corpus::DocumentText, CorpusError> + Sync,
    check_corpus: impl FnOnce(&Path) -> Result<(), LoadError>,
) -> Result<(Project, Vec<Problem>), LoadError> {
    let invalid = |message: String| LoadError::Invalid {
        path: path.to_owned(),
        message,
    };
    if file.format_version > FORMAT_VERSION {
        return Err(LoadError::Version {
            path: path.to_owned(),
            found: file.format_version,
        });
    }
    let corpus_root = absolute(&project_dir.join(&file.corpus));
    // Before any text is read.
    check_corpus(&corpus_root)?;
    let mut paths: Vec<&str> = file.documents.iter().map(|d| d.path.as_str()).collect();
    paths.sort_unstable();
    if let Some(twice) = paths.windows(2).find(|w| w.first() == w.get(1)) {
        return Err(invalid(format!(
            "the document {:?} is listed twice",
            twice.first().copied().unwrap_or_default()
        )));
    }
    let mut ids: Vec<Id> = file
        .documents
        .iter()
        .flat_map(|doc| {
            doc.annotations
                .iter()
                .map(|a| a.id)
                .chain(doc.relations.iter().map(|r| r.id))
                .chain(doc.detached.iter().flat_map(|d| {
                    std::iter::once(d.span.id).chain(d.relations.iter().map(|r| r.id))
                }))
        })
        .collect();
    ids.sort_unstable();
    if let Some(twice) = ids.windows(2).find(|w| w.first() == w.get(1)) {
        return Err(invalid(format!(
            "the id {} is used twice",
            twice.first().map_or(0, |id| id.0)
        )));
    }
    // The first definition of each attribute, as the app uses it: its allowed values.
    let mut attributes: BTreeMap<(&str, &str), &[String]> = BTreeMap::new();
    for a in &file.schema.attributes {
        attributes
            .entry((a.label.as_str(), a.name.as_str()))
            .or_insert(&a.values);
    }
    let built = crate::parallel::map_owned(file.documents, |doc| {
        let (document, mut problems) = document_of(doc, &corpus_root, path, &read)?;
        // Checked here, on the document just built, on all cores.
        problems.extend(outside_schema(&file.schema, &attributes, &document));
        Ok((document, problems))
    });
    let mut problems = Vec::new();
    let mut documents = Vec::with_capacity(built.len());
    for result in built {
        let (document, document_problems) = result?;
        documents.push(document);
        problems.extend(document_problems);
    }
    let mut project = Project::new(file.annotator, corpus_root, file.schema, documents);
    // Labels used by annotations but missing from the schema are added, and reported.
    let mut counts = project.counts_by_label();
    for span in project.documents.iter().flat_map(|d| &d.detached) {
        *counts.entry(span.annotation.label.as_str()).or_default() += 1;
    }
    let unknown: Vec<(String, usize)> = counts
        .into_iter()
        .filter(|(label, _)| project.schema.label(label).is_none())
        .map(|(label, count)| (label.to_owned(), count))
        .collect();
    for (label, count) in unknown {
        project.schema.labels.push(LabelDef {
            name: label.clone(),
            color: Rgb([0x80, 0x80, 0x80]),
            key: String::new(),
            description: String::new(),
        });
        problems.push(Problem::UnknownLabel { label, count });
    }
    problems.extend(schema_problems(&project.schema));
    Ok((project, problems))
}

/// The labels, link types and attributes that the schema defines twice (the app uses the first).
/// What the documents hold that the schema does not allow is found by [`outside_schema`].
fn schema_problems(schema: &Schema) -> Vec<Problem> {
    let mut problems = Vec::new();
    let names = schema
        .labels
        .iter()
        .map(|l| ("label", l.name.clone()))
        .chain(
            schema
                .relations
                .iter()
                .map(|r| ("link type", r.name.clone())),
        )
        .chain(
            schema
                .attributes
                .iter()
                .map(|a| ("attribute", format!("{}.{}", a.label, a.name))),
        );
    let mut seen = BTreeSet::new();
    for (what, name) in names {
        if !seen.insert((what, name.clone())) {
            problems.push(Problem::DuplicateInSchema { what, name });
        }
    }
    problems
}

/// What a document holds that the schema does not allow: links of a type it lacks, or between
/// labels their type does not allow; attributes it does not define for their span's label, or
/// values it does not allow (`attributes` holds the allowed values of each attribute, by label and
/// name). The app's edits never make these (they check the schema); a hand-edited or generated
/// file can. Labels the schema lacks are added to it when the project is loaded, with no
/// attributes and in no link type: checking against the schema of the file is the same.
fn outside_schema(
    schema: &Schema,
    attributes: &BTreeMap<(&str, &str), &[String]>,
    document: &Document,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let spans = || {
        document
            .annotations
            .iter()
            .chain(document.detached.iter().map(|d| &d.annotation))
    };
    for span in spans() {
        for (name, value) in &span.attributes {
            let allowed = match attributes.get(&(span.label.as_str(), name.as_str())) {
                Some(values) if values.contains(value) => continue,
                Some(values) => Some(values.to_vec()),
                None => None,
            };
            problems.push(Problem::AttributeOutsideSchema {
                path: document.path.clone(),
                id: span.id,
                label: span.label.clone(),
                name: name.clone(),
                value: value.clone(),
                allowed,
            });
        }
    }
    let mut relations = document
        .relations
        .iter()
        .chain(document.detached.iter().flat_map(|d| &d.relations))
        .peekable();
    if relations.peek().is_none() {
        return problems;
    }
    let labels: BTreeMap<Id, &str> = spans().map(|a| (a.id, a.label.as_str())).collect();
    let label = |id: &Id| labels.get(id).copied().unwrap_or_default();
    for relation in relations {
        let labels = match schema.relation(&relation.kind) {
            Some(def) => {
                let (from, to) = (label(&relation.from), label(&relation.to));
                if def.allows(from, to) {
                    continue;
                }
                Some((from.to_owned(), to.to_owned()))
            }
            None => None,
        };
        problems.push(Problem::RelationOutsideSchema {
            path: document.path.clone(),
            id: relation.id,
            kind: relation.kind.clone(),
            labels,
        });
    }
    problems
}

/// One document of the file: its text read and checked, its spans placed (or set aside when its
/// text changed and they no longer fit), and what the user should hear about it.
fn document_of(
    mut doc: DocumentFile<'_>,
    corpus_root: &Path,
    path: &Path,
    read: &(impl Fn(&Path, &str) -> Result<corpus::DocumentText, CorpusError> + Sync),
) -> Result<(Document, Vec<Problem>), LoadError> {
    let invalid = |message: String| LoadError::Invalid {
        path: path.to_owned(),
        message,
    };
    let mut problems = Vec::new();
    let (text, decoded_from, mut text_state, hash, changed) = match read(corpus_root, &doc.path) {
        Ok(read) if read.hash == doc.sha256 => (
            read.text,
            read.decoded_from,
            TextState::Current,
            doc.sha256,
            false,
        ),
        Ok(read) => (
            read.text,
            read.decoded_from,
            TextState::Current,
            read.hash,
            true,
        ),
        Err(source @ (CorpusError::OutsideCorpus(_) | CorpusError::NotACorpusText(_))) => {
            return Err(LoadError::Corpus {
                path: path.to_owned(),
                source,
            });
        }
        Err(error) => {
            let reason = match &error {
                CorpusError::Io { source, .. } => source.to_string(),
                other => other.to_string(),
            };
            problems.push(Problem::Missing {
                path: doc.path.clone(),
                reason: reason.clone(),
            });
            (
                String::new(),
                None,
                TextState::Missing {
                    reason,
                    recorded: BTreeMap::new(),
                },
                doc.sha256,
                false,
            )
        }
    };
    if let Some(encoding) = decoded_from {
        problems.push(Problem::Decoded {
            path: doc.path.clone(),
            encoding,
        });
    }
    // Every span and relation id of the document, placed or not: relations must stay inside it.
    let doc_spans: BTreeSet<Id> = doc
        .annotations
        .iter()
        .map(|a| a.id)
        .chain(doc.detached.iter().map(|d| d.span.id))
        .collect();
    let mut all_relations: Vec<Relation> = Vec::new();
    for r in doc.relations.into_iter().chain(
        doc.detached
            .iter_mut()
            .flat_map(|d| std::mem::take(&mut d.relations)),
    ) {
        for end in [r.from, r.to] {
            if !doc_spans.contains(&end) {
                return Err(invalid(format!(
                    "relation {} of {} points to {}, which is not a span of that document",
                    r.id.0, doc.path, end.0
                )));
            }
        }
        all_relations.push(relation_of(r));
    }
    let mut annotations = Vec::new();
    let mut detached_spans = Vec::new();
    if changed {
        // The text changed: look for every span again, those set aside earlier included.
        let entries: Vec<(Annotation, Anchor)> = doc
            .annotations
            .into_iter()
            .chain(doc.detached.into_iter().map(|d| d.span))
            .map(annotation_of)
            .collect();
        let anchors: Vec<Anchor> = entries.iter().map(|(_, a)| a.clone()).collect();
        let placements = anchor::reanchor(&text, &anchors);
        let (mut moved, mut unchanged) = (0, 0);
        for ((mut annotation, anchor), placement) in entries.into_iter().zip(placements) {
            let outcome = match placement {
                Placement::Unchanged => Ok(false),
                Placement::Moved(fragments) => {
                    annotation.fragments = fragments;
                    Ok(true)
                }
                Placement::Unplaced(why) => Err(why.to_string()),
            };
            let outcome = outcome.and_then(|moved| {
                crate::model::check_fragments(&text, &annotation.fragments)
                    .map(|()| moved)
                    .map_err(|e| e.to_string())
            });
            match outcome {
                Ok(true) => {
                    moved += 1;
                    annotations.push(annotation);
                }
                Ok(false) => {
                    unchanged += 1;
                    annotations.push(annotation);
                }
                Err(reason) => {
                    // Put the old fragments back: they are what the file recorded.
                    annotation.fragments = anchor.fragments.iter().map(|(r, _)| *r).collect();
                    detached_spans.push(detached(annotation, anchor, reason));
                }
            }
        }
        problems.push(Problem::Reanchored {
            path: doc.path.clone(),
            moved,
            unchanged,
        });
    } else {
        for a in doc.annotations {
            let annotation = if let TextState::Missing { recorded, .. } = &mut text_state {
                // No text to take them from when saving: what the file recorded is kept.
                let (annotation, anchor) = annotation_of(a);
                recorded.insert(annotation.id, anchor);
                annotation
            } else {
                annotation_only(a)
            };
            if text_state == TextState::Current {
                crate::model::check_fragments(&text, &annotation.fragments).map_err(|e| {
                    invalid(format!("span {} of {}: {e}", annotation.id.0, doc.path))
                })?;
            }
            annotations.push(annotation);
        }
        for d in doc.detached {
            let (annotation, anchor) = annotation_of(d.span);
            detached_spans.push(detached(annotation, anchor, d.reason));
        }
    }
    // Relations between placed spans stay; the others go with a detached end.
    let placed: BTreeSet<Id> = annotations.iter().map(|a| a.id).collect();
    detached_spans.sort_by_key(|d| d.annotation.id);
    let mut relations = Vec::new();
    for relation in all_relations {
        if placed.contains(&relation.from) && placed.contains(&relation.to) {
            relations.push(relation);
            continue;
        }
        let end = if placed.contains(&relation.from) {
            relation.to
        } else {
            relation.from
        };
        if let Ok(i) = detached_spans.binary_search_by_key(&end, |d| d.annotation.id)
            && let Some(span) = detached_spans.get_mut(i)
        {
            span.relations.push(relation);
        }
    }
    relations.sort_by_key(|r| r.id);
    for span in &mut detached_spans {
        span.relations.sort_by_key(|r| r.id);
    }
    if !detached_spans.is_empty() {
        problems.push(Problem::Unplaced {
            path: doc.path.clone(),
            spans: detached_spans.iter().map(UnplacedSpan::of).collect(),
        });
    }
    let mut document = Document {
        path: doc.path,
        hash,
        text: Arc::from(text),
        decoded_from,
        text_state,
        status: doc.status,
        annotations,
        relations,
        detached: detached_spans,
        span_index: crate::model::SpanIndex::default(),
    };
    document.resort();
    Ok((document, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path(
                Path::new("/w/main/projects"),
                Path::new("/w/main/assets/corpus")
            ),
            "../assets/corpus"
        );
        assert_eq!(relative_path(Path::new("/w/p"), Path::new("/w/p")), ".");
        assert_eq!(relative_path(Path::new("/w/p"), Path::new("/w/p/c")), "c");
    }

    fn reader(
        texts: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&Path, &str) -> Result<corpus::DocumentText, CorpusError> {
        move |_, relative| {
            let (_, text) =
                texts
                    .iter()
                    .find(|(p, _)| *p == relative)
                    .ok_or_else(|| CorpusError::Io {
                        path: relative.into(),
                        source: std::io::ErrorKind::NotFound.into(),
                    })?;
            Ok(corpus::DocumentText {
                text: (*text).to_owned(),
                hash: corpus::sha256_hex(text.as_bytes()),
                decoded_from: None,
            })
        }
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let broken = "(\n  format_version: 1,\n  annotator: \"a\",\n  corpus: 12,\n)";
        let error = from_ron(broken, Path::new("p.ron"), Path::new("/"), reader(&[])).unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("p.ron:4:"), "{message}");
    }

    #[test]
    fn newer_versions_are_refused() {
        let newer = "(format_version: 99, annotator: \"a\", corpus: \".\", schema: (labels: []), documents: [])";
        let error = from_ron(newer, Path::new("p.ron"), Path::new("/"), reader(&[])).unwrap_err();
        assert!(matches!(error, LoadError::Version { found: 99, .. }));
    }

    #[test]
    fn changed_and_missing_texts_are_reported_and_read_only() {
        let hash = corpus::sha256_hex(b"old text");
        let ron = format!(
            "(format_version: 1, annotator: \"a\", corpus: \".\", schema: (labels: []), documents: [
               (path: \"a.txt\", sha256: \"{hash}\", annotations: [(id: 1, label: \"claim\", fragments: [(0, 3, \"old\")], annotator: \"a\", created: \"2026-01-01T00:00:00Z\")]),
               (path: \"gone.txt\", sha256: \"{hash}\"),
             ])"
        );
        let (project, problems) = from_ron(
            &ron,
            Path::new("p.ron"),
            Path::new("/"),
            reader(&[("a.txt", "new text")]),
        )
        .unwrap();
        // The changed text is editable, with its new hash; the span whose text is gone is kept
        // aside and listed.
        assert!(project.documents[0].is_editable());
        assert_eq!(project.documents[0].hash, corpus::sha256_hex(b"new text"));
        assert!(matches!(
            project.documents[1].text_state,
            TextState::Missing { .. }
        ));
        assert!(project.documents[0].annotations.is_empty());
        assert_eq!(project.documents[0].detached.len(), 1);
        assert!(problems.contains(&Problem::Reanchored {
            path: "a.txt".into(),
            moved: 0,
            unchanged: 0,
        }));
        assert!(problems.iter().any(|p| matches!(p, Problem::Unplaced { path, spans }
            if path == "a.txt" && spans.len() == 1 && spans[0].text == "old" && spans[0].old_start == 0)));
        assert!(problems.contains(&Problem::UnknownLabel {
            label: "claim".into(),
            count: 1
        }));
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, Problem::Missing { path, .. } if path == "gone.txt"))
        );
        assert!(project.schema.label("claim").is_some());
    }

    #[test]
    fn g_unknown_fields_are_named_even_in_the_schema() {
        let ron = "(format_version: 1, annotator: \"a\", corpus: \".\", schema: (labels: [], \
                   colours: 1), documents: [])";
        // The fast reader leaves the file to `ron`, which names the field.
        assert!(read::project(ron).is_none());
        let (_, problems) = from_ron(ron, Path::new("p.ron"), Path::new("/"), reader(&[])).unwrap();
        assert_eq!(
            problems,
            [Problem::UnknownField {
                document: None,
                within: "the schema".into(),
                field: "colours".into()
            }]
        );
        assert_eq!(problems[0].severity(), Severity::Error);
    }

    #[test]
    fn spans_that_do_not_fit_the_text_are_refused_whole() {
        let text = "é";
        let hash = corpus::sha256_hex(text.as_bytes());
        let ron = format!(
            "(format_version: 1, annotator: \"a\", corpus: \".\", schema: (labels: []), documents: [
               (path: \"a.txt\", sha256: \"{hash}\", annotations: [(id: 1, label: \"claim\", fragments: [(0, 1)], annotator: \"a\", created: \"2026-01-01T00:00:00Z\")]),
             ])"
        );
        let error = from_ron(
            &ron,
            Path::new("p.ron"),
            Path::new("/"),
            reader(&[("a.txt", "é")]),
        )
        .unwrap_err();
        assert!(error.to_string().contains("span 1 of a.txt"), "{error}");
    }

    #[test]
    fn atomic_writes_replace_the_file_and_leave_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.ron");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let missing = dir.path().join("no/such/dir/p.ron");
        assert!(write_atomic(&missing, b"x").is_err());
    }

    /// What the mutation test inserts: RON that the fast reader must refuse or read as `ron` does.
    const MUTATIONS: &[&str] = &[
        "",
        " ",
        "\n",
        ",",
        ")",
        "(",
        "]",
        "[",
        "{",
        "}",
        ":",
        "\"",
        "\\",
        "'",
        "//c\n",
        "/*c*/",
        "Some(",
        "None",
        "true",
        "false",
        "0x1F",
        "1_0",
        "01",
        "+1",
        "-1",
        "1.5",
        "r\"x\"",
        "r#\"x\"#",
        "\\u{301}",
        "\\u{110000}",
        "\\x41",
        "\\\n  ",
        "\u{0B}",
        "\u{85}",
        "ToDo",
        "Done",
        "id: 3, ",
        "note: \"n\", ",
        "extra: 1, ",
        "ProjectFile",
        "#![enable(implicit_some)]\n",
        "99999999999999999999",
        "\"2026-01-01T00:00:00+01:00\"",
        "\u{feff}",
    ];

    /// Any characters: controls, combining marks, quotes, backslashes, emoji, Arabic...
    fn any_text(max: usize) -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy as _;
        proptest::collection::vec(proptest::prelude::any::<char>(), 0..max)
            .prop_map(String::from_iter)
    }

    /// A project with every kind of entry the file holds: spans with notes, attributes and
    /// provenance, relations, spans set aside with their relations, a document whose text is
    /// missing; strings drawn from all of Unicode.
    fn rich_project(text: &str, strings: &[String], seeds: &[(usize, usize, u8)]) -> Project {
        let pick = |i: usize| {
            strings
                .get(i % strings.len().max(1))
                .cloned()
                .unwrap_or_default()
        };
        let mut annotations = Vec::new();
        let mut detached = Vec::new();
        let mut relations = Vec::new();
        for (i, &(start, len, flags)) in seeds.iter().enumerate() {
            let a = crate::text::floor_char_boundary(text, start);
            let b = crate::text::floor_char_boundary(text, a + len);
            let mut fragments = vec![ByteRange::new(a, b)];
            if flags & 1 == 1 && b < text.len() {
                let c = crate::text::floor_char_boundary(text, b + 1 + len);
                if c > b {
                    let c2 = crate::text::floor_char_boundary(text, c + len);
                    if c2 > c {
                        fragments.push(ByteRange::new(c, c2));
                    }
                }
            }
            let mut attributes = BTreeMap::new();
            if flags & 2 == 2 {
                attributes.insert(pick(i + 1), pick(i + 2));
                attributes.insert("kind".to_owned(), pick(i + 3));
            }
            let provenance = match flags % 4 {
                0 => None,
                1 => Some(Provenance::default()),
                2 => Some(Provenance {
                    annotators: vec![pick(i), "b".into()],
                    adjudicator: None,
                    unresolved: true,
                }),
                _ => Some(Provenance {
                    annotators: vec![pick(i + 4)],
                    adjudicator: Some(pick(i + 5)),
                    unresolved: false,
                }),
            };
            let annotation = Annotation {
                id: Id(i as u64 * 7 + 1),
                label: pick(i),
                fragments,
                annotator: pick(i + 6),
                note: if flags & 4 == 4 {
                    pick(i + 7)
                } else {
                    String::new()
                },
                created: Timestamp(1_700_000_000 + i64::try_from(i).unwrap() * 86_461),
                attributes,
                provenance,
            };
            if flags & 8 == 8 {
                detached.push(DetachedSpan {
                    texts: annotation.fragments.iter().map(|_| pick(i + 8)).collect(),
                    annotation,
                    before: pick(i + 9),
                    after: pick(i + 10),
                    reason: pick(i + 11),
                    relations: Vec::new(),
                });
            } else {
                annotations.push(annotation);
            }
        }
        for pair in annotations.windows(2) {
            relations.push(Relation {
                id: Id(pair[0].id.0 * 1000 + 3),
                kind: pick(pair[0].id.0 as usize),
                from: pair[0].id,
                to: pair[1].id,
                annotator: pick(3),
                created: Timestamp(1_800_000_000),
            });
        }
        if let (Some(span), Some(first)) = (detached.first_mut(), annotations.first()) {
            span.relations.push(Relation {
                id: Id(999_999),
                kind: "attributed-to".into(),
                from: first.id,
                to: span.annotation.id,
                annotator: pick(2),
                created: Timestamp(0),
            });
        }
        let current = Document {
            path: pick(0),
            hash: corpus::sha256_hex(text.as_bytes()),
            text: Arc::from(text),
            status: Status::Done,
            annotations: annotations.clone(),
            relations: relations.clone(),
            detached,
            ..Document::default()
        };
        let missing = Document {
            path: "gone/é.txt".into(),
            hash: "0".repeat(64),
            text_state: TextState::Missing {
                reason: pick(1),
                recorded: BTreeMap::new(),
            },
            annotations,
            relations,
            ..Document::default()
        };
        let empty = Document {
            path: "empty.txt".into(),
            ..Document::default()
        };
        Project::new(
            pick(1),
            "/corpus".into(),
            Schema::default(),
            vec![current, missing, empty],
        )
    }

    #[test]
    fn a_cut_inside_a_hand_edited_string_falls_back_to_reading_the_list_whole() {
        let seeds: Vec<(usize, usize, u8)> = (0..30).map(|i| (i * 3, 5, 4)).collect();
        let strings = ["a".to_owned(), "x\n    (\n      path: y".to_owned()];
        let mut project = rich_project(
            "Un texte assez long pour trente spans, é😀.",
            &strings,
            &seeds,
        );
        let copy = project.documents[0].clone();
        for i in 0..20 {
            project.documents.push(Document {
                path: format!("{i}.txt"),
                ..copy.clone()
            });
        }
        let written = to_ron(&project, Path::new("/"));
        // What someone editing the file by hand may write: real line ends inside the note.
        let edited = written.replace("x\\n    (\\n      path: y", "x\n    (\n      path: y");
        assert_ne!(edited, written);
        let slow = parse_with_ron(&edited, Path::new("p.ron")).unwrap();
        assert_eq!(read::project(&edited), Some(slow));
    }

    #[test]
    fn the_written_file_is_what_ron_writes_for_the_sample_projects() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects");
        for name in ["sample.ron", "sample-second-annotator.ron"] {
            let (project, _) = load(&root.join(name)).unwrap();
            let fast = to_ron(&project, &root);
            assert_eq!(fast, to_ron_serde(&project, &root), "{name}");
            assert_eq!(
                fast,
                std::fs::read_to_string(root.join(name)).unwrap(),
                "{name}"
            );
        }
        let empty = Project::new("a".into(), "/c".into(), Schema::default(), Vec::new());
        assert_eq!(
            to_ron(&empty, Path::new("/c")),
            to_ron_serde(&empty, Path::new("/c"))
        );
    }

    proptest::proptest! {
        /// Save then load gives back the same project, on text with accents, emoji, combining
        /// marks, CRLF, a BOM and Arabic.
        #[test]
        fn save_then_load_is_identity(
            spans in proptest::collection::vec((0usize..200, 1usize..40, 0usize..3, "\\PC{0,12}"), 0..30),
            status in 0usize..3,
        ) {
            const TEXT: &str = "\u{feff}« Vos soldats » 😀, a dit Poutine.\r\nالعربية e\u{301} l'été\r\n";
            let texts: &'static [(&'static str, &'static str)] = &[("a.txt", TEXT), ("b/c.txt", "")];
            let read = reader(texts);
            let documents = ["a.txt", "b/c.txt"].iter().map(|p| {
                let t = read(Path::new("/"), p).unwrap();
                Document { path: (*p).to_owned(), hash: t.hash, text: Arc::from(t.text), ..Document::default() }
            }).collect();
            let mut project = Project::new("zoé".into(), "/corpus".into(), Schema::default(), documents);
            let labels = ["claim", "source", "boilerplate"];
            for (start, len, label, note) in spans {
                let a = crate::text::floor_char_boundary(TEXT, start);
                let b = crate::text::floor_char_boundary(TEXT, a + len);
                if a == b { continue; }
                let annotation = Annotation {
                    id: project.allocate_id(),
                    label: labels[label].into(),
                    fragments: vec![ByteRange::new(a, b)],
                    annotator: "zoé".into(),
                    note,
                    created: Timestamp(1_800_000_000),
                    attributes: BTreeMap::new(),
                    provenance: None,
                };
                crate::edit::Edit::AddAnnotation { doc: 0, annotation }.apply(&mut project).unwrap();
            }
            project.documents[0].status = Status::ALL[status];
            let ron = to_ron(&project, Path::new("/corpus"));
            let (back, problems) = from_ron(&ron, Path::new("p.ron"), Path::new("/corpus"), reader(texts)).unwrap();
            proptest::prop_assert!(problems.is_empty(), "{:?}", problems);
            proptest::prop_assert_eq!(&back.schema, &project.schema);
            proptest::prop_assert_eq!(&back.annotator, &project.annotator);
            for (a, b) in back.documents.iter().zip(&project.documents) {
                proptest::prop_assert_eq!(&a.annotations, &b.annotations);
                proptest::prop_assert_eq!(&a.relations, &b.relations);
                proptest::prop_assert_eq!(a.status, b.status);
                proptest::prop_assert_eq!(&a.hash, &b.hash);
            }
            // Saving again gives the same bytes: files diff cleanly.
            proptest::prop_assert_eq!(to_ron(&back, Path::new("/corpus")), ron);
        }

        /// The fast reader reads every file the writer writes, into what `ron` reads.
        #[test]
        fn the_fast_reader_reads_what_ron_reads(
            text in any_text(80),
            strings in proptest::collection::vec(any_text(10), 1..12),
            seeds in proptest::collection::vec((0usize..400, 0usize..20, 0u8..16), 0..12),
        ) {
            let written = to_ron(&rich_project(&text, &strings, &seeds), Path::new("/"));
            let fast = read::project(&written);
            proptest::prop_assert!(fast.is_some(), "the fast reader gave up on {}", written);
            proptest::prop_assert_eq!(fast, parse_with_ron(&written, Path::new("p.ron")).ok());
        }

        /// Whatever a text becomes (hand edits, merges gone wrong, truncation), when the fast
        /// reader accepts it, `ron` accepts it too and reads the same values.
        #[test]
        fn the_fast_reader_accepts_nothing_ron_would_read_differently(
            seeds in proptest::collection::vec((0usize..400, 0usize..20, 0u8..16), 1..6),
            edits in proptest::collection::vec((0.0f64..1.0, 0usize..4, 0usize..MUTATIONS.len()), 1..4),
        ) {
            let strings = ["claim".to_owned(), "é\"'\\ \u{301}😀".to_owned(), "a\nb\tc".to_owned()];
            let mut written = to_ron(&rich_project("« Vos soldats » 😀, a dit\r\n l'été e\u{301}.", &strings, &seeds), Path::new("/"));
            for (at, removed, insert) in edits {
                let at = crate::text::floor_char_boundary(&written, (at * written.len() as f64) as usize);
                let end = crate::text::floor_char_boundary(&written, at + removed);
                written.replace_range(at..end, MUTATIONS[insert]);
            }
            if let Some(fast) = read::project(&written) {
                let slow = parse_with_ron(&written, Path::new("p.ron"));
                proptest::prop_assert_eq!(Some(fast), slow.ok(), "{}", written);
            }
        }

        /// The hand-written writer gives exactly `ron`'s bytes, whatever the strings hold.
        #[test]
        fn the_written_file_is_what_ron_writes(
            text in any_text(80),
            strings in proptest::collection::vec(any_text(10), 1..12),
            seeds in proptest::collection::vec((0usize..400, 0usize..20, 0u8..16), 0..12),
        ) {
            let project = rich_project(&text, &strings, &seeds);
            proptest::prop_assert_eq!(to_ron(&project, Path::new("/")), to_ron_serde(&project, Path::new("/")));
        }
    }
}
