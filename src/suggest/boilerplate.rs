//! The boilerplate suggester: what is not part of the article.
//!
//! It suggests whole lines (trimmed) for the label named [`LABEL`] (`"boilerplate"`), and
//! nothing when the schema has no such label. Rules, from the surest:
//!
//! - `navigation: <phrase>`: a line that is a navigation phrase (`Lire aussi`, `Partager`,
//!   `Skip to content`…), or one followed by `:` and a title;
//! - `copyright`, `cookies`, `photo credit`, `update notice`: short lines with the phrases of
//!   those lists (`©`, `Tous droits réservés`, `Crédit photo`, `sera mis à jour`…);
//! - `appeal: donation` / `newsletter` / `subscription`: lines asking the reader for money or an
//!   address, and the lines of the same block between an opener (`Chers lecteurs,`) and them;
//! - `repeated line`: a line of three words or more found in other documents of the corpus (by a
//!   hash of its normalised text); `repeated line in the document`: a line that already came
//!   earlier in the same document (a duplicated caption or title);
//! - `teaser`: a line cut short with `…` or `...` (the caption or first lines of another
//!   article);
//! - `related: after <phrase>`: the lines after a "related articles" navigation line (`Lire
//!   aussi`, `Dernier`, `Most read`) in the second half of a document, or the one line after it
//!   elsewhere;
//! - `stray word`: a first or last line of one or two words without punctuation (`Today`, a site
//!   name).
//!
//! The phrases are in `assets/suggest/boilerplate.ron` (French and English), compiled in.

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use serde::Deserialize;

use super::scan::{self, normalise, whole_words};
use super::{Rule, Suggester, Suggestion};
use crate::model::Project;
use crate::text::ByteRange;

/// The name of the label this suggester looks up in the schema.
pub const LABEL: &str = "boilerplate";

/// The word lists as written in `assets/suggest/boilerplate.ron`.
#[derive(Debug, Deserialize)]
struct Lists {
    navigation: Vec<String>,
    related: Vec<String>,
    appeals: Vec<AppealList>,
    appeal_openers: Vec<String>,
    copyright: Vec<String>,
    cookies: Vec<String>,
    photo_credits: Vec<String>,
    updates: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct AppealList {
    kind: String,
    phrases: Vec<String>,
}

/// What a phrase of the lists says about its line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Category {
    Navigation,
    Appeal(usize),
    Opener,
    Copyright,
    Cookie,
    Photo,
    Update,
}

/// The lists, ready to match.
struct Compiled {
    /// Navigation phrases by their normalised form, with the phrase as written.
    navigation: HashMap<String, String>,
    /// Normalised navigation phrases after which come teasers of other articles.
    related: HashSet<String>,
    /// Kinds of appeal, by index.
    appeal_kinds: Vec<String>,
    /// Every phrase of every list, whatever its case.
    matcher: Option<AhoCorasick>,
    /// The category and phrase (as written) of each pattern of `matcher`.
    patterns: Vec<(Category, String)>,
}

const SOURCE: &str = include_str!("../../assets/suggest/boilerplate.ron");

/// Parses the lists; an error names the problem (a test keeps the file parsing).
fn parse() -> Result<Lists, ron::error::SpannedError> {
    ron::from_str(SOURCE)
}

static LISTS: LazyLock<Compiled> = LazyLock::new(|| compile(parse().ok()));

/// The forms of `phrase` to look for: lowercase, and with a capital first letter when that
/// letter is not ASCII (the matcher ignores only ASCII case).
fn variants(phrase: &str) -> Vec<String> {
    let lower = phrase.to_lowercase();
    let mut forms = vec![lower.clone()];
    let mut chars = lower.chars();
    if let Some(first) = chars.next()
        && !first.is_ascii()
    {
        let capital: String = first.to_uppercase().chain(chars).collect();
        if capital != lower {
            forms.push(capital);
        }
    }
    forms
}

