//! Paths, parameters, request bodies and responses, reshaped so that every operation is
//! complete on its own and within what progenitor can generate without panicking:
//! `:param` templates become `{param}`, path-level and `$ref` parameters are inlined and every
//! template variable is declared; the `Accept` and `Content-Type` header parameters OpenAPI
//! ignores are dropped; `pipeDelimited` and `spaceDelimited` query parameters are sent as
//! `form` sends them, or as strings; one media type per body and response; no `default`
//! response; one success type and one error type per operation.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::member_values::{LOCATIONS, PARAMETER_FLAGS, Shape, repair, styles_of};
use super::schema::{is_struct_like, resolve_schema, resolve_schema_owned};
use super::{Ctx, METHODS, add_schemas, component_names, for_each_operation_mut, with_reference};
use crate::pointer;
use crate::report::Report;
use crate::{Error, Result};

/// The template variables [`normalize_templates`] renamed, by the path as it now is: each
/// variable's name in the spec and its name now.
pub type TemplateRenames = BTreeMap<String, Vec<(String, String)>>;

/// Rewrites `/a/:id` path keys as `/a/{id}`, and renames each template variable whose name is
/// no identifier (`{.format}`, `{insight_id:}`: a URI template's operator, a stray character)
/// to one ([`identifier_variables`]); the path parameters of the renamed variables follow in
/// [`normalize_parameters`].
pub fn normalize_templates(ctx: &mut Ctx, root: &mut Value) -> Result<TemplateRenames> {
    let paths = root
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .expect("checked at load");
    let renames: Vec<(String, String)> = paths
        .keys()
        .filter(|p| p.split('/').any(|s| s.starts_with(':')))
        .map(|p| {
            let to = p
                .split('/')
                .map(|s| {
                    s.strip_prefix(':')
                        .map_or_else(|| s.to_owned(), |name| format!("{{{name}}}"))
                })
                .collect::<Vec<_>>()
                .join("/");
            (p.clone(), to)
        })
        .collect();
    for (from, to) in renames {
        if paths.contains_key(&to) {
            return Err(Error::invalid(
                &ctx.file,
                &pointer::from_tokens(["paths", from.as_str()]),
                format!("becomes `{to}`, which the document already has"),
            ));
        }
        let item = paths.remove(&from).expect("listed above");
        ctx.report.info(
            "path-template-colon",
            pointer::from_tokens(["paths", from.as_str()]),
            format!("`{from}` became `{to}`"),
        );
        paths.insert(to, item);
    }
    let mut renamed_variables = TemplateRenames::new();
    for path in paths.keys() {
        if !path.starts_with('/') {
            return Err(Error::invalid(
                &ctx.file,
                &pointer::from_tokens(["paths", path.as_str()]),
                "a path must start with `/`",
            ));
        }
        if has_stray_brace(path) {
            return Err(Error::invalid(
                &ctx.file,
                &pointer::from_tokens(["paths", path.as_str()]),
                "a `{` or `}` outside a `{name}` template variable",
            ));
        }
        let names = template_names(path);
        if !names.iter().all(|n| is_identifier(n)) {
            renamed_variables.insert(path.clone(), identifier_variables(&names));
        }
    }
    let mut renames = TemplateRenames::new();
    for (from, variables) in renamed_variables {
        let mut to = from.clone();
        for (old, new) in &variables {
            to = to.replace(&format!("{{{old}}}"), &format!("{{{new}}}"));
        }
        let at = pointer::from_tokens(["paths", from.as_str()]);
        if paths.contains_key(&to) {
            return Err(Error::invalid(
                &ctx.file,
                &at,
                format!(
                    "its variables are no identifiers, and with identifiers it is `{to}`, which the document already has"
                ),
            ));
        }
        let item = paths.remove(&from).expect("listed above");
        paths.insert(to.clone(), item);
        let listed: Vec<String> = variables
            .iter()
            .map(|(old, new)| format!("`{{{old}}}` is `{{{new}}}`"))
            .collect();
        ctx.report.warn(
            "path-variable-not-identifier",
            at,
            format!(
                "{}: a path variable's name must be an identifier (a URI template's operators are not OpenAPI's: the value is put in the path as it is)",
                listed.join(", ")
            ),
        );
        renames.insert(to, variables);
    }
    Ok(renames)
}

