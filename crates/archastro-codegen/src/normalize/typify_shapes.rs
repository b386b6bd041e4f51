//! Schema shapes typify 0.8 panics on, or writes code for that does not compile or compiles
//! with warnings, repaired where they stand (every schema the 3.0.3 downgrade visits), each
//! with a report entry: a `format` beside a type typify reads without one (boolean, object,
//! array) or beside no type at all (`{"format": "boolean"}`), a nullable `enum` without `type`
//! (typed after its values, as information), an `enum` without `type` whose values are of
//! several types (one `oneOf` alternative per type), `additionalProperties: false` beside a
//! composition whose parts bring properties the schema does not declare (dropped), an `enum` beside a union
//! (dropped), validation keywords of
//! another type than the schema's (`uniqueItems` on an integer: dropped), a `minLength` of 0 (dropped, as information:
//! typify's check of it is a comparison the compiler warns about), a string `enum` whose
//! values typify cannot name apart as Rust variants (`US` and `us`), and the `title` of a
//! nullable schema, after which typify names the type inside the `Option` (the component's
//! own name when the title repeats it: two types of one name).
//! A nullable union or merge component, whose inner type typify gives the component's own
//! name, is repaired once the components are final ([`split_nullable_unions`]), and so is a
//! merge of a closed component that lacks a property of the merge
//! ([`open_closed_merge_parts`]).

use std::collections::{BTreeSet, HashSet};

use serde_json::{Map, Value, json};

use crate::names::{enum_variant_name, enum_variant_name_spelled_out, type_name};
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
        type_untyped_enum(map, at, report);
        repair_enum_names(map, at, report);
    }
    close_composition_opened(map, at, report);
    drop_enum_beside_union(map, at, report);
    drop_keywords_of_other_types(map, at, report);
    // typify checks `minLength` with `if value.chars().count() < N`: for 0 the compiler warns
    // that the comparison is useless, and the bound bounds nothing.
    if map.get("minLength").and_then(Value::as_f64) == Some(0.0) {
        map.remove("minLength");
        report.info(
            "min-length-zero-dropped",
            pointer::join(at, "minLength"),
            "`minLength: 0` bounds nothing; dropped (typify would check it with a comparison the compiler warns about)",
        );
    }
    let nullable = map.get("nullable") == Some(&Value::Bool(true))
        || map
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|values| values.iter().any(Value::is_null));
    if nullable && map.contains_key("title") {
        map.remove("title");
        report.warn(
            "schema-title-dropped",
            pointer::join(at, "title"),
            "the title of a nullable schema dropped (typify names the type inside the `Option` after it, which can take a name already given)",
        );
    }
}

/// A nullable component that is a union (`oneOf`/`anyOf` and nothing else but annotations):
/// progenitor wraps it as `oneOf: [null, union]` and typify names the union's enum like the
/// component, defining the type twice, inside itself; so it does with the struct of a
/// nullable merge (`allOf` of several schemas). The union (or merge) moves into a component of
/// its own (a component with the same body when there is one, else `{Component}Inner`), and
/// the nullable component becomes `{nullable: true, allOf: [$ref]}`: `Option` of it.
pub fn split_nullable_unions(root: &mut Value, report: &mut Report) {
    let Some(Value::Object(schemas)) = root.pointer("/components/schemas") else {
        return;
    };
    let unions: Vec<_> = schemas
        .iter()
        .filter_map(|(name, schema)| {
            let (union, kind) = nullable_union(schema)?;
            Some((name.clone(), union, kind))
        })
        .collect();
    if unions.is_empty() {
        return;
    }
    let same_union = |union: &Map<String, Value>| {
        schemas.iter().find_map(|(name, schema)| {
            let map = schema.as_object()?;
            let alternatives = map.iter().filter(|(k, _)| !is_annotation(k));
            alternatives
                .eq(union.iter().filter(|(k, _)| !is_annotation(k)))
                .then(|| name.clone())
        })
    };
    let found: Vec<_> = unions
        .into_iter()
        .map(|(name, union, kind)| {
            let existing = same_union(&union);
            (name, union, kind, existing)
        })
        .collect();
    let mut taken = super::component_names(root);
    let mut added = Vec::new();
    for (name, union, kind, existing) in found {
        let target = existing.unwrap_or_else(|| {
            let inner = taken.claim(&format!("{}Inner", type_name(&name)));
            added.push((inner.clone(), Value::Object(union.clone())));
            inner
        });
        let Some(Value::Object(map)) = root
            .pointer_mut("/components/schemas")
            .and_then(|s| s.get_mut(&name))
        else {
            continue;
        };
        map.retain(|k, _| k == "nullable" || is_annotation(k));
        let reference = format!("#/components/schemas/{}", pointer::escape(&target));
        map.insert("allOf".into(), json!([{ "$ref": reference }]));
        let (rule, what) = match kind {
            Composition::Union => ("nullable-union-split", "union"),
            Composition::Merge => ("nullable-merge-split", "merge (`allOf`)"),
        };
        report.warn(
            rule,
            pointer::from_tokens(["components", "schemas", name.as_str()]),
            format!("the {what} became `{target}`; this nullable schema is `Option` of it"),
        );
    }
    super::add_schemas(root, added);
}

