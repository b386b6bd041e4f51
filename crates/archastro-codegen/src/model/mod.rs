//! The typed API model: what every generator (client glue, server, contract, realtime) and the
//! API diff read, built once from the normalized family documents.
//!
//! [`Api`] → [`Family`] → [`Operation`] (method, path template, parameters, body, responses,
//! security, pagination, streaming, `x-sdk-name`) and [`Channel`] (joins, messages, pushes);
//! [`Resources`] is a family's operations as a tree of resources (the client's surface).
//! Schemas stay borrowed JSON (`&Value`) of their family document: the generators hand them to
//! progenitor or resolve them against [`Family::doc`]; everything else is typed here, so no
//! generator walks `paths × methods` by string keys.
//!
//! Operations are in document order: paths as sorted by the normalizer, then methods in
//! [`Method::ALL`] order, which is the order every generated file lists them in.

mod channels;
mod document;
mod resources;
mod segment;

use serde_json::Value;

use crate::names;
use crate::normalize::Normalized;
use crate::pointer;
use crate::{Error, Result};

pub use crate::examples::example;
pub use channels::{Channel, ChannelMessage, Join, Push};
pub use document::{Info, SecurityScheme};
pub use resources::{ChannelJoin, Resolution, Resource, ResourceMethod, Resources};
pub use segment::{SegmentProperty, SegmentValue};

/// An HTTP method an OpenAPI path item may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// Every method, in the order OpenAPI lists them in a path item.
    pub const ALL: [Method; 8] = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Options,
        Method::Head,
        Method::Patch,
        Method::Trace,
    ];

    /// The path item key (`get`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Put => "put",
            Method::Post => "post",
            Method::Delete => "delete",
            Method::Options => "options",
            Method::Head => "head",
            Method::Patch => "patch",
            Method::Trace => "trace",
        }
    }

    /// The method as HTTP writes it (`GET`).
    pub fn upper(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }

    /// The method of a path item key, `None` for the other keys (`parameters`, `x-*`...).
    pub fn from_key(key: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == key)
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.upper())
    }
}

/// Where a parameter is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    Path,
    Query,
    Header,
    Cookie,
}

impl Location {
    /// The `in` value of the spec (`path`).
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Cookie => "cookie",
        }
    }

    fn parse(text: &str) -> Option<Location> {
        [
            Location::Path,
            Location::Query,
            Location::Header,
            Location::Cookie,
        ]
        .into_iter()
        .find(|l| l.as_str() == text)
    }
}

/// The whole normalized API.
#[derive(Debug)]
pub struct Api<'a> {
    /// In the families configuration's order.
    pub families: Vec<Family<'a>>,
    /// Whether every name of the spec is ASCII: then no identifier progenitor or typify
    /// writes needs [`crate::names::lint_free_ident`].
    pub ascii: bool,
}

/// One scope family: its OpenAPI 3.0.3 document and what it declares.
#[derive(Debug)]
pub struct Family<'a> {
    pub name: &'a str,
    /// The family's normalized document (components, `info`, root extensions).
    pub doc: &'a Value,
    pub operations: Vec<Operation<'a>>,
    /// The family's root `x-channels`, in declaration order.
    pub channels: Vec<Channel<'a>>,
    /// The resource tree, built once when first asked for ([`Family::resources`]): the
    /// client, the contract, the README and the report all read the same one.
    resources: std::sync::OnceLock<Resources>,
}

/// One operation.
#[derive(Debug)]
pub struct Operation<'a> {
    /// The normalized `operationId` (unique across families, snake_case).
    pub id: &'a str,
    pub method: Method,
    /// The path template (`/api/v1/teams/{team_id}`).
    pub path: &'a str,
    /// The JSON pointer of the operation in its family document (`#/paths/~1x/get`).
    pub pointer: String,
    pub summary: &'a str,
    pub description: &'a str,
    pub tags: Vec<&'a str>,
    pub deprecated: bool,
    /// In declaration order (the normalizer inlines every parameter into its operation).
    pub parameters: Vec<Parameter<'a>>,
    pub body: Option<Body<'a>>,
    /// In the document's order (status codes sorted as strings, `4XX`, `default`...).
    pub responses: Vec<Response<'a>>,
    /// The security alternatives (each a list of scheme names); the document's default
    /// when the operation declares none. Empty: no authentication.
    pub security: Vec<Vec<&'a str>>,
    /// The same alternatives in the same order, each scheme with the scopes it requires
    /// (`[[("oauth", ["threads:read"])]]`; no scopes for schemes that take none).
    pub security_scopes: Vec<Vec<(&'a str, Vec<&'a str>)>>,
    /// `x-sdk-pagination`.
    pub pagination: Option<Pagination>,
    /// `x-sdk-streaming`, as declared.
    pub streaming: Option<&'a Value>,
    /// `x-sdk-name`, the vendor's preferred SDK method name.
    pub sdk_name: Option<&'a str>,
    /// The operation object, for the rare reader that compares it as data (the API diff).
    pub raw: &'a Value,
}

