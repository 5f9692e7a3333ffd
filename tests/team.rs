//! Team work (issue L): assignments (`team.ron`, `marginalia assign`) and the git merge driver
//! (`marginalia merge-driver`, `marginalia team DIR --init-git`), with real `git`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use marginalia::corpus::{self, CorpusError};
use marginalia::file::{Conflict, MergeReport, from_ron, merge_three_way, to_ron};
use marginalia::model::{Annotation, Document, Id, Project, Relation, Timestamp};
use marginalia::review::adjudicate;
use marginalia::schema::Schema;
use marginalia::team::{self, TeamFile};
use marginalia::text::ByteRange;

mod common;
use common::cli::{marginalia, s, text};

// ---------------------------------------------------------------------------------------------
// The three-way merge, on projects made in memory.

const TEXT: &str = "Le Kremlin a démenti hier, selon l’AFP. Kim est arrivé à Moscou mardi.";

/// A span of TEXT: id, label, the phrase it covers.
fn span(id: u64, label: &str, phrase: &str) -> Annotation {
    let start = TEXT.find(phrase).unwrap();
    Annotation {
        id: Id(id),
        label: label.into(),
        fragments: vec![ByteRange::new(start, start + phrase.len())],
        annotator: "ana".into(),
        note: String::new(),
        created: Timestamp(1_800_000_000),
        attributes: BTreeMap::new(),
        provenance: None,
        suggested: None,
    }
}

fn link(id: u64, from: u64, to: u64) -> Relation {
    Relation {
        id: Id(id),
        kind: "attributed-to".into(),
        from: Id(from),
        to: Id(to),
        annotator: "ana".into(),
        created: Timestamp(1_800_000_000),
    }
}

fn project_of(spans: Vec<Annotation>, links: Vec<Relation>) -> Project {
    let mut document = Document {
        path: "a.txt".into(),
        hash: corpus::sha256_hex(TEXT.as_bytes()),
        text: Arc::from(TEXT),
        annotations: spans,
        relations: links,
        ..Document::default()
    };
    document.annotations.sort_by_key(Annotation::sort_key);
    Project::new(
        "ana".into(),
        "/corpus".into(),
        Schema::default(),
        vec![document],
    )
}

fn ron_of(spans: Vec<Annotation>, links: Vec<Relation>) -> String {
    to_ron(&project_of(spans, links), Path::new("/corpus"))
}

/// The ancestor: a claim (1), its source (2), the link between them (3).
fn base() -> (Vec<Annotation>, Vec<Relation>) {
    (
        vec![
            span(1, "claim", "Le Kremlin a démenti hier"),
            span(2, "source", "l’AFP"),
        ],
        vec![link(3, 1, 2)],
    )
}

/// Loads a merged project on TEXT, checked as the app checks it.
fn load(merged: &str) -> Project {
    let read = |_: &Path, _: &str| -> Result<corpus::DocumentText, CorpusError> {
        Ok(corpus::DocumentText {
            text: TEXT.to_owned(),
            hash: corpus::sha256_hex(TEXT.as_bytes()),
            decoded_from: None,
        })
    };
    let (project, problems) =
        from_ron(merged, Path::new("merged.ron"), Path::new("/corpus"), read).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    project
}

fn merge(base: &str, ours: &str, theirs: &str) -> (Project, MergeReport) {
    let (text, report) = merge_three_way(base, ours, theirs, Path::new("p.ron")).unwrap();
    (load(&text), report)
}

fn ids(project: &Project) -> Vec<u64> {
    let mut ids: Vec<u64> = project.documents[0]
        .annotations
        .iter()
        .map(|a| a.id.0)
        .collect();
    ids.sort_unstable();
    ids
}

fn links(project: &Project) -> Vec<(u64, u64, u64)> {
    project.documents[0]
        .relations
        .iter()
        .map(|r| (r.id.0, r.from.0, r.to.0))
        .collect()
}

fn by_id(project: &Project, id: u64) -> &Annotation {
    project.documents[0]
        .annotations
        .iter()
        .find(|a| a.id.0 == id)
        .unwrap()
}

#[test]
fn l_merge_keeps_what_each_side_added() {
    let (spans, relations) = base();
    let o = ron_of(spans.clone(), relations.clone());
    let mut a_spans = spans.clone();
    a_spans.push(span(4, "claim", "Kim est arrivé à Moscou"));
    let a = ron_of(a_spans, relations.clone());
    let mut b_spans = spans;
    b_spans.push(span(5, "claim", "mardi"));
    let mut b_links = relations;
    b_links.push(link(6, 5, 2));
    let b = ron_of(b_spans, b_links);
    let (merged, report) = merge(&o, &a, &b);
    assert_eq!(ids(&merged), [1, 2, 4, 5]);
    assert_eq!(links(&merged), [(3, 1, 2), (6, 5, 2)]);
    assert_eq!(report.added, [1, 1]);
    assert!(report.conflicts.is_empty() && report.renumbered.is_empty());
    assert!(!merged.is_gold(), "no candidate, no provenance");
    // The same merge the other way round has the same spans.
    let (swapped, _) = merge(&o, &b, &a);
    assert_eq!(ids(&swapped), [1, 2, 4, 5]);
}

