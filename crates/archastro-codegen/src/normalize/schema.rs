//! JSON Schema as OpenAPI 3.1 writes it, brought down to the OpenAPI 3.0.3 dialect that
//! progenitor and typify read: type arrays with `null` become `nullable`, `const` a one-value
//! `enum`, numeric exclusive bounds the boolean form, `examples` one `example`, a repeated `enum`
//! value kept once (typify panics on one), a value that is no schema at all (a string, a
//! number) `{}`, any value, and keywords 3.0 lacks are dropped (with a warning where they
//! carried meaning), as is a `pattern` that only a backtracking engine can check
//! ([`crate::pattern`]); then the shapes typify panics on are repaired (`typify_shapes.rs`).
//! Before all that, a keyword whose value has the wrong JSON shape (`"type": "String"` or
//! `{...}`, `"enum": "x"`, `"minLength": "3"`) is repaired or dropped, with a warning.
//! Idempotent on 3.0 input.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::report::{Report, short_json};
use crate::{pattern, pointer};

/// Keywords that only annotate a schema.
pub const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "example",
    "examples",
    "externalDocs",
    "$comment",
    "readOnly",
    "writeOnly",
    "deprecated",
    "xml",
];

/// Keywords 3.0 does not have and whose loss changes nothing a client checks.
const DROPPED_QUIETLY: &[&str] = &[
    "$schema",
    "$id",
    "$anchor",
    "$comment",
    "$dynamicAnchor",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
];

/// Keywords 3.0 does not have and that constrained the value.
const DROPPED_WITH_WARNING: &[&str] = &[
    "$defs",
    "$dynamicRef",
    "prefixItems",
    "if",
    "then",
    "else",
    "patternProperties",
    "propertyNames",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "minContains",
    "maxContains",
];

/// Keywords that go with one JSON type when a multi-type schema is split into `anyOf`.
fn keywords_of(ty: &str) -> &'static [&'static str] {
    match ty {
        "object" => &[
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "maxProperties",
        ],
        "array" => &["items", "minItems", "maxItems", "uniqueItems"],
        "string" => &["pattern", "minLength", "maxLength", "enum"],
        "integer" | "number" => &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
        ],
        _ => &[],
    }
}

/// Converts the schema at `value` (and everything under it) in place. A value where a schema
/// stands that is none (a string, a number, an array, `null`: real specs have an example
/// response there) becomes `{}`, any value, with a warning naming its place.
pub fn downgrade(value: &mut Value, at: &str, report: &mut Report) {
    downgrade_at(value, &mut at.to_owned(), report);
}

/// [`downgrade`] with `at` as a buffer that children extend and truncate back.
fn downgrade_at(value: &mut Value, at: &mut String, report: &mut Report) {
    match value {
        Value::Bool(true) => *value = json!({}),
        Value::Bool(false) => *value = json!({"not": {}}),
        Value::Object(map) => {
            downgrade_object(map, at, report);
            super::typify_shapes::repair(map, at, report);
            recurse(map, at, report);
        }
        _ => {
            let what = match value {
                Value::Null => "null",
                Value::Number(_) => "a number",
                Value::String(_) => "a string",
                _ => "an array",
            };
            report.warn(
                "invalid-schema-replaced",
                at.as_str(),
                format!(
                    "a schema is an object (or, in OpenAPI 3.1, a boolean), not {what}: read as `{{}}`, any value"
                ),
            );
            *value = json!({});
        }
    }
}

fn recurse(map: &mut Map<String, Value>, at: &mut String, report: &mut Report) {
    let len = at.len();
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        at.push_str("/properties");
        let base = at.len();
        for (name, prop) in props.iter_mut() {
            at.push('/');
            pointer::push_escaped(at, name);
            downgrade_at(prop, at, report);
            at.truncate(base);
        }
        at.truncate(len);
    }
    for key in ["items", "not"] {
        if let Some(v) = map.get_mut(key) {
            at.push('/');
            at.push_str(key);
            downgrade_at(v, at, report);
            at.truncate(len);
        }
    }
    if let Some(v @ Value::Object(_)) = map.get_mut("additionalProperties") {
        at.push_str("/additionalProperties");
        downgrade_at(v, at, report);
        at.truncate(len);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = map.get_mut(key) {
            for (i, item) in items.iter_mut().enumerate() {
                use std::fmt::Write as _;
                let _ = write!(at, "/{key}/{i}");
                downgrade_at(item, at, report);
                at.truncate(len);
            }
        }
    }
}

