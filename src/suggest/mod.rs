//! Suggestions: candidate spans and links that rules find in a project, for the analyst to
//! accept or reject one key at a time (or all of a rule at once).
//!
//! A *suggester* is a function from a project (and its corpus) to candidate spans, each with the
//! rule that made it and a score. The built-in ones:
//!
//! - [`boilerplate`]: lines and paragraphs repeated across documents, and what scrapers leave
//!   (navigation lines, teasers, appeals, copyright and cookie lines, photo credits);
//! - [`attribution`]: direct quotes and reporting constructions in French and English: a claim,
//!   the source it is attributed to, and the link between them;
//! - [`patterns`]: the project's own dictionaries and regular expressions per label (in the
//!   schema);
//! - [`recurring`]: every text already labelled in one document, where it recurs elsewhere.
//!
//! Pending suggestions live in the project ([`crate::model::Document::suggestions`]), so that
//! the CLI can write them and the app can walk them; a rejected one is remembered
//! ([`crate::model::Document::rejected`]) and never offered again; an accepted span keeps the
//! rule that suggested it ([`crate::model::Annotation::suggested`]).

pub mod attribution;
pub mod boilerplate;
pub mod eval;
pub mod patterns;
pub mod recurring;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use std::collections::BTreeSet;

use crate::model::{Document, Project, check_fragments};
use crate::text::ByteRange;

/// The built-in suggesters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Suggester {
    /// Repeated lines and scraper leftovers.
    Boilerplate,
    /// Quotes and reporting constructions: claims, sources, links.
    Attribution,
    /// The schema's dictionaries and regular expressions.
    Patterns,
    /// Texts labelled elsewhere in the project.
    Recurring,
}

impl Suggester {
    /// All of them, in the order they run and are listed.
    pub const ALL: [Self; 4] = [
        Self::Boilerplate,
        Self::Attribution,
        Self::Patterns,
        Self::Recurring,
    ];

    /// The name on the command line and in files.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Boilerplate => "boilerplate",
            Self::Attribution => "attribution",
            Self::Patterns => "patterns",
            Self::Recurring => "recurring",
        }
    }
}

impl fmt::Display for Suggester {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A suggester name that is not one of [`Suggester::ALL`].
#[derive(Debug, thiserror::Error)]
#[error(
    "there is no suggester {0:?}: the suggesters are boilerplate, attribution, patterns and recurring"
)]
pub struct UnknownSuggester(pub String);

impl FromStr for Suggester {
    type Err = UnknownSuggester;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|s| s.name() == name.trim())
            .ok_or_else(|| UnknownSuggester(name.to_owned()))
    }
}

/// What made a suggestion: a suggester and one of its rules, named for people
/// (`"repeated line"`, `"navigation: Lire aussi"`, `"quote « »"`, `"selon X"`,
/// `"dictionary: l'AFP"`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Rule {
    /// The suggester.
    pub suggester: Suggester,
    /// The rule within it.
    pub rule: String,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.suggester, self.rule)
    }
}

/// A suggested link from a suggestion to another span: the other end is named by its label and
/// fragments, not by an index, so that it stays right while other suggestions are accepted or
/// rejected. At acceptance it is an existing span with that label and fragments if there is one,
/// else the pending suggestion with them (accepted with it).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SuggestedLink {
    /// The relation type (e.g. `attributed-to`).
    pub kind: String,
    /// The label of the other end.
    pub label: String,
    /// The fragments of the other end.
    pub fragments: Vec<ByteRange>,
}

/// A candidate span.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Suggestion {
    /// The label it would get.
    pub label: String,
    /// Byte ranges on char boundaries, sorted and disjoint, at least one.
    pub fragments: Vec<ByteRange>,
    /// What made it.
    pub rule: Rule,
    /// How sure the rule is, from 0 to 1.
    pub score: f32,
    /// The link that comes with it (from this span to the other end), if any.
    pub link: Option<SuggestedLink>,
}

// Scores compare by `f32::total_cmp`, so that equality is an equivalence (a NaN equals itself)
// and edits holding suggestions can be `Eq`.
impl PartialEq for Suggestion {
    fn eq(&self, other: &Self) -> bool {
        self.label == other.label
            && self.fragments == other.fragments
            && self.rule == other.rule
            && self.score.total_cmp(&other.score).is_eq()
            && self.link == other.link
    }
}

