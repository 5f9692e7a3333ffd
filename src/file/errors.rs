//! What goes wrong loading and saving a project file, and the problems loading finds.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

use crate::anchor::DetachedSpan;
use crate::corpus::CorpusError;
use crate::model::Id;

use super::FORMAT_VERSION;

/// Why a project file could not be loaded. Nothing is loaded when this happens.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The project file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid project file.
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        /// The project file.
        path: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What is wrong there.
        message: String,
    },
    /// The file was written by a newer Marginalia.
    #[error(
        "{path} has format version {found}; this Marginalia reads up to version {FORMAT_VERSION}: please update"
    )]
    Version {
        /// The project file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
    },
    /// The file is not a project file at all: plain text, JSON, another program's file...
    #[error("{path} is not a Marginalia project file: it looks like {looks_like}")]
    NotAProject {
        /// The file.
        path: PathBuf,
        /// What it looks like, in words: "plain text", "a JSON file"...
        looks_like: &'static str,
    },
    /// The file parses but contradicts itself.
    #[error("{path}: {message}")]
    Invalid {
        /// The project file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The project file's corpus folder lies outside the folder of the project file and that
    /// folder's parent, and the caller of [`load_confirming`] did not allow reading it. Nothing
    /// was read from it.
    #[error(
        "{path} reads its texts from {corpus}, outside the folder of the project file and the \
         folder above it: it was not opened"
    )]
    CorpusOutside {
        /// The project file.
        path: PathBuf,
        /// The real path of its corpus folder.
        corpus: PathBuf,
    },
    /// A document path leads outside the corpus folder or names a file that is not a corpus
    /// text, or the corpus cannot be listed.
    #[error("{path}: the corpus")]
    Corpus {
        /// The project file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: CorpusError,
    },
}

/// The parts of a project file as `ron` names them (its Rust types), in words.
const PARTS: [(&str, &str); 10] = [
    ("ProjectFile", "the project"),
    ("DocumentFile", "a document"),
    ("AnnotationFile", "a span"),
    ("RelationFile", "a link"),
    ("SuggestionFile", "a suggestion"),
    ("RejectionFile", "a rejected suggestion"),
    ("DetachedFile", "a span set aside"),
    ("FragmentFile", "a fragment"),
    ("LinkFile", "a suggested link"),
    ("Schema", "the schema"),
];

/// What a parse error of `ron` in a project file means, in words: no type names of the program.
pub(super) fn ron_in_words(code: &ron::Error) -> String {
    let part = |name: &str| {
        PARTS
            .iter()
            .find(|(rust, _)| *rust == name)
            .map_or_else(|| format!("`{name}`"), |(_, words)| (*words).to_owned())
    };
    match code {
        ron::Error::Eof => "the file ends too early (is it cut short?)".to_owned(),
        ron::Error::MissingStructField { field, outer } => format!(
            "the field `{field}` is missing from {}",
            outer.as_deref().map_or_else(|| "a part".to_owned(), part)
        ),
        ron::Error::DuplicateStructField { field, outer } => format!(
            "the field `{field}` is there twice in {}",
            outer.as_deref().map_or_else(|| "a part".to_owned(), part)
        ),
        ron::Error::ExpectedComma => "a comma is missing here".to_owned(),
        ron::Error::TrailingCharacters => {
            "there is more text after the end of the project".to_owned()
        }
        other => {
            let mut text = other.to_string();
            for (rust, words) in PARTS {
                text = text
                    .replace(&format!("struct `{rust}`"), words)
                    .replace(&format!("`{rust}`"), words);
            }
            text
        }
    }
}

/// When `ron` fails at the very start of a project file (`code`), what the file is instead, in
/// words; `None` when it starts as a project file does (the error is then a syntax error).
pub(super) fn not_a_project(code: &ron::Error, text: &str) -> Option<&'static str> {
    let at_start = match code {
        ron::Error::ExpectedNamedStructLike(name) => *name == "ProjectFile",
        ron::Error::ExpectedDifferentStructName { expected, .. } => *expected == "ProjectFile",
        // A RON structure without the field every project file starts with.
        ron::Error::MissingStructField { field, outer } => {
            *field == "format_version" && outer.as_deref() == Some("ProjectFile")
        }
        _ => false,
    };
    if !at_start {
        return None;
    }
    let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let word_then_paren = start.split_once('(').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')
    });
    Some(if start.starts_with(['{', '[']) {
        "a JSON file (File > Import reads other tools' formats)"
    } else if start.starts_with('<') {
        "an XML or HTML file"
    } else if start.starts_with('(') || word_then_paren {
        "a RON file of another kind"
    } else {
        "plain text (to annotate texts, start a project from their folder)"
    })
}

