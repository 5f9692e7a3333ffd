//! Never losing an analyst's work: backups, saves killed midway, crash recovery and files changed
//! behind the workspace's back.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use marginalia::edit::Edit;
use marginalia::file::{self, backup_path};
use marginalia::model::{Annotation, Id, Relation, Status, Timestamp};
use marginalia::recovery::{self, RecoveryError, SavedFile};
use marginalia::text::ByteRange;
use marginalia::workspace::{DiskChange, Workspace, WorkspaceSaveError};

const TEXT: &str = "Le Kremlin a démenti, selon l'AFP. « Vos soldats » 😀, a dit Poutine.\r\n";

/// A corpus folder with `documents` copies of a long text, and a `projects` folder beside it.
fn corpus(dir: &Path, documents: usize, repeat: usize) -> PathBuf {
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::create_dir_all(dir.join("projects")).unwrap();
    for i in 0..documents {
        std::fs::write(corpus.join(format!("doc{i:03}.txt")), TEXT.repeat(repeat)).unwrap();
    }
    corpus
}

fn annotation(ws: &mut Workspace, start: usize, label: &str) -> Annotation {
    Annotation {
        id: ws.allocate_id(),
        label: label.into(),
        fragments: vec![ByteRange::new(start, start + 10)],
        annotator: "zoé".into(),
        note: String::new(),
        created: Timestamp(1_800_000_000),
        attributes: BTreeMap::new(),
        suggested: None,
        provenance: None,
    }
}

/// Adds `count` spans to document `doc`, one every line of the text.
fn add_spans(ws: &mut Workspace, doc: usize, count: usize, label: &str) -> Vec<Id> {
    let mut ids = Vec::new();
    for i in 0..count {
        let annotation = annotation(ws, i * TEXT.len(), label);
        ids.push(annotation.id);
        ws.apply(Edit::AddAnnotation { doc, annotation }).unwrap();
    }
    ids
}

/// A saved project over a two-document corpus, with two spans in the first one.
fn saved_project(dir: &Path) -> (Workspace, PathBuf) {
    let corpus = corpus(dir, 2, 3);
    let mut ws = Workspace::from_folder(&corpus, "zoé").unwrap();
    add_spans(&mut ws, 0, 2, "claim");
    let path = dir.join("projects/p.ron");
    ws.save_as(&path).unwrap();
    (ws, path)
}

fn spans(ws: &Workspace) -> Vec<Vec<Annotation>> {
    ws.project()
        .documents
        .iter()
        .map(|d| d.annotations.clone())
        .collect()
}

#[test]
fn each_save_keeps_the_previous_version_as_backup() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ws, path) = saved_project(dir.path());
    let backup = backup_path(&path);
    assert_eq!(backup, dir.path().join("projects/p.ron.bak"));
    assert!(!backup.exists(), "the first save has nothing to back up");
    let first = std::fs::read(&path).unwrap();

    add_spans(&mut ws, 1, 1, "source");
    assert!(ws.save().unwrap());
    let second = std::fs::read(&path).unwrap();
    assert_ne!(first, second);
    assert_eq!(std::fs::read(&backup).unwrap(), first);

    ws.undo().unwrap();
    assert!(ws.save().unwrap(), "saving twice in a row works");
    assert_eq!(std::fs::read(&backup).unwrap(), second);
    assert_eq!(std::fs::read(&path).unwrap(), first);
    // The backup loads as a project.
    let (backup_project, problems) = file::load(&backup).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(backup_project.documents[1].annotations.len(), 1);
    // Only the project and its backup are left: no temporary file.
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("projects"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["p.ron", "p.ron.bak"]);
}

