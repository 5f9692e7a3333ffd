//! Caret motions and selections grown from the keyboard, on a document's text: the next character
//! (grapheme cluster) or word, a line's ends, the sentence at an offset, and the clause or quote
//! around a range.
//!
//! Every offset given and returned is a byte offset on a char boundary (offsets inside a character
//! are first moved back to its start). Each function looks only at a window of the text around the
//! offset ([`WINDOW`] bytes at most on each side, the line it is in for sentences and clauses), so
//! it costs the same on a 3 MB novel as on a dispatch.

use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation as _};

use super::{ByteRange, floor_char_boundary, trim_range};

/// How far (bytes) a motion looks on each side of its offset: a word, a sentence or a clause
/// longer than this is cut at the window's edge.
pub const WINDOW: usize = 16 * 1024;

/// Quote marks and brackets that open a pair, with the mark that closes it.
const PAIRS: [(char, char); 6] = [
    ('«', '»'),
    ('“', '”'),
    ('„', '“'),
    ('(', ')'),
    ('[', ']'),
    ('"', '"'),
];

/// What ends a clause inside a sentence.
fn is_clause_mark(c: char) -> bool {
    matches!(c, ',' | ';' | ':' | '—' | '–' | '…')
}

fn opening(c: char) -> Option<char> {
    PAIRS.iter().find(|(o, _)| *o == c).map(|(_, close)| *close)
}

fn closing(c: char) -> Option<char> {
    PAIRS.iter().find(|(_, close)| *close == c).map(|(o, _)| *o)
}

/// The offset after the grapheme cluster at `offset` (a letter with its combining marks, an emoji
/// sequence, a `\r\n`); the end of the text stays there.
pub fn next_grapheme(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset);
    let mut cursor = GraphemeCursor::new(offset, text.len(), true);
    match cursor.next_boundary(text, 0) {
        Ok(Some(next)) => next,
        _ => text.len(),
    }
}

/// The offset before the grapheme cluster that ends at `offset`; the start of the text stays there.
pub fn previous_grapheme(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset);
    let mut cursor = GraphemeCursor::new(offset, text.len(), true);
    match cursor.prev_boundary(text, 0) {
        Ok(Some(previous)) => previous,
        _ => 0,
    }
}

/// True for a segment of UAX #29 word bounds that is a word (it holds a letter or a digit).
fn is_word(segment: &str) -> bool {
    segment.chars().any(char::is_alphanumeric)
}

/// The end of the word at or after `offset` (Ctrl+→): the rest of the word the offset is in, else
/// the next word. The end of the text when no word follows within [`WINDOW`].
pub fn next_word_end(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset);
    let limit = floor_char_boundary(text, offset.saturating_add(WINDOW));
    let Some(window) = text.get(offset..limit) else {
        return text.len();
    };
    window
        .split_word_bound_indices()
        .find(|(_, segment)| is_word(segment))
        .map_or(limit, |(at, segment)| offset + at + segment.len())
}

/// The start of the word before `offset` (Ctrl+←): the start of the word the offset is in, else of
/// the word before. The start of the text when no word comes before within [`WINDOW`].
pub fn previous_word_start(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset);
    let limit = floor_char_boundary(text, offset.saturating_sub(WINDOW));
    let Some(window) = text.get(limit..offset) else {
        return 0;
    };
    window
        .split_word_bound_indices()
        .rev()
        .find(|(_, segment)| is_word(segment))
        .map_or(limit, |(at, _)| limit + at)
}

/// The start of the line `offset` is in: just after the line break before it, or the text's start.
pub fn line_start(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset);
    text.get(..offset)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |at| at + 1)
}

/// The end of the line `offset` is in, before its line break (`\n` or `\r\n`), or the text's end.
pub fn line_end(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset);
    let Some(after) = text.get(offset..) else {
        return text.len();
    };
    match after.find('\n') {
        Some(at) if at > 0 && after.get(..at).is_some_and(|l| l.ends_with('\r')) => offset + at - 1,
        Some(at) => offset + at,
        None => text.len(),
    }
}

