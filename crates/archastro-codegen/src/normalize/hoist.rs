//! Inline schemas: a copy of a component becomes a `$ref` to it, and anonymous object
//! schemas of request bodies (JSON and form) and success responses become named components
//! (`CreateTeamRequest`, `ListTeamsResponse`), so generated type names are stable and readable;
//! so does an anonymous composition (`oneOf`, `anyOf`, `allOf`) or closed empty object of a
//! request body, whose type a caller names to build the body.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::refs::is_data_key;
use super::schema::ANNOTATIONS;
use super::{Ctx, METHODS, add_schemas, component_names, for_each_operation_mut, push_json_string};
use crate::pointer;

/// The shape of a schema without its annotations, as a comparable string: the JSON text of
/// the schema with every annotation and `x-` keyword left out (data kept whole: `enum`,
/// `default`, `const`; property names kept whatever they are), written directly rather than
/// through a stripped copy of the schema.
fn canonical(v: &Value) -> String {
    /// `names`: `v` maps property names to schemas, so its keys are no keywords.
    fn write(v: &Value, names: bool, out: &mut String) {
        match v {
            Value::Object(m) => {
                out.push('{');
                let mut first = true;
                for (k, v) in m {
                    if !names && (ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-")) {
                        continue;
                    }
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    push_json_string(out, k);
                    out.push(':');
                    if !names && is_data_key(None, k) {
                        out.push_str(&v.to_string());
                    } else {
                        write(v, !names && k == "properties", out);
                    }
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(v, false, out);
                }
                out.push(']');
            }
            Value::String(text) => push_json_string(out, text),
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(v, false, &mut out);
    out
}

/// The property names, in order: schemas with different ones cannot have the same canonical
/// form, so this cheap key rules most candidates out before `canonical`.
fn property_key(v: &Value) -> String {
    let mut key = String::new();
    if let Some(props) = v.get("properties").and_then(Value::as_object) {
        for k in props.keys() {
            key.push_str(k);
            key.push('\0');
        }
    }
    key
}

/// Canonical forms of the components, with their property keys to look up first.
struct Known {
    by_shape: BTreeMap<String, String>,
    property_keys: BTreeSet<String>,
}

impl Known {
    fn get(&self, v: &Value) -> Option<&String> {
        if !self.property_keys.contains(&property_key(v)) {
            return None;
        }
        self.by_shape.get(&canonical(v))
    }
}

/// A form body's media type, escaped as a JSON pointer token: its body is a type progenitor
/// builds, as a JSON body's is.
const FORM_MEDIA_TYPE: &str = "application~1x-www-form-urlencoded";

/// An inline `oneOf`, `anyOf` or `allOf` (no `$ref`).
fn is_composition(v: &Value) -> bool {
    ["oneOf", "anyOf", "allOf"]
        .iter()
        .any(|k| v.get(*k).is_some())
        && v.get("$ref").is_none()
}

/// An object that declares no properties and allows no others (typify makes it a struct
/// without fields, which progenitor builds as it builds a struct body).
fn is_closed_empty_object(v: &Value) -> bool {
    v.get("additionalProperties") == Some(&Value::Bool(false))
        && v.get("properties")
            .and_then(Value::as_object)
            .is_none_or(|p| p.is_empty())
        && v.get("$ref").is_none()
}

fn is_object_with_properties(v: &Value) -> bool {
    v.get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty())
        && v.get("$ref").is_none()
}

/// Replaces inline copies of component schemas by `$ref`s, then names anonymous body and
/// response objects.
pub fn run(ctx: &mut Ctx, root: &mut Value) {
    let mut known = Known {
        by_shape: BTreeMap::new(),
        property_keys: BTreeSet::new(),
    };
    if let Some(schemas) = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            if is_object_with_properties(schema) {
                known
                    .by_shape
                    .entry(canonical(schema))
                    .or_insert_with(|| name.clone());
                known.property_keys.insert(property_key(schema));
            }
        }
    }
    // Components first (their nested copies of other components), then operations, then the
    // channels' params, replies and payloads (`x-channels`): each a unit of its own on the job
    // pool, their report entries put back in this order.
    let units = copy_units(root);
    let file = ctx.file.clone();
    let refs_into_paths = ctx.refs_into_paths;
    let reports = crate::jobs::map_chunks(units, |unit| {
        let mut unit_ctx = Ctx {
            refs_into_paths,
            ..Ctx::new(file.clone())
        };
        let CopyUnit {
            value,
            mut at,
            parent,
            below,
        } = unit;
        if below {
            replace_copies_below(value, &mut at, parent.as_deref(), &known, &mut unit_ctx);
        } else {
            replace_copies(value, &mut at, parent.as_deref(), &known, &mut unit_ctx);
        }
        unit_ctx.report.entries
    });
    ctx.report.entries.extend(reports.into_iter().flatten());

    // Name anonymous objects of bodies and success responses: first every slot, then one name
    // per shape ([`body_type_names`]), then each slot made a reference to its shape's component.
    let mut slots: Vec<BodySlot> = Vec::new();
    for_each_operation_mut(root, |at, op| {
        let id = crate::names::upper_camel_case(
            op.get("operationId")
                .and_then(Value::as_str)
                .unwrap_or("operation"),
        );
        // Each slot's pointer, the kind of name wanted there, and whether a composition is
        // named too.
        let mut places: Vec<(String, &'static str, bool)> = ["application~1json", FORM_MEDIA_TYPE]
            .iter()
            .map(|media| {
                (
                    format!("/requestBody/content/{media}/schema"),
                    "Request",
                    true,
                )
            })
            .collect();
        if let Some(responses) = op.get("responses").and_then(Value::as_object) {
            for code in responses.keys().filter(|c| c.starts_with('2')) {
                let base = pointer::escape(code);
                places.push((
                    format!("/responses/{base}/content/application~1json/schema"),
                    "Response",
                    false,
                ));
                places.push((
                    format!("/responses/{base}/content/application~1json/schema/items"),
                    "Item",
                    false,
                ));
            }
        }
        for (slot, kind, compositions) in places {
            let Some(schema) = pointer::get(op, &slot) else {
                continue;
            };
            let what = if is_object_with_properties(schema) {
                "object"
            } else if compositions && is_composition(schema) {
                "composition"
            } else if compositions && is_closed_empty_object(schema) {
                "object"
            } else {
                continue;
            };
            slots.push(BodySlot {
                at: format!("{at}{slot}"),
                id: id.clone(),
                kind,
                what,
                shape: canonical(schema),
            });
        }
    });
    let mut taken = component_names(root);
    let names = body_type_names(&slots, &mut taken);
    let mut hoisted: Vec<(String, Value)> = Vec::new();
    let mut moved: BTreeSet<&str> = BTreeSet::new();
    for (slot, name) in slots.iter().zip(&names) {
        ctx.report.info(
            "inline-schema-named",
            slot.at.clone(),
            format!("anonymous {} became components.schemas.{name}", slot.what),
        );
        // The schema moves to its component (a copy of one already named is dropped).
        let reference =
            json!({ "$ref": format!("#/components/schemas/{}", pointer::escape(name)) });
        let Some(schema) = pointer::get_mut(root, slot.at.trim_start_matches('#')) else {
            continue;
        };
        let schema = std::mem::replace(schema, reference);
        if moved.insert(name) {
            hoisted.push((name.clone(), schema));
        }
    }
    add_schemas(root, hoisted);
}

