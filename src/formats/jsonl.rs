//! Marginalia's own JSONL: one document a line, for training and analysis.
//!
//! ```json
//! {"id": "000_…", "text": "…", "meta": {"path": "000_….txt", "status": "done", "sha256": "…", "boilerplate_removed": false},
//!  "spans": [{"id": 2, "start": 81, "end": 178, "label": "claim", "text": "…", "annotator": "camille", "note": "",
//!             "fragments": [{"start": 81, "end": 178, "text": "…"}], "attributes": [{"name": "stance", "value": "affirm"}],
//!             "suggested": {"suggester": "patterns", "rule": "dictionary: le Kremlin"}}],
//!  "relations": [{"id": 157, "type": "attributed-to", "from": 7, "to": 6}]}
//! ```
//!
//! Offsets count code points of `text`, so `text[start:end] == span["text"]` in Python for every
//! continuous span; a discontinuous span's `start`/`end` are its extent and its `text` the
//! fragments joined by a space, with each fragment exact. Every line has the same keys, so that
//! Hugging Face `datasets` infers typed columns. In an export where a span was accepted from a
//! suggestion, every span has one more key, `suggested`: the suggester and its rule, or `null`
//! (an export without such spans has no such key, as before suggestions existed).

use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{
    BOILERPLATE, ExportDoc, ExportReport, FormatError, Imported, ImportedDoc, ImportedRelation,
    ImportedSpan, Progress, code_points_to_bytes,
};
use crate::file::AtomicFile;
use crate::text::{ByteRange, CodePointIndex, Join, merge_ranges};

// The owned shapes read a file back; the borrowed `Out` ones write it without copying a string a
// span (large exports allocate little).

#[derive(Deserialize)]
struct Line {
    id: String,
    text: String,
    meta: Meta,
    spans: Vec<Span>,
    relations: Vec<RelationOut>,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    path: String,
    status: String,
    sha256: String,
    boilerplate_removed: bool,
}

#[derive(Deserialize)]
struct Span {
    id: u64,
    start: usize,
    end: usize,
    label: String,
    annotator: String,
    note: String,
    fragments: Vec<Fragment>,
    attributes: Vec<Attribute>,
    #[serde(default)]
    suggested: Option<crate::suggestion::Rule>,
}

#[derive(Deserialize)]
struct Fragment {
    start: usize,
    end: usize,
}

#[derive(Deserialize)]
struct Attribute {
    name: String,
    value: String,
}

#[derive(Serialize, Deserialize)]
struct RelationOut {
    id: u64,
    #[serde(rename = "type")]
    kind: String,
    from: u64,
    to: u64,
}

#[derive(Serialize)]
struct LineOut<'a> {
    id: &'a str,
    text: &'a str,
    meta: Meta,
    spans: Vec<SpanOut<'a>>,
    relations: Vec<RelationOut>,
}

#[derive(Serialize)]
struct SpanOut<'a> {
    id: u64,
    start: usize,
    end: usize,
    label: &'a str,
    text: std::borrow::Cow<'a, str>,
    annotator: &'a str,
    note: &'a str,
    fragments: Vec<FragmentOut<'a>>,
    attributes: Vec<AttributeOut<'a>>,
    /// The suggester and rule that suggested the span, when it was accepted from a suggestion
    /// (`null` otherwise). The key is on every span of an export that has such a span, and on
    /// none of one that has none (which is then as before suggestions existed): `datasets` needs
    /// the same keys on every span to type the column.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(
        clippy::option_option,
        reason = "the outer option is the key itself, the inner one its value (null)"
    )]
    suggested: Option<Option<&'a crate::suggestion::Rule>>,
}

#[derive(Serialize)]
struct FragmentOut<'a> {
    start: usize,
    end: usize,
    text: &'a str,
}

#[derive(Serialize)]
struct AttributeOut<'a> {
    name: &'a str,
    value: &'a str,
}

