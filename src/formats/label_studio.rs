//! Label Studio: JSON tasks and the labelling config that goes with them.
//!
//! Export writes a folder with `tasks.json` (Label Studio's current task layout:
//! `[{"id", "data": {"text", "path", …metadata}, "meta": {"annotator", …}, "annotations":
//! [{"result": [...]}]}]`, spans as `labels` results, links as `relation` results, notes as region
//! `meta.text`, span attributes as per-region `choices`, document attributes as document-level
//! `choices` or `textarea` results) and `config.xml` (the matching `<View>`), importable into
//! Label Studio as they are. Label Studio has no discontinuous regions: each fragment becomes a
//! region.
//!
//! Who made the spans is in the task's `meta` (`annotator`, and `region_annotators` for the
//! regions of anyone else), Label Studio's place for free data: an annotation's `completed_by`
//! must be the id or e-mail of a member of the Label Studio organisation, and any other value
//! makes Label Studio refuse the whole import, so it is left out (Label Studio gives the
//! annotations to the user who imports them). The document's metadata are `data` fields beside
//! the text (a key `text` or `path` goes in `meta.metadata` instead).
//!
//! Import reads the current layout and the legacy `completions` one, a task list or one task: the
//! annotator from the task's `meta` or else `completed_by`, `data` fields other than the text as
//! metadata, document-level `choices` and `textarea` results as document attributes (declared by
//! the config when there is one).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use super::{
    ExportDoc, ExportReport, FormatError, Imported, ImportedDoc, ImportedRelation, ImportedSpan,
    Located, Progress, locate,
};

/// A JSON value as attribute text: a string as it is, anything else as JSON.
fn plain(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}
use crate::file::AtomicFolder;
use crate::schema::{DocAttributeDef, Rgb, Schema};
use crate::text::CodePointIndex;

/// The `from_name` of span labels, and the `toName` of the text.
const LABELS: &str = "label";
const TEXT: &str = "text";
/// The `data` field that names the document.
const PATH: &str = "path";
/// The keys of a task's `meta` that an export writes.
const META_KEYS: [&str; 4] = [
    "annotator",
    "region_annotators",
    "document_attributes",
    "metadata",
];
/// Added to the name of a document attribute whose name is taken in the config (`label`, `text`
/// or a span attribute's `LABEL.NAME`).
const DOCUMENT_SUFFIX: &str = " (document)";

