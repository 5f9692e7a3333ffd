//! The label schema of a project: span labels, relation types and attributes.
//!
//! The schema lives in the project file, so that every annotator of a corpus works with the same
//! labels and guidelines (each label's description is its annotation guideline).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An sRGB colour, written `"#rrggbb"` in project files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb(pub [u8; 3]);

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

/// A colour that is not `#rrggbb`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a colour of the form #rrggbb")]
pub struct ColorError(String);

impl FromStr for Rgb {
    type Err = ColorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = || ColorError(s.to_owned());
        let hex = s
            .strip_prefix('#')
            .filter(|h| h.len() == 6 && h.is_ascii())
            .ok_or_else(error)?;
        let channel = |i: usize| {
            hex.get(i..i + 2)
                .and_then(|c| u8::from_str_radix(c, 16).ok())
                .ok_or_else(error)
        };
        Ok(Self([channel(0)?, channel(2)?, channel(4)?]))
    }
}

impl Serialize for Rgb {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rgb {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A span label: what an annotator can call a piece of text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelDef {
    /// Unique name, used in files and exports (`claim`).
    pub name: String,
    /// Highlight colour.
    pub color: Rgb,
    /// Keyboard key that applies the label (`"1"`), or empty for none.
    #[serde(default)]
    pub key: String,
    /// The annotation guideline for this label, shown as the palette button's tooltip.
    #[serde(default)]
    pub description: String,
}

/// A type of link between two spans, e.g. a claim `attributed-to` its source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationDef {
    /// Unique name (`attributed-to`).
    pub name: String,
    /// Labels allowed at the start of the link (empty: any).
    #[serde(default)]
    pub from: Vec<String>,
    /// Labels allowed at the end of the link (empty: any).
    #[serde(default)]
    pub to: Vec<String>,
    /// What the link means: the guideline.
    #[serde(default)]
    pub description: String,
}

impl RelationDef {
    /// True when a span labelled `label` may be at one end or the other of a link of this type.
    pub fn touches(&self, label: &str) -> bool {
        let fits = |allowed: &[String]| allowed.is_empty() || allowed.iter().any(|a| a == label);
        fits(&self.from) || fits(&self.to)
    }

    /// True when a link of this type may go from a span labelled `from` to one labelled `to`.
    pub fn allows(&self, from: &str, to: &str) -> bool {
        let fits = |allowed: &[String], label: &str| {
            allowed.is_empty() || allowed.iter().any(|a| a == label)
        };
        fits(&self.from, from) && fits(&self.to, to)
    }
}

/// An attribute that spans of one label can carry, with its allowed values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDef {
    /// The label whose spans carry it.
    pub label: String,
    /// Attribute name (`stance`).
    pub name: String,
    /// Allowed values (`affirm`, `refute`, `neutral`).
    pub values: Vec<String>,
    /// What the attribute means: the guideline.
    #[serde(default)]
    pub description: String,
    /// Keyboard key that cycles the selected span through the values (`"s"`), or empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
}

/// An attribute of a whole document (its genre, whether to check it…), with its allowed values:
/// the analyst sets it in the header above the text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocAttributeDef {
    /// Attribute name (`genre`).
    pub name: String,
    /// Allowed values (`news`, `opinion`, `press-release`, `other`); none for free text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// What the attribute means: the guideline.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Keyboard key that, with Alt, cycles the document through the values (`"g"`), or empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
}

impl DocAttributeDef {
    /// True when any text is a value.
    pub fn is_free_text(&self) -> bool {
        self.values.is_empty()
    }

    /// The value after `current` in the list (the first when there is none), `None` after the
    /// last: what the attribute's key gives.
    pub fn next_value(&self, current: Option<&str>) -> Option<&str> {
        match current.and_then(|c| self.values.iter().position(|v| v == c)) {
            None => self.values.first().map(String::as_str),
            Some(i) => self.values.get(i + 1).map(String::as_str),
        }
    }
}

