//! The comparison itself: operations matched by method and path across every family,
//! parameters by location and name, responses by status, schemas structurally after `$ref`s
//! are followed (so a `$ref` of the same shape as an inline schema is no change).

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use serde_json::Value;

use super::{Change, Level};
use crate::names::type_name;
use crate::normalize::{METHODS, Normalized};
use crate::pointer;

/// One operation of one side.
struct Op<'a> {
    family: &'a str,
    doc: &'a Value,
    op: &'a Value,
    id: String,
}

fn operations(n: &Normalized) -> BTreeMap<(String, &'static str), Op<'_>> {
    let mut out = BTreeMap::new();
    for (family, doc) in &n.families {
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for method in METHODS {
                if let Some(op) = item.get(*method) {
                    let id = op["operationId"].as_str().unwrap_or_default().to_owned();
                    out.insert(
                        (path.clone(), *method),
                        Op {
                            family,
                            doc,
                            op,
                            id,
                        },
                    );
                }
            }
        }
    }
    out
}

/// Which way data flows: what clients send may only get looser, what they receive tighter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    Request,
    Response,
}

/// What a schema belongs to, for rule ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Parameter,
    Body,
    Property,
}

struct Ctx<'a> {
    base: &'a Op<'a>,
    head: &'a Op<'a>,
    operation: String,
    out: Vec<Change>,
    /// Pairs of schemas being compared (by their `$ref`), against recursion.
    visiting: BTreeSet<(String, String)>,
}

impl Ctx<'_> {
    fn push(
        &mut self,
        id: impl Into<String>,
        level: Level,
        path: &str,
        text: String,
        rust: String,
        rust_breaking: bool,
    ) {
        self.out.push(Change {
            id: id.into(),
            level,
            family: self.head.family.to_owned(),
            operation: self.operation.clone(),
            operation_id: self.head.id.clone(),
            path: path.to_owned(),
            text,
            rust,
            rust_breaking,
            fingerprint: String::new(),
        });
    }

    fn method(&self) -> String {
        format!("{}::Client::{}", self.head.family, self.head.id)
    }

    fn builder(&self) -> String {
        format!(
            "{}::builder::{}",
            self.head.family,
            self.head.id.to_upper_camel_case()
        )
    }
}

/// Every change from `base` to `head`.
pub fn compare(base: &Normalized, head: &Normalized) -> Vec<Change> {
    let b = operations(base);
    let h = operations(head);
    let mut out = Vec::new();
    let head_paths: BTreeSet<&str> = h.keys().map(|(p, _)| p.as_str()).collect();
    let mut removed_paths = BTreeSet::new();
    for ((path, method), op) in &b {
        if h.contains_key(&(path.clone(), *method)) {
            continue;
        }
        let deprecated = op.op["deprecated"] == Value::Bool(true);
        let operation = format!("{} {path}", method.to_uppercase());
        let whole_path = !head_paths.contains(path.as_str());
        let (id, level) = match (whole_path, deprecated) {
            (_, true) => ("api-removed-with-deprecation", Level::Info),
            (true, false) => ("api-path-removed-without-deprecation", Level::Breaking),
            (false, false) => ("api-removed-without-deprecation", Level::Breaking),
        };
        if whole_path {
            removed_paths.insert(path.clone());
        }
        out.push(Change {
            id: id.into(),
            level,
            family: op.family.to_owned(),
            operation,
            operation_id: op.id.clone(),
            path: String::new(),
            text: format!(
                "operation removed{}",
                if deprecated {
                    " (it was deprecated)"
                } else {
                    ""
                }
            ),
            rust: format!("{}::Client::{} removed", op.family, op.id),
            rust_breaking: true,
            fingerprint: String::new(),
        });
    }
    for ((path, method), op) in &h {
        let operation = format!("{} {path}", method.to_uppercase());
        match b.get(&(path.clone(), *method)) {
            None => out.push(Change {
                id: "endpoint-added".into(),
                level: Level::Info,
                family: op.family.to_owned(),
                operation,
                operation_id: op.id.clone(),
                path: String::new(),
                text: "operation added".into(),
                rust: format!("{}::Client::{} added", op.family, op.id),
                rust_breaking: false,
                fingerprint: String::new(),
            }),
            Some(base_op) => {
                let mut ctx = Ctx {
                    base: base_op,
                    head: op,
                    operation,
                    out: Vec::new(),
                    visiting: BTreeSet::new(),
                };
                compare_operation(&mut ctx);
                out.extend(ctx.out);
            }
        }
    }
    out
}

