//! The brat export and import end to end: through folders, against a validator of what brat
//! itself accepts, on brat's tutorial corpus and on the torture project.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::import::list_files;
use super::*;
use crate::formats::tests::{to_folder, torture_project};
use crate::formats::{
    ExportOptions, ExportReport, Imported, ImportedDoc, ImportedRelation, ImportedSpan,
    build_project, select,
};
use crate::model::Project;
use crate::schema::Rgb;
use crate::text::ByteRange;

/// brat's tutorial corpus, kept unchanged in the shared fixtures.
fn tutorial() -> Option<PathBuf> {
    let folder =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/brat-tutorial-news");
    if folder.is_dir() {
        Some(folder)
    } else {
        eprintln!(
            "skipped: the brat fixture folder {} is absent",
            folder.display()
        );
        None
    }
}

fn export_project(project: &Project, out: &Path) -> ExportReport {
    let (docs, _) = select(project, &ExportOptions::default());
    let mut calls = Vec::new();
    let report = to_folder(out, |folder| {
        export(&docs, &project.schema, folder, &mut |done, total| {
            calls.push((done, total));
        })
    })
    .unwrap();
    // Progress comes a batch of documents at a time, rising to all of them.
    assert_eq!(calls.last(), Some(&(docs.len(), docs.len())));
    assert!(calls.windows(2).all(|w| w[0].0 < w[1].0));
    report
}

pub(super) fn doc<'a>(imported: &'a Imported, path: &str) -> &'a ImportedDoc {
    imported
        .documents
        .iter()
        .find(|d| d.path == path)
        .unwrap_or_else(|| panic!("no document {path}"))
}

pub(super) fn span<'a>(doc: &'a ImportedDoc, key: &str) -> &'a ImportedSpan {
    doc.spans
        .iter()
        .find(|s| s.key == key)
        .unwrap_or_else(|| panic!("no span {key} in {}", doc.path))
}

fn span_text(text: &str, span: &ImportedSpan) -> String {
    span.fragments
        .iter()
        .map(|f| f.slice(text))
        .collect::<Vec<_>>()
        .join(" ")
}

// -----------------------------------------------------------------------------------------
// A validator that follows brat's own parser (server/src/annotation.py) and configuration
// reader (server/src/projectconfig.py), written apart from the importer so that it does not
// share its mistakes.
// -----------------------------------------------------------------------------------------

#[derive(Default, Debug)]
struct Conf {
    entities: BTreeSet<String>,
    /// Relation type → allowed Arg1 types, allowed Arg2 types.
    relations: BTreeMap<String, (Vec<String>, Vec<String>)>,
    /// Attribute → types it attaches to, values (empty: binary).
    attributes: BTreeMap<String, (Vec<String>, Vec<String>)>,
}

fn is_storage_form(term: &str) -> bool {
    !term.is_empty()
        && term
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Reads an `annotation.conf` as brat does, collecting what breaks its rules.
fn read_conf(conf: &str, problems: &mut Vec<String>) -> Conf {
    let mut result = Conf::default();
    let mut section = String::new();
    for (number, line) in conf.split('\n').enumerate() {
        let at = format!("annotation.conf:{}", number + 1);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(name) = line
            .trim()
            .strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
        {
            section = name.to_owned();
            if !["entities", "relations", "events", "attributes"].contains(&name) {
                problems.push(format!("{at}: unexpected section [{name}]"));
            }
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            problems.push(format!(
                "{at}: indented line (a child in brat's hierarchy): {line:?}"
            ));
        }
        if line.trim().chars().all(|c| c == '-') {
            problems.push(format!("{at}: a line of hyphens is a separator: {line:?}"));
        }
        // brat: ^(\s*)(\S+)(?:\s+(.*))?$ ; terms split on |, arguments on ,
        let line = line.trim();
        let (terms, args) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let terms: Vec<&str> = terms
            .split('|')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        let Some(&term) = terms.first() else {
            problems.push(format!("{at}: no term"));
            continue;
        };
        let special = section == "relations" && term == "<OVERLAP>";
        if !special && !is_storage_form(term) {
            problems.push(format!(
                "{at}: {term:?} is not a storage form (^[a-zA-Z0-9_-]*$)"
            ));
        }
        let mut parsed: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for arg in args.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            // brat: ^(\S*?):(\S*)$
            let Some((key, types)) = arg
                .split_once(':')
                .filter(|_| !arg.contains(char::is_whitespace))
            else {
                problems.push(format!("{at}: argument {arg:?} is not KEY:TYPE|TYPE…"));
                continue;
            };
            if types.split('|').any(|t| t.trim().is_empty()) {
                problems.push(format!("{at}: empty type in {arg:?}"));
            }
            if parsed
                .insert(
                    key.to_owned(),
                    types.split('|').map(str::to_owned).collect(),
                )
                .is_some()
            {
                problems.push(format!("{at}: argument {key} twice"));
            }
        }
        let get = |key: &str| parsed.get(key).cloned().unwrap_or_default();
        match section.as_str() {
            "entities" => {
                result.entities.insert(term.to_owned());
            }
            "relations" if !special => {
                if !parsed.contains_key("Arg1") || !parsed.contains_key("Arg2") {
                    problems.push(format!("{at}: a relation needs Arg1 and Arg2"));
                }
                result
                    .relations
                    .insert(term.to_owned(), (get("Arg1"), get("Arg2")));
            }
            "attributes" => {
                if !parsed.contains_key("Arg") {
                    problems.push(format!("{at}: an attribute needs Arg"));
                }
                result
                    .attributes
                    .insert(term.to_owned(), (get("Arg"), get("Value")));
            }
            _ => {}
        }
    }
    result
}