#[test]
fn saves_keep_file_permissions() {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let (mut ws, path) = saved_project(dir.path());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        add_spans(&mut ws, 1, 1, "source");
        ws.save().unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn stale_temporary_files_are_removed_by_the_next_save_and_fresh_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ws, path) = saved_project(dir.path());
    let projects = dir.path().join("projects");
    let stale = projects.join(".p.ron.tmp-999999-0");
    let stale_backup = projects.join(".p.ron.bak.tmp-999999-1");
    let fresh = projects.join(".p.ron.tmp-999998-0");
    let other = projects.join(".q.ron.tmp-999999-0");
    for file in [&stale, &stale_backup, &fresh, &other] {
        std::fs::write(file, "(half a proj").unwrap();
    }
    let old = SystemTime::now() - Duration::from_hours(1);
    for file in [&stale, &stale_backup, &other] {
        std::fs::File::options()
            .write(true)
            .open(file)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    add_spans(&mut ws, 1, 1, "source");
    assert!(ws.save().unwrap());
    assert!(!stale.exists());
    assert!(!stale_backup.exists());
    assert!(fresh.exists(), "may be a save in progress elsewhere");
    assert!(other.exists(), "another project's file");
    // The leftovers never stop a project from loading.
    let reopened = Workspace::open(&path).unwrap();
    assert_eq!(spans(&reopened), spans(&ws));
}

/// The environment variable that makes [`kill_child`] run its save loop in this folder.
const KILL_CHILD: &str = "MARGINALIA_KILL_TEST_DIR";

/// Two versions of a sizeable project (about 1 MB of RON) over the corpus in `dir`, saved as
/// `a.ron` and `b.ron` in `dir/versions`.
fn two_versions(dir: &Path) {
    let corpus = dir.join("corpus");
    let mut a = Workspace::from_folder(&corpus, "zoé").unwrap();
    let mut b = Workspace::from_folder(&corpus, "zoé").unwrap();
    // One edit of `count` spans labelled `label` on document `doc`.
    let batch = |ws: &mut Workspace, doc: usize, count: usize, label: &str| {
        let spans: Vec<Edit> = (0..count)
            .map(|i| Edit::AddAnnotation {
                doc,
                annotation: annotation(ws, i * TEXT.len(), label),
            })
            .collect();
        ws.apply(Edit::Batch(spans)).unwrap();
    };
    for doc in 0..a.project().documents.len() {
        batch(&mut a, doc, 1500, "claim");
        batch(&mut b, doc, 1501, "source");
    }
    let versions = dir.join("versions");
    std::fs::create_dir_all(&versions).unwrap();
    a.save_as(&versions.join("a.ron")).unwrap();
    b.save_as(&versions.join("b.ron")).unwrap();
}

/// Not a test on its own: run by [`saves_killed_midway_leave_a_complete_project`] in a child
/// process, it saves two versions of a project over and over until killed. It saves their RON
/// text with [`file::replace_with_backup`], the disk side of [`file::save`], so that the kills
/// land in the writing, flushing, linking and renaming rather than in the serialising (which
/// touches no file).
#[test]
fn kill_child() {
    let Some(dir) = std::env::var_os(KILL_CHILD) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let a = std::fs::read(dir.join("versions/a.ron")).unwrap();
    let b = std::fs::read(dir.join("versions/b.ron")).unwrap();
    let path = dir.join("projects/p.ron");
    println!("ready");
    loop {
        file::replace_with_backup(&path, &a).unwrap();
        file::replace_with_backup(&path, &b).unwrap();
    }
}

