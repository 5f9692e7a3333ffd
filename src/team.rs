//! Team folders: a corpus, the annotators' projects (typically in a git repository), and
//! `team.ron`, which says who annotates which documents.
//!
//! [`assign`] shares the documents out: every document to one annotator, a given share of them
//! (the *overlap*) to two different annotators so that their agreement can be measured; the
//! load is balanced (no annotator has more than one document more than another) and the
//! assignment is the same for the same documents, annotators and seed. [`TeamFile`] is what
//! `team.ron` holds, written sorted so that it reads the same after every run;
//! [`assigned_to`] is what the app shows an annotator first.

pub mod overview;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization as _;

/// The name of the assignment file in a team folder.
pub const TEAM_FILE: &str = "team.ron";

/// The version of `team.ron` this build writes, and the newest it reads.
pub const TEAM_FORMAT_VERSION: u32 = 1;

/// What `team.ron` holds: the corpus, the annotators, and who annotates which document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamFile {
    /// The version of the file's format ([`TEAM_FORMAT_VERSION`]).
    pub format_version: u32,
    /// The corpus folder, relative to the team folder, with `/` separators.
    pub corpus: String,
    /// The seed the assignment was drawn with: the same seed gives the same assignment.
    pub seed: u64,
    /// The share of the documents given to two annotators, from 0 to 1.
    pub overlap: f64,
    /// The annotators, sorted.
    pub annotators: Vec<String>,
    /// Each document (its path in the corpus, `/` separators) and its annotators, sorted.
    pub documents: BTreeMap<String, Vec<String>>,
}

/// Why an assignment cannot be made, or `team.ron` read or written.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    /// The overlap is not a share.
    #[error(
        "the overlap must be a share from 0 to 1 (0.2 gives a fifth of the documents to two \
         annotators), not {0}"
    )]
    Overlap(f64),
    /// No annotator.
    #[error("give at least one annotator (--annotators ana,ben)")]
    NoAnnotator,
    /// An empty name.
    #[error("an annotator's name is empty (look at the commas of --annotators)")]
    EmptyName,
    /// The same name twice.
    #[error("{0} is listed twice among the annotators")]
    Twice(String),
    /// An overlap with one annotator.
    #[error(
        "an overlap needs at least two annotators, since each shared document goes to two of \
         them (got {0}): give more annotators, or --overlap 0"
    )]
    TooFewForOverlap(usize),
    /// An empty corpus.
    #[error("there is no document (.txt file) to assign in {0}")]
    NoDocuments(PathBuf),
    /// `team.ron` could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// `team.ron` is not what it should be.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line and column when known.
        message: String,
    },
    /// `team.ron` could not be written.
    #[error(transparent)]
    Write(#[from] crate::file::SaveError),
}

/// An annotator's name as the team file keeps it: without surrounding spaces, its accents
/// composed (NFC), so that "chloé" typed on any system is the same name.
pub fn annotator_name(name: &str) -> String {
    name.trim().nfc().collect()
}

/// A small deterministic generator (splitmix64): the same seed, the same numbers, on every
/// platform and version.
#[derive(Clone, Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0), without the bias of a modulo.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// The annotators as the team file lists them: names made canonical ([`annotator_name`]),
/// sorted; an empty name or one given twice is refused.
pub fn annotator_list(names: &[String]) -> Result<Vec<String>, TeamError> {
    let mut list: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        let name = annotator_name(name);
        if name.is_empty() {
            return Err(TeamError::EmptyName);
        }
        if list.contains(&name) {
            return Err(TeamError::Twice(name));
        }
        list.push(name);
    }
    if list.is_empty() {
        return Err(TeamError::NoAnnotator);
    }
    list.sort();
    Ok(list)
}

/// Checks the arguments of an assignment before any document is read: the overlap is a share
/// from 0 to 1, the names are [`annotator_list`]'s, and an overlap above 0 has two annotators
/// or more. Returns the annotators, sorted.
pub fn check_arguments(annotators: &[String], overlap: f64) -> Result<Vec<String>, TeamError> {
    if !(0.0..=1.0).contains(&overlap) {
        return Err(TeamError::Overlap(overlap));
    }
    let annotators = annotator_list(annotators)?;
    if overlap > 0.0 && annotators.len() < 2 {
        return Err(TeamError::TooFewForOverlap(annotators.len()));
    }
    Ok(annotators)
}

/// The number of documents of `total` that an overlap of `share` gives to two annotators:
/// `share × total`, rounded to the nearest (halves up).
pub fn shared_count(share: f64, total: usize) -> usize {
    ((share * total as f64).round() as usize).min(total)
}

/// Shares `documents` out among `annotators` (see the module documentation): each document to
/// one annotator, [`shared_count`] of them, drawn from `seed`, to two different ones; the load
/// balanced within one document. The documents and annotators are sorted first: their order on
/// the command line changes nothing.
pub fn assign(
    documents: &[String],
    annotators: &[String],
    overlap: f64,
    seed: u64,
) -> Result<BTreeMap<String, Vec<String>>, TeamError> {
    let annotators = check_arguments(annotators, overlap)?;
    let mut order: Vec<&String> = documents.iter().collect();
    order.sort();
    order.dedup();
    let shared = shared_count(overlap, order.len());
    let mut rng = SplitMix64(seed);
    rng.shuffle(&mut order);
    let mut load = vec![0usize; annotators.len()];
    // How many documents each pair of annotators shares, to spread the pairs.
    let mut pairs: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for (n, document) in order.iter().enumerate() {
        // Ties between equally loaded annotators are broken at random, anew for each document.
        let keys: Vec<u64> = annotators.iter().map(|_| rng.next()).collect();
        let key = |i: usize| keys.get(i).copied().unwrap_or(0);
        let load_of = |load: &[usize], i: usize| load.get(i).copied().unwrap_or(0);
        let Some(first) = (0..annotators.len()).min_by_key(|&i| (load_of(&load, i), key(i))) else {
            continue;
        };
        let mut chosen = vec![first];
        if n < shared {
            let pair = |i: usize| (first.min(i), first.max(i));
            if let Some(second) = (0..annotators.len())
                .filter(|&i| i != first)
                .min_by_key(|&i| {
                    (
                        load_of(&load, i),
                        pairs.get(&pair(i)).copied().unwrap_or(0),
                        key(i),
                    )
                })
            {
                *pairs.entry(pair(second)).or_default() += 1;
                chosen.push(second);
            }
        }
        for &i in &chosen {
            if let Some(l) = load.get_mut(i) {
                *l += 1;
            }
        }
        let mut names: Vec<String> = chosen
            .iter()
            .filter_map(|&i| annotators.get(i).cloned())
            .collect();
        names.sort();
        out.insert((*document).clone(), names);
    }
    Ok(out)
}

