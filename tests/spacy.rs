//! The spaCy export (`--format spacy`, a `DocBin`), decoded here from its zlib and msgpack as
//! spaCy's `DocBin.from_bytes` and `get_docs` read it. The consumer proof is `.ci/check_spacy.py`,
//! which loads the exports with spaCy itself; these tests pin the layout and the choices.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, HashMap};
use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;

use marginalia::formats::spacy::{SPAN_GROUP, hash_string, murmurhash64a, string_id};
use marginalia::formats::{self, ExportOptions, ExportReport, Format};
use marginalia::model::{Annotation, Document, Project, Status, Timestamp};
use marginalia::schema::{DocAttributeDef, Schema};
use marginalia::text::ByteRange;
use marginalia::workspace::Workspace;
use rmpv::Value;

/// A token as `get_docs` rebuilds it.
#[derive(Debug, Clone, PartialEq)]
struct Tok {
    text: String,
    space: bool,
    iob: u64,
    ent: u64,
}

/// A span of the group, as `SpanGroup.from_bytes` unpacks it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct SpanOut {
    label: String,
    start: i32,
    end: i32,
    start_char: i32,
    end_char: i32,
}

#[derive(Debug)]
struct DocOut {
    tokens: Vec<Tok>,
    spans: Vec<SpanOut>,
    cats: BTreeMap<String, f64>,
    user_data: Value,
}

impl DocOut {
    fn text(&self) -> String {
        let mut text = String::new();
        for t in &self.tokens {
            text.push_str(&t.text);
            if t.space {
                text.push(' ');
            }
        }
        text
    }

    /// `doc.ents` as spaCy reads them from `ENT_IOB` / `ENT_TYPE`: (label, first token, past last).
    fn ents(&self, names: &HashMap<u64, String>) -> Vec<(String, usize, usize)> {
        let mut ents: Vec<(String, usize, usize)> = Vec::new();
        for (i, t) in self.tokens.iter().enumerate() {
            match t.iob {
                3 => ents.push((names[&t.ent].clone(), i, i + 1)),
                1 => {
                    let last = ents.last_mut().expect("I after B");
                    assert_eq!(last.2, i, "I continues the entity before it");
                    assert_eq!(names[&t.ent], last.0);
                    last.2 = i + 1;
                }
                2 => assert_eq!(t.ent, 0, "O has no label"),
                other => panic!("ENT_IOB {other}"),
            }
        }
        ents
    }
}

fn get<'a>(map: &'a Value, key: &str) -> &'a Value {
    map.as_map()
        .unwrap()
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map_or_else(|| panic!("no key {key:?} in {map:?}"), |(_, v)| v)
}

fn read(bytes: &[u8]) -> Value {
    rmpv::decode::read_value(&mut &bytes[..]).unwrap()
}

