//! Crash recovery: snapshots of unsaved changes, offered back on the next start.
//!
//! While a workspace is dirty, the GUI calls [`crate::workspace::Workspace::write_recovery`] every few seconds. It
//! writes the whole project (atomically, like a save) to a recovery file:
//!
//! - beside the project file, hidden: `.name.ron.recovery` ([`path_for`]);
//! - for an untitled project, `untitled-….recovery` in a folder of the user's data
//!   ([`default_dir`]: `$XDG_DATA_HOME/marginalia/recovery`, or
//!   `~/.local/share/marginalia/recovery`).
//!
//! The file is a RON header (what the snapshot belongs to, the hash of the saved file it was made
//! on, when it was written, the hash of each document's text), a comment line, then the project as
//! the RON of a project file.
//!
//! A save, a reload and a clean close delete it. After a crash, on opening a project call
//! [`find`] (and at start [`list_untitled`]); show [`Recovery::summary`]'s lines and let the user
//! [`Recovery::restore`] or [`Recovery::discard`]. A recovery file that cannot be read is an
//! error, never skipped: it stays on disk until the user discards it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::corpus;
use crate::file::{self, FileStamp, LoadError, Problem, SaveError};
use crate::model::{Project, Status, TextState, Timestamp};

/// The recovery file format this build writes, and the newest it reads.
pub const RECOVERY_FORMAT_VERSION: u32 = 1;

/// The extension of recovery files.
const EXTENSION: &str = "recovery";

/// Why a recovery file could not be written, read or restored. The file is never deleted on an
/// error: the user decides ([`Recovery::discard`]).
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    /// A file or folder could not be read, listed or deleted.
    #[error("cannot read or delete the recovery file {path}")]
    Io {
        /// The recovery file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The recovery file could not be written.
    #[error("cannot write the recovery snapshot")]
    Write(#[from] SaveError),
    /// The file is not a recovery file this build can read.
    #[error(
        "{path} is not a readable recovery file ({message}); it is kept: move it away to look \
         at it, or discard it"
    )]
    Unreadable {
        /// The recovery file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The recovery file is not a regular file (a FIFO, a device) or is over the size limit: it
    /// is not read.
    #[error(transparent)]
    Refused(corpus::CorpusError),
    /// The file was written by a newer Marginalia.
    #[error(
        "{path} was written by a newer Marginalia (recovery format {found}, this one reads up to \
         {RECOVERY_FORMAT_VERSION}): update Marginalia to restore it; it is kept"
    )]
    Version {
        /// The recovery file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
    },
    /// The project inside the recovery file cannot be loaded.
    #[error("the project saved in the recovery file {path} cannot be loaded; it is kept")]
    Project {
        /// The recovery file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: LoadError,
    },
    /// Documents of the corpus changed (or vanished) since the snapshot was written.
    #[error(
        "the corpus changed since the recovery file {path} was written: {} {}; restore anyway \
         (their spans are kept, but hidden and read-only until re-anchored) or discard it",
        documents.join(", "),
        if documents.len() == 1 { "differs" } else { "differ" }
    )]
    CorpusChanged {
        /// The recovery file.
        path: PathBuf,
        /// The documents whose text is not the one the snapshot was made on.
        documents: Vec<String>,
    },
    /// A recovery file this workspace did not write is in the way.
    #[error(
        "{path} holds unsaved changes of an earlier session or of another window: restore or \
         discard them before new changes can be snapshotted"
    )]
    Pending {
        /// The recovery file.
        path: PathBuf,
    },
}

/// The recovery file's shape on disk.
#[derive(Serialize, Deserialize)]
struct RecoveryFile {
    recovery_format: u32,
    /// The project file it belongs to (absolute), or none for an untitled project.
    project_path: Option<String>,
    /// The corpus folder (absolute).
    corpus: String,
    /// SHA-256 of the saved project file the changes were made on, if there was one.
    base_sha256: Option<String>,
    /// When the snapshot was written.
    written: Timestamp,
    /// For each document, the SHA-256 of its file when the snapshot was written ("" if missing).
    texts: BTreeMap<String, String>,
}

