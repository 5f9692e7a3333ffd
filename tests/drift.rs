//! Corpus drift: when a document's text changes after it was annotated, spans are re-anchored to
//! where their text now is; those that cannot be placed unambiguously are kept aside and listed,
//! never shifted silently.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use marginalia::edit::Edit;
use marginalia::file::{self, Problem};
use marginalia::model::{Annotation, Id, Relation, Timestamp};
use marginalia::text::ByteRange;
use marginalia::workspace::Workspace;

const TEXT: &str = "\u{feff}Le Kremlin a démenti jeudi, selon l'AFP.\r\n\
Kim a dit « non » 😀 à Moscou.\r\n\
Un paragraphe sans intérêt.\r\n\
Selon Reuters, le ministre a dit que tout va bien.\r\n\
Fin de l'été.\r\n";

struct Fixture {
    _dir: tempfile::TempDir,
    project: PathBuf,
    text_file: PathBuf,
    /// Span ids by their text.
    ids: BTreeMap<&'static str, Id>,
}

/// A saved project over one document holding `text`, with a span on each of `phrases` (a
/// phrase with `|` is a discontinuous span) and a link from the first to the second.
fn fixture(text: &str, phrases: &[&'static str]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let text_file = corpus.join("a.txt");
    std::fs::write(&text_file, text).unwrap();
    let mut ws = Workspace::from_folder(&corpus, "zoé").unwrap();
    let mut ids = BTreeMap::new();
    for (n, phrase) in phrases.iter().enumerate() {
        let mut from = 0;
        let fragments = phrase
            .split('|')
            .map(|part| {
                let start = from + text[from..].find(part).unwrap();
                from = start + part.len();
                ByteRange::new(start, from)
            })
            .collect();
        let id = ws.allocate_id();
        ws.apply(Edit::AddAnnotation {
            doc: 0,
            annotation: Annotation {
                id,
                label: if n == 1 { "source" } else { "claim" }.into(),
                fragments,
                annotator: "zoé".into(),
                note: format!("note on {phrase}"),
                created: Timestamp(1_800_000_000),
                attributes: BTreeMap::new(),
                suggested: None,
                provenance: None,
            },
        })
        .unwrap();
        ids.insert(*phrase, id);
    }
    if let [a, b, ..] = phrases {
        let id = ws.allocate_id();
        ws.apply(Edit::AddRelation {
            doc: 0,
            relation: Relation {
                id,
                kind: "attributed-to".into(),
                from: ids[a],
                to: ids[b],
                annotator: "zoé".into(),
                created: Timestamp(1_800_000_000),
            },
        })
        .unwrap();
    }
    let project = dir.path().join("p.ron");
    ws.save_as(&project).unwrap();
    Fixture {
        _dir: dir,
        project,
        text_file,
        ids,
    }
}

/// The text each placed span covers, by id; and the ids kept aside.
fn outcome(ws: &Workspace) -> (BTreeMap<Id, String>, Vec<Id>) {
    let doc = &ws.project().documents[0];
    let placed = doc
        .annotations
        .iter()
        .map(|a| (a.id, a.text(&doc.text)))
        .collect();
    let detached = doc.detached.iter().map(|d| d.annotation.id).collect();
    (placed, detached)
}

fn reanchored(ws: &Workspace) -> (usize, usize) {
    ws.problems()
        .iter()
        .find_map(|p| match p {
            Problem::Reanchored {
                moved, unchanged, ..
            } => Some((*moved, *unchanged)),
            _ => None,
        })
        .expect("a Reanchored problem")
}

const PHRASES: &[&str] = &[
    "Le Kremlin a démenti",
    "l'AFP",
    "Kim a dit « non » 😀",
    "Un paragraphe sans intérêt.",
    "le ministre|que tout va bien",
    "l'été",
];

#[test]
fn words_inserted_before_spans_move_them_all() {
    let f = fixture(TEXT, PHRASES);
    std::fs::write(
        &f.text_file,
        TEXT.replace("Le Kremlin", "Hier soir, le Kremlin"),
    )
    .unwrap();
    let ws = Workspace::open(&f.project).unwrap();
    let (placed, detached) = outcome(&ws);
    // "Le Kremlin a démenti" lost its capital: its text is gone.
    assert_eq!(detached, [f.ids["Le Kremlin a démenti"]]);
    for phrase in &PHRASES[1..] {
        assert_eq!(
            placed[&f.ids[phrase]],
            phrase.replace('|', " … "),
            "{phrase}"
        );
    }
    assert_eq!(reanchored(&ws), (5, 0));
    assert!(
        ws.is_dirty(),
        "re-anchoring changed the project: it needs saving"
    );
    assert!(ws.project().documents[0].is_editable());
    // The link from the detached span went with it.
    let doc = &ws.project().documents[0];
    assert!(doc.relations.is_empty());
    assert_eq!(doc.detached[0].relations.len(), 1);
}

#[test]
fn a_removed_paragraph_and_an_edited_span_are_listed_and_the_rest_moves() {
    let f = fixture(TEXT, PHRASES);
    let new = TEXT
        .replace("Un paragraphe sans intérêt.\r\n", "")
        .replace("Kim a dit « non »", "Kim a dit « oui »");
    std::fs::write(&f.text_file, &new).unwrap();
    let ws = Workspace::open(&f.project).unwrap();
    let (placed, detached) = outcome(&ws);
    let mut want = vec![
        f.ids["Kim a dit « non » 😀"],
        f.ids["Un paragraphe sans intérêt."],
    ];
    want.sort();
    assert_eq!(detached, want);
    assert_eq!(
        placed[&f.ids["le ministre|que tout va bien"]],
        "le ministre … que tout va bien"
    );
    assert_eq!(placed[&f.ids["l'été"]], "l'été");
    // Spans before the edit stay where they were.
    assert_eq!(reanchored(&ws), (2, 2));
    // The relation between two placed spans is kept.
    assert_eq!(ws.project().documents[0].relations.len(), 1);
    let unplaced = ws
        .problems()
        .iter()
        .find_map(|p| match p {
            Problem::Unplaced { spans, .. } => Some(spans.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(unplaced.len(), 2);
    assert_eq!(unplaced[0].text, "Kim a dit « non » 😀");
    assert_eq!(unplaced[0].old_start, TEXT.find("Kim").unwrap());
    assert_eq!(unplaced[0].label, "claim");
    assert!(unplaced[0].reason.contains("no longer in the document"));
}

#[test]
fn a_repeated_phrase_that_becomes_ambiguous_is_listed_not_guessed() {
    let text = "Il a dit oui. Puis il est parti.";
    let f = fixture(text, &["oui", "parti"]);
    // Both occurrences of "oui" have new surroundings: no way to tell which.
    std::fs::write(
        &f.text_file,
        "Elle a répondu oui. Lui aussi oui, puis il est parti.",
    )
    .unwrap();
    let ws = Workspace::open(&f.project).unwrap();
    let (placed, detached) = outcome(&ws);
    assert_eq!(detached, [f.ids["oui"]]);
    assert_eq!(placed[&f.ids["parti"]], "parti");
    let doc = &ws.project().documents[0];
    assert!(
        doc.detached[0].reason.contains("occurs 2 times"),
        "{}",
        doc.detached[0].reason
    );
    // When the context still designates one occurrence, it is placed there.
    let f = fixture(text, &["oui", "parti"]);
    std::fs::write(
        &f.text_file,
        "Elle a dit oui aussi. Il a dit oui. Puis il est parti.",
    )
    .unwrap();
    let ws = Workspace::open(&f.project).unwrap();
    let doc = &ws.project().documents[0];
    let a = doc.annotation(f.ids["oui"]).unwrap();
    assert_eq!(
        a.fragments[0].start,
        "Elle a dit oui aussi. Il a dit ".len()
    );
}

#[test]
fn crlf_to_lf_and_bom_removal_keep_every_span() {
    let f = fixture(TEXT, PHRASES);
    let new = TEXT.replace("\r\n", "\n").replace('\u{feff}', "");
    std::fs::write(&f.text_file, &new).unwrap();
    let ws = Workspace::open(&f.project).unwrap();
    let (placed, detached) = outcome(&ws);
    assert!(detached.is_empty(), "{detached:?}");
    for phrase in PHRASES {
        assert_eq!(placed[&f.ids[phrase]], phrase.replace('|', " … "));
    }
    assert_eq!(reanchored(&ws), (6, 0));
    // And back: LF to CRLF, BOM added.
    let f = fixture(&new, PHRASES);
    std::fs::write(&f.text_file, TEXT).unwrap();
    let ws = Workspace::open(&f.project).unwrap();
    assert!(outcome(&ws).1.is_empty());
    assert_eq!(reanchored(&ws), (6, 0));
}

#[test]
fn a_span_across_a_line_end_survives_crlf_conversion() {
    let f = fixture(TEXT, &["l'AFP.\r\nKim"]);
    std::fs::write(&f.text_file, TEXT.replace("\r\n", "\n")).unwrap();
    let ws = Workspace::open(&f.project).unwrap();
    let (placed, detached) = outcome(&ws);
    assert!(detached.is_empty());
    assert_eq!(placed[&f.ids["l'AFP.\r\nKim"]], "l'AFP.\nKim");
}

#[test]
fn detached_spans_survive_save_and_reload_and_check_lists_them() {
    let f = fixture(TEXT, PHRASES);
    std::fs::write(&f.text_file, TEXT.replace("l'AFP", "Reuters")).unwrap();
    let mut ws = Workspace::open(&f.project).unwrap();
    let before = ws.project().documents[0].detached.clone();
    assert_eq!(before.len(), 1);
    assert!(ws.save().unwrap());
    let saved = std::fs::read_to_string(&f.project).unwrap();
    assert!(saved.contains("detached: ["), "{saved}");
    // One annotation a line, context included.
    let line = saved.lines().find(|l| l.contains("\"Kim a dit")).unwrap();
    assert!(
        line.contains("before: ") && line.contains("after: "),
        "{line}"
    );
    let reopened = Workspace::open(&f.project).unwrap();
    assert!(!reopened.is_dirty());
    assert_eq!(reopened.project().documents[0].detached, before);
    assert_eq!(
        reopened.project().documents[0].annotations,
        ws.project().documents[0].annotations
    );
    // Still listed at every load, until placed or deleted.
    assert!(
        reopened
            .problems()
            .iter()
            .any(|p| matches!(p, Problem::Unplaced { spans, .. } if spans.len() == 1))
    );
    // New ids never reuse a detached span's.
    let mut reopened = reopened;
    let next = reopened.allocate_id();
    assert!(next > before[0].annotation.id && next > before[0].relations[0].id);

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .args(["check", f.project.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("error: a.txt: 1 span(s) could not be placed on its current text"),
        "{stdout}"
    );
    assert!(stdout.contains("source \"l'AFP\" (at byte"), "{stdout}");
}

#[test]
fn check_reports_moved_spans_as_a_warning_and_exits_0() {
    let f = fixture(TEXT, PHRASES);
    std::fs::write(&f.text_file, format!("Titre.\r\n{TEXT}")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .args(["check", f.project.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("warning: a.txt changed since it was annotated: 6 span(s) moved"),
        "{stdout}"
    );
}

#[test]
fn a_detached_span_is_placed_again_when_its_text_comes_back() {
    let f = fixture(TEXT, PHRASES);
    std::fs::write(&f.text_file, TEXT.replace("l'AFP", "Reuters")).unwrap();
    let mut ws = Workspace::open(&f.project).unwrap();
    ws.save().unwrap();
    std::fs::write(&f.text_file, TEXT).unwrap();
    let ws = Workspace::open(&f.project).unwrap();
    let (placed, detached) = outcome(&ws);
    assert!(detached.is_empty());
    assert_eq!(placed[&f.ids["l'AFP"]], "l'AFP");
    // Its link came back with it.
    assert_eq!(ws.project().documents[0].relations.len(), 1);
}

#[test]
fn old_files_without_context_still_load_and_reanchor() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "Puis Kim a dit non.").unwrap();
    let old_hash = marginalia::corpus::sha256_hex(b"Kim a dit non.");
    let ron = format!(
        "(format_version: 1, annotator: \"a\", corpus: \".\", schema: (labels: []), documents: [
           (path: \"a.txt\", sha256: \"{old_hash}\", annotations: [
             (id: 1, label: \"claim\", fragments: [(0, 3, \"Kim\")], annotator: \"a\", created: \"2026-01-01T00:00:00Z\"),
             (id: 2, label: \"claim\", fragments: [(4, 9)], annotator: \"a\", created: \"2026-01-01T00:00:00Z\"),
           ]),
         ])"
    );
    let path = dir.path().join("p.ron");
    std::fs::write(&path, ron).unwrap();
    let (project, _) = file::load(Path::new(&path)).unwrap();
    let doc = &project.documents[0];
    assert_eq!(doc.annotations[0].fragments[0].slice(&doc.text), "Kim");
    // A span whose text the file did not record cannot be placed: kept aside.
    assert_eq!(doc.detached[0].annotation.id, Id(2));
    assert!(doc.detached[0].reason.contains("did not record"));
}

#[test]
fn reanchoring_a_large_text_with_thousands_of_spans() {
    use marginalia::anchor::{Anchor, Placement, context, reanchor};
    use std::fmt::Write as _;
    // 3 MB of varied sentences, 5 000 spans; text inserted at the start.
    let mut text = String::new();
    let mut n = 0u64;
    while text.len() < 3_000_000 {
        n += 1;
        write!(
            text,
            "Phrase {n}: le ministre {} a déclaré « {} » 😀.\r\n",
            n * 7919 % 10007,
            n * 104_729 % 99991
        )
        .unwrap();
    }
    let step = text.len() / 5000;
    let anchors: Vec<Anchor> = (0..5000)
        .filter_map(|i| {
            let start = marginalia::text::floor_char_boundary(&text, i * step);
            let end = marginalia::text::floor_char_boundary(&text, start + 40);
            let range = ByteRange::new(start, end);
            let (before, after) = context(&text, &[range]);
            (start < end).then(|| Anchor {
                fragments: vec![(range, range.slice(&text).to_owned())],
                before,
                after,
            })
        })
        .collect();
    let new = format!("En bref.\n{text}");
    let started = std::time::Instant::now();
    let placements = reanchor(&new, &anchors);
    // Printed, not asserted (speed is for benches): `cargo test --test drift -- --nocapture`.
    eprintln!(
        "re-anchored {} spans on {} bytes in {:?}",
        anchors.len(),
        new.len(),
        started.elapsed()
    );
    for (p, a) in placements.iter().zip(&anchors) {
        match p {
            Placement::Moved(r) => assert_eq!(r[0].slice(&new), a.fragments[0].1),
            other => panic!("{other:?}"),
        }
    }
}
