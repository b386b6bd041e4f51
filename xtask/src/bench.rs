//! `cargo xtask bench [--quick]`: how fast regen is, next to the peers, in one run on one
//! machine. Writes `target/bench/summary.json` and prints a Markdown table.
//!
//! What it measures (see docs/bench.md for the figures):
//! - regen (load, normalize, generate, format, write into a fresh `--out` directory) on
//!   `spec/openapi.json` and every real platform spec, median of several runs after a warm-up,
//!   next to `@archastro/sdk-generator --lang rust` and openapi-generator's `rust` generator on
//!   the same specs (installed into `target/peers/bench/` when missing);
//! - the floor: read the spec, parse it as an OpenAPI document (openapiv3's model, what a
//!   generator reads), write the same files (same bytes); regen as a multiple; also the
//!   strict floor, which parses the spec as JSON only;
//! - scaling: deterministic synthetic specs of 100 to 10 000 operations, each regenerated in a
//!   child process (this binary again, selected by [`CHILD_ENV`]) for its peak RSS;
//! - the generated client: line count and crate-only dev build time, for the repository's
//!   client and for the client of the 2026-06-11 platform spec;
//! - the API diff of the two largest real specs;
//! - client overhead: requests per second through the generated client vs raw reqwest against
//!   one local server (`crates/archastro-client-bench`);
//! - a phase breakdown of regen on the 2026-06-11 spec (where the time goes).
//!
//! The measuring code must run optimized: a debug build of xtask builds `--release` and runs
//! the release binary with the same arguments.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use archastro_codegen::client;
use archastro_codegen::diff;
use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::load;
use archastro_codegen::normalize::METHODS;
use archastro_codegen::output::Mode;
use archastro_codegen::regen::{self, Part, Phase, PhaseObserver, RegenOptions};
use archastro_codegen::release;
use serde_json::{Map, Value, json};

/// Set (with [`CHILD_SPEC_ENV`], [`CHILD_FAMILIES_ENV`], [`CHILD_OUT_ENV`]) when this binary
/// runs as the bench's measuring child: `regen` (one regen, then its peak RSS) or `phases`
/// (one regen, phase by phase).
const CHILD_ENV: &str = "ARCHASTRO_BENCH_CHILD";
const CHILD_SPEC_ENV: &str = "ARCHASTRO_BENCH_SPEC";
const CHILD_FAMILIES_ENV: &str = "ARCHASTRO_BENCH_FAMILIES";
const CHILD_OUT_ENV: &str = "ARCHASTRO_BENCH_OUT";
/// The child's result line on stdout starts with this.
const CHILD_MARK: &str = "bench-child-result: ";

/// Pinned peer versions: a new version is a deliberate change.
const SDK_GENERATOR: &str = "@archastro/sdk-generator@0.11.9";
const OPENAPI_GENERATOR: &str = "openapi-generator-cli==7.26.0";

/// The platform spec the headline figures are taken on.
const KEY_SPEC: &str = "platform-openapi-2026-06-11.json";

/// Targets from the benchmark issue.
const TARGET_SDK_GENERATOR: f64 = 2.0;
const TARGET_OPENAPI_GENERATOR: f64 = 20.0;
const TARGET_X_FLOOR: f64 = 10.0;

/// What the floor parses the spec into (`floor_parses` in `summary.json`).
const FLOOR_PARSES: &str = "an OpenAPI 3.0 document (openapiv3::OpenAPI, from the JSON text)";
const TARGET_OPS10K_SECONDS: f64 = 10.0;
const TARGET_OPS10K_MIB: f64 = 1024.0;
const TARGET_DIFF_SECONDS: f64 = 1.0;

pub fn run(root: &Path, quick: bool) -> Result<()> {
    if let Ok(job) = std::env::var(CHILD_ENV) {
        return child(root, &job);
    }
    if cfg!(debug_assertions) {
        return rerun_in_release(root, quick);
    }
    let started = Instant::now();
    let mut bench = Bench::new(root, quick)?;
    bench.load_at_start = load_average();
    bench.measure_all()?;
    bench.finish(started.elapsed())
}

