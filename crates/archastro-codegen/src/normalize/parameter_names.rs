//! Parameters of one operation that progenitor would make into one argument (`MaxResults` and
//! `max-results` are both `max_results`; `id` in the path and `id` in the query): its builder
//! would declare the field twice. The argument name follows the wire name, so one of the two
//! goes, with a warning: the path parameter stays (the URL needs it), else the required one,
//! else the first. A required parameter is never dropped: two path parameters, or two required
//! ones, reject the operation with the pointer of the second. A parameter whose argument is
//! `client` meets the builder's own field (progenitor then renames that field, out of the
//! shape the client's builders are read in), and one named like a method or field every
//! request builder has (`new`, `timeout`, `send`: [`REQUEST_BUILDER_NAMES`]) would be a
//! second one of that name, as would one named `body` beside a request body: each is dropped
//! the same way, or rejected when it is required.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Ctx, for_each_operation_mut};
use crate::names::{REQUEST_BUILDER_NAMES, progenitor_method_name};
use crate::{Error, Result};

/// The field of every progenitor builder that holds the client.
const BUILDER_CLIENT_FIELD: &str = "client";

/// The field of a progenitor builder that holds the request body, when the operation has one.
const BUILDER_BODY_FIELD: &str = "body";

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
            let taken_by_builder = if argument == BUILDER_CLIENT_FIELD {
                Some("the name of its builder's own client")
            } else if REQUEST_BUILDER_NAMES.contains(&argument.as_str()) {
                Some("a name every request builder has for itself")
            } else if has_body && argument == BUILDER_BODY_FIELD {
                Some("the name of its builder's request body")
            } else {
                None
            };
            if let Some(taken) = taken_by_builder {
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
