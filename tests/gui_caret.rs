//! Keyboard-first annotation in the real app, driven headless through `egui_kittest`: the caret,
//! selections grown from the keyboard, scrolling with the keys, and a view that labelling, undo
//! and redo never move.

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
use marginalia::model::Annotation;
use marginalia::text::ByteRange;
use marginalia::ui::{Action, MarginaliaApp};

mod common;

/// A long generated text (about 1.5 MB): paragraphs of very different lengths, so that the
/// estimated heights of the blocks not laid out yet are wrong, with accents, quotes and emoji.
fn long_text() -> String {
    let sentences = [
        "Selon l’agence officielle, le ministère a annoncé « une coopération renforcée » jeudi. ",
        "Des experts interrogés doutent de l’ampleur réelle de l’accord 😀, signé à huis clos. ",
        "Le porte-parole, cité par Le Monde, a refusé de commenter. ",
        "Kim a répété que « la paix, c’est la force », avant de quitter la salle. ",
    ];
    common::paragraphs(&sentences, 1_500_000, "\n")
}

/// The long text in a project; stored in Windows-1252 when `latin1` (without its emoji): the
/// document list then warns "not UTF-8" on the document's row.
fn long_project_encoded(latin1: bool) -> (tempfile::TempDir, PathBuf) {
    let mut text = long_text();
    if latin1 {
        text = text.replace(" 😀", "");
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let bytes = if latin1 {
        encoding_rs::WINDOWS_1252.encode(&text).0.into_owned()
    } else {
        text.clone().into_bytes()
    };
    std::fs::write(corpus.join("long.txt"), &bytes).unwrap();
    let mut project =
        marginalia::generate::long_document_project(&text, "long.txt", 2_400, corpus, 7);
    let document = &mut project.documents[0];
    document.hash = marginalia::corpus::sha256_hex(&bytes);
    // 999 claims: the next claim widens the document list's count by a digit.
    let mut claims = 0;
    document.annotations.retain(|a| {
        if a.label != "claim" {
            return true;
        }
        claims += 1;
        claims <= 999
    });
    let kept: std::collections::BTreeSet<_> = document.annotations.iter().map(|a| a.id).collect();
    document
        .relations
        .retain(|r| kept.contains(&r.from) && kept.contains(&r.to));
    assert_eq!(claims.min(999), 999, "enough claims generated");
    let path = dir.path().join("long.ron");
    marginalia::file::save(&project, &path).unwrap();
    (dir, path)
}

fn harness(project: &Path) -> Harness<'static, MarginaliaApp> {
    common::open(project, true)
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

fn apply(harness: &mut Harness<'_, MarginaliaApp>, action: Action) {
    let ctx = harness.ctx.clone();
    harness.state_mut().apply(&ctx, action);
    harness.run();
}

/// A word of at least 5 letters after byte `from`, covered by no span, on one row in the
/// middle of the window.
fn free_word_on_screen(harness: &Harness<'_, MarginaliaApp>, from: usize) -> Option<ByteRange> {
    let text = text(harness);
    let document = &harness.state().workspace().unwrap().project().documents[0];
    let view = harness.state().text_view();
    let from = marginalia::text::floor_char_boundary(&text, from);
    let tail = &text[from..];
    let mut start = None;
    for (i, c) in tail.char_indices() {
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
            continue;
        };
        if (p0.y - p1.y).abs() < 1.0 && p0.y > 300.0 && p0.y < 700.0 && p1.x > p0.x {
            return Some(range);
        }
    }
    None
}

fn pos(harness: &Harness<'_, MarginaliaApp>, offset: usize) -> Option<Pos2> {
    harness.state().text_view().screen_pos(offset)
}

#[test]
fn j_labelling_undo_and_redo_in_the_middle_of_a_long_text_never_move_the_view() {
    for latin1 in [false, true] {
        labelling_keeps_the_view(latin1);
    }
}

