//! The attribution suggester: who said what.
//!
//! From direct quotes and reporting constructions in French and English it suggests a claim
//! (label [`CLAIM`], `"claim"`: the quote with its marks, or the reported clause), a source
//! (label [`SOURCE`], `"source"`: the speaker's noun phrase, without `selon` or the verb) and,
//! on the claim, the link to its source (the first relation type of the schema that allows
//! claim → source, `attributed-to` in the default schema). A label the schema lacks is skipped,
//! and so are links when no relation type allows them.
//!
//! Constructions (each rule is named after what it saw):
//!
//! - `reporting verb: a déclaré`: `X a déclaré que CLAIM`, `X a déclaré : « CLAIM »`,
//!   `CLAIM, a déclaré X`, `« CLAIM », a-t-il ajouté`, `aurait-il déclaré`, `X estime que`,
//!   `…, explique X`, `des sources affirmant que`; in English `X said (that) CLAIM`,
//!   `"CLAIM," X said`, `CLAIM, said X`;
//! - `selon X`, `d'après X`, `according to X`: `CLAIM, selon X` and `Selon X, CLAIM`;
//! - `quote « »`, `quote “ ”`, `quote " "`: a quote introduced by a colon or standing at the
//!   start of its sentence (three words or more), and the claims that are quotes whichever rule
//!   found them. A quote of several sentences gives one claim a sentence.
//!
//! When the speaker is a pronoun (`a-t-il ajouté`, `selon lui`), no source is suggested and the
//! claim is linked to the nearest source suggested before it in the document, as the guideline
//! asks. The verbs and word lists are in `assets/suggest/attribution.ron`, compiled in.

use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use serde::Deserialize;

use super::scan::{self, Quote, containing, is_space, whole_words, word_count};
use super::{Rule, SuggestedLink, Suggester, Suggestion};
use crate::model::Project;
use crate::text::ByteRange;

/// The name of the claim label this suggester looks up in the schema.
pub const CLAIM: &str = "claim";
/// The name of the source label this suggester looks up in the schema.
pub const SOURCE: &str = "source";

/// The word lists as written in `assets/suggest/attribution.ron`.
#[derive(Debug, Deserialize)]
struct Lists {
    participles: Vec<String>,
    auxiliaries: Vec<String>,
    adverbs: Vec<String>,
    presents: Vec<String>,
    gerunds: Vec<String>,
    english: Vec<String>,
    english_auxiliaries: Vec<String>,
    according: Vec<According>,
    pronouns: Vec<String>,
    connectors: Vec<String>,
    determiners: Vec<String>,
    bare_nouns: Vec<String>,
    source_stops: Vec<String>,
    clause_stops: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct According {
    phrase: String,
    rule: String,
}

/// What a trigger of the matcher is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Trigger {
    /// A French past participle (`déclaré`).
    Participle,
    /// A French present (`estime`).
    Present,
    /// A present participle (`affirmant`).
    Gerund,
    /// An English verb (`said`).
    English,
    /// `selon`, `according to`: the index of the phrase.
    According(usize),
}

struct Compiled {
    matcher: Option<AhoCorasick>,
    triggers: Vec<Trigger>,
    according_rules: Vec<String>,
    auxiliaries: HashSet<String>,
    english_auxiliaries: HashSet<String>,
    adverbs: Vec<String>,
    pronouns: HashSet<String>,
    connectors: Vec<String>,
    /// Determiners and bare nouns: what may start a noun phrase besides a capital.
    starters: HashSet<String>,
    /// Determiners only: a noun phrase needs a word that is not one.
    determiners: HashSet<String>,
    source_stops: HashSet<String>,
    clause_stops: Vec<String>,
    /// The clause stops of more than one word, which end a clause without a comma before them.
    spaced_clause_stops: Vec<String>,
    /// Every verb form and auxiliary: a subject's noun phrase stops at one.
    verbs: HashSet<String>,
}

const SOURCE_LISTS: &str = include_str!("../../assets/suggest/attribution.ron");

fn parse() -> Result<Lists, ron::error::SpannedError> {
    ron::from_str(SOURCE_LISTS)
}

static LISTS: LazyLock<Compiled> = LazyLock::new(|| compile(parse().ok()));

/// Lowercase, with the typographic apostrophe as the straight one: how words are compared.
fn key(word: &str) -> String {
    word.to_lowercase().replace('’', "'")
}

fn compile(lists: Option<Lists>) -> Compiled {
    let Some(lists) = lists else {
        return Compiled {
            matcher: None,
            triggers: Vec::new(),
            according_rules: Vec::new(),
            auxiliaries: HashSet::new(),
            english_auxiliaries: HashSet::new(),
            adverbs: Vec::new(),
            pronouns: HashSet::new(),
            connectors: Vec::new(),
            starters: HashSet::new(),
            determiners: HashSet::new(),
            source_stops: HashSet::new(),
            clause_stops: Vec::new(),
            spaced_clause_stops: Vec::new(),
            verbs: HashSet::new(),
        };
    };
    let mut forms: Vec<String> = Vec::new();
    let mut triggers = Vec::new();
    let mut add = |trigger: Trigger, words: &[String]| {
        for word in words {
            let lower = key(word);
            if lower.contains('\'') {
                forms.push(lower.replace('\'', "’"));
                triggers.push(trigger);
            }
            forms.push(lower);
            triggers.push(trigger);
        }
    };
    add(Trigger::Participle, &lists.participles);
    add(Trigger::Present, &lists.presents);
    add(Trigger::Gerund, &lists.gerunds);
    add(Trigger::English, &lists.english);
    for (i, according) in lists.according.iter().enumerate() {
        add(
            Trigger::According(i),
            std::slice::from_ref(&according.phrase),
        );
    }
    let matcher = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        // A few hundred phrases: a full DFA is small and the fastest to run.
        .kind(Some(AhoCorasickKind::DFA))
        .build(&forms)
        .ok();
    let set = |words: &[String]| words.iter().map(|w| key(w)).collect::<HashSet<String>>();
    let mut verbs = set(&lists.participles);
    verbs.extend(set(&lists.presents));
    verbs.extend(set(&lists.gerunds));
    verbs.extend(set(&lists.english));
    verbs.extend(set(&lists.auxiliaries));
    verbs.extend(set(&lists.english_auxiliaries));
    verbs.extend(
        [
            "est", "sont", "était", "étaient", "sera", "is", "are", "was", "were",
        ]
        .map(str::to_owned),
    );
    let longest_first = |words: &[String]| {
        let mut keys: Vec<String> = words.iter().map(|w| key(w)).collect();
        keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
        keys
    };
    Compiled {
        matcher,
        triggers,
        according_rules: lists.according.iter().map(|a| a.rule.clone()).collect(),
        auxiliaries: set(&lists.auxiliaries),
        english_auxiliaries: set(&lists.english_auxiliaries),
        adverbs: longest_first(&lists.adverbs),
        pronouns: set(&lists.pronouns),
        connectors: longest_first(&lists.connectors),
        starters: set(&lists.determiners)
            .into_iter()
            .chain(set(&lists.bare_nouns))
            .collect(),
        determiners: set(&lists.determiners),
        source_stops: set(&lists.source_stops),
        clause_stops: longest_first(&lists.clause_stops),
        spaced_clause_stops: longest_first(&lists.clause_stops)
            .into_iter()
            .filter(|s| s.contains(' '))
            .collect(),
        verbs,
    }
}

