//! An agreement [`Report`] as a table, CSV or JSON (the output of `marginalia agree`).
//!
//! The columns, in every format: the annotators compared (joined by " vs "), the kind of row
//! (`all`, `label`, `document`), its name, exact and overlap precision, recall and F1, Cohen's
//! κ, Krippendorff's α, αu, and the number of tokens of the token measures. Undefined values are
//! "undefined" (null in JSON).

use std::io::Write;

use super::agreement::{Report, Row, Scope};
use super::{DiffKind, Side};
use crate::text::escape_for_terminal as shown;

/// The column names of the CSV output.
pub const COLUMNS: [&str; 14] = [
    "annotators",
    "scope",
    "name",
    "exact_precision",
    "exact_recall",
    "exact_f1",
    "overlap_precision",
    "overlap_recall",
    "overlap_f1",
    "kappa",
    "alpha",
    "alpha_u",
    "tokens",
    "spans",
];

fn annotators(report: &Report, row: &Row) -> String {
    let names: Vec<&str> = row
        .annotators
        .iter()
        .filter_map(|&i| report.annotators.get(i).map(String::as_str))
        .collect();
    names.join(" vs ")
}

const fn scope_kind(scope: &Scope) -> &'static str {
    match scope {
        Scope::All => "all",
        Scope::Label(_) => "label",
        Scope::Document(_) => "document",
    }
}

fn values(row: &Row) -> [f64; 9] {
    let m = &row.measures;
    [
        m.exact.precision(),
        m.exact.recall(),
        m.exact.f1(),
        m.overlap.precision(),
        m.overlap.recall(),
        m.overlap.f1(),
        m.kappa,
        m.alpha,
        m.alpha_u,
    ]
}

fn spans(row: &Row) -> String {
    if row.annotators.len() == 2 {
        format!(
            "{}/{}",
            row.measures.exact.reference, row.measures.exact.other
        )
    } else {
        String::new()
    }
}

/// Formats a value unrounded, or "undefined".
pub fn exact(value: f64) -> String {
    if value.is_nan() {
        "undefined".to_owned()
    } else {
        format!("{value}")
    }
}

fn rounded(value: f64) -> String {
    if value.is_nan() {
        "undefined".to_owned()
    } else {
        format!("{value:.3}")
    }
}

/// The annotators, the documents matched (those two projects or more have) and the labels.
fn header(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let alone = report.documents.saturating_sub(report.matched);
    let documents = if report.matched == 0 {
        "0 document(s) matched by content: the projects have no text in common, there is \
         nothing to compare"
            .to_owned()
    } else if alone == 0 {
        format!("{} document(s) matched by content", report.matched)
    } else {
        format!(
            "{} document(s) matched by content ({alone} only in one project)",
            report.matched
        )
    };
    writeln!(
        out,
        "annotators: {}; {documents}; labels: {}",
        shown(&report.annotators.join(", ")),
        shown(&report.labels.join(", "))
    )
}

