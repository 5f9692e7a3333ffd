//! Reading corpus folders and document files.
//!
//! A document's text is its file decoded as UTF-8, BOM and CRLF kept as they are, so that offsets
//! count the raw text. A file that is not UTF-8 is decoded as UTF-16 when it starts with a UTF-16
//! BOM, and as Windows-1252 otherwise; the document then records which encoding it came from and
//! the user is warned.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use sha2::{Digest as _, Sha256};

use crate::model::{Document, TextState};

/// Why a corpus or document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// An I/O error on a path.
    #[error("cannot read {path}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A document path that would leave the corpus folder.
    #[error("the document path {0:?} leaves the corpus folder (absolute, `..` or a link outside)")]
    OutsideCorpus(String),
    /// A document path that names a file a corpus listing would not take: not a `.txt` file, or
    /// in a hidden folder (a part starting with `.`).
    #[error(
        "the document path {0:?} is not a text of the corpus: a document is a .txt file outside \
         hidden folders (names starting with `.`)"
    )]
    NotACorpusText(String),
    /// The folder holds no `.txt` file.
    #[error("{0} contains no .txt file")]
    Empty(PathBuf),
    /// The folder holds `.txt` files, but none that can be read.
    #[error(
        "{path} contains no .txt file that can be read: {}",
        skipped.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    NothingReadable {
        /// The folder.
        path: PathBuf,
        /// The files left out, and why.
        skipped: Vec<Skipped>,
    },
    /// A file is larger than the limit (see [`max_file_bytes`]).
    #[error(
        "{path} is {} MB, more than the limit of {} MB: set {MAX_FILE_MB_VAR} to a larger number of MB to read it",
        size.div_ceil(1 << 20),
        limit >> 20
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A file that should hold text holds something else.
    #[error("{0} looks like a binary file, not text")]
    Binary(PathBuf),
    /// A project or import file is empty.
    #[error("{0} is empty")]
    EmptyFile(PathBuf),
    /// A FIFO, a socket, a device or a folder where a file was to be read: refused before it is
    /// opened (see [`open_regular`]).
    #[error("{path} is {kind}, not a regular file: Marginalia reads only regular files")]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is ("a named pipe (FIFO)", "a device", ...).
        kind: &'static str,
    },
    /// The reading was cancelled through [`Progress::cancel`].
    #[error("opening the corpus was cancelled")]
    Cancelled,
}

/// The environment variable that sets the largest file Marginalia reads, in MB.
pub const MAX_FILE_MB_VAR: &str = "MARGINALIA_MAX_FILE_MB";

/// The largest file read when [`MAX_FILE_MB_VAR`] is not set, in MB.
pub const DEFAULT_MAX_FILE_MB: u64 = 256;

/// The largest file Marginalia reads (documents, projects, imports), in bytes: `MARGINALIA_MAX_FILE_MB`
/// megabytes when that is set to a positive whole number, else [`DEFAULT_MAX_FILE_MB`].
pub fn max_file_bytes() -> u64 {
    std::env::var(MAX_FILE_MB_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&mb| mb > 0)
        .unwrap_or(DEFAULT_MAX_FILE_MB)
        .saturating_mul(1 << 20)
}

/// What kind of thing a file that is not a regular file is, for messages: `None` for a regular
/// file.
fn special_kind(file_type: std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    use std::os::unix::fs::FileTypeExt as _;
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        if file_type.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return Some("a device");
        }
    }
    Some("a special file")
}

/// `O_NONBLOCK` where its value is known without the `libc` crate: opening a FIFO with it returns
/// at once instead of waiting for a writer. Elsewhere 0 (no flag): the type is still checked
/// before opening.
#[cfg(unix)]
const O_NONBLOCK: i32 = if cfg!(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
)) {
    0x0004
} else if cfg!(all(
    any(target_os = "linux", target_os = "android"),
    any(
        target_arch = "x86",
        target_arch = "x86_64",
        target_arch = "arm",
        target_arch = "aarch64",
        target_arch = "riscv32",
        target_arch = "riscv64",
        target_arch = "powerpc",
        target_arch = "powerpc64",
        target_arch = "s390x",
        target_arch = "loongarch64"
    )
)) {
    0o4000
} else {
    0
};

