//! The client's public API, per spec: every resource path and method signature
//! (`client::public_api`, read from the model), snapshotted so that a change of the Rust API
//! shows in review as plainly as the spec diff. One test per spec: the repository's and every
//! platform spec of `../shared`.

use std::path::Path;

use archastro_codegen::client::public_api;
use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::model::Api;
use archastro_codegen::{load, normalize};
use archastro_tests::{shared_dir, workspace_root};

/// The public API of the client of `spec` (relative to the workspace) with `families`.
fn snapshot(spec: &Path, families: &str) {
    let config = FamiliesConfig::load(&workspace_root().join(families)).unwrap();
    let normalized = normalize::normalize_owned(load::load_file(spec).unwrap(), &config).unwrap();
    let api = Api::new(&normalized).unwrap();
    let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
    insta::assert_snapshot!(name, public_api(&api));
}

fn platform(folder: &str, date: &str) {
    let spec = shared_dir().join(format!("specs/{folder}/platform-openapi-{date}.json"));
    snapshot(&spec, "spec/families-platform-v1.toml");
}

#[test]
fn repository_spec() {
    snapshot(&workspace_root().join("spec/openapi.json"), "spec/families.toml");
}

#[test]
fn platform_2026_04_17() {
    platform("archastro", "2026-04-17");
}

#[test]
fn platform_2026_04_21() {
    platform("archastro", "2026-04-21");
}

#[test]
fn platform_2026_04_24() {
    platform("archastro", "2026-04-24");
}

#[test]
fn platform_2026_06_11() {
    platform("archastro", "2026-06-11");
}

#[test]
fn platform_2026_06_30() {
    platform("archastro", "2026-06-30");
}

#[test]
fn platform_2026_08_18() {
    platform("archastro-current", "2026-08-18");
}

#[test]
fn platform_2026_09_24() {
    platform("archastro-current", "2026-09-24");
}
