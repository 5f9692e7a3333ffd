//! Export to, and import from, the formats of other tools.
//!
//! Inside Marginalia offsets are bytes; every format here counts Unicode code points of the raw
//! document text (BOM and `\r` included), half-open, as Python, spaCy, brat, doccano and Label
//! Studio do. Conversion happens here, at the edge, with [`CodePointIndex`].
//!
//! Exporters receive the documents already filtered by [`ExportOptions`] ([`select`]); importers
//! return an [`Imported`] corpus that [`build_project`] turns into a project, reporting whatever
//! could not be mapped: an annotation is never dropped silently.

pub mod brat;
pub mod conll;
pub mod csv;
pub mod doccano;
pub mod jsonl;
pub mod label_studio;
pub mod rows;
pub mod spacy;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::file::WriteMode;
use crate::model::{Annotation, Document, Id, Project, Relation, Status, Timestamp};
use crate::schema::{LabelDef, PALETTE, RelationDef, Schema};
use crate::text::{ByteRange, CodePointIndex};

/// The formats Marginalia exports and imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// One JSON object a document: text, spans with code point offsets, relations.
    Jsonl,
    /// doccano's sequence-labelling JSONL (`entities`, `relations`, `Comments`, and the document
    /// attributes as `cats`).
    Doccano,
    /// brat standoff: a folder of `.txt` and `.ann` files with an `annotation.conf`.
    Brat,
    /// CoNLL: one token a line with IOB2 tags, `-DOCSTART-` between documents.
    Conll,
    /// Label Studio's JSON tasks, with the matching labelling config.
    LabelStudio,
    /// One span a row, RFC 4180, with the document's `meta.KEY` and `attr.NAME` columns.
    Csv,
    /// spaCy's `DocBin` (`.spacy`): spans in `doc.spans["marginalia"]`, the ones that do not
    /// overlap in `doc.ents`, document attributes in `doc.cats`.
    Spacy,
}

impl Format {
    /// Every format.
    pub const ALL: [Self; 7] = [
        Self::Jsonl,
        Self::Doccano,
        Self::Brat,
        Self::Conll,
        Self::LabelStudio,
        Self::Csv,
        Self::Spacy,
    ];

    /// The name used on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Jsonl => "jsonl",
            Self::Doccano => "doccano",
            Self::Brat => "brat",
            Self::Conll => "conll",
            Self::LabelStudio => "label-studio",
            Self::Csv => "csv",
            Self::Spacy => "spacy",
        }
    }

    /// True when the export is a folder rather than a file.
    pub const fn writes_folder(self) -> bool {
        matches!(self, Self::Brat | Self::LabelStudio)
    }

    /// True when the format can be imported.
    pub const fn can_import(self) -> bool {
        matches!(
            self,
            Self::Jsonl | Self::Doccano | Self::Brat | Self::LabelStudio
        )
    }

    /// The usual file extension of an export (none for folders).
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Jsonl | Self::Doccano => "jsonl",
            Self::Conll => "conll",
            Self::Csv => "csv",
            Self::Spacy => "spacy",
            Self::Brat | Self::LabelStudio => "",
        }
    }
}

/// How CoNLL writes tokens covered by more than one span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum OverlapPolicy {
    /// One tag column a label: overlapping spans of different labels all keep their tags.
    #[default]
    ColumnPerLabel,
    /// One tag column: where spans overlap, the label that comes first in the schema wins, and
    /// the spans that lose tokens are counted in the report.
    Priority,
}

/// What to export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportOptions {
    /// Only the documents marked done.
    pub only_done: bool,
    /// Only these labels (`None`: all).
    pub labels: Option<BTreeSet<String>>,
    /// Include spans labelled `boilerplate`.
    pub boilerplate: bool,
    /// `jsonl` only: cut the boilerplate spans out of the text and re-offset the other spans.
    pub text_without_boilerplate: bool,
    /// `conll` only: how overlapping spans are written.
    pub overlap: OverlapPolicy,
    /// Keep the unresolved candidates of a gold project (spans the annotators disagree on and
    /// nobody has ruled on yet, [`Annotation::is_unresolved`]): `jsonl` and `csv`
    /// mark them (`"unresolved": true`, an `unresolved` column), the other formats write them as
    /// ordinary spans. Off by default: a dataset then holds settled spans only, never both sides
    /// of a dispute.
    pub include_unresolved: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            only_done: false,
            labels: None,
            boilerplate: true,
            text_without_boilerplate: false,
            overlap: OverlapPolicy::default(),
            include_unresolved: false,
        }
    }
}

/// The label that marks text which is not part of the article.
pub const BOILERPLATE: &str = "boilerplate";

/// A document as an exporter sees it: the spans and relations to write, in text order.
#[derive(Clone, Debug)]
pub struct ExportDoc<'a> {
    /// The document.
    pub document: &'a Document,
    /// Its annotations that pass the options, in text order.
    pub annotations: Vec<&'a Annotation>,
    /// Its relations whose two ends are both exported, by id.
    pub relations: Vec<&'a Relation>,
}

impl ExportDoc<'_> {
    /// A stable identifier for the document in exports: its path without the extension.
    pub fn name(&self) -> &str {
        self.document
            .path
            .strip_suffix(".txt")
            .unwrap_or(&self.document.path)
    }
}

/// The documents and spans that `options` select. Documents whose text is not current (changed or
/// missing) are never exported: their offsets would not match. Unresolved candidates are left out
/// unless `options.include_unresolved` (with their links), and counted in the notes.
pub fn select<'a>(
    project: &'a Project,
    options: &ExportOptions,
) -> (Vec<ExportDoc<'a>>, Vec<String>) {
    let mut notes = Vec::new();
    let mut docs = Vec::new();
    let mut unresolved = 0;
    for document in &project.documents {
        if options.only_done && document.status != Status::Done {
            continue;
        }
        if !document.is_editable() {
            notes.push(format!(
                "{} left out: its text changed or is missing since it was annotated",
                document.path
            ));
            continue;
        }
        let wanted = |a: &&Annotation| {
            (options.boilerplate || a.label != BOILERPLATE)
                && options
                    .labels
                    .as_ref()
                    .is_none_or(|labels| labels.contains(&a.label))
        };
        let annotations: Vec<&Annotation> = document
            .annotations
            .iter()
            .filter(wanted)
            .filter(|a| {
                let out = !options.include_unresolved && a.is_unresolved();
                unresolved += usize::from(out);
                !out
            })
            .collect();
        let relations = if annotations.len() == document.annotations.len() {
            document.relations.iter().collect()
        } else {
            let kept: BTreeSet<Id> = annotations.iter().map(|a| a.id).collect();
            document
                .relations
                .iter()
                .filter(|r| kept.contains(&r.from) && kept.contains(&r.to))
                .collect()
        };
        docs.push(ExportDoc {
            document,
            annotations,
            relations,
        });
    }
    if unresolved > 0 {
        notes.push(format!(
            "{unresolved} unresolved candidate span(s) left out (--include-unresolved keeps them)"
        ));
    }
    (docs, notes)
}