/// The config name of each document attribute of `schema`, in schema order.
fn document_attribute_names(schema: &Schema) -> Vec<(&DocAttributeDef, String)> {
    let taken: Vec<String> = [LABELS.to_owned(), TEXT.to_owned()]
        .into_iter()
        .chain(
            schema
                .attributes
                .iter()
                .map(|a| format!("{}.{}", a.label, a.name)),
        )
        .collect();
    schema
        .document_attributes
        .iter()
        .map(|def| {
            let name = if taken.contains(&def.name) {
                format!("{}{DOCUMENT_SUFFIX}", def.name)
            } else {
                def.name.clone()
            };
            (def, name)
        })
        .collect()
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The labelling config for a schema.
pub fn config(schema: &Schema) -> String {
    let mut xml = String::from("<View>\n");
    let _ = writeln!(xml, "  <Labels name=\"{LABELS}\" toName=\"{TEXT}\">");
    for label in &schema.labels {
        let _ = writeln!(
            xml,
            "    <Label value=\"{}\" background=\"{}\"/>",
            xml_escape(&label.name),
            label.color
        );
    }
    xml.push_str("  </Labels>\n");
    if !schema.relations.is_empty() {
        xml.push_str("  <Relations>\n");
        for relation in &schema.relations {
            let _ = writeln!(
                xml,
                "    <Relation value=\"{}\"/>",
                xml_escape(&relation.name)
            );
        }
        xml.push_str("  </Relations>\n");
    }
    let _ = writeln!(xml, "  <Text name=\"{TEXT}\" value=\"$text\"/>");
    for attribute in &schema.attributes {
        let _ = writeln!(
            xml,
            "  <View visibleWhen=\"region-selected\" whenLabelValue=\"{}\">\n    <Header value=\"{}\"/>\n    <Choices name=\"{}\" toName=\"{TEXT}\" perRegion=\"true\">",
            xml_escape(&attribute.label),
            xml_escape(&attribute.name),
            xml_escape(&format!("{}.{}", attribute.label, attribute.name)),
        );
        for value in &attribute.values {
            let _ = writeln!(xml, "      <Choice value=\"{}\"/>", xml_escape(value));
        }
        xml.push_str("    </Choices>\n  </View>\n");
    }
    for (def, name) in document_attribute_names(schema) {
        let _ = writeln!(xml, "  <Header value=\"{}\"/>", xml_escape(&def.name));
        if def.is_free_text() {
            let _ = writeln!(
                xml,
                "  <TextArea name=\"{}\" toName=\"{TEXT}\" maxSubmissions=\"1\" editable=\"true\"/>",
                xml_escape(&name)
            );
        } else {
            let _ = writeln!(
                xml,
                "  <Choices name=\"{}\" toName=\"{TEXT}\" choice=\"single\">",
                xml_escape(&name)
            );
            for value in &def.values {
                let _ = writeln!(xml, "    <Choice value=\"{}\"/>", xml_escape(value));
            }
            xml.push_str("  </Choices>\n");
        }
    }
    xml.push_str("</View>\n");
    xml
}

/// The files an export writes.
const FILES: [&str; 2] = ["tasks.json", "config.xml"];

/// Whether the folder `dir` is a previous Label Studio export, which a new export may replace
/// whole: nothing but `tasks.json` and `config.xml` (files, or links, which are deleted, never
/// followed) and the temporaries of their writing. `Err` says what shows it is not one.
pub fn previous_export(dir: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("it cannot be read: {e}"))?;
    let mut names: Vec<String> = entries
        .flatten()
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                format!("{name}/")
            } else {
                name
            }
        })
        .collect();
    names.sort();
    let ours = |name: &str| {
        FILES.iter().any(|file| {
            name == *file
                || name
                    .strip_prefix(&format!(".{file}.tmp-"))
                    .is_some_and(|rest| !rest.contains('/'))
        })
    };
    match names.iter().find(|name| !ours(name)) {
        Some(name) => Err(format!("it holds {name}")),
        None => Ok(()),
    }
}

