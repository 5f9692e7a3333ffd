//! What belongs to a whole document rather than a span: the header above the text (the
//! metadata it was imported with, read-only, and its document attributes, set there) and the
//! document attributes' definitions in the Labels window.

use egui::{RichText, Ui};

use super::action::Action;
use super::theme;
use crate::edit::Edit;
use crate::model::{Document, Project};

/// A document's metadata (title, url, date, outlet… kept from the file it was imported from),
/// read-only above its text: one row a key, in key order, each value selectable to copy it.
pub fn metadata_ui(ui: &mut Ui, metadata: &crate::model::Metadata) {
    /// Longer values are cut in the header (the whole value is in the tooltip).
    const SHOWN_CHARS: usize = 160;
    if metadata.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!("Metadata · {} field(s)", metadata.len()))
        .id_salt("document-metadata")
        .default_open(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("document-metadata-scroll")
                .max_height(110.0)
                .show(ui, |ui| {
                    egui::Grid::new("document-metadata-grid")
                        .num_columns(2)
                        .spacing([12.0, 2.0])
                        .show(ui, |ui| {
                            for (key, value) in metadata {
                                let text = match value {
                                    serde_json::Value::String(s) => s.clone(),
                                    other => other.to_string(),
                                };
                                let one_line = text.replace(['\r', '\n'], " ");
                                let shown = if one_line.chars().count() > SHOWN_CHARS {
                                    let cut: String = one_line.chars().take(SHOWN_CHARS).collect();
                                    format!("{cut}…")
                                } else {
                                    one_line
                                };
                                ui.weak(key);
                                let response = ui.add(egui::Label::new(shown).selectable(true));
                                if text.chars().count() > SHOWN_CHARS {
                                    response.on_hover_text(text);
                                }
                                ui.end_row();
                            }
                        });
                });
        });
}

/// The header of the document attributes above the text: one chooser a schema attribute (a list
/// of its values, or a field for free text), its guideline and key in the tooltip. Returns the
/// edit a change asks for.
pub fn document_attributes_ui(
    ui: &mut Ui,
    schema: &crate::schema::Schema,
    document: &Document,
    doc: usize,
) -> Option<Action> {
    let mut action = None;
    if schema.document_attributes.is_empty() {
        return None;
    }
    ui.horizontal_wrapped(|ui| {
        for def in &schema.document_attributes {
            let current = document.attributes.get(&def.name);
            let mut hover = def.description.clone();
            if !def.key.is_empty() {
                if !hover.is_empty() {
                    hover.push('\n');
                }
                hover.push_str("Alt+Shift+");
                hover.push_str(&def.key.to_uppercase());
                hover.push_str(": next value");
            }
            let name = ui.label(RichText::new(format!("{}:", def.name)).strong());
            let name = if hover.is_empty() {
                name
            } else {
                name.on_hover_text(hover)
            };
            if def.is_free_text() {
                let mut text = current.cloned().unwrap_or_default();
                let response = ui
                    .add(egui::TextEdit::singleline(&mut text).desired_width(180.0))
                    .labelled_by(name.id);
                if response.changed() {
                    let value = Some(text).filter(|t| !t.is_empty());
                    action = Some(Action::EditMerging(
                        Edit::SetDocAttribute {
                            doc,
                            name: def.name.clone(),
                            value,
                        },
                        format!("document attribute {} of {doc}", def.name),
                    ));
                }
            } else {
                let mut chosen = current.cloned();
                egui::ComboBox::from_id_salt(("document-attribute", &def.name))
                    .selected_text(chosen.as_deref().unwrap_or("—"))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut chosen, None, "—");
                        for value in &def.values {
                            ui.selectable_value(&mut chosen, Some(value.clone()), value);
                        }
                    })
                    .response
                    .labelled_by(name.id);
                if chosen.as_ref() != current {
                    action = Some(Action::Edit(Edit::SetDocAttribute {
                        doc,
                        name: def.name.clone(),
                        value: chosen,
                    }));
                }
            }
            if let Some(value) = current
                && !def.is_free_text()
                && !def.values.contains(value)
            {
                ui.colored_label(
                    theme::ERROR,
                    format!("{value:?} is not a value of {}", def.name),
                );
            }
            ui.add_space(10.0);
        }
    });
    action
}

