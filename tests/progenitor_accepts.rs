//! The normalizer's promise to the generator: progenitor 0.15.1 (builder interface, one module
//! per tag, as the client crate uses it) generates every family of the pinned spec and of every
//! real platform spec without an error and without a panic. Raw progenitor panics on the
//! 2026-06-11 platform spec; after normalization it must not.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::{load, normalize};
use archastro_tests::{platform_specs, workspace_root};
use progenitor_impl::{GenerationSettings, Generator, InterfaceStyle, TagStyle};

fn generate_every_family(spec: &Path, families: &str) {
    let config = FamiliesConfig::load(&workspace_root().join(families)).unwrap();
    let doc = load::load_file(spec).unwrap();
    let normalized = normalize::normalize(&doc, &config).unwrap();
    for (name, document) in &normalized.families {
        let api: openapiv3::OpenAPI = serde_json::from_value(document.clone()).unwrap();
        let mut settings = GenerationSettings::default();
        settings.with_interface(InterfaceStyle::Builder).with_tag(TagStyle::Separate);
        let result = catch_unwind(AssertUnwindSafe(|| Generator::new(&settings).generate_tokens(&api)));
        match result {
            Ok(Ok(tokens)) => assert!(!tokens.is_empty(), "{name} of {}: no code", spec.display()),
            Ok(Err(e)) => panic!("{name} of {}: progenitor error: {e}", spec.display()),
            Err(_) => panic!("{name} of {}: progenitor panicked", spec.display()),
        }
    }
}

#[test]
fn progenitor_generates_the_pinned_spec() {
    generate_every_family(&workspace_root().join("spec/openapi.json"), "spec/families.toml");
}

#[test]
fn progenitor_generates_every_platform_spec() {
    for spec in platform_specs() {
        generate_every_family(&spec, "spec/families-platform-v1.toml");
    }
}
