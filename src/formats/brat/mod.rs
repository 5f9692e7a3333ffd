//! brat standoff: a folder of `.txt` and `.ann` files with an `annotation.conf`.
//!
//! The rules followed here are those of brat's own parser (`server/src/annotation.py` and
//! `server/src/projectconfig.py` of nlplab/brat):
//!
//! - every `.ann` line is `ID<TAB>DATA[<TAB>TAIL]`; the id's first character says what the line
//!   is (`T` text-bound, `R` relation, `E` event, `A`/`M` attribute, `N` normalisation, `#`
//!   comment, `*` equivalence);
//! - a text-bound's DATA is `TYPE START END[;START END…]` and its TAIL is the covered text, the
//!   fragments' texts joined by a single space; a fragment cannot hold a line break;
//! - offsets count Unicode code points of the text as brat reads it: a BOM counts one, and the
//!   text is read with universal newlines, so `\r\n` (and a lone `\r`) counts one.
//! - type names (labels, relation types, attribute names) are "storage forms": ASCII letters,
//!   digits, `_` and `-` only (brat's `normalize_to_storage_form` turns anything else into `_`).
//! - a note (`#1<TAB>TYPE ID<TAB>TEXT`) keeps its text as written: brat trims it only to show it.
//!   A span's `AnnotatorNotes` are its note, one a line; notes of other types are kept in the
//!   attribute `brat:#TYPE` ([`NOTE_ATTRIBUTE`]); both are written back as notes, exactly.
//!
//! brat's server opens texts with `codecs.open(…, 'rU')` (universal newlines, nlplab/brat issue
//! #853), so unlike the other formats, brat offsets count `\r\n` as one character. The export
//! writes offsets that way, so that brat shows every span where it is and its text check passes;
//! the `.txt` stays byte for byte. The import reads them that way too, and recognises `.ann` files
//! from tools that counted the raw code points (their covered texts only match that reading),
//! reading those accordingly and saying so.

mod conf;
mod export;
mod import;
mod offsets;
#[cfg(test)]
mod tests;

pub use export::{export, previous_export};
pub use import::{import, parse_document};

/// brat's separator between the texts of the fragments of a discontinuous span.
const DISCONTINUOUS_SEPARATOR: &str = " ";

/// The note type brat gives the annotator's notes: a span's are its note in Marginalia, one a
/// line.
const ANNOTATOR_NOTES: &str = "AnnotatorNotes";

/// Where a span keeps brat notes of another type than `AnnotatorNotes` (`#1<TAB>Lemma T1<TAB>x`):
/// in the attribute `brat:#TYPE` (`brat:#Lemma` = `x`), exactly as written, one a line when a span
/// has several. The export writes them back as notes of that type, not as attributes.
pub const NOTE_ATTRIBUTE: &str = "brat:#";