#[test]
fn l_merge_deletes_a_span_deleted_on_one_side_and_untouched_on_the_other() {
    let (spans, relations) = base();
    let o = ron_of(spans.clone(), relations.clone());
    // Ours deletes the source (and so its link); theirs edits the claim's note.
    let a = ron_of(vec![spans[0].clone()], vec![]);
    let mut b_spans = spans;
    b_spans[0].note = "démenti de quoi ?".into();
    let b = ron_of(b_spans, relations);
    let (merged, report) = merge(&o, &a, &b);
    assert_eq!(ids(&merged), [1]);
    assert_eq!(by_id(&merged, 1).note, "démenti de quoi ?");
    assert!(links(&merged).is_empty());
    assert_eq!(report.deleted, 1);
    assert!(report.conflicts.is_empty());
    assert!(report.notes.is_empty(), "{:?}", report.notes);
}

#[test]
fn l_merge_keeps_a_span_deleted_on_one_side_and_changed_on_the_other_as_a_candidate() {
    let (spans, relations) = base();
    let o = ron_of(spans.clone(), relations.clone());
    let a = ron_of(vec![spans[0].clone()], vec![]);
    let mut b_spans = spans;
    b_spans[1].note = "l’agence".into();
    let b = ron_of(b_spans, relations);
    let (merged, report) = merge(&o, &a, &b);
    assert_eq!(ids(&merged), [1, 2]);
    let kept = by_id(&merged, 2);
    assert_eq!(kept.note, "l’agence");
    let provenance = kept.provenance.as_ref().unwrap();
    assert!(provenance.unresolved);
    assert_eq!(provenance.annotators, ["ana (theirs)"]);
    // Its link comes back with it: it went only with the span.
    assert_eq!(links(&merged), [(3, 1, 2)]);
    assert_eq!(
        report.conflicts,
        [Conflict::ChangedAndDeleted {
            path: "a.txt".into(),
            id: Id(2),
            changed: marginalia::file::Side::Theirs,
        }]
    );
}

#[test]
fn l_merge_keeps_a_span_changed_differently_on_both_sides_as_two_candidates() {
    let (spans, relations) = base();
    let o = ron_of(spans.clone(), relations.clone());
    let mut a_spans = spans.clone();
    a_spans[0] = span(1, "claim", "Le Kremlin a démenti");
    let a = ron_of(a_spans, relations.clone());
    let mut b_spans = spans;
    b_spans[0]
        .attributes
        .insert("stance".into(), "refute".into());
    let b = ron_of(b_spans, relations);
    let (merged, report) = merge(&o, &a, &b);
    assert_eq!(ids(&merged), [1, 2, 4]);
    let (ours, theirs) = (by_id(&merged, 1), by_id(&merged, 4));
    assert_eq!(ours.text(TEXT), "Le Kremlin a démenti");
    assert_eq!(theirs.text(TEXT), "Le Kremlin a démenti hier");
    assert_eq!(theirs.attributes.get("stance").unwrap(), "refute");
    for (candidate, side) in [(ours, "ours"), (theirs, "theirs")] {
        let provenance = candidate.provenance.as_ref().unwrap();
        assert!(provenance.unresolved, "{side}");
        assert_eq!(provenance.annotators, [format!("ana ({side})")]);
        assert_eq!(provenance.adjudicator, None);
    }
    // Each candidate has its side's link to the source.
    assert_eq!(links(&merged), [(3, 1, 2), (5, 4, 2)]);
    assert_eq!(
        report.conflicts,
        [Conflict::Changed {
            path: "a.txt".into(),
            ours: Id(1),
            theirs: Id(4),
        }]
    );
    assert_eq!(report.candidates(), 2);
    // The adjudication panel sees one place in dispute with both.
    assert!(merged.is_gold());
    let groups = adjudicate::groups(&merged.documents[0]);
    assert_eq!(groups.len(), 1);
    let group: BTreeSet<Id> = groups[0].iter().copied().collect();
    assert_eq!(group, BTreeSet::from([Id(1), Id(4)]));
}

#[test]
fn l_merge_renumbers_colliding_ids_on_their_side_with_their_links() {
    let (spans, relations) = base();
    let o = ron_of(spans.clone(), relations.clone());
    // Both sides add span 4 and link 5, to different things.
    let mut a_spans = spans.clone();
    a_spans.push(span(4, "source", "Kim"));
    let mut a_links = relations.clone();
    a_links.push(link(5, 1, 4));
    let a = ron_of(a_spans, a_links);
    let mut b_spans = spans;
    b_spans.push(span(4, "claim", "Kim est arrivé à Moscou mardi"));
    let mut b_links = relations;
    b_links.push(link(5, 4, 2));
    let b = ron_of(b_spans, b_links);
    let (merged, report) = merge(&o, &a, &b);
    assert_eq!(ids(&merged), [1, 2, 4, 6]);
    assert_eq!(by_id(&merged, 4).label, "source");
    assert_eq!(by_id(&merged, 6).label, "claim");
    // Their link follows their span, under a new id too.
    assert_eq!(links(&merged), [(3, 1, 2), (5, 1, 4), (7, 6, 2)]);
    let renumbered: Vec<(u64, u64)> = report
        .renumbered
        .iter()
        .map(|r| (r.from.0, r.to.0))
        .collect();
    assert_eq!(renumbered, [(4, 6), (5, 7)]);
    assert!(report.conflicts.is_empty());
}

