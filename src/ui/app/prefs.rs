//! Preferences, kept by eframe's storage and never in project files.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Preferences, kept by eframe's storage and never in project files.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// `Some(true)` dark, `Some(false)` light, `None` follow the system.
    pub dark_mode: Option<bool>,
    /// UI zoom factor.
    pub zoom: f32,
    /// Recently opened project files, newest first.
    pub recent: Vec<PathBuf>,
    /// The annotator name last used for a new project.
    pub annotator: String,
    /// Project files allowed to read their texts from a corpus folder outside their folder and
    /// the folder above (asked once): the project file and the corpus folder's real path.
    pub trusted_corpora: std::collections::BTreeMap<PathBuf, PathBuf>,
    /// Where the user left each project, the most recent first (at most [`MAX_POSITIONS`]).
    pub positions: Vec<ReadingPosition>,
}

/// Where the user left a project: the document shown and the place in its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingPosition {
    /// The project file's real path.
    pub project: PathBuf,
    /// The document shown, by its path in the project (its index changes when the corpus does).
    pub document: String,
    /// The byte offset of the text at the top of the view (see
    /// [`crate::ui::text_view::TextView::reading_offset`]).
    pub offset: usize,
}

/// The projects whose reading position is kept.
pub const MAX_POSITIONS: usize = 50;

impl Default for Prefs {
    fn default() -> Self {
        Self {
            dark_mode: None,
            zoom: 1.0,
            recent: Vec::new(),
            annotator: String::new(),
            trusted_corpora: std::collections::BTreeMap::new(),
            positions: Vec::new(),
        }
    }
}

const MAX_RECENT: usize = 10;

impl Prefs {
    /// Whether the user allowed the project file at `project` to read its texts from `corpus`.
    pub fn trusts(&self, project: &Path, corpus: &Path) -> bool {
        self.trusted_corpora
            .get(&crate::file::absolute(project))
            .is_some_and(|c| c == corpus)
    }

    pub(super) fn trust(&mut self, project: &Path, corpus: &Path) {
        self.trusted_corpora
            .insert(crate::file::absolute(project), corpus.to_owned());
    }

    pub(super) fn remember(&mut self, path: &Path) {
        let path = crate::file::absolute(path);
        self.recent.retain(|p| *p != path);
        self.recent.insert(0, path);
        self.recent.truncate(MAX_RECENT);
    }

    /// Where the user left the project file at `project` (its real path, as
    /// [`crate::workspace::Workspace::path`] gives it).
    pub fn position(&self, project: &Path) -> Option<&ReadingPosition> {
        self.positions.iter().find(|p| p.project == project)
    }

    /// Remembers that the project at `project` (its real path) shows `document` from `offset`.
    /// Called every frame: cheap when nothing changed.
    pub fn note_position(&mut self, project: &Path, document: &str, offset: usize) {
        if let Some(first) = self.positions.first_mut()
            && first.project == project
        {
            if first.document != document {
                document.clone_into(&mut first.document);
            }
            first.offset = offset;
            return;
        }
        self.positions.retain(|p| p.project != project);
        self.positions.insert(
            0,
            ReadingPosition {
                project: project.to_owned(),
                document: document.to_owned(),
                offset,
            },
        );
        self.positions.truncate(MAX_POSITIONS);
    }
}
