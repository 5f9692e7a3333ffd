//! placeholder
use std::path::Path;
use super::{ExportDoc, ExportReport, FormatError, Imported, Progress};
/// x
pub fn export(_docs: &[ExportDoc<'_>], _out: &Path, _progress: Progress<'_>) -> Result<ExportReport, FormatError> { Err(FormatError::NotImportable("x")) }
/// x
pub fn import(_input: &Path) -> Result<Imported, FormatError> { Err(FormatError::NotImportable("x")) }