/// The line between the header ([`RecoveryFile`]) and the project, which follows as the RON of a
/// project file whose corpus is the header's. RON never writes comments, so the header cannot
/// contain it.
const SEPARATOR: &str = "\n// The project:\n";

/// The recovery file of the project file `project_path`: `.name.ron.recovery` beside it.
pub fn path_for(project_path: &Path) -> PathBuf {
    let name = project_path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy();
    project_path.with_file_name(format!(".{name}.{EXTENSION}"))
}

/// The folder for the recovery files of untitled projects: `$XDG_DATA_HOME/marginalia/recovery`,
/// or `~/.local/share/marginalia/recovery`; none when neither variable is set.
pub fn default_dir() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .filter(|d| d.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| Path::new(&h).join(".local").join("share"))
        })?;
    Some(data.join("marginalia").join("recovery"))
}

/// A fresh recovery file name in `dir` for an untitled project (the folder is created).
pub(crate) fn new_untitled_path(dir: &Path) -> Result<PathBuf, RecoveryError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    std::fs::create_dir_all(dir).map_err(|source| RecoveryError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let stamp = Timestamp::now().0;
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(
            "untitled-{stamp}-{}-{n}.{EXTENSION}",
            std::process::id()
        ));
        if !path.exists() {
            return Ok(path);
        }
    }
}

/// The hash of a document's text as it is now in memory ("" when it could not be read).
fn text_hash(document: &crate::model::Document) -> String {
    match &document.text_state {
        TextState::Current => document.hash.clone(),
        TextState::Changed { actual_hash } => actual_hash.clone(),
        TextState::Missing { .. } => String::new(),
    }
}

/// Writes a snapshot of `project` to `target` atomically.
pub(crate) fn write(
    target: &Path,
    project: &Project,
    project_path: Option<&Path>,
    base: Option<&FileStamp>,
) -> Result<(), RecoveryError> {
    let text = snapshot(target, project, project_path, base)?;
    file::write_atomic(target, text.as_bytes())?;
    Ok(())
}

/// The text of a snapshot of `project`, to be written to `target` (named in errors).
pub(crate) fn snapshot(
    target: &Path,
    project: &Project,
    project_path: Option<&Path>,
    base: Option<&FileStamp>,
) -> Result<String, RecoveryError> {
    let file = RecoveryFile {
        recovery_format: RECOVERY_FORMAT_VERSION,
        project_path: project_path.map(|p| p.to_string_lossy().into_owned()),
        corpus: project.corpus_root.to_string_lossy().into_owned(),
        base_sha256: base.map(|b| b.sha256.clone()),
        written: Timestamp::now(),
        texts: project
            .documents
            .iter()
            .map(|d| (d.path.clone(), text_hash(d)))
            .collect(),
    };
    let config = ron::ser::PrettyConfig::new().depth_limit(1);
    let mut text = ron::ser::to_string_pretty(&file, config).map_err(|e| {
        RecoveryError::Write(SaveError {
            path: target.to_owned(),
            source: std::io::Error::other(e),
        })
    })?;
    text.push_str(SEPARATOR);
    text.push_str(&file::to_ron(project, &project.corpus_root));
    Ok(text)
}

/// Unsaved changes found on disk, not yet restored or discarded.
#[derive(Debug, Clone)]
pub struct Recovery {
    file: PathBuf,
    project_path: Option<PathBuf>,
    corpus_root: PathBuf,
    base_sha256: Option<String>,
    written: Timestamp,
    texts: BTreeMap<String, String>,
    project: String,
}

/// The recovery file of the project at `project_path`, if there is one.
pub fn find(project_path: &Path) -> Result<Option<Recovery>, RecoveryError> {
    let project_path = file::absolute(project_path);
    let file = path_for(&project_path);
    if !file.exists() {
        return Ok(None);
    }
    let mut recovery = read(&file)?;
    // The file beside the project is the project's, even if both were moved together.
    recovery.project_path = Some(project_path);
    Ok(Some(recovery))
}