fn compare_operation(ctx: &mut Ctx) {
    let (b, h) = (ctx.base, ctx.head);
    if b.family != h.family {
        ctx.push(
            "api-scope-family-changed",
            Level::Breaking,
            "",
            format!("moved from the `{}` family to `{}`", b.family, h.family),
            format!(
                "{}::Client::{} moved to {}::Client::{}",
                b.family, b.id, h.family, h.id
            ),
            true,
        );
    }
    if b.id != h.id {
        ctx.push(
            "api-operation-id-changed",
            Level::Warning,
            "",
            format!("operation id `{}` became `{}`", b.id, h.id),
            format!("{}::Client::{} renamed {}", h.family, b.id, h.id),
            true,
        );
    }
    if b.op["deprecated"] != Value::Bool(true) && h.op["deprecated"] == Value::Bool(true) {
        ctx.push(
            "api-deprecated",
            Level::Info,
            "",
            "operation deprecated".into(),
            format!("{} deprecated", ctx.method()),
            false,
        );
    }
    compare_security(ctx);
    compare_parameters(ctx);
    compare_request_body(ctx);
    compare_responses(ctx);
}

/// Each alternative: its schemes, and per scheme the scopes it requires.
type Alternative = BTreeMap<String, BTreeSet<String>>;

fn security_alternatives(op: &Op) -> Vec<Alternative> {
    let security = op.op.get("security").or_else(|| op.doc.get("security"));
    let mut out: Vec<Alternative> = security
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|req| {
            req.as_object()
                .into_iter()
                .flatten()
                .map(|(scheme, scopes)| {
                    let scopes = scopes
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect();
                    (scheme.clone(), scopes)
                })
                .collect()
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn compare_security(ctx: &mut Ctx) {
    let b = security_alternatives(ctx.base);
    let h = security_alternatives(ctx.head);
    let schemes = |alt: &Alternative| alt.keys().cloned().collect::<Vec<_>>();
    let render = |alt: &Alternative| {
        if alt.is_empty() {
            "none".to_owned()
        } else {
            schemes(alt).join(" + ")
        }
    };
    let method = ctx.method();
    // Alternatives with the same schemes on both sides: only their scopes can differ.
    for alt in &h {
        let Some(old) = b.iter().find(|o| schemes(o) == schemes(alt)) else {
            continue;
        };
        for (scheme, scopes) in alt {
            let before = &old[scheme];
            for scope in scopes.difference(before) {
                ctx.push(
                    "api-security-scope-added",
                    Level::Breaking,
                    "security",
                    format!("`{scheme}` now requires scope `{scope}`"),
                    format!("{method}: tokens without `{scope}` now fail"),
                    false,
                );
            }
            for scope in before.difference(scopes) {
                ctx.push(
                    "api-security-scope-removed",
                    Level::Info,
                    "security",
                    format!("`{scheme}` no longer requires scope `{scope}`"),
                    format!("{method}: accepts tokens without `{scope}`"),
                    false,
                );
            }
        }
    }
    for alt in b
        .iter()
        .filter(|o| !h.iter().any(|n| schemes(n) == schemes(o)))
    {
        ctx.push(
            "api-security-removed",
            Level::Breaking,
            "security",
            format!("security alternative `{}` removed", render(alt)),
            format!(
                "{method}: callers authenticating with {} now fail",
                render(alt)
            ),
            false,
        );
    }
    for alt in h
        .iter()
        .filter(|n| !b.iter().any(|o| schemes(o) == schemes(n)))
    {
        let (level, rust) = if b.is_empty() {
            (
                Level::Breaking,
                format!("{method}: now requires {}", render(alt)),
            )
        } else {
            (
                Level::Info,
                format!("{method}: also accepts {}", render(alt)),
            )
        };
        ctx.push(
            "api-security-added",
            level,
            "security",
            format!("security alternative `{}` added", render(alt)),
            rust,
            false,
        );
    }
}

fn parameters(op: &Value) -> BTreeMap<(String, String), &Value> {
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                (
                    p["in"].as_str().unwrap_or_default().to_owned(),
                    p["name"].as_str().unwrap_or_default().to_owned(),
                ),
                p,
            )
        })
        .collect()
}

