//! Helpers shared by the workspace's integration tests: where the repository and `../shared`
//! are, and one function per kind of data-driven test so each test is one line.

use std::path::{Path, PathBuf};

use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::{load, normalize};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_owned()
}

/// `../shared` beside the checkout; the tests that read the real specs need it.
pub fn shared_dir() -> PathBuf {
    let dir = workspace_root().join("../shared");
    assert!(
        dir.join("specs/archastro").is_dir(),
        "{} is missing: clone the repository with ../shared beside it",
        dir.display()
    );
    dir
}

/// The real platform specs, sorted by date.
pub fn platform_specs() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(shared_dir().join("specs/archastro"))
        .expect("readable specs folder")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    specs.sort();
    specs
}

/// Normalizes `spec` with `families` and renders everything a reviewer wants to see: the
/// error, or every rule application followed by each family document.
pub fn render_normalization(spec: &Path, families: &Path, origin: &str) -> String {
    // Name the families file relative to the workspace, so snapshots do not depend on where
    // the repository is checked out.
    let text = std::fs::read_to_string(families).expect("families file is readable");
    let families_origin = families.strip_prefix(workspace_root()).unwrap_or(families).display().to_string();
    let config = match FamiliesConfig::parse(&families_origin, &text) {
        Ok(c) => c,
        Err(e) => return format!("error: {e}\n"),
    };
    let bytes = std::fs::read(spec).expect("fixture is readable");
    let result = load::parse_document(origin, &bytes).and_then(|doc| normalize::normalize(&doc, &config));
    match result {
        Err(e) => format!("error: {e}\n"),
        Ok(n) => {
            let mut out = String::from("== report ==\n");
            out.push_str(&n.report.verbose());
            for (name, doc) in &n.families {
                out.push_str(&format!("== {name}.json ==\n"));
                out.push_str(&serde_json::to_string_pretty(doc).expect("serializable"));
                out.push('\n');
            }
            out
        }
    }
}

/// Snapshot of a fixture under `tests/fixtures/normalize/`, with that folder's
/// `families.toml` unless the fixture has its own `<name>.families.toml`.
pub fn normalize_fixture(name: &str) -> String {
    let dir = workspace_root().join("tests/fixtures/normalize");
    let own = dir.join(format!("{}.families.toml", name.split('.').next().unwrap_or(name)));
    let families = if own.exists() { own } else { dir.join("families.toml") };
    render_normalization(&dir.join(name), &families, &format!("tests/fixtures/normalize/{name}"))
}
