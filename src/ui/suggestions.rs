//! The suggestions panel: run the suggesters, walk what they found (Tab, Shift+Tab), accept
//! (Enter or a label's key) or reject (X, Backspace) one, or accept all of a rule after seeing
//! how many. The text view draws pending suggestions as dashed outlines.

use std::collections::BTreeMap;

use egui::{RichText, Ui};

use super::command::Command;
use super::theme;
use crate::model::{Document, Project};
use crate::suggest::{Rule, Suggester};

/// What the user asked of the suggestions panel.
#[derive(Clone, Debug, PartialEq)]
pub enum SuggestAction {
    /// Run the suggesters ticked.
    Run,
    /// Show suggestion `n` of the document.
    Show(usize),
    /// Accept suggestion `n` of the document (with its label).
    Accept(usize),
    /// Reject suggestion `n` of the document.
    Reject(usize),
    /// Accept every pending suggestion of a rule, in this document or (`corpus`) everywhere,
    /// after a preview.
    AcceptRule {
        /// The rule.
        rule: Rule,
        /// The whole corpus rather than the document shown.
        corpus: bool,
    },
}

/// The panel's own state: which suggesters run.
#[derive(Clone, Debug)]
pub struct SuggestPanel {
    /// The suggesters ticked, in [`Suggester::ALL`]'s order.
    pub enabled: [bool; 4],
}

impl Default for SuggestPanel {
    fn default() -> Self {
        Self { enabled: [true; 4] }
    }
}

impl SuggestPanel {
    /// The suggesters ticked.
    pub fn suggesters(&self) -> Vec<Suggester> {
        Suggester::ALL
            .into_iter()
            .zip(self.enabled)
            .filter_map(|(s, on)| on.then_some(s))
            .collect()
    }
}

/// Pending suggestions per rule in the whole project: how many, and how many in `doc`.
pub fn rule_counts(project: &Project, doc: usize) -> BTreeMap<Rule, (usize, usize)> {
    let mut counts: BTreeMap<Rule, (usize, usize)> = BTreeMap::new();
    for (index, document) in project.documents.iter().enumerate() {
        for suggestion in &document.suggestions {
            let entry = counts.entry(suggestion.rule.clone()).or_default();
            entry.1 += 1;
            if index == doc {
                entry.0 += 1;
            }
        }
    }
    counts
}

/// Draws the panel for `document`; `current` is the suggestion being walked, `running` says
/// the suggesters are at work, `counts` comes from [`rule_counts`].
pub fn suggestions_ui(
    ui: &mut Ui,
    panel: &mut SuggestPanel,
    project: &Project,
    document: &Document,
    current: Option<usize>,
    running: bool,
    counts: &BTreeMap<Rule, (usize, usize)>,
) -> Vec<SuggestAction> {
    let mut actions = Vec::new();
    let total: usize = counts.values().map(|(_, all)| all).sum();
    ui.horizontal(|ui| {
        ui.heading("Suggestions");
        ui.weak(format!(
            "{} here · {total} in all",
            document.suggestions.len()
        ));
    });
    ui.horizontal_wrapped(|ui| {
        for (suggester, on) in Suggester::ALL.into_iter().zip(panel.enabled.iter_mut()) {
            ui.checkbox(on, suggester.name())
                .on_hover_text(suggester_tooltip(suggester));
        }
    });
    ui.horizontal(|ui| {
        let can_run = !running && panel.enabled.iter().any(|on| *on);
        if Command::Suggest.button(ui, can_run) {
            actions.push(SuggestAction::Run);
        }
        if running {
            ui.spinner();
            ui.weak("finding suggestions…");
        }
    });
    if let Some((index, suggestion)) = current.and_then(|i| Some((i, document.suggestions.get(i)?)))
    {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(&suggestion.label)
                        .color(theme::text_of(
                            &project.schema,
                            &suggestion.label,
                            ui.visuals().dark_mode,
                        ))
                        .strong(),
                );
                ui.weak(format!(
                    "{} of {} · score {:.2}",
                    index + 1,
                    document.suggestions.len(),
                    suggestion.score
                ));
            });
            ui.label(crate::ui::text_view::visual(&crate::text::excerpt(
                &crate::text::fragments_text(&document.text, &suggestion.fragments),
                200,
            )));
            ui.weak(format!("rule: {}", suggestion.rule));
            if let Some(link) = &suggestion.link {
                ui.weak(format!(
                    "with a link {} to the {}: {}",
                    link.kind,
                    link.label,
                    crate::ui::text_view::visual(&crate::text::excerpt(
                        &crate::text::fragments_text(&document.text, &link.fragments),
                        80
                    ))
                ));
            }
            ui.horizontal(|ui| {
                if Command::AcceptSuggestion.button(ui, document.is_editable()) {
                    actions.push(SuggestAction::Accept(index));
                }
                if Command::RejectSuggestion.button(ui, document.is_editable()) {
                    actions.push(SuggestAction::Reject(index));
                }
            });
        });
    } else if !document.suggestions.is_empty() {
        ui.weak("Tab walks the suggestions; Enter or a label's key accepts, X rejects.");
    }
    if !counts.is_empty() {
        ui.collapsing("By rule", |ui| {
            for (rule, (here, all)) in counts {
                ui.horizontal_wrapped(|ui| {
                    ui.label(rule.to_string());
                    ui.weak(format!("{here} here, {all} in all"));
                    if ui
                        .add_enabled(*here > 0, egui::Button::new("Accept here…").small())
                        .on_hover_text("Shows the count first")
                        .clicked()
                    {
                        actions.push(SuggestAction::AcceptRule {
                            rule: rule.clone(),
                            corpus: false,
                        });
                    }
                    if ui
                        .add(egui::Button::new("Accept all…").small())
                        .on_hover_text("Every document: shows the count first")
                        .clicked()
                    {
                        actions.push(SuggestAction::AcceptRule {
                            rule: rule.clone(),
                            corpus: true,
                        });
                    }
                });
            }
        });
    }
    actions
}

const fn suggester_tooltip(suggester: Suggester) -> &'static str {
    match suggester {
        Suggester::Boilerplate => {
            "Lines repeated across documents, navigation, teasers, appeals, copyright, credits"
        }
        Suggester::Attribution => {
            "Quotes and reporting verbs: a claim, its source, and the link between them"
        }
        Suggester::Patterns => "The schema's dictionaries and regular expressions per label",
        Suggester::Recurring => "Texts labelled in one document, where they recur in others",
    }
}