/// Why a project could not be saved. The file on disk is then unchanged.
#[derive(Debug, thiserror::Error)]
#[error("cannot save {path}")]
pub struct SaveError {
    /// The project file.
    pub path: PathBuf,
    /// The cause.
    #[source]
    pub source: std::io::Error,
}

/// Something worth telling the user about a loaded project. The project is usable, but only a
/// project without [`Severity::Error`] problems is sound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A document was not UTF-8 and was decoded from another encoding.
    Decoded {
        /// Document path.
        path: String,
        /// The encoding used.
        encoding: &'static str,
    },
    /// A document's text no longer matches the hash the project recorded: its spans were looked
    /// for in the new text (see [`crate::anchor`]) and the document now records the new hash. The
    /// project changed in memory and needs saving ([`Problem::changes_project`]). Spans that
    /// could not be placed are reported by a [`Problem::Unplaced`] of the same document.
    Reanchored {
        /// Document path.
        path: String,
        /// Spans found elsewhere in the new text.
        moved: usize,
        /// Spans still at their offsets.
        unchanged: usize,
    },
    /// A document has spans that could not be placed on its current text: they are kept aside,
    /// verbatim ([`crate::model::Document::detached`]), not shown in the text, until the user
    /// places or deletes them.
    Unplaced {
        /// Document path.
        path: String,
        /// The spans, by id.
        spans: Vec<UnplacedSpan>,
    },
    /// A document's file could not be read.
    Missing {
        /// Document path.
        path: String,
        /// Why.
        reason: String,
    },
    /// A file of the corpus folder a new project was made from was left out: it could not be
    /// read (see [`corpus::read_folder`]).
    Skipped {
        /// Its path in the folder (a name that is not UTF-8 shown with U+FFFD).
        path: String,
        /// Why, in words.
        reason: String,
    },
    /// Annotations use a label that the schema lacked; it was added.
    UnknownLabel {
        /// The label.
        label: String,
        /// How many annotations use it.
        count: usize,
    },
    /// The project file has a field this Marginalia does not know (a typo, or a newer version's
    /// addition): it was ignored, and saving the project drops it.
    UnknownField {
        /// The document it is in, when it is in one.
        document: Option<String>,
        /// What holds it: "span 12", "relation 3", "label 2 of the schema"...
        within: String,
        /// The field, with the path to it inside what holds it (`provenance.reviewer`).
        field: String,
    },
    /// A link whose type the schema does not define, or that links labels its type does not
    /// allow.
    RelationOutsideSchema {
        /// Document path.
        path: String,
        /// The relation.
        id: Id,
        /// Its type.
        kind: String,
        /// The labels at its start and end, when its type is defined but does not allow them.
        labels: Option<(String, String)>,
    },
    /// A span's attribute that the schema does not define for the span's label, or a value the
    /// schema does not allow.
    AttributeOutsideSchema {
        /// Document path.
        path: String,
        /// The span.
        id: Id,
        /// The span's label.
        label: String,
        /// The attribute.
        name: String,
        /// Its value.
        value: String,
        /// The values the schema allows, or `None` when it defines no such attribute for the
        /// label.
        allowed: Option<Vec<String>>,
    },
    /// A document attribute that the schema does not define, or a value it does not allow.
    DocAttributeOutsideSchema {
        /// Document path.
        path: String,
        /// The attribute.
        name: String,
        /// Its value.
        value: String,
        /// The values the schema allows, or `None` when it defines no such attribute.
        allowed: Option<Vec<String>>,
    },
    /// A document's text changed since suggestions were made on it: its pending suggestions were
    /// dropped, and the rejections that no longer cover the text they were made on were
    /// forgotten (see [`crate::suggest`]).
    SuggestionsDropped {
        /// Document path.
        path: String,
        /// Pending suggestions dropped.
        suggestions: usize,
        /// Rejections forgotten.
        rejections: usize,
    },
    /// A pattern of the schema cannot be used (an unknown label, an empty term, a regular
    /// expression that does not compile): the patterns suggester leaves it out.
    Pattern(crate::schema::PatternError),
    /// A document attribute of the schema is unusable as written (no name, a value listed
    /// twice, a key that is not one character): the app refuses such a definition, a
    /// hand-edited file can hold one.
    DocAttributeDefinition(crate::schema::SchemaError),
    /// The schema defines a label, a link type or an attribute twice.
    DuplicateInSchema {
        /// What: "label", "link type", "attribute".
        what: &'static str,
        /// Its name (`label.name` for an attribute).
        name: String,
    },
}