/// Decodes a `.spacy` file; also returns the id → string map of its `strings`.
fn decode(path: &Path) -> (Vec<DocOut>, HashMap<u64, String>) {
    let mut msgpack = Vec::new();
    flate2::read::ZlibDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut msgpack)
        .unwrap();
    let msg = read(&msgpack);
    let keys: Vec<&str> = msg
        .as_map()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "version",
            "attrs",
            "tokens",
            "spaces",
            "lengths",
            "strings",
            "cats",
            "flags",
            "span_groups",
            "user_data"
        ]
    );
    assert_eq!(get(&msg, "version").as_str(), Some("0.1"));
    let attrs: Vec<u64> = get(&msg, "attrs")
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(attrs, [65, 77, 78], "ORTH, ENT_IOB, ENT_TYPE");
    let strings: Vec<String> = get(&msg, "strings")
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert!(strings.windows(2).all(|w| w[0] < w[1]), "sorted, unique");
    let names: HashMap<u64, String> = strings.iter().map(|s| (string_id(s), s.clone())).collect();
    let tokens = get(&msg, "tokens").as_slice().expect("tokens are bytes");
    let spaces = get(&msg, "spaces").as_slice().expect("spaces are bytes");
    let lengths: Vec<usize> = get(&msg, "lengths")
        .as_slice()
        .expect("lengths are bytes")
        .chunks_exact(4)
        .map(|c| usize::try_from(i32::from_le_bytes(c.try_into().unwrap())).unwrap())
        .collect();
    let total: usize = lengths.iter().sum();
    assert_eq!(tokens.len(), total * 24);
    assert_eq!(spaces.len(), total);
    let cats = get(&msg, "cats").as_array().unwrap();
    let flags = get(&msg, "flags").as_array().unwrap();
    let groups = get(&msg, "span_groups").as_array().unwrap();
    let user_data = get(&msg, "user_data").as_array().unwrap();
    for list in [cats, flags, groups, user_data] {
        assert_eq!(list.len(), lengths.len(), "one a document");
    }
    let u64_at = |i: usize| u64::from_le_bytes(tokens[i * 8..i * 8 + 8].try_into().unwrap());
    let mut docs = Vec::new();
    let mut at = 0;
    for (d, &length) in lengths.iter().enumerate() {
        assert_eq!(get(&flags[d], "has_unknown_spaces").as_bool(), Some(false));
        let toks = (at..at + length)
            .map(|t| Tok {
                text: names[&u64_at(t * 3)].clone(),
                space: match spaces[t] {
                    0 => false,
                    1 => true,
                    other => panic!("space byte {other}"),
                },
                iob: u64_at(t * 3 + 1),
                ent: u64_at(t * 3 + 2),
            })
            .collect();
        at += length;
        // SpanGroups.to_bytes: {SpanGroup bytes: [keys]}.
        let group_map = read(groups[d].as_slice().expect("span group bytes"));
        let entries = group_map.as_map().unwrap();
        assert_eq!(entries.len(), 1);
        let (group, keys) = &entries[0];
        assert_eq!(keys.as_array().unwrap().len(), 1);
        assert_eq!(keys.as_array().unwrap()[0].as_str(), Some(SPAN_GROUP));
        let group = read(group.as_slice().unwrap());
        assert_eq!(get(&group, "name").as_str(), Some(SPAN_GROUP));
        assert!(get(&group, "attrs").as_map().unwrap().is_empty());
        let spans = get(&group, "spans")
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let b = s.as_slice().expect("a span is 40 bytes");
                assert_eq!(b.len(), 40, ">QQQllll");
                let q = |i: usize| u64::from_be_bytes(b[i..i + 8].try_into().unwrap());
                let l = |i: usize| i32::from_be_bytes(b[i..i + 4].try_into().unwrap());
                assert_eq!((q(0), q(8)), (0, 0), "no id, no kb_id");
                SpanOut {
                    label: names[&q(16)].clone(),
                    start: l(24),
                    end: l(28),
                    start_char: l(32),
                    end_char: l(36),
                }
            })
            .collect();
        let cats = cats[d]
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str().unwrap().to_owned(), v.as_f64().unwrap()))
            .collect();
        docs.push(DocOut {
            tokens: toks,
            spans,
            cats,
            user_data: read(user_data[d].as_slice().expect("user data bytes")),
        });
    }
    (docs, names)
}

fn export(project: &Project, dir: &Path) -> (Vec<DocOut>, HashMap<u64, String>, ExportReport) {
    let out = dir.join("out.spacy");
    let report = formats::export(
        project,
        Format::Spacy,
        &ExportOptions::default(),
        &out,
        &mut |_, _| {},
    )
    .unwrap();
    let (docs, names) = decode(&out);
    (docs, names, report)
}

fn chars(text: &str, byte: usize) -> i32 {
    i32::try_from(text[..byte].chars().count()).unwrap()
}

