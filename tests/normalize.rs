//! Normalizer snapshot tests: one fixture per rule or bad input under tests/fixtures/normalize/,
//! normalized with that folder's `families.toml` (or `<stem>.families.toml`). Each snapshot is
//! named after its fixture (`normalize__<fixture>.snap`).

/// Snapshots the normalization of one fixture. Any absolute workspace path is replaced by
/// `<workspace>` so snapshots do not depend on the checkout.
fn check(name: &str) {
    let root = archastro_tests::workspace_root().display().to_string();
    insta::assert_snapshot!(name, archastro_tests::normalize_fixture(name).replace(&root, "<workspace>"));
}

// Rules.
#[test] fn nullable_type_arrays_3_1() { check("nullable-type-arrays.3.1.json"); }
// `format: float` goes with the number variant only.
#[test] fn multi_type_any_of_3_1() { check("multi-type-any-of.3.1.yaml"); }
#[test] fn const_to_enum_3_1() { check("const-to-enum.3.1.json"); }
// `stricter_inclusive` {minimum: 5, exclusiveMinimum: 0} keeps the stricter inclusive minimum 5.
#[test] fn exclusive_bounds_3_1() { check("exclusive-bounds.3.1.json"); }
#[test] fn examples_to_example_3_1() { check("examples-to-example.3.1.json"); }
#[test] fn ref_siblings_3_1() { check("ref-siblings.3.1.json"); }
#[test] fn any_of_null_3_1() { check("any-of-null.3.1.json"); }
#[test] fn keywords_3_1_only_3_1() { check("keywords-3-1-only.3.1.json"); }
#[test] fn colon_path_params_3_0() { check("colon-path-params.3.0.yaml"); }
#[test] fn path_param_undeclared_3_0() { check("path-param-undeclared.3.0.json"); }
#[test] fn path_param_not_in_path_3_0() { check("path-param-not-in-path.3.0.json"); }
#[test] fn path_level_params_3_0() { check("path-level-params.3.0.json"); }
#[test] fn object_query_param_3_0() { check("object-query-param.3.0.json"); }
// Arrays and objects of scalars get components (`Point`, written exploded too, gets a copy);
// nested arrays and maps become strings.
#[test] fn path_params_array_object_3_0() { check("path-params-array-object.3.0.json"); }
#[test] fn x_auth_3_0() { check("x-auth.3.0.json"); }
#[test] fn x_sdk_name_3_0() { check("x-sdk-name.3.0.json"); }
#[test] fn mechanical_operation_ids_3_0() { check("mechanical-operation-ids.3.0.json"); }
#[test] fn missing_operation_ids_3_1() { check("missing-operation-ids.3.1.yaml"); }
#[test] fn derived_name_collision_3_0() { check("derived-name-collision.3.0.json"); }
#[test] fn untagged_3_0() { check("untagged.3.0.json"); }
#[test] fn default_response_split_3_0() { check("default-response-split.3.0.json"); }
#[test] fn two_success_types_3_0() { check("two-success-types.3.0.json"); }
#[test] fn error_bodies_any_of_3_0() { check("error-bodies-any-of.3.0.json"); }
#[test] fn body_json_and_form_3_0() { check("body-json-and-form.3.0.json"); }
#[test] fn body_multipart_3_0() { check("body-multipart.3.0.json"); }
#[test] fn body_plus_json_3_1() { check("body-plus-json.3.1.json"); }
#[test] fn body_optional_required_3_0() { check("body-optional-required.3.0.json"); }
#[test] fn inline_copy_to_ref_3_0() { check("inline-copy-to-ref.3.0.json"); }
// Identical nested shapes (in components and in a channel payload) are one component; a
// different shape wanting the same name is qualified.
#[test] fn inline_shapes_deduplicated_3_0() { check("inline-shapes-deduplicated.3.0.json"); }
#[test] fn anonymous_objects_named_3_1() { check("anonymous-objects-named.3.1.json"); }
#[test] fn example_misfit_3_0() { check("example-misfit.3.0.json"); }
// The percent-encoded `$ref` `1bad%20name` follows the rename too.
#[test] fn hostile_component_names_3_0() { check("hostile-component-names.3.0.json"); }
#[test] fn hostile_descriptions_3_1() { check("hostile-descriptions.3.1.json"); }
#[test] fn extensions_claimed_3_0() { check("extensions-claimed.3.0.yaml"); }
// Schemas under `x-sdk-streaming.events` are downgraded like any other.
#[test] fn sse_extension_3_1() { check("sse-extension.3.1.json"); }
#[test] fn internal_path_dropped_3_0() { check("internal-path-dropped.3.0.json"); }
#[test] fn integer_status_keys_3_0() { check("integer-status-keys.3.0.yaml"); }
// `version: 1.0` (a YAML number) becomes the string "1.0".
#[test] fn yaml_unquoted_version_3_0() { check("yaml-unquoted-version.3.0.yaml"); }

// Bad inputs: a clear error naming the file (and the JSON pointer where there is one), no panic.
#[test] fn invalid_json() { check("invalid-json.json"); }
// The reported line counts the leading blank lines (line 6).
#[test] fn invalid_json_leading_blank_lines() { check("invalid-json-leading-blank-lines.json"); }
#[test] fn invalid_yaml() { check("invalid-yaml.yaml"); }
#[test] fn not_openapi() { check("not-openapi.json"); }
#[test] fn swagger_2() { check("swagger-2.json"); }
#[test] fn dangling_ref_3_0() { check("dangling-ref.3.0.json"); }
#[test] fn ref_cycle_3_0() { check("ref-cycle.3.0.json"); }
#[test] fn external_ref_3_0() { check("external-ref.3.0.json"); }
#[test] fn duplicate_operation_ids_3_0() { check("duplicate-operation-ids.3.0.json"); }
#[test] fn unmapped_paths_3_0() { check("unmapped-paths.3.0.json"); }
#[test] fn internal_path_rejected_3_0() { check("internal-path-rejected.3.0.json"); }
#[test] fn empty() { check("empty.json"); }
#[test] fn whitespace_only() { check("whitespace-only.yaml"); }
#[test] fn two_families_3_0() { check("two-families.3.0.json"); }
#[test] fn undefined_auth_scheme_3_0() { check("undefined-auth-scheme.3.0.json"); }
#[test] fn bad_families_3_0() { check("bad-families.3.0.json"); }

// Inputs that once broke the normalizer.
// Refs under properties named `default`/`example` are checked and followed:
// the dangling `Missing` is reported.
#[test] fn property_named_default_3_0() { check("property-named-default.3.0.json"); }
// An undefined scheme in root `security` is an error like one in an operation.
#[test] fn undefined_root_security_3_0() { check("undefined-root-security.3.0.json"); }
// A response that is not an object is an error naming it, not a panic.
#[test] fn response_not_object_3_0() { check("response-not-object.3.0.json"); }
