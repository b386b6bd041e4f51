//! The names of the shared types stay short on every platform spec (both folders): none over
//! 60 characters, and 90 % of them at most 40. The names are read from the generated
//! `src/types.rs` itself, so they are the ones users see: the components (the spec's, the
//! normalizer's lifted shapes), the realtime surface's, and any typify still names on its own.

use std::path::Path;

use archastro_codegen::client::{SupportSources, generate_client};
use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::model::Api;
use archastro_codegen::{load, normalize};
use archastro_tests::{platform_specs, workspace_root};

/// The longest name allowed.
const LONGEST: usize = 60;
/// The most the 90th percentile of the name lengths may be.
const NINETIETH_PERCENTILE: usize = 40;

/// The top-level types of the client's `src/types.rs` for `spec`.
fn shared_type_names(spec: &Path) -> Vec<String> {
    let config = FamiliesConfig::load(&workspace_root().join("spec/families-platform-v1.toml")).unwrap();
    let normalized = normalize::normalize_owned(load::load_file(spec).unwrap(), &config).unwrap();
    let api = Api::new(&normalized).unwrap();
    let support = SupportSources::read(&workspace_root().join("crates/archastro-client-support")).unwrap();
    let files = generate_client(&api, &config, &support, "0.0.0").unwrap();
    files["src/types.rs"]
        .lines()
        .filter_map(|line| line.strip_prefix("pub struct ").or_else(|| line.strip_prefix("pub enum ")))
        .map(|rest| rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or_default().to_owned())
        .collect()
}

/// The nearest-rank 90th percentile of the lengths of `names`.
fn ninetieth_percentile(names: &[String]) -> usize {
    let mut lengths: Vec<usize> = names.iter().map(String::len).collect();
    lengths.sort_unstable();
    lengths[(lengths.len() * 9).div_ceil(10) - 1]
}

#[test]
fn shared_type_names_stay_short_on_platform_specs() {
    let specs = platform_specs();
    assert!(specs.len() >= 7, "expected every platform spec, found {}", specs.len());
    for spec in specs {
        let names = shared_type_names(&spec);
        assert!(names.len() > 100, "{}: only {} shared types read", spec.display(), names.len());
        let too_long: Vec<&String> = names.iter().filter(|n| n.len() > LONGEST).collect();
        assert!(too_long.is_empty(), "{}: names over {LONGEST} characters: {too_long:?}", spec.display());
        let p90 = ninetieth_percentile(&names);
        assert!(p90 <= NINETIETH_PERCENTILE, "{}: 90 % of the names are up to {p90} characters long", spec.display());
    }
}

#[test]
fn the_percentile_is_the_nearest_rank() {
    let names: Vec<String> = (1..=10).map(|n| "x".repeat(n)).collect();
    assert_eq!(ninetieth_percentile(&names), 9);
    assert_eq!(ninetieth_percentile(&names[..1]), 1);
}
