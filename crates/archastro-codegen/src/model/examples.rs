//! Example values built from schemas: the contract crate's arguments and the server's probe
//! bodies. A schema's own `example` or `default` wins, then its first enum value, else a value
//! built from its type, format, bounds and required properties.

use serde_json::{Map, Value, json};

use crate::normalize::schema::resolve_schema;

/// A value valid against `schema`: its own example where it has one, else built from its
/// type, format, enum, bounds and required properties.
pub fn example(doc: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve_schema(doc, schema);
    if let Some(e) = schema.get("example") {
        return e.clone();
    }
    if let Some(d) = schema.get("default") {
        return d.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.iter().find(|v| !v.is_null()))
    {
        return first.clone();
    }
    if depth > 12 {
        return Value::Null;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in all {
            match example(doc, part, depth + 1) {
                Value::Object(m) => merged.extend(m),
                other if all.len() == 1 => return other,
                _ => {}
            }
        }
        return Value::Object(merged);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return example(doc, first, depth + 1);
        }
    }
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or(
        if schema.get("properties").is_some() {
            "object"
        } else {
            ""
        },
    );
    match ty {
        "object" => {
            let mut out = Map::new();
            let required: Vec<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let min = schema
                .get("minProperties")
                .and_then(Value::as_u64)
                .unwrap_or(0) as usize;
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, prop) in props {
                    if required.contains(&name.as_str()) {
                        out.insert(name.clone(), example(doc, prop, depth + 1));
                    }
                }
                // `minProperties` (update bodies): add optional properties in order.
                for (name, prop) in props {
                    if out.len() >= min {
                        break;
                    }
                    out.entry(name.clone())
                        .or_insert_with(|| example(doc, prop, depth + 1));
                }
            }
            Value::Object(out)
        }
        "array" => {
            let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let item = example(doc, &schema["items"], depth + 1);
            Value::Array((0..min.max(1)).map(|_| item.clone()).collect())
        }
        "integer" => {
            let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(1);
            let exclusive = schema.get("exclusiveMinimum") == Some(&json!(true));
            json!(
                (min + i64::from(exclusive)).max(1).min(
                    schema
                        .get("maximum")
                        .and_then(Value::as_i64)
                        .unwrap_or(i64::MAX)
                )
            )
        }
        "number" => json!(
            schema
                .get("minimum")
                .and_then(Value::as_f64)
                .unwrap_or(1.0)
                .max(1.0)
        ),
        "boolean" => json!(true),
        "string" => {
            let s = match schema.get("format").and_then(Value::as_str) {
                Some("date-time") => "2026-01-01T00:00:00Z".to_owned(),
                Some("date") => "2026-01-01".to_owned(),
                Some("email") => "ada@example.com".to_owned(),
                Some("uri" | "url") => "https://example.com/".to_owned(),
                Some("uuid") => "00000000-0000-4000-8000-000000000000".to_owned(),
                Some("byte") => "ZXhhbXBsZQ==".to_owned(),
                _ => "example".to_owned(),
            };
            let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
            let mut s = s;
            while s.len() < min {
                s.push('x');
            }
            json!(s)
        }
        _ => json!({}),
    }
}