/// What the report says of the unresolved candidates an export with
/// [`ExportOptions::include_unresolved`] kept, `None` when it kept none.
fn kept_unresolved_note(docs: &[ExportDoc<'_>], format: Format) -> Option<String> {
    let kept = docs
        .iter()
        .flat_map(|d| &d.annotations)
        .filter(|a| a.is_unresolved())
        .count();
    (kept > 0).then(|| match format {
        Format::Jsonl => {
            format!("{kept} unresolved candidate span(s) kept, marked \"unresolved\": true")
        }
        Format::Csv => {
            format!("{kept} unresolved candidate span(s) kept, marked in the \"unresolved\" column")
        }
        _ => format!(
            "{kept} unresolved candidate span(s) kept as ordinary spans: {} has no place to mark \
             them (jsonl and csv do)",
            format.name()
        ),
    })
}

/// What an export wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// Documents written.
    pub documents: usize,
    /// Spans written.
    pub spans: usize,
    /// Relations written.
    pub relations: usize,
    /// What the user should know: documents left out, overlaps resolved by priority…
    pub notes: Vec<String>,
}

/// Why an export or an import failed.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// A file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file is not what its format says.
    #[error(
        "{}{}: {message}",
        path.display(),
        if *line == 0 { String::new() } else { format!(":{line}") }
    )]
    Parse {
        /// The file.
        path: PathBuf,
        /// Line, from 1 (0: the file as a whole).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The format cannot be imported.
    #[error("{0} files cannot be imported")]
    NotImportable(&'static str),
    /// An input file is too large, empty or binary.
    #[error(transparent)]
    Input(#[from] crate::corpus::CorpusError),
    /// The output was refused (it is an input, a link to a folder, a folder of other files…) or
    /// could not be written.
    #[error(transparent)]
    Output(#[from] crate::file::OutputError),
    /// An export stopped midway (a full disk…): its output is as it was before.
    #[error("the export stopped, {} was left as it was", path.display())]
    Unfinished {
        /// The output.
        path: PathBuf,
        /// Why the export stopped.
        #[source]
        source: Box<FormatError>,
    },
    /// A file an import would write is already there (a corpus text: with other contents):
    /// nothing was written.
    #[error(
        "{} already exists{}{}: nothing was imported (forcing the import, --force, replaces {}, \
         keeping each old file as its backup, NAME.bak)",
        path.display(),
        if *text { " and holds another text" } else { "" },
        if *others == 0 { String::new() } else { format!(", as do {others} more file(s) of the corpus") },
        if *others == 0 { "it" } else { "them" }
    )]
    Exists {
        /// The file (the first, when there are several).
        path: PathBuf,
        /// True for a corpus text, false for the project file.
        text: bool,
        /// How many more corpus texts are in the same case.
        others: usize,
    },
    /// Another import into the same project file is running.
    #[error("another import into {} is running: nothing was imported", .0.display())]
    Busy(PathBuf),
}

/// Reads an import file as UTF-8 text, refusing it when it is not a regular file (a FIFO, a
/// device), over the size limit ([`crate::corpus::max_file_bytes`]), empty, binary or not UTF-8
/// (with the line and column of the first bad byte). A byte-order mark at the start (some
/// Windows tools write one) is dropped.
pub fn read_input(path: &Path) -> Result<String, FormatError> {
    let text = crate::corpus::read_text(path).map_err(|e| match e {
        crate::corpus::CorpusError::Io { path, source } => FormatError::Read { path, source },
        other => FormatError::Input(other),
    })?;
    text.map(|mut text| {
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        text
    })
    .map_err(|e| {
        let (line, column) = crate::corpus::utf8_error_position(&e);
        FormatError::parse(
            path,
            line,
            format!("column {column}: not UTF-8 text (save the file as UTF-8)"),
        )
    })
}

impl FormatError {
    /// A write error on `path`.
    pub fn write(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Write {
            path: path.to_owned(),
            source,
        }
    }

    /// A read error on `path`.
    pub fn read(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Read {
            path: path.to_owned(),
            source,
        }
    }

    /// [`FormatError::Exists`] for the corpus text `path` and `others` more.
    pub fn exists(path: &Path, others: usize) -> Self {
        Self::Exists {
            path: path.to_owned(),
            text: true,
            others,
        }
    }

    /// [`FormatError::Exists`] for the project file `path`.
    fn project_exists(path: &Path) -> Self {
        Self::Exists {
            path: path.to_owned(),
            text: false,
            others: 0,
        }
    }

    /// A parse error at `line` of `path`.
    pub fn parse(path: &Path, line: usize, message: impl Into<String>) -> Self {
        Self::Parse {
            path: path.to_owned(),
            line,
            message: message.into(),
        }
    }
}

/// Reports progress: called with (done, total) documents.
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

/// Exports `project` in `format` to `out` (a file, or a folder for brat and Label Studio): see
/// [`export_from`], for a project whose file is not known.
pub fn export(
    project: &Project,
    format: Format,
    options: &ExportOptions,
    out: &Path,
    progress: Progress<'_>,
) -> Result<ExportReport, FormatError> {
    export_from(project, None, format, options, out, progress)
}

/// Exports `project`, read from the project file `source` when it has one, in `format` to `out`
/// (a file, or a folder for brat and Label Studio), whole or not at all:
///
/// - `out` is refused, before anything is written, when it is `source` or one of the corpus
///   texts (also through a link or a hard link), or, for a folder, holds one of them
///   ([`crate::file::refuse_inputs`]);
/// - a file is written under a temporary name beside `out`, flushed and renamed over it
///   ([`crate::file::AtomicFile`]); a symbolic link at `out` is replaced, not written through
///   (the report says so);
/// - a folder is written as a new temporary folder beside `out` and put in its place once
///   complete ([`crate::file::AtomicFolder`]). An existing `out` must be an empty folder or a
///   previous export in this format, which the new one replaces whole (no file of the previous
///   export remains, and no backup is kept, as for files; its unchanged files are linked into
///   the new folder rather than written again); a folder holding anything else, or a link to a
///   folder, is refused.
///
/// On failure `out` is as it was and no temporary is left. Temporaries left by a killed export
/// are hidden (`.NAME.tmp-…`) and deleted by a later export once stale.
pub fn export_from(
    project: &Project,
    source: Option<&Path>,
    format: Format,
    options: &ExportOptions,
    out: &Path,
    progress: Progress<'_>,
) -> Result<ExportReport, FormatError> {
    let (docs, mut notes) = select(project, options);
    notes.extend(kept_unresolved_note(&docs, format));
    crate::file::refuse_inputs(out, format.writes_folder(), &export_inputs(project, source))?;
    let unfinished = |source| FormatError::Unfinished {
        path: out.to_owned(),
        source: Box::new(source),
    };
    let mut report = if format.writes_folder() {
        let folder = crate::file::AtomicFolder::create(out, format.name(), |dir| {
            previous_export(format, dir)
        })?;
        let written = match format {
            Format::Brat => brat::export(&docs, &project.schema, &folder, progress),
            _ => label_studio::export(&docs, &project.schema, &folder, progress),
        };
        // On failure the temporary folder is deleted as `folder` is dropped.
        let report = written.map_err(unfinished)?;
        folder.commit().map_err(|e| unfinished(e.into()))?;
        report
    } else {
        let link = std::fs::symlink_metadata(out)
            .is_ok_and(|m| m.is_symlink())
            .then(|| std::fs::read_link(out).unwrap_or_default());
        let mut file = crate::file::AtomicFile::create_output(out)?;
        let written = match format {
            Format::Jsonl => jsonl::export(&docs, &project.schema, options, &mut file, progress),
            Format::Doccano => doccano::export(&docs, &project.schema, &mut file, progress),
            Format::Conll => {
                conll::export(&docs, &project.schema, options.overlap, &mut file, progress)
            }
            Format::Spacy => spacy::export(&docs, &project.schema, &mut file, progress),
            _ => csv::export(
                &docs,
                &project.schema,
                options.include_unresolved,
                &mut file,
                progress,
            ),
        };
        let report = written.map_err(unfinished)?;
        file.commit().map_err(|e| unfinished(e.into()))?;
        if let Some(target) = link {
            notes.push(format!(
                "{} was a symbolic link to {}: the link was replaced by the export, {} is \
                 unchanged",
                out.display(),
                target.display(),
                target.display()
            ));
        }
        report
    };
    notes.append(&mut report.notes);
    report.notes = notes;
    Ok(report)
}

/// The document attributes an export writes, by name: every attribute of the schema and every
/// one a document holds a value of. Each comes with its listed values: the schema's, in its
/// order, then the values documents hold outside them, sorted; none for free text (and for an
/// attribute the schema does not define).
pub(crate) fn export_attributes<'a>(
    schema: &'a Schema,
    docs: &[ExportDoc<'a>],
) -> BTreeMap<&'a str, Vec<&'a str>> {
    let mut attributes: BTreeMap<&str, Vec<&str>> = schema
        .document_attributes
        .iter()
        .map(|def| {
            (
                def.name.as_str(),
                def.values.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    let mut outside: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for doc in docs {
        for (name, value) in &doc.document.attributes {
            match schema.document_attribute(name) {
                Some(def) if def.is_free_text() || def.values.contains(value) => {}
                Some(_) => {
                    outside.entry(name).or_default().insert(value);
                }
                None => {
                    attributes.entry(name).or_default();
                }
            }
        }
    }
    for (name, values) in outside {
        if let Some(listed) = attributes.get_mut(name) {
            listed.extend(values);
        }
    }
    attributes
}

/// What an export of `project` (read from `source`) reads: its project file and its corpus texts.
pub fn export_inputs(project: &Project, source: Option<&Path>) -> Vec<crate::file::Input> {
    use crate::file::Input;
    source
        .map(|path| Input::file(path, "the project being exported"))
        .into_iter()
        .chain(project.documents.iter().map(|document| {
            Input::file(
                project.corpus_root.join(&document.path),
                "a text of the project's corpus",
            )
        }))
        .collect()
}

/// Whether the non-empty folder `dir` is a previous export in `format`, which a new export may
/// replace whole; `Err` says what shows it is not.
fn previous_export(format: Format, dir: &Path) -> Result<(), String> {
    match format {
        Format::Brat => brat::previous_export(dir),
        Format::LabelStudio => label_studio::previous_export(dir),
        _ => Err("it is not an export folder".to_owned()),
    }
}

/// A span read from another tool's file, offsets already in bytes of the document text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedSpan {
    /// The span's id in the source file (`T3`, `17`…), for relations to refer to.
    pub key: String,
    /// Its label.
    pub label: String,
    /// Byte ranges, sorted and disjoint.
    pub fragments: Vec<ByteRange>,
    /// Who made it, when the file says.
    pub annotator: Option<String>,
    /// Notes, comments, and attributes the schema has no place for.
    pub note: String,
    /// Attributes.
    pub attributes: BTreeMap<String, String>,
    /// The rule that suggested it, when the file says (Marginalia's jsonl).
    pub suggested: Option<crate::suggestion::Rule>,
}

/// A relation read from another tool's file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedRelation {
    /// Its type.
    pub kind: String,
    /// Key of the span it starts from.
    pub from: String,
    /// Key of the span it goes to.
    pub to: String,
}

/// A document read from another tool's files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedDoc {
    /// Where to write its text in the new corpus, relative, with `/` separators, ending `.txt`.
    pub path: String,
    /// The text, exactly as the tool had it (BOM and CRLF kept).
    pub text: String,
    /// Its spans.
    pub spans: Vec<ImportedSpan>,
    /// Its relations.
    pub relations: Vec<ImportedRelation>,
    /// What the file said of the document besides its text and annotations (title, url…).
    pub metadata: crate::model::Metadata,
    /// The values of its document attributes (genre, to-check…), by attribute name.
    pub attributes: BTreeMap<String, String>,
    /// Its progress, when the file says; otherwise done when it has spans, to do when not.
    pub status: Option<Status>,
}

/// What an importer read: documents, what it could not map, and what it read in a way worth
/// knowing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// The documents.
    pub documents: Vec<ImportedDoc>,
    /// Everything that could not be mapped, said plainly (nothing is dropped silently): what is
    /// not in the project.
    pub report: Vec<String>,
    /// What was imported, but read or changed in a way the user should know (offsets read
    /// another way, a text decoded from another encoding, fragments merged): nothing of it is
    /// lost.
    pub notes: Vec<String>,
    /// Label colours the source declared (Label Studio configs, brat visual.conf).
    pub colors: BTreeMap<String, crate::schema::Rgb>,
    /// Document attributes the source declared, with their values (Marginalia's jsonl `cats`
    /// lists every value, chosen or not; Label Studio's document-level `Choices` and `TextArea`):
    /// the project's definitions, completed by the values its documents hold.
    pub document_attributes: Vec<crate::schema::DocAttributeDef>,
}