/// The labels, relation types and attributes of a project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// Span labels, in palette order.
    pub labels: Vec<LabelDef>,
    /// Relation types.
    #[serde(default)]
    pub relations: Vec<RelationDef>,
    /// Span attributes.
    #[serde(default)]
    pub attributes: Vec<AttributeDef>,
    /// Attributes of whole documents. Left out of the file when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub document_attributes: Vec<DocAttributeDef>,
    /// The project's own dictionaries and regular expressions, per label, for the patterns
    /// suggester ([`crate::suggest::patterns`]). Left out of the file when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<PatternDef>,
}

/// Terms and regular expressions that suggest spans of one label: `source` for `"l'AFP"`,
/// `"le Kremlin"`, `"KCNA"`, or `r"\bselon (?:des|les) experts\b"`.
///
/// Terms match on whole words, the longest first where two overlap, regardless of case and
/// accents (`"Agence"` finds `"agence"`, `"Etat"` finds `"État"`) unless `match_case`, when they
/// match exactly as written; a term may be written with a straight or a curly apostrophe, and
/// finds both. Regular expressions
/// use the syntax of the `regex` crate and match as they are written (add `(?i)` for any case);
/// when one has a capture group, the first group is the span.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatternDef {
    /// The label of the spans it suggests.
    pub label: String,
    /// Words and phrases, matched as whole words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<String>,
    /// Regular expressions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regexes: Vec<String>,
    /// Terms match exactly as written, case and accents (apostrophes still either way).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub match_case: bool,
}

/// What is wrong with a [`PatternDef`], said to the person who wrote it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// The label is not in the schema.
    #[error(
        "pattern {number} of the schema is for the label {label:?}, which the schema does not \
         define: its terms and regular expressions are not used"
    )]
    UnknownLabel {
        /// Its place in the schema's list, from 1.
        number: usize,
        /// The label.
        label: String,
    },
    /// A term is empty or only white space.
    #[error("pattern {number} of the schema ({label}) has an empty term: it is not used")]
    EmptyTerm {
        /// Its place in the schema's list, from 1.
        number: usize,
        /// The label.
        label: String,
    },
    /// A regular expression does not compile, or can match nothing but empty text.
    #[error(
        "pattern {number} of the schema ({label}): the regular expression {regex:?} cannot be \
         used: {reason}"
    )]
    BadRegex {
        /// Its place in the schema's list, from 1.
        number: usize,
        /// The label.
        label: String,
        /// The expression as written.
        regex: String,
        /// Why, in the words of the `regex` crate (the first line) or ours.
        reason: String,
    },
}

impl PatternDef {
    /// The problems of this pattern, `number` being its place in the schema's list (from 1).
    pub fn check(&self, schema: &Schema, number: usize) -> Vec<PatternError> {
        let mut errors = Vec::new();
        if schema.label(&self.label).is_none() {
            errors.push(PatternError::UnknownLabel {
                number,
                label: self.label.clone(),
            });
        }
        if self.terms.iter().any(|t| t.trim().is_empty()) {
            errors.push(PatternError::EmptyTerm {
                number,
                label: self.label.clone(),
            });
        }
        for regex in &self.regexes {
            let reason = match regex::Regex::new(regex) {
                Err(regex::Error::CompiledTooBig(limit)) => Some(format!(
                    "it is too large once compiled (over {limit} bytes)"
                )),
                Err(error) => Some(
                    error
                        .to_string()
                        .lines()
                        .last()
                        .unwrap_or("it is not a valid regular expression")
                        .trim()
                        .trim_start_matches("error: ")
                        .to_owned(),
                ),
                Ok(compiled) if compiled.is_match("") => {
                    Some("it matches empty text, so it would suggest empty spans".to_owned())
                }
                Ok(_) => None,
            };
            if let Some(reason) = reason {
                errors.push(PatternError::BadRegex {
                    number,
                    label: self.label.clone(),
                    regex: regex.clone(),
                    reason,
                });
            }
        }
        errors
    }
}

