//! Issue G, files that lie: a merge that loses what re-anchors its spans or the spans set aside,
//! a `check` that accepts what the schema forbids, a terminal fooled by a project's strings.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::Output;

use marginalia::edit::Edit;
use marginalia::file::Problem;
use marginalia::model::{Annotation, Relation, Timestamp};
use marginalia::text::ByteRange;
use marginalia::workspace::Workspace;

mod common;
use common::cli::{marginalia, text};

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

const TEXT: &str = "Le ministre a déclaré que les prix baisseront. Selon l'agence, la hausse \
                    est finie. Fin de l'article.\n";

/// Saves at `path` a project of `annotator` over the one-document corpus `corpus`, with a span
/// for each `(label, words)` (the first place the words are) and an `attributed-to` link for each
/// `(from, to)` pair of span indices.
fn annotate(
    corpus: &Path,
    path: &Path,
    annotator: &str,
    spans: &[(&str, &str)],
    links: &[(usize, usize)],
) {
    let mut ws = Workspace::from_folder(corpus, annotator).unwrap();
    let text = ws.project().documents[0].text.clone();
    let mut ids = Vec::new();
    for (label, words) in spans {
        let start = text.find(words).unwrap();
        let id = ws.allocate_id();
        ids.push(id);
        ws.apply(Edit::AddAnnotation {
            doc: 0,
            annotation: Annotation {
                id,
                label: (*label).to_owned(),
                fragments: vec![ByteRange::new(start, start + words.len())],
                annotator: annotator.to_owned(),
                note: String::new(),
                created: Timestamp(1_800_000_000),
                attributes: std::collections::BTreeMap::new(),
                suggested: None,
                provenance: None,
            },
        })
        .unwrap();
    }
    for &(from, to) in links {
        let id = ws.allocate_id();
        ws.apply(Edit::AddRelation {
            doc: 0,
            relation: Relation {
                id,
                kind: "attributed-to".to_owned(),
                from: ids[from],
                to: ids[to],
                annotator: annotator.to_owned(),
                created: Timestamp(1_800_000_000),
            },
        })
        .unwrap();
    }
    ws.save_as(path).unwrap();
}

fn moved_and_unplaced(problems: &[Problem]) -> (usize, usize) {
    let moved = problems
        .iter()
        .map(|p| match p {
            Problem::Reanchored { moved, .. } => *moved,
            _ => 0,
        })
        .sum();
    let unplaced = problems
        .iter()
        .map(|p| match p {
            Problem::Unplaced { spans, .. } => spans.len(),
            _ => 0,
        })
        .sum();
    (moved, unplaced)
}

// ---------------------------------------------------------------------------------------------
// 9. Merge carries what re-anchors spans, and the spans set aside.

#[test]
fn g_merge_while_a_document_is_missing_keeps_what_re_anchors_its_spans() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let file = corpus.join("a.txt");
    std::fs::write(&file, TEXT).unwrap();
    let (ana, ben, gold) = (
        dir.path().join("ana.ron"),
        dir.path().join("ben.ron"),
        dir.path().join("gold.ron"),
    );
    annotate(
        &corpus,
        &ana,
        "ana",
        &[
            ("claim", "les prix baisseront"),
            ("source", "l'agence"),
            ("claim", "la hausse est finie"),
        ],
        &[(0, 1)],
    );
    annotate(
        &corpus,
        &ben,
        "ben",
        &[
            ("claim", "les prix baisseront"),
            ("source", "l'agence"),
            ("claim", "la hausse"),
        ],
        &[(0, 1)],
    );

    // The document is missing while the projects are merged.
    std::fs::remove_file(&file).unwrap();
    let out = marginalia(&["merge", arg(&ana), arg(&ben), "-o", arg(&gold)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&gold).unwrap();
    assert!(written.contains("\"les prix baisseront\""), "{written}");

    // It comes back, edited: the sources' spans move with their text, and so do the gold's.
    std::fs::write(&file, format!("Mise à jour : {TEXT}")).unwrap();
    let (_, problems) = marginalia::file::load(&ana).unwrap();
    assert_eq!(moved_and_unplaced(&problems), (3, 0), "{problems:?}");
    let (project, problems) = marginalia::file::load(&gold).unwrap();
    let document = &project.documents[0];
    assert_eq!(document.annotations.len(), 4);
    assert_eq!(moved_and_unplaced(&problems), (4, 0), "{problems:?}");
    let mut texts: Vec<&str> = document
        .annotations
        .iter()
        .map(|a| a.fragments[0].slice(&document.text))
        .collect();
    texts.sort_unstable();
    assert_eq!(
        texts,
        [
            "l'agence",
            "la hausse",
            "la hausse est finie",
            "les prix baisseront"
        ]
    );
    assert_eq!(document.relations.len(), 1);
}

