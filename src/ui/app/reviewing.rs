//! Reviewing: comparing, agreement, adjudication and review comments.

use super::MarginaliaApp;
use super::notifications::Level;
use crate::model::Id;
use crate::workspace::Workspace;
use anyhow::Context as _;
use std::path::Path;

impl MarginaliaApp {
    /// Computes the agreement of the open project and the compared ones, for the window.
    pub(super) fn compute_agreement(&mut self) {
        let (Some(ws), Some(comparison)) = (&self.workspace, &self.comparison) else {
            self.agreement.report = None;
            return;
        };
        let projects = comparison.projects(ws.project());
        self.agreement.report = Some(crate::review::agreement::compare(
            &projects,
            self.agreement.by(),
        ));
    }

    /// Merges the open project and the compared ones into a new, unsaved gold project.
    pub(super) fn adjudicate(&mut self, policy: crate::review::adjudicate::Policy) {
        let (Some(ws), Some(comparison)) = (&self.workspace, &self.comparison) else {
            self.notify(
                Level::Info,
                "Compare with a colleague's project first (Review > Compare with…)",
            );
            return;
        };
        if self.is_dirty() {
            self.notify(
                Level::Warning,
                "Save your project first (Ctrl+S): the gold project replaces it in the window",
            );
            return;
        }
        let projects = comparison.projects(ws.project());
        let adjudicator = ws.project().annotator.clone();
        match crate::review::adjudicate::merge(&projects, policy, &adjudicator)
            .context("cannot start the adjudication")
        {
            Ok((gold, summary)) => {
                self.set_workspace(Workspace::new_unsaved(gold));
                self.notify(
                    Level::Info,
                    format!(
                        "Gold project of {} ({} policy): {} span(s) accepted, {} place(s) to rule on. Press n for the first, then A, B, H (both) or X (neither). Save it with Ctrl+Shift+S.",
                        summary.annotators.join(", "),
                        policy.name(),
                        summary.accepted,
                        summary.disputes
                    ),
                );
            }
            Err(error) => self.error(&error),
        }
    }

    /// Rules on the current place in dispute (or the one of the selected span, or the first of
    /// the document), then moves to the place after it (the next in corpus order, or the first).
    pub(super) fn rule(&mut self, ruling: &crate::review::adjudicate::Ruling) {
        let Some(ws) = &self.workspace else { return };
        let project = ws.project();
        let place = self
            .place
            .clone()
            .filter(|p| {
                p.ids.iter().any(|id| {
                    project
                        .document(p.doc)
                        .and_then(|d| d.annotation(*id))
                        .is_some()
                })
            })
            .or_else(|| {
                self.selected_span
                    .and_then(|id| crate::ui::adjudication::place_of(project, self.doc, id))
            })
            .or_else(|| crate::ui::adjudication::step(project, None, self.doc, true));
        let Some(place) = place else {
            self.notify(Level::Info, "Nothing to rule on here");
            return;
        };
        // Where the place stands in corpus order: the one after it takes its index.
        let index = {
            let all = crate::review::adjudicate::places(project);
            crate::review::adjudicate::position(&all, &place).unwrap_or(0)
        };
        let adjudicator = project.annotator.clone();
        let Some(edit) =
            crate::review::adjudicate::rule(project, place.doc, &place.ids, ruling, &adjudicator)
        else {
            return;
        };
        self.edit(edit, None);
        self.selected_span = None;
        let next = self
            .workspace
            .as_ref()
            .and_then(|ws| crate::review::adjudicate::after_ruling(ws.project(), index));
        self.go_to_place(next);
    }