/// Each of `names` (a path's template variables) that is no identifier, with the identifier
/// it becomes: progenitor's argument for it (`.format` → `format`, `9lives` → `_9lives`),
/// numbered after a name the path has already (`format_2`).
fn identifier_variables(names: &[String]) -> Vec<(String, String)> {
    let mut taken: Vec<String> = names.iter().filter(|n| is_identifier(n)).cloned().collect();
    let mut renamed: Vec<(String, String)> = Vec::new();
    for name in names.iter().filter(|n| !is_identifier(n)) {
        if renamed.iter().any(|(old, _)| old == name) {
            continue;
        }
        // Without the `_` a keyword takes after it (a path variable may be `type`).
        let stem = crate::names::progenitor_method_name(name)
            .trim_end_matches('_')
            .to_owned();
        let stem = if is_identifier(&stem) {
            stem
        } else {
            "variable".to_owned()
        };
        let mut new = stem.clone();
        for n in 2.. {
            if !taken.contains(&new) {
                break;
            }
            new = format!("{stem}_{n}");
        }
        taken.push(new.clone());
        renamed.push((name.clone(), new));
    }
    renamed
}

/// Whether `path` has a brace that does not open or close a `{name}` template variable
/// (`/a/{id}}`, `/a/{b{c}`, `/a/}`).
fn has_stray_brace(path: &str) -> bool {
    let mut open = false;
    for c in path.chars() {
        match c {
            '{' if open => return true,
            '{' => open = true,
            '}' if !open => return true,
            '}' => open = false,
            _ => {}
        }
    }
    open
}

fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The `{name}`s of a path template, in order.
pub fn template_names(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + len].to_owned());
        rest = &rest[start + len + 1..];
    }
    out
}

/// Inlines path-level and `$ref` parameters into each operation and declares every template
/// variable exactly once; a path parameter of a variable [`normalize_templates`] renamed
/// (`renames`) takes its new name.
pub fn normalize_parameters(
    ctx: &mut Ctx,
    root: &mut Value,
    renames: &TemplateRenames,
) -> Result<()> {
    with_reference(ctx.refs_into_paths, root, |snapshot, root| {
        let paths = root
            .get_mut("paths")
            .and_then(Value::as_object_mut)
            .expect("checked at load");
        for (path, item) in paths.iter_mut() {
            let item_at = pointer::from_tokens(["paths", path.as_str()]);
            let Some(item) = item.as_object_mut() else {
                return Err(Error::invalid(
                    &ctx.file,
                    &item_at,
                    "a path item must be an object",
                ));
            };
            if item.contains_key("$ref") {
                return Err(Error::invalid(
                    &ctx.file,
                    &format!("{item_at}/$ref"),
                    "path item `$ref`s are not supported",
                ));
            }
            let shared = resolve_parameters(
                ctx,
                snapshot,
                item.remove("parameters"),
                &format!("{item_at}/parameters"),
            )?;
            let names = template_names(path);
            for method in METHODS {
                let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) else {
                    continue;
                };
                let op_at = pointer::join(&item_at, method);
                repair(&mut ctx.report, op, "deprecated", Shape::Flag, &op_at);
                for text in ["summary", "description"] {
                    repair(&mut ctx.report, op, text, Shape::Text, &op_at);
                }
                let own = resolve_parameters(
                    ctx,
                    snapshot,
                    op.remove("parameters"),
                    &format!("{op_at}/parameters"),
                )?;
                let mut merged: Vec<Value> = shared
                    .iter()
                    .filter(|p| !own.iter().any(|o| same_parameter(o, p)))
                    .cloned()
                    .collect();
                merged.extend(own);
                let mut merged =
                    super::deep_object::flatten(&mut ctx.report, snapshot, &op_at, merged);
                for (old, new) in renames.get(path.as_str()).into_iter().flatten() {
                    for p in merged.iter_mut().filter(|p| {
                        p.get("in").and_then(Value::as_str) == Some("path")
                            && p.get("name").and_then(Value::as_str) == Some(old)
                    }) {
                        p["name"] = json!(new);
                    }
                }
                merged.retain(|p| {
                let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                match p.get("in").and_then(Value::as_str) {
                    Some("path") if !names.iter().any(|n| n == name) => {
                        ctx.report.warn("path-param-not-in-template", &op_at, format!("path parameter `{name}` is not in the path; dropped"));
                        false
                    }
                    Some("header") if ["accept", "content-type"].contains(&name.to_ascii_lowercase().as_str()) => {
                        ctx.report.info("header-param-ignored", &op_at, format!("header parameter `{name}` dropped: OpenAPI ignores it, and the client sets the header from the body's and the responses' media types"));
                        false
                    }
                    Some("cookie") => {
                        ctx.report.warn("cookie-param-dropped", &op_at, format!("cookie parameter `{name}` is not supported by the generated client; dropped"));
                        false
                    }
                    _ => true,
                }
            });
                for p in merged.iter_mut() {
                    if p.get("in").and_then(Value::as_str) == Some("path")
                        && p.get("required") != Some(&json!(true))
                    {
                        p["required"] = json!(true);
                        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                        ctx.report.info(
                            "path-param-required",
                            &op_at,
                            format!(
                                "path parameter `{name}` made required (path parameters always are)"
                            ),
                        );
                    }
                    if p.get("schema").is_none() {
                        let from_content = p
                            .get("content")
                            .and_then(Value::as_object)
                            .and_then(|c| c.values().next())
                            .and_then(|m| m.get("schema"))
                            .cloned();
                        if let Some(obj) = p.as_object_mut() {
                            obj.remove("content");
                            obj.insert(
                                "schema".into(),
                                from_content.unwrap_or_else(|| json!({"type": "string"})),
                            );
                        }
                    }
                    not_nullable_in_path_or_header(ctx, snapshot, p, &op_at);
                    merge_overlapping_scalars(ctx, snapshot, p, &op_at);
                    delimited_query_as_form_or_string(ctx, snapshot, p, &op_at);
                    let non_scalar = {
                        let schema = resolve_schema(snapshot, &p["schema"]);
                        let items = schema.get("items").map(|i| resolve_schema(snapshot, i));
                        is_struct_like(snapshot, schema)
                            || schema.get("type").and_then(Value::as_str) == Some("object")
                            || items.is_some_and(|i| {
                                is_struct_like(snapshot, i)
                                    || i.get("type").and_then(Value::as_str) == Some("object")
                            })
                    };
                    if !non_scalar {
                        header_array_as_string(ctx, snapshot, p, &op_at);
                    }
                    if non_scalar && p.get("in").and_then(Value::as_str) != Some("path") {
                        let name = p
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned();
                        let mut desc = p
                            .get("description")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned();
                        if !desc.is_empty() {
                            desc.push_str("\n\n");
                        }
                        desc.push_str("Sent as a JSON-encoded string.");
                        p["description"] = json!(desc);
                        p["schema"] = json!({"type": "string"});
                        // The example is sent the same way: as its JSON text.
                        if let Some(example) = p.get_mut("example")
                            && !example.is_string()
                        {
                            *example = json!(example.to_string());
                        }
                        ctx.report.warn("param-object-as-json-string", &op_at, format!("parameter `{name}` has an object schema; it is sent as a JSON-encoded string"));
                    }
                }
                for name in &names {
                    let declared = merged.iter().any(|p| {
                        p.get("in").and_then(Value::as_str) == Some("path")
                            && p.get("name").and_then(Value::as_str) == Some(name)
                    });
                    if !declared {
                        ctx.report.warn("path-param-declared", &op_at, format!("path parameter `{name}` is used in the path but not declared; declared as a required string"));
                        merged.push(json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
                    }
                }
                // Declared order, then path parameters in template order first: stable signatures.
                merged.sort_by_key(|p| {
                    let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                    match p.get("in").and_then(Value::as_str) {
                        Some("path") => (0, names.iter().position(|n| n == name).unwrap_or(0)),
                        _ => (1, 0),
                    }
                });
                if !merged.is_empty() {
                    op.insert("parameters".into(), Value::Array(merged));
                }
            }
        }
        Ok(())
    })
}