/// The torture fixture (BOM, CRLF, emoji, combining marks, Arabic, Hebrew, nested and
/// discontinuous spans) and the sample project: each doc's tokens rebuild its text exactly; the
/// span group holds every fragment with its label, in code points, on token boundaries; the
/// ents are fragments that do not overlap, every other token `O`; `user_data` has the id.
#[test]
fn h_spacy_export_round_trips_text_spans_and_ents() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for project in ["tests/fixtures/torture/torture.ron", "projects/sample.ron"] {
        let ws = Workspace::open(&root.join(project)).unwrap();
        let project = ws.project();
        let dir = tempfile::tempdir().unwrap();
        let (docs, names, report) = export(project, dir.path());
        assert_eq!(docs.len(), project.documents.len());
        assert_eq!(report.documents, docs.len());
        let mut discontinuous = 0;
        for (document, doc) in project.documents.iter().zip(&docs) {
            let text = &*document.text;
            assert_eq!(doc.text(), text, "{}", document.path);
            assert!(doc.tokens.iter().all(|t| !t.text.is_empty()));
            // Token start offsets in code points, and their ends.
            let mut starts = Vec::new();
            let mut at = 0;
            for t in &doc.tokens {
                let len = i32::try_from(t.text.chars().count()).unwrap();
                starts.push((at, at + len));
                at += len + i32::from(t.space);
            }
            let mut expected: Vec<SpanOut> = Vec::new();
            for a in &document.annotations {
                if a.fragments.len() > 1 {
                    discontinuous += 1;
                }
                for f in &a.fragments {
                    let (start_char, end_char) = (chars(text, f.start), chars(text, f.end));
                    let start = starts.iter().position(|s| s.0 == start_char).unwrap();
                    let end = starts.iter().position(|s| s.1 == end_char).unwrap() + 1;
                    expected.push(SpanOut {
                        label: a.label.clone(),
                        start: i32::try_from(start).unwrap(),
                        end: i32::try_from(end).unwrap(),
                        start_char,
                        end_char,
                    });
                }
            }
            assert_eq!(
                doc.spans, expected,
                "{}: every fragment, in text order",
                document.path
            );
            let ents = doc.ents(&names);
            for w in ents.windows(2) {
                assert!(w[0].2 <= w[1].1, "ents do not overlap");
            }
            for (label, start, end) in &ents {
                assert!(
                    doc.spans.iter().any(|s| s.label == *label
                        && s.start == i32::try_from(*start).unwrap()
                        && s.end == i32::try_from(*end).unwrap()),
                    "an ent is a fragment"
                );
            }
            assert_eq!(
                get(&doc.user_data, "id").as_str(),
                Some(document.path.strip_suffix(".txt").unwrap_or(&document.path))
            );
            assert!(get(&doc.user_data, "meta").as_map().is_some());
        }
        let fragments: usize = docs.iter().map(|d| d.spans.len()).sum();
        let ents: usize = docs.iter().map(|d| d.ents(&names).len()).sum();
        let left_out: usize = report
            .notes
            .iter()
            .filter(|n| n.contains("not in doc.ents"))
            .map(|n| n.split(' ').next().unwrap().parse::<usize>().unwrap())
            .sum();
        assert_eq!(fragments, ents + left_out, "{:?}", report.notes);
        if discontinuous > 0 {
            assert!(report.notes.contains(&format!(
                "{discontinuous} discontinuous span(s) written as one span a fragment"
            )));
        }
    }
}

fn annotation(project: &mut Project, label: &str, fragments: &[(usize, usize)]) -> Annotation {
    Annotation {
        id: project.allocate_id(),
        label: label.into(),
        fragments: fragments
            .iter()
            .map(|&(s, e)| ByteRange::new(s, e))
            .collect(),
        annotator: "zoé".into(),
        note: String::new(),
        created: Timestamp(1_800_000_000),
        attributes: BTreeMap::new(),
        suggested: None,
        provenance: None,
    }
}

fn one_document(text: &str, schema: Schema) -> Project {
    let document = Document {
        path: "a.txt".into(),
        hash: marginalia::corpus::sha256_hex(text.as_bytes()),
        text: Arc::from(text),
        status: Status::Done,
        ..Document::default()
    };
    Project::new("zoé".into(), "/corpus".into(), schema, vec![document])
}

