//! The panels around the text: documents, label palette, spans, the selected span, labels.
//!
//! Panels read the project and return an [`Action`]; they never change anything themselves.

use egui::{Color32, RichText, Ui};

use super::action::Action;
use super::command::Command;
use super::text_view::visual;
use super::theme;
use crate::edit::Edit;
use crate::model::{Annotation, Document, Id, Project, Status};
use crate::schema::Rgb;
use crate::text::excerpt;

/// What the document list shows of a document, computed once per change of the project (see
/// [`doc_stats`]) rather than every frame.
#[derive(Clone, Debug, Default)]
pub struct DocStats {
    /// Spans per label, in the schema's order.
    pub counts: Vec<usize>,
    /// Claims with neither a source linked nor the "own" attribute.
    pub unsourced: usize,
}

/// The statistics of every document.
pub fn doc_stats(project: &Project) -> Vec<DocStats> {
    project
        .documents
        .iter()
        .map(|document| {
            let counts = document.counts_by_label();
            DocStats {
                counts: project
                    .schema
                    .labels
                    .iter()
                    .map(|l| counts.get(l.name.as_str()).copied().unwrap_or(0))
                    .collect(),
                unsourced: crate::review::statistics::unsourced_claims(document),
            }
        })
        .collect()
}

/// The list of documents with their status and span counts. Only the rows in view are laid out,
/// so a corpus of ten thousand documents costs what a few dozen do.
pub fn doc_list_ui(
    ui: &mut Ui,
    project: &Project,
    statistics: &[DocStats],
    current: usize,
    assignment: Option<&super::team::Assignment>,
) -> Option<Action> {
    let mut action = None;
    let done = project
        .documents
        .iter()
        .filter(|d| d.status == Status::Done)
        .count();
    ui.horizontal(|ui| {
        ui.heading("Documents");
        ui.weak(format!("{done}/{} done", project.documents.len()));
    });
    if let Some(assignment) = assignment {
        let mine_done = project
            .documents
            .iter()
            .filter(|d| d.status == Status::Done && assignment.assigned.contains(&d.path))
            .count();
        ui.weak(format!(
            "{mine_done}/{} assigned to you done (team.ron): yours first",
            assignment.assigned.len()
        ));
    }
    // What the numbers of each row count: spans of each label, in the label's colour.
    ui.horizontal_wrapped(|ui| {
        ui.weak("spans:");
        for label in &project.schema.labels {
            ui.label(
                RichText::new(&label.name)
                    .color(theme::label_text(label.color, ui.visuals().dark_mode))
                    .small(),
            );
        }
        ui.label(RichText::new("?").color(theme::WARNING).small())
            .on_hover_text("claims with no source linked and not marked as the journalist's own");
    });
    ui.separator();
    let line = ui.text_style_height(&egui::TextStyle::Body);
    let row_height = 2.0 * line.max(ui.spacing().interact_size.y) + 10.0;
    egui::ScrollArea::vertical()
        .id_salt("documents")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, project.documents.len(), |ui, rows| {
            for position in rows {
                let index = assignment
                    .and_then(|a| a.order.get(position).copied())
                    .unwrap_or(position);
                let Some(document) = project.documents.get(index) else {
                    continue;
                };
                let not_mine = assignment.is_some_and(|a| !a.assigned.contains(&document.path));
                // The row is clipped to the list's width: a count that grows by a digit must not
                // widen the panel, or the text view beside it moves (issue J 4).
                let (rect, _) = ui.allocate_exact_size(
                    egui::vec2(ui.available_width(), row_height),
                    egui::Sense::hover(),
                );
                let mut row = ui.new_child(
                    egui::UiBuilder::new()
                        .max_rect(rect)
                        .layout(egui::Layout::top_down(egui::Align::Min)),
                );
                row.shrink_clip_rect(rect);
                {
                    let ui = &mut row;
                    let mut hover = format!("{}\nsha256 {}", document.path, document.hash);
                    if let Some(encoding) = document.decoded_from {
                        hover.push_str("\nWarning: not UTF-8: decoded as ");
                        hover.push_str(encoding);
                    }
                    if !document.is_editable() {
                        hover.push_str("\nWarning: changed or missing: read-only");
                    }
                    if not_mine {
                        hover.push_str("\nNot assigned to you (team.ron)");
                    }
                    let mut name = RichText::new(visual(&document.path)).monospace();
                    if not_mine {
                        name = name.weak();
                    }
                    let response = ui
                        .selectable_label(index == current, name)
                        .on_hover_text(hover);
                    if response.clicked() {
                        action = Some(Action::OpenDocument(index));
                    }
                    ui.horizontal(|ui| {
                        let name = ui.weak("status");
                        let mut status = document.status;
                        egui::ComboBox::from_id_salt(("status", index))
                            .selected_text(status.label())
                            .width(90.0)
                            .show_ui(ui, |ui| {
                                for option in Status::ALL {
                                    ui.selectable_value(&mut status, option, option.label());
                                }
                            })
                            .response
                            .labelled_by(name.id);
                        if status != document.status {
                            action = Some(Action::Edit(Edit::SetStatus { doc: index, status }));
                        }
                        if let Some(stats) = statistics.get(index) {
                            counts_ui(ui, project, stats);
                        }
                        if document.decoded_from.is_some() {
                            ui.colored_label(theme::WARNING, "not UTF-8")
                                .on_hover_text("Decoded from another encoding: check its accents");
                        }
                        if !document.is_editable() {
                            ui.colored_label(theme::ERROR, "read-only")
                                .on_hover_text("The file changed or is missing");
                        }
                        if not_mine {
                            ui.weak("not assigned to you");
                        }
                    });
                }
            }
        });
    action
}

