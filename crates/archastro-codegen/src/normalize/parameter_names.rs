//! Parameters of one operation that progenitor would make into one argument (`MaxResults` and
//! `max-results` are both `max_results`; `id` in the path and `id` in the query): its builder
//! would declare the field twice. The argument name follows the wire name, so one of the two
//! goes, with a warning: the path parameter stays (the URL needs it), else the required one,
//! else the first. A required parameter is never dropped: two required ones reject the
//! operation with the pointer of the second. A query, header or cookie parameter whose
//! argument the request builder keeps for itself (`client`, `timeout`, `body` beside a body:
//! [`taken_by_builder`]) is no such case: the client gives it another argument
//! ([`crate::names::client_arguments`]) and sends it under its own name. A path parameter so
//! named that cannot be renamed (below) is dropped the same way, or rejected when it is
//! required.
//!
//! A path parameter's name is not sent: it only ties the parameter to its `{name}` in the path
//! template. So before any of that, a path parameter that would meet a required parameter's
//! argument or one of the builder's own names (which would reject the operation) is renamed
//! instead, in its path item's template,
//! in every operation of the item and in every path that shares the variable
//! (`/accounts/{accountId}` with a query parameter `account_id` becomes
//! `/accounts/{accountId_path}`, and so does `/accounts/{accountId}/users`): the URL is the
//! same, and no parameter is lost.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::operations::template_names;
use super::{Ctx, METHODS, for_each_operation_mut};
use crate::names::{progenitor_method_name, taken_by_request_builder as taken_by_builder};
use crate::pointer;
use crate::{Error, Result};

/// The argument names of `item`'s operations' parameters that a path parameter would meet
/// (only the required ones' with `required_only`), each with what has it; whether one of the
/// operations has a request body (whose builder keeps `body`, [`taken_by_builder`]).
fn arguments_taken_beside_path(
    item: &Value,
    required_only: bool,
    taken: &mut BTreeMap<String, String>,
) -> bool {
    let mut has_body = false;
    for operation in METHODS.iter().filter_map(|m| item.get(*m)) {
        has_body |= operation.get("requestBody").is_some();
        let parameters = operation.get("parameters").and_then(Value::as_array);
        for parameter in parameters.into_iter().flatten() {
            if parameter.get("in").and_then(Value::as_str) != Some("path")
                && (!required_only || is_required(parameter))
            {
                taken
                    .entry(progenitor_method_name(name(parameter)))
                    .or_insert_with(|| format!("{}'s", describe(parameter)));
            }
        }
    }
    has_body
}