/// Builds xtask in release mode and runs `xtask bench` from there.
fn rerun_in_release(root: &Path, quick: bool) -> Result<()> {
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
    let status = cmd
        .status()
        .with_context(|| format!("running {}", exe.display()))?;
    if !status.success() {
        bail!("{} bench failed ({status})", exe.display());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The measuring child
// ---------------------------------------------------------------------------------------------

fn child(root: &Path, job: &str) -> Result<()> {
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
fn run_child(
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

// ---------------------------------------------------------------------------------------------
// Phases of one regen
// ---------------------------------------------------------------------------------------------

/// Where the time of one regen goes, in seconds: the wall time of its phases as the pipeline
/// reports them (`load`, `normalize`, `model`, `generate`: every file, in memory, on the job
/// pool; `apply`: writing them into a fresh directory), each part's work inside `generate` as
/// the pipeline reports it (`client`, `server`, `contract`, `normalized_json`: the sum of the
/// part's jobs, each timed on the pool thread that ran it, and of its steps before and after
/// the pool; the parts run side by side, so they do not add up to `generate`), and
/// `client_reprint`: the client's files as written, re-parsed and re-printed with syn +
/// prettyplease on one thread, an upper bound of what formatting costs the client (its files
/// come out of progenitor as tokens).
#[derive(Debug, Clone, Default)]
struct Phases {
    load: f64,
    normalize: f64,
    model: f64,
    generate: f64,
    apply: f64,
    client: f64,
    server: f64,
    contract: f64,
    normalized_json: f64,
    client_reprint: f64,
}

impl PhaseObserver for Phases {
    fn phase(&mut self, phase: Phase, took: Duration) {
        let field = match phase {
            Phase::Load => &mut self.load,
            Phase::Normalize => &mut self.normalize,
            Phase::Model => &mut self.model,
            Phase::Generate => &mut self.generate,
            Phase::Apply => &mut self.apply,
        };
        *field = took.as_secs_f64();
    }

    fn part(&mut self, part: Part, took: Duration) {
        let field = match part {
            Part::Client => &mut self.client,
            Part::Server => &mut self.server,
            Part::Contract => &mut self.contract,
            Part::NormalizedJson => &mut self.normalized_json,
        };
        *field = took.as_secs_f64();
    }
}

impl Phases {
    /// One regen with `opts` (write mode) into a fresh directory, observed; then the client's
    /// files it wrote, re-printed.
    fn measure(opts: &RegenOptions) -> Result<Phases> {
        let mut phases = Phases::default();
        remove_dir(&opts.out)?;
        regen::Pipeline::new(opts, &mut phases).run()?;
        phases.client_reprint = reprint_seconds(&opts.out.join(client::CLIENT_DIR))?;
        Ok(phases)
    }

    fn total(&self) -> f64 {
        self.load + self.normalize + self.model + self.generate + self.apply
    }

    fn median_of(all: &[Phases]) -> Phases {
        let m = |f: fn(&Phases) -> f64| median(&all.iter().map(f).collect::<Vec<_>>());
        Phases {
            load: m(|p| p.load),
            normalize: m(|p| p.normalize),
            model: m(|p| p.model),
            generate: m(|p| p.generate),
            apply: m(|p| p.apply),
            client: m(|p| p.client),
            server: m(|p| p.server),
            contract: m(|p| p.contract),
            normalized_json: m(|p| p.normalized_json),
            client_reprint: m(|p| p.client_reprint),
        }
    }

    /// The fields of `phases_key_spec` and `phases_ops10k` in `summary.json`.
    fn to_json(&self) -> Value {
        json!({
            "load_seconds": self.load,
            "normalize_seconds": self.normalize,
            "model_seconds": self.model,
            "generate_seconds": self.generate,
            "write_seconds": self.apply,
            "total_seconds": self.total(),
            "alone_client_seconds": self.client,
            "alone_server_seconds": self.server,
            "alone_contract_seconds": self.contract,
            "alone_normalized_json_seconds": self.normalized_json,
            "client_reprint_seconds": self.client_reprint,
        })
    }

    /// What [`Phases::to_json`] wrote (a figure that is missing is NaN).
    fn from_json(v: &Value) -> Phases {
        let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
        Phases {
            load: f("load_seconds"),
            normalize: f("normalize_seconds"),
            model: f("model_seconds"),
            generate: f("generate_seconds"),
            apply: f("write_seconds"),
            client: f("alone_client_seconds"),
            server: f("alone_server_seconds"),
            contract: f("alone_contract_seconds"),
            normalized_json: f("alone_normalized_json_seconds"),
            client_reprint: f("client_reprint_seconds"),
        }
    }

    /// The Markdown tables: the phases with their shares, then the parts.
    fn table(&self, title: &str) -> String {
        let total = self.total();
        let row = |name: &str, s: f64| {
            format!(
                "| {name} | {:.0} | {:.0}% |\n",
                s * 1e3,
                100.0 * s / total.max(1e-9)
            )
        };
        let mut t = format!("{title}\n\n| phase (wall time) | ms | share |\n|---|---:|---:|\n");
        t.push_str(&row("load (read + parse spec and families)", self.load));
        t.push_str(&row("normalize", self.normalize));
        t.push_str(&row("model (the typed API model, once)", self.model));
        t.push_str(&row(
            "generate: every file, on the 2-thread job pool",
            self.generate,
        ));
        t.push_str(&row("write (compare, stage, rename)", self.apply));
        t.push_str(&format!("| **total** | **{:.0}** | 100% |\n", total * 1e3));
        let part = |name: &str, s: f64| format!("| {name} | {:.0} |\n", s * 1e3);
        t.push_str("\nThe generated parts, as the pipeline times them inside *generate* (each part's jobs, timed on the pool thread that ran them, and its steps before and after the pool; the parts run side by side, so they do not add up to *generate*):\n\n| part | ms |\n|---|---:|\n");
        t.push_str(&part(
            "client crate (progenitor, then syn + prettyplease per item)",
            self.client,
        ));
        t.push_str(&part("&nbsp;&nbsp;its files re-parsed and re-printed by syn + prettyplease, one thread (bound on its formatting)", self.client_reprint));
        t.push_str(&part("server crate (written as text)", self.server));
        t.push_str(&part("contract crate", self.contract));
        t.push_str(&part(
            "normalized JSON (serde_json pretty)",
            self.normalized_json,
        ));
        t
    }
}

/// Seconds to re-parse and re-print, with syn + prettyplease on one thread, every `.rs` file
/// of the client crate at `crate_dir` but the support module's (copied, not generated).
fn reprint_seconds(crate_dir: &Path) -> Result<f64> {
    let mut texts = Vec::new();
    for (rel, bytes) in read_tree(crate_dir)? {
        if rel.extension().is_some_and(|e| e == "rs")
            && !rel.starts_with(client::SUPPORT_MODULE_DIR)
        {
            texts.push(String::from_utf8(bytes).context("a generated client file")?);
        }
    }
    let start = Instant::now();
    for text in &texts {
        let file = syn::parse_file(text).context("re-parsing a generated client file")?;
        std::hint::black_box(prettyplease::unparse(&file));
    }
    Ok(start.elapsed().as_secs_f64())
}

// ---------------------------------------------------------------------------------------------
// The bench
// ---------------------------------------------------------------------------------------------

struct SpecCase {
    /// How the tables name it.
    label: String,
    path: PathBuf,
    families: PathBuf,
    operations: usize,
    /// `apiBase` and `defaultVersion` for sdk-generator's config.
    sdk_version: &'static str,
}

#[derive(Debug, Clone)]
struct Timing {
    median: f64,
    min: f64,
    max: f64,
    runs: usize,
}

impl Timing {
    fn of(samples: &[f64]) -> Timing {
        Timing {
            median: median(samples),
            min: samples.iter().copied().fold(f64::INFINITY, f64::min),
            max: samples.iter().copied().fold(0.0, f64::max),
            runs: samples.len(),
        }
    }

    fn to_json(&self) -> Value {
        json!({"median_seconds": self.median, "min_seconds": self.min, "max_seconds": self.max, "runs": self.runs})
    }
}

/// A figure, or why there is none.
type Figure<T> = std::result::Result<T, String>;

fn figure_json<T: Clone + Into<Value>>(f: &Figure<T>) -> Value {
    match f {
        Ok(v) => v.clone().into(),
        Err(_) => Value::Null,
    }
}

fn reason_json<T>(f: &Figure<T>) -> Value {
    match f {
        Ok(_) => Value::Null,
        Err(reason) => json!(reason),
    }
}

/// The floor of the key spec and what is compared with it.
#[derive(Clone)]
struct FloorRow {
    /// Read, parse as an OpenAPI document, write the same files.
    floor: Timing,
    /// Read, parse as JSON only, write the same files.
    json_floor: Timing,
    /// `regen --check` without the tree's stamp: everything generated and compared.
    check_cold: Timing,
    /// `regen --check` trusting the stamp its clean warm-up run wrote.
    check: Timing,
    /// regen into a fresh directory.
    ours: Timing,
}

struct RegenRow {
    label: String,
    operations: usize,
    ours: Timing,
    output_files: usize,
    output_bytes: u64,
    sdk_generator: Figure<Timing>,
    openapi_generator: Figure<Timing>,
}

struct ScalingRow {
    operations: usize,
    spec_bytes: u64,
    seconds: f64,
    wall_seconds: f64,
    peak_mib: Option<f64>,
}

struct ClientRow {
    name: String,
    lines: Figure<usize>,
    warm_seconds: Figure<f64>,
    build: Figure<Timing>,
}

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
    /// What `archastro-client-bench` printed: requests per second through the generated client
    /// and through raw reqwest, and their ratio.
    client_overhead: Figure<Value>,
    diff: Figure<(Timing, usize, String)>,
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
        let shared = root.join("../shared/specs/archastro");
        let mut platform: Vec<PathBuf> = std::fs::read_dir(&shared)
            .with_context(|| format!("reading {} (the real platform specs)", shared.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.starts_with("platform-openapi-2026-") && n.ends_with(".json")
                })
            })
            .collect();
        platform.sort();
        for path in platform {
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
        if !specs.iter().any(|s| s.label == KEY_SPEC) {
            bail!("{KEY_SPEC} is missing from {}", shared.display());
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
            client_overhead: Err("not measured".into()),
            diff: Err("not measured".into()),
            load_at_start: None,
        })
    }

    fn measure_all(&mut self) -> Result<()> {
        self.install_peers();
        self.measure_regen()?;
        self.measure_floor_and_phases()?;
        self.measure_scaling()?;
        self.measure_diff();
        self.measure_clients()?;
        self.measure_client_overhead();
        Ok(())
    }

    /// Requests per second through the generated client vs raw reqwest decoding the same type,
    /// against one local server (`crates/archastro-client-bench`, built in release mode; xtask
    /// does not depend on the generated crate).
    fn measure_client_overhead(&mut self) {
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

    fn options(&self, spec: &Path, families: &Path, out: &Path) -> Result<RegenOptions> {
        let mut opts = regen_options(&self.root, &spec.display().to_string(), families, out)?;
        opts.crate_version.clone_from(&self.crate_version);
        Ok(opts)
    }

    // --- peers ---------------------------------------------------------------------------

    fn install_peers(&mut self) {
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

    // --- regen -----------------------------------------------------------------------------

    fn measure_regen(&mut self) -> Result<()> {
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

    /// Runs per median for the figures that take well under a second: three times as many
    /// (cheap, and their run-to-run spread is otherwise as large as the gaps they measure).
    fn fast_runs(&self) -> usize {
        self.runs * 3
    }

    fn key_case(&self) -> &SpecCase {
        self.specs
            .iter()
            .find(|s| s.label == KEY_SPEC)
            .expect("checked in new")
    }

    // --- floor, --check, phases ------------------------------------------------------------

    fn measure_floor_and_phases(&mut self) -> Result<()> {
        eprintln!("bench: floor, regen --check and phases on {KEY_SPEC}");
        let case = self.key_case();
        let (spec, families) = (case.path.clone(), case.families.clone());
        let out = self.work.join("floor-regen");
        let opts = self.options(&spec, &families, &out)?;
        remove_dir(&out)?;
        regen::regen(&opts)?;
        let files = read_tree(&out)?;

        // The floor: read the spec, parse it as an OpenAPI document, write the same files; the
        // strict floor parses it as JSON only. Measured in alternation, so that both see the
        // same machine.
        let floor_out = self.work.join("floor-out");
        let write_files = || -> Result<()> {
            for (rel, contents) in &files {
                let path = floor_out.join(rel);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, contents)?;
            }
            Ok(())
        };
        let (mut samples, mut json_samples) = (Vec::new(), Vec::new());
        for i in 0..=self.fast_runs() {
            remove_dir(&floor_out)?;
            let t = Instant::now();
            let bytes = std::fs::read(&spec)?;
            let document: openapiv3::OpenAPI =
                serde_json::from_slice(&bytes).with_context(|| {
                    format!("{}: the floor reads it as OpenAPI 3.0", spec.display())
                })?;
            std::hint::black_box(&document);
            write_files()?;
            let took = t.elapsed();
            drop(document);
            remove_dir(&floor_out)?;
            let t = Instant::now();
            let bytes = std::fs::read(&spec)?;
            let value: Value = serde_json::from_slice(&bytes)?;
            std::hint::black_box(&value);
            write_files()?;
            let json_took = t.elapsed();
            if i > 0 {
                samples.push(took.as_secs_f64());
                json_samples.push(json_took.as_secs_f64());
            }
        }
        let floor = Timing::of(&samples);
        let json_floor = Timing::of(&json_samples);

        // regen --check of the unchanged tree: without its stamp (every file generated and
        // compared), then with it (written by the warm-up run, then trusted).
        let check_cold = self.time_check(&opts, None)?;
        let stamp = self.work.join("regen-stamps/floor-regen.json");
        let _ = std::fs::remove_file(&stamp);
        let check = self.time_check(&opts, Some(stamp))?;
        let ours = self
            .regen_rows
            .iter()
            .find(|r| r.label == KEY_SPEC)
            .map(|r| r.ours.clone())
            .expect("regen measured first");
        self.floor = Some(FloorRow {
            floor,
            json_floor,
            check_cold,
            check,
            ours,
        });

        // Peak RSS of one regen of the key spec, in a child.
        let child_out = self.work.join("child-out");
        remove_dir(&child_out)?;
        let (v, _) = run_child(&self.root, "regen", &spec, &families, &child_out)?;
        self.key_peak_mib = v["peak_rss_kib"].as_f64().map(|k| k / 1024.0);

        // Phases.
        let phase_out = self.work.join("phases-out");
        let popts = self.options(&spec, &families, &phase_out)?;
        Phases::measure(&popts)?;
        let mut all = Vec::new();
        for _ in 0..self.runs {
            all.push(Phases::measure(&popts)?);
        }
        self.phases = Some(Phases::median_of(&all));
        Ok(())
    }

    /// Median time of `regen --check` of the tree `opts` writes, which must be up to date;
    /// with `stamp`, every measured run must have trusted it.
    fn time_check(&self, opts: &RegenOptions, stamp: Option<PathBuf>) -> Result<Timing> {
        let mut check = opts.clone();
        check.mode = Mode::Check;
        let stamped = stamp.is_some();
        check.stamp = stamp;
        let mut samples = Vec::new();
        for i in 0..=self.fast_runs() {
            let t = Instant::now();
            let outcome = regen::regen(&check)?;
            if i > 0 {
                samples.push(t.elapsed().as_secs_f64());
                if stamped && !outcome.by_stamp {
                    bail!("regen --check did not trust the stamp its clean warm-up run wrote");
                }
            }
            if !outcome.changes.is_empty() {
                bail!(
                    "regen --check of a tree just written found {} change(s): regen is not deterministic",
                    outcome.changes.len()
                );
            }
        }
        Ok(Timing::of(&samples))
    }

    // --- scaling ---------------------------------------------------------------------------

    fn measure_scaling(&mut self) -> Result<()> {
        let sizes: &[usize] = if self.quick {
            &[100, 1000, 10_000]
        } else {
            &[100, 1000, 5000, 10_000]
        };
        // The synthetic specs stay in target/bench/synthetic/ for profiling.
        let dir = self.bench_dir.join("synthetic");
        std::fs::create_dir_all(&dir)?;
        let families = dir.join("families.toml");
        std::fs::write(&families, synthetic_families())?;
        let out = self.work.join("scaling-out");
        for &ops in sizes {
            eprintln!("bench: scaling, {ops} operations");
            let spec = dir.join(format!("synthetic-{ops}.json"));
            let text = serde_json::to_string_pretty(&synthetic_spec(ops))?;
            std::fs::write(&spec, &text)?;
            // Small sizes: median of several children; large ones (and 1000 in --quick): one
            // run each.
            let runs = if ops <= 100 || (ops <= 1000 && !self.quick) {
                self.runs
            } else {
                1
            };
            let mut seconds = Vec::new();
            let mut walls = Vec::new();
            let mut peaks = Vec::new();
            for _ in 0..runs {
                remove_dir(&out)?;
                let (v, wall) = run_child(&self.root, "regen", &spec, &families, &out)?;
                seconds.push(v["seconds"].as_f64().unwrap_or(f64::NAN));
                walls.push(wall);
                if let Some(k) = v["peak_rss_kib"].as_f64() {
                    peaks.push(k / 1024.0);
                }
            }
            self.scaling.push(ScalingRow {
                operations: ops,
                spec_bytes: text.len() as u64,
                seconds: median(&seconds),
                wall_seconds: median(&walls),
                peak_mib: peaks.iter().copied().reduce(f64::max),
            });
            // Where the time goes at the largest size (full run only: it costs one more regen).
            if !self.quick && ops == 10_000 {
                remove_dir(&out)?;
                let (v, _) = run_child(&self.root, "phases", &spec, &families, &out)?;
                self.scaling_phases = Some((
                    ops,
                    Phases::from_json(&v),
                    v["peak_rss_kib"].as_f64().map(|k| k / 1024.0),
                ));
            }
        }
        remove_dir(&out)?;
        Ok(())
    }

    // --- diff ------------------------------------------------------------------------------

    fn measure_diff(&mut self) {
        eprintln!("bench: API diff of the two largest real specs");
        self.diff = self.diff_largest().map_err(|e| format!("{e:#}"));
    }

    fn diff_largest(&self) -> Result<(Timing, usize, String)> {
        let mut platform: Vec<&SpecCase> = self
            .specs
            .iter()
            .filter(|s| s.label.starts_with("platform-"))
            .collect();
        platform.sort_by_key(|s| std::fs::metadata(&s.path).map(|m| m.len()).unwrap_or(0));
        let [.., a, b] = platform.as_slice() else {
            bail!("fewer than two platform specs");
        };
        // Older first.
        let (base, head) = if a.label < b.label { (a, b) } else { (b, a) };
        let mut samples = Vec::new();
        let mut changes = 0;
        for i in 0..=self.runs {
            let t = Instant::now();
            let config = FamiliesConfig::load(&head.families)?;
            let base_doc = load::load_file(&base.path)?;
            let head_doc = load::load_file(&head.path)?;
            let report = diff::diff_documents(&base_doc, &head_doc, &config)?;
            if i > 0 {
                samples.push(t.elapsed().as_secs_f64());
            }
            changes = report.changes.len();
        }
        Ok((
            Timing::of(&samples),
            changes,
            format!("{} → {}", base.label, head.label),
        ))
    }

    // --- the generated client --------------------------------------------------------------

    fn measure_clients(&mut self) -> Result<()> {
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

    // --- report ----------------------------------------------------------------------------

    fn finish(&self, elapsed: Duration) -> Result<()> {
        let summary = self.summary(elapsed);
        let markdown = self.markdown(&summary, elapsed);
        std::fs::create_dir_all(&self.bench_dir)?;
        let path = self.bench_dir.join("summary.json");
        std::fs::write(
            &path,
            format!("{}\n", serde_json::to_string_pretty(&summary)?),
        )
        .with_context(|| format!("writing {}", path.display()))?;
        std::fs::write(self.bench_dir.join("summary.md"), &markdown)?;
        println!("{markdown}");
        println!("bench: wrote {} and summary.md", path.display());
        remove_dir(&self.work)?;
        Ok(())
    }

    fn key_row(&self) -> &RegenRow {
        self.regen_rows
            .iter()
            .find(|r| r.label == KEY_SPEC)
            .expect("measured")
    }

    fn speedup(&self, peer: fn(&RegenRow) -> &Figure<Timing>) -> Figure<f64> {
        let row = self.key_row();
        peer(row)
            .as_ref()
            .map(|t| t.median / row.ours.median)
            .map_err(Clone::clone)
    }

    fn ops10k(&self) -> Option<&ScalingRow> {
        self.scaling.iter().find(|r| r.operations == 10_000)
    }

    fn client_figure<T: Clone>(&self, i: usize, f: fn(&ClientRow) -> Figure<T>) -> Figure<T> {
        self.clients
            .get(i)
            .map_or_else(|| Err("not measured".into()), f)
    }

    fn summary(&self, elapsed: Duration) -> Value {
        let sdk = self.speedup(|r| &r.sdk_generator);
        let oag = self.speedup(|r| &r.openapi_generator);
        let FloorRow {
            floor,
            json_floor,
            check_cold,
            check,
            ours,
        } = self.floor.clone().expect("measured");
        let x_floor = ours.median / floor.median;
        let ops10k = self.ops10k();
        let diff = self
            .diff
            .as_ref()
            .map(|(t, _, _)| t.median)
            .map_err(Clone::clone);
        let client_build = self.client_figure(0, |c| {
            c.build.as_ref().map(|t| t.median).map_err(Clone::clone)
        });
        let client_lines = self.client_figure(0, |c| c.lines.clone());
        let platform_build = self.client_figure(1, |c| {
            c.build.as_ref().map(|t| t.median).map_err(Clone::clone)
        });
        let platform_lines = self.client_figure(1, |c| c.lines.clone());

        let mut regen_medians = Map::new();
        let mut regen = Vec::new();
        for r in &self.regen_rows {
            regen_medians.insert(r.label.clone(), json!(r.ours.median));
            let ratio = |f: &Figure<Timing>| f.as_ref().ok().map(|t| t.median / r.ours.median);
            regen.push(json!({
                "spec": r.label,
                "operations": r.operations,
                "ours": r.ours.to_json(),
                "output_files": r.output_files,
                "output_bytes": r.output_bytes,
                "sdk_generator": r.sdk_generator.as_ref().ok().map(Timing::to_json),
                "sdk_generator_reason": reason_json(&r.sdk_generator),
                "speedup_vs_sdk_generator": ratio(&r.sdk_generator),
                "openapi_generator": r.openapi_generator.as_ref().ok().map(Timing::to_json),
                "openapi_generator_reason": reason_json(&r.openapi_generator),
                "speedup_vs_openapi_generator": ratio(&r.openapi_generator),
            }));
        }
        let scaling: Vec<Value> = self
            .scaling
            .iter()
            .map(|s| {
                json!({
                    "operations": s.operations,
                    "spec_bytes": s.spec_bytes,
                    "seconds": s.seconds,
                    "process_wall_seconds": s.wall_seconds,
                    "ms_per_operation": 1e3 * s.seconds / s.operations as f64,
                    "peak_mib": s.peak_mib,
                })
            })
            .collect();
        let met = |v: Option<f64>, ok: fn(f64) -> bool| v.map(ok);
        let targets = json!({
            "speedup_vs_sdk_generator_at_least_2": met(sdk.as_ref().ok().copied(), |v| v >= TARGET_SDK_GENERATOR),
            "speedup_vs_openapi_generator_at_least_20": met(oag.as_ref().ok().copied(), |v| v >= TARGET_OPENAPI_GENERATOR),
            "x_floor_at_most_10": x_floor <= TARGET_X_FLOOR,
            "ops10k_under_10_seconds": met(ops10k.map(|r| r.seconds), |v| v < TARGET_OPS10K_SECONDS),
            "ops10k_under_1_gib": met(ops10k.and_then(|r| r.peak_mib), |v| v < TARGET_OPS10K_MIB),
            "diff_under_1_second": met(diff.as_ref().ok().copied(), |v| v < TARGET_DIFF_SECONDS),
        });
        let mut summary = json!({
            "date": today(),
            "command": if self.quick { "cargo xtask bench --quick" } else { "cargo xtask bench" },
            "quick": self.quick,
            "runs_per_median": self.runs,
            "runs_per_fast_median": self.fast_runs(),
            "machine": machine(),
            "load_average_at_start": self.load_at_start,
            "elapsed_seconds": elapsed.as_secs_f64(),
            "key_spec": KEY_SPEC,
            "speedup_vs_sdk_generator": figure_json(&sdk),
            "speedup_vs_sdk_generator_reason": reason_json(&sdk),
            "speedup_vs_openapi_generator": figure_json(&oag),
            "speedup_vs_openapi_generator_reason": reason_json(&oag),
            "x_floor": x_floor,
            "floor_seconds": floor.median,
            "regen_seconds": ours.median,
            "regen_check_seconds": check.median,
            "x_floor_check": check.median / floor.median,
            "regen_peak_mib": self.key_peak_mib,
            "ops10k_seconds": ops10k.map(|r| r.seconds),
            "ops10k_peak_mib": ops10k.and_then(|r| r.peak_mib),
            "diff_largest_seconds": figure_json(&diff),
            "diff_largest_reason": reason_json(&diff),
            "diff_largest_specs": self.diff.as_ref().ok().map(|(_, _, s)| s.clone()),
            "diff_largest_changes": self.diff.as_ref().ok().map(|(_, n, _)| *n),
            "client_build_seconds": figure_json(&client_build),
            "client_build_reason": reason_json(&client_build),
            "client_lines": figure_json(&client_lines),
            "platform_client_build_seconds": figure_json(&platform_build),
            "platform_client_build_reason": reason_json(&platform_build),
            "platform_client_lines": figure_json(&platform_lines),
            "client_overhead_ratio": self.client_overhead.as_ref().ok().map(|v| v["ratio"].clone()),
            "client_overhead": figure_json(&self.client_overhead),
            "client_overhead_reason": reason_json(&self.client_overhead),
            "regen_medians_seconds": regen_medians,
            "regen": regen,
            "scaling": scaling,
            "phases_key_spec": self.phases.as_ref().map(Phases::to_json),
            "phases_ops10k": self.scaling_phases.as_ref().map(|(_, p, _)| p.to_json()),
            "targets": targets,
            "peers": self.install_notes,
        });
        // (Outside `json!`, whose expansion of the object above is at the recursion limit.)
        summary["regen_check_cold_seconds"] = check_cold.median.into();
        summary["x_floor_check_cold"] = (check_cold.median / floor.median).into();
        summary["floor_parses"] = FLOOR_PARSES.into();
        summary["floor_json_seconds"] = json_floor.median.into();
        summary["x_floor_json"] = (ours.median / json_floor.median).into();
        summary
    }

    fn markdown(&self, summary: &Value, elapsed: Duration) -> String {
        let mut md = String::new();
        let m = machine();
        let _ = writeln!(
            md,
            "## `{}` — {} — {} cores ({}), {}\n",
            summary["command"].as_str().unwrap_or("?"),
            summary["date"].as_str().unwrap_or("?"),
            m["cores"],
            m["cpu"].as_str().unwrap_or("?"),
            m["memory"].as_str().unwrap_or("?"),
        );
        let _ = writeln!(
            md,
            "Medians after a warm-up, of {} runs for the figures that take well under a second (ours, the floor, `regen --check`, sdk-generator) and of {} for the others; ours in-process (regen into a fresh `--out` directory), peers as processes (wall time, runtime start-up included).\n",
            self.fast_runs(),
            self.runs
        );

        let _ = writeln!(
            md,
            "Load average (1 min) at start {}, at end {}: the machine is shared, anything above 0 slows every figure down.\n",
            self.load_at_start.map_or("?".into(), |l| format!("{l:.1}")),
            m["load_average_at_end"]
                .as_f64()
                .map_or("?".into(), |l| format!("{l:.1}")),
        );
        md.push_str("### Headline (on the 2026-06-11 platform spec)\n\n| figure | value | target | met |\n|---|---:|---|:-:|\n");
        let yes = |b: Option<bool>| match b {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "n/a",
        };
        let t = &summary["targets"];
        let num = |v: &Value, digits: usize, unit: &str| match v.as_f64() {
            Some(x) => format!("{x:.digits$}{unit}"),
            None => "n/a".to_owned(),
        };
        let rows: [(&str, String, &str, &str); 8] = [
            (
                "speedup vs @archastro/sdk-generator",
                num(&summary["speedup_vs_sdk_generator"], 2, "×"),
                "≥ 2×",
                "speedup_vs_sdk_generator_at_least_2",
            ),
            (
                "speedup vs openapi-generator (rust)",
                num(&summary["speedup_vs_openapi_generator"], 2, "×"),
                "≥ 20×",
                "speedup_vs_openapi_generator_at_least_20",
            ),
            (
                "regen / floor (`x_floor`; the floor parses the spec as OpenAPI)",
                num(&summary["x_floor"], 1, "×"),
                "≤ 10×",
                "x_floor_at_most_10",
            ),
            (
                "regen / strict floor (`x_floor_json`; JSON only)",
                num(&summary["x_floor_json"], 1, "×"),
                "—",
                "",
            ),
            (
                "10 000 operations: time",
                num(&summary["ops10k_seconds"], 2, " s"),
                "< 10 s",
                "ops10k_under_10_seconds",
            ),
            (
                "10 000 operations: peak RSS",
                num(&summary["ops10k_peak_mib"], 0, " MiB"),
                "< 1024 MiB",
                "ops10k_under_1_gib",
            ),
            (
                "API diff, two largest real specs",
                num(&summary["diff_largest_seconds"], 3, " s"),
                "< 1 s",
                "diff_under_1_second",
            ),
            (
                "client overhead (req/s, generated client / raw reqwest)",
                match &self.client_overhead {
                    Ok(v) => format!("{}", v["ratio"]),
                    Err(_) => "n/a".to_owned(),
                },
                "—",
                "",
            ),
        ];
        for (name, value, target, key) in rows {
            let met = if key.is_empty() {
                "n/a"
            } else {
                yes(t[key].as_bool())
            };
            let _ = writeln!(md, "| {name} | {value} | {target} | {met} |");
        }
        let _ = match &self.client_overhead {
            Ok(v) => writeln!(
                md,
                "\nClient overhead (`archastro-client-bench`, {} concurrent requests on loopback): generated client {} req/s, raw reqwest {} req/s, ratio {}.\n",
                v["concurrency"], v["client_rps"], v["raw_reqwest_rps"], v["ratio"]
            ),
            Err(reason) => writeln!(md, "\nClient overhead: not measured: {reason}.\n"),
        };

        md.push_str("### Regen, next to the peers\n\n| spec | ops | ours ms | output | sdk-generator ms | ×  | openapi-generator ms | × |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        let mut reasons: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in &self.regen_rows {
            let peer = |f: &Figure<Timing>, reasons: &mut BTreeMap<String, Vec<String>>| match f {
                Ok(t) => (
                    format!("{:.0}", t.median * 1e3),
                    format!("{:.2}", t.median / r.ours.median),
                ),
                Err(e) => {
                    let specs = reasons.entry(e.clone()).or_default();
                    if !specs.contains(&r.label) {
                        specs.push(r.label.clone());
                    }
                    ("—".to_owned(), "—".to_owned())
                }
            };
            let (sdk, sdk_x) = peer(&r.sdk_generator, &mut reasons);
            let (oag, oag_x) = peer(&r.openapi_generator, &mut reasons);
            let _ = writeln!(
                md,
                "| {} | {} | {:.0} | {} files, {:.1} MB | {sdk} | {sdk_x} | {oag} | {oag_x} |",
                r.label,
                r.operations,
                r.ours.median * 1e3,
                r.output_files,
                r.output_bytes as f64 / 1e6,
            );
        }
        for (reason, specs) in &reasons {
            let _ = writeln!(md, "\n— {}: {reason}", specs.join(", "));
        }
        md.push_str("\nOurs writes the normalized specs and three crates (client, server, contract); sdk-generator writes one Rust SDK (5 files); openapi-generator writes a Rust client crate with docs.\n\n");

        if let Some(FloorRow {
            floor,
            json_floor,
            check_cold,
            check,
            ours,
        }) = &self.floor
        {
            let _ = writeln!(
                md,
                "### The floor ({KEY_SPEC})\n\n| what | ms | × floor |\n|---|---:|---:|\n| floor: read the spec, parse it as an OpenAPI document (openapiv3), write the same {} files | {:.1} | 1 |\n| strict floor: read the spec, parse it as JSON only (serde_json), write the same files | {:.1} | {:.2} |\n| regen (write into a fresh directory) | {:.0} | {:.1} |\n| regen --check of the unchanged tree, without its stamp (generated and compared) | {:.0} | {:.1} |\n| regen --check of the unchanged tree, trusting the stamp of its last clean check | {:.0} | {:.1} |\n",
                self.key_row().output_files,
                floor.median * 1e3,
                json_floor.median * 1e3,
                json_floor.median / floor.median,
                ours.median * 1e3,
                ours.median / floor.median,
                check_cold.median * 1e3,
                check_cold.median / floor.median,
                check.median * 1e3,
                check.median / floor.median,
            );
            if let Some(p) = self.key_peak_mib {
                let _ = writeln!(md, "Peak RSS of one regen of this spec: {p:.0} MiB.\n");
            }
        }
        if let Some(p) = &self.phases {
            md.push_str(&p.table(&format!(
                "### Where regen's time goes ({KEY_SPEC}, medians)"
            )));
            md.push('\n');
        }

        md.push_str("### Scaling (synthetic specs, one child process per run)\n\n| operations | spec MB | regen s | ms / operation | peak RSS MiB |\n|---:|---:|---:|---:|---:|\n");
        for s in &self.scaling {
            let _ = writeln!(
                md,
                "| {} | {:.1} | {:.2} | {:.2} | {} |",
                s.operations,
                s.spec_bytes as f64 / 1e6,
                s.seconds,
                1e3 * s.seconds / s.operations as f64,
                s.peak_mib.map_or("n/a".into(), |p| format!("{p:.0}")),
            );
        }
        let _ = writeln!(
            md,
            "\nThe specs stay in `target/bench/synthetic/`; to profile one: `perf record -g target/release/xtask regen --spec target/bench/synthetic/synthetic-10000.json --families target/bench/synthetic/families.toml --out /tmp/regen-10k`.\n"
        );
        if let Some((ops, p, _)) = &self.scaling_phases {
            md.push_str(&p.table(&format!(
                "### Where regen's time goes ({ops} synthetic operations, one run)"
            )));
            md.push('\n');
        }

        md.push_str("### The generated client (crate-only dev build after touching src/lib.rs: dependencies warm, `CARGO_INCREMENTAL=0`)\n\n| crate | lines (src/**/*.rs) | build s |\n|---|---:|---:|\n");
        for c in &self.clients {
            let lines = c.lines.as_ref().map_or("n/a".into(), |l| l.to_string());
            let build = match &c.build {
                Ok(t) => format!("{:.1}", t.median),
                Err(e) => format!("n/a ({e})"),
            };
            let _ = writeln!(md, "| {} | {lines} | {build} |", c.name);
        }
        for c in &self.clients {
            if let Ok(w) = c.warm_seconds
                && w > 5.0
            {
                let _ = writeln!(
                    md,
                    "\nWarming the dependencies of {} took {w:.0} s in this run (first run only).",
                    c.name
                );
            }
        }
        md.push('\n');

        match &self.diff {
            Ok((t, n, specs)) => {
                let _ = writeln!(
                    md,
                    "### API diff\n\n{specs} (load both, normalize both, compare): {:.0} ms median, {n} changes.\n",
                    t.median * 1e3
                );
            }
            Err(e) => {
                let _ = writeln!(md, "### API diff\n\nnot measured: {e}\n");
            }
        }
        md.push_str("### Peers\n\n");
        for note in &self.install_notes {
            let _ = writeln!(md, "- {note}");
        }
        let _ = writeln!(md, "\nWhole run: {:.0} s.", elapsed.as_secs_f64());
        md
    }
}

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

// ---------------------------------------------------------------------------------------------
// Peers
// ---------------------------------------------------------------------------------------------

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

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
    })
}

