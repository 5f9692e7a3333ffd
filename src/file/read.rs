//! A fast reader for the RON that [`super::to_ron`] writes: the common case of loading a project
//! takes a fraction of the time of `ron`'s deserializer (`benches/project.rs`).
//!
//! It reads the subset of RON that project files use (structs with named fields in any order,
//! lists, maps, strings with the escapes `ron` writes, unsigned integers, `Some`/`None`, `true`/
//! `false`, whitespace), into the same file structures as `ron` would. Anything else (a comment,
//! a struct name, a raw string, an unknown field, a syntax error) makes it give up with `None`,
//! and the caller reads the file again with `ron`, which accepts all of RON and reports errors
//! with their line and column. The schema, small and with many optional parts, is always read
//! by `ron`; a field there that `ron` would skip makes this reader give up too. Tests check that
//! whenever this reader accepts a text, `ron` reads the same values.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rayon::prelude::*;

use super::{
    AnnotationFile, DetachedFile, DocumentFile, FragmentFile, LinkFile, ProjectFile, RejectionFile,
    RelationFile, SuggestionFile,
};
use crate::model::{Id, Provenance, Status, Timestamp};
use crate::schema::Schema;
use crate::suggestion::{Rule, Suggester};

/// The project file in `text`, or `None` when it is not in the subset this reader handles.
pub(super) fn project(text: &str) -> Option<ProjectFile<'_>> {
    let mut p = Parser { text, at: 0 };
    let file = p.project()?;
    p.ws();
    (p.at == text.len()).then_some(file)
}

/// How the writer begins each document's entry: where the list may be cut.
const DOCUMENT_LINE: &str = "\n    (\n      path: ";

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

/// Reads the fields of a struct: `$p` the parser, then for each field name the code that reads
/// its value into a local. A field seen twice, or unknown, gives up (as `ron` would refuse it).
macro_rules! fields {
    ($p:ident, { $($name:literal => $read:expr,)* }) => {{
        $p.expect(b'(')?;
        let mut seen = 0u32;
        loop {
            $p.ws();
            if $p.eat(b')') {
                break;
            }
            let name = $p.ident()?;
            $p.expect(b':')?;
            let mut bit = 1u32;
            let mut matched = false;
            $(
                if !matched && name == $name {
                    if seen & bit != 0 {
                        return None;
                    }
                    seen |= bit;
                    matched = true;
                    $read;
                }
                bit <<= 1;
            )*
            let _ = bit;
            if !matched {
                return None;
            }
            if !$p.comma_or_end(b')')? {
                break;
            }
        }
    }};
}

impl<'a> Parser<'a> {
    fn bytes(&self) -> &[u8] {
        self.text.as_bytes().get(self.at..).unwrap_or_default()
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Skips spaces, tabs and line ends.
    fn ws(&mut self) {
        let skipped = self
            .bytes()
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .unwrap_or(self.bytes().len());
        self.at += skipped;
    }

    /// Consumes `byte` if it comes next (no whitespace skipped).
    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.ws();
        self.eat(byte).then_some(())
    }

    /// After an item of a list or struct: `true` when a comma followed (more may come), `false`
    /// when the closing `end` did (consumed).
    fn comma_or_end(&mut self, end: u8) -> Option<bool> {
        self.ws();
        if self.eat(b',') {
            Some(true)
        } else if self.eat(end) {
            Some(false)
        } else {
            None
        }
    }

