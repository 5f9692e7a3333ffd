//! Issue J 14: in the light theme, label names and counts read on the panels (contrast at least
//! 4.5:1, WCAG AA), checked on what the real app paints headless.

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use egui::epaint::Shape;
use marginalia::ui::theme::{MIN_TEXT_CONTRAST, contrast};

mod common;

/// Every piece of text painted in the last frame, with its colour.
fn painted_texts(shapes: &[egui::epaint::ClippedShape]) -> Vec<(String, egui::Color32)> {
    let mut texts = Vec::new();
    let mut visit = |shape: &Shape| {
        if let Shape::Text(text) = shape {
            let job = &text.galley.job;
            for section in &job.sections {
                if let Some(part) = job
                    .text
                    .get(section.byte_range.start.0..section.byte_range.end.0)
                {
                    // Text in the theme's own colour is painted in the shape's fallback colour.
                    let colour = if section.format.color == egui::Color32::PLACEHOLDER {
                        text.fallback_color
                    } else {
                        section.format.color
                    };
                    texts.push((part.to_owned(), colour));
                }
            }
        }
    };
    for clipped in shapes {
        match &clipped.shape {
            Shape::Vec(shapes) => shapes.iter().for_each(&mut visit),
            shape => visit(shape),
        }
    }
    texts
}

#[test]
fn j_label_names_and_counts_read_in_the_light_theme() {
    let (_dir, project) = common::sample_copy();
    let mut harness = common::open(&project, false);
    harness.ctx.set_theme(egui::Theme::Light);
    harness.run();
    let panel = egui::Visuals::light().panel_fill;
    let texts = painted_texts(&harness.output().shapes);
    // The document list's header names the labels in their colours; its rows count them.
    for name in ["claim", "source", "boilerplate"] {
        let colours: Vec<egui::Color32> = texts
            .iter()
            .filter(|(t, _)| t == name)
            .map(|(_, c)| *c)
            .collect();
        assert!(!colours.is_empty(), "{name} is painted");
        for colour in colours {
            assert!(
                contrast(colour, panel) >= MIN_TEXT_CONTRAST,
                "{name} in {colour:?}: {:.2}",
                contrast(colour, panel)
            );
        }
    }
}
