//! `cargo xtask bench [--quick]`: how fast regen is, next to the peers, in one run on one
//! machine. Writes `target/bench/summary.json` and prints a Markdown table.
//!
//! What it measures (see docs/bench.md for the figures), one module each:
//! - [`regen`]: regen in-process (load, normalize, generate, format, write into a fresh
//!   `--out` directory) of `spec/openapi.json` and every real platform spec, median of
//!   several runs after a warm-up; its time per operation, and the names of the shared types
//!   it wrote;
//! - [`turns`]: regen as a process (this binary's `regen`) next to `@archastro/sdk-generator
//!   --lang rust` and openapi-generator's `rust` generator ([`peers`], installed into
//!   `target/peers/bench/` when missing), taken in turns run by run;
//! - [`floor`]: read the spec, parse it as an OpenAPI document (openapiv3's model, what a
//!   generator reads), write the same files (same bytes); regen as a multiple; also the
//!   strict floor, which parses the spec as JSON only, and `regen --check`;
//! - [`phases`]: where regen's time goes on the key spec, phase by phase and part by part, as
//!   regen's own pipeline reports it (`regen::Pipeline` with an observer);
//! - [`scaling`]: deterministic synthetic specs ([`synthetic`]) of 100 to 10 000 operations,
//!   each regenerated in a child process ([`child`]: this binary again) for its peak RSS;
//! - [`clients`]: the repository's generated client, its line count and crate-only dev build
//!   time, and requests per second through it vs raw reqwest against one local server
//!   (`crates/archastro-client-bench`); [`vendor`]: the client of the vendor's spec next to
//!   the vendor's own crate, lines and crate-only builds side by side;
//! - [`diff`]: the API diff of the two largest real specs;
//! - [`github`]: GitHub's REST spec, ours and sdk-generator as processes: time and peak RSS
//!   (alone with `--only github`).
//!
//! [`targets`] judges the figures; [`report`] writes the summary and [`markdown`] the tables;
//! [`timing`] and [`system`] are their helpers. The measuring code must run optimized: a debug
//! build of xtask builds `--release` and runs the release binary with the same arguments.

mod child;
mod clients;
mod diff;
mod floor;
mod github;
mod markdown;
mod peers;
mod phases;
mod regen;
mod report;
mod scaling;
mod synthetic;
mod system;
mod targets;
mod timing;
mod turns;
mod vendor;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use archastro_codegen::load;
use archastro_codegen::model;
use archastro_codegen::output::Mode;
use archastro_codegen::regen::RegenOptions;
use archastro_codegen::release;
use serde_json::Value;

use clients::ClientRow;
use floor::FloorRow;
use phases::Phases;
use regen::RegenRow;
use scaling::ScalingRow;
use system::{load_average, remove_dir};
use timing::{Figure, Timing};

/// The platform spec the headline figures are taken on (the largest shared one).
const KEY_SPEC: &str = "platform-openapi-2026-09-24.json";
/// The earlier key spec, still reported: the peers run on it too, and the time per operation
/// of the key spec is compared with its own.
const BASELINE_SPEC: &str = "platform-openapi-2026-06-11.json";
/// The spec the vendor's own Rust crate was generated from, and the crate.
const VENDOR_SPEC: &str = "platform-openapi-2026-08-18.json";
const VENDOR_CRATE: &str = "../shared/peers/archastro-rust";
/// Where the real platform specs are, relative to the workspace: older snapshots, then current.
const PLATFORM_SPEC_DIRS: [&str; 2] = [
    "../shared/specs/archastro",
    "../shared/specs/archastro-current",
];

/// A part of the bench that runs alone (`--only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    /// GitHub's REST spec, ours and sdk-generator.
    Github,
}

/// Runs the bench, or only `only` (or, in the measuring child, its job).
pub fn run(root: &Path, quick: bool, only: Option<Part>) -> Result<()> {
    if let Ok(job) = std::env::var(child::CHILD_ENV) {
        return child::child(root, &job);
    }
    if cfg!(debug_assertions) {
        return rerun_in_release(root, quick, only);
    }
    let started = Instant::now();
    let mut bench = Bench::new(root, quick)?;
    if only == Some(Part::Github) {
        bench.install_peers();
        bench.measure_github()?;
        return bench.finish_github();
    }
    bench.load_at_start = load_average();
    bench.measure_all()?;
    bench.finish(started.elapsed())
}

