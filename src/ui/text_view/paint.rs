//! Painting the text view: highlights, underlines, the selection, a colleague's spans, links
//! between spans, and the hover card.

use egui::{Align2, FontId, Pos2, Rect, RichText, Stroke, Ui, pos2, vec2};

use super::blocks::char_of_byte;
use super::{Placed, TextView, ViewState};
use crate::model::{Document, Id};
use crate::schema::Schema;
use crate::text::ByteRange;
use crate::ui::theme;

impl TextView {
    pub(super) fn paint(&self, ui: &Ui, document: &Document, state: ViewState<'_>) {
        let painter = ui.painter();
        let dark = ui.visuals().dark_mode;
        let text = &document.text;
        let fallback = ui.visuals().text_color();
        for placed in &self.placed {
            let Some(block) = self.blocks.get(placed.block) else {
                continue;
            };
            let range = block.range;
            let visible = ByteRange::new(range.start, range.end.max(range.start + 1));
            let spans: Vec<_> = document.annotations_in(visible).collect();
            // Fills first, under the text: overlaps add up.
            for annotation in &spans {
                let color = state
                    .schema
                    .label(&annotation.label)
                    .map_or(crate::schema::Rgb([128, 128, 128]), |l| l.color);
                for fragment in &annotation.fragments {
                    for rect in range_rects(text, range, *fragment, placed) {
                        painter.rect_filled(rect, 2.0, theme::span_fill(color, dark));
                    }
                }
            }
            for hit in crate::ui::find::ranges_in(state.search_hits, visible) {
                for rect in range_rects(text, range, hit, placed) {
                    painter.rect_filled(rect, 2.0, theme::search_hit(dark));
                }
            }
            for selection in [state.selection, self.fragment_range].into_iter().flatten() {
                for rect in range_rects(text, range, selection, placed) {
                    painter.rect_filled(rect, 0.0, theme::selection_fill(dark));
                }
            }
            painter.galley(placed.origin, placed.laid.galley.clone(), fallback);
            // A colleague's spans: a line in their label's colour along the top of each row.
            if let Some(other) = state.other {
                for annotation in other.annotations_in(visible) {
                    let color = theme::color_of(state.schema, &annotation.label);
                    for fragment in &annotation.fragments {
                        for rect in range_rects(text, range, *fragment, placed) {
                            let y = rect.min.y + 2.0;
                            painter.line_segment(
                                [pos2(rect.min.x + 1.0, y), pos2(rect.max.x - 1.0, y)],
                                Stroke::new(theme::UNDERLINE, color),
                            );
                        }
                    }
                }
            }
            for (index, suggestion) in state.suggestions.iter().enumerate() {
                let extent = suggestion.extent();
                if extent.end <= visible.start || extent.start >= visible.end {
                    continue;
                }
                let color = theme::color_of(state.schema, &suggestion.label);
                let current = state.current_suggestion == Some(index);
                for fragment in &suggestion.fragments {
                    for rect in range_rects(text, range, *fragment, placed) {
                        if current {
                            painter.rect_filled(rect, 2.0, color.gamma_multiply(0.25));
                        }
                        dashed_rect(
                            painter,
                            rect.expand(if current { 2.0 } else { 1.0 }),
                            Stroke::new(if current { 2.0 } else { 1.2 }, color),
                        );
                    }
                }
            }
            if let Some(hit) = state.current_hit {
                for rect in range_rects(text, range, hit, placed) {
                    painter.rect_stroke(
                        rect.expand(1.5),
                        2.0,
                        Stroke::new(2.0, theme::SEARCH_CURRENT),
                        egui::StrokeKind::Outside,
                    );
                }
            }
            for highlight in state.highlight {
                for rect in range_rects(text, range, *highlight, placed) {
                    painter.rect_stroke(
                        rect.expand(2.0),
                        3.0,
                        Stroke::new(2.0, theme::WARNING),
                        egui::StrokeKind::Outside,
                    );
                }
            }
            // Underlines, one lane per level of overlap, so nested spans stay visible.
            for annotation in &spans {
                let color = theme::color_of(state.schema, &annotation.label);
                let lane = self
                    .lanes
                    .get(&annotation.id)
                    .copied()
                    .unwrap_or(0)
                    .min(theme::MAX_LANES - 1);
                let selected = state.selected_span == Some(annotation.id);
                for fragment in &annotation.fragments {
                    for rect in range_rects(text, range, *fragment, placed) {
                        let y = rect.max.y - 1.0 - lane as f32 * theme::UNDERLINE_STEP;
                        painter.line_segment(
                            [pos2(rect.min.x, y), pos2(rect.max.x, y)],
                            Stroke::new(theme::UNDERLINE, color),
                        );
                        if selected {
                            painter.rect_stroke(
                                rect.expand(1.0),
                                2.0,
                                Stroke::new(1.5, theme::selected_outline(dark)),
                                egui::StrokeKind::Outside,
                            );
                        }
                    }
                }
            }
        }
        self.paint_links(ui, document, state);
        if self.blocks.is_empty() || text.trim().is_empty() {
            painter.text(
                self.content_origin,
                Align2::LEFT_TOP,
                "This document is empty.",
                FontId::proportional(theme::TEXT_SIZE),
                ui.visuals().weak_text_color(),
            );
        }
    }
}

