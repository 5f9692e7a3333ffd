//! Right-to-left text (UAX #9, with the `unicode-bidi` crate).
//!
//! egui 0.37 shapes Arabic and Hebrew (harfrust joins the letters) but places every row left to
//! right: it cuts a text into runs by font face (a space is drawn with the text face, so every
//! Arabic word is a run of its own), places the runs left to right, and a right-to-left run comes
//! out of its shaper in visual order with its glyphs no longer one per character, which breaks
//! egui's own cursors on such a line. So a block with right-to-left text is laid out here:
//!
//! 1. each paragraph's levels (`BidiInfo`), and its runs of one level: left-to-right runs, laid
//!    out by egui as they are; right-to-left runs with their spaces and punctuation, shaped by
//!    harfrust with the script's shipped face to know each letter's advance; single graphemes
//!    for what the face lacks and for neutral characters drawn right to left (mirrored);
//! 2. the graphemes wrapped at `max_width` (after a space, else where the row is full);
//! 3. each row's pieces (a run's part on the row, at its level after rule L1) laid out by egui
//!    (a right-to-left piece with a family whose first face is its script's, so that it is one
//!    run shaped right to left, brackets mirrored) and put in visual order (rule L2);
//! 4. a galley that egui paints as any other, with one glyph per character in logical order at
//!    the place where it is drawn. A right-to-left paragraph's rows are aligned to the right.
//!
//! A [`Laid`] block answers the text view's questions (where a character is drawn, which one is
//! under the pointer, which rectangles a range covers) for both kinds of block: an egui galley's
//! rows go left to right, a reordered one's glyphs are looked up one by one.

use std::ops::Range;
use std::sync::Arc;

use egui::epaint::text::{Galley, Glyph, PlacedRow, Row};
use egui::{Pos2, Rect, pos2, vec2};
use unicode_bidi::{BidiClass, BidiInfo, Level};
use unicode_segmentation::UnicodeSegmentation as _;

/// A block laid out: its galley and, when its rows were put in visual order here, whether each
/// character (in logical order) is drawn right to left.
#[derive(Clone)]
pub(super) struct Laid {
    pub galley: Arc<Galley>,
    pub rtl: Option<Arc<[bool]>>,
}

/// Whether a text needs its rows put in visual order: it has right-to-left characters (Hebrew,
/// Arabic, Arabic digits) or explicit direction marks.
pub(super) fn needs_reordering(text: &str) -> bool {
    use BidiClass::{AL, AN, FSI, LRE, LRI, LRO, R, RLE, RLI, RLO};
    !text.is_ascii()
        && text.chars().any(|c| {
            // Every right-to-left class and direction mark is at U+0590 or above.
            c >= '\u{590}'
                && matches!(
                    unicode_bidi::bidi_class(c),
                    R | AL | AN | RLE | RLO | RLI | LRE | LRO | LRI | FSI
                )
        })
}

/// Characters of the scripts harfrust shapes right to left (Hebrew, Arabic, Syriac, Thaana, N'Ko
/// and their presentation forms, and the historic scripts of the right-to-left planes).
fn rtl_script(c: char) -> bool {
    matches!(c as u32,
        0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
}

/// How `visual` cuts a label: into words of right-to-left letters, runs of left-to-right
/// characters, and single graphemes (spaces, neutral characters, right-to-left digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Single,
    Run,
    RtlWord,
}

/// The mirrored form of a bracket drawn right to left (`Bidi_Mirroring_Glyph` of the common ones).
fn mirrored(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        '⁅' => '⁆',
        '⁆' => '⁅',
        _ => c,
    }
}

/// Cuts `text[range]` (one paragraph) into pieces, in logical order.
fn cut(text: &str, range: Range<usize>, levels: &[Level]) -> Vec<(Range<usize>, Kind, bool)> {
    let mut pieces: Vec<(Range<usize>, Kind, bool)> = Vec::new();
    let Some(paragraph) = text.get(range.clone()) else {
        return pieces;
    };
    for (offset, grapheme) in paragraph.grapheme_indices(true) {
        let start = range.start + offset;
        let end = start + grapheme.len();
        let first = grapheme.chars().next().unwrap_or(' ');
        let level = levels.get(start).copied().unwrap_or_else(Level::ltr);
        let space = first.is_whitespace();
        let kind = if space {
            Kind::Single
        } else if rtl_script(first) || first == '\u{200c}' || first == '\u{200d}' {
            if level.is_rtl() {
                Kind::RtlWord
            } else {
                Kind::Single
            }
        } else if level.is_rtl() {
            Kind::Single
        } else {
            Kind::Run
        };
        if let Some((last, last_kind, _)) = pieces.last_mut()
            && kind != Kind::Single
            && *last_kind == kind
            && levels.get(last.start) == Some(&level)
        {
            last.end = end;
            continue;
        }
        pieces.push((start..end, kind, space));
    }
    pieces
}

