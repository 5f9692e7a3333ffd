//! Text helpers the suggesters share: lines, trimming, word edges, sentences and quotations.
//!
//! Everything works on byte offsets of the raw text (BOM and CRLF kept) and returns ranges on
//! char boundaries; nothing here slices with a panicking index.

use crate::text::ByteRange;

/// White space for trimming: Unicode white space and the byte order mark.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// `range` without white space (or a BOM) at either end; `None` when nothing is left.
pub(crate) fn trim(text: &str, range: ByteRange) -> Option<ByteRange> {
    let slice = text.get(range.as_range())?;
    let after_start = slice.trim_start_matches(is_space);
    let start = range.start + (slice.len() - after_start.len());
    let kept = after_start.trim_end_matches(is_space);
    let end = start + kept.len();
    (end > start).then(|| ByteRange::new(start, end))
}

/// The lines of `text` (without their `\n`), trimmed, empty ones left out.
pub(crate) fn lines(text: &str) -> Vec<ByteRange> {
    let mut found = Vec::new();
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        if byte == b'\n' {
            if let Some(line) = trim(text, ByteRange::new(start, i)) {
                found.push(line);
            }
            start = i + 1;
        }
    }
    if let Some(line) = trim(text, ByteRange::new(start, text.len())) {
        found.push(line);
    }
    found
}

/// True for the characters of a word (letters, digits, combining marks).
///
/// The common cases first: `char::is_alphanumeric` looks every non-ASCII character up in
/// Unicode's tables, and the suggesters ask for every character of the corpus.
pub(crate) fn is_word_char(c: char) -> bool {
    match c {
        // ASCII letters and digits, combining marks.
        'a'..='z' | 'A'..='Z' | '0'..='9' | '\u{300}'..='\u{36f}' => true,
        // The rest of ASCII; general punctuation: spaces, dashes, curly quotes, ellipsis.
        '\0'..='\x7f' | '\u{2000}'..='\u{206f}' => false,
        // Accented Latin letters (Latin-1, Extended-A and B), but × and ÷.
        '\u{c0}'..='\u{24f}' => c != '×' && c != '÷',
        _ => c.is_alphanumeric(),
    }
}

/// True when no word character touches `range` on either side: the range is a whole word or
/// words.
pub(crate) fn whole_words(text: &str, range: ByteRange) -> bool {
    let before = text
        .get(..range.start)
        .and_then(|t| t.chars().next_back())
        .is_none_or(|c| !is_word_char(c));
    let after = text
        .get(range.end..)
        .and_then(|t| t.chars().next())
        .is_none_or(|c| !is_word_char(c));
    before && after
}

/// How many words (runs of word characters) `slice` holds.
pub(crate) fn word_count(slice: &str) -> usize {
    let mut count = 0;
    let mut inside = false;
    for c in slice.chars() {
        let word = is_word_char(c);
        if word && !inside {
            count += 1;
        }
        inside = word;
    }
    count
}

/// The kinds of quotation marks the suggesters know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Marks {
    /// « … » (French).
    Guillemets,
    /// “ … ” (English, and French typeset by some outlets).
    Curly,
    /// " … " (straight).
    Straight,
}

impl Marks {
    /// The rule name of a quote with these marks.
    pub(crate) const fn rule(self) -> &'static str {
        match self {
            Self::Guillemets => "quote « »",
            Self::Curly => "quote “ ”",
            Self::Straight => "quote \" \"",
        }
    }
}

/// A quotation: its range with the marks included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Quote {
    /// From the opening mark to the end of the closing one.
    pub(crate) range: ByteRange,
    /// Which marks.
    pub(crate) marks: Marks,
}

/// The outermost quotations of `line` (a range of `text`), in order. « » and “ ” nest; straight
/// quotes pair in order. An opening mark left unclosed at the end of the line opens nothing.
pub(crate) fn quotes(text: &str, line: ByteRange) -> Vec<Quote> {
    let Some(slice) = text.get(line.as_range()) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    // The outermost open quote: where it starts, its marks, the nesting depth.
    let mut open: Option<(usize, Marks, usize)> = None;
    for (i, c) in slice.char_indices() {
        let at = line.start + i;
        let end = at + c.len_utf8();
        match (c, open) {
            ('«', None) => open = Some((at, Marks::Guillemets, 1)),
            ('“', None) => open = Some((at, Marks::Curly, 1)),
            ('"', None) => open = Some((at, Marks::Straight, 1)),
            ('«', Some((start, Marks::Guillemets, depth))) => {
                open = Some((start, Marks::Guillemets, depth + 1));
            }
            ('“', Some((start, Marks::Curly, depth))) => {
                open = Some((start, Marks::Curly, depth + 1));
            }
            ('»', Some((start, Marks::Guillemets, depth)))
            | ('”', Some((start, Marks::Curly, depth)))
            | ('"', Some((start, Marks::Straight, depth))) => {
                if depth <= 1 {
                    found.push(Quote {
                        range: ByteRange::new(start, end),
                        marks: open.map_or(Marks::Straight, |(_, m, _)| m),
                    });
                    open = None;
                } else {
                    open = open.map(|(s, m, d)| (s, m, d - 1));
                }
            }
            _ => {}
        }
    }
    found
}

/// Abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS: [&str; 16] = [
    "M", "MM", "Mme", "Mmes", "Mlle", "Dr", "Pr", "Me", "St", "Mr", "Mrs", "Ms", "Jr", "Sr", "No",
    "etc",
];

/// The sentences of `line` (a range of `text`), trimmed. A sentence ends at `.`, `!`, `?` or `…`
/// (with the closing marks after it) followed by white space and a capital, a digit, a quotation
/// mark or a dash; never inside a quotation of `quotes`, nor after a title (`M.`) or an initial.
pub(crate) fn sentences(text: &str, line: ByteRange, quotes: &[Quote]) -> Vec<ByteRange> {
    let Some(slice) = text.get(line.as_range()) else {
        return Vec::new();
    };
    let inside_quote = |at: usize| {
        quotes
            .iter()
            .any(|q| q.range.start < at && at < q.range.end)
    };
    let mut found = Vec::new();
    let mut start = line.start;
    let mut chars = slice.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !matches!(c, '.' | '!' | '?' | '…') {
            continue;
        }
        let mut end = line.start + i + c.len_utf8();
        // Closing marks and further stops belong to this sentence.
        while let Some(&(j, next)) = chars.peek() {
            if matches!(next, '.' | '!' | '?' | '…' | '»' | '”' | '"' | ')' | '’') {
                end = line.start + j + next.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let rest = text.get(end..line.end).unwrap_or("");
        let after_space = rest.trim_start_matches(is_space);
        if after_space.len() == rest.len() && !rest.is_empty() {
            continue;
        }
        let next = after_space.chars().next();
        let starts_sentence = next.is_none_or(|n| {
            n.is_uppercase() || n.is_ascii_digit() || matches!(n, '«' | '“' | '"' | '—' | '–' | '-')
        });
        if !starts_sentence || inside_quote(line.start + i) {
            continue;
        }
        if c == '.' {
            let before = text.get(start..line.start + i).unwrap_or("");
            let word_start = before
                .char_indices()
                .rev()
                .find(|&(_, ch)| !is_word_char(ch))
                .map_or(0, |(k, ch)| k + ch.len_utf8());
            let word = before.get(word_start..).unwrap_or("");
            let initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
            if initial || ABBREVIATIONS.contains(&word) {
                continue;
            }
        }
        if let Some(sentence) = trim(text, ByteRange::new(start, end)) {
            found.push(sentence);
        }
        start = end;
    }
    if let Some(sentence) = trim(text, ByteRange::new(start, line.end)) {
        found.push(sentence);
    }
    found
}

/// The item of `ranges` (sorted, disjoint) that contains `offset`.
pub(crate) fn containing(ranges: &[ByteRange], offset: usize) -> Option<ByteRange> {
    let after = ranges.partition_point(|r| r.start <= offset);
    let candidate = ranges.get(after.checked_sub(1)?)?;
    (offset < candidate.end).then_some(*candidate)
}

/// The lowercase of `slice` with runs of white space made one space, trimmed.
pub(crate) fn normalise(slice: &str) -> String {
    let mut out = String::with_capacity(slice.len());
    let mut space = false;
    for c in slice.chars() {
        if is_space(c) {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slices<'t>(text: &'t str, ranges: &[ByteRange]) -> Vec<&'t str> {
        ranges.iter().map(|r| r.slice(text)).collect()
    }

    #[test]
    fn i_lines_are_trimmed_of_crlf_bom_and_blanks() {
        let text = "\u{feff}Titre\r\n\r\n  Corps du texte  \r\nfin";
        assert_eq!(
            slices(text, &lines(text)),
            ["Titre", "Corps du texte", "fin"]
        );
    }

    #[test]
    fn i_quotes_nest_and_pair() {
        let text = "Il a dit « non, « jamais » » puis \"oui\" et “peut-être” « ouvert";
        let line = ByteRange::new(0, text.len());
        let found: Vec<&str> = quotes(text, line)
            .iter()
            .map(|q| q.range.slice(text))
            .collect();
        assert_eq!(found, ["« non, « jamais » »", "\"oui\"", "“peut-être”"]);
    }

    #[test]
    fn i_sentences_skip_titles_initials_and_quotes() {
        let text = "M. Poutine est arrivé. « Merci. À bientôt », a-t-il dit. J. Smith a ri. Fin";
        let line = ByteRange::new(0, text.len());
        let q = quotes(text, line);
        assert_eq!(
            slices(text, &sentences(text, line, &q)),
            [
                "M. Poutine est arrivé.",
                "« Merci. À bientôt », a-t-il dit.",
                "J. Smith a ri.",
                "Fin"
            ]
        );
    }

    #[test]
    fn i_word_characters_are_letters_digits_and_combining_marks_for_every_char() {
        // The fast paths of `is_word_char` agree with the definition on every character.
        for c in (0..=0x10_ffff).filter_map(char::from_u32) {
            let slow = c.is_alphanumeric() || matches!(c, '\u{300}'..='\u{36f}');
            assert_eq!(is_word_char(c), slow, "{c:?} U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn i_whole_words_look_at_accented_neighbours() {
        let text = "éPoutine Poutine";
        assert!(!whole_words(text, ByteRange::new(2, 9)));
        assert!(whole_words(text, ByteRange::new(10, 17)));
        assert_eq!(word_count("l'armée nord-coréenne, 2024"), 5);
        assert_eq!(normalise("  Lire   AUSSI\t: "), "lire aussi :");
    }
}