/// A path or header parameter `p` whose schema is `nullable` (itself, or the component it
/// names) is not: a path segment or a header has no null to send (a parameter that may be left
/// out is an optional one), and progenitor writes the value with `Display`, which no `Option`
/// has. A `$ref` to a nullable component becomes a copy of it without `nullable`. With a
/// note.
fn not_nullable_in_path_or_header(ctx: &mut Ctx, root: &Value, p: &mut Value, op_at: &str) {
    let place = p.get("in").and_then(Value::as_str).unwrap_or_default().to_owned();
    if !matches!(place.as_str(), "path" | "header") {
        return;
    }
    let nullable = |schema: &Value| schema.get("nullable") == Some(&Value::Bool(true));
    let schema = &p["schema"];
    let copy = if nullable(schema) {
        schema.clone()
    } else if schema.get("$ref").is_some() && nullable(resolve_schema(root, schema)) {
        resolve_schema(root, schema).clone()
    } else {
        return;
    };
    let mut copy = copy;
    if let Some(object) = copy.as_object_mut() {
        object.remove("nullable");
    }
    p["schema"] = copy;
    let name = p["name"].as_str().unwrap_or_default().to_owned();
    ctx.report.info(
        "parameter-not-nullable",
        op_at,
        format!("{place} parameter `{name}`: its schema is nullable, which a {place} parameter cannot be (no null can be sent); `nullable` dropped"),
    );
}

/// A header parameter `p` whose schema is an array of scalars becomes a string: progenitor
/// writes a header's value with `Display`, which no `Vec` has. `style: simple` (the only style
/// of a header) joins the items with `,`; the caller does, as the description says and the
/// report warns; an array example becomes its items so joined.
fn header_array_as_string(ctx: &mut Ctx, root: &Value, p: &mut Value, op_at: &str) {
    let schema = resolve_schema(root, &p["schema"]);
    let is_array = p.get("in").and_then(Value::as_str) == Some("header")
        && schema.get("type").and_then(Value::as_str) == Some("array");
    if !is_array {
        return;
    }
    let name = p["name"].as_str().unwrap_or_default().to_owned();
    as_joined_string(p, ",", "`,`");
    ctx.report.warn(
        "header-array-as-string",
        op_at,
        format!("header `{name}` is an array; it is sent as a string, its items joined with `,`"),
    );
}

