//! What the test files share: running the command line as a user does, and (GUI) the headless
//! window the app runs in and a user's drag. Each test binary uses a part of it.

#![allow(dead_code, unused_imports)]

pub mod cli;
#[cfg(feature = "gui")]
mod gui;

#[cfg(feature = "gui")]
pub use gui::{drag, harness_for};

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
