//! Search in document texts: plain text, whole words or a regular expression, by default blind
//! to case and to accents ("etat" finds "État", "Etat" and "état").
//!
//! A [`Matcher`] is built once from a [`Query`] and finds the hits of one text as byte ranges of
//! the raw text (BOM and CRLF kept), on char boundaries. To ignore accents it searches a folded
//! copy of the text (canonical decomposition with the combining marks dropped, lowercased unless
//! the case matters, `œ` as `oe`, `’` as `'`...) and maps each hit back to the raw characters it
//! came from: a hit that ends inside a folded character covers the whole raw character, and the
//! combining marks after the last matched letter belong to the hit ("etat" on "e\u{301}tat"
//! covers all of it). Runs of ASCII are copied as they are (lowercased when needed), so most of a
//! French text costs a copy.
//!
//! [`search_documents`] runs a matcher over many documents in order, on all cores, and reports
//! the hits chunk by chunk so that the first ones come quickly; [`Search`] does it on its own
//! thread for the app. [`context`] cuts the line shown for a hit in a list of results.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use rayon::prelude::*;
use regex::{Regex, RegexBuilder};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use crate::text::{ByteRange, floor_char_boundary};

/// How the text of a [`Query`] is matched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// The text anywhere, as it is typed.
    #[default]
    Plain,
    /// The text where it starts and ends a word (Unicode words: "État" in "l'État," but not in
    /// "Étatique"). An edge of the text that is not a letter or digit (a quote, a space) needs no
    /// word boundary.
    WholeWord,
    /// A regular expression in the syntax of the `regex` crate (`\d+`, `(?:M\.|Mme) \w+`).
    Regex,
}

/// What to look for, as the search bar says it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// The text or the pattern.
    pub text: String,
    /// How `text` is matched.
    pub mode: Mode,
    /// When true, "État" does not find "ÉTAT".
    pub match_case: bool,
    /// When true, "etat" does not find "état".
    pub match_accents: bool,
}

/// One hit of a search: a range of a document's raw text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hit {
    /// Index of the document (the number given with its text to [`search_documents`]).
    pub doc: usize,
    /// The bytes matched, on char boundaries of the raw text.
    pub range: ByteRange,
}

/// Why a query cannot be searched for. Said to the user as it is.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// Nothing was typed.
    #[error("Type something to search for")]
    Empty,
    /// The query holds only accents (combining marks), which are ignored.
    #[error("The search holds only accents, which are ignored: tick “Match accents” to find them")]
    OnlyAccents,
    /// The regular expression does not parse.
    #[error("This is not a valid regular expression: {reason}")]
    BadRegex {
        /// What is wrong, in a few words ("unclosed group").
        reason: String,
        /// The regex crate's whole message, with the pattern and a caret under the fault, for a
        /// monospaced tooltip.
        detail: String,
    },
    /// The regular expression compiles to more than the regex crate allows.
    #[error("This regular expression is too large to search with: make it simpler")]
    TooLarge,
}

impl SearchError {
    fn from_regex(error: &regex::Error) -> Self {
        match error {
            regex::Error::CompiledTooBig(_) => Self::TooLarge,
            other => {
                let detail = other.to_string();
                // The message ends with "error: <what>" after the pattern and its caret.
                let reason = detail
                    .lines()
                    .rev()
                    .find_map(|line| line.trim().strip_prefix("error:"))
                    .map_or_else(|| detail.clone(), |reason| reason.trim().to_owned());
                Self::BadRegex { reason, detail }
            }
        }
    }
}

/// A compiled query: finds its hits in one text at a time. Cheap to clone, `Send` and `Sync`.
#[derive(Clone, Debug)]
pub struct Matcher {
    regex: Regex,
    /// How texts are folded before the regex sees them; `None` to search the raw text.
    fold: Option<Fold>,
    /// A hit must start where a word starts (the text before it is not a word character).
    word_start: bool,
    /// A hit must end where a word ends.
    word_end: bool,
}

/// How a text is folded for an accent-insensitive search.
#[derive(Clone, Copy, Debug)]
struct Fold {
    lowercase: bool,
}

