//! Many files written as one, and a lock that keeps two writers of the same file apart: what an
//! import needs to write its corpus texts and its project file without ever replacing a file
//! silently, and without leaving half an import behind when it fails.
//!
//! [`write_files`] writes every file to a temporary beside it and flushes it (on all cores, so
//! that the file systems that group flushes do), then puts them in place, then flushes each
//! folder once: one durability barrier for the whole batch instead of a file and a folder flush
//! a file. A new file is put in place with a hard link, which fails rather than replace a file
//! that appeared meanwhile.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rayon::prelude::*;

use super::{SaveError, backup_path, make_backup, split, sync_dir, write_flushed};

/// How many files [`write_files`] writes and flushes at once: flushing waits on the disk, and
/// file systems with a journal commit the flushes that wait together in one go.
const FLUSHING_THREADS: usize = 32;

/// `f` on every item, [`FLUSHING_THREADS`] at a time, the results in order: on a pool of its
/// own, built at the first batch, since the threads wait on the disk rather than compute.
fn flushing<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(FLUSHING_THREADS)
            .thread_name(|i| format!("flush-{i}"))
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(|| items.par_iter().map(f).collect()),
        // No threads to be had: one at a time.
        None => items.iter().map(f).collect(),
    }
}

/// How [`write_files`] writes a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMode {
    /// A new file: the write fails (with [`std::io::ErrorKind::AlreadyExists`]) rather than
    /// replace a file at its path, even one that appears while the batch is written.
    New,
    /// The file replaces the one at its path, which is kept as its backup ([`backup_path`]).
    Replace,
}

/// Files written by [`write_files`]. Dropping it undoes the batch (the new files and the folders
/// made for them are removed, the replaced files restored from their backups) unless
/// [`WrittenFiles::keep`] was called: a caller that fails after the batch (writing the project
/// file that refers to the texts, say) leaves nothing behind. Files that were there before the
/// batch are never removed.
#[derive(Debug, Default)]
#[must_use = "dropping the written files undoes them: call keep()"]
pub struct WrittenFiles {
    /// Folders the batch created, outermost first.
    dirs: Vec<PathBuf>,
    /// Files the batch created.
    created: Vec<PathBuf>,
    /// Files the batch replaced: their previous version is their backup.
    replaced: Vec<PathBuf>,
    kept: bool,
}

impl WrittenFiles {
    /// Keeps the files: the batch is done.
    pub fn keep(mut self) {
        self.kept = true;
    }

    /// How many files the batch created, and how many it replaced.
    pub fn counts(&self) -> (usize, usize) {
        (self.created.len(), self.replaced.len())
    }

    fn undo(&mut self) {
        let mut dirs = BTreeSet::new();
        for path in self.created.drain(..).rev() {
            let _ = std::fs::remove_file(&path);
            dirs.insert(split(&path).0.to_owned());
        }
        for path in self.replaced.drain(..).rev() {
            // The backup is the file as it was: it goes back in place.
            let _ = std::fs::rename(backup_path(&path), &path);
            dirs.insert(split(&path).0.to_owned());
        }
        for dir in self.dirs.drain(..).rev() {
            // Only when empty: never a file that another writer put there meanwhile.
            let _ = std::fs::remove_dir(&dir);
            dirs.remove(&dir);
            dirs.insert(split(&dir).0.to_owned());
        }
        for dir in dirs {
            sync_dir(&dir);
        }
    }
}

impl Drop for WrittenFiles {
    fn drop(&mut self) {
        if !self.kept {
            self.undo();
        }
    }
}

/// Creates `dir` and the folders above it that are missing, recording those it created
/// (outermost first) in `created`; `known` holds folders already known to exist.
fn create_dirs(
    dir: &Path,
    known: &mut BTreeSet<PathBuf>,
    created: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    if known.contains(dir) {
        return Ok(());
    }
    let missing: Vec<&Path> = dir
        .ancestors()
        .filter(|a| !a.as_os_str().is_empty())
        .take_while(|a| !known.contains(*a) && std::fs::symlink_metadata(a).is_err())
        .collect();
    for folder in missing.into_iter().rev() {
        match std::fs::create_dir(folder) {
            Ok(()) => created.push(folder.to_owned()),
            // Made by someone else meanwhile: not ours to remove.
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(error),
        }
        known.insert(folder.to_owned());
    }
    if !std::fs::metadata(dir)?.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!("{} is not a folder", dir.display()),
        ));
    }
    known.insert(dir.to_owned());
    Ok(())
}