    fn ident(&mut self) -> Option<&'a str> {
        let start = self.at;
        let len = self
            .bytes()
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .unwrap_or(self.bytes().len());
        let ident = self.text.get(start..start + len)?;
        if ident.is_empty() || ident.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            return None;
        }
        self.at += len;
        Some(ident)
    }

    fn u64(&mut self) -> Option<u64> {
        self.ws();
        let digits = self
            .bytes()
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(self.bytes().len());
        let number = self.text.get(self.at..self.at + digits)?;
        // Leading zeros, signs, `_` and other bases are left to `ron`.
        if digits == 0 || (digits > 1 && number.starts_with('0')) {
            return None;
        }
        self.at += digits;
        number.parse().ok()
    }

    fn bool(&mut self) -> Option<bool> {
        self.ws();
        match self.ident()? {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// A string literal, with the escapes `ron` writes (`\"`, `\'`, `\\`, `\n`, `\r`, `\t`, `\0`,
    /// `\u{...}`).
    fn string(&mut self) -> Option<String> {
        self.cow().map(Cow::into_owned)
    }

    /// [`Self::string`], borrowed from the text when it has no escape.
    fn cow(&mut self) -> Option<Cow<'a, str>> {
        self.expect(b'"')?;
        let start = self.at;
        let run = self
            .bytes()
            .iter()
            .position(|b| matches!(b, b'"' | b'\\'))?;
        if self.bytes().get(run) == Some(&b'"') {
            self.at += run + 1;
            return self.text.get(start..start + run).map(Cow::Borrowed);
        }
        let mut out = String::new();
        loop {
            let run = self
                .bytes()
                .iter()
                .position(|b| matches!(b, b'"' | b'\\'))?;
            out.push_str(self.text.get(self.at..self.at + run)?);
            self.at += run;
            if self.eat(b'"') {
                return Some(Cow::Owned(out));
            }
            self.at += 1; // the backslash
            let escape = self.peek()?;
            self.at += 1;
            out.push(match escape {
                b'"' => '"',
                b'\'' => '\'',
                b'\\' => '\\',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'0' => '\0',
                b'u' => self.unicode_escape()?,
                _ => return None,
            });
        }
    }

    /// The `{1F600}` of a `\u{1F600}` escape.
    fn unicode_escape(&mut self) -> Option<char> {
        if !self.eat(b'{') {
            return None;
        }
        let digits = self
            .bytes()
            .iter()
            .take(7)
            .position(|b| *b == b'}')
            .filter(|&n| (1..=6).contains(&n))?;
        let hex = self.text.get(self.at..self.at + digits)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.at += digits + 1;
        char::from_u32(u32::from_str_radix(hex, 16).ok()?)
    }

    fn timestamp(&mut self) -> Option<Timestamp> {
        Timestamp::parse_canonical(&self.string()?)
    }

    /// `[item, item, ...]`, a trailing comma allowed.
    fn list<T>(&mut self, item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.sequence(b'[', b']', item)
    }

    /// Items between `open` and `close`, separated by commas, a trailing comma allowed.
    fn sequence<T>(
        &mut self,
        open: u8,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        self.expect(open)?;
        let mut items = Vec::new();
        loop {
            self.ws();
            if self.eat(close) {
                return Some(items);
            }
            items.push(item(self)?);
            if !self.comma_or_end(close)? {
                return Some(items);
            }
        }
    }

    /// `Some(value)` or `None`; the outer `None` when it is neither.
    #[allow(
        clippy::option_option,
        reason = "the outer option is the reader giving up"
    )]
    fn option<T>(&mut self, value: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        self.ws();
        match self.ident()? {
            "None" => Some(None),
            "Some" => {
                self.expect(b'(')?;
                let v = value(self)?;
                self.expect(b')')?;
                Some(Some(v))
            }
            _ => None,
        }
    }

    fn project(&mut self) -> Option<ProjectFile<'a>> {
        let (mut version, mut annotator, mut corpus, mut schema, mut documents) =
            (None, None, None, None, Vec::new());
        fields!(self, {
            "format_version" => version = Some(u32::try_from(self.u64()?).ok()?),
            "annotator" => annotator = Some(self.string()?),
            "corpus" => corpus = Some(self.string()?),
            "schema" => schema = Some(self.schema()?),
            "documents" => documents = self.documents()?,
        });
        Some(ProjectFile {
            format_version: version?,
            annotator: annotator?,
            corpus: corpus?,
            schema: schema?,
            documents,
        })
    }

    /// The `documents: [...]` list. A large file in the writer's layout is cut into pieces at
    /// lines that open a document, and the pieces are read on all cores; when a piece does not
    /// read as whole documents (a cut inside a string of a hand-edited file), the list is read in
    /// one go instead.
    fn documents(&mut self) -> Option<Vec<DocumentFile<'a>>> {
        const PIECES: usize = 64;
        // Unit tests cut every list, however small, to exercise the cuts.
        const SMALL: usize = if cfg!(test) { 1 } else { 1 << 20 };
        self.ws();
        let list_start = self.at;
        let remaining = self.text.len() - self.at;
        if remaining < SMALL || self.peek() != Some(b'[') {
            return self.list(Self::document);
        }
        let mut cuts = vec![list_start + 1];
        for k in 1..PIECES {
            let target = crate::text::floor_char_boundary(
                self.text,
                (list_start + remaining / PIECES * k).max(cuts.last().copied().unwrap_or(0)),
            );
            let Some(found) = self.text.get(target..).and_then(|t| t.find(DOCUMENT_LINE)) else {
                break;
            };
            let cut = target + found + 1; // after the line end
            if cuts.last().is_some_and(|&last| cut > last) {
                cuts.push(cut);
            }
        }
        let ranges: Vec<(usize, Option<usize>)> = cuts
            .iter()
            .enumerate()
            .map(|(i, &start)| (start, cuts.get(i + 1).copied()))
            .collect();
        let pieces: Vec<_> = ranges
            .par_iter()
            .map(|&(start, end)| self.piece(start, end))
            .collect();
        let mut documents = Vec::new();
        let mut resume = None;
        for piece in pieces {
            let Some((docs, end)) = piece else {
                self.at = list_start;
                return self.list(Self::document);
            };
            documents.extend(docs);
            resume = end;
        }
        self.at = resume?;
        Some(documents)
    }

    /// The documents between `start` and `end`, each followed by a comma; or, for the last piece
    /// (`end` is `None`), up to the closing `]`, with the position after it.
    fn piece(
        &self,
        start: usize,
        end: Option<usize>,
    ) -> Option<(Vec<DocumentFile<'a>>, Option<usize>)> {
        let mut p = Parser {
            text: self.text.get(..end.unwrap_or(self.text.len()))?,
            at: start,
        };
        let mut documents = Vec::new();
        loop {
            p.ws();
            match end {
                Some(_) if p.at == p.text.len() => return Some((documents, None)),
                None if p.eat(b']') => return Some((documents, Some(p.at))),
                _ => {}
            }
            documents.push(p.document()?);
            if !p.comma_or_end(b']')? {
                return end.is_none().then_some((documents, Some(p.at)));
            }
        }
    }

    /// The schema, read by `ron` from its extent in the text.
    fn schema(&mut self) -> Option<Schema> {
        self.ws();
        let start = self.at;
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.checked_sub(1)?,
                b'"' => {
                    self.string()?;
                    if depth == 0 {
                        break;
                    }
                    continue;
                }
                // Comments, raw strings and characters: left to `ron`.
                b'/' | b'\'' | b'#' => return None,
                b'r' if self.bytes().get(1) == Some(&b'"') => return None,
                _ => {}
            }
            self.at += 1;
            if depth == 0 {
                break;
            }
        }
        // A field `ron` would skip is left to the full reading, which reports it.
        let (schema, unknown) = super::ron_noting_unknown(self.text.get(start..self.at)?).ok()?;
        unknown.is_empty().then_some(schema)
    }

    fn document(&mut self) -> Option<DocumentFile<'a>> {
        let (mut path, mut sha256, mut status) = (None, None, Status::default());
        let mut metadata = crate::model::Metadata::new();
        let mut attributes = BTreeMap::new();
        let (mut annotations, mut relations, mut detached) = (Vec::new(), Vec::new(), Vec::new());
        let (mut suggestions, mut rejected) = (Vec::new(), Vec::new());
        fields!(self, {
            "path" => path = Some(self.string()?),
            "sha256" => sha256 = Some(self.string()?),
            "status" => status = self.status()?,
            "metadata" => metadata = self.metadata()?,
            "attributes" => attributes = self.map()?,
            "annotations" => annotations = self.list(Self::annotation)?,
            "relations" => relations = self.list(Self::relation)?,
            "detached" => detached = self.list(Self::detached)?,
            "suggestions" => suggestions = self.list(Self::suggestion)?,
            "rejected" => rejected = self.list(Self::rejection)?,
        });
        Some(DocumentFile {
            path: path?,
            sha256: sha256?,
            status,
            metadata,
            attributes,
            annotations,
            relations,
            detached,
            suggestions,
            rejected,
        })
    }

    fn status(&mut self) -> Option<Status> {
        self.ws();
        match self.ident()? {
            "ToDo" => Some(Status::ToDo),
            "InProgress" => Some(Status::InProgress),
            "Done" => Some(Status::Done),
            _ => None,
        }
    }

    fn annotation(&mut self) -> Option<AnnotationFile<'a>> {
        let (mut id, mut label, mut fragments, mut annotator, mut created) =
            (None, None, None, None, None);
        let (mut before, mut after, mut note) =
            (Cow::Borrowed(""), Cow::Borrowed(""), String::new());
        let (mut attributes, mut provenance, mut suggested) = (BTreeMap::new(), None, None);
        fields!(self, {
            "id" => id = Some(Id(self.u64()?)),
            "label" => label = Some(self.string()?),
            "fragments" => fragments = Some(self.list(Self::fragment)?),
            "before" => before = self.cow()?,
            "after" => after = self.cow()?,
            "annotator" => annotator = Some(self.string()?),
            "created" => created = Some(self.timestamp()?),
            "note" => note = self.string()?,
            "attributes" => attributes = self.map()?,
            "provenance" => provenance = self.option(Self::provenance)?,
            "suggested" => suggested = self.option(Self::rule)?,
        });
        Some(AnnotationFile {
            id: id?,
            label: label?,
            fragments: fragments?,
            before,
            after,
            annotator: annotator?,
            created: created?,
            note,
            attributes,
            provenance,
            suggested,
        })
    }

    /// `(start, end, "text")`, the text optional.
    fn fragment(&mut self) -> Option<FragmentFile<'a>> {
        self.expect(b'(')?;
        let start = usize::try_from(self.u64()?).ok()?;
        self.expect(b',')?;
        let end = usize::try_from(self.u64()?).ok()?;
        let mut text = Cow::Borrowed("");
        if self.comma_or_end(b')')? {
            self.ws();
            if self.eat(b')') {
                return Some(FragmentFile(start, end, text));
            }
            text = self.cow()?;
            if self.comma_or_end(b')')? {
                self.expect(b')')?;
            }
        }
        Some(FragmentFile(start, end, text))
    }

    /// `{"key": "value", ...}`; a key given twice keeps its last value, as with `ron`.
    fn map(&mut self) -> Option<BTreeMap<String, String>> {
        let entries = self.sequence(b'{', b'}', |p| {
            let key = p.string()?;
            p.expect(b':')?;
            Some((key, p.string()?))
        })?;
        Some(entries.into_iter().collect())
    }

    /// A document's metadata: JSON values as `ron` writes them.
    fn metadata(&mut self) -> Option<crate::model::Metadata> {
        let entries = self.sequence(b'{', b'}', |p| {
            let key = p.string()?;
            p.expect(b':')?;
            Some((key, p.json(0)?))
        })?;
        Some(entries.into_iter().collect())
    }

    /// A JSON value as `ron` writes one: a string, a number, `true`/`false`, `()` for null, a
    /// list, a map with string keys. Nesting deeper than `ron`'s own limit is left to `ron`.
    fn json(&mut self, depth: usize) -> Option<serde_json::Value> {
        use serde_json::Value;
        if depth > 100 {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(Value::String),
            b'[' => self.list(|p| p.json(depth + 1)).map(Value::Array),
            b'{' => {
                let entries = self.sequence(b'{', b'}', |p| {
                    let key = p.string()?;
                    p.expect(b':')?;
                    Some((key, p.json(depth + 1)?))
                })?;
                Some(Value::Object(entries.into_iter().collect()))
            }
            b'(' => {
                self.at += 1;
                self.expect(b')')?;
                Some(Value::Null)
            }
            b'0'..=b'9' | b'-' => self.json_number(),
            _ => self.bool().map(Value::Bool),
        }
    }

    /// An integer (`3`, `-3`) or a float (`1.5`, `-2.0`, `1e300`) as `ron` writes them.
    fn json_number(&mut self) -> Option<serde_json::Value> {
        let len = self
            .bytes()
            .iter()
            .position(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+')))
            .unwrap_or(self.bytes().len());
        let number = self.text.get(self.at..self.at + len)?;
        let unsigned = number.strip_prefix('-').unwrap_or(number);
        let value = if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
            // Leading zeros and `-0` are left to `ron`.
            if (unsigned.len() > 1 && unsigned.starts_with('0')) || number == "-0" {
                return None;
            }
            if number.starts_with('-') {
                serde_json::Value::from(number.parse::<i64>().ok()?)
            } else {
                serde_json::Value::from(number.parse::<u64>().ok()?)
            }
        } else {
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
                Some((m, e)) => (m, Some(e)),
                None => (unsigned, None),
            };
            let mantissa_ok = match mantissa.split_once('.') {
                Some((whole, fraction)) => digits(whole) && digits(fraction),
                None => digits(mantissa) && exponent.is_some(),
            };
            let exponent_ok =
                exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
            if !mantissa_ok || !exponent_ok {
                return None;
            }
            serde_json::Number::from_f64(number.parse().ok()?).map(serde_json::Value::Number)?
        };
        self.at += len;
        Some(value)
    }

    fn provenance(&mut self) -> Option<Provenance> {
        let (mut annotators, mut adjudicator, mut unresolved) = (None, None, false);
        fields!(self, {
            "annotators" => annotators = Some(self.list(Self::string)?),
            "adjudicator" => adjudicator = self.option(Self::string)?,
            "unresolved" => unresolved = self.bool()?,
        });
        Some(Provenance {
            annotators: annotators?,
            adjudicator,
            unresolved,
        })
    }

    fn relation(&mut self) -> Option<RelationFile> {
        let (mut id, mut kind, mut from, mut to, mut annotator, mut created) =
            (None, None, None, None, None, None);
        fields!(self, {
            "id" => id = Some(Id(self.u64()?)),
            "kind" => kind = Some(self.string()?),
            "from" => from = Some(Id(self.u64()?)),
            "to" => to = Some(Id(self.u64()?)),
            "annotator" => annotator = Some(self.string()?),
            "created" => created = Some(self.timestamp()?),
        });
        Some(RelationFile {
            id: id?,
            kind: kind?,
            from: from?,
            to: to?,
            annotator: annotator?,
            created: created?,
        })
    }

    /// `(suggester: patterns, rule: "dictionary: l'AFP")`.
    fn rule(&mut self) -> Option<Rule> {
        let (mut suggester, mut rule) = (None, None);
        fields!(self, {
            "suggester" => suggester = Some(self.suggester()?),
            "rule" => rule = Some(self.string()?),
        });
        Some(Rule {
            suggester: suggester?,
            rule: rule?,
        })
    }

    fn suggester(&mut self) -> Option<Suggester> {
        self.ws();
        let name = self.ident()?;
        Suggester::ALL.into_iter().find(|s| s.name() == name)
    }

    /// A float as `ron` writes it (`0.9`, `1.0`, `1e-7`): digits with a point or an exponent.
    /// Anything else (`inf`, `NaN`, a suffix, an integer) is left to `ron`.
    fn float(&mut self) -> Option<f32> {
        self.ws();
        let len = self
            .bytes()
            .iter()
            .position(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+')))
            .unwrap_or(self.bytes().len());
        let number = self.text.get(self.at..self.at + len)?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let (mantissa, exponent) = match number.split_once(['e', 'E']) {
            Some((m, e)) => (m, Some(e)),
            None => (number, None),
        };
        let unsigned = mantissa.strip_prefix('-').unwrap_or(mantissa);
        let mantissa_ok = match unsigned.split_once('.') {
            Some((whole, fraction)) => digits(whole) && digits(fraction),
            None => digits(unsigned) && exponent.is_some(),
        };
        let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
        if !mantissa_ok || !exponent_ok {
            return None;
        }
        let value = number.parse().ok()?;
        self.at += len;
        Some(value)
    }

    fn suggestion(&mut self) -> Option<SuggestionFile<'a>> {
        let (mut label, mut fragments, mut rule, mut score, mut link) =
            (None, None, None, None, None);
        fields!(self, {
            "label" => label = Some(self.string()?),
            "fragments" => fragments = Some(self.list(Self::fragment)?),
            "rule" => rule = Some(self.rule()?),
            "score" => score = Some(self.float()?),
            "link" => link = self.option(Self::link)?,
        });
        Some(SuggestionFile {
            label: label?,
            fragments: fragments?,
            rule: rule?,
            score: score?,
            link,
        })
    }

    fn link(&mut self) -> Option<LinkFile<'a>> {
        let (mut kind, mut label, mut fragments) = (None, None, None);
        fields!(self, {
            "kind" => kind = Some(self.string()?),
            "label" => label = Some(self.string()?),
            "fragments" => fragments = Some(self.list(Self::fragment)?),
        });
        Some(LinkFile {
            kind: kind?,
            label: label?,
            fragments: fragments?,
        })
    }

    fn rejection(&mut self) -> Option<RejectionFile<'a>> {
        let (mut label, mut fragments, mut rule) = (None, None, None);
        fields!(self, {
            "label" => label = Some(self.string()?),
            "fragments" => fragments = Some(self.list(Self::fragment)?),
            "rule" => rule = Some(self.rule()?),
        });
        Some(RejectionFile {
            label: label?,
            fragments: fragments?,
            rule: rule?,
        })
    }

    fn detached(&mut self) -> Option<DetachedFile<'a>> {
        let (mut span, mut reason, mut relations) = (None, String::new(), Vec::new());
        fields!(self, {
            "span" => span = Some(self.annotation()?),
            "reason" => reason = self.string()?,
            "relations" => relations = self.list(Self::relation)?,
        });
        Some(DetachedFile {
            span: span?,
            reason,
            relations,
        })
    }
}