/// The recovery files of untitled projects in `dir` (usually [`default_dir`]), sorted by name
/// (oldest first); one error for each file that cannot be read. Empty when `dir` does not exist.
pub fn list_untitled(dir: &Path) -> Vec<Result<Recovery, RecoveryError>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(source) => {
            return vec![Err(RecoveryError::Io {
                path: dir.to_owned(),
                source,
            })];
        }
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            !name.starts_with('.') && p.extension().is_some_and(|e| e == EXTENSION)
        })
        .collect();
    files.sort();
    files.iter().map(|f| read(f)).collect()
}

/// Reads the recovery file at `path` (one that [`list_untitled`] found, say).
pub fn read_file(path: &Path) -> Result<Recovery, RecoveryError> {
    read(path)
}

/// Whether the snapshot of an untitled project belongs to another window of Marginalia that is
/// still running (its process id is in the file name): that window may still save or discard it,
/// so it is not offered. Only on Linux, where `/proc` tells; elsewhere every snapshot is offered.
pub fn written_by_another_live_window(recovery: &Recovery) -> bool {
    let name = recovery
        .file
        .file_name()
        .unwrap_or_default()
        .to_string_lossy();
    // untitled-{stamp}-{pid}-{n}.recovery
    let Some(pid) = name
        .strip_prefix("untitled-")
        .and_then(|rest| rest.split('-').nth(1))
        .and_then(|pid| pid.parse::<u32>().ok())
    else {
        return false;
    };
    if pid == std::process::id() {
        return false;
    }
    // A process id is reused: the window is alive only if that process is this program.
    let comm = |pid: &str| std::fs::read_to_string(format!("/proc/{pid}/comm")).ok();
    match (comm(&pid.to_string()), comm("self")) {
        (Some(theirs), Some(ours)) => theirs == ours,
        _ => false,
    }
}

/// Reads a recovery file.
fn read(path: &Path) -> Result<Recovery, RecoveryError> {
    let unreadable = |message: String| RecoveryError::Unreadable {
        path: path.to_owned(),
        message,
    };
    // Like any other file: a regular file within the size limit (a FIFO or a link to a device
    // would otherwise hang the reader or fill the memory).
    let bytes = corpus::read_limited(path, corpus::max_file_bytes()).map_err(|e| match e {
        corpus::CorpusError::Io { path, source } => RecoveryError::Io { path, source },
        other => RecoveryError::Refused(other),
    })?;
    let text =
        String::from_utf8(bytes).map_err(|_| unreadable("it is not UTF-8 text".to_owned()))?;
    let (header, project) = text
        .split_once(SEPARATOR)
        .ok_or_else(|| unreadable("it is incomplete: the project is missing".to_owned()))?;
    let file: RecoveryFile = ron::from_str(header)
        .map_err(|e| unreadable(format!("line {}: {}", e.span.start.line, e.code)))?;
    if file.recovery_format > RECOVERY_FORMAT_VERSION {
        return Err(RecoveryError::Version {
            path: path.to_owned(),
            found: file.recovery_format,
        });
    }
    Ok(Recovery {
        file: path.to_owned(),
        project_path: file.project_path.map(PathBuf::from),
        corpus_root: PathBuf::from(file.corpus),
        base_sha256: file.base_sha256,
        written: file.written,
        texts: file.texts,
        project: project.to_owned(),
    })
}

/// What happened to the saved project file since the snapshot was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SavedFile {
    /// The project was untitled: there is no saved file.
    Untitled,
    /// The saved file is the one the changes were made on.
    Same,
    /// The saved file changed since (saved elsewhere, `git pull`…): saving the restored project
    /// will ask before overwriting it.
    Changed,
    /// The saved file is gone.
    Missing,
    /// The saved file cannot be loaded (the reason); the summary compares with an empty project.
    Unreadable(String),
}

/// What restoring one document would change, compared to the saved file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentChanges {
    /// The document's path in the corpus.
    pub path: String,
    /// Spans in the snapshot only.
    pub spans_added: usize,
    /// Spans in the saved file only.
    pub spans_removed: usize,
    /// Spans in both, with a different label, extent, note or attribute.
    pub spans_changed: usize,
    /// Links in the snapshot only.
    pub relations_added: usize,
    /// Links in the saved file only.
    pub relations_removed: usize,
    /// Links in both that differ.
    pub relations_changed: usize,
    /// The status, when it changed: (saved, snapshot).
    pub status: Option<(Status, Status)>,
    /// The pending suggestions, when they changed: how many (saved, snapshot).
    pub suggestions: Option<(usize, usize)>,
    /// The rejected suggestions, when they changed: how many (saved, snapshot).
    pub rejected: Option<(usize, usize)>,
}

