//! The command palette in the app: drawn before the views, and which commands make sense now.

use super::MarginaliaApp;
use crate::ui::action::Action;
use crate::ui::command::Command;
use crate::workspace::Workspace;
use egui::Ui;

impl MarginaliaApp {
    /// Whether `command` makes sense now (the palette greys out the others).
    pub(super) fn command_enabled(&self, command: Command) -> bool {
        let has_project = self.workspace.is_some();
        let history = self.workspace.as_ref().map(Workspace::history);
        let gold = self
            .workspace
            .as_ref()
            .is_some_and(|ws| ws.project().is_gold());
        match command {
            Command::NewFromFolder
            | Command::NewFromFile
            | Command::Team
            | Command::Open
            | Command::Import
            | Command::Quit
            | Command::ClearSelection
            | Command::ToggleTheme
            | Command::Palette => true,
            Command::Save
            | Command::SaveAs
            | Command::Export
            | Command::Find
            | Command::FindInCorpus
            | Command::EditLabels
            | Command::NextDocument
            | Command::PreviousDocument
            | Command::DoneAndNext
            | Command::Compare
            | Command::Statistics
            | Command::NextSuggestion
            | Command::NextSpan
            | Command::PreviousSpan
            | Command::PreviousSuggestion
            | Command::SelectSentence
            | Command::GrowSelection => has_project,
            Command::Undo => history.is_some_and(|h| h.undo_description().is_some()),
            Command::Redo => history.is_some_and(|h| h.redo_description().is_some()),
            Command::DeleteSpan | Command::EditNote | Command::Link | Command::LabelOccurrences => {
                self.selected_span.is_some()
            }
            Command::NextHit | Command::PreviousHit => self.find.open,
            Command::Suggest => has_project && self.suggesting.is_none(),
            Command::AcceptSuggestion | Command::RejectSuggestion => self.is_suggesting(),
            Command::NextDifference | Command::PreviousDifference => {
                self.comparison.is_some() || gold
            }
            Command::Agreement => self.comparison.is_some(),
            Command::KeepA | Command::KeepB | Command::KeepBoth | Command::KeepNeither => gold,
        }
    }

    /// The palette, when open (a dialog that opens closes it); the command chosen goes to
    /// `actions`.
    pub(super) fn palette_ui(&mut self, ui: &Ui, actions: &mut Vec<Action>) {
        if self.modal.is_some() {
            self.palette.close();
        }
        if !self.palette.is_open() {
            return;
        }
        let mut palette = std::mem::take(&mut self.palette);
        let chosen = palette.ui(ui.ctx(), |command| self.command_enabled(command));
        self.palette = palette;
        actions.extend(chosen);
    }

    /// The command palette: open or not, what is typed.
    pub fn command_palette(&self) -> &crate::ui::palette::CommandPalette {
        &self.palette
    }
}
