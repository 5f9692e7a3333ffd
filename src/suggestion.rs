//! The data of suggestions (see [`crate::suggest`], which finds them and re-exports these
//! types): what suggested a span, a candidate span with its link, a rejection.
//!
//! They live beside the model, which holds them ([`crate::model::Document::suggestions`],
//! [`crate::model::Document::rejected`], [`crate::model::Annotation::suggested`]), and need
//! nothing of it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

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