/// The script of a right-to-left run: which face shapes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Script {
    Arabic,
    Hebrew,
}

impl Script {
    /// The script of a run: Hebrew if its first right-to-left letter is, else Arabic (and the
    /// other scripts, which Noto Sans Arabic does not draw either way).
    fn of(text: &str) -> Self {
        match text.chars().find(|c| rtl_script(*c)) {
            Some('\u{0590}'..='\u{05ff}' | '\u{fb1d}'..='\u{fb4f}') => Self::Hebrew,
            _ => Self::Arabic,
        }
    }

    /// Its index in `fonts::RTL_FAMILIES`.
    pub fn index(self) -> usize {
        match self {
            Self::Arabic => 0,
            Self::Hebrew => 1,
        }
    }
}

/// Lays out a string on one row with the block's format: with the text's family (`None`), or
/// with the family that shapes a right-to-left run of that script whole (see
/// `fonts::RTL_FAMILIES`).
pub(super) type Measure<'a> = dyn FnMut(&str, Option<Script>) -> Arc<Galley> + 'a;

/// A shipped face, parsed for harfrust: where each letter of a right-to-left run is, which egui
/// does not say (its glyphs come out of the shaper in visual order, by cluster).
struct Shaper {
    font: harfrust::FontRef<'static>,
    data: harfrust::ShaperData,
}

fn shaper(script: Script) -> Option<&'static Shaper> {
    static SHAPERS: std::sync::OnceLock<[Option<Shaper>; 2]> = std::sync::OnceLock::new();
    let shapers = SHAPERS.get_or_init(|| {
        [crate::ui::fonts::ARABIC, crate::ui::fonts::HEBREW].map(|bytes| {
            let font = harfrust::FontRef::new(bytes).ok()?;
            let data = harfrust::ShaperData::new(&font);
            Some(Shaper { font, data })
        })
    });
    shapers.get(script.index())?.as_ref()
}

/// The advance (in points, for `font_size`) of each grapheme of a right-to-left `text` shaped
/// with `script`'s face, in logical order, and whether the face draws it. A cluster the shaper
/// made of several graphemes (lam-alef) is shared among them.
fn rtl_advances(text: &str, script: Script, font_size: f32) -> Option<Vec<(usize, f32, bool)>> {
    let face = shaper(script)?;
    let shaped = face.data.shaper(&face.font).build();
    let scale = font_size / shaped.units_per_em().max(1) as f32;
    let mut buffer = harfrust::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    buffer.set_direction(harfrust::Direction::RightToLeft);
    let glyphs = shaped.shape(buffer, harfrust::ShapeOptions::new());
    // Advance and coverage of each cluster, by its first byte.
    let mut clusters: std::collections::BTreeMap<usize, (f32, bool)> =
        std::collections::BTreeMap::new();
    for (info, position) in glyphs.glyph_infos().iter().zip(glyphs.glyph_positions()) {
        let entry = clusters.entry(info.cluster as usize).or_insert((0.0, true));
        entry.0 += position.x_advance as f32 * scale;
        entry.1 &= info.glyph_id != 0;
    }
    let starts: Vec<usize> = text.grapheme_indices(true).map(|(i, _)| i).collect();
    let mut advances: Vec<(usize, f32, bool)> = starts.iter().map(|&i| (i, 0.0, true)).collect();
    let bounds: Vec<usize> = clusters.keys().copied().collect();
    for (k, (&from, &(advance, covered))) in clusters.iter().enumerate() {
        let to = bounds.get(k + 1).copied().unwrap_or(text.len());
        let (first, last) = (
            starts.partition_point(|&s| s < from),
            starts.partition_point(|&s| s < to),
        );
        // A cluster that starts inside a grapheme adds to that grapheme.
        let owners = if first < last {
            first..last
        } else {
            let g = starts.partition_point(|&s| s <= from).saturating_sub(1);
            g..g + 1
        };
        let share = advance / owners.len().max(1) as f32;
        for g in owners {
            if let Some(slot) = advances.get_mut(g) {
                slot.1 += share;
                slot.2 &= covered;
            }
        }
    }
    Some(advances)
}