#[test]
fn g_saving_while_a_document_is_missing_keeps_what_re_anchors_its_spans() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let file = corpus.join("a.txt");
    std::fs::write(&file, TEXT).unwrap();
    let ana = dir.path().join("ana.ron");
    annotate(
        &corpus,
        &ana,
        "ana",
        &[("claim", "les prix baisseront")],
        &[],
    );
    std::fs::remove_file(&file).unwrap();
    let mut ws = Workspace::open(&ana).unwrap();
    ws.save_as(&dir.path().join("copy.ron")).unwrap();
    std::fs::write(&file, format!("Mise à jour : {TEXT}")).unwrap();
    let (_, problems) = marginalia::file::load(&dir.path().join("copy.ron")).unwrap();
    assert_eq!(moved_and_unplaced(&problems), (1, 0), "{problems:?}");
}

#[test]
fn g_merge_keeps_the_spans_set_aside_set_aside_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let file = corpus.join("a.txt");
    std::fs::write(&file, TEXT).unwrap();
    let (ana, ben, gold) = (
        dir.path().join("ana.ron"),
        dir.path().join("ben.ron"),
        dir.path().join("gold.ron"),
    );
    let spans = [("claim", "les prix baisseront"), ("source", "l'agence")];
    annotate(&corpus, &ana, "ana", &spans, &[(0, 1)]);
    annotate(&corpus, &ben, "ben", &spans, &[(0, 1)]);

    // The source's words are gone from the new text: both projects set the span aside.
    std::fs::write(&file, TEXT.replace("l'agence", "le bureau")).unwrap();
    let (_, problems) = marginalia::file::load(&ana).unwrap();
    assert_eq!(moved_and_unplaced(&problems).1, 1, "{problems:?}");

    let out = marginalia(&["merge", arg(&ana), arg(&ben), "-o", arg(&gold)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    assert!(printed.contains("1 span(s) accepted"), "{printed}");
    assert!(printed.contains("1 set aside"), "{printed}");

    let (project, problems) = marginalia::file::load(&gold).unwrap();
    let document = &project.documents[0];
    assert_eq!(document.annotations.len(), 1);
    assert_eq!(document.detached.len(), 1, "{problems:?}");
    let aside = &document.detached[0];
    assert_eq!(aside.annotation.label, "source");
    assert_eq!(aside.texts, ["l'agence"]);
    assert_eq!(
        aside.annotation.provenance.as_ref().unwrap().annotators,
        ["ana", "ben"]
    );
    // The link to it is kept with it.
    assert_eq!(aside.relations.len(), 1);
    assert_eq!(aside.relations[0].from, document.annotations[0].id);
    assert_eq!(aside.relations[0].to, aside.annotation.id);
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, Problem::Unplaced { spans, .. } if spans.len() == 1))
    );

    // The words come back: the span set aside is placed again, with its link.
    std::fs::write(&file, TEXT).unwrap();
    let (project, problems) = marginalia::file::load(&gold).unwrap();
    let document = &project.documents[0];
    assert_eq!(moved_and_unplaced(&problems).1, 0, "{problems:?}");
    assert_eq!(document.annotations.len(), 2);
    assert!(document.detached.is_empty());
    assert_eq!(document.relations.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// 10. `check` reports what it silently accepted.

/// A project file over `corpus/a.txt` (holding [`TEXT`]): `schema` and `annotations` are pasted
/// into it; `extra` goes into the document's entry.
fn project_file(dir: &Path, schema: &str, annotations: &str, extra: &str) -> std::path::PathBuf {
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(corpus.join("a.txt"), TEXT).unwrap();
    let hash = marginalia::corpus::sha256_hex(TEXT.as_bytes());
    let path = dir.join("p.ron");
    std::fs::write(
        &path,
        format!(
            "(\n  format_version: 1,\n  annotator: \"ana\",\n  corpus: \"corpus\",\n  schema: {schema},\n  \
             documents: [\n    (\n      path: \"a.txt\",\n      sha256: \"{hash}\",\n{extra}      \
             annotations: [\n{annotations}      ],\n    ),\n  ],\n)\n"
        ),
    )
    .unwrap();
    path
}

const SCHEMA: &str = "(labels: [(name: \"claim\", color: \"#f2a13b\", key: \"1\"), \
                      (name: \"source\", color: \"#4f9dde\", key: \"2\")], \
                      relations: [(name: \"attributed-to\", from: [\"claim\"], to: [\"source\"])], \
                      attributes: [(label: \"claim\", name: \"stance\", values: [\"affirm\", \
                      \"refute\"])])";

/// A span line of the project file: `id`, label, the first place of `words` in [`TEXT`], and
/// `extra` fields.
fn span(id: u64, label: &str, words: &str, extra: &str) -> String {
    let start = TEXT.find(words).unwrap();
    format!(
        "        (id: {id}, label: \"{label}\", fragments: [({start}, {}, \"{words}\")], \
         annotator: \"ana\", created: \"2026-01-01T00:00:00Z\"{extra}),\n",
        start + words.len()
    )
}

/// Runs `check` on `path`: it exits 1, and each of `expected` is in one of its `error:` lines.
/// The project still opens, its document editable.
fn check_reports(path: &Path, expected: &[&[&str]]) {
    let out = marginalia(&["check", arg(path)]);
    let printed = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{printed}{}", text(&out.stderr));
    assert!(!printed.contains("no problems"), "{printed}");
    for words in expected {
        assert!(
            printed
                .lines()
                .any(|l| l.starts_with("error: ") && words.iter().all(|w| l.contains(w))),
            "no error line with {words:?} in\n{printed}"
        );
    }
    let ws = Workspace::open(path).unwrap();
    assert!(ws.project().documents[0].is_editable());
}

#[test]
fn g_check_reports_unknown_fields() {
    let dir = tempfile::tempdir().unwrap();
    let schema = SCHEMA.replace("key: \"2\"", "key: \"2\", shade: \"dark\"");
    let spans = span(1, "claim", "les prix baisseront", ", confidence: 0.5")
        + &span(2, "source", "l'agence", "");
    let path = project_file(dir.path(), &schema, &spans, "      reviewed: true,\n");
    // A field at the top and in a relation too.
    let ron = std::fs::read_to_string(&path).unwrap().replacen(
        "  annotator: \"ana\",\n",
        "  annotator: \"ana\",\n  owner: \"x\",\n",
        1,
    );
    let ron = ron.replace(
        "      ],\n    ),\n  ],",
        "      ],\n      relations: [(id: 3, kind: \"attributed-to\", from: 1, to: 2, annotator: \
         \"ana\", created: \"2026-01-01T00:00:00Z\", weight: 2)],\n    ),\n  ],",
    );
    std::fs::write(&path, ron).unwrap();
    check_reports(
        &path,
        &[
            &["a.txt", "span #1", "confidence"],
            &["a.txt", "relation #3", "weight"],
            &["a.txt", "reviewed"],
            &["label 2", "shade"],
            &["owner"],
        ],
    );
}

#[test]
fn g_check_reports_links_outside_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let spans = span(1, "claim", "les prix baisseront", "") + &span(2, "source", "l'agence", "");
    let relations = "      relations: [\n        (id: 3, kind: \"cites\", from: 1, to: 2, \
                     annotator: \"ana\", created: \"2026-01-01T00:00:00Z\"),\n        (id: 4, \
                     kind: \"attributed-to\", from: 2, to: 1, annotator: \"ana\", created: \
                     \"2026-01-01T00:00:00Z\"),\n      ],\n";
    let path = project_file(dir.path(), SCHEMA, &spans, relations);
    check_reports(
        &path,
        &[
            &["a.txt", "relation #3", "cites"],
            &["a.txt", "relation #4", "attributed-to", "source", "claim"],
        ],
    );
}

