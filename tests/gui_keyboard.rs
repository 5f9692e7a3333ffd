//! Issue J, driven on the real app headless: the command palette (Ctrl+K, Ctrl+Shift+P), where a
//! reopened project starts, load errors in words and toasts that keep out of the text, and what
//! Save As proposes.

#![cfg(feature = "gui")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::cell::RefCell;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use egui::accesskit::Role;
use egui::{Event, Key, Modifiers, MouseWheelSource, MouseWheelUnit, Pos2, TouchPhase, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use marginalia::ui::command::Command;
use marginalia::ui::palette::matching;
use marginalia::ui::{Action, FileDialogs, Filter, MarginaliaApp, NoDialogs, Picked, Prefs};
use marginalia::workspace::Workspace;

mod common;

use common::sample_copy;

fn harness(project: Option<&Path>) -> Harness<'static, MarginaliaApp> {
    harness_with(Prefs::default(), project)
}

fn harness_with(prefs: Prefs, project: Option<&Path>) -> Harness<'static, MarginaliaApp> {
    let app = MarginaliaApp::starting(prefs, Box::new(NoDialogs), project, None);
    common::harness_for(app, false)
}

/// [`harness_with`], emoji drawn as boxes (egui's own fonts have none).
fn harness_tofu(prefs: Prefs, project: Option<&Path>) -> Harness<'static, MarginaliaApp> {
    let app = MarginaliaApp::starting(prefs, Box::new(NoDialogs), project, None);
    common::harness_for(app, true)
}

fn apply(harness: &mut Harness<'_, MarginaliaApp>, action: Action) {
    harness.state_mut().apply(&egui::Context::default(), action);
    harness.run();
}

/// Types `text` as a keyboard does: for each character its key (when it has one) and the text.
fn type_keys(harness: &mut Harness<'_, MarginaliaApp>, text: &str) {
    for c in text.chars() {
        let key = Key::from_name(&c.to_uppercase().to_string());
        if let Some(key) = key {
            harness.event(Event::Key {
                key,
                physical_key: None,
                pressed: true,
                repeat: false,
                modifiers: Modifiers::NONE,
            });
        }
        harness.event(Event::Text(c.to_string()));
        if let Some(key) = key {
            harness.event(Event::Key {
                key,
                physical_key: None,
                pressed: false,
                repeat: false,
                modifiers: Modifiers::NONE,
            });
        }
        harness.step();
    }
    harness.run();
}

fn palette_open(harness: &Harness<'_, MarginaliaApp>) -> bool {
    harness.state().command_palette().is_open()
}

/// The palette lists commands from the one enum, filters them accents and case ignored, on their
/// text and their menu name, and has both shortcuts.
#[test]
fn j_the_palette_lists_every_command_from_the_enum_and_filters_on_text_and_menu() {
    let all = matching("");
    assert_eq!(
        all.len(),
        Command::ALL.len() - 1,
        "all but the palette itself"
    );
    assert!(!all.contains(&Command::Palette));
    assert_eq!(
        matching("SUGGÉST")[0],
        Command::Suggest,
        "accents and case ignored, text starting with it first"
    );
    assert_eq!(
        matching("revi agr"),
        vec![Command::Agreement],
        "words of the menu name and the text"
    );
    assert!(matching("document").contains(&Command::NextDocument));
    assert!(matching("zzz").is_empty());
    let shortcuts = Command::Palette.shortcuts();
    assert_eq!(shortcuts[0].logical_key, Key::K, "Ctrl+K first");
    assert_eq!(shortcuts[1].logical_key, Key::P);
    assert!(shortcuts[1].modifiers.shift);
}

/// Ctrl+K opens the palette with the cursor in its field; typing filters; arrows move the
/// highlight; Enter runs the highlighted command and closes the palette.
#[test]
fn j_ctrl_k_typing_and_enter_run_a_command_from_the_palette() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    assert_eq!(harness.state().current_document(), 0);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
    harness.run();
    assert!(palette_open(&harness));
    let field = harness.get_by_role(Role::TextInput);
    assert!(field.is_focused(), "the cursor is in the palette's field");
    type_keys(&mut harness, "docum");
    assert_eq!(harness.state().command_palette().query(), "docum");
    harness.get_by_label_contains("Next document (Document)");
    harness.get_by_label_contains("Previous document (Document)");
    assert!(
        harness
            .query_by_label_contains("Suggest spans (Suggestions)")
            .is_none(),
        "filtered out"
    );
    // Next document, Previous document, Mark done and go to next: Down highlights the second.
    harness.key_press(Key::ArrowDown);
    harness.run();
    harness.key_press(Key::ArrowUp);
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    assert!(!palette_open(&harness), "running a command closes it");
    assert_eq!(harness.state().current_document(), 1, "Next document ran");

    // Ctrl+Shift+P opens it too, Ctrl+K closes it, Escape closes it.
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::P);
    harness.run();
    assert!(palette_open(&harness));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
    harness.run();
    assert!(!palette_open(&harness));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    assert!(!palette_open(&harness));
    assert_eq!(harness.state().current_document(), 1);
}