/// The line `offset` is in, without its line break, cut to [`WINDOW`] bytes on each side.
fn line_window(text: &str, offset: usize) -> ByteRange {
    let offset = floor_char_boundary(text, offset);
    let low = floor_char_boundary(text, offset.saturating_sub(WINDOW));
    let high = floor_char_boundary(text, offset.saturating_add(WINDOW));
    let start = text
        .get(low..offset)
        .and_then(|before| before.rfind('\n'))
        .map_or(low, |at| low + at + 1);
    let end = text
        .get(offset..high)
        .and_then(|after| after.find('\n'))
        .map_or(high, |at| offset + at);
    let end = if end > start && text.get(..end).is_some_and(|t| t.ends_with('\r')) {
        end - 1
    } else {
        end
    };
    ByteRange::new(start, end.max(start))
}

/// The offset in the line above `offset` (`up`) or below it at the same column, counted in
/// grapheme clusters (shorter lines: their end). The first line's up is the text's start, the
/// last line's down the text's end. Used for ↑/↓ where no laid-out rows are at hand.
pub fn vertical(text: &str, offset: usize, up: bool) -> usize {
    let offset = floor_char_boundary(text, offset);
    let start = line_start(text, offset);
    let column = text
        .get(start..offset)
        .map_or(0, |before| before.graphemes(true).count());
    let target = if up {
        if start == 0 {
            return 0;
        }
        line_start(text, start - 1)
    } else {
        let end = line_end(text, offset);
        match text.get(end..).and_then(|after| after.find('\n')) {
            Some(at) => end + at + 1,
            None => return text.len(),
        }
    };
    let end = line_end(text, target);
    text.get(target..end)
        .and_then(|line| line.grapheme_indices(true).nth(column))
        .map_or(end, |(at, _)| target + at)
}

/// The sentence (UAX #29) that `offset` is in, without the white space around it; at the end of
/// a sentence, that sentence. A sentence that the next one continues in lower case (« Non ! »
/// dit-il) is one with it. `None` on a line of white space only.
pub fn sentence_at(text: &str, offset: usize) -> Option<ByteRange> {
    let offset = floor_char_boundary(text, offset);
    let line = line_window(text, offset);
    let slice = line.slice(text);
    let mut sentences: Vec<ByteRange> = Vec::new();
    for (at, sentence) in slice.split_sentence_bound_indices() {
        let range = ByteRange::new(line.start + at, line.start + at + sentence.len());
        let continues = sentence
            .chars()
            .find(|c| c.is_alphanumeric())
            .is_some_and(char::is_lowercase);
        match sentences.last_mut() {
            Some(last) if continues => last.end = range.end,
            _ => sentences.push(range),
        }
        if range.start > offset {
            break;
        }
    }
    let mut found = None;
    for range in sentences {
        let Some(trimmed) = trim_range(text, range) else {
            continue;
        };
        // Offsets in the white space after a sentence belong to it.
        if trimmed.start <= offset || found.is_none() {
            found = Some(trimmed);
        }
        if range.end > offset {
            break;
        }
    }
    found
}

/// The sentences that `range` touches, as one range (trimmed).
fn sentences_over(text: &str, range: ByteRange) -> Option<ByteRange> {
    let first = sentence_at(text, range.start)?;
    let last = if range.end > range.start {
        sentence_at(text, previous_grapheme(text, range.end)).unwrap_or(first)
    } else {
        first
    };
    Some(ByteRange::new(
        first.start.min(last.start).min(range.start),
        first.end.max(last.end).max(range.end),
    ))
}

/// The innermost pair of quote marks or brackets around `range` within `line`: the range of the
/// pair with its marks.
fn enclosing_pair(text: &str, line: ByteRange, range: ByteRange) -> Option<ByteRange> {
    let before = text.get(line.start..range.start.max(line.start))?;
    let mut skipped: Vec<char> = Vec::new();
    for (at, c) in before.char_indices().rev() {
        // A straight quote is taken as closing when another one comes before it on the line.
        let straight_closing = c == '"'
            && skipped.last() != Some(&'"')
            && before
                .get(..at)
                .is_some_and(|b| b.matches('"').count() % 2 == 1);
        if let Some(open) = closing(c).filter(|_| c != '"' || straight_closing) {
            skipped.push(open);
            continue;
        }
        if let Some(close) = opening(c) {
            if skipped.last() == Some(&c) {
                skipped.pop();
                continue;
            }
            let start = line.start + at;
            let end = matching_close(text, line, range.end.max(start + c.len_utf8()), c, close)?;
            return Some(ByteRange::new(start, end));
        }
    }
    None
}