/// Reads another tool's annotations from `input` (a file, or a folder for brat).
pub fn import(format: Format, input: &Path) -> Result<Imported, FormatError> {
    match format {
        Format::Jsonl => jsonl::import(input),
        Format::Doccano => doccano::import(input),
        Format::Brat => brat::import(input),
        Format::LabelStudio => label_studio::import(input),
        Format::Conll | Format::Csv | Format::Spacy => {
            Err(FormatError::NotImportable(format.name()))
        }
    }
}

/// Converts a code point range of `text` into a byte range; `None` when it does not fit.
pub fn code_points_to_bytes(index: &CodePointIndex, start: usize, end: usize) -> Option<ByteRange> {
    if start >= end {
        return None;
    }
    Some(ByteRange::new(
        index.byte_of_char(start)?,
        index.byte_of_char(end)?,
    ))
}

/// How an imported span's offsets were read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Located {
    /// As code points, and the recorded text (if any) matches.
    CodePoints,
    /// As UTF-16 code units: the recorded text matched only that way (a JavaScript tool counting
    /// emoji as two).
    Utf16,
}

/// Where the characters outside the Basic Multilingual Plane (two UTF-16 code units each: emoji)
/// of a text are, in UTF-16 code units: what converts UTF-16 offsets in a binary search. Built
/// on first use, once for a text, however many spans need it.
#[derive(Clone, Debug, Default)]
pub struct Utf16Index(std::cell::OnceCell<Vec<usize>>);

impl Utf16Index {
    fn astral(&self, text: &str) -> &[usize] {
        self.0.get_or_init(|| {
            let mut units = 0;
            let mut astral = Vec::new();
            for c in text.chars() {
                if c.len_utf16() == 2 {
                    astral.push(units);
                }
                units += c.len_utf16();
            }
            astral
        })
    }
}

