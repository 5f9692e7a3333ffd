//! Hostile input: loaders fed arbitrary and mutated bytes never panic and fail with file and
//! line; document paths never lead outside the corpus; oversized, empty and binary files get a
//! clear message.
//!
//! The fuzz tests run `PROPTEST_CASES` cases (64 by default, so that `cargo test` stays quick);
//! `.ci/run` runs them again with more.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use marginalia::corpus::{self, CorpusError, DocumentText};
use marginalia::file::{self, LoadError};
use marginalia::formats::{self, FormatError, Imported};
use proptest::prelude::*;

mod common;
use common::cli::marginalia_with;

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz-seeds");

fn seed(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(SEEDS).join(name)).unwrap()
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

/// Reads documents from the seed corpus, in memory after the first read.
fn seed_reader() -> impl Fn(&Path, &str) -> Result<DocumentText, CorpusError> {
    let texts: Vec<(String, Vec<u8>)> = ["a.txt", "b.txt"]
        .iter()
        .map(|p| ((*p).to_owned(), seed(&format!("corpus/{p}"))))
        .collect();
    move |_, relative| {
        let (_, bytes) =
            texts
                .iter()
                .find(|(p, _)| p == relative)
                .ok_or_else(|| CorpusError::Io {
                    path: relative.into(),
                    source: std::io::ErrorKind::NotFound.into(),
                })?;
        let (text, decoded_from) = corpus::decode(bytes);
        Ok(DocumentText {
            text,
            hash: corpus::sha256_hex(bytes),
            decoded_from,
        })
    }
}

/// A mutation of a seed file: byte changes, insertions, deletions and copies of a slice elsewhere.
#[derive(Debug, Clone)]
enum Mutation {
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Copy(usize, usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop_oneof![
        any::<u8>(),
        Just(b'"'),
        Just(b'('),
        Just(b')'),
        Just(b'['),
        Just(b'{'),
        Just(b','),
        Just(b'\t'),
        Just(b'\n'),
        Just(b'9'),
        Just(b'-'),
        Just(0xc3),
    ];
    prop_oneof![
        (any::<usize>(), interesting).prop_map(|(at, b)| Mutation::Set(at, b)),
        (
            any::<usize>(),
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 1..8),
                Just(b"99999999999999999999".to_vec()),
                Just(b"18446744073709551615".to_vec()),
                Just(b"-1".to_vec()),
                Just("é😀\r\n".as_bytes().to_vec()),
                Just(b"../../etc/passwd".to_vec()),
            ]
        )
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), 1usize..16).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (any::<usize>(), 1usize..64, any::<usize>()).prop_map(|(a, n, b)| Mutation::Copy(a, n, b)),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Set(at, b) => {
                if let Some(x) = bytes.get_mut(at % len) {
                    *x = *b;
                }
            }
            Mutation::Insert(at, new) => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, new.iter().copied());
            }
            Mutation::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                if at < end {
                    bytes.drain(at..end);
                }
            }
            Mutation::Copy(from, n, to) => {
                let from = from % len;
                let end = (from + n).min(bytes.len());
                let piece: Vec<u8> = bytes.get(from..end).unwrap_or_default().to_vec();
                let to = to % (bytes.len() + 1);
                bytes.splice(to..to, piece);
            }
        }
    }
    bytes
}

fn load_ron(text: &str) -> Result<(marginalia::model::Project, Vec<file::Problem>), LoadError> {
    file::from_ron(text, Path::new("p.ron"), Path::new("/seeds"), seed_reader())
}

/// A loaded project always holds spans that fit their text (or are kept aside).
fn check_project(project: &marginalia::model::Project) {
    for doc in &project.documents {
        if doc.is_editable() {
            for a in &doc.annotations {
                marginalia::model::check_fragments(&doc.text, &a.fragments).unwrap();
            }
        }
    }
}

/// Every imported span fits its text; parse errors say which line.
fn check_import(result: &Result<Imported, FormatError>) {
    match result {
        Ok(imported) => {
            for doc in &imported.documents {
                for span in &doc.spans {
                    marginalia::model::check_fragments(&doc.text, &span.fragments).unwrap();
                }
            }
        }
        Err(FormatError::Parse { path, line, .. }) => {
            assert!(*line >= 1, "a parse error without its line");
            assert!(!path.as_os_str().is_empty());
        }
        Err(other) => panic!("unexpected error {other}"),
    }
}

