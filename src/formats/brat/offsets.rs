//! Offsets as brat counts them: Unicode code points of the text read with universal newlines
//! (`\r\n` and a lone `\r` count one), and the text brat expects at them.

use crate::text::{ByteRange, CodePointIndex};

use super::DISCONTINUOUS_SEPARATOR;

/// How a document's offsets are counted.
#[derive(Debug)]
pub(super) enum Offsets {
    /// Code points of the raw text.
    Raw(CodePointIndex),
    /// Code points of the text read with universal newlines (`\r\n` and `\r` count one), as
    /// brat's own server reads it: the byte offset of each such character, and of the end.
    UniversalNewlines(Vec<usize>),
}

impl Offsets {
    fn universal(text: &str) -> Self {
        let mut bytes = Vec::with_capacity(text.len() + 1);
        let mut chars = text.char_indices().peekable();
        while let Some((byte, c)) = chars.next() {
            bytes.push(byte);
            if c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n') {
                chars.next();
            }
        }
        bytes.push(text.len());
        Self::UniversalNewlines(bytes)
    }

    /// brat's own count: universal newlines when the text has a carriage return.
    pub(super) fn brat(text: &str) -> Self {
        if text.contains('\r') {
            Self::universal(text)
        } else {
            Self::Raw(CodePointIndex::new(text))
        }
    }

    /// The offset of a byte on a char boundary (a byte inside a `\r\n` pair counts as its `\r`).
    pub(super) fn char_of_byte(&self, byte: usize) -> usize {
        match self {
            Self::Raw(index) => index.char_of_byte(byte),
            Self::UniversalNewlines(bytes) => bytes.partition_point(|b| *b < byte),
        }
    }

    pub(super) fn byte(&self, char_offset: usize) -> Option<usize> {
        match self {
            Self::Raw(index) => index.byte_of_char(char_offset),
            Self::UniversalNewlines(bytes) => bytes.get(char_offset).copied(),
        }
    }

    pub(super) fn len_chars(&self) -> usize {
        match self {
            Self::Raw(index) => index.len_chars(),
            Self::UniversalNewlines(bytes) => bytes.len().saturating_sub(1),
        }
    }

    /// The byte ranges of code point fragments (as listed), `None` when one does not fit.
    pub(super) fn ranges(&self, fragments: &[(usize, usize)]) -> Option<Vec<ByteRange>> {
        fragments
            .iter()
            .map(|&(start, end)| Some(ByteRange::new(self.byte(start)?, self.byte(end)?)))
            .collect()
    }
}

/// The text brat expects in the third column: the fragments' texts, as listed, joined by a space.
pub(super) fn reference_text(text: &str, ranges: &[ByteRange]) -> String {
    let parts: Vec<&str> = ranges.iter().map(|r| r.slice(text)).collect();
    parts.join(DISCONTINUOUS_SEPARATOR)
}

/// True when a third column agrees with the text at the offsets, as brat checks it: the column
/// starts with that text, and whatever follows starts with white space.
pub(super) fn column_matches(column: &str, expected: &str) -> bool {
    column
        .strip_prefix(expected)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
}
