//! What the generated axum server could not route, or would panic on at startup or on a
//! response, rejected with the pointer of the place at fault: a path segment starting with
//! `*` (axum refuses it as an old-style wildcard), two paths that differ only in their template variables' names
//! (axum's router refuses the second) unless they merge, and response header names that are
//! not HTTP tokens (`HeaderName` refuses them). Two such paths merge, with a warning, when one
//! family holds both: the later path's operations move to the first, their path parameters
//! renamed, except those of a method the first path has too, which the server would route to
//! the first path's operation: they are dropped, with a warning. HEAD, OPTIONS and TRACE
//! operations are kept; the bodies HEAD responses declare are dropped, with a warning, since a
//! HEAD response has none.

use std::collections::BTreeMap;

use serde_json::Value;

use super::operations::template_names;
use super::{Ctx, METHODS, for_each_operation_mut};
use crate::pointer;
use crate::{Error, Result};

/// Checks every path and operation of `root` (after the responses are normalized).
pub fn check(ctx: &Ctx, root: &Value) -> Result<()> {
    let Some(paths) = root.get("paths").and_then(Value::as_object) else {
        return Ok(());
    };
    let mut shapes: BTreeMap<String, &str> = BTreeMap::new();
    for (path, item) in paths {
        let at = pointer::from_tokens(["paths", path.as_str()]);
        if path.split('/').any(|segment| segment.starts_with('*')) {
            return Err(Error::invalid(
                &ctx.file,
                &at,
                "a path segment starting with `*` is a wildcard the server cannot route",
            ));
        }
        if let Some(first) = shapes.insert(route_shape(path), path) {
            return Err(Error::invalid(
                &ctx.file,
                &at,
                format!(
                    "conflicts with `{first}`: the paths differ only in their template variables' names"
                ),
            ));
        }
        check_header_names(ctx, path, item)?;
    }
    Ok(())
}

/// Merges each path into the first (in document order) that differs from it only in its
/// template variables' names (`/v2/{metricName}` into `/v2/{logName}`), when `placements` puts
/// them in one family: the operations move, their path parameters (inlined per operation by
/// now) renamed to the first path's names by position; an operation whose method the first
/// path has too is dropped. Pairs in two families are left to [`check`], which rejects them.
pub fn merge_variable_renamings(
    ctx: &mut Ctx,
    root: &mut Value,
    placements: &mut Vec<(String, usize)>,
) {
    let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let mut first_of_shape: BTreeMap<String, &String> = BTreeMap::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for path in paths.keys() {
        match first_of_shape.get(&route_shape(path)) {
            Some(first) => pairs.push((path.clone(), (*first).clone())),
            None => {
                first_of_shape.insert(route_shape(path), path);
            }
        }
    }
    let family = |placements: &[(String, usize)], path: &str| {
        placements.iter().find(|(p, _)| p == path).map(|(_, f)| *f)
    };
    for (later, first) in pairs {
        let (Some(from), Some(to)) = (paths.get(&later), paths.get(&first)) else {
            continue;
        };
        if family(placements, &later) != family(placements, &first) {
            continue;
        }
        let shared: Vec<&str> = METHODS
            .iter()
            .copied()
            .filter(|m| from.get(*m).is_some() && to.get(*m).is_some())
            .collect();
        let renames: BTreeMap<String, String> = template_names(&later)
            .into_iter()
            .zip(template_names(&first))
            .collect();
        let Some(Value::Object(mut from)) = paths.remove(&later) else {
            continue;
        };
        let later_at = pointer::from_tokens(["paths", later.as_str()]);
        for method in METHODS {
            let Some(mut operation) = from.remove(*method) else {
                continue;
            };
            if shared.contains(method) {
                ctx.report.warn(
                    "route-operation-dropped",
                    pointer::join(&later_at, method),
                    format!(
                        "the server routes this request to the {} operation of `{first}` (the paths differ only in their variables' names); dropped",
                        method.to_ascii_uppercase()
                    ),
                );
                continue;
            }
            rename_path_parameters(&mut operation, &renames);
            if let Some(to) = paths.get_mut(&first).and_then(Value::as_object_mut) {
                to.insert((*method).to_owned(), operation);
            }
        }
        placements.retain(|(p, _)| *p != later);
        ctx.report.warn(
            "route-variables-merged",
            later_at,
            format!(
                "differs from `{first}` only in its variables' names (one route to the server): its operations moved there, their path parameters renamed"
            ),
        );
    }
}