fn is_null_schema(v: &Value) -> bool {
    match v.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.len() == 1 && ts[0] == "null",
        _ => {
            v.get("enum").is_some_and(|e| e == &json!([null]))
                && v.as_object().is_some_and(|m| m.len() == 1)
        }
    }
}

/// The one part of `map`'s one-part `allOf` when it is an inline schema (no `$ref`) whose
/// keywords `map` does not have beside its annotations and `nullable`: typify names neither
/// the wrapper nor the part, so an inline object there would stay anonymous.
fn single_inline_part(map: &Map<String, Value>) -> Option<&Map<String, Value>> {
    let Some(Value::Array(parts)) = map.get("allOf") else {
        return None;
    };
    let [Value::Object(part)] = &parts[..] else {
        return None;
    };
    let beside = |k: &String| k == "allOf" || k == "nullable" || ANNOTATIONS.contains(&k.as_str());
    (!part.contains_key("$ref")
        && map.keys().all(beside)
        && !part.keys().any(|k| k == "nullable" && map.contains_key(k)))
    .then_some(part)
}

/// A one-part `allOf` of an inline schema (a one-alternative `oneOf` or `anyOf` became one
/// above) is that schema: its keywords move up, the wrapper's annotations kept over the
/// part's. The part is then a component like any other inline schema. True when it merged
/// (the part's own keywords are then still to downgrade).
fn merge_single_inline_part(map: &mut Map<String, Value>, at: &str, report: &mut Report) -> bool {
    if single_inline_part(map).is_none() {
        return false;
    }
    let Some(Value::Array(mut parts)) = map.remove("allOf") else {
        return false;
    };
    let Some(Value::Object(part)) = parts.pop() else {
        return false;
    };
    for (key, value) in part {
        map.entry(key).or_insert(value);
    }
    report.info(
        "schema-single-part-merged",
        at,
        "the one inline part of allOf/oneOf/anyOf became the schema itself",
    );
    true
}

/// True when [`downgrade_object`] has anything to change in `map`: one pass over its keys,
/// where most schemas need none of the many lookups below. (Each rule below starts from one
/// of these keys.)
fn has_downgrade_work(map: &Map<String, Value>) -> bool {
    if map.len() > 1 && map.contains_key("$ref") {
        return true;
    }
    map.iter().any(|(k, v)| match k.as_str() {
        _ if !keyword_fits(k, v) => true,
        "type" => !v.is_string() || v == "null",
        "enum" => v
            .as_array()
            .is_some_and(|e| e.iter().any(Value::is_null) || has_duplicates(e)),
        "items" => v.is_array(),
        "const" | "exclusiveMinimum" | "exclusiveMaximum" | "examples" | "anyOf" | "oneOf" => true,
        "allOf" => single_inline_part(map).is_some(),
        "pattern" => v.as_str().and_then(pattern::linear).is_none(),
        "maxItems" => fixed_length_beyond_serde(map).is_some(),
        k => DROPPED_QUIETLY.contains(&k) || DROPPED_WITH_WARNING.contains(&k),
    })
}

/// The longest array serde reads and writes as a Rust array (`[T; n]`, which typify makes of
/// an array of exactly `n` items).
const LONGEST_FIXED_ARRAY: u64 = 32;

/// The length of an array schema of exactly that many items (`minItems` equal to `maxItems`)
/// when it is longer than [`LONGEST_FIXED_ARRAY`].
fn fixed_length_beyond_serde(map: &Map<String, Value>) -> Option<u64> {
    let length = |key: &str| map.get(key).and_then(Value::as_u64);
    match (length("minItems"), length("maxItems")) {
        (Some(min), Some(max)) if min == max && min > LONGEST_FIXED_ARRAY => Some(min),
        _ => None,
    }
}

