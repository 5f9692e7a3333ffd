//! Notifications: toasts in the window, errors on stderr too. The newest few are shown, stacked
//! in the bottom right corner (over the span list, not the text); older ones fold into one line
//! until they expire or are dismissed. An open that fails leaves its error until the next open
//! succeeds.

use super::MarginaliaApp;
use crate::ui::theme;
use egui::Ui;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Level {
    Info,
    Warning,
    Error,
}

#[derive(Clone, Debug)]
pub(super) struct Toast {
    pub(super) level: Level,
    pub(super) text: String,
    pub(super) shown_at: Instant,
    /// Why a project could not be opened: dropped once one opens.
    pub(super) from_open: bool,
}

/// Toasts shown at most; older ones are counted in one line.
const SHOWN: usize = 3;

impl MarginaliaApp {
    pub(super) fn notify(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        if level == Level::Error {
            eprintln!("marginalia: {}", crate::text::escape_for_terminal(&text));
        }
        self.toasts.push(Toast {
            level,
            text,
            shown_at: Instant::now(),
            from_open: false,
        });
    }

    /// An error that stopped a project from opening: cleared once a project opens.
    pub(super) fn open_error(&mut self, error: &anyhow::Error) {
        self.error(error);
        if let Some(toast) = self.toasts.last_mut() {
            toast.from_open = true;
        }
    }

    /// Drops the errors of opens that failed (a project just opened).
    pub(super) fn clear_open_errors(&mut self) {
        self.toasts.retain(|t| !t.from_open);
    }

    pub(super) fn error(&mut self, error: &anyhow::Error) {
        self.notify(Level::Error, format!("{error:#}"));
    }

    pub(super) fn toasts_ui(&mut self, ui: &Ui) {
        let now = Instant::now();
        self.toasts.retain(|t| {
            let life = match t.level {
                Level::Info => Duration::from_secs(4),
                Level::Warning => Duration::from_secs(10),
                Level::Error => Duration::from_secs(30),
            };
            now.duration_since(t.shown_at) < life
        });
        if self.toasts.is_empty() {
            return;
        }
        ui.ctx().request_repaint_after(Duration::from_millis(500));
        let mut dismissed = None;
        let mut dismiss_older = false;
        let older = self.toasts.len().saturating_sub(SHOWN);
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-8.0, -36.0))
            .order(egui::Order::Foreground)
            .show(ui.ctx(), |ui| {
                ui.set_max_width(320.0);
                if older > 0 {
                    egui::Frame::popup(ui.style()).show(ui, |ui| {
                        ui.horizontal(|ui| {
                            ui.weak(format!("and {older} more"));
                            if ui
                                .small_button("x")
                                .on_hover_text("Dismiss the older notifications")
                                .clicked()
                            {
                                dismiss_older = true;
                            }
                        });
                    });
                }
                for (index, toast) in self.toasts.iter().enumerate().skip(older) {
                    let color = match toast.level {
                        Level::Info => ui.visuals().text_color(),
                        Level::Warning => theme::WARNING,
                        Level::Error => theme::ERROR,
                    };
                    egui::Frame::popup(ui.style()).show(ui, |ui| {
                        ui.horizontal(|ui| {
                            if ui.small_button("x").on_hover_text("Dismiss").clicked() {
                                dismissed = Some(index);
                            }
                            ui.add(
                                egui::Label::new(egui::RichText::new(&toast.text).color(color))
                                    .wrap(),
                            );
                        });
                    });
                }
            });
        if dismiss_older {
            self.toasts.drain(..older);
        } else if let Some(index) = dismissed {
            self.toasts.remove(index);
        }
    }
}
