//! Layouts of right-to-left text with the shipped fonts, as the text view makes them.

use super::*;
use egui::epaint::text::{Fonts, LayoutJob, TextFormat, TextOptions};
use egui::{Color32, FontId, vec2};

/// Lays out `text` wrapped at `width` with the shipped fonts, as the text view does.
fn lay_out(text: &str, width: f32) -> Laid {
    lay_out_with(text, width, true)
}

/// As [`lay_out`]; `families`: with the right-to-left families (else as with the system's
/// fonts only: a right-to-left run is laid out word by word).
fn lay_out_with(text: &str, width: f32, families: bool) -> Laid {
    let mut fonts = Fonts::new(TextOptions::default(), crate::ui::fonts::definitions());
    let mut measure = measure_with(&mut fonts, 22.0);
    layout(text, width, 16.0, families, &mut measure).expect("a reordered layout")
}

/// Lays out one row as the text view does (16 points, rows `line_height` high).
fn measure_with(
    fonts: &mut Fonts,
    line_height: f32,
) -> impl FnMut(&str, Option<Script>) -> Arc<Galley> + '_ {
    move |s: &str, script: Option<Script>| {
        let family = script.map_or(egui::FontFamily::Proportional, |script| {
            egui::FontFamily::Name(crate::ui::fonts::RTL_FAMILIES[script.index()].into())
        });
        let mut job = LayoutJob::single_section(
            s.to_owned(),
            TextFormat {
                font_id: FontId::new(16.0, family),
                color: Color32::WHITE,
                line_height: Some(line_height),
                ..Default::default()
            },
        );
        job.wrap.max_width = f32::INFINITY;
        fonts.with_pixels_per_point(1.0).layout_job(job)
    }
}

/// Each character's glyph (logical order): its char, rectangle and row.
fn glyphs(laid: &Laid) -> Vec<(char, Rect, usize)> {
    laid.galley
        .rows
        .iter()
        .enumerate()
        .flat_map(|(r, row)| {
            row.row.glyphs.iter().map(move |g| {
                let rect = row.rect();
                let x = row.pos.x + g.pos.x;
                (
                    g.chr,
                    Rect::from_min_max(pos2(x, rect.min.y), pos2(x + g.advance_width, rect.max.y)),
                    r,
                )
            })
        })
        .collect()
}

const ARABIC: &str = "قال المتحدث باسم الكرملين إن الجنود قاتلوا، بحسب وكالة تاس (TASS).";

#[test]
fn m_the_galley_positions_of_an_arabic_line_go_right_to_left() {
    for families in [true, false] {
        galley_positions_go_right_to_left(families);
    }
}

fn galley_positions_go_right_to_left(families: bool) {
    let laid = lay_out_with(ARABIC, 2_000.0, families);
    let glyphs = glyphs(&laid);
    assert_eq!(
        glyphs.len(),
        ARABIC.chars().count(),
        "one glyph per character"
    );
    assert_eq!(laid.galley.rows.len(), 1);
    // Each Arabic letter with a width is drawn left of the one before it.
    let letters: Vec<&(char, Rect, usize)> = glyphs
        .iter()
        .filter(|(c, r, _)| rtl_script(*c) && r.width() > 0.0)
        .collect();
    assert!(letters.len() > 40);
    for pair in letters.windows(2) {
        assert!(
            pair[1].1.max.x <= pair[0].1.min.x + 0.5,
            "{:?} after {:?} is not drawn to its left",
            pair[1],
            pair[0]
        );
    }
    // A right-to-left paragraph ends at the right margin, its first letter at the right.
    assert!((glyphs[0].1.max.x - 2_000.0).abs() < 0.5, "{:?}", glyphs[0]);
    // The Latin word quoted in it keeps its order, and its parentheses face it.
    let tass = ARABIC.chars().position(|c| c == 'T').unwrap();
    for i in tass..tass + 3 {
        assert!(glyphs[i].1.max.x <= glyphs[i + 1].1.min.x + 0.5);
    }
    let (open, close) = (glyphs[tass - 1], glyphs[tass + 4]);
    // (Pieces are put on whole pixels: a neighbour may overlap by less than one.)
    assert!(
        open.1.min.x >= glyphs[tass + 3].1.max.x - 1.0,
        "( right of TASS"
    );
    assert!(
        close.1.max.x <= glyphs[tass].1.min.x + 1.0,
        ") left of TASS"
    );
    // The full stop ends the sentence: on the far left.
    let stop = glyphs.last().unwrap();
    assert_eq!(stop.0, '.');
    assert!(glyphs.iter().all(|g| g.1.min.x >= stop.1.min.x - 0.5));
}

