//! GitHub's REST spec (npm `@octokit/openapi`, installed into `target/peers/` when missing):
//! ours (this binary's `regen`, every path in one catch-all family, as the corpus runs a spec)
//! and `@archastro/sdk-generator` on the same file, each a process taken in turns: wall time
//! (median) and peak RSS (the largest of the runs, each the process's own `VmHWM`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::system::{remove_dir, tail};
use super::timing::{Figure, Timing};
use super::{Bench, SpecCase};

/// The pinned package and the spec in it (api.github.com, bundled, OpenAPI 3.0.3).
const PACKAGE: &str = "@octokit/openapi@23.0.2";
const SPEC: &str = "node_modules/@octokit/openapi/generated/api.github.com.json";

/// The families file of the run: one family holding every path.
const CATCH_ALL_FAMILIES: &str =
    "# Every path of GitHub's REST spec in one family (`cargo xtask bench`).
name_prefixes = []

[[family]]
name = \"api\"
title = \"API\"
paths = [\"/**\"]
";

/// One process's figures on the spec.
#[derive(Debug, Clone)]
pub(super) struct ProcessFigures {
    pub(super) timing: Timing,
    pub(super) peak_mib: f64,
}

impl ProcessFigures {
    fn to_json(&self) -> Value {
        let mut v = self.timing.to_json();
        v["peak_rss_mib"] = json!(self.peak_mib);
        v
    }
}

/// The figures of GitHub's REST spec.
#[derive(Debug, Clone)]
pub(super) struct GithubRow {
    pub(super) package: &'static str,
    pub(super) operations: usize,
    pub(super) megabytes: f64,
    pub(super) ours: Figure<ProcessFigures>,
    pub(super) sdk_generator: Figure<ProcessFigures>,
}

impl GithubRow {
    pub(super) fn to_json(&self) -> Value {
        let side = |f: &Figure<ProcessFigures>| match f {
            Ok(p) => p.to_json(),
            Err(reason) => json!({"reason": reason}),
        };
        json!({
            "package": self.package,
            "operations": self.operations,
            "spec_mb": self.megabytes,
            "ours": side(&self.ours),
            "sdk_generator": side(&self.sdk_generator),
        })
    }

    /// The section of the Markdown report.
    pub(super) fn markdown(&self) -> String {
        let cell = |f: &Figure<ProcessFigures>| match f {
            Ok(p) => format!("{:.0} | {:.0}", p.timing.median * 1000.0, p.peak_mib),
            Err(reason) => format!("n/a ({reason}) | n/a"),
        };
        format!(
            "### GitHub's REST spec ({}: api.github.com.json, {} operations, {:.1} MB)\n\n\
             | generator | ms (median) | peak RSS MiB |\n|---|---:|---:|\n\
             | ours (`xtask regen`, one catch-all family) | {} |\n\
             | @archastro/sdk-generator | {} |\n\n\
             Each a process, taken in turns after a warm-up turn; peak RSS is the largest of the runs.\n\n",
            self.package,
            self.operations,
            self.megabytes,
            cell(&self.ours),
            cell(&self.sdk_generator),
        )
    }
}

impl Bench {
    /// Installs the spec when missing and measures ours and sdk-generator on it, in turns.
    pub(super) fn measure_github(&mut self) -> anyhow::Result<()> {
        let target = crate::target_dir(&self.root);
        let prefix = crate::peers::install_npm_package(&target.join("peers"), PACKAGE)?;
        let families = self.work.join("github-families.toml");
        std::fs::write(&families, CATCH_ALL_FAMILIES)?;
        let case = super::spec_case("api.github.com.json", prefix.join(SPEC), families, "v3")?;
        let megabytes = std::fs::metadata(&case.path)?.len() as f64 / 1e6;
        eprintln!(
            "bench: GitHub's REST spec ({} operations), ours and sdk-generator in turns",
            case.operations
        );
        let exe = std::env::current_exe()?;
        let out = self.work.join("github-out");
        let (mut ours, mut sdk) = (Samples::default(), Samples::default());
        for turn in 0..=self.runs {
            let measured = turn > 0;
            ours.take(
                &out,
                measured,
                |out| Ok(self.ours_command(&exe, &case, out)),
            );
            sdk.take(&out, measured, |out| self.sdk_generator_command(&case, out));
        }
        remove_dir(&out)?;
        self.github = Some(GithubRow {
            package: PACKAGE,
            operations: case.operations,
            megabytes,
            ours: ours.figures(),
            sdk_generator: sdk.figures(),
        });
        Ok(())
    }

    fn sdk_generator_command(&self, case: &SpecCase, out: &Path) -> Figure<Command> {
        let bin: &PathBuf = self.sdk_generator.as_ref().map_err(Clone::clone)?;
        let config = self.sdk_generator_config(case)?;
        let mut cmd = Command::new(bin);
        cmd.arg("--spec")
            .arg(&case.path)
            .arg("--config")
            .arg(config)
            .args(["--lang", "rust", "--out"])
            .arg(out);
        Ok(cmd)
    }
}

/// One process's samples, or why it stopped.
#[derive(Default)]
struct Samples {
    seconds: Vec<f64>,
    peak_mib: f64,
    failed: Option<String>,
}

impl Samples {
    /// Runs the command `command` makes into the fresh directory `out`; keeps its figures when
    /// `measured`. After a failure the process is not run again.
    fn take(&mut self, out: &Path, measured: bool, command: impl FnOnce(&Path) -> Figure<Command>) {
        if self.failed.is_some() {
            return;
        }
        let result = remove_dir(out)
            .map_err(|e| format!("{e:#}"))
            .and_then(|()| command(out))
            .and_then(|mut cmd| run_measured(&mut cmd));
        match result {
            Ok((seconds, peak_mib)) if measured => {
                self.seconds.push(seconds);
                self.peak_mib = self.peak_mib.max(peak_mib);
            }
            Ok(_) => {}
            Err(e) => self.failed = Some(e),
        }
    }

    fn figures(self) -> Figure<ProcessFigures> {
        match self.failed {
            Some(reason) => Err(reason),
            None => Ok(ProcessFigures {
                timing: Timing::of(&self.seconds),
                peak_mib: self.peak_mib,
            }),
        }
    }
}

/// Runs `cmd` (its output discarded, but the end of its stderr on failure) and returns its
/// wall time in seconds and its peak RSS in MiB: the process's own high-water mark (`VmHWM`
/// of `/proc/<pid>/status`), read every few milliseconds until it exits. `wait4`'s `ru_maxrss`
/// would not do: Linux counts in it the parent's resident set at the fork, the bench's own.
fn run_measured(cmd: &mut Command) -> Figure<(f64, f64)> {
    const POLL: Duration = Duration::from_millis(3);
    let stderr = tempfile_path();
    let file = std::fs::File::create(&stderr).map_err(|e| e.to_string())?;
    let start = Instant::now();
    // `spawn` returns once the child has executed the program: its memory is its own.
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(file)
        .spawn()
        .map_err(|e| format!("starting {:?}: {e}", cmd.get_program()))?;
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0u64;
    let status = loop {
        if let Some(kib) = std::fs::read_to_string(&status_file)
            .ok()
            .as_deref()
            .and_then(high_water_kib)
        {
            peak_kib = peak_kib.max(kib);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(POLL),
            Err(e) => return Err(format!("waiting for {:?}: {e}", cmd.get_program())),
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    let text = std::fs::read(&stderr).unwrap_or_default();
    let _ = std::fs::remove_file(&stderr);
    if !status.success() {
        return Err(format!("exited with {status}: {}", tail(&text, 4)));
    }
    Ok((seconds, peak_kib as f64 / 1024.0))
}

/// `VmHWM` of a `/proc/<pid>/status` text, in KiB.
fn high_water_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// A file for a child's stderr, unique to this process.
fn tempfile_path() -> PathBuf {
    std::env::temp_dir().join(format!("xtask-bench-stderr-{}", std::process::id()))
}