impl DocumentChanges {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        *self
            == Self {
                path: self.path.clone(),
                ..Self::default()
            }
    }

    /// One line for a dialog: `a.txt: 2 spans added, 1 removed; 1 link added; status todo → done`.
    pub fn line(&self) -> String {
        let mut parts = Vec::new();
        let counts = |noun: &str, added: usize, removed: usize, changed: usize| {
            let mut words = Vec::new();
            for (n, verb) in [(added, "added"), (removed, "removed"), (changed, "changed")] {
                if n > 0 {
                    if words.is_empty() {
                        let plural = if n == 1 { "" } else { "s" };
                        words.push(format!("{n} {noun}{plural} {verb}"));
                    } else {
                        words.push(format!("{n} {verb}"));
                    }
                }
            }
            words.join(", ")
        };
        let spans = counts(
            "span",
            self.spans_added,
            self.spans_removed,
            self.spans_changed,
        );
        let links = counts(
            "link",
            self.relations_added,
            self.relations_removed,
            self.relations_changed,
        );
        parts.extend([spans, links].into_iter().filter(|p| !p.is_empty()));
        if let Some((saved, snapshot)) = self.status {
            parts.push(format!("status {} → {}", saved.label(), snapshot.label()));
        }
        if let Some((saved, snapshot)) = self.suggestions {
            parts.push(format!("pending suggestions {saved} → {snapshot}"));
        }
        if let Some((saved, snapshot)) = self.rejected {
            parts.push(format!("rejected suggestions {saved} → {snapshot}"));
        }
        format!("{}: {}", self.path, parts.join("; "))
    }
}

/// What restoring would bring back, compared to the saved project file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoverySummary {
    /// The recovery file.
    pub file: PathBuf,
    /// The project file it belongs to; none for an untitled project.
    pub project_path: Option<PathBuf>,
    /// When the snapshot was written.
    pub written: Timestamp,
    /// The documents with changes, sorted by path.
    pub documents: Vec<DocumentChanges>,
    /// The labels, relation types or attributes changed.
    pub schema_changed: bool,
    /// The saved file, compared to the one the changes were made on.
    pub saved_file: SavedFile,
    /// Documents whose text changed since the snapshot (see [`RecoveryError::CorpusChanged`]).
    pub corpus_changed: Vec<String>,
}

impl RecoverySummary {
    /// True when restoring would change nothing compared to the saved file.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty() && !self.schema_changed
    }

    /// Human-readable lines for a dialog, the first one saying what and when.
    pub fn lines(&self) -> Vec<String> {
        let name = self.project_path.as_deref().map_or_else(
            || "an untitled project".to_owned(),
            |p| p.display().to_string(),
        );
        let mut lines = vec![format!(
            "Unsaved changes to {name}, as of {} (UTC):",
            self.written
        )];
        lines.extend(self.documents.iter().map(DocumentChanges::line));
        if self.schema_changed {
            lines.push("The labels, link types or attributes changed.".to_owned());
        }
        if self.is_empty() {
            lines.push("No difference with the saved file.".to_owned());
        }
        match &self.saved_file {
            SavedFile::Untitled | SavedFile::Same => {}
            SavedFile::Changed => lines.push(
                "The project file changed since these changes were made: saving the restored \
                 project will ask whether to overwrite it."
                    .to_owned(),
            ),
            SavedFile::Missing => {
                lines
                    .push("The project file no longer exists: saving will recreate it.".to_owned());
            }
            SavedFile::Unreadable(reason) => lines.push(format!(
                "The project file cannot be loaded ({reason}): compared with an empty project."
            )),
        }
        for path in &self.corpus_changed {
            lines.push(format!(
                "{path} changed since the snapshot: its spans would be kept but hidden."
            ));
        }
        lines
    }
}