/// Keys typed in the palette's field never fire plain-key shortcuts: label keys, X, N, L, Enter
/// and Escape keep their meaning for the field.
#[test]
fn j_keys_typed_in_the_palette_fire_no_plain_key_shortcut() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    let text = harness.state().workspace().unwrap().project().documents[0]
        .text
        .to_string();
    let start = text.find("Kim Jong Un").unwrap();
    apply(
        &mut harness,
        Action::Select(Some(marginalia::text::ByteRange::new(start, start + 11))),
    );
    let before = harness.state().workspace().unwrap().project().documents[0]
        .annotations
        .len();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
    harness.run();
    type_keys(&mut harness, "12 xnlp");
    assert_eq!(harness.state().command_palette().query(), "12 xnlp");
    let ws = harness.state().workspace().unwrap();
    assert_eq!(
        ws.project().documents[0].annotations.len(),
        before,
        "no label key labelled the selection"
    );
    assert!(!ws.is_dirty());
    assert!(harness.state().selection().is_some(), "still selected");
    // Escape closes the palette and does not clear the selection.
    harness.key_press(Key::Escape);
    harness.run();
    assert!(!palette_open(&harness));
    assert!(harness.state().selection().is_some());
    // Out of the palette, the keys are shortcuts again.
    harness.key_press(Key::Num1);
    harness.run();
    assert_eq!(
        harness.state().workspace().unwrap().project().documents[0]
            .annotations
            .len(),
        before + 1
    );
}

/// Commands that make no sense now are listed greyed and cannot run; a click on a row runs it.
#[test]
fn j_the_palette_greys_what_cannot_run_and_a_click_runs_a_row() {
    let mut harness = harness(None);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
    harness.run();
    let undo = harness.get_by_label_contains("Undo (Edit)");
    assert!(undo.accesskit_node().is_disabled(), "nothing to undo");
    let agreement = harness.get_by_label_contains("Agreement… (Review)");
    assert!(agreement.accesskit_node().is_disabled());
    let theme = harness.get_by_label_contains("Toggle dark/light theme (View)");
    assert!(!theme.accesskit_node().is_disabled());
    // Its shortcut is shown beside it.
    harness.get_by_label("Open… (File) Ctrl+O");
    harness.get_by_label_contains("Undo (Edit)").click();
    harness.run();
    assert!(palette_open(&harness), "a greyed row does nothing");
    harness
        .get_by_label_contains("Toggle dark/light theme (View)")
        .click();
    harness.run();
    assert!(!palette_open(&harness));
    assert!(
        harness.state().prefs().dark_mode.is_some(),
        "the theme changed"
    );
    // The menu has it too.
    harness.get_by_label("View").click();
    harness.run();
    harness.get_by_label_contains("Command palette…").click();
    harness.run();
    assert!(palette_open(&harness));
}

/// A corpus with a long first document (a novel: accents, emoji, CRLF) and a short second one,
/// saved as a project.
fn long_project(dir: &Path, name: &str) -> PathBuf {
    let corpus = dir.join(format!("corpus-{name}"));
    std::fs::create_dir_all(&corpus).unwrap();
    let mut novel = String::new();
    for i in 0..400 {
        write!(
            novel,
            "Ligne {i} : Ça s’est passé à l’été, déjà 🙂 — un paragraphe du roman.\r\n"
        )
        .unwrap();
    }
    std::fs::write(corpus.join("a-roman.txt"), &novel).unwrap();
    let half: String = novel.split_inclusive('\n').take(200).collect();
    std::fs::write(corpus.join("b-court.txt"), half).unwrap();
    let mut ws = Workspace::from_folder(&corpus, "zoé").unwrap();
    let path = dir.join(format!("{name}.ron"));
    ws.save_as(&path).unwrap();
    path
}

