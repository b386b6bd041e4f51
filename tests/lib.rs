//! Helpers shared by the workspace's integration tests: where the repository and `../shared`
//! are, and one function per kind of data-driven test so each test is one line.

use std::path::{Path, PathBuf};

use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::{load, normalize};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_owned()
}

/// `../shared` beside the checkout; the tests that read the real specs need it.
pub fn shared_dir() -> PathBuf {
    let dir = workspace_root().join("../shared");
    assert!(
        dir.join("specs/archastro").is_dir(),
        "{} is missing: clone the repository with ../shared beside it",
        dir.display()
    );
    dir
}

/// `cargo` for the builds of generated crates outside the workspace (the platform clients,
/// the hostile fixture, the realtime runner). They share `target/platform-client`, so their
/// dependencies compile once, and skip incremental state and debug info: a generated client
/// is several megabytes of source, and both would cost gigabytes of disk for nothing a test
/// reads.
pub fn platform_cargo() -> std::process::Command {
    let mut cmd = std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.env("CARGO_TARGET_DIR", workspace_root().join("target/platform-client"))
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_PROFILE_DEV_DEBUG", "0");
    cmd
}

/// Options for regenerating `spec` with `families` (relative to the workspace) into `out`, with
/// the repository's support crate (and, for the repository's spec, its example programs),
/// version 0.1.0 and no stamp.
pub fn regen_options(
    spec: &Path,
    families: &str,
    out: &Path,
    standalone: bool,
    mode: archastro_codegen::output::Mode,
) -> archastro_codegen::regen::RegenOptions {
    archastro_codegen::regen::RegenOptions {
        spec: spec.display().to_string(),
        families: workspace_root().join(families),
        out: out.to_owned(),
        standalone,
        support_crate: workspace_root().join("crates/archastro-client-support"),
        client_examples: (spec == workspace_root().join("spec/openapi.json"))
            .then(|| workspace_root().join("spec/client-examples")),
        crate_version: "0.1.0".into(),
        mode,
        stamp: None,
    }
}

/// The platform spec of `date` (`2026-09-24`) and the options for regenerating it with the
/// platform families file into `out`, its crates versioned `0.1.0-<date digits>`.
///
/// The version keeps the crates of two specs apart in the shared `target/platform-client`:
/// cargo tells path packages apart by name, version and their path relative to their
/// workspace, which every regenerated tree shares, so under one version a build of one spec
/// could reuse another's artifacts as fresh.
pub fn platform_spec_options(date: &str, out: &Path, mode: archastro_codegen::output::Mode) -> (PathBuf, archastro_codegen::regen::RegenOptions) {
    let spec = platform_specs()
        .into_iter()
        .find(|s| s.to_string_lossy().contains(date))
        .unwrap_or_else(|| panic!("the {date} platform spec (../shared/specs)"));
    let mut options = regen_options(&spec, "spec/families-platform-v1.toml", out, true, mode);
    options.crate_version = format!("0.1.0-{}", date.replace('-', ""));
    (spec, options)
}

/// Every real platform spec, sorted by date: the older snapshots (`../shared/specs/archastro/`)
/// then the current ones (`../shared/specs/archastro-current/`).
pub fn platform_specs() -> Vec<PathBuf> {
    let mut specs = Vec::new();
    for dir in ["specs/archastro", "specs/archastro-current"] {
        let dir = shared_dir().join(dir);
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        found.sort();
        specs.extend(found);
    }
    specs
}

/// Normalizes `spec` with `families` and renders everything a reviewer wants to see: the
/// error, or every rule application followed by each family document.
pub fn render_normalization(spec: &Path, families: &Path, origin: &str) -> String {
    // Name the families file relative to the workspace, so snapshots do not depend on where
    // the repository is checked out.
    let text = std::fs::read_to_string(families).expect("families file is readable");
    let families_origin = families.strip_prefix(workspace_root()).unwrap_or(families).display().to_string();
    let config = match FamiliesConfig::parse(&families_origin, &text) {
        Ok(c) => c,
        Err(e) => return format!("error: {e}\n"),
    };
    let bytes = std::fs::read(spec).expect("fixture is readable");
    let result = load::parse_document(origin, &bytes).and_then(|doc| normalize::normalize(&doc, &config));
    match result {
        Err(e) => format!("error: {e}\n"),
        Ok(n) => {
            let mut out = String::from("== report ==\n");
            out.push_str(&n.report.verbose());
            for (name, doc) in &n.families {
                out.push_str(&format!("== {name}.json ==\n"));
                out.push_str(&serde_json::to_string_pretty(doc).expect("serializable"));
                out.push('\n');
            }
            out
        }
    }
}

/// Snapshot of a fixture under `tests/fixtures/normalize/`, with that folder's
/// `families.toml` unless the fixture has its own `<name>.families.toml`.
pub fn normalize_fixture(name: &str) -> String {
    let dir = workspace_root().join("tests/fixtures/normalize");
    let own = dir.join(format!("{}.families.toml", name.split('.').next().unwrap_or(name)));
    let families = if own.exists() { own } else { dir.join("families.toml") };
    render_normalization(&dir.join(name), &families, &format!("tests/fixtures/normalize/{name}"))
}