/// Opens a file for reading only when it is a regular file (or a link to one): a FIFO, a socket,
/// a device or a folder is refused by its type before it is opened, so that reading it can
/// neither wait forever (a FIFO nobody writes to) nor go on until memory runs out (`/dev/zero`).
/// The file is opened without blocking and its type checked again on the open handle, so that
/// one swapped in between the two cannot hang either. Returns the file and its metadata.
pub fn open_regular(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), CorpusError> {
    let io = |source| CorpusError::Io {
        path: path.to_owned(),
        source,
    };
    let refuse = |metadata: &std::fs::Metadata| match special_kind(metadata.file_type()) {
        None => Ok(()),
        Some(kind) => Err(CorpusError::NotAFile {
            path: path.to_owned(),
            kind,
        }),
    };
    refuse(&std::fs::metadata(path).map_err(io)?)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, O_NONBLOCK);
    let file = options.open(path).map_err(io)?;
    let metadata = file.metadata().map_err(io)?;
    refuse(&metadata)?;
    Ok((file, metadata))
}

/// Reads a whole regular file (see [`open_regular`]), refusing it before reading when it is
/// larger than `limit` bytes (and reading at most `limit` bytes, should it grow meanwhile).
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, CorpusError> {
    use std::io::Read as _;
    let too_large = |size| CorpusError::TooLarge {
        path: path.to_owned(),
        size,
        limit,
    };
    let (file, metadata) = open_regular(path)?;
    let size = metadata.len();
    if size > limit {
        return Err(too_large(size));
    }
    // Sized from the metadata, so that a large file is read without the buffer growing (and being
    // copied) several times; the limit still holds if the file grows meanwhile.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| CorpusError::Io {
            path: path.to_owned(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// True when `bytes` look like a binary file rather than text: a NUL byte in the first KiB (UTF-16
/// with a BOM aside), or, for bytes that are not UTF-8, many control characters there.
pub fn looks_binary(bytes: &[u8]) -> bool {
    binary(bytes, std::str::from_utf8(bytes).is_ok())
}

/// [`looks_binary`] when it is known whether `bytes` are UTF-8 (validating them is the costly
/// part, and the caller does it anyway).
fn binary(bytes: &[u8], utf8: bool) -> bool {
    let head = bytes.get(..1024).unwrap_or(bytes);
    if matches!(encoding_rs::Encoding::for_bom(bytes), Some((e, _)) if e != encoding_rs::UTF_8) {
        return false;
    }
    if head.contains(&0) {
        return true;
    }
    if utf8 {
        return false;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    controls * 10 > head.len()
}

/// Reads a file that must hold text: a regular file ([`open_regular`]), within the size limit
/// ([`max_file_bytes`]), not empty (a byte-order mark and white space alone are empty), not
/// binary. For project and import files. The text is a `String` when the file is UTF-8 (the
/// bytes are validated once), its bytes otherwise (see [`utf8_error_position`]).
pub fn read_text(path: &Path) -> Result<Result<String, std::string::FromUtf8Error>, CorpusError> {
    let text = read_checked(path)?;
    let bytes = match &text {
        Ok(text) => text.as_bytes(),
        Err(error) => error.as_bytes(),
    };
    // A byte-order mark and spaces are nothing.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(CorpusError::EmptyFile(path.to_owned()));
    }
    Ok(text)
}

/// A file read within the size limit, validated as UTF-8 once, and refused when it looks binary.
fn read_checked(path: &Path) -> Result<Result<String, std::string::FromUtf8Error>, CorpusError> {
    let text = String::from_utf8(read_limited(path, max_file_bytes())?);
    let (bytes, utf8) = match &text {
        Ok(text) => (text.as_bytes(), true),
        Err(error) => (error.as_bytes(), false),
    };
    if binary(bytes, utf8) {
        return Err(CorpusError::Binary(path.to_owned()));
    }
    Ok(text)
}

/// The line and column (1-based, the column in bytes) of the first byte of a file that is not
/// UTF-8, for error messages.
pub fn utf8_error_position(error: &std::string::FromUtf8Error) -> (usize, usize) {
    let at = error.utf8_error().valid_up_to();
    let before = error.as_bytes().get(..at).unwrap_or_default();
    let line = before.split(|&b| b == b'\n').count();
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

/// A document file read from disk.
#[derive(Debug, Clone)]
pub struct DocumentText {
    /// The decoded text.
    pub text: String,
    /// SHA-256 of the file's bytes, in hexadecimal.
    pub hash: String,
    /// The encoding the text was decoded from, when it was not UTF-8.
    pub decoded_from: Option<&'static str>,
}

/// SHA-256 of `bytes` in lowercase hexadecimal.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// Decodes a document's bytes (see the module documentation).
pub fn decode(bytes: &[u8]) -> (String, Option<&'static str>) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_owned(), None);
    }
    let encoding = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, _)) if encoding != encoding_rs::UTF_8 => encoding,
        _ => encoding_rs::WINDOWS_1252,
    };
    // Decoding without BOM handling keeps a UTF-16 BOM as U+FEFF, as the UTF-8 path does.
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    (text.into_owned(), Some(encoding.name()))
}