/// How many links each span of `document` has (for [`span_list_ui`]).
pub fn link_counts(document: &Document) -> std::collections::HashMap<Id, usize> {
    let mut links = std::collections::HashMap::new();
    for relation in &document.relations {
        *links.entry(relation.from).or_default() += 1;
        *links.entry(relation.to).or_default() += 1;
    }
    links
}

fn counts_ui(ui: &mut Ui, project: &Project, stats: &DocStats) {
    let unsourced = stats.unsourced;
    if unsourced > 0 {
        ui.colored_label(theme::WARNING, format!("{unsourced}?"))
            .on_hover_text(format!(
                "{unsourced} claim(s) with no source linked and not marked as the journalist's own"
            ));
    }
    for (label, n) in project.schema.labels.iter().zip(&stats.counts) {
        ui.label(
            RichText::new(n.to_string())
                .color(theme::label_text(label.color, ui.visuals().dark_mode))
                .strong(),
        )
        .on_hover_text(format!("{n} {}", label.name));
    }
}

/// The label palette: a button a label, with its key and its guideline as tooltip.
pub fn palette_ui(ui: &mut Ui, project: &Project, can_apply: bool) -> Option<Action> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        for label in &project.schema.labels {
            let color = theme::label_color(label.color);
            let text = if label.key.is_empty() { label.name.clone() } else { format!("{} {}", label.key, label.name) };
            let button = egui::Button::new(RichText::new(text).color(Color32::BLACK)).fill(color);
            let mut response = ui.add_enabled(can_apply, button);
            let tooltip = if label.description.is_empty() { label.name.clone() } else { label.description.clone() };
            response = response.on_hover_text(&tooltip).on_disabled_hover_text(format!(
                "{tooltip}\n\nSelect some text (drag, or double-click a word) or click a span first."
            ));
            if response.clicked() {
                action = Some(Action::ApplyLabel(label.name.clone()));
            }
        }
        if Command::EditLabels.button(ui, true) {
            action = Some(Action::Command(Command::EditLabels));
        }
    });
    action
}