fn check_ron_error(result: &Result<(marginalia::model::Project, Vec<file::Problem>), LoadError>) {
    match result {
        Ok((project, _)) => check_project(project),
        Err(LoadError::Syntax { line, column, .. }) => assert!(*line >= 1 && *column >= 1),
        Err(LoadError::Invalid { message, .. }) => assert!(!message.is_empty()),
        Err(
            LoadError::Version { .. } | LoadError::Corpus { .. } | LoadError::NotAProject { .. },
        ) => {}
        Err(LoadError::Io { .. }) => panic!("no I/O here"),
        Err(LoadError::CorpusOutside { .. }) => {
            panic!("parsing a text never asks about its corpus")
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn ron_projects_of_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_ron_error(&load_ron(&String::from_utf8_lossy(&bytes)));
    }

    #[test]
    fn ron_projects_mutated(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let bytes = mutate(seed("project.ron"), &mutations);
        check_ron_error(&load_ron(&String::from_utf8_lossy(&bytes)));
    }

    /// The corpus drifts under a valid project: every span is placed on its own text, or kept
    /// aside; never shifted onto other text.
    #[test]
    fn drifted_corpus_texts(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let original = seed("corpus/a.txt");
        let bytes = mutate(original.clone(), &mutations);
        let (old_text, _) = corpus::decode(&original);
        let (new_text, decoded_from) = corpus::decode(&bytes);
        let ron = String::from_utf8(seed("project.ron")).unwrap();
        let read = move |_: &Path, relative: &str| -> Result<DocumentText, CorpusError> {
            if relative == "a.txt" {
                Ok(DocumentText { text: new_text.clone(), hash: corpus::sha256_hex(&bytes), decoded_from })
            } else {
                seed_reader()(Path::new("/"), relative)
            }
        };
        let (before, _) = load_ron(&ron).unwrap();
        let (after, _) = file::from_ron(&ron, Path::new("p.ron"), Path::new("/seeds"), read).unwrap();
        check_project(&after);
        let (old_doc, new_doc) = (&before.documents[0], &after.documents[0]);
        prop_assert_eq!(
            new_doc.annotations.len() + new_doc.detached.len(),
            old_doc.annotations.len() + old_doc.detached.len()
        );
        for a in &new_doc.annotations {
            let old = old_doc.annotations.iter().find(|o| o.id == a.id).unwrap();
            for (n, o) in a.fragments.iter().zip(&old.fragments) {
                let (got, want) = (n.slice(&new_doc.text), o.slice(&old_text));
                prop_assert!(got == want || got.replace("\r\n", "\n") == want.replace("\r\n", "\n"), "{:?} placed on {:?}", want, got);
            }
        }
    }

    #[test]
    fn jsonl_of_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_import(&formats::jsonl::parse(&String::from_utf8_lossy(&bytes), Path::new("x.jsonl")));
    }

    #[test]
    fn jsonl_mutated(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let bytes = mutate(seed("data.jsonl"), &mutations);
        check_import(&formats::jsonl::parse(&String::from_utf8_lossy(&bytes), Path::new("x.jsonl")));
    }

    #[test]
    fn doccano_of_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_import(&formats::doccano::parse(&String::from_utf8_lossy(&bytes), Path::new("x.jsonl")));
    }

    #[test]
    fn doccano_mutated(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let bytes = mutate(seed("doccano.jsonl"), &mutations);
        check_import(&formats::doccano::parse(&String::from_utf8_lossy(&bytes), Path::new("x.jsonl")));
    }

    #[test]
    fn label_studio_of_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_import(&formats::label_studio::parse(&String::from_utf8_lossy(&bytes), Path::new("t.json"), None));
    }

    #[test]
    fn label_studio_mutated(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let bytes = mutate(seed("label-studio.json"), &mutations);
        check_import(&formats::label_studio::parse(&String::from_utf8_lossy(&bytes), Path::new("t.json"), Some("<View><Labels><Label value=\"claim\" background=\"#ff0000\"/></Labels></View>")));
    }

    #[test]
    fn brat_of_arbitrary_bytes(ann in proptest::collection::vec(any::<u8>(), 0..512), text in "\\PC{0,40}") {
        let mut report = Vec::new();
        let (spans, _) = formats::brat::parse_document(&text, &String::from_utf8_lossy(&ann), "x.ann", &mut report);
        for span in spans {
            marginalia::model::check_fragments(&text, &span.fragments).unwrap();
        }
    }

    #[test]
    fn brat_mutated(mutations in proptest::collection::vec(mutation(), 1..6), text_mutations in proptest::collection::vec(mutation(), 0..3)) {
        let ann = mutate(seed("brat/a.ann"), &mutations);
        let (text, _) = corpus::decode(&mutate(seed("brat/a.txt"), &text_mutations));
        let mut report = Vec::new();
        let (spans, _) = formats::brat::parse_document(&text, &String::from_utf8_lossy(&ann), "a.ann", &mut report);
        for span in spans {
            marginalia::model::check_fragments(&text, &span.fragments).unwrap();
        }
        // Whatever was not imported is reported with its file and line.
        for line in &report {
            prop_assert!(line.starts_with("a.ann"), "{}", line);
        }
    }
}

