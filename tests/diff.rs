//! `cargo xtask diff` end to end: the real platform specs pair by pair, one fixture pair per
//! rule under tests/fixtures/diff/<rule>/{base,head}.{json,yaml}, the false-positive traps
//! (which must report nothing), determinism and fingerprints.
//!
//! Fixtures are normalized with tests/fixtures/normalize/families.toml (every path is under
//! `/api/**`); a fixture's `head.families.toml` normalizes its head side with another file.

use std::path::Path;
use std::sync::OnceLock;

use std::collections::BTreeMap;

use archastro_codegen::diff::{DEFAULT_BUDGET, DiffReport, Format, INLINE_ENUM, INLINE_STRUCT, Level, RustVerdict, diff_documents, diff_normalized, predicted_fields, render};
use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::load::{Document, parse_document};
use archastro_codegen::normalize::normalize;
use archastro_codegen::output::Mode;
use archastro_codegen::regen;
use archastro_tests::{platform_specs, regen_options, workspace_root};

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

/// The date of a platform spec: `2026-06-30`.
fn date(spec: &Path) -> String {
    spec.file_stem().unwrap().to_string_lossy().trim_start_matches("platform-openapi-").to_owned()
}

/// The index of the platform spec of `date` (they are sorted by date).
fn spec_index(date_wanted: &str) -> usize {
    platform_specs().iter().position(|s| date(s) == date_wanted).unwrap_or_else(|| panic!("no platform spec of {date_wanted}"))
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
    static REPORTS: [OnceLock<DiffReport>; 8] = [const { OnceLock::new() }; 8];
    REPORTS[i].get_or_init(|| real_pair(i))
}

/// The report of the consecutive platform specs `base` → `head` (dates).
fn real_dates(base: &str, head: &str) -> &'static DiffReport {
    let i = spec_index(base);
    assert_eq!(spec_index(head), i + 1, "{base} and {head} are not consecutive platform specs");
    real(i)
}

/// Snapshots the pull-request comment of `base` → `head`, which must fit GitHub's comment.
fn real_markdown(base: &str, head: &str) {
    let markdown = render(real_dates(base, head), Format::Markdown);
    assert!(markdown.len() <= DEFAULT_BUDGET, "{base} → {head}: the comment is {} bytes", markdown.len());
    insta::assert_snapshot!(format!("real-{base}-to-{head}"), markdown);
}

/// The entries of a comment: headline items and table rows.
fn markdown_entries(markdown: &str) -> usize {
    let icons = ["🔴", "🟠", "🟡", "🟢", "⚪"];
    markdown.lines().filter(|l| icons.iter().any(|i| l.starts_with(&format!("- {i}")) || l.starts_with(&format!("| {i}")))).count()
}

/// The headline of a comment: from its first section to the rest.
fn headline(markdown: &str) -> &str {
    let start = markdown.find("\n### ").unwrap_or(markdown.len());
    let end = markdown.find("### Everything else").unwrap_or(markdown.len());
    &markdown[start..end.max(start)]
}

/// The struct fields of a generated `types.rs`: type, then field (by its JSON name), then its
/// type written as the diff writes types (without `types::`, `::std::` paths and spaces).
fn struct_fields(types_rs: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let file = syn::parse_file(types_rs).expect("types.rs parses");
    let mut out = BTreeMap::new();
    for item in &file.items {
        let syn::Item::Struct(s) = item else { continue };
        let syn::Fields::Named(fields) = &s.fields else { continue };
        let fields = fields.named.iter().map(|f| (json_name(f), rust_type_text(&f.ty))).collect();
        out.insert(s.ident.to_string(), fields);
    }
    out
}

/// The `rename` of a field's `#[serde(...)]`, else its name.
fn json_name(field: &syn::Field) -> String {
    let mut name = field.ident.as_ref().unwrap().to_string().trim_start_matches("r#").to_owned();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                name = meta.value()?.parse::<syn::LitStr>()?.value();
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        });
    }
    name
}

/// A type as the diff writes it.
fn rust_type_text(ty: &syn::Type) -> String {
    let mut text: String = quote::ToTokens::to_token_stream(ty).to_string().split_whitespace().collect();
    for (long, short) in [
        ("::std::option::", ""), ("::std::string::", ""), ("::std::vec::", ""), ("::std::collections::", ""),
        ("::std::num::", "std::num::"), ("::std::net::", "std::net::"), ("::chrono::offset::", ""),
        ("::chrono::naive::", "chrono::"), ("::chrono::", "chrono::"), ("::serde_json::", "serde_json::"), ("::uuid::", "uuid::"),
    ] {
        text = text.replace(long, short);
    }
    text.replace(",>", ">")
}

