//! The real app, driven headless through `egui_kittest`: the mouse selects, keys label, the project
//! changes, saves and reopens.

#![cfg(feature = "gui")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use egui::accesskit::Role;
use egui::{Key, Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use marginalia::model::{Annotation, Id};
use marginalia::ui::{MarginaliaApp, NoDialogs, Prefs};

mod common;

use common::sample_copy;

fn harness(project: Option<&Path>) -> Harness<'static, MarginaliaApp> {
    harness_with(project, false)
}

/// The app with `project` open in a headless window (see [`common::harness_for`]).
fn harness_with(project: Option<&Path>, tofu: bool) -> Harness<'static, MarginaliaApp> {
    let app = MarginaliaApp::starting(Prefs::default(), Box::new(NoDialogs), project, None);
    common::harness_for(app, tofu)
}

fn annotations(harness: &Harness<'_, MarginaliaApp>, doc: usize) -> Vec<Annotation> {
    harness.state().workspace().unwrap().project().documents[doc]
        .annotations
        .clone()
}

fn doc_text(harness: &Harness<'_, MarginaliaApp>, doc: usize) -> String {
    harness.state().workspace().unwrap().project().documents[doc]
        .text
        .to_string()
}

/// Drags the mouse across `phrase` in the current document, as a user would.
fn drag_across(harness: &mut Harness<'_, MarginaliaApp>, phrase: &str) {
    drag_across_holding(harness, phrase, Modifiers::NONE);
}

/// Drags across `phrase` with `modifiers` held from the press to the release.
fn drag_across_holding(
    harness: &mut Harness<'_, MarginaliaApp>,
    phrase: &str,
    modifiers: Modifiers,
) {
    harness.event(egui::Event::ModifiersChanged(modifiers));
    let text = doc_text(harness, harness.state().current_document());
    let start = text.find(phrase).expect("phrase in document");
    let end = start + phrase.len();
    let view = harness.state().text_view();
    // From before the phrase's first character to after its last, as drawn: the trailing edge
    // of the last is its right edge, or its left one when it is drawn right to left (issue M 2).
    let first = view.screen_pos(start).expect("start of phrase on screen");
    let last = text[..end].char_indices().next_back().expect("a phrase").0;
    let (drawn_at, _, rect) = view
        .drawn_chars()
        .into_iter()
        .rfind(|(offset, _, _)| *offset <= last)
        .expect("the phrase's last character on screen");
    let leading = view.screen_pos(drawn_at).expect("last character on screen");
    let trailing = if (leading.x - rect.max.x).abs() < 0.01 {
        rect.min.x
    } else {
        rect.max.x
    };
    // Half a point inside each end, as a hand does (an edge shared by two glyphs drawn in
    // opposite directions is both the start and the end of a run).
    let inward = if trailing < leading.x { -0.5 } else { 0.5 };
    let p0 = first + egui::vec2(inward, 0.0);
    let p1 = Pos2::new(trailing - inward, rect.center().y);
    common::drag(harness, p0, p1);
    harness.event(egui::Event::ModifiersChanged(Modifiers::NONE));
    harness.run();
}

/// A click at `pos`, with `modifiers` held.
fn click(harness: &mut Harness<'_, MarginaliaApp>, pos: Pos2, modifiers: Modifiers) {
    for pressed in [true, false] {
        let event = egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers,
        };
        harness.event_modifiers(event, modifiers);
        harness.step();
    }
    harness.run();
}

fn new_spans(before: &[Annotation], after: &[Annotation]) -> Vec<Annotation> {
    let old: Vec<Id> = before.iter().map(|a| a.id).collect();
    after
        .iter()
        .filter(|a| !old.contains(&a.id))
        .cloned()
        .collect()
}

#[test]
fn drag_then_key_makes_exactly_that_claim_and_undo_redo_work() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    let phrase = "une délégation d'officiers nord-coréens";
    let before = annotations(&harness, 0);

    drag_across(&mut harness, phrase);
    let selection = harness
        .state()
        .selection()
        .expect("a selection after the drag");
    assert_eq!(
        &doc_text(&harness, 0)[selection.start..selection.end],
        phrase
    );

    harness.key_press(Key::Num1);
    harness.run();
    let after = annotations(&harness, 0);
    let added = new_spans(&before, &after);
    assert_eq!(added.len(), 1, "exactly one new span");
    assert_eq!(added[0].label, "claim");
    assert_eq!(added[0].text(&doc_text(&harness, 0)), phrase);
    assert_eq!(added[0].annotator, "camille");
    assert!(
        harness.state().window_title().starts_with('●'),
        "the title shows unsaved changes"
    );

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(annotations(&harness, 0), before, "undo removes it");

    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    harness.run();
    assert_eq!(annotations(&harness, 0), after, "redo restores it");

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    harness.run();
    assert_eq!(annotations(&harness, 0), after, "Ctrl+Y redoes too");
}

#[test]
fn palette_button_labels_the_selection_and_keys_relabel_and_delete() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    let phrase = "la place Rouge";
    let before = annotations(&harness, 0);
    drag_across(&mut harness, phrase);
    harness.get_by_label("2 source").click();
    harness.run();
    let added = new_spans(&before, &annotations(&harness, 0));
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].label, "source");
    assert_eq!(added[0].text(&doc_text(&harness, 0)), phrase);
    // The new span is selected: a label key relabels it, Delete removes it.
    assert_eq!(harness.state().selected_span(), Some(added[0].id));
    harness.key_press(Key::Num3);
    harness.run();
    let relabelled = annotations(&harness, 0)
        .into_iter()
        .find(|a| a.id == added[0].id)
        .unwrap();
    assert_eq!(relabelled.label, "boilerplate");
    harness.key_press(Key::Delete);
    harness.run();
    assert_eq!(annotations(&harness, 0), before);
}

#[test]
fn clicking_a_span_in_the_list_selects_it_and_double_click_selects_a_word() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    let first = annotations(&harness, 0)[0].clone();
    let excerpt: String = first
        .text(&doc_text(&harness, 0))
        .chars()
        .take(40)
        .collect();
    harness.get_by_label_contains(&excerpt).click();
    harness.run();
    assert_eq!(harness.state().selected_span(), Some(first.id));

    let text = doc_text(&harness, 0);
    let word = text.find("défilé").unwrap();
    let pos = harness
        .state()
        .text_view()
        .screen_pos(word + "dé".len())
        .unwrap();
    harness.hover_at(pos);
    harness.run();
    for _ in 0..2 {
        for pressed in [true, false] {
            harness.event(egui::Event::PointerButton {
                pos,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: Modifiers::NONE,
            });
            harness.step();
        }
    }
    harness.run();
    let selection = harness.state().selection().unwrap_or_else(|| {
        panic!(
            "double-click selects a word; selected span {:?}",
            harness.state().selected_span()
        )
    });
    assert_eq!(&text[selection.start..selection.end], "défilé");
}

#[test]
fn save_as_through_the_path_field_then_reopen_gives_the_same_annotations() {
    let (dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    drag_across(&mut harness, "Kim Jong Un");
    harness.key_press(Key::Num2);
    harness.run();
    let expected = harness
        .state()
        .workspace()
        .unwrap()
        .project()
        .documents
        .clone();

    // No native dialog here: Save As falls back to a path field.
    let target = dir.path().join("projects/copy.ron");
    save_as_through_the_path_field(&mut harness, &target);
    assert!(
        target.exists(),
        "saved through the path field: {:?}",
        harness.state().notifications()
    );
    assert!(
        !harness.state().window_title().starts_with('●'),
        "saved: no unsaved mark"
    );

    let reopened = self::harness(Some(&target));
    let documents = &reopened.state().workspace().unwrap().project().documents;
    assert_eq!(documents.len(), expected.len());
    for (a, b) in documents.iter().zip(&expected) {
        assert_eq!(a.annotations, b.annotations);
        assert_eq!(a.relations, b.relations);
        assert_eq!(a.status, b.status);
    }
}

#[test]
fn opening_another_project_with_unsaved_changes_asks_first() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    drag_across(&mut harness, "Kim Jong Un");
    harness.key_press(Key::Num2);
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::O);
    harness.run();
    harness.get_by_label("Unsaved changes");
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(harness.query_by_label("Unsaved changes").is_none());
    assert!(
        harness.state().workspace().unwrap().is_dirty(),
        "nothing was lost"
    );
}

#[test]
fn documents_switch_by_keyboard_and_status_is_an_undoable_edit() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    harness.key_press_modifiers(Modifiers::ALT, Key::ArrowDown);
    harness.run();
    assert_eq!(harness.state().current_document(), 1);
    harness.key_press_modifiers(Modifiers::ALT, Key::ArrowUp);
    harness.run();
    assert_eq!(harness.state().current_document(), 0);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    harness.run();
    assert_eq!(harness.state().current_document(), 1, "mark done and next");
    assert!(
        harness.state().workspace().unwrap().is_dirty(),
        "marking done is an edit"
    );
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert!(
        !harness.state().workspace().unwrap().is_dirty(),
        "and it undoes"
    );
}

#[test]
fn a_note_is_typed_after_enter_and_undone_in_one_step() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    drag_across(&mut harness, "la place Rouge");
    harness.key_press(Key::Num2);
    harness.run();
    let id = harness.state().selected_span().unwrap();
    harness.key_press(Key::Enter);
    harness.run();
    harness
        .get_by_role(Role::MultilineTextInput)
        .type_text("lieu à vérifier");
    harness.run();
    let note = |h: &Harness<'_, MarginaliaApp>| {
        annotations(h, 0)
            .into_iter()
            .find(|a| a.id == id)
            .unwrap()
            .note
    };
    assert_eq!(note(&harness), "lieu à vérifier");
    // Typing "2" in the note did not relabel anything.
    harness
        .get_by_role(Role::MultilineTextInput)
        .type_text(" 2");
    harness.run();
    assert_eq!(note(&harness), "lieu à vérifier 2");
    harness.key_press(Key::Escape);
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(note(&harness), "", "one undo reverts the whole note");
}