/// How a run of a paragraph is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RunKind {
    /// Left-to-right characters (spaces included): egui's glyphs are one per character.
    Ltr,
    /// A right-to-left run, spaces and punctuation included when the script's family is
    /// installed (else one word): egui shapes it whole with that family.
    Rtl(Script),
    /// One grapheme on its own (a right-to-left digit, a character the script's face lacks, a
    /// neutral drawn right to left, mirrored).
    Single,
}

/// A grapheme of a paragraph: its bytes, run, width (points) and whether a row may end after it.
#[derive(Clone, Copy, Debug)]
struct Atom {
    start: usize,
    end: usize,
    run: usize,
    width: f32,
    space: bool,
}

/// A galley and where each of its characters is (left edge, width), in logical order.
type Measured = (Arc<Galley>, Vec<(f32, f32)>);

/// A run in logical order: its bytes, kind, level, and (left to right) its galley and where its
/// characters are, when it was laid out whole to measure it.
struct Run {
    range: Range<usize>,
    kind: RunKind,
    level: Level,
    laid: Option<Measured>,
}

/// A part of a row drawn in one direction: its galley and where its characters are (left edge in
/// the piece and width of each, in logical order).
struct Piece {
    range: Range<usize>,
    level: Level,
    galley: Arc<Galley>,
    chars: Vec<(f32, f32)>,
}

impl Piece {
    fn width(&self) -> f32 {
        self.galley.rows.first().map_or(0.0, |r| r.row.size.x)
    }
}

/// Where each character of a one-row galley of `text` is, left to right: from egui's glyphs
/// (one per character) when they are, else spread evenly by grapheme.
fn ltr_chars(text: &str, galley: &Galley) -> Vec<(f32, f32)> {
    let width = galley.rows.first().map_or(0.0, |r| r.row.size.x);
    let count = text.chars().count();
    if let Some(glyphs) = galley.rows.first().map(|r| &r.row.glyphs)
        && glyphs.len() == count
    {
        return glyphs
            .iter()
            .enumerate()
            .map(|(i, glyph)| {
                let next = glyphs.get(i + 1).map_or(width, |g| g.pos.x);
                (glyph.pos.x, (next - glyph.pos.x).max(0.0))
            })
            .collect();
    }
    let graphemes = text.graphemes(true).count().max(1);
    let share = width / graphemes as f32;
    let mut chars = Vec::with_capacity(count);
    for (g, grapheme) in text.graphemes(true).enumerate() {
        let left = g as f32 * share;
        for (j, _) in grapheme.chars().enumerate() {
            chars.push(if j == 0 {
                (left, share)
            } else {
                (left + share, 0.0)
            });
        }
    }
    chars
}

/// Where each character of a right-to-left piece drawn `width` wide is, from its graphemes'
/// advances (logical order): the first grapheme at the right. A grapheme's other characters
/// stand at its trailing (left) edge.
fn rtl_chars(text: &str, advances: &[f32], width: f32) -> Vec<(f32, f32)> {
    let total: f32 = advances.iter().sum();
    let scale = if total > 0.0 { width / total } else { 0.0 };
    let mut right = width;
    let mut chars = Vec::new();
    for (grapheme, advance) in text
        .graphemes(true)
        .zip(advances.iter().chain(std::iter::repeat(&0.0)))
    {
        let w = advance * scale;
        let left = (right - w).max(0.0);
        for (j, _) in grapheme.chars().enumerate() {
            chars.push(if j == 0 { (left, w) } else { (left, 0.0) });
        }
        right = left;
    }
    chars
}

