//! Review → Team…: every annotator's project in a team folder, found without a file dialog (see
//! [`crate::team::overview`]), read on a thread. Per annotator: documents to do, in progress and
//! done, spans per label; per document: who has done it; the pairwise agreement as a heat map;
//! spans per label and span lengths as charts. Clicking an annotator opens their project;
//! clicking a cell compares the pair.
//!
//! The window returns [`Action`]s; it changes nothing itself.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use egui::{Color32, RichText, Ui};

use super::action::Action;
use super::dialogs::{FileDialogs, Picked};
use super::theme;
use crate::model::Status;
use crate::team::overview::Overview;

/// The team window.
#[derive(Default)]
pub struct TeamWindow {
    /// Shown.
    pub open: bool,
    folder: String,
    overview: Option<Arc<Overview>>,
    error: Option<String>,
    job: Option<JoinHandle<Result<Overview, String>>>,
}

/// The team folder of a project: the nearest folder above it (the project's own first, three
/// levels at most) that holds a `team.ron` or a git repository, or else the project's folder.
pub fn team_folder_of(project: &Path) -> Option<PathBuf> {
    let start = project.parent()?;
    let mut dir = Some(start);
    for _ in 0..4 {
        let Some(here) = dir else { break };
        if here.join(crate::team::TEAM_FILE).is_file() || here.join(".git").exists() {
            return Some(here.to_owned());
        }
        dir = here.parent();
    }
    Some(start.to_owned())
}

/// What `team.ron` assigns the open project's annotator: the document list shows those documents
/// first and marks the others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assignment {
    /// The paths of the documents assigned to the annotator.
    pub assigned: std::collections::BTreeSet<String>,
    /// The documents' indices in the order the list shows them: the assigned ones first, each
    /// group in the project's order.
    pub order: Vec<usize>,
}

/// The assignment of `project` (saved at `path`) from the `team.ron` of its team folder, when
/// there is one that assigns its annotator anything.
pub fn assignment_of(path: &Path, project: &crate::model::Project) -> Option<Assignment> {
    let folder = team_folder_of(path)?;
    let team = crate::team::TeamFile::load(&folder.join(crate::team::TEAM_FILE)).ok()?;
    let assigned = crate::team::assigned_to(&team, &project.annotator);
    if assigned.is_empty() {
        return None;
    }
    let (mut order, others): (Vec<usize>, Vec<usize>) =
        (0..project.documents.len()).partition(|i| {
            project
                .documents
                .get(*i)
                .is_some_and(|d| assigned.contains(&d.path))
        });
    order.extend(others);
    Some(Assignment { assigned, order })
}

impl TeamWindow {
    /// Opens the window on `folder` (the open project's team folder, when there is one) and
    /// reads it.
    pub fn show_for(&mut self, folder: Option<PathBuf>) {
        self.open = true;
        if let Some(folder) = folder
            && self.folder.trim().is_empty()
        {
            self.folder = folder.display().to_string();
        }
        if !self.folder.trim().is_empty() {
            self.start();
        }
    }

    /// What was last read.
    pub fn overview(&self) -> Option<&Overview> {
        self.overview.as_deref()
    }

