//! A corpus in one file: one article a row of a JSONL, JSON or CSV file, as scrapers and pandas
//! hand them to analysts (`marginalia new --corpus articles.csv`).
//!
//! The text of each row is its `text` column (or the one named), the document is named after its
//! `id` column (or the one named; the row number when there is none) with a name safe on every
//! system, and every other column is the document's metadata, but for the columns a CSV export
//! writes for its documents ([`super::csv`]): `meta.KEY` is the metadata `KEY`, and `attr.NAME`
//! the document attribute `NAME` (empty: not set, as an empty `meta.KEY`), whose values become the schema's. CSV is read with the `csv` crate
//! (RFC 4180: quoted fields, quoted line ends, `""` for a quote); a byte-order mark is dropped, and
//! the delimiter is the comma, the semicolon (French spreadsheets) or the tab, whichever the
//! header line uses most.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::{FormatError, Imported, ImportedDoc};

/// Which columns hold the text and the name of each document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowColumns {
    /// The column of the text (`None`: `text`).
    pub text: Option<String>,
    /// The column that names each document (`None`: `id` when there is one, else the row number).
    pub id: Option<String>,
}

/// Whether `path` names a file of rows that [`read`] takes (by its extension).
pub fn is_rows_file(path: &Path) -> bool {
    kind_of(path).is_some()
}

/// The kinds of file of rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// One JSON object a line (`.jsonl`, `.ndjson`), or a JSON list of objects (`.json`).
    Json,
    /// Comma, semicolon or tab separated values (`.csv`, `.tsv`).
    Csv,
}

fn kind_of(path: &Path) -> Option<Kind> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "jsonl" | "ndjson" | "json" => Some(Kind::Json),
        "csv" | "tsv" => Some(Kind::Csv),
        _ => None,
    }
}

/// A row: its number in the file (from 1, the header not counted) and its columns.
type Row = (usize, BTreeMap<String, Value>);

/// Reads the rows of `input` as documents without spans, ready for
/// [`super::import_project`]: each document's text, a safe name, and its other columns as
/// metadata. Rows without a text are left out and reported; a file with no text column at all
/// is an error that names the columns it has.
pub fn read(input: &Path, columns: &RowColumns) -> Result<Imported, FormatError> {
    let content = super::read_input(input)?;
    let rows = match kind_of(input) {
        Some(Kind::Csv) => csv_rows(&content, input)?,
        Some(Kind::Json) => json_rows(&content, input)?,
        None => {
            return Err(FormatError::parse(
                input,
                0,
                "a corpus in one file is a .jsonl, .json, .csv or .tsv file",
            ));
        }
    };
    documents(rows, input, columns)
}

/// The rows of a CSV text with its header.
fn csv_rows(content: &str, input: &Path) -> Result<Vec<Row>, FormatError> {
    let header_line = content.lines().next().unwrap_or_default();
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| header_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(content.as_bytes());
    let error = |e: &::csv::Error| {
        let line = e
            .position()
            .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
        let message = match e.kind() {
            ::csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("this row has {len} field(s), the header {expected_len}"),
            _ => e.to_string(),
        };
        FormatError::parse(input, line, message)
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| error(&e))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut seen = BTreeSet::new();
    for name in &header {
        if !seen.insert(name.as_str()) {
            return Err(FormatError::parse(
                input,
                1,
                format!("the column {name:?} appears twice in the header"),
            ));
        }
    }
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| error(&e))?;
        let row = header
            .iter()
            .zip(record.iter())
            .map(|(name, value)| (name.clone(), Value::String(value.to_owned())))
            .collect();
        rows.push((n + 1, row));
    }
    Ok(rows)
}

/// The rows of a JSON lines text, or of a JSON list of objects.
fn json_rows(content: &str, input: &Path) -> Result<Vec<Row>, FormatError> {
    let object = |value: Value, line: usize| match value {
        Value::Object(map) => Ok(map.into_iter().collect()),
        _ => Err(FormatError::parse(
            input,
            line,
            "each row is a JSON object (one article: its text and its columns)",
        )),
    };
    if content.trim_start().starts_with('[') {
        let items: Vec<Value> = serde_json::from_str(content)
            .map_err(|e| FormatError::parse(input, e.line(), e.to_string()))?;
        return items
            .into_iter()
            .enumerate()
            .map(|(n, item)| Ok((n + 1, object(item, 0)?)))
            .collect();
    }
    let mut rows = Vec::new();
    for (n, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line)
            .map_err(|e| FormatError::parse(input, n + 1, e.to_string()))?;
        rows.push((rows.len() + 1, object(value, n + 1)?));
    }
    Ok(rows)
}

