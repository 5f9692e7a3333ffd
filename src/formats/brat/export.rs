//! Writing a brat folder: the `.txt` and `.ann` files, and the two `.conf` files (from
//! [`super::conf`]).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use crate::file::AtomicFolder;
use crate::formats::{ExportDoc, ExportReport, FormatError, Progress, relative_out};
use crate::model::Id;
use crate::schema::Schema;
use crate::text::ByteRange;

use super::conf::{CONF_HEADER, Names, value_form};
use super::offsets::Offsets;
use super::{ANNOTATOR_NOTES, DISCONTINUOUS_SEPARATOR, NOTE_ATTRIBUTE};

/// Writes a brat folder: `<name>.txt` and `<name>.ann` for each document (in subfolders as the
/// documents are), `annotation.conf` generated from the schema, and `visual.conf` with the
/// label colours and their names as Marginalia shows them. Into the new folder `out`,
/// committed by the caller; messages name the files where they will be.
pub fn export(
    docs: &[ExportDoc<'_>],
    schema: &Schema,
    out: &AtomicFolder,
    progress: Progress<'_>,
) -> Result<ExportReport, FormatError> {
    let names = Names::new(docs, schema);
    let mut report = ExportReport::default();
    let mut counts = ExportCounts::default();
    // Documents whose names are already brat text names keep them: they are taken first.
    let mut written: BTreeSet<PathBuf> = docs
        .iter()
        .map(|doc| (doc, relative_out(doc, "txt")))
        .filter(|(doc, txt)| fits(txt) && txt.to_str() == Some(doc.document.path.as_str()))
        .map(|(_, txt)| txt)
        .collect();
    // File names first, in order (they must stay distinct); then texts and .ann files on all cores.
    let jobs: Vec<(&ExportDoc<'_>, PathBuf, PathBuf)> = docs
        .iter()
        .filter_map(|doc| {
            output_paths(doc, &mut written, &mut report.notes).map(|(txt, ann)| (doc, txt, ann))
        })
        .collect();
    // Folders once, not once a file.
    let folders: BTreeSet<&Path> = jobs.iter().filter_map(|(_, txt, _)| txt.parent()).collect();
    for folder in folders {
        std::fs::create_dir_all(out.path().join(folder))
            .map_err(FormatError::write(&out.target().join(folder)))?;
    }
    let work = |(doc, txt_path, ann_path): &(&ExportDoc<'_>, PathBuf, PathBuf)| {
        let mut counts = ExportCounts::default();
        let mut notes = Vec::new();
        let text = &*doc.document.text;
        write_file(out, txt_path, text.as_bytes())?;
        let (lines, spans, relations) = ann_text(doc, &names, &mut counts, &mut notes);
        write_file(out, ann_path, lines.as_bytes())?;
        Ok::<_, FormatError>((spans, relations, counts, notes))
    };
    crate::formats::in_parallel(&jobs, work, |finished, results| {
        for result in results {
            let (spans, relations, doc_counts, mut notes) = result?;
            report.documents += 1;
            report.spans += spans;
            report.relations += relations;
            counts.split_spans += doc_counts.split_spans;
            counts.other_line_ends += doc_counts.other_line_ends;
            report.notes.append(&mut notes);
        }
        progress(finished, docs.len());
        Ok(())
    })?;
    write_file(
        out,
        Path::new("annotation.conf"),
        names.annotation_conf().as_bytes(),
    )?;
    write_file(
        out,
        Path::new("visual.conf"),
        names.visual_conf(schema).as_bytes(),
    )?;
    report.notes.extend(names.renamed_notes());
    report.notes.extend(counts.notes());
    Ok(report)
}

/// Whether the folder `dir` is a previous brat export by Marginalia, which a new export may
/// replace whole: an `annotation.conf` it wrote, and nothing but folders, `.txt`, `.ann` and
/// `.conf` files, and links (which are deleted with the folder, never followed). `Err` says what
/// shows it is not one.
pub fn previous_export(dir: &Path) -> Result<(), String> {
    use std::io::Read as _;
    let conf = dir.join("annotation.conf");
    let mut start = Vec::new();
    let ours = std::fs::symlink_metadata(&conf).is_ok_and(|m| m.is_file())
        && std::fs::File::open(&conf)
            .and_then(|file| file.take(CONF_HEADER.len() as u64).read_to_end(&mut start))
            .is_ok()
        && start == CONF_HEADER.as_bytes();
    if !ours {
        return Err("it has no annotation.conf written by Marginalia".to_owned());
    }
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&folder)
            .map_err(|e| format!("it cannot be read: {e}"))?
            .flatten()
            .collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| format!("it cannot be read: {e}"))?;
            let known = matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("txt" | "ann" | "conf")
            );
            if kind.is_dir() {
                stack.push(path);
            } else if !known && !kind.is_symlink() {
                let relative = path.strip_prefix(dir).unwrap_or(&path);
                return Err(format!("it holds {}", relative.display()));
            }
        }
    }
    Ok(())
}

