//! Issue G, items 5, 6, 11 and 13: inputs that must not hang or exhaust memory, corpus folders
//! whose odd files are skipped and named, project files that choose where they read, and the
//! small things an error message and a byte-order mark get wrong.
//!
//! The command line runs as a child process with a deadline: a regression that hangs (a FIFO
//! read forever) fails the test instead of hanging it, and a memory limit makes one that reads a
//! device without end fail fast instead of exhausting the machine.

#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use marginalia::corpus::{self, CorpusError};
use marginalia::file::{self, LoadError, Problem};
use marginalia::workspace::Workspace;

/// What a run of the command line printed, and how it ended.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// How long a command may take before it is taken to hang. Far more than any of these takes.
const DEADLINE: Duration = Duration::from_secs(10);

/// Runs `marginalia args` with `env`, under a 4 GB address-space limit, and kills it when it has
/// not exited by itself after [`DEADLINE`] (then the test fails: the command hung).
fn marginalia(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg("ulimit -v 4194304 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_marginalia"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    // The pipes are read on threads, so that a child printing much never blocks on them.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let stderr = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > DEADLINE {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("marginalia {args:?} did not end by itself within {DEADLINE:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&stderr.join().unwrap()).into_owned(),
    }
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A project `p.ron` in `dir` made by `marginalia new` over `dir/corpus` with one text, `a.txt`.
fn project_in(dir: &Path) -> PathBuf {
    let corpus_dir = dir.join("corpus");
    std::fs::create_dir_all(&corpus_dir).unwrap();
    std::fs::write(corpus_dir.join("a.txt"), "Le Kremlin a démenti.").unwrap();
    let project = dir.join("p.ron");
    let run = marginalia(&["new", "--corpus", s(&corpus_dir), "-o", s(&project)], &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    project
}

/// A path as an argument.
fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

// ---------------------------------------------------------------------------------------------
// 5. FIFOs, sockets and devices are refused by their type; snapshots have the size limit
// ---------------------------------------------------------------------------------------------

#[test]
fn g_a_fifo_document_is_refused_not_read_forever() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_in(dir.path());
    let text = dir.path().join("corpus/a.txt");
    std::fs::remove_file(&text).unwrap();
    mkfifo(&text);
    let run = marginalia(&["check", s(&project)], &[]);
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("a.txt") && run.stdout.contains("not a regular file"),
        "{}",
        run.stdout
    );
}

#[test]
fn g_a_fifo_project_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ron");
    mkfifo(&project);
    for command in ["check", "export"] {
        let out = dir.path().join("out.jsonl");
        let args: &[&str] = if command == "check" {
            &["check", s(&project)]
        } else {
            &["export", s(&project), "-f", "jsonl", "-o", s(&out)]
        };
        let run = marginalia(args, &[]);
        assert_eq!(run.code, Some(2), "{command}: {}", run.stderr);
        assert!(
            run.stderr.contains("p.ron") && run.stderr.contains("a named pipe (FIFO)"),
            "{command}: {}",
            run.stderr
        );
    }
}

#[test]
fn g_a_fifo_import_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    mkfifo(&input);
    for format in ["jsonl", "doccano", "label-studio"] {
        let output = dir.path().join(format!("{format}.ron"));
        let run = marginalia(&["import", "-f", format, s(&input), "-o", s(&output)], &[]);
        assert_eq!(run.code, Some(2), "{format}: {}", run.stderr);
        assert!(
            run.stderr.contains("in.jsonl") && run.stderr.contains("not a regular file"),
            "{format}: {}",
            run.stderr
        );
        assert!(!output.exists());
    }
}

#[test]
fn g_a_fifo_snapshot_is_refused_not_read_forever() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_in(dir.path());
    mkfifo(&dir.path().join(".p.ron.recovery"));
    let run = marginalia(&["check", s(&project)], &[]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(".p.ron.recovery") && run.stderr.contains("not a regular file"),
        "{}",
        run.stderr
    );
}