#[test]
fn clicking_a_span_selects_it_and_shift_click_extends_a_selection() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    let text = doc_text(&harness, 0);
    // "Poutine" after "a-t-on entendu dire à" is a source span of its own.
    let at = text.find("à Poutine").unwrap() + "à ".len();
    let source = annotations(&harness, 0)
        .into_iter()
        .find(|a| a.extent().start == at && a.label == "source")
        .unwrap();
    let pos = harness.state().text_view().screen_pos(at + 2).unwrap();
    harness.get_by_label("Spans").hover();
    harness.run();
    harness.hover_at(pos);
    harness.run();
    click(&mut harness, pos, Modifiers::NONE);
    assert_eq!(harness.state().selected_span(), Some(source.id));

    let phrase = "aux membres";
    drag_across(&mut harness, phrase);
    let end = text.find("sur la place Rouge").unwrap() + "sur la place Rouge".len();
    let far = harness.state().text_view().screen_pos(end).unwrap();
    harness.hover_at(far);
    harness.run();
    click(&mut harness, far, Modifiers::SHIFT);
    let selection = harness.state().selection().unwrap();
    assert_eq!(
        &text[selection.start..selection.end],
        "aux membres de la délégation nord-coréenne sur la place Rouge"
    );
}

#[test]
fn renaming_a_label_in_the_labels_window_renames_every_span_and_undoes() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    let claims = harness
        .state()
        .workspace()
        .unwrap()
        .project()
        .counts_by_label()["claim"];
    harness.key_press_modifiers(Modifiers::COMMAND, Key::L);
    harness.run();
    let name_field = |h: &Harness<'static, MarginaliaApp>| {
        h.get_all_by_role(Role::TextInput)
            .filter(|n| n.value().as_deref() == Some("claim"))
            .count()
    };
    assert_eq!(name_field(&harness), 1, "the name field of the claim label");
    harness
        .get_all_by_role(Role::TextInput)
        .find(|n| n.value().as_deref() == Some("claim"))
        .unwrap()
        .focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness
        .get_all_by_role(Role::TextInput)
        .find(|n| n.value().as_deref() == Some("claim"))
        .unwrap()
        .type_text("assertion");
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    let counts: Vec<(String, usize)> = harness
        .state()
        .workspace()
        .unwrap()
        .project()
        .counts_by_label()
        .into_iter()
        .map(|(l, n)| (l.to_owned(), n))
        .collect();
    assert!(
        counts.contains(&("assertion".to_owned(), claims)),
        "{counts:?}"
    );
    assert!(!counts.iter().any(|(l, _)| l == "claim"));
    harness.get_by_label("1 assertion");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(
        harness
            .state()
            .workspace()
            .unwrap()
            .project()
            .counts_by_label()["claim"],
        claims
    );
}

#[test]
fn new_project_from_a_folder_asks_the_annotator_and_warns_about_windows_1252() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.txt"),
        "\u{feff}Le Kremlin a démenti.\r\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("b.txt"), b"Pyongyang a r\xe9agi.").unwrap();
    let mut harness = harness(None);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run();
    harness.get_by_label("New project from folder");
    harness
        .get_by_role(Role::TextInput)
        .type_text(&dir.path().display().to_string());
    harness.run();
    harness.get_by_label("OK").click();
    harness.run();
    let name = harness.get_by_role(Role::TextInput);
    name.focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.get_by_role(Role::TextInput).type_text("Zoé");
    harness.run();
    harness.get_by_label("Create project").click();
    harness.run();
    let ws = harness.state().workspace().expect("a new project");
    assert_eq!(ws.project().annotator, "Zoé");
    assert_eq!(ws.project().documents.len(), 2);
    assert_eq!(
        harness.state().prefs().annotator,
        "Zoé",
        "the name is remembered"
    );
    let notes = harness.state().notifications().join("\n");
    assert!(
        notes.contains("b.txt is not UTF-8: it was decoded as windows-1252"),
        "{notes}"
    );
    // A label applied to the BOM document starts after the BOM.
    drag_across(&mut harness, "Le Kremlin");
    harness.key_press(Key::Num2);
    harness.run();
    let span = &annotations(&harness, 0)[0];
    assert_eq!(span.fragments[0].start, 3, "byte offsets count the BOM");
}

/// A file dropped onto the window.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_a_project_file_opens_it_and_hover_shows_the_span() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(None);
    assert!(harness.state().workspace().is_none());
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(project.clone())));
    harness.run();
    let ws = harness
        .state()
        .workspace()
        .expect("the dropped project is open");
    assert_eq!(
        ws.path(),
        Some(marginalia::file::absolute(&project).as_path())
    );
    assert_eq!(
        harness.state().prefs().recent.first(),
        Some(&marginalia::file::absolute(&project))
    );

    // Hovering a span shows its label, annotator and note.
    let text = doc_text(&harness, 0);
    let at = text.find("« Merci beaucoup").unwrap() + 4;
    let pos = harness.state().text_view().screen_pos(at).unwrap();
    harness.hover_at(pos);
    // Tooltips wait for the pointer to rest a moment.
    harness.run_steps(60);
    harness.get_by_label("by camille");
    harness.get_by_label_contains("Note: Direct quote");
}

#[test]
fn mouse_selection_on_emoji_combining_marks_crlf_bom_and_arabic_lands_on_char_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let text = "\u{feff}Titre 😀 e\u{301}te\u{301}\r\n\r\nSelon l'AFP 🇫🇷, « Kim a parlé » — قال المتحدث 👩‍👩‍👧 fin.\r\n";
    std::fs::write(corpus.join("hard.txt"), text).unwrap();
    let project = dir.path().join("hard.ron");
    marginalia::workspace::Workspace::from_folder(&corpus, "zoé")
        .unwrap()
        .save_as(&project)
        .unwrap();
    let mut harness = harness_with(Some(&project), true);
    for (phrase, key, label) in [
        ("« Kim a parlé »", Key::Num1, "claim"),
        ("l'AFP 🇫🇷", Key::Num2, "source"),
        ("قال المتحدث", Key::Num3, "boilerplate"),
    ] {
        let before = annotations(&harness, 0);
        drag_across(&mut harness, phrase);
        harness.key_press(key);
        harness.run();
        let added = new_spans(&before, &annotations(&harness, 0));
        assert_eq!(added.len(), 1, "{phrase}");
        assert_eq!(added[0].label, label);
        assert_eq!(added[0].text(text), phrase);
        assert!(added[0].fragments[0].check(text).is_ok());
    }
    // Save, reopen: the same spans on the same bytes.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run();
    let reopened = marginalia::workspace::Workspace::open(&project).unwrap();
    assert_eq!(
        reopened.project().documents[0].annotations,
        annotations(&harness, 0)
    );
}

/// Replaces the text of the field labelled `label`.
fn set_field(harness: &mut Harness<'_, MarginaliaApp>, label: &str, text: &str) {
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    harness.run();
}

