//! The command palette (Ctrl+K or Ctrl+Shift+P): every [`Command`] by its name, filtered as the
//! user types, run with Enter or a click. The list is [`Command::ALL`]: a new command shows up in
//! it without a list to keep by hand.
//!
//! What is typed is matched, accents and case ignored, against the command's text and its menu
//! name ("sug next" finds Suggestions → Next suggestion). Commands that make no sense now (Undo
//! with nothing to undo, Agreement before a comparison) are listed greyed after the others, with
//! their tooltip: they show that the command exists, but cannot be highlighted or run.

use egui::{Key, Modifiers, RichText};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use super::action::Action;
use super::command::Command;

/// The palette's state: open or not, what is typed, the highlighted row.
#[derive(Debug, Default)]
pub struct CommandPalette {
    open: bool,
    query: String,
    /// The highlighted row: an index in the commands that match and can run now.
    highlight: usize,
}

impl CommandPalette {
    /// True while the palette is shown.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Shows the palette, with an empty field and the first command highlighted.
    pub fn open(&mut self) {
        self.open = true;
        self.query.clear();
        self.highlight = 0;
    }

    /// Hides the palette.
    pub fn close(&mut self) {
        self.open = false;
    }

    /// Shows the palette when hidden, hides it when shown (its shortcut does both).
    pub fn toggle(&mut self) {
        if self.open {
            self.close();
        } else {
            self.open();
        }
    }

    /// What is typed in the palette's field.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// Draws the palette when it is open; returns the command chosen, which closes it. `enabled`
    /// says which commands make sense now. ↑ and ↓ move the highlight (round the list), Enter
    /// runs the highlighted command, Escape or a click beside the palette closes it. The keys
    /// are taken before the field sees them: draw the palette before any view that reads them.
    pub fn ui(&mut self, ctx: &egui::Context, enabled: impl Fn(Command) -> bool) -> Option<Action> {
        if !self.open {
            return None;
        }
        let (down, up, enter, escape) = ctx.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::ArrowDown),
                i.consume_key(Modifiers::NONE, Key::ArrowUp),
                i.consume_key(Modifiers::NONE, Key::Enter),
                i.consume_key(Modifiers::NONE, Key::Escape),
            )
        });
        let mut chosen = None;
        let id = egui::Id::unique("command-palette");
        let area =
            egui::Modal::default_area(id).anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 60.0));
        let modal = egui::Modal::new(id).area(area).show(ctx, |ui| {
            ui.set_width(520.0);
            let field = ui.add(
                egui::TextEdit::singleline(&mut self.query)
                    .id_salt("palette-field")
                    .hint_text("Type a command: Up and Down choose, Enter runs it")
                    .desired_width(f32::INFINITY),
            );
            // The cursor stays in the field: typing always filters.
            if !field.has_focus() {
                field.request_focus();
            }
            if field.changed() {
                self.highlight = 0;
            }
            let (runnable, greyed): (Vec<Command>, Vec<Command>) =
                matching(&self.query).into_iter().partition(|c| enabled(*c));
            let count = runnable.len();
            if count > 0 {
                if down {
                    self.highlight = (self.highlight + 1) % count;
                }
                if up {
                    self.highlight = (self.highlight + count - 1) % count;
                }
            }
            self.highlight = self.highlight.min(count.saturating_sub(1));
            if enter {
                chosen = runnable.get(self.highlight).copied();
            }
            ui.separator();
            egui::ScrollArea::vertical()
                .id_salt("palette-list")
                .max_height(380.0)
                .auto_shrink([false, true])
                .show(ui, |ui| {
                    for (index, command) in runnable.iter().enumerate() {
                        let highlighted = index == self.highlight;
                        let response = row(ui, *command, true, highlighted);
                        if highlighted && (down || up) {
                            response.scroll_to_me(None);
                        }
                        if response.clicked() {
                            chosen = Some(*command);
                        }
                    }
                    for command in &greyed {
                        row(ui, *command, false, false);
                    }
                    if runnable.is_empty() && greyed.is_empty() {
                        ui.weak("No command matches");
                    }
                });
        });
        if chosen.is_some() || escape || modal.backdrop_response.clicked() {
            self.close();
        }
        chosen.map(Action::Command)
    }
}

/// One command of the list: its text, its menu, its shortcut at the right.
fn row(ui: &mut egui::Ui, command: Command, enabled: bool, highlighted: bool) -> egui::Response {
    let text = RichText::new(format!("{} ({})", command.text(), command.menu()));
    let mut button =
        egui::Button::selectable(highlighted, text).min_size(egui::vec2(ui.available_width(), 0.0));
    if let Some(shortcut) = command.shortcut_text(ui.ctx()) {
        button = button.shortcut_text(shortcut);
    }
    let response = ui.add_enabled(enabled, button);
    if enabled {
        response.on_hover_text(command.tooltip())
    } else {
        response.on_disabled_hover_text(format!("Not now. {}", command.tooltip()))
    }
}

/// The commands the palette lists for `query`, best first: those whose text contains every word
/// of the query or whose menu name does (accents and case ignored; an empty query lists them
/// all), the commands whose text starts with the query first, then in menu order. The palette's
/// own command is not listed: the palette is open.
pub fn matching(query: &str) -> Vec<Command> {
    let query = fold(query);
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut found: Vec<(bool, Command)> = Command::ALL
        .into_iter()
        .filter(|c| *c != Command::Palette)
        .filter_map(|command| {
            let text = fold(command.text());
            let haystack = format!("{} {text}", fold(command.menu()));
            words
                .iter()
                .all(|w| haystack.contains(w))
                .then(|| (!text.starts_with(query.trim()), command))
        })
        .collect();
    // Stable: menu order among equals.
    found.sort_by_key(|(later, _)| *later);
    found.into_iter().map(|(_, command)| command).collect()
}

/// `text` lowercased, without its accents and other combining marks ("Élément" → "element").
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        decompose_canonical(c, |d| {
            if !is_combining_mark(d) {
                out.extend(d.to_lowercase());
            }
        });
    }
    out
}
