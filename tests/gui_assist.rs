//! Issue I, assisted annotation, driven through the real app headless (`egui_kittest`): search
//! with Ctrl+F and Ctrl+Shift+F, annotate all, and suggestions walked with Tab, accepted with
//! Enter and rejected with X.

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
use marginalia::model::Annotation;
use marginalia::schema::PatternDef;
use marginalia::suggest::{Rule, SuggestedLink, Suggester, Suggestion};
use marginalia::text::ByteRange;
use marginalia::ui::MarginaliaApp;

mod common;

use common::sample_copy;

fn harness(project: &Path) -> Harness<'static, MarginaliaApp> {
    common::open(project, false)
}

fn annotations(harness: &Harness<'_, MarginaliaApp>, doc: usize) -> Vec<Annotation> {
    harness.state().workspace().unwrap().project().documents[doc]
        .annotations
        .clone()
}

fn all_annotations(harness: &Harness<'_, MarginaliaApp>) -> Vec<Vec<Annotation>> {
    let project = harness.state().workspace().unwrap().project();
    project
        .documents
        .iter()
        .map(|d| d.annotations.clone())
        .collect()
}

/// Types `text` into the focused field.
fn type_text(harness: &mut Harness<'_, MarginaliaApp>, text: &str) {
    harness.event(egui::Event::Text(text.to_owned()));
    // Not `run`: the search it starts repaints until it is done (see `wait_for`).
    harness.step();
    harness.step();
}

/// Steps the app until `done` holds (the app's threads work in the background), or fails.
fn wait_for(
    harness: &mut Harness<'_, MarginaliaApp>,
    what: &str,
    done: impl Fn(&MarginaliaApp) -> bool,
) {
    for _ in 0..2_000 {
        if done(harness.state()) {
            harness.step();
            harness.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
        harness.step();
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn i_ctrl_shift_f_finds_an_accented_word_without_its_accent_and_jumps_to_it() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(&project);
    // Start on another document than the one the word is in.
    harness.key_press_modifiers(Modifiers::ALT, Key::ArrowDown);
    harness.run();
    assert_eq!(harness.state().current_document(), 1);
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::F);
    harness.run();
    assert!(harness.state().find_bar().open && harness.state().find_bar().corpus);
    type_text(&mut harness, "coreens");
    wait_for(&mut harness, "the corpus search", |app| {
        app.find_bar().finished
    });
    let hits = harness.state().find_bar().hits.clone();
    let texts: Vec<String> = {
        let project = harness.state().workspace().unwrap().project();
        hits.iter()
            .map(|h| h.range.slice(&project.documents[h.doc].text).to_owned())
            .collect()
    };
    assert!(!hits.is_empty(), "\"coreens\" finds \"coréens\"");
    assert!(
        texts.iter().all(|t| t.to_lowercase() == "coréens"),
        "every hit is the accented word, exactly: {texts:?}"
    );
    let first = hits[0];
    let path = harness.state().workspace().unwrap().project().documents[first.doc]
        .path
        .clone();
    // The results list each hit with its document and context: a click jumps there.
    let row = harness
        .get_all_by(|n| {
            n.label()
                .is_some_and(|l| l.starts_with(&path) && l.contains("coréens"))
        })
        .next()
        .expect("a row for the first hit");
    row.click();
    harness.run();
    harness.run();
    assert_eq!(harness.state().current_document(), first.doc);
    assert_eq!(harness.state().find_bar().current, Some(0));
    assert!(
        harness
            .state()
            .text_view()
            .screen_pos(first.range.start)
            .is_some(),
        "the hit is scrolled into view"
    );
}

#[test]
fn i_annotate_all_labels_n_hits_and_one_ctrl_z_removes_them() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(&project);
    let before = all_annotations(&harness);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::F);
    harness.run();
    type_text(&mut harness, "poutine");
    wait_for(&mut harness, "the search", |app| app.find_bar().finished);
    let hits = harness.state().find_bar().hits.clone();
    assert!(hits.len() >= 3, "Poutine is named several times: {hits:?}");
    assert!(
        hits.iter().all(|h| h.doc == 0),
        "Ctrl+F searches the document shown"
    );
    // The find bar's own "source" button (the palette's reads "2 source").
    harness
        .get_all_by(|n| n.role() == Role::Button && n.label().as_deref() == Some("source"))
        .next()
        .expect("the find bar's source button")
        .click();
    harness.run();
    harness
        .get_all_by(|n| {
            n.role() == Role::Button
                && n.label()
                    .is_some_and(|l| l.starts_with("Label them: label"))
        })
        .next()
        .expect("the preview's button")
        .click();
    harness.run();
    let after = annotations(&harness, 0);
    let new: Vec<&Annotation> = after
        .iter()
        .filter(|a| !before[0].iter().any(|b| b.id == a.id))
        .collect();
    let text = harness.state().workspace().unwrap().project().documents[0]
        .text
        .clone();
    // Every hit is now covered by a source span, and only the hits that were not got a new one.
    let covered_before = hits
        .iter()
        .filter(|h| {
            before[0].iter().any(|a| {
                a.label == "source"
                    && a.fragments
                        .iter()
                        .any(|f| f.start <= h.range.start && h.range.end <= f.end)
            })
        })
        .count();
    assert_eq!(new.len(), hits.len() - covered_before);
    assert!(!new.is_empty());
    for span in &new {
        assert_eq!(span.label, "source");
        assert_eq!(span.text(&text).to_lowercase(), "poutine");
    }
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(
        all_annotations(&harness),
        before,
        "one undo removes them all"
    );
}

