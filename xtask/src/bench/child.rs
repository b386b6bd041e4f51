//! The measuring child: this binary again, run by the bench (selected by [`CHILD_ENV`]) so
//! that one regen's peak RSS is its own: `regen` (one regen, then its peak RSS) or `phases`
//! (one regen, phase by phase).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use archastro_codegen::regen;
use serde_json::{Value, json};

use super::phases::Phases;
use super::regen_options;
use super::system::tail;

/// Set (with [`CHILD_SPEC_ENV`], [`CHILD_FAMILIES_ENV`], [`CHILD_OUT_ENV`]) when this binary
/// runs as the bench's measuring child: its job, `regen` or `phases`.
pub(super) const CHILD_ENV: &str = "ARCHASTRO_BENCH_CHILD";
const CHILD_SPEC_ENV: &str = "ARCHASTRO_BENCH_SPEC";
const CHILD_FAMILIES_ENV: &str = "ARCHASTRO_BENCH_FAMILIES";
const CHILD_OUT_ENV: &str = "ARCHASTRO_BENCH_OUT";
/// The child's result line on stdout starts with this.
const CHILD_MARK: &str = "bench-child-result: ";

/// Runs the child's `job` and prints its result line.
pub(super) fn child(root: &Path, job: &str) -> Result<()> {
    let var = |name: &str| std::env::var(name).with_context(|| format!("{name} is not set"));
    let spec = var(CHILD_SPEC_ENV)?;
    let families = PathBuf::from(var(CHILD_FAMILIES_ENV)?);
    let out = PathBuf::from(var(CHILD_OUT_ENV)?);
    let opts = regen_options(root, &spec, &families, &out)?;
    let result = match job {
        "regen" => {
            let start = Instant::now();
            regen::regen(&opts)?;
            let seconds = start.elapsed().as_secs_f64();
            json!({"seconds": seconds, "peak_rss_kib": peak_rss_kib()})
        }
        "phases" => {
            let phases = Phases::measure(&opts)?;
            let mut v = phases.to_json();
            v["peak_rss_kib"] = json!(peak_rss_kib());
            v
        }
        other => bail!("{CHILD_ENV}={other}: expected `regen` or `phases`"),
    };
    println!("{CHILD_MARK}{result}");
    Ok(())
}

/// The process's peak resident set (VmHWM), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Runs this binary as a measuring child and returns its result line.
pub(super) fn run_child(
    root: &Path,
    job: &str,
    spec: &Path,
    families: &Path,
    out: &Path,
) -> Result<(Value, f64)> {
    let exe = std::env::current_exe().context("locating the running xtask")?;
    let start = Instant::now();
    let output = Command::new(&exe)
        .current_dir(root)
        .arg("bench")
        .env(CHILD_ENV, job)
        .env(CHILD_SPEC_ENV, spec)
        .env(CHILD_FAMILIES_ENV, families)
        .env(CHILD_OUT_ENV, out)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", exe.display()))?;
    let wall = start.elapsed().as_secs_f64();
    if !output.status.success() {
        bail!(
            "the measuring child ({job} {}) failed: {}",
            spec.display(),
            tail(&output.stderr, 5)
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(CHILD_MARK))
        .context("the measuring child printed no result")?;
    Ok((serde_json::from_str(line)?, wall))
}
