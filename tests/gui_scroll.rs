//! Where am I, in the real app driven headless through `egui_kittest`: a scroll bar wide enough
//! to grab that the text keeps clear of, marks of span density beside it (counted once, not
//! every frame), and the position in the status bar.

#![cfg(feature = "gui")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use egui::{Key, Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use marginalia::text::ByteRange;
use marginalia::ui::text_view::{DENSITY_BINS, TextView, ViewPosition};
use marginalia::ui::{Action, MarginaliaApp};

mod common;

/// A long text (about 400 KB) of paragraphs of very different lengths, with accents, quotes,
/// emoji and CRLF line breaks.
fn long_text() -> String {
    let sentences = [
        "Selon l’agence officielle, le ministère a annoncé « une coopération renforcée » jeudi. ",
        "Des experts interrogés doutent de l’ampleur réelle de l’accord 😀, signé à huis clos. ",
        "Le porte-parole, cité par Le Monde, a refusé de commenter. ",
        "La e\u{301}quipe a écrit سلام ici, puis s’en va. ",
    ];
    common::paragraphs(&sentences, 400_000, "\r\n")
}

/// The long text in a project, with `spans` spans spread over it.
fn long_project(spans: usize) -> (tempfile::TempDir, PathBuf) {
    let text = long_text();
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(corpus.join("long.txt"), text.as_bytes()).unwrap();
    let mut project =
        marginalia::generate::long_document_project(&text, "long.txt", spans, corpus, 11);
    project.documents[0].hash = marginalia::corpus::sha256_hex(text.as_bytes());
    let path = dir.path().join("long.ron");
    marginalia::file::save(&project, &path).unwrap();
    (dir, path)
}

fn harness(project: &Path) -> Harness<'static, MarginaliaApp> {
    common::open(project, true)
}

fn position(harness: &Harness<'_, MarginaliaApp>) -> ViewPosition {
    let document = &harness.state().workspace().unwrap().project().documents[0];
    harness
        .state()
        .text_view()
        .position(document)
        .expect("the view shows the document")
}

use common::press;

#[test]
fn j_the_scroll_bar_is_wide_enough_to_grab_and_the_text_keeps_clear_of_it() {
    // The style: solid (the bar takes its own room, it does not float over the text), wide.
    let style = TextView::scroll_style();
    assert!(!style.floating);
    assert!(style.bar_width >= 8.0 && style.handle_min_length >= 20.0);
    let (_dir, path) = long_project(300);
    let mut harness = harness(&path);
    let bar = harness
        .state()
        .text_view()
        .scroll_bar_rect()
        .expect("the text view has a scroll bar");
    assert!(bar.width() >= 8.0, "a bar to grab, not a hairline: {bar:?}");
    assert!(bar.height() > 300.0, "{bar:?}");
    // egui's own scroll bar (as the accessibility tree sees it) is where the view says.
    let egui_bar = harness
        .get_all_by_role(egui::accesskit::Role::ScrollBar)
        .map(|node| node.rect())
        .find(|rect| rect.intersects(bar))
        .expect("egui's scroll bar is there");
    assert!(egui_bar.width() >= 8.0, "{egui_bar:?}");
    assert!(
        (egui_bar.min.x - bar.min.x).abs() < 1.0,
        "{egui_bar:?} {bar:?}"
    );
    // Every character on screen ends well before the bar.
    let text = harness.state().workspace().unwrap().project().documents[0]
        .text
        .clone();
    let view = harness.state().text_view();
    let rightmost = text
        .char_indices()
        .take_while(|(i, _)| *i < 20_000)
        .filter_map(|(i, _)| view.screen_pos(i))
        .map(|p| p.x)
        .fold(f32::MIN, f32::max);
    assert!(rightmost > 600.0, "the text fills the view: {rightmost}");
    assert!(
        rightmost < bar.min.x - 8.0,
        "a margin between the text ({rightmost}) and the bar ({bar:?})"
    );
    // Grabbing the handle (at the top of the bar) and dragging it halfway down scrolls halfway.
    assert_eq!(position(&harness).percent, 0);
    let x = bar.center().x;
    common::drag(
        &mut harness,
        Pos2::new(x, bar.min.y + 8.0),
        Pos2::new(x, bar.center().y),
    );
    let percent = position(&harness).percent;
    assert!(
        (25..=75).contains(&percent),
        "dragging the handle halfway scrolled to {percent} %"
    );
}

