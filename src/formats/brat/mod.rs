//! brat standoff: a folder of `.txt` and `.ann` files with an `annotation.conf`.
//!
//! The rules followed here are those of brat's own parser (`server/src/annotation.py` and
//! `server/src/projectconfig.py` of nlplab/brat):
//!
//! - every `.ann` line is `ID<TAB>DATA[<TAB>TAIL]`; the id's first character says what the line
//!   is (`T` text-bound, `R` relation, `E` event, `A`/`M` attribute, `N` normalisation, `#`
//!   comment, `*` equivalence);
//! - a text-bound's DATA is `TYPE START END[;START END…]` and its TAIL is the covered text, the
//!   fragments' texts joined by a single space; a fragment cannot hold a line break;
//! - offsets count Unicode code points of the text as brat reads it: a BOM counts one, and the
//!   text is read with universal newlines, so `\r\n` (and a lone `\r`) counts one.
//! - type names (labels, relation types, attribute names) are "storage forms": ASCII letters,
//!   digits, `_` and `-` only (brat's `normalize_to_storage_form` turns anything else into `_`).
//!
//! brat's server opens texts with `codecs.open(…, 'rU')` (universal newlines, nlplab/brat issue
//! #853), so unlike the other formats, brat offsets count `\r\n` as one character. The export
//! writes offsets that way, so that brat shows every span where it is and its text check passes;
//! the `.txt` stays byte for byte. The import reads them that way too, and recognises `.ann` files
//! from tools that counted the raw code points (their covered texts only match that reading),
//! reading those accordingly and saying so.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use super::{
    ExportDoc, ExportReport, FormatError, Imported, ImportedDoc, ImportedRelation, ImportedSpan,
    Progress, relative_out,
};
use crate::file::AtomicFolder;
use crate::model::Id;
use crate::schema::{Rgb, Schema};
use crate::text::{ByteRange, CodePointIndex, Join, merge_ranges};

/// brat's separator between the texts of the fragments of a discontinuous span.
const DISCONTINUOUS_SEPARATOR: &str = " ";

/// The note type brat gives the annotator's notes.
const ANNOTATOR_NOTES: &str = "AnnotatorNotes";

