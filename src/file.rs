//! Project files: RON on disk, read whole or not at all, written atomically.
//!
//! The file shape is separate from the in-memory model ([`crate::model`]) so that either can
//! change without the other. See the README's "Project file" section for the format.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

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
    /// A document path leads outside the corpus folder, or the corpus cannot be listed.
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
    /// A document's text no longer matches the hash the project recorded.
    TextChanged {
        /// Document path.
        path: String,
        /// Its annotations, kept but not shown until re-anchored.
        annotations: usize,
    },
    /// A document's file could not be read.
    Missing {
        /// Document path.
        path: String,
        /// Why.
        reason: String,
    },
    /// Annotations use a label that the schema lacked; it was added.
    UnknownLabel {
        /// The label.
        label: String,
        /// How many annotations use it.
        count: usize,
    },
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
    pub fn severity(&self) -> Severity {
        match self {
            Self::Decoded { .. } => Severity::Warning,
            Self::TextChanged { .. } | Self::Missing { .. } | Self::UnknownLabel { .. } => {
                Severity::Error
            }
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Decoded { path, encoding } => {
                write!(
                    f,
                    "{path} is not UTF-8: it was decoded as {encoding}; check its accents"
                )
            }
            Self::TextChanged { path, annotations } => write!(
                f,
                "{path} changed since it was annotated: its {annotations} span(s) are kept but \
                 hidden, and the document is read-only"
            ),
            Self::Missing { path, reason } => {
                write!(
                    f,
                    "{path} cannot be read ({reason}): its spans are kept, the document is read-only"
                )
            }
            Self::UnknownLabel { label, count } => write!(
                f,
                "{count} span(s) use the label {label:?}, which the schema lacked: it was added"
            ),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct ProjectFile {
    format_version: u32,
    annotator: String,
    corpus: String,
    schema: Schema,
    documents: Vec<DocumentFile>,
}

#[derive(Serialize, Deserialize)]
struct DocumentFile {
    path: String,
    sha256: String,
    #[serde(default)]
    status: Status,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<AnnotationFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    relations: Vec<RelationFile>,
}

/// A fragment: start and end byte offsets, and the text they cover (for people reading the file,
/// and to re-anchor spans when a document changes).
#[derive(Serialize, Deserialize)]
struct FragmentFile(usize, usize, #[serde(default)] String);

#[derive(Serialize, Deserialize)]
struct AnnotationFile {
    id: Id,
    label: String,
    fragments: Vec<FragmentFile>,
    annotator: String,
    created: Timestamp,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    note: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provenance: Option<Provenance>,
}

#[derive(Serialize, Deserialize)]
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

/// Serialises a project as the RON text of its file, with the corpus folder written relative to
/// `project_dir`.
pub fn to_ron(project: &Project, project_dir: &Path) -> String {
    let file = project_file(project, project_dir);
    // One annotation or relation a line: small, readable diffs when projects live in git.
    let config = ron::ser::PrettyConfig::new()
        .depth_limit(4)
        .indentor("  ".to_owned());
    let mut text = ron::ser::to_string_pretty(&file, config).unwrap_or_default();
    text.push('\n');
    text
}

fn project_file(project: &Project, project_dir: &Path) -> ProjectFile {
    ProjectFile {
        format_version: FORMAT_VERSION,
        annotator: project.annotator.clone(),
        corpus: relative_path(&absolute(project_dir), &absolute(&project.corpus_root)),
        schema: project.schema.clone(),
        documents: project.documents.iter().map(document_file).collect(),
    }
}

fn document_file(document: &Document) -> DocumentFile {
    let text = &document.text;
    let current = document.is_editable();
    DocumentFile {
        path: document.path.clone(),
        sha256: document.hash.clone(),
        status: document.status,
        annotations: document
            .annotations
            .iter()
            .map(|a| AnnotationFile {
                id: a.id,
                label: a.label.clone(),
                fragments: a
                    .fragments
                    .iter()
                    .map(|f| {
                        FragmentFile(
                            f.start,
                            f.end,
                            if current {
                                f.slice(text).to_owned()
                            } else {
                                String::new()
                            },
                        )
                    })
                    .collect(),
                annotator: a.annotator.clone(),
                created: a.created,
                note: a.note.clone(),
                attributes: a.attributes.clone(),
                provenance: a.provenance.clone(),
            })
            .collect(),
        relations: document
            .relations
            .iter()
            .map(|r| RelationFile {
                id: r.id,
                kind: r.kind.clone(),
                from: r.from,
                to: r.to,
                annotator: r.annotator.clone(),
                created: r.created,
            })
            .collect(),
    }
}

/// Writes `contents` to `path` atomically: a temporary file in the same folder, flushed to disk,
/// then renamed over the target. A crash at any point leaves either the old file or the new one.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), SaveError> {
    let error = |source| SaveError {
        path: path.to_owned(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)?;
        // Make the rename itself durable.
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(error)
}

/// Saves `project` to `path` atomically.
pub fn save(project: &Project, path: &Path) -> Result<(), SaveError> {
    let dir = absolute(path)
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    write_atomic(path, to_ron(project, &dir).as_bytes())
}

/// Loads the project file at `path` and its corpus.
pub fn load(path: &Path) -> Result<(Project, Vec<Problem>), LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let dir = absolute(path)
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    from_ron(&text, path, &dir, |root, relative| {
        let file = corpus::resolve(root, relative)?;
        corpus::read_document(&file)
    })
}

/// Parses a project's RON text. `read` reads a document given the corpus root and its relative
/// path; `path` names the file in messages; relative corpus paths are resolved from `project_dir`.
pub fn from_ron(
    text: &str,
    path: &Path,
    project_dir: &Path,
    read: impl Fn(&Path, &str) -> Result<corpus::DocumentText, CorpusError>,
) -> Result<(Project, Vec<Problem>), LoadError> {
    let file: ProjectFile = ron::from_str(text).map_err(|e| LoadError::Syntax {
        path: path.to_owned(),
        line: e.span.start.line,
        column: e.span.start.col,
        message: e.code.to_string(),
    })?;
    from_file(file, path, project_dir, read)
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
    read: impl Fn(&Path, &str) -> Result<corpus::DocumentText, CorpusError>,
) -> Result<(Project, Vec<Problem>), LoadError> {
    let file: ProjectFile = serde_json::from_str(text).map_err(|e| LoadError::Syntax {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    from_file(file, path, project_dir, read)
}

/// Builds the project from a parsed file: checks, corpus reading, problems.
fn from_file(
    file: ProjectFile,
    path: &Path,
    project_dir: &Path,
    read: impl Fn(&Path, &str) -> Result<corpus::DocumentText, CorpusError>,
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
    let mut problems = Vec::new();
    let mut seen_paths = BTreeSet::new();
    let mut seen_ids = BTreeSet::new();
    let mut documents = Vec::with_capacity(file.documents.len());
    for doc in file.documents {
        if !seen_paths.insert(doc.path.clone()) {
            return Err(invalid(format!(
                "the document {:?} is listed twice",
                doc.path
            )));
        }
        let (text, decoded_from, text_state) = match read(&corpus_root, &doc.path) {
            Ok(read) if read.hash == doc.sha256 => {
                (read.text, read.decoded_from, TextState::Current)
            }
            Ok(read) => {
                problems.push(Problem::TextChanged {
                    path: doc.path.clone(),
                    annotations: doc.annotations.len(),
                });
                (
                    read.text,
                    read.decoded_from,
                    TextState::Changed {
                        actual_hash: read.hash,
                    },
                )
            }
            Err(source @ CorpusError::OutsideCorpus(_)) => {
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
                (String::new(), None, TextState::Missing { reason })
            }
        };
        if let Some(encoding) = decoded_from {
            problems.push(Problem::Decoded {
                path: doc.path.clone(),
                encoding,
            });
        }
        let mut annotations = Vec::with_capacity(doc.annotations.len());
        for a in doc.annotations {
            if !seen_ids.insert(a.id) {
                return Err(invalid(format!("the id {} is used twice", a.id.0)));
            }
            let fragments: Vec<ByteRange> = a
                .fragments
                .iter()
                .map(|f| ByteRange::new(f.0, f.1))
                .collect();
            if text_state == TextState::Current {
                crate::model::check_fragments(&text, &fragments)
                    .map_err(|e| invalid(format!("span {} of {}: {e}", a.id.0, doc.path)))?;
            }
            annotations.push(Annotation {
                id: a.id,
                label: a.label,
                fragments,
                annotator: a.annotator,
                note: a.note,
                created: a.created,
                attributes: a.attributes,
                provenance: a.provenance,
            });
        }
        let ids: BTreeSet<Id> = annotations.iter().map(|a| a.id).collect();
        let mut relations = Vec::with_capacity(doc.relations.len());
        for r in doc.relations {
            if !seen_ids.insert(r.id) {
                return Err(invalid(format!("the id {} is used twice", r.id.0)));
            }
            for end in [r.from, r.to] {
                if !ids.contains(&end) {
                    return Err(invalid(format!(
                        "relation {} of {} points to {}, which is not a span of that document",
                        r.id.0, doc.path, end.0
                    )));
                }
            }
            relations.push(Relation {
                id: r.id,
                kind: r.kind,
                from: r.from,
                to: r.to,
                annotator: r.annotator,
                created: r.created,
            });
        }
        relations.sort_by_key(|r| r.id);
        let mut document = Document {
            path: doc.path,
            hash: doc.sha256,
            text: Arc::from(text),
            decoded_from,
            text_state,
            status: doc.status,
            annotations,
            relations,
            span_index: crate::model::SpanIndex::default(),
        };
        document.resort();
        documents.push(document);
    }
    let mut project = Project::new(file.annotator, corpus_root, file.schema, documents);
    // Labels used by annotations but missing from the schema are added, and reported.
    let unknown: Vec<(String, usize)> = project
        .counts_by_label()
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
    Ok((project, problems))
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
        assert!(matches!(
            project.documents[0].text_state,
            TextState::Changed { .. }
        ));
        assert!(matches!(
            project.documents[1].text_state,
            TextState::Missing { .. }
        ));
        assert_eq!(project.documents[0].annotations.len(), 1);
        assert!(problems.contains(&Problem::TextChanged {
            path: "a.txt".into(),
            annotations: 1
        }));
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
    }
}
