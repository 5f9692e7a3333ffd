//! Generated projects and corpora for benchmarks and performance tests.
//!
//! Everything is deterministic: the same seed and source text give the same project, byte for
//! byte, so nothing large needs to be stored. Texts are slices of a source text (a novel of
//! `../shared/perf-corpus/` in the benchmarks, or [`FALLBACK_TEXT`] repeated), spans fall on word
//! boundaries, and carry what real projects carry: labels, attributes, notes with accents,
//! discontinuous fragments and `attributed-to` links from claims to sources.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::{Annotation, Document, Id, Project, Relation, Status, Timestamp};
use crate::schema::Schema;
use crate::text::{ByteRange, floor_char_boundary, trim_range};

/// French newswire-like text with accents, quotes and an emoji, used when no source text is given.
pub const FALLBACK_TEXT: &str = "Selon l’agence officielle, le ministère des Affaires étrangères a \
annoncé « une coopération renforcée » entre Moscou et Pyongyang 😀. Des experts interrogés par \
Le Monde doutent de l’ampleur réelle de l’accord, signé à huis clos jeudi soir.\nLire aussi : \
notre enquête sur les livraisons d’obus.\n";

/// A small deterministic random generator (`SplitMix64`): good enough for test data, no
/// dependency.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// A slice of `source` of about `len` bytes starting at a random place, on char boundaries;
/// `source` is repeated when it is shorter than `len`.
fn slice_of(source: &str, len: usize, rng: &mut Rng) -> String {
    let source = if source.is_empty() {
        FALLBACK_TEXT
    } else {
        source
    };
    let mut text = String::with_capacity(len + 8);
    // Bounded: a slice can come out empty when it would end inside a character.
    for _ in 0..1_000 {
        if text.len() >= len {
            break;
        }
        let start = floor_char_boundary(source, rng.below(source.len()));
        let end = floor_char_boundary(source, start.saturating_add(len - text.len()));
        text.push_str(source.get(start..end).unwrap_or_default());
    }
    text
}

/// Places `count` spans on `text` with ids from `next_id`, and links each source to the claim
/// before it. Returns the annotations in text order and the relations sorted by id.
fn spans_on(
    text: &str,
    count: usize,
    annotator: &str,
    next_id: &mut u64,
    rng: &mut Rng,
) -> (Vec<Annotation>, Vec<Relation>) {
    let labels = ["claim", "claim", "claim", "source", "source", "boilerplate"];
    let stances = ["affirm", "refute", "neutral"];
    let kinds = ["person", "organisation", "media", "document", "anonymous"];
    let notes = [
        "à vérifier",
        "source primaire ? « AFP » citée deux fois",
        "cf. dépêche de 14 h — chiffres différents",
        "引用 non traduit",
    ];
    let mut annotations = Vec::with_capacity(count);
    let mut relations = Vec::new();
    let mut last_claim: Option<Id> = None;
    if text.is_empty() {
        return (annotations, relations);
    }
    // Spans spread over the whole text: one per stretch of `step` bytes.
    let step = (text.len() / count.max(1)).max(1);
    let mut tries = 0;
    while annotations.len() < count && tries < count * 4 + 16 {
        tries += 1;
        let slot = annotations.len() * step;
        let start = floor_char_boundary(text, (slot + rng.below(step)).min(text.len()));
        let len = 8 + rng.below(120);
        let end = floor_char_boundary(text, (start + len).min(text.len()));
        let Some(first) = trim_range(text, ByteRange::new(start, end)) else {
            continue;
        };
        let mut fragments = vec![first];
        // One span in twenty is discontinuous: a second fragment a little further.
        if rng.below(20) == 0 {
            let from = floor_char_boundary(text, (first.end + 5).min(text.len()));
            let to = floor_char_boundary(text, (from + 10 + rng.below(30)).min(text.len()));
            if let Some(second) = trim_range(text, ByteRange::new(from, to))
                && second.start > first.end
            {
                fragments.push(second);
            }
        }
        let label = labels
            .get(rng.below(labels.len()))
            .copied()
            .unwrap_or("claim");
        let id = Id(*next_id);
        *next_id += 1;
        let mut attributes = BTreeMap::new();
        match label {
            "claim" => {
                let stance = stances.get(rng.below(stances.len())).copied();
                attributes.insert("stance".to_owned(), stance.unwrap_or("neutral").to_owned());
                if rng.below(3) == 0 {
                    attributes.insert("checkworthy".to_owned(), "yes".to_owned());
                }
                last_claim = Some(id);
            }
            "source" => {
                let kind = kinds.get(rng.below(kinds.len())).copied();
                attributes.insert("kind".to_owned(), kind.unwrap_or("person").to_owned());
            }
            _ => {}
        }
        let note = if rng.below(10) == 0 {
            notes.get(rng.below(notes.len())).copied().unwrap_or("")
        } else {
            ""
        };
        annotations.push(Annotation {
            id,
            label: label.to_owned(),
            fragments,
            annotator: annotator.to_owned(),
            note: note.to_owned(),
            created: Timestamp(1_800_000_000 + i64::try_from(rng.below(30_000_000)).unwrap_or(0)),
            attributes,
            suggested: None,
            provenance: None,
        });
        if label == "source"
            && let Some(claim) = last_claim.take()
        {
            relations.push(Relation {
                id: Id(*next_id),
                kind: "attributed-to".to_owned(),
                from: claim,
                to: id,
                annotator: annotator.to_owned(),
                created: Timestamp(1_800_000_000),
            });
            *next_id += 1;
        }
    }
    annotations.sort_by_key(Annotation::sort_key);
    (annotations, relations)
}

