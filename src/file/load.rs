//! Loading: reading the file (regular files only), parsing it, checking it against the schema and
//! the corpus, re-anchoring spans whose text changed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::anchor::{self, Anchor, Placement};
use crate::corpus::{self, CorpusError};
use crate::model::{Annotation, Document, Id, Project, Relation, TextState};
use crate::schema::{LabelDef, Rgb, Schema};

use super::errors::{LoadError, Problem, UnplacedSpan};
use super::format::{
    DocumentFile, FragmentFile, ProjectFile, RejectionFile, SuggestionFile, annotation_of,
    annotation_only, detached, project_file, rejection_of, relation_of, suggestion_of,
};
use super::save::FileStamp;
use super::unknown::{parse_with_ron, parse_with_ron_noting, unknown_field};
use super::{FORMAT_VERSION, absolute, read};
use crate::suggestion::{Rejection, Suggestion};

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
pub(super) fn normalized(path: &Path) -> PathBuf {
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
pub(super) fn read_project_text(path: &Path) -> Result<String, LoadError> {
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
pub(super) fn parse<'a>(text: &'a str, path: &Path) -> Result<ProjectFile<'a>, LoadError> {
    parse_noting(text, path).map(|(file, _)| file)
}

/// [`parse`], with a problem for each field of the file that Marginalia does not know (which is
/// ignored, and lost at the next save).
pub(super) fn parse_noting<'a>(
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
pub(super) fn from_file(
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
    let built: Vec<Result<_, _>> = file
        .documents
        .into_par_iter()
        .map(|doc| {
            let (document, mut problems) = document_of(doc, &corpus_root, path, &read)?;
            // Checked here, on the document just built, on all cores.
            problems.extend(outside_schema(&file.schema, &attributes, &document));
            Ok((document, problems))
        })
        .collect();
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
pub(super) fn schema_problems(schema: &Schema) -> Vec<Problem> {
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
        )
        .chain(
            schema
                .document_attributes
                .iter()
                .map(|a| ("document attribute", a.name.clone())),
        );
    let mut seen = BTreeSet::new();
    for (what, name) in names {
        if !seen.insert((what, name.clone())) {
            problems.push(Problem::DuplicateInSchema { what, name });
        }
    }
    // Each definition on its own: names given twice are reported above.
    problems.extend(schema.document_attributes.iter().filter_map(|def| {
        Schema::check_document_attributes(std::slice::from_ref(def))
            .err()
            .map(Problem::DocAttributeDefinition)
    }));
    problems.extend(schema.check_patterns().into_iter().map(Problem::Pattern));
    problems
}

