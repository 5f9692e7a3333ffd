//! The fonts Marginalia ships (`assets/fonts/`, SIL OFL 1.1), installed before any system font so
//! that a text looks the same on every machine: Noto Sans as the text face (Latin, Cyrillic,
//! Greek, combining marks), then egui's own (Ubuntu Light, its icons), then Noto Emoji
//! (monochrome: egui leaves it out unless built with `monochrome_emoji_fonts`), Noto Sans
//! Arabic and Noto Sans Hebrew. The system's fonts (fontconfig, through eframe's
//! `system_fonts`) remain the fallback for the rest, such as CJK.
//!
//! The faces are compiled into the binary (about 1.2 MB) and parsed when egui builds its font
//! atlas, on the first frame; `BENCHMARKS.md` has the start-up time with and without them.

use std::sync::atomic::{AtomicBool, Ordering};

use egui::epaint::text::{
    FallbackRequest, FontData, FontDefinitions, FontInsert, FontPriority, FontProvider,
};
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
        bytes: ARABIC,
        priority: FontPriority::Lowest,
    },
    Face {
        name: "NotoSansHebrew-Regular",
        bytes: HEBREW,
        priority: FontPriority::Lowest,
    },
];

/// The bytes of Noto Sans Arabic, which the text view also shapes with harfrust to find where
/// each letter of a right-to-left run is (see `text_view::bidi`).
pub const ARABIC: &[u8] = include_bytes!("../../assets/fonts/NotoSansArabic-Regular.ttf");
/// The bytes of Noto Sans Hebrew (as [`ARABIC`]).
pub const HEBREW: &[u8] = include_bytes!("../../assets/fonts/NotoSansHebrew-Regular.ttf");

/// The font families that lay out a right-to-left run of Arabic, or of Hebrew, with its spaces
/// and punctuation: the script's face first, so that egui shapes the whole run with it (right to
/// left, brackets mirrored) instead of cutting it at every space drawn with the text face.
pub const RTL_FAMILIES: [&str; 2] = ["marginalia-rtl-arabic", "marginalia-rtl-hebrew"];

/// Whether `ctx` has the right-to-left families (it has unless the shipped fonts were left out,
/// [`FONTS_ENV`]).
pub fn has_rtl_families(ctx: &Context) -> bool {
    ctx.fonts(|fonts| {
        RTL_FAMILIES.iter().all(|name| {
            fonts
                .definitions()
                .families
                .contains_key(&FontFamily::Name((*name).into()))
        })
    })
}

/// The environment variable that, set to `system`, leaves the shipped faces out (egui's own and
/// the system's only): for comparing start-up times, and for seeing what a machine has.
pub const FONTS_ENV: &str = "MARGINALIA_FONTS";

/// Installs the shipped faces into `ctx`, for proportional text (the document and the panels),
/// in one change of its font definitions (each `add_font` rebuilds egui's fonts when they are
/// unused yet, as on the first frame). Installing twice changes nothing.
pub fn install(ctx: &Context) {
    if std::env::var(FONTS_ENV).is_ok_and(|v| v == "system") {
        return;
    }
    ctx.set_fonts(definitions());
}

/// egui's font definitions with the shipped faces: the text face first, the others after egui's.
pub fn definitions() -> FontDefinitions {
    let mut definitions = FontDefinitions::default();
    for face in &FACES {
        definitions.font_data.insert(
            face.name.to_owned(),
            std::sync::Arc::new(FontData::from_static(face.bytes)),
        );
        let family = definitions
            .families
            .entry(FontFamily::Proportional)
            .or_default();
        match face.priority {
            FontPriority::Highest => family.insert(0, face.name.to_owned()),
            FontPriority::Lowest => family.push(face.name.to_owned()),
        }
    }
    let proportional = definitions
        .families
        .get(&FontFamily::Proportional)
        .cloned()
        .unwrap_or_default();
    for (name, first) in RTL_FAMILIES
        .iter()
        .zip(["NotoSansArabic-Regular", "NotoSansHebrew-Regular"])
    {
        let mut faces = vec![first.to_owned()];
        faces.extend(proportional.iter().filter(|f| *f != first).cloned());
        definitions
            .families
            .insert(FontFamily::Name((*name).into()), faces);
    }
    definitions
}

/// The names of the shipped faces, in the order they are installed.
pub fn names() -> impl Iterator<Item = &'static str> {
    FACES.iter().map(|f| f.name)
}

/// The system's fonts (fontconfig), asked for a character no installed face has, behind a guard.
/// On a machine whose fontconfig lists no font at all, `fontique` panics while it enumerates them
/// (`fontconfig.rs`, `unwrap()` on `NoMatch`) and the provider's first answer re-raises it on the
/// thread that lays out the text: the window closed on the first CJK character. The guard turns
/// that into "no system font" (a box, as for any character no font has), said once on stderr.
pub struct SystemFallback<P = egui_system_font_provider::SystemFontProvider> {
    inner: P,
    broken: AtomicBool,
}

impl SystemFallback {
    /// The system's fonts, enumerated on a background thread from now on.
    pub fn new() -> Self {
        Self::wrapping(egui_system_font_provider::SystemFontProvider::new())
    }
}

impl Default for SystemFallback {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: FontProvider> SystemFallback<P> {
    /// `inner` behind the guard.
    pub fn wrapping(inner: P) -> Self {
        Self {
            inner,
            broken: AtomicBool::new(false),
        }
    }

    /// True once the inner provider has failed: it is not asked again.
    pub fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Relaxed)
    }

    fn guarded<R: Default>(&self, ask: impl FnOnce(&P) -> R) -> R {
        if self.is_broken() {
            return R::default();
        }
        if let Ok(answer) =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ask(&self.inner)))
        {
            return answer;
        }
        self.broken.store(true, Ordering::Relaxed);
        eprintln!(
            "marginalia: the system's fonts cannot be read (does fontconfig list any?): \
             characters the shipped fonts lack are drawn as boxes"
        );
        R::default()
    }
}

impl<P: FontProvider> FontProvider for SystemFallback<P> {
    fn fonts_for_family(&self, family: &FontFamily) -> Vec<FontInsert> {
        self.guarded(|inner| inner.fonts_for_family(family))
    }

    fn font_for(&self, request: &FallbackRequest<'_>) -> Option<FontInsert> {
        self.guarded(|inner| inner.font_for(request))
    }
}