#[test]
fn the_seeds_are_valid() {
    let (project, _) = load_ron(&String::from_utf8(seed("project.ron")).unwrap()).unwrap();
    assert_eq!(project.annotation_count(), 3);
    for (name, parse) in [
        ("data.jsonl", formats::jsonl::parse as fn(&str, &Path) -> _),
        ("doccano.jsonl", formats::doccano::parse),
    ] {
        let imported = parse(&String::from_utf8(seed(name)).unwrap(), Path::new(name)).unwrap();
        assert_eq!(imported.documents.len(), 2, "{name}");
    }
    let imported = formats::label_studio::parse(
        &String::from_utf8(seed("label-studio.json")).unwrap(),
        Path::new("t.json"),
        None,
    )
    .unwrap();
    assert_eq!(imported.documents[0].spans.len(), 4);
    let mut report = Vec::new();
    let (text, _) = corpus::decode(&seed("brat/a.txt"));
    let (spans, relations) = formats::brat::parse_document(
        &text,
        &String::from_utf8(seed("brat/a.ann")).unwrap(),
        "a.ann",
        &mut report,
    );
    assert_eq!((spans.len(), relations.len()), (3, 1), "{report:?}");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(load_ron(&format!("(format_version: 1, annotator: {deep})")).is_err());
    let deep_paren = "(".repeat(100_000);
    assert!(load_ron(&deep_paren).is_err());
    let line = format!("{{\"text\": \"x\", \"spans\": {deep}}}\n");
    assert!(matches!(
        formats::jsonl::parse(&line, Path::new("x.jsonl")),
        Err(FormatError::Parse { line: 1, .. })
    ));
    assert!(formats::label_studio::parse(&deep, Path::new("t.json"), None).is_err());
}

#[test]
fn huge_offsets_are_refused_before_use() {
    let text = String::from_utf8(seed("project.ron")).unwrap();
    let huge = text.replacen(
        "fragments: [(",
        "fragments: [(18446744073709551615, 18446744073709551615, \"x\"), (",
        1,
    );
    let error = load_ron(&huge).unwrap_err();
    assert!(error.to_string().contains("span 1 of a.txt"), "{error}");
    let line = "{\"id\": \"1\", \"text\": \"abc\", \"meta\": {\"path\": \"a.txt\", \"status\": \"done\", \"sha256\": \"\", \"boilerplate_removed\": false}, \"spans\": [{\"id\": 1, \"start\": 18446744073709551614, \"end\": 18446744073709551615, \"label\": \"claim\", \"annotator\": \"\", \"note\": \"\", \"fragments\": [], \"attributes\": []}], \"relations\": []}";
    let imported = formats::jsonl::parse(line, Path::new("x.jsonl")).unwrap();
    assert!(imported.documents[0].spans.is_empty());
    assert!(
        imported.report[0].contains("x.jsonl:1: span 1"),
        "{:?}",
        imported.report
    );
    let mut report = Vec::new();
    let (spans, _) = formats::brat::parse_document(
        "abc",
        "T1\tclaim 0 18446744073709551615\tabc\nT2\tclaim 99999999999999999999999 3\tabc\n",
        "x.ann",
        &mut report,
    );
    assert!(spans.is_empty());
    assert_eq!(report.len(), 2, "{report:?}");
}

