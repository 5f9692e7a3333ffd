//! The real app on the 3.4 MB novel of `../shared/perf-corpus/` with 20,000 spans: after
//! jumping and scrolling to the end, and to the middle, a drag selects exactly the word under the
//! mouse and `1` labels exactly that word. Correctness on long documents, not timing.

#![cfg(feature = "gui")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use egui::{Event, Key, Modifiers, MouseWheelSource, MouseWheelUnit, Pos2, TouchPhase, Vec2};
use egui_kittest::Harness;
use marginalia::model::{Annotation, Id};
use marginalia::text::ByteRange;
use marginalia::ui::{Action, MarginaliaApp, NoDialogs, Prefs};

mod common;

const NOVEL: &str = "FRA04202_Rolland.txt";

/// The novel in a temporary corpus with a generated project of 20,000 spans; `None` when the
/// perf corpus is not on this machine.
fn novel_project() -> Option<(tempfile::TempDir, PathBuf)> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/perf-corpus")
        .join(NOVEL);
    let Ok(text) = std::fs::read_to_string(&source) else {
        eprintln!("{} is missing: test skipped", source.display());
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(corpus.join(NOVEL), &text).unwrap();
    let project = marginalia::generate::long_document_project(&text, NOVEL, 20_000, corpus, 42);
    let path = dir.path().join("novel.ron");
    marginalia::file::save(&project, &path).unwrap();
    Some((dir, path))
}

fn harness(project: &Path) -> Harness<'static, MarginaliaApp> {
    let app = MarginaliaApp::starting(Prefs::default(), Box::new(NoDialogs), Some(project), None);
    // Generated notes hold CJK, which egui's bundled fonts lack: boxes are fine here.
    common::harness_for(app, true)
}

fn annotations(harness: &Harness<'_, MarginaliaApp>) -> Vec<Annotation> {
    harness.state().workspace().unwrap().project().documents[0]
        .annotations
        .clone()
}

fn text(harness: &Harness<'_, MarginaliaApp>) -> String {
    harness.state().workspace().unwrap().project().documents[0]
        .text
        .to_string()
}

/// Selects span `id` and scrolls to it, as the span list does.
fn jump_to(harness: &mut Harness<'_, MarginaliaApp>, id: Id) {
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .apply(&ctx, Action::SelectSpan { id, scroll: true });
    harness.run();
}

fn wheel(harness: &mut Harness<'_, MarginaliaApp>, dy: f32, times: usize) {
    harness.hover_at(Pos2::new(900.0, 450.0));
    harness.run();
    for _ in 0..times {
        harness.event(Event::MouseWheel {
            unit: MouseWheelUnit::Point,
            delta: Vec2::new(0.0, dy),
            phase: TouchPhase::Move,
            source: MouseWheelSource::Unknown,
            modifiers: Modifiers::NONE,
        });
        harness.step();
    }
    harness.run();
}

/// A word of at least 5 letters after byte `from`, covered by no span and drawn whole on one row
/// well inside the window; the last such word on screen when `last`.
fn free_word_on_screen(
    harness: &Harness<'_, MarginaliaApp>,
    from: usize,
    last: bool,
) -> Option<(ByteRange, Pos2, Pos2)> {
    let text = text(harness);
    let project = harness.state().workspace().unwrap().project();
    let document = &project.documents[0];
    let view = harness.state().text_view();
    let mut found = None;
    let mut start = None;
    let tail = &text[from..];
    for (i, c) in tail.char_indices().chain([(tail.len(), ' ')]) {
        if c.is_alphabetic() {
            start.get_or_insert(i);
            continue;
        }
        let Some(s) = start.take() else { continue };
        let range = ByteRange::new(from + s, from + i);
        if range.slice(&text).chars().count() < 5 || document.annotations_in(range).next().is_some()
        {
            continue;
        }
        let (Some(p0), Some(p1)) = (view.screen_pos(range.start), view.screen_pos(range.end))
        else {
            if found.is_some() {
                break;
            }
            continue;
        };
        if (p0.y - p1.y).abs() > 1.0 || p0.y < 120.0 || p0.y > 820.0 || p1.x <= p0.x {
            continue;
        }
        found = Some((range, p0, p1));
        if !last {
            break;
        }
    }
    found
}

/// Drags across a free word on screen after `from` and labels it a claim with `1`: the new span
/// is exactly that word.
fn label_a_word(harness: &mut Harness<'_, MarginaliaApp>, from: usize, last: bool) -> ByteRange {
    let (word, p0, p1) = free_word_on_screen(harness, from, last).expect("a free word on screen");
    let before = annotations(harness);
    common::drag(harness, p0, p1);
    assert_eq!(
        harness.state().selection(),
        Some(word),
        "the drag selects exactly {:?}",
        word.slice(&text(harness))
    );
    harness.key_press(Key::Num1);
    harness.run();
    let after = annotations(harness);
    let added: Vec<&Annotation> = after
        .iter()
        .filter(|a| !before.iter().any(|b| b.id == a.id))
        .collect();
    assert_eq!(added.len(), 1, "exactly one new span");
    assert_eq!(added[0].label, "claim");
    assert_eq!(added[0].fragments, vec![word]);
    assert_eq!(added[0].text(&text(harness)), word.slice(&text(harness)));
    word
}

#[test]
fn selection_and_labelling_hit_the_right_characters_at_the_end_and_middle_of_a_novel() {
    let Some((_dir, path)) = novel_project() else {
        return;
    };
    let mut harness = harness(&path);
    let spans = annotations(&harness);
    assert_eq!(spans.len(), 20_000);
    let text_len = text(&harness).len();

    // To the end: jump to the last span, then the wheel down to the bottom.
    let last = spans.last().unwrap();
    jump_to(&mut harness, last.id);
    wheel(&mut harness, -400.0, 40);
    let from = text_len - 4_000;
    let word = label_a_word(&mut harness, from, true);
    assert!(word.start > text_len - 4_000, "{word:?} is near the end");

    // The middle.
    let middle = &spans[spans.len() / 2];
    jump_to(&mut harness, middle.id);
    // Nothing moves after the view settled, whatever the pointer does.
    let probe = middle.extent().end;
    let settled = harness.state().text_view().screen_pos(probe);
    assert!(settled.is_some(), "the jump shows the span");
    harness.hover_at(Pos2::new(700.0, 400.0));
    harness.run();
    assert_eq!(harness.state().text_view().screen_pos(probe), settled);
    let word = label_a_word(&mut harness, middle.extent().end, false);
    assert!(
        word.start > text_len / 3 && word.end < text_len * 2 / 3,
        "{word:?}"
    );
    assert_eq!(annotations(&harness).len(), 20_002);
}