/// One list per document of `project`, in its order: claims, sources and their links.
pub fn suggest(project: &Project) -> Vec<Vec<Suggestion>> {
    suggest_with_chrome(project, None)
}

/// [`suggest`], given each document's page chrome
/// ([`super::boilerplate::suggest_with_chrome`] finds it on the way) instead of finding it.
pub(crate) fn suggest_with_chrome(
    project: &Project,
    chrome: Option<&[Vec<ByteRange>]>,
) -> Vec<Vec<Suggestion>> {
    let schema = &project.schema;
    let labels = Labels {
        claim: schema.label(CLAIM).is_some(),
        source: schema.label(SOURCE).is_some(),
        relation: schema
            .relations
            .iter()
            .find(|r| r.allows(CLAIM, SOURCE))
            .map(|r| r.name.clone()),
    };
    if !labels.claim && !labels.source {
        return vec![Vec::new(); project.documents.len()];
    }
    project
        .documents
        .par_iter()
        .enumerate()
        .map(|(i, d)| {
            let chrome = chrome.and_then(|c| c.get(i)).map(Vec::as_slice);
            document(&d.text, &labels, chrome)
        })
        .collect::<Vec<_>>()
}

/// What the schema lets the suggester make.
struct Labels {
    claim: bool,
    source: bool,
    relation: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Words around a position.

/// Characters of a token: word characters, hyphens, apostrophes and the full stop of an
/// abbreviation (sentences were split before, so a full stop inside one is not an end).
fn is_token_char(c: char) -> bool {
    scan::is_word_char(c) || matches!(c, '-' | '\'' | '’' | '.')
}

/// The token that ends at or before `pos` (white space skipped), not before `floor`: a run of
/// token characters, or one punctuation character.
fn token_before(text: &str, pos: usize, floor: usize) -> Option<ByteRange> {
    let slice = text.get(floor..pos)?;
    let trimmed = slice.trim_end_matches(is_space);
    let last = trimmed.chars().next_back()?;
    let end = floor + trimmed.len();
    if !is_token_char(last) {
        return Some(ByteRange::new(end - last.len_utf8(), end));
    }
    let start = trimmed
        .char_indices()
        .rev()
        .find(|&(_, c)| !is_token_char(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    // A full stop at the end of a token is punctuation, unless the token is a title (`M.`).
    Some(ByteRange::new(floor + start, end))
}

/// The token that starts at or after `pos` (white space skipped), before `ceiling`.
fn token_after(text: &str, pos: usize, ceiling: usize) -> Option<ByteRange> {
    let slice = text.get(pos..ceiling)?;
    let trimmed = slice.trim_start_matches(is_space);
    let start = pos + (slice.len() - trimmed.len());
    let first = trimmed.chars().next()?;
    if !is_token_char(first) || first == '.' {
        return Some(ByteRange::new(start, start + first.len_utf8()));
    }
    let len = trimmed
        .char_indices()
        .find(|&(_, c)| !is_token_char(c))
        .map_or(trimmed.len(), |(i, _)| i);
    // A token does not end with a full stop unless it is short (a title or an initial).
    let token = trimmed.get(..len).unwrap_or("");
    let len = if token.ends_with('.') && token.chars().count() > 4 {
        len - 1
    } else {
        len
    };
    Some(ByteRange::new(start, start + len))
}

/// True when the text just before `pos` (white space skipped, not before `floor`) is `phrase`
/// as whole words; returns where the phrase starts.
fn phrase_before(text: &str, pos: usize, floor: usize, phrase: &str) -> Option<usize> {
    let slice = text.get(floor..pos)?;
    let trimmed = slice.trim_end_matches(is_space);
    let n = phrase.chars().count();
    let start = trimmed
        .char_indices()
        .rev()
        .nth(n.checked_sub(1)?)
        .map(|(i, _)| i)?;
    let candidate = trimmed.get(start..)?;
    let range = ByteRange::new(floor + start, floor + trimmed.len());
    (same_words(candidate, phrase) && whole_words(text, range)).then_some(range.start)
}

/// True when the text from `pos` (white space skipped) starts with `phrase` as whole words;
/// returns where the phrase ends.
fn phrase_after(text: &str, pos: usize, ceiling: usize, phrase: &str) -> Option<usize> {
    let slice = text.get(pos..ceiling)?;
    let trimmed = slice.trim_start_matches(is_space);
    let start = pos + (slice.len() - trimmed.len());
    let n = phrase.chars().count();
    let len = trimmed
        .char_indices()
        .nth(n)
        .map_or(trimmed.len(), |(i, _)| i);
    let candidate = trimmed.get(..len)?;
    let range = ByteRange::new(start, start + len);
    (same_words(candidate, phrase) && whole_words(text, range)).then_some(range.end)
}

/// True when `candidate` is `phrase` (a [`key`]) but for case and the kind of apostrophe.
fn same_words(candidate: &str, phrase: &str) -> bool {
    let mut wanted = phrase.chars();
    for c in candidate.chars() {
        let c = if c == '’' { '\'' } else { c };
        for lower in c.to_lowercase() {
            if wanted.next() != Some(lower) {
                return false;
            }
        }
    }
    wanted.next().is_none()
}

/// The part of an elided token after its apostrophe (`l'a` → `a`) and the part before.
fn elision(token: &str) -> (&str, &str) {
    for prefix in [
        "l'", "l’", "n'", "n’", "qu'", "qu’", "s'", "s’", "d'", "d’", "j'", "j’",
    ] {
        if token.len() > prefix.len()
            && token
                .get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        {
            return (
                token.get(..prefix.len()).unwrap_or(""),
                token.get(prefix.len()..).unwrap_or(""),
            );
        }
    }
    ("", token)
}

const SUBJECT_PRONOUNS: [&str; 5] = ["il", "elle", "ils", "elles", "on"];

/// `a-t-il`, `aurait-elle`, `ont-ils`: an auxiliary with its pronoun after it.
fn inverted_auxiliary(token: &str, lists: &Compiled) -> bool {
    let lower = key(token);
    let mut parts = lower.split('-');
    let (Some(aux), Some(pronoun)) = (parts.next(), lower.rsplit('-').next()) else {
        return false;
    };
    lists.auxiliaries.contains(aux) && SUBJECT_PRONOUNS.contains(&pronoun) && lower.contains('-')
}

/// `-t-il`, `-elle`… right after a verb (`explique-t-il`, `dit-elle`): where it ends.
fn pronoun_suffix(text: &str, pos: usize) -> Option<usize> {
    let rest = text.get(pos..)?;
    let rest_after_t = rest
        .strip_prefix("-t-")
        .or_else(|| rest.strip_prefix('-'))?;
    SUBJECT_PRONOUNS
        .iter()
        .filter(|p| rest_after_t.starts_with(**p))
        .map(|p| text.len() - rest_after_t.len() + p.len())
        .max()
        .filter(|&end| {
            text.get(end..)
                .and_then(|rest| rest.chars().next())
                .is_none_or(|c| !scan::is_word_char(c))
        })
}

// ---------------------------------------------------------------------------------------------
// Noun phrases and clauses.

/// Where a document's suggestions are worked out: its text and, for the line at hand, its
/// quotes and sentences.
struct Context<'t> {
    text: &'t str,
    lists: &'t Compiled,
    quotes: Vec<Quote>,
    sentence: ByteRange,
}

/// Punctuation that bounds a subject or a source.
fn is_boundary(token: &str) -> bool {
    matches!(
        token,
        "," | ";" | ":" | "(" | ")" | "—" | "–" | "«" | "»" | "“" | "”" | "\"" | "!" | "?" | "…"
    )
}

impl Context<'_> {
    fn slice(&self, range: ByteRange) -> &str {
        self.text.get(range.as_range()).unwrap_or("")
    }

    /// True when a noun phrase may start with `token`: a capital, a digit, a determiner or an
    /// elided article (`l'agence`).
    fn starts_noun_phrase(&self, token: &str) -> bool {
        let lower = key(token);
        let (prefix, _) = elision(token);
        token
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
            || self.lists.starters.contains(&lower)
            || matches!(key(prefix).as_str(), "l'" | "d'")
    }

    fn is_pronoun(&self, phrase: &str) -> bool {
        self.lists.pronouns.contains(&key(phrase))
    }

    /// The subject before `pos`: the tokens back to a clause boundary or a verb, without the
    /// connectors at its start. `Err(())` when it is a pronoun; `Ok(None)` when there is no
    /// noun phrase; with whether a comma (or quote) bounds it on the left.
    fn subject_before(&self, pos: usize) -> Result<Option<(ByteRange, bool)>, ()> {
        let floor = self.sentence.start;
        let mut start = pos;
        let mut end = None;
        let mut tokens = 0;
        let mut bounded = false;
        while let Some(token) = token_before(self.text, start, floor) {
            let word = self.slice(token);
            if is_boundary(word) {
                bounded = true;
                break;
            }
            // Emoji, symbols: no part of a noun phrase.
            if !word.chars().next().is_some_and(scan::is_word_char) {
                break;
            }
            let lower = key(word);
            if self.lists.verbs.contains(&lower) && tokens > 0 {
                break;
            }
            if self.lists.verbs.contains(&lower) {
                return Ok(None);
            }
            tokens += 1;
            if tokens > 15 {
                return Ok(None);
            }
            end.get_or_insert(token.end);
            start = token.start;
        }
        let Some(end) = end else {
            return Ok(None);
        };
        // Connectors at the start ("Et", "Pour sa part") are not part of the subject.
        'strip: loop {
            for connector in &self.lists.connectors {
                if let Some(after) = phrase_after(self.text, start, end, connector)
                    && after < end
                {
                    start = after;
                    continue 'strip;
                }
            }
            break;
        }
        let Some(range) = scan::trim(self.text, ByteRange::new(start, end)) else {
            return Ok(None);
        };
        let phrase = self.slice(range);
        let first = token_after(self.text, range.start, range.end).map(|t| self.slice(t));
        if self.is_pronoun(phrase) {
            return Err(());
        }
        let has_noun = phrase
            .split(|c: char| is_space(c) || c == '\'' || c == '’')
            .any(|w| !w.is_empty() && !self.lists.determiners.contains(&key(w)));
        if !has_noun || !first.is_some_and(|f| self.starts_noun_phrase(f)) {
            return Ok(None);
        }
        Ok(Some((range, bounded)))
    }

