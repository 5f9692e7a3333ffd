//! Inter-annotator agreement.
//!
//! # Measures
//!
//! - **Exact F1** (pairs only, A is the reference): a span of B is a true positive when A has a
//!   span with the same label and the same fragments (one-to-one, as multisets).
//!   P = TP / |B|, R = TP / |A|.
//! - **Overlap F1** (pairs only): a span of B counts for precision when it overlaps (shares a
//!   byte with) a span of A with the same label; a span of A counts for recall when it overlaps
//!   a span of B with the same label. Not one-to-one: P = matched B / |B|, R = matched A / |A|.
//!   F1 is the harmonic mean of P and R; 0 when one side has spans and the other none;
//!   undefined when neither side has any.
//! - **Cohen's κ** (pairs only) on tokens: the tokens are those of the CoNLL export (UAX #29
//!   words without white space). Each token gets one label per annotator: the label of the span
//!   that covers it (a span covers a token when one of its fragments shares a byte with it),
//!   `O` when none does. When spans of several labels cover a token, the **shortest** span
//!   (fewest bytes in its fragments) wins, then the label first in alphabetical order. Per label,
//!   κ is computed on the binary coding "this label or not". Tokens of documents one annotator
//!   lacks are left out.
//! - **Krippendorff's α** (nominal) on the same token labels, any number of annotators; an
//!   annotator without the document gives missing values; tokens with fewer than two values are
//!   not pairable and are left out, as in Krippendorff's definition.
//! - **Krippendorff's αu** (unitizing) per label on the code points of the texts, following
//!   Krippendorff (2004, *Content Analysis*, 2nd ed., §12.4; 1995). The units of an annotator for
//!   a label are the maximal runs of code points covered by the fragments of their spans of that
//!   label (overlapping fragments merge; touching ones stay two units). The continuum is the
//!   concatenation of the documents every annotator compared has, in alignment order. Over all
//!   labels, αu = 1 − ΣDo/ΣDe over the labels.
//!
//! A value that is undefined (a zero denominator: no tokens, no variation, no units) is `NaN`,
//! shown as "undefined" by reports; nothing panics.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use super::{AlignedDocument, Alignment, Span, align};
use crate::model::{Document, Project};
use crate::text::{ByteRange, CodePointIndex};

/// The label of a token no span covers.
pub const OUTSIDE: &str = "O";

// ---------------------------------------------------------------------------------------------
// Span measures.

/// Counts behind precision, recall and F1 of B against the reference A.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Prf {
    /// Spans of A.
    pub reference: usize,
    /// Spans of B.
    pub other: usize,
    /// Spans of A matched by B (recall's numerator).
    pub matched_reference: usize,
    /// Spans of B matched in A (precision's numerator).
    pub matched_other: usize,
}

impl Prf {
    /// matched B / |B|; undefined when B has no span.
    pub fn precision(&self) -> f64 {
        ratio(self.matched_other, self.other)
    }

    /// matched A / |A|; undefined when A has no span.
    pub fn recall(&self) -> f64 {
        ratio(self.matched_reference, self.reference)
    }

    /// The harmonic mean of precision and recall: 0 when only one side has spans, undefined
    /// when neither has.
    pub fn f1(&self) -> f64 {
        if self.reference == 0 && self.other == 0 {
            return f64::NAN;
        }
        if self.reference == 0 || self.other == 0 {
            return 0.0;
        }
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Adds the counts of another document.
    pub fn add(&mut self, other: Self) {
        self.reference += other.reference;
        self.other += other.other;
        self.matched_reference += other.matched_reference;
        self.matched_other += other.matched_other;
    }
}

fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        f64::NAN
    } else {
        numerator as f64 / denominator as f64
    }
}

/// Exact-span counts: same label and same fragments, one-to-one.
pub fn exact_counts(a: &[Span], b: &[Span]) -> Prf {
    let mut left: BTreeMap<&Span, usize> = BTreeMap::new();
    for span in a {
        *left.entry(span).or_default() += 1;
    }
    let mut matched = 0;
    for span in b {
        if let Some(n) = left.get_mut(span)
            && *n > 0
        {
            *n -= 1;
            matched += 1;
        }
    }
    Prf {
        reference: a.len(),
        other: b.len(),
        matched_reference: matched,
        matched_other: matched,
    }
}

/// Overlap counts: a span is matched when a span of the other side with its label overlaps it.
pub fn overlap_counts(a: &[Span], b: &[Span]) -> Prf {
    let hit = |span: &Span, others: &[Span]| {
        others
            .iter()
            .any(|o| o.label == span.label && o.overlaps(span))
    };
    Prf {
        reference: a.len(),
        other: b.len(),
        matched_reference: a.iter().filter(|s| hit(s, b)).count(),
        matched_other: b.iter().filter(|s| hit(s, a)).count(),
    }
}

// ---------------------------------------------------------------------------------------------
// Token measures.

/// The tokens of `text` the token measures use: those of the CoNLL export (UAX #29 words,
/// without white space).
pub fn tokens(text: &str) -> Vec<ByteRange> {
    crate::formats::conll::tokenize(text)
}

/// The label of each token (see the module documentation for the priority), [`OUTSIDE`] when no
/// span covers it. `tokens` must be sorted and disjoint.
pub fn token_labels<'s>(tokens: &[ByteRange], spans: &'s [Span]) -> Vec<&'s str> {
    let mut best: Vec<Option<(usize, &'s str)>> = vec![None; tokens.len()];
    for span in spans {
        let key = (span.covered(), span.label.as_str());
        for fragment in &span.fragments {
            let first = tokens.partition_point(|t| t.end <= fragment.start);
            let last = tokens.partition_point(|t| t.start < fragment.end);
            for cell in best.iter_mut().take(last).skip(first) {
                if cell.is_none_or(|current| key < current) {
                    *cell = Some(key);
                }
            }
        }
    }
    best.into_iter()
        .map(|b| b.map_or(OUTSIDE, |(_, label)| label))
        .collect()
}

/// Cohen's κ of two label sequences of the same length (extra items of the longer are ignored).
///
/// κ = (po − pe) / (1 − pe); undefined (`NaN`) when there is no item or pe = 1 (both annotators
/// used one and the same label throughout), as scikit-learn's `cohen_kappa_score`.
pub fn cohen_kappa<S: AsRef<str>>(a: &[S], b: &[S]) -> f64 {
    let items = a.len().min(b.len());
    if items == 0 {
        return f64::NAN;
    }
    let mut agree = 0usize;
    let mut count_a: BTreeMap<&str, usize> = BTreeMap::new();
    let mut count_b: BTreeMap<&str, usize> = BTreeMap::new();
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x.as_ref(), y.as_ref());
        if x == y {
            agree += 1;
        }
        *count_a.entry(x).or_default() += 1;
        *count_b.entry(y).or_default() += 1;
    }
    let total = items as f64;
    let po = agree as f64 / total;
    let pe: f64 = count_a
        .iter()
        .map(|(label, &na)| {
            let nb = count_b.get(label).copied().unwrap_or(0);
            (na as f64 / total) * (nb as f64 / total)
        })
        .sum();
    if (1.0 - pe).abs() < f64::EPSILON {
        return f64::NAN;
    }
    (po - pe) / (1.0 - pe)
}

/// Krippendorff's α for nominal data: `units[u][c]` is the value coder `c` gave unit `u`, `None`
/// when missing.
///
/// Units with fewer than two values are not pairable and are left out. Undefined (`NaN`) when
/// no unit is pairable or only one value occurs (no expected disagreement).
pub fn krippendorff_alpha_nominal<S: AsRef<str>>(units: &[Vec<Option<S>>]) -> f64 {
    // Coincidences: o[c][k] = Σ_u (pairs of values c, k in u from different coders) / (m_u − 1).
    let mut coincidences: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for unit in units {
        let values: Vec<&str> = unit.iter().flatten().map(AsRef::as_ref).collect();
        let m = values.len();
        if m < 2 {
            continue;
        }
        let weight = 1.0 / (m - 1) as f64;
        for (i, x) in values.iter().enumerate() {
            for (j, y) in values.iter().enumerate() {
                if i != j {
                    *coincidences.entry((x, y)).or_default() += weight;
                }
            }
        }
    }
    let mut marginals: BTreeMap<&str, f64> = BTreeMap::new();
    let mut observed = 0.0;
    for (&(c, k), &o) in &coincidences {
        *marginals.entry(c).or_default() += o;
        if c != k {
            observed += o;
        }
    }
    let n: f64 = marginals.values().sum();
    let squares: f64 = marginals.values().map(|v| v * v).sum();
    let expected = n * n - squares; // Σ_{c≠k} n_c n_k
    if n <= 1.0 || expected <= 0.0 {
        return f64::NAN;
    }
    1.0 - (n - 1.0) * observed / expected
}

// ---------------------------------------------------------------------------------------------
// Unitizing α.

/// Observed and expected disagreement of Krippendorff's αu for one label.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Unitizing {
    /// Do.
    pub observed: f64,
    /// De.
    pub expected: f64,
}

impl Unitizing {
    /// αu = 1 − Do/De; undefined (`NaN`) when De = 0 (no unit at all, or no variation).
    pub fn alpha(&self) -> f64 {
        if self.expected <= 0.0 {
            f64::NAN
        } else {
            1.0 - self.observed / self.expected
        }
    }

    /// Sums the disagreements of several labels (αu over all labels is 1 − ΣDo/ΣDe).
    pub fn add(&mut self, other: Self) {
        self.observed += other.observed;
        self.expected += other.expected;
    }
}

/// A section of a coder's continuum: a unit or a gap, `[start, end)`.
#[derive(Clone, Copy, Debug)]
struct Section {
    start: usize,
    end: usize,
    unit: bool,
}