/// Cuts a paragraph into runs and graphemes, each measured. `families`: the right-to-left
/// families are installed (else a right-to-left run is one word).
fn runs(
    text: &str,
    paragraph: &unicode_bidi::ParagraphInfo,
    levels: &[Level],
    font_size: f32,
    families: bool,
    measure: &mut Measure<'_>,
) -> (Vec<Run>, Vec<Atom>) {
    // Candidates: graphemes grouped by level and by how they would be laid out.
    let mut candidates: Vec<(Range<usize>, RunKind, Level)> = Vec::new();
    let paragraph_text = text.get(paragraph.range.clone()).unwrap_or_default();
    for (offset, grapheme) in paragraph_text.grapheme_indices(true) {
        let start = paragraph.range.start + offset;
        let end = start + grapheme.len();
        let first = grapheme.chars().next().unwrap_or(' ');
        let level = levels.get(start).copied().unwrap_or_else(Level::ltr);
        let letter = rtl_script(first) || first == '\u{200c}' || first == '\u{200d}';
        let kind = if level.is_rtl() {
            if letter || families {
                RunKind::Rtl(Script::Arabic)
            } else {
                RunKind::Single
            }
        } else if letter {
            RunKind::Single
        } else {
            RunKind::Ltr
        };
        if let Some((last, last_kind, last_level)) = candidates.last_mut()
            && kind != RunKind::Single
            && *last_kind == kind
            && *last_level == level
        {
            last.end = end;
            continue;
        }
        candidates.push((start..end, kind, level));
    }
    let mut runs = Vec::new();
    let mut atoms = Vec::new();
    for (range, kind, level) in candidates {
        let slice = text.get(range.clone()).unwrap_or_default();
        let graphemes = slice.grapheme_indices(true).map(|(offset, grapheme)| Atom {
            start: range.start + offset,
            end: range.start + offset + grapheme.len(),
            run: 0,
            width: 0.0,
            space: grapheme.starts_with(char::is_whitespace),
        });
        match kind {
            RunKind::Rtl(_) => {
                let script = Script::of(slice);
                let advances = rtl_advances(slice, script, font_size).unwrap_or_default();
                // Graphemes the face lacks are drawn one by one, the others in runs shaped
                // whole (see `push_rtl_run`). `advances` has one entry per grapheme, in order.
                let mut pending: Vec<Atom> = Vec::new();
                let uncovered = std::iter::repeat(&(0, 0.0, false));
                for (mut atom, &(_, advance, covered)) in
                    graphemes.zip(advances.iter().chain(uncovered))
                {
                    atom.width = advance;
                    if covered && (families || !atom.space) {
                        pending.push(atom);
                    } else {
                        push_rtl_run(text, &mut pending, script, level, &mut runs, &mut atoms);
                        push_single(atom, level, &mut runs, &mut atoms);
                    }
                }
                push_rtl_run(text, &mut pending, script, level, &mut runs, &mut atoms);
            }
            RunKind::Ltr | RunKind::Single => {
                runs.push(Run {
                    range: range.clone(),
                    kind,
                    level,
                    laid: None,
                });
                let run = runs.len() - 1;
                atoms.extend(graphemes.map(|atom| Atom { run, ..atom }));
            }
        }
    }
    // Left-to-right runs and single graphemes are measured by egui, whole. A run's atoms follow
    // each other (the atoms are in the runs' order).
    for (index, run) in runs.iter_mut().enumerate() {
        if matches!(run.kind, RunKind::Rtl(_)) {
            continue;
        }
        let slice = text.get(run.range.clone()).unwrap_or_default();
        let galley = measure(&shown(slice, run.level), None);
        let chars = ltr_chars(slice, &galley);
        let first = atoms.partition_point(|a| a.run < index);
        let last = atoms.partition_point(|a| a.run <= index);
        let mut chars_of = chars.iter();
        for atom in atoms.get_mut(first..last).unwrap_or_default() {
            let count = text
                .get(atom.start..atom.end)
                .map_or(0, |g| g.chars().count());
            atom.width = chars_of.by_ref().take(count).map(|c| c.1).sum();
        }
        run.laid = Some((galley, chars));
    }
    (runs, atoms)
}

/// Ends the right-to-left run being built from `pending` (graphemes its face draws, in order):
/// one run shaped whole, or, when it has no right-to-left letter (brackets, punctuation between
/// two Latin names), its graphemes one by one, since egui's shaper would take them left to right.
fn push_rtl_run(
    text: &str,
    pending: &mut Vec<Atom>,
    script: Script,
    level: Level,
    runs: &mut Vec<Run>,
    atoms: &mut Vec<Atom>,
) {
    let (Some(first), Some(last)) = (pending.first(), pending.last()) else {
        return;
    };
    let range = first.start..last.end;
    if text
        .get(range.clone())
        .is_some_and(|s| s.chars().any(rtl_script))
    {
        runs.push(Run {
            range,
            kind: RunKind::Rtl(script),
            level,
            laid: None,
        });
        let run = runs.len() - 1;
        atoms.extend(pending.drain(..).map(|atom| Atom { run, ..atom }));
    } else {
        for atom in pending.drain(..) {
            push_single(atom, level, runs, atoms);
        }
    }
}

/// A grapheme drawn on its own: a run of its own.
fn push_single(atom: Atom, level: Level, runs: &mut Vec<Run>, atoms: &mut Vec<Atom>) {
    runs.push(Run {
        range: atom.start..atom.end,
        kind: RunKind::Single,
        level,
        laid: None,
    });
    atoms.push(Atom {
        run: runs.len() - 1,
        ..atom
    });
}