    /// The noun phrase that starts after `pos` (a source after a verb or `selon`): to the end
    /// of the sentence, a stop word or a comma, with the appositions after commas (`Igor
    /// Klymenko, ministre de l'intérieur`, `le maire, Jean Dupont`). `trailing`: the phrase
    /// ends its sentence as a rule (after an inverted verb), so an apposition may also start
    /// with a determiner (`Maria Lopez, a resident of Paradise`). `Err(())` when it is a
    /// pronoun.
    fn noun_phrase_after(&self, pos: usize, trailing: bool) -> Result<Option<ByteRange>, ()> {
        let ceiling = self.sentence.end;
        let Some(first) = token_after(self.text, pos, ceiling) else {
            return Ok(None);
        };
        let first_word = self.slice(first);
        if self.is_pronoun(first_word) {
            return Err(());
        }
        if !self.starts_noun_phrase(first_word)
            || self.lists.source_stops.contains(&key(first_word))
        {
            return Ok(None);
        }
        let mut end = first.end;
        let mut at = first.end;
        let mut tokens = 1;
        while let Some(token) = token_after(self.text, at, ceiling) {
            let word = self.slice(token);
            if word == "," {
                match self.apposition(token.end, trailing) {
                    Some(segment) if tokens < 25 => {
                        end = segment.end;
                        at = segment.end;
                        tokens += word_count(self.slice(segment));
                        continue;
                    }
                    _ => break,
                }
            }
            let not_a_word = !word.chars().next().is_some_and(scan::is_word_char);
            if is_boundary(word)
                || not_a_word
                || self.lists.source_stops.contains(&key(word))
                || self.lists.verbs.contains(&key(word))
            {
                break;
            }
            tokens += 1;
            if tokens > 25 {
                break;
            }
            end = token.end;
            at = token.end;
        }
        Ok(scan::trim(self.text, ByteRange::new(first.start, end)))
    }