fn add(project: &mut Project, label: &str, phrases: &[&str]) {
    let text = project.documents[0].text.clone();
    let fragments: Vec<(usize, usize)> = phrases
        .iter()
        .map(|p| {
            let s = text.find(p).unwrap();
            (s, s + p.len())
        })
        .collect();
    let annotation = annotation(project, label, &fragments);
    marginalia::edit::Edit::AddAnnotation { doc: 0, annotation }
        .apply(project)
        .unwrap();
}

/// Where spans overlap, `doc.ents` keeps the label that comes first in the schema (then the
/// earlier span), and the report counts, by label, the fragments that could not go into
/// `doc.ents`; the span group keeps them all. Spans that start or end inside a word, or on the
/// space after it, still lie on token boundaries.
#[test]
fn h_spacy_ents_follow_schema_order_and_the_report_counts_the_rest() {
    let text = "Le Kremlin a dit  hier: « Vos soldats »";
    let build = |source_first: bool| {
        let mut schema = Schema::default();
        if source_first {
            let source = schema
                .labels
                .iter()
                .position(|l| l.name == "source")
                .unwrap();
            let label = schema.labels.remove(source);
            schema.labels.insert(0, label);
        }
        let mut project = one_document(text, schema);
        add(
            &mut project,
            "claim",
            &["Le Kremlin a dit", "« Vos soldats »"],
        );
        add(&mut project, "source", &["Le Kremlin"]);
        // Inside a word, and a span that starts on a space.
        add(&mut project, "source", &["Kreml"]);
        add(&mut project, "boilerplate", &[" hier"]);
        project
    };
    let dir = tempfile::tempdir().unwrap();
    // The default schema: claim, source, boilerplate.
    let (docs, names, report) = export(&build(false), dir.path());
    let doc = &docs[0];
    assert_eq!(doc.text(), text);
    let ents: Vec<String> = doc
        .ents(&names)
        .iter()
        .map(|(label, s, e)| {
            let words: Vec<&str> = doc.tokens[*s..*e].iter().map(|t| t.text.as_str()).collect();
            format!("{label}:{}", words.join("|"))
        })
        .collect();
    assert_eq!(
        ents,
        [
            "claim:Le|Kreml|in|a|dit",
            "boilerplate: |hier",
            "claim:«|Vos|soldats|»"
        ]
    );
    assert_eq!(doc.spans.len(), 5, "the group keeps every fragment");
    assert!(
        report.notes.contains(
            &"2 source fragment(s) not in doc.ents: they overlap a label that comes first in the \
              schema or an earlier fragment (they are in doc.spans[\"marginalia\"])"
                .to_owned()
        ),
        "{:?}",
        report.notes
    );
    assert!(
        !report
            .notes
            .iter()
            .any(|n| n.contains("claim fragment(s) not in"))
    );
    // Source first: the longer source wins over the claim and the nested one.
    let (docs, names, report) = export(&build(true), dir.path());
    let labels: Vec<String> = docs[0].ents(&names).into_iter().map(|e| e.0).collect();
    assert_eq!(labels, ["source", "boilerplate", "claim"]);
    for expected in [
        "1 claim fragment(s) not in doc.ents",
        "1 source fragment(s) not in doc.ents",
    ] {
        assert!(
            report.notes.iter().any(|n| n.starts_with(expected)),
            "{expected}: {:?}",
            report.notes
        );
    }
}

