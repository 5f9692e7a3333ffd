//! Review → Compare with…: a colleague's project beside the open one, its differences listed and
//! marked in the text, `n` / `p` to walk through them across the corpus.

use egui::{Color32, RichText, Ui};

use super::app::Action;
use super::theme;
use crate::model::{Document, Project};
use crate::review::{CorpusDiff, DiffEntry, DiffKind, Side};
use crate::text::ByteRange;

/// A colleague's project compared with the open one.
pub struct Comparison {
    /// The colleague's project.
    pub other: Project,
    /// Their name, for the panel.
    pub name: String,
    /// The diff, computed when the comparison opened (and after each edit).
    pub diff: CorpusDiff,
    /// The difference shown: (index into `diff.documents`, index into its entries).
    pub current: Option<(usize, usize)>,
}

impl Comparison {
    /// Compares `mine` with `other`.
    pub fn new(mine: &Project, other: Project) -> Self {
        let diff = crate::review::diff_projects(mine, &other);
        let name = other.annotator.clone();
        Self {
            other,
            name,
            diff,
            current: None,
        }
    }

    /// Recomputes the diff after the open project changed.
    pub fn refresh(&mut self, mine: &Project) {
        self.diff = crate::review::diff_projects(mine, &self.other);
        let valid = self.current.is_some_and(|(d, e)| {
            self.diff
                .documents
                .get(d)
                .is_some_and(|doc| e < doc.diff.entries.len())
        });
        if !valid {
            self.current = None;
        }
    }

    /// All differences in corpus order, as (document, entry) indices.
    fn differences(&self) -> Vec<(usize, usize)> {
        self.diff
            .documents
            .iter()
            .enumerate()
            .flat_map(|(d, doc)| {
                doc.diff
                    .entries
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.kind != DiffKind::Match)
                    .map(move |(e, _)| (d, e))
            })
            .collect()
    }

    /// Moves to the next (or previous) difference, wrapping around; returns the path of its
    /// document.
    pub fn step(&mut self, forward: bool) -> Option<String> {
        let all = self.differences();
        if all.is_empty() {
            return None;
        }
        let at = self.current.and_then(|c| all.iter().position(|x| *x == c));
        let next = match (at, forward) {
            (None, true) => 0,
            (None, false) => all.len() - 1,
            (Some(i), true) => (i + 1) % all.len(),
            (Some(i), false) => (i + all.len() - 1) % all.len(),
        };
        self.current = all.get(next).copied();
        let (d, _) = self.current?;
        self.diff.documents.get(d).map(|doc| doc.path.clone())
    }

    /// The other annotator's version of the document at `path` (by the diff's matching).
    pub fn other_document(&self, path: &str) -> Option<&Document> {
        let hash = &self.diff.documents.iter().find(|d| d.path == path)?.hash;
        self.other.documents.iter().find(|d| &d.hash == hash)
    }

    /// The current difference's ranges in A and B, when it is in the document at `path`.
    pub fn current_ranges(&self, mine: &Document) -> Vec<ByteRange> {
        let Some((d, e)) = self.current else {
            return Vec::new();
        };
        let Some(doc) = self
            .diff
            .documents
            .get(d)
            .filter(|doc| doc.path == mine.path)
        else {
            return Vec::new();
        };
        let Some(entry) = doc.diff.entries.get(e) else {
            return Vec::new();
        };
        let theirs = self.other_document(&mine.path);
        let mut ranges: Vec<ByteRange> = entry
            .a
            .and_then(|i| mine.annotations.get(i))
            .map(|a| a.fragments.clone())
            .unwrap_or_default();
        ranges.extend(
            entry
                .b
                .and_then(|i| theirs?.annotations.get(i))
                .map(|a| a.fragments.clone())
                .unwrap_or_default(),
        );
        ranges
    }
}

