//! Outputs written whole or not at all, and never over their own inputs.
//!
//! An [`AtomicFile`] is written under a temporary name beside its target (`.NAME.tmp-PID-N`),
//! flushed to disk and renamed over the target: a crash, a kill or a full disk at any moment
//! leaves the old file or the new one, whole. A symbolic link at the target is replaced, never
//! written through. An [`AtomicFolder`] is written as a new temporary folder beside its target,
//! flushed, and swapped with the target only once complete (on Linux in one step,
//! `RENAME_EXCHANGE`); the previous folder is then deleted (its files that the new folder holds
//! unchanged are hard-linked into it rather than written again, so that deleting them frees
//! nothing). It only ever replaces an empty folder or one its caller recognises as a previous
//! output of the same kind: never a folder of other files, never a link to a folder. Temporaries left by a killed run are hidden, never take the
//! target's name, and are deleted by a later run once stale ([`super::remove_stale_temporaries`]).
//!
//! [`refuse_inputs`] checks, before anything is written, that an output is none of its inputs
//! (by identity of the file, so that a link or a hard link counts) and, for folders, that it
//! holds none.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Why an output was refused or could not be written. Nothing was replaced.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Writing failed: a full disk, a missing permission…
    #[error("cannot write {path}")]
    Write {
        /// The output (the target, not its temporary name).
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file output names a folder.
    #[error("{} is a folder: give the name of a file to write", path.display())]
    IsAFolder {
        /// The output.
        path: PathBuf,
    },
    /// A folder output names something that is not a folder.
    #[error("{} is a file, not a folder: give the name of a folder to write", path.display())]
    NotAFolder {
        /// The output.
        path: PathBuf,
    },
    /// A folder output is a symbolic link: refused, the link and where it leads are untouched.
    #[error(
        "{} is a symbolic link to {}: it was left as it is (give {} itself, or remove the link)",
        path.display(),
        target.display(),
        target.display()
    )]
    LinkedFolder {
        /// The output.
        path: PathBuf,
        /// Where the link leads.
        target: PathBuf,
    },
    /// A folder output holds files that are not a previous output of the same kind: replacing it
    /// whole would delete them.
    #[error(
        "{} is not a {kind} export and not empty ({found}): it was left as it is, since an \
         export replaces its folder whole (give a new or empty folder)",
        path.display()
    )]
    NotAnExport {
        /// The output.
        path: PathBuf,
        /// What the folder would have to be.
        kind: &'static str,
        /// What shows it is not one: "it holds notes.md".
        found: String,
    },
    /// The output is one of the inputs.
    #[error("{} is {what}: writing there would replace it", path.display())]
    IsInput {
        /// The output.
        path: PathBuf,
        /// Which input, in words.
        what: &'static str,
    },
    /// The output is inside an input folder.
    #[error("{} is inside {}, {what}: an output never goes into an input", path.display(), input.display())]
    InsideInput {
        /// The output.
        path: PathBuf,
        /// The input folder.
        input: PathBuf,
        /// Which input, in words.
        what: &'static str,
    },
    /// The output folder holds an input.
    #[error("{} holds {}, {what}: give a folder that holds no input", path.display(), input.display())]
    HoldsInput {
        /// The output folder.
        path: PathBuf,
        /// The input it holds.
        input: PathBuf,
        /// Which input, in words.
        what: &'static str,
    },
}

impl OutputError {
    fn write(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Write {
            path: path.to_owned(),
            source,
        }
    }
}

/// Something a command reads, which its outputs must never replace.
#[derive(Clone, Debug)]
pub struct Input {
    /// The file or folder.
    pub path: PathBuf,
    /// True for a folder read whole (a brat import): nothing may be written inside it.
    pub folder: bool,
    /// What it is, in words: "the project being exported".
    pub what: &'static str,
}

impl Input {
    /// An input file.
    pub fn file(path: impl Into<PathBuf>, what: &'static str) -> Self {
        Self {
            path: path.into(),
            folder: false,
            what,
        }
    }

    /// An input folder, read whole.
    pub fn folder(path: impl Into<PathBuf>, what: &'static str) -> Self {
        Self {
            path: path.into(),
            folder: true,
            what,
        }
    }
}

/// What identifies a file whatever the name it is reached by (a link, a hard link).
fn file_id(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().as_ref().and_then(id_of)
}

