//! Issue G, imports: they never overwrite a text or a project, leave nothing behind when they
//! fail, never write a text the loader refuses, and skip the files of a brat folder they cannot
//! read instead of giving up. Run through the CLI binary, as a user runs it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::cli::{marginalia, marginalia_with, s, text};

/// One line of Marginalia JSONL: a document at `path` with `body`, and a span on its first
/// `span` code points (none when 0).
fn jsonl_line(path: &str, body: &str, span: usize) -> String {
    let spans = if span == 0 {
        String::new()
    } else {
        format!(
            r#"{{"id": 1, "start": 0, "end": {span}, "label": "claim", "annotator": "", "note": "", "fragments": [], "attributes": []}}"#
        )
    };
    let line = format!(
        r#"{{"id": "{path}", "text": {}, "meta": {{"path": "{path}", "status": "done", "sha256": "", "boilerplate_removed": false}}, "spans": [{spans}], "relations": []}}"#,
        serde_json::to_string(body).unwrap()
    );
    line + "\n"
}

fn write_jsonl(path: &Path, docs: &[(&str, &str)]) {
    let lines: String = docs.iter().map(|(p, b)| jsonl_line(p, b, 3)).collect();
    std::fs::write(path, lines).unwrap();
}

fn import(input: &Path, output: &Path, corpus: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "import",
        "-f",
        "jsonl",
        s(input),
        "-o",
        s(output),
        "--corpus",
        s(corpus),
        "--annotator",
        "zoé",
    ];
    args.extend_from_slice(extra);
    marginalia(&args)
}