/// The array parameter `p` made a string whose items the caller joins with `delimiter`
/// (`shown` in its description, which says so); an array example is so joined.
fn as_joined_string(p: &mut Value, delimiter: &str, shown: &str) {
    let mut desc = p["description"].as_str().unwrap_or_default().to_owned();
    if !desc.is_empty() {
        desc.push_str("\n\n");
    }
    desc.push_str(&format!("The items joined with {shown}."));
    p["description"] = json!(desc);
    p["schema"] = json!({"type": "string"});
    if let Some(Value::Array(items)) = p.get("example") {
        let joined: Vec<String> = items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
            .collect();
        p["example"] = json!(joined.join(delimiter));
    }
}

/// A parameter whose schema (or whose array's items) is an `anyOf` or `oneOf` of scalars
/// that typify cannot tell apart (two strings of different formats, say) gets one alternative
/// per scalar type instead, or that type alone: typify generates such an `anyOf` as a struct
/// of optional flattened parts, which progenitor cannot take as a parameter (it panics) and no
/// query string could carry, and such a `oneOf` as an enum of look-alike variants that no
/// caller can pick between. An `integer` alternative beside a `number` one is the number's.
fn merge_overlapping_scalars(ctx: &mut Ctx, root: &Value, p: &mut Value, op_at: &str) {
    let schema = resolve_schema(root, &p["schema"]);
    let ((merged, types, key), in_items) = match merged_scalar_alternatives(root, schema) {
        Some(merged) => (merged, false),
        None => match schema
            .get("items")
            .and_then(|items| merged_scalar_alternatives(root, resolve_schema(root, items)))
        {
            Some(merged) => (merged, true),
            None => return,
        },
    };
    let mut schema = schema.clone();
    if in_items {
        schema["items"] = merged;
    } else {
        schema = merged;
    }
    p["schema"] = schema;
    let name = p["name"].as_str().unwrap_or_default().to_owned();
    ctx.report.warn(
        "parameter-alternatives-merged",
        op_at,
        format!(
            "parameter `{name}`: the alternatives of its `{key}` overlap; it takes {}",
            types.join(" or ")
        ),
    );
}

/// The schema `merge_overlapping_scalars` gives an `anyOf` of scalars whose types repeat, and
/// the types it keeps; `None` when `schema` is no such `anyOf`, or its alternatives' types
/// are already distinct.
fn merged_scalar_alternatives(
    root: &Value,
    schema: &Value,
) -> Option<(Value, Vec<String>, &'static str)> {
    let key = ["anyOf", "oneOf"]
        .into_iter()
        .find(|k| schema.get(*k).is_some())?;
    let alternatives = schema.get(key)?.as_array()?;
    let mut types: Vec<&str> = Vec::new();
    for alternative in alternatives {
        let ty = resolve_schema(root, alternative).get("type")?.as_str()?;
        if !matches!(ty, "string" | "integer" | "number" | "boolean") {
            return None;
        }
        types.push(ty);
    }
    let mut distinct: Vec<&str> = Vec::new();
    for ty in &types {
        if !distinct.contains(ty) {
            distinct.push(ty);
        }
    }
    if distinct.len() == types.len() {
        return None;
    }
    if distinct.contains(&"number") {
        distinct.retain(|t| *t != "integer");
    }
    let mut merged = schema.as_object()?.clone();
    merged.remove(key);
    if let [only] = distinct.as_slice() {
        merged.insert("type".into(), json!(only));
    } else {
        let parts = distinct.iter().map(|t| json!({"type": t})).collect();
        merged.insert(key.into(), Value::Array(parts));
    }
    // A default that no longer fits is dropped by the example check, a later pass.
    let types = distinct.iter().map(|t| (*t).to_owned()).collect();
    Some((Value::Object(merged), types, key))
}

