//! doccano's sequence-labelling JSONL.
//!
//! Export writes doccano's current layout, one example a line:
//! `{"id", "text", "entities": [{"id", "label", "start_offset", "end_offset"}],
//! "relations": [{"id", "from_id", "to_id", "type"}], "Comments": [...]}`. doccano has no
//! discontinuous spans and no span notes: each fragment becomes an entity, and notes become
//! comments that name their span. Import reads that layout and the older one
//! (`"label": [[start, end, "label"], ...]`).
//!
//! Document attributes are doccano categories, `"cats": ["genre=news", "to-check=yes"]`, one
//! `NAME=VALUE` a value set. doccano has no project type with spans, relations and categories
//! together; this is the layout its importer takes for a project with spans and categories,
//! "Intent Detection and Slot Filling" (`CategoryAndSpanDataset` in doccano's
//! `backend/data_import/datasets.py` reads `entities` and `cats`; `SpanLabel.parse` in
//! `pipeline/label.py` takes entities as `{label, start_offset, end_offset}` objects), and the
//! one its exporter writes for it (`mapper_intent_detection = {..., Categories.column: "cats"}`
//! in `backend/data_export/pipeline/factories.py`). A "Sequence labeling" project with
//! relations reads `entities` and `relations`, and keeps `cats` with the other columns. Import
//! also reads a text classification export's `label` list of strings as categories. A category
//! without `=` is the attribute `category`.
//!
//! Every character outside ASCII is written as a `\uXXXX` escape (see [`ascii_json`]): doccano
//! guesses the encoding of the files its span imports read.
//!
//! The document's metadata is written as doccano writes an example's columns, beside `text`
//! (a key doccano uses itself goes in `meta`); its doccano `id` comes back as it was read.

use std::io::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use super::{
    ExportDoc, ExportReport, FormatError, Imported, ImportedDoc, ImportedRelation, ImportedSpan,
    Located, Progress, locate,
};
use crate::file::AtomicFile;
use crate::text::CodePointIndex;

