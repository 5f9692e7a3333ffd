//! The house stays in order: no import loop between the modules of the core, and the GUI
//! (`src/ui/`) takes nothing from the other front, the CLI (`src/cli.rs`).
//!
//! A text scan, not a compiler: every `crate::x` path of a file under `src/` (in `use` lines and
//! in code, `use crate::{x, y::z}` included; comment lines skipped) is a reference from the file's
//! module to `x`. A module is a top-level module of the crate (`src/x.rs` or `src/x/`), or for
//! [`ui_submodules_import_no_loop`], a file of `src/ui/`. Tests inside `src/` count like the
//! rest: a test that needs a module above its own is a sign the code is in the wrong place.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where a reference was seen: a file and a line (from 1).
type Seen = (PathBuf, usize);

/// References between modules: from → to → the first place it was seen.
type Graph = BTreeMap<String, BTreeMap<String, Seen>>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The top-level module a file of `src/` belongs to (`None` for `lib.rs` and `main.rs`).
fn top_module(file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src()).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then(|| name.to_owned())
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The identifier at the start of `s` (empty when there is none).
fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
    &s[..end]
}

/// The first segment of each `crate::` path of `text`, with its line (from 1). Comment lines
/// (`//`, `///`, `//!`) are skipped, so doc links are not references.
fn crate_paths(text: &str) -> Vec<(String, usize)> {
    // Comment lines blanked, so that byte offsets still give the line.
    let code: String = text
        .lines()
        .map(|line| {
            if line.trim_start().starts_with("//") {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a, b::c, d::{e, f}}`: the first segment of each item at depth 1.
            let mut depth = 1;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => item_start = true,
                    c if c.is_whitespace() => {}
                    _ if item_start && depth == 1 => {
                        item_start = false;
                        let name = ident(&group[i..]);
                        if !name.is_empty() {
                            found.push((name.to_owned(), line_of(at)));
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                found.push((name.to_owned(), line_of(at)));
            }
        }
    }
    found
}

/// The references between the top-level modules of the crate.
fn module_graph() -> Graph {
    let files = rust_files(&src());
    let modules: BTreeSet<String> = files.iter().filter_map(|f| top_module(f)).collect();
    let mut graph = Graph::new();
    for file in &files {
        let Some(from) = top_module(file) else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (to, line) in crate_paths(&text) {
            if to != from && modules.contains(&to) {
                graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert_with(|| (file.clone(), line));
            }
        }
        graph.entry(from).or_default();
    }
    graph
}

/// The references between the files of `src/ui/` (`crate::ui::x` and `super::x` paths; `mod.rs`
/// is `ui`).
fn ui_graph() -> Graph {
    let dir = src().join("ui");
    let files = rust_files(&dir);
    let name = |file: &Path| {
        let stem = file.file_stem().unwrap().to_str().unwrap().to_owned();
        if stem == "mod" { "ui".to_owned() } else { stem }
    };
    let modules: BTreeSet<String> = files.iter().map(|f| name(f)).collect();
    let mut graph = Graph::new();
    for file in &files {
        let from = name(file);
        let text = std::fs::read_to_string(file).unwrap();
        // Only references inside the GUI count: `crate::ui::x` and `super::x` are read as
        // `crate::x`, and the core's `crate::x` (`crate::review`, the core's review) is left out.
        let text = text
            .replace("crate::ui::", "\u{1}")
            .replace("crate::", "core_module::")
            .replace('\u{1}', "crate::")
            .replace("super::", "crate::");
        for (to, line) in crate_paths(&text) {
            if to != from && modules.contains(&to) {
                graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert_with(|| (file.clone(), line));
            }
        }
        graph.entry(from).or_default();
    }
    graph
}

/// The graph without the modules named in `left_out` (and the references to them).
fn without(graph: &Graph, left_out: &[&str]) -> Graph {
    graph
        .iter()
        .filter(|(from, _)| !left_out.contains(&from.as_str()))
        .map(|(from, to)| {
            let kept = to
                .iter()
                .filter(|(to, _)| !left_out.contains(&to.as_str()))
                .map(|(to, seen)| (to.clone(), seen.clone()))
                .collect();
            (from.clone(), kept)
        })
        .collect()
}

/// An import loop of `graph`, as the modules around it (the first again at the end), if there is
/// one.
fn find_loop(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        graph: &Graph,
        module: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut cycle = path[at..].to_vec();
            cycle.push(module.to_owned());
            return Some(cycle);
        }
        if done.contains(module) {
            return None;
        }
        path.push(module.to_owned());
        for to in graph.get(module).into_iter().flat_map(BTreeMap::keys) {
            if let Some(cycle) = visit(graph, to, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(module.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|module| visit(graph, module, &mut Vec::new(), &mut done))
}

/// A loop with the file and line of each of its references.
fn explain(graph: &Graph, cycle: &[String]) -> String {
    cycle
        .windows(2)
        .map(|pair| {
            let (file, line) = &graph[&pair[0]][&pair[1]];
            format!("{} → {} ({}:{line})", pair[0], pair[1], file.display())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_scan_reads_use_lines_paths_and_groups_but_not_comments() {
    let text = "use crate::model::{Annotation, Id};\n\
                use crate::{\n    corpus::{self, CorpusError},\n    edit::Edit,\n    text,\n};\n\
                /// See [`crate::anchor`].\n\
                // crate::review::x\n\
                fn f() { crate::schema::Schema::default(); my_crate::file::x(); }\n";
    let found = crate_paths(text);
    assert_eq!(
        found,
        [
            ("model".to_owned(), 1),
            ("corpus".to_owned(), 2),
            ("edit".to_owned(), 2),
            ("text".to_owned(), 2),
            ("schema".to_owned(), 9),
        ]
    );
    // On the real source: the crate's modules are all seen, and references known to exist are.
    let graph = module_graph();
    for module in ["model", "anchor", "workspace", "recovery", "formats", "cli"] {
        assert!(graph.contains_key(module), "{module} not seen: {graph:?}");
    }
    assert!(graph["workspace"].contains_key("recovery"));
    assert!(graph["anchor"].contains_key("model"));
    assert!(graph["formats"].contains_key("file"));
    assert_eq!(
        find_loop(&Graph::from([
            (
                "a".into(),
                BTreeMap::from([("b".into(), (PathBuf::new(), 1))])
            ),
            (
                "b".into(),
                BTreeMap::from([("a".into(), (PathBuf::new(), 2))])
            ),
        ])),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
}

/// The core (every module but the GUI) has no import loop: model → anchor → model and the like.
/// The GUI is left out: the CLI launches it and it uses the core, which never uses it.
#[test]
fn core_modules_import_no_loop() {
    let graph = without(&module_graph(), &["ui"]);
    if let Some(cycle) = find_loop(&graph) {
        panic!("an import loop in the core:\n{}", explain(&graph, &cycle));
    }
}

/// The core never reaches up into the GUI (only the CLI, which launches it, does).
#[test]
fn the_core_never_imports_the_gui() {
    let graph = module_graph();
    for (from, to) in &graph {
        if from != "cli"
            && let Some((file, line)) = to.get("ui")
        {
            panic!("{from} imports the GUI ({}:{line})", file.display());
        }
    }
}

/// The GUI takes nothing from the CLI: what both need lives in the core.
#[test]
fn the_gui_imports_nothing_from_the_cli() {
    let graph = module_graph();
    if let Some((file, line)) = graph.get("ui").and_then(|to| to.get("cli")) {
        panic!("the GUI imports the CLI ({}:{line})", file.display());
    }
    if let Some(cycle) = find_loop(&graph) {
        panic!("an import loop:\n{}", explain(&graph, &cycle));
    }
}

/// The files of the GUI have no import loop between them (app → panels → app and the like).
#[test]
fn ui_submodules_import_no_loop() {
    let graph = ui_graph();
    if let Some(cycle) = find_loop(&graph) {
        panic!("an import loop in src/ui/:\n{}", explain(&graph, &cycle));
    }
}