/// Runs `cmd` with its output captured; the error carries the end of its stderr.
fn run_quiet(cmd: &mut Command) -> Figure<()> {
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("starting {:?}: {e}", cmd.get_program()))?;
    if output.status.success() {
        Ok(())
    } else {
        let mut err = tail(&output.stderr, 4);
        if err.is_empty() {
            err = tail(&output.stdout, 4);
        }
        Err(format!("exited with {}: {err}", output.status))
    }
}

fn tail(bytes: &[u8], lines: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let all: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    all[all.len().saturating_sub(lines)..].join(" / ")
}

// ---------------------------------------------------------------------------------------------
// Synthetic specs
// ---------------------------------------------------------------------------------------------

const SYNTHETIC_FAMILIES: [&str; 4] = ["accounts", "content", "billing", "operations"];
const SYNTHETIC_NOUNS: [&str; 8] = [
    "agent", "thread", "message", "task", "document", "invoice", "order", "widget",
];

fn synthetic_families() -> String {
    let mut toml = String::from(
        "# Written by `cargo xtask bench` for its synthetic specs.\nname_prefixes = [\"/api/v1\"]\n",
    );
    for family in SYNTHETIC_FAMILIES {
        let _ = write!(
            toml,
            "\n[[family]]\nname = \"{family}\"\ntitle = \"{family}\"\ndescription = \"Synthetic {family} resources.\"\npaths = [\"/api/v1/{family}/**\"]\n"
        );
    }
    toml
}