impl Matcher {
    /// The matcher of `query`, or why there is none.
    pub fn new(query: &Query) -> Result<Self, SearchError> {
        if query.text.is_empty() {
            return Err(SearchError::Empty);
        }
        let fold = (!query.match_accents).then_some(Fold {
            lowercase: !query.match_case,
        });
        let (pattern, word_start, word_end) = match query.mode {
            Mode::Plain | Mode::WholeWord => {
                let text = match fold {
                    Some(fold) => fold_str(&query.text, fold.lowercase),
                    None => query.text.clone(),
                };
                if text.is_empty() {
                    return Err(SearchError::OnlyAccents);
                }
                let whole = query.mode == Mode::WholeWord;
                let first = text.chars().next().is_some_and(is_word_char);
                let last = text.chars().next_back().is_some_and(is_word_char);
                (regex::escape(&text), whole && first, whole && last)
            }
            Mode::Regex => {
                let pattern = match fold {
                    Some(_) => fold_pattern(&query.text),
                    None => query.text.clone(),
                };
                (pattern, false, false)
            }
        };
        // Folded text is lowercase already when the case does not matter, and a folded literal
        // too; a pattern keeps its case (`\D` is not `\d`) and is told to ignore it.
        let case_insensitive = !query.match_case && (fold.is_none() || query.mode == Mode::Regex);
        let regex = RegexBuilder::new(&pattern)
            .case_insensitive(case_insensitive)
            .build()
            .map_err(|e| SearchError::from_regex(&e))?;
        Ok(Self {
            regex,
            fold,
            word_start,
            word_end,
        })
    }

    /// A matcher of `text` exactly as it is (case and accents matter), required to start where a
    /// word starts when `word_start` and to end where a word ends when `word_end`.
    pub fn exact(text: &str, word_start: bool, word_end: bool) -> Result<Self, SearchError> {
        if text.is_empty() {
            return Err(SearchError::Empty);
        }
        let regex = Regex::new(&regex::escape(text)).map_err(|e| SearchError::from_regex(&e))?;
        Ok(Self {
            regex,
            fold: None,
            word_start,
            word_end,
        })
    }

    /// The hits in `text` (raw text: BOM, CRLF kept): sorted, non-overlapping, non-empty ranges
    /// on char boundaries of `text`.
    pub fn find(&self, text: &str) -> Vec<ByteRange> {
        match self.fold {
            // Folding an ASCII text without lowercasing it changes nothing.
            Some(fold) if fold.lowercase || !text.is_ascii() => {
                let folded = Folded::new(text, fold.lowercase);
                let mut hits: Vec<ByteRange> = Vec::new();
                for range in self.find_in(&folded.text) {
                    let raw =
                        ByteRange::new(folded.raw_start(range.start), folded.raw_end(range.end));
                    // Two hits inside one folded character ("o" and "e" of "œ") are one raw hit.
                    if hits.last().is_none_or(|last| last.end <= raw.start) && !raw.is_empty() {
                        hits.push(raw);
                    }
                }
                hits
            }
            _ => self.find_in(text),
        }
    }

    /// The non-empty matches of the regex in `haystack` that pass the word tests.
    fn find_in(&self, haystack: &str) -> Vec<ByteRange> {
        let mut hits = Vec::new();
        let mut at = 0;
        while let Some(found) = self.regex.find_at(haystack, at) {
            let range = ByteRange::new(found.start(), found.end());
            if !range.is_empty() && self.on_word_edges(haystack, range) {
                hits.push(range);
                at = range.end;
            } else {
                // An empty match, or one that is not a whole word: look again one character on
                // (a whole word may start inside a rejected match: "a a" in "ba a a").
                let step = haystack
                    .get(range.start..)
                    .and_then(|rest| rest.chars().next())
                    .map_or(1, char::len_utf8);
                at = range.start + step;
            }
            if at > haystack.len() {
                break;
            }
        }
        hits
    }

    fn on_word_edges(&self, haystack: &str, range: ByteRange) -> bool {
        let before = || {
            haystack
                .get(..range.start)
                .and_then(|s| s.chars().next_back())
        };
        let after = || haystack.get(range.end..).and_then(|s| s.chars().next());
        (!self.word_start || !before().is_some_and(is_word_char))
            && (!self.word_end || !after().is_some_and(is_word_char))
    }
}

/// A word character, as the regex crate's Unicode `\w` has it: letters, digits, marks and the
/// connector punctuation.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || is_combining_mark(c)
        || matches!(c, '_' | '\u{203f}' | '\u{2040}' | '\u{200c}' | '\u{200d}')
}

