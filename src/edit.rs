//! Every change to a project is an [`Edit`]; applying one returns its inverse.
//!
//! The model is helix-core's `Transaction`: an edit is checked before it changes anything, is
//! applied whole or not at all, and its inverse undoes it exactly. [`History`] keeps the pairs for
//! undo and redo.

use std::time::{Duration, Instant};

pub mod build;

use crate::anchor::DetachedSpan;
use crate::model::{
    Annotation, FragmentError, Id, Project, Provenance, Relation, Status, check_fragments,
};
use crate::schema::{LabelDef, SchemaError};
use crate::suggestion::{Rejection, Suggestion};
use crate::text::ByteRange;

/// A change to a project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Adds an annotation to a document.
    AddAnnotation {
        /// Document index.
        doc: usize,
        /// The annotation (its id must be free).
        annotation: Annotation,
    },
    /// Removes an annotation, and the relations that touch it.
    RemoveAnnotation {
        /// Document index.
        doc: usize,
        /// The annotation.
        id: Id,
    },
    /// Changes an annotation's label.
    SetLabel {
        /// Document index.
        doc: usize,
        /// The annotation.
        id: Id,
        /// Name of the new label.
        label: String,
    },
    /// Changes an annotation's note.
    SetNote {
        /// Document index.
        doc: usize,
        /// The annotation.
        id: Id,
        /// The new note.
        note: String,
    },
    /// Replaces an annotation's fragments.
    SetFragments {
        /// Document index.
        doc: usize,
        /// The annotation.
        id: Id,
        /// The new fragments.
        fragments: Vec<ByteRange>,
    },
    /// Replaces an annotation's provenance (adjudication rulings in a gold project).
    SetProvenance {
        /// Document index.
        doc: usize,
        /// The annotation.
        id: Id,
        /// The new provenance.
        provenance: Option<Provenance>,
    },
    /// Sets or clears an attribute of an annotation.
    SetAttribute {
        /// Document index.
        doc: usize,
        /// The annotation.
        id: Id,
        /// Attribute name.
        name: String,
        /// The value, or `None` to clear it.
        value: Option<String>,
    },
    /// Adds a relation between two annotations of a document.
    AddRelation {
        /// Document index.
        doc: usize,
        /// The relation (its id must be free).
        relation: Relation,
    },
    /// Removes a relation.
    RemoveRelation {
        /// Document index.
        doc: usize,
        /// The relation.
        id: Id,
    },
    /// Changes a document's status.
    SetStatus {
        /// Document index.
        doc: usize,
        /// The new status.
        status: Status,
    },
    /// Sets or clears a document attribute (genre, to-check…) of a document.
    SetDocAttribute {
        /// Document index.
        doc: usize,
        /// The attribute's name, in the schema's document attributes.
        name: String,
        /// The value (one the schema allows, or any text for a free-text attribute), or `None`
        /// to clear it.
        value: Option<String>,
    },
    /// Replaces the schema's document attributes; one that a document uses cannot be removed.
    SetDocAttributeDefs {
        /// The new list.
        defs: Vec<crate::schema::DocAttributeDef>,
    },
    /// Replaces a label definition; a new name renames the label on every annotation.
    SetLabelDef {
        /// Position in the palette.
        index: usize,
        /// The new definition.
        def: LabelDef,
    },
    /// Inserts a label into the palette.
    InsertLabel {
        /// Position in the palette.
        index: usize,
        /// The definition.
        def: LabelDef,
    },
    /// Removes a label that no annotation uses.
    RemoveLabel {
        /// Position in the palette.
        index: usize,
    },
    /// Changes the annotator who owns the project.
    SetAnnotator {
        /// The name.
        name: String,
    },
    /// Places a detached span (one that could not be found again after its text changed) on
    /// `fragments` of the document's current text: it comes back with its id, label, note,
    /// attributes and provenance, and with the links whose other end is in the document (a link
    /// to another detached span goes with that span until it is placed too).
    PlaceDetached {
        /// Document index.
        doc: usize,
        /// Which of the document's detached spans.
        index: usize,
        /// Where it goes in the current text.
        fragments: Vec<ByteRange>,
    },
    /// Undoes [`Edit::PlaceDetached`]: removes the placed annotation and its links, and puts back
    /// the document's detached spans as they were.
    UnplaceDetached {
        /// Document index.
        doc: usize,
        /// The placed annotation.
        id: Id,
        /// The document's detached spans before the placement.
        detached: Vec<DetachedSpan>,
    },
    /// Replaces a document's pending suggestions and its rejections (see [`crate::suggest`]);
    /// the inverse gives back the previous lists. Both are kept sorted.
    SetSuggestions {
        /// Document index.
        doc: usize,
        /// The new pending suggestions.
        suggestions: Vec<Suggestion>,
        /// The new rejections.
        rejected: Vec<Rejection>,
        /// What the change is, for the Undo and Redo menus.
        change: SuggestionChange,
    },
    /// Several edits applied as one, in order.
    Batch(Vec<Edit>),
}

/// What an [`Edit::SetSuggestions`] does, as the Undo menu names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestionChange {
    /// New suggestions offered (a run of the suggesters).
    Offered,
    /// A suggestion rejected.
    Rejected,
    /// This many suggestions accepted (their spans are added by the same undo step).
    Accepted(usize),
}

/// Where the user's attention goes after an undo or a redo, so that it restores the selection
/// the edit changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// A span, to select.
    Span {
        /// Document index.
        doc: usize,
        /// The span.
        id: Id,
    },
    /// Text a span covered (now gone), to select again.
    Text {
        /// Document index.
        doc: usize,
        /// The text: the span's extent.
        range: ByteRange,
    },
    /// A document (its status changed), to show.
    Document(usize),
}

/// The focus once `applied` was applied, `other` being the other edit of its pair (the inverse
/// of what was applied): a span removed is found in `other`, the edit that had added it.
fn focus_after(applied: &Edit, other: &Edit) -> Option<Focus> {
    match (applied, other) {
        // The first change of a batch that says where to look (a span deleted comes back with
        // its links: the span), a document's status only when nothing else does.
        (Edit::Batch(edits), _) => {
            let mut focus = edits.iter().filter_map(|a| focus_after(a, other));
            let first = focus.next();
            match first {
                Some(Focus::Document(_)) => {
                    focus.find(|f| !matches!(f, Focus::Document(_))).or(first)
                }
                _ => first,
            }
        }
        (Edit::AddAnnotation { doc, annotation }, _) => Some(Focus::Span {
            doc: *doc,
            id: annotation.id,
        }),
        (Edit::RemoveAnnotation { doc, id }, other) => {
            // The edit that adds it back, alone or with its links, at any depth of batches.
            flattened(other).into_iter().find_map(|e| match e {
                Edit::AddAnnotation { annotation, .. } if annotation.id == *id => {
                    Some(Focus::Text {
                        doc: *doc,
                        range: annotation.extent(),
                    })
                }
                _ => None,
            })
        }
        (
            Edit::SetLabel { doc, id, .. }
            | Edit::SetNote { doc, id, .. }
            | Edit::SetFragments { doc, id, .. }
            | Edit::SetProvenance { doc, id, .. }
            | Edit::SetAttribute { doc, id, .. },
            _,
        ) => Some(Focus::Span { doc: *doc, id: *id }),
        (Edit::AddRelation { doc, relation }, _)
        | (Edit::RemoveRelation { doc, .. }, Edit::AddRelation { relation, .. }) => {
            Some(Focus::Span {
                doc: *doc,
                id: relation.from,
            })
        }
        (Edit::PlaceDetached { doc, .. }, Edit::UnplaceDetached { id, .. }) => {
            Some(Focus::Span { doc: *doc, id: *id })
        }
        (Edit::SetStatus { doc, .. } | Edit::SetDocAttribute { doc, .. }, _) => {
            Some(Focus::Document(*doc))
        }
        (Edit::SetSuggestions { doc, change, .. }, _) if *change != SuggestionChange::Offered => {
            Some(Focus::Document(*doc))
        }
        _ => None,
    }
}