/// Drops a `pattern` that no linear-time engine can check (see [`pattern`]): the client never
/// runs a backtracking regular expression on what a server sends.
fn drop_backtracking_pattern(map: &mut Map<String, Value>, at: &str, report: &mut Report) {
    let Some(found) = map.get("pattern") else {
        return;
    };
    if found.as_str().and_then(pattern::linear).is_some() {
        return;
    }
    let shown = found
        .as_str()
        .map_or_else(|| found.to_string(), str::to_owned);
    map.remove("pattern");
    report.warn(
        "schema-pattern-dropped",
        pointer::join(at, "pattern"),
        format!(
            "`{shown}` needs a backtracking engine (a backreference, a lookaround, or syntax \
             the linear-time `regex` crate refuses); the client does not check it"
        ),
    );
}

/// The type names of JSON Schema (`null` only in OpenAPI 3.1).
const TYPE_NAMES: &[&str] = &[
    "string", "number", "integer", "boolean", "array", "object", "null",
];

/// Whether the value of the schema keyword `key` has the JSON shape the keyword takes (any
/// value for a keyword this check does not know). typify refuses a schema whose keyword has
/// another (`"type": {...}`, `"enum": "x"`, `"minLength": "3"`), and progenitor stops at a
/// type name it does not know (`"type": "file"`, `"String"`).
fn keyword_fits(key: &str, v: &Value) -> bool {
    match key {
        "type" => match v {
            Value::String(name) => TYPE_NAMES.contains(&name.as_str()),
            Value::Array(names) => names
                .iter()
                .all(|n| n.as_str().is_some_and(|n| TYPE_NAMES.contains(&n))),
            _ => false,
        },
        "title" | "description" | "format" | "pattern" => v.is_string(),
        "nullable" | "readOnly" | "writeOnly" | "deprecated" | "uniqueItems" => v.is_boolean(),
        "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties" | "maxProperties" => {
            v.is_u64()
        }
        "minimum" | "maximum" | "multipleOf" => v.is_number(),
        "exclusiveMinimum" | "exclusiveMaximum" => v.is_boolean() || v.is_number(),
        "enum" | "allOf" | "anyOf" | "oneOf" => v.is_array(),
        "required" => v
            .as_array()
            .is_some_and(|names| names.iter().all(Value::is_string)),
        "properties" | "externalDocs" | "xml" => v.is_object(),
        "additionalProperties" => v.is_object() || v.is_boolean(),
        "discriminator" => v.get("propertyName").is_some_and(Value::is_string),
        _ => true,
    }
}

/// Repairs the keywords whose values do not have their JSON shape ([`keyword_fits`]), each
/// with a warning: a type name in another case becomes the name (`"String"`), Swagger 2's
/// `file` a binary string and an unknown name goes (`"any"`: any value); a number or flag
/// written as text becomes the number or flag; one schema where a list of them belongs
/// becomes a list of one; names where text belongs lose what is no text (`required`);
/// any other misshapen keyword is dropped (its constraint is not checked).
fn repair_keyword_values(map: &mut Map<String, Value>, at: &str, report: &mut Report) {
    let misshapen: Vec<String> = map
        .iter()
        .filter(|(k, v)| !keyword_fits(k, v))
        .map(|(k, _)| k.clone())
        .collect();
    for key in misshapen {
        let Some(found) = map.remove(&key) else {
            continue;
        };
        let what = format!("`{}`", short_json(&found));
        let (repaired, how) = if key == "type" && found.as_str().is_some_and(is_file_type) {
            map.entry("format").or_insert_with(|| json!("binary"));
            (
                Some(json!("string")),
                "read as a binary string (Swagger 2's `file`)",
            )
        } else {
            repaired_keyword(&key, found)
        };
        if let Some(value) = repaired {
            map.insert(key.clone(), value);
        }
        report.warn(
            "schema-keyword-repaired",
            pointer::join(at, &key),
            format!("`{key}` is {what}, not what the keyword takes: {how}"),
        );
    }
}

