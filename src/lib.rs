//! Marginalia: annotate claims, sources and boilerplate in news corpora.
//!
//! The crate is a GUI-free core with two thin fronts over it:
//!
//! - [`anchor`]: finding spans again when a document's text changed.
//! - [`text`]: byte ranges on char boundaries, and code point conversion for formats.
//! - [`schema`]: labels, relation types and attributes.
//! - [`model`]: documents, annotations and relations in memory.
//! - [`edit`]: every change as an invertible [`edit::Edit`], and the undo [`edit::History`].
//! - [`corpus`]: reading corpus folders and decoding document files.
//! - [`file`]: the RON project file, loaded whole or not at all, saved atomically.
//! - [`generate`]: deterministic generated projects and corpora for benchmarks.
//! - [`workspace`]: an open project with its path, history and load report; safe saving.
//! - [`recovery`]: snapshots of unsaved changes, restored after a crash.
//! - [`review`]: comparing annotators: documents matched by hash, span diffs, agreement.
//! - [`search`]: plain, whole-word and regex search, blind to case and accents by default.
//! - [`suggest`]: suggested spans and links (boilerplate, attribution, patterns, recurring).
//! - [`team`]: team folders: who annotates which documents (`team.ron`).
//! - [`cli`]: the command line.
//! - `ui` (feature `gui`): the egui desktop application.

pub mod anchor;
pub mod cli;
pub mod corpus;
pub mod desktop;
pub mod edit;
pub mod file;
pub mod formats;
pub mod generate;
pub mod model;
pub mod recovery;
pub mod review;
pub mod schema;
pub mod search;
pub mod suggest;
pub mod suggestion;
pub mod team;
pub mod text;
#[cfg(feature = "gui")]
pub mod ui;
pub mod workspace;

/// The allocator of everything built on this crate: the app, the CLI, the tests and the
/// benchmarks (so that their figures are the app's). Loading a large project makes hundreds of
/// thousands of small strings on all cores, and glibc's malloc took a fifth of that time
/// (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// When the process started, as near as the binary can tell: `main`'s first line calls
/// [`mark_start`]. The app's start-up timing counts from it.
static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Records the start of the process (the first call wins).
pub fn mark_start() {
    START.get_or_init(std::time::Instant::now);
}

/// The instant [`mark_start`] recorded, or now when it was never called.
pub fn started() -> std::time::Instant {
    *START.get_or_init(std::time::Instant::now)
}