#[test]
fn g_check_reports_attribute_values_outside_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let spans = span(
        1,
        "claim",
        "les prix baisseront",
        ", attributes: {\"stance\": \"maybe\"}",
    ) + &span(
        2,
        "source",
        "l'agence",
        ", attributes: {\"stance\": \"affirm\"}",
    ) + &span(
        5,
        "claim",
        "la hausse",
        ", attributes: {\"mood\": \"happy\", \"stance\": \"refute\"}",
    );
    let path = project_file(dir.path(), SCHEMA, &spans, "");
    check_reports(
        &path,
        &[
            &["a.txt", "span #1", "stance", "maybe"],
            &["a.txt", "span #2", "stance", "source"],
            &["a.txt", "span #5", "mood"],
        ],
    );
    let printed = text(&marginalia(&["check", arg(&path)]).stdout);
    // An allowed value is not reported.
    assert!(!printed.contains("= \"refute\""), "{printed}");
}

#[test]
fn g_check_reports_duplicate_labels_in_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let schema = SCHEMA.replace(
        "(name: \"source\", color: \"#4f9dde\", key: \"2\")",
        "(name: \"source\", color: \"#4f9dde\", key: \"2\"), (name: \"claim\", color: \
         \"#000000\")",
    );
    let path = project_file(
        dir.path(),
        &schema,
        &span(1, "claim", "les prix baisseront", ""),
        "",
    );
    check_reports(&path, &[&["claim", "twice"]]);
}

// ---------------------------------------------------------------------------------------------
// 12. Nothing a project holds reaches the terminal raw.

/// True for what a terminal acts on or shows reordered: C0 controls other than the line end,
/// DEL, C1 controls, and the bidirectional controls.
fn dangerous(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
        )
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