/// What a document holds that the schema does not allow: links of a type it lacks, or between
/// labels their type does not allow; attributes it does not define for their span's label, or
/// values it does not allow (`attributes` holds the allowed values of each attribute, by label and
/// name). The app's edits never make these (they check the schema); a hand-edited or generated
/// file can. Labels the schema lacks are added to it when the project is loaded, with no
/// attributes and in no link type: checking against the schema of the file is the same.
pub(super) fn outside_schema(
    schema: &Schema,
    attributes: &BTreeMap<(&str, &str), &[String]>,
    document: &Document,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (name, value) in &document.attributes {
        let allowed = match schema.document_attribute(name) {
            Some(def) if def.is_free_text() || def.values.contains(value) => continue,
            Some(def) => Some(def.values.clone()),
            None => None,
        };
        problems.push(Problem::DocAttributeOutsideSchema {
            path: document.path.clone(),
            name: name.clone(),
            value: value.clone(),
            allowed,
        });
    }
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
pub(super) fn document_of(
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
    let suggestion_entries = std::mem::take(&mut doc.suggestions);
    let rejection_entries = std::mem::take(&mut doc.rejected);
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
    let on_text = match (&text_state, changed) {
        (TextState::Current, false) => OnText::Same(&text),
        (TextState::Current, true) => OnText::Changed(&text),
        _ => OnText::Unknown,
    };
    let (suggestions, rejected, dropped) =
        suggestions_of(&doc.path, &suggestion_entries, &rejection_entries, on_text)
            .map_err(invalid)?;
    problems.extend(dropped);
    let mut document = Document {
        path: doc.path,
        hash,
        text: Arc::from(text),
        decoded_from,
        text_state,
        status: doc.status,
        metadata: doc.metadata,
        attributes: doc.attributes,
        annotations,
        relations,
        detached: detached_spans,
        suggestions,
        rejected,
        span_index: crate::model::SpanIndex::default(),
    };
    document.resort();
    Ok((document, problems))
}

/// The text that a document's suggestions and rejections are read onto.
#[derive(Clone, Copy)]
enum OnText<'t> {
    /// The text they were made on.
    Same(&'t str),
    /// A text that changed since they were made.
    Changed(&'t str),
    /// No text: the file could not be read.
    Unknown,
}

/// A document's pending suggestions, its rejections, and what to tell about what was dropped.
type ReadSuggestions = (Vec<Suggestion>, Vec<Rejection>, Option<Problem>);

/// The pending suggestions and the rejections of the document at `path`, read from its file
/// entries, sorted, and what the user should hear about them.
///
/// - On the text they were made on, their fragments (and their links' other ends) are checked
///   as spans' are; a bad one refuses the file, with its document and place in words.
/// - On a text that changed, the pending suggestions are dropped (running the suggesters again
///   finds them on the new text) and a rejection is kept only where each of its fragments still
///   covers the text the file recorded for it; what is dropped is counted in a
///   [`Problem::SuggestionsDropped`].
/// - Without a text (a missing file), they are kept as they are, unchecked.
///
/// A score must be a number from 0 to 1 whatever the text.
fn suggestions_of(
    path: &str,
    entries: &[SuggestionFile<'_>],
    rejections: &[RejectionFile<'_>],
    text: OnText<'_>,
) -> Result<ReadSuggestions, String> {
    let fits = |fragments: &[crate::text::ByteRange]| match text {
        OnText::Same(text) | OnText::Changed(text) => {
            crate::model::check_fragments(text, fragments)
        }
        OnText::Unknown => Ok(()),
    };
    let mut suggestions = Vec::with_capacity(entries.len());
    for (n, entry) in entries.iter().enumerate() {
        let suggestion = suggestion_of(entry);
        let what = || {
            format!(
                "suggestion {} of {path} ({} by {})",
                n + 1,
                suggestion.label,
                suggestion.rule
            )
        };
        if !(0.0..=1.0).contains(&suggestion.score) {
            return Err(format!(
                "{}: its score {} is not a number from 0 to 1",
                what(),
                suggestion.score
            ));
        }
        if matches!(text, OnText::Changed(_)) {
            continue;
        }
        fits(&suggestion.fragments).map_err(|e| format!("{}: {e}", what()))?;
        if let Some(link) = &suggestion.link {
            fits(&link.fragments).map_err(|e| {
                format!(
                    "{}: the other end of its {} link ({}): {e}",
                    what(),
                    link.kind,
                    link.label
                )
            })?;
        }
        suggestions.push(suggestion);
    }
    let mut rejected = Vec::with_capacity(rejections.len());
    let mut forgotten = 0;
    for (n, entry) in rejections.iter().enumerate() {
        let rejection = rejection_of(entry);
        if let OnText::Changed(text) = text {
            let same_text = entry
                .fragments
                .iter()
                .all(|FragmentFile(start, end, recorded)| {
                    !recorded.is_empty() && text.get(*start..*end) == Some(recorded.as_ref())
                });
            if same_text && fits(&rejection.fragments).is_ok() {
                rejected.push(rejection);
            } else {
                forgotten += 1;
            }
            continue;
        }
        fits(&rejection.fragments).map_err(|e| {
            format!(
                "rejected suggestion {} of {path} ({} by {}): {e}",
                n + 1,
                rejection.label,
                rejection.rule
            )
        })?;
        rejected.push(rejection);
    }
    suggestions.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    rejected.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    rejected.dedup();
    let dropped = entries.len() - suggestions.len();
    let problem = (dropped > 0 || forgotten > 0).then(|| Problem::SuggestionsDropped {
        path: path.to_owned(),
        suggestions: dropped,
        rejections: forgotten,
    });
    Ok((suggestions, rejected, problem))
}