/// Reads and decodes one document file (an empty file is an empty document; a binary file or
/// one over the size limit is refused).
pub fn read_document(path: &Path) -> Result<DocumentText, CorpusError> {
    // UTF-8 files (nearly all) become the text without a copy.
    Ok(match read_checked(path)? {
        Ok(text) => DocumentText {
            hash: sha256_hex(text.as_bytes()),
            text,
            decoded_from: None,
        },
        Err(error) => {
            let (text, decoded_from) = decode(error.as_bytes());
            DocumentText {
                hash: sha256_hex(error.as_bytes()),
                text,
                decoded_from,
            }
        }
    })
}

/// Resolves a document path of a project inside its corpus folder, refusing paths that would lead
/// outside it (absolute paths, `..`, and symbolic links that point elsewhere) and paths of files
/// a corpus listing would not take (not `.txt`, or in a hidden folder).
pub fn resolve(root: &Path, relative: &str) -> Result<PathBuf, CorpusError> {
    resolve_in(root, root.canonicalize().ok().as_deref(), relative)
}

/// [`resolve`] with the real path of `root` known (`None` when it has none: it does not exist):
/// for many documents of the same corpus.
pub fn resolve_in(
    root: &Path,
    real_root: Option<&Path>,
    relative: &str,
) -> Result<PathBuf, CorpusError> {
    let outside = || CorpusError::OutsideCorpus(relative.to_owned());
    let relative_path = Path::new(relative);
    if relative.is_empty()
        || relative_path
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(outside());
    }
    if !is_corpus_text(relative_path) {
        return Err(CorpusError::NotACorpusText(relative.to_owned()));
    }
    let path = root.join(relative_path);
    // A link may still lead out: compare real paths, of the file when it exists, else of the
    // deepest folder on its way that exists (a link to a folder outside, before a file is
    // written into it).
    if let Some(real_root) = real_root {
        if no_links_below(root, relative_path) {
            return Ok(path);
        }
        let existing = path
            .ancestors()
            .take_while(|a| a.starts_with(root))
            .find_map(|a| a.canonicalize().ok());
        if existing.is_some_and(|real| !real.starts_with(real_root)) {
            return Err(outside());
        }
    }
    Ok(path)
}

/// True when `relative` names a file a corpus listing takes ([`list_folder`]): a `.txt` file
/// (in any case), no part of its path hidden (starting with `.`).
fn is_corpus_text(relative: &Path) -> bool {
    relative
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
        && relative
            .components()
            .all(|c| !c.as_os_str().to_string_lossy().starts_with('.'))
}

/// True when `root/relative` exists and none of its parts below `root` is a symbolic link: then
/// it is inside `root` without asking for its real path (one `lstat` a part instead of a walk
/// from `/`, which matters when a project opens ten thousand documents).
fn no_links_below(root: &Path, relative: &Path) -> bool {
    let mut path = root.to_owned();
    relative.components().all(|part| {
        path.push(part);
        std::fs::symlink_metadata(&path).is_ok_and(|m| !m.file_type().is_symlink())
    })
}

