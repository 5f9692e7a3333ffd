//! Review → Agreement (the measures, their chart and what they mean) and the adjudication of a
//! gold project (the places in dispute, ruled on with A, B, H and X).

use egui::{Color32, RichText, Ui};

use super::action::Action;
use super::command::Command;
use super::theme;
use crate::model::Project;
use crate::review::adjudicate::{Ruling, is_unresolved};
use crate::review::agreement::{By, Measures, Report, Row};

// ---------------------------------------------------------------------------------------------
// Adjudication.

pub use crate::review::adjudicate::{Place, annotators, place_of, places, step};

/// What the adjudication panel shows of a gold project, computed once per change of the project
/// rather than every frame.
#[derive(Clone, Debug, Default)]
pub struct Gold {
    /// The annotators merged (see [`annotators`]).
    pub annotators: Vec<String>,
    /// The places in dispute (see [`places`]).
    pub places: Vec<Place>,
}

impl Gold {
    /// The panel's data for `project`, `None` when it is not a gold project.
    pub fn of(project: &Project) -> Option<Self> {
        project.is_gold().then(|| Self {
            annotators: annotators(project),
            places: places(project),
        })
    }
}

/// The adjudication panel of a gold project.
pub fn gold_ui(
    ui: &mut Ui,
    gold: &Gold,
    project: &Project,
    doc: usize,
    current: Option<&Place>,
) -> Option<Action> {
    let mut action = None;
    let (all, names) = (&gold.places, &gold.annotators);
    ui.horizontal(|ui| {
        ui.heading("Adjudication");
        ui.weak(format!("gold of {}", names.join(", ")));
    });
    if all.is_empty() {
        ui.colored_label(theme::OK, "Nothing left to rule on: every span is gold.");
        ui.separator();
        return None;
    }
    let here = all.iter().filter(|p| p.doc == doc).count();
    ui.label(format!("{} places to rule on", all.len()))
        .on_hover_text(format!(
            "{here} in this document. n / p: next / previous place"
        ));
    let Some(place) = current.filter(|p| p.doc == doc) else {
        ui.weak("Press n for the next place to rule on.");
        ui.separator();
        return None;
    };
    if let Some(k) = crate::review::adjudicate::position(all, place) {
        ui.label(format!("place {} of {}", k + 1, all.len()));
    }
    let document = project.document(doc)?;
    let candidates: Vec<&crate::model::Annotation> = place
        .ids
        .iter()
        .filter_map(|id| document.annotation(*id))
        .collect();
    let texts: Vec<String> = candidates.iter().map(|a| a.text(&document.text)).collect();
    for (i, (annotation, text)) in candidates.iter().zip(&texts).enumerate() {
        let id = &annotation.id;
        let who = annotation
            .provenance
            .as_ref()
            .map(|p| p.annotators.join(", "))
            .unwrap_or_default();
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&annotation.label).strong());
            ui.weak(format!("({who})"));
            if ui
                .small_button("Keep only this")
                .on_hover_text("Make this candidate gold and drop the others here")
                .clicked()
            {
                action = Some(Action::Rule(Ruling::Keep(vec![*id])));
            }
        });
        // Against the first other candidate with another text, the differing part marked.
        let other = texts
            .iter()
            .enumerate()
            .find(|(j, t)| *j != i && *t != text)
            .map(|(_, t)| t);
        let middle = other.map(|o| crate::review::inline::inline_diff(text, o).a);
        super::review::marked_text_ui(ui, "", text, middle);
    }
    ui.horizontal_wrapped(|ui| {
        for (name, key) in names.iter().zip(["A", "B"]) {
            if ui
                .button(format!("Keep {name}'s ({key})"))
                .on_hover_text(format!(
                    "Keep what {name} marked here (nothing, if they marked nothing)"
                ))
                .clicked()
            {
                action = Some(Action::Rule(Ruling::Side(name.clone())));
            }
        }
        if Command::KeepBoth.button(ui, true) {
            action = Some(Action::Rule(Ruling::All));
        }
        if Command::KeepNeither.button(ui, true) {
            action = Some(Action::Rule(Ruling::Neither));
        }
    });
    ui.weak("Or edit a candidate by hand (relabel, Ctrl+drag), then keep it.");
    ui.separator();
    action
}

/// A short description of a span's provenance for the selected-span panel.
pub fn provenance_text(annotation: &crate::model::Annotation) -> Option<(String, Color32)> {
    let provenance = annotation.provenance.as_ref()?;
    let from = if provenance.annotators.is_empty() {
        "added by the adjudicator".to_owned()
    } else {
        format!("from {}", provenance.annotators.join(", "))
    };
    Some(if is_unresolved(annotation) {
        (format!("To rule on · {from}"), theme::WARNING)
    } else if let Some(by) = &provenance.adjudicator {
        (format!("Gold · {from} · ruled by {by}"), theme::OK)
    } else {
        (format!("Gold · {from} · agreed"), theme::OK)
    })
}

// ---------------------------------------------------------------------------------------------
// Agreement.