/// The document attributes of the schema, in the Labels window: each one's name, its values
/// (comma-separated; none for free text) and its key, committed when a field loses the focus;
/// its guideline; Remove (once no document uses it); and Add. Every change is one
/// [`Edit::SetDocAttributeDefs`].
pub fn document_attribute_defs_ui(ui: &mut Ui, project: &Project) -> Option<Action> {
    use crate::schema::DocAttributeDef;
    let mut action = None;
    let defs = &project.schema.document_attributes;
    let replace = |index: usize, def: Option<DocAttributeDef>| {
        let mut list = defs.clone();
        match def {
            Some(def) => {
                if let Some(slot) = list.get_mut(index) {
                    *slot = def;
                }
            }
            None => {
                if index < list.len() {
                    list.remove(index);
                }
            }
        }
        Edit::SetDocAttributeDefs { defs: list }
    };
    ui.strong("Document attributes")
        .on_hover_text("Labels for the whole document (genre, to check…), set above its text");
    for (index, def) in defs.iter().enumerate() {
        ui.horizontal(|ui| {
            // Each field shows the schema's value, except while the cursor is in it.
            let field = |ui: &mut Ui, what: &str, value: String, width: f32, hint: &str| {
                let id = ui.scope_id().with(("document-attribute", index, what));
                let mut text = ui
                    .data(|d| d.get_temp::<String>(id))
                    .filter(|_| ui.memory(|m| m.has_focus(id)))
                    .unwrap_or(value);
                let response = ui.add(
                    egui::TextEdit::singleline(&mut text)
                        .id(id)
                        .desired_width(width)
                        .hint_text(hint),
                );
                ui.data_mut(|d| d.insert_temp(id, text.clone()));
                (response.lost_focus(), text)
            };
            let (name_done, name) = field(ui, "name", def.name.clone(), 100.0, "name");
            let (values_done, values) = field(
                ui,
                "values",
                def.values.join(", "),
                200.0,
                "values, comma-separated (none: free text)",
            );
            let (key_done, key) = field(ui, "key", def.key.clone(), 24.0, "key");
            let mut changed = def.clone();
            name.trim().clone_into(&mut changed.name);
            changed.values = values
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect();
            key.trim().clone_into(&mut changed.key);
            if (name_done || values_done || key_done) && changed != *def {
                action = Some(Action::Edit(replace(index, Some(changed))));
            }
            let used = project
                .documents
                .iter()
                .filter(|d| d.attributes.contains_key(&def.name))
                .count();
            ui.weak(format!("{used} document(s)"));
            if ui
                .add_enabled(used == 0, egui::Button::new("Remove"))
                .on_disabled_hover_text("Clear it on its documents first")
                .clicked()
            {
                action = Some(Action::Edit(replace(index, None)));
            }
        });
        let mut description = def.description.clone();
        if ui
            .add(
                egui::TextEdit::multiline(&mut description)
                    .id_salt(("document-attribute-guideline", index))
                    .desired_rows(1)
                    .desired_width(f32::INFINITY)
                    .hint_text("Guideline: what each value means"),
            )
            .changed()
        {
            let mut changed = def.clone();
            changed.description = description;
            action = Some(Action::EditMerging(
                replace(index, Some(changed)),
                format!("document-attribute-description-{index}"),
            ));
        }
    }
    if ui.button("Add document attribute").clicked() {
        let taken: std::collections::BTreeSet<&str> =
            defs.iter().map(|d| d.name.as_str()).collect();
        let name = (1..=defs.len() + 1)
            .map(|n| format!("attribute-{n}"))
            .find(|n| !taken.contains(n.as_str()))
            .unwrap_or_default();
        let mut list = defs.clone();
        list.push(DocAttributeDef {
            name,
            values: vec!["yes".to_owned(), "no".to_owned()],
            description: String::new(),
            key: String::new(),
        });
        action = Some(Action::Edit(Edit::SetDocAttributeDefs { defs: list }));
    }
    action
}