/// Why a schema change was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// A label name is empty.
    #[error("a label needs a name")]
    EmptyName,
    /// Two labels would share a name.
    #[error("there is already a label named {0:?}")]
    DuplicateName(String),
    /// Two labels would share a key.
    #[error("the key {key:?} is already used by the label {label:?}")]
    DuplicateKey {
        /// The key.
        key: String,
        /// The label that has it.
        label: String,
    },
    /// A key is not a single character.
    #[error("a label's key must be one character, not {0:?}")]
    BadKey(String),
    /// A key that a command or an attribute already uses.
    #[error("the key {key:?} is taken: {by}")]
    ReservedKey {
        /// The key.
        key: String,
        /// What uses it.
        by: String,
    },
    /// The label does not exist.
    #[error("there is no label number {0}")]
    NoSuchLabel(usize),
    /// A document attribute without a name.
    #[error("a document attribute needs a name")]
    EmptyDocAttribute,
    /// Two document attributes with one name.
    #[error("there is already a document attribute named {0:?}")]
    DuplicateDocAttribute(String),
    /// A value listed twice.
    #[error("the document attribute {attribute:?} lists the value {value:?} twice")]
    DuplicateValue {
        /// The attribute.
        attribute: String,
        /// The value.
        value: String,
    },
}

/// Plain keys the app's commands use, which labels and attributes cannot take.
pub const RESERVED_KEYS: [&str; 7] = ["l", "n", "p", "a", "b", "h", "x"];

/// Default colours offered to new labels, chosen to stay readable under dark text in both themes.
pub const PALETTE: [Rgb; 8] = [
    Rgb([0xf2, 0xa1, 0x3b]),
    Rgb([0x4f, 0x9d, 0xde]),
    Rgb([0x9a, 0x9a, 0x9a]),
    Rgb([0x5c, 0xb8, 0x5c]),
    Rgb([0xd9, 0x53, 0x4f]),
    Rgb([0xa8, 0x6f, 0xd6]),
    Rgb([0x2b, 0xb5, 0xa8]),
    Rgb([0xe0, 0x6f, 0xb0]),
];

impl Default for Schema {
    /// Claims, sources and boilerplate, with the guidelines an analyst follows.
    fn default() -> Self {
        let label = |name: &str, color: Rgb, key: &str, description: &str| LabelDef {
            name: name.to_owned(),
            color,
            key: key.to_owned(),
            description: description.to_owned(),
        };
        let attribute =
            |label: &str, name: &str, values: &[&str], key: &str, description: &str| AttributeDef {
                label: label.to_owned(),
                name: name.to_owned(),
                values: values.iter().map(|v| (*v).to_owned()).collect(),
                description: description.to_owned(),
                key: key.to_owned(),
            };
        Self {
            labels: vec![
                label(
                    "claim",
                    PALETTE[0],
                    "1",
                    "A checkable statement presented as fact or attributed to someone: an event, \
                     a figure, a quote, an accusation, a prediction. Select the proposition itself \
                     (the clause, or the quoted words with their quotation marks), not the \
                     attribution verb or its source. One claim per proposition. Headlines that \
                     assert facts are claims; colour with nothing to check is not.",
                ),
                label(
                    "source",
                    PALETTE[1],
                    "2",
                    "Who makes or carries a claim: a person with their title, an organisation, a \
                     ministry, an agency or media outlet, intelligence services, a document, or an \
                     anonymous source (\"des experts\"). Select the noun phrase, without \"selon\" \
                     and without the verb. Pronouns are not sources: link the claim to the nearest \
                     named mention instead.",
                ),
                label(
                    "boilerplate",
                    PALETTE[2],
                    "3",
                    "Text that is not part of the article: donation appeals, \"Lire aussi\" blocks \
                     and their teasers, navigation lines, share buttons, duplicated captions, \
                     unrelated teasers, stray page-chrome words. Select the whole line.",
                ),
            ],
            relations: vec![RelationDef {
                name: "attributed-to".to_owned(),
                from: vec!["claim".to_owned()],
                to: vec!["source".to_owned()],
                description: "The claim is made or carried by this source.".to_owned(),
            }],
            attributes: vec![
                attribute(
                    "claim",
                    "stance",
                    &["affirm", "refute", "neutral"],
                    "s",
                    "The source's stance toward the proposition; neutral when merely reported.",
                ),
                attribute(
                    "claim",
                    "checkworthy",
                    &["yes", "no"],
                    "w",
                    "Whether the claim is worth checking.",
                ),
                attribute(
                    "claim",
                    "own",
                    &["yes"],
                    "o",
                    "The journalist's own assertion: no source, by decision rather than omission.",
                ),
                attribute(
                    "source",
                    "kind",
                    &["person", "organisation", "media", "document", "anonymous"],
                    "k",
                    "What kind of source this is.",
                ),
            ],
            patterns: Vec::new(),
            document_attributes: Vec::new(),
        }
    }
}

