//! Review speed: two annotators' projects of 100,000 spans each on the same 1,000 documents
//! (target: the agreement report well under 200 ms, release build). Also times the tokenizer
//! (with its fast path, and unicode-segmentation throughout as before it), the span diff and
//! the merge into a gold project. Prints the best and the median of several runs; no timing
//! is asserted (benchmarks, not tests).
//!
//! Run: `cargo bench --bench review`.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_precision_loss
)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use marginalia::model::{Annotation, Document, Project, Status, Timestamp};
use marginalia::review::adjudicate::{self, Policy};
use marginalia::review::agreement::{self, By};
use marginalia::schema::Schema;
use marginalia::text::ByteRange;

const DOCUMENTS: usize = 1_000;
const SPANS_PER_DOCUMENT: usize = 100;

/// A sentence of about 110 bytes with accents, typographic quotes and an emoji: one claim (the
/// quoted words), one source (the agency) and, every third sentence, boilerplate.
const SENTENCE: &str = "Selon l’agence officielle, le ministère a annoncé « une coopération renforcée » 😀 entre Moscou et Pyongyang. ";

/// A tiny deterministic generator (xorshift), so that runs compare.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The reference annotator's spans of one sentence starting at `at`.
fn sentence_spans(at: usize, n: usize) -> Vec<(&'static str, usize, usize)> {
    let find = |needle: &str| at + SENTENCE.find(needle).unwrap();
    let quote = find("« une");
    let quote_end = find(" 😀");
    let source = find("l’agence");
    let source_end = find(", le");
    let mut spans = vec![("claim", quote, quote_end), ("source", source, source_end)];
    if n.is_multiple_of(3) {
        spans.push(("boilerplate", find("entre"), at + SENTENCE.len() - 1));
    }
    spans
}

/// Two projects of `DOCUMENTS` documents with `SPANS_PER_DOCUMENT` spans each: the second
/// annotator agrees on most spans, and disagrees the way people do (a label, a boundary, a span
/// missed, a span added).
fn projects() -> (Project, Project) {
    let sentences = SPANS_PER_DOCUMENT.div_ceil(2);
    let text: String = SENTENCE.repeat(sentences);
    let hash = marginalia::corpus::sha256_hex(text.as_bytes());
    let text: Arc<str> = Arc::from(text);
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let mut make = |annotator: &str, other: bool| {
        let docs = (0..DOCUMENTS)
            .map(|i| Document {
                path: format!("doc-{i:05}.txt"),
                // Different texts would cost memory only: one text, one hash per document.
                hash: format!("{hash}-{i}"),
                text: text.clone(),
                status: Status::Done,
                ..Document::default()
            })
            .collect();
        let mut project = Project::new(annotator.into(), "/corpus".into(), Schema::default(), docs);
        for doc in 0..DOCUMENTS {
            let mut spans = Vec::new();
            for s in 0..sentences {
                for (label, start, end) in sentence_spans(s * SENTENCE.len(), s) {
                    spans.push((label, start, end));
                }
            }
            spans.truncate(SPANS_PER_DOCUMENT);
            let mut annotations = Vec::with_capacity(spans.len());
            for (label, start, mut end) in spans {
                let mut label = label;
                if other {
                    if rng.chance(4) {
                        continue;
                    }
                    if rng.chance(5) {
                        label = if label == "claim" { "source" } else { "claim" };
                    }
                    if rng.chance(5) {
                        // One word shorter: back to the previous space.
                        if let Some(space) = text[start..end].rfind(' ').filter(|&i| i > 0) {
                            end = start + space;
                        }
                    }
                }
                let id = project.allocate_id();
                annotations.push(Annotation {
                    id,
                    label: label.into(),
                    fragments: vec![ByteRange::new(start, end)],
                    annotator: annotator.into(),
                    note: String::new(),
                    created: Timestamp(1_800_000_000),
                    attributes: BTreeMap::new(),
                    suggested: None,
                    provenance: None,
                });
            }
            annotations.sort_by_key(Annotation::sort_key);
            project.documents[doc].annotations = annotations;
        }
        project
    };
    let a = make("camille", false);
    let b = make("jules", true);
    (a, b)
}

/// The tokens of the CoNLL export as counted before its fast path: unicode-segmentation's
/// word segments over the whole text, without white space.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let value = f();
        times.push(start.elapsed());
        last = Some(value);
    }
    times.sort();
    (times[0], times[runs / 2], last.unwrap())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let (a, b) = projects();
    println!(
        "review benchmark: {} and {} spans on {} documents ({} bytes each), best / median of 7 runs",
        a.annotation_count(),
        b.annotation_count(),
        DOCUMENTS,
        a.documents[0].text.len()
    );
    let (best, median, n) = time(7, || {
        a.documents
            .iter()
            .map(|d| agreement::tokens(&d.text).len())
            .sum::<usize>()
    });
    println!(
        "tokenising the texts ({n} tokens)        best {:7.1} ms  median {:7.1} ms",
        ms(best),
        ms(median)
    );
    let (best, median, n) = time(7, || {
        a.documents
            .iter()
            .map(|d| marginalia::formats::conll::tokenize_without_fast_path(&d.text).len())
            .sum::<usize>()
    });
    println!(
        "tokenising, no fast path ({n} tokens)    best {:7.1} ms  median {:7.1} ms",
        ms(best),
        ms(median)
    );
    let (best, median, report) = time(7, || agreement::compare(&[&a, &b], By::Label));
    let overall = &report.rows[0].measures;
    println!(
        "agreement report (F1, κ, α, αu; by label)  best {:7.1} ms  median {:7.1} ms   target < 200 ms  \
         [κ {:.3}, α {:.3}, αu {:.3}, exact F1 {:.3}]",
        ms(best),
        ms(median),
        overall.kappa,
        overall.alpha,
        overall.alpha_u,
        overall.exact.f1()
    );
    let (best, median, report) = time(7, || agreement::compare(&[&a, &b], By::Document));
    println!(
        "agreement report (by document, {} rows)    best {:7.1} ms  median {:7.1} ms",
        report.rows.len(),
        ms(best),
        ms(median)
    );
    let (best, median, diff) = time(7, || marginalia::review::diff_projects(&a, &b));
    println!(
        "span diff ({} differences)             best {:7.1} ms  median {:7.1} ms",
        diff.differences(),
        ms(best),
        ms(median)
    );
    let (best, median, merged) = time(7, || {
        adjudicate::merge(&[&a, &b], Policy::Intersection, "chloé").unwrap()
    });
    println!(
        "merge into gold ({} in dispute)          best {:7.1} ms  median {:7.1} ms",
        merged.1.disputes,
        ms(best),
        ms(median)
    );
}
