//! An operation's response enum (a variant per declared status: its body and declared
//! headers) and its `IntoResponse` conversion, written as text.

use std::fmt::Write as _;

use crate::model::{Operation, Response};
use crate::names::{doc_comment, rust_ident, str_lit, type_name};

use super::request::body_type;

/// Appends `{Operation}Response` and its `IntoResponse` impl to `out`.
pub(super) fn write_response_enum(out: &mut String, op: &Operation<'_>, response_ty: &str) {
    let arms: Vec<ResponseArm> = op.responses.iter().map(ResponseArm::new).collect();
    doc_comment(out, "", &format!("Every answer `{}` declares.", op.id));
    out.push_str("#[derive(Debug, Clone)]\n#[allow(clippy::large_enum_variant)]\n");
    let _ = writeln!(out, "pub enum {response_ty} {{");
    for a in &arms {
        doc_comment(out, "    ", &a.doc);
        let _ = writeln!(out, "    {},", a.variant);
    }
    out.push_str("}\n");
    let _ = write!(
        out,
        "impl IntoResponse for {response_ty} {{\n    fn into_response(self) -> Response {{\n        match self {{\n"
    );
    for a in &arms {
        let _ = writeln!(out, "            {}", a.arm);
    }
    out.push_str("        }\n    }\n}\n");
}

/// The variant of a status: its reason phrase (`Ok`, `NotFound`), else `Status` and the
/// status key (`Status4XX`, `StatusDEFAULT`).
fn variant_name(status: &str) -> String {
    let reason = status
        .parse::<u16>()
        .ok()
        .and_then(|c| http::StatusCode::from_u16(c).ok())
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(r) => type_name(r),
        None => format!(
            "Status{}",
            status
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_uppercase()
        ),
    }
}

/// The code answering one declared response: a status, a body, and the declared headers.
struct ResponseArm {
    /// `///` text of the variant.
    doc: String,
    /// `Ok(crate::types::Agent)`, `Created { body: .., location: String }`, `NoContent`.
    variant: String,
    /// The match arm, `Self::Ok(body) => ...,` (may span lines; indented for its place).
    arm: String,
}

/// What a response's body is.
enum ResponseBody {
    /// JSON, of this Rust type.
    Json(String),
    /// Another media type, passed on as bytes.
    Raw,
    None,
}

impl ResponseBody {
    fn of(response: &Response<'_>) -> ResponseBody {
        match (response.media_type, response.schema) {
            (Some("application/json"), Some(schema)) => ResponseBody::Json(body_type(schema)),
            (Some(_), _) => ResponseBody::Raw,
            (None, _) => ResponseBody::None,
        }
    }
}

impl ResponseArm {
    /// The variant and match arm of one response (its status is `200`, `4XX`, ...).
    fn new(response: &Response<'_>) -> ResponseArm {
        let code = response.status;
        let v = variant_name(code);
        let doc = crate::doc_text::prefixed(&format!("{code}:"), response.description);
        let body = ResponseBody::of(response);
        let is_range = code.ends_with("XX");
        if response.headers.is_empty() {
            let (variant, arm) = tuple_variant(&v, code, body, is_range);
            return ResponseArm { doc, variant, arm };
        }
        struct_variant(&v, code, body, is_range, response, doc)
    }
}

/// The expression of a fixed status (`support::status(201)`), or `status` for a range.
fn status_expr(code: &str, is_range: bool) -> String {
    if is_range {
        "status".to_owned()
    } else {
        format!("support::status({})", code.parse::<u16>().unwrap_or(500))
    }
}

/// The variant and arm of a response without headers: `Ok(T)`, `Status4XX(StatusCode, T)`,
/// `NoContent`...
fn tuple_variant(v: &str, code: &str, body: ResponseBody, is_range: bool) -> (String, String) {
    let status = status_expr(code, is_range);
    match (body, is_range) {
        (ResponseBody::Json(ty), false) => (
            format!("{v}({ty})"),
            format!(
                "Self::{v}(body) => support::json({}, &body),",
                code.parse::<u16>().unwrap_or(500)
            ),
        ),
        (ResponseBody::Json(ty), true) => (
            format!("{v}(axum::http::StatusCode, {ty})"),
            format!("Self::{v}(status, body) => support::json_response(status, &body),"),
        ),
        (ResponseBody::Raw, false) => (
            format!("{v}(axum::body::Bytes)"),
            format!("Self::{v}(body) => ({status}, body).into_response(),"),
        ),
        (_, true) => (
            format!("{v}(axum::http::StatusCode)"),
            format!("Self::{v}(status) => status.into_response(),"),
        ),
        (ResponseBody::None, false) => (
            v.to_owned(),
            format!("Self::{v} => {status}.into_response(),"),
        ),
    }
}

/// A struct variant: the status (for ranges), the body, and each declared header.
fn struct_variant(
    v: &str,
    code: &str,
    body: ResponseBody,
    is_range: bool,
    response: &Response<'_>,
    doc: String,
) -> ResponseArm {
    let status = status_expr(code, is_range);
    let mut fields = String::new();
    let mut names = Vec::new();
    if is_range {
        fields.push_str("        status: axum::http::StatusCode,\n");
        names.push("status".to_owned());
    }
    let body = match body {
        ResponseBody::Json(ty) => {
            let _ = writeln!(fields, "        body: {ty},");
            names.push("body".to_owned());
            format!("support::json_response({status}, &body)")
        }
        ResponseBody::Raw => {
            fields.push_str("        body: axum::body::Bytes,\n");
            names.push("body".to_owned());
            format!("({status}, body).into_response()")
        }
        ResponseBody::None => format!("{status}.into_response()"),
    };
    let mut sets = String::new();
    for (name, header) in &response.headers {
        let field = rust_ident(name);
        let required = header["required"] == serde_json::Value::Bool(true);
        header_field(&mut fields, &mut sets, name, &field, required);
        names.push(field);
    }
    ResponseArm {
        doc,
        variant: format!("{v} {{\n{fields}    }}"),
        arm: format!(
            "Self::{v} {{ {} }} => {{\n                let mut response = {body};\n{sets}                response\n            }}",
            names.join(", ")
        ),
    }
}

/// A response header's field in the variant, and the statement setting it on the response.
fn header_field(fields: &mut String, sets: &mut String, name: &str, field: &str, required: bool) {
    let lower = str_lit(&name.to_ascii_lowercase());
    doc_comment(fields, "        ", &format!("Header `{name}`."));
    if required {
        let _ = writeln!(fields, "        {field}: String,");
        let _ = write!(
            sets,
            "                if let Ok(value) = axum::http::HeaderValue::from_str(&{field}) {{\n\
             \x20                   response.headers_mut().insert({lower}, value);\n\
             \x20               }}\n"
        );
    } else {
        let _ = writeln!(fields, "        {field}: Option<String>,");
        let _ = write!(
            sets,
            "                if let Some(value) = {field}\n\
             \x20                   .as_deref()\n\
             \x20                   .and_then(|v| axum::http::HeaderValue::from_str(v).ok())\n\
             \x20               {{\n\
             \x20                   response.headers_mut().insert({lower}, value);\n\
             \x20               }}\n"
        );
    }
}