/// Finds the bytes of a span given as `start..end` code points of `text`, checking them against
/// the text the tool recorded for it (`expected`). When code points do not match but UTF-16 code
/// units do, those are used (`utf16`, the same for every span of `text`, converts them). `Err`
/// says why the span cannot be placed.
pub fn locate(
    text: &str,
    index: &CodePointIndex,
    utf16: &Utf16Index,
    start: usize,
    end: usize,
    expected: Option<&str>,
) -> Result<(ByteRange, Located), String> {
    let by_code_points = code_points_to_bytes(index, start, end);
    let matches = |range: ByteRange| expected.is_none_or(|e| range.slice(text) == e);
    if let Some(range) = by_code_points
        && matches(range)
    {
        return Ok((range, Located::CodePoints));
    }
    if expected.is_some()
        && let Some(range) = utf16_to_bytes(index, utf16.astral(text), start, end)
        && matches(range)
    {
        return Ok((range, Located::Utf16));
    }
    match (by_code_points, expected) {
        (None, _) => Err(format!(
            "offsets {start}..{end} do not fit the text ({} code points)",
            index.len_chars()
        )),
        (Some(range), Some(expected)) => Err(format!(
            "offsets {start}..{end} cover {:?}, not {expected:?}",
            range.slice(text)
        )),
        (Some(_), None) => Err(format!("offsets {start}..{end} are not usable")),
    }
}

/// Converts a range of UTF-16 code units of a text into bytes, given its code point index and the
/// UTF-16 offsets of its characters outside the BMP ([`Utf16Index`]); `None` when an end falls
/// inside a character or past the text.
fn utf16_to_bytes(
    index: &CodePointIndex,
    astral: &[usize],
    start: usize,
    end: usize,
) -> Option<ByteRange> {
    if start >= end {
        return None;
    }
    let byte = |units: usize| {
        // Each character outside the BMP before `units` counts two units and one code point.
        let before = astral.partition_point(|&a| a < units);
        let inside = before
            .checked_sub(1)
            .and_then(|i| astral.get(i))
            .is_some_and(|&a| a + 1 == units);
        if inside {
            None
        } else {
            index.byte_of_char(units - before)
        }
    };
    Some(ByteRange::new(byte(start)?, byte(end)?))
}

/// A document name that stays inside the corpus folder and that the loader takes, made from one
/// that does not: its plain parts (no root, `.` or `..`, leading dots dropped) joined with `_`,
/// ending in `.txt`.
fn confined_name(path: &str) -> String {
    let parts: Vec<&str> = path
        .split(['/', '\\'])
        .filter(|p| !p.contains(':'))
        .map(|p| p.trim_start_matches('.'))
        .filter(|p| !p.is_empty())
        .collect();
    let mut name = if parts.is_empty() {
        "document".to_owned()
    } else {
        parts.join("_")
    };
    let txt = Path::new(&name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"));
    if !txt {
        name.push_str(".txt");
    }
    name
}

/// What an import says: what it read in a way worth knowing, and what is not in the project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// What was imported, but read or changed in a way the user should know (offsets counted
    /// another way, a text decoded from another encoding, a document renamed): nothing of it is
    /// lost.
    pub notes: Vec<String>,
    /// What could not be imported: none of it is in the project.
    pub not_imported: Vec<String>,
}

impl ImportReport {
    /// Every line, the notes first, for a caller that shows a single list.
    pub fn lines(self) -> Vec<String> {
        let mut lines = self.notes;
        lines.extend(self.not_imported);
        lines
    }
}

/// Turns imported documents into a project: writes each text under `corpus_dir`, builds the
/// schema from the labels and relation types met, and returns the project with a report of what
/// could not be mapped (the importer's report, plus spans that do not fit their text) and of what
/// was imported another way than it was written (the importer's notes, documents renamed).
///
/// No text of the corpus folder is ever replaced: a text already there with the same bytes is
/// reused, one with other bytes makes the import fail ([`FormatError::Exists`]) before anything
/// is written. When writing fails, the texts and folders this import created are removed. Writes
/// no project file: [`import_project`] also writes it, as part of the same all-or-nothing step.
pub fn build_project(
    imported: Imported,
    corpus_dir: &Path,
    annotator: &str,
) -> Result<(Project, ImportReport), FormatError> {
    let (project, report, written) = write_corpus(imported, corpus_dir, annotator, false)?;
    written.keep();
    Ok((project, report))
}

/// An import into a new project: [`build_project`], then the project file `project_file`,
/// all or nothing — when anything fails, no project file is written and the texts and folders
/// this import created are removed (files that were there before are left as they were).
///
/// Without `force`, an existing project file or corpus text with other bytes makes the import
/// fail before anything is written; with it, they are replaced and each old file is kept as its
/// backup (`NAME.bak`, see [`crate::file::backup_path`]). Two imports into the same project file
/// at once are kept apart by a lock beside it ([`crate::file::lock_beside`]): the second fails
/// at once ([`FormatError::Busy`]); and without `force` the project file is created exclusively,
/// so that no other writer's file is replaced either.
pub fn import_project_reported(
    imported: Imported,
    project_file: &Path,
    corpus_dir: &Path,
    annotator: &str,
    force: bool,
) -> Result<(Project, ImportReport), FormatError> {
    let _lock = crate::file::lock_beside(project_file).map_err(|e| {
        if e.source.kind() == std::io::ErrorKind::WouldBlock {
            FormatError::Busy(project_file.to_owned())
        } else {
            FormatError::Write {
                path: e.path,
                source: e.source,
            }
        }
    })?;
    if !force && std::fs::symlink_metadata(project_file).is_ok() {
        return Err(FormatError::project_exists(project_file));
    }
    let (project, report, written) = write_corpus(imported, corpus_dir, annotator, force)?;
    let saved = if force {
        crate::file::save(&project, project_file)
    } else {
        crate::file::save_new(&project, project_file)
    };
    // On failure `written` is dropped here, which removes the texts.
    saved.map_err(|e| {
        if e.source.kind() == std::io::ErrorKind::AlreadyExists {
            FormatError::project_exists(project_file)
        } else {
            FormatError::Write {
                path: e.path,
                source: e.source,
            }
        }
    })?;
    written.keep();
    Ok((project, report))
}

/// [`import_project_reported`], its report as one list, the notes first
/// ([`ImportReport::lines`]).
pub fn import_project(
    imported: Imported,
    project_file: &Path,
    corpus_dir: &Path,
    annotator: &str,
    force: bool,
) -> Result<(Project, Vec<String>), FormatError> {
    import_project_reported(imported, project_file, corpus_dir, annotator, force)
        .map(|(project, report)| (project, report.lines()))
}

