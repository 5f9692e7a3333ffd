//! The views of the app's frame: shortcuts, dropped files, the menu, the status bar, the text in
//! the centre, and the statistics and labels windows. They return actions.

use super::MarginaliaApp;
use crate::ui::action::Action;
use crate::ui::command::Command;
use crate::ui::panels;
use crate::ui::text_view::{TextAction, ViewState};
use crate::ui::theme;
use crate::workspace::Workspace;
use egui::{Key, RichText, Ui};
use std::path::PathBuf;

pub(super) fn modifier_count(modifiers: egui::Modifiers) -> usize {
    [
        modifiers.alt,
        modifiers.ctrl || modifiers.command || modifiers.mac_cmd,
        modifiers.shift,
    ]
    .into_iter()
    .filter(|m| *m)
    .count()
}

impl MarginaliaApp {
    pub(super) fn shortcuts(&self, ui: &Ui, actions: &mut Vec<Action>) {
        // The palette's field has the cursor: its letters are typed, never shortcuts.
        let typing = ui.ctx().egui_wants_keyboard_input() || self.palette.is_open();
        let mut walked_suggestions = false;
        // The most specific shortcuts first, so that Ctrl+Shift+Z is not taken for Ctrl+Z.
        let mut shortcuts: Vec<(Command, egui::KeyboardShortcut)> = Command::ALL
            .into_iter()
            .flat_map(|c| c.shortcuts().into_iter().map(move |s| (c, s)))
            .collect();
        shortcuts.sort_by_key(|(_, s)| std::cmp::Reverse(modifier_count(s.modifiers)));
        // With a suggestion shown (and nothing selected), Enter accepts it and X or Backspace
        // rejects it; otherwise those keys keep their meaning. Tab walks the suggestions of a
        // document that has some, instead of moving egui's keyboard focus.
        let suggesting = self.is_suggesting();
        let has_suggestions = self
            .workspace
            .as_ref()
            .and_then(|ws| ws.project().document(self.doc))
            .is_some_and(|d| !d.suggestions.is_empty());
        let linking = self.link_from.is_some();
        let skipped = |command: Command| match command {
            Command::AcceptSuggestion | Command::RejectSuggestion => !suggesting,
            Command::EditNote | Command::DeleteSpan | Command::KeepNeither => suggesting,
            // In link mode Tab chooses the other end among the spans.
            Command::NextSuggestion | Command::PreviousSuggestion => !has_suggestions || linking,
            Command::NextSpan | Command::PreviousSpan => has_suggestions && !linking,
            _ => false,
        };
        ui.input_mut(|input| {
            // Alt+Shift+KEY cycles a document attribute: before the commands, whose Alt+KEY
            // would take it otherwise.
            if let Some(ws) = self.workspace.as_ref().filter(|_| !typing) {
                for def in &ws.project().schema.document_attributes {
                    if let Some(key) = Key::from_name(&def.key.to_uppercase())
                        && input.consume_key(egui::Modifiers::ALT | egui::Modifiers::SHIFT, key)
                    {
                        actions.push(Action::CycleDocAttribute(def.name.clone()));
                    }
                }
            }
            for (command, shortcut) in shortcuts {
                if skipped(command)
                    || (typing
                        && (command.is_plain_key()
                            || matches!(
                                command,
                                Command::Undo
                                    | Command::Redo
                                    | Command::NextSuggestion
                                    | Command::NextSpan
                                    | Command::PreviousSpan
                                    | Command::PreviousSuggestion
                            )))
                {
                    continue;
                }
                if input.consume_shortcut(&shortcut) {
                    actions.push(Action::Command(command));
                }
            }
            if actions.iter().any(|a| {
                matches!(
                    a,
                    Action::Command(
                        Command::NextSuggestion
                            | Command::PreviousSuggestion
                            | Command::NextSpan
                            | Command::PreviousSpan
                    )
                )
            }) {
                walked_suggestions = true;
            }
            if typing {
                return;
            }
            if let Some(ws) = &self.workspace {
                let selected = self
                    .selected_span
                    .and_then(|id| ws.project().document(self.doc)?.annotation(id));
                for attribute in selected
                    .iter()
                    .flat_map(|a| ws.project().schema.attributes_of(&a.label))
                {
                    if let Some(key) = Key::from_name(&attribute.key.to_uppercase())
                        && input.consume_key(egui::Modifiers::NONE, key)
                    {
                        actions.push(Action::CycleAttribute(attribute.name.clone()));
                    }
                }
                for label in &ws.project().schema.labels {
                    if let Some(key) = Key::from_name(&label.key.to_uppercase())
                        && input.consume_key(egui::Modifiers::NONE, key)
                    {
                        actions.push(Action::ApplyLabel(label.name.clone()));
                    }
                }
            }
        });
        if walked_suggestions {
            // Tab was the suggestions' key this frame, not a move of egui's keyboard focus.
            ui.ctx()
                .memory_mut(|m| m.move_focus(egui::FocusDirection::None));
        }
    }

