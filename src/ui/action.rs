//! What views ask the app to do: every panel, menu, shortcut, modal and the text view returns
//! [`Action`]s, and the app applies them once a frame. Views never change the project themselves.

use std::path::PathBuf;

use super::command::Command;
use crate::edit::Edit;
use crate::model::Id;
use crate::text::ByteRange;

/// What a panel, a menu, a shortcut or the text view asks the app to do. Applied once a frame.
#[derive(Clone, Debug)]
pub enum Action {
    /// Run a command.
    Command(Command),
    /// Show another document.
    OpenDocument(usize),
    /// Apply an edit as one undo step.
    Edit(Edit),
    /// Apply an edit that merges with the previous one of the same key.
    EditMerging(Edit, String),
    /// Label the selection (a new span), or relabel the selected span.
    ApplyLabel(String),
    /// Select a span.
    SelectSpan {
        /// The span.
        id: Id,
        /// Scroll the text to it.
        scroll: bool,
    },
    /// Set the text selection.
    Select(Option<ByteRange>),
    /// Move the selected span's attribute to its next value (none after the last).
    CycleAttribute(String),
    /// Move the document's attribute to its next value (none after the last).
    CycleDocAttribute(String),
    /// Change the selected span's note.
    SetNote {
        /// The span.
        id: Id,
        /// The note.
        note: String,
    },
    /// Add a fragment to the selected span (a discontinuous span).
    AddFragment(ByteRange),
    /// Place detached span number `n` of the document on the text selection.
    PlaceDetached(usize),
    /// Remove fragment number `index` of a span.
    RemoveFragment {
        /// The span.
        id: Id,
        /// Which fragment.
        index: usize,
    },
    /// Compare the open project with a colleague's project file.
    CompareWith(PathBuf),
    /// Stop comparing.
    CloseComparison,
    /// Show a difference of the comparison: (document of the diff, entry).
    ShowDifference(usize, usize),
    /// Open this project file (asks first if there are unsaved changes).
    OpenProject(PathBuf),
    /// Open the first project file and compare it with the second (the team view's cells).
    OpenAndCompare(PathBuf, PathBuf),
    /// Start a new project on this folder (asks first if there are unsaved changes).
    NewFromFolder(PathBuf),
    /// Show the differences with colleague `n` of the comparison.
    ShowColleague(usize),
    /// Merge the compared projects into a new gold project, to adjudicate.
    Adjudicate(crate::review::adjudicate::Policy),
    /// Rule on the current place in dispute of a gold project.
    Rule(crate::review::adjudicate::Ruling),
    /// Start writing a comment on the compared colleague's span.
    StartComment(Id),
    /// Drop the comment being written.
    CancelComment,
    /// Something asked of the suggestions panel.
    Suggest(super::suggestions::SuggestAction),
    /// Something asked of the find bar.
    Find(super::find::FindAction),
    /// Save a comment on the compared colleague's span `span` of the document at `path`.
    AddComment {
        /// The document's path in the open project.
        path: String,
        /// The colleague's span.
        span: Id,
        /// The comment.
        text: String,
    },
}