/// Builds the project of `imported` ([`project_of`]) and writes its texts under `corpus_dir`
/// (see [`build_project`]; with `force`, texts with other bytes are replaced, with a backup).
fn write_corpus(
    imported: Imported,
    corpus_dir: &Path,
    annotator: &str,
    force: bool,
) -> Result<(Project, ImportReport, crate::file::WrittenFiles), FormatError> {
    let (mut project, report, texts) = project_of(imported, corpus_dir, annotator)?;
    let mut writes = Vec::with_capacity(texts.len());
    let mut conflicts = Vec::new();
    let found: Vec<_> = texts
        .par_iter()
        .map(|(file, text)| existing(file, text.as_bytes()))
        .collect();
    for ((file, text), found) in texts.iter().zip(found) {
        match found? {
            Existing::None => writes.push((file.clone(), text.as_bytes(), WriteMode::New)),
            Existing::Same => {}
            Existing::Other if force => {
                writes.push((file.clone(), text.as_bytes(), WriteMode::Replace));
            }
            Existing::Other => conflicts.push(file),
        }
    }
    if let Some(first) = conflicts.first() {
        return Err(FormatError::exists(first, conflicts.len() - 1));
    }
    let written = crate::file::write_files(corpus_dir, &writes).map_err(|e| {
        if e.source.kind() == std::io::ErrorKind::AlreadyExists {
            // Written by someone else since it was compared.
            FormatError::exists(&e.path, 0)
        } else {
            FormatError::Write {
                path: e.path,
                source: e.source,
            }
        }
    })?;
    project.corpus_root = crate::file::absolute(corpus_dir);
    Ok((project, report, written))
}

/// What is at the path of a text to write.
enum Existing {
    /// Nothing.
    None,
    /// A file with the same bytes.
    Same,
    /// Something else.
    Other,
}

/// What is at `file`, compared with `bytes` (read only when the sizes agree).
fn existing(file: &Path, bytes: &[u8]) -> Result<Existing, FormatError> {
    let metadata = match std::fs::metadata(file) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            // A dangling link is something there all the same.
            return Ok(if std::fs::symlink_metadata(file).is_ok() {
                Existing::Other
            } else {
                Existing::None
            });
        }
        Err(error) => return Err(FormatError::read(file)(error)),
    };
    if !metadata.is_file() || metadata.len() != bytes.len() as u64 {
        return Ok(Existing::Other);
    }
    let there = crate::corpus::read_limited(file, bytes.len() as u64)?;
    Ok(if there == bytes {
        Existing::Same
    } else {
        Existing::Other
    })
}

/// Why a text is not written as it is: the reason the loader would refuse it (over the size
/// limit, or binary by [`crate::corpus::looks_binary`]), worded for the report.
fn unloadable(text: &str) -> Option<String> {
    let limit = crate::corpus::max_file_bytes();
    if text.len() as u64 > limit {
        return Some(format!(
            "its text is {} MB, more than the limit of {} MB for a document (set {} to a \
             larger number of MB to import it)",
            (text.len() as u64).div_ceil(1 << 20),
            limit >> 20,
            crate::corpus::MAX_FILE_MB_VAR
        ));
    }
    crate::corpus::looks_binary(text.as_bytes()).then(|| {
        "its text holds a NUL character near its start, which makes it a binary file that \
         Marginalia would not open"
            .to_owned()
    })
}

/// The texts an import writes: each file with its text.
type Texts = Vec<(PathBuf, Arc<str>)>;