    /// Shows a place in dispute.
    pub(super) fn go_to_place(&mut self, place: Option<crate::ui::adjudication::Place>) {
        let Some(place) = place else {
            self.place = None;
            return;
        };
        self.show_document(place.doc);
        self.place = Some(place.clone());
        let start = self.workspace.as_ref().and_then(|ws| {
            let document = ws.project().document(place.doc)?;
            place
                .ids
                .iter()
                .filter_map(|id| document.annotation(*id))
                .map(|a| a.extent().start)
                .min()
        });
        if let Some(start) = start {
            self.text_view.scroll_to(start);
        }
    }

    /// Saves a comment on the compared colleague's span.
    pub(super) fn add_comment(&mut self, path: &str, span: Id, text: &str) {
        let Some(comparison) = &mut self.comparison else {
            return;
        };
        let Some(hash) = comparison
            .diff
            .documents
            .iter()
            .find(|x| x.path == path)
            .map(|x| x.hash.clone())
        else {
            return;
        };
        let Some(colleague) = comparison.others.get_mut(comparison.shown) else {
            return;
        };
        let Some(document) = colleague.project.documents.iter().find(|d| d.hash == hash) else {
            return;
        };
        let Some(annotation) = document.annotation(span) else {
            return;
        };
        let author = colleague.review.reviewer.clone();
        let comment = crate::review::comments::Comment::on(document, annotation, &author, text);
        colleague.review.comments.push(comment);
        let saved = crate::review::comments::write(&colleague.review, &colleague.path)
            .context("cannot save the review comment");
        match saved {
            Ok(()) => {
                let file = colleague.review.path.display().to_string();
                self.comment_draft = None;
                self.notify(Level::Info, format!("Comment saved in {file}"));
            }
            Err(error) => {
                colleague.review.comments.pop();
                self.error(&error);
            }
        }
    }

    /// Opens a colleague's project and compares it with the open one.
    pub(super) fn compare_now(&mut self, path: &Path) {
        let Some(ws) = &self.workspace else { return };
        match Workspace::open(path)
            .with_context(|| format!("cannot compare with {}", path.display()))
        {
            Ok(other) => {
                let reviewer = ws.project().annotator.clone();
                let other_path = other.path().map_or_else(|| path.to_owned(), Path::to_owned);
                if let Some(comparison) = &mut self.comparison {
                    comparison.add(ws.project(), other.project().clone(), other_path, &reviewer);
                    let names: Vec<String> = comparison
                        .others
                        .iter()
                        .map(|c| c.project.annotator.clone())
                        .collect();
                    let text = format!(
                        "Comparing with {}: {} difference(s) with {}. Agreement… covers everyone.",
                        names.join(", "),
                        comparison.diff.differences(),
                        comparison.name
                    );
                    self.notify(Level::Info, text);
                    return;
                }
                let mut comparison = crate::ui::review::Comparison::new(
                    ws.project(),
                    other.project().clone(),
                    other_path,
                    &reviewer,
                );
                let (shared, differences) = (
                    comparison.diff.documents.len(),
                    comparison.diff.differences(),
                );
                if shared == 0 {
                    self.notify(Level::Warning, format!("{} shares no document with this project (documents are matched by content)", path.display()));
                    return;
                }
                let name = comparison.name.clone();
                comparison.current = None;
                self.comparison = Some(comparison);
                self.notify(Level::Info, format!("Comparing with {name}: {differences} difference(s) in {shared} document(s). Press n for the first."));
            }
            Err(error) => self.error(&error),
        }
    }

    /// Shows the document of the comparison's current difference and scrolls to it.
    pub(super) fn show_current_difference(&mut self, path: &str) {
        let Some(index) = self
            .workspace
            .as_ref()
            .and_then(|ws| ws.project().documents.iter().position(|d| d.path == path))
        else {
            return;
        };
        self.show_document(index);
        let Some(ws) = &self.workspace else { return };
        let start = ws
            .project()
            .document(index)
            .and_then(|d| self.comparison.as_ref()?.current_ranges(d).first().copied())
            .map(|r| r.start);
        if let Some(start) = start {
            self.text_view.scroll_to(start);
        }
    }
}