/// Builds xtask in release mode and runs `xtask bench` from there.
fn rerun_in_release(root: &Path, quick: bool, only: Option<Part>) -> Result<()> {
    eprintln!("bench: building xtask in release mode (the measuring code must be optimized)");
    let status = crate::cargo_command()
        .current_dir(root)
        .args(["build", "--release", "--quiet", "-p", "xtask"])
        .status()
        .context("running cargo build --release -p xtask")?;
    if !status.success() {
        bail!("cargo build --release -p xtask failed ({status})");
    }
    let exe = crate::target_dir(root).join("release").join("xtask");
    let mut cmd = Command::new(&exe);
    cmd.current_dir(root).arg("bench");
    if quick {
        cmd.arg("--quick");
    }
    if only == Some(Part::Github) {
        cmd.args(["--only", "github"]);
    }
    let status = cmd
        .status()
        .with_context(|| format!("running {}", exe.display()))?;
    if !status.success() {
        bail!("{} bench failed ({status})", exe.display());
    }
    Ok(())
}

/// One spec the bench regenerates.
struct SpecCase {
    /// How the tables name it.
    label: String,
    path: PathBuf,
    families: PathBuf,
    operations: usize,
    /// `apiBase` and `defaultVersion` for sdk-generator's config.
    sdk_version: &'static str,
}

/// The bench's settings and, as they are measured, its figures.
struct Bench {
    root: PathBuf,
    quick: bool,
    /// Measured runs per figure (after one warm-up); the figures that take well under a
    /// second (ours, the floor, `regen --check`, sdk-generator) get [`Bench::fast_runs`].
    runs: usize,
    bench_dir: PathBuf,
    work: PathBuf,
    crate_version: String,
    specs: Vec<SpecCase>,
    sdk_generator: Figure<PathBuf>,
    openapi_generator: Figure<PathBuf>,
    install_notes: Vec<String>,
    regen_rows: Vec<RegenRow>,
    floor: Option<FloorRow>,
    key_peak_mib: Option<f64>,
    phases: Option<Phases>,
    scaling: Vec<ScalingRow>,
    scaling_phases: Option<(usize, Phases, Option<f64>)>,
    clients: Vec<ClientRow>,
    /// The client of [`VENDOR_SPEC`], then the vendor's crate.
    vendor: Option<(ClientRow, ClientRow)>,
    /// What `archastro-client-bench` printed: requests per second through the generated client
    /// and through raw reqwest, and their ratio.
    client_overhead: Figure<Value>,
    diff: Figure<(Timing, usize, String)>,
    github: Option<github::GithubRow>,
    load_at_start: Option<f64>,
}

impl Bench {
    fn new(root: &Path, quick: bool) -> Result<Bench> {
        let bench_dir = root.join("target/bench");
        let work = bench_dir.join("work");
        remove_dir(&work)?;
        std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
        let crate_version = release::read_version(&root.join("spec/release.toml"))?;
        let mut specs = vec![spec_case(
            "spec/openapi.json",
            root.join("spec/openapi.json"),
            root.join("spec/families.toml"),
            "v2",
        )?];
        for path in platform_specs(root)? {
            let label = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            specs.push(spec_case(
                &label,
                path,
                root.join("spec/families-platform-v1.toml"),
                "v1",
            )?);
        }
        for needed in [KEY_SPEC, BASELINE_SPEC, VENDOR_SPEC] {
            if !specs.iter().any(|s| s.label == needed) {
                bail!(
                    "{needed} is missing from {}",
                    PLATFORM_SPEC_DIRS.join(" and ")
                );
            }
        }
        Ok(Bench {
            root: root.to_owned(),
            quick,
            runs: if quick { 3 } else { 5 },
            bench_dir,
            work,
            crate_version,
            specs,
            sdk_generator: Err("not installed yet".into()),
            openapi_generator: Err("not installed yet".into()),
            install_notes: Vec::new(),
            regen_rows: Vec::new(),
            floor: None,
            key_peak_mib: None,
            phases: None,
            scaling: Vec::new(),
            scaling_phases: None,
            clients: Vec::new(),
            vendor: None,
            client_overhead: Err("not measured".into()),
            diff: Err("not measured".into()),
            github: None,
            load_at_start: None,
        })
    }