#[test]
fn l_merge_merges_links_three_way() {
    let (mut spans, relations) = base();
    spans.push(span(4, "claim", "Kim est arrivé à Moscou"));
    spans.push(span(5, "source", "Le Kremlin"));
    let o = ron_of(spans.clone(), relations.clone());
    // Ours deletes link 3 and links 4 to 2; theirs links 4 to 5, and 1 to 5.
    let a = ron_of(spans.clone(), vec![link(6, 4, 2)]);
    let b = ron_of(
        spans.clone(),
        vec![link(3, 1, 2), link(6, 4, 5), link(7, 1, 5)],
    );
    let (merged, report) = merge(&o, &a, &b);
    assert_eq!(ids(&merged), [1, 2, 4, 5]);
    // Link 6 of theirs was renumbered (ours has a 6): 8, and 7 kept.
    assert_eq!(links(&merged), [(6, 4, 2), (7, 1, 5), (8, 4, 5)]);
    assert_eq!(report.renumbered.len(), 1);
    // The same link added on both sides is kept once.
    let both = ron_of(spans, vec![link(3, 1, 2), link(9, 4, 2)]);
    let (merged, _) = merge(&o, &both, &both.replace("id: 9,", "id: 10,"));
    assert_eq!(links(&merged), [(3, 1, 2), (9, 4, 2)]);
}

#[test]
fn l_merge_keeps_once_a_span_both_sides_added_alike() {
    let (spans, relations) = base();
    let o = ron_of(spans.clone(), relations.clone());
    let mut a_spans = spans.clone();
    a_spans.push(span(4, "claim", "Kim est arrivé à Moscou"));
    let a = ron_of(a_spans, relations.clone());
    let mut b_spans = spans;
    let mut same = span(7, "claim", "Kim est arrivé à Moscou");
    same.created = Timestamp(1_800_000_999);
    b_spans.push(same);
    let mut b_links = relations;
    b_links.push(link(8, 7, 2));
    let b = ron_of(b_spans, b_links);
    let (merged, report) = merge(&o, &a, &b);
    assert_eq!(ids(&merged), [1, 2, 4]);
    // Their link to their copy goes to ours.
    assert_eq!(links(&merged), [(3, 1, 2), (8, 4, 2)]);
    assert!(report.conflicts.is_empty());
}

#[test]
fn l_merge_of_files_added_on_both_sides_and_of_broken_files() {
    let (spans, relations) = base();
    let a = ron_of(vec![spans[0].clone()], vec![]);
    let b = ron_of(spans, relations);
    // No common ancestor (git gives an empty file): what both have is kept once.
    let (merged, _) = merge("", &a, &b);
    assert_eq!(ids(&merged), [1, 2]);
    assert_eq!(links(&merged), [(3, 1, 2)]);
    // A version that is not a project is refused, in words, naming the side.
    let error = merge_three_way(&a, &a, "<<<<<<< HEAD\n", Path::new("p.ron")).unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("p.ron (theirs)"), "{message}");
    let newer = a.replace("format_version: 1", "format_version: 99");
    assert!(merge_three_way(&a, &a, &newer, Path::new("p.ron")).is_err());
}

// ---------------------------------------------------------------------------------------------
// Assignments.

fn documents(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("doc-{i:03}.txt")).collect()
}

fn names(list: &str) -> Vec<String> {
    list.split(',').map(str::to_owned).collect()
}

/// Every document to one or two different annotators; the overlap's share to two, rounded;
/// loads within one document of each other.
fn check_assignment(
    assignment: &BTreeMap<String, Vec<String>>,
    docs: &[String],
    annotators: usize,
    overlap: f64,
) {
    assert_eq!(
        assignment.keys().cloned().collect::<Vec<_>>(),
        docs.to_vec()
    );
    let shared = assignment.values().filter(|a| a.len() == 2).count();
    assert_eq!(
        shared,
        (overlap * docs.len() as f64).round() as usize,
        "{overlap} of {}",
        docs.len()
    );
    let mut loads: BTreeMap<&str, usize> = BTreeMap::new();
    for names in assignment.values() {
        assert!(names.len() == 1 || names.len() == 2);
        let distinct: BTreeSet<&String> = names.iter().collect();
        assert_eq!(distinct.len(), names.len(), "two different annotators");
        for name in names {
            *loads.entry(name).or_default() += 1;
        }
    }
    let counts: Vec<usize> = loads.values().copied().collect();
    if docs.len() + shared >= annotators {
        assert_eq!(loads.len(), annotators, "everyone has work");
    }
    let (min, max) = (
        counts.iter().min().copied().unwrap_or(0),
        counts.iter().max().copied().unwrap_or(0),
    );
    assert!(max - min <= 1, "balanced: {loads:?}");
}