/// The range of `phrase` in `text`.
fn range_of(text: &str, phrase: &str) -> ByteRange {
    let start = text.find(phrase).expect("phrase in text");
    ByteRange::new(start, start + phrase.len())
}

/// The sample copy with document 0 stripped of its spans and given two pending suggestions: a
/// source, and a claim attributed to it.
fn sample_with_suggestions() -> (tempfile::TempDir, std::path::PathBuf, ByteRange, ByteRange) {
    let (dir, path) = sample_copy();
    let (mut project, _) = marginalia::file::load(&path).unwrap();
    let document = &mut project.documents[0];
    document.annotations.clear();
    document.relations.clear();
    document.annotations_changed();
    let source = range_of(&document.text, "Le président russe Vladimir Poutine");
    let claim = range_of(
        &document.text,
        "a salué vendredi une délégation d'officiers nord-coréens",
    );
    let rule = Rule {
        suggester: Suggester::Attribution,
        rule: "reporting verb: a salué".to_owned(),
    };
    document.suggestions = vec![
        Suggestion {
            label: "source".to_owned(),
            fragments: vec![source],
            rule: rule.clone(),
            score: 0.7,
            link: None,
        },
        Suggestion {
            label: "claim".to_owned(),
            fragments: vec![claim],
            rule,
            score: 0.6,
            link: Some(SuggestedLink {
                kind: "attributed-to".to_owned(),
                label: "source".to_owned(),
                fragments: vec![source],
            }),
        },
    ];
    let dir_path = path.parent().unwrap().to_owned();
    marginalia::file::write_atomic(
        &path,
        marginalia::file::to_ron(&project, &dir_path).as_bytes(),
    )
    .unwrap();
    (dir, path, source, claim)
}

#[test]
fn i_tab_then_enter_accepts_a_suggestion_with_its_link() {
    let (_dir, path, source, claim) = sample_with_suggestions();
    let mut harness = harness(&path);
    harness.key_press(Key::Tab);
    harness.run();
    assert_eq!(
        harness.state().suggestion_shown(),
        Some(0),
        "Tab shows the first"
    );
    harness.key_press(Key::Tab);
    harness.run();
    assert_eq!(
        harness.state().suggestion_shown(),
        Some(1),
        "Tab again the next"
    );
    harness.key_press(Key::Enter);
    harness.run();
    let document = harness.state().workspace().unwrap().project().documents[0].clone();
    assert!(
        document.suggestions.is_empty(),
        "both accepted: {:?}",
        document.suggestions
    );
    let span = |range: ByteRange, label: &str| {
        document
            .annotations
            .iter()
            .find(|a| a.fragments == [range] && a.label == label)
            .unwrap_or_else(|| panic!("a {label} span: {:?}", document.annotations))
            .clone()
    };
    let (claim_span, source_span) = (span(claim, "claim"), span(source, "source"));
    assert_eq!(document.annotations.len(), 2);
    assert_eq!(document.relations.len(), 1);
    let link = &document.relations[0];
    assert_eq!(
        (link.kind.as_str(), link.from, link.to),
        ("attributed-to", claim_span.id, source_span.id)
    );
    assert_eq!(
        claim_span.suggested.as_ref().map(|r| r.suggester),
        Some(Suggester::Attribution),
        "an accepted span keeps the rule that suggested it"
    );
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    let document = &harness.state().workspace().unwrap().project().documents[0];
    assert!(document.annotations.is_empty() && document.relations.is_empty());
    assert_eq!(document.suggestions.len(), 2, "one undo brings both back");
}

