//! Imports, from the file to the project on disk (texts written and flushed, project file
//! written): 10,000 jsonl documents of 10 spans (target ≤ 2 s), one jsonl document of 50,000
//! spans, and one brat document of 100,000 annotation lines (target ≤ 1 s) and of 1,000,000
//! (target ≤ 10 s). Issue G, item 8: these took 18.5 s, 16 s and 49 s, quadratic in the size.
//!
//! Inputs are generated (deterministic) from the novels of `../shared/perf-corpus/` when they are
//! there, from built-in text otherwise, into a temporary folder on the disk (`target/`): writing
//! the texts is part of the figure. Prints best and median of several runs, and the part the
//! parsing takes; no timing is asserted (benchmarks, not tests).
//!
//! Run: `cargo bench --no-default-features --bench imports`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_precision_loss,
    missing_docs
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use marginalia::formats::{self, ExportOptions, Format};
use marginalia::generate::{self, Rng};

fn perf_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/perf-corpus")
}

/// The perf-corpus novels joined, or built-in text when they are missing.
fn source() -> String {
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
        return generate::FALLBACK_TEXT.repeat(20_000);
    }
    texts.into_iter().map(|(_, t)| t).collect()
}

/// Times of `runs` runs of `f`, which returns the part of its time spent parsing.
fn measure(runs: usize, mut f: impl FnMut(usize) -> Duration) -> (Vec<Duration>, Vec<Duration>) {
    let (mut total, mut parse): (Vec<Duration>, Vec<Duration>) = (0..runs)
        .map(|run| {
            let start = Instant::now();
            let parse = f(run);
            (start.elapsed(), parse)
        })
        .unzip();
    total.sort();
    parse.sort();
    (total, parse)
}

fn row(what: &str, (total, parse): &(Vec<Duration>, Vec<Duration>), target: &str) {
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    println!(
        "| {what} | {:.0} / {:.0} ms | {:.0} ms | {target} |",
        ms(total[0]),
        ms(total[total.len() / 2]),
        ms(parse[0]),
    );
}

/// Imports `input` as `format` into a new project of `dir` (named after `run`), returning the
/// time the parsing took.
fn import(format: Format, input: &Path, dir: &Path, name: &str, run: usize) -> Duration {
    let start = Instant::now();
    let imported = formats::import(format, input).unwrap();
    let parsed = start.elapsed();
    let project = dir.join(format!("{name}-{run}.ron"));
    let corpus = dir.join(format!("{name}-{run}-corpus"));
    let (project, report) =
        formats::import_project(imported, &project, &corpus, "bench", false).unwrap();
    if run == 0 && !report.is_empty() {
        eprintln!("({name}: {} line(s) of report)", report.len());
    }
    std::hint::black_box(project);
    parsed
}

/// A jsonl export of `documents` documents holding `spans` spans, written into `dir`.
fn jsonl_input(source: &str, dir: &Path, documents: usize, spans: usize) -> PathBuf {
    let project = if documents == 1 {
        let text = &source[..source.floor_char_boundary(spans * 60)];
        generate::long_document_project(text, "long.txt", spans, "/corpus".into(), 7)
    } else {
        generate::project(source, documents, spans, "/corpus".into(), 7)
    };
    let out = dir.join(format!("in-{documents}-{spans}.jsonl"));
    formats::export(
        &project,
        Format::Jsonl,
        &ExportOptions::default(),
        &out,
        &mut |_, _| {},
    )
    .unwrap();
    out
}

/// A brat folder in `dir` of one document with `lines` annotation lines: seven text-bounds in
/// ten, two relations, one attribute or note, as brat writes them (with the text column).
fn brat_input(source: &str, dir: &Path, lines: usize) -> PathBuf {
    let folder = dir.join(format!("brat-{lines}"));
    std::fs::create_dir_all(&folder).unwrap();
    // Words of the text, by code point offsets, about one a text-bound (spans overlap).
    let text = &source[..source.floor_char_boundary((lines * 8).min(source.len()))];
    let mut words: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    for (chars, (byte, c)) in text.char_indices().enumerate() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some((chars, byte)),
            (false, Some((s, b))) => {
                words.push((s, chars, b, byte));
                start = None;
            }
            _ => {}
        }
    }
    let mut rng = Rng::new(11);
    let labels = ["claim", "source", "boilerplate"];
    let mut ann = String::with_capacity(lines * 40);
    let (mut bounds, mut relations, mut attributes) = (0usize, 0usize, 0usize);
    for n in 0..lines {
        match n % 10 {
            0..=6 => {
                let first = rng.below(words.len() - 3);
                let mut last = first + rng.below(3);
                // Within a line, as brat's own spans are (it splits them at line breaks).
                if text[words[first].2..words[last].3].contains(['\n', '\r']) {
                    last = first;
                }
                let (start, _, start_byte, _) = words[first];
                let (_, end, _, end_byte) = words[last];
                bounds += 1;
                let covered = &text[start_byte..end_byte];
                writeln!(ann, "T{bounds}\t{} {start} {end}\t{covered}", labels[n % 3]).unwrap();
            }
            7 | 8 if bounds >= 2 => {
                relations += 1;
                let from = 1 + rng.below(bounds);
                let to = 1 + rng.below(bounds);
                if from == to {
                    writeln!(ann, "#{relations}\tAnnotatorNotes T{from}\tà vérifier").unwrap();
                } else {
                    writeln!(ann, "R{relations}\tattributed-to Arg1:T{from} Arg2:T{to}").unwrap();
                }
            }
            _ => {
                attributes += 1;
                let on = 1 + rng.below(bounds.max(1));
                let value = ["high", "low"][attributes % 2];
                writeln!(ann, "A{attributes}\tcertainty T{on} {value}").unwrap();
            }
        }
    }
    std::fs::write(folder.join("long.txt"), text).unwrap();
    std::fs::write(folder.join("long.ann"), ann).unwrap();
    folder
}

fn main() {
    // `cargo bench --bench imports -- brat-1m` runs that row only (jsonl-10k, jsonl-50k,
    // brat-100k, brat-1m).
    let only = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    let source = source();
    let inputs = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let out = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    println!(
        "imports to the disk (target/), texts written and flushed; best / median total, best parse:"
    );
    println!("| import | total | parse | target |");
    println!("|---|---|---|---|");
    let wanted = |name: &str| only.is_empty() || only == name;
    if wanted("jsonl-10k") {
        let input = jsonl_input(&source, inputs.path(), 10_000, 100_000);
        let times = measure(5, |run| {
            import(Format::Jsonl, &input, out.path(), "jsonl-10k", run)
        });
        row(
            "jsonl, 10,000 documents × 10 spans",
            &times,
            "≤ 2 s (was 18.5 s)",
        );
    }
    if wanted("jsonl-50k") {
        let input = jsonl_input(&source, inputs.path(), 1, 50_000);
        let times = measure(5, |run| {
            import(Format::Jsonl, &input, out.path(), "jsonl-50k", run)
        });
        row("jsonl, 1 document × 50,000 spans", &times, "(was 16 s)");
    }
    for (lines, runs, target, name) in [
        (100_000, 5, "≤ 1 s (was 49 s)", "brat-100k"),
        (1_000_000, 3, "≤ 10 s", "brat-1m"),
    ] {
        if !wanted(name) {
            continue;
        }
        let input = brat_input(&source, inputs.path(), lines);
        let times = measure(runs, |run| {
            import(Format::Brat, &input, out.path(), name, run)
        });
        row(
            &format!("brat, 1 document × {lines} annotation lines"),
            &times,
            target,
        );
    }
}
