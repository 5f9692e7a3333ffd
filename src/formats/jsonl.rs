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
//! (an export without such spans has no such key, as before suggestions existed). An export that
//! keeps the unresolved candidates of a gold project (`--include-unresolved`) gives every span
//! `unresolved`: `true` for a candidate, `false` for a settled span.

use std::io::Write as _;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::{
    BOILERPLATE, ExportDoc, ExportReport, FormatError, Imported, ImportedDoc, ImportedRelation,
    ImportedSpan, Progress, code_points_to_bytes,
};
use crate::file::AtomicFile;
use crate::text::{ByteRange, CodePointIndex, Join, merge_ranges};

// The owned shapes read a file back; the borrowed `Out` ones write it without copying a string a
// span (large exports allocate little).

/// Our own keys in a line's `meta`: the document's place, progress and hash.
const META_KEYS: [&str; 4] = ["path", "status", "sha256", "boilerplate_removed"];

/// The prefix of a metadata key written in `meta` whose name is one of [`META_KEYS`]
/// (`"metadata:path"`): read back as the key without it.
const META_PREFIX: &str = "metadata:";

#[derive(Serialize)]
struct Meta<'a> {
    path: &'a str,
    status: &'a str,
    sha256: &'a str,
    boilerplate_removed: bool,
    /// The document's metadata, beside our keys.
    #[serde(flatten)]
    metadata: std::collections::BTreeMap<std::borrow::Cow<'a, str>, &'a serde_json::Value>,
}

#[derive(Serialize)]
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
    meta: Meta<'a>,
    /// The document attributes: every one of the export, by name, its value or `null` (no key
    /// when the export has none, as before document attributes existed).
    #[serde(skip_serializing_if = "Option::is_none")]
    attributes: Option<std::collections::BTreeMap<&'a str, Option<&'a str>>>,
    /// spaCy's text categories: `"NAME=VALUE"` for every listed value of every attribute, 1.0
    /// for the document's value and 0.0 for the others (no key when the export lists none).
    #[serde(skip_serializing_if = "Option::is_none")]
    cats: Option<std::collections::BTreeMap<String, f64>>,
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
    /// Whether the span is an unresolved candidate of a gold project: on every span of an export
    /// that keeps them ([`super::ExportOptions::include_unresolved`]), on none otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    unresolved: Option<bool>,
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
    schema: &crate::schema::Schema,
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
    let attributes = super::export_attributes(schema, docs);
    // Lines are serialised on all cores, and written in order.
    super::in_parallel(
        docs,
        |doc| document_line(doc, options, suggested_key, &attributes),
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
/// span of the export does when one of them was accepted from a suggestion); `attributes`: the
/// document attributes of the export, with their listed values
/// ([`super::export_attributes`]).
fn document_line(
    doc: &ExportDoc<'_>,
    options: &super::ExportOptions,
    suggested_key: bool,
    attributes: &std::collections::BTreeMap<&str, Vec<&str>>,
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
            unresolved: options
                .include_unresolved
                .then(|| annotation.is_unresolved()),
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
    let metadata = doc
        .document
        .metadata
        .iter()
        .map(|(key, value)| {
            let key = if META_KEYS.contains(&key.as_str()) || key.starts_with(META_PREFIX) {
                std::borrow::Cow::Owned(format!("{META_PREFIX}{key}"))
            } else {
                std::borrow::Cow::Borrowed(key.as_str())
            };
            (key, value)
        })
        .collect();
    let line = LineOut {
        id: doc.name(),
        text,
        meta: Meta {
            path: &doc.document.path,
            status: status_name(doc.document.status),
            sha256: &doc.document.hash,
            boilerplate_removed: !cuts.is_empty(),
            metadata,
        },
        attributes: (!attributes.is_empty()).then(|| {
            attributes
                .keys()
                .map(|name| {
                    (
                        *name,
                        doc.document.attributes.get(*name).map(String::as_str),
                    )
                })
                .collect()
        }),
        cats: attributes.values().any(|v| !v.is_empty()).then(|| {
            attributes
                .iter()
                .flat_map(|(name, values)| {
                    let set = doc.document.attributes.get(*name);
                    values.iter().map(move |value| {
                        let score = if set.is_some_and(|s| s == value) {
                            1.0
                        } else {
                            0.0
                        };
                        (format!("{name}={value}"), score)
                    })
                })
                .collect()
        }),
        spans,
        relations,
    };
    let mut json = serde_json::to_vec(&line)?;
    json.push(b'\n');
    line_out.json = json;
    Ok(line_out)
}

/// Reads span JSONL: Marginalia's own export, and the span files of spaCy, Prodigy and most
/// scripts (see [`parse`]).
pub fn import(input: &Path) -> Result<Imported, FormatError> {
    parse(&super::read_input(input)?, input)
}

/// Keys of a line that [`parse`] reads itself; every other key is document metadata.
const LINE_KEYS: [&str; 9] = [
    "text",
    "id",
    "meta",
    "spans",
    "ents",
    "relations",
    "answer",
    "tokens",
    "sents",
];

/// Keys of a span that [`parse`] reads itself (`token_start`/`token_end` are derived from the
/// character offsets, and dropped); every other key becomes an attribute of the span.
const SPAN_KEYS: [&str; 11] = [
    "id",
    "start",
    "end",
    "label",
    "text",
    "token_start",
    "token_end",
    "annotator",
    "note",
    "fragments",
    "attributes",
];

/// What [`parse`] counts over the whole file, reported once at the end.
#[derive(Default)]
struct Tally {
    /// Lines left out by their Prodigy `answer`, by answer.
    answers: std::collections::BTreeMap<String, usize>,
    /// Lines whose `tokens` list was not kept.
    tokens: usize,
    /// Span keys kept as attributes, with how many spans had each.
    span_keys: std::collections::BTreeMap<String, usize>,
    /// Spans whose offsets were UTF-16 code units.
    utf16: usize,
    /// The document attributes met (in `attributes` or as `cats`), with the values `cats`
    /// lists for each (none: free text).
    document_attributes: std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
}

/// The text of a JSON value used as a key or an attribute value: a string as it is, anything
/// else as JSON.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A JSON value's kind, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn offset(value: Option<&Value>) -> Option<usize> {
    value
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
}

