//! The regen pipeline end to end: the committed tree is fresh, output is byte-identical run to
//! run, every real platform spec regenerates into a standalone directory, and a failure writes
//! nothing.

use std::path::Path;

use archastro_codegen::output::Mode;
use archastro_codegen::regen::{self, RegenOptions};
use archastro_tests::{platform_cargo, platform_specs, workspace_root};

fn options(spec: &Path, families: &str, out: &Path, standalone: bool, mode: Mode) -> RegenOptions {
    RegenOptions {
        spec: spec.display().to_string(),
        families: workspace_root().join(families),
        out: out.to_owned(),
        standalone,
        support_crate: workspace_root().join("crates/archastro-client-support"),
        crate_version: "0.1.0".into(),
        mode,
    }
}

/// Every file under `dir` with its bytes, sorted.
fn snapshot_dir(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn regen_check_is_clean_on_the_committed_tree() {
    let root = workspace_root();
    let outcome = regen::regen(&options(&root.join("spec/openapi.json"), "spec/families.toml", &root, false, Mode::Check)).unwrap();
    let stale: Vec<String> = outcome.changes.iter().map(|c| format!("{}\n{}", c.path, c.diff)).collect();
    assert!(stale.is_empty(), "run `cargo xtask regen`; stale:\n{}", stale.join("\n"));
}

#[test]
fn regen_output_is_byte_identical_across_runs() {
    let root = workspace_root();
    let mut specs = vec![(root.join("spec/openapi.json"), "spec/families.toml")];
    specs.extend(platform_specs().into_iter().rev().take(1).map(|s| (s, "spec/families-platform-v1.toml")));
    for (spec, families) in specs {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        regen::regen(&options(&spec, families, a.path(), true, Mode::Write)).unwrap();
        regen::regen(&options(&spec, families, b.path(), true, Mode::Write)).unwrap();
        assert_eq!(snapshot_dir(a.path()), snapshot_dir(b.path()), "{}", spec.display());
        // A second run over its own output changes nothing.
        let again = regen::regen(&options(&spec, families, a.path(), true, Mode::Check)).unwrap();
        assert!(again.changes.is_empty(), "{}", spec.display());
    }
}

#[test]
fn every_platform_spec_regenerates_into_a_standalone_directory() {
    let specs = platform_specs();
    assert_eq!(specs.len(), 5, "expected the five platform snapshots in ../shared/specs/archastro");
    for spec in specs {
        let out = tempfile::tempdir().unwrap();
        let outcome = regen::regen(&options(&spec, "spec/families-platform-v1.toml", out.path(), true, Mode::Write))
            .unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
        for family in ["auth", "runtime", "developer"] {
            let path = out.path().join(format!("spec/normalized/{family}.json"));
            let doc: openapiv3::OpenAPI = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            assert_eq!(doc.openapi, "3.0.3");
            assert!(!doc.paths.paths.is_empty(), "{family} of {} is empty", spec.display());
        }
        assert!(out.path().join("Cargo.toml").exists());
        let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
        // The summary, then every operation's final name: a naming change shows up in review.
        let report = &outcome.normalized.report;
        let mut text = report.summary();
        text.push_str("operation ids:\n");
        for e in report.entries.iter().filter(|e| e.rule.starts_with("operation-id-")) {
            text.push_str(&format!("  {}\n", e.message));
        }
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn a_failing_regen_leaves_the_output_untouched() {
    let root = workspace_root();
    let out = tempfile::tempdir().unwrap();
    regen::regen(&options(&root.join("spec/openapi.json"), "spec/families.toml", out.path(), true, Mode::Write)).unwrap();
    let before = snapshot_dir(out.path());
    let scratch = tempfile::tempdir().unwrap();
    let bad = scratch.path().join("bad.json");
    // Valid OpenAPI whose only path belongs to no family: normalization fails closed.
    std::fs::write(&bad, r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/nowhere": {"get": {"responses": {"200": {"description": "ok"}}}}}}"#).unwrap();
    let err = regen::regen(&options(&bad, "spec/families.toml", out.path(), true, Mode::Write)).unwrap_err();
    assert!(err.to_string().contains("#/paths/~1nowhere"), "{err}");
    assert_eq!(before, snapshot_dir(out.path()));
}

#[test]
fn the_pinned_spec_covers_what_the_issue_asks() {
    let spec: serde_json::Value = serde_json::from_slice(&std::fs::read(workspace_root().join("spec/openapi.json")).unwrap()).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let operations: usize = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().keys().filter(|k| archastro_codegen::normalize::METHODS.contains(&k.as_str())).count())
        .sum();
    assert!(operations >= 150, "{operations} operations");
    for scheme in ["publishableKey", "secretKey", "bearerAuth"] {
        assert!(spec["components"]["securitySchemes"][scheme].is_object(), "{scheme}");
    }
    assert!(spec["components"]["schemas"]["ErrorEnvelope"].is_object());
    assert!(spec["x-channels"].as_array().is_some_and(|c| c.len() >= 3));
}

/// Serves `body` once over HTTP/1.1 on 127.0.0.1; returns the URL.
fn serve_once(body: Vec<u8>) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/openapi.json", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
            line.clear();
        }
        let mut stream = stream;
        write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).unwrap();
        stream.write_all(&body).unwrap();
    });
    url
}