#[test]
fn export_from_the_file_menu_then_import_it_back_as_a_new_project() {
    let (dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    let spans = harness
        .state()
        .workspace()
        .unwrap()
        .project()
        .annotation_count();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::E);
    harness.run();
    let out = dir.path().join("sample.jsonl");
    set_field(&mut harness, "File:", &out.display().to_string());
    harness
        .get_by_role_and_label(Role::Button, "Export")
        .click();
    // A few frames, not `run`: the spinner repaints until the thread is done, which on a busy
    // machine takes longer than `run`'s steps.
    harness.run_steps(10);
    harness.state_mut().finish_transfers();
    harness.run();
    assert!(out.exists());
    let notes = harness.state().notifications().join("\n");
    assert!(
        notes.contains(&format!("Exported 5 document(s), {spans} span(s)")),
        "{notes}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 5);

    harness.key_press_modifiers(Modifiers::COMMAND, Key::I);
    harness.run();
    harness
        .get_by_role_and_label(Role::ComboBox, "Format:")
        .click();
    harness.run();
    harness.get_by_label("jsonl").click();
    harness.run();
    set_field(&mut harness, "File:", &out.display().to_string());
    let imported = dir.path().join("imported.ron");
    set_field(
        &mut harness,
        "New project:",
        &imported.display().to_string(),
    );
    harness
        .get_by_role_and_label(Role::Button, "Import")
        .click();
    // A few frames, not `run`: the spinner repaints until the thread is done, which on a busy
    // machine takes longer than `run`'s steps.
    harness.run_steps(10);
    harness.state_mut().finish_transfers();
    harness.run();
    let ws = harness.state().workspace().unwrap();
    assert_eq!(
        ws.path(),
        Some(marginalia::file::absolute(&imported).as_path()),
        "{:?}",
        harness.state().notifications()
    );
    assert_eq!(ws.project().annotation_count(), spans);
    assert!(
        dir.path()
            .join("imported-corpus/000_225b6af823e3d03e.txt")
            .exists()
    );
}

/// A new project on one short document, opened in the app.
fn one_document(text: &str) -> (tempfile::TempDir, Harness<'static, MarginaliaApp>) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join("a.txt"), text).unwrap();
    let project = dir.path().join("p.ron");
    marginalia::workspace::Workspace::from_folder(&corpus, "zoé")
        .unwrap()
        .save_as(&project)
        .unwrap();
    let harness = harness(Some(&project));
    (dir, harness)
}

fn label_phrase(harness: &mut Harness<'_, MarginaliaApp>, phrase: &str, key: Key) -> Id {
    drag_across(harness, phrase);
    harness.key_press(key);
    harness.run();
    harness
        .state()
        .selected_span()
        .expect("the new span is selected")
}

fn relations(harness: &Harness<'_, MarginaliaApp>) -> Vec<marginalia::model::Relation> {
    harness.state().workspace().unwrap().project().documents[0]
        .relations
        .clone()
}

#[test]
fn l_then_a_click_links_a_claim_to_its_source_either_way_round_and_unlink_undoes() {
    let text = "Selon l'AFP, Kim a parlé longuement hier soir.";
    let (_dir, mut harness) = one_document(text);
    let claim = label_phrase(&mut harness, "Kim a parlé", Key::Num1);
    let source = label_phrase(&mut harness, "l'AFP", Key::Num2);

    // Source selected first, then L, then a click on the claim: the link still goes claim → source.
    harness.key_press(Key::L);
    harness.run();
    let pos = harness
        .state()
        .text_view()
        .screen_pos(text.find("parlé").unwrap())
        .unwrap();
    click(&mut harness, pos, Modifiers::NONE);
    let links = relations(&harness);
    assert_eq!(links.len(), 1);
    assert_eq!(
        (links[0].kind.as_str(), links[0].from, links[0].to),
        ("attributed-to", claim, source)
    );
    assert_eq!(
        harness.state().selected_span(),
        Some(source),
        "the span stays selected"
    );

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert!(relations(&harness).is_empty(), "undo removes the link");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    harness.run();
    assert_eq!(relations(&harness).len(), 1, "redo restores it");

    // Unlink from the side panel.
    harness.get_by_label("Unlink").click();
    harness.run();
    assert!(relations(&harness).is_empty());

    // A claim cannot be linked to a claim: nothing happens but a message.
    let other = label_phrase(&mut harness, "hier soir", Key::Num1);
    harness.key_press(Key::L);
    harness.run();
    click(&mut harness, pos, Modifiers::NONE);
    assert!(relations(&harness).is_empty());
    assert!(
        harness
            .state()
            .notifications()
            .iter()
            .any(|n| n.contains("No relation type links a claim to a claim"))
    );
    assert_ne!(other, claim);
}

#[test]
fn ctrl_drag_adds_a_fragment_and_remove_takes_it_away() {
    let text =
        "« Vos soldats se sont battus », a déclaré Poutine, « nous ne l'oublierons jamais ».";
    let (_dir, mut harness) = one_document(text);
    let claim = label_phrase(&mut harness, "« Vos soldats se sont battus »", Key::Num1);
    drag_across_holding(
        &mut harness,
        "« nous ne l'oublierons jamais »",
        Modifiers::COMMAND,
    );
    let span = annotations(&harness, 0)
        .into_iter()
        .find(|a| a.id == claim)
        .unwrap();
    assert_eq!(span.fragments.len(), 2, "{:?}", span.fragments);
    assert_eq!(
        span.text(text),
        "« Vos soldats se sont battus » … « nous ne l'oublierons jamais »"
    );
    assert_eq!(
        harness.state().selected_span(),
        Some(claim),
        "still the same span"
    );
    // The two fragments are one span: a click on the second selects it.
    let pos = harness
        .state()
        .text_view()
        .screen_pos(text.find("oublierons").unwrap())
        .unwrap();
    harness.key_press(Key::Escape);
    harness.run();
    click(&mut harness, pos, Modifiers::NONE);
    assert_eq!(harness.state().selected_span(), Some(claim));
    harness.get_all_by_label("Remove").next().unwrap().click();
    harness.run();
    let span = annotations(&harness, 0)
        .into_iter()
        .find(|a| a.id == claim)
        .unwrap();
    assert_eq!(span.fragments.len(), 1);
    assert_eq!(span.text(text), "« nous ne l'oublierons jamais »");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(
        annotations(&harness, 0)
            .into_iter()
            .find(|a| a.id == claim)
            .unwrap()
            .fragments
            .len(),
        2
    );
}

#[test]
fn attribute_keys_cycle_the_selected_spans_values_and_undo() {
    let text = "Selon l'AFP, Kim a parlé longuement hier soir.";
    let (_dir, mut harness) = one_document(text);
    let claim = label_phrase(&mut harness, "Kim a parlé", Key::Num1);
    let stance = |h: &Harness<'_, MarginaliaApp>| {
        annotations(h, 0)
            .into_iter()
            .find(|a| a.id == claim)
            .unwrap()
            .attributes
            .get("stance")
            .cloned()
    };
    harness.key_press(Key::S);
    harness.run();
    assert_eq!(stance(&harness).as_deref(), Some("affirm"));
    harness.key_press(Key::S);
    harness.run();
    assert_eq!(stance(&harness).as_deref(), Some("refute"));
    harness.key_press(Key::S);
    harness.key_press(Key::S);
    harness.run();
    assert_eq!(stance(&harness), None, "after the last value, none");
    harness.key_press(Key::O);
    harness.run();
    let own = annotations(&harness, 0)
        .into_iter()
        .find(|a| a.id == claim)
        .unwrap()
        .attributes
        .get("own")
        .cloned();
    assert_eq!(own.as_deref(), Some("yes"));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    let own = annotations(&harness, 0)
        .into_iter()
        .find(|a| a.id == claim)
        .unwrap()
        .attributes
        .get("own")
        .cloned();
    assert_eq!(own, None);
    harness.get_by_label("stance (S):");
}

#[test]
fn comparing_with_the_second_annotator_shows_the_cores_differences_and_n_walks_them() {
    let (dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    let second = dir.path().join("projects/sample-second-annotator.ron");
    let expected = {
        let mine = marginalia::workspace::Workspace::open(&project).unwrap();
        let theirs = marginalia::workspace::Workspace::open(&second).unwrap();
        marginalia::review::diff_projects(mine.project(), theirs.project()).differences()
    };
    compare_with(&mut harness, &second);
    let comparison = harness.state().comparison().expect("comparing");
    assert_eq!(comparison.name, "jules");
    assert_eq!(comparison.diff.differences(), expected);
    harness.get_by_label(&format!("{expected} differences in 5 documents"));

    // n walks through every difference across the corpus, then wraps around.
    let mut seen = Vec::new();
    for _ in 0..expected {
        harness.key_press(Key::N);
        harness.run();
        let current = harness.state().comparison().unwrap().current.unwrap();
        let path = &harness.state().comparison().unwrap().diff.documents[current.0].path;
        let doc = harness
            .state()
            .workspace()
            .unwrap()
            .project()
            .documents
            .iter()
            .position(|d| &d.path == path)
            .unwrap();
        assert_eq!(
            harness.state().current_document(),
            doc,
            "the document of the difference is shown"
        );
        seen.push(current);
    }
    seen.dedup();
    assert_eq!(seen.len(), expected, "each difference once");
    harness.key_press(Key::P);
    harness.run();
    assert_eq!(
        harness.state().comparison().unwrap().current,
        seen.get(expected - 2).copied()
    );

    // Labelling the span only the colleague had makes that difference go away.
    let before = harness.state().comparison().unwrap().diff.differences();
    let (d, e) = harness
        .state()
        .comparison()
        .unwrap()
        .diff
        .documents
        .iter()
        .enumerate()
        .find_map(|(d, doc)| {
            doc.diff
                .entries
                .iter()
                .position(|e| {
                    e.kind == marginalia::review::DiffKind::OnlyIn(marginalia::review::Side::B)
                })
                .map(|e| (d, e))
        })
        .expect("the sample has a span only the second annotator made");
    for _ in 0..expected {
        if harness.state().comparison().unwrap().current == Some((d, e)) {
            break;
        }
        harness.key_press(Key::N);
        harness.run();
    }
    assert_eq!(harness.state().comparison().unwrap().current, Some((d, e)));
    let theirs = marginalia::workspace::Workspace::open(&second).unwrap();
    let path = harness.state().comparison().unwrap().diff.documents[d]
        .path
        .clone();
    let hash = harness.state().comparison().unwrap().diff.documents[d]
        .hash
        .clone();
    let doc = theirs
        .project()
        .documents
        .iter()
        .find(|x| x.hash == hash)
        .unwrap();
    let entry = harness.state().comparison().unwrap().diff.documents[d]
        .diff
        .entries[e];
    let span = &doc.annotations[entry.b.unwrap()];
    let phrase = span.fragments[0].slice(&doc.text).to_owned();
    let key = match span.label.as_str() {
        "claim" => Key::Num1,
        "source" => Key::Num2,
        _ => Key::Num3,
    };
    assert_eq!(
        harness.state().workspace().unwrap().project().documents
            [harness.state().current_document()]
        .path,
        path
    );
    drag_across(&mut harness, &phrase);
    harness.key_press(key);
    harness.run();
    assert_eq!(
        harness.state().comparison().unwrap().diff.differences(),
        before - 1,
        "the diff follows the edits"
    );
}

/// File → Save As… (Ctrl+Shift+S) to `target`, typed into the app's path field (no native
/// dialog in tests).
fn save_as_through_the_path_field(harness: &mut Harness<'_, MarginaliaApp>, target: &Path) {
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::S);
    harness.run();
    harness.get_by_role(Role::TextInput).focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.run();
    harness
        .get_by_role(Role::TextInput)
        .type_text(&target.display().to_string());
    harness.run();
    harness.get_by_label("OK").click();
    harness.run();
}

/// Review → Compare with… the second annotator through the path field.
fn compare_with(harness: &mut Harness<'_, MarginaliaApp>, other: &Path) {
    harness.key_press_modifiers(Modifiers::COMMAND, Key::R);
    harness.run();
    harness
        .get_by_role(Role::TextInput)
        .type_text(&other.display().to_string());
    harness.run();
    harness.get_by_label("OK").click();
    harness.run();
}

