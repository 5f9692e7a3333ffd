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
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            dark_mode: None,
            zoom: 1.0,
            recent: Vec::new(),
            annotator: String::new(),
            trusted_corpora: std::collections::BTreeMap::new(),
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
}