/// What a nullable component that [`split_nullable_unions`] splits is.
#[derive(Clone, Copy)]
enum Composition {
    /// `oneOf` / `anyOf`.
    Union,
    /// An `allOf` that merges schemas (not the one `$ref` of `Option` of a component, which
    /// is what the split leaves).
    Merge,
}

/// The union or merge of a nullable component that is only that, without `nullable`.
fn nullable_union(schema: &Value) -> Option<(Map<String, Value>, Composition)> {
    let map = schema.as_object()?;
    let kind = if map.contains_key("oneOf") || map.contains_key("anyOf") {
        Composition::Union
    } else {
        let parts = map.get("allOf").and_then(Value::as_array)?;
        let one_reference = matches!(&parts[..], [part] if part.as_object().is_some_and(|p| p.len() == 1 && p.contains_key("$ref")));
        if parts.is_empty() || one_reference {
            return None;
        }
        Composition::Merge
    };
    let only_composition = map.keys().all(|k| {
        let composition = match kind {
            Composition::Union => matches!(k.as_str(), "oneOf" | "anyOf" | "discriminator"),
            Composition::Merge => k == "allOf",
        };
        composition || k == "nullable" || is_annotation(k)
    });
    (map.get("nullable") == Some(&Value::Bool(true)) && only_composition).then(|| {
        let mut union = map.clone();
        union.remove("nullable");
        (union, kind)
    })
}