#[test]
fn adjudicating_the_sample_rules_on_a_difference_and_saves_a_gold_project() {
    use marginalia::review::adjudicate::{self, Policy};
    let (dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    let second = dir.path().join("projects/sample-second-annotator.ron");
    compare_with(&mut harness, &second);
    let (mine, theirs) = (
        marginalia::workspace::Workspace::open(&project).unwrap(),
        marginalia::workspace::Workspace::open(&second).unwrap(),
    );
    let expected = marginalia::review::diff_projects(mine.project(), theirs.project());
    harness.get_by_label(&format!(
        "{} differences in 5 documents",
        expected.differences()
    ));

    // The agreement window shows the core's numbers.
    harness.get_by_label_contains("Agreement…").click();
    harness.run();
    let report = marginalia::review::agreement::compare(
        &[mine.project(), theirs.project()],
        marginalia::review::agreement::By::Label,
    );
    let shown = harness.state().agreement().report.as_ref().unwrap();
    assert_eq!(shown.rows, report.rows);
    harness.get_by_label(&format!("{:.3}", report.rows[0].measures.kappa));
    harness.get_by_label("exact F1 (P / R)");

    // Adjudicate from the intersection: a gold project with the places to rule on.
    let (gold, summary) = adjudicate::merge(
        &[mine.project(), theirs.project()],
        Policy::Intersection,
        "camille",
    )
    .unwrap();
    harness.get_by_label("Adjudicate…").click();
    harness.run();
    harness.get_by_label("Start from intersection").click();
    harness.run();
    let project_now = harness.state().workspace().unwrap().project().clone();
    assert_eq!(project_now.annotation_count(), gold.annotation_count());
    harness.get_by_label(&format!("{} places to rule on", summary.disputes));

    // n goes to the first place; B keeps jules's version of it.
    harness.key_press(Key::N);
    harness.run();
    let place = harness
        .state()
        .place()
        .cloned()
        .expect("a place to rule on");
    let document = &project_now.documents[place.doc];
    let candidates: Vec<_> = place
        .ids
        .iter()
        .map(|id| document.annotation(*id).unwrap().clone())
        .collect();
    let jules: Vec<_> = candidates
        .iter()
        .filter(|a| {
            a.provenance
                .as_ref()
                .unwrap()
                .annotators
                .contains(&"jules".to_owned())
        })
        .map(|a| a.id)
        .collect();
    harness.key_press(Key::B);
    harness.run();
    let after = harness.state().workspace().unwrap().project().clone();
    assert_eq!(adjudicate::dispute_count(&after), summary.disputes - 1);
    for candidate in &candidates {
        let kept = after.documents[place.doc].annotation(candidate.id);
        assert_eq!(
            kept.is_some(),
            jules.contains(&candidate.id),
            "{candidate:?}"
        );
        if let Some(kept) = kept {
            let provenance = kept.provenance.as_ref().unwrap();
            assert!(!provenance.unresolved);
            assert_eq!(provenance.adjudicator.as_deref(), Some("camille"));
        }
    }
    harness.get_by_label(&format!("{} places to rule on", summary.disputes - 1));
    // The ruling is undone like any edit.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(
        adjudicate::dispute_count(harness.state().workspace().unwrap().project()),
        summary.disputes
    );
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    harness.run();

    // Save the gold project through the path field, then reopen it.
    let target = dir.path().join("projects/gold.ron");
    save_as_through_the_path_field(&mut harness, &target);
    let reopened = marginalia::workspace::Workspace::open(&target).unwrap();
    assert!(reopened.problems().is_empty(), "{:?}", reopened.problems());
    assert_eq!(
        adjudicate::dispute_count(reopened.project()),
        summary.disputes - 1
    );
    assert_eq!(
        reopened.project().documents[place.doc].annotations,
        after.documents[place.doc].annotations
    );
}