/// A span that could not be placed on its document's changed text, as a [`Problem`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnplacedSpan {
    /// Its id.
    pub id: Id,
    /// Its label.
    pub label: String,
    /// The text it covered (fragments joined by " … ").
    pub text: String,
    /// Where it started in the old text, in bytes.
    pub old_start: usize,
    /// Why it could not be placed.
    pub reason: String,
}

impl UnplacedSpan {
    pub(super) fn of(span: &DetachedSpan) -> Self {
        Self {
            id: span.annotation.id,
            label: span.annotation.label.clone(),
            text: span.text(),
            old_start: span.old_start(),
            reason: span.reason.clone(),
        }
    }
}

/// How serious a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing; the project is sound.
    Warning,
    /// The project is not sound.
    Error,
}

impl Problem {
    /// How serious it is.
    ///
    /// An error makes `check` fail; in the app it is shown as an error. Neither refuses the
    /// project: only a document whose text is missing or changed is read-only, by its
    /// [`TextState`], whatever the problems say.
    pub fn severity(&self) -> Severity {
        match self {
            Self::Decoded { .. }
            | Self::Reanchored { .. }
            | Self::Skipped { .. }
            | Self::SuggestionsDropped { .. } => Severity::Warning,
            Self::Unplaced { .. }
            | Self::Missing { .. }
            | Self::UnknownLabel { .. }
            | Self::UnknownField { .. }
            | Self::RelationOutsideSchema { .. }
            | Self::AttributeOutsideSchema { .. }
            | Self::DocAttributeOutsideSchema { .. }
            | Self::Pattern(_)
            | Self::DocAttributeDefinition(_)
            | Self::DuplicateInSchema { .. } => Severity::Error,
        }
    }

    /// True when loading changed the project (spans re-anchored, a new hash recorded): the
    /// project then needs saving, and [`crate::workspace::Workspace::open`] marks it unsaved.
    pub fn changes_project(&self) -> bool {
        matches!(self, Self::Reanchored { .. })
    }

