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

/// The colour of a link between spans; stronger for the links of the selected span.
pub fn link_color(dark_mode: bool, selected: bool) -> Color32 {
    match (dark_mode, selected) {
        (true, true) => Color32::from_rgb(0xff, 0xd0, 0x60),
        (true, false) => Color32::from_rgba_unmultiplied(0xc8, 0xc8, 0xd8, 150),
        (false, true) => Color32::from_rgb(0xb0, 0x50, 0x00),
        (false, false) => Color32::from_rgba_unmultiplied(0x40, 0x40, 0x60, 150),
    }
}