/// The real path of `path`: links resolved as far as it exists, the rest appended as written.
pub fn real_path(path: &Path) -> PathBuf {
    let path = super::absolute(path);
    path.ancestors()
        .find_map(|ancestor| {
            let real = ancestor.canonicalize().ok()?;
            Some(real.join(path.strip_prefix(ancestor).ok()?))
        })
        .unwrap_or(path)
}

/// Refuses an output (a file, or a folder that will be replaced whole or written into, as
/// `folder` says) that is one of `inputs`, lies inside an input folder, or, for a folder, holds an
/// input. Files are compared by identity (device and inode, so that a symbolic or hard link to an
/// input is refused) and by real path (for what does not exist yet). Nothing is written.
///
/// For the thousands of texts of a corpus this costs a `lstat` each when the output exists (and
/// nothing more, unless the text is a link): real paths are worked out a folder at a time.
pub fn refuse_inputs(output: &Path, folder: bool, inputs: &[Input]) -> Result<(), OutputError> {
    let exists = std::fs::symlink_metadata(output).is_ok();
    let id = if exists { file_id(output) } else { None };
    let real = real_path(output);
    let mut folders = RealFolders::default();
    for input in inputs {
        // What does not exist cannot be an input that exists, nor hold one: only its path counts.
        let metadata = if exists || input.folder {
            std::fs::symlink_metadata(&input.path).ok()
        } else {
            None
        };
        let linked = metadata.as_ref().is_some_and(std::fs::Metadata::is_symlink);
        let input_real = if linked {
            real_path(&input.path)
        } else {
            folders.real(&input.path)
        };
        let same_file = id.is_some()
            && metadata.is_some()
            && if linked {
                file_id(&input.path) == id
            } else {
                metadata.as_ref().and_then(id_of) == id
            };
        if same_file || input_real == real {
            return Err(OutputError::IsInput {
                path: output.to_owned(),
                what: input.what,
            });
        }
        if input.folder && real.starts_with(&input_real) {
            return Err(OutputError::InsideInput {
                path: output.to_owned(),
                input: input.path.clone(),
                what: input.what,
            });
        }
        if folder && input_real.starts_with(&real) {
            return Err(OutputError::HoldsInput {
                path: output.to_owned(),
                input: input.path.clone(),
                what: input.what,
            });
        }
    }
    Ok(())
}

/// The identity of a file from its metadata.
#[cfg(unix)]
#[allow(
    clippy::unnecessary_wraps,
    reason = "the same signature as where files have no identity"
)]
fn id_of(metadata: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    Some((metadata.dev(), metadata.ino()))
}

/// Elsewhere, files are told apart by their real paths only.
#[cfg(not(unix))]
fn id_of(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// Real paths of files worked out from their folder's, each folder resolved once.
#[derive(Default)]
struct RealFolders(std::collections::BTreeMap<PathBuf, PathBuf>);

impl RealFolders {
    /// The real path of `path`, taken as not a link itself.
    fn real(&mut self, path: &Path) -> PathBuf {
        match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => self
                .0
                .entry(parent.to_owned())
                .or_insert_with(|| real_path(parent))
                .join(name),
            _ => real_path(path),
        }
    }
}

/// A file being written under a temporary name beside its target, renamed over it by
/// [`AtomicFile::commit`]. Dropped without a commit, the temporary file is deleted and the
/// target left as it was. Writes are buffered.
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    writer: BufWriter<File>,
    renamed: bool,
}

impl AtomicFile {
    /// Creates the temporary file for `target` in its folder, with the permissions of the file
    /// at `target` when there is one.
    pub fn create(target: &Path) -> std::io::Result<Self> {
        Self::with_capacity(target, 8 << 10)
    }

    /// [`AtomicFile::create`] with a write buffer of `capacity` bytes.
    fn with_capacity(target: &Path, capacity: usize) -> std::io::Result<Self> {
        let (dir, name) = super::split(target);
        let (temp, file) = super::create_temporary(dir, &name)?;
        let created = Self {
            target: target.to_owned(),
            temp,
            writer: BufWriter::with_capacity(capacity, file),
            renamed: false,
        };
        if let Ok(existing) = std::fs::metadata(target) {
            created
                .writer
                .get_ref()
                .set_permissions(existing.permissions())?;
        }
        Ok(created)
    }