#[test]
fn a_review_comment_on_a_colleagues_span_reaches_them_when_they_open_their_project() {
    let (dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    let second = dir.path().join("projects/sample-second-annotator.ron");
    compare_with(&mut harness, &second);
    // The first difference of the first document that has a span of jules.
    harness
        .get_all_by_label("Comment…")
        .next()
        .expect("a Comment… button")
        .click();
    harness.run();
    harness
        .get_by_role(Role::MultilineTextInput)
        .type_text("Trop large : la source est « l'agence »");
    harness.run();
    harness.get_by_label("Add comment").click();
    harness.run();
    let saved = dir
        .path()
        .join("projects/sample-second-annotator.comments-camille.ron");
    assert!(saved.exists(), "{:?}", harness.state().notifications());
    // jules's project is unchanged.
    let before = std::fs::read_to_string(dir.path().join("projects/sample-second-annotator.ron"));
    assert!(before.is_ok());

    // jules opens their project: the comment is there, on the span.
    let mut theirs = self::harness(Some(&second));
    theirs.run();
    let reviews = theirs.state().reviews().to_vec();
    assert_eq!(reviews.len(), 1);
    let comment = &reviews[0].comments[0];
    assert_eq!(comment.author, "camille");
    let project = theirs.state().workspace().unwrap().project().clone();
    assert!(matches!(
        marginalia::review::comments::attach(&project, comment),
        marginalia::review::comments::Attachment::Span(..)
    ));
    assert!(
        theirs
            .state()
            .notifications()
            .iter()
            .any(|n| n.contains("1 review comment(s) from camille")),
        "{:?}",
        theirs.state().notifications()
    );
    theirs.get_by_label("Trop large : la source est « l'agence »");
}

#[test]
fn saving_over_a_project_changed_on_disk_asks_reload_overwrite_or_save_as() {
    let (dir, mut harness) = one_document("Le Kremlin a démenti. Selon l'AFP, Kim est arrivé.");
    let project = dir.path().join("p.ron");
    label_phrase(&mut harness, "Le Kremlin", Key::Num2);
    // Meanwhile a `git pull` brings a colleague's version of the file.
    let theirs = std::fs::read_to_string(&project)
        .unwrap()
        .replace("annotator: \"zoé\"", "annotator: \"zoé (pulled)\"");
    std::fs::write(&project, &theirs).unwrap();

    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run();
    harness.get_by_label("The project changed on disk");
    assert_eq!(
        std::fs::read_to_string(&project).unwrap(),
        theirs,
        "nothing overwritten silently"
    );
    // Cancel keeps everything as it is.
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(
        harness
            .query_by_label("The project changed on disk")
            .is_none()
    );
    assert_eq!(std::fs::read_to_string(&project).unwrap(), theirs);

    // Reload: the version on disk, without the unsaved span.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run();
    harness.get_by_label("Reload from disk").click();
    harness.run();
    let ws = harness.state().workspace().unwrap();
    assert_eq!(ws.project().annotator, "zoé (pulled)");
    assert!(ws.project().documents[0].annotations.is_empty());
    assert!(!ws.is_dirty());

    // Overwrite: our version replaces theirs, which stays in the backup.
    label_phrase(&mut harness, "Kim", Key::Num2);
    let changed = theirs.replace("zoé (pulled)", "zoé (pulled again)");
    std::fs::write(&project, &changed).unwrap();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run();
    harness.get_by_label("Overwrite").click();
    harness.run();
    let saved = marginalia::workspace::Workspace::open(&project).unwrap();
    assert_eq!(saved.project().documents[0].annotations.len(), 1);
    assert_eq!(
        std::fs::read_to_string(marginalia::file::backup_path(&project)).unwrap(),
        changed
    );
    assert!(!harness.state().workspace().unwrap().is_dirty());
}

#[test]
fn the_app_snapshots_unsaved_work_every_few_seconds_and_saving_deletes_the_snapshot() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    let snapshot = marginalia::recovery::path_for(&marginalia::file::absolute(&project));
    let phrase = "Le président russe Vladimir Poutine";
    drag_across(&mut harness, phrase);
    harness.key_press(Key::Num2);
    harness.run();
    assert!(harness.state().workspace().unwrap().is_dirty());
    // Three seconds of frames: the snapshot is taken, and written on another thread.
    for _ in 0..200 {
        harness.step();
    }
    let mut found = None;
    for _ in 0..500 {
        found = marginalia::recovery::find(&project).ok().flatten();
        if found.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let found = found.expect("a snapshot after three seconds of unsaved work");
    assert_eq!(found.file(), snapshot);
    let restored = found.restore_despite_corpus_changes().unwrap();
    assert_eq!(
        restored.project().documents[0].annotations,
        harness.state().workspace().unwrap().project().documents[0].annotations,
        "the snapshot holds the unsaved span"
    );
    // Saved: the snapshot goes, even right after a write on another thread.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run();
    assert!(!harness.state().workspace().unwrap().is_dirty());
    assert!(!snapshot.exists());
}

#[test]
fn after_a_crash_the_next_start_offers_the_unsaved_changes_back() {
    let (dir, project) = sample_copy();
    // A session that labels a span, snapshots it, then dies without saving.
    {
        let mut ws = marginalia::workspace::Workspace::open(&project).unwrap();
        let text = ws.project().documents[0].text.clone();
        let start = text.find("Poutine").unwrap();
        let id = ws.allocate_id();
        ws.apply(marginalia::edit::Edit::AddAnnotation {
            doc: 0,
            annotation: Annotation {
                id,
                label: "source".into(),
                fragments: vec![marginalia::text::ByteRange::new(
                    start,
                    start + "Poutine".len(),
                )],
                annotator: "camille".into(),
                note: "recovered".into(),
                created: marginalia::model::Timestamp::now(),
                attributes: std::collections::BTreeMap::new(),
                suggested: None,
                provenance: None,
            },
        })
        .unwrap();
        ws.write_recovery(dir.path()).unwrap().expect("a snapshot");
        std::mem::forget(ws);
    }
    let saved_spans = marginalia::workspace::Workspace::open(&project)
        .unwrap()
        .project()
        .annotation_count();

    let mut harness = harness(Some(&project));
    harness.get_by_label("Unsaved work found");
    harness.get_by_label_contains("1 span added");
    harness.get_by_label("Restore").click();
    harness.run();
    let ws = harness.state().workspace().unwrap();
    assert_eq!(ws.project().annotation_count(), saved_spans + 1);
    assert!(ws.is_dirty(), "restored changes still need a save");
    assert!(
        ws.project().documents[0]
            .annotations
            .iter()
            .any(|a| a.note == "recovered")
    );
    // Saved: the recovery file is gone, and the next start asks nothing.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run();
    assert!(
        !harness.state().workspace().unwrap().is_dirty(),
        "{:?}",
        harness.state().notifications()
    );
    assert!(marginalia::recovery::find(&project).unwrap().is_none());
    let again = self::harness(Some(&project));
    assert!(again.query_by_label("Unsaved work found").is_none());
    assert_eq!(
        again
            .state()
            .workspace()
            .unwrap()
            .project()
            .annotation_count(),
        saved_spans + 1
    );
}

#[test]
fn the_next_start_offers_a_recent_projects_unsaved_work_even_when_another_opens() {
    let (dir, project) = sample_copy();
    let second = dir.path().join("projects/sample-second-annotator.ron");
    {
        let mut ws = marginalia::workspace::Workspace::open(&second).unwrap();
        ws.apply(marginalia::edit::Edit::SetStatus {
            doc: 1,
            status: marginalia::model::Status::Done,
        })
        .unwrap();
        ws.write_recovery(dir.path()).unwrap().expect("a snapshot");
        std::mem::forget(ws);
    }
    let prefs = Prefs {
        recent: vec![second.clone(), project.clone()],
        ..Prefs::default()
    };
    let app = MarginaliaApp::starting(prefs, Box::new(NoDialogs), Some(&project), None);
    let mut harness = common::harness_for(app, false);
    harness.get_by_label("Unsaved work found");
    harness.get_by_label("Restore").click();
    harness.run();
    let ws = harness.state().workspace().unwrap();
    assert_eq!(ws.path(), Some(second.canonicalize().unwrap().as_path()));
    assert_eq!(
        ws.project().documents[1].status,
        marginalia::model::Status::Done
    );
    assert!(ws.is_dirty());
}

#[test]
fn a_large_corpus_folder_opens_in_the_background_with_a_progress_bar() {
    let dir = tempfile::tempdir().unwrap();
    // 24 MB in 12 files: above the size read at once.
    let paragraph =
        "Le Kremlin a démenti, selon l’agence, toute présence de soldats nord-coréens. 😀\n";
    let text = paragraph.repeat((2 << 20) / paragraph.len());
    for i in 0..12 {
        std::fs::write(dir.path().join(format!("doc{i:02}.txt")), &text).unwrap();
    }
    let mut harness = harness_with(None, true);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run();
    harness
        .get_by_role(Role::TextInput)
        .type_text(&dir.path().display().to_string());
    harness.run();
    harness.get_by_label("OK").click();
    harness.run();
    harness.get_by_label("Create project").click();
    harness.step();
    harness.step();
    // The window keeps drawing frames while the folder is read.
    harness.get_by_label("Opening the corpus");
    let started = std::time::Instant::now();
    while harness.state().workspace().is_none() {
        assert!(
            started.elapsed() < std::time::Duration::from_mins(1),
            "the folder was never read"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        harness.step();
    }
    harness.run();
    let ws = harness.state().workspace().unwrap();
    assert_eq!(ws.project().documents.len(), 12);
    assert!(ws.project().documents.iter().all(|d| *d.text == *text));
    assert!(harness.query_by_label("Opening the corpus").is_none());
}

#[test]
fn comparing_with_two_colleagues_measures_all_three_and_switches_the_differences_shown() {
    let (dir, project) = sample_copy();
    let second = dir.path().join("projects/sample-second-annotator.ron");
    // A third annotator: a copy of the first under another name.
    let third = dir.path().join("projects/third.ron");
    let text = std::fs::read_to_string(&project).unwrap().replacen(
        "annotator: \"camille\"",
        "annotator: \"léa\"",
        1,
    );
    std::fs::write(&third, text).unwrap();
    let mut harness = harness(Some(&project));
    compare_with(&mut harness, &second);
    compare_with(&mut harness, &third);
    let comparison = harness.state().comparison().unwrap();
    assert_eq!(comparison.others.len(), 2);
    assert_eq!(comparison.name, "léa", "the newest colleague is shown");
    assert_eq!(
        comparison.diff.differences(),
        0,
        "léa's spans are camille's"
    );

    // The agreement covers the three of them: three pairs and all three.
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::R);
    harness.run();
    let report = harness.state().agreement().report.clone().unwrap();
    assert_eq!(report.annotators, ["camille", "jules", "léa"]);
    assert!(report.rows.iter().any(|r| r.annotators == [0, 1, 2]));
    harness.get_by_label("all 3");

    // Back to jules's differences through the panel's chooser.
    harness
        .get_by_role_and_label(Role::ComboBox, "with")
        .click();
    harness.run();
    harness.get_by_label("jules").click();
    harness.run();
    let comparison = harness.state().comparison().unwrap();
    assert_eq!(comparison.name, "jules");
    let mine = marginalia::workspace::Workspace::open(&project).unwrap();
    let theirs = marginalia::workspace::Workspace::open(&second).unwrap();
    assert_eq!(
        comparison.diff.differences(),
        marginalia::review::diff_projects(mine.project(), theirs.project()).differences()
    );
}

#[test]
fn a_span_drawn_in_a_gold_project_is_gold_by_the_adjudicator() {
    let (dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    compare_with(
        &mut harness,
        &dir.path().join("projects/sample-second-annotator.ron"),
    );
    harness.get_by_label("Adjudicate…").click();
    harness.run();
    harness.get_by_label("Start from union").click();
    harness.run();
    let id = label_phrase(&mut harness, "place Rouge", Key::Num2);
    let project = harness.state().workspace().unwrap().project().clone();
    let span = project.documents[0].annotation(id).unwrap();
    let provenance = span.provenance.as_ref().expect("provenance");
    assert_eq!(provenance.adjudicator.as_deref(), Some("camille"));
    assert!(provenance.annotators.is_empty());
    assert!(!provenance.unresolved);
}

#[test]
fn spans_that_no_longer_fit_a_changed_text_are_listed_to_place_again() {
    let (dir, mut harness) = one_document("Le Kremlin a démenti. Selon l'AFP, Kim est arrivé.");
    label_phrase(&mut harness, "Kim est arrivé", Key::Num1);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run();
    // The sentence is gone from the file: the span cannot be found again.
    std::fs::write(
        dir.path().join("corpus/a.txt"),
        "Le Kremlin a démenti. Selon l'AFP, rien de plus.",
    )
    .unwrap();
    let reopened = self::harness(Some(&dir.path().join("p.ron")));
    reopened.get_by_label("Spans to place again");
    reopened.get_by_label_contains("“Kim est arrivé”");
    let document = &reopened.state().workspace().unwrap().project().documents[0];
    assert!(document.annotations.is_empty());
    assert_eq!(document.detached.len(), 1);
}

/// Runs frames until `done` holds (snapshots are written on another thread), at most about
/// five seconds of frames and five seconds of waiting.
fn frames_until(harness: &mut Harness<'_, MarginaliaApp>, done: impl Fn() -> bool) -> bool {
    for _ in 0..300 {
        harness.step();
    }
    for _ in 0..500 {
        if done() {
            return true;
        }
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    done()
}

#[test]
fn g_discard_on_quit_is_final() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    let snapshot = marginalia::recovery::path_for(&marginalia::file::absolute(&project));
    drag_across(&mut harness, "Le président russe Vladimir Poutine");
    harness.key_press(Key::Num2);
    harness.run();
    assert!(
        frames_until(&mut harness, || snapshot.exists()),
        "unsaved work is snapshotted"
    );
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Q);
    harness.run();
    harness.get_by_label("Unsaved changes");
    harness.get_by_label("Discard changes").click();
    harness.run();
    assert!(harness.state().quit_requested());
    assert!(!snapshot.exists(), "discarding deletes the snapshot");
    // The window takes a moment to close: the timer must not write the discarded work back.
    assert!(
        !frames_until(&mut harness, || snapshot.exists()),
        "a discarded change was snapshotted again"
    );
    drop(harness);
    let again = self::harness(Some(&project));
    assert!(again.query_by_label("Unsaved work found").is_none());
}

#[test]
fn g_work_never_saved_is_offered_back_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let text = "Selon l'AFP, le Kremlin a démenti.";
    std::fs::write(corpus.join("a.txt"), text).unwrap();
    let recovery = dir.path().join("recovery");
    let start = |project: Option<&Path>| {
        let prefs = Prefs {
            annotator: "zoé".into(),
            ..Prefs::default()
        };
        let app =
            MarginaliaApp::starting(prefs, Box::new(NoDialogs), project, Some(recovery.clone()));
        // The summary's arrows ("to do → in progress") are drawn with the system's fonts.
        common::harness_for(app, true)
    };
    {
        // A new project from a folder, never saved; a span; then the session dies.
        let mut harness = start(None);
        harness.state_mut().apply(
            &egui::Context::default(),
            marginalia::ui::Action::NewFromFolder(corpus.clone()),
        );
        harness.run();
        harness.get_by_label("Create project").click();
        harness.run();
        let ws = harness.state().workspace().expect("a new project");
        assert!(ws.path().is_none());
        drag_across(&mut harness, "le Kremlin");
        harness.key_press(Key::Num2);
        harness.run();
        let written = || {
            marginalia::recovery::list_untitled(&recovery)
                .iter()
                .any(|r| r.as_ref().is_ok_and(|r| r.project_path().is_none()))
        };
        assert!(
            frames_until(&mut harness, written),
            "an untitled project is snapshotted"
        );
        std::mem::forget(harness);
    }
    let mut harness = start(None);
    harness.get_by_label("Unsaved work found");
    harness.get_by_label_contains("1 span added");
    harness.get_by_label("Restore").click();
    harness.run();
    let ws = harness.state().workspace().expect("the work is restored");
    assert!(ws.path().is_none(), "still untitled");
    assert!(ws.is_dirty());
    let spans = &ws.project().documents[0].annotations;
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].fragments[0].slice(text), "le Kremlin");
    // Saved under a name: the untitled snapshot is gone and the next start offers nothing.
    let saved = dir.path().join("p.ron");
    harness.state_mut().apply(
        &egui::Context::default(),
        marginalia::ui::Action::Command(marginalia::ui::command::Command::SaveAs),
    );
    harness.run();
    harness
        .get_by_role(Role::TextInput)
        .type_text(&saved.display().to_string());
    harness.run();
    harness.get_by_label("OK").click();
    harness.run();
    assert_eq!(
        harness.state().workspace().unwrap().path(),
        Some(marginalia::file::absolute(&saved).as_path()),
        "{:?}",
        harness.state().notifications()
    );
    assert!(marginalia::recovery::list_untitled(&recovery).is_empty());
    drop(harness);
    let again = start(None);
    assert!(again.query_by_label("Unsaved work found").is_none());
}