/// One parameter of an operation.
#[derive(Debug)]
pub struct Parameter<'a> {
    pub name: &'a str,
    pub location: Location,
    pub style: Option<&'a str>,
    pub explode: Option<bool>,
    /// Path parameters are always required.
    pub required: bool,
    pub description: &'a str,
    pub deprecated: bool,
    /// `None`: the spec declares no schema (any value).
    pub schema: Option<&'a Value>,
    /// The parameter object as declared.
    pub raw: &'a Value,
    /// The client's setter (and builder field) for it: [`names::client_setter_name`] of its
    /// name, unless the request builder keeps that for itself ([`names::client_arguments`]).
    pub setter: String,
}

/// A request body (the normalizer leaves one media type per body).
#[derive(Debug)]
pub struct Body<'a> {
    pub media_type: &'a str,
    /// The media type the client sends when `media_type` is the raw type standing for one it
    /// cannot type (`text/xml` sent as `text/plain` text), from the normalizer.
    pub wire_media_type: Option<&'a str>,
    pub schema: Option<&'a Value>,
    pub required: bool,
    pub description: &'a str,
}

impl Body<'_> {
    /// Whether the body is JSON (`application/json` or a `+json` type).
    pub fn is_json(&self) -> bool {
        is_json(self.media_type)
    }
}

/// One declared response.
#[derive(Debug)]
pub struct Response<'a> {
    /// The status key as declared (`200`, `4XX`, `default`).
    pub status: &'a str,
    pub description: &'a str,
    /// The response's media type and schema (one media type per response); `None` when it
    /// has no content.
    pub media_type: Option<&'a str>,
    pub schema: Option<&'a Value>,
    /// Declared response headers, by name in the document's order.
    pub headers: Vec<(&'a str, &'a Value)>,
    pub raw: &'a Value,
}

impl Response<'_> {
    /// Whether the status is 2XX (`200`, `2XX`).
    pub fn is_success(&self) -> bool {
        self.status.starts_with('2')
    }
}

/// How a list pages (`x-sdk-pagination.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pagination {
    Cursor,
    Offset,
    /// A type this generator does not know; listed so that the diff can still compare it.
    Other,
}

/// Whether a media type is JSON.
pub fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    essence == "application/json" || essence.ends_with("+json")
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn invalid(file: &str, at: &str, message: impl Into<String>) -> Error {
    Error::Generate {
        target: file.to_owned(),
        message: format!("{at}: {}", message.into()),
    }
}

impl<'a> Api<'a> {
    /// The model of the normalized families.
    pub fn new(normalized: &'a Normalized) -> Result<Api<'a>> {
        let families = normalized
            .families
            .iter()
            .map(|(name, doc)| Family::new(name, doc))
            .collect::<Result<_>>()?;
        Ok(Api {
            families,
            ascii: normalized.ascii,
        })
    }

    /// The family called `name`.
    pub fn family(&self, name: &str) -> Option<&Family<'a>> {
        self.families.iter().find(|f| f.name == name)
    }

    /// The families, the one with the most operations first: the order in which the job
    /// pool takes a job per family, so that no large job starts last.
    pub fn families_largest_first(&self) -> Vec<&Family<'a>> {
        let mut families: Vec<&Family<'a>> = self.families.iter().collect();
        families.sort_by_key(|family| std::cmp::Reverse(family.operations.len()));
        families
    }

    /// Every operation of every family, with its family.
    pub fn operations(&self) -> impl Iterator<Item = (&Family<'a>, &Operation<'a>)> {
        self.families
            .iter()
            .flat_map(|f| f.operations.iter().map(move |op| (f, op)))
    }

    /// The operation with the normalized id `id`, with its family.
    pub fn operation(&self, id: &str) -> Option<(&Family<'a>, &Operation<'a>)> {
        self.operations().find(|(_, op)| op.id == id)
    }

    pub fn operation_count(&self) -> usize {
        self.families.iter().map(|f| f.operations.len()).sum()
    }
}

