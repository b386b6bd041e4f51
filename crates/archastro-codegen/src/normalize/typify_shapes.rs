//! Schema shapes typify 0.8 panics on, or writes code for that does not compile, repaired
//! where they stand (every schema the 3.0.3 downgrade visits), each with a report warning: a
//! `format` beside a type typify reads without one (boolean, object, array) or beside no type
//! at all (`{"format": "boolean"}`), a string `enum` whose values typify cannot name apart as
//! Rust variants (`US` and `us`), and the `title` of a nullable schema, after which typify
//! names the type inside the `Option` (the component's own name when the title repeats it: two
//! types of one name).

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::names::{enum_variant_name, enum_variant_name_spelled_out};
use crate::pointer;
use crate::report::Report;

/// Keywords that give a schema without `type` its shape: a `format` beside them is dropped
/// rather than read as the type.
const SHAPE_KEYWORDS: &[&str] = &[
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "properties",
    "additionalProperties",
    "items",
    "enum",
];

/// Repairs the schema `map` at `at` (not what is under it).
pub fn repair(map: &mut Map<String, Value>, at: &str, report: &mut Report) {
    if map.contains_key("format") {
        repair_format(map, at, report);
    }
    if map.contains_key("enum") {
        repair_enum_names(map, at, report);
    }
    if map.contains_key("title") && map.get("nullable") == Some(&Value::Bool(true)) {
        map.remove("title");
        report.warn(
            "schema-title-dropped",
            pointer::join(at, "title"),
            "the title of a nullable schema dropped (typify names the type inside the `Option` after it, which can take a name already given)",
        );
    }
}

/// A `format` typify cannot pair with the schema's type: read as the type when there is none
/// and the format names one, else dropped.
fn repair_format(map: &mut Map<String, Value>, at: &str, report: &mut Report) {
    let format = map.get("format").and_then(Value::as_str).map(str::to_owned);
    let ty = map
        .get("type")
        .map(|t| t.as_str().unwrap_or("(not a string)").to_owned());
    let at = pointer::join(at, "format");
    match (ty.as_deref(), format) {
        (Some("string" | "integer" | "number"), Some(_)) => {}
        (None, Some(format)) if !SHAPE_KEYWORDS.iter().any(|k| map.contains_key(*k)) => {
            match type_of_format(&format) {
                Some(ty) => {
                    map.insert("type".into(), json!(ty));
                    if ty == "boolean" {
                        map.remove("format");
                    }
                    report.warn(
                        "schema-format-without-type",
                        at,
                        format!(
                            "a schema without `type` but with format `{format}` became type `{ty}`"
                        ),
                    );
                }
                None => {
                    map.remove("format");
                    report.warn(
                        "schema-format-without-type",
                        at,
                        format!("format `{format}` without `type` dropped"),
                    );
                }
            }
        }
        (ty, format) => {
            map.remove("format");
            let format =
                format.map_or_else(|| "that is not a string".to_owned(), |f| format!("`{f}`"));
            let beside = ty.map_or_else(
                || "a schema with its shape given otherwise".to_owned(),
                |t| format!("type `{t}`"),
            );
            report.warn(
                "schema-format-dropped",
                at,
                format!("format {format} beside {beside} dropped (typify reads none there)"),
            );
        }
    }
}

/// The JSON type a `format` stands for when a schema names no type.
fn type_of_format(format: &str) -> Option<&'static str> {
    match format {
        "int32" | "int64" | "integer" => Some("integer"),
        "float" | "double" | "number" | "decimal" => Some("number"),
        "boolean" => Some("boolean"),
        "date-time" | "date" | "time" | "duration" | "uuid" | "email" | "uri" | "url"
        | "hostname" | "ipv4" | "ipv6" | "byte" | "binary" | "password" | "string" => {
            Some("string")
        }
        _ => None,
    }
}