/// Writes `tasks.json` and `config.xml` into the new folder `out`, committed by the caller.
pub fn export(
    docs: &[ExportDoc<'_>],
    schema: &Schema,
    out: &AtomicFolder,
    progress: Progress<'_>,
) -> Result<ExportReport, FormatError> {
    let mut report = ExportReport::default();
    let mut split = 0;
    let mut outside = 0;
    let attribute_names = document_attribute_names(schema);
    let mut tasks = Vec::with_capacity(docs.len());
    for (i, doc) in docs.iter().enumerate() {
        let text = &doc.document.text;
        let index = CodePointIndex::new(text);
        let mut results = Vec::new();
        let mut region_of = BTreeMap::new();
        // Who made each region, and how many spans each annotator made (the most gives the
        // task's annotator).
        let mut made_by: Vec<(String, &str)> = Vec::new();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for annotation in &doc.annotations {
            if annotation.fragments.len() > 1 {
                split += 1;
            }
            *counts.entry(annotation.annotator.as_str()).or_default() += 1;
            for (n, fragment) in annotation.fragments.iter().enumerate() {
                let region = if n == 0 {
                    format!("m{}", annotation.id.0)
                } else {
                    format!("m{}-{n}", annotation.id.0)
                };
                if n == 0 {
                    region_of.insert(annotation.id, region.clone());
                }
                made_by.push((region.clone(), &annotation.annotator));
                let mut result = json!({
                    "id": region,
                    "from_name": LABELS,
                    "to_name": TEXT,
                    "type": "labels",
                    "origin": "manual",
                    "value": {
                        "start": index.char_of_byte(fragment.start),
                        "end": index.char_of_byte(fragment.end),
                        "text": fragment.slice(text),
                        "labels": [annotation.label],
                    },
                });
                if !annotation.note.is_empty()
                    && let Some(object) = result.as_object_mut()
                {
                    object.insert("meta".to_owned(), json!({"text": [annotation.note]}));
                }
                results.push(result);
                for (name, value) in &annotation.attributes {
                    results.push(json!({
                        "id": region,
                        "from_name": format!("{}.{name}", annotation.label),
                        "to_name": TEXT,
                        "type": "choices",
                        "origin": "manual",
                        "value": {
                            "start": index.char_of_byte(fragment.start),
                            "end": index.char_of_byte(fragment.end),
                            "text": fragment.slice(text),
                            "choices": [value],
                        },
                    }));
                }
            }
        }
        for relation in &doc.relations {
            let (Some(from), Some(to)) =
                (region_of.get(&relation.from), region_of.get(&relation.to))
            else {
                continue;
            };
            results.push(json!({
                "from_id": from,
                "to_id": to,
                "type": "relation",
                "direction": "right",
                "labels": [relation.kind],
            }));
            report.relations += 1;
        }
        let mut meta = serde_json::Map::new();
        // Document attributes: results on the whole text (no region) for those the config
        // declares, `meta.document_attributes` for the others (not in the schema, or a value
        // outside the list).
        let mut undeclared = serde_json::Map::new();
        for (name, value) in &doc.document.attributes {
            match attribute_names.iter().find(|(def, _)| def.name == *name) {
                Some((def, tag)) if def.is_free_text() => results.push(json!({
                    "from_name": tag,
                    "to_name": TEXT,
                    "type": "textarea",
                    "origin": "manual",
                    "value": {"text": [value]},
                })),
                Some((def, tag)) if def.values.contains(value) => results.push(json!({
                    "from_name": tag,
                    "to_name": TEXT,
                    "type": "choices",
                    "origin": "manual",
                    "value": {"choices": [value]},
                })),
                _ => {
                    outside += 1;
                    undeclared.insert(name.clone(), Value::String(value.clone()));
                }
            }
        }
        // The annotator of most spans (the first in name order on a tie) is the task's; the
        // regions of the others are listed.
        let mut most: Option<(&str, usize)> = None;
        for (&name, &count) in &counts {
            if most.is_none_or(|(_, best)| count > best) {
                most = Some((name, count));
            }
        }
        if let Some((annotator, _)) = most {
            meta.insert("annotator".to_owned(), json!(annotator));
            let others: serde_json::Map<String, Value> = made_by
                .iter()
                .filter(|(_, name)| *name != annotator)
                .map(|(region, name)| (region.clone(), json!(name)))
                .collect();
            if !others.is_empty() {
                meta.insert("region_annotators".to_owned(), Value::Object(others));
            }
        }
        if !undeclared.is_empty() {
            meta.insert("document_attributes".to_owned(), Value::Object(undeclared));
        }
        let mut data = serde_json::Map::new();
        data.insert(TEXT.to_owned(), json!(&**text));
        data.insert(PATH.to_owned(), json!(doc.document.path));
        let mut spilled = serde_json::Map::new();
        for (key, value) in &doc.document.metadata {
            if key == TEXT || key == PATH {
                spilled.insert(key.clone(), value.clone());
            } else {
                data.insert(key.clone(), value.clone());
            }
        }
        if !spilled.is_empty() {
            meta.insert("metadata".to_owned(), Value::Object(spilled));
        }
        report.spans += doc.annotations.len();
        // No `completed_by`: Label Studio takes only the id or e-mail of one of its users there
        // (see the module's documentation).
        tasks.push(json!({
            "id": i + 1,
            "data": data,
            "meta": meta,
            "annotations": [{
                "id": i + 1,
                "result": results,
                "was_cancelled": false,
                "ground_truth": false,
            }],
        }));
        report.documents += 1;
        progress(i + 1, docs.len());
    }
    let [tasks_name, config_name] = FILES.map(Path::new);
    let tasks_path = out.target().join(tasks_name);
    let json = serde_json::to_vec_pretty(&Value::Array(tasks)).map_err(|e| FormatError::Write {
        path: tasks_path.clone(),
        source: e.into(),
    })?;
    out.write(tasks_name, &json)
        .map_err(FormatError::write(&tasks_path))?;
    out.write(config_name, config(schema).as_bytes())
        .map_err(FormatError::write(&out.target().join(config_name)))?;
    if split > 0 {
        report.notes.push(format!(
            "{split} discontinuous span(s) were written as one Label Studio region a fragment"
        ));
    }
    if outside > 0 {
        report.notes.push(format!(
            "{outside} document attribute value(s) outside the schema were written in the task's \
             meta.document_attributes, not as Label Studio choices"
        ));
    }
    Ok(report)
}

fn xml_unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The value of the attribute `name` of `tag` (the text after a `<`), unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let end = tag.find('>').unwrap_or(tag.len());
    let tag = tag.get(..end)?;
    let at = tag
        .match_indices(&format!("{name}=\""))
        .find(|(i, _)| {
            tag.get(..*i)
                .and_then(|before| before.chars().next_back())
                .is_some_and(char::is_whitespace)
        })?
        .0
        + name.len()
        + 2;
    let rest = tag.get(at..)?;
    Some(xml_unescape(rest.get(..rest.find('"')?)?))
}

