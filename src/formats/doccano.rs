//! doccano's sequence-labelling JSONL.
//!
//! Export writes doccano's current layout, one example a line:
//! `{"id", "text", "entities": [{"id", "label", "start_offset", "end_offset"}],
//! "relations": [{"id", "from_id", "to_id", "type"}], "Comments": [...]}`. doccano has no
//! discontinuous spans and no span notes: each fragment becomes an entity, and notes become
//! comments that name their span. Import reads that layout and the older one
//! (`"label": [[start, end, "label"], ...]`).

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
    out: &mut AtomicFile,
    progress: Progress<'_>,
) -> Result<ExportReport, FormatError> {
    let path = out.path().to_owned();
    let mut report = ExportReport::default();
    let mut split = 0;
    let mut next_entity = 1u64;
    for (i, doc) in docs.iter().enumerate() {
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
        line.insert("meta".to_owned(), Value::Object(meta));
        let line = Value::Object(line);
        serde_json::to_writer(&mut *out, &line).map_err(|e| FormatError::Write {
            path: path.clone(),
            source: e.into(),
        })?;
        out.write_all(b"\n").map_err(FormatError::write(&path))?;
        report.documents += 1;
        progress(i + 1, docs.len());
    }
    if split > 0 {
        report.notes.push(format!("{split} discontinuous span(s) were written as one doccano entity a fragment (doccano has no discontinuous spans)"));
    }
    Ok(report)
}

/// The keys of a doccano line that are not a document's metadata: a metadata key of that name
/// is written in the line's `meta`.
const RESERVED: [&str; 7] = [
    "id",
    "text",
    "entities",
    "label",
    "relations",
    "Comments",
    "meta",
];

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
        if let Some(labels) = value.get("label").and_then(Value::as_array) {
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
                    "label" if value.is_array() => {}
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
            status: None,
            ..ImportedDoc::default()
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
        let raw: Vec<Value> = std::fs::read_to_string(&fixture)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
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
        let report = to_file(&out, |file| export(&docs, file, &mut |_, _| {})).unwrap();
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
        let raw: Vec<serde_json::Map<String, Value>> = std::fs::read_to_string(&fixture)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
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
        let back: Vec<serde_json::Map<String, Value>> = std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
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
}
