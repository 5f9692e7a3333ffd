//! How good and how fast the built-in suggesters are.
//!
//! 1. Quality: the suggestions made on the sample corpus without looking at its gold
//!    (`projects/sample.ron`: the spans removed, `recurring` fed each document's others'
//!    spans; see `marginalia::suggest::eval::held_out`), against that gold: per suggester, label
//!    and rule family, precision, recall and F1, exact and overlap. The same table as
//!    `marginalia suggest --eval`. Targets (overlap): boilerplate F1 ≥ 0.8, attribution sources
//!    recall ≥ 0.6 with precision ≥ 0.7, claims from quotes precision ≥ 0.8.
//! 2. Speed: each suggester, and all of them through `suggest::run`, over the generated project
//!    of 10,000 documents and 100,000 spans (target ≤ 1 s) and over the 3.4 MB novel of
//!    `../shared/perf-corpus/` (target ≤ 100 ms). Median and best of several runs, with the
//!    machine's load. No timing is asserted (benchmarks, not tests).
//!
//! Run: `cargo bench --no-default-features --bench suggest`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_precision_loss,
    missing_docs
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use marginalia::file;
use marginalia::generate;
use marginalia::model::Project;
use marginalia::suggest::{self, Suggester, eval};

const RUNS: usize = 5;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_owned(),
        |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

/// Best and median of `RUNS` runs of `f`, in milliseconds, and what the last run returned.
fn measure<T>(mut f: impl FnMut() -> T) -> (f64, f64, T) {
    let mut times: Vec<Duration> = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let result = std::hint::black_box(f());
        times.push(start.elapsed());
        last = Some(result);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    (ms(times[0]), ms(times[RUNS / 2]), last.unwrap())
}

fn novels() -> Vec<(PathBuf, String)> {
    let mut texts: Vec<(PathBuf, String)> = std::fs::read_dir(root().join("../shared/perf-corpus"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .filter_map(|e| Some((e.path(), std::fs::read_to_string(e.path()).ok()?)))
        .collect();
    texts.sort();
    texts
}

fn timings(what: &str, project: &Project, target: &str) {
    let bytes: usize = project.documents.iter().map(|d| d.text.len()).sum();
    println!(
        "\n## {what}: {} documents, {:.1} MB, {} spans (best / median of {RUNS}; load {})\n",
        project.documents.len(),
        bytes as f64 / 1e6,
        project.annotation_count(),
        load_average()
    );
    println!("| suggester | best | median | suggestions | target |");
    println!("|---|---|---|---|---|");
    let row = |name: &str, which: &[Suggester]| {
        let (best, median, found) = measure(|| suggest::run(project, which));
        let count: usize = found.iter().map(Vec::len).sum();
        println!("| {name} | {best:.0} ms | {median:.0} ms | {count} | {target} |");
    };
    for suggester in [
        Suggester::Boilerplate,
        Suggester::Attribution,
        Suggester::Recurring,
    ] {
        row(suggester.name(), &[suggester]);
    }
    row("all (`suggest::run`)", &Suggester::ALL);
}

fn main() {
    let (gold, problems) = file::load(&root().join("projects/sample.ron")).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let report = eval::evaluate_held_out(&gold, &Suggester::ALL);
    println!("## The sample corpus against projects/sample.ron (held out)\n");
    println!("```\n{report}```");
    let overlap = |s: Suggester, label: &str| report.row(Some(s), label).map(|r| r.overlap);
    let boilerplate = overlap(Suggester::Boilerplate, "boilerplate").unwrap_or_default();
    let sources = overlap(Suggester::Attribution, "source").unwrap_or_default();
    let quotes = report
        .rule_row(Suggester::Attribution, "claim", "quote")
        .map(|r| r.overlap)
        .unwrap_or_default();
    println!("\nTargets (overlap matching):");
    println!("- boilerplate F1 {:.2} (target ≥ 0.80)", boilerplate.f1());
    println!(
        "- attribution sources recall {:.2} (≥ 0.60), precision {:.2} (≥ 0.70)",
        sources.recall(),
        sources.precision()
    );
    println!(
        "- claims from quotes precision {:.2} (≥ 0.80), {} suggested",
        quotes.precision(),
        quotes.other
    );

    let texts = novels();
    let joined: String = if texts.is_empty() {
        eprintln!("(no ../shared/perf-corpus: generated from built-in text)");
        generate::FALLBACK_TEXT.repeat(2_000)
    } else {
        texts.iter().map(|(_, t)| t.as_str()).collect()
    };
    let project = generate::project(&joined, 10_000, 100_000, "/corpus".into(), 2026);
    timings("Generated project", &project, "≤ 1 s");
    if let Some((path, novel)) = texts.iter().max_by_key(|(_, t)| t.len()) {
        let name = path.file_name().unwrap().to_string_lossy();
        let project = generate::long_document_project(novel, &name, 1_000, "/corpus".into(), 42);
        timings(&format!("The novel {name}"), &project, "≤ 100 ms");
    }
}