// ---------------------------------------------------------------------------------------------
// Confinement
// ---------------------------------------------------------------------------------------------

/// A project file in `dir` over `dir/corpus` with one document path.
fn crafted(dir: &Path, document: &str) -> PathBuf {
    let project = dir.join("p.ron");
    std::fs::write(
        &project,
        format!(
            "(format_version: 1, annotator: \"a\", corpus: \"corpus\", schema: (labels: []), documents: [(path: {document:?}, sha256: \"\")])"
        ),
    )
    .unwrap();
    project
}

#[test]
fn document_paths_that_leave_the_corpus_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("corpus");
    std::fs::create_dir_all(corpus_dir.join("a")).unwrap();
    std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
    let secret = dir.path().join("secret.txt");
    for bad in [
        secret.to_str().unwrap(),
        "../secret.txt",
        "a/../../secret.txt",
        "a/../../../etc/passwd",
        "/etc/passwd",
    ] {
        let error = file::load(&crafted(dir.path(), bad)).unwrap_err();
        assert!(
            matches!(
                error,
                LoadError::Corpus {
                    source: CorpusError::OutsideCorpus(_),
                    ..
                }
            ),
            "{bad}: {error}"
        );
        assert!(format!("{:#}", anyhow::Error::from(error)).contains("leaves the corpus folder"));
    }
    #[cfg(unix)]
    {
        // A link to a file outside, and a link to a folder outside.
        std::os::unix::fs::symlink(&secret, corpus_dir.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path(), corpus_dir.join("out")).unwrap();
        for bad in [
            "link.txt",
            "out/secret.txt",
            "out/corpus/../secret.txt",
            "out/new.txt",
        ] {
            let error = file::load(&crafted(dir.path(), bad)).unwrap_err();
            assert!(matches!(error, LoadError::Corpus { .. }), "{bad}: {error}");
        }
        // Links that stay inside are fine.
        std::fs::write(corpus_dir.join("a/in.txt"), "inside").unwrap();
        std::os::unix::fs::symlink(corpus_dir.join("a/in.txt"), corpus_dir.join("in-link.txt"))
            .unwrap();
        let (project, problems) = file::load(&crafted(dir.path(), "in-link.txt")).unwrap();
        assert_eq!(&*project.documents[0].text, "inside");
        assert!(
            problems
                .iter()
                .all(|p| !matches!(p, file::Problem::Missing { .. }))
        );
        // Listing the corpus does not follow links out.
        assert_eq!(
            corpus::list_texts(&corpus_dir).unwrap(),
            ["a/in.txt", "in-link.txt"]
        );
    }
}

#[test]
fn a_corpus_elsewhere_is_the_users_choice() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("a.txt"), "texte").unwrap();
    let project = dir.path().join("p.ron");
    std::fs::write(
        &project,
        format!(
            "(format_version: 1, annotator: \"a\", corpus: {:?}, schema: (labels: []), documents: [(path: \"a.txt\", sha256: \"{}\")])",
            elsewhere.path().to_str().unwrap(),
            corpus::sha256_hex(b"texte")
        ),
    )
    .unwrap();
    let (project, problems) = file::load(&project).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(&*project.documents[0].text, "texte");
}