impl<'a> Family<'a> {
    /// The model of one normalized family document.
    pub fn new(name: &'a str, doc: &'a Value) -> Result<Family<'a>> {
        let mut operations = Vec::new();
        for (path, item) in doc
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            for method in Method::ALL {
                if let Some(op) = item.get(method.as_str()) {
                    operations.push(Operation::new(doc, path, method, op)?);
                }
            }
        }
        Ok(Family {
            name,
            doc,
            operations,
            channels: channels::read(doc)?,
            resources: std::sync::OnceLock::new(),
        })
    }

    /// The family's resource tree ([`Resources::new`]), built on the first call.
    pub fn resources(&self) -> &Resources {
        self.resources.get_or_init(|| Resources::new(self))
    }

    /// The operation with the normalized id `id`.
    pub fn operation(&self, id: &str) -> Option<&Operation<'a>> {
        self.operations.iter().find(|op| op.id == id)
    }

    /// The component schema `name`.
    pub fn component(&self, name: &str) -> Option<&'a Value> {
        self.doc
            .get("components")
            .and_then(|c| c.get("schemas"))
            .and_then(|s| s.get(name))
    }

    /// The component schema a `$ref` schema names, if it is one.
    pub fn referenced(&self, schema: &Value) -> Option<&'a Value> {
        self.component(ref_name(schema)?)
    }
}

/// The number of operations in an OpenAPI document as read (before normalization: no model
/// exists yet, and a path item may hold anything).
pub fn operation_count(doc: &Value) -> usize {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.values())
        .filter_map(Value::as_object)
        .map(|item| {
            item.keys()
                .filter(|k| Method::from_key(k).is_some())
                .count()
        })
        .sum()
}

/// The component name of a `#/components/schemas/X` reference schema.
pub fn ref_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")
        .and_then(Value::as_str)?
        .strip_prefix("#/components/schemas/")
}

/// The security requirements of `op` in `doc` (the operation's own, else the document's), each
/// scheme with its required scopes.
fn security_scopes<'a>(doc: &'a Value, op: &'a Value) -> Vec<Vec<(&'a str, Vec<&'a str>)>> {
    op.get("security")
        .or_else(|| doc.get("security"))
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
                        .collect();
                    (scheme.as_str(), scopes)
                })
                .collect()
        })
        .collect()
}

impl<'a> Operation<'a> {
    fn new(doc: &'a Value, path: &'a str, method: Method, op: &'a Value) -> Result<Self> {
        let at = format!("#/paths/{}/{}", pointer::escape(path), method.as_str());
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("model", &at, "the operation has no operationId"))?;
        let mut parameters: Vec<Parameter<'a>> = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, p)| Parameter::new(p, &format!("{at}/parameters/{i}")))
            .collect::<Result<_>>()?;
        let places: Vec<(&str, &str)> = parameters
            .iter()
            .map(|p| (p.name, p.location.as_str()))
            .collect();
        let arguments = names::client_arguments(&places, op.get("requestBody").is_some());
        for (parameter, argument) in parameters.iter_mut().zip(arguments) {
            parameter.setter = names::joined_brands(&argument);
        }
        let body = op.get("requestBody").map(|b| {
            let (media_type, schema) = first_content(b);
            Body {
                media_type: media_type.unwrap_or_default(),
                wire_media_type: b
                    .get("content")
                    .and_then(|c| c.get(media_type?))
                    .and_then(|m| m.get(crate::normalize::WIRE_MEDIA_TYPE))
                    .and_then(Value::as_str),
                schema,
                required: b.get("required") == Some(&Value::Bool(true)),
                description: text(b, "description"),
            }
        });
        let responses = op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(status, r)| {
                let (media_type, schema) = first_content(r);
                Response {
                    status,
                    description: text(r, "description"),
                    media_type,
                    schema,
                    headers: r
                        .get("headers")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                        .map(|(n, h)| (n.as_str(), h))
                        .collect(),
                    raw: r,
                }
            })
            .collect();
        let security_scopes = security_scopes(doc, op);
        let pagination = op
            .pointer("/x-sdk-pagination/type")
            .and_then(Value::as_str)
            .map(|t| match t {
                "cursor" => Pagination::Cursor,
                "offset" => Pagination::Offset,
                _ => Pagination::Other,
            });
        Ok(Operation {
            id,
            method,
            path,
            pointer: at,
            summary: text(op, "summary"),
            description: text(op, "description"),
            tags: op
                .get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect(),
            deprecated: op.get("deprecated") == Some(&Value::Bool(true)),
            parameters,
            body,
            responses,
            security: security_scopes
                .iter()
                .map(|alternative| alternative.iter().map(|(scheme, _)| *scheme).collect())
                .collect(),
            security_scopes,
            pagination,
            streaming: op.get("x-sdk-streaming"),
            sdk_name: op.get("x-sdk-name").and_then(Value::as_str),
            raw: op,
        })
    }

    /// The parameters sent in `location`, in declaration order.
    pub fn parameters_in(&self, location: Location) -> impl Iterator<Item = &Parameter<'a>> {
        self.parameters
            .iter()
            .filter(move |p| p.location == location)
    }

    /// The response declared for `status` (exactly as written).
    pub fn response(&self, status: &str) -> Option<&Response<'a>> {
        self.responses.iter().find(|r| r.status == status)
    }

    /// The JSON request body's schema, when the body is JSON.
    pub fn json_body(&self) -> Option<&'a Value> {
        self.body
            .as_ref()
            .filter(|b| b.media_type == "application/json")
            .and_then(|b| b.schema)
    }
}

