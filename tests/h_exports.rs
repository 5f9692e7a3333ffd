//! Issue H: what the exports of a gold project hold (item 10: the unresolved candidates stay out
//! of datasets unless asked for, marked where the format can mark them; item 8: Label Studio
//! takes the export).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use marginalia::formats::{self, ExportOptions, ExportReport, Format};
use marginalia::model::Project;
use marginalia::review::adjudicate;

mod common;
use common::cli::{marginalia, s, text};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The gold project of the two sample annotators merged by union: every span they disagree on
/// is an unresolved candidate.
fn gold() -> Project {
    let (a, _) = marginalia::file::load(&root().join("projects/sample.ron")).unwrap();
    let (b, _) =
        marginalia::file::load(&root().join("projects/sample-second-annotator.ron")).unwrap();
    let (gold, summary) = adjudicate::merge(&[&a, &b], adjudicate::Policy::Union, "dana").unwrap();
    assert!(summary.unresolved > 0, "the sample has disputes");
    gold
}

fn unresolved(project: &Project) -> usize {
    project
        .documents
        .iter()
        .flat_map(|d| &d.annotations)
        .filter(|a| adjudicate::is_unresolved(a))
        .count()
}

/// `project` without its unresolved candidates and the links to them.
fn without_candidates(project: &Project) -> Project {
    let mut project = project.clone();
    for document in &mut project.documents {
        document
            .annotations
            .retain(|a| !adjudicate::is_unresolved(a));
        let kept: Vec<_> = document.annotations.iter().map(|a| a.id).collect();
        document
            .relations
            .retain(|r| kept.contains(&r.from) && kept.contains(&r.to));
        document.annotations_changed();
    }
    project
}

/// `project` with its unresolved candidates made ordinary spans.
fn settled(project: &Project) -> Project {
    let mut project = project.clone();
    for annotation in project
        .documents
        .iter_mut()
        .flat_map(|d| &mut d.annotations)
    {
        if let Some(provenance) = &mut annotation.provenance {
            provenance.unresolved = false;
        }
    }
    project
}

/// Exports `project` in `format`; the report and every file written, by relative path.
fn export(
    project: &Project,
    format: Format,
    options: &ExportOptions,
) -> (ExportReport, BTreeMap<PathBuf, Vec<u8>>) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let report = formats::export(project, format, options, &out, &mut |_, _| {}).unwrap();
    let mut files = BTreeMap::new();
    if out.is_dir() {
        let mut stack = vec![out.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let bytes = std::fs::read(&path).unwrap();
                    files.insert(path.strip_prefix(&out).unwrap().to_owned(), bytes);
                }
            }
        }
    } else {
        files.insert(PathBuf::new(), std::fs::read(&out).unwrap());
    }
    (report, files)
}

/// Item 10: the default export of a gold project, in every format, is the export of its settled
/// spans only (as if the candidates were not there), and the report says how many were left out.
#[test]
fn h_unresolved_candidates_are_left_out_of_exports_by_default() {
    let gold = gold();
    let candidates = unresolved(&gold);
    let plain = without_candidates(&gold);
    assert_eq!(unresolved(&plain), 0);
    let note = format!(
        "{candidates} unresolved candidate span(s) left out (--include-unresolved keeps them)"
    );
    for format in Format::ALL {
        let options = ExportOptions::default();
        let (report, files) = export(&gold, format, &options);
        let (expected_report, expected) = export(&plain, format, &options);
        assert!(
            files == expected,
            "{}: the export holds unresolved candidates",
            format.name()
        );
        assert_eq!(report.spans, expected_report.spans, "{}", format.name());
        assert!(
            report.notes.contains(&note),
            "{}: {:?}",
            format.name(),
            report.notes
        );
    }
}