#[test]
fn m_a_french_sentence_quoting_arabic_keeps_its_order() {
    let text = "Il a dit « سلام عليكم » hier, 2024.";
    let laid = lay_out(text, 2_000.0);
    let glyphs = glyphs(&laid);
    let x = |needle: &str| {
        let i = text[..text.find(needle).unwrap()].chars().count();
        glyphs[i].1
    };
    // French runs left to right from the left margin.
    assert!(x("Il").min.x < 1.0);
    assert!(x("dit").min.x < x("«").min.x);
    assert!(x("«").max.x <= x("سلام").min.x + 0.5 || x("«").max.x <= x("عليكم").min.x + 0.5);
    // The quoted phrase reads right to left: its first word is to the right of its second.
    assert!(x("سلام").min.x > x("عليكم").max.x - 0.5);
    assert!(x("»").min.x >= x("سلام").max.x - 0.5);
    assert!(x("hier").min.x > x("»").min.x);
    assert!(x("2024").min.x > x("hier").min.x);
}

#[test]
fn m_hit_testing_and_carets_map_back_to_logical_offsets() {
    let text = "Le porte-parole : قال المتحدث باسم الكرملين (TASS), puis שלום עולם 42 fin.";
    for width in [2_000.0, 260.0] {
        let laid = lay_out(text, width);
        let glyphs = glyphs(&laid);
        let rtl = laid.rtl.clone().unwrap();
        for (i, (c, rect, _)) in glyphs.iter().enumerate() {
            if rect.width() < 2.0 {
                continue;
            }
            // A pointer on the leading half of a character is before it; on the trailing
            // half, after it (past any marks drawn with it).
            let (leading, trailing) = if rtl[i] {
                (rect.max.x - 0.5, rect.min.x + 0.5)
            } else {
                (rect.min.x + 0.5, rect.max.x - 0.5)
            };
            let y = rect.center().y;
            assert_eq!(
                laid.char_at(vec2(leading, y)),
                i,
                "{c:?} at {i}, width {width}"
            );
            let after = laid.char_at(vec2(trailing, y));
            assert!(after > i, "{c:?} at {i}: {after}");
            // The caret before a character stands at its leading edge.
            let caret = laid.caret_rect(i, true);
            let edge = if rtl[i] { rect.max.x } else { rect.min.x };
            assert!((caret.min.x - edge).abs() < 0.01, "{c:?} at {i}");
            assert!((caret.center().y - y).abs() < 0.01);
        }
        // The rectangles of a range cover its characters' glyphs and no other.
        let word = text.find("المتحدث").unwrap();
        let first = text[..word].chars().count();
        let last = first + "المتحدث باسم".chars().count();
        let rects = laid.range_rects(first, last);
        for (i, (_, rect, _)) in glyphs.iter().enumerate() {
            if rect.width() < 1.0 {
                continue;
            }
            let covered = rects.iter().any(|r| r.contains(rect.center()));
            assert_eq!(
                covered,
                (first..last).contains(&i),
                "char {i}, width {width}"
            );
        }
    }
}

#[test]
fn m_a_long_right_to_left_paragraph_wraps_at_spaces_and_aligns_right() {
    let text = ARABIC.repeat(6);
    let laid = lay_out(&text, 300.0);
    assert!(laid.galley.rows.len() > 5);
    assert_eq!(glyphs(&laid).len(), text.chars().count());
    let mut start = 0;
    for row in &laid.galley.rows {
        let glyphs = &row.row.glyphs;
        let drawn: Vec<_> = glyphs.iter().filter(|g| g.advance_width > 0.0).collect();
        let right = drawn.iter().map(|g| g.max_x()).fold(0.0, f32::max);
        let left = drawn.iter().map(|g| g.pos.x).fold(f32::INFINITY, f32::min);
        assert!(right <= 300.5 && left >= -0.5, "{left}..{right}");
        // Rows break after a space, never inside a word.
        start += glyphs.len();
        if start < text.chars().count() {
            assert_eq!(glyphs.last().map(|g| g.chr), Some(' '));
        }
        // Each row but the last is aligned on the right margin.
        if start < text.chars().count() {
            let first_letter = glyphs
                .iter()
                .find(|g| g.advance_width > 0.0 && g.chr != ' ');
            assert!(first_letter.is_some_and(|g| (g.max_x() - 300.0).abs() < 0.5));
        }
    }
}

#[test]
fn m_a_label_with_arabic_gives_egui_its_words_in_visual_order() {
    assert_eq!(visual("Le Kremlin"), "Le Kremlin");
    // Each word keeps its letters (egui's shaper draws them right to left), the words of
    // the run come in reverse, and a bracket drawn right to left is mirrored.
    assert_eq!(visual("المتحدث باسم الكرملين"), "الكرملين باسم المتحدث");
    assert_eq!(visual("وكالة تاس (TASS)"), "(TASS) تاس وكالة");
    assert_eq!(visual("Read more: الأخبار اليوم"), "Read more: اليوم الأخبار");
    assert_eq!(visual("« שלום עכשיו »"), "« עכשיו שלום »");
    // What egui then draws, with the shipped fonts, reads right to left.
    let mut fonts = Fonts::new(TextOptions::default(), crate::ui::fonts::definitions());
    let text = "قال المتحدث باسم الكرملين";
    let galley = fonts
        .with_pixels_per_point(1.0)
        .layout_job(LayoutJob::simple_singleline(
            visual(text).into_owned(),
            FontId::proportional(16.0),
            Color32::WHITE,
        ));
    // The first word's first letter (the only qaf) is drawn right of every other glyph.
    let glyphs = &galley.rows[0].row.glyphs;
    let qaf = glyphs.iter().find(|g| g.chr == 'ق').unwrap();
    assert!(
        glyphs
            .iter()
            .filter(|g| g.advance_width > 0.0 && g.chr != 'ق')
            .all(|g| g.pos.x < qaf.pos.x)
    );
}