/// A deterministic OpenAPI 3.0.3 document with exactly `operations` operations: CRUD resources
/// (list with paging and filters, create, get, update, delete) spread over four families, four
/// component schemas per resource (resource, create and update bodies, page) with enums,
/// formats, nullable and nested fields, shared schemas and responses, bearer auth.
fn synthetic_spec(operations: usize) -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    schemas.insert(
        "Owner".into(),
        json!({
            "type": "object",
            "description": "Who owns a resource.",
            "required": ["id", "email"],
            "properties": {
                "id": {"type": "string", "description": "Owner id."},
                "email": {"type": "string", "format": "email"},
                "display_name": {"type": "string", "nullable": true},
            },
        }),
    );
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Machine-readable error code."},
                "message": {"type": "string"},
                "details": {"type": "object", "additionalProperties": true},
            },
        }),
    );
    let error = |description: &str| {
        json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        })
    };
    let responses = json!({
        "Unauthorized": error("Missing or invalid credentials."),
        "NotFound": error("No such resource."),
        "ValidationFailed": error("The request body is invalid."),
    });
    let json_body = |schema: &str| json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}});
    let status_enum = json!({"type": "string", "enum": ["active", "paused", "archived"]});

    let mut emitted = 0;
    let mut i = 0;
    while emitted < operations {
        let family = SYNTHETIC_FAMILIES[i % SYNTHETIC_FAMILIES.len()];
        let noun = SYNTHETIC_NOUNS[i % SYNTHETIC_NOUNS.len()];
        let ty = format!("{}{}{i}", noun[..1].to_uppercase(), &noun[1..]);
        let collection = format!("/api/v1/{family}/{noun}s_{i}");
        let item = format!("{collection}/{{{noun}_id}}");
        let tag = format!("{noun}s_{i}");
        let id_param = json!({
            "name": format!("{noun}_id"), "in": "path", "required": true,
            "description": format!("The {noun}'s id."),
            "schema": {"type": "string"},
        });
        let standard = |ok: &str, body: Option<&str>| {
            let mut r = Map::new();
            r.insert(
                ok.into(),
                match body {
                    Some(schema) => {
                        json!({"description": "Successful response.", "content": json_body(schema)})
                    }
                    None => json!({"description": "Deleted."}),
                },
            );
            r.insert(
                "401".into(),
                json!({"$ref": "#/components/responses/Unauthorized"}),
            );
            Value::Object(r)
        };
        schemas.insert(
            ty.clone(),
            json!({
                "type": "object",
                "description": format!("A {noun} (synthetic resource {i})."),
                "required": ["id", "name", "status", "created_at"],
                "properties": {
                    "id": {"type": "string", "description": "Stable identifier."},
                    "name": {"type": "string", "maxLength": 200},
                    "description": {"type": "string", "nullable": true},
                    "status": status_enum,
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time", "nullable": true},
                    "priority": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 10},
                    "score": {"type": "number", "format": "double"},
                    "enabled": {"type": "boolean", "default": true},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                    "owner": {"$ref": "#/components/schemas/Owner"},
                    "items": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key"],
                            "properties": {
                                "key": {"type": "string"},
                                "value": {"type": "integer", "format": "int64"},
                            },
                        },
                    },
                },
            }),
        );
        schemas.insert(
            format!("{ty}Create"),
            json!({
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 200},
                    "description": {"type": "string"},
                    "status": status_enum,
                    "priority": {"type": "integer", "format": "int32"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            }),
        );
        schemas.insert(
            format!("{ty}Update"),
            json!({
                "type": "object",
                "properties": {
                    "name": {"type": "string", "maxLength": 200},
                    "description": {"type": "string", "nullable": true},
                    "status": status_enum,
                    "enabled": {"type": "boolean"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            }),
        );
        schemas.insert(
            format!("{ty}Page"),
            json!({
                "type": "object",
                "required": ["data", "total"],
                "properties": {
                    "data": {"type": "array", "items": {"$ref": format!("#/components/schemas/{ty}")}},
                    "total": {"type": "integer", "format": "int64"},
                    "next_offset": {"type": "integer", "nullable": true},
                },
            }),
        );
        let ops = [
            (
                collection.clone(),
                "get",
                json!({
                    "operationId": format!("list_{noun}s_{i}"),
                    "tags": [tag],
                    "summary": format!("List {noun}s"),
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
                        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                        {"name": "q", "in": "query", "description": "Full-text filter.", "schema": {"type": "string"}},
                        {"name": "status", "in": "query", "schema": status_enum},
                    ],
                    "responses": standard("200", Some(&format!("{ty}Page"))),
                }),
            ),
            (
                collection.clone(),
                "post",
                json!({
                    "operationId": format!("create_{noun}_{i}"),
                    "tags": [tag],
                    "summary": format!("Create a {noun}"),
                    "requestBody": {"required": true, "content": json_body(&format!("{ty}Create"))},
                    "responses": {
                        "201": {"description": "Created.", "content": json_body(&ty)},
                        "401": {"$ref": "#/components/responses/Unauthorized"},
                        "422": {"$ref": "#/components/responses/ValidationFailed"},
                    },
                }),
            ),
            (
                item.clone(),
                "get",
                json!({
                    "operationId": format!("get_{noun}_{i}"),
                    "tags": [tag],
                    "summary": format!("Get a {noun}"),
                    "parameters": [id_param],
                    "responses": {
                        "200": {"description": "Successful response.", "content": json_body(&ty)},
                        "401": {"$ref": "#/components/responses/Unauthorized"},
                        "404": {"$ref": "#/components/responses/NotFound"},
                    },
                }),
            ),
            (
                item.clone(),
                "patch",
                json!({
                    "operationId": format!("update_{noun}_{i}"),
                    "tags": [tag],
                    "summary": format!("Update a {noun}"),
                    "parameters": [id_param],
                    "requestBody": {"required": true, "content": json_body(&format!("{ty}Update"))},
                    "responses": standard("200", Some(&ty)),
                }),
            ),
            (
                item.clone(),
                "delete",
                json!({
                    "operationId": format!("delete_{noun}_{i}"),
                    "tags": [tag],
                    "summary": format!("Delete a {noun}"),
                    "parameters": [id_param],
                    "responses": standard("204", None),
                }),
            ),
        ];
        for (path, method, op) in ops {
            if emitted == operations {
                break;
            }
            let entry = paths.entry(path).or_insert_with(|| json!({}));
            entry[method] = op;
            emitted += 1;
        }
        i += 1;
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Synthetic API", "version": "1.0.0", "description": format!("{operations} operations, generated by cargo xtask bench.")},
        "servers": [{"url": "https://api.example.com"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": responses,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn regen_options(root: &Path, spec: &str, families: &Path, out: &Path) -> Result<RegenOptions> {
    Ok(RegenOptions {
        spec: spec.to_owned(),
        families: families.to_owned(),
        out: out.to_owned(),
        standalone: true,
        support_crate: root.join("crates/archastro-client-support"),
        crate_version: release::read_version(&root.join("spec/release.toml"))?,
        mode: Mode::Write,
        stamp: None,
    })
}

fn spec_case(
    label: &str,
    path: PathBuf,
    families: PathBuf,
    sdk_version: &'static str,
) -> Result<SpecCase> {
    let doc = load::load_file(&path)?;
    let operations = doc.root["paths"].as_object().map_or(0, |paths| {
        paths
            .values()
            .filter_map(Value::as_object)
            .map(|item| {
                item.keys()
                    .filter(|k| METHODS.contains(&k.as_str()))
                    .count()
            })
            .sum()
    });
    Ok(SpecCase {
        label: label.to_owned(),
        path,
        families,
        operations,
        sdk_version,
    })
}

fn median(samples: &[f64]) -> f64 {
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("removing {}", dir.display()))
        }
        _ => Ok(()),
    }
}