impl<'a> Parameter<'a> {
    fn new(p: &'a Value, at: &str) -> Result<Self> {
        let name = p
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("model", at, "a parameter needs a `name`"))?;
        let location = p
            .get("in")
            .and_then(Value::as_str)
            .and_then(Location::parse)
            .ok_or_else(|| invalid("model", at, "`in` must be path, query, header or cookie"))?;
        Ok(Parameter {
            name,
            location,
            style: p.get("style").and_then(Value::as_str),
            explode: p.get("explode").and_then(Value::as_bool),
            required: location == Location::Path || p.get("required") == Some(&Value::Bool(true)),
            description: text(p, "description"),
            deprecated: p.get("deprecated") == Some(&Value::Bool(true)),
            schema: p.get("schema"),
            raw: p,
            setter: names::client_setter_name(name),
        })
    }
}

/// The first (after normalization: the only) media type of a `content` map, and its schema.
fn first_content(v: &Value) -> (Option<&str>, Option<&Value>) {
    match v
        .get("content")
        .and_then(Value::as_object)
        .and_then(|c| c.iter().next())
    {
        Some((media, m)) => (Some(media.as_str()), m.get("schema")),
        None => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operations_in_path_then_method_order() {
        let doc = json!({
            "openapi": "3.0.3",
            "security": [{"bearer": []}, {"oauth": ["a:read", "a:write"]}],
            "paths": {
                "/a": {
                    "post": {"operationId": "create_a", "security": [], "requestBody": {
                        "required": true,
                        "content": {"application/json": {"schema": {"type": "object"}}}}},
                    "get": {"operationId": "list_a", "x-sdk-pagination": {"type": "cursor"},
                        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}}}
                },
                "/a/{id}": {"delete": {"operationId": "delete_a", "x-sdk-name": "remove",
                    "parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}]}}
            }
        });
        let family = Family::new("runtime", &doc).unwrap();
        let ids: Vec<_> = family.operations.iter().map(|o| (o.id, o.method)).collect();
        assert_eq!(
            ids,
            [
                ("list_a", Method::Get),
                ("create_a", Method::Post),
                ("delete_a", Method::Delete)
            ]
        );
        let list = &family.operations[0];
        assert_eq!(list.pagination, Some(Pagination::Cursor));
        assert_eq!(list.security, vec![vec!["bearer"], vec!["oauth"]]);
        assert_eq!(
            list.security_scopes,
            vec![
                vec![("bearer", vec![])],
                vec![("oauth", vec!["a:read", "a:write"])]
            ]
        );
        assert_eq!(
            list.response("200").and_then(|r| r.media_type),
            Some("application/json")
        );
        assert_eq!(list.pointer, "#/paths/~1a/get");
        let create = &family.operations[1];
        assert!(create.security.is_empty());
        assert!(
            create
                .body
                .as_ref()
                .is_some_and(|b| b.required && b.is_json())
        );
        let delete = &family.operations[2];
        assert!(delete.parameters[0].required);
        assert_eq!(delete.sdk_name, Some("remove"));
    }

    #[test]
    fn a_missing_operation_id_names_its_pointer() {
        let doc = json!({"paths": {"/x": {"get": {}}}});
        let e = Family::new("f", &doc).unwrap_err().to_string();
        assert!(e.contains("#/paths/~1x/get"), "{e}");
    }
}
