//! Path parameters whose value is an array or an object. OpenAPI's `style: simple` (the only
//! style of a path parameter progenitor writes) joins an array's items with `,` and writes an
//! object as `key,value,key,value`, or `key=value,key=value` when `explode` is true. That is
//! only defined for scalar items and properties, so:
//!
//! - an array of scalars, or an object whose properties are all scalars (and that allows no
//!   other properties), gets a component schema of its own, named after the operation and
//!   the parameter (`ListAgentToolsAgent`), so that every generator has one named type to
//!   write and read in the segment; a parameter that already refers to such a component keeps
//!   it, unless an earlier path parameter uses the same object with the other `explode`
//!   (a type is written one way), in which case it gets its own copy;
//! - any other array or object (nested, nullable, a map, a composition) becomes a plain string
//!   the caller writes, with a warning: `style: simple` does not say how to write it.
//!
//! Scalars are strings, integers, numbers and booleans (enums and formats included), not
//! nullable. A scalar written inline that typify makes a type of its own (an enum, a string
//! with a pattern or length bounds, a union) becomes a component named after the parameter
//! (`ResourceGroupName`), one per definition: inline, typify would make one type per
//! operation, and the operations of one resource share their path parameters' values.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use serde_json::{Map, Value, json};

use super::schema::resolve_schema;
use super::{Ctx, add_schemas, component_names, for_each_operation_mut, with_reference};
use crate::names::{GENERATED_TYPE_NAMES, Namespace, TYPIFY_UNQUALIFIED_TYPES, joined_type_name};
use crate::pointer;
use crate::report::Report;

/// What a path parameter's schema is to `style: simple`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A scalar: written as it is, nothing to do.
    Scalar,
    /// An array of scalars.
    Array,
    /// An object of scalar properties.
    Object,
    /// An array or object `style: simple` cannot write.
    Unwritable(&'static str),
}

/// Names the array and object path parameters (see the module's doc) and turns the ones that
/// cannot be written into strings. Runs after the operation ids are final and after inline
/// copies of components became `$ref`s.
pub fn run(ctx: &mut Ctx, root: &mut Value) {
    widen_shared_variables(ctx, root);
    let mut taken = component_names(root);
    for name in GENERATED_TYPE_NAMES.iter().chain(TYPIFY_UNQUALIFIED_TYPES) {
        taken.reserve(name);
    }
    let mut added: Vec<(String, Value)> = Vec::new();
    with_reference(ctx.refs_into_paths, root, |reference, document| {
        // The `explode` each object component is written with, by component name.
        let mut explode_of: BTreeMap<String, bool> = BTreeMap::new();
        let mut scalars = ScalarComponents::default();
        for_each_operation_mut(document, |at, op| {
            let id = crate::names::upper_camel_case(
                op.get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or("operation"),
            );
            let Some(Value::Array(params)) = op.get_mut("parameters") else {
                return;
            };
            for (i, p) in params.iter_mut().enumerate() {
                if p.get("in").and_then(Value::as_str) != Some("path") {
                    continue;
                }
                let p_at = format!("{at}/parameters/{i}");
                let name = p
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let schema = p.get("schema").cloned().unwrap_or(Value::Null);
                let shape = shape(reference, &schema);
                let explode = p.get("explode") == Some(&Value::Bool(true));
                let kind = match shape {
                    Shape::Scalar => {
                        if typify_names(&schema) {
                            let component =
                                scalars.component(&mut taken, &mut added, &id, &name, &schema);
                            let what = "a type of its own to typify";
                            name_schema(&mut ctx.report, p, &p_at, &name, what, &component);
                        }
                        continue;
                    }
                    Shape::Unwritable(why) => {
                        as_string(ctx, p, &p_at, &name, why);
                        continue;
                    }
                    Shape::Array => "an array",
                    Shape::Object => "an object",
                };
                let mut copied = None;
                if let Some(component) = component_of(reference, &schema) {
                    let first = *explode_of.entry(component.clone()).or_insert(explode);
                    if shape == Shape::Array || first == explode {
                        continue;
                    }
                    copied = Some(component);
                }
                let param = crate::names::upper_camel_case(&name);
                let joined = joined_type_name(&id, &param);
                let wanted = match joined == id {
                    // `ListAgentToolsForAgent` + `Agent`: the operation's name already ends so.
                    true => format!("{id}Param"),
                    false => joined,
                };
                let component = taken.claim(&wanted);
                let definition = resolve_schema(reference, &schema).clone();
                if shape == Shape::Object {
                    explode_of.insert(component.clone(), explode);
                }
                let what = match copied {
                    None => format!("{kind}, written as `style: simple` says"),
                    Some(original) => format!(
                        "{kind}, exploded {explode}, whereas an earlier path parameter writes components.schemas.{original} exploded {}",
                        !explode
                    ),
                };
                name_schema(&mut ctx.report, p, &p_at, &name, &what, &component);
                added.push((component, definition));
            }
        });
    });
    add_schemas(root, added);
}