/// Prism, the OpenAPI mock server that validates every request against the spec
/// (`@stoplight/prism-cli`, the version npm installs on Node 20), installed into
/// `target/peers/node` on first use.
pub fn prism_binary() -> PathBuf {
    npm_peer("node", "node_modules/.bin/prism", &["@stoplight/prism-cli@5.14.2"], None)
}

/// Installs npm `packages` into `target/peers/<dir>` unless `<dir>/<installed>` exists (one
/// install at a time), with `manifest` as its `package.json` when given; returns that path.
fn npm_peer(dir: &str, installed: &str, packages: &[&str], manifest: Option<serde_json::Value>) -> PathBuf {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let prefix = workspace_root().join("target/peers").join(dir);
    let path = prefix.join(installed);
    if !path.exists() {
        std::fs::create_dir_all(&prefix).unwrap_or_else(|e| panic!("creating {}: {e}", prefix.display()));
        if let Some(manifest) = manifest {
            std::fs::write(prefix.join("package.json"), serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
        }
        let status = std::process::Command::new("npm")
            .arg("install")
            .arg("--prefix")
            .arg(&prefix)
            .args(["--no-audit", "--no-fund", "--loglevel=error"])
            .args(packages)
            .status()
            .expect("npm must be installed to run the tests that use npm peers");
        assert!(status.success(), "npm install into target/peers/{dir} failed");
    }
    path
}

/// A running Prism mock of one spec on 127.0.0.1; stopped when dropped. With `--errors`, a
/// request that violates the spec gets an error response instead of a mock answer.
pub struct PrismMock {
    pub url: String,
    child: std::process::Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl PrismMock {
    pub fn start(spec: &Path) -> PrismMock {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("prism.log");
        let child = std::process::Command::new(prism_binary())
            .args(["mock", "--errors", "-h", "127.0.0.1", "-p", &port.to_string()])
            .arg(spec)
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starting prism");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "prism did not start: {}", std::fs::read_to_string(&log).unwrap_or_default());
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        PrismMock { url: format!("http://127.0.0.1:{port}"), child, log, _dir: dir }
    }

    /// The request violations Prism logged.
    pub fn violations(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("Violation"))
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for PrismMock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// schemathesis (PyPI), installed into `target/peers/schemathesis` on first use.
pub fn schemathesis_binary() -> PathBuf {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let venv = workspace_root().join("target/peers/schemathesis");
    let bin = venv.join("bin/st");
    if !bin.exists() {
        let status = std::process::Command::new("python3").arg("-m").arg("venv").arg(&venv).status().expect("python3 -m venv");
        assert!(status.success(), "creating the schemathesis venv failed");
        let status = std::process::Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "schemathesis==4.32.5"])
            .status()
            .expect("pip install schemathesis");
        assert!(status.success(), "pip install schemathesis failed");
    }
    bin
}

/// `@archastro/channel-harness` 0.7.1 (npm), the vendor's contract server for `x-channels` and
/// SSE routes, installed into `target/peers/channel-harness` on first use. Its manifest asks
/// for `@archastro/sdk-generator@^0.9.0`, which the registry no longer has: an `overrides`
/// entry pins it to 0.11.9.
pub fn channel_harness_script() -> PathBuf {
    let manifest = serde_json::json!({
        "name": "archastro-channel-harness-peer",
        "version": "0.0.0",
        "private": true,
        "dependencies": { "@archastro/channel-harness": "0.7.1" },
        "overrides": { "@archastro/sdk-generator": "0.11.9" },
    });
    npm_peer("channel-harness", "node_modules/@archastro/channel-harness/dist/bin.js", &[], Some(manifest))
}

/// A running channel harness for one spec on 127.0.0.1 (ephemeral ports); stopped when
/// dropped. `ws_url` is its Phoenix socket, `control_url` its control API and SSE routes.
pub struct ChannelHarness {
    pub ws_url: String,
    pub control_url: String,
    child: std::process::Child,
}

impl ChannelHarness {
    pub fn start(spec: &Path) -> ChannelHarness {
        use std::io::BufRead as _;
        let mut child = std::process::Command::new("node")
            .arg(channel_harness_script())
            .arg(spec)
            .args(["--ws-port", "0", "--control-port", "0", "--host", "127.0.0.1"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("starting the channel harness (node)");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).expect("reading the harness's first line");
        let urls: serde_json::Value = serde_json::from_str(line.trim())
            .unwrap_or_else(|e| panic!("the harness printed `{line}` instead of its URLs: {e}"));
        let text = |key: &str| urls[key].as_str().unwrap_or_else(|| panic!("no `{key}` in `{line}`")).to_owned();
        ChannelHarness { ws_url: text("wsUrl"), control_url: text("controlUrl"), child }
    }
}

impl Drop for ChannelHarness {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