impl Eq for Suggestion {}

impl Suggestion {
    /// The range from the start of the first fragment to the end of the last.
    pub fn extent(&self) -> ByteRange {
        match (self.fragments.first(), self.fragments.last()) {
            (Some(first), Some(last)) => ByteRange::new(first.start, last.end),
            _ => ByteRange::new(0, 0),
        }
    }

    /// The order of a document's pending suggestions: by start, then label, then fragments.
    pub fn sort_key(&self) -> (usize, &str, &[ByteRange]) {
        (self.extent().start, &self.label, &self.fragments)
    }

    /// True when the suggestion would make exactly the span `label` over `fragments`.
    pub fn is_span(&self, label: &str, fragments: &[ByteRange]) -> bool {
        self.label == label && self.fragments == fragments
    }
}

/// A suggestion the analyst rejected, remembered in the project so that no suggester offers it
/// again: the same label over the same fragments is never suggested again in its document,
/// whatever rule finds it. The rule that had suggested it is kept, to count rejections per rule.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Rejection {
    /// The label it would have had.
    pub label: String,
    /// Its fragments: byte ranges on char boundaries, sorted and disjoint, at least one.
    pub fragments: Vec<ByteRange>,
    /// The rule that suggested it.
    pub rule: Rule,
}

impl Rejection {
    /// The rejection of `suggestion`.
    pub fn of(suggestion: &Suggestion) -> Self {
        Self {
            label: suggestion.label.clone(),
            fragments: suggestion.fragments.clone(),
            rule: suggestion.rule.clone(),
        }
    }

    /// The range from the start of the first fragment to the end of the last.
    pub fn extent(&self) -> ByteRange {
        match (self.fragments.first(), self.fragments.last()) {
            (Some(first), Some(last)) => ByteRange::new(first.start, last.end),
            _ => ByteRange::new(0, 0),
        }
    }

    /// The order of a document's rejections: by start, then label, fragments and rule.
    pub fn sort_key(&self) -> (usize, &str, &[ByteRange], &Rule) {
        (
            self.extent().start,
            &self.label,
            &self.fragments,
            &self.rule,
        )
    }
}

/// The suggestions of `which` suggesters over the whole project: one list per document, in the
/// order of `project.documents`, each as [`filtered`] leaves it (sorted by position, nothing
/// identical to an existing span or to a rejection, no span twice). A document that is not
/// editable (its text changed or is missing) gets none.
pub fn run(project: &Project, which: &[Suggester]) -> Vec<Vec<Suggestion>> {
    let mut all: Vec<Vec<Suggestion>> = vec![Vec::new(); project.documents.len()];
    let mut which = which.to_vec();
    which.sort_unstable();
    which.dedup();
    for suggester in which {
        let found = match suggester {
            Suggester::Boilerplate => boilerplate::suggest(project),
            Suggester::Attribution => attribution::suggest(project),
            Suggester::Patterns => patterns::suggest(project),
            Suggester::Recurring => recurring::suggest(project),
        };
        for (list, more) in all.iter_mut().zip(found) {
            list.extend(more);
        }
    }
    for (list, document) in all.iter_mut().zip(&project.documents) {
        *list = filtered(document, std::mem::take(list));
    }
    all
}

