//! Exports and imports: golden files of every format on the sample project and on the torture
//! corpus, round trips through every format that can carry spans, and the CLI.
//!
//! Regenerate the golden files after an intended change with
//! `UPDATE_GOLDEN=1 cargo test --test formats`, and review the diff.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use marginalia::formats::{self, ExportOptions, Format};
use marginalia::text::ByteRange;
use marginalia::workspace::Workspace;

mod common;
use common::cli::marginalia;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn projects() -> Vec<(&'static str, PathBuf)> {
    vec![
        ("sample", root().join("projects/sample.ron")),
        ("torture", root().join("tests/fixtures/torture/torture.ron")),
    ]
}

/// Every file below `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap().to_owned());
            }
        }
    }
    found.sort();
    found
}

/// Exports `project` with the default options into a new temporary folder.
fn export(project: &marginalia::model::Project, format: Format) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join(output_name(format));
    formats::export(
        project,
        format,
        &ExportOptions::default(),
        &out,
        &mut |_, _| {},
    )
    .unwrap();
    (tmp, out)
}

fn output_name(format: Format) -> String {
    if format.writes_folder() {
        format.name().to_owned()
    } else {
        format!("{}.{}", format.name(), format.extension())
    }
}

#[test]
fn golden_exports_of_every_format() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut mismatches = Vec::new();
    for (name, project) in projects() {
        let ws = Workspace::open(&project).unwrap();
        for format in Format::ALL {
            let (_tmp, out) = export(ws.project(), format);
            let golden = root()
                .join("tests/golden")
                .join(name)
                .join(output_name(format));
            let pairs: Vec<(PathBuf, PathBuf)> = if format.writes_folder() {
                files(&out)
                    .into_iter()
                    .map(|f| (out.join(&f), golden.join(&f)))
                    .collect()
            } else {
                vec![(out.clone(), golden.clone())]
            };
            if update {
                let _ = std::fs::remove_dir_all(&golden);
                let _ = std::fs::remove_file(&golden);
            }
            for (ours, theirs) in pairs {
                let bytes = std::fs::read(&ours).unwrap();
                if update {
                    std::fs::create_dir_all(theirs.parent().unwrap()).unwrap();
                    std::fs::write(&theirs, &bytes).unwrap();
                } else if std::fs::read(&theirs).ok().as_ref() != Some(&bytes) {
                    mismatches.push(theirs.display().to_string());
                }
            }
            if format.writes_folder() && !update {
                assert_eq!(
                    files(&out),
                    files(&golden),
                    "{name} {}: the same files",
                    format.name()
                );
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "exports differ from the golden files (UPDATE_GOLDEN=1 to accept): {mismatches:#?}"
    );
}

/// A document's text, its spans as (label, byte fragments), and its number of links.
type Content = Vec<(String, Vec<(String, Vec<ByteRange>)>, usize)>;

/// (label, byte fragments) of every span of every document, and the number of links.
fn content(ws_project: &marginalia::model::Project) -> Content {
    ws_project
        .documents
        .iter()
        .map(|d| {
            let mut spans: Vec<(String, Vec<ByteRange>)> = d
                .annotations
                .iter()
                .map(|a| (a.label.clone(), a.fragments.clone()))
                .collect();
            spans.sort();
            (d.text.to_string(), spans, d.relations.len())
        })
        .collect()
}

#[test]
fn export_then_import_gives_back_the_same_spans_and_links() {
    for (name, project) in projects() {
        let ws = Workspace::open(&project).unwrap();
        let expected = content(ws.project());
        for format in Format::ALL.into_iter().filter(|f| f.can_import()) {
            let (tmp, out) = export(ws.project(), format);
            let imported = formats::import(format, &out).unwrap();
            let (back, _report) =
                formats::build_project(imported, &tmp.path().join("corpus"), "x").unwrap();
            let mut got = content(&back);
            if matches!(format, Format::Doccano | Format::LabelStudio) {
                // These formats have no discontinuous spans: fragments come back as spans.
                let split = |c: &mut Content| {
                    for (_, spans, _) in c.iter_mut() {
                        *spans = spans
                            .iter()
                            .flat_map(|(l, f)| f.iter().map(|r| (l.clone(), vec![*r])))
                            .collect();
                        spans.sort();
                    }
                };
                let mut expected = expected.clone();
                split(&mut expected);
                split(&mut got);
                assert_eq!(got, expected, "{name} through {}", format.name());
            } else {
                assert_eq!(got, expected, "{name} through {}", format.name());
            }
        }
    }
}

#[test]
fn the_cli_exports_with_options_and_imports_real_files() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = root().join("projects/sample.ron");
    let out = tmp.path().join("claims.csv");
    let run = marginalia(&[
        "export",
        sample.to_str().unwrap(),
        "--format",
        "csv",
        "--labels",
        "claim",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.lines()
            .skip(1)
            .all(|l| l.split(',').nth(3) == Some("claim") || !l.starts_with("00")),
        "only claims"
    );
    assert!(String::from_utf8_lossy(&run.stdout).contains("exported 5 document(s), 99 span(s)"));

    let conll = tmp.path().join("sample.conll");
    let run = marginalia(&[
        "export",
        sample.to_str().unwrap(),
        "-f",
        "conll",
        "--overlap",
        "priority",
        "--no-boilerplate",
        "-o",
        conll.to_str().unwrap(),
    ]);
    assert!(run.status.success());
    let text = std::fs::read_to_string(&conll).unwrap();
    assert_eq!(text.matches("-DOCSTART-").count(), 5);
    assert!(!text.contains("boilerplate"));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("note:"),
        "overlaps are reported"
    );

    let brat = root().join("../shared/fixtures/brat-tutorial-news");
    if brat.is_dir() {
        let project = tmp.path().join("tutorial.ron");
        let run = marginalia(&[
            "import",
            "--format",
            "brat",
            brat.to_str().unwrap(),
            "-o",
            project.to_str().unwrap(),
            "--annotator",
            "ann",
        ]);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            stderr.contains("not imported:") && stderr.contains("event"),
            "events are reported: {stderr}"
        );
        let check = marginalia(&["check", project.to_str().unwrap()]);
        assert_eq!(
            check.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
        assert!(
            tmp.path()
                .join("tutorial-corpus/000-introduction.txt")
                .exists()
        );
    }
    let missing = marginalia(&[
        "import",
        "--format",
        "doccano",
        "/no/such.jsonl",
        "-o",
        tmp.path().join("x.ron").to_str().unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/no/such.jsonl"));
    let conll_in = marginalia(&[
        "import",
        "--format",
        "conll",
        conll.to_str().unwrap(),
        "-o",
        tmp.path().join("y.ron").to_str().unwrap(),
    ]);
    assert_eq!(conll_in.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&conll_in.stderr).contains("cannot be imported"));
}

/// Checks a CoNLL export as a strict reader would (NLTK's `ConllCorpusReader`, seqeval's IOB2
/// scheme): no comment line, the same number of tab-separated columns on every line, and in
/// every sentence and column valid IOB2 (an `I-X` follows a `B-X` or an `I-X`, so no sentence
/// starts with `I-`). Returns the number of sentences.
fn assert_valid_iob2(file: &str, what: &str) -> usize {
    let mut width = None;
    let mut sentences = 0;
    let mut previous: Vec<String> = Vec::new();
    let mut after_docstart = false;
    for (n, line) in file.lines().enumerate() {
        let n = n + 1;
        if line.is_empty() {
            if !previous.is_empty() {
                sentences += 1;
            }
            previous.clear();
            after_docstart = false;
            continue;
        }
        assert!(!after_docstart, "{what}:{n}: a blank line after -DOCSTART-");
        assert!(
            !line.starts_with('#'),
            "{what}:{n}: a comment line {line:?}"
        );
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            *width.get_or_insert(fields.len()),
            fields.len(),
            "{what}:{n}: inconsistent number of columns in {line:?}"
        );
        assert!(
            fields
                .iter()
                .all(|f| !f.is_empty() && !f.contains(char::is_whitespace)),
            "{what}:{n}: {line:?}"
        );
        if fields[0] == "-DOCSTART-" {
            assert!(
                previous.is_empty(),
                "{what}:{n}: -DOCSTART- inside a sentence"
            );
            assert!(
                fields[1..].iter().all(|t| *t == "O"),
                "{what}:{n}: {line:?}"
            );
            after_docstart = true;
            continue;
        }
        let tags = &fields[1..];
        for (column, tag) in tags.iter().enumerate() {
            let before = previous.get(column).map_or("O", String::as_str);
            if let Some(label) = tag.strip_prefix("I-") {
                assert!(
                    before == format!("B-{label}") || before == format!("I-{label}"),
                    "{what}:{n}: {tag} after {before} (a sentence may not start with I-): {line:?}"
                );
            } else {
                assert!(
                    *tag == "O" || tag.strip_prefix("B-").is_some_and(|l| !l.is_empty()),
                    "{what}:{n}: {tag} is not an IOB2 tag"
                );
            }
        }
        previous = tags.iter().map(|t| (*t).to_owned()).collect();
    }
    assert!(
        previous.is_empty() && (file.is_empty() || file.ends_with("\n\n")),
        "{what}: the file ends with a blank line"
    );
    sentences
}

