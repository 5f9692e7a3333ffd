//! CSV: one span a row, RFC 4180 (fields quoted when needed, `""` for a quote, CRLF row ends).
//!
//! Columns: `document, start, end, label, text, annotator, note, id, fragments`. Offsets count
//! code points; `start`/`end` are the span's extent, and `fragments` lists `start-end` pairs
//! separated by `;` (one pair for a continuous span). An export that keeps the unresolved
//! candidates of a gold project has one more column, `unresolved` (`true` or `false`).
//!
//! Then the document's columns, on every row of its spans: `meta.KEY` for each key of metadata
//! any exported document has, then `attr.NAME` for each document attribute (the schema's and any
//! a document holds), both sorted; a value the document lacks is empty, and metadata that is not
//! a string is written as JSON. A document without a span to export, but with metadata or an
//! attribute set, has one row of its own, the span columns empty. The prefixes are read back off
//! by `marginalia new --corpus` ([`super::rows`]), so that a table of documents made from this
//! one (pandas: `drop_duplicates("document")`, with the texts) gives the same metadata and
//! attributes.

use std::collections::BTreeSet;

use super::{ExportDoc, ExportReport, FormatError, Progress};
use crate::file::AtomicFile;
use crate::text::CodePointIndex;

/// The prefix of a metadata column (`meta.title`).
pub const META_COLUMN: &str = "meta.";

/// The prefix of a document attribute column (`attr.genre`).
pub const ATTRIBUTE_COLUMN: &str = "attr.";

