//! The Rust type the generated client gives a schema, as typify 0.8 writes it (progenitor runs
//! typify on every schema of the normalized documents), so the diff can tell whether a change
//! of the spec changes the generated Rust at all.
//!
//! - A `$ref` is the component's type, `types::Name`; `nullable` (on the schema, on the
//!   component, or on the `allOf` wrapper of a `$ref`) wraps it in `Option`.
//! - Strings: `date-time`, `date`, `uuid`, `ip`, `ipv4` and `ipv6` are native types, any other
//!   format is a `String` (strings with a pattern or length bounds are components: the
//!   normalizer lifts them).
//! - Integers: the format's type when the bounds fit it (`NonZero…` when the minimum is 1),
//!   else the type whose range the bounds match, else `i64`; numbers are `f32` for `float`,
//!   else `f64`.
//! - Arrays are `Vec`s (a `uniqueItems` array too); objects without properties are maps:
//!   `serde_json::Map<String, serde_json::Value>` for any value, else `HashMap<String, V>`.
//! - A struct field that is not required keeps its type when the type has an intrinsic default
//!   (`Option`, `Vec` without `uniqueItems`, a map) or the schema has a `default`; any other
//!   becomes `Option<T>`.
//!
//! Types are written without typify's leading `::std::…` paths: `String`, `Vec<T>`,
//! `chrono::DateTime<Utc>`; an inline object with properties or a union (which the normalizer
//! lifts into a component almost always) is [`INLINE_STRUCT`] or [`INLINE_ENUM`].

use std::collections::BTreeMap;

use serde_json::Value;

use super::shape::Side;
use crate::names::type_name;
use crate::normalize::Normalized;

/// The struct fields the diff takes the generated client to have: for every component of
/// `normalized` that is an object with properties (and no `allOf`, `oneOf` or `anyOf`), its
/// type name, then each property's name and generated type. The tests hold it against the
/// generated `types.rs`.
pub fn predicted_fields(normalized: &Normalized) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (_, doc) in &normalized.families {
        let schemas = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object);
        for (name, schema) in schemas.into_iter().flatten() {
            let plain_object = ["allOf", "oneOf", "anyOf"]
                .iter()
                .all(|k| schema.get(k).is_none());
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                continue;
            };
            if !plain_object || properties.is_empty() {
                continue;
            }
            let side = Side { doc, schema };
            let required = |p: &str| {
                schema["required"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|n| n == p))
            };
            let fields = properties
                .iter()
                .map(|(p, s)| (p.clone(), field_type(side.at(s), required(p))))
                .collect();
            out.insert(type_name(name), fields);
        }
    }
    out
}

/// The generated Rust type of a value of `side`'s schema.
pub(super) fn value_type(side: Side) -> String {
    let (schema, name) = side.resolve();
    let inner = match &name {
        Some(n) => format!("types::{}", type_name(n)),
        None => unnamed(side.at(schema)),
    };
    let nullable = is_nullable(side.schema) || is_nullable(schema);
    if nullable && !inner.starts_with("Option<") {
        format!("Option<{inner}>")
    } else {
        inner
    }
}

/// The generated type of a struct field of `side`'s schema; `required` is whether the
/// property must be present.
pub(super) fn field_type(side: Side, required: bool) -> String {
    let value = value_type(side);
    let intrinsic_default = ["Option<", "Vec<", "HashMap<", "serde_json::Map<"]
        .iter()
        .any(|p| value.starts_with(p))
        && !is_set(side);
    if required || intrinsic_default || side.schema.get("default").is_some() {
        value
    } else {
        format!("Option<{value}>")
    }
}

/// Whether the schema is an array of unique items (typify's set, which has no intrinsic
/// default).
fn is_set(side: Side) -> bool {
    let (schema, name) = side.resolve();
    name.is_none() && schema.get("uniqueItems") == Some(&Value::Bool(true))
}

fn is_nullable(s: &Value) -> bool {
    s.get("nullable") == Some(&Value::Bool(true))
}

/// How the diff writes an object with properties that is no component: typify names it after
/// its place (`{Parent}{Property}`), which the diff does not follow.
pub const INLINE_STRUCT: &str = "{inline struct}";

