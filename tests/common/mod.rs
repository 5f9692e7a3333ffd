//! What the test files share: running the command line as a user does, and (GUI) the headless
//! window the app runs in and a user's drag. Each test binary uses a part of it.

#![allow(dead_code, unused_imports)]

pub mod cli;
#[cfg(feature = "gui")]
mod gui;

#[cfg(feature = "gui")]
pub use gui::{click, drag, harness_for, open, press};

use std::path::{Path, PathBuf};

/// A copy of the sample project and its corpus in a temporary folder, laid out as in the repo.
pub fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("sample copied");
    std::fs::create_dir_all(dir.path().join("projects")).expect("sample copied");
    std::fs::create_dir_all(dir.path().join("assets/corpus")).expect("sample copied");
    for entry in std::fs::read_dir(root.join("assets/corpus")).expect("sample copied") {
        let entry = entry.expect("sample copied");
        std::fs::copy(
            entry.path(),
            dir.path().join("assets/corpus").join(entry.file_name()),
        )
        .expect("sample copied");
    }
    let project = dir.path().join("projects/sample.ron");
    std::fs::copy(root.join("projects/sample.ron"), &project).expect("sample copied");
    std::fs::copy(
        root.join("projects/sample-second-annotator.ron"),
        dir.path().join("projects/sample-second-annotator.ron"),
    )
    .expect("sample copied");
    (dir, project)
}

/// A project of one document, `texte.txt`, holding `text`, without spans.
pub fn text_project(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).expect("the corpus folder");
    std::fs::write(corpus.join("texte.txt"), text).expect("the text");
    let project = marginalia::generate::long_document_project(text, "texte.txt", 0, corpus, 1);
    let path = dir.path().join("texte.ron");
    marginalia::file::save(&project, &path).expect("the project saved");
    (dir, path)
}

/// About `bytes` of text for long-document tests: paragraphs of 1 to 13 sentences taken in turn
/// from `sentences` (so that their heights differ), each ended by `line_break`, with a blank
/// line after every fifth.
pub fn paragraphs(sentences: &[&str], bytes: usize, line_break: &str) -> String {
    let mut text = String::new();
    let mut i = 0usize;
    while text.len() < bytes && !sentences.is_empty() {
        let count = 1 + (i * 7) % 13;
        for k in 0..count {
            text.push_str(sentences[(i + k) % sentences.len()]);
        }
        text.push_str(line_break);
        if i.is_multiple_of(5) {
            text.push_str(line_break);
        }
        i += 1;
    }
    text
}