/// Merges the units of one coder (overlapping ones become one) and fills the gaps of
/// `[0, length)`. Units are clamped to the continuum; empty ones are dropped.
fn sections(length: usize, units: &[(usize, usize)]) -> Vec<Section> {
    let mut sorted: Vec<(usize, usize)> = units
        .iter()
        .map(|&(s, e)| (s.min(length), e.min(length)))
        .filter(|(s, e)| s < e)
        .collect();
    sorted.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in sorted {
        match merged.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut out = Vec::new();
    let mut at = 0;
    for (s, e) in merged {
        if s > at {
            out.push(Section {
                start: at,
                end: s,
                unit: false,
            });
        }
        out.push(Section {
            start: s,
            end: e,
            unit: true,
        });
        at = e;
    }
    if at < length {
        out.push(Section {
            start: at,
            end: length,
            unit: false,
        });
    }
    out
}

/// δ² of Krippendorff's αu between section `g` of one coder and section `h` of another.
fn delta(g: Section, h: Section) -> f64 {
    let sq = |x: f64| x * x;
    let (bg, eg, bh, eh) = (g.start as f64, g.end as f64, h.start as f64, h.end as f64);
    match (g.unit, h.unit) {
        (true, true) if g.start < h.end && h.start < g.end => sq(bg - bh) + sq(eg - eh),
        (true, false) if h.start <= g.start && g.end <= h.end => sq(eg - bg),
        (false, true) if g.start <= h.start && h.end <= g.end => sq(eh - bh),
        _ => 0.0,
    }
}

/// Krippendorff's αu disagreements for one label on a continuum of `length` positions:
/// `coders[c]` lists the units `[start, end)` of coder `c`.
///
/// ```text
/// Do = Σ_i Σ_{j≠i} Σ_g Σ_h δ²(g_i, h_j) / (m(m−1)L²)
/// De = (2/L) Σ_g [ (N−1)(2l_g³ − 3l_g² + l_g)/3 + l_g² Σ_{gaps h: l_h ≥ l_g} (l_h − l_g + 1) ]
///      / ( mL(mL−1) − Σ_g l_g(l_g−1) )
/// ```
///
/// where δ² is the squared distance of the starts plus that of the ends for two overlapping
/// units, the squared length of a unit lying inside a gap of the other coder, and 0 otherwise;
/// the sums of De run over the N units g of all coders and the gaps h of all coders
/// (Krippendorff 2004, §12.4).
pub fn unitizing(length: usize, coders: &[Vec<(usize, usize)>]) -> Unitizing {
    let m = coders.len();
    if m < 2 || length == 0 {
        return Unitizing::default();
    }
    let all: Vec<Vec<Section>> = coders.iter().map(|u| sections(length, u)).collect();
    let l = length as f64;
    let mut sum = 0.0;
    for (i, si) in all.iter().enumerate() {
        for sj in all.iter().skip(i + 1) {
            let (mut x, mut y) = (0, 0);
            while let (Some(&g), Some(&h)) = (si.get(x), sj.get(y)) {
                sum += delta(g, h);
                match g.end.cmp(&h.end) {
                    std::cmp::Ordering::Less => x += 1,
                    std::cmp::Ordering::Greater => y += 1,
                    std::cmp::Ordering::Equal => {
                        x += 1;
                        y += 1;
                    }
                }
            }
        }
    }
    let mf = m as f64;
    let observed = 2.0 * sum / (mf * (mf - 1.0) * l * l);
    // Lengths are whole numbers: sorted as integers, summed exactly in f64 (below 2^53).
    let units: Vec<usize> = all
        .iter()
        .flatten()
        .filter(|s| s.unit)
        .map(|s| s.end - s.start)
        .collect();
    let mut gaps: Vec<usize> = all
        .iter()
        .flatten()
        .filter(|s| !s.unit)
        .map(|s| s.end - s.start)
        .collect();
    gaps.sort_unstable_by(|a, b| b.cmp(a));
    // prefix[k] = the sum of the k longest gaps.
    let prefix: Vec<f64> = std::iter::once(0.0)
        .chain(gaps.iter().scan(0.0, |sum, &g| {
            *sum += g as f64;
            Some(*sum)
        }))
        .collect();
    let n = units.len() as f64;
    let mut numerator = 0.0;
    let mut squared = 0.0;
    for &length in &units {
        let lg = length as f64;
        let within = (n - 1.0) * (2.0 * lg * lg * lg - 3.0 * lg * lg + lg) / 3.0;
        // Σ over the gaps at least as long as the unit of (l_h − l_g + 1).
        let longer = gaps.partition_point(|&lh| lh >= length);
        let fits = prefix.get(longer).copied().unwrap_or(0.0) - longer as f64 * (lg - 1.0);
        numerator += within + lg * lg * fits;
        squared += lg * (lg - 1.0);
    }
    let denominator = mf * l * (mf * l - 1.0) - squared;
    let expected = if denominator > 0.0 {
        2.0 / l * numerator / denominator
    } else {
        0.0
    };
    Unitizing { observed, expected }
}

// ---------------------------------------------------------------------------------------------
// Projects.

/// How the rows of a report are broken down, besides the overall row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum By {
    /// One row per label.
    #[default]
    Label,
    /// One row per document.
    Document,
}

/// What a row covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// All labels, all documents.
    All,
    /// One label, all documents.
    Label(String),
    /// All labels, one document (its path in the first project that has it).
    Document(String),
}

impl Scope {
    /// As reports print it.
    pub fn name(&self) -> &str {
        match self {
            Self::All => "(all)",
            Self::Label(name) | Self::Document(name) => name,
        }
    }
}

/// The measures of a row. Pair-only measures are `NaN` (and the counts 0) on rows of more than
/// two annotators.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Measures {
    /// Exact-span counts (A reference).
    pub exact: Prf,
    /// Overlap counts.
    pub overlap: Prf,
    /// Cohen's κ on tokens.
    pub kappa: f64,
    /// Krippendorff's α (nominal) on tokens.
    pub alpha: f64,
    /// Krippendorff's αu on code points.
    pub alpha_u: f64,
    /// Tokens the token measures saw (pairable tokens for α).
    pub tokens: usize,
}

/// One row of a report.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// What the row covers.
    pub scope: Scope,
    /// Indices of the annotators compared (into [`Report::annotators`]): two, or all.
    pub annotators: Vec<usize>,
    /// The measures.
    pub measures: Measures,
}

/// The agreement of several projects.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The annotators, one a project (made unique with " (2)", " (3)"… when names repeat).
    pub annotators: Vec<String>,
    /// The labels compared: those of the schemas, in order, then any other label met.
    pub labels: Vec<String>,
    /// Documents of any of the projects (matched by hash: one a text).
    pub documents: usize,
    /// Documents that two projects or more have (matched by hash): the ones compared.
    pub matched: usize,
    /// Documents some projects lack: path and the annotators that have it.
    pub partial: Vec<(String, Vec<usize>)>,
    /// Paths whose hash differs between projects.
    pub mismatches: Vec<String>,
    /// For each pair of annotators (indices), the span diff entries of each kind over the
    /// documents both have (see [`super::diff`]).
    pub differences: Vec<(usize, usize, BTreeMap<super::DiffKind, usize>)>,
    /// For each pair of annotators, how their links agree over the documents both have.
    pub links: Vec<(usize, usize, super::LinkCounts)>,
    /// The rows: for each pair of annotators (then all annotators, when more than two), the
    /// overall row and one row per label or document.
    pub rows: Vec<Row>,
    /// The agreement on each document attribute, documents as units: for each pair of
    /// annotators (then all, when more than two), one row an attribute.
    pub document_attributes: Vec<DocAttributeRow>,
}

/// How annotators agree on one document attribute (genre, to-check…), each document a unit.
#[derive(Clone, Debug, PartialEq)]
pub struct DocAttributeRow {
    /// The attribute.
    pub name: String,
    /// Indices of the annotators compared: two, or all.
    pub annotators: Vec<usize>,
    /// Documents every compared annotator gave a value (κ's items; for a pair, also the
    /// documents behind the observed agreement).
    pub documents: usize,
    /// Share of those documents where the values are equal (pairs only, else `NaN`).
    pub observed: f64,
    /// Cohen's κ over those documents (pairs only, else `NaN`).
    pub kappa: f64,
    /// Krippendorff's α (nominal) over every document two of them or more valued.
    pub alpha: f64,
}

/// The document attribute rows of `alignment` for each group of coders: the attributes of the
/// schemas in order, then any other name met, sorted.
fn document_attribute_rows(
    projects: &[&Project],
    alignment: &super::Alignment<'_>,
    groups: &[Vec<usize>],
) -> Vec<DocAttributeRow> {
    let mut names: Vec<String> = Vec::new();
    for project in projects {
        for def in &project.schema.document_attributes {
            if !names.contains(&def.name) {
                names.push(def.name.clone());
            }
        }
    }
    let met: BTreeSet<&String> = alignment
        .documents
        .iter()
        .flat_map(|d| d.documents.iter().flatten())
        .flat_map(|d| d.attributes.keys())
        .collect();
    for name in met {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    let mut rows = Vec::new();
    for coders in groups {
        for name in &names {
            // One unit a document: the value each coder gave it.
            let units: Vec<Vec<Option<&str>>> = alignment
                .documents
                .iter()
                .map(|d| {
                    coders
                        .iter()
                        .map(|&c| {
                            d.documents
                                .get(c)
                                .copied()
                                .flatten()
                                .and_then(|doc| doc.attributes.get(name))
                                .map(String::as_str)
                        })
                        .collect()
                })
                .collect();
            let complete: Vec<Vec<&str>> = units
                .iter()
                .filter_map(|u| u.iter().copied().collect::<Option<Vec<&str>>>())
                .collect();
            let (observed, kappa) = if coders.len() == 2 {
                let a: Vec<&str> = complete.iter().filter_map(|u| u.first().copied()).collect();
                let b: Vec<&str> = complete.iter().filter_map(|u| u.get(1).copied()).collect();
                let equal = a.iter().zip(&b).filter(|(x, y)| x == y).count();
                (ratio(equal, a.len()), cohen_kappa(&a, &b))
            } else {
                (f64::NAN, f64::NAN)
            };
            rows.push(DocAttributeRow {
                name: name.clone(),
                annotators: coders.clone(),
                documents: complete.len(),
                observed,
                kappa,
                alpha: krippendorff_alpha_nominal(&units),
            });
        }
    }
    rows
}

/// Labels as small integers for the token measures: 0 is [`OUTSIDE`], then the labels in
/// alphabetical order, so that comparing codes breaks ties as comparing names does.
struct Codes<'l> {
    /// The names in alphabetical order: the code of `names[i]` is `i + 1`.
    names: Vec<&'l str>,
}

