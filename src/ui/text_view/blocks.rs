//! The blocks of a document's text (lines, long lines cut at white space), offsets within them,
//! and the underline lane of each span.

use std::collections::HashMap;

use super::{Block, MAX_BLOCK_BYTES};
use crate::model::{Document, Id};
use crate::text::ByteRange;

/// The char index within a block of a document byte offset.
pub(super) fn char_of_byte(text: &str, block: ByteRange, offset: usize) -> usize {
    let end = offset.clamp(block.start, block.end);
    text.get(block.start..end).map_or(0, |s| s.chars().count())
}

/// The document byte offset of a char index within a block.
pub(super) fn byte_of_char(text: &str, block: ByteRange, char_index: usize) -> usize {
    let slice = block.slice(text);
    slice
        .char_indices()
        .nth(char_index)
        .map_or(block.end, |(b, _)| block.start + b)
}

/// Splits a text into blocks: one a line (line breaks, `\r\n` or `\n`, left out), long lines cut
/// after white space, each with the number of its line (from 0). A leading BOM is left out of the
/// first block.
pub(super) fn split_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut line_start = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut line = 0;
    while line_start <= text.len() {
        let rest = text.get(line_start..).unwrap_or_default();
        let (line_len, next) = match rest.find('\n') {
            Some(n) => (n, line_start + n + 1),
            None => (rest.len(), text.len() + 1),
        };
        let mut end = line_start + line_len;
        if text.get(line_start..end).is_some_and(|l| l.ends_with('\r')) {
            end -= 1;
        }
        let mut start = line_start;
        while end - start > MAX_BLOCK_BYTES {
            let limit = crate::text::floor_char_boundary(text, start + MAX_BLOCK_BYTES);
            let cut = text
                .get(start..limit)
                .and_then(|s| s.rfind(char::is_whitespace).map(|i| start + i + 1))
                .filter(|&c| c > start)
                .unwrap_or(limit.max(start + 1));
            let cut = crate::text::floor_char_boundary(text, cut).max(start + 1);
            blocks.push(Block {
                range: ByteRange::new(start, cut),
                line,
            });
            start = cut;
        }
        blocks.push(Block {
            range: ByteRange::new(start, end),
            line,
        });
        if next > text.len() {
            break;
        }
        line_start = next;
        line += 1;
    }
    blocks
}

/// Gives each annotation an underline lane: the lowest lane no overlapping annotation uses.
pub(super) fn assign_lanes(document: &Document) -> HashMap<Id, usize> {
    let mut lanes = HashMap::with_capacity(document.annotations.len());
    // Annotations still open, with their end and lane.
    let mut open: Vec<(usize, usize)> = Vec::new();
    for annotation in &document.annotations {
        let extent = annotation.extent();
        open.retain(|(end, _)| *end > extent.start);
        let lane = (0..=open.len())
            .find(|l| open.iter().all(|(_, used)| used != l))
            .unwrap_or(0);
        open.push((extent.end, lane));
        lanes.insert(annotation.id, lane);
    }
    lanes
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn texts(text: &str) -> Vec<&str> {
        split_blocks(text)
            .iter()
            .map(|b| b.range.slice(text))
            .collect()
    }

    #[test]
    pub(super) fn blocks_are_lines_without_breaks_or_bom() {
        assert_eq!(
            texts("\u{feff}Titre\r\n\r\nCorps é\nfin"),
            ["Titre", "", "Corps é", "fin"]
        );
        assert_eq!(texts("a\n"), ["a", ""]);
        let lines: Vec<usize> = split_blocks("a\r\nb\n\nc").iter().map(|b| b.line).collect();
        assert_eq!(lines, [0, 1, 2, 3]);
        assert_eq!(texts(""), [""]);
    }

    #[test]
    pub(super) fn long_lines_are_cut_after_white_space_on_char_boundaries() {
        let line = "mot é ".repeat(1_000);
        let blocks = split_blocks(&line);
        assert!(blocks.len() > 2);
        assert!(
            blocks.iter().all(|b| b.line == 0),
            "one line, cut in blocks"
        );
        assert!(
            blocks
                .iter()
                .all(|b| b.range.len() <= MAX_BLOCK_BYTES && b.range.check(&line).is_ok())
        );
        assert_eq!(
            blocks
                .iter()
                .map(|b| b.range.slice(&line))
                .collect::<String>(),
            line
        );
        let unbroken = "é".repeat(3_000);
        assert!(
            split_blocks(&unbroken)
                .iter()
                .all(|b| b.range.check(&unbroken).is_ok())
        );
    }

    #[test]
    pub(super) fn char_and_byte_offsets_within_blocks() {
        let text = "x\nKim «😀» é";
        let block = split_blocks(text)[1].range;
        for (i, (b, _)) in block.slice(text).char_indices().enumerate() {
            assert_eq!(byte_of_char(text, block, i), block.start + b);
            assert_eq!(char_of_byte(text, block, block.start + b), i);
        }
        assert_eq!(byte_of_char(text, block, 99), text.len());
    }
}
