//! The names of the shared types stay short on every platform spec (both folders): none over
//! 60 characters, and 90 % of them at most 40. The names are read from the generated
//! `src/types.rs` itself (`client::shared_type_names`), so they are the ones users see: the
//! components (the spec's, the normalizer's lifted shapes), the realtime surface's, and any
//! typify still names on its own. `cargo xtask bench` reports the same figures.

use std::path::Path;

use archastro_codegen::client::{NameLengths, SupportSources, TYPES_FILE, generate_client, shared_type_names};
use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::model::Api;
use archastro_codegen::{load, normalize};
use archastro_tests::{platform_specs, workspace_root};

/// The longest name allowed.
const LONGEST: usize = 60;
/// The most the 90th percentile of the name lengths may be.
const NINETIETH_PERCENTILE: usize = 40;

/// The top-level types of the client's `src/types.rs` for `spec`.
fn shared_types_of(spec: &Path) -> Vec<String> {
    let config = FamiliesConfig::load(&workspace_root().join("spec/families-platform-v1.toml")).unwrap();
    let normalized = normalize::normalize_owned(load::load_file(spec).unwrap(), &config).unwrap();
    let api = Api::new(&normalized).unwrap();
    let support = SupportSources::read(&workspace_root().join("crates/archastro-client-support")).unwrap();
    let files = generate_client(&api, &config, &support, "0.0.0").unwrap();
    shared_type_names(&files[TYPES_FILE])
}

#[test]
fn shared_type_names_stay_short_on_platform_specs() {
    let specs = platform_specs();
    assert!(specs.len() >= 7, "expected every platform spec, found {}", specs.len());
    for spec in specs {
        let names = shared_types_of(&spec);
        assert!(names.len() > 100, "{}: only {} shared types read", spec.display(), names.len());
        let too_long: Vec<&String> = names.iter().filter(|n| n.len() > LONGEST).collect();
        assert!(too_long.is_empty(), "{}: names over {LONGEST} characters: {too_long:?}", spec.display());
        let p90 = NameLengths::of(&names).unwrap().ninetieth_percentile;
        assert!(p90 <= NINETIETH_PERCENTILE, "{}: 90 % of the names are up to {p90} characters long", spec.display());
    }
}