/// Every file under `dir`, as (relative path, contents), sorted.
fn read_tree(dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap_or(&path).to_owned();
                out.push((rel, std::fs::read(&path)?));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn tree_size(dir: &Path) -> Result<(usize, u64)> {
    let files = read_tree(dir)?;
    Ok((files.len(), files.iter().map(|(_, c)| c.len() as u64).sum()))
}

/// Lines of every `.rs` file under `dir`.
fn count_lines(dir: &Path) -> Result<usize> {
    Ok(read_tree(dir)?
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "rs"))
        .map(|(_, c)| c.iter().filter(|b| **b == b'\n').count())
        .sum())
}

fn touch(path: &Path) -> Figure<()> {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(SystemTime::now()))
        .map_err(|e| format!("touching {}: {e}", path.display()))
}

fn machine() -> Value {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or_else(
            || "unknown memory".into(),
            |kib| format!("{:.0} GiB", kib / 1024.0 / 1024.0),
        );
    json!({"cores": cores, "cpu": cpu, "memory": memory, "os": std::env::consts::OS, "load_average_at_end": load_average()})
}

/// The 1-minute load average: other work on the machine makes every figure slower.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Today's date (UTC), as YYYY-MM-DD.
fn today() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Howard Hinnant's civil_from_days.
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_specs_have_the_asked_operation_count_and_are_deterministic() {
        for ops in [1, 7, 100] {
            let spec = synthetic_spec(ops);
            let count: usize = spec["paths"]
                .as_object()
                .unwrap()
                .values()
                .map(|i| i.as_object().unwrap().len())
                .sum();
            assert_eq!(count, ops);
            assert_eq!(spec, synthetic_spec(ops));
        }
    }

    #[test]
    fn synthetic_specs_regenerate() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let spec = dir.join("spec.json");
        std::fs::write(&spec, synthetic_spec(23).to_string()).unwrap();
        let families = dir.join("families.toml");
        std::fs::write(&families, synthetic_families()).unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let opts = regen_options(
            root,
            &spec.display().to_string(),
            &families,
            &dir.join("out"),
        )
        .unwrap();
        regen::regen(&opts).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn median_and_date() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(today().len(), 10);
    }
}