#[test]
fn saves_killed_midway_leave_a_complete_project() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path(), 5, 1510);
    two_versions(dir.path());
    let path = dir.path().join("projects/p.ron");
    let projects = dir.path().join("projects");
    // `versions` and `projects` are at the same depth: the corpus path is written the same way.
    let version_a = std::fs::read_to_string(dir.path().join("versions/a.ron")).unwrap();
    let version_b = std::fs::read_to_string(dir.path().join("versions/b.ron")).unwrap();
    assert!(version_a.len() > 900_000, "{}", version_a.len());
    let (a, _) = file::load(&dir.path().join("versions/a.ron")).unwrap();
    file::save(&a, &path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), version_a);
    // How long writing a save takes here, so that the kills land anywhere in the first saves.
    let started = std::time::Instant::now();
    file::replace_with_backup(&path, version_a.as_bytes()).unwrap();
    let save_time = started.elapsed().as_micros().max(1000) as u64;

    let exe = std::env::current_exe().unwrap();
    let mut seen = BTreeMap::new();
    let mut random: u64 = 0x2545_f491_4f6c_dd1d;
    // At least 40 rounds, and more (up to 200) until kills have left each version at least once:
    // on a loaded machine the first saves may take much longer than measured.
    for round in 0..200 {
        if round >= 40 && seen.len() == 2 {
            break;
        }
        let mut child = Command::new(&exe)
            .args(["--exact", "kill_child", "--nocapture", "--include-ignored"])
            .env(KILL_CHILD, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout).lines();
        assert!(
            lines.any(|l| l.is_ok_and(|l| l == "ready")),
            "the child did not start its loop"
        );
        // Varied delays (xorshift), from none to about four saves.
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        std::thread::sleep(Duration::from_micros(random % (4 * save_time)));
        child.kill().unwrap();
        child.wait().unwrap();

        let on_disk = std::fs::read_to_string(&path).unwrap();
        let which = if on_disk == version_a {
            "a"
        } else if on_disk == version_b {
            "b"
        } else {
            panic!(
                "round {round}: the project file is neither version ({} bytes)",
                on_disk.len()
            )
        };
        *seen.entry(which).or_insert(0) += 1;
        file::load(&path).unwrap();
        let backup = backup_path(&path);
        if backup.exists() {
            let backup_text = std::fs::read_to_string(&backup).unwrap();
            assert!(
                backup_text == version_a || backup_text == version_b,
                "round {round}: the backup is neither version"
            );
            file::load(&backup).unwrap();
        }
    }
    eprintln!("one save: {save_time} µs; after each kill the file was: {seen:?}");
    assert_eq!(seen.len(), 2, "kills landed at varied moments: {seen:?}");

    // Leftover temporary files are ignored by loading, and deleted by a later save once stale.
    let leftovers: Vec<PathBuf> = std::fs::read_dir(&projects)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".tmp-"))
        .collect();
    eprintln!("{} temporary file(s) left by the kills", leftovers.len());
    let old = SystemTime::now() - Duration::from_hours(1);
    for file in &leftovers {
        std::fs::File::options()
            .write(true)
            .open(file)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    file::save(&a, &path).unwrap();
    assert!(
        !leftovers.is_empty(),
        "some kills landed in the middle of writing"
    );
    for file in &leftovers {
        assert!(!file.exists(), "{} was not cleaned up", file.display());
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), version_a);
}

