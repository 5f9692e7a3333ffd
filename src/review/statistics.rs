//! The statistics of one project, for Review → Statistics…: spans per label per document,
//! unsourced claims, the values of document and span attributes, and the progress over time
//! from the spans' `created` stamps.

use std::collections::{BTreeMap, HashSet};

use crate::model::{Document, Id, Project, Status};

/// One document's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentRow {
    /// Its path.
    pub path: String,
    /// Its status.
    pub status: Status,
    /// Spans per label, in the order of [`Statistics::labels`].
    pub spans: Vec<usize>,
    /// Claims with neither a source linked nor the journalist's own-assertion attribute.
    pub unsourced: usize,
    /// Links.
    pub links: usize,
}

/// How often each value of an attribute occurs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValueCounts {
    /// Count by value, sorted by value.
    pub values: BTreeMap<String, usize>,
    /// Items (documents, or spans of the label) without a value.
    pub unset: usize,
}

/// The statistics of a project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Statistics {
    /// The labels: the schema's in order, then any other met.
    pub labels: Vec<String>,
    /// One row a document, in the project's order.
    pub documents: Vec<DocumentRow>,
    /// Each document attribute of the schema (then any other met): its values over the documents.
    pub document_attributes: Vec<(String, ValueCounts)>,
    /// Each span attribute of the schema, as `label.name`: its values over that label's spans.
    pub span_attributes: Vec<(String, ValueCounts)>,
    /// The spans made each day (UTC, `YYYY-MM-DD`) and the total so far, in day order.
    pub timeline: Vec<(String, usize, usize)>,
}

impl Statistics {
    /// Every span of the project, per label (the column sums of [`Statistics::documents`]).
    pub fn totals(&self) -> Vec<usize> {
        let mut totals = vec![0; self.labels.len()];
        for row in &self.documents {
            for (total, n) in totals.iter_mut().zip(&row.spans) {
                *total += n;
            }
        }
        totals
    }
}

/// Claims of `document` with neither a source linked nor the journalist's own-assertion
/// attribute (`own = yes`).
pub fn unsourced_claims(document: &Document) -> usize {
    let linked: HashSet<Id> = document
        .relations
        .iter()
        .flat_map(|r| [r.from, r.to])
        .collect();
    document
        .annotations
        .iter()
        .filter(|a| a.label == "claim")
        .filter(|a| a.attributes.get("own").is_none_or(|v| v != "yes"))
        .filter(|a| !linked.contains(&a.id))
        .count()
}

/// Computes the statistics of `project`.
pub fn of(project: &Project) -> Statistics {
    let mut labels: Vec<String> = project
        .schema
        .labels
        .iter()
        .map(|l| l.name.clone())
        .collect();
    for document in &project.documents {
        for annotation in &document.annotations {
            if !labels.contains(&annotation.label) {
                labels.push(annotation.label.clone());
            }
        }
    }
    let documents = project
        .documents
        .iter()
        .map(|document| {
            let mut spans = vec![0; labels.len()];
            for annotation in &document.annotations {
                if let Some(slot) = labels
                    .iter()
                    .position(|l| *l == annotation.label)
                    .and_then(|i| spans.get_mut(i))
                {
                    *slot += 1;
                }
            }
            DocumentRow {
                path: document.path.clone(),
                status: document.status,
                spans,
                unsourced: unsourced_claims(document),
                links: document.relations.len(),
            }
        })
        .collect();
    let mut names: Vec<String> = project
        .schema
        .document_attributes
        .iter()
        .map(|d| d.name.clone())
        .collect();
    for document in &project.documents {
        for name in document.attributes.keys() {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    let document_attributes = names
        .into_iter()
        .map(|name| {
            let mut counts = ValueCounts::default();
            for document in &project.documents {
                match document.attributes.get(&name) {
                    Some(value) => *counts.values.entry(value.clone()).or_default() += 1,
                    None => counts.unset += 1,
                }
            }
            (name, counts)
        })
        .collect();
    let span_attributes = project
        .schema
        .attributes
        .iter()
        .map(|def| {
            let mut counts = ValueCounts::default();
            for annotation in project
                .documents
                .iter()
                .flat_map(|d| &d.annotations)
                .filter(|a| a.label == def.label)
            {
                match annotation.attributes.get(&def.name) {
                    Some(value) => *counts.values.entry(value.clone()).or_default() += 1,
                    None => counts.unset += 1,
                }
            }
            (format!("{}.{}", def.label, def.name), counts)
        })
        .collect();
    let mut days: BTreeMap<String, usize> = BTreeMap::new();
    for annotation in project.documents.iter().flat_map(|d| &d.annotations) {
        let stamp = annotation.created.to_string();
        let day = stamp.get(..10).unwrap_or(&stamp).to_owned();
        *days.entry(day).or_default() += 1;
    }
    let mut total = 0;
    let timeline = days
        .into_iter()
        .map(|(day, n)| {
            total += n;
            (day, n, total)
        })
        .collect();
    Statistics {
        labels,
        documents,
        document_attributes,
        span_attributes,
        timeline,
    }
}