/// A path variable is one value for every operation below it (`/classes/{index}` and
/// `/classes/{index}/levels` take the `index` of one resource), and the client passes it from
/// the resource to the resources below, so it needs one type. Where the operations declare it
/// as one scalar type but differently inline (`minimum: 1` on one, `0` on another: two Rust
/// types), every one gets the widest declaration: what all declare alike, the lowest of the
/// lower bounds and the highest of the upper ones; a keyword some leave out or declare
/// otherwise is dropped (an `enum` too: a union of two could hold values typify cannot name
/// apart, `XML` and `xml`); annotations are the first operation's. With a warning at each
/// parameter changed.
fn widen_shared_variables(ctx: &mut Ctx, root: &mut Value) {
    // (the path up to the variable's segment, the variable) -> (pointer, schema) of each use.
    let mut uses: BTreeMap<(String, String), Vec<(String, Value)>> = BTreeMap::new();
    for_each_operation_mut(root, |at, op| {
        let Some(path) = at
            .strip_prefix("#/paths/")
            .and_then(|rest| rest.split('/').next())
        else {
            return;
        };
        let path = pointer::unescape(path);
        let params = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for (i, p) in params.enumerate() {
            let (Some("path"), Some(name), Some(schema)) = (
                p.get("in").and_then(Value::as_str),
                p.get("name").and_then(Value::as_str),
                p.get("schema"),
            ) else {
                continue;
            };
            let variable = format!("{{{name}}}");
            let Some(end) = path.find(&variable).map(|start| start + variable.len()) else {
                continue;
            };
            let segment_end = path[end..].find('/').map_or(path.len(), |i| end + i);
            let key = (path[..segment_end].to_owned(), name.to_owned());
            let at = format!("{at}/parameters/{i}/schema");
            uses.entry(key).or_default().push((at, schema.clone()));
        }
    });
    for ((_, name), uses) in uses {
        let schemas: Vec<&Map<String, Value>> =
            uses.iter().filter_map(|(_, s)| s.as_object()).collect();
        let alike = uses.windows(2).all(|pair| pair[0].1 == pair[1].1);
        // Only declarations of one scalar type are widened: where the types differ (a string
        // here, an array there), the client plans the resources apart.
        let ty = schemas.first().and_then(|s| s.get("type"));
        let one_scalar_type = ty
            .and_then(Value::as_str)
            .is_some_and(|t| matches!(t, "string" | "integer" | "number" | "boolean"))
            && schemas.iter().all(|s| s.get("type") == ty);
        if alike
            || schemas.len() != uses.len()
            || !one_scalar_type
            || schemas.iter().any(|s| s.contains_key("$ref"))
        {
            continue;
        }
        let widest = Value::Object(widest(&schemas));
        for (at, schema) in &uses {
            if *schema == widest {
                continue;
            }
            if let Some(slot) = pointer::get_mut(root, &at[1..]) {
                *slot = widest.clone();
            }
            ctx.report.warn(
                "path-param-widened",
                at.as_str(),
                format!(
                    "path variable `{name}` is declared differently by the operations below it, which share its value; each takes the widest declaration, {widest}"
                ),
            );
        }
    }
}

/// The declaration that takes every value one of `schemas` takes (see
/// [`widen_shared_variables`]).
fn widest(schemas: &[&Map<String, Value>]) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, first) in schemas[0] {
        let all: Vec<&Value> = schemas.iter().filter_map(|s| s.get(key)).collect();
        let value = if super::schema::ANNOTATIONS.contains(&key.as_str()) {
            Some(first.clone())
        } else if all.len() < schemas.len() {
            None
        } else if all.iter().all(|v| *v == first) {
            Some(first.clone())
        } else {
            let numbers: Option<Vec<f64>> = all.iter().map(|v| v.as_f64()).collect();
            let pick = |lowest: bool| {
                let numbers = numbers.as_ref()?;
                let extreme = numbers
                    .iter()
                    .copied()
                    .fold(numbers[0], |a, b| if lowest { a.min(b) } else { a.max(b) });
                let at = numbers.iter().position(|n| *n == extreme)?;
                Some(all[at].clone())
            };
            match key.as_str() {
                "minimum" | "minLength" | "minItems" | "minProperties" => pick(true),
                "maximum" | "maxLength" | "maxItems" | "maxProperties" => pick(false),
                _ => None,
            }
        };
        if let Some(value) = value {
            out.insert(key.clone(), value);
        }
    }
    out
}