/// Pushes `c` folded: its canonical decomposition without combining marks, lowercased when
/// `lowercase`, with the letters that do not decompose but read as two (`œ`, `æ`, `ß`, the `fi`
/// ligatures) spelled out and typographic apostrophes as `'`.
fn push_folded(c: char, lowercase: bool, out: &mut String) {
    let special = match c {
        'œ' => Some("oe"),
        'Œ' => Some(if lowercase { "oe" } else { "OE" }),
        'æ' => Some("ae"),
        'Æ' => Some(if lowercase { "ae" } else { "AE" }),
        'ß' => Some("ss"),
        'ẞ' => Some(if lowercase { "ss" } else { "SS" }),
        'ø' => Some("o"),
        'Ø' => Some(if lowercase { "o" } else { "O" }),
        'ł' => Some("l"),
        'Ł' => Some(if lowercase { "l" } else { "L" }),
        'đ' => Some("d"),
        'Đ' => Some(if lowercase { "d" } else { "D" }),
        '’' | '‘' | 'ʼ' => Some("'"),
        'ﬀ' => Some("ff"),
        'ﬁ' => Some("fi"),
        'ﬂ' => Some("fl"),
        'ﬃ' => Some("ffi"),
        'ﬄ' => Some("ffl"),
        'ﬅ' | 'ﬆ' => Some("st"),
        _ => None,
    };
    if let Some(special) = special {
        out.push_str(special);
        return;
    }
    decompose_canonical(c, |d| {
        if is_combining_mark(d) {
            return;
        }
        if lowercase {
            // Lowercasing may bring a mark back ("İ" is "i" and a dot above).
            out.extend(d.to_lowercase().filter(|&l| !is_combining_mark(l)));
        } else {
            out.push(d);
        }
    });
}

/// `text` folded character by character, as texts are.
fn fold_str(text: &str, lowercase: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(if lowercase { c.to_ascii_lowercase() } else { c });
        } else {
            push_folded(c, lowercase, &mut out);
        }
    }
    out
}

/// A regular expression with the accents of its non-ASCII letters taken off ("État" becomes
/// "Etat"), everything else as it is: its case stays (the regex is told to ignore case), and
/// escapes and classes are left alone but for their letters (`[é-ë]` becomes `[e-e]`).
fn fold_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        if c.is_ascii() || !(c.is_alphabetic() || is_combining_mark(c) || matches!(c, '’' | '‘'))
        {
            out.push(c);
        } else {
            push_folded(c, false, &mut out);
        }
    }
    out
}

/// Where a non-ASCII character of the raw text went in the folded text: its bytes
/// `raw..raw_end` became `folded..folded_end` (empty for a dropped mark). Between two of these,
/// the text is ASCII, byte for byte.
#[derive(Clone, Copy, Debug)]
struct Moved {
    folded: usize,
    folded_end: usize,
    raw: usize,
    raw_end: usize,
}

/// A folded text and the way back to the raw one.
struct Folded {
    text: String,
    /// One entry per non-ASCII character of the raw text, in order.
    moved: Vec<Moved>,
}

impl Folded {
    fn new(raw: &str, lowercase: bool) -> Self {
        let mut text = String::with_capacity(raw.len());
        let mut moved = Vec::new();
        let mut rest = raw;
        let mut at = 0;
        while !rest.is_empty() {
            // A run of ASCII, copied at once.
            let ascii = rest
                .bytes()
                .position(|b| !b.is_ascii())
                .unwrap_or(rest.len());
            let (run, tail) = rest.split_at_checked(ascii).unwrap_or((rest, ""));
            if !run.is_empty() {
                let start = text.len();
                text.push_str(run);
                if lowercase && let Some(copied) = text.get_mut(start..) {
                    copied.make_ascii_lowercase();
                }
            }
            at += run.len();
            let mut chars = tail.chars();
            let Some(c) = chars.next() else {
                break;
            };
            let folded = text.len();
            push_folded(c, lowercase, &mut text);
            moved.push(Moved {
                folded,
                folded_end: text.len(),
                raw: at,
                raw_end: at + c.len_utf8(),
            });
            at += c.len_utf8();
            rest = chars.as_str();
        }
        Self { text, moved }
    }

