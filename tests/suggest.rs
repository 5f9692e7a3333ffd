//! The built-in suggesters on texts of our own (`tests/fixtures/suggest/`, French and English,
//! with the spans an analyst would select written inline), on arbitrary text (property tests:
//! no panic, valid sorted ranges), and on the sample corpus (the targets of issue I 6).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use marginalia::model::{Annotation, Document, Id, Project, Timestamp, check_fragments};
use marginalia::schema::Schema;
use marginalia::suggest::{self, Suggester, Suggestion, eval};
use marginalia::text::ByteRange;
use proptest::prelude::*;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/suggest")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

/// A span written inline: `[c:…]` a claim, `[s:…]` a source, `[c3:…]` a claim linked to the
/// source `[s3:…]`.
#[derive(Debug)]
struct Marked {
    label: &'static str,
    number: Option<u32>,
    range: ByteRange,
}

/// The text without its marks, and the marked spans.
fn unmark(marked: &str) -> (String, Vec<Marked>) {
    let mut text = String::new();
    let mut spans = Vec::new();
    let mut open: Option<(&'static str, Option<u32>, usize)> = None;
    let mut rest = marked;
    while let Some(c) = rest.chars().next() {
        if c == '[' && open.is_none() {
            let (head, tail) = rest[1..].split_once(':').unwrap();
            let label = match &head[..1] {
                "c" => "claim",
                "s" => "source",
                "b" => "boilerplate",
                other => panic!("unknown mark {other}"),
            };
            let number = head[1..].parse().ok();
            open = Some((label, number, text.len()));
            rest = tail;
            continue;
        }
        if c == ']'
            && let Some((label, number, start)) = open.take()
        {
            spans.push(Marked {
                label,
                number,
                range: ByteRange::new(start, text.len()),
            });
            rest = &rest[1..];
            continue;
        }
        text.push(c);
        rest = &rest[c.len_utf8()..];
    }
    (text, spans)
}

fn project_of(texts: &[&str]) -> Project {
    let documents = texts
        .iter()
        .enumerate()
        .map(|(i, text)| Document {
            path: format!("doc-{i:03}.txt"),
            hash: marginalia::corpus::sha256_hex(text.as_bytes()),
            text: Arc::from(*text),
            ..Document::default()
        })
        .collect();
    Project::new(
        "test".to_owned(),
        PathBuf::from("/corpus"),
        Schema::default(),
        documents,
    )
}

/// Every suggestion valid on `text`: fragments on char boundaries, sorted, disjoint, trimmed;
/// score in 0..=1; links to valid ranges; the list sorted by position.
fn check(text: &str, list: &[Suggestion]) {
    for s in list {
        assert!(check_fragments(text, &s.fragments).is_ok(), "{s:?}");
        for f in &s.fragments {
            let slice = f.slice(text);
            assert_eq!(
                slice.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'),
                slice,
                "{s:?}"
            );
        }
        assert!((0.0..=1.0).contains(&s.score), "{s:?}");
        if let Some(link) = &s.link {
            assert!(check_fragments(text, &link.fragments).is_ok(), "{s:?}");
        }
    }
    assert!(
        list.windows(2)
            .all(|w| w[0].extent().start <= w[1].extent().start),
        "{list:?}"
    );
}

/// Runs the attribution suggester on a marked fixture and compares claims, sources and links
/// with the marks.
fn attribution_fixture(name: &str) {
    let (text, marks) = unmark(&fixture(name));
    let project = project_of(&[&text]);
    let found = &suggest::run(&project, &[Suggester::Attribution])[0];
    check(&text, found);
    let show = |r: ByteRange| format!("{:?}", r.slice(&text));
    for label in ["claim", "source"] {
        let expected: BTreeSet<String> = marks
            .iter()
            .filter(|m| m.label == label)
            .map(|m| show(m.range))
            .collect();
        let suggested: BTreeSet<String> = found
            .iter()
            .filter(|s| s.label == label)
            .map(|s| show(s.extent()))
            .collect();
        assert_eq!(
            suggested.difference(&expected).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "{name}: {label}s suggested but not expected"
        );
        assert_eq!(
            expected.difference(&suggested).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "{name}: {label}s expected but not suggested"
        );
    }
    let sources: BTreeMap<u32, ByteRange> = marks
        .iter()
        .filter(|m| m.label == "source")
        .filter_map(|m| Some((m.number?, m.range)))
        .collect();
    for claim in marks.iter().filter(|m| m.label == "claim") {
        let Some(source) = claim.number.and_then(|n| sources.get(&n)) else {
            continue;
        };
        let suggestion = found
            .iter()
            .find(|s| s.label == "claim" && s.extent() == claim.range)
            .unwrap();
        let link = suggestion.link.as_ref().unwrap_or_else(|| {
            panic!("{name}: no link on {}", show(claim.range));
        });
        assert_eq!(link.kind, "attributed-to");
        assert_eq!(
            link.fragments,
            vec![*source],
            "{name}: {} linked to the wrong source",
            show(claim.range)
        );
    }
}

#[test]
fn i_attribution_finds_claims_sources_and_links_in_french_news() {
    attribution_fixture("attribution-fr.txt");
}

#[test]
fn i_attribution_finds_claims_sources_and_links_in_english_news() {
    attribution_fixture("attribution-en.txt");
}

#[test]
fn i_boilerplate_of_french_and_english_pages_is_found_line_by_line() {
    for name in ["boilerplate-fr.txt", "boilerplate-en.txt"] {
        let (text, marks) = unmark(&fixture(name));
        let project = project_of(&[&text]);
        let found = &suggest::run(&project, &[Suggester::Boilerplate])[0];
        check(&text, found);
        let expected: BTreeSet<&str> = marks.iter().map(|m| m.range.slice(&text)).collect();
        let suggested: BTreeSet<&str> = found.iter().map(|s| s.extent().slice(&text)).collect();
        assert_eq!(suggested, expected, "{name}");
    }
}

fn load_sample() -> Project {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron");
    marginalia::file::load(&path).unwrap().0
}

#[test]
fn i_the_sample_meets_the_targets_of_issue_i_with_suggestions_made_without_its_gold() {
    let gold = load_sample();
    let report = eval::evaluate_held_out(&gold, &Suggester::ALL);
    let overlap = |s, label| report.row(Some(s), label).unwrap().overlap;
    let boilerplate = overlap(Suggester::Boilerplate, "boilerplate");
    assert!(boilerplate.f1() >= 0.8, "{report}");
    let sources = overlap(Suggester::Attribution, "source");
    assert!(
        sources.recall() >= 0.6 && sources.precision() >= 0.7,
        "{report}"
    );
    let quotes = report
        .rule_row(Suggester::Attribution, "claim", "quote")
        .unwrap()
        .overlap;
    assert!(quotes.precision() >= 0.8, "{report}");
    // The report is the same however many times it is made (no hidden state, sorted output).
    assert_eq!(
        report.to_string(),
        eval::evaluate_held_out(&gold, &Suggester::ALL).to_string()
    );
}

#[test]
fn i_held_out_suggestions_never_copy_the_gold_of_their_own_document() {
    let gold = load_sample();
    let held = eval::held_out(&gold, &[Suggester::Recurring]);
    for (document, list) in gold.documents.iter().zip(&held) {
        // A text labelled only in this document cannot come back as a suggestion here.
        for s in list {
            let text = s.extent().slice(&document.text);
            let elsewhere = gold
                .documents
                .iter()
                .filter(|d| d.path != document.path)
                .flat_map(|d| d.annotations.iter().map(move |a| a.text(&d.text)))
                .any(|t| t == text);
            assert!(elsewhere, "{text:?} in {}", document.path);
        }
    }
}

/// Text made of pieces that the rules look at: quotes of every kind, reporting words, line
/// breaks, accents, emoji, combining marks, Arabic, a BOM.
fn hard_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "« ",
        " »",
        "“",
        "”",
        "\"",
        ", a déclaré ",
        " a déclaré que ",
        "a-t-il ajouté",
        "selon ",
        "Selon ",
        "d'après ",
        "according to ",
        " said ",
        ", said ",
        " that ",
        "Lire aussi",
        "\r\n",
        "\n",
        "\n\n",
        "...",
        "…",
        ": ",
        ". ",
        ", ",
        "le ministre",
        "Le Kremlin",
        "l’AFP",
        "M. ",
        "é",
        "e\u{301}",
        "😀",
        "مرحبا",
        "\u{feff}",
        " ",
        "Partager",
        "©",
        "Chers lecteurs,",
        "faites un don",
        "qu'",
        "dit-il",
        "The minister",
        "Officials",
    ]);
    prop::collection::vec(
        prop_oneof![pieces.prop_map(str::to_owned), "\\PC{0,6}"],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn i_suggesters_never_panic_and_return_valid_sorted_ranges(
        a in hard_text(),
        b in hard_text(),
        from in 0usize..200,
        len in 1usize..40,
    ) {
        let mut project = project_of(&[&a, &b]);
        // A span on the first text, so that `recurring` has something to look for.
        let text = project.documents[0].text.clone();
        let start = marginalia::text::floor_char_boundary(&text, from);
        let end = marginalia::text::floor_char_boundary(&text, start + len);
        if let Some(range) = marginalia::text::trim_range(&text, ByteRange::new(start, end)) {
            project.documents[0].annotations.push(Annotation {
                id: Id(1),
                label: "source".to_owned(),
                fragments: vec![range],
                annotator: "a".to_owned(),
                note: String::new(),
                created: Timestamp(0),
                attributes: BTreeMap::new(),
                provenance: None,
                suggested: None,
            });
            project.documents[0].annotations_changed();
        }
        let found = suggest::run(&project, &Suggester::ALL);
        prop_assert_eq!(found.len(), 2);
        for (document, list) in project.documents.iter().zip(&found) {
            check(&document.text, list);
        }
        let held = eval::held_out(&project, &Suggester::ALL);
        for (document, list) in project.documents.iter().zip(&held) {
            check(&document.text, list);
        }
    }
}
