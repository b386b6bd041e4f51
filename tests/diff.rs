//! `cargo xtask diff` end to end: the real platform specs pair by pair, one fixture pair per
//! rule under tests/fixtures/diff/<rule>/{base,head}.{json,yaml}, the false-positive traps
//! (which must report nothing), determinism and fingerprints.
//!
//! Fixtures are normalized with tests/fixtures/normalize/families.toml (every path is under
//! `/api/**`); a fixture's `head.families.toml` normalizes its head side with another file.

use std::path::Path;
use std::sync::OnceLock;

use archastro_codegen::diff::{DiffReport, Format, Level, diff_documents, diff_normalized, render};
use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::load::{Document, parse_document};
use archastro_codegen::normalize::normalize;
use archastro_tests::{platform_specs, workspace_root};

/// A families file named relative to the workspace, so nothing depends on the checkout.
fn families(relative: &str) -> FamiliesConfig {
    let text = std::fs::read_to_string(workspace_root().join(relative)).expect("families file is readable");
    FamiliesConfig::parse(relative, &text).expect("valid families file")
}

/// A document whose origin is `origin` (a relative path or a file name), not an absolute path.
fn document(path: &Path, origin: &str) -> Document {
    parse_document(origin, &std::fs::read(path).expect("spec is readable")).expect("valid spec")
}

/// Fingerprints are 12 lower-case hex digits and unique within a report.
fn check_fingerprints(report: &DiffReport) {
    let mut seen = std::collections::BTreeSet::new();
    for c in &report.changes {
        assert!(
            c.fingerprint.len() == 12 && c.fingerprint.chars().all(|x| x.is_ascii_hexdigit() && !x.is_ascii_uppercase()),
            "bad fingerprint {:?} of {c:?}",
            c.fingerprint
        );
        assert!(seen.insert(c.fingerprint.clone()), "duplicate fingerprint {} ({c:?})", c.fingerprint);
    }
}

/// The diff of real platform specs `i` → `i + 1` (sorted by date), named by file name.
fn real_pair(i: usize) -> DiffReport {
    let specs = platform_specs();
    let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
    let (base, head) = (document(&specs[i], &name(&specs[i])), document(&specs[i + 1], &name(&specs[i + 1])));
    let report = diff_documents(&base, &head, &families("spec/families-platform-v1.toml")).expect("real specs diff");
    check_fingerprints(&report);
    report
}

/// Each real pair is diffed once and shared by the tests that only read it.
fn real(i: usize) -> &'static DiffReport {
    static REPORTS: [OnceLock<DiffReport>; 4] = [const { OnceLock::new() }; 4];
    REPORTS[i].get_or_init(|| real_pair(i))
}

/// Snapshots the Markdown of real pair `i`, named after the two dates.
fn real_markdown(i: usize) {
    let specs = platform_specs();
    let date = |p: &Path| p.file_stem().unwrap().to_string_lossy().trim_start_matches("platform-openapi-").to_owned();
    let name = format!("real-{}-to-{}", date(&specs[i]), date(&specs[i + 1]));
    insta::assert_snapshot!(name, render(real(i), Format::Markdown));
}

/// A spec diffed against itself.
fn against_itself(spec: &Path, families_file: &str) -> DiffReport {
    let doc = document(spec, &spec.file_name().unwrap().to_string_lossy());
    diff_documents(&doc, &doc, &families(families_file)).expect("spec diffs against itself")
}

fn fixture_file(dir: &Path, side: &str) -> std::path::PathBuf {
    ["json", "yaml"]
        .iter()
        .map(|ext| dir.join(format!("{side}.{ext}")))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{} has no {side}.json or {side}.yaml", dir.display()))
}

/// The diff of tests/fixtures/diff/<rule>/: its text rendering is snapshotted (named after the
/// fixture) and the rule ids it reports, in report order, must be `ids`.
fn check(rule: &str, ids: &[&str]) {
    let relative = format!("tests/fixtures/diff/{rule}");
    let dir = workspace_root().join(&relative);
    let (base_file, head_file) = (fixture_file(&dir, "base"), fixture_file(&dir, "head"));
    let origin = |p: &Path| format!("{relative}/{}", p.file_name().unwrap().to_string_lossy());
    let base = document(&base_file, &origin(&base_file));
    let head = document(&head_file, &origin(&head_file));
    let shared = families("tests/fixtures/normalize/families.toml");
    let report = if dir.join("head.families.toml").exists() {
        let head_families = families(&format!("{relative}/head.families.toml"));
        let (b, h) = (normalize(&base, &shared).unwrap(), normalize(&head, &head_families).unwrap());
        diff_normalized(&base.origin, &b, &head.origin, &h).expect("fixture diffs")
    } else {
        diff_documents(&base, &head, &shared).expect("fixture diffs")
    };
    check_fingerprints(&report);
    insta::assert_snapshot!(rule, render(&report, Format::Text));
    let got: Vec<&str> = report.changes.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(got, ids, "rule ids of {rule}");
}