#[test]
fn m_a_search_hit_in_arabic_context_is_drawn_in_its_place() {
    // "باسم" found in "قال المتحدث باسم الكرملين": the words in visual order, the hit
    // apart, between the words drawn at its left and at its right.
    let text = "قال المتحدث باسم الكرملين";
    let hit = text.find("باسم").unwrap();
    let sections = visual_sections(text, hit..hit + "باسم".len());
    assert_eq!(
        sections,
        [
            ("الكرملين ".to_owned(), false),
            ("باسم".to_owned(), true),
            (" المتحدث قال".to_owned(), false),
        ]
    );
    // A hit inside a word cuts it: its part drawn left of the hit's comes first.
    let text = "Le mot سلام ici";
    let hit = text.find("لا").unwrap();
    let sections = visual_sections(text, hit..hit + "لا".len());
    assert_eq!(
        sections,
        [
            ("Le mot م".to_owned(), false),
            ("لا".to_owned(), true),
            ("س ici".to_owned(), false),
        ]
    );
    // Left-to-right text is cut as it is.
    assert_eq!(
        visual_sections("dit Kim hier", 4..7),
        [
            ("dit ".to_owned(), false),
            ("Kim".to_owned(), true),
            (" hier".to_owned(), false),
        ]
    );
}

#[test]
fn m_only_text_with_right_to_left_characters_is_reordered() {
    assert!(!needs_reordering(
        "Le Kremlin a dit « non ». Ёлка, Ελλάδα, e\u{301}, 😀"
    ));
    assert!(needs_reordering("La équipe écrit سلام ici"));
    assert!(needs_reordering("שלום"));
    assert!(needs_reordering("chiffres ١٢٣"));
    assert!(needs_reordering("\u{202e}override"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn m_any_text_lays_out_with_one_glyph_per_char_or_falls_back(
        text in "(\\PC|[\u{0590}-\u{06ff} \u{200c}-\u{200f}\u{202a}-\u{202e}\u{2066}-\u{2069}\r\t]){0,60}",
        width in 20.0_f32..400.0,
    ) {
        let mut fonts = Fonts::new(TextOptions::default(), crate::ui::fonts::definitions());
        let mut measure = measure_with(&mut fonts, 19.0);
        let laid = layout(&text, width, 16.0, true, &mut measure);
        proptest::prop_assert!(laid.is_some() || text.is_empty(), "none for {:?}", text);
        if let Some(laid) = laid {
            let count = text.chars().count();
            proptest::prop_assert_eq!(glyphs(&laid).len(), count);
            for x in [-10.0, 0.0, width / 2.0, width + 10.0] {
                for y in [-10.0, 5.0, 40.0, 1_000.0] {
                    proptest::prop_assert!(laid.char_at(vec2(x, y)) <= count);
                }
            }
            for i in 0..=count {
                proptest::prop_assert!(laid.caret_rect(i, true).min.x.is_finite());
            }
        }
    }

    #[test]
    fn m_any_mixed_line_has_one_glyph_per_char_and_hits_land_on_boundaries(
        parts in proptest::collection::vec(proptest::sample::select(vec![
            "سلام", "عليكم", "לא", "שלום", "Kim", "é", "e\u{301}", " ", "  ", "(", ")", "«",
            "»", ".", "،", "42", "١٢٣", "😀", "🇫🇷", "\u{200f}", "\u{202b}", "\u{202c}", "لا",
            "بِسْمِ", "\t",
        ]), 1..24),
        width in 40.0_f32..600.0,
        families in proptest::bool::ANY,
    ) {
        let text: String = parts.concat();
        let laid = {
            let mut fonts =
                Fonts::new(TextOptions::default(), crate::ui::fonts::definitions());
            let mut measure = measure_with(&mut fonts, 19.0);
            layout(&text, width, 16.0, families, &mut measure)
        };
        proptest::prop_assert!(laid.is_some(), "no layout for {:?}", text);
        let Some(laid) = laid else { return Ok(()) };
        let count = text.chars().count();
        let glyphs = glyphs(&laid);
        proptest::prop_assert_eq!(glyphs.len(), count);
        let boundaries: Vec<usize> = (0..=count).collect();
        for (_, rect, _) in &glyphs {
            for x in [rect.min.x - 3.0, rect.center().x, rect.max.x + 3.0] {
                let at = laid.char_at(vec2(x, rect.center().y));
                proptest::prop_assert!(boundaries.contains(&at));
            }
        }
        for i in 0..=count {
            let caret = laid.caret_rect(i, true);
            proptest::prop_assert!(caret.min.x.is_finite() && caret.min.y.is_finite());
        }
        let rects = laid.range_rects(0, count);
        proptest::prop_assert!(rects.iter().all(Rect::is_finite));
    }
}
