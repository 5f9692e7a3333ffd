//! Colours and sizes of the app, in one place.

use egui::Color32;

use crate::schema::Rgb;

/// The opaque colour of a label.
pub fn label_color(color: Rgb) -> Color32 {
    let [r, g, b] = color.0;
    Color32::from_rgb(r, g, b)
}

/// The colour of `label` in `schema` ([`UNKNOWN_LABEL`] when the schema has no such label).
pub fn color_of(schema: &crate::schema::Schema, label: &str) -> Color32 {
    schema
        .label(label)
        .map_or(UNKNOWN_LABEL, |l| label_color(l.color))
}

/// The colour of a label's name or count written on the panels' background: the label's own
/// colour, darkened in the light theme (lightened in the dark one) until it reads against the
/// panel with a contrast of at least 4.5:1 (WCAG AA for text).
pub fn label_text(color: Rgb, dark_mode: bool) -> Color32 {
    let background = if dark_mode {
        egui::Visuals::dark().panel_fill
    } else {
        egui::Visuals::light().panel_fill
    };
    let mut text = label_color(color);
    for _ in 0..20 {
        if contrast(text, background) >= MIN_TEXT_CONTRAST {
            break;
        }
        let step = |c: u8| {
            if dark_mode {
                c.saturating_add(((255 - u16::from(c)) / 6 + 1) as u8)
            } else {
                (u16::from(c) * 5 / 6) as u8
            }
        };
        text = Color32::from_rgb(step(text.r()), step(text.g()), step(text.b()));
    }
    text
}

/// [`label_text`] of `label` in `schema` ([`UNKNOWN_LABEL`] for a label it lacks).
pub fn text_of(schema: &crate::schema::Schema, label: &str, dark_mode: bool) -> Color32 {
    schema
        .label(label)
        .map_or(UNKNOWN_LABEL, |l| label_text(l.color, dark_mode))
}

/// The contrast WCAG asks of text: 4.5:1.
pub const MIN_TEXT_CONTRAST: f32 = 4.5;

