//! An operation's typed request, written as text: the path, query and header parameter
//! structs, the request body's type and how the handler reads it, and the request struct
//! holding all four; and a family's `path_objects`, the structs of its object path parameters.
//!
//! An array path parameter is a `Vec` of its items' scalar type, an object one a struct of
//! `path_objects` (named after its component, which the normalizer keeps unique), each read
//! from its segment as `style: simple` writes it (`archastro_server_support::simple_array`
//! and its siblings, through `deserialize_with`).

use std::fmt::Write as _;

use serde_json::Value;

use std::collections::BTreeMap;

use crate::doc_text::code_span;
use crate::model::{Family, Location, Operation, Parameter, SegmentValue, example, ref_name};
use crate::names::{Case, Namespace, doc_comment, fitted, rust_ident, str_lit, type_name};
use crate::normalize::schema::resolve_schema;
use crate::pointer;

use super::family::OperationNames;

/// The Rust type of a body schema: a shared model type when it is a component.
pub(super) fn body_type(schema: &Value) -> String {
    match ref_name(schema) {
        Some(name) => format!("crate::types::{}", type_name(&pointer::unescape(name))),
        None => "serde_json::Value".to_owned(),
    }
}

/// The Rust type of a parameter schema (scalars only; anything else is a string).
fn param_type(doc: &Value, schema: Option<&Value>) -> &'static str {
    let schema = schema.map(|s| resolve_schema(doc, s));
    match schema.and_then(|s| s["type"].as_str()) {
        Some("integer") => "i64",
        Some("number") => "f64",
        Some("boolean") => "bool",
        _ => "String",
    }
}

/// How an operation's request body is typed and read: a JSON body becomes a model type
/// (`Option` unless required), any other body is not read (`()`).
pub(super) struct RequestBody {
    /// The type of the request struct's `body` field.
    pub(super) field_ty: String,
    /// The handler's statements binding `body`.
    pub(super) read: String,
    /// What `unimplemented_operations` passes as the body.
    pub(super) probe: BodyProbe,
}

/// The body a probe of `unimplemented_operations` sends.
pub(super) enum BodyProbe {
    /// A required JSON body: its type and the spec's example as a string literal.
    Example { ty: String, json: String },
    /// An optional JSON body: `None`.
    Absent,
    /// No JSON body: `()`.
    Unit,
}

impl RequestBody {
    pub(super) fn new(doc: &Value, op: &Operation<'_>) -> RequestBody {
        let Some(schema) = op.json_body() else {
            return RequestBody {
                field_ty: "()".to_owned(),
                read: "    let _ = body;\n    let body = ();\n".to_owned(),
                probe: BodyProbe::Unit,
            };
        };
        let ty = body_type(schema);
        let required = op.body.as_ref().is_some_and(|b| b.required);
        let (field_ty, reader, probe) = if required {
            let json = str_lit(&example(doc, schema, 0).to_string());
            let probe = BodyProbe::Example {
                ty: ty.clone(),
                json,
            };
            (ty, "required_body", probe)
        } else {
            (format!("Option<{ty}>"), "optional_body", BodyProbe::Absent)
        };
        let read = format!(
            "    let body: {field_ty} =\n\
             \x20       match support::{reader}(body, state.config.body_limit).await {{\n\
             \x20           Ok(b) => b,\n\
             \x20           Err(e) => return e.into_response(),\n\
             \x20       }};\n"
        );
        RequestBody {
            field_ty,
            read,
            probe,
        }
    }
}

/// Appends the path, query and header structs of `op` and its request struct to `out`.
pub(super) fn write_request_types(
    out: &mut String,
    doc: &Value,
    op: &Operation<'_>,
    names: &OperationNames,
    body: &RequestBody,
) {
    let id = op.id;
    let param_derives = "Debug, Clone, Default, PartialEq, serde::Deserialize";
    write_struct(
        out,
        &format!("Path parameters of `{id}`."),
        param_derives,
        &names.path_ty,
        &param_fields(doc, op.parameters_in(Location::Path)),
    );
    write_struct(
        out,
        &format!("Query parameters of `{id}`."),
        param_derives,
        &names.query_ty,
        &param_fields(doc, op.parameters_in(Location::Query)),
    );
    let mut header_fields = String::new();
    for p in op.parameters_in(Location::Header) {
        doc_comment(
            &mut header_fields,
            "    ",
            &format!("Header {}.", code_span(p.name)),
        );
        let _ = writeln!(
            header_fields,
            "    pub {}: Option<String>,",
            rust_ident(p.name)
        );
    }
    write_struct(
        out,
        &format!("Header parameters of `{id}`."),
        "Debug, Clone, Default, PartialEq",
        &names.headers_ty,
        &header_fields,
    );
    write_struct(
        out,
        &format!("Everything `{id}` receives."),
        "Debug, Clone",
        &names.request_ty,
        &format!(
            "    pub path: {},\n    pub query: {},\n    pub headers: {},\n    pub body: {},\n",
            names.path_ty, names.query_ty, names.headers_ty, body.field_ty
        ),
    );
}

