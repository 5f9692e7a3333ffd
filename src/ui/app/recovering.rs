//! The unsaved work an earlier session left: offered at the start or when its project opens,
//! restored or discarded.

use std::path::Path;

use anyhow::Context as _;

use super::MarginaliaApp;
use super::modals::Modal;
use super::notifications::Level;
use super::prefs::Prefs;

/// What the unsaved changes found beside the project file at `project` would bring back, if there
/// are some. A snapshot that names a corpus folder outside the project's folder (and the folder
/// above) that the user has not allowed for this project is not read further: a snapshot is a
/// file like any other, and may come from someone else (a shared folder, a git repository).
pub(super) fn recovery_lines(prefs: &Prefs, project: &Path) -> Result<Option<Vec<String>>, String> {
    let recovery = match crate::recovery::find(project) {
        Ok(Some(recovery)) => recovery,
        Ok(None) => return Ok(None),
        Err(error) => {
            let error = anyhow::Error::new(error).context("cannot read the unsaved work found");
            return Err(format!("{error:#}"));
        }
    };
    if let Some(corpus) = crate::file::corpus_outside_of(project, recovery.corpus_root())
        && !prefs.trusts(project, &corpus)
    {
        return Err(format!(
            "{} holds unsaved changes that read their texts from {}, outside the project's \
             folder: they are not offered (delete that file, or open the project once to allow \
             that folder)",
            recovery.file().display(),
            corpus.display()
        ));
    }
    Ok(Some(
        recovery.summary().map(|s| s.lines()).unwrap_or_default(),
    ))
}

impl MarginaliaApp {
    /// Offers the unsaved work of a project that was never saved, left by a session that ended
    /// without saving or discarding it (the oldest first; one at a time).
    pub(super) fn offer_untitled_recovery(&mut self) {
        let Some(dir) = &self.recovery_dir else {
            return;
        };
        let mut unreadable = Vec::new();
        let mut offer = None;
        for found in crate::recovery::list_untitled(dir) {
            match found {
                Ok(recovery) if crate::recovery::written_by_another_live_window(&recovery) => {}
                Ok(recovery) => {
                    let mut lines = recovery.summary().map(|s| s.lines()).unwrap_or_default();
                    lines.push(
                        "Restore opens them as an untitled project: save it to keep them."
                            .to_owned(),
                    );
                    offer = Some((recovery.file().to_owned(), lines));
                    break;
                }
                Err(error) => unreadable.push(error),
            }
        }
        for error in unreadable {
            let error = anyhow::Error::new(error).context("cannot read the unsaved work found");
            self.notify(Level::Warning, format!("{error:#}"));
        }
        if let Some((project, lines)) = offer {
            self.modal = Some(Modal::Recover {
                project,
                untitled: true,
                lines,
            });
        }
    }

    /// Restores (or discards) the recovery snapshot of the project at `project` (`untitled`:
    /// the snapshot file of a project never saved).
    pub(super) fn recover(&mut self, project: &Path, untitled: bool, restore: bool) {
        let found = if untitled {
            crate::recovery::read_file(project).map(Some)
        } else {
            crate::recovery::find(project)
        }
        .context("cannot read the recovered changes");
        let recovery = match found {
            Ok(Some(recovery)) => recovery,
            Ok(None) => return,
            Err(error) => return self.error(&error),
        };
        if !restore {
            if let Err(error) = recovery
                .discard()
                .context("cannot delete the recovered changes")
            {
                self.error(&error);
            }
            // The next snapshot left by an earlier session, if any.
            if self.modal.is_none() {
                self.offer_untitled_recovery();
            }
            return;
        }
        match recovery
            .restore_despite_corpus_changes()
            .context("cannot restore the recovered changes")
        {
            Ok(ws) => {
                self.set_workspace(ws);
                self.notify(
                    Level::Info,
                    "Changes restored. They are not saved yet: save (Ctrl+S) to keep them.",
                );
            }
            Err(error) => self.error(&error),
        }
    }
}