    /// The apposition that starts after a comma at `pos`, up to the next comma or the end of
    /// the sentence: a title or role (`ministre de l'intérieur`, `chargée de recherche au
    /// programme …`: a lowercase word first, prepositions allowed), or a name of up to four
    /// words. No verb in it. See [`Self::noun_phrase_after`] for `trailing`.
    fn apposition(&self, pos: usize, trailing: bool) -> Option<ByteRange> {
        let ceiling = self.sentence.end;
        let first = token_after(self.text, pos, ceiling)?;
        let first_word = key(self.slice(first));
        let capital = self
            .slice(first)
            .chars()
            .next()
            .is_some_and(char::is_uppercase);
        let determiner = self.lists.determiners.contains(&first_word);
        let opens = if determiner {
            trailing
        } else {
            !self.lists.source_stops.contains(&first_word)
                && !self.lists.clause_stops.iter().any(|s| s == &first_word)
                && !self.lists.verbs.contains(&first_word)
                && !self.is_pronoun(&first_word)
        };
        if !opens {
            return None;
        }
        let mut end = first.end;
        let mut at = first.end;
        let mut tokens = 1;
        while let Some(token) = token_after(self.text, at, ceiling) {
            let word = self.slice(token);
            if word == "," || word == "." {
                break;
            }
            if is_boundary(word) || self.lists.verbs.contains(&key(word)) {
                return None;
            }
            tokens += 1;
            end = token.end;
            at = token.end;
        }
        if (capital && !determiner && tokens > 4) || tokens > 20 {
            return None;
        }
        Some(ByteRange::new(first.start, end))
    }

    /// The reported clause from `start` to the end of the sentence, or to a word that starts
    /// another clause (`, notant que`, `et que`, `; `), without the final punctuation.
    fn clause_from(&self, start: usize) -> Option<ByteRange> {
        let end_limit = self.sentence.end;
        let slice = self.text.get(start..end_limit)?;
        let mut end = end_limit;
        for (i, c) in slice.char_indices() {
            let at = start + i;
            if self
                .quotes
                .iter()
                .any(|q| q.range.start < at && at < q.range.end)
            {
                continue;
            }
            if c == ';' {
                end = at;
                break;
            }
            let after_comma = c == ',';
            let next_word = at + c.len_utf8();
            if c == ',' || c == ' ' {
                let stops = if after_comma {
                    &self.lists.clause_stops
                } else {
                    &self.lists.spaced_clause_stops
                };
                let stop = stops
                    .iter()
                    .any(|stop| phrase_after(self.text, next_word, end_limit, stop).is_some());
                if stop && at > start {
                    end = at;
                    break;
                }
            }
        }
        let range = scan::trim(self.text, ByteRange::new(start, end))?;
        let body = self.slice(range).trim_end_matches(|c: char| {
            matches!(c, '.' | '!' | '?' | ',' | ';' | ':') || is_space(c)
        });
        let range = ByteRange::new(range.start, range.start + body.len());
        (word_count(self.slice(range)) >= 2).then_some(range)
    }

    /// The claim before a comma at `comma` (`CLAIM, a déclaré X`): the quote that ends there,
    /// else the clause from the start of the sentence.
    fn claim_before(&self, comma: usize) -> Option<ByteRange> {
        if let Some(quote) = self.quotes.iter().find(|q| {
            q.range.end <= comma
                && self
                    .text
                    .get(q.range.end..comma)
                    .is_some_and(|gap| gap.trim_matches(is_space).is_empty())
        }) {
            return Some(quote.range);
        }
        let mut start = self.sentence.start;
        // A clause that starts with a connector ("Mais …") starts after it.
        if let Some(first) = token_after(self.text, start, comma)
            && self
                .lists
                .connectors
                .iter()
                .any(|c| c == &key(self.slice(first)))
        {
            start = first.end;
        }
        let range = scan::trim(self.text, ByteRange::new(start, comma))?;
        let body = self
            .slice(range)
            .trim_end_matches(|c: char| matches!(c, ',' | ';' | ':') || is_space(c));
        let range = ByteRange::new(range.start, range.start + body.len());
        (word_count(self.slice(range)) >= 3).then_some(range)
    }