/// A recovered project with what a workspace needs to take it up (see
/// [`crate::workspace::Workspace`]'s `From<Restored>`): built by [`Recovery::restored`].
#[derive(Debug)]
pub struct Restored {
    /// The recovered project.
    pub project: Project,
    /// The project's path (none when untitled).
    pub path: Option<PathBuf>,
    /// What loading found.
    pub problems: Vec<Problem>,
    /// The project file as the snapshot was made over it (its hash only), so that saving asks
    /// before overwriting a file that changed since.
    pub disk: Option<FileStamp>,
    /// The recovery file, kept until the project is saved.
    pub recovery_file: PathBuf,
}

impl Recovery {
    /// The recovery file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The project file it belongs to; none for an untitled project.
    pub fn project_path(&self) -> Option<&Path> {
        self.project_path.as_deref()
    }

    /// The corpus folder of the project.
    pub fn corpus_root(&self) -> &Path {
        &self.corpus_root
    }

    /// When the snapshot was written.
    pub fn written(&self) -> Timestamp {
        self.written
    }

    /// Loads the snapshot's project over the corpus; also returns the documents whose text is no
    /// longer the one the snapshot was made on.
    fn load(&self) -> Result<(Project, Vec<Problem>, Vec<String>), RecoveryError> {
        let (project, problems) = file::from_ron(
            &self.project,
            &self.file,
            &self.corpus_root,
            |root, relative| {
                let path = corpus::resolve(root, relative)?;
                corpus::read_document(&path)
            },
        )
        .map_err(|source| RecoveryError::Project {
            path: self.file.clone(),
            source,
        })?;
        let changed = project
            .documents
            .iter()
            .filter(|d| self.texts.get(&d.path) != Some(&text_hash(d)))
            .map(|d| d.path.clone())
            .collect();
        Ok((project, problems, changed))
    }

    /// What restoring would bring back, compared to the saved project file.
    pub fn summary(&self) -> Result<RecoverySummary, RecoveryError> {
        let (recovered, _, corpus_changed) = self.load()?;
        let (saved, saved_file) = match &self.project_path {
            None => (None, SavedFile::Untitled),
            Some(path) => match FileStamp::read(path) {
                Ok(None) => (None, SavedFile::Missing),
                Err(error) => (None, SavedFile::Unreadable(error.to_string())),
                Ok(Some(stamp)) => match file::load(path) {
                    Ok((project, _)) => {
                        let same = self.base_sha256.as_ref() == Some(&stamp.sha256);
                        let state = if same {
                            SavedFile::Same
                        } else {
                            SavedFile::Changed
                        };
                        (Some(project), state)
                    }
                    Err(error) => (
                        None,
                        SavedFile::Unreadable(format!("{:#}", anyhow::Error::new(error))),
                    ),
                },
            },
        };
        let documents = compare(saved.as_ref(), &recovered);
        let schema_changed = saved
            .as_ref()
            .is_some_and(|saved| saved.schema != recovered.schema);
        Ok(RecoverySummary {
            file: self.file.clone(),
            project_path: self.project_path.clone(),
            written: self.written,
            documents,
            schema_changed,
            saved_file,
            corpus_changed,
        })
    }

    /// What [`Recovery::restore`] builds its workspace from (see [`Restored`]): the recovered
    /// project and what goes with it.
    ///
    /// Fails with [`RecoveryError::CorpusChanged`] when a document's text changed since the
    /// snapshot, unless `check_corpus` is false: then their spans are kept but hidden and
    /// read-only, as when a project is loaded over a changed corpus.
    pub fn restored(&self, check_corpus: bool) -> Result<Restored, RecoveryError> {
        let (project, problems, changed) = self.load()?;
        if check_corpus && !changed.is_empty() {
            return Err(RecoveryError::CorpusChanged {
                path: self.file.clone(),
                documents: changed,
            });
        }
        let disk = self.base_sha256.as_ref().map(|sha256| FileStamp {
            sha256: sha256.clone(),
            len: 0,
            modified: None,
        });
        Ok(Restored {
            project,
            path: self.project_path.clone(),
            problems,
            disk,
            recovery_file: self.file.clone(),
        })
    }

    /// Deletes the recovery file: the user chose not to restore it.
    pub fn discard(self) -> Result<(), RecoveryError> {
        match std::fs::remove_file(&self.file) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(RecoveryError::Io {
                path: self.file,
                source,
            }),
        }
    }
}

