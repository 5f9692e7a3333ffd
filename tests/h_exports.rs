//! Issue H: what the exports of a gold project hold (item 10: the unresolved candidates stay out
//! of datasets unless asked for, marked where the format can mark them).

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
