//! Edits built from what the user means: "label this selection", "link these two spans", "add
//! this text to the span", "the next value of this attribute". As helix builds a `Transaction`
//! from a selection, these read the project, decide, and return the [`Edit`] to apply (or why
//! there is none); the fronts only say what was meant. Nothing here changes the project.

use std::collections::BTreeMap;

use super::Edit;
use crate::model::{Annotation, Id, Project, Provenance, Relation, Timestamp};
use crate::text::{ByteRange, Join, merge_ranges, trim_range};

/// Why no edit could be built from what was asked. Said to the user as it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IntentError {
    /// No document at that index.
    #[error("there is no document number {0}")]
    NoSuchDocument(usize),
    /// No span with that id in the document.
    #[error("there is no span {0} in this document")]
    NoSuchSpan(Id),
    /// The selection holds nothing but white space.
    #[error("The selection holds only white space")]
    OnlyWhiteSpace,
    /// No relation type of the schema links these labels, either way round.
    #[error("No relation type links a {first} to a {second}: see the schema")]
    NoRelationType {
        /// The label of the span picked first.
        first: String,
        /// The label of the other.
        second: String,
    },
    /// The two spans are linked already.
    #[error("These spans are already linked")]
    AlreadyLinked,
    /// The span has no such attribute in the schema.
    #[error("spans labelled {label:?} have no attribute {name:?}")]
    NoSuchAttribute {
        /// The span's label.
        label: String,
        /// The attribute.
        name: String,
    },
}

/// `edit`, and, when it is the first change to the annotations of a document still to do, the
/// document marked in progress with it (one undo step for both).
pub fn started(project: &Project, edit: Edit) -> Edit {
    match edit.annotated_document() {
        Some(doc)
            if project
                .document(doc)
                .is_some_and(|d| d.status == crate::model::Status::ToDo) =>
        {
            Edit::Batch(vec![
                edit,
                Edit::SetStatus {
                    doc,
                    status: crate::model::Status::InProgress,
                },
            ])
        }
        _ => edit,
    }
}

/// A new span labelled `label` over `selection` (its edge white space left out), made by the
/// project's annotator now. In a gold project, a span the adjudicator draws is gold, theirs.
pub fn new_span(
    project: &Project,
    doc: usize,
    selection: ByteRange,
    label: &str,
    id: Id,
) -> Result<Edit, IntentError> {
    let document = project
        .document(doc)
        .ok_or(IntentError::NoSuchDocument(doc))?;
    let range = trim_range(&document.text, selection).ok_or(IntentError::OnlyWhiteSpace)?;
    let annotation = Annotation {
        id,
        label: label.to_owned(),
        fragments: vec![range],
        annotator: project.annotator.clone(),
        note: String::new(),
        created: Timestamp::now(),
        attributes: BTreeMap::new(),
        suggested: None,
        provenance: project.is_gold().then(|| Provenance {
            annotators: Vec::new(),
            adjudicator: Some(project.annotator.clone()),
            unresolved: false,
        }),
    };
    Ok(Edit::AddAnnotation { doc, annotation })
}

/// A link between spans `a` and `b`, of the first relation type of the schema that allows their
/// labels, in either direction: a claim to its source, whichever of the two was picked first.
pub fn link(project: &Project, doc: usize, a: Id, b: Id, id: Id) -> Result<Edit, IntentError> {
    let document = project
        .document(doc)
        .ok_or(IntentError::NoSuchDocument(doc))?;
    let first = document.annotation(a).ok_or(IntentError::NoSuchSpan(a))?;
    let second = document.annotation(b).ok_or(IntentError::NoSuchSpan(b))?;
    let schema = &project.schema;
    let (kind, from, to) = schema
        .relations
        .iter()
        .find_map(|r| {
            r.allows(&first.label, &second.label)
                .then(|| (r.name.clone(), a, b))
        })
        .or_else(|| {
            schema.relations.iter().find_map(|r| {
                r.allows(&second.label, &first.label)
                    .then(|| (r.name.clone(), b, a))
            })
        })
        .ok_or_else(|| IntentError::NoRelationType {
            first: first.label.clone(),
            second: second.label.clone(),
        })?;
    if document
        .relations
        .iter()
        .any(|r| r.kind == kind && r.from == from && r.to == to)
    {
        return Err(IntentError::AlreadyLinked);
    }
    let relation = Relation {
        id,
        kind,
        from,
        to,
        annotator: project.annotator.clone(),
        created: Timestamp::now(),
    };
    Ok(Edit::AddRelation { doc, relation })
}