/// A query parameter of `style: pipeDelimited` or `spaceDelimited`, which progenitor does not
/// serialize: exploded, it is sent as `form` sends it (`a=1&a=2`, the same query string); not
/// exploded (their default), an array of scalars becomes a string whose items the caller joins
/// with the delimiter, as the description says and the report warns (an array example is so
/// joined); any other schema is sent as `form` would, with a warning.
fn delimited_query_as_form_or_string(ctx: &mut Ctx, root: &Value, p: &mut Value, op_at: &str) {
    let delimiter = match p.get("style").and_then(Value::as_str) {
        Some("pipeDelimited") => "|",
        Some("spaceDelimited") => " ",
        _ => return,
    };
    let name = p["name"].as_str().unwrap_or_default().to_owned();
    let style = p["style"].as_str().unwrap_or_default().to_owned();
    let exploded = p.get("explode") == Some(&Value::Bool(true));
    let schema = resolve_schema(root, &p["schema"]);
    let scalar_items = schema.get("type").and_then(Value::as_str) == Some("array")
        && schema
            .get("items")
            .map(|items| resolve_schema(root, items))
            .and_then(|items| items.get("type")?.as_str())
            .is_some_and(|ty| matches!(ty, "string" | "integer" | "number" | "boolean"));
    if let Some(obj) = p.as_object_mut() {
        obj.remove("style");
        obj.remove("explode");
    }
    if exploded {
        ctx.report.info(
            "query-style-form",
            op_at,
            format!("query parameter `{name}`: `{style}` exploded is sent as `form` sends it"),
        );
        return;
    }
    if !scalar_items {
        ctx.report.warn(
            "query-style-form",
            op_at,
            format!("query parameter `{name}`: `{style}` is not supported; it is sent as `form` sends it"),
        );
        return;
    }
    let shown = if delimiter == " " { "a space" } else { "`|`" };
    as_joined_string(p, delimiter, shown);
    ctx.report.warn(
        "delimited-query-as-string",
        op_at,
        format!("query parameter `{name}` is `{style}`; it is sent as a string, its items joined with {shown}"),
    );
}

fn same_parameter(a: &Value, b: &Value) -> bool {
    a.get("name") == b.get("name") && a.get("in") == b.get("in")
}

fn resolve_parameters(
    ctx: &mut Ctx,
    root: &Value,
    params: Option<Value>,
    at: &str,
) -> Result<Vec<Value>> {
    let Some(params) = params else {
        return Ok(Vec::new());
    };
    let Value::Array(params) = params else {
        return Err(Error::invalid(
            &ctx.file,
            at,
            "`parameters` must be an array",
        ));
    };
    params
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let mut p = resolve_schema_owned(root, p);
            let p_at = format!("{at}/{i}");
            if let Some(obj) = p.as_object_mut() {
                repair_parameter_members(&mut ctx.report, obj, &p_at);
            }
            match (
                p.get("name").and_then(Value::as_str),
                p.get("in").and_then(Value::as_str),
            ) {
                (Some(_), Some("path" | "query" | "header" | "cookie")) => Ok(p),
                _ => Err(Error::invalid(
                    &ctx.file,
                    &p_at,
                    "a parameter needs a `name` and `in` (path, query, header or cookie)",
                )),
            }
        })
        .collect()
}

/// A parameter's members of the wrong JSON shape repaired or dropped (`member_values.rs`).
fn repair_parameter_members(report: &mut Report, p: &mut Map<String, Value>, at: &str) {
    repair(report, p, "in", Shape::Word(LOCATIONS), at);
    for flag in PARAMETER_FLAGS {
        repair(report, p, flag, Shape::Flag, at);
    }
    repair(report, p, "description", Shape::Text, at);
    if let Some(location) = p.get("in").and_then(Value::as_str) {
        let styles = styles_of(location);
        repair(report, p, "style", Shape::Word(styles), at);
    }
}

/// Media types in order of preference for a request body.
fn body_rank(media: &str) -> Option<u8> {
    let essence = media.split(';').next().unwrap_or_default().trim();
    match essence {
        "application/json" => Some(0),
        m if m.ends_with("+json") => Some(1),
        "application/x-www-form-urlencoded" => Some(2),
        "application/octet-stream" => Some(3),
        "text/plain" => Some(4),
        "multipart/form-data" => Some(5),
        _ => None,
    }
}

/// Whether `media` is a form (`application/x-www-form-urlencoded`).
fn is_form(media: &str) -> bool {
    media.split(';').next().unwrap_or_default().trim() == "application/x-www-form-urlencoded"
}

/// Whether the schema of the media type object `media_obj` is an object, which a form writes
/// as its fields (anything else has no form encoding: it is sent as its text).
fn is_form_object(root: &Value, media_obj: &Value) -> bool {
    let schema = media_obj.get("schema").unwrap_or(&Value::Null);
    let ty = resolve_schema(root, schema).get("type");
    ty.and_then(Value::as_str) == Some("object") || is_struct_like(root, schema)
}

/// The extension on a request body's media type object that records the media type the
/// client sends when the document's key is the raw type standing for it (`text/plain` for
/// `text/xml`, `application/octet-stream` for `application/jwt`).
pub const WIRE_MEDIA_TYPE: &str = "x-wire-media-type";