fn is_annotation(key: &str) -> bool {
    super::schema::ANNOTATIONS.contains(&key)
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

/// A component merging parts (`allOf`) of which one is a closed component
/// (`additionalProperties: false`) that lacks a property the merge brings (its own, or another
/// part's): typify merges the parts into one struct that both forbids and requires it, a type
/// without values (shipengine's labels, shipments and pickups). That part becomes a copy of
/// the component without `additionalProperties`, with a warning; the component itself, used
/// on its own elsewhere, stays closed. Runs once the components are final.
pub fn open_closed_merge_parts(root: &mut Value, report: &mut Report) {
    let Some(Value::Object(schemas)) = root.pointer("/components/schemas") else {
        return;
    };
    let resolved = |part: &Value| {
        let reference = part.get("$ref")?.as_str()?;
        let name = pointer::unescape(reference.strip_prefix("#/components/schemas/")?);
        schemas.get(&name)?.as_object()
    };
    // The properties a schema brings: its own and its `allOf` parts', nested ones too, each
    // schema read once (`seen`: a part named twice, or a cycle, costs nothing more).
    fn brought<'a>(
        schema: &'a Map<String, Value>,
        resolved: &dyn Fn(&'a Value) -> Option<&'a Map<String, Value>>,
        seen: &mut HashSet<*const Map<String, Value>>,
        out: &mut BTreeSet<&'a str>,
    ) {
        if !seen.insert(schema) {
            return;
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        out.extend(
            properties
                .into_iter()
                .flat_map(|p| p.keys().map(String::as_str)),
        );
        let parts = schema.get("allOf").and_then(Value::as_array);
        for part in parts.into_iter().flatten() {
            if let Some(part) = resolved(part).or_else(|| part.as_object()) {
                brought(part, resolved, seen, out);
            }
        }
    }
    let properties_of = |schema| {
        let mut out = BTreeSet::new();
        brought(schema, &resolved, &mut HashSet::new(), &mut out);
        out
    };
    let mut openings = Vec::new();
    for (name, schema) in schemas {
        let Some(parts) = schema.get("allOf").and_then(Value::as_array) else {
            continue;
        };
        let closed_parts: Vec<(usize, &Map<String, Value>)> = parts
            .iter()
            .enumerate()
            .filter_map(|(i, part)| Some((i, resolved(part)?)))
            .filter(|(_, target)| target.get("additionalProperties") == Some(&Value::Bool(false)))
            .collect();
        if closed_parts.is_empty() {
            continue;
        }
        let merged = properties_of(schema.as_object().expect("an allOf holder is an object"));
        for (i, target) in closed_parts {
            let own = properties_of(target);
            if merged.iter().any(|b| !own.contains(b)) {
                let mut open = target.clone();
                open.remove("additionalProperties");
                openings.push((name.clone(), i, Value::Object(open)));
            }
        }
    }
    for (name, i, open) in openings {
        let at = pointer::from_tokens(["components", "schemas", name.as_str(), "allOf"]);
        let Some(slot) = root
            .pointer_mut("/components/schemas")
            .and_then(|s| s.get_mut(&name))
            .and_then(|s| s.get_mut("allOf"))
            .and_then(|parts| parts.get_mut(i))
        else {
            continue;
        };
        let reference = slot["$ref"].as_str().unwrap_or_default().to_owned();
        *slot = open;
        report.warn(
            "closed-merge-part-opened",
            pointer::join(&at, &i.to_string()),
            format!("`{reference}` forbids properties the merge brings; merged as a copy without `additionalProperties: false`"),
        );
    }
}

/// A nullable `enum` (a `null` value, or `nullable`) without `type` and without another
/// keyword that gives its shape: typify refuses its values ("does not conform to the given
/// schema"; without `null` it reads them well, and they are left to it). When every value but
/// `null` is of one JSON type, that type is written beside it (a `null` value makes it
/// nullable, as OpenAPI 3.0 wants). Values of several scalar types, nullable or not, are
/// split by type ([`split_enum_by_type`]); an object or array value leaves the enum alone.
fn type_untyped_enum(map: &mut Map<String, Value>, at: &str, report: &mut Report) {
    if map.contains_key("type")
        || SHAPE_KEYWORDS
            .iter()
            .any(|k| *k != "enum" && map.contains_key(*k))
    {
        return;
    }
    let Some(Value::Array(values)) = map.get("enum") else {
        return;
    };
    let has_null = values.iter().any(Value::is_null);
    let nullable = has_null || map.get("nullable") == Some(&Value::Bool(true));
    let type_of = |v: &Value| match v {
        Value::String(_) => Some("string"),
        Value::Bool(_) => Some("boolean"),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
        Value::Number(_) => Some("number"),
        _ => None,
    };
    let mut types: Vec<&str> = Vec::new();
    for value in values.iter().filter(|v| !v.is_null()) {
        let Some(ty) = type_of(value) else {
            return;
        };
        if !types.contains(&ty) {
            types.push(ty);
        }
    }
    // Integers among numbers are numbers.
    if types.contains(&"integer") && types.contains(&"number") {
        types.retain(|t| *t != "integer");
    }
    if types.len() > 1 {
        split_enum_by_type(map, &types, has_null, at, report);
        return;
    }
    let [ty] = types[..] else {
        return;
    };
    if !nullable {
        return;
    }
    map.insert("type".into(), json!(ty));
    if has_null {
        map.insert("nullable".into(), json!(true));
    }
    report.info(
        "enum-type-implied",
        pointer::join(at, "enum"),
        format!("an `enum` without `type` whose values are all of type {ty}: `type: {ty}` written beside it"),
    );
}

/// An `enum` without `type` whose values are of several JSON types (`[true, false, 0, 1]`):
/// typify panics ("multiple implied types"). It becomes a `oneOf` of one typed `enum` per
/// type, in the order the types first appear; a `null` value makes it nullable.
fn split_enum_by_type(
    map: &mut Map<String, Value>,
    types: &[&str],
    has_null: bool,
    at: &str,
    report: &mut Report,
) {
    let Some(Value::Array(values)) = map.remove("enum") else {
        return;
    };
    let alternatives: Vec<Value> = types
        .iter()
        .map(|ty| {
            let of_type: Vec<&Value> = values
                .iter()
                .filter(|v| match *ty {
                    "string" => v.is_string(),
                    "boolean" => v.is_boolean(),
                    _ => v.is_number(),
                })
                .collect();
            json!({"type": ty, "enum": of_type})
        })
        .collect();
    map.insert("oneOf".into(), Value::Array(alternatives));
    if has_null {
        map.insert("nullable".into(), json!(true));
    }
    report.warn(
        "enum-split-by-type",
        pointer::join(at, "enum"),
        format!(
            "an `enum` without `type` whose values are of types {}: one `oneOf` alternative per type",
            types.join(", ")
        ),
    );
}

/// The validation keywords of each JSON type: typify refuses a schema whose `type` is one
/// type and which carries another's (`{"type": "integer", "uniqueItems": false}`).
const KEYWORDS_OF_TYPES: &[(&str, &[&str])] = &[
    ("array", &["items", "minItems", "maxItems", "uniqueItems"]),
    (
        "object",
        &[
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "maxProperties",
        ],
    ),
    (
        "number",
        &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
        ],
    ),
    ("string", &["minLength", "maxLength", "pattern"]),
];

/// A schema with one `type` carrying another type's validation keywords: they can apply to
/// no value of the schema and are dropped (typify panics on some of them). A schema without
/// `type` that has `properties` describes objects (its `items` or `uniqueItems` dropped).
fn drop_keywords_of_other_types(map: &mut Map<String, Value>, at: &str, report: &mut Report) {
    let ty: &'static str = match map.get("type").and_then(Value::as_str) {
        Some("integer" | "number") => "number",
        Some("array") => "array",
        Some("object") => "object",
        Some("string") => "string",
        Some("boolean") => "boolean",
        None if map.contains_key("properties") => "object",
        _ => return,
    };
    let mut dropped = Vec::new();
    for (owner, keywords) in KEYWORDS_OF_TYPES.iter().filter(|(owner, _)| *owner != ty) {
        for keyword in *keywords {
            if map.remove(*keyword).is_some() {
                dropped.push(format!("`{keyword}` ({owner})"));
            }
        }
    }
    if !dropped.is_empty() {
        report.info(
            "keyword-of-other-type-dropped",
            at,
            format!(
                "keywords of another type than {ty} dropped: {}",
                dropped.join(", ")
            ),
        );
    }
}