/// What each measure means, for the column headers' tooltips.
pub const EXPLAIN_EXACT: &str = "Exact-span F1: a span counts when the other annotator has one with the same label and exactly the same boundaries. Precision and recall take the first annotator as the reference. 1 is perfect.";
/// See [`EXPLAIN_EXACT`].
pub const EXPLAIN_OVERLAP: &str = "Overlap F1: a span counts when the other annotator has one with the same label that shares at least one character with it. Forgives boundary disagreements.";
/// See [`EXPLAIN_EXACT`].
pub const EXPLAIN_KAPPA: &str = "Cohen's κ on tokens (pairs only): each word gets the label of the span covering it (O if none); κ is the agreement on those labels corrected for the agreement expected by chance. 1 perfect, 0 chance level, below 0 worse than chance. Same as scikit-learn's cohen_kappa_score.";
/// See [`EXPLAIN_EXACT`].
pub const EXPLAIN_ALPHA: &str = "Krippendorff's α (nominal) on the same token labels, for any number of annotators; tokens an annotator lacks are missing values. 1 perfect, 0 chance. Common rule of thumb: ≥ 0.8 reliable, ≥ 0.667 tentative.";
/// See [`EXPLAIN_EXACT`].
pub const EXPLAIN_ALPHA_U: &str = "Krippendorff's unitizing αu on characters: compares where the spans begin and end, not only their labels; the measure INCEpTION recommends for span annotation. 1 perfect, 0 chance.";

/// The agreement window's state.
#[derive(Default)]
pub struct AgreementView {
    /// The window is shown.
    pub open: bool,
    /// Rows per label or per document.
    pub by_document: bool,
    /// The report, computed when the window opens or is refreshed.
    pub report: Option<Report>,
    /// The group of annotators shown: index into the groups of the report.
    pub group: usize,
}

impl AgreementView {
    /// The breakdown of the rows.
    pub fn by(&self) -> By {
        if self.by_document {
            By::Document
        } else {
            By::Label
        }
    }
}

fn groups_of(report: &Report) -> Vec<Vec<usize>> {
    let mut found: Vec<Vec<usize>> = Vec::new();
    for row in &report.rows {
        if !found.contains(&row.annotators) {
            found.push(row.annotators.clone());
        }
    }
    found
}

fn value(x: f64) -> String {
    if x.is_nan() {
        "—".to_owned()
    } else {
        format!("{x:.3}")
    }
}

fn prf(p: &crate::review::agreement::Prf) -> String {
    if p.reference + p.other == 0 {
        "—".to_owned()
    } else {
        format!(
            "{} ({} / {})",
            value(p.f1()),
            value(p.precision()),
            value(p.recall())
        )
    }
}