impl Schema {
    /// The problems of every pattern of the schema (see [`PatternDef::check`]).
    pub fn check_patterns(&self) -> Vec<PatternError> {
        self.patterns
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.check(self, i + 1))
            .collect()
    }

    /// The document attribute named `name`.
    pub fn document_attribute(&self, name: &str) -> Option<&DocAttributeDef> {
        self.document_attributes.iter().find(|a| a.name == name)
    }

    /// Why `defs` cannot be the document attributes: a name empty or twice, a value twice, a key
    /// that is not one character or is taken by another document attribute.
    pub fn check_document_attributes(defs: &[DocAttributeDef]) -> Result<(), SchemaError> {
        let mut names = std::collections::BTreeSet::new();
        let mut keys = std::collections::BTreeMap::new();
        for def in defs {
            if def.name.trim().is_empty() {
                return Err(SchemaError::EmptyDocAttribute);
            }
            if !names.insert(def.name.as_str()) {
                return Err(SchemaError::DuplicateDocAttribute(def.name.clone()));
            }
            let mut values = std::collections::BTreeSet::new();
            for value in &def.values {
                if !values.insert(value.as_str()) {
                    return Err(SchemaError::DuplicateValue {
                        attribute: def.name.clone(),
                        value: value.clone(),
                    });
                }
            }
            if def.key.is_empty() {
                continue;
            }
            if def.key.chars().count() != 1 {
                return Err(SchemaError::BadKey(def.key.clone()));
            }
            if let Some(other) = keys.insert(def.key.to_lowercase(), def.name.as_str()) {
                return Err(SchemaError::ReservedKey {
                    key: def.key.clone(),
                    by: format!("the document attribute {other:?} has it (with Alt)"),
                });
            }
        }
        Ok(())
    }

    /// The label named `name`.
    pub fn label(&self, name: &str) -> Option<&LabelDef> {
        self.labels.iter().find(|l| l.name == name)
    }

    /// The position of the label named `name` in the palette.
    pub fn label_index(&self, name: &str) -> Option<usize> {
        self.labels.iter().position(|l| l.name == name)
    }

    /// The label whose key is `key`.
    pub fn label_for_key(&self, key: &str) -> Option<&LabelDef> {
        self.labels
            .iter()
            .find(|l| !l.key.is_empty() && l.key == key)
    }

    /// The relation type named `name`.
    pub fn relation(&self, name: &str) -> Option<&RelationDef> {
        self.relations.iter().find(|r| r.name == name)
    }

    /// The attributes that spans labelled `label` can carry.
    pub fn attributes_of<'a>(&'a self, label: &'a str) -> impl Iterator<Item = &'a AttributeDef> {
        self.attributes.iter().filter(move |a| a.label == label)
    }

    /// Checks that `def` may replace the label at `index` (or be appended, with `index` equal to
    /// the number of labels): a name, a unique name, a key of one character, a unique key.
    pub fn check_label(&self, index: usize, def: &LabelDef) -> Result<(), SchemaError> {
        if index > self.labels.len() {
            return Err(SchemaError::NoSuchLabel(index));
        }
        if def.name.trim().is_empty() {
            return Err(SchemaError::EmptyName);
        }
        if def.key.chars().count() > 1 {
            return Err(SchemaError::BadKey(def.key.clone()));
        }
        if let Some(by) = self.key_user(&def.key) {
            return Err(SchemaError::ReservedKey {
                key: def.key.clone(),
                by,
            });
        }
        for (other_index, other) in self.labels.iter().enumerate() {
            if other_index == index {
                continue;
            }
            if other.name == def.name {
                return Err(SchemaError::DuplicateName(def.name.clone()));
            }
            if !def.key.is_empty() && other.key == def.key {
                return Err(SchemaError::DuplicateKey {
                    key: def.key.clone(),
                    label: other.name.clone(),
                });
            }
        }
        Ok(())
    }

    /// What other than a label uses the plain key `key`: a command of the app (`L` links spans)
    /// or an attribute.
    pub fn key_user(&self, key: &str) -> Option<String> {
        if key.is_empty() {
            return None;
        }
        if RESERVED_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            return Some(
                "the app uses it (L links spans, N and P walk through differences, A, B, H and X rule on them)".to_owned(),
            );
        }
        self.attributes
            .iter()
            .find(|a| a.key.eq_ignore_ascii_case(key))
            .map(|a| format!("the {} attribute of {} uses it", a.name, a.label))
    }

    /// A name and colour for a new label that no other label has.
    pub fn new_label(&self) -> LabelDef {
        let name = (1..=self.labels.len() + 1)
            .map(|n| format!("label-{n}"))
            .find(|name| self.label(name).is_none())
            .unwrap_or_default();
        let color = PALETTE
            .iter()
            .copied()
            .find(|c| self.labels.iter().all(|l| l.color != *c))
            .or_else(|| PALETTE.get(self.labels.len() % PALETTE.len()).copied())
            .unwrap_or(Rgb([0x80, 0x80, 0x80]));
        let key = (1..=9)
            .map(|n| n.to_string())
            .find(|k| self.label_for_key(k).is_none())
            .unwrap_or_default();
        LabelDef {
            name,
            color,
            key,
            description: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_round_trip_through_text() {
        let c: Rgb = "#f2a13b".parse().unwrap();
        assert_eq!(c, Rgb([0xf2, 0xa1, 0x3b]));
        assert_eq!(c.to_string(), "#f2a13b");
        assert!("f2a13b".parse::<Rgb>().is_err());
        assert!("#f2a1".parse::<Rgb>().is_err());
        assert!("#é2a13b".parse::<Rgb>().is_err());
    }

    #[test]
    fn default_schema_has_the_three_labels_on_keys_one_to_three() {
        let schema = Schema::default();
        let names: Vec<_> = schema
            .labels
            .iter()
            .map(|l| (l.name.as_str(), l.key.as_str()))
            .collect();
        assert_eq!(
            names,
            [("claim", "1"), ("source", "2"), ("boilerplate", "3")]
        );
        assert!(schema.labels.iter().all(|l| !l.description.is_empty()));
        assert!(
            schema
                .relation("attributed-to")
                .unwrap()
                .allows("claim", "source")
        );
        assert!(
            !schema
                .relation("attributed-to")
                .unwrap()
                .allows("source", "claim")
        );
    }

    #[test]
    fn label_checks_refuse_clashes() {
        let schema = Schema::default();
        let mut def = schema.new_label();
        assert_eq!(def.key, "4");
        assert_eq!(schema.check_label(3, &def), Ok(()));
        def.name = "claim".into();
        assert_eq!(
            schema.check_label(3, &def),
            Err(SchemaError::DuplicateName("claim".into()))
        );
        // A label keeps its own name and key.
        let claim = schema.labels[0].clone();
        assert_eq!(schema.check_label(0, &claim), Ok(()));
        def.name = "x".into();
        def.key = "2".into();
        assert!(matches!(
            schema.check_label(3, &def),
            Err(SchemaError::DuplicateKey { .. })
        ));
        def.key = "12".into();
        assert_eq!(
            schema.check_label(3, &def),
            Err(SchemaError::BadKey("12".into()))
        );
        // Keys of commands and attributes are refused, in either case.
        for taken in ["L", "s", "K"] {
            def.key = taken.into();
            assert!(
                matches!(
                    schema.check_label(3, &def),
                    Err(SchemaError::ReservedKey { .. })
                ),
                "{taken}"
            );
        }
    }
}
