//! An open project: the project, where it is saved, its undo history and what loading found.
//!
//! The GUI and the CLI both work through a [`Workspace`]; neither changes a project any other way.
//!
//! A workspace remembers what its project file held when it was opened or last saved (a
//! [`FileStamp`]), so that [`Workspace::save`] never silently overwrites a file that another
//! program changed since: it refuses with a [`SaveConflict`] and the user chooses between
//! [`Workspace::reload`], [`Workspace::save_overwriting`] and [`Workspace::save_as`]. Unsaved
//! changes are snapshotted with [`Workspace::write_recovery`] (see [`crate::recovery`]).

use std::path::{Path, PathBuf};

use crate::corpus::{self, CorpusError};
use crate::edit::{Edit, EditError, History, MergeKey};
use crate::file::{self, FileStamp, LoadError, Problem, SaveError};
use crate::model::Project;
use crate::recovery::{self, Recovery, RecoveryError, Restored};
use crate::schema::Schema;

/// An open project.
#[derive(Debug, Default)]
pub struct Workspace {
    project: Project,
    path: Option<PathBuf>,
    history: History,
    saved_revision: Option<u64>,
    problems: Vec<Problem>,
    /// What the project file held when opened or last saved; `None` when there was no file.
    disk: Option<FileStamp>,
    /// The recovery file this workspace wrote (or was restored from), if any.
    recovery_file: Option<PathBuf>,
    /// The revision that recovery file holds.
    recovery_revision: Option<u64>,
    /// A snapshot being written on another thread ([`Workspace::write_recovery_in_background`]).
    recovery_writer: RecoveryWriter,
    /// The revision whose unsaved changes the user discarded: never snapshotted again.
    discarded_revision: Option<u64>,
}

/// The thread writing a recovery snapshot, if one is.
#[derive(Debug, Default)]
struct RecoveryWriter(Option<std::thread::JoinHandle<Result<(), RecoveryError>>>);

impl Drop for RecoveryWriter {
    fn drop(&mut self) {
        // When the workspace goes, a snapshot being written is finished, not abandoned halfway
        // (its temporary file would stay behind until the next save).
        if let Some(writer) = self.0.take() {
            let _ = writer.join();
        }
    }
}

/// How the project file on disk differs from what the workspace opened or last saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiskChange {
    /// The file's contents changed.
    Modified,
    /// The file was deleted or moved away.
    Deleted,
    /// There was no file, and now there is one.
    Created,
}

/// [`Workspace::save`] refused: the project file changed on disk since it was opened or last
/// saved. Nothing was written. Let the user choose: [`Workspace::reload`] (lose the changes made
/// here), [`Workspace::save_overwriting`] (lose the changes made there) or
/// [`Workspace::save_as`] (keep both).
#[derive(Debug, thiserror::Error)]
#[error("{} {}", path.display(), match change {
    DiskChange::Modified => "was changed by another program since it was opened or last saved; \
        to keep your changes and theirs, save as another file; otherwise reload it (losing your \
        changes) or overwrite it (losing theirs)",
    DiskChange::Deleted => "was deleted or moved by another program since it was opened or last \
        saved; overwrite to write it again, or save as another file",
    DiskChange::Created => "was created by another program since this project was restored; \
        to keep your changes and theirs, save as another file; otherwise reload it or overwrite it",
})]
pub struct SaveConflict {
    /// The project file.
    pub path: PathBuf,
    /// What happened to it.
    pub change: DiskChange,
}

