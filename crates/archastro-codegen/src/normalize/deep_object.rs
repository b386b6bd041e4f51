//! `style: deepObject` query parameters, which progenitor refuses. An object of scalar
//! properties is what deepObject writes as one query parameter per property
//! (`filter[status]=open`): it becomes exactly those parameters, so the client sends the same
//! query string. Any other deepObject parameter loses its style, with a warning (an object one
//! is then sent as a JSON string, as every other object query parameter is).

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::schema::resolve_schema;
use crate::names::progenitor_method_name;
use crate::report::Report;

/// The parameters of the operation at `op_at`, with each deepObject query parameter of
/// scalar properties replaced by one parameter per property, and `style: deepObject` taken
/// off the others.
pub fn flatten(
    report: &mut Report,
    root: &Value,
    op_at: &str,
    parameters: Vec<Value>,
) -> Vec<Value> {
    if !parameters.iter().any(is_deep_object) {
        return parameters;
    }
    let mut taken: HashSet<String> = parameters
        .iter()
        .filter(|p| !is_deep_object(p))
        .filter_map(|p| p.get("name").and_then(Value::as_str))
        .map(progenitor_method_name)
        .collect();
    let mut out = Vec::with_capacity(parameters.len());
    for mut parameter in parameters {
        if !is_deep_object(&parameter) {
            out.push(parameter);
            continue;
        }
        let name = parameter["name"].as_str().unwrap_or_default().to_owned();
        match properties(root, &parameter, &name, &taken) {
            Some(flat) => {
                report.info(
                    "param-deep-object-flattened",
                    op_at,
                    format!(
                        "deepObject parameter `{name}` became {} parameters `{name}[…]`",
                        flat.len()
                    ),
                );
                for p in &flat {
                    taken.insert(progenitor_method_name(
                        p["name"].as_str().unwrap_or_default(),
                    ));
                }
                out.extend(flat);
            }
            None => {
                if let Some(p) = parameter.as_object_mut() {
                    p.remove("style");
                    p.remove("explode");
                }
                report.warn(
                    "param-deep-object-style-dropped",
                    op_at,
                    format!(
                        "deepObject parameter `{name}` is not an object of scalar properties with names of their own; its style is dropped"
                    ),
                );
                out.push(parameter);
            }
        }
    }
    out
}

fn is_deep_object(parameter: &Value) -> bool {
    parameter.get("in").and_then(Value::as_str) == Some("query")
        && parameter.get("style").and_then(Value::as_str) == Some("deepObject")
}

/// One query parameter per property of the deepObject `parameter` named `name`, or `None`
/// when its schema is not an object of scalar properties or a property's parameter would
/// take a name (as the client's setter) that is `taken`.
fn properties(
    root: &Value,
    parameter: &Value,
    name: &str,
    taken: &HashSet<String>,
) -> Option<Vec<Value>> {
    let schema = resolve_schema(root, parameter.get("schema")?);
    let properties = schema.get("properties")?.as_object()?;
    if properties.is_empty()
        || schema
            .get("additionalProperties")
            .is_some_and(|a| a != &json!(false))
    {
        return None;
    }
    let required_object = parameter.get("required") == Some(&json!(true));
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut flat = Vec::with_capacity(properties.len());
    let mut names = HashSet::new();
    for (property, property_schema) in properties {
        if !is_scalar(root, property_schema) {
            return None;
        }
        let flat_name = format!("{name}[{property}]");
        let setter = progenitor_method_name(&flat_name);
        if taken.contains(&setter) || !names.insert(setter) {
            return None;
        }
        let mut p = Map::new();
        p.insert("name".into(), json!(flat_name));
        p.insert("in".into(), json!("query"));
        p.insert(
            "required".into(),
            json!(required_object && required.contains(&property.as_str())),
        );
        if let Some(description) = resolve_schema(root, property_schema).get("description") {
            p.insert("description".into(), description.clone());
        }
        p.insert("schema".into(), property_schema.clone());
        flat.push(Value::Object(p));
    }
    Some(flat)
}

/// Whether `schema` (resolved) is a string, number, integer or boolean.
fn is_scalar(root: &Value, schema: &Value) -> bool {
    let schema = resolve_schema(root, schema);
    matches!(
        schema.get("type").and_then(Value::as_str),
        Some("string" | "integer" | "number" | "boolean")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flattened(parameters: Value) -> (Vec<Value>, Vec<&'static str>) {
        let root = json!({"components": {"schemas": {
            "Filter": {"type": "object", "required": ["status"], "properties": {
                "status": {"type": "string", "description": "Open or closed."},
                "since": {"type": "integer"}
            }}
        }}});
        let mut report = Report::default();
        let Value::Array(parameters) = parameters else {
            panic!("an array");
        };
        let out = flatten(&mut report, &root, "#/paths/~1a/get", parameters);
        (out, report.entries.iter().map(|e| e.rule).collect())
    }

    #[test]
    fn an_object_of_scalars_becomes_one_parameter_per_property() {
        let (out, rules) = flattened(json!([
            {"name": "filter", "in": "query", "required": true, "style": "deepObject",
             "schema": {"$ref": "#/components/schemas/Filter"}},
            {"name": "page", "in": "query", "schema": {"type": "integer"}}
        ]));
        assert_eq!(
            out,
            [
                json!({"name": "filter[since]", "in": "query", "required": false, "schema": {"type": "integer"}}),
                json!({"name": "filter[status]", "in": "query", "required": true,
                       "description": "Open or closed.", "schema": {"type": "string", "description": "Open or closed."}}),
                json!({"name": "page", "in": "query", "schema": {"type": "integer"}}),
            ]
        );
        assert_eq!(rules, ["param-deep-object-flattened"]);
    }

    #[test]
    fn nested_values_or_a_name_taken_keep_the_parameter_without_its_style() {
        for parameters in [
            json!([{"name": "f", "in": "query", "style": "deepObject",
                    "schema": {"type": "object", "properties": {"a": {"type": "object"}}}}]),
            json!([{"name": "filter", "in": "query", "style": "deepObject",
                    "schema": {"$ref": "#/components/schemas/Filter"}},
                   {"name": "filter_status", "in": "query", "schema": {"type": "string"}}]),
        ] {
            let (out, rules) = flattened(parameters.clone());
            let mut expected = parameters.as_array().unwrap().clone();
            expected[0].as_object_mut().unwrap().remove("style");
            assert_eq!(
                (out, rules),
                (expected, vec!["param-deep-object-style-dropped"])
            );
        }
    }
}
