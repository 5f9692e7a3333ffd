//! Colours and sizes of the app, in one place.

use egui::Color32;

use crate::schema::Rgb;

/// The opaque colour of a label.
pub fn label_color(color: Rgb) -> Color32 {
    let [r, g, b] = color.0;
    Color32::from_rgb(r, g, b)
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