/// Every file below `dir`, relative.
fn files_below(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(
                    path.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    found.sort();
    found
}

#[test]
fn exports_never_write_outside_their_folder() {
    use marginalia::model::{Document, Project};
    let dir = tempfile::tempdir().unwrap();
    let documents = [
        "../escape.txt",
        "/tmp/abs.txt",
        "a/../../x.txt",
        "ok.txt",
        "sub/ok.txt",
    ]
    .iter()
    .map(|p| Document {
        path: (*p).to_owned(),
        text: std::sync::Arc::from("Le texte."),
        ..Document::default()
    })
    .collect();
    let project = Project::new(
        "a".into(),
        "/corpus".into(),
        marginalia::schema::Schema::default(),
        documents,
    );
    for format in formats::Format::ALL {
        let out = dir.path().join("out").join(format.name());
        let target = if format.writes_folder() {
            out.clone()
        } else {
            std::fs::create_dir_all(&out).unwrap();
            out.join("export")
        };
        formats::export(
            &project,
            format,
            &formats::ExportOptions::default(),
            &target,
            &mut |_, _| {},
        )
        .unwrap();
    }
    // Only the out folder was written to.
    let top: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(top, ["out"]);
    assert!(
        !Path::new("/tmp/abs.txt").exists()
            || std::fs::read_to_string("/tmp/abs.txt").unwrap() != "Le texte."
    );
    let brat = files_below(&dir.path().join("out/brat"));
    assert!(brat.iter().all(|f| !f.contains("..")), "{brat:?}");
    assert!(
        brat.contains(&"ok.txt".to_owned()) && brat.contains(&"sub/ok.txt".to_owned()),
        "{brat:?}"
    );
}

#[test]
fn imports_never_write_outside_their_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    let jsonl = "{\"id\": \"1\", \"text\": \"evil\", \"meta\": {\"path\": \"../../etc/passwd\", \"status\": \"done\", \"sha256\": \"\", \"boilerplate_removed\": false}, \"spans\": [], \"relations\": []}\n\
                 {\"id\": \"2\", \"text\": \"abs\", \"meta\": {\"path\": \"/tmp/marginalia-abs.txt\", \"status\": \"done\", \"sha256\": \"\", \"boilerplate_removed\": false}, \"spans\": [], \"relations\": []}\n";
    let doccano = "{\"id\": 1, \"text\": \"evil\", \"meta\": {\"path\": \"../../../x.txt\"}, \"entities\": []}\n";
    let ls = "[{\"id\": 1, \"data\": {\"text\": \"evil\", \"path\": \"../../x.txt\"}, \"annotations\": []}]";
    for (format, name, content) in [
        (formats::Format::Jsonl, "a.jsonl", jsonl),
        (formats::Format::Doccano, "b.jsonl", doccano),
        (formats::Format::LabelStudio, "c.json", ls),
    ] {
        let input = inputs.join(name);
        std::fs::write(&input, content).unwrap();
        let imported = formats::import(format, &input).unwrap();
        let corpus_dir = dir.path().join("corpora").join(name);
        let (project, report) = formats::build_project(imported, &corpus_dir, "a").unwrap();
        assert!(
            report
                .notes
                .iter()
                .any(|r| r.contains("leads outside the corpus folder")),
            "{report:?}"
        );
        for doc in &project.documents {
            assert!(
                corpus::resolve(&corpus_dir, &doc.path).is_ok(),
                "{}",
                doc.path
            );
        }
    }
    let top: Vec<String> = {
        let mut t: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        t.sort();
        t
    };
    assert_eq!(top, ["corpora", "in"]);
    assert!(!Path::new("/tmp/marginalia-abs.txt").exists());
    #[cfg(unix)]
    {
        // A brat folder with a link to a file outside: left out, and said.
        let brat = dir.path().join("brat");
        std::fs::create_dir(&brat).unwrap();
        std::fs::write(brat.join("a.txt"), "texte").unwrap();
        std::os::unix::fs::symlink(inputs.join("a.jsonl"), brat.join("stolen.txt")).unwrap();
        let imported = formats::import(formats::Format::Brat, &brat).unwrap();
        assert_eq!(imported.documents.len(), 1);
        assert!(
            imported
                .report
                .iter()
                .any(|r| r.contains("stolen.txt: left out: a symbolic link"))
        );
        // A corpus folder holding a link to a folder outside: nothing is written through it.
        let corpus_dir = dir.path().join("linked-corpus");
        std::fs::create_dir(&corpus_dir).unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), corpus_dir.join("sub")).unwrap();
        let imported = Imported {
            documents: vec![formats::ImportedDoc {
                path: "sub/x.txt".into(),
                text: "x".into(),
                spans: Vec::new(),
                relations: Vec::new(),
                ..formats::ImportedDoc::default()
            }],
            ..Imported::default()
        };
        let (project, report) = formats::build_project(imported, &corpus_dir, "a").unwrap();
        assert_eq!(project.documents[0].path, "sub_x.txt", "{report:?}");
        assert!(corpus_dir.join("sub_x.txt").is_file());
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }
}

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