fn labelling_keeps_the_view(latin1: bool) {
    let (_dir, path) = long_project_encoded(latin1);
    let mut harness = harness(&path);
    let spans = annotations(&harness);
    let document = harness.state().workspace().unwrap().project().documents[0].clone();
    let linked = |id| {
        document
            .relations
            .iter()
            .any(|r| r.from == id || r.to == id)
    };
    // A span in the middle with no link and one fragment: its editor is narrow.
    let middle = spans[spans.len() / 2..]
        .iter()
        .find(|a| !linked(a.id) && a.fragments.len() == 1)
        .unwrap()
        .clone();
    apply(
        &mut harness,
        Action::SelectSpan {
            id: middle.id,
            scroll: true,
        },
    );
    harness.key_press(Key::Escape);
    harness.run();
    assert_eq!(harness.state().selected_span(), None);
    // Clicking a linked span on screen shows its editor with the link's row: the view stays.
    let probe = middle.extent().start;
    let before = pos(&harness, probe);
    assert!(before.is_some(), "the jump shows the span");
    let on_screen = annotations(&harness)
        .into_iter()
        .find(|a| {
            linked(a.id)
                && pos(&harness, a.extent().start).is_some_and(|p| p.y > 150.0 && p.y < 800.0)
        })
        .expect("a linked span on screen");
    apply(
        &mut harness,
        Action::SelectSpan {
            id: on_screen.id,
            scroll: false,
        },
    );
    assert_eq!(
        pos(&harness, probe),
        before,
        "{latin1}: selecting a linked span keeps the view"
    );
    harness.key_press(Key::Escape);
    harness.run();
    assert_eq!(
        harness.state().workspace().unwrap().project().documents[0]
            .decoded_from
            .is_some(),
        latin1
    );
    for round in 0..6 {
        let from = middle.extent().start.saturating_sub(2_000) + round * 150;
        let word = free_word_on_screen(&harness, from).expect("a free word on screen");
        apply(&mut harness, Action::Select(Some(word)));
        let before = pos(&harness, word.start);
        assert!(before.is_some(), "the word is on screen");
        let count = annotations(&harness).len();
        harness.key_press(Key::Num1);
        harness.run();
        assert_eq!(annotations(&harness).len(), count + 1, "a span is made");
        assert_eq!(
            pos(&harness, word.start),
            before,
            "{latin1} round {round}: labelling leaves the new span where the word was"
        );
        harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
        harness.run();
        assert_eq!(annotations(&harness).len(), count, "undone");
        assert_eq!(
            pos(&harness, word.start),
            before,
            "{latin1} round {round}: undo keeps the view"
        );
        harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
        harness.run();
        assert_eq!(annotations(&harness).len(), count + 1, "redone");
        assert_eq!(
            pos(&harness, word.start),
            before,
            "{latin1} round {round}: redo keeps the view"
        );
        apply(&mut harness, Action::Select(None));
    }
}

use common::{click, text_project};

/// Clicks at the left edge of the character at byte `offset`.
fn click_at(harness: &mut Harness<'_, MarginaliaApp>, offset: usize) {
    let p = pos(harness, offset).expect("offset on screen");
    click(harness, p + egui::vec2(0.5, 0.0));
}

use common::press;

fn caret(harness: &Harness<'_, MarginaliaApp>) -> Option<usize> {
    harness.state().text_view().caret()
}

const HARD: &str = "Selon l’agence, « la paix, c’est la force », dit Kim 😀. Il répète : non.\r\nLa e\u{301}quipe arabe écrit سلام ici, puis s’en va.\r\nTroisième ligne, plus courte.\r\n";

