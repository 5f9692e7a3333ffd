//! Issue M 2: right-to-left text in the real app. Arabic and Hebrew lines read right to left,
//! a French line quoting them keeps its order, and the mouse selects the characters it passes
//! over, whatever their direction: the span made that way is exported with exactly its text.
#![cfg(feature = "gui")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use egui::{Key, Modifiers, Pos2, Rect};
use egui_kittest::Harness;
use marginalia::text::ByteRange;
use marginalia::ui::MarginaliaApp;

/// The app on `text` with the shipped fonts only (a missing glyph fails the test).
fn open(text: &str) -> (tempfile::TempDir, Harness<'static, MarginaliaApp>) {
    let (dir, path) = common::text_project(text);
    (dir, common::open(&path, false))
}

/// Where each character with a width is drawn, by byte offset.
fn drawn(harness: &Harness<'_, MarginaliaApp>) -> Vec<(usize, Rect)> {
    harness
        .state()
        .text_view()
        .drawn_chars()
        .into_iter()
        .map(|(offset, _, rect)| (offset, rect))
        .collect()
}

/// Where the glyphs that draw `word` are on screen (found by what they draw, not by the offsets
/// the view gives them), the first one's rectangle.
fn drawn_word(harness: &Harness<'_, MarginaliaApp>, word: &str) -> Rect {
    let glyphs = harness.state().text_view().drawn_chars();
    let chars: Vec<char> = word.chars().collect();
    glyphs
        .windows(chars.len())
        .find(|w| w.iter().map(|g| g.1).eq(chars.iter().copied()))
        .map_or_else(|| panic!("{word:?} is not drawn"), |w| w[0].2)
}

fn rect_of(harness: &Harness<'_, MarginaliaApp>, offset: usize) -> Rect {
    drawn(harness)
        .into_iter()
        .find(|(o, _)| *o == offset)
        .map_or_else(|| panic!("nothing drawn at {offset}"), |(_, r)| r)
}

use common::click;

const MIXED: &str = "Le porte-parole a dit : قال المتحدث باسم الكرملين إن الجنود قاتلوا (TASS), puis il est parti.\n\
قال المتحدث باسم الكرملين إن الجنود الكوريين الشماليين قاتلوا بشجاعة، بحسب وكالة تاس (TASS).\n\
Read more: הידיעות האחרונות\n";

#[test]
fn m_the_galley_positions_of_an_arabic_line_go_right_to_left_in_the_window() {
    let (_dir, harness) = open(MIXED);
    let second = MIXED.find('\n').unwrap() + 1;
    let third = second + MIXED[second..].find('\n').unwrap() + 1;
    let letters: Vec<(usize, Rect)> = drawn(&harness)
        .into_iter()
        .filter(|(o, _)| (second..third).contains(o))
        .filter(|(o, _)| {
            MIXED[*o..]
                .chars()
                .next()
                .is_some_and(|c| ('\u{600}'..'\u{700}').contains(&c))
        })
        .collect();
    assert!(letters.len() > 60, "{}", letters.len());
    for pair in letters.windows(2) {
        assert!(
            pair[1].1.max.x <= pair[0].1.min.x + 0.5,
            "{:?} is not left of {:?}",
            pair[1],
            pair[0]
        );
    }
    // The Arabic line starts at the right margin; the French and English lines at the left.
    let rows = harness.state().text_view().row_rects();
    let right = rows.iter().map(|r| r.max.x).fold(0.0, f32::max);
    assert!(rect_of(&harness, second).max.x > right - 40.0, "{right}");
    assert!(rect_of(&harness, 0).min.x < rect_of(&harness, second).min.x);
    let read = MIXED.find("Read").unwrap();
    assert!((rect_of(&harness, read).min.x - rect_of(&harness, 0).min.x).abs() < 0.5);
    // The Hebrew that ends the English line reads right to left after "Read more: ".
    let hebrew = MIXED.find('ה').unwrap();
    let last = MIXED.rfind('ת').unwrap();
    assert!(rect_of(&harness, hebrew).min.x > rect_of(&harness, last).max.x);
    assert!(rect_of(&harness, last).min.x > rect_of(&harness, read).max.x);
}

#[test]
fn m_a_click_after_an_arabic_word_places_the_caret_where_the_pointer_is() {
    // egui gave an Arabic word more glyphs than characters (its shaper's ligatures and joined
    // letters), so every click after one on the same line landed characters too far.
    let (_dir, mut harness) = open(MIXED);
    for word in ["(TASS)", "puis", "parti"] {
        let offset = MIXED.find(word).unwrap();
        let rect = drawn_word(&harness, word);
        click(&mut harness, Pos2::new(rect.min.x + 1.0, rect.center().y));
        assert_eq!(
            harness.state().text_view().caret(),
            Some(offset),
            "a click on the left of {word:?}"
        );
    }
}

