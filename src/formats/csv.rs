//! CSV: one span a row, RFC 4180 (fields quoted when needed, `""` for a quote, CRLF row ends).
//!
//! Columns: `document, start, end, label, text, annotator, note, id, fragments`. Offsets count
//! code points; `start`/`end` are the span's extent, and `fragments` lists `start-end` pairs
//! separated by `;` (one pair for a continuous span). An export that keeps the unresolved
//! candidates of a gold project has one more column, `unresolved` (`true` or `false`).

use super::{ExportDoc, ExportReport, FormatError, Progress};
use crate::file::AtomicFile;
use crate::text::CodePointIndex;

/// Writes one row a span to `out` (committed by the caller); `unresolved`: with the
/// `unresolved` column.
pub fn export(
    docs: &[ExportDoc<'_>],
    unresolved: bool,
    out: &mut AtomicFile,
    progress: Progress<'_>,
) -> Result<ExportReport, FormatError> {
    let path = out.path().to_owned();
    let error = |e: ::csv::Error| FormatError::Write {
        path: path.clone(),
        source: e.into(),
    };
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Necessary)
        .from_writer(out);
    let mut header = vec![
        "document",
        "start",
        "end",
        "label",
        "text",
        "annotator",
        "note",
        "id",
        "fragments",
    ];
    if unresolved {
        header.push("unresolved");
    }
    writer.write_record(header).map_err(error)?;
    let mut report = ExportReport::default();
    for (i, doc) in docs.iter().enumerate() {
        let text = &doc.document.text;
        let index = CodePointIndex::new(text);
        for annotation in &doc.annotations {
            let extent = annotation.extent();
            let fragments: Vec<String> = annotation
                .fragments
                .iter()
                .map(|f| {
                    format!(
                        "{}-{}",
                        index.char_of_byte(f.start),
                        index.char_of_byte(f.end)
                    )
                })
                .collect();
            let parts: Vec<&str> = annotation.fragments.iter().map(|f| f.slice(text)).collect();
            let (start, end) = (
                index.char_of_byte(extent.start).to_string(),
                index.char_of_byte(extent.end).to_string(),
            );
            let (text, id, fragments) = (
                parts.join(" "),
                annotation.id.0.to_string(),
                fragments.join(";"),
            );
            let mut row = vec![
                doc.document.path.as_str(),
                &start,
                &end,
                &annotation.label,
                &text,
                &annotation.annotator,
                &annotation.note,
                &id,
                &fragments,
            ];
            if unresolved {
                row.push(if annotation.is_unresolved() {
                    "true"
                } else {
                    "false"
                });
            }
            writer.write_record(row).map_err(error)?;
            report.spans += 1;
        }
        report.documents += 1;
        progress(i + 1, docs.len());
    }
    writer.flush().map_err(FormatError::write(&path))?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::tests::{to_file, torture_project};
    use crate::formats::{ExportOptions, select};

    #[test]
    fn rows_are_rfc_4180_and_offsets_are_code_points() {
        let project = torture_project();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("spans.csv");
        let (docs, _) = select(&project, &ExportOptions::default());
        let report = to_file(&out, |file| export(&docs, false, file, &mut |_, _| {})).unwrap();
        assert_eq!(report.spans, project.annotation_count());
        let bytes = std::fs::read_to_string(&out).unwrap();
        assert!(bytes.starts_with("document,start,end,label,text,annotator,note,id,fragments\r\n"));
        // A note with quotes and a line break is quoted, quotes doubled.
        assert!(
            bytes.contains("\"citation, \"\"exacte\"\"\nsur deux lignes\""),
            "{bytes}"
        );
        // Read back with a CSV reader: every field survives.
        let mut reader = ::csv::Reader::from_path(&out).unwrap();
        let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), project.annotation_count());
        let quote = rows
            .iter()
            .find(|r| &r[4] == "« Vos soldats se sont battus »")
            .unwrap();
        assert_eq!((&quote[1], &quote[2]), ("21", "51"));
        assert_eq!(&quote[6], "citation, \"exacte\"\nsur deux lignes");
        let discontinuous = rows.iter().find(|r| r[8].contains(';')).unwrap();
        assert_eq!(&discontinuous[4], "قال e\u{301}te\u{301}");
    }
}