    /// The problem as [`fmt::Display`] writes it, with every string of the project in it passed
    /// through [`crate::text::escape_for_terminal`]: what the command line prints.
    pub fn for_terminal(&self) -> impl fmt::Display + '_ {
        struct ForTerminal<'a>(&'a Problem);
        impl fmt::Display for ForTerminal<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.write(f, crate::text::escape_for_terminal)
            }
        }
        ForTerminal(self)
    }

    /// Writes the problem, each string of the project through `shown`.
    fn write(&self, f: &mut fmt::Formatter<'_>, shown: fn(&str) -> Cow<'_, str>) -> fmt::Result {
        let quoted = |s: &str| shown(&format!("{s:?}")).into_owned();
        match self {
            Self::Decoded { path, encoding } => {
                write!(
                    f,
                    "{} is not UTF-8: it was decoded as {encoding}; check its accents",
                    shown(path)
                )
            }
            Self::Reanchored {
                path,
                moved,
                unchanged,
            } => write!(
                f,
                "{} changed since it was annotated: {moved} span(s) moved to where their text \
                 now is, {unchanged} unchanged; save the project to keep this",
                shown(path)
            ),
            Self::Unplaced { path, spans } => {
                write!(
                    f,
                    "{}: {} span(s) could not be placed on its current text; they are kept \
                     aside, not shown, until you place or delete them:",
                    shown(path),
                    spans.len()
                )?;
                for span in spans {
                    write!(
                        f,
                        "\n  - {} {} {} (at byte {} of the old text): {}",
                        span.id,
                        shown(&span.label),
                        quoted(&span.text),
                        span.old_start,
                        shown(&span.reason)
                    )?;
                }
                Ok(())
            }
            Self::Missing { path, reason } => {
                write!(
                    f,
                    "{} cannot be read ({}): its spans are kept, the document is read-only",
                    shown(path),
                    shown(reason)
                )
            }
            Self::Skipped { path, reason } => {
                write!(f, "{path} was left out of the project: {reason}")
            }
            Self::UnknownLabel { label, count } => write!(
                f,
                "{count} span(s) use the label {}, which the schema lacked: it was added",
                quoted(label)
            ),
            Self::UnknownField {
                document,
                within,
                field,
            } => {
                if let Some(document) = document {
                    write!(f, "{}: ", shown(document))?;
                }
                write!(
                    f,
                    "{}: the field {} is not one this Marginalia knows: it was ignored, and \
                     saving the project drops it",
                    shown(within),
                    quoted(field)
                )
            }
            Self::RelationOutsideSchema {
                path,
                id,
                kind,
                labels: None,
            } => write!(
                f,
                "{}: relation {id} is of the type {}, which the schema does not define",
                shown(path),
                quoted(kind)
            ),
            Self::RelationOutsideSchema {
                path,
                id,
                kind,
                labels: Some((from, to)),
            } => write!(
                f,
                "{}: relation {id} links a {} to a {}, which the schema's {} links do not allow",
                shown(path),
                quoted(from),
                quoted(to),
                quoted(kind)
            ),
            Self::AttributeOutsideSchema {
                path,
                id,
                label,
                name,
                value,
                allowed,
            } => {
                write!(
                    f,
                    "{}: span {id} ({}) has {} = {}, ",
                    shown(path),
                    quoted(label),
                    quoted(name),
                    quoted(value)
                )?;
                match allowed {
                    None => write!(
                        f,
                        "an attribute the schema does not define for {} spans",
                        quoted(label)
                    ),
                    Some(values) => {
                        let values: Vec<String> = values.iter().map(|v| quoted(v)).collect();
                        write!(
                            f,
                            "a value the schema does not allow (it allows {})",
                            values.join(", ")
                        )
                    }
                }
            }
            Self::DocAttributeOutsideSchema {
                path,
                name,
                value,
                allowed,
            } => {
                write!(
                    f,
                    "{}: the document has {} = {}, ",
                    shown(path),
                    quoted(name),
                    quoted(value)
                )?;
                match allowed {
                    None => write!(f, "a document attribute the schema does not define"),
                    Some(values) => {
                        let values: Vec<String> = values.iter().map(|v| quoted(v)).collect();
                        write!(
                            f,
                            "a value the schema does not allow (it allows {})",
                            values.join(", ")
                        )
                    }
                }
            }
            Self::SuggestionsDropped {
                path,
                suggestions,
                rejections,
            } => {
                write!(
                    f,
                    "{} changed since suggestions were made on it: ",
                    shown(path)
                )?;
                if *suggestions > 0 {
                    write!(
                        f,
                        "its {suggestions} pending suggestion(s) were dropped (run the suggesters \
                         again to find them on the new text)"
                    )?;
                }
                if *rejections > 0 {
                    write!(
                        f,
                        "{}{rejections} rejected suggestion(s) whose text changed were forgotten \
                         (they may be offered again)",
                        if *suggestions > 0 { "; " } else { "" }
                    )?;
                }
                Ok(())
            }
            Self::Pattern(error) => f.write_str(&shown(&error.to_string())),
            Self::DocAttributeDefinition(error) => write!(
                f,
                "a document attribute of the schema is unusable: {}",
                shown(&error.to_string())
            ),
            Self::DuplicateInSchema { what, name } => write!(
                f,
                "the schema defines the {what} {} twice: only the first is used",
                quoted(name)
            ),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, |s| Cow::Borrowed(s))
    }
}
