//! What clients send: parameters matched by location and name, path parameters by their place
//! in the path (added, removed, renamed, required, default, schema), and the request body
//! (added, removed, required, media type, schema).

use std::collections::BTreeMap;

use heck::ToSnakeCase;

use super::operation::OperationDiff;
use super::schema::{Dir, Kind, Site, compare_schema};
use super::{Level, RustVerdict};
use crate::model::{Body, Location, Operation, Parameter};
use crate::normalize::template_names;

/// The operation's parameters by location (as the spec spells it) and name; a path
/// parameter by its place in the path instead (`{0}`, `{1}`): its name is not sent, and the
/// operations compared have the same route, not always the same variables' names.
fn parameters<'a>(op: &'a Operation<'a>) -> BTreeMap<(&'a str, String), &'a Parameter<'a>> {
    let variables = template_names(op.path);
    op.parameters
        .iter()
        .map(|p| {
            let place = (p.location == Location::Path)
                .then(|| variables.iter().position(|v| v == p.name))
                .flatten();
            let key = place.map_or_else(|| p.name.to_owned(), |i| format!("{{{i}}}"));
            ((p.location.as_str(), key), p)
        })
        .collect()
}

/// Where a parameter's changes are reported: `request.query.limit`.
fn parameter_path(p: &Parameter) -> String {
    format!("request.{}.{}", p.location.as_str(), p.name)
}

/// The builder method that sets a parameter: `runtime::builder::ListThreads::limit()`.
fn setter(ctx: &OperationDiff, p: &Parameter) -> String {
    format!("{}::{}()", ctx.builder(), p.name.to_snake_case())
}

pub(super) fn compare_parameters(ctx: &mut OperationDiff) {
    let before = parameters(ctx.base.operation);
    let after = parameters(ctx.head.operation);
    for (key, parameter) in &after {
        match before.get(key) {
            None => parameter_added(ctx, parameter),
            Some(old) => parameter_changed(ctx, old, parameter),
        }
    }
    for (key, parameter) in &before {
        if !after.contains_key(key) {
            let setter = setter(ctx, parameter);
            ctx.push(
                "request-parameter-removed",
                Level::Warning,
                RustVerdict::Breaking,
                &parameter_path(parameter),
                format!(
                    "{} parameter `{}` removed",
                    parameter.location.as_str(),
                    parameter.name
                ),
                format!("{setter} removed"),
            );
        }
    }
}

fn parameter_added(ctx: &mut OperationDiff, p: &Parameter) {
    let setter = setter(ctx, p);
    let (location, name) = (p.location.as_str(), p.name);
    if p.required {
        ctx.push(
            "new-required-request-parameter",
            Level::Breaking,
            RustVerdict::Breaking,
            &parameter_path(p),
            format!("new required {location} parameter `{name}`"),
            format!("{setter} must now be called"),
        );
    } else {
        ctx.push(
            "new-optional-request-parameter",
            Level::Info,
            RustVerdict::Compatible,
            &parameter_path(p),
            format!("new optional {location} parameter `{name}`"),
            format!("{setter} added"),
        );
    }
}

/// A parameter on both sides: its name (a path parameter's may change), whether it is
/// required, its default, then its schema.
fn parameter_changed<'a>(
    ctx: &mut OperationDiff<'_, 'a>,
    old: &Parameter<'a>,
    new: &Parameter<'a>,
) {
    let at = parameter_path(new);
    let setter = setter(ctx, new);
    let (location, name) = (new.location.as_str(), new.name);
    if old.name != new.name {
        ctx.push(
            "request-path-parameter-renamed",
            Level::Info,
            RustVerdict::Breaking,
            &at,
            format!(
                "path parameter `{}` renamed `{name}` (the URL is the same)",
                old.name
            ),
            format!(
                "{} renamed {setter} (a resource call takes it by position)",
                self::setter(ctx, old)
            ),
        );
    }
    if new.required && !old.required {
        ctx.push(
            "request-parameter-became-required",
            Level::Breaking,
            RustVerdict::Breaking,
            &at,
            format!("{location} parameter `{name}` became required"),
            format!("{setter} must now be called"),
        );
    } else if !new.required && old.required {
        ctx.push(
            "request-parameter-became-optional",
            Level::Info,
            RustVerdict::Compatible,
            &at,
            format!("{location} parameter `{name}` became optional"),
            format!("{setter} may be omitted"),
        );
    }
    let default = |p: &Parameter<'a>| p.schema.and_then(|s| s.get("default"));
    if let Some(old_default) = default(old).filter(|d| Some(*d) != default(new)) {
        ctx.push(
            "request-parameter-default-value-changed",
            Level::Breaking,
            RustVerdict::Compatible,
            &at,
            format!(
                "default of `{name}` changed from {old_default} to {}",
                default(new).unwrap_or(&serde_json::Value::Null)
            ),
            format!("{setter}: omitting it now means something else"),
        );
    }
    let (base, head) = (ctx.base.schema(old.schema), ctx.head.schema(new.schema));
    let site = Site::top(Dir::Request, Kind::Parameter, at, setter);
    compare_schema(ctx, base, head, &site);
}

/// The body's media type; `None` for a body without content.
fn media_type<'a>(body: &Body<'a>) -> Option<&'a str> {
    Some(body.media_type).filter(|m| !m.is_empty())
}

pub(super) fn compare_body(ctx: &mut OperationDiff) {
    let (base, head) = (ctx.base.operation, ctx.head.operation);
    let body = format!("{}::body()", ctx.builder());
    match (&base.body, &head.body) {
        (None, None) => {}
        (None, Some(added)) => {
            let (id, level, kind) = if added.required {
                ("request-body-added-required", Level::Breaking, "required")
            } else {
                ("request-body-added-optional", Level::Info, "optional")
            };
            ctx.push(
                id,
                level,
                if added.required {
                    RustVerdict::Breaking
                } else {
                    RustVerdict::Compatible
                },
                "request.body",
                format!("{kind} request body added"),
                format!("{body} added"),
            );
        }
        (Some(_), None) => ctx.push(
            "request-body-removed",
            Level::Warning,
            RustVerdict::Breaking,
            "request.body",
            "request body removed".into(),
            format!("{body} removed"),
        ),
        (Some(old), Some(new)) => body_changed(ctx, &body, old, new),
    }
}

/// A body on both sides: whether it is required, its media type, then its schema.
fn body_changed<'a>(ctx: &mut OperationDiff<'_, 'a>, body: &str, old: &Body<'a>, new: &Body<'a>) {
    if new.required && !old.required {
        ctx.push(
            "request-body-became-required",
            Level::Breaking,
            RustVerdict::Breaking,
            "request.body",
            "request body became required".into(),
            format!("{body} must now be called"),
        );
    }
    let (before, after) = (media_type(old), media_type(new));
    if before == after {
        if before.is_some() {
            let (base, head) = (ctx.base.schema(old.schema), ctx.head.schema(new.schema));
            let site = Site::top(Dir::Request, Kind::Body, "request.body".into(), body.into());
            compare_schema(ctx, base, head, &site);
        }
        return;
    }
    if let Some(m) = before {
        ctx.push(
            "request-body-media-type-removed",
            Level::Breaking,
            RustVerdict::Breaking,
            "request.body",
            format!("request media type `{m}` removed"),
            format!("{body}: the body type changes"),
        );
    }
    if let Some(m) = after {
        ctx.push(
            "request-body-media-type-added",
            Level::Info,
            RustVerdict::Compatible,
            "request.body",
            format!("request media type `{m}` added"),
            format!("{body}: accepts `{m}`"),
        );
    }
}