#[test]
fn recovery_round_trip_for_a_saved_project() {
    let dir = tempfile::tempdir().unwrap();
    let untitled_dir = dir.path().join("data/recovery");
    let (mut ws, path) = saved_project(dir.path());
    let saved_spans = spans(&ws);
    assert_eq!(
        ws.write_recovery(&untitled_dir).unwrap(),
        None,
        "clean: nothing to snapshot"
    );

    // Edits: two spans added to the second document, one removed and one relabelled in the first,
    // a link and a status.
    let added = [
        add_spans(&mut ws, 1, 1, "claim")[0],
        add_spans(&mut ws, 1, 1, "source")[0],
    ];
    let first = ws.project().documents[0].annotations[0].id;
    let second = ws.project().documents[0].annotations[1].id;
    ws.apply(Edit::RemoveAnnotation { doc: 0, id: first })
        .unwrap();
    ws.apply(Edit::SetLabel {
        doc: 0,
        id: second,
        label: "boilerplate".into(),
    })
    .unwrap();
    let relation = Relation {
        id: ws.allocate_id(),
        kind: "attributed-to".into(),
        from: added[0],
        to: added[1],
        annotator: "zoé".into(),
        created: Timestamp(1_800_000_000),
    };
    ws.apply(Edit::AddRelation { doc: 1, relation }).unwrap();
    ws.apply(Edit::SetStatus {
        doc: 1,
        status: Status::Done,
    })
    .unwrap();

    let written = ws.write_recovery(&untitled_dir).unwrap().unwrap();
    assert_eq!(written, dir.path().join("projects/.p.ron.recovery"));
    assert_eq!(ws.recovery_file(), Some(written.as_path()));
    assert!(
        !untitled_dir.exists(),
        "a titled project's snapshot lives beside it"
    );
    assert_eq!(
        ws.write_recovery(&untitled_dir).unwrap(),
        None,
        "no new change"
    );
    let expected = spans(&ws);
    let relations = ws.project().documents[1].relations.clone();
    // The crash: the workspace is gone without saving.
    drop(ws);
    assert_eq!(
        spans(&Workspace::open(&path).unwrap()),
        saved_spans,
        "the project file has the saved version"
    );

    let found = recovery::find(&path).unwrap().expect("a recovery file");
    assert_eq!(found.file(), written);
    assert_eq!(found.project_path(), Some(file::absolute(&path).as_path()));
    let summary = found.summary().unwrap();
    assert_eq!(summary.saved_file, SavedFile::Same);
    assert!(summary.corpus_changed.is_empty());
    assert!(!summary.schema_changed);
    assert_eq!(summary.documents.len(), 2);
    let doc0 = &summary.documents[0];
    assert_eq!(
        (
            doc0.path.as_str(),
            doc0.spans_added,
            doc0.spans_removed,
            doc0.spans_changed
        ),
        ("doc000.txt", 0, 1, 1)
    );
    let doc1 = &summary.documents[1];
    assert_eq!(
        (doc1.spans_added, doc1.relations_added, doc1.status),
        (2, 1, Some((Status::ToDo, Status::Done)))
    );
    let lines = summary.lines();
    assert!(lines[0].starts_with("Unsaved changes to "), "{lines:?}");
    assert!(lines[0].contains("p.ron"), "{lines:?}");
    assert_eq!(lines[1], "doc000.txt: 1 span removed, 1 changed");
    assert_eq!(
        lines[2],
        "doc001.txt: 2 spans added; 1 link added; status to do → done"
    );

    let mut restored = found.restore().unwrap();
    assert_eq!(restored.path(), Some(file::absolute(&path).as_path()));
    assert!(restored.is_dirty(), "the user must save what was restored");
    assert_eq!(spans(&restored), expected);
    assert_eq!(restored.project().documents[1].relations, relations);
    assert_eq!(restored.project().documents[1].status, Status::Done);
    // Saving the restored project writes it and deletes the recovery file.
    assert!(restored.save().unwrap());
    assert!(!written.exists());
    assert!(recovery::find(&path).unwrap().is_none());
    assert_eq!(spans(&Workspace::open(&path).unwrap()), expected);
}