/// How a body of a media type the client cannot type is sent: text for textual types (XML,
/// YAML, `text/*`), bytes for every other.
fn raw_body_media_type(media: &str) -> &'static str {
    let essence = media.split(';').next().unwrap_or_default().trim();
    let textual = essence.starts_with("text/")
        || essence.ends_with("/xml")
        || essence.ends_with("+xml")
        || essence.ends_with("yaml");
    if textual {
        "text/plain"
    } else {
        "application/octet-stream"
    }
}

/// Whether `media` can be sent as a `Content-Type` header value as written (visible ASCII and
/// spaces), and names one type (no wildcard).
fn is_header_value(media: &str) -> bool {
    !media.is_empty()
        && !media.contains('*')
        && media.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
}

/// Whether `schema` is the plain string progenitor takes as a text body (no format, pattern,
/// enum, length, default or nullable).
fn is_plain_string(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("string")
        && [
            "format",
            "pattern",
            "enum",
            "minLength",
            "maxLength",
            "default",
            "nullable",
            "discriminator",
        ]
        .iter()
        .all(|k| schema.get(*k).is_none())
}

fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or_default().trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// One media type per request body, JSON preferred; `$ref` bodies inlined.
pub fn normalize_bodies(ctx: &mut Ctx, root: &mut Value) -> Result<()> {
    with_reference(ctx.refs_into_paths, root, |snapshot, root| {
        let file = ctx.file.clone();
        let mut failure = None;
        for_each_operation_mut(root, |at, op| {
            // Taken out, not copied: the operation gets a new body below.
            let Some(taken) = op.as_object_mut().and_then(|o| o.remove("requestBody")) else {
                return;
            };
            let body = resolve_schema(snapshot, &taken);
            let body_at = format!("{at}/requestBody");
            let media_ok = body.get("content").map(|c| {
                c.as_object()
                    .is_some_and(|c| c.values().all(Value::is_object))
            });
            if !body.is_object() || media_ok == Some(false) {
                failure.get_or_insert(Error::invalid(
                    &file,
                    &body_at,
                    "a request body must be an object whose `content` maps media types to objects",
                ));
                return;
            }
            let Some(content) = body
                .get("content")
                .and_then(Value::as_object)
                .filter(|c| !c.is_empty())
            else {
                ctx.report.warn(
                    "request-body-empty",
                    &body_at,
                    "request body without content; dropped",
                );
                return;
            };
            let mut ranked: Vec<(&String, &Value)> = content.iter().collect();
            ranked.sort_by_key(|(m, _)| body_rank(m).unwrap_or(u8::MAX));
            let (media, media_obj) = ranked[0];
            for (other, _) in &ranked[1..] {
                ctx.report.warn(
                    "request-body-media-type-dropped",
                    &body_at,
                    format!("`{other}` dropped; the client sends `{media}`"),
                );
            }
            let target = if is_json(media) {
                if media != "application/json" {
                    ctx.report.info(
                        "request-body-media-type-json",
                        &body_at,
                        format!("`{media}` is sent as `application/json`"),
                    );
                }
                "application/json"
            } else if media.starts_with("multipart/") {
                ctx.report.warn(
                    "request-body-multipart",
                    &body_at,
                    "multipart/form-data is sent as a raw application/octet-stream body",
                );
                "application/octet-stream"
            } else if is_form(media) && !is_form_object(snapshot, media_obj) {
                ctx.report.warn(
                    "request-body-raw",
                    &body_at,
                    format!("`{media}` whose schema is no object is sent as a raw `text/plain` body, `Content-Type: {media}`"),
                );
                "text/plain"
            } else if body_rank(media).is_none() {
                let raw = raw_body_media_type(media);
                let header = if is_header_value(media) {
                    format!(", `Content-Type: {media}`")
                } else {
                    String::new()
                };
                ctx.report.warn(
                    "request-body-raw",
                    &body_at,
                    format!("`{media}` is sent as a raw `{raw}` body{header}"),
                );
                raw
            } else {
                media.split(';').next().unwrap_or_default().trim()
            };
            let mut media_obj = media_obj.clone();
            if let Some(m) = media_obj.as_object_mut() {
                m.remove("encoding");
                let raw_form = is_form(media) && target == "text/plain";
                if (body_rank(media).is_none() || raw_form) && is_header_value(media) {
                    m.insert(WIRE_MEDIA_TYPE.into(), json!(media));
                }
                if target == "application/octet-stream" {
                    m.insert(
                        "schema".into(),
                        json!({"type": "string", "format": "binary"}),
                    );
                } else if target == "text/plain"
                    && !is_plain_string(resolve_schema(
                        snapshot,
                        m.get("schema").unwrap_or(&Value::Null),
                    ))
                {
                    if body_rank(media).is_some() && !raw_form {
                        ctx.report.warn(
                            "request-body-text-schema",
                            &body_at,
                            "a text/plain body is sent as a string; its schema became `type: string`",
                        );
                    }
                    m.insert("schema".into(), json!({"type": "string"}));
                } else if !m.contains_key("schema") {
                    m.insert("schema".into(), json!({}));
                }
            }
            let mut new_body = Map::new();
            if let Some(d) = body.get("description") {
                new_body.insert("description".into(), d.clone());
            }
            let mut required = body.get("required") == Some(&json!(true));
            if !required && is_struct_like(snapshot, &media_obj["schema"]) {
                required = true;
                ctx.report.info(
                    "request-body-made-required",
                    &body_at,
                    "optional object bodies are required in the generated client",
                );
            }
            new_body.insert("required".into(), json!(required));
            new_body.insert("content".into(), json!({ target: media_obj }));
            op["requestBody"] = Value::Object(new_body);
        });
        failure.map_or(Ok(()), Err)
    })
}