/// An anonymous body or success response [`run`] names.
struct BodySlot {
    /// Its pointer.
    at: String,
    /// Its operation's `operationId`, in UpperCamelCase.
    id: String,
    /// What its name ends in: `Request`, `Response`, or `Item` (a response array's items).
    kind: &'static str,
    /// What it is, for the report: `object` or `composition`.
    what: &'static str,
    /// Its shape ([`canonical`]).
    shape: String,
}

/// The component name of each slot: one per shape. A shape in one operation's slots is named
/// after it (`{OperationId}{Kind}`: `ListTeamThreadsResponse`). A shape that several
/// operations share is named after the words their `operationId`s have in common, in order,
/// when they share at least two and the first (the verb): `ListTeamThreads`, `ListUserThreads`
/// and `ListOrgThreads` give `ListThreadsResponse`. So an operation added beside the others,
/// named like them, renames nothing, where naming the shape after its first operation would
/// follow whichever comes first in path order. Otherwise, or when that name is taken, the
/// shape is named after its first slot's operation. The names after one operation are claimed
/// first, then the common ones, each in the order of the shape's first slot.
fn body_type_names(slots: &[BodySlot], taken: &mut crate::names::Namespace) -> Vec<String> {
    let mut by_shape: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut first_slots: Vec<usize> = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        let group = by_shape.entry(slot.shape.as_str()).or_default();
        if group.is_empty() {
            first_slots.push(i);
        }
        group.push(i);
    }
    // The name each shape wants: after its operations' common words, or its first one.
    let wanted: Vec<(usize, Option<String>, String)> = first_slots
        .into_iter()
        .map(|first| {
            let slot = &slots[first];
            let group = &by_shape[slot.shape.as_str()];
            let same_kind = group.iter().all(|&i| slots[i].kind == slot.kind);
            let ids: Vec<&str> = group.iter().map(|&i| slots[i].id.as_str()).collect();
            let common = same_kind
                .then(|| common_words(&ids))
                .flatten()
                .map(|words| format!("{words}{}", slot.kind));
            (first, common, format!("{}{}", slot.id, slot.kind))
        })
        .collect();
    // Operations' own names first, so that a common name never takes one from the operation
    // it would name (an operation `ListThreads` beside `ListTeamThreads` and `ListUserThreads`).
    let mut shape_names: BTreeMap<&str, String> = BTreeMap::new();
    for (first, _, own) in wanted.iter().filter(|(_, common, _)| common.is_none()) {
        shape_names.insert(slots[*first].shape.as_str(), taken.claim(own));
    }
    for (first, common, own) in &wanted {
        let Some(common) = common else { continue };
        let name = if taken.contains(common) {
            taken.claim(own)
        } else {
            taken.claim(common)
        };
        shape_names.insert(slots[*first].shape.as_str(), name);
    }
    slots
        .iter()
        .map(|slot| shape_names[slot.shape.as_str()].clone())
        .collect()
}