/// brat's id rule: ^([A-Za-z]+|#[A-Za-z]*)([0-9]+)(.*?)$
fn brat_id(id: &str) -> bool {
    let after = id.strip_prefix('#').map_or_else(
        || {
            let rest = id.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            (rest.len() < id.len()).then_some(rest)
        },
        |rest| Some(rest.trim_start_matches(|c: char| c.is_ascii_alphabetic())),
    );
    after.is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

fn allows(types: &[String], label: &str) -> bool {
    types
        .iter()
        .any(|t| t == label || t == "<ENTITY>" || t == "<ANY>")
}

/// Checks every `.txt`/`.ann` pair of a brat folder against brat's rules; returns the problems.
fn validate(folder: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let conf = std::fs::read_to_string(folder.join("annotation.conf")).unwrap();
    let conf = read_conf(&conf, &mut problems);
    let texts = list_files(folder).unwrap().texts;
    assert!(!texts.is_empty());
    for path in texts {
        // brat reads texts with universal newlines.
        let text: Vec<char> = std::fs::read_to_string(folder.join(&path))
            .unwrap()
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .chars()
            .collect();
        let ann_name = format!("{}.ann", path.strip_suffix(".txt").unwrap());
        let ann = std::fs::read_to_string(folder.join(&ann_name))
            .unwrap_or_else(|_| panic!("no {ann_name}"));
        if !ann.is_empty() && !ann.ends_with('\n') {
            problems.push(format!("{ann_name}: the last line has no line break"));
        }
        let mut ids: BTreeMap<String, String> = BTreeMap::new(); // id → type of a text-bound, or ""
        let mut references: Vec<(String, String)> = Vec::new(); // (where, id that must be a T)
        let mut relation_ends: Vec<(String, String, String, String)> = Vec::new();
        for (number, line) in ann.lines().enumerate() {
            let at = format!("{ann_name}:{}", number + 1);
            if line.contains('\r') {
                problems.push(format!("{at}: carriage return in a line"));
            }
            let Some((id, rest)) = line.split_once('\t') else {
                problems.push(format!("{at}: no tab"));
                continue;
            };
            if !brat_id(id) {
                problems.push(format!("{at}: invalid id {id:?}"));
            }
            let (data, tail) = rest
                .split_once('\t')
                .map_or((rest, None), |(d, t)| (d, Some(t)));
            match id.chars().next() {
                Some('T') => {
                    let Some((label, offsets)) = data.split_once(' ') else {
                        problems.push(format!("{at}: no offsets"));
                        continue;
                    };
                    if !conf.entities.contains(label) {
                        problems.push(format!(
                            "{at}: entity type {label:?} not in annotation.conf"
                        ));
                    }
                    let mut seen: Vec<(usize, usize)> = Vec::new();
                    let mut parts = Vec::new();
                    for pair in offsets.split(';') {
                        let numbers: Vec<&str> = pair.split(' ').collect();
                        let [start, end] = numbers.as_slice() else {
                            problems.push(format!("{at}: fragment {pair:?} is not START END"));
                            continue;
                        };
                        let (Ok(start), Ok(end)) = (start.parse::<usize>(), end.parse::<usize>())
                        else {
                            problems.push(format!("{at}: offsets {pair:?} are not numbers"));
                            continue;
                        };
                        if start >= end || end > text.len() {
                            problems.push(format!(
                                "{at}: fragment {start} {end} empty or past the text ({} chars)",
                                text.len()
                            ));
                            continue;
                        }
                        // brat: `if end >= ostart and start < oend` → overlap
                        if seen.iter().any(|&(os, oe)| end >= os && start < oe) {
                            problems.push(format!("{at}: fragments overlap"));
                        }
                        seen.push((start, end));
                        let part: String = text[start..end].iter().collect();
                        if part.contains(['\n', '\r']) {
                            problems
                                .push(format!("{at}: fragment {start} {end} holds a line break"));
                        }
                        parts.push(part);
                    }
                    let expected = parts.join(" ");
                    if tail != Some(expected.as_str()) {
                        problems.push(format!(
                            "{at}: text column {tail:?} is not the covered text {expected:?}"
                        ));
                    }
                    ids.insert(id.to_owned(), label.to_owned());
                }
                Some('R') => {
                    let words: Vec<&str> = data.split(' ').collect();
                    let [kind, arg1, arg2] = words.as_slice() else {
                        problems.push(format!("{at}: a relation needs TYPE Arg1:ID Arg2:ID"));
                        continue;
                    };
                    if !conf.relations.contains_key(*kind) {
                        problems.push(format!(
                            "{at}: relation type {kind:?} not in annotation.conf"
                        ));
                    }
                    match (arg1.split_once(':'), arg2.split_once(':')) {
                        (Some(("Arg1", a)), Some(("Arg2", b))) => {
                            relation_ends.push((
                                at.clone(),
                                (*kind).to_owned(),
                                a.to_owned(),
                                b.to_owned(),
                            ));
                        }
                        _ => problems.push(format!("{at}: roles are not Arg1 and Arg2")),
                    }
                    if tail.is_some_and(|t| !t.is_empty()) {
                        problems.push(format!("{at}: text after a relation"));
                    }
                    ids.insert(id.to_owned(), String::new());
                }
                Some('A') => {
                    let words: Vec<&str> = data.splitn(3, ' ').collect();
                    let (name, target, value) = match words.as_slice() {
                        [name, target] => (*name, *target, None),
                        [name, target, value] => (*name, *target, Some(*value)),
                        _ => {
                            problems.push(format!("{at}: an attribute needs NAME ID [VALUE]"));
                            continue;
                        }
                    };
                    match (conf.attributes.get(name), value) {
                        (None, _) => problems
                            .push(format!("{at}: attribute {name:?} not in annotation.conf")),
                        (Some((_, values)), None) if !values.is_empty() => {
                            problems.push(format!("{at}: {name} needs a value"));
                        }
                        (Some((_, values)), Some(value)) if !values.iter().any(|v| v == value) => {
                            problems.push(format!(
                                "{at}: value {value:?} of {name} not in annotation.conf"
                            ));
                        }
                        _ => {}
                    }
                    references.push((at.clone(), target.to_owned()));
                    ids.insert(id.to_owned(), String::new());
                }
                Some('#') => {
                    let words: Vec<&str> = data.split_whitespace().collect();
                    let [_, target] = words.as_slice() else {
                        problems.push(format!("{at}: a note needs TYPE ID"));
                        continue;
                    };
                    references.push((at.clone(), (*target).to_owned()));
                    ids.insert(id.to_owned(), String::new());
                }
                _ => problems.push(format!("{at}: unexpected line {line:?}")),
            }
        }
        let distinct: BTreeSet<&str> = ann
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(id, _)| id)
            .collect();
        if distinct.len() != ann.lines().filter(|l| l.contains('\t')).count() {
            problems.push(format!("{ann_name}: an id is used twice"));
        }
        for (at, target) in references {
            if ids.get(&target).is_none_or(String::is_empty) {
                problems.push(format!("{at}: {target} is not a text-bound of this file"));
            }
        }
        for (at, kind, a, b) in relation_ends {
            let (Some(from), Some(to)) = (
                ids.get(&a).filter(|t| !t.is_empty()),
                ids.get(&b).filter(|t| !t.is_empty()),
            ) else {
                problems.push(format!("{at}: an end is not a text-bound of this file"));
                continue;
            };
            if let Some((arg1, arg2)) = conf.relations.get(&kind)
                && !(allows(arg1, from) && allows(arg2, to))
            {
                problems.push(format!(
                    "{at}: {kind} from {from} to {to} not allowed by annotation.conf"
                ));
            }
        }
    }
    problems
}