#[test]
fn snapshots_written_in_the_background_are_complete_and_never_outlive_a_save() {
    let dir = tempfile::tempdir().unwrap();
    let untitled_dir = dir.path().join("data/recovery");
    let (mut ws, path) = saved_project(dir.path());
    let snapshot = recovery::path_for(&file::absolute(&path));
    for round in 0..20 {
        add_spans(&mut ws, round % 2, 1, "claim");
        let written = ws.write_recovery_in_background(&untitled_dir).unwrap();
        assert_eq!(written.as_deref(), Some(snapshot.as_path()));
        if round % 2 == 0 {
            // Saved at once, the write perhaps still going on: it is waited for, then deleted.
            assert!(ws.save().unwrap());
            assert!(
                !snapshot.exists(),
                "round {round}: the snapshot outlived the save"
            );
        } else {
            // Not saved: once written, the snapshot holds the project as it is.
            ws.wait_for_recovery_write().unwrap();
            let expected = spans(&ws);
            let found = recovery::find(&path).unwrap().expect("a snapshot");
            assert_eq!(
                spans(&found.restore_despite_corpus_changes().unwrap()),
                expected
            );
        }
    }
    // Closing waits for a write under way: the snapshot is whole, and no temporary file stays.
    add_spans(&mut ws, 1, 1, "source");
    ws.write_recovery_in_background(&untitled_dir).unwrap();
    let expected = spans(&ws);
    drop(ws);
    let found = recovery::find(&path).unwrap().expect("a snapshot");
    assert_eq!(
        spans(&found.restore_despite_corpus_changes().unwrap()),
        expected
    );
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_snapshot_that_cannot_be_written_in_the_background_is_reported_and_tried_again() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ws, path) = saved_project(dir.path());
    add_spans(&mut ws, 0, 1, "claim");
    // The project's folder is replaced by a file: nothing can be written beside the project.
    let folder = path.parent().unwrap();
    std::fs::remove_dir_all(folder).unwrap();
    std::fs::write(folder, "not a folder").unwrap();
    ws.write_recovery_in_background(dir.path()).unwrap();
    assert!(matches!(
        ws.wait_for_recovery_write(),
        Err(RecoveryError::Write(_))
    ));
    // Once the folder is back, the next tick writes the snapshot again, without a new edit.
    std::fs::remove_file(folder).unwrap();
    std::fs::create_dir_all(folder).unwrap();
    assert!(
        ws.write_recovery_in_background(dir.path())
            .unwrap()
            .is_some()
    );
    ws.wait_for_recovery_write().unwrap();
    assert!(recovery::find(&path).unwrap().is_some());
}

#[test]
fn discarding_a_recovery_deletes_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ws, path) = saved_project(dir.path());
    add_spans(&mut ws, 1, 1, "source");
    let written = ws.write_recovery(dir.path()).unwrap().unwrap();
    drop(ws);
    // A new session that opened the project but did not resolve the recovery yet cannot overwrite it.
    let mut second = Workspace::open(&path).unwrap();
    add_spans(&mut second, 0, 1, "source");
    assert!(matches!(
        second.write_recovery(dir.path()),
        Err(RecoveryError::Pending { .. })
    ));
    recovery::find(&path).unwrap().unwrap().discard().unwrap();
    assert!(!written.exists());
    assert!(recovery::find(&path).unwrap().is_none());
    assert_eq!(
        second.write_recovery(dir.path()).unwrap(),
        Some(written.clone())
    );
    // Undoing back to the saved state deletes the snapshot; so does a clean close.
    second.undo().unwrap();
    assert_eq!(second.write_recovery(dir.path()).unwrap(), None);
    assert!(!written.exists());
    second.redo().unwrap();
    second.write_recovery(dir.path()).unwrap();
    assert!(written.exists());
    second.remove_recovery().unwrap();
    assert!(!written.exists());
}

#[test]
fn untitled_projects_recover_from_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 2, 4);
    let untitled_dir = dir.path().join("data/marginalia/recovery");
    assert!(recovery::list_untitled(&untitled_dir).is_empty());
    let mut ws = Workspace::from_folder(&corpus, "zoé").unwrap();
    add_spans(&mut ws, 0, 3, "claim");
    let written = ws.write_recovery(&untitled_dir).unwrap().unwrap();
    assert!(written.starts_with(&untitled_dir));
    add_spans(&mut ws, 1, 1, "claim");
    assert_eq!(
        ws.write_recovery(&untitled_dir).unwrap(),
        Some(written.clone()),
        "later snapshots replace the first"
    );
    let expected = spans(&ws);
    drop(ws);

    let found: Vec<_> = recovery::list_untitled(&untitled_dir);
    assert_eq!(found.len(), 1);
    let found = found.into_iter().next().unwrap().unwrap();
    assert_eq!(found.project_path(), None);
    let summary = found.summary().unwrap();
    assert_eq!(summary.saved_file, SavedFile::Untitled);
    assert!(summary.lines()[0].contains("untitled"));
    assert_eq!(
        summary
            .documents
            .iter()
            .map(|d| d.spans_added)
            .collect::<Vec<_>>(),
        [3, 1]
    );
    let mut restored = found.restore().unwrap();
    assert_eq!(restored.path(), None);
    assert!(restored.is_dirty());
    assert_eq!(spans(&restored), expected);
    // Saving it somewhere deletes the untitled snapshot.
    let path = dir.path().join("projects/saved.ron");
    restored.save_as(&path).unwrap();
    assert!(!written.exists());
    assert!(recovery::list_untitled(&untitled_dir).is_empty());
}

