//! Notifications: toasts in the window, errors on stderr too.

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
}

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
        });
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
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-12.0, -36.0))
            .order(egui::Order::Foreground)
            .show(ui.ctx(), |ui| {
                for (index, toast) in self.toasts.iter().enumerate() {
                    let color = match toast.level {
                        Level::Info => ui.visuals().text_color(),
                        Level::Warning => theme::WARNING,
                        Level::Error => theme::ERROR,
                    };
                    egui::Frame::popup(ui.style()).show(ui, |ui| {
                        ui.set_max_width(480.0);
                        ui.horizontal(|ui| {
                            ui.colored_label(color, &toast.text);
                            if ui.small_button("x").on_hover_text("Dismiss").clicked() {
                                dismissed = Some(index);
                            }
                        });
                    });
                }
            });
        if let Some(index) = dismissed {
            self.toasts.remove(index);
        }
    }
}