/// What egui is given to draw `slice` at `level`: its brackets mirrored when it is drawn right
/// to left on its own (a right-to-left run shaped whole is mirrored by the shaper).
fn shown(slice: &str, level: Level) -> String {
    if level.is_rtl() {
        slice.chars().map(mirrored).collect()
    } else {
        slice.to_owned()
    }
}

/// Cuts a paragraph's graphemes into rows no wider than `max_width`: after a space where there
/// is one, else where the row is full. Spaces at a row's end hang past it.
fn wrap(atoms: &[Atom], max_width: f32) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut x = 0.0;
    let mut last_break = None;
    for (i, atom) in atoms.iter().enumerate() {
        if !atom.space && x + atom.width > max_width && i > start {
            let cut = last_break.filter(|&b| b > start).unwrap_or(i);
            lines.push(start..cut);
            start = cut;
            x = atoms
                .get(cut..i)
                .unwrap_or_default()
                .iter()
                .map(|a| a.width)
                .sum();
            last_break = None;
        }
        x += atom.width;
        if atom.space {
            last_break = Some(i + 1);
        }
    }
    if start < atoms.len() {
        lines.push(start..atoms.len());
    }
    lines
}

/// The pieces of a row (atoms `line` of the paragraph): its graphemes grouped by run and by
/// level after the row's rule L1 (spaces at the row's end take the paragraph's direction), each
/// laid out.
fn row_pieces(
    text: &str,
    runs: &[Run],
    atoms: &[Atom],
    levels: &[Level],
    families: bool,
    measure: &mut Measure<'_>,
) -> Vec<Piece> {
    let mut groups: Vec<(Range<usize>, usize, Level, Vec<f32>)> = Vec::new();
    for atom in atoms {
        let level = levels.get(atom.start).copied().unwrap_or_else(Level::ltr);
        if let Some((range, run, last_level, widths)) = groups.last_mut()
            && *run == atom.run
            && *last_level == level
        {
            range.end = atom.end;
            widths.push(atom.width);
            continue;
        }
        groups.push((atom.start..atom.end, atom.run, level, vec![atom.width]));
    }
    groups
        .into_iter()
        .filter_map(|(range, run_index, level, widths)| {
            let run = runs.get(run_index)?;
            let slice = text.get(range.clone())?;
            let (galley, chars) = match run.kind {
                RunKind::Rtl(script) if level.is_rtl() => {
                    let galley = measure(slice, families.then_some(script));
                    let width = galley.rows.first().map_or(0.0, |r| r.row.size.x);
                    let chars = rtl_chars(slice, &widths, width);
                    (galley, chars)
                }
                _ => match &run.laid {
                    Some((galley, chars)) if run.range == range => (galley.clone(), chars.clone()),
                    _ => {
                        let galley = measure(&shown(slice, level), None);
                        let chars = ltr_chars(slice, &galley);
                        (galley, chars)
                    }
                },
            };
            Some(Piece {
                range,
                level,
                galley,
                chars,
            })
        })
        .collect()
}