#[test]
fn g_a_detached_span_is_placed_again_with_its_note_and_link_and_undo_detaches_it() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let old = "Selon l'AFP, Kim a parlé longuement hier soir.";
    std::fs::write(corpus.join("a.txt"), old).unwrap();
    let project = dir.path().join("p.ron");
    let mut ws = marginalia::workspace::Workspace::from_folder(&corpus, "zoé").unwrap();
    let add = |ws: &mut marginalia::workspace::Workspace, label: &str, phrase: &str| {
        let start = old.find(phrase).unwrap();
        let id = ws.allocate_id();
        ws.apply(marginalia::edit::Edit::AddAnnotation {
            doc: 0,
            annotation: Annotation {
                id,
                label: label.into(),
                fragments: vec![marginalia::text::ByteRange::new(
                    start,
                    start + phrase.len(),
                )],
                annotator: "zoé".into(),
                note: format!("note on {phrase}"),
                created: marginalia::model::Timestamp(1_800_000_000),
                attributes: std::collections::BTreeMap::new(),
                suggested: None,
                provenance: None,
            },
        })
        .unwrap();
        id
    };
    let claim = add(&mut ws, "claim", "Kim a parlé");
    let source = add(&mut ws, "source", "l'AFP");
    let link = ws.allocate_id();
    ws.apply(marginalia::edit::Edit::AddRelation {
        doc: 0,
        relation: marginalia::model::Relation {
            id: link,
            kind: "attributed-to".into(),
            from: claim,
            to: source,
            annotator: "zoé".into(),
            created: marginalia::model::Timestamp(1_800_000_000),
        },
    })
    .unwrap();
    ws.save_as(&project).unwrap();
    // The article is rewritten: the claim's words are gone from where they were.
    let new = "Selon l'AFP, hier soir, le dirigeant a parlé longuement.";
    std::fs::write(corpus.join("a.txt"), new).unwrap();
    let mut harness = harness(Some(&project));
    let detached = harness.state().workspace().unwrap().project().documents[0]
        .detached
        .clone();
    assert_eq!(detached.len(), 1, "the claim could not be placed");
    harness.get_by_label("Spans to place again");
    drag_across(&mut harness, "le dirigeant a parlé");
    harness.get_by_label("Place here").click();
    harness.run();
    let document = harness.state().workspace().unwrap().project().documents[0].clone();
    assert!(document.detached.is_empty());
    let placed = document.annotation(claim).expect("placed with its id");
    assert_eq!(placed.fragments[0].slice(new), "le dirigeant a parlé");
    assert_eq!(placed.note, "note on Kim a parlé");
    assert_eq!(placed.label, "claim");
    assert_eq!(
        document.relations.len(),
        1,
        "its link to the source is back"
    );
    assert_eq!(
        (document.relations[0].from, document.relations[0].to),
        (claim, source)
    );
    assert_eq!(harness.state().selected_span(), Some(claim));
    // One undo detaches it again, exactly as it was.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    let document = &harness.state().workspace().unwrap().project().documents[0];
    assert_eq!(document.detached, detached);
    assert!(document.annotation(claim).is_none());
    assert!(document.relations.is_empty());
    // Redo, save, reopen: placed for good.
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run();
    let reopened = marginalia::workspace::Workspace::open(&project).unwrap();
    let document = &reopened.project().documents[0];
    assert!(document.detached.is_empty(), "{:?}", reopened.problems());
    assert_eq!(
        document.annotation(claim).unwrap().note,
        "note on Kim a parlé"
    );
    assert_eq!(document.relations.len(), 1);
}

#[test]
fn g_a_project_reading_its_texts_from_elsewhere_asks_once_before_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("elsewhere/corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(corpus.join("a.txt"), "Selon l'AFP, le Kremlin a démenti.").unwrap();
    let folder = dir.path().join("team/projects");
    std::fs::create_dir_all(&folder).unwrap();
    let project = folder.join("x.ron");
    marginalia::workspace::Workspace::from_folder(&corpus, "zoé")
        .unwrap()
        .save_as(&project)
        .unwrap();
    let real = corpus.canonicalize().unwrap();

    // Cancel: nothing opens.
    let mut harness = harness(Some(&project));
    assert!(harness.state().workspace().is_none());
    harness.get_by_label_contains(&format!(
        "This project reads its texts from {}",
        real.display()
    ));
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(harness.state().workspace().is_none());
    assert!(
        harness
            .query_by_label("Texts from another folder")
            .is_none()
    );
    drop(harness);

    // Open it: the project opens, and the answer is remembered for the next time.
    let mut harness = self::harness(Some(&project));
    harness.get_by_label("Open it").click();
    harness.run();
    assert_eq!(
        harness
            .state()
            .workspace()
            .unwrap()
            .project()
            .documents
            .len(),
        1
    );
    let prefs = harness.state().prefs().clone();
    assert!(prefs.trusts(&project, &real));
    drop(harness);
    let app = MarginaliaApp::starting(prefs, Box::new(NoDialogs), Some(&project), None);
    let again = common::harness_for(app, false);
    assert!(again.query_by_label("Texts from another folder").is_none());
    assert!(again.state().workspace().is_some());
}

#[test]
fn g_a_snapshot_naming_a_corpus_elsewhere_is_not_read_nor_offered() {
    let dir = tempfile::tempdir().unwrap();
    let make = |corpus: &Path, project: &Path| {
        std::fs::create_dir_all(corpus).unwrap();
        std::fs::create_dir_all(project.parent().unwrap()).unwrap();
        std::fs::write(corpus.join("a.txt"), "Selon l'AFP, le Kremlin a démenti.").unwrap();
        let mut ws = marginalia::workspace::Workspace::from_folder(corpus, "zoé").unwrap();
        ws.save_as(project).unwrap();
        ws
    };
    let ours = dir.path().join("team/projects/x.ron");
    make(&dir.path().join("team/corpus"), &ours);
    // A snapshot planted beside it (a shared folder, a repository) that reads /elsewhere.
    let theirs = dir.path().join("elsewhere/p/q.ron");
    let mut ws = make(&dir.path().join("elsewhere/corpus"), &theirs);
    ws.apply(marginalia::edit::Edit::SetStatus {
        doc: 0,
        status: marginalia::model::Status::Done,
    })
    .unwrap();
    let snapshot = ws.write_recovery(dir.path()).unwrap().unwrap();
    std::fs::copy(
        &snapshot,
        marginalia::recovery::path_for(&marginalia::file::absolute(&ours)),
    )
    .unwrap();
    let harness = harness(Some(&ours));
    assert!(harness.state().workspace().is_some());
    assert!(harness.query_by_label("Unsaved work found").is_none());
    let notes = harness.state().notifications().join("\n");
    assert!(notes.contains("outside the project's folder"), "{notes}");
}

#[test]
fn g_the_apps_export_never_replaces_the_project() {
    let (_dir, project) = sample_copy();
    let before = std::fs::read(&project).unwrap();
    let mut harness = harness(Some(&project));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::E);
    harness.run();
    set_field(&mut harness, "File:", &project.display().to_string());
    harness
        .get_by_role_and_label(Role::Button, "Export")
        .click();
    // A few frames, not `run`: the spinner repaints until the thread is done, which on a busy
    // machine takes longer than `run`'s steps.
    harness.run_steps(10);
    harness.state_mut().finish_transfers();
    harness.run();
    assert_eq!(
        std::fs::read(&project).unwrap(),
        before,
        "the project is intact"
    );
    let notes = harness.state().notifications().join("\n");
    assert!(notes.contains("sample.ron"), "{notes}");
    assert!(!notes.contains("Exported"), "{notes}");
}

#[test]
fn g_the_apps_import_never_writes_inside_what_it_imports() {
    // An import that would write its project and texts inside the folder being imported is
    // refused before anything is written.
    let (dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    let brat = dir.path().join("brat");
    marginalia::formats::export(
        harness.state().workspace().unwrap().project(),
        marginalia::formats::Format::Brat,
        &marginalia::formats::ExportOptions::default(),
        &brat,
        &mut |_, _| {},
    )
    .unwrap();
    let files = std::fs::read_dir(&brat).unwrap().count();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::I);
    harness.run();
    harness
        .get_by_role_and_label(Role::ComboBox, "Format:")
        .click();
    harness.run();
    harness.get_by_label("brat").click();
    harness.run();
    set_field(&mut harness, "brat folder:", &brat.display().to_string());
    let inside = brat.join("imported.ron");
    set_field(&mut harness, "New project:", &inside.display().to_string());
    harness
        .get_by_role_and_label(Role::Button, "Import")
        .click();
    harness.run();
    assert_eq!(
        std::fs::read_dir(&brat).unwrap().count(),
        files,
        "nothing written inside"
    );
    assert!(!inside.exists());
    let notes = harness.state().notifications().join("\n");
    assert!(notes.contains("being imported"), "{notes}");
}

#[test]
fn k_saving_from_the_unsaved_changes_prompt_over_a_changed_file_asks_about_the_conflict() {
    // The prompt used to close every dialog after its answer, so the conflict dialog that the
    // save opened was closed at once: Save did nothing, silently.
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    drag_across(&mut harness, "Le président russe Vladimir Poutine");
    harness.key_press(Key::Num2);
    harness.run();
    let changed = std::fs::read_to_string(&project).unwrap() + "\n";
    std::fs::write(&project, &changed).unwrap();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Q);
    harness.run();
    harness.get_by_label("Unsaved changes");
    harness.get_by_label("Save").click();
    harness.run();
    harness.get_by_label("The project changed on disk");
    assert!(
        !harness.state().quit_requested(),
        "nothing is lost: it asks"
    );
    assert_eq!(std::fs::read_to_string(&project).unwrap(), changed);
}