/// The agreement window: returns true when the user asks to recompute.
pub fn agreement_window(ctx: &egui::Context, view: &mut AgreementView) -> bool {
    let mut refresh = false;
    let mut open = view.open;
    egui::Window::new("Agreement")
        .open(&mut open)
        .default_size([760.0, 560.0])
        .vscroll(true)
        .show(ctx, |ui| {
            let Some(report) = &view.report else {
                ui.label("Compare with a colleague's project first (Review → Compare with…).");
                return;
            };
            let groups = groups_of(report);
            ui.horizontal(|ui| {
                ui.label(format!(
                    "{} documents compared · {}",
                    report.documents,
                    report.annotators.join(", ")
                ));
                if ui.button("Recompute").clicked() {
                    refresh = true;
                }
                let before = view.by_document;
                ui.selectable_value(&mut view.by_document, false, "per label");
                ui.selectable_value(&mut view.by_document, true, "per document");
                if before != view.by_document {
                    refresh = true;
                }
            });
            if groups.len() > 1 {
                ui.horizontal_wrapped(|ui| {
                    for (i, group) in groups.iter().enumerate() {
                        let names: Vec<&str> = group
                            .iter()
                            .filter_map(|&a| report.annotators.get(a).map(String::as_str))
                            .collect();
                        let text = if group.len() > 2 {
                            format!("all {}", names.len())
                        } else {
                            names.join(" vs ")
                        };
                        ui.selectable_value(&mut view.group, i, text);
                    }
                });
            }
            let Some(group) = groups.get(view.group).or_else(|| groups.first()) else {
                return;
            };
            let rows: Vec<&Row> = report
                .rows
                .iter()
                .filter(|r| &r.annotators == group)
                .collect();
            for (path, have) in &report.partial {
                ui.colored_label(
                    theme::WARNING,
                    format!("{path} is only in {} project(s)", have.len()),
                );
            }
            for path in &report.mismatches {
                ui.colored_label(
                    theme::WARNING,
                    format!("{path} has different contents in different projects"),
                );
            }
            chart(ui, &rows, view.by_document);
            egui::Grid::new("agreement-table")
                .striped(true)
                .num_columns(7)
                .show(ui, |ui| {
                    ui.strong(if view.by_document {
                        "document"
                    } else {
                        "label"
                    });
                    ui.strong("exact F1 (P / R)").on_hover_text(EXPLAIN_EXACT);
                    ui.strong("overlap F1 (P / R)")
                        .on_hover_text(EXPLAIN_OVERLAP);
                    ui.strong("κ").on_hover_text(EXPLAIN_KAPPA);
                    ui.strong("α").on_hover_text(EXPLAIN_ALPHA);
                    ui.strong("αu").on_hover_text(EXPLAIN_ALPHA_U);
                    ui.strong("tokens");
                    ui.end_row();
                    for row in &rows {
                        let m = &row.measures;
                        ui.label(row.scope.name());
                        ui.label(prf(&m.exact));
                        ui.label(prf(&m.overlap));
                        ui.label(value(m.kappa));
                        ui.label(value(m.alpha));
                        ui.label(value(m.alpha_u));
                        ui.label(m.tokens.to_string());
                        ui.end_row();
                    }
                });
            if let [a, b] = group.as_slice() {
                if let Some((_, _, counts)) =
                    report.differences.iter().find(|(x, y, _)| x == a && y == b)
                {
                    let text: Vec<String> = counts
                        .iter()
                        .map(|(kind, n)| format!("{n} {}", kind.name()))
                        .collect();
                    ui.label(format!("Span diff: {}", text.join(", ")));
                }
                if let Some((_, _, links)) = report.links.iter().find(|(x, y, _)| x == a && y == b)
                {
                    ui.label(format!(
                        "Links: {} agree of {} and {} (F1 {})",
                        links.agreed,
                        links.a,
                        links.b,
                        value(links.f1())
                    ));
                }
            }
            let attributes: Vec<_> = report
                .document_attributes
                .iter()
                .filter(|r| r.annotators == *group)
                .collect();
            if !attributes.is_empty() {
                ui.separator();
                ui.strong("Document attributes (documents as units)");
                egui::Grid::new("agreement-document-attributes")
                    .striped(true)
                    .num_columns(5)
                    .show(ui, |ui| {
                        ui.strong("attribute");
                        ui.strong("documents")
                            .on_hover_text("Documents every compared annotator gave a value");
                        ui.strong("observed");
                        ui.strong("κ").on_hover_text(EXPLAIN_KAPPA);
                        ui.strong("α").on_hover_text(EXPLAIN_ALPHA);
                        ui.end_row();
                        for row in attributes {
                            ui.label(&row.name);
                            ui.label(row.documents.to_string());
                            ui.label(value(row.observed));
                            ui.label(value(row.kappa));
                            ui.label(value(row.alpha));
                            ui.end_row();
                        }
                    });
            }
        });
    view.open = open;
    refresh
}

/// Bars of each measure per label (or document) of the rows.
fn chart(ui: &mut Ui, rows: &[&Row], by_document: bool) {
    use egui_plot::{Bar, BarChart};
    type Pick = fn(&Measures) -> f64;
    let scoped: Vec<&&Row> = rows
        .iter()
        .filter(|r| !matches!(r.scope, crate::review::agreement::Scope::All))
        .collect();
    if scoped.is_empty() {
        return;
    }
    let names: Vec<String> = scoped.iter().map(|r| r.scope.name().to_owned()).collect();
    let [exact, overlap, kappa, alpha, alpha_u] = super::theme::MEASURES;
    let series: [(&str, Pick, Color32); 5] = [
        ("exact F1", |m| m.exact.f1(), exact),
        ("overlap F1", |m| m.overlap.f1(), overlap),
        ("κ", |m| m.kappa, kappa),
        ("α", |m| m.alpha, alpha),
        ("αu", |m| m.alpha_u, alpha_u),
    ];
    let width = 0.8 / series.len() as f64;
    let labels = names.clone();
    // The legend is a row of its own above the plot, in the table's order: drawn inside the
    // plot it covered the tallest bars (and egui_plot sorts its entries by name).
    ui.horizontal_wrapped(|ui| {
        for (name, _, color) in &series {
            let size = egui::Vec2::splat(ui.text_style_height(&egui::TextStyle::Body) * 0.7);
            let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
            ui.painter().rect_filled(rect, 2.0, *color);
            ui.label(*name);
            ui.add_space(8.0);
        }
    });
    crate::ui::charts::categories(
        "agreement-chart",
        if by_document { 180.0 } else { 220.0 },
        labels,
    )
    .include_y(1.0)
    .show(ui, |plot| {
        for (s, (name, pick, color)) in series.iter().enumerate() {
            let bars = scoped
                .iter()
                .enumerate()
                .filter_map(|(i, row)| {
                    let y = pick(&row.measures);
                    (!y.is_nan()).then(|| {
                        Bar::new(i as f64 - 0.4 + width * (s as f64 + 0.5), y)
                            .width(width)
                            .name(format!(
                                "{} · {name}",
                                names.get(i).cloned().unwrap_or_default()
                            ))
                    })
                })
                .collect();
            plot.bar_chart(BarChart::new(*name, bars).color(*color));
        }
    });
}
