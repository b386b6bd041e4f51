//! Builds of `cargo xtask test` beyond the workspace's own: the client with its other TLS
//! stack, and the client with the oldest Rust it declares (`rust-version`).

use std::path::Path;
use std::process::Command;

use anyhow::Result;
use archastro_codegen::client::RUST_VERSION;

use crate::peers::run;

/// The client support's tests (with `blocking`) and the client's build with `native-tls`
/// instead of the default `rustls` (and without `tracing`, which the workspace's tests turn on).
pub fn native_tls(root: &Path) -> Result<()> {
    let features = ["--no-default-features", "--features", "native-tls"];
    // The `blocking` feature's own tests ride along (the workspace's tests use it through
    // the client only).
    run(cargo(root)
        .args(["test", "--quiet", "-p", "archastro-client-support"])
        .args(["--no-default-features", "--features", "native-tls,blocking"]))?;
    run(cargo(root)
        .args(["build", "--quiet", "-p", "archastro-client"])
        .args(features))
}

/// `cargo +<rust-version> check -p archastro-client` into `target/msrv`, after installing
/// that toolchain with rustup when it is missing (a check proves what the compiler accepts,
/// in half the time of a build on a cold target). Without rustup, or when the toolchain
/// cannot be installed (no network), the step says why and is skipped.
pub fn msrv_check(root: &Path) -> Result<()> {
    if let Err(reason) = msrv_toolchain() {
        println!("skipped: Rust {RUST_VERSION} is not installed and {reason}");
        return Ok(());
    }
    let mut msrv = crate::toolchain_cargo_command(RUST_VERSION);
    run(msrv
        .current_dir(root)
        .args(["check", "--quiet", "--locked", "-p", "archastro-client"])
        .env("CARGO_TARGET_DIR", root.join("target/msrv")))
}

/// Makes sure the `RUST_VERSION` toolchain is installed; the reason when it cannot be.
fn msrv_toolchain() -> std::result::Result<(), String> {
    let list = Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .map_err(|e| format!("rustup cannot be run ({e})"))?;
    let installed = String::from_utf8_lossy(&list.stdout)
        .lines()
        .any(|line| line.starts_with(&format!("{RUST_VERSION}-")));
    if installed {
        return Ok(());
    }
    let install = Command::new("rustup")
        .args(["toolchain", "install", RUST_VERSION, "--profile", "minimal"])
        .output()
        .map_err(|e| format!("rustup cannot be run ({e})"))?;
    if install.status.success() {
        return Ok(());
    }
    let why = String::from_utf8_lossy(&install.stderr);
    let last = why
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    Err(format!(
        "`rustup toolchain install {RUST_VERSION}` failed ({}: {last})",
        install.status
    ))
}

fn cargo(root: &Path) -> Command {
    let mut cmd = crate::cargo_command();
    cmd.current_dir(root);
    cmd
}