#[test]
fn l_assign_is_deterministic_for_a_seed_and_gives_the_overlap_asked() {
    let docs = documents(23);
    let team = names("ana,ben,chloé");
    let first = team::assign(&docs, &team, 0.2, 42).unwrap();
    assert_eq!(first, team::assign(&docs, &team, 0.2, 42).unwrap());
    // The order of the documents and annotators changes nothing.
    let mut reversed = docs.clone();
    reversed.reverse();
    assert_eq!(
        first,
        team::assign(&reversed, &names("chloé,ben,ana"), 0.2, 42).unwrap()
    );
    assert_ne!(first, team::assign(&docs, &team, 0.2, 43).unwrap());
    check_assignment(&first, &docs, 3, 0.2);
    // 0.2 of 23 is 4.6: five documents shared.
    assert_eq!(first.values().filter(|a| a.len() == 2).count(), 5);
    for overlap in [0.0, 0.1, 0.5, 1.0] {
        let assignment = team::assign(&docs, &team, overlap, 7).unwrap();
        check_assignment(&assignment, &docs, 3, overlap);
    }
    // The shared documents are spread over the pairs.
    let all = team::assign(&docs, &team, 1.0, 7).unwrap();
    let pairs: BTreeSet<&Vec<String>> = all.values().collect();
    assert_eq!(pairs.len(), 3);
}

proptest::proptest! {
    /// Any corpus, team and overlap: every document assigned, the share asked, balanced.
    #[test]
    fn l_assign_balances_any_team(
        n in 1usize..60,
        annotators in 2usize..7,
        overlap in 0.0f64..=1.0,
        seed in proptest::num::u64::ANY,
    ) {
        let docs = documents(n);
        let team: Vec<String> = (0..annotators).map(|i| format!("a{i}")).collect();
        let assignment = team::assign(&docs, &team, overlap, seed).unwrap();
        check_assignment(&assignment, &docs, annotators, overlap);
    }
}

#[test]
fn l_team_file_is_sorted_stable_and_reads_back_with_accented_names() {
    let docs = documents(10);
    // "chloé" typed with a combining accent (as macOS file names give it) is the same name.
    let decomposed = "chloe\u{301}";
    let team = TeamFile::new(
        "corpus".into(),
        &docs,
        &names(&format!("ben,{decomposed},ana")),
        0.3,
        5,
    )
    .unwrap();
    assert_eq!(team.annotators, ["ana", "ben", "chloé"]);
    let text = team.to_ron();
    assert!(text.contains("\"chloé\""), "{text}");
    assert!(
        text.contains("    \"doc-000.txt\": ["),
        "one document a line: {text}"
    );
    let back = TeamFile::from_ron(&text, Path::new("team.ron")).unwrap();
    assert_eq!(back, team);
    assert_eq!(back.to_ron(), text);
    let chloe = team::assigned_to(&team, "chloé");
    assert_eq!(chloe, team::assigned_to(&team, decomposed));
    assert!(!chloe.is_empty());
    let everyone: BTreeSet<String> = ["ana", "ben", "chloé"]
        .iter()
        .flat_map(|a| team::assigned_to(&team, a))
        .collect();
    assert_eq!(everyone.len(), 10);
    assert_eq!(team.shared(), 3);
    // Written and read through the file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("team.ron");
    team.save(&path).unwrap();
    assert_eq!(TeamFile::load(&path).unwrap(), team);
    assert!(
        TeamFile::from_ron("(annotator: \"a\")", Path::new("team.ron"))
            .unwrap_err()
            .to_string()
            .starts_with("team.ron: line 1")
    );
}

#[test]
fn l_assign_refuses_bad_arguments_in_words() {
    let docs = documents(5);
    for (annotators, overlap, expected) in [
        ("ana,ben", 1.5, "the overlap must be a share from 0 to 1"),
        ("ana,ben", -0.1, "the overlap must be a share from 0 to 1"),
        ("ana", 0.2, "an overlap needs at least two annotators"),
        ("ana,,ben", 0.2, "an annotator's name is empty"),
        ("ana,ben,ana", 0.2, "ana is listed twice"),
    ] {
        let error = team::assign(&docs, &names(annotators), overlap, 1).unwrap_err();
        assert!(
            error.to_string().starts_with(expected),
            "{annotators} {overlap}: {error}"
        );
    }
    // One annotator without overlap gets everything.
    let alone = team::assign(&docs, &names("ana"), 0.0, 1).unwrap();
    assert!(alone.values().all(|a| a == &["ana"]));
}

/// A team folder: a corpus of `n` texts in DIR/corpus.
fn team_folder(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("corpus")).unwrap();
    for i in 0..n {
        std::fs::write(
            dir.path().join(format!("corpus/doc-{i:03}.txt")),
            format!("Texte {i}.\n"),
        )
        .unwrap();
    }
    dir
}