/// Puts the flushed temporary `temp` at `path`, which must not exist: a hard link, which the
/// system refuses when `path` exists. Where hard links are not supported, a rename after a check
/// that nothing is at `path` (a file appearing between the two would be replaced).
fn link_new(temp: &Path, path: &Path) -> std::io::Result<()> {
    match std::fs::hard_link(temp, path) {
        Ok(()) => {
            let _ = std::fs::remove_file(temp);
            Ok(())
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Err(error),
        Err(_) if std::fs::symlink_metadata(path).is_ok() => {
            Err(std::io::ErrorKind::AlreadyExists.into())
        }
        Err(_) => std::fs::rename(temp, path),
    }
}

/// Writes every file of `files` (its path, its contents, how), and makes the folder `root` even
/// when no file goes there. All or nothing: when one file cannot be written, the others are
/// undone and the error names it. Each file is written to a temporary beside it and flushed,
/// all of them before any is put in place; then each folder is flushed once. See
/// [`WrittenFiles`] for what dropping the result does.
pub fn write_files(
    root: &Path,
    files: &[(PathBuf, &[u8], WriteMode)],
) -> Result<WrittenFiles, SaveError> {
    let failed = |path: &Path| {
        let path = path.to_owned();
        move |source| SaveError { path, source }
    };
    let mut written = WrittenFiles::default();
    let mut known = BTreeSet::new();
    create_dirs(root, &mut known, &mut written.dirs).map_err(failed(root))?;
    for (path, _, _) in files {
        let dir = split(path).0;
        create_dirs(dir, &mut known, &mut written.dirs).map_err(failed(dir))?;
    }
    let temps = flushing(files, |(path, contents, _)| {
        write_flushed(path, contents).map(|(temp, file)| {
            drop(file);
            temp
        })
    });
    let mut first_error = None;
    let mut ready = Vec::with_capacity(temps.len());
    for ((path, _, _), temp) in files.iter().zip(temps) {
        match temp {
            Ok(temp) => ready.push(temp),
            Err(source) => {
                first_error.get_or_insert_with(|| failed(path)(source));
            }
        }
    }
    if let Some(error) = first_error {
        for temp in ready {
            let _ = std::fs::remove_file(temp);
        }
        return Err(error);
    }
    // Then each in place, several at a time too (each is a few metadata writes).
    let jobs: Vec<(&PathBuf, PathBuf, WriteMode)> = files
        .iter()
        .zip(ready)
        .map(|((path, _, mode), temp)| (path, temp, *mode))
        .collect();
    let placed = flushing(&jobs, |(path, temp, mode)| {
        let result = match mode {
            WriteMode::New => link_new(temp, path).map(|()| false),
            WriteMode::Replace => {
                let existed = std::fs::symlink_metadata(path).is_ok();
                make_backup(path)
                    .and_then(|()| std::fs::rename(temp, path))
                    .map(|()| existed)
            }
        };
        if result.is_err() {
            let _ = std::fs::remove_file(temp);
        }
        result
    });
    let mut first_error = None;
    for ((path, _, _), result) in files.iter().zip(placed) {
        match result {
            Ok(true) => written.replaced.push(path.clone()),
            Ok(false) => written.created.push(path.clone()),
            Err(source) => {
                first_error.get_or_insert_with(|| failed(path)(source));
            }
        }
    }
    if let Some(error) = first_error {
        // Dropping `written` undoes what was put in place.
        return Err(error);
    }
    let mut dirs: BTreeSet<&Path> = files.iter().map(|(path, _, _)| split(path).0).collect();
    dirs.extend(written.dirs.iter().map(|dir| split(dir).0));
    for dir in dirs {
        sync_dir(dir);
    }
    Ok(written)
}

/// An exclusive lock on `path` for writers that take it ([`lock_beside`]), held until dropped.
#[derive(Debug)]
pub struct Lock {
    file: std::fs::File,
    path: PathBuf,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held: whoever opened it meanwhile sees that it is gone once they
        // get the lock, and takes a new one (see `lock_beside`).
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// The lock file of `path`: `.NAME.lock` beside it.
pub fn lock_path(path: &Path) -> PathBuf {
    let (dir, name) = split(path);
    dir.join(format!(".{name}.lock"))
}

/// Takes the exclusive lock of `path` (a lock on the file [`lock_path`], made when missing and
/// removed when the lock is dropped), without waiting: fails with
/// [`std::io::ErrorKind::WouldBlock`] while another process (or another thread) holds it. Only
/// writers that take it are kept apart.
pub fn lock_beside(path: &Path) -> Result<Lock, SaveError> {
    let lock = lock_path(path);
    let failed = |source| SaveError {
        path: lock.clone(),
        source,
    };
    for _ in 0..64 {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock)
            .map_err(failed)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(failed(std::io::Error::new(
                    std::io::ErrorKind::WouldBlock,
                    format!("another writer of {} holds its lock", path.display()),
                )));
            }
            Err(std::fs::TryLockError::Error(error)) => return Err(failed(error)),
        }
        if still_there(&file, &lock) {
            return Ok(Lock { file, path: lock });
        }
        // Its holder removed it between our opening and our locking it: take the new one.
    }
    Err(failed(std::io::ErrorKind::WouldBlock.into()))
}

