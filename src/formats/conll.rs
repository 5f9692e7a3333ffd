//! CoNLL (being written).

use std::path::Path;

use super::{ExportDoc, ExportReport, FormatError, OverlapPolicy, Progress};
use crate::schema::Schema;

/// Writes a CoNLL file.
pub fn export(
    _docs: &[ExportDoc<'_>],
    _schema: &Schema,
    _overlap: OverlapPolicy,
    _out: &Path,
    _progress: Progress<'_>,
) -> Result<ExportReport, FormatError> {
    Err(FormatError::NotImportable("conll"))
}
