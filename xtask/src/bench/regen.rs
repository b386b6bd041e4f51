//! Regen next to the peers: regen of every spec (in-process, into a fresh `--out` directory)
//! and, on the same specs, `@archastro/sdk-generator --lang rust` and openapi-generator's
//! `rust` generator (processes, wall time), installed into `target/peers/bench/` when missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use archastro_codegen::regen;
use serde_json::json;

use super::system::{remove_dir, run_quiet, tree_size, which};
use super::timing::{Figure, Timing};
use super::{Bench, KEY_SPEC, SpecCase};

/// Pinned peer versions: a new version is a deliberate change.
const SDK_GENERATOR: &str = "@archastro/sdk-generator@0.11.9";
const OPENAPI_GENERATOR: &str = "openapi-generator-cli==7.26.0";

/// Regen of one spec, and the peers on it.
pub(super) struct RegenRow {
    pub(super) label: String,
    pub(super) operations: usize,
    pub(super) ours: Timing,
    pub(super) output_files: usize,
    pub(super) output_bytes: u64,
    pub(super) sdk_generator: Figure<Timing>,
    pub(super) openapi_generator: Figure<Timing>,
}

impl Bench {
    /// Regen of every spec, and the peers on the same specs (every spec in the full run, the
    /// key spec only in `--quick`).
    pub(super) fn measure_regen(&mut self) -> Result<()> {
        for case in &self.specs {
            eprintln!("bench: regen {}", case.label);
            let out = self.work.join("regen-out");
            let opts = self.options(&case.path, &case.families, &out)?;
            let mut samples = Vec::new();
            for i in 0..=self.fast_runs() {
                remove_dir(&out)?;
                let t = Instant::now();
                regen::regen(&opts).with_context(|| format!("regen of {}", case.label))?;
                if i > 0 {
                    samples.push(t.elapsed().as_secs_f64());
                }
            }
            let (output_files, output_bytes) = tree_size(&out)?;
            // Peers: every spec in the full run; the key spec only in --quick (openapi-generator
            // takes seconds per run).
            let peers_here = !self.quick || case.label == KEY_SPEC;
            let skipped = || Err("not run in --quick (only on the key spec)".to_owned());
            let sdk_generator = if peers_here {
                eprintln!("bench:   sdk-generator");
                self.time_peer(
                    "sdk-generator",
                    case,
                    self.fast_runs(),
                    Self::run_sdk_generator,
                )
            } else {
                skipped()
            };
            let openapi_generator = if peers_here {
                eprintln!("bench:   openapi-generator");
                self.time_peer(
                    "openapi-generator",
                    case,
                    self.runs,
                    Self::run_openapi_generator,
                )
            } else {
                skipped()
            };
            self.regen_rows.push(RegenRow {
                label: case.label.clone(),
                operations: case.operations,
                ours: Timing::of(&samples),
                output_files,
                output_bytes,
                sdk_generator,
                openapi_generator,
            });
        }
        Ok(())
    }

    /// Installs the peers into `target/peers/bench/` when missing; a peer that cannot be
    /// installed gets the reason instead of a figure.
    pub(super) fn install_peers(&mut self) {
        let peers = self.root.join("target/peers/bench");
        let rel = |p: &Path| {
            p.strip_prefix(&self.root)
                .unwrap_or(p)
                .display()
                .to_string()
        };
        let t = Instant::now();
        self.sdk_generator = install_sdk_generator(&peers);
        let note = match &self.sdk_generator {
            Ok(bin) => format!(
                "{SDK_GENERATOR}: {} (npm, `npm install --prefix {}`)",
                rel(bin),
                rel(&peers.join("node"))
            ),
            Err(e) => format!("{SDK_GENERATOR}: unavailable: {e}"),
        };
        self.install_notes.push(note);
        self.openapi_generator = install_openapi_generator(&peers);
        let note = match &self.openapi_generator {
            Ok(jar) => format!(
                "{OPENAPI_GENERATOR}: the jar shipped in the PyPI wheel, {} (venv {}), run as `java -jar` (no download at run time)",
                rel(jar),
                rel(&peers.join("venv"))
            ),
            Err(e) => format!("{OPENAPI_GENERATOR}: unavailable: {e}"),
        };
        self.install_notes.push(note);
        let took = t.elapsed();
        if took > Duration::from_secs(2) {
            self.install_notes.push(format!(
                "peer installation took {:.0} s in this run (not part of any figure)",
                took.as_secs_f64()
            ));
        }
    }

