//! Review → Compare with…: a colleague's project beside the open one, its differences listed and
//! marked in the text, `n` / `p` to walk through them across the corpus.

use std::path::PathBuf;

use egui::{Color32, RichText, Ui};

use super::action::Action;
use super::theme;
use crate::model::{Document, Id, Project};
use crate::review::comments::{Comment, Review};
use crate::review::{CorpusDiff, DiffEntry, DiffKind, Side};
use crate::text::ByteRange;

/// A colleague whose project is compared with the open one.
pub struct Colleague {
    /// Their project.
    pub project: Project,
    /// Where it is saved.
    pub path: PathBuf,
    /// The comments the user left on their spans (saved beside their project).
    pub review: Review,
}

/// One or more colleagues' projects compared with the open one; the differences shown are
/// those with one colleague at a time.
pub struct Comparison {
    /// The colleagues, in the order they were added.
    pub others: Vec<Colleague>,
    /// The colleague whose differences are shown.
    pub shown: usize,
    /// The shown colleague's project.
    pub other: Project,
    /// Their name, for the panel.
    pub name: String,
    /// The diff with the shown colleague, computed when shown (and after each edit).
    pub diff: CorpusDiff,
    /// The difference shown: (index into `diff.documents`, index into its entries).
    pub current: Option<(usize, usize)>,
}

impl Comparison {
    /// Compares `mine` with `other`, saved at `path`; `reviewer` is the user (for comments).
    pub fn new(mine: &Project, other: Project, path: PathBuf, reviewer: &str) -> Self {
        let mut comparison = Self {
            others: Vec::new(),
            shown: 0,
            other: Project::default(),
            name: String::new(),
            diff: CorpusDiff::default(),
            current: None,
        };
        comparison.add(mine, other, path, reviewer);
        comparison
    }

    /// Adds a colleague and shows their differences.
    pub fn add(&mut self, mine: &Project, other: Project, path: PathBuf, reviewer: &str) {
        let review_path = crate::review::comments::path_for(&path, reviewer);
        let review = crate::review::comments::read(&review_path).unwrap_or_else(|_| Review {
            reviewer: reviewer.to_owned(),
            path: review_path,
            comments: Vec::new(),
        });
        self.others.push(Colleague {
            project: other,
            path,
            review,
        });
        self.show(mine, self.others.len() - 1);
    }

    /// Shows the differences with colleague `index`.
    pub fn show(&mut self, mine: &Project, index: usize) {
        let Some(colleague) = self.others.get(index) else {
            return;
        };
        self.shown = index;
        self.other = colleague.project.clone();
        self.name = colleague.project.annotator.clone();
        self.current = None;
        self.refresh(mine);
    }

    /// The projects compared: the user's first, then the colleagues'.
    pub fn projects<'a>(&'a self, mine: &'a Project) -> Vec<&'a Project> {
        std::iter::once(mine)
            .chain(self.others.iter().map(|c| &c.project))
            .collect()
    }

