//! Searching the text and labelling every hit: the find bar's actions, and annotate all with its
//! preview.

use std::fmt::Write as _;

use super::MarginaliaApp;
use super::editing::reserve;
use super::modals::{Choice, Modal};
use super::notifications::Level;
use crate::edit::build::{AnnotateAll, annotate_all, occurrences_of_span, plan_annotate_all};
use crate::model::Id;
use crate::search::Hit;
use crate::ui::find::FindAction;

/// Documents named in an annotate-all preview before "… and N more".
const PREVIEW_DOCUMENTS: usize = 8;

impl MarginaliaApp {
    /// Opens the find bar on the document shown or the whole corpus, with the selected text as
    /// the query when there is one.
    pub(super) fn open_find(&mut self, corpus: bool) {
        let selected = self.selection.and_then(|range| {
            let document = self.workspace.as_ref()?.project().document(self.doc)?;
            Some(range.slice(&document.text).to_owned())
        });
        self.find.open(corpus, selected);
    }

    /// Collects what the search found this frame; shows the first hit of a new search of the
    /// document.
    pub(super) fn update_find(&mut self) {
        let Some(ws) = &self.workspace else {
            if self.find.open {
                self.find.close();
            }
            return;
        };
        if let Some(hit) = self
            .find
            .update(ws.project(), self.doc, self.stats_generation)
        {
            self.show_hit(hit);
        }
    }

    /// Shows `hit`: its document, scrolled to it.
    pub(super) fn show_hit(&mut self, hit: Hit) {
        if hit.doc != self.doc {
            self.show_document(hit.doc);
        }
        self.text_view.scroll_to(hit.range.start);
    }

    pub(super) fn find_action(&mut self, action: FindAction) {
        match action {
            FindAction::Show(index) => {
                self.find.current = Some(index);
                if let Some(hit) = self.find.current_hit() {
                    self.show_hit(hit);
                }
            }
            FindAction::Next | FindAction::Previous => {
                self.step_hit(action == FindAction::Next);
            }
            FindAction::AnnotateAll(label) => {
                let hits = self.find.hits.clone();
                self.preview_annotate_all(&label, &[("Label them", hits)]);
            }
            FindAction::Close => self.find.close(),
        }
    }

    /// The next (or previous) hit, from the one shown or from the selection.
    pub(super) fn step_hit(&mut self, forward: bool) {
        if !self.find.open {
            self.notify(
                Level::Info,
                "Search first: Ctrl+F, or Ctrl+Shift+F in the corpus",
            );
            return;
        }
        let from = (self.doc, self.selection.map_or(0, |s| s.start));
        match self.find.step(forward, from) {
            Some(hit) => self.show_hit(hit),
            None if self.find.finished => self.notify(Level::Info, "No hit"),
            None => {}
        }
    }

    /// Label every other occurrence of the selected span's text: in this document or in the
    /// whole corpus, after a preview of each.
    pub(super) fn label_occurrences(&mut self) {
        let Some(id) = self.selected_span else {
            self.notify(
                Level::Info,
                "Select a span first: its text is looked for everywhere else",
            );
            return;
        };
        let Some(ws) = &self.workspace else { return };
        let project = ws.project();
        let Some(label) = project
            .document(self.doc)
            .and_then(|d| d.annotation(id))
            .map(|a| a.label.clone())
        else {
            return;
        };
        let here = occurrences_of_span(project, self.doc, id, false);
        let everywhere = occurrences_of_span(project, self.doc, id, true);
        match (here, everywhere) {
            (Ok(here), Ok(everywhere)) => self.preview_annotate_all(
                &label,
                &[
                    ("In this document", here),
                    ("In the whole corpus", everywhere),
                ],
            ),
            (Err(error), _) | (_, Err(error)) => self.notify(Level::Warning, error.to_string()),
        }
    }

    /// Asks before labelling hits with `label`: says how many and where for each way of doing
    /// it (a button each), or that there is nothing to do.
    fn preview_annotate_all(&mut self, label: &str, ways: &[(&str, Vec<Hit>)]) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let plans: Vec<(&str, AnnotateAll)> = ways
            .iter()
            .map(|(name, hits)| (*name, plan_annotate_all(ws.project(), label, hits)))
            .collect();
        let mut lines = Vec::new();
        let mut choices = Vec::new();
        for (name, plan) in &plans {
            lines.push(preview_line(name, plan, ws.project()));
            if plan.is_empty() {
                continue;
            }
            let mut ids = reserve(ws, plan.hits.len());
            match annotate_all(ws.project(), plan, || ids.next().unwrap_or(Id(u64::MAX))) {
                Ok(edit) => choices.push(Choice {
                    text: format!("{name}: label {}", plan.hits.len()),
                    edit,
                }),
                Err(error) => lines.push(format!("Cannot: {error}")),
            }
        }
        if choices.is_empty() {
            self.notify(
                Level::Info,
                format!("Nothing to label: {}", lines.join(" ").trim()),
            );
            return;
        }
        lines.push("One undo (Ctrl+Z) removes them all.".to_owned());
        self.modal = Some(Modal::Confirm {
            heading: format!("Label every hit as {label}?"),
            lines,
            choices,
        });
    }
}

/// "In the whole corpus: 12 hit(s) in 3 document(s): a.txt 5, b.txt 4, c.txt 3. 2 already
/// labelled, 1 in read-only documents: left as they are."
fn preview_line(name: &str, plan: &AnnotateAll, project: &crate::model::Project) -> String {
    let per_document = plan.per_document();
    let mut line = format!(
        "{name}: {} hit(s) to label in {} document(s)",
        plan.hits.len(),
        per_document.len()
    );
    let named: Vec<String> = per_document
        .iter()
        .take(PREVIEW_DOCUMENTS)
        .filter_map(|(doc, count)| Some(format!("{} {count}", project.document(*doc)?.path)))
        .collect();
    if !named.is_empty() {
        line.push_str(": ");
        line.push_str(&named.join(", "));
        if per_document.len() > PREVIEW_DOCUMENTS {
            let _ = write!(
                line,
                ", … and {} more",
                per_document.len() - PREVIEW_DOCUMENTS
            );
        }
    }
    line.push('.');
    let mut left = Vec::new();
    if plan.covered > 0 {
        left.push(format!("{} already labelled {}", plan.covered, plan.label));
    }
    if plan.read_only > 0 {
        left.push(format!("{} in read-only documents", plan.read_only));
    }
    if !left.is_empty() {
        let _ = write!(line, " {}: left as they are.", left.join(", "));
    }
    line
}