#[test]
fn l_assign_cli_writes_team_ron_and_says_what_is_wrong() {
    let dir = team_folder(10);
    let d = s(dir.path());
    let out = marginalia(&[
        "assign",
        d,
        "--annotators",
        "ana,ben,chloé",
        "--overlap",
        "0.2",
        "--seed",
        "9",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("assigned 10 document(s) to 3 annotator(s)"),
        "{stdout}"
    );
    assert!(stdout.contains("2 shared by two"), "{stdout}");
    let written = std::fs::read_to_string(dir.path().join("team.ron")).unwrap();
    let team = TeamFile::from_ron(&written, Path::new("team.ron")).unwrap();
    assert_eq!(team.corpus, "corpus");
    assert_eq!(team.seed, 9);
    assert_eq!(team.documents.len(), 10);
    // Not replaced by accident; the same seed again gives the same file.
    let again = [
        "assign",
        d,
        "--annotators",
        "chloé,ben,ana",
        "--overlap",
        "0.2",
        "--seed",
        "9",
    ];
    let out = marginalia(&again);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("team.ron already exists"),
        "{}",
        text(&out.stderr)
    );
    let mut forced = again.to_vec();
    forced.push("--force");
    assert!(marginalia(&forced).status.success());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("team.ron")).unwrap(),
        written
    );
    assert!(dir.path().join("team.ron.bak").exists());
    // Mistakes, in words.
    let missing = dir.path().join("nowhere");
    for (args, expected) in [
        (
            vec!["assign", s(&missing), "--annotators", "ana,ben"],
            "there is no folder",
        ),
        (
            vec!["assign", d, "--annotators", "ana,ben", "--overlap", "1.5"],
            "the overlap must be a share from 0 to 1",
        ),
        (
            vec!["assign", d, "--annotators", "ana,ben", "--overlap", "-0.5"],
            "the overlap must be a share from 0 to 1",
        ),
        (
            vec!["assign", d, "--annotators", "ana", "--overlap", "0.2"],
            "an overlap needs at least two annotators",
        ),
    ] {
        let out = marginalia(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.starts_with(&format!("marginalia: error: {expected}")),
            "{args:?}: {stderr}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// git, for real.

/// Runs git in `dir`, isolated from the user's and the system's configuration.
fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .output()
        .expect("git runs")
}

fn git_ok(dir: &Path, args: &[&str]) -> String {
    let output = git(dir, args);
    assert!(
        output.status.success(),
        "git {args:?}: {}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// The sample project and its corpus in a new git repository set up by `team --init-git`, on
/// branch `main`, committed.
fn repository() -> (tempfile::TempDir, PathBuf) {
    let (dir, project) = common::sample_copy();
    let root = dir.path();
    git_ok(root, &["init", "-q", "-b", "main"]);
    git_ok(root, &["config", "user.name", "Ana Test"]);
    git_ok(root, &["config", "user.email", "ana@example.org"]);
    let out = marginalia(&["team", s(root), "--init-git"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Twice: the line is not written twice.
    assert!(
        marginalia(&["team", s(root), "--init-git"])
            .status
            .success()
    );
    let attributes = std::fs::read_to_string(root.join(".gitattributes")).unwrap();
    assert_eq!(attributes, "*.ron merge=marginalia\n/team.ron merge=text\n");
    // team.ron is not a project: git merges it line by line (the driver would refuse it).
    let merge = git_ok(
        root,
        &["check-attr", "merge", "team.ron", "projects/sample.ron"],
    );
    assert_eq!(
        merge,
        "team.ron: merge: text\nprojects/sample.ron: merge: marginalia\n"
    );
    let driver = git_ok(root, &["config", "merge.marginalia.driver"]);
    assert!(
        driver.trim().ends_with("merge-driver %O %A %B %P"),
        "{driver}"
    );
    git_ok(root, &["add", "-A"]);
    git_ok(root, &["commit", "-q", "-m", "sample"]);
    (dir, project)
}

/// Changes the project at `path` as the app does (load, change, save) and commits it.
fn commit_change(root: &Path, path: &Path, message: &str, change: impl FnOnce(&mut Project)) {
    let (mut project, _) = marginalia::file::load(path).unwrap();
    change(&mut project);
    marginalia::file::save(&project, path).unwrap();
    git_ok(root, &["add", s(path)]);
    git_ok(root, &["commit", "-q", "-m", message]);
}

/// A new span of `document` on the first occurrence of `phrase`.
fn add_span(project: &mut Project, document: usize, label: &str, phrase: &str, note: &str) -> Id {
    let id = project.allocate_id();
    let doc = &mut project.documents[document];
    let start = doc.text.find(phrase).unwrap();
    doc.annotations.push(Annotation {
        id,
        label: label.into(),
        fragments: vec![ByteRange::new(start, start + phrase.len())],
        annotator: "camille".into(),
        note: note.into(),
        created: Timestamp(1_800_000_000),
        attributes: BTreeMap::new(),
        provenance: None,
        suggested: None,
    });
    doc.annotations.sort_by_key(Annotation::sort_key);
    doc.annotations_changed();
    id
}

fn spans_with_note<'p>(project: &'p Project, note: &str) -> Vec<&'p Annotation> {
    project
        .documents
        .iter()
        .flat_map(|d| &d.annotations)
        .filter(|a| a.note == note)
        .collect()
}

#[test]
fn l_git_merges_two_branches_that_add_and_edit_spans_without_conflict() {
    let (dir, project) = repository();
    let root = dir.path();
    let spans_before = marginalia::file::load(&project)
        .unwrap()
        .0
        .annotation_count();
    git_ok(root, &["checkout", "-q", "-b", "ben"]);
    commit_change(root, &project, "ben's work", |p| {
        add_span(p, 1, "source", "Moscou", "added on ben");
        p.documents[0].annotations[0].note = "edited on ben".into();
    });
    git_ok(root, &["checkout", "-q", "main"]);
    commit_change(root, &project, "main's work", |p| {
        add_span(p, 2, "claim", "Pyongyang", "added on main");
        let last = p.documents[3].annotations.len() - 1;
        p.documents[3].annotations[last].note = "edited on main".into();
    });
    let merge = git(root, &["merge", "--no-edit", "ben"]);
    let said = format!("{}{}", text(&merge.stdout), text(&merge.stderr));
    assert!(merge.status.success(), "{said}");
    assert!(
        said.contains("marginalia: merged projects/sample.ron"),
        "{said}"
    );
    let merged = std::fs::read_to_string(&project).unwrap();
    for marker in ["<<<<<<<", "=======", ">>>>>>>"] {
        assert!(!merged.contains(marker), "{marker}");
    }
    assert_eq!(
        git_ok(root, &["status", "--porcelain", "--untracked-files=no"]),
        ""
    );
    // It loads and checks, with both sides' work.
    let check = marginalia(&["check", s(&project)]);
    assert!(
        check.status.success(),
        "{}{}",
        text(&check.stdout),
        text(&check.stderr)
    );
    let (loaded, _) = marginalia::file::load(&project).unwrap();
    assert_eq!(loaded.annotation_count(), spans_before + 2);
    for note in [
        "added on ben",
        "edited on ben",
        "added on main",
        "edited on main",
    ] {
        assert_eq!(spans_with_note(&loaded, note).len(), 1, "{note}");
    }
    // Both added a span under the same new id: theirs was renumbered, every id is unique.
    assert!(said.contains("is now"), "{said}");
    assert!(!loaded.is_gold());
}

#[test]
fn l_git_merge_of_a_span_changed_on_both_branches_yields_two_candidates() {
    let (dir, project) = repository();
    let root = dir.path();
    git_ok(root, &["checkout", "-q", "-b", "ben"]);
    commit_change(root, &project, "ben's label", |p| {
        p.documents[0].annotations[0].note = "ben says so".into();
    });
    git_ok(root, &["checkout", "-q", "main"]);
    commit_change(root, &project, "main's label", |p| {
        p.documents[0].annotations[0].note = "main says otherwise".into();
    });
    let merge = git(root, &["merge", "--no-edit", "ben"]);
    let said = format!("{}{}", text(&merge.stdout), text(&merge.stderr));
    assert!(merge.status.success(), "{said}");
    assert!(
        said.contains("was changed on both sides: kept as two unresolved candidates"),
        "{said}"
    );
    assert!(said.contains("2 unresolved candidate(s)"), "{said}");
    assert!(
        !std::fs::read_to_string(&project)
            .unwrap()
            .contains("<<<<<<<")
    );
    let check = marginalia(&["check", s(&project)]);
    assert!(check.status.success(), "{}", text(&check.stdout));
    let (loaded, _) = marginalia::file::load(&project).unwrap();
    let ours = spans_with_note(&loaded, "main says otherwise");
    let theirs = spans_with_note(&loaded, "ben says so");
    assert_eq!((ours.len(), theirs.len()), (1, 1));
    assert_eq!(ours[0].fragments, theirs[0].fragments);
    for (candidate, side) in [(ours[0], "ours"), (theirs[0], "theirs")] {
        let provenance = candidate.provenance.as_ref().unwrap();
        assert!(provenance.unresolved);
        assert_eq!(provenance.annotators, [format!("camille ({side})")]);
    }
    assert_eq!(adjudicate::groups(&loaded.documents[0]).len(), 1);
}

#[test]
fn l_merge_driver_leaves_ours_alone_when_a_version_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let (spans, relations) = base();
    let good = ron_of(spans, relations);
    let ours = dir.path().join("ours");
    std::fs::write(&ours, &good).unwrap();
    let broken = dir.path().join("theirs");
    std::fs::write(&broken, "<<<<<<< not a project").unwrap();
    let out = marginalia(&["merge-driver", s(&ours), s(&ours), s(&broken), "p.ron"]);
    assert_ne!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("p.ron not merged: git leaves it as a conflict"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&ours).unwrap(), good);
    let missing = dir.path().join("gone");
    let out = marginalia(&["merge-driver", s(&missing), s(&ours), s(&ours), "p.ron"]);
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&ours).unwrap(), good);
}