#[test]
fn j_a_click_places_the_caret_arrows_move_it_and_shift_extends_by_grapheme_and_word() {
    let (_dir, path) = text_project(HARD);
    let mut harness = harness(&path);
    let kim = HARD.find("Kim").unwrap();
    click_at(&mut harness, kim);
    assert_eq!(
        caret(&harness),
        Some(kim),
        "a click on plain text places the caret"
    );
    assert_eq!(harness.state().selection(), None);
    press(&mut harness, Modifiers::NONE, Key::ArrowRight);
    assert_eq!(caret(&harness), Some(kim + 1));
    press(&mut harness, Modifiers::NONE, Key::ArrowLeft);
    assert_eq!(caret(&harness), Some(kim));
    // Shift+→ three times: "Kim"; twice more: the space and the emoji, whole.
    for _ in 0..3 {
        press(&mut harness, Modifiers::SHIFT, Key::ArrowRight);
    }
    assert_eq!(
        harness.state().selection(),
        Some(ByteRange::new(kim, kim + 3))
    );
    press(&mut harness, Modifiers::SHIFT, Key::ArrowRight);
    press(&mut harness, Modifiers::SHIFT, Key::ArrowRight);
    let emoji_end = kim + "Kim 😀".len();
    assert_eq!(
        harness.state().selection(),
        Some(ByteRange::new(kim, emoji_end))
    );
    // Shift+← takes the emoji back in one step.
    press(&mut harness, Modifiers::SHIFT, Key::ArrowLeft);
    assert_eq!(
        harness.state().selection(),
        Some(ByteRange::new(kim, kim + 4))
    );
    // Ctrl+Shift+← from there: back over "Kim", then over "dit" (the anchor stays at Kim's start).
    press(
        &mut harness,
        Modifiers::COMMAND | Modifiers::SHIFT,
        Key::ArrowLeft,
    );
    assert_eq!(
        harness.state().selection(),
        None,
        "back to the anchor: nothing selected"
    );
    press(
        &mut harness,
        Modifiers::COMMAND | Modifiers::SHIFT,
        Key::ArrowLeft,
    );
    let dit = HARD.find("dit").unwrap();
    assert_eq!(harness.state().selection(), Some(ByteRange::new(dit, kim)));
    // ← without Shift drops the selection at its start.
    press(&mut harness, Modifiers::NONE, Key::ArrowLeft);
    assert_eq!(harness.state().selection(), None);
    assert_eq!(caret(&harness), Some(dit));
    // Ctrl+Shift+→ twice: "dit Kim"; the label key makes it a span.
    press(
        &mut harness,
        Modifiers::COMMAND | Modifiers::SHIFT,
        Key::ArrowRight,
    );
    press(
        &mut harness,
        Modifiers::COMMAND | Modifiers::SHIFT,
        Key::ArrowRight,
    );
    assert_eq!(
        harness.state().selection(),
        Some(ByteRange::new(dit, kim + 3))
    );
    press(&mut harness, Modifiers::NONE, Key::Num1);
    let spans = annotations(&harness);
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].fragments, vec![ByteRange::new(dit, kim + 3)]);
    assert_eq!(spans[0].label, "claim");
}

#[test]
fn j_home_end_go_to_the_line_ends_and_shift_up_down_extend_by_laid_out_row() {
    let (_dir, path) = text_project(HARD);
    let mut harness = harness(&path);
    let arabic = HARD.find("arabe").unwrap();
    click_at(&mut harness, arabic);
    press(&mut harness, Modifiers::SHIFT, Key::End);
    let line_end = HARD.find(".\r\nTroisième").unwrap() + 1;
    assert_eq!(
        harness.state().selection(),
        Some(ByteRange::new(arabic, line_end)),
        "before the CRLF"
    );
    press(&mut harness, Modifiers::SHIFT, Key::Home);
    let line_start = HARD.find("La e").unwrap();
    assert_eq!(
        harness.state().selection(),
        Some(ByteRange::new(line_start, arabic))
    );
    // Shift+↓ from the line's start: the selection ends on the next row, at the same x.
    press(&mut harness, Modifiers::NONE, Key::Home);
    press(&mut harness, Modifiers::SHIFT, Key::ArrowDown);
    let selection = harness.state().selection().expect("a selection");
    let third = HARD.find("Troisième").unwrap();
    assert_eq!(
        selection,
        ByteRange::new(line_start, third),
        "one row down, column 0"
    );
    press(&mut harness, Modifiers::SHIFT, Key::ArrowUp);
    assert_eq!(harness.state().selection(), None);
    press(&mut harness, Modifiers::NONE, Key::ArrowUp);
    assert_eq!(caret(&harness), Some(0));
    // ↓ keeps the x it started from: from "Kim", down a row and back up lands on "Kim" again.
    let kim = HARD.find("Kim").unwrap();
    click_at(&mut harness, kim);
    press(&mut harness, Modifiers::NONE, Key::ArrowDown);
    let below = caret(&harness).unwrap();
    assert!(below > kim, "{below} is after Kim");
    let (p0, p1) = (pos(&harness, kim).unwrap(), pos(&harness, below).unwrap());
    assert!((p1.y - p0.y - 22.0).abs() < 8.0, "{p0:?} {p1:?}");
    // The same x as near as the row allows: no other place on that row is nearer (a glyph can
    // be wide: Arabic's lam-alef is one glyph for two characters, an emoji is wide).
    let distance = |offset: usize| pos(&harness, offset).map(|p| (p.x - p0.x).abs());
    let before = HARD[..below].char_indices().next_back().map(|(i, _)| i);
    let after = HARD[below..].chars().next().map(|c| below + c.len_utf8());
    for other in before.into_iter().chain(after) {
        if let (Some(d), Some(p)) = (distance(other), pos(&harness, other))
            && (p.y - p1.y).abs() < 1.0
        {
            assert!(
                (p1.x - p0.x).abs() <= d + 0.5,
                "{below} at {p1:?}, but {other} at {p:?} is nearer {p0:?}"
            );
        }
    }
    press(&mut harness, Modifiers::NONE, Key::ArrowUp);
    assert_eq!(caret(&harness), Some(kim));
}

