//! The egui desktop application over the core.
//!
//! - [`app`]: the app state, the frame, and where actions are applied.
//! - [`command`]: commands with their menu texts and shortcuts.
//! - [`panels`]: the document list, the palette, the span list and editors.
//! - [`review`]: a colleague's project compared with the open one.
//! - [`text_view`]: the document text with its spans.
//! - [`theme`]: colours and sizes.
//! - [`transfer`]: the export and import windows.

pub mod adjudication;
pub mod app;
pub mod command;
pub mod panels;
pub mod review;
pub mod text_view;
pub mod theme;
pub mod transfer;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use app::{Action, FileDialogs, Filter, MarginaliaApp, NoDialogs, Picked, Prefs};

/// Key of the preferences in eframe's storage.
const PREFS_KEY: &str = "marginalia-prefs";

/// A dialog that answers faster than this without a choice did not open at all (no portal, no
/// zenity): nobody cancels a dialog that fast.
const DIALOG_MIN_DURATION: Duration = Duration::from_millis(250);

/// The native file dialogs (rfd), falling back to the app's path field when none can open.
/// Set `MARGINALIA_NO_NATIVE_DIALOGS=1` to always use the path field.
#[derive(Debug, Default)]
pub struct NativeDialogs;

impl NativeDialogs {
    fn pick(run: impl FnOnce() -> Option<PathBuf>) -> Picked {
        if std::env::var_os("MARGINALIA_NO_NATIVE_DIALOGS").is_some() {
            return Picked::Unavailable;
        }
        let started = Instant::now();
        match run() {
            Some(path) => Picked::Path(path),
            None if started.elapsed() < DIALOG_MIN_DURATION => Picked::Unavailable,
            None => Picked::Cancelled,
        }
    }
}

impl FileDialogs for NativeDialogs {
    fn open_file(&mut self, title: &str, filter: Filter<'_>) -> Picked {
        Self::pick(|| with_filter(rfd::FileDialog::new().set_title(title), filter).pick_file())
    }

    fn pick_folder(&mut self, title: &str) -> Picked {
        Self::pick(|| rfd::FileDialog::new().set_title(title).pick_folder())
    }

    fn save_file(&mut self, title: &str, suggested_name: &str, filter: Filter<'_>) -> Picked {
        Self::pick(|| {
            with_filter(rfd::FileDialog::new().set_title(title), filter)
                .set_file_name(suggested_name)
                .save_file()
        })
    }
}

fn with_filter(dialog: rfd::FileDialog, filter: Filter<'_>) -> rfd::FileDialog {
    match filter {
        Some((name, extensions)) => dialog.add_filter(name, extensions),
        None => dialog,
    }
}

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

/// Runs the desktop app, with `project` open.
pub fn run(project: Option<PathBuf>) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Marginalia")
            .with_app_id("marginalia")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 400.0])
            .with_drag_and_drop(true),
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