/// The project of `imported`, the report, and the texts to write under `corpus_dir`. Reads the
/// corpus folder (where names lead) but writes nothing. Linear in the size of the import: spans
/// and links go straight into their documents, with fresh ids, sorted once.
fn project_of(
    imported: Imported,
    corpus_dir: &Path,
    annotator: &str,
) -> Result<(Project, ImportReport, Texts), FormatError> {
    let mut report = imported.report;
    let mut notes = imported.notes;
    let mut schema = Schema {
        labels: Vec::new(),
        relations: Vec::new(),
        attributes: Vec::new(),
        patterns: Vec::new(),
        document_attributes: Vec::new(),
    };
    let defaults = Schema::default();
    let real_root = corpus_dir.canonicalize().ok();
    let mut labels = BTreeSet::new();
    let mut seen_paths = BTreeSet::new();
    let mut seen_files = BTreeSet::new();
    let mut documents = Vec::with_capacity(imported.documents.len());
    let mut texts = Vec::with_capacity(imported.documents.len());
    let mut pending = Vec::new();
    for mut doc in imported.documents {
        // A name that would lead outside the corpus folder (absolute, `..`) is never used as is.
        // Nor one the loader would refuse (not `.txt`, in a hidden folder).
        let mut file = crate::corpus::resolve_in(corpus_dir, real_root.as_deref(), &doc.path);
        if let Err(error) = file {
            let safe = confined_name(&doc.path);
            let why = match error {
                crate::corpus::CorpusError::NotACorpusText(_) => {
                    "a corpus text is a .txt file outside hidden folders"
                }
                _ => "this name leads outside the corpus folder",
            };
            notes.push(format!(
                "{:?}: {why}: the text is written as {safe:?}",
                doc.path
            ));
            doc.path = safe;
            file = crate::corpus::resolve_in(corpus_dir, real_root.as_deref(), &doc.path);
        }
        let file = file.map_err(|e| FormatError::parse(corpus_dir, 0, e.to_string()))?;
        if !seen_paths.insert(doc.path.clone()) || !seen_files.insert(file.clone()) {
            report.push(format!(
                "{}: a second document with this name was left out",
                doc.path
            ));
            continue;
        }
        if let Some(why) = unloadable(&doc.text) {
            report.push(format!("{}: left out: {why}", doc.path));
            continue;
        }
        for span in &doc.spans {
            if !labels.contains(&span.label) {
                labels.insert(span.label.clone());
                let color = imported
                    .colors
                    .get(&span.label)
                    .copied()
                    .or_else(|| defaults.label(&span.label).map(|l| l.color))
                    .unwrap_or_else(|| {
                        PALETTE
                            .get(schema.labels.len() % PALETTE.len())
                            .copied()
                            .unwrap_or(crate::schema::Rgb([128, 128, 128]))
                    });
                let description = defaults
                    .label(&span.label)
                    .map(|l| l.description.clone())
                    .unwrap_or_default();
                let key = (1..=9)
                    .map(|n| n.to_string())
                    .find(|k| schema.label_for_key(k).is_none())
                    .unwrap_or_default();
                schema.labels.push(LabelDef {
                    name: span.label.clone(),
                    color,
                    key,
                    description,
                });
            }
        }
        let text: Arc<str> = Arc::from(doc.text.as_str());
        texts.push((file, Arc::clone(&text)));
        let status = doc.status.unwrap_or(if doc.spans.is_empty() {
            Status::ToDo
        } else {
            Status::Done
        });
        documents.push(Document {
            path: doc.path.clone(),
            hash: crate::corpus::sha256_hex(doc.text.as_bytes()),
            text,
            status,
            metadata: doc.metadata,
            attributes: doc.attributes,
            ..Document::default()
        });
        pending.push((doc.path, doc.spans, doc.relations));
    }
    if pending.iter().all(|(_, spans, _)| spans.is_empty()) {
        // Texts without a single span (a corpus to annotate): the labels of a new project.
        schema = Schema::default();
    }
    let unnamed =
        add_document_attributes(&mut schema, imported.document_attributes, &mut documents);
    if unnamed > 0 {
        report.push(format!(
            "{unnamed} document attribute value(s) had no attribute name: left out"
        ));
    }
    let mut project = Project::new(
        annotator.to_owned(),
        crate::file::absolute(corpus_dir),
        schema,
        documents,
    );
    let now = Timestamp::now();
    for (path, spans, relations) in pending {
        // `Project::new` sorted the documents by path; the paths are distinct.
        let Ok(doc) = project
            .documents
            .binary_search_by(|d| d.path.as_str().cmp(&path))
        else {
            continue;
        };
        // Each key's span: its id and its place in `annotations` (for its label).
        let mut keys: HashMap<String, (Id, usize)> = HashMap::with_capacity(spans.len());
        let mut annotations = Vec::with_capacity(spans.len());
        let text = project
            .documents
            .get(doc)
            .map(|d| Arc::clone(&d.text))
            .unwrap_or_default();
        for span in spans {
            let id = project.allocate_id();
            // What `Edit::AddAnnotation` checks; the label is in the schema, the id is fresh.
            if let Err(error) = crate::model::check_fragments(&text, &span.fragments) {
                report.push(format!(
                    "{path}: span {} ({}) left out: {error}",
                    span.key, span.label
                ));
                continue;
            }
            keys.insert(span.key, (id, annotations.len()));
            annotations.push(Annotation {
                id,
                label: span.label,
                fragments: span.fragments,
                annotator: span.annotator.unwrap_or_else(|| annotator.to_owned()),
                note: span.note,
                created: now,
                // Attributes go straight in: the schema learns them from what was imported.
                attributes: span.attributes,
                suggested: span.suggested,
                provenance: None,
            });
        }
        let mut links = Vec::with_capacity(relations.len());
        let label = |at: usize| {
            annotations
                .get(at)
                .map_or("", |a: &Annotation| a.label.as_str())
        };
        for relation in relations {
            let (Some(&(from, from_at)), Some(&(to, to_at))) =
                (keys.get(&relation.from), keys.get(&relation.to))
            else {
                report.push(format!(
                    "{path}: relation {} {} → {} left out: an end is missing",
                    relation.kind, relation.from, relation.to
                ));
                continue;
            };
            match project
                .schema
                .relations
                .iter_mut()
                .find(|r| r.name == relation.kind)
            {
                Some(def) => {
                    let (from_label, to_label) = (label(from_at), label(to_at));
                    if !def.from.iter().any(|l| l == from_label) {
                        def.from.push(from_label.to_owned());
                    }
                    if !def.to.iter().any(|l| l == to_label) {
                        def.to.push(to_label.to_owned());
                    }
                }
                None => project.schema.relations.push(RelationDef {
                    name: relation.kind.clone(),
                    from: vec![label(from_at).to_owned()],
                    to: vec![label(to_at).to_owned()],
                    description: String::new(),
                }),
            }
            let id = project.allocate_id();
            // What `Edit::AddRelation` checks; the type allows these labels (just learnt).
            if from == to {
                report.push(format!(
                    "{path}: a relation was left out: {}",
                    crate::edit::EditError::SelfRelation
                ));
                continue;
            }
            // Ids grow: the links are sorted by id.
            links.push(Relation {
                id,
                kind: relation.kind,
                from,
                to,
                annotator: annotator.to_owned(),
                created: now,
            });
        }
        // Ids are unique: the order is total.
        annotations.sort_unstable_by_key(Annotation::sort_key);
        if let Some(document) = project.documents.get_mut(doc) {
            document.annotations = annotations;
            document.relations = links;
            document.annotations_changed();
        }
    }
    // Attributes met become schema attributes, so that the app can edit them.
    let mut attributes: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    for document in &project.documents {
        for annotation in &document.annotations {
            for (name, value) in &annotation.attributes {
                attributes
                    .entry((annotation.label.as_str(), name.as_str()))
                    .or_default()
                    .insert(value.as_str());
            }
        }
    }
    for ((label, name), values) in attributes {
        let known = defaults.attributes_of(label).find(|a| a.name == name);
        let description = known.map(|a| a.description.clone()).unwrap_or_default();
        let key = known.map(|a| a.key.clone()).unwrap_or_default();
        project.schema.attributes.push(crate::schema::AttributeDef {
            label: label.to_owned(),
            name: name.to_owned(),
            values: values.into_iter().map(str::to_owned).collect(),
            description,
            key,
        });
    }
    for relation in &mut project.schema.relations {
        relation.from.sort();
        relation.to.sort();
    }
    let report = ImportReport {
        notes,
        not_imported: report,
    };
    Ok((project, report, texts))
}

/// Adds to `schema` the document attributes the source `declared` and those the `documents`
/// hold values of, unless the schema defines one of that name already. One declared keeps its
/// values as declared (none: free text), so that a value outside them is reported by `check` as
/// in the project exported; one only met in documents lists the values met, sorted. A key is the
/// project's choice: none is set. Values of an attribute without a name (blank) are taken out of
/// the documents: returns how many.
fn add_document_attributes(
    schema: &mut Schema,
    declared: Vec<crate::schema::DocAttributeDef>,
    documents: &mut [Document],
) -> usize {
    let mut unnamed = 0;
    for document in documents.iter_mut() {
        let before = document.attributes.len();
        document
            .attributes
            .retain(|name, _| !name.trim().is_empty());
        unnamed += before - document.attributes.len();
    }
    let mut defs: Vec<crate::schema::DocAttributeDef> = declared
        .into_iter()
        .filter(|d| !d.name.trim().is_empty())
        .collect();
    let mut met: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for document in &*documents {
        for (name, value) in &document.attributes {
            met.entry(name).or_default().insert(value);
        }
    }
    for (name, values) in met {
        if !defs.iter().any(|d| d.name == name) {
            defs.push(crate::schema::DocAttributeDef {
                name: name.to_owned(),
                values: values.into_iter().map(str::to_owned).collect(),
                description: String::new(),
                key: String::new(),
            });
        }
    }
    for mut def in defs {
        if schema.document_attribute(&def.name).is_none() {
            def.key.clear();
            schema.document_attributes.push(def);
        }
    }
    unnamed
}

/// Runs `work` on every item on all cores, a batch at a time, and hands each batch's results, in
/// order, to `done` on this thread (to write them in order and report progress), with the number
/// of items done so far.
pub(crate) fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&T) -> R + Sync,
    mut done: impl FnMut(usize, Vec<R>) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    let batch = (rayon::current_num_threads() * 32).max(1);
    let mut finished = 0;
    for chunk in items.chunks(batch) {
        let results: Vec<R> = chunk.par_iter().map(&work).collect();
        finished += chunk.len();
        done(finished, results)?;
    }
    Ok(())
}

