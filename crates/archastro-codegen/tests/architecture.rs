//! The generator library's architecture invariants, read off its own sources (ARCHITECTURE.md
//! names this test):
//!
//! - its top-level modules import each other without a circle;
//! - no generator or the diff walks the normalized documents' `paths` by string keys or by the
//!   normalizer's method list: they read the typed model (`model/`);
//! - no hand-written file is longer than 1,200 lines, test module excluded.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A file's code without its test module (everything from `#[cfg(test)]` on, which is where
/// this crate keeps it).
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("readable source");
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// The top-level module a file belongs to (`client/glue.rs` → `client`).
fn top_module(path: &Path) -> String {
    let rel = path.strip_prefix(src()).expect("under src");
    let first = rel.components().next().expect("non-empty path");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_owned()
}

/// The crate's top-level modules (from `lib.rs`).
fn modules() -> BTreeSet<String> {
    code_of(&src().join("lib.rs"))
        .lines()
        .filter_map(|l| {
            let l = l.trim_start_matches("pub ").trim();
            l.strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned)
        })
        .collect()
}

/// `module → modules it names as crate::X` (in `use` lines and paths), from code outside test
/// modules; text inside generated-code templates names generated crates' modules, never one of
/// ours, so only the crate's own module names count.
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src()) {
        let from = top_module(&file);
        if from == "lib" {
            continue;
        }
        // Doc links (`[`crate::x`]`) are not imports: comment lines are left out.
        let code: String = code_of(&file)
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut named = BTreeSet::new();
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            if rest.starts_with('{') {
                // `use crate::{a::X, b}`: every first segment inside the braces.
                let inner = &rest[1..rest.find('}').unwrap_or(rest.len())];
                for part in inner.split(',') {
                    let part = part.trim();
                    named.insert(part.split("::").next().unwrap_or(part).to_owned());
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                named.insert(name);
            }
        }
        let entry = graph.entry(from.clone()).or_default();
        for m in named {
            if m != from && modules.contains(&m) {
                entry.insert(m);
            }
        }
    }
    graph
}

#[test]
fn top_level_modules_import_each_other_without_a_circle() {
    let graph = import_graph();
    // Depth-first search for a back edge; report the circle it closes.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == m) {
            let mut circle = stack[i..].to_vec();
            circle.push(m.to_owned());
            return Some(circle);
        }
        if done.contains(m) {
            return None;
        }
        stack.push(m.to_owned());
        for next in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, graph, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(m.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        if let Some(circle) = visit(m, &graph, &mut Vec::new(), &mut done) {
            panic!("import circle: {}\ngraph: {graph:#?}", circle.join(" -> "));
        }
    }
    // The test sees imports at all: the generators read the model.
    assert!(graph["server"].contains("model"), "{graph:#?}");
}

#[test]
fn generators_and_the_diff_read_the_model_not_paths_by_string_keys() {
    let mut offenders = Vec::new();
    for file in rust_files(&src()) {
        let top = top_module(&file);
        if !["client", "server", "contract", "diff"].contains(&top.as_str()) {
            continue;
        }
        let code = code_of(&file);
        for needle in ["[\"paths\"]", "get(\"paths\")", "METHODS"] {
            if code.contains(needle) {
                offenders.push(format!("{}: {needle}", file.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

#[test]
fn no_hand_written_file_is_over_1200_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut long = Vec::new();
    for dir in ["crates", "xtask"] {
        for file in rust_files(&root.join(dir)) {
            let lines = code_of(&file).lines().count();
            if lines > 1200 {
                long.push(format!("{}: {lines}", file.display()));
            }
        }
    }
    assert!(long.is_empty(), "{long:#?}");
}