/// Turns off brat's check of overlapping spans: Marginalia allows nested and crossing spans.
const OVERLAP_ANY: &str = "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>";

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

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
    let mut written = BTreeSet::new();
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
    super::in_parallel(&jobs, work, |finished, results| {
        for result in results {
            let (spans, relations, doc_counts, mut notes) = result?;
            report.documents += 1;
            report.spans += spans;
            report.relations += relations;
            counts.split_spans += doc_counts.split_spans;
            counts.flattened_notes += doc_counts.flattened_notes;
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

/// How the `annotation.conf` that [`export`] writes begins: what marks a folder as an export by
/// Marginalia, which a later export may replace whole.
const CONF_HEADER: &str = "# brat annotation configuration, written by Marginalia";

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

/// Where a document's `.txt` and `.ann` go, relative to the export folder; `None` (with a note)
/// when its name cannot be a relative path. Two documents whose names would give the same file
/// get distinct files.
fn output_paths(
    doc: &ExportDoc<'_>,
    written: &mut BTreeSet<PathBuf>,
    notes: &mut Vec<String>,
) -> Option<(PathBuf, PathBuf)> {
    let txt = relative_out(doc, "txt");
    if txt.as_os_str().is_empty() || !txt.components().all(|c| matches!(c, Component::Normal(_))) {
        notes.push(format!(
            "{}: left out: its name cannot be a file in the export folder",
            doc.document.path
        ));
        return None;
    }
    if written.insert(txt.clone()) {
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
    /// Notes whose line breaks or tabs became spaces.
    flattened_notes: usize,
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
        if self.flattened_notes > 0 {
            notes.push(format!(
                "{} note(s) had line breaks or tabs, written as spaces (brat notes are one line)",
                self.flattened_notes
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
        let note = one_line(&annotation.note);
        if note != annotation.note.trim() {
            counts.flattened_notes += 1;
        }
        if !note.is_empty() {
            comments += 1;
            let _ = writeln!(lines, "#{comments}\t{ANNOTATOR_NOTES} T{t}\t{note}");
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

/// A note on one line: line breaks and tabs become spaces; surrounding space goes (brat trims it).
fn one_line(note: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = note.trim();
    if trimmed.contains(['\r', '\n', '\t']) {
        std::borrow::Cow::Owned(
            trimmed
                .replace("\r\n", " ")
                .replace(['\r', '\n', '\t'], " "),
        )
    } else {
        std::borrow::Cow::Borrowed(trimmed)
    }
}

/// The storage form of a type name: brat allows only ASCII letters, digits, `_` and `-`, and
/// turns anything else into `_` (`normalize_to_storage_form`). A name of hyphens only would read
/// as a separator line in `annotation.conf`, so it gets a leading `_`.
fn storage_form(name: &str) -> String {
    let mut form: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if form.chars().all(|c| c == '-') {
        form.insert(0, '_');
    }
    form
}

/// An attribute value as `annotation.conf` can list it: no white space, `,` or `|`.
fn value_form(value: &str) -> String {
    let form: String = value
        .chars()
        .map(|c| {
            if c.is_whitespace() || c == ',' || c == '|' {
                '_'
            } else {
                c
            }
        })
        .collect();
    if form.is_empty() {
        "_".to_owned()
    } else {
        form
    }
}

/// brat names for one kind of type (labels, relation types, attribute names), unique and in
/// storage form. Names already valid keep their name; the others get the nearest free one.
#[derive(Default)]
struct Namespace {
    by_name: BTreeMap<String, String>,
    /// Original names, in the order they were met.
    order: Vec<String>,
}

impl Namespace {
    fn new(names: Vec<String>) -> Self {
        let mut order = Vec::new();
        let mut seen = BTreeSet::new();
        for name in names {
            if seen.insert(name.clone()) {
                order.push(name);
            }
        }
        let mut taken: BTreeSet<String> = order
            .iter()
            .filter(|n| storage_form(n) == **n)
            .cloned()
            .collect();
        let mut by_name = BTreeMap::new();
        for name in &order {
            let base = storage_form(name);
            let brat = if base == *name {
                base
            } else {
                let mut candidate = base.clone();
                let mut k = 2;
                while taken.contains(&candidate) {
                    candidate = format!("{base}_{k}");
                    k += 1;
                }
                taken.insert(candidate.clone());
                candidate
            };
            by_name.insert(name.clone(), brat);
        }
        Self { by_name, order }
    }

    fn get(&self, name: &str) -> String {
        self.by_name
            .get(name)
            .cloned()
            .unwrap_or_else(|| storage_form(name))
    }

    /// Like `get`, without a copy for names already known.
    fn get_ref<'a>(&'a self, name: &'a str) -> std::borrow::Cow<'a, str> {
        self.by_name.get(name).map_or_else(
            || std::borrow::Cow::Owned(storage_form(name)),
            |n| std::borrow::Cow::Borrowed(n.as_str()),
        )
    }

    fn renamed(&self) -> impl Iterator<Item = (&String, &String)> {
        self.order.iter().filter_map(|name| {
            self.by_name
                .get(name)
                .filter(|brat| *brat != name)
                .map(|brat| (name, brat))
        })
    }
}

/// How the export names labels, relation types and attributes in brat, with what
/// `annotation.conf` must declare.
struct Names {
    labels: Namespace,
    relations: Namespace,
    attributes: Namespace,
    /// Relation type → labels allowed at each end (empty: any).
    relation_args: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
    /// Attribute name → labels that carry it, and values.
    attribute_args: BTreeMap<String, (Vec<String>, Vec<String>)>,
    /// Attribute values changed to fit `annotation.conf`: (attribute, value, written as).
    renamed_values: BTreeSet<(String, String, String)>,
}

impl Names {
    fn new(docs: &[ExportDoc<'_>], schema: &Schema) -> Self {
        let mut labels: Vec<String> = schema.labels.iter().map(|l| l.name.clone()).collect();
        let mut relations: Vec<String> = schema.relations.iter().map(|r| r.name.clone()).collect();
        let mut attributes: Vec<String> =
            schema.attributes.iter().map(|a| a.name.clone()).collect();
        let mut relation_args: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> =
            BTreeMap::new();
        let mut any_end: BTreeSet<(String, bool)> = BTreeSet::new();
        for def in &schema.relations {
            labels.extend(def.from.iter().chain(&def.to).cloned());
            let entry = relation_args.entry(def.name.clone()).or_default();
            entry.0.extend(def.from.iter().cloned());
            entry.1.extend(def.to.iter().cloned());
            if def.from.is_empty() {
                any_end.insert((def.name.clone(), false));
            }
            if def.to.is_empty() {
                any_end.insert((def.name.clone(), true));
            }
        }
        let mut attribute_args: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
        let push_unique = |list: &mut Vec<String>, item: &str| {
            if !list.iter().any(|i| i == item) {
                list.push(item.to_owned());
            }
        };
        for def in &schema.attributes {
            labels.push(def.label.clone());
            let entry = attribute_args.entry(def.name.clone()).or_default();
            push_unique(&mut entry.0, &def.label);
            for value in &def.values {
                push_unique(&mut entry.1, value);
            }
        }
        let mut used_labels = BTreeSet::new();
        let mut used_relations = BTreeSet::new();
        let mut used_attributes = BTreeSet::new();
        for doc in docs {
            let label_of = |id: Id| {
                doc.annotations
                    .iter()
                    .find(|a| a.id == id)
                    .map(|a| a.label.clone())
            };
            for annotation in &doc.annotations {
                // Check before cloning: exports are large, labels few.
                if !used_labels.contains(&annotation.label) {
                    used_labels.insert(annotation.label.clone());
                }
                for (name, value) in &annotation.attributes {
                    used_attributes.insert(name.clone());
                    let entry = attribute_args.entry(name.clone()).or_default();
                    push_unique(&mut entry.0, &annotation.label);
                    push_unique(&mut entry.1, value);
                }
            }
            for relation in &doc.relations {
                if !used_relations.contains(&relation.kind) {
                    used_relations.insert(relation.kind.clone());
                }
                let entry = relation_args.entry(relation.kind.clone()).or_default();
                if let (Some(from), Some(to)) = (label_of(relation.from), label_of(relation.to)) {
                    entry.0.insert(from);
                    entry.1.insert(to);
                }
            }
        }
        labels.extend(used_labels);
        relations.extend(used_relations);
        attributes.extend(used_attributes);
        // An end declared as "any label" stays so, whatever labels were met there.
        for (name, to) in any_end {
            if let Some(entry) = relation_args.get_mut(&name) {
                if to { entry.1.clear() } else { entry.0.clear() }
            }
        }
        let mut renamed_values = BTreeSet::new();
        for (name, (_, values)) in &attribute_args {
            for value in values {
                let form = value_form(value);
                if form != *value {
                    renamed_values.insert((name.clone(), value.clone(), form));
                }
            }
        }
        Self {
            labels: Namespace::new(labels),
            relations: Namespace::new(relations),
            attributes: Namespace::new(attributes),
            relation_args,
            attribute_args,
            renamed_values,
        }
    }

    fn label<'a>(&'a self, name: &'a str) -> std::borrow::Cow<'a, str> {
        self.labels.get_ref(name)
    }

    fn relation(&self, name: &str) -> String {
        self.relations.get(name)
    }

    fn attribute(&self, name: &str) -> String {
        self.attributes.get(name)
    }

    /// True when the attribute's only value is `true`: written as a brat binary attribute
    /// (`A1<TAB>Name T1`), which is how the import reads one.
    fn is_binary(&self, name: &str) -> bool {
        self.attribute_args
            .get(name)
            .is_some_and(|(_, values)| values.len() == 1 && values.iter().all(|v| v == "true"))
    }

    /// Labels joined by `|` in brat names, or `<ENTITY>` (any) when there are none.
    fn label_list<'a>(&self, labels: impl IntoIterator<Item = &'a String>) -> String {
        let list: Vec<String> = labels
            .into_iter()
            .map(|l| self.label(l).into_owned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if list.is_empty() {
            "<ENTITY>".to_owned()
        } else {
            list.join("|")
        }
    }

    fn annotation_conf(&self) -> String {
        let mut conf = format!("{CONF_HEADER} from its project's schema.\n\n[entities]\n\n");
        for name in &self.labels.order {
            let _ = writeln!(conf, "{}", self.label(name));
        }
        conf.push_str("\n[relations]\n\n# Marginalia allows nested and overlapping spans.\n");
        let _ = writeln!(conf, "{OVERLAP_ANY}");
        for name in &self.relations.order {
            let (from, to) = self.relation_args.get(name).cloned().unwrap_or_default();
            let _ = writeln!(
                conf,
                "{}\tArg1:{}, Arg2:{}",
                self.relation(name),
                self.label_list(&from),
                self.label_list(&to)
            );
        }
        conf.push_str("\n[events]\n\n[attributes]\n\n");
        for name in &self.attributes.order {
            let (labels, values) = self.attribute_args.get(name).cloned().unwrap_or_default();
            let _ = write!(
                conf,
                "{}\tArg:{}",
                self.attribute(name),
                self.label_list(&labels)
            );
            if !self.is_binary(name) && !values.is_empty() {
                let values: Vec<String> = values.iter().map(|v| value_form(v)).collect();
                let _ = write!(conf, ", Value:{}", values.join("|"));
            }
            conf.push('\n');
        }
        conf
    }

    fn visual_conf(&self, schema: &Schema) -> String {
        let mut conf =
            String::from("# brat visual configuration, written by Marginalia.\n\n[labels]\n\n");
        for (name, brat) in self
            .labels
            .renamed()
            .chain(self.relations.renamed())
            .chain(self.attributes.renamed())
        {
            let shown: String = name
                .chars()
                .map(|c| if c == '|' || c.is_control() { ' ' } else { c })
                .collect();
            let _ = writeln!(conf, "{brat} | {}", shown.trim());
        }
        conf.push_str(
            "\n[drawing]\n\nSPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken\n\
             ARC_DEFAULT\tcolor:black, arrowHead:triangle-5\n",
        );
        for label in &schema.labels {
            let _ = writeln!(conf, "{}\tbgColor:{}", self.label(&label.name), label.color);
        }
        conf
    }

    fn renamed_notes(&self) -> Vec<String> {
        let why = "brat type names allow only ASCII letters, digits, _ and -";
        let mut notes = Vec::new();
        for (kind, namespace) in [
            ("label", &self.labels),
            ("relation type", &self.relations),
            ("attribute", &self.attributes),
        ] {
            for (name, brat) in namespace.renamed() {
                notes.push(format!("{kind} {name:?} written as {brat:?}: {why}"));
            }
        }
        for (attribute, value, form) in &self.renamed_values {
            notes.push(format!(
                "value {value:?} of attribute {attribute:?} written as {form:?}: brat attribute values cannot hold spaces, commas or |"
            ));
        }
        notes
    }
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

/// Reads a brat folder: every `.txt` below it with its `.ann` (none: no annotations), sorted by
/// path, and the label colours of its `visual.conf`. What Marginalia cannot hold (events,
/// normalisations, equivalences, notes and attributes on relations or events) and lines that
/// cannot be read are reported, never dropped silently.
pub fn import(input: &Path) -> Result<Imported, FormatError> {
    if !input.is_dir() {
        return Err(FormatError::parse(
            input,
            0,
            "a brat import reads a folder of .txt and .ann files",
        ));
    }
    let Listing {
        texts,
        anns,
        links,
        bad_names,
    } = list_files(input)?;
    let mut imported = Imported::default();
    for link in links {
        imported.report.push(format!(
            "{link}: left out: a symbolic link (an import reads only the files inside its folder)"
        ));
    }
    for name in bad_names {
        imported.report.push(format!(
            "{name}: left out: its name is not valid UTF-8 (shown with \u{fffd} for the bytes that \
             are not): rename it to import it"
        ));
    }
    if texts.is_empty() {
        imported
            .report
            .push(format!("{} holds no .txt file", input.display()));
    }
    let text_set: BTreeSet<&String> = texts.iter().collect();
    for ann in &anns {
        let txt = format!("{}.txt", ann.strip_suffix(".ann").unwrap_or(ann));
        if !text_set.contains(&txt) {
            imported
                .report
                .push(format!("{ann}: left out: there is no {txt} beside it"));
        }
    }
    let limit = crate::corpus::max_file_bytes();
    for path in &texts {
        // A file that cannot be read (over the size limit, binary, gone) is left out and said,
        // as `marginalia new` does: one bad file does not stop the import of the others.
        let file = input.join(path);
        let bytes = match crate::corpus::read_limited(&file, limit) {
            Ok(bytes) if crate::corpus::looks_binary(&bytes) => {
                imported.report.push(format!(
                    "{path}: left out: it looks like a binary file, not text"
                ));
                continue;
            }
            Ok(bytes) => bytes,
            Err(error) => {
                imported
                    .report
                    .push(format!("{path}: left out: {}", with_causes(&error)));
                continue;
            }
        };
        let (text, decoded_from) = crate::corpus::decode(&bytes);
        if let Some(encoding) = decoded_from {
            imported.report.push(format!(
                "{path}: not UTF-8, read as {encoding} (brat expects UTF-8 texts)"
            ));
        }
        let stem = path.strip_suffix(".txt").unwrap_or(path);
        let ann_name = format!("{stem}.ann");
        let ann_file = input.join(&ann_name);
        let (spans, relations) = if ann_file.is_file() {
            let ann_bytes = match crate::corpus::read_limited(&ann_file, limit) {
                Ok(bytes) => bytes,
                Err(error) => {
                    // Its text without its annotations would look imported and be wrong.
                    imported.report.push(format!(
                        "{path}: left out: its annotations cannot be read: {}",
                        with_causes(&error)
                    ));
                    continue;
                }
            };
            let content = String::from_utf8(ann_bytes).unwrap_or_else(|e| {
                imported
                    .report
                    .push(format!("{ann_name}: not UTF-8: invalid bytes replaced"));
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            });
            parse_document(&text, &content, &ann_name, &mut imported.report)
        } else {
            (Vec::new(), Vec::new())
        };
        imported.documents.push(ImportedDoc {
            path: path.clone(),
            text,
            spans,
            relations,
        });
    }
    let visual = input.join("visual.conf");
    // Read as any input is: a regular file within the size limit (a FIFO would hang the import).
    match crate::corpus::read_limited(&visual, crate::corpus::max_file_bytes()) {
        Ok(bytes) => imported.colors = visual_colors(&String::from_utf8_lossy(&bytes)),
        Err(crate::corpus::CorpusError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => imported.report.push(format!(
            "visual.conf could not be read ({error}): no label colours taken"
        )),
    }
    Ok(imported)
}

/// The spans and relations of one brat document: its text and the content of its `.ann` file
/// (named `ann_name` in the report). What cannot be read is reported, with its line.
pub fn parse_document(
    text: &str,
    ann: &str,
    ann_name: &str,
    report: &mut Vec<String>,
) -> (Vec<ImportedSpan>, Vec<ImportedRelation>) {
    let parsed = parse_ann(ann, ann_name, report);
    resolve(text, parsed, ann_name, report)
}

/// The error and its causes, joined by `: `, for a line of the report.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        text.push_str(": ");
        text.push_str(&error.to_string());
        cause = error.source();
    }
    text
}

/// Files found in a brat folder.
#[derive(Default)]
struct Listing {
    /// `.txt` files.
    texts: Vec<String>,
    /// `.ann` files.
    anns: Vec<String>,
    /// Symbolic links (left out).
    links: Vec<String>,
    /// Folders, `.txt` and `.ann` files whose names are not UTF-8, shown lossily (left out).
    bad_names: Vec<String>,
}

/// The `.txt` and `.ann` files below `root`, as sorted relative paths with `/` separators, the
/// symbolic links met (never followed), and the folders, `.txt` and `.ann` files whose names are
/// not UTF-8 (no document path can name them). Hidden files and folders are skipped, as the
/// corpus reader does.
fn list_files(root: &Path) -> Result<Listing, FormatError> {
    fn walk(root: &Path, dir: &Path, found: &mut Listing) -> Result<(), FormatError> {
        for entry in std::fs::read_dir(dir).map_err(FormatError::read(dir))? {
            let entry = entry.map_err(FormatError::read(dir))?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            let kind = entry.file_type().map_err(FormatError::read(&path))?;
            let Ok(relative) = path.strip_prefix(root) else {
                continue;
            };
            let name = || {
                let parts: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                parts.join("/")
            };
            let extension = path.extension().and_then(|e| e.to_str());
            if entry.file_name().to_str().is_none() {
                if kind.is_dir() || matches!(extension, Some("txt" | "ann")) {
                    found.bad_names.push(name());
                }
                continue;
            }
            if kind.is_dir() {
                walk(root, &path, found)?;
                continue;
            }
            if kind.is_symlink() {
                found.links.push(name());
                continue;
            }
            match extension {
                Some("txt") if path.is_file() => found.texts.push(name()),
                Some("ann") if path.is_file() => found.anns.push(name()),
                _ => {}
            }
        }
        Ok(())
    }
    let mut found = Listing::default();
    walk(root, root, &mut found)?;
    found.texts.sort();
    found.anns.sort();
    found.links.sort();
    found.bad_names.sort();
    Ok(found)
}

/// A text-bound line: `T1<TAB>Label 0 5;8 12<TAB>text`.
struct TextBound {
    id: String,
    label: String,
    /// Code point offsets, as listed.
    fragments: Vec<(usize, usize)>,
    /// The third column, when there is one.
    text: Option<String>,
    line: usize,
}

/// A relation line: `R1<TAB>Kind Arg1:T1 Arg2:T2`.
struct RelationLine {
    id: String,
    kind: String,
    from: String,
    to: String,
    line: usize,
}

/// An event line: `E1<TAB>Type:T2 Role:T1…`.
struct EventLine {
    id: String,
    kind: String,
    trigger: String,
    arguments: usize,
    line: usize,
}

/// What an attribute or a note refers to.
struct Reference {
    id: String,
    target: String,
    line: usize,
}

/// The lines of one `.ann` file that need the others to be understood.
#[derive(Default)]
struct Parsed {
    text_bounds: Vec<TextBound>,
    /// `R` lines.
    relations: Vec<RelationLine>,
    /// `E` lines, in file order.
    events: Vec<EventLine>,
    /// `A` and `M` lines: the attribute, its name and value (`None`: binary).
    attributes: Vec<(Reference, String, Option<String>)>,
    /// `#` lines: the comment, its type and text.
    comments: Vec<(Reference, String, String)>,
}

/// True when brat accepts `id` as an annotation id: letters (or `#` and letters) then digits
/// then anything, or `*`.
fn valid_id(id: &str) -> bool {
    if id == "*" {
        return true;
    }
    let letters = |s: &str| {
        s.trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .to_owned()
    };
    let rest = if let Some(after) = id.strip_prefix('#') {
        letters(after)
    } else {
        let rest = letters(id);
        if rest.len() == id.len() {
            return false;
        }
        rest
    };
    rest.starts_with(|c: char| c.is_ascii_digit())
}

/// Reads the lines of one `.ann` file; what cannot be read is reported with its line number.
fn parse_ann(content: &str, file: &str, report: &mut Vec<String>) -> Parsed {
    let mut parsed = Parsed::default();
    let mut seen = BTreeSet::new();
    // A BOM before the first id is not part of it.
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    for (number, raw) in content.split('\n').enumerate() {
        let line = number + 1;
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        if text.trim().is_empty() {
            continue;
        }
        let malformed = |report: &mut Vec<String>, why: &str| {
            report.push(format!("{file}:{line}: line skipped ({why}): {text:?}"));
        };
        let Some((id, rest)) = text.split_once('\t') else {
            malformed(report, "no tab after the id");
            continue;
        };
        if !valid_id(id) {
            malformed(report, "not a brat annotation id");
            continue;
        }
        if id != "*" && !seen.insert(id.to_owned()) {
            malformed(report, &format!("a second annotation with the id {id}"));
            continue;
        }
        let (data, tail) = match rest.split_once('\t') {
            Some((data, tail)) => (data, Some(tail)),
            None => (rest, None),
        };
        let reference = |target: &str| Reference {
            id: id.to_owned(),
            target: target.to_owned(),
            line,
        };
        let words: Vec<&str> = data.split_whitespace().collect();
        match id.chars().next() {
            Some('T') => match parse_text_bound(data) {
                Some((label, fragments)) => parsed.text_bounds.push(TextBound {
                    id: id.to_owned(),
                    label,
                    fragments,
                    text: tail.map(str::to_owned),
                    line,
                }),
                None => malformed(report, "a text-bound needs TYPE START END[;START END…]"),
            },
            Some('R') => match parse_relation(data) {
                Some((kind, from, to)) => parsed.relations.push(RelationLine { id: id.to_owned(), kind, from, to, line }),
                None => malformed(report, "a relation needs TYPE Arg1:ID Arg2:ID"),
            },
            Some('E') => {
                let trigger = words.first().and_then(|w| w.split_once(':'));
                match trigger {
                    Some((kind, trigger)) if !kind.is_empty() && !trigger.is_empty() && !trigger.contains(':') => {
                        parsed.events.push(EventLine {
                            id: id.to_owned(),
                            kind: kind.to_owned(),
                            trigger: trigger.to_owned(),
                            arguments: words.len() - 1,
                            line,
                        });
                    }
                    _ => malformed(report, "an event needs TYPE:TRIGGER [ROLE:ID…]"),
                }
            }
            Some('A') => match parse_attribute(data) {
                Some((name, target, value)) => parsed.attributes.push((reference(&target), name, value)),
                None => malformed(report, "an attribute needs NAME ID [VALUE]"),
            },
            Some('M') => match words.as_slice() {
                [name, target] => parsed.attributes.push((reference(target), (*name).to_owned(), None)),
                _ => malformed(report, "a modifier needs NAME ID"),
            },
            Some('#') => match words.as_slice() {
                [kind, target] => parsed.comments.push((
                    reference(target),
                    (*kind).to_owned(),
                    tail.unwrap_or_default().trim().to_owned(),
                )),
                _ => malformed(report, "a note needs TYPE ID<TAB>TEXT"),
            },
            Some('N') => match words.as_slice() {
                [kind, target, entry, ..] if entry.contains(':') => {
                    let name = tail.map(str::trim).filter(|t| !t.is_empty()).map(|t| format!(" “{t}”")).unwrap_or_default();
                    report.push(format!(
                        "{file}:{line}: {id} ({kind} of {target}: {entry}{name}) not imported: Marginalia has no normalisations"
                    ));
                }
                _ => malformed(report, "a normalisation needs TYPE ID DB:ENTRY"),
            },
            Some('*') => match words.as_slice() {
                [kind, members @ ..] if !members.is_empty() => report.push(format!(
                    "{file}:{line}: equivalence {kind} of {} not imported: Marginalia has no equivalence sets",
                    members.join(", ")
                )),
                _ => malformed(report, "an equivalence needs TYPE ID ID…"),
            },
            _ => malformed(report, "unknown kind of annotation"),
        }
    }
    parsed
}

/// `Label 0 5;8 12` → the label and the fragments as listed, as brat's parser reads them.
fn parse_text_bound(data: &str) -> Option<(String, Vec<(usize, usize)>)> {
    let (label, offsets) = data.split_once(' ')?;
    if label.is_empty() {
        return None;
    }
    let mut fragments = Vec::new();
    for pair in offsets.split(';') {
        let (start, end) = pair.split_once(' ')?;
        let end = end.trim_end();
        if end.contains(char::is_whitespace) {
            return None;
        }
        fragments.push((start.parse().ok()?, end.parse().ok()?));
    }
    Some((label.to_owned(), fragments))
}

/// `Kind Arg1:T1 Arg2:T2` → the type, the first end and the second end. The ends are taken by
/// role when the roles are `Arg1` and `Arg2`, in order otherwise (brat reads them in order).
fn parse_relation(data: &str) -> Option<(String, String, String)> {
    let (kind, rest) = data.split_once(' ')?;
    let args: Vec<(&str, &str)> = rest
        .split_whitespace()
        .map(|a| a.split_once(':'))
        .collect::<Option<_>>()?;
    let [(role_a, a), (role_b, b)] = args.as_slice() else {
        return None;
    };
    if kind.is_empty() || role_a == role_b || a.is_empty() || b.is_empty() {
        return None;
    }
    let (from, to) = if *role_a == "Arg2" && *role_b == "Arg1" {
        (b, a)
    } else {
        (a, b)
    };
    Some((kind.to_owned(), (*from).to_owned(), (*to).to_owned()))
}

/// `Name T1 Value` or the binary `Name T1` (brat: `(.+?) (.+?) (.+?)$`, then `(.+?) (.+?)$`).
fn parse_attribute(data: &str) -> Option<(String, String, Option<String>)> {
    let (name, rest) = data.split_once(' ')?;
    let (target, value) = match rest.split_once(' ') {
        Some((target, value)) if !value.trim().is_empty() => {
            (target, Some(value.trim_end().to_owned()))
        }
        _ => (rest.trim_end(), None),
    };
    (!name.is_empty() && valid_id(target) && target != "*")
        .then(|| (name.to_owned(), target.to_owned(), value))
}

/// How a document's offsets are counted.
#[derive(Debug)]
enum Offsets {
    /// Code points of the raw text.
    Raw(CodePointIndex),
    /// Code points of the text read with universal newlines (`\r\n` and `\r` count one), as
    /// brat's own server reads it: the byte offset of each such character, and of the end.
    UniversalNewlines(Vec<usize>),
}

impl Offsets {
    fn universal(text: &str) -> Self {
        let mut bytes = Vec::with_capacity(text.len() + 1);
        let mut chars = text.char_indices().peekable();
        while let Some((byte, c)) = chars.next() {
            bytes.push(byte);
            if c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n') {
                chars.next();
            }
        }
        bytes.push(text.len());
        Self::UniversalNewlines(bytes)
    }

    /// brat's own count: universal newlines when the text has a carriage return.
    fn brat(text: &str) -> Self {
        if text.contains('\r') {
            Self::universal(text)
        } else {
            Self::Raw(CodePointIndex::new(text))
        }
    }

    /// The offset of a byte on a char boundary (a byte inside a `\r\n` pair counts as its `\r`).
    fn char_of_byte(&self, byte: usize) -> usize {
        match self {
            Self::Raw(index) => index.char_of_byte(byte),
            Self::UniversalNewlines(bytes) => bytes.partition_point(|b| *b < byte),
        }
    }

    fn byte(&self, char_offset: usize) -> Option<usize> {
        match self {
            Self::Raw(index) => index.byte_of_char(char_offset),
            Self::UniversalNewlines(bytes) => bytes.get(char_offset).copied(),
        }
    }

    fn len_chars(&self) -> usize {
        match self {
            Self::Raw(index) => index.len_chars(),
            Self::UniversalNewlines(bytes) => bytes.len().saturating_sub(1),
        }
    }

    /// The byte ranges of code point fragments (as listed), `None` when one does not fit.
    fn ranges(&self, fragments: &[(usize, usize)]) -> Option<Vec<ByteRange>> {
        fragments
            .iter()
            .map(|&(start, end)| Some(ByteRange::new(self.byte(start)?, self.byte(end)?)))
            .collect()
    }
}

/// The text brat expects in the third column: the fragments' texts, as listed, joined by a space.
fn reference_text(text: &str, ranges: &[ByteRange]) -> String {
    let parts: Vec<&str> = ranges.iter().map(|r| r.slice(text)).collect();
    parts.join(DISCONTINUOUS_SEPARATOR)
}

/// True when a third column agrees with the text at the offsets, as brat checks it: the column
/// starts with that text, and whatever follows starts with white space.
fn column_matches(column: &str, expected: &str) -> bool {
    column
        .strip_prefix(expected)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
}

/// How many text-bounds with a third column agree with the text when read with `offsets`.
fn agreeing(text: &str, offsets: &Offsets, text_bounds: &[TextBound]) -> usize {
    text_bounds
        .iter()
        .filter(|tb| {
            tb.text.as_deref().is_some_and(|column| {
                offsets.ranges(&tb.fragments).is_some_and(|ranges| {
                    ranges.iter().all(|r| r.start <= r.end)
                        && column_matches(column, &reference_text(text, &ranges))
                })
            })
        })
        .count()
}

/// brat's own count (universal newlines), unless the text has carriage returns and the third
/// columns agree better with raw code points (a tool that counted `\r\n` as two).
fn choose_offsets(
    text: &str,
    text_bounds: &[TextBound],
    file: &str,
    report: &mut Vec<String>,
) -> Offsets {
    let brat = Offsets::brat(text);
    if !text.contains('\r') {
        return brat;
    }
    let brat_agree = agreeing(text, &brat, text_bounds);
    let with_text = text_bounds.iter().filter(|tb| tb.text.is_some()).count();
    if brat_agree == with_text {
        return brat;
    }
    let raw = Offsets::Raw(CodePointIndex::new(text));
    if agreeing(text, &raw, text_bounds) > brat_agree {
        report.push(format!(
            "{file}: offsets count each \\r\\n of the text as two characters, not as brat does \
             (one): read that way"
        ));
        raw
    } else {
        brat
    }
}

/// Turns the parsed lines of one `.ann` into spans and relations of `text`, reporting what
/// cannot be mapped.
fn resolve(
    text: &str,
    parsed: Parsed,
    file: &str,
    report: &mut Vec<String>,
) -> (Vec<ImportedSpan>, Vec<ImportedRelation>) {
    let Parsed {
        text_bounds,
        relations,
        events,
        attributes,
        comments,
    } = parsed;
    let offsets = choose_offsets(text, &text_bounds, file, report);
    let mut spans: Vec<ImportedSpan> = Vec::with_capacity(text_bounds.len());
    for tb in &text_bounds {
        if let Some(span) = text_bound_span(text, &offsets, tb, file, report) {
            spans.push(span);
        }
    }
    let relation_ids: BTreeSet<String> = relations.iter().map(|r| r.id.clone()).collect();
    let event_ids: BTreeSet<String> = events.iter().map(|e| e.id.clone()).collect();
    let text_bound_ids: BTreeSet<&str> = text_bounds.iter().map(|tb| tb.id.as_str()).collect();
    let span_index: BTreeMap<String, usize> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| (s.key.clone(), i))
        .collect();
    // What an id that is not an imported span refers to.
    let known = |id: &str| -> &'static str {
        if event_ids.contains(id) {
            "event"
        } else if relation_ids.contains(id) {
            "relation"
        } else if text_bound_ids.contains(id) {
            "span that could not be imported"
        } else {
            "annotation that does not exist"
        }
    };
    for EventLine {
        id,
        kind,
        trigger,
        arguments,
        line,
    } in &events
    {
        let plural = if *arguments == 1 { "" } else { "s" };
        let kept = if span_index.contains_key(trigger) {
            format!("; its trigger {trigger} is kept as a {kind} span")
        } else {
            String::new()
        };
        report.push(format!(
            "{file}:{line}: {id} ({kind} event with {arguments} argument{plural}) not imported: Marginalia has no events{kept}"
        ));
    }
    let mut imported_relations = Vec::new();
    for RelationLine {
        id,
        kind,
        from,
        to,
        line,
    } in relations
    {
        let missing: Vec<String> = [&from, &to]
            .into_iter()
            .filter(|end| !span_index.contains_key(*end))
            .map(|end| format!("{end} is {}", with_article(known(end))))
            .collect();
        if missing.is_empty() {
            imported_relations.push(ImportedRelation { kind, from, to });
        } else {
            report.push(format!(
                "{file}:{line}: {id} ({kind} {from} → {to}) not imported: {}",
                missing.join(", ")
            ));
        }
    }
    for (reference, name, value) in attributes {
        let shown = value
            .as_deref()
            .map_or_else(|| name.clone(), |v| format!("{name} = {v}"));
        let Some(span) = span_index
            .get(&reference.target)
            .and_then(|&i| spans.get_mut(i))
        else {
            let what = known(&reference.target);
            let why = match what {
                "event" => "Marginalia has no events",
                "relation" => "relations in Marginalia have no attributes",
                _ => "it is attached to nothing Marginalia imported",
            };
            report.push(format!(
                "{file}:{}: {} ({shown} on {} {}) not imported: {why}",
                reference.line, reference.id, what, reference.target
            ));
            continue;
        };
        let value = value.unwrap_or_else(|| "true".to_owned());
        match span.attributes.get(&name) {
            Some(previous) if *previous != value => report.push(format!(
                "{file}:{}: {} ({shown} on {}) not imported: {} already has {name} = {previous}",
                reference.line, reference.id, reference.target, reference.target
            )),
            _ => {
                span.attributes.insert(name, value);
            }
        }
    }
    for (reference, kind, note) in comments {
        let Some(span) = span_index
            .get(&reference.target)
            .and_then(|&i| spans.get_mut(i))
        else {
            let what = known(&reference.target);
            let why = match what {
                "event" => "Marginalia has no events",
                "relation" => "relations in Marginalia have no notes",
                _ => "it is attached to nothing Marginalia imported",
            };
            report.push(format!(
                "{file}:{}: {} ({kind} on {what} {}: “{note}”) not imported: {why}",
                reference.line, reference.id, reference.target
            ));
            continue;
        };
        if note.is_empty() {
            continue;
        }
        let note = if kind == ANNOTATOR_NOTES {
            note
        } else {
            format!("{kind}: {note}")
        };
        if !span.note.is_empty() {
            span.note.push('\n');
        }
        span.note.push_str(&note);
    }
    (spans, imported_relations)
}

/// "an event", "a relation"…
fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// The span of one text-bound line, or `None` (reported) when its offsets do not fit the text.
fn text_bound_span(
    text: &str,
    offsets: &Offsets,
    tb: &TextBound,
    file: &str,
    report: &mut Vec<String>,
) -> Option<ImportedSpan> {
    // Only for the report: most spans never need it.
    let at = || format!("{file}:{}: {} ({})", tb.line, tb.id, tb.label);
    if let Some(&(start, end)) = tb.fragments.iter().find(|(start, end)| start > end) {
        report.push(format!(
            "{} not imported: its fragment {start}-{end} ends before it starts",
            at()
        ));
        return None;
    }
    let Some(ranges) = offsets.ranges(&tb.fragments) else {
        report.push(format!(
            "{} not imported: its offsets go past the end of the text ({} characters)",
            at(),
            offsets.len_chars()
        ));
        return None;
    };
    let expected = reference_text(text, &ranges);
    if let Some(column) = &tb.text
        && !column_matches(column, &expected)
    {
        report.push(format!(
            "{}: its text “{column}” does not match the text at its offsets, “{}”: the offsets were kept",
            at(),
            expected.replace('\n', "\\n").replace('\r', "\\r")
        ));
    }
    let nonempty: Vec<ByteRange> = ranges.into_iter().filter(|r| !r.is_empty()).collect();
    let count = nonempty.len();
    let fragments = merge_ranges(nonempty, Join::Overlapping);
    if fragments.len() < count {
        report.push(format!("{}: overlapping fragments merged", at()));
    }
    if fragments.is_empty() {
        report.push(format!("{} not imported: it covers no text", at()));
        return None;
    }
    Some(ImportedSpan {
        key: tb.id.clone(),
        label: tb.label.clone(),
        fragments,
        annotator: None,
        note: String::new(),
        attributes: BTreeMap::new(),
    })
}

/// The `bgColor:#rrggbb` (or `#rgb`) of each type in the `[drawing]` section of a `visual.conf`.
fn visual_colors(conf: &str) -> BTreeMap<String, Rgb> {
    let mut colors = BTreeMap::new();
    let mut section = String::new();
    for line in conf.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            name.trim().clone_into(&mut section);
            continue;
        }
        if section != "drawing" {
            continue;
        }
        let Some((label, settings)) = trimmed.split_once(char::is_whitespace) else {
            continue;
        };
        for setting in settings.split(',') {
            let Some(("bgColor", value)) = setting.trim().split_once(':') else {
                continue;
            };
            let value = value.trim();
            let long = match value.strip_prefix('#') {
                Some(hex) if hex.len() == 3 && hex.is_ascii() => {
                    format!("#{}", hex.chars().flat_map(|c| [c, c]).collect::<String>())
                }
                _ => value.to_owned(),
            };
            if let Ok(color) = long.parse::<Rgb>() {
                colors.insert(label.to_owned(), color);
            }
        }
    }
    colors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::tests::{to_folder, torture_project};
    use crate::formats::{ExportOptions, build_project, select};
    use crate::model::Project;

    /// brat's tutorial corpus, kept unchanged in the shared fixtures.
    fn tutorial() -> Option<PathBuf> {
        let folder =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/brat-tutorial-news");
        if folder.is_dir() {
            Some(folder)
        } else {
            eprintln!(
                "skipped: the brat fixture folder {} is absent",
                folder.display()
            );
            None
        }
    }

    fn export_project(project: &Project, out: &Path) -> ExportReport {
        let (docs, _) = select(project, &ExportOptions::default());
        let mut calls = Vec::new();
        let report = to_folder(out, |folder| {
            export(&docs, &project.schema, folder, &mut |done, total| {
                calls.push((done, total));
            })
        })
        .unwrap();
        // Progress comes a batch of documents at a time, rising to all of them.
        assert_eq!(calls.last(), Some(&(docs.len(), docs.len())));
        assert!(calls.windows(2).all(|w| w[0].0 < w[1].0));
        report
    }

    fn doc<'a>(imported: &'a Imported, path: &str) -> &'a ImportedDoc {
        imported
            .documents
            .iter()
            .find(|d| d.path == path)
            .unwrap_or_else(|| panic!("no document {path}"))
    }

    fn span<'a>(doc: &'a ImportedDoc, key: &str) -> &'a ImportedSpan {
        doc.spans
            .iter()
            .find(|s| s.key == key)
            .unwrap_or_else(|| panic!("no span {key} in {}", doc.path))
    }

    fn span_text(text: &str, span: &ImportedSpan) -> String {
        span.fragments
            .iter()
            .map(|f| f.slice(text))
            .collect::<Vec<_>>()
            .join(" ")
    }

    // -----------------------------------------------------------------------------------------
    // A validator that follows brat's own parser (server/src/annotation.py) and configuration
    // reader (server/src/projectconfig.py), written apart from the importer so that it does not
    // share its mistakes.
    // -----------------------------------------------------------------------------------------

    #[derive(Default, Debug)]
    struct Conf {
        entities: BTreeSet<String>,
        /// Relation type → allowed Arg1 types, allowed Arg2 types.
        relations: BTreeMap<String, (Vec<String>, Vec<String>)>,
        /// Attribute → types it attaches to, values (empty: binary).
        attributes: BTreeMap<String, (Vec<String>, Vec<String>)>,
    }

    fn is_storage_form(term: &str) -> bool {
        !term.is_empty()
            && term
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    }

    /// Reads an `annotation.conf` as brat does, collecting what breaks its rules.
    fn read_conf(conf: &str, problems: &mut Vec<String>) -> Conf {
        let mut result = Conf::default();
        let mut section = String::new();
        for (number, line) in conf.split('\n').enumerate() {
            let at = format!("annotation.conf:{}", number + 1);
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            if let Some(name) = line
                .trim()
                .strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
            {
                section = name.to_owned();
                if !["entities", "relations", "events", "attributes"].contains(&name) {
                    problems.push(format!("{at}: unexpected section [{name}]"));
                }
                continue;
            }
            if line.starts_with(char::is_whitespace) {
                problems.push(format!(
                    "{at}: indented line (a child in brat's hierarchy): {line:?}"
                ));
            }
            if line.trim().chars().all(|c| c == '-') {
                problems.push(format!("{at}: a line of hyphens is a separator: {line:?}"));
            }
            // brat: ^(\s*)(\S+)(?:\s+(.*))?$ ; terms split on |, arguments on ,
            let line = line.trim();
            let (terms, args) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let terms: Vec<&str> = terms
                .split('|')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .collect();
            let Some(&term) = terms.first() else {
                problems.push(format!("{at}: no term"));
                continue;
            };
            let special = section == "relations" && term == "<OVERLAP>";
            if !special && !is_storage_form(term) {
                problems.push(format!(
                    "{at}: {term:?} is not a storage form (^[a-zA-Z0-9_-]*$)"
                ));
            }
            let mut parsed: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for arg in args.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                // brat: ^(\S*?):(\S*)$
                let Some((key, types)) = arg
                    .split_once(':')
                    .filter(|_| !arg.contains(char::is_whitespace))
                else {
                    problems.push(format!("{at}: argument {arg:?} is not KEY:TYPE|TYPE…"));
                    continue;
                };
                if types.split('|').any(|t| t.trim().is_empty()) {
                    problems.push(format!("{at}: empty type in {arg:?}"));
                }
                if parsed
                    .insert(
                        key.to_owned(),
                        types.split('|').map(str::to_owned).collect(),
                    )
                    .is_some()
                {
                    problems.push(format!("{at}: argument {key} twice"));
                }
            }
            let get = |key: &str| parsed.get(key).cloned().unwrap_or_default();
            match section.as_str() {
                "entities" => {
                    result.entities.insert(term.to_owned());
                }
                "relations" if !special => {
                    if !parsed.contains_key("Arg1") || !parsed.contains_key("Arg2") {
                        problems.push(format!("{at}: a relation needs Arg1 and Arg2"));
                    }
                    result
                        .relations
                        .insert(term.to_owned(), (get("Arg1"), get("Arg2")));
                }
                "attributes" => {
                    if !parsed.contains_key("Arg") {
                        problems.push(format!("{at}: an attribute needs Arg"));
                    }
                    result
                        .attributes
                        .insert(term.to_owned(), (get("Arg"), get("Value")));
                }
                _ => {}
            }
        }
        result
    }

    /// brat's id rule: ^([A-Za-z]+|#[A-Za-z]*)([0-9]+)(.*?)$
    fn brat_id(id: &str) -> bool {
        let after = id.strip_prefix('#').map_or_else(
            || {
                let rest = id.trim_start_matches(|c: char| c.is_ascii_alphabetic());
                (rest.len() < id.len()).then_some(rest)
            },
            |rest| Some(rest.trim_start_matches(|c: char| c.is_ascii_alphabetic())),
        );
        after.is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    }

    fn allows(types: &[String], label: &str) -> bool {
        types
            .iter()
            .any(|t| t == label || t == "<ENTITY>" || t == "<ANY>")
    }

    /// Checks every `.txt`/`.ann` pair of a brat folder against brat's rules; returns the problems.
    fn validate(folder: &Path) -> Vec<String> {
        let mut problems = Vec::new();
        let conf = std::fs::read_to_string(folder.join("annotation.conf")).unwrap();
        let conf = read_conf(&conf, &mut problems);
        let texts = list_files(folder).unwrap().texts;
        assert!(!texts.is_empty());
        for path in texts {
            // brat reads texts with universal newlines.
            let text: Vec<char> = std::fs::read_to_string(folder.join(&path))
                .unwrap()
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .chars()
                .collect();
            let ann_name = format!("{}.ann", path.strip_suffix(".txt").unwrap());
            let ann = std::fs::read_to_string(folder.join(&ann_name))
                .unwrap_or_else(|_| panic!("no {ann_name}"));
            if !ann.is_empty() && !ann.ends_with('\n') {
                problems.push(format!("{ann_name}: the last line has no line break"));
            }
            let mut ids: BTreeMap<String, String> = BTreeMap::new(); // id → type of a text-bound, or ""
            let mut references: Vec<(String, String)> = Vec::new(); // (where, id that must be a T)
            let mut relation_ends: Vec<(String, String, String, String)> = Vec::new();
            for (number, line) in ann.lines().enumerate() {
                let at = format!("{ann_name}:{}", number + 1);
                if line.contains('\r') {
                    problems.push(format!("{at}: carriage return in a line"));
                }
                let Some((id, rest)) = line.split_once('\t') else {
                    problems.push(format!("{at}: no tab"));
                    continue;
                };
                if !brat_id(id) {
                    problems.push(format!("{at}: invalid id {id:?}"));
                }
                let (data, tail) = rest
                    .split_once('\t')
                    .map_or((rest, None), |(d, t)| (d, Some(t)));
                match id.chars().next() {
                    Some('T') => {
                        let Some((label, offsets)) = data.split_once(' ') else {
                            problems.push(format!("{at}: no offsets"));
                            continue;
                        };
                        if !conf.entities.contains(label) {
                            problems.push(format!(
                                "{at}: entity type {label:?} not in annotation.conf"
                            ));
                        }
                        let mut seen: Vec<(usize, usize)> = Vec::new();
                        let mut parts = Vec::new();
                        for pair in offsets.split(';') {
                            let numbers: Vec<&str> = pair.split(' ').collect();
                            let [start, end] = numbers.as_slice() else {
                                problems.push(format!("{at}: fragment {pair:?} is not START END"));
                                continue;
                            };
                            let (Ok(start), Ok(end)) =
                                (start.parse::<usize>(), end.parse::<usize>())
                            else {
                                problems.push(format!("{at}: offsets {pair:?} are not numbers"));
                                continue;
                            };
                            if start >= end || end > text.len() {
                                problems.push(format!("{at}: fragment {start} {end} empty or past the text ({} chars)", text.len()));
                                continue;
                            }
                            // brat: `if end >= ostart and start < oend` → overlap
                            if seen.iter().any(|&(os, oe)| end >= os && start < oe) {
                                problems.push(format!("{at}: fragments overlap"));
                            }
                            seen.push((start, end));
                            let part: String = text[start..end].iter().collect();
                            if part.contains(['\n', '\r']) {
                                problems.push(format!(
                                    "{at}: fragment {start} {end} holds a line break"
                                ));
                            }
                            parts.push(part);
                        }
                        let expected = parts.join(" ");
                        if tail != Some(expected.as_str()) {
                            problems.push(format!(
                                "{at}: text column {tail:?} is not the covered text {expected:?}"
                            ));
                        }
                        ids.insert(id.to_owned(), label.to_owned());
                    }
                    Some('R') => {
                        let words: Vec<&str> = data.split(' ').collect();
                        let [kind, arg1, arg2] = words.as_slice() else {
                            problems.push(format!("{at}: a relation needs TYPE Arg1:ID Arg2:ID"));
                            continue;
                        };
                        if !conf.relations.contains_key(*kind) {
                            problems.push(format!(
                                "{at}: relation type {kind:?} not in annotation.conf"
                            ));
                        }
                        match (arg1.split_once(':'), arg2.split_once(':')) {
                            (Some(("Arg1", a)), Some(("Arg2", b))) => {
                                relation_ends.push((
                                    at.clone(),
                                    (*kind).to_owned(),
                                    a.to_owned(),
                                    b.to_owned(),
                                ));
                            }
                            _ => problems.push(format!("{at}: roles are not Arg1 and Arg2")),
                        }
                        if tail.is_some_and(|t| !t.is_empty()) {
                            problems.push(format!("{at}: text after a relation"));
                        }
                        ids.insert(id.to_owned(), String::new());
                    }
                    Some('A') => {
                        let words: Vec<&str> = data.splitn(3, ' ').collect();
                        let (name, target, value) = match words.as_slice() {
                            [name, target] => (*name, *target, None),
                            [name, target, value] => (*name, *target, Some(*value)),
                            _ => {
                                problems.push(format!("{at}: an attribute needs NAME ID [VALUE]"));
                                continue;
                            }
                        };
                        match (conf.attributes.get(name), value) {
                            (None, _) => problems
                                .push(format!("{at}: attribute {name:?} not in annotation.conf")),
                            (Some((_, values)), None) if !values.is_empty() => {
                                problems.push(format!("{at}: {name} needs a value"));
                            }
                            (Some((_, values)), Some(value))
                                if !values.iter().any(|v| v == value) =>
                            {
                                problems.push(format!(
                                    "{at}: value {value:?} of {name} not in annotation.conf"
                                ));
                            }
                            _ => {}
                        }
                        references.push((at.clone(), target.to_owned()));
                        ids.insert(id.to_owned(), String::new());
                    }
                    Some('#') => {
                        let words: Vec<&str> = data.split_whitespace().collect();
                        let [_, target] = words.as_slice() else {
                            problems.push(format!("{at}: a note needs TYPE ID"));
                            continue;
                        };
                        references.push((at.clone(), (*target).to_owned()));
                        ids.insert(id.to_owned(), String::new());
                    }
                    _ => problems.push(format!("{at}: unexpected line {line:?}")),
                }
            }
            let distinct: BTreeSet<&str> = ann
                .lines()
                .filter_map(|l| l.split_once('\t'))
                .map(|(id, _)| id)
                .collect();
            if distinct.len() != ann.lines().filter(|l| l.contains('\t')).count() {
                problems.push(format!("{ann_name}: an id is used twice"));
            }
            for (at, target) in references {
                if ids.get(&target).is_none_or(String::is_empty) {
                    problems.push(format!("{at}: {target} is not a text-bound of this file"));
                }
            }
            for (at, kind, a, b) in relation_ends {
                let (Some(from), Some(to)) = (
                    ids.get(&a).filter(|t| !t.is_empty()),
                    ids.get(&b).filter(|t| !t.is_empty()),
                ) else {
                    problems.push(format!("{at}: an end is not a text-bound of this file"));
                    continue;
                };
                if let Some((arg1, arg2)) = conf.relations.get(&kind)
                    && !(allows(arg1, from) && allows(arg2, to))
                {
                    problems.push(format!(
                        "{at}: {kind} from {from} to {to} not allowed by annotation.conf"
                    ));
                }
            }
        }
        problems
    }

    // -----------------------------------------------------------------------------------------

    #[test]
    fn imports_the_brat_tutorial_with_its_attributes_notes_and_relations() {
        let Some(folder) = tutorial() else { return };
        let imported = import(&folder).unwrap();
        let paths: Vec<&str> = imported.documents.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths.len(), 13);
        assert!(
            paths.windows(2).all(|w| w[0] < w[1]),
            "sorted by path: {paths:?}"
        );
        assert_eq!(paths.first(), Some(&"000-introduction.txt"));
        let report = imported.report.join("\n");
        assert!(
            !report.contains("line skipped"),
            "every line of brat's own files reads:\n{report}"
        );
        assert!(!report.contains("does not match"), "{report}");

        // 100: T1 "Somebody", a Person, carries the binary attribute A4 Individual.
        let attributes = doc(&imported, "100-attribute_annotation.txt");
        let somebody = span(attributes, "T1");
        assert_eq!(somebody.label, "Person");
        assert_eq!(span_text(&attributes.text, somebody), "Somebody");
        assert_eq!(
            somebody.attributes,
            BTreeMap::from([("Individual".to_owned(), "true".to_owned())])
        );
        // Its events are reported, one by one, and their triggers kept as spans.
        assert!(report.contains("100-attribute_annotation.ann:18: E1 (Report event with 2 arguments) not imported: Marginalia has no events; its trigger T17 is kept as a Report span"), "{report}");
        assert!(
            report.contains("E2 (Merge-org event with 2 arguments) not imported"),
            "{report}"
        );
        assert_eq!(span(attributes, "T17").label, "Report");
        let events_in = |file: &str| {
            report
                .lines()
                .filter(|l| l.starts_with(file) && l.contains(" event with "))
                .count()
        };
        assert_eq!(
            events_in("100-attribute_annotation.ann"),
            10,
            "ten events in 100"
        );
        // Attributes on events are reported too.
        assert!(report.contains("100-attribute_annotation.ann:27: A1 (Confidence = Neutral on event E1) not imported"), "{report}");

        // 110: a note on a span becomes its note; notes on events and relations are reported.
        let notes = doc(&imported, "110-note_annotation.txt");
        assert_eq!(
            span(notes, "T1").note,
            "Should fictional places be annotated?"
        );
        assert_eq!(span_text(&notes.text, span(notes, "T1")), "Discworld");
        assert!(notes.relations.contains(&ImportedRelation {
            kind: "Family".into(),
            from: "T6".into(),
            to: "T7".into()
        }));
        assert_eq!(span_text(&notes.text, span(notes, "T6")), "Orville Wright");
        assert!(report.contains("110-note_annotation.ann:8: #2 (AnnotatorNotes on event E1: “Annotate as one merge event"), "{report}");
        assert!(report.contains("110-note_annotation.ann:12: #3 (AnnotatorNotes on relation R1: “Should this be marked? It's not explicitly stated.”) not imported"), "{report}");

        // 000: note, attributes with values, normalisation, attribute on an event.
        let intro = doc(&imported, "000-introduction.txt");
        assert_eq!(span(intro, "T2").note, "100000000 USD");
        assert_eq!(
            span(intro, "T4")
                .attributes
                .get("Mention")
                .map(String::as_str),
            Some("Name")
        );
        assert!(intro.relations.contains(&ImportedRelation {
            kind: "Origin".into(),
            from: "T6".into(),
            to: "T7".into()
        }));
        assert!(
            report.contains(
                "N1 (Reference of T5: Wikipedia:64488 “Carlos Salinas de Gortari”) not imported"
            ),
            "{report}"
        );
        assert!(
            report.contains("A5 (Confidence = High on event E1) not imported"),
            "{report}"
        );
        // 060: equivalences are reported.
        assert!(
            report.contains(
                "060-relation_annotation.ann:6: equivalence Alias of T3, T4, T5 not imported"
            ),
            "{report}"
        );
        // 090: events whose arguments are events are reported, not dropped.
        assert_eq!(events_in("090-event_structures.ann"), 6);

        // Every span sits on char boundaries and covers exactly the text of the .ann's third column.
        let mut checked = 0;
        for document in &imported.documents {
            let ann = std::fs::read_to_string(folder.join(document.path.replace(".txt", ".ann")))
                .unwrap();
            let columns: BTreeMap<&str, &str> = ann
                .lines()
                .filter(|l| l.starts_with('T'))
                .map(|l| {
                    let fields: Vec<&str> = l.split('\t').collect();
                    (fields[0], fields[2])
                })
                .collect();
            assert_eq!(
                columns.len(),
                document.spans.len(),
                "{}: every T line imported",
                document.path
            );
            for span in &document.spans {
                assert!(crate::model::check_fragments(&document.text, &span.fragments).is_ok());
                assert_eq!(
                    span_text(&document.text, span),
                    columns[span.key.as_str()],
                    "{} {}",
                    document.path,
                    span.key
                );
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked} spans checked");
        // visual.conf's colours.
        assert_eq!(
            imported.colors.get("Person"),
            Some(&Rgb([0xff, 0x82, 0x1c]))
        );
        assert_eq!(imported.colors.get("Money"), Some(&Rgb([0x00, 0x70, 0x00])));
        assert!(
            !imported.colors.contains_key("SPAN_DEFAULT"),
            "named colours are not taken"
        );
    }

    #[test]
    fn the_tutorial_re_exported_is_valid_brat_and_reads_back_the_same() {
        let Some(folder) = tutorial() else { return };
        let first = import(&folder).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (project, _) = build_project(first.clone(), &dir.path().join("corpus"), "zoé").unwrap();
        let out = dir.path().join("brat");
        let report = export_project(&project, &out);
        assert_eq!(report.documents, 13, "{:?}", report.notes);
        let problems = validate(&out);
        assert!(problems.is_empty(), "{problems:#?}");
        let again = import(&out).unwrap();
        assert_eq!(again.documents.len(), first.documents.len());
        for (a, b) in first.documents.iter().zip(&again.documents) {
            assert_eq!(a.path, b.path);
            assert_eq!(
                std::fs::read(folder.join(&a.path)).unwrap(),
                std::fs::read(out.join(&b.path)).unwrap(),
                "{}",
                a.path
            );
            let shape = |d: &ImportedDoc| {
                let mut spans: Vec<_> = d
                    .spans
                    .iter()
                    .map(|s| {
                        (
                            s.label.clone(),
                            s.fragments.clone(),
                            s.note.clone(),
                            s.attributes.clone(),
                        )
                    })
                    .collect();
                spans.sort();
                let ends = |key: &str| {
                    d.spans
                        .iter()
                        .find(|s| s.key == key)
                        .map(|s| s.fragments.clone())
                };
                let mut relations: Vec<_> = d
                    .relations
                    .iter()
                    .map(|r| (r.kind.clone(), ends(&r.from), ends(&r.to)))
                    .collect();
                relations.sort();
                (spans, relations)
            };
            assert_eq!(shape(a), shape(b), "{}", a.path);
        }
        assert_eq!(
            again.colors.get("Person"),
            Some(&Rgb([0xff, 0x82, 0x1c])),
            "colours written to visual.conf"
        );
    }

    #[test]
    fn the_torture_project_exports_to_valid_brat_and_comes_back_unchanged() {
        let mut project = torture_project();
        let claim = project.documents[0]
            .annotations
            .iter_mut()
            .find(|a| a.note == "nested")
            .unwrap();
        claim.attributes.insert("stance".into(), "affirm".into());
        let dir = tempfile::tempdir().unwrap();
        let report = export_project(&project, dir.path());
        assert_eq!(
            (report.documents, report.spans, report.relations),
            (3, 8, 1)
        );
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.contains("note(s) had line breaks")),
            "{:?}",
            report.notes
        );
        let problems = validate(dir.path());
        assert!(problems.is_empty(), "{problems:#?}");

        let imported = import(dir.path()).unwrap();
        assert!(imported.report.is_empty(), "{:?}", imported.report);
        assert_eq!(imported.documents.len(), 3);
        for (original, back) in project.documents.iter().zip(&imported.documents) {
            assert_eq!(original.path, back.path);
            assert_eq!(*original.text, back.text);
            assert_eq!(
                std::fs::read(dir.path().join(&back.path)).unwrap(),
                original.text.as_bytes(),
                "the .txt is the text, byte for byte"
            );
            let mut expected: Vec<_> = original
                .annotations
                .iter()
                .map(|a| {
                    (
                        a.label.clone(),
                        a.fragments.clone(),
                        a.note.replace('\n', " "),
                        a.attributes.clone(),
                    )
                })
                .collect();
            let mut got: Vec<_> = back
                .spans
                .iter()
                .map(|s| {
                    (
                        s.label.clone(),
                        s.fragments.clone(),
                        s.note.clone(),
                        s.attributes.clone(),
                    )
                })
                .collect();
            expected.sort();
            got.sort();
            assert_eq!(got, expected, "{}", back.path);
            let fragments_of_id = |id| original.annotation(id).unwrap().fragments.clone();
            let fragments_of_key = |key: &str| {
                back.spans
                    .iter()
                    .find(|s| s.key == key)
                    .unwrap()
                    .fragments
                    .clone()
            };
            let expected: Vec<_> = original
                .relations
                .iter()
                .map(|r| {
                    (
                        r.kind.clone(),
                        fragments_of_id(r.from),
                        fragments_of_id(r.to),
                    )
                })
                .collect();
            let got: Vec<_> = back
                .relations
                .iter()
                .map(|r| {
                    (
                        r.kind.clone(),
                        fragments_of_key(&r.from),
                        fragments_of_key(&r.to),
                    )
                })
                .collect();
            assert_eq!(got, expected, "{}", back.path);
        }
        assert_eq!(
            std::fs::read_to_string(dir.path().join("c-empty.ann")).unwrap(),
            ""
        );
    }

    #[test]
    fn offsets_count_code_points_as_brat_reads_the_text_bom_one_crlf_one() {
        let project = torture_project();
        let dir = tempfile::tempdir().unwrap();
        export_project(&project, dir.path());
        let ann = std::fs::read_to_string(dir.path().join("a-bom-crlf.ann")).unwrap();
        // By hand: BOM (1) + "Le Kremlin 😀 a dit" (18: the emoji is one code point) + "\r\n" (one,
        // as brat reads it) = 20; the quote "« Vos soldats se sont battus »" is 30 code points.
        // In bytes the quote starts at 3 + 21 + 2 = 26 (BOM 3 bytes, emoji 4).
        let text = &project.documents[0].text;
        let quote = "« Vos soldats se sont battus »";
        assert_eq!(text.find(quote), Some(26));
        assert_eq!(quote.chars().count(), 30);
        // brat reads the text with universal newlines: "\r\n" counts one, so the quote starts
        // at 20, not 21.
        assert!(ann.contains(&format!("\tclaim 20 50\t{quote}\n")), "{ann}");
        // "Poutine" after: 20 + 30 + ", a déclaré " (12) = 62.
        assert!(ann.contains("\tsource 62 69\tPoutine\n"), "{ann}");
        // The BOM counts one: "Le Kremlin" starts at 1.
        assert!(ann.contains("\tsource 1 11\tLe Kremlin\n"), "{ann}");
        let arabic = std::fs::read_to_string(dir.path().join("b-arabic.ann")).unwrap();
        // "قال" is 3 code points; "e\u{301}te\u{301}" (5 code points: two combining accents)
        // starts after "قال المتحدث إن " (3 + 1 + 7 + 1 + 2 + 1 = 15).
        assert!(
            arabic.contains("\tclaim 0 3;15 20\tقال e\u{301}te\u{301}\n"),
            "{arabic}"
        );
    }

    #[test]
    fn fragments_across_line_breaks_are_split_there() {
        let mut project = torture_project();
        let text = project.documents[0].text.clone();
        let start = text.find("dit\r\n").unwrap();
        let end = text.find(" soldats").unwrap();
        let id = project.allocate_id();
        let annotation = crate::model::Annotation {
            id,
            label: "claim".into(),
            fragments: vec![ByteRange::new(start, end)],
            annotator: "zoé".into(),
            note: String::new(),
            created: crate::model::Timestamp(0),
            attributes: BTreeMap::new(),
            provenance: None,
        };
        crate::edit::Edit::AddAnnotation { doc: 0, annotation }
            .apply(&mut project)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let report = export_project(&project, dir.path());
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.starts_with("1 span(s) crossed a line break")),
            "{:?}",
            report.notes
        );
        let ann = std::fs::read_to_string(dir.path().join("a-bom-crlf.ann")).unwrap();
        assert!(ann.contains("\tclaim 16 19;20 25\tdit « Vos\n"), "{ann}");
        assert!(
            validate(dir.path()).is_empty(),
            "{:?}",
            validate(dir.path())
        );
        let imported = import(dir.path()).unwrap();
        let fragments: Vec<&str> = imported.documents[0]
            .spans
            .iter()
            .find(|s| s.fragments.len() == 2)
            .unwrap()
            .fragments
            .iter()
            .map(|f| f.slice(&text))
            .collect();
        assert_eq!(fragments, ["dit", "« Vos"]);
    }

    #[test]
    fn names_brat_cannot_hold_are_renamed_the_same_way_everywhere() {
        let mut project = torture_project();
        project.schema.labels[1].name = "source citée".into();
        project.schema.relations[0].to = vec!["source citée".into()];
        for annotation in &mut project
            .documents
            .iter_mut()
            .flat_map(|d| d.annotations.iter_mut())
        {
            if annotation.label == "source" {
                annotation.label = "source citée".into();
                annotation
                    .attributes
                    .insert("kind".into(), "news agency".into());
            }
        }
        let kind = project
            .schema
            .attributes
            .iter_mut()
            .find(|a| a.name == "kind")
            .unwrap();
        kind.label = "source citée".into();
        kind.values.push("news agency".into());
        let dir = tempfile::tempdir().unwrap();
        let report = export_project(&project, dir.path());
        assert!(report.notes.iter().any(|n| n == "label \"source citée\" written as \"source_cit_e\": brat type names allow only ASCII letters, digits, _ and -"), "{:?}", report.notes);
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.contains("\"news agency\"") && n.contains("\"news_agency\"")),
            "{:?}",
            report.notes
        );
        let conf = std::fs::read_to_string(dir.path().join("annotation.conf")).unwrap();
        assert!(conf.contains("\nsource_cit_e\n"), "{conf}");
        assert!(
            conf.contains("attributed-to\tArg1:claim, Arg2:source_cit_e\n"),
            "{conf}"
        );
        assert!(conf.contains("kind\tArg:source_cit_e, Value:person|organisation|media|document|anonymous|news_agency\n"), "{conf}");
        let ann = std::fs::read_to_string(dir.path().join("a-bom-crlf.ann")).unwrap();
        assert!(ann.contains("\tsource_cit_e 62 69\tPoutine\n"), "{ann}");
        assert!(ann.contains("\tkind T2 news_agency\n"), "{ann}");
        let visual = std::fs::read_to_string(dir.path().join("visual.conf")).unwrap();
        assert!(visual.contains("source_cit_e | source citée\n"), "{visual}");
        assert!(
            validate(dir.path()).is_empty(),
            "{:?}",
            validate(dir.path())
        );
    }

    #[test]
    fn the_validator_catches_what_brat_refuses() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("annotation.conf"),
            "[entities]\nPerson\nfact/check\n[relations]\n[events]\n[attributes]\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("d.txt"), "ab\ncd").unwrap();
        std::fs::write(
            dir.path().join("d.ann"),
            "T1\tPerson 0 2\tab\nT2\tPerson 1 4\tb\nc\nT3\tPlace 0 1\ta\nT4\tPerson 3 5;0 2\tcd  ab\n#1\tAnnotatorNotes T9\tx\nR1\tKin Arg1:T1 Arg2:T3\t\nT1\tPerson 0 1\ta\nT5\tPerson 2 1;3 9\t\n",
        )
        .unwrap();
        let problems = validate(dir.path()).join("\n");
        for expected in [
            "annotation.conf:3: \"fact/check\" is not a storage form",
            "d.ann:2: fragment 1 4 holds a line break",
            "d.ann:3: line skipped",
            "d.ann:4: entity type \"Place\" not in annotation.conf",
            "d.ann:5: text column Some(\"cd  ab\") is not the covered text \"cd ab\"",
            "d.ann:7: relation type \"Kin\" not in annotation.conf",
            "d.ann: an id is used twice",
            "d.ann:9: fragment 2 1 empty or past the text",
            "d.ann:9: fragment 3 9 empty or past the text",
            "d.ann:6: T9 is not a text-bound of this file",
        ] {
            if expected == "d.ann:3: line skipped" {
                assert!(problems.contains("d.ann:3: no tab"), "{problems}");
                continue;
            }
            assert!(
                problems.contains(expected),
                "{expected:?} not found in:\n{problems}"
            );
        }
    }

    #[test]
    fn storage_forms_stay_distinct() {
        let names = Namespace::new(vec!["a b".into(), "a_b".into(), "a/b".into(), "---".into()]);
        assert_eq!(names.get("a_b"), "a_b", "a valid name keeps its name");
        assert_eq!(names.get("a b"), "a_b_2");
        assert_eq!(names.get("a/b"), "a_b_3");
        assert_eq!(names.get("---"), "_---");
    }

    fn import_one(text: &str, ann: &str) -> Imported {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/doc.txt"), text).unwrap();
        std::fs::write(dir.path().join("sub/doc.ann"), ann).unwrap();
        std::fs::write(dir.path().join("orphan.ann"), "").unwrap();
        import(dir.path()).unwrap()
    }

    #[test]
    fn import_reports_what_it_cannot_read_and_goes_on() {
        let text = "Kim et Moscou ont dit non.";
        let ann = "T1\tSource 7 13;0 3\tMoscou Kim\n\
                   T2\tClaim 0 3\tWrong\n\
                   T1\tSource 0 1\tK\n\
                   no tab here\n\
                   Q1\tWhatever\n\
                   T3\tSource 0 99\tKim\n\
                   T4\tSource 3\tx\n\
                   A1\tStance T2 refute\n\
                   M1\tNegated T2\n\
                   A2\tStance T9 x\n\
                   R1\tSaid Arg2:T2 Arg1:T1\t\n\
                   E1\tSay:T5 Agent:T1\n\
                   T5\tSay 18 21\tdit\n\
                   R2\tAbout Arg1:T2 Arg2:E1\n\
                   #1\tAnnotatorNotes T2\tfirst\n\
                   #2\tAnnotatorNotes T2\t  second  \n\
                   T6\tSource 0 6;3 13\tKim et et Moscou\n";
        let imported = import_one(text, ann);
        let report = imported.report.join("\n");
        assert!(
            report.contains("orphan.ann: left out: there is no orphan.txt beside it"),
            "{report}"
        );
        let doc = doc(&imported, "sub/doc.txt");
        // Fragments listed in reverse are sorted; the third column was checked in listed order.
        assert_eq!(
            span(doc, "T1").fragments,
            [ByteRange::new(0, 3), ByteRange::new(7, 13)]
        );
        assert!(report.contains("sub/doc.ann:2: T2 (Claim): its text “Wrong” does not match the text at its offsets, “Kim”"), "{report}");
        assert_eq!(
            span(doc, "T2").fragments,
            [ByteRange::new(0, 3)],
            "kept despite the mismatch"
        );
        assert!(
            report.contains("sub/doc.ann:3: line skipped (a second annotation with the id T1)"),
            "{report}"
        );
        assert!(
            report.contains("sub/doc.ann:4: line skipped (no tab after the id)"),
            "{report}"
        );
        assert!(
            report.contains("sub/doc.ann:5: line skipped (unknown kind of annotation)"),
            "{report}"
        );
        assert!(report.contains("sub/doc.ann:6: T3 (Source) not imported: its offsets go past the end of the text (26 characters)"), "{report}");
        assert!(
            report.contains("sub/doc.ann:7: line skipped (a text-bound needs"),
            "{report}"
        );
        assert_eq!(
            span(doc, "T2").attributes,
            BTreeMap::from([
                ("Stance".into(), "refute".into()),
                ("Negated".into(), "true".into())
            ])
        );
        assert!(
            report.contains(
                "sub/doc.ann:10: A2 (Stance = x on annotation that does not exist T9) not imported"
            ),
            "{report}"
        );
        assert!(
            doc.relations.contains(&ImportedRelation {
                kind: "Said".into(),
                from: "T1".into(),
                to: "T2".into()
            }),
            "roles read by name"
        );
        assert!(report.contains("E1 (Say event with 1 argument) not imported: Marginalia has no events; its trigger T5 is kept as a Say span"), "{report}");
        assert!(
            report.contains("sub/doc.ann:14: R2 (About T2 → E1) not imported: E1 is an event"),
            "{report}"
        );
        assert_eq!(span(doc, "T2").note, "first\nsecond");
        assert_eq!(span(doc, "T6").fragments, [ByteRange::new(0, 13)]);
        assert!(
            report.contains("sub/doc.ann:17: T6 (Source): overlapping fragments merged"),
            "{report}"
        );
    }

    #[test]
    fn import_reads_offsets_that_count_crlf_as_one_as_brat_itself_does() {
        // brat's server reads "ab\r\ncd" as "ab\ncd": "cd" is 3-5 there, 4-6 in raw code points.
        let imported = import_one("ab\r\ncd\r\nef", "T1\tX 3 5\tcd\nT2\tX 6 8\tef\n");
        let doc = doc(&imported, "sub/doc.txt");
        assert_eq!(span(doc, "T1").fragments, [ByteRange::new(4, 6)]);
        assert_eq!(span(doc, "T2").fragments, [ByteRange::new(8, 10)]);
        assert!(
            imported
                .report
                .iter()
                .all(|r| !r.contains("two characters")),
            "{:?}",
            imported.report
        );
        // A tool that counted the raw code points ("\r\n" as two): recognised, read that way,
        // and said.
        let imported = import_one("ab\r\ncd", "T1\tX 4 6\tcd\n");
        assert_eq!(
            span(doc_of(&imported), "T1").fragments,
            [ByteRange::new(4, 6)]
        );
        assert!(
            imported.report.iter().any(|r| r.contains("two characters")),
            "{:?}",
            imported.report
        );
    }

    #[test]
    fn a_bom_at_the_start_of_an_ann_file_is_not_part_of_the_first_id() {
        let imported = import_one("\u{feff}Kim", "\u{feff}T1\tX 1 4\tKim\r\n");
        assert_eq!(
            span(doc_of(&imported), "T1").fragments,
            [ByteRange::new(3, 6)]
        );
        assert!(
            imported.report.iter().all(|r| !r.contains("sub/doc")),
            "{:?}",
            imported.report
        );
    }

    fn doc_of(imported: &Imported) -> &ImportedDoc {
        doc(imported, "sub/doc.txt")
    }

    #[test]
    fn visual_conf_colours_are_read_best_effort() {
        let colors = visual_colors(
            "[labels]\nA | a\n[drawing]\nA\tbgColor:#102030, fgColor:white\nB bgColor:#abc\nC\tbgColor:red\n",
        );
        assert_eq!(colors.get("A"), Some(&Rgb([0x10, 0x20, 0x30])));
        assert_eq!(colors.get("B"), Some(&Rgb([0xaa, 0xbb, 0xcc])));
        assert_eq!(colors.len(), 2);
    }
}