#[test]
fn g_a_snapshot_linked_to_a_device_is_refused_not_read_until_memory_runs_out() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_in(dir.path());
    std::os::unix::fs::symlink("/dev/zero", dir.path().join(".p.ron.recovery")).unwrap();
    let run = marginalia(&["check", s(&project)], &[]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(".p.ron.recovery") && run.stderr.contains("a device"),
        "{}",
        run.stderr
    );
    // A device as a document or a project file, too.
    std::fs::remove_file(dir.path().join(".p.ron.recovery")).unwrap();
    std::fs::remove_file(dir.path().join("corpus/a.txt")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("corpus/a.txt")).unwrap();
    // (A link to a device is outside the corpus: refused as such, at once.)
    let run = marginalia(&["check", s(&project)], &[]);
    assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("leaves the corpus folder"),
        "{}",
        run.stderr
    );
    let run = marginalia(&["check", "/dev/zero"], &[]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("a device"), "{}", run.stderr);
}

#[test]
fn g_a_snapshot_over_the_size_limit_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_in(dir.path());
    let snapshot = dir.path().join(".p.ron.recovery");
    std::fs::write(&snapshot, "x".repeat((1 << 20) + 1)).unwrap();
    let run = marginalia(&["check", s(&project)], &[("MARGINALIA_MAX_FILE_MB", "1")]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(".p.ron.recovery")
            && run.stderr.contains("more than the limit of 1 MB"),
        "{}",
        run.stderr
    );
    assert!(snapshot.exists(), "a snapshot that cannot be read is kept");
}

#[test]
fn g_the_file_type_is_checked_in_the_core_reader() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("f.txt");
    mkfifo(&fifo);
    for path in [fifo.as_path(), Path::new("/dev/null"), dir.path()] {
        // On a thread: a regression blocks on the FIFO, and the test fails instead of hanging.
        let (sender, receiver) = std::sync::mpsc::channel();
        let reading = path.to_owned();
        std::thread::spawn(move || sender.send(corpus::read_limited(&reading, 1 << 20)));
        let error = receiver
            .recv_timeout(DEADLINE)
            .unwrap_or_else(|_| panic!("reading {} hangs", path.display()))
            .unwrap_err();
        assert!(
            matches!(error, CorpusError::NotAFile { .. }),
            "{}: {error}",
            path.display()
        );
        assert!(error.to_string().contains("not a regular file"), "{error}");
    }
    let socket_path = dir.path().join("s.txt");
    let _socket = std::os::unix::net::UnixListener::bind(&socket_path).unwrap();
    let error = corpus::read_limited(&socket_path, 1 << 20).unwrap_err();
    assert!(error.to_string().contains("a socket"), "{error}");
    // A link to a regular file is read.
    std::fs::write(dir.path().join("real.txt"), "texte").unwrap();
    std::os::unix::fs::symlink(dir.path().join("real.txt"), dir.path().join("l.txt")).unwrap();
    assert_eq!(
        corpus::read_limited(&dir.path().join("l.txt"), 100).unwrap(),
        b"texte"
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Odd files in a corpus folder are skipped and named, never the end of the run
// ---------------------------------------------------------------------------------------------

/// A corpus folder with one good text and the files that used to stop `new`: a name that is not
/// UTF-8, a file over the limit (with `MARGINALIA_MAX_FILE_MB=1`), a binary file, a FIFO.
fn odd_corpus(dir: &Path) -> PathBuf {
    use std::os::unix::ffi::OsStrExt as _;
    let corpus_dir = dir.join("corpus");
    std::fs::create_dir_all(corpus_dir.join("sub")).unwrap();
    std::fs::write(corpus_dir.join("good.txt"), "Le Kremlin a démenti.").unwrap();
    std::fs::write(
        corpus_dir.join(std::ffi::OsStr::from_bytes(b"bad\xffname.txt")),
        "texte",
    )
    .unwrap();
    std::fs::write(
        corpus_dir
            .join("sub")
            .join(std::ffi::OsStr::from_bytes(b"caf\xe9.txt")),
        "texte",
    )
    .unwrap();
    std::fs::write(corpus_dir.join("big.txt"), "x".repeat((1 << 20) + 1)).unwrap();
    std::fs::write(
        corpus_dir.join("image.txt"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    )
    .unwrap();
    mkfifo(&corpus_dir.join("pipe.txt"));
    corpus_dir
}

#[test]
fn g_new_skips_and_names_odd_files_instead_of_stopping() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = odd_corpus(dir.path());
    let project = dir.path().join("p.ron");
    let run = marginalia(
        &["new", "--corpus", s(&corpus_dir), "-o", s(&project)],
        &[("MARGINALIA_MAX_FILE_MB", "1")],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("1 document(s)"), "{}", run.stdout);
    for (name, why) in [
        ("bad\u{fffd}name.txt", "not valid UTF-8"),
        ("sub/caf\u{fffd}.txt", "not valid UTF-8"),
        ("big.txt", "more than the limit of 1 MB"),
        ("image.txt", "looks like a binary file"),
        ("pipe.txt", "not a regular file"),
    ] {
        let line = run
            .stderr
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} is not named: {}", run.stderr));
        assert!(
            line.starts_with("marginalia: warning: ") && line.contains(why),
            "{line}"
        );
    }
    let (loaded, problems) = file::load(&project).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let paths: Vec<&str> = loaded.documents.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths, ["good.txt"]);
}