fn compare_parameters(ctx: &mut Ctx) {
    let b = parameters(ctx.base.op);
    let h = parameters(ctx.head.op);
    for ((location, name), p) in &h {
        let at = format!("request.{location}.{name}");
        let setter = format!(
            "{}::{}()",
            ctx.builder(),
            heck::ToSnakeCase::to_snake_case(name.as_str())
        );
        let required = p["required"] == Value::Bool(true);
        match b.get(&(location.clone(), name.clone())) {
            None if required => ctx.push(
                "new-required-request-parameter",
                Level::Breaking,
                &at,
                format!("new required {location} parameter `{name}`"),
                format!("{setter} must now be called"),
                true,
            ),
            None => ctx.push(
                "new-optional-request-parameter",
                Level::Info,
                &at,
                format!("new optional {location} parameter `{name}`"),
                format!("{setter} added"),
                false,
            ),
            Some(old) => {
                let was_required = old["required"] == Value::Bool(true);
                if required && !was_required {
                    ctx.push(
                        "request-parameter-became-required",
                        Level::Breaking,
                        &at,
                        format!("{location} parameter `{name}` became required"),
                        format!("{setter} must now be called"),
                        true,
                    );
                } else if !required && was_required {
                    ctx.push(
                        "request-parameter-became-optional",
                        Level::Info,
                        &at,
                        format!("{location} parameter `{name}` became optional"),
                        format!("{setter} may be omitted"),
                        false,
                    );
                }
                if old["schema"].get("default") != p["schema"].get("default")
                    && old["schema"].get("default").is_some()
                {
                    ctx.push(
                        "request-parameter-default-value-changed",
                        Level::Breaking,
                        &at,
                        format!(
                            "default of `{name}` changed from {} to {}",
                            old["schema"]["default"], p["schema"]["default"]
                        ),
                        format!("{setter}: omitting it now means something else"),
                        false,
                    );
                }
                let (bd, hd) = (ctx.base.doc, ctx.head.doc);
                compare_schema(
                    ctx,
                    Dir::Request,
                    Kind::Parameter,
                    bd,
                    &old["schema"],
                    hd,
                    &p["schema"],
                    &at,
                    &setter,
                    true,
                );
            }
        }
    }
    for (location, name) in b.keys() {
        if !h.contains_key(&(location.clone(), name.clone())) {
            let setter = format!(
                "{}::{}()",
                ctx.builder(),
                heck::ToSnakeCase::to_snake_case(name.as_str())
            );
            ctx.push(
                "request-parameter-removed",
                Level::Warning,
                &format!("request.{location}.{name}"),
                format!("{location} parameter `{name}` removed"),
                format!("{setter} removed"),
                true,
            );
        }
    }
}

fn compare_request_body(ctx: &mut Ctx) {
    let b = ctx.base.op.get("requestBody");
    let h = ctx.head.op.get("requestBody");
    let body = format!("{}::body()", ctx.builder());
    match (b, h) {
        (None, None) => {}
        (None, Some(h)) => {
            let required = h["required"] == Value::Bool(true);
            ctx.push(
                if required {
                    "request-body-added-required"
                } else {
                    "request-body-added-optional"
                },
                if required {
                    Level::Breaking
                } else {
                    Level::Info
                },
                "request.body",
                format!(
                    "{} request body added",
                    if required { "required" } else { "optional" }
                ),
                format!("{body} added"),
                required,
            );
        }
        (Some(_), None) => ctx.push(
            "request-body-removed",
            Level::Warning,
            "request.body",
            "request body removed".into(),
            format!("{body} removed"),
            true,
        ),
        (Some(b), Some(h)) => {
            if h["required"] == Value::Bool(true) && b["required"] != Value::Bool(true) {
                ctx.push(
                    "request-body-became-required",
                    Level::Breaking,
                    "request.body",
                    "request body became required".into(),
                    format!("{body} must now be called"),
                    true,
                );
            }
            let bm: BTreeSet<&String> = b["content"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.keys())
                .collect();
            let hm: BTreeSet<&String> = h["content"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.keys())
                .collect();
            for m in bm.difference(&hm) {
                ctx.push(
                    "request-body-media-type-removed",
                    Level::Breaking,
                    "request.body",
                    format!("request media type `{m}` removed"),
                    format!("{body}: the body type changes"),
                    true,
                );
            }
            for m in hm.difference(&bm) {
                ctx.push(
                    "request-body-media-type-added",
                    Level::Info,
                    "request.body",
                    format!("request media type `{m}` added"),
                    format!("{body}: accepts `{m}`"),
                    false,
                );
            }
            for m in bm.intersection(&hm) {
                let (bd, hd) = (ctx.base.doc, ctx.head.doc);
                let bs = &b["content"][m.as_str()]["schema"];
                let hs = &h["content"][m.as_str()]["schema"];
                compare_schema(
                    ctx,
                    Dir::Request,
                    Kind::Body,
                    bd,
                    bs,
                    hd,
                    hs,
                    "request.body",
                    &body,
                    true,
                );
            }
        }
    }
}

