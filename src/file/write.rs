//! The project file written by hand instead of through `ron`'s serializer: the same bytes, five
//! to ten times faster (`benches/project.rs`), and each document on its own core.
//!
//! The header (version, annotator, corpus, schema) is small and still goes through `ron`; the
//! documents, where the volume is, are written here in exactly the layout `ron`'s pretty printer
//! gives them with the configuration of [`super::pretty_config`] (one span or link a line). Tests
//! compare the two byte for byte, so files written by earlier versions diff cleanly against new
//! ones.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rayon::prelude::*;

use crate::model::{Annotation, Document, Provenance, Relation, Timestamp};
use crate::suggestion::{Rule, Suggestion};
use crate::text::ByteRange;

/// Appends the document entries of the `documents: [...]` list, as `ron` would write them.
pub(super) fn documents(out: &mut String, documents: &[Document]) {
    let parts: Vec<String> = chunks(documents)
        .par_iter()
        .map(|&(chunk, size)| {
            let mut part = String::with_capacity(size);
            for document in chunk {
                write_document(&mut part, document);
            }
            part
        })
        .collect();
    out.reserve(parts.iter().map(String::len).sum());
    for part in parts {
        out.push_str(&part);
    }
}

/// The documents in groups of roughly equal size, so that threads share the work evenly, each
/// with about how many bytes it takes in the file.
fn chunks(documents: &[Document]) -> Vec<(&[Document], usize)> {
    const TARGET: usize = 256 * 1024;
    let mut chunks = Vec::new();
    let mut rest = documents;
    while !rest.is_empty() {
        let mut size = 0;
        let mut count = 0;
        for document in rest {
            size += estimate(document);
            count += 1;
            if size >= TARGET {
                break;
            }
        }
        let (chunk, tail) = rest.split_at(count.min(rest.len()));
        chunks.push((chunk, size));
        rest = tail;
    }
    chunks
}

/// About how many bytes a document takes in the file.
fn estimate(d: &Document) -> usize {
    let spans: usize = d
        .annotations
        .iter()
        .map(|a| 200 + a.extent().len() + a.note.len())
        .sum();
    200 + spans
        + 120 * d.relations.len()
        + 400 * d.detached.len()
        + 200 * (d.suggestions.len() + d.rejected.len())
}

fn write_document(out: &mut String, document: &Document) {
    out.push_str("    (\n      path: ");
    string(out, &document.path);
    out.push_str(",\n      sha256: ");
    string(out, &document.hash);
    out.push_str(",\n      status: ");
    let _ = write!(out, "{:?}", document.status);
    out.push_str(",\n");
    metadata(out, "metadata", &document.metadata);
    metadata(out, "attributes", &document.attributes);
    list(out, "annotations", &document.annotations, |out, a| {
        let known = super::SpanText::of(document, a);
        let (before, after) = known.context(&a.fragments);
        let mut i = 0;
        annotation(
            out,
            a,
            |f| {
                i += 1;
                known.fragment(i - 1, f)
            },
            before,
            after,
        );
    });
    list(out, "relations", &document.relations, relation);
    list(out, "detached", &document.detached, |out, d| {
        out.push_str("(span: ");
        let mut texts = d.texts.iter();
        annotation(
            out,
            &d.annotation,
            |_| texts.next().map_or("", String::as_str),
            &d.before,
            &d.after,
        );
        out.push_str(", reason: ");
        string(out, &d.reason);
        if !d.relations.is_empty() {
            out.push_str(", relations: ");
            inline(out, ['[', ']'], &d.relations, relation);
        }
        out.push(')');
    });
    list(out, "suggestions", &document.suggestions, |out, s| {
        suggestion(out, document, s);
    });
    list(out, "rejected", &document.rejected, |out, r| {
        out.push_str("(label: ");
        string(out, &r.label);
        out.push_str(", fragments: ");
        fragments(out, document, &r.fragments);
        out.push_str(", rule: ");
        rule(out, &r.rule);
        out.push(')');
    });
    out.push_str("    ),\n");
}

/// A map field of a document (`metadata: {...}`, `attributes: {...}`), one key a line; nothing
/// when it is empty (`ron` skips it).
///
/// The metadata's values are JSON values of any shape: `ron` writes the map, as the map alone at
/// the depth limit it has in a document, and its lines are indented to the document's depth.
fn metadata<V: serde::Serialize>(
    out: &mut String,
    field: &str,
    metadata: &std::collections::BTreeMap<String, V>,
) {
    if metadata.is_empty() {
        return;
    }
    let config = super::format::pretty_config().depth_limit(1);
    let Ok(map) = ron::ser::to_string_pretty(metadata, config) else {
        return;
    };
    out.push_str("      ");
    out.push_str(field);
    out.push_str(": ");
    for (i, line) in map.lines().enumerate() {
        if i > 0 {
            out.push_str("\n      ");
        }
        out.push_str(line);
    }
    out.push_str(",\n");
}

/// A pending suggestion, compact: `(label: "source", fragments: [...], rule: (...), score: 0.9)`.
fn suggestion(out: &mut String, document: &Document, s: &Suggestion) {
    out.push_str("(label: ");
    string(out, &s.label);
    out.push_str(", fragments: ");
    fragments(out, document, &s.fragments);
    out.push_str(", rule: ");
    rule(out, &s.rule);
    out.push_str(", score: ");
    float(out, s.score);
    if let Some(link) = &s.link {
        out.push_str(", link: Some((kind: ");
        string(out, &link.kind);
        out.push_str(", label: ");
        string(out, &link.label);
        out.push_str(", fragments: ");
        fragments(out, document, &link.fragments);
        out.push_str("))");
    }
    out.push(')');
}

