//! Review and adjudication in the real app, driven headless through `egui_kittest`: the "k of N"
//! counters, the inline difference of two versions, a ruling that moves on exactly once, and
//! the agreement chart's legend.

#![cfg(feature = "gui")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use marginalia::text::ByteRange;
use marginalia::ui::MarginaliaApp;

mod common;

use common::sample_copy;

fn harness(project: &Path) -> Harness<'static, MarginaliaApp> {
    common::open(project, false)
}

/// Review → Compare with… the sample's second annotator, through the path field.
fn compare_with_second(harness: &mut Harness<'_, MarginaliaApp>, dir: &Path) {
    let other = dir.join("projects/sample-second-annotator.ron");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::R);
    harness.run();
    harness
        .get_by_role(Role::TextInput)
        .type_text(&other.display().to_string());
    harness.run();
    harness.get_by_label("OK").click();
    harness.run();
}

/// Presses `key` and lets the app settle (a long scroll to another document may take more
/// frames than one run allows).
fn press(harness: &mut Harness<'_, MarginaliaApp>, key: Key) {
    harness.key_press(key);
    for _ in 0..4 {
        if harness.try_run().is_ok() {
            return;
        }
    }
    harness.run();
}

#[test]
fn j_walking_the_differences_shows_difference_k_of_n_in_the_panel_and_the_status_bar() {
    let (dir, project) = sample_copy();
    let mut harness = harness(&project);
    compare_with_second(&mut harness, dir.path());
    let total = harness.state().comparison().unwrap().diff.differences();
    assert!(total >= 3, "the sample has differences to walk");
    assert_eq!(harness.state().comparison().unwrap().position(), None);
    for _ in 0..3 {
        press(&mut harness, Key::N);
    }
    assert_eq!(
        harness.state().comparison().unwrap().position(),
        Some((3, total))
    );
    let shown = format!("difference 3 of {total}");
    assert_eq!(
        harness.get_all_by_label(&shown).count(),
        2,
        "in the Review panel and in the status bar"
    );
    press(&mut harness, Key::P);
    harness
        .get_all_by_label(&format!("difference 2 of {total}"))
        .next()
        .unwrap();
    // Back from the first, the walk wraps to the last: N of N.
    press(&mut harness, Key::P);
    press(&mut harness, Key::P);
    harness
        .get_all_by_label(&format!("difference {total} of {total}"))
        .next()
        .unwrap();
}

#[test]
fn j_a_final_period_only_one_version_has_is_shown_marked_in_the_review_panel() {
    let (dir, project) = sample_copy();
    let mut harness = harness(&project);
    compare_with_second(&mut harness, dir.path());
    // The sample's "… décoré de médailles" (yours, 772..894) against jules's, with its period.
    let mine = ByteRange::new(772, 894);
    let total = harness.state().comparison().unwrap().diff.differences();
    let mut found = false;
    for _ in 0..total {
        press(&mut harness, Key::N);
        let state = harness.state();
        let document = state
            .workspace()
            .unwrap()
            .project()
            .document(state.current_document())
            .unwrap();
        if state
            .comparison()
            .unwrap()
            .current_ranges(document)
            .contains(&mine)
        {
            found = true;
            break;
        }
    }
    assert!(found, "n reaches the difference of the final period");
    let state = harness.state();
    let document = state
        .workspace()
        .unwrap()
        .project()
        .document(state.current_document())
        .unwrap();
    let ranges = state.comparison().unwrap().current_ranges(document);
    assert_eq!(ranges, [mine, ByteRange::new(772, 895)]);
    let text = mine.slice(&document.text);
    let label = &document
        .annotations
        .iter()
        .find(|a| a.fragments == [mine])
        .unwrap()
        .label;
    let name = state.comparison().unwrap().name.clone();
    // The core finds the period as the whole difference…
    let theirs = ByteRange::new(772, 895).slice(&document.text);
    let diff = marginalia::review::inline::inline_diff(text, theirs);
    assert_eq!(diff.b.slice(theirs), ".");
    assert!(diff.a.is_empty());
    // …and the panel shows both versions cut at the same place, jules's ending in the marked
    // period: the common part is the last 40 characters before it.
    let start = text.char_indices().rev().nth(39).unwrap().0;
    let common = &text[start..];
    harness.get_by_label(&format!("yours: {label}: …{common}"));
    harness.get_by_label(&format!("{name}: {label}: …{common}."));
}

