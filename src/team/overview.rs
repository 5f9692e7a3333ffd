//! What a team lead sees of a team folder: every annotator's project found without a file dialog,
//! their progress and spans per label, who has done each document, and how each pair agrees.
//! `marginalia team DIR` prints it; Review → Team draws it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{TEAM_FILE, TeamError, TeamFile};
use crate::model::{Project, Status};
use crate::review::agreement::{self, By, Scope};

/// One annotator's project in the folder.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The project file.
    pub path: PathBuf,
    /// Its annotator (made unique with " (2)"… when two projects share a name, as agreement
    /// reports do).
    pub annotator: String,
    /// A gold project (made by adjudication): listed, but left out of the agreement matrix.
    pub gold: bool,
    /// Documents by status: to do, in progress, done.
    pub status: [usize; 3],
    /// Spans per label, in the order of [`Overview::labels`].
    pub spans: Vec<usize>,
    /// The length of every span in characters (code points; the fragments of a discontinuous
    /// span added up), by label in the order of [`Overview::labels`], each sorted.
    pub lengths: Vec<Vec<usize>>,
    /// Documents `team.ron` assigns to this annotator (`None` without a `team.ron`).
    pub assigned: Option<usize>,
    /// Assigned documents this annotator has marked done.
    pub assigned_done: Option<usize>,
}

impl Member {
    /// Every span of the project.
    pub fn span_count(&self) -> usize {
        self.spans.iter().sum()
    }
}

/// One document of the folder: who has done it, who is on it, who it is assigned to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocumentRow {
    /// Its path in the corpus.
    pub path: String,
    /// The status each member gives it (`None`: not in that member's project), in the order of
    /// [`Overview::members`].
    pub status: Vec<Option<Status>>,
    /// The annotators `team.ron` assigns it to.
    pub assigned: Vec<String>,
}

/// How two members agree over the documents both have.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pair {
    /// Index of the first member in [`Overview::members`].
    pub a: usize,
    /// Index of the second member.
    pub b: usize,
    /// Exact-span F1.
    pub f1: f64,
    /// Cohen's κ on tokens.
    pub kappa: f64,
    /// Spans the two have between them on the documents both have.
    pub spans: usize,
    /// Documents both have (the same text): 0 leaves nothing to compare.
    pub shared: usize,
}

/// What [`overview`] found in a team folder.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overview {
    /// The folder.
    pub dir: PathBuf,
    /// The projects found, sorted by path.
    pub members: Vec<Member>,
    /// The labels: those of the schemas in order, then any other label met.
    pub labels: Vec<String>,
    /// Every document of any project, sorted by path.
    pub documents: Vec<DocumentRow>,
    /// Every pair of members that are not gold projects, the matrix's cells.
    pub pairs: Vec<Pair>,
    /// What `team.ron` says, when there is one.
    pub team: Option<TeamFile>,
    /// Files that look like projects but could not be read, in words.
    pub problems: Vec<String>,
}

impl Overview {
    /// The pair of members `a` and `b` (in either order).
    pub fn pair(&self, a: usize, b: usize) -> Option<&Pair> {
        self.pairs
            .iter()
            .find(|p| (p.a, p.b) == (a, b) || (p.a, p.b) == (b, a))
    }
}