/// Renames the path parameters of `operation` named in `renames`.
fn rename_path_parameters(operation: &mut Value, renames: &BTreeMap<String, String>) {
    let Some(parameters) = operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for parameter in parameters {
        if parameter.get("in").and_then(Value::as_str) != Some("path") {
            continue;
        }
        let renamed = parameter
            .get("name")
            .and_then(Value::as_str)
            .and_then(|name| renames.get(name));
        if let Some(renamed) = renamed {
            parameter["name"] = Value::String(renamed.clone());
        }
    }
}

/// Drops the `content` of every HEAD operation's responses, each with a warning: the client
/// would wait for a body the server never sends.
pub fn drop_head_response_bodies(ctx: &mut Ctx, root: &mut Value) {
    let report = &mut ctx.report;
    for_each_operation_mut(root, |at, operation| {
        if !at.ends_with("/head") {
            return;
        }
        let Some(responses) = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        for (status, response) in responses {
            if let Some(response) = response.as_object_mut()
                && response.remove("content").is_some()
            {
                report.warn(
                    "head-response-body-dropped",
                    format!("{at}/responses/{}", pointer::escape(status)),
                    "a HEAD response has no body; its `content` was dropped",
                );
            }
        }
    });
}

/// `path` with every `{name}` emptied: two paths with the same shape are one axum route, and
/// one URL.
pub fn route_shape(path: &str) -> String {
    let mut shape = String::with_capacity(path.len());
    let mut in_variable = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_variable = true;
                shape.push('{');
            }
            '}' => {
                in_variable = false;
                shape.push('}');
            }
            _ if in_variable => {}
            _ => shape.push(c),
        }
    }
    shape
}

/// Every response header of the path item's operations is named by an HTTP token.
fn check_header_names(ctx: &Ctx, path: &str, item: &Value) -> Result<()> {
    let Some(item) = item.as_object() else {
        return Ok(());
    };
    for (method, operation) in item {
        let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
            continue;
        };
        for (status, response) in responses {
            let Some(headers) = response.get("headers").and_then(Value::as_object) else {
                continue;
            };
            if let Some(name) = headers.keys().find(|name| !is_header_token(name)) {
                return Err(Error::invalid(
                    &ctx.file,
                    &pointer::from_tokens([
                        "paths",
                        path,
                        method.as_str(),
                        "responses",
                        status.as_str(),
                        "headers",
                        name.as_str(),
                    ]),
                    "a response header name must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~)",
                ));
            }
        }
    }
    Ok(())
}

/// Whether `name` is an HTTP field name (RFC 9110's `token`).
fn is_header_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_differing_in_variable_names_have_one_shape() {
        assert_eq!(route_shape("/a/{x}/b"), route_shape("/a/{y}/b"));
        assert_ne!(route_shape("/a/{x}/b"), route_shape("/a/{x}/c"));
    }

    #[test]
    fn a_head_response_loses_its_body_with_a_warning() {
        let mut ctx = Ctx::new("spec.json");
        let body =
            serde_json::json!({"content": {"application/json": {"schema": {"type": "string"}}}});
        let mut root = serde_json::json!({"paths": {"/a": {
            "get": {"responses": {"200": body.clone()}},
            "head": {"responses": {"200": body.clone()}}
        }}});
        drop_head_response_bodies(&mut ctx, &mut root);
        assert_eq!(root["paths"]["/a"]["get"]["responses"]["200"], body);
        assert_eq!(
            root["paths"]["/a"]["head"]["responses"]["200"],
            serde_json::json!({})
        );
        let dropped: Vec<_> = ctx
            .report
            .by_rule("head-response-body-dropped")
            .map(|e| e.pointer.as_str())
            .collect();
        assert_eq!(dropped, ["#/paths/~1a/head/responses/200"]);
    }

    #[test]
    fn header_names_are_tokens() {
        assert!(is_header_token("X-Rate-Limit"));
        assert!(!is_header_token("X Rate"));
        assert!(!is_header_token("caf\u{e9}"));
        assert!(!is_header_token(""));
    }
}
