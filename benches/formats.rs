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
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use marginalia::edit::Edit;
use marginalia::formats::{self, ExportOptions, Format};
use marginalia::model::{Annotation, Document, Project, Relation, Status, Timestamp};
use marginalia::schema::Schema;
use marginalia::text::ByteRange;

/// `documents` documents of French text with accents and emoji (about 40 bytes a span), with
/// `spans_per_doc` spans each; each source follows a claim it is linked to.
fn project(documents: usize, spans_per_doc: usize) -> Project {
    let sentence = "Selon l’agence, le ministère a annoncé « une coopération renforcée » 😀 entre Moscou et Pyongyang. ";
    let labels = ["claim", "source", "boilerplate"];
    let docs = (0..documents)
        .map(|i| {
            let text: String = sentence.repeat(spans_per_doc.div_ceil(2));
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
                suggested: None,
                provenance: None,
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
    // The export's own speed is measured writing to memory (/dev/shm, where there is one); the
    // same export to the disk adds what the storage costs, which on a shared virtual machine
    // varies tenfold from run to run.
    let memory = Path::new("/dev/shm");
    let targets: Vec<(&str, tempfile::TempDir)> = [
        memory
            .is_dir()
            .then(|| ("memory (/dev/shm)", tempfile::tempdir_in(memory).unwrap())),
        Some((
            "disk (target/)",
            tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap(),
        )),
    ]
    .into_iter()
    .flatten()
    .collect();
    // Many short documents (news articles), then a few long ones: the same 100,000 spans.
    for (documents, spans_per_doc) in [(1_000, 100), (100, 1_000)] {
        let project = project(documents, spans_per_doc);
        for (name, dir) in &targets {
            bench(&project, name, dir.path());
        }
    }
}

fn bench(project: &Project, target: &str, dir: &Path) {
    let spans = project.annotation_count();
    let megabytes = project
        .documents
        .iter()
        .map(|d| d.text.len())
        .sum::<usize>() as f64
        / 1e6;
    println!(
        "export of {spans} spans in {} documents ({megabytes:.1} MB of text) to {target}, best of 7:",
        project.documents.len()
    );
    for format in [
        Format::Jsonl,
        Format::Brat,
        Format::Doccano,
        Format::LabelStudio,
        Format::Csv,
        Format::Conll,
        Format::Spacy,
    ] {
        // A new output each run, as an export usually is.
        let mut run = 0;
        let time = best_of(7, || {
            run += 1;
            let out = dir.join(format!("{}-{run}", format.name()));
            formats::export(
                project,
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