/// A file name for a document in a folder export: its path with `/` kept as folders, a final
/// `.txt` replaced by `.EXTENSION` (any other dot is part of the name: `report.2024-01.txt` gives
/// `report.2024-01.ann`), `.EXTENSION` added to a name without `.txt`.
pub fn relative_out(doc: &ExportDoc<'_>, extension: &str) -> PathBuf {
    PathBuf::from(format!("{}.{extension}", doc.name()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `in_parallel` hands every result, in the order of the items, batch after batch, with the
    /// running count, even when early items take much longer than late ones (they finish out of
    /// order on the threads).
    #[test]
    fn k_in_parallel_keeps_the_order_of_uneven_work() {
        let items: Vec<u64> = (0..1000).collect();
        let slow = |&x: &u64| {
            let rounds = if x % 97 < 5 { 20_000 } else { 1 };
            (0..rounds).fold(x, |acc, i| std::hint::black_box(acc ^ i) ^ i)
        };
        let mut seen = Vec::new();
        let mut counts = Vec::new();
        in_parallel(&items, slow, |finished, results| {
            seen.extend(results);
            counts.push(finished);
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, items);
        assert_eq!(counts.last(), Some(&1000));
        assert!(counts.windows(2).all(|w| w[0] < w[1]));
        in_parallel(&[] as &[u64], slow, |_, _| panic!("no batch for no items")).unwrap();
    }

    /// A panic in the work reaches the caller, as in a plain loop, instead of the batch going on
    /// without the results of the thread that panicked.
    #[test]
    fn k_in_parallel_carries_a_panic_to_the_caller() {
        let items: Vec<u64> = (0..300).collect();
        let mut handed = 0;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            in_parallel(
                &items,
                |&x| assert!(x != 123, "item {x}"),
                |_, results| {
                    handed += results.len();
                    Ok(())
                },
            )
        }));
        assert!(outcome.is_err());
        assert!(handed < 300, "{handed} results handed on after a panic");
    }

    /// Runs a file exporter into `out`, committed when it succeeds.
    pub(crate) fn to_file<R>(
        out: &Path,
        write: impl FnOnce(&mut crate::file::AtomicFile) -> Result<R, FormatError>,
    ) -> Result<R, FormatError> {
        let mut file = crate::file::AtomicFile::create_output(out)?;
        let result = write(&mut file)?;
        file.commit()?;
        Ok(result)
    }

    /// Runs a folder exporter into `out`, committed when it succeeds.
    pub(crate) fn to_folder<R>(
        out: &Path,
        write: impl FnOnce(&crate::file::AtomicFolder) -> Result<R, FormatError>,
    ) -> Result<R, FormatError> {
        let folder = crate::file::AtomicFolder::create(out, "test", |_| Ok(()))?;
        let result = write(&folder)?;
        folder.commit()?;
        Ok(result)
    }

    /// The JSON lines of the file at `path`, each read as a `T`.
    pub(crate) fn json_lines<T: serde::de::DeserializeOwned>(path: &Path) -> Vec<T> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// A small corpus with the hard cases: BOM, CRLF, emoji, combining marks, Arabic, an empty
    /// document, a span at the very end, nested and discontinuous spans, a link.
    pub(crate) fn torture_project() -> Project {
        let texts = [
            (
                "a-bom-crlf.txt",
                "\u{feff}Le Kremlin 😀 a dit\r\n« Vos soldats se sont battus », a déclaré Poutine.\r\n",
            ),
            ("b-arabic.txt", "قال المتحدث إن e\u{301}te\u{301} 👩‍👩‍👧 fin"),
            ("c-empty.txt", ""),
        ];
        let documents = texts
            .iter()
            .map(|(path, text)| Document {
                path: (*path).to_owned(),
                hash: crate::corpus::sha256_hex(text.as_bytes()),
                text: Arc::from(*text),
                status: Status::Done,
                ..Document::default()
            })
            .collect();
        let mut project =
            Project::new("zoé".into(), "/corpus".into(), Schema::default(), documents);
        let add = |project: &mut Project, doc: usize, label: &str, phrases: &[&str], note: &str| {
            let text = project.documents[doc].text.clone();
            let fragments = phrases
                .iter()
                .map(|p| {
                    let start = text.find(p).unwrap();
                    ByteRange::new(start, start + p.len())
                })
                .collect();
            let id = project.allocate_id();
            let annotation = Annotation {
                id,
                label: label.into(),
                fragments,
                annotator: "zoé".into(),
                note: note.into(),
                created: Timestamp(1_800_000_000),
                attributes: BTreeMap::new(),
                suggested: None,
                provenance: None,
            };
            crate::edit::Edit::AddAnnotation { doc, annotation }
                .apply(project)
                .unwrap();
            id
        };
        let claim = add(
            &mut project,
            0,
            "claim",
            &["« Vos soldats se sont battus »"],
            "citation, \"exacte\"\nsur deux lignes",
        );
        let source = add(&mut project, 0, "source", &["Poutine"], "");
        add(&mut project, 0, "source", &["Le Kremlin"], "");
        add(&mut project, 0, "claim", &["Le Kremlin 😀 a dit"], "nested");
        add(
            &mut project,
            0,
            "boilerplate",
            &["Poutine."],
            "at the very end",
        );
        add(
            &mut project,
            1,
            "claim",
            &["قال", "e\u{301}te\u{301}"],
            "discontinuous",
        );
        add(&mut project, 1, "source", &["المتحدث"], "");
        add(&mut project, 1, "boilerplate", &["👩‍👩‍👧 fin"], "");
        let relation = Relation {
            id: project.allocate_id(),
            kind: "attributed-to".into(),
            from: claim,
            to: source,
            annotator: "zoé".into(),
            created: Timestamp(1_800_000_000),
        };
        crate::edit::Edit::AddRelation { doc: 0, relation }
            .apply(&mut project)
            .unwrap();
        project
    }

    /// The torture project with document attributes and metadata in hard text: a list attribute
    /// with accented and Arabic values, a yes/no one, a free text one with emoji and Arabic; a
    /// value outside the schema's list; metadata with a doccano id, accents, emoji, Arabic, a
    /// number; the empty document (no span) with an attribute only.
    pub(crate) fn attributed_project() -> Project {
        let mut project = torture_project();
        let def = |name: &str, values: &[&str], key: &str| crate::schema::DocAttributeDef {
            name: name.to_owned(),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
            description: format!("guideline of {name}"),
            key: key.to_owned(),
        };
        project.schema.document_attributes = vec![
            def("genre", &["news", "tribune libre é", "رأي"], "g"),
            def("to-check", &["yes", "no"], "c"),
            def("résumé", &[], ""),
        ];
        let set = |project: &mut Project, doc: usize, pairs: &[(&str, &str)]| {
            project.documents[doc].attributes = pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect();
        };
        set(
            &mut project,
            0,
            &[
                ("genre", "tribune libre é"),
                ("to-check", "yes"),
                ("résumé", "Poutine « salue » 😀, قال"),
            ],
        );
        set(
            &mut project,
            1,
            &[("genre", "رأي"), ("to-check", "peut-être 🤔")],
        );
        set(&mut project, 2, &[("to-check", "no")]);
        project.documents[0].metadata = [
            ("id", serde_json::json!(42)),
            ("title", serde_json::json!("Titre « é » 😀")),
            ("url", serde_json::json!("https://ex.fr/é?q=1")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        project.documents[1].metadata = [
            ("auteur", serde_json::json!("كاتب e\u{301}")),
            ("shares", serde_json::json!(3)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        project
    }

    /// The document attributes of `project`, by document path.
    pub(crate) fn attributes_by_path(
        project: &Project,
    ) -> BTreeMap<String, BTreeMap<String, String>> {
        project
            .documents
            .iter()
            .map(|d| (d.path.clone(), d.attributes.clone()))
            .collect()
    }

    /// Asserts that `imported` holds the texts of `project` and each of its fragments as a span of
    /// the same label, with as many links: what formats without discontinuous spans carry back.
    pub(crate) fn assert_fragments_come_back(project: &Project, imported: &Imported) {
        for (doc, back) in project.documents.iter().zip(&imported.documents) {
            assert_eq!(&*doc.text, back.text);
            let ours: Vec<(String, ByteRange)> = doc
                .annotations
                .iter()
                .flat_map(|a| a.fragments.iter().map(|f| (a.label.clone(), *f)))
                .collect();
            let theirs: Vec<(String, ByteRange)> = back
                .spans
                .iter()
                .map(|s| (s.label.clone(), s.fragments[0]))
                .collect();
            assert_eq!(ours, theirs, "{}", doc.path);
            assert_eq!(doc.relations.len(), back.relations.len(), "{}", doc.path);
        }
    }

    /// Document metadata goes back where each format keeps it — jsonl `meta`, doccano's columns
    /// beside `text`, CSV `meta.KEY` columns — and jsonl and doccano imports give it back
    /// unchanged, apart from the document attributes.
    #[test]
    fn h_metadata_is_exported_back_into_jsonl_doccano_and_csv() {
        let project = attributed_project();
        let dir = tempfile::tempdir().unwrap();
        let metadata = |p: &Project| -> BTreeMap<String, crate::model::Metadata> {
            p.documents
                .iter()
                .map(|d| (d.path.clone(), d.metadata.clone()))
                .collect()
        };
        for format in [Format::Jsonl, Format::Doccano] {
            let out = dir.path().join(format!("{}.jsonl", format.name()));
            export(
                &project,
                format,
                &ExportOptions::default(),
                &out,
                &mut |_, _| {},
            )
            .unwrap();
            let lines: Vec<serde_json::Value> = json_lines(&out);
            let (title, shares) = match format {
                Format::Jsonl => (&lines[0]["meta"]["title"], &lines[1]["meta"]["shares"]),
                _ => (&lines[0]["title"], &lines[1]["shares"]),
            };
            assert_eq!(title, "Titre « é » 😀", "{format:?}");
            assert_eq!(shares, 3, "{format:?}");
            let (back, _) = build_project(
                import(format, &out).unwrap(),
                &dir.path().join(format!("corpus-{}", format.name())),
                "zoé",
            )
            .unwrap();
            let mut expected = metadata(&project);
            if format == Format::Doccano {
                // A document without a doccano id gets its line's, which it keeps from then on.
                for (n, meta) in expected.values_mut().enumerate() {
                    meta.entry("id".to_owned())
                        .or_insert_with(|| serde_json::json!(n + 1));
                }
            }
            assert_eq!(metadata(&back), expected, "{format:?}");
            assert_eq!(
                tests::attributes_by_path(&back),
                tests::attributes_by_path(&project),
                "{format:?}"
            );
        }
        let out = dir.path().join("spans.csv");
        export(
            &project,
            Format::Csv,
            &ExportOptions::default(),
            &out,
            &mut |_, _| {},
        )
        .unwrap();
        let (_, rows) = crate::formats::csv::tests::rows_of(&out);
        let arabic = rows
            .iter()
            .find(|r| r["document"] == "b-arabic.txt")
            .unwrap();
        assert_eq!(arabic["meta.auteur"], "كاتب e\u{301}");
        assert_eq!(arabic["meta.shares"], "3");
        assert_eq!(arabic["meta.title"], "");
        let first = rows
            .iter()
            .find(|r| r["document"] == "a-bom-crlf.txt")
            .unwrap();
        assert_eq!(first["meta.url"], "https://ex.fr/é?q=1");
    }

    #[test]
    fn selection_filters_documents_labels_and_boilerplate_and_keeps_whole_links() {
        let mut project = torture_project();
        project.documents[1].status = Status::InProgress;
        let all = select(&project, &ExportOptions::default()).0;
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].annotations.len(), 5);
        assert_eq!(all[0].relations.len(), 1);
        let options = ExportOptions {
            only_done: true,
            boilerplate: false,
            ..ExportOptions::default()
        };
        let done = select(&project, &options).0;
        assert_eq!(done.len(), 2);
        assert!(done[0].annotations.iter().all(|a| a.label != BOILERPLATE));
        let only_claims = ExportOptions {
            labels: Some(["claim".to_owned()].into()),
            ..ExportOptions::default()
        };
        let claims = select(&project, &only_claims).0;
        assert!(claims[0].annotations.iter().all(|a| a.label == "claim"));
        assert!(
            claims[0].relations.is_empty(),
            "a link whose source is not exported is left out"
        );
    }

    #[test]
    fn spans_are_located_by_code_points_or_else_utf16_units() {
        let text = "😀 Kim a dit";
        let index = CodePointIndex::new(text);
        let utf16 = Utf16Index::default();
        // Code points: "Kim" is 2..5.
        assert_eq!(
            locate(text, &index, &utf16, 2, 5, Some("Kim")),
            Ok((ByteRange::new(5, 8), Located::CodePoints))
        );
        // UTF-16 (the emoji counts two): "Kim" is 3..6.
        assert_eq!(
            locate(text, &index, &utf16, 3, 6, Some("Kim")),
            Ok((ByteRange::new(5, 8), Located::Utf16))
        );
        assert!(locate(text, &index, &utf16, 3, 6, Some("Poutine")).is_err());
        assert!(locate(text, &index, &utf16, 3, 60, None).is_err());
    }

    /// The old conversion: a walk over the text for each span (quadratic on a long document
    /// with emoji, where every span needs it), kept to check the indexed one against.
    fn utf16_by_walking(text: &str, start: usize, end: usize) -> Option<ByteRange> {
        if start >= end {
            return None;
        }
        let (mut units, mut found_start, mut found_end) = (0, None, None);
        for (byte, ch) in text
            .char_indices()
            .chain(std::iter::once((text.len(), '\0')))
        {
            if units == start {
                found_start = Some(byte);
            }
            if units == end {
                found_end = Some(byte);
                break;
            }
            units += ch.len_utf16();
        }
        Some(ByteRange::new(found_start?, found_end?))
    }

    #[test]
    fn utf16_offsets_convert_by_index_as_by_walking_the_text() {
        let text = "😀é😀😀 a\u{10348}b👩‍👩‍👧 fin😀";
        let index = CodePointIndex::new(text);
        let utf16 = Utf16Index::default();
        let units = text.encode_utf16().count();
        for start in 0..=units + 1 {
            for end in 0..=units + 1 {
                assert_eq!(
                    utf16_to_bytes(&index, utf16.astral(text), start, end),
                    utf16_by_walking(text, start, end),
                    "{start}..{end}"
                );
            }
        }
        // Built once for the text, whatever the number of spans.
        assert_eq!(utf16.0.get().map(Vec::len), Some(8));
    }

    #[test]
    fn code_point_ranges_convert_to_bytes() {
        let text = "\u{feff}é😀a";
        let index = CodePointIndex::new(text);
        assert_eq!(
            code_points_to_bytes(&index, 1, 3),
            Some(ByteRange::new(3, 9))
        );
        assert_eq!(code_points_to_bytes(&index, 3, 9), None);
        assert_eq!(code_points_to_bytes(&index, 2, 2), None);
    }
}