#[test]
fn unreadable_recoveries_and_changed_corpora_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ws, path) = saved_project(dir.path());
    add_spans(&mut ws, 1, 1, "source");
    let written = ws.write_recovery(dir.path()).unwrap().unwrap();
    drop(ws);

    // A document changed after the snapshot: restoring refuses, naming it, unless told otherwise.
    std::fs::write(dir.path().join("corpus/doc001.txt"), "Un autre texte.").unwrap();
    let found = recovery::find(&path).unwrap().unwrap();
    assert_eq!(found.summary().unwrap().corpus_changed, ["doc001.txt"]);
    let error = found.restore().unwrap_err();
    assert!(
        matches!(&error, RecoveryError::CorpusChanged { documents, .. } if documents == &["doc001.txt"])
    );
    assert!(error.to_string().contains("doc001.txt differs"), "{error}");
    let restored = found.restore_despite_corpus_changes().unwrap();
    // The span no longer fits the new text: kept aside (detached), listed, never dropped.
    let document = &restored.project().documents[1];
    assert_eq!(
        document.annotations.len() + document.detached.len(),
        1,
        "kept"
    );
    assert!(!restored.problems().is_empty());
    assert!(written.exists(), "kept until saved or discarded");

    // A broken recovery file is an error naming it, and is left in place.
    std::fs::write(&written, "(recovery_format: 1, project_path: None, corp").unwrap();
    let error = recovery::find(&path).unwrap_err();
    assert!(matches!(error, RecoveryError::Unreadable { .. }));
    assert!(error.to_string().contains(".p.ron.recovery"), "{error}");
    assert!(written.exists());

    let untitled = dir.path().join("untitled");
    std::fs::create_dir(&untitled).unwrap();
    std::fs::write(untitled.join("untitled-1-2-3.recovery"), "garbage").unwrap();
    let listed = recovery::list_untitled(&untitled);
    assert!(matches!(
        listed.as_slice(),
        [Err(RecoveryError::Unreadable { .. })]
    ));
}

#[test]
fn saving_refuses_to_overwrite_a_file_changed_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let (_, path) = saved_project(dir.path());
    let mut ws = Workspace::open(&path).unwrap();
    assert!(!ws.changed_on_disk());
    add_spans(&mut ws, 1, 1, "source");
    let mine = spans(&ws);

    // Another program (a `git pull`, another window) saves its own version.
    let mut theirs = Workspace::open(&path).unwrap();
    add_spans(&mut theirs, 0, 3, "boilerplate");
    assert!(theirs.save().unwrap());
    let their_bytes = std::fs::read(&path).unwrap();

    assert!(ws.changed_on_disk());
    assert_eq!(ws.disk_change().unwrap(), Some(DiskChange::Modified));
    let error = ws.save().unwrap_err();
    assert!(matches!(&error, WorkspaceSaveError::Conflict(c) if c.change == DiskChange::Modified));
    assert!(error.to_string().contains("p.ron"), "{error}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        their_bytes,
        "nothing written"
    );
    assert!(ws.is_dirty());

    // Overwrite: the user chose their own version; the other one is the backup.
    assert!(ws.save_overwriting().unwrap());
    assert_eq!(std::fs::read(backup_path(&path)).unwrap(), their_bytes);
    assert!(!ws.changed_on_disk());
    assert_eq!(spans(&Workspace::open(&path).unwrap()), mine);

    // Reload: the other program's version replaces the changes made here.
    assert!(theirs.save_overwriting().unwrap());
    add_spans(&mut ws, 0, 1, "claim");
    assert!(ws.changed_on_disk());
    assert!(ws.reload().unwrap());
    assert!(!ws.is_dirty());
    assert_eq!(spans(&ws), spans(&theirs));
    assert!(!ws.changed_on_disk());
    add_spans(&mut ws, 1, 1, "claim");
    assert!(ws.save().unwrap(), "after a reload, saving works again");
}