#[test]
fn i_x_rejects_a_suggestion_and_after_save_and_reopen_it_is_not_offered_again() {
    let (_dir, path, source, _) = sample_with_suggestions();
    let mut harness = harness(&path);
    harness.key_press(Key::Tab);
    harness.run();
    harness.key_press(Key::X);
    harness.run();
    {
        let document = &harness.state().workspace().unwrap().project().documents[0];
        assert_eq!(document.suggestions.len(), 1);
        assert_eq!(document.rejected.len(), 1);
        assert_eq!(document.rejected[0].fragments, [source]);
        assert!(document.annotations.is_empty(), "X makes no span");
    }
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run();
    assert!(!harness.state().workspace().unwrap().is_dirty(), "saved");
    drop(harness);
    // Reopened, and the source found again by a dictionary of the schema: still not offered.
    let (mut project, _) = marginalia::file::load(&path).unwrap();
    project.schema.patterns.push(PatternDef {
        label: "source".to_owned(),
        terms: vec!["Le président russe Vladimir Poutine".to_owned()],
        regexes: Vec::new(),
        match_case: false,
    });
    let dir_path = path.parent().unwrap().to_owned();
    marginalia::file::write_atomic(
        &path,
        marginalia::file::to_ron(&project, &dir_path).as_bytes(),
    )
    .unwrap();
    let mut harness = crate::harness(&path);
    assert_eq!(
        harness.state().workspace().unwrap().project().documents[0]
            .rejected
            .len(),
        1,
        "the rejection is in the file"
    );
    harness.key_press_modifiers(Modifiers::COMMAND, Key::G);
    // Not `run`: the spinner repaints while the suggesters work (see `wait_for`).
    harness.step();
    wait_for(&mut harness, "the suggesters", |app| {
        !app.is_suggesting_running()
    });
    let project = harness.state().workspace().unwrap().project();
    let offered: Vec<_> = project.documents[0]
        .suggestions
        .iter()
        .filter(|s| s.label == "source" && s.fragments == [source])
        .collect();
    assert!(
        offered.is_empty(),
        "a rejected suggestion is never offered again: {offered:?}"
    );
    // The dictionary did find it: the only reason it is not offered is the rejection.
    let mut unrejected = project.clone();
    unrejected.documents[0].rejected.clear();
    let found = marginalia::suggest::run(&unrejected, &[Suggester::Patterns]);
    assert!(
        found[0].iter().any(|s| s.fragments == [source]),
        "the dictionary finds it once the rejection is forgotten"
    );
}

#[test]
fn j_tab_walks_the_spans_when_the_document_has_no_suggestion() {
    // Tab walks pending suggestions first; without any, it moves the selection from span to
    // span (it used to move egui's keyboard focus onto the menu's buttons).
    let (_dir, project) = sample_copy();
    let mut harness = harness(&project);
    let spans = annotations(&harness, 0);
    assert!(spans.len() >= 3);
    assert!(
        harness.state().workspace().unwrap().project().documents[0]
            .suggestions
            .is_empty()
    );
    harness.key_press(Key::Tab);
    harness.run();
    assert_eq!(harness.state().selected_span(), Some(spans[0].id));
    harness.key_press(Key::Tab);
    harness.run();
    assert_eq!(harness.state().selected_span(), Some(spans[1].id));
    harness.key_press_modifiers(Modifiers::SHIFT, Key::Tab);
    harness.run();
    assert_eq!(harness.state().selected_span(), Some(spans[0].id));
    harness.key_press_modifiers(Modifiers::SHIFT, Key::Tab);
    harness.run();
    assert_eq!(
        harness.state().selected_span(),
        Some(spans[spans.len() - 1].id),
        "round the start"
    );
    // The span selected by Tab takes a label key like a clicked one.
    harness.key_press(Key::Num3);
    harness.run();
    let last = annotations(&harness, 0)
        .into_iter()
        .find(|a| a.id == spans[spans.len() - 1].id)
        .unwrap();
    assert_eq!(last.label, "boilerplate");
}

#[test]
fn i_rejecting_a_source_says_the_claims_linked_to_it_lose_their_link() {
    // Rejecting the source drops the claim's suggested link with it: that went unsaid, and the
    // claim was then accepted without a link.
    let (_dir, path, _, claim) = sample_with_suggestions();
    let mut harness = harness(&path);
    harness.key_press(Key::Tab);
    harness.run();
    harness.key_press(Key::X);
    harness.run();
    assert_eq!(
        harness.state().suggestion_shown(),
        Some(0),
        "the claim takes its place"
    );
    harness.key_press(Key::Enter);
    harness.run();
    let document = &harness.state().workspace().unwrap().project().documents[0];
    assert!(document.relations.is_empty());
    assert!(document.annotations.iter().any(|a| a.fragments == [claim]));
}
