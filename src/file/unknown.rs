//! Reading with `ron` itself, naming every field of the file that Marginalia does not know.

use std::path::Path;

use serde::Deserialize;

use crate::schema::Schema;

use super::errors::{LoadError, Problem};
use super::format::{AnnotationFile, DocumentFile, ProjectFile, RelationFile};

/// Reads a project file with `ron`'s deserializer: all of RON, and errors with line and column.
pub(super) fn parse_with_ron<'a>(text: &'a str, path: &Path) -> Result<ProjectFile<'a>, LoadError> {
    parse_with_ron_noting(text, path).map(|(file, _)| file)
}

/// [`parse_with_ron`], and where each field is that the file has and [`ProjectFile`] does not
/// (which `ron` skips).
pub(super) fn parse_with_ron_noting<'a>(
    text: &'a str,
    path: &Path,
) -> Result<(ProjectFile<'a>, Vec<Vec<Step>>), LoadError> {
    ron_noting_unknown(text).map_err(|e| match super::errors::not_a_project(&e.code, text) {
        Some(looks_like) => LoadError::NotAProject {
            path: path.to_owned(),
            looks_like,
        },
        None => LoadError::Syntax {
            path: path.to_owned(),
            line: e.span.start.line,
            column: e.span.start.col,
            message: super::errors::ron_in_words(&e.code),
        },
    })
}

/// One step of the way to a value inside a file: a field of a struct, or an item of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Step {
    Field(String),
    Item(usize),
}

/// Reads `text` with `ron` into a `T`, with the way to every field that `T` does not have and
/// `ron` skipped.
pub(super) fn ron_noting_unknown<'a, T: Deserialize<'a>>(
    text: &'a str,
) -> Result<(T, Vec<Vec<Step>>), ron::error::SpannedError> {
    struct Noting<'u, T>(&'u mut Vec<Vec<Step>>, std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::DeserializeSeed<'de> for Noting<'_, T> {
        type Value = T;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
            serde_ignored::deserialize(d, |path| {
                let mut steps = Vec::new();
                steps_to(&path, &mut steps);
                self.0.push(steps);
            })
        }
    }
    fn steps_to(path: &serde_ignored::Path<'_>, steps: &mut Vec<Step>) {
        use serde_ignored::Path as P;
        match path {
            P::Root => {}
            P::Seq { parent, index } => {
                steps_to(parent, steps);
                steps.push(Step::Item(*index));
            }
            P::Map { parent, key } => {
                steps_to(parent, steps);
                steps.push(Step::Field(key.clone()));
            }
            P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
                steps_to(parent, steps);
            }
        }
    }
    let mut unknown = Vec::new();
    let value = ron::Options::default()
        .from_str_seed(text, Noting(&mut unknown, std::marker::PhantomData))?;
    Ok((value, unknown))
}

/// The [`Problem::UnknownField`] of the field at `steps` in `file`: the document, span or
/// relation that holds it, by path and id.
pub(super) fn unknown_field(file: &ProjectFile<'_>, steps: &[Step]) -> Problem {
    let (document, within, rest) = if let Some((index, inner)) = entry(steps, "documents") {
        let doc = file.documents.get(index);
        let (within, rest) = within_document(doc, inner);
        (doc.map(|d| d.path.clone()), within, rest)
    } else if let Some(inner) = field(steps, "schema") {
        let (within, rest) = within_schema(&file.schema, inner);
        (None, within, rest)
    } else {
        (None, "the project".to_owned(), steps)
    };
    let field = rest
        .iter()
        .map(|step| match step {
            Step::Field(name) => name.clone(),
            Step::Item(index) => index.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".");
    Problem::UnknownField {
        document,
        within,
        field,
    }
}

/// The index and the steps after it when `steps` starts with item `index` of the list `name`.
pub(super) fn entry<'s>(steps: &'s [Step], name: &str) -> Option<(usize, &'s [Step])> {
    match steps {
        [Step::Field(list), Step::Item(index), rest @ ..] if list == name => Some((*index, rest)),
        _ => None,
    }
}

/// The steps after the field `name` when `steps` starts with it.
pub(super) fn field<'s>(steps: &'s [Step], name: &str) -> Option<&'s [Step]> {
    match steps {
        [Step::Field(first), rest @ ..] if first == name => Some(rest),
        _ => None,
    }
}

/// What holds the field at `steps` inside the document `doc`, and the steps left to it.
pub(super) fn within_document<'s>(
    doc: Option<&DocumentFile<'_>>,
    steps: &'s [Step],
) -> (String, &'s [Step]) {
    let span = |a: Option<&AnnotationFile<'_>>| {
        a.map_or_else(|| "a span".to_owned(), |a| format!("span {}", a.id))
    };
    let relation = |r: Option<&RelationFile>| {
        r.map_or_else(|| "a relation".to_owned(), |r| format!("relation {}", r.id))
    };
    if let Some((index, rest)) = entry(steps, "annotations") {
        (span(doc.and_then(|d| d.annotations.get(index))), rest)
    } else if let Some((index, rest)) = entry(steps, "relations") {
        (relation(doc.and_then(|d| d.relations.get(index))), rest)
    } else if let Some((index, inner)) = entry(steps, "detached") {
        let aside = doc.and_then(|d| d.detached.get(index));
        if let Some((link, rest)) = entry(inner, "relations") {
            (relation(aside.and_then(|d| d.relations.get(link))), rest)
        } else {
            let rest = field(inner, "span").unwrap_or(inner);
            (
                format!("{} (set aside)", span(aside.map(|d| &d.span))),
                rest,
            )
        }
    } else if let Some((index, rest)) = entry(steps, "suggestions") {
        let label = doc
            .and_then(|d| d.suggestions.get(index))
            .map(|s| format!(" ({})", s.label))
            .unwrap_or_default();
        (format!("suggestion {}{label}", index + 1), rest)
    } else if let Some((index, rest)) = entry(steps, "rejected") {
        let label = doc
            .and_then(|d| d.rejected.get(index))
            .map(|r| format!(" ({})", r.label))
            .unwrap_or_default();
        (format!("rejected suggestion {}{label}", index + 1), rest)
    } else {
        ("the document".to_owned(), steps)
    }
}

/// What holds the field at `steps` inside the schema, and the steps left to it.
pub(super) fn within_schema<'s>(schema: &Schema, steps: &'s [Step]) -> (String, &'s [Step]) {
    let named = |what: &str, index: usize, name: Option<String>| {
        let name = name.map(|n| format!(" ({n:?})")).unwrap_or_default();
        format!("{what} {} of the schema{name}", index + 1)
    };
    if let Some((index, rest)) = entry(steps, "labels") {
        let name = schema.labels.get(index).map(|l| l.name.clone());
        (named("label", index, name), rest)
    } else if let Some((index, rest)) = entry(steps, "relations") {
        let name = schema.relations.get(index).map(|r| r.name.clone());
        (named("link type", index, name), rest)
    } else if let Some((index, rest)) = entry(steps, "attributes") {
        let name = schema
            .attributes
            .get(index)
            .map(|a| format!("{}.{}", a.label, a.name));
        (named("attribute", index, name), rest)
    } else if let Some((index, rest)) = entry(steps, "patterns") {
        let name = schema.patterns.get(index).map(|p| p.label.clone());
        (named("pattern", index, name), rest)
    } else {
        ("the schema".to_owned(), steps)
    }
}