/// The repaired value of a misshapen keyword (`None`: dropped) and what became of it.
fn repaired_keyword(key: &str, found: Value) -> (Option<Value>, &'static str) {
    let known = |name: &str| {
        let lower = name.to_ascii_lowercase();
        TYPE_NAMES.iter().find(|t| **t == lower).map(|t| json!(t))
    };
    match (key, found) {
        ("type", Value::String(name)) => match known(&name) {
            Some(t) => (Some(t), "read as the type name in lower case"),
            None => (None, "dropped (any value)"),
        },
        ("type", Value::Array(names)) => {
            let names: Vec<Value> = names
                .iter()
                .filter_map(Value::as_str)
                .filter_map(known)
                .collect();
            if names.is_empty() {
                (None, "dropped (any value)")
            } else {
                (
                    Some(Value::Array(names)),
                    "the type names it knows kept, in lower case",
                )
            }
        }
        ("required", name @ Value::String(_)) => (
            Some(Value::Array(vec![name])),
            "read as a list of that one name",
        ),
        ("required", Value::Array(names)) => {
            let names: Vec<Value> = names.into_iter().filter(Value::is_string).collect();
            (Some(Value::Array(names)), "the names that are text kept")
        }
        ("allOf" | "anyOf" | "oneOf", part @ Value::Object(_)) if looks_like_a_schema(&part) => (
            Some(Value::Array(vec![part])),
            "read as a list of that one schema",
        ),
        (_, Value::String(text)) => {
            // A flag or a number written as text: `"true"`, `"3"`.
            match serde_json::from_str::<Value>(&text.trim().to_ascii_lowercase()) {
                Ok(flag @ Value::Bool(_)) if keyword_fits(key, &flag) => {
                    (Some(flag), "read as the flag it spells")
                }
                Ok(n @ Value::Number(_)) if keyword_fits(key, &n) => {
                    (Some(n), "read as the number it spells")
                }
                _ => (None, "dropped; its constraint is not checked"),
            }
        }
        ("type", _) => (None, "dropped (any value)"),
        (key, _) if ANNOTATIONS.contains(&key) => (None, "dropped"),
        _ => (None, "dropped; its constraint is not checked"),
    }
}

/// Whether `v` is an object with a keyword that gives a schema its shape (an object of other
/// keys, such as `{"3": {...}}`, a bundler's patch of a list, is none).
fn looks_like_a_schema(v: &Value) -> bool {
    const SHAPING: &[&str] = &[
        "$ref",
        "type",
        "properties",
        "items",
        "allOf",
        "anyOf",
        "oneOf",
        "enum",
        "not",
        "additionalProperties",
        "required",
        "format",
    ];
    v.as_object()
        .is_some_and(|m| m.keys().any(|k| SHAPING.contains(&k.as_str())))
}

/// Swagger 2's type of an uploaded file, which OpenAPI 3 writes as a binary string.
fn is_file_type(name: &str) -> bool {
    name.eq_ignore_ascii_case("file")
}

/// Whether `values` lists one value twice.
fn has_duplicates(values: &[Value]) -> bool {
    let mut seen = HashSet::new();
    !values.iter().all(|v| seen.insert(v.to_string()))
}