/// Lays out a block with right-to-left text, wrapped at `max_width` with `font_size` points:
/// `measure` lays out a string on one row with the block's format (`families`: with the
/// right-to-left families too). `None` when egui gave nothing to build on.
pub(super) fn layout(
    text: &str,
    max_width: f32,
    font_size: f32,
    families: bool,
    measure: &mut Measure<'_>,
) -> Option<Laid> {
    let info = BidiInfo::new(text, None);
    let mut template: Option<(Arc<Galley>, Arc<Row>, Glyph)> = None;
    let mut rows: Vec<PlacedRow> = Vec::new();
    let mut rtl: Vec<bool> = Vec::with_capacity(text.len());
    let mut widest = 0.0_f32;
    let mut glyph_count = 0;
    let (mut vertices, mut indices) = (0, 0);
    let mut mesh_bounds = Rect::NOTHING;
    for paragraph in &info.paragraphs {
        let (runs, atoms) = runs(text, paragraph, &info.levels, font_size, families, measure);
        for line in wrap(&atoms, max_width) {
            let line_atoms = atoms.get(line)?;
            let (Some(first), Some(last)) = (line_atoms.first(), line_atoms.last()) else {
                continue;
            };
            let levels = info.reordered_levels(paragraph, first.start..last.end);
            let pieces = row_pieces(text, &runs, line_atoms, &levels, families, measure);
            if template.is_none() {
                template = pieces.iter().find_map(|p| {
                    let row = p.galley.rows.first()?.row.clone();
                    let glyph = row.glyphs.first().copied()?;
                    Some((p.galley.clone(), row, glyph))
                });
            }
            let Some((_, template_row, template_glyph)) = &template else {
                continue;
            };
            let row_height = template_row.size.y;
            let piece_levels: Vec<Level> = pieces.iter().map(|p| p.level).collect();
            let order = BidiInfo::reorder_visual(&piece_levels);
            let width: f32 = pieces.iter().map(Piece::width).sum();
            let start_x = if paragraph.level.is_rtl() && max_width.is_finite() {
                (max_width - width).max(0.0)
            } else {
                0.0
            };
            let pixels_per_point = template
                .as_ref()
                .map_or(1.0, |(g, _, _)| g.pixels_per_point.max(0.1));
            let mut x = start_x;
            // Where each piece of the row is drawn (on whole pixels, as egui puts its glyphs),
            // then the row: glyphs in logical order.
            let mut lefts = vec![0.0_f32; pieces.len()];
            let mut mesh = egui::epaint::Mesh::default();
            for &visual in &order {
                let Some(piece) = pieces.get(visual) else {
                    continue;
                };
                let left = (x * pixels_per_point).round() / pixels_per_point;
                if let Some(slot) = lefts.get_mut(visual) {
                    *slot = left;
                }
                if let Some(row) = piece.galley.rows.first() {
                    let mut part = row.row.visuals.mesh.clone();
                    part.translate(vec2(left + row.pos.x, 0.0));
                    mesh.append(part);
                }
                x += piece.width();
            }
            let mut glyphs: Vec<Glyph> = Vec::new();
            for (i, piece) in pieces.iter().enumerate() {
                let left = lefts.get(i).copied().unwrap_or(0.0);
                let drawn_rtl = piece.level.is_rtl();
                let source = piece.galley.rows.first().and_then(|r| r.row.glyphs.first());
                let chars = text.get(piece.range.clone()).unwrap_or_default().chars();
                for (c, &(at, advance)) in chars.zip(&piece.chars) {
                    let mut glyph = *source.unwrap_or(template_glyph);
                    glyph.chr = c;
                    glyph.pos = pos2(left + at, glyph.pos.y);
                    glyph.advance_width = advance;
                    glyph.is_color = false;
                    glyph.first_vertex = 0;
                    glyphs.push(glyph);
                    rtl.push(drawn_rtl);
                }
            }
            let top = rows.len() as f32 * row_height;
            // The row ends where its last piece does (its start is 0, or the right
            // alignment's margin).
            let row_width = x;
            widest = widest.max(row_width);
            let bounds = mesh.calc_bounds();
            if bounds.is_positive() {
                mesh_bounds = mesh_bounds.union(bounds.translate(vec2(0.0, top)));
            }
            vertices += mesh.vertices.len();
            indices += mesh.indices.len();
            let mut row: Row = (**template_row).clone();
            row.size = vec2(row_width, row_height);
            row.visuals.glyph_vertex_range = 0..mesh.vertices.len();
            row.visuals.mesh_bounds = bounds;
            row.visuals.mesh = mesh;
            row.visuals.glyph_index_start = glyph_count;
            glyph_count += glyphs.len();
            row.glyphs = glyphs;
            rows.push(PlacedRow {
                pos: pos2(0.0, top),
                row: Arc::new(row),
                ends_with_newline: false,
            });
        }
    }
    let (template, template_row, _) = template?;
    if rows.is_empty() || rtl.len() != text.chars().count() {
        return None;
    }
    let mut galley: Galley = (*template).clone();
    let height = rows.len() as f32 * template_row.size.y;
    galley.rect = Rect::from_min_size(Pos2::ZERO, vec2(widest, height));
    galley.mesh_bounds = mesh_bounds;
    galley.num_vertices = vertices;
    galley.num_indices = indices;
    galley.rows = rows;
    Some(Laid {
        galley: Arc::new(galley),
        rtl: Some(rtl.into()),
    })
}

/// A one-line text (a label: a span's text in a list, a search hit's context) with its
/// right-to-left runs put in visual order for egui, which shapes each right-to-left word itself
/// (its letters in the text's order) but places the words and the marks between them left to
/// right: the words of each run are given in reverse, its brackets mirrored. Text without
/// right-to-left characters is returned as it is. For display only: copying the result would
/// copy the visual order.
pub(crate) fn visual(text: &str) -> std::borrow::Cow<'_, str> {
    if !needs_reordering(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        visual_pieces(text, &[])
            .into_iter()
            .map(|(_, s)| s)
            .collect(),
    )
}

