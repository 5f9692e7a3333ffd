//! The commands of the app: one enum for the menus, the keyboard shortcuts and the buttons, so
//! they never disagree. A command draws its own menu item and button, with its text, shortcut
//! and tooltip.

use egui::{Key, KeyboardShortcut, Modifiers, Ui};

/// A command the user can give.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// File → New project from folder…
    NewFromFolder,
    /// File → New project from file… (a CSV or JSONL corpus, one document a row)
    NewFromFile,
    /// File → Open…
    Open,
    /// File → Save
    Save,
    /// File → Export…
    Export,
    /// File → Import…
    Import,
    /// File → Save As…
    SaveAs,
    /// File → Quit
    Quit,
    /// Edit → Undo
    Undo,
    /// Edit → Redo
    Redo,
    /// Delete the selected span.
    DeleteSpan,
    /// Drop the selection and the selected span.
    ClearSelection,
    /// Put the cursor in the selected span's note.
    EditNote,
    /// Link the selected span to the next span clicked.
    Link,
    /// Edit → Labels…
    EditLabels,
    /// Edit → Select sentence: the sentence at the caret.
    SelectSentence,
    /// Edit → Grow selection: to the clause, the quote, the sentence, the line around it.
    GrowSelection,
    /// Edit → Find… (in the document shown)
    Find,
    /// Edit → Find in corpus…
    FindInCorpus,
    /// Edit → Next hit
    NextHit,
    /// Edit → Previous hit
    PreviousHit,
    /// Edit → Label every other occurrence… (of the selected span's text)
    LabelOccurrences,
    /// Suggestions → Suggest spans: run the suggesters.
    Suggest,
    /// Edit → Next span: select the span after the selected one (Tab when the document has no
    /// pending suggestion).
    NextSpan,
    /// Edit → Previous span
    PreviousSpan,
    /// Suggestions → Next suggestion
    NextSuggestion,
    /// Suggestions → Previous suggestion
    PreviousSuggestion,
    /// Suggestions → Accept (the suggestion shown)
    AcceptSuggestion,
    /// Suggestions → Reject (the suggestion shown)
    RejectSuggestion,
    /// Go to the next document.
    NextDocument,
    /// Go to the previous document.
    PreviousDocument,
    /// Mark the document done and go to the next one.
    DoneAndNext,
    /// View → dark or light theme.
    ToggleTheme,
    /// Review → Compare with…
    Compare,
    /// Review → Next difference
    NextDifference,
    /// Review → Previous difference
    PreviousDifference,
    /// Review → Agreement…
    Agreement,
    /// Review → Team…: every annotator's project of the team folder.
    Team,
    /// Review → Statistics…: the open project's counts, values and progress.
    Statistics,
    /// Adjudication: keep the first annotator's version of the current place.
    KeepA,
    /// Adjudication: keep the second annotator's version.
    KeepB,
    /// Adjudication: keep every candidate.
    KeepBoth,
    /// Adjudication: keep no candidate.
    KeepNeither,
    /// View → Command palette…: find any command by typing part of its name.
    Palette,
}

impl Command {
    /// Every command, in menu order.
    pub const ALL: [Self; 44] = [
        Self::NewFromFolder,
        Self::NewFromFile,
        Self::Open,
        Self::Save,
        Self::SaveAs,
        Self::Export,
        Self::Import,
        Self::Quit,
        Self::Undo,
        Self::Redo,
        Self::DeleteSpan,
        Self::ClearSelection,
        Self::EditNote,
        Self::Link,
        Self::EditLabels,
        Self::SelectSentence,
        Self::GrowSelection,
        Self::Find,
        Self::FindInCorpus,
        Self::NextHit,
        Self::PreviousHit,
        Self::LabelOccurrences,
        Self::Suggest,
        Self::NextSpan,
        Self::PreviousSpan,
        Self::NextSuggestion,
        Self::PreviousSuggestion,
        Self::AcceptSuggestion,
        Self::RejectSuggestion,
        Self::NextDocument,
        Self::PreviousDocument,
        Self::DoneAndNext,
        Self::ToggleTheme,
        Self::Palette,
        Self::Compare,
        Self::NextDifference,
        Self::PreviousDifference,
        Self::Agreement,
        Self::Team,
        Self::Statistics,
        Self::KeepA,
        Self::KeepB,
        Self::KeepBoth,
        Self::KeepNeither,
    ];

