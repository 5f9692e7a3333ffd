//! brat standoff (being written).

use std::path::Path;

use super::{ExportDoc, ExportReport, FormatError, Imported, Progress};
use crate::schema::Schema;

/// Writes a brat folder.
pub fn export(
    _docs: &[ExportDoc<'_>],
    _schema: &Schema,
    _out: &Path,
    _progress: Progress<'_>,
) -> Result<ExportReport, FormatError> {
    Err(FormatError::NotImportable("brat"))
}

/// Reads a brat folder.
pub fn import(_input: &Path) -> Result<Imported, FormatError> {
    Err(FormatError::NotImportable("brat"))
}
