//! How the diff reads one schema: `$ref`s followed (and the 3.0 `allOf` wrapper of a nullable
//! `$ref` looked through), `allOf` parts merged into one set of properties, its type as the
//! diff names it, its enum values and its canonical shape (equal shapes are the same schema however they are written).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::names::type_name;
use crate::pointer;

/// The schema a parameter, body or response without one is compared as (any value).
pub(super) static ANY: Value = Value::Null;

/// A schema of one side of the diff, with the family document its `$ref`s resolve against.
#[derive(Debug, Clone, Copy)]
pub(super) struct Side<'a> {
    pub doc: &'a Value,
    pub schema: &'a Value,
}

/// A schema with `$ref`s followed and `allOf` merged: properties and required lists of every
/// part.
pub(super) struct Flat<'a> {
    /// The schema as written (perhaps a `$ref`, or the wrapper that makes one nullable).
    pub written: Side<'a>,
    /// What it resolves to.
    pub schema: &'a Value,
    /// The component it names, when it is a `$ref` to one.
    pub name: Option<String>,
    pub properties: BTreeMap<&'a str, &'a Value>,
    pub required: BTreeSet<&'a str>,
}

impl<'a> Side<'a> {
    /// Another schema of the same side.
    pub fn at(self, schema: &'a Value) -> Side<'a> {
        Side {
            doc: self.doc,
            schema,
        }
    }

    /// The schema a `$ref` names, with the name of the first component on the way (for Rust
    /// type names). A 3.0 wrapper `{allOf: [X], nullable: true}` (how a nullable `$ref` is
    /// written) is looked through too.
    pub fn resolve(self) -> (&'a Value, Option<String>) {
        let mut s = self.schema;
        let mut name = None;
        for _ in 0..16 {
            if let Some(r) = s.get("$ref").and_then(Value::as_str) {
                // The first component is the generated type: one that only wraps another is
                // a newtype of it.
                if name.is_none() {
                    name = r
                        .strip_prefix("#/components/schemas/")
                        .map(pointer::unescape);
                }
                match pointer::resolve(self.doc, r) {
                    Some(next) => s = next,
                    None => break,
                }
            } else if let Some(inner) = single_all_of(s) {
                s = inner;
            } else {
                break;
            }
        }
        (s, name)
    }

    /// The schema resolved, with every `allOf` part's properties and required names merged.
    pub fn flatten(self) -> Flat<'a> {
        let (schema, name) = self.resolve();
        let mut flat = Flat {
            written: self,
            schema,
            name,
            properties: BTreeMap::new(),
            required: BTreeSet::new(),
        };
        flat.collect_object(schema, 0);
        flat
    }

    /// The schema's shape without annotations, `$ref`s resolved, `enum` and `required`
    /// sorted: equal shapes mean the same schema however it is written.
    pub fn canonical(self) -> String {
        canonical_value(self.doc, self.schema, 0, false).to_string()
    }
}

impl<'a> Flat<'a> {
    fn collect_object(&mut self, schema: &'a Value, depth: usize) {
        if depth > 8 {
            return;
        }
        for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
            self.properties.insert(name, prop);
        }
        for r in schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            self.required.insert(r);
        }
        for part in schema["allOf"].as_array().into_iter().flatten() {
            let (resolved, _) = self.written.at(part).resolve();
            self.collect_object(resolved, depth + 1);
        }
    }

    /// The resolved schema, as a schema of its side.
    pub fn resolved(&self) -> Side<'a> {
        self.written.at(self.schema)
    }

    /// Whether the value may be `null` (said by the schema or by the wrapper around its `$ref`).
    pub fn is_nullable(&self) -> bool {
        self.written_nullable() || self.own_nullable()
    }

    /// Whether the schema as written (the wrapper around a `$ref`) says `nullable`.
    pub fn written_nullable(&self) -> bool {
        is_nullable(self.written.schema)
    }

    /// Whether the resolved schema itself says `nullable`.
    pub fn own_nullable(&self) -> bool {
        is_nullable(self.schema)
    }

    /// The generated type of the component it names: `types::Thread`.
    pub fn type_path(&self) -> Option<String> {
        self.name
            .as_deref()
            .map(|n| format!("types::{}", type_name(n)))
    }
}

/// `X` of a schema that only wraps one `allOf` member (plus annotations, `nullable` and
/// `default`: how the normalizer keeps what belongs to a use of a component beside its `$ref`;
/// or a one-member `oneOf` with its `discriminator`, which the normalizer writes as `allOf`).
fn single_all_of(s: &Value) -> Option<&Value> {
    let m = s.as_object()?;
    let all = m.get("allOf")?.as_array()?;
    let only_wrapper = m.keys().all(|k| {
        matches!(
            k.as_str(),
            "allOf"
                | "nullable"
                | "default"
                | "description"
                | "title"
                | "example"
                | "deprecated"
                | "readOnly"
                | "writeOnly"
                | "discriminator"
        )
    });
    (all.len() == 1 && only_wrapper).then(|| &all[0])
}

fn is_nullable(s: &Value) -> bool {
    s.get("nullable") == Some(&Value::Bool(true))
}