    /// What follows a verb that ends at `pos`: the start of the reported clause after `que`,
    /// `qu'` or `that` (a few words of complement may come between), or a quote after a colon.
    fn reported_after(&self, pos: usize, english: bool) -> Option<ByteRange> {
        let ceiling = self.sentence.end;
        let mut at = pos;
        for _ in 0..10 {
            let token = token_after(self.text, at, ceiling)?;
            let word = self.slice(token);
            let lower = key(word);
            if word == ":" {
                if let Some(quote) = self.quotes.iter().find(|q| {
                    q.range.start >= token.end
                        && self
                            .text
                            .get(token.end..q.range.start)
                            .is_some_and(|gap| gap.trim_matches(is_space).is_empty())
                }) {
                    return Some(quote.range);
                }
                return self.clause_from(token.end);
            }
            if matches!(word, "«" | "“" | "\"")
                && let Some(quote) = self.quotes.iter().find(|q| q.range.start == token.start)
            {
                return Some(quote.range);
            }
            if lower == "que" || (english && lower == "that") {
                return self.clause_from(token.end);
            }
            let (prefix, rest) = elision(word);
            if key(prefix) == "qu'" {
                return self.clause_from(token.end - rest.len());
            }
            if word == "." || is_boundary(word) && word != "," {
                return None;
            }
            at = token.end;
        }
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Findings.

/// A claim or source found, before the suggestions are made.
#[derive(Clone, Debug)]
struct Found {
    claim: Option<ByteRange>,
    source: Option<ByteRange>,
    /// The speaker is a pronoun: link the claim to the nearest source before it.
    pronoun: bool,
    rule: String,
    claim_score: f32,
    source_score: f32,
}

/// Documents longer than this are cut into pieces of whole lines worked on in parallel.
const PIECE_BYTES: usize = 128 * 1024;

/// The suggestions of one document; `chrome`: its page chrome, when known already.
fn document(text: &str, labels: &Labels, chrome: Option<&[ByteRange]>) -> Vec<Suggestion> {
    let lines = scan::lines(text);
    let found_chrome;
    let chrome = if let Some(chrome) = chrome {
        chrome
    } else {
        found_chrome = super::boilerplate::page_chrome(text);
        &found_chrome
    };
    // Whole lines in pieces of about PIECE_BYTES.
    let mut pieces: Vec<&[ByteRange]> = Vec::new();
    let mut rest: &[ByteRange] = &lines;
    while let Some(first) = rest.first() {
        let cut = rest
            .iter()
            .position(|l| l.end > first.start + PIECE_BYTES)
            .unwrap_or(rest.len())
            .max(1);
        let (piece, after) = rest.split_at(cut);
        pieces.push(piece);
        rest = after;
    }
    let work = |piece: &&[ByteRange]| piece_findings(text, piece, chrome);
    let parts = if pieces.len() > 1 {
        pieces.par_iter().map(work).collect::<Vec<_>>()
    } else {
        pieces.iter().map(work).collect()
    };
    let mut findings = Vec::new();
    let mut quotes: BTreeMap<ByteRange, Quote> = BTreeMap::new();
    for (found, piece_quotes) in parts {
        findings.extend(found);
        quotes.extend(piece_quotes.into_iter().map(|q| (q.range, q)));
    }
    assemble(text, labels, &findings, &quotes)
}

/// The findings of some consecutive lines of `text`, and their quotes. Lines of `chrome`
/// (boilerplate) are skipped.
fn piece_findings(
    text: &str,
    lines: &[ByteRange],
    chrome: &[ByteRange],
) -> (Vec<Found>, Vec<Quote>) {
    let lists = &*LISTS;
    let (Some(matcher), Some(first), Some(last)) = (&lists.matcher, lines.first(), lines.last())
    else {
        return (Vec::new(), Vec::new());
    };
    let span = ByteRange::new(first.start, last.end);
    // Triggers by line.
    let mut triggers: BTreeMap<usize, Vec<(ByteRange, Trigger)>> = BTreeMap::new();
    for found in matcher.find_iter(span.slice(text)) {
        let range = ByteRange::new(span.start + found.start(), span.start + found.end());
        let Some(trigger) = lists.triggers.get(found.pattern().as_usize()) else {
            continue;
        };
        if !whole_words(text, range) {
            continue;
        }
        let index = lines.partition_point(|l| l.start <= range.start);
        if let Some(line) = index.checked_sub(1) {
            triggers.entry(line).or_default().push((range, *trigger));
        }
    }
    let mut findings: Vec<Found> = Vec::new();
    let mut all_quotes: Vec<Quote> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let line_triggers = triggers.get(&i);
        let has_quote = line.slice(text).contains(['«', '“', '"']);
        if (line_triggers.is_none() && !has_quote) || containing(chrome, line.start).is_some() {
            continue;
        }
        let quotes = scan::quotes(text, *line);
        let sentences = scan::sentences(text, *line, &quotes);
        let mut context = Context {
            text,
            lists,
            quotes,
            sentence: *line,
        };
        for &(range, trigger) in line_triggers.into_iter().flatten() {
            // A verb inside a quote is the speaker's, not the article's.
            if context
                .quotes
                .iter()
                .any(|q| q.range.start < range.start && range.end < q.range.end)
            {
                continue;
            }
            let Some(sentence) = containing(&sentences, range.start) else {
                continue;
            };
            context.sentence = sentence;
            if let Some(found) = analyse(&context, range, trigger) {
                findings.push(found);
            }
        }
        // Quotes that stand as claims of their own.
        for quote in &context.quotes {
            let inner = word_count(context.slice(quote.range));
            if inner < 3 {
                continue;
            }
            let before = text.get(line.start..quote.range.start).unwrap_or("");
            let before = before.trim_end_matches(is_space);
            let after = text
                .get(quote.range.end..line.end)
                .unwrap_or("")
                .trim_start_matches(is_space);
            let sentence_start = containing(&sentences, quote.range.start)
                .is_some_and(|s| s.start == quote.range.start)
                || before.is_empty()
                || before.ends_with(['—', '–', '-']);
            let introduced = before.ends_with(':');
            let ends = after.is_empty() || after.starts_with([',', '.', '!', '?', ';', '…']);
            let score = if introduced {
                0.85
            } else if sentence_start && ends && inner >= 4 {
                0.75
            } else {
                continue;
            };
            findings.push(Found {
                claim: Some(quote.range),
                source: None,
                pronoun: false,
                rule: quote.marks.rule().to_owned(),
                claim_score: score,
                source_score: 0.0,
            });
        }
        all_quotes.extend(context.quotes);
    }
    (findings, all_quotes)
}

/// Works out one trigger: the claim and source it gives, if any.
fn analyse(cx: &Context<'_>, range: ByteRange, trigger: Trigger) -> Option<Found> {
    let text = cx.text;
    let lists = cx.lists;
    let verb = key(cx.slice(range));
    let found = |claim, source, pronoun, rule: String, claim_score, source_score| {
        Some(Found {
            claim,
            source,
            pronoun,
            rule,
            claim_score,
            source_score,
        })
    };
    match trigger {
        Trigger::According(index) => {
            let rule = lists.according_rules.get(index)?.clone();
            let next = token_after(text, range.end, cx.sentence.end)?;
            let next_word = key(cx.slice(next));
            if next_word == "que" || next_word.starts_with("qu'") {
                return None;
            }
            let relative = matches!(
                next_word.as_str(),
                "lequel" | "laquelle" | "lesquels" | "lesquelles"
            );
            let (source, pronoun) = match cx.noun_phrase_after(range.end, false) {
                Ok(source) => (source, false),
                Err(()) => (None, true),
            };
            if relative {
                let claim = cx.clause_from(next.end);
                return found(claim, None, true, rule, 0.6, 0.0);
            }
            let source_end = source.map_or(next.end, |s| s.end);
            // "Selon X, CLAIM" when nothing but connectors comes before `selon`.
            let lead = text.get(cx.sentence.start..range.start).unwrap_or("");
            let lead_key = key(lead.trim_matches(|c: char| is_space(c) || c == ','));
            let at_start = lead_key.is_empty() || lists.connectors.contains(&lead_key);
            let claim = if at_start {
                let comma = text
                    .get(source_end..cx.sentence.end)
                    .and_then(|rest| rest.find(','))
                    .map(|i| source_end + i + 1)?;
                cx.clause_from(comma)
            } else {
                cx.claim_before(range.start)
            };
            if source.is_none() && !pronoun {
                return None;
            }
            found(claim, source, pronoun, rule, 0.65, 0.8)
        }
        Trigger::Participle => {
            // Back over adverbs ("a également déclaré") to the auxiliary.
            let mut before = range.start;
            'adverbs: for _ in 0..3 {
                for adverb in &lists.adverbs {
                    if let Some(start) = phrase_before(text, before, cx.sentence.start, adverb) {
                        before = start;
                        continue 'adverbs;
                    }
                }
                break;
            }
            let aux = token_before(text, before, cx.sentence.start)?;
            let aux_word = cx.slice(aux);
            let (prefix, bare) = elision(aux_word);
            let rule = format!("reporting verb: {} {verb}", key(aux_word));
            if inverted_auxiliary(aux_word, lists) {
                let comma = comma_before(cx, aux.start)?;
                let claim = cx.claim_before(comma);
                return found(claim, None, true, rule, 0.8, 0.0);
            }
            if !lists.auxiliaries.contains(&key(bare)) {
                return None;
            }
            let rule = format!("reporting verb: {} {verb}", key(bare));
            // "comme l'a rapporté X": the source after, the claim before.
            if key(prefix) == "l'"
                && let Some(comme) = phrase_before(text, aux.start, cx.sentence.start, "comme")
            {
                let source = cx.noun_phrase_after(range.end, true).ok().flatten()?;
                let claim = comma_before(cx, comme).and_then(|c| cx.claim_before(c));
                return found(claim, Some(source), false, rule, 0.6, 0.8);
            }
            if let Some(comma) = comma_before(cx, aux.start).filter(|_| prefix.is_empty()) {
                return inverted_named(cx, comma, range.end, rule);
            }
            subject_first(cx, aux.start, range.end, rule, false)
        }
        Trigger::Present => {
            let rule = format!("reporting verb: {verb}");
            if let Some(end) = pronoun_suffix(text, range.end) {
                let comma = comma_before(cx, range.start)?;
                let rule = format!(
                    "reporting verb: {}",
                    key(cx.slice(ByteRange::new(range.start, end)))
                );
                let claim = cx.claim_before(comma);
                return found(claim, None, true, rule, 0.75, 0.0);
            }
            if let Some(comma) = comma_before(cx, range.start) {
                return inverted_named(cx, comma, range.end, rule);
            }
            // "comme le dit X", "comme en témoignent X": the source after, the claim before.
            let mut lead = range.start;
            if let Some(clitic) = token_before(text, lead, cx.sentence.start)
                && matches!(key(cx.slice(clitic)).as_str(), "en" | "le" | "l'" | "l’")
            {
                lead = clitic.start;
            }
            if let Some(comme) = phrase_before(text, lead, cx.sentence.start, "comme") {
                let source = cx.noun_phrase_after(range.end, true).ok().flatten()?;
                let claim = comma_before(cx, comme).and_then(|c| cx.claim_before(c));
                return found(claim, Some(source), false, rule, 0.6, 0.75);
            }
            subject_first(cx, range.start, range.end, rule, false)
        }
        Trigger::Gerund => {
            let rule = format!("reporting verb: {verb}");
            let claim = cx.reported_after(range.end, true)?;
            if comma_before(cx, range.start).is_some() {
                return found(Some(claim), None, true, rule, 0.6, 0.0);
            }
            match cx.subject_before(range.start) {
                Ok(Some((source, _))) => found(Some(claim), Some(source), false, rule, 0.6, 0.7),
                _ => found(Some(claim), None, true, rule, 0.55, 0.0),
            }
        }
        Trigger::English => {
            let rule = format!("reporting verb: {verb}");
            let mut start = range.start;
            if let Some(aux) = token_before(text, start, cx.sentence.start)
                && lists.english_auxiliaries.contains(&key(cx.slice(aux)))
            {
                start = aux.start;
            }
            // `"CLAIM," said X`.
            if let Some(comma) = comma_before(cx, start) {
                return inverted_named(cx, comma, range.end, rule);
            }
            // `"CLAIM," X said` and `CLAIM, officials said on Tuesday.`
            let subject = cx.subject_before(start);
            if let Ok(Some((source, true))) = subject
                && let Some(comma) = comma_before(cx, source.start)
                && cx.reported_after(range.end, true).is_none()
            {
                let claim = cx.claim_before(comma);
                return found(claim, Some(source), false, rule, 0.8, 0.8);
            }
            if let Err(()) = subject
                && let Some(comma) = token_before(text, start, cx.sentence.start)
                    .and_then(|pronoun| comma_before(cx, pronoun.start))
                && cx.reported_after(range.end, true).is_none()
            {
                let claim = cx.claim_before(comma);
                return found(claim, None, true, rule, 0.75, 0.0);
            }
            subject_first(cx, start, range.end, rule, true)
        }
    }
}