#[test]
fn j_the_status_bar_shows_the_paragraph_and_the_percentage_in_view() {
    let (_dir, path) = long_project(300);
    let mut harness = harness(&path);
    let text = long_text();
    let lines = text.split("\r\n").count();
    let at_start = position(&harness);
    assert_eq!(
        (at_start.line, at_start.lines, at_start.percent),
        (1, lines, 0)
    );
    harness.get_by_label(&format!("¶ 1 of {lines} · 0 %"));
    press(&mut harness, Modifiers::COMMAND, Key::End);
    let at_end = position(&harness);
    assert_eq!(at_end.percent, 100, "{at_end:?}");
    assert!(at_end.line > lines * 9 / 10, "{at_end:?} of {lines}");
    assert!(
        text[at_end.offset..].matches("\r\n").count() < lines / 10,
        "the offset is near the end too"
    );
    harness.get_by_label(&at_end.label());
    assert!(harness.query_by_label(&at_start.label()).is_none());
    // Halfway down with the keyboard: a percentage in between, a line in between.
    press(&mut harness, Modifiers::COMMAND, Key::Home);
    for _ in 0..5 {
        press(&mut harness, Modifiers::NONE, Key::PageDown);
    }
    let paged = position(&harness);
    assert!(paged.percent > 0 && paged.percent < 100, "{paged:?}");
    assert!(paged.line > 1 && paged.line < at_end.line, "{paged:?}");
    harness.get_by_label(&paged.label());
}

#[test]
fn j_density_marks_follow_the_spans_and_are_counted_once_per_change() {
    let spans = 600;
    let (_dir, path) = long_project(spans);
    let mut harness = harness(&path);
    let document = harness.state().workspace().unwrap().project().documents[0].clone();
    let view = harness.state().text_view();
    let marks = view.density().to_vec();
    assert!(!marks.is_empty());
    assert_eq!(
        marks.iter().map(|m| m.count).sum::<usize>(),
        document.annotations.len(),
        "every span counted once"
    );
    assert!(marks.windows(2).all(|w| w[0].bin < w[1].bin), "sorted bins");
    assert!(marks.iter().all(|m| m.bin < DENSITY_BINS));
    // The spans are spread over the whole text: so are the marks.
    assert!(marks.first().unwrap().bin < DENSITY_BINS / 10, "{marks:?}");
    assert!(
        marks.last().unwrap().bin > DENSITY_BINS * 9 / 10,
        "{marks:?}"
    );
    assert!(marks.len() > DENSITY_BINS / 2, "{} bins", marks.len());
    // A mark takes the colour of a label of the schema.
    let colors: Vec<_> = document
        .annotations
        .iter()
        .map(|a| {
            marginalia::ui::theme::color_of(
                &harness.state().workspace().unwrap().project().schema,
                &a.label,
            )
        })
        .collect();
    assert!(marks.iter().all(|m| colors.contains(&m.color)));
    // Frames where nothing changes (the pointer moving over the text) count nothing again.
    let counted = view.density_computations();
    for y in [300.0, 350.0, 400.0, 450.0] {
        harness.hover_at(Pos2::new(500.0, y));
        harness.run();
    }
    for _ in 0..10 {
        harness.step();
    }
    assert_eq!(
        harness.state().text_view().density_computations(),
        counted,
        "not recounted when nothing changed"
    );
    // A new span (a new revision): counted again, with the new span.
    let free = (0..document.text.len())
        .filter(|&i| document.text.is_char_boundary(i) && document.text.is_char_boundary(i + 6))
        .map(|i| ByteRange::new(i, i + 6))
        .find(|r| {
            document.annotations_in(*r).next().is_none()
                && r.slice(&document.text).chars().all(char::is_alphabetic)
        })
        .unwrap();
    let ctx = harness.ctx.clone();
    harness.state_mut().apply(&ctx, Action::Select(Some(free)));
    harness
        .state_mut()
        .apply(&ctx, Action::ApplyLabel("claim".to_owned()));
    harness.run();
    let view = harness.state().text_view();
    assert!(
        view.density_computations() > counted,
        "recounted after an edit"
    );
    let after = view.density();
    let now = spans_now(&harness);
    assert_eq!(now, document.annotations.len() + 1, "the span was added");
    assert_eq!(after.iter().map(|m| m.count).sum::<usize>(), now);
}

fn spans_now(harness: &Harness<'_, MarginaliaApp>) -> usize {
    harness.state().workspace().unwrap().project().documents[0]
        .annotations
        .len()
}

#[test]
fn j_a_document_without_spans_has_no_density_marks() {
    let (_dir, path) = long_project(0);
    let harness = harness(&path);
    assert!(harness.state().text_view().density().is_empty());
    assert_eq!(position(&harness).percent, 0);
}