/// The edits of `edit`, batches opened at every depth, in order.
fn flattened(edit: &Edit) -> Vec<&Edit> {
    match edit {
        Edit::Batch(edits) => edits.iter().flat_map(flattened).collect(),
        one => vec![one],
    }
}

/// Why an edit was refused. A refused edit changed nothing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// No document at that index.
    #[error("there is no document number {0}")]
    NoSuchDocument(usize),
    /// The document's text changed or is missing.
    #[error("{0} is read-only: its text is not the one that was annotated")]
    ReadOnly(String),
    /// No annotation with that id.
    #[error("there is no annotation {0} in this document")]
    NoSuchAnnotation(Id),
    /// No relation with that id.
    #[error("there is no relation {0} in this document")]
    NoSuchRelation(Id),
    /// The id is taken.
    #[error("the id {0} is already used")]
    IdTaken(Id),
    /// The label is not in the schema.
    #[error("there is no label {0:?} in the schema")]
    UnknownLabel(String),
    /// The relation type is not in the schema.
    #[error("there is no relation type {0:?} in the schema")]
    UnknownRelation(String),
    /// The relation type does not allow these labels.
    #[error("a {kind:?} link cannot go from a {from:?} to a {to:?}")]
    RelationNotAllowed {
        /// Relation type.
        kind: String,
        /// Label at the start.
        from: String,
        /// Label at the end.
        to: String,
    },
    /// A span cannot be linked to itself.
    #[error("a span cannot be linked to itself")]
    SelfRelation,
    /// Bad fragments.
    #[error(transparent)]
    Fragments(#[from] FragmentError),
    /// Bad label definition.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// The document attribute is not in the schema.
    #[error("there is no document attribute {0:?} in the schema")]
    UnknownDocAttribute(String),
    /// The value is not one the document attribute allows.
    #[error("the document attribute {name:?} has no value {value:?} (it allows {allowed})")]
    DocValueNotAllowed {
        /// The attribute.
        name: String,
        /// The value refused.
        value: String,
        /// The values allowed, joined with commas.
        allowed: String,
    },
    /// A document attribute still in use cannot be removed.
    #[error("the document attribute {name:?} is set on {count} document(s); clear it there first")]
    DocAttributeInUse {
        /// The attribute.
        name: String,
        /// Documents that have a value for it.
        count: usize,
    },
    /// The label is still in use.
    #[error("the label {label:?} is used by {count} span(s); relabel or delete them first")]
    LabelInUse {
        /// The label.
        label: String,
        /// How many annotations use it.
        count: usize,
    },
    /// No detached span at that index.
    #[error("there is no span number {0} to place again in this document")]
    NoSuchDetached(usize),
    /// The attribute is not defined for the annotation's label.
    #[error("spans labelled {label:?} have no attribute {name:?} with the value {value:?}")]
    UnknownAttribute {
        /// The annotation's label.
        label: String,
        /// Attribute name.
        name: String,
        /// The value.
        value: String,
    },
}