#[test]
fn j_a_ruling_moves_to_the_next_place_once_and_n_goes_on_from_there() {
    let (dir, project) = sample_copy();
    let mut harness = harness(&project);
    compare_with_second(&mut harness, dir.path());
    harness.get_by_label("Adjudicate…").click();
    harness.run();
    harness.get_by_label("Start from intersection").click();
    harness.run();
    let gold = harness.state().workspace().unwrap().project().clone();
    let all = marginalia::review::adjudicate::places(&gold);
    // A place that is not the first of its document, with two more after it: ruling on it
    // once went back to the first place of the document.
    let i = (1..all.len().saturating_sub(3))
        .find(|&i| all[i - 1].doc == all[i].doc)
        .expect("a document of the sample with several places");
    for _ in 0..all.len() {
        if harness.state().place() == Some(&all[i]) {
            break;
        }
        press(&mut harness, Key::N);
    }
    assert_eq!(harness.state().place(), Some(&all[i]));
    let n = all.len();
    assert_eq!(
        harness
            .get_all_by_label(&format!("place {} of {n}", i + 1))
            .count(),
        2,
        "in the Adjudication panel and in the status bar"
    );

    // A keeps the first annotator's version and shows the place after it, once.
    press(&mut harness, Key::A);
    assert_eq!(harness.state().place(), Some(&all[i + 1]));
    assert_eq!(
        harness
            .get_all_by_label(&format!("place {} of {}", i + 1, n - 1))
            .count(),
        2,
        "the panel and the status bar count the places left"
    );
    // H keeps both there and moves on to the one after.
    press(&mut harness, Key::H);
    assert_eq!(harness.state().place(), Some(&all[i + 2]));
    // n right after a ruling goes to the next place: none is skipped.
    press(&mut harness, Key::N);
    assert_eq!(harness.state().place(), Some(&all[i + 3]));
    press(&mut harness, Key::P);
    assert_eq!(harness.state().place(), Some(&all[i + 2]));
    // X drops the candidates there and moves on to the place after it.
    press(&mut harness, Key::X);
    assert_eq!(harness.state().place(), Some(&all[i + 3]));
    let left =
        marginalia::review::adjudicate::places(harness.state().workspace().unwrap().project());
    assert_eq!(left.len(), n - 3);
}

#[test]
fn j_the_agreement_legend_is_above_the_chart_in_the_tables_order() {
    let (dir, project) = sample_copy();
    let mut harness = harness(&project);
    compare_with_second(&mut harness, dir.path());
    harness.get_by_label_contains("Agreement…").click();
    harness.run();
    // The legend's entries; κ and α are also the table's headers, below: the legend's are the
    // topmost.
    let rect_of = |name: &str| {
        harness
            .get_all_by_label(name)
            .map(|n| n.rect())
            .min_by(|a, b| a.top().total_cmp(&b.top()))
            .unwrap_or_else(|| panic!("{name} in the legend"))
    };
    let legend: Vec<egui::Rect> = ["exact F1", "overlap F1", "κ", "α", "αu"]
        .iter()
        .map(|name| rect_of(name))
        .collect();
    for pair in legend.windows(2) {
        assert!(
            pair[0].right() <= pair[1].left(),
            "in the table's order, left to right: {legend:?}"
        );
        assert!(
            (pair[0].center().y - pair[1].center().y).abs() < 2.0,
            "one row"
        );
    }
    // The chart (220 points high) lies between the legend and the table: the legend is not
    // drawn over the bars.
    let header = harness.get_by_label("exact F1 (P / R)").rect();
    assert!(
        header.top() - legend[0].bottom() >= 200.0,
        "legend {:?}, table {header:?}",
        legend[0]
    );
}

#[test]
fn l_the_agreement_window_measures_the_document_attributes() {
    let (dir, project) = sample_copy();
    let mut harness = harness(&project);
    compare_with_second(&mut harness, dir.path());
    harness.get_by_label_contains("Agreement…").click();
    harness.run();
    harness.get_by_label("Document attributes (documents as units)");
    let report = harness.state().agreement().report.clone().unwrap();
    let genre = report
        .document_attributes
        .iter()
        .find(|r| r.name == "genre")
        .unwrap();
    // What the core computes, shown in the window's table.
    harness.get_by_label("genre");
    assert!((genre.kappa - 0.583_333).abs() < 1e-6, "{}", genre.kappa);
    assert!(
        harness
            .get_all_by_label(&format!("{:.3}", genre.kappa))
            .count()
            > 0
    );
}