/// The text of a document with `cuts` (sorted, disjoint byte ranges) removed, and a function
/// that maps old byte offsets outside the cuts to new ones.
fn cut(text: &str, cuts: &[ByteRange]) -> (String, Vec<(usize, usize)>) {
    let mut kept = String::with_capacity(text.len());
    // (old start of a kept piece, new start of it)
    let mut pieces = Vec::new();
    let mut at = 0;
    for range in cuts {
        if range.start > at {
            pieces.push((at, kept.len()));
            kept.push_str(text.get(at..range.start).unwrap_or_default());
        }
        at = at.max(range.end);
    }
    if at < text.len() {
        pieces.push((at, kept.len()));
        kept.push_str(text.get(at..).unwrap_or_default());
    }
    (kept, pieces)
}

fn remap(pieces: &[(usize, usize)], old: usize) -> usize {
    let i = pieces.partition_point(|(start, _)| *start <= old);
    match i.checked_sub(1).and_then(|i| pieces.get(i)) {
        Some((start, new)) => new + (old - start),
        None => 0,
    }
}

/// The union of the boilerplate fragments of a document, sorted and merged.
fn boilerplate_ranges(doc: &ExportDoc<'_>) -> Vec<ByteRange> {
    merge_ranges(
        doc.document
            .annotations
            .iter()
            .filter(|a| a.label == BOILERPLATE)
            .flat_map(|a| a.fragments.iter().copied()),
        Join::OverlappingOrTouching,
    )
}

fn status_name(status: crate::model::Status) -> &'static str {
    match status {
        crate::model::Status::ToDo => "todo",
        crate::model::Status::InProgress => "in_progress",
        crate::model::Status::Done => "done",
    }
}