#[test]
fn k_one_command_one_text_and_one_adjudicate_menu() {
    let (dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    // The selected span's buttons are the commands': their text and shortcut.
    let text = doc_text(&harness, 0);
    let at = text.find("Poutine salue").unwrap() + 2;
    let pos = harness.state().text_view().screen_pos(at).unwrap();
    click(&mut harness, pos, Modifiers::NONE);
    assert!(harness.state().selected_span().is_some());
    harness.get_by_label("Link to source… (L)").click();
    harness.run();
    harness.get_by_label("Delete span (Delete)");
    // With one colleague, the Review panel's Adjudicate… offers no majority of two.
    compare_with(
        &mut harness,
        &dir.path().join("projects/sample-second-annotator.ron"),
    );
    harness.get_by_label("Adjudicate…").click();
    harness.run();
    let majority = harness.get_by_label("Start from majority");
    assert!(majority.accesskit_node().is_disabled());
    assert!(
        !harness
            .get_by_label("Start from union")
            .accesskit_node()
            .is_disabled()
    );
}

#[test]
fn k_undo_restores_the_selection_the_edit_changed() {
    let text = "Selon l'AFP, Kim a parlé longuement hier soir.";
    let (_dir, mut harness) = one_document(text);
    let claim = label_phrase(&mut harness, "Kim a parlé", Key::Num1);
    let start = text.find("Kim a parlé").unwrap();
    let range = marginalia::text::ByteRange::new(start, start + "Kim a parlé".len());
    // Undoing the label gives the text selection back, ready for another key.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().selection(), Some(range));
    assert_eq!(harness.state().selected_span(), None);
    // Redo selects the span again.
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    harness.run();
    assert_eq!(harness.state().selected_span(), Some(claim));
    // Deleting it, then undoing, selects the span that came back.
    harness.key_press(Key::Delete);
    harness.run();
    assert_eq!(harness.state().selected_span(), None);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().selected_span(), Some(claim));
    assert_eq!(harness.state().selection(), None);
}

#[test]
fn j_enter_finishes_a_note_and_shift_enter_adds_a_line() {
    let text = "Selon l'AFP, Kim a parlé longuement hier soir.";
    let (_dir, mut harness) = one_document(text);
    let claim = label_phrase(&mut harness, "Kim a parlé", Key::Num1);
    let note = |harness: &Harness<'_, MarginaliaApp>| {
        harness.state().workspace().unwrap().project().documents[0]
            .annotation(claim)
            .unwrap()
            .note
            .clone()
    };
    // Enter opens the note; typing, then Enter, finishes it: no newline, white space trimmed,
    // the span still selected.
    harness.key_press(Key::Enter);
    harness.run();
    harness
        .get_by_role(Role::MultilineTextInput)
        .type_text("Vérifier la vidéo  ");
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(note(&harness), "Vérifier la vidéo");
    assert_eq!(harness.state().selected_span(), Some(claim));
    assert!(!harness.get_by_role(Role::MultilineTextInput).is_focused());
    // Shift+Enter starts a new line inside the note.
    harness.key_press(Key::Enter);
    harness.run();
    harness.key_press_modifiers(Modifiers::SHIFT, Key::Enter);
    harness
        .get_by_role(Role::MultilineTextInput)
        .type_text("officielle");
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(note(&harness), "Vérifier la vidéo\nofficielle");
}

#[test]
fn j_a_document_starts_at_its_first_edit_and_only_linkable_spans_offer_a_link() {
    let text = "Selon l'AFP, Kim a parlé longuement hier soir. Partager";
    let (_dir, mut harness) = one_document(text);
    let status = |harness: &Harness<'_, MarginaliaApp>| {
        harness.state().workspace().unwrap().project().documents[0].status
    };
    assert_eq!(status(&harness), marginalia::model::Status::ToDo);
    label_phrase(&mut harness, "Kim a parlé", Key::Num1);
    assert_eq!(status(&harness), marginalia::model::Status::InProgress);
    // A claim may be linked; boilerplate may not: no button that can only fail.
    harness.get_by_label("Link to source… (L)");
    label_phrase(&mut harness, "Partager", Key::Num3);
    assert!(harness.query_by_label("Link to source… (L)").is_none());
    harness.get_by_label("Delete span (Delete)");
    // One undo per change; the first one also takes the document back to "to do".
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(status(&harness), marginalia::model::Status::ToDo);
    assert!(annotations(&harness, 0).is_empty());
}

#[test]
fn j_the_document_list_says_what_its_numbers_count() {
    let (_dir, project) = sample_copy();
    let harness = harness(Some(&project));
    harness.get_by_label("spans:");
    for label in ["claim", "source", "boilerplate"] {
        assert!(
            harness.query_all_by_label(label).next().is_some(),
            "{label}"
        );
    }
}

#[test]
fn h_new_project_from_a_csv_file_opens_it_with_its_metadata_above_the_text() {
    // File → New project from file…: one article a row, the other columns kept and shown
    // read-only above the text (H 2 and 3).
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("articles.csv");
    std::fs::write(
        &csv,
        "\u{feff}id,title,url,text\r\n7,Élection à Kyiv,https://example.org/a,\"Le ministre a dit « non ».\r\nDeuxième ligne.\"\r\n8,Autre,https://example.org/b,Kim parle.\r\n",
    )
    .unwrap();
    let mut harness = harness(None);
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::N);
    harness.run();
    set_field(&mut harness, "File:", &csv.display().to_string());
    let project = dir.path().join("articles.ron");
    set_field(&mut harness, "New project:", &project.display().to_string());
    harness
        .get_by_role_and_label(Role::Button, "Create")
        .click();
    // A few frames, not `run`: the spinner repaints until the thread is done, which on a busy
    // machine takes longer than `run`'s steps.
    harness.run_steps(10);
    harness.state_mut().finish_transfers();
    harness.run();
    let ws = harness.state().workspace().unwrap();
    assert_eq!(
        ws.path(),
        Some(marginalia::file::absolute(&project).as_path()),
        "{:?}",
        harness.state().notifications()
    );
    let documents = &ws.project().documents;
    assert_eq!(documents.len(), 2);
    assert_eq!(
        documents[0].metadata["title"],
        serde_json::json!("Élection à Kyiv")
    );
    harness.get_by_label("Metadata · 3 field(s)");
    harness.get_by_label("Élection à Kyiv");
    harness.get_by_label("https://example.org/a");
    assert!(
        std::fs::read_to_string(dir.path().join("articles-corpus/7.txt"))
            .unwrap()
            .contains("Deuxième ligne."),
    );
}

#[test]
fn h_the_import_window_tells_notes_from_what_was_not_imported() {
    // A span kept at its offsets although its "text" disagrees is a note; a span with no label
    // is not imported. The window used to call every line "Not imported" (H 7).
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("spans.jsonl");
    std::fs::write(
        &input,
        r#"{"text": "Kim a dit non.", "spans": [{"start": 0, "end": 3, "label": "source", "text": "Kin"}, {"start": 4, "end": 9}]}"#,
    )
    .unwrap();
    let mut harness = harness(None);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::I);
    harness.run();
    harness
        .get_by_role_and_label(Role::ComboBox, "Format:")
        .click();
    harness.run();
    harness.get_by_label("jsonl").click();
    harness.run();
    set_field(&mut harness, "File:", &input.display().to_string());
    let project = dir.path().join("spans.ron");
    set_field(&mut harness, "New project:", &project.display().to_string());
    harness
        .get_by_role_and_label(Role::Button, "Import")
        .click();
    // A few frames, not `run`: the spinner repaints until the thread is done, which on a busy
    // machine takes longer than `run`'s steps.
    harness.run_steps(10);
    harness.state_mut().finish_transfers();
    harness.run();
    let notes = harness.state().notifications().join("\n");
    assert!(
        notes.contains("Note: ") && notes.contains("kept at its offsets"),
        "{notes}"
    );
    assert!(
        notes.contains("Not imported: ") && notes.contains("has no \"label\""),
        "{notes}"
    );
    assert!(
        harness
            .state()
            .notifications()
            .iter()
            .all(|n| !(n.starts_with("Not imported") && n.contains("kept at its offsets"))),
        "{notes}"
    );
    assert_eq!(
        harness
            .state()
            .workspace()
            .unwrap()
            .project()
            .annotation_count(),
        1
    );
}

#[test]
fn l_the_team_view_finds_the_projects_counts_as_the_core_and_opens_compare_on_a_cell() {
    let (dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::T);
    harness.run();
    harness.state_mut().team_window().wait();
    harness.run();
    let core = marginalia::team::overview::overview(&dir.path().join("projects")).unwrap();
    let shown = harness
        .state_mut()
        .team_window()
        .overview()
        .cloned()
        .unwrap();
    assert_eq!(shown, core, "the window shows what the core computes");
    assert_eq!(shown.members.len(), 2);
    // No file dialog: both projects are found, with their counts.
    harness.get_by_role_and_label(Role::Link, "jules");
    harness.get_by_role_and_label(Role::Link, "camille");
    harness.get_by_label("sample-second-annotator.ron");
    for member in &core.members {
        assert!(
            harness
                .get_all_by_label(&member.span_count().to_string())
                .count()
                > 0
        );
    }
    let pair = core.pair(0, 1).unwrap();
    let cell = format!("{:.3}\nκ {:.3}", pair.f1, pair.kappa);
    // The cell of camille's row, jules' column: compare the open project (camille's) with jules'.
    let cells: Vec<_> = harness.get_all_by_label(&cell).collect();
    assert_eq!(cells.len(), 2, "one cell each way");
    let camille = core
        .members
        .iter()
        .position(|m| m.annotator == "camille")
        .unwrap();
    cells[camille].click();
    harness.run();
    let comparison = harness.state().comparison().expect("comparing");
    assert_eq!(comparison.others.len(), 1);
    assert_eq!(comparison.others[0].project.annotator, "jules");
    assert_eq!(
        harness.state().workspace().unwrap().project().annotator,
        "camille"
    );
    // Clicking an annotator opens their project.
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::T);
    harness.run();
    harness.state_mut().team_window().wait();
    harness.run();
    harness.get_by_role_and_label(Role::Link, "jules").click();
    harness.run();
    assert_eq!(
        harness.state().workspace().unwrap().project().annotator,
        "jules"
    );
}