/// Writes one doccano example a document to `out` (committed by the caller).
pub fn export(
    docs: &[ExportDoc<'_>],
    schema: &crate::schema::Schema,
    out: &mut AtomicFile,
    progress: Progress<'_>,
) -> Result<ExportReport, FormatError> {
    let path = out.path().to_owned();
    let mut report = ExportReport::default();
    let mut split = 0;
    let mut empty = 0;
    let mut next_entity = 1u64;
    let attributes = super::export_attributes(schema, docs);
    for (i, doc) in docs.iter().enumerate() {
        if doc.document.text.is_empty() {
            empty += 1;
        }
        let text = &doc.document.text;
        let index = CodePointIndex::new(text);
        let mut entities = Vec::new();
        let mut comments = Vec::new();
        // The entity that stands for each annotation in relations: its first fragment.
        let mut first_entity = std::collections::BTreeMap::new();
        for annotation in &doc.annotations {
            if annotation.fragments.len() > 1 {
                split += 1;
            }
            for (n, fragment) in annotation.fragments.iter().enumerate() {
                let id = next_entity;
                next_entity += 1;
                if n == 0 {
                    first_entity.insert(annotation.id, id);
                }
                entities.push(json!({
                    "id": id,
                    "label": annotation.label,
                    "start_offset": index.char_of_byte(fragment.start),
                    "end_offset": index.char_of_byte(fragment.end),
                }));
            }
            if !annotation.note.is_empty() {
                comments.push(Value::String(format!(
                    "{} «{}»: {}",
                    annotation.label,
                    annotation.text(text),
                    annotation.note
                )));
            }
        }
        let relations: Vec<Value> = doc
            .relations
            .iter()
            .filter_map(|r| {
                Some(json!({
                    "id": r.id.0,
                    "from_id": first_entity.get(&r.from)?,
                    "to_id": first_entity.get(&r.to)?,
                    "type": r.kind,
                }))
            })
            .collect();
        report.spans += doc.annotations.len();
        report.relations += relations.len();
        // The document's metadata goes where doccano keeps the columns of an import: beside
        // `text` (in `meta` for a key doccano uses itself). Its doccano id comes back as it was.
        let mut meta = serde_json::Map::new();
        meta.insert("path".to_owned(), Value::from(doc.document.path.as_str()));
        let mut line = serde_json::Map::new();
        for (key, value) in &doc.document.metadata {
            if key == "id" {
                continue;
            }
            if RESERVED.contains(&key.as_str()) {
                meta.insert(key.clone(), value.clone());
            } else {
                line.insert(key.clone(), value.clone());
            }
        }
        let id = doc
            .document
            .metadata
            .get("id")
            .filter(|id| id.is_u64() || id.is_string())
            .cloned()
            .unwrap_or_else(|| Value::from(i + 1));
        line.insert("id".to_owned(), id);
        line.insert("text".to_owned(), Value::from(&**text));
        line.insert("entities".to_owned(), Value::Array(entities));
        line.insert("relations".to_owned(), Value::Array(relations));
        line.insert("Comments".to_owned(), Value::Array(comments));
        if !attributes.is_empty() {
            // Every line has the key, as doccano writes it.
            let cats = attributes
                .keys()
                .filter_map(|name| {
                    let value = doc.document.attributes.get(*name)?;
                    Some(Value::String(format!("{name}={value}")))
                })
                .collect();
            line.insert("cats".to_owned(), Value::Array(cats));
        }
        line.insert("meta".to_owned(), Value::Object(meta));
        let line = Value::Object(line).to_string();
        out.write_all(ascii_json(&line).as_bytes())
            .map_err(FormatError::write(&path))?;
        out.write_all(b"\n").map_err(FormatError::write(&path))?;
        report.documents += 1;
        progress(i + 1, docs.len());
    }
    if empty > 0 {
        report.notes.push(format!(
            "{empty} document(s) with no text written as they are: doccano refuses a line with \
             empty text (\"Invalid data\") and imports the others"
        ));
    }
    if split > 0 {
        report.notes.push(format!("{split} discontinuous span(s) were written as one doccano entity per fragment (doccano has no discontinuous spans)"));
    }
    Ok(report)
}

/// `json` with every character outside ASCII written as a `\uXXXX` escape (two, a surrogate
/// pair, beyond the BMP), as Python's `json.dumps` does by default. doccano's "JSONL(Relation)"
/// and Intent imports offer no encoding and guess it with chardet, which took a UTF-8 file with
/// emoji for Windows-1254 and imported nothing; an ASCII file is read right whatever the guess.
/// Only JSON strings can hold such characters, so the result is the same JSON.
fn ascii_json(json: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0_u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out
}

/// The keys of a doccano line that are not a document's metadata: a metadata key of that name
/// is written in the line's `meta`.
const RESERVED: [&str; 8] = [
    "id",
    "text",
    "entities",
    "label",
    "relations",
    "Comments",
    "meta",
    "cats",
];

/// The attribute of a doccano category without `=` (one of a project's own).
const CATEGORY: &str = "category";

fn number(value: &Value) -> Option<usize> {
    value.as_u64().and_then(|n| usize::try_from(n).ok())
}

fn key(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Reads a doccano JSONL export (either layout).
pub fn import(input: &Path) -> Result<Imported, FormatError> {
    parse(&super::read_input(input)?, input)
}

/// Reads a doccano JSONL export from `content`; `input` names the file in messages.
pub fn parse(content: &str, input: &Path) -> Result<Imported, FormatError> {
    let mut imported = Imported::default();
    let mut utf16 = 0;
    for (number_, line) in content.lines().enumerate() {
        let line_no = number_ + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line)
            .map_err(|e| FormatError::parse(input, line_no, e.to_string()))?;
        let Some(text) = value.get("text").and_then(Value::as_str) else {
            return Err(FormatError::parse(input, line_no, "no \"text\""));
        };
        let index = CodePointIndex::new(text);
        let utf16_index = super::Utf16Index::default();
        let id = value.get("id").map_or_else(|| line_no.to_string(), key);
        let path = value
            .pointer("/meta/path")
            .and_then(Value::as_str)
            .map_or_else(
                || {
                    format!(
                        "{:05}_{}.txt",
                        imported.documents.len() + 1,
                        id.replace(['/', '\\'], "_")
                    )
                },
                str::to_owned,
            );
        let mut spans = Vec::new();
        let mut place = |key: String,
                         label: String,
                         start: usize,
                         end: usize,
                         spans: &mut Vec<ImportedSpan>,
                         report: &mut Vec<String>| {
            match locate(text, &index, &utf16_index, start, end, None) {
                Ok((range, how)) => {
                    if how == Located::Utf16 {
                        utf16 += 1;
                    }
                    spans.push(ImportedSpan {
                        key,
                        label,
                        fragments: vec![range],
                        annotator: None,
                        note: String::new(),
                        attributes: std::collections::BTreeMap::new(),
                        suggested: None,
                    });
                }
                Err(why) => report.push(format!(
                    "{}:{line_no}: entity {key} ({label}) left out: {why}",
                    input.display()
                )),
            }
        };
        if let Some(entities) = value.get("entities").and_then(Value::as_array) {
            for entity in entities {
                let (Some(start), Some(end), Some(label)) = (
                    entity.get("start_offset").and_then(number),
                    entity.get("end_offset").and_then(number),
                    entity.get("label").and_then(Value::as_str),
                ) else {
                    imported.report.push(format!("{}:{line_no}: an entity without start_offset, end_offset and label was left out: {entity}", input.display()));
                    continue;
                };
                let key = entity
                    .get("id")
                    .map_or_else(|| format!("e{}", spans.len()), key);
                place(
                    key,
                    label.to_owned(),
                    start,
                    end,
                    &mut spans,
                    &mut imported.report,
                );
            }
        }
        // Categories: `cats`, or a text classification export's `label` list of strings.
        let mut attributes = std::collections::BTreeMap::new();
        let label_categories = value
            .get("label")
            .and_then(Value::as_array)
            .filter(|labels| !labels.is_empty() && labels.iter().all(Value::is_string));
        let categories = value
            .get("cats")
            .and_then(Value::as_array)
            .into_iter()
            .chain(label_categories)
            .flatten();
        for category in categories {
            let Some(category) = category.as_str() else {
                imported.report.push(format!(
                    "{}:{line_no}: category {category} is not a text: left out",
                    input.display()
                ));
                continue;
            };
            let (name, set) = category
                .split_once('=')
                .filter(|(name, _)| !name.is_empty())
                .unwrap_or((CATEGORY, category));
            if let Some(first) = attributes.get(name) {
                imported.report.push(format!(
                    "{}:{line_no}: category {category:?} left out: the document's {name:?} is \
                     {first:?} already (an attribute has one value)",
                    input.display()
                ));
                continue;
            }
            attributes.insert(name.to_owned(), set.to_owned());
        }
        if let Some(labels) = value
            .get("label")
            .and_then(Value::as_array)
            .filter(|_| label_categories.is_none())
        {
            for (n, item) in labels.iter().enumerate() {
                match item.as_array().map(Vec::as_slice) {
                    Some([start, end, label])
                        if number(start).is_some()
                            && number(end).is_some()
                            && label.is_string() =>
                    {
                        let (start, end) = (number(start).unwrap_or(0), number(end).unwrap_or(0));
                        place(
                            format!("l{n}"),
                            key(label),
                            start,
                            end,
                            &mut spans,
                            &mut imported.report,
                        );
                    }
                    _ => imported.report.push(format!(
                        "{}:{line_no}: label {item} is not [start, end, \"label\"]: left out",
                        input.display()
                    )),
                }
            }
        }
        let mut relations = Vec::new();
        for relation in value
            .get("relations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(from), Some(to)) = (relation.get("from_id"), relation.get("to_id")) else {
                imported.report.push(format!(
                    "{}:{line_no}: relation without from_id/to_id left out: {relation}",
                    input.display()
                ));
                continue;
            };
            let kind = relation
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("related")
                .to_owned();
            relations.push(ImportedRelation {
                kind,
                from: key(from),
                to: key(to),
            });
        }
        for comment in value
            .get("Comments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let text = comment.as_str().map(str::to_owned).or_else(|| {
                ["text", "comment"]
                    .iter()
                    .find_map(|k| comment.get(*k).and_then(Value::as_str).map(str::to_owned))
            });
            imported.report.push(format!(
                "{path}: document comment kept here, as doccano ties it to no span: {}",
                text.unwrap_or_else(|| comment.to_string())
            ));
        }
        // Everything else the line holds (an import's columns: title, url…, and its id) is the
        // document's metadata; so are the keys of its `meta` but the path.
        let mut metadata = crate::model::Metadata::new();
        if let Value::Object(object) = &value {
            for (key, value) in object {
                match key.as_str() {
                    "meta" => {
                        if let Value::Object(meta) = value {
                            metadata.extend(
                                meta.iter()
                                    .filter(|(k, _)| k.as_str() != "path")
                                    .map(|(k, v)| (k.clone(), v.clone())),
                            );
                        } else {
                            metadata.insert(key.clone(), value.clone());
                        }
                    }
                    "text" | "entities" | "relations" | "Comments" => {}
                    "label" | "cats" if value.is_array() => {}
                    _ => {
                        metadata.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        imported.documents.push(ImportedDoc {
            path,
            text: text.to_owned(),
            spans,
            relations,
            metadata,
            attributes,
            status: None,
        });
    }
    if utf16 > 0 {
        imported.notes.push(format!(
            "{utf16} span(s) had offsets in UTF-16 code units and were corrected"
        ));
    }
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::tests::json_lines;
    use crate::formats::tests::{to_file, torture_project};
    use crate::formats::{ExportOptions, select};

    #[test]
    fn the_real_doccano_fixture_imports_with_exact_offsets() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/doccano/fede-m_sexism-italian-news_b9f472e_all.jsonl");
        if !fixture.exists() {
            eprintln!("skipped: {} is absent", fixture.display());
            return;
        }
        let imported = import(&fixture).unwrap();
        let raw: Vec<Value> = json_lines(&fixture);
        assert_eq!(imported.documents.len(), raw.len());
        let first = &imported.documents[0];
        assert!(first.text.starts_with("A Camp Arena"));
        let entity = &raw[0]["entities"][0];
        let span = &first.spans[0];
        assert_eq!(
            span.label,
            "Masculine of Professions (and grammatical mismatch)"
        );
        let expected: String = first
            .text
            .chars()
            .skip(entity["start_offset"].as_u64().unwrap() as usize)
            .take(
                (entity["end_offset"].as_u64().unwrap() - entity["start_offset"].as_u64().unwrap())
                    as usize,
            )
            .collect();
        assert_eq!(span.fragments[0].slice(&first.text), expected);
        let total: usize = raw
            .iter()
            .map(|r| r["entities"].as_array().unwrap().len())
            .sum();
        assert_eq!(
            imported
                .documents
                .iter()
                .map(|d| d.spans.len())
                .sum::<usize>(),
            total,
            "no entity dropped"
        );
    }

    #[test]
    fn export_then_import_gives_the_same_spans_and_links() {
        let project = torture_project();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        let (docs, _) = select(&project, &ExportOptions::default());
        let report = to_file(&out, |file| {
            export(&docs, &project.schema, file, &mut |_, _| {})
        })
        .unwrap();
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.contains("1 discontinuous span")),
            "{:?}",
            report.notes
        );
        let imported = import(&out).unwrap();
        crate::formats::tests::assert_fragments_come_back(&project, &imported);
        // Notes travel as comments, and come back in the report.
        assert!(imported.report.iter().any(|r| r.contains("citation")));
    }

    #[test]
    fn the_old_label_layout_is_read_and_bad_offsets_reported() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("old.jsonl");
        std::fs::write(&input, "{\"id\": 7, \"text\": \"😀 Kim a dit\", \"label\": [[2, 5, \"PER\"], [1, 99, \"BAD\"]]}\n").unwrap();
        let imported = import(&input).unwrap();
        let doc = &imported.documents[0];
        assert_eq!(doc.spans.len(), 1);
        assert_eq!(
            doc.spans[0].fragments[0].slice(&doc.text),
            "Kim",
            "code points: the emoji counts one"
        );
        assert!(
            imported.report.iter().any(|r| r.contains("BAD")),
            "{:?}",
            imported.report
        );
    }

    /// doccano's export keeps an import's columns beside `text` (this fixture has 15: `title`,
    /// `url`, `thread`…): they are the document's metadata, and go back where they were, with
    /// the doccano id, on export.
    #[test]
    fn h_doccano_keeps_its_passthrough_keys_and_ids() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/doccano/fede-m_sexism-italian-news_b9f472e_all.jsonl");
        if !fixture.exists() {
            eprintln!("skipped: {} is absent", fixture.display());
            return;
        }
        let raw: Vec<serde_json::Map<String, Value>> = json_lines(&fixture);
        let read = ["text", "entities", "relations", "Comments"];
        let passthrough: Vec<&String> = raw[0]
            .keys()
            .filter(|k| !read.contains(&k.as_str()) && *k != "id")
            .collect();
        assert!(passthrough.len() >= 15, "{passthrough:?}");
        let dir = tempfile::tempdir().unwrap();
        let (project, _) = crate::formats::build_project(
            import(&fixture).unwrap(),
            &dir.path().join("corpus"),
            "a",
        )
        .unwrap();
        let out = dir.path().join("out.jsonl");
        crate::formats::export(
            &project,
            crate::formats::Format::Doccano,
            &ExportOptions::default(),
            &out,
            &mut |_, _| {},
        )
        .unwrap();
        let back: Vec<serde_json::Map<String, Value>> = json_lines(&out);
        assert_eq!(back.len(), raw.len());
        for original in &raw {
            let exported = back
                .iter()
                .find(|b| b["text"] == original["text"] && b["id"] == original["id"])
                .expect("the same id and text");
            for (key, value) in original {
                if !read.contains(&key.as_str()) {
                    assert_eq!(exported.get(key), Some(value), "{key}");
                }
            }
        }
    }

    fn export_project(project: &crate::model::Project, out: &Path) {
        crate::formats::export(
            project,
            crate::formats::Format::Doccano,
            &ExportOptions::default(),
            out,
            &mut |_, _| {},
        )
        .unwrap();
    }

    /// doccano 1.8.4 guesses the encoding of a "JSONL(Relation)" file with chardet: it read the
    /// torture export (emoji, Arabic, combining marks) as Windows-1254 and imported nothing.
    /// Written in ASCII, with `\u` escapes, it imports every span and link (checked with a real
    /// doccano), and reads back the same text here.
    #[test]
    fn h_doccano_export_is_ascii_so_doccano_never_guesses_its_encoding_wrong() {
        let project = crate::formats::tests::torture_project();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("torture.jsonl");
        export_project(&project, &out);
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.is_ascii(), "a byte outside ASCII");
        let lines = json_lines::<serde_json::Value>(&out);
        for (line, document) in lines.iter().zip(&project.documents) {
            assert_eq!(line["text"].as_str(), Some(&*document.text));
        }
        let imported = super::import(&out).unwrap();
        let texts: Vec<&str> = imported.documents.iter().map(|d| d.text.as_str()).collect();
        let expected: Vec<&str> = project.documents.iter().map(|d| &*d.text).collect();
        assert_eq!(texts, expected);
        assert_eq!(super::ascii_json("\"😀é\""), "\"\\ud83d\\ude00\\u00e9\"");
    }

    /// doccano refuses a line with empty text ("Invalid data in line 5" on the torture export):
    /// the export says so instead of leaving it to doccano's log.
    #[test]
    fn h_doccano_export_names_the_documents_doccano_will_refuse() {
        let project = crate::formats::tests::torture_project();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("torture.jsonl");
        let report = crate::formats::export(
            &project,
            crate::formats::Format::Doccano,
            &ExportOptions::default(),
            &out,
            &mut |_, _| {},
        )
        .unwrap();
        let empty = project
            .documents
            .iter()
            .filter(|d| d.text.is_empty())
            .count();
        assert_eq!(empty, 1);
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.starts_with("1 document(s) with no text")
                    && n.contains("doccano refuses")),
            "{:?}",
            report.notes
        );
    }

    /// Document attributes go out as doccano categories, `cats: ["NAME=VALUE", ...]` beside the
    /// `entities` (the layout of doccano's "Intent Detection and Slot Filling" import and
    /// export), and come back as the documents' attributes with schema definitions; a text
    /// classification export's `label` list is read as categories too.
    #[test]
    fn l_document_attributes_round_trip_through_doccano() {
        let project = crate::formats::tests::attributed_project();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        export_project(&project, &out);
        let lines = json_lines::<serde_json::Value>(&out);
        assert_eq!(
            lines[0]["cats"],
            json!([
                "genre=tribune libre é",
                "résumé=Poutine « salue » 😀, قال",
                "to-check=yes"
            ])
        );
        assert_eq!(
            lines[1]["cats"],
            json!(["genre=رأي", "to-check=peut-être 🤔"])
        );
        assert_eq!(lines[2]["cats"], json!(["to-check=no"]));
        // Entities as doccano's importer takes them: label, start_offset, end_offset.
        assert!(lines[0]["entities"][0]["start_offset"].is_u64());
        let (back, _) =
            crate::formats::build_project(import(&out).unwrap(), &dir.path().join("corpus"), "zoé")
                .unwrap();
        assert_eq!(
            crate::formats::tests::attributes_by_path(&back),
            crate::formats::tests::attributes_by_path(&project)
        );
        for doc in &back.documents {
            assert!(!doc.metadata.contains_key("cats"), "{:?}", doc.metadata);
        }
        let genre = back.schema.document_attribute("genre").unwrap();
        assert_eq!(
            genre.values,
            ["tribune libre é", "رأي"],
            "the values met, sorted"
        );
        // doccano's text classification export: `label` is a list of category names.
        let input = dir.path().join("classes.jsonl");
        std::fs::write(
            &input,
            "{\"id\": 3, \"text\": \"Un texte.\", \"label\": [\"opinion\"], \"Comments\": []}\n\
             {\"id\": 4, \"text\": \"Deux.\", \"label\": [\"genre=news\", \"genre=autre\"]}\n",
        )
        .unwrap();
        let imported = import(&input).unwrap();
        assert_eq!(imported.documents[0].attributes["category"], "opinion");
        assert_eq!(imported.documents[1].attributes["genre"], "news");
        assert!(imported.documents[0].spans.is_empty());
        assert!(!imported.documents[0].metadata.contains_key("label"));
        assert!(
            imported
                .report
                .iter()
                .any(|r| r.contains("\"genre=autre\" left out")),
            "{:?}",
            imported.report
        );
    }

    /// A doccano id, number or text, comes back as it was through an import and an export, and
    /// again through a second round; a project that never had one gets the line numbers, which
    /// then stay.
    #[test]
    fn h_doccano_ids_survive_a_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.jsonl");
        std::fs::write(
            &input,
            "{\"id\": 17, \"text\": \"Le Kremlin 😀 a dit.\", \"entities\": [{\"id\": 5, \"label\": \"source\", \"start_offset\": 0, \"end_offset\": 10}], \"relations\": [], \"title\": \"Titre é\"}\n\
             {\"id\": \"abc-é/2\", \"text\": \"قال المتحدث\", \"entities\": []}\n",
        )
        .unwrap();
        let mut ids = Vec::new();
        let mut from = input;
        for round in 0..2 {
            let (project, _) = crate::formats::build_project(
                import(&from).unwrap(),
                &dir.path().join(format!("corpus{round}")),
                "zoé",
            )
            .unwrap();
            let out = dir.path().join(format!("out{round}.jsonl"));
            export_project(&project, &out);
            let lines = json_lines::<serde_json::Value>(&out);
            let mut round_ids: Vec<(String, Value)> = lines
                .iter()
                .map(|l| (l["text"].as_str().unwrap().to_owned(), l["id"].clone()))
                .collect();
            round_ids.sort_by(|a, b| a.0.cmp(&b.0));
            assert!(round_ids.contains(&("Le Kremlin 😀 a dit.".to_owned(), json!(17))));
            assert!(round_ids.contains(&("قال المتحدث".to_owned(), json!("abc-é/2"))));
            assert!(
                lines
                    .iter()
                    .all(|l| l.get("meta").is_some_and(|m| m.get("id").is_none()))
            );
            ids.push(round_ids);
            from = out;
        }
        assert_eq!(ids[0], ids[1]);
        // A project that had no doccano ids: the line numbers, kept from then on.
        let first = dir.path().join("first.jsonl");
        export_project(&torture_project(), &first);
        let numbered: Vec<Value> = json_lines::<serde_json::Value>(&first)
            .iter()
            .map(|l| l["id"].clone())
            .collect();
        assert_eq!(numbered, [json!(1), json!(2), json!(3)]);
        let (project, _) = crate::formats::build_project(
            import(&first).unwrap(),
            &dir.path().join("corpus-first"),
            "zoé",
        )
        .unwrap();
        let again = dir.path().join("again.jsonl");
        export_project(&project, &again);
        let texts = |lines: Vec<Value>| -> Vec<(Value, Value)> {
            lines
                .into_iter()
                .map(|l| (l["id"].clone(), l["text"].clone()))
                .collect()
        };
        assert_eq!(
            texts(json_lines::<serde_json::Value>(&again)),
            texts(json_lines::<serde_json::Value>(&first))
        );
    }
}