    pub(super) fn dropped_files(ui: &Ui, actions: &mut Vec<Action>) {
        let dropped: Vec<PathBuf> = ui.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if let Some(path) = dropped.into_iter().next() {
            actions.push(if path.is_dir() {
                Action::NewFromFolder(path)
            } else {
                Action::OpenProject(path)
            });
        }
        let hovering = ui.input(|i| !i.raw.hovered_files.is_empty());
        if hovering {
            let rect = ui.ctx().content_rect();
            let painter = ui.ctx().layer_painter(egui::LayerId::new(
                egui::Order::Foreground,
                egui::Id::unique("drop"),
            ));
            painter.rect_filled(rect, 0.0, crate::ui::theme::DROP_VEIL);
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "Drop a project (.ron) to open it, or a folder to start a project",
                egui::FontId::proportional(20.0),
                crate::ui::theme::DROP_TEXT,
            );
        }
    }

    pub(super) fn menu_item(
        ui: &mut Ui,
        command: Command,
        enabled: bool,
        actions: &mut Vec<Action>,
    ) {
        if command.menu_item(ui, enabled) {
            actions.push(Action::Command(command));
        }
    }

    /// A menu button for `command` with its shortcut, under a text of its own.
    pub(super) fn menu_item_text(
        ui: &mut Ui,
        command: Command,
        text: &str,
        enabled: bool,
        actions: &mut Vec<Action>,
    ) {
        if command.menu_item_named(ui, text, enabled) {
            actions.push(Action::Command(command));
        }
    }

    pub(super) fn menu_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let has_project = self.workspace.is_some();
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                Self::menu_item(ui, Command::NewFromFolder, true, actions);
                Self::menu_item(ui, Command::NewFromFile, true, actions);
                Self::menu_item(ui, Command::Open, true, actions);
                ui.menu_button("Open Recent", |ui| {
                    if self.prefs.recent.is_empty() {
                        ui.weak("No recent project");
                    }
                    for path in &self.prefs.recent {
                        if ui.button(path.display().to_string()).clicked() {
                            actions.push(Action::OpenProject(path.clone()));
                        }
                    }
                });
                ui.separator();
                Self::menu_item(ui, Command::Save, has_project, actions);
                Self::menu_item(ui, Command::SaveAs, has_project, actions);
                ui.separator();
                Self::menu_item(ui, Command::Import, true, actions);
                Self::menu_item(ui, Command::Export, has_project, actions);
                ui.separator();
                Self::menu_item(ui, Command::Quit, true, actions);
            });
            ui.menu_button("Edit", |ui| {
                let history = self.workspace.as_ref().map(Workspace::history);
                let undo = history.and_then(crate::edit::History::undo_description);
                let redo = history.and_then(crate::edit::History::redo_description);
                let undo_text = undo.map_or_else(|| "Undo".to_owned(), |d| format!("Undo {d}"));
                Self::menu_item_text(
                    ui,
                    Command::Undo,
                    &undo_text,
                    history.is_some_and(|h| h.undo_description().is_some()),
                    actions,
                );
                let redo_text = redo.map_or_else(|| "Redo".to_owned(), |d| format!("Redo {d}"));
                Self::menu_item_text(
                    ui,
                    Command::Redo,
                    &redo_text,
                    history.is_some_and(|h| h.redo_description().is_some()),
                    actions,
                );
                ui.separator();
                Self::menu_item(
                    ui,
                    Command::DeleteSpan,
                    self.selected_span.is_some(),
                    actions,
                );
                Self::menu_item(ui, Command::EditNote, self.selected_span.is_some(), actions);
                Self::menu_item(ui, Command::Link, self.selected_span.is_some(), actions);
                Self::menu_item(ui, Command::ClearSelection, true, actions);
                Self::menu_item(ui, Command::NextSpan, has_project, actions);
                Self::menu_item(ui, Command::PreviousSpan, has_project, actions);
                Self::menu_item(ui, Command::SelectSentence, has_project, actions);
                Self::menu_item(ui, Command::GrowSelection, has_project, actions);
                ui.separator();
                Self::menu_item(ui, Command::Find, has_project, actions);
                Self::menu_item(ui, Command::FindInCorpus, has_project, actions);
                Self::menu_item(ui, Command::NextHit, self.find.open, actions);
                Self::menu_item(ui, Command::PreviousHit, self.find.open, actions);
                Self::menu_item(
                    ui,
                    Command::LabelOccurrences,
                    self.selected_span.is_some(),
                    actions,
                );
                ui.separator();
                Self::menu_item(ui, Command::EditLabels, has_project, actions);
            });
            ui.menu_button("Document", |ui| {
                Self::menu_item(ui, Command::NextDocument, has_project, actions);
                Self::menu_item(ui, Command::PreviousDocument, has_project, actions);
                Self::menu_item(ui, Command::DoneAndNext, has_project, actions);
            });
            ui.menu_button("Suggestions", |ui| {
                let running = self.suggesting.is_some();
                Self::menu_item(ui, Command::Suggest, has_project && !running, actions);
                ui.separator();
                Self::menu_item(ui, Command::NextSuggestion, has_project, actions);
                Self::menu_item(ui, Command::PreviousSuggestion, has_project, actions);
                let suggesting = self.is_suggesting();
                Self::menu_item(ui, Command::AcceptSuggestion, suggesting, actions);
                Self::menu_item(ui, Command::RejectSuggestion, suggesting, actions);
            });
            ui.menu_button("Review", |ui| {
                Self::menu_item(ui, Command::Compare, has_project, actions);
                Self::menu_item(
                    ui,
                    Command::NextDifference,
                    self.comparison.is_some(),
                    actions,
                );
                Self::menu_item(
                    ui,
                    Command::PreviousDifference,
                    self.comparison.is_some(),
                    actions,
                );
                ui.separator();
                Self::menu_item(ui, Command::Agreement, self.comparison.is_some(), actions);
                Self::menu_item(ui, Command::Statistics, has_project, actions);
                Self::menu_item(ui, Command::Team, true, actions);
                let annotators = self.comparison.as_ref().map_or(0, |c| c.others.len() + 1);
                ui.add_enabled_ui(self.comparison.is_some(), |ui| {
                    ui.menu_button("Adjudicate into a gold project", |ui| {
                        actions.extend(crate::ui::review::adjudicate_menu(ui, annotators));
                    })
                    .response
                    .on_hover_text(crate::ui::review::ADJUDICATE_TOOLTIP);
                });
            });
            ui.menu_button("View", |ui| {
                Self::menu_item(ui, Command::Palette, true, actions);
                Self::menu_item(ui, Command::ToggleTheme, true, actions);
                ui.weak("Zoom: Ctrl + / Ctrl - / Ctrl 0");
            });
        });
    }

    pub(super) fn status_ui(&self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let Some(ws) = &self.workspace else {
                ui.label("No project open: File > Open… or New project from folder…");
                return;
            };
            let project = ws.project();
            ui.label(format!(
                "{} · annotator {}",
                ws.display_name(),
                project.annotator
            ));
            if let Some(document) = project.document(self.doc) {
                ui.separator();
                ui.label(format!(
                    "document {}/{}",
                    self.doc + 1,
                    project.documents.len()
                ));
                if let Some(position) = self.text_view.position(document) {
                    ui.separator();
                    ui.label(position.label());
                }
                if let Some(selection) = self.selection {
                    ui.separator();
                    let chars = selection.slice(&document.text).chars().count();
                    ui.label(format!(
                        "selected {chars} character(s): press a label's key"
                    ));
                }
            }
            if let Some((k, n)) = self
                .comparison
                .as_ref()
                .and_then(crate::ui::review::Comparison::position)
            {
                ui.separator();
                ui.label(format!("difference {k} of {n}"));
            } else if let Some((gold, place)) = self.gold.as_ref().zip(self.place.as_ref())
                && let Some(k) = crate::review::adjudicate::position(&gold.places, place)
            {
                ui.separator();
                ui.label(format!("place {} of {}", k + 1, gold.places.len()));
            }
            if let (Some(index), Some(document)) = (self.suggestion, project.document(self.doc))
                && self.is_suggesting()
            {
                ui.separator();
                ui.label(format!(
                    "suggestion {}/{}: Enter or a label's key accepts, X rejects, Tab goes on",
                    index + 1,
                    document.suggestions.len()
                ));
            }
            if self.link_from.is_some() {
                ui.separator();
                ui.colored_label(
                    theme::WARNING,
                    "Link: click the span at the other end, or Tab to it and press Enter (Esc cancels)",
                );
            }
            if ws.is_dirty() {
                ui.separator();
                ui.colored_label(theme::WARNING, "unsaved changes");
            }
        });
    }

    pub(super) fn central_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let Some(ws) = &self.workspace else {
            ui.centered_and_justified(|ui| {
                ui.label(RichText::new("Open a project (Ctrl+O) or start one from a folder of .txt files (Ctrl+N).\nYou can also drop a project file or a folder here.").size(18.0));
            });
            return;
        };
        let project = ws.project();
        let Some(document) = project.document(self.doc) else {
            ui.label("This project has no document.");
            return;
        };
        if self.find.open {
            actions.extend(
                self.find
                    .ui(ui, project, true)
                    .into_iter()
                    .map(Action::Find),
            );
            ui.separator();
        }
        let can_apply =
            document.is_editable() && (self.selection.is_some() || self.selected_span.is_some());
        actions.extend(panels::palette_ui(ui, project, can_apply));
        ui.horizontal(|ui| {
            ui.strong(crate::ui::text_view::visual(&document.path).into_owned());
            ui.weak(format!(
                "· {} · {} span(s)",
                document.status.label(),
                document.annotations.len()
            ));
        });
        crate::ui::document_header::metadata_ui(ui, &document.metadata);
        actions.extend(crate::ui::document_header::document_attributes_ui(
            ui,
            &project.schema,
            document,
            self.doc,
        ));
        match &document.text_state {
            crate::model::TextState::Current => {}
            crate::model::TextState::Changed { .. } => {
                ui.colored_label(theme::ERROR, "Warning: This file changed since it was annotated. Its spans are kept in the project but hidden, and the document is read-only.");
            }
            crate::model::TextState::Missing { reason, .. } => {
                ui.colored_label(theme::ERROR, format!("Warning: This file cannot be read ({reason}). Its spans are kept; the document is read-only."));
            }
        }
        if let Some(encoding) = document.decoded_from {
            ui.colored_label(
                theme::WARNING,
                format!(
                    "Warning: {} is not UTF-8: it was decoded as {encoding}. Check its accents.",
                    document.path
                ),
            );
        }
        ui.separator();
        let other = self
            .comparison
            .as_ref()
            .and_then(|c| c.other_document(&document.path));
        let mut highlight = self
            .comparison
            .as_ref()
            .map(|c| c.current_ranges(document))
            .unwrap_or_default();
        if let Some(target) = self.link_target().and_then(|id| document.annotation(id)) {
            highlight.extend(target.fragments.iter().copied());
        }
        if let Some(place) = self.place.as_ref().filter(|p| p.doc == self.doc) {
            highlight.extend(
                place
                    .ids
                    .iter()
                    .filter_map(|id| document.annotation(*id))
                    .flat_map(|a| a.fragments.iter().copied()),
            );
        }
        let state = ViewState {
            selection: self.selection,
            selected_span: self.selected_span,
            revision: ws.history().revision(),
            schema: &project.schema,
            other,
            highlight: &highlight,
            search_hits: if self.find.open {
                self.find.hits_in(self.doc)
            } else {
                &[]
            },
            suggestions: if document.is_editable() {
                &document.suggestions
            } else {
                &[]
            },
            current_suggestion: self.suggestion,
            current_hit: self
                .find
                .current_hit()
                .filter(|h| h.doc == self.doc)
                .map(|h| h.range),
        };
        let shown = if document.is_editable() {
            document
        } else {
            &crate::model::Document {
                text: document.text.clone(),
                ..Default::default()
            }
        };
        for action in self.text_view.ui(ui, self.doc, shown, state) {
            actions.push(match action {
                TextAction::Select(range) => Action::Select(range),
                TextAction::SelectSpan(id) => Action::SelectSpan { id, scroll: false },
                TextAction::AddFragment(range) => Action::AddFragment(range),
            });
        }
    }

    pub(super) fn statistics_window(&mut self, ui: &Ui) {
        if !self.statistics_open || self.workspace.is_none() {
            return;
        }
        let mut open = self.statistics_open;
        let stats = &self.statistics.value;
        egui::Window::new("Statistics")
            .open(&mut open)
            .default_width(620.0)
            .vscroll(true)
            .show(ui.ctx(), |ui| {
                crate::ui::statistics::statistics_ui(ui, stats);
            });
        self.statistics_open = open;
    }

    pub(super) fn labels_window(&mut self, ui: &Ui, actions: &mut Vec<Action>) {
        let Some(ws) = &self.workspace else { return };
        let mut open = self.labels_open;
        egui::Window::new("Labels")
            .open(&mut open)
            .default_width(460.0)
            .show(ui.ctx(), |ui| {
                ui.label("Each label's guideline is shown as the tooltip of its palette button.");
                ui.separator();
                actions.extend(panels::labels_ui(ui, ws.project(), &mut self.label_drafts));
                ui.separator();
                actions.extend(crate::ui::document_header::document_attribute_defs_ui(
                    ui,
                    ws.project(),
                ));
            });
        self.labels_open = open;
    }
}
