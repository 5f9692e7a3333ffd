//! Search speed on a 100 MB corpus (issue I 1; targets: the first hits within 200 ms, all of
//! them within 1 s). The corpus is the French novels of `../shared/perf-corpus/` cut into
//! documents of about 50 KB and repeated up to 100 MB (each document its own copy, as in a
//! loaded project). Each query runs through `Search::start` and `poll`, as the app does; prints
//! the best and the median of several runs and the machine's load. No timing is asserted.
//!
//! Run: `cargo bench --no-default-features --bench search`.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use marginalia::search::{Matcher, Mode, Query, Search};

const CORPUS_BYTES: usize = 100 * 1024 * 1024;
const DOCUMENT_BYTES: usize = 50 * 1024;
const RUNS: usize = 7;

/// The novels cut into pieces of about `DOCUMENT_BYTES`, at the end of a line.
fn pieces() -> Vec<String> {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/perf-corpus");
    let Ok(entries) = std::fs::read_dir(&folder) else {
        println!(
            "{} is missing: a built-in French text instead",
            folder.display()
        );
        let sentence = "Selon l’agence officielle, l’État était « prêt à coopérer » 😀 ; \
                        M. Dupont, madame Lefèvre et le cœur du ministère l'ont dit.\r\n";
        return vec![sentence.repeat(DOCUMENT_BYTES / sentence.len() + 1)];
    };
    let mut paths: Vec<_> = entries.map(|entry| entry.unwrap().path()).collect();
    paths.sort();
    let mut pieces = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let mut cut = DOCUMENT_BYTES.min(rest.len());
            while !rest.is_char_boundary(cut) {
                cut += 1;
            }
            let cut = rest[cut..].find('\n').map_or(rest.len(), |n| cut + n + 1);
            pieces.push(rest[..cut].to_owned());
            rest = &rest[cut..];
        }
    }
    pieces
}

fn corpus() -> Vec<(usize, Arc<str>)> {
    let pieces = pieces();
    let mut texts = Vec::new();
    let mut size = 0;
    for piece in pieces.iter().cycle() {
        if size >= CORPUS_BYTES {
            break;
        }
        size += piece.len();
        texts.push((texts.len(), Arc::from(piece.as_str())));
    }
    texts
}

/// Time to the first hits, time to all of them, and their number.
fn run(texts: &[(usize, Arc<str>)], matcher: &Matcher) -> (Duration, Duration, usize) {
    let started = Instant::now();
    let mut search = Search::start(texts.to_vec(), matcher.clone());
    let mut first = None;
    let mut count = 0;
    loop {
        let (hits, _, finished) = search.poll();
        if !hits.is_empty() && first.is_none() {
            first = Some(started.elapsed());
        }
        count += hits.len();
        if finished {
            let all = started.elapsed();
            return (first.unwrap_or(all), all, count);
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "load before: {} (cores: {})",
        load.trim(),
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    );
    let texts = corpus();
    let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();
    println!(
        "corpus: {} documents, {:.1} MB",
        texts.len(),
        bytes as f64 / 1e6
    );
    let queries = [
        (
            "plain, accents and case ignored",
            "etait",
            Mode::Plain,
            false,
        ),
        (
            "whole word, accents and case ignored",
            "coeur",
            Mode::WholeWord,
            false,
        ),
        (
            "regex, accents and case ignored",
            r"(?:M\.|madame) \w+",
            Mode::Regex,
            false,
        ),
        ("plain, case and accents matter", "était", Mode::Plain, true),
    ];
    for (name, text, mode, exact) in queries {
        let query = Query {
            text: text.into(),
            mode,
            match_case: exact,
            match_accents: exact,
        };
        let matcher = Matcher::new(&query).unwrap();
        let mut firsts = Vec::new();
        let mut alls = Vec::new();
        let mut count = 0;
        for _ in 0..RUNS {
            let (first, all, n) = run(&texts, &matcher);
            firsts.push(first);
            alls.push(all);
            count = n;
        }
        firsts.sort();
        alls.sort();
        println!(
            "{name} ({text:?}): {count} hits; first hits best {} median {}; all best {} median {}",
            millis(firsts[0]),
            millis(firsts[RUNS / 2]),
            millis(alls[0]),
            millis(alls[RUNS / 2]),
        );
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load after: {}", load.trim());
}
