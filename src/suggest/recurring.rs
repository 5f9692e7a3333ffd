//! The recurring suggester: every text already labelled somewhere, where it recurs.
//!
//! The texts of the project's spans (one fragment of whole words, two characters or more, with
//! a letter or a digit) are looked for in every document at once. An occurrence is suggested,
//! with the label and the rule `recurring: <label>`, when it is whole words, not already
//! covered by a span of that label, and the text is *settled*: in the documents where it was
//! labelled, at least 60 % of its occurrences were labelled (a name labelled as a source in one
//! sentence out of ten is not suggested in the other nine, nor elsewhere), and a text of one or
//! two words was labelled at least twice. Overlapping
//! candidates: the leftmost, then the longest. A text labelled with several labels gets the one
//! it has most often. The score grows with how settled the text is, less for texts of fewer
//! than four characters. Only documents whose text is the one annotated lend their spans.

use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::scan::whole_words;
use super::{Rule, Suggester, Suggestion};
use crate::model::{Document, Project};
use crate::text::ByteRange;

/// The occurrences in one document: (pattern, range).
type Occurrences = Vec<(usize, ByteRange)>;

/// How many times each pattern occurs in one document (for the patterns it lends).
type Counts = HashMap<usize, usize>;

/// A labelled text: its label, and how many times it was labelled in each document.
struct Pattern {
    text: String,
    /// How many words `text` has.
    words: usize,
    label: String,
    /// Document index and times labelled there, by document.
    lenders: Vec<(usize, usize)>,
}

/// The labelled texts of the project.
fn patterns(project: &Project) -> Vec<Pattern> {
    // Text → label → document → times.
    let mut by_text: HashMap<&str, BTreeMap<&str, BTreeMap<usize, usize>>> = HashMap::new();
    for (i, document) in project.documents.iter().enumerate() {
        if !document.is_editable() {
            continue;
        }
        for annotation in &document.annotations {
            if project.schema.label(&annotation.label).is_none() {
                continue;
            }
            let [fragment] = annotation.fragments.as_slice() else {
                continue;
            };
            let Some(text) = document.text.get(fragment.as_range()) else {
                continue;
            };
            if text.chars().count() < 2
                || !text.chars().any(char::is_alphanumeric)
                || !edges_fit(&document.text, *fragment, text)
            {
                continue;
            }
            *by_text
                .entry(text)
                .or_default()
                .entry(&annotation.label)
                .or_default()
                .entry(i)
                .or_default() += 1;
        }
    }
    let mut found: Vec<Pattern> = by_text
        .into_iter()
        .filter_map(|(text, labels)| {
            let (label, lenders) = labels.into_iter().max_by(|a, b| {
                let times = |l: &BTreeMap<usize, usize>| l.values().sum::<usize>();
                (times(&a.1), std::cmp::Reverse(a.0)).cmp(&(times(&b.1), std::cmp::Reverse(b.0)))
            })?;
            Some(Pattern {
                text: text.to_owned(),
                words: super::scan::word_count(text),
                label: label.to_owned(),
                lenders: lenders.into_iter().collect(),
            })
        })
        .collect();
    found.sort_by(|a, b| a.text.cmp(&b.text));
    found
}

fn matcher(patterns: &[Pattern]) -> Option<AhoCorasick> {
    if patterns.is_empty() {
        return None;
    }
    let bytes: usize = patterns.iter().map(|p| p.text.len()).sum();
    // A full DFA runs several times faster than the automaton the builder picks for a few
    // hundred patterns, but its size grows with their bytes: only for small sets.
    let kind = (bytes <= 64 * 1024).then_some(AhoCorasickKind::DFA);
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .kind(kind)
        .build(patterns.iter().map(|p| p.text.as_str()))
        .ok()
}

/// Every occurrence of every pattern in `document` that fits word edges, overlapping ones
/// included: (pattern, range).
fn occurrences(
    document: &Document,
    matcher: &AhoCorasick,
    patterns: &[Pattern],
) -> Vec<(usize, ByteRange)> {
    let text = &*document.text;
    matcher
        .find_overlapping_iter(text)
        .filter_map(|hit| {
            let range = ByteRange::new(hit.start(), hit.end());
            let index = hit.pattern().as_usize();
            let pattern = patterns.get(index)?;
            edges_fit(text, range, &pattern.text).then_some((index, range))
        })
        .collect()
}

