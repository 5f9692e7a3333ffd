//! Issue J 10: link curves never cross lines of text, in the real app headless.

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use egui::{Key, Modifiers, Pos2, Rect, vec2};

mod common;

/// How much of a row, at its top and at its bottom, is the gap between lines: a row is
/// `theme::LINE_HEIGHT` (27) tall with glyphs of about 18 centred in it.
const GAP: f32 = 4.0;

/// The points of `path`, every half point along its segments.
fn along(path: &[Pos2]) -> Vec<Pos2> {
    let mut points = Vec::new();
    for pair in path.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let steps = ((b - a).length() * 2.0).ceil().max(1.0) as usize;
        for i in 0..=steps {
            points.push(a + (b - a) * (i as f32 / steps as f32));
        }
    }
    points
}

fn crossings(harness: &egui_kittest::Harness<'_, marginalia::ui::MarginaliaApp>) -> (usize, usize) {
    let app = harness.state();
    let document = &app.workspace().unwrap().project().documents[app.current_document()];
    let paths = app.text_view().link_paths_in(document);
    let glyphs: Vec<Rect> = app
        .text_view()
        .row_rects()
        .into_iter()
        .filter(|r| r.width() > 1.0)
        .map(|r| r.shrink2(vec2(0.0, GAP)))
        .collect();
    let crossing = paths
        .iter()
        .flat_map(|path| along(path))
        .filter(|p| glyphs.iter().any(|g| g.contains(*p)))
        .count();
    (paths.len(), crossing)
}

#[test]
fn j_link_curves_never_cross_lines_of_text() {
    let (_dir, project) = common::sample_copy();
    let mut harness = common::open(&project, false);
    let mut seen = 0;
    // Every document of the sample: links within a row and links rows apart.
    for doc in 0..5 {
        if doc > 0 {
            common::press(&mut harness, Modifiers::ALT, Key::ArrowDown);
        }
        harness.run();
        let (links, crossing) = crossings(&harness);
        seen += links;
        assert_eq!(crossing, 0, "document {doc}: a link runs over text");
    }
    assert!(seen >= 10, "the sample's links are drawn: {seen}");
}

#[test]
fn j_a_link_is_made_by_keyboard_alone() {
    // L, then Tab to the other end and Enter: a link needed a click on its other end.
    let (_dir, project) = common::sample_copy();
    let mut harness = common::open(&project, false);
    let document = |h: &egui_kittest::Harness<'_, marginalia::ui::MarginaliaApp>| {
        h.state().workspace().unwrap().project().documents[0].clone()
    };
    let before = document(&harness);
    // A claim and the first source after it that it is not linked to yet.
    let (claim, source) = before
        .annotations
        .iter()
        .enumerate()
        .filter(|(_, a)| a.label == "claim")
        .find_map(|(i, claim)| {
            let source = before.annotations[i + 1..]
                .iter()
                .find(|s| s.label == "source")?;
            let linked = before
                .relations
                .iter()
                .any(|r| r.from == claim.id && r.to == source.id);
            (!linked).then_some((claim.id, source.id))
        })
        .expect("an unlinked claim and source");
    // Tab to the claim, L, Tab to the source, Enter.
    while harness.state().selected_span() != Some(claim) {
        common::press(&mut harness, Modifiers::NONE, Key::Tab);
    }
    common::press(&mut harness, Modifiers::NONE, Key::L);
    let mut steps = 0;
    while harness.state().link_target() != Some(source) {
        common::press(&mut harness, Modifiers::NONE, Key::Tab);
        assert_ne!(
            harness.state().link_target(),
            Some(claim),
            "never the link's own start"
        );
        steps += 1;
        assert!(steps < 200, "Tab reaches the source");
    }
    assert_eq!(
        harness.state().selected_span(),
        Some(claim),
        "the selection stays"
    );
    common::press(&mut harness, Modifiers::NONE, Key::Enter);
    let after = document(&harness);
    assert_eq!(after.relations.len(), before.relations.len() + 1);
    assert!(
        after
            .relations
            .iter()
            .any(|r| r.kind == "attributed-to" && r.from == claim && r.to == source)
    );
    assert_eq!(harness.state().link_target(), None, "link mode is over");
}

#[test]
fn j_two_hundred_spans_and_fifty_links_by_keyboard_alone() {
    // The keyboard session the frame benchmark times (benches/frame.rs, issue J 2): words
    // labelled claim and source in turn with Ctrl+→, Ctrl+Shift+← and the label's key, then
    // links with Tab, L, Tab, Enter. No mouse.
    let (_dir, sample) = common::sample_copy();
    let (mut project, _) = marginalia::file::load(&sample).unwrap();
    for document in &mut project.documents {
        document.annotations.clear();
        document.relations.clear();
        document.annotations_changed();
    }
    let path = sample.with_file_name("keyboard.ron");
    marginalia::file::save(&project, &path).unwrap();
    let mut harness = common::open(&path, false);
    common::press(&mut harness, Modifiers::COMMAND, Key::Home);
    for i in 0..200 {
        common::press(&mut harness, Modifiers::COMMAND, Key::ArrowRight);
        common::press(
            &mut harness,
            Modifiers::COMMAND | Modifiers::SHIFT,
            Key::ArrowLeft,
        );
        let label = if i % 2 == 0 { Key::Num1 } else { Key::Num2 };
        common::press(&mut harness, Modifiers::NONE, label);
        common::press(&mut harness, Modifiers::COMMAND, Key::ArrowRight);
    }
    common::press(&mut harness, Modifiers::NONE, Key::Escape);
    for i in 0..50 {
        for _ in 0..(if i == 0 { 1 } else { 2 }) {
            common::press(&mut harness, Modifiers::NONE, Key::Tab);
        }
        common::press(&mut harness, Modifiers::NONE, Key::L);
        common::press(&mut harness, Modifiers::NONE, Key::Tab);
        common::press(&mut harness, Modifiers::NONE, Key::Enter);
    }
    let document = &harness.state().workspace().unwrap().project().documents[0];
    let labels: Vec<&str> = document
        .annotations
        .iter()
        .map(|a| a.label.as_str())
        .collect();
    assert_eq!(document.annotations.len(), 200, "{labels:?}");
    assert_eq!(document.relations.len(), 50);
    for relation in &document.relations {
        let (from, to) = (
            document.annotation(relation.from).unwrap(),
            document.annotation(relation.to).unwrap(),
        );
        assert_eq!(
            (from.label.as_str(), to.label.as_str()),
            ("claim", "source")
        );
    }
}
