//! Nested inline schemas become components, one per shape. Typify turns every nested object,
//! enum and union into a type named after its whole chain of owners
//! (`ApiChatChannelForkThreadReplyChatModelMembersItemAgent...`), and every copy of a shape
//! into a type of its own. This pass lifts each such schema (in components, in operations'
//! bodies, responses and streamed events, and in the params, replies and payloads of
//! `x-channels`) into `components.schemas`:
//!
//! - structurally identical schemas (see [`shapes`] for what counts) become one component, found
//!   bottom-up so that identical subtrees give identical references;
//! - a shape equal to a component becomes a `$ref` to it;
//! - any other is named after the place it stands ([`names`]).
//!
//! Each nested schema is replaced by a `$ref`, inside a one-part `allOf` when something of the
//! place stays beside it: `nullable` and `default` (how the value is used there) and, for a
//! property, its description, example and flags (the field's docs). The schemas where the
//! walk starts (a component, a body or response, a channel's params, reply or payload) stay
//! as they are, unless their shape is a component or a lifted type: then they become a `$ref`
//! too (plain, unless they are nullable or have a default).
//!
//! Linear in the spec's size: one read-only walk finds the shapes, one pass per lifted schema
//! replaces it (through its pointer, children before parents). Every new component and every
//! copy that became a reference to an existing one is reported.

mod names;
mod shapes;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{Ctx, METHODS, add_schemas, component_names};
use crate::names::{GENERATED_TYPE_NAMES, ascii_type_ident};
use crate::pointer;
pub(super) use shapes::is_named_by_typify;
use shapes::{Shapes, USE_KEYWORDS};

/// What stays with a use of a lifted shape beside its `$ref` (the use keywords and the docs
/// of the field).
const KEPT_AT_USE: &[&str] = &[
    "default",
    "deprecated",
    "description",
    "example",
    "nullable",
    "readOnly",
    "writeOnly",
];

/// Lifts nested inline schemas into components, one per shape.
pub fn run(ctx: &mut Ctx, root: &mut Value) {
    let shapes = find_shapes(root);
    let mut taken = component_names(root);
    for name in GENERATED_TYPE_NAMES {
        taken.reserve(name);
    }
    let names = names::assign(&shapes, taken);
    rewrite(ctx, root, &shapes, &names);
}

/// The walk over every place a schema stands: components (in name order), operations (in path
/// and method order), then channels.
fn find_shapes(root: &Value) -> Shapes {
    let mut shapes = Shapes::default();
    if let Some(schemas) = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            shapes.component(name, schema);
        }
    }
    for (path, item) in root["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                let at = pointer::from_tokens(["paths", path.as_str(), method]);
                operation_slots(&mut shapes, &at, op);
            }
        }
    }
    if let Some(Value::Array(channels)) = root.get("x-channels") {
        for (i, channel) in channels.iter().enumerate() {
            channel_slots(&mut shapes, &format!("#/x-channels/{i}"), channel);
        }
    }
    shapes
}

/// An operation's request body, responses and streamed events, named after its id.
fn operation_slots<'v>(shapes: &mut Shapes, at: &str, op: &'v Value) {
    let id = crate::names::upper_camel_case(
        op.get("operationId")
            .and_then(Value::as_str)
            .unwrap_or("operation"),
    );
    let content = |holder: &'v Value| -> Vec<(String, &'v Value)> {
        let media = holder.get("content").and_then(Value::as_object);
        media
            .into_iter()
            .flatten()
            .filter_map(|(kind, m)| {
                let at = format!("{}/schema", pointer::join("/content", kind));
                m.get("schema").map(|s| (at, s))
            })
            .collect()
    };
    let mut slots = Vec::new();
    if let Some(body) = op.get("requestBody") {
        for (rest, schema) in content(body) {
            slots.push((
                format!("{at}/requestBody{rest}"),
                format!("{id}Request"),
                schema,
            ));
        }
    }
    for (code, response) in op["responses"].as_object().into_iter().flatten() {
        let base = pointer::join(&format!("{at}/responses"), code);
        for (rest, schema) in content(response) {
            slots.push((format!("{base}{rest}"), format!("{id}Response"), schema));
        }
    }
    for (event, schema) in op["x-sdk-streaming"]["events"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let slot = pointer::join(&format!("{at}/x-sdk-streaming/events"), event);
        let owner = format!("{id}{}Event", ascii_type_ident(event));
        slots.push((slot, owner, schema));
    }
    for (slot, owner, schema) in slots {
        shapes.slot(&slot, owner, schema);
    }
}

/// A channel's joins, messages and pushes: their params, replies and payloads, named after the
/// channel and the join or event (`{Channel}{Message}Reply`).
fn channel_slots(shapes: &mut Shapes, at: &str, channel: &Value) {
    let channel_name = ascii_type_ident(channel["name"].as_str().unwrap_or_default());
    for list in ["joins", "messages", "pushes"] {
        for (i, entry) in channel[list].as_array().into_iter().flatten().enumerate() {
            let label = entry["name"]
                .as_str()
                .or_else(|| entry["event"].as_str())
                .map(|l| l.rsplit(':').next().unwrap_or(l))
                .unwrap_or_default();
            let base = format!("{channel_name}{}", ascii_type_ident(label));
            for (key, role) in [
                ("params", "Params"),
                ("returns", "Reply"),
                ("payload", "Payload"),
            ] {
                if let Some(schema) = entry.get(key) {
                    let slot = format!("{at}/{list}/{i}/{key}");
                    shapes.slot(&slot, format!("{base}{role}"), schema);
                }
            }
        }
    }
}