#[test]
fn l_team_lists_the_projects_of_a_folder() {
    let (dir, _) = common::sample_copy();
    let out = marginalia(&["team", s(dir.path())]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("camille"), "{stdout}");
    assert!(stdout.contains("projects/sample.ron"), "{stdout}");
    let not_git = marginalia(&["team", s(dir.path()), "--init-git"]);
    assert_eq!(not_git.status.code(), Some(2));
    assert!(
        text(&not_git.stderr).contains("is not in a git repository"),
        "{}",
        text(&not_git.stderr)
    );
}

#[test]
fn l_team_overview_counts_what_each_project_holds_and_agrees_with_agree() {
    use marginalia::model::Status;
    let (dir, _) = common::sample_copy();
    let out = marginalia(&[
        "assign",
        s(dir.path()),
        "--annotators",
        "camille,jules",
        "--overlap",
        "0.4",
        "--seed",
        "3",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let overview = team::overview::overview(dir.path()).unwrap();
    assert!(overview.problems.is_empty(), "{:?}", overview.problems);
    let names: Vec<&str> = overview
        .members
        .iter()
        .map(|m| m.annotator.as_str())
        .collect();
    assert_eq!(names, ["jules", "camille"], "sorted by path");
    let team = overview.team.clone().unwrap();
    let mut loaded = Vec::new();
    for member in &overview.members {
        let (project, _) = marginalia::file::load(&member.path).unwrap();
        let count = |status| {
            project
                .documents
                .iter()
                .filter(|d| d.status == status)
                .count()
        };
        assert_eq!(
            member.status,
            [
                count(Status::ToDo),
                count(Status::InProgress),
                count(Status::Done)
            ]
        );
        for (label, spans) in overview.labels.iter().zip(&member.spans) {
            let by_hand = project
                .documents
                .iter()
                .flat_map(|d| &d.annotations)
                .filter(|a| &a.label == label)
                .count();
            assert_eq!(*spans, by_hand, "{label}");
        }
        assert_eq!(member.span_count(), project.annotation_count());
        assert_eq!(
            member.assigned,
            Some(team::assigned_to(&team, &project.annotator).len())
        );
        let lengths: usize = member.lengths.iter().map(Vec::len).sum();
        assert_eq!(lengths, project.annotation_count());
        loaded.push(project);
    }
    // Every document once, with the status each annotator gives it and who it is assigned to.
    assert_eq!(overview.documents.len(), 5);
    for row in &overview.documents {
        assert_eq!(row.status.len(), 2);
        assert!(!row.assigned.is_empty(), "{}", row.path);
    }
    // The pair's cell is what `agree` computes.
    let report = marginalia::review::agreement::compare(
        &[&loaded[0], &loaded[1]],
        marginalia::review::agreement::By::Label,
    );
    let all = &report.rows[0];
    let pair = overview.pair(1, 0).unwrap();
    assert_eq!(pair.f1.to_bits(), all.measures.exact.f1().to_bits());
    assert_eq!(pair.kappa.to_bits(), all.measures.kappa.to_bits());
    assert_eq!(pair.shared, 5);
    // The command line prints the same.
    let out = marginalia(&["team", s(dir.path())]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "jules / camille: F1 {:.3}, kappa {:.3} (5 document(s) in common)",
            pair.f1, pair.kappa
        )),
        "{stdout}"
    );
    assert!(stdout.contains("assigned done"), "{stdout}");
    assert!(stdout.contains("spans per label:"), "{stdout}");
}

