//! Precision, recall and F1 of suggestions against a gold project, per suggester and label,
//! with the span matching of `marginalia agree` ([`crate::review::agreement`]): *exact* (same
//! label, same fragments) and *overlap* (same label, a byte in common).
//!
//! Documents are matched by content hash ([`crate::review::align`]); a document of the project
//! that the gold project lacks is left out of the measures and listed. The gold spans are the
//! reference: recall is the share of the gold spans of a label that a suggester found, precision
//! the share of its suggestions of that label that are gold spans.

use std::collections::BTreeMap;
use std::fmt;

use crate::model::Project;
use crate::review::Span;
use crate::review::agreement::{Prf, exact_counts, overlap_counts};

use super::{Suggester, Suggestion};

/// One row of a [`Report`]: a suggester (or all of them) and a label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The suggester, or `None` for all the suggesters together (each span counted once).
    pub suggester: Option<Suggester>,
    /// The label.
    pub label: String,
    /// Counts with exact matching.
    pub exact: Prf,
    /// Counts with overlap matching.
    pub overlap: Prf,
}

/// What [`evaluate`] measured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// One row for each suggester and each label it suggested or the gold project has, suggesters
    /// in [`Suggester::ALL`]'s order, then the rows of all suggesters together; labels sorted.
    pub rows: Vec<Row>,
    /// Documents compared (in both projects).
    pub documents: usize,
    /// Paths of the project's documents that the gold project lacks (left out).
    pub missing_from_gold: Vec<String>,
}

/// Measures `suggestions` (one list per document of `project`, as [`super::run`] gives them)
/// against the spans of `gold`.
pub fn evaluate(project: &Project, suggestions: &[Vec<Suggestion>], gold: &Project) -> Report {
    let alignment = crate::review::align(&[project, gold]);
    let index_of: BTreeMap<usize, usize> = project
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (std::ptr::from_ref(d).addr(), i))
        .collect();
    // Every suggester that suggested anything, and all of them together: each is measured on
    // every document, those where it found nothing included.
    let suggesters: Vec<Option<Suggester>> = Suggester::ALL
        .into_iter()
        .filter(|k| suggestions.iter().flatten().any(|s| s.rule.suggester == *k))
        .map(Some)
        .chain([None])
        .collect();
    let mut report = Report::default();
    // (suggester or all, label) -> (exact, overlap)
    let mut counts: BTreeMap<(Option<Suggester>, String), (Prf, Prf)> = BTreeMap::new();
    for aligned in &alignment.documents {
        let (Some(Some(ours)), Some(theirs)) =
            (aligned.documents.first(), aligned.documents.get(1))
        else {
            continue;
        };
        let Some(theirs) = theirs else {
            report.missing_from_gold.push(ours.path.clone());
            continue;
        };
        report.documents += 1;
        let found = index_of
            .get(&std::ptr::from_ref(*ours).addr())
            .and_then(|&i| suggestions.get(i))
            .map_or(&[][..], Vec::as_slice);
        let gold_spans = crate::review::spans_of(theirs);
        let mut labels: Vec<&str> = gold_spans.iter().map(|s| s.label.as_str()).collect();
        labels.extend(found.iter().map(|s| s.label.as_str()));
        labels.sort_unstable();
        labels.dedup();
        for &suggester in &suggesters {
            for &label in &labels {
                let reference: Vec<Span> = gold_spans
                    .iter()
                    .filter(|s| s.label == label)
                    .cloned()
                    .collect();
                let mut other: Vec<Span> = found
                    .iter()
                    .filter(|s| s.label == label && suggester.is_none_or(|k| s.rule.suggester == k))
                    .map(|s| Span {
                        label: s.label.clone(),
                        fragments: s.fragments.clone(),
                    })
                    .collect();
                other.sort();
                other.dedup();
                let (exact, overlap) = counts.entry((suggester, label.to_owned())).or_default();
                add(exact, exact_counts(&reference, &other));
                add(overlap, overlap_counts(&reference, &other));
            }
        }
    }
    // Suggesters first in their order, then all of them: `None` sorts first, so it is moved.
    let (all, each): (Vec<_>, Vec<_>) = counts.into_iter().partition(|((k, _), _)| k.is_none());
    report.rows = each
        .into_iter()
        .chain(all)
        .map(|((suggester, label), (exact, overlap))| Row {
            suggester,
            label,
            exact,
            overlap,
        })
        .collect();
    report
}

fn add(total: &mut Prf, more: Prf) {
    total.reference += more.reference;
    total.other += more.other;
    total.matched_reference += more.matched_reference;
    total.matched_other += more.matched_other;
}