/// How the diff writes a `oneOf`/`anyOf` that is no component (an enum typify names after its
/// place).
pub const INLINE_ENUM: &str = "{inline enum}";

/// The type of a schema that names no component.
fn unnamed(side: Side) -> String {
    let schema = side.schema;
    if ["oneOf", "anyOf"].iter().any(|k| schema.get(*k).is_some()) {
        return INLINE_ENUM.into();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => string_type(schema),
        Some("integer") => integer_type(schema),
        Some("number") if format(schema) == Some("float") => "f32".into(),
        Some("number") => "f64".into(),
        Some("boolean") => "bool".into(),
        Some("array") => match schema.get("items") {
            Some(items) => format!("Vec<{}>", value_type(side.at(items))),
            None => "Vec<serde_json::Value>".into(),
        },
        Some("object") => object_type(side),
        _ if schema.get("allOf").is_some() => INLINE_STRUCT.into(),
        _ => "serde_json::Value".into(),
    }
}

fn format(schema: &Value) -> Option<&str> {
    schema.get("format").and_then(Value::as_str)
}

fn string_type(schema: &Value) -> String {
    match format(schema) {
        Some("date-time") => "chrono::DateTime<Utc>",
        Some("date") => "chrono::NaiveDate",
        Some("uuid") => "uuid::Uuid",
        Some("ip") => "std::net::IpAddr",
        Some("ipv4") => "std::net::Ipv4Addr",
        Some("ipv6") => "std::net::Ipv6Addr",
        _ => "String",
    }
    .into()
}

/// An object: a map when it declares no properties, else a struct typify names after its
/// place (the normalizer lifts those into components, so this is rare).
fn object_type(side: Side) -> String {
    let schema = side.schema;
    let has_properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    let has_required = schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| !r.is_empty());
    let additional = schema.get("additionalProperties");
    if has_properties || has_required || additional == Some(&Value::Bool(false)) {
        return INLINE_STRUCT.into();
    }
    match additional {
        Some(value) if value.as_object().is_some_and(|m| !m.is_empty()) => {
            format!("HashMap<String, {}>", value_type(side.at(value)))
        }
        _ => "serde_json::Map<String, serde_json::Value>".into(),
    }
}

/// Integer formats from the most to the least restrictive: format, type, its non-zero type,
/// its range.
const INTEGERS: [(&str, &str, &str, f64, f64); 10] = [
    (
        "int8",
        "i8",
        "std::num::NonZeroU8",
        i8::MIN as f64,
        i8::MAX as f64,
    ),
    (
        "uint8",
        "u8",
        "std::num::NonZeroU8",
        u8::MIN as f64,
        u8::MAX as f64,
    ),
    (
        "int16",
        "i16",
        "std::num::NonZeroU16",
        i16::MIN as f64,
        i16::MAX as f64,
    ),
    (
        "uint16",
        "u16",
        "std::num::NonZeroU16",
        u16::MIN as f64,
        u16::MAX as f64,
    ),
    (
        "int",
        "i32",
        "std::num::NonZeroU32",
        i32::MIN as f64,
        i32::MAX as f64,
    ),
    (
        "int32",
        "i32",
        "std::num::NonZeroU32",
        i32::MIN as f64,
        i32::MAX as f64,
    ),
    (
        "uint",
        "u32",
        "std::num::NonZeroU32",
        u32::MIN as f64,
        u32::MAX as f64,
    ),
    (
        "uint32",
        "u32",
        "std::num::NonZeroU32",
        u32::MIN as f64,
        u32::MAX as f64,
    ),
    (
        "int64",
        "i64",
        "std::num::NonZeroU64",
        i64::MIN as f64,
        i64::MAX as f64,
    ),
    (
        "uint64",
        "u64",
        "std::num::NonZeroU64",
        u64::MIN as f64,
        u64::MAX as f64,
    ),
];

/// The inclusive bounds of an integer schema (3.0: `exclusiveMinimum` is a flag).
fn integer_bounds(schema: &Value) -> (Option<f64>, Option<f64>) {
    let bound = |key: &str, exclusive: &str, step: f64| {
        schema.get(key).and_then(Value::as_f64).map(|v| {
            if schema.get(exclusive) == Some(&Value::Bool(true)) {
                v + step
            } else {
                v
            }
        })
    };
    (
        bound("minimum", "exclusiveMinimum", 1.0),
        bound("maximum", "exclusiveMaximum", -1.0),
    )
}