/// Renames each path template variable whose parameter would take an argument name that a
/// required parameter of one of its path item's operations, or the builder itself, has: to
/// `{name}_path` (or `{name}_path_2`, ...: the first whose argument is free), in the template
/// and in every operation's parameter; `placements` follow the path. Every path that shares
/// the variable (whose template starts the same, up to the variable) is renamed alike, so
/// that the client's resources still meet there; one warning, at the path whose argument was
/// taken, says how many. Not done where a `$ref` may point into the paths (`refs_into_paths`):
/// such a reference would no longer resolve, and [`dedupe`] reports the collision instead.
pub fn rename_colliding_path_variables(
    ctx: &mut Ctx,
    root: &mut Value,
    placements: &mut [(String, usize)],
) {
    if ctx.refs_into_paths {
        return;
    }
    let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    // Each path in document order, under its current name (a group's renaming moves paths
    // that come later); warnings point into the spec, at the path's first name.
    let original: Vec<String> = paths.keys().cloned().collect();
    let mut current = original.clone();
    for i in 0..current.len() {
        let mut next_variable = 0;
        loop {
            let path = current[i].clone();
            let variables = template_names(&path);
            let Some((variable, why)) =
                taken_path_variable(paths, &path, &variables, next_variable)
            else {
                break;
            };
            next_variable = variables.iter().position(|v| *v == variable).unwrap_or(0) + 1;
            // The template up to and including the variable: every path that starts so
            // shares it.
            let token = format!("{{{variable}}}");
            let Some(start) = path.find(&token) else {
                break;
            };
            let prefix = &path[..start + token.len()];
            let group: Vec<String> = paths
                .keys()
                .filter(|p| p.starts_with(prefix))
                .cloned()
                .collect();
            let Some(renamed) = free_variable_name(paths, &group, &variable) else {
                continue;
            };
            let renamed_token = format!("{{{renamed}}}");
            let renamed_prefix = format!("{}{renamed_token}", &path[..start]);
            for from in &group {
                // A variable may stand twice in a template (one parameter): every place.
                let to = format!(
                    "{renamed_prefix}{}",
                    from[prefix.len()..].replace(&token, &renamed_token)
                );
                let Some(mut item) = paths.remove(from) else {
                    continue;
                };
                for method in METHODS {
                    let parameters = item
                        .get_mut(*method)
                        .and_then(|op| op.get_mut("parameters"))
                        .and_then(Value::as_array_mut);
                    for parameter in parameters.into_iter().flatten() {
                        if parameter.get("in").and_then(Value::as_str) == Some("path")
                            && name(parameter) == variable
                        {
                            parameter["name"] = Value::String(renamed.clone());
                        }
                    }
                }
                for placement in placements.iter_mut().filter(|(p, _)| p == from) {
                    placement.0 = to.clone();
                }
                for later in current.iter_mut().filter(|p| *p == from) {
                    later.clone_from(&to);
                }
                paths.insert(to, item);
            }
            let others = match group.len().saturating_sub(1) {
                0 => String::new(),
                1 => format!(" and in the other path that starts `{prefix}`"),
                n => format!(" and in the {n} other paths that start `{prefix}`"),
            };
            ctx.report.warn(
                "path-variable-renamed",
                pointer::from_tokens(["paths", original[i].as_str()]),
                format!(
                    "path parameter `{variable}` became `{renamed}` here{others}: its argument {why}; the URL is the same"
                ),
            );
        }
    }
}

/// The first variable of `path` from `variables[from..]` whose argument is taken, and why: by
/// a required parameter of one of the path's operations, by the builder itself, or by an
/// earlier variable of another name (one name twice is one parameter) ([`dedupe`] would
/// reject the operation; an optional parameter it drops instead, so as not to rename the
/// variable in every path that shares it).
fn taken_path_variable(
    paths: &serde_json::Map<String, Value>,
    path: &str,
    variables: &[String],
    from: usize,
) -> Option<(String, String)> {
    let mut taken = BTreeMap::new();
    let has_body = arguments_taken_beside_path(paths.get(path)?, true, &mut taken);
    let arguments: Vec<String> = variables
        .iter()
        .map(|v| progenitor_method_name(v))
        .collect();
    (from..variables.len()).find_map(|at| {
        let argument = &arguments[at];
        let holder = if let Some(reason) = taken_by_builder(argument, has_body) {
            reason.to_owned()
        } else if let Some(holder) = taken.get(argument) {
            holder.clone()
        } else if (0..at).any(|i| arguments[i] == *argument && variables[i] != variables[at]) {
            "another path parameter's".to_owned()
        } else {
            return None;
        };
        Some((variables[at].clone(), format!("`{argument}` is {holder}")))
    })
}

/// The first of `{variable}_path`, `{variable}_path_2`, ... that no path of `group` has as a
/// variable and whose argument no other parameter of their operations (optional ones too), no
/// other variable of theirs and no builder name takes; `None` when renaming would give a path
/// that exists.
fn free_variable_name(
    paths: &serde_json::Map<String, Value>,
    group: &[String],
    variable: &str,
) -> Option<String> {
    let mut taken = BTreeMap::new();
    let mut variables = BTreeSet::new();
    let mut has_body = false;
    for path in group {
        has_body |= arguments_taken_beside_path(paths.get(path)?, false, &mut taken);
        variables.extend(template_names(path).into_iter().filter(|v| v != variable));
    }
    let arguments: BTreeSet<String> = variables
        .iter()
        .map(|v| progenitor_method_name(v))
        .collect();
    let mut renamed = format!("{variable}_path");
    for n in 2.. {
        let argument = progenitor_method_name(&renamed);
        if taken_by_builder(&argument, has_body).is_none()
            && !taken.contains_key(&argument)
            && !arguments.contains(&argument)
            && !variables.contains(&renamed)
        {
            break;
        }
        renamed = format!("{variable}_path_{n}");
    }
    let token = format!("{{{variable}}}");
    let clash = group
        .iter()
        .any(|p| paths.contains_key(&p.replace(&token, &format!("{{{renamed}}}"))));
    (!clash).then_some(renamed)
}