    /// The raw offset where a hit starting at folded offset `offset` starts: the start of the
    /// raw character it falls in, after the marks dropped just before it.
    fn raw_start(&self, offset: usize) -> usize {
        let after = self.moved.partition_point(|m| m.folded_end <= offset);
        if let Some(m) = self.moved.get(after)
            && m.folded <= offset
        {
            return m.raw;
        }
        match after.checked_sub(1).and_then(|i| self.moved.get(i)) {
            Some(m) => m.raw_end + (offset - m.folded_end),
            None => offset,
        }
    }

    /// The raw offset where a hit ending at folded offset `offset` ends: the end of the raw
    /// character its last byte came from, and of the marks dropped right after it.
    fn raw_end(&self, offset: usize) -> usize {
        // Entries before `offset`, and the dropped marks at it (they come first among the
        // entries that start there).
        let upto = self.moved.partition_point(|m| {
            m.folded < offset || (m.folded == offset && m.folded_end == offset)
        });
        match upto.checked_sub(1).and_then(|i| self.moved.get(i)) {
            Some(m) if offset < m.folded_end => {
                // Inside a folded character: all of it, and the marks dropped after it.
                self.moved
                    .get(upto..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|next| {
                        next.folded == m.folded_end && next.folded_end == m.folded_end
                    })
                    .last()
                    .map_or(m.raw_end, |mark| mark.raw_end)
            }
            Some(m) => m.raw_end + (offset - m.folded_end),
            None => offset,
        }
    }
}

/// How far a search has gone, in documents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Documents searched.
    pub done: usize,
    /// Documents to search.
    pub total: usize,
}

/// Bytes of text in the first chunk of documents: small, so that the first hits show at once.
const FIRST_CHUNK_BYTES: usize = 256 * 1024;
/// Bytes of text in a chunk at most: the chunks double up to this.
const MAX_CHUNK_BYTES: usize = 4 * 1024 * 1024;

/// Searches texts in order, calling `on_hits` per chunk of documents as they finish (first
/// results fast), stops early when `cancel` is set.
///
/// Each text comes with its document's index, which its hits carry. The documents of a chunk
/// are searched on all cores; the chunks start small and double, so that the first call comes
/// after a quarter of a megabyte and the calls cost nothing next to the search. `on_hits` is
/// called for every chunk, with or without hits, its hits sorted; after the last one
/// `Progress::done` is `Progress::total`, unless the search was cancelled.
pub fn search_documents(
    texts: &[(usize, Arc<str>)],
    matcher: &Matcher,
    cancel: &AtomicBool,
    mut on_hits: impl FnMut(Vec<Hit>, Progress),
) {
    let total = texts.len();
    let mut done = 0;
    let mut budget = FIRST_CHUNK_BYTES;
    let mut rest = texts;
    while !rest.is_empty() {
        if cancel.load(Ordering::Relaxed) {
            return;
        }
        let mut size = 0;
        let count = rest
            .iter()
            .take_while(|(_, text)| {
                let take = size < budget;
                size += text.len();
                take
            })
            .count()
            .max(1);
        let (chunk, tail) = rest.split_at_checked(count).unwrap_or((rest, &[]));
        let found: Vec<_> = chunk
            .par_iter()
            .map(|(doc, text)| {
                if cancel.load(Ordering::Relaxed) {
                    return Vec::new();
                }
                matcher
                    .find(text)
                    .into_iter()
                    .map(|range| Hit { doc: *doc, range })
                    .collect::<Vec<Hit>>()
            })
            .collect();
        if cancel.load(Ordering::Relaxed) {
            return;
        }
        let mut hits: Vec<Hit> = found.into_iter().flatten().collect();
        hits.sort_unstable();
        done += chunk.len();
        on_hits(hits, Progress { done, total });
        rest = tail;
        budget = (budget * 2).min(MAX_CHUNK_BYTES);
    }
}

/// A search on its own thread (`std::thread` and `mpsc`): for the app, never blocks the caller;
/// cancelled on drop.
pub struct Search {
    receiver: mpsc::Receiver<(Vec<Hit>, Progress)>,
    cancel: Arc<AtomicBool>,
    progress: Progress,
    finished: bool,
}