fn downgrade_object(map: &mut Map<String, Value>, at: &str, report: &mut Report) {
    if !has_downgrade_work(map) {
        return;
    }
    repair_keyword_values(map, at, report);
    if let Some(Value::Array(values)) = map.get_mut("enum")
        && has_duplicates(values)
    {
        let mut seen = HashSet::new();
        values.retain(|v| seen.insert(v.to_string()));
        report.warn(
            "enum-duplicate-dropped",
            pointer::join(at, "enum"),
            "values listed more than once kept once (typify panics on a repeated value)",
        );
    }
    // `type: [T, "null"]`, `type: "null"` and multi-type arrays.
    let types: Option<Vec<String>> = match map.get("type") {
        Some(Value::Array(ts)) => Some(
            ts.iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect(),
        ),
        Some(Value::String(t)) if t == "null" => Some(vec!["null".into()]),
        _ => None,
    };
    if let Some(types) = types {
        let has_null = types.iter().any(|t| t == "null");
        let rest: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
        map.remove("type");
        match rest.as_slice() {
            [] => {
                map.insert("enum".into(), json!([null]));
            }
            [one] => {
                map.insert("type".into(), json!(one));
            }
            many => {
                let variants: Vec<Value> = many
                    .iter()
                    .map(|t| {
                        let mut v = Map::new();
                        v.insert("type".into(), json!(t));
                        // `format` goes with the type it describes.
                        if let Some(Value::String(f)) = map.get("format") {
                            let numeric =
                                matches!(f.as_str(), "int32" | "int64" | "float" | "double");
                            let fits = match t.as_str() {
                                "integer" | "number" => numeric,
                                "string" => !numeric,
                                _ => false,
                            };
                            if fits {
                                v.insert("format".into(), json!(f));
                            }
                        }
                        for k in keywords_of(t) {
                            if let Some(x) = map.get(*k) {
                                v.insert((*k).to_owned(), x.clone());
                            }
                        }
                        Value::Object(v)
                    })
                    .collect();
                for t in many {
                    for k in keywords_of(t) {
                        map.remove(*k);
                    }
                }
                map.remove("format");
                map.insert("anyOf".into(), Value::Array(variants));
                report.info(
                    "schema-type-array-to-any-of",
                    at,
                    format!("type {types:?} became anyOf"),
                );
            }
        }
        if has_null {
            map.insert("nullable".into(), json!(true));
            if let Some(Value::Array(e)) = map.get_mut("enum") {
                if rest.is_empty() {
                    // `type: "null"` alone: keep the single null value.
                } else {
                    e.retain(|v| !v.is_null());
                }
            }
            report.info(
                "schema-null-type-to-nullable",
                at,
                "type with \"null\" became nullable: true",
            );
        }
    } else if let Some(Value::Array(e)) = map.get_mut("enum") {
        // 3.1 nullable enums list `null` among the values.
        if e.len() > 1 && e.iter().any(Value::is_null) {
            e.retain(|v| !v.is_null());
            map.insert("nullable".into(), json!(true));
            report.info(
                "schema-null-type-to-nullable",
                at,
                "null enum value became nullable: true",
            );
        }
    }

    if let Some(c) = map.remove("const") {
        map.insert("enum".into(), json!([c]));
        report.info("schema-const-to-enum", at, "const became a one-value enum");
    }

    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match map.get(exclusive) {
            Some(Value::Number(n)) => {
                // 3.1 allows both bounds at once; the stricter one wins.
                let exclusive_value = n.as_f64().unwrap_or(f64::NAN);
                let inclusive_value = map.get(bound).and_then(Value::as_f64);
                let inclusive_is_stricter = inclusive_value.is_some_and(|b| {
                    if bound == "minimum" {
                        b > exclusive_value
                    } else {
                        b < exclusive_value
                    }
                });
                if inclusive_is_stricter {
                    map.remove(exclusive);
                    report.info(
                        "schema-exclusive-bound",
                        at,
                        format!("numeric {exclusive} dropped: the inclusive {bound} is stricter"),
                    );
                } else {
                    let n = Value::Number(n.clone());
                    map.insert(bound.into(), n);
                    map.insert(exclusive.into(), json!(true));
                    report.info(
                        "schema-exclusive-bound",
                        at,
                        format!("numeric {exclusive} became {bound} + {exclusive}: true"),
                    );
                }
            }
            Some(Value::Bool(_)) if !map.contains_key(bound) => {
                map.remove(exclusive);
                report.warn(
                    "schema-exclusive-bound",
                    at,
                    format!("{exclusive} without {bound} dropped"),
                );
            }
            _ => {}
        }
    }

    if let Some(examples) = map.remove("examples") {
        if !map.contains_key("example")
            && let Some(first) = examples.as_array().and_then(|a| a.first())
        {
            map.insert("example".into(), first.clone());
        }
        report.info("schema-examples-to-example", at, "examples became example");
    }

    // `{type: null}` among anyOf/oneOf alternatives.
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = map.get_mut(key) {
            let before = items.len();
            items.retain(|v| !is_null_schema(v));
            if items.len() != before {
                map.insert("nullable".into(), json!(true));
                report.info(
                    "schema-null-type-to-nullable",
                    at,
                    format!("null alternative of {key} became nullable: true"),
                );
            }
        }
        let single = matches!(map.get(key), Some(Value::Array(items)) if items.len() == 1)
            && !map.contains_key("allOf");
        if single && let Some(only) = map.remove(key) {
            map.insert("allOf".into(), only);
        }
    }
    if merge_single_inline_part(map, at, report) {
        downgrade_object(map, at, report);
    }

    for key in DROPPED_QUIETLY {
        if map.remove(*key).is_some() {
            report.info(
                "schema-keyword-dropped",
                at,
                format!("`{key}` has no OpenAPI 3.0 form"),
            );
        }
    }
    for key in DROPPED_WITH_WARNING {
        if map.remove(*key).is_some() {
            report.warn(
                "schema-keyword-dropped",
                at,
                format!("`{key}` has no OpenAPI 3.0 form; its constraint is not checked"),
            );
        }
    }
    drop_backtracking_pattern(map, at, report);
    if let Some(length) = fixed_length_beyond_serde(map) {
        map.remove("maxItems");
        report.warn(
            "fixed-length-array-as-vec",
            at,
            format!(
                "an array of exactly {length} items would be typed `[T; {length}]`, which serde reads and writes up to {LONGEST_FIXED_ARRAY} items only; `maxItems` dropped, typed as a `Vec` whose length is not checked"
            ),
        );
    }
    if matches!(map.get("items"), Some(Value::Array(_))) {
        map.remove("items");
        report.warn(
            "schema-keyword-dropped",
            at,
            "tuple `items` has no OpenAPI 3.0 form",
        );
    }

    // A `$ref` with siblings: 3.0 ignores the siblings, so keep what matters through `allOf`.
    if map.contains_key("$ref") && map.len() > 1 {
        let meaningful = map
            .keys()
            .any(|k| k != "$ref" && !ANNOTATIONS.contains(&k.as_str()));
        let target = map.remove("$ref").unwrap_or(Value::Null);
        if meaningful {
            let extra = map.remove("allOf");
            let mut all = vec![json!({"$ref": target})];
            if let Some(Value::Array(more)) = extra {
                all.extend(more);
            }
            map.insert("allOf".into(), Value::Array(all));
            report.info(
                "schema-ref-siblings-to-all-of",
                at,
                "$ref with sibling keywords became allOf",
            );
        } else {
            map.clear();
            map.insert("$ref".into(), target);
        }
    }
}