/// The comma (or closing quote followed by a comma) just before `pos`: where it is.
fn comma_before(cx: &Context<'_>, pos: usize) -> Option<usize> {
    let token = token_before(cx.text, pos, cx.sentence.start)?;
    let word = cx.slice(token);
    if word == "," {
        return Some(token.start);
    }
    // `"…, " he said`: the comma inside the closing quote.
    let inside = token_before(cx.text, token.start, cx.sentence.start)?;
    (matches!(word, "\"" | "”" | "»")
        && cx.slice(inside) == ","
        && cx.quotes.iter().any(|q| q.range.end == token.end))
    .then_some(token.end)
}

/// `CLAIM, a déclaré X`: the claim before the comma, the source after the verb.
fn inverted_named(cx: &Context<'_>, comma: usize, verb_end: usize, rule: String) -> Option<Found> {
    let claim = cx.claim_before(comma);
    let (source, pronoun) = match cx.noun_phrase_after(verb_end, true) {
        Ok(source) => (source, false),
        Err(()) => (None, true),
    };
    if source.is_none() && !pronoun {
        return None;
    }
    // After `…, a déclaré X` the sentence ends soon ("à la presse", "dans un communiqué"); a
    // long rest means X was an object ("Le ministre, M. X, a lancé une invitation …").
    if let Some(source) = source
        && word_count(cx.text.get(source.end..cx.sentence.end).unwrap_or("")) > 10
    {
        return None;
    }
    let quoted = claim.is_some_and(|c| cx.quotes.iter().any(|q| q.range == c));
    Some(Found {
        claim,
        source,
        pronoun,
        rule,
        claim_score: if quoted { 0.9 } else { 0.7 },
        source_score: 0.85,
    })
}

