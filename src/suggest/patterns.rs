//! The patterns suggester: the project's own dictionaries and regular expressions per label,
//! kept in its schema ([`crate::schema::PatternDef`]).
//!
//! Terms are matched with Aho-Corasick over a folded copy of each text (lowercased and without
//! accents unless the pattern matches case, curly apostrophes made straight), all at once
//! whatever their number; a match counts only on whole words of the original text (a term that
//! starts or ends with a letter or digit needs a non-word character, or the edge of the text,
//! beside it), and where matches of one pattern overlap the leftmost, then the longest, wins.
//! Regular expressions run on the original text; the first capture group, when there is one, is
//! the span. Rules are named `dictionary: TERM` and `regex: EXPRESSION`.

use aho_corasick::{AhoCorasick, MatchKind};
use rayon::prelude::*;
use regex::Regex;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use crate::model::{Document, Project};
use crate::schema::PatternDef;
use crate::text::{ByteRange, trim_range};

use super::{Rule, Suggester, Suggestion};

/// How sure a dictionary term is: the project's own word for a label.
pub const TERM_SCORE: f32 = 0.9;
/// How sure a regular expression is: broader than a term.
pub const REGEX_SCORE: f32 = 0.8;

/// One list per document of `project`, in its order, each sorted by position. Documents that
/// are not editable get none; patterns the schema's checks refuse
/// ([`crate::schema::Schema::check_patterns`]: an unknown label, a regular expression that does
/// not compile or matches empty text) are left out, empty terms too.
pub fn suggest(project: &Project) -> Vec<Vec<Suggestion>> {
    let compiled: Vec<Compiled> = project
        .schema
        .patterns
        .iter()
        .filter(|p| project.schema.label(&p.label).is_some())
        .filter_map(Compiled::new)
        .collect();
    if compiled.is_empty() {
        return vec![Vec::new(); project.documents.len()];
    }
    project
        .documents
        .par_iter()
        .map(|document| {
            let mut found: Vec<Suggestion> = if document.is_editable() {
                compiled.iter().flat_map(|c| c.find(document)).collect()
            } else {
                Vec::new()
            };
            found.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            found
        })
        .collect()
}

/// A pattern ready to run: its terms in one automaton, its regular expressions compiled.
struct Compiled {
    label: String,
    /// Whether text is folded (case and accents) before terms are looked for.
    fold: bool,
    /// The terms as written (trimmed), by pattern id of the automaton.
    terms: Vec<String>,
    automaton: Option<AhoCorasick>,
    regexes: Vec<(String, Regex)>,
}

impl Compiled {
    fn new(def: &PatternDef) -> Option<Self> {
        let fold = !def.match_case;
        let terms: Vec<String> = def
            .terms
            .iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        let folded: Vec<String> = terms.iter().map(|t| fold_text(t, fold).text).collect();
        let automaton = if terms.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&folded)
                .ok()
        };
        let regexes: Vec<(String, Regex)> = def
            .regexes
            .iter()
            .filter_map(|r| {
                Regex::new(r)
                    .ok()
                    .filter(|compiled| !compiled.is_match(""))
                    .map(|compiled| (r.clone(), compiled))
            })
            .collect();
        (automaton.is_some() || !regexes.is_empty()).then(|| Self {
            label: def.label.clone(),
            fold,
            terms,
            automaton,
            regexes,
        })
    }

    fn suggestion(&self, range: ByteRange, rule: String, score: f32) -> Suggestion {
        Suggestion {
            label: self.label.clone(),
            fragments: vec![range],
            rule: Rule {
                suggester: Suggester::Patterns,
                rule,
            },
            score,
            link: None,
        }
    }

    /// The suggestions of this pattern in `document`.
    fn find(&self, document: &Document) -> Vec<Suggestion> {
        let text: &str = &document.text;
        let mut found = Vec::new();
        if let Some(automaton) = &self.automaton {
            let folded = fold_text(text, self.fold);
            // Every match, overlapping ones included, that falls on whole words; then the
            // leftmost-longest of those that overlap.
            let mut candidates: Vec<(ByteRange, usize)> = automaton
                .find_overlapping_iter(&folded.text)
                .filter_map(|m| {
                    let range = folded.original(m.start(), m.end())?;
                    let term = self.terms.get(m.pattern().as_usize())?;
                    on_whole_words(text, range, term).then_some((range, m.pattern().as_usize()))
                })
                .collect();
            candidates
                .sort_by_key(|(range, term)| (range.start, std::cmp::Reverse(range.end), *term));
            let mut end = 0;
            for (range, term) in candidates {
                if range.start < end || range.is_empty() {
                    continue;
                }
                end = range.end;
                if let Some(written) = self.terms.get(term) {
                    found.push(self.suggestion(
                        range,
                        format!("dictionary: {written}"),
                        TERM_SCORE,
                    ));
                }
            }
        }
        for (written, regex) in &self.regexes {
            for captures in regex.captures_iter(text) {
                let Some(m) = captures.get(1).or_else(|| captures.get(0)) else {
                    continue;
                };
                if let Some(range) = trim_range(text, ByteRange::new(m.start(), m.end())) {
                    found.push(self.suggestion(range, format!("regex: {written}"), REGEX_SCORE));
                }
            }
        }
        found
    }
}

