//! What clients receive: responses matched by status (a success status removed breaks callers;
//! other statuses come and go), then each common status's media type and body schema.

use super::operation::OperationDiff;
use super::schema::{Dir, Kind, Site, compare_schema};
use super::{Level, RustVerdict};
use crate::model::Response;

pub(super) fn compare_responses(ctx: &mut OperationDiff) {
    let (base, head) = (ctx.base.operation, ctx.head.operation);
    let method = ctx.method();
    for gone in base
        .responses
        .iter()
        .filter(|r| head.response(r.status).is_none())
    {
        let (code, at) = (gone.status, format!("response.{}", gone.status));
        if gone.is_success() {
            ctx.push(
                "response-success-status-removed",
                Level::Breaking,
                RustVerdict::Breaking,
                &at,
                format!("success status {code} removed"),
                format!("{method}: the {code} response is now an error"),
            );
        } else {
            ctx.push(
                "response-non-success-status-removed",
                Level::Info,
                RustVerdict::Compatible,
                &at,
                format!("status {code} removed"),
                format!("{method}: {code} no longer declared"),
            );
        }
    }
    for added in head
        .responses
        .iter()
        .filter(|r| base.response(r.status).is_none())
    {
        let code = added.status;
        ctx.push(
            if added.is_success() {
                "response-success-status-added"
            } else {
                "response-non-success-status-added"
            },
            Level::Info,
            RustVerdict::Compatible,
            &format!("response.{code}"),
            format!("status {code} added"),
            format!("{method}: {code} declared"),
        );
    }
    for old in &base.responses {
        if let Some(new) = head.response(old.status) {
            response_changed(ctx, &method, old, new);
        }
    }
}

/// A status on both sides: its media type, then its body schema.
fn response_changed<'a>(
    ctx: &mut OperationDiff<'_, 'a>,
    method: &str,
    old: &Response<'a>,
    new: &Response<'a>,
) {
    let (code, at) = (new.status, format!("response.{}", new.status));
    if old.media_type == new.media_type {
        if old.media_type.is_some() {
            let owner = if new.is_success() {
                format!("{method} returns")
            } else {
                format!("{method} error {code}")
            };
            let (base, head) = (ctx.base.schema(old.schema), ctx.head.schema(new.schema));
            let site = Site::top(Dir::Response, Kind::Body, format!("{at}.body"), owner);
            compare_schema(ctx, base, head, &site);
        }
        return;
    }
    if let Some(m) = old.media_type {
        ctx.push(
            "response-media-type-removed",
            Level::Breaking,
            RustVerdict::Breaking,
            &at,
            format!("{code} media type `{m}` removed"),
            format!("{method}: the response type changes"),
        );
    }
    if let Some(m) = new.media_type {
        ctx.push(
            "response-media-type-added",
            Level::Info,
            if new.is_success() {
                RustVerdict::Breaking
            } else {
                RustVerdict::Compatible
            },
            &at,
            format!("{code} media type `{m}` added"),
            format!("{method}: {code} now has a body"),
        );
    }
}