fn document(
    path: String,
    text: String,
    annotations: Vec<Annotation>,
    relations: Vec<Relation>,
) -> Document {
    Document {
        hash: crate::corpus::sha256_hex(text.as_bytes()),
        path,
        text: Arc::from(text),
        status: Status::InProgress,
        annotations,
        relations,
        ..Document::default()
    }
}

/// A project of `documents` documents (slices of `source` of 1 to 6 KB) holding `spans` spans in
/// all, over the corpus folder `corpus_root`. Deterministic for a given `seed`.
pub fn project(
    source: &str,
    documents: usize,
    spans: usize,
    corpus_root: PathBuf,
    seed: u64,
) -> Project {
    let mut rng = Rng::new(seed);
    let mut next_id = 1;
    let docs = (0..documents)
        .map(|i| {
            let len = 1_000 + rng.below(5_000);
            let text = slice_of(source, len, &mut rng);
            let count = spans / documents + usize::from(i < spans % documents);
            let (annotations, relations) = spans_on(&text, count, "bench", &mut next_id, &mut rng);
            document(
                format!("lot-{:03}/dépêche-{i:05}.txt", i / 500),
                text,
                annotations,
                relations,
            )
        })
        .collect();
    Project::new("bench".to_owned(), corpus_root, Schema::default(), docs)
}

/// A project of one document, `text` stored as `path`, with `spans` spans spread over it.
pub fn long_document_project(
    text: &str,
    path: &str,
    spans: usize,
    corpus_root: PathBuf,
    seed: u64,
) -> Project {
    let mut rng = Rng::new(seed);
    let mut next_id = 1;
    let (annotations, relations) = spans_on(text, spans, "bench", &mut next_id, &mut rng);
    let doc = document(path.to_owned(), text.to_owned(), annotations, relations);
    Project::new(
        "bench".to_owned(),
        corpus_root,
        Schema::default(),
        vec![doc],
    )
}

/// Writes the text of every document of `project` below its corpus folder.
pub fn write_texts(project: &Project) -> io::Result<()> {
    for document in &project.documents {
        let path = project.corpus_root.join(&document.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, document.text.as_bytes())?;
    }
    Ok(())
}

/// Fills `dir` with `.txt` files of realistic sizes (2 KB to about 400 KB, mostly small) cut from
/// `sources`, in folders of 200 files, until they hold `total_bytes`. Returns how many files and
/// bytes were written.
pub fn corpus_folder(
    dir: &Path,
    sources: &[&str],
    total_bytes: u64,
    seed: u64,
) -> io::Result<(usize, u64)> {
    let mut rng = Rng::new(seed);
    let mut written = 0u64;
    let mut files = 0usize;
    while written < total_bytes {
        // Sizes spread over two orders of magnitude: many news-sized files, a few books' chapters.
        let len = 2_000usize << rng.below(8);
        let len = len + rng.below(len);
        let source = sources.get(rng.below(sources.len())).copied().unwrap_or("");
        let text = slice_of(source, len, &mut rng);
        let folder = dir.join(format!("part-{:03}", files / 200));
        std::fs::create_dir_all(&folder)?;
        std::fs::write(
            folder.join(format!("texte-{files:05}.txt")),
            text.as_bytes(),
        )?;
        written += text.len() as u64;
        files += 1;
    }
    Ok((files, written))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_projects_are_valid_and_deterministic() {
        let a = project(FALLBACK_TEXT, 20, 200, "/c".into(), 7);
        let b = project(FALLBACK_TEXT, 20, 200, "/c".into(), 7);
        assert_eq!(a.annotation_count(), 200);
        let relations: usize = a.documents.iter().map(|d| d.relations.len()).sum();
        assert!(relations > 10, "{relations}");
        for (x, y) in a.documents.iter().zip(&b.documents) {
            assert_eq!(x.text, y.text);
            assert_eq!(x.annotations, y.annotations);
            for annotation in &x.annotations {
                crate::model::check_fragments(&x.text, &annotation.fragments).unwrap();
            }
            assert!(x.annotations.is_sorted_by_key(Annotation::sort_key));
            for r in &x.relations {
                assert!(x.annotation(r.from).is_some() && x.annotation(r.to).is_some());
            }
        }
        // What is saved loads back whole.
        let ron = crate::file::to_ron(&a, Path::new("/c"));
        let (back, problems) =
            crate::file::from_ron(&ron, Path::new("p.ron"), Path::new("/c"), |_, rel| {
                let doc = a.documents.iter().find(|d| d.path == rel).unwrap();
                Ok(crate::corpus::DocumentText {
                    text: doc.text.to_string(),
                    hash: doc.hash.clone(),
                    decoded_from: None,
                })
            })
            .unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back.annotation_count(), 200);
    }

    #[test]
    fn long_documents_get_all_their_spans_spread_to_the_end() {
        let text = FALLBACK_TEXT.repeat(200);
        let p = long_document_project(&text, "novel.txt", 1_000, "/c".into(), 1);
        let doc = &p.documents[0];
        assert_eq!(doc.annotations.len(), 1_000);
        let last = doc.annotations.last().unwrap().extent();
        assert!(last.start > text.len() * 9 / 10, "{last:?}");
    }
}