/// Whether a generated type is the predicted one; an inline struct or enum stands for any
/// type name.
fn same_type(predicted: &str, generated: &str) -> bool {
    let placeholders = [INLINE_STRUCT, INLINE_ENUM].map(|p| p.split_whitespace().collect::<String>());
    match placeholders.iter().find_map(|p| predicted.split_once(p.as_str())) {
        None => predicted == generated,
        Some((before, after)) => generated.strip_prefix(before).and_then(|g| g.strip_suffix(after)).is_some_and(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')),
    }
}

/// Regenerates the platform spec of `date` and holds [`predicted_fields`] against its `types.rs`.
fn predicted_fields_match(date_wanted: &str) {
    let spec = &platform_specs()[spec_index(date_wanted)];
    let out = tempfile::tempdir().unwrap();
    let outcome = regen::regen(&regen_options(spec, "spec/families-platform-v1.toml", out.path(), true, Mode::Write)).expect("regen");
    let types_rs = std::fs::read_to_string(out.path().join("generated/archastro-client/src/types.rs")).expect("types.rs");
    let generated = struct_fields(&types_rs);
    let predicted = predicted_fields(&outcome.normalized);
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (ty, fields) in &predicted {
        for (name, predicted) in fields {
            let predicted: String = predicted.replace("types::", "").split_whitespace().collect();
            let actual = generated.get(ty).and_then(|f| f.get(name));
            checked += 1;
            if !actual.is_some_and(|a| same_type(&predicted, a)) {
                wrong.push(format!("{ty}.{name}: predicted {predicted}, generated {actual:?}"));
            }
        }
    }
    assert!(checked > 1000, "only {checked} fields checked");
    assert!(wrong.is_empty(), "{} of {checked} fields differ:\n{}", wrong.len(), wrong.join("\n"));
}

/// Holds the JSON of `report` against docs/api-diff.schema.json: the same keys at each level,
/// enum fields within their enums, fingerprints matching their pattern.
fn check_json_schema(report: &DiffReport) {
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(workspace_root().join("docs/api-diff.schema.json")).unwrap()).unwrap();
    let json: serde_json::Value = serde_json::from_str(&render(report, Format::Json)).unwrap();
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&json), keys(&schema["properties"]));
    let change_schema = &schema["properties"]["changes"]["items"];
    let operation_schema = &change_schema["properties"]["operations"]["items"];
    let changes = json["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    for change in changes {
        assert_eq!(keys(change), keys(&change_schema["properties"]), "{change}");
        for field in ["level", "rust_verdict"] {
            assert!(change_schema["properties"][field]["enum"].as_array().unwrap().contains(&change[field]), "{change}");
        }
        for operation in change["operations"].as_array().unwrap() {
            assert_eq!(keys(operation), keys(&operation_schema["properties"]), "{change}");
        }
    }
    assert!(schema["properties"]["semver"]["enum"].as_array().unwrap().contains(&json["semver"]));
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

// Real consecutive specs: the pull-request comment of each pair.
#[test] fn real_2026_04_17_to_2026_04_21() { real_markdown("2026-04-17", "2026-04-21"); }
#[test] fn real_2026_04_21_to_2026_04_24() { real_markdown("2026-04-21", "2026-04-24"); }
#[test] fn real_2026_04_24_to_2026_06_11() { real_markdown("2026-04-24", "2026-06-11"); }
#[test] fn real_2026_06_11_to_2026_06_30() { real_markdown("2026-06-11", "2026-06-30"); }
#[test] fn real_2026_06_30_to_2026_08_18() { real_markdown("2026-06-30", "2026-08-18"); }
#[test] fn real_2026_08_18_to_2026_09_24() { real_markdown("2026-08-18", "2026-09-24"); }
#[test] fn real_2026_04_24_to_2026_06_11_has_at_least_20_changes() { assert!(serde_json::from_str::<serde_json::Value>(&render(real_dates("2026-04-24", "2026-06-11"), Format::Json)).unwrap()["changes"].as_array().unwrap().len() >= 20); }

