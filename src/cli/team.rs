//! The team commands: `assign`, `team` and git's `merge-driver`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use super::{shown, shown_path};
use crate::team::{TEAM_FILE, TeamFile};

/// The lines of `.gitattributes` that give project files to the merge driver, and `team.ron`
/// (not a project: the driver refuses it) back to git's line merge.
pub const GITATTRIBUTES_LINES: [&str; 2] = ["*.ron merge=marginalia", "/team.ron merge=text"];

/// Refuses a team folder that is not a folder, in words.
fn team_folder(dir: &Path) -> anyhow::Result<()> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => anyhow::bail!("{} is a file, not a team folder", dir.display()),
        Err(_) => anyhow::bail!(
            "there is no folder {} (a team folder holds the corpus and the annotators' projects)",
            dir.display()
        ),
    }
}

/// The corpus of a team folder: DIR/corpus, else the one folder the projects of DIR read.
fn find_corpus(dir: &Path) -> anyhow::Result<PathBuf> {
    let inside = dir.join("corpus");
    if inside.is_dir() {
        return Ok(inside);
    }
    let mut corpora: Vec<PathBuf> = crate::team::project_files(dir)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| crate::file::load_without_texts(p).ok())
        .map(|p| crate::file::absolute(&p.corpus_root))
        .collect();
    corpora.sort();
    corpora.dedup();
    match corpora.as_slice() {
        [one] => Ok(one.clone()),
        [] => anyhow::bail!(
            "{} has no corpus folder and no project naming one: give --corpus",
            dir.display()
        ),
        _ => anyhow::bail!(
            "the projects in {} read {} different corpus folders: give --corpus",
            dir.display(),
            corpora.len()
        ),
    }
}