/// A string `enum` whose values typify names alike both ways it tries (it panics then)
/// becomes a plain string: every value stays sendable.
fn repair_enum_names(map: &mut Map<String, Value>, at: &str, report: &mut Report) {
    let Some(Value::Array(values)) = map.get("enum") else {
        return;
    };
    let Some(strings) = values
        .iter()
        .filter(|v| !v.is_null())
        .map(Value::as_str)
        .collect::<Option<Vec<&str>>>()
    else {
        return;
    };
    let Some((first, second, name)) = same_variant(&strings, enum_variant_name)
        .and(same_variant(&strings, enum_variant_name_spelled_out))
    else {
        return;
    };
    let message = format!(
        "values `{first}` and `{second}` are one Rust variant `{name}`; the enum became a plain string"
    );
    map.remove("enum");
    if !map.contains_key("type") {
        map.insert("type".into(), json!("string"));
    }
    report.warn("enum-variants-alike", pointer::join(at, "enum"), message);
}

/// The first two of `values` that `name` names alike, with the name.
fn same_variant<'a>(
    values: &[&'a str],
    name: impl Fn(&str) -> String,
) -> Option<(&'a str, &'a str, String)> {
    let mut seen: HashSet<String> = HashSet::new();
    let names: Vec<String> = values.iter().map(|v| name(v)).collect();
    for (i, n) in names.iter().enumerate() {
        if !seen.insert(n.clone()) {
            let first = names.iter().position(|m| m == n).unwrap_or(i);
            return Some((values[first], values[i], n.clone()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `schema` repaired, and the rules the report names.
    fn repaired(schema: Value) -> (Value, Vec<&'static str>) {
        let mut report = Report::default();
        let Value::Object(mut map) = schema else {
            panic!("a schema object");
        };
        repair(&mut map, "#/components/schemas/A", &mut report);
        let rules = report.warnings().map(|e| e.rule).collect();
        (Value::Object(map), rules)
    }

    #[test]
    fn a_format_without_type_names_the_type_or_goes() {
        assert_eq!(
            repaired(json!({"format": "boolean"})).0,
            json!({"type": "boolean"})
        );
        assert_eq!(
            repaired(json!({"format": "int64"})).0,
            json!({"type": "integer", "format": "int64"})
        );
        assert_eq!(repaired(json!({"format": "colour"})).0, json!({}));
        assert_eq!(
            repaired(json!({"format": "uuid", "items": {}})).0,
            json!({"items": {}})
        );
    }

    #[test]
    fn a_format_beside_a_type_typify_reads_without_one_goes() {
        for ty in ["boolean", "object", "array"] {
            let (schema, rules) = repaired(json!({"type": ty, "format": "x"}));
            assert_eq!(schema, json!({"type": ty}), "{ty}");
            assert_eq!(rules, ["schema-format-dropped"]);
        }
        let kept = json!({"type": "string", "format": "date-time"});
        assert_eq!(repaired(kept.clone()), (kept, vec![]));
    }

    #[test]
    fn enum_values_typify_names_alike_make_a_plain_string() {
        let (schema, rules) = repaired(json!({"type": "string", "enum": ["US", "CA", "us", "ca"]}));
        assert_eq!(
            (schema, rules),
            (json!({"type": "string"}), vec!["enum-variants-alike"])
        );
        let (schema, _) =
            repaired(json!({"enum": ["DD.MM.YYYY", "DD/MM/YYYY", null], "nullable": true}));
        assert_eq!(schema, json!({"type": "string", "nullable": true}));
    }

    #[test]
    fn enum_values_typify_tells_apart_stay() {
        // `A B` and `a_b` are both `AB` at first, `Axb` and `AXb` spelled out.
        for values in [
            json!(["A B", "a_b"]),
            json!(["one", "two"]),
            json!([1, 1.5]),
        ] {
            let schema = json!({"enum": values});
            assert_eq!(repaired(schema.clone()), (schema, vec![]));
        }
    }
}
