//! Issue M 3: what a screen reader gets (AccessKit, as the harness queries it): the text view is
//! a document node whose value is the text and whose description says what is selected and
//! which spans are under the caret; every button and field has a name.

#![cfg(feature = "gui")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use marginalia::ui::MarginaliaApp;

mod common;

/// The text view's node: (label, value, description).
fn text_node(harness: &Harness<'_, MarginaliaApp>) -> (String, String, String) {
    let node = harness.get_by_role(Role::Document);
    let node = node.accesskit_node();
    (
        node.label().unwrap_or_default(),
        node.value().unwrap_or_default(),
        node.description().unwrap_or_default(),
    )
}

#[test]
fn m_the_text_view_tells_a_screen_reader_the_text_the_selection_and_the_span_under_the_caret() {
    let (_dir, path) = common::sample_copy();
    let mut harness = common::open(&path, true);
    let project = harness.state().workspace().unwrap().project().clone();
    let document = &project.documents[0];
    let (label, value, description) = text_node(&harness);
    assert_eq!(label, format!("Document text: {}", document.path));
    assert_eq!(value, &*document.text);
    assert_eq!(description, "", "nothing selected yet");

    // A claim linked to its source: click inside it.
    let relation = document
        .relations
        .iter()
        .find(|r| r.kind == "attributed-to")
        .unwrap();
    let claim = document.annotation(relation.from).unwrap();
    let source = document.annotation(relation.to).unwrap();
    let inside = claim.fragments[0].start + 1;
    let pos = harness.state().text_view().screen_pos(inside).unwrap();
    harness.hover_at(pos);
    harness.run();
    harness.drag_at(pos);
    harness.run();
    harness.drop_at(pos);
    harness.run();
    let (_, _, description) = text_node(&harness);
    let claim_text = claim.text(&document.text);
    assert!(
        description.starts_with(&format!("Selected span: {} “", claim.label)),
        "{description}"
    );
    assert!(description.contains(&claim_text[..20]), "{description}");
    assert!(
        description.contains(&format!(
            "attributed-to {} “{}",
            source.label,
            &source.text(&document.text)
        )),
        "{description}"
    );

    // A selection of plain words: Escape leaves the span, a drag selects.
    common::press(&mut harness, egui::Modifiers::NONE, egui::Key::Escape);
    let text = document.text.clone();
    let phrase = text
        .split('\n')
        .find(|line| line.len() > 30)
        .map(|line| &line[..line.char_indices().nth(12).unwrap().0])
        .unwrap();
    let start = text.find(phrase).unwrap();
    let view = harness.state().text_view();
    let p0 = view.screen_pos(start).unwrap();
    let p1 = view.screen_pos(start + phrase.len()).unwrap();
    common::drag(&mut harness, p0, p1);
    let selection = harness.state().selection().expect("a selection");
    let (_, _, description) = text_node(&harness);
    assert!(
        description.starts_with(&format!("Selected: “{}”.", selection.slice(&text).trim())),
        "{description}"
    );
}

#[test]
fn m_every_button_and_field_of_the_main_window_has_a_name() {
    let (_dir, path) = common::sample_copy();
    let harness = common::open(&path, true);
    let mut unnamed = Vec::new();
    for role in [
        Role::Button,
        Role::TextInput,
        Role::MultilineTextInput,
        Role::CheckBox,
        Role::ComboBox,
    ] {
        for node in harness.query_all_by_role(role) {
            let node = node.accesskit_node();
            let named = node.label().is_some_and(|l| !l.trim().is_empty())
                || node.value().is_some_and(|v| !v.trim().is_empty());
            if !named {
                unnamed.push(format!("{role:?} at {:?}", node.bounding_box()));
            }
        }
    }
    assert!(unnamed.is_empty(), "unnamed widgets: {unnamed:#?}");
}