/// True when the open `file` is still the one at `path` (not removed, nor replaced).
#[cfg(unix)]
fn still_there(file: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

/// True when the open `file` is still the one at `path` (elsewhere: when something is there).
#[cfg(not(unix))]
fn still_there(_file: &std::fs::File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_writes_new_files_and_replaces_with_backups() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("corpus");
        let old = root.join("old.txt");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(&old, "before").unwrap();
        let files = [
            (root.join("a/b/new.txt"), &b"new"[..], WriteMode::New),
            (old.clone(), &b"after"[..], WriteMode::Replace),
        ];
        let written = write_files(&root, &files).unwrap();
        assert_eq!(written.counts(), (1, 1));
        written.keep();
        assert_eq!(std::fs::read(root.join("a/b/new.txt")).unwrap(), b"new");
        assert_eq!(std::fs::read(&old).unwrap(), b"after");
        assert_eq!(std::fs::read(backup_path(&old)).unwrap(), b"before");
        let names: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
    }

    #[test]
    fn a_dropped_batch_is_undone_and_leaves_what_was_there() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("corpus");
        std::fs::create_dir_all(&root).unwrap();
        let old = root.join("old.txt");
        std::fs::write(&old, "before").unwrap();
        let files = [
            (root.join("a/b/new.txt"), &b"new"[..], WriteMode::New),
            (old.clone(), &b"after"[..], WriteMode::Replace),
        ];
        drop(write_files(&root, &files).unwrap());
        assert_eq!(std::fs::read(&old).unwrap(), b"before");
        assert!(!root.join("a").exists());
        let names: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["old.txt"]);
    }

    #[test]
    fn a_new_file_never_replaces_one_and_the_batch_is_undone() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("new-corpus");
        let files = [
            (root.join("a.txt"), &b"a"[..], WriteMode::New),
            (root.join("sub/b.txt"), &b"b"[..], WriteMode::New),
            // The same path twice: the second finds the first there.
            (root.join("a.txt"), &b"other"[..], WriteMode::New),
        ];
        let error = write_files(&root, &files).unwrap_err();
        assert_eq!(error.source.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(error.path, root.join("a.txt"));
        assert!(!root.exists(), "the folders made for the batch are removed");
    }

    #[test]
    fn a_lock_is_exclusive_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("p.ron");
        let lock = lock_beside(&project).unwrap();
        assert!(lock_path(&project).exists());
        let error = lock_beside(&project).unwrap_err();
        assert_eq!(error.source.kind(), std::io::ErrorKind::WouldBlock);
        drop(lock);
        assert!(!lock_path(&project).exists());
        drop(lock_beside(&project).unwrap());
    }
}