    /// The user's comments on the shown colleague's span `id` of the document at `path` (the
    /// user's path; matched by content).
    pub fn comments_on(&self, path: &str, id: Id) -> Vec<&Comment> {
        let Some(theirs) = self.other_document(path) else {
            return Vec::new();
        };
        self.others
            .get(self.shown)
            .map(|c| {
                c.review
                    .comments
                    .iter()
                    .filter(|m| m.sha256 == theirs.hash && m.span == id)
                    .collect()
            })
            .unwrap_or_default()
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

    /// Where the shown difference stands: (its number from 1, the number of differences), for
    /// "difference 3 of 17".
    pub fn position(&self) -> Option<(usize, usize)> {
        let current = self.current?;
        let all = self.differences();
        let at = all.iter().position(|x| *x == current)?;
        Some((at + 1, all.len()))
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

/// What adjudicating does, for the submenus that start it.
pub const ADJUDICATE_TOOLTIP: &str = "Merge your project and your colleagues' into a new gold \
     project, then rule on each difference";

/// The items of the submenus that start adjudicating (the Review menu's and the Review panel's):
/// one a merge policy; majority only with three annotators or more.
pub fn adjudicate_menu(ui: &mut Ui, annotators: usize) -> Option<Action> {
    let mut action = None;
    for policy in crate::review::adjudicate::Policy::ALL {
        let enabled = policy != crate::review::adjudicate::Policy::Majority || annotators >= 3;
        if ui
            .add_enabled(
                enabled,
                egui::Button::new(format!("Start from {}", policy.name())),
            )
            .on_hover_text(policy.describe())
            .on_disabled_hover_text("A majority needs three annotators or more")
            .clicked()
        {
            action = Some(Action::Adjudicate(policy));
        }
    }
    action
}

fn kind_color(kind: DiffKind) -> Color32 {
    match kind {
        DiffKind::Match => Color32::GRAY,
        DiffKind::LabelDisagreement | DiffKind::LabelAndBoundaryDisagreement => theme::ERROR,
        DiffKind::BoundaryDisagreement => theme::WARNING,
        DiffKind::OnlyIn(_) => theme::ONLY_THEIRS,
    }
}

/// The two versions of a difference: (label, text) of each side that has a span.
type Versions = (Option<(String, String)>, Option<(String, String)>);

fn versions(entry: &DiffEntry, mine: &Document, theirs: Option<&Document>) -> Versions {
    let side = |doc: Option<&Document>, index: Option<usize>| {
        let (doc, annotation) = doc
            .zip(index)
            .and_then(|(d, i)| Some((d, d.annotations.get(i)?)))?;
        Some((annotation.label.clone(), annotation.text(&doc.text)))
    };
    (side(Some(mine), entry.a), side(theirs, entry.b))
}

fn describe(version: Option<&(String, String)>) -> String {
    version.map_or_else(
        || "—".to_owned(),
        |(label, text)| format!("{label}: {}", crate::ui::text_view::visual(text)),
    )
}

/// How many characters of the common parts are shown either side of a marked difference.
const CONTEXT_CHARS: usize = 40;

/// Shows `lead` then `text` with its `middle` marked (a tinted background and an underline),
/// the common parts around it plain and cut to a few words: a final period one version lacks
/// becomes a visible, marked ".". An empty middle (the other version only adds) cuts the text
/// at the same place, unmarked; without a middle the text is shown plain.
pub fn marked_text_ui(ui: &mut Ui, lead: &str, text: &str, middle: Option<ByteRange>) {
    use egui::text::{LayoutJob, TextFormat};
    let font = egui::TextStyle::Body.resolve(ui.style());
    let plain = TextFormat {
        font_id: font.clone(),
        color: ui.visuals().weak_text_color(),
        ..TextFormat::default()
    };
    let marked = TextFormat {
        font_id: font,
        color: ui.visuals().strong_text_color(),
        background: theme::INLINE_DIFF,
        underline: egui::Stroke::new(1.0, theme::WARNING),
        ..TextFormat::default()
    };
    let mut job = LayoutJob::default();
    job.wrap.max_width = ui.available_width();
    job.append(lead, 0.0, plain.clone());
    let parts = middle.and_then(|m| {
        Some((
            text.get(..m.start)?,
            text.get(m.start..m.end)?,
            text.get(m.end..)?,
        ))
    });
    match parts {
        Some((before, differing, after)) => {
            job.append(&tail(before, CONTEXT_CHARS), 0.0, plain.clone());
            if !differing.is_empty() {
                job.append(&middle_cut(differing, 2 * CONTEXT_CHARS), 0.0, marked);
            }
            job.append(&head(after, CONTEXT_CHARS), 0.0, plain);
        }
        None => job.append(&head(text, 3 * CONTEXT_CHARS), 0.0, plain),
    }
    ui.label(job);
}

/// The first `max` characters of `text`, with "…" when cut.
fn head(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", text.get(..at).unwrap_or(text)),
        None => text.to_owned(),
    }
}

/// The last `max` characters of `text`, with "…" when cut.
fn tail(text: &str, max: usize) -> String {
    match text.char_indices().rev().nth(max.saturating_sub(1)) {
        Some((at, _)) if at > 0 => format!("…{}", text.get(at..).unwrap_or(text)),
        _ => text.to_owned(),
    }
}

/// `text` cut in its middle to about `max` characters.
fn middle_cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let start = head(text, max / 2);
    let end = tail(text, max / 2);
    format!("{}{}", start.trim_end_matches('…'), end)
}

/// The review panel: totals, and the differences of the current document. `draft` is the
/// comment being written: (the colleague's span, its text).
pub fn review_ui(
    ui: &mut Ui,
    comparison: &Comparison,
    mine: &Document,
    draft: &mut Option<(Id, String)>,
) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        ui.heading("Review");
        if comparison.others.len() > 1 {
            let name = ui.weak("with");
            egui::ComboBox::from_id_salt("colleague")
                .selected_text(&comparison.name)
                .show_ui(ui, |ui| {
                    for (i, colleague) in comparison.others.iter().enumerate() {
                        if ui
                            .selectable_label(i == comparison.shown, &colleague.project.annotator)
                            .clicked()
                        {
                            action = Some(Action::ShowColleague(i));
                        }
                    }
                })
                .response
                .labelled_by(name.id);
        } else {
            ui.weak(format!("with {}", comparison.name));
        }
        if ui
            .small_button("Close")
            .on_hover_text("Stop comparing")
            .clicked()
        {
            action = Some(Action::CloseComparison);
        }
    });
    ui.horizontal(|ui| {
        if super::command::Command::Agreement.button(ui, true) {
            action = Some(Action::Command(super::command::Command::Agreement));
        }
        ui.menu_button("Adjudicate…", |ui| {
            action = adjudicate_menu(ui, comparison.others.len() + 1).or(action.take());
        })
        .response
        .on_hover_text(ADJUDICATE_TOOLTIP);
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
    match comparison.position() {
        Some((k, n)) => ui.label(format!("difference {k} of {n}")),
        None => ui.weak("n / p: next / previous difference"),
    }
    .on_hover_text("n / p: next / previous difference");
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
                let (a, b) = versions(entry, mine, theirs);
                let (yours, theirs_text) = (describe(a.as_ref()), describe(b.as_ref()));
                let inline = a
                    .as_ref()
                    .zip(b.as_ref())
                    .filter(|(x, y)| x.1 != y.1)
                    .map(|(x, y)| crate::review::inline::inline_diff(&x.1, &y.1));
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
                if let (Some((label_a, text_a)), Some((label_b, text_b)), Some(diff)) =
                    (&a, &b, inline)
                {
                    marked_text_ui(ui, &format!("yours: {label_a}: "), text_a, Some(diff.a));
                    let lead = format!("{}: {label_b}: ", comparison.name);
                    marked_text_ui(ui, &lead, text_b, Some(diff.b));
                } else {
                    ui.weak(format!("yours: {}", truncate(&yours)));
                    ui.weak(format!("{}: {}", comparison.name, truncate(&theirs_text)));
                }
                let Some(their_span) = entry
                    .b
                    .and_then(|i| theirs?.annotations.get(i))
                    .map(|a| a.id)
                else {
                    continue;
                };
                for comment in comparison.comments_on(&mine.path, their_span) {
                    ui.label(
                        RichText::new(format!("{} commented: {}", comment.author, comment.text))
                            .italics(),
                    );
                }
                match draft {
                    Some((id, text)) if *id == their_span => {
                        let field = ui.add(
                            egui::TextEdit::multiline(text)
                                .desired_rows(2)
                                .hint_text(format!("A comment for {}", comparison.name)),
                        );
                        field.request_focus();
                        let row = ui.horizontal(|ui| {
                            if ui.button("Add comment").clicked() && !text.trim().is_empty() {
                                action = Some(Action::AddComment {
                                    path: mine.path.clone(),
                                    span: their_span,
                                    text: text.trim().to_owned(),
                                });
                            }
                            if ui.button("Cancel").clicked() {
                                action = Some(Action::CancelComment);
                            }
                        });
                        // The list is short: bring the field and its buttons into view when
                        // the draft opens, the buttons may be below the list's bottom.
                        if field.gained_focus() {
                            row.response.scroll_to_me(Some(egui::Align::BOTTOM));
                        }
                    }
                    _ => {
                        if ui
                            .small_button("Comment…")
                            .on_hover_text(format!(
                                "Leave {} a comment on this span without changing it",
                                comparison.name
                            ))
                            .clicked()
                        {
                            action = Some(Action::StartComment(their_span));
                        }
                    }
                }
            }
        });
    action
}