    /// True while the folder is being read.
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    /// Waits for the folder to be read (tests).
    pub fn wait(&mut self) {
        while self.job.as_ref().is_some_and(|j| !j.is_finished()) {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.poll();
    }

    fn start(&mut self) {
        if self.job.is_some() {
            return;
        }
        let folder = PathBuf::from(self.folder.trim());
        self.job = Some(std::thread::spawn(move || {
            crate::team::overview::overview(&folder).map_err(|e| {
                format!(
                    "{:#}",
                    anyhow::Error::new(e)
                        .context(format!("cannot read the team folder {}", folder.display()))
                )
            })
        }));
    }

    fn poll(&mut self) {
        if !self.job.as_ref().is_some_and(JoinHandle::is_finished) {
            return;
        }
        let Some(job) = self.job.take() else { return };
        match job
            .join()
            .unwrap_or_else(|_| Err("reading the team folder stopped unexpectedly".to_owned()))
        {
            Ok(overview) => {
                self.overview = Some(Arc::new(overview));
                self.error = None;
            }
            Err(error) => {
                self.overview = None;
                self.error = Some(error);
            }
        }
    }

    /// Draws the window.
    pub fn ui(&mut self, ui: &Ui, dialogs: &mut dyn FileDialogs) -> Vec<Action> {
        let mut actions = Vec::new();
        self.poll();
        if !self.open {
            return actions;
        }
        let mut open = self.open;
        egui::Window::new("Team")
            .open(&mut open)
            .default_width(760.0)
            .default_height(620.0)
            .vscroll(true)
            .show(ui.ctx(), |ui| {
                ui.horizontal(|ui| {
                    let name = ui.label("Team folder:");
                    ui.add(egui::TextEdit::singleline(&mut self.folder).desired_width(360.0))
                        .labelled_by(name.id);
                    if ui.button("Browse…").clicked() {
                        match dialogs.pick_folder("Team folder") {
                            Picked::Path(path) => {
                                self.folder = path.display().to_string();
                                self.start();
                            }
                            Picked::Cancelled => {}
                            Picked::Unavailable => {
                                self.error = Some(
                                    "No file dialog can open here: type the folder in the field."
                                        .to_owned(),
                                );
                            }
                        }
                    }
                    if ui
                        .add_enabled(self.job.is_none(), egui::Button::new("Reload"))
                        .on_hover_text("Read every project of the folder again")
                        .clicked()
                    {
                        self.start();
                    }
                });
                if self.job.is_some() {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Reading the projects…");
                    });
                    ui.ctx().request_repaint_after(Duration::from_millis(50));
                }
                if let Some(error) = &self.error {
                    ui.colored_label(theme::ERROR, error);
                }
                if let Some(overview) = self.overview.clone() {
                    overview_ui(ui, &overview, &mut actions);
                }
            });
        self.open = open;
        if !actions.is_empty() {
            self.open = false;
        }
        actions
    }
}

fn overview_ui(ui: &mut Ui, overview: &Overview, actions: &mut Vec<Action>) {
    for problem in &overview.problems {
        ui.colored_label(theme::WARNING, format!("Warning: {problem}"));
    }
    if let Some(team) = &overview.team {
        ui.weak(format!(
            "{}: {} document(s) assigned, {} of them to two annotators (seed {})",
            crate::team::TEAM_FILE,
            team.documents.len(),
            team.shared(),
            team.seed
        ));
    }
    if overview.members.is_empty() {
        ui.label("No project in this folder.");
        return;
    }
    ui.heading("Annotators");
    members_table(ui, overview, actions);
    ui.separator();
    ui.heading("Agreement");
    heat_map(ui, overview, actions);
    ui.separator();
    ui.heading("Spans per label");
    spans_chart(ui, overview);
    ui.heading("Span lengths (characters)");
    lengths_chart(ui, overview);
    ui.separator();
    egui::CollapsingHeader::new(format!("Documents ({})", overview.documents.len()))
        .id_salt("team-documents")
        .show(ui, |ui| documents_table(ui, overview));
}

fn relative<'p>(overview: &Overview, path: &'p Path) -> std::borrow::Cow<'p, str> {
    path.strip_prefix(&overview.dir)
        .unwrap_or(path)
        .to_string_lossy()
}

fn members_table(ui: &mut Ui, overview: &Overview, actions: &mut Vec<Action>) {
    let assigned = overview.team.is_some();
    egui::Grid::new("team-members")
        .striped(true)
        .num_columns(if assigned { 7 } else { 6 })
        .show(ui, |ui| {
            for title in [
                "Annotator",
                "Project",
                "To do",
                "In progress",
                "Done",
                "Spans",
            ] {
                ui.strong(title);
            }
            if assigned {
                ui.strong("Assigned done");
            }
            ui.end_row();
            for member in &overview.members {
                let name = if member.gold {
                    format!("{} (gold)", member.annotator)
                } else {
                    member.annotator.clone()
                };
                if ui
                    .link(name)
                    .on_hover_text("Open this project for review")
                    .clicked()
                {
                    actions.push(Action::OpenProject(member.path.clone()));
                }
                ui.label(relative(overview, &member.path));
                let [to_do, in_progress, done] = member.status;
                ui.label(to_do.to_string());
                ui.label(in_progress.to_string());
                let total = (to_do + in_progress + done).max(1);
                ui.add(
                    egui::ProgressBar::new(done as f32 / total as f32)
                        .desired_width(90.0)
                        .text(done.to_string()),
                );
                ui.label(member.span_count().to_string());
                if assigned {
                    match (member.assigned_done, member.assigned) {
                        (Some(done), Some(all)) => ui.label(format!("{done}/{all}")),
                        _ => ui.label(""),
                    };
                }
                ui.end_row();
            }
        });
}

