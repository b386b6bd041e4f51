//! The generated client: its line count and crate-only dev build time, for the repository's
//! client and for the client of the key spec; and its overhead, requests per second through it
//! vs raw reqwest (`crates/archastro-client-bench`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::Result;
use archastro_codegen::client;
use archastro_codegen::regen;
use serde_json::Value;

use super::system::{count_lines, run_quiet, touch};
use super::timing::{Figure, Timing};
use super::{Bench, KEY_SPEC};

/// One generated client crate.
pub(super) struct ClientRow {
    pub(super) name: String,
    pub(super) lines: Figure<usize>,
    pub(super) warm_seconds: Figure<f64>,
    pub(super) build: Figure<Timing>,
}

impl Bench {
    /// The crate-only dev build of the repository's client and of the key spec's client.
    pub(super) fn measure_clients(&mut self) -> Result<()> {
        let build_runs = if self.quick { 1 } else { 3 };
        eprintln!("bench: crate-only build of generated/archastro-client");
        let crate_dir = self.root.join(client::CLIENT_DIR);
        let mut cmd = crate::cargo_command();
        cmd.current_dir(&self.root)
            .env("CARGO_TARGET_DIR", self.bench_dir.join("client-target"))
            .env("CARGO_INCREMENTAL", "0")
            .args(["build", "--quiet", "-p", "archastro-client"]);
        let row = client_build("generated/archastro-client", &crate_dir, cmd, build_runs);
        self.clients.push(row);

        eprintln!("bench: crate-only build of the {KEY_SPEC} client");
        let case = self.key_case();
        let (spec, families) = (case.path.clone(), case.families.clone());
        let out = self.bench_dir.join("platform-client");
        // Write mode over the previous output only touches what changed, so the warm build
        // below stays warm from one bench run to the next.
        regen::regen(&self.options(&spec, &families, &out)?)?;
        let crate_dir = out.join(client::CLIENT_DIR);
        let mut cmd = crate::cargo_command();
        cmd.current_dir(&out)
            .env("CARGO_TARGET_DIR", self.bench_dir.join("platform-target"))
            .env("CARGO_INCREMENTAL", "0")
            .args(["build", "--quiet", "--manifest-path"])
            .arg(crate_dir.join("Cargo.toml"));
        let row = client_build(
            &format!("{KEY_SPEC} client (target/bench/platform-client)"),
            &crate_dir,
            cmd,
            build_runs,
        );
        self.clients.push(row);
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

/// Lines of the crate at `crate_dir`, then `cmd` (its build) once to warm the dependencies and
/// `runs` times after touching `src/lib.rs`.
fn client_build(name: &str, crate_dir: &Path, mut cmd: Command, runs: usize) -> ClientRow {
    let lines = count_lines(&crate_dir.join("src")).map_err(|e| format!("{e:#}"));
    let lib = crate_dir.join("src/lib.rs");
    let t = Instant::now();
    let warm = run_quiet(&mut cmd).map(|()| t.elapsed().as_secs_f64());
    let build = match &warm {
        Err(e) => Err(format!("the warm-up build failed: {e}")),
        Ok(_) => (|| {
            let mut samples = Vec::new();
            for _ in 0..runs {
                touch(&lib)?;
                let t = Instant::now();
                run_quiet(&mut cmd)?;
                samples.push(t.elapsed().as_secs_f64());
            }
            Ok(Timing::of(&samples))
        })(),
    };
    ClientRow {
        name: name.to_owned(),
        lines,
        warm_seconds: warm,
        build,
    }
}
