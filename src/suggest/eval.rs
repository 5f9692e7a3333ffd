//! How good suggestions are: precision, recall and F1 against a gold project.
//!
//! The documents of the project that was suggested on are matched with the gold project's by
//! content hash (as [`crate::review::align`] does), so paths may differ. For each suggester and
//! label, and for each rule family (`quote`, `reporting verb`, `selon X`, `navigation`…), the
//! suggestions of that label are compared with the gold spans of that label, exactly (same
//! fragments, one to one) and by overlap (a span is matched when one of the other side shares a
//! byte with it), with [`crate::review::agreement`]'s counts. An `all` row per label takes the
//! suggestions of every suggester together (each distinct span once).
//!
//! What is fair to measure: suggestions made on the gold project itself would let `recurring`
//! copy the gold. [`held_out`] makes them without it: the project's spans removed for the
//! suggesters that read only text, and for `recurring` each document's suggestions made from
//! the other documents' spans only. Each suggester is measured on what it suggests alone (the
//! app and `suggest -o` offer a span that two suggesters find once); the `all` row counts each
//! distinct span once. [`evaluate_held_out`] is what the benchmark and `marginalia suggest
//! --eval` print.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use super::{Suggester, Suggestion};
use crate::model::{Document, Project};
use crate::review::Span;
use crate::review::agreement::{Prf, exact_counts, overlap_counts};

/// The figures of one row: a suggester (or all of them) and a label, maybe one rule family.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The suggester; `None` for all suggesters together.
    pub suggester: Option<Suggester>,
    /// The label.
    pub label: String,
    /// The rule family (see [`rule_family`]); `None` for all the suggester's rules.
    pub rule: Option<String>,
    /// Exact matching: same label and fragments.
    pub exact: Prf,
    /// Overlap matching: same label, at least one byte in common.
    pub overlap: Prf,
}

/// Precision, recall and F1 of suggestions against a gold project.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Documents found in both projects (those compared).
    pub documents: usize,
    /// Documents of the suggested project that the gold project lacks (not compared).
    pub unmatched: usize,
    /// Per suggester and label, then per rule family, then `all` per label; in that order
    /// within each label, labels in the order of the gold schema.
    pub rows: Vec<Row>,
}

impl Report {
    /// The row of `suggester` (or of all suggesters, `None`) and `label`, all rules together.
    pub fn row(&self, suggester: Option<Suggester>, label: &str) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.suggester == suggester && r.label == label && r.rule.is_none())
    }

    /// The row of one rule family of `suggester` and `label`.
    pub fn rule_row(&self, suggester: Suggester, label: &str, family: &str) -> Option<&Row> {
        self.rows.iter().find(|r| {
            r.suggester == Some(suggester) && r.label == label && r.rule.as_deref() == Some(family)
        })
    }
}

/// The family of a rule, for the rows by rule: the part before `": "` (`navigation: Lire
/// aussi` → `navigation`, `reporting verb: a déclaré` → `reporting verb`), `quote` for the
/// quote rules, the rule itself otherwise (`selon X`, `teaser`).
pub fn rule_family(rule: &str) -> &str {
    if rule.starts_with("quote ") {
        return "quote";
    }
    rule.split_once(": ").map_or(rule, |(family, _)| family)
}

/// A row's key: suggester (`None`: all), label, rule family (`None`: all rules).
type Key = (Option<Suggester>, String, Option<String>);

