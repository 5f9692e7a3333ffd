//! The panel on the right: adjudication, review, comments, suggestions, spans to place again,
//! the selected span and the list of spans.

use egui::Ui;

use super::MarginaliaApp;
use crate::ui::action::Action;
use crate::ui::panels;

impl MarginaliaApp {
    pub(super) fn right_panel_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let Some(ws) = &self.workspace else { return };
        let project = ws.project();
        egui::Panel::right("spans")
            .resizable(true)
            .default_size(330.0)
            .show(ui, |ui| {
                if let Some(document) = project.document(self.doc) {
                    if let Some(gold) = &self.gold {
                        actions.extend(crate::ui::adjudication::gold_ui(
                            ui,
                            gold,
                            project,
                            self.doc,
                            self.place.as_ref(),
                        ));
                    }
                    if let Some(comparison) = &self.comparison {
                        actions.extend(crate::ui::review::review_ui(
                            ui,
                            comparison,
                            document,
                            &mut self.comment_draft,
                        ));
                        ui.separator();
                    }
                    actions.extend(crate::ui::review::comments_ui(
                        ui,
                        &self.reviews,
                        project,
                        self.doc,
                    ));
                    let key = (self.stats_generation, ws.history().revision(), self.doc);
                    if !self.rule_counts.is_for(&key) {
                        self.rule_counts
                            .set(key, crate::ui::suggestions::rule_counts(project, self.doc));
                    }
                    actions.extend(
                        crate::ui::suggestions::suggestions_ui(
                            ui,
                            &mut self.suggest_panel,
                            project,
                            document,
                            self.suggestion,
                            self.suggesting.is_some(),
                            &self.rule_counts.value,
                        )
                        .into_iter()
                        .map(Action::Suggest),
                    );
                    ui.separator();
                    actions.extend(crate::ui::detached::detached_ui(
                        ui,
                        document,
                        self.selection.is_some(),
                    ));
                    if let Some(annotation) =
                        self.selected_span.and_then(|id| document.annotation(id))
                    {
                        if let Some((text, color)) =
                            crate::ui::adjudication::provenance_text(annotation)
                        {
                            ui.colored_label(color, text);
                        }
                        let focus = std::mem::take(&mut self.focus_note);
                        actions.extend(panels::selected_span_ui(
                            ui,
                            project,
                            self.doc,
                            annotation,
                            &mut self.note_draft,
                            focus,
                        ));
                        ui.separator();
                    }
                    let key = (self.stats_generation, ws.history().revision(), self.doc);
                    if !self.span_links.is_for(&key) {
                        self.span_links.set(key, panels::link_counts(document));
                    }
                    actions.extend(panels::span_list_ui(
                        ui,
                        project,
                        document,
                        self.selected_span,
                        std::mem::take(&mut self.reveal_span),
                        &self.span_links.value,
                    ));
                }
            });
    }
}