fn scroll_text(harness: &mut Harness<'_, MarginaliaApp>, dy: f32, times: usize) {
    harness.hover_at(Pos2::new(700.0, 500.0));
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

/// A project opened for the first time starts at the top of document 1, not at the scroll offset
/// of the project shown before; reopening one restores its document and place, also in a later
/// session (the preferences as eframe stores them).
#[test]
fn j_a_new_project_starts_at_the_top_and_a_reopened_one_where_it_was_left() {
    let dir = tempfile::tempdir().unwrap();
    let first = long_project(dir.path(), "first");
    let second = long_project(dir.path(), "second");
    let mut harness = harness_tofu(Prefs::default(), Some(&first));
    assert!(harness.state().text_view().screen_pos(0).is_some());
    // The second document, scrolled well down.
    harness.key_press_modifiers(Modifiers::ALT, Key::ArrowDown);
    harness.run();
    scroll_text(&mut harness, -600.0, 4);
    assert_eq!(harness.state().current_document(), 1);
    assert!(
        harness.state().text_view().screen_pos(0).is_none(),
        "scrolled: the first line is out of view"
    );
    let first_real = marginalia::file::absolute(&first);
    let left = harness
        .state()
        .prefs()
        .position(&first_real)
        .cloned()
        .expect("the position is noted");
    assert_eq!(left.document, "b-court.txt");
    assert!(left.offset > 0);

    // Another project, never opened: document 1, its first line in view.
    apply(&mut harness, Action::OpenProject(second.clone()));
    assert_eq!(harness.state().current_document(), 0);
    assert!(
        harness.state().text_view().screen_pos(0).is_some(),
        "the first line of the new project is in view"
    );

    // Back to the first: its document and its place.
    apply(&mut harness, Action::OpenProject(first.clone()));
    assert_eq!(harness.state().current_document(), 1);
    assert!(harness.state().text_view().screen_pos(0).is_none());
    assert!(
        harness
            .state()
            .text_view()
            .screen_pos(left.offset)
            .is_some(),
        "the line left at is in view"
    );
    let again = harness
        .state()
        .prefs()
        .position(&first_real)
        .cloned()
        .unwrap();
    assert_eq!(again, left, "reopening does not move the place (no drift)");

    // A later session, with the preferences eframe kept.
    let stored = ron::to_string(harness.state().prefs()).unwrap();
    let prefs: Prefs = ron::from_str(&stored).unwrap();
    let later = harness_tofu(prefs, Some(&first));
    assert_eq!(later.state().current_document(), 1);
    assert!(later.state().text_view().screen_pos(left.offset).is_some());
    assert!(later.state().text_view().screen_pos(0).is_none());
}

/// The map of positions keeps the most recent projects only.
#[test]
fn j_positions_are_kept_for_the_most_recent_projects_only() {
    let mut prefs = Prefs::default();
    for i in 0..(marginalia::ui::app::MAX_POSITIONS + 10) {
        prefs.note_position(Path::new(&format!("/p/{i}.ron")), "a.txt", i);
    }
    assert_eq!(prefs.positions.len(), marginalia::ui::app::MAX_POSITIONS);
    let newest = marginalia::ui::app::MAX_POSITIONS + 9;
    assert_eq!(prefs.positions[0].offset, newest, "newest first");
    assert!(
        prefs.position(Path::new("/p/0.ron")).is_none(),
        "oldest dropped"
    );
    // Noting again moves a project to the front, once.
    prefs.note_position(Path::new("/p/20.ron"), "b.txt", 7);
    assert_eq!(prefs.positions[0].document, "b.txt");
    assert_eq!(
        prefs
            .positions
            .iter()
            .filter(|p| p.project == Path::new("/p/20.ron"))
            .count(),
        1
    );
}

/// Opening a text or a JSON file says in words that it is not a project, and that error goes
/// away once a project opens.
#[test]
fn j_opening_a_text_file_says_so_in_words_and_the_error_goes_once_a_project_opens() {
    let (dir, project) = sample_copy();
    let novel = dir.path().join("roman.txt");
    std::fs::write(&novel, "Longtemps, je me suis couché de bonne heure.\n").unwrap();
    let json = dir.path().join("export.json");
    std::fs::write(&json, "{\"text\": \"é\"}").unwrap();
    let mut harness = harness(None);
    apply(&mut harness, Action::OpenProject(novel.clone()));
    let notes = harness.state().notifications().join("\n");
    assert!(
        notes.contains("is not a Marginalia project file: it looks like plain text"),
        "{notes}"
    );
    assert!(!notes.contains("ProjectFile"), "{notes}");
    assert!(!notes.contains("Expected"), "{notes}");
    apply(&mut harness, Action::OpenProject(json));
    let notes = harness.state().notifications().join("\n");
    assert!(notes.contains("it looks like a JSON file"), "{notes}");
    apply(&mut harness, Action::OpenProject(project));
    assert!(harness.state().workspace().is_some());
    let notes = harness.state().notifications().join("\n");
    assert!(
        !notes.contains("is not a Marginalia project file"),
        "cleared once a project opened: {notes}"
    );
}

/// Toasts do not pile up: the newest three are shown in the bottom right corner, the older ones
/// fold into "and N more".
#[test]
fn j_toasts_show_the_newest_three_in_a_corner_and_fold_the_rest() {
    let (_dir, project) = sample_copy();
    let mut harness = harness(Some(&project));
    for _ in 0..5 {
        apply(&mut harness, Action::Command(Command::Undo));
    }
    assert_eq!(harness.state().notifications().len(), 5);
    assert_eq!(harness.query_all_by_label("Nothing to undo").count(), 3);
    harness.get_by_label("and 2 more");
    for toast in harness.query_all_by_label("Nothing to undo") {
        let rect = toast.rect();
        assert!(
            rect.min.x > 1400.0 - 340.0 && rect.min.y > 450.0,
            "in the bottom right corner, over the span list: {rect:?}"
        );
    }
}

/// What Save As asked of the file dialog: the folder and the name proposed.
type Asked = Rc<RefCell<Vec<(Option<PathBuf>, String)>>>;

/// File dialogs that note what Save As proposes, and are cancelled.
struct Noting(Asked);

impl FileDialogs for Noting {
    fn open_file(&mut self, _title: &str, _filter: Filter<'_>) -> Picked {
        Picked::Cancelled
    }
    fn pick_folder(&mut self, _title: &str) -> Picked {
        Picked::Cancelled
    }
    fn save_file(
        &mut self,
        _title: &str,
        folder: Option<&Path>,
        suggested_name: &str,
        _filter: Filter<'_>,
    ) -> Picked {
        self.0
            .borrow_mut()
            .push((folder.map(Path::to_owned), suggested_name.to_owned()));
        Picked::Cancelled
    }
}

/// Save As proposes the project's folder and `<annotator>.ron` to the file dialog; without one,
/// the path field starts with that path, all selected so that typing replaces it. A project never
/// saved is proposed beside its corpus.
#[test]
fn j_save_as_proposes_the_folder_and_the_annotators_file_name() {
    let (dir, project) = sample_copy();
    let asked: Asked = Rc::default();
    let app = MarginaliaApp::starting(
        Prefs::default(),
        Box::new(Noting(asked.clone())),
        Some(&project),
        None,
    );
    let mut harness = common::harness_for(app, false);
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::S);
    harness.run();
    let projects = marginalia::file::absolute(&dir.path().join("projects"));
    assert_eq!(
        asked.borrow().as_slice(),
        &[(Some(projects.clone()), "camille.ron".to_owned())]
    );

    // No dialog: the path field.
    let mut harness = harness_with(Prefs::default(), Some(&project));
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::S);
    harness.run();
    let field = harness.get_by_role(Role::TextInput);
    assert_eq!(
        field.value().as_deref(),
        Some(projects.join("camille.ron").display().to_string().as_str())
    );
    assert!(field.is_focused(), "the cursor is in the field");
    let target = dir.path().join("mine.ron");
    harness
        .get_by_role(Role::TextInput)
        .type_text(&target.display().to_string());
    harness.run();
    harness.get_by_label("OK").click();
    harness.run();
    assert!(
        target.exists(),
        "typing replaced the proposed path: {:?}",
        harness.state().notifications()
    );

    // A project never saved: beside its corpus, under its annotator's name made a file name.
    let corpus = dir.path().join("textes");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(corpus.join("a.txt"), "Le Kremlin a démenti.\r\n").unwrap();
    let mut harness = harness_with(Prefs::default(), None);
    apply(&mut harness, Action::NewFromFolder(corpus.clone()));
    harness.get_by_role(Role::TextInput).focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.get_by_role(Role::TextInput).type_text("Zoé/B");
    harness.run();
    harness.get_by_label("Create project").click();
    harness.run();
    assert!(harness.state().workspace().unwrap().path().is_none());
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::S);
    harness.run();
    let proposed = marginalia::file::absolute(dir.path()).join("Zoé_B.ron");
    assert_eq!(
        harness.get_by_role(Role::TextInput).value().as_deref(),
        Some(proposed.display().to_string().as_str())
    );
}

/// Where no file dialog opens, Tab in the path field completes the path typed so far.
#[test]
fn j_tab_completes_the_path_typed_in_the_path_field() {
    let (dir, project) = sample_copy();
    std::fs::create_dir_all(dir.path().join("équipe-été")).unwrap();
    let mut harness = harness_with(Prefs::default(), Some(&project));
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::S);
    harness.run();
    let root = marginalia::file::absolute(dir.path());
    harness
        .get_by_role(Role::TextInput)
        .type_text(&format!("{}/équ", root.display()));
    harness.run();
    harness.key_press(Key::Tab);
    harness.run();
    let field = harness.get_by_role(Role::TextInput);
    assert_eq!(
        field.value().as_deref(),
        Some(format!("{}/équipe-été/", root.display()).as_str())
    );
    assert!(field.is_focused(), "Tab keeps the cursor in the field");
    // Typing goes on after the completion, and OK saves there.
    harness.get_by_role(Role::TextInput).type_text("mine.ron");
    harness.run();
    harness.get_by_label("OK").click();
    harness.run();
    assert!(
        dir.path().join("équipe-été/mine.ron").exists(),
        "{:?}",
        harness.state().notifications()
    );
}