/// The fragments of a suggestion or a rejection, with their text when the document's text is
/// current (see [`super::format::suggestion_text`]).
fn fragments(out: &mut String, document: &Document, fragments: &[ByteRange]) {
    inline(out, ['[', ']'], fragments, |out, f| {
        out.push('(');
        number(out, f.start as u64);
        out.push_str(", ");
        number(out, f.end as u64);
        out.push_str(", ");
        string(out, super::format::suggestion_text(document, f));
        out.push(')');
    });
}

/// `(suggester: patterns, rule: "dictionary: l'AFP")`.
fn rule(out: &mut String, rule: &Rule) {
    out.push_str("(suggester: ");
    out.push_str(rule.suggester.name());
    out.push_str(", rule: ");
    string(out, &rule.rule);
    out.push(')');
}

/// A float as `ron` writes it: Rust's shortest round-trip form (`0.9`, `1.0`, `1e-7`), a sign
/// before a negative NaN.
fn float(out: &mut String, value: f32) {
    if value.is_nan() && value.is_sign_negative() {
        out.push('-');
    }
    let _ = write!(out, "{value:?}");
}

/// A list field of a document, one item a line; nothing when it is empty (`ron` skips it).
fn list<T>(out: &mut String, name: &str, items: &[T], mut item: impl FnMut(&mut String, &T)) {
    if items.is_empty() {
        return;
    }
    out.push_str("      ");
    out.push_str(name);
    out.push_str(": [\n");
    for each in items {
        out.push_str("        ");
        item(out, each);
        out.push_str(",\n");
    }
    out.push_str("      ],\n");
}

/// One span, compact: `(id: 1, label: "claim", fragments: [(0, 5, "text")], ...)`.
fn annotation<'t>(
    out: &mut String,
    a: &Annotation,
    mut fragment_text: impl FnMut(&ByteRange) -> &'t str,
    before: &str,
    after: &str,
) {
    out.push_str("(id: ");
    number(out, a.id.0);
    out.push_str(", label: ");
    string(out, &a.label);
    out.push_str(", fragments: ");
    inline(out, ['[', ']'], &a.fragments, |out, f| {
        out.push('(');
        number(out, f.start as u64);
        out.push_str(", ");
        number(out, f.end as u64);
        out.push_str(", ");
        string(out, fragment_text(f));
        out.push(')');
    });
    if !before.is_empty() {
        out.push_str(", before: ");
        string(out, before);
    }
    if !after.is_empty() {
        out.push_str(", after: ");
        string(out, after);
    }
    out.push_str(", annotator: ");
    string(out, &a.annotator);
    out.push_str(", created: ");
    timestamp(out, a.created);
    if !a.note.is_empty() {
        out.push_str(", note: ");
        string(out, &a.note);
    }
    if !a.attributes.is_empty() {
        out.push_str(", attributes: ");
        map(out, &a.attributes);
    }
    if let Some(p) = &a.provenance {
        out.push_str(", provenance: Some(");
        provenance(out, p);
        out.push(')');
    }
    if let Some(r) = &a.suggested {
        out.push_str(", suggested: Some(");
        rule(out, r);
        out.push(')');
    }
    out.push(')');
}

fn provenance(out: &mut String, p: &Provenance) {
    out.push_str("(annotators: ");
    inline(out, ['[', ']'], &p.annotators, |out, name| {
        string(out, name);
    });
    if let Some(adjudicator) = &p.adjudicator {
        out.push_str(", adjudicator: Some(");
        string(out, adjudicator);
        out.push(')');
    }
    if p.unresolved {
        out.push_str(", unresolved: true");
    }
    out.push(')');
}

fn relation(out: &mut String, r: &Relation) {
    out.push_str("(id: ");
    number(out, r.id.0);
    out.push_str(", kind: ");
    string(out, &r.kind);
    out.push_str(", from: ");
    number(out, r.from.0);
    out.push_str(", to: ");
    number(out, r.to.0);
    out.push_str(", annotator: ");
    string(out, &r.annotator);
    out.push_str(", created: ");
    timestamp(out, r.created);
    out.push(')');
}

fn map(out: &mut String, map: &BTreeMap<String, String>) {
    inline(out, ['{', '}'], map, |out, (key, value)| {
        string(out, key);
        out.push_str(": ");
        string(out, value);
    });
}

/// Items on one line between `brackets`, separated by `, ` (`ron`'s layout past the depth limit).
fn inline<T>(
    out: &mut String,
    brackets: [char; 2],
    items: impl IntoIterator<Item = T>,
    mut item: impl FnMut(&mut String, T),
) {
    let [open, close] = brackets;
    out.push(open);
    for (i, each) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item(out, each);
    }
    out.push(close);
}

fn timestamp(out: &mut String, time: Timestamp) {
    // Timestamps are ASCII digits and separators: nothing to escape.
    out.push('"');
    time.push_to(out);
    out.push('"');
}

/// A decimal number, without going through `fmt`.
fn number(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    for &d in digits.get(at..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

/// A string literal escaped exactly as `ron` escapes it (`char::escape_debug` on every
/// character), copying the runs that need no escape in one go.
pub(super) fn string(out: &mut String, s: &str) {
    out.push('"');
    let mut rest = s;
    while !rest.is_empty() {
        let plain = rest
            .bytes()
            .position(|b| !(b' '..=b'~').contains(&b) || matches!(b, b'"' | b'\'' | b'\\'))
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at_checked(plain).unwrap_or((rest, ""));
        out.push_str(run);
        let mut chars = tail.chars();
        if let Some(c) = chars.next() {
            out.extend(c.escape_debug());
        }
        rest = chars.as_str();
    }
    out.push('"');
}
