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
mod scan;
#[cfg(test)]
mod test_support;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::Project;
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

impl Suggestion {
    /// The range from the start of the first fragment to the end of the last.
    pub fn extent(&self) -> ByteRange {
        match (self.fragments.first(), self.fragments.last()) {
            (Some(first), Some(last)) => ByteRange::new(first.start, last.end),
            _ => ByteRange::new(0, 0),
        }
    }
}

/// The suggestions of `which` suggesters over the whole project: one list per document, in the
/// order of `project.documents`, each sorted by position.
// SKELETON (helpers 3 and 4 complete it): filtering of existing and rejected spans goes here.
pub fn run(project: &Project, which: &[Suggester]) -> Vec<Vec<Suggestion>> {
    let mut all: Vec<Vec<Suggestion>> = vec![Vec::new(); project.documents.len()];
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
    for list in &mut all {
        list.sort_by(|a, b| {
            (a.extent().start, &a.label, &a.fragments).cmp(&(
                b.extent().start,
                &b.label,
                &b.fragments,
            ))
        });
    }
    all
}