/// `marginalia assign`.
pub(super) fn assign(
    dir: &Path,
    annotators: &[String],
    overlap: f64,
    seed: Option<u64>,
    corpus: Option<&Path>,
    force: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ExitCode> {
    team_folder(dir)?;
    // The arguments first: a mistake there is told before anything is read.
    crate::team::check_arguments(annotators, overlap)?;
    let target = dir.join(TEAM_FILE);
    if target.exists() && !force {
        anyhow::bail!(
            "{} already exists: the annotators may have started on it (use --force to replace \
             it; the old one is kept as {TEAM_FILE}.bak)",
            target.display()
        );
    }
    let corpus = match corpus {
        Some(corpus) => corpus.to_owned(),
        None => find_corpus(dir)?,
    };
    if !corpus.is_dir() {
        anyhow::bail!("there is no corpus folder {}", corpus.display());
    }
    let listing = crate::corpus::list_folder(&corpus)
        .with_context(|| format!("cannot list the corpus {}", corpus.display()))?;
    for skipped in &listing.skipped {
        eprintln!(
            "marginalia: warning: not assigned: {}",
            shown(&skipped.to_string())
        );
    }
    if listing.texts.is_empty() {
        return Err(crate::team::TeamError::NoDocuments(corpus).into());
    }
    let seed = seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() ^ u64::from(d.subsec_nanos()))
    });
    let relative =
        crate::file::relative_path(&crate::file::absolute(dir), &crate::file::absolute(&corpus));
    let team = TeamFile::new(relative, &listing.texts, annotators, overlap, seed)?;
    team.save(&target)
        .with_context(|| format!("cannot write {}", target.display()))?;
    let loads: Vec<String> = team
        .loads()
        .iter()
        .map(|(name, n)| format!("{} {n}", shown(name)))
        .collect();
    writeln!(
        out,
        "assigned {} document(s) to {} annotator(s) in {} (seed {seed}): {} shared by two for \
         agreement; documents each: {}",
        team.documents.len(),
        team.annotators.len(),
        shown_path(&target),
        team.shared(),
        loads.join(", ")
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `marginalia team DIR`: each project of the folder, its annotator, documents and spans.
pub(super) fn team_summary(dir: &Path, out: &mut dyn std::io::Write) -> anyhow::Result<ExitCode> {
    team_folder(dir)?;
    let overview = crate::team::overview::overview(dir)
        .with_context(|| format!("cannot read the team folder {}", dir.display()))?;
    for problem in &overview.problems {
        eprintln!("marginalia: warning: {}", shown(problem));
    }
    write_overview(&overview, out)?;
    Ok(ExitCode::SUCCESS)
}

/// The team overview as `marginalia team DIR` prints it: the annotators, the documents that are
/// not done by everyone they are assigned to, and the agreement of each pair.
fn write_overview(
    overview: &crate::team::overview::Overview,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let dir = &overview.dir;
    writeln!(out, "team folder: {}", shown_path(dir))?;
    if let Some(team) = &overview.team {
        writeln!(
            out,
            "assignments: {} document(s), {} shared by two ({TEAM_FILE}, seed {})",
            team.documents.len(),
            team.shared(),
            team.seed
        )?;
    }
    if overview.members.is_empty() {
        writeln!(out, "no project in {}", shown_path(dir))?;
        return Ok(());
    }
    writeln!(out)?;
    let assigned = overview.team.is_some();
    let relative = |path: &'_ Path| shown_path(path.strip_prefix(dir).unwrap_or(path));
    let width = overview
        .members
        .iter()
        .map(|m| relative(&m.path).chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    let names = overview
        .members
        .iter()
        .map(|m| shown(&m.annotator).chars().count())
        .max()
        .unwrap_or(0)
        .max(9);
    writeln!(
        out,
        "{:<names$}  {:<width$}  {:>5}  {:>11}  {:>5}  {:>6}{}",
        "annotator",
        "project",
        "to do",
        "in progress",
        "done",
        "spans",
        if assigned { "  assigned done" } else { "" }
    )?;
    for member in &overview.members {
        let [to_do, in_progress, done] = member.status;
        let assigned = match (member.assigned, member.assigned_done) {
            (Some(all), Some(done)) => format!("  {done:>8}/{all}"),
            _ => String::new(),
        };
        writeln!(
            out,
            "{:<names$}  {:<width$}  {to_do:>5}  {in_progress:>11}  {done:>5}  {:>6}{assigned}{}",
            shown(&member.annotator),
            relative(&member.path),
            member.span_count(),
            if member.gold { "  (gold)" } else { "" }
        )?;
    }
    writeln!(out)?;
    writeln!(out, "spans per label:")?;
    for (index, label) in overview.labels.iter().enumerate() {
        let counts: Vec<String> = overview
            .members
            .iter()
            .map(|m| {
                format!(
                    "{} {}",
                    shown(&m.annotator),
                    m.spans.get(index).copied().unwrap_or(0)
                )
            })
            .collect();
        writeln!(out, "  {:<14}  {}", shown(label), counts.join(", "))?;
    }
    let shared: Vec<_> = overview.pairs.iter().filter(|p| p.shared > 0).collect();
    let apart = overview.pairs.len() - shared.len();
    if !shared.is_empty() {
        writeln!(out)?;
        writeln!(out, "agreement (exact-span F1 / Cohen's kappa on tokens):")?;
        for pair in shared {
            let (Some(a), Some(b)) = (overview.members.get(pair.a), overview.members.get(pair.b))
            else {
                continue;
            };
            let number = |x: f64| {
                if x.is_nan() {
                    "n/a".to_owned()
                } else {
                    format!("{x:.3}")
                }
            };
            writeln!(
                out,
                "  {} / {}: F1 {}, kappa {} ({} document(s) in common)",
                shown(&a.annotator),
                shown(&b.annotator),
                number(pair.f1),
                number(pair.kappa),
                pair.shared
            )?;
        }
    }
    if apart > 0 {
        writeln!(
            out,
            "{apart} pair(s) of projects have no document in common"
        )?;
    }
    if assigned {
        let open: Vec<_> = overview
            .documents
            .iter()
            .filter(|row| {
                row.assigned.iter().any(|name| {
                    !overview.members.iter().zip(&row.status).any(|(m, s)| {
                        crate::team::annotator_name(&m.annotator)
                            == crate::team::annotator_name(name)
                            && *s == Some(crate::model::Status::Done)
                    })
                })
            })
            .collect();
        writeln!(out)?;
        writeln!(
            out,
            "{} assigned document(s) not yet done by everyone they are assigned to",
            open.len()
        )?;
    }
    Ok(())
}

/// `path` quoted for the shell git runs the merge driver with.
fn shell_quoted(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', r"'\''"))
}

/// Runs `git ARGS` in `dir`, with what it printed on failure.
fn git(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .context("cannot run git (is it installed?)")?;
    if !output.status.success() {
        anyhow::bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// `marginalia team DIR --init-git`.
pub(super) fn init_git_merge(dir: &Path, out: &mut dyn std::io::Write) -> anyhow::Result<ExitCode> {
    team_folder(dir)?;
    if git(dir, &["rev-parse", "--git-dir"]).is_err() {
        anyhow::bail!(
            "{} is not in a git repository: run `git init` there first",
            dir.display()
        );
    }
    let attributes = dir.join(".gitattributes");
    let existing = match std::fs::read_to_string(&attributes) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", attributes.display()));
        }
    };
    let missing: Vec<&str> = GITATTRIBUTES_LINES
        .into_iter()
        .filter(|wanted| {
            !existing
                .lines()
                .any(|line| line.split_whitespace().eq(wanted.split_whitespace()))
        })
        .collect();
    let present = missing.is_empty();
    if !present {
        let mut text = existing;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        for line in missing {
            text.push_str(line);
            text.push('\n');
        }
        crate::file::write_atomic(&attributes, text.as_bytes())
            .with_context(|| format!("cannot write {}", attributes.display()))?;
    }
    let exe = std::env::current_exe().context("cannot find the path of this program")?;
    let driver = format!("{} merge-driver %O %A %B %P", shell_quoted(&exe));
    git(
        dir,
        &[
            "config",
            "merge.marginalia.name",
            "Marginalia projects, merged span by span",
        ],
    )?;
    git(dir, &["config", "merge.marginalia.driver", &driver])?;
    writeln!(
        out,
        "{} {} ({}); git merges the project files of this repository with {}",
        if present { "kept" } else { "wrote" },
        shown_path(&attributes),
        GITATTRIBUTES_LINES.join(", "),
        shown(&driver)
    )?;
    writeln!(
        out,
        "commit .gitattributes; the driver is in this clone's git configuration: run `marginalia \
         team DIR --init-git` once in each clone"
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Reads one of the three versions git gives the merge driver.
fn version(path: &Path, what: &str) -> anyhow::Result<String> {
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read {what} ({})", path.display()))?;
    String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{what} ({}) is not UTF-8 text", path.display()))
}

/// `marginalia merge-driver %O %A %B %P`.
pub(super) fn merge_driver(
    ancestor: &Path,
    ours: &Path,
    theirs: &Path,
    path: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let name = path.unwrap_or(ours);
    let left = || {
        format!(
            "{} not merged: git leaves it as a conflict, with our version",
            name.display()
        )
    };
    let base_text = version(ancestor, "the common ancestor").with_context(left)?;
    let ours_text = version(ours, "our version").with_context(left)?;
    let theirs_text = version(theirs, "their version").with_context(left)?;
    let (merged, report) = crate::file::merge_three_way(&base_text, &ours_text, &theirs_text, name)
        .with_context(left)?;
    // With its texts, when the corpus is there (read relative to the project's place in the
    // repository, never outside it and the folder above).
    let dir = crate::file::absolute(name)
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    let read = |root: &Path, relative: &str| {
        if crate::file::corpus_outside_of(name, root).is_some() {
            return Err(crate::corpus::CorpusError::Io {
                path: relative.into(),
                source: std::io::Error::other("the corpus is outside the repository"),
            });
        }
        crate::corpus::resolve(root, relative).and_then(|file| crate::corpus::read_document(&file))
    };
    let (_, problems) = crate::file::from_ron(&merged, name, &dir, read).with_context(left)?;
    crate::file::write_atomic(ours, merged.as_bytes()).with_context(left)?;
    let shown_name = shown_path(name);
    for conflict in &report.conflicts {
        eprintln!(
            "marginalia: merge: {shown_name}: {}",
            shown(&conflict.to_string())
        );
    }
    for renumbered in &report.renumbered {
        eprintln!(
            "marginalia: merge: {shown_name}: {}: theirs' {} is now {} (ours uses that id)",
            shown(&renumbered.path),
            renumbered.from,
            renumbered.to
        );
    }
    for note in &report.notes {
        eprintln!("marginalia: merge: {shown_name}: {}", shown(note));
    }
    let missing = problems
        .iter()
        .filter(|p| matches!(p, crate::file::Problem::Missing { .. }))
        .count();
    for problem in problems
        .iter()
        .filter(|p| !matches!(p, crate::file::Problem::Missing { .. }))
    {
        eprintln!(
            "marginalia: merge: {shown_name}: warning: {}",
            problem.for_terminal()
        );
    }
    if missing > 0 {
        eprintln!(
            "marginalia: merge: {shown_name}: {missing} text(s) of the corpus could not be read: \
             merged on the project's structure alone"
        );
    }
    let [ours_added, theirs_added] = report.added;
    eprintln!(
        "marginalia: merged {shown_name}: {ours_added} span(s) added on ours, {theirs_added} on \
         theirs, {} deleted; {} unresolved candidate(s){}",
        report.deleted,
        report.candidates(),
        if report.conflicts.is_empty() {
            String::new()
        } else {
            " to rule on in Review → Adjudicate".to_owned()
        }
    );
    Ok(ExitCode::SUCCESS)
}