#[test]
fn files_over_the_limit_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    std::fs::write(&big, vec![b'a'; 3000]).unwrap();
    assert!(corpus::read_limited(&big, 3000).is_ok());
    let error = corpus::read_limited(&big, 2999).unwrap_err();
    assert!(matches!(
        error,
        CorpusError::TooLarge {
            size: 3000,
            limit: 2999,
            ..
        }
    ));
    assert!(
        error.to_string().contains("MARGINALIA_MAX_FILE_MB"),
        "{error}"
    );
    assert_eq!(corpus::max_file_bytes(), corpus::DEFAULT_MAX_FILE_MB << 20);
}

#[test]
fn the_limit_is_set_by_an_environment_variable() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("corpus");
    std::fs::create_dir(&corpus_dir).unwrap();
    std::fs::write(corpus_dir.join("a.txt"), "petit").unwrap();
    let project = dir.path().join("p.ron");
    let out = marginalia_with(
        &[
            "new",
            "--corpus",
            corpus_dir.to_str().unwrap(),
            "-o",
            project.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success());
    std::fs::write(corpus_dir.join("a.txt"), "x".repeat((1 << 20) + 1)).unwrap();
    let out = marginalia_with(
        &["check", project.to_str().unwrap()],
        &[("MARGINALIA_MAX_FILE_MB", "1")],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("more than the limit of 1 MB"), "{stdout}");
    let out = marginalia_with(
        &["check", project.to_str().unwrap()],
        &[("MARGINALIA_MAX_FILE_MB", "2")],
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("limit"));
}

#[test]
fn empty_and_binary_files_get_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.ron");
    std::fs::write(&empty, "  \n").unwrap();
    let error = file::load(&empty).unwrap_err().to_string();
    assert!(
        error.contains("empty.ron") && error.contains("is empty"),
        "{error}"
    );
    let binary = dir.path().join("image.ron");
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let error = file::load(&binary).unwrap_err().to_string();
    assert!(error.contains("looks like a binary file"), "{error}");
    let latin1 = dir.path().join("latin1.ron");
    std::fs::write(&latin1, b"(\n  annotator: \"caf\xe9\",\n)").unwrap();
    let error = file::load(&latin1).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!("{}:2:18:", latin1.display())),
        "{error}"
    );
    for format in [
        formats::Format::Jsonl,
        formats::Format::Doccano,
        formats::Format::LabelStudio,
    ] {
        let input = dir.path().join("empty.jsonl");
        std::fs::write(&input, "").unwrap();
        let error = formats::import(format, &input).unwrap_err().to_string();
        assert!(error.contains("empty.jsonl is empty"), "{error}");
        std::fs::write(&input, b"\0\x01\x02\x03binary").unwrap();
        let error = formats::import(format, &input).unwrap_err().to_string();
        assert!(
            error.contains("looks like a binary file, not text"),
            "{error}"
        );
        std::fs::write(&input, b"{}\n{\"text\": \"caf\xe9\"}\n").unwrap();
        let error = formats::import(format, &input).unwrap_err().to_string();
        assert!(
            error.contains("empty.jsonl:2: column 14: not UTF-8"),
            "{error}"
        );
    }
    // A binary document in a corpus: named, the project still loads.
    let corpus_dir = dir.path().join("corpus");
    std::fs::create_dir(&corpus_dir).unwrap();
    std::fs::write(corpus_dir.join("a.txt"), "texte").unwrap();
    std::fs::write(corpus_dir.join("empty.txt"), "").unwrap();
    let project = dir.path().join("p.ron");
    assert!(
        marginalia_with(
            &[
                "new",
                "--corpus",
                corpus_dir.to_str().unwrap(),
                "-o",
                project.to_str().unwrap()
            ],
            &[]
        )
        .status
        .success()
    );
    std::fs::write(corpus_dir.join("a.txt"), b"\x7fELF\x02\x01\x01\0\0\0\0").unwrap();
    let (_, problems) = file::load(&project).unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.to_string().contains("looks like a binary file, not text")),
        "{problems:?}"
    );
    // An empty document is a document.
    assert!(
        !problems.iter().any(|p| p.to_string().contains("empty.txt")),
        "{problems:?}"
    );
}
