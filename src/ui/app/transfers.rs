//! The export, import and team windows, and what their threads report back.

use super::MarginaliaApp;
use super::notifications::Level;
use crate::ui::action::Action;
use egui::Ui;

impl MarginaliaApp {
    pub(super) fn transfer_windows(&mut self, ui: &Ui, actions: &mut Vec<Action>) {
        let Self {
            export,
            import,
            team,
            workspace,
            dialogs,
            ..
        } = self;
        let mut events = Vec::new();
        if let Some(ws) = workspace {
            events.extend(export.ui(ui, ws.project(), ws.path(), dialogs.as_mut()));
        }
        events.extend(import.ui(ui, dialogs.as_mut()));
        actions.extend(team.ui(ui, dialogs.as_mut()));
        for event in events {
            self.transfer_event(event, actions);
        }
    }

    pub(super) fn transfer_event(
        &mut self,
        event: crate::ui::transfer::TransferEvent,
        actions: &mut Vec<Action>,
    ) {
        /// Import problems shown as notifications; the rest go to the terminal.
        const SHOWN: usize = 5;
        use crate::ui::transfer::TransferEvent;
        match event {
            TransferEvent::Exported(path, Ok(report)) => {
                self.notify(
                    Level::Info,
                    format!(
                        "Exported {} document(s), {} span(s), {} link(s) to {}",
                        report.documents,
                        report.spans,
                        report.relations,
                        path.display()
                    ),
                );
                for note in report.notes {
                    self.notify(Level::Warning, note);
                }
            }
            TransferEvent::Exported(path, Err(error)) => {
                self.notify(
                    Level::Error,
                    format!("Export to {} failed: {error}", path.display()),
                );
            }
            TransferEvent::Imported(path, report) => {
                // Notes: read another way, nothing lost. Not imported: left out of the project.
                for (lines, level, what) in [
                    (&report.notes, Level::Info, "Note"),
                    (&report.not_imported, Level::Warning, "Not imported"),
                ] {
                    for line in lines {
                        eprintln!("marginalia: {}: {line}", what.to_lowercase());
                    }
                    for line in lines.iter().take(SHOWN) {
                        self.notify(level, format!("{what}: {line}"));
                    }
                    if lines.len() > SHOWN {
                        self.notify(
                            level,
                            format!(
                                "… and {} more line(s) of this kind (listed on the terminal)",
                                lines.len() - SHOWN
                            ),
                        );
                    }
                }
                actions.push(Action::OpenProject(path));
            }
            TransferEvent::Failed(error) => self.notify(Level::Error, error),
        }
    }

    /// Waits for a running export or import to finish (tests). The export is reported at once;
    /// the import at the next frame, which opens its project.
    pub fn finish_transfers(&mut self) {
        if let Some(event) = self.export.wait() {
            let mut actions = Vec::new();
            self.transfer_event(event, &mut actions);
        }
        self.import.wait();
    }
}