/// A colour from red (0) through amber to green (1); grey when undefined.
fn heat(value: f64) -> Color32 {
    if value.is_nan() {
        return Color32::from_gray(110);
    }
    let v = value.clamp(0.0, 1.0) as f32;
    let (low, mid, high) = (
        [0xc6_u8, 0x28, 0x28],
        [0xf9_u8, 0xa8, 0x25],
        [0x2e_u8, 0x7d, 0x32],
    );
    let (from, to, t) = if v < 0.5 {
        (low, mid, v * 2.0)
    } else {
        (mid, high, (v - 0.5) * 2.0)
    };
    let mix = |i: usize| {
        let start = f32::from(from.get(i).copied().unwrap_or(0));
        let end = f32::from(to.get(i).copied().unwrap_or(0));
        (start + (end - start) * t).round() as u8
    };
    Color32::from_rgb(mix(0), mix(1), mix(2))
}

fn heat_map(ui: &mut Ui, overview: &Overview, actions: &mut Vec<Action>) {
    let compared: Vec<usize> = (0..overview.members.len())
        .filter(|i| overview.members.get(*i).is_some_and(|m| !m.gold))
        .collect();
    if compared.len() < 2 {
        ui.weak("Agreement needs two annotators' projects in the folder.");
        return;
    }
    ui.weak("Exact-span F1 (κ on tokens below). Click a cell to compare the two projects.");
    egui::Grid::new("team-heat-map")
        .num_columns(compared.len() + 1)
        .spacing([3.0, 3.0])
        .show(ui, |ui| {
            ui.label("");
            for &b in &compared {
                ui.strong(member_name(overview, b));
            }
            ui.end_row();
            for &a in &compared {
                ui.strong(member_name(overview, a));
                for &b in &compared {
                    if a == b {
                        ui.label("");
                        continue;
                    }
                    let Some(pair) = overview.pair(a, b) else {
                        ui.label("");
                        continue;
                    };
                    let (text, fill) = if pair.shared == 0 {
                        ("no document\nin common".to_owned(), heat(f64::NAN))
                    } else {
                        (
                            format!("{}\nκ {}", number(pair.f1), number(pair.kappa)),
                            heat(pair.f1),
                        )
                    };
                    let button = egui::Button::new(RichText::new(text).color(Color32::WHITE))
                        .fill(fill)
                        .min_size(egui::vec2(92.0, 40.0));
                    let response = ui.add(button).on_hover_text(format!(
                        "{} and {}: {} document(s) in common, {} span(s) between them",
                        member_name(overview, a),
                        member_name(overview, b),
                        pair.shared,
                        pair.spans
                    ));
                    if response.clicked()
                        && let (Some(first), Some(second)) =
                            (overview.members.get(a), overview.members.get(b))
                    {
                        actions.push(Action::OpenAndCompare(
                            first.path.clone(),
                            second.path.clone(),
                        ));
                    }
                }
                ui.end_row();
            }
        });
}

fn member_name(overview: &Overview, index: usize) -> String {
    overview
        .members
        .get(index)
        .map(|m| m.annotator.clone())
        .unwrap_or_default()
}

fn number(x: f64) -> String {
    if x.is_nan() {
        "n/a".to_owned()
    } else {
        format!("{x:.3}")
    }
}

/// A colour a series: the label's colour is not known across schemas, so the theme's measure
/// colours are reused in turn.
fn series_color(i: usize) -> Color32 {
    let colors = theme::MEASURES;
    colors
        .get(i % colors.len())
        .copied()
        .unwrap_or(Color32::GRAY)
}