// -----------------------------------------------------------------------------------------

#[test]
fn imports_the_brat_tutorial_with_its_attributes_notes_and_relations() {
    let Some(folder) = tutorial() else { return };
    let imported = import(&folder).unwrap();
    let paths: Vec<&str> = imported.documents.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths.len(), 13);
    assert!(
        paths.windows(2).all(|w| w[0] < w[1]),
        "sorted by path: {paths:?}"
    );
    assert_eq!(paths.first(), Some(&"000-introduction.txt"));
    let report = imported.report.join("\n");
    assert!(
        !report.contains("line skipped"),
        "every line of brat's own files reads:\n{report}"
    );
    assert!(!report.contains("does not match"), "{report}");

    // 100: T1 "Somebody", a Person, carries the binary attribute A4 Individual.
    let attributes = doc(&imported, "100-attribute_annotation.txt");
    let somebody = span(attributes, "T1");
    assert_eq!(somebody.label, "Person");
    assert_eq!(span_text(&attributes.text, somebody), "Somebody");
    assert_eq!(
        somebody.attributes,
        BTreeMap::from([("Individual".to_owned(), "true".to_owned())])
    );
    // Its events are reported, one by one, and their triggers kept as spans.
    assert!(report.contains("100-attribute_annotation.ann:18: E1 (Report event with 2 arguments) not imported: Marginalia has no events; its trigger T17 is kept as a Report span"), "{report}");
    assert!(
        report.contains("E2 (Merge-org event with 2 arguments) not imported"),
        "{report}"
    );
    assert_eq!(span(attributes, "T17").label, "Report");
    let events_in = |file: &str| {
        report
            .lines()
            .filter(|l| l.starts_with(file) && l.contains(" event with "))
            .count()
    };
    assert_eq!(
        events_in("100-attribute_annotation.ann"),
        10,
        "ten events in 100"
    );
    // Attributes on events are reported too.
    assert!(
        report.contains(
            "100-attribute_annotation.ann:27: A1 (Confidence = Neutral on event E1) not imported"
        ),
        "{report}"
    );

    // 110: a note on a span becomes its note; notes on events and relations are reported.
    let notes = doc(&imported, "110-note_annotation.txt");
    assert_eq!(
        span(notes, "T1").note,
        "Should fictional places be annotated?"
    );
    assert_eq!(span_text(&notes.text, span(notes, "T1")), "Discworld");
    assert!(notes.relations.contains(&ImportedRelation {
        kind: "Family".into(),
        from: "T6".into(),
        to: "T7".into()
    }));
    assert_eq!(span_text(&notes.text, span(notes, "T6")), "Orville Wright");
    assert!(report.contains("110-note_annotation.ann:8: #2 (AnnotatorNotes on event E1: “Annotate as one merge event"), "{report}");
    assert!(report.contains("110-note_annotation.ann:12: #3 (AnnotatorNotes on relation R1: “Should this be marked? It's not explicitly stated.”) not imported"), "{report}");

    // 000: note, attributes with values, normalisation, attribute on an event.
    let intro = doc(&imported, "000-introduction.txt");
    assert_eq!(span(intro, "T2").note, "100000000 USD");
    assert_eq!(
        span(intro, "T4")
            .attributes
            .get("Mention")
            .map(String::as_str),
        Some("Name")
    );
    assert!(intro.relations.contains(&ImportedRelation {
        kind: "Origin".into(),
        from: "T6".into(),
        to: "T7".into()
    }));
    assert!(
        report.contains(
            "N1 (Reference of T5: Wikipedia:64488 “Carlos Salinas de Gortari”) not imported"
        ),
        "{report}"
    );
    assert!(
        report.contains("A5 (Confidence = High on event E1) not imported"),
        "{report}"
    );
    // 060: equivalences are reported.
    assert!(
        report.contains(
            "060-relation_annotation.ann:6: equivalence Alias of T3, T4, T5 not imported"
        ),
        "{report}"
    );
    // 090: events whose arguments are events are reported, not dropped.
    assert_eq!(events_in("090-event_structures.ann"), 6);

    // Every span sits on char boundaries and covers exactly the text of the .ann's third column.
    let mut checked = 0;
    for document in &imported.documents {
        let ann =
            std::fs::read_to_string(folder.join(document.path.replace(".txt", ".ann"))).unwrap();
        let columns: BTreeMap<&str, &str> = ann
            .lines()
            .filter(|l| l.starts_with('T'))
            .map(|l| {
                let fields: Vec<&str> = l.split('\t').collect();
                (fields[0], fields[2])
            })
            .collect();
        assert_eq!(
            columns.len(),
            document.spans.len(),
            "{}: every T line imported",
            document.path
        );
        for span in &document.spans {
            assert!(crate::model::check_fragments(&document.text, &span.fragments).is_ok());
            assert_eq!(
                span_text(&document.text, span),
                columns[span.key.as_str()],
                "{} {}",
                document.path,
                span.key
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} spans checked");
    // visual.conf's colours.
    assert_eq!(
        imported.colors.get("Person"),
        Some(&Rgb([0xff, 0x82, 0x1c]))
    );
    assert_eq!(imported.colors.get("Money"), Some(&Rgb([0x00, 0x70, 0x00])));
    assert!(
        !imported.colors.contains_key("SPAN_DEFAULT"),
        "named colours are not taken"
    );
}

#[test]
fn the_tutorial_re_exported_is_valid_brat_and_reads_back_the_same() {
    let Some(folder) = tutorial() else { return };
    let first = import(&folder).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (project, _) = build_project(first.clone(), &dir.path().join("corpus"), "zoé").unwrap();
    let out = dir.path().join("brat");
    let report = export_project(&project, &out);
    assert_eq!(report.documents, 13, "{:?}", report.notes);
    let problems = validate(&out);
    assert!(problems.is_empty(), "{problems:#?}");
    let again = import(&out).unwrap();
    assert_eq!(again.documents.len(), first.documents.len());
    for (a, b) in first.documents.iter().zip(&again.documents) {
        assert_eq!(a.path, b.path);
        assert_eq!(
            std::fs::read(folder.join(&a.path)).unwrap(),
            std::fs::read(out.join(&b.path)).unwrap(),
            "{}",
            a.path
        );
        let shape = |d: &ImportedDoc| {
            let mut spans: Vec<_> = d
                .spans
                .iter()
                .map(|s| {
                    (
                        s.label.clone(),
                        s.fragments.clone(),
                        s.note.clone(),
                        s.attributes.clone(),
                    )
                })
                .collect();
            spans.sort();
            let ends = |key: &str| {
                d.spans
                    .iter()
                    .find(|s| s.key == key)
                    .map(|s| s.fragments.clone())
            };
            let mut relations: Vec<_> = d
                .relations
                .iter()
                .map(|r| (r.kind.clone(), ends(&r.from), ends(&r.to)))
                .collect();
            relations.sort();
            (spans, relations)
        };
        assert_eq!(shape(a), shape(b), "{}", a.path);
    }
    assert_eq!(
        again.colors.get("Person"),
        Some(&Rgb([0xff, 0x82, 0x1c])),
        "colours written to visual.conf"
    );
}

#[test]
fn the_torture_project_exports_to_valid_brat_and_comes_back_unchanged() {
    let mut project = torture_project();
    let claim = project.documents[0]
        .annotations
        .iter_mut()
        .find(|a| a.note == "nested")
        .unwrap();
    claim.attributes.insert("stance".into(), "affirm".into());
    let dir = tempfile::tempdir().unwrap();
    let report = export_project(&project, dir.path());
    assert_eq!(
        (report.documents, report.spans, report.relations),
        (3, 8, 1)
    );
    // A note of two lines is two notes in brat, which come back as the one note.
    assert!(
        report.notes.iter().all(|n| !n.contains("note(s)")),
        "{:?}",
        report.notes
    );
    let ann = std::fs::read_to_string(dir.path().join("a-bom-crlf.ann")).unwrap();
    assert!(
        ann.contains("\tAnnotatorNotes T3\tcitation, \"exacte\"\n")
            && ann.contains("\tAnnotatorNotes T3\tsur deux lignes\n"),
        "{ann}"
    );
    let problems = validate(dir.path());
    assert!(problems.is_empty(), "{problems:#?}");

    let imported = import(dir.path()).unwrap();
    assert!(imported.report.is_empty(), "{:?}", imported.report);
    assert_eq!(imported.documents.len(), 3);
    for (original, back) in project.documents.iter().zip(&imported.documents) {
        assert_eq!(original.path, back.path);
        assert_eq!(*original.text, back.text);
        assert_eq!(
            std::fs::read(dir.path().join(&back.path)).unwrap(),
            original.text.as_bytes(),
            "the .txt is the text, byte for byte"
        );
        let mut expected: Vec<_> = original
            .annotations
            .iter()
            .map(|a| {
                (
                    a.label.clone(),
                    a.fragments.clone(),
                    a.note.clone(),
                    a.attributes.clone(),
                )
            })
            .collect();
        let mut got: Vec<_> = back
            .spans
            .iter()
            .map(|s| {
                (
                    s.label.clone(),
                    s.fragments.clone(),
                    s.note.clone(),
                    s.attributes.clone(),
                )
            })
            .collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "{}", back.path);
        let fragments_of_id = |id| original.annotation(id).unwrap().fragments.clone();
        let fragments_of_key = |key: &str| {
            back.spans
                .iter()
                .find(|s| s.key == key)
                .unwrap()
                .fragments
                .clone()
        };
        let expected: Vec<_> = original
            .relations
            .iter()
            .map(|r| {
                (
                    r.kind.clone(),
                    fragments_of_id(r.from),
                    fragments_of_id(r.to),
                )
            })
            .collect();
        let got: Vec<_> = back
            .relations
            .iter()
            .map(|r| {
                (
                    r.kind.clone(),
                    fragments_of_key(&r.from),
                    fragments_of_key(&r.to),
                )
            })
            .collect();
        assert_eq!(got, expected, "{}", back.path);
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("c-empty.ann")).unwrap(),
        ""
    );
}