impl<'l> Codes<'l> {
    fn new(labels: &'l [String]) -> Self {
        let names: BTreeSet<&str> = labels.iter().map(String::as_str).collect();
        Self {
            names: names.into_iter().collect(),
        }
    }

    /// The place of `label` in the list. A schema has a handful of labels: a scan that
    /// compares lengths first is quicker than a search comparing strings.
    fn index(&self, label: &str) -> Option<usize> {
        if self.names.len() <= 16 {
            self.names
                .iter()
                .position(|name| name.len() == label.len() && *name == label)
        } else {
            self.names.binary_search(&label).ok()
        }
    }

    /// The code of `label`, `u16::MAX` for a label not in the list.
    fn code(&self, label: &str) -> u16 {
        self.index(label)
            .map_or(u16::MAX, |i| u16::try_from(i + 1).unwrap_or(u16::MAX))
    }

    /// Number of distinct codes, [`OUTSIDE`] included.
    fn len(&self) -> usize {
        self.names.len() + 1
    }
}

/// A span of one annotator as the measures see it: its label as a code and its fragments,
/// borrowed from the annotation (nothing copied).
#[derive(Clone, Copy, Debug)]
struct Compact<'a> {
    code: u16,
    fragments: &'a [ByteRange],
    extent: ByteRange,
}

impl Compact<'_> {
    /// The order of [`Coded::spans`]: by label, then start (which [`overlap_hits`] needs), end
    /// and fragments (a total order, in which spans with the same fragments are neighbours).
    fn order(&self) -> (u16, usize, usize, &[ByteRange]) {
        (
            self.code,
            self.extent.start,
            self.extent.end,
            self.fragments,
        )
    }

    /// True when the two spans share at least one byte (as [`Span::overlaps`]).
    fn overlaps(&self, other: &Self) -> bool {
        self.extent.overlaps(other.extent)
            && self.fragments.iter().any(|a| {
                other
                    .fragments
                    .iter()
                    .any(|b| a.end.min(b.end) > a.start.max(b.start))
            })
    }
}

/// One annotator's version of one document, reduced once to what every row needs.
struct Coded<'a> {
    /// The spans, sorted by label code, then start, end and fragments ([`Compact::order`]).
    spans: Vec<Compact<'a>>,
    /// The code of each token's label over all labels ([`token_labels`] as codes).
    codes: Vec<u16>,
    /// The tokens the spans of each label cover: (code, first token, end token), sorted; the
    /// runs of one label are merged, so they are disjoint.
    covers: Vec<(u16, usize, usize)>,
    /// The αu units of each label in code points of the document: (code, start, end), sorted.
    units: Vec<(u16, usize, usize)>,
}

impl<'a> Coded<'a> {
    fn new(
        document: &'a Document,
        tokens: &[ByteRange],
        index: &CodePointIndex,
        dictionary: &Codes<'_>,
    ) -> Self {
        let mut spans: Vec<Compact<'a>> = document
            .annotations
            .iter()
            .map(|annotation| {
                let fragments = annotation.fragments.as_slice();
                let extent = match (fragments.first(), fragments.last()) {
                    (Some(first), Some(last)) => ByteRange::new(first.start, last.end),
                    _ => ByteRange::new(0, 0),
                };
                Compact {
                    code: dictionary.code(&annotation.label),
                    fragments,
                    extent,
                }
            })
            .collect();
        spans.sort_unstable_by(|x, y| x.order().cmp(&y.order()));
        let mut codes = vec![0u16; tokens.len()];
        // The covered bytes of the winning span of each token, for the shortest-first rule.
        let mut best = vec![usize::MAX; tokens.len()];
        let mut covers = Vec::with_capacity(spans.len());
        let mut units = Vec::with_capacity(spans.len());
        for span in &spans {
            let covered: usize = span.fragments.iter().copied().map(ByteRange::len).sum();
            for fragment in span.fragments {
                let first = tokens.partition_point(|t| t.end <= fragment.start);
                let last = tokens.partition_point(|t| t.start < fragment.end);
                for (cell, size) in codes.iter_mut().zip(best.iter_mut()).take(last).skip(first) {
                    if (covered, span.code) < (*size, *cell) {
                        *cell = span.code;
                        *size = covered;
                    }
                }
                if first < last {
                    covers.push((span.code, first, last));
                }
                units.push((
                    span.code,
                    index.char_of_byte(fragment.start),
                    index.char_of_byte(fragment.end),
                ));
            }
        }
        covers.sort_unstable();
        let mut merged: Vec<(u16, usize, usize)> = Vec::with_capacity(covers.len());
        for (code, first, last) in covers {
            match merged.last_mut() {
                Some(run) if run.0 == code && first <= run.2 => run.2 = run.2.max(last),
                _ => merged.push((code, first, last)),
            }
        }
        units.sort_unstable();
        Self {
            spans,
            codes,
            covers: merged,
            units,
        }
    }
}

/// The items of `sorted` (sorted by code first) whose code is `code`.
fn of_code<T>(sorted: &[T], code: u16, key: impl Fn(&T) -> u16) -> &[T] {
    let from = sorted.partition_point(|item| key(item) < code);
    let to = sorted.partition_point(|item| key(item) <= code);
    sorted.get(from..to).unwrap_or_default()
}

/// One document prepared for the measures, once for all rows.
struct Prepared<'a> {
    path: &'a str,
    /// Number of tokens.
    tokens: usize,
    /// Length of the text in code points.
    chars: usize,
    /// Each project's version, `None` when the project lacks the document.
    coders: Vec<Option<Coded<'a>>>,
    /// The documents themselves, for the span diff and the links.
    documents: &'a [Option<&'a Document>],
    /// Whether a span has a label the codes do not know.
    unknown_labels: bool,
}

fn prepare<'a>(alignment: &'a Alignment<'a>, dictionary: &Codes<'_>) -> Vec<Prepared<'a>> {
    let documents: Vec<&'a AlignedDocument<'a>> = alignment.documents.iter().collect();
    documents
        .par_iter()
        .map(|&d| {
            let text = d.text();
            let tokens = tokens(text);
            let index = CodePointIndex::new(text);
            let coders: Vec<Option<Coded<'a>>> = d
                .documents
                .iter()
                .map(|doc| doc.map(|doc| Coded::new(doc, &tokens, &index, dictionary)))
                .collect();
            Prepared {
                path: &d.path,
                tokens: tokens.len(),
                chars: index.len_chars(),
                unknown_labels: coders
                    .iter()
                    .flatten()
                    .any(|c| c.spans.last().is_some_and(|s| s.code == u16::MAX)),
                coders,
                documents: &d.documents,
            }
        })
        .collect()
}

/// Cohen's κ from its counts (see [`cohen_kappa`]).
fn kappa_from_counts(items: usize, agree: usize, count_a: &[usize], count_b: &[usize]) -> f64 {
    if items == 0 {
        return f64::NAN;
    }
    let total = items as f64;
    let po = agree as f64 / total;
    let pe: f64 = count_a
        .iter()
        .zip(count_b)
        .map(|(&na, &nb)| (na as f64 / total) * (nb as f64 / total))
        .sum();
    if (1.0 - pe).abs() < f64::EPSILON {
        return f64::NAN;
    }
    (po - pe) / (1.0 - pe)
}

/// Krippendorff's α (nominal) from the coincidence matrix `o` of `k` values (see
/// [`krippendorff_alpha_nominal`]).
fn alpha_from_coincidences(o: &[f64], k: usize) -> f64 {
    let mut marginals = vec![0.0f64; k];
    let mut observed = 0.0;
    for (index, &value) in o.iter().enumerate() {
        let (c, other) = (index / k, index % k);
        if let Some(m) = marginals.get_mut(c) {
            *m += value;
        }
        if c != other {
            observed += value;
        }
    }
    let n: f64 = marginals.iter().sum();
    let squares: f64 = marginals.iter().map(|v| v * v).sum();
    let expected = n * n - squares;
    if n <= 1.0 || expected <= 0.0 {
        return f64::NAN;
    }
    1.0 - (n - 1.0) * observed / expected
}

/// Counts of the measures over some documents, added document by document.
#[derive(Clone, Debug)]
struct Tally {
    exact: Prf,
    overlap: Prf,
    /// Pairs: tokens by the code of the first annotator (row) and of the second (column).
    table: Vec<usize>,
    /// More than two annotators: the coincidence matrix of α.
    coincidences: Vec<f64>,
    /// Pairable tokens (more than two annotators).
    pairable: usize,
}

impl Tally {
    /// An empty tally over `k` codes, for a pair (a table) or more annotators (coincidences).
    fn new(k: usize, pair: bool) -> Self {
        Self {
            exact: Prf::default(),
            overlap: Prf::default(),
            table: if pair { vec![0; k * k] } else { Vec::new() },
            coincidences: if pair { Vec::new() } else { vec![0.0; k * k] },
            pairable: 0,
        }
    }

    fn add(&mut self, other: &Self) {
        self.exact.add(other.exact);
        self.overlap.add(other.overlap);
        for (sum, n) in self.table.iter_mut().zip(&other.table) {
            *sum += n;
        }
        for (sum, o) in self.coincidences.iter_mut().zip(&other.coincidences) {
            *sum += o;
        }
        self.pairable += other.pairable;
    }