/// What of `found` may be offered in `document`: the suggestions whose fragments fit its text,
/// minus those identical (same label, same fragments) to one of its spans or to one of its
/// rejections, each span once (of suggestions of the same span, the one with the highest score,
/// then one with a link, then the first rule), sorted by [`Suggestion::sort_key`]. A link whose
/// other end was rejected is left out of its suggestion (the span itself is still offered).
/// Nothing for a document that is not editable.
pub fn filtered(document: &Document, found: Vec<Suggestion>) -> Vec<Suggestion> {
    if !document.is_editable() {
        return Vec::new();
    }
    let existing: BTreeSet<(&str, &[ByteRange])> = document
        .annotations
        .iter()
        .map(|a| (a.label.as_str(), a.fragments.as_slice()))
        .collect();
    let rejected: BTreeSet<(&str, &[ByteRange])> = document
        .rejected
        .iter()
        .map(|r| (r.label.as_str(), r.fragments.as_slice()))
        .collect();
    let mut kept: Vec<Suggestion> = found
        .into_iter()
        .filter(|s| {
            let key = (s.label.as_str(), s.fragments.as_slice());
            !existing.contains(&key)
                && !rejected.contains(&key)
                && check_fragments(&document.text, &s.fragments).is_ok()
        })
        .map(|mut s| {
            if s.link.as_ref().is_some_and(|l| {
                rejected.contains(&(l.label.as_str(), l.fragments.as_slice()))
                    || check_fragments(&document.text, &l.fragments).is_err()
            }) {
                s.link = None;
            }
            s
        })
        .collect();
    kept.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| a.link.is_none().cmp(&b.link.is_none()))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.link.cmp(&b.link))
    });
    kept.dedup_by(|later, first| later.is_span(&first.label, &first.fragments));
    kept
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::edit::build;
    use crate::model::{Document, Id};
    use crate::schema::{PatternDef, Schema};

    const TEXT: &str =
        "Selon l’AFP, le Kremlin 😀 a démenti.\r\nLe Kremlin e\u{301}crit : العربية.";

    fn project() -> Project {
        let schema = Schema {
            patterns: vec![PatternDef {
                label: "source".into(),
                terms: vec!["le Kremlin".into(), "l'AFP".into()],
                ..PatternDef::default()
            }],
            ..Schema::default()
        };
        let document = Document {
            path: "a.txt".into(),
            text: Arc::from(TEXT),
            ..Document::default()
        };
        Project::new("a".into(), "/c".into(), schema, vec![document])
    }

    fn texts(p: &Project, found: &[Suggestion]) -> Vec<String> {
        found
            .iter()
            .map(|s| s.fragments[0].slice(&p.documents[0].text).to_owned())
            .collect()
    }

    fn ids(from: u64) -> impl FnMut() -> Id {
        let mut next = from;
        move || {
            next += 1;
            Id(next)
        }
    }

    #[test]
    fn i_run_offers_nothing_identical_to_an_existing_span_and_never_a_rejected_one() {
        let mut p = project();
        let found = run(&p, &Suggester::ALL);
        assert_eq!(texts(&p, &found[0]), ["l’AFP", "le Kremlin", "Le Kremlin"]);
        // Accept "l’AFP", reject the second "Le Kremlin".
        build::offer(&p, found).apply(&mut p).unwrap();
        build::accept(&p, 0, 0, None, ids(10))
            .unwrap()
            .apply(&mut p)
            .unwrap();
        build::reject(&p, 0, 1).unwrap().apply(&mut p).unwrap();
        let again = run(&p, &[Suggester::Patterns, Suggester::Patterns]);
        assert_eq!(texts(&p, &again[0]), ["le Kremlin"]);
        // The same span under another label is another suggestion.
        let mut other = again[0][0].clone();
        other.label = "claim".into();
        let mut twice = again[0].clone();
        twice.extend([other, again[0][0].clone()]);
        let kept = filtered(&p.documents[0], twice);
        assert_eq!(kept.len(), 2);
        // A document that cannot be edited gets none.
        p.documents[0].text_state = crate::model::TextState::Changed {
            actual_hash: "x".into(),
        };
        assert!(run(&p, &Suggester::ALL)[0].is_empty());
    }

    #[test]
    fn i_a_rejection_saved_and_reloaded_is_still_never_offered() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        std::fs::write(corpus.join("a.txt"), TEXT).unwrap();
        let mut p = project();
        p.corpus_root = corpus;
        p.documents[0].hash = crate::corpus::sha256_hex(TEXT.as_bytes());
        build::offer(&p, run(&p, &Suggester::ALL))
            .apply(&mut p)
            .unwrap();
        build::reject(&p, 0, 1).unwrap().apply(&mut p).unwrap();
        let path = dir.path().join("p.ron");
        crate::file::save(&p, &path).unwrap();
        let (back, problems) = crate::file::load(&path).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back.documents[0].rejected, p.documents[0].rejected);
        assert_eq!(back.documents[0].suggestions, p.documents[0].suggestions);
        assert_eq!(
            back.documents[0].rejected[0].fragments[0].slice(TEXT),
            "le Kremlin"
        );
        let again = run(&back, &Suggester::ALL);
        assert!(
            !texts(&back, &again[0]).contains(&"le Kremlin".to_owned()),
            "{:?}",
            again[0]
        );
    }
}
