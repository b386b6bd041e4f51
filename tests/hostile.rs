//! Hostile specs (`fixtures/hostile/`, one small spec per class): each regenerates into crates
//! that `cargo check` accepts (for a routing class, a server whose router builds; for texts,
//! crates that `cargo clippy` and `cargo doc` take without a warning), or fails
//! with an error naming the fixture and the JSON pointer of the place at fault; none panics.
//! A pattern only a backtracking engine checks in exponential time is checked in linear time.
//! A symbolic link in the output directory is refused.

use std::path::{Path, PathBuf};

use archastro_codegen::output::Mode;
use archastro_codegen::regen::{self, RegenOptions};
use archastro_tests::{platform_cargo, regen_options, workspace_root};

fn fixture(name: &str) -> PathBuf {
    workspace_root().join(format!("tests/fixtures/hostile/{name}.json"))
}

/// Options for regenerating the fixture `name` into `out`, its crates versioned after it (the
/// builds share `target/platform-client`, where a version tells them apart).
fn options(name: &str, out: &Path) -> RegenOptions {
    let mut options = regen_options(&fixture(name), "tests/fixtures/normalize/families.toml", out, true, Mode::Write);
    options.crate_version = format!("0.1.0-hostile-{name}");
    options
}

/// Regenerates the fixture `name` into `out`; a panic fails the test as such.
fn regen_fixture(name: &str, out: &Path) -> Result<regen::RegenOutcome, archastro_codegen::Error> {
    let options = options(name, out);
    std::panic::catch_unwind(|| regen::regen(&options)).unwrap_or_else(|_| panic!("{name}: regen panicked"))
}

/// The fixture `name` regenerates, and `cargo check` accepts the crates without a warning;
/// what regen did.
fn generates(name: &str) -> regen::RegenOutcome {
    generates_kept(name).0
}