/// Why [`Workspace::save`] did not save. The file on disk is unchanged in both cases.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceSaveError {
    /// The file changed on disk: the user must choose what to do.
    #[error(transparent)]
    Conflict(#[from] SaveConflict),
    /// The file could not be checked or written.
    #[error(transparent)]
    Write(#[from] SaveError),
}

/// A workspace restored from a recovery file: dirty, so that the user saves it.
impl From<Restored> for Workspace {
    fn from(restored: Restored) -> Self {
        let Restored {
            project,
            path,
            problems,
            disk,
            recovery_file,
        } = restored;
        Self {
            project,
            path,
            problems,
            disk,
            recovery_file: Some(recovery_file),
            ..Self::default()
        }
    }
}

/// Restoring builds a workspace, so it is written here, beside the workspace; [`crate::recovery`]
/// only reads the snapshot ([`Recovery::restored`]).
impl Recovery {
    /// A workspace with the recovered project, at the project's path (none when untitled), dirty
    /// so that the user saves it. Saving it asks before overwriting a project file that changed
    /// since the snapshot was made. The recovery file is kept until that save (or
    /// [`Workspace::remove_recovery`]).
    ///
    /// Fails with [`RecoveryError::CorpusChanged`] when a document's text changed since the
    /// snapshot: ask the user, then [`Recovery::restore_despite_corpus_changes`] or
    /// [`Recovery::discard`].
    pub fn restore(&self) -> Result<Workspace, RecoveryError> {
        self.restored(true).map(Workspace::from)
    }

    /// Like [`Recovery::restore`], even when documents changed since the snapshot: their spans
    /// are kept but hidden and read-only, as when a project is loaded over a changed corpus (see
    /// [`Workspace::problems`]).
    pub fn restore_despite_corpus_changes(&self) -> Result<Workspace, RecoveryError> {
        self.restored(false).map(Workspace::from)
    }
}

impl Workspace {
    /// A new, unsaved project over every `.txt` file below `corpus_root`.
    ///
    /// The files that cannot be read (a name that is not UTF-8, over the size limit, binary, a
    /// FIFO) are left out and reported in [`Workspace::problems`] as [`Problem::Skipped`].
    pub fn from_folder(corpus_root: &Path, annotator: &str) -> Result<Self, CorpusError> {
        let folder = corpus::read_folder(corpus_root)?;
        Ok(Self::from_documents(corpus_root, annotator, folder))
    }

    /// A new, unsaved project over documents read from `corpus_root`: a [`corpus::Folder`] (by
    /// [`corpus::read_folder_with`] on another thread, say), whose skipped files become
    /// problems, or just the documents.
    pub fn from_documents(
        corpus_root: &Path,
        annotator: &str,
        documents: impl Into<corpus::Folder>,
    ) -> Self {
        let corpus::Folder { documents, skipped } = documents.into();
        let problems = documents
            .iter()
            .filter_map(|d| {
                d.decoded_from.map(|encoding| Problem::Decoded {
                    path: d.path.clone(),
                    encoding,
                })
            })
            .chain(skipped.into_iter().map(|s| Problem::Skipped {
                path: s.path,
                reason: s.reason,
            }))
            .collect();
        let project = Project::new(
            annotator.to_owned(),
            file::absolute(corpus_root),
            Schema::default(),
            documents,
        );
        Self {
            project,
            problems,
            ..Self::default()
        }
    }

    /// A new, unsaved workspace on `project` (a gold project made by merging, say).
    pub fn new_unsaved(project: Project) -> Self {
        Self {
            project,
            ..Self::default()
        }
    }

    /// Opens the project file at `path`. When loading changed the project (spans re-anchored on
    /// a changed text, see [`Problem::changes_project`]), it starts unsaved.
    ///
    /// Check for unsaved changes of a previous session with [`recovery::find`] first: the
    /// workspace's own snapshots would otherwise be refused (see [`Workspace::write_recovery`]).
    pub fn open(path: &Path) -> Result<Self, LoadError> {
        Self::open_confirming(path, |_| true)
    }

    /// [`Workspace::open`], asking `allow` before reading the texts when the project file's
    /// corpus folder lies outside the folder of the project file and that folder's parent (a
    /// project file from someone else may name `/etc`): `allow` gets the corpus folder's real
    /// path, after the project file is parsed and before any text is read, and only in that case.
    /// When it answers `false`, the error is [`LoadError::CorpusOutside`] and nothing was read.
    /// See [`file::load_confirming`].
    pub fn open_confirming(
        path: &Path,
        allow: impl FnOnce(&Path) -> bool,
    ) -> Result<Self, LoadError> {
        // Stamped from the very bytes that were loaded: if the file changes later, the next save
        // sees a conflict rather than overwriting the change.
        let (project, problems, stamp) = file::load_confirming(path, allow)?;
        let disk = Some(stamp);
        let changed = problems.iter().any(Problem::changes_project);
        Ok(Self {
            project,
            path: Some(file::absolute(path)),
            saved_revision: (!changed).then_some(0),
            problems,
            disk,
            ..Self::default()
        })
    }

    /// The project.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// Where the project is saved, if it has been.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// What loading found.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// True when there are changes that are not saved.
    pub fn is_dirty(&self) -> bool {
        self.saved_revision != Some(self.history.revision())
    }

    /// Applies an edit as one undo step.
    pub fn apply(&mut self, edit: Edit) -> Result<(), EditError> {
        self.history.apply(&mut self.project, edit)
    }

    /// Applies an edit that merges with the previous one when they share `key` (see
    /// [`History::apply_merging`]).
    pub fn apply_merging(&mut self, edit: Edit, key: MergeKey) -> Result<(), EditError> {
        self.history
            .apply_merging(&mut self.project, edit, Some(key))
    }

    /// Undoes the last step; false when there was none.
    pub fn undo(&mut self) -> Result<bool, EditError> {
        self.history.undo(&mut self.project)
    }

    /// Redoes the last undone step; false when there was none.
    pub fn redo(&mut self) -> Result<bool, EditError> {
        self.history.redo(&mut self.project)
    }

    /// The undo history.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Ends a run of merging edits.
    pub fn seal_history(&mut self) {
        self.history.seal();
    }

    /// A fresh id for a new annotation or relation.
    pub fn allocate_id(&mut self) -> crate::model::Id {
        self.project.allocate_id()
    }

    /// Saves to the current path, keeping the previous file as `name.ron.bak`. Returns `Ok(false)`
    /// when the project has no path yet (use [`Workspace::save_as`]).
    ///
    /// Refuses with [`WorkspaceSaveError::Conflict`] when the file on disk is not what this
    /// workspace opened or last saved (changed, deleted, or created meanwhile): ask the user,
    /// then call [`Workspace::reload`], [`Workspace::save_overwriting`] or
    /// [`Workspace::save_as`]. The check compares SHA-256 hashes of the whole file, so a file
    /// merely touched is not a conflict.
    pub fn save(&mut self) -> Result<bool, WorkspaceSaveError> {
        let Some(path) = self.path.clone() else {
            return Ok(false);
        };
        if let Some(change) = self.disk_change_at(&path)? {
            return Err(SaveConflict { path, change }.into());
        }
        self.write(&path)?;
        Ok(true)
    }

    /// Saves to the current path whatever the file on disk holds (the user chose to overwrite
    /// another program's change). The replaced file is kept as the backup. Returns `Ok(false)`
    /// when the project has no path yet.
    pub fn save_overwriting(&mut self) -> Result<bool, SaveError> {
        let Some(path) = self.path.clone() else {
            return Ok(false);
        };
        self.write(&path)?;
        Ok(true)
    }

    /// Saves to `path`, which becomes the project's path. The corpus folder is written relative to
    /// the new location. An existing file at `path` is replaced (the user chose it; it is kept as
    /// the backup).
    pub fn save_as(&mut self, path: &Path) -> Result<(), SaveError> {
        self.write(path)?;
        self.path = Some(file::absolute(path));
        Ok(())
    }

    /// Re-opens the project file from disk, discarding the changes made here and their undo
    /// history (ask the user first) and the recovery file. Returns `Ok(false)` when the project
    /// has no path. On error the workspace is unchanged.
    pub fn reload(&mut self) -> Result<bool, LoadError> {
        let Some(path) = self.path.clone() else {
            return Ok(false);
        };
        let reopened = Self::open(&path)?;
        self.remove_recovery_file();
        *self = reopened;
        Ok(true)
    }

    /// Whether the project file changed on disk since it was opened or last saved: cheap enough
    /// to call whenever the window gains focus (a metadata check; the file is hashed only when
    /// its size or modification time changed). False for a project without a path.
    pub fn changed_on_disk(&self) -> bool {
        let Some(path) = &self.path else {
            return false;
        };
        match (&self.disk, std::fs::metadata(path)) {
            (Some(stamp), Ok(metadata)) if stamp.same_metadata(&metadata) => false,
            _ => !matches!(self.disk_change_at(path), Ok(None)),
        }
    }

    /// How the project file on disk differs from what was opened or last saved (reads and hashes
    /// the whole file); `Ok(None)` when it is the same, or the project has no path.
    pub fn disk_change(&self) -> Result<Option<DiskChange>, SaveError> {
        match &self.path {
            Some(path) => self.disk_change_at(path),
            None => Ok(None),
        }
    }

    fn disk_change_at(&self, path: &Path) -> Result<Option<DiskChange>, SaveError> {
        let now = FileStamp::read(path).map_err(|source| SaveError {
            path: path.to_owned(),
            source,
        })?;
        Ok(match (&self.disk, now) {
            (None, None) => None,
            (Some(_), None) => Some(DiskChange::Deleted),
            (None, Some(_)) => Some(DiskChange::Created),
            (Some(was), Some(now)) => (was.sha256 != now.sha256).then_some(DiskChange::Modified),
        })
    }

    /// Writes the project to `path` with a backup, then records it as saved.
    fn write(&mut self, path: &Path) -> Result<(), SaveError> {
        let stamp = file::save_stamped(&self.project, path)?;
        self.disk = Some(stamp);
        self.history.seal();
        self.saved_revision = Some(self.history.revision());
        // Saved: the snapshot is no longer needed. Failing to delete it loses nothing; a later
        // start then offers a snapshot equal to the saved file.
        self.remove_recovery_file();
        Ok(())
    }

    /// Writes a recovery snapshot of the unsaved changes, when there are some that the last
    /// snapshot lacks; cheap otherwise, so call it every few seconds (from a timer). A project
    /// with a path is snapshotted beside it ([`recovery::path_for`]); an untitled one in
    /// `untitled_dir` (usually [`recovery::default_dir`]). Returns the recovery file when one was
    /// written. When the project is no longer dirty (undone back to the saved state), the
    /// snapshot is deleted.
    ///
    /// Refuses ([`RecoveryError::Pending`]) to replace a recovery file that this workspace did
    /// not write: the unsaved changes of a previous session (or another window) that the user has
    /// not restored or discarded yet.
    pub fn write_recovery(
        &mut self,
        untitled_dir: &Path,
    ) -> Result<Option<PathBuf>, RecoveryError> {
        self.snapshot_recovery(untitled_dir, false)
    }

    /// [`Workspace::write_recovery`], with the file written on another thread: the snapshot is
    /// taken here (tens of milliseconds for 100,000 spans), the disk (as long again, or more on
    /// a slow disk) is not waited for, so that the window does not stutter every few seconds
    /// while someone works on a large project. An error writing it is returned by the next call,
    /// or by [`Workspace::wait_for_recovery_write`]. Saving, reloading or closing waits for the
    /// write first, so a snapshot never reappears after the project was saved.
    pub fn write_recovery_in_background(
        &mut self,
        untitled_dir: &Path,
    ) -> Result<Option<PathBuf>, RecoveryError> {
        self.snapshot_recovery(untitled_dir, true)
    }

    fn snapshot_recovery(
        &mut self,
        untitled_dir: &Path,
        in_background: bool,
    ) -> Result<Option<PathBuf>, RecoveryError> {
        self.wait_for_recovery_write()?;
        let Some((target, revision)) = self.recovery_target(untitled_dir)? else {
            return Ok(None);
        };
        let text = recovery::snapshot(
            &target,
            &self.project,
            self.path.as_deref(),
            self.disk.as_ref(),
        )?;
        let file = target.clone();
        let write = move || -> Result<(), RecoveryError> {
            file::write_atomic(&file, text.as_bytes())?;
            Ok(())
        };
        if in_background {
            match std::thread::Builder::new()
                .name("recovery snapshot".to_owned())
                .spawn(write)
            {
                Ok(handle) => self.recovery_writer.0 = Some(handle),
                // No thread to be had: write it here.
                Err(_) => recovery::write(
                    &target,
                    &self.project,
                    self.path.as_deref(),
                    self.disk.as_ref(),
                )?,
            }
        } else {
            write()?;
        }
        self.recovery_file = Some(target.clone());
        self.recovery_revision = Some(revision);
        Ok(Some(target))
    }

    /// Waits for a snapshot being written on another thread, and returns how that went. After an
    /// error the next call of [`Workspace::write_recovery_in_background`] writes it again.
    pub fn wait_for_recovery_write(&mut self) -> Result<(), RecoveryError> {
        let Some(writer) = self.recovery_writer.0.take() else {
            return Ok(());
        };
        let result = writer.join().unwrap_or_else(|_| {
            Err(RecoveryError::Write(SaveError {
                path: self.recovery_file.clone().unwrap_or_default(),
                source: std::io::Error::other("the thread writing it stopped"),
            }))
        });
        if result.is_err() {
            self.recovery_revision = None;
        }
        result
    }

    /// Where the next snapshot goes and the revision it holds, or `None` when there is nothing
    /// to snapshot (deleting a snapshot that is no longer needed).
    fn recovery_target(
        &mut self,
        untitled_dir: &Path,
    ) -> Result<Option<(PathBuf, u64)>, RecoveryError> {
        if !self.is_dirty() {
            self.remove_recovery_file();
            return Ok(None);
        }
        let revision = self.history.revision();
        if self.discarded_revision == Some(revision) {
            return Ok(None);
        }
        if self.recovery_file.is_some() && self.recovery_revision == Some(revision) {
            return Ok(None);
        }
        let target = match (&self.path, &self.recovery_file) {
            (Some(path), _) => recovery::path_for(path),
            (None, Some(file)) => file.clone(),
            (None, None) => recovery::new_untitled_path(untitled_dir)?,
        };
        if self.recovery_file.as_deref() != Some(target.as_path()) {
            if target.exists() {
                return Err(RecoveryError::Pending { path: target });
            }
            // Saved as another file meanwhile: the old snapshot is replaced by the new one.
            self.remove_recovery_file();
        }
        Ok(Some((target, revision)))
    }

    /// The recovery file this workspace wrote or was restored from, if any.
    pub fn recovery_file(&self) -> Option<&Path> {
        self.recovery_file.as_deref()
    }

    /// Deletes this workspace's recovery file: call it when the workspace is closed cleanly
    /// (saved, or the user chose to discard the changes). Saving deletes it already.
    pub fn remove_recovery(&mut self) -> Result<(), RecoveryError> {
        // A snapshot still being written would otherwise appear after its deletion.
        let _ = self.wait_for_recovery_write();
        if let Some(file) = self.recovery_file.take() {
            self.recovery_revision = None;
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(RecoveryError::Io { path: file, source }),
            }
        }
        Ok(())
    }

    /// The user chose to drop the unsaved changes (quitting, or opening another project, without
    /// saving): deletes the recovery snapshot, and never snapshots these changes again, however
    /// long the window stays open afterwards. A later edit is snapshotted as usual.
    pub fn discard_changes(&mut self) -> Result<(), RecoveryError> {
        self.discarded_revision = Some(self.history.revision());
        self.remove_recovery()
    }

    fn remove_recovery_file(&mut self) {
        let _ = self.remove_recovery();
    }

    /// The file name to show in a title bar: the project's file name, or "Untitled".
    pub fn display_name(&self) -> String {
        self.path.as_deref().and_then(Path::file_name).map_or_else(
            || "Untitled".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    }
}

/// The user's login name, as a default annotator name (`"annotator"` when there is none).
pub fn default_annotator() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|n| !n.trim().is_empty()))
        .unwrap_or_else(|| "annotator".to_owned())
}