#[test]
fn offsets_count_code_points_as_brat_reads_the_text_bom_one_crlf_one() {
    let project = torture_project();
    let dir = tempfile::tempdir().unwrap();
    export_project(&project, dir.path());
    let ann = std::fs::read_to_string(dir.path().join("a-bom-crlf.ann")).unwrap();
    // By hand: BOM (1) + "Le Kremlin 😀 a dit" (18: the emoji is one code point) + "\r\n" (one,
    // as brat reads it) = 20; the quote "« Vos soldats se sont battus »" is 30 code points.
    // In bytes the quote starts at 3 + 21 + 2 = 26 (BOM 3 bytes, emoji 4).
    let text = &project.documents[0].text;
    let quote = "« Vos soldats se sont battus »";
    assert_eq!(text.find(quote), Some(26));
    assert_eq!(quote.chars().count(), 30);
    // brat reads the text with universal newlines: "\r\n" counts one, so the quote starts
    // at 20, not 21.
    assert!(ann.contains(&format!("\tclaim 20 50\t{quote}\n")), "{ann}");
    // "Poutine" after: 20 + 30 + ", a déclaré " (12) = 62.
    assert!(ann.contains("\tsource 62 69\tPoutine\n"), "{ann}");
    // The BOM counts one: "Le Kremlin" starts at 1.
    assert!(ann.contains("\tsource 1 11\tLe Kremlin\n"), "{ann}");
    let arabic = std::fs::read_to_string(dir.path().join("b-arabic.ann")).unwrap();
    // "قال" is 3 code points; "e\u{301}te\u{301}" (5 code points: two combining accents)
    // starts after "قال المتحدث إن " (3 + 1 + 7 + 1 + 2 + 1 = 15).
    assert!(
        arabic.contains("\tclaim 0 3;15 20\tقال e\u{301}te\u{301}\n"),
        "{arabic}"
    );
}