/// Where the pair opened by `open` ends (after `close`), looking from `from` to the line's end
/// and skipping the pairs opened on the way.
fn matching_close(
    text: &str,
    line: ByteRange,
    from: usize,
    open: char,
    close: char,
) -> Option<usize> {
    let after = text.get(from..line.end)?;
    let mut depth = 0usize;
    for (at, c) in after.char_indices() {
        if c == close && (depth == 0 || open == close) {
            if depth == 0 {
                return Some(from + at + c.len_utf8());
            }
            depth -= 1;
        } else if c == open {
            depth += 1;
        }
    }
    None
}

/// The clause of `range` inside `context`: from after the clause mark before it to before the
/// clause mark after it, stepping over quotes and brackets on the way; trimmed.
fn clause_in(text: &str, context: ByteRange, range: ByteRange) -> Option<ByteRange> {
    let before = text.get(context.start..range.start)?;
    let mut start = context.start;
    let mut depth = 0usize;
    for (at, c) in before.char_indices().rev() {
        if closing(c).is_some() && c != '"' {
            depth += 1;
        } else if opening(c).is_some() && c != '"' {
            if depth == 0 {
                start = context.start + at + c.len_utf8();
                break;
            }
            depth -= 1;
        } else if depth == 0 && is_clause_mark(c) {
            start = context.start + at + c.len_utf8();
            break;
        }
    }
    let after = text.get(range.end..context.end)?;
    let mut end = context.end;
    let mut depth = 0usize;
    for (at, c) in after.char_indices() {
        if opening(c).is_some() && c != '"' {
            depth += 1;
        } else if closing(c).is_some() && c != '"' {
            if depth == 0 {
                end = range.end + at;
                break;
            }
            depth -= 1;
        } else if depth == 0 && is_clause_mark(c) {
            end = range.end + at;
            break;
        }
    }
    let clause = trim_range(text, ByteRange::new(start, end))?;
    // Trimming must not cut the range itself.
    Some(ByteRange::new(
        clause.start.min(range.start),
        clause.end.max(range.end),
    ))
}