/// Compares `suggestions` (one list per document of `project`, in its order) with the spans of
/// `gold`.
pub fn evaluate(project: &Project, suggestions: &[Vec<Suggestion>], gold: &Project) -> Report {
    let alignment = crate::review::align(&[project, gold]);
    let index: HashMap<*const Document, usize> = project
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (std::ptr::from_ref(d), i))
        .collect();
    // Which rows there are: (suggester, label, family); `None` family for the whole suggester.
    let mut rows: BTreeMap<Key, (Prf, Prf)> = BTreeMap::new();
    let mut labels: BTreeSet<String> = gold.schema.labels.iter().map(|l| l.name.clone()).collect();
    for list in suggestions {
        for s in list {
            labels.insert(s.label.clone());
            let family = rule_family(&s.rule.rule).to_owned();
            for rule in [None, Some(family)] {
                rows.entry((Some(s.rule.suggester), s.label.clone(), rule))
                    .or_default();
            }
        }
    }
    for label in &labels {
        rows.entry((None, label.clone(), None)).or_default();
    }
    let mut report = Report::default();
    for aligned in &alignment.documents {
        let (Some(Some(ours)), Some(Some(theirs))) =
            (aligned.documents.first(), aligned.documents.get(1))
        else {
            if aligned.documents.first().is_some_and(Option::is_some) {
                report.unmatched += 1;
            }
            continue;
        };
        report.documents += 1;
        let Some(list) = index
            .get(&std::ptr::from_ref(*ours))
            .and_then(|&i| suggestions.get(i))
        else {
            continue;
        };
        for ((suggester, label, family), (exact, overlap)) in &mut rows {
            let reference: Vec<Span> = theirs
                .annotations
                .iter()
                .filter(|a| &a.label == label)
                .map(Span::from)
                .collect();
            let mut other: Vec<Span> = list
                .iter()
                .filter(|s| {
                    &s.label == label
                        && suggester.is_none_or(|x| x == s.rule.suggester)
                        && family
                            .as_deref()
                            .is_none_or(|f| f == rule_family(&s.rule.rule))
                })
                .map(|s| Span {
                    label: s.label.clone(),
                    fragments: s.fragments.clone(),
                })
                .collect();
            if suggester.is_none() {
                other.sort();
                other.dedup();
            }
            exact.add(exact_counts(&reference, &other));
            overlap.add(overlap_counts(&reference, &other));
        }
    }
    let label_order = |label: &str| gold.schema.label_index(label).unwrap_or(usize::MAX);
    let mut ordered: Vec<Row> = rows
        .into_iter()
        .map(|((suggester, label, rule), (exact, overlap))| Row {
            suggester,
            label,
            rule,
            exact,
            overlap,
        })
        .collect();
    ordered.sort_by(|a, b| {
        let key = |r: &Row| {
            (
                label_order(&r.label),
                r.label.clone(),
                r.suggester.is_none(),
                r.suggester,
                r.rule.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    report.rows = ordered;
    report
}

/// `project` without its spans, relations and detached spans: what suggesters that read only
/// text are run on for a fair measure.
pub fn without_spans(project: &Project) -> Project {
    let mut blank = project.clone();
    for document in &mut blank.documents {
        document.annotations.clear();
        document.relations.clear();
        document.detached.clear();
        document.annotations_changed();
    }
    blank
}

/// The suggestions of `which` made without looking at the gold (see the module's doc): on the
/// project without its spans, and for `recurring` each document's from the others' spans.
/// One list per document of `gold`, each sorted by position.
pub fn held_out(gold: &Project, which: &[Suggester]) -> Vec<Vec<Suggestion>> {
    let blank = without_spans(gold);
    let mut which = which.to_vec();
    which.sort_unstable();
    which.dedup();
    let mut all: Vec<Vec<Suggestion>> = vec![Vec::new(); gold.documents.len()];
    // Each suggester alone: `run` offers a span that two suggesters find once (the higher
    // score), which would credit one suggester with the other's work.
    for suggester in which {
        let found = if suggester == Suggester::Recurring {
            super::recurring::suggest_held_out(gold)
        } else {
            super::run(&blank, &[suggester])
        };
        for (list, more) in all.iter_mut().zip(found) {
            list.extend(more);
        }
    }
    for list in &mut all {
        list.sort_by(|a, b| {
            a.sort_key()
                .cmp(&b.sort_key())
                .then_with(|| a.rule.cmp(&b.rule))
        });
    }
    all
}

/// [`held_out`] suggestions of `which`, evaluated against `gold`: the figures of the benchmark
/// and of `marginalia suggest --eval`.
pub fn evaluate_held_out(gold: &Project, which: &[Suggester]) -> Report {
    let blank = without_spans(gold);
    evaluate(&blank, &held_out(gold, which), gold)
}

fn figure(value: f64) -> String {
    if value.is_nan() {
        "–".to_owned()
    } else {
        format!("{value:.2}")
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} documents compared{}",
            self.documents,
            if self.unmatched > 0 {
                format!(" ({} not in the gold project, left out)", self.unmatched)
            } else {
                String::new()
            }
        )?;
        let header = [
            "suggester",
            "label",
            "rule",
            "suggested",
            "gold",
            "exact P",
            "exact R",
            "exact F1",
            "overlap P",
            "overlap R",
            "overlap F1",
        ];
        let mut lines: Vec<Vec<String>> = vec![header.iter().map(|h| (*h).to_owned()).collect()];
        for row in &self.rows {
            lines.push(vec![
                row.suggester
                    .map_or_else(|| "all".to_owned(), |s| s.name().to_owned()),
                row.label.clone(),
                row.rule.clone().unwrap_or_else(|| "(all rules)".to_owned()),
                row.overlap.other.to_string(),
                row.overlap.reference.to_string(),
                figure(row.exact.precision()),
                figure(row.exact.recall()),
                figure(row.exact.f1()),
                figure(row.overlap.precision()),
                figure(row.overlap.recall()),
                figure(row.overlap.f1()),
            ]);
        }
        let widths: Vec<usize> = (0..header.len())
            .map(|c| {
                lines
                    .iter()
                    .map(|l| l.get(c).map_or(0, |s| s.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for line in &lines {
            let mut out = String::new();
            for (c, (cell, width)) in line.iter().zip(&widths).enumerate() {
                let pad = width.saturating_sub(cell.chars().count());
                if c > 0 {
                    out.push_str("  ");
                }
                // Text columns to the left, figures to the right.
                if c < 3 {
                    out.push_str(cell);
                    out.push_str(&" ".repeat(pad));
                } else {
                    out.push_str(&" ".repeat(pad));
                    out.push_str(cell);
                }
            }
            writeln!(f, "{}", out.trim_end())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Annotation, Timestamp};
    use crate::suggest::test_support::project_of;
    use crate::suggest::{Rule, Suggestion};
    use crate::text::ByteRange;

    fn annotation(id: u64, label: &str, start: usize, end: usize) -> Annotation {
        Annotation {
            id: crate::model::Id(id),
            label: label.to_owned(),
            fragments: vec![ByteRange::new(start, end)],
            annotator: "gold".to_owned(),
            note: String::new(),
            created: Timestamp(0),
            attributes: BTreeMap::new(),
            provenance: None,
            suggested: None,
        }
    }

    fn suggestion(
        suggester: Suggester,
        rule: &str,
        label: &str,
        start: usize,
        end: usize,
    ) -> Suggestion {
        Suggestion {
            label: label.to_owned(),
            fragments: vec![ByteRange::new(start, end)],
            rule: Rule {
                suggester,
                rule: rule.to_owned(),
            },
            score: 0.5,
            link: None,
        }
    }

    #[test]
    fn i_evaluation_counts_exact_and_overlapping_matches_per_suggester_rule_and_label() {
        let text = "Lire aussi\n« Nous gagnerons », a déclaré le ministre.";
        let mut gold = project_of(&[text, "un autre texte"]);
        gold.documents[0].annotations = vec![
            annotation(1, "boilerplate", 0, 10),
            annotation(2, "claim", 11, 31),
            annotation(3, "source", 45, 56),
        ];
        // Suggested on a copy whose documents are in another order (matched by hash).
        let mut project = without_spans(&gold);
        project.documents.reverse();
        let suggestions = vec![
            Vec::new(),
            vec![
                suggestion(
                    Suggester::Boilerplate,
                    "navigation: Lire aussi",
                    "boilerplate",
                    0,
                    10,
                ),
                suggestion(Suggester::Attribution, "quote « »", "claim", 11, 31),
                suggestion(
                    Suggester::Attribution,
                    "reporting verb: a déclaré",
                    "source",
                    48,
                    56,
                ),
                suggestion(
                    Suggester::Attribution,
                    "reporting verb: a déclaré",
                    "claim",
                    33,
                    44,
                ),
            ],
        ];
        let report = evaluate(&project, &suggestions, &gold);
        assert_eq!(report.documents, 2);
        let source = report.row(Some(Suggester::Attribution), "source").unwrap();
        assert_eq!(
            (source.exact.matched_other, source.overlap.matched_other),
            (0, 1)
        );
        let claims = report.row(Some(Suggester::Attribution), "claim").unwrap();
        assert_eq!(claims.overlap.other, 2);
        assert_eq!(claims.overlap.matched_other, 1);
        assert!((claims.overlap.precision() - 0.5).abs() < 1e-9);
        let quotes = report
            .rule_row(Suggester::Attribution, "claim", "quote")
            .unwrap();
        assert!((quotes.exact.precision() - 1.0).abs() < 1e-9);
        let all = report.row(None, "boilerplate").unwrap();
        assert!((all.exact.f1() - 1.0).abs() < 1e-9);
        let table = report.to_string();
        assert!(table.contains("reporting verb"), "{table}");
        assert!(
            table.lines().nth(1).unwrap().starts_with("suggester"),
            "{table}"
        );
        // Aligned columns: every row as wide as the header (trailing spaces trimmed aside).
        assert_eq!(rule_family("navigation: Lire aussi"), "navigation");
        assert_eq!(rule_family("quote “ ”"), "quote");
        assert_eq!(rule_family("selon X"), "selon X");
    }

    #[test]
    fn i_documents_missing_from_the_gold_are_left_out_and_counted() {
        let gold = project_of(&["a b c"]);
        let project = project_of(&["a b c", "autre chose"]);
        let report = evaluate(&project, &[Vec::new(), Vec::new()], &gold);
        assert_eq!((report.documents, report.unmatched), (1, 1));
    }
}
