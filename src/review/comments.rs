//! Review comments: remarks a reviewer leaves on a colleague's spans without changing them.
//!
//! A reviewer's comments on the project `NAME.ron` are saved beside it, in
//! `NAME.comments-REVIEWER.ron`: one file per reviewer, so that a team sharing projects through
//! git never gets a merge conflict, and the comments travel with the project they are about.
//! When the colleague opens `NAME.ron`, every `NAME.comments-*.ron` beside it is read and the
//! comments are shown on their spans.
//!
//! A comment names its span by id and also records the span's label, fragments and text, so it
//! can say when the span changed since the comment was written, or was deleted.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::file::{SaveError, write_atomic};
use crate::model::{Annotation, Id, Project, Timestamp};

/// The version of the comments file format.
pub const FORMAT_VERSION: u32 = 1;

/// A reviewer's comment on one span of a colleague's project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// The document's path in the reviewed project.
    pub document: String,
    /// The document's SHA-256, to find it again if it moves.
    pub sha256: String,
    /// The span's id in the reviewed project.
    pub span: Id,
    /// The span's label when the comment was written.
    pub label: String,
    /// The span's fragments (byte offsets) when the comment was written.
    pub fragments: Vec<(usize, usize)>,
    /// The span's text when the comment was written.
    pub quote: String,
    /// Who wrote the comment.
    pub author: String,
    /// When.
    pub created: Timestamp,
    /// The comment.
    pub text: String,
}

impl Comment {
    /// A comment by `author` on `annotation` of the document `document` (path and hash).
    pub fn on(
        document: &crate::model::Document,
        annotation: &Annotation,
        author: &str,
        text: &str,
    ) -> Self {
        Self {
            document: document.path.clone(),
            sha256: document.hash.clone(),
            span: annotation.id,
            label: annotation.label.clone(),
            fragments: annotation
                .fragments
                .iter()
                .map(|f| (f.start, f.end))
                .collect(),
            quote: annotation.text(&document.text),
            author: author.to_owned(),
            created: Timestamp::now(),
            text: text.to_owned(),
        }
    }

    fn same_span(&self, annotation: &Annotation) -> bool {
        annotation.label == self.label
            && annotation
                .fragments
                .iter()
                .map(|f| (f.start, f.end))
                .eq(self.fragments.iter().copied())
    }
}

/// Where a comment lands in the project it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attachment {
    /// On this span (document index, annotation id), unchanged since the comment.
    Span(usize, Id),
    /// On this span, whose label or fragments changed since the comment.
    Changed(usize, Id),
    /// The span is gone (deleted, or its document left the project).
    Gone,
}

/// Finds the span `comment` is about in `project`.
pub fn attach(project: &Project, comment: &Comment) -> Attachment {
    let doc = project
        .documents
        .iter()
        .position(|d| d.hash == comment.sha256)
        .or_else(|| {
            project
                .documents
                .iter()
                .position(|d| d.path == comment.document)
        });
    let Some((index, document)) = doc.and_then(|i| Some((i, project.documents.get(i)?))) else {
        return Attachment::Gone;
    };
    if let Some(annotation) = document.annotation(comment.span) {
        return if comment.same_span(annotation) {
            Attachment::Span(index, annotation.id)
        } else {
            Attachment::Changed(index, annotation.id)
        };
    }
    document
        .annotations
        .iter()
        .find(|a| comment.same_span(a))
        .map_or(Attachment::Gone, |a| Attachment::Span(index, a.id))
}

#[derive(Serialize, Deserialize)]
struct CommentFile {
    format_version: u32,
    /// The reviewer who wrote these comments.
    reviewer: String,
    /// The file name of the project they are about.
    project: String,
    comments: Vec<Comment>,
}

/// Why a comments file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CommentsError {
    /// Reading failed.
    #[error("cannot read the review comments {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Not a comments file.
    #[error("{path}:{line}:{column}: not a valid review comments file: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Written by a newer Marginalia.
    #[error("{path} was written by a newer Marginalia (format {found}); update to read it")]
    Version {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u32,
    },
}

/// The comments of one reviewer on one project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Review {
    /// The reviewer.
    pub reviewer: String,
    /// Where the comments are saved.
    pub path: PathBuf,
    /// The comments, oldest first.
    pub comments: Vec<Comment>,
}

/// A name fit for a file name: letters, digits, `-` and `_` kept, anything else becomes `_`.
fn file_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        "reviewer".to_owned()
    } else {
        safe
    }
}

fn stem(project_path: &Path) -> String {
    project_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Where `reviewer`'s comments on the project saved at `project_path` go.
pub fn path_for(project_path: &Path, reviewer: &str) -> PathBuf {
    project_path.with_file_name(format!(
        "{}.comments-{}.ron",
        stem(project_path),
        file_safe(reviewer)
    ))
}

/// True when `path` looks like a comments file (and not a project).
pub fn is_comments_file(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().contains(".comments-"))
}

