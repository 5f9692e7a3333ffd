//! File dialogs: the trait the app asks through, the answer it gets, and the dialogs that are never
//! available (tests, and desktops without a portal: the app then asks for a path itself).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The answer of a file dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Picked {
    /// The user chose this path.
    Path(PathBuf),
    /// The user cancelled.
    Cancelled,
    /// No dialog could be shown: ask for a path in the app instead.
    Unavailable,
}

/// A file type for a dialog: a name and its extensions.
pub type Filter<'a> = Option<(&'a str, &'a [&'a str])>;

/// The project file filter.
pub const PROJECT_FILTER: Filter<'static> = Some(("Marginalia project", &["ron"]));

/// The file dialogs the app uses; tests replace the native ones.
pub trait FileDialogs {
    /// Pick an existing file.
    fn open_file(&mut self, title: &str, filter: Filter<'_>) -> Picked;
    /// Pick a folder.
    fn pick_folder(&mut self, title: &str) -> Picked;
    /// Pick where to write a file: the dialog opens in `folder` (when given) with
    /// `suggested_name` in its name field.
    fn save_file(
        &mut self,
        title: &str,
        folder: Option<&Path>,
        suggested_name: &str,
        filter: Filter<'_>,
    ) -> Picked;
}

/// Dialogs that are never available: the app always asks for paths in its own path field.
#[derive(Debug, Default)]
pub struct NoDialogs;

impl FileDialogs for NoDialogs {
    fn open_file(&mut self, _title: &str, _filter: Filter<'_>) -> Picked {
        Picked::Unavailable
    }
    fn pick_folder(&mut self, _title: &str) -> Picked {
        Picked::Unavailable
    }
    fn save_file(
        &mut self,
        _title: &str,
        _folder: Option<&Path>,
        _suggested_name: &str,
        _filter: Filter<'_>,
    ) -> Picked {
        Picked::Unavailable
    }
}

/// A dialog that answers faster than this without a choice did not open at all (no portal, no
/// zenity): nobody cancels a dialog that fast.
const DIALOG_MIN_DURATION: Duration = Duration::from_millis(250);

/// The native file dialogs (rfd), falling back to the app's path field when none can open.
/// Set `MARGINALIA_NO_NATIVE_DIALOGS=1` to always use the path field.
#[derive(Debug, Default)]
pub struct NativeDialogs;

impl NativeDialogs {
    fn pick(run: impl FnOnce() -> Option<PathBuf>) -> Picked {
        if std::env::var_os("MARGINALIA_NO_NATIVE_DIALOGS").is_some() {
            return Picked::Unavailable;
        }
        let started = Instant::now();
        match run() {
            Some(path) => Picked::Path(path),
            None if started.elapsed() < DIALOG_MIN_DURATION => Picked::Unavailable,
            None => Picked::Cancelled,
        }
    }
}

impl FileDialogs for NativeDialogs {
    fn open_file(&mut self, title: &str, filter: Filter<'_>) -> Picked {
        Self::pick(|| with_filter(rfd::FileDialog::new().set_title(title), filter).pick_file())
    }

    fn pick_folder(&mut self, title: &str) -> Picked {
        Self::pick(|| rfd::FileDialog::new().set_title(title).pick_folder())
    }

    fn save_file(
        &mut self,
        title: &str,
        folder: Option<&Path>,
        suggested_name: &str,
        filter: Filter<'_>,
    ) -> Picked {
        Self::pick(|| {
            let mut dialog = with_filter(rfd::FileDialog::new().set_title(title), filter)
                .set_file_name(suggested_name);
            if let Some(folder) = folder {
                dialog = dialog.set_directory(folder);
            }
            dialog.save_file()
        })
    }
}

fn with_filter(dialog: rfd::FileDialog, filter: Filter<'_>) -> rfd::FileDialog {
    match filter {
        Some((name, extensions)) => dialog.add_filter(name, extensions),
        None => dialog,
    }
}
