//! Object properties that typify would turn into the same struct field (`a-b`, `aB` and
//! `a_b` are all `a_b`; `self` and `Self` are both `self_`): the struct would not compile, so
//! the schema is rejected with the pointer of the second property, naming the first. typify 0.8 names a field only
//! after its property (no extension renames it), so a collision cannot be repaired here
//! without changing the wire name.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Ctx;
use crate::names::struct_field_name;
use crate::pointer;
use crate::{Error, Result};

/// Keywords whose value is one schema.
const SCHEMA_KEYWORDS: &[&str] = &["items", "additionalProperties", "not"];
/// Keywords whose value is a list of schemas.
const SCHEMA_LIST_KEYWORDS: &[&str] = &["allOf", "anyOf", "oneOf"];

/// Checks every component schema and every schema under a `schema` key (parameters, bodies,
/// responses, headers). Run before the hoist it names the property where the spec wrote it;
/// run after the lift (every object typify names is then a component) it sees the rest.
pub fn check(ctx: &Ctx, root: &Value) -> Result<()> {
    if let Some(schemas) = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            check_schema(
                ctx,
                schema,
                &pointer::from_tokens(["components", "schemas", name.as_str()]),
            )?;
        }
    }
    check_schemas_under(ctx, root, &mut String::from("#"))
}

/// Checks the value of every `schema` key in `v` (at `at`).
fn check_schemas_under(ctx: &Ctx, v: &Value, at: &mut String) -> Result<()> {
    let len = at.len();
    match v {
        Value::Object(map) => map.iter().try_for_each(|(key, inner)| {
            at.push('/');
            pointer::push_escaped(at, key);
            let result = if key == "schema" {
                check_schema(ctx, inner, at)
            } else {
                check_schemas_under(ctx, inner, at)
            };
            at.truncate(len);
            result
        }),
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, inner)| {
            at.push('/');
            at.push_str(&i.to_string());
            let result = check_schemas_under(ctx, inner, at);
            at.truncate(len);
            result
        }),
        _ => Ok(()),
    }
}

/// Checks `schema` at `at` and the schemas it holds.
fn check_schema(ctx: &Ctx, schema: &Value, at: &str) -> Result<()> {
    let Some(schema) = schema.as_object() else {
        return Ok(());
    };
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let properties_at = pointer::join(at, "properties");
        let mut fields: BTreeMap<String, &str> = BTreeMap::new();
        for (property, value) in properties {
            let property_at = pointer::join(&properties_at, property);
            let field = struct_field_name(property);
            if let Some(first) = fields.get(&field) {
                return Err(Error::invalid(
                    &ctx.file,
                    &property_at,
                    format!(
                        "becomes the struct field `{field}`, as `{first}` does; rename one of the properties"
                    ),
                ));
            }
            fields.insert(field, property);
            check_schema(ctx, value, &property_at)?;
        }
    }
    for keyword in SCHEMA_KEYWORDS {
        if let Some(inner) = schema.get(*keyword) {
            check_schema(ctx, inner, &pointer::join(at, keyword))?;
        }
    }
    for keyword in SCHEMA_LIST_KEYWORDS {
        if let Some(Value::Array(inner)) = schema.get(*keyword) {
            let list_at = pointer::join(at, keyword);
            for (i, inner) in inner.iter().enumerate() {
                check_schema(ctx, inner, &pointer::join(&list_at, &i.to_string()))?;
            }
        }
    }
    Ok(())
}