/// typify's choice of integer type: the format's when the bounds fit it, else the type whose
/// range the bounds are, else `i64`.
fn integer_type(schema: &Value) -> String {
    let (mut min, mut max) = integer_bounds(schema);
    let known = format(schema).and_then(|f| INTEGERS.iter().find(|i| i.0 == f));
    if let Some(&(_, ty, non_zero, lo, hi)) = known {
        let fits = min.is_none_or(|m| m >= lo) && max.is_none_or(|m| m <= hi);
        if fits && schema.get("multipleOf").is_none() {
            return if min == Some(1.0) { non_zero } else { ty }.into();
        }
        min = min.or(Some(lo));
        max = max.or(Some(hi));
    }
    let same = |a: f64, b: f64| (a - b).abs() <= f64::EPSILON;
    let by_range = INTEGERS
        .iter()
        .rev()
        .find_map(|&(_, ty, non_zero, lo, hi)| match (min, max) {
            (Some(1.0), _) => Some(non_zero),
            (None, Some(max)) if same(hi, max) => Some(ty),
            (Some(min), None) if same(lo, min) => Some(ty),
            (Some(min), Some(max)) if same(lo, min) && same(hi, max) => Some(ty),
            _ => None,
        });
    by_range.unwrap_or("i64").into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn value(schema: Value) -> String {
        let doc = json!({"components": {"schemas": {"Thread": {"type": "object"}}}});
        value_type(Side {
            doc: &doc,
            schema: &schema,
        })
    }

    fn field(schema: Value, required: bool) -> String {
        let doc = json!({});
        field_type(
            Side {
                doc: &doc,
                schema: &schema,
            },
            required,
        )
    }

    #[test]
    fn formats_choose_native_types() {
        assert_eq!(
            value(json!({"type": "string", "format": "date-time"})),
            "chrono::DateTime<Utc>"
        );
        assert_eq!(
            value(json!({"type": "string", "format": "email"})),
            "String"
        );
        assert_eq!(value(json!({"type": "number", "format": "float"})), "f32");
        assert_eq!(
            value(json!({"allOf": [{"$ref": "#/components/schemas/Thread"}], "nullable": true})),
            "Option<types::Thread>"
        );
    }

    #[test]
    fn integers_follow_their_format_and_bounds() {
        assert_eq!(value(json!({"type": "integer"})), "i64");
        assert_eq!(value(json!({"type": "integer", "format": "int32"})), "i32");
        assert_eq!(value(json!({"type": "integer", "minimum": 0})), "u64");
        assert_eq!(
            value(json!({"type": "integer", "minimum": 1})),
            "std::num::NonZeroU64"
        );
        assert_eq!(
            value(json!({"type": "integer", "format": "int64", "minimum": 0})),
            "i64"
        );
        assert_eq!(
            value(json!({"type": "integer", "minimum": 0, "maximum": 10})),
            "i64"
        );
    }

    #[test]
    fn optional_fields_keep_intrinsic_defaults() {
        assert_eq!(field(json!({"type": "string"}), false), "Option<String>");
        assert_eq!(field(json!({"type": "string"}), true), "String");
        assert_eq!(
            field(json!({"type": "array", "items": {"type": "string"}}), false),
            "Vec<String>"
        );
        assert_eq!(
            field(
                json!({"type": "array", "uniqueItems": true, "items": {"type": "string"}}),
                false
            ),
            "Option<Vec<String>>"
        );
        assert_eq!(
            field(json!({"type": "boolean", "default": true}), false),
            "bool"
        );
        assert_eq!(
            field(json!({"type": "object"}), false),
            "serde_json::Map<String, serde_json::Value>"
        );
        assert_eq!(
            field(
                json!({"type": "object", "additionalProperties": {"type": "integer"}}),
                false
            ),
            "HashMap<String, i64>"
        );
        assert_eq!(
            field(json!({"type": "string", "nullable": true}), false),
            "Option<String>"
        );
    }
}