/// Drops (or rejects) the second of every pair of an operation's parameters (inlined by now)
/// that give the client one argument name.
pub fn dedupe(ctx: &mut Ctx, root: &mut Value) -> Result<()> {
    let mut failure = None;
    let (file, report) = (&ctx.file, &mut ctx.report);
    for_each_operation_mut(root, |op_at, operation| {
        let has_body = operation.get("requestBody").is_some();
        let Some(Value::Array(parameters)) = operation.get_mut("parameters") else {
            return;
        };
        let mut kept: BTreeMap<String, usize> = BTreeMap::new();
        let mut dropped = Vec::new();
        for (i, parameter) in parameters.iter().enumerate() {
            let argument = progenitor_method_name(name(parameter));
            let in_path = parameter.get("in").and_then(Value::as_str) == Some("path");
            if !in_path && taken_by_builder(&argument, has_body).is_some() {
                // The client names its argument otherwise (`names::client_arguments`); the
                // model reports it.
                continue;
            }
            if let Some(taken) = taken_by_builder(&argument, has_body) {
                let at = format!("{op_at}/parameters/{i}");
                let what = format!(
                    "{} becomes the client's argument `{argument}`, {taken}",
                    describe(parameter)
                );
                if is_required(parameter) {
                    let message = format!("{what}; rename it");
                    failure.get_or_insert_with(|| Error::invalid(file, &at, message));
                    return;
                }
                report.warn("parameter-argument-taken", at, format!("{what}; dropped"));
                dropped.push(i);
                continue;
            }
            let Some(&first) = kept.get(&argument) else {
                kept.insert(argument, i);
                continue;
            };
            let (keep, drop) = if rank(&parameters[i]) < rank(&parameters[first]) {
                (i, first)
            } else {
                (first, i)
            };
            if is_required(&parameters[drop]) {
                failure.get_or_insert_with(|| {
                    Error::invalid(
                        file,
                        &format!("{op_at}/parameters/{i}"),
                        format!(
                            "{} becomes the client's argument `{argument}`, as {} does, and both are required; rename one of them",
                            describe(&parameters[i]),
                            describe(&parameters[first])
                        ),
                    )
                });
                return;
            }
            report.warn(
                "parameter-argument-taken",
                format!("{op_at}/parameters/{drop}"),
                format!(
                    "{} dropped: it becomes the client's argument `{argument}`, as {} does",
                    describe(&parameters[drop]),
                    describe(&parameters[keep])
                ),
            );
            kept.insert(argument, keep);
            dropped.push(drop);
        }
        if !dropped.is_empty() {
            let mut i = 0;
            parameters.retain(|_| {
                i += 1;
                !dropped.contains(&(i - 1))
            });
        }
    });
    failure.map_or(Ok(()), Err)
}

