//! What OpenAPI 3.2 adds, brought down to 3.0.3 (3.2 is 3.1 plus these; the schemas are the
//! same JSON Schema): the `QUERY` method and `additionalOperations` (methods OpenAPI does not
//! name) have no 3.0 form, nor does a `querystring` parameter (the whole query string as one
//! value), so each is dropped with a warning rather than silently; a sequential media type's
//! `itemSchema` (and its item encodings) is dropped with a warning, the media type kept; an
//! Example's `dataValue` becomes its `value`; references to `components/mediaTypes` are
//! replaced by copies of what they name, and `$self` and `components/mediaTypes` go.
//!
//! Run on every document: a 3.0 or 3.1 document holding these members is read the same way.

use serde_json::{Map, Value};

use super::{Ctx, METHODS};
use crate::pointer;

/// The components a parameter, request body, response or header can be, whose media types and
/// examples this pass visits.
const CONTENT_HOLDERS: &[&str] = &["parameters", "requestBodies", "responses", "headers"];

/// Keywords of a media type that only OpenAPI 3.2 has.
const SEQUENTIAL_MEDIA_KEYWORDS: &[&str] = &["itemSchema", "itemEncoding", "prefixEncoding"];

/// Brings the 3.2 members of `root` down to 3.0.3 (see the module doc).
pub(super) fn run(ctx: &mut Ctx, root: &mut Value) {
    drop_root_members(ctx, root);
    let media_types = root
        .pointer_mut("/components")
        .and_then(Value::as_object_mut)
        .and_then(|c| c.remove("mediaTypes"));
    if media_types.is_some() {
        ctx.report.info(
            "root-field-dropped",
            "#/components/mediaTypes",
            "`components.mediaTypes` has no OpenAPI 3.0 form; each reference to one replaced by a copy",
        );
    }
    let querystring = querystring_components(ctx, root);
    let mut at = String::from("#/paths");
    if let Some(Value::Object(paths)) = root.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            at.push('/');
            pointer::push_escaped(&mut at, path);
            if let Value::Object(item) = item {
                path_item(ctx, item, &querystring, media_types.as_ref(), &mut at);
            }
            at.truncate("#/paths".len());
        }
    }
    if let Some(Value::Object(components)) = root.get_mut("components") {
        for kind in CONTENT_HOLDERS {
            let Some(Value::Object(entries)) = components.get_mut(*kind) else {
                continue;
            };
            for (name, entry) in entries.iter_mut() {
                let mut at = pointer::from_tokens(["components", kind, name.as_str()]);
                holder(ctx, entry, media_types.as_ref(), &mut at);
            }
        }
        if let Some(Value::Object(examples)) = components.get_mut("examples") {
            for (name, example) in examples.iter_mut() {
                let at = pointer::from_tokens(["components", "examples", name.as_str()]);
                example_data_value(ctx, example, &at);
            }
        }
    }
}

/// `$self` (the document's own URI) has no 3.0 form and nothing generated reads it.
fn drop_root_members(ctx: &mut Ctx, root: &mut Value) {
    if let Some(obj) = root.as_object_mut()
        && obj.remove("$self").is_some()
    {
        ctx.report.info(
            "root-field-dropped",
            "#/$self",
            "`$self` has no OpenAPI 3.0 form; dropped",
        );
    }
}

/// The pointers of the `components/parameters` that are `querystring` parameters, which are
/// dropped (with a warning) with every reference to them.
fn querystring_components(ctx: &mut Ctx, root: &mut Value) -> Vec<String> {
    let Some(Value::Object(parameters)) = root.pointer_mut("/components/parameters") else {
        return Vec::new();
    };
    let names: Vec<String> = parameters
        .iter()
        .filter(|(_, p)| is_querystring(p))
        .map(|(name, _)| name.clone())
        .collect();
    names
        .into_iter()
        .map(|name| {
            parameters.remove(&name);
            let at = pointer::from_tokens(["components", "parameters", name.as_str()]);
            warn_querystring(ctx, &at);
            at
        })
        .collect()
}

fn is_querystring(parameter: &Value) -> bool {
    parameter.get("in").and_then(Value::as_str) == Some("querystring")
}

fn warn_querystring(ctx: &mut Ctx, at: &str) {
    ctx.report.warn(
        "parameter-dropped",
        at,
        "a `querystring` parameter (OpenAPI 3.2: the whole query string as one value) has no OpenAPI 3.0 form; dropped",
    );
}

