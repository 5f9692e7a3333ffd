//! Outputs written whole or not at all, and never over their own inputs.
//!
//! An [`AtomicFile`] is written under a temporary name beside its target (`.NAME.tmp-PID-N`),
//! flushed to disk and renamed over the target: a crash, a kill or a full disk at any moment
//! leaves the old file or the new one, whole. A symbolic link at the target is replaced, never
//! written through. An [`AtomicFolder`] is written as a new temporary folder beside its target,
//! flushed, and swapped with the target only once complete (on Linux in one step,
//! `RENAME_EXCHANGE`); the previous folder is then deleted. It only ever replaces an empty folder
//! or one its caller recognises as a previous output of the same kind: never a folder of other
//! files, never a link to a folder. Temporaries left by a killed run are hidden, never take the
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
#[cfg(unix)]
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Elsewhere, files are told apart by their real paths only.
#[cfg(not(unix))]
fn file_id(_: &Path) -> Option<(u64, u64)> {
    None
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
pub fn refuse_inputs(output: &Path, folder: bool, inputs: &[Input]) -> Result<(), OutputError> {
    let id = file_id(output);
    let real = real_path(output);
    for input in inputs {
        let input_real = real_path(&input.path);
        let same = input_real == real || (id.is_some() && id == file_id(&input.path));
        if same {
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
    done: bool,
}

impl AtomicFolder {
    /// Creates the temporary folder for `target`, after checking that `target` may be replaced:
    /// it does not exist, or is an empty folder, or a folder that `previous` accepts as an
    /// earlier output of this `kind` (`previous` says what shows it is not one). A link at `target` is refused, whatever it leads to. Deletes the
    /// stale temporaries of earlier runs.
    pub fn create(
        target: &Path,
        kind: &'static str,
        previous: impl FnOnce(&Path) -> Result<(), String>,
    ) -> Result<Self, OutputError> {
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
                    previous(target).map_err(|found| OutputError::NotAnExport {
                        path: target.to_owned(),
                        kind,
                        found,
                    })?;
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
            done: false,
        })
    }

    /// The temporary folder, to write the output into.
    pub fn path(&self) -> &Path {
        &self.temp
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
    let (dir, name) = super::split(target);
    let (aside, ()) = super::create_unique(dir, &name, |path| std::fs::create_dir(path))?;
    std::fs::rename(target, &aside)?;
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