fn compile(lists: Option<Lists>) -> Compiled {
    let lists = lists.unwrap_or(Lists {
        navigation: Vec::new(),
        related: Vec::new(),
        appeals: Vec::new(),
        appeal_openers: Vec::new(),
        copyright: Vec::new(),
        cookies: Vec::new(),
        photo_credits: Vec::new(),
        updates: Vec::new(),
    });
    let mut patterns: Vec<(Category, String)> = Vec::new();
    let mut forms: Vec<String> = Vec::new();
    let mut add = |category: Category, phrases: &[String]| {
        for phrase in phrases {
            for form in variants(phrase) {
                forms.push(form);
                patterns.push((category, phrase.clone()));
            }
        }
    };
    add(Category::Navigation, &lists.navigation);
    for (i, appeal) in lists.appeals.iter().enumerate() {
        add(Category::Appeal(i), &appeal.phrases);
    }
    add(Category::Opener, &lists.appeal_openers);
    add(Category::Photo, &lists.photo_credits);
    add(Category::Copyright, &lists.copyright);
    add(Category::Cookie, &lists.cookies);
    add(Category::Update, &lists.updates);
    let matcher = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        // A few hundred phrases: a full DFA is small and the fastest to run.
        .kind(Some(AhoCorasickKind::DFA))
        .build(&forms)
        .ok();
    Compiled {
        navigation: lists
            .navigation
            .iter()
            .map(|p| (normalise(p), p.clone()))
            .collect(),
        related: lists.related.iter().map(|p| normalise(p)).collect(),
        appeal_kinds: lists.appeals.into_iter().map(|a| a.kind).collect(),
        matcher,
        patterns,
    }
}

/// One list per document of `project`, in its order: the boilerplate lines of each.
pub fn suggest(project: &Project) -> Vec<Vec<Suggestion>> {
    suggest_with_chrome(project).0
}

/// [`suggest`], and for each document its [`page_chrome`] (found on the way: the lines of the
/// rules other than `repeated line`), or `None` when the schema has no boilerplate label (and
/// nothing was looked for).
pub(crate) fn suggest_with_chrome(
    project: &Project,
) -> (Vec<Vec<Suggestion>>, Option<Vec<Vec<ByteRange>>>) {
    if project.schema.label(LABEL).is_none() {
        return (vec![Vec::new(); project.documents.len()], None);
    }
    let lists = &*LISTS;
    // Each document's lines and their hashes, on all cores; then how many documents hold each.
    let lines: Vec<Vec<Line>> = project
        .documents
        .par_iter()
        .map(|d| document_lines(&d.text))
        .collect::<Vec<_>>();
    let mut documents_with: HashMap<u64, u32> = HashMap::new();
    for doc in &lines {
        let mut hashes: Vec<u64> = doc.iter().filter_map(|l| l.hash).collect();
        hashes.sort_unstable();
        hashes.dedup();
        for hash in hashes {
            *documents_with.entry(hash).or_default() += 1;
        }
    }
    let work: Vec<(&str, &Vec<Line>)> = project
        .documents
        .iter()
        .map(|d| &*d.text)
        .zip(&lines)
        .collect();
    let (found, chrome) = work
        .par_iter()
        .map(|(text, lines)| document(text, lines, &documents_with, lists))
        .unzip();
    (found, Some(chrome))
}

/// A trimmed line with the hash of its normalised text (for lines of three words or more).
struct Line {
    range: ByteRange,
    hash: Option<u64>,
    words: usize,
}

fn document_lines(text: &str) -> Vec<Line> {
    scan::lines(text)
        .into_iter()
        .map(|range| {
            let (words, hash) = words_and_hash(range.slice(text));
            Line {
                range,
                hash: (words >= 3).then_some(hash),
                words,
            }
        })
        .collect()
}

/// In one pass over `slice`: how many words it has (as [`word_count`] counts them) and an
/// FNV-1a hash of its characters, lowercased, with runs of white space as one space.
fn words_and_hash(slice: &str) -> (usize, u64) {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |value: u32| {
        hash ^= u64::from(value);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    let mut words = 0;
    let mut in_word = false;
    let mut space = false;
    for c in slice.chars() {
        let (word, white) = if c.is_ascii() {
            (c.is_ascii_alphanumeric(), c.is_ascii_whitespace())
        } else {
            (scan::is_word_char(c), scan::is_space(c))
        };
        if word && !in_word {
            words += 1;
        }
        in_word = word;
        if white {
            space = true;
            continue;
        }
        if space {
            mix(u32::from(' '));
            space = false;
        }
        if c.is_ascii() {
            mix(u32::from(c.to_ascii_lowercase()));
        } else {
            for lower in c.to_lowercase() {
                mix(u32::from(lower));
            }
        }
    }
    (words, hash)
}

/// The lines of `text` that the rules of one document find (all but `repeated line`, which
/// needs the corpus): page chrome, where the attribution suggester looks for no claim.
pub(crate) fn page_chrome(text: &str) -> Vec<ByteRange> {
    document(text, &document_lines(text), &HashMap::new(), &LISTS).1
}

/// What the phrases of the lists found in one line.
#[derive(Default)]
struct Hits {
    /// A navigation phrase at the start of the line, followed by a colon: the phrase.
    navigation_prefix: Option<String>,
    appeal: Option<usize>,
    appeals: usize,
    opener: bool,
    copyright: bool,
    cookie: bool,
    photo: bool,
    update: bool,
}

/// The navigation phrase a short line is, if it is one (case, white space and a trailing
/// colon or arrow aside).
fn navigation_line<'l>(line: &str, lists: &'l Compiled) -> Option<&'l String> {
    if line.len() > 80 {
        return None;
    }
    let bare = line.trim_end_matches(|c: char| {
        scan::is_space(c) || matches!(c, ':' | '|' | '›' | '»' | '>' | '-' | '–' | '•' | '.' | '…')
    });
    lists.navigation.get(&normalise(bare))
}