#[test]
fn fragments_across_line_breaks_are_split_there() {
    let mut project = torture_project();
    let text = project.documents[0].text.clone();
    let start = text.find("dit\r\n").unwrap();
    let end = text.find(" soldats").unwrap();
    let id = project.allocate_id();
    let annotation = crate::model::Annotation {
        id,
        label: "claim".into(),
        fragments: vec![ByteRange::new(start, end)],
        annotator: "zoé".into(),
        note: String::new(),
        created: crate::model::Timestamp(0),
        attributes: BTreeMap::new(),
        suggested: None,
        provenance: None,
    };
    crate::edit::Edit::AddAnnotation { doc: 0, annotation }
        .apply(&mut project)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let report = export_project(&project, dir.path());
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.starts_with("1 span(s) crossed a line break")),
        "{:?}",
        report.notes
    );
    let ann = std::fs::read_to_string(dir.path().join("a-bom-crlf.ann")).unwrap();
    assert!(ann.contains("\tclaim 16 19;20 25\tdit « Vos\n"), "{ann}");
    assert!(
        validate(dir.path()).is_empty(),
        "{:?}",
        validate(dir.path())
    );
    let imported = import(dir.path()).unwrap();
    let fragments: Vec<&str> = imported.documents[0]
        .spans
        .iter()
        .find(|s| s.fragments.len() == 2)
        .unwrap()
        .fragments
        .iter()
        .map(|f| f.slice(&text))
        .collect();
    assert_eq!(fragments, ["dit", "« Vos"]);
}

