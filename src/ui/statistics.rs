//! Review → Statistics…: the statistics of the open project ([`crate::review::statistics`]) as
//! tables and plots, computed again only when the project changes.

use egui::{RichText, Ui};

use super::theme;
use crate::review::statistics::{Statistics, ValueCounts};

/// Draws the statistics window's content.
pub fn statistics_ui(ui: &mut Ui, stats: &Statistics) {
    let totals = stats.totals();
    let unsourced: usize = stats.documents.iter().map(|d| d.unsourced).sum();
    let links: usize = stats.documents.iter().map(|d| d.links).sum();
    let done = stats
        .documents
        .iter()
        .filter(|d| d.status == crate::model::Status::Done)
        .count();
    ui.label(format!(
        "{} document(s), {done} done · {} span(s) · {links} link(s) · {unsourced} unsourced claim(s)",
        stats.documents.len(),
        totals.iter().sum::<usize>()
    ));
    ui.heading("Spans per label");
    spans_chart(ui, stats, &totals);
    egui::CollapsingHeader::new("Per document")
        .id_salt("statistics-documents")
        .default_open(true)
        .show(ui, |ui| documents_table(ui, stats));
    if !stats.document_attributes.is_empty() {
        ui.heading("Document attributes");
        counts_table(
            ui,
            "statistics-document-attributes",
            &stats.document_attributes,
            "documents",
        );
    }
    if !stats.span_attributes.is_empty() {
        egui::CollapsingHeader::new("Span attributes")
            .id_salt("statistics-span-attributes")
            .show(ui, |ui| {
                counts_table(
                    ui,
                    "statistics-span-attributes-grid",
                    &stats.span_attributes,
                    "spans",
                );
            });
    }
    ui.heading("Progress");
    progress_plot(ui, stats);
}

fn spans_chart(ui: &mut Ui, stats: &Statistics, totals: &[usize]) {
    use egui_plot::{Bar, BarChart};
    let labels = stats.labels.clone();
    let bars: Vec<Bar> = totals
        .iter()
        .enumerate()
        .map(|(i, n)| {
            Bar::new(i as f64, *n as f64)
                .width(0.6)
                .name(labels.get(i).cloned().unwrap_or_default())
        })
        .collect();
    crate::ui::charts::categories("statistics-spans", 140.0, labels).show(ui, |plot| {
        plot.bar_chart(BarChart::new("spans", bars).color(theme::MEASURES[0]));
    });
}

fn documents_table(ui: &mut Ui, stats: &Statistics) {
    egui::ScrollArea::vertical()
        .id_salt("statistics-documents-scroll")
        .max_height(220.0)
        .show(ui, |ui| {
            egui::Grid::new("statistics-documents-grid")
                .striped(true)
                .show(ui, |ui| {
                    ui.strong("document");
                    ui.strong("status");
                    for label in &stats.labels {
                        ui.strong(label);
                    }
                    ui.strong("unsourced")
                        .on_hover_text("Claims with no source linked and not the journalist's own");
                    ui.strong("links");
                    ui.end_row();
                    for row in &stats.documents {
                        ui.label(RichText::new(&row.path).monospace());
                        ui.label(row.status.label());
                        for n in &row.spans {
                            ui.label(n.to_string());
                        }
                        if row.unsourced > 0 {
                            ui.colored_label(theme::WARNING, row.unsourced.to_string());
                        } else {
                            ui.label("0");
                        }
                        ui.label(row.links.to_string());
                        ui.end_row();
                    }
                });
        });
}

fn counts_table(ui: &mut Ui, id: &str, rows: &[(String, ValueCounts)], items: &str) {
    egui::Grid::new(id).striped(true).show(ui, |ui| {
        for (name, counts) in rows {
            ui.strong(name);
            let mut parts: Vec<String> = counts
                .values
                .iter()
                .map(|(value, n)| format!("{value} {n}"))
                .collect();
            if counts.unset > 0 {
                parts.push(format!("(none) {}", counts.unset));
            }
            ui.label(parts.join(" · "))
                .on_hover_text(format!("Over the project's {items}"));
            ui.end_row();
        }
    });
}

fn progress_plot(ui: &mut Ui, stats: &Statistics) {
    use egui_plot::{Line, PlotPoints};
    if stats.timeline.is_empty() {
        ui.weak("No span yet.");
        return;
    }
    let days: Vec<String> = stats.timeline.iter().map(|(d, _, _)| d.clone()).collect();
    let points: PlotPoints<'_> = stats
        .timeline
        .iter()
        .enumerate()
        .map(|(i, (_, _, total))| [i as f64, *total as f64])
        .collect();
    ui.weak(format!(
        "Spans made so far, by day of their creation ({} to {})",
        days.first().cloned().unwrap_or_default(),
        days.last().cloned().unwrap_or_default()
    ));
    crate::ui::charts::categories("statistics-progress", 140.0, days).show(ui, |plot| {
        plot.line(Line::new("spans so far", points).color(theme::MEASURES[2]));
    });
}