/// Reads every project of the team folder `dir` (the `.ron` files in it and its folders, see
/// [`super::project_files`]) with their texts, and `team.ron` when there is one. Files that are
/// not projects are skipped; projects that cannot be read are listed in
/// [`Overview::problems`].
pub fn overview(dir: &Path) -> Result<Overview, TeamError> {
    let team_path = dir.join(TEAM_FILE);
    let team = if team_path.exists() {
        Some(TeamFile::load(&team_path)?)
    } else {
        None
    };
    let files = super::project_files(dir).map_err(|source| TeamError::Read {
        path: dir.to_owned(),
        source,
    })?;
    let mut projects = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        match crate::file::load(&file) {
            Ok((project, _)) => projects.push((file, project)),
            Err(crate::file::LoadError::NotAProject { .. }) => {}
            Err(error) => problems.push(error_chain(&error)),
        }
    }
    Ok(summarise(dir, &projects, team, problems))
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The overview of projects already read.
pub fn summarise(
    dir: &Path,
    projects: &[(PathBuf, Project)],
    team: Option<TeamFile>,
    problems: Vec<String>,
) -> Overview {
    let refs: Vec<&Project> = projects.iter().map(|(_, p)| p).collect();
    let names = crate::review::annotator_names(&refs);
    let mut labels: Vec<String> = Vec::new();
    for (_, project) in projects {
        for label in &project.schema.labels {
            if !labels.contains(&label.name) {
                labels.push(label.name.clone());
            }
        }
    }
    for (_, project) in projects {
        for document in &project.documents {
            for annotation in &document.annotations {
                if !labels.contains(&annotation.label) {
                    labels.push(annotation.label.clone());
                }
            }
        }
    }
    let mut members = Vec::new();
    let mut documents: BTreeMap<String, DocumentRow> = BTreeMap::new();
    for (index, ((path, project), annotator)) in projects.iter().zip(names).enumerate() {
        let mut status = [0; 3];
        let mut spans = vec![0; labels.len()];
        let mut lengths = vec![Vec::new(); labels.len()];
        for document in &project.documents {
            let slot = Status::ALL
                .iter()
                .position(|s| *s == document.status)
                .unwrap_or(0);
            if let Some(count) = status.get_mut(slot) {
                *count += 1;
            }
            let row = documents
                .entry(document.path.clone())
                .or_insert_with(|| DocumentRow {
                    path: document.path.clone(),
                    ..DocumentRow::default()
                });
            row.status.resize(projects.len(), None);
            if let Some(cell) = row.status.get_mut(index) {
                *cell = Some(document.status);
            }
            for annotation in &document.annotations {
                let Some(label) = labels.iter().position(|l| *l == annotation.label) else {
                    continue;
                };
                if let Some(count) = spans.get_mut(label) {
                    *count += 1;
                }
                let chars = annotation
                    .fragments
                    .iter()
                    .map(|f| {
                        document
                            .text
                            .get(f.start..f.end)
                            .map_or(0, |s| s.chars().count())
                    })
                    .sum();
                if let Some(list) = lengths.get_mut(label) {
                    list.push(chars);
                }
            }
        }
        for list in &mut lengths {
            list.sort_unstable();
        }
        let (assigned, assigned_done) = match &team {
            Some(team) => {
                let mine = super::assigned_to(team, &project.annotator);
                let done = project
                    .documents
                    .iter()
                    .filter(|d| d.status == Status::Done && mine.contains(&d.path))
                    .count();
                (Some(mine.len()), Some(done))
            }
            None => (None, None),
        };
        members.push(Member {
            path: path.clone(),
            annotator,
            gold: project.is_gold(),
            status,
            spans,
            lengths,
            assigned,
            assigned_done,
        });
    }
    if let Some(team) = &team {
        for (path, annotators) in &team.documents {
            let row = documents
                .entry(path.clone())
                .or_insert_with(|| DocumentRow {
                    path: path.clone(),
                    ..DocumentRow::default()
                });
            row.assigned.clone_from(annotators);
        }
    }
    let mut rows: Vec<DocumentRow> = documents.into_values().collect();
    for row in &mut rows {
        row.status.resize(projects.len(), None);
    }
    let pairs = pairs(&refs, &members);
    Overview {
        dir: dir.to_owned(),
        members,
        labels,
        documents: rows,
        pairs,
        team,
        problems,
    }
}

/// The agreement of every pair of members that are not gold projects, from one comparison of
/// them all.
fn pairs(projects: &[&Project], members: &[Member]) -> Vec<Pair> {
    let compared: Vec<usize> = (0..projects.len())
        .filter(|i| members.get(*i).is_some_and(|m| !m.gold))
        .collect();
    if compared.len() < 2 {
        return Vec::new();
    }
    let chosen: Vec<&Project> = compared
        .iter()
        .filter_map(|i| projects.get(*i).copied())
        .collect();
    let report = agreement::compare(&chosen, By::Label);
    let mut pairs = Vec::new();
    for row in &report.rows {
        if row.scope != Scope::All {
            continue;
        }
        let [a, b] = row.annotators[..] else {
            continue;
        };
        let (Some(&a), Some(&b)) = (compared.get(a), compared.get(b)) else {
            continue;
        };
        let exact = row.measures.exact;
        let hashes = |i: usize| -> BTreeSet<&str> {
            projects.get(i).map_or_else(BTreeSet::new, |p| {
                p.documents.iter().map(|d| d.hash.as_str()).collect()
            })
        };
        let shared = hashes(a).intersection(&hashes(b)).count();
        pairs.push(Pair {
            shared,
            a,
            b,
            f1: exact.f1(),
            kappa: row.measures.kappa,
            spans: exact.reference + exact.other,
        });
    }
    pairs.sort_by_key(|p| (p.a, p.b));
    pairs
}

/// The documents of `overview` assigned to `annotator` by `team.ron` (empty without one).
pub fn assigned(overview: &Overview, annotator: &str) -> BTreeSet<String> {
    overview
        .team
        .as_ref()
        .map(|team| super::assigned_to(team, annotator))
        .unwrap_or_default()
}