    /// The measures of a row of `k` codes: pair measures from the table when `pair`.
    fn measures(&self, k: usize, pair: bool, alpha_u: f64) -> Measures {
        if !pair {
            return Measures {
                exact: Prf::default(),
                overlap: Prf::default(),
                kappa: f64::NAN,
                alpha: alpha_from_coincidences(&self.coincidences, k),
                alpha_u,
                tokens: self.pairable,
            };
        }
        let mut count_a = vec![0usize; k];
        let mut count_b = vec![0usize; k];
        let mut coincidences = vec![0.0f64; k * k];
        let (mut items, mut agree) = (0, 0);
        for (index, &n) in self.table.iter().enumerate() {
            let (x, y) = (index / k, index % k);
            items += n;
            if x == y {
                agree += n;
            }
            if let Some(c) = count_a.get_mut(x) {
                *c += n;
            }
            if let Some(c) = count_b.get_mut(y) {
                *c += n;
            }
            // Each token gives the ordered pairs (x, y) and (y, x), of weight 1/(m − 1) = 1.
            for cell in [x * k + y, y * k + x] {
                if let Some(o) = coincidences.get_mut(cell) {
                    *o += n as f64;
                }
            }
        }
        Measures {
            exact: self.exact,
            overlap: self.overlap,
            kappa: kappa_from_counts(items, agree, &count_a, &count_b),
            alpha: alpha_from_coincidences(&coincidences, k),
            alpha_u,
            tokens: items,
        }
    }
}

/// The tallies of one document for a group of annotators: over all labels, and per label
/// (indexed by code − 1, on the binary coding "this label or not").
struct DocTally {
    all: Tally,
    labels: Vec<Tally>,
    /// αu of the document alone over all labels (only for rows by document).
    alpha_u: f64,
}

impl DocTally {
    fn new(k: usize, pair: bool) -> Self {
        Self {
            all: Tally::new(k, pair),
            labels: vec![Tally::new(2, pair); k.saturating_sub(1)],
            alpha_u: f64::NAN,
        }
    }

    fn add(&mut self, other: &Self) {
        self.all.add(&other.all);
        for (sum, tally) in self.labels.iter_mut().zip(&other.labels) {
            sum.add(tally);
        }
    }
}

/// How many of `spans` overlap one of `others` (all of one label, both sorted by start).
/// `others` are searched by start, so the cost follows the overlaps, not the product of the
/// two counts.
fn overlap_hits(spans: &[Compact<'_>], others: &[Compact<'_>], reach: &mut Vec<usize>) -> usize {
    // reach[i]: the furthest end among others[..=i].
    reach.clear();
    let mut furthest = 0;
    for other in others {
        furthest = furthest.max(other.extent.end);
        reach.push(furthest);
    }
    let mut hits = 0;
    for span in spans {
        let mut i = others.partition_point(|o| o.extent.start < span.extent.end);
        while i > 0 {
            i -= 1;
            if reach.get(i).is_none_or(|&r| r <= span.extent.start) {
                break;
            }
            if others.get(i).is_some_and(|o| o.overlaps(span)) {
                hits += 1;
                break;
            }
        }
    }
    hits
}

/// Spans of `a` and `b` (of one label, sorted by [`Compact::order`]) with the same fragments,
/// paired one to one.
fn exact_matches(a: &[Compact<'_>], b: &[Compact<'_>]) -> usize {
    let (mut i, mut j, mut matched) = (0, 0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.order().cmp(&y.order()) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                matched += 1;
                i += 1;
                j += 1;
            }
        }
    }
    matched
}

/// Tokens in both of two sorted lists of disjoint token runs.
fn shared_tokens(a: &[(u16, usize, usize)], b: &[(u16, usize, usize)]) -> usize {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while let (Some(&(_, s1, e1)), Some(&(_, s2, e2))) = (a.get(i), b.get(j)) {
        shared += e1.min(e2).saturating_sub(s1.max(s2));
        if e1 <= e2 {
            i += 1;
        } else {
            j += 1;
        }
    }
    shared
}

fn run_tokens(runs: &[(u16, usize, usize)]) -> usize {
    runs.iter().map(|&(_, first, last)| last - first).sum()
}

/// Adds the values of one unit (token) to a coincidence matrix of `k` codes: `o[c][c']`
/// gets, for each ordered pair of values from different annotators, 1/(m − 1).
fn add_unit(coincidences: &mut [f64], k: usize, values: &[u16]) {
    let m = values.len();
    if m < 2 {
        return;
    }
    let weight = 1.0 / (m - 1) as f64;
    for (i, &x) in values.iter().enumerate() {
        for (j, &y) in values.iter().enumerate() {
            if i != j
                && let Some(cell) = coincidences.get_mut(usize::from(x) * k + usize::from(y))
            {
                *cell += weight;
            }
        }
    }
}

/// The tallies of `doc` for the annotators `coders`; with `alpha_u`, also the document's αu.
fn tally(doc: &Prepared<'_>, coders: &[usize], k: usize, alpha_u: bool) -> DocTally {
    let mut out = DocTally::new(k, coders.len() == 2);
    let present: Vec<&Coded<'_>> = coders
        .iter()
        .filter_map(|&c| doc.coders.get(c).and_then(Option::as_ref))
        .collect();
    let m = present.len();
    if alpha_u && m == coders.len() {
        let mut total = Unitizing::default();
        for code in 1..k {
            let Ok(code) = u16::try_from(code) else { break };
            let units: Vec<Vec<(usize, usize)>> = present
                .iter()
                .map(|c| {
                    of_code(&c.units, code, |u| u.0)
                        .iter()
                        .map(|&(_, s, e)| (s, e))
                        .collect()
                })
                .collect();
            total.add(unitizing(doc.chars, &units));
        }
        out.alpha_u = total.alpha();
    }
    if m < 2 {
        return out;
    }
    let n = doc.tokens;
    if let ([a, b], 2) = (present.as_slice(), coders.len()) {
        let mut reach = Vec::new();
        for (code, label) in (1u16..).zip(out.labels.iter_mut()) {
            let (sa, sb) = (
                of_code(&a.spans, code, |s| s.code),
                of_code(&b.spans, code, |s| s.code),
            );
            let matched = exact_matches(sa, sb);
            label.exact = Prf {
                reference: sa.len(),
                other: sb.len(),
                matched_reference: matched,
                matched_other: matched,
            };
            label.overlap = Prf {
                reference: sa.len(),
                other: sb.len(),
                matched_reference: overlap_hits(sa, sb, &mut reach),
                matched_other: overlap_hits(sb, sa, &mut reach),
            };
            out.all.exact.add(label.exact);
            out.all.overlap.add(label.overlap);
            let (ca, cb) = (
                of_code(&a.covers, code, |c| c.0),
                of_code(&b.covers, code, |c| c.0),
            );
            let (na, nb, both) = (run_tokens(ca), run_tokens(cb), shared_tokens(ca, cb));
            // Rows: the first annotator's value (0 outside, 1 the label); columns: the second's.
            label.table = vec![n.saturating_sub(na + nb - both), nb - both, na - both, both];
        }
        for (&x, &y) in a.codes.iter().zip(&b.codes) {
            if let Some(cell) = out.all.table.get_mut(usize::from(x) * k + usize::from(y)) {
                *cell += 1;
            }
        }
        return out;
    }
    // More than two annotators (α only), `m` of whom have the document.
    out.all.pairable = n;
    let mut values: Vec<u16> = Vec::with_capacity(m);
    for t in 0..n {
        values.clear();
        values.extend(present.iter().filter_map(|c| c.codes.get(t).copied()));
        add_unit(&mut out.all.coincidences, k, &values);
    }
    let weight = 1.0 / (m - 1) as f64;
    let mut events: Vec<(usize, bool)> = Vec::new();
    for (code, label) in (1u16..).zip(out.labels.iter_mut()) {
        // How many tokens are covered by exactly j annotators.
        events.clear();
        for c in &present {
            for &(_, first, last) in of_code(&c.covers, code, |c| c.0) {
                events.push((first, true));
                events.push((last, false));
            }
        }
        events.sort_unstable();
        let mut histogram = vec![0usize; m + 1];
        let (mut depth, mut at) = (0usize, 0usize);
        for &(position, opens) in &events {
            if let Some(h) = histogram.get_mut(depth) {
                *h += position - at;
            }
            at = position;
            depth = if opens {
                depth + 1
            } else {
                depth.saturating_sub(1)
            };
        }
        if let Some(h) = histogram.get_mut(0) {
            *h += n.saturating_sub(at);
        }
        label.pairable = n;
        for (j, &h) in histogram.iter().enumerate() {
            let (inside, outside) = (j as f64, (m - j) as f64);
            let h = h as f64 * weight;
            // Codes: 0 outside, 1 the label.
            let cells = [
                outside * (outside - 1.0),
                inside * outside,
                inside * outside,
                inside * (inside - 1.0),
            ];
            for (o, cell) in label.coincidences.iter_mut().zip(cells) {
                *o += h * cell;
            }
        }
    }
    out
}