/// Every entry below `dir` (files and folders), relative, sorted; hidden ones included.
fn entries(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in read {
            let path = entry.unwrap().path();
            found.push(
                path.strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    found.sort();
    found
}

fn check(project: &Path) -> Output {
    marginalia(&["check", s(project)])
}

#[test]
fn g_import_reuses_a_text_with_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (input, corpus) = (dir.path().join("in.jsonl"), dir.path().join("corpus"));
    write_jsonl(&input, &[("a.txt", "Le Kremlin a dit."), ("b.txt", "Kim")]);
    let first = dir.path().join("first.ron");
    let out = import(&input, &first, &corpus, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let modified = std::fs::metadata(corpus.join("a.txt"))
        .unwrap()
        .modified()
        .unwrap();
    // The same texts again, into the same corpus, for another project.
    let second = dir.path().join("second.ron");
    let out = import(&input, &second, &corpus, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::metadata(corpus.join("a.txt"))
            .unwrap()
            .modified()
            .unwrap(),
        modified,
        "a text with the same bytes is not written again"
    );
    assert_eq!(entries(&corpus), ["a.txt", "b.txt"]);
    for project in [&first, &second] {
        let out = check(project);
        assert!(out.status.success(), "{}", text(&out.stdout));
    }
}

#[test]
fn g_import_never_replaces_a_different_text() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let first_input = dir.path().join("first.jsonl");
    write_jsonl(&first_input, &[("a.txt", "Le Kremlin a dit.")]);
    let first = dir.path().join("first.ron");
    assert!(import(&first_input, &first, &corpus, &[]).status.success());
    // Another article under the same name, and a new one.
    let second_input = dir.path().join("second.jsonl");
    write_jsonl(
        &second_input,
        &[("a.txt", "Pyongyang a réagi."), ("new.txt", "Kim")],
    );
    let second = dir.path().join("second.ron");
    let out = import(&second_input, &second, &corpus, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(s(&corpus.join("a.txt"))) && stderr.contains("already exists"),
        "the error names the file: {stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(corpus.join("a.txt")).unwrap(),
        "Le Kremlin a dit."
    );
    // Nothing of the failed import is left: no project, no new text.
    assert!(!second.exists());
    assert_eq!(entries(&corpus), ["a.txt"]);
    let out = check(&first);
    assert!(
        out.status.success(),
        "the first project keeps its text: {}",
        text(&out.stdout)
    );
}

#[test]
fn g_import_force_replaces_a_text_and_keeps_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let first_input = dir.path().join("first.jsonl");
    write_jsonl(&first_input, &[("a.txt", "Le Kremlin a dit.")]);
    assert!(
        import(&first_input, &dir.path().join("first.ron"), &corpus, &[])
            .status
            .success()
    );
    let second_input = dir.path().join("second.jsonl");
    write_jsonl(&second_input, &[("a.txt", "Pyongyang a réagi.")]);
    let second = dir.path().join("second.ron");
    let out = import(&second_input, &second, &corpus, &["--force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(corpus.join("a.txt")).unwrap(),
        "Pyongyang a réagi."
    );
    assert_eq!(
        std::fs::read_to_string(corpus.join("a.txt.bak")).unwrap(),
        "Le Kremlin a dit.",
        "the old text is kept as the project files' backups are"
    );
    let out = check(&second);
    assert!(out.status.success(), "{}", text(&out.stdout));
}

#[test]
fn g_a_failed_import_leaves_no_texts_and_no_project() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    write_jsonl(
        &input,
        &[("a.txt", "Le Kremlin a dit."), ("sub/b.txt", "Kim")],
    );
    // The project file cannot be written (a folder is in its way): the import fails after the
    // texts are written, and takes them back.
    let output = dir.path().join("p.ron");
    std::fs::create_dir(&output).unwrap();
    std::fs::write(output.join("keep.txt"), "mine").unwrap();
    let corpus = dir.path().join("new-corpus");
    let out = import(&input, &output, &corpus, &["--force"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(!corpus.exists(), "{:?}", entries(&corpus));
    assert_eq!(entries(&output), ["keep.txt"]);
    // Into a corpus that exists: its own files stay, the folders made for the import go.
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join("old.txt"), "old").unwrap();
    let out = import(&input, &output, &corpus, &["--force"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert_eq!(entries(&corpus), ["old.txt"]);
    let top = entries(dir.path());
    assert!(
        top.iter()
            .all(|e| !e.contains(".tmp-") && !e.contains(".lock")),
        "{top:?}"
    );
}

#[test]
fn g_an_import_into_a_project_being_imported_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    write_jsonl(&input, &[("a.txt", "Le Kremlin a dit.")]);
    let output = dir.path().join("p.ron");
    let corpus = dir.path().join("corpus");
    // Another import holds the lock beside the project file.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.path().join(".p.ron.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    for force in [&[][..], &["--force"]] {
        let out = import(&input, &output, &corpus, force);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
        assert!(
            text(&out.stderr).contains("another import into"),
            "{}",
            text(&out.stderr)
        );
        assert!(!output.exists());
        assert!(!corpus.exists());
    }
    drop(lock);
    std::fs::remove_file(dir.path().join(".p.ron.lock")).unwrap();
    let out = import(&input, &output, &corpus, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!dir.path().join(".p.ron.lock").exists());
}

#[test]
fn g_imports_at_once_into_one_project_never_replace_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("p.ron");
    let corpus = dir.path().join("corpus");
    // Each import brings its own documents, many of them, so that the imports overlap.
    let inputs: Vec<PathBuf> = (0..4)
        .map(|n| {
            let input = dir.path().join(format!("in-{n}.jsonl"));
            let names: Vec<String> = (0..300).map(|d| format!("run{n}/d{d}.txt")).collect();
            let docs: Vec<(&str, &str)> = names.iter().map(|p| (p.as_str(), "Kim a dit")).collect();
            write_jsonl(&input, &docs);
            input
        })
        .collect();
    let children: Vec<std::process::Child> = inputs
        .iter()
        .map(|input| {
            Command::new(env!("CARGO_BIN_EXE_marginalia"))
                .args([
                    "import",
                    "-f",
                    "jsonl",
                    s(input),
                    "-o",
                    s(&output),
                    "--corpus",
                    s(&corpus),
                ])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let winners: Vec<usize> = (0..outputs.len())
        .filter(|&n| outputs[n].status.success())
        .collect();
    assert_eq!(
        winners.len(),
        1,
        "exactly one import writes the project: {:?}",
        outputs.iter().map(|o| text(&o.stderr)).collect::<Vec<_>>()
    );
    let winner = winners[0];
    for (n, out) in outputs.iter().enumerate() {
        if n != winner {
            assert_eq!(out.status.code(), Some(2));
        }
    }
    // The project is the winner's, and the corpus holds only its texts.
    let ron = std::fs::read_to_string(&output).unwrap();
    assert!(ron.contains(&format!("run{winner}/d0.txt")));
    let top: Vec<String> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        top,
        [format!("run{winner}")],
        "the refused imports took their texts back"
    );
    assert!(check(&output).status.success());
}

/// An input of `format` with two documents, the second with a NUL character in its text.
fn with_nul(format: &str) -> (&'static str, String) {
    let clean = "Le Kremlin a dit.";
    let nul = "Kim\u{0} a dit.";
    let json = |t: &str| serde_json::to_string(t).unwrap();
    match format {
        "jsonl" => (
            "in.jsonl",
            jsonl_line("a.txt", clean, 3) + &jsonl_line("b.txt", nul, 3),
        ),
        "doccano" => (
            "in.jsonl",
            format!(
                "{{\"id\": 1, \"text\": {}, \"meta\": {{\"path\": \"a.txt\"}}, \"entities\": [{{\"id\": 1, \"start_offset\": 0, \"end_offset\": 2, \"label\": \"claim\"}}]}}\n\
                 {{\"id\": 2, \"text\": {}, \"meta\": {{\"path\": \"b.txt\"}}, \"entities\": [{{\"id\": 2, \"start_offset\": 0, \"end_offset\": 2, \"label\": \"claim\"}}]}}\n",
                json(clean),
                json(nul)
            ),
        ),
        "label-studio" => (
            "in.json",
            format!(
                "[{{\"id\": 1, \"data\": {{\"text\": {}, \"path\": \"a.txt\"}}, \"annotations\": []}}, \
                  {{\"id\": 2, \"data\": {{\"text\": {}, \"path\": \"b.txt\"}}, \"annotations\": []}}]",
                json(clean),
                json(nul)
            ),
        ),
        _ => unreachable!(),
    }
}

#[test]
fn g_an_import_never_writes_a_text_the_loader_refuses() {
    for format in ["jsonl", "doccano", "label-studio"] {
        let dir = tempfile::tempdir().unwrap();
        let (name, content) = with_nul(format);
        let input = dir.path().join(name);
        std::fs::write(&input, content).unwrap();
        let (output, corpus) = (dir.path().join("p.ron"), dir.path().join("corpus"));
        let out = marginalia(&[
            "import",
            "-f",
            format,
            s(&input),
            "-o",
            s(&output),
            "--corpus",
            s(&corpus),
        ]);
        assert!(out.status.success(), "{format}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("b.txt: left out") && stderr.contains("NUL"),
            "{format}: the document is named: {stderr}"
        );
        assert_eq!(entries(&corpus), ["a.txt"], "{format}");
        let out = check(&output);
        assert!(
            out.status.success(),
            "{format}: the import is sound: {}",
            text(&out.stdout)
        );
    }
}

#[test]
fn g_an_import_never_writes_a_text_over_the_size_limit() {
    // Under the limit as read (Windows-1252, one byte a letter), over it once written as UTF-8
    // (two bytes an "é"): the loader would refuse the text the import wrote.
    let dir = tempfile::tempdir().unwrap();
    let brat = dir.path().join("brat");
    std::fs::create_dir(&brat).unwrap();
    std::fs::write(brat.join("a.txt"), "Kim a dit").unwrap();
    std::fs::write(brat.join("big.txt"), vec![0xe9; 700 << 10]).unwrap();
    let (output, corpus) = (dir.path().join("p.ron"), dir.path().join("corpus"));
    let out = marginalia_with(
        &[
            "import",
            "-f",
            "brat",
            s(&brat),
            "-o",
            s(&output),
            "--corpus",
            s(&corpus),
        ],
        &[("MARGINALIA_MAX_FILE_MB", "1")],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("big.txt: left out: its text is 2 MB"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(entries(&corpus), ["a.txt"]);
    let out = marginalia_with(&["check", s(&output)], &[("MARGINALIA_MAX_FILE_MB", "1")]);
    assert!(out.status.success(), "{}", text(&out.stdout));
}

#[test]
fn g_a_brat_folder_with_unreadable_files_imports_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let brat = dir.path().join("brat");
    std::fs::create_dir(&brat).unwrap();
    std::fs::write(brat.join("a.txt"), "Le Kremlin a dit.").unwrap();
    std::fs::write(brat.join("a.ann"), "T1\tclaim 0 10\tLe Kremlin\n").unwrap();
    std::fs::write(brat.join("binary.txt"), b"PK\x03\x04\x00\x00\x00").unwrap();
    std::fs::write(brat.join("big.txt"), vec![b'a'; (1 << 20) + 10]).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt as _;
        let name = std::ffi::OsStr::from_bytes(b"bad\xffname.txt");
        std::fs::write(brat.join(name), "Kim").unwrap();
    }
    let (output, corpus) = (dir.path().join("p.ron"), dir.path().join("corpus"));
    let out = marginalia_with(
        &[
            "import",
            "-f",
            "brat",
            s(&brat),
            "-o",
            s(&output),
            "--corpus",
            s(&corpus),
        ],
        &[("MARGINALIA_MAX_FILE_MB", "1")],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    for name in ["binary.txt", "big.txt"] {
        assert!(
            stderr.contains(&format!("{name}: left out")),
            "{name}: {stderr}"
        );
    }
    #[cfg(unix)]
    assert!(
        stderr.contains("bad\u{fffd}name.txt: left out"),
        "the name is shown lossily: {stderr}"
    );
    assert_eq!(entries(&corpus), ["a.txt"]);
    let out = check(&output);
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("1 span(s)"),
        "{}",
        text(&out.stdout)
    );
}