/// True when the occurrence is not part of a longer word: a pattern that starts (ends) with a
/// word character must not have one just before (after) it.
fn edges_fit(text: &str, range: ByteRange, pattern: &str) -> bool {
    let word_edge = |c: Option<char>| c.is_some_and(super::scan::is_word_char);
    let starts_word = word_edge(pattern.chars().next());
    let ends_word = word_edge(pattern.chars().next_back());
    if starts_word && ends_word {
        return whole_words(text, range);
    }
    let before = text.get(..range.start).and_then(|t| t.chars().next_back());
    let after = text.get(range.end..).and_then(|t| t.chars().next());
    !(starts_word && word_edge(before) || ends_word && word_edge(after))
}

/// The suggestions of one document from its occurrences. `held_out`: this document's index
/// when its own spans must not count (neither as labelled texts nor as covered places).
fn suggestions_in(
    document: &Document,
    found: &[(usize, ByteRange)],
    patterns: &[Pattern],
    counts: &[HashMap<usize, usize>],
    held_out: Option<usize>,
) -> Vec<Suggestion> {
    // How settled each pattern is, leaving the held-out document aside: labelled / occurring
    // in the documents that labelled it.
    let settled = |index: usize| -> Option<f32> {
        let pattern = patterns.get(index)?;
        let mut labelled = 0;
        let mut occurring = 0;
        for &(doc, times) in &pattern.lenders {
            if Some(doc) == held_out {
                continue;
            }
            labelled += times;
            occurring += counts
                .get(doc)
                .and_then(|c| c.get(&index))
                .copied()
                .unwrap_or(0);
        }
        // A text of one or two words labelled once is no evidence yet (a name, a common phrase).
        let few_words = pattern.words < 3;
        if labelled == 0 || (few_words && labelled < 2) {
            return None;
        }
        let share = (labelled as f32 / occurring.max(labelled) as f32).min(1.0);
        (share >= 0.6).then_some(share)
    };
    let mut candidates: Vec<(ByteRange, usize, f32)> = found
        .iter()
        .filter_map(|&(index, range)| Some((range, index, settled(index)?)))
        .collect();
    candidates.sort_by(|a, b| {
        (a.0.start, std::cmp::Reverse(a.0.end)).cmp(&(b.0.start, std::cmp::Reverse(b.0.end)))
    });
    let mut out = Vec::new();
    let mut taken_to = 0;
    for (range, index, share) in candidates {
        let Some(pattern) = patterns.get(index) else {
            continue;
        };
        if range.start < taken_to {
            continue;
        }
        taken_to = range.end;
        if held_out.is_none()
            && document
                .annotations_in(range)
                .any(|a| a.label == pattern.label && a.fragments.iter().any(|f| f.overlaps(range)))
        {
            continue;
        }
        let short = pattern.text.chars().count() < 4;
        let score = (0.5 + 0.4 * share) * if short { 0.8 } else { 1.0 };
        out.push(Suggestion {
            label: pattern.label.clone(),
            fragments: vec![range],
            rule: Rule {
                suggester: Suggester::Recurring,
                rule: format!("recurring: {}", pattern.label),
            },
            score,
            link: None,
        });
    }
    out
}

/// The occurrences in every document and, for each document, how many times each pattern
/// occurs there (only for the patterns it lends).
fn scan(project: &Project, patterns: &[Pattern]) -> Option<(Vec<Occurrences>, Vec<Counts>)> {
    let matcher = matcher(patterns)?;
    let found: Vec<Vec<(usize, ByteRange)>> = project
        .documents
        .par_iter()
        .map(|d| {
            if d.is_editable() {
                occurrences(d, &matcher, patterns)
            } else {
                Vec::new()
            }
        })
        .collect::<Vec<_>>();
    let mut counts: Vec<HashMap<usize, usize>> = vec![HashMap::new(); project.documents.len()];
    for (index, pattern) in patterns.iter().enumerate() {
        for &(doc, _) in &pattern.lenders {
            if let Some(c) = counts.get_mut(doc) {
                c.insert(index, 0);
            }
        }
    }
    for (doc, list) in found.iter().enumerate() {
        let Some(c) = counts.get_mut(doc) else {
            continue;
        };
        for (index, _) in list {
            if let Some(n) = c.get_mut(index) {
                *n += 1;
            }
        }
    }
    Some((found, counts))
}

/// One list per document of `project`, in its order: where its labelled texts recur.
pub fn suggest(project: &Project) -> Vec<Vec<Suggestion>> {
    let patterns = patterns(project);
    let Some((found, counts)) = scan(project, &patterns) else {
        return vec![Vec::new(); project.documents.len()];
    };
    let work: Vec<(&Document, &Vec<(usize, ByteRange)>)> =
        project.documents.iter().zip(&found).collect();
    work.par_iter()
        .map(|(document, found)| suggestions_in(document, found, &patterns, &counts, None))
        .collect::<Vec<_>>()
}