    /// Like [`AtomicFile::create`] for an output of a command: refuses a folder at `target`,
    /// creates the folders on the way, and deletes the stale temporaries of earlier runs.
    pub fn create_output(target: &Path) -> Result<Self, OutputError> {
        if std::fs::metadata(target).is_ok_and(|m| m.is_dir()) {
            return Err(OutputError::IsAFolder {
                path: target.to_owned(),
            });
        }
        let (dir, _) = super::split(target);
        std::fs::create_dir_all(dir).map_err(OutputError::write(target))?;
        super::remove_stale_temporaries(target);
        // Exports write megabytes: a large buffer makes fewer system calls.
        Self::with_capacity(target, 1 << 20).map_err(OutputError::write(target))
    }

    /// The target: where the file will be once committed (to name it in messages).
    pub fn path(&self) -> &Path {
        &self.target
    }

    /// Flushes everything written to disk and returns the temporary file's metadata.
    pub(super) fn sync(&mut self) -> std::io::Result<std::fs::Metadata> {
        self.writer.flush()?;
        let file = self.writer.get_ref();
        file.sync_all()?;
        file.metadata()
    }

    /// Renames the (flushed) temporary file over the target and flushes the folder.
    pub(super) fn rename_into_place(mut self) -> std::io::Result<()> {
        std::fs::rename(&self.temp, &self.target)?;
        self.renamed = true;
        super::sync_dir(super::split(&self.target).0);
        Ok(())
    }

    /// Flushes the file to disk and renames it over the target: from then on the target is the
    /// new file, whole. A link at the target is replaced, not followed.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let target = self.target.clone();
        self.sync()
            .and_then(|_| self.rename_into_place())
            .map_err(OutputError::write(&target))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// A folder being written under a temporary name beside its target, put in the target's place
/// by [`AtomicFolder::commit`]. Dropped without a commit, the temporary folder is deleted and the
/// target left as it was.
#[derive(Debug)]
pub struct AtomicFolder {
    target: PathBuf,
    temp: PathBuf,
    /// The previous output at the target, whose unchanged files are linked rather than written.
    previous: Option<PathBuf>,
    done: bool,
}

impl AtomicFolder {
    /// Creates the temporary folder for `target`, after checking that `target` may be replaced:
    /// it does not exist, or is an empty folder, or a folder that `accept` accepts as an earlier
    /// output of this `kind` (`accept` says what shows it is not one). A link at `target` is refused, whatever it leads to. Deletes the
    /// stale temporaries of earlier runs.
    pub fn create(
        target: &Path,
        kind: &'static str,
        accept: impl FnOnce(&Path) -> Result<(), String>,
    ) -> Result<Self, OutputError> {
        let mut previous = None;
        match std::fs::symlink_metadata(target) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(OutputError::write(target)(error)),
            Ok(metadata) if metadata.is_symlink() => {
                return Err(OutputError::LinkedFolder {
                    path: target.to_owned(),
                    target: std::fs::read_link(target).unwrap_or_default(),
                });
            }
            Ok(metadata) if !metadata.is_dir() => {
                return Err(OutputError::NotAFolder {
                    path: target.to_owned(),
                });
            }
            Ok(_) => {
                let mut entries = std::fs::read_dir(target).map_err(OutputError::write(target))?;
                if entries.next().is_some() {
                    accept(target).map_err(|found| OutputError::NotAnExport {
                        path: target.to_owned(),
                        kind,
                        found,
                    })?;
                    previous = Some(target.to_owned());
                }
            }
        }
        let (dir, name) = super::split(target);
        std::fs::create_dir_all(dir).map_err(OutputError::write(target))?;
        super::remove_stale_temporaries(target);
        let (temp, ()) = super::create_unique(dir, &name, |path| std::fs::create_dir(path))
            .map_err(OutputError::write(target))?;
        Ok(Self {
            target: target.to_owned(),
            temp,
            previous,
            done: false,
        })
    }