/// The contrast ratio of two opaque colours, from 1 to 21 (WCAG 2's definition).
pub fn contrast(a: Color32, b: Color32) -> f32 {
    fn luminance(c: Color32) -> f32 {
        let channel = |v: u8| {
            let v = f32::from(v) / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
    }
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The translucent fill that highlights a span; overlapping spans add up, so nesting shows.
pub fn span_fill(color: Rgb, dark_mode: bool) -> Color32 {
    label_color(color).gamma_multiply(if dark_mode { 0.35 } else { 0.30 })
}

/// The colour of the current text selection (not yet a span).
pub fn selection_fill(dark_mode: bool) -> Color32 {
    if dark_mode {
        Color32::from_rgba_unmultiplied(90, 140, 255, 110)
    } else {
        Color32::from_rgba_unmultiplied(60, 110, 235, 90)
    }
}

/// The fill behind a search hit.
pub fn search_hit(dark_mode: bool) -> Color32 {
    if dark_mode {
        Color32::from_rgba_unmultiplied(230, 200, 40, 90)
    } else {
        Color32::from_rgba_unmultiplied(255, 215, 0, 130)
    }
}

/// The outline of the search hit shown (the one Enter and F3 reached).
pub const SEARCH_CURRENT: Color32 = Color32::from_rgb(0xff, 0x8c, 0x00);

/// Length of the dashes around a suggestion, and of the gaps between them.
pub const SUGGESTION_DASH: f32 = 4.0;
/// See [`SUGGESTION_DASH`].
pub const SUGGESTION_GAP: f32 = 3.0;

/// The outline of the selected span.
pub fn selected_outline(dark_mode: bool) -> Color32 {
    if dark_mode {
        Color32::WHITE
    } else {
        Color32::BLACK
    }
}

/// The colour of warnings (read-only documents, decoded files).
/// Done, agreed, gold.
pub const OK: Color32 = Color32::from_rgb(0x4c, 0xa6, 0x4c);
/// Needs attention.
pub const WARNING: Color32 = Color32::from_rgb(0xe0, 0x8a, 0x1e);

/// The colour of errors.
pub const ERROR: Color32 = Color32::from_rgb(0xd9, 0x53, 0x4f);

/// A colleague's span that only they have (the Review panel).
pub const ONLY_THEIRS: Color32 = Color32::from_rgb(0x4f, 0x9d, 0xde);

/// The background of the part where two versions of a span's text differ (Review and
/// Adjudication panels): translucent, so the text keeps the panel's colour and contrast.
pub const INLINE_DIFF: Color32 = Color32::from_rgba_premultiplied(0x70, 0x45, 0x0f, 0x80);

/// A span label's colour when the schema has no such label.
pub const UNKNOWN_LABEL: Color32 = Color32::GRAY;

/// The bars of the agreement chart, one colour a measure, in the table's order: exact F1,
/// overlap F1, κ, α, αu.
pub const MEASURES: [Color32; 5] = [
    Color32::from_rgb(0xf2, 0xa1, 0x3b),
    Color32::from_rgb(0xe0, 0x6c, 0x75),
    Color32::from_rgb(0x4f, 0x9d, 0xde),
    Color32::from_rgb(0x7c, 0xb3, 0x42),
    Color32::from_rgb(0x9b, 0x6c, 0xd6),
];

/// The veil over the window while a file is dragged over it, and the text on it.
pub const DROP_VEIL: Color32 = Color32::from_black_alpha(160);
/// The text on the drop veil.
pub const DROP_TEXT: Color32 = Color32::WHITE;

/// Size of document text, in points, at zoom 1.
pub const TEXT_SIZE: f32 = 15.0;

/// Height of a line of document text: room under the glyphs for stacked underlines.
pub const LINE_HEIGHT: f32 = 27.0;

/// Thickness of a span's underline, and the gap between stacked underlines.
pub const UNDERLINE: f32 = 2.0;
/// Vertical step between stacked underlines.
pub const UNDERLINE_STEP: f32 = 3.0;
/// Underline lanes shown before they stack onto the last one.
pub const MAX_LANES: usize = 3;

/// How far above a span's anchor (the top of its first row, just above the glyphs) a link runs
/// along the gap between rows.
pub const LINK_RISE: f32 = 1.5;
/// How far left of the text a link runs down the margin between rows.
pub const LINK_MARGIN: f32 = 6.0;

/// The colour of a link between spans; stronger for the links of the selected span.
pub fn link_color(dark_mode: bool, selected: bool) -> Color32 {
    match (dark_mode, selected) {
        (true, true) => Color32::from_rgb(0xff, 0xd0, 0x60),
        (true, false) => Color32::from_rgba_unmultiplied(0xc8, 0xc8, 0xd8, 150),
        (false, true) => Color32::from_rgb(0xb0, 0x50, 0x00),
        (false, false) => Color32::from_rgba_unmultiplied(0x40, 0x40, 0x60, 150),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn j_label_names_read_on_both_themes() {
        // In the light theme "source" (#4f9dde) and "claim" (#f2a13b) were written in their own
        // colour on a near-white panel: contrasts of 2.9 and 2.1.
        let background = |dark: bool| {
            if dark {
                egui::Visuals::dark().panel_fill
            } else {
                egui::Visuals::light().panel_fill
            }
        };
        assert!(contrast(label_color(Rgb([0x4f, 0x9d, 0xde])), background(false)) < 4.5);
        for color in [
            [0xf2, 0xa1, 0x3b],
            [0x4f, 0x9d, 0xde],
            [0x9a, 0x9a, 0x9a],
            [0xff, 0xff, 0x00],
            [0x00, 0x00, 0x30],
            [0x80, 0x80, 0x80],
        ] {
            for dark in [false, true] {
                let text = label_text(Rgb(color), dark);
                assert!(
                    contrast(text, background(dark)) >= MIN_TEXT_CONTRAST,
                    "{color:?} dark {dark}: {text:?}"
                );
            }
        }
        assert!((contrast(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 0.01);
    }
}