/// Item 10: `include_unresolved` keeps the candidates; jsonl and csv mark them, the other formats
/// write them as ordinary spans and the report says so.
#[test]
fn h_include_unresolved_keeps_them_marked() {
    let gold = gold();
    let candidates = unresolved(&gold);
    let total: usize = gold.documents.iter().map(|d| d.annotations.len()).sum();
    let options = ExportOptions {
        include_unresolved: true,
        ..ExportOptions::default()
    };
    let ordinary = settled(&gold);
    for format in Format::ALL {
        let (report, files) = export(&gold, format, &options);
        let (settled_report, settled_files) = export(&ordinary, format, &options);
        assert_eq!(report.spans, settled_report.spans, "{}", format.name());
        assert!(
            !report.notes.iter().any(|n| n.contains("left out (")),
            "{}: {:?}",
            format.name(),
            report.notes
        );
        let kept = format!("{candidates} unresolved candidate span(s) kept");
        assert!(
            report.notes.iter().any(|n| n.starts_with(&kept)),
            "{}: {:?}",
            format.name(),
            report.notes
        );
        match format {
            Format::Jsonl => {
                let text = String::from_utf8(files[&PathBuf::new()].clone()).unwrap();
                let spans: Vec<serde_json::Value> = text
                    .lines()
                    .flat_map(|line| {
                        let line: serde_json::Value = serde_json::from_str(line).unwrap();
                        line["spans"].as_array().unwrap().clone()
                    })
                    .collect();
                assert_eq!(spans.len(), total);
                let marked = spans.iter().filter(|s| s["unresolved"] == true).count();
                assert_eq!(marked, candidates);
                assert!(spans.iter().all(|s| s["unresolved"].is_boolean()));
            }
            Format::Csv => {
                let mut reader = csv::Reader::from_reader(&files[&PathBuf::new()][..]);
                let column = reader
                    .headers()
                    .unwrap()
                    .iter()
                    .position(|h| h == "unresolved")
                    .unwrap();
                let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
                assert_eq!(rows.len(), total);
                assert_eq!(
                    rows.iter().filter(|r| &r[column] == "true").count(),
                    candidates
                );
                assert!(rows.iter().all(|r| ["true", "false"].contains(&&r[column])));
            }
            _ => {
                assert!(
                    files == settled_files,
                    "{}: the candidates are written as ordinary spans",
                    format.name()
                );
                assert!(
                    report.notes.iter().any(|n| n.contains("as ordinary spans")),
                    "{}: {:?}",
                    format.name(),
                    report.notes
                );
            }
        }
    }
}

/// A project with what a Label Studio export must carry besides spans: two annotators, document
/// metadata (one key named like a `data` field of ours), document attributes with values and
/// free text (one named like the Text tag, one value outside the schema), and the unresolved
/// candidates of a gold project kept.
fn label_studio_project() -> Project {
    let (mut project, _) = marginalia::file::load(&root().join("projects/sample.ron")).unwrap();
    project
        .schema
        .document_attributes
        .push(marginalia::schema::DocAttributeDef {
            name: "summary".into(),
            values: Vec::new(),
            description: String::new(),
            key: String::new(),
        });
    project
        .schema
        .document_attributes
        .push(marginalia::schema::DocAttributeDef {
            name: "text".into(),
            values: vec!["full".into(), "excerpt".into()],
            description: String::new(),
            key: String::new(),
        });
    let first = &mut project.documents[0];
    first
        .attributes
        .insert("summary".into(), "Deux lignes\n« citées »".into());
    first.attributes.insert("text".into(), "excerpt".into());
    first.attributes.insert("genre".into(), "satire".into());
    first
        .metadata
        .insert("title".into(), serde_json::json!("Poutine salue"));
    first
        .metadata
        .insert("words".into(), serde_json::json!(412));
    first
        .metadata
        .insert("path".into(), serde_json::json!("s3://bucket/a.html"));
    first.annotations[1].annotator = "jules".into();
    project
}

fn export_label_studio(project: &Project) -> (tempfile::TempDir, serde_json::Value, String) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("ls");
    formats::export(
        project,
        Format::LabelStudio,
        &ExportOptions::default(),
        &out,
        &mut |_, _| {},
    )
    .unwrap();
    let tasks = serde_json::from_slice(&std::fs::read(out.join("tasks.json")).unwrap()).unwrap();
    let config = std::fs::read_to_string(out.join("config.xml")).unwrap();
    (tmp, tasks, config)
}