/// Writes one line a document to `out` (committed by the caller).
pub fn export(
    docs: &[ExportDoc<'_>],
    options: &super::ExportOptions,
    out: &mut AtomicFile,
    progress: Progress<'_>,
) -> Result<ExportReport, FormatError> {
    let path = out.path().to_owned();
    let mut report = ExportReport::default();
    let mut cut_spans = 0;
    let suggested_key = docs
        .iter()
        .flat_map(|d| &d.annotations)
        .any(|a| a.suggested.is_some());
    // Lines are serialised on all cores, and written in order.
    super::in_parallel(
        docs,
        |doc| document_line(doc, options, suggested_key),
        |finished, lines| {
            for line in lines {
                let line = line.map_err(|e| FormatError::Write {
                    path: path.clone(),
                    source: e.into(),
                })?;
                out.write_all(&line.json)
                    .map_err(FormatError::write(&path))?;
                report.documents += 1;
                report.spans += line.spans;
                report.relations += line.relations;
                cut_spans += line.cut_spans;
            }
            progress(finished, docs.len());
            Ok(())
        },
    )?;
    if cut_spans > 0 {
        report.notes.push(format!(
            "{cut_spans} span(s) overlapping boilerplate were left out with the boilerplate text"
        ));
    }
    Ok(report)
}

/// One document's line, serialised, with what it holds.
#[derive(Default)]
struct DocumentLine {
    json: Vec<u8>,
    spans: usize,
    relations: usize,
    cut_spans: usize,
}

/// One document's line; `suggested_key`: whether its spans carry the `suggested` key (every
/// span of the export does when one of them was accepted from a suggestion).
fn document_line(
    doc: &ExportDoc<'_>,
    options: &super::ExportOptions,
    suggested_key: bool,
) -> Result<DocumentLine, serde_json::Error> {
    let mut line_out = DocumentLine::default();
    let original = &doc.document.text;
    let cuts = if options.text_without_boilerplate {
        boilerplate_ranges(doc)
    } else {
        Vec::new()
    };
    let (cut_text, pieces) = if cuts.is_empty() {
        (String::new(), vec![(0, 0)])
    } else {
        cut(original, &cuts)
    };
    let text: &str = if cuts.is_empty() { original } else { &cut_text };
    let index = CodePointIndex::new(text);
    let mut spans = Vec::with_capacity(doc.annotations.len());
    let mut kept_ids = std::collections::BTreeSet::new();
    for annotation in &doc.annotations {
        if !cuts.is_empty() {
            if annotation.label == BOILERPLATE {
                continue;
            }
            if annotation
                .fragments
                .iter()
                .any(|f| cuts.iter().any(|c| c.overlaps(*f)))
            {
                line_out.cut_spans += 1;
                continue;
            }
        }
        let fragments: Vec<FragmentOut<'_>> = annotation
            .fragments
            .iter()
            .map(|f| {
                let (start, end) = (remap(&pieces, f.start), remap(&pieces, f.end));
                FragmentOut {
                    start: index.char_of_byte(start),
                    end: index.char_of_byte(end),
                    text: f.slice(original),
                }
            })
            .collect();
        let (Some(first), Some(last)) = (fragments.first(), fragments.last()) else {
            continue;
        };
        let (start, end) = (first.start, last.end);
        let text = match fragments.as_slice() {
            [one] => std::borrow::Cow::Borrowed(one.text),
            many => {
                std::borrow::Cow::Owned(many.iter().map(|f| f.text).collect::<Vec<_>>().join(" "))
            }
        };
        spans.push(SpanOut {
            id: annotation.id.0,
            start,
            end,
            label: &annotation.label,
            text,
            annotator: &annotation.annotator,
            note: &annotation.note,
            attributes: annotation
                .attributes
                .iter()
                .map(|(name, value)| AttributeOut { name, value })
                .collect(),
            fragments,
            suggested: suggested_key.then_some(annotation.suggested.as_ref()),
        });
        if !cuts.is_empty() {
            kept_ids.insert(annotation.id);
        }
    }
    let relations: Vec<RelationOut> = doc
        .relations
        .iter()
        .filter(|r| cuts.is_empty() || (kept_ids.contains(&r.from) && kept_ids.contains(&r.to)))
        .map(|r| RelationOut {
            id: r.id.0,
            kind: r.kind.clone(),
            from: r.from.0,
            to: r.to.0,
        })
        .collect();
    line_out.spans = spans.len();
    line_out.relations = relations.len();
    let line = LineOut {
        id: doc.name(),
        text,
        meta: Meta {
            path: doc.document.path.clone(),
            status: status_name(doc.document.status).to_owned(),
            sha256: doc.document.hash.clone(),
            boilerplate_removed: !cuts.is_empty(),
        },
        spans,
        relations,
    };
    let mut json = serde_json::to_vec(&line)?;
    json.push(b'\n');
    line_out.json = json;
    Ok(line_out)
}

/// Reads Marginalia JSONL (as exported, or written by hand with the same keys).
pub fn import(input: &Path) -> Result<Imported, FormatError> {
    parse(&super::read_input(input)?, input)
}

/// Reads Marginalia JSONL from `content`; `input` names the file in messages.
pub fn parse(content: &str, input: &Path) -> Result<Imported, FormatError> {
    let mut imported = Imported::default();
    for (number, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line: Line = serde_json::from_str(line)
            .map_err(|e| FormatError::parse(input, number + 1, e.to_string()))?;
        let index = CodePointIndex::new(&line.text);
        let path = if line.meta.path.is_empty() {
            format!("{}.txt", line.id)
        } else {
            line.meta.path.clone()
        };
        let mut spans = Vec::with_capacity(line.spans.len());
        for span in line.spans {
            let parts: Vec<(usize, usize)> = if span.fragments.is_empty() {
                vec![(span.start, span.end)]
            } else {
                span.fragments.iter().map(|f| (f.start, f.end)).collect()
            };
            let fragments: Option<Vec<ByteRange>> = parts
                .iter()
                .map(|(s, e)| code_points_to_bytes(&index, *s, *e))
                .collect();
            // Fragments must also be in order and apart (a span does not overlap itself).
            let fragments =
                fragments.filter(|f| crate::model::check_fragments(&line.text, f).is_ok());
            let Some(fragments) = fragments else {
                imported.report.push(format!(
                    "{}:{}: span {} ({}) does not fit the text: left out",
                    input.display(),
                    number + 1,
                    span.id,
                    span.label
                ));
                continue;
            };
            spans.push(ImportedSpan {
                key: span.id.to_string(),
                label: span.label,
                fragments,
                annotator: Some(span.annotator).filter(|a| !a.is_empty()),
                note: span.note,
                attributes: span
                    .attributes
                    .into_iter()
                    .map(|a| (a.name, a.value))
                    .collect(),
                suggested: span.suggested,
            });
        }
        let relations = line
            .relations
            .into_iter()
            .map(|r| ImportedRelation {
                kind: r.kind,
                from: r.from.to_string(),
                to: r.to.to_string(),
            })
            .collect();
        imported.documents.push(ImportedDoc {
            path,
            text: line.text,
            spans,
            relations,
        });
    }
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::tests::{to_file, torture_project};
    use crate::formats::{ExportOptions, select};

    fn export_lines(options: &ExportOptions) -> Vec<serde_json::Value> {
        let project = torture_project();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        let (docs, _) = select(&project, options);
        to_file(&out, |file| export(&docs, options, file, &mut |_, _| {})).unwrap();
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// `text[start:end]` as Python computes it: code points.
    fn py_slice(text: &str, start: u64, end: u64) -> String {
        text.chars()
            .skip(start as usize)
            .take((end - start) as usize)
            .collect()
    }

    #[test]
    fn every_span_text_is_the_python_slice_of_the_text() {
        for line in export_lines(&ExportOptions::default()) {
            let text = line["text"].as_str().unwrap();
            for span in line["spans"].as_array().unwrap() {
                for fragment in span["fragments"].as_array().unwrap() {
                    let (s, e) = (
                        fragment["start"].as_u64().unwrap(),
                        fragment["end"].as_u64().unwrap(),
                    );
                    assert_eq!(py_slice(text, s, e), fragment["text"].as_str().unwrap());
                }
                if span["fragments"].as_array().unwrap().len() == 1 {
                    let (s, e) = (
                        span["start"].as_u64().unwrap(),
                        span["end"].as_u64().unwrap(),
                    );
                    assert_eq!(py_slice(text, s, e), span["text"].as_str().unwrap());
                }
            }
        }
    }

    #[test]
    fn golden_line_for_the_bom_crlf_document() {
        let lines = export_lines(&ExportOptions::default());
        let first = &lines[0];
        assert_eq!(first["id"], "a-bom-crlf");
        assert_eq!(first["meta"]["status"], "done");
        // "\u{feff}Le Kremlin 😀 a dit\r\n« Vos …": the BOM is code point 0, the emoji one code
        // point, CRLF two.
        let quote = first["spans"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["label"] == "claim" && s["note"] != "nested")
            .unwrap();
        assert_eq!(
            (quote["start"].as_u64(), quote["end"].as_u64()),
            (Some(21), Some(51))
        );
        let keys: Vec<&str> = quote
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "annotator",
                "attributes",
                "end",
                "fragments",
                "id",
                "label",
                "note",
                "start",
                "text"
            ]
        );
        assert_eq!(first["relations"].as_array().unwrap().len(), 1);
        // Every line has the same keys.
        for line in &lines {
            let keys: Vec<&String> = line.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["id", "meta", "relations", "spans", "text"]);
        }
    }

    #[test]
    fn text_without_boilerplate_cuts_it_and_reoffsets_the_rest() {
        let options = ExportOptions {
            text_without_boilerplate: true,
            ..ExportOptions::default()
        };
        let lines = export_lines(&options);
        let first = &lines[0];
        let text = first["text"].as_str().unwrap();
        assert!(
            !text.contains("Poutine."),
            "the boilerplate span is cut: {text:?}"
        );
        assert_eq!(first["meta"]["boilerplate_removed"], true);
        for line in &lines {
            let text = line["text"].as_str().unwrap();
            for span in line["spans"].as_array().unwrap() {
                assert_ne!(span["label"], "boilerplate");
                for f in span["fragments"].as_array().unwrap() {
                    assert_eq!(
                        py_slice(
                            text,
                            f["start"].as_u64().unwrap(),
                            f["end"].as_u64().unwrap()
                        ),
                        f["text"].as_str().unwrap()
                    );
                }
            }
        }
        // "Poutine" (a source) overlapped the boilerplate "Poutine.": it went with it, and so did
        // its link.
        assert!(
            first["spans"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["text"] != "Poutine")
        );
        assert!(first["relations"].as_array().unwrap().is_empty());
    }

    #[test]
    fn export_then_import_gives_the_same_spans() {
        let project = torture_project();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        let (docs, _) = select(&project, &ExportOptions::default());
        to_file(&out, |file| {
            export(&docs, &ExportOptions::default(), file, &mut |_, _| {})
        })
        .unwrap();
        let imported = import(&out).unwrap();
        assert!(imported.report.is_empty(), "{:?}", imported.report);
        for (doc, back) in project.documents.iter().zip(&imported.documents) {
            assert_eq!(&*doc.text, back.text);
            assert_eq!(doc.path, back.path);
            let ours: Vec<(&str, &[ByteRange], &str)> = doc
                .annotations
                .iter()
                .map(|a| (a.label.as_str(), a.fragments.as_slice(), a.note.as_str()))
                .collect();
            let theirs: Vec<(&str, &[ByteRange], &str)> = back
                .spans
                .iter()
                .map(|s| (s.label.as_str(), s.fragments.as_slice(), s.note.as_str()))
                .collect();
            assert_eq!(ours, theirs);
            assert_eq!(doc.relations.len(), back.relations.len());
        }
    }

    #[test]
    fn i_a_span_accepted_from_a_suggestion_carries_its_suggester_and_rule() {
        let mut project = torture_project();
        let rule = crate::suggestion::Rule {
            suggester: crate::suggestion::Suggester::Patterns,
            rule: "dictionary: l'AFP « »".into(),
        };
        project.documents[0].annotations[0].suggested = Some(rule.clone());
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        let options = ExportOptions::default();
        let (docs, _) = select(&project, &options);
        to_file(&out, |file| export(&docs, &options, file, &mut |_, _| {})).unwrap();
        let first: serde_json::Value = serde_json::from_str(
            std::fs::read_to_string(&out)
                .unwrap()
                .lines()
                .next()
                .unwrap(),
        )
        .unwrap();
        let spans = first["spans"].as_array().unwrap();
        let id = project.documents[0].annotations[0].id.0;
        let span = spans.iter().find(|s| s["id"] == id).unwrap();
        assert_eq!(
            span["suggested"],
            serde_json::json!({"suggester": "patterns", "rule": "dictionary: l'AFP « »"})
        );
        // The other spans have the key too, null, so that `datasets` types the column.
        let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        for line in &lines {
            for other in line["spans"].as_array().unwrap() {
                if other["id"] != id {
                    assert_eq!(other.get("suggested"), Some(&serde_json::Value::Null));
                }
            }
        }
        // An export without such spans has no such key (golden_line_for_the_bom_crlf_document
        // checks the keys of one without).
        // And it comes back on import.
        let imported = import(&out).unwrap();
        let back: Vec<&crate::suggestion::Rule> = imported.documents[0]
            .spans
            .iter()
            .filter_map(|s| s.suggested.as_ref())
            .collect();
        assert_eq!(back, [&rule]);
    }

    #[test]
    fn broken_lines_are_reported_with_their_number() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.jsonl");
        std::fs::write(&input, "\n{\"id\": 3}\n").unwrap();
        let error = import(&input).unwrap_err().to_string();
        assert!(error.contains("in.jsonl:2:"), "{error}");
    }
}
