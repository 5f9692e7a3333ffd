//! Export speed: 100,000 spans to `jsonl` and to `brat` (target: well under 100 ms each, release
//! build). Prints the best of several runs; no timing is asserted (benchmarks, not tests).
//!
//! Run: `cargo bench --bench formats`.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_precision_loss
)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use marginalia::edit::Edit;
use marginalia::formats::{self, ExportOptions, Format};
use marginalia::model::{Annotation, Document, Project, Relation, Status, Timestamp};
use marginalia::schema::Schema;
use marginalia::text::ByteRange;

/// 1,000 documents of about 4 kB of French text with accents and emoji, 100 spans each, one in
/// five a claim linked to a source.
fn project(documents: usize, spans_per_doc: usize) -> Project {
    let sentence = "Selon l’agence, le ministère a annoncé « une coopération renforcée » 😀 entre Moscou et Pyongyang. ";
    let labels = ["claim", "source", "boilerplate"];
    let docs = (0..documents)
        .map(|i| {
            let text: String = sentence.repeat(40);
            Document {
                path: format!("doc-{i:05}.txt"),
                hash: marginalia::corpus::sha256_hex(text.as_bytes()),
                text: Arc::from(text),
                status: Status::Done,
                ..Document::default()
            }
        })
        .collect();
    let mut project = Project::new("bench".into(), "/corpus".into(), Schema::default(), docs);
    for doc in 0..documents {
        let text = project.documents[doc].text.clone();
        let starts: Vec<usize> = text.match_indices("le ministère").map(|(i, _)| i).collect();
        let mut previous = None;
        for n in 0..spans_per_doc {
            let start = starts[n % starts.len()] + (n / starts.len()) * 3;
            let end = start + "le ministère".len();
            let id = project.allocate_id();
            let label = labels[n % 3];
            let annotation = Annotation {
                id,
                label: label.into(),
                fragments: vec![ByteRange::new(start, end)],
                annotator: "bench".into(),
                note: if n % 10 == 0 {
                    "à vérifier".into()
                } else {
                    String::new()
                },
                created: Timestamp(1_800_000_000),
                attributes: BTreeMap::new(),
            };
            Edit::AddAnnotation { doc, annotation }
                .apply(&mut project)
                .unwrap();
            if label == "source"
                && let Some(claim) = previous
            {
                let relation = Relation {
                    id: project.allocate_id(),
                    kind: "attributed-to".into(),
                    from: claim,
                    to: id,
                    annotator: "bench".into(),
                    created: Timestamp(1_800_000_000),
                };
                Edit::AddRelation { doc, relation }
                    .apply(&mut project)
                    .unwrap();
            }
            previous = (label == "claim").then_some(id);
        }
    }
    project
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let project = project(1_000, 100);
    let spans = project.annotation_count();
    let dir = tempfile::tempdir().unwrap();
    println!(
        "export of {spans} spans in {} documents ({:.1} MB of text), best of 7:",
        project.documents.len(),
        project
            .documents
            .iter()
            .map(|d| d.text.len())
            .sum::<usize>() as f64
            / 1e6
    );
    for format in [
        Format::Jsonl,
        Format::Brat,
        Format::Doccano,
        Format::LabelStudio,
        Format::Csv,
        Format::Conll,
    ] {
        let out = dir.path().join(format.name());
        let time = best_of(7, || {
            formats::export(
                &project,
                format,
                &ExportOptions::default(),
                &out,
                &mut |_, _| {},
            )
            .unwrap();
        });
        println!(
            "  {:<13} {:>8.1} ms",
            format.name(),
            time.as_secs_f64() * 1e3
        );
    }
}