/// A file of a corpus folder that was left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Its path relative to the folder, with `/` separators; a name that is not UTF-8 is shown
    /// with U+FFFD for the bytes that are not.
    pub path: String,
    /// Why, in words, without the path ("it looks like a binary file, not text").
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// What [`list_folder`] found below a corpus folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// The `.txt` files to read, as sorted relative paths with `/` separators.
    pub texts: Vec<String>,
    /// The `.txt` files left out (a name that is not UTF-8, a FIFO, a link leading outside, a
    /// folder that cannot be listed), sorted by path.
    pub skipped: Vec<Skipped>,
}

/// A corpus folder read by [`read_folder`]: its documents, sorted by path, and the files left
/// out, which the user should hear about.
#[derive(Debug, Clone, Default)]
pub struct Folder {
    /// The documents read.
    pub documents: Vec<Document>,
    /// The `.txt` files left out, sorted by path.
    pub skipped: Vec<Skipped>,
}

impl From<Vec<Document>> for Folder {
    fn from(documents: Vec<Document>) -> Self {
        Self {
            documents,
            skipped: Vec::new(),
        }
    }
}

impl CorpusError {
    /// Why a file could not be read, in words without its path: for lists that name the file.
    pub fn reason(&self) -> String {
        match self {
            Self::Io { source, .. } => format!("it cannot be read ({source})"),
            Self::OutsideCorpus(_) => "a link that leads outside the corpus folder".to_owned(),
            Self::TooLarge { size, limit, .. } => format!(
                "it is {} MB, more than the limit of {} MB (set {MAX_FILE_MB_VAR} to a larger \
                 number of MB to read it)",
                size.div_ceil(1 << 20),
                limit >> 20
            ),
            Self::Binary(_) => "it looks like a binary file, not text".to_owned(),
            Self::EmptyFile(_) => "it is empty".to_owned(),
            Self::NotAFile { kind, .. } => format!("it is {kind}, not a regular file"),
            other => other.to_string(),
        }
    }
}

/// Lists the `.txt` files below `root`, as sorted relative paths with `/` separators (see
/// [`list_folder`], which also says which files it left out).
pub fn list_texts(root: &Path) -> Result<Vec<String>, CorpusError> {
    list_folder(root).map(|listing| listing.texts)
}

/// Lists the `.txt` files below `root`. Hidden files and folders (names starting with `.`) are
/// skipped silently; links to folders are not followed. Left out and named in
/// [`Listing::skipped`]: names that are not UTF-8 (a project names its documents in UTF-8),
/// links to files outside `root` (see [`resolve`]), anything but a regular file (a FIFO, a
/// device), and folders below `root` that cannot be listed. Only `root` itself not being
/// listable is an error.
pub fn list_folder(root: &Path) -> Result<Listing, CorpusError> {
    fn lossy(relative: &Path) -> String {
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        parts.join("/")
    }
    fn walk(root: &Path, dir: &Path, listing: &mut Listing) -> Result<(), CorpusError> {
        let io = |source| CorpusError::Io {
            path: dir.to_owned(),
            source,
        };
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            let Ok(relative) = path.strip_prefix(root) else {
                continue;
            };
            let kind = entry.file_type().map_err(io)?;
            let skip = |listing: &mut Listing, reason: String| {
                listing.skipped.push(Skipped {
                    path: lossy(relative),
                    reason,
                });
            };
            if kind.is_dir() {
                if let Err(error) = walk(root, &path, listing) {
                    // One folder that cannot be listed is left out, not the end of the listing.
                    skip(
                        listing,
                        format!("this folder is left out: {}", error.reason()),
                    );
                }
                continue;
            }
            if !path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
            {
                continue;
            }
            let Some(relative_str) = relative.to_str() else {
                skip(
                    listing,
                    "its name is not valid UTF-8: rename it to read it".to_owned(),
                );
                continue;
            };
            match std::fs::metadata(&path) {
                Err(error) => skip(
                    listing,
                    CorpusError::Io {
                        path: path.clone(),
                        source: error,
                    }
                    .reason(),
                ),
                Ok(metadata) => match special_kind(metadata.file_type()) {
                    Some(what) => skip(listing, format!("it is {what}, not a regular file")),
                    None if kind.is_symlink() && resolve(root, relative_str).is_err() => {
                        skip(listing, CorpusError::OutsideCorpus(String::new()).reason());
                    }
                    None => listing.texts.push(lossy(relative)),
                },
            }
        }
        Ok(())
    }
    let mut listing = Listing::default();
    walk(root, root, &mut listing)?;
    listing.texts.sort();
    listing.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(listing)
}