/// What progenitor makes of a response: it must see one kind among successes, one among errors.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ResponseKind<'a> {
    Empty,
    /// A JSON body, with its schema when it has one.
    Json(Option<&'a Value>),
    Raw,
    /// `101 Switching Protocols`: the connection, upgraded.
    Upgrade,
}

/// The kind of the response `response` of status `code`.
fn response_kind<'a>(code: &str, response: &'a Value) -> ResponseKind<'a> {
    if code == "101" {
        return ResponseKind::Upgrade;
    }
    match response.get("content").and_then(Value::as_object) {
        None => ResponseKind::Empty,
        Some(c) if c.is_empty() => ResponseKind::Empty,
        Some(c) => match c.get("application/json") {
            Some(m) => ResponseKind::Json(m.get("schema")),
            None => ResponseKind::Raw,
        },
    }
}

/// How many different kinds `kinds` holds (a handful of responses: compared pairwise).
fn distinct_kinds<'a>(kinds: impl Iterator<Item = ResponseKind<'a>>) -> usize {
    let mut seen: Vec<ResponseKind<'a>> = Vec::new();
    for kind in kinds {
        if !seen.contains(&kind) {
            seen.push(kind);
        }
    }
    seen.len()
}

fn status_class(code: &str) -> Option<char> {
    match code {
        "101" => Some('2'),
        c if c.len() == 3
            && c.chars()
                .all(|x| x.is_ascii_digit() || x == 'X' || x == 'x') =>
        {
            c.chars().next()
        }
        _ => None,
    }
}

