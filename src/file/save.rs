//! Saving: atomic writes beside the target, backups, stamps of what is on disk, leftovers.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::corpus::{self, CorpusError};
use crate::model::Project;

use super::errors::SaveError;
use super::format::to_ron;
use super::{AtomicFile, WriteMode, absolute, write_files};

/// What a project file held when it was last read or written: lets a workspace notice that
/// another program (a `git pull`, another window) changed the file since.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStamp {
    /// SHA-256 of the file's bytes, in hexadecimal.
    pub sha256: String,
    /// The file's length in bytes.
    pub len: u64,
    /// The file's modification time, when known.
    pub modified: Option<SystemTime>,
}

impl FileStamp {
    /// The stamp of `bytes`, with the length and modification time of `metadata`.
    pub fn new(bytes: &[u8], metadata: Option<&std::fs::Metadata>) -> Self {
        Self {
            sha256: corpus::sha256_hex(bytes),
            len: bytes.len() as u64,
            modified: metadata.and_then(|m| m.modified().ok()),
        }
    }

    /// Reads the file at `path` whole and stamps it; `Ok(None)` when there is no file there. A
    /// FIFO, a device or a file over the size limit ([`corpus::max_file_bytes`]) is an error, not
    /// read (see [`corpus::open_regular`]).
    pub fn read(path: &Path) -> std::io::Result<Option<Self>> {
        let bytes = match corpus::read_limited(path, corpus::max_file_bytes()) {
            Ok(bytes) => bytes,
            Err(CorpusError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                return Ok(None);
            }
            Err(CorpusError::Io { source, .. }) => return Err(source),
            Err(other) => return Err(std::io::Error::other(other)),
        };
        let metadata = std::fs::metadata(path).ok();
        Ok(Some(Self::new(&bytes, metadata.as_ref())))
    }

    /// True when `metadata` has this stamp's length and modification time: the cheap check that
    /// the file is unchanged. False when the modification time is unknown.
    pub fn same_metadata(&self, metadata: &std::fs::Metadata) -> bool {
        self.len == metadata.len()
            && self.modified.is_some()
            && self.modified == metadata.modified().ok()
    }
}

/// How long a temporary file left by an interrupted save is kept before a later save of the same
/// file deletes it. Much longer than any save takes, so that a save in progress in another
/// process never loses its temporary file.
pub const STALE_TEMPORARY: Duration = Duration::from_mins(15);

/// The backup of the project file at `path`: `name.ron.bak` beside it. Each save over an existing
/// project file first makes the previous version the backup.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    path.with_file_name(name)
}

/// The folder of `path` (`.` for a bare file name) and its file name.
pub(super) fn split(path: &Path) -> (&Path, String) {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (dir, name)
}

/// Creates a new temporary file for `name` in `dir`: `.name.tmp-PID-N` (see [`create_unique`]).
pub(super) fn create_temporary(
    dir: &Path,
    name: &str,
) -> std::io::Result<(PathBuf, std::fs::File)> {
    create_unique(dir, name, |temp| {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(temp)
    })
}

/// Creates something new (`create`: a file, a folder) for `name` in `dir` under a temporary
/// name, `.name.tmp-PID-N`, unique between processes (the process id) and between writes of one
/// process (a counter); something of that name already there (left by a killed process whose id
/// was reused) is never opened: `create` must fail with `AlreadyExists` then.
pub(super) fn create_unique<T>(
    dir: &Path,
    name: &str,
    create: impl Fn(&Path) -> std::io::Result<T>,
) -> std::io::Result<(PathBuf, T)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut last_error = None;
    for _ in 0..64 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.tmp-{}-{n}", std::process::id()));
        match create(&temp) {
            Ok(created) => return Ok((temp, created)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                last_error = Some(error);
            }
            Err(error) => return Err(error),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::ErrorKind::AlreadyExists.into()))
}

/// Writes `contents` to a new temporary file beside `path`, with the permissions of the file at
/// `path` when there is one, and flushes it to disk. Returns the file, to rename into place, and
/// its stamp.
pub(super) fn write_temporary(
    path: &Path,
    contents: &[u8],
) -> std::io::Result<(AtomicFile, FileStamp)> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(contents)?;
    // The modification time survives the rename: it is the stamp of the file to be.
    let metadata = file.sync()?;
    Ok((file, FileStamp::new(contents, Some(&metadata))))
}