/// A measure to 3 decimals, "undefined" when there was nothing to measure.
fn value(x: f64) -> String {
    if x.is_nan() {
        "undefined".to_owned()
    } else {
        format!("{x:.3}")
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} document(s) compared with the gold project (exact: same label and fragments; \
             overlap: same label, a character in common)",
            self.documents
        )?;
        let width = self
            .rows
            .iter()
            .map(|r| crate::text::escape_for_terminal(&r.label).chars().count())
            .max()
            .unwrap_or(0)
            .max(5);
        writeln!(
            f,
            "{:<11}  {:<width$}  {:>9}  {:>5}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}",
            "suggester",
            "label",
            "suggested",
            "gold",
            "exact P",
            "exact R",
            "exact F1",
            "overlap P",
            "overlap R",
            "overlap F1"
        )?;
        for row in &self.rows {
            let name = row.suggester.map_or("all", Suggester::name);
            writeln!(
                f,
                "{name:<11}  {:<width$}  {:>9}  {:>5}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}",
                crate::text::escape_for_terminal(&row.label),
                row.exact.other,
                row.exact.reference,
                value(row.exact.precision()),
                value(row.exact.recall()),
                value(row.exact.f1()),
                value(row.overlap.precision()),
                value(row.overlap.recall()),
                value(row.overlap.f1()),
            )?;
        }
        for path in &self.missing_from_gold {
            writeln!(
                f,
                "left out: {} is not in the gold project",
                crate::text::escape_for_terminal(path)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Annotation, Document, Id, Timestamp};
    use crate::schema::Schema;
    use crate::suggest::Rule;
    use crate::text::ByteRange;
    use std::sync::Arc;

    fn span(id: u64, label: &str, start: usize, end: usize) -> Annotation {
        Annotation {
            id: Id(id),
            label: label.into(),
            fragments: vec![ByteRange::new(start, end)],
            annotator: "g".into(),
            note: String::new(),
            created: Timestamp(0),
            attributes: std::collections::BTreeMap::new(),
            provenance: None,
            suggested: None,
        }
    }

    fn suggestion(suggester: Suggester, label: &str, start: usize, end: usize) -> Suggestion {
        Suggestion {
            label: label.into(),
            fragments: vec![ByteRange::new(start, end)],
            rule: Rule {
                suggester,
                rule: "r".into(),
            },
            score: 0.5,
            link: None,
        }
    }

    #[test]
    fn i_precision_and_recall_per_suggester_and_label_exact_and_overlap() {
        let text = "Selon l'AFP, le Kremlin a démenti. 😀";
        let doc = |annotations| Document {
            path: "a.txt".into(),
            hash: "h".into(),
            text: Arc::from(text),
            annotations,
            ..Document::default()
        };
        let gold = Project::new(
            "g".into(),
            "/c".into(),
            Schema::default(),
            vec![doc(vec![
                span(1, "source", 6, 11),
                span(2, "source", 13, 23),
            ])],
        );
        let project = Project::new(
            "p".into(),
            "/c".into(),
            Schema::default(),
            vec![doc(vec![])],
        );
        let found = vec![vec![
            // Exact.
            suggestion(Suggester::Patterns, "source", 6, 11),
            // Overlaps "le Kremlin" only.
            suggestion(Suggester::Patterns, "source", 16, 23),
            // Wrong.
            suggestion(Suggester::Attribution, "claim", 13, 33),
        ]];
        let report = evaluate(&project, &found, &gold);
        assert_eq!(report.documents, 1);
        let row = |k: Option<Suggester>, label: &str| {
            report
                .rows
                .iter()
                .find(|r| r.suggester == k && r.label == label)
                .unwrap()
                .clone()
        };
        let patterns = row(Some(Suggester::Patterns), "source");
        assert_eq!(
            (patterns.exact.precision(), patterns.exact.recall()),
            (0.5, 0.5)
        );
        assert_eq!(
            (patterns.overlap.precision(), patterns.overlap.recall()),
            (1.0, 1.0)
        );
        let claims = row(Some(Suggester::Attribution), "claim");
        assert!(claims.exact.precision() < f64::EPSILON);
        assert!(claims.exact.recall().is_nan(), "no gold claim: undefined");
        assert_eq!(row(None, "source").exact.matched_reference, 1);
        let shown = report.to_string();
        assert!(shown.contains("patterns"), "{shown}");
        assert!(shown.contains("undefined"), "{shown}");
        assert!(shown.contains("0.500"), "{shown}");
    }
}