/// Where a document's `.txt` and `.ann` go, relative to the export folder: its own path when it
/// ends in `.txt` (other dots kept: `report.2024-01.txt`), with `.txt` added otherwise; `None`
/// (with a note) when its name cannot be a relative path. Two documents whose names would give
/// the same file get distinct files. Every file named otherwise than its document is in `notes`.
fn output_paths(
    doc: &ExportDoc<'_>,
    written: &mut BTreeSet<PathBuf>,
    notes: &mut Vec<String>,
) -> Option<(PathBuf, PathBuf)> {
    let txt = relative_out(doc, "txt");
    if !fits(&txt) {
        notes.push(format!(
            "{}: left out: its name cannot be a file in the export folder",
            doc.document.path
        ));
        return None;
    }
    let own = txt.to_str() == Some(doc.document.path.as_str());
    if own || written.insert(txt.clone()) {
        if !own {
            notes.push(format!(
                "{}: written as {} (a brat text is a .txt file)",
                doc.document.path,
                txt.display()
            ));
        }
        return Some((txt, relative_out(doc, "ann")));
    }
    let free = (2..=written.len() + 2)
        .map(|k| format!("{}-{k}", doc.name()))
        .find(|stem| !written.contains(&PathBuf::from(format!("{stem}.txt"))))?;
    let txt = PathBuf::from(format!("{free}.txt"));
    notes.push(format!(
        "{}: written as {} (another document already gives {})",
        doc.document.path,
        txt.display(),
        relative_out(doc, "txt").display()
    ));
    written.insert(txt.clone());
    Some((txt, PathBuf::from(format!("{free}.ann"))))
}

/// True when `relative` can be a file inside the export folder.
fn fits(relative: &Path) -> bool {
    !relative.as_os_str().is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Writes the file `relative` of the export folder `out`.
fn write_file(out: &AtomicFolder, relative: &Path, contents: &[u8]) -> Result<(), FormatError> {
    out.write(relative, contents)
        .map_err(FormatError::write(&out.target().join(relative)))
}

/// What the export changed to fit brat, counted over all documents for the report.
#[derive(Default)]
struct ExportCounts {
    /// Spans with a fragment across a line break, split there.
    split_spans: usize,
    /// Notes with line ends other than `\n` (`\r`, U+2028…), written as line breaks between
    /// notes.
    other_line_ends: usize,
}

impl ExportCounts {
    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.split_spans > 0 {
            notes.push(format!(
                "{} span(s) crossed a line break: their fragments were split at the line breaks, \
                 which are left out (a brat fragment cannot hold a line break)",
                self.split_spans
            ));
        }
        if self.other_line_ends > 0 {
            notes.push(format!(
                "{} note(s) had line ends other than \\n (\\r, U+2028…): written as plain line \
                 breaks (a brat note is one line: a note of several lines is written as one note \
                 a line, which an import joins with \\n)",
                self.other_line_ends
            ));
        }
        notes
    }
}