/// Reads every `.txt` file below `root` into documents, sorted by path; the files that cannot be
/// read (over the size limit, binary, a FIFO, a name that is not UTF-8...) are left out and
/// listed in [`Folder::skipped`]. An error when there is no `.txt` file, or none that can be read.
pub fn read_folder(root: &Path) -> Result<Folder, CorpusError> {
    read_folder_with(root, &Progress::default())
}

/// How far a [`read_folder_with`] has got, shared between the thread that reads and the one that
/// shows a progress bar (all fields are atomics: read them at any time), and a way to cancel it.
#[derive(Debug, Default)]
pub struct Progress {
    /// Files to read; known once the folder is listed (0 before).
    pub files_total: AtomicUsize,
    /// Files read so far.
    pub files_done: AtomicUsize,
    /// Bytes to read; known once the folder is listed (0 before).
    pub bytes_total: AtomicU64,
    /// Bytes read so far.
    pub bytes_done: AtomicU64,
    cancelled: AtomicBool,
}

impl Progress {
    /// Asks the reading to stop: it returns [`CorpusError::Cancelled`] before its next file.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// True once [`Progress::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// The part done, from 0 to 1, by bytes (0 while the folder is being listed).
    pub fn fraction(&self) -> f32 {
        let total = self.bytes_total.load(Ordering::Relaxed);
        if total == 0 {
            return 0.0;
        }
        (self.bytes_done.load(Ordering::Relaxed) as f64 / total as f64).min(1.0) as f32
    }
}