    /// The menu text.
    pub const fn text(self) -> &'static str {
        match self {
            Self::NewFromFolder => "New project from folder…",
            Self::NewFromFile => "New project from file…",
            Self::Open => "Open…",
            Self::Save => "Save",
            Self::SaveAs => "Save As…",
            Self::Export => "Export…",
            Self::Import => "Import…",
            Self::Quit => "Quit",
            Self::Undo => "Undo",
            Self::Redo => "Redo",
            Self::DeleteSpan => "Delete span",
            Self::ClearSelection => "Clear selection",
            Self::EditNote => "Edit note",
            Self::Link => "Link to source…",
            Self::EditLabels => "Labels…",
            Self::SelectSentence => "Select sentence",
            Self::GrowSelection => "Grow selection",
            Self::Find => "Find…",
            Self::FindInCorpus => "Find in corpus…",
            Self::NextHit => "Next hit",
            Self::PreviousHit => "Previous hit",
            Self::LabelOccurrences => "Label every other occurrence…",
            Self::Suggest => "Suggest spans",
            Self::NextSpan => "Next span",
            Self::PreviousSpan => "Previous span",
            Self::NextSuggestion => "Next suggestion",
            Self::PreviousSuggestion => "Previous suggestion",
            Self::AcceptSuggestion => "Accept suggestion",
            Self::RejectSuggestion => "Reject suggestion",
            Self::NextDocument => "Next document",
            Self::PreviousDocument => "Previous document",
            Self::DoneAndNext => "Mark done and go to next",
            Self::ToggleTheme => "Toggle dark/light theme",
            Self::Compare => "Compare with…",
            Self::NextDifference => "Next difference",
            Self::PreviousDifference => "Previous difference",
            Self::Agreement => "Agreement…",
            Self::Team => "Team…",
            Self::Statistics => "Statistics…",
            Self::KeepA => "Keep the first annotator's",
            Self::KeepB => "Keep the second annotator's",
            Self::KeepBoth => "Keep both",
            Self::KeepNeither => "Keep neither",
            Self::Palette => "Command palette…",
        }
    }

    /// The keyboard shortcuts, the first one shown in menus.
    pub fn shortcuts(self) -> Vec<KeyboardShortcut> {
        const fn cmd(key: Key) -> KeyboardShortcut {
            KeyboardShortcut::new(Modifiers::COMMAND, key)
        }
        const fn cmd_shift(key: Key) -> KeyboardShortcut {
            KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), key)
        }
        const fn alt(key: Key) -> KeyboardShortcut {
            KeyboardShortcut::new(Modifiers::ALT, key)
        }
        const fn plain(key: Key) -> KeyboardShortcut {
            KeyboardShortcut::new(Modifiers::NONE, key)
        }
        match self {
            Self::NewFromFolder => vec![cmd(Key::N)],
            Self::NewFromFile => vec![cmd_shift(Key::N)],
            Self::Open => vec![cmd(Key::O)],
            Self::Save => vec![cmd(Key::S)],
            Self::SaveAs => vec![cmd_shift(Key::S)],
            Self::Export => vec![cmd(Key::E)],
            Self::Import => vec![cmd(Key::I)],
            Self::Quit => vec![cmd(Key::Q)],
            Self::Undo => vec![cmd(Key::Z)],
            Self::Redo => vec![cmd_shift(Key::Z), cmd(Key::Y)],
            Self::DeleteSpan => vec![plain(Key::Delete), plain(Key::Backspace)],
            Self::ClearSelection => vec![plain(Key::Escape)],
            // Enter edits the selected span's note, or accepts the suggestion shown (see the
            // app's shortcuts: never both at once).
            Self::EditNote | Self::AcceptSuggestion => vec![plain(Key::Enter)],
            Self::Link => vec![plain(Key::L)],
            Self::EditLabels => vec![cmd(Key::L)],
            Self::SelectSentence => vec![alt(Key::S)],
            Self::GrowSelection => vec![
                KeyboardShortcut::new(Modifiers::ALT.plus(Modifiers::SHIFT), Key::ArrowRight),
                alt(Key::G),
            ],
            Self::Find => vec![cmd(Key::F)],
            Self::FindInCorpus => vec![cmd_shift(Key::F)],
            Self::NextHit => vec![plain(Key::F3)],
            Self::PreviousHit => vec![KeyboardShortcut::new(Modifiers::SHIFT, Key::F3)],
            Self::LabelOccurrences => vec![cmd_shift(Key::A)],
            Self::Suggest => vec![cmd(Key::G)],
            // Tab walks the pending suggestions when the document has some, else its spans (the
            // app's shortcuts pick one).
            Self::NextSuggestion | Self::NextSpan => vec![plain(Key::Tab)],
            Self::PreviousSuggestion | Self::PreviousSpan => {
                vec![KeyboardShortcut::new(Modifiers::SHIFT, Key::Tab)]
            }
            Self::RejectSuggestion => vec![plain(Key::X), plain(Key::Backspace)],
            Self::NextDocument => vec![alt(Key::ArrowDown), cmd(Key::PageDown)],
            Self::PreviousDocument => vec![alt(Key::ArrowUp), cmd(Key::PageUp)],
            Self::DoneAndNext => vec![cmd(Key::Enter)],
            // No shortcut: the menus and the command palette reach them.
            Self::ToggleTheme | Self::Statistics => vec![],
            Self::Compare => vec![cmd(Key::R)],
            Self::NextDifference => vec![plain(Key::N)],
            Self::PreviousDifference => vec![plain(Key::P)],
            Self::Agreement => vec![cmd_shift(Key::R)],
            Self::Team => vec![cmd_shift(Key::T)],
            Self::KeepA => vec![plain(Key::A)],
            Self::KeepB => vec![plain(Key::B)],
            Self::KeepBoth => vec![plain(Key::H)],
            Self::KeepNeither => vec![plain(Key::X)],
            Self::Palette => vec![cmd(Key::K), cmd_shift(Key::P)],
        }
    }

    /// What the command does, shown when the pointer rests on its button or menu item.
    pub const fn tooltip(self) -> &'static str {
        match self {
            Self::NewFromFolder => "Start a project on every .txt file below a folder",
            Self::NewFromFile => {
                "Start a project on a CSV or JSONL file with one article a row (other columns kept as metadata)"
            }
            Self::Open => "Open a project file",
            Self::Save => "Save the project (atomically, keeping the previous version as .bak)",
            Self::SaveAs => "Save the project under another name",
            Self::Export => "Write the annotations in another tool's format",
            Self::Import => "Make a project from another tool's files",
            Self::Quit => "Close Marginalia (it asks first about unsaved changes)",
            Self::Undo => "Undo the last change",
            Self::Redo => "Redo what was undone",
            Self::DeleteSpan => "Delete the selected span and its links (undoable)",
            Self::ClearSelection => "Drop the text selection and the selected span",
            Self::EditNote => "Write in the selected span's note",
            Self::Link => "Then click the span at the other end of the link",
            Self::EditLabels => "Add, rename and recolour labels",
            Self::SelectSentence => {
                "Select the sentence at the caret (click in the text first); a label's key makes it a span"
            }
            Self::GrowSelection => {
                "Grow the selection to the clause around it, then the quote (« … »), the sentence, the line"
            }
            Self::Find => "Search the document shown: accents and case ignored unless asked",
            Self::FindInCorpus => "Search every document of the corpus, and list the hits",
            Self::NextHit => "Show the next hit of the search",
            Self::PreviousHit => "Show the previous hit of the search",
            Self::LabelOccurrences => {
                "Label every other occurrence of the selected span's text (shows them first)"
            }
            Self::Suggest => {
                "Find candidate spans with the suggesters ticked (on a thread; replaces the pending ones)"
            }
            Self::NextSpan => "Select the next span of the document, and show it",
            Self::PreviousSpan => "Select the previous span of the document, and show it",
            Self::NextSuggestion => "Show the next pending suggestion of the document",
            Self::PreviousSuggestion => "Show the previous pending suggestion of the document",
            Self::AcceptSuggestion => {
                "Make the suggestion a span, with its link (a label's key accepts it with that label)"
            }
            Self::RejectSuggestion => "Drop the suggestion: it is not offered again",
            Self::NextDocument => "Show the next document",
            Self::PreviousDocument => "Show the previous document",
            Self::DoneAndNext => "Mark this document done and show the next one",
            Self::ToggleTheme => "Switch between the dark and the light theme",
            Self::Compare => "Compare with a colleague's project on the same corpus",
            Self::NextDifference => "Show the next difference with the colleague",
            Self::PreviousDifference => "Show the previous difference with the colleague",
            Self::Agreement => "Agreement measures per label, per document and overall",
            Self::Team => {
                "Every annotator's project in the team folder: progress, spans, agreement of each pair"
            }
            Self::Statistics => {
                "Spans per label and document, attribute values, unsourced claims, progress over time"
            }
            Self::KeepA => "Keep what the first annotator marked here",
            Self::KeepB => "Keep what the second annotator marked here",
            Self::KeepBoth => "Every candidate here becomes gold",
            Self::KeepNeither => "Drop every candidate here",
            Self::Palette => "Find any command by typing part of its name, and run it",
        }
    }

    /// The menu the command is in ("Edit"), or where it acts for those in no menu
    /// ("Adjudication"): the command palette shows it, and matches what is typed against it too.
    pub const fn menu(self) -> &'static str {
        match self {
            Self::NewFromFolder
            | Self::NewFromFile
            | Self::Open
            | Self::Save
            | Self::SaveAs
            | Self::Export
            | Self::Import
            | Self::Quit => "File",
            Self::Undo
            | Self::Redo
            | Self::DeleteSpan
            | Self::ClearSelection
            | Self::EditNote
            | Self::Link
            | Self::EditLabels
            | Self::Find
            | Self::FindInCorpus
            | Self::NextHit
            | Self::PreviousHit
            | Self::LabelOccurrences
            | Self::SelectSentence
            | Self::GrowSelection
            | Self::NextSpan
            | Self::PreviousSpan => "Edit",
            Self::NextDocument | Self::PreviousDocument | Self::DoneAndNext => "Document",
            Self::Suggest
            | Self::NextSuggestion
            | Self::PreviousSuggestion
            | Self::AcceptSuggestion
            | Self::RejectSuggestion => "Suggestions",
            Self::Compare
            | Self::NextDifference
            | Self::PreviousDifference
            | Self::Agreement
            | Self::Team
            | Self::Statistics => "Review",
            Self::ToggleTheme | Self::Palette => "View",
            Self::KeepA | Self::KeepB | Self::KeepBoth | Self::KeepNeither => "Adjudication",
        }
    }

    /// The first shortcut, as the platform writes it ("Ctrl+S"); none for a command without one.
    pub fn shortcut_text(self, ctx: &egui::Context) -> Option<String> {
        self.shortcuts().first().map(|s| ctx.format_shortcut(s))
    }

    /// Draws the command as a menu item, its shortcut beside it; true when clicked.
    pub fn menu_item(self, ui: &mut Ui, enabled: bool) -> bool {
        self.menu_item_named(ui, self.text(), enabled)
    }

    /// [`Command::menu_item`] under a text that says more ("Undo add claim").
    pub fn menu_item_named(self, ui: &mut Ui, text: &str, enabled: bool) -> bool {
        let shortcut = self.shortcut_text(ui.ctx()).unwrap_or_default();
        ui.add_enabled(enabled, egui::Button::new(text).shortcut_text(shortcut))
            .on_hover_text(self.tooltip())
            .clicked()
    }

    /// Draws the command as a button, "text (shortcut)"; true when clicked.
    pub fn button(self, ui: &mut Ui, enabled: bool) -> bool {
        let text = match self.shortcut_text(ui.ctx()) {
            Some(shortcut) => format!("{} ({shortcut})", self.text()),
            None => self.text().to_owned(),
        };
        ui.add_enabled(enabled, egui::Button::new(text))
            .on_hover_text(self.tooltip())
            .clicked()
    }

    /// True for shortcuts that are plain keys: they must not fire while the user types text.
    /// Function keys type nothing: F3 walks the hits from the find field.
    pub fn is_plain_key(self) -> bool {
        self.shortcuts().iter().any(|s| {
            let name = s.logical_key.name();
            let function_key = name
                .strip_prefix('F')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            s.modifiers.is_none() && !function_key
        })
    }
}