impl Search {
    /// Starts searching `texts` (document index and text) with `matcher`.
    pub fn start(texts: Vec<(usize, Arc<str>)>, matcher: Matcher) -> Self {
        let (sender, receiver) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let progress = Progress {
            done: 0,
            total: texts.len(),
        };
        let flag = Arc::clone(&cancel);
        let work = move || {
            search_documents(&texts, &matcher, &flag, |hits, progress| {
                // The receiver gone means nobody wants the hits any more.
                if sender.send((hits, progress)).is_err() {
                    flag.store(true, Ordering::Relaxed);
                }
            });
        };
        // The work is shared with the fallback below through an Option, taken once.
        let work = Arc::new(std::sync::Mutex::new(Some(work)));
        let on_thread = Arc::clone(&work);
        let spawned = std::thread::Builder::new()
            .name("search".into())
            .spawn(move || {
                let work = on_thread.lock().ok().and_then(|mut w| w.take());
                if let Some(work) = work {
                    work();
                }
            });
        if spawned.is_err() {
            // No thread to be had: search here rather than find nothing.
            let work = work.lock().ok().and_then(|mut w| w.take());
            if let Some(work) = work {
                work();
            }
        }
        Self {
            receiver,
            cancel,
            progress,
            finished: false,
        }
    }

