//! The peers: `@archastro/sdk-generator --lang rust` and openapi-generator's `rust` generator,
//! installed into `target/peers/bench/` when missing, and one run of each on a spec.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;

use super::system::{run_quiet, which};
use super::timing::Figure;
use super::{Bench, SpecCase};

/// Pinned peer versions: a new version is a deliberate change.
const SDK_GENERATOR: &str = "@archastro/sdk-generator@0.11.9";
const OPENAPI_GENERATOR: &str = "openapi-generator-cli==7.26.0";

impl Bench {
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
    pub(super) fn run_sdk_generator(&self, case: &SpecCase, out: &Path) -> Figure<()> {
        let bin = self.sdk_generator.as_ref().map_err(Clone::clone)?;
        let config = self.sdk_generator_config(case)?;
        let mut cmd = Command::new(bin);
        cmd.arg("--spec")
            .arg(&case.path)
            .arg("--config")
            .arg(&config)
            .args(["--lang", "rust", "--out"])
            .arg(out);
        run_quiet(&mut cmd)
    }

    /// sdk-generator's JSON config for `case`, written once per API version.
    pub(super) fn sdk_generator_config(&self, case: &SpecCase) -> Figure<PathBuf> {
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
        Ok(config)
    }

    /// One openapi-generator run on `case` into `out`.
    pub(super) fn run_openapi_generator(&self, case: &SpecCase, out: &Path) -> Figure<()> {
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