// Real consecutive specs.
#[test] fn real_2026_04_17_to_2026_04_21() { real_markdown(0); }
#[test] fn real_2026_04_21_to_2026_04_24() { real_markdown(1); }
#[test] fn real_2026_04_24_to_2026_06_11() { real_markdown(2); }
#[test] fn real_2026_06_11_to_2026_06_30() { real_markdown(3); }
#[test] fn real_2026_04_24_to_2026_06_11_has_at_least_20_changes() { assert!(serde_json::from_str::<serde_json::Value>(&render(real(2), Format::Json)).unwrap()["changes"].as_array().unwrap().len() >= 20); }

// A spec against itself reports nothing.
#[test] fn reference_spec_against_itself() { let r = against_itself(&workspace_root().join("spec/openapi.json"), "spec/families.toml"); assert!(r.changes.is_empty(), "{}", render(&r, Format::Text)); }
#[test] fn platform_2026_06_30_against_itself() { let r = against_itself(&platform_specs()[4], "spec/families-platform-v1.toml"); assert!(r.changes.is_empty() && !r.reaches(Level::Info), "{}", render(&r, Format::Text)); }

// Determinism and fingerprints (fingerprints are also checked on every report above and below).
#[test] fn json_output_is_byte_identical_run_to_run() { assert_eq!(render(&real_pair(2), Format::Json), render(&real_pair(2), Format::Json)); }
#[test] fn fingerprints_are_12_hex_and_unique_on_every_real_pair() { (0..4).for_each(|i| check_fingerprints(real(i))); }

// Performance sanity, not a timed assertion (the benchmark lives elsewhere): the largest pair,
// diffed once from scratch.
#[test] fn largest_pair_completes() { assert!(!real_pair(3).changes.is_empty()); }

// Operations.
#[test] fn api_removed_without_deprecation() { check("api-removed-without-deprecation", &["api-removed-without-deprecation"]); }
#[test] fn api_removed_with_deprecation() { check("api-removed-with-deprecation", &["api-removed-with-deprecation"]); }
#[test] fn api_path_removed_without_deprecation() { check("api-path-removed-without-deprecation", &["api-path-removed-without-deprecation"]); }
#[test] fn endpoint_added() { check("endpoint-added", &["endpoint-added"]); }
#[test] fn api_deprecated() { check("api-deprecated", &["api-deprecated"]); }
#[test] fn api_operation_id_changed() { check("api-operation-id-changed", &["api-operation-id-changed"]); }
// Operations are matched by method and path, and one families file places a path in one
// family, so with one families file (what `cargo xtask diff` takes) the family of an operation
// cannot change; the head side here is normalized with `head.families.toml` and compared with
// `diff_normalized`.
#[test] fn api_scope_family_changed() { check("api-scope-family-changed", &["api-scope-family-changed"]); }

// Security.
#[test] fn api_security_removed() { check("api-security-removed", &["api-security-removed"]); }
#[test] fn api_security_added() { check("api-security-added", &["api-security-added"]); }
// Security on an operation that had none is breaking.
// Its `rust` text says the operation now requires bearer.
#[test] fn api_security_added_to_open_operation() { check("api-security-added-to-open-operation", &["api-security-added"]); }

// Parameters.
#[test] fn new_required_request_parameter() { check("new-required-request-parameter", &["new-required-request-parameter"]); }
#[test] fn new_optional_request_parameter() { check("new-optional-request-parameter", &["new-optional-request-parameter"]); }
#[test] fn request_parameter_became_required() { check("request-parameter-became-required", &["request-parameter-became-required"]); }
#[test] fn request_parameter_removed() { check("request-parameter-removed", &["request-parameter-removed"]); }
#[test] fn request_parameter_type_changed() { check("request-parameter-type-changed", &["request-parameter-type-changed"]); }
#[test] fn request_parameter_enum_value_removed() { check("request-parameter-enum-value-removed", &["request-parameter-enum-value-removed"]); }
#[test] fn request_parameter_max_decreased() { check("request-parameter-max-decreased", &["request-parameter-max-decreased"]); }
#[test] fn request_parameter_pattern_added() { check("request-parameter-pattern-added", &["request-parameter-pattern-added"]); }
#[test] fn request_parameter_default_value_changed() { check("request-parameter-default-value-changed", &["request-parameter-default-value-changed"]); }