#[test]
fn g_the_workspace_reports_the_skipped_files_as_problems() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = odd_corpus(dir.path());
    // The default limit (256 MB): big.txt is read.
    let workspace = Workspace::from_folder(&corpus_dir, "zoé").unwrap();
    let paths: Vec<&str> = workspace
        .project()
        .documents
        .iter()
        .map(|d| d.path.as_str())
        .collect();
    assert_eq!(paths, ["big.txt", "good.txt"]);
    let skipped: Vec<String> = workspace
        .problems()
        .iter()
        .filter_map(|p| match p {
            Problem::Skipped { path, .. } => Some(path.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        skipped,
        [
            "bad\u{fffd}name.txt",
            "image.txt",
            "pipe.txt",
            "sub/caf\u{fffd}.txt"
        ]
    );
    assert!(
        workspace
            .problems()
            .iter()
            .all(|p| p.severity() == file::Severity::Warning)
    );
    // The same through the reader the app runs on a thread.
    let read = corpus::read_folder_with(&corpus_dir, &corpus::Progress::default()).unwrap();
    assert_eq!(read.documents.len(), 2);
    assert_eq!(read.skipped.len(), 4);
    let workspace = Workspace::from_documents(&corpus_dir, "zoé", read);
    assert_eq!(workspace.problems().len(), 4);
}

#[test]
fn g_a_folder_of_nothing_but_odd_files_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus_dir).unwrap();
    std::fs::write(
        corpus_dir.join("image.txt"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    )
    .unwrap();
    let project = dir.path().join("p.ron");
    let run = marginalia(&["new", "--corpus", s(&corpus_dir), "-o", s(&project)], &[]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("no .txt file that can be read")
            && run
                .stderr
                .contains("image.txt: it looks like a binary file"),
        "{}",
        run.stderr
    );
    assert!(!project.exists());
}

// ---------------------------------------------------------------------------------------------
// 11. A project file that chooses where it reads
// ---------------------------------------------------------------------------------------------

/// Writes a project file at `project` over the corpus `corpus` (as written in the file) with
/// one document `document` whose text is `text`.
fn project_over(project: &Path, corpus: &str, document: &str, text: &[u8]) {
    std::fs::create_dir_all(project.parent().unwrap()).unwrap();
    std::fs::write(
        project,
        format!(
            "(format_version: 1, annotator: \"a\", corpus: {corpus:?}, schema: (labels: []), documents: [(path: {document:?}, sha256: \"{}\")])",
            corpus::sha256_hex(text)
        ),
    )
    .unwrap();
}

#[test]
fn g_a_corpus_outside_the_project_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("passwd.txt"), "root:x:0:0").unwrap();
    let project = dir.path().join("a/b/p.ron");
    for corpus in [s(&elsewhere), "../../elsewhere"] {
        project_over(&project, corpus, "passwd.txt", b"root:x:0:0");
        let run = marginalia(&["check", s(&project)], &[]);
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        let warning = format!(
            "marginalia: warning: {} reads its texts from {}",
            project.display(),
            elsewhere.canonicalize().unwrap().display()
        );
        assert!(run.stderr.contains(&warning), "{corpus}: {}", run.stderr);
        let out = dir.path().join("out.jsonl");
        let run = marginalia(&["export", s(&project), "-f", "jsonl", "-o", s(&out)], &[]);
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        assert!(run.stderr.contains(&warning), "{corpus}: {}", run.stderr);
    }
    // The core says so before any text is read.
    assert_eq!(
        file::corpus_outside(&project).unwrap(),
        Some(elsewhere.canonicalize().unwrap())
    );
    let mut asked = None;
    let refused = Workspace::open_confirming(&project, |corpus| {
        asked = Some(corpus.to_owned());
        false
    })
    .unwrap_err();
    assert_eq!(asked, Some(elsewhere.canonicalize().unwrap()));
    assert!(
        matches!(&refused, LoadError::CorpusOutside { corpus, .. } if *corpus == elsewhere.canonicalize().unwrap()),
        "{refused}"
    );
    assert!(Workspace::open_confirming(&project, |_| true).is_ok());
}

