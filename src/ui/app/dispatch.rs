//! Where actions and commands are applied, once a frame.

use super::MarginaliaApp;
use super::modals::{Modal, PathPurpose, Pending};
use super::notifications::Level;
use crate::edit::Edit;
use crate::model::Status;
use crate::ui::action::Action;
use crate::ui::command::Command;
use crate::ui::dialogs::{PROJECT_FILTER, Picked};

impl MarginaliaApp {
    /// Applies one action.
    pub fn apply(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::Command(command) => self.run_command(ctx, command),
            Action::OpenDocument(index) => self.show_document(index),
            Action::Edit(edit) => self.edit(edit, None),
            Action::EditMerging(edit, key) => self.edit(edit, Some(key)),
            Action::ApplyLabel(label) if self.is_suggesting() => {
                if let Some(index) = self.suggestion {
                    self.accept_suggestion(index, Some(&label));
                }
            }
            Action::ApplyLabel(label) => self.apply_label(&label),
            Action::SelectSpan { id, .. } if self.link_from.is_some_and(|from| from != id) => {
                if let Some(from) = self.link_from.take() {
                    self.link(from, id);
                }
            }
            Action::SelectSpan { id, scroll } => {
                self.link_from = None;
                self.selected_span = Some(id);
                self.selection = None;
                self.reveal_span = !scroll;
                if scroll
                    && let Some(annotation) = self
                        .workspace
                        .as_ref()
                        .and_then(|ws| ws.project().document(self.doc)?.annotation(id))
                {
                    self.text_view.scroll_to(annotation.extent().start);
                }
            }
            Action::AddFragment(range) => self.add_fragment(range),
            Action::PlaceDetached(index) => self.place_detached(index),
            Action::CycleDocAttribute(name) => {
                let edit = self.workspace.as_ref().and_then(|ws| {
                    let project = ws.project();
                    let def = project.schema.document_attribute(&name)?;
                    let current = project.document(self.doc)?.attributes.get(&name);
                    Some(Edit::SetDocAttribute {
                        doc: self.doc,
                        name: name.clone(),
                        value: def
                            .next_value(current.map(String::as_str))
                            .map(str::to_owned),
                    })
                });
                if let Some(edit) = edit {
                    self.edit(edit, None);
                }
            }
            Action::CycleAttribute(name) => {
                let edit = self.selected_span.and_then(|id| {
                    let project = self.workspace.as_ref()?.project();
                    crate::edit::build::cycle_attribute(project, self.doc, id, &name).ok()
                });
                if let Some(edit) = edit {
                    self.edit(edit, None);
                }
            }
            Action::RemoveFragment { id, index } => {
                let fragments = self
                    .workspace
                    .as_ref()
                    .and_then(|ws| ws.project().document(self.doc)?.annotation(id))
                    .map(|a| {
                        let mut fragments = a.fragments.clone();
                        if index < fragments.len() && fragments.len() > 1 {
                            fragments.remove(index);
                        }
                        fragments
                    });
                if let Some(fragments) = fragments {
                    self.edit(
                        Edit::SetFragments {
                            doc: self.doc,
                            id,
                            fragments,
                        },
                        None,
                    );
                }
            }
            Action::Select(range) => {
                self.link_from = None;
                self.selection = range;
                if range.is_some() {
                    self.selected_span = None;
                }
            }
            Action::SetNote { id, note } => {
                let edit = Edit::SetNote {
                    doc: self.doc,
                    id,
                    note,
                };
                self.edit(edit, Some(format!("note-{}", id.0)));
            }
            Action::CompareWith(path) => self.compare_now(&path),
            Action::CloseComparison => self.comparison = None,
            Action::ShowDifference(d, e) => {
                let path = self.comparison.as_mut().and_then(|c| {
                    c.current = Some((d, e));
                    c.diff.documents.get(d).map(|doc| doc.path.clone())
                });
                if let Some(path) = path {
                    self.show_current_difference(&path);
                }
            }
            Action::OpenProject(path) => self.guard(ctx, Pending::Open(path)),
            Action::OpenAndCompare(first, second) => {
                let open = self
                    .workspace
                    .as_ref()
                    .and_then(crate::workspace::Workspace::path)
                    .map(std::path::Path::to_owned);
                if open.as_deref() == Some(crate::file::absolute(&first).as_path()) {
                    self.comparison = None;
                    self.compare_now(&second);
                } else {
                    self.guard(ctx, Pending::OpenThenCompare(first, second));
                }
            }
            Action::NewFromFolder(path) => self.guard(ctx, Pending::NewFromFolder(path)),
            Action::ShowColleague(index) => {
                if let (Some(comparison), Some(ws)) = (&mut self.comparison, &self.workspace) {
                    comparison.show(ws.project(), index);
                }
            }
            Action::Adjudicate(policy) => self.adjudicate(policy),
            Action::Rule(ruling) => self.rule(&ruling),
            Action::StartComment(id) => self.comment_draft = Some((id, String::new())),
            Action::CancelComment => self.comment_draft = None,
            Action::AddComment { path, span, text } => self.add_comment(&path, span, &text),
            Action::Find(find) => self.find_action(find),
            Action::Suggest(suggest) => self.suggest_action(suggest),
        }
    }

    pub(super) fn run_command(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::NewFromFolder => self.guard(ctx, Pending::NewFromFolderDialog),
            Command::Open => self.guard(ctx, Pending::OpenDialog),
            Command::Save => {
                let _saved = self.save();
            }
            Command::SaveAs => {
                let _saved = self.save_as_dialog();
            }
            Command::Quit => self.guard(ctx, Pending::Quit),
            Command::Export => {
                if let Some(ws) = &self.workspace {
                    self.export.show_for(ws.project(), ws.path());
                }
            }
            Command::Import | Command::NewFromFile => {
                let annotator = crate::workspace::annotator_or_default(&self.prefs.annotator);
                self.import
                    .show_for(&annotator, command == Command::NewFromFile);
            }
            Command::Undo | Command::Redo => {
                let Some(ws) = &mut self.workspace else {
                    return;
                };
                let result = if command == Command::Undo {
                    ws.undo()
                } else {
                    ws.redo()
                };
                match result {
                    Ok(true) => {
                        let history = ws.history();
                        let focus = if command == Command::Undo {
                            history.undone_focus()
                        } else {
                            history.redone_focus()
                        };
                        self.restore_focus(focus);
                        self.after_history_change();
                    }
                    Ok(false) => self.notify(
                        Level::Info,
                        if command == Command::Undo {
                            "Nothing to undo"
                        } else {
                            "Nothing to redo"
                        },
                    ),
                    Err(error) => {
                        self.error(&anyhow::Error::new(error).context("cannot undo or redo"));
                    }
                }
            }
            Command::DeleteSpan => {
                if let Some(id) = self.selected_span.take() {
                    self.edit(Edit::RemoveAnnotation { doc: self.doc, id }, None);
                }
            }
            Command::ClearSelection => {
                if self.link_from.take().is_none() {
                    self.selection = None;
                    self.selected_span = None;
                    self.suggestion = None;
                }
            }
            Command::Link => {
                if let Some(id) = self.selected_span {
                    self.link_from = Some(id);
                    self.link_target = None;
                } else {
                    self.notify(
                        Level::Info,
                        "Select a claim or a source first, then press L and click the other end",
                    );
                }
            }
            Command::EditNote if self.link_target().is_some() => {
                // Link mode: Enter links to the span Tab chose.
                if let (Some(from), Some(to)) = (self.link_from.take(), self.link_target.take()) {
                    self.link(from, to);
                }
            }
            Command::EditNote => {
                if self.selected_span.is_some() {
                    self.focus_note = true;
                }
            }
            Command::EditLabels => {
                self.labels_open = true;
                self.refresh_label_drafts();
            }
            Command::SelectSentence => self.select_sentence(),
            Command::GrowSelection => self.grow_selection(),
            Command::Find => self.open_find(false),
            Command::FindInCorpus => self.open_find(true),
            Command::NextHit => self.step_hit(true),
            Command::PreviousHit => self.step_hit(false),
            Command::LabelOccurrences => self.label_occurrences(),
            Command::Suggest => self.run_suggesters(),
            Command::NextSuggestion => self.step_suggestion(true),
            Command::NextSpan => self.step_span(true),
            Command::PreviousSpan => self.step_span(false),
            Command::PreviousSuggestion => self.step_suggestion(false),
            Command::AcceptSuggestion => {
                if let Some(index) = self.suggestion.filter(|_| self.is_suggesting()) {
                    self.accept_suggestion(index, None);
                }
            }
            Command::RejectSuggestion => {
                if let Some(index) = self.suggestion.filter(|_| self.is_suggesting()) {
                    self.reject_suggestion(index);
                }
            }
            Command::NextDocument => self.show_document(self.doc + 1),
            Command::PreviousDocument => self.show_document(self.doc.saturating_sub(1)),
            Command::DoneAndNext => {
                if self.workspace.is_some() {
                    self.edit(
                        Edit::SetStatus {
                            doc: self.doc,
                            status: Status::Done,
                        },
                        None,
                    );
                    self.show_document(self.doc + 1);
                }
            }
            Command::Compare => match self
                .dialogs
                .open_file("Compare with a colleague's project", PROJECT_FILTER)
            {
                Picked::Path(path) => self.compare_now(&path),
                Picked::Cancelled => {}
                Picked::Unavailable => {
                    self.modal = Some(Modal::Path {
                        purpose: PathPurpose::Compare,
                        text: String::new(),
                    });
                }
            },
            Command::Statistics => self.statistics_open = true,
            Command::Team => {
                let folder = self
                    .workspace
                    .as_ref()
                    .and_then(crate::workspace::Workspace::path)
                    .and_then(crate::ui::team::team_folder_of);
                self.team.show_for(folder);
            }
            Command::Agreement => {
                if self.comparison.is_none() {
                    self.notify(
                        Level::Info,
                        "Compare with a colleague's project first (Review > Compare with…)",
                    );
                } else {
                    self.compute_agreement();
                    self.agreement.open = true;
                }
            }
            Command::KeepA | Command::KeepB | Command::KeepBoth | Command::KeepNeither => {
                use crate::review::adjudicate::Ruling;
                let Some(ws) = &self.workspace else { return };
                if !ws.project().is_gold() {
                    return;
                }
                let names = crate::ui::adjudication::annotators(ws.project());
                let ruling = match command {
                    Command::KeepA => names.first().cloned().map(Ruling::Side),
                    Command::KeepB => names.get(1).cloned().map(Ruling::Side),
                    Command::KeepBoth => Some(Ruling::All),
                    _ => Some(Ruling::Neither),
                };
                if let Some(ruling) = ruling {
                    self.rule(&ruling);
                }
            }
            Command::NextDifference | Command::PreviousDifference
                if self.comparison.is_none()
                    && self
                        .workspace
                        .as_ref()
                        .is_some_and(|ws| ws.project().is_gold()) =>
            {
                let forward = command == Command::NextDifference;
                let next = self.workspace.as_ref().and_then(|ws| {
                    crate::ui::adjudication::step(
                        ws.project(),
                        self.place.as_ref(),
                        self.doc,
                        forward,
                    )
                });
                if next.is_none() {
                    self.notify(Level::Info, "Nothing left to rule on: every span is gold");
                }
                self.go_to_place(next);
            }
            Command::NextDifference | Command::PreviousDifference => {
                let forward = command == Command::NextDifference;
                match self.comparison.as_mut().map(|c| c.step(forward)) {
                    Some(Some(path)) => self.show_current_difference(&path),
                    Some(None) => {
                        self.notify(Level::Info, "No difference: you agree on everything");
                    }
                    None => self.notify(
                        Level::Info,
                        "Compare with a colleague's project first (Review > Compare with…)",
                    ),
                }
            }
            Command::Palette => self.palette.toggle(),
            Command::ToggleTheme => {
                let dark = ctx.theme() != egui::Theme::Dark;
                self.prefs.dark_mode = Some(dark);
                ctx.set_theme(if dark {
                    egui::Theme::Dark
                } else {
                    egui::Theme::Light
                });
            }
        }
    }
}
