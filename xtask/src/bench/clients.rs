//! The generated client: its line count and crate-only dev build time (the repository's
//! client here; the vendor's spec's client in [`super::vendor`]); and its overhead, requests
//! per second through it vs raw reqwest (`crates/archastro-client-bench`). [`CrateBuild`] is
//! the crate-only build both use.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::Result;
use archastro_codegen::client;
use serde_json::Value;

use super::Bench;
use super::system::{count_lines, run_quiet, run_stdout};
use super::timing::{Figure, Timing};

/// One crate's line count and crate-only builds.
pub(super) struct ClientRow {
    pub(super) name: String,
    pub(super) lines: Figure<usize>,
    /// The time of the first build, when it built the dependencies too (once per target
    /// directory).
    pub(super) dependencies_built: Option<f64>,
    pub(super) build: Figure<Timing>,
}

/// The crate-only dev build of one crate, in its own target directory: `cargo clean -p` throws
/// away the crate's own artifacts (its dependencies stay built), then `cargo build` compiles
/// the crate alone, with `CARGO_INCREMENTAL=0` so that it really compiles. Cleaning rather
/// than touching a source file leaves the crate's folder as it is (the vendor's is read-only).
pub(super) struct CrateBuild {
    manifest: PathBuf,
    package: String,
    target_dir: PathBuf,
    /// `--locked`: the crate's `Cargo.lock` must not change (a crate that is not ours).
    locked: bool,
    samples: Vec<f64>,
    failed: Option<String>,
    row: ClientRow,
}

impl CrateBuild {
    /// Counts the lines of `crate_dir/src/**/*.rs`, then builds package `package` in
    /// `target_dir` once, after cleaning it. When cargo found every dependency already built,
    /// that build was crate-only and is the first sample; otherwise it built the dependencies
    /// too (the first time), and its time is `dependencies_built`.
    pub(super) fn first(
        name: &str,
        crate_dir: &Path,
        package: &str,
        target_dir: &Path,
        locked: bool,
    ) -> CrateBuild {
        eprintln!("bench: crate-only build of {name}");
        let mut build = CrateBuild {
            manifest: crate_dir.join("Cargo.toml"),
            package: package.to_owned(),
            target_dir: target_dir.to_owned(),
            locked,
            samples: Vec::new(),
            failed: None,
            row: ClientRow {
                name: name.to_owned(),
                lines: count_lines(&crate_dir.join("src")).map_err(|e| format!("{e:#}")),
                dependencies_built: None,
                build: Err("not built".into()),
            },
        };
        let mut cmd = build.cargo("build");
        cmd.arg("--message-format=json-render-diagnostics");
        match build.timed(&mut cmd) {
            Err(e) => build.failed = Some(format!("the first build failed: {e}")),
            Ok((seconds, stdout)) if built_dependencies(&stdout, &build.manifest) => {
                build.row.dependencies_built = Some(seconds);
            }
            Ok((seconds, _)) => build.samples.push(seconds),
        }
        build
    }

    /// One more crate-only build, while there are fewer than `runs` samples; after a
    /// failure, nothing.
    pub(super) fn up_to(&mut self, runs: usize) {
        if self.failed.is_some() || self.samples.len() >= runs {
            return;
        }
        eprintln!("bench:   {}", self.row.name);
        match self.timed(&mut self.cargo("build")) {
            Ok((seconds, _)) => self.samples.push(seconds),
            Err(e) => self.failed = Some(e),
        }
    }

    /// The row: lines, the first build if it built the dependencies, the median of the
    /// crate-only builds.
    pub(super) fn finish(mut self) -> ClientRow {
        self.row.build = match self.failed {
            Some(reason) => Err(reason),
            None if self.samples.is_empty() => Err("no crate-only build".into()),
            None => Ok(Timing::of(&self.samples)),
        };
        self.row
    }