/// The fields of a path or query parameter struct.
fn param_fields<'p, 'a: 'p>(
    doc: &Value,
    params: impl Iterator<Item = &'p Parameter<'a>>,
) -> String {
    let mut out = String::new();
    for p in params {
        let description = if p.description.is_empty() {
            code_span(p.name)
        } else {
            p.description.to_owned()
        };
        doc_comment(&mut out, "    ", &description);
        let (ty, reader) = match p.segment_value(doc) {
            Some(SegmentValue::Array { items, .. }) => (
                format!("Vec<{}>", param_type(doc, Some(items))),
                Some("simple_array"),
            ),
            Some(SegmentValue::Object {
                component, explode, ..
            }) => (
                format!("path_objects::{}", type_name(&component)),
                Some(if explode {
                    "simple_object_exploded"
                } else {
                    "simple_object"
                }),
            ),
            None => (param_type(doc, p.schema).to_owned(), None),
        };
        let (default, ty) = if p.required {
            ("", ty)
        } else {
            (", default", format!("Option<{ty}>"))
        };
        let name = str_lit(p.name);
        let serde = match reader {
            None => format!("    #[serde(rename = {name}{default})]\n"),
            Some(reader) => fitted(
                &format!(
                    "    #[serde(rename = {name}, deserialize_with = \"support::{reader}\"{default})]\n"
                ),
                &format!(
                    "    #[serde(\n        rename = {name},\n        deserialize_with = \"support::{reader}\"{default}\n    )]\n"
                ),
                &format!(
                    "    #[serde(\n        rename = {name},\n        deserialize_with = \"support::{reader}\"{default}\n    )]\n"
                ),
            ),
        };
        let _ = writeln!(out, "{serde}    pub {}: {ty},", rust_ident(p.name));
    }
    out
}

/// Appends `path_objects`, the structs of `family`'s object path parameters (one per
/// component, in name order), when it has any.
pub(super) fn write_path_objects(out: &mut String, family: &Family<'_>) {
    let mut objects = BTreeMap::new();
    for op in &family.operations {
        for p in op.parameters_in(Location::Path) {
            if let Some(SegmentValue::Object {
                component,
                properties,
                ..
            }) = p.segment_value(family.doc)
            {
                objects.entry(component).or_insert(properties);
            }
        }
    }
    if objects.is_empty() {
        return;
    }
    out.push_str(
        "/// The objects of path parameters, read from their segment as `style: simple` writes them.\n\
         pub mod path_objects {\n",
    );
    for (component, properties) in objects {
        let mut fields = String::new();
        let mut field_names = Namespace::new(Case::Value);
        for property in properties {
            let ty = param_type(family.doc, Some(property.schema));
            let (default, ty) = if property.required {
                ("", ty.to_owned())
            } else {
                (", default", format!("Option<{ty}>"))
            };
            let description = property.schema.get("description").and_then(Value::as_str);
            doc_comment(
                &mut fields,
                "        ",
                &description
                    .filter(|d| !d.is_empty())
                    .map_or_else(|| code_span(property.name), str::to_owned),
            );
            let _ = writeln!(
                fields,
                "        #[serde(rename = {}{default})]\n        pub {}: {ty},",
                str_lit(property.name),
                rust_ident(&field_names.claim(property.name))
            );
        }
        doc_comment(
            out,
            "    ",
            &format!("The properties of an object path parameter (`{component}`)."),
        );
        let _ = write!(
            out,
            "    #[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]\n\
             \x20   pub struct {} {{\n{fields}    }}\n",
            type_name(&component)
        );
    }
    out.push_str("}\n");
}

/// A struct with the given derives and fields (`{}` when there are none).
fn write_struct(out: &mut String, doc: &str, derives: &str, name: &str, fields: &str) {
    doc_comment(out, "", doc);
    let _ = writeln!(out, "#[derive({derives})]");
    if fields.is_empty() {
        let _ = writeln!(out, "pub struct {name} {{}}");
    } else {
        let _ = write!(out, "pub struct {name} {{\n{fields}}}\n");
    }
}
