//! The egui desktop application over the core.
//!
//! - [`action`]: what the views ask the app to do.
//! - [`app`]: the app state, the frame, and where actions are applied.
//! - [`charts`]: the plots' common frame, categories on the x axis.
//! - [`command`]: commands with their menu texts and shortcuts.
//! - [`detached`]: spans a changed text lost, to place again.
//! - [`dialogs`]: file dialogs, native or none.
//! - [`document_header`]: a document's metadata and attributes above its text, and the
//!   attributes' definitions.
//! - [`find`]: the find bar and the corpus's hits.
//! - [`fonts`]: the fonts shipped in `assets/fonts`, installed before the system's.
//! - [`panels`]: the document list, the palette, the span list and editors.
//! - [`review`]: a colleague's project compared with the open one.
//! - [`suggestions`]: the suggestions panel: run, walk, accept, reject.
//! - [`text_view`]: the document text with its spans.
//! - [`theme`]: colours and sizes.
//! - [`transfer`]: the export and import windows.

pub mod action;
pub mod adjudication;
pub mod app;
pub mod charts;
pub mod command;
pub mod detached;
pub mod dialogs;
pub mod document_header;
pub mod find;
pub mod fonts;
pub mod palette;
pub mod panels;
pub mod review;
pub mod statistics;
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

/// The environment variable of the start-up benchmark: set (to anything), the app prints on
/// stderr the time from the process start to its first painted frame; set to `exit`, it then
/// closes, so that a script can start it over and over (`benches/startup.sh`).
pub const STARTUP_ENV: &str = "MARGINALIA_STARTUP";

/// What the start-up timing still has to do.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Startup {
    /// Not asked for, or done.
    Off,
    /// Print at the second frame: the first one is painted by then.
    Print { exit: bool },
}

struct EframeApp {
    app: MarginaliaApp,
    startup: Startup,
    frames: u32,
}

impl EframeApp {
    /// The start-up timing: the first frame asks for a second one at once, and the second, which
    /// starts once the first is painted and swapped, prints the time.
    fn startup_timing(&mut self, ctx: &egui::Context) {
        let Startup::Print { exit } = self.startup else {
            return;
        };
        self.frames += 1;
        if self.frames < 2 {
            ctx.request_repaint();
            return;
        }
        let ms = crate::started().elapsed().as_secs_f64() * 1000.0;
        eprintln!("marginalia: first frame painted {ms:.1} ms after start");
        self.startup = Startup::Off;
        if exit {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}

impl eframe::App for EframeApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.startup_timing(ui.ctx());
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
        // Registered below behind a guard (see `fonts::SystemFallback`).
        system_font_fallback: false,
        ..Default::default()
    };
    eframe::run_native(
        "Marginalia",
        options,
        Box::new(move |cc| {
            cc.egui_ctx
                .add_font_provider(std::sync::Arc::new(fonts::SystemFallback::new()));
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
            let startup = match std::env::var(STARTUP_ENV) {
                Ok(value) => Startup::Print {
                    exit: value == "exit",
                },
                Err(_) => Startup::Off,
            };
            Ok(Box::new(EframeApp {
                app,
                startup,
                frames: 0,
            }))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot start the window: {e}"))
}