// Request bodies. The body is an array: optional object bodies are made required by the
// normalizer, so only a non-object body can become required.
#[test] fn request_body_became_required() { check("request-body-became-required", &["request-body-became-required"]); }
// The normalizer keeps one media type per body, so removing one means another takes its place.
#[test] fn request_body_media_type_removed() { check("request-body-media-type-removed", &["request-body-media-type-removed", "request-body-media-type-added"]); }
#[test] fn new_required_request_property() { check("new-required-request-property", &["new-required-request-property"]); }
// Wire-compatible, but Rust struct literals of the body type break.
#[test] fn new_optional_request_property() { check("new-optional-request-property", &["new-optional-request-property"]); }
#[test] fn request_property_type_changed() { check("request-property-type-changed", &["request-property-type-changed"]); }
#[test] fn request_property_enum_value_removed() { check("request-property-enum-value-removed", &["request-property-enum-value-removed"]); }
// `note` is optional, so its Rust field stays `Option<String>`: breaking on the wire, not for
// Rust callers.
#[test] fn request_property_became_not_nullable() { check("request-property-became-not-nullable", &["request-property-became-not-nullable"]); }
#[test] fn request_body_one_of_removed() { check("request-body-one-of-removed", &["request-body-one-of-removed"]); }

// Responses.
#[test] fn response_success_status_removed() { check("response-success-status-removed", &["response-success-status-removed"]); }
#[test] fn response_media_type_removed() { check("response-media-type-removed", &["response-media-type-removed"]); }
#[test] fn response_required_property_removed() { check("response-required-property-removed", &["response-required-property-removed"]); }
#[test] fn response_property_became_optional() { check("response-property-became-optional", &["response-property-became-optional"]); }
#[test] fn response_property_became_nullable() { check("response-property-became-nullable", &["response-property-became-nullable"]); }
#[test] fn response_property_type_changed() { check("response-property-type-changed", &["response-property-type-changed"]); }
#[test] fn response_property_enum_value_added() { check("response-property-enum-value-added", &["response-property-enum-value-added"]); }
#[test] fn response_body_one_of_added() { check("response-body-one-of-added", &["response-body-one-of-added"]); }

// False-positive traps: nothing to report.
#[test] fn trap_inline_to_ref_request_body() { check("trap-inline-to-ref-request-body", &[]); }
#[test] fn trap_inline_to_ref_response() { check("trap-inline-to-ref-response", &[]); }
#[test] fn trap_inline_to_ref_property() { check("trap-inline-to-ref-property", &[]); }
// An inline alternative moved to a `$ref` of the same shape is the same alternative.
#[test] fn trap_inline_to_ref_one_of() { check("trap-inline-to-ref-one-of", &[]); }
#[test] fn trap_parameter_to_path_level() { check("trap-parameter-to-path-level", &[]); }
// Reordered `enum` and `required` inside an inline alternative change nothing.
#[test] fn trap_reordered_enum() { check("trap-reordered-enum", &[]); }
#[test] fn trap_reordered_required() { check("trap-reordered-required", &[]); }
#[test] fn trap_reordered_keys() { check("trap-reordered-keys", &[]); }
#[test] fn trap_yaml_vs_json() { check("trap-yaml-vs-json", &[]); }
#[test] fn trap_dialect_3_0_vs_3_1() { check("trap-dialect-3-0-vs-3-1", &[]); }
#[test] fn trap_security_root_to_operation() { check("trap-security-root-to-operation", &[]); }

// Alternatives and the schemas behind them.
// oneOf [Circle, Square] → [Circle] (which the normalizer writes as allOf [Circle]): Square removed.
#[test] fn request_body_one_of_removed_to_one() { check("request-body-one-of-removed-to-one", &["request-body-one-of-removed"]); }
// The `$ref`'d alternative Circle loses its required `radius` and gains `diameter`.
#[test] fn response_one_of_variant_property_removed() { check("response-one-of-variant-property-removed", &["response-required-property-removed", "response-optional-property-added"]); }
// oauth scopes ["read"] → ["read", "write"].
#[test] fn api_security_scope_added() { check("api-security-scope-added", &["api-security-scope-added"]); }
// A `$ref`'d enum property made nullable (`allOf: [$ref], nullable` in 3.0): only that.
#[test] fn response_property_became_nullable_ref() { check("response-property-became-nullable-ref", &["response-property-became-nullable"]); }
// A property named `title` changing type inside an inline alternative: the alternative becomes
// the same component on both sides, so the change is reported on that property.
#[test] fn response_one_of_inline_variant_title_type_changed() { check("response-one-of-inline-variant-title-type-changed", &["response-property-type-changed"]); }