/// Aligned columns, values to 3 decimals.
pub fn table(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    header(report, out)?;
    let mut lines: Vec<Vec<String>> = vec![COLUMNS.iter().map(|&c| c.to_owned()).collect()];
    for row in &report.rows {
        let mut line = vec![
            shown(&annotators(report, row)).into_owned(),
            scope_kind(&row.scope).to_owned(),
            shown(row.scope.name()).into_owned(),
        ];
        line.extend(values(row).into_iter().map(rounded));
        line.push(row.measures.tokens.to_string());
        line.push(spans(row));
        lines.push(line);
    }
    let mut widths = vec![0; COLUMNS.len()];
    for line in &lines {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for line in &lines {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, &w))| {
                if i < 3 {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        writeln!(out, "{}", cells.join("  ").trim_end())?;
    }
    let name = |i: usize| shown(report.annotators.get(i).map_or("?", String::as_str));
    for (a, b, counts) in &report.differences {
        let kinds: Vec<String> = DIFF_KINDS
            .iter()
            .map(|k| format!("{} {}", counts.get(k).copied().unwrap_or(0), k.name()))
            .collect();
        let total: usize = counts
            .iter()
            .filter(|(k, _)| **k != DiffKind::Match)
            .map(|(_, n)| n)
            .sum();
        writeln!(
            out,
            "span diff {} vs {}: {total} difference(s): {}",
            name(*a),
            name(*b),
            kinds.join(", ")
        )?;
    }
    for (a, b, links) in &report.links {
        writeln!(
            out,
            "links {} vs {}: F1 {} ({} of {} and {} agree: same type, both ends matched)",
            name(*a),
            name(*b),
            exact(links.f1()),
            links.agreed,
            links.a,
            links.b
        )?;
    }
    for row in &report.document_attributes {
        let names: Vec<String> = row
            .annotators
            .iter()
            .map(|&i| name(i).into_owned())
            .collect();
        let pair = if row.annotators.len() == 2 {
            format!(
                ", kappa {}, observed {}",
                exact(row.kappa),
                exact(row.observed)
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "document attribute {} ({}): {} document(s) valued by all{pair}, alpha {}",
            shown(&row.name),
            names.join(" vs "),
            row.documents,
            exact(row.alpha)
        )?;
    }
    Ok(())
}

/// The kinds of span diff entries, in report order.
const DIFF_KINDS: [DiffKind; 6] = [
    DiffKind::Match,
    DiffKind::LabelDisagreement,
    DiffKind::BoundaryDisagreement,
    DiffKind::LabelAndBoundaryDisagreement,
    DiffKind::OnlyIn(Side::A),
    DiffKind::OnlyIn(Side::B),
];

/// CSV with a header line, values unrounded.
pub fn csv(report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut writer = ::csv::Writer::from_writer(out);
    writer.write_record(COLUMNS)?;
    for row in &report.rows {
        let mut line = vec![
            annotators(report, row),
            scope_kind(&row.scope).to_owned(),
            row.scope.name().to_owned(),
        ];
        line.extend(values(row).into_iter().map(exact));
        line.push(row.measures.tokens.to_string());
        line.push(spans(row));
        writer.write_record(&line)?;
    }
    writer.flush()?;
    Ok(())
}

/// One JSON object, values unrounded, undefined as null.
pub fn json(report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
    let prf = |p: &super::agreement::Prf| {
        serde_json::json!({
            "precision": p.precision(),
            "recall": p.recall(),
            "f1": p.f1(),
            "reference_spans": p.reference,
            "other_spans": p.other,
            "matched_reference": p.matched_reference,
            "matched_other": p.matched_other,
        })
    };
    let rows: Vec<serde_json::Value> = report
        .rows
        .iter()
        .map(|row| {
            let names: Vec<&str> = row
                .annotators
                .iter()
                .filter_map(|&i| report.annotators.get(i).map(String::as_str))
                .collect();
            let pair = row.annotators.len() == 2;
            serde_json::json!({
                "annotators": names,
                "scope": scope_kind(&row.scope),
                "name": row.scope.name(),
                "exact": if pair { prf(&row.measures.exact) } else { serde_json::Value::Null },
                "overlap": if pair { prf(&row.measures.overlap) } else { serde_json::Value::Null },
                "kappa": row.measures.kappa,
                "alpha": row.measures.alpha,
                "alpha_u": row.measures.alpha_u,
                "tokens": row.measures.tokens,
            })
        })
        .collect();
    let partial: Vec<serde_json::Value> = report
        .partial
        .iter()
        .map(|(path, have)| {
            let names: Vec<&str> = have
                .iter()
                .filter_map(|&i| report.annotators.get(i).map(String::as_str))
                .collect();
            serde_json::json!({ "path": path, "annotators": names })
        })
        .collect();
    let differences: Vec<serde_json::Value> = report
        .differences
        .iter()
        .map(|(a, b, counts)| {
            let names: Vec<&str> = [*a, *b]
                .iter()
                .filter_map(|&i| report.annotators.get(i).map(String::as_str))
                .collect();
            let kinds: serde_json::Map<String, serde_json::Value> = DIFF_KINDS
                .iter()
                .map(|k| {
                    (
                        k.name().to_owned(),
                        serde_json::Value::from(counts.get(k).copied().unwrap_or(0)),
                    )
                })
                .collect();
            serde_json::json!({ "annotators": names, "counts": kinds })
        })
        .collect();
    let links: Vec<serde_json::Value> = report
        .links
        .iter()
        .map(|(a, b, links)| {
            let names: Vec<&str> = [*a, *b].iter().filter_map(|&i| report.annotators.get(i).map(String::as_str)).collect();
            let f1 = links.f1();
            serde_json::json!({ "annotators": names, "a": links.a, "b": links.b, "agreed": links.agreed, "f1": if f1.is_nan() { serde_json::Value::Null } else { f1.into() } })
        })
        .collect();
    let number = |x: f64| {
        if x.is_nan() {
            serde_json::Value::Null
        } else {
            x.into()
        }
    };
    let document_attributes: Vec<serde_json::Value> = report
        .document_attributes
        .iter()
        .map(|row| {
            let names: Vec<&str> = row
                .annotators
                .iter()
                .filter_map(|&i| report.annotators.get(i).map(String::as_str))
                .collect();
            serde_json::json!({
                "name": row.name,
                "annotators": names,
                "documents": row.documents,
                "observed": number(row.observed),
                "kappa": number(row.kappa),
                "alpha": number(row.alpha),
            })
        })
        .collect();
    let value = serde_json::json!({
        "annotators": report.annotators,
        "document_attributes": document_attributes,
        "differences": differences,
        "links": links,
        "labels": report.labels,
        "documents": report.documents,
        "matched": report.matched,
        "partial": partial,
        "mismatches": report.mismatches,
        "rows": rows,
    });
    // serde_json escapes the C0 controls; the other characters a terminal acts on (DEL, C1,
    // bidirectional controls) are written as JSON escapes too: the same strings, safe to print.
    let text = serde_json::to_string_pretty(&value)?;
    let mut safe = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '\n' && crate::text::is_terminal_control(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = std::fmt::Write::write_fmt(&mut safe, format_args!("\\u{unit:04x}"));
            }
        } else {
            safe.push(c);
        }
    }
    writeln!(out, "{safe}")?;
    Ok(())
}
