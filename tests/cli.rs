//! The command line, run as a user runs it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

mod common;
use common::cli::{marginalia, marginalia_with, text};

/// A corpus with the files that break other tools: a BOM, CRLF line ends, Windows-1252.
fn hard_corpus(dir: &Path) {
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(
        dir.join("a-bom.txt"),
        b"\xef\xbb\xbfLe Kremlin a d\xc3\xa9menti.\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("b-crlf.txt"),
        b"Titre\r\n\r\nSelon l'AFP, Kim est arriv\xc3\xa9.\r\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("sub/c-1252.txt"),
        b"Pyongyang a r\xe9agi \x96 \x93vivement\x94.\n",
    )
    .unwrap();
    std::fs::write(dir.join("notes.md"), b"not a document").unwrap();
}

#[test]
fn new_then_check_on_bom_crlf_and_windows_1252_files() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    hard_corpus(&corpus);
    let project = dir.path().join("p.ron");
    let out = marginalia(&[
        "new",
        "--corpus",
        corpus.to_str().unwrap(),
        "-o",
        project.to_str().unwrap(),
        "--annotator",
        "zoé",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("3 document(s)"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("sub/c-1252.txt is not UTF-8: it was decoded as windows-1252"),
        "{}",
        text(&out.stderr)
    );

    let ron = std::fs::read_to_string(&project).unwrap();
    assert!(ron.contains("annotator: \"zoé\""));
    assert!(
        ron.contains("corpus: \"corpus\""),
        "corpus relative to the project: {ron}"
    );
    let order: Vec<usize> = ["a-bom.txt", "b-crlf.txt", "sub/c-1252.txt"]
        .iter()
        .map(|p| ron.find(p).unwrap())
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "documents sorted by path"
    );

    let out = marginalia(&["check", project.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("warning: sub/c-1252.txt is not UTF-8"),
        "{stdout}"
    );
    assert!(stdout.contains("3 documents"), "{stdout}");

    // The project refuses to be overwritten by accident.
    let again = marginalia(&[
        "new",
        "--corpus",
        corpus.to_str().unwrap(),
        "-o",
        project.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("already exists"));
}

#[test]
fn check_reports_a_changed_document_without_spans_as_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    hard_corpus(&corpus);
    let project = dir.path().join("p.ron");
    assert!(
        marginalia(&[
            "new",
            "--corpus",
            corpus.to_str().unwrap(),
            "-o",
            project.to_str().unwrap()
        ])
        .status
        .success()
    );
    std::fs::write(corpus.join("b-crlf.txt"), "Titre modifié\r\n").unwrap();
    // No span to lose: the change is reported, and the project is sound (re-anchoring with
    // unplaced spans, which exits 1, is tested in tests/drift.rs).
    let out = marginalia(&["check", project.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains("warning: b-crlf.txt changed since it was annotated"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn check_names_file_line_and_column_of_a_broken_project_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("broken.ron");
    std::fs::write(&project, "(\n  format_version: 1,\n  annotator: \"a\",\n  corpus: \"corpus\",\n  schema: (labels: [)],\n)\n").unwrap();
    let out = marginalia(&["check", project.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("broken.ron:5:"), "{stderr}");
    let missing = marginalia(&["check", dir.path().join("nope.ron").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("nope.ron"));
}

#[test]
fn the_sample_project_is_sound_and_annotated() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron");
    let out = marginalia(&["check", sample.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("no problems: the project is sound"));
    let ws = marginalia::workspace::Workspace::open(&sample).unwrap();
    for document in &ws.project().documents {
        let counts = document.counts_by_label();
        assert!(
            counts.get("claim").copied().unwrap_or(0) >= 10,
            "{} has claims",
            document.path
        );
        assert!(
            counts.get("source").copied().unwrap_or(0) >= 3,
            "{} has sources",
            document.path
        );
    }
    assert!(ws.project().counts_by_label()["boilerplate"] >= 10);
    // The bundled corpus is the shared sample corpus, byte for byte.
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if shared.is_dir() {
        for document in &ws.project().documents {
            let ours = std::fs::read(ws.project().corpus_root.join(&document.path)).unwrap();
            assert_eq!(
                ours,
                std::fs::read(shared.join(&document.path)).unwrap(),
                "{}",
                document.path
            );
        }
    }
}

#[test]
fn help_explains_the_commands() {
    let out = marginalia(&["--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for word in ["new", "check", "PROJECT"] {
        assert!(help.contains(word), "{help}");
    }
}

/// The sample project with no span (as an analyst starts it), its patterns kept, in `dir`.
fn unannotated_sample(dir: &Path) -> std::path::PathBuf {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron");
    let (mut project, _) = marginalia::file::load(&sample).unwrap();
    assert!(
        !project.schema.patterns.is_empty(),
        "the sample has patterns"
    );
    for document in &mut project.documents {
        document.annotations.clear();
        document.relations.clear();
        document.status = marginalia::model::Status::ToDo;
    }
    let path = dir.join("start.ron");
    marginalia::file::save(&project, &path).unwrap();
    path
}

#[test]
fn i_suggest_writes_pending_suggestions_and_accept_all_keeps_their_rule() {
    let dir = tempfile::tempdir().unwrap();
    let start = unannotated_sample(dir.path());
    let before = std::fs::read(&start).unwrap();
    let out = dir.path().join("out.ron");
    let run = marginalia(&[
        "suggest",
        start.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--suggesters",
        "patterns",
    ]);
    let stderr = text(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("patterns") && stderr.contains("source"),
        "{stderr}"
    );
    assert!(
        text(&run.stdout).contains("suggestion(s) pending"),
        "{}",
        text(&run.stdout)
    );
    assert_eq!(
        std::fs::read(&start).unwrap(),
        before,
        "the input is untouched"
    );
    let (project, problems) = marginalia::file::load(&out).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let pending: Vec<&marginalia::suggest::Suggestion> = project
        .documents
        .iter()
        .flat_map(|d| &d.suggestions)
        .collect();
    assert!(pending.len() >= 3, "{pending:?}");
    assert!(pending.iter().all(|s| s.label == "source"
        && s.rule.suggester == marginalia::suggest::Suggester::Patterns
        && s.rule.rule.starts_with("dictionary: ")));
    assert_eq!(project.annotation_count(), 0);

    // Never over an input, even with --force.
    let refused = marginalia(&[
        "suggest",
        start.to_str().unwrap(),
        "-o",
        start.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert_eq!(std::fs::read(&start).unwrap(), before);
    let unknown = marginalia(&[
        "suggest",
        start.to_str().unwrap(),
        "-o",
        "x.ron",
        "--suggesters",
        "oracle",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("there is no suggester"),
        "{}",
        text(&unknown.stderr)
    );

    // --accept-all: spans with their rule, in the file and in the jsonl export.
    let accepted = dir.path().join("accepted.ron");
    let run = marginalia(&[
        "suggest",
        start.to_str().unwrap(),
        "-o",
        accepted.to_str().unwrap(),
        "--suggesters",
        "patterns",
        "--accept-all",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(
        text(&run.stdout).contains("span(s) and"),
        "{}",
        text(&run.stdout)
    );
    let (project, _) = marginalia::file::load(&accepted).unwrap();
    assert_eq!(project.annotation_count(), pending.len());
    assert!(project.documents.iter().all(|d| d.suggestions.is_empty()));
    assert!(
        project
            .documents
            .iter()
            .flat_map(|d| &d.annotations)
            .all(|a| a
                .suggested
                .as_ref()
                .is_some_and(|r| r.rule.starts_with("dictionary: ")))
    );
    assert!(!project.is_gold());
    let jsonl = dir.path().join("accepted.jsonl");
    let export = marginalia(&[
        "export",
        accepted.to_str().unwrap(),
        "--format",
        "jsonl",
        "-o",
        jsonl.to_str().unwrap(),
    ]);
    assert!(export.status.success(), "{}", text(&export.stderr));
    let lines = std::fs::read_to_string(&jsonl).unwrap();
    assert!(
        lines.contains(r#""suggested":{"suggester":"patterns","rule":"dictionary: "#),
        "{lines}"
    );
}

#[test]
fn i_suggest_eval_prints_precision_recall_and_f1_per_suggester_and_label() {
    let dir = tempfile::tempdir().unwrap();
    let start = unannotated_sample(dir.path());
    let gold = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron");
    let run = marginalia(&[
        "suggest",
        start.to_str().unwrap(),
        "--eval",
        gold.to_str().unwrap(),
    ]);
    let stdout = text(&run.stdout);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(stdout.contains("5 documents compared"), "{stdout}");
    assert!(
        stdout.contains("exact P") && stdout.contains("overlap F1"),
        "{stdout}"
    );
    let row = stdout
        .lines()
        .find(|l| l.starts_with("patterns") && l.contains("source") && l.contains("(all rules)"))
        .unwrap_or_else(|| panic!("{stdout}"));
    // Every dictionary match of the sample is inside a gold source: overlap precision 1 (the
    // third figure from the end).
    let values: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(values[values.len() - 3], "1.00", "{row}");
    // --eval writes nothing and takes no -o.
    let both = marginalia(&[
        "suggest",
        start.to_str().unwrap(),
        "--eval",
        gold.to_str().unwrap(),
        "-o",
        "x.ron",
    ]);
    assert_eq!(both.status.code(), Some(2));
    assert!(!Path::new("x.ron").exists());
}

#[test]
fn i_the_cli_eval_figures_equal_the_benchmarks() {
    // The benchmark (benches/suggest.rs) prints `evaluate_held_out` of the sample against
    // itself; `suggest GOLD --eval GOLD` must print the very same table.
    let gold_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron");
    let (gold, _) = marginalia::file::load(&gold_path).unwrap();
    let expected =
        marginalia::suggest::eval::evaluate_held_out(&gold, &marginalia::suggest::Suggester::ALL)
            .to_string();
    let run = marginalia(&[
        "suggest",
        gold_path.to_str().unwrap(),
        "--eval",
        gold_path.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(text(&run.stdout), expected);
    assert!(expected.contains("boilerplate"), "{expected}");
}

#[test]
fn h_import_help_lists_only_the_formats_that_import() {
    for help in ["--help", "-h"] {
        let out = marginalia(&["import", help]);
        assert!(out.status.success());
        let help = text(&out.stdout);
        for format in ["jsonl", "doccano", "brat", "label-studio"] {
            assert!(help.contains(format), "{format}: {help}");
        }
        for format in ["conll", "csv"] {
            assert!(!help.contains(format), "{format}: {help}");
        }
    }
    // Export writes them all.
    let help = text(&marginalia(&["export", "--help"]).stdout);
    assert!(help.contains("conll") && help.contains("csv"), "{help}");
    // Naming one says it cannot be imported, and which can.
    let out = marginalia(&["import", "-f", "csv", "x.csv", "-o", "x.ron"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(
            "csv files cannot be imported (import reads jsonl, doccano, brat, label-studio)"
        ),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn h_a_crlf_brat_file_counting_crlf_as_two_is_imported_and_said_so_not_reported_lost() {
    let dir = tempfile::tempdir().unwrap();
    let brat = dir.path().join("brat");
    std::fs::create_dir(&brat).unwrap();
    std::fs::write(
        brat.join("a.txt"),
        "Titre\r\n\r\nSelon l'AFP, Kim est arrivé.\r\n",
    )
    .unwrap();
    // Raw code points: "Kim" is 22-25 (brat itself would say 20-23).
    std::fs::write(brat.join("a.ann"), "T1\tSource 22 25\tKim\n").unwrap();
    let project = dir.path().join("p.ron");
    let out = marginalia(&[
        "import",
        "-f",
        "brat",
        brat.to_str().unwrap(),
        "-o",
        project.to_str().unwrap(),
        "--annotator",
        "zoé",
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("marginalia: note: a.ann: read with \\r\\n counted as two characters"),
        "{stderr}"
    );
    assert!(!stderr.contains("not imported"), "{stderr}");
    assert!(
        stdout.contains("imported 1 document(s), 1 span(s)") && !stdout.contains("not imported"),
        "{stdout}"
    );
    assert!(stdout.contains("1 note(s)"), "{stdout}");
    let (project, _) = marginalia::file::load(&project).unwrap();
    let document = &project.documents[0];
    assert_eq!(
        document.annotations[0].fragments[0].slice(&document.text),
        "Kim"
    );
}

/// A corpus in one file (what scrapers and pandas write): `new --corpus articles.csv` writes a
/// text a row beside the project, named after the ids, the other columns as metadata; the
/// project checks, and the jsonl export carries the metadata back.
#[test]
fn h_new_from_a_csv_corpus_writes_a_text_a_row_and_keeps_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("articles.csv");
    std::fs::write(
        &csv,
        "\u{feff}id,title,text\r\nafp-1,\"Kim, à Pékin\",\"« Vos soldats », a dit\r\nPoutine.\"\r\nafp-2,Deux,Le Kremlin 😀 a démenti.\r\n",
    )
    .unwrap();
    let project = dir.path().join("p.ron");
    let out = marginalia(&[
        "new",
        "--corpus",
        csv.to_str().unwrap(),
        "-o",
        project.to_str().unwrap(),
        "--annotator",
        "zoé",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("2 document(s)"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("articles/afp-1.txt")).unwrap(),
        "« Vos soldats », a dit\r\nPoutine."
    );
    let check = marginalia(&["check", project.to_str().unwrap()]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    let saved = std::fs::read_to_string(&project).unwrap();
    assert!(saved.contains("\"title\": \"Kim, à Pékin\""), "{saved}");
    assert!(
        saved.contains("name: \"claim\""),
        "the default labels: {saved}"
    );
    let jsonl = dir.path().join("out.jsonl");
    let export = marginalia(&[
        "export",
        project.to_str().unwrap(),
        "--format",
        "jsonl",
        "-o",
        jsonl.to_str().unwrap(),
    ]);
    assert!(export.status.success(), "{}", text(&export.stderr));
    let first: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&jsonl)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["meta"]["title"], "Kim, à Pékin");
    assert_eq!(first["meta"]["id"], "afp-1");
    // A file without the text column says which columns it has.
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"body\": \"x\"}\n").unwrap();
    let out = marginalia(&[
        "new",
        "--corpus",
        bad.to_str().unwrap(),
        "-o",
        dir.path().join("q.ron").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("bad.jsonl: no \"text\" column (the columns are: body)"),
        "{}",
        text(&out.stderr)
    );
    let out = marginalia(&[
        "new",
        "--corpus",
        bad.to_str().unwrap(),
        "--text-field",
        "body",
        "-o",
        dir.path().join("q.ron").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path().join("bad/row-00001.txt").exists());
}

#[test]
fn m_install_desktop_writes_an_entry_an_icon_and_a_mime_type_that_the_desktop_accepts() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let out = marginalia_with(
        &["install-desktop"],
        &[("XDG_DATA_HOME", data.to_str().unwrap())],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let entry = std::fs::read_to_string(data.join("applications/marginalia.desktop")).unwrap();
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_marginalia")).unwrap();
    assert!(
        entry.contains(&format!("Exec=\"{}\" %f", exe.display())),
        "{entry}"
    );
    assert!(entry.contains("MimeType=application/x-marginalia-project;"));
    for icon in [
        "icons/hicolor/256x256/apps/marginalia.png",
        "icons/hicolor/scalable/apps/marginalia.svg",
    ] {
        assert!(data.join(icon).is_file(), "{icon}");
    }
    let mime = std::fs::read_to_string(data.join("mime/packages/marginalia.xml")).unwrap();
    assert!(mime.contains("<glob pattern=\"*.ron\"/>"), "{mime}");
    // The desktop's own checker, where it is installed (CI installs desktop-file-utils).
    if let Ok(validated) = std::process::Command::new("desktop-file-validate")
        .arg(data.join("applications/marginalia.desktop"))
        .output()
    {
        assert!(
            validated.status.success() && validated.stdout.is_empty(),
            "{}{}",
            text(&validated.stdout),
            text(&validated.stderr)
        );
    }
    // With shared-mime-info's database built, a project file is of our type, as GLib (what
    // file managers ask) reads the database. Not `xdg-mime query filetype`: outside a desktop
    // session it falls back to `file --mime-type`, which knows no database ("text/plain").
    if data.join("mime/mime.cache").exists()
        && let Ok(query) = std::process::Command::new("gio")
            .args(["info", "-a", "standard::content-type"])
            .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron"))
            .env("XDG_DATA_HOME", &data)
            .env("XDG_DATA_DIRS", &data)
            .output()
    {
        assert!(
            text(&query.stdout)
                .contains("standard::content-type: application/x-marginalia-project"),
            "{}{}",
            text(&query.stdout),
            text(&query.stderr)
        );
    }
    // Again: the same files, replaced.
    let again = marginalia_with(
        &["install-desktop"],
        &[("XDG_DATA_HOME", data.to_str().unwrap())],
    );
    assert!(again.status.success(), "{}", text(&again.stderr));
}