/// As [`visual`], for a label drawn in parts: `mark` (bytes of `text`, a search hit in its
/// context) is drawn apart. The parts in visual order, each with whether it is in `mark`.
pub(crate) fn visual_sections(text: &str, mark: Range<usize>) -> Vec<(String, bool)> {
    let pieces = if needs_reordering(text) {
        visual_pieces(text, &[mark.start, mark.end])
    } else {
        [0..mark.start, mark.clone(), mark.end..text.len()]
            .into_iter()
            .map(|r| (r.clone(), text.get(r).unwrap_or_default().to_owned()))
            .collect()
    };
    let mut sections: Vec<(String, bool)> = Vec::new();
    for (range, shown) in pieces {
        if shown.is_empty() {
            continue;
        }
        let marked = range.start >= mark.start && range.end <= mark.end && !mark.is_empty();
        match sections.last_mut() {
            Some((last, last_marked)) if *last_marked == marked => last.push_str(&shown),
            _ => sections.push((shown, marked)),
        }
    }
    sections
}

/// The pieces of a one-line `text` in visual order, also cut at the byte offsets `cuts`: the
/// bytes of each, and what egui is given for it (mirrored when a neutral drawn right to left).
fn visual_pieces(text: &str, cuts: &[usize]) -> Vec<(Range<usize>, String)> {
    let info = BidiInfo::new(text, None);
    let mut out = Vec::new();
    for paragraph in &info.paragraphs {
        let mut pieces = Vec::new();
        for (range, kind, space) in cut(text, paragraph.range.clone(), &info.levels) {
            let mut start = range.start;
            for &at in cuts {
                if at > start && at < range.end && text.is_char_boundary(at) {
                    pieces.push((start..at, kind, space));
                    start = at;
                }
            }
            pieces.push((start..range.end, kind, space));
        }
        let levels = info.reordered_levels(paragraph, paragraph.range.clone());
        let piece_levels: Vec<Level> = pieces
            .iter()
            .map(|(range, _, _)| levels.get(range.start).copied().unwrap_or(paragraph.level))
            .collect();
        for index in BidiInfo::reorder_visual(&piece_levels) {
            let (Some((range, kind, _)), Some(level)) =
                (pieces.get(index), piece_levels.get(index))
            else {
                continue;
            };
            let piece = text.get(range.clone()).unwrap_or_default();
            let shown = if level.is_rtl() && *kind == Kind::Single {
                piece.chars().map(mirrored).collect()
            } else {
                piece.to_owned()
            };
            out.push((range.clone(), shown));
        }
    }
    out
}

/// How far `x` is from a glyph: 0 inside it, and the glyph that starts where another ends has
/// that point (a glyph covers `pos.x..max_x`, half open).
fn distance(glyph: &Glyph, x: f32) -> f32 {
    if x < glyph.pos.x {
        glyph.pos.x - x
    } else if x >= glyph.max_x() {
        x - glyph.max_x() + 1e-3
    } else {
        0.0
    }
}

impl Laid {
    /// A block laid out by egui as it is (no right-to-left text).
    pub fn plain(galley: Arc<Galley>) -> Self {
        Self { galley, rtl: None }
    }

    /// Each row with the chars (indices in the block) it holds.
    fn rows(&self) -> impl Iterator<Item = (&PlacedRow, Range<usize>)> {
        let mut start = 0;
        self.galley.rows.iter().map(move |row| {
            let end = start + row.char_count_including_newline().0;
            let range = start..end;
            start = end;
            (row, range)
        })
    }

    /// The char index (in the block) at a position relative to the galley.
    pub fn char_at(&self, pos: egui::Vec2) -> usize {
        let Some(rtl) = &self.rtl else {
            return self.galley.cursor_from_pos(pos).index.0;
        };
        let mut best: Option<(f32, &PlacedRow, Range<usize>)> = None;
        for (row, chars) in self.rows() {
            let rect = row.rect();
            let distance = if pos.y < rect.min.y {
                rect.min.y - pos.y
            } else {
                (pos.y - rect.max.y).max(0.0)
            };
            if best.as_ref().is_none_or(|(d, _, _)| distance < *d) {
                best = Some((distance, row, chars));
            }
        }
        let Some((_, row, chars)) = best else {
            return 0;
        };
        let x = pos.x - row.pos.x;
        let glyphs = &row.row.glyphs;
        let nearest = glyphs
            .iter()
            .enumerate()
            .filter(|(_, g)| g.advance_width > 0.0)
            .min_by(|(_, a), (_, b)| distance(a, x).total_cmp(&distance(b, x)));
        let Some((i, glyph)) = nearest else {
            return chars.start;
        };
        let drawn_rtl = rtl.get(chars.start + i).copied().unwrap_or(false);
        let middle = glyph.pos.x + glyph.advance_width / 2.0;
        let after = if drawn_rtl { x < middle } else { x >= middle };
        let mut index = i;
        if after {
            index += 1;
            // Past the characters drawn with this one (a grapheme's marks).
            while glyphs.get(index).is_some_and(|g| g.advance_width == 0.0) {
                index += 1;
            }
        }
        chars.start + index.min(glyphs.len())
    }