/// Points the path parameter `p` (at `p_at`, named `name`) at the component `component`,
/// reported with `what` the parameter is.
fn name_schema(
    report: &mut Report,
    p: &mut Value,
    p_at: &str,
    name: &str,
    what: &str,
    component: &str,
) {
    report.info(
        "path-param-named",
        format!("{p_at}/schema"),
        format!("path parameter `{name}` ({what}) became components.schemas.{component}"),
    );
    p["schema"] = json!({
        "$ref": format!("#/components/schemas/{}", pointer::escape(component))
    });
}

/// The component a `$ref` schema names, unless that component is itself only a reference
/// (typify makes it another name of the same type, which could then be written two ways).
fn component_of(root: &Value, schema: &Value) -> Option<String> {
    let target = schema.get("$ref")?.as_str()?;
    let name = pointer::unescape(target.strip_prefix("#/components/schemas/")?);
    let definition = pointer::resolve(root, target)?;
    definition.get("$ref").is_none().then_some(name)
}

/// The components made of inline scalar path parameters: one per definition.
#[derive(Default)]
struct ScalarComponents {
    /// The component of each definition named so far, by its JSON text.
    by_definition: BTreeMap<String, String>,
}

impl ScalarComponents {
    /// The component holding `schema`, the definition of path parameter `name` of operation
    /// `id`: the one made for the same definition before, or a new one (pushed on `added`)
    /// named after the parameter, or after the operation and the parameter when that is taken.
    fn component(
        &mut self,
        taken: &mut Namespace,
        added: &mut Vec<(String, Value)>,
        id: &str,
        name: &str,
        schema: &Value,
    ) -> String {
        match self.by_definition.entry(schema.to_string()) {
            Entry::Occupied(known) => known.get().clone(),
            Entry::Vacant(slot) => {
                let param = crate::names::upper_camel_case(name);
                let component = taken.claim_or(&param, || joined_type_name(id, &param));
                added.push((component.clone(), schema.clone()));
                slot.insert(component).clone()
            }
        }
    }
}

/// Whether typify makes the inline scalar `schema` a type of its own: an enum, a string with
/// a pattern or length bounds, or a union (as `lift` reads it).
fn typify_names(schema: &Value) -> bool {
    schema
        .as_object()
        .is_some_and(super::lift::is_named_by_typify)
}

/// What `schema` (resolved in `root`) is to `style: simple`.
fn shape(root: &Value, schema: &Value) -> Shape {
    let schema = resolve_schema(root, schema);
    let ty = schema.get("type").and_then(Value::as_str);
    let is_array = ty == Some("array") || schema.get("items").is_some();
    let is_object = ty == Some("object")
        || schema.get("properties").is_some()
        || schema.get("additionalProperties").is_some();
    if !is_array && !is_object {
        return Shape::Scalar;
    }
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        return Shape::Unwritable("it is nullable");
    }
    if ["allOf", "anyOf", "oneOf", "not"]
        .iter()
        .any(|k| schema.get(*k).is_some())
    {
        return Shape::Unwritable("it is a composition");
    }
    if is_array {
        return match schema.get("items") {
            Some(items) if is_scalar(root, items) => Shape::Array,
            _ => Shape::Unwritable("its items are not scalars"),
        };
    }
    if !matches!(
        schema.get("additionalProperties"),
        None | Some(Value::Bool(false))
    ) {
        return Shape::Unwritable("it allows properties it does not declare");
    }
    match schema.get("properties").and_then(Value::as_object) {
        Some(properties) if !properties.is_empty() => {
            if properties.values().all(|p| is_scalar(root, p)) {
                Shape::Object
            } else {
                Shape::Unwritable("its properties are not all scalars")
            }
        }
        _ => Shape::Unwritable("it declares no properties"),
    }
}