/// `X a déclaré que CLAIM`: the subject before `verb_start`, the clause after `que`.
fn subject_first(
    cx: &Context<'_>,
    verb_start: usize,
    verb_end: usize,
    rule: String,
    english: bool,
) -> Option<Found> {
    let claim = cx.reported_after(verb_end, english).or_else(|| {
        // English drops "that": "the minister said the army had left".
        english
            .then(|| token_after(cx.text, verb_end, cx.sentence.end))
            .flatten()
            .filter(|t| {
                let w = cx.slice(*t);
                cx.starts_noun_phrase(w) && !cx.lists.source_stops.contains(&key(w))
                    || cx.is_pronoun(w) && !matches!(key(w).as_str(), "that" | "which" | "who")
            })
            .and_then(|t| cx.clause_from(t.start))
            .filter(|c| word_count(cx.slice(*c)) >= 4)
    })?;
    match cx.subject_before(verb_start) {
        Ok(Some((source, _))) => Some(Found {
            claim: Some(claim),
            source: Some(source),
            pronoun: false,
            rule,
            claim_score: 0.7,
            source_score: 0.75,
        }),
        Err(()) => Some(Found {
            claim: Some(claim),
            source: None,
            pronoun: true,
            rule,
            claim_score: 0.65,
            source_score: 0.0,
        }),
        Ok(None) => None,
    }
}

/// Sentences of a quote: the claims it gives, one a sentence of four words or more (shorter
/// ones stay with the one before).
fn quote_pieces(text: &str, quote: ByteRange) -> Vec<ByteRange> {
    let Some(inner) = text.get(quote.as_range()) else {
        return vec![quote];
    };
    let mut pieces: Vec<ByteRange> = Vec::new();
    let mut start = quote.start;
    for (i, c) in inner.char_indices() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let end = quote.start + i + c.len_utf8();
        let rest = text.get(end..quote.end).unwrap_or("");
        let next = rest.trim_start_matches(is_space);
        if next.len() == rest.len() || !next.chars().next().is_some_and(char::is_uppercase) {
            continue;
        }
        let piece = ByteRange::new(start, quote.start + i);
        let next_start = quote.end - next.len();
        let rest_words = word_count(text.get(next_start..quote.end).unwrap_or(""));
        if word_count(piece.slice(text)) >= 4 && rest_words >= 4 {
            pieces.push(piece);
            start = next_start;
        }
    }
    pieces.push(ByteRange::new(start, quote.end));
    pieces
}

