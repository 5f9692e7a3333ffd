//! Comparing annotators: the measures against reference implementations, and `marginalia agree`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use marginalia::review::agreement::{
    self, By, Scope, cohen_kappa, krippendorff_alpha_nominal, token_labels,
};
use marginalia::review::{AlignedDocument, DiffKind, Span, align, diff_projects, report};
use marginalia::workspace::Workspace;

mod common;
use common::cli::{marginalia, text};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> serde_json::Value {
    let path = root().join("tests/fixtures/agreement").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `expected` is a number, or null for undefined (NaN).
fn assert_value(actual: f64, expected: &serde_json::Value, what: &str) {
    match expected.as_f64() {
        Some(e) => assert!(
            (actual - e).abs() <= 1e-9,
            "{what}: {actual} but the reference says {e}"
        ),
        None => assert!(
            actual.is_nan(),
            "{what}: {actual} but the reference says undefined"
        ),
    }
}

fn strings(value: &serde_json::Value) -> Vec<Option<String>> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Reference values: tests/fixtures/agreement/reference.py (scikit-learn, krippendorff).

#[test]
fn kappa_matches_scikit_learn() {
    let cases = fixture("cases.json");
    let expected = fixture("expected.json");
    let cases = cases["kappa"].as_array().unwrap();
    assert_eq!(cases.len(), expected["kappa"].as_array().unwrap().len());
    for (case, want) in cases.iter().zip(expected["kappa"].as_array().unwrap()) {
        let a: Vec<String> = strings(&case["a"]).into_iter().flatten().collect();
        let b: Vec<String> = strings(&case["b"]).into_iter().flatten().collect();
        assert_value(
            cohen_kappa(&a, &b),
            &want["kappa"],
            case["name"].as_str().unwrap(),
        );
    }
}

#[test]
fn alpha_matches_the_krippendorff_package() {
    let cases = fixture("cases.json");
    let expected = fixture("expected.json");
    let cases = cases["alpha"].as_array().unwrap();
    assert_eq!(cases.len(), expected["alpha"].as_array().unwrap().len());
    for (case, want) in cases.iter().zip(expected["alpha"].as_array().unwrap()) {
        let coders: Vec<Vec<Option<String>>> = case["coders"]
            .as_array()
            .unwrap()
            .iter()
            .map(strings)
            .collect();
        let units: Vec<Vec<Option<String>>> = (0..coders[0].len())
            .map(|u| coders.iter().map(|c| c[u].clone()).collect())
            .collect();
        assert_value(
            krippendorff_alpha_nominal(&units),
            &want["alpha"],
            case["name"].as_str().unwrap(),
        );
    }
}

#[test]
fn span_cases_give_the_reference_token_labels_kappa_and_alpha() {
    let cases = fixture("cases.json");
    let expected = fixture("expected.json");
    for (case, want) in cases["spans"]
        .as_array()
        .unwrap()
        .iter()
        .zip(expected["spans"].as_array().unwrap())
    {
        let name = case["name"].as_str().unwrap();
        let text = case["text"].as_str().unwrap();
        let tokens = agreement::tokens(text);
        let annotators: Vec<Vec<Span>> = case["annotators"]
            .as_array()
            .unwrap()
            .iter()
            .map(|spans| {
                spans
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| {
                        Span::new(
                            s["label"].as_str().unwrap(),
                            s["start"].as_u64().unwrap() as usize,
                            s["end"].as_u64().unwrap() as usize,
                        )
                    })
                    .collect()
            })
            .collect();
        let labels: Vec<Vec<&str>> = annotators
            .iter()
            .map(|spans| token_labels(&tokens, spans))
            .collect();
        for (mine, theirs) in labels.iter().zip(want["token_labels"].as_array().unwrap()) {
            let theirs: Vec<String> = strings(theirs).into_iter().flatten().collect();
            assert_eq!(mine, &theirs, "{name}: token labels");
        }
        for pair in want["pairs"].as_array().unwrap() {
            let a = &labels[pair["a"].as_u64().unwrap() as usize];
            let b = &labels[pair["b"].as_u64().unwrap() as usize];
            assert_value(cohen_kappa(a, b), &pair["kappa"], &format!("{name}: kappa"));
            let units: Vec<Vec<Option<&str>>> = a
                .iter()
                .zip(b)
                .map(|(x, y)| vec![Some(*x), Some(*y)])
                .collect();
            assert_value(
                krippendorff_alpha_nominal(&units),
                &pair["alpha"],
                &format!("{name}: alpha"),
            );
        }
        let units: Vec<Vec<Option<&str>>> = (0..tokens.len())
            .map(|t| labels.iter().map(|l| Some(l[t])).collect())
            .collect();
        assert_value(
            krippendorff_alpha_nominal(&units),
            &want["alpha_all"],
            &format!("{name}: alpha of all"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The sample projects.

fn sample(name: &str) -> PathBuf {
    root().join("projects").join(name)
}

fn open(name: &str) -> Workspace {
    Workspace::open(&sample(name)).unwrap()
}

#[test]
fn sample_projects_share_their_five_documents() {
    let (a, b) = (open("sample.ron"), open("sample-second-annotator.ron"));
    let alignment = align(&[a.project(), b.project()]);
    assert_eq!(alignment.documents.len(), 5);
    assert!(alignment.documents.iter().all(AlignedDocument::in_all));
    assert!(alignment.mismatches.is_empty());
    let diff = diff_projects(a.project(), b.project());
    assert_eq!(diff.documents.len(), 5);
    // Matches are the exact-span true positives; the counts add up to the spans of each side.
    let report = agreement::compare(&[a.project(), b.project()], By::Label);
    let overall = &report.rows[0].measures;
    let counts = diff.counts();
    let get = |k: DiffKind| counts.get(&k).copied().unwrap_or(0);
    assert_eq!(get(DiffKind::Match), overall.exact.matched_other);
    let only_a = get(DiffKind::OnlyIn(marginalia::review::Side::A));
    let only_b = get(DiffKind::OnlyIn(marginalia::review::Side::B));
    let paired: usize = counts.values().sum::<usize>() - only_a - only_b;
    assert_eq!(paired + only_a, a.project().annotation_count());
    assert_eq!(paired + only_b, b.project().annotation_count());
    assert_eq!(
        diff.differences(),
        counts.values().sum::<usize>() - get(DiffKind::Match)
    );
    // The indices lead back to the annotations of each project's document.
    for document in &diff.documents {
        let da = a
            .project()
            .documents
            .iter()
            .find(|d| d.hash == document.hash)
            .unwrap();
        let db = b
            .project()
            .documents
            .iter()
            .find(|d| d.hash == document.hash)
            .unwrap();
        for entry in &document.diff.entries {
            if let (Some(i), Some(j)) = (entry.a, entry.b) {
                let (x, y) = (&da.annotations[i], &db.annotations[j]);
                assert_eq!(
                    entry.kind == DiffKind::Match,
                    x.label == y.label && x.fragments == y.fragments
                );
            }
        }
    }
}

fn csv_rows(stdout: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_reader(stdout);
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        report::COLUMNS.to_vec()
    );
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn agree_prints_what_the_library_computes() {
    for (by, flag) in [(By::Label, "label"), (By::Document, "doc")] {
        let (a, b) = (sample("sample.ron"), sample("sample-second-annotator.ron"));
        let out = marginalia(&[
            "agree",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--by",
            flag,
            "--format",
            "csv",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let rows = csv_rows(&out.stdout);
        let (wa, wb) = (open("sample.ron"), open("sample-second-annotator.ron"));
        let library = agreement::compare(&[wa.project(), wb.project()], by);
        assert_eq!(rows.len(), library.rows.len());
        assert_eq!(rows.len(), if by == By::Label { 4 } else { 6 });
        for (row, lib) in rows.iter().zip(&library.rows) {
            assert_eq!(row[0], "camille vs jules");
            assert_eq!(row[2], lib.scope.name());
            let m = &lib.measures;
            assert_eq!(row[5], report::exact(m.exact.f1()));
            assert_eq!(row[8], report::exact(m.overlap.f1()));
            assert_eq!(row[9], report::exact(m.kappa));
            assert_eq!(row[10], report::exact(m.alpha));
            assert_eq!(row[11], report::exact(m.alpha_u));
            assert_eq!(row[12], m.tokens.to_string());
        }
        assert!(matches!(library.rows[0].scope, Scope::All));
        // The samples disagree somewhat, but not wildly.
        let kappa = library.rows[0].measures.kappa;
        assert!(kappa > 0.3 && kappa < 1.0, "{kappa}");
    }
}

#[test]
fn identical_projects_agree_perfectly() {
    let a = sample("sample.ron");
    let out = marginalia(&[
        "agree",
        a.to_str().unwrap(),
        a.to_str().unwrap(),
        "-f",
        "csv",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows.len(), 4);
    for row in &rows {
        assert_eq!(row[0], "camille vs camille (2)");
        for value in &row[3..12] {
            assert_eq!(value, "1", "{row:?}");
        }
    }
}

#[test]
fn agree_json_and_table_and_three_annotators() {
    let (a, b) = (sample("sample.ron"), sample("sample-second-annotator.ron"));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let out = marginalia(&["agree", a, b, a, "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["documents"], 5);
    let rows = value["rows"].as_array().unwrap();
    // Three pairs and all three, each with the overall row and three labels.
    assert_eq!(rows.len(), 16);
    let all = &rows[12];
    assert_eq!(all["annotators"].as_array().unwrap().len(), 3);
    assert!(all["kappa"].is_null());
    assert!(all["exact"].is_null());
    let alpha = all["alpha"].as_f64().unwrap();
    assert!(alpha > 0.0 && alpha < 1.0);
    // camille vs camille (2) is the second pair's partner: perfect.
    assert_eq!(rows[4]["annotators"][1], "camille (2)");
    assert_eq!(rows[4]["kappa"], 1.0);

    let out = marginalia(&["agree", a, b]);
    assert!(out.status.success());
    let table = text(&out.stdout);
    assert!(table.contains("camille vs jules"), "{table}");
    assert!(table.contains("boilerplate"), "{table}");
    assert!(table.contains("span diff camille vs jules: "), "{table}");
    // The diff counts of the library, as JSON.
    let out = marginalia(&["agree", a, b, "-f", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (wa, wb) = (open("sample.ron"), open("sample-second-annotator.ron"));
    let counts = diff_projects(wa.project(), wb.project()).counts();
    let printed = &value["differences"][0]["counts"];
    for (kind, n) in counts {
        assert_eq!(printed[kind.name()], n, "{kind:?}");
    }
}

#[test]
fn agree_errors_exit_with_2() {
    let a = sample("sample.ron");
    let out = marginalia(&["agree", a.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let out = marginalia(&["agree", a.to_str().unwrap(), "/nonexistent/project.ron"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot load"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn agree_compares_links_as_well_as_spans() {
    let a = sample("sample.ron");
    let b = sample("sample-second-annotator.ron");
    let out = marginalia(&[
        "agree",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let links = &json["links"][0];
    let (mine, theirs) = (open("sample.ron"), open("sample-second-annotator.ron"));
    let mut expected = marginalia::review::LinkCounts::default();
    for (x, y) in mine
        .project()
        .documents
        .iter()
        .zip(&theirs.project().documents)
    {
        expected.add(marginalia::review::link_agreement(x, y));
    }
    assert_eq!(links["a"], expected.a);
    assert_eq!(links["b"], expected.b);
    assert_eq!(links["agreed"], expected.agreed);
    assert!(
        expected.agreed > 0 && expected.agreed < expected.a,
        "some links agree, not all"
    );
    // A project agrees with itself on every link.
    let same = marginalia(&[
        "agree",
        a.to_str().unwrap(),
        a.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    assert_eq!(json["links"][0]["f1"], 1.0);
}

// ---------------------------------------------------------------------------------------------
// Merging into a gold project.

type Spans = Vec<(String, String, Vec<(usize, usize)>)>;

fn spans_of_project(p: &marginalia::model::Project) -> Spans {
    let mut spans: Vec<_> = p
        .documents
        .iter()
        .flat_map(|d| {
            d.annotations.iter().map(|a| {
                (
                    d.hash.clone(),
                    a.label.clone(),
                    a.fragments.iter().map(|f| (f.start, f.end)).collect(),
                )
            })
        })
        .collect();
    spans.sort();
    spans.dedup();
    spans
}

#[test]
fn merge_writes_a_gold_project_that_marks_what_is_left_to_rule_on() {
    use marginalia::review::adjudicate::{dispute_count, is_unresolved};
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (sample("sample.ron"), sample("sample-second-annotator.ron"));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let (wa, wb) = (open("sample.ron"), open("sample-second-annotator.ron"));
    let counts = diff_projects(wa.project(), wb.project()).counts();
    let get = |k: DiffKind| counts.get(&k).copied().unwrap_or(0);
    let matches = get(DiffKind::Match);
    let only = get(DiffKind::OnlyIn(marginalia::review::Side::A))
        + get(DiffKind::OnlyIn(marginalia::review::Side::B));

    let gold_path = dir.path().join("gold.ron");
    let gold = gold_path.to_str().unwrap();
    let out = marginalia(&["merge", a, b, "-o", gold, "--annotator", "chloé"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    let gold_ws = Workspace::open(&gold_path).unwrap();
    assert!(gold_ws.problems().is_empty(), "{:?}", gold_ws.problems());
    let project = gold_ws.project();
    assert_eq!(project.annotator, "chloé");
    let all: Vec<_> = project
        .documents
        .iter()
        .flat_map(|d| &d.annotations)
        .collect();
    let accepted: Vec<_> = all.iter().filter(|a| !is_unresolved(a)).collect();
    assert_eq!(accepted.len(), matches);
    for annotation in &accepted {
        let p = annotation.provenance.as_ref().unwrap();
        assert_eq!(p.annotators, ["camille", "jules"]);
        assert_eq!(p.adjudicator, None);
    }
    let unresolved = all.len() - accepted.len();
    assert_eq!(
        unresolved,
        wa.project().annotation_count() + wb.project().annotation_count() - 2 * matches
    );
    let disputes = dispute_count(project);
    assert!(
        printed.contains(&format!(
            "{matches} span(s) accepted, {unresolved} unresolved in {disputes} place(s)"
        )),
        "{printed}"
    );
    // The gold project's corpus is the sample's, written relative to the gold file.
    let out = marginalia(&["check", gold]);
    assert!(out.status.success(), "{}", text(&out.stdout));

    // Union accepts the spans only one annotator has, too.
    let out = marginalia(&["merge", a, b, "-o", gold, "--policy", "union", "--force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let union = Workspace::open(&gold_path).unwrap();
    let accepted = union
        .project()
        .documents
        .iter()
        .flat_map(|d| &d.annotations)
        .filter(|a| !is_unresolved(a))
        .count();
    assert_eq!(accepted, matches + only);

    // Majority of camille, jules and camille again is camille's work, nothing left to rule on.
    let out = marginalia(&[
        "merge", a, b, a, "-o", gold, "--policy", "majority", "--force",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let majority = Workspace::open(&gold_path).unwrap();
    assert_eq!(dispute_count(majority.project()), 0);
    assert_eq!(
        spans_of_project(majority.project()),
        spans_of_project(wa.project())
    );

    // Errors: existing output without --force, majority of two.
    let out = marginalia(&["merge", a, b, "-o", gold]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--force"),
        "{}",
        text(&out.stderr)
    );
    let out = marginalia(&["merge", a, b, "-o", gold, "--policy", "majority", "--force"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("at least three projects"),
        "{}",
        text(&out.stderr)
    );
}

/// A project of the texts `texts` (file name, text), made by `marginalia new` in `dir`.
fn new_project(dir: &std::path::Path, texts: &[(&str, &str)]) -> PathBuf {
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for (name, text) in texts {
        std::fs::write(corpus.join(name), text).unwrap();
    }
    let project = dir.join("p.ron");
    let out = marginalia(&[
        "new",
        "--corpus",
        corpus.to_str().unwrap(),
        "-o",
        project.to_str().unwrap(),
        "--annotator",
        dir.file_name().unwrap().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    project
}

#[test]
fn h_agree_counts_the_documents_it_matched() {
    let dir = tempfile::tempdir().unwrap();
    // No text in common (the same names, other texts): nothing matched, and said plainly.
    let a = new_project(
        &dir.path().join("a"),
        &[
            ("1.txt", "Kim est arrivé."),
            ("2.txt", "Poutine a dit non."),
        ],
    );
    let b = new_project(
        &dir.path().join("b"),
        &[("1.txt", "Un autre texte."), ("3.txt", "Et un troisième.")],
    );
    let out = marginalia(&["agree", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(
        table.contains(
            "; 0 document(s) matched by content: the projects have no text in common, there is \
             nothing to compare;"
        ),
        "{table}"
    );
    let stderr = text(&out.stderr);
    assert_eq!(
        stderr,
        "marginalia: warning: the projects have no document in common (documents are matched by \
         content, not by name): nothing is compared\n\
         marginalia: warning: 1.txt has different contents (hashes) in different projects\n"
    );
    let out = marginalia(&[
        "agree",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-f",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (value["documents"].as_u64(), value["matched"].as_u64()),
        (Some(4), Some(0))
    );

    // The sample against a project of one of its documents: 1 matched, 4 in the sample only.
    let (mut one, _) = marginalia::file::load(&sample("sample.ron")).unwrap();
    one.documents.truncate(1);
    let one_path = dir.path().join("one.ron");
    marginalia::file::save(&one, &one_path).unwrap();
    let out = marginalia(&[
        "agree",
        sample("sample.ron").to_str().unwrap(),
        one_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(
        table.contains("; 1 document(s) matched by content (4 only in one project);"),
        "{table}"
    );
    // Two samples sharing all five: no "only in one project".
    let out = marginalia(&[
        "agree",
        sample("sample.ron").to_str().unwrap(),
        sample("sample-second-annotator.ron").to_str().unwrap(),
    ]);
    let table = text(&out.stdout);
    assert!(
        table.contains("; 5 document(s) matched by content; labels"),
        "{table}"
    );
}

/// Document attributes are measured with documents as units: κ against scikit-learn's
/// `cohen_kappa_score` and α against the `krippendorff` package (nominal), on values with gaps.
/// The reference numbers come from:
///
/// ```python
/// A = ["news","news","opinion","news","press-release","other","news","opinion"]
/// B = ["news","opinion","opinion","news","press-release","news","news",None]
/// C = ["news","news","opinion",None,"other","other","news","opinion"]
/// cohen_kappa_score on the documents both valued; krippendorff.alpha(reliability_data=...,
/// level_of_measurement="nominal") with NaN for None
/// ```
#[test]
fn l_document_attributes_agree_as_scikit_learn_and_krippendorff_say() {
    use marginalia::model::{Document, Project};
    use marginalia::schema::{DocAttributeDef, Schema};
    let a = [
        "news",
        "news",
        "opinion",
        "news",
        "press-release",
        "other",
        "news",
        "opinion",
    ];
    let b = [
        Some("news"),
        Some("opinion"),
        Some("opinion"),
        Some("news"),
        Some("press-release"),
        Some("news"),
        Some("news"),
        None,
    ];
    let c = [
        Some("news"),
        Some("news"),
        Some("opinion"),
        None,
        Some("other"),
        Some("other"),
        Some("news"),
        Some("opinion"),
    ];
    let schema = Schema {
        document_attributes: vec![DocAttributeDef {
            name: "genre".to_owned(),
            values: ["news", "opinion", "press-release", "other"]
                .map(str::to_owned)
                .to_vec(),
            description: String::new(),
            key: "g".to_owned(),
        }],
        ..Schema::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let project = |name: &str, values: &[Option<&str>]| {
        let documents = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let text = format!("Article numéro {i}.");
                std::fs::write(corpus.join(format!("{i}.txt")), &text).unwrap();
                let mut document = Document {
                    path: format!("{i}.txt"),
                    hash: marginalia::corpus::sha256_hex(text.as_bytes()),
                    text: text.into(),
                    ..Document::default()
                };
                if let Some(v) = v {
                    document
                        .attributes
                        .insert("genre".to_owned(), (*v).to_owned());
                }
                document
            })
            .collect();
        Project::new(name.to_owned(), corpus.clone(), schema.clone(), documents)
    };
    let a: Vec<Option<&str>> = a.iter().map(|v| Some(*v)).collect();
    let (pa, pb, pc) = (project("ana", &a), project("ben", &b), project("chloé", &c));
    let report = agreement::compare(&[&pa, &pb, &pc], By::Label);
    let row = |annotators: &[usize]| {
        report
            .document_attributes
            .iter()
            .find(|r| r.name == "genre" && r.annotators == annotators)
            .unwrap()
    };
    let six = |x: f64, want: f64| assert!((x - want).abs() < 1e-6, "{x} vs {want}");
    six(row(&[0, 1]).kappa, 0.533_333_333_333_333_3);
    six(row(&[0, 1]).alpha, 0.559_322_033_898_305_1);
    assert_eq!(row(&[0, 1]).documents, 7);
    six(row(&[0, 1]).observed, 5.0 / 7.0);
    six(row(&[0, 2]).kappa, 0.794_117_647_058_823_5);
    six(row(&[0, 2]).alpha, 0.805_970_149_253_731_3);
    six(row(&[0, 1, 2]).alpha, 0.598_726_114_649_681_5);
    assert!(row(&[0, 1, 2]).kappa.is_nan());
    // The command line prints them, and its JSON carries them.
    let mut files = Vec::new();
    for p in [&pa, &pb] {
        let path = dir.path().join(format!("{}.ron", p.annotator));
        marginalia::file::save(p, &path).unwrap();
        files.push(path.display().to_string());
    }
    let out = marginalia(&["agree", &files[0], &files[1]]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("document attribute genre (ana vs ben): 7 document(s) valued by all, kappa 0.5333333333333333"),
        "{stdout}{}",
        text(&out.stderr)
    );
}