/// A flushed temporary file beside `path` holding `contents`, with the permissions of the file at
/// `path` when there is one: its path and the open file, for the batch writer to put in place.
pub(super) fn write_flushed(
    path: &Path,
    contents: &[u8],
) -> std::io::Result<(PathBuf, std::fs::File)> {
    let (dir, name) = split(path);
    let (temp, mut file) = create_temporary(dir, &name)?;
    let result = (|| {
        file.write_all(contents)?;
        if let Ok(existing) = std::fs::metadata(path) {
            file.set_permissions(existing.permissions())?;
        }
        file.sync_all()
    })();
    match result {
        Ok(()) => Ok((temp, file)),
        Err(error) => {
            drop(file);
            let _ = std::fs::remove_file(&temp);
            Err(error)
        }
    }
}

/// Flushes a folder's entries (renames, links) to disk. Some file systems cannot; the rename is
/// then as durable as they make it, which a crash of the program does not affect.
pub(super) fn sync_dir(dir: &Path) {
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
}

/// Writes `contents` to `path` atomically: a temporary file in the same folder, flushed to disk,
/// then renamed over the target, and the folder flushed. A crash at any point leaves either the
/// old file or the new one, complete. No backup is kept (see [`save`] for project files).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), SaveError> {
    let error = |source| SaveError {
        path: path.to_owned(),
        source,
    };
    let (file, _) = write_temporary(path, contents).map_err(error)?;
    file.rename_into_place().map_err(error)
}

/// Makes the current file at `path`, if any, its backup ([`backup_path`]) without ever leaving an
/// incomplete backup: a hard link (or, where links are not supported, a flushed copy) to a
/// temporary name, renamed over the old backup.
pub(super) fn make_backup(path: &Path) -> std::io::Result<()> {
    let backup = backup_path(path);
    let (dir, name) = split(&backup);
    let (temp, file) = create_temporary(dir, &name)?;
    drop(file);
    std::fs::remove_file(&temp)?;
    let linked = match std::fs::hard_link(path, &temp) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(_) => std::fs::copy(path, &temp).and_then(|_| std::fs::File::open(&temp)?.sync_all()),
    };
    let result = linked.and_then(|()| std::fs::rename(&temp, &backup));
    // When the old backup already was a link to the same file (a save interrupted between the
    // backup and the rename), the rename does nothing and the temporary name remains.
    let _ = std::fs::remove_file(&temp);
    result
}

/// Deletes the temporary files that interrupted saves of `path` (and of its backup and recovery
/// files) left beside it, and the temporary folders of interrupted folder exports, once older
/// than [`STALE_TEMPORARY`]. Younger ones may belong to a save in progress in another process and
/// are left alone; nothing ever reads them.
pub fn remove_stale_temporaries(path: &Path) {
    let (dir, name) = split(path);
    let prefix = format!(".{name}.");
    let hidden_prefix = format!("..{name}.");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let ours = (file_name.starts_with(&prefix) || file_name.starts_with(&hidden_prefix))
            && file_name.contains(".tmp-");
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMPORARY);
        if ours && stale {
            // Never through a link: a link is deleted as a file.
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                let _ = std::fs::remove_dir_all(entry.path());
            } else {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Writes `contents` as the project file `path`: the temporary file is written and flushed first,
/// then the current file (if any) becomes the backup, then the temporary is renamed over `path`
/// and the folder flushed. At every instant `path` holds the old or the new version, complete, and
/// the backup the one before or the old version. Returns the stamp of what was written.
pub fn replace_with_backup(path: &Path, contents: &[u8]) -> Result<FileStamp, SaveError> {
    let error = |source| SaveError {
        path: path.to_owned(),
        source,
    };
    remove_stale_temporaries(path);
    let (file, stamp) = write_temporary(path, contents).map_err(error)?;
    // On failure the temporary file is deleted as `file` is dropped.
    make_backup(path)
        .and_then(|()| file.rename_into_place())
        .map_err(error)?;
    Ok(stamp)
}

/// Saves `project` to `path` atomically, keeping the previous file as its backup (see
/// [`replace_with_backup`]).
pub fn save(project: &Project, path: &Path) -> Result<(), SaveError> {
    save_stamped(project, path).map(|_| ())
}

/// Like [`save`], and returns the stamp of the written file.
pub fn save_stamped(project: &Project, path: &Path) -> Result<FileStamp, SaveError> {
    let dir = absolute(path)
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    replace_with_backup(path, to_ron(project, &dir).as_bytes())
}

/// Saves `project` as the new file `path` (flushed, put in place, its folder flushed), failing
/// with [`std::io::ErrorKind::AlreadyExists`] rather than replace a file there, even one that
/// appears while it is written. For commands that must not replace a project by accident.
pub fn save_new(project: &Project, path: &Path) -> Result<(), SaveError> {
    let dir = absolute(path)
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    let contents = to_ron(project, &dir);
    write_files(
        split(path).0,
        &[(path.to_owned(), contents.as_bytes(), WriteMode::New)],
    )?
    .keep();
    Ok(())
}