#[test]
fn names_brat_cannot_hold_are_renamed_the_same_way_everywhere() {
    let mut project = torture_project();
    project.schema.labels[1].name = "source citée".into();
    project.schema.relations[0].to = vec!["source citée".into()];
    for annotation in &mut project
        .documents
        .iter_mut()
        .flat_map(|d| d.annotations.iter_mut())
    {
        if annotation.label == "source" {
            annotation.label = "source citée".into();
            annotation
                .attributes
                .insert("kind".into(), "news agency".into());
        }
    }
    let kind = project
        .schema
        .attributes
        .iter_mut()
        .find(|a| a.name == "kind")
        .unwrap();
    kind.label = "source citée".into();
    kind.values.push("news agency".into());
    let dir = tempfile::tempdir().unwrap();
    let report = export_project(&project, dir.path());
    assert!(report.notes.iter().any(|n| n == "label \"source citée\" written as \"source_cit_e\": brat type names allow only ASCII letters, digits, _ and -"), "{:?}", report.notes);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("\"news agency\"") && n.contains("\"news_agency\"")),
        "{:?}",
        report.notes
    );
    let conf = std::fs::read_to_string(dir.path().join("annotation.conf")).unwrap();
    assert!(conf.contains("\nsource_cit_e\n"), "{conf}");
    assert!(
        conf.contains("attributed-to\tArg1:claim, Arg2:source_cit_e\n"),
        "{conf}"
    );
    assert!(conf.contains("kind\tArg:source_cit_e, Value:person|organisation|media|document|anonymous|news_agency\n"), "{conf}");
    let ann = std::fs::read_to_string(dir.path().join("a-bom-crlf.ann")).unwrap();
    assert!(ann.contains("\tsource_cit_e 62 69\tPoutine\n"), "{ann}");
    assert!(ann.contains("\tkind T2 news_agency\n"), "{ann}");
    let visual = std::fs::read_to_string(dir.path().join("visual.conf")).unwrap();
    assert!(visual.contains("source_cit_e | source citée\n"), "{visual}");
    assert!(
        validate(dir.path()).is_empty(),
        "{:?}",
        validate(dir.path())
    );
}

