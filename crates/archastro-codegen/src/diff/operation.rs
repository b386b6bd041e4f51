//! Operations matched across the two sides by route and method, across every family (a route
//! is the path without its template variables' names: `/teams/{team}` and `/teams/{id}` are
//! one URL, so renaming a variable is no new endpoint): removed, added, or compared (family, operation id, deprecation, then security, parameters, request
//! body and responses). [`OperationDiff`] records the findings of one matched operation, and of
//! the components it reaches, into the [`Collector`].

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use serde_json::Value;

use super::collect::{Collector, Finding, Scope};
use super::shape::{ANY, Side};
use super::{Change, Level, OperationRef, RustVerdict, request, response, security};
use crate::model::{Api, Family, Method, Operation, Resources};
use crate::normalize::route_shape;

/// An operation of one side with the family it belongs to (whose document its schemas resolve
/// against).
#[derive(Debug, Clone, Copy)]
pub(super) struct Endpoint<'a> {
    pub family: &'a Family<'a>,
    pub operation: &'a Operation<'a>,
    /// Its family's resource tree and its index in the family (for its client call).
    resources: &'a Resources,
    index: usize,
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

    /// The generated client call, through its resources: `runtime().user(user_id).threads().list()`.
    fn client_method(self) -> String {
        let call = self.resources.call(self.index).unwrap_or_default();
        format!("{}().{call}", self.family.name)
    }

    /// The operation as changes list it.
    fn reference(self) -> OperationRef {
        OperationRef {
            family: self.family.name.to_owned(),
            operation: self.label(),
            operation_id: self.operation.id.to_owned(),
        }
    }
}

/// Every operation of `api` by route ([`route_shape`]) and method (a route in two families: the
/// later one); `trees` are its families' resources, in order.
fn endpoints<'a>(
    api: &'a Api<'a>,
    trees: &'a [Resources],
) -> BTreeMap<(String, Method), Endpoint<'a>> {
    api.families
        .iter()
        .zip(trees)
        .flat_map(|(family, resources)| {
            family
                .operations
                .iter()
                .enumerate()
                .map(move |(index, operation)| {
                    let endpoint = Endpoint {
                        family,
                        operation,
                        resources,
                        index,
                    };
                    ((route_shape(operation.path), operation.method), endpoint)
                })
        })
        .collect()
}

/// Every change from `base` to `head`.
pub(super) fn compare_apis(base: &Api, head: &Api) -> Vec<Change> {
    let trees = |api: &Api| -> Vec<Resources> { api.families.iter().map(Resources::new).collect() };
    let (base_trees, head_trees) = (trees(base), trees(head));
    let before = endpoints(base, &base_trees);
    let after = endpoints(head, &head_trees);
    let head_routes: BTreeSet<&str> = after.keys().map(|(route, _)| route.as_str()).collect();
    let mut collector = Collector::default();
    for (key, endpoint) in &before {
        if !after.contains_key(key) {
            let scope = collector.operation(endpoint.reference());
            let whole_path = !head_routes.contains(key.0.as_str());
            collector.record(scope, removed(*endpoint, whole_path));
        }
    }
    for (key, endpoint) in &after {
        let scope = collector.operation(endpoint.reference());
        match before.get(key) {
            None => collector.record(
                scope,
                finding(
                    "endpoint-added",
                    Level::Info,
                    RustVerdict::Compatible,
                    "",
                    "operation added".into(),
                    format!("{} added", endpoint.client_method()),
                ),
            ),
            Some(old) => compare_operation(&mut collector, scope, *old, *endpoint),
        }
    }
    collector.into_changes()
}

/// A finding at `path`.
pub(super) fn finding(
    id: impl Into<String>,
    level: Level,
    verdict: RustVerdict,
    path: &str,
    text: String,
    rust: String,
) -> Finding {
    Finding {
        id: id.into(),
        level,
        verdict,
        path: path.to_owned(),
        text,
        rust,
    }
}

/// An operation gone from the head side; `whole_path` when no method of its path is left.
fn removed(endpoint: Endpoint, whole_path: bool) -> Finding {
    let deprecated = endpoint.operation.deprecated;
    let (id, level) = match (whole_path, deprecated) {
        (_, true) => ("api-removed-with-deprecation", Level::Info),
        (true, false) => ("api-path-removed-without-deprecation", Level::Breaking),
        (false, false) => ("api-removed-without-deprecation", Level::Breaking),
    };
    let note = if deprecated {
        " (it was deprecated)"
    } else {
        ""
    };
    finding(
        id,
        level,
        RustVerdict::Breaking,
        "",
        format!("operation removed{note}"),
        format!("{} removed", endpoint.client_method()),
    )
}

/// The comparison of one operation present on both sides: where its findings go.
pub(super) struct OperationDiff<'c, 'a> {
    pub base: Endpoint<'a>,
    pub head: Endpoint<'a>,
    collector: &'c mut Collector,
    /// The scope findings are recorded in: the operation, or the component being compared.
    pub scope: Scope,
    /// Pairs of differently named components being compared (by name), against recursion.
    pub visiting: BTreeSet<(String, String)>,
}

impl OperationDiff<'_, '_> {
    /// Records a finding at `path` within the current scope.
    pub fn push(
        &mut self,
        id: impl Into<String>,
        level: Level,
        verdict: RustVerdict,
        path: &str,
        text: String,
        rust: String,
    ) {
        let finding = finding(id, level, verdict, path, text, rust);
        self.collector.record(self.scope, finding);
    }

    /// Records that the current scope reaches the component `key`; its scope, and whether it
    /// is compared for the first time.
    pub fn reach(&mut self, key: super::collect::SchemaKey) -> (Scope, bool) {
        self.collector.reach(self.scope, key)
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

fn compare_operation<'a>(
    collector: &mut Collector,
    scope: Scope,
    base: Endpoint<'a>,
    head: Endpoint<'a>,
) {
    let mut ctx = OperationDiff {
        base,
        head,
        collector,
        scope,
        visiting: BTreeSet::new(),
    };
    compare_identity(&mut ctx);
    security::compare_security(&mut ctx);
    request::compare_parameters(&mut ctx);
    request::compare_body(&mut ctx);
    response::compare_responses(&mut ctx);
}

/// The family, the operation id and deprecation.
fn compare_identity(ctx: &mut OperationDiff) {
    let (b, h) = (ctx.base, ctx.head);
    let (before, after) = (b.operation, h.operation);
    if b.family.name != h.family.name {
        ctx.push(
            "api-scope-family-changed",
            Level::Breaking,
            RustVerdict::Breaking,
            "",
            format!(
                "moved from the `{}` family to `{}`",
                b.family.name, h.family.name
            ),
            format!("{} moved to {}", b.client_method(), h.client_method()),
        );
    }
    if before.id != after.id {
        ctx.push(
            "api-operation-id-changed",
            Level::Warning,
            RustVerdict::Breaking,
            "",
            format!("operation id `{}` became `{}`", before.id, after.id),
            format!(
                "{}::builder::{} renamed {}",
                h.family.name,
                before.id.to_upper_camel_case(),
                after.id.to_upper_camel_case()
            ),
        );
    }
    if !before.deprecated && after.deprecated {
        ctx.push(
            "api-deprecated",
            Level::Info,
            RustVerdict::Compatible,
            "",
            "operation deprecated".into(),
            format!("{} deprecated", ctx.method()),
        );
    }
}
