//! The fonts Marginalia ships (`assets/fonts/`, SIL OFL 1.1), installed before any system font so
//! that a text looks the same on every machine: Noto Sans as the text face (Latin, Cyrillic,
//! Greek, combining marks), then egui's own (Ubuntu Light, its icons), then Noto Emoji
//! (monochrome: egui leaves it out unless built with `monochrome_emoji_fonts`), Noto Sans
//! Arabic and Noto Sans Hebrew. The system's fonts (fontconfig, through eframe's
//! `system_fonts`) remain the fallback for the rest, such as CJK.
//!
//! The faces are compiled into the binary (about 1.2 MB) and parsed when egui builds its font
//! atlas, on the first frame; `BENCHMARKS.md` has the start-up time with and without them.

use egui::epaint::text::{FontData, FontInsert, FontPriority, InsertFontFamily};
use egui::{Context, FontFamily};

/// A shipped face: its name in egui's font definitions, its bytes, and whether it goes before
/// egui's own faces (the text face) or after them (script fallbacks).
struct Face {
    name: &'static str,
    bytes: &'static [u8],
    priority: FontPriority,
}

const FACES: [Face; 4] = [
    Face {
        name: "NotoSans-Regular",
        bytes: include_bytes!("../../assets/fonts/NotoSans-Regular.ttf"),
        priority: FontPriority::Highest,
    },
    Face {
        name: "NotoEmoji-Regular",
        bytes: include_bytes!("../../assets/fonts/NotoEmoji-Regular.ttf"),
        priority: FontPriority::Lowest,
    },
    Face {
        name: "NotoSansArabic-Regular",
        bytes: include_bytes!("../../assets/fonts/NotoSansArabic-Regular.ttf"),
        priority: FontPriority::Lowest,
    },
    Face {
        name: "NotoSansHebrew-Regular",
        bytes: include_bytes!("../../assets/fonts/NotoSansHebrew-Regular.ttf"),
        priority: FontPriority::Lowest,
    },
];

/// The environment variable that, set to `system`, leaves the shipped faces out (egui's own and
/// the system's only): for comparing start-up times, and for seeing what a machine has.
pub const FONTS_ENV: &str = "MARGINALIA_FONTS";

/// Installs the shipped faces into `ctx`, for proportional text (the document and the panels).
/// Installing twice changes nothing.
pub fn install(ctx: &Context) {
    if std::env::var(FONTS_ENV).is_ok_and(|v| v == "system") {
        return;
    }
    for face in &FACES {
        ctx.add_font(FontInsert::new(
            face.name,
            FontData::from_static(face.bytes),
            vec![InsertFontFamily {
                family: FontFamily::Proportional,
                priority: face.priority,
            }],
        ));
    }
}

/// The names of the shipped faces, in the order they are installed.
pub fn names() -> impl Iterator<Item = &'static str> {
    FACES.iter().map(|f| f.name)
}