fn legend(ui: &mut Ui, names: &[String]) {
    ui.horizontal_wrapped(|ui| {
        for (i, name) in names.iter().enumerate() {
            let size = egui::Vec2::splat(ui.text_style_height(&egui::TextStyle::Body) * 0.7);
            let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
            ui.painter().rect_filled(rect, 2.0, series_color(i));
            ui.label(name);
            ui.add_space(8.0);
        }
    });
}

/// Grouped bars: one group a label, one bar an annotator.
fn spans_chart(ui: &mut Ui, overview: &Overview) {
    use egui_plot::{Bar, BarChart};
    let names: Vec<String> = overview
        .members
        .iter()
        .map(|m| m.annotator.clone())
        .collect();
    legend(ui, &names);
    let labels = overview.labels.clone();
    let width = 0.8 / names.len().max(1) as f64;
    crate::ui::charts::categories("team-spans-chart", 180.0, labels).show(ui, |plot| {
        for (m, member) in overview.members.iter().enumerate() {
            let bars = member
                .spans
                .iter()
                .enumerate()
                .map(|(l, count)| {
                    Bar::new(l as f64 - 0.4 + width * (m as f64 + 0.5), *count as f64)
                        .width(width)
                        .name(format!(
                            "{} · {}",
                            member.annotator,
                            overview.labels.get(l).cloned().unwrap_or_default()
                        ))
                })
                .collect();
            plot.bar_chart(BarChart::new(member.annotator.clone(), bars).color(series_color(m)));
        }
    });
}

/// The distribution of span lengths per label, all annotators together: a histogram with bins
/// of a tenth of the longest span.
fn lengths_chart(ui: &mut Ui, overview: &Overview) {
    use egui_plot::{Bar, BarChart, Plot};
    let longest = overview
        .members
        .iter()
        .flat_map(|m| m.lengths.iter().filter_map(|l| l.last().copied()))
        .max()
        .unwrap_or(0);
    if longest == 0 {
        ui.weak("No span yet.");
        return;
    }
    let bin = longest.div_ceil(10).max(1);
    legend(ui, &overview.labels);
    let series = overview.labels.len().max(1) as f64;
    Plot::new("team-lengths-chart")
        .height(160.0)
        .include_y(0.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .show(ui, |plot| {
            for (l, label) in overview.labels.iter().enumerate() {
                let mut counts = [0usize; 10];
                for member in &overview.members {
                    for length in member.lengths.get(l).map_or(&[][..], Vec::as_slice) {
                        let slot = (length / bin).min(9);
                        if let Some(count) = counts.get_mut(slot) {
                            *count += 1;
                        }
                    }
                }
                let width = bin as f64 / series * 0.9;
                let bars = counts
                    .iter()
                    .enumerate()
                    .map(|(b, count)| {
                        let x = (b * bin) as f64 + width * (l as f64 + 0.5);
                        Bar::new(x, *count as f64).width(width).name(format!(
                            "{label}: {}–{} characters",
                            b * bin,
                            (b + 1) * bin
                        ))
                    })
                    .collect();
                plot.bar_chart(BarChart::new(label.clone(), bars).color(series_color(l)));
            }
        });
}

fn documents_table(ui: &mut Ui, overview: &Overview) {
    let assigned = overview.team.is_some();
    egui::ScrollArea::vertical()
        .id_salt("team-documents-scroll")
        .max_height(260.0)
        .show(ui, |ui| {
            egui::Grid::new("team-documents-grid")
                .striped(true)
                .show(ui, |ui| {
                    ui.strong("Document");
                    for member in &overview.members {
                        ui.strong(&member.annotator);
                    }
                    if assigned {
                        ui.strong("Assigned to");
                    }
                    ui.end_row();
                    for row in &overview.documents {
                        ui.label(&row.path);
                        for status in &row.status {
                            match status {
                                Some(Status::Done) => ui.label("done"),
                                Some(Status::InProgress) => ui.label("in progress"),
                                Some(Status::ToDo) => ui.weak("to do"),
                                None => ui.weak("—"),
                            };
                        }
                        if assigned {
                            ui.label(row.assigned.join(", "));
                        }
                        ui.end_row();
                    }
                });
        });
}
