//! Issue M 1: the fonts shipped in `assets/fonts` draw French, Russian, Greek, Arabic and Hebrew
//! text (and combining marks) with no system font at all: the headless harness has none, and
//! fails a frame that draws a missing glyph.

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use egui::{FontFamily, FontId};

mod common;

/// Every script of the torture corpus, and emoji (Noto Emoji's: a flag is one of the few it has).
const TEXT: &str = "Le ministre a déclaré « ça suffit » 😀👍🔥🇫🇷.\n\
    Президент заявил, что выборы пройдут.\n\
    Ο υπουργός δήλωσε ότι η ψηφοφορία θα γίνει.\n\
    قال المتحدث إن الانتخابات ستجري في موعدها.\n\
    אמר הדובר כי הבחירות יתקיימו במועדן.\n\
    Combining: e\u{301}te\u{301}, n\u{303}, a\u{308}.\n";

fn project_with(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join("scripts.txt"), text).unwrap();
    let project = dir.path().join("p.ron");
    marginalia::workspace::Workspace::from_folder(&corpus, "zoé")
        .unwrap()
        .save_as(&project)
        .unwrap();
    (dir, project)
}

#[test]
fn m_the_shipped_fonts_draw_arabic_hebrew_cyrillic_and_greek_without_system_fonts() {
    let (_dir, project) = project_with(TEXT);
    // `false`: the harness fails on any glyph it cannot draw.
    let harness = common::open(&project, false);
    let ctx = harness.ctx.clone();
    let font = FontId::new(14.0, FontFamily::Proportional);
    for line in TEXT.lines() {
        let drawable: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            ctx.fonts_mut(|f| f.has_glyphs(&font, &drawable)),
            "no glyph for some of {line:?}"
        );
    }
    let document = &harness.state().workspace().unwrap().project().documents[0];
    assert_eq!(&*document.text, TEXT);
}

#[test]
fn m_the_shipped_faces_come_before_the_system_fallback_in_order() {
    let names: Vec<&str> = marginalia::ui::fonts::names().collect();
    assert_eq!(
        names,
        [
            "NotoSans-Regular",
            "NotoEmoji-Regular",
            "NotoSansArabic-Regular",
            "NotoSansHebrew-Regular"
        ]
    );
    let (_dir, project) = project_with("Texte.\n");
    let harness = common::open(&project, false);
    let families = harness.ctx.fonts(|f| f.definitions().families.clone());
    let proportional = &families[&FontFamily::Proportional];
    // The text face first, egui's own faces next (Ubuntu Light, its icons), then emoji and the
    // script faces.
    assert_eq!(
        proportional.first().map(String::as_str),
        Some("NotoSans-Regular")
    );
    let position = |name: &str| proportional.iter().position(|n| n == name).unwrap();
    assert!(position("Ubuntu-Light") < position("NotoSansArabic-Regular"));
    assert!(position("egui-icons") < position("NotoEmoji-Regular"));
    assert!(position("NotoEmoji-Regular") < position("NotoSansHebrew-Regular"));
}

/// On a machine whose fontconfig lists no font, fontique panics while enumerating the system's
/// fonts, and egui's system font provider re-raised that on the thread laying out text: the
/// window closed on the first CJK character (seen under Xvfb with an empty fontconfig). Behind
/// the guard, a panicking provider costs boxes, and is asked once.
#[test]
fn m_a_system_font_provider_that_panics_draws_boxes_instead_of_closing_the_window() {
    use egui::epaint::text::{FallbackRequest, FontInsert};
    use marginalia::ui::fonts::SystemFallback;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static CALLS: AtomicUsize = AtomicUsize::new(0);
    fn no_font(_: &FallbackRequest<'_>) -> Option<FontInsert> {
        CALLS.fetch_add(1, Ordering::SeqCst);
        panic!("called `Result::unwrap()` on an `Err` value: NoMatch");
    }
    let guard = Arc::new(SystemFallback::wrapping(no_font));
    let ctx = egui::Context::default();
    ctx.add_font_provider(guard.clone());
    for text in ["北京 said 你好.", "東京 and 서울."] {
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            ui.label(text);
        });
        // No renderer here to take the font atlas.
        output.textures_delta.clear();
    }
    assert!(guard.is_broken());
    assert_eq!(
        CALLS.load(Ordering::SeqCst),
        1,
        "asked once, then left alone"
    );
}