/// One media type per response (JSON preferred), no `default`, one success kind, one error kind.
pub fn normalize_responses(ctx: &mut Ctx, root: &mut Value) -> Result<()> {
    with_reference(ctx.refs_into_paths, root, |snapshot, root| {
        let file = ctx.file.clone();
        let mut failure = None;
        for_each_operation_mut(root, |at, op| {
            let responses_at = format!("{at}/responses");
            let Some(Value::Object(responses)) = op.get_mut("responses") else {
                failure.get_or_insert(Error::invalid(
                    &file,
                    &responses_at,
                    "an operation needs a `responses` object",
                ));
                return;
            };
            let mut out: BTreeMap<String, Value> = BTreeMap::new();
            let mut default = None;
            for (code, response) in std::mem::take(responses) {
                let mut response = resolve_schema_owned(snapshot, response);
                let r_at = pointer::join(&responses_at, &code);
                if let Some(obj) = response.as_object_mut() {
                    repair(&mut ctx.report, obj, "description", Shape::Text, &r_at);
                }
                let media_ok = response.get("content").map(|c| {
                    c.as_object()
                        .is_some_and(|c| c.values().all(Value::is_object))
                });
                if !response.is_object() || media_ok == Some(false) {
                    failure.get_or_insert(Error::invalid(
                        &file,
                        &r_at,
                        "a response must be an object whose `content` maps media types to objects",
                    ));
                    return;
                }
                if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
                    let chosen = content
                        .keys()
                        .find(|m| is_json(m))
                        .or_else(|| content.keys().next())
                        .cloned();
                    if let Some(chosen) = chosen {
                        let mut media = content.remove(&chosen).unwrap_or_default();
                        for other in content.keys() {
                            ctx.report.info(
                                "response-media-type-dropped",
                                &r_at,
                                format!("`{other}` dropped beside `{chosen}`"),
                            );
                        }
                        content.clear();
                        let key = if is_json(&chosen) {
                            if chosen != "application/json" {
                                ctx.report.info(
                                    "response-media-type-json",
                                    &r_at,
                                    format!("`{chosen}` is read as `application/json`"),
                                );
                            }
                            "application/json".to_owned()
                        } else {
                            chosen
                        };
                        if key == "application/json" && media.get("schema").is_none() {
                            media["schema"] = json!({});
                        }
                        content.insert(key, media);
                    }
                }
                if response.get("description").is_none() {
                    response["description"] = json!("");
                }
                let code = code.to_ascii_uppercase();
                if code == "DEFAULT" {
                    default = Some(response);
                } else if status_class(&code).is_some() {
                    out.insert(code, response);
                } else {
                    ctx.report.warn(
                        "response-status-invalid",
                        &r_at,
                        format!("`{code}` is not a status code; dropped"),
                    );
                }
            }
            if let Some(default) = default {
                for range in ["4XX", "5XX"] {
                    let covered = out.keys().any(|c| c.starts_with(&range[..1]));
                    if !covered {
                        out.insert(range.to_owned(), default.clone());
                    }
                }
                ctx.report.info(
                    "response-default-split",
                    &responses_at,
                    "`default` became 4XX/5XX",
                );
            }
            // One success kind: keep the responses of the most informative kind.
            let successes: Vec<(&String, ResponseKind)> = out
                .iter()
                .filter(|(c, _)| status_class(c) == Some('2'))
                .map(|(c, r)| (c, response_kind(c, r)))
                .collect();
            let no_success = successes.is_empty();
            let mut dropped: Vec<String> = Vec::new();
            if distinct_kinds(successes.iter().map(|(_, k)| *k)) > 1 {
                let keep = successes
                    .iter()
                    .find(|(_, k)| matches!(k, ResponseKind::Json(_)))
                    .or_else(|| successes.iter().find(|(_, k)| *k == ResponseKind::Raw))
                    .map_or(ResponseKind::Empty, |(_, k)| *k);
                dropped = successes
                    .iter()
                    .filter(|(_, kind)| *kind != keep)
                    .map(|(code, _)| (*code).clone())
                    .collect();
            }
            for code in dropped {
                out.remove(&code);
                let message = if code == "101" {
                    "the connection upgrade (101) beside other success responses; dropped (the client cannot return both)".to_owned()
                } else {
                    format!(
                        "success response {code} has another body type than the operation's main success; dropped (the client cannot return two types)"
                    )
                };
                ctx.report.warn(
                    "response-success-dropped",
                    pointer::join(&responses_at, &code),
                    message,
                );
            }
            if no_success {
                ctx.report.warn(
                    "response-success-missing",
                    &responses_at,
                    "no 2xx response declared; assumed 200 without a body",
                );
                out.insert("200".into(), json!({"description": "Success"}));
            }
            *responses = out.into_iter().collect();
        });
        failure.map_or(Ok(()), Err)
    })
}

/// One error type per operation, as progenitor requires: error responses with different JSON
/// bodies share one `anyOf` component named after the operation (`ExchangeTokenError`); when
/// some have no JSON body, no error body is typed.
pub fn unify_error_bodies(ctx: &mut Ctx, root: &mut Value) {
    let mut new_components: Vec<(String, Value)> = Vec::new();
    let mut taken = component_names(root);
    for_each_operation_mut(root, |at, op| {
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or("operation")
            .to_owned();
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            return;
        };
        let is_error = |c: &&String| matches!(status_class(c), Some('4' | '5'));
        let kinds = || {
            responses
                .iter()
                .filter(|(c, _)| is_error(c))
                .map(|(c, r)| response_kind(c, r))
        };
        if distinct_kinds(kinds()) < 2 {
            return;
        }
        let all_json = kinds().all(|k| matches!(k, ResponseKind::Json(_)));
        let errors: Vec<String> = responses.keys().filter(is_error).cloned().collect();
        let responses_at = format!("{at}/responses");
        if all_json {
            let mut variants: Vec<Value> = Vec::new();
            for code in &errors {
                let schema = responses[code]["content"]["application/json"]["schema"].clone();
                if !variants.contains(&schema) {
                    variants.push(schema);
                }
            }
            let wanted = format!("{}Error", crate::names::upper_camel_case(&id));
            let name = taken.claim(&wanted);
            let reference =
                json!({ "$ref": format!("#/components/schemas/{}", pointer::escape(&name)) });
            for code in &errors {
                responses[code]["content"]["application/json"]["schema"] = reference.clone();
            }
            ctx.report.info(
                "response-error-bodies-any-of",
                &responses_at,
                format!(
                    "error responses with different bodies share components.schemas.{name} (anyOf)"
                ),
            );
            new_components.push((name, json!({ "anyOf": variants, "description": format!("An error of `{id}`: any of the error bodies it declares.") })));
        } else {
            for code in &errors {
                if let Some(r) = responses.get_mut(code).and_then(Value::as_object_mut) {
                    r.remove("content");
                }
            }
            ctx.report.warn("response-error-bodies-untyped", &responses_at, "some error responses have a JSON body and some do not; error bodies are left untyped");
        }
    });
    add_schemas(root, new_components);
}