fn status_of(name: &str) -> Option<crate::model::Status> {
    use crate::model::Status;
    match name {
        "todo" => Some(Status::ToDo),
        "in_progress" => Some(Status::InProgress),
        "done" => Some(Status::Done),
        _ => None,
    }
}

/// Reads span JSONL from `content`; `input` names the file in messages.
///
/// Each line is a JSON object; only `text` is required. Read from it:
/// - `id` (string or number) names the document, or `meta.path`; without either it is named
///   after the file and its line;
/// - `meta`: our own keys (`path`, `status`, `sha256`, `boilerplate_removed`); its other keys,
///   and every key of the line not read here, are the document's metadata;
/// - `spans`: `start`/`end` in code points, `label`, and optionally `id`, `text` (checked against
///   the text: a disagreement is reported, and the span kept at its offsets unless the offsets are
///   UTF-16 code units), `fragments` (a discontinuous span; `start`/`end` that disagree with them
///   are reported), `annotator`, `note`, `attributes` (a list of `{name, value}` or an object),
///   `suggested`; `token_start`/`token_end` are dropped, other keys kept as attributes;
/// - `relations`: ours (`type`, `from`, `to` span ids) or Prodigy's (`label`, `head_span`,
///   `child_span`);
/// - Prodigy's `answer`: lines answered other than `accept` are left out and counted; `tokens`
///   are dropped (spans are read from their character offsets) and counted.
///
/// A line with no spans is a document to annotate.
pub fn parse(content: &str, input: &Path) -> Result<Imported, FormatError> {
    let mut imported = Imported::default();
    let mut tally = Tally::default();
    let stem = input
        .file_stem()
        .map_or_else(|| "line".to_owned(), |s| s.to_string_lossy().into_owned());
    for (number, line) in content.lines().enumerate() {
        let line_no = number + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line)
            .map_err(|e| FormatError::parse(input, line_no, e.to_string()))?;
        let Value::Object(mut object) = value else {
            return Err(FormatError::parse(
                input,
                line_no,
                format!(
                    "a line is a JSON object with the document's \"text\", not {}",
                    kind(&value)
                ),
            ));
        };
        let text = match object.remove("text") {
            Some(Value::String(text)) => text,
            Some(other) => {
                return Err(FormatError::parse(
                    input,
                    line_no,
                    format!("\"text\" must be a string, not {}", kind(&other)),
                ));
            }
            None => {
                return Err(FormatError::parse(
                    input,
                    line_no,
                    "no \"text\": each line needs the document's text",
                ));
            }
        };
        if let Some(answer) = object.get("answer")
            && answer.as_str() != Some("accept")
        {
            *tally.answers.entry(plain(answer)).or_default() += 1;
            continue;
        }
        if object.get("tokens").is_some() {
            tally.tokens += 1;
        }
        let (document, mut report) = read_line(
            &mut object,
            text,
            line_no,
            input,
            &stem,
            &mut tally,
            &mut imported.notes,
        );
        imported.report.append(&mut report);
        imported.documents.push(document);
    }
    for (answer, count) in &tally.answers {
        imported.report.push(format!(
            "{count} line(s) answered {answer:?} (not \"accept\") were left out"
        ));
    }
    if tally.tokens > 0 {
        imported.report.push(format!(
            "{} line(s) had a \"tokens\" list: not kept (spans are read from their character \
             offsets, and exports tokenise again)",
            tally.tokens
        ));
    }
    // Kept, another way: notes, not losses.
    for (key, count) in &tally.span_keys {
        imported.notes.push(format!(
            "{count} span(s) had a {key:?} key: kept as the span's attribute {key:?}"
        ));
    }
    if tally.utf16 > 0 {
        imported.notes.push(format!(
            "{} span(s) had offsets in UTF-16 code units (their text matched only that way) and \
             were read that way",
            tally.utf16
        ));
    }
    imported.document_attributes = tally
        .document_attributes
        .into_iter()
        .map(|(name, values)| crate::schema::DocAttributeDef {
            name,
            values: values.into_iter().collect(),
            description: String::new(),
            key: String::new(),
        })
        .collect();
    Ok(imported)
}