/// One path item: its 3.2 operations dropped, then its parameters and each operation's
/// parameters, request body and responses visited.
fn path_item(
    ctx: &mut Ctx,
    item: &mut Map<String, Value>,
    querystring: &[String],
    media_types: Option<&Value>,
    at: &mut String,
) {
    let len = at.len();
    if item.remove("query").is_some() {
        ctx.report.warn(
            "operation-dropped",
            pointer::join(at, "query"),
            "the QUERY method (OpenAPI 3.2) has no OpenAPI 3.0 form; the operation is not generated",
        );
    }
    if let Some(extra) = item.remove("additionalOperations") {
        let methods = extra.as_object().into_iter().flat_map(Map::keys);
        for method in methods {
            ctx.report.warn(
                "operation-dropped",
                pointer::join(&pointer::join(at, "additionalOperations"), method),
                format!("the {method} method (an OpenAPI 3.2 `additionalOperations` entry) has no OpenAPI 3.0 form; the operation is not generated"),
            );
        }
    }
    parameters(ctx, item, querystring, media_types, at);
    for method in METHODS {
        let Some(Value::Object(operation)) = item.get_mut(*method) else {
            continue;
        };
        at.push('/');
        at.push_str(method);
        parameters(ctx, operation, querystring, media_types, at);
        if let Some(body) = operation.get_mut("requestBody") {
            at.push_str("/requestBody");
            holder(ctx, body, media_types, at);
            at.truncate(len + 1 + method.len());
        }
        if let Some(Value::Object(responses)) = operation.get_mut("responses") {
            for (status, response) in responses.iter_mut() {
                at.push_str("/responses/");
                pointer::push_escaped(at, status);
                holder(ctx, response, media_types, at);
                at.truncate(len + 1 + method.len());
            }
        }
        at.truncate(len);
    }
}

/// The `parameters` of a path item or an operation: a `querystring` one (or a reference to
/// one) dropped, the others visited.
fn parameters(
    ctx: &mut Ctx,
    owner: &mut Map<String, Value>,
    querystring: &[String],
    media_types: Option<&Value>,
    at: &mut String,
) {
    let Some(Value::Array(list)) = owner.get_mut("parameters") else {
        return;
    };
    let len = at.len();
    let mut index = 0;
    list.retain_mut(|parameter| {
        let target = parameter.get("$ref").and_then(Value::as_str);
        let dropped =
            is_querystring(parameter) || target.is_some_and(|t| querystring.iter().any(|q| q == t));
        at.push_str(&format!("/parameters/{index}"));
        if dropped {
            warn_querystring(ctx, at);
        } else {
            holder(ctx, parameter, media_types, at);
        }
        at.truncate(len);
        index += 1;
        !dropped
    });
}

/// A parameter, request body, response or header: the media types of its `content` and its
/// `examples`; a response's headers too.
fn holder(ctx: &mut Ctx, value: &mut Value, media_types: Option<&Value>, at: &mut String) {
    let Some(obj) = value.as_object_mut() else {
        return;
    };
    let len = at.len();
    examples(ctx, obj, at);
    if let Some(Value::Object(content)) = obj.get_mut("content") {
        for (media, entry) in content.iter_mut() {
            at.push_str("/content/");
            pointer::push_escaped(at, media);
            media_type(ctx, entry, media_types, at);
            at.truncate(len);
        }
    }
    if let Some(Value::Object(headers)) = obj.get_mut("headers") {
        for (name, header) in headers.iter_mut() {
            at.push_str("/headers/");
            pointer::push_escaped(at, name);
            holder(ctx, header, media_types, at);
            at.truncate(len);
        }
    }
}

/// One media type: a reference to `components/mediaTypes` replaced by a copy of what it
/// names, the sequential keywords dropped, its examples visited.
fn media_type(ctx: &mut Ctx, entry: &mut Value, media_types: Option<&Value>, at: &str) {
    let target = entry.get("$ref").and_then(Value::as_str).map(str::to_owned);
    if let Some(target) = target
        && let Some(name) = target.strip_prefix("#/components/mediaTypes/")
        && let Some(copy) = media_types.and_then(|m| m.get(pointer::unescape(name).as_str()))
    {
        *entry = copy.clone();
        ctx.report.info(
            "ref-inlined",
            at,
            format!("`$ref: {target}` replaced by a copy of what it names (OpenAPI 3.0 has no media type components)"),
        );
    }
    let Some(obj) = entry.as_object_mut() else {
        return;
    };
    for key in SEQUENTIAL_MEDIA_KEYWORDS {
        if obj.remove(*key).is_some() {
            ctx.report.warn(
                "media-type-keyword-dropped",
                pointer::join(at, key),
                format!("`{key}` (OpenAPI 3.2: each item of a sequential media type) has no OpenAPI 3.0 form; dropped, the items are not typed"),
            );
        }
    }
    examples(ctx, obj, at);
}

/// The `examples` of a parameter, header or media type.
fn examples(ctx: &mut Ctx, owner: &mut Map<String, Value>, at: &str) {
    if let Some(Value::Object(examples)) = owner.get_mut("examples") {
        for (name, example) in examples.iter_mut() {
            let at = pointer::join(&pointer::join(at, "examples"), name);
            example_data_value(ctx, example, &at);
        }
    }
}

/// An Example's `dataValue` (OpenAPI 3.2) becomes its `value`; `serializedValue` (the same
/// data as it is sent) goes.
fn example_data_value(ctx: &mut Ctx, example: &mut Value, at: &str) {
    let Some(obj) = example.as_object_mut() else {
        return;
    };
    let serialized = obj.remove("serializedValue").is_some();
    let data = obj.remove("dataValue");
    if data.is_none() && !serialized {
        return;
    }
    let done = match (data, serialized) {
        (Some(data), serialized) => {
            obj.entry("value").or_insert(data);
            if serialized {
                "`dataValue` became `value`, `serializedValue` dropped"
            } else {
                "`dataValue` became `value`"
            }
        }
        (None, _) => "`serializedValue` dropped",
    };
    ctx.report.info(
        "example-data-value",
        at,
        format!("{done} (OpenAPI 3.0 has only `value`)"),
    );
}