    /// The caret's rectangle (zero width, the row's height) before char `index`; at a wrap,
    /// at the start of the next row when `prefer_next_row` (a reordered block's always is).
    pub fn caret_rect(&self, index: usize, prefer_next_row: bool) -> Rect {
        let Some(rtl) = &self.rtl else {
            return self.galley.pos_from_cursor(egui::text::CCursor {
                index: egui::text::CharIndex(index),
                prefer_next_row,
            });
        };
        let count = rtl.len();
        let mut last = None;
        for (row, chars) in self.rows() {
            last = Some((row, chars.clone()));
            if index < chars.end || (index == count && chars.end == count) {
                let glyphs = &row.row.glyphs;
                let local = index - chars.start.min(index);
                let x = if let Some(glyph) = glyphs.get(local) {
                    if rtl.get(index).copied().unwrap_or(false) {
                        glyph.max_x()
                    } else {
                        glyph.pos.x
                    }
                } else if let Some(glyph) = local.checked_sub(1).and_then(|i| glyphs.get(i)) {
                    if rtl.get(index - 1).copied().unwrap_or(false) {
                        glyph.pos.x
                    } else {
                        glyph.max_x()
                    }
                } else {
                    0.0
                };
                let rect = row.rect();
                return Rect::from_min_max(
                    pos2(row.pos.x + x, rect.min.y),
                    pos2(row.pos.x + x, rect.max.y),
                );
            }
        }
        last.map_or(Rect::ZERO, |(row, _)| {
            let rect = row.rect();
            Rect::from_min_max(rect.left_top(), rect.left_bottom())
        })
    }

    /// The rectangles (relative to the galley) that chars `first..last` of the block cover.
    pub fn range_rects(&self, first: usize, last: usize) -> Vec<Rect> {
        let mut rects = Vec::new();
        for (row, chars) in self.rows() {
            let (a, b) = (first.max(chars.start), last.min(chars.end));
            if a < b {
                let rect = row.rect();
                if self.rtl.is_some() {
                    let mut spans: Vec<(f32, f32)> = row
                        .row
                        .glyphs
                        .get(a - chars.start..(b - chars.start).min(row.row.glyphs.len()))
                        .unwrap_or_default()
                        .iter()
                        .filter(|g| g.advance_width > 0.0)
                        .map(|g| (g.pos.x, g.max_x()))
                        .collect();
                    spans.sort_by(|x, y| x.0.total_cmp(&y.0));
                    let mut merged: Vec<(f32, f32)> = Vec::new();
                    for (x0, x1) in spans {
                        match merged.last_mut() {
                            Some(last) if x0 <= last.1 + 1.0 => last.1 = last.1.max(x1),
                            _ => merged.push((x0, x1)),
                        }
                    }
                    for (x0, x1) in merged {
                        rects.push(Rect::from_min_max(
                            pos2(row.pos.x + x0, rect.min.y),
                            pos2(row.pos.x + x1, rect.max.y),
                        ));
                    }
                } else {
                    let x0 = row.row.x_offset(egui::text::CharIndex(a - chars.start));
                    let x1 = row.row.x_offset(egui::text::CharIndex(b - chars.start));
                    rects.push(Rect::from_min_max(
                        pos2(row.pos.x + x0, rect.min.y),
                        pos2(row.pos.x + x1, rect.max.y),
                    ));
                }
            }
            if chars.start >= last {
                break;
            }
        }
        rects
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::epaint::text::{Fonts, LayoutJob, TextFormat, TextOptions};
    use egui::{Color32, FontId};

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
                        Rect::from_min_max(
                            pos2(x, rect.min.y),
                            pos2(x + g.advance_width, rect.max.y),
                        ),
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
}