#[test]
fn a_touched_file_is_not_a_conflict_but_a_deleted_one_is() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ws, path) = saved_project(dir.path());
    // Same bytes, new modification time: not a change.
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_mins(1))
        .unwrap();
    assert!(!ws.changed_on_disk());
    add_spans(&mut ws, 1, 1, "source");
    assert!(ws.save().unwrap());

    std::fs::remove_file(&path).unwrap();
    assert!(ws.changed_on_disk());
    add_spans(&mut ws, 1, 1, "source");
    let error = ws.save().unwrap_err();
    assert!(matches!(&error, WorkspaceSaveError::Conflict(c) if c.change == DiskChange::Deleted));
    assert!(!path.exists());
    assert!(ws.save_overwriting().unwrap());
    assert!(path.exists());
    assert!(ws.save().unwrap());
}

#[test]
fn a_restored_project_asks_before_overwriting_a_file_saved_since() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ws, path) = saved_project(dir.path());
    add_spans(&mut ws, 1, 1, "source");
    ws.write_recovery(dir.path()).unwrap();
    drop(ws);
    // Someone saves the project before the recovery is restored.
    let mut other = Workspace::open(&path).unwrap();
    add_spans(&mut other, 0, 1, "claim");
    // (Their save deletes only their own recovery file: ours is still there.)
    assert!(other.save().unwrap());

    let found = recovery::find(&path).unwrap().unwrap();
    assert_eq!(found.summary().unwrap().saved_file, SavedFile::Changed);
    let mut restored = found.restore().unwrap();
    assert!(matches!(
        restored.save(),
        Err(WorkspaceSaveError::Conflict(_))
    ));
    assert!(restored.save_overwriting().unwrap());
}

#[test]
fn cli_new_with_force_keeps_a_backup_and_reports_errors_with_their_cause() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 1, 1);
    let output = dir.path().join("projects/p.ron");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_marginalia"))
            .args(args)
            .output()
            .unwrap()
    };
    let corpus_arg = corpus.to_str().unwrap();
    let output_arg = output.to_str().unwrap();
    let created = run(&["new", "--corpus", corpus_arg, "-o", output_arg]);
    assert!(created.status.success());
    let first = std::fs::read(&output).unwrap();

    let refused = run(&[
        "new",
        "--corpus",
        corpus_arg,
        "-o",
        output_arg,
        "--annotator",
        "lou",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    assert_eq!(std::fs::read(&output).unwrap(), first);

    let forced = run(&[
        "new",
        "--corpus",
        corpus_arg,
        "-o",
        output_arg,
        "--annotator",
        "lou",
        "--force",
    ]);
    assert!(forced.status.success());
    assert_eq!(std::fs::read(backup_path(&output)).unwrap(), first);

    // An unwritable destination: exit code 2 and the cause on stderr.
    let missing = dir.path().join("no/such/folder/p.ron");
    let failed = run(&[
        "new",
        "--corpus",
        corpus_arg,
        "-o",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(failed.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("cannot save") && stderr.contains("No such file"),
        "{stderr}"
    );
}

#[test]
fn concurrent_saves_of_one_file_never_share_a_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.ron");
    let contents: Vec<Vec<u8>> = (0..4u8).map(|i| vec![b'a' + i; 200_000]).collect();
    std::thread::scope(|scope| {
        for content in &contents {
            let path = &path;
            scope.spawn(move || {
                for _ in 0..15 {
                    file::replace_with_backup(path, content).unwrap();
                }
            });
        }
    });
    let last = std::fs::read(&path).unwrap();
    assert!(contents.contains(&last), "the file mixes saves");
    assert!(contents.contains(&std::fs::read(backup_path(&path)).unwrap()));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        2,
        "only the file and its backup are left: {names:?}"
    );
}