/// `range` (its edge white space left out) added to span `span`'s fragments: a discontinuous
/// span, fragments that overlap or touch merged into one.
pub fn add_fragment(
    project: &Project,
    doc: usize,
    span: Id,
    range: ByteRange,
) -> Result<Edit, IntentError> {
    let document = project
        .document(doc)
        .ok_or(IntentError::NoSuchDocument(doc))?;
    let annotation = document
        .annotation(span)
        .ok_or(IntentError::NoSuchSpan(span))?;
    let range = trim_range(&document.text, range).ok_or(IntentError::OnlyWhiteSpace)?;
    let mut fragments = annotation.fragments.clone();
    fragments.push(range);
    Ok(Edit::SetFragments {
        doc,
        id: span,
        fragments: merge_ranges(fragments, Join::OverlappingOrTouching),
    })
}

/// Attribute `name` of span `span` moved to its next value in the schema's order: the first
/// when it has none, none after the last.
pub fn cycle_attribute(
    project: &Project,
    doc: usize,
    span: Id,
    name: &str,
) -> Result<Edit, IntentError> {
    let document = project
        .document(doc)
        .ok_or(IntentError::NoSuchDocument(doc))?;
    let annotation = document
        .annotation(span)
        .ok_or(IntentError::NoSuchSpan(span))?;
    let def = project
        .schema
        .attributes_of(&annotation.label)
        .find(|a| a.name == name)
        .ok_or_else(|| IntentError::NoSuchAttribute {
            label: annotation.label.clone(),
            name: name.to_owned(),
        })?;
    let value = match annotation.attributes.get(name) {
        None => def.values.first().cloned(),
        Some(current) => def
            .values
            .iter()
            .position(|v| v == current)
            .and_then(|i| def.values.get(i + 1))
            .cloned(),
    };
    Ok(Edit::SetAttribute {
        doc,
        id: span,
        name: name.to_owned(),
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::tests::project;

    fn phrase(p: &Project, text: &str) -> ByteRange {
        let start = p.documents[0].text.find(text).unwrap();
        ByteRange::new(start, start + text.len())
    }

    fn apply(p: &mut Project, edit: Edit) {
        edit.apply(p).unwrap();
    }

    #[test]
    fn the_first_change_to_a_document_to_do_starts_it_and_one_undo_reverts_both() {
        let mut p = project();
        let mut history = crate::edit::History::default();
        let span = new_span(&p, 0, phrase(&p, "Poutine"), "source", Id(1)).unwrap();
        let edit = started(&p, span);
        assert_eq!(edit.describe(), "add source");
        history.apply(&mut p, edit).unwrap();
        assert_eq!(p.documents[0].status, crate::model::Status::InProgress);
        // Once started, a change is only the change.
        let next = new_span(&p, 0, phrase(&p, "déclaré"), "claim", Id(2)).unwrap();
        assert!(matches!(started(&p, next), Edit::AddAnnotation { .. }));
        history.undo(&mut p).unwrap();
        assert_eq!(p.documents[0].status, crate::model::Status::ToDo);
        assert!(p.documents[0].annotations.is_empty());
        // A status change does not start anything itself.
        let done = Edit::SetStatus {
            doc: 0,
            status: crate::model::Status::Done,
        };
        assert_eq!(started(&p, done.clone()), done);
    }

    #[test]
    fn a_new_span_leaves_edge_white_space_out_and_is_gold_in_a_gold_project() {
        let mut p = project();
        let mut around = phrase(&p, " a déclaré ");
        let edit = new_span(&p, 0, around, "claim", Id(1)).unwrap();
        let Edit::AddAnnotation { annotation, .. } = &edit else {
            panic!("{edit:?}")
        };
        assert_eq!(annotation.fragments, vec![phrase(&p, "a déclaré")]);
        assert_eq!(annotation.annotator, "alice");
        assert!(annotation.provenance.is_none());
        apply(&mut p, edit);
        // Once a span carries provenance, the project is a gold project.
        p.documents[0].annotations[0].provenance = Some(Provenance::default());
        around = phrase(&p, "Poutine");
        let Edit::AddAnnotation { annotation, .. } =
            new_span(&p, 0, around, "source", Id(2)).unwrap()
        else {
            panic!()
        };
        let provenance = annotation.provenance.unwrap();
        assert_eq!(provenance.adjudicator.as_deref(), Some("alice"));
        assert!(!provenance.unresolved);
        assert_eq!(
            new_span(&p, 0, ByteRange::new(0, 0), "claim", Id(3)),
            Err(IntentError::OnlyWhiteSpace)
        );
    }

    #[test]
    fn a_link_goes_from_the_claim_to_the_source_whichever_is_picked_first() {
        let mut p = project();
        let claim = new_span(
            &p,
            0,
            phrase(&p, "« Vos soldats se sont battus »"),
            "claim",
            Id(1),
        );
        apply(&mut p, claim.unwrap());
        let source = new_span(&p, 0, phrase(&p, "Poutine"), "source", Id(2));
        apply(&mut p, source.unwrap());
        let Edit::AddRelation { relation, .. } = link(&p, 0, Id(2), Id(1), Id(3)).unwrap() else {
            panic!()
        };
        assert_eq!((relation.from, relation.to), (Id(1), Id(2)));
        assert_eq!(relation.kind, "attributed-to");
        let edit = link(&p, 0, Id(1), Id(2), Id(3)).unwrap();
        apply(&mut p, edit);
        assert_eq!(
            link(&p, 0, Id(2), Id(1), Id(4)),
            Err(IntentError::AlreadyLinked)
        );
        let other = new_span(&p, 0, phrase(&p, "déclaré"), "claim", Id(5));
        apply(&mut p, other.unwrap());
        assert_eq!(
            link(&p, 0, Id(1), Id(5), Id(6)),
            Err(IntentError::NoRelationType {
                first: "claim".into(),
                second: "claim".into()
            })
        );
    }

    #[test]
    fn fragments_that_overlap_merge_and_attributes_cycle_to_none() {
        let mut p = project();
        let span = new_span(&p, 0, phrase(&p, "« Vos soldats"), "claim", Id(1));
        apply(&mut p, span.unwrap());
        let overlapping = phrase(&p, "soldats se sont battus »");
        let edit = add_fragment(&p, 0, Id(1), overlapping).unwrap();
        let Edit::SetFragments { fragments, .. } = &edit else {
            panic!()
        };
        assert_eq!(
            fragments,
            &vec![phrase(&p, "« Vos soldats se sont battus »")]
        );
        let apart = add_fragment(&p, 0, Id(1), phrase(&p, "Poutine")).unwrap();
        let Edit::SetFragments { fragments, .. } = &apart else {
            panic!()
        };
        assert_eq!(fragments.len(), 2);
        // Every value of the schema in order, then none again.
        let values: Vec<String> = p
            .schema
            .attributes_of("claim")
            .find(|a| a.name == "stance")
            .unwrap()
            .values
            .clone();
        let mut seen = Vec::new();
        for _ in 0..=values.len() {
            let edit = cycle_attribute(&p, 0, Id(1), "stance").unwrap();
            let Edit::SetAttribute { value, .. } = &edit else {
                panic!()
            };
            seen.push(value.clone());
            apply(&mut p, edit);
        }
        let mut expected: Vec<Option<String>> = values.into_iter().map(Some).collect();
        expected.push(None);
        assert_eq!(seen, expected);
        assert!(matches!(
            cycle_attribute(&p, 0, Id(1), "colour"),
            Err(IntentError::NoSuchAttribute { .. })
        ));
    }
}