/// The next selection out from `range` (Alt+Shift+→): the smallest of the clause around it, the
/// inside of the quote or brackets around it, that quote with its marks, its sentence(s) and its
/// line that holds more than `range` does. An empty `range` (a caret) grows to its clause first.
/// `None` when `range` already covers its line.
pub fn grow(text: &str, range: ByteRange) -> Option<ByteRange> {
    let range = ByteRange::new(
        floor_char_boundary(text, range.start),
        floor_char_boundary(text, range.end.max(range.start)),
    );
    let line = line_window(text, range.start);
    let line = ByteRange::new(line.start, line.end.max(range.end));
    let mut candidates: Vec<ByteRange> = Vec::with_capacity(6);
    let pair = enclosing_pair(text, line, range);
    let inside = pair.and_then(|p| {
        let open = text.get(p.start..)?.chars().next()?.len_utf8();
        let close = text.get(..p.end)?.chars().next_back()?.len_utf8();
        let inner = ByteRange::new(p.start + open, p.end - close);
        let trimmed = trim_range(text, inner).unwrap_or(inner);
        Some(ByteRange::new(
            trimmed.start.min(range.start),
            trimmed.end.max(range.end),
        ))
    });
    let sentence = sentences_over(text, range);
    // The clause lives in the smaller of the quote's inside and the sentence.
    let context = match (inside, sentence) {
        (Some(i), Some(s)) if i.len() <= s.len() && i.start <= range.start => Some(i),
        (Some(i), None) => Some(i),
        (_, s) => s,
    };
    if let Some(context) = context {
        candidates.extend(clause_in(text, context, range));
    }
    candidates.extend(inside);
    candidates.extend(pair);
    candidates.extend(sentence);
    candidates.extend(trim_range(text, line));
    candidates
        .into_iter()
        .filter(|c| c.start <= range.start && c.end >= range.end && c.len() > range.len())
        .filter(|c| c.check(text).is_ok())
        .min_by_key(|c| (c.len(), c.start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, range: Option<ByteRange>) -> &str {
        range.map_or("<none>", |r| r.slice(text))
    }

    #[test]
    fn graphemes_step_over_combining_marks_emoji_and_crlf() {
        // "é" as e + combining acute, a family emoji (ZWJ sequence), a flag, CRLF, Arabic.
        let text = "e\u{301}x👨‍👩‍👧🇫🇷\r\nسلام";
        let mut offsets = vec![0];
        let mut at = 0;
        while at < text.len() {
            at = next_grapheme(text, at);
            offsets.push(at);
        }
        let pieces: Vec<&str> = offsets.windows(2).map(|w| &text[w[0]..w[1]]).collect();
        assert_eq!(
            pieces,
            ["e\u{301}", "x", "👨‍👩‍👧", "🇫🇷", "\r\n", "س", "ل", "ا", "م"]
        );
        let mut back = vec![text.len()];
        let mut at = text.len();
        while at > 0 {
            at = previous_grapheme(text, at);
            back.push(at);
        }
        back.reverse();
        assert_eq!(back, offsets);
        assert_eq!(next_grapheme(text, text.len()), text.len());
        assert_eq!(previous_grapheme(text, 0), 0);
        // Inside a character: from its start.
        assert_eq!(next_grapheme("é!", 1), 2);
    }

    #[test]
    fn words_skip_punctuation_and_keep_elisions_whole() {
        let text = "Selon l’agence, « Kim » a dit : 😀 non.";
        let mut ends = vec![];
        let mut at = 0;
        while at < text.len() {
            at = next_word_end(text, at);
            ends.push(&text[..at]);
        }
        assert_eq!(
            ends.iter()
                .map(|e| e.rsplit(' ').next().unwrap())
                .collect::<Vec<_>>(),
            ["Selon", "l’agence", "Kim", "a", "dit", "non", "non."]
        );
        let kim = text.find("Kim").unwrap();
        assert_eq!(previous_word_start(text, kim + 2), kim);
        assert_eq!(
            previous_word_start(text, kim),
            text.find("l’agence").unwrap()
        );
        assert_eq!(previous_word_start(text, 3), 0);
        assert_eq!(previous_word_start(text, 0), 0);
        assert_eq!(next_word_end("  ... ", 0), 6);
    }

    #[test]
    fn lines_end_before_crlf_and_moves_keep_the_column() {
        let text = "première ligne\r\nدوم\r\n\r\nfin é\u{301}té";
        let second = text.find('د').unwrap();
        assert_eq!(line_start(text, second + 2), second);
        assert_eq!(line_end(text, second), second + "دوم".len());
        assert_eq!(line_end(text, 0), "première ligne".len());
        let empty = text.find("\r\n\r\n").unwrap() + 2;
        assert_eq!(line_end(text, empty), empty);
        assert_eq!(line_start(text, empty), empty);
        // Column 2 of the first line → column 2 of the second; down again: the empty line's end.
        let down = vertical(text, 2, false);
        assert_eq!(down, second + "دو".len());
        assert_eq!(vertical(text, down, false), empty);
        let last = text.find("fin").unwrap();
        assert_eq!(vertical(text, empty, false), last);
        assert_eq!(vertical(text, last + 1, true), empty);
        assert_eq!(vertical(text, 3, true), 0);
        assert_eq!(vertical(text, last, false), text.len());
        // Columns count graphemes: "fin é́" the e and its accent are one.
        assert_eq!(vertical(text, 4, false), second + "دوم".len());
    }

    #[test]
    fn sentences_are_found_around_an_offset() {
        let text = "Il pleut. Kim a dit « non ! » hier 😀. Fin\r\nAutre ligne.";
        let kim = text.find("Kim").unwrap();
        assert_eq!(
            slice(text, sentence_at(text, kim + 5)),
            "Kim a dit « non ! » hier 😀."
        );
        assert_eq!(slice(text, sentence_at(text, 0)), "Il pleut.");
        // In the space after a sentence: that sentence.
        assert_eq!(slice(text, sentence_at(text, kim - 1)), "Il pleut.");
        let fin = text.find("Fin").unwrap();
        assert_eq!(slice(text, sentence_at(text, fin + 3)), "Fin");
        assert_eq!(slice(text, sentence_at(text, text.len())), "Autre ligne.");
        assert_eq!(sentence_at("  \n ", 1), None);
    }

    #[test]
    fn grow_goes_word_clause_quote_sentence_line() {
        let text = "Avant. Selon Kim, « la paix, c’est la force », dit-il 😀. Après\r\nSuite";
        let word = text.find("paix").unwrap();
        let mut range = ByteRange::new(word, word + "paix".len());
        let mut steps = vec![];
        while let Some(next) = grow(text, range) {
            assert!(next.start <= range.start && next.end >= range.end && next != range);
            steps.push(next.slice(text));
            range = next;
        }
        assert_eq!(
            steps,
            [
                "la paix",
                "la paix, c’est la force",
                "« la paix, c’est la force »",
                "Selon Kim, « la paix, c’est la force », dit-il 😀.",
                "Avant. Selon Kim, « la paix, c’est la force », dit-il 😀. Après",
            ]
        );
        // A caret grows to its clause.
        let kim = text.find("Kim").unwrap();
        assert_eq!(
            slice(text, grow(text, ByteRange::new(kim, kim))),
            "Selon Kim"
        );
        // Brackets and straight quotes too.
        let text = "Il a dit (\"oui\", puis non) hier.";
        let oui = text.find("oui").unwrap();
        let steps: Vec<&str> =
            std::iter::successors(Some(ByteRange::new(oui, oui + 3)), |r| grow(text, *r))
                .map(|r| r.slice(text))
                .collect();
        assert_eq!(
            steps,
            [
                "oui",
                "\"oui\"",
                "\"oui\", puis non",
                "(\"oui\", puis non)",
                "Il a dit (\"oui\", puis non) hier."
            ]
        );
    }

    #[test]
    fn an_unclosed_quote_grows_to_the_sentence() {
        let text = "Il dit « rien, vraiment. Puis";
        let rien = text.find("rien").unwrap();
        let first = grow(text, ByteRange::new(rien, rien + 4)).unwrap();
        assert_eq!(first.slice(text), "Il dit « rien, vraiment.");
        let second = grow(text, first).unwrap();
        assert_eq!(second.slice(text), text);
        assert_eq!(grow(text, second), None);
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        fn hard_text() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    Just("é"),
                    Just("e\u{301}"),
                    Just("😀"),
                    Just("👨‍👩‍👧"),
                    Just("\r\n"),
                    Just("\n"),
                    Just("سلام"),
                    Just(" "),
                    Just(", "),
                    Just(". "),
                    Just("« "),
                    Just(" »"),
                    Just("("),
                    Just(")"),
                    Just("\""),
                    Just("mot"),
                    Just("l’"),
                    Just("!"),
                ],
                0..40,
            )
            .prop_map(|parts| parts.concat())
        }

        proptest! {
            #[test]
            fn motions_stay_on_char_boundaries_and_move_the_right_way(
                text in hard_text(),
                at in 0usize..200,
            ) {
                let offset = floor_char_boundary(&text, at);
                for (moved, forward) in [
                    (next_grapheme(&text, offset), true),
                    (next_word_end(&text, offset), true),
                    (line_end(&text, offset), true),
                    (previous_grapheme(&text, offset), false),
                    (previous_word_start(&text, offset), false),
                    (line_start(&text, offset), false),
                ] {
                    prop_assert!(text.is_char_boundary(moved));
                    let right_way = if forward { moved >= offset } else { moved <= offset };
                    prop_assert!(right_way);
                }
                if offset < text.len() {
                    prop_assert!(next_grapheme(&text, offset) > offset);
                }
                if offset > 0 {
                    prop_assert!(previous_grapheme(&text, offset) < offset);
                }
                for up in [true, false] {
                    prop_assert!(text.is_char_boundary(vertical(&text, offset, up)));
                }
                let line = ByteRange::new(line_start(&text, offset), line_end(&text, offset));
                prop_assert!(!line.slice(&text).contains('\n'));
            }

            #[test]
            fn sentences_and_growth_hold_the_offset_on_char_boundaries(
                text in hard_text(),
                a in 0usize..200,
                b in 0usize..200,
            ) {
                let (a, b) = (floor_char_boundary(&text, a), floor_char_boundary(&text, b));
                if let Some(sentence) = sentence_at(&text, a) {
                    prop_assert!(sentence.check(&text).is_ok());
                    prop_assert!(!sentence.slice(&text).contains('\n'));
                }
                let mut range = ByteRange::new(a.min(b), a.max(b));
                for _ in 0..12 {
                    let Some(next) = grow(&text, range) else { break };
                    prop_assert!(next.check(&text).is_ok());
                    prop_assert!(next.start <= range.start && next.end >= range.end);
                    prop_assert!(next.len() > range.len());
                    range = next;
                }
            }
        }
    }
}