    /// The temporary folder, to write the output into.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Writes the file `relative` (its folder must exist) with `contents`. When the previous
    /// output holds the same bytes there, in a plain file of its own (no link, no other name),
    /// that file is linked instead: nothing is written, and deleting the previous output later
    /// frees nothing (which on some disks costs a millisecond a file).
    pub fn write(&self, relative: &Path, contents: &[u8]) -> std::io::Result<()> {
        let path = self.temp.join(relative);
        if let Some(previous) = &self.previous {
            let old = previous.join(relative);
            if same_contents(&old, contents) && std::fs::hard_link(&old, &path).is_ok() {
                return Ok(());
            }
        }
        std::fs::write(path, contents)
    }

    /// The target: where the folder will be once committed.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes the folder's files to disk, then puts it in the target's place: at every moment
    /// the target is the previous folder or the new one, whole (where the system cannot swap two
    /// folders in one step, the target is missing between two renames). The previous folder is
    /// deleted.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let target = self.target.clone();
        sync_tree(&self.temp).map_err(OutputError::write(&target))?;
        let replaced = match std::fs::rename(&self.temp, &target) {
            // No folder there, or an empty one.
            Ok(()) => None,
            Err(_) if target.is_dir() => {
                Some(swap(&self.temp, &target).map_err(OutputError::write(&target))?)
            }
            Err(error) => return Err(OutputError::write(&target)(error)),
        };
        self.done = true;
        super::sync_dir(super::split(&target).0);
        if let Some(old) = replaced {
            let _ = std::fs::remove_dir_all(old);
        }
        Ok(())
    }
}

impl Drop for AtomicFolder {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.temp);
        }
    }
}

/// True when `old` is a plain file, with no other name, holding `contents`.
fn same_contents(old: &Path, contents: &[u8]) -> bool {
    let Ok(metadata) = std::fs::symlink_metadata(old) else {
        return false;
    };
    #[cfg(unix)]
    let alone = {
        use std::os::unix::fs::MetadataExt as _;
        metadata.nlink() == 1
    };
    #[cfg(not(unix))]
    let alone = true;
    metadata.is_file()
        && alone
        && metadata.len() == contents.len() as u64
        && std::fs::read(old).is_ok_and(|bytes| bytes == contents)
}

/// Puts the folder `new` in the place of the folder `target`; returns where the previous one is
/// now (to delete). One atomic exchange where the system has it; else two renames, the previous
/// folder put back when the second fails.
fn swap(new: &Path, target: &Path) -> std::io::Result<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, new, CWD, target, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(new.to_owned()),
            // Not supported by this file system or kernel: rename twice.
            Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {}
            Err(error) => return Err(error.into()),
        }
    }
    swap_by_renames(new, target)
}

/// [`swap`] where folders cannot be exchanged in one step: the previous folder is renamed aside
/// (to a temporary name), then the new one into its place; the target is missing in between.
fn swap_by_renames(new: &Path, target: &Path) -> std::io::Result<PathBuf> {
    let (dir, name) = super::split(target);
    // An empty folder reserves the name; the rename replaces it.
    let (aside, ()) = super::create_unique(dir, &name, |path| std::fs::create_dir(path))?;
    if let Err(error) = std::fs::rename(target, &aside) {
        let _ = std::fs::remove_dir(&aside);
        return Err(error);
    }
    if let Err(error) = std::fs::rename(new, target) {
        let _ = std::fs::rename(&aside, target);
        return Err(error);
    }
    Ok(aside)
}