fn assert_clean(what: &str, out: &Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let printed = text(bytes);
        assert!(
            !printed.chars().any(dangerous),
            "{what}: {stream} holds control characters: {printed:?}"
        );
        assert!(
            !printed
                .lines()
                .any(|l| l.trim_start().starts_with("no problems")),
            "{what}: {stream} has a forged line: {printed}"
        );
    }
}

#[test]
fn g_the_cli_escapes_control_characters_of_a_project() {
    let dir = tempfile::tempdir().unwrap();
    let forged = "\nno problems: the project is sound\n";
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    // A document name, labels, annotators and a note that try to speak to the terminal.
    let name = "a\u{1b}[2J\u{202e}txt.txt";
    std::fs::write(corpus.join(name), TEXT).unwrap();
    std::fs::write(corpus.join(format!("b{forged}.txt")), TEXT).unwrap();
    let out = marginalia(&[
        "new",
        "--corpus",
        arg(&corpus),
        "-o",
        arg(&dir.path().join("new.ron")),
        "--annotator",
        &format!("eve{forged}\u{9b}31m"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_clean("new", &out);

    let hash = marginalia::corpus::sha256_hex(TEXT.as_bytes());
    let escaped_forged = "\\nno problems: the project is sound\\n";
    let project = |annotator: &str, label: &str| {
        let start = TEXT.find("l'agence").unwrap();
        format!(
            "(format_version: 1, annotator: \"{annotator}\", corpus: \"corpus\", schema: (labels: \
             [(name: \"claim{escaped_forged}\", color: \"#f2a13b\"), (name: \"x\\u{{202e}}y\", \
             color: \"#4f9dde\")]), documents: [(path: \"a\\u{{1b}}[2J\\u{{202e}}txt.txt\", \
             sha256: \"{hash}\", annotations: [(id: 1, label: \"{label}\", fragments: [({start}, \
             {}, \"l'agence\")], annotator: \"{annotator}\", created: \"2026-01-01T00:00:00Z\", \
             note: \"n\\u{{7f}}{escaped_forged}\")]), (path: \"gone\\u{{9b}}.txt\", sha256: \
             \"{}\")])",
            start + "l'agence".len(),
            "0".repeat(64)
        )
    };
    let (p1, p2) = (dir.path().join("p1.ron"), dir.path().join("p2.ron"));
    std::fs::write(&p1, project("ana\\u{1b}]0;pwned\\u{7}", "x\\u{202e}y")).unwrap();
    std::fs::write(
        &p2,
        project(
            &format!("ben{escaped_forged}"),
            &format!("lbl{escaped_forged}"),
        ),
    )
    .unwrap();

    let out = marginalia(&["check", arg(&p2)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert_clean("check", &out);
    let printed = text(&out.stdout);
    assert!(printed.contains("lbl\\nno problems"), "{printed}");
    assert!(printed.contains("a\\u{1b}[2J\\u{202e}txt.txt"), "{printed}");

    for format in ["table", "csv", "json"] {
        let out = marginalia(&["agree", arg(&p1), arg(&p2), "-f", format]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        if format != "csv" {
            assert_clean(&format!("agree -f {format}"), &out);
        }
        if format == "json" {
            // Escaped as JSON escapes: the same strings.
            let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert!(
                value["labels"]
                    .as_array()
                    .unwrap()
                    .contains(&serde_json::json!("x\u{202e}y")),
                "{value}"
            );
        }
    }
    let out = marginalia(&["agree", arg(&p1), arg(&p2), "--by", "doc"]);
    assert_clean("agree --by doc", &out);

    let gold = dir.path().join("gold.ron");
    let out = marginalia(&["merge", arg(&p1), arg(&p2), "-o", arg(&gold)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_clean("merge", &out);

    let out = marginalia(&[
        "export",
        arg(&p2),
        "-f",
        "conll",
        "-o",
        arg(&dir.path().join("out.conll")),
    ]);
    assert_clean("export", &out);

    // A broken project file whose error message names its document.
    let broken = dir.path().join("broken.ron");
    std::fs::write(
        &broken,
        project("ana", "claim").replacen(
            "annotations: [",
            "relations: [(id: 9, kind: \"k\", from: 1, to: 77, annotator: \"a\", created: \
             \"2026-01-01T00:00:00Z\")], annotations: [",
            1,
        ),
    )
    .unwrap();
    let out = marginalia(&["check", arg(&broken)]);
    assert_eq!(out.status.code(), Some(2));
    assert_clean("check of a broken file", &out);
    assert!(
        text(&out.stderr).contains("relation 9 of a\\u{1b}[2J\\u{202e}txt.txt points to 77"),
        "{}",
        text(&out.stderr)
    );
}