/// The spans of the current document, in text order. `reveal` scrolls the list to the selected
/// Every span of the document in text order; clicking one selects it and scrolls the text to it.
/// Rows have one height and only those in view are laid out: 20,000 spans cost what 20 do.
pub fn span_list_ui<S: std::hash::BuildHasher>(
    ui: &mut Ui,
    project: &Project,
    document: &Document,
    selected: Option<Id>,
    reveal: bool,
    links: &std::collections::HashMap<Id, usize, S>,
) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        ui.heading("Spans");
        ui.weak(document.annotations.len().to_string());
    });
    if document.annotations.is_empty() {
        ui.weak("No span yet. Drag across text, then press a label's key.");
        return None;
    }
    let line = ui.text_style_height(&egui::TextStyle::Body);
    let row_height = 2.0 * line + ui.spacing().item_spacing.y + 10.0;
    let mut area = egui::ScrollArea::vertical()
        .id_salt("spans")
        .auto_shrink([false, false]);
    if reveal
        && let Some(index) =
            selected.and_then(|id| document.annotations.iter().position(|a| a.id == id))
    {
        // Selected from the text: bring it into view in the list too.
        let step = row_height + ui.spacing().item_spacing.y;
        area = area.vertical_scroll_offset((index as f32 * step - 3.0 * step).max(0.0));
    }
    area.show_rows(ui, row_height, document.annotations.len(), |ui, rows| {
        for index in rows {
            let Some(annotation) = document.annotations.get(index) else {
                continue;
            };
            let color = theme::text_of(&project.schema, &annotation.label, ui.visuals().dark_mode);
            let is_selected = selected == Some(annotation.id);
            let frame = egui::Frame::new()
                .inner_margin(4.0)
                .corner_radius(3.0)
                .fill(if is_selected {
                    ui.visuals().selection.bg_fill.gamma_multiply(0.5)
                } else {
                    Color32::TRANSPARENT
                });
            let response = ui
                .allocate_ui(egui::vec2(ui.available_width(), row_height), |ui| {
                    ui.set_height(row_height);
                    frame
                        .show(ui, |ui| {
                            ui.set_width(ui.available_width());
                            ui.horizontal(|ui| {
                                ui.label(RichText::new(&annotation.label).color(color).strong());
                                match links.get(&annotation.id) {
                                    Some(1) => {
                                        ui.weak("1 link");
                                    }
                                    Some(n) => {
                                        ui.weak(format!("{n} links"));
                                    }
                                    None => {}
                                }
                                if crate::review::adjudicate::is_unresolved(annotation) {
                                    ui.colored_label(theme::WARNING, "to rule on");
                                }
                                if !annotation.note.is_empty() {
                                    ui.add(
                                        egui::Label::new(
                                            RichText::new(visual(&excerpt(&annotation.note, 90)))
                                                .italics()
                                                .weak(),
                                        )
                                        .truncate(),
                                    );
                                }
                            });
                            ui.add(
                                egui::Label::new(visual(&excerpt(
                                    &annotation.text(&document.text),
                                    120,
                                )))
                                .truncate(),
                            );
                        })
                        .response
                })
                .inner
                .interact(egui::Sense::click());
            if response.clicked() {
                action = Some(Action::SelectSpan {
                    id: annotation.id,
                    scroll: true,
                });
            }
        }
    });
    action
}