/// The annotator name the user chose, or when they chose none (an empty name), the
/// [`default_annotator`].
pub fn annotator_or_default(chosen: &str) -> String {
    if chosen.is_empty() {
        default_annotator()
    } else {
        chosen.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_the_chosen_annotator_wins_and_the_default_is_never_empty() {
        assert_eq!(annotator_or_default("alice"), "alice");
        assert_eq!(annotator_or_default(" bob "), " bob ");
        assert!(!default_annotator().trim().is_empty());
        assert_eq!(annotator_or_default(""), default_annotator());
    }

    #[test]
    fn g_discarded_changes_are_never_snapshotted_again() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir(&corpus).unwrap();
        std::fs::write(corpus.join("a.txt"), "Le Kremlin a démenti.").unwrap();
        let mut ws = Workspace::from_folder(&corpus, "alice").unwrap();
        let path = dir.path().join("p.ron");
        ws.save_as(&path).unwrap();
        let add = |ws: &mut Workspace, start: usize| {
            let annotation = Annotation {
                id: ws.allocate_id(),
                label: "source".into(),
                fragments: vec![ByteRange::new(start, start + 3)],
                annotator: "alice".into(),
                note: String::new(),
                created: Timestamp::now(),
                attributes: std::collections::BTreeMap::default(),
                suggested: None,
                provenance: None,
            };
            ws.apply(Edit::AddAnnotation { doc: 0, annotation })
                .unwrap();
        };
        add(&mut ws, 0);
        let snapshot = ws.write_recovery(dir.path()).unwrap().unwrap();
        assert!(snapshot.exists());
        ws.discard_changes().unwrap();
        assert!(!snapshot.exists(), "discarding deletes the snapshot");
        // The window lives on for a few frames: the timer finds the same unsaved changes.
        assert_eq!(ws.write_recovery(dir.path()).unwrap(), None);
        assert_eq!(ws.write_recovery_in_background(dir.path()).unwrap(), None);
        ws.wait_for_recovery_write().unwrap();
        assert!(
            !snapshot.exists(),
            "discarded changes are never written again"
        );
        // Work that goes on after the discard is new work: it is snapshotted.
        add(&mut ws, 4);
        assert_eq!(
            ws.write_recovery(dir.path()).unwrap(),
            Some(snapshot.clone())
        );
        assert!(snapshot.exists());
    }
    use crate::model::{Annotation, Timestamp};
    use crate::text::ByteRange;

    #[test]
    fn dirty_follows_edits_undo_and_saves() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir(&corpus).unwrap();
        std::fs::write(corpus.join("a.txt"), "Le Kremlin a démenti.").unwrap();
        let mut ws = Workspace::from_folder(&corpus, "alice").unwrap();
        assert!(ws.is_dirty(), "a new project is unsaved");
        assert!(!ws.save().unwrap());
        let path = dir.path().join("projects/p.ron");
        std::fs::create_dir(dir.path().join("projects")).unwrap();
        ws.save_as(&path).unwrap();
        assert!(!ws.is_dirty());
        let id = ws.allocate_id();
        let annotation = Annotation {
            id,
            label: "source".into(),
            fragments: vec![ByteRange::new(0, 10)],
            annotator: "alice".into(),
            note: String::new(),
            created: Timestamp::now(),
            attributes: std::collections::BTreeMap::default(),
            suggested: None,
            provenance: None,
        };
        ws.apply(Edit::AddAnnotation { doc: 0, annotation })
            .unwrap();
        assert!(ws.is_dirty());
        ws.undo().unwrap();
        assert!(!ws.is_dirty(), "undo back to the saved state is clean");
        ws.redo().unwrap();
        assert!(ws.save().unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("corpus: \"../corpus\""), "{text}");
        let reopened = Workspace::open(&path).unwrap();
        assert_eq!(
            reopened.project().documents[0].annotations,
            ws.project().documents[0].annotations
        );
        assert!(!reopened.is_dirty());
        assert!(reopened.problems().is_empty());
    }
}
