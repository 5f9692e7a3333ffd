//! A block with right-to-left text laid out: runs, rows, pieces in visual order, one galley.

use std::ops::Range;
use std::sync::Arc;

use egui::epaint::text::{Galley, Glyph, PlacedRow, Row};
use egui::{Pos2, Rect, pos2, vec2};
use unicode_bidi::{BidiInfo, Level};
use unicode_segmentation::UnicodeSegmentation as _;

use super::{Laid, Script, rtl_script, shown};

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
pub(in crate::ui::text_view) fn layout(
    text: &str,
    max_width: f32,
    font_size: f32,
    families: bool,
    measure: &mut Measure<'_>,
) -> Option<Laid> {
    let info = BidiInfo::new(text, None);
    // A galley, row and glyph of egui's to build on (their fields not set here are egui's own).
    let mut template: Option<(Arc<Galley>, Arc<Row>, Glyph)> = None;
    let mut rows: Vec<PlacedRow> = Vec::new();
    let mut rtl: Vec<bool> = Vec::with_capacity(text.len());
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
            let Some((galley, template_row, template_glyph)) = &template else {
                continue;
            };
            let width: f32 = pieces.iter().map(Piece::width).sum();
            let start_x = if paragraph.level.is_rtl() && max_width.is_finite() {
                (max_width - width).max(0.0)
            } else {
                0.0
            };
            let row = assemble_row(
                text,
                &pieces,
                start_x,
                galley.pixels_per_point.max(0.1),
                template_row,
                *template_glyph,
                &mut rtl,
            );
            rows.push(PlacedRow {
                pos: pos2(0.0, rows.len() as f32 * template_row.size.y),
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
    let widest = rows.iter().map(|r| r.row.size.x).fold(0.0, f32::max);
    let height = rows.len() as f32 * template_row.size.y;
    galley.rect = Rect::from_min_size(Pos2::ZERO, vec2(widest, height));
    galley.mesh_bounds = rows
        .iter()
        .map(|r| r.row.visuals.mesh_bounds.translate(r.pos.to_vec2()))
        .filter(Rect::is_positive)
        .fold(Rect::NOTHING, Rect::union);
    galley.num_vertices = rows.iter().map(|r| r.row.visuals.mesh.vertices.len()).sum();
    galley.num_indices = rows.iter().map(|r| r.row.visuals.mesh.indices.len()).sum();
    galley.rows = rows;
    Some(Laid {
        galley: Arc::new(galley),
        rtl: Some(rtl.into()),
    })
}

/// A row of `pieces`, placed from `start_x` in visual order (rule L2), as an egui row built on
/// `template`: the pieces' meshes side by side (each on whole pixels, as egui puts its glyphs),
/// and one glyph per character in logical order where it is drawn; whether each is drawn right
/// to left goes to `rtl` (one entry per glyph of the block so far).
fn assemble_row(
    text: &str,
    pieces: &[Piece],
    start_x: f32,
    pixels_per_point: f32,
    template: &Row,
    template_glyph: Glyph,
    rtl: &mut Vec<bool>,
) -> Row {
    let piece_levels: Vec<Level> = pieces.iter().map(|p| p.level).collect();
    let mut x = start_x;
    let mut lefts = vec![0.0_f32; pieces.len()];
    let mut mesh = egui::epaint::Mesh::default();
    for visual in BidiInfo::reorder_visual(&piece_levels) {
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
    let glyph_index_start = rtl.len();
    let mut glyphs: Vec<Glyph> = Vec::new();
    for (piece, left) in pieces.iter().zip(lefts) {
        let source = piece.galley.rows.first().and_then(|r| r.row.glyphs.first());
        let chars = text.get(piece.range.clone()).unwrap_or_default().chars();
        for (c, &(at, advance)) in chars.zip(&piece.chars) {
            let mut glyph = *source.unwrap_or(&template_glyph);
            glyph.chr = c;
            glyph.pos = pos2(left + at, glyph.pos.y);
            glyph.advance_width = advance;
            glyph.is_color = false;
            glyph.first_vertex = 0;
            glyphs.push(glyph);
            rtl.push(piece.level.is_rtl());
        }
    }
    let mut row = template.clone();
    // The row ends where its last piece does (it starts at 0, or at the right alignment's
    // margin).
    row.size = vec2(x, template.size.y);
    row.visuals.glyph_vertex_range = 0..mesh.vertices.len();
    row.visuals.mesh_bounds = mesh.calc_bounds();
    row.visuals.mesh = mesh;
    row.visuals.glyph_index_start = glyph_index_start;
    row.glyphs = glyphs;
    row
}