/// The editor of the selected span: label, note, attributes, links, delete.
pub fn selected_span_ui(
    ui: &mut Ui,
    project: &Project,
    doc: usize,
    annotation: &Annotation,
    note: &mut String,
    focus_note: bool,
) -> Option<Action> {
    let mut action = None;
    let document = project.document(doc)?;
    // Every row wraps: a row wider than the panel would widen it, and the text view beside it
    // would wrap again and move (issue J 4).
    ui.horizontal_wrapped(|ui| {
        ui.heading("Selected span");
        ui.weak(annotation.id.to_string());
    });
    ui.label(RichText::new(visual(&excerpt(&annotation.text(&document.text), 200))).italics());
    ui.horizontal_wrapped(|ui| {
        ui.label("Label:");
        for label in &project.schema.labels {
            let selected = label.name == annotation.label;
            let text = RichText::new(&label.name)
                .color(theme::label_text(label.color, ui.visuals().dark_mode));
            if ui
                .selectable_label(selected, if selected { text.strong() } else { text })
                .on_hover_text(&label.description)
                .clicked()
                && !selected
            {
                action = Some(Action::ApplyLabel(label.name.clone()));
            }
        }
    });
    ui.weak(format!(
        "by {} · {}",
        annotation.annotator, annotation.created
    ));
    ui.label("Note:");
    // Enter finishes the note (Shift+Enter starts a new line): taken before the field sees it.
    let id = ui.make_persistent_id("note-editor");
    let finished = ui.memory(|m| m.has_focus(id))
        && ui.input_mut(|i| {
            // Only a plain Enter: egui's own key matching would take Shift+Enter too.
            let before = i.events.len();
            i.events.retain(|e| {
            !matches!(e, egui::Event::Key { key: egui::Key::Enter, pressed: true, modifiers, .. }
                    if modifiers.is_none())
        });
            i.events.len() != before
        });
    let response = ui.add(
        egui::TextEdit::multiline(note)
            .id(id)
            .return_key(egui::KeyboardShortcut::new(
                egui::Modifiers::SHIFT,
                egui::Key::Enter,
            ))
            .desired_rows(2)
            .desired_width(f32::INFINITY)
            .hint_text("Why, or what is doubtful (Enter to edit, Enter again to finish)"),
    );
    if focus_note {
        response.request_focus();
    }
    if finished {
        response.surrender_focus();
    }
    if response.changed() {
        action = Some(Action::SetNote {
            id: annotation.id,
            note: note.clone(),
        });
    }
    // A finished note keeps no white space at its end.
    if (finished || response.lost_focus()) && note.trim_end().len() != note.len() {
        note.truncate(note.trim_end().len());
        action = Some(Action::SetNote {
            id: annotation.id,
            note: note.clone(),
        });
    }
    for attribute in project.schema.attributes_of(&annotation.label) {
        let current = annotation.attributes.get(&attribute.name).cloned();
        let mut value = current.clone();
        ui.horizontal_wrapped(|ui| {
            let text = if attribute.key.is_empty() {
                format!("{}:", attribute.name)
            } else {
                format!("{} ({}):", attribute.name, attribute.key.to_uppercase())
            };
            let name = ui.label(text).on_hover_text(&attribute.description);
            egui::ComboBox::from_id_salt(("attribute", &attribute.name))
                .selected_text(value.clone().unwrap_or_else(|| "—".to_owned()))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut value, None, "—");
                    for option in &attribute.values {
                        ui.selectable_value(&mut value, Some(option.clone()), option);
                    }
                })
                .response
                .labelled_by(name.id);
        });
        if value != current {
            action = Some(Action::Edit(Edit::SetAttribute {
                doc,
                id: annotation.id,
                name: attribute.name.clone(),
                value,
            }));
        }
    }
    for relation in document
        .relations
        .iter()
        .filter(|r| r.from == annotation.id || r.to == annotation.id)
    {
        let (arrow, other) = if relation.from == annotation.id {
            ("to", relation.to)
        } else {
            ("from", relation.from)
        };
        if let Some(other) = document.annotation(other) {
            ui.horizontal_wrapped(|ui| {
                ui.weak(format!("{} {arrow}", relation.kind));
                if ui
                    .link(visual(&excerpt(&other.text(&document.text), 40)))
                    .clicked()
                {
                    action = Some(Action::SelectSpan {
                        id: other.id,
                        scroll: true,
                    });
                }
                if ui
                    .small_button("Unlink")
                    .on_hover_text("Delete this link")
                    .clicked()
                {
                    action = Some(Action::Edit(Edit::RemoveRelation {
                        doc,
                        id: relation.id,
                    }));
                }
            });
        }
    }
    if annotation.fragments.len() > 1 {
        ui.label("Fragments (Ctrl+drag adds one):");
        for (index, fragment) in annotation.fragments.iter().enumerate() {
            ui.horizontal_wrapped(|ui| {
                ui.label(visual(&excerpt(fragment.slice(&document.text), 40)));
                if ui
                    .small_button("Remove")
                    .on_hover_text("Remove this fragment from the span")
                    .clicked()
                {
                    action = Some(Action::RemoveFragment {
                        id: annotation.id,
                        index,
                    });
                }
            });
        }
    }
    // A link is offered only for spans the schema lets link (not boilerplate, say).
    let linkable = project
        .schema
        .relations
        .iter()
        .any(|r| r.touches(&annotation.label));
    ui.horizontal_wrapped(|ui| {
        for command in [Command::Link, Command::DeleteSpan] {
            if (command != Command::Link || linkable) && command.button(ui, true) {
                action = Some(Action::Command(command));
            }
        }
    });
    ui.weak("Ctrl+drag over more text adds it to this span (a discontinuous span).");
    action
}