/// The genre and to-check attributes of a schema (issue L 1).
fn document_attribute_defs() -> Vec<marginalia::schema::DocAttributeDef> {
    use marginalia::schema::DocAttributeDef;
    vec![
        DocAttributeDef {
            name: "genre".to_owned(),
            values: ["news", "opinion", "press-release", "other"]
                .map(str::to_owned)
                .to_vec(),
            description: "What kind of article this is.".to_owned(),
            key: "g".to_owned(),
        },
        DocAttributeDef {
            name: "summary".to_owned(),
            values: Vec::new(),
            description: "One line, free text.".to_owned(),
            key: String::new(),
        },
    ]
}

#[test]
fn l_document_attributes_are_undoable_edits_saved_in_the_project_file() {
    use marginalia::edit::{Edit, EditError};
    let (_dir, path) = common::sample_copy();
    let (mut project, _) = marginalia::file::load(&path).unwrap();
    let before = project.clone();
    // The sample has genre and to-check; a free-text summary is added.
    let mut defs = project.schema.document_attributes.clone();
    defs.extend(
        document_attribute_defs()
            .into_iter()
            .filter(|d| d.name == "summary"),
    );
    let defs = Edit::SetDocAttributeDefs { defs };
    let undo_defs = defs.apply(&mut project).unwrap();
    let set = Edit::SetDocAttribute {
        doc: 1,
        name: "genre".to_owned(),
        value: Some("opinion".to_owned()),
    };
    assert_eq!(set.describe(), "set genre to opinion");
    let undo_set = set.apply(&mut project).unwrap();
    Edit::SetDocAttribute {
        doc: 1,
        name: "summary".to_owned(),
        value: Some("Kim à Moscou, « alliance » — 😀".to_owned()),
    }
    .apply(&mut project)
    .unwrap();
    // Refused, in words, changing nothing.
    let refused = Edit::SetDocAttribute {
        doc: 1,
        name: "genre".to_owned(),
        value: Some("poem".to_owned()),
    }
    .apply(&mut project)
    .unwrap_err();
    assert!(
        refused.to_string().contains("has no value \"poem\""),
        "{refused}"
    );
    assert!(matches!(
        Edit::SetDocAttribute {
            doc: 0,
            name: "mood".to_owned(),
            value: None
        }
        .apply(&mut project),
        Err(EditError::UnknownDocAttribute(_))
    ));
    assert!(matches!(
        Edit::SetDocAttributeDefs { defs: Vec::new() }.apply(&mut project),
        Err(EditError::DocAttributeInUse { .. })
    ));
    // Saved, read back the same (by the fast reader and by serde alike).
    marginalia::file::save(&project, &path).unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("      attributes: {\n"), "{written}");
    let (reopened, problems) = marginalia::file::load(&path).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        reopened.documents[1].attributes,
        project.documents[1].attributes
    );
    assert_eq!(reopened.schema, project.schema);
    // Undone step by step, back to the start.
    let mut project = reopened;
    Edit::SetDocAttribute {
        doc: 1,
        name: "summary".to_owned(),
        value: None,
    }
    .apply(&mut project)
    .unwrap();
    undo_set.apply(&mut project).unwrap();
    undo_defs.apply(&mut project).unwrap();
    assert_eq!(project.schema, before.schema);
    assert_eq!(
        project.documents[1].attributes,
        before.documents[1].attributes
    );
}