impl Edit {
    /// Applies the edit and returns its inverse. On error the project is unchanged.
    pub fn apply(self, project: &mut Project) -> Result<Self, EditError> {
        match self {
            Self::Batch(edits) => {
                let mut inverses = Vec::with_capacity(edits.len());
                for edit in edits {
                    match edit.apply(project) {
                        Ok(inverse) => inverses.push(inverse),
                        Err(error) => {
                            // Roll back what was applied, newest first.
                            for inverse in inverses.into_iter().rev() {
                                // The inverse of an applied edit always applies.
                                let _ = inverse.apply(project);
                            }
                            return Err(error);
                        }
                    }
                }
                inverses.reverse();
                Ok(Self::Batch(inverses))
            }
            Self::AddAnnotation { doc, annotation } => add_annotation(project, doc, annotation),
            Self::RemoveAnnotation { doc, id } => remove_annotation(project, doc, id),
            Self::SetLabel { doc, id, label } => {
                if project.schema.label(&label).is_none() {
                    return Err(EditError::UnknownLabel(label));
                }
                let annotation = annotation_mut(project, doc, id)?;
                let old = std::mem::replace(&mut annotation.label, label);
                // Links that the new label no longer allows go, and come back on undo.
                let broken = take_disallowed_relations(project, doc, id);
                let mut inverse = vec![Self::SetLabel {
                    doc,
                    id,
                    label: old,
                }];
                inverse.extend(
                    broken
                        .into_iter()
                        .map(|relation| Self::AddRelation { doc, relation }),
                );
                Ok(match inverse.len() {
                    1 => inverse.swap_remove(0),
                    _ => Self::Batch(inverse),
                })
            }
            Self::SetNote { doc, id, note } => {
                let annotation = annotation_mut(project, doc, id)?;
                let old = std::mem::replace(&mut annotation.note, note);
                Ok(Self::SetNote { doc, id, note: old })
            }
            Self::SetFragments { doc, id, fragments } => {
                let text = editable(project, doc)?.text.clone();
                check_fragments(&text, &fragments)?;
                let annotation = annotation_mut(project, doc, id)?;
                let old = std::mem::replace(&mut annotation.fragments, fragments);
                if let Some(document) = project.documents.get_mut(doc) {
                    document.resort();
                }
                Ok(Self::SetFragments {
                    doc,
                    id,
                    fragments: old,
                })
            }
            Self::SetProvenance {
                doc,
                id,
                provenance,
            } => {
                let annotation = annotation_mut(project, doc, id)?;
                let old = std::mem::replace(&mut annotation.provenance, provenance);
                Ok(Self::SetProvenance {
                    doc,
                    id,
                    provenance: old,
                })
            }
            Self::SetAttribute {
                doc,
                id,
                name,
                value,
            } => {
                if let Some(value) = &value {
                    let label = &editable(project, doc)?
                        .annotation(id)
                        .ok_or(EditError::NoSuchAnnotation(id))?
                        .label;
                    let known = project
                        .schema
                        .attributes_of(label)
                        .any(|a| a.name == name && a.values.contains(value));
                    if !known {
                        return Err(EditError::UnknownAttribute {
                            label: label.clone(),
                            name,
                            value: value.clone(),
                        });
                    }
                }
                let annotation = annotation_mut(project, doc, id)?;
                let old = match value {
                    Some(value) => annotation.attributes.insert(name.clone(), value),
                    None => annotation.attributes.remove(&name),
                };
                Ok(Self::SetAttribute {
                    doc,
                    id,
                    name,
                    value: old,
                })
            }
            Self::AddRelation { doc, relation } => add_relation(project, doc, relation),
            Self::RemoveRelation { doc, id } => {
                let document = editable_mut(project, doc)?;
                let at = document
                    .relations
                    .iter()
                    .position(|r| r.id == id)
                    .ok_or(EditError::NoSuchRelation(id))?;
                let relation = document.relations.remove(at);
                Ok(Self::AddRelation { doc, relation })
            }
            Self::SetStatus { doc, status } => {
                let document = project
                    .documents
                    .get_mut(doc)
                    .ok_or(EditError::NoSuchDocument(doc))?;
                let old = std::mem::replace(&mut document.status, status);
                Ok(Self::SetStatus { doc, status: old })
            }
            Self::SetDocAttribute { doc, name, value } => {
                let def = project
                    .schema
                    .document_attribute(&name)
                    .ok_or_else(|| EditError::UnknownDocAttribute(name.clone()))?;
                if let Some(value) = &value
                    && !def.is_free_text()
                    && !def.values.contains(value)
                {
                    return Err(EditError::DocValueNotAllowed {
                        name,
                        value: value.clone(),
                        allowed: def.values.join(", "),
                    });
                }
                let document = project
                    .documents
                    .get_mut(doc)
                    .ok_or(EditError::NoSuchDocument(doc))?;
                let old = match value {
                    Some(value) => document.attributes.insert(name.clone(), value),
                    None => document.attributes.remove(&name),
                };
                Ok(Self::SetDocAttribute {
                    doc,
                    name,
                    value: old,
                })
            }
            Self::SetDocAttributeDefs { defs } => {
                crate::schema::Schema::check_document_attributes(&defs)?;
                for old in &project.schema.document_attributes {
                    if defs.iter().any(|d| d.name == old.name) {
                        continue;
                    }
                    let count = project
                        .documents
                        .iter()
                        .filter(|d| d.attributes.contains_key(&old.name))
                        .count();
                    if count > 0 {
                        return Err(EditError::DocAttributeInUse {
                            name: old.name.clone(),
                            count,
                        });
                    }
                }
                let old = std::mem::replace(&mut project.schema.document_attributes, defs);
                Ok(Self::SetDocAttributeDefs { defs: old })
            }
            Self::SetLabelDef { index, def } => {
                project.schema.check_label(index, &def)?;
                let Some(slot) = project.schema.labels.get_mut(index) else {
                    return Err(SchemaError::NoSuchLabel(index).into());
                };
                let old = std::mem::replace(slot, def);
                let new_name = slot.name.clone();
                if new_name != old.name {
                    rename_label(project, &old.name, &new_name);
                }
                Ok(Self::SetLabelDef { index, def: old })
            }
            Self::InsertLabel { index, def } => {
                project
                    .schema
                    .check_label(project.schema.labels.len(), &def)?;
                if index > project.schema.labels.len() {
                    return Err(SchemaError::NoSuchLabel(index).into());
                }
                project.schema.labels.insert(index, def);
                Ok(Self::RemoveLabel { index })
            }
            Self::RemoveLabel { index } => {
                let name = project
                    .schema
                    .labels
                    .get(index)
                    .ok_or(SchemaError::NoSuchLabel(index))?
                    .name
                    .clone();
                let count = project
                    .counts_by_label()
                    .get(name.as_str())
                    .copied()
                    .unwrap_or(0);
                if count > 0 {
                    return Err(EditError::LabelInUse { label: name, count });
                }
                let def = project.schema.labels.remove(index);
                Ok(Self::InsertLabel { index, def })
            }
            Self::SetAnnotator { name } => {
                let old = std::mem::replace(&mut project.annotator, name);
                Ok(Self::SetAnnotator { name: old })
            }
            Self::PlaceDetached {
                doc,
                index,
                fragments,
            } => place_detached(project, doc, index, fragments),
            Self::UnplaceDetached { doc, id, detached } => {
                unplace_detached(project, doc, id, detached)
            }
            Self::SetSuggestions {
                doc,
                mut suggestions,
                mut rejected,
                change,
            } => {
                let document = editable(project, doc)?;
                for fragments in suggestions
                    .iter()
                    .flat_map(|s| {
                        std::iter::once(&s.fragments).chain(s.link.as_ref().map(|l| &l.fragments))
                    })
                    .chain(rejected.iter().map(|r| &r.fragments))
                {
                    check_fragments(&document.text, fragments)?;
                }
                suggestions.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                rejected.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                rejected.dedup();
                let document = editable_mut(project, doc)?;
                Ok(Self::SetSuggestions {
                    doc,
                    suggestions: std::mem::replace(&mut document.suggestions, suggestions),
                    rejected: std::mem::replace(&mut document.rejected, rejected),
                    change,
                })
            }
        }
    }

    /// The document an edit changes the annotations of, if it is one (not a status, the schema
    /// or the annotator).
    pub fn annotated_document(&self) -> Option<usize> {
        match self {
            Self::AddAnnotation { doc, .. }
            | Self::RemoveAnnotation { doc, .. }
            | Self::SetLabel { doc, .. }
            | Self::SetNote { doc, .. }
            | Self::SetFragments { doc, .. }
            | Self::SetProvenance { doc, .. }
            | Self::SetAttribute { doc, .. }
            | Self::AddRelation { doc, .. }
            | Self::RemoveRelation { doc, .. }
            | Self::PlaceDetached { doc, .. }
            | Self::UnplaceDetached { doc, .. }
            | Self::SetDocAttribute { doc, .. } => Some(*doc),
            Self::Batch(edits) => edits.iter().find_map(Self::annotated_document),
            // Suggestions change no span: offering them does not start a document.
            Self::SetStatus { .. }
            | Self::SetSuggestions { .. }
            | Self::SetLabelDef { .. }
            | Self::SetDocAttributeDefs { .. }
            | Self::InsertLabel { .. }
            | Self::RemoveLabel { .. }
            | Self::SetAnnotator { .. } => None,
        }
    }

    /// A short description for the Undo and Redo menu items ("add claim").
    pub fn describe(&self) -> String {
        match self {
            Self::AddAnnotation { annotation, .. } => format!("add {}", annotation.label),
            Self::RemoveAnnotation { .. } => "delete span".to_owned(),
            Self::SetLabel { label, .. } => format!("relabel as {label}"),
            Self::SetNote { .. } => "edit note".to_owned(),
            Self::SetFragments { .. } => "change fragments".to_owned(),
            Self::SetAttribute { name, .. } => format!("set {name}"),
            Self::SetProvenance { .. } => "rule on span".to_owned(),
            Self::AddRelation { relation, .. } => format!("add {} link", relation.kind),
            Self::RemoveRelation { .. } => "delete link".to_owned(),
            Self::SetStatus { status, .. } => format!("mark {}", status.label()),
            Self::SetDocAttribute {
                name,
                value: Some(value),
                ..
            } => format!("set {name} to {value}"),
            Self::SetDocAttribute { name, .. } => format!("clear {name}"),
            Self::SetDocAttributeDefs { .. } => "edit document attributes".to_owned(),
            Self::SetLabelDef { def, .. } => format!("edit label {}", def.name),
            Self::InsertLabel { def, .. } => format!("add label {}", def.name),
            Self::RemoveLabel { .. } => "remove label".to_owned(),
            Self::SetAnnotator { .. } => "change annotator".to_owned(),
            Self::PlaceDetached { .. } => "place span again".to_owned(),
            Self::UnplaceDetached { .. } => "unplace span".to_owned(),
            Self::SetSuggestions { change, .. } => describe_suggestions(&[*change]),
            // Accepting suggestions adds spans and links: told as the acceptance.
            Self::Batch(edits) if flattened(self).iter().any(|e| accepts(e)) => {
                let changes: Vec<SuggestionChange> = edits
                    .iter()
                    .flat_map(flattened)
                    .filter_map(|e| match e {
                        Self::SetSuggestions { change, .. } => Some(*change),
                        _ => None,
                    })
                    .collect();
                describe_suggestions(&changes)
            }
            Self::Batch(edits)
                if !edits.is_empty()
                    && flattened(self)
                        .iter()
                        .all(|e| matches!(e, Self::SetSuggestions { .. })) =>
            {
                let changes: Vec<SuggestionChange> = flattened(self)
                    .iter()
                    .filter_map(|e| match e {
                        Self::SetSuggestions { change, .. } => Some(*change),
                        _ => None,
                    })
                    .collect();
                describe_suggestions(&changes)
            }
            Self::Batch(edits) => match edits.as_slice() {
                [one] => one.describe(),
                // A change that also started its document is told as the change.
                [first, rest @ ..] if rest.iter().all(|e| matches!(e, Self::SetStatus { .. })) => {
                    first.describe()
                }
                // Annotate all: new spans of one label (and the documents they start).
                _ if added_label(edits).is_some() => {
                    let count = edits
                        .iter()
                        .filter(|e| matches!(e, Self::AddAnnotation { .. }))
                        .count();
                    format!(
                        "label {count} spans as {}",
                        added_label(edits).unwrap_or_default()
                    )
                }
                _ => format!("{} changes", edits.len()),
            },
        }
    }
}

