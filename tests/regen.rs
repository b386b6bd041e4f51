//! The regen pipeline end to end: the committed tree is fresh, output is byte-identical run to
//! run, every real platform spec regenerates into a standalone directory, and a failure writes
//! nothing.

use std::path::Path;

use archastro_codegen::output::Mode;
use archastro_codegen::regen::{self, RegenOptions};
use archastro_tests::{platform_cargo, platform_spec_options, platform_specs, regen_options as options, workspace_root};

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
    assert!(specs.len() >= 7, "expected the platform snapshots of ../shared/specs/archastro and archastro-current");
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

/// The crates generated from a platform spec (client, server, contract) build, clippy-clean and
/// warning-free, on their own, document without a rustdoc warning, and the client's doc
/// examples (its README, with a call read off the spec) compile.
fn platform_crates_build_without_warnings(date: &str) {
    let out = tempfile::tempdir().unwrap();
    regen::regen(&platform_spec_options(date, out.path(), Mode::Write).1).unwrap();
    let output = platform_cargo()
        .args(["clippy", "--quiet", "--workspace", "--manifest-path"])
        .arg(out.path().join("Cargo.toml"))
        .args(["--", "-D", "warnings"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the crates of the {date} platform spec do not build cleanly:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let docs = platform_cargo()
        .env("RUSTDOCFLAGS", "-D warnings")
        .args(["doc", "--quiet", "--no-deps", "--workspace", "--manifest-path"])
        .arg(out.path().join("Cargo.toml"))
        .output()
        .unwrap();
    assert!(
        docs.status.success(),
        "the docs of the {date} platform crates have warnings:\n{}",
        String::from_utf8_lossy(&docs.stderr)
    );
    let doctests = platform_cargo()
        .args(["test", "--quiet", "--doc", "-p", "archastro-client", "--manifest-path"])
        .arg(out.path().join("Cargo.toml"))
        .output()
        .unwrap();
    assert!(
        doctests.status.success(),
        "the doc examples of the {date} client do not compile:\n{}{}",
        String::from_utf8_lossy(&doctests.stdout),
        String::from_utf8_lossy(&doctests.stderr)
    );
}

#[test]
fn the_2026_06_11_platform_crates_build_without_warnings() {
    platform_crates_build_without_warnings("2026-06-11");
}

/// The newest platform spec: array path parameters, streaming operations, the largest surface.
#[test]
fn the_2026_09_24_platform_crates_build_without_warnings() {
    platform_crates_build_without_warnings("2026-09-24");
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

/// Array and object path parameters make the round trip: the client generated from the
/// `path-params-array-object` fixture writes them as `style: simple` says (setters take a
/// `Vec`), the server generated beside it reads them back into typed values, and a segment
/// that does not read answers 400 (`tests/path_segments/round_trip.rs`, run against both).
/// The generated crates are clippy-clean.
#[test]
fn array_and_object_path_parameters_make_the_round_trip() {
    let root = workspace_root();
    let dir = root.join("target/path-segments");
    let fixture = root.join("tests/fixtures/normalize/path-params-array-object.3.0.json");
    regen::regen(&options(&fixture, "tests/fixtures/normalize/families.toml", &dir.join("gen"), true, Mode::Write)).unwrap();
    let output = platform_cargo()
        .args(["clippy", "--quiet", "--workspace", "--manifest-path"])
        .arg(dir.join("gen/Cargo.toml"))
        .args(["--", "-D", "warnings"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let runner = dir.join("round-trip");
    std::fs::create_dir_all(runner.join("src")).unwrap();
    let manifest = r#"# Written by tests/regen.rs.
[package]
name = "path_segments_round_trip"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
archastro-client = { path = "../gen/generated/archastro-client" }
archastro-server = { path = "../gen/generated/archastro-server" }
axum = { version = "0.8", default-features = false, features = ["tokio", "http1"] }
reqwest = { version = "0.13", default-features = false, features = ["json"] }
serde_json = "1"
tokio = { version = "1", features = ["macros", "net", "rt"] }
"#;
    std::fs::write(runner.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root.join("tests/path_segments/round_trip.rs"), runner.join("src/main.rs")).unwrap();
    // The workspace's resolved versions, so the runner builds with what CI already has.
    std::fs::copy(root.join("Cargo.lock"), runner.join("Cargo.lock")).unwrap();
    let manifest_path = runner.join("Cargo.toml");
    let output = platform_cargo().args(["run", "--quiet", "--manifest-path"]).arg(&manifest_path).output().unwrap();
    assert!(
        output.status.success(),
        "the round trip failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("round trip ok"));
}

/// The paths a regeneration found stale.
fn changed_paths(outcome: &regen::RegenOutcome) -> Vec<&str> {
    outcome.changes.iter().map(|c| c.path.as_str()).collect()
}

/// The stamp (`archastro_codegen::stamp`): a clean `--check` writes it, the next one
/// trusts it without generating, and every change to the tree or to an input is seen again.
#[test]
fn a_clean_check_stamps_the_tree_and_every_change_is_seen_again() {
    let root = workspace_root();
    let scratch = tempfile::tempdir().unwrap();
    let spec = scratch.path().join("openapi.json");
    std::fs::copy(root.join("spec/openapi.json"), &spec).unwrap();
    let stamp = scratch.path().join("stamps/tree.json");
    let out = tempfile::tempdir().unwrap();
    let with_stamp = |mode| RegenOptions { stamp: Some(stamp.clone()), ..options(&spec, "spec/families.toml", out.path(), true, mode) };
    let check = || regen::regen(&with_stamp(Mode::Check)).unwrap();

    regen::regen(&with_stamp(Mode::Write)).unwrap();
    assert!(!stamp.exists(), "write mode does not spend the time to stamp");
    let first = check();
    assert!(first.changes.is_empty() && !first.by_stamp);
    assert!(stamp.exists(), "a clean check stamps the tree");
    let second = check();
    assert!(second.changes.is_empty() && second.by_stamp, "an unchanged tree is trusted");
    assert!(regen::regen(&with_stamp(Mode::Write)).unwrap().by_stamp, "write mode trusts it too");

    // A hand edit of a generated file, then the same bytes again.
    let lib = out.path().join("generated/archastro-client/src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, format!("{text}// edited by hand\n")).unwrap();
    let edited = check();
    assert!(!edited.by_stamp);
    assert_eq!(changed_paths(&edited), ["generated/archastro-client/src/lib.rs"]);
    std::fs::write(&lib, &text).unwrap();
    assert!(check().by_stamp);

    // A file nobody generated, in a directory the tree owns.
    let stray = out.path().join("generated/archastro-server/src/stray.rs");
    std::fs::write(&stray, "// stray\n").unwrap();
    assert_eq!(changed_paths(&check()), ["generated/archastro-server/src/stray.rs"]);
    std::fs::remove_file(&stray).unwrap();

    // A removed file.
    let removed = out.path().join("spec/normalized/auth.json");
    let kept = std::fs::read(&removed).unwrap();
    std::fs::remove_file(&removed).unwrap();
    assert_eq!(changed_paths(&check()), ["spec/normalized/auth.json"]);
    std::fs::write(&removed, kept).unwrap();
    assert!(check().by_stamp);

    // Another crate version: another fingerprint, generated again.
    let mut bumped = with_stamp(Mode::Check);
    bumped.crate_version = "0.2.0".into();
    let bumped = regen::regen(&bumped).unwrap();
    assert!(!bumped.by_stamp && bumped.changes.iter().any(|c| c.path.ends_with("Cargo.toml")));

    // A changed spec: generated again, and the change shows.
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&spec).unwrap()).unwrap();
    doc["info"]["version"] = "9.9.9".into();
    std::fs::write(&spec, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let changed = check();
    assert!(!changed.by_stamp && !changed.changes.is_empty());

    // A stale check writes no stamp; a damaged stamp is only ignored.
    regen::regen(&with_stamp(Mode::Write)).unwrap();
    std::fs::write(&stamp, "not a stamp").unwrap();
    let after_damage = check();
    assert!(after_damage.changes.is_empty() && !after_damage.by_stamp);
    assert!(check().by_stamp, "the clean check replaced the damaged stamp");
}

/// Every input of a regeneration is in the stamp's fingerprint: the spec's, the families
/// file's, the support crate's and the example programs' bytes, and the options that reach
/// the output.
#[test]
fn the_fingerprint_covers_every_input() {
    use archastro_codegen::stamp::fingerprint;
    let root = workspace_root();
    let scratch = tempfile::tempdir().unwrap();
    let copy = |from: &Path, to: &str| {
        let to = scratch.path().join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, &to).unwrap();
        to
    };
    let spec = copy(&root.join("spec/openapi.json"), "openapi.json");
    let families = copy(&root.join("spec/families.toml"), "families.toml");
    let support = scratch.path().join("support");
    copy(&root.join("crates/archastro-client-support/Cargo.toml"), "support/Cargo.toml");
    copy(&root.join("crates/archastro-client-support/src/lib.rs"), "support/src/lib.rs");
    let base = RegenOptions {
        families: families.clone(),
        support_crate: support.clone(),
        ..options(&spec, "spec/families.toml", scratch.path(), true, Mode::Check)
    };
    let print = fingerprint(&base).expect("a file spec has a fingerprint");
    assert_eq!(fingerprint(&base).unwrap(), print, "the same inputs, the same fingerprint");
    let append = |path: &Path| {
        let mut bytes = std::fs::read(path).unwrap();
        bytes.extend_from_slice(b"\n");
        std::fs::write(path, &bytes).unwrap();
        bytes.pop();
        bytes
    };
    for path in [spec.clone(), families.clone(), support.join("Cargo.toml"), support.join("src/lib.rs")] {
        let before = append(&path);
        assert_ne!(fingerprint(&base).unwrap(), print, "{}", path.display());
        std::fs::write(&path, before).unwrap();
        assert_eq!(fingerprint(&base).unwrap(), print);
    }
    std::fs::write(support.join("src/new.rs"), "").unwrap();
    assert_ne!(fingerprint(&base).unwrap(), print, "a new support source");
    std::fs::remove_file(support.join("src/new.rs")).unwrap();
    let examples = scratch.path().join("client-examples");
    copy(&root.join("spec/client-examples/app_agents.rs"), "client-examples/app_agents.rs");
    let with_examples = RegenOptions { client_examples: Some(examples.clone()), ..base.clone() };
    let with_examples_print = fingerprint(&with_examples).expect("examples read");
    assert_ne!(with_examples_print, print, "the example programs");
    let before = append(&examples.join("app_agents.rs"));
    assert_ne!(fingerprint(&with_examples).unwrap(), with_examples_print, "an example program changed");
    std::fs::write(examples.join("app_agents.rs"), before).unwrap();
    let variants = [
        RegenOptions { crate_version: "0.9.0".into(), ..base.clone() },
        RegenOptions { standalone: false, ..base.clone() },
        RegenOptions { out: scratch.path().join("elsewhere"), ..base.clone() },
    ];
    for variant in &variants {
        assert_ne!(fingerprint(variant).unwrap(), print, "{variant:?}");
    }
    let from_url = RegenOptions { spec: "http://127.0.0.1:9/openapi.json".into(), ..base.clone() };
    assert_eq!(fingerprint(&from_url), None, "a fetched spec is never trusted from a stamp");
}
