//! Deterministic synthetic specs for the scaling figures: CRUD resources over four families,
//! four component schemas per resource, no randomness; and their families file.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

const SYNTHETIC_FAMILIES: [&str; 4] = ["accounts", "content", "billing", "operations"];
const SYNTHETIC_NOUNS: [&str; 8] = [
    "agent", "thread", "message", "task", "document", "invoice", "order", "widget",
];

/// The families file of the synthetic specs: one family per entry of [`SYNTHETIC_FAMILIES`].
pub(super) fn synthetic_families() -> String {
    let mut toml = String::from(
        "# Written by `cargo xtask bench` for its synthetic specs.\nname_prefixes = [\"/api/v1\"]\n",
    );
    for family in SYNTHETIC_FAMILIES {
        let _ = write!(
            toml,
            "\n[[family]]\nname = \"{family}\"\ntitle = \"{family}\"\ndescription = \"Synthetic {family} resources.\"\npaths = [\"/api/v1/{family}/**\"]\n"
        );
    }
    toml
}

/// A deterministic OpenAPI 3.0.3 document with exactly `operations` operations: CRUD resources
/// (list with paging and filters, create, get, update, delete) spread over four families, four
/// component schemas per resource (resource, create and update bodies, page) with enums,
/// formats, nullable and nested fields, shared schemas and responses, bearer auth.
pub(super) fn synthetic_spec(operations: usize) -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    schemas.insert(
        "Owner".into(),
        json!({
            "type": "object",
            "description": "Who owns a resource.",
            "required": ["id", "email"],
            "properties": {
                "id": {"type": "string", "description": "Owner id."},
                "email": {"type": "string", "format": "email"},
                "display_name": {"type": "string", "nullable": true},
            },
        }),
    );
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Machine-readable error code."},
                "message": {"type": "string"},
                "details": {"type": "object", "additionalProperties": true},
            },
        }),
    );
    let error = |description: &str| {
        json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        })
    };
    let responses = json!({
        "Unauthorized": error("Missing or invalid credentials."),
        "NotFound": error("No such resource."),
        "ValidationFailed": error("The request body is invalid."),
    });
    let json_body = |schema: &str| json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}});
    let status_enum = json!({"type": "string", "enum": ["active", "paused", "archived"]});

    let mut emitted = 0;
    let mut i = 0;
    while emitted < operations {
        let family = SYNTHETIC_FAMILIES[i % SYNTHETIC_FAMILIES.len()];
        let noun = SYNTHETIC_NOUNS[i % SYNTHETIC_NOUNS.len()];
        let ty = format!("{}{}{i}", noun[..1].to_uppercase(), &noun[1..]);
        let collection = format!("/api/v1/{family}/{noun}s_{i}");
        let item = format!("{collection}/{{{noun}_id}}");
        let tag = format!("{noun}s_{i}");
        let id_param = json!({
            "name": format!("{noun}_id"), "in": "path", "required": true,
            "description": format!("The {noun}'s id."),
            "schema": {"type": "string"},
        });
        let standard = |ok: &str, body: Option<&str>| {
            let mut r = Map::new();
            r.insert(
                ok.into(),
                match body {
                    Some(schema) => {
                        json!({"description": "Successful response.", "content": json_body(schema)})
                    }
                    None => json!({"description": "Deleted."}),
                },
            );
            r.insert(
                "401".into(),
                json!({"$ref": "#/components/responses/Unauthorized"}),
            );
            Value::Object(r)
        };
        schemas.insert(
            ty.clone(),
            json!({
                "type": "object",
                "description": format!("A {noun} (synthetic resource {i})."),
                "required": ["id", "name", "status", "created_at"],
                "properties": {
                    "id": {"type": "string", "description": "Stable identifier."},
                    "name": {"type": "string", "maxLength": 200},
                    "description": {"type": "string", "nullable": true},
                    "status": status_enum,
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time", "nullable": true},
                    "priority": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 10},
                    "score": {"type": "number", "format": "double"},
                    "enabled": {"type": "boolean", "default": true},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                    "owner": {"$ref": "#/components/schemas/Owner"},
                    "items": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key"],
                            "properties": {
                                "key": {"type": "string"},
                                "value": {"type": "integer", "format": "int64"},
                            },
                        },
                    },
                },
            }),
        );
        schemas.insert(
            format!("{ty}Create"),
            json!({
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 200},
                    "description": {"type": "string"},
                    "status": status_enum,
                    "priority": {"type": "integer", "format": "int32"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            }),
        );
        schemas.insert(
            format!("{ty}Update"),
            json!({
                "type": "object",
                "properties": {
                    "name": {"type": "string", "maxLength": 200},
                    "description": {"type": "string", "nullable": true},
                    "status": status_enum,
                    "enabled": {"type": "boolean"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            }),
        );
        schemas.insert(
            format!("{ty}Page"),
            json!({
                "type": "object",
                "required": ["data", "total"],
                "properties": {
                    "data": {"type": "array", "items": {"$ref": format!("#/components/schemas/{ty}")}},
                    "total": {"type": "integer", "format": "int64"},
                    "next_offset": {"type": "integer", "nullable": true},
                },
            }),
        );
        let ops = [
            (
                collection.clone(),
                "get",
                json!({
                    "operationId": format!("list_{noun}s_{i}"),
                    "tags": [tag],
                    "summary": format!("List {noun}s"),
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
                        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                        {"name": "q", "in": "query", "description": "Full-text filter.", "schema": {"type": "string"}},
                        {"name": "status", "in": "query", "schema": status_enum},
                    ],
                    "responses": standard("200", Some(&format!("{ty}Page"))),
                }),
            ),
            (
                collection.clone(),
                "post",
                json!({
                    "operationId": format!("create_{noun}_{i}"),
                    "tags": [tag],
                    "summary": format!("Create a {noun}"),
                    "requestBody": {"required": true, "content": json_body(&format!("{ty}Create"))},
                    "responses": {
                        "201": {"description": "Created.", "content": json_body(&ty)},
                        "401": {"$ref": "#/components/responses/Unauthorized"},
                        "422": {"$ref": "#/components/responses/ValidationFailed"},
                    },
                }),
            ),
            (
                item.clone(),
                "get",
                json!({
                    "operationId": format!("get_{noun}_{i}"),
                    "tags": [tag],
                    "summary": format!("Get a {noun}"),
                    "parameters": [id_param],
                    "responses": {
                        "200": {"description": "Successful response.", "content": json_body(&ty)},
                        "401": {"$ref": "#/components/responses/Unauthorized"},
                        "404": {"$ref": "#/components/responses/NotFound"},
                    },
                }),
            ),
            (
                item.clone(),
                "patch",
                json!({
                    "operationId": format!("update_{noun}_{i}"),
                    "tags": [tag],
                    "summary": format!("Update a {noun}"),
                    "parameters": [id_param],
                    "requestBody": {"required": true, "content": json_body(&format!("{ty}Update"))},
                    "responses": standard("200", Some(&ty)),
                }),
            ),
            (
                item.clone(),
                "delete",
                json!({
                    "operationId": format!("delete_{noun}_{i}"),
                    "tags": [tag],
                    "summary": format!("Delete a {noun}"),
                    "parameters": [id_param],
                    "responses": standard("204", None),
                }),
            ),
        ];
        for (path, method, op) in ops {
            if emitted == operations {
                break;
            }
            let entry = paths.entry(path).or_insert_with(|| json!({}));
            entry[method] = op;
            emitted += 1;
        }
        i += 1;
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Synthetic API", "version": "1.0.0", "description": format!("{operations} operations, generated by cargo xtask bench.")},
        "servers": [{"url": "https://api.example.com"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": responses,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::bench::phases::Phases;
    use crate::bench::regen_options;

    #[test]
    fn synthetic_specs_have_the_asked_operation_count_and_are_deterministic() {
        for ops in [1, 7, 100] {
            let spec = synthetic_spec(ops);
            let count: usize = spec["paths"]
                .as_object()
                .unwrap()
                .values()
                .map(|i| i.as_object().unwrap().len())
                .sum();
            assert_eq!(count, ops);
            assert_eq!(spec, synthetic_spec(ops));
        }
    }

    /// Regenerates a small synthetic spec the way the bench's phase figures do: through the
    /// pipeline, observed; every phase and part must have been reported.
    #[test]
    fn synthetic_specs_regenerate_phase_by_phase() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let spec = dir.join("spec.json");
        std::fs::write(&spec, synthetic_spec(23).to_string()).unwrap();
        let families = dir.join("families.toml");
        std::fs::write(&families, synthetic_families()).unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let opts = regen_options(
            root,
            &spec.display().to_string(),
            &families,
            &dir.join("out"),
        )
        .unwrap();
        let phases = Phases::measure(&opts).unwrap().to_json();
        for (key, seconds) in phases.as_object().unwrap() {
            assert!(seconds.as_f64().unwrap() > 0.0, "{key}: {seconds}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