/// The comments colleagues left on the spans of this document (read from the files beside the
/// project when it was opened).
pub fn comments_ui(
    ui: &mut Ui,
    reviews: &[Review],
    project: &Project,
    doc: usize,
) -> Option<Action> {
    use crate::review::comments::{Attachment, attach};
    let mut action = None;
    let here: Vec<(&Comment, Attachment)> = reviews
        .iter()
        .flat_map(|r| &r.comments)
        .map(|c| (c, attach(project, c)))
        .filter(|(c, a)| match a {
            Attachment::Span(d, _) | Attachment::Changed(d, _) => *d == doc,
            Attachment::Gone => project.document(doc).is_some_and(|d| d.path == c.document),
        })
        .collect();
    if here.is_empty() {
        return None;
    }
    ui.horizontal(|ui| {
        ui.heading("Review comments");
        ui.weak(here.len().to_string());
    });
    for (comment, attachment) in here {
        let (id, status) = match attachment {
            Attachment::Span(_, id) => (Some(id), ""),
            Attachment::Changed(_, id) => (Some(id), " (the span changed since)"),
            Attachment::Gone => (None, " (the span is gone)"),
        };
        let response = ui
            .selectable_label(
                false,
                RichText::new(format!(
                    "{} on {}: “{}”{status}",
                    comment.author,
                    comment.label,
                    truncate(&comment.quote)
                ))
                .weak(),
            )
            .on_hover_text(format!("{} · {}", comment.author, comment.created));
        ui.label(&comment.text);
        if response.clicked()
            && let Some(id) = id
        {
            action = Some(Action::SelectSpan { id, scroll: true });
        }
    }
    ui.separator();
    action
}

fn truncate(text: &str) -> String {
    let mut short: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        short.push('…');
    }
    short
}