/// True when `range` of `text`, a match of `term`, stands on whole words: where the term starts
/// (ends) with a letter or a digit, the character before (after) it in the text is neither.
fn on_whole_words(text: &str, range: ByteRange, term: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || is_combining_mark(c);
    let before = text.get(..range.start).and_then(|t| t.chars().next_back());
    let after = text.get(range.end..).and_then(|t| t.chars().next());
    let starts_word = term.chars().next().is_some_and(word);
    let ends_word = term.chars().next_back().is_some_and(word);
    !(starts_word && before.is_some_and(word) || ends_word && after.is_some_and(word))
}

/// A text as terms are looked for in it, and where each of its bytes comes from.
struct Folded {
    text: String,
    /// For each byte of `text`, and one past its end: the offset in the original text of the
    /// character that gave it (the original's length at the end).
    origin: Vec<usize>,
}

impl Folded {
    /// The range of the original text that the folded bytes `start..end` come from, when both
    /// are where the folded form of a character of the original starts (or at the end). A range
    /// ends after any accents the folding dropped.
    fn original(&self, start: usize, end: usize) -> Option<ByteRange> {
        let boundary = |at: usize| {
            at == 0
                || at == self.text.len()
                || self.origin.get(at) != self.origin.get(at.wrapping_sub(1))
        };
        if !boundary(start) || !boundary(end) || start >= end {
            return None;
        }
        Some(ByteRange::new(
            *self.origin.get(start)?,
            *self.origin.get(end)?,
        ))
    }
}