/// The document attributes a Label Studio config declares: its `<Choices>` (their `<Choice>`
/// values) and `<TextArea>` (free text) that are not per region, by name (less the suffix of a
/// renamed one, [`DOCUMENT_SUFFIX`]).
fn config_document_attributes(xml: &str) -> Vec<(String, DocAttributeDef)> {
    let mut found: Vec<(String, DocAttributeDef)> = Vec::new();
    let mut open: Option<(String, DocAttributeDef)> = None;
    let per_region = |tag: &str| attribute(tag, "perRegion").is_some_and(|v| v == "true");
    for tag in xml.split('<') {
        // `Choices`, `Choice`, `/Choices`…
        let end = tag
            .char_indices()
            .find(|&(i, c)| c.is_whitespace() || c == '>' || (c == '/' && i > 0))
            .map_or(tag.len(), |(i, _)| i);
        let kind = tag.get(..end).unwrap_or_default();
        match kind {
            "Choices" | "TextArea" if !per_region(tag) => {
                let Some(tag_name) = attribute(tag, "name") else {
                    continue;
                };
                let name = tag_name
                    .strip_suffix(DOCUMENT_SUFFIX)
                    .unwrap_or(&tag_name)
                    .to_owned();
                let def = DocAttributeDef {
                    name,
                    values: Vec::new(),
                    description: String::new(),
                    key: String::new(),
                };
                if kind == "Choices" {
                    open = Some((tag_name, def));
                } else {
                    found.push((tag_name, def));
                }
            }
            "Choice" => {
                if let (Some((_, def)), Some(value)) = (open.as_mut(), attribute(tag, "value"))
                    && !def.values.contains(&value)
                {
                    def.values.push(value);
                }
            }
            "/Choices" => found.extend(open.take()),
            _ => {}
        }
    }
    found
}

/// Colours declared in a Label Studio config: `<Label value="X" background="#rgb"/>`.
fn config_colors(xml: &str) -> BTreeMap<String, Rgb> {
    let mut colors = BTreeMap::new();
    for tag in xml.split('<').filter(|t| t.starts_with("Label ")) {
        if let (Some(value), Some(background)) =
            (attribute(tag, "value"), attribute(tag, "background"))
        {
            let hex = background.trim_start_matches('#');
            // #rgb is short for #rrggbb.
            let long = if hex.len() == 3 {
                hex.chars().flat_map(|c| [c, c]).collect()
            } else {
                hex.to_owned()
            };
            if let Ok(color) = format!("#{long}").parse() {
                colors.insert(value, color);
            }
        }
    }
    colors
}