/// The words that every one of `ids` (UpperCamelCase, at least two different ones) has, in
/// their order, joined, when they are at least two and the first word of each is the first of
/// them (`ListTeamThreads`, `ListUserThreads` → `ListThreads`); `None` otherwise.
fn common_words(ids: &[&str]) -> Option<String> {
    fn words(id: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, c) in id.char_indices().skip(1) {
            if c.is_ascii_uppercase() {
                out.push(&id[start..i]);
                start = i;
            }
        }
        out.push(&id[start..]);
        out
    }
    /// The longest common subsequence of `a` and `b` (the earliest in `a` among equals).
    fn lcs<'w>(a: &[&'w str], b: &[&str]) -> Vec<&'w str> {
        let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                table[i][j] = if a[i] == b[j] {
                    table[i + 1][j + 1] + 1
                } else {
                    table[i + 1][j].max(table[i][j + 1])
                };
            }
        }
        let (mut i, mut j, mut out) = (0, 0, Vec::new());
        while i < a.len() && j < b.len() {
            if a[i] == b[j] {
                out.push(a[i]);
                i += 1;
                j += 1;
            } else if table[i + 1][j] >= table[i][j + 1] {
                i += 1;
            } else {
                j += 1;
            }
        }
        out
    }
    let mut distinct: Vec<&str> = ids.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 2 {
        return None;
    }
    let all: Vec<Vec<&str>> = distinct.iter().map(|id| words(id)).collect();
    let mut common = all[0].clone();
    for other in &all[1..] {
        common = lcs(&common, other);
    }
    let verb = all[0][0];
    (common.len() >= 2 && common[0] == verb && all.iter().all(|w| w[0] == verb))
        .then(|| common.concat())
}

/// A subtree whose copies of components [`run`] replaces: a component schema (`below`: the
/// schema itself is the component), an operation or a channel.
struct CopyUnit<'a> {
    value: &'a mut Value,
    at: String,
    parent: Option<String>,
    below: bool,
}

