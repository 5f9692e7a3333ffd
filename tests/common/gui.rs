//! The headless window the app runs in, and a user's drag.

use std::path::Path;

use egui::{Key, Modifiers, Pos2, Vec2};
use egui_kittest::Harness;
use marginalia::ui::{MarginaliaApp, NoDialogs, Prefs};

/// `app` in a headless 1400×900 window, run until it settles. egui's bundled fonts have no emoji,
/// Arabic or CJK glyphs (the app takes them from the system's fonts): `tofu` lets tests show such
/// text as boxes.
pub fn harness_for(app: MarginaliaApp, tofu: bool) -> Harness<'static, MarginaliaApp> {
    let mut builder = Harness::builder();
    if tofu {
        builder = builder.allow_missing_glyphs();
    }
    let mut harness = builder
        .with_size(Vec2::new(1400.0, 900.0))
        // Frames a 60th of a second apart, as on screen (double-clicks depend on it).
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(120)
        .build_ui_state(|ui, app: &mut MarginaliaApp| app.ui(ui), app);
    harness.run();
    harness
}

/// Presses at `p0`, moves to `p1` in a few steps and releases there, as a user drags.
pub fn drag(harness: &mut Harness<'_, MarginaliaApp>, p0: Pos2, p1: Pos2) {
    harness.hover_at(p0);
    harness.run();
    harness.drag_at(p0);
    harness.run();
    for step in 1..=4 {
        let t = step as f32 / 5.0;
        harness.hover_at(Pos2::new(
            p0.x + (p1.x - p0.x) * t,
            p0.y + (p1.y - p0.y) * t,
        ));
        harness.run();
    }
    harness.hover_at(p1);
    harness.run();
    harness.drop_at(p1);
    harness.run();
}

/// The app with `project` open (default preferences, no file dialogs, no snapshots of untitled
/// projects) in a headless window: see [`harness_for`] for `tofu`.
pub fn open(project: &Path, tofu: bool) -> Harness<'static, MarginaliaApp> {
    let app = MarginaliaApp::starting(Prefs::default(), Box::new(NoDialogs), Some(project), None);
    harness_for(app, tofu)
}

/// Presses `key` with `modifiers` held, then lets the app settle.
pub fn press(harness: &mut Harness<'_, MarginaliaApp>, modifiers: Modifiers, key: Key) {
    harness.key_press_modifiers(modifiers, key);
    harness.run();
}

/// A click at `pos`, then the pointer moved away (the next click is no double-click).
pub fn click(harness: &mut Harness<'_, MarginaliaApp>, pos: Pos2) {
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        harness.step();
    }
    harness.run();
    harness.hover_at(Pos2::new(5.0, 5.0));
    harness.run();
}
