//! The modal dialogs: unsaved changes, a file changed on disk, unsaved work found, a path field,
//! the annotator's name, a corpus folder elsewhere, a change of many spans to confirm.

use super::MarginaliaApp;
use crate::workspace::Workspace;
use egui::{Key, Ui};
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub(super) enum Pending {
    OpenDialog,
    Open(PathBuf),
    OpenThenCompare(PathBuf, PathBuf),
    NewFromFolderDialog,
    NewFromFolder(PathBuf),
    Quit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PathPurpose {
    Open,
    NewFromFolder,
    SaveAs,
    Compare,
}

#[derive(Clone, Debug)]
pub(super) enum Modal {
    Unsaved {
        then: Pending,
    },
    /// The project file changed on disk since it was opened or saved.
    Conflict {
        change: String,
    },
    /// Unsaved changes of an earlier session were found beside the project (`untitled`: in
    /// `project`, the recovery file of a project that was never saved).
    Recover {
        project: PathBuf,
        untitled: bool,
        lines: Vec<String>,
    },
    Path {
        purpose: PathPurpose,
        text: String,
    },
    Annotator {
        folder: PathBuf,
        name: String,
    },
    /// A project file whose corpus folder lies outside its folder and the folder above: asked
    /// once per project before any text is read.
    ForeignCorpus {
        project: PathBuf,
        corpus: PathBuf,
    },
    /// A change of many spans at once (annotate all, accept all of a rule): what it would do,
    /// and a button for each way of doing it.
    Confirm {
        heading: String,
        lines: Vec<String>,
        choices: Vec<Choice>,
    },
}

/// A way of going on from a [`Modal::Confirm`]: its button's text and the edit it applies (one
/// undo).
#[derive(Clone, Debug)]
pub(super) struct Choice {
    pub(super) text: String,
    pub(super) edit: crate::edit::Edit,
}

/// What the user answered in a modal dialog. The dialog only draws and returns it; the app applies
/// it after the frame's views, with their actions.
#[derive(Clone, Debug)]
pub(super) enum Answer {
    /// Drop the unsaved changes and open the version on disk.
    Reload,
    /// Save over the version on disk.
    Overwrite,
    /// Save under another name.
    SaveAs,
    /// Restore (or discard) the unsaved work found.
    Recover {
        project: PathBuf,
        untitled: bool,
        restore: bool,
    },
    /// Open a project whose corpus folder lies elsewhere, and remember that it may.
    OpenTrusting { project: PathBuf, corpus: PathBuf },
    /// Save, then go on.
    SaveThen(Pending),
    /// Drop the unsaved changes for good, then go on.
    DiscardThen(Pending),
    /// The path typed in the path field.
    Path(PathPurpose, PathBuf),
    /// Create a project on `folder` for `annotator`.
    CreateProject { folder: PathBuf, annotator: String },
    /// Apply this edit (a confirmed change of many spans).
    Apply(crate::edit::Edit),
}

/// A path typed by the user, `~/` standing for the home folder.
pub(super) fn expand_home(text: &str) -> PathBuf {
    match (text.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(text),
    }
}

impl MarginaliaApp {
    /// Draws the modal dialog, if one is open, and returns what the user answered (the dialog
    /// is closed then). A dialog keeps its fields' text from frame to frame in `self.modal`.
    pub(super) fn modal_ui(&mut self, ui: &Ui) -> Option<Answer> {
        let modal = self.modal.clone()?;
        let ctx = ui.ctx();
        let mut close = false;
        let mut answer = None;
        match modal {
            Modal::Conflict { change } => {
                egui::Modal::new(egui::Id::unique("conflict")).show(ctx, |ui| {
                    ui.heading("The project changed on disk");
                    ui.label(change);
                    ui.label("Saving now would overwrite that version. What do you want to do?");
                    ui.horizontal(|ui| {
                        if ui
                            .button("Reload from disk")
                            .on_hover_text("Drop your unsaved changes and open the version on disk")
                            .clicked()
                        {
                            answer = Some(Answer::Reload);
                        }
                        if ui
                            .button("Overwrite")
                            .on_hover_text("Replace the version on disk with yours (it stays in the .bak backup)")
                            .clicked()
                        {
                            answer = Some(Answer::Overwrite);
                        }
                        if ui.button("Save As…").clicked() {
                            answer = Some(Answer::SaveAs);
                        }
                        if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape))
                        {
                            close = true;
                        }
                    });
                });
            }
            Modal::Recover {
                project,
                untitled,
                lines,
            } => {
                let mut restore = None;
                egui::Modal::new(egui::Id::unique("recover")).show(ctx, |ui| {
                    ui.heading("Unsaved work found");
                    ui.label(if untitled {
                        "Marginalia closed without saving a project that was never saved. \
                         These changes can be restored:"
                            .to_owned()
                    } else {
                        format!(
                            "Marginalia closed without saving {}. These changes can be restored:",
                            project.display()
                        )
                    });
                    egui::ScrollArea::vertical()
                        .max_height(240.0)
                        .show(ui, |ui| {
                            for line in &lines {
                                ui.label(line);
                            }
                        });
                    ui.horizontal(|ui| {
                        if ui.button("Restore").clicked() {
                            restore = Some(true);
                        }
                        if ui
                            .button("Discard")
                            .on_hover_text(
                                "Delete the recovered changes and keep the saved project",
                            )
                            .clicked()
                        {
                            restore = Some(false);
                        }
                    });
                });
                answer = restore.map(|restore| Answer::Recover {
                    project,
                    untitled,
                    restore,
                });
            }
            Modal::ForeignCorpus { project, corpus } => {
                let mut open = None;
                egui::Modal::new(egui::Id::unique("foreign corpus")).show(ctx, |ui| {
                    ui.heading("Texts from another folder");
                    ui.label(format!(
                        "This project reads its texts from {}. Open it?",
                        corpus.display()
                    ));
                    ui.weak(format!(
                        "{} names a corpus folder outside its own folder and the folder above. \
                         A project file from someone else could make Marginalia read (and \
                         export) files you did not mean to share. Your answer is remembered \
                         for this project.",
                        project.display()
                    ));
                    ui.horizontal(|ui| {
                        if ui.button("Open it").clicked() {
                            open = Some(true);
                        }
                        if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape))
                        {
                            open = Some(false);
                        }
                    });
                });
                match open {
                    Some(true) => answer = Some(Answer::OpenTrusting { project, corpus }),
                    Some(false) => close = true,
                    None => {}
                }
            }
            Modal::Confirm {
                heading,
                lines,
                choices,
            } => {
                egui::Modal::new(egui::Id::unique("confirm")).show(ctx, |ui| {
                    ui.heading(heading);
                    egui::ScrollArea::vertical()
                        .max_height(320.0)
                        .show(ui, |ui| {
                            for line in &lines {
                                ui.label(line);
                            }
                        });
                    ui.horizontal(|ui| {
                        for choice in &choices {
                            if ui.button(&choice.text).clicked() {
                                answer = Some(Answer::Apply(choice.edit.clone()));
                            }
                        }
                        if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape))
                        {
                            close = true;
                        }
                    });
                    // Enter takes the only way there is.
                    if let [only] = choices.as_slice()
                        && ui.input(|i| i.key_pressed(Key::Enter))
                    {
                        answer = Some(Answer::Apply(only.edit.clone()));
                    }
                });
            }
            Modal::Unsaved { then } => {
                let name = self
                    .workspace
                    .as_ref()
                    .map(Workspace::display_name)
                    .unwrap_or_default();
                egui::Modal::new(egui::Id::unique("unsaved")).show(ctx, |ui| {
                    ui.heading("Unsaved changes");
                    ui.label(format!("Save the changes to {name} first?"));
                    ui.horizontal(|ui| {
                        if ui.button("Save").clicked() {
                            answer = Some(Answer::SaveThen(then.clone()));
                        }
                        if ui.button("Discard changes").clicked() {
                            answer = Some(Answer::DiscardThen(then.clone()));
                        }
                        if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape))
                        {
                            close = true;
                        }
                    });
                });
            }
            Modal::Path { purpose, mut text } => {
                let (title, hint) = match purpose {
                    PathPurpose::Open => ("Open project", "/path/to/project.ron"),
                    PathPurpose::NewFromFolder => {
                        ("New project from folder", "/path/to/corpus folder")
                    }
                    PathPurpose::SaveAs => ("Save project as", "/path/to/project.ron"),
                    PathPurpose::Compare => (
                        "Compare with a colleague's project",
                        "/path/to/colleague.ron",
                    ),
                };
                let mut submit = false;
                let mut path_field = None;
                egui::Modal::new(egui::Id::unique("path-prompt")).show(ctx, |ui| {
                    ui.heading(title);
                    ui.label(
                        "No file dialog could be opened here. Type the path (Tab completes it):",
                    );
                    let response = ui.add(
                        egui::TextEdit::singleline(&mut text)
                            .id_salt("path-field")
                            .hint_text(hint)
                            .desired_width(420.0)
                            // Tab completes the path instead of leaving the field.
                            .lock_focus(true),
                    );
                    if response.has_focus()
                        && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Tab))
                        && let Some(completed) =
                            crate::file::complete_path(&expand_home(&text).to_string_lossy())
                    {
                        text = completed;
                        if let Some(mut state) = egui::TextEdit::load_state(ctx, response.id) {
                            let end = egui::text::CCursor::new(text.chars().count());
                            state
                                .cursor
                                .set_char_range(Some(egui::text::CCursorRange::one(end)));
                            state.store(ctx, response.id);
                        }
                    }
                    // The cursor starts in the field, with a proposed path all selected: typing
                    // replaces it, End keeps it and goes on.
                    let fresh_id = response.id.with("focused once");
                    let fresh = !ctx.data(|d| d.get_temp::<bool>(fresh_id).unwrap_or(false));
                    if !response.has_focus() && (text.is_empty() || fresh) {
                        response.request_focus();
                        ctx.data_mut(|d| d.insert_temp(fresh_id, true));
                        if let Some(mut state) = egui::TextEdit::load_state(ctx, response.id) {
                            let all = egui::text::CCursorRange::two(
                                egui::text::CCursor::new(0),
                                egui::text::CCursor::new(text.chars().count()),
                            );
                            state.cursor.set_char_range(Some(all));
                            state.store(ctx, response.id);
                        }
                    }
                    path_field = Some(fresh_id);
                    submit = response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                    ui.horizontal(|ui| {
                        submit |= ui.button("OK").clicked();
                        if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape))
                        {
                            close = true;
                        }
                    });
                });
                if submit && !text.trim().is_empty() {
                    answer = Some(Answer::Path(purpose, expand_home(text.trim())));
                } else if !close {
                    self.modal = Some(Modal::Path { purpose, text });
                }
                if (close || answer.is_some())
                    && let Some(id) = path_field
                {
                    // The next path asked gets the cursor again.
                    ctx.data_mut(|d| d.remove::<bool>(id));
                }
            }
            Modal::Annotator { folder, mut name } => {
                let mut submit = false;
                egui::Modal::new(egui::Id::unique("annotator")).show(ctx, |ui| {
                    ui.heading("New project");
                    ui.label(format!("Corpus: {}", folder.display()));
                    let prompt = ui.label("Your name, as it will appear on your annotations:");
                    let response = ui
                        .add(
                            egui::TextEdit::singleline(&mut name)
                                .id_salt("annotator-field")
                                .hint_text("your name")
                                .desired_width(300.0),
                        )
                        .labelled_by(prompt.id);
                    submit = response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                    ui.horizontal(|ui| {
                        submit |= ui
                            .add_enabled(
                                !name.trim().is_empty(),
                                egui::Button::new("Create project"),
                            )
                            .clicked();
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                });
                if submit && !name.trim().is_empty() {
                    answer = Some(Answer::CreateProject {
                        folder,
                        annotator: name.trim().to_owned(),
                    });
                } else if !close {
                    self.modal = Some(Modal::Annotator { folder, name });
                }
            }
        }
        // Answered or cancelled: the dialog closes before the answer is applied, which may open
        // another one.
        if close || answer.is_some() {
            self.modal = None;
        }
        answer
    }

    /// Applies what the user answered in a modal dialog.
    pub(super) fn answer(&mut self, ctx: &egui::Context, answer: Answer) {
        match answer {
            Answer::Reload => self.reload(),
            Answer::Overwrite => self.save_overwriting(),
            Answer::SaveAs => {
                let _saved = self.save_as_dialog();
            }
            Answer::Recover {
                project,
                untitled,
                restore,
            } => self.recover(&project, untitled, restore),
            Answer::OpenTrusting { project, corpus } => {
                self.prefs.trust(&project, &corpus);
                self.open_now(&project);
            }
            Answer::SaveThen(then) => {
                if self.save() {
                    self.continue_with(ctx, then);
                }
            }
            Answer::DiscardThen(then) => {
                if let Some(ws) = &mut self.workspace
                    && let Err(error) = ws.discard_changes()
                {
                    self.error(&anyhow::Error::new(error));
                }
                self.allow_close = true;
                self.continue_with(ctx, then);
            }
            Answer::Path(purpose, path) => match purpose {
                PathPurpose::Open => self.open_now(&path),
                PathPurpose::Compare => self.compare_now(&path),
                PathPurpose::NewFromFolder => self.ask_annotator(path),
                PathPurpose::SaveAs => {
                    let _saved = self.save_as(&path);
                }
            },
            Answer::CreateProject { folder, annotator } => {
                self.new_project_now(&folder, &annotator);
            }
            Answer::Apply(edit) => self.edit(edit, None),
        }
    }
}
