//! An open project: the project, where it is saved, its undo history and what loading found.
//!
//! The GUI and the CLI both work through a [`Workspace`]; neither changes a project any other way.

use std::path::{Path, PathBuf};

use crate::corpus::{self, CorpusError};
use crate::edit::{Edit, EditError, History, MergeKey};
use crate::file::{self, LoadError, Problem, SaveError};
use crate::model::Project;
use crate::schema::Schema;

/// An open project.
#[derive(Debug, Default)]
pub struct Workspace {
    project: Project,
    path: Option<PathBuf>,
    history: History,
    saved_revision: Option<u64>,
    problems: Vec<Problem>,
}

impl Workspace {
    /// A new, unsaved project over every `.txt` file below `corpus_root`.
    pub fn from_folder(corpus_root: &Path, annotator: &str) -> Result<Self, CorpusError> {
        let documents = corpus::read_folder(corpus_root)?;
        let problems = documents
            .iter()
            .filter_map(|d| {
                d.decoded_from.map(|encoding| Problem::Decoded {
                    path: d.path.clone(),
                    encoding,
                })
            })
            .collect();
        let project = Project::new(
            annotator.to_owned(),
            file::absolute(corpus_root),
            Schema::default(),
            documents,
        );
        Ok(Self {
            project,
            path: None,
            history: History::default(),
            saved_revision: None,
            problems,
        })
    }

    /// Opens the project file at `path`. When loading changed the project (spans re-anchored on
    /// a changed text, see [`Problem::changes_project`]), it starts unsaved.
    pub fn open(path: &Path) -> Result<Self, LoadError> {
        let (project, problems) = file::load(path)?;
        let changed = problems.iter().any(Problem::changes_project);
        Ok(Self {
            project,
            path: Some(file::absolute(path)),
            history: History::default(),
            saved_revision: (!changed).then_some(0),
            problems,
        })
    }

    /// The project.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// Where the project is saved, if it has been.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// What loading found.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// True when there are changes that are not saved.
    pub fn is_dirty(&self) -> bool {
        self.saved_revision != Some(self.history.revision())
    }

    /// Applies an edit as one undo step.
    pub fn apply(&mut self, edit: Edit) -> Result<(), EditError> {
        self.history.apply(&mut self.project, edit)
    }

    /// Applies an edit that merges with the previous one when they share `key` (see
    /// [`History::apply_merging`]).
    pub fn apply_merging(&mut self, edit: Edit, key: MergeKey) -> Result<(), EditError> {
        self.history
            .apply_merging(&mut self.project, edit, Some(key))
    }

    /// Undoes the last step; false when there was none.
    pub fn undo(&mut self) -> Result<bool, EditError> {
        self.history.undo(&mut self.project)
    }

    /// Redoes the last undone step; false when there was none.
    pub fn redo(&mut self) -> Result<bool, EditError> {
        self.history.redo(&mut self.project)
    }

    /// The undo history.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Ends a run of merging edits.
    pub fn seal_history(&mut self) {
        self.history.seal();
    }

    /// A fresh id for a new annotation or relation.
    pub fn allocate_id(&mut self) -> crate::model::Id {
        self.project.allocate_id()
    }

    /// Saves to the current path. Returns `Ok(false)` when the project has no path yet (use
    /// [`Workspace::save_as`]).
    pub fn save(&mut self) -> Result<bool, SaveError> {
        let Some(path) = self.path.clone() else {
            return Ok(false);
        };
        file::save(&self.project, &path)?;
        self.mark_saved();
        Ok(true)
    }

    /// Saves to `path`, which becomes the project's path. The corpus folder is written relative to
    /// the new location.
    pub fn save_as(&mut self, path: &Path) -> Result<(), SaveError> {
        file::save(&self.project, path)?;
        self.path = Some(file::absolute(path));
        self.mark_saved();
        Ok(())
    }

    fn mark_saved(&mut self) {
        self.history.seal();
        self.saved_revision = Some(self.history.revision());
    }

    /// The file name to show in a title bar: the project's file name, or "Untitled".
    pub fn display_name(&self) -> String {
        self.path.as_deref().and_then(Path::file_name).map_or_else(
            || "Untitled".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Annotation, Timestamp};
    use crate::text::ByteRange;

    #[test]
    fn dirty_follows_edits_undo_and_saves() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir(&corpus).unwrap();
        std::fs::write(corpus.join("a.txt"), "Le Kremlin a démenti.").unwrap();
        let mut ws = Workspace::from_folder(&corpus, "alice").unwrap();
        assert!(ws.is_dirty(), "a new project is unsaved");
        assert!(!ws.save().unwrap());
        let path = dir.path().join("projects/p.ron");
        std::fs::create_dir(dir.path().join("projects")).unwrap();
        ws.save_as(&path).unwrap();
        assert!(!ws.is_dirty());
        let id = ws.allocate_id();
        let annotation = Annotation {
            id,
            label: "source".into(),
            fragments: vec![ByteRange::new(0, 10)],
            annotator: "alice".into(),
            note: String::new(),
            created: Timestamp::now(),
            attributes: std::collections::BTreeMap::default(),
            provenance: None,
        };
        ws.apply(Edit::AddAnnotation { doc: 0, annotation })
            .unwrap();
        assert!(ws.is_dirty());
        ws.undo().unwrap();
        assert!(!ws.is_dirty(), "undo back to the saved state is clean");
        ws.redo().unwrap();
        assert!(ws.save().unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("corpus: \"../corpus\""), "{text}");
        let reopened = Workspace::open(&path).unwrap();
        assert_eq!(
            reopened.project().documents[0].annotations,
            ws.project().documents[0].annotations
        );
        assert!(!reopened.is_dirty());
        assert!(reopened.problems().is_empty());
    }
}
