//! Completing a path typed by hand (the path field of the app, where no file dialog opens).

/// `typed` completed as far as the folder it names allows: the one entry of that folder whose
/// name starts with what follows the last `/` (a folder gets a `/` after it), or the longest
/// start that all such entries share. Hidden entries count only when that part starts with a
/// dot. `None` when nothing matches, the folder cannot be read, or nothing would be added.
pub fn complete_path(typed: &str) -> Option<String> {
    let (folder, start) = match typed.rfind('/') {
        Some(slash) => (typed.get(..=slash)?, typed.get(slash + 1..)?),
        None => ("", typed),
    };
    let read_from = if folder.is_empty() {
        std::path::Path::new(".")
    } else {
        std::path::Path::new(folder)
    };
    let mut names: Vec<(String, bool)> = std::fs::read_dir(read_from)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let is_dir = entry.file_type().ok()?.is_dir()
                || entry.path().metadata().is_ok_and(|m| m.is_dir());
            (name.starts_with(start) && (start.starts_with('.') || !name.starts_with('.')))
                .then_some((name, is_dir))
        })
        .collect();
    names.sort();
    let completed = match names.as_slice() {
        [] => return None,
        [(name, is_dir)] => format!("{folder}{name}{}", if *is_dir { "/" } else { "" }),
        [(first, _), rest @ ..] => {
            let mut common = first.as_str();
            for (name, _) in rest {
                let shared = common
                    .char_indices()
                    .zip(name.chars())
                    .find(|((_, a), b)| a != b)
                    .map_or(common.len().min(name.len()), |((i, _), _)| i);
                common = common.get(..shared)?;
            }
            format!("{folder}{common}")
        }
    };
    (completed != typed).then_some(completed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::complete_path;

    #[test]
    fn j_the_path_field_completes_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_str().unwrap().to_owned();
        std::fs::create_dir(dir.path().join("corpus-été")).unwrap();
        std::fs::write(dir.path().join("camille.ron"), "").unwrap();
        std::fs::write(dir.path().join("camille-gold.ron"), "").unwrap();
        std::fs::write(dir.path().join(".hidden.ron"), "").unwrap();
        // One match: the whole name, a folder with its slash.
        assert_eq!(
            complete_path(&format!("{root}/cor")),
            Some(format!("{root}/corpus-été/"))
        );
        // Several: as far as they agree.
        assert_eq!(
            complete_path(&format!("{root}/ca")),
            Some(format!("{root}/camille"))
        );
        // Nothing more to add, nothing that matches, a folder that is not there.
        assert_eq!(complete_path(&format!("{root}/camille")), None);
        assert_eq!(complete_path(&format!("{root}/zz")), None);
        assert_eq!(complete_path(&format!("{root}/nowhere/a")), None);
        // Hidden entries only when asked for.
        assert_eq!(
            complete_path(&format!("{root}/.h")),
            Some(format!("{root}/.hidden.ron"))
        );
        // Everything in the folder starts with "c": that much is added.
        assert_eq!(
            complete_path(&format!("{root}/")),
            Some(format!("{root}/c"))
        );
    }
}