/// Writes one row a span to `out` (committed by the caller), and one for a document without
/// spans but with metadata or attributes; `unresolved`: with the `unresolved` column.
pub fn export(
    docs: &[ExportDoc<'_>],
    schema: &crate::schema::Schema,
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
    let metadata: BTreeSet<&str> = docs
        .iter()
        .flat_map(|d| d.document.metadata.keys())
        .map(String::as_str)
        .collect();
    let attributes = super::export_attributes(schema, docs);
    let header = [
        "document",
        "start",
        "end",
        "label",
        "text",
        "annotator",
        "note",
        "id",
        "fragments",
    ]
    .into_iter()
    .chain(unresolved.then_some("unresolved"))
    .map(std::borrow::Cow::Borrowed)
    .chain(
        metadata
            .iter()
            .map(|key| std::borrow::Cow::Owned(format!("{META_COLUMN}{key}"))),
    )
    .chain(
        attributes
            .keys()
            .map(|name| std::borrow::Cow::Owned(format!("{ATTRIBUTE_COLUMN}{name}"))),
    );
    writer
        .write_record(header.collect::<Vec<_>>().iter().map(|h| h.as_bytes()))
        .map_err(error)?;
    let mut report = ExportReport::default();
    for (i, doc) in docs.iter().enumerate() {
        let text = &doc.document.text;
        let index = CodePointIndex::new(text);
        // The document's columns, the same on each of its rows.
        let columns: Vec<String> = metadata
            .iter()
            .map(|key| match doc.document.metadata.get(*key) {
                None => String::new(),
                Some(serde_json::Value::String(value)) => value.clone(),
                Some(other) => other.to_string(),
            })
            .chain(attributes.keys().map(|name| {
                doc.document
                    .attributes
                    .get(*name)
                    .cloned()
                    .unwrap_or_default()
            }))
            .collect();
        if doc.annotations.is_empty()
            && (!doc.document.metadata.is_empty() || !doc.document.attributes.is_empty())
        {
            // The span columns but the document's, empty.
            let empty = vec![""; 8 + usize::from(unresolved)];
            writer
                .write_record(
                    std::iter::once(doc.document.path.as_str())
                        .chain(empty)
                        .chain(columns.iter().map(String::as_str)),
                )
                .map_err(error)?;
        }
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
            let marker = unresolved.then(|| annotation.is_unresolved().to_string());
            let span = [
                doc.document.path.clone(),
                index.char_of_byte(extent.start).to_string(),
                index.char_of_byte(extent.end).to_string(),
                annotation.label.clone(),
                parts.join(" "),
                annotation.annotator.clone(),
                annotation.note.clone(),
                annotation.id.0.to_string(),
                fragments.join(";"),
            ];
            writer
                .write_record(span.iter().chain(&marker).chain(&columns))
                .map_err(error)?;
            report.spans += 1;
        }
        report.documents += 1;
        progress(i + 1, docs.len());
    }
    writer.flush().map_err(FormatError::write(&path))?;
    Ok(report)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::formats::tests::{to_file, torture_project};
    use crate::formats::{ExportOptions, select};

    #[test]
    fn rows_are_rfc_4180_and_offsets_are_code_points() {
        let project = torture_project();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("spans.csv");
        let (docs, _) = select(&project, &ExportOptions::default());
        let report = to_file(&out, |file| {
            export(&docs, &project.schema, false, file, &mut |_, _| {})
        })
        .unwrap();
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

    /// The rows of a CSV file, by column name.
    pub(crate) fn rows_of(
        path: &std::path::Path,
    ) -> (Vec<String>, Vec<std::collections::BTreeMap<String, String>>) {
        let mut reader = ::csv::Reader::from_path(path).unwrap();
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .map(|r| {
                header
                    .iter()
                    .cloned()
                    .zip(r.unwrap().iter().map(str::to_owned))
                    .collect()
            })
            .collect();
        (header, rows)
    }

    /// Document attributes go out as `attr.NAME` columns (sorted, after the `meta.KEY` ones), on
    /// every row of the document, a document without spans getting a row of its own; a table of
    /// documents made from the export (one row a document, with its text) gives them back, with
    /// schema definitions, through `new --corpus`.
    #[test]
    fn l_document_attributes_round_trip_through_csv() {
        let project = crate::formats::tests::attributed_project();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("spans.csv");
        crate::formats::export(
            &project,
            crate::formats::Format::Csv,
            &ExportOptions::default(),
            &out,
            &mut |_, _| {},
        )
        .unwrap();
        let (header, rows) = rows_of(&out);
        assert_eq!(
            header[9..],
            [
                "meta.auteur",
                "meta.id",
                "meta.shares",
                "meta.title",
                "meta.url",
                "attr.genre",
                "attr.résumé",
                "attr.to-check"
            ]
        );
        assert_eq!(
            rows.len(),
            project.annotation_count() + 1,
            "a row for the empty document"
        );
        let empty: Vec<_> = rows
            .iter()
            .filter(|r| r["document"] == "c-empty.txt")
            .collect();
        assert_eq!(empty.len(), 1);
        assert_eq!(
            (empty[0]["start"].as_str(), empty[0]["label"].as_str()),
            ("", "")
        );
        assert_eq!(empty[0]["attr.to-check"], "no");
        for row in rows.iter().filter(|r| r["document"] == "a-bom-crlf.txt") {
            assert_eq!(row["attr.résumé"], "Poutine « salue » 😀, قال");
            assert_eq!(row["attr.genre"], "tribune libre é");
            assert_eq!(row["attr.to-check"], "yes");
            assert_eq!(row["meta.id"], "42");
            assert_eq!(row["meta.auteur"], "");
        }
        // One row a document, with its text, as pandas' drop_duplicates("document") gives.
        let table = dir.path().join("documents.csv");
        let mut writer = ::csv::Writer::from_path(&table).unwrap();
        let mut columns = vec!["document".to_owned(), "text".to_owned()];
        columns.extend(header[9..].iter().cloned());
        writer.write_record(&columns).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for row in &rows {
            if !seen.insert(row["document"].clone()) {
                continue;
            }
            let doc = project
                .documents
                .iter()
                .find(|d| d.path == row["document"])
                .unwrap();
            if doc.text.trim().is_empty() {
                continue;
            }
            let mut record = vec![row["document"].clone(), doc.text.to_string()];
            record.extend(header[9..].iter().map(|c| row[c].clone()));
            writer.write_record(&record).unwrap();
        }
        writer.flush().unwrap();
        let columns = crate::formats::rows::RowColumns {
            text: None,
            id: Some("document".to_owned()),
        };
        let (back, _) = crate::formats::build_project(
            crate::formats::rows::read(&table, &columns).unwrap(),
            &dir.path().join("corpus"),
            "zoé",
        )
        .unwrap();
        assert_eq!(back.documents.len(), 2);
        for doc in &back.documents {
            let original = project
                .documents
                .iter()
                .find(|d| doc.metadata["document"] == d.path.as_str())
                .unwrap();
            assert_eq!(doc.attributes, original.attributes);
            for (key, value) in &original.metadata {
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned);
                assert_eq!(doc.metadata[key], text.as_str(), "{key}");
            }
            assert_eq!(
                doc.metadata.len(),
                original.metadata.len() + 1,
                "and `document`"
            );
        }
        let genre = back.schema.document_attribute("genre").unwrap();
        assert_eq!(genre.values, ["tribune libre é", "رأي"]);
    }
}