#[test]
fn regen_reads_the_spec_from_a_url_like_from_a_file() {
    let root = workspace_root();
    let spec = root.join("spec/openapi.json");
    let url = serve_once(std::fs::read(&spec).unwrap());
    let from_url = tempfile::tempdir().unwrap();
    let from_file = tempfile::tempdir().unwrap();
    let mut opts = options(&spec, "spec/families.toml", from_url.path(), true, Mode::Write);
    opts.spec = url;
    regen::regen(&opts).unwrap();
    regen::regen(&options(&spec, "spec/families.toml", from_file.path(), true, Mode::Write)).unwrap();
    assert_eq!(snapshot_dir(from_url.path()), snapshot_dir(from_file.path()));
}

/// The crates generated from the 2026-06-11 platform spec (client, server, contract) build,
/// clippy-clean and warning-free, on their own.
#[test]
fn the_platform_spec_crates_build_without_warnings() {
    let spec = platform_specs().into_iter().find(|s| s.to_string_lossy().contains("2026-06-11")).expect("the 2026-06-11 spec");
    let out = tempfile::tempdir().unwrap();
    regen::regen(&options(&spec, "spec/families-platform-v1.toml", out.path(), true, Mode::Write)).unwrap();
    let output = platform_cargo()
        .args(["clippy", "--quiet", "--workspace", "--manifest-path"])
        .arg(out.path().join("Cargo.toml"))
        .args(["--", "-D", "warnings"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the generated platform crates do not build cleanly:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A spec full of hostile names and texts generates crates that build cleanly, whose docs carry
/// no code fence (a doctest would run under `cargo test`), and in which nothing from the spec
/// became code.
#[test]
fn a_hostile_spec_cannot_inject_code() {
    let fixtures = workspace_root().join("tests/fixtures/normalize");
    let out = tempfile::tempdir().unwrap();
    let mut opts = options(&fixtures.join("hostile-descriptions.3.1.json"), "tests/fixtures/normalize/families.toml", out.path(), true, Mode::Write);
    opts.families = fixtures.join("families.toml");
    regen::regen(&opts).unwrap();
    for (path, bytes) in snapshot_dir(out.path()) {
        if path.ends_with(".rs") {
            let text = String::from_utf8(bytes).unwrap();
            assert!(!text.contains("```rust"), "{path} carries a code fence from the spec");
            // The spec's text may only appear inside comments and string literals, never as an item.
            for line in text.lines() {
                let code = line.trim_start();
                assert!(!(code.starts_with("fn evil") || code.starts_with("pub fn evil")), "{path}: `{line}`");
            }
        }
    }
    let output = platform_cargo()
        .args(["clippy", "--quiet", "--workspace", "--manifest-path"])
        .arg(out.path().join("Cargo.toml"))
        .args(["--", "-D", "warnings"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}
