//! Load and save of a large project: 10,000 documents and 100,000 spans (target: ≤ 200 ms each,
//! and within 2× of `serde_json` on the same data). Also opening a 100 MB corpus folder with
//! progress, and the memory it takes (target: ≤ 4× the corpus bytes).
//!
//! The project is generated (deterministic seed) from the novels of `../shared/perf-corpus/`
//! when they are there, from built-in text otherwise. Prints best and median of several runs; no
//! timing is asserted (benchmarks, not tests).
//!
//! Run: `cargo bench --no-default-features --bench project`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_precision_loss,
    missing_docs
)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use marginalia::corpus::{self, CorpusError, DocumentText};
use marginalia::file;
use marginalia::generate;

const DOCUMENTS: usize = 10_000;
const SPANS: usize = 100_000;
const RUNS: usize = 7;

fn perf_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/perf-corpus")
}

/// The perf-corpus novels, or built-in text when they are missing.
fn sources() -> Vec<String> {
    let mut texts: Vec<(PathBuf, String)> = std::fs::read_dir(perf_corpus())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .filter_map(|e| Some((e.path(), std::fs::read_to_string(e.path()).ok()?)))
        .collect();
    texts.sort();
    if texts.is_empty() {
        eprintln!("(no ../shared/perf-corpus: generated from built-in text)");
        return vec![generate::FALLBACK_TEXT.repeat(2_000)];
    }
    texts.into_iter().map(|(_, t)| t).collect()
}

/// Best and median of `RUNS` runs of `f`, in milliseconds.
fn measure<T>(mut f: impl FnMut() -> T) -> (f64, f64) {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let result = std::hint::black_box(f());
            let elapsed = start.elapsed();
            // Freeing what was built is not part of the figure.
            drop(result);
            elapsed
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    (ms(times[0]), ms(times[RUNS / 2]))
}

fn row(what: &str, ron: (f64, f64), json: (f64, f64), target: &str) {
    println!(
        "| {what} | {:.0} / {:.0} ms | {:.0} / {:.0} ms | {:.2}× | {target} |",
        ron.0,
        ron.1,
        json.0,
        json.1,
        ron.0 / json.0
    );
}

/// Set in the child process that measures the memory of an open corpus folder.
const CHILD: &str = "MARGINALIA_BENCH_OPEN_FOLDER";