/// One line's document (its `text` taken out of `object` already), with what was reported.
fn read_line(
    object: &mut serde_json::Map<String, Value>,
    text: String,
    line_no: usize,
    input: &Path,
    stem: &str,
    tally: &mut Tally,
    notes: &mut Vec<String>,
) -> (ImportedDoc, Vec<String>) {
    let mut report = Vec::new();
    let at = format!("{}:{line_no}", input.display());
    let mut metadata = crate::model::Metadata::new();
    let mut path = None;
    let mut status = None;
    match object.remove("meta") {
        Some(Value::Object(meta)) => {
            for (key, value) in meta {
                match (key.as_str(), &value) {
                    ("path", Value::String(p)) if !p.is_empty() => path = Some(p.clone()),
                    ("status", Value::String(s)) if status_of(s).is_some() => {
                        status = status_of(s);
                    }
                    ("sha256" | "boilerplate_removed", _) => {}
                    _ => {
                        let key = key
                            .strip_prefix(META_PREFIX)
                            .map_or(key.clone(), str::to_owned);
                        metadata.insert(key, value);
                    }
                }
            }
        }
        Some(other) => {
            metadata.insert("meta".to_owned(), other);
        }
        None => {}
    }
    let id = object
        .remove("id")
        .filter(|v| !v.is_null())
        .map(|v| plain(&v));
    let path = path.unwrap_or_else(|| match &id {
        Some(id) => format!("{}.txt", id.replace(['/', '\\'], "_")),
        None => format!("{stem}-{line_no:05}.txt"),
    });
    let attributes = document_attributes(object, &mut tally.document_attributes);
    let spans_value = spans_of(object.remove("spans"), object.remove("ents"));
    let relations_value = object.remove("relations");
    for key in LINE_KEYS {
        object.remove(key);
    }
    metadata.extend(std::mem::take(object));

    let index = CodePointIndex::new(&text);
    let utf16_index = super::Utf16Index::default();
    let mut spans = Vec::new();
    // Each span's key by its extent in code points and label, for Prodigy's relations.
    let mut by_extent = std::collections::HashMap::new();
    let items = match spans_value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            report.push(format!(
                "{at}: \"spans\" is {}, not a list: no span read",
                kind(&other)
            ));
            Vec::new()
        }
    };
    for (n, item) in items.into_iter().enumerate() {
        let Value::Object(span) = item else {
            report.push(format!(
                "{at}: span {} is {}, not an object: left out",
                n + 1,
                kind(&item)
            ));
            continue;
        };
        let key = span
            .get("id")
            .filter(|v| !v.is_null())
            .map_or_else(|| format!("#{}", n + 1), plain);
        let Some(label) = span.get("label").and_then(Value::as_str) else {
            report.push(format!("{at}: span {key} has no \"label\": left out"));
            continue;
        };
        let label = label.to_owned();
        let name = format!("{at}: span {key} ({label})");
        let fragments_given: Vec<(usize, usize)> = match span.get("fragments") {
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(|f| Some((offset(f.get("start"))?, offset(f.get("end"))?)))
                .collect(),
            _ => Vec::new(),
        };
        let given = (offset(span.get("start")), offset(span.get("end")));
        let parts = if fragments_given.is_empty() {
            let (Some(start), Some(end)) = given else {
                report.push(format!(
                    "{name} has no \"start\" and \"end\" (nor \"fragments\"): left out"
                ));
                continue;
            };
            vec![(start, end)]
        } else {
            if let (Some(start), Some(end), Some(first), Some(last)) = (
                given.0,
                given.1,
                fragments_given.first(),
                fragments_given.last(),
            ) && (start, end) != (first.0, last.1)
            {
                notes.push(format!(
                    "{name}: start and end {start}..{end} disagree with its fragments \
                     ({}..{}): read from its fragments",
                    first.0, last.1
                ));
            }
            fragments_given
        };
        let said = span.get("text").and_then(Value::as_str);
        let fragments = match place(&text, &index, &utf16_index, &parts, said) {
            Ok((fragments, Placed::AsSaid)) => fragments,
            Ok((fragments, Placed::Utf16)) => {
                tally.utf16 += 1;
                fragments
            }
            Ok((fragments, Placed::Disagrees(actual))) => {
                notes.push(format!(
                    "{name}: its \"text\" is {:?} but its offsets cover {actual:?}: kept at its \
                     offsets",
                    said.unwrap_or_default()
                ));
                fragments
            }
            Err(why) => {
                report.push(format!("{name}: {why}: left out"));
                continue;
            }
        };
        if let (Some(first), Some(last)) = (parts.first(), parts.last()) {
            by_extent.insert((first.0, last.1, label.clone()), key.clone());
        }
        let mut attributes = std::collections::BTreeMap::new();
        match span.get("attributes") {
            Some(Value::Array(list)) => {
                for attribute in list {
                    if let Some(name) = attribute.get("name").and_then(Value::as_str) {
                        let value = attribute.get("value").map(plain).unwrap_or_default();
                        attributes.insert(name.to_owned(), value);
                    }
                }
            }
            Some(Value::Object(map)) => {
                for (name, value) in map {
                    attributes.insert(name.clone(), plain(value));
                }
            }
            _ => {}
        }
        let mut suggested = None;
        for (key, value) in &span {
            if key == "suggested" {
                if !value.is_null() {
                    if let Ok(rule) = serde_json::from_value(value.clone()) {
                        suggested = Some(rule);
                    } else {
                        attributes.insert(key.clone(), plain(value));
                        *tally.span_keys.entry(key.clone()).or_default() += 1;
                    }
                }
            } else if !SPAN_KEYS.contains(&key.as_str())
                && !value.is_null()
                && value.as_str() != Some("")
            {
                attributes.insert(key.clone(), plain(value));
                *tally.span_keys.entry(key.clone()).or_default() += 1;
            }
        }
        let string = |k: &str| span.get(k).and_then(Value::as_str).unwrap_or_default();
        spans.push(ImportedSpan {
            key,
            label,
            fragments,
            annotator: Some(string("annotator").to_owned()).filter(|a| !a.is_empty()),
            note: string("note").to_owned(),
            attributes,
            suggested,
        });
    }
    let mut relations = Vec::new();
    if let Some(Value::Array(items)) = relations_value {
        for relation in items {
            let kind = ["type", "label"]
                .iter()
                .find_map(|k| relation.get(*k).and_then(Value::as_str))
                .unwrap_or("related")
                .to_owned();
            let end = |ours: &str, prodigy: &str| {
                if let Some(id) = relation.get(ours).filter(|v| !v.is_null()) {
                    return Some(plain(id));
                }
                let span = relation.get(prodigy)?;
                let start = offset(span.get("start"))?;
                let end = offset(span.get("end"))?;
                let label = span
                    .get("label")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                by_extent.get(&(start, end, label.to_owned())).cloned()
            };
            match (end("from", "head_span"), end("to", "child_span")) {
                (Some(from), Some(to)) => relations.push(ImportedRelation { kind, from, to }),
                _ => report.push(format!(
                    "{at}: relation {relation} names no span of this line at one of its ends: \
                     left out"
                )),
            }
        }
    }
    let document = ImportedDoc {
        path,
        text,
        spans,
        relations,
        metadata,
        attributes,
        status,
    };
    (document, report)
}