/// Reads one comments file.
pub fn read(path: &Path) -> Result<Review, CommentsError> {
    let io = |source| CommentsError::Io {
        path: path.to_owned(),
        source,
    };
    // A regular file within the size limit: a FIFO in its place would hang the reader.
    let bytes = crate::corpus::read_limited(path, crate::corpus::max_file_bytes()).map_err(
        |e| match e {
            crate::corpus::CorpusError::Io { source, .. } => io(source),
            other => io(std::io::Error::other(other.to_string())),
        },
    )?;
    let text = String::from_utf8(bytes)
        .map_err(|e| io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
    let file: CommentFile = ron::from_str(&text).map_err(|e| CommentsError::Syntax {
        path: path.to_owned(),
        line: e.span.start.line,
        column: e.span.start.col,
        message: e.code.to_string(),
    })?;
    if file.format_version > FORMAT_VERSION {
        return Err(CommentsError::Version {
            path: path.to_owned(),
            found: file.format_version,
        });
    }
    Ok(Review {
        reviewer: file.reviewer,
        path: path.to_owned(),
        comments: file.comments,
    })
}

/// Every reviewer's comments on the project saved at `project_path`, by reviewer file name;
/// with the files that could not be read.
pub fn read_all(project_path: &Path) -> (Vec<Review>, Vec<CommentsError>) {
    let prefix = format!("{}.comments-", stem(project_path));
    let dir = project_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().is_some_and(|n| {
                        let n = n.to_string_lossy();
                        n.starts_with(&prefix) && n.ends_with(".ron")
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    let mut reviews = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match read(&path) {
            Ok(review) => reviews.push(review),
            Err(error) => errors.push(error),
        }
    }
    (reviews, errors)
}

/// Saves `review` (atomically) as the comments on the project saved at `project_path`; an empty
/// review removes its file.
pub fn write(review: &Review, project_path: &Path) -> Result<(), SaveError> {
    if review.comments.is_empty() {
        return match std::fs::remove_file(&review.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(SaveError {
                path: review.path.clone(),
                source: e,
            }),
            _ => Ok(()),
        };
    }
    let file = CommentFile {
        format_version: FORMAT_VERSION,
        reviewer: review.reviewer.clone(),
        project: project_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        comments: review.comments.clone(),
    };
    let config = ron::ser::PrettyConfig::new()
        .depth_limit(3)
        .indentor("  ".to_owned());
    let mut text = ron::ser::to_string_pretty(&file, config).unwrap_or_default();
    text.push('\n');
    write_atomic(&review.path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Document;
    use crate::text::ByteRange;
    use std::collections::BTreeMap;
    use std::sync::Arc;

    fn project() -> Project {
        let annotation = Annotation {
            id: Id(7),
            label: "claim".into(),
            fragments: vec![ByteRange::new(0, 10)],
            annotator: "jules".into(),
            note: String::new(),
            created: Timestamp(0),
            attributes: BTreeMap::new(),
            suggested: None,
            provenance: None,
        };
        let document = Document {
            path: "a.txt".into(),
            hash: "h".into(),
            text: Arc::from("Le Kremlin a démenti."),
            annotations: vec![annotation],
            ..Document::default()
        };
        Project::new(
            "jules".into(),
            "/c".into(),
            crate::schema::Schema::default(),
            vec![document],
        )
    }

    #[test]
    fn comments_save_beside_the_project_and_attach_to_their_span() {
        let dir = tempfile::tempdir().unwrap();
        let project_path = dir.path().join("jules.ron");
        let mut p = project();
        let comment = Comment::on(
            &p.documents[0],
            &p.documents[0].annotations[0],
            "Camille Ö",
            "Trop court ?",
        );
        assert_eq!(comment.quote, "Le Kremlin");
        let review = Review {
            reviewer: "Camille Ö".into(),
            path: path_for(&project_path, "Camille Ö"),
            comments: vec![comment.clone()],
        };
        assert_eq!(
            review.path.file_name().unwrap(),
            "jules.comments-Camille_Ö.ron"
        );
        write(&review, &project_path).unwrap();
        std::fs::write(dir.path().join("other.comments-x.ron"), "not for us").unwrap();
        let (reviews, errors) = read_all(&project_path);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(reviews, vec![review.clone()]);
        assert_eq!(attach(&p, &comment), Attachment::Span(0, Id(7)));
        p.documents[0].annotations[0].fragments = vec![ByteRange::new(0, 2)];
        assert_eq!(attach(&p, &comment), Attachment::Changed(0, Id(7)));
        p.documents[0].annotations.clear();
        assert_eq!(attach(&p, &comment), Attachment::Gone);
        // An empty review removes its file.
        write(
            &Review {
                comments: Vec::new(),
                ..review.clone()
            },
            &project_path,
        )
        .unwrap();
        assert!(!review.path.exists());
    }

    #[test]
    fn a_broken_comments_file_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let project_path = dir.path().join("p.ron");
        std::fs::write(dir.path().join("p.comments-a.ron"), "(\nformat_version: x").unwrap();
        let (reviews, errors) = read_all(&project_path);
        assert!(reviews.is_empty());
        let message = errors[0].to_string();
        assert!(message.contains("p.comments-a.ron:2:"), "{message}");
    }

    /// Issue G, item 5: a FIFO in place of a comments file is refused, not waited on forever.
    #[cfg(unix)]
    #[test]
    fn g_a_fifo_comments_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.comments-jules.ron");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&path)
                .status()
                .unwrap()
                .success()
        );
        let (sender, receiver) = std::sync::mpsc::channel();
        let reading = path.clone();
        // On a thread: a regression blocks it, and the test fails instead of hanging.
        std::thread::spawn(move || {
            sender.send(read(&reading).map(|_| ()).map_err(|e| e.to_string()))
        });
        let result = receiver
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("reading a FIFO hangs");
        let error = result.unwrap_err();
        assert!(error.contains("not a regular file"), "{error}");
    }
}