/// Document attributes are `doc.cats`: `NAME=VALUE` 1.0 for the document's value and 0.0 for the
/// attribute's other values; a free-text attribute only 1.0 for its value; none for an attribute
/// the document has no value for. The metadata and the id are in `doc.user_data`.
#[test]
fn l_document_attributes_are_spacy_cats() {
    let schema = Schema {
        document_attributes: vec![
            DocAttributeDef {
                name: "genre".into(),
                values: vec!["news".into(), "opinion".into(), "other".into()],
                description: String::new(),
                key: "g".into(),
            },
            DocAttributeDef {
                name: "topic".into(),
                values: Vec::new(),
                description: String::new(),
                key: String::new(),
            },
            DocAttributeDef {
                name: "to-check".into(),
                values: vec!["yes".into(), "no".into()],
                description: String::new(),
                key: String::new(),
            },
        ],
        ..Schema::default()
    };
    let mut project = one_document("Le texte.", schema);
    let document = &mut project.documents[0];
    document.attributes = BTreeMap::from([
        ("genre".to_owned(), "opinion".to_owned()),
        ("topic".to_owned(), "Corée du Nord".to_owned()),
    ]);
    document.metadata = BTreeMap::from([
        ("title".to_owned(), serde_json::json!("Un titre")),
        ("year".to_owned(), serde_json::json!(2025)),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let (docs, _, report) = export(&project, dir.path());
    let cats: Vec<(&str, f64)> = docs[0].cats.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        cats,
        [
            ("genre=news", 0.0),
            ("genre=opinion", 1.0),
            ("genre=other", 0.0),
            ("topic=Corée du Nord", 1.0)
        ]
    );
    let user = &docs[0].user_data;
    assert_eq!(get(user, "id").as_str(), Some("a"));
    let meta = get(user, "meta");
    assert_eq!(get(meta, "title").as_str(), Some("Un titre"));
    assert_eq!(get(meta, "year").as_u64(), Some(2025));
    assert!(!report.notes.iter().any(|n| n.contains("does not list")));
    // A value the schema does not list is 1.0 beside the listed ones, and reported.
    project.documents[0]
        .attributes
        .insert("to-check".into(), "maybe".into());
    let (docs, _, report) = export(&project, dir.path());
    assert_eq!(docs[0].cats.get("to-check=maybe"), Some(&1.0));
    assert_eq!(docs[0].cats.get("to-check=yes"), Some(&0.0));
    assert_eq!(docs[0].cats.get("to-check=no"), Some(&0.0));
    assert!(
        report.notes.iter().any(|n| n
            .starts_with("1 document(s) have a value of to-check that the schema does not list")),
        "{:?}",
        report.notes
    );
}

/// spaCy's `hash_string` (`MurmurHash64A`, seed 1, over UTF-8), values computed with spaCy 3.8:
/// `python -c "from spacy.strings import hash_string; print(hash_string('claim'))"`; reserved
/// symbols are their number (`nlp.vocab.strings["PERSON"] == 380`).
#[test]
fn h_spacy_string_ids_are_spacy_hashes_and_symbols() {
    for (string, hash) in [
        ("claim", 4_563_812_988_814_619_444),
        ("source", 9_032_917_268_300_750_242),
        ("boilerplate", 17_851_554_556_079_802_437),
        ("é", 16_256_712_947_286_012_828),
        ("😀", 13_900_606_239_988_879_105),
        ("Le Kremlin 😀 a dit", 16_986_200_189_193_474_628),
        ("abcdefgh", 17_751_780_907_874_141_760),
        ("abcdefghi", 13_885_881_106_499_164_936),
    ] {
        assert_eq!(hash_string(string), hash, "{string}");
        assert_eq!(string_id(string), hash, "{string}");
    }
    assert_eq!(murmurhash64a(b"claim", 1), hash_string("claim"));
    assert_eq!(string_id(""), 0);
    assert_eq!(string_id("PERSON"), 380);
    assert_eq!(string_id("ORTH"), 65);
}

/// `import --help` does not list spacy, and `import --format spacy` says it cannot be imported.
#[test]
fn h_spacy_is_export_only() {
    assert!(!Format::Spacy.can_import());
    assert_eq!(Format::Spacy.extension(), "spacy");
    let err = formats::import(Format::Spacy, Path::new("x.spacy")).unwrap_err();
    assert_eq!(err.to_string(), "spacy files cannot be imported");
}