fn compare_responses(ctx: &mut Ctx) {
    let empty = serde_json::Map::new();
    let b = ctx.base.op["responses"].as_object().unwrap_or(&empty);
    let h = ctx.head.op["responses"].as_object().unwrap_or(&empty);
    let method = ctx.method();
    for code in b.keys().filter(|c| !h.contains_key(*c)) {
        if code.starts_with('2') {
            ctx.push(
                "response-success-status-removed",
                Level::Breaking,
                &format!("response.{code}"),
                format!("success status {code} removed"),
                format!("{method}: the {code} response is now an error"),
                true,
            );
        } else {
            ctx.push(
                "response-non-success-status-removed",
                Level::Info,
                &format!("response.{code}"),
                format!("status {code} removed"),
                format!("{method}: {code} no longer declared"),
                false,
            );
        }
    }
    for code in h.keys().filter(|c| !b.contains_key(*c)) {
        let success = code.starts_with('2');
        ctx.push(
            if success {
                "response-success-status-added"
            } else {
                "response-non-success-status-added"
            },
            Level::Info,
            &format!("response.{code}"),
            format!("status {code} added"),
            format!("{method}: {code} declared"),
            false,
        );
    }
    for code in b.keys().filter(|c| h.contains_key(*c)) {
        let at = format!("response.{code}");
        let bm: BTreeSet<&String> = b[code]["content"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
            .collect();
        let hm: BTreeSet<&String> = h[code]["content"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
            .collect();
        for m in bm.difference(&hm) {
            ctx.push(
                "response-media-type-removed",
                Level::Breaking,
                &at,
                format!("{code} media type `{m}` removed"),
                format!("{method}: the response type changes"),
                true,
            );
        }
        for m in hm.difference(&bm) {
            ctx.push(
                "response-media-type-added",
                Level::Info,
                &at,
                format!("{code} media type `{m}` added"),
                format!("{method}: {code} now has a body"),
                code.starts_with('2'),
            );
        }
        for m in bm.intersection(&hm) {
            let (bd, hd) = (ctx.base.doc, ctx.head.doc);
            let bs = b[code]["content"][m.as_str()]["schema"].clone();
            let hs = h[code]["content"][m.as_str()]["schema"].clone();
            let owner = if code.starts_with('2') {
                format!("{method} returns")
            } else {
                format!("{method} error {code}")
            };
            compare_schema(
                ctx,
                Dir::Response,
                Kind::Body,
                bd,
                &bs,
                hd,
                &hs,
                &format!("{at}.body"),
                &owner,
                true,
            );
        }
    }
}

/// The schema a `$ref` names, with the component name (for Rust type names). A 3.0 wrapper
/// `{allOf: [X], nullable: true}` (how a nullable `$ref` is written) is looked through too.
fn resolve<'a>(doc: &'a Value, mut s: &'a Value) -> (&'a Value, Option<String>) {
    let mut name = None;
    for _ in 0..16 {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            name = r
                .strip_prefix("#/components/schemas/")
                .map(pointer::unescape);
            match pointer::resolve(doc, r) {
                Some(next) => s = next,
                None => break,
            }
        } else if let Some(inner) = single_all_of(s) {
            s = inner;
        } else {
            break;
        }
    }
    (s, name)
}

/// `X` of a schema that only wraps one `allOf` member (plus annotations and `nullable`).
fn single_all_of(s: &Value) -> Option<&Value> {
    let m = s.as_object()?;
    let all = m.get("allOf")?.as_array()?;
    let only_wrapper = m.keys().all(|k| {
        matches!(
            k.as_str(),
            "allOf" | "nullable" | "description" | "title" | "example" | "deprecated"
        )
    });
    (all.len() == 1 && only_wrapper).then(|| &all[0])
}