/// An `enum` (with its `type`) beside a `oneOf` or `anyOf` (GitHub's Pages `source`: a string
/// enum, or an object, with the string enum repeated beside the union): typify panics merging
/// them. The union says what the values are, so the `enum` is dropped, and with it a `type`
/// that not every alternative has.
fn drop_enum_beside_union(map: &mut Map<String, Value>, at: &str, report: &mut Report) {
    let Some(alternatives) = ["oneOf", "anyOf"]
        .iter()
        .find_map(|k| map.get(*k).and_then(Value::as_array))
    else {
        return;
    };
    if !map.contains_key("enum") {
        return;
    }
    let ty = map.get("type");
    let drop_type = ty.is_some() && alternatives.iter().any(|a| a.get("type") != ty);
    map.remove("enum");
    if drop_type {
        map.remove("type");
    }
    report.warn(
        "enum-beside-union-dropped",
        pointer::join(at, "enum"),
        format!(
            "an `enum`{} beside a union is dropped: the union's alternatives say what the values are",
            if drop_type { " and its `type`" } else { "" }
        ),
    );
}

/// `additionalProperties: false` beside an `allOf`, `anyOf` or `oneOf` whose parts bring
/// properties the schema does not declare itself: a part that is a `$ref` (a component), or
/// an inline part with such a property (as pydantic writes a union with no properties of its
/// own; shipengine's `allOf: [label]` beside two properties). Read as JSON Schema it forbids
/// the parts' properties, and typify generates a type without values. It is dropped: the
/// parts say which properties there are. Parts that only constrain the schema's own
/// properties (`oneOf: [{required: [a]}, {required: [b]}]`) leave it closed.
fn close_composition_opened(map: &mut Map<String, Value>, at: &str, report: &mut Report) {
    if map.get("additionalProperties") != Some(&Value::Bool(false)) {
        return;
    }
    let own = map.get("properties").and_then(Value::as_object);
    let brings_others = |part: &Value| {
        part.get("$ref").is_some()
            || part
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| {
                    p.keys()
                        .any(|k| !own.is_some_and(|own| own.contains_key(k)))
                })
    };
    let parts: Vec<&Value> = ["allOf", "anyOf", "oneOf"]
        .iter()
        .filter_map(|k| map.get(*k).and_then(Value::as_array))
        .flatten()
        .collect();
    let no_properties = own.is_none_or(Map::is_empty);
    let contradicted = parts.iter().any(|part| brings_others(part));
    if parts.is_empty() || !(no_properties || contradicted) {
        return;
    }
    map.remove("additionalProperties");
    report.warn(
        "additional-properties-dropped",
        pointer::join(at, "additionalProperties"),
        "`additionalProperties: false` beside a composition whose parts bring properties of their own would forbid them; dropped",
    );
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

    /// `schema` repaired, and the rules of every entry reported (notes too).
    fn repaired_with_notes(schema: Value) -> (Value, Vec<&'static str>) {
        let mut report = Report::default();
        let Value::Object(mut map) = schema else {
            panic!("a schema object");
        };
        repair(&mut map, "#/components/schemas/A", &mut report);
        let rules = report.entries.iter().map(|e| e.rule).collect();
        (Value::Object(map), rules)
    }

    /// The components of `schemas` after the component repair, and the rules reported.
    fn components_repaired(schemas: Value) -> (Value, Vec<&'static str>) {
        let mut root = json!({"components": {"schemas": schemas}});
        let mut report = Report::default();
        split_nullable_unions(&mut root, &mut report);
        let rules = report.warnings().map(|e| e.rule).collect();
        (root["components"]["schemas"].take(), rules)
    }

    #[test]
    fn a_nullable_union_is_option_of_a_component_with_its_alternatives() {
        let alternatives =
            json!([{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]);
        let (schemas, rules) = components_repaired(json!({
            "Location": {"oneOf": alternatives, "description": "same alternatives"},
            "nullable-location": {"nullable": true, "oneOf": alternatives, "description": "d"},
            "nullable-other": {"nullable": true, "anyOf": [{"type": "string"}, {"type": "integer"}]},
        }));
        assert_eq!(
            schemas["nullable-location"],
            json!({"nullable": true, "description": "d", "allOf": [{"$ref": "#/components/schemas/Location"}]})
        );
        assert_eq!(
            schemas["nullable-other"],
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/NullableOtherInner"}]})
        );
        assert_eq!(
            schemas["NullableOtherInner"],
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
        assert_eq!(rules, ["nullable-union-split", "nullable-union-split"]);
    }

    #[test]
    fn a_nullable_merge_is_option_of_a_component_with_its_parts() {
        let merge = json!([{"$ref": "#/components/schemas/Access"}, {"type": "object"}]);
        let option = json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/Access"}]});
        let (schemas, rules) = components_repaired(json!({
            "AccessNullable": {"nullable": true, "allOf": merge, "description": "d"},
            // `Option` of a component already, and a merge beside other keywords: left alone.
            "Option": option,
            "Wider": {"nullable": true, "allOf": merge, "properties": {"a": {}}},
        }));
        assert_eq!(
            schemas["AccessNullable"],
            json!({"nullable": true, "description": "d", "allOf": [{"$ref": "#/components/schemas/AccessNullableInner"}]})
        );
        assert_eq!(
            schemas["AccessNullableInner"],
            json!({"allOf": merge, "description": "d"})
        );
        assert_eq!(schemas["Option"], option);
        assert_eq!(
            schemas["Wider"],
            json!({"nullable": true, "allOf": merge, "properties": {"a": {}}})
        );
        assert_eq!(rules, ["nullable-merge-split"]);
    }

    #[test]
    fn the_title_of_a_nullable_schema_goes() {
        let (object, rules) =
            repaired(json!({"nullable": true, "title": "Simple User", "type": "object"}));
        assert_eq!(object, json!({"nullable": true, "type": "object"}));
        assert_eq!(rules, ["schema-title-dropped"]);
        let (with_null, rules) =
            repaired(json!({"title": "Size", "type": "string", "enum": ["s", null]}));
        assert_eq!(with_null.get("title"), None);
        assert_eq!(rules, ["schema-title-dropped"]);
        let (kept, rules) = repaired(json!({"title": "Simple User", "type": "object"}));
        assert_eq!(kept["title"], "Simple User");
        assert!(rules.is_empty());
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
        for values in [json!(["A B", "a_b"]), json!(["one", "two"])] {
            let schema = json!({"type": "string", "enum": values});
            assert_eq!(repaired(schema.clone()), (schema, vec![]));
        }
    }

    #[test]
    fn a_min_length_of_zero_goes() {
        for zero in [json!(0), json!(0.0)] {
            let mut report = Report::default();
            let Value::Object(mut map) =
                json!({"type": "string", "minLength": zero, "maxLength": 5})
            else {
                unreachable!()
            };
            repair(&mut map, "#/components/schemas/A", &mut report);
            assert_eq!(
                Value::Object(map),
                json!({"type": "string", "maxLength": 5})
            );
            let rules: Vec<_> = report.entries.iter().map(|e| e.rule).collect();
            assert_eq!(rules, ["min-length-zero-dropped"]);
        }
        let kept = json!({"type": "string", "minLength": 1});
        assert_eq!(repaired(kept.clone()), (kept, vec![]));
    }

    #[test]
    fn closed_merge_parts_are_opened_once_each_in_linear_time() {
        // Each merge names the next eight times over, and the closed leaf: read naively, the
        // parts of the first would be visited 8^30 times.
        let leaf = "#/components/schemas/Leaf";
        let mut schemas = serde_json::Map::new();
        for i in 0..30 {
            let mut parts = vec![json!({"$ref": format!("#/components/schemas/C{}", i + 1)}); 8];
            parts.push(json!({ "$ref": leaf }));
            let properties = json!({ format!("p{i}"): {"type": "string"} });
            schemas.insert(
                format!("C{i}"),
                json!({"allOf": parts, "properties": properties}),
            );
        }
        schemas.insert("C30".into(), json!({"type": "object"}));
        let closed =
            json!({"type": "object", "additionalProperties": false, "properties": {"x": {}}});
        schemas.insert("Leaf".into(), closed);
        let mut root = json!({"components": {"schemas": schemas}});
        let mut report = Report::default();
        open_closed_merge_parts(&mut root, &mut report);
        assert_eq!(report.entries.len(), 30);
        let opened = &root["components"]["schemas"]["C0"]["allOf"][8];
        assert_eq!(opened, &json!({"type": "object", "properties": {"x": {}}}));
        let leaf_now = &root["components"]["schemas"]["Leaf"]["additionalProperties"];
        assert_eq!(leaf_now, &json!(false));
    }

    #[test]
    fn keywords_of_another_type_are_dropped() {
        let dropped = vec!["keyword-of-other-type-dropped"];
        assert_eq!(
            repaired_with_notes(json!({"type": "integer", "uniqueItems": false, "maximum": 3})),
            (json!({"type": "integer", "maximum": 3}), dropped.clone())
        );
        assert_eq!(
            repaired_with_notes(json!({"properties": {"a": {}}, "required": ["a"], "maxItems": 1})),
            (
                json!({"properties": {"a": {}}, "required": ["a"]}),
                dropped.clone()
            )
        );
        assert_eq!(
            repaired_with_notes(json!({"type": "string", "required": true, "pattern": "^a"})),
            (json!({"type": "string", "pattern": "^a"}), dropped)
        );
        // No type (or one unknown): nothing is known not to apply.
        for schema in [
            json!({"items": {}, "minLength": 1}),
            json!({"type": "file", "maxItems": 1}),
        ] {
            assert_eq!(repaired_with_notes(schema.clone()), (schema, vec![]));
        }
        // A union closed to every property is opened; a struct's own closure stays.
        assert_eq!(
            repaired_with_notes(
                json!({"additionalProperties": false, "anyOf": [{"$ref": "#/c/B"}]})
            ),
            (
                json!({"anyOf": [{"$ref": "#/c/B"}]}),
                vec!["additional-properties-dropped"]
            )
        );
        // An enum beside a union: the union stays.
        let union = json!([{"type": "string", "enum": ["a"]}, {"type": "object"}]);
        assert_eq!(
            repaired_with_notes(json!({"anyOf": union, "type": "string", "enum": ["a"]})),
            (json!({"anyOf": union}), vec!["enum-beside-union-dropped"])
        );
        let merged = json!({"additionalProperties": false, "properties": {"a": {}},
            "allOf": [{"$ref": "#/c/Label"}]});
        assert_eq!(
            repaired_with_notes(merged),
            (
                json!({"properties": {"a": {}}, "allOf": [{"$ref": "#/c/Label"}]}),
                vec!["additional-properties-dropped"]
            )
        );
        let own = json!({"additionalProperties": false, "properties": {"a": {}, "b": {}},
            "oneOf": [{"required": ["a"]}, {"required": ["b"], "properties": {"b": {}}}]});
        assert_eq!(repaired_with_notes(own.clone()), (own, vec![]));
    }

    #[test]
    fn a_nullable_untyped_enum_is_typed_after_its_values() {
        let implied = vec!["enum-type-implied"];
        assert_eq!(
            repaired_with_notes(json!({"enum": [null, "individual", "joint"]})),
            (
                json!({"type": "string", "nullable": true, "enum": [null, "individual", "joint"]}),
                implied.clone()
            )
        );
        for (values, ty) in [
            (json!([1, 2]), "integer"),
            (json!([1, 1.5]), "number"),
            (json!([true]), "boolean"),
        ] {
            assert_eq!(
                repaired_with_notes(json!({"enum": values, "nullable": true})),
                (
                    json!({"type": ty, "nullable": true, "enum": values}),
                    implied.clone()
                )
            );
        }
        // Values of several scalar types: one alternative per type.
        assert_eq!(
            repaired_with_notes(json!({"enum": [true, 0, null, 1.5, "x"]})),
            (
                json!({"nullable": true, "oneOf": [
                    {"type": "boolean", "enum": [true]},
                    {"type": "number", "enum": [0, 1.5]},
                    {"type": "string", "enum": ["x"]}
                ]}),
                vec!["enum-split-by-type"]
            )
        );
        // Objects among the values, and an enum typify reads as it is (one type, not
        // nullable), are left alone.
        for schema in [
            json!({"enum": [{"a": 1}, 2], "nullable": true}),
            json!({"enum": [{"a": 1}], "nullable": true}),
            json!({"enum": ["a", "b"]}),
        ] {
            assert_eq!(repaired_with_notes(schema.clone()), (schema, vec![]));
        }
    }
}
