//! Snapshots of the server code generated from fixture specs (the normalizer's fixtures under
//! `tests/fixtures/normalize/`): one helper, one line per fixture. A change to the server
//! generator shows up here as a reviewable diff.

use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::{load, model, normalize, server};
use archastro_tests::workspace_root;

fn check(fixture: &str) {
    let dir = workspace_root().join("tests/fixtures/normalize");
    let config = FamiliesConfig::load(&dir.join("families.toml")).unwrap();
    let doc = load::parse_document(fixture, &std::fs::read(dir.join(fixture)).unwrap()).unwrap();
    let normalized = normalize::normalize(&doc, &config).unwrap();
    let api = model::Api::new(&normalized).unwrap();
    let files = server::generate_server(&api, &config, "../../crates/archastro-server-support", "0.1.0").unwrap();
    let mut text = String::new();
    for (path, contents) in &files {
        text.push_str(&format!("==> {path}\n{contents}\n"));
    }
    insta::assert_snapshot!(format!("server__{fixture}"), text);
}

#[test] fn x_auth() { check("x-auth.3.0.json"); }
#[test] fn path_level_params() { check("path-level-params.3.0.json"); }
#[test] fn error_bodies_any_of() { check("error-bodies-any-of.3.0.json"); }
#[test] fn default_response_split() { check("default-response-split.3.0.json"); }
#[test] fn hostile_descriptions() { check("hostile-descriptions.3.1.json"); }
#[test] fn body_optional_required() { check("body-optional-required.3.0.json"); }
#[test] fn path_params_array_object() { check("path-params-array-object.3.0.json"); }