/// The `.ann` text of one document, with the numbers of spans and relations written.
fn ann_text(
    doc: &ExportDoc<'_>,
    names: &Names,
    counts: &mut ExportCounts,
    notes: &mut Vec<String>,
) -> (String, usize, usize) {
    let text = &*doc.document.text;
    let index = Offsets::brat(text);
    let mut lines = String::new();
    let mut t_of: std::collections::HashMap<Id, usize> =
        std::collections::HashMap::with_capacity(doc.annotations.len());
    let (mut attributes, mut comments, mut relations) = (0, 0, 0);
    for annotation in &doc.annotations {
        let pieces = split_at_line_breaks(text, &annotation.fragments);
        if pieces.is_empty() {
            notes.push(format!(
                "{}: a {} span left out: it covers nothing but line breaks",
                doc.document.path, annotation.label
            ));
            continue;
        }
        if annotation
            .fragments
            .iter()
            .any(|f| f.slice(text).contains(['\r', '\n']))
        {
            counts.split_spans += 1;
        }
        let t = t_of.len() + 1;
        t_of.insert(annotation.id, t);
        // Written straight into the file's text: no string a fragment (exports are large).
        let _ = write!(lines, "T{t}\t{}", names.label(&annotation.label));
        for (n, piece) in pieces.iter().enumerate() {
            let separator = if n == 0 { ' ' } else { ';' };
            let _ = write!(
                lines,
                "{separator}{} {}",
                index.char_of_byte(piece.start),
                index.char_of_byte(piece.end)
            );
        }
        lines.push('\t');
        for (n, piece) in pieces.iter().enumerate() {
            if n > 0 {
                lines.push_str(DISCONTINUOUS_SEPARATOR);
            }
            lines.push_str(piece.slice(text));
        }
        lines.push('\n');
        for (name, value) in &annotation.attributes {
            if name.starts_with(NOTE_ATTRIBUTE) {
                continue;
            }
            let attribute = names.attribute(name);
            attributes += 1;
            if names.is_binary(name) {
                let _ = writeln!(lines, "A{attributes}\t{attribute} T{t}");
            } else {
                let _ = writeln!(
                    lines,
                    "A{attributes}\t{attribute} T{t} {}",
                    value_form(value)
                );
            }
        }
        // The note, one AnnotatorNotes a line, then the notes of other types kept as
        // attributes `brat:#TYPE`: each line exactly as it is.
        let kept = annotation
            .attributes
            .iter()
            .filter_map(|(name, value)| Some((name.strip_prefix(NOTE_ATTRIBUTE)?, value)));
        let all = (!annotation.note.is_empty())
            .then_some((ANNOTATOR_NOTES, &annotation.note))
            .into_iter()
            .chain(kept);
        for (kind, note) in all {
            let kind = names.note_type(kind);
            if note.contains(OTHER_LINE_ENDS) {
                counts.other_line_ends += 1;
            }
            let note = if note.contains('\r') {
                std::borrow::Cow::Owned(note.replace("\r\n", "\n"))
            } else {
                std::borrow::Cow::Borrowed(note.as_str())
            };
            for line in note.split(|c| c == '\n' || OTHER_LINE_ENDS.contains(&c)) {
                comments += 1;
                let _ = writeln!(lines, "#{comments}\t{kind} T{t}\t{line}");
            }
        }
    }
    for relation in &doc.relations {
        let (Some(from), Some(to)) = (t_of.get(&relation.from), t_of.get(&relation.to)) else {
            notes.push(format!(
                "{}: a {} relation left out: one of its spans could not be written",
                doc.document.path, relation.kind
            ));
            continue;
        };
        relations += 1;
        let _ = writeln!(
            lines,
            "R{relations}\t{} Arg1:T{from} Arg2:T{to}\t",
            names.relation(&relation.kind)
        );
    }
    (lines, t_of.len(), relations)
}

/// The fragments cut at line breaks, the break characters left out, empty pieces dropped.
fn split_at_line_breaks(text: &str, fragments: &[ByteRange]) -> Vec<ByteRange> {
    if fragments
        .iter()
        .all(|f| !f.slice(text).contains(['\r', '\n']))
    {
        return fragments.to_vec();
    }
    let mut pieces = Vec::with_capacity(fragments.len());
    for fragment in fragments {
        let mut start = fragment.start;
        for (offset, c) in fragment.slice(text).char_indices() {
            if c == '\r' || c == '\n' {
                let at = fragment.start + offset;
                if at > start {
                    pieces.push(ByteRange::new(start, at));
                }
                start = at + c.len_utf8();
            }
        }
        if fragment.end > start {
            pieces.push(ByteRange::new(start, fragment.end));
        }
    }
    pieces
}

/// What brat's reader of `.ann` files (Python's `splitlines`) also takes for the end of a line,
/// besides `\n`: a note line cannot hold them.
const OTHER_LINE_ENDS: [char; 9] = [
    '\r', '\u{b}', '\u{c}', '\u{1c}', '\u{1d}', '\u{1e}', '\u{85}', '\u{2028}', '\u{2029}',
];