/// True for a change of suggestions that accepts some.
fn accepts(edit: &Edit) -> bool {
    matches!(
        edit,
        Edit::SetSuggestions {
            change: SuggestionChange::Accepted(_),
            ..
        }
    )
}

/// The Undo menu's words for changes of suggestions: acceptances first, then rejections.
fn describe_suggestions(changes: &[SuggestionChange]) -> String {
    let accepted: usize = changes
        .iter()
        .map(|c| match c {
            SuggestionChange::Accepted(n) => *n,
            _ => 0,
        })
        .sum();
    let rejected = changes
        .iter()
        .filter(|c| **c == SuggestionChange::Rejected)
        .count();
    match (accepted, rejected) {
        (1, _) => "accept suggestion".to_owned(),
        (n, _) if n > 1 => format!("accept {n} suggestions"),
        (_, 1) => "reject suggestion".to_owned(),
        (_, n) if n > 1 => format!("reject {n} suggestions"),
        _ => "offer suggestions".to_owned(),
    }
}

/// The label of the spans `edits` add, when they add at least one, all of one label, and do
/// nothing else but start documents.
fn added_label(edits: &[Edit]) -> Option<&str> {
    let mut label = None;
    for edit in edits {
        match edit {
            Edit::AddAnnotation { annotation, .. } => match label {
                None => label = Some(annotation.label.as_str()),
                Some(l) if l == annotation.label => {}
                Some(_) => return None,
            },
            Edit::SetStatus { .. } => {}
            _ => return None,
        }
    }
    label
}

fn editable(project: &Project, doc: usize) -> Result<&crate::model::Document, EditError> {
    let document = project
        .documents
        .get(doc)
        .ok_or(EditError::NoSuchDocument(doc))?;
    if document.is_editable() {
        Ok(document)
    } else {
        Err(EditError::ReadOnly(document.path.clone()))
    }
}

fn editable_mut(
    project: &mut Project,
    doc: usize,
) -> Result<&mut crate::model::Document, EditError> {
    editable(project, doc)?;
    project
        .documents
        .get_mut(doc)
        .ok_or(EditError::NoSuchDocument(doc))
}

fn annotation_mut(project: &mut Project, doc: usize, id: Id) -> Result<&mut Annotation, EditError> {
    editable_mut(project, doc)?
        .annotations
        .iter_mut()
        .find(|a| a.id == id)
        .ok_or(EditError::NoSuchAnnotation(id))
}