#[test]
fn g_the_usual_layouts_are_not_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("projects/x.ron", "../assets/corpus", "assets/corpus"),
        ("team/ana.ron", "corpus", "team/corpus"),
        ("p.ron", "corpus", "corpus"),
        ("p.ron", ".", ""),
    ];
    for (project, corpus_field, corpus_dir) in cases {
        let root = dir.path().join(project.replace(['/', '.'], "-"));
        std::fs::create_dir_all(root.join(corpus_dir)).unwrap();
        std::fs::write(root.join(corpus_dir).join("a.txt"), "texte").unwrap();
        let project = root.join(project);
        project_over(&project, corpus_field, "a.txt", b"texte");
        let run = marginalia(&["check", s(&project)], &[]);
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        assert!(!run.stderr.contains("reads its texts"), "{}", run.stderr);
        assert_eq!(file::corpus_outside(&project).unwrap(), None);
        let mut asked = false;
        Workspace::open_confirming(&project, |_| {
            asked = true;
            false
        })
        .unwrap();
        assert!(!asked, "{}", project.display());
    }
}

#[test]
fn g_document_paths_never_enter_hidden_folders_nor_name_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("corpus");
    std::fs::create_dir_all(corpus_dir.join(".git")).unwrap();
    std::fs::create_dir_all(corpus_dir.join("a/.cache")).unwrap();
    for name in [
        ".git/config",
        ".git/x.txt",
        "a/.cache/x.txt",
        ".hidden.txt",
        "notes.md",
        "passwd",
    ] {
        std::fs::write(corpus_dir.join(name), "secret").unwrap();
    }
    let project = dir.path().join("p.ron");
    for bad in [
        ".git/config",
        ".git/x.txt",
        "a/.cache/x.txt",
        ".hidden.txt",
        "notes.md",
        "passwd",
    ] {
        project_over(&project, "corpus", bad, b"secret");
        let error = file::load(&project).unwrap_err();
        assert!(
            matches!(
                error,
                LoadError::Corpus {
                    source: CorpusError::NotACorpusText(_),
                    ..
                }
            ),
            "{bad}: {error}"
        );
        let message = format!("{:#}", anyhow::Error::from(error));
        assert!(message.contains(bad), "{message}");
        let run = marginalia(&["check", s(&project)], &[]);
        assert_eq!(run.code, Some(2), "{bad}: {}", run.stdout);
        assert!(!run.stdout.contains("secret"));
    }
    // What a corpus listing takes is fine, whatever the case of `.txt`.
    std::fs::write(corpus_dir.join("A.TXT"), "secret").unwrap();
    project_over(&project, "corpus", "A.TXT", b"secret");
    assert!(file::load(&project).is_ok());
}