// 2026-06-30 → 2026-08-18: a release with thousands of per-operation repetitions on the wire.
#[test] fn real_2026_06_30_to_2026_08_18_has_at_most_400_entries() { let md = render(real_dates("2026-06-30", "2026-08-18"), Format::Markdown); let n = markdown_entries(&md); assert!(n > 0 && n <= 400, "{n} entries"); }
#[test] fn real_2026_06_30_to_2026_08_18_headline_has_no_change_rust_absorbs() {
    let report = real_dates("2026-06-30", "2026-08-18");
    let md = render(report, Format::Markdown);
    let top = headline(&md);
    assert!(top.contains("Breaks Rust callers"), "{top}");
    let absorbed: Vec<String> = report.changes.iter().filter(|c| c.level == Level::Breaking && c.rust_verdict == RustVerdict::Unchanged).map(|c| format!("{} — `{}`", c.text, c.rust)).collect();
    assert!(!absorbed.is_empty());
    assert!(absorbed.iter().all(|line| !top.contains(line.as_str())), "{top}");
}
#[test] fn real_2026_06_30_to_2026_08_18_reports_a_shared_schema_once() {
    let report = real_dates("2026-06-30", "2026-08-18");
    let per_field: Vec<_> = report.changes.iter().filter(|c| c.schema == "types::Agent" && c.path == "created_at").collect();
    assert_eq!(per_field.len(), 1, "{per_field:?}");
    assert!(per_field[0].operations.len() > 1, "{per_field:?}");
}

// A spec against itself reports nothing.
#[test] fn reference_spec_against_itself() { let r = against_itself(&workspace_root().join("spec/openapi.json"), "spec/families.toml"); assert!(r.changes.is_empty(), "{}", render(&r, Format::Text)); }
#[test] fn platform_2026_06_30_against_itself() { let r = against_itself(&platform_specs()[spec_index("2026-06-30")], "spec/families-platform-v1.toml"); assert!(r.changes.is_empty() && !r.reaches(Level::Info), "{}", render(&r, Format::Text)); }

// Determinism and fingerprints (fingerprints are also checked on every report above and below).
#[test] fn json_output_is_byte_identical_run_to_run() { let i = spec_index("2026-06-30"); assert_eq!(render(&real_pair(i), Format::Json), render(&real_pair(i), Format::Json)); }
#[test] fn fingerprints_are_12_hex_and_unique_on_every_real_pair() { (0..platform_specs().len() - 1).for_each(|i| check_fingerprints(real(i))); }

// The JSON output has exactly the fields docs/api-diff.schema.json documents, with its values.
#[test] fn json_output_follows_the_documented_schema() { check_json_schema(real_dates("2026-06-30", "2026-08-18")); }

// What the diff takes the generated struct fields to be is what the generator writes: "the
// Rust type is unchanged" rests on it.
#[test] fn predicted_fields_match_the_2026_06_30_client() { predicted_fields_match("2026-06-30"); }
#[test] fn predicted_fields_match_the_2026_09_24_client() { predicted_fields_match("2026-09-24"); }

// Operations.
#[test] fn api_removed_without_deprecation() { check("api-removed-without-deprecation", &["api-removed-without-deprecation"]); }
#[test] fn api_removed_with_deprecation() { check("api-removed-with-deprecation", &["api-removed-with-deprecation"]); }
#[test] fn api_path_removed_without_deprecation() { check("api-path-removed-without-deprecation", &["api-path-removed-without-deprecation"]); }
#[test] fn endpoint_added() { check("endpoint-added", &["endpoint-added"]); }
#[test] fn api_deprecated() { check("api-deprecated", &["api-deprecated"]); }
#[test] fn api_operation_id_changed() { check("api-operation-id-changed", &["api-operation-id-changed"]); }
// A path parameter's name is not sent: the operation is the same one, its setter renamed.
#[test] fn request_path_parameter_renamed() { check("request-path-parameter-renamed", &["request-path-parameter-renamed"]); }
// Operations are matched by method and route, and one families file places a path in one
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
// Wire-compatible; the Rust verdict is struct-literals: the builder is unaffected.
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

// False-positive traps: nothing to report on the wire.
// The wire is the same; the generated body type is another one (the inline body's type was
// named after the operation), which breaks Rust code that names it.
#[test] fn trap_inline_to_ref_request_body() { check("trap-inline-to-ref-request-body", &["request-body-rust-type-changed"]); }
#[test] fn trap_inline_to_ref_response() { check("trap-inline-to-ref-response", &["response-body-rust-type-changed"]); }
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
// The body's generated type goes from an enum to `types::Circle` too.
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