/// The suggestions from the findings of one document: sources, then claims linked to them.
fn assemble(
    text: &str,
    labels: &Labels,
    findings: &[Found],
    quotes: &BTreeMap<ByteRange, Quote>,
) -> Vec<Suggestion> {
    let mut sources: BTreeMap<ByteRange, (f32, String)> = BTreeMap::new();
    for f in findings {
        if let Some(source) = f.source {
            let slot = sources
                .entry(source)
                .or_insert((f.source_score, f.rule.clone()));
            if f.source_score > slot.0 {
                *slot = (f.source_score, f.rule.clone());
            }
        }
    }
    // Claims by range: the best finding for each, keeping a link when one has it.
    let mut claims: BTreeMap<ByteRange, (f32, String, Option<ByteRange>, bool)> = BTreeMap::new();
    for f in findings {
        let Some(claim) = f.claim else { continue };
        let rule = quotes
            .get(&claim)
            .map_or_else(|| f.rule.clone(), |q| q.marks.rule().to_owned());
        let entry =
            claims
                .entry(claim)
                .or_insert((f.claim_score, rule.clone(), f.source, f.pronoun));
        if f.claim_score > entry.0 {
            entry.0 = f.claim_score;
            entry.1 = rule;
        }
        if entry.2.is_none() && f.source.is_some() {
            entry.2 = f.source;
            entry.3 = false;
        }
        entry.3 |= f.pronoun && entry.2.is_none();
    }
    let named: Vec<ByteRange> = sources.keys().copied().collect();
    let mut out = Vec::new();
    if labels.source {
        for (range, (score, rule)) in &sources {
            out.push(Suggestion {
                label: SOURCE.to_owned(),
                fragments: vec![*range],
                rule: Rule {
                    suggester: Suggester::Attribution,
                    rule: rule.clone(),
                },
                score: *score,
                link: None,
            });
        }
    }
    if labels.claim {
        for (range, (score, rule, source, pronoun)) in claims {
            // A claim that is, or holds, its own source is no claim.
            if source.is_some_and(|s| s.overlaps(range)) {
                continue;
            }
            let source = source.or_else(|| {
                // The nearest source named before the claim, within a few sentences.
                pronoun
                    .then(|| {
                        named
                            .iter()
                            .rev()
                            .find(|s| s.end <= range.start && range.start - s.end < 1_500)
                    })
                    .flatten()
                    .copied()
            });
            let link = match (&labels.relation, source, labels.source) {
                (Some(kind), Some(source), true) => Some(SuggestedLink {
                    kind: kind.clone(),
                    label: SOURCE.to_owned(),
                    fragments: vec![source],
                }),
                _ => None,
            };
            let pieces = if quotes.contains_key(&range) {
                quote_pieces(text, range)
            } else {
                vec![range]
            };
            for piece in pieces {
                let Some(piece) = scan::trim(text, piece) else {
                    continue;
                };
                out.push(Suggestion {
                    label: CLAIM.to_owned(),
                    fragments: vec![piece],
                    rule: Rule {
                        suggester: Suggester::Attribution,
                        rule: rule.clone(),
                    },
                    score: if pronoun && link.is_none() {
                        score - 0.1
                    } else {
                        score
                    },
                    link: link.clone(),
                });
            }
        }
    }
    out.sort_by(|a, b| {
        (a.extent().start, &a.label, &a.fragments).cmp(&(b.extent().start, &b.label, &b.fragments))
    });
    out.dedup_by(|a, b| a.label == b.label && a.fragments == b.fragments);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::test_support::{check_ranges, project_of};

    fn found(text: &str) -> Vec<(String, String, Option<String>)> {
        let project = project_of(&[text]);
        let list = suggest(&project).remove(0);
        check_ranges(text, &list);
        list.iter()
            .map(|s| {
                (
                    s.label.clone(),
                    s.extent().slice(text).to_owned(),
                    s.link
                        .as_ref()
                        .and_then(|l| l.fragments.first())
                        .map(|f| f.slice(text).to_owned()),
                )
            })
            .collect()
    }

    #[test]
    fn i_the_word_lists_parse() {
        let lists = parse().map_err(|e| e.to_string());
        assert!(lists.is_ok(), "{lists:?}");
        assert!(LISTS.matcher.is_some());
        assert!(LISTS.auxiliaries.contains("a"));
    }

    #[test]
    fn i_a_pronoun_speaker_links_the_claim_to_the_source_named_before() {
        let text = "« Nous resterons », a déclaré la ministre 😀.\r\n« Rien ne nous fera partir », a-t-elle ajouté.";
        let all = found(text);
        let second = all
            .iter()
            .find(|(_, t, _)| t == "« Rien ne nous fera partir »")
            .unwrap();
        assert_eq!(second.2.as_deref(), Some("la ministre"));
        assert!(
            all.iter()
                .any(|(l, t, _)| l == "source" && t == "la ministre")
        );
        // No source for the pronoun.
        assert!(
            !all.iter()
                .any(|(l, t, _)| l == "source" && t.contains("elle"))
        );
    }

    #[test]
    fn i_scare_quotes_and_plain_sentences_give_nothing() {
        assert!(
            found("Le maire a parlé d'une « catastrophe » annoncée depuis des années.").is_empty()
        );
        assert!(found("Le gouvernement a débloqué 50 millions d'euros mardi.").is_empty());
    }

    #[test]
    fn i_without_a_source_label_only_claims_and_no_links() {
        let mut project =
            project_of(&["Selon l'Insee, le chômage a baissé au troisième trimestre."]);
        project.schema.labels.retain(|l| l.name != SOURCE);
        let list = suggest(&project).remove(0);
        assert!(!list.is_empty());
        assert!(list.iter().all(|s| s.label == CLAIM && s.link.is_none()));
        project.schema.labels.retain(|l| l.name != CLAIM);
        assert!(suggest(&project).iter().all(Vec::is_empty));
    }
}
