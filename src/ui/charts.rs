//! The charts' common frame: a fixed plot (no zoom, drag or scroll) over categories, one a
//! whole number on the x axis, each named under its tick.

use egui_plot::Plot;

/// A plot `height` points high whose x axis names `categories` at 0, 1, 2…, with 0 always on
/// the y axis.
pub fn categories(id: &str, height: f32, categories: Vec<String>) -> Plot<'static> {
    Plot::new(id)
        .height(height)
        .include_y(0.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_formatter(move |mark, _| {
            let index = mark.value.round();
            if (mark.value - index).abs() < 1e-6 && index >= 0.0 {
                categories.get(index as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
}