#[test]
fn l_a_document_attribute_value_outside_the_schema_is_reported_by_check() {
    let (_dir, path) = common::sample_copy();
    let (mut project, _) = marginalia::file::load(&path).unwrap();
    project.schema.document_attributes = document_attribute_defs();
    project.documents[0]
        .attributes
        .insert("genre".to_owned(), "poem".to_owned());
    project.documents[2]
        .attributes
        .insert("mood".to_owned(), "grim".to_owned());
    marginalia::file::save(&project, &path).unwrap();
    let out = marginalia(&["check", s(&path)]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr) + &text(&out.stdout);
    assert!(
        stderr.contains("has \"genre\" = \"poem\", a value the schema does not allow"),
        "{stderr}"
    );
    assert!(
        stderr.contains("\"mood\" = \"grim\", a document attribute the schema does not define"),
        "{stderr}"
    );
}

/// The app refuses a document attribute without a name or with a value listed twice; a file
/// edited by hand can hold one, and loading it says so instead of keeping quiet.
#[test]
fn l_an_unusable_document_attribute_definition_is_reported_on_load() {
    use marginalia::schema::DocAttributeDef;
    let (_dir, path) = common::sample_copy();
    let (mut project, _) = marginalia::file::load(&path).unwrap();
    project.schema.document_attributes = vec![
        DocAttributeDef {
            name: " ".to_owned(),
            values: vec!["yes".to_owned()],
            description: String::new(),
            key: String::new(),
        },
        DocAttributeDef {
            name: "tone".to_owned(),
            values: ["calm", "angry", "calm"].map(str::to_owned).to_vec(),
            description: String::new(),
            key: String::new(),
        },
    ];
    marginalia::file::save(&project, &path).unwrap();
    let (_, problems) = marginalia::file::load(&path).unwrap();
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown
            .iter()
            .filter(|p| p.contains("a document attribute of the schema is unusable"))
            .count(),
        2,
        "{shown:#?}"
    );
    assert!(shown.iter().any(|p| p.contains("calm")), "{shown:#?}");
    let out = marginalia(&["check", s(&path)]);
    assert!(!out.status.success());
}

#[test]
fn l_adjudication_takes_agreed_document_attributes_and_keeps_the_disputed_ones() {
    let (_dir, path) = common::sample_copy();
    let (mut a, _) = marginalia::file::load(&path).unwrap();
    let (mut b, _) =
        marginalia::file::load(&path.with_file_name("sample-second-annotator.ron")).unwrap();
    for project in [&mut a, &mut b] {
        project.schema.document_attributes = document_attribute_defs();
        project.documents[0]
            .attributes
            .insert("genre".to_owned(), "news".to_owned());
    }
    a.documents[1]
        .attributes
        .insert("genre".to_owned(), "news".to_owned());
    b.documents[1]
        .attributes
        .insert("genre".to_owned(), "opinion".to_owned());
    let (gold, _) = adjudicate::merge(&[&a, &b], adjudicate::Policy::Union, "dana").unwrap();
    let by_hash = |hash: &str| gold.documents.iter().find(|d| d.hash == hash).unwrap();
    let first = by_hash(&a.documents[0].hash);
    assert_eq!(
        first.attributes.get("genre").map(String::as_str),
        Some("news")
    );
    let second = by_hash(&a.documents[1].hash);
    assert!(!second.attributes.contains_key("genre"));
    assert_eq!(
        second.metadata.get("disputed:genre"),
        Some(&serde_json::json!({"camille": "news", "jules": "opinion"}))
    );
    assert_eq!(gold.schema.document_attributes, document_attribute_defs());
}