/// Krippendorff's αu of each label (indexed by code − 1) for the annotators `coders`, on the
/// documents they all have, concatenated.
fn unitizing_by_label(docs: &[Prepared<'_>], coders: &[usize], k: usize) -> Vec<Unitizing> {
    let mut length = 0usize;
    let mut by_label: Vec<Vec<Vec<(usize, usize)>>> =
        vec![vec![Vec::new(); coders.len()]; k.saturating_sub(1)];
    for doc in docs {
        let all: Option<Vec<&Coded<'_>>> = coders
            .iter()
            .map(|&c| doc.coders.get(c).and_then(Option::as_ref))
            .collect();
        let Some(all) = all else { continue };
        for (c, coded) in all.iter().enumerate() {
            for &(code, start, end) in &coded.units {
                if let Some(slot) = by_label
                    .get_mut(usize::from(code).wrapping_sub(1))
                    .and_then(|label| label.get_mut(c))
                {
                    slot.push((length + start, length + end));
                }
            }
        }
        length += doc.chars;
    }
    by_label
        .par_iter()
        .map(|units| unitizing(length, units))
        .collect()
}

/// The span diff counts of two versions of a document (as [`super::diff`] of their
/// [`super::spans_of`]) and how their links agree (as [`super::link_agreement`]).
///
/// The diff pairs only spans with the same fragments or sharing a byte, so it is computed
/// cluster by cluster: spans (of both sides) whose extents overlap or touch, directly or
/// through others. A pairing never crosses clusters, and within a cluster the diff's order
/// (text order, then index) and its greedy choices are those of the whole document, so the
/// counts add up to those of one diff, at a cost that follows the clusters, not the product of
/// the two span counts.
fn diff_document(
    a: &Document,
    b: &Document,
) -> (BTreeMap<super::DiffKind, usize>, super::LinkCounts) {
    let extent = |annotation: &crate::model::Annotation| match (
        annotation.fragments.first(),
        annotation.fragments.last(),
    ) {
        (Some(first), Some(last)) => (first.start, last.end),
        _ => (0, 0),
    };
    // (start, end, side B, index), in text order.
    let mut all: Vec<(usize, usize, bool, usize)> = a
        .annotations
        .iter()
        .enumerate()
        .map(|(i, x)| (extent(x), false, i))
        .chain(
            b.annotations
                .iter()
                .enumerate()
                .map(|(j, y)| (extent(y), true, j)),
        )
        .map(|((start, end), side, index)| (start, end, side, index))
        .collect();
    all.sort_unstable();
    let mut counts: BTreeMap<super::DiffKind, usize> = BTreeMap::new();
    // Pairs of indices (into a's and b's annotations) the diff matched.
    let mut matched: Vec<(usize, usize)> = Vec::new();
    let mut flush = |cluster_a: &mut Vec<usize>, cluster_b: &mut Vec<usize>| {
        if cluster_b.is_empty() {
            *counts
                .entry(super::DiffKind::OnlyIn(super::Side::A))
                .or_default() += cluster_a.len();
        } else if cluster_a.is_empty() {
            *counts
                .entry(super::DiffKind::OnlyIn(super::Side::B))
                .or_default() += cluster_b.len();
        } else if let (&[i], &[j]) = (cluster_a.as_slice(), cluster_b.as_slice())
            && let (Some(x), Some(y)) = (a.annotations.get(i), b.annotations.get(j))
        {
            // One span a side (the common case): the diff's stages in order, without copying.
            let same_label = x.label == y.label;
            let kind = if x.fragments == y.fragments {
                if same_label {
                    matched.push((i, j));
                    Some(super::DiffKind::Match)
                } else {
                    Some(super::DiffKind::LabelDisagreement)
                }
            } else if x.fragments.iter().any(|f| {
                y.fragments
                    .iter()
                    .any(|g| f.end.min(g.end) > f.start.max(g.start))
            }) {
                Some(if same_label {
                    super::DiffKind::BoundaryDisagreement
                } else {
                    super::DiffKind::LabelAndBoundaryDisagreement
                })
            } else {
                None
            };
            if let Some(kind) = kind {
                *counts.entry(kind).or_default() += 1;
            } else {
                *counts
                    .entry(super::DiffKind::OnlyIn(super::Side::A))
                    .or_default() += 1;
                *counts
                    .entry(super::DiffKind::OnlyIn(super::Side::B))
                    .or_default() += 1;
            }
        } else {
            // The document's order of indices, for the diff's ties.
            cluster_a.sort_unstable();
            cluster_b.sort_unstable();
            let spans = |document: &Document, indices: &[usize]| -> Vec<Span> {
                indices
                    .iter()
                    .filter_map(|&i| document.annotations.get(i))
                    .map(Span::from)
                    .collect()
            };
            let diff = super::diff(&spans(a, cluster_a), &spans(b, cluster_b));
            for entry in &diff.entries {
                *counts.entry(entry.kind).or_default() += 1;
                if entry.kind == super::DiffKind::Match
                    && let (Some(i), Some(j)) = (
                        entry.a.and_then(|i| cluster_a.get(i)),
                        entry.b.and_then(|j| cluster_b.get(j)),
                    )
                {
                    matched.push((*i, *j));
                }
            }
        }
        cluster_a.clear();
        cluster_b.clear();
    };
    let mut cluster_a: Vec<usize> = Vec::new();
    let mut cluster_b: Vec<usize> = Vec::new();
    let mut reach: Option<usize> = None;
    for (start, end, side_b, index) in all {
        if reach.is_some_and(|r| start > r) {
            flush(&mut cluster_a, &mut cluster_b);
        }
        reach = Some(reach.map_or(end, |r| r.max(end)));
        if side_b {
            cluster_b.push(index);
        } else {
            cluster_a.push(index);
        }
    }
    if !cluster_a.is_empty() || !cluster_b.is_empty() {
        flush(&mut cluster_a, &mut cluster_b);
    }
    (counts, super::links_of(&matched, a, b))
}

/// Computes the agreement of `projects` (at least two) for each pair, and for all of them when
/// there are more than two.
///
/// Each document is reduced once (tokens, token codes, covered tokens and αu units of each
/// label, spans sorted by label), then every row adds up per-document counts: the rows of one
/// group of annotators come from one pass over the documents, on all cores.
pub fn compare(projects: &[&Project], by: By) -> Report {
    let alignment = align(projects);
    let annotators = super::annotator_names(projects);
    let mut labels: Vec<String> = Vec::new();
    for project in projects {
        for label in &project.schema.labels {
            if !labels.contains(&label.name) {
                labels.push(label.name.clone());
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in 0..projects.len() {
        for j in i + 1..projects.len() {
            groups.push(vec![i, j]);
        }
    }
    if projects.len() > 2 {
        groups.push((0..projects.len()).collect());
    }
    // Documents are prepared with the labels of the schemas; only when they have others (rare)
    // are those gathered and the documents prepared again.
    let first = prepare(&alignment, &Codes::new(&labels));
    let docs = if first.iter().all(|d| !d.unknown_labels) {
        first
    } else {
        let known = Codes::new(&labels);
        let mut extra: BTreeSet<String> = BTreeSet::new();
        for doc in &alignment.documents {
            for annotation in doc.documents.iter().flatten().flat_map(|d| &d.annotations) {
                if known.index(&annotation.label).is_none() {
                    extra.insert(annotation.label.clone());
                }
            }
        }
        labels.extend(extra);
        prepare(&alignment, &Codes::new(&labels))
    };
    let codes = Codes::new(&labels);
    let k = codes.len();
    let mut rows = Vec::new();
    for coders in &groups {
        let pair = coders.len() == 2;
        let by_document = by == By::Document;
        // By document, each document's tally makes a row; by label, only their sum is needed,
        // summed by chunks of documents as they are computed.
        let tallies: Vec<DocTally> = if by_document {
            docs.par_iter()
                .map(|doc| tally(doc, coders, k, true))
                .collect()
        } else {
            docs.par_chunks(16)
                .map(|chunk| {
                    let mut sum = DocTally::new(k, pair);
                    for doc in chunk {
                        sum.add(&tally(doc, coders, k, false));
                    }
                    sum
                })
                .collect()
        };
        let mut total = DocTally::new(k, pair);
        for t in &tallies {
            total.add(t);
        }
        let units = unitizing_by_label(&docs, coders, k);
        let mut all_units = Unitizing::default();
        for u in &units {
            all_units.add(*u);
        }
        rows.push(Row {
            scope: Scope::All,
            annotators: coders.clone(),
            measures: total.all.measures(k, pair, all_units.alpha()),
        });
        match by {
            By::Label => {
                for label in &labels {
                    let index = usize::from(codes.code(label)).wrapping_sub(1);
                    let measures = total.labels.get(index).map_or_else(Measures::default, |t| {
                        let alpha_u = units.get(index).map_or(f64::NAN, Unitizing::alpha);
                        t.measures(2, pair, alpha_u)
                    });
                    rows.push(Row {
                        scope: Scope::Label(label.clone()),
                        annotators: coders.clone(),
                        measures,
                    });
                }
            }
            By::Document => {
                for (doc, t) in docs.iter().zip(&tallies) {
                    // Only the documents at least one of the compared annotators has.
                    if !coders
                        .iter()
                        .any(|&c| doc.coders.get(c).is_some_and(Option::is_some))
                    {
                        continue;
                    }
                    rows.push(Row {
                        scope: Scope::Document(doc.path.to_owned()),
                        annotators: coders.clone(),
                        measures: t.all.measures(k, pair, t.alpha_u),
                    });
                }
            }
        }
    }
    let partial = alignment
        .partial()
        .map(|d| {
            let have = d
                .documents
                .iter()
                .enumerate()
                .filter(|(_, doc)| doc.is_some())
                .map(|(i, _)| i)
                .collect();
            (d.path.clone(), have)
        })
        .collect();
    let document_attributes = document_attribute_rows(projects, &alignment, &groups);
    let mut differences = Vec::new();
    let mut links = Vec::new();
    for i in 0..projects.len() {
        for j in i + 1..projects.len() {
            // One span diff per document gives both the differences and the links.
            let per_document: Vec<_> = docs
                .par_iter()
                .map(|doc| match (doc.documents.get(i), doc.documents.get(j)) {
                    (Some(Some(a)), Some(Some(b))) => diff_document(a, b),
                    _ => (BTreeMap::new(), super::LinkCounts::default()),
                })
                .collect();
            let mut counts: BTreeMap<super::DiffKind, usize> = BTreeMap::new();
            let mut link_counts = super::LinkCounts::default();
            for (document, document_links) in per_document {
                for (kind, n) in document {
                    *counts.entry(kind).or_default() += n;
                }
                link_counts.add(document_links);
            }
            differences.push((i, j, counts));
            links.push((i, j, link_counts));
        }
    }
    Report {
        annotators,
        labels,
        documents: docs.len(),
        matched: alignment
            .documents
            .iter()
            .filter(|d| d.documents.iter().flatten().nth(1).is_some())
            .count(),
        differences,
        links,
        partial,
        mismatches: alignment
            .mismatches
            .iter()
            .map(|m| m.path.clone())
            .collect(),
        rows,
        document_attributes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    /// Krippendorff (2004), *Content Analysis: An Introduction to Its Methodology*, 2nd ed.,
    /// Sage, p. 254 (§12.4, unitizing): a continuum from 150 to 450 (L = 300), two observers,
    /// categories c and k. The book gives Do = 0.0144, De = 0.0532 and αu = 0.7286 for c, and
    /// αu = 1 for k (Do = 0, De = 0.0490); over both categories αu = 0.8591. (The same data and
    /// values are used by the `DKPro` Statistics test `Krippendorff2004Test`.)
    #[test]
    fn unitizing_reproduces_krippendorff_2004_p254() {
        let shift = |units: &[(usize, usize)]| -> Vec<(usize, usize)> {
            units.iter().map(|&(b, l)| (b - 150, b - 150 + l)).collect()
        };
        // (begin, length)
        let c = unitizing(
            300,
            &[
                shift(&[(225, 70), (370, 30)]),
                shift(&[(220, 80), (355, 20), (400, 20)]),
            ],
        );
        assert!(close(c.observed, 0.0144, 0.00005), "{c:?}");
        assert!(close(c.expected, 0.0532, 0.00005), "{c:?}");
        assert!(close(c.alpha(), 0.7286, 0.00005), "{}", c.alpha());
        let k = unitizing(
            300,
            &[
                shift(&[(180, 60), (300, 50)]),
                shift(&[(180, 60), (300, 50)]),
            ],
        );
        assert!(close(k.observed, 0.0, 1e-12));
        assert!(close(k.expected, 0.0490, 0.00005), "{k:?}");
        assert!(close(k.alpha(), 1.0, 1e-12));
        let mut both = c;
        both.add(k);
        // The book's 0.8591 is 1 − 0.0144 / (0.0532 + 0.0490), from the rounded disagreements;
        // unrounded (Do = 1300/90000 = 0.014444…) the value is 0.85867.
        assert!(close(1.0 - 0.0144 / (0.0532 + 0.0490), 0.8591, 0.00005));
        assert!(close(both.alpha(), 0.8591, 0.0005), "{}", both.alpha());
        assert!(close(both.alpha(), 0.858_665_405, 1e-9), "{}", both.alpha());
    }

    /// Krippendorff (1995), "On the reliability of unitizing continuous data", *Sociological
    /// Methodology* 25, p. 57: four pairs of observers on a continuum of 24. The observed
    /// disagreements are 0.03125 (A), 2.26736 (B), 0.02777 (C), 0.38715 (D) (the `DKPro` Statistics
    /// `Krippendorff1995Test` checks the same values).
    #[test]
    fn unitizing_observed_disagreement_of_krippendorff_1995_p57() {
        let units = |v: &[(usize, usize)]| -> Vec<(usize, usize)> {
            v.iter().map(|&(b, l)| (b, b + l)).collect()
        };
        let a = unitizing(24, &[units(&[(2, 8), (14, 6)]), units(&[(4, 4), (15, 2)])]);
        let b = unitizing(
            24,
            &[
                units(&[(0, 18)]),
                units(&[(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)]),
            ],
        );
        let c = unitizing(
            24,
            &[
                units(&[(2, 6), (10, 2), (14, 4), (20, 2)]),
                units(&[(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)]),
            ],
        );
        let d = unitizing(
            24,
            &[
                units(&[(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)]),
                units(&[(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)]),
            ],
        );
        assert!(close(a.observed, 0.03125, 1e-5), "{a:?}");
        assert!(close(b.observed, 2.26736, 1e-5), "{b:?}");
        assert!(close(c.observed, 0.02777, 1e-5), "{c:?}");
        assert!(close(d.observed, 0.38715, 1e-5), "{d:?}");
    }

    #[test]
    fn unitizing_edge_cases() {
        // Perfect agreement.
        let same = vec![vec![(2, 5), (8, 9)], vec![(2, 5), (8, 9)]];
        assert!(close(unitizing(12, &same).alpha(), 1.0, 1e-12));
        // Nobody marked anything: undefined.
        assert!(unitizing(12, &[vec![], vec![]]).alpha().is_nan());
        // One coder marked nothing: Do = 2·3² / (2·1·10²) = 0.09; α < 1.
        let one = unitizing(10, &[vec![(2, 5)], vec![]]);
        assert!(close(one.observed, 0.09, 1e-12));
        assert!(one.alpha() < 1.0);
        // Hand computation, L = 10, m = 2, units [2,5) and [3,6): Do = 2·(1+1)/(2·100) = 0.02.
        // De: N = 2, each l = 3: (N−1)(2·27 − 27 + 3)/3 = 10 per unit; gaps 2, 5 (coder 1) and
        // 3, 4 (coder 2); gaps ≥ 3: 5, 3, 4 → (3 + 1 + 2) = 6, times l² = 54; per unit 64,
        // total 128; De = (2/10)·128 / (20·19 − 2·6) = 25.6 / 368.
        let hand = unitizing(10, &[vec![(2, 5)], vec![(3, 6)]]);
        assert!(close(hand.observed, 0.02, 1e-12));
        assert!(close(hand.expected, 25.6 / 368.0, 1e-12), "{hand:?}");
    }

    #[test]
    fn kappa_and_alpha_edge_cases() {
        let same = ["O", "claim", "claim", "O"];
        assert!(close(cohen_kappa(&same, &same), 1.0, 1e-12));
        let all_o = ["O", "O", "O"];
        assert!(cohen_kappa(&all_o, &all_o).is_nan());
        assert!(cohen_kappa::<&str>(&[], &[]).is_nan());
        let units: Vec<Vec<Option<&str>>> = same.iter().map(|&v| vec![Some(v), Some(v)]).collect();
        assert!(close(krippendorff_alpha_nominal(&units), 1.0, 1e-12));
        let flat: Vec<Vec<Option<&str>>> = all_o.iter().map(|&v| vec![Some(v), Some(v)]).collect();
        assert!(krippendorff_alpha_nominal(&flat).is_nan());
        let lonely: Vec<Vec<Option<&str>>> = vec![vec![Some("a"), None]];
        assert!(krippendorff_alpha_nominal(&lonely).is_nan());
    }

    #[test]
    fn prf_edge_cases() {
        let a = vec![Span::new("claim", 0, 5), Span::new("source", 6, 9)];
        let exact = exact_counts(&a, &a);
        assert!(close(exact.f1(), 1.0, 1e-12));
        let none = exact_counts(&a, &[]);
        assert!(close(none.f1(), 0.0, 1e-12));
        assert!(none.precision().is_nan());
        assert!(close(none.recall(), 0.0, 1e-12));
        assert!(exact_counts(&[], &[]).f1().is_nan());
        let b = vec![Span::new("claim", 1, 5), Span::new("claim", 6, 9)];
        let o = overlap_counts(&a, &b);
        assert_eq!((o.matched_reference, o.matched_other), (1, 1));
        assert!(close(o.f1(), 0.5, 1e-12));
        assert_eq!(exact_counts(&a, &b).matched_other, 0);
    }

    #[test]
    fn token_priority_is_the_shortest_span() {
        let tokens = vec![
            ByteRange::new(0, 3),
            ByteRange::new(4, 7),
            ByteRange::new(8, 11),
        ];
        let spans = vec![Span::new("claim", 0, 11), Span::new("source", 4, 7)];
        assert_eq!(
            token_labels(&tokens, &spans),
            vec!["claim", "source", "claim"]
        );
        // A span covering part of a token labels it.
        let partial = vec![Span::new("claim", 5, 6)];
        assert_eq!(token_labels(&tokens, &partial), vec!["O", "claim", "O"]);
        // Equal lengths: alphabetical.
        let tie = vec![Span::new("source", 0, 3), Span::new("claim", 0, 3)];
        assert_eq!(token_labels(&tokens, &tie), vec!["claim", "O", "O"]);
    }

    /// A document for [`project`]: path, text and spans (label, start, end).
    type TestDoc<'a> = (&'a str, &'a str, &'a [(&'a str, usize, usize)]);

    fn project(annotator: &str, docs: &[TestDoc<'_>]) -> Project {
        let documents = docs
            .iter()
            .map(|(path, text, spans)| crate::model::Document {
                path: (*path).into(),
                hash: format!("hash of {text}"),
                text: (*text).into(),
                annotations: spans
                    .iter()
                    .enumerate()
                    .map(|(i, &(label, start, end))| crate::model::Annotation {
                        id: crate::model::Id(i as u64 + 1),
                        label: label.into(),
                        fragments: vec![ByteRange::new(start, end)],
                        annotator: annotator.into(),
                        note: String::new(),
                        created: crate::model::Timestamp(0),
                        attributes: BTreeMap::new(),
                        suggested: None,
                        provenance: None,
                    })
                    .collect(),
                ..crate::model::Document::default()
            })
            .collect();
        Project::new(
            annotator.into(),
            "/corpus".into(),
            crate::schema::Schema::default(),
            documents,
        )
    }

    #[test]
    fn codes_are_alphabetical_ranks_with_few_or_many_labels() {
        for count in [3usize, 40] {
            let labels: Vec<String> = (0..count).rev().map(|i| format!("label {i:02}")).collect();
            let codes = Codes::new(&labels);
            assert_eq!(codes.len(), count + 1);
            for i in 0..count {
                assert_eq!(usize::from(codes.code(&format!("label {i:02}"))), i + 1);
            }
            assert_eq!(codes.code("label"), u16::MAX);
            assert_eq!(codes.code("label 99x"), u16::MAX);
            assert_eq!(codes.index("zzz"), None);
        }
    }

    /// The links counted from the report's one diff per document are those of
    /// [`super::super::link_agreement`].
    #[test]
    fn links_from_the_diff_are_those_of_link_agreement() {
        let spans: &[(&str, usize, usize)] = &[("claim", 18, 29), ("source", 4, 12)];
        let mut a = project("a", &[("1.txt", ONE, spans)]);
        let mut b = project("b", &[("1.txt", ONE, spans)]);
        let relation = |id: u64, kind: &str, from: u64, to: u64| crate::model::Relation {
            id: crate::model::Id(id),
            kind: kind.into(),
            from: crate::model::Id(from),
            to: crate::model::Id(to),
            annotator: String::new(),
            created: crate::model::Timestamp(0),
        };
        a.documents[0].relations = vec![
            relation(10, "attributed-to", 1, 2),
            relation(11, "quotes", 1, 2),
            relation(12, "attributed-to", 2, 1),
        ];
        b.documents[0].relations = vec![
            relation(20, "attributed-to", 1, 2),
            relation(21, "quotes", 2, 1),
        ];
        let (da, db) = (&a.documents[0], &b.documents[0]);
        let expected = super::super::link_agreement(da, db);
        assert_eq!(diff_document(da, db).1, expected);
        assert_eq!((expected.a, expected.b, expected.agreed), (3, 2, 1));
        let report = compare(&[&a, &b], By::Label);
        assert_eq!(report.links, vec![(0, 1, expected)]);
        // Without links on one side, nothing agrees.
        b.documents[0].relations.clear();
        let db = &b.documents[0];
        assert_eq!(
            diff_document(da, db).1,
            super::super::link_agreement(da, db)
        );
    }

    const ONE: &str = "the minister said prices rise";
    const TWO: &str = "read also our stories";

    #[test]
    fn compare_identical_projects_is_one_everywhere() {
        let a = project(
            "a",
            &[
                ("1.txt", ONE, &[("source", 0, 12), ("claim", 18, 29)]),
                ("2.txt", TWO, &[("boilerplate", 0, 21)]),
            ],
        );
        let report = compare(&[&a, &a], By::Label);
        assert_eq!(report.annotators, vec!["a", "a (2)"]);
        // The labels of the (default) schema, in its order.
        assert_eq!(report.labels, vec!["claim", "source", "boilerplate"]);
        for row in &report.rows {
            let m = row.measures;
            for value in [m.exact.f1(), m.overlap.f1(), m.kappa, m.alpha, m.alpha_u] {
                assert!(close(value, 1.0, 1e-12), "{row:?}");
            }
        }
    }

    #[test]
    fn compare_one_side_empty_a_label_of_one_side_and_spans_in_one_document() {
        let a = project(
            "a",
            &[
                ("1.txt", ONE, &[("source", 0, 12), ("claim", 18, 29)]),
                ("2.txt", TWO, &[]),
            ],
        );
        let b = project(
            "b",
            &[("1.txt", ONE, &[("claim", 18, 29)]), ("2.txt", TWO, &[])],
        );
        let report = compare(&[&a, &b], By::Label);
        let row = |name: &str| {
            report
                .rows
                .iter()
                .find(|r| r.scope.name() == name)
                .unwrap()
                .measures
        };
        // "source" is A's only: F1 0, recall 0, precision undefined; κ 0 (B all O).
        let source = row("source");
        assert!(close(source.exact.f1(), 0.0, 1e-12));
        assert!(source.exact.precision().is_nan());
        assert!(close(source.kappa, 0.0, 1e-12));
        // α: 9 tokens, 2 "source" against "O": o(s,O) = o(O,s) = 2, n = 18, n_s = 2, n_O = 16;
        // α = 1 − 17·4 / (18² − 2² − 16²) = 1 − 68/64.
        assert!(close(source.alpha, -0.0625, 1e-12), "{}", source.alpha);
        // "claim" agrees perfectly.
        let claim = row("claim");
        assert!(close(claim.exact.f1(), 1.0, 1e-12));
        assert!(close(claim.alpha_u, 1.0, 1e-12));
        // By document: the second document has no span at all: undefined, no panic.
        let by_doc = compare(&[&a, &b], By::Document);
        let second = by_doc
            .rows
            .iter()
            .find(|r| r.scope == Scope::Document("2.txt".into()))
            .unwrap()
            .measures;
        assert!(second.exact.f1().is_nan());
        assert!(second.kappa.is_nan());
        assert!(second.alpha.is_nan());
        assert!(second.alpha_u.is_nan());
        // One annotator with no span at all.
        let empty = project("c", &[("1.txt", ONE, &[]), ("2.txt", TWO, &[])]);
        let report = compare(&[&a, &empty], By::Label);
        let all = report.rows[0].measures;
        assert!(close(all.exact.f1(), 0.0, 1e-12));
        assert!(close(all.kappa, 0.0, 1e-12));
        assert!(all.alpha_u < 1.0);
    }

    #[test]
    fn compare_missing_documents_are_missing_values() {
        let a = project(
            "a",
            &[
                ("1.txt", ONE, &[("claim", 18, 29)]),
                ("2.txt", TWO, &[("boilerplate", 0, 21)]),
            ],
        );
        // B lacks the second document and has the first under another path.
        let b = project("b", &[("renamed.txt", ONE, &[("claim", 18, 24)])]);
        let c = project(
            "c",
            &[
                ("1.txt", ONE, &[("claim", 18, 29)]),
                ("2.txt", TWO, &[("boilerplate", 0, 21)]),
            ],
        );
        let report = compare(&[&a, &b, &c], By::Document);
        assert_eq!(report.documents, 2);
        assert_eq!(report.matched, 2, "2.txt is in a and c");
        assert_eq!(report.partial, vec![("2.txt".to_owned(), vec![0, 2])]);
        // a vs b: only the shared document counts for the pair measures.
        let ab = report.rows[0].measures;
        assert_eq!((ab.exact.reference, ab.exact.other), (1, 1));
        assert_eq!(ab.tokens, 5);
        // All three: α sees 5 tokens with 3 values and 4 with 2.
        let all = report
            .rows
            .iter()
            .find(|r| r.annotators.len() == 3 && r.scope == Scope::All)
            .unwrap()
            .measures;
        assert_eq!(all.tokens, 9);
        assert!(all.kappa.is_nan());
        assert!(all.alpha > 0.0 && all.alpha < 1.0);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn coder() -> impl Strategy<Value = Vec<(usize, usize)>> {
        prop::collection::vec((0usize..60, 1usize..15).prop_map(|(s, l)| (s, s + l)), 0..6)
    }

    fn labels() -> impl Strategy<Value = Vec<&'static str>> {
        prop::collection::vec(prop::sample::select(vec!["O", "claim", "source"]), 1..30)
    }

    /// The tokens as plain unicode-segmentation gives them on the whole text (the tokenizer
    /// before its ASCII fast path).
    fn plain_tokens(text: &str) -> Vec<ByteRange> {
        crate::formats::conll::tokenize_without_fast_path(text)
    }

    /// Texts over a nasty alphabet: ASCII letters, digits, every ASCII punctuation mark and
    /// control character, white space of both kinds, accents (precomposed and combining),
    /// typographic quotes, emoji with ZWJ, skin tones and flags, Arabic, CJK, BOM.
    fn nasty_text() -> impl Strategy<Value = String> {
        let pieces: Vec<&'static str> = vec![
            "a",
            "Z",
            "q",
            "0",
            "7",
            "_",
            ".",
            "'",
            ":",
            ",",
            ";",
            "\"",
            "!",
            "#",
            "$",
            "%",
            "&",
            "(",
            ")",
            "*",
            "+",
            "-",
            "/",
            "<",
            "=",
            ">",
            "?",
            "@",
            "[",
            "\\",
            "]",
            "^",
            "`",
            "{",
            "|",
            "}",
            "~",
            " ",
            " ",
            "  ",
            "\t",
            "\r",
            "\n",
            "\r\n",
            "\u{b}",
            "\u{c}",
            "\u{0}",
            "\u{1f}",
            "\u{7f}",
            "\u{85}",
            "\u{a0}",
            "\u{2003}",
            "\u{3000}",
            "é",
            "e\u{301}",
            "\u{301}",
            "\u{200d}",
            "\u{feff}",
            "\u{ad}",
            "’",
            "‘",
            "«",
            "»",
            "“",
            "😀",
            "👍\u{1f3fd}",
            "👨\u{200d}👩\u{200d}👧",
            "🇫🇷",
            "🇫",
            "🇷",
            "\u{2764}\u{fe0f}",
            "مرحبا",
            "ال",
            "\u{64b}",
            "中文",
            "カタカナ",
            "한",
            "שׁ",
            "\u{5f4}",
            "abc",
            "12",
            "3.14",
            "a.b",
            "x:y",
            "1,000",
            "don't",
            "e.g.",
            // Latin letters (the fast path's) and their neighbours (not), typographic marks.
            "ß",
            "Ç",
            "ŀ",
            "ǅ",
            "ɏ",
            "ɐ",
            "ª",
            "µ",
            "×",
            "÷",
            "“",
            "”",
            "–",
            "—",
            "…",
            "l’",
            "aujourd’hui",
            "3’5",
            "‘",
            "ministère",
            "À",
            "\u{2024}",
            "\u{202f}",
            "\u{2028}",
            "¿",
            "\u{2010}",
            "\u{2011}",
        ];
        prop::collection::vec(prop::sample::select(pieces), 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn fast_tokens_are_the_unicode_segmentation_tokens(text in nasty_text()) {
            prop_assert_eq!(tokens(&text), plain_tokens(&text), "{:?}", text);
        }

        #[test]
        fn fast_tokens_on_latin_words(text in "[aZéÇ9_.,:;'’‘«» \t\n×ß\u{301}-]{0,40}") {
            prop_assert_eq!(tokens(&text), plain_tokens(&text), "{:?}", text);
        }

        #[test]
        fn fast_tokens_on_any_ascii(text in "[\\x00-\\x7f]{0,60}") {
            prop_assert_eq!(tokens(&text), plain_tokens(&text), "{:?}", text);
        }

        #[test]
        fn fast_tokens_on_any_text(text in "\\PC{0,40}") {
            prop_assert_eq!(tokens(&text), plain_tokens(&text), "{:?}", text);
        }
    }

    const TEXTS: [&str; 2] = [
        "Le ministère a dit « oui » 😀 hier. Selon l’AFP, rien n'a changé: 3,5 %.",
        "read also: our e\u{301}te\u{301} stories 👨\u{200d}👩\u{200d}👧 مرحبا بكم 中文",
    ];

    /// The spans of one annotator on one document: a label (index into [`LABELS`]) and sorted
    /// indices of char boundaries (two or three: one fragment; four: two fragments).
    type RawSpans = Vec<(usize, Vec<usize>)>;

    const LABELS: [&str; 4] = ["claim", "source", "boilerplate", "extra"];

    fn raw_spans() -> impl Strategy<Value = RawSpans> {
        prop::collection::vec(
            (0..LABELS.len(), prop::collection::vec(0usize..200, 2..=4)),
            0..8,
        )
    }

    /// Many short spans (of one or two fragments), so that documents have several clusters.
    fn short_spans() -> impl Strategy<Value = RawSpans> {
        prop::collection::vec(
            (
                0..LABELS.len(),
                0usize..70,
                1usize..6,
                prop::option::of((1usize..4, 1usize..4)),
            ),
            0..16,
        )
        .prop_map(|spans| {
            spans
                .into_iter()
                .map(|(label, start, length, second)| {
                    let mut points = vec![start, start + length];
                    if let Some((gap, length)) = second {
                        points.extend([start + length + gap, start + length + gap + length]);
                    }
                    (label, points)
                })
                .collect()
        })
    }

    fn annotations(text: &str, raw: &RawSpans) -> Vec<crate::model::Annotation> {
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let mut out = Vec::new();
        for (label, points) in raw {
            let mut points: Vec<usize> = points.iter().map(|p| bounds[p % bounds.len()]).collect();
            points.sort_unstable();
            points.dedup();
            let fragments = match points.as_slice() {
                [a, b, c, d] => vec![ByteRange::new(*a, *b), ByteRange::new(*c, *d)],
                [a, .., b] => vec![ByteRange::new(*a, *b)],
                _ => continue,
            };
            out.push(crate::model::Annotation {
                id: crate::model::Id(out.len() as u64 + 1),
                label: LABELS[*label].into(),
                fragments,
                annotator: String::new(),
                note: String::new(),
                created: crate::model::Timestamp(0),
                attributes: BTreeMap::new(),
                suggested: None,
                provenance: None,
            });
        }
        out
    }

    /// A project with the documents of [`TEXTS`] that `have` says, annotated by `raw`.
    fn coder_project(name: &str, have: [bool; 2], raw: &[RawSpans; 2]) -> Project {
        let documents = (0..2)
            .filter(|&d| have[d])
            .map(|d| crate::model::Document {
                path: format!("{d}.txt"),
                hash: format!("hash {d}"),
                text: TEXTS[d].into(),
                annotations: annotations(TEXTS[d], &raw[d]),
                ..crate::model::Document::default()
            })
            .collect();
        Project::new(
            name.into(),
            "/corpus".into(),
            crate::schema::Schema::default(),
            documents,
        )
    }

    /// The measures of a row from the public reference functions: the annotators `coders` on
    /// the documents `docs` (indices into [`TEXTS`]), restricted to `label`.
    fn reference(
        projects: &[&Project],
        coders: &[usize],
        docs: &[usize],
        label: Option<&str>,
    ) -> Measures {
        let version = |c: usize, d: usize| {
            projects[c]
                .documents
                .iter()
                .find(|doc| doc.hash == format!("hash {d}"))
        };
        let spans = |c: usize, d: usize| -> Option<Vec<Span>> {
            version(c, d).map(|doc| {
                super::super::spans_of(doc)
                    .into_iter()
                    .filter(|s| label.is_none_or(|l| s.label == l))
                    .collect()
            })
        };
        let pair = coders.len() == 2;
        let mut m = Measures::default();
        let (mut la, mut lb): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        let mut units: Vec<Vec<Option<String>>> = Vec::new();
        let mut length = 0;
        let mut by_label: BTreeMap<&str, Vec<Vec<(usize, usize)>>> = BTreeMap::new();
        for &d in docs {
            let text = TEXTS[d];
            let tokens = tokens(text);
            let labels: Vec<Option<Vec<String>>> = coders
                .iter()
                .map(|&c| {
                    spans(c, d).map(|s| {
                        token_labels(&tokens, &s)
                            .into_iter()
                            .map(str::to_owned)
                            .collect()
                    })
                })
                .collect();
            if pair && let (Some(a), Some(b)) = (spans(coders[0], d), spans(coders[1], d)) {
                m.exact.add(exact_counts(&a, &b));
                m.overlap.add(overlap_counts(&a, &b));
                la.extend(labels[0].clone().unwrap_or_default());
                lb.extend(labels[1].clone().unwrap_or_default());
            }
            for t in 0..tokens.len() {
                units.push(
                    labels
                        .iter()
                        .map(|l| l.as_ref().map(|l| l[t].clone()))
                        .collect(),
                );
            }
            if coders.iter().all(|&c| version(c, d).is_some()) {
                let index = CodePointIndex::new(text);
                for name in LABELS.iter().filter(|&&l| label.is_none_or(|x| x == l)) {
                    let slot = by_label
                        .entry(name)
                        .or_insert_with(|| vec![Vec::new(); coders.len()]);
                    for (i, &c) in coders.iter().enumerate() {
                        for span in spans(c, d).unwrap_or_default() {
                            if span.label == *name {
                                for f in &span.fragments {
                                    slot[i].push((
                                        length + index.char_of_byte(f.start),
                                        length + index.char_of_byte(f.end),
                                    ));
                                }
                            }
                        }
                    }
                }
                length += index.len_chars();
            }
        }
        let mut u = Unitizing::default();
        for coder_units in by_label.values() {
            u.add(unitizing(length, coder_units));
        }
        m.alpha_u = u.alpha();
        if pair {
            m.kappa = cohen_kappa(&la, &lb);
            let pairs: Vec<Vec<Option<&String>>> = la
                .iter()
                .zip(&lb)
                .map(|(a, b)| vec![Some(a), Some(b)])
                .collect();
            m.alpha = krippendorff_alpha_nominal(&pairs);
            m.tokens = la.len();
        } else {
            m.kappa = f64::NAN;
            m.alpha = krippendorff_alpha_nominal(&units);
            m.tokens = units
                .iter()
                .filter(|u| u.iter().flatten().count() >= 2)
                .count();
        }
        m
    }

    fn same(x: f64, y: f64) -> bool {
        (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-9
    }

    fn assert_same(got: &Measures, want: &Measures) -> Result<(), TestCaseError> {
        prop_assert_eq!(got.exact, want.exact);
        prop_assert_eq!(got.overlap, want.overlap);
        prop_assert_eq!(got.tokens, want.tokens);
        prop_assert!(
            same(got.kappa, want.kappa),
            "κ {} ≠ {}",
            got.kappa,
            want.kappa
        );
        prop_assert!(
            same(got.alpha, want.alpha),
            "α {} ≠ {}",
            got.alpha,
            want.alpha
        );
        prop_assert!(
            same(got.alpha_u, want.alpha_u),
            "αu {} ≠ {}",
            got.alpha_u,
            want.alpha_u
        );
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Every row of the report, by label and by document, equals the public reference
        /// functions on the same spans (three annotators; the third may lack a document).
        #[test]
        fn report_equals_the_reference_functions(
            raw in prop::array::uniform3(prop::array::uniform2(raw_spans())),
            third_has in prop::array::uniform2(any::<bool>()),
        ) {
            let a = coder_project("a", [true, true], &raw[0]);
            let b = coder_project("b", [true, true], &raw[1]);
            let c = coder_project("c", third_has, &raw[2]);
            let projects = [&a, &b, &c];
            let has = |coder: usize, d: usize| coder < 2 || third_has[d];
            for by in [By::Label, By::Document] {
                let report = compare(&projects, by);
                for row in &report.rows {
                    let coders = &row.annotators;
                    let all_docs: Vec<usize> = (0..2)
                        .filter(|&d| coders.iter().any(|&c| has(c, d)))
                        .collect();
                    let (docs, label) = match &row.scope {
                        Scope::All => (all_docs, None),
                        Scope::Label(l) => (all_docs, Some(l.as_str())),
                        Scope::Document(path) => {
                            let d: usize = path.trim_end_matches(".txt").parse().unwrap();
                            (vec![d], None)
                        }
                    };
                    let want = reference(&projects, coders, &docs, label);
                    assert_same(&row.measures, &want)?;
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// The diff cluster by cluster counts what one diff of the whole document counts.
        #[test]
        fn diff_by_clusters_equals_one_diff(raw in prop::array::uniform2(short_spans())) {
            let make = |raw: &RawSpans| crate::model::Document {
                text: TEXTS[0].into(),
                annotations: annotations(TEXTS[0], raw),
                ..crate::model::Document::default()
            };
            let (a, b) = (make(&raw[0]), make(&raw[1]));
            let whole = super::super::diff(&super::super::spans_of(&a), &super::super::spans_of(&b));
            prop_assert_eq!(diff_document(&a, &b).0, whole.counts());
        }
    }

    proptest! {
        #[test]
        fn unitizing_is_symmetric_and_at_most_one(a in coder(), b in coder(), c in coder()) {
            let one = unitizing(64, &[a.clone(), b.clone(), c.clone()]);
            let other = unitizing(64, &[c.clone(), a.clone(), b.clone()]);
            prop_assert!((one.observed - other.observed).abs() < 1e-12);
            prop_assert!((one.expected - other.expected).abs() < 1e-12);
            let alpha = one.alpha();
            prop_assert!(alpha.is_nan() || alpha <= 1.0 + 1e-12);
            let same = unitizing(64, &[a.clone(), a.clone()]);
            prop_assert!(same.alpha().is_nan() || (same.alpha() - 1.0).abs() < 1e-12);
        }

        #[test]
        fn kappa_and_alpha_are_symmetric(a in labels(), b in labels()) {
            let n = a.len().min(b.len());
            let (a, b) = (&a[..n], &b[..n]);
            let k1 = cohen_kappa(a, b);
            let k2 = cohen_kappa(b, a);
            prop_assert!((k1.is_nan() && k2.is_nan()) || (k1 - k2).abs() < 1e-12);
            prop_assert!(k1.is_nan() || k1 <= 1.0 + 1e-12);
            let units: Vec<Vec<Option<&str>>> =
                a.iter().zip(b).map(|(x, y)| vec![Some(*x), Some(*y)]).collect();
            let alpha = krippendorff_alpha_nominal(&units);
            prop_assert!(alpha.is_nan() || alpha <= 1.0 + 1e-12);
        }
    }
}
