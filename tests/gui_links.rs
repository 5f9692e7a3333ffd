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
