//! The generated server crate (`generated/archastro-server`): one trait per scope family
//! (`RuntimeApi`, ...) with one `async` method per operation taking a typed request (path,
//! query, headers, body) and returning a response enum with a variant per declared status;
//! default bodies answer 501, `unimplemented_operations` lists what an implementation leaves
//! out; an `Authenticator` trait for the spec's security schemes; axum routers that
//! authenticate, extract and validate before any handler runs, and answer every failure in the
//! JSON envelope. Model types are the client's (`archastro_client::types`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::client::{Files, GENERATED_MARKER};
use crate::model::example;
use crate::families::FamiliesConfig;
use crate::jobs::Job;
use crate::normalize::schema::resolve_schema;
use crate::normalize::{METHODS, Normalized, security_requirements};
use crate::names::{doc_comment, fitted, rust_ident, str_lit, type_name};
use crate::{Error, Result};

/// Where the server crate lives, relative to the output root.
pub const SERVER_DIR: &str = "generated/archastro-server";

fn ident(name: &str) -> proc_macro2::Ident {
    format_ident!("{}", rust_ident(name))
}

/// Every file of the server crate, keyed by path relative to the crate directory.
pub fn generate_server(
    normalized: &Normalized,
    config: &FamiliesConfig,
    server_support: &str,
    crate_version: &str,
) -> Result<BTreeMap<String, String>> {
    let mut files = BTreeMap::new();
    let jobs = server_jobs(normalized, config, server_support, crate_version);
    for part in crate::jobs::run(jobs) {
        files.extend(part?);
    }
    Ok(files)
}

/// The server crate's files as independent jobs: one per family, then `lib.rs` and
/// `Cargo.toml`. (Tokens cannot cross threads, so each job builds its own.)
pub fn server_jobs<'a>(
    normalized: &'a Normalized,
    config: &'a FamiliesConfig,
    server_support: &'a str,
    crate_version: &'a str,
) -> Vec<Job<'a, Result<Files>>> {
    let family_of = move |name: &str| {
        config
            .families
            .iter()
            .find(|f| f.name == name)
            .expect("families come from config")
    };
    let mut jobs: Vec<Job<'a, Result<Files>>> = Vec::new();
    for (name, doc) in &normalized.families {
        jobs.push(Box::new(move || {
            let family = family_of(name);
            let trait_name = format!("{}Api", name.to_upper_camel_case());
            let doc_text = format!("{}: {}", family.title, family.description);
            let schemes = security_schemes(normalized);
            let mut out = file_start(&doc_text);
            family_module(name, doc, &trait_name, &schemes, &mut out);
            Ok(vec![(format!("src/{name}.rs"), out)])
        }));
    }
    jobs.push(Box::new(move || {
        Ok(vec![(
            "src/lib.rs".into(),
            format(lib_rs(normalized, config), "")?,
        )])
    }));
    let manifest = cargo_toml(server_support, crate_version);
    jobs.push(Box::new(move || Ok(vec![("Cargo.toml".into(), manifest)])));
    jobs
}