/// The type as the diff names it: `string`, `integer(int64)`, `string(date-time)`; formats that
/// only annotate a string (`email`, `uri`...) are left out.
pub(super) fn type_of(s: &Value) -> Option<String> {
    let t = s.get("type").and_then(Value::as_str)?;
    Some(match s.get("format").and_then(Value::as_str) {
        Some(f)
            if matches!(t, "integer" | "number" | "string")
                && !matches!(f, "email" | "uri" | "url" | "hostname" | "password") =>
        {
            format!("{t}({f})")
        }
        _ => t.to_owned(),
    })
}

/// The non-null enum values, as JSON text (a set: reordering them is no change).
pub(super) fn enum_values(s: &Value) -> BTreeSet<String> {
    s["enum"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| !v.is_null())
        .map(Value::to_string)
        .collect()
}

/// [`Side::canonical`] of `v`; `names` when `v` maps property names to schemas.
fn canonical_value(doc: &Value, v: &Value, depth: usize, names: bool) -> Value {
    if depth > 12 {
        return Value::Null;
    }
    match v {
        Value::Object(m) if !names => {
            if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                return match pointer::resolve(doc, r) {
                    Some(target) => canonical_value(doc, target, depth + 1, false),
                    None => Value::String(r.to_owned()),
                };
            }
            let mut out = serde_json::Map::new();
            for (k, child) in m {
                if matches!(
                    k.as_str(),
                    "description" | "title" | "example" | "examples" | "externalDocs"
                ) || k.starts_with("x-")
                {
                    continue;
                }
                let value = match (k.as_str(), child) {
                    ("enum" | "required", Value::Array(items)) => {
                        let mut sorted: Vec<String> = items.iter().map(Value::to_string).collect();
                        sorted.sort();
                        Value::Array(sorted.into_iter().map(Value::String).collect())
                    }
                    ("properties", _) => canonical_value(doc, child, depth + 1, true),
                    _ => canonical_value(doc, child, depth + 1, false),
                };
                out.insert(k.clone(), value);
            }
            Value::Object(out)
        }
        // A map of property names: keep every key, normalize every schema.
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, c)| (k.clone(), canonical_value(doc, c, depth + 1, false)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|c| canonical_value(doc, c, depth + 1, false))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_nullable_ref_wrapper_resolves_to_its_component() {
        let doc = json!({"components": {"schemas": {"Thread": {"type": "object"}}}});
        let wrapper = json!({"allOf": [{"$ref": "#/components/schemas/Thread"}], "nullable": true});
        let side = Side {
            doc: &doc,
            schema: &wrapper,
        };
        let (schema, name) = side.resolve();
        assert_eq!(schema, &json!({"type": "object"}));
        assert_eq!(name.as_deref(), Some("Thread"));
        assert!(side.flatten().is_nullable());
    }

    #[test]
    fn a_lifted_schema_with_its_default_and_docs_resolves_to_its_component() {
        let doc = json!({"components": {"schemas": {"Mode": {"type": "string", "enum": ["a"]}}}});
        let wrapper = json!({"allOf": [{"$ref": "#/components/schemas/Mode"}],
                             "default": "a", "description": "d", "readOnly": true});
        let side = Side {
            doc: &doc,
            schema: &wrapper,
        };
        assert_eq!(side.resolve().1.as_deref(), Some("Mode"));
    }

    #[test]
    fn all_of_parts_merge_their_properties() {
        let doc = json!({"components": {"schemas": {"Base": {
            "properties": {"id": {"type": "string"}}, "required": ["id"]}}}});
        let schema = json!({"allOf": [{"$ref": "#/components/schemas/Base"},
            {"properties": {"title": {"type": "string"}}}]});
        let flat = Side {
            doc: &doc,
            schema: &schema,
        }
        .flatten();
        assert_eq!(
            flat.properties.keys().copied().collect::<Vec<_>>(),
            ["id", "title"]
        );
        assert_eq!(flat.required.iter().copied().collect::<Vec<_>>(), ["id"]);
    }

    #[test]
    fn canonical_shapes_ignore_annotations_order_and_refs() {
        let doc =
            json!({"components": {"schemas": {"Kind": {"type": "string", "enum": ["b", "a"]}}}});
        let inline = json!({"type": "string", "enum": ["a", "b"], "description": "kind"});
        let by_ref = json!({"$ref": "#/components/schemas/Kind"});
        let side = |schema| Side { doc: &doc, schema };
        assert_eq!(side(&inline).canonical(), side(&by_ref).canonical());
        assert_ne!(
            side(&inline).canonical(),
            side(&json!({"type": "string"})).canonical()
        );
    }

    #[test]
    fn annotation_formats_are_not_types() {
        assert_eq!(
            type_of(&json!({"type": "string", "format": "email"})).as_deref(),
            Some("string")
        );
        assert_eq!(
            type_of(&json!({"type": "integer", "format": "int64"})).as_deref(),
            Some("integer(int64)")
        );
        assert_eq!(enum_values(&json!({"enum": ["a", null]})).len(), 1);
    }
}