fn name(parameter: &Value) -> &str {
    parameter
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn is_required(parameter: &Value) -> bool {
    parameter.get("required") == Some(&Value::Bool(true))
}

/// Which of two parameters stays: the lower rank (a path parameter, then a required one).
fn rank(parameter: &Value) -> u8 {
    match (
        parameter.get("in").and_then(Value::as_str),
        is_required(parameter),
    ) {
        (Some("path"), _) => 0,
        (_, true) => 1,
        _ => 2,
    }
}

/// `query parameter `max-results``.
fn describe(parameter: &Value) -> String {
    let place = parameter
        .get("in")
        .and_then(Value::as_str)
        .unwrap_or_default();
    format!("{place} parameter `{}`", name(parameter))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ctx() -> Ctx {
        Ctx::new("spec.json")
    }

    #[test]
    fn a_taken_path_variable_is_renamed_in_its_template_and_every_operation() {
        let path_id = json!({"name": "id", "in": "path", "required": true});
        let mut root = json!({"paths": {
            "/roles/{id}": {
                "get": {"parameters": [
                    path_id,
                    {"name": "id", "in": "query", "required": true},
                    {"name": "Id-Path", "in": "header"},
                ]},
                "delete": {"parameters": [path_id]},
            },
            "/roles/{id}/members": {"get": {"parameters": [path_id]}},
            "/users/{id}": {"get": {"parameters": [path_id]}},
        }});
        let mut placements = vec![
            ("/roles/{id}".to_owned(), 1),
            ("/roles/{id}/members".to_owned(), 1),
            ("/users/{id}".to_owned(), 0),
        ];
        let mut ctx = ctx();
        rename_colliding_path_variables(&mut ctx, &mut root, &mut placements);
        // `id_path` is the header's argument, so the next candidate is taken.
        let renamed = json!({"name": "id_path_2", "in": "path", "required": true});
        assert_eq!(
            root["paths"]["/roles/{id_path_2}"]["get"]["parameters"][0],
            renamed
        );
        assert_eq!(
            root["paths"]["/roles/{id_path_2}"]["delete"]["parameters"][0],
            renamed
        );
        assert!(root["paths"].get("/roles/{id}").is_none());
        // A path that shares the variable is renamed alike, so the resources still meet there.
        assert_eq!(
            root["paths"]["/roles/{id_path_2}/members"]["get"]["parameters"][0],
            renamed
        );
        // A path whose variable meets no other argument keeps it.
        assert_eq!(
            root["paths"]["/users/{id}"]["get"]["parameters"][0],
            path_id
        );
        assert_eq!(
            placements,
            [
                ("/roles/{id_path_2}".to_owned(), 1),
                ("/roles/{id_path_2}/members".to_owned(), 1),
                ("/users/{id}".to_owned(), 0)
            ]
        );
        let warnings: Vec<_> = ctx.report.warnings().map(|e| e.pointer.as_str()).collect();
        assert_eq!(warnings, ["#/paths/~1roles~1{id}"]);
    }

    #[test]
    fn a_variable_twice_in_a_template_is_one_parameter_and_renamed_everywhere() {
        let location = json!({"name": "location", "in": "path", "required": true});
        let mut root = json!({"paths": {
            "/groups/System.{location}/fabric/{location}": {"get": {"parameters": [location]}},
            "/sites/{location}/x/{location}": {"get": {"parameters": [
                location,
                {"name": "location", "in": "query", "required": true},
            ]}},
        }});
        let mut ctx = ctx();
        rename_colliding_path_variables(&mut ctx, &mut root, &mut []);
        let paths: Vec<&String> = root["paths"].as_object().unwrap().keys().collect();
        assert_eq!(
            paths,
            [
                "/groups/System.{location}/fabric/{location}",
                "/sites/{location_path}/x/{location_path}"
            ]
        );
        assert_eq!(ctx.report.warnings().count(), 1);
    }

    #[test]
    fn no_path_variable_is_renamed_where_a_ref_may_point_into_the_paths() {
        let mut root = json!({"paths": {"/realms/{client}": {"get": {"parameters": [
            {"name": "client", "in": "path", "required": true},
        ]}}}});
        let before = root.clone();
        let mut ctx = ctx();
        ctx.refs_into_paths = true;
        rename_colliding_path_variables(&mut ctx, &mut root, &mut []);
        assert_eq!(root, before);
        let error = dedupe(&mut ctx, &mut root).unwrap_err().to_string();
        assert!(
            error.contains("#/paths/~1realms~1{client}/get/parameters/0"),
            "{error}"
        );
    }
}