#[test]
fn l_the_document_list_shows_the_assigned_documents_first_and_marks_the_others() {
    let (dir, project) = sample_copy();
    let paths: Vec<String> = marginalia::workspace::Workspace::open(&project)
        .unwrap()
        .project()
        .documents
        .iter()
        .map(|d| d.path.clone())
        .collect();
    let team = marginalia::team::TeamFile::new(
        "assets/corpus".to_owned(),
        &paths,
        &["camille".to_owned(), "jules".to_owned()],
        0.0,
        1,
    )
    .unwrap();
    team.save(&dir.path().join("team.ron")).unwrap();
    let mine = marginalia::team::assigned_to(&team, "camille");
    assert!(!mine.is_empty() && mine.len() < paths.len());
    assert!(
        !paths.iter().take(mine.len()).all(|p| mine.contains(p)),
        "the seed must not assign the first documents, or the order proves nothing"
    );
    let harness = harness(Some(&project));
    // Every document of the sample is done.
    harness.get_by_label(&format!(
        "{0}/{0} assigned to you done (team.ron): yours first",
        mine.len()
    ));
    let marked = harness.get_all_by_label("not assigned to you").count();
    assert_eq!(marked, paths.len() - mine.len());
    // Yours first: the rows come in that order on the screen.
    let tops: Vec<(f32, &String)> = paths
        .iter()
        .map(|p| {
            // The list is the leftmost place that names the document (the header names the
            // one shown).
            let rect = harness
                .get_all_by_label(p.as_str())
                .map(|n| n.rect())
                .min_by(|a, b| a.min.x.total_cmp(&b.min.x))
                .unwrap();
            (rect.min.y, p)
        })
        .collect();
    let mut by_position = tops.clone();
    by_position.sort_by(|a, b| a.0.total_cmp(&b.0));
    let order: Vec<bool> = by_position.iter().map(|(_, p)| mine.contains(*p)).collect();
    let first_other = order.iter().position(|m| !m).unwrap();
    assert!(order[..first_other].iter().all(|m| *m), "{order:?}");
    assert!(order[first_other..].iter().all(|m| !m), "{order:?}");
}

#[test]
fn l_the_document_header_sets_document_attributes_by_mouse_and_keyboard_undoably_and_saves_them() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    let genre = |h: &Harness<'_, MarginaliaApp>| {
        h.state().workspace().unwrap().project().documents[0]
            .attributes
            .get("genre")
            .cloned()
    };
    assert_eq!(genre(&harness).as_deref(), Some("news"));
    harness
        .get_by_role_and_label(Role::ComboBox, "genre:")
        .click();
    harness.run();
    harness.get_by_label("opinion").click();
    harness.run();
    assert_eq!(genre(&harness).as_deref(), Some("opinion"));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(genre(&harness).as_deref(), Some("news"), "undone");
    // Alt+Shift+C: the next value of to-check (yes → no); Alt+G stays the selection's.
    harness.key_press_modifiers(Modifiers::ALT | Modifiers::SHIFT, Key::C);
    harness.run();
    let to_check = harness.state().workspace().unwrap().project().documents[0]
        .attributes
        .get("to-check")
        .cloned();
    assert_eq!(to_check.as_deref(), Some("no"));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run();
    let reopened = marginalia::workspace::Workspace::open(&project).unwrap();
    assert_eq!(
        reopened.project().documents[0].attributes,
        harness.state().workspace().unwrap().project().documents[0].attributes
    );
}

#[test]
fn l_document_attributes_are_defined_in_the_labels_window() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::L);
    harness.run();
    harness.get_by_label("Add document attribute").click();
    harness.run();
    let defs = |h: &Harness<'_, MarginaliaApp>| {
        h.state()
            .workspace()
            .unwrap()
            .project()
            .schema
            .document_attributes
            .clone()
    };
    let added = defs(&harness);
    assert_eq!(added.len(), 3);
    assert_eq!(added[2].name, "attribute-1");
    assert_eq!(added[2].values, ["yes", "no"]);
    // Its values, typed and committed when the field loses the focus.
    let fields: Vec<_> = harness
        .get_all_by_role(Role::TextInput)
        .filter(|n| n.value().as_deref() == Some("yes, no"))
        .collect();
    assert_eq!(fields.len(), 1);
    fields[0].focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness
        .get_all_by_role(Role::TextInput)
        .find(|n| n.value().as_deref() == Some("yes, no"))
        .unwrap()
        .type_text("low, high ,  medium");
    harness.run();
    harness.key_press(Key::Tab);
    harness.run();
    assert_eq!(defs(&harness)[2].values, ["low", "high", "medium"]);
    // The header above the text offers it at once.
    harness.get_by_role_and_label(Role::ComboBox, "attribute-1:");
    // Out of the fields (Tab went to the next one), Ctrl+Z is the project's undo.
    harness.key_press(Key::Escape);
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(defs(&harness)[2].values, ["yes", "no"], "undone");
}

#[test]
fn l_the_statistics_window_shows_what_the_core_counts() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    harness.get_by_label("Review").click();
    harness.run();
    harness.get_by_label_contains("Statistics…").click();
    harness.run();
    harness.run();
    let core = marginalia::review::statistics::of(harness.state().workspace().unwrap().project());
    assert_eq!(harness.state().statistics(), Some(&core));
    let totals = core.totals();
    let unsourced: usize = core.documents.iter().map(|d| d.unsourced).sum();
    let links: usize = core.documents.iter().map(|d| d.links).sum();
    harness.get_by_label(&format!(
        "5 document(s), 5 done · {} span(s) · {links} link(s) · {unsourced} unsourced claim(s)",
        totals.iter().sum::<usize>()
    ));
    // The document attributes' values, counted over the documents.
    harness.get_by_label("news 4 · opinion 1");
    assert_eq!(core.timeline.last().map(|t| t.2), Some(156));
}

/// Issue H 10: a gold project's unresolved candidates stay out of an export from the window
/// unless the box is ticked, and are then marked.
#[test]
fn h_the_export_window_leaves_unresolved_candidates_out_unless_ticked() {
    let (dir, project) = sample_copy();
    let gold = dir.path().join("projects/gold.ron");
    let merged = std::process::Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .arg("merge")
        .arg(&project)
        .arg(dir.path().join("projects/sample-second-annotator.ron"))
        .arg("-o")
        .arg(&gold)
        .args(["--policy", "union"])
        .output()
        .unwrap();
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    let mut harness = harness(Some(&gold));
    let unresolved = harness
        .state()
        .workspace()
        .unwrap()
        .project()
        .documents
        .iter()
        .flat_map(|d| &d.annotations)
        .filter(|a| a.is_unresolved())
        .count();
    assert!(unresolved > 0);
    let export = |harness: &mut Harness<'_, MarginaliaApp>, out: &Path| {
        set_field(harness, "File:", &out.display().to_string());
        harness
            .get_by_role_and_label(Role::Button, "Export")
            .click();
        harness.run_steps(10);
        harness.state_mut().finish_transfers();
        harness.run();
        std::fs::read_to_string(out).unwrap()
    };
    harness.key_press_modifiers(Modifiers::COMMAND, Key::E);
    harness.run();
    let label =
        format!("Include the {unresolved} unresolved candidate span(s) (marked as unresolved)");
    let out = dir.path().join("default.jsonl");
    let default = export(&mut harness, &out);
    assert!(!default.contains("\"unresolved\""), "{default}");
    let notes = harness.state().notifications().join("\n");
    assert!(
        notes.contains(&format!(
            "{unresolved} unresolved candidate span(s) left out"
        )),
        "{notes}"
    );
    harness.key_press_modifiers(Modifiers::COMMAND, Key::E);
    harness.run();
    harness
        .get_by_role_and_label(Role::CheckBox, &label)
        .click();
    harness.run();
    let out = dir.path().join("with.jsonl");
    let with = export(&mut harness, &out);
    assert_eq!(with.matches("\"unresolved\":true").count(), unresolved);
}

/// Issue M 1 (found with the wider shipped font): the review list is a short scroll area, and a
/// comment draft opened near its bottom put its field and buttons below it, under the
/// Suggestions header, where a click never reached "Add comment". The draft now scrolls into
/// view: the last "Comment…" the list shows still leads to a saved comment.
#[test]
fn m_a_comment_draft_at_the_bottom_of_the_review_list_scrolls_into_view() {
    let (dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    let second = dir.path().join("projects/sample-second-annotator.ron");
    compare_with(&mut harness, &second);
    let bottom = harness
        .get_by_role_and_label(Role::Label, "Suggestions")
        .rect()
        .min
        .y;
    let last = harness
        .get_all_by_label("Comment…")
        .rfind(|b| b.rect().max.y < bottom)
        .expect("a Comment… button in view");
    // Its draft (a two-row field and the buttons) is taller than what is left below it.
    assert!(
        last.rect().max.y + 60.0 > bottom,
        "{:?} {bottom}",
        last.rect()
    );
    last.click();
    harness.run();
    harness
        .get_by_role(Role::MultilineTextInput)
        .type_text("À revoir");
    harness.run();
    let add = harness.get_by_label("Add comment").rect();
    assert!(add.max.y <= bottom, "{add:?} is below the list ({bottom})");
    harness.get_by_label("Add comment").click();
    harness.run();
    let saved = dir
        .path()
        .join("projects/sample-second-annotator.comments-camille.ron");
    assert!(saved.exists(), "{:?}", harness.state().notifications());
}
