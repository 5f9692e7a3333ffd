//! "Spans to place again": the spans a changed text lost, each placed back on the selection.

use egui::Ui;

use super::action::Action;
use crate::model::Document;
use crate::text::excerpt;

/// The spans of this document that could not be found again after its text changed: kept in
/// the project, never shifted silently, listed here for the user to redo.
pub fn detached_ui(ui: &mut Ui, document: &Document, has_selection: bool) -> Option<Action> {
    if document.detached.is_empty() {
        return None;
    }
    let mut action = None;
    ui.horizontal(|ui| {
        ui.heading("Spans to place again");
        ui.weak(document.detached.len().to_string());
    });
    ui.colored_label(
        super::theme::WARNING,
        "The text changed and these spans could not be found unambiguously. They are kept in the \
         project file. Select where one belongs in the text, then \"Place here\": its label, \
         note, attributes and links come back.",
    );
    for (index, span) in document.detached.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            let place = ui
                .add_enabled(has_selection, egui::Button::new("Place here"))
                .on_hover_text("Put this span on the text selected now (undoable)")
                .on_disabled_hover_text("Select where this span belongs in the text first");
            if place.clicked() {
                action = Some(Action::PlaceDetached(index));
            }
            ui.label(format!(
                "{} at byte {}: “{}” ({})",
                span.annotation.label,
                span.old_start(),
                excerpt(&span.text(), 80),
                span.reason
            ));
        });
        if !span.annotation.note.is_empty() {
            ui.weak(format!("Note: {}", excerpt(&span.annotation.note, 120)));
        }
    }
    ui.separator();
    action
}