#[test]
fn j_a_key_selects_the_sentence_and_another_grows_it_to_clause_quote_and_sentence() {
    let (_dir, path) = text_project(HARD);
    let mut harness = harness(&path);
    let paix = HARD.find("paix").unwrap();
    click_at(&mut harness, paix + 1);
    press(&mut harness, Modifiers::ALT, Key::S);
    let sentence = HARD.find("Selon").unwrap()..HARD.find(" Il répète").unwrap();
    assert_eq!(
        harness.state().selection(),
        Some(ByteRange::new(sentence.start, sentence.end)),
        "Alt+S selects the sentence at the caret"
    );
    // From the caret again: the clause inside the quote, its inside, the quote, the sentence.
    press(&mut harness, Modifiers::NONE, Key::Escape);
    click_at(&mut harness, paix + 1);
    let mut grown = vec![];
    for _ in 0..4 {
        press(
            &mut harness,
            Modifiers::ALT | Modifiers::SHIFT,
            Key::ArrowRight,
        );
        grown.push(harness.state().selection().unwrap().slice(HARD).to_owned());
    }
    assert_eq!(
        grown,
        [
            "la paix",
            "la paix, c’est la force",
            "« la paix, c’est la force »",
            "Selon l’agence, « la paix, c’est la force », dit Kim 😀.",
        ]
    );
    press(&mut harness, Modifiers::NONE, Key::Num2);
    let spans = annotations(&harness);
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].label, "source");
    assert_eq!(spans[0].text(HARD), grown[3]);
}

#[test]
fn j_page_keys_space_and_ctrl_home_end_scroll_and_the_caret_follows() {
    let (_dir, path) = long_project_encoded(false);
    let mut harness = harness(&path);
    let len = text(&harness).len();
    assert!(pos(&harness, 0).is_some(), "the start is shown");
    // Without a caret, PageDown and Space scroll.
    press(&mut harness, Modifiers::NONE, Key::PageDown);
    assert!(pos(&harness, 0).is_none(), "PageDown scrolled");
    press(&mut harness, Modifiers::NONE, Key::Space);
    press(&mut harness, Modifiers::SHIFT, Key::Space);
    press(&mut harness, Modifiers::NONE, Key::PageUp);
    assert!(pos(&harness, 0).is_some(), "back at the start");
    // Ctrl+End: the caret at the end, in view; Ctrl+Home: back.
    press(&mut harness, Modifiers::COMMAND, Key::End);
    assert_eq!(caret(&harness), Some(len));
    assert!(pos(&harness, len).is_some(), "the end is shown");
    press(&mut harness, Modifiers::COMMAND, Key::Home);
    assert_eq!(caret(&harness), Some(0));
    assert!(pos(&harness, 0).is_some(), "the start is shown again");
    // PageDown moves the caret with the page: still on screen, far down the text.
    let y0 = pos(&harness, 0).unwrap().y;
    press(&mut harness, Modifiers::NONE, Key::PageDown);
    let moved = caret(&harness).unwrap();
    assert!(moved > 1_000, "{moved}");
    let p = harness
        .state()
        .text_view()
        .caret_screen_rect()
        .expect("the caret stays on screen")
        .center();
    assert!(
        (p.y - y0).abs() < 30.0,
        "at the same height on screen: {p:?} vs {y0}"
    );
    // ↓ past the bottom edge: the view follows, the caret is always on screen.
    for _ in 0..60 {
        harness.key_press(Key::ArrowDown);
        harness.run();
        let at = caret(&harness).unwrap();
        let shown = harness.state().text_view().caret_screen_rect();
        assert!(
            shown.is_some_and(|r| r.min.y > 60.0 && r.max.y < 880.0),
            "the caret at {at} is on screen: {shown:?}"
        );
    }
    assert!(caret(&harness).unwrap() > moved + 1_000);
    // Shift+PageDown selects what the page covered.
    let from = caret(&harness).unwrap();
    press(&mut harness, Modifiers::SHIFT, Key::PageDown);
    let selection = harness.state().selection().expect("a selection");
    assert_eq!(selection.start, from);
    assert!(selection.len() > 1_000);
}