fn lib_rs(normalized: &Normalized, config: &FamiliesConfig) -> TokenStream {
    let schemes = security_schemes(normalized);
    let mut modules = Vec::new();
    let mut routes = Vec::new();
    let mut params = Vec::new();
    for (name, _) in &normalized.families {
        let family = config
            .families
            .iter()
            .find(|f| &f.name == name)
            .expect("families come from config");
        let module = ident(name);
        let trait_name = format_ident!("{}Api", name.to_upper_camel_case());
        let var = format_ident!("{}_api", name.to_snake_case());
        let doc_text = format!("{}: {}", family.title, family.description);
        modules.push(quote! {
            #[doc = #doc_text]
            pub mod #module;
        });
        params.push(quote! { #var: Arc<impl #module::#trait_name> });
        routes.push(quote! { .merge(#module::routes(#var, auth.clone(), config)) });
    }
    let authenticator = authenticator(&schemes);
    let lib = quote! {
        #![doc = "Typed server traits for the ArchAstro API: implement a family's trait (`RuntimeApi`, ...) and an [`Authenticator`], then serve [`router`]. Every route, parameter and response is checked by the compiler; every failure the framework produces answers in the API's JSON error envelope."]
        #![forbid(unsafe_code)]

        use std::sync::Arc;

        pub use archastro_client::types;
        pub use archastro_server_support::{ApiError, AuthError, NotImplemented, Principal, RequestContext, DEFAULT_BODY_LIMIT};

        #(#modules)*

        /// Router settings.
        #[derive(Debug, Clone, Copy)]
        pub struct ServerConfig {
            /// Larger request bodies answer 413.
            pub body_limit: usize,
        }

        impl Default for ServerConfig {
            fn default() -> Self {
                ServerConfig { body_limit: DEFAULT_BODY_LIMIT }
            }
        }

        /// What every handler of one family shares.
        pub(crate) struct Shared<T: ?Sized, A: ?Sized> {
            pub(crate) api: Arc<T>,
            pub(crate) auth: Arc<A>,
            pub(crate) config: ServerConfig,
        }

        impl<T: ?Sized, A: ?Sized> Clone for Shared<T, A> {
            fn clone(&self) -> Self {
                Shared { api: self.api.clone(), auth: self.auth.clone(), config: self.config }
            }
        }

        #authenticator

        /// One router for every family, with JSON 404 and 405 fallbacks.
        pub fn router<A: Authenticator>(auth: Arc<A>, config: ServerConfig, #(#params),*) -> axum::Router {
            axum::Router::new()
                #(#routes)*
                .fallback(archastro_server_support::not_found_fallback)
                .method_not_allowed_fallback(archastro_server_support::method_not_allowed_fallback)
        }
    };
    lib
}

fn cargo_toml(server_support: &str, crate_version: &str) -> String {
    format!(
        "# Generated by `cargo xtask regen`, do not edit by hand.\n\
             [package]\n\
             name = \"archastro-server\"\n\
             version = \"{crate_version}\"\n\
             edition = \"2024\"\n\
             rust-version = \"1.85\"\n\
             description = \"Typed axum server traits for the ArchAstro API\"\n\
             license = \"MIT OR Apache-2.0\"\n\
             publish = false\n\
             \n\
             [dependencies]\n\
             archastro-client = {{ path = \"../archastro-client\" }}\n\
             archastro-server-support = {{ path = \"{server_support}\" }}\n\
             axum = {{ version = \"0.8\", default-features = false, features = [\"json\", \"query\", \"tokio\", \"http1\"] }}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\n\
             serde_json = \"1\"\n"
    )
}

fn format(tokens: TokenStream, doc: &str) -> Result<String> {
    let mut out = file_start(doc);
    format_into(tokens, &mut out)?;
    Ok(out)
}

/// The generated marker and the file's doc lines.
fn file_start(doc: &str) -> String {
    let mut out = format!("{GENERATED_MARKER}\n");
    if !doc.is_empty() {
        for line in doc.lines() {
            out.push_str(&format!("//! {}\n", line.replace('\r', " ")));
        }
    }
    out
}

/// Appends the printed items of `tokens` to `out`.
fn format_into(tokens: TokenStream, out: &mut String) -> Result<()> {
    crate::format::format_items(tokens, out).map_err(|e| Error::Generate {
        target: "server".into(),
        message: e.to_string(),
    })
}

/// One security scheme: its name in the spec, how it is sent, and the authenticator method.
struct SchemeInfo {
    name: String,
    header: Option<String>,
    method: proc_macro2::Ident,
    variant: proc_macro2::Ident,
    description: String,
}

fn security_schemes(normalized: &Normalized) -> Vec<SchemeInfo> {
    let mut all: BTreeMap<String, Value> = BTreeMap::new();
    for (_, doc) in &normalized.families {
        for (name, s) in doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            all.entry(name.clone()).or_insert_with(|| s.clone());
        }
    }
    all.into_iter()
        .map(|(name, s)| {
            let header = match s["type"].as_str() {
                Some("apiKey") => Some(
                    s["name"]
                        .as_str()
                        .unwrap_or("x-api-key")
                        .to_ascii_lowercase(),
                ),
                _ => None,
            };
            SchemeInfo {
                method: ident(&name),
                variant: format_ident!("{}", name.to_upper_camel_case()),
                description: format!(
                    "`{name}`: {}{}",
                    s["description"].as_str().unwrap_or_default(),
                    header
                        .as_ref()
                        .map(|h| format!(" (header `{h}`)"))
                        .unwrap_or_else(|| " (`Authorization: Bearer`)".into())
                ),
                name,
                header,
            }
        })
        .collect()
}

fn authenticator(schemes: &[SchemeInfo]) -> TokenStream {
    let methods = schemes.iter().map(|s| {
        let (m, d) = (&s.method, &s.description);
        quote! {
            #[doc = #d]
            fn #m(&self, credential: &str) -> impl std::future::Future<Output = Result<Principal, AuthError>> + Send;
        }
    });
    let variants = schemes.iter().map(|s| &s.variant);
    let checks = schemes.iter().map(|s| {
        let (v, m) = (&s.variant, &s.method);
        let credential = match &s.header {
            Some(h) => quote! { archastro_server_support::api_key(headers, #h) },
            None => quote! { archastro_server_support::bearer_token(headers) },
        };
        quote! {
            Scheme::#v => match #credential {
                Some(c) => auth.#m(c).await,
                None => Err(AuthError::Missing),
            },
        }
    });
    let authenticate = if schemes.is_empty() {
        // No security schemes: every operation is public.
        quote! {
            pub(crate) async fn authenticate<A: Authenticator>(_: &A, _: &axum::http::HeaderMap, _: &[&[Scheme]]) -> Result<Option<Principal>, AuthError> {
                Ok(None)
            }
        }
    } else {
        quote! {
        /// Tries the alternatives of an operation in order; the first that fully passes gives the
            /// principal. No alternative at all means a public operation.
            pub(crate) async fn authenticate<A: Authenticator>(auth: &A, headers: &axum::http::HeaderMap, alternatives: &[&[Scheme]]) -> Result<Option<Principal>, AuthError> {
                if alternatives.is_empty() {
                    return Ok(None);
                }
                let mut worst = AuthError::Missing;
                for alternative in alternatives {
                    let mut principal = None;
                    let mut passed = true;
                    for scheme in alternative.iter() {
                        let result = match scheme {
                            #(#checks)*
                        };
                        match result {
                            Ok(p) => {
                                principal.get_or_insert(p);
                            }
                            Err(e) => {
                                worst = match (&worst, e) {
                                    (AuthError::Forbidden(_), _) => worst,
                                    (_, e @ AuthError::Forbidden(_)) => e,
                                    (AuthError::Invalid(_), _) => worst,
                                    (_, e) => e,
                                };
                                passed = false;
                                break;
                            }
                        }
                    }
                    if passed {
                        return Ok(principal);
                    }
                }
                Err(worst)
            }

        }
    };
    let names = schemes.iter().map(|s| s.name.as_str());
    let vs = schemes.iter().map(|s| &s.variant);
    quote! {
            /// Checks the credentials of the spec's security schemes. Answer `Invalid` for unknown
            /// or expired credentials (401) and `Forbidden` for valid ones that may not call the
            /// operation (403).
            pub trait Authenticator: Send + Sync + 'static {
                #(#methods)*
            }

            /// The spec's security schemes.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum Scheme {
                #(#variants),*
            }

            impl Scheme {
                /// The scheme's name in the spec.
                pub fn name(self) -> &'static str {
                    match self {
                        #(Scheme::#vs => #names),*
                    }
                }
            }

    #authenticate
        }
}

/// The Rust type of a parameter schema (scalars only; anything else is a string).
fn param_type(doc: &Value, schema: &Value) -> &'static str {
    let schema = resolve_schema(doc, schema);
    match schema["type"].as_str() {
        Some("integer") => "i64",
        Some("number") => "f64",
        Some("boolean") => "bool",
        _ => "String",
    }
}

/// The Rust type of a body schema: a shared model type when it is a component.
fn body_type(schema: &Value) -> String {
    match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        Some(name) => format!(
            "crate::types::{}",
            type_name(&crate::pointer::unescape(name))
        ),
        None => "serde_json::Value".to_owned(),
    }
}

