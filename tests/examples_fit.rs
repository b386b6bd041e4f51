//! Every example of every real platform spec fits its schema once normalized: the spec's own
//! (repaired or replaced by the normalizer where they did not fit) and the ones generated for
//! the contract crate's arguments and the server's probe bodies.

use archastro_codegen::examples::{example, fits};
use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::{load, normalize};
use serde_json::Value;

/// The examples of `v` (at pointer `at`) with the schema each is for: the one beside it
/// (`schema` of a parameter, header or media type), else the object holding it. Example
/// values themselves are not searched.
fn examples<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a Value, &'a Value)>) {
    match v {
        Value::Object(map) => {
            if let Some(example) = map.get("example") {
                out.push((at.clone(), map.get("schema").unwrap_or(v), example));
            }
            for (key, child) in map {
                if !matches!(key.as_str(), "example" | "examples" | "default" | "enum") {
                    examples(child, format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                examples(item, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The schemas the contract crate and the server's probes build examples for: each
/// operation's parameters and JSON request body.
fn generated_for(doc: &Value) -> Vec<(String, &Value)> {
    let mut schemas = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let at = format!("{path} {method}");
            for p in op["parameters"].as_array().into_iter().flatten() {
                schemas.push((format!("{at} parameter {}", p["name"]), &p["schema"]));
            }
            if let Some(body) = op.pointer("/requestBody/content/application~1json/schema") {
                schemas.push((format!("{at} body"), body));
            }
        }
    }
    schemas
}

#[test]
fn every_platform_example_fits_its_schema() {
    let root = archastro_tests::workspace_root();
    let families = "spec/families-platform-v1.toml";
    let text = std::fs::read_to_string(root.join(families)).expect("families file");
    let config = FamiliesConfig::parse(families, &text).expect("families file parses");
    let mut misfits = Vec::new();
    for spec in archastro_tests::platform_specs() {
        let name = spec.file_name().unwrap().to_string_lossy().into_owned();
        let doc = load::parse_document(&name, &std::fs::read(&spec).unwrap()).expect("spec loads");
        let normalized = normalize::normalize(&doc, &config).expect("spec normalizes");
        let (mut own, mut generated) = (0, 0);
        for (family, doc) in &normalized.families {
            let mut found = Vec::new();
            examples(doc, "#".into(), &mut found);
            own += found.len();
            for (at, schema, value) in found {
                if let Err(why) = fits(doc, schema, value) {
                    misfits.push(format!("{name} {family} {at}: {why}"));
                }
            }
            for (at, schema) in generated_for(doc) {
                generated += 1;
                if let Err(why) = fits(doc, schema, &example(doc, schema, 0)) {
                    misfits.push(format!("{name} {family} generated for {at}: {why}"));
                }
            }
        }
        assert!(generated > 0, "{name}: no operation to build examples for");
        eprintln!("{name}: {own} examples of the spec and {generated} generated ones checked");
        if name.contains("2026-09-24") {
            let repaired = normalized.report.entries.iter().find(|e| e.pointer.ends_with("/CreateEvaluationRequest/example"));
            if repaired.is_none_or(|e| e.rule != "example-repaired") {
                misfits.push(format!("{name}: the example of CreateEvaluationRequest lacks `state`, yet the report has {repaired:?}"));
            }
        }
    }
    assert!(misfits.is_empty(), "{} misfits:\n{}", misfits.len(), misfits.join("\n"));
}