#[test]
fn g_an_import_never_names_a_text_the_loader_refuses() {
    let dir = tempfile::tempdir().unwrap();
    // Lines of a real export, renamed.
    let golden = std::fs::read_to_string("tests/golden/sample/jsonl.jsonl").unwrap();
    let mut lines = Vec::new();
    for (n, name) in ["notes.md", ".git/x.txt", "a/.b/c", "..."]
        .iter()
        .enumerate()
    {
        let mut line: serde_json::Value =
            serde_json::from_str(golden.lines().next().unwrap()).unwrap();
        line["id"] = serde_json::Value::from(format!("{n}"));
        line["meta"]["path"] = serde_json::Value::from(*name);
        lines.push(line.to_string());
    }
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, lines.join("\n")).unwrap();
    let project = dir.path().join("p.ron");
    let run = marginalia(
        &["import", "-f", "jsonl", s(&input), "-o", s(&project)],
        &[],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let (loaded, problems) = file::load(&project).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let paths: Vec<&str> = loaded.documents.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths.len(), 4, "{paths:?}");
    for path in paths {
        assert!(
            path.to_ascii_lowercase().ends_with(".txt")
                && path.split('/').all(|p| !p.starts_with('.')),
            "{path}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 13. Error messages end with a line end; a byte-order mark is accepted
// ---------------------------------------------------------------------------------------------

#[test]
fn g_a_project_file_may_start_with_a_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_in(dir.path());
    let ron = std::fs::read(&project).unwrap();
    // Through the fast reader (the file as written) and through `ron` (a comment makes the fast
    // reader give up).
    for text in [ron.clone(), [b"// a comment\n".as_slice(), &ron].concat()] {
        std::fs::write(&project, [b"\xef\xbb\xbf".as_slice(), &text].concat()).unwrap();
        let run = marginalia(&["check", s(&project)], &[]);
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("no problems"), "{}", run.stdout);
        let mut workspace = Workspace::open(&project).unwrap();
        // The stamp is of the bytes on disk, BOM included: saving sees no conflict.
        workspace.save().unwrap();
    }
    // An error still names the right line and column.
    std::fs::write(&project, b"\xef\xbb\xbf(\n  annotator: 3,\n)").unwrap();
    let error = file::load(&project).unwrap_err().to_string();
    assert!(error.contains("p.ron:2:"), "{error}");
}

#[test]
fn g_an_import_file_may_start_with_a_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    for (format, input) in [
        ("jsonl", "tests/golden/sample/jsonl.jsonl"),
        ("doccano", "tests/golden/sample/doccano.jsonl"),
        (
            "label-studio",
            "tests/golden/sample/label-studio/tasks.json",
        ),
    ] {
        let bytes = std::fs::read(input).unwrap();
        let with_bom = dir.path().join(format!("{format}-bom.json"));
        std::fs::write(&with_bom, [b"\xef\xbb\xbf".as_slice(), &bytes].concat()).unwrap();
        let plain = marginalia::formats::import(format.parse_format(), Path::new(input)).unwrap();
        let bom = marginalia::formats::import(format.parse_format(), &with_bom)
            .unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(plain.documents.len(), bom.documents.len(), "{format}");
        for (a, b) in plain.documents.iter().zip(&bom.documents) {
            assert_eq!(a.text, b.text, "{format}");
            assert_eq!(a.spans.len(), b.spans.len(), "{format}");
        }
        let output = dir.path().join(format!("{format}.ron"));
        let run = marginalia(
            &["import", "-f", format, s(&with_bom), "-o", s(&output)],
            &[],
        );
        assert_eq!(run.code, Some(0), "{format}: {}", run.stderr);
    }
    // A file of a BOM and nothing else is empty.
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, b"\xef\xbb\xbf\n").unwrap();
    let error = marginalia::formats::import(marginalia::formats::Format::Jsonl, &empty)
        .unwrap_err()
        .to_string();
    assert!(error.contains("is empty"), "{error}");
}

/// The format of a command-line name.
trait ParseFormat {
    fn parse_format(&self) -> marginalia::formats::Format;
}

impl ParseFormat for str {
    fn parse_format(&self) -> marginalia::formats::Format {
        use clap::ValueEnum as _;
        marginalia::formats::Format::from_str(self, false).unwrap()
    }
}

#[test]
fn g_error_messages_end_with_a_line_end() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_in(dir.path());
    let missing = dir.path().join("missing.ron");
    let syntax = dir.path().join("syntax.ron");
    std::fs::write(&syntax, "(format_version: 1, annotator: ").unwrap();
    let runs = [
        marginalia(&["check", s(&missing)], &[]),
        marginalia(&["check", s(&syntax)], &[]),
        marginalia(&["new", "--corpus", s(dir.path()), "-o", s(&project)], &[]),
        marginalia(
            &["import", "-f", "jsonl", s(&missing), "-o", s(&missing)],
            &[],
        ),
        marginalia(
            &["export", s(&project), "-f", "jsonl", "-o", s(dir.path())],
            &[],
        ),
        marginalia(&["bogus"], &[]),
    ];
    for run in runs {
        assert_eq!(run.code, Some(2), "{}", run.stderr);
        assert!(
            run.stderr.ends_with('\n') && !run.stderr.ends_with("\n\n"),
            "{:?}",
            run.stderr
        );
        assert!(
            run.stderr.lines().all(|l| !l.trim().is_empty()),
            "{:?}",
            run.stderr
        );
    }
}
