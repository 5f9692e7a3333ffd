//! At home on a freedesktop desktop (GNOME, KDE, Xfce…): `marginalia install-desktop` writes a
//! `.desktop` entry, the icon and a MIME type for project files under `~/.local/share` (or
//! `$XDG_DATA_HOME`), so that the app is in the launcher and a double-click on a project opens
//! it. Nothing needs root; running it again replaces the same files.

use std::path::{Path, PathBuf};

/// The application icon, drawn as SVG (the launcher scales it).
pub const ICON_SVG: &[u8] = include_bytes!("../assets/icons/marginalia.svg");
/// The application icon at 256 × 256 pixels (the window's icon, and launchers without SVG).
pub const ICON_PNG: &[u8] = include_bytes!("../assets/icons/marginalia-256.png");
/// The MIME type of project files.
pub const PROJECT_MIME: &str = "application/x-marginalia-project";

/// What could not be installed.
#[derive(Debug, thiserror::Error)]
pub enum DesktopError {
    /// No folder to install into.
    #[error("cannot tell where to install: set HOME or XDG_DATA_HOME")]
    NoDataHome,
    /// A file could not be written.
    #[error(transparent)]
    Write(#[from] crate::file::SaveError),
    /// A folder could not be made.
    #[error("cannot create the folder {path}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// The folder user data goes in: `$XDG_DATA_HOME`, or `~/.local/share`.
pub fn data_home() -> Option<PathBuf> {
    match std::env::var_os("XDG_DATA_HOME") {
        Some(dir) if Path::new(&dir).is_absolute() => Some(PathBuf::from(dir)),
        _ => std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|home| PathBuf::from(home).join(".local/share")),
    }
}

/// The `.desktop` entry that starts `exe` on a project file.
pub fn desktop_entry(exe: &Path) -> String {
    // The Exec key quotes its argument with double quotes, and escapes `"`, `` ` ``, `$` and `\`
    // inside them (Desktop Entry Specification, "The Exec key").
    let mut quoted = String::from("\"");
    for c in exe.to_string_lossy().chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    // In a desktop file's string values, a backslash is itself escaped once more.
    let exec = quoted.replace('\\', "\\\\");
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=Marginalia\n\
         GenericName=Text annotation\n\
         Comment=Annotate claims, sources and boilerplate in news articles\n\
         Exec={exec} %f\n\
         Icon=marginalia\n\
         Terminal=false\n\
         Categories=Office;\n\
         Keywords=annotation;NLP;corpus;fact-checking;dataset;\n\
         MimeType={PROJECT_MIME};\n\
         StartupWMClass=marginalia\n"
    )
}

/// The shared-mime-info package that names project files: `*.ron` files that start like a
/// project (a `format_version` field near the top).
pub fn mime_package() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <mime-info xmlns=\"http://www.freedesktop.org/standards/shared-mime-info\">\n  \
         <mime-type type=\"{PROJECT_MIME}\">\n    \
         <comment>Marginalia project</comment>\n    \
         <sub-class-of type=\"text/plain\"/>\n    \
         <icon name=\"marginalia\"/>\n    \
         <glob pattern=\"*.ron\"/>\n    \
         <magic priority=\"60\">\n      \
         <match type=\"string\" value=\"format_version:\" offset=\"0:64\"/>\n    \
         </magic>\n  \
         </mime-type>\n\
         </mime-info>\n"
    )
}

/// What [`install`] wrote, and what it ran after.
#[derive(Debug, Default)]
pub struct Installed {
    /// The files written.
    pub files: Vec<PathBuf>,
    /// The cache updates run (or not found), in words.
    pub notes: Vec<String>,
}

/// Writes the entry, the icons and the MIME package under `data_home` for the program `exe`,
/// each file atomically, then refreshes the desktop's caches when their tools are installed.
pub fn install(data_home: &Path, exe: &Path) -> Result<Installed, DesktopError> {
    let files: [(PathBuf, Vec<u8>); 4] = [
        (
            data_home.join("applications/marginalia.desktop"),
            desktop_entry(exe).into_bytes(),
        ),
        (
            data_home.join("icons/hicolor/scalable/apps/marginalia.svg"),
            ICON_SVG.to_vec(),
        ),
        (
            data_home.join("icons/hicolor/256x256/apps/marginalia.png"),
            ICON_PNG.to_vec(),
        ),
        (
            data_home.join("mime/packages/marginalia.xml"),
            mime_package().into_bytes(),
        ),
    ];
    let mut installed = Installed::default();
    for (path, bytes) in files {
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|source| DesktopError::Folder {
                path: folder.to_owned(),
                source,
            })?;
        }
        crate::file::write_atomic(&path, &bytes)?;
        installed.files.push(path);
    }
    let refresh = [
        ("update-mime-database", data_home.join("mime")),
        ("update-desktop-database", data_home.join("applications")),
    ];
    for (tool, folder) in refresh {
        let note = match std::process::Command::new(tool)
            .arg(&folder)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
        {
            Ok(status) if status.success() => format!("ran {tool} {}", folder.display()),
            Ok(status) => format!("{tool} {} failed ({status})", folder.display()),
            Err(_) => {
                format!("{tool} is not installed: the desktop reads the files at its next start")
            }
        };
        installed.notes.push(note);
    }
    Ok(installed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn m_the_desktop_entry_quotes_the_program_path() {
        let entry = desktop_entry(Path::new("/opt/my apps/mar\"gin$alia"));
        assert!(
            entry.contains("Exec=\"/opt/my apps/mar\\\\\"gin\\\\$alia\" %f\n"),
            "{entry}"
        );
        assert!(entry.contains(&format!("MimeType={PROJECT_MIME};")));
    }

    #[test]
    fn m_the_icon_is_a_png_of_256_pixels() {
        assert_eq!(ICON_PNG.get(..8), Some(&b"\x89PNG\r\n\x1a\n"[..]));
        // IHDR: width and height, big-endian, at bytes 16..24.
        assert_eq!(ICON_PNG.get(16..24), Some(&[0, 0, 1, 0, 0, 0, 1, 0][..]));
    }
}
