//! Reading a brat folder: listing its files, parsing each `.ann`, and turning its lines into
//! spans and relations, reporting what cannot be held.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::formats::{FormatError, Imported, ImportedDoc, ImportedRelation, ImportedSpan};
use crate::text::{ByteRange, CodePointIndex, Join, merge_ranges};

use super::conf::visual_colors;
use super::offsets::{Offsets, column_matches, reference_text};
use super::{ANNOTATOR_NOTES, NOTE_ATTRIBUTE};

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
            .notes
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
            imported.notes.push(format!(
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
                    .notes
                    .push(format!("{ann_name}: not UTF-8: invalid bytes replaced"));
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            });
            read_document(
                &text,
                &content,
                &ann_name,
                &mut imported.notes,
                &mut imported.report,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        imported.documents.push(ImportedDoc {
            path: path.clone(),
            text,
            spans,
            relations,
            ..ImportedDoc::default()
        });
    }
    let visual = input.join("visual.conf");
    // Read as any input is: a regular file within the size limit (a FIFO would hang the import).
    match crate::corpus::read_limited(&visual, crate::corpus::max_file_bytes()) {
        Ok(bytes) => imported.colors = visual_colors(&String::from_utf8_lossy(&bytes)),
        Err(crate::corpus::CorpusError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => imported.notes.push(format!(
            "visual.conf could not be read ({error}): no label colours taken"
        )),
    }
    Ok(imported)
}

/// The spans and relations of one brat document: its text and the content of its `.ann` file
/// (named `ann_name` in the report). What cannot be read is reported, with its line, and so is
/// what was read another way than written (the notes of an import, here in the same list).
pub fn parse_document(
    text: &str,
    ann: &str,
    ann_name: &str,
    report: &mut Vec<String>,
) -> (Vec<ImportedSpan>, Vec<ImportedRelation>) {
    let mut notes = Vec::new();
    let read = read_document(text, ann, ann_name, &mut notes, report);
    report.append(&mut notes);
    read
}