#[test]
fn m_dragging_across_a_mixed_line_selects_exactly_the_characters_under_the_pointer() {
    let (dir, mut harness) = open(MIXED);
    // From the first letter of "المتحدث" (drawn at the right of the phrase) to the last of
    // "باسم" (at its left): the two words, in the text's order.
    let phrase = "المتحدث باسم";
    let start = MIXED.find(phrase).unwrap();
    let end = start + phrase.len();
    let last = MIXED[..end].char_indices().next_back().unwrap().0;
    let (first_rect, last_rect) = (rect_of(&harness, start), rect_of(&harness, last));
    assert!(
        first_rect.min.x > last_rect.max.x,
        "the phrase is drawn right to left"
    );
    let y = first_rect.center().y;
    common::drag(
        &mut harness,
        Pos2::new(first_rect.max.x - 1.0, y),
        Pos2::new(last_rect.min.x + 1.0, y),
    );
    assert_eq!(
        harness.state().selection(),
        Some(ByteRange::new(start, end))
    );
    // What is highlighted is what the pointer passed over: the two words' glyphs, no other.
    let selection = harness
        .state()
        .text_view()
        .range_screen_rects(ByteRange::new(start, end));
    assert!(!selection.is_empty());
    let (left, right) = (last_rect.min.x, first_rect.max.x);
    for (offset, rect) in drawn(&harness) {
        let highlighted = selection.iter().any(|r| r.contains(rect.center()));
        let under_pointer =
            (rect.center().y - y).abs() < 1.0 && rect.center().x > left && rect.center().x < right;
        assert_eq!(highlighted, under_pointer, "{offset} at {rect:?}");
        assert_eq!(highlighted, (start..end).contains(&offset), "{offset}");
    }
    // The phrase becomes a claim.
    common::press(&mut harness, Modifiers::NONE, Key::Num1);
    let document = &harness.state().workspace().unwrap().project().documents[0];
    let span = document.annotations.last().unwrap();
    assert_eq!(span.fragments, vec![ByteRange::new(start, end)]);
    // A drag the other way (left to right) over "(TASS)" inside the Arabic line, from its
    // visual left (the closing bracket) to its right (the opening one).
    let second = MIXED.find('\n').unwrap() + 1;
    let open_at = second + MIXED[second..].find("(TASS)").unwrap();
    let close_at = open_at + "(TASS".len();
    let (open_rect, close_rect) = (rect_of(&harness, open_at), rect_of(&harness, close_at));
    assert!(close_rect.max.x < open_rect.min.x, "its brackets face it");
    let y = open_rect.center().y;
    common::drag(
        &mut harness,
        Pos2::new(close_rect.min.x + 1.0, y),
        Pos2::new(open_rect.max.x - 1.0, y),
    );
    assert_eq!(
        harness.state().selection(),
        Some(ByteRange::new(open_at, close_at + 1))
    );
    // The export says exactly the claim's text.
    let out = dir.path().join("spans.jsonl");
    marginalia::formats::export(
        harness.state().workspace().unwrap().project(),
        marginalia::formats::Format::Jsonl,
        &marginalia::formats::ExportOptions::default(),
        &out,
        &mut |_, _| {},
    )
    .unwrap();
    let line: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let text: Vec<char> = line["text"].as_str().unwrap().chars().collect();
    let spans = line["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 1);
    let (s, e) = (
        spans[0]["start"].as_u64().unwrap() as usize,
        spans[0]["end"].as_u64().unwrap() as usize,
    );
    // `text[start:end]` in Python: code points.
    assert_eq!(text[s..e].iter().collect::<String>(), phrase);
    assert_eq!(spans[0]["text"].as_str(), Some(phrase));
}

#[test]
fn m_the_caret_walks_an_arabic_word_from_right_to_left() {
    let (_dir, mut harness) = open(MIXED);
    let second = MIXED.find('\n').unwrap() + 1;
    let word = "المتحدث";
    let start = second + MIXED[second..].find(word).unwrap();
    let rect = rect_of(&harness, start);
    // A click on the right half of the word's first letter puts the caret before it.
    click(&mut harness, Pos2::new(rect.max.x - 1.0, rect.center().y));
    assert_eq!(harness.state().text_view().caret(), Some(start));
    let caret_x = |harness: &Harness<'_, MarginaliaApp>| {
        harness
            .state()
            .text_view()
            .caret_screen_rect()
            .unwrap()
            .min
            .x
    };
    let mut xs = vec![caret_x(&harness)];
    for _ in word.chars() {
        common::press(&mut harness, Modifiers::NONE, Key::ArrowRight);
        xs.push(caret_x(&harness));
    }
    assert_eq!(
        harness.state().text_view().caret(),
        Some(start + word.len())
    );
    // → moves on in the text: through an Arabic word, the caret goes left.
    for pair in xs.windows(2) {
        assert!(pair[1] < pair[0], "{xs:?}");
    }
}