    /// One sdk-generator run on `case` into `out` (its JSON config written once).
    fn run_sdk_generator(&self, case: &SpecCase, out: &Path) -> Figure<()> {
        let bin = self.sdk_generator.as_ref().map_err(Clone::clone)?;
        let config = self
            .work
            .join(format!("sdk-generator-{}.json", case.sdk_version));
        if !config.exists() {
            let text = json!({
                "name": "archastro",
                "version": self.crate_version,
                "baseUrl": "https://platform.archastro.ai",
                "apiBase": "/api",
                "defaultVersion": case.sdk_version,
                "description": "ArchAstro API SDK (bench)",
            });
            std::fs::write(&config, text.to_string()).map_err(|e| e.to_string())?;
        }
        let mut cmd = Command::new(bin);
        cmd.arg("--spec")
            .arg(&case.path)
            .arg("--config")
            .arg(&config)
            .args(["--lang", "rust", "--out"])
            .arg(out);
        run_quiet(&mut cmd)
    }

    /// One openapi-generator run on `case` into `out`.
    fn run_openapi_generator(&self, case: &SpecCase, out: &Path) -> Figure<()> {
        let jar = self.openapi_generator.as_ref().map_err(Clone::clone)?;
        let mut cmd = Command::new("java");
        cmd.arg("-jar")
            .arg(jar)
            .args(["generate", "-g", "rust", "--skip-validate-spec", "-i"])
            .arg(&case.path)
            .arg("-o")
            .arg(out);
        run_quiet(&mut cmd)
    }

    /// Median wall time of a peer process on `case`, after a warm-up run.
    fn time_peer(
        &self,
        name: &str,
        case: &SpecCase,
        runs: usize,
        run: impl Fn(&Self, &SpecCase, &Path) -> Figure<()>,
    ) -> Figure<Timing> {
        let out = self.work.join(format!("{name}-out"));
        let mut samples = Vec::new();
        for i in 0..=runs {
            remove_dir(&out).map_err(|e| e.to_string())?;
            let t = Instant::now();
            run(self, case, &out)?;
            if i > 0 {
                samples.push(t.elapsed().as_secs_f64());
            }
        }
        Ok(Timing::of(&samples))
    }
}

/// `@archastro/sdk-generator` under `target/peers/bench/node`; returns its bin.
fn install_sdk_generator(peers: &Path) -> Figure<PathBuf> {
    if which("npm").is_none() || which("node").is_none() {
        return Err("node and npm are not installed".into());
    }
    crate::peers::install_npm_tool(peers, SDK_GENERATOR, "sdk-generator")
        .map_err(|e| format!("{e:#}"))
}

/// openapi-generator's jar, from the `openapi-generator-cli` wheel in a venv under
/// `target/peers/bench/venv`; returns the jar (run with `java -jar`).
fn install_openapi_generator(peers: &Path) -> Figure<PathBuf> {
    if which("java").is_none() {
        return Err("no Java runtime (openapi-generator needs Java 11 or newer)".into());
    }
    if which("python3").is_none() {
        return Err("python3 is not installed".into());
    }
    crate::peers::install_python_tool(peers, OPENAPI_GENERATOR, "openapi-generator-cli")
        .map_err(|e| format!("{e:#}"))?;
    let venv = peers.join("venv");
    let lib = venv.join("lib");
    let jar = std::fs::read_dir(&lib)
        .map_err(|e| format!("{}: {e}", lib.display()))?
        .filter_map(|e| e.ok())
        .map(|e| {
            e.path()
                .join("site-packages/openapi_generator_cli/openapi-generator.jar")
        })
        .find(|p| p.exists())
        .ok_or_else(|| {
            format!(
                "the {OPENAPI_GENERATOR} wheel in {} ships no openapi-generator.jar",
                venv.display()
            )
        })?;
    Ok(jar)
}
