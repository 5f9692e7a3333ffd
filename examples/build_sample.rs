//! Rebuilds the bundled sample projects from the annotators' quote files.
//!
//! `assets/sample-annotations.tsv` and `assets/second-annotator.tsv` list each annotation by the
//! exact text it covers (with the occurrence number when the text repeats), its label, links and
//! attributes: easy to review by eye. This turns them into `projects/sample.ron` and
//! `projects/sample-second-annotator.ron` (and the torture corpus of the format tests into
//! `tests/fixtures/torture/torture.ron`), with fixed times so that reruns give the same files.
//!
//! Run from the repository root: `cargo run --example build_sample --no-default-features`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{Context as _, bail};
use marginalia::edit::Edit;
use marginalia::model::{Annotation, Relation, Status, Timestamp};
use marginalia::schema::{DocAttributeDef, PatternDef};
use marginalia::text::ByteRange;
use marginalia::workspace::Workspace;

/// 2026-11-01T09:00:00Z: the sample annotations' first creation time.
const START: i64 = 1_793_523_600;

fn build(
    tsv: &Path,
    corpus: &Path,
    annotator: &str,
    output: &Path,
    patterns: &[PatternDef],
    document_attributes: &[DocAttributeDef],
) -> anyhow::Result<()> {
    let source =
        std::fs::read_to_string(tsv).with_context(|| format!("cannot read {}", tsv.display()))?;
    let mut ws = Workspace::from_folder(corpus, annotator)?;
    if !document_attributes.is_empty() {
        ws.apply(Edit::SetDocAttributeDefs {
            defs: document_attributes.to_vec(),
        })?;
    }
    let mut doc = None;
    let mut keys: HashMap<(usize, String), marginalia::model::Id> = HashMap::new();
    let mut links = Vec::new();
    let mut clock = START;
    for (number, line) in source.lines().enumerate() {
        let at = || format!("{}:{}", tsv.display(), number + 1);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix("== ") {
            let index = ws
                .project()
                .documents
                .iter()
                .position(|d| d.path == name.trim());
            doc = Some(index.with_context(|| format!("{}: no document {name}", at()))?);
            continue;
        }
        // `@ genre=news<TAB>to-check=yes`: the document's attributes.
        if let Some(values) = line.strip_prefix("@ ") {
            let doc = doc.with_context(|| format!("{}: attributes before any `== file`", at()))?;
            for pair in values.split('\t') {
                let (name, value) = pair
                    .split_once('=')
                    .with_context(|| format!("{}: expected name=value", at()))?;
                ws.apply(Edit::SetDocAttribute {
                    doc,
                    name: name.to_owned(),
                    value: Some(value.to_owned()),
                })
                .with_context(at)?;
            }
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [key, label, occurrence, quote, link, attributes, note] = fields.as_slice() else {
            bail!("{}: expected 7 tab-separated fields", at());
        };
        let doc = doc.with_context(|| format!("{}: annotation before any `== file` line", at()))?;
        let text = ws
            .project()
            .document(doc)
            .context("no such document")?
            .text
            .clone();
        let occurrence: usize = occurrence.parse().with_context(at)?;
        // ` ||| ` separates the fragments of a discontinuous span; each is found after the last.
        let mut fragments = Vec::new();
        let mut from = 0;
        for (n, part) in quote.split(" ||| ").enumerate() {
            let skip = if n == 0 {
                occurrence.saturating_sub(1)
            } else {
                0
            };
            let start = text
                .get(from..)
                .and_then(|rest| rest.match_indices(part).nth(skip))
                .map(|(start, _)| from + start)
                .with_context(|| {
                    format!("{}: {part:?} occurs fewer than {occurrence} times", at())
                })?;
            fragments.push(ByteRange::new(start, start + part.len()));
            from = start + part.len();
        }
        let id = ws.allocate_id();
        let attributes: BTreeMap<String, String> = attributes
            .split(',')
            .filter(|a| *a != "-")
            .filter_map(|a| a.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        clock += 37;
        let annotation = Annotation {
            id,
            label: (*label).to_owned(),
            fragments,
            annotator: annotator.to_owned(),
            note: if *note == "-" {
                String::new()
            } else {
                (*note).to_owned()
            },
            created: Timestamp(clock),
            attributes: BTreeMap::new(),
            suggested: None,
            provenance: None,
        };
        ws.apply(Edit::AddAnnotation { doc, annotation })
            .with_context(at)?;
        for (name, value) in attributes {
            ws.apply(Edit::SetAttribute {
                doc,
                id,
                name,
                value: Some(value),
            })
            .with_context(at)?;
        }
        keys.insert((doc, (*key).to_owned()), id);
        for target in link.split(',').filter(|l| *l != "-" && !l.is_empty()) {
            links.push((doc, id, target.trim().to_owned(), at()));
        }
    }
    // Links may point forward: resolve them once every span of the file exists.
    for (doc, from, target, at) in &links {
        let to = *keys
            .get(&(*doc, target.clone()))
            .with_context(|| format!("{at}: no span {target} in this document"))?;
        clock += 11;
        let relation = Relation {
            id: ws.allocate_id(),
            kind: "attributed-to".to_owned(),
            from: *from,
            to,
            annotator: annotator.to_owned(),
            created: Timestamp(clock),
        };
        ws.apply(Edit::AddRelation {
            doc: *doc,
            relation,
        })
        .with_context(|| at.clone())?;
    }
    for doc in 0..ws.project().documents.len() {
        ws.apply(Edit::SetStatus {
            doc,
            status: Status::Done,
        })?;
    }
    ws.save_as(output)?;
    if !patterns.is_empty() {
        // The schema's dictionaries (no edit changes them yet): written into the saved file.
        let (mut project, _) = marginalia::file::load(output)?;
        project.schema.patterns = patterns.to_vec();
        marginalia::file::save(&project, output)?;
    }
    println!(
        "{}: {} spans",
        output.display(),
        ws.project().annotation_count()
    );
    Ok(())
}

/// The document attributes of the sample projects (issue L).
fn sample_document_attributes() -> Vec<DocAttributeDef> {
    vec![
        DocAttributeDef {
            name: "genre".to_owned(),
            values: ["news", "opinion", "press-release", "other"]
                .map(str::to_owned)
                .to_vec(),
            description: "What kind of article this is: news reports facts, opinion argues, a \
                          press release is the organisation's own text."
                .to_owned(),
            key: "g".to_owned(),
        },
        DocAttributeDef {
            name: "to-check".to_owned(),
            values: ["yes", "no", "unsure"].map(str::to_owned).to_vec(),
            description: "Whether the article holds claims worth sending to fact-checkers."
                .to_owned(),
            key: "c".to_owned(),
        },
    ]
}

fn main() -> anyhow::Result<()> {
    let corpus = Path::new("assets/corpus");
    let document_attributes = sample_document_attributes();
    build(
        Path::new("assets/sample-annotations.tsv"),
        corpus,
        "camille",
        Path::new("projects/sample.ron"),
        // Sources the analyst named in the issue that asked for dictionaries; in this corpus every
        // occurrence is (or is inside) a source of the gold annotation.
        &[PatternDef {
            label: "source".to_owned(),
            terms: vec!["l'AFP".into(), "le Kremlin".into(), "KCNA".into()],
            ..PatternDef::default()
        }],
        &document_attributes,
    )?;
    build(
        Path::new("assets/second-annotator.tsv"),
        corpus,
        "jules",
        Path::new("projects/sample-second-annotator.ron"),
        &[],
        &document_attributes,
    )?;
    let torture = Path::new("tests/fixtures/torture");
    build(
        &torture.join("annotations.tsv"),
        &torture.join("corpus"),
        "zoé",
        &torture.join("torture.ron"),
        &[],
        &[],
    )
}