    /// `cargo clean -p` the crate, then `cmd` (a build), timed; its stdout.
    fn timed(&self, cmd: &mut Command) -> Figure<(f64, Vec<u8>)> {
        run_quiet(self.cargo("clean").arg("-p").arg(&self.package))?;
        let t = Instant::now();
        let stdout = run_stdout(cmd)?;
        Ok((t.elapsed().as_secs_f64(), stdout))
    }

    /// `cargo SUBCOMMAND --quiet --manifest-path …` in the crate's target directory.
    fn cargo(&self, subcommand: &str) -> Command {
        let mut cmd = crate::cargo_command();
        cmd.env("CARGO_TARGET_DIR", &self.target_dir)
            .env("CARGO_INCREMENTAL", "0")
            .args([subcommand, "--quiet", "--manifest-path"])
            .arg(&self.manifest);
        if self.locked {
            cmd.arg("--locked");
        }
        cmd
    }
}

/// Whether a build, from its JSON messages, compiled any package but the one of `manifest`.
fn built_dependencies(stdout: &[u8], manifest: &Path) -> bool {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
    let ours = canonical(manifest);
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["fresh"] == false)
        .any(|m| {
            m["manifest_path"]
                .as_str()
                .is_none_or(|p| canonical(Path::new(p)) != ours)
        })
}

impl Bench {
    /// The crate-only dev build of the repository's client.
    pub(super) fn measure_clients(&mut self) -> Result<()> {
        let mut build = CrateBuild::first(
            "generated/archastro-client",
            &self.root.join(client::CLIENT_DIR),
            "archastro-client",
            &self.bench_dir.join("client-target"),
            false,
        );
        for _ in 0..self.build_runs() {
            build.up_to(self.build_runs());
        }
        self.clients.push(build.finish());
        Ok(())
    }

    /// Requests per second through the generated client vs raw reqwest decoding the same type,
    /// against one local server (`crates/archastro-client-bench`, built in release mode; xtask
    /// does not depend on the generated crate).
    pub(super) fn measure_client_overhead(&mut self) {
        let seconds = if self.quick { "1.5" } else { "3" };
        eprintln!("bench: client overhead (archastro-client-bench, {seconds} s)");
        let output = crate::cargo_command()
            .current_dir(&self.root)
            .args([
                "run",
                "--release",
                "--quiet",
                "-p",
                "archastro-client-bench",
                "--",
                seconds,
                "16",
            ])
            .stderr(Stdio::inherit())
            .output();
        self.client_overhead = match output {
            Err(e) => Err(format!("cargo run -p archastro-client-bench: {e}")),
            Ok(o) if !o.status.success() => {
                Err(format!("archastro-client-bench failed ({})", o.status))
            }
            Ok(o) => String::from_utf8_lossy(&o.stdout)
                .lines()
                .rev()
                .find_map(|l| serde_json::from_str::<Value>(l).ok())
                .filter(|v| v["ratio"].is_number())
                .ok_or_else(|| "archastro-client-bench printed no figures".to_owned()),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One `compiler-artifact` message of cargo's JSON output.
    fn artifact(manifest: &str, fresh: bool) -> String {
        format!(r#"{{"reason":"compiler-artifact","manifest_path":"{manifest}","fresh":{fresh}}}"#)
    }

    fn built(messages: &[String]) -> bool {
        let stdout = format!(
            "{}\n{{\"reason\":\"build-finished\",\"success\":true}}\n",
            messages.join("\n")
        );
        built_dependencies(stdout.as_bytes(), Path::new("/bench/ours/Cargo.toml"))
    }

    #[test]
    fn a_dependency_compiled_means_the_dependencies_were_built() {
        assert!(built(&[
            artifact("/registry/serde/Cargo.toml", false),
            artifact("/bench/ours/Cargo.toml", false)
        ]));
    }

    #[test]
    fn only_the_crate_compiled_means_a_crate_only_build() {
        assert!(!built(&[
            artifact("/registry/serde/Cargo.toml", true),
            artifact("/bench/ours/Cargo.toml", false)
        ]));
        assert!(!built(&[]));
    }
}