/// [`generates`], with the directory it regenerated into.
fn generates_kept(name: &str) -> (regen::RegenOutcome, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let outcome = regen_fixture(name, out.path()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let output = platform_cargo()
        .args(["check", "--quiet", "--workspace", "--manifest-path"])
        .arg(out.path().join("Cargo.toml"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{name}: {stderr}");
    assert!(!stderr.contains("warning"), "{name}: the generated crates build with warnings:\n{stderr}");
    (outcome, out)
}

/// The fixture `name` regenerates, and its crates pass `cargo clippy` and `cargo doc` with
/// warnings denied: the spec's texts became doc Markdown that neither lints.
fn documents(name: &str) {
    let out = tempfile::tempdir().unwrap();
    regen_fixture(name, out.path()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let manifest = out.path().join("Cargo.toml");
    let clippy = platform_cargo()
        .args(["clippy", "--quiet", "--workspace", "--manifest-path"])
        .arg(&manifest)
        .args(["--", "-D", "warnings"])
        .output()
        .unwrap();
    assert!(clippy.status.success(), "{name}: {}", String::from_utf8_lossy(&clippy.stderr));
    let doc = platform_cargo()
        .env("RUSTDOCFLAGS", "-D warnings")
        .args(["doc", "--quiet", "--no-deps", "--workspace", "--manifest-path"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(doc.status.success(), "{name}: {}", String::from_utf8_lossy(&doc.stderr));
}

/// The fixture `name` regenerates (see [`generates`]) with a warning of `rule` at each of
/// `pointers`.
fn generates_warnings(name: &str, rule: &str, pointers: &[&str]) -> regen::RegenOutcome {
    let outcome = generates(name);
    for pointer in pointers {
        let warned = outcome.normalized.report.warnings().any(|e| e.rule == rule && e.pointer == *pointer);
        assert!(warned, "{name}: no `{rule}` warning at {pointer}: {:#?}", outcome.normalized.report.entries);
    }
    outcome
}

/// How many entries of `rule` the report of `outcome` has (notes and warnings alike).
fn entries(outcome: &regen::RegenOutcome, rule: &str) -> usize {
    outcome.normalized.report.entries.iter().filter(|e| e.rule == rule).count()
}

/// A program building the generated server's router with every operation left at its 501
/// default (the fixtures' families are `public` and `runtime`; the spec declares no security
/// scheme): axum checks each route as the router is built, and panics on one it refuses.
const ROUTER_EXAMPLE: &str = "use std::sync::Arc;
struct NoKeys;
impl archastro_server::Authenticator for NoKeys {}
struct NoPublic;
impl archastro_server::public::PublicApi for NoPublic {}
struct NoRuntime;
impl archastro_server::runtime::RuntimeApi for NoRuntime {}
fn main() {
    let config = archastro_server::ServerConfig::default();
    let _ = archastro_server::router(Arc::new(NoKeys), config, Arc::new(NoPublic), Arc::new(NoRuntime));
}
";

/// The fixture `name` regenerates, and its server's router builds without a panic.
fn serves(name: &str) {
    let out = tempfile::tempdir().unwrap();
    regen_fixture(name, out.path()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let examples = out.path().join("generated/archastro-server/examples");
    std::fs::create_dir_all(&examples).unwrap();
    std::fs::write(examples.join("router.rs"), ROUTER_EXAMPLE).unwrap();
    let output = platform_cargo()
        .args(["run", "--quiet", "-p", "archastro-server", "--example", "router", "--manifest-path"])
        .arg(out.path().join("Cargo.toml"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{name}: {}", String::from_utf8_lossy(&output.stderr));
}

/// A program deserializing a `Thing` of the `catastrophic-pattern` fixture whose `slug` is a
/// long run of `a`s and a `!`: a backtracking engine takes exponential time to refuse it
/// against `^(a+)+$`; a linear one refuses it at once. `twice`'s backreference pattern is not
/// checked at all.
const PATTERN_EXAMPLE: &str = r#"fn main() {
    let slug = format!("{}!", "a".repeat(50_000));
    let started = std::time::Instant::now();
    let refused = serde_json::from_value::<archastro_client::types::Thing>(
        serde_json::json!({"slug": slug, "twice": "ab"}),
    );
    assert!(refused.is_err(), "the slug matched");
    assert!(started.elapsed().as_secs() < 5, "took {:?}", started.elapsed());
    let slug = "a".repeat(50_000);
    let thing: archastro_client::types::Thing =
        serde_json::from_value(serde_json::json!({"slug": slug, "twice": "ab"})).unwrap();
    assert_eq!(String::from(thing.twice), "ab");
    assert!(started.elapsed().as_secs() < 5, "took {:?}", started.elapsed());
}
"#;

/// The fixture `catastrophic-pattern` regenerates with linear-time pattern checks only.
fn checks_patterns_in_linear_time(name: &str) {
    let out = tempfile::tempdir().unwrap();
    regen_fixture(name, out.path()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let client = out.path().join("generated/archastro-client");
    let types = std::fs::read_to_string(client.join("src/types.rs")).unwrap();
    assert!(!types.contains("regress"), "{name}: a backtracking check is left");
    std::fs::create_dir_all(client.join("examples")).unwrap();
    std::fs::write(client.join("examples/patterns.rs"), PATTERN_EXAMPLE).unwrap();
    let output = platform_cargo()
        .args(["run", "--quiet", "-p", "archastro-client", "--example", "patterns", "--manifest-path"])
        .arg(out.path().join("Cargo.toml"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{name}: {}", String::from_utf8_lossy(&output.stderr));
}

/// The fixture `name` fails with one line naming the fixture and `pointer`, and writes nothing.
fn fails_at(name: &str, pointer: &str) {
    let out = tempfile::tempdir().unwrap();
    let err = regen_fixture(name, out.path()).err().unwrap_or_else(|| panic!("{name}: regen succeeded")).to_string();
    let expected = format!("{}: {pointer}: ", fixture(name).display());
    assert!(err.starts_with(&expected), "{name}: expected `{expected}...`, got `{err}`");
    assert!(!err.contains('\n'), "{name}: {err}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "{name}: a failed regen wrote files");
}

/// Bare URLs, brackets that are no links, lazy list and quote continuations, tabs, Rust and
/// unclosed fences, a response description that opens with a fence, a URL as terms of service,
/// an operation with two tags (progenitor links its builder to two traits it does not write),
/// names like `relationship[owner]` standing in for a missing description, fences whose info
/// strings rustdoc refuses (`json title="..."`, `c++`).
#[test]
fn doc_markdown() {
    documents("doc-markdown");
}

/// A chain of `allOf` references deeper than typify merges in bounded time and stack (a
/// chain of 3,000 overflowed the stack): refused at the component that starts it.
#[test]
fn all_of_chain() {
    fails_at("all-of-chain", "#/components/schemas/Level0");
}

/// Arrays of exactly `n` items, which typify types `[T; n]`: a query parameter's example
/// given to its setter as such, and one of 40 items (beyond serde's 32) typed as a `Vec`.
#[test]
fn fixed_length_arrays() {
    generates_warnings("fixed-length-arrays", "fixed-length-array-as-vec", &["#/components/schemas/Place/properties/grid"]);
}

/// What OpenAPI 3.2 adds: the QUERY method and `additionalOperations`, `querystring`
/// parameters (inline and as a component), a sequential media type's `itemSchema`: each
/// dropped with a warning at its pointer; a media type component is copied where it is named,
/// an Example's `dataValue` is its `value`; the other operations generate.
#[test]
fn openapi_3_2_additions() {
    let things = "#/paths/~1api~1things";
    let outcome = generates_warnings("openapi-3-2-additions", "operation-dropped", &[&format!("{things}/query"), &format!("{things}/additionalOperations/PURGE")]);
    let dropped = ["#/components/parameters/RawQuery".to_owned(), format!("{things}/get/parameters/0"), format!("{things}/post/parameters/0")];
    for pointer in &dropped {
        assert!(outcome.normalized.report.warnings().any(|e| e.rule == "parameter-dropped" && e.pointer == *pointer), "{pointer}");
    }
    assert_eq!(entries(&outcome, "media-type-keyword-dropped"), 1);
    let runtime = &outcome.normalized.families.iter().find(|(name, _)| name == "runtime").unwrap().1;
    let item = &runtime["paths"]["/api/things"];
    let methods: Vec<&String> = item.as_object().unwrap().keys().collect();
    assert_eq!(methods, ["get", "post", "put"]);
    assert_eq!(item["get"]["parameters"].as_array().unwrap().len(), 1);
    let body = &item["put"]["requestBody"]["content"]["application/json"];
    assert_eq!(body["schema"]["$ref"], "#/components/schemas/Thing");
    assert_eq!(body["examples"]["one"]["value"], serde_json::json!({"name": "x"}));
    assert!(runtime["components"].get("mediaTypes").is_none());
}

/// Members of a parameter, an operation, a response and the root with values of the wrong
/// JSON shape (`"in": "Path"`, `"required": "TRUE"`, a style its location lacks, a numeric
/// summary, `servers` as one object): each repaired or dropped with a warning at its pointer
/// (openapiv3 refused the whole family).
#[test]
fn misshapen_members() {
    let op = "#/paths/~1api~1things~1{id}/get";
    let pointers: Vec<String> = [
        "/deprecated", "/summary", "/parameters/0/in", "/parameters/0/required", "/parameters/0/style",
        "/parameters/1/style", "/parameters/1/explode", "/parameters/2/required", "/parameters/2/description",
        "/responses/200/description",
    ]
    .iter()
    .map(|member| format!("{op}{member}"))
    .chain(["#/servers".to_owned()])
    .collect();
    let outcome = generates_warnings("misshapen-members", "member-value-repaired", &pointers.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(entries(&outcome, "member-value-repaired"), pointers.len());
    let runtime = &outcome.normalized.families.iter().find(|(name, _)| name == "runtime").unwrap().1;
    let get = &runtime["paths"]["/api/things/{id}"]["get"];
    assert_eq!(get["deprecated"], true);
    assert_eq!((&get["parameters"][0]["in"], &get["parameters"][0]["required"]), (&serde_json::json!("path"), &serde_json::json!(true)));
    assert_eq!(runtime["servers"][0]["url"], "https://api.example.com");
}

/// One path variable declared differently by the operations below its resource (an integer
/// `minimum` of 1 and of 0; enums `XML`/`JSON` and `xml`/`json`): two Rust types for one value
/// the client passes from a resource to the one below, which did not compile (dnd5eapi.co),
/// and a union of the enums typify could not name (sportsdata.io). Every declaration is
/// widened to take what any of them takes.
#[test]
fn path_variable_declared_differently() {
    let level = "#/paths/~1api~1classes~1{index}~1levels~1{level}/get/parameters/1/schema";
    let games = "#/paths/~1api~1scores~1{format}~1games/get/parameters/0/schema";
    let outcome = generates_warnings("path-variable-declared-differently", "path-param-widened", &[level, games]);
    assert_eq!(entries(&outcome, "path-param-widened"), 3);
    let features = &outcome.normalized.families.iter().find(|(name, _)| name == "runtime").unwrap().1["paths"]["/api/classes/{index}/levels/{level}/features"];
    assert_eq!(features["get"]["parameters"][1]["schema"]["minimum"], 0);
    let runtime = &outcome.normalized.families.iter().find(|(name, _)| name == "runtime").unwrap().1;
    let widened = &runtime["paths"]["/api/classes/{index}/levels/{level}"]["get"]["parameters"][1]["schema"];
    assert_eq!(widened, &serde_json::json!({"type": "integer", "minimum": 0, "maximum": 20}));
}

/// A resource method taking eight path variables in a row (one argument each: clippy's
/// `too_many_arguments`) and operations named `new`, `from_file` and `to_csv` (server trait
/// methods taking `&self`: `new_ret_no_self`, `wrong_self_convention`), as gambitcomm.local
/// has: the crates pass clippy and rustdoc with warnings denied.
#[test]
fn clippy_names_and_arities() {
    documents("clippy-names-and-arities");
}

/// Schema keywords whose values have the wrong JSON shape (`"type": {...}`, `"String"`,
/// `"file"`, `"enum": "x"`, `"minLength": "3"`, `"allOf": {...}`, `"required": "name"`), in a
/// component, a parameter and a request body: each repaired or dropped with a warning at its
/// pointer (typify refused them, progenitor stopped at an unknown type name).
#[test]
fn misshapen_keywords() {
    let thing = |property: &str, keyword: &str| format!("#/components/schemas/Thing/properties/{property}/{keyword}");
    let mut pointers: Vec<String> = [
        ("objectAsType", "type"), ("capitalized", "type"), ("numberAsType", "type"), ("upload", "type"),
        ("anything", "type"), ("typeList", "type"), ("enumNotAList", "enum"), ("propertiesAsList", "properties"),
        ("lengthAsText", "minLength"), ("lengthAsText", "maxLength"), ("negativeLength", "minLength"),
        ("flagAsText", "nullable"), ("flagAsWord", "nullable"), ("boundAsText", "maximum"),
        ("boundAsText", "exclusiveMinimum"), ("additionalAsText", "additionalProperties"), ("partNotAList", "allOf"),
        ("requiredFlag", "required"), ("requiredMixed", "required"), ("describedByNumber", "description"),
        ("discriminatorAsText", "discriminator"),
    ]
    .iter()
    .map(|(property, keyword)| thing(property, keyword))
    .collect();
    let body = "#/paths/~1api~1things/post/requestBody/content/application~1json/schema";
    pointers.extend([
        "#/paths/~1api~1things/get/parameters/0/schema/type".to_owned(),
        "#/paths/~1api~1things/get/parameters/0/schema/maximum".to_owned(),
        "#/paths/~1api~1things/get/parameters/1/schema/enum".to_owned(),
        format!("{body}/required"),
        format!("{body}/properties/name/type"),
        format!("{body}/properties/name/minLength"),
    ]);
    let outcome = generates_warnings("misshapen-keywords", "schema-keyword-repaired", &pointers.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(entries(&outcome, "schema-keyword-repaired"), pointers.len());
    let runtime = &outcome.normalized.families.iter().find(|(name, _)| name == "runtime").unwrap().1;
    let schemas = &runtime["components"]["schemas"];
    // A property's schema, or the component it became.
    let property = |name: &str| {
        let schema = &schemas["Thing"]["properties"][name];
        match schema["$ref"].as_str() {
            Some(target) => &schemas[target.trim_start_matches("#/components/schemas/")],
            None => schema,
        }
    };
    assert_eq!(property("upload"), &serde_json::json!({"type": "string", "format": "binary"}));
    assert_eq!(property("capitalized"), &serde_json::json!({"type": "string"}));
    assert_eq!(property("lengthAsText"), &serde_json::json!({"type": "string", "minLength": 3, "maxLength": 12}));
    assert_eq!(property("requiredMixed")["required"], serde_json::json!(["a"]));
}

/// Enum values, property and parameter names with characters rustc warns about in an
/// identifier (`ʿ`, `uncommon_codepoints`) beside ones it takes (`ö`, `ß`): spelled as code
/// points in identifiers, the same in typify's output and in the names made for it.
#[test]
fn uncommon_codepoints() {
    generates("uncommon-codepoints");
}

#[test]
fn array_parameters() {
    generates("array-parameters");
}

#[test]
fn bad_path_template() {
    fails_at("bad-path-template", "#/paths/~1api~1things~1{id}}");
}

/// Parameters named like a request builder's own methods (`timeout`, `new`, `Send`), or
/// `body` beside a request body, get the argument `{name}_{in}`, each with a warning, and are
/// sent under their own names; a `body` parameter of an operation without a request body
/// keeps its name.
#[test]
fn builder_method_parameter() {
    let (outcome, out) = generates_kept("builder-method-parameter");
    for pointer in [
        "#/paths/~1api~1jobs/get/parameters/0",
        "#/paths/~1api~1jobs/get/parameters/1",
        "#/paths/~1api~1jobs~1{id}/post/parameters/1",
        "#/paths/~1api~1jobs~1{id}/post/parameters/2",
    ] {
        let renamed = outcome.normalized.report.warnings().any(|e| e.rule == "parameter-argument-renamed" && e.pointer == pointer);
        assert!(renamed, "no rename at {pointer}: {:#?}", outcome.normalized.report.entries);
    }
    let kept = "#/paths/~1api~1notes/get/parameters/0";
    assert!(!outcome.normalized.report.entries.iter().any(|e| e.pointer == kept), "{kept} was renamed");
    let runtime = std::fs::read_to_string(out.path().join("generated/archastro-client/src/runtime.rs")).unwrap();
    for sent in [
        r#"QueryParam::new("timeout", &timeout_query)"#,
        r#"QueryParam::new("new", &new_query)"#,
        r#"QueryParam::new("body", &body_query)"#,
        r#"QueryParam::new("body", &body)"#,
        r#""Send""#,
    ] {
        assert!(runtime.contains(sent), "runtime.rs does not send `{sent}`");
    }
    assert!(runtime.contains("send_header"), "the `Send` header has no `send_header` setter");
}

/// Required ones too (`client`, `timeout`): nothing is dropped, nothing refused.
#[test]
fn builder_method_parameter_required() {
    let (_, out) = generates_kept("builder-method-parameter-required");
    let runtime = std::fs::read_to_string(out.path().join("generated/archastro-client/src/runtime.rs")).unwrap();
    assert!(runtime.contains(r#"QueryParam::new("timeout", &timeout_query)"#), "{runtime}");
    // `client_query` is another parameter's: the next number.
    assert!(runtime.contains(r#"QueryParam::new("client", &client_query_2)"#), "{runtime}");
    assert!(runtime.contains(r#"QueryParam::new("client_query", &client_query)"#), "{runtime}");
}

/// A template variable whose name is no identifier (a URI template's operator, a stray
/// character, a leading digit) is renamed to one in the path and in its parameter, with a
/// warning; the operation stays.
#[test]
fn path_variables_not_identifiers() {
    let outcome = generates_warnings(
        "path-variables-not-identifiers",
        "path-variable-not-identifier",
        &["#/paths/~1api~1projects~1{id}{.format}", "#/paths/~1api~1insights~1{insight_id:}", "#/paths/~1api~1weird~1{?x}~1{9lives}~1{x}"],
    );
    let paths: Vec<&String> = outcome.normalized.families.iter().flat_map(|(_, doc)| doc["paths"].as_object().unwrap().keys()).collect();
    // `format` is the query parameter's argument too: the variable moves on to `format_path`.
    for path in ["/api/projects/{id}{format_path}", "/api/insights/{insight_id}", "/api/weird/{x_2}/{_9lives}/{x}"] {
        assert!(paths.iter().any(|p| *p == path), "no {path} in {paths:?}");
    }
}

/// A `$ref` where a schema goes that names a parameter or a response names its schema
/// instead (a response without content: any value), with a warning at each.
#[test]
fn schema_ref_not_a_schema() {
    generates_warnings(
        "schema-ref-not-a-schema",
        "schema-ref-not-a-schema",
        &[
            "#/paths/~1api~1vehicles/get/parameters/0/schema/items",
            "#/paths/~1api~1vehicles/get/responses/200/content/application~1json/schema/items",
            "#/paths/~1api~1vehicles~1{id}/get/parameters/1/schema",
            "#/paths/~1api~1vehicles~1{id}/get/responses/200/content/application~1json/schema/properties/field",
            "#/paths/~1api~1vehicles~1{id}~1tags/post/responses/200/content/application~1json/schema",
        ],
    );
}

/// A spec with no operation (only components) gives crates that build, the contract crate's
/// among them (it builds the client and calls nothing).
#[test]
fn no_operations() {
    generates("no-operations");
}

/// A path or header parameter whose schema (or the component it names) is nullable is not: no
/// null can be sent there, and the client writes such a value with `Display`.
#[test]
fn nullable_parameters() {
    let outcome = generates("nullable-parameters");
    assert_eq!(entries(&outcome, "parameter-not-nullable"), 3);
}

/// A variable that stands twice in a path (one parameter) is held by the first resource it
/// stands in, not again by a later one.
#[test]
fn path_variable_twice() {
    generates("path-variable-twice");
}

#[test]
fn catastrophic_pattern() {
    checks_patterns_in_linear_time("catastrophic-pattern");
}

#[test]
fn client_named_parameter() {
    generates("client-named-parameter");
}

#[test]
fn component_shadows_prelude() {
    generates("component-shadows-prelude");
}

#[test]
fn component_type_name_collision() {
    generates("component-type-name-collision");
}

#[test]
fn deep_object_query() {
    generates("deep-object-query");
}

#[test]
fn default_misfit() {
    let thing = "#/components/schemas/Thing/properties";
    let dropped = ["size", "language", "color"].map(|p| format!("{thing}/{p}/default"));
    generates_warnings("default-misfit", "default-dropped", &dropped.each_ref().map(String::as_str));
}

#[test]
fn duplicate_enum_values() {
    generates("duplicate-enum-values");
}

#[test]
fn enum_value_misfit() {
    generates("enum-value-misfit");
}

#[test]
fn enum_variants_alike() {
    generates("enum-variants-alike");
}

#[test]
fn form_bodies() {
    generates("form-bodies");
}

#[test]
fn format_without_type() {
    generates("format-without-type");
}

#[test]
fn head_operation() {
    serves("head-operation");
}

#[test]
fn huge_min_items() {
    generates("huge-min-items");
}

#[test]
fn huge_min_length() {
    generates("huge-min-length");
}

#[test]
fn inline_array_body() {
    generates("inline-array-body");
}

#[test]
fn inline_json_bodies() {
    generates("inline-json-bodies");
}

#[test]
fn integer_bounds_beyond_i64() {
    generates("integer-bounds-beyond-i64");
}

#[test]
fn integer_minimum_overflow() {
    generates("integer-minimum-overflow");
}

#[test]
fn item_ref_into_component() {
    generates("item-ref-into-component");
}

#[test]
fn min_length_zero() {
    let outcome = generates("min-length-zero");
    assert_eq!(entries(&outcome, "min-length-zero-dropped"), 2);
}

#[test]
fn non_json_request_bodies() {
    generates("non-json-request-bodies");
}

/// typify merges an `allOf` of two patterned strings into lookaheads no linear-time engine
/// checks: refused at the component that merges them.
#[test]
fn merged_patterns() {
    fails_at("merged-patterns", "#/components/schemas/Both");
}

#[test]
fn nullable_component_names() {
    generates("nullable-component-names");
}

#[test]
fn nullable_merge() {
    generates_warnings("nullable-merge", "nullable-merge-split", &["#/components/schemas/AccessNullable"]);
}

#[test]
fn nullable_schema_title() {
    generates("nullable-schema-title");
}

#[test]
fn options_and_trace_operations() {
    generates("options-and-trace-operations");
}

#[test]
fn parameter_argument_collision() {
    // The optional query parameter goes; the path variable keeps its name.
    generates_warnings("parameter-argument-collision", "parameter-argument-taken", &["#/paths/~1api~1roles~1{id}/get/parameters/1"]);
}

#[test]
fn parameter_case_collision() {
    generates("parameter-case-collision");
}

#[test]
fn parameter_required_collision() {
    fails_at("parameter-required-collision", "#/paths/~1api~1things/get/parameters/1");
}

#[test]
fn parameter_schema_not_an_object() {
    generates_warnings(
        "parameter-schema-not-an-object",
        "invalid-schema-replaced",
        &["#/paths/~1api~1things/get/parameters/0/schema"],
    );
}

#[test]
fn path_variable_collisions() {
    generates_warnings(
        "path-variable-collisions",
        "path-variable-renamed",
        &[
            "#/paths/~1api~1accounts~1{accountId}",
            "#/paths/~1api~1realms~1{client}",
            "#/paths/~1api~1notes~1{body}",
            "#/paths/~1api~1pairs~1{a-b}~1{a_b}",
            "#/paths/~1api~1roles~1{id}",
        ],
    );
    serves("path-variable-collisions");
}

#[test]
fn path_parameter_types() {
    generates("path-parameter-types");
}

#[test]
fn path_segment_two_variables() {
    generates("path-segment-two-variables");
}

#[test]
fn property_field_collision() {
    generates("property-field-collision");
}

#[test]
fn property_self_collision() {
    generates("property-self-collision");
}

#[test]
fn ref_into_operation_schema() {
    generates("ref-into-operation-schema");
}

#[test]
fn response_header_name_invalid() {
    fails_at("response-header-name-invalid", "#/paths/~1api~1things/get/responses/200/headers/X Rate~1Limit");
}

#[test]
fn route_variable_conflict() {
    serves("route-variable-conflict");
}

#[test]
fn route_variable_conflict_same_method() {
    serves("route-variable-conflict-same-method");
}

#[test]
fn route_wildcard() {
    fails_at("route-wildcard", "#/paths/~1api~1files~1*");
}

/// A keyword of the wrong JSON type: the component that holds it (here a property's constrained
/// string, lifted into the component `Name`) is named.
#[test]
fn scalar_array_bodies() {
    generates("scalar-array-bodies");
}

/// A `maxLength` no number spells: dropped, with a warning (see `misshapen_keywords`).
#[test]
fn schema_keyword_invalid() {
    generates_warnings("schema-keyword-invalid", "schema-keyword-repaired", &["#/components/schemas/Thing/properties/name/maxLength"]);
}

/// A component that is no schema (an example response where its schema should be) is read as
/// any value.
#[test]
fn schema_not_an_object() {
    generates_warnings("schema-not-an-object", "invalid-schema-replaced", &["#/components/schemas/Thing"]);
}

#[test]
fn self_referencing_required() {
    generates("self-referencing-required");
}

#[test]
fn single_alternative_body() {
    generates("single-alternative-body");
}

#[test]
fn string_example_on_integer() {
    generates("string-example-on-integer");
}

#[test]
fn typify_panic_not_schema() {
    fails_at("typify-panic-not-schema", "#/components/schemas/Thing");
}

#[test]
fn text_body_schema() {
    generates("text-body-schema");
}

#[test]
fn untyped_enum() {
    let outcome = generates_warnings("untyped-enum", "enum-split-by-type", &["#/components/schemas/Answer/enum", "#/paths/~1api~1holdings/get/parameters/1/schema/enum"]);
    let implied: Vec<&str> = outcome.normalized.report.entries.iter().filter(|e| e.rule == "enum-type-implied").map(|e| e.pointer.as_str()).collect();
    assert_eq!(implied.len(), 4, "{implied:?}");
}

#[test]
fn parameter_alternatives_overlap() {
    let outcome = generates("parameter-alternatives-overlap");
    let merged: Vec<&str> = outcome.normalized.report.warnings().filter(|e| e.rule == "parameter-alternatives-merged").map(|e| e.message.as_str()).collect();
    // `location`'s items keep one alternative per type; `kind` (integer or string) is left as
    // it is: typify tells its alternatives apart.
    assert_eq!(merged.len(), 4, "{merged:#?}");
    assert!(merged.iter().any(|m| m.contains("`location`") && m.ends_with("integer or string")), "{merged:#?}");
    assert!(!merged.iter().any(|m| m.contains("`kind`")), "{merged:#?}");
}

#[test]
fn delimited_query() {
    let op = "#/paths/~1api~1analytics~1active_device_counts/get";
    let outcome = generates_warnings("delimited-query", "delimited-query-as-string", &[op]);
    let entries = &outcome.normalized.report.entries;
    assert_eq!(entries.iter().filter(|e| e.rule == "delimited-query-as-string").count(), 2, "{entries:#?}");
    assert_eq!(entries.iter().filter(|e| e.rule == "query-style-form").count(), 1, "{entries:#?}");
}

#[test]
fn security_scheme_names_alike() {
    let outcome = generates_warnings("security-scheme-names-alike", "component-renamed", &["#/components/securitySchemes/bearerAuth"]);
    let runtime = &outcome.normalized.families.iter().find(|(name, _)| name == "runtime").unwrap().1;
    let security = &runtime["paths"]["/api/calls"]["get"]["security"];
    assert_eq!(security, &serde_json::json!([{"bearerAuth2": []}, {"BearerAuth": []}]));
}

#[test]
fn duplicate_operation_ids() {
    let outcome = generates_warnings(
        "duplicate-operation-ids",
        "operation-id-duplicated",
        &["#/paths/~1api~1automations~1fax~1receipts/post/operationId", "#/paths/~1api~1automations~1sms~1inbound/post/operationId"],
    );
    let api = archastro_codegen::model::Api::new(&outcome.normalized).unwrap();
    let ids: std::collections::BTreeSet<&str> = api.operations().map(|(_, o)| o.id).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.contains("list_sms_receipt_rules") && !ids.contains("create_a_new_rule"), "{ids:?}");
}

#[test]
fn closed_union() {
    // The contract crate decodes the example body: were `ContactData` left closed to every
    // property, it would be a type without values and the call after it unreachable (a warning).
    let schemas = "#/components/schemas";
    let outcome = generates_warnings(
        "closed-union",
        "additional-properties-dropped",
        &[&format!("{schemas}/ContactData/additionalProperties"), &format!("{schemas}/CreateLabelRequest/additionalProperties")],
    );
    let warned = |rule: &str| outcome.normalized.report.warnings().filter(|e| e.rule == rule).map(|e| e.pointer.clone()).collect::<Vec<_>>();
    assert_eq!(warned("enum-beside-union-dropped").len(), 1);
    assert_eq!(warned("closed-merge-part-opened"), [format!("{schemas}/ShippingAddress/allOf/1")]);
}

#[test]
fn document_quirks() {
    let outcome = generates("document-quirks");
    let noted = |rule: &str| entries(&outcome, rule);
    assert_eq!(noted("paths-extension-dropped"), 1);
    assert_eq!(noted("ref-percent-decoded"), 3);
    // Twice: `/api/fleet/{vehicleId}` is a copy of `/api/vehicles/{vehicleId}`.
    assert_eq!(noted("header-param-ignored"), 4);
    // A path item and a callback that are `$ref`s.
    assert_eq!(noted("ref-inlined"), 2);
}

#[test]
fn upgrade_beside_success() {
    generates_warnings("upgrade-beside-success", "response-success-dropped", &["#/paths/~1api~1containers~1{id}~1attach/post/responses/101"]);
}

/// `generated/` of the output is a link to a directory outside it: regen refuses it by name
/// and the directory it points at keeps exactly what it had.
#[cfg(unix)]
#[test]
fn a_symlinked_output_directory_is_refused() {
    let scratch = tempfile::tempdir().unwrap();
    let (out, outside) = (scratch.path().join("out"), scratch.path().join("outside"));
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(outside.join("archastro-client")).unwrap();
    std::fs::write(outside.join("archastro-client/Cargo.toml"), "mine\n").unwrap();
    let link = out.join("generated");
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    let err = regen_fixture("duplicate-enum-values", &out).expect_err("regen refused the link").to_string();
    assert!(err.starts_with(&format!("{}: ", link.display())) && err.contains("symbolic link"), "{err}");
    let mut left: Vec<_> = walk(&outside);
    left.sort();
    assert_eq!(left, [outside.join("archastro-client"), outside.join("archastro-client/Cargo.toml")]);
    assert_eq!(std::fs::read_to_string(outside.join("archastro-client/Cargo.toml")).unwrap(), "mine\n");
}

/// Everything under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}