/// Item 8: Label Studio 1.23 refused our whole `tasks.json` (HTTP 400, "`Import data contains
/// completed_by=camille which is not a valid annotator's email or ID`"): `completed_by` may only
/// be the id or e-mail of one of its users. The export leaves it out and keeps the annotators in
/// the task's `meta`, from which the import reads them back.
#[test]
fn h_label_studio_export_has_no_completed_by_name() {
    let project = label_studio_project();
    let (tmp, tasks, _) = export_label_studio(&project);
    for task in tasks.as_array().unwrap() {
        for annotation in task["annotations"].as_array().unwrap() {
            assert!(
                annotation.get("completed_by").is_none(),
                "{}",
                annotation["completed_by"]
            );
        }
    }
    assert_eq!(tasks[0]["meta"]["annotator"], "camille");
    let jules = &project.documents[0].annotations[1];
    assert_eq!(
        tasks[0]["meta"]["region_annotators"],
        serde_json::json!({ format!("m{}", jules.id.0): "jules" })
    );
    // Read back: every span with its annotator.
    let imported = formats::import(Format::LabelStudio, &tmp.path().join("ls")).unwrap();
    let (back, _) =
        formats::build_project(imported, &tmp.path().join("corpus"), "someone").unwrap();
    for (ours, theirs) in project.documents.iter().zip(&back.documents) {
        let who = |d: &marginalia::model::Document| -> Vec<(usize, usize, String, String)> {
            let mut v: Vec<_> = d
                .annotations
                .iter()
                .flat_map(|a| {
                    a.fragments
                        .iter()
                        .map(|f| (f.start, f.end, a.label.clone(), a.annotator.clone()))
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(who(ours), who(theirs), "{}", ours.path);
    }
}

/// One control tag of a labelling config.
#[derive(Debug)]
struct Control {
    kind: String,
    name: String,
    to_name: String,
    values: Vec<String>,
}

/// The value of `name` in the tag text `tag` (what follows a `<`), unescaped.
fn xml_attribute(tag: &str, name: &str) -> Option<String> {
    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let value = &tag[at..at + tag[at..].find('"')?];
    Some(
        value
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// Item 8: the export keeps the rules Label Studio checks on import and on its project's
/// labelling config (read in HumanSignal/label-studio 1.23, `label_studio/`):
///
/// - `core/label_config.py`, `validate_label_config`: names unique in the config, every `toName`
///   a name of the config;
/// - `tasks/validation.py`, `TaskValidator.validate` and `check_data` (the data keys from
///   `core/label_config.py`, `extract_data_types`): a task is an object with `data` an object
///   holding every `$key` an object tag reads (the `Text` tag: a string), `meta` an object,
///   `annotations` a list of objects each with a `result` list;
/// - `tasks/serializers.py`, `BaseTaskSerializerBulk._insert_valid_completed_by`: `completed_by`
///   absent, a user id or `{"email": …}` of a member (anything else fails the whole import);
/// - `projects/models.py`, `Project.validate_config` with `core/label_config.py`,
///   `get_all_control_tag_tuples` and `get_all_labels`, and `Project._get_labels`: every result
///   but relations has a `from_name`, `to_name`, `type` that a control tag of the config has
///   (name, `toName`, tag type in lower case), and the values in `value[type]` are values of that
///   tag;
/// - the labelling front end (`Relations`, regions by id): a relation's `from_id` and `to_id`
///   are regions of the same annotation, its labels values of `<Relations>`; a `labels` region
///   has integer `start` < `end`, its `text` and `labels`; a per-region result shares its
///   region's id and offsets; a result on the whole text has none.
///
/// `.ci/check_label_studio.sh` checks the same exports against a running Label Studio.
#[test]
fn h_label_studio_export_keeps_the_rules_of_label_studio_import() {
    for project in [
        label_studio_project(),
        marginalia::file::load(&root().join("tests/fixtures/torture/torture.ron"))
            .unwrap()
            .0,
        gold(),
    ] {
        let (_tmp, tasks, config) = export_label_studio(&project);
        // The config.
        let mut names = Vec::new();
        let mut to_names = Vec::new();
        let mut controls: Vec<Control> = Vec::new();
        let mut relations: Vec<String> = Vec::new();
        let mut data_keys = Vec::new();
        let mut open: Option<usize> = None;
        let mut in_relations = false;
        for tag in config.split('<').skip(1) {
            let kind: String = tag
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '/')
                .collect();
            if let Some(name) = xml_attribute(tag, "name") {
                names.push(name);
            }
            if let Some(to) = xml_attribute(tag, "toName") {
                to_names.push(to);
            }
            match kind.as_str() {
                "Labels" | "Choices" | "TextArea" => {
                    controls.push(Control {
                        kind: kind.to_lowercase(),
                        name: xml_attribute(tag, "name").unwrap(),
                        to_name: xml_attribute(tag, "toName").unwrap(),
                        values: Vec::new(),
                    });
                    open = (kind != "TextArea").then(|| controls.len() - 1);
                }
                "Label" | "Choice" => controls[open.unwrap()]
                    .values
                    .push(xml_attribute(tag, "value").unwrap()),
                "/Labels" | "/Choices" => open = None,
                "Relations" => in_relations = true,
                "/Relations" => in_relations = false,
                "Relation" => {
                    assert!(in_relations);
                    relations.push(xml_attribute(tag, "value").unwrap());
                }
                "Text" => {
                    let value = xml_attribute(tag, "value").unwrap();
                    data_keys.push(value.strip_prefix('$').unwrap().to_owned());
                }
                _ => {}
            }
        }
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "names are unique: {names:?}");
        for to in &to_names {
            assert!(names.contains(to), "toName={to} is a name");
        }
        // The tasks.
        let tasks = tasks.as_array().unwrap();
        assert!(!tasks.is_empty());
        let mut whole_text = 0;
        for task in tasks {
            let data = task["data"].as_object().unwrap();
            for key in &data_keys {
                assert!(data[key].is_string(), "data.{key} is the text");
            }
            assert!(task["meta"].is_object());
            for annotation in task["annotations"].as_array().unwrap() {
                match annotation.get("completed_by") {
                    None => {}
                    Some(serde_json::Value::Object(by)) => {
                        assert!(by["email"].as_str().unwrap().contains('@'));
                    }
                    Some(other) => panic!("completed_by={other}"),
                }
                let results = annotation["result"].as_array().unwrap();
                let regions: BTreeMap<&str, &serde_json::Value> = results
                    .iter()
                    .filter(|r| r["type"] == "labels")
                    .map(|r| (r["id"].as_str().unwrap(), &r["value"]))
                    .collect();
                for result in results {
                    let kind = result["type"].as_str().unwrap();
                    if kind == "relation" {
                        assert!(regions.contains_key(result["from_id"].as_str().unwrap()));
                        assert!(regions.contains_key(result["to_id"].as_str().unwrap()));
                        for label in result["labels"].as_array().unwrap() {
                            assert!(relations.contains(&label.as_str().unwrap().to_owned()));
                        }
                        continue;
                    }
                    let from = result["from_name"].as_str().unwrap();
                    let to = result["to_name"].as_str().unwrap();
                    let control = controls
                        .iter()
                        .find(|c| c.name == from && c.to_name == to && c.kind == kind)
                        .unwrap_or_else(|| panic!("{from}|{to}|{kind} is not in the config"));
                    let value = result["value"].as_object().unwrap();
                    let listed = value[if kind == "textarea" { "text" } else { kind }]
                        .as_array()
                        .unwrap();
                    assert!(!listed.is_empty());
                    if kind != "textarea" {
                        for item in listed {
                            let item = item.as_str().unwrap().to_owned();
                            assert!(control.values.contains(&item), "{item} in {from}");
                        }
                    }
                    match value.get("start") {
                        None => {
                            assert!(kind != "labels" && result.get("id").is_none());
                            assert!(value.get("end").is_none());
                            whole_text += 1;
                        }
                        Some(start) => {
                            let (start, end) =
                                (start.as_u64().unwrap(), value["end"].as_u64().unwrap());
                            assert!(start < end);
                            assert!(value["text"].is_string());
                            let region = regions[result["id"].as_str().unwrap()];
                            assert_eq!(
                                (region["start"].as_u64(), region["end"].as_u64()),
                                (Some(start), Some(end))
                            );
                        }
                    }
                }
            }
        }
        let attributes: usize = project
            .documents
            .iter()
            .map(|d| {
                d.attributes
                    .iter()
                    .filter(|(name, value)| {
                        project
                            .schema
                            .document_attribute(name)
                            .is_some_and(|def| def.is_free_text() || def.values.contains(value))
                    })
                    .count()
            })
            .sum();
        assert_eq!(whole_text, attributes, "one result a document attribute");
    }
}

/// H 3 / L 2: the document's metadata are `data` fields beside the text and its attributes
/// document-level `choices` and `textarea` results, declared in the config; all come back on
/// import, the schema definitions with them, and without the config the definitions are made
/// from the values met.
#[test]
fn l2_label_studio_export_carries_metadata_and_document_attributes() {
    let project = label_studio_project();
    let (tmp, tasks, config) = export_label_studio(&project);
    let first = &tasks[0];
    assert_eq!(first["data"]["title"], "Poutine salue");
    assert_eq!(first["data"]["words"], 412);
    assert_eq!(first["data"]["path"], project.documents[0].path);
    assert_eq!(first["meta"]["metadata"]["path"], "s3://bucket/a.html");
    assert_eq!(first["meta"]["document_attributes"]["genre"], "satire");
    assert!(config.contains("<TextArea name=\"summary\" toName=\"text\""));
    assert!(config.contains(
        "<Choices name=\"text (document)\" toName=\"text\" choice=\"single\">\n    <Choice value=\"full\"/>"
    ));
    assert!(config.contains("<Choices name=\"genre\" toName=\"text\" choice=\"single\">"));
    let results = first["annotations"][0]["result"].as_array().unwrap();
    assert!(results.contains(&serde_json::json!({
        "from_name": "summary", "to_name": "text", "type": "textarea", "origin": "manual",
        "value": {"text": ["Deux lignes\n« citées »"]}
    })));
    assert!(results.contains(&serde_json::json!({
        "from_name": "text (document)", "to_name": "text", "type": "choices", "origin": "manual",
        "value": {"choices": ["excerpt"]}
    })));
    let dir = tmp.path().join("ls");
    let imported = formats::import(Format::LabelStudio, &dir).unwrap();
    assert!(imported.report.is_empty(), "{:?}", imported.report);
    let (back, _) = formats::build_project(imported, &tmp.path().join("corpus"), "x").unwrap();
    for (ours, theirs) in project.documents.iter().zip(&back.documents) {
        assert_eq!(ours.attributes, theirs.attributes, "{}", ours.path);
        assert_eq!(ours.metadata, theirs.metadata, "{}", ours.path);
    }
    let names = |p: &Project| -> Vec<(String, Vec<String>)> {
        p.schema
            .document_attributes
            .iter()
            .map(|d| (d.name.clone(), d.values.clone()))
            .collect()
    };
    assert_eq!(names(&back), names(&project));
    // The per-span attributes are still span attributes, not document ones.
    let span_attributes = |p: &Project| -> usize {
        p.documents
            .iter()
            .flat_map(|d| &d.annotations)
            .map(|a| a.attributes.len())
            .sum()
    };
    assert_eq!(span_attributes(&back), span_attributes(&project));
    // Without the config: the values met (and free text read as such).
    std::fs::remove_file(dir.join("config.xml")).unwrap();
    let imported = formats::import(Format::LabelStudio, &dir).unwrap();
    let (back, _) = formats::build_project(imported, &tmp.path().join("corpus2"), "x").unwrap();
    let defs = names(&back);
    assert!(
        defs.contains(&("summary".to_owned(), Vec::new())),
        "{defs:?}"
    );
    assert!(
        defs.contains(&("text".to_owned(), vec!["excerpt".to_owned()])),
        "{defs:?}"
    );
    assert_eq!(
        back.documents[0].attributes,
        project.documents[0].attributes
    );
}

/// Item 10 on the command line: `export` says how many candidates it left out, and
/// `--include-unresolved` keeps them, marked.
#[test]
fn h_export_command_leaves_unresolved_candidates_out_unless_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let gold = tmp.path().join("gold.ron");
    let merged = marginalia(&[
        "merge",
        s(&root().join("projects/sample.ron")),
        s(&root().join("projects/sample-second-annotator.ron")),
        "-o",
        s(&gold),
        "--policy",
        "union",
        "--annotator",
        "dana",
    ]);
    assert!(merged.status.success(), "{}", text(&merged.stderr));
    let (project, _) = marginalia::file::load(&gold).unwrap();
    let candidates = unresolved(&project);
    assert!(candidates > 0);
    let out = tmp.path().join("gold.jsonl");
    let plain = marginalia(&["export", s(&gold), "-f", "jsonl", "-o", s(&out)]);
    assert!(plain.status.success(), "{}", text(&plain.stderr));
    assert!(
        text(&plain.stderr).contains(&format!(
            "{candidates} unresolved candidate span(s) left out (--include-unresolved keeps them)"
        )),
        "{}",
        text(&plain.stderr)
    );
    assert!(
        !std::fs::read_to_string(&out)
            .unwrap()
            .contains("\"unresolved\"")
    );
    let kept = marginalia(&[
        "export",
        s(&gold),
        "-f",
        "jsonl",
        "-o",
        s(&out),
        "--include-unresolved",
    ]);
    assert!(kept.status.success(), "{}", text(&kept.stderr));
    assert!(
        text(&kept.stderr).contains(&format!(
            "{candidates} unresolved candidate span(s) kept, marked \"unresolved\": true"
        )),
        "{}",
        text(&kept.stderr)
    );
    let marked = std::fs::read_to_string(&out)
        .unwrap()
        .matches("\"unresolved\":true")
        .count();
    assert_eq!(marked, candidates);
}