/// The documents assigned to `annotator` (compared as [`annotator_name`] makes names), sorted:
/// what the app shows them first.
pub fn assigned_to(team: &TeamFile, annotator: &str) -> BTreeSet<String> {
    let name = annotator_name(annotator);
    team.documents
        .iter()
        .filter(|(_, names)| names.contains(&name))
        .map(|(path, _)| path.clone())
        .collect()
}

impl TeamFile {
    /// The assignment of `documents` (paths in the corpus folder `corpus`, relative to the team
    /// folder) to `annotators` (see [`assign`]).
    pub fn new(
        corpus: String,
        documents: &[String],
        annotators: &[String],
        overlap: f64,
        seed: u64,
    ) -> Result<Self, TeamError> {
        let documents = assign(documents, annotators, overlap, seed)?;
        Ok(Self {
            format_version: TEAM_FORMAT_VERSION,
            corpus,
            seed,
            overlap,
            annotators: annotator_list(annotators)?,
            documents,
        })
    }

    /// How many documents each annotator has, by name.
    pub fn loads(&self) -> BTreeMap<&str, usize> {
        let mut loads: BTreeMap<&str, usize> =
            self.annotators.iter().map(|a| (a.as_str(), 0)).collect();
        for name in self.documents.values().flatten() {
            *loads.entry(name.as_str()).or_default() += 1;
        }
        loads
    }

    /// How many documents go to two annotators or more.
    pub fn shared(&self) -> usize {
        self.documents.values().filter(|a| a.len() > 1).count()
    }

    /// The file's text: RON, one document a line, everything sorted.
    pub fn to_ron(&self) -> String {
        let mut sorted = self.clone();
        sorted.annotators.sort();
        for names in sorted.documents.values_mut() {
            names.sort();
        }
        let config = ron::ser::PrettyConfig::new()
            .depth_limit(2)
            .indentor("  ".to_owned());
        let mut text = ron::ser::to_string_pretty(&sorted, config).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads the text of `team.ron`; `path` names it in messages.
    pub fn from_ron(text: &str, path: &Path) -> Result<Self, TeamError> {
        let invalid = |message: String| TeamError::Invalid {
            path: path.to_owned(),
            message,
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut team: Self = ron::from_str(text).map_err(|e| {
            invalid(format!(
                "line {}, column {}: {} (is it a team file?)",
                e.span.start.line, e.span.start.col, e.code
            ))
        })?;
        if team.format_version > TEAM_FORMAT_VERSION {
            return Err(invalid(format!(
                "it has format version {}; this Marginalia reads up to version \
                 {TEAM_FORMAT_VERSION}: please update",
                team.format_version
            )));
        }
        if !(0.0..=1.0).contains(&team.overlap) {
            return Err(invalid(format!(
                "its overlap {} is not a share from 0 to 1",
                team.overlap
            )));
        }
        for name in &mut team.annotators {
            *name = annotator_name(name);
        }
        team.annotators.sort();
        team.annotators.dedup();
        for names in team.documents.values_mut() {
            for name in names.iter_mut() {
                *name = annotator_name(name);
            }
            names.sort();
            names.dedup();
        }
        Ok(team)
    }

    /// Reads `team.ron` at `path`.
    pub fn load(path: &Path) -> Result<Self, TeamError> {
        let text = std::fs::read_to_string(path).map_err(|source| TeamError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_ron(&text, path)
    }

    /// Writes the file at `path` atomically, keeping the one it replaces as `team.ron.bak`.
    pub fn save(&self, path: &Path) -> Result<(), TeamError> {
        crate::file::replace_with_backup(path, self.to_ron().as_bytes())?;
        Ok(())
    }
}

/// The project files of a team folder: the `.ron` files in `dir` and its folders, hidden ones
/// and `team.ron` left out, sorted. Whether each is a project is for the caller to find out.
pub fn project_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() && depth < 3 {
                // A folder that cannot be listed is not a team's.
                let _ = walk(&entry.path(), depth + 1, found);
            } else if kind.is_file() && name.ends_with(".ron") && !(depth == 0 && name == TEAM_FILE)
            {
                found.push(entry.path());
            }
        }
        Ok(())
    }
    let mut found = Vec::new();
    walk(dir, 0, &mut found)?;
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generator is splitmix64: its first output for seed 0 is the published one.
    #[test]
    fn l_splitmix64_gives_the_reference_numbers() {
        let mut rng = SplitMix64(0);
        assert_eq!(rng.next(), 0xE220_A839_7B1D_CDAF);
        let mut rng = SplitMix64(1_234_567);
        assert_eq!(rng.next(), 6_457_827_717_110_365_317);
    }
}