/// Reads Label Studio tasks: a JSON list of tasks or a single task, current or legacy layout. A
/// `config.xml` beside the file, if any, gives the label colours and declares the document
/// attributes.
pub fn import(input: &Path) -> Result<Imported, FormatError> {
    let file = if input.is_dir() {
        input.join("tasks.json")
    } else {
        input.to_owned()
    };
    let content = super::read_input(&file)?;
    let config = file
        .parent()
        .and_then(|dir| {
            crate::corpus::read_limited(&dir.join("config.xml"), crate::corpus::max_file_bytes())
                .ok()
        })
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    parse(&content, &file, config.as_deref())
}

/// Reads Label Studio tasks from `content` (with the labelling config, when there is one, for
/// the colours and the document attributes); `file` names the file in messages.
pub fn parse(content: &str, file: &Path, config: Option<&str>) -> Result<Imported, FormatError> {
    let file = file.to_owned();
    let value: Value = serde_json::from_str(content)
        .map_err(|e| FormatError::parse(&file, e.line(), e.to_string()))?;
    let tasks = match value {
        Value::Array(tasks) => tasks,
        task @ Value::Object(_) => vec![task],
        _ => {
            return Err(FormatError::parse(
                &file,
                1,
                "expected a task or a list of tasks",
            ));
        }
    };
    let mut imported = Imported::default();
    // Config names of the document attributes, with their attribute names.
    let mut attribute_names: BTreeMap<String, String> = BTreeMap::new();
    if let Some(xml) = config {
        imported.colors = config_colors(xml);
        for (tag, def) in config_document_attributes(xml) {
            attribute_names.insert(tag, def.name.clone());
            if imported
                .document_attributes
                .iter()
                .all(|d| d.name != def.name)
            {
                imported.document_attributes.push(def);
            }
        }
    }
    let mut utf16 = 0;
    // Document attributes with choices that no config declared: their values are those met.
    let mut undeclared_choices = std::collections::BTreeSet::new();
    for (n, task) in tasks.iter().enumerate() {
        let id = task
            .get("id")
            .map_or_else(|| (n + 1).to_string(), ToString::to_string);
        let data = task.get("data").unwrap_or(&Value::Null);
        let text_key = data
            .get(TEXT)
            .and_then(Value::as_str)
            .map(|_| TEXT)
            .or_else(|| {
                data.as_object().and_then(|o| {
                    o.iter()
                        .find(|(_, v)| v.is_string())
                        .map(|(k, _)| k.as_str())
                })
            });
        let text = text_key.and_then(|k| data.get(k)).and_then(Value::as_str);
        let (Some(text), Some(text_key)) = (text, text_key) else {
            imported
                .report
                .push(format!("task {id}: no text in \"data\": left out"));
            continue;
        };
        let given_path = data.get(PATH).and_then(Value::as_str).filter(|p| {
            Path::new(p)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
        });
        let path = given_path.map_or_else(|| format!("task-{:05}.txt", n + 1), str::to_owned);
        // The other `data` fields are the document's metadata, with those an export had to put
        // in `meta.metadata`.
        let mut metadata: crate::model::Metadata = data
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| *k != text_key && !(k.as_str() == PATH && given_path.is_some()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let meta = task.get("meta").and_then(Value::as_object);
        let meta_get = |key: &str| meta.and_then(|m| m.get(key));
        if let Some(Value::Object(spilled)) = meta_get("metadata") {
            metadata.extend(spilled.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let mut attributes: BTreeMap<String, String> = BTreeMap::new();
        if let Some(Value::Object(undeclared)) = meta_get("document_attributes") {
            for (name, value) in undeclared {
                attributes.insert(name.clone(), plain(value));
            }
        }
        // Who made the spans of the first annotation (the one a Marginalia export writes).
        let task_annotator = meta_get("annotator").and_then(Value::as_str);
        let region_annotators = meta_get("region_annotators").and_then(Value::as_object);
        let unknown: Vec<&str> = meta
            .into_iter()
            .flatten()
            .map(|(k, _)| k.as_str())
            .filter(|k| !META_KEYS.contains(k))
            .collect();
        if !unknown.is_empty() {
            imported.report.push(format!(
                "task {id}: its meta {} not imported",
                unknown
                    .iter()
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
                    + if unknown.len() == 1 { " is" } else { " are" }
            ));
        }
        let index = CodePointIndex::new(text);
        let utf16_index = super::Utf16Index::default();
        let annotations: Vec<&Value> = ["annotations", "completions"]
            .iter()
            .filter_map(|k| task.get(*k).and_then(Value::as_array))
            .flatten()
            .filter(|a| {
                !a.get("was_cancelled")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
            })
            .collect();
        if annotations.len() > 1 {
            imported.notes.push(format!("task {id}: {} annotations by different people were merged into one document; each span keeps its annotator", annotations.len()));
        }
        let mut spans: Vec<ImportedSpan> = Vec::new();
        let mut relations = Vec::new();
        for (k, annotation) in annotations.iter().enumerate() {
            let completed_by = annotation.get("completed_by").map(|c| match c {
                Value::String(s) => s.clone(),
                Value::Object(o) => o
                    .get("email")
                    .and_then(Value::as_str)
                    .map_or_else(|| c.to_string(), str::to_owned),
                other => other.to_string(),
            });
            let annotator_of = |region: &str| -> Option<String> {
                if k == 0 {
                    let named = region_annotators
                        .and_then(|r| r.get(region))
                        .and_then(Value::as_str)
                        .or(task_annotator);
                    if let Some(name) = named {
                        return Some(name.to_owned());
                    }
                }
                completed_by.clone()
            };
            let results = annotation
                .get("result")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            // Keys are per annotation: regions of two annotators may share ids.
            let key = |region: &str| {
                if annotations.len() > 1 {
                    format!("{k}:{region}")
                } else {
                    region.to_owned()
                }
            };
            for result in results {
                let kind = result
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let raw_region = result
                    .get("id")
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
                let region = raw_region.as_deref().map(key);
                // A result with no offsets is on the whole text: a document attribute.
                let whole_text = result.pointer("/value/start").is_none();
                match kind {
                    "labels" | "hypertextlabels" => {
                        let value = result.get("value").unwrap_or(&Value::Null);
                        let start = value
                            .get("start")
                            .and_then(Value::as_u64)
                            .and_then(|n| usize::try_from(n).ok());
                        let end = value
                            .get("end")
                            .and_then(Value::as_u64)
                            .and_then(|n| usize::try_from(n).ok());
                        let labels: Vec<String> = value
                            .get("labels")
                            .and_then(Value::as_array)
                            .map(|l| {
                                l.iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_owned)
                                    .collect()
                            })
                            .unwrap_or_default();
                        let (Some(start), Some(end), Some(region)) = (start, end, region.clone())
                        else {
                            imported.report.push(format!(
                                "task {id}: a region without start/end/id was left out"
                            ));
                            continue;
                        };
                        let range = match locate(
                            text,
                            &index,
                            &utf16_index,
                            start,
                            end,
                            value.get("text").and_then(Value::as_str),
                        ) {
                            Ok((range, how)) => {
                                if how == Located::Utf16 {
                                    utf16 += 1;
                                }
                                range
                            }
                            Err(why) => {
                                imported.report.push(format!(
                                    "task {id}: region {region} ({}) left out: {why}",
                                    labels.join(", ")
                                ));
                                continue;
                            }
                        };
                        let note = result
                            .pointer("/meta/text")
                            .and_then(Value::as_array)
                            .map(|t| {
                                t.iter()
                                    .filter_map(Value::as_str)
                                    .collect::<Vec<_>>()
                                    .join("\n")
                            })
                            .unwrap_or_default();
                        if labels.is_empty() {
                            imported
                                .report
                                .push(format!("task {id}: region {region} has no label: left out"));
                        }
                        for (m, label) in labels.iter().enumerate() {
                            // A region with several labels becomes one span a label.
                            let key = if m == 0 {
                                region.clone()
                            } else {
                                format!("{region}#{m}")
                            };
                            spans.push(ImportedSpan {
                                key,
                                label: label.clone(),
                                fragments: vec![range],
                                annotator: annotator_of(raw_region.as_deref().unwrap_or_default()),
                                note: note.clone(),
                                attributes: BTreeMap::new(),
                                suggested: None,
                            });
                        }
                    }
                    "relation" => {
                        let ends = (
                            result.get("from_id").and_then(Value::as_str),
                            result.get("to_id").and_then(Value::as_str),
                        );
                        let (Some(from), Some(to)) = ends else {
                            imported.report.push(format!(
                                "task {id}: a relation without from_id/to_id was left out"
                            ));
                            continue;
                        };
                        let (from, to) =
                            if result.get("direction").and_then(Value::as_str) == Some("left") {
                                (to, from)
                            } else {
                                (from, to)
                            };
                        let labels: Vec<&str> = result
                            .get("labels")
                            .and_then(Value::as_array)
                            .map(|l| l.iter().filter_map(Value::as_str).collect())
                            .unwrap_or_default();
                        let kind = labels.first().copied().unwrap_or("related").to_owned();
                        relations.push(ImportedRelation {
                            kind,
                            from: key(from),
                            to: key(to),
                        });
                    }
                    "choices" | "textarea" if whole_text => {
                        let tag = result
                            .get("from_name")
                            .and_then(Value::as_str)
                            .unwrap_or_default();
                        let name = attribute_names.get(tag).cloned().unwrap_or_else(|| {
                            tag.strip_suffix(DOCUMENT_SUFFIX).unwrap_or(tag).to_owned()
                        });
                        let pointer = if kind == "choices" {
                            "/value/choices"
                        } else {
                            "/value/text"
                        };
                        let values: Vec<&str> = result
                            .pointer(pointer)
                            .and_then(Value::as_array)
                            .map(|c| c.iter().filter_map(Value::as_str).collect())
                            .unwrap_or_default();
                        let value = values.join(if kind == "choices" { "," } else { "\n" });
                        if name.is_empty() || value.is_empty() {
                            imported.report.push(format!(
                                "task {id}: a {kind} result on the whole text without a name or \
                                 a value was left out"
                            ));
                            continue;
                        }
                        if let Some(before) = attributes.get(&name).filter(|b| **b != value) {
                            imported.report.push(format!(
                                "task {id}: document attribute {name} is {before:?} in one \
                                 annotation and {value:?} in another: {before:?} was kept"
                            ));
                            continue;
                        }
                        if !imported.document_attributes.iter().any(|d| d.name == name) {
                            imported.document_attributes.push(DocAttributeDef {
                                name: name.clone(),
                                values: Vec::new(),
                                description: String::new(),
                                key: String::new(),
                            });
                            if kind == "choices" {
                                undeclared_choices.insert(name.clone());
                            }
                        }
                        if undeclared_choices.contains(&name)
                            && let Some(def) = imported
                                .document_attributes
                                .iter_mut()
                                .find(|d| d.name == name)
                            && !def.values.contains(&value)
                        {
                            def.values.push(value.clone());
                        }
                        attributes.insert(name, value);
                    }
                    "choices" => {
                        let name = result
                            .get("from_name")
                            .and_then(Value::as_str)
                            .unwrap_or_default();
                        let name = name.rsplit_once('.').map_or(name, |(_, n)| n).to_owned();
                        let choices: Vec<&str> = result
                            .pointer("/value/choices")
                            .and_then(Value::as_array)
                            .map(|c| c.iter().filter_map(Value::as_str).collect())
                            .unwrap_or_default();
                        match region.as_ref().and_then(|r| spans.iter_mut().find(|s| &s.key == r)) {
                            Some(span) => {
                                span.attributes.insert(name, choices.join(","));
                            }
                            None => imported.report.push(format!("task {id}: choices {name} = {} are not tied to a region: not imported", choices.join(","))),
                        }
                    }
                    other => imported
                        .report
                        .push(format!("task {id}: a {other:?} result cannot be imported")),
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
            ..ImportedDoc::default()
        });
    }
    for def in &mut imported.document_attributes {
        if undeclared_choices.contains(&def.name) {
            def.values.sort();
        }
    }
    if utf16 > 0 {
        imported.notes.push(format!("{utf16} region(s) had offsets in UTF-16 code units (Label Studio on emoji) and were corrected"));
    }
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::tests::{to_folder, torture_project};
    use crate::formats::{ExportOptions, select};

    #[test]
    fn the_real_legacy_completions_fixture_imports_every_region() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/label-studio");
        let fixture = dir.join("ls-converter_f068a14_test_fixtures_completions_348.json");
        if !fixture.exists() {
            eprintln!("skipped: {} is absent", fixture.display());
            return;
        }
        let imported = import(&fixture).unwrap();
        let raw: Value = serde_json::from_slice(&std::fs::read(&fixture).unwrap()).unwrap();
        let regions: Vec<&Value> = raw["completions"][0]["result"]
            .as_array()
            .unwrap()
            .iter()
            .collect();
        let doc = &imported.documents[0];
        assert_eq!(doc.spans.len(), regions.len(), "{:?}", imported.report);
        for (span, region) in doc.spans.iter().zip(&regions) {
            assert_eq!(
                span.fragments[0].slice(&doc.text),
                region["value"]["text"].as_str().unwrap()
            );
            assert_eq!(span.label, region["value"]["labels"][0].as_str().unwrap());
        }
        let colors = config_colors(
            &std::fs::read_to_string(dir.join("ls-converter_f068a14_test_fixtures_config.xml"))
                .unwrap(),
        );
        assert_eq!(colors.get("INGREDIENT"), Some(&Rgb([0x55, 0x44, 0x55])));
    }

    #[test]
    fn export_then_import_gives_the_same_spans_notes_links_and_attributes() {
        let mut project = torture_project();
        let claim = project.documents[0]
            .annotations
            .iter()
            .find(|a| a.note.starts_with("citation"))
            .unwrap()
            .id;
        crate::edit::Edit::SetAttribute {
            doc: 0,
            id: claim,
            name: "stance".into(),
            value: Some("affirm".into()),
        }
        .apply(&mut project)
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (docs, _) = select(&project, &ExportOptions::default());
        to_folder(dir.path(), |folder| {
            export(&docs, &project.schema, folder, &mut |_, _| {})
        })
        .unwrap();
        let xml = std::fs::read_to_string(dir.path().join("config.xml")).unwrap();
        assert!(xml.contains("<Label value=\"claim\" background=\"#f2a13b\"/>"));
        assert!(xml.contains("<Relation value=\"attributed-to\"/>"));
        let imported = import(dir.path()).unwrap();
        assert!(imported.report.is_empty(), "{:?}", imported.report);
        assert_eq!(imported.colors.get("claim"), Some(&Rgb([0xf2, 0xa1, 0x3b])));
        crate::formats::tests::assert_fragments_come_back(&project, &imported);
        let first = &imported.documents[0];
        assert!(
            first
                .spans
                .iter()
                .any(|s| s.note == "citation, \"exacte\"\nsur deux lignes"
                    && s.attributes.get("stance").map(String::as_str) == Some("affirm"))
        );
    }

    #[test]
    fn utf16_offsets_of_javascript_tools_are_corrected_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("tasks.json");
        // Label Studio counted the emoji as two units: "Kim" at 3..6 instead of 2..5.
        std::fs::write(&input, r#"[{"id": 1, "data": {"text": "😀 Kim a dit"}, "annotations": [{"result": [
            {"id": "a", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 3, "end": 6, "text": "Kim", "labels": ["PER"]}},
            {"id": "b", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 0, "end": 3, "text": "nope", "labels": ["PER"]}}
        ]}]}]"#).unwrap();
        let imported = import(&input).unwrap();
        let doc = &imported.documents[0];
        assert_eq!(doc.spans.len(), 1);
        assert_eq!(doc.spans[0].fragments[0].slice(&doc.text), "Kim");
        assert!(
            imported.notes.iter().any(|r| r.contains("UTF-16")),
            "{:?}",
            imported.notes
        );
        assert!(
            imported.report.iter().any(|r| r.contains("region b")),
            "{:?}",
            imported.report
        );
    }
}