/// Whether a schema (or the wrapper around its `$ref`) is nullable.
fn is_nullable(s: &Value) -> bool {
    s.get("nullable") == Some(&Value::Bool(true))
}

/// A schema with `allOf` merged: properties and required lists of every part.
struct Flat<'a> {
    schema: &'a Value,
    name: Option<String>,
    properties: BTreeMap<String, (&'a Value, Option<String>)>,
    required: BTreeSet<String>,
}

fn flatten<'a>(doc: &'a Value, s: &'a Value) -> Flat<'a> {
    let (schema, name) = resolve(doc, s);
    let mut flat = Flat {
        schema,
        name,
        properties: BTreeMap::new(),
        required: BTreeSet::new(),
    };
    collect_object(doc, schema, &mut flat, 0);
    flat
}

fn collect_object<'a>(doc: &'a Value, schema: &'a Value, flat: &mut Flat<'a>, depth: usize) {
    if depth > 8 {
        return;
    }
    for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
        flat.properties.insert(name.clone(), (prop, None));
    }
    for r in schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        flat.required.insert(r.to_owned());
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        let (resolved, _) = resolve(doc, part);
        collect_object(doc, resolved, flat, depth + 1);
    }
}

fn type_of(s: &Value) -> Option<String> {
    let t = s.get("type").and_then(Value::as_str)?;
    Some(match s.get("format").and_then(Value::as_str) {
        Some(f)
            if matches!(t, "integer" | "number" | "string")
                && !matches!(f, "email" | "uri" | "url" | "hostname" | "password") =>
        {
            format!("{t}({f})")
        }
        _ => t.to_owned(),
    })
}

/// How the generated Rust names the type of a schema (approximately: typify's mapping).
fn rust_type(doc: &Value, s: &Value, required: bool) -> String {
    let (schema, name) = resolve(doc, s);
    let inner = match (&name, schema.get("type").and_then(Value::as_str)) {
        (Some(n), _) => format!("types::{}", type_name(n)),
        (None, Some("string")) => "String".into(),
        (None, Some("integer")) => "i64".into(),
        (None, Some("number")) => "f64".into(),
        (None, Some("boolean")) => "bool".into(),
        (None, Some("array")) => format!("Vec<{}>", rust_type(doc, &schema["items"], true)),
        (None, Some("object")) => "serde_json::Map<String, Value>".into(),
        _ => "serde_json::Value".into(),
    };
    let nullable = is_nullable(s) || is_nullable(schema);
    if required && !nullable {
        inner
    } else {
        format!("Option<{inner}>")
    }
}

fn enum_values(s: &Value) -> BTreeSet<String> {
    s["enum"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| !v.is_null())
        .map(Value::to_string)
        .collect()
}

/// The alternatives of a `oneOf`/`anyOf`: `(component name if a $ref, resolved shape)`.
fn variants<'a>(doc: &'a Value, s: &'a Value) -> Vec<(Option<String>, String, &'a Value)> {
    let mut out = Vec::new();
    for key in ["oneOf", "anyOf"] {
        for v in s[key].as_array().into_iter().flatten() {
            let (resolved, name) = resolve(doc, v);
            out.push((name, canonical(doc, resolved, 0), v));
        }
    }
    out
}

/// A schema's shape without annotations, `$ref`s resolved, `enum` and `required` sorted: equal
/// shapes mean the same schema however it is written.
fn canonical(doc: &Value, v: &Value, depth: usize) -> String {
    fn norm(doc: &Value, v: &Value, depth: usize, names: bool) -> Value {
        if depth > 12 {
            return Value::Null;
        }
        match v {
            Value::Object(m) if !names => {
                if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                    return match pointer::resolve(doc, r) {
                        Some(target) => norm(doc, target, depth + 1, false),
                        None => Value::String(r.to_owned()),
                    };
                }
                let mut out = serde_json::Map::new();
                for (k, child) in m {
                    if matches!(
                        k.as_str(),
                        "description" | "title" | "example" | "examples" | "externalDocs"
                    ) || k.starts_with("x-")
                    {
                        continue;
                    }
                    let value = match (k.as_str(), child) {
                        ("enum" | "required", Value::Array(items)) => {
                            let mut sorted: Vec<String> =
                                items.iter().map(Value::to_string).collect();
                            sorted.sort();
                            Value::Array(sorted.into_iter().map(Value::String).collect())
                        }
                        ("properties", _) => norm(doc, child, depth + 1, true),
                        _ => norm(doc, child, depth + 1, false),
                    };
                    out.insert(k.clone(), value);
                }
                Value::Object(out)
            }
            // A map of property names: keep every key, normalize every schema.
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, c)| (k.clone(), norm(doc, c, depth + 1, false)))
                    .collect(),
            ),
            Value::Array(a) => {
                Value::Array(a.iter().map(|c| norm(doc, c, depth + 1, false)).collect())
            }
            other => other.clone(),
        }
    }
    norm(doc, v, depth, false).to_string()
}