/// A line's document attributes, taken out of `object`, and added to those met in `declared`
/// with the values `cats` lists: ours are the document-level `attributes` (an object of values
/// by name, `null` for none) and `cats` (`"NAME=VALUE"`, 1.0 or 0.0); a `cats` alone, all of
/// whose keys are `NAME=VALUE` (spaCy's or Prodigy's text categories written so), gives each
/// name its best-scored value of at least 0.5. A `cats` with other keys (`{"news": 1.0}`), or an
/// `attributes` that is not an object, is left in `object`: the document's metadata.
fn document_attributes(
    object: &mut serde_json::Map<String, Value>,
    declared: &mut std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> std::collections::BTreeMap<String, String> {
    let mut values = std::collections::BTreeMap::new();
    let named = if let Some(Value::Object(_)) = object.get("attributes")
        && let Some(Value::Object(attributes)) = object.remove("attributes")
    {
        for (name, value) in attributes {
            declared.entry(name.clone()).or_default();
            match value {
                Value::Null => {}
                other => {
                    values.insert(name, plain(&other));
                }
            }
        }
        true
    } else {
        false
    };
    // Each key of `cats` as its name (the longest one of `attributes` it starts with, else what
    // comes before its first `=`) and value, with its score.
    let split = |key: &str| -> Option<(String, String)> {
        let known = values
            .keys()
            .chain(declared.keys())
            .filter(|name| {
                key.strip_prefix(name.as_str())
                    .is_some_and(|rest| rest.starts_with('='))
            })
            .max_by_key(|name| name.len());
        match known {
            Some(name) => Some((name.clone(), key.get(name.len() + 1..)?.to_owned())),
            None => key
                .split_once('=')
                .filter(|(name, _)| !name.is_empty())
                .map(|(name, value)| (name.to_owned(), value.to_owned())),
        }
    };
    let cats: Option<Vec<(String, String, f64)>> = match object.get("cats") {
        Some(Value::Object(cats)) if !cats.is_empty() => cats
            .iter()
            .map(|(key, score)| {
                let (name, value) = split(key)?;
                Some((name, value, score.as_f64()?))
            })
            .collect(),
        _ => None,
    };
    if let Some(cats) = cats {
        object.remove("cats");
        let mut best: std::collections::BTreeMap<String, (String, f64)> =
            std::collections::BTreeMap::new();
        for (name, value, score) in cats {
            declared
                .entry(name.clone())
                .or_default()
                .insert(value.clone());
            if score >= 0.5 && best.get(&name).is_none_or(|(_, s)| score > *s) {
                best.insert(name, (value, score));
            }
        }
        if !named {
            values.extend(best.into_iter().map(|(name, (value, _))| (name, value)));
        }
    }
    values
}

/// A line's spans as one list: `spans` as a list (ours, Prodigy's) or as span groups by name
/// (spaCy's `Doc.to_json`), and spaCy's `ents`, without repeating a span that is in both.
fn spans_of(spans: Option<Value>, ents: Option<Value>) -> Option<Value> {
    let groups = match spans {
        Some(Value::Object(groups)) => Some(
            groups
                .into_iter()
                .flat_map(|(_, group)| match group {
                    Value::Array(items) => items,
                    other => vec![other],
                })
                .collect::<Vec<_>>(),
        ),
        Some(Value::Array(items)) => Some(items),
        Some(Value::Null) | None => None,
        Some(other) => return Some(other),
    };
    let ents = match ents {
        Some(Value::Array(items)) => Some(items),
        _ => None,
    };
    match (groups, ents) {
        (None, None) => None,
        (Some(items), None) | (None, Some(items)) => Some(Value::Array(items)),
        (Some(mut items), Some(ents)) => {
            let same = |a: &Value, b: &Value| {
                ["start", "end", "label"]
                    .iter()
                    .all(|k| a.get(*k) == b.get(*k))
            };
            for ent in ents {
                if !items.iter().any(|item| same(item, &ent)) {
                    items.push(ent);
                }
            }
            Some(Value::Array(items))
        }
    }
}

/// How a span's offsets were placed on the text.
enum Placed {
    /// As code points, covering the text the span said (or it said none).
    AsSaid,
    /// As UTF-16 code units: the text the span said matched only that way.
    Utf16,
    /// As code points, covering another text than the span said (that text).
    Disagrees(String),
}

/// The byte fragments of a span given as code point ranges `parts`, checked against the text
/// it says it covers (`said`: the fragments joined by a space, as our export writes it).
fn place(
    text: &str,
    index: &CodePointIndex,
    utf16: &super::Utf16Index,
    parts: &[(usize, usize)],
    said: Option<&str>,
) -> Result<(Vec<ByteRange>, Placed), String> {
    if let ([(start, end)], Some(said)) = (parts, said)
        && let Ok((range, super::Located::Utf16)) =
            super::locate(text, index, utf16, *start, *end, Some(said))
    {
        return Ok((vec![range], Placed::Utf16));
    }
    let fragments: Vec<ByteRange> = parts
        .iter()
        .map(|&(start, end)| {
            code_points_to_bytes(index, start, end).ok_or_else(|| {
                format!(
                    "offsets {start}..{end} do not fit the text ({} code points)",
                    index.len_chars()
                )
            })
        })
        .collect::<Result<_, _>>()?;
    crate::model::check_fragments(text, &fragments).map_err(|e| e.to_string())?;
    let covered = fragments
        .iter()
        .map(|f| f.slice(text))
        .collect::<Vec<_>>()
        .join(" ");
    match said {
        Some(said) if said != covered => Ok((fragments, Placed::Disagrees(covered))),
        _ => Ok((fragments, Placed::AsSaid)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::tests::json_lines;
    use crate::formats::tests::{to_file, torture_project};
    use crate::formats::{ExportOptions, select};

    fn export_lines(options: &ExportOptions) -> Vec<serde_json::Value> {
        let project = torture_project();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        let (docs, _) = select(&project, options);
        to_file(&out, |file| {
            export(&docs, &project.schema, options, file, &mut |_, _| {})
        })
        .unwrap();
        json_lines(&out)
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
            export(
                &docs,
                &project.schema,
                &ExportOptions::default(),
                file,
                &mut |_, _| {},
            )
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
        to_file(&out, |file| {
            export(&docs, &project.schema, &options, file, &mut |_, _| {})
        })
        .unwrap();
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
        let lines: Vec<serde_json::Value> = json_lines(&out);
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

    fn read(content: &str) -> Imported {
        parse(content, Path::new("in.jsonl")).unwrap()
    }

    fn texts_of(doc: &ImportedDoc) -> Vec<(&str, &str)> {
        doc.spans
            .iter()
            .map(|s| (s.label.as_str(), s.fragments[0].slice(&doc.text)))
            .collect()
    }

    /// The span JSONL most scripts write: only `text`, and spans with `start`, `end`, `label`.
    #[test]
    fn h_a_span_file_with_only_text_and_offsets_is_read() {
        let imported = read(
            "{\"text\": \"L'AFP cite « Vos soldats », dit Zoé 😀.\", \"spans\": [{\"start\": 0, \"end\": 5, \"label\": \"source\"}, {\"start\": 11, \"end\": 26, \"label\": \"claim\"}]}\n\
             {\"text\": \"Rien à signaler.\"}\n",
        );
        assert_eq!(imported.documents.len(), 2);
        assert_eq!(
            texts_of(&imported.documents[0]),
            [("source", "L'AFP"), ("claim", "« Vos soldats »")]
        );
        assert!(imported.documents[1].spans.is_empty());
        assert!(imported.report.is_empty(), "{:?}", imported.report);
        assert_eq!(imported.documents[0].path, "in-00001.txt");
        assert_eq!(imported.documents[1].path, "in-00002.txt");
    }

    /// A Prodigy `ner.manual` / `rel.manual` export, written from Prodigy's documentation: tokens,
    /// hashes, `answer`, span `token_start`/`token_end`, relations by `head_span`/`child_span`.
    #[test]
    fn h_a_prodigy_export_is_read_with_its_answers_and_relations() {
        let accept = serde_json::json!({
            "text": "Apple updates its analytics service, said Tim Cook.",
            "_input_hash": 1_186_542_124, "_task_hash": -1_521_435_412, "_view_id": "relations",
            "tokens": [{"text": "Apple", "start": 0, "end": 5, "id": 0, "ws": true}],
            "spans": [
                {"start": 0, "end": 5, "token_start": 0, "token_end": 0, "label": "ORG", "text": "Apple"},
                {"start": 42, "end": 50, "token_start": 7, "token_end": 8, "label": "PERSON", "source": "core_web_sm", "input_hash": 12}
            ],
            "relations": [{"head": 0, "child": 7, "head_span": {"start": 0, "end": 5, "token_start": 0, "token_end": 0, "label": "ORG"},
                           "child_span": {"start": 42, "end": 50, "token_start": 7, "token_end": 8, "label": "PERSON"},
                           "color": "#c5bdf4", "label": "attributed-to"}],
            "meta": {"source": "BBC", "score": 0.5},
            "answer": "accept", "_timestamp": 1_700_000_000
        });
        let reject = serde_json::json!({"text": "Non.", "spans": [{"start": 0, "end": 3, "label": "ORG"}], "answer": "reject"});
        let ignore = serde_json::json!({"text": "Passe.", "answer": "ignore"});
        let imported = read(&format!("{accept}\n{reject}\n{ignore}\n"));
        assert_eq!(imported.documents.len(), 1, "only the accepted line");
        let doc = &imported.documents[0];
        assert_eq!(texts_of(doc), [("ORG", "Apple"), ("PERSON", "Tim Cook")]);
        assert_eq!(doc.relations.len(), 1);
        assert_eq!(doc.relations[0].kind, "attributed-to");
        assert_eq!(doc.relations[0].from, "#1");
        assert_eq!(doc.relations[0].to, "#2");
        assert_eq!(doc.spans[1].attributes["source"], "core_web_sm");
        // Unknown keys are the document's metadata, never a failure.
        assert_eq!(doc.metadata["source"], "BBC");
        assert_eq!(doc.metadata["score"], 0.5);
        assert_eq!(doc.metadata["_input_hash"], 1_186_542_124);
        assert_eq!(doc.metadata["_view_id"], "relations");
        assert!(!doc.metadata.contains_key("tokens"));
        assert!(!doc.metadata.contains_key("answer"));
        let report = imported.report.join("\n");
        assert!(report.contains("1 line(s) answered \"reject\""), "{report}");
        assert!(report.contains("1 line(s) answered \"ignore\""), "{report}");
        assert!(report.contains("\"tokens\" list"), "{report}");
        // Kept as an attribute: a note, not in the report of what was not imported.
        assert!(!report.contains("\"source\" key"), "{report}");
        assert!(
            imported
                .notes
                .iter()
                .any(|n| n
                    == "1 span(s) had a \"source\" key: kept as the span's attribute \"source\""),
            "{:?}",
            imported.notes
        );
    }

    /// spaCy's `Doc.to_json()`: `ents`, span groups under `spans`, `sents`, `tokens`, `cats`.
    #[test]
    fn h_spacy_doc_to_json_is_read() {
        let line = serde_json::json!({
            "text": "Le Kremlin a démenti, selon l'AFP.",
            "ents": [{"start": 3, "end": 10, "label": "ORG"}],
            "spans": {"sc": [{"start": 3, "end": 10, "label": "ORG", "kb_id": ""}, {"start": 28, "end": 33, "label": "source", "kb_id": ""}]},
            "sents": [{"start": 0, "end": 34}],
            "tokens": [{"id": 0, "start": 0, "end": 2}],
            "cats": {"news": 1.0}
        });
        let imported = read(&format!("{line}\n"));
        let doc = &imported.documents[0];
        assert_eq!(texts_of(doc), [("ORG", "Kremlin"), ("source", "l'AFP")]);
        assert!(doc.spans.iter().all(|s| s.attributes.is_empty()));
        assert_eq!(doc.metadata["cats"], serde_json::json!({"news": 1.0}));
        assert!(!doc.metadata.contains_key("sents"));
    }

    /// A span whose `text` is not what its offsets cover is reported and kept where its offsets
    /// say; one whose `start`/`end` disagree with its fragments is read from its fragments, and
    /// reported; UTF-16 offsets (a JavaScript tool on emoji) are read as such when the text says.
    #[test]
    fn h_disagreements_are_reported_never_shifted() {
        let line = serde_json::json!({
            "id": 7,
            "text": "😀 Kim a dit « non » hier.",
            "spans": [
                {"id": 1, "start": 2, "end": 5, "label": "source", "text": "Kin"},
                {"id": 2, "start": 0, "end": 30, "label": "claim", "fragments": [{"start": 2, "end": 5}, {"start": 12, "end": 19}]},
                {"id": 3, "start": 3, "end": 6, "label": "source", "text": "Kim"},
                {"id": 4, "start": 0, "end": 99, "label": "claim"},
                {"start": 1, "label": "claim"}
            ]
        });
        let imported = read(&format!("{line}\n"));
        let doc = &imported.documents[0];
        assert_eq!(doc.path, "7.txt");
        let report = imported.report.join("\n");
        // Kept, read another way: notes, not "not imported" (H 7).
        let notes = imported.notes.join("\n");
        assert_eq!(doc.spans[0].fragments[0].slice(&doc.text), "Kim");
        assert!(notes.contains("span 1 (source): its \"text\" is \"Kin\" but its offsets cover \"Kim\": kept at its offsets"), "{notes}");
        assert_eq!(doc.spans[1].fragments.len(), 2);
        assert!(
            notes.contains(
                "span 2 (claim): start and end 0..30 disagree with its fragments (2..19)"
            ),
            "{notes}"
        );
        assert!(
            !report.contains("kept at its offsets") && !report.contains("read from its fragments"),
            "{report}"
        );
        assert_eq!(doc.spans[2].fragments[0].slice(&doc.text), "Kim", "UTF-16");
        assert!(
            imported
                .notes
                .iter()
                .any(|n| n.starts_with("1 span(s) had offsets in UTF-16")),
            "{:?}",
            imported.notes
        );
        assert!(
            report.contains("span 4 (claim): offsets 0..99 do not fit"),
            "{report}"
        );
        assert!(
            report.contains("span #5 (claim) has no \"start\" and \"end\""),
            "{report}"
        );
        assert_eq!(doc.spans.len(), 3);
    }

    /// Metadata comes in from `meta` and unknown keys, goes into the project, out into `meta`
    /// (a key named like one of ours prefixed), and back in unchanged; a line with no spans is
    /// a document to annotate.
    #[test]
    fn h_metadata_round_trips_through_the_project_and_the_export() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.jsonl");
        let line = serde_json::json!({
            "id": "a1", "text": "Un texte.", "url": "https://ex.fr/a", "published": "2026-01-02",
            "meta": {"title": "Titre é", "path": "a1.txt", "metadata:x": 1}, "shares": [1, 2]
        });
        let second = serde_json::json!({"id": "b2", "text": "Autre.", "spans": [{"start": 0, "end": 5, "label": "claim"}], "path": "from a column"});
        std::fs::write(&input, format!("{line}\n{second}\n")).unwrap();
        let imported = import(&input).unwrap();
        let (project, _) =
            crate::formats::build_project(imported, &dir.path().join("corpus"), "zoé").unwrap();
        let a = &project.documents[0];
        assert_eq!(
            a.status,
            crate::model::Status::ToDo,
            "no spans: to annotate"
        );
        assert_eq!(project.documents[1].status, crate::model::Status::Done);
        assert_eq!(a.metadata["title"], "Titre é");
        assert_eq!(a.metadata["url"], "https://ex.fr/a");
        assert_eq!(a.metadata["shares"], serde_json::json!([1, 2]));
        assert_eq!(a.metadata["x"], 1, "our prefix is read back off");
        assert_eq!(project.documents[1].metadata["path"], "from a column");
        // Saved and loaded: the project file keeps it.
        let file = dir.path().join("p.ron");
        crate::file::save(&project, &file).unwrap();
        let (loaded, _) = crate::file::load(&file).unwrap();
        assert_eq!(loaded.documents[0].metadata, a.metadata);
        // Exported: in `meta`, beside our keys.
        let out = dir.path().join("out.jsonl");
        crate::formats::export(
            &loaded,
            crate::formats::Format::Jsonl,
            &ExportOptions::default(),
            &out,
            &mut |_, _| {},
        )
        .unwrap();
        let lines: Vec<serde_json::Value> = json_lines(&out);
        assert_eq!(lines[0]["meta"]["title"], "Titre é");
        assert_eq!(lines[0]["meta"]["path"], "a1.txt");
        assert_eq!(lines[0]["meta"]["x"], 1);
        assert_eq!(lines[1]["meta"]["metadata:path"], "from a column");
        assert_eq!(lines[1]["meta"]["path"], "b2.txt");
        let back = import(&out).unwrap();
        assert_eq!(back.documents[0].metadata, a.metadata);
        assert_eq!(back.documents[1].metadata, project.documents[1].metadata);
    }

    /// Document attributes go out as `attributes` (every name on every line, `null` when not
    /// set) and spaCy's `cats` (`NAME=VALUE`, every listed value, 1.0 or 0.0), and come back as
    /// the documents' attributes, with schema definitions, never as metadata.
    #[test]
    fn l_document_attributes_round_trip_through_jsonl() {
        let project = crate::formats::tests::attributed_project();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        crate::formats::export(
            &project,
            crate::formats::Format::Jsonl,
            &ExportOptions::default(),
            &out,
            &mut |_, _| {},
        )
        .unwrap();
        let lines = json_lines::<serde_json::Value>(&out);
        let cats = [
            "genre=news",
            "genre=tribune libre é",
            "genre=رأي",
            "to-check=no",
            "to-check=peut-être 🤔",
            "to-check=yes",
        ];
        // The same keys on every line: `datasets` types them as columns of structs.
        for line in &lines {
            let names: Vec<&String> = line["attributes"].as_object().unwrap().keys().collect();
            assert_eq!(names, ["genre", "résumé", "to-check"]);
            let keys: Vec<&String> = line["cats"].as_object().unwrap().keys().collect();
            assert_eq!(keys, cats);
        }
        assert_eq!(
            lines[0]["attributes"]["résumé"],
            "Poutine « salue » 😀, قال"
        );
        assert_eq!(lines[0]["cats"]["genre=tribune libre é"], 1.0);
        assert_eq!(lines[0]["cats"]["genre=news"], 0.0);
        assert_eq!(lines[1]["cats"]["genre=رأي"], 1.0);
        assert_eq!(
            lines[1]["cats"]["to-check=peut-être 🤔"], 1.0,
            "outside the list"
        );
        assert_eq!(lines[2]["attributes"]["genre"], serde_json::Value::Null);
        assert!(
            lines[2]["cats"]
                .as_object()
                .unwrap()
                .values()
                .filter(|v| **v == 1.0)
                .count()
                == 1
        );
        let (back, _) =
            crate::formats::build_project(import(&out).unwrap(), &dir.path().join("corpus"), "zoé")
                .unwrap();
        assert_eq!(
            crate::formats::tests::attributes_by_path(&back),
            crate::formats::tests::attributes_by_path(&project)
        );
        for doc in &back.documents {
            assert!(
                !doc.metadata.contains_key("attributes") && !doc.metadata.contains_key("cats"),
                "{:?}",
                doc.metadata
            );
        }
        let values = |name: &str| -> std::collections::BTreeSet<String> {
            back.schema
                .document_attribute(name)
                .unwrap()
                .values
                .iter()
                .cloned()
                .collect()
        };
        assert_eq!(
            values("genre"),
            ["news", "tribune libre é", "رأي"].map(str::to_owned).into()
        );
        assert_eq!(
            values("to-check"),
            ["yes", "no", "peut-être 🤔"].map(str::to_owned).into()
        );
        assert!(
            back.schema
                .document_attribute("résumé")
                .unwrap()
                .is_free_text()
        );
        // An export without document attributes has neither key, as before.
        let plain = torture_project();
        let out = dir.path().join("plain.jsonl");
        crate::formats::export(
            &plain,
            crate::formats::Format::Jsonl,
            &ExportOptions::default(),
            &out,
            &mut |_, _| {},
        )
        .unwrap();
        for line in json_lines::<serde_json::Value>(&out) {
            assert!(line.get("attributes").is_none() && line.get("cats").is_none());
        }
    }

    /// spaCy's and Prodigy's `cats` written `NAME=VALUE` give each name its best value of at
    /// least 0.5 (none below), and the schema every value listed; other `cats` stay metadata.
    #[test]
    fn l_cats_written_name_value_are_document_attributes() {
        let imported = read(concat!(
            "{\"text\": \"Un.\", \"cats\": {\"genre=news\": 0.2, \"genre=رأي\": 0.8, \"to-check=yes\": 0.3}}\n",
            "{\"text\": \"Deux.\", \"cats\": {\"news\": 1.0}}\n",
        ));
        let first = &imported.documents[0];
        assert_eq!(first.attributes.len(), 1);
        assert_eq!(first.attributes["genre"], "رأي");
        assert!(!first.metadata.contains_key("cats"));
        assert_eq!(
            imported.documents[1].metadata["cats"],
            serde_json::json!({"news": 1.0})
        );
        let names: Vec<(&str, Vec<&str>)> = imported
            .document_attributes
            .iter()
            .map(|d| {
                (
                    d.name.as_str(),
                    d.values.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [("genre", vec!["news", "رأي"]), ("to-check", vec!["yes"])]
        );
    }

    /// An attribute without a name cannot be defined in the schema: its value is left out, and
    /// reported, the others kept.
    #[test]
    fn l_a_document_attribute_without_a_name_is_reported_and_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let imported = read(
            "{\"text\": \"Un.\", \"attributes\": {\" \": \"x\", \"genre\": \"news\"}, \"cats\": {\"=y\": 1.0}}\n",
        );
        let (project, report) =
            crate::formats::build_project(imported, &dir.path().join("corpus"), "zoé").unwrap();
        assert_eq!(
            project.documents[0].attributes,
            [("genre".to_owned(), "news".to_owned())].into()
        );
        let names: Vec<&str> = project
            .schema
            .document_attributes
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(names, ["genre"]);
        assert!(
            report
                .not_imported
                .iter()
                .any(|r| r == "1 document attribute value(s) had no attribute name: left out"),
            "{report:?}"
        );
        // A `cats` with a key that is not NAME=VALUE is the document's metadata.
        assert_eq!(
            project.documents[0].metadata["cats"],
            serde_json::json!({"=y": 1.0})
        );
    }
}
