//! Project files: RON on disk, read whole or not at all, written atomically.
//!
//! The file shape is separate from the in-memory model ([`crate::model`]) so that either can
//! change without the other. See the README's "Project file" section for the format.
//!
//! Saving never leaves a partial file: see [`replace_with_backup`] and the README's "Your work is
//! safe". Other outputs (exports, merged and imported projects) are written the same way, whole
//! or not at all, and never over their own inputs: see [`AtomicFile`], [`AtomicFolder`] and
//! [`refuse_inputs`].
//!
//! - `errors`: what goes wrong loading and saving, and the problems loading finds;
//! - `format`: the file's shape and the conversions to and from the model;
//! - `load`: reading, parsing, checking, re-anchoring; `unknown`: fields `ron` skipped, named;
//! - `merge`: three-way merge of two versions of a project file (git's merge driver);
//! - `read`, `write`: the fast reader and writer of ron's exact layout;
//! - `save`: atomic writes, backups, stamps; `output`: atomic files and folders for every other
//!   output; `batch`: many files behind one durability barrier, and locks.

mod batch;
mod errors;
mod format;
mod load;
mod merge;
mod output;
mod read;
mod save;
mod unknown;
mod write;

mod complete;
pub use batch::{Lock, WriteMode, WrittenFiles, lock_beside, lock_path, write_files};
pub use complete::complete_path;
pub use errors::{LoadError, Problem, SaveError, Severity, UnplacedSpan};
pub use format::{to_ron, to_ron_serde};
pub use load::{
    corpus_outside, corpus_outside_of, from_json, from_ron, from_ron_serde, load, load_confirming,
    load_stamped, to_json,
};
pub use merge::{Conflict, MergeReport, Renumbered, Side, load_without_texts, merge_three_way};
pub use output::{AtomicFile, AtomicFolder, Input, OutputError, real_path, refuse_inputs};
pub use save::{
    FileStamp, STALE_TEMPORARY, backup_path, remove_stale_temporaries, replace_with_backup, save,
    save_new, save_stamped, write_atomic,
};

// What read, write, batch and output take from their siblings.
use format::{
    AnnotationFile, DetachedFile, DocumentFile, FragmentFile, LinkFile, ProjectFile, RejectionFile,
    RelationFile, SpanText, SuggestionFile,
};
use save::{create_temporary, create_unique, make_backup, split, sync_dir, write_flushed};
use unknown::ron_noting_unknown;

use std::path::{Component, Path, PathBuf};