/// The changes of each document from `saved` (none: an empty project) to `recovered`.
fn compare(saved: Option<&Project>, recovered: &Project) -> Vec<DocumentChanges> {
    let saved_docs: BTreeMap<&str, &crate::model::Document> = saved
        .map(|p| p.documents.iter().map(|d| (d.path.as_str(), d)).collect())
        .unwrap_or_default();
    let mut changes = Vec::new();
    for document in &recovered.documents {
        let before = saved_docs.get(document.path.as_str());
        let (spans_added, spans_removed, spans_changed) = diff(
            before.map(|d| d.annotations.iter().map(|a| (a.id, a)).collect()),
            &document.annotations.iter().map(|a| (a.id, a)).collect(),
        );
        let (relations_added, relations_removed, relations_changed) = diff(
            before.map(|d| d.relations.iter().map(|r| (r.id, r)).collect()),
            &document.relations.iter().map(|r| (r.id, r)).collect(),
        );
        let status = match before {
            Some(before) if before.status != document.status => {
                Some((before.status, document.status))
            }
            None if document.status != Status::default() => {
                Some((Status::default(), document.status))
            }
            _ => None,
        };
        let empty = crate::model::Document::default();
        let saved = before.copied().unwrap_or(&empty);
        let suggestions = (saved.suggestions != document.suggestions)
            .then_some((saved.suggestions.len(), document.suggestions.len()));
        let rejected = (saved.rejected != document.rejected)
            .then_some((saved.rejected.len(), document.rejected.len()));
        let change = DocumentChanges {
            path: document.path.clone(),
            spans_added,
            spans_removed,
            spans_changed,
            relations_added,
            relations_removed,
            relations_changed,
            status,
            suggestions,
            rejected,
        };
        if !change.is_empty() {
            changes.push(change);
        }
    }
    changes
}

/// Added, removed and changed items between two id maps.
fn diff<K: Ord, V: PartialEq>(
    before: Option<BTreeMap<K, V>>,
    after: &BTreeMap<K, V>,
) -> (usize, usize, usize) {
    let before = before.unwrap_or_default();
    let keys: BTreeSet<&K> = before.keys().chain(after.keys()).collect();
    let (mut added, mut removed, mut changed) = (0, 0, 0);
    for key in keys {
        match (before.get(key), after.get(key)) {
            (None, Some(_)) => added += 1,
            (Some(_), None) => removed += 1,
            (Some(a), Some(b)) if a != b => changed += 1,
            _ => {}
        }
    }
    (added, removed, changed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn i_recovery_tells_of_pending_and_rejected_suggestions() {
        // Offering suggestions, or rejecting one, is unsaved work: the recovery dialog said
        // "No difference with the saved file" after a crash.
        use crate::suggest::{Rejection, Rule, Suggester, Suggestion};
        use crate::text::ByteRange;
        let document = crate::model::Document {
            path: "a.txt".to_owned(),
            text: std::sync::Arc::from("Selon l'AFP, il pleut."),
            ..Default::default()
        };
        let saved = Project::new(
            "ann".to_owned(),
            PathBuf::from("/corpus"),
            crate::schema::Schema::default(),
            vec![document],
        );
        let suggestion = Suggestion {
            label: "source".to_owned(),
            fragments: vec![ByteRange::new(6, 11)],
            rule: Rule {
                suggester: Suggester::Attribution,
                rule: "selon X".to_owned(),
            },
            score: 0.8,
            link: None,
        };
        let mut offered = saved.clone();
        offered.documents[0].suggestions = vec![suggestion.clone(), suggestion.clone()];
        let changes = compare(Some(&saved), &offered);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].line(), "a.txt: pending suggestions 0 → 2");
        let mut rejected = offered.clone();
        rejected.documents[0].suggestions.pop();
        rejected.documents[0].rejected = vec![Rejection::of(&suggestion)];
        let changes = compare(Some(&offered), &rejected);
        assert_eq!(
            changes[0].line(),
            "a.txt: pending suggestions 2 → 1; rejected suggestions 0 → 1"
        );
    }
}