    fn measure_all(&mut self) -> Result<()> {
        self.install_peers();
        self.measure_regen()?;
        self.measure_turns()?;
        self.measure_floor()?;
        self.measure_phases()?;
        self.measure_scaling()?;
        self.measure_diff();
        self.measure_github()?;
        self.measure_clients()?;
        self.measure_vendor()?;
        self.measure_client_overhead();
        Ok(())
    }

    /// Regen options for `spec` into `out` (standalone, write mode).
    fn options(&self, spec: &Path, families: &Path, out: &Path) -> Result<RegenOptions> {
        let mut opts = regen_options(&self.root, &spec.display().to_string(), families, out)?;
        opts.crate_version.clone_from(&self.crate_version);
        Ok(opts)
    }

    /// Runs per median for the figures that take well under a second: three times as many
    /// (cheap, and their run-to-run spread is otherwise as large as the gaps they measure).
    fn fast_runs(&self) -> usize {
        self.runs * 3
    }

    /// Runs per median of openapi-generator (seconds per run): [`Bench::runs`], or 1 in
    /// `--quick`.
    fn slow_runs(&self) -> usize {
        if self.quick { 1 } else { self.runs }
    }

    /// Crate-only builds per median: 3, or 1 in `--quick`.
    fn build_runs(&self) -> usize {
        if self.quick { 1 } else { 3 }
    }

    /// The spec labelled `label` ([`KEY_SPEC`], [`BASELINE_SPEC`] or [`VENDOR_SPEC`]).
    fn case(&self, label: &str) -> &SpecCase {
        self.specs
            .iter()
            .find(|s| s.label == label)
            .expect("checked in new")
    }

    /// Whether the peers run on `case`: every spec in the full run; in `--quick`, the key spec
    /// and the baseline spec (openapi-generator takes seconds per run).
    fn peers_on(&self, case: &SpecCase) -> bool {
        !self.quick || case.label == KEY_SPEC || case.label == BASELINE_SPEC
    }
}

/// Every real platform spec (`platform-openapi-*.json`) of [`PLATFORM_SPEC_DIRS`], each
/// folder sorted by name.
fn platform_specs(root: &Path) -> Result<Vec<PathBuf>> {
    let mut all = Vec::new();
    for dir in PLATFORM_SPEC_DIRS {
        let dir = root.join(dir);
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .with_context(|| format!("reading {} (real platform specs)", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("platform-openapi-") && n.ends_with(".json"))
            })
            .collect();
        found.sort();
        all.extend(found);
    }
    Ok(all)
}

/// Regen options for `spec` into the standalone directory `out`, in write mode, no stamp.
fn regen_options(root: &Path, spec: &str, families: &Path, out: &Path) -> Result<RegenOptions> {
    Ok(RegenOptions {
        spec: spec.to_owned(),
        families: families.to_owned(),
        out: out.to_owned(),
        standalone: true,
        support_crate: root.join("crates/archastro-client-support"),
        client_examples: None,
        crate_version: release::read_version(&root.join("spec/release.toml"))?,
        mode: Mode::Write,
        stamp: None,
    })
}

/// A spec to regenerate, with its operation count.
fn spec_case(
    label: &str,
    path: PathBuf,
    families: PathBuf,
    sdk_version: &'static str,
) -> Result<SpecCase> {
    let doc = load::load_file(&path)?;
    let operations = model::operation_count(&doc.root);
    Ok(SpecCase {
        label: label.to_owned(),
        path,
        families,
        operations,
        sdk_version,
    })
}