/// The suggestions of one document, and its page chrome: the lines that a rule other than
/// `repeated line` (the one that needs the corpus) offered, whichever rule won.
fn document(
    text: &str,
    lines: &[Line],
    documents_with: &HashMap<u64, u32>,
    lists: &Compiled,
) -> (Vec<Suggestion>, Vec<ByteRange>) {
    let ranges: Vec<ByteRange> = lines.iter().map(|l| l.range).collect();
    let mut hits: Vec<Hits> = lines.iter().map(|_| Hits::default()).collect();
    if let Some(matcher) = &lists.matcher {
        for found in matcher.find_iter(text) {
            let range = ByteRange::new(found.start(), found.end());
            if !whole_words(text, range) {
                continue;
            }
            let Some(index) = ranges
                .partition_point(|r| r.start <= range.start)
                .checked_sub(1)
            else {
                continue;
            };
            let (Some(line), Some(hit), Some((category, phrase))) = (
                lines.get(index),
                hits.get_mut(index),
                lists.patterns.get(found.pattern().as_usize()),
            ) else {
                continue;
            };
            if range.end > line.range.end {
                continue;
            }
            match category {
                Category::Navigation => {
                    let rest = text.get(range.end..line.range.end).unwrap_or("");
                    if range.start == line.range.start
                        && rest
                            .trim_start_matches(scan::is_space)
                            .starts_with([':', '|'])
                    {
                        hit.navigation_prefix = Some(phrase.clone());
                    }
                }
                Category::Appeal(kind) => {
                    hit.appeal.get_or_insert(*kind);
                    hit.appeals += 1;
                }
                Category::Opener => hit.opener |= range.start == line.range.start,
                Category::Copyright => hit.copyright = true,
                Category::Cookie => hit.cookie = true,
                Category::Photo => hit.photo = true,
                Category::Update => hit.update = true,
            }
        }
    }
    // The best offer for each line, and whether a rule of the document alone offered it.
    let mut best: Vec<(Option<(f32, String)>, bool)> = vec![(None, false); lines.len()];
    let corpus_offer =
        |best: &mut [(Option<(f32, String)>, bool)], i: usize, score: f32, rule: String| {
            if let Some((slot, _)) = best.get_mut(i)
                && slot.as_ref().is_none_or(|(s, _)| score > *s)
            {
                *slot = Some((score, rule));
            }
        };
    let offer = |best: &mut [(Option<(f32, String)>, bool)], i: usize, score: f32, rule: String| {
        if let Some((_, local)) = best.get_mut(i) {
            *local = true;
        }
        corpus_offer(best, i, score, rule);
    };
    let half = text.len() / 2;
    let mut seen_here: HashSet<u64> = HashSet::new();
    let appeal_kind = |kind: usize| {
        lists
            .appeal_kinds
            .get(kind)
            .map_or("appeal", String::as_str)
    };
    let mut appeal_lines: Vec<(usize, usize)> = Vec::new();
    let mut openers: Vec<usize> = Vec::new();
    for (i, (line, hit)) in lines.iter().zip(&hits).enumerate() {
        let slice = line.range.slice(text);
        let words = line.words;
        if let Some(phrase) = navigation_line(slice, lists) {
            offer(&mut best, i, 0.95, format!("navigation: {phrase}"));
            if lists.related.contains(&normalise(phrase)) {
                let after = if line.range.start >= half {
                    lines.len()
                } else {
                    i + 2
                };
                for j in i + 1..after.min(lines.len()) {
                    offer(&mut best, j, 0.6, format!("related: after {phrase}"));
                }
            }
        } else if let Some(phrase) = &hit.navigation_prefix
            && words <= 30
        {
            offer(&mut best, i, 0.85, format!("navigation: {phrase}"));
        }
        if hit.photo && words <= 30 {
            offer(&mut best, i, 0.8, "photo credit".to_owned());
        }
        if hit.copyright && words <= 30 {
            offer(&mut best, i, 0.9, "copyright".to_owned());
        }
        if hit.cookie && words <= 60 {
            offer(&mut best, i, 0.85, "cookies".to_owned());
        }
        if hit.update && words <= 25 {
            offer(&mut best, i, 0.85, "update notice".to_owned());
        }
        if let Some(kind) = hit.appeal
            && (hit.appeals >= 2 || words <= 30 || line.range.start >= half)
        {
            offer(&mut best, i, 0.85, format!("appeal: {}", appeal_kind(kind)));
            appeal_lines.push((i, kind));
        }
        if hit.opener && words <= 12 {
            openers.push(i);
        }
        let trimmed_end = slice.trim_end_matches(['»', '”', '"', ')']);
        if words >= 3
            && (slice.ends_with('…') || slice.ends_with("..."))
            && !trimmed_end.ends_with("[…]")
            && !trimmed_end.ends_with("(…)")
            && !trimmed_end.ends_with("[...]")
            && !trimmed_end.ends_with("(...)")
            && trimmed_end.len() == slice.len()
        {
            offer(&mut best, i, 0.7, "teaser".to_owned());
        }
        if let Some(hash) = line.hash {
            let count = documents_with.get(&hash).copied().unwrap_or(0);
            if count >= 2 && (words <= 40 || count >= 3) {
                let score = 0.55 + 0.1 * (count - 1).min(3) as f32;
                corpus_offer(&mut best, i, score, "repeated line".to_owned());
            }
            if !seen_here.insert(hash) {
                offer(
                    &mut best,
                    i,
                    0.6,
                    "repeated line in the document".to_owned(),
                );
            }
        }
    }
    // Appeal blocks: from an opener or an appeal line to the last appeal line that follows
    // within three lines, every line in between.
    let mut starts: Vec<(usize, Option<usize>)> = openers.iter().map(|&i| (i, None)).collect();
    starts.extend(appeal_lines.iter().map(|&(i, kind)| (i, Some(kind))));
    starts.sort_unstable();
    let mut block: Option<(usize, usize, Option<usize>)> = None;
    let mut blocks = Vec::new();
    for (i, kind) in starts {
        match &mut block {
            Some((_, end, block_kind)) if i <= *end + 3 => {
                *end = i;
                if block_kind.is_none() {
                    *block_kind = kind;
                }
            }
            _ => {
                if let Some(done) = block.take() {
                    blocks.push(done);
                }
                block = Some((i, i, kind));
            }
        }
    }
    blocks.extend(block);
    for (start, end, kind) in blocks {
        let Some(kind) = kind else { continue };
        if !appeal_lines.iter().any(|&(i, _)| start <= i && i <= end) {
            continue;
        }
        for i in start..=end {
            offer(&mut best, i, 0.7, format!("appeal: {}", appeal_kind(kind)));
        }
    }
    // Stray words at the edges of the document.
    if lines.len() >= 3 {
        for i in [0, lines.len() - 1] {
            let Some(line) = lines.get(i) else { continue };
            let slice = line.range.slice(text);
            if line.words <= 2
                && slice.len() <= 30
                && !slice.contains(['.', '!', '?', ':', ';', ',', '«', '"', '“'])
            {
                offer(&mut best, i, 0.5, "stray word".to_owned());
            }
        }
    }
    let chrome = lines
        .iter()
        .zip(&best)
        .filter(|(_, (_, local))| *local)
        .map(|(line, _)| line.range)
        .collect();
    let found = lines
        .iter()
        .zip(best)
        .filter_map(|(line, (best, _))| {
            let (score, rule) = best?;
            Some(Suggestion {
                label: LABEL.to_owned(),
                fragments: vec![line.range],
                rule: Rule {
                    suggester: Suggester::Boilerplate,
                    rule,
                },
                score,
                link: None,
            })
        })
        .collect();
    (found, chrome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::test_support::{check_ranges, project_of};

    fn found(texts: &[&str]) -> Vec<Vec<(String, String)>> {
        let project = project_of(texts);
        suggest(&project)
            .into_iter()
            .zip(texts)
            .map(|(list, text)| {
                check_ranges(text, &list);
                list.iter()
                    .map(|s| (s.extent().slice(text).to_owned(), s.rule.rule.clone()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn i_the_word_lists_parse() {
        let lists = parse().map_err(|e| e.to_string());
        assert!(lists.is_ok(), "{lists:?}");
        let lists = lists.unwrap_or_else(|_| unreachable!());
        assert!(lists.navigation.iter().any(|p| p == "Lire aussi"));
        assert!(LISTS.matcher.is_some());
        assert!(!LISTS.patterns.is_empty());
    }

    #[test]
    fn i_navigation_lines_and_their_teasers_are_found_in_french_and_english() {
        let body = "Le gouvernement a présenté mardi son budget. Les députés en débattront.\n";
        let french = format!(
            "Aller au contenu\r\n\r\nLe budget est présenté\r\n{body}{body}\nLire aussi :\r\n\
             Un autre sujet sans rapport, publié hier\r\nPartager\r\n"
        );
        let english = format!(
            "Skip to content\nThe budget\n{}\nRead more\nAnother story about the weather...\n",
            "The government presented its budget on Tuesday."
        );
        let all = found(&[&french, &english]);
        let fr = &all[0];
        assert!(fr.contains(&(
            "Aller au contenu".into(),
            "navigation: Aller au contenu".into()
        )));
        assert!(fr.contains(&("Lire aussi :".into(), "navigation: Lire aussi".into())));
        assert!(fr.contains(&(
            "Un autre sujet sans rapport, publié hier".into(),
            "related: after Lire aussi".into()
        )));
        assert!(fr.contains(&("Partager".into(), "navigation: Partager".into())));
        // The duplicated paragraph: only its second occurrence.
        let repeated: Vec<_> = fr
            .iter()
            .filter(|(_, r)| r == "repeated line in the document")
            .collect();
        assert_eq!(repeated.len(), 1, "{fr:?}");
        assert!(!fr.iter().any(|(t, _)| t == "Le budget est présenté"));
        let en = &all[1];
        assert!(en.contains(&(
            "Skip to content".into(),
            "navigation: Skip to content".into()
        )));
        assert!(en.contains(&("Another story about the weather...".into(), "teaser".into())));
        assert!(!en.iter().any(|(t, _)| t.starts_with("The government")));
    }

    #[test]
    fn i_appeals_are_found_with_their_whole_block() {
        let text = "Le ministre a démissionné hier soir après des semaines de pression.\n\
                    Chers lecteurs,\n\
                    Nous traversons une période difficile pour la presse.\n\
                    Pour continuer, nous avons besoin de votre soutien : faites un don.\n\
                    Inscrivez-vous à notre newsletter.\n\
                    © 2025 Le Journal. Tous droits réservés.\n\
                    Photo : Jean Dupont / AFP\n\
                    We use cookies to improve your experience. Accept all\n\
                    Cette histoire est encore en évolution et sera mise à jour.";
        let all = found(&[text]);
        let rules: Vec<(&str, &str)> = all[0]
            .iter()
            .map(|(t, r)| (t.as_str(), r.as_str()))
            .collect();
        assert_eq!(
            rules,
            [
                ("Chers lecteurs,", "appeal: donation"),
                (
                    "Nous traversons une période difficile pour la presse.",
                    "appeal: donation"
                ),
                (
                    "Pour continuer, nous avons besoin de votre soutien : faites un don.",
                    "appeal: donation"
                ),
                ("Inscrivez-vous à notre newsletter.", "appeal: newsletter"),
                ("© 2025 Le Journal. Tous droits réservés.", "copyright"),
                ("Photo : Jean Dupont / AFP", "photo credit"),
                (
                    "We use cookies to improve your experience. Accept all",
                    "cookies"
                ),
                (
                    "Cette histoire est encore en évolution et sera mise à jour.",
                    "update notice"
                ),
            ]
        );
    }

    #[test]
    fn i_lines_repeated_across_documents_are_found_in_each() {
        let footer = "Retrouvez toute l'actualité régionale sur notre site";
        let a = format!("Un incendie a détruit une grange.\n{footer}\n");
        let b = format!("La mairie vote son budget.\n{footer}");
        let c = "Rien à voir ici, un texte sans pied de page.".to_owned();
        let all = found(&[&a, &b, &c]);
        for doc in &all[..2] {
            assert!(doc.contains(&(footer.to_owned(), "repeated line".to_owned())));
        }
        assert!(all[2].is_empty());
    }

    #[test]
    fn i_body_text_is_left_alone() {
        let text = "Selon l'Insee, le chômage a baissé de 0,2 point au troisième trimestre.\n\
                    « Nous partageons cette analyse », a déclaré la ministre du Travail.\n\
                    Les syndicats restent prudents face à ces chiffres encourageants.";
        assert!(found(&[text])[0].is_empty());
    }

    #[test]
    fn i_no_label_no_suggestion() {
        let mut project = project_of(&["Lire aussi"]);
        project.schema.labels.retain(|l| l.name != LABEL);
        assert!(suggest(&project).iter().all(Vec::is_empty));
    }
}