/// The label editor: add, rename, recolour, change keys and guidelines.
pub fn labels_ui(
    ui: &mut Ui,
    project: &Project,
    drafts: &mut Vec<(String, String)>,
) -> Option<Action> {
    let mut action = None;
    drafts.resize_with(project.schema.labels.len(), Default::default);
    for (index, label) in project.schema.labels.iter().enumerate() {
        let Some((name, key)) = drafts.get_mut(index) else {
            continue;
        };
        ui.horizontal(|ui| {
            let mut color = theme::label_color(label.color);
            if ui.color_edit_button_srgba(&mut color).changed() {
                let mut def = label.clone();
                def.color = Rgb([color.r(), color.g(), color.b()]);
                action = Some(Action::EditMerging(
                    Edit::SetLabelDef { index, def },
                    format!("label-color-{index}"),
                ));
            }
            let name_edit = ui.add(
                egui::TextEdit::singleline(name)
                    .desired_width(120.0)
                    .hint_text("name"),
            );
            let key_edit = ui.add(
                egui::TextEdit::singleline(key)
                    .desired_width(24.0)
                    .hint_text("key"),
            );
            let commit = (name_edit.lost_focus() || key_edit.lost_focus())
                && (name.as_str() != label.name || key.as_str() != label.key);
            if commit {
                let mut def = label.clone();
                name.trim().clone_into(&mut def.name);
                key.trim().clone_into(&mut def.key);
                action = Some(Action::Edit(Edit::SetLabelDef { index, def }));
            }
            let used = project
                .counts_by_label()
                .get(label.name.as_str())
                .copied()
                .unwrap_or(0);
            ui.weak(format!("{used} span(s)"));
            if ui
                .add_enabled(used == 0, egui::Button::new("Remove"))
                .on_disabled_hover_text("Relabel or delete its spans first")
                .clicked()
            {
                action = Some(Action::Edit(Edit::RemoveLabel { index }));
            }
        });
        let mut description = label.description.clone();
        if ui
            .add(
                egui::TextEdit::multiline(&mut description)
                    .id_salt(("guideline", index))
                    .desired_rows(2)
                    .desired_width(f32::INFINITY)
                    .hint_text("Guideline: when to use this label"),
            )
            .changed()
        {
            let mut def = label.clone();
            def.description = description;
            action = Some(Action::EditMerging(
                Edit::SetLabelDef { index, def },
                format!("label-description-{index}"),
            ));
        }
        ui.separator();
    }
    if ui.button("Add label").clicked() {
        action = Some(Action::Edit(Edit::InsertLabel {
            index: project.schema.labels.len(),
            def: project.schema.new_label(),
        }));
    }
    action
}