fn kind_text(kind: DiffKind, name: &str) -> String {
    match kind {
        DiffKind::Match => "same".to_owned(),
        DiffKind::LabelDisagreement => "label differs".to_owned(),
        DiffKind::BoundaryDisagreement => "boundaries differ".to_owned(),
        DiffKind::LabelAndBoundaryDisagreement => "label and boundaries differ".to_owned(),
        DiffKind::OnlyIn(Side::A) => "only yours".to_owned(),
        DiffKind::OnlyIn(Side::B) => format!("only {name}'s"),
    }
}

fn kind_color(kind: DiffKind) -> Color32 {
    match kind {
        DiffKind::Match => Color32::GRAY,
        DiffKind::LabelDisagreement | DiffKind::LabelAndBoundaryDisagreement => theme::ERROR,
        DiffKind::BoundaryDisagreement => theme::WARNING,
        DiffKind::OnlyIn(_) => Color32::from_rgb(0x4f, 0x9d, 0xde),
    }
}

fn describe(entry: &DiffEntry, mine: &Document, theirs: Option<&Document>) -> (String, String) {
    let side = |doc: Option<&Document>, index: Option<usize>| {
        let (doc, annotation) = doc
            .zip(index)
            .and_then(|(d, i)| Some((d, d.annotations.get(i)?)))?;
        Some(format!(
            "{}: {}",
            annotation.label,
            annotation.text(&doc.text)
        ))
    };
    let or_none = |text: Option<String>| text.unwrap_or_else(|| "—".to_owned());
    (
        or_none(side(Some(mine), entry.a)),
        or_none(side(theirs, entry.b)),
    )
}

/// The review panel: totals, and the differences of the current document.
pub fn review_ui(ui: &mut Ui, comparison: &Comparison, mine: &Document) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        ui.heading("Review");
        ui.weak(format!("with {}", comparison.name));
        if ui
            .small_button("Close")
            .on_hover_text("Stop comparing")
            .clicked()
        {
            action = Some(Action::CloseComparison);
        }
    });
    let total = comparison.diff.differences();
    let counts = comparison.diff.counts();
    let summary: Vec<String> = counts
        .iter()
        .filter(|(k, _)| **k != DiffKind::Match)
        .map(|(k, n)| format!("{n} {}", kind_text(*k, &comparison.name)))
        .collect();
    ui.label(format!(
        "{total} differences in {} documents",
        comparison.diff.documents.len()
    ))
    .on_hover_text(summary.join("\n"));
    ui.weak("n / p: next / previous difference");
    let Some((d, doc)) = comparison
        .diff
        .documents
        .iter()
        .enumerate()
        .find(|(_, doc)| doc.path == mine.path)
    else {
        ui.weak("Your colleague's project does not have this document.");
        return action;
    };
    let theirs = comparison.other_document(&mine.path);
    ui.label(format!("{} here", doc.diff.differences()));
    if let Some(theirs) = theirs {
        let links = crate::review::link_agreement(mine, theirs);
        ui.label(format!(
            "links here: {} agree (yours {}, {}'s {})",
            links.agreed, links.a, comparison.name, links.b
        ))
        .on_hover_text(
            "A link agrees when the other side has one of the same type between the same two spans",
        );
    }
    egui::ScrollArea::vertical()
        .id_salt("review")
        .max_height(220.0)
        .show(ui, |ui| {
            for (e, entry) in doc
                .diff
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.kind != DiffKind::Match)
            {
                let (yours, theirs_text) = describe(entry, mine, theirs);
                let selected = comparison.current == Some((d, e));
                let text = RichText::new(kind_text(entry.kind, &comparison.name))
                    .color(kind_color(entry.kind));
                let response = ui.selectable_label(selected, text).on_hover_text(format!(
                    "yours: {yours}\n{}: {theirs_text}",
                    comparison.name
                ));
                if response.clicked() {
                    action = Some(Action::ShowDifference(d, e));
                }
                ui.weak(format!("yours: {}", truncate(&yours)));
                ui.weak(format!("{}: {}", comparison.name, truncate(&theirs_text)));
            }
        });
    action
}

fn truncate(text: &str) -> String {
    let mut short: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        short.push('…');
    }
    short
}