/// A string, integer, number or boolean (an enum, a format), not nullable; or an untyped enum
/// of strings.
fn is_scalar(root: &Value, schema: &Value) -> bool {
    let schema = resolve_schema(root, schema);
    let typed = match schema.get("type") {
        Some(ty) => matches!(
            ty.as_str(),
            Some("string" | "integer" | "number" | "boolean")
        ),
        None => schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|values| !values.is_empty() && values.iter().all(Value::is_string)),
    };
    typed
        && schema.get("nullable") != Some(&Value::Bool(true))
        && ["allOf", "anyOf", "oneOf", "not"]
            .iter()
            .all(|k| schema.get(*k).is_none())
}

/// Makes `p` a string parameter (its example dropped unless it is a string).
fn as_string(ctx: &mut Ctx, p: &mut Value, at: &str, name: &str, why: &str) {
    p["schema"] = json!({"type": "string"});
    if p.get("example").is_some_and(|e| !e.is_string())
        && let Some(obj) = p.as_object_mut()
    {
        obj.remove("example");
    }
    ctx.report.warn(
        "path-param-as-string",
        format!("{at}/schema"),
        format!(
            "path parameter `{name}` is an array or object `style: simple` cannot write ({why}); the caller writes it as a string"
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape_of(schema: Value) -> Shape {
        let root = json!({"components": {"schemas": {
            "Id": {"type": "string"},
            "Ids": {"type": "array", "items": {"$ref": "#/components/schemas/Id"}},
            "Maybe": {"type": "string", "nullable": true},
            "Also": {"$ref": "#/components/schemas/Ids"}
        }}});
        shape(&root, &schema)
    }

    #[test]
    fn arrays_and_objects_of_scalars_are_written() {
        assert_eq!(shape_of(json!({"type": "string"})), Shape::Scalar);
        assert_eq!(
            shape_of(json!({"$ref": "#/components/schemas/Ids"})),
            Shape::Array
        );
        assert_eq!(
            shape_of(json!({"type": "array", "items": {"type": "string", "enum": ["a"]}})),
            Shape::Array
        );
        assert_eq!(
            shape_of(json!({"type": "array", "items": {"enum": ["a", "b"]}})),
            Shape::Array
        );
        assert_eq!(
            shape_of(json!({"$ref": "#/components/schemas/Also"})),
            Shape::Array
        );
        assert_eq!(
            shape_of(json!({"type": "object", "additionalProperties": false,
                "properties": {"x": {"type": "number"}, "id": {"$ref": "#/components/schemas/Id"}}})),
            Shape::Object
        );
    }

    #[test]
    fn a_component_that_only_refers_to_another_is_not_kept() {
        let root = json!({"components": {"schemas": {
            "Ids": {"type": "array", "items": {"type": "string"}},
            "Also": {"$ref": "#/components/schemas/Ids"}
        }}});
        let of = |name: &str| {
            component_of(
                &root,
                &json!({"$ref": format!("#/components/schemas/{name}")}),
            )
        };
        assert_eq!(of("Ids").as_deref(), Some("Ids"));
        assert_eq!(of("Also"), None);
        assert_eq!(component_of(&root, &json!({"type": "string"})), None);
    }

    #[test]
    fn scalars_typify_makes_a_type_of_are_told_apart() {
        assert!(typify_names(&json!({"type": "string", "pattern": "^a$"})));
        assert!(typify_names(&json!({"type": "string", "maxLength": 9})));
        assert!(typify_names(&json!({"type": "string", "enum": ["a"]})));
        assert!(typify_names(&json!({"type": "integer", "enum": [1]})));
        assert!(!typify_names(&json!({"type": "string", "format": "uuid"})));
        assert!(!typify_names(&json!({"type": "integer", "minimum": 1})));
        assert!(!typify_names(&json!({"$ref": "#/components/schemas/Id"})));
    }

    #[test]
    fn anything_else_is_not() {
        let unwritable = [
            json!({"type": "array", "items": {"type": "array", "items": {"type": "string"}}}),
            json!({"type": "array", "items": {"$ref": "#/components/schemas/Maybe"}}),
            json!({"type": "array"}),
            json!({"type": "array", "nullable": true, "items": {"type": "string"}}),
            json!({"type": "object"}),
            json!({"type": "object", "additionalProperties": {"type": "string"}}),
            json!({"type": "object", "properties": {"x": {"type": "object"}}}),
            json!({"type": "object", "allOf": [{"properties": {"x": {"type": "string"}}}]}),
        ];
        for schema in unwritable {
            assert!(
                matches!(shape_of(schema.clone()), Shape::Unwritable(_)),
                "{schema}"
            );
        }
    }
}
