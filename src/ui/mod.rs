//! The egui desktop application over the core.
//!
//! - [`action`]: what the views ask the app to do.
//! - [`app`]: the app state, the frame, and where actions are applied.
//! - [`command`]: commands with their menu texts and shortcuts.
//! - [`detached`]: spans a changed text lost, to place again.
//! - [`dialogs`]: file dialogs, native or none.
//! - [`find`]: the find bar and the corpus's hits.
//! - [`panels`]: the document list, the palette, the span list and editors.
//! - [`review`]: a colleague's project compared with the open one.
//! - [`suggestions`]: the suggestions panel: run, walk, accept, reject.
//! - [`text_view`]: the document text with its spans.
//! - [`theme`]: colours and sizes.
//! - [`transfer`]: the export and import windows.

pub mod action;
pub mod adjudication;
pub mod app;
pub mod command;
pub mod detached;
pub mod dialogs;
pub mod find;
pub mod palette;
pub mod panels;
pub mod review;
pub mod suggestions;
pub mod team;
pub mod text_view;
pub mod theme;
pub mod transfer;

use std::path::PathBuf;

pub use action::Action;
pub use app::{MarginaliaApp, Prefs};
pub use dialogs::{FileDialogs, Filter, NativeDialogs, NoDialogs, Picked};

/// Key of the preferences in eframe's storage.
const PREFS_KEY: &str = "marginalia-prefs";

struct EframeApp {
    app: MarginaliaApp,
}

impl eframe::App for EframeApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        if ui.ctx().input(|i| i.viewport().close_requested()) && !self.app.may_close() {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::CancelClose);
        }
        self.app.ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, PREFS_KEY, self.app.prefs());
    }
}

/// The window's icon (the task bar and the window list show it), from the bundled PNG.
fn window_icon() -> std::sync::Arc<egui::IconData> {
    std::sync::Arc::new(
        eframe::icon_data::from_png_bytes(crate::desktop::ICON_PNG).unwrap_or_default(),
    )
}

/// Runs the desktop app, with `project` open.
pub fn run(project: Option<PathBuf>) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Marginalia")
            .with_app_id("marginalia")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 400.0])
            .with_drag_and_drop(true)
            .with_icon(window_icon()),
        ..Default::default()
    };
    eframe::run_native(
        "Marginalia",
        options,
        Box::new(move |cc| {
            let prefs: Prefs = cc
                .storage
                .and_then(|s| eframe::get_value(s, PREFS_KEY))
                .unwrap_or_default();
            match prefs.dark_mode {
                Some(true) => cc.egui_ctx.set_theme(egui::Theme::Dark),
                Some(false) => cc.egui_ctx.set_theme(egui::Theme::Light),
                None => cc.egui_ctx.set_theme(egui::ThemePreference::System),
            }
            if prefs.zoom.is_finite() && (0.5..=3.0).contains(&prefs.zoom) {
                cc.egui_ctx.set_zoom_factor(prefs.zoom);
            }
            let app =
                MarginaliaApp::with_project(prefs, Box::new(NativeDialogs), project.as_deref());
            Ok(Box::new(EframeApp { app }))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot start the window: {e}"))
}
