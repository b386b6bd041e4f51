//! Doubling a spec roughly doubles the work. Normalizing a synthetic spec (`$ref` resolution,
//! example generation and checking, lifting) and diffing it against a changed copy (the
//! schema comparison) must take less than three times as long on a spec twice the size: a
//! linear cost takes about twice as long, a quadratic one four times. The two sizes are timed
//! in alternation, several rounds, and their medians compared, so that a busy machine slows
//! both alike.

use std::time::Instant;

use archastro_codegen::diff::diff_documents;
use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::load::{Document, parse_document};
use serde_json::{Map, Value, json};

/// Resources of the smaller spec (the larger has twice as many).
const RESOURCES: usize = 40;
/// Timed rounds per size, after one warm-up round.
const ROUNDS: usize = 5;
/// The largest ratio of the larger spec's median to the smaller's that passes.
const BOUND: f64 = 3.0;

const FAMILIES: &str = "name_prefixes = [\"/api\"]

[[family]]
name = \"api\"
title = \"API\"
paths = [\"/**\"]
";

/// The component of resource `i`: scalars with examples and bounds, an enum, a `$ref` to the
/// resource before it, and nested inline objects the normalizer lifts into components.
fn component(i: usize, changed: bool) -> Value {
    let mut properties = json!({
        "id": {"type": "string", "example": format!("thing-{i}")},
        "name": {"type": "string", "minLength": 1, "maxLength": 80},
        "count": {"type": "integer", "minimum": 0, "maximum": 1000, "example": 3},
        "status": {"type": "string", "enum": ["active", "paused", "archived"]},
        "tags": {"type": "array", "items": {"type": "object", "required": ["key"], "properties": {
            "key": {"type": "string"}, "value": {"type": "string"}}}},
        "settings": {"type": "object", "properties": {
            "limit": {"type": "integer", "format": "int32"},
            "mode": {"type": "string", "enum": ["fast", "safe"]}}},
    });
    if i > 0 {
        properties["parent"] = json!({"$ref": format!("#/components/schemas/Thing{}", i - 1)});
    }
    if changed {
        properties["note"] = json!({"type": "string"});
    }
    json!({"type": "object", "required": ["id", "name"], "properties": properties})
}

/// The paths of resource `i`: list (with query parameters) and create, then get, update and
/// delete by id.
fn paths(i: usize, changed: bool, paths: &mut Map<String, Value>) {
    let thing = json!({"$ref": format!("#/components/schemas/Thing{i}")});
    let ok = |schema: &Value| json!({"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}});
    let list = json!({"type": "array", "items": thing});
    let limit = json!({"name": "limit", "in": "query", "required": changed, "schema": {"type": "integer", "minimum": 1}});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}});
    let body = json!({"required": true, "content": {"application/json": {"schema": thing}}});
    paths.insert(
        format!("/api/things{i}"),
        json!({
            "get": {"operationId": format!("list_things{i}"), "parameters": [limit], "responses": ok(&list)},
            "post": {"operationId": format!("create_thing{i}"), "requestBody": body, "responses": ok(&thing)},
        }),
    );
    paths.insert(
        format!("/api/things{i}/{{id}}"),
        json!({
            "get": {"operationId": format!("get_thing{i}"), "parameters": [id], "responses": ok(&thing)},
            "patch": {"operationId": format!("update_thing{i}"), "parameters": [id], "requestBody": body, "responses": ok(&thing)},
            "delete": {"operationId": format!("delete_thing{i}"), "parameters": [id], "responses": {"204": {"description": "gone"}}},
        }),
    );
}

/// A spec of `resources` resources; `changed` adds a property to every component and makes a
/// query parameter of every resource required (changes the diff finds, one set per resource).
fn spec(resources: usize, changed: bool) -> Document {
    let mut all_paths = Map::new();
    let mut schemas = Map::new();
    for i in 0..resources {
        paths(i, changed, &mut all_paths);
        schemas.insert(format!("Thing{i}"), component(i, changed));
    }
    let doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "Scaling", "version": "1"},
        "paths": all_paths,
        "components": {"schemas": schemas},
    });
    parse_document("scaling.json", doc.to_string().as_bytes()).unwrap()
}

/// The specs of one size and the time of one normalize-and-diff of them, in seconds.
struct Size {
    base: Document,
    head: Document,
    samples: Vec<f64>,
}

impl Size {
    fn new(resources: usize) -> Size {
        Size {
            base: spec(resources, false),
            head: spec(resources, true),
            samples: Vec::new(),
        }
    }

    /// One timed run; returns how many changes the diff found.
    fn run(&mut self, config: &FamiliesConfig, measured: bool) -> usize {
        let start = Instant::now();
        let report = diff_documents(&self.base, &self.head, config).unwrap();
        if measured {
            self.samples.push(start.elapsed().as_secs_f64());
        }
        report.changes.len()
    }

    fn median(&mut self) -> f64 {
        self.samples.sort_by(f64::total_cmp);
        self.samples[self.samples.len() / 2]
    }
}

#[test]
fn doubling_the_spec_at_most_about_doubles_normalize_and_diff_time() {
    let config = FamiliesConfig::parse("families.toml", FAMILIES).unwrap();
    let (mut small, mut large) = (Size::new(RESOURCES), Size::new(2 * RESOURCES));
    let mut changes = (0, 0);
    for round in 0..=ROUNDS {
        changes = (small.run(&config, round > 0), large.run(&config, round > 0));
    }
    assert!(
        changes.0 > 0 && changes.1 >= 2 * changes.0,
        "the diff sees the changes: {changes:?}"
    );
    let (small_median, large_median) = (small.median(), large.median());
    let ratio = large_median / small_median;
    assert!(
        ratio < BOUND,
        "twice the spec took {ratio:.2}× as long ({:.0} ms vs {:.0} ms, medians of {ROUNDS})",
        large_median * 1000.0,
        small_median * 1000.0
    );
}
