//! What the suggesters' unit tests share: projects made from texts, and the checks every list
//! of suggestions must pass.

use std::path::PathBuf;
use std::sync::Arc;

use super::Suggestion;
use crate::model::{Document, Project, check_fragments};
use crate::schema::Schema;

/// A project with the default schema over `texts`, documents named `doc-000.txt`… in order.
pub(crate) fn project_of(texts: &[&str]) -> Project {
    let documents = texts
        .iter()
        .enumerate()
        .map(|(i, text)| Document {
            path: format!("doc-{i:03}.txt"),
            hash: crate::corpus::sha256_hex(text.as_bytes()),
            text: Arc::from(*text),
            ..Document::default()
        })
        .collect();
    Project::new(
        "test".to_owned(),
        PathBuf::from("/corpus"),
        Schema::default(),
        documents,
    )
}

/// Fails unless every suggestion has valid fragments (char boundaries, sorted, disjoint, not
/// empty, no white space at their edges), a score in 0..=1, and the list is sorted by start.
pub(crate) fn check_ranges(text: &str, suggestions: &[Suggestion]) {
    for s in suggestions {
        assert!(
            check_fragments(text, &s.fragments).is_ok(),
            "{s:?} on {text:?}"
        );
        for f in &s.fragments {
            let slice = f.slice(text);
            assert!(!slice.is_empty(), "{s:?}");
            assert_eq!(
                slice.trim_matches(super::scan::is_space),
                slice,
                "{s:?} is not trimmed"
            );
        }
        assert!((0.0..=1.0).contains(&s.score), "{s:?}");
        if let Some(link) = &s.link {
            assert!(check_fragments(text, &link.fragments).is_ok(), "{s:?}");
        }
    }
    assert!(
        suggestions
            .windows(2)
            .all(|w| w[0].extent().start <= w[1].extent().start),
        "not sorted: {suggestions:?}"
    );
}