fn main() {
    if let Some(folder) = std::env::var_os(CHILD) {
        open_folder_and_report_memory(Path::new(&folder));
        return;
    }
    let sources = sources();
    let joined: String = sources.concat();
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("corpus");
    let started = Instant::now();
    let project = generate::project(&joined, DOCUMENTS, SPANS, corpus_dir.clone(), 2026);
    let relations: usize = project.documents.iter().map(|d| d.relations.len()).sum();
    let text_bytes: usize = project.documents.iter().map(|d| d.text.len()).sum();
    println!(
        "Generated {} documents, {} spans, {relations} links, {:.1} MB of text in {:.1} s",
        project.documents.len(),
        project.annotation_count(),
        text_bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    generate::write_texts(&project).unwrap();
    let project_path = dir.path().join("big.ron");
    let json_path = dir.path().join("big.json");

    let ron_text = file::to_ron(&project, dir.path());
    let json_text = file::to_json(&project, dir.path());
    println!(
        "Project file: RON {:.1} MB, same data as JSON {:.1} MB\n",
        ron_text.len() as f64 / 1e6,
        json_text.len() as f64 / 1e6
    );
    println!("## Project of 10,000 documents, 100,000 spans (best / median of {RUNS})\n");
    println!("| | RON (Marginalia) | serde_json, same data | ratio (best) | target |");
    println!("|---|---|---|---|---|");

    // Save: serialising only, then the whole atomic save to disk.
    row(
        "save, in memory (`to_ron`)",
        measure(|| file::to_ron(&project, dir.path())),
        measure(|| file::to_json(&project, dir.path())),
        "≤ 200 ms, ≤ 2×",
    );
    row(
        "save, in memory, with ron's serializer (before)",
        measure(|| file::to_ron_serde(&project, dir.path())),
        measure(|| file::to_json(&project, dir.path())),
        "–",
    );
    row(
        "save to disk (`file::save`, atomic)",
        measure(|| file::save(&project, &project_path).unwrap()),
        measure(|| {
            file::write_atomic(&json_path, file::to_json(&project, dir.path()).as_bytes()).unwrap();
        }),
        "≤ 200 ms, ≤ 2×",
    );

    // Load from memory: texts already read; first with their hashes known (parsing and checks
    // only), then hashing every text as a real load does.
    let texts: HashMap<&str, (&str, &str)> = project
        .documents
        .iter()
        .map(|d| (d.path.as_str(), (&*d.text, d.hash.as_str())))
        .collect();
    let known = |_: &Path, relative: &str| -> Result<DocumentText, CorpusError> {
        let (text, hash) = texts[relative];
        Ok(DocumentText {
            text: text.to_owned(),
            hash: hash.to_owned(),
            decoded_from: None,
        })
    };
    let hashing = |_: &Path, relative: &str| -> Result<DocumentText, CorpusError> {
        let (text, _) = texts[relative];
        Ok(DocumentText {
            text: text.to_owned(),
            hash: corpus::sha256_hex(text.as_bytes()),
            decoded_from: None,
        })
    };
    let p = Path::new("big.ron");
    row(
        "load from memory, hashes known (`from_ron`)",
        measure(|| file::from_ron(&ron_text, p, dir.path(), known).unwrap()),
        measure(|| file::from_json(&json_text, p, dir.path(), known).unwrap()),
        "≤ 200 ms, ≤ 2×",
    );
    row(
        "load from memory, hashes known, with ron's deserializer (before)",
        measure(|| file::from_ron_serde(&ron_text, p, dir.path(), known).unwrap()),
        measure(|| file::from_json(&json_text, p, dir.path(), known).unwrap()),
        "–",
    );
    row(
        "load from memory, hashing each text",
        measure(|| file::from_ron(&ron_text, p, dir.path(), hashing).unwrap()),
        measure(|| file::from_json(&json_text, p, dir.path(), hashing).unwrap()),
        "≤ 200 ms, ≤ 2×",
    );
    file::save(&project, &project_path).unwrap();
    let (loaded, problems) = file::load(&project_path).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(loaded.annotation_count(), SPANS);
    row(
        "load from disk (`file::load`: file, 10,000 texts, hashes)",
        measure(|| file::load(&project_path).unwrap()),
        measure(|| {
            let text = std::fs::read_to_string(&json_path).unwrap();
            file::from_json(&text, &json_path, dir.path(), |root, relative| {
                corpus::read_document(&corpus::resolve(root, relative)?)
            })
            .unwrap()
        }),
        "≤ 200 ms, ≤ 2×",
    );
    let open = measure(|| marginalia::workspace::Workspace::open(&project_path).unwrap());
    println!(
        "| open in the app (`Workspace::open`: `file::load` and the stamp of the file, hashed meanwhile) | {:.0} / {:.0} ms | – | – | – |",
        open.0, open.1
    );
    autosave(&project_path);
    drop(dir);

    span_lookup(&sources);
    corpus_folder(&sources);
}

/// The recovery snapshot the app takes every three seconds while there are unsaved changes: what
/// the window waits for (the snapshot taken, the file written on another thread), and the whole.
fn autosave(project_path: &Path) {
    let mut ws = marginalia::workspace::Workspace::open(project_path).unwrap();
    let untitled = project_path.parent().unwrap().join("recovery");
    let mut round = 0;
    let mut edit = |ws: &mut marginalia::workspace::Workspace| {
        round += 1;
        let status = marginalia::model::Status::ALL[round % 3];
        ws.apply(marginalia::edit::Edit::SetStatus { doc: 0, status })
            .unwrap();
    };
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            edit(&mut ws);
            let started = Instant::now();
            ws.write_recovery_in_background(&untitled).unwrap().unwrap();
            let elapsed = started.elapsed();
            ws.wait_for_recovery_write().unwrap();
            elapsed
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    let window = (ms(times[0]), ms(times[RUNS / 2]));
    let whole = measure(|| {
        edit(&mut ws);
        ws.write_recovery(&untitled).unwrap().unwrap()
    });
    println!(
        "| autosave: what the window waits for (snapshot taken, file written on a thread) | {:.0} / {:.0} ms | – | – | – |",
        window.0, window.1
    );
    println!(
        "| autosave: the whole snapshot, written to disk | {:.0} / {:.0} ms | – | – | – |",
        whole.0, whole.1
    );
}

/// Spans overlapping a window of the text (what the text view asks for each visible block): the
/// index against a scan of every span, on the longest source with 20,000 spans.
fn span_lookup(sources: &[String]) {
    let novel = sources.iter().max_by_key(|s| s.len()).unwrap();
    let project = generate::long_document_project(novel, "novel.txt", 20_000, "/c".into(), 42);
    let doc = &project.documents[0];
    let windows: Vec<marginalia::text::ByteRange> = (0..1_000)
        .map(|i| {
            let start = novel.len() * i / 1_000;
            marginalia::text::ByteRange::new(start, start + 2_000)
        })
        .collect();
    let _ = doc.annotations_in(windows[0]).count(); // builds the index
    let indexed = measure(|| {
        windows
            .iter()
            .map(|w| doc.annotations_in(*w).count())
            .sum::<usize>()
    });
    let naive = measure(|| {
        windows
            .iter()
            .map(|w| {
                doc.annotations
                    .iter()
                    .filter(|a| a.extent().start < w.end && a.extent().end > w.start)
                    .count()
            })
            .sum::<usize>()
    });
    let at = measure(|| {
        windows
            .iter()
            .map(|w| doc.annotations_at(w.start).len())
            .sum::<usize>()
    });
    println!(
        "\n## Span lookup on a {:.1} MB text with 20,000 spans (1,000 windows of 2,000 bytes)\n",
        novel.len() as f64 / 1e6
    );
    println!("| query | per query | target |\n|---|---|---|");
    println!(
        "| `annotations_in` (index) | {:.2} µs | – |\n| scan of every span (before) | {:.2} µs | – |\n| `annotations_at` (index) | {:.2} µs | – |",
        indexed.0, naive.0, at.0
    );
}

/// Peak and current resident memory of this process, in bytes.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0)
            * 1024
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Opens a generated 100 MB corpus folder with progress, as the GUI does on a thread.
fn corpus_folder(sources: &[String]) {
    let dir = tempfile::tempdir().unwrap();
    let refs: Vec<&str> = sources.iter().map(String::as_str).collect();
    let (files, bytes) = generate::corpus_folder(dir.path(), &refs, 100_000_000, 7).unwrap();
    println!(
        "\n## Corpus folder of {:.0} MB in {files} files\n",
        bytes as f64 / 1e6
    );
    let mut times = Vec::new();
    for run in 0..3 {
        let progress = corpus::Progress::default();
        let started = Instant::now();
        let documents = std::thread::scope(|scope| {
            let reader = scope.spawn(|| corpus::read_folder_with(dir.path(), &progress));
            // The GUI's side: read the progress while the thread works.
            let mut polls = 0;
            while !reader.is_finished() {
                let _ = progress.fraction();
                polls += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
            if run == 0 {
                println!("(progress read {polls} times while loading)");
            }
            reader.join().unwrap().unwrap()
        });
        times.push(started.elapsed());
        assert_eq!(documents.documents.len(), files);
        assert_eq!(progress.bytes_done.load(Ordering::Relaxed), bytes);
        drop(documents);
    }
    times.sort();
    // Memory, in a process of its own: in this one, the allocator reuses what earlier figures
    // freed, and resident memory would not show what the corpus takes.
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .env(CHILD, dir.path())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&child.stdout);
    let field = |name: &str| -> f64 {
        report
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap()
    };
    let (before, held, peak) = (field("before:"), field("held:"), field("peak:"));
    println!(
        "| open the folder (`corpus::read_folder_with`, on a thread) | best {:.0} ms, median {:.0} ms | in the background |",
        times[0].as_secs_f64() * 1e3,
        times[1].as_secs_f64() * 1e3
    );
    println!(
        "| memory held by the open corpus (resident growth of a process that opens it / corpus bytes) | {:.2}× | ≤ 4× |",
        (held - before) / bytes as f64
    );
    println!(
        "| peak resident memory of that process while opening / corpus bytes | {:.2}× | – |",
        (peak - before) / bytes as f64
    );
}

/// The child process: opens the folder and prints its resident memory before, once the
/// corpus is open, and at its peak.
fn open_folder_and_report_memory(folder: &Path) {
    let (_, before) = memory();
    let documents = corpus::read_folder_with(folder, &corpus::Progress::default()).unwrap();
    let (peak, held) = memory();
    println!("before: {before}\nheld: {held}\npeak: {peak}");
    std::hint::black_box(documents);
}