/// True when `v` (or the component it references) is an object schema with properties:
/// what typify turns into a struct.
pub fn is_struct_like(root: &Value, v: &Value) -> bool {
    let v = resolve_schema(root, v);
    v.get("properties")
        .is_some_and(|p| p.as_object().is_some_and(|p| !p.is_empty()))
        || v.get("allOf").is_some()
}

/// Follows `$ref`s to the schema they name (or returns `v`).
pub fn resolve_schema<'a>(root: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| pointer::resolve(root, r))
        {
            Some(next) => v = next,
            None => break,
        }
    }
    v
}

/// [`resolve_schema`] of a value taken by value: `v` itself when it is not a `$ref` that
/// resolves, so that only a referenced target is copied.
pub fn resolve_schema_owned(root: &Value, v: Value) -> Value {
    let target = resolve_schema(root, &v);
    if !std::ptr::eq(target, &v) {
        return target.clone();
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn down(v: Value) -> Value {
        let mut v = v;
        downgrade(&mut v, "#", &mut Report::default());
        v
    }

    /// Keywords of the wrong JSON shape are repaired where the intent is plain and dropped
    /// otherwise, one warning each; the result fits, so a second pass changes nothing.
    #[test]
    fn misshapen_keywords_are_repaired_once() {
        let cases = [
            (json!({"type": "Boolean"}), json!({"type": "boolean"})),
            (
                json!({"type": "FILE"}),
                json!({"type": "string", "format": "binary"}),
            ),
            (
                json!({"type": "file", "format": "byte"}),
                json!({"type": "string", "format": "byte"}),
            ),
            (json!({"type": {"type": "string"}}), json!({})),
            (
                json!({"type": "string", "maxLength": " 7 "}),
                json!({"type": "string", "maxLength": 7}),
            ),
            (
                json!({"type": "string", "maxLength": 7.5}),
                json!({"type": "string"}),
            ),
            (
                json!({"type": "number", "minimum": "-1.5"}),
                json!({"type": "number", "minimum": -1.5}),
            ),
            (
                json!({"type": "string", "readOnly": "FALSE"}),
                json!({"type": "string", "readOnly": false}),
            ),
            (
                json!({"type": "object", "required": "id"}),
                json!({"type": "object", "required": ["id"]}),
            ),
            (
                json!({"anyOf": {"type": "string"}}),
                json!({"type": "string"}),
            ),
            (
                json!({"type": "object", "allOf": {"3": {"properties": {}}}}),
                json!({"type": "object"}),
            ),
            (
                json!({"type": "string", "title": ["T"]}),
                json!({"type": "string"}),
            ),
        ];
        for (schema, expected) in cases {
            let mut report = Report::default();
            let mut once = schema.clone();
            downgrade(&mut once, "#", &mut report);
            assert_eq!(once, expected, "{schema}");
            let warnings: Vec<_> = report.warnings().map(|e| e.rule).collect();
            assert_eq!(warnings, ["schema-keyword-repaired"], "{schema}");
            let mut again = Report::default();
            let mut twice = once.clone();
            downgrade(&mut twice, "#", &mut again);
            assert_eq!((twice, again.entries.len()), (once, 0), "{schema}");
        }
    }

    /// A one-part union or merge of an inline schema is that schema (typify names neither the
    /// wrapper nor the part); a `$ref` part, or a wrapper with keywords of its own, stays.
    #[test]
    fn a_single_inline_part_becomes_the_schema() {
        let object = json!({"type": "object", "properties": {"a": {"type": "string"}}});
        assert_eq!(
            down(json!({"description": "kept", "oneOf": [object.clone()]})),
            json!({"description": "kept", "type": "object", "properties": {"a": {"type": "string"}}})
        );
        assert_eq!(
            down(
                json!({"nullable": true, "allOf": [{"type": ["integer", "null"], "description": "part"}]})
            ),
            json!({"nullable": true, "type": "integer", "description": "part"})
        );
        for kept in [
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/A"}]}),
            json!({"type": "object", "allOf": [object]}),
        ] {
            assert_eq!(down(kept.clone()), kept);
        }
    }

    #[test]
    fn nullable_type_arrays() {
        assert_eq!(
            down(json!({"type": ["string", "null"]})),
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(
            down(json!({"type": ["string", "integer"], "minimum": 1})),
            json!({"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 1}]})
        );
    }

    #[test]
    fn bounds_const_examples() {
        assert_eq!(
            down(json!({"type": "integer", "exclusiveMinimum": 0, "const": 3, "examples": [3, 4]})),
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "enum": [3], "example": 3})
        );
    }

    #[test]
    fn null_alternatives_and_ref_siblings() {
        assert_eq!(
            down(json!({"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]})),
            json!({"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true})
        );
        assert_eq!(
            down(json!({"$ref": "#/components/schemas/A", "description": "x"})),
            json!({"$ref": "#/components/schemas/A"})
        );
        assert_eq!(
            down(json!({"$ref": "#/components/schemas/A", "nullable": true})),
            json!({"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true})
        );
        // idempotent
        let once = down(json!({"type": ["object", "null"], "properties": {"a": {"const": "x"}}}));
        assert_eq!(down(once.clone()), once);
    }

    #[test]
    fn a_pattern_only_backtracking_can_check_is_dropped_with_a_warning() {
        let mut report = Report::default();
        let mut schema = json!({"properties": {
            "slug": {"type": "string", "pattern": "^(a+)+$"},
            "twice": {"type": "string", "pattern": "^(a)\\1$", "maxLength": 9},
        }});
        downgrade(&mut schema, "#", &mut report);
        assert_eq!(
            schema,
            json!({"properties": {
                "slug": {"type": "string", "pattern": "^(a+)+$"},
                "twice": {"type": "string", "maxLength": 9},
            }})
        );
        let dropped: Vec<(&str, &str)> = report
            .entries
            .iter()
            .map(|e| (e.rule, e.pointer.as_str()))
            .collect();
        assert_eq!(
            dropped,
            [("schema-pattern-dropped", "#/properties/twice/pattern")]
        );
    }
}