/// `text` with curly apostrophes made straight and, when `fold`, in lower case and without
/// accents (canonical decomposition, combining marks dropped).
fn fold_text(text: &str, fold: bool) -> Folded {
    let mut out = Folded {
        text: String::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len() + 1),
    };
    for (at, c) in text.char_indices() {
        let before = out.text.len();
        match c {
            '\u{2019}' | '\u{2018}' | '\u{02bc}' => out.text.push('\''),
            _ if !fold => out.text.push(c),
            _ => decompose_canonical(c, |part| {
                if !is_combining_mark(part) {
                    out.text.extend(part.to_lowercase());
                }
            }),
        }
        out.origin
            .extend(std::iter::repeat_n(at, out.text.len() - before));
    }
    out.origin.push(text.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Document;
    use crate::schema::Schema;
    use std::sync::Arc;

    fn project(texts: &[&str], patterns: Vec<PatternDef>) -> Project {
        let schema = Schema {
            patterns,
            ..Schema::default()
        };
        let documents = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Document {
                path: format!("{i}.txt"),
                text: Arc::from(*t),
                ..Document::default()
            })
            .collect();
        Project::new("a".into(), "/c".into(), schema, documents)
    }

    fn sources(terms: &[&str]) -> PatternDef {
        PatternDef {
            label: "source".into(),
            terms: terms.iter().map(|t| (*t).to_owned()).collect(),
            ..PatternDef::default()
        }
    }

    #[test]
    fn i_terms_match_whole_words_regardless_of_case_accents_and_apostrophes() {
        let text =
            "Selon l’AFP et le KREMLIN, l'Etat-major a parlé; AFPX non, e\u{301}tat-major oui.";
        let p = project(
            &[text],
            vec![sources(&["l'AFP", "le Kremlin", "état-major", "AFP"])],
        );
        let got: Vec<(String, String)> = suggest(&p)[0]
            .iter()
            .map(|s| (s.fragments[0].slice(text).to_owned(), s.rule.rule.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("l’AFP".to_owned(), "dictionary: l'AFP".to_owned()),
                ("le KREMLIN".to_owned(), "dictionary: le Kremlin".to_owned()),
                ("Etat-major".to_owned(), "dictionary: état-major".to_owned()),
                // The combining accent is part of the word, and of the span.
                (
                    "e\u{301}tat-major".to_owned(),
                    "dictionary: état-major".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn i_match_case_matches_only_as_written_and_the_longest_term_wins() {
        let text = "KCNA, kcna et l'agence KCNA Watch 😀 KCNA";
        let mut def = sources(&["KCNA", "KCNA Watch"]);
        def.match_case = true;
        let p = project(&[text], vec![def]);
        let got: Vec<&str> = suggest(&p)[0]
            .iter()
            .map(|s| s.fragments[0].slice(text))
            .collect();
        assert_eq!(got, ["KCNA", "KCNA Watch", "KCNA"]);
        assert!(suggest(&p)[0].iter().all(|s| s.score == TERM_SCORE));
    }

    #[test]
    fn i_regexes_take_their_first_group_and_bad_ones_are_left_out() {
        let text = "Selon des experts , la Corée a tiré. Selon Reuters, rien.";
        let def = PatternDef {
            label: "source".into(),
            regexes: vec![r"[Ss]elon ([^,.]+)".into(), "(unclosed".into(), "x*".into()],
            ..PatternDef::default()
        };
        let p = project(&[text], vec![def.clone()]);
        let all = suggest(&p);
        let got: Vec<(&str, &str)> = all[0]
            .iter()
            .map(|s| (s.fragments[0].slice(text), s.rule.rule.as_str()))
            .collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, "des experts");
        assert_eq!(got[1].0, "Reuters");
        assert_eq!(got[0].1, r"regex: [Ss]elon ([^,.]+)");
        // The schema's check says why the other two are not used.
        let errors = p.schema.check_patterns();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].to_string().contains("(unclosed"), "{}", errors[0]);
        assert!(
            errors[1].to_string().contains("matches empty text"),
            "{}",
            errors[1]
        );
        // A pattern for a label the schema lacks suggests nothing, and says so.
        let unknown = PatternDef {
            label: "person".into(),
            ..def
        };
        let p = project(&[text], vec![unknown]);
        assert!(suggest(&p)[0].is_empty());
        assert!(
            p.schema.check_patterns()[0]
                .to_string()
                .contains("which the schema does not define")
        );
    }

    #[test]
    fn i_folding_keeps_every_match_on_the_original_characters() {
        // Ligatures and letters whose lower case is longer or shorter than they are.
        let text = "İstanbul ﬁn ÉTAT ß Σ العربية";
        let p = project(
            &[text],
            vec![sources(&["istanbul", "etat", "العربية", "σ"])],
        );
        let got: Vec<&str> = suggest(&p)[0]
            .iter()
            .map(|s| s.fragments[0].slice(text))
            .collect();
        assert_eq!(got, ["İstanbul", "ÉTAT", "Σ", "العربية"]);
    }
}