#[test]
fn the_validator_catches_what_brat_refuses() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("annotation.conf"),
        "[entities]\nPerson\nfact/check\n[relations]\n[events]\n[attributes]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("d.txt"), "ab\ncd").unwrap();
    std::fs::write(
        dir.path().join("d.ann"),
        "T1\tPerson 0 2\tab\nT2\tPerson 1 4\tb\nc\nT3\tPlace 0 1\ta\nT4\tPerson 3 5;0 2\tcd  ab\n#1\tAnnotatorNotes T9\tx\nR1\tKin Arg1:T1 Arg2:T3\t\nT1\tPerson 0 1\ta\nT5\tPerson 2 1;3 9\t\n",
    )
    .unwrap();
    let problems = validate(dir.path()).join("\n");
    for expected in [
        "annotation.conf:3: \"fact/check\" is not a storage form",
        "d.ann:2: fragment 1 4 holds a line break",
        "d.ann:3: line skipped",
        "d.ann:4: entity type \"Place\" not in annotation.conf",
        "d.ann:5: text column Some(\"cd  ab\") is not the covered text \"cd ab\"",
        "d.ann:7: relation type \"Kin\" not in annotation.conf",
        "d.ann: an id is used twice",
        "d.ann:9: fragment 2 1 empty or past the text",
        "d.ann:9: fragment 3 9 empty or past the text",
        "d.ann:6: T9 is not a text-bound of this file",
    ] {
        if expected == "d.ann:3: line skipped" {
            assert!(problems.contains("d.ann:3: no tab"), "{problems}");
            continue;
        }
        assert!(
            problems.contains(expected),
            "{expected:?} not found in:\n{problems}"
        );
    }
}

/// The notes (`#` lines) of every `.ann` below `folder`: (file, type, what the note is on, text
/// exactly as written), what it is on given as the text-bound's type and offsets (ids differ
/// between files), or as the id for anything else.
fn notes_lines(folder: &Path) -> BTreeSet<(String, String, String, String)> {
    let mut notes = BTreeSet::new();
    for ann in list_files(folder).unwrap().texts {
        let ann = ann.replace(".txt", ".ann");
        let Ok(content) = std::fs::read_to_string(folder.join(&ann)) else {
            continue;
        };
        let mut text_bounds = BTreeMap::new();
        for line in content.lines() {
            if let Some((id, rest)) = line.split_once('\t')
                && id.starts_with('T')
            {
                let data = rest.split_once('\t').map_or(rest, |(data, _)| data);
                text_bounds.insert(id.to_owned(), data.to_owned());
            }
        }
        for line in content.lines() {
            if !line.starts_with('#') {
                continue;
            }
            let mut parts = line.splitn(3, '\t');
            let (_, data, tail) = (parts.next(), parts.next().unwrap(), parts.next());
            let (kind, target) = data.split_once(' ').unwrap();
            let on = text_bounds
                .get(target)
                .cloned()
                .unwrap_or_else(|| target.to_owned());
            notes.insert((
                ann.clone(),
                kind.to_owned(),
                on,
                tail.unwrap_or_default().to_owned(),
            ));
        }
    }
    notes
}

/// Imports `folder`, builds its project and exports it as brat again: the import's report and
/// the export folder.
fn round_trip(folder: &Path, dir: &Path) -> (crate::formats::ImportReport, PathBuf) {
    let imported = import(folder).unwrap();
    let (project, report) = build_project(imported, &dir.join("corpus"), "zoé").unwrap();
    let out = dir.join("again");
    export_project(&project, &out);
    let problems = validate(&out);
    assert!(problems.is_empty(), "{problems:#?}");
    (report, out)
}

#[test]
fn h_brat_notes_of_the_tutorial_come_back_exactly() {
    let Some(folder) = tutorial() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (report, out) = round_trip(&folder, dir.path());
    let before = notes_lines(&folder);
    let after = notes_lines(&out);
    // Notes on spans come back as they were; those on relations and events are not imported,
    // and said so.
    let (on_spans, elsewhere): (BTreeSet<_>, BTreeSet<_>) = before
        .into_iter()
        .partition(|(_, _, on, _)| on.contains(' '));
    assert_eq!(after, on_spans);
    assert_eq!(on_spans.len(), 2, "{on_spans:?}");
    for (ann, kind, on, note) in elsewhere {
        assert!(
            report.not_imported.iter().any(|r| r.starts_with(&ann)
                && r.contains(&format!("{kind} on "))
                && r.contains(&on)
                && r.contains(&note)),
            "{ann} {on}: {:?}",
            report.not_imported
        );
    }
}

