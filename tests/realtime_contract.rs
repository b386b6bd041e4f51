//! The realtime client (typed channel facades over Phoenix channels, SSE event streams) against
//! the vendor's contract harness and against our emulator.
//!
//! - `harness_*`: `@archastro/channel-harness` 0.7.1 on 127.0.0.1 with the 2026-06-30 platform
//!   spec (it declares channels and an SSE route). The client generated from that spec runs
//!   the scenarios of `tests/realtime/platform_scenarios.rs` (regenerated and built once, under
//!   `target/realtime-platform/`, sharing `target/platform-client` with the other builds of
//!   platform clients).
//! - `emulator_*`: the repository's client (`spec/openapi.json`) against the emulator's
//!   WebSocket: a message posted over REST reaches the thread's subscribers; typing is relayed
//!   between two users.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use archastro_codegen::output::Mode;
use archastro_codegen::regen::{self, RegenOptions};
use archastro_tests::{ChannelHarness, platform_specs, workspace_root};

fn platform_spec() -> PathBuf {
    platform_specs()
        .into_iter()
        .find(|s| s.to_string_lossy().contains("2026-06-30"))
        .expect("the 2026-06-30 platform spec (../shared/specs)")
}

/// Regenerates the 2026-06-30 client and builds the scenario runner against it, once.
fn scenario_runner() -> &'static Path {
    static RUNNER: OnceLock<PathBuf> = OnceLock::new();
    RUNNER.get_or_init(|| {
        let root = workspace_root();
        let dir = root.join("target/realtime-platform");
        let generated = dir.join("gen");
        regen::regen(&RegenOptions {
            spec: platform_spec().display().to_string(),
            families: root.join("spec/families-platform-v1.toml"),
            out: generated.clone(),
            standalone: true,
            support_crate: root.join("crates/archastro-client-support"),
            crate_version: "0.1.0".into(),
            mode: Mode::Write,
        })
        .expect("regenerating the 2026-06-30 platform client");
        let crate_dir = dir.join("scenarios");
        std::fs::create_dir_all(crate_dir.join("src")).unwrap();
        let manifest = r#"# Written by tests/realtime_contract.rs.
[package]
name = "platform_scenarios"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
archastro-client = { path = "../gen/generated/archastro-client" }
futures = "0.3"
reqwest = { version = "0.13", default-features = false, features = ["json", "query"] }
serde_json = "1"
tokio = { version = "1", features = ["macros", "rt-multi-thread", "time"] }
"#;
        write_if_changed(&crate_dir.join("Cargo.toml"), manifest.as_bytes());
        write_if_changed(
            &crate_dir.join("src/main.rs"),
            &std::fs::read(root.join("tests/realtime/platform_scenarios.rs")).unwrap(),
        );
        // The workspace's resolved versions, so the runner builds with what CI already has.
        let lock = crate_dir.join("Cargo.lock");
        if !lock.exists() {
            std::fs::copy(root.join("Cargo.lock"), &lock).unwrap();
        }
        let target = root.join("target/platform-client");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(cargo)
            .args(["build", "--quiet", "--manifest-path"])
            .arg(crate_dir.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "building the scenario runner against the 2026-06-30 client failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        target.join("debug/platform_scenarios")
    })
}

fn write_if_changed(path: &Path, bytes: &[u8]) {
    if std::fs::read(path).ok().as_deref() != Some(bytes) {
        std::fs::write(path, bytes).unwrap();
    }
}

/// Runs one scenario against a fresh harness.
fn harness_scenario(name: &str) {
    let runner = scenario_runner();
    let harness = ChannelHarness::start(&platform_spec());
    let output = Command::new(runner)
        .args([name, &harness.ws_url, &harness.control_url])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn harness_join_with_typed_params_and_typed_reply() {
    harness_scenario("join");
}

#[test]
fn harness_message_gets_typed_reply_and_refusal_reason() {
    harness_scenario("message");
}

#[test]
fn harness_scripted_pushes_arrive_typed_and_in_order() {
    harness_scenario("pushes");
}

#[test]
fn harness_refused_join_surfaces_the_reason() {
    harness_scenario("refused");
}

#[test]
fn harness_closed_socket_reconnects_rejoins_and_keeps_delivering() {
    harness_scenario("reconnect");
}

#[test]
fn harness_missing_reply_times_out() {
    harness_scenario("reply_timeout");
}

#[test]
fn harness_sse_events_arrive_typed_and_in_order() {
    harness_scenario("sse_emit");
}

#[test]
fn harness_sse_error_status_is_a_typed_error() {
    harness_scenario("sse_status");
}

#[test]
fn harness_sse_disconnect_and_error_event_are_typed_errors() {
    harness_scenario("sse_disconnect");
}