/// Flushes every file and folder below `dir` to disk. On Linux one `syncfs` of its file system
/// (a brat export of thousands of files would otherwise wait for thousands of flushes, each a
/// few milliseconds on a disk); elsewhere, each file and folder in turn.
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let folder = File::open(dir)?;
        rustix::fs::syncfs(&folder)?;
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let mut stack = vec![dir.to_owned()];
        while let Some(folder) = stack.pop() {
            for entry in std::fs::read_dir(&folder)? {
                let entry = entry?;
                let kind = entry.file_type()?;
                if kind.is_dir() {
                    stack.push(entry.path());
                } else if kind.is_file() {
                    File::open(entry.path())?.sync_all()?;
                }
            }
            super::sync_dir(&folder);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_atomic_file_is_the_old_file_until_committed_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        std::fs::write(&target, "old").unwrap();
        let mut file = AtomicFile::create_output(&target).unwrap();
        file.write_all(b"new, half of it").unwrap();
        assert_eq!(file.path(), target);
        drop(file);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(names(dir.path()), ["out.jsonl"]);
        let mut file = AtomicFile::create_output(&target).unwrap();
        file.write_all(b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        file.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(names(dir.path()), ["out.jsonl"]);
        // Folders on the way are created; a folder is not a file.
        let deep = dir.path().join("a/b/out.csv");
        AtomicFile::create_output(&deep).unwrap().commit().unwrap();
        assert!(deep.is_file());
        assert!(matches!(
            AtomicFile::create_output(dir.path()),
            Err(OutputError::IsAFolder { .. })
        ));
    }

    /// A folder output whose previous version is accepted when it holds only `.txt` files.
    fn create(target: &Path) -> Result<AtomicFolder, OutputError> {
        AtomicFolder::create(target, "test", |dir| {
            let foreign = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .find(|n| Path::new(n).extension().is_none_or(|e| e != "txt"));
            foreign.map_or(Ok(()), |n| Err(format!("it holds {n}")))
        })
    }

    #[test]
    fn an_atomic_folder_replaces_the_previous_one_whole_once_complete() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        // No folder yet, then an empty one, then a previous output.
        for _ in 0..2 {
            let folder = create(&target).unwrap();
            std::fs::write(folder.path().join("a.txt"), "one").unwrap();
            assert!(!target.join("a.txt").exists());
            folder.commit().unwrap();
            assert_eq!(names(&target), ["a.txt"]);
            std::fs::remove_file(target.join("a.txt")).unwrap();
        }
        std::fs::write(target.join("a.txt"), "one").unwrap();
        let folder = create(&target).unwrap();
        std::fs::write(folder.path().join("b.txt"), "two").unwrap();
        drop(folder);
        assert_eq!(
            names(&target),
            ["a.txt"],
            "an unfinished folder changes nothing"
        );
        assert_eq!(names(dir.path()), ["out"], "and leaves nothing");
        let folder = create(&target).unwrap();
        assert_eq!(folder.target(), target);
        std::fs::write(folder.path().join("b.txt"), "two").unwrap();
        folder.commit().unwrap();
        assert_eq!(names(&target), ["b.txt"], "the previous files are gone");
        assert_eq!(names(dir.path()), ["out"]);
    }

    #[cfg(unix)]
    #[test]
    fn unchanged_files_of_the_previous_folder_are_linked_not_written() {
        use std::os::unix::fs::MetadataExt as _;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        std::fs::create_dir(&target).unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "same").unwrap();
        for (name, contents) in [("same.txt", "same"), ("changed.txt", "old")] {
            std::fs::write(target.join(name), contents).unwrap();
        }
        std::os::unix::fs::symlink(&victim, target.join("link.txt")).unwrap();
        std::fs::hard_link(&victim, target.join("hard.txt")).unwrap();
        let inode = |path: &Path| std::fs::symlink_metadata(path).unwrap().ino();
        let same = inode(&target.join("same.txt"));
        let folder = create(&target).unwrap();
        for name in ["same.txt", "changed.txt", "link.txt", "hard.txt"] {
            let contents = if name == "changed.txt" { "new" } else { "same" };
            folder.write(Path::new(name), contents.as_bytes()).unwrap();
        }
        folder.commit().unwrap();
        assert_eq!(inode(&target.join("same.txt")), same, "linked");
        assert_eq!(
            std::fs::read_to_string(target.join("changed.txt")).unwrap(),
            "new"
        );
        // Never a link, nor a file with another name elsewhere.
        for name in ["link.txt", "hard.txt"] {
            let metadata = std::fs::symlink_metadata(target.join(name)).unwrap();
            assert!(metadata.is_file() && metadata.nlink() == 1, "{name}");
            assert_ne!(metadata.ino(), inode(&victim), "{name}");
        }
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "same");
        assert_eq!(std::fs::metadata(&victim).unwrap().nlink(), 1);
    }

    #[test]
    fn folders_are_swapped_by_two_renames_where_they_cannot_be_exchanged() {
        let dir = tempfile::tempdir().unwrap();
        let (new, target) = (dir.path().join("new"), dir.path().join("out"));
        for (folder, file) in [(&new, "b.txt"), (&target, "a.txt")] {
            std::fs::create_dir(folder).unwrap();
            std::fs::write(folder.join(file), "x").unwrap();
        }
        let old = swap_by_renames(&new, &target).unwrap();
        assert_eq!(names(&target), ["b.txt"]);
        assert_eq!(names(&old), ["a.txt"]);
        assert!(!new.exists());
        // When the new folder is missing, the previous one is put back.
        assert!(swap_by_renames(&new, &target).is_err());
        assert_eq!(names(&target), ["b.txt"]);
        assert_eq!(names(dir.path()).len(), 2, "{:?}", names(dir.path()));
    }

    #[test]
    fn links_files_and_foreign_folders_are_never_replaced_by_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(matches!(create(&file), Err(OutputError::NotAFolder { .. })));
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
            let error = create(&link).unwrap_err();
            assert!(
                error
                    .to_string()
                    .contains(&format!("is a symbolic link to {}", elsewhere.display())),
                "{error}"
            );
        }
        std::fs::write(elsewhere.join("notes.md"), "mine").unwrap();
        let error = create(&elsewhere).unwrap_err();
        assert!(
            error.to_string().contains("is not a test export")
                && error.to_string().contains("it holds notes.md"),
            "{error}"
        );
        assert_eq!(names(&elsewhere), ["notes.md"]);
    }

    #[test]
    fn stale_temporary_folders_are_deleted_and_fresh_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        let stale = dir.path().join(".out.tmp-999999-0");
        let fresh = dir.path().join(".out.tmp-999998-0");
        for folder in [&stale, &fresh] {
            std::fs::create_dir_all(folder.join("sub")).unwrap();
            std::fs::write(folder.join("sub/a.txt"), "half").unwrap();
        }
        let old = std::time::SystemTime::now() - std::time::Duration::from_hours(1);
        File::open(&stale).unwrap().set_modified(old).unwrap();
        create(&target).unwrap().commit().unwrap();
        assert!(!stale.exists());
        assert!(fresh.exists());
    }

    #[test]
    fn outputs_that_are_inputs_or_hold_them_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in/p.ron");
        std::fs::create_dir(dir.path().join("in")).unwrap();
        std::fs::write(&input, "x").unwrap();
        let inputs = [Input::file(&input, "the project")];
        let refuse = |output: &Path, folder: bool| refuse_inputs(output, folder, &inputs);
        assert!(matches!(
            refuse(&input, false),
            Err(OutputError::IsInput { .. })
        ));
        let roundabout = dir.path().join("in/../in/./p.ron");
        assert!(matches!(
            refuse(&roundabout, false),
            Err(OutputError::IsInput { .. })
        ));
        #[cfg(unix)]
        {
            let link = dir.path().join("link.ron");
            std::os::unix::fs::symlink(&input, &link).unwrap();
            assert!(matches!(
                refuse(&link, false),
                Err(OutputError::IsInput { .. })
            ));
            let hard = dir.path().join("hard.ron");
            std::fs::hard_link(&input, &hard).unwrap();
            assert!(matches!(
                refuse(&hard, false),
                Err(OutputError::IsInput { .. })
            ));
            let linked_folder = dir.path().join("linked");
            std::os::unix::fs::symlink(dir.path().join("in"), &linked_folder).unwrap();
            assert!(matches!(
                refuse(&linked_folder.join("p.ron"), false),
                Err(OutputError::IsInput { .. })
            ));
        }
        assert!(matches!(
            refuse(&dir.path().join("in"), true),
            Err(OutputError::HoldsInput { .. })
        ));
        assert!(matches!(
            refuse(dir.path(), true),
            Err(OutputError::HoldsInput { .. })
        ));
        assert!(
            refuse(&dir.path().join("in"), false).is_ok(),
            "a file output there fails later"
        );
        assert!(refuse(&dir.path().join("in/other.jsonl"), false).is_ok());
        assert!(refuse(&dir.path().join("new/out"), true).is_ok());
        // Nothing may go inside an input folder.
        let folder_input = [Input::folder(dir.path().join("in"), "the folder")];
        let inside = refuse_inputs(&dir.path().join("in/new/p.ron"), false, &folder_input);
        assert!(
            matches!(inside, Err(OutputError::InsideInput { .. })),
            "{inside:?}"
        );
        // A missing input is its path.
        let missing = [Input::file(dir.path().join("gone/a.txt"), "a text")];
        let error = refuse_inputs(&dir.path().join("gone/a.txt"), false, &missing).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{} is a text: writing there would replace it",
                dir.path().join("gone/a.txt").display()
            )
        );
    }
}