#[test]
fn h_brat_notes_empty_spaced_and_of_other_types_come_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("in");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("a.txt"), "Samson et Delilah à Gaza.").unwrap();
    let ann = "T1\tPerson 0 6\tSamson\n\
               T2\tPerson 10 17\tDelilah\n\
               T3\tGPE 20 24\tGaza\n\
               #1\tAnnotatorNotes T1\t\n\
               #2\tAnnotatorNotes T3\t  deux espaces de chaque côté  \n\
               #3\tLemma T2\tDelilah\n\
               #4\tLemma T2\t\n\
               #5\tAnnotatorNotes T2\t\n\
               #6\tAnnotatorNotes T2\tet un onglet\tau milieu\n\
               #7\tReview T3\t ok\n";
    std::fs::write(folder.join("a.ann"), ann).unwrap();
    let imported = import(&folder).unwrap();
    let doc = doc(&imported, "a.txt");
    assert_eq!(span(doc, "T3").note, "  deux espaces de chaque côté  ");
    assert_eq!(
        span(doc, "T2").attributes,
        BTreeMap::from([("brat:#Lemma".to_owned(), "Delilah\n".to_owned())])
    );
    assert_eq!(span(doc, "T2").note, "\net un onglet\tau milieu");
    let (report, out) = round_trip(&folder, &dir.path().join("trip"));
    let mut expected = notes_lines(&folder);
    // The one note that is not kept: a lone empty note is no note, and the report says so.
    let empty = (
        "a.ann".to_owned(),
        "AnnotatorNotes".to_owned(),
        "Person 0 6".to_owned(),
        String::new(),
    );
    assert!(expected.remove(&empty));
    assert_eq!(notes_lines(&out), expected);
    assert_eq!(
        report.not_imported,
        [
            "a.ann:4: #1 (an empty AnnotatorNotes on T1) not imported: an empty note is no note in \
          Marginalia"
        ]
    );
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    // The other types are notes again, not attributes, in brat.
    let conf = std::fs::read_to_string(out.join("annotation.conf")).unwrap();
    assert!(!conf.contains("Lemma") && !conf.contains("brat:"), "{conf}");
}

#[test]
fn h_brat_export_says_what_it_changes_in_notes() {
    let mut project = torture_project();
    let nested = project.documents[0]
        .annotations
        .iter_mut()
        .find(|a| a.note == "nested")
        .unwrap();
    nested.note = "un\r\ndeux\u{2028}trois".into();
    nested
        .attributes
        .insert("brat:#mot clé".into(), "Kremlin".into());
    let dir = tempfile::tempdir().unwrap();
    let report = export_project(&project, dir.path());
    assert!(validate(dir.path()).is_empty());
    assert!(
        report.notes.iter().any(|n| n.starts_with(
            "1 note(s) had line ends other than \\n (\\r, U+2028…): written as plain line breaks"
        )),
        "{:?}",
        report.notes
    );
    assert!(
        report.notes.iter().any(|n| n
            == "notes of type \"mot clé\" (attribute \"brat:#mot clé\") written as type \
                \"mot_clé\": a brat note type is one word"),
        "{:?}",
        report.notes
    );
    let imported = import(dir.path()).unwrap();
    let back = imported.documents[0]
        .spans
        .iter()
        .find(|s| s.note.starts_with("un"))
        .unwrap();
    assert_eq!(back.note, "un\ndeux\ntrois");
    assert_eq!(
        back.attributes.get("brat:#mot_clé").map(String::as_str),
        Some("Kremlin")
    );
}

#[test]
fn h_brat_export_keeps_dotted_names() {
    use crate::model::{Document, Status};
    let paths = [
        "report.2024-01.txt",
        "report.txt",
        "v1.2/notes.final.txt",
        "README",
        "a",
        "a.txt",
    ];
    let documents = paths
        .iter()
        .map(|path| Document {
            path: (*path).to_owned(),
            hash: crate::corpus::sha256_hex(path.as_bytes()),
            text: std::sync::Arc::from(format!("Le texte de {path}.")),
            status: Status::Done,
            ..Document::default()
        })
        .collect();
    let project = Project::new(
        "zoé".into(),
        "/corpus".into(),
        crate::schema::Schema::default(),
        documents,
    );
    let dir = tempfile::tempdir().unwrap();
    let report = export_project(&project, dir.path());
    assert_eq!(report.documents, 6);
    // Every document named as a brat text keeps its name; the others are renamed, and said so.
    let written = |name: &str| {
        std::fs::read_to_string(dir.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    for path in [
        "report.2024-01.txt",
        "report.txt",
        "v1.2/notes.final.txt",
        "a.txt",
    ] {
        assert_eq!(written(path), format!("Le texte de {path}."));
        assert!(dir.path().join(path.replace(".txt", ".ann")).is_file());
    }
    assert_eq!(written("README.txt"), "Le texte de README.");
    assert_eq!(written("a-2.txt"), "Le texte de a.");
    let renamed: Vec<&String> = report
        .notes
        .iter()
        .filter(|n| n.contains("written as"))
        .collect();
    assert_eq!(
        renamed,
        [
            "README: written as README.txt (a brat text is a .txt file)",
            "a: written as a-2.txt (another document already gives a.txt)"
        ],
        "{:?}",
        report.notes
    );
    let back = import(dir.path()).unwrap();
    let names: BTreeSet<&str> = back.documents.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "README.txt",
            "a-2.txt",
            "a.txt",
            "report.2024-01.txt",
            "report.txt",
            "v1.2/notes.final.txt"
        ])
    );
}