/// The column of `rows` named `wanted`, or, when it is not given, the first of `defaults` that
/// some row has (compared without case).
fn column(rows: &[Row], wanted: Option<&str>, defaults: &[&str]) -> Option<String> {
    let names: BTreeSet<&String> = rows.iter().flat_map(|(_, row)| row.keys()).collect();
    match wanted {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .map(|n| (*n).clone()),
        None => defaults.iter().find_map(|d| {
            names
                .iter()
                .find(|n| n.as_str() == *d)
                .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(d)))
                .map(|n| (*n).clone())
        }),
    }
}

/// A file name made of `id` that is safe on every system: letters (any script), digits, `-`,
/// `_` and `.` kept, anything else a `_`, no leading dot, at most 80 characters.
fn safe_name(id: &str) -> String {
    let name: String = id
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let name = name.trim_start_matches('.').trim_end_matches('.');
    if name.is_empty() {
        "document".to_owned()
    } else {
        name.to_owned()
    }
}

fn documents(rows: Vec<Row>, input: &Path, columns: &RowColumns) -> Result<Imported, FormatError> {
    let mut imported = Imported::default();
    let Some(text_column) = column(&rows, columns.text.as_deref(), &["text"]) else {
        let names: BTreeSet<&String> = rows.iter().flat_map(|(_, row)| row.keys()).collect();
        let names: Vec<&str> = names.into_iter().map(String::as_str).collect();
        let wanted = columns.text.as_deref().unwrap_or("text");
        return Err(FormatError::parse(
            input,
            0,
            format!(
                "no {wanted:?} column (the columns are: {}): name the column of the texts with \
                 --text-field NAME",
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            ),
        ));
    };
    let id_column = column(&rows, columns.id.as_deref(), &["id"]);
    if let (Some(wanted), None) = (&columns.id, &id_column) {
        return Err(FormatError::parse(
            input,
            0,
            format!("no {wanted:?} column to name the documents with (--id-field)"),
        ));
    }
    let width = rows.len().to_string().len().max(5);
    let mut taken = BTreeSet::new();
    let mut renamed = 0;
    for (number, mut row) in rows {
        let text = match row.remove(&text_column) {
            Some(Value::String(text)) if !text.trim().is_empty() => text,
            Some(Value::String(_) | Value::Null) | None => {
                imported.report.push(format!(
                    "row {number}: no text in the column {text_column:?}: left out"
                ));
                continue;
            }
            Some(other) => {
                imported.report.push(format!(
                    "row {number}: the column {text_column:?} holds {other}, not a text: left out"
                ));
                continue;
            }
        };
        let id = id_column
            .as_ref()
            .and_then(|c| row.get(c))
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .filter(|id| !id.trim().is_empty() && id != "null");
        let base = match &id {
            Some(id) => safe_name(id),
            None => format!("row-{number:0width$}"),
        };
        let mut name = base.clone();
        let mut n = 1;
        while !taken.insert(name.to_lowercase()) {
            n += 1;
            name = format!("{base}-{n}");
        }
        if id.as_deref().is_some_and(|id| id != name) {
            renamed += 1;
        }
        let mut metadata = crate::model::Metadata::new();
        let mut attributes = BTreeMap::new();
        for (column, value) in row {
            if let Some(name) = column.strip_prefix(super::csv::ATTRIBUTE_COLUMN)
                && !name.is_empty()
            {
                match value {
                    Value::Null => {}
                    Value::String(value) if value.is_empty() => {}
                    Value::String(value) => {
                        attributes.insert(name.to_owned(), value);
                    }
                    other => {
                        attributes.insert(name.to_owned(), other.to_string());
                    }
                }
            } else if let Some(key) = column.strip_prefix(super::csv::META_COLUMN)
                && !key.is_empty()
            {
                // Empty: a document without this key, in a table where others have it.
                if value != Value::Null && value.as_str() != Some("") {
                    metadata.insert(key.to_owned(), value);
                }
            } else {
                metadata.insert(column, value);
            }
        }
        imported.documents.push(ImportedDoc {
            path: format!("{name}.txt"),
            text,
            metadata,
            attributes,
            ..ImportedDoc::default()
        });
    }
    if renamed > 0 {
        imported.report.push(format!(
            "{renamed} document(s) are named otherwise than their id (characters unsafe in file \
             names, or an id met twice): the id is kept in their metadata"
        ));
    }
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(name: &str, content: &str, columns: &RowColumns) -> Result<Imported, FormatError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        read(&path, columns)
    }

    /// RFC 4180 through the `csv` crate: a BOM, quoted fields with commas, quotes and line ends,
    /// CRLF rows; the other columns are metadata; names from the id, made safe.
    #[test]
    fn h_a_csv_corpus_gives_one_document_a_row_with_its_columns() {
        let csv = "\u{feff}id,title,text,url\r\n\
                   a/1,\"Titre, é\",\"« Vos soldats », a dit\r\nPoutine.\",https://ex.fr/1\r\n\
                   b 2,\"Un \"\"mot\"\"\",Le Kremlin 😀 a démenti.,\r\n\
                   b 2,Doublon,Autre texte.,\r\n\
                   c3,Vide,,\r\n";
        let imported = read_str("articles.csv", csv, &RowColumns::default()).unwrap();
        let names: Vec<&str> = imported.documents.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(names, ["a_1.txt", "b_2.txt", "b_2-2.txt"]);
        let first = &imported.documents[0];
        assert_eq!(first.text, "« Vos soldats », a dit\r\nPoutine.");
        assert_eq!(first.metadata["title"], "Titre, é");
        assert_eq!(first.metadata["id"], "a/1");
        assert_eq!(first.metadata["url"], "https://ex.fr/1");
        assert!(!first.metadata.contains_key("text"));
        assert_eq!(imported.documents[1].metadata["title"], "Un \"mot\"");
        let report = imported.report.join("\n");
        assert!(report.contains("row 4: no text"), "{report}");
        assert!(
            report.contains("3 document(s) are named otherwise"),
            "{report}"
        );
    }

    #[test]
    fn h_a_semicolon_csv_and_named_columns_are_read() {
        let csv = "numéro;contenu;date\n7;Texte un.;2026-01-01\n8;Texte deux.;2026-01-02\n";
        let columns = RowColumns {
            text: Some("contenu".into()),
            id: Some("numéro".into()),
        };
        let imported = read_str("a.csv", csv, &columns).unwrap();
        assert_eq!(imported.documents[1].path, "8.txt");
        assert_eq!(imported.documents[1].text, "Texte deux.");
        assert_eq!(imported.documents[1].metadata["date"], "2026-01-02");
        let error = read_str("a.csv", csv, &RowColumns::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("no \"text\" column (the columns are: contenu, date, numéro)"),
            "{error}"
        );
        assert!(error.contains("--text-field"), "{error}");
    }

    #[test]
    fn h_a_csv_row_of_the_wrong_width_is_an_error_with_its_line() {
        let error = read_str(
            "a.csv",
            "id,text\n1,un\n2,deux,trois\n",
            &RowColumns::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains(":3:"), "{error}");
        assert!(error.contains("3 field(s), the header 2"), "{error}");
    }

    /// pandas `to_json(orient="records", lines=True)` and `orient="records"`: JSON values of
    /// the other columns kept as they are; no id: named by row.
    #[test]
    fn h_a_jsonl_or_json_corpus_keeps_its_columns_as_json() {
        let jsonl = "{\"text\": \"Un.\", \"shares\": 3, \"tags\": [\"a\"]}\n\n{\"text\": \"Deux.\", \"shares\": null}\n";
        let imported = read_str("scrape.jsonl", jsonl, &RowColumns::default()).unwrap();
        assert_eq!(imported.documents[0].path, "row-00001.txt");
        assert_eq!(imported.documents[1].path, "row-00002.txt");
        assert_eq!(imported.documents[0].metadata["shares"], 3);
        assert_eq!(
            imported.documents[0].metadata["tags"],
            serde_json::json!(["a"])
        );
        let json = "[{\"id\": 10, \"text\": \"Un.\"}, {\"id\": 11, \"text\": \"Deux.\"}]";
        let imported = read_str("scrape.json", json, &RowColumns::default()).unwrap();
        assert_eq!(imported.documents[1].path, "11.txt");
        assert_eq!(imported.documents[1].metadata["id"], 11);
    }
}