/// Issue H 4: every CoNLL export of the sample and torture projects, with every combination of
/// options (overlap policy, boilerplate, only done, each label alone and all but one), is valid
/// IOB2 in every sentence.
#[test]
fn h_conll_every_export_of_the_sample_and_torture_projects_is_valid_iob2() {
    let mut checked = 0;
    for (name, project) in projects() {
        let ws = Workspace::open(&project).unwrap();
        let labels: Vec<String> = ws
            .project()
            .schema
            .labels
            .iter()
            .map(|l| l.name.clone())
            .collect();
        let mut subsets: Vec<Option<std::collections::BTreeSet<String>>> = vec![None];
        for label in &labels {
            subsets.push(Some([label.clone()].into()));
            subsets.push(Some(
                labels.iter().filter(|l| *l != label).cloned().collect(),
            ));
        }
        for overlap in [
            formats::OverlapPolicy::ColumnPerLabel,
            formats::OverlapPolicy::Priority,
        ] {
            for boilerplate in [true, false] {
                for only_done in [false, true] {
                    for labels in &subsets {
                        let options = ExportOptions {
                            only_done,
                            labels: labels.clone(),
                            boilerplate,
                            text_without_boilerplate: false,
                            overlap,
                            include_unresolved: false,
                        };
                        let tmp = tempfile::tempdir().unwrap();
                        let out = tmp.path().join("out.conll");
                        formats::export(
                            ws.project(),
                            Format::Conll,
                            &options,
                            &out,
                            &mut |_, _| {},
                        )
                        .unwrap();
                        let file = std::fs::read_to_string(&out).unwrap();
                        checked += assert_valid_iob2(&file, &format!("{name} {options:?}"));
                    }
                }
            }
        }
    }
    assert!(checked > 1000, "{checked} sentences checked");
}

