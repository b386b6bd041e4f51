//! Operations matched across the two sides by path and method, across every family: removed,
//! added, or compared (family, operation id, deprecation, then security, parameters, request
//! body and responses). [`OperationDiff`] collects the changes of one matched operation.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use serde_json::Value;

use super::shape::{ANY, Side};
use super::{Change, Level, request, response, security};
use crate::model::{Api, Family, Method, Operation};

/// An operation of one side with the family it belongs to (whose document its schemas resolve
/// against).
#[derive(Debug, Clone, Copy)]
pub(super) struct Endpoint<'a> {
    pub family: &'a Family<'a>,
    pub operation: &'a Operation<'a>,
}

impl<'a> Endpoint<'a> {
    /// A schema of the operation in its family's document; `None` (none declared) is any value.
    pub fn schema(self, schema: Option<&'a Value>) -> Side<'a> {
        Side {
            doc: self.family.doc,
            schema: schema.unwrap_or(&ANY),
        }
    }

    /// `GET /api/v1/threads`.
    fn label(self) -> String {
        format!("{} {}", self.operation.method, self.operation.path)
    }

    /// The generated client method: `runtime::Client::list_threads`.
    fn client_method(self) -> String {
        format!("{}::Client::{}", self.family.name, self.operation.id)
    }

    /// A change that concerns the whole operation.
    fn change(
        self,
        id: impl Into<String>,
        level: Level,
        text: String,
        rust: String,
        rust_breaking: bool,
    ) -> Change {
        Change {
            id: id.into(),
            level,
            family: self.family.name.to_owned(),
            operation: self.label(),
            operation_id: self.operation.id.to_owned(),
            path: String::new(),
            text,
            rust,
            rust_breaking,
            fingerprint: String::new(),
        }
    }
}

/// Every operation of `api` by path and method (a path in two families: the later one).
fn endpoints<'a>(api: &'a Api<'a>) -> BTreeMap<(&'a str, Method), Endpoint<'a>> {
    api.operations()
        .map(|(family, operation)| {
            (
                (operation.path, operation.method),
                Endpoint { family, operation },
            )
        })
        .collect()
}

/// Every change from `base` to `head`.
pub(super) fn compare_apis(base: &Api, head: &Api) -> Vec<Change> {
    let before = endpoints(base);
    let after = endpoints(head);
    let head_paths: BTreeSet<&str> = after.keys().map(|(path, _)| *path).collect();
    let mut out = Vec::new();
    for (key, endpoint) in &before {
        if !after.contains_key(key) {
            out.push(removed(*endpoint, !head_paths.contains(key.0)));
        }
    }
    for (key, endpoint) in &after {
        match before.get(key) {
            None => out.push(endpoint.change(
                "endpoint-added",
                Level::Info,
                "operation added".into(),
                format!("{} added", endpoint.client_method()),
                false,
            )),
            Some(old) => out.extend(compare_operation(*old, *endpoint)),
        }
    }
    out
}

/// An operation gone from the head side; `whole_path` when no method of its path is left.
fn removed(endpoint: Endpoint, whole_path: bool) -> Change {
    let deprecated = endpoint.operation.deprecated;
    let (id, level) = match (whole_path, deprecated) {
        (_, true) => ("api-removed-with-deprecation", Level::Info),
        (true, false) => ("api-path-removed-without-deprecation", Level::Breaking),
        (false, false) => ("api-removed-without-deprecation", Level::Breaking),
    };
    endpoint.change(
        id,
        level,
        format!(
            "operation removed{}",
            if deprecated {
                " (it was deprecated)"
            } else {
                ""
            }
        ),
        format!("{} removed", endpoint.client_method()),
        true,
    )
}

/// The comparison of one operation present on both sides, and the changes found so far.
pub(super) struct OperationDiff<'a> {
    pub base: Endpoint<'a>,
    pub head: Endpoint<'a>,
    changes: Vec<Change>,
    /// Pairs of components being compared (by name), against recursion.
    pub visiting: BTreeSet<(String, String)>,
}

impl OperationDiff<'_> {
    /// Records a change at `path` within the operation (named after its head side).
    pub fn push(
        &mut self,
        id: impl Into<String>,
        level: Level,
        path: &str,
        text: String,
        rust: String,
        rust_breaking: bool,
    ) {
        self.changes.push(Change {
            path: path.to_owned(),
            ..self.head.change(id, level, text, rust, rust_breaking)
        });
    }

    /// The head side's generated client method.
    pub fn method(&self) -> String {
        self.head.client_method()
    }

    /// The head side's generated request builder: `runtime::builder::ListThreads`.
    pub fn builder(&self) -> String {
        format!(
            "{}::builder::{}",
            self.head.family.name,
            self.head.operation.id.to_upper_camel_case()
        )
    }
}

fn compare_operation<'a>(base: Endpoint<'a>, head: Endpoint<'a>) -> Vec<Change> {
    let mut ctx = OperationDiff {
        base,
        head,
        changes: Vec::new(),
        visiting: BTreeSet::new(),
    };
    compare_identity(&mut ctx);
    security::compare_security(&mut ctx);
    request::compare_parameters(&mut ctx);
    request::compare_body(&mut ctx);
    response::compare_responses(&mut ctx);
    ctx.changes
}

/// The family, the operation id and deprecation.
fn compare_identity(ctx: &mut OperationDiff) {
    let (b, h) = (ctx.base, ctx.head);
    let (before, after) = (b.operation, h.operation);
    if b.family.name != h.family.name {
        ctx.push(
            "api-scope-family-changed",
            Level::Breaking,
            "",
            format!(
                "moved from the `{}` family to `{}`",
                b.family.name, h.family.name
            ),
            format!("{} moved to {}", b.client_method(), h.client_method()),
            true,
        );
    }
    if before.id != after.id {
        ctx.push(
            "api-operation-id-changed",
            Level::Warning,
            "",
            format!("operation id `{}` became `{}`", before.id, after.id),
            format!(
                "{}::Client::{} renamed {}",
                h.family.name, before.id, after.id
            ),
            true,
        );
    }
    if !before.deprecated && after.deprecated {
        ctx.push(
            "api-deprecated",
            Level::Info,
            "",
            "operation deprecated".into(),
            format!("{} deprecated", ctx.method()),
            false,
        );
    }
}