fn variant_name(code: &str) -> String {
    let reason = code
        .parse::<u16>()
        .ok()
        .and_then(|c| http::StatusCode::from_u16(c).ok())
        .and_then(|s| s.canonical_reason())
        .map(|r| r.to_upper_camel_case());
    match reason {
        Some(r) => r,
        None => format!(
            "Status{}",
            code.chars()
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

/// The variant and match arm of one response (`code` is `200`, `4XX`, ...).
fn response_arm(code: &str, response: &Value) -> ResponseArm {
    let v = variant_name(code);
    let doc = format!(
        "{code}: {}",
        response["description"].as_str().unwrap_or_default()
    );
    let is_range = code.ends_with("XX");
    let status = if is_range {
        "status".to_owned()
    } else {
        format!("support::status({})", code.parse::<u16>().unwrap_or(500))
    };
    let content = response.pointer("/content/application~1json/schema");
    let raw = response["content"]
        .as_object()
        .is_some_and(|c| !c.is_empty())
        && content.is_none();
    let headers: Vec<(&String, bool)> = response["headers"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, h)| (name, h["required"] == Value::Bool(true)))
        .collect();
    if headers.is_empty() {
        let (variant, arm) = match (content, raw, is_range) {
            (Some(schema), _, false) => (
                format!("{v}({})", body_type(schema)),
                format!(
                    "Self::{v}(body) => support::json({}, &body),",
                    code.parse::<u16>().unwrap_or(500)
                ),
            ),
            (Some(schema), _, true) => (
                format!("{v}(axum::http::StatusCode, {})", body_type(schema)),
                format!("Self::{v}(status, body) => support::json_response(status, &body),"),
            ),
            (None, true, false) => (
                format!("{v}(axum::body::Bytes)"),
                format!("Self::{v}(body) => ({status}, body).into_response(),"),
            ),
            (None, _, true) => (
                format!("{v}(axum::http::StatusCode)"),
                format!("Self::{v}(status) => status.into_response(),"),
            ),
            (None, false, false) => (v.clone(), format!("Self::{v} => {status}.into_response(),")),
        };
        return ResponseArm { doc, variant, arm };
    }
    // A struct variant: the status (for ranges), the body, and each declared header.
    let mut fields = String::new();
    let mut names = Vec::new();
    if is_range {
        fields.push_str("        status: axum::http::StatusCode,\n");
        names.push("status".to_owned());
    }
    let body = match (content, raw) {
        (Some(schema), _) => {
            let _ = writeln!(fields, "        body: {},", body_type(schema));
            names.push("body".to_owned());
            format!("support::json_response({status}, &body)")
        }
        (None, true) => {
            fields.push_str("        body: axum::body::Bytes,\n");
            names.push("body".to_owned());
            format!("({status}, body).into_response()")
        }
        (None, false) => format!("{status}.into_response()"),
    };
    let mut sets = String::new();
    for (name, required) in headers {
        let field = rust_ident(name);
        let lower = str_lit(&name.to_ascii_lowercase());
        doc_comment(&mut fields, "        ", &format!("Header `{name}`."));
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

/// The fields of a path or query parameter struct (`location` is `path` or `query`).
fn param_fields(doc: &Value, params: &[&Value], location: &str) -> String {
    let mut out = String::new();
    for p in params.iter().filter(|p| p["in"] == location) {
        let name = p["name"].as_str().unwrap_or_default();
        let ty = param_type(doc, &p["schema"]);
        doc_comment(&mut out, "    ", p["description"].as_str().unwrap_or(name));
        let required = p["required"] == Value::Bool(true) || location == "path";
        let (default, ty) = if required {
            ("", ty.to_owned())
        } else {
            (", default", format!("Option<{ty}>"))
        };
        let _ = writeln!(
            out,
            "    #[serde(rename = {}{default})]\n    pub {}: {ty},",
            str_lit(name),
            rust_ident(name)
        );
    }
    out
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

/// The enum and bound checks of one query parameter (400 when violated), as statements of
/// the handler.
fn query_checks(doc: &Value, p: &Value, out: &mut String) {
    let name = p["name"].as_str().unwrap_or_default();
    let field = rust_ident(name);
    let schema = resolve_schema(doc, &p["schema"]);
    let access = if p["required"] == Value::Bool(true) {
        format!("Some(&query.{field})")
    } else {
        format!("query.{field}.as_ref()")
    };
    let mut check = |condition: String, message: String| {
        let message = str_lit(&message);
        let _ = write!(
            out,
            "    if let Some(v) = {access} {{\n        if {condition} {{\n{}        }}\n    }}\n",
            fitted(
                &format!("            return ApiError::bad_request({message}).into_response();\n"),
                &format!(
                    "            return ApiError::bad_request({message})\n                .into_response();\n"
                ),
                &format!(
                    "            return ApiError::bad_request(\n                {message},\n            )\n            .into_response();\n"
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

/// Appends one family's module to `out`, written as text: every shape here is fixed, so
/// the code is laid out as it is written (no token stream, no parser, no pretty-printer);
/// names come from [`rust_ident`] and [`type_name`], text from the spec only ever lands in
/// `///` comments and escaped string literals.
fn family_module(
    family: &str,
    doc: &Value,
    trait_name: &str,
    schemes: &[SchemeInfo],
    out: &mut String,
) {
    let mut items = String::new();
    let mut trait_methods = String::new();
    let mut handlers = String::new();
    let mut probes = String::new();
    let mut by_path: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut names = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let Some(id) = op["operationId"].as_str() else {
                continue;
            };
            names.push(str_lit(id));
            let pascal = type_name(id);
            let fn_name = rust_ident(id);
            let handler = rust_ident(&format!("handle_{id}"));
            let (path_ty, query_ty, headers_ty, request_ty, response_ty) = (
                format!("{pascal}Path"),
                format!("{pascal}Query"),
                format!("{pascal}Headers"),
                format!("{pascal}Request"),
                format!("{pascal}Response"),
            );
            let summary = op["summary"].as_str().unwrap_or_default();
            let description = op["description"].as_str().unwrap_or_default();
            let op_doc = format!(
                "`{} {path}`: {summary}\n\n{description}",
                method.to_uppercase()
            );
            let params: Vec<&Value> = op["parameters"].as_array().into_iter().flatten().collect();
            let has_path = params.iter().any(|p| p["in"] == "path");

            // The request types.
            let param_derives = "Debug, Clone, Default, PartialEq, serde::Deserialize";
            write_struct(
                &mut items,
                &format!("Path parameters of `{id}`."),
                param_derives,
                &path_ty,
                &param_fields(doc, &params, "path"),
            );
            write_struct(
                &mut items,
                &format!("Query parameters of `{id}`."),
                param_derives,
                &query_ty,
                &param_fields(doc, &params, "query"),
            );
            let header_params: Vec<&&Value> =
                params.iter().filter(|p| p["in"] == "header").collect();
            let mut header_fields = String::new();
            let mut header_reads = String::new();
            for p in &header_params {
                let name = p["name"].as_str().unwrap_or_default();
                let field = rust_ident(name);
                doc_comment(&mut header_fields, "    ", &format!("Header `{name}`."));
                let _ = writeln!(header_fields, "    pub {field}: Option<String>,");
                let read = format!(
                    "support::header_value(&parts.headers, {}).map(str::to_owned);\n",
                    str_lit(&name.to_ascii_lowercase())
                );
                header_reads.push_str(&fitted(
                    &format!("    headers.{field} = {read}"),
                    &format!("    headers.{field} =\n        {read}"),
                    &format!("    headers.{field} =\n        {read}"),
                ));
                if p["required"] == Value::Bool(true) {
                    let message = format!("the `{}` header is required", name.to_ascii_lowercase());
                    let _ = write!(
                        header_reads,
                        "    if headers.{field}.is_none() {{\n\
                         \x20       return ApiError::bad_request({}).into_response();\n\
                         \x20   }}\n",
                        str_lit(&message)
                    );
                }
            }
            write_struct(
                &mut items,
                &format!("Header parameters of `{id}`."),
                "Debug, Clone, Default, PartialEq",
                &headers_ty,
                &header_fields,
            );

            // The body.
            let body = op.pointer("/requestBody/content/application~1json/schema");
            let body_required = op.pointer("/requestBody/required") == Some(&Value::Bool(true));
            let (body_field_ty, body_read, body_probe) = match body {
                Some(schema) => {
                    let t = body_type(schema);
                    if body_required {
                        let example_json = str_lit(&example(doc, schema, 0).to_string());
                        (
                            t.clone(),
                            format!(
                                "    let body: {t} =\n\
                                 \x20       match support::required_body(body, state.config.body_limit).await {{\n\
                                 \x20           Ok(b) => b,\n\
                                 \x20           Err(e) => return e.into_response(),\n\
                                 \x20       }};\n"
                            ),
                            Some((t.clone(), example_json)),
                        )
                    } else {
                        (
                            format!("Option<{t}>"),
                            format!(
                                "    let body: Option<{t}> =\n\
                                 \x20       match support::optional_body(body, state.config.body_limit).await {{\n\
                                 \x20           Ok(b) => b,\n\
                                 \x20           Err(e) => return e.into_response(),\n\
                                 \x20       }};\n"
                            ),
                            None,
                        )
                    }
                }
                None => (
                    "()".to_owned(),
                    "    let _ = body;\n    let body = ();\n".to_owned(),
                    None,
                ),
            };
            write_struct(
                &mut items,
                &format!("Everything `{id}` receives."),
                "Debug, Clone",
                &request_ty,
                &format!(
                    "    pub path: {path_ty},\n    pub query: {query_ty},\n    pub headers: {headers_ty},\n    pub body: {body_field_ty},\n"
                ),
            );

            // The response enum and its conversion.
            let arms: Vec<ResponseArm> = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(code, response)| response_arm(code, response))
                .collect();
            doc_comment(&mut items, "", &format!("Every answer `{id}` declares."));
            items.push_str("#[derive(Debug, Clone)]\n#[allow(clippy::large_enum_variant)]\n");
            let _ = writeln!(items, "pub enum {response_ty} {{");
            for a in &arms {
                doc_comment(&mut items, "    ", &a.doc);
                let _ = writeln!(items, "    {},", a.variant);
            }
            items.push_str("}\n");
            let _ = write!(
                items,
                "impl IntoResponse for {response_ty} {{\n    fn into_response(self) -> Response {{\n        match self {{\n"
            );
            for a in &arms {
                let _ = writeln!(items, "            {}", a.arm);
            }
            items.push_str("        }\n    }\n}\n");

            // The trait method.
            trait_methods.push('\n');
            doc_comment(&mut trait_methods, "    ", &op_doc);
            let _ = write!(
                trait_methods,
                "    fn {fn_name}(\n\
                 \x20       &self,\n\
                 \x20       ctx: &RequestContext,\n\
                 \x20       request: {request_ty},\n\
                 \x20   ) -> impl Future<Output = Result<{response_ty}, ApiError>> + Send {{\n\
                 \x20       let _ = (ctx, request);\n\
                 \x20       NotImplemented::new({})\n\
                 \x20   }}\n",
                str_lit(id)
            );

            // The handler.
            let alternatives: Vec<String> = security_requirements(doc, op)
                .iter()
                .map(|req| {
                    let schemes_of: Vec<String> = req
                        .iter()
                        .filter_map(|name| schemes.iter().find(|s| &s.name == name))
                        .map(|s| format!("Scheme::{}", s.variant))
                        .collect();
                    format!("&[{}]", schemes_of.join(", "))
                })
                .collect();
            let path_read = if has_path {
                format!(
                    "    let path: {path_ty} = match support::path_params(raw_path.0) {{\n\
                     \x20       Ok(p) => p,\n\
                     \x20       Err(e) => return e.into_response(),\n\
                     \x20   }};\n"
                )
            } else {
                format!("    let path = {path_ty}::default();\n    let _ = raw_path;\n")
            };
            let _ = write!(
                handlers,
                "async fn {handler}<T: {trait_name}, A: crate::Authenticator>(\n\
                 \x20   State(state): State<Shared<T, A>>,\n\
                 \x20   raw_path: axum::extract::Path<Vec<(String, String)>>,\n\
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
                alternatives = alternatives.join(", ")
            );
            for p in params.iter().filter(|p| p["in"] == "query") {
                query_checks(doc, p, &mut handlers);
            }
            if header_params.is_empty() {
                let _ = writeln!(handlers, "    let headers = {headers_ty}::default();");
            } else {
                let _ = writeln!(handlers, "    let mut headers = {headers_ty}::default();");
                handlers.push_str(&header_reads);
            }
            handlers.push_str(&body_read);
            let _ = write!(
                handlers,
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

            // The probe of `unimplemented_operations`.
            let call = format!(
                "support::is_not_implemented(&api.{fn_name}(\n\
                 \x20               &ctx,\n\
                 \x20               {request_ty} {{\n\
                 \x20                   path: {path_ty}::default(),\n\
                 \x20                   query: {query_ty}::default(),\n\
                 \x20                   headers: {headers_ty}::default(),\n\
                 \x20                   body,\n\
                 \x20               }},\n\
                 \x20           ))"
            );
            let _ = match body_probe {
                // A body built from the spec's example; an operation whose example does not
                // decode is not probed.
                Some((ty, example)) => write!(
                    probes,
                    "        ({}, {{\n\
                     {}\
                     \x20           body.ok().map(|body| {{\n\
                     \x20               {}\n\
                     \x20           }})\n\
                     \x20       }}),\n",
                    str_lit(id),
                    fitted(
                        &format!(
                            "            let body = serde_json::from_str::<{ty}>({example});\n"
                        ),
                        &format!(
                            "            let body =\n                serde_json::from_str::<{ty}>({example});\n"
                        ),
                        &format!(
                            "            let body = serde_json::from_str::<{ty}>(\n                {example},\n            );\n"
                        ),
                    ),
                    call.replace('\n', "\n    ")
                ),
                None => write!(
                    probes,
                    "        ({}, {{\n            let body = {};\n            Some({call})\n        }}),\n",
                    str_lit(id),
                    if body.is_some() { "None" } else { "()" }
                ),
            };
            by_path
                .entry(path.as_str())
                .or_default()
                .push(format!("{method}({handler}::<T, A>)"));
        }
    }

    // A family may have no operations; then most of the imports are unused.
    out.push_str(
        "#[allow(unused_imports)]\n\
         use std::future::Future;\n\
         use std::sync::Arc;\n\
         \n\
         #[allow(unused_imports)]\n\
         use archastro_server_support::{self as support, ApiError, NotImplemented, RequestContext};\n\
         #[allow(unused_imports)]\n\
         use axum::extract::State;\n\
         #[allow(unused_imports)]\n\
         use axum::response::{IntoResponse, Response};\n\
         #[allow(unused_imports)]\n\
         use axum::routing::{delete, get, patch, post, put};\n\
         \n\
         #[allow(unused_imports)]\n\
         use crate::Scheme;\n\
         use crate::{ServerConfig, Shared};\n\
         \n",
    );
    doc_comment(
        out,
        "",
        &format!("Every operation of the `{family}` family."),
    );
    if names.is_empty() {
        out.push_str("pub const OPERATIONS: &[&str] = &[];\n");
    } else {
        let _ = write!(
            out,
            "pub const OPERATIONS: &[&str] = &[\n    {},\n];\n",
            names.join(",\n    ")
        );
    }
    if probes.is_empty() {
        probes.push_str("vec![]");
    } else {
        probes = format!("vec![\n{probes}    ]");
    }
    out.push_str(&items);
    drop(items);
    doc_comment(
        out,
        "",
        &format!(
            "The `{family}` operations. Every method has a default body answering 501 `not_implemented`, so a partial implementation compiles and serves; [`unimplemented_operations`] lists what is left."
        ),
    );
    let _ = write!(
        out,
        "pub trait {trait_name}: Send + Sync + 'static {{{trait_methods}}}\n\
         /// The operations `api` leaves to their default 501 body (found without running\n\
         /// anything: a default body is recognised by the type of the future it returns).\n\
         #[allow(unused_variables)]\n\
         pub fn unimplemented_operations<T: {trait_name}>(api: &T) -> Vec<&'static str> {{\n\
         \x20   let ctx = RequestContext {{\n\
         \x20       request_id: String::new(),\n\
         \x20       method: axum::http::Method::GET,\n\
         \x20       uri: axum::http::Uri::from_static(\"/\"),\n\
         \x20       headers: axum::http::HeaderMap::new(),\n\
         \x20       principal: None,\n\
         \x20   }};\n\
         \x20   let probes: Vec<(&'static str, Option<bool>)> = {probes};\n\
         \x20   probes\n\
         \x20       .into_iter()\n\
         \x20       .filter(|(_, default)| *default == Some(true))\n\
         \x20       .map(|(id, _)| id)\n\
         \x20       .collect()\n\
         }}\n"
    );
    out.push_str(&handlers);
    drop(handlers);
    let mut routes = String::new();
    for (path, methods) in &by_path {
        let path = str_lit(path);
        routes.push_str(&fitted(
            &format!("\n        .route({path}, {})", methods.join(".")),
            &format!(
                "\n        .route(\n            {path},\n            {},\n        )",
                methods.join(".")
            ),
            &format!(
                "\n        .route(\n            {path},\n            {},\n        )",
                methods.join("\n                .")
            ),
        ));
    }
    let _ = write!(
        out,
        "/// This family's routes, without fallbacks (to merge with other families).\n\
         pub fn routes<T: {trait_name}, A: crate::Authenticator>(\n\
         \x20   api: Arc<T>,\n\
         \x20   auth: Arc<A>,\n\
         \x20   config: ServerConfig,\n\
         ) -> axum::Router {{\n\
         \x20   axum::Router::new(){routes}\n\
         \x20       .with_state(Shared {{ api, auth, config }})\n\
         }}\n\
         /// This family alone, with JSON 404 and 405 fallbacks.\n\
         pub fn router<T: {trait_name}, A: crate::Authenticator>(\n\
         \x20   api: Arc<T>,\n\
         \x20   auth: Arc<A>,\n\
         \x20   config: ServerConfig,\n\
         ) -> axum::Router {{\n\
         \x20   routes(api, auth, config)\n\
         \x20       .fallback(support::not_found_fallback)\n\
         \x20       .method_not_allowed_fallback(support::method_not_allowed_fallback)\n\
         }}\n"
    );
}