#[cfg(test)]
thread_local! {
    /// How many times [`id_taken`] looked through the documents, for the tests.
    static ID_SCANS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// True when an annotation or relation of the project has `id`. An id above every id in use
/// (`Project::ids_below`, which [`Project::new`] sets and [`used`] raises) is free without a look
/// at the documents, so that the fresh ids of [`Project::allocate_id`] cost nothing to check and
/// adding many spans stays linear; an older id (a span that an undo brings back) is looked for
/// in every document.
fn id_taken(project: &Project, id: Id) -> bool {
    if id.0 >= project.ids_below {
        return false;
    }
    #[cfg(test)]
    ID_SCANS.with(|scans| scans.set(scans.get() + 1));
    project
        .documents
        .iter()
        .any(|d| d.annotation(id).is_some() || d.relation(id).is_some())
}

/// Records that `id` is now in use.
fn used(project: &mut Project, id: Id) {
    project.next_id = project.next_id.max(id.0 + 1);
    project.ids_below = project.ids_below.max(id.0 + 1);
}

fn add_annotation(
    project: &mut Project,
    doc: usize,
    annotation: Annotation,
) -> Result<Edit, EditError> {
    let document = editable(project, doc)?;
    check_fragments(&document.text, &annotation.fragments)?;
    if project.schema.label(&annotation.label).is_none() {
        return Err(EditError::UnknownLabel(annotation.label));
    }
    if id_taken(project, annotation.id) {
        return Err(EditError::IdTaken(annotation.id));
    }
    let id = annotation.id;
    used(project, id);
    editable_mut(project, doc)?.insert_annotation(annotation);
    Ok(Edit::RemoveAnnotation { doc, id })
}

/// Takes annotation `id` out of `document` (its relations stay: the caller decides).
fn take_annotation(document: &mut crate::model::Document, id: Id) -> Result<Annotation, EditError> {
    let at = document
        .annotations
        .iter()
        .position(|a| a.id == id)
        .ok_or(EditError::NoSuchAnnotation(id))?;
    let annotation = document.annotations.remove(at);
    document.annotations_changed();
    Ok(annotation)
}

fn remove_annotation(project: &mut Project, doc: usize, id: Id) -> Result<Edit, EditError> {
    let document = editable_mut(project, doc)?;
    let annotation = take_annotation(document, id)?;
    // Relations that touch the annotation go with it and come back with it.
    let (gone, kept): (Vec<Relation>, Vec<Relation>) = std::mem::take(&mut document.relations)
        .into_iter()
        .partition(|r| r.from == id || r.to == id);
    document.relations = kept;
    let mut inverse = vec![Edit::AddAnnotation { doc, annotation }];
    inverse.extend(
        gone.into_iter()
            .map(|relation| Edit::AddRelation { doc, relation }),
    );
    Ok(Edit::Batch(inverse))
}

fn add_relation(project: &mut Project, doc: usize, relation: Relation) -> Result<Edit, EditError> {
    let document = editable(project, doc)?;
    if relation.from == relation.to {
        return Err(EditError::SelfRelation);
    }
    let label_of = |id: Id| {
        document
            .annotation(id)
            .map(|a| a.label.clone())
            .ok_or(EditError::NoSuchAnnotation(id))
    };
    let (from, to) = (label_of(relation.from)?, label_of(relation.to)?);
    let def = project
        .schema
        .relation(&relation.kind)
        .ok_or_else(|| EditError::UnknownRelation(relation.kind.clone()))?;
    if !def.allows(&from, &to) {
        return Err(EditError::RelationNotAllowed {
            kind: relation.kind,
            from,
            to,
        });
    }
    if id_taken(project, relation.id) {
        return Err(EditError::IdTaken(relation.id));
    }
    let id = relation.id;
    used(project, id);
    let document = editable_mut(project, doc)?;
    let at = document.relations.partition_point(|r| r.id < id);
    document.relations.insert(at, relation);
    Ok(Edit::RemoveRelation { doc, id })
}

fn place_detached(
    project: &mut Project,
    doc: usize,
    index: usize,
    fragments: Vec<ByteRange>,
) -> Result<Edit, EditError> {
    let document = editable(project, doc)?;
    let span = document
        .detached
        .get(index)
        .ok_or(EditError::NoSuchDetached(index))?;
    check_fragments(&document.text, &fragments)?;
    let id = span.annotation.id;
    if project.schema.label(&span.annotation.label).is_none() {
        return Err(EditError::UnknownLabel(span.annotation.label.clone()));
    }
    if id_taken(project, id) {
        return Err(EditError::IdTaken(id));
    }
    // The span and the links it brings back are in use now (an upper bound for the links).
    let highest_link = span.relations.iter().map(|r| r.id).max();
    used(project, id);
    if let Some(link) = highest_link {
        used(project, link);
    }
    let document = editable_mut(project, doc)?;
    let before = document.detached.clone();
    let span = document.detached.remove(index);
    let mut annotation = span.annotation;
    annotation.fragments = fragments;
    document.insert_annotation(annotation);
    for relation in span.relations {
        let other = if relation.from == id {
            relation.to
        } else {
            relation.from
        };
        if document.annotation(other).is_some() {
            let at = document.relations.partition_point(|r| r.id < relation.id);
            document.relations.insert(at, relation);
        } else if let Some(waiting) = document
            .detached
            .iter_mut()
            .find(|d| d.annotation.id == other)
        {
            // Its other end waits to be placed too: the link goes with it meanwhile.
            let at = waiting.relations.partition_point(|r| r.id < relation.id);
            waiting.relations.insert(at, relation);
        }
        // A link to a span that exists nowhere was already broken: the loader never keeps one.
    }
    Ok(Edit::UnplaceDetached {
        doc,
        id,
        detached: before,
    })
}

fn unplace_detached(
    project: &mut Project,
    doc: usize,
    id: Id,
    detached: Vec<DetachedSpan>,
) -> Result<Edit, EditError> {
    let index = detached
        .iter()
        .position(|d| d.annotation.id == id)
        .ok_or(EditError::NoSuchAnnotation(id))?;
    let document = editable_mut(project, doc)?;
    let annotation = take_annotation(document, id)?;
    document.relations.retain(|r| r.from != id && r.to != id);
    document.detached = detached;
    Ok(Edit::PlaceDetached {
        doc,
        index,
        fragments: annotation.fragments,
    })
}

/// Removes and returns the relations touching `id` whose labels their type no longer allows.
fn take_disallowed_relations(project: &mut Project, doc: usize, id: Id) -> Vec<Relation> {
    let schema = &project.schema;
    let Some(document) = project.documents.get_mut(doc) else {
        return Vec::new();
    };
    let label = |id: Id| {
        document
            .annotation(id)
            .map(|a| a.label.clone())
            .unwrap_or_default()
    };
    let (broken, kept): (Vec<Relation>, Vec<Relation>) =
        document.relations.iter().cloned().partition(|r| {
            (r.from == id || r.to == id)
                && !schema
                    .relation(&r.kind)
                    .is_some_and(|def| def.allows(&label(r.from), &label(r.to)))
        });
    if !broken.is_empty() {
        document.relations = kept;
    }
    broken
}

fn rename_label(project: &mut Project, old: &str, new: &str) {
    for document in &mut project.documents {
        for annotation in &mut document.annotations {
            if annotation.label == old {
                new.clone_into(&mut annotation.label);
            }
        }
    }
    for attribute in &mut project.schema.attributes {
        if attribute.label == old {
            new.clone_into(&mut attribute.label);
        }
    }
    for pattern in &mut project.schema.patterns {
        if pattern.label == old {
            new.clone_into(&mut pattern.label);
        }
    }
    for relation in &mut project.schema.relations {
        for label in relation.from.iter_mut().chain(relation.to.iter_mut()) {
            if label == old {
                new.clone_into(label);
            }
        }
    }
}

/// What lets consecutive edits merge into one undo step (typing a note, dragging a colour).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MergeKey(pub String);

/// How long after the previous edit a mergeable edit still merges with it.
const MERGE_WINDOW: Duration = Duration::from_secs(2);

#[derive(Clone, Debug)]
struct Step {
    forward: Edit,
    inverse: Edit,
    revision: u64,
    merge: Option<(MergeKey, Instant)>,
}

/// Undo and redo: the applied edits with their inverses. Unlimited.
#[derive(Clone, Debug, Default)]
pub struct History {
    done: Vec<Step>,
    undone: Vec<Step>,
    last_revision: u64,
}

impl History {
    /// Applies `edit` to `project` and records it.
    pub fn apply(&mut self, project: &mut Project, edit: Edit) -> Result<(), EditError> {
        self.apply_merging(project, edit, None)
    }

    /// Like [`History::apply`], but merges with the previous step when both carry the same key
    /// and follow each other closely: one undo then reverts both.
    pub fn apply_merging(
        &mut self,
        project: &mut Project,
        edit: Edit,
        merge: Option<MergeKey>,
    ) -> Result<(), EditError> {
        let inverse = edit.clone().apply(project)?;
        self.undone.clear();
        let now = Instant::now();
        if let (Some(key), Some(last)) = (&merge, self.done.last_mut())
            && let Some((last_key, at)) = &last.merge
            && last_key == key
            && now.duration_since(*at) < MERGE_WINDOW
        {
            // Keep the first inverse: it restores the state before the whole run of edits.
            last.forward = Edit::Batch(vec![
                std::mem::replace(&mut last.forward, Edit::Batch(vec![])),
                edit,
            ]);
            self.last_revision += 1;
            last.revision = self.last_revision;
            last.merge = Some((key.clone(), now));
            return Ok(());
        }
        self.last_revision += 1;
        self.done.push(Step {
            forward: edit,
            inverse,
            revision: self.last_revision,
            merge: merge.map(|key| (key, now)),
        });
        Ok(())
    }

    /// Undoes the last step. Returns false when there is nothing to undo.
    pub fn undo(&mut self, project: &mut Project) -> Result<bool, EditError> {
        let Some(mut step) = self.done.pop() else {
            return Ok(false);
        };
        match step.inverse.clone().apply(project) {
            Ok(forward) => {
                step.forward = forward;
                step.merge = None;
                self.undone.push(step);
                Ok(true)
            }
            Err(error) => {
                self.done.push(step);
                Err(error)
            }
        }
    }

    /// Redoes the last undone step. Returns false when there is nothing to redo.
    pub fn redo(&mut self, project: &mut Project) -> Result<bool, EditError> {
        let Some(mut step) = self.undone.pop() else {
            return Ok(false);
        };
        match step.forward.clone().apply(project) {
            Ok(inverse) => {
                step.inverse = inverse;
                self.done.push(step);
                Ok(true)
            }
            Err(error) => {
                self.undone.push(step);
                Err(error)
            }
        }
    }

    /// What to select after the last undo: the span it brought back or changed, or the text a
    /// span it removed covered (undoing "label this" gives the selection back).
    pub fn undone_focus(&self) -> Option<Focus> {
        self.undone
            .last()
            .and_then(|s| focus_after(&s.inverse, &s.forward))
    }

    /// What to select after the last redo (see [`History::undone_focus`]).
    pub fn redone_focus(&self) -> Option<Focus> {
        self.done
            .last()
            .and_then(|s| focus_after(&s.forward, &s.inverse))
    }

    /// What undo would revert.
    pub fn undo_description(&self) -> Option<String> {
        self.done.last().map(|s| s.forward.describe())
    }

    /// What redo would reapply.
    pub fn redo_description(&self) -> Option<String> {
        self.undone.last().map(|s| s.forward.describe())
    }

    /// Identifies the current state: equal revisions mean an equal project.
    pub fn revision(&self) -> u64 {
        self.done.last().map_or(0, |s| s.revision)
    }

    /// Ends any run of merging edits, so that the next edit starts a new undo step.
    pub fn seal(&mut self) {
        if let Some(last) = self.done.last_mut() {
            last.merge = None;
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn i_annotate_all_is_told_as_labelling_n_spans() {
        // The Undo menu said "Undo 5 changes" after labelling every hit of a search.
        let span = |id: u64, label: &str| Edit::AddAnnotation {
            doc: 0,
            annotation: Annotation {
                id: Id(id),
                label: label.to_owned(),
                fragments: vec![ByteRange::new(0, 1)],
                annotator: "a".to_owned(),
                note: String::new(),
                created: crate::model::Timestamp(0),
                attributes: std::collections::BTreeMap::new(),
                provenance: None,
                suggested: None,
            },
        };
        let start = Edit::SetStatus {
            doc: 0,
            status: crate::model::Status::InProgress,
        };
        let all = Edit::Batch(vec![span(1, "source"), span(2, "source"), start.clone()]);
        assert_eq!(all.describe(), "label 2 spans as source");
        let mixed = Edit::Batch(vec![span(1, "source"), span(2, "claim"), start]);
        assert_eq!(mixed.describe(), "3 changes");
    }
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::*;
    use crate::model::{Document, Timestamp};
    use crate::schema::Schema;

    const TEXT: &str =
        "\u{feff}« Vos soldats se sont battus », a déclaré Poutine 😀.\r\nالعربية e\u{301}";

    pub(crate) fn project() -> Project {
        let doc = Document {
            path: "a.txt".into(),
            text: Arc::from(TEXT),
            ..Document::default()
        };
        Project::new("alice".into(), "/c".into(), Schema::default(), vec![doc])
    }

    fn span(project: &mut Project, label: &str, phrase: &str) -> Edit {
        let start = TEXT.find(phrase).unwrap();
        Edit::AddAnnotation {
            doc: 0,
            annotation: Annotation {
                id: project.allocate_id(),
                label: label.into(),
                fragments: vec![ByteRange::new(start, start + phrase.len())],
                annotator: "alice".into(),
                note: String::new(),
                created: Timestamp(0),
                attributes: BTreeMap::new(),
                suggested: None,
                provenance: None,
            },
        }
    }

    fn snapshot(project: &Project) -> String {
        format!(
            "{:?}{:?}{:?}",
            project.documents[0].annotations, project.documents[0].relations, project.schema
        )
    }

    #[test]
    fn undo_and_redo_say_what_to_select() {
        let mut p = project();
        let mut history = History::default();
        let claim = span(&mut p, "claim", "« Vos soldats se sont battus »");
        let Edit::AddAnnotation { annotation, .. } = &claim else {
            panic!()
        };
        let (id, extent) = (annotation.id, annotation.extent());
        history.apply(&mut p, claim).unwrap();
        history.undo(&mut p).unwrap();
        assert_eq!(
            history.undone_focus(),
            Some(Focus::Text {
                doc: 0,
                range: extent
            }),
            "undoing a new span gives its text back"
        );
        history.redo(&mut p).unwrap();
        assert_eq!(history.redone_focus(), Some(Focus::Span { doc: 0, id }));
        history
            .apply(&mut p, Edit::RemoveAnnotation { doc: 0, id })
            .unwrap();
        history.undo(&mut p).unwrap();
        assert_eq!(
            history.undone_focus(),
            Some(Focus::Span { doc: 0, id }),
            "undoing a deletion selects the span that came back"
        );
        history
            .apply(
                &mut p,
                Edit::SetStatus {
                    doc: 0,
                    status: Status::Done,
                },
            )
            .unwrap();
        history.undo(&mut p).unwrap();
        assert_eq!(history.undone_focus(), Some(Focus::Document(0)));
    }

    #[test]
    fn deleting_a_span_deletes_its_links_and_undo_restores_both() {
        let mut p = project();
        let mut history = History::default();
        let claim = span(&mut p, "claim", "« Vos soldats se sont battus »");
        let source = span(&mut p, "source", "Poutine");
        history.apply(&mut p, claim).unwrap();
        history.apply(&mut p, source).unwrap();
        let (c, s) = (
            p.documents[0].annotations[0].id,
            p.documents[0].annotations[1].id,
        );
        let link = Relation {
            id: p.allocate_id(),
            kind: "attributed-to".into(),
            from: c,
            to: s,
            annotator: "alice".into(),
            created: Timestamp(0),
        };
        history
            .apply(
                &mut p,
                Edit::AddRelation {
                    doc: 0,
                    relation: link,
                },
            )
            .unwrap();
        let before = snapshot(&p);
        history
            .apply(&mut p, Edit::RemoveAnnotation { doc: 0, id: s })
            .unwrap();
        assert!(p.documents[0].relations.is_empty());
        assert_eq!(p.documents[0].annotations.len(), 1);
        assert!(history.undo(&mut p).unwrap());
        assert_eq!(snapshot(&p), before);
        assert!(history.redo(&mut p).unwrap());
        assert!(p.documents[0].relations.is_empty());
    }

    #[test]
    fn refused_edits_change_nothing() {
        let mut p = project();
        let before = snapshot(&p);
        let good = span(&mut p, "claim", "Poutine");
        let mut bad = span(&mut p, "claim", "soldats");
        if let Edit::AddAnnotation { annotation, .. } = &mut bad {
            annotation.fragments = vec![ByteRange::new(0, 1)]; // inside the BOM
        }
        let result = Edit::Batch(vec![good, bad]).apply(&mut p);
        assert!(matches!(result, Err(EditError::Fragments(_))));
        assert_eq!(snapshot(&p), before);
        assert!(matches!(
            span(&mut p, "opinion", "Poutine").apply(&mut p),
            Err(EditError::UnknownLabel(_))
        ));
    }

    #[test]
    fn links_respect_the_schema() {
        let mut p = project();
        span(&mut p, "claim", "soldats").apply(&mut p).unwrap();
        span(&mut p, "source", "Poutine").apply(&mut p).unwrap();
        let (c, s) = (
            p.documents[0].annotations[0].id,
            p.documents[0].annotations[1].id,
        );
        let mut link = Relation {
            id: p.allocate_id(),
            kind: "attributed-to".into(),
            from: s,
            to: c,
            annotator: "a".into(),
            created: Timestamp(0),
        };
        assert!(matches!(
            Edit::AddRelation {
                doc: 0,
                relation: link.clone()
            }
            .apply(&mut p),
            Err(EditError::RelationNotAllowed { .. })
        ));
        link.to = s;
        assert_eq!(
            Edit::AddRelation {
                doc: 0,
                relation: link
            }
            .apply(&mut p),
            Err(EditError::SelfRelation)
        );
    }

    #[test]
    fn renaming_a_label_renames_it_everywhere_and_back() {
        let mut p = project();
        let mut history = History::default();
        let edit = span(&mut p, "claim", "soldats");
        history.apply(&mut p, edit).unwrap();
        let mut def = p.schema.labels[0].clone();
        def.name = "assertion".into();
        history
            .apply(&mut p, Edit::SetLabelDef { index: 0, def })
            .unwrap();
        assert_eq!(p.documents[0].annotations[0].label, "assertion");
        assert_eq!(p.schema.relations[0].from, ["assertion"]);
        assert!(matches!(
            Edit::RemoveLabel { index: 0 }.apply(&mut p),
            Err(EditError::LabelInUse { count: 1, .. })
        ));
        history.undo(&mut p).unwrap();
        assert_eq!(p.documents[0].annotations[0].label, "claim");
        assert_eq!(p.schema.attributes[0].label, "claim");
    }

    #[test]
    fn merged_edits_undo_in_one_step_and_revisions_track_changes() {
        let mut p = project();
        let mut history = History::default();
        let edit = span(&mut p, "claim", "soldats");
        history.apply(&mut p, edit).unwrap();
        let id = p.documents[0].annotations[0].id;
        let saved = history.revision();
        for note in ["a", "ab", "abc"] {
            let edit = Edit::SetNote {
                doc: 0,
                id,
                note: note.into(),
            };
            history
                .apply_merging(&mut p, edit, Some(MergeKey("note".into())))
                .unwrap();
        }
        assert_ne!(history.revision(), saved);
        assert_eq!(p.documents[0].annotations[0].note, "abc");
        history.undo(&mut p).unwrap();
        assert_eq!(p.documents[0].annotations[0].note, "");
        assert_eq!(history.revision(), saved);
        history.redo(&mut p).unwrap();
        assert_eq!(p.documents[0].annotations[0].note, "abc");
    }

    #[test]
    fn read_only_documents_refuse_edits() {
        let mut p = project();
        p.documents[0].text_state = crate::model::TextState::Changed {
            actual_hash: "x".into(),
        };
        assert!(matches!(
            span(&mut p, "claim", "soldats").apply(&mut p),
            Err(EditError::ReadOnly(_))
        ));
    }

    /// A random edit against the current project: some valid, some not.
    /// Ids are unique, below the next free one, and `id_taken` knows exactly the ids in use.
    fn ids_stay_unique_and_known(p: &Project) -> Result<(), proptest::test_runner::TestCaseError> {
        let ids = all_ids(p);
        let set: BTreeSet<Id> = ids.iter().copied().collect();
        prop_assert_eq!(ids.len(), set.len(), "duplicate ids: {:?}", ids);
        prop_assert!(ids.iter().all(|id| id.0 < p.next_id && id.0 < p.ids_below));
        for n in 0..p.next_id + 3 {
            prop_assert_eq!(id_taken(p, Id(n)), set.contains(&Id(n)), "id {}", n);
        }
        Ok(())
    }

    fn random_edit(p: &mut Project, choice: u8, a: usize, b: usize, pick: usize) -> Edit {
        let text = p.documents[0].text.clone();
        let ids: Vec<Id> = p.documents[0].annotations.iter().map(|x| x.id).collect();
        let id = if ids.is_empty() {
            Id(999)
        } else {
            ids[pick % ids.len()]
        };
        let (a, b) = (
            crate::text::floor_char_boundary(&text, a),
            crate::text::floor_char_boundary(&text, b),
        );
        let labels = ["claim", "source", "boilerplate"];
        match choice % 7 {
            6 => Edit::SetProvenance {
                doc: 0,
                id,
                provenance: (a % 2 == 0).then(|| crate::model::Provenance {
                    annotators: vec!["alice".into()],
                    adjudicator: Some("bob".into()),
                    unresolved: b % 2 == 0,
                }),
            },
            0 | 1 => Edit::AddAnnotation {
                doc: 0,
                annotation: Annotation {
                    id: p.allocate_id(),
                    label: labels[pick % 3].into(),
                    fragments: vec![ByteRange::new(a.min(b), a.max(b))],
                    annotator: "alice".into(),
                    note: String::new(),
                    created: Timestamp(0),
                    attributes: BTreeMap::new(),
                    suggested: None,
                    provenance: None,
                },
            },
            2 => Edit::RemoveAnnotation { doc: 0, id },
            3 => Edit::SetLabel {
                doc: 0,
                id,
                label: labels[a % 3].into(),
            },
            4 => Edit::SetNote {
                doc: 0,
                id,
                note: format!("note {a}"),
            },
            _ => {
                let to = ids.get(b % ids.len().max(1)).copied().unwrap_or(id);
                Edit::AddRelation {
                    doc: 0,
                    relation: Relation {
                        id: p.allocate_id(),
                        kind: "attributed-to".into(),
                        from: id,
                        to,
                        annotator: "a".into(),
                        created: Timestamp(0),
                    },
                }
            }
        }
    }

    /// Every id of the project, annotations and relations, in document order.
    fn all_ids(p: &Project) -> Vec<Id> {
        p.documents
            .iter()
            .flat_map(|d| {
                d.annotations
                    .iter()
                    .map(|a| a.id)
                    .chain(d.relations.iter().map(|r| r.id))
            })
            .collect()
    }

    #[test]
    fn g_fresh_ids_are_checked_without_looking_through_the_documents() {
        // An import adds each span with a fresh id: checking it against every span of every
        // document made imports quadratic.
        let mut p = project();
        let mut history = History::default();
        ID_SCANS.with(|scans| scans.set(0));
        for n in 0..200 {
            let start = TEXT.find("Poutine").unwrap() + n % 4;
            let annotation = Annotation {
                id: p.allocate_id(),
                label: "claim".into(),
                fragments: vec![ByteRange::new(start, start + 3)],
                annotator: "alice".into(),
                note: String::new(),
                created: Timestamp(0),
                attributes: BTreeMap::new(),
                suggested: None,
                provenance: None,
            };
            history
                .apply(&mut p, Edit::AddAnnotation { doc: 0, annotation })
                .unwrap();
        }
        assert_eq!(ID_SCANS.with(std::cell::Cell::get), 0);
        // An id given back by an undo is older than the next free id: it is looked for.
        let gone = p.documents[0].annotations[7].id;
        history
            .apply(&mut p, Edit::RemoveAnnotation { doc: 0, id: gone })
            .unwrap();
        assert!(history.undo(&mut p).unwrap());
        assert_eq!(ID_SCANS.with(std::cell::Cell::get), 1);
        assert!(p.documents[0].annotation(gone).is_some());
        // And a taken id is still refused.
        let twin = p.documents[0].annotations[0].clone();
        let id = twin.id;
        assert_eq!(
            Edit::AddAnnotation {
                doc: 0,
                annotation: twin
            }
            .apply(&mut p)
            .unwrap_err()
            .to_string(),
            EditError::IdTaken(id).to_string()
        );
        let ids = all_ids(&p);
        assert_eq!(ids.len(), ids.iter().collect::<BTreeSet<_>>().len());
    }

    proptest! {
        #[test]
        fn edit_then_inverse_is_identity(script in proptest::collection::vec((any::<u8>(), 0usize..120, 0usize..120, any::<usize>()), 1..25)) {
            let mut p = project();
            let mut history = History::default();
            let mut states = vec![snapshot(&p)];
            for (choice, a, b, pick) in script {
                let edit = random_edit(&mut p, choice, a, b, pick);
                let before = snapshot(&p);
                let result = edit.clone().apply(&mut p);
                if let Ok(inverse) = result {
                    // The inverse restores the state exactly.
                    inverse.apply(&mut p).unwrap();
                    prop_assert_eq!(snapshot(&p), before.clone());
                    history.apply(&mut p, edit).unwrap();
                    states.push(snapshot(&p));
                } else {
                    // A refused edit changes nothing.
                    prop_assert_eq!(snapshot(&p), before);
                }
                // Every span stays on char boundaries, sorted and disjoint.
                let doc = &p.documents[0];
                for annotation in &doc.annotations {
                    prop_assert!(check_fragments(&doc.text, &annotation.fragments).is_ok());
                }
                prop_assert!(doc.annotations.windows(2).all(|w| w[0].sort_key() <= w[1].sort_key()));
                ids_stay_unique_and_known(&p)?;
            }
            // Undo all the way back, then redo all the way forward.
            for expected in states.iter().rev().skip(1) {
                prop_assert!(history.undo(&mut p).unwrap());
                prop_assert_eq!(&snapshot(&p), expected);
            }
            prop_assert!(!history.undo(&mut p).unwrap());
            ids_stay_unique_and_known(&p)?;
            for expected in states.iter().skip(1) {
                prop_assert!(history.redo(&mut p).unwrap());
                prop_assert_eq!(&snapshot(&p), expected);
                ids_stay_unique_and_known(&p)?;
            }
        }
    }
}

#[cfg(test)]
mod place_tests {
    use super::tests::project;
    use super::*;
    use crate::model::Timestamp;

    fn detached(id: u64, label: &str, old: &str, relations: Vec<Relation>) -> DetachedSpan {
        DetachedSpan {
            annotation: Annotation {
                id: Id(id),
                label: label.into(),
                fragments: vec![ByteRange::new(900, 900 + old.len())],
                annotator: "zoé".into(),
                note: "à vérifier".into(),
                created: Timestamp(7),
                attributes: [("stance".to_owned(), "denies".to_owned())].into(),
                suggested: None,
                provenance: None,
            },
            texts: vec![old.into()],
            before: String::new(),
            after: String::new(),
            reason: "the text changed".into(),
            relations,
        }
    }

    fn link(id: u64, from: u64, to: u64) -> Relation {
        Relation {
            id: Id(id),
            kind: "attributed-to".into(),
            from: Id(from),
            to: Id(to),
            annotator: "zoé".into(),
            created: Timestamp(7),
        }
    }

    /// A document with a placed source (id 1), a detached claim (id 2) linked to it, and a
    /// detached source (id 3) that a second link from the claim waits for.
    fn with_detached() -> Project {
        let mut p = project();
        let text = p.documents[0].text.clone();
        let start = text.find("Poutine").unwrap();
        p.documents[0].insert_annotation(Annotation {
            id: Id(1),
            label: "source".into(),
            fragments: vec![ByteRange::new(start, start + "Poutine".len())],
            annotator: "zoé".into(),
            note: String::new(),
            created: Timestamp(7),
            attributes: BTreeMap::new(),
            suggested: None,
            provenance: None,
        });
        p.documents[0].detached = vec![
            detached(
                2,
                "claim",
                "« Vos soldats se sont battus »",
                vec![link(4, 2, 1), link(5, 2, 3)],
            ),
            detached(3, "source", "le Kremlin", Vec::new()),
        ];
        // Filled by hand after `Project::new`: the ids it holds are said here.
        p.next_id = 6;
        p.ids_below = 6;
        p
    }

    fn state(p: &Project) -> String {
        let d = &p.documents[0];
        format!("{:?}{:?}{:?}", d.annotations, d.relations, d.detached)
    }

    use std::collections::BTreeMap;

    #[test]
    fn g_a_detached_span_is_placed_again_with_its_note_attributes_and_links() {
        let mut p = with_detached();
        let before = state(&p);
        let text = p.documents[0].text.clone();
        let start = text.find("« Vos").unwrap();
        let fragments = vec![ByteRange::new(
            start,
            start + "« Vos soldats se sont battus »".len(),
        )];
        let mut history = History::default();
        history
            .apply(
                &mut p,
                Edit::PlaceDetached {
                    doc: 0,
                    index: 0,
                    fragments: fragments.clone(),
                },
            )
            .unwrap();
        let placed = p.documents[0].annotation(Id(2)).unwrap();
        assert_eq!(placed.fragments, fragments);
        assert_eq!(placed.note, "à vérifier");
        assert_eq!(placed.attributes.get("stance").unwrap(), "denies");
        assert_eq!(placed.annotator, "zoé");
        assert_eq!(placed.label, "claim");
        // The link to the placed source is back; the one to the detached source waits with it.
        assert_eq!(p.documents[0].relations, vec![link(4, 2, 1)]);
        assert_eq!(p.documents[0].detached.len(), 1);
        assert_eq!(p.documents[0].detached[0].relations, vec![link(5, 2, 3)]);
        let after = state(&p);
        // Undo puts everything back exactly; redo places it again.
        history.undo(&mut p).unwrap();
        assert_eq!(state(&p), before);
        history.redo(&mut p).unwrap();
        assert_eq!(state(&p), after);
        // Placing the second source brings the waiting link.
        let k = text.find("Poutine").unwrap();
        let err = Edit::PlaceDetached {
            doc: 0,
            index: 0,
            fragments: vec![ByteRange::new(k + 1, k + 900)],
        }
        .apply(&mut p)
        .unwrap_err();
        assert!(matches!(err, EditError::Fragments(_)), "{err}");
        let d = text.find("déclaré").unwrap();
        Edit::PlaceDetached {
            doc: 0,
            index: 0,
            fragments: vec![ByteRange::new(d, d + "déclaré".len())],
        }
        .apply(&mut p)
        .unwrap();
        assert!(p.documents[0].detached.is_empty());
        assert_eq!(p.documents[0].relations, vec![link(4, 2, 1), link(5, 2, 3)]);
    }

    #[test]
    fn g_placing_refuses_a_missing_span_or_a_taken_id() {
        let mut p = with_detached();
        let err = Edit::PlaceDetached {
            doc: 0,
            index: 7,
            fragments: vec![ByteRange::new(0, 3)],
        }
        .apply(&mut p)
        .unwrap_err();
        assert_eq!(err, EditError::NoSuchDetached(7));
        p.documents[0].detached[0].annotation.id = Id(1);
        let before = state(&p);
        let err = Edit::PlaceDetached {
            doc: 0,
            index: 0,
            fragments: vec![ByteRange::new(3, 6)],
        }
        .apply(&mut p)
        .unwrap_err();
        assert_eq!(err, EditError::IdTaken(Id(1)));
        assert_eq!(state(&p), before, "a refused edit changes nothing");
    }

    #[test]
    fn g_a_split_span_is_placed_on_its_old_fragments_inside_the_selection() {
        let text = "« Nous gagnerons », a dit le ministre, « bientôt ».";
        let mut span = detached(2, "claim", "x", Vec::new());
        span.texts = vec!["« Nous gagnerons »".into(), "« bientôt »".into()];
        let all = ByteRange::new(0, text.len());
        let fragments = crate::anchor::placement_in(&span, text, all).unwrap();
        let texts: Vec<&str> = fragments.iter().map(|f| f.slice(text)).collect();
        assert_eq!(texts, ["« Nous gagnerons »", "« bientôt »"]);
        // Without both old texts in the selection: the selection, trimmed.
        let part = ByteRange::new(0, text.find(',').unwrap() + 2);
        let fragments = crate::anchor::placement_in(&span, text, part).unwrap();
        assert_eq!(
            fragments,
            vec![ByteRange::new(0, text.find(',').unwrap() + 1)]
        );
        assert!(crate::anchor::placement_in(&span, "   ", ByteRange::new(0, 3)).is_none());
    }
}