/// Like [`suggest`], but each document's suggestions come from the other documents' spans only,
/// and its own spans are not looked at: what [`super::eval::held_out`] measures the suggester
/// with, on a gold project.
pub fn suggest_held_out(project: &Project) -> Vec<Vec<Suggestion>> {
    let patterns = patterns(project);
    let Some((found, counts)) = scan(project, &patterns) else {
        return vec![Vec::new(); project.documents.len()];
    };
    project
        .documents
        .iter()
        .zip(&found)
        .enumerate()
        .map(|(i, (document, found))| suggestions_in(document, found, &patterns, &counts, Some(i)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Annotation, Id, Timestamp};
    use crate::suggest::test_support::{check_ranges, project_of};

    /// Labels the `nth` occurrence (from 0) of `text`.
    fn label_nth(project: &mut Project, doc: usize, label: &str, text: &str, nth: usize) {
        let document = &mut project.documents[doc];
        let start = document.text.match_indices(text).nth(nth).unwrap().0;
        document.annotations.push(Annotation {
            id: Id(100 + document.annotations.len() as u64),
            label: label.to_owned(),
            fragments: vec![ByteRange::new(start, start + text.len())],
            annotator: "a".to_owned(),
            note: String::new(),
            created: Timestamp(0),
            attributes: BTreeMap::new(),
            provenance: None,
            suggested: None,
        });
        document.annotations.sort_by_key(Annotation::sort_key);
        document.annotations_changed();
    }

    fn label(project: &mut Project, doc: usize, label: &str, text: &str) {
        label_nth(project, doc, label, text, 0);
    }

    #[test]
    fn i_labelled_texts_are_suggested_where_they_recur_as_whole_words() {
        let mut project = project_of(&[
            "Selon l’Agence France-Presse, 😀 le ministre a démissionné.\r\nL’Agence France-Presse confirme.",
            "Une dépêche de l’Agence France-Presse et de l’Agence France-PresseTV, reprise par Reuters.",
        ]);
        label(&mut project, 0, "source", "l’Agence France-Presse");
        label(&mut project, 1, "source", "Reuters");
        let found = suggest(&project);
        for (list, document) in found.iter().zip(&project.documents) {
            check_ranges(&document.text, list);
        }
        let texts = |i: usize| -> Vec<&str> {
            found[i]
                .iter()
                .map(|s| s.extent().slice(&project.documents[i].text))
                .collect()
        };
        // Not the labelled occurrence, not with a capital L (another text), not inside a longer
        // word; "Reuters", one word labelled once, is no evidence yet.
        assert_eq!(texts(0), Vec::<&str>::new());
        assert_eq!(texts(1), ["l’Agence France-Presse"]);
        assert_eq!(found[1][0].rule.rule, "recurring: source");
        // Labelled at its one occurrence in the first document: settled.
        assert!(
            (found[1][0].score - 0.9).abs() < 1e-6,
            "{}",
            found[1][0].score
        );
    }

    #[test]
    fn i_unsettled_texts_are_not_suggested_and_overlaps_go_to_the_longest() {
        let mut project = project_of(&[
            "Poutine parle. Poutine répond. Poutine part. Vladimir Poutine revient. Vladimir Poutine part.",
            "Vladimir Poutine et Poutine.",
        ]);
        label_nth(&mut project, 0, "source", "Vladimir Poutine", 0);
        label_nth(&mut project, 0, "source", "Vladimir Poutine", 1);
        label_nth(&mut project, 0, "source", "Poutine", 0);
        let found = suggest(&project);
        let texts: Vec<&str> = found[1]
            .iter()
            .map(|s| s.extent().slice(&project.documents[1].text))
            .collect();
        // "Poutine" was labelled once out of five: only "Vladimir Poutine" recurs.
        assert_eq!(texts, ["Vladimir Poutine"]);
    }

    #[test]
    fn i_held_out_suggestions_do_not_use_the_document_s_own_spans() {
        let mut project = project_of(&[
            "Le dirigeant Kim Jong-un a parlé.",
            "Le dirigeant Kim Jong-un a répondu.",
        ]);
        label(&mut project, 0, "source", "Le dirigeant Kim Jong-un");
        let held = suggest_held_out(&project);
        assert!(held[0].is_empty());
        assert_eq!(held[1].len(), 1);
        let normal = suggest(&project);
        assert!(normal[0].is_empty());
        assert_eq!(normal[1].len(), 1);
    }
}