fn rule(dir: Dir, kind: Kind, what: &str) -> String {
    let d = match dir {
        Dir::Request => "request",
        Dir::Response => "response",
    };
    let k = match kind {
        Kind::Parameter => "parameter",
        Kind::Body => "body",
        Kind::Property => "property",
    };
    format!("{d}-{k}-{what}")
}

/// Compares two schemas at `at`; `owner` names the Rust item (`types::Thread::title`,
/// `runtime::builder::ListThreads::limit()`); `required` is whether the value must be present.
#[allow(clippy::too_many_arguments)]
fn compare_schema(
    ctx: &mut Ctx,
    dir: Dir,
    kind: Kind,
    bd: &Value,
    bs: &Value,
    hd: &Value,
    hs: &Value,
    at: &str,
    owner: &str,
    required: bool,
) {
    let b = flatten(bd, bs);
    let h = flatten(hd, hs);
    let key = (
        b.name.clone().unwrap_or_else(|| at.to_owned()),
        h.name.clone().unwrap_or_else(|| at.to_owned()),
    );
    if b.name.is_some() && !ctx.visiting.insert(key.clone()) {
        return;
    }
    let (bsch, hsch) = (b.schema, h.schema);
    let old_rust = rust_type(bd, bs, required);
    let new_rust = rust_type(hd, hs, required);

    // Type.
    let (bt, ht) = (type_of(bsch), type_of(hsch));
    if bt.is_some() && ht.is_some() && bt != ht {
        ctx.push(
            rule(dir, kind, "type-changed"),
            Level::Breaking,
            at,
            format!(
                "type changed from {} to {}",
                bt.unwrap_or_default(),
                ht.unwrap_or_default()
            ),
            format!("{owner}: {old_rust} → {new_rust}"),
            true,
        );
        ctx.visiting.remove(&key);
        return;
    }
    // Nullability.
    let (bn, hn) = (
        is_nullable(bs) || is_nullable(bsch),
        is_nullable(hs) || is_nullable(hsch),
    );
    if bn != hn {
        let (what, level, breaks_rust) = match (dir, hn) {
            (Dir::Request, false) => ("became-not-nullable", Level::Breaking, true),
            (Dir::Request, true) => ("became-nullable", Level::Info, true),
            (Dir::Response, true) => ("became-nullable", Level::Breaking, true),
            (Dir::Response, false) => ("became-not-nullable", Level::Info, true),
        };
        ctx.push(
            rule(dir, kind, what),
            level,
            at,
            format!("{} nullable", if hn { "became" } else { "is no longer" }),
            format!("{owner}: {old_rust} → {new_rust}"),
            // An optional field is an `Option` either way.
            breaks_rust && old_rust != new_rust,
        );
    }
    // Enums (as sets: reordering is no change).
    let (be, he) = (enum_values(bsch), enum_values(hsch));
    if !be.is_empty() || !he.is_empty() {
        let enum_type = h
            .name
            .as_deref()
            .map(|n| format!("types::{}", type_name(n)))
            .unwrap_or_else(|| format!("the enum of {owner}"));
        for v in be.difference(&he) {
            let level = if dir == Dir::Request {
                Level::Breaking
            } else {
                Level::Info
            };
            ctx.push(
                rule(dir, kind, "enum-value-removed"),
                level,
                at,
                format!("enum value {v} removed"),
                format!("{enum_type}: variant for {v} removed"),
                true,
            );
        }
        for v in he.difference(&be) {
            let (level, breaks_rust) = if dir == Dir::Response {
                (Level::Warning, true)
            } else {
                (Level::Info, false)
            };
            ctx.push(
                rule(dir, kind, "enum-value-added"),
                level,
                at,
                format!("enum value {v} added"),
                format!(
                    "{enum_type}: new variant for {v}{}",
                    if breaks_rust {
                        " (exhaustive matches break)"
                    } else {
                        ""
                    }
                ),
                breaks_rust,
            );
        }
    }
    // Constraints that tighten what clients may send.
    if dir == Dir::Request {
        let num = |s: &Value, k: &str| s.get(k).and_then(Value::as_f64);
        let checks: [(&str, &str, bool); 6] = [
            ("maxLength", "max-length-decreased", true),
            ("minLength", "min-length-increased", false),
            ("maximum", "max-decreased", true),
            ("minimum", "min-increased", false),
            ("maxItems", "max-items-decreased", true),
            ("minItems", "min-items-increased", false),
        ];
        for (k, what, is_max) in checks {
            let tightened = match (num(bsch, k), num(hsch, k)) {
                (None, Some(_)) => true,
                (Some(o), Some(n)) => {
                    if is_max {
                        n < o
                    } else {
                        n > o
                    }
                }
                _ => false,
            };
            if tightened {
                ctx.push(
                    rule(dir, kind, what),
                    Level::Breaking,
                    at,
                    format!(
                        "{k} tightened from {} to {}",
                        bsch.get(k).unwrap_or(&Value::Null),
                        hsch[k]
                    ),
                    format!("{owner}: values valid before are rejected"),
                    false,
                );
            }
        }
        if hsch.get("pattern").is_some() && bsch.get("pattern") != hsch.get("pattern") {
            let what = if bsch.get("pattern").is_some() {
                "pattern-changed"
            } else {
                "pattern-added"
            };
            ctx.push(
                rule(dir, kind, what),
                Level::Breaking,
                at,
                format!("pattern {}", hsch["pattern"]),
                format!("{owner}: values valid before may be rejected"),
                false,
            );
        }
    }
    // Alternatives: paired by component name, else by shape. A one-member `allOf` facing
    // alternatives is the normalizer's form of a one-alternative `oneOf`.
    let mut bv = variants(bd, bsch);
    let mut hv = variants(hd, hsch);
    // One side with alternatives, the other without: the other is one alternative (the
    // normalizer writes a one-member `oneOf` as `allOf`, which `resolve` looks through).
    if bv.is_empty() && !hv.is_empty() {
        bv.push((b.name.clone(), canonical(bd, bsch, 0), bs));
    }
    if hv.is_empty() && !bv.is_empty() {
        hv.push((h.name.clone(), canonical(hd, hsch, 0), hs));
    }
    let alternatives = !bv.is_empty() || !hv.is_empty();
    let label = |name: &Option<String>, list: &[(Option<String>, String, &Value)], shape: &str| {
        name.clone().unwrap_or_else(|| {
            let position = list
                .iter()
                .position(|(_, s, _)| s == shape)
                .map_or(0, |p| p + 1);
            format!("inline alternative {position}")
        })
    };
    let matches = |x: &(Option<String>, String, &Value),
                   others: &[(Option<String>, String, &Value)]| {
        others
            .iter()
            .any(|o| (x.0.is_some() && x.0 == o.0) || x.1 == o.1)
    };
    for b_alt in &bv {
        if matches(b_alt, &hv) {
            continue;
        }
        let name = label(&b_alt.0, &bv, &b_alt.1);
        let (level, what) = if dir == Dir::Request {
            (Level::Breaking, "one-of-removed")
        } else {
            (Level::Info, "one-of-removed")
        };
        ctx.push(
            rule(dir, kind, what),
            level,
            at,
            format!("alternative {name} removed"),
            format!("{owner}: variant {name} removed"),
            true,
        );
    }
    for h_alt in &hv {
        if matches(h_alt, &bv) {
            continue;
        }
        let name = label(&h_alt.0, &hv, &h_alt.1);
        let (level, what) = if dir == Dir::Response {
            (Level::Breaking, "one-of-added")
        } else {
            (Level::Info, "one-of-added")
        };
        ctx.push(
            rule(dir, kind, what),
            level,
            at,
            format!("alternative {name} added"),
            format!("{owner}: new variant {name} (exhaustive matches break)"),
            dir == Dir::Response,
        );
    }
    // Alternatives present on both sides under one name: compare what is inside.
    for (name, _, b_schema) in &bv {
        let Some(name) = name else { continue };
        if let Some((_, _, h_schema)) = hv
            .iter()
            .find(|(n, _, _)| n.as_deref() == Some(name.as_str()))
        {
            compare_schema(
                ctx,
                dir,
                kind,
                bd,
                b_schema,
                hd,
                h_schema,
                &format!("{at}<{name}>"),
                &format!("types::{}", type_name(name)),
                true,
            );
        }
    }
    if alternatives {
        ctx.visiting.remove(&key);
        return;
    }
    // Properties.
    let type_path = h
        .name
        .as_deref()
        .map(|n| format!("types::{}", type_name(n)));
    let field_owner = |name: &str| match &type_path {
        Some(t) => format!("{t}::{name}"),
        None => format!("{owner}.{name}"),
    };
    for (name, (hp, _)) in &h.properties {
        let p_at = format!("{at}.{name}");
        let now_required = h.required.contains(name);
        match b.properties.get(name) {
            None => {
                let (id, level, breaks_rust) = match (dir, now_required) {
                    (Dir::Request, true) => (
                        "new-required-request-property".to_owned(),
                        Level::Breaking,
                        true,
                    ),
                    (Dir::Request, false) => (
                        "new-optional-request-property".to_owned(),
                        Level::Info,
                        true,
                    ),
                    (Dir::Response, true) => (
                        "response-required-property-added".to_owned(),
                        Level::Info,
                        false,
                    ),
                    (Dir::Response, false) => (
                        "response-optional-property-added".to_owned(),
                        Level::Info,
                        false,
                    ),
                };
                let note = if breaks_rust && dir == Dir::Request {
                    " (struct literals need it)"
                } else {
                    ""
                };
                ctx.push(
                    id,
                    level,
                    &p_at,
                    format!(
                        "property `{name}` added{}",
                        if now_required { " (required)" } else { "" }
                    ),
                    format!(
                        "{}: {} added{note}",
                        field_owner(name),
                        rust_type(hd, hp, now_required)
                    ),
                    breaks_rust,
                );
            }
            Some((bp, _)) => {
                let was_required = b.required.contains(name);
                if was_required != now_required {
                    let (what, level) = match (dir, now_required) {
                        (Dir::Request, true) => ("became-required", Level::Breaking),
                        (Dir::Request, false) => ("became-optional", Level::Info),
                        (Dir::Response, false) => ("became-optional", Level::Breaking),
                        (Dir::Response, true) => ("became-required", Level::Info),
                    };
                    ctx.push(
                        rule(dir, Kind::Property, what),
                        level,
                        &p_at,
                        format!("property `{name}` {}", what.replace('-', " ")),
                        format!(
                            "{}: {} → {}",
                            field_owner(name),
                            rust_type(bd, bp, was_required),
                            rust_type(hd, hp, now_required)
                        ),
                        true,
                    );
                }
                compare_schema(
                    ctx,
                    dir,
                    Kind::Property,
                    bd,
                    bp,
                    hd,
                    hp,
                    &p_at,
                    &field_owner(name),
                    now_required && was_required,
                );
            }
        }
    }
    for (name, (bp, _)) in &b.properties {
        if h.properties.contains_key(name) {
            continue;
        }
        let was_required = b.required.contains(name);
        let (id, level) = match (dir, was_required) {
            (Dir::Request, _) => ("request-property-removed", Level::Warning),
            (Dir::Response, true) => ("response-required-property-removed", Level::Breaking),
            (Dir::Response, false) => ("response-optional-property-removed", Level::Warning),
        };
        ctx.push(
            id,
            level,
            &format!("{at}.{name}"),
            format!("property `{name}` removed"),
            format!(
                "{}: {} removed",
                field_owner(name),
                rust_type(bd, bp, was_required)
            ),
            true,
        );
    }
    // Array items.
    if bsch.get("items").is_some() && hsch.get("items").is_some() {
        compare_schema(
            ctx,
            dir,
            kind,
            bd,
            &bsch["items"],
            hd,
            &hsch["items"],
            &format!("{at}[]"),
            &format!("{owner}[]"),
            true,
        );
    }
    ctx.visiting.remove(&key);
}