/// Replaces every lifted schema by a reference to its type, then every slot whose shape has a
/// type, and adds the new components.
fn rewrite(ctx: &mut Ctx, root: &mut Value, shapes: &Shapes, names: &[Option<String>]) {
    // The new components: name → (schema, where it was first found, how many copies).
    let mut lifted: BTreeMap<&str, (Value, &str, usize)> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for nested in &shapes.nested {
        let name = names[nested.class]
            .as_deref()
            .expect("every nested shape is named");
        let Some(mut schema) = take_schema(root, &nested.pointer) else {
            continue;
        };
        let is_new = shapes.classes[nested.class].component.is_none();
        // Items, map values and alternatives have no docs of their own in Rust.
        let at_use = split_use(&mut schema, nested.is_property);
        if is_new {
            lifted
                .entry(name)
                .and_modify(|(_, _, copies)| *copies += 1)
                .or_insert_with(|| {
                    order.push(name);
                    (Value::Object(schema), &nested.pointer, 1)
                });
        } else {
            report_ref(ctx, &nested.pointer, name);
        }
        put_reference(root, &nested.pointer, name, at_use);
    }
    for slot in &shapes.slots {
        let Some(name) = names[slot.class].as_deref() else {
            continue;
        };
        let Some(mut schema) = take_schema(root, &slot.pointer) else {
            continue;
        };
        // The docs of a slot are its operation's or message's: only how it is used stays.
        let at_use = split_use(&mut schema, false);
        report_ref(ctx, &slot.pointer, name);
        put_reference(root, &slot.pointer, name, at_use);
    }
    for name in order {
        let (_, first, copies) = &lifted[name];
        let copies = match copies {
            1 => "an inline schema".to_owned(),
            n => format!("{n} identical inline schemas"),
        };
        ctx.report.info(
            "schema-lifted",
            *first,
            format!("{copies} became components.schemas.{name}"),
        );
    }
    add_schemas(
        root,
        lifted
            .into_iter()
            .map(|(name, (schema, _, _))| (name.to_owned(), schema))
            .collect(),
    );
}

fn report_ref(ctx: &mut Ctx, at: &str, name: &str) {
    ctx.report.info(
        "inline-schema-to-ref",
        at,
        format!("inline copy of components.schemas.{name} became a $ref"),
    );
}

/// The schema object at `at` (`#/...`), taken out of the document.
fn take_schema(root: &mut Value, at: &str) -> Option<Map<String, Value>> {
    match pointer::get_mut(root, at.strip_prefix('#')?)? {
        Value::Object(m) => Some(std::mem::take(m)),
        _ => None,
    }
}

/// Takes the use keywords out of `schema` and returns what stays at the use: them, and with
/// `docs` a copy of the docs (which the type keeps too).
fn split_use(schema: &mut Map<String, Value>, docs: bool) -> Map<String, Value> {
    let mut at_use = Map::new();
    for key in KEPT_AT_USE {
        let value = if USE_KEYWORDS.contains(key) {
            schema.remove(*key)
        } else if docs {
            schema.get(*key).cloned()
        } else {
            None
        };
        if let Some(value) = value {
            at_use.insert((*key).to_owned(), value);
        }
    }
    at_use
}

/// Writes, at `at`, a reference to component `name` (inside a one-part `allOf` when `at_use`
/// keeps something beside it).
fn put_reference(root: &mut Value, at: &str, name: &str, mut at_use: Map<String, Value>) {
    let reference = json!({ "$ref": format!("#/components/schemas/{}", pointer::escape(name)) });
    let value = if at_use.is_empty() {
        reference
    } else {
        at_use.insert("allOf".to_owned(), json!([reference]));
        Value::Object(at_use)
    };
    if let Some(slot) = at.strip_prefix('#').and_then(|p| pointer::get_mut(root, p)) {
        *slot = value;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// The names of the new components `root` would get.
    fn lifted_names(root: &Value) -> Vec<String> {
        let shapes = find_shapes(root);
        let names = names::assign(&shapes, component_names(root));
        let mut out: Vec<String> = (0..shapes.classes.len())
            .filter(|&c| shapes.classes[c].component.is_none())
            .filter_map(|c| names[c].clone())
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_short_name_wanted_by_two_shapes_is_qualified_for_both() {
        let details = |n: &str| json!({"type": "object", "properties": {n: {"type": "string"}}});
        let root = json!({
            "paths": {},
            "components": {"schemas": {
                "Agent": {"type": "object", "properties": {"id": {"type": "string"}}},
                "Template": {"type": "object", "properties": {"details": details("a")}},
                "Run": {"type": "object", "properties": {
                    "details": details("b"),
                    "steps": {"type": "array", "items": details("c")},
                    "agent": {"type": "object", "properties": {"other": {"type": "string"}}}
                }},
            }}
        });
        assert_eq!(
            lifted_names(&root),
            ["RunAgent", "RunDetails", "Step", "TemplateDetails"]
        );
    }

    #[test]
    fn a_qualified_name_comes_from_the_root_before_the_owner() {
        let details = |n: &str| json!({"type": "object", "properties": {n: {"type": "string"}}});
        let root = json!({
            "paths": {},
            "components": {"schemas": {
                "A": {"type": "object", "properties": {"x": {"type": "object", "properties": {
                    "details": details("a"), "other": {"enum": ["o"]}}}}},
                "B": {"type": "object", "properties": {"details": details("b")}},
            }}
        });
        // `X` is free: the details under it are `ADetails`, not `XDetails`.
        assert_eq!(lifted_names(&root), ["ADetails", "BDetails", "Other", "X"]);
    }
}