/// The project file format this build writes, and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// The path of `target` relative to the folder `base`, with `/` separators; absolute when the two
/// share no root.
pub fn relative_path(base: &Path, target: &Path) -> String {
    let base: Vec<Component> = base.components().collect();
    let target_parts: Vec<Component> = target.components().collect();
    let common = base
        .iter()
        .zip(&target_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return target.to_string_lossy().into_owned();
    }
    let mut parts: Vec<String> = base.iter().skip(common).map(|_| "..".to_owned()).collect();
    parts.extend(
        target_parts
            .iter()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// An absolute, normalised version of `path` (resolving links when it exists).
pub fn absolute(path: &Path) -> PathBuf {
    path.canonicalize()
        .unwrap_or_else(|_| std::path::absolute(path).unwrap_or_else(|_| path.to_owned()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::unknown::parse_with_ron;
    use super::*;
    use crate::anchor::DetachedSpan;
    use crate::corpus::{self, CorpusError};
    use crate::model::{
        Annotation, Document, Id, Project, Provenance, Relation, Status, TextState, Timestamp,
    };
    use crate::schema::Schema;
    use crate::text::ByteRange;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path(
                Path::new("/w/main/projects"),
                Path::new("/w/main/assets/corpus")
            ),
            "../assets/corpus"
        );
        assert_eq!(relative_path(Path::new("/w/p"), Path::new("/w/p")), ".");
        assert_eq!(relative_path(Path::new("/w/p"), Path::new("/w/p/c")), "c");
    }

    fn reader(
        texts: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&Path, &str) -> Result<corpus::DocumentText, CorpusError> {
        move |_, relative| {
            let (_, text) =
                texts
                    .iter()
                    .find(|(p, _)| *p == relative)
                    .ok_or_else(|| CorpusError::Io {
                        path: relative.into(),
                        source: std::io::ErrorKind::NotFound.into(),
                    })?;
            Ok(corpus::DocumentText {
                text: (*text).to_owned(),
                hash: corpus::sha256_hex(text.as_bytes()),
                decoded_from: None,
            })
        }
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let broken = "(\n  format_version: 1,\n  annotator: \"a\",\n  corpus: 12,\n)";
        let error = from_ron(broken, Path::new("p.ron"), Path::new("/"), reader(&[])).unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("p.ron:4:"), "{message}");
    }

    /// Opening a text, a JSON file or another program's RON file by mistake says so in words,
    /// without the program's type names (`ProjectFile`).
    #[test]
    fn j_files_that_are_not_projects_say_so_in_words() {
        let cases = [
            ("Call me Ishmaël.\nSome years ago…\n", "plain text"),
            (
                "\u{feff}  {\"name\": \"x\", \"documents\": []}",
                "a JSON file",
            ),
            ("[{\"text\": \"é\"}]", "a JSON file"),
            ("<?xml version=\"1.0\"?><doc/>", "an XML or HTML file"),
            ("Project(version: 1)", "a RON file of another kind"),
            (
                "(annotator: \"a\", corpus: \".\")",
                "a RON file of another kind",
            ),
        ];
        for (text, looks_like) in cases {
            let error =
                from_ron(text, Path::new("novel.txt"), Path::new("/"), reader(&[])).unwrap_err();
            let message = error.to_string();
            assert!(
                matches!(&error, LoadError::NotAProject { looks_like: l, .. } if l.starts_with(looks_like)),
                "{text:?}: {message}"
            );
            assert!(
                message.starts_with("novel.txt is not a Marginalia project file: it looks like"),
                "{message}"
            );
            assert!(!message.contains("ProjectFile"), "{message}");
        }
    }

    /// A project file broken inside is a syntax error (line, column), worded without type names.
    #[test]
    fn j_syntax_errors_inside_a_project_use_no_type_names() {
        let missing = "(format_version: 1, annotator: \"a\", schema: (labels: []), documents: [])";
        let error = from_ron(missing, Path::new("p.ron"), Path::new("/"), reader(&[])).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, LoadError::Syntax { .. }), "{message}");
        assert!(
            message.contains("the field `corpus` is missing from the project"),
            "{message}"
        );
        let cut = "(format_version: 1, annotator: \"a\", corpus: \".\", schema: (labels: []), documents: [(path: \"a.txt\"";
        let message = from_ron(cut, Path::new("p.ron"), Path::new("/"), reader(&[]))
            .unwrap_err()
            .to_string();
        assert!(!message.contains("File`"), "{message}");
        assert!(message.starts_with("p.ron:1:"), "{message}");
    }

    #[test]
    fn newer_versions_are_refused() {
        let newer = "(format_version: 99, annotator: \"a\", corpus: \".\", schema: (labels: []), documents: [])";
        let error = from_ron(newer, Path::new("p.ron"), Path::new("/"), reader(&[])).unwrap_err();
        assert!(matches!(error, LoadError::Version { found: 99, .. }));
    }

    #[test]
    fn changed_and_missing_texts_are_reported_and_read_only() {
        let hash = corpus::sha256_hex(b"old text");
        let ron = format!(
            "(format_version: 1, annotator: \"a\", corpus: \".\", schema: (labels: []), documents: [
               (path: \"a.txt\", sha256: \"{hash}\", annotations: [(id: 1, label: \"claim\", fragments: [(0, 3, \"old\")], annotator: \"a\", created: \"2026-01-01T00:00:00Z\")]),
               (path: \"gone.txt\", sha256: \"{hash}\"),
             ])"
        );
        let (project, problems) = from_ron(
            &ron,
            Path::new("p.ron"),
            Path::new("/"),
            reader(&[("a.txt", "new text")]),
        )
        .unwrap();
        // The changed text is editable, with its new hash; the span whose text is gone is kept
        // aside and listed.
        assert!(project.documents[0].is_editable());
        assert_eq!(project.documents[0].hash, corpus::sha256_hex(b"new text"));
        assert!(matches!(
            project.documents[1].text_state,
            TextState::Missing { .. }
        ));
        assert!(project.documents[0].annotations.is_empty());
        assert_eq!(project.documents[0].detached.len(), 1);
        assert!(problems.contains(&Problem::Reanchored {
            path: "a.txt".into(),
            moved: 0,
            unchanged: 0,
        }));
        assert!(problems.iter().any(|p| matches!(p, Problem::Unplaced { path, spans }
            if path == "a.txt" && spans.len() == 1 && spans[0].text == "old" && spans[0].old_start == 0)));
        assert!(problems.contains(&Problem::UnknownLabel {
            label: "claim".into(),
            count: 1
        }));
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, Problem::Missing { path, .. } if path == "gone.txt"))
        );
        assert!(project.schema.label("claim").is_some());
    }

    /// A project over one hard text (BOM, emoji, combining accent, CRLF, Arabic) with a pending
    /// suggestion and its link, a rejection and a span accepted from a suggestion.
    const SUGGESTED_TEXT: &str =
        "\u{feff}Selon l’AFP 😀, le Kremlin a e\u{301}té clair.\r\nالعربية";

    fn suggested_project() -> (Project, Vec<crate::suggestion::Rule>) {
        use crate::suggestion::{Rejection, Rule, SuggestedLink, Suggester, Suggestion};
        let at = |phrase: &str| {
            let start = SUGGESTED_TEXT.find(phrase).unwrap();
            ByteRange::new(start, start + phrase.len())
        };
        let rule = |suggester, name: &str| Rule {
            suggester,
            rule: name.to_owned(),
        };
        let rules = vec![
            rule(Suggester::Patterns, "dictionary: l'AFP"),
            rule(Suggester::Attribution, "selon X"),
            rule(Suggester::Boilerplate, "repeated line"),
        ];
        let document = Document {
            path: "a.txt".into(),
            hash: corpus::sha256_hex(SUGGESTED_TEXT.as_bytes()),
            text: Arc::from(SUGGESTED_TEXT),
            annotations: vec![Annotation {
                id: Id(1),
                label: "source".into(),
                fragments: vec![at("l’AFP")],
                annotator: "a".into(),
                note: String::new(),
                created: Timestamp(0),
                attributes: BTreeMap::new(),
                provenance: None,
                suggested: Some(rules[0].clone()),
            }],
            suggestions: vec![
                Suggestion {
                    label: "claim".into(),
                    fragments: vec![at("le Kremlin a e\u{301}té clair")],
                    rule: rules[1].clone(),
                    score: 0.7,
                    link: Some(SuggestedLink {
                        kind: "attributed-to".into(),
                        label: "source".into(),
                        fragments: vec![at("l’AFP")],
                    }),
                },
                Suggestion {
                    label: "source".into(),
                    fragments: vec![at("le Kremlin")],
                    rule: rules[0].clone(),
                    score: 0.9,
                    link: None,
                },
            ],
            rejected: vec![Rejection {
                label: "boilerplate".into(),
                fragments: vec![at("العربية")],
                rule: rules[2].clone(),
            }],
            ..Document::default()
        };
        let project = Project::new("a".into(), "/c".into(), Schema::default(), vec![document]);
        (project, rules)
    }

    fn suggested_reader(
        text: &'static str,
    ) -> impl Fn(&Path, &str) -> Result<corpus::DocumentText, CorpusError> {
        move |_, _| {
            Ok(corpus::DocumentText {
                text: text.to_owned(),
                hash: corpus::sha256_hex(text.as_bytes()),
                decoded_from: None,
            })
        }
    }

    #[test]
    fn i_pending_rejected_and_suggested_survive_save_and_load() {
        let (project, rules) = suggested_project();
        let ron = to_ron(&project, Path::new("/c"));
        assert_eq!(ron, to_ron_serde(&project, Path::new("/c")));
        assert!(
            ron.contains(r#"suggested: Some((suggester: patterns, rule: "dictionary: l\'AFP"))"#),
            "{ron}"
        );
        assert!(
            ron.contains("score: 0.7, link: Some((kind: \"attributed-to\""),
            "{ron}"
        );
        assert!(
            ron.contains("rejected: [\n        (label: \"boilerplate\""),
            "{ron}"
        );
        // The fast reader reads it (no fallback to `ron`), as `ron` does.
        assert_eq!(
            read::project(&ron),
            parse_with_ron(&ron, Path::new("p.ron")).ok()
        );
        let (back, problems) = from_ron(
            &ron,
            Path::new("p.ron"),
            Path::new("/c"),
            suggested_reader(SUGGESTED_TEXT),
        )
        .unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        let (ours, theirs) = (&project.documents[0], &back.documents[0]);
        assert_eq!(theirs.annotations, ours.annotations);
        assert_eq!(theirs.suggestions, ours.suggestions);
        assert_eq!(theirs.rejected, ours.rejected);
        assert_eq!(theirs.annotations[0].suggested.as_ref(), Some(&rules[0]));
        // A suggested span is not a gold span.
        assert!(!back.is_gold());
        assert_eq!(to_ron(&back, Path::new("/c")), ron);
    }

    #[test]
    fn i_files_without_suggestions_are_written_as_before() {
        let (mut project, _) = suggested_project();
        let document = &mut project.documents[0];
        document.suggestions.clear();
        document.rejected.clear();
        document.annotations[0].suggested = None;
        let ron = to_ron(&project, Path::new("/c"));
        for key in ["suggestions", "rejected", "suggested", "patterns"] {
            assert!(!ron.contains(key), "{key} in {ron}");
        }
    }

    #[test]
    fn i_suggestions_that_do_not_fit_their_text_are_refused_in_words() {
        let (project, _) = suggested_project();
        let ron = to_ron(&project, Path::new("/c"));
        // Inside the emoji: not a character boundary.
        let emoji = SUGGESTED_TEXT.find('😀').unwrap();
        let broken = ron.replacen(
            "(label: \"source\", fragments: [(",
            &format!(
                "(label: \"source\", fragments: [({}, {}, \"x\"), (",
                emoji + 1,
                emoji + 2
            ),
            1,
        );
        assert_ne!(broken, ron);
        let error = from_ron(
            &broken,
            Path::new("p.ron"),
            Path::new("/c"),
            suggested_reader(SUGGESTED_TEXT),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("suggestion 2 of a.txt (source by patterns: dictionary: l'AFP)"),
            "{error}"
        );
        let score = ron.replacen("score: 0.9", "score: 1.5", 1);
        let error = from_ron(
            &score,
            Path::new("p.ron"),
            Path::new("/c"),
            suggested_reader(SUGGESTED_TEXT),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("is not a number from 0 to 1"), "{error}");
    }

    #[test]
    fn i_a_changed_text_drops_pending_suggestions_and_keeps_rejections_still_on_their_text() {
        let (project, _) = suggested_project();
        let ron = to_ron(&project, Path::new("/c"));
        // Text added at the end: the rejection still covers its text, at the same place.
        let longer: &'static str =
            "\u{feff}Selon l’AFP 😀, le Kremlin a e\u{301}té clair.\r\nالعربية\r\nFin.";
        let (back, problems) = from_ron(
            &ron,
            Path::new("p.ron"),
            Path::new("/c"),
            suggested_reader(longer),
        )
        .unwrap();
        let document = &back.documents[0];
        assert!(document.suggestions.is_empty());
        assert_eq!(document.rejected, project.documents[0].rejected);
        let dropped = Problem::SuggestionsDropped {
            path: "a.txt".into(),
            suggestions: 2,
            rejections: 0,
        };
        assert!(problems.contains(&dropped), "{problems:?}");
        assert!(
            dropped
                .to_string()
                .contains("2 pending suggestion(s) were dropped")
        );
        assert_eq!(dropped.severity(), Severity::Warning);
        // Text added at the start: the rejection's offsets now cover other text, it is forgotten.
        let shifted: &'static str =
            "Titre\r\n\u{feff}Selon l’AFP 😀, le Kremlin a e\u{301}té clair.\r\nالعربية";
        let (back, problems) = from_ron(
            &ron,
            Path::new("p.ron"),
            Path::new("/c"),
            suggested_reader(shifted),
        )
        .unwrap();
        assert!(back.documents[0].rejected.is_empty());
        assert!(problems.contains(&Problem::SuggestionsDropped {
            path: "a.txt".into(),
            suggestions: 2,
            rejections: 1,
        }));
    }

    #[test]
    fn g_unknown_fields_are_named_even_in_the_schema() {
        let ron = "(format_version: 1, annotator: \"a\", corpus: \".\", schema: (labels: [], \
                   colours: 1), documents: [])";
        // The fast reader leaves the file to `ron`, which names the field.
        assert!(read::project(ron).is_none());
        let (_, problems) = from_ron(ron, Path::new("p.ron"), Path::new("/"), reader(&[])).unwrap();
        assert_eq!(
            problems,
            [Problem::UnknownField {
                document: None,
                within: "the schema".into(),
                field: "colours".into()
            }]
        );
        assert_eq!(problems[0].severity(), Severity::Error);
    }

    #[test]
    fn spans_that_do_not_fit_the_text_are_refused_whole() {
        let text = "é";
        let hash = corpus::sha256_hex(text.as_bytes());
        let ron = format!(
            "(format_version: 1, annotator: \"a\", corpus: \".\", schema: (labels: []), documents: [
               (path: \"a.txt\", sha256: \"{hash}\", annotations: [(id: 1, label: \"claim\", fragments: [(0, 1)], annotator: \"a\", created: \"2026-01-01T00:00:00Z\")]),
             ])"
        );
        let error = from_ron(
            &ron,
            Path::new("p.ron"),
            Path::new("/"),
            reader(&[("a.txt", "é")]),
        )
        .unwrap_err();
        assert!(error.to_string().contains("span 1 of a.txt"), "{error}");
    }

    #[test]
    fn atomic_writes_replace_the_file_and_leave_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.ron");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let missing = dir.path().join("no/such/dir/p.ron");
        assert!(write_atomic(&missing, b"x").is_err());
    }

    /// What the mutation test inserts: RON that the fast reader must refuse or read as `ron` does.
    const MUTATIONS: &[&str] = &[
        "",
        " ",
        "\n",
        ",",
        ")",
        "(",
        "]",
        "[",
        "{",
        "}",
        ":",
        "\"",
        "\\",
        "'",
        "//c\n",
        "/*c*/",
        "Some(",
        "None",
        "true",
        "false",
        "0x1F",
        "1_0",
        "01",
        "+1",
        "-1",
        "1.5",
        "r\"x\"",
        "r#\"x\"#",
        "\\u{301}",
        "\\u{110000}",
        "\\x41",
        "\\\n  ",
        "\u{0B}",
        "\u{85}",
        "ToDo",
        "Done",
        "id: 3, ",
        "note: \"n\", ",
        "extra: 1, ",
        "ProjectFile",
        "#![enable(implicit_some)]\n",
        "99999999999999999999",
        "\"2026-01-01T00:00:00+01:00\"",
        "\u{feff}",
        "1e5",
        "0.9",
        "1.e5",
        "-0.0",
        "suggested: None, ",
        "patterns",
    ];

    /// Any characters: controls, combining marks, quotes, backslashes, emoji, Arabic...
    fn any_text(max: usize) -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy as _;
        proptest::collection::vec(proptest::prelude::any::<char>(), 0..max)
            .prop_map(String::from_iter)
    }

    /// A project with every kind of entry the file holds: spans with notes, attributes and
    /// provenance, relations, spans set aside with their relations, a document whose text is
    /// missing; strings drawn from all of Unicode.
    fn rich_project(text: &str, strings: &[String], seeds: &[(usize, usize, u8)]) -> Project {
        let pick = |i: usize| {
            strings
                .get(i % strings.len().max(1))
                .cloned()
                .unwrap_or_default()
        };
        let mut annotations = Vec::new();
        let mut detached = Vec::new();
        let mut relations = Vec::new();
        let (mut suggestions, mut rejected) = (Vec::new(), Vec::new());
        for (i, &(start, len, flags)) in seeds.iter().enumerate() {
            let a = crate::text::floor_char_boundary(text, start);
            let b = crate::text::floor_char_boundary(text, a + len);
            let mut fragments = vec![ByteRange::new(a, b)];
            if flags & 1 == 1 && b < text.len() {
                let c = crate::text::floor_char_boundary(text, b + 1 + len);
                if c > b {
                    let c2 = crate::text::floor_char_boundary(text, c + len);
                    if c2 > c {
                        fragments.push(ByteRange::new(c, c2));
                    }
                }
            }
            let mut attributes = BTreeMap::new();
            if flags & 2 == 2 {
                attributes.insert(pick(i + 1), pick(i + 2));
                attributes.insert("kind".to_owned(), pick(i + 3));
            }
            let provenance = match flags % 4 {
                0 => None,
                1 => Some(Provenance::default()),
                2 => Some(Provenance {
                    annotators: vec![pick(i), "b".into()],
                    adjudicator: None,
                    unresolved: true,
                }),
                _ => Some(Provenance {
                    annotators: vec![pick(i + 4)],
                    adjudicator: Some(pick(i + 5)),
                    unresolved: false,
                }),
            };
            let annotation = Annotation {
                id: Id(i as u64 * 7 + 1),
                label: pick(i),
                fragments,
                annotator: pick(i + 6),
                note: if flags & 4 == 4 {
                    pick(i + 7)
                } else {
                    String::new()
                },
                created: Timestamp(1_700_000_000 + i64::try_from(i).unwrap() * 86_461),
                attributes,
                provenance,
                suggested: (flags & 16 == 16).then(|| crate::suggestion::Rule {
                    suggester: crate::suggestion::Suggester::ALL[i % 4],
                    rule: pick(i + 12),
                }),
            };
            let rule = crate::suggestion::Rule {
                suggester: crate::suggestion::Suggester::ALL[(i + 1) % 4],
                rule: pick(i + 13),
            };
            if flags & 32 == 32 {
                suggestions.push(crate::suggestion::Suggestion {
                    label: pick(i + 14),
                    fragments: annotation.fragments.clone(),
                    rule: rule.clone(),
                    // Scores whose shortest form is long, short, 0 and 1.
                    score: [1.0 / 3.0, 0.9, 0.0, 1.0, 1e-7][i % 5],
                    link: (flags & 64 == 64).then(|| crate::suggestion::SuggestedLink {
                        kind: pick(i + 15),
                        label: pick(i + 16),
                        fragments: vec![ByteRange::new(0, a)],
                    }),
                });
            }
            if flags & 128 == 128 {
                rejected.push(crate::suggestion::Rejection {
                    label: pick(i + 17),
                    fragments: annotation.fragments.clone(),
                    rule,
                });
            }
            if flags & 8 == 8 {
                detached.push(DetachedSpan {
                    texts: annotation.fragments.iter().map(|_| pick(i + 8)).collect(),
                    annotation,
                    before: pick(i + 9),
                    after: pick(i + 10),
                    reason: pick(i + 11),
                    relations: Vec::new(),
                });
            } else {
                annotations.push(annotation);
            }
        }
        for pair in annotations.windows(2) {
            relations.push(Relation {
                id: Id(pair[0].id.0 * 1000 + 3),
                kind: pick(pair[0].id.0 as usize),
                from: pair[0].id,
                to: pair[1].id,
                annotator: pick(3),
                created: Timestamp(1_800_000_000),
            });
        }
        if let (Some(span), Some(first)) = (detached.first_mut(), annotations.first()) {
            span.relations.push(Relation {
                id: Id(999_999),
                kind: "attributed-to".into(),
                from: first.id,
                to: span.annotation.id,
                annotator: pick(2),
                created: Timestamp(0),
            });
        }
        // Metadata of every shape JSON has: strings (the common case, read fast), numbers,
        // floats, negatives, booleans, null, lists and maps (left to `ron`).
        let mut metadata = crate::model::Metadata::new();
        if let Some(&(_, _, flags)) = seeds.first() {
            metadata.insert(pick(0), serde_json::Value::String(pick(1)));
            metadata.insert("id".into(), serde_json::Value::from(flags));
            if flags & 1 == 1 {
                metadata.insert(
                    pick(2),
                    serde_json::json!([1.5, -3, true, null, {"a": pick(3), "b": [pick(4)]}]),
                );
            }
        }
        // Document attributes with any text as name and value (free-text attributes).
        let mut attributes = BTreeMap::new();
        if let Some(&(_, _, flags)) = seeds.last() {
            attributes.insert("genre".to_owned(), pick(usize::from(flags)));
            if flags & 2 == 2 {
                attributes.insert(pick(3), pick(4));
            }
        }
        let mut schema = Schema::default();
        schema.document_attributes = attributes
            .keys()
            .map(|name| crate::schema::DocAttributeDef {
                name: name.clone(),
                values: Vec::new(),
                description: pick(2),
                key: String::new(),
            })
            .collect();
        let current = Document {
            path: pick(0),
            hash: corpus::sha256_hex(text.as_bytes()),
            text: Arc::from(text),
            status: Status::Done,
            metadata,
            attributes,
            annotations: annotations.clone(),
            relations: relations.clone(),
            detached,
            suggestions: suggestions.clone(),
            rejected: rejected.clone(),
            ..Document::default()
        };
        let missing = Document {
            path: "gone/é.txt".into(),
            hash: "0".repeat(64),
            text_state: TextState::Missing {
                reason: pick(1),
                recorded: BTreeMap::new(),
            },
            annotations,
            relations,
            suggestions,
            rejected,
            ..Document::default()
        };
        let empty = Document {
            path: "empty.txt".into(),
            ..Document::default()
        };
        Project::new(
            pick(1),
            "/corpus".into(),
            schema,
            vec![current, missing, empty],
        )
    }

    #[test]
    fn a_cut_inside_a_hand_edited_string_falls_back_to_reading_the_list_whole() {
        let seeds: Vec<(usize, usize, u8)> = (0..30).map(|i| (i * 3, 5, 4)).collect();
        let strings = ["a".to_owned(), "x\n    (\n      path: y".to_owned()];
        let mut project = rich_project(
            "Un texte assez long pour trente spans, é😀.",
            &strings,
            &seeds,
        );
        let copy = project.documents[0].clone();
        for i in 0..20 {
            project.documents.push(Document {
                path: format!("{i}.txt"),
                ..copy.clone()
            });
        }
        let written = to_ron(&project, Path::new("/"));
        // What someone editing the file by hand may write: real line ends inside the note.
        let edited = written.replace("x\\n    (\\n      path: y", "x\n    (\n      path: y");
        assert_ne!(edited, written);
        let slow = parse_with_ron(&edited, Path::new("p.ron")).unwrap();
        assert_eq!(read::project(&edited), Some(slow));
    }

    #[test]
    fn the_written_file_is_what_ron_writes_for_the_sample_projects() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects");
        for name in ["sample.ron", "sample-second-annotator.ron"] {
            let (project, _) = load(&root.join(name)).unwrap();
            let fast = to_ron(&project, &root);
            assert_eq!(fast, to_ron_serde(&project, &root), "{name}");
            assert_eq!(
                fast,
                std::fs::read_to_string(root.join(name)).unwrap(),
                "{name}"
            );
        }
        let empty = Project::new("a".into(), "/c".into(), Schema::default(), Vec::new());
        assert_eq!(
            to_ron(&empty, Path::new("/c")),
            to_ron_serde(&empty, Path::new("/c"))
        );
    }

    proptest::proptest! {
        /// Save then load gives back the same project, on text with accents, emoji, combining
        /// marks, CRLF, a BOM and Arabic.
        #[test]
        fn save_then_load_is_identity(
            spans in proptest::collection::vec((0usize..200, 1usize..40, 0usize..3, "\\PC{0,12}"), 0..30),
            status in 0usize..3,
        ) {
            const TEXT: &str = "\u{feff}« Vos soldats » 😀, a dit Poutine.\r\nالعربية e\u{301} l'été\r\n";
            let texts: &'static [(&'static str, &'static str)] = &[("a.txt", TEXT), ("b/c.txt", "")];
            let read = reader(texts);
            let documents = ["a.txt", "b/c.txt"].iter().map(|p| {
                let t = read(Path::new("/"), p).unwrap();
                Document { path: (*p).to_owned(), hash: t.hash, text: Arc::from(t.text), ..Document::default() }
            }).collect();
            let mut project = Project::new("zoé".into(), "/corpus".into(), Schema::default(), documents);
            let labels = ["claim", "source", "boilerplate"];
            for (start, len, label, note) in spans {
                let a = crate::text::floor_char_boundary(TEXT, start);
                let b = crate::text::floor_char_boundary(TEXT, a + len);
                if a == b { continue; }
                let annotation = Annotation {
                    id: project.allocate_id(),
                    label: labels[label].into(),
                    fragments: vec![ByteRange::new(a, b)],
                    annotator: "zoé".into(),
                    note,
                    created: Timestamp(1_800_000_000),
                    attributes: BTreeMap::new(),
                    suggested: None,
                    provenance: None,
                };
                crate::edit::Edit::AddAnnotation { doc: 0, annotation }.apply(&mut project).unwrap();
            }
            project.documents[0].status = Status::ALL[status];
            let ron = to_ron(&project, Path::new("/corpus"));
            let (back, problems) = from_ron(&ron, Path::new("p.ron"), Path::new("/corpus"), reader(texts)).unwrap();
            proptest::prop_assert!(problems.is_empty(), "{:?}", problems);
            proptest::prop_assert_eq!(&back.schema, &project.schema);
            proptest::prop_assert_eq!(&back.annotator, &project.annotator);
            for (a, b) in back.documents.iter().zip(&project.documents) {
                proptest::prop_assert_eq!(&a.annotations, &b.annotations);
                proptest::prop_assert_eq!(&a.relations, &b.relations);
                proptest::prop_assert_eq!(a.status, b.status);
                proptest::prop_assert_eq!(&a.hash, &b.hash);
            }
            // Saving again gives the same bytes: files diff cleanly.
            proptest::prop_assert_eq!(to_ron(&back, Path::new("/corpus")), ron);
        }

        /// The fast reader reads every file the writer writes, into what `ron` reads.
        #[test]
        fn the_fast_reader_reads_what_ron_reads(
            text in any_text(80),
            strings in proptest::collection::vec(any_text(10), 1..12),
            seeds in proptest::collection::vec((0usize..400, 0usize..20, 0u8..=255), 0..12),
        ) {
            let written = to_ron(&rich_project(&text, &strings, &seeds), Path::new("/"));
            let fast = read::project(&written);
            proptest::prop_assert!(fast.is_some(), "the fast reader gave up on {}", written);
            proptest::prop_assert_eq!(fast, parse_with_ron(&written, Path::new("p.ron")).ok());
        }

        /// Whatever a text becomes (hand edits, merges gone wrong, truncation), when the fast
        /// reader accepts it, `ron` accepts it too and reads the same values.
        #[test]
        fn the_fast_reader_accepts_nothing_ron_would_read_differently(
            seeds in proptest::collection::vec((0usize..400, 0usize..20, 0u8..=255), 1..6),
            edits in proptest::collection::vec((0.0f64..1.0, 0usize..4, 0usize..MUTATIONS.len()), 1..4),
        ) {
            let strings = ["claim".to_owned(), "é\"'\\ \u{301}😀".to_owned(), "a\nb\tc".to_owned()];
            let mut written = to_ron(&rich_project("« Vos soldats » 😀, a dit\r\n l'été e\u{301}.", &strings, &seeds), Path::new("/"));
            for (at, removed, insert) in edits {
                let at = crate::text::floor_char_boundary(&written, (at * written.len() as f64) as usize);
                let end = crate::text::floor_char_boundary(&written, at + removed);
                written.replace_range(at..end, MUTATIONS[insert]);
            }
            if let Some(fast) = read::project(&written) {
                let slow = parse_with_ron(&written, Path::new("p.ron"));
                proptest::prop_assert_eq!(Some(fast), slow.ok(), "{}", written);
            }
        }

        /// The hand-written writer gives exactly `ron`'s bytes, whatever the strings hold.
        #[test]
        fn the_written_file_is_what_ron_writes(
            text in any_text(80),
            strings in proptest::collection::vec(any_text(10), 1..12),
            seeds in proptest::collection::vec((0usize..400, 0usize..20, 0u8..=255), 0..12),
        ) {
            let project = rich_project(&text, &strings, &seeds);
            proptest::prop_assert_eq!(to_ron(&project, Path::new("/")), to_ron_serde(&project, Path::new("/")));
        }
    }
}