/// [`parse_document`], with what was read another way than written in `notes` and what was not
/// imported in `report`.
fn read_document(
    text: &str,
    ann: &str,
    ann_name: &str,
    notes: &mut Vec<String>,
    report: &mut Vec<String>,
) -> (Vec<ImportedSpan>, Vec<ImportedRelation>) {
    let parsed = parse_ann(ann, ann_name, report);
    resolve(text, parsed, ann_name, notes, report)
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
pub(super) struct Listing {
    /// `.txt` files.
    pub(super) texts: Vec<String>,
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
pub(super) fn list_files(root: &Path) -> Result<Listing, FormatError> {
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
                // The text exactly as written: brat keeps it so on disk (it trims it only to
                // show it).
                [kind, target] => parsed.comments.push((
                    reference(target),
                    (*kind).to_owned(),
                    tail.unwrap_or_default().to_owned(),
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
    notes: &mut Vec<String>,
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
        notes.push(format!(
            "{file}: read with \\r\\n counted as two characters: its offsets count them so (brat \
             itself counts one), and only that way do they fit the texts the file gives its spans"
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
    notes: &mut Vec<String>,
    report: &mut Vec<String>,
) -> (Vec<ImportedSpan>, Vec<ImportedRelation>) {
    let Parsed {
        text_bounds,
        relations,
        events,
        attributes,
        comments,
    } = parsed;
    let offsets = choose_offsets(text, &text_bounds, file, notes);
    let mut spans: Vec<ImportedSpan> = Vec::with_capacity(text_bounds.len());
    for tb in &text_bounds {
        if let Some(span) = text_bound_span(text, &offsets, tb, file, notes, report) {
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
        if name.starts_with(NOTE_ATTRIBUTE) {
            // brat names cannot hold `:` or `#`: only a hand-made file has one.
            report.push(format!(
                "{file}:{}: {} ({shown} on {}) not imported: attribute names starting with \
                 {NOTE_ATTRIBUTE} hold brat notes in Marginalia",
                reference.line, reference.id, reference.target
            ));
            continue;
        }
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
    // Each span's AnnotatorNotes, in file order, become its note, one a line; notes of other
    // types go, one a line too, in the attribute `brat:#TYPE`. Both exactly as written.
    let mut annotator_notes: BTreeMap<usize, Vec<(Reference, String)>> = BTreeMap::new();
    for (reference, kind, note) in comments {
        let Some((at, span)) = span_index
            .get(&reference.target)
            .and_then(|&at| Some((at, spans.get_mut(at)?)))
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
        if kind == ANNOTATOR_NOTES {
            annotator_notes
                .entry(at)
                .or_default()
                .push((reference, note));
            continue;
        }
        match span.attributes.entry(format!("{NOTE_ATTRIBUTE}{kind}")) {
            std::collections::btree_map::Entry::Vacant(entry) => {
                entry.insert(note);
            }
            std::collections::btree_map::Entry::Occupied(mut entry) => {
                let lines = entry.get_mut();
                lines.push('\n');
                lines.push_str(&note);
            }
        }
    }
    for (at, lines) in annotator_notes {
        let Some(span) = spans.get_mut(at) else {
            continue;
        };
        if let [(reference, note)] = lines.as_slice()
            && note.is_empty()
        {
            // One empty note and no other: an empty note is no note.
            report.push(format!(
                "{file}:{}: {} (an empty {ANNOTATOR_NOTES} on {}) not imported: an empty note \
                 is no note in Marginalia",
                reference.line, reference.id, reference.target
            ));
            continue;
        }
        let texts: Vec<&str> = lines.iter().map(|(_, note)| note.as_str()).collect();
        span.note = texts.join("\n");
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
    notes: &mut Vec<String>,
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
        notes.push(format!(
            "{}: its text “{column}” does not match the text at its offsets, “{}”: the offsets were kept",
            at(),
            expected.replace('\n', "\\n").replace('\r', "\\r")
        ));
    }
    let nonempty: Vec<ByteRange> = ranges.into_iter().filter(|r| !r.is_empty()).collect();
    let count = nonempty.len();
    let fragments = merge_ranges(nonempty, Join::Overlapping);
    if fragments.len() < count {
        notes.push(format!("{}: overlapping fragments merged", at()));
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
        suggested: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{doc, span};
    use super::*;

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
        // What was imported, read another way than written, is a note, not in the report.
        let notes = imported.notes.join("\n");
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
        assert!(notes.contains("sub/doc.ann:2: T2 (Claim): its text “Wrong” does not match the text at its offsets, “Kim”"), "{notes}");
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
        // Notes exactly as written, edge white space included, one a line.
        assert_eq!(span(doc, "T2").note, "first\n  second  ");
        assert_eq!(span(doc, "T6").fragments, [ByteRange::new(0, 13)]);
        assert!(
            notes.contains("sub/doc.ann:17: T6 (Source): overlapping fragments merged"),
            "{notes}"
        );
        assert!(!report.contains("T2 (Claim): its text") && !report.contains("merged"));
    }

    #[test]
    fn import_reads_offsets_that_count_crlf_as_one_as_brat_itself_does() {
        // brat's server reads "ab\r\ncd" as "ab\ncd": "cd" is 3-5 there, 4-6 in raw code points.
        let imported = import_one("ab\r\ncd\r\nef", "T1\tX 3 5\tcd\nT2\tX 6 8\tef\n");
        let doc = doc(&imported, "sub/doc.txt");
        assert_eq!(span(doc, "T1").fragments, [ByteRange::new(4, 6)]);
        assert_eq!(span(doc, "T2").fragments, [ByteRange::new(8, 10)]);
        assert!(
            imported.notes.iter().all(|r| !r.contains("two characters")),
            "{:?}",
            imported.notes
        );
        // A tool that counted the raw code points ("\r\n" as two): recognised, read that way,
        // and said.
        let imported = import_one("ab\r\ncd", "T1\tX 4 6\tcd\n");
        assert_eq!(
            span(doc_of(&imported), "T1").fragments,
            [ByteRange::new(4, 6)]
        );
        assert!(
            imported.notes.iter().any(|r| r.contains("two characters")),
            "{:?}",
            imported.notes
        );
    }

    /// Offsets that count `\r\n` as two are read so, and said so as a note: nothing of the file
    /// is "not imported".
    #[test]
    fn h_a_crlf_file_read_with_crlf_as_two_is_a_note_not_a_loss() {
        let imported = import_one(
            "Titre\r\n\r\nSelon l'AFP, Kim est arrivé.\r\n",
            "T1\tSource 22 25\tKim\n#1\tAnnotatorNotes T1\tla source\n",
        );
        let doc = doc_of(&imported);
        assert_eq!(span_text(doc, "T1"), "Kim");
        assert_eq!(span(doc, "T1").note, "la source");
        assert_eq!(
            imported.notes,
            [
                "sub/doc.ann: read with \\r\\n counted as two characters: its offsets count them \
              so (brat itself counts one), and only that way do they fit the texts the file gives \
              its spans"
            ]
        );
        assert!(
            imported.report.iter().all(|r| !r.contains("sub/doc")),
            "{:?}",
            imported.report
        );
    }

    fn span_text<'a>(doc: &'a ImportedDoc, key: &str) -> &'a str {
        let span = span(doc, key);
        span.fragments[0].slice(&doc.text)
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
}