impl TextView {
    /// Where a link attaches to a span: the top middle of its first fragment's first row when it
    /// is laid out, else the estimated top of its block (off screen: the curve leaves the view
    /// toward it, so a link to a span lines away still shows its direction).
    pub(super) fn link_anchor(&self, document: &Document, id: Id) -> Option<Pos2> {
        let annotation = match self.positions.get(&id) {
            Some(&i) => document.annotations.get(i).filter(|a| a.id == id),
            None => None,
        }
        .or_else(|| document.annotation(id))?;
        let fragment = *annotation.fragments.first()?;
        let text = &document.text;
        let block = self.block_of(fragment.start)?;
        if let Some(placed) = self.placed.iter().find(|p| p.block == block)
            && let Some(range) = self.blocks.get(block).map(|b| b.range)
            && let Some(rect) = range_rects(text, range, fragment, placed).first()
        {
            return Some(pos2(rect.center().x, rect.min.y + 2.0));
        }
        let top = self.tops.get(block).copied()?;
        Some(self.content_origin + vec2(40.0, top))
    }

    /// The path of each link with an end in view, as the frame draws it, with whether it
    /// touches the selected span. Links never cross text: a link between spans of one row runs
    /// along the gap above that row; between rows, it leaves along the gap above its span's row,
    /// runs down (or up) the left margin, and comes in along the gap above the other row (the
    /// gaps are where the rows' extra height leaves no glyph: [`theme::LINE_HEIGHT`]).
    pub(super) fn link_paths(
        &self,
        document: &Document,
        selected_span: Option<Id>,
    ) -> Vec<(Vec<Pos2>, bool)> {
        // Only the links with an end in view: a long document's other links cost nothing.
        let (Some(first), Some(last)) = (self.placed.first(), self.placed.last()) else {
            return Vec::new();
        };
        let (Some(start), Some(end)) = (
            self.blocks.get(first.block).map(|b| b.range.start),
            self.blocks.get(last.block).map(|b| b.range.end),
        ) else {
            return Vec::new();
        };
        let mut shown: Vec<usize> = document
            .annotations_in(ByteRange::new(start, end.max(start + 1)))
            .filter_map(|a| self.relations_of.get(&a.id))
            .flatten()
            .copied()
            .collect();
        shown.sort_unstable();
        shown.dedup();
        let margin = self.content_origin.x - theme::LINK_MARGIN;
        shown
            .iter()
            .filter_map(|&i| document.relations.get(i))
            .filter_map(|relation| {
                let from = self.link_anchor(document, relation.from)?;
                let to = self.link_anchor(document, relation.to)?;
                let selected =
                    selected_span.is_some_and(|id| id == relation.from || id == relation.to);
                // The anchors sit just above their row's glyphs; the gap runs a little higher.
                let (gap_from, gap_to) = (from.y - theme::LINK_RISE, to.y - theme::LINK_RISE);
                let path = if (from.y - to.y).abs() < theme::LINE_HEIGHT * 0.5 {
                    vec![from, pos2(from.x, gap_from), pos2(to.x, gap_from), to]
                } else {
                    vec![
                        from,
                        pos2(from.x, gap_from),
                        pos2(margin, gap_from),
                        pos2(margin, gap_to),
                        pos2(to.x, gap_to),
                        to,
                    ]
                };
                Some((path, selected))
            })
            .collect()
    }

    /// Draws each link along its path (see [`TextView::link_paths`]), with an arrowhead at the
    /// source.
    pub(super) fn paint_links(&self, ui: &Ui, document: &Document, state: ViewState<'_>) {
        let painter = ui.painter();
        for (path, selected) in self.link_paths(document, state.selected_span) {
            let color = theme::link_color(ui.visuals().dark_mode, selected);
            let stroke = Stroke::new(if selected { 2.0 } else { 1.0 }, color);
            let (Some(&tip), Some(&before)) = (path.last(), path.iter().rev().nth(1)) else {
                continue;
            };
            painter.add(egui::Shape::line(path, stroke));
            // The arrowhead points down at the source, small enough to stay in the gap.
            let direction = (tip - before).normalized();
            if direction.is_finite() {
                let side = vec2(-direction.y, direction.x) * 3.0;
                let back = tip - direction * theme::LINK_RISE.min(5.0);
                painter.add(egui::Shape::convex_polygon(
                    vec![tip, back + side, back - side],
                    color,
                    Stroke::NONE,
                ));
            }
        }
    }
}

/// A tooltip card for one span.
pub(super) fn hover_card(ui: &mut Ui, annotation: &crate::model::Annotation, schema: &Schema) {
    let color = theme::color_of(schema, &annotation.label);
    ui.horizontal(|ui| {
        ui.label(RichText::new(&annotation.label).color(color).strong());
        ui.weak(format!("by {}", annotation.annotator));
    });
    if !annotation.note.is_empty() {
        ui.label(format!("Note: {}", super::visual(&annotation.note)));
    }
    for (name, value) in &annotation.attributes {
        ui.label(format!("{name}: {value}"));
    }
}

/// A rectangle outlined with dashes: a suggestion, not yet a span.
fn dashed_rect(painter: &egui::Painter, rect: Rect, stroke: Stroke) {
    let corners = [
        rect.left_top(),
        rect.right_top(),
        rect.right_bottom(),
        rect.left_bottom(),
        rect.left_top(),
    ];
    painter.extend(egui::Shape::dashed_line(
        &corners,
        stroke,
        theme::SUGGESTION_DASH,
        theme::SUGGESTION_GAP,
    ));
}

/// The rectangles that `range` (document bytes) covers in a placed block.
pub(super) fn range_rects(
    text: &str,
    block: ByteRange,
    range: ByteRange,
    placed: &Placed,
) -> Vec<Rect> {
    let start = range.start.max(block.start);
    let end = range.end.min(block.end);
    if start >= end {
        return Vec::new();
    }
    let (first, last) = (
        char_of_byte(text, block, start),
        char_of_byte(text, block, end),
    );
    placed
        .laid
        .range_rects(first, last)
        .into_iter()
        .map(|rect| rect.translate(placed.origin.to_vec2()))
        .collect()
}