/// Issue H 4: the files of real tools (brat's tutorial, a doccano and a Label Studio export, in
/// /work/shared/fixtures), imported then exported to CoNLL, are valid IOB2 in every sentence.
#[test]
fn h_conll_exports_of_imported_real_files_are_valid_iob2() {
    let fixtures = root().join("../shared/fixtures");
    let inputs = [
        ("brat", fixtures.join("brat-tutorial-news")),
        (
            "doccano",
            fixtures.join("doccano/fede-m_sexism-italian-news_b9f472e_all.jsonl"),
        ),
        (
            "label-studio",
            fixtures.join("label-studio/ls-converter_f068a14_test_fixtures_completions_348.json"),
        ),
    ];
    for (format, input) in inputs {
        if !input.exists() {
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("imported.ron");
        let run = marginalia(&[
            "import",
            "--format",
            format,
            input.to_str().unwrap(),
            "-o",
            project.to_str().unwrap(),
            "--annotator",
            "ann",
        ]);
        assert!(
            run.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        for overlap in ["column-per-label", "priority"] {
            let out = tmp.path().join(format!("{overlap}.conll"));
            let run = marginalia(&[
                "export",
                project.to_str().unwrap(),
                "-f",
                "conll",
                "--overlap",
                overlap,
                "-o",
                out.to_str().unwrap(),
            ]);
            assert!(
                run.status.success(),
                "{format}: {}",
                String::from_utf8_lossy(&run.stderr)
            );
            let file = std::fs::read_to_string(&out).unwrap();
            let sentences = assert_valid_iob2(&file, &format!("{format} {overlap}"));
            assert!(sentences > 0, "{format}: no sentence");
            assert!(file.contains("\tB-"), "{format}: no span written");
        }
    }
}