/// The subtrees [`run`] replaces copies in, in the order it reports them: component schemas,
/// operations (path, then method order), the children of `x-channels`.
fn copy_units(root: &mut Value) -> Vec<CopyUnit<'_>> {
    let Some(root) = root.as_object_mut() else {
        return Vec::new();
    };
    let (mut schemas, mut operations, mut channels) = (Vec::new(), Vec::new(), Vec::new());
    for (key, v) in root.iter_mut() {
        match key.as_str() {
            "components" => {
                let Some(map) = v.get_mut("schemas").and_then(Value::as_object_mut) else {
                    continue;
                };
                for (name, schema) in map.iter_mut() {
                    schemas.push(CopyUnit {
                        value: schema,
                        at: pointer::from_tokens(["components", "schemas", name.as_str()]),
                        parent: Some(name.clone()),
                        below: true,
                    });
                }
            }
            "paths" => {
                for (path, item) in v.as_object_mut().into_iter().flatten() {
                    let item_at = pointer::from_tokens(["paths", path.as_str()]);
                    let mut ops: Vec<(usize, &String, &mut Value)> = item
                        .as_object_mut()
                        .into_iter()
                        .flatten()
                        .filter_map(|(method, op)| {
                            let rank = METHODS.iter().position(|m| m == method)?;
                            op.is_object().then_some((rank, method, op))
                        })
                        .collect();
                    ops.sort_by_key(|(rank, _, _)| *rank);
                    for (_, method, op) in ops {
                        operations.push(CopyUnit {
                            value: op,
                            at: pointer::join(&item_at, method),
                            parent: Some(method.clone()),
                            below: false,
                        });
                    }
                }
            }
            "x-channels" => {
                if let Value::Object(map) = v {
                    for (name, channel) in map.iter_mut() {
                        if is_data_key(Some("x-channels"), name)
                            || !matches!(channel, Value::Object(_) | Value::Array(_))
                        {
                            continue;
                        }
                        channels.push(CopyUnit {
                            value: channel,
                            at: pointer::from_tokens(["x-channels", name.as_str()]),
                            parent: Some(name.clone()),
                            below: false,
                        });
                    }
                } else if let Value::Array(items) = v {
                    for (i, channel) in items.iter_mut().enumerate() {
                        if !matches!(channel, Value::Object(_) | Value::Array(_)) {
                            continue;
                        }
                        channels.push(CopyUnit {
                            value: channel,
                            at: format!("#/x-channels/{i}"),
                            parent: None,
                            below: false,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    schemas.extend(operations);
    schemas.extend(channels);
    schemas
}

/// `at` is `v`'s pointer (children extend it and truncate it back); `parent` its last token.
fn replace_copies_below(
    v: &mut Value,
    at: &mut String,
    parent: Option<&str>,
    known: &Known,
    ctx: &mut Ctx,
) {
    let len = at.len();
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                if is_data_key(parent, k) || !matches!(child, Value::Object(_) | Value::Array(_)) {
                    continue;
                }
                at.push('/');
                pointer::push_escaped(at, k);
                replace_copies(child, at, Some(k), known, ctx);
                at.truncate(len);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter_mut().enumerate() {
                if !matches!(child, Value::Object(_) | Value::Array(_)) {
                    continue;
                }
                use std::fmt::Write as _;
                let _ = write!(at, "/{i}");
                // An index is never one of the name maps `is_data_key` looks for.
                replace_copies(child, at, None, known, ctx);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

fn replace_copies(
    v: &mut Value,
    at: &mut String,
    parent: Option<&str>,
    known: &Known,
    ctx: &mut Ctx,
) {
    if is_object_with_properties(v)
        && let Some(name) = known.get(v)
    {
        ctx.report.info(
            "inline-schema-to-ref",
            at.as_str(),
            format!("inline copy of components.schemas.{name} became a $ref"),
        );
        let mut replacement = Map::new();
        replacement.insert(
            "$ref".into(),
            json!(format!("#/components/schemas/{}", pointer::escape(name))),
        );
        *v = Value::Object(replacement);
        return;
    }
    replace_copies_below(v, at, parent, known, ctx);
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{ANNOTATIONS, BodySlot, body_type_names, canonical, common_words};

    #[test]
    fn operations_alike_share_the_words_they_have_in_common() {
        assert_eq!(
            common_words(&["ListTeamThreads", "ListUserThreads", "ListOrgThreads"]).as_deref(),
            Some("ListThreads")
        );
        assert_eq!(
            common_words(&["CreateAgentThread", "CreateTeamThread"]).as_deref(),
            Some("CreateThread")
        );
        // One word in common, another verb, or one operation: no common name.
        assert_eq!(common_words(&["ListBlockers", "ListSubtasks"]), None);
        assert_eq!(common_words(&["ArchiveConfig", "UnarchiveConfig"]), None);
        assert_eq!(common_words(&["ListThreads", "ListThreads"]), None);
    }

    #[test]
    fn a_shared_body_keeps_its_name_when_an_operation_like_the_others_comes() {
        let slot = |id: &str, shape: &str| BodySlot {
            at: format!("#/paths/{id}"),
            id: id.to_owned(),
            kind: "Response",
            what: "object",
            shape: shape.to_owned(),
        };
        let names = |slots: &[BodySlot]| {
            let mut taken = crate::names::Namespace::new(crate::names::Case::Type);
            body_type_names(slots, &mut taken)
        };
        let before = [slot("ListTeamThreads", "a"), slot("ListUserThreads", "a")];
        let after = [
            slot("ListOrgThreads", "a"),
            slot("ListTeamThreads", "a"),
            slot("ListUserThreads", "a"),
        ];
        assert_eq!(names(&before), ["ListThreadsResponse"; 2]);
        assert_eq!(names(&after), ["ListThreadsResponse"; 3]);
        // An operation of that very name keeps it; the shared shape takes its first's name.
        let beside = [
            slot("ListTeamThreads", "a"),
            slot("ListThreads", "b"),
            slot("ListUserThreads", "a"),
        ];
        assert_eq!(
            names(&beside),
            [
                "ListTeamThreadsResponse",
                "ListThreadsResponse",
                "ListTeamThreadsResponse"
            ]
        );
    }

    /// The text `canonical` must equal: a copy without annotations (keywords only: property
    /// names and data are kept), printed by serde_json.
    fn stripped_text(v: &Value) -> String {
        fn strip(v: &Value, names: bool) -> Value {
            match v {
                Value::Object(m) => Value::Object(
                    m.iter()
                        .filter(|(k, _)| {
                            names || !(ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-"))
                        })
                        .map(|(k, v)| {
                            let data = !names && ["enum", "default", "const"].contains(&k.as_str());
                            let value = if data {
                                v.clone()
                            } else {
                                strip(v, !names && k == "properties")
                            };
                            (k.clone(), value)
                        })
                        .collect(),
                ),
                Value::Array(a) => Value::Array(a.iter().map(|v| strip(v, false)).collect()),
                other => other.clone(),
            }
        }
        strip(v, false).to_string()
    }

    #[test]
    fn canonical_is_the_json_text_without_annotations() {
        let schemas = [
            json!({"type": "object", "description": "d", "x-sdk-name": "n",
                   "properties": {"a \"quoted\"\n": {"type": "string", "example": "e",
                                                     "enum": ["x", {"description": "kept"}]},
                                  "b": {"type": "array", "items": [1, 2.5, null, true]}},
                   "required": ["a \"quoted\"\n"]}),
            json!({"allOf": [{"$ref": "#/components/schemas/A"}, {"title": "t", "minimum": -1}]}),
            json!({"properties": {"description": {"type": "string"}, "x-id": {"type": "string"}},
                   "default": {"title": "kept"}}),
            json!("plain \u{1} text"),
        ];
        for schema in &schemas {
            assert_eq!(canonical(schema), stripped_text(schema));
        }
    }

    #[test]
    fn a_property_named_like_an_annotation_is_part_of_the_shape() {
        let with = json!({"type": "object", "properties": {"id": {}, "description": {}}});
        let without = json!({"type": "object", "properties": {"id": {}}});
        assert_ne!(canonical(&with), canonical(&without));
    }
}