    /// Hits found since the last call, progress so far, and whether the search has finished.
    pub fn poll(&mut self) -> (Vec<Hit>, Progress, bool) {
        let mut hits = Vec::new();
        loop {
            match self.receiver.try_recv() {
                Ok((found, progress)) => {
                    hits.extend(found);
                    self.progress = progress;
                }
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.finished = true;
                    break;
                }
            }
        }
        (hits, self.progress, self.finished)
    }

    /// Stops the search: no hits come after those already sent (at most one chunk's).
    pub fn cancel(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

impl Drop for Search {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// A hit in its line, for a list of results.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// Up to `width` characters before the hit.
    pub before: String,
    /// The hit.
    pub hit: String,
    /// Up to `width` characters after the hit.
    pub after: String,
}

/// The hit and up to `width` chars either side, on one line (newlines and tabs shown as
/// spaces), cut at char boundaries.
///
/// A range that does not fit `text` is clamped to it (and widened to char boundaries). Other
/// control characters show as spaces too, and a byte order mark is left out.
pub fn context(text: &str, range: ByteRange, width: usize) -> Context {
    let start = floor_char_boundary(text, range.start);
    let end = ceil_char_boundary(text, range.end.max(start));
    let one_line = |c: char| match c {
        '\u{feff}' => None,
        c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => Some(' '),
        c => Some(c),
    };
    let mut before: Vec<char> = text
        .get(..start)
        .unwrap_or_default()
        .chars()
        .rev()
        .take(width)
        .filter_map(one_line)
        .collect();
    before.reverse();
    Context {
        before: before.into_iter().collect(),
        hit: text
            .get(start..end)
            .unwrap_or_default()
            .chars()
            .filter_map(one_line)
            .collect(),
        after: text
            .get(end..)
            .unwrap_or_default()
            .chars()
            .take(width)
            .filter_map(one_line)
            .collect(),
    }
}

/// The smallest char boundary of `text` at or after `offset` (clamped to the text).
fn ceil_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn query(text: &str, mode: Mode) -> Query {
        Query {
            text: text.into(),
            mode,
            ..Query::default()
        }
    }

    /// The texts of the hits of `q` in `text`.
    fn found<'a>(q: &Query, text: &'a str) -> Vec<&'a str> {
        let matcher = Matcher::new(q).unwrap();
        matcher
            .find(text)
            .into_iter()
            .map(|r| r.slice(text))
            .collect()
    }

    #[test]
    fn i_etat_finds_every_spelling_of_etat_and_only_words_when_asked() {
        let text = "\u{feff}L'État, l'Etat et l'état.\r\nÉTAT e\u{301}tat étatique";
        let plain = query("etat", Mode::Plain);
        assert_eq!(
            found(&plain, text),
            vec!["État", "Etat", "état", "ÉTAT", "e\u{301}tat", "état"]
        );
        // The query's own case and accents do not matter either.
        assert_eq!(found(&query("ÉTAT", Mode::Plain), text).len(), 6);
        let whole = query("etat", Mode::WholeWord);
        assert_eq!(
            found(&whole, text),
            vec!["État", "Etat", "état", "ÉTAT", "e\u{301}tat"]
        );
        // Accents that matter: only the spellings with the same accents, any case.
        let accents = Query {
            match_accents: true,
            ..query("état", Mode::Plain)
        };
        assert_eq!(found(&accents, text), vec!["État", "état", "ÉTAT", "état"]);
        // Case that matters, accents not.
        let case = Query {
            match_case: true,
            ..query("Etat", Mode::Plain)
        };
        assert_eq!(found(&case, text), vec!["État", "Etat"]);
        // Both matter: the raw text, exactly.
        let exact = Query {
            match_case: true,
            match_accents: true,
            ..query("état", Mode::Plain)
        };
        assert_eq!(found(&exact, text), vec!["état", "état"]);
    }

    #[test]
    fn i_hit_offsets_are_exact_in_the_raw_text_with_bom_crlf_and_marks() {
        let text = "\u{feff}a\r\ncafe\u{301}\u{301} Œuvre 😀 cœur";
        let matcher = Matcher::new(&query("cafe", Mode::Plain)).unwrap();
        let start = text.find("cafe").unwrap();
        // The marks after the last letter belong to the hit.
        assert_eq!(
            matcher.find(text),
            vec![ByteRange::new(start, start + "cafe\u{301}\u{301}".len())]
        );
        // "oe" finds the ligature, whole.
        assert_eq!(found(&query("oeuvre", Mode::Plain), text), vec!["Œuvre"]);
        assert_eq!(found(&query("coeur", Mode::Plain), text), vec!["cœur"]);
        // A hit ending inside a folded character covers the whole character; the "e" that
        // follows it inside the same character is not found twice.
        assert_eq!(found(&query("co", Mode::Plain), text), vec!["cœ"]);
        assert_eq!(found(&query("o", Mode::Plain), text), vec!["Œ", "œ"]);
        // Emoji are searched as they are.
        assert_eq!(found(&query("😀 c", Mode::Plain), text), vec!["😀 c"]);
        // A query's marks are dropped as the text's are, and a hit never starts on a dropped
        // mark: here it starts on the space after them.
        assert_eq!(found(&query("\u{301} œ", Mode::Plain), text), vec![" Œ"]);
    }

    #[test]
    fn i_arabic_and_hebrew_are_found_with_and_without_their_vowel_marks() {
        // Arabic with harakat, Hebrew with niqqud: ignoring accents ignores the marks.
        let text = "قَالَ الرئيس: שָׁלוֹם עולם";
        assert_eq!(found(&query("قال", Mode::Plain), text), vec!["قَالَ"]);
        assert_eq!(found(&query("שלום", Mode::WholeWord), text), vec!["שָׁלוֹם"]);
        let exact = Query {
            match_accents: true,
            ..query("قال", Mode::Plain)
        };
        assert!(found(&exact, text).is_empty());
        assert_eq!(
            found(&query("الرئيس", Mode::WholeWord), text),
            vec!["الرئيس"]
        );
    }

    #[test]
    fn i_whole_words_need_boundaries_only_at_word_edges_of_the_query() {
        let text = "« le ministre » a dit le ministère, ba a a";
        assert_eq!(
            found(&query("ministre", Mode::WholeWord), text),
            vec!["ministre"]
        );
        // The quote is not a word character: no boundary is needed before it.
        assert_eq!(found(&query("« le", Mode::WholeWord), text), vec!["« le"]);
        // A whole word may start inside a match that was not one.
        assert_eq!(found(&query("a a", Mode::WholeWord), text), vec!["a a"]);
        let exact = Matcher::exact("le", true, true).unwrap();
        assert_eq!(exact.find(text).len(), 2);
    }

    #[test]
    fn i_regexes_keep_their_classes_and_ignore_case_and_accents() {
        let text = "Le 12 mai, l'État a versé 3 500 €. ÉTATS-UNIS";
        let q = query(r"\d+", Mode::Regex);
        assert_eq!(found(&q, text), vec!["12", "3", "500"]);
        // `\D` stays "not a digit" when the case does not matter.
        let q = query(r"\D\d", Mode::Regex);
        assert_eq!(found(&q, text), vec![" 1", " 3", " 5"]);
        // Accented letters of the pattern lose their accents; the case is ignored.
        let q = query(r"état(s)?\b", Mode::Regex);
        assert_eq!(found(&q, text), vec!["État", "ÉTATS"]);
        // Empty matches are skipped.
        let q = query(r"x*", Mode::Regex);
        assert!(found(&q, text).is_empty());
        let q = Query {
            match_case: true,
            match_accents: true,
            ..query(r"[A-Z]\w+", Mode::Regex)
        };
        // The raw text: "É" is not in `[A-Z]`.
        assert_eq!(found(&q, text), vec!["Le", "TATS", "UNIS"]);
    }

    #[test]
    fn i_a_matcher_and_a_search_can_go_to_other_threads() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<Matcher>();
        send::<Search>();
    }

    #[test]
    fn i_regex_errors_say_what_is_wrong_in_a_few_words() {
        let error = Matcher::new(&query("(abc", Mode::Regex)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "This is not a valid regular expression: unclosed group"
        );
        let SearchError::BadRegex { detail, .. } = &error else {
            panic!("{error:?}")
        };
        assert!(detail.contains("(abc"), "{detail}");
        let error = Matcher::new(&query("a{5", Mode::Regex)).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("This is not a valid regular expression: ")
        );
        assert!(matches!(
            Matcher::new(&query("", Mode::Plain)),
            Err(SearchError::Empty)
        ));
        assert!(matches!(
            Matcher::new(&query("\u{301}", Mode::Plain)),
            Err(SearchError::OnlyAccents)
        ));
        // In a regex, a `(` typed as a plain search is only a parenthesis.
        assert_eq!(found(&query("(abc", Mode::Plain), "x (abc)"), vec!["(abc"]);
    }

    #[test]
    fn i_folding_spells_out_ligatures_and_apostrophes() {
        let text = "L’œil de l‘Æther, la Straße, ﬁnal, Ørsted";
        assert_eq!(found(&query("l'oeil", Mode::Plain), text), vec!["L’œil"]);
        assert_eq!(
            found(&query("l'aether", Mode::Plain), text),
            vec!["l‘Æther"]
        );
        assert_eq!(found(&query("strasse", Mode::Plain), text), vec!["Straße"]);
        assert_eq!(found(&query("final", Mode::WholeWord), text), vec!["ﬁnal"]);
        assert_eq!(found(&query("orsted", Mode::Plain), text), vec!["Ørsted"]);
    }

    #[test]
    fn i_the_context_is_one_line_cut_at_char_boundaries() {
        let text = "\u{feff}Première ligne\r\n\tÉtat 😀 après\nfin";
        let start = text.find("État").unwrap();
        let range = ByteRange::new(start, start + "État".len());
        let context = context(text, range, 6);
        // "\r\n\t" are three spaces.
        assert_eq!(context.before, "gne   ");
        assert_eq!(context.hit, "État");
        assert_eq!(context.after, " 😀 apr");
        // A range off the text is clamped to it.
        let off = super::context(text, ByteRange::new(2, 1000), 3);
        assert_eq!(off.before, "");
        assert!(off.hit.ends_with("fin"));
    }

    #[test]
    fn i_a_search_reports_hits_in_document_order_and_can_be_cancelled() {
        let texts: Vec<(usize, Arc<str>)> = (0..300)
            .map(|i| (i * 2, Arc::from(format!("doc {i}: l'État ").repeat(2000))))
            .collect();
        let matcher = Matcher::new(&query("etat", Mode::Plain)).unwrap();
        let mut calls = 0;
        let mut all = Vec::new();
        let mut last = Progress::default();
        search_documents(
            &texts,
            &matcher,
            &AtomicBool::new(false),
            |hits, progress| {
                calls += 1;
                all.extend(hits);
                assert!(progress.done > last.done);
                last = progress;
            },
        );
        assert!(calls > 1, "one chunk only");
        assert_eq!(
            last,
            Progress {
                done: 300,
                total: 300
            }
        );
        assert_eq!(all.len(), 300 * 2000);
        assert!(all.is_sorted());
        assert_eq!(all.last().unwrap().doc, 598);
        // Through a thread: the same hits.
        let mut search = Search::start(texts.clone(), matcher.clone());
        let mut threaded = Vec::new();
        loop {
            let (hits, progress, finished) = search.poll();
            threaded.extend(hits);
            if finished {
                assert_eq!(progress.done, 300);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert_eq!(threaded, all);
        // Cancelled before it starts: nothing, and it finishes.
        let cancel = AtomicBool::new(true);
        let mut nothing = true;
        search_documents(&texts, &matcher, &cancel, |_, _| nothing = false);
        assert!(nothing);
        let mut search = Search::start(texts, matcher);
        search.cancel();
        let started = std::time::Instant::now();
        while !search.poll().2 {
            assert!(
                started.elapsed().as_secs() < 60,
                "a cancelled search never ended"
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// Text of letters with and without accents, marks, ligatures, emoji, CRLF, BOM, Arabic.
    fn hard_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("e"),
                Just("E"),
                Just("é"),
                Just("É"),
                Just("t"),
                Just("a"),
                Just("T"),
                Just("\u{301}"),
                Just("\u{327}"),
                Just("œ"),
                Just("oe"),
                Just("ß"),
                Just("s"),
                Just("😀"),
                Just("\r\n"),
                Just(" "),
                Just("\u{feff}"),
                Just("قَ"),
                Just("İ"),
                Just("ﬁ"),
                Just("’"),
                Just("'"),
                Just("K"),
                Just("\u{212a}"),
                Just("ǅ"),
            ],
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    fn hard_query() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("e"),
                Just("é"),
                Just("t"),
                Just("a"),
                Just("T"),
                Just("o"),
                Just("s"),
                Just("ss"),
                Just("œ"),
                Just(" "),
                Just("😀"),
                Just("'"),
                Just("i"),
                Just("k"),
                Just("f"),
            ],
            1..4,
        )
        .prop_map(|parts| parts.concat())
    }

    /// What a naive search finds: every raw character folded on its own, each folded byte
    /// knowing the character it came from, the folded query looked for in their concatenation;
    /// a hit covers the characters its bytes came from and the dropped marks after them, and a
    /// hit that overlaps the one before it is left out.
    fn naive(text: &str, q: &str, lowercase: bool) -> Vec<(usize, usize)> {
        let needle = fold_str(q, lowercase);
        let chars: Vec<(usize, String)> = text
            .char_indices()
            .map(|(i, c)| (i, fold_str(&c.to_string(), lowercase)))
            .collect();
        let mut folded = String::new();
        let mut owner = Vec::new();
        for (index, (_, fold)) in chars.iter().enumerate() {
            folded.push_str(fold);
            owner.extend(std::iter::repeat_n(index, fold.len()));
        }
        let mut found: Vec<(usize, usize)> = Vec::new();
        for (at, _) in folded.match_indices(&needle) {
            let first = owner[at];
            let mut next = owner[at + needle.len() - 1] + 1;
            while next < chars.len() && chars[next].1.is_empty() {
                next += 1;
            }
            let end = chars.get(next).map_or(text.len(), |c| c.0);
            let start = chars[first].0;
            if found.last().is_none_or(|last| last.1 <= start) {
                found.push((start, end));
            }
        }
        found
    }

    proptest! {
        #[test]
        fn i_hits_are_sorted_disjoint_on_char_boundaries(
            text in hard_text(),
            q in hard_query(),
            mode in prop_oneof![Just(Mode::Plain), Just(Mode::WholeWord), Just(Mode::Regex)],
            match_case: bool,
            match_accents: bool,
        ) {
            let query = Query { text: q, mode, match_case, match_accents };
            let Ok(matcher) = Matcher::new(&query) else { return Ok(()); };
            let hits = matcher.find(&text);
            for hit in &hits {
                prop_assert!(hit.check(&text).is_ok(), "{hit:?}");
            }
            for pair in hits.windows(2) {
                prop_assert!(pair[0].end <= pair[1].start, "{hits:?}");
            }
        }

        #[test]
        fn i_ignoring_accents_finds_what_a_search_over_folded_characters_finds(
            text in hard_text(),
            q in hard_query(),
            match_case: bool,
        ) {
            let query = Query { text: q.clone(), mode: Mode::Plain, match_case, match_accents: false };
            let Ok(matcher) = Matcher::new(&query) else { return Ok(()); };
            let hits: Vec<(usize, usize)> =
                matcher.find(&text).into_iter().map(|r| (r.start, r.end)).collect();
            prop_assert_eq!(hits, naive(&text, &q, !match_case));
        }
    }
}
