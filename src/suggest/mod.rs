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

use rayon::prelude::*;

use crate::model::Project;

// The types live in `crate::suggestion`, beside the model that holds them (so that the model
// needs nothing of the suggesters and no module imports in a loop); they are used through this
// module. So is the filter that `run` and `edit::build::offer` share.
pub use crate::edit::build::filtered;
pub use crate::suggestion::{
    Rejection, Rule, SuggestedLink, Suggester, Suggestion, UnknownSuggester,
};

/// The suggestions of `which` suggesters over the whole project: one list per document, in the
/// order of `project.documents`, each as [`filtered`] leaves it (sorted by position, nothing
/// identical to an existing span or to a rejection, no span twice). A document that is not
/// editable (its text changed or is missing) gets none.
///
/// The suggesters run side by side (on all cores: a single long document keeps only one busy
/// in some of them); `boilerplate` hands `attribution` the page chrome it found on the way,
/// which `attribution` would otherwise look for again. Merging and filtering run per document
/// on all cores.
pub fn run(project: &Project, which: &[Suggester]) -> Vec<Vec<Suggestion>> {
    let wants = |suggester: Suggester| which.contains(&suggester);
    let ((boilerplate, attribution), (patterns, recurring)) = rayon::join(
        || {
            let (found, chrome) = if wants(Suggester::Boilerplate) {
                boilerplate::suggest_with_chrome(project)
            } else {
                (Vec::new(), None)
            };
            let attribution = wants(Suggester::Attribution)
                .then(|| attribution::suggest_with_chrome(project, chrome.as_deref()));
            (wants(Suggester::Boilerplate).then_some(found), attribution)
        },
        || {
            rayon::join(
                || wants(Suggester::Patterns).then(|| patterns::suggest(project)),
                || wants(Suggester::Recurring).then(|| recurring::suggest(project)),
            )
        },
    );
    // In the order of `Suggester::ALL` (`filtered` sorts anyway).
    let mut all: Vec<Vec<Suggestion>> = vec![Vec::new(); project.documents.len()];
    for found in [boilerplate, attribution, patterns, recurring]
        .into_iter()
        .flatten()
    {
        all.par_iter_mut()
            .zip(found.into_par_iter())
            .for_each(|(list, more)| list.extend(more));
    }
    all.into_par_iter()
        .zip(project.documents.par_iter())
        .map(|(list, document)| filtered(document, list))
        .collect()
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
        // The dictionary alone (the other suggesters find more in this text).
        let found = run(&p, &[Suggester::Patterns]);
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
        build::offer(&p, run(&p, &[Suggester::Patterns]))
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
        let again = run(&back, &[Suggester::Patterns]);
        assert!(
            !texts(&back, &again[0]).contains(&"le Kremlin".to_owned()),
            "{:?}",
            again[0]
        );
    }
}
