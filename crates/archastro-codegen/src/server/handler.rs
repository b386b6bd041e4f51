//! An operation's axum handler, written as text: authenticate, then extract the path, query
//! (with its enum and bound checks), headers and body, call the trait method and convert
//! its answer.

use std::fmt::Write as _;

use serde_json::Value;

use crate::model::{Location, Operation, Parameter};
use crate::names::{fitted, rust_ident, str_lit};
use crate::normalize::schema::resolve_schema;

use super::auth::{Scheme, alternatives};
use super::family::OperationNames;
use super::request::RequestBody;

/// Appends the handler of `op` to `out`.
pub(super) fn write_handler(
    out: &mut String,
    doc: &Value,
    op: &Operation<'_>,
    names: &OperationNames,
    trait_name: &str,
    schemes: &[Scheme],
    body: &RequestBody,
) {
    let OperationNames {
        handler,
        path_ty,
        query_ty,
        headers_ty,
        request_ty,
        fn_name,
        ..
    } = names;
    let _ = write!(
        out,
        "async fn {handler}<T: {trait_name}, A: crate::Authenticator>(\n\
         \x20   State(state): State<Shared<T, A>>,\n\
         \x20   raw_path: support::RawPath,\n\
         \x20   request: axum::extract::Request,\n\
         ) -> Response {{\n\
         \x20   let (parts, body) = request.into_parts();\n\
         \x20   let alternatives: &[&[Scheme]] = &[{alternatives}];\n\
         \x20   let principal = match crate::authenticate(&*state.auth, &parts.headers, alternatives).await {{\n\
         \x20       Ok(p) => p,\n\
         \x20       Err(e) => return e.into_api_error().into_response(),\n\
         \x20   }};\n\
         \x20   let ctx = RequestContext::new(&parts, principal);\n\
         {path_read}\
         \x20   let query: {query_ty} = match support::query(&parts.uri) {{\n\
         \x20       Ok(q) => q,\n\
         \x20       Err(e) => return e.into_response(),\n\
         \x20   }};\n",
        alternatives = alternatives(op, schemes),
        path_read = path_read(op, path_ty),
    );
    for p in op.parameters_in(Location::Query) {
        query_checks(doc, p, out);
    }
    header_reads(op, headers_ty, out);
    out.push_str(&body.read);
    let _ = write!(
        out,
        "    let request = {request_ty} {{\n\
         \x20       path,\n\
         \x20       query,\n\
         \x20       headers,\n\
         \x20       body,\n\
         \x20   }};\n\
         \x20   match state.api.{fn_name}(&ctx, request).await {{\n\
         \x20       Ok(response) => response.into_response(),\n\
         \x20       Err(error) => error.into_response(),\n\
         \x20   }}\n\
         }}\n"
    );
}

/// The statements binding `path`: extracted when the operation has path parameters.
fn path_read(op: &Operation<'_>, path_ty: &str) -> String {
    if op.parameters_in(Location::Path).next().is_some() {
        format!(
            "    let path: {path_ty} = match support::path_params(raw_path) {{\n\
             \x20       Ok(p) => p,\n\
             \x20       Err(e) => return e.into_response(),\n\
             \x20   }};\n"
        )
    } else {
        format!("    let path = {path_ty}::default();\n    let _ = raw_path;\n")
    }
}

/// The statements binding `headers`: each header parameter read (400 when a required one is
/// missing).
fn header_reads(op: &Operation<'_>, headers_ty: &str, out: &mut String) {
    let mut params = op.parameters_in(Location::Header).peekable();
    if params.peek().is_none() {
        let _ = writeln!(out, "    let headers = {headers_ty}::default();");
        return;
    }
    let _ = writeln!(out, "    let mut headers = {headers_ty}::default();");
    for p in params {
        let field = rust_ident(p.name);
        let lower = p.name.to_ascii_lowercase();
        let read = format!(
            "support::header_value(&parts.headers, {}).map(str::to_owned);\n",
            str_lit(&lower)
        );
        out.push_str(&fitted(
            &format!("    headers.{field} = {read}"),
            &format!("    headers.{field} =\n        {read}"),
            &format!("    headers.{field} =\n        {read}"),
        ));
        if p.required {
            let message = format!("the `{lower}` header is required");
            let _ = write!(
                out,
                "    if headers.{field}.is_none() {{\n\
                 \x20       return ApiError::bad_request({}).into_response();\n\
                 \x20   }}\n",
                str_lit(&message)
            );
        }
    }
}

/// The enum and bound checks of one query parameter (400 when violated), as statements of
/// the handler.
fn query_checks(doc: &Value, p: &Parameter<'_>, out: &mut String) {
    let name = p.name;
    let field = rust_ident(name);
    let Some(schema) = p.schema.map(|s| resolve_schema(doc, s)) else {
        return;
    };
    let access = if p.required {
        format!("Some(&query.{field})")
    } else {
        format!("query.{field}.as_ref()")
    };
    let mut check = |condition: String, message: String| {
        let message = str_lit(&message);
        let _ = write!(
            out,
            "    if let Some(v) = {access}\n        && {condition}\n    {{\n{}    }}\n",
            fitted(
                &format!("        return ApiError::bad_request({message}).into_response();\n"),
                &format!(
                    "        return ApiError::bad_request({message})\n            .into_response();\n"
                ),
                &format!(
                    "        return ApiError::bad_request(\n            {message},\n        )\n        .into_response();\n"
                ),
            )
        );
    };
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        if !values.is_empty() && schema["type"] == "string" {
            let list: Vec<String> = values.iter().map(|v| str_lit(v)).collect();
            check(
                format!("![{}].contains(&v.as_str())", list.join(", ")),
                format!("`{name}` must be one of {}", values.join(", ")),
            );
        }
    }
    if schema["type"] == "integer" {
        if let Some(min) = schema["minimum"].as_i64() {
            check(
                format!("*v < {min}i64"),
                format!("`{name}` must be at least {min}"),
            );
        }
        if let Some(max) = schema["maximum"].as_i64() {
            check(
                format!("*v > {max}i64"),
                format!("`{name}` must be at most {max}"),
            );
        }
    }
}