/// [`read_folder`] reporting its progress in `progress` and stopping when it is cancelled: meant
/// to run on a thread while the window shows a progress bar. Each text is held once (an
/// `Arc<str>`, shared by the clones of the document).
pub fn read_folder_with(root: &Path, progress: &Progress) -> Result<Folder, CorpusError> {
    let Listing {
        texts: paths,
        mut skipped,
    } = list_folder(root)?;
    if paths.is_empty() && skipped.is_empty() {
        return Err(CorpusError::Empty(root.to_owned()));
    }
    let sizes: Vec<u64> = paths
        .iter()
        .map(|p| std::fs::metadata(root.join(p)).map_or(0, |m| m.len()))
        .collect();
    let total: u64 = sizes.iter().sum();
    progress.bytes_total.store(total, Ordering::Relaxed);
    progress.files_total.store(paths.len(), Ordering::Relaxed);
    let mut documents = Vec::with_capacity(paths.len());
    for (relative, size) in paths.into_iter().zip(sizes) {
        if progress.is_cancelled() {
            return Err(CorpusError::Cancelled);
        }
        let read = resolve(root, &relative).and_then(|path| read_document(&path));
        progress.bytes_done.fetch_add(size, Ordering::Relaxed);
        progress.files_done.fetch_add(1, Ordering::Relaxed);
        match read {
            Ok(file) => documents.push(Document {
                path: relative,
                hash: file.hash,
                text: Arc::from(file.text),
                decoded_from: file.decoded_from,
                text_state: TextState::Current,
                ..Document::default()
            }),
            // One file that cannot be read is named and left out, not the end of the run.
            Err(error) => skipped.push(Skipped {
                path: relative,
                reason: error.reason(),
            }),
        }
    }
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    if documents.is_empty() {
        return Err(CorpusError::NothingReadable {
            path: root.to_owned(),
            skipped,
        });
    }
    Ok(Folder { documents, skipped })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Files are read whole below the limit and refused above it, whatever their size
        /// around the small-file buffer.
        #[test]
        fn files_are_read_whole_within_the_limit(size in 0usize..40_000, limit in 0u64..40_000, byte in 0u8..255) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("f.txt");
            let content: Vec<u8> = (0..size).map(|i| byte.wrapping_add(i as u8)).collect();
            std::fs::write(&path, &content).unwrap();
            match read_limited(&path, limit) {
                Ok(bytes) => {
                    proptest::prop_assert!(size as u64 <= limit);
                    proptest::prop_assert_eq!(bytes, content);
                }
                Err(CorpusError::TooLarge { size: found, .. }) => {
                    proptest::prop_assert!(size as u64 > limit);
                    proptest::prop_assert_eq!(found, size as u64);
                }
                Err(other) => proptest::prop_assert!(false, "{other}"),
            }
        }
    }

    #[test]
    fn files_the_size_of_the_small_buffer_and_around_it_are_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0, 1, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 200_000] {
            let path = dir.path().join(format!("{size}.txt"));
            let content: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &content).unwrap();
            assert_eq!(read_limited(&path, 1 << 20).unwrap(), content, "{size}");
        }
    }

    #[test]
    fn decoding_keeps_bom_and_crlf_and_falls_back_to_windows_1252() {
        let (text, from) = decode(b"\xef\xbb\xbfLe \xc3\xa9t\xc3\xa9\r\n");
        assert_eq!(text, "\u{feff}Le été\r\n");
        assert_eq!(from, None);
        let (text, from) = decode(b"caf\xe9 \x80 \x93ok\x94");
        assert_eq!(text, "caf\u{e9} \u{20ac} \u{201c}ok\u{201d}");
        assert_eq!(from, Some("windows-1252"));
        let (text, from) = decode(b"\xff\xfeh\x00i\x00");
        assert_eq!(text, "\u{feff}hi");
        assert_eq!(from, Some("UTF-16LE"));
    }

    #[test]
    fn sha256_is_the_usual_hex_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn resolve_refuses_paths_that_leave_the_corpus() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        assert!(resolve(dir.path(), "a.txt").is_ok());
        assert!(resolve(dir.path(), "sub/b.txt").is_ok());
        for bad in [
            "../a.txt",
            "/etc/passwd",
            "sub/../../x.txt",
            "",
            "./a.txt",
            "../passwd",
        ] {
            assert!(
                matches!(resolve(dir.path(), bad), Err(CorpusError::OutsideCorpus(_))),
                "{bad}"
            );
        }
        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().unwrap();
            std::fs::write(outside.path().join("secret.txt"), "s").unwrap();
            std::os::unix::fs::symlink(
                outside.path().join("secret.txt"),
                dir.path().join("link.txt"),
            )
            .unwrap();
            assert!(matches!(
                resolve(dir.path(), "link.txt"),
                Err(CorpusError::OutsideCorpus(_))
            ));
        }
    }

    #[test]
    fn folders_are_read_recursively_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join("b/c/z.txt"), "z").unwrap();
        std::fs::write(dir.path().join("a.TXT"), "a").unwrap();
        std::fs::write(dir.path().join("b/notes.md"), "no").unwrap();
        std::fs::write(dir.path().join(".git/x.txt"), "no").unwrap();
        let docs = read_folder(dir.path()).unwrap().documents;
        let paths: Vec<&str> = docs.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["a.TXT", "b/c/z.txt"]);
        assert!(
            matches!(read_folder(&dir.path().join("b/c/../..").join(".git/..").join("b")), Ok(d) if d.documents.len() == 1)
        );
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_folder(empty.path()),
            Err(CorpusError::Empty(_))
        ));
    }

    #[test]
    fn folder_reading_reports_progress_and_can_be_cancelled() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("a.txt"), "été").unwrap();
        std::fs::write(dir.path().join("sub/b.txt"), "0123456789").unwrap();
        let progress = Progress::default();
        assert!(progress.fraction().abs() < f32::EPSILON);
        let docs = read_folder_with(dir.path(), &progress).unwrap();
        assert_eq!(docs.documents.len(), 2);
        assert_eq!(progress.files_total.load(Ordering::Relaxed), 2);
        assert_eq!(progress.files_done.load(Ordering::Relaxed), 2);
        assert_eq!(progress.bytes_total.load(Ordering::Relaxed), 15);
        assert_eq!(progress.bytes_done.load(Ordering::Relaxed), 15);
        assert!((progress.fraction() - 1.0).abs() < f32::EPSILON);
        let cancelled = Progress::default();
        cancelled.cancel();
        assert!(matches!(
            read_folder_with(dir.path(), &cancelled),
            Err(CorpusError::Cancelled)
        ));
        assert_eq!(cancelled.files_done.load(Ordering::Relaxed), 0);
    }
}
